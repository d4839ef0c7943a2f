/* The server's JSON API: see api.h and docs/serving.md. */
#include "api.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "ni_builder.h"
#include "ni_cli.h"
#include "ni_qparse.h"
#include "ni_snippet.h"
#include "render.h"
#include "session.h"

/* Related records of an article shown at most. */
#define MAX_RELATED 100
/* Completions /api/suggest gives unless `limit` says, and at most. */
#define SUGGEST_DEFAULT 8
#define SUGGEST_MAX 50
/* A last word shorter than this (in bytes) is not completed: every
 * word of the index would start so. */
#define SUGGEST_MIN_BYTES 2

/* ---- /api/search ------------------------------------------------------- */

/* Write the session's results as the body: newsquery --json's. */
static ni_status search_body(struct session *s, bool paths,
			     struct serve_response *res)
{
	struct serve_stream out;
	if (!serve_stream_open(&out))
		return NI_ENOMEM;
	bool ok = session_json(out.file, s, paths);
	ni_status status = serve_stream_close(&out, res);
	return ok ? status : NI_ENOMEM;
}

/*
 * 400 for a query that does not parse (strict): the error, and where:
 * `offset` and `length` in code points as newsquery --json's
 * syntax_error, `column` the display column of the caret, from 1.
 */
static ni_status syntax_error(const struct session *s,
			      struct serve_response *res)
{
	const char *text = s->text;
	size_t len = strlen(text);
	size_t at = s->where.offset < len ? s->where.offset : len;
	size_t end = s->where.length < len - at ? at + s->where.length : len;
	json_object *obj = serve_error_json(400, "q", s->where.message);
	json_object *where = json_object_new_object();
	bool ok = obj && where &&
		  !json_object_object_add(where, "message",
					  json_object_new_string(
						  s->where.message)) &&
		  !json_object_object_add(where, "offset", json_object_new_int64(
			  render_code_points(text, at))) &&
		  !json_object_object_add(where, "length", json_object_new_int64(
			  render_code_points(text + at, end - at))) &&
		  !json_object_object_add(where, "column", json_object_new_int64(
			  1 + (int64_t)ni_text_columns(text, at)));
	ni_status status = NI_ENOMEM;
	if (ok && !json_object_object_add(obj, "syntax_error", where)) {
		where = NULL;  /* obj's now */
		res->status = 400;
		status = serve_json_body(res, obj);
	}
	json_object_put(where);
	json_object_put(obj);
	return status;
}

/* What the session's failure is told: a 400 for the request's fault. */
static ni_status search_failed(const struct session *s, ni_status status,
			       struct serve_response *res)
{
	if (s->syntax)
		return syntax_error(s, res);
	if (s->option)
		return serve_error(res, 400, s->option, "%s: %s", s->option,
				   ni_buf_str(&s->message));
	return status;
}

ni_status api_search(const struct serve_request *req,
		     struct serve_response *res)
{
	static const char *const names[] = {"q", NULL};
	const struct serve_context *ctx = req->ctx;
	if (!serve_check_params(req, names, true, res))
		return NI_OK;
	struct query_options o;
	struct ni_buf problem = NI_BUF_INIT;
	const char *param;
	if (!serve_search_options(req, &o, &param, &problem)) {
		ni_status status = serve_error(res, 400, param, "%s: %s",
					       param, ni_buf_str(&problem));
		ni_buf_release(&problem);
		return status;
	}
	const char *q = serve_param(req, "q");
	if (!q || ni_qparse_blank(q)) {
		if (!o.like)
			return serve_error(res, 400, "q", "q: no query given "
					   "(/api/search?q=WORDS)");
		q = "";
	}
	if (o.like && o.like[0] == '/' && !ctx->settings->paths)
		return serve_error(res, 400, "like", "like: give an "
				   "article's URL (a file needs the server "
				   "started with --serve-paths)");
	struct session s = {
		.o = &o, .text = q, .db = ctx->db, .analyzer = ctx->analyzer,
		.language = o.language ? o.language : ctx->index_language,
		.snippet_columns = session_snippet_columns(0),
	};
	ni_status status = session_run(&s);
	if (status == NI_OK)
		status = search_body(&s, ctx->settings->paths, res);
	else
		status = search_failed(&s, status, res);
	session_clear(&s);
	return status;
}

