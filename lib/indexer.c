/* ni_indexer: see include/ni_indexer.h. */
#include "ni_indexer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ni_buf.h"
#include "ni_docdata.h"

struct ni_indexer {
	ni_db *db;
	ni_analyzer *analyzer;
	size_t max_file_bytes;
	struct ni_buf file;       /* the file's bytes, reused */
	struct ni_buf scratch;    /* folded filter values, document data */
	struct ni_buf story;      /* the title's words: the story key */
	struct ni_buf errmsg;
	struct ni_article article;
	struct ni_parse_error parse_error;
	char reason[512];
	char abs_path[PATH_MAX];
};

/* What the analyzer callback needs to add words to a document. */
struct word_sink {
	ni_doc *doc;
	enum ni_field field;
	struct ni_buf *words;     /* when not NULL, gets the words too */
	ni_status status;
};

ni_status ni_indexer_new(ni_db *db, ni_analyzer *analyzer,
			 ni_indexer **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out)
		return NI_ENOMEM;
	(*out)->db = db;
	(*out)->analyzer = analyzer;
	(*out)->max_file_bytes = NI_DEFAULT_MAX_FILE_BYTES;
	return NI_OK;
}

void ni_indexer_free(ni_indexer *ix)
{
	if (!ix)
		return;
	ni_buf_release(&ix->file);
	ni_buf_release(&ix->scratch);
	ni_buf_release(&ix->story);
	ni_buf_release(&ix->errmsg);
	ni_article_clear(&ix->article);
	free(ix);
}

void ni_indexer_set_max_file_bytes(ni_indexer *ix, size_t bytes)
{
	ix->max_file_bytes = bytes;
}

const char *ni_indexer_errmsg(const ni_indexer *ix)
{
	return ni_buf_str(&ix->errmsg);
}

/* Record why indexing cannot go on, and return the status. */
static ni_status fail(ni_indexer *ix, ni_status status, const char *what,
		      const char *detail)
{
	ni_buf_reset(&ix->errmsg);
	ni_buf_addf(&ix->errmsg, "%s: %s", what,
		    detail && *detail ? detail : ni_status_str(status));
	return status;
}

/* Say why the file is skipped: `text`, and errno's meaning if any. */
static void skip(ni_indexer *ix, struct ni_index_result *res,
		 const char *text, int errnum)
{
	if (errnum)
		snprintf(ix->reason, sizeof ix->reason, "%s: %s", text,
			 strerror(errnum));
	else
		snprintf(ix->reason, sizeof ix->reason, "%s", text);
	res->reason = ix->reason;
}

/*
 * Read the whole file into ix->file.  Returns NI_OK, NI_ENOMEM, or NI_EIO
 * with the reason set in res (the file is to be skipped).
 */
static ni_status read_file(ni_indexer *ix, const char *path,
			   struct ni_index_result *res)
{
	ni_buf_reset(&ix->file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		skip(ix, res, "cannot open", errno);
		return NI_EIO;
	}
	struct stat st;
	ni_status status = NI_OK;
	if (fstat(fd, &st) != 0) {
		skip(ix, res, "cannot stat", errno);
		status = NI_EIO;
	} else if ((uintmax_t)st.st_size > ix->max_file_bytes) {
		snprintf(ix->reason, sizeof ix->reason,
			 "file is larger than the limit of %zu bytes",
			 ix->max_file_bytes);
		res->reason = ix->reason;
		status = NI_EIO;
	} else {
		status = ni_buf_grow(&ix->file, (size_t)st.st_size);
	}
	while (status == NI_OK) {
		/* Read to the end: the file may have grown since fstat. */
		if (ix->file.len >= ix->max_file_bytes + 1) {
			skip(ix, res,
			     "file grew past the size limit", 0);
			status = NI_EIO;
			break;
		}
		status = ni_buf_grow(&ix->file, 65536);
		if (status != NI_OK)
			break;
		ssize_t got = read(fd, ix->file.data + ix->file.len,
				   ix->file.cap - ix->file.len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			skip(ix, res,
			     "cannot read", errno);
			status = NI_EIO;
		} else if (got == 0) {
			break;
		} else {
			ix->file.len += (size_t)got;
			ix->file.data[ix->file.len] = '\0';
		}
	}
	close(fd);
	return status;
}

static int add_token(void *ctx, const struct ni_token *token)
{
	struct word_sink *sink = ctx;
	sink->status = ni_doc_add_word(sink->doc, sink->field, token->word,
				       token->len);
	if (sink->status == NI_OK && sink->words) {
		if (sink->words->len)
			sink->status = ni_buf_addch(sink->words, ' ');
		if (sink->status == NI_OK)
			sink->status = ni_buf_add(sink->words, token->word,
						  token->len);
	}
	return sink->status != NI_OK;
}

