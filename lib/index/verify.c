/* ni_verify: see include/ni_verify.h. */
#include "ni_verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ni_analyzer.h"
#include "ni_builder.h"
#include "ni_dates.h"
#include "ni_docdata.h"
#include "ni_document.h"
#include "ni_parse_error.h"
#include "ni_stamp.h"
#include "ni_strmap.h"
#include "ni_walk.h"

/* A document's file is read whatever its size: it was indexed whole,
 * with whatever --max-file-size that build had. */
#define ANY_SIZE ((size_t)1 << 40)

/* An article file's document, from its NI_SLOT_FILE value. */
struct doc {
	uint32_t docid;
	struct ni_file_stamp stamp;
	bool old_stamp;          /* of the first format: mtime and size */
	char *path;
	char *key;
};

/* A file the walk found, and what stat() said of it. */
struct file {
	char *path;
	struct stat st;
};

/* A source or folder the walk did not enter, and why (errno). */
struct unread {
	char *path;
	int errnum;
};

struct verifier {
	ni_db *db;
	ni_indexer *ix;
	struct ni_buf *report;
	struct ni_buf *errmsg;
	struct ni_verify_counts *counts;
	int64_t last_build;          /* seconds since the epoch; the
					earliest of the shards' */
	char **sources;
	size_t n_sources;
	struct doc *docs;
	size_t n_docs, cap_docs;
	struct ni_strmap doc_paths;  /* path -> a doc with it */
	struct file *files;
	size_t n_files, cap_files;
	struct ni_strmap file_paths; /* path -> index in files */
	struct unread *unread;
	size_t n_unread, cap_unread;
	struct ni_buf have;          /* a document's data */
	struct ni_buf want;          /* what its file would give */
	ni_status walk_status;
};