/* ---- /api/article ------------------------------------------------------ */

/* The documents `query` (a filter) matches, as a search finds them;
 * `query` is freed. */
static ni_status matching(ni_db *db, ni_query *query, unsigned limit,
			  struct ni_results *out)
{
	struct ni_search_options o;
	ni_search_options_init(&o);
	o.limit = limit;
	o.all_copies = true;
	o.feedback = false;
	struct ni_buf errmsg = NI_BUF_INIT;
	ni_status status = ni_search_run(db, query, NULL, &o, out, &errmsg);
	ni_buf_release(&errmsg);
	ni_query_free(query);
	return status;
}

/* The documents with `value` in `filter`, as a search finds them. */
static ni_status filtered(ni_db *db, enum ni_filter filter,
			  const char *value, unsigned limit,
			  struct ni_results *out)
{
	ni_query *query;
	ni_status status = ni_query_filter(filter, value, strlen(value),
					   &query);
	return status == NI_OK ? matching(db, query, limit, out) : status;
}

/* The article at `url` as given, else at another of its forms (http for
 * https, tracking parameters left out: ni_url_variants()). */
static ni_status at_url(ni_db *db, const char *url, struct ni_results *out)
{
	ni_status status = filtered(db, NI_FILTER_URL, url, 1, out);
	if (status != NI_OK || out->n_hits)
		return status;
	ni_results_clear(out);
	ni_query *query;
	status = ni_query_url(url, strlen(url), &query);
	return status == NI_OK ? matching(db, query, 1, out) : status;
}

/* The record without the paths of the server's disk (session_json()). */
static void hide_path(struct ni_docdata *doc)
{
	free(doc->path);
	doc->path = NULL;
	if (doc->related_of && doc->related_of[0] == '/') {
		free(doc->related_of);
		doc->related_of = NULL;
	}
}

static ni_status article_body(const struct ni_docdata *doc,
			      const struct ni_results *related,
			      struct serve_response *res)
{
	struct serve_stream out;
	if (!serve_stream_open(&out))
		return NI_ENOMEM;
	bool ok = render_json_article(out.file, doc, related);
	ni_status status = serve_stream_close(&out, res);
	return ok ? status : NI_ENOMEM;
}

ni_status api_article(const struct serve_request *req,
		      struct serve_response *res)
{
	static const char *const names[] = {"url", "path", NULL};
	const struct serve_context *ctx = req->ctx;
	bool paths = ctx->settings->paths;
	if (!serve_check_params(req, names, false, res))
		return NI_OK;
	const char *url = serve_param(req, "url");
	const char *path = serve_param(req, "path");
	if ((url != NULL) == (path != NULL))
		return serve_error(res, 400, url ? "path" : "url",
				   "give the article's url (or, with "
				   "--serve-paths, its path), one of them");
	if (path && !paths)
		return serve_error(res, 400, "path", "path: the server was "
				   "not started with --serve-paths");
	/* No article has an empty one: a client's mistake, not a miss. */
	if (!*(url ? url : path))
		return serve_error(res, 400, url ? "url" : "path",
				   "%s: empty", url ? "url" : "path");
	struct ni_results found = {0}, related = {0};
	ni_status status = url ? at_url(ctx->db, url, &found)
			       : filtered(ctx->db, NI_FILTER_PATH, path, 1,
					  &found);
	if (status == NI_OK && !found.n_hits) {
		status = serve_error(res, 404, url ? "url" : "path",
				     "no article has the %s '%s'",
				     url ? "URL" : "path", url ? url : path);
		ni_results_clear(&found);
		return status;
	}
	struct ni_docdata *doc = status == NI_OK ? &found.hits[0].doc : NULL;
	/* Its key, which its related records name as their parent's. */
	const char *key = doc && doc->url ? doc->url : doc ? doc->path : NULL;
	if (key)
		status = filtered(ctx->db, NI_FILTER_PARENT, key,
				  MAX_RELATED, &related);
	if (status == NI_OK && !paths) {
		hide_path(doc);
		for (size_t i = 0; i < related.n_hits; i++)
			hide_path(&related.hits[i].doc);
	}
	if (status == NI_OK)
		status = article_body(doc, &related, res);
	ni_results_clear(&found);
	ni_results_clear(&related);
	return status;
}