static ni_status add_text(ni_indexer *ix, ni_doc *doc, enum ni_field field,
			  const char *text, struct ni_buf *words)
{
	if (!text || !*text)
		return NI_OK;
	struct word_sink sink = {doc, field, words, NI_OK};
	ni_status status = ni_analyzer_run(ix->analyzer, text, strlen(text),
					   add_token, &sink, NULL);
	if (status != NI_OK)
		return fail(ix, status, "analyzer",
			    ni_analyzer_errmsg(ix->analyzer));
	if (sink.status != NI_OK)
		return fail(ix, sink.status, "index", ni_doc_errmsg(doc));
	return ni_doc_end_text(doc);
}

/* A boolean term from text folded like words, so filters ignore case. */
static ni_status add_folded_filter(ni_indexer *ix, ni_doc *doc,
				   enum ni_filter filter, const char *text)
{
	if (!text || !*text)
		return NI_OK;
	ni_buf_reset(&ix->scratch);
	ni_status status = ni_analyzer_fold(ix->analyzer, text, strlen(text),
					    &ix->scratch);
	if (status != NI_OK)
		return fail(ix, status, "analyzer",
			    ni_analyzer_errmsg(ix->analyzer));
	if (ix->scratch.len == 0)
		return NI_OK;
	status = ni_doc_add_filter(doc, filter, ix->scratch.data,
				   ix->scratch.len);
	return status == NI_OK ? NI_OK
			       : fail(ix, status, "index", ni_doc_errmsg(doc));
}

static ni_status add_exact_filter(ni_indexer *ix, ni_doc *doc,
				  enum ni_filter filter, const char *text)
{
	if (!text || !*text)
		return NI_OK;
	ni_status status = ni_doc_add_filter(doc, filter, text, strlen(text));
	return status == NI_OK ? NI_OK
			       : fail(ix, status, "index", ni_doc_errmsg(doc));
}

/* Words of the excerpt's start that the story key keeps. */
#define STORY_LEDE_WORDS 8

/* The story key from "title words |" and every excerpt word. */
static ni_status set_story(ni_doc *doc, struct ni_buf *words)
{
	char *bar = strstr(words->data, " |");
	size_t end = words->len, n = 0;
	for (char *p = bar + 2; *p; p++) {
		if (*p == ' ' && ++n > STORY_LEDE_WORDS) {
			end = (size_t)(p - words->data);
			break;
		}
	}
	return ni_doc_set_story(doc, words->data, end);
}

static ni_status add_words(ni_indexer *ix, ni_doc *doc)
{
	const struct ni_article *a = &ix->article;
	/*
	 * The story key: the title's folded words, then the excerpt's first
	 * STORY_LEDE_WORDS.  A wire story reprinted under the same headline
	 * is one story whatever its capitals and punctuation; the lede keeps
	 * apart different articles that share a generic headline ("Markets
	 * wrap"; 17 Cranfield papers are all "note on creep buckling of
	 * columns").
	 */
	ni_buf_reset(&ix->story);
	ni_status status = add_text(ix, doc, NI_FIELD_TITLE, a->title,
				    &ix->story);
	bool has_title = ix->story.len > 0;
	if (status == NI_OK && has_title)
		status = ni_buf_adds(&ix->story, " |");
	if (status == NI_OK)
		status = add_text(ix, doc, NI_FIELD_EXCERPT, a->excerpt,
				  has_title ? &ix->story : NULL);
	if (status == NI_OK && has_title)
		status = set_story(doc, &ix->story);
	for (size_t i = 0; status == NI_OK && i < a->n_topics; i++) {
		status = add_text(ix, doc, NI_FIELD_TOPIC, a->topics[i], NULL);
		if (status == NI_OK)
			status = add_folded_filter(ix, doc, NI_FILTER_TOPIC,
						   a->topics[i]);
	}
	return status;
}

/*
 * site:nikkei.com should find asia.nikkei.com: each parent domain with a
 * dot left in it is a site term too.
 */
static ni_status add_parent_domains(ni_indexer *ix, ni_doc *doc)
{
	const char *domain = ix->article.provider.domain;
	if (!domain)
		return NI_OK;
	ni_status status = NI_OK;
	for (const char *dot = strchr(domain, '.');
	     status == NI_OK && dot && strchr(dot + 1, '.');
	     dot = strchr(dot + 1, '.'))
		status = add_folded_filter(ix, doc, NI_FILTER_SITE, dot + 1);
	return status;
}

static ni_status add_filters(ni_indexer *ix, ni_doc *doc)
{
	const struct ni_article *a = &ix->article;
	struct {
		enum ni_filter filter;
		const char *value;
		bool folded;
	} filters[] = {
		{NI_FILTER_PROVIDER, a->provider.name, true},
		{NI_FILTER_SITE, a->provider.domain, true},
		{NI_FILTER_CATEGORY, a->category, true},
		{NI_FILTER_TYPE, a->type, true},
		{NI_FILTER_URL, a->web_url, false},
		{NI_FILTER_URL, a->original_url, false},
		{NI_FILTER_PATH, ix->abs_path, false},
		{NI_FILTER_PUBLISHED, !a->published.present ? NULL
				      : a->published.value ? "true" : "false",
		 false},
	};
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < sizeof filters /
						     sizeof *filters; i++)
		status = filters[i].folded
			? add_folded_filter(ix, doc, filters[i].filter,
					    filters[i].value)
			: add_exact_filter(ix, doc, filters[i].filter,
					   filters[i].value);
	return status == NI_OK ? add_parent_domains(ix, doc) : status;
}

