/* ni_build: see include/ni_builder.h. */
#include "ni_builder.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ni_strmap.h"
#include "ni_walk.h"

/* How often (in files) the progress callback hears of the build. */
#define PROGRESS_EVERY 256

/* An article file the index already has, from its NI_SLOT_FILE value. */
struct known {
	uint32_t docid;
	struct ni_file_stamp stamp;
	char *path;
	char *key;
	bool seen;           /* found by this build's walk */
};

/* An article file this build's walk found. */
struct found {
	char *path;
	struct ni_file_stamp stamp;
};

struct builder {
	ni_db *db;
	ni_indexer *indexer;
	const struct ni_build_options *options;
	const struct ni_build_callbacks *cb;
	struct ni_build_counts *counts;
	struct ni_buf *errmsg;
	struct known *known;
	size_t n_known;
	struct ni_strmap known_by_path;   /* path -> index in known */
	struct found *found;
	size_t n_found;
	size_t cap_found;
	struct ni_strmap claimed;         /* key -> index in found */
	uint8_t *written;                 /* a bit per docid written */
	size_t written_bytes;
	char **unwalked;                  /* sources or folders not read */
	size_t n_unwalked;
	unsigned since_commit;
};

static ni_status fail(struct builder *b, ni_status status, const char *what,
		      const char *detail)
{
	ni_buf_addf(b->errmsg, "%s: %s", what,
		    detail && *detail ? detail : ni_status_str(status));
	return status;
}

/* ---- what the index already has ------------------------------------- */

/* "MTIME_NS SIZE\0PATH\0KEY" (see add_file_stamp in indexer.c). */
static bool parse_stamp(const char *value, size_t len, struct known *k)
{
	const char *path = memchr(value, '\0', len);
	const char *key = path ? memchr(path + 1, '\0',
					len - (size_t)(path + 1 - value))
			       : NULL;
	long long mtime;
	unsigned long long size;
	if (!key || sscanf(value, "%lld %llu", &mtime, &size) != 2)
		return false;
	k->stamp = (struct ni_file_stamp){mtime, size};
	k->path = strdup(path + 1);
	k->key = strndup(key + 1, len - (size_t)(key + 1 - value));
	return true;
}

static ni_status add_known(struct builder *b, uint32_t docid,
			   const char *value, size_t len, size_t *cap)
{
	if (ni_grow(&b->known, cap, b->n_known + 1, sizeof *b->known) != NI_OK)
		return NI_ENOMEM;
	struct known *k = &b->known[b->n_known];
	memset(k, 0, sizeof *k);
	k->docid = docid;
	if (!parse_stamp(value, len, k))
		return NI_OK;  /* not ours to understand: never deleted */
	b->n_known++;
	if (!k->path || !k->key)
		return NI_ENOMEM;
	return ni_strmap_put(&b->known_by_path, k->path, strlen(k->path),
			     b->n_known - 1);
}

static ni_status load_known(struct builder *b)
{
	ni_values *values;
	ni_status status = ni_db_values(b->db, NI_SLOT_FILE, &values);
	size_t cap = 0;
	while (status == NI_OK) {
		uint32_t docid;
		const char *value;
		size_t len;
		status = ni_values_next(values, &docid, &value, &len);
		if (status == NI_OK)
			status = add_known(b, docid, value, len, &cap);
	}
	ni_values_free(values);
	if (status == NI_DONE)
		return NI_OK;
	return fail(b, status, "cannot read the index", ni_db_errmsg(b->db));
}

/* ---- the walk ---------------------------------------------------------- */

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int on_file(void *ctx, const char *path, const struct stat *st)
{
	struct builder *b = ctx;
	if (ni_grow(&b->found, &b->cap_found, b->n_found + 1,
		    sizeof *b->found) != NI_OK)
		return ENOMEM;
	char *copy = strdup(path);
	if (!copy)
		return ENOMEM;
	b->found[b->n_found++] = (struct found){
		copy, {mtime_ns(st), (uint64_t)st->st_size}};
	size_t i;
	if (ni_strmap_get(&b->known_by_path, path, strlen(path), &i))
		b->known[i].seen = true;
	return 0;
}