static void problem(struct verifier *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void problem(struct verifier *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct ni_buf line = NI_BUF_INIT;
	if (ni_buf_vaddf(&line, fmt, ap) == NI_OK &&
	    ni_buf_addf(v->report, "%s\n", ni_buf_str(&line)) != NI_OK)
		v->walk_status = NI_ENOMEM;
	va_end(ap);
	ni_buf_release(&line);
	v->counts->problems++;
}

static ni_status fail(struct verifier *v, ni_status status, const char *what,
		      const char *detail)
{
	ni_buf_addf(v->errmsg, "%s: %s", what,
		    detail && *detail ? detail : ni_status_str(status));
	return status;
}

/* ---- what the index has ------------------------------------------------- */

/* A document's stamp, path and key (ni_stamp.h). */
static ni_status add_doc(struct verifier *v, uint32_t docid,
			 const char *value, size_t len)
{
	struct ni_stamp_value parsed;
	if (!ni_stamp_parse(value, len, &parsed))
		return NI_OK;  /* not ours to understand */
	if (ni_grow(&v->docs, &v->cap_docs, v->n_docs + 1,
		    sizeof *v->docs) != NI_OK)
		return NI_ENOMEM;
	struct doc d = {.docid = docid,
			.stamp = parsed.stamp,
			.old_stamp = parsed.old,
			.path = strdup(parsed.path),
			.key = strndup(parsed.key, parsed.key_len)};
	v->docs[v->n_docs++] = d;
	if (!d.path || !d.key)
		return NI_ENOMEM;
	return ni_strmap_put(&v->doc_paths, d.path, strlen(d.path),
			     v->n_docs - 1);
}

static ni_status load_docs(struct verifier *v)
{
	ni_values *values;
	ni_status status = ni_db_values(v->db, NI_SLOT_FILE, &values);
	while (status == NI_OK) {
		uint32_t docid;
		const char *value;
		size_t len;
		status = ni_values_next(values, &docid, &value, &len);
		if (status == NI_OK)
			status = add_doc(v, docid, value, len);
	}
	ni_values_free(values);
	if (status == NI_DONE)
		return NI_OK;
	return fail(v, status, "cannot read the index", ni_db_errmsg(v->db));
}

/* Add the sources of `list` that `v` does not have yet; frees `list`. */
static ni_status add_sources(struct verifier *v, char **list, size_t n)
{
	ni_status status = NI_OK;
	for (size_t i = 0; i < n; i++) {
		bool have = false;
		for (size_t j = 0; j < v->n_sources && !have; j++)
			have = !strcmp(v->sources[j], list[i]);
		char **grown = have ? NULL
			: realloc(v->sources,
				  (v->n_sources + 1) * sizeof *grown);
		if (have) {
			continue;
		} else if (!grown) {
			status = NI_ENOMEM;
			break;
		}
		v->sources = grown;
		v->sources[v->n_sources++] = list[i];
		list[i] = NULL;
	}
	ni_sources_free(list, n);
	return status;
}

/*
 * What one index (or shard) remembers: its sources, when its last build
 * ended (the earliest of the shards' is kept: what changed after it may
 * be for the next build), and whether that build did not finish.
 */
static ni_status read_facts(struct verifier *v, ni_db *db)
{
	char **list = NULL, *when = NULL, *restore = NULL;
	size_t n = 0;
	ni_status status = ni_build_sources(db, &list, &n);
	if (status == NI_OK)
		status = add_sources(v, list, n);
	if (status == NI_OK)
		status = ni_db_get_metadata(db, NI_META_LAST_BUILD, &when);
	if (status == NI_OK)
		status = ni_db_get_metadata(db, NI_META_RESTORE, &restore);
	int64_t at = 0;
	if (status == NI_OK && !(when && ni_parse_iso8601(when, &at)))
		at = 0;  /* never built: nothing is compared */
	if (status == NI_OK && at < v->last_build)
		v->last_build = at;
	/* A build stopped or killed leaves it "pending" (ni_builder.h). */
	if (status == NI_OK && restore && *restore)
		v->counts->not_compared = "the last build did not finish "
					  "(build again first)";
	free(when);
	free(restore);
	return status == NI_OK ? NI_OK
			       : fail(v, status, "cannot read the index",
				      ni_db_errmsg(db));
}

/* The facts of the index, or of each shard of a sharded one. */
static ni_status load_facts(struct verifier *v)
{
	v->last_build = INT64_MAX;
	size_t shards = ni_db_shard_count(v->db);
	if (!shards)
		return read_facts(v, v->db);
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < shards; i++) {
		struct ni_shard_info info;
		ni_db *shard = NULL;
		struct ni_buf detail = NI_BUF_INIT;
		status = ni_db_shard_info(v->db, i, &info);
		if (status != NI_OK)
			return fail(v, status, "cannot read the index",
				    ni_db_errmsg(v->db));
		if (!info.local) {
			/* Its files are its host's. */
			v->counts->not_compared = "a shard is remote (check "
						  "on its host)";
			return NI_OK;
		}
		status = ni_db_open(info.local, NI_DB_READ,
				    ni_analyzer_settings(), &shard, &detail);
		if (status == NI_OK)
			status = read_facts(v, shard);
		else
			fail(v, status, info.local, ni_buf_str(&detail));
		ni_buf_release(&detail);
		ni_db_close(shard, NULL);
	}
	return status;
}

/* ---- the walk ------------------------------------------------------------- */

static int on_file(void *ctx, const char *path, const struct stat *st)
{
	struct verifier *v = ctx;
	if (ni_grow(&v->files, &v->cap_files, v->n_files + 1,
		    sizeof *v->files) != NI_OK)
		return ENOMEM;
	struct file *f = &v->files[v->n_files];
	if (!(f->path = strdup(path)))
		return ENOMEM;
	f->st = *st;
	v->n_files++;
	return ni_strmap_put(&v->file_paths, path, strlen(path),
			     v->n_files - 1) == NI_OK ? 0 : ENOMEM;
}

static void on_problem(void *ctx, const char *path, int errnum,
		       bool is_source)
{
	struct verifier *v = ctx;
	char *copy = strdup(path);
	if (!copy || ni_grow(&v->unread, &v->cap_unread, v->n_unread + 1,
			     sizeof *v->unread) != NI_OK) {
		free(copy);
		v->walk_status = NI_ENOMEM;
		return;
	}
	v->unread[v->n_unread++] = (struct unread){copy, errnum};
	/* A folder reached again through a link was walked: not a
	 * problem of its own (a document under it may be). */
	if (errnum != ELOOP)
		problem(v, "%s %s cannot be read (%s): its articles are not "
			"compared", is_source ? "source" : "folder", path,
			strerror(errnum));
}

static ni_status walk(struct verifier *v)
{
	struct ni_walk_callbacks cb = {on_file, on_problem, v};
	int stopped = 0;
	ni_status status = ni_walk((const char *const *)v->sources, v->n_sources, &cb,
			 &stopped);
	if (status == NI_OK && (stopped || v->walk_status != NI_OK))
		status = NI_ENOMEM;
	return status == NI_OK ? NI_OK
			       : fail(v, status, "cannot walk the sources",
				      NULL);
}