/* ---- /api/suggest ------------------------------------------------------ */

/* The last word of the text, if the text ends with it. */
struct last_word {
	size_t text_len;
	const char *word;        /* folded; NULL when there is none */
	size_t len;
	size_t start;            /* where it begins in the text */
	struct ni_buf copy;
};

static int take_last(void *cls, const struct ni_token *t)
{
	struct last_word *w = cls;
	/* A compound's joined form is no word typed. */
	if (t->also)
		return 0;
	w->word = NULL;
	if (t->end != w->text_len)
		return 0;
	ni_buf_reset(&w->copy);
	if (ni_buf_add(&w->copy, t->word, t->len) != NI_OK)
		return 1;
	w->word = w->copy.data;
	w->len = t->len;
	w->start = t->start;
	return 0;
}

static ni_status suggestions_body(const char *q, const struct last_word *w,
				  const struct ni_buf *words,
				  const uint64_t *docs, size_t n,
				  struct serve_response *res)
{
	json_object *root = json_object_new_object();
	json_object *list = json_object_new_array();
	bool ok = root && list &&
		  !json_object_object_add(root, "version",
					  json_object_new_int(1)) &&
		  !json_object_object_add(root, "query",
					  json_object_new_string(q)) &&
		  !json_object_object_add(root, "word", w->word
					  ? json_object_new_string(w->word)
					  : NULL) &&
		  !json_object_object_add(root, "suggestions", list);
	if (!ok)
		json_object_put(list);
	const char *word = words->data;
	struct ni_buf text = NI_BUF_INIT;
	for (size_t i = 0; ok && i < n; i++, word += strlen(word) + 1) {
		ni_buf_reset(&text);
		json_object *entry = json_object_new_object();
		ok = entry && !json_object_array_add(list, entry) &&
		     ni_buf_add(&text, q, w->start) == NI_OK &&
		     ni_buf_adds(&text, word) == NI_OK &&
		     !json_object_object_add(entry, "text",
					     json_object_new_string(
						     ni_buf_str(&text))) &&
		     !json_object_object_add(entry, "word",
					     json_object_new_string(word)) &&
		     !json_object_object_add(entry, "count",
					     json_object_new_int64(
						     (int64_t)docs[i]));
	}
	ni_status status = ok ? serve_json_body(res, root) : NI_ENOMEM;
	ni_buf_release(&text);
	json_object_put(root);
	return status;
}

/*
 * The same completions in OpenSearch's suggestions format, for a
 * browser's address bar (app.h): ["QUERY", ["COMPLETION", ...]], each
 * completion the whole query as the person would search it.
 */
static ni_status opensearch_body(const char *q, const struct last_word *w,
				 const struct ni_buf *words, size_t n,
				 struct serve_response *res)
{
	json_object *root = json_object_new_array();
	json_object *list = json_object_new_array();
	bool ok = root && list &&
		  !json_object_array_add(root, json_object_new_string(q));
	if (!ok || json_object_array_add(root, list)) {
		json_object_put(list);
		ok = false;
	}
	const char *word = words->data;
	struct ni_buf text = NI_BUF_INIT;
	for (size_t i = 0; ok && i < n; i++, word += strlen(word) + 1) {
		ni_buf_reset(&text);
		ok = ni_buf_add(&text, q, w->start) == NI_OK &&
		     ni_buf_adds(&text, word) == NI_OK &&
		     !json_object_array_add(list, json_object_new_string(
						    ni_buf_str(&text)));
	}
	ni_status status = ok ? serve_json_body(res, root) : NI_ENOMEM;
	res->content_type = API_SUGGESTIONS_TYPE;
	ni_buf_release(&text);
	json_object_put(root);
	return status;
}