static void on_problem(void *ctx, const char *path, int errnum,
		       bool is_source)
{
	struct builder *b = ctx;
	b->counts->errors++;
	b->counts->bad_sources += is_source;
	/* What could not be walked is not gone: delete nothing under it. */
	char **unwalked = realloc(b->unwalked,
				  (b->n_unwalked + 1) * sizeof *unwalked);
	if (unwalked) {
		b->unwalked = unwalked;
		if ((unwalked[b->n_unwalked] = strdup(path)))
			b->n_unwalked++;
	}
	if (b->cb->problem)
		b->cb->problem(b->cb->ctx, path, errnum, is_source);
}

static ni_status walk(struct builder *b, const char *const *sources,
		      size_t n)
{
	struct ni_walk_callbacks cb = {on_file, on_problem, b};
	int stopped = 0;
	ni_status status = ni_walk(sources, n, &cb, &stopped);
	if (status == NI_OK && stopped)
		status = NI_ENOMEM;
	if (status != NI_OK)
		return fail(b, status, "cannot walk the sources", NULL);
	b->counts->files = b->n_found;
	return NI_OK;
}

/* ---- indexing what changed ------------------------------------------------ */

static ni_status mark_written(struct builder *b, uint32_t docid)
{
	size_t byte = docid / 8;
	if (byte >= b->written_bytes) {
		size_t size = byte * 2 + 1024;
		uint8_t *bits = realloc(b->written, size);
		if (!bits)
			return NI_ENOMEM;
		memset(bits + b->written_bytes, 0, size - b->written_bytes);
		b->written = bits;
		b->written_bytes = size;
	}
	b->written[byte] |= (uint8_t)(1u << (docid % 8));
	return NI_OK;
}

static bool was_written(const struct builder *b, uint32_t docid)
{
	size_t byte = docid / 8;
	return byte < b->written_bytes &&
	       (b->written[byte] >> (docid % 8) & 1);
}

static bool same_stamp(const struct ni_file_stamp *a,
		       const struct ni_file_stamp *b)
{
	return a->mtime_ns == b->mtime_ns && a->size == b->size;
}

/*
 * Claim `key` for found file `i`.  False when an earlier file of this
 * build has it (a duplicate, reported).
 */
static bool claim(struct builder *b, const char *key, size_t i,
		  ni_status *status)
{
	size_t first;
	if (ni_strmap_get(&b->claimed, key, strlen(key), &first) &&
	    first != i) {
		b->counts->duplicates++;
		if (b->cb->duplicate)
			b->cb->duplicate(b->cb->ctx, b->found[i].path, key,
					 b->found[first].path);
		return false;
	}
	*status = ni_strmap_put(&b->claimed, key, strlen(key), i);
	return true;
}

static ni_status commit_batch(struct builder *b)
{
	if (++b->since_commit < b->options->commit_every)
		return NI_OK;
	b->since_commit = 0;
	ni_status status = ni_db_commit(b->db);
	return status == NI_OK ? NI_OK
			       : fail(b, status, "cannot commit to the index",
				      ni_db_errmsg(b->db));
}

/*
 * The file was indexed under a new key: its old document (the old URL)
 * goes, unless this build wrote it for another file.
 */
static ni_status drop_replaced(struct builder *b, const struct known *k,
			       const struct ni_index_result *res)
{
	if (!k || k->docid == res->docid || was_written(b, k->docid) ||
	    !strcmp(k->key, res->key))
		return NI_OK;
	ni_status status = ni_indexer_remove(b->indexer, k->docid, k->key);
	return status == NI_OK ? NI_OK
			       : fail(b, status, "index",
				      ni_indexer_errmsg(b->indexer));
}

