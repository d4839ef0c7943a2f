/* ni_indexer: see include/ni_document.h. */
#include "ni_document.h"

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
#include "ni_dates.h"
#include "ni_docdata.h"
#include "ni_fields.h"
#include "ni_story.h"
#include "ni_strmap.h"

struct ni_indexer {
	ni_db *db;
	ni_analyzer *analyzer;
	size_t max_file_bytes;
	size_t max_field_words;
	struct ni_buf file;       /* the file's bytes, reused */
	struct ni_buf scratch;    /* folded filter values, document data */
	struct ni_story story;    /* the story key being made */
	struct ni_buf errmsg;
	struct ni_article article;
	struct ni_parse_error parse_error;
	bool loaded;              /* an article waits for ni_indexer_store */
	/* Keys of related records deleted with their parent since the
	 * last ni_indexer_take_lost(), each ended by a NUL; `taken` is
	 * what that call handed out. */
	struct ni_buf lost;
	struct ni_buf taken;
	char reason[512];
	char abs_path[PATH_MAX];
};

/* Which part of the story key a field's words make, if any. */
enum story_part { STORY_NONE = 0, STORY_TITLE, STORY_LEDE };

/* What the analyzer callback needs to add words to a document. */
struct word_sink {
	ni_doc *doc;
	enum ni_field field;
	struct ni_story *story;   /* gets the words too, unless STORY_NONE */
	enum story_part part;
	size_t from;              /* the lede starts at this byte */
	size_t *budget;           /* words the field may still index */
	bool full;                /* the budget ran out: the rest is not */
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
	(*out)->max_field_words = NI_DEFAULT_MAX_FIELD_WORDS;
	return NI_OK;
}

void ni_indexer_free(ni_indexer *ix)
{
	if (!ix)
		return;
	ni_buf_release(&ix->file);
	ni_buf_release(&ix->scratch);
	ni_story_release(&ix->story);
	ni_buf_release(&ix->errmsg);
	ni_buf_release(&ix->lost);
	ni_buf_release(&ix->taken);
	ni_article_clear(&ix->article);
	free(ix);
}

void ni_indexer_set_max_file_bytes(ni_indexer *ix, size_t bytes)
{
	ix->max_file_bytes = bytes;
}

void ni_indexer_set_max_field_words(ni_indexer *ix, size_t words)
{
	ix->max_field_words = words ? words : NI_DEFAULT_MAX_FIELD_WORDS;
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
		 enum ni_skip kind, const char *text, int errnum)
{
	res->skip = kind;
	if (errnum)
		snprintf(ix->reason, sizeof ix->reason, "%s: %s", text,
			 strerror(errnum));
	else
		snprintf(ix->reason, sizeof ix->reason, "%s", text);
	res->reason = ix->reason;
}

/*
 * Read the whole file into ix->file, and set res->read to its stamp:
 * the open file's fstat(2), taken before reading, so that the stamp is
 * of the very file read (the path may have been given another since
 * the walk), and the hash of the bytes read.  Returns NI_OK, NI_ENOMEM,
 * or NI_EIO with the reason set in res (the file is to be skipped).
 */
static ni_status read_file(ni_indexer *ix, const char *path,
			   struct ni_index_result *res)
{
	ni_buf_reset(&ix->file);
	/* O_NONBLOCK: a FIFO put where the walk saw a file must not hang
	 * the build; it changes nothing for a regular file. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) {
		skip(ix, res, NI_SKIP_VANISHED, "vanished before it was read "
		     "(deleted or renamed since the folder was listed)", 0);
		return NI_EIO;
	}
	if (fd < 0) {
		skip(ix, res, NI_SKIP_UNREADABLE, "cannot open", errno);
		return NI_EIO;
	}
	struct stat st;
	ni_status status = NI_OK;
	if (fstat(fd, &st) != 0) {
		skip(ix, res, NI_SKIP_UNREADABLE, "cannot stat", errno);
		status = NI_EIO;
	} else if (!S_ISREG(st.st_mode)) {
		skip(ix, res, NI_SKIP_UNREADABLE, S_ISDIR(st.st_mode)
		     ? "a folder, not a file" : "not a regular file", 0);
		status = NI_EIO;
	} else if ((uintmax_t)st.st_size > ix->max_file_bytes) {
		snprintf(ix->reason, sizeof ix->reason,
			 "file is larger than the limit of %zu bytes",
			 ix->max_file_bytes);
		res->reason = ix->reason;
		res->skip = NI_SKIP_TOO_LARGE;
		status = NI_EIO;
	} else {
		res->read = ni_stamp_of_stat(&st);
		status = ni_buf_grow(&ix->file, (size_t)st.st_size);
	}
	while (status == NI_OK) {
		/* Read to the end: the file may have grown since fstat. */
		if (ix->file.len >= ix->max_file_bytes + 1) {
			skip(ix, res, NI_SKIP_TOO_LARGE,
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
			skip(ix, res, NI_SKIP_UNREADABLE, "cannot read",
			     errno);
			status = NI_EIO;
		} else if (got == 0) {
			break;
		} else {
			ix->file.len += (size_t)got;
			ix->file.data[ix->file.len] = '\0';
		}
	}
	close(fd);
	if (status == NI_OK)
		res->read.hash = ni_strmap_hash(ix->file.data, ix->file.len);
	return status;
}