ni_status api_suggest(const struct serve_request *req,
		      struct serve_response *res)
{
	static const char *const names[] = {"q", "limit", "format", NULL};
	const struct serve_context *ctx = req->ctx;
	if (!serve_check_params(req, names, false, res))
		return NI_OK;
	const char *q = serve_param(req, "q");
	const char *limit = serve_param(req, "limit");
	const char *format = serve_param(req, "format");
	unsigned long max = SUGGEST_DEFAULT;
	if (format && strcmp(format, "opensearch") && strcmp(format, "json"))
		return serve_error(res, 400, "format", "format: '%s' is not "
				   "json or opensearch", format);
	bool opensearch = format && !strcmp(format, "opensearch");
	if (!q)
		return serve_error(res, 400, "q", "q: no text given "
				   "(/api/suggest?q=WORDS)");
	if (limit && !ni_parse_unsigned(limit, SUGGEST_MAX, &max))
		return serve_error(res, 400, "limit", "limit: '%s' is not a "
				   "whole number from 0 to %d", limit,
				   SUGGEST_MAX);
	struct last_word w = {.text_len = strlen(q)};
	uint64_t docs[SUGGEST_MAX];
	size_t n = 0;
	struct ni_buf words = NI_BUF_INIT;
	ni_status status = ni_analyzer_run(ctx->analyzer, q, w.text_len,
					   take_last, &w, NULL);
	if (status == NI_OK && w.word && w.len >= SUGGEST_MIN_BYTES)
		status = ni_db_complete(ctx->db, w.word, w.len,
					(unsigned)max, &words, docs, &n);
	if (status == NI_OK && opensearch)
		status = opensearch_body(q, &w, &words, n, res);
	else if (status == NI_OK)
		status = suggestions_body(q, &w, &words, docs, n, res);
	ni_buf_release(&words);
	ni_buf_release(&w.copy);
	return status;
}

/* ---- /api/stats and /healthz ------------------------------------------- */

ni_status api_stats(const struct serve_request *req,
		    struct serve_response *res)
{
	const struct serve_context *ctx = req->ctx;
	if (!serve_check_params(req, NULL, false, res))
		return NI_OK;
	uint64_t docs = 0, related = 0, revision = 0;
	bool known = false;
	ni_status status = ni_db_doc_count(ctx->db, &docs);
	if (status == NI_OK)
		status = ni_db_filter_count(ctx->db, NI_FILTER_RELATED, "", 0,
					    &related);
	if (status == NI_OK)
		status = ni_db_revision(ctx->db, &revision, &known);
	bool stub = ni_db_shard_count(ctx->db) > 0;
	char *built = NULL;
	/* A stub's last builds are each shard's own. */
	if (status == NI_OK && !stub)
		status = ni_db_get_metadata(ctx->db, NI_META_LAST_BUILD,
					    &built);
	if (status != NI_OK)
		return status;
	json_object *root = json_object_new_object();
	bool ok = root &&
		  !json_object_object_add(root, "version",
					  json_object_new_int(1)) &&
		  !json_object_object_add(root, "index", ctx->settings->paths
			  ? json_object_new_string(ctx->settings->db_path)
			  : NULL) &&
		  !json_object_object_add(root, "documents",
			  json_object_new_int64((int64_t)docs)) &&
		  !json_object_object_add(root, "articles",
			  json_object_new_int64((int64_t)(docs - related))) &&
		  !json_object_object_add(root, "related_records",
			  json_object_new_int64((int64_t)related)) &&
		  !json_object_object_add(root, "revision", known
			  ? json_object_new_int64((int64_t)revision) : NULL) &&
		  !json_object_object_add(root, "last_build", built && *built
			  ? json_object_new_string(built) : NULL) &&
		  !json_object_object_add(root, "shards", stub
			  ? json_object_new_int64(
				  (int64_t)ni_db_shard_count(ctx->db))
			  : NULL) &&
		  !json_object_object_add(root, "uptime_seconds",
			  json_object_new_double(ctx->uptime)) &&
		  !json_object_object_add(root, "requests",
			  json_object_new_int64((int64_t)ctx->requests)) &&
		  !json_object_object_add(root, "threads",
			  json_object_new_int64(ctx->settings->threads));
	status = ok ? serve_json_body(res, root) : NI_ENOMEM;
	json_object_put(root);
	free(built);
	return status;
}

ni_status api_healthz(const struct serve_request *req,
		      struct serve_response *res)
{
	if (!serve_check_params(req, NULL, false, res))
		return NI_OK;
	json_object *root = json_object_new_object();
	bool ok = root &&
		  !json_object_object_add(root, "version",
					  json_object_new_int(1)) &&
		  !json_object_object_add(root, "status",
					  json_object_new_string("ok"));
	ni_status status = ok ? serve_json_body(res, root) : NI_ENOMEM;
	json_object_put(root);
	return status;
}