static ni_status index_file(struct builder *b, size_t i,
			    const struct known *k)
{
	struct found *f = &b->found[i];
	struct ni_index_result res;
	ni_status status = ni_indexer_load(b->indexer, f->path, &res);
	if (status != NI_OK)
		return fail(b, status, "index", ni_indexer_errmsg(b->indexer));
	if (!res.key) {
		b->counts->skipped++;
		if (b->cb->file)
			b->cb->file(b->cb->ctx, f->path, &res);
		return NI_OK;
	}
	if (!claim(b, res.key, i, &status) || status != NI_OK)
		return status;
	status = ni_indexer_store(b->indexer, &f->stamp, &res);
	if (status != NI_OK)
		return fail(b, status, "index", ni_indexer_errmsg(b->indexer));
	if (res.n_warnings && b->cb->file)
		b->cb->file(b->cb->ctx, f->path, &res);
	b->counts->warned += res.n_warnings > 0;
	b->counts->related += res.n_related;
	*(k ? &b->counts->updated : &b->counts->added) += 1;
	status = mark_written(b, res.docid);
	if (status == NI_OK)
		status = drop_replaced(b, k, &res);
	return status == NI_OK ? commit_batch(b) : status;
}

static ni_status process(struct builder *b, size_t i)
{
	struct found *f = &b->found[i];
	size_t at;
	const struct known *k = ni_strmap_get(&b->known_by_path, f->path,
					      strlen(f->path), &at)
		? &b->known[at] : NULL;
	ni_status status = NI_OK;
	if (k && same_stamp(&k->stamp, &f->stamp)) {
		b->counts->unchanged++;
		/* Unchanged, it still owns its key against later files. */
		claim(b, k->key, i, &status);
		return status;
	}
	return index_file(b, i, k);
}

static ni_status process_all(struct builder *b)
{
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < b->n_found; i++) {
		if (b->options->stop && *b->options->stop) {
			b->counts->stopped = true;
			break;
		}
		status = process(b, i);
		b->counts->done = i + 1;
		if (b->cb->progress && (i + 1) % PROGRESS_EVERY == 0)
			b->cb->progress(b->cb->ctx, b->counts);
	}
	return status;
}

/* ---- what is gone ---------------------------------------------------------- */

static bool under(const char *path, const char *dir)
{
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	return !strncmp(path, dir, len) &&
	       (path[len] == '/' || path[len] == '\0');
}

static bool walked(const struct builder *b, const char *path,
		   const char *const *sources, size_t n)
{
	for (size_t i = 0; i < b->n_unwalked; i++)
		if (under(path, b->unwalked[i]))
			return false;
	for (size_t i = 0; i < n; i++)
		if (under(path, sources[i]))
			return true;
	return false;
}

static ni_status delete_vanished(struct builder *b,
				 const char *const *sources, size_t n)
{
	for (size_t i = 0; i < b->n_known; i++) {
		struct known *k = &b->known[i];
		if (k->seen || was_written(b, k->docid) ||
		    !walked(b, k->path, sources, n))
			continue;
		ni_status status = ni_indexer_remove(b->indexer, k->docid,
						     k->key);
		if (status != NI_OK)
			return fail(b, status, "index",
				    ni_indexer_errmsg(b->indexer));
		b->counts->deleted++;
	}
	return NI_OK;
}

/* ---- remembered sources ------------------------------------------------------ */

static ni_status split_lines(const char *text, char ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");
		if (len) {
			char **list = realloc(*out, (*n + 1) * sizeof *list);
			if (!list)
				return NI_ENOMEM;
			*out = list;
			if (!(list[*n] = strndup(p, len)))
				return NI_ENOMEM;
			(*n)++;
		}
		p += len + (p[len] == '\n');
	}
	return NI_OK;
}