static int add_token(void *ctx, const struct ni_token *token)
{
	struct word_sink *sink = ctx;
	if (*sink->budget == 0) {
		/* Stopping the analyzer here is what bounds the time a
		 * 3 MB title costs, not only its terms. */
		sink->full = true;
		return 1;
	}
	if (token->also) {
		/* Another form of words already counted, not a word. */
		sink->status = ni_doc_add_form(sink->doc, sink->field,
					       token->word, token->len);
		return sink->status != NI_OK;
	}
	(*sink->budget)--;
	sink->status = ni_doc_add_word(sink->doc, sink->field, token->word,
				       token->len);
	if (sink->status == NI_OK && sink->part == STORY_TITLE)
		sink->status = ni_story_add_title(sink->story, token->word,
						  token->len);
	if (sink->status == NI_OK && sink->part == STORY_LEDE &&
	    token->start >= sink->from)
		sink->status = ni_story_add_lede(sink->story, token->word,
						 token->len);
	return sink->status != NI_OK;
}

/*
 * Index the words of `text` in `field`, at most `*budget` of them (which
 * is decreased), and give them to `part` of the story key; `*full` is set
 * when words were left out.
 */
static ni_status add_text(ni_indexer *ix, ni_doc *doc, enum ni_field field,
			  const char *text, enum story_part part,
			  size_t *budget, bool *full)
{
	if (!text || !*text)
		return NI_OK;
	struct word_sink sink = {
		doc, field, &ix->story, part,
		part == STORY_LEDE ? ni_story_lede_start(text) : 0,
		budget, false, NI_OK};
	ni_status status = ni_analyzer_run(ix->analyzer, text, strlen(text),
					   add_token, &sink, NULL);
	if (status != NI_OK)
		return fail(ix, status, "analyzer",
			    ni_analyzer_errmsg(ix->analyzer));
	if (sink.status != NI_OK)
		return fail(ix, sink.status, "index", ni_doc_errmsg(doc));
	*full = *full || sink.full;
	return ni_doc_end_text(doc);
}

/*
 * A boolean term of `filter` from `text`, folded as words are when the
 * field table says so (the query parser folds what is typed the same
 * way, from the same row), else as written.
 */
static ni_status add_filter(ni_indexer *ix, ni_doc *doc,
			    enum ni_filter filter, const char *text)
{
	if (!text || !*text)
		return NI_OK;
	size_t len = strlen(text);
	ni_status status;
	if (ni_filter_spec(filter)->folded) {
		ni_buf_reset(&ix->scratch);
		status = ni_analyzer_fold(ix->analyzer, text, len,
					  &ix->scratch);
		if (status != NI_OK)
			return fail(ix, status, "analyzer",
				    ni_analyzer_errmsg(ix->analyzer));
		if (ix->scratch.len == 0)
			return NI_OK;
		text = ix->scratch.data;
		len = ix->scratch.len;
	}
	status = ni_doc_add_filter(doc, filter, text, len);
	return status == NI_OK ? NI_OK
			       : fail(ix, status, "index", ni_doc_errmsg(doc));
}