/* The folder the walk did not enter that `path` is under, if any; with
 * `loop`, only one reached again through a link, else only others. */
static const struct unread *unread_above(const struct verifier *v,
					 const char *path, bool loop)
{
	for (size_t i = 0; i < v->n_unread; i++)
		if ((v->unread[i].errnum == ELOOP) == loop &&
		    ni_walk_is_under(path, v->unread[i].path))
			return &v->unread[i];
	return NULL;
}

static bool under_a_source(const struct verifier *v, const char *path)
{
	for (size_t i = 0; i < v->n_sources; i++)
		if (ni_walk_is_under(path, v->sources[i]))
			return true;
	return false;
}

/* ---- the comparison ---------------------------------------------------------- */

/* Whether a status change at `st` is after the last build began to end:
 * a change the next build is to read. */
static bool changed_since(const struct verifier *v, const struct stat *st)
{
	return (int64_t)st->st_ctim.tv_sec >= v->last_build;
}

/*
 * Whether the file at `path`, gone, may have gone since the last build:
 * the nearest folder above it that is there changed since (an entry
 * removed changes its folder).
 */
static bool gone_since(const struct verifier *v, const char *path)
{
	char *dir = strdup(path);
	bool since = true;
	char *slash;
	while (dir && (slash = strrchr(dir, '/'))) {
		slash[slash == dir] = '\0';
		struct stat st;
		if (stat(dir, &st) == 0) {
			since = changed_since(v, &st);
			break;
		}
		if (slash == dir)
			break;
	}
	free(dir);
	return since;
}

/*
 * Whether `d` records the stamp of its file now (`st`), as a build
 * compares them (ni_stamp_same_stat); an old stamp has only the
 * modification time and size to compare.
 */
static bool same_stamp(const struct doc *d, const struct stat *st)
{
	struct ni_file_stamp now = ni_stamp_of_stat(st);
	if (d->old_stamp)
		return d->stamp.mtime_ns == now.mtime_ns &&
		       d->stamp.size == now.size;
	return ni_stamp_same_stat(&d->stamp, &now);
}

/* Read the file `path`; NI_OK with res->key NULL when it is no article. */
static ni_status load(struct verifier *v, const char *path,
		      struct ni_index_result *res)
{
	v->counts->compared++;
	ni_status status = ni_indexer_load(v->ix, path, res);
	return status == NI_OK ? NI_OK
			       : fail(v, status, "cannot read",
				      ni_indexer_errmsg(v->ix));
}

/* The document `d` and its file `f`, found by the walk. */
static ni_status compare(struct verifier *v, const struct doc *d,
			 const struct file *f)
{
	if (changed_since(v, &f->st)) {
		v->counts->changed++;
		return NI_OK;
	}
	struct ni_index_result res;
	ni_status status = load(v, f->path, &res);
	if (status != NI_OK)
		return status;
	if (!res.key) {
		problem(v, "file %s is not an article now (%s), but its "
			"article %s is still indexed", f->path,
			res.reason ? res.reason : ni_skip_name(res.skip),
			d->key);
		return NI_OK;
	}
	if (strcmp(res.key, d->key)) {
		problem(v, "file %s holds %s now, but its article is still "
			"indexed as %s", f->path, res.key, d->key);
		return NI_OK;
	}
	ni_buf_reset(&v->have);
	ni_buf_reset(&v->want);
	status = ni_db_doc_data(v->db, d->docid, &v->have);
	if (status != NI_OK)
		return fail(v, status, "cannot read the index",
			    ni_db_errmsg(v->db));
	status = ni_docdata_encode(ni_indexer_article(v->ix), f->path, NULL,
				   &v->want);
	if (status != NI_OK)
		return fail(v, status, "cannot read", f->path);
	bool stamped = same_stamp(d, &f->st);
	bool same_data = v->have.len == v->want.len &&
			 !memcmp(v->have.data, v->want.data, v->have.len);
	/* A racy stamp has the next build compare the bytes too. */
	if (!same_data && stamped && d->stamp.racy)
		v->counts->changed++;
	else if (!same_data && stamped)
		problem(v, "file %s changed, keeping its size, times and "
			"inode: its article %s is out of date", f->path,
			d->key);
	else if (!same_data)
		problem(v, "file %s changed before the last build, which did "
			"not index it again: its article %s is out of date",
			f->path, d->key);
	else if (!stamped)
		problem(v, "file %s is not the size, times or inode its "
			"article %s records (a stale stamp)", f->path, d->key);
	return NI_OK;
}

