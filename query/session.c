/* One search, for the command line and the server: see session.h. */
#include "session.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A snippet fills at most this many lines of the terminal. */
#define SNIPPET_LINES 3
/* The width assumed when the output is not a terminal. */
#define DEFAULT_WIDTH 80

unsigned session_snippet_columns(unsigned width)
{
	return ((width ? width : DEFAULT_WIDTH) - 4) * SNIPPET_LINES;
}

/* Say why the session failed; returns `status`. */
static ni_status failed(struct session *s, ni_status status,
			const char *option, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static ni_status failed(struct session *s, ni_status status,
			const char *option, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ni_buf_reset(&s->message);
	if (ni_buf_vaddf(&s->message, fmt, ap) != NI_OK)
		ni_buf_adds(&s->message, "out of memory");
	va_end(ap);
	s->option = option;
	return status;
}

static ni_status parse_query(struct session *s)
{
	struct ni_qparse_options options = {
		.mode = s->o->strict_syntax ? NI_QPARSE_STRICT
					    : NI_QPARSE_LENIENT};
	ni_status status = ni_qparse_with(s->db, s->analyzer, s->text,
					  s->o->search.now, &options,
					  &s->parsed, &s->where);
	if (status == NI_EQUERY) {
		s->syntax = true;
		return failed(s, status, NULL, "%s", s->where.message);
	}
	if (status != NI_OK)
		return failed(s, status, NULL, "cannot parse the query: %s",
			      s->where.message[0] ? s->where.message
						  : ni_status_str(status));
	return NI_OK;
}

/*
 * --like: the similar articles, within the query's matches if any.  The
 * article is named by its URL, or by its file, which the index knows by
 * absolute path.
 */
static ni_status build_like(struct session *s)
{
	char *path = s->like_files ? realpath(s->o->like, NULL) : NULL;
	ni_status status = ni_query_like(s->db, path ? path : s->o->like,
					 SESSION_LIKE_TERMS, &s->like);
	free(path);
	if (status != NI_OK)
		return failed(s, status, "like", "%s", ni_db_errmsg(s->db));
	if (!*s->text)
		return NI_OK;
	const ni_query *within = s->parsed.relaxed ? s->parsed.relaxed
						   : s->parsed.strict;
	const ni_query *parts[2] = {s->like, within};
	status = ni_query_combine(NI_QOP_FILTER, parts, 2, &s->like_within);
	if (status != NI_OK)
		return failed(s, status, "like", "%s", ni_status_str(status));
	return NI_OK;
}

static ni_status run_search(struct session *s)
{
	struct ni_search_options search = s->o->search;
	const ni_query *strict = s->parsed.strict, *relaxed = s->parsed.relaxed;
	if (s->like) {
		strict = s->like_within ? s->like_within : s->like;
		relaxed = NULL;
	}
	/* The like query is already an expansion. */
	search.feedback = search.feedback && !s->like &&
			  ni_search_wants_feedback(&s->parsed);
	struct ni_buf errmsg = NI_BUF_INIT;
	ni_status status = ni_search_run(s->db, strict, relaxed, &search,
					 &s->results, &errmsg);
	if (status == NI_OK && !s->like && !s->count)
		status = ni_search_suggest(s->db, s->analyzer, s->text,
					   &s->parsed, &search,
					   s->results.total, &s->suggestion);
	if (status != NI_OK)
		failed(s, status, NULL, "%s",
		       errmsg.len ? errmsg.data : ni_status_str(status));
	ni_buf_release(&errmsg);
	return status;
}

/*
 * Heat is known for few articles (-1 in the seed): hottest first puts
 * the rest last, in order of relevance.  Say so, or a page of them
 * would look sorted by heat when nothing was.
 */
static ni_status note_unknown_heat(struct session *s)
{
	if (s->o->search.sort != NI_SORT_HEAT)
		return NI_OK;
	size_t unknown = 0;
	for (size_t i = 0; i < s->results.n_hits; i++)
		unknown += s->results.hits[i].heat < 0;
	if (!unknown)
		return NI_OK;
	const char *notice =
		unknown == s->results.n_hits
			? "no article here has a known heat: they are in "
			  "order of relevance"
			: "articles with no known heat come after the others, "
			  "in order of relevance";
	ni_status status = ni_parsed_query_add_notice(&s->parsed, notice);
	return status == NI_OK ? NI_OK
			       : failed(s, status, NULL, "out of memory");
}

/* A snippet of each hit's excerpt, marking the query's words. */
static ni_status make_snippets(struct session *s)
{
	size_t n = s->results.n_hits;
	s->snippets = calloc(n ? n : 1, sizeof *s->snippets);
	if (!s->snippets)
		return failed(s, NI_ENOMEM, NULL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *excerpt = s->results.hits[i].doc.excerpt;
		if (!excerpt)
			continue;
		ni_status status = ni_snippet_make(
			s->db, s->analyzer, excerpt, strlen(excerpt),
			s->parsed.words, s->parsed.n_words,
			s->snippet_columns, &s->snippets[i]);
		if (status != NI_OK)
			return failed(s, status, NULL,
				      "cannot make a snippet: %s",
				      ni_status_str(status));
	}
	return NI_OK;
}

ni_status session_run(struct session *s)
{
	ni_status status = NI_OK;
	if (s->language &&
	    (status = ni_db_set_language(s->db, s->language)) != NI_OK)
		return failed(s, status, "lang", "cannot stem in %s: %s",
			      s->language, ni_db_errmsg(s->db));
	if (*s->text)
		status = parse_query(s);
	if (status == NI_OK && s->o->like)
		status = build_like(s);
	if (status == NI_OK)
		status = run_search(s);
	if (status == NI_OK)
		status = note_unknown_heat(s);
	if (status == NI_OK)
		status = make_snippets(s);
	return status;
}

void session_context(const struct session *s, struct render_context *ctx)
{
	const struct query_options *o = s->o;
	*ctx = (struct render_context){
		.query = s->like && !*s->text ? o->like : s->text,
		.offset = o->search.offset,
		.limit = o->search.limit,
		.explain = o->explain,
		.show_heat = o->search.sort == NI_SORT_HEAT,
		.suggestion = s->suggestion.len ? s->suggestion.data : NULL,
		.snippets = s->snippets,
		.facets = o->search.facets,
		.n_missing = ni_db_missing_count(s->db),
		.notices = s->parsed.notices,
		.n_notices = s->parsed.n_notices,
		.syntax_error = s->parsed.as_words ? &s->parsed.syntax_error
						   : NULL,
	};
}

/* The results without the paths of the server's disk (session_json). */
static void hide_paths(struct ni_results *r)
{
	for (size_t i = 0; i < r->n_hits; i++) {
		struct ni_docdata *doc = &r->hits[i].doc;
		free(doc->path);
		doc->path = NULL;
		/* A parent without a URL is known by its file. */
		if (doc->related_of && doc->related_of[0] == '/') {
			free(doc->related_of);
			doc->related_of = NULL;
		}
	}
}

/*
 * The missing shards as ni_db_missing() names them ("shard 2 of STUB
 * (line 2), ENTRY: cause"), or, without `paths`, as "shard 2" alone;
 * in `names`, NUL-separated, pointed to by `missing`.
 */
static bool missing_shards(ni_db *db, bool paths, const char **missing,
			   size_t n, struct ni_buf *names)
{
	size_t *at = calloc(n ? n : 1, sizeof *at);
	bool ok = at != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		const char *name = ni_db_missing(db, i);
		unsigned number;
		at[i] = names->len;
		if (paths)
			ok = ni_buf_adds(names, name) == NI_OK;
		else if (sscanf(name, "shard %u of", &number) == 1)
			ok = ni_buf_addf(names, "shard %u", number) == NI_OK;
		else
			ok = ni_buf_adds(names, "a shard") == NI_OK;
		ok = ok && ni_buf_addch(names, '\0') == NI_OK;
	}
	for (size_t i = 0; ok && i < n; i++)
		missing[i] = names->data + at[i];
	free(at);
	return ok;
}

bool session_json(FILE *out, struct session *s, bool paths)
{
	struct render_context ctx;
	session_context(s, &ctx);
	if (!paths)
		hide_paths(&s->results);
	const char **missing = ctx.n_missing
		? calloc(ctx.n_missing, sizeof *missing) : NULL;
	struct ni_buf names = NI_BUF_INIT;
	bool ok = (missing || !ctx.n_missing) &&
		  missing_shards(s->db, paths, missing, ctx.n_missing,
				 &names);
	ctx.missing = missing;
	ok = ok && render_json(out, &ctx, &s->results);
	ni_buf_release(&names);
	free(missing);
	return ok;
}

void session_clear(struct session *s)
{
	for (size_t i = 0; s->snippets && i < s->results.n_hits; i++)
		ni_snippet_clear(&s->snippets[i]);
	free(s->snippets);
	s->snippets = NULL;
	ni_results_clear(&s->results);
	ni_parsed_query_clear(&s->parsed);
	ni_query_free(s->like);
	ni_query_free(s->like_within);
	s->like = s->like_within = NULL;
	ni_buf_release(&s->suggestion);
	ni_buf_release(&s->message);
	s->syntax = false;
	s->option = NULL;
	memset(&s->where, 0, sizeof s->where);
}