/* Set the story key made of the title and the excerpt, if it has one. */
static ni_status set_story(ni_indexer *ix, ni_doc *doc,
			   const struct ni_article *a)
{
	const char *key;
	size_t len;
	ni_status status = ni_story_key(&ix->story, a->published_at.present,
					a->published_at.epoch, &key, &len);
	if (status != NI_OK)
		return fail(ix, status, "index", "out of memory");
	if (key && (status = ni_doc_set_story(doc, key, len)) != NI_OK)
		return fail(ix, status, "index", ni_doc_errmsg(doc));
	return NI_OK;
}

/*
 * What one document is made of: an article read from its file, or one of
 * its related records (then `parent_key` is the article's key).
 */
struct entry {
	const struct ni_article *a;
	const char *path;        /* the file it came from, absolute */
	const char *parent_key;  /* NULL for the article itself */
	size_t related_index;    /* which related record, when parent_key */
};

/* Say that a field had more words than are indexed. */
static ni_status warn_field_full(ni_indexer *ix, const struct entry *e,
				 const char *field)
{
	char where[48] = "";
	if (e->parent_key)
		snprintf(where, sizeof where, "related[%zu].",
			 e->related_index);
	ni_status status = ni_article_warn(
		&ix->article, 0, 0, "%s%s: only the first %zu words are "
		"indexed (the limit of words per field)", where, field,
		ix->max_field_words);
	return status == NI_OK ? NI_OK
			       : fail(ix, status, "index", "out of memory");
}

static ni_status add_words(ni_indexer *ix, ni_doc *doc,
			   const struct entry *e)
{
	const struct ni_article *a = e->a;
	/*
	 * The story key (ni_story.h): a wire story reprinted within days is
	 * one story whatever its capitals, punctuation and dateline; the
	 * lede keeps apart articles that share a generic headline ("Markets
	 * wrap"; 17 Cranfield papers are all "note on creep buckling of
	 * columns"), and the date those that run the same text years apart.
	 */
	ni_story_reset(&ix->story);
	size_t budget = ix->max_field_words;
	bool full = false;
	ni_status status = add_text(ix, doc, NI_FIELD_TITLE, a->title,
				    STORY_TITLE, &budget, &full);
	if (status == NI_OK && full)
		status = warn_field_full(ix, e, "title");
	budget = ix->max_field_words;
	full = false;
	if (status == NI_OK)
		status = add_text(ix, doc, NI_FIELD_EXCERPT, a->excerpt,
				  STORY_LEDE, &budget, &full);
	if (status == NI_OK && full)
		status = warn_field_full(ix, e, "excerpt");
	if (status == NI_OK)
		status = set_story(ix, doc, a);
	/* One budget for all the topics: a million of them is one field
	 * too long, and their filter terms stop with their words. */
	budget = ix->max_field_words;
	full = false;
	for (size_t i = 0; status == NI_OK && i < a->n_topics && !full;
	     i++) {
		status = add_text(ix, doc, NI_FIELD_TOPIC, a->topics[i],
				  STORY_NONE, &budget, &full);
		if (status == NI_OK && !full)
			status = add_filter(ix, doc, NI_FILTER_TOPIC,
					    a->topics[i]);
	}
	if (status == NI_OK && full)
		status = warn_field_full(ix, e, "topics");
	return status;
}

/*
 * site:nikkei.com should find asia.nikkei.com: each parent domain with a
 * dot left in it is a site term too.
 */
static ni_status add_parent_domains(ni_indexer *ix, ni_doc *doc,
				    const char *domain)
{
	if (!domain)
		return NI_OK;
	ni_status status = NI_OK;
	for (const char *dot = strchr(domain, '.');
	     status == NI_OK && dot && strchr(dot + 1, '.');
	     dot = strchr(dot + 1, '.'))
		status = add_filter(ix, doc, NI_FILTER_SITE, dot + 1);
	return status;
}

/* A related record's key: its URL (NULL when it has none). */
static const char *related_key(const struct ni_related *r)
{
	return r->web_url ? r->web_url : r->original_url;
}