/* The text slots the facets count: provider, day, topics. */
static ni_status add_facet_values(ni_indexer *ix, ni_doc *doc)
{
	const struct ni_article *a = &ix->article;
	const char *provider = a->provider.name ? a->provider.name
						: a->provider.domain;
	ni_status status = NI_OK;
	if (provider)
		status = ni_doc_set_text(doc, NI_SLOT_PROVIDER, provider,
					 strlen(provider));
	if (status == NI_OK && a->published_at.present) {
		char date[21];
		ni_format_iso8601(a->published_at.epoch, date);
		status = ni_doc_set_text(doc, NI_SLOT_DAY, date, 10);
	}
	if (status != NI_OK || !a->n_topics)
		return status;
	ni_buf_reset(&ix->scratch);
	for (size_t i = 0; status == NI_OK && i < a->n_topics; i++) {
		status = ni_buf_adds(&ix->scratch, a->topics[i]);
		if (status == NI_OK)
			status = ni_buf_addch(&ix->scratch,
					      NI_TOPIC_SEPARATOR);
	}
	if (status == NI_OK)
		status = ni_doc_set_text(doc, NI_SLOT_TOPICS,
					 ix->scratch.data, ix->scratch.len);
	return status;
}

static ni_status add_values(ni_indexer *ix, ni_doc *doc)
{
	const struct ni_article *a = &ix->article;
	double quality = a->quality.present ? a->quality.value
					    : NI_DEFAULT_QUALITY;
	ni_status status = ni_doc_set_number(doc, NI_SLOT_QUALITY, quality);
	if (status == NI_OK && a->published_at.present)
		status = ni_doc_set_number(doc, NI_SLOT_DATE,
					   (double)a->published_at.epoch);
	if (status == NI_OK && a->heat.present)
		status = ni_doc_set_number(doc, NI_SLOT_HEAT, a->heat.value);
	if (status == NI_OK)
		status = add_facet_values(ix, doc);
	if (status == NI_OK) {
		ni_buf_reset(&ix->scratch);
		status = ni_docdata_encode(a, ix->abs_path, &ix->scratch);
	}
	if (status == NI_OK)
		status = ni_doc_set_data(doc, ix->scratch.data,
					 ix->scratch.len);
	return status == NI_OK ? NI_OK
			       : fail(ix, status, "index", ni_doc_errmsg(doc));
}

static ni_status store_article(ni_indexer *ix)
{
	ni_doc *doc;
	ni_status status = ni_doc_new(ix->db, &doc);
	if (status != NI_OK)
		return fail(ix, status, "index", ni_db_errmsg(ix->db));
	status = add_words(ix, doc);
	if (status == NI_OK)
		status = add_filters(ix, doc);
	if (status == NI_OK)
		status = add_values(ix, doc);
	if (status == NI_OK) {
		const struct ni_article *a = &ix->article;
		const char *key = a->web_url ? a->web_url
				: a->original_url ? a->original_url
				: ix->abs_path;
		status = ni_db_replace(ix->db, key, doc);
		if (status != NI_OK)
			fail(ix, status, "index", ni_db_errmsg(ix->db));
	}
	ni_doc_free(doc);
	return status;
}

/* The file's absolute path, the key of articles without a URL. */
static ni_status resolve_path(ni_indexer *ix, const char *path,
			      struct ni_index_result *res)
{
	if (realpath(path, ix->abs_path))
		return NI_OK;
	skip(ix, res, "cannot resolve path", errno);
	return NI_EIO;
}

ni_status ni_indexer_add_file(ni_indexer *ix, const char *path,
			      struct ni_index_result *res)
{
	memset(res, 0, sizeof *res);
	ni_article_clear(&ix->article);
	ni_status status = resolve_path(ix, path, res);
	if (status == NI_OK)
		status = read_file(ix, path, res);
	if (status == NI_EIO)
		return NI_OK;
	if (status != NI_OK)
		return fail(ix, status, path, NULL);
	status = ni_article_parse(ix->file.data, ix->file.len, &ix->article,
				  &ix->parse_error);
	if (status == NI_EPARSE) {
		res->line = ix->parse_error.line;
		res->column = ix->parse_error.column;
		res->reason = ix->parse_error.message;
		return NI_OK;
	}
	if (status != NI_OK)
		return fail(ix, status, path, NULL);
	res->warnings = ix->article.warnings;
	res->n_warnings = ix->article.n_warnings;
	res->n_warnings_dropped = ix->article.n_warnings_dropped;
	size_t dropped_before = ni_analyzer_dropped(ix->analyzer);
	status = store_article(ix);
	res->n_words_dropped = ni_analyzer_dropped(ix->analyzer) -
			       dropped_before;
	res->indexed = status == NI_OK;
	return status;
}