ni_status ni_build_sources(ni_db *db, char ***sources, size_t *n)
{
	char *text = NULL;
	*sources = NULL;
	*n = 0;
	ni_status status = ni_db_get_metadata(db, NI_META_SOURCES, &text);
	if (status == NI_OK)
		status = split_lines(text, sources, n);
	free(text);
	if (status != NI_OK) {
		ni_sources_free(*sources, *n);
		*sources = NULL;
		*n = 0;
	}
	return status;
}

void ni_sources_free(char **sources, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(sources[i]);
	free(sources);
}

/* Remember the sources walked with those known, and when. */
static ni_status remember(struct builder *b, const char *const *sources,
			  size_t n)
{
	char **old;
	size_t n_old;
	struct ni_buf text = NI_BUF_INIT;
	ni_status status = ni_build_sources(b->db, &old, &n_old);
	for (size_t i = 0; status == NI_OK && i < n_old; i++)
		status = ni_buf_addf(&text, "%s\n", old[i]);
	for (size_t i = 0; status == NI_OK && i < n; i++) {
		bool have = false;
		for (size_t j = 0; j < n_old && !have; j++)
			have = !strcmp(old[j], sources[i]);
		if (!have)
			status = ni_buf_addf(&text, "%s\n", sources[i]);
	}
	if (status == NI_OK)
		status = ni_db_set_metadata(b->db, NI_META_SOURCES,
					    ni_buf_str(&text));
	char when[21];
	if (status == NI_OK)
		status = ni_db_set_metadata(
			b->db, NI_META_LAST_BUILD,
			ni_format_iso8601((int64_t)time(NULL), when));
	ni_sources_free(old, n_old);
	ni_buf_release(&text);
	return status == NI_OK ? NI_OK
			       : fail(b, status, "index", ni_db_errmsg(b->db));
}

/* ---- the build ------------------------------------------------------------------ */

static void release(struct builder *b)
{
	for (size_t i = 0; i < b->n_known; i++) {
		free(b->known[i].path);
		free(b->known[i].key);
	}
	free(b->known);
	for (size_t i = 0; i < b->n_found; i++)
		free(b->found[i].path);
	free(b->found);
	for (size_t i = 0; i < b->n_unwalked; i++)
		free(b->unwalked[i]);
	free(b->unwalked);
	free(b->written);
	ni_strmap_release(&b->known_by_path);
	ni_strmap_release(&b->claimed);
	ni_indexer_free(b->indexer);
}

ni_status ni_build(ni_db *db, ni_analyzer *analyzer,
		   const char *const *sources, size_t n_sources,
		   const struct ni_build_options *options,
		   const struct ni_build_callbacks *callbacks,
		   struct ni_build_counts *counts, struct ni_buf *errmsg)
{
	struct ni_build_options o = *options;
	if (!o.max_file_bytes)
		o.max_file_bytes = NI_DEFAULT_MAX_FILE_BYTES;
	if (!o.commit_every)
		o.commit_every = NI_BUILD_COMMIT_EVERY;
	memset(counts, 0, sizeof *counts);
	struct builder b = {.db = db, .options = &o, .cb = callbacks,
			    .counts = counts, .errmsg = errmsg};
	ni_status status = ni_indexer_new(db, analyzer, &b.indexer);
	if (status == NI_OK) {
		ni_indexer_set_max_file_bytes(b.indexer, o.max_file_bytes);
		status = load_known(&b);
	}
	if (status == NI_OK)
		status = walk(&b, sources, n_sources);
	if (status == NI_OK && callbacks->progress)
		callbacks->progress(callbacks->ctx, counts);
	if (status == NI_OK)
		status = process_all(&b);
	/* Stopped early, the walk still saw every file: what is gone is. */
	if (status == NI_OK)
		status = delete_vanished(&b, sources, n_sources);
	if (status == NI_OK)
		status = remember(&b, sources, n_sources);
	if (status == NI_OK && ni_db_commit(db) != NI_OK)
		status = fail(&b, NI_EDB, "cannot commit to the index",
			      ni_db_errmsg(db));
	release(&b);
	return status;
}