static ni_status add_filters(ni_indexer *ix, ni_doc *doc,
			     const struct entry *e)
{
	const struct ni_article *a = e->a;
	/* The key each filter's value comes from; how it is written is
	 * the field table's.  A related record is found by its parent,
	 * not by the file. */
	struct {
		enum ni_filter filter;
		const char *value;
	} filters[] = {
		{NI_FILTER_PROVIDER, a->provider.name},
		{NI_FILTER_SITE, a->provider.domain},
		{NI_FILTER_CATEGORY, a->category},
		{NI_FILTER_TYPE, a->type},
		{NI_FILTER_URL, a->web_url},
		{NI_FILTER_URL, a->original_url},
		{NI_FILTER_PATH, e->parent_key ? NULL : e->path},
		{NI_FILTER_PARENT, e->parent_key},
		{NI_FILTER_PUBLISHED, !a->published.present ? NULL
				      : a->published.value ? "true" : "false"},
	};
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < sizeof filters /
						     sizeof *filters; i++)
		status = add_filter(ix, doc, filters[i].filter,
				    filters[i].value);
	/* "" is not an exact filter value: the mark is added by hand. */
	if (status == NI_OK && e->parent_key &&
	    ni_doc_add_filter(doc, NI_FILTER_RELATED, "", 0) != NI_OK)
		status = fail(ix, NI_ENOMEM, "index", ni_doc_errmsg(doc));
	/* An article names what it lists, whether its records are kept
	 * or another article's are: one of them may have to come back. */
	for (size_t i = 0; status == NI_OK && !e->parent_key &&
			   i < a->n_related; i++)
		status = add_filter(ix, doc, NI_FILTER_LISTS,
				    related_key(&a->related[i]));
	return status == NI_OK ? add_parent_domains(ix, doc,
						    a->provider.domain)
			       : status;
}