/* The document `d`, whose file the walk did not find. */
static void not_walked(struct verifier *v, const struct doc *d)
{
	struct stat st;
	if (!under_a_source(v, d->path)) {
		problem(v, "file %s is under no source of the index, but its "
			"article %s is indexed", d->path, d->key);
	} else if (unread_above(v, d->path, false)) {
		return;  /* said once for its folder */
	} else if (stat(d->path, &st) == 0 && S_ISREG(st.st_mode)) {
		problem(v, "file %s is not walked%s, but its article %s is "
			"indexed", d->path, unread_above(v, d->path, true)
			? " (a link leads to its folder first)" : "", d->key);
	} else if (gone_since(v, d->path)) {
		v->counts->changed++;
	} else {
		problem(v, "file %s is gone, but its article %s is still "
			"indexed", d->path, d->key);
	}
}

/* The walked file `f`, of which the index has no document. */
static ni_status not_indexed(struct verifier *v, const struct file *f)
{
	if (changed_since(v, &f->st)) {
		v->counts->changed++;
		return NI_OK;
	}
	struct ni_index_result res;
	ni_status status = load(v, f->path, &res);
	if (status != NI_OK || !res.key)
		return status;  /* no article: skipped by builds too */
	uint32_t found = 0;
	int related = 0;
	status = ni_db_find(v->db, res.key, &found, &related);
	if (status != NI_OK)
		return fail(v, status, "cannot read the index",
			    ni_db_errmsg(v->db));
	/* Another file's article with its key: a duplicate. */
	if (!found)
		problem(v, "file %s is not indexed: no document has its key "
			"%s", f->path, res.key);
	else if (related)
		problem(v, "file %s is not indexed: its key %s is a related "
			"record's", f->path, res.key);
	return NI_OK;
}

static ni_status compare_all(struct verifier *v)
{
	ni_status status = NI_OK;
	size_t at;
	for (size_t i = 0; status == NI_OK && i < v->n_docs; i++) {
		const struct doc *d = &v->docs[i];
		if (ni_strmap_get(&v->file_paths, d->path, strlen(d->path),
				  &at))
			status = compare(v, d, &v->files[at]);
		else
			not_walked(v, d);
	}
	for (size_t i = 0; status == NI_OK && i < v->n_files; i++) {
		const struct file *f = &v->files[i];
		if (!ni_strmap_get(&v->doc_paths, f->path, strlen(f->path),
				   &at))
			status = not_indexed(v, f);
	}
	return status == NI_OK ? v->walk_status : status;
}

static void release(struct verifier *v)
{
	for (size_t i = 0; i < v->n_docs; i++) {
		free(v->docs[i].path);
		free(v->docs[i].key);
	}
	free(v->docs);
	for (size_t i = 0; i < v->n_files; i++)
		free(v->files[i].path);
	free(v->files);
	for (size_t i = 0; i < v->n_unread; i++)
		free(v->unread[i].path);
	free(v->unread);
	ni_sources_free(v->sources, v->n_sources);
	ni_strmap_release(&v->doc_paths);
	ni_strmap_release(&v->file_paths);
	ni_buf_release(&v->have);
	ni_buf_release(&v->want);
	ni_indexer_free(v->ix);
}

ni_status ni_verify_files(ni_db *db, struct ni_verify_counts *counts,
			  struct ni_buf *report, struct ni_buf *errmsg)
{
	memset(counts, 0, sizeof *counts);
	struct verifier v = {.db = db, .report = report, .errmsg = errmsg,
			     .counts = counts, .have = NI_BUF_INIT,
			     .want = NI_BUF_INIT};
	/* Loading needs no analyzer: nothing is stored. */
	ni_status status = ni_indexer_new(db, NULL, &v.ix);
	if (status == NI_OK) {
		ni_indexer_set_max_file_bytes(v.ix, ANY_SIZE);
		status = load_facts(&v);
	}
	if (status == NI_OK && counts->not_compared) {
		release(&v);
		return NI_OK;
	}
	if (status == NI_OK)
		status = load_docs(&v);
	if (status == NI_OK)
		status = walk(&v);
	if (status == NI_OK)
		status = compare_all(&v);
	release(&v);
	return status;
}