/* The text slots the facets count: provider, day, topics. */
static ni_status add_facet_values(ni_indexer *ix, ni_doc *doc,
				  const struct ni_article *a)
{
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

/*
 * NI_SLOT_FILE of an article file's document into ix->scratch:
 * "MTIME_NS CTIME_NS SIZE INODE HASH RACY", a NUL, the path, a NUL, the
 * key.  What the next build compares and needs without reading the
 * file (docs/schema.md; parse_stamp in builder.c reads it).
 */
static ni_status add_file_stamp(ni_indexer *ix, ni_doc *doc,
				const struct entry *e,
				const struct ni_file_stamp *stamp,
				const char *key)
{
	if (!stamp)
		return NI_OK;
	ni_buf_reset(&ix->scratch);
	ni_status status = ni_stamp_format(stamp, e->path, key, &ix->scratch);
	if (status == NI_OK)
		status = ni_doc_set_text(doc, NI_SLOT_FILE, ix->scratch.data,
					 ix->scratch.len);
	return status;
}

static ni_status add_values(ni_indexer *ix, ni_doc *doc,
			    const struct entry *e)
{
	const struct ni_article *a = e->a;
	double quality = a->quality.present ? a->quality.value
					    : NI_DEFAULT_QUALITY;
	ni_status status = ni_doc_set_number(doc, NI_SLOT_QUALITY, quality);
	if (status == NI_OK && a->published_at.present)
		status = ni_doc_set_number(doc, NI_SLOT_DATE,
					   (double)a->published_at.epoch);
	if (status == NI_OK && a->heat.present)
		status = ni_doc_set_number(doc, NI_SLOT_HEAT, a->heat.value);
	if (status == NI_OK)
		status = add_facet_values(ix, doc, a);
	if (status == NI_OK) {
		ni_buf_reset(&ix->scratch);
		status = ni_docdata_encode(a, e->path, e->parent_key,
					   &ix->scratch);
	}
	if (status == NI_OK)
		status = ni_doc_set_data(doc, ix->scratch.data,
					 ix->scratch.len);
	return status == NI_OK ? NI_OK
			       : fail(ix, status, "index", ni_doc_errmsg(doc));
}

static const char *key_of(const struct ni_article *a, const char *path)
{
	return a->web_url ? a->web_url
	       : a->original_url ? a->original_url : path;
}

/* Build and store one document; *docid receives its id. */
static ni_status store(ni_indexer *ix, const struct entry *e,
		       const struct ni_file_stamp *stamp, uint32_t *docid)
{
	ni_doc *doc;
	const char *key = key_of(e->a, e->path);
	ni_status status = ni_doc_new(ix->db, &doc);
	if (status != NI_OK)
		return fail(ix, status, "index", ni_db_errmsg(ix->db));
	/* Without a `lang`, the index's default language stems it. */
	if (e->a->stemmer) {
		status = ni_doc_set_language(doc, e->a->stemmer);
		if (status != NI_OK)
			fail(ix, status, "index", ni_doc_errmsg(doc));
	}
	if (status == NI_OK)
		status = add_words(ix, doc, e);
	if (status == NI_OK)
		status = add_filters(ix, doc, e);
	if (status == NI_OK)
		status = add_values(ix, doc, e);
	if (status == NI_OK)
		status = add_file_stamp(ix, doc, e, stamp, key);
	if (status == NI_OK) {
		status = ni_db_replace(ix->db, key, doc, docid);
		if (status != NI_OK)
			fail(ix, status, "index", ni_db_errmsg(ix->db));
	}
	ni_doc_free(doc);
	return status;
}

/* A related record seen as an article, borrowing its strings. */
static void related_view(const struct ni_related *r, struct ni_article *a)
{
	memset(a, 0, sizeof *a);
	a->title = r->title;
	a->excerpt = r->excerpt;
	a->web_url = r->web_url;
	a->original_url = r->original_url;
	a->type = r->type;
	a->published_at = r->published_at;
	a->quality = r->quality;
	a->provider = r->provider;
	a->images = r->images;
	a->n_images = r->n_images;
}

/*
 * Each related record with a URL becomes a document of its own, marked
 * with its parent's key, unless an article file has that URL (the file
 * wins) or another article listing it comes first
 * (ni_db_related_wins).  The parent's earlier records go first, so an edited or shortened
 * list leaves nothing behind.
 */
static ni_status store_related(ni_indexer *ix, const char *path,
			       const char *parent_key, size_t *stored)
{
	ni_status status = ni_db_delete_filtered_keys(
		ix->db, NI_FILTER_PARENT, parent_key, strlen(parent_key),
		&ix->lost);
	if (status != NI_OK)
		return fail(ix, status, "index", ni_db_errmsg(ix->db));
	for (size_t i = 0; i < ix->article.n_related; i++) {
		struct ni_article view;
		related_view(&ix->article.related[i], &view);
		/* A record is the article's news: in its language. */
		view.stemmer = ix->article.stemmer;
		if (!view.web_url && !view.original_url)
			continue;
		bool wins;
		status = ni_db_related_wins(ix->db, key_of(&view, NULL),
					    parent_key, &wins);
		if (status != NI_OK)
			return fail(ix, status, "index",
				    ni_db_errmsg(ix->db));
		if (!wins)
			continue;
		struct entry e = {&view, path, parent_key, i};
		status = store(ix, &e, NULL, NULL);
		if (status != NI_OK)
			return status;
		(*stored)++;
	}
	return NI_OK;
}

/* The file's absolute path, the key of articles without a URL. */
static ni_status resolve_path(ni_indexer *ix, const char *path,
			      struct ni_index_result *res)
{
	if (path[0] == '/' && strlen(path) < sizeof ix->abs_path) {
		strcpy(ix->abs_path, path);
		return NI_OK;
	}
	if (realpath(path, ix->abs_path))
		return NI_OK;
	if (errno == ENOENT)
		skip(ix, res, NI_SKIP_VANISHED, "vanished before it was read "
		     "(deleted or renamed since the folder was listed)", 0);
	else
		skip(ix, res, NI_SKIP_UNREADABLE, "cannot resolve path",
		     errno);
	return NI_EIO;
}

ni_status ni_indexer_load(ni_indexer *ix, const char *path,
			  struct ni_index_result *res)
{
	memset(res, 0, sizeof *res);
	ni_article_clear(&ix->article);
	ix->loaded = false;
	ni_status status = resolve_path(ix, path, res);
	if (status == NI_OK)
		status = read_file(ix, path, res);
	if (status == NI_EIO)
		return NI_OK;
	if (status != NI_OK)
		return fail(ix, status, path, NULL);
	/* The kind is set by every failure; never left from a last file. */
	ix->parse_error.kind = NI_SKIP_NONE;
	status = ni_article_parse(ix->file.data, ix->file.len, &ix->article,
				  &ix->parse_error);
	if (status == NI_EPARSE) {
		res->line = ix->parse_error.line;
		res->column = ix->parse_error.column;
		res->reason = ix->parse_error.message;
		res->skip = ix->parse_error.kind ? ix->parse_error.kind
						 : NI_SKIP_INVALID_YAML;
		return NI_OK;
	}
	if (status != NI_OK)
		return fail(ix, status, path, NULL);
	res->warnings = ix->article.warnings;
	res->n_warnings = ix->article.n_warnings;
	res->n_warnings_dropped = ix->article.n_warnings_dropped;
	res->key = key_of(&ix->article, ix->abs_path);
	ix->loaded = true;
	return NI_OK;
}

ni_status ni_indexer_store(ni_indexer *ix, const struct ni_file_stamp *stamp,
			   struct ni_index_result *res)
{
	if (!ix->loaded)
		return fail(ix, NI_EINVAL, "index", "no article loaded");
	ix->loaded = false;
	size_t dropped_before = ni_analyzer_dropped(ix->analyzer);
	struct entry e = {&ix->article, ix->abs_path, NULL, 0};
	ni_status status = store(ix, &e, stamp, &res->docid);
	if (status == NI_OK)
		status = store_related(ix, ix->abs_path, res->key,
				       &res->n_related);
	res->n_words_dropped = ni_analyzer_dropped(ix->analyzer) -
			       dropped_before;
	/* Storing can add warnings (a field over the word limit). */
	res->warnings = ix->article.warnings;
	res->n_warnings = ix->article.n_warnings;
	res->n_warnings_dropped = ix->article.n_warnings_dropped;
	res->indexed = status == NI_OK;
	return status;
}

const struct ni_article *ni_indexer_article(const ni_indexer *ix)
{
	return ix->loaded ? &ix->article : NULL;
}

ni_status ni_indexer_add_file(ni_indexer *ix, const char *path,
			      const struct ni_file_stamp *stamp,
			      struct ni_index_result *res)
{
	ni_status status = ni_indexer_load(ix, path, res);
	if (status != NI_OK || !res->key)
		return status;
	return ni_indexer_store(ix, stamp, res);
}

ni_status ni_indexer_read_stamp(ni_indexer *ix, const char *path,
				struct ni_file_stamp *stamp)
{
	struct ni_index_result res = {0};
	ni_status status = read_file(ix, path, &res);
	*stamp = res.read;
	if (status == NI_ENOMEM)
		return fail(ix, status, path, NULL);
	return status;
}

ni_status ni_indexer_restamp(ni_indexer *ix, uint32_t docid,
			     const char *path, const char *key,
			     const struct ni_file_stamp *stamp)
{
	ni_buf_reset(&ix->scratch);
	ni_status status = ni_stamp_format(stamp, path, key, &ix->scratch);
	if (status != NI_OK)
		return fail(ix, status, "index", NULL);
	status = ni_db_set_text(ix->db, docid, NI_SLOT_FILE, ix->scratch.data,
				ix->scratch.len);
	return status == NI_OK ? NI_OK
			       : fail(ix, status, "index", ni_db_errmsg(ix->db));
}

ni_status ni_indexer_remove(ni_indexer *ix, uint32_t docid, const char *key)
{
	ni_status status = ni_db_delete_docid(ix->db, docid);
	/* Its key is lost too: an article listing it may now write the
	 * record a file with that URL kept out. */
	if (status == NI_OK && key &&
	    ni_buf_add(&ix->lost, key, strlen(key) + 1) != NI_OK)
		return fail(ix, NI_ENOMEM, "index", "out of memory");
	if (status == NI_OK && key)
		status = ni_db_delete_filtered_keys(ix->db, NI_FILTER_PARENT,
						    key, strlen(key),
						    &ix->lost);
	return status == NI_OK ? NI_OK
			       : fail(ix, status, "index", ni_db_errmsg(ix->db));
}

void ni_indexer_take_lost(ni_indexer *ix, const char **keys, size_t *len)
{
	struct ni_buf swap = ix->taken;
	ix->taken = ix->lost;
	ix->lost = swap;
	ni_buf_reset(&ix->lost);
	*keys = ix->taken.len ? ix->taken.data : "";
	*len = ix->taken.len;
}
