/* ni_build: see include/ni_builder.h. */
#include "ni_builder.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ni_dates.h"
#include "ni_strmap.h"
#include "ni_walk.h"

/* How often (in files) the progress callback hears of the build. */
#define PROGRESS_EVERY 256

/* An article file the index already has, from its NI_SLOT_FILE value. */
struct known {
	uint32_t docid;
	struct ni_file_stamp stamp;
	/* A stamp of the first format, "MTIME_NS SIZE": it cannot tell a
	 * file swapped with another of its size and time, so its file is
	 * read again (parse_stamp). */
	bool old_stamp;
	char *path;
	char *key;
	bool seen;           /* found by this build's walk ... */
	size_t found;        /* ... as b->found[found] */
	/* Another document has the same path: a sharded build was killed
	 * between the commits of two shards (the file's key had moved). */
	bool twice;
	/* Its document was deleted by this build (`dropped`), or by an
	 * earlier one while a state kept it (`dead`, ni_build_state). */
	bool dropped;
	bool dead;
	/* keep_state(): the state knows its document as it is now. */
	bool kept;
};

struct lane;

/* An article file this build's walk found. */
struct found {
	char *path;
	struct ni_file_stamp stamp;     /* its stat(2) in the walk */
	/* Not to be read again (claim_unchanged), and when so, whether its
	 * racy stamp is to be stored as settled (process). */
	bool unchanged;
	bool restamp;
	/* Stored: under this key (the builder's copy), with this stamp. */
	char *stored_key;
	struct ni_file_stamp stored;
	/* ... and where the sources' walk lists it: in its source's. */
	size_t source;
	/* Where a parallel build stored it (NULL when not, and once its
	 * lanes are gone), and how many related records. */
	struct lane *lane;
	uint32_t docid;
	unsigned long n_related;
	/* In a parallel build, its key when an earlier file of the walk
	 * has it: reported once the lanes are done, when the file that
	 * keeps it is known; and when it was stored before that file took
	 * the key (`lane` set), its documents are to go. */
	char *lost_key;
};

/*
 * Where one thread writes: the index itself, or one part of a parallel
 * first build.  Its counts and messages are summed into the build's.
 */
struct lane {
	ni_db *db;
	ni_indexer *indexer;
	/* A part's (NULL for the main lane): its own, or the one of the
	 * part its thread wrote before (`owns_analyzer` false). */
	ni_analyzer *analyzer;
	bool owns_analyzer;
	struct ni_build_counts *counts;
	struct ni_buf *errmsg;
	unsigned since_commit;
	unsigned long files;         /* files a part's thread took for it */
	char *path;                  /* a part's folder */
	struct ni_build_counts own_counts;
	struct ni_buf own_errmsg;
	ni_status status;
	struct builder *b;
	pthread_t thread;
};

struct builder {
	ni_db *db;
	const struct ni_build_options *options;
	const struct ni_build_callbacks *cb;
	struct ni_build_counts *counts;
	struct ni_buf *errmsg;
	struct known *known;
	size_t n_known;
	size_t cap_known;
	struct ni_strmap known_by_path;   /* path -> index in known */
	struct found *found;
	size_t n_found;
	size_t cap_found;
	struct ni_strmap claimed;         /* key -> index in found */
	uint8_t *written;                 /* a bit per docid written */
	size_t written_bytes;
	char **unwalked;                  /* sources or folders not read */
	size_t n_unwalked;
	/* One could not be noted (no memory): the build must not delete
	 * what may be under it, and fails. */
	bool unwalked_lost;
	struct lane main;                 /* the index itself */
	/* The shards were torn (ni_db_repair_shards): no file is taken
	 * as unchanged. */
	bool torn;
	/* The index's documents keep an older stored data (NI_META_DATA):
	 * no file is taken as unchanged either. */
	bool old_data;
	/* The index held no document when the build began. */
	bool was_empty;
	/* The latest status change (ctime, seconds) of a file walked:
	 * when it is at or after the last build's time, that time moves on
	 * (remember()). */
	int64_t newest_change;
	/* A stamp whose times are this recent or later is racy (racy()):
	 * the build's start less options->racy_ns. */
	int64_t racy_since_ns;
	/* A parallel build: lanes take files from `next`; `mutex` guards
	 * the claims, the callbacks and `done`. */
	bool parallel;
	/* Indexing unchanged files again (restore_lost): not counted. */
	bool restoring;
	/* The last build ended before restore_lost() (NI_META_RESTORE). */
	bool restore_pending;
	pthread_mutex_t mutex;
	atomic_size_t next;
	size_t done;
	/* Files a part takes: options->part_files, or more for a build
	 * that would need more than NI_BUILD_MAX_PARTS parts a writer. */
	unsigned long part_files;
	/* A parallel build's parts, in the order they were started (each
	 * thread starts another when its part has b->part_files
	 * files); added to with the lock held. */
	struct lane **lanes;
	size_t n_lanes;
	size_t cap_lanes;
	/* A build of some paths (ni_build_paths), and those of them a walk
	 * of the sources lists: what is walked, and where what is not
	 * found is gone.  NULL for a whole build. */
	const char *const *paths;
	size_t n_paths;
	char **scope;                     /* in a walk's order */
	size_t n_scope;
	/* A folder is in the scope (or may have been): what is under it
	 * is looked for among all the known files. */
	bool scope_folders;
	struct ni_build_duplicate *dups;
	size_t n_dups;
	/* What the index has, kept from the last build of some paths. */
	ni_build_state *state;
};

struct ni_build_state {
	struct known *known;              /* by docid */
	size_t n_known;
	size_t cap_known;
	struct ni_strmap by_path;
	size_t n_dead;
	bool loaded;
};

static void lock(struct builder *b)
{
	if (b->parallel)
		pthread_mutex_lock(&b->mutex);
}

static void unlock(struct builder *b)
{
	if (b->parallel)
		pthread_mutex_unlock(&b->mutex);
}

static ni_status fail(struct builder *b, ni_status status, const char *what,
		      const char *detail)
{
	ni_buf_addf(b->errmsg, "%s: %s", what,
		    detail && *detail ? detail : ni_status_str(status));
	return status;
}

/* ---- what the index already has ------------------------------------- */

/* A document's stamp, path and key (ni_stamp_parse). */
static bool parse_stamp(const char *value, size_t len, struct known *k)
{
	struct ni_stamp_value v;
	if (!ni_stamp_parse(value, len, &v))
		return false;
	k->stamp = v.stamp;
	k->old_stamp = v.old;
	k->path = strdup(v.path);
	k->key = strndup(v.key, v.key_len);
	return true;
}

static ni_status add_known(struct builder *b, uint32_t docid,
			   const char *value, size_t len)
{
	if (ni_grow(&b->known, &b->cap_known, b->n_known + 1,
		    sizeof *b->known) != NI_OK)
		return NI_ENOMEM;
	struct known *k = &b->known[b->n_known];
	memset(k, 0, sizeof *k);
	k->docid = docid;
	if (!parse_stamp(value, len, k))
		return NI_OK;  /* not ours to understand: never deleted */
	b->n_known++;
	if (!k->path || !k->key)
		return NI_ENOMEM;
	/*
	 * Both copies of a file go: the file is indexed again, and the
	 * copy not looked up by path is deleted with the vanished.
	 */
	size_t other;
	if (ni_strmap_get(&b->known_by_path, k->path, strlen(k->path),
			  &other)) {
		b->known[other].twice = true;
		k->twice = true;
		return NI_OK;
	}
	return ni_strmap_put(&b->known_by_path, k->path, strlen(k->path),
			     b->n_known - 1);
}

static ni_status load_known(struct builder *b)
{
	ni_values *values;
	ni_status status = ni_db_values(b->db, NI_SLOT_FILE, &values);
	while (status == NI_OK) {
		uint32_t docid;
		const char *value;
		size_t len;
		status = ni_values_next(values, &docid, &value, &len);
		if (status == NI_OK)
			status = add_known(b, docid, value, len);
	}
	ni_values_free(values);
	if (status == NI_DONE)
		return NI_OK;
	return fail(b, status, "cannot read the index", ni_db_errmsg(b->db));
}

/* ---- the walk ---------------------------------------------------------- */

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
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
		.path = copy,
		.stamp = ni_stamp_of_stat(st)};
	if ((int64_t)st->st_ctim.tv_sec > b->newest_change)
		b->newest_change = (int64_t)st->st_ctim.tv_sec;
	size_t i;
	if (ni_strmap_get(&b->known_by_path, path, strlen(path), &i) &&
	    !b->known[i].dead) {
		b->known[i].seen = true;
		b->known[i].found = b->n_found - 1;
	}
	return 0;
}

static ni_status add_unwalked(struct builder *b, const char *path);

static void on_problem(void *ctx, const char *path, int errnum,
		       bool is_source)
{
	struct builder *b = ctx;
	b->counts->errors++;
	b->counts->bad_sources += is_source;
	/*
	 * What could not be walked is not gone: delete nothing under it.
	 * A folder reached again (ELOOP) was walked, under the path that
	 * reached it first: its files' documents under this path go, as a
	 * first build would not have them, and would hold each article
	 * twice.
	 */
	if (errnum != ELOOP && add_unwalked(b, path) != NI_OK)
		b->unwalked_lost = true;
	if (b->cb->problem)
		b->cb->problem(b->cb->ctx, path, errnum, is_source);
}

static ni_status walk(struct builder *b, const char *const *sources,
		      size_t n)
{
	struct ni_walk_callbacks cb = {on_file, on_problem, b};
	int stopped = 0;
	ni_status status = ni_walk(sources, n, &cb, &stopped);
	if (status == NI_OK && (stopped || b->unwalked_lost))
		status = NI_ENOMEM;
	if (status != NI_OK)
		return fail(b, status, "cannot walk the sources", NULL);
	b->counts->files = b->n_found;
	return NI_OK;
}

/* ---- a build of some paths ------------------------------------------ */

/* The first of the `n` sources `path` is under; n when none. */
static size_t source_of(const char *path, const char *const *sources,
			size_t n)
{
	size_t i = 0;
	while (i < n && !ni_walk_is_under(path, sources[i]))
		i++;
	return i;
}

/* Whether `path` is under one of the paths of this build's scope. */
static bool in_scope(const struct builder *b, const char *path)
{
	/* The scope is in a walk's order, none under another: a path
	 * under one comes after it, before the next. */
	size_t lo = 0, hi = b->n_scope;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ni_walk_compare(b->scope[mid], path) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && ni_walk_is_under(path, b->scope[lo - 1]);
}

/* Append a copy of `path` to the `*n` paths of `*list`. */
static ni_status add_path(char ***list, size_t *n, const char *path)
{
	char **grown = realloc(*list, (*n + 1) * sizeof *grown);
	if (!grown)
		return NI_ENOMEM;
	*list = grown;
	if (!(grown[*n] = strdup(path)))
		return NI_ENOMEM;
	(*n)++;
	return NI_OK;
}

static ni_status add_scope(struct builder *b, const char *path)
{
	return add_path(&b->scope, &b->n_scope, path);
}

/* Not walked now: nothing under it is deleted (on_problem). */
static ni_status add_unwalked(struct builder *b, const char *path)
{
	return add_path(&b->unwalked, &b->n_unwalked, path);
}

static bool listed(const char *path, const char *const *list, size_t n);

/* Where a build of some paths reports what its walks find. */
struct partial_walk {
	struct builder *b;
	const char *const *sources;
	size_t n_sources;
};

static void on_partial_problem(void *ctx, const char *path, int errnum,
			       bool is_source)
{
	struct partial_walk *w = ctx;
	/* A folder of the paths is a source only when it is one. */
	(void)is_source;
	on_problem(w->b, path, errnum,
		   listed(path, w->sources, w->n_sources));
}

static int on_partial_file(void *ctx, const char *path,
			   const struct stat *st)
{
	struct partial_walk *w = ctx;
	return on_file(w->b, path, st);
}

/*
 * Walk the path `path` of a build of some paths, under the source
 * `source`: a folder as a walk of it, a file as its folder's walk would
 * list it; one that is gone is only where articles went.  A path gone
 * with its source (or above one) deletes nothing, as a source that
 * cannot be walked does not.
 */
static ni_status walk_path_of(struct builder *b, struct partial_walk *w,
			      const char *path, const char *source)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		int err = errno;
		for (size_t i = 0; i < w->n_sources; i++)
			if (ni_walk_is_under(w->sources[i], path))
				return add_unwalked(b, path);
		/* Gone: a file the index has, or maybe a folder. */
		size_t at;
		if (!ni_strmap_get(&b->known_by_path, path, strlen(path),
				   &at) || b->known[at].dead)
			b->scope_folders = true;
		if (err == ENOENT || err == ENOTDIR)
			return add_scope(b, path);
		on_partial_problem(w, path, err, false);
		return b->unwalked_lost ? NI_ENOMEM : NI_OK;
	}
	bool folder = S_ISDIR(st.st_mode);
	if (!ni_walk_reaches(path, source, folder))
		return NI_OK;  /* hidden, or not an article's name */
	ni_status status = add_scope(b, path);
	b->scope_folders = b->scope_folders || folder;
	if (status != NI_OK || !folder) {
		if (status == NI_OK && S_ISREG(st.st_mode) &&
		    on_file(b, path, &st))
			status = NI_ENOMEM;
		return status;
	}
	struct ni_walk_callbacks cb = {on_partial_file, on_partial_problem, w};
	int stopped = 0;
	status = ni_walk(&path, 1, &cb, &stopped);
	if (status == NI_OK && (stopped || b->unwalked_lost))
		status = NI_ENOMEM;
	return status;
}

/* Paths in a walk's order: one under another right after it. */
static int compare_paths(const void *x, const void *y)
{
	return ni_walk_compare(*(const char *const *)x,
			       *(const char *const *)y);
}

/* The order of a whole build's walk: by source, then by name. */
static int compare_walked(const void *x, const void *y)
{
	const struct found *a = x, *b = y;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	return ni_walk_compare(a->path, b->path);
}

static bool was_written(const struct builder *b, uint32_t docid);

static int compare_known(const void *x, const void *y)
{
	uint32_t a = ((const struct known *)x)->docid;
	uint32_t b = ((const struct known *)y)->docid;
	return (a > b) - (a < b);
}

/* The file the index knows with document `docid`; NULL when none. */
static struct known *known_docid(const struct builder *b, uint32_t docid)
{
	struct known want = {.docid = docid};
	struct known *k = bsearch(&want, b->known, b->n_known,
				  sizeof *b->known, compare_known);
	if (!k)
		return NULL;
	/* A dead copy (ni_build_state) may be beside the live one. */
	while (k > b->known && k[-1].docid == docid)
		k--;
	for (; k < b->known + b->n_known && k->docid == docid; k++)
		if (!k->dead)
			return k;
	return NULL;
}

/*
 * In a build of some paths, the file outside them (unchanged) whose
 * article has the key `key`, in `*holder`; NULL when none: it keeps the
 * key against the files read, as claim_unchanged() has it in a whole
 * build.  A file of the paths, or read again, is not one.
 */
static ni_status outside_holder(const struct builder *b, const char *key,
				const struct known **holder)
{
	uint32_t docid = 0;
	int related = 0;
	*holder = NULL;
	ni_status status = ni_db_find(b->db, key, &docid, &related);
	if (status != NI_OK || !docid || related || was_written(b, docid))
		return status;
	const struct known *k = known_docid(b, docid);
	if (k && !k->seen && !k->dropped && !in_scope(b, k->path))
		*holder = k;
	return NI_OK;
}

/*
 * A file reported a duplicate by an earlier build whose key a file of
 * this build's paths had: with that file changed or gone, a whole build
 * would read it now (it is not in the index), and it may take the key.
 */
static ni_status add_duplicates(struct builder *b)
{
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < b->n_dups; i++) {
		struct ni_build_duplicate *d = &b->dups[i];
		struct stat st;
		size_t at;
		const struct known *holder = NULL;
		if (in_scope(b, d->path))
			continue;  /* walked */
		status = outside_holder(b, d->key, &holder);
		if (status != NI_OK || holder ||
		    stat(d->path, &st) != 0 || !S_ISREG(st.st_mode) ||
		    (ni_strmap_get(&b->known_by_path, d->path,
				   strlen(d->path), &at) &&
		     !b->known[at].dead))
			continue;
		d->read = true;
		if (on_file(b, d->path, &st))
			status = NI_ENOMEM;
	}
	return status;
}


/*
 * The walk of a build of some paths: each path a walk of the sources
 * lists, the duplicates they may free, in the order a whole walk has
 * them; then every other file the index has.
 */
static ni_status walk_paths(struct builder *b, const char *const *sources,
			    size_t n)
{
	struct partial_walk w = {b, sources, n};
	/* A path under another is walked with it, not twice. */
	const char **paths = malloc((b->n_paths ? b->n_paths : 1) *
				    sizeof *paths);
	if (!paths)
		return fail(b, NI_ENOMEM, "cannot walk the sources", NULL);
	memcpy(paths, b->paths, b->n_paths * sizeof *paths);
	qsort(paths, b->n_paths, sizeof *paths, compare_paths);
	ni_status status = NI_OK;
	const char *last = NULL;
	for (size_t i = 0; status == NI_OK && i < b->n_paths; i++) {
		size_t s = source_of(paths[i], sources, n);
		if (s == n || (last && ni_walk_is_under(paths[i], last)))
			continue;
		last = paths[i];
		status = walk_path_of(b, &w, paths[i], sources[s]);
	}
	free(paths);
	if (status == NI_OK)
		status = add_duplicates(b);
	if (status != NI_OK)
		return fail(b, status, "cannot walk the sources", NULL);
	for (size_t i = 0; i < b->n_found; i++)
		b->found[i].source = source_of(b->found[i].path, sources, n);
	if (b->n_found)
		qsort(b->found, b->n_found, sizeof *b->found,
		      compare_walked);
	/* The order changed: where each known file is found, again (each
	 * is seen already). */
	for (size_t i = 0; i < b->n_found; i++) {
		size_t at;
		const char *path = b->found[i].path;
		if (ni_strmap_get(&b->known_by_path, path, strlen(path),
				  &at) && !b->known[at].dead) {
			b->known[at].seen = true;
			b->known[at].found = i;
		}
	}
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

/*
 * Whether a file with this stamp may change again, unseen, after the
 * build reads it: git's "racy git".  A change sets the ctime (and the
 * mtime) to the clock's time, truncated to the file system's tick (a
 * nanosecond, a kernel clock tick, 1 s, 2 s for FAT): a change after
 * the read leaves them as they were when they are of the same tick.
 * When both are options->racy_ns or more before the build started, a
 * later change cannot: such a stamp is settled.  A racy one has the
 * next build read the file and compare its bytes' hash too.
 */
static bool racy(const struct builder *b, const struct ni_file_stamp *s)
{
	return s->mtime_ns >= b->racy_since_ns ||
	       s->ctime_ns >= b->racy_since_ns;
}

/* File `i` of a parallel build loses `key` (see found.lost_key). */
static ni_status lose_key(struct builder *b, size_t i, const char *key)
{
	struct found *lost = &b->found[i];
	free(lost->lost_key);
	lost->lost_key = strdup(key);
	return lost->lost_key ? NI_OK : NI_ENOMEM;
}

/*
 * Claim `key` for found file `i`.  False when an earlier file of this
 * build has it (a duplicate, reported).  In a parallel build, a later
 * file of the walk may have claimed it first: `i` takes the key, as with
 * one writer, and the later file is the duplicate (its documents go
 * once the lanes are done, drop_lost_files).  A parallel build reports
 * its duplicates then, when the file that keeps each key is known: an
 * earlier one still may take it.  Called with the lock held.
 */
static bool claim(struct builder *b, struct lane *l, const char *key,
		  size_t i, ni_status *status)
{
	size_t first;
	lock(b);
	bool taken = ni_strmap_get(&b->claimed, key, strlen(key), &first) &&
		     first != i;
	/* A build of some paths: a file outside them keeps its key. */
	const struct known *holder = NULL;
	if (!taken && b->paths) {
		*status = outside_holder(b, key, &holder);
		taken = holder != NULL;
		if (*status != NI_OK) {
			unlock(b);
			return false;
		}
	}
	if (taken && b->parallel && first > i) {
		*status = lose_key(b, first, key);
		if (*status == NI_OK)
			*status = ni_strmap_put(&b->claimed, key, strlen(key),
						i);
		taken = false;
	} else if (taken) {
		l->counts->duplicates++;
		if (b->parallel)
			*status = lose_key(b, i, key);
		else if (b->cb->duplicate)
			b->cb->duplicate(b->cb->ctx, b->found[i].path, key,
					 holder ? holder->path
						: b->found[first].path);
	} else {
		*status = ni_strmap_put(&b->claimed, key, strlen(key), i);
	}
	unlock(b);
	return !taken;
}

/* Tell the caller about a file: skipped, or indexed with warnings. */
static void report_file(struct builder *b, const char *path,
			const struct ni_index_result *res)
{
	if (!b->cb->file)
		return;
	lock(b);
	b->cb->file(b->cb->ctx, path, res);
	unlock(b);
}

static ni_status lane_fail(struct lane *l, ni_status status,
			   const char *what, const char *detail)
{
	ni_buf_addf(l->errmsg, "%s: %s", what,
		    detail && *detail ? detail : ni_status_str(status));
	return status;
}

static ni_status commit_batch(struct builder *b, struct lane *l)
{
	if (++l->since_commit < b->options->commit_every)
		return NI_OK;
	l->since_commit = 0;
	ni_status status = ni_db_commit(l->db);
	return status == NI_OK ? NI_OK
			       : lane_fail(l, status,
					   "cannot commit to the index",
					   ni_db_errmsg(l->db));
}

/* The document `k` of a file now read under `key` (NULL: under none),
 * unless the same. */
static ni_status drop_copy(struct builder *b, struct known *k,
			   const char *key)
{
	if (was_written(b, k->docid) || (key && !strcmp(k->key, key)))
		return NI_OK;
	ni_status status = ni_indexer_remove(b->main.indexer, k->docid,
					     k->key);
	/* Gone now: not to be deleted again with the vanished. */
	k->seen = true;
	k->dropped = true;
	return status == NI_OK ? NI_OK
			       : fail(b, status, "index",
				      ni_indexer_errmsg(b->main.indexer));
}

/*
 * The file `f` is read under the key `key`: the documents the index has
 * of it under other keys (its old URL; a copy a torn sharded build left)
 * go with their related records, unless this build wrote them for
 * another file.  They go before the file is stored: an old record of
 * one of its related URLs, listed under its old key, must not outrank
 * the new one (ni_db_related_wins) and then be deleted.  `key` NULL:
 * the file is not stored (no longer an article, or a duplicate), and
 * all go.
 */
static ni_status drop_old_copies(struct builder *b, const struct found *f,
				 struct known *k, const char *key)
{
	if (!k)
		return NI_OK;
	if (!k->twice)
		return drop_copy(b, k, key);
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < b->n_known; i++)
		if (b->known[i].twice && !b->known[i].dead &&
		    !strcmp(b->known[i].path, f->path))
			status = drop_copy(b, &b->known[i], key);
	return status;
}

/*
 * The file `f` cannot be indexed now (empty, invalid, unreadable, gone
 * since the walk): the article the index has of it goes, with its
 * related records, as a first build of the same files would not have
 * it.  Kept, it would be an article no file holds, and nothing would
 * tell it from the others; a good version of the file brings it back
 * (docs/schema.md, "Incremental builds").
 */
static ni_status drop_unindexable(struct builder *b, struct lane *l,
				  const struct found *f, struct known *k,
				  struct ni_index_result *res)
{
	if (!k)
		return NI_OK;
	if (!was_written(b, k->docid)) {
		l->counts->deleted++;
		res->dropped = true;
	}
	return drop_old_copies(b, f, k, NULL);
}

/* The stamp to store of the file just read into `res`. */
static struct ni_file_stamp stamp_of(const struct builder *b,
				     const struct ni_index_result *res)
{
	struct ni_file_stamp stamp = res->read;
	stamp.racy = racy(b, &stamp);
	return stamp;
}

static ni_status index_file(struct builder *b, struct lane *l, size_t i,
			    struct known *k)
{
	struct found *f = &b->found[i];
	struct ni_index_result res;
	ni_status status = ni_indexer_load(l->indexer, f->path, &res);
	if (status != NI_OK)
		return lane_fail(l, status, "index",
				 ni_indexer_errmsg(l->indexer));
	if (!res.key) {
		l->counts->skipped++;
		l->counts->skipped_by[res.skip < NI_SKIP_KINDS
				      ? res.skip : NI_SKIP_NONE]++;
		status = drop_unindexable(b, l, f, k, &res);
		report_file(b, f->path, &res);
		return status;
	}
	bool own = claim(b, l, res.key, i, &status);
	/* A duplicate keeps nothing of its old article either: a first
	 * build would not have it. */
	if (status == NI_OK && !own && k && !was_written(b, k->docid))
		l->counts->deleted++;
	if (status == NI_OK)
		status = drop_old_copies(b, f, k, own ? res.key : NULL);
	if (status != NI_OK || !own)
		return status;
	struct ni_file_stamp stamp = stamp_of(b, &res);
	status = ni_indexer_store(l->indexer, &stamp, &res);
	if (status != NI_OK)
		return lane_fail(l, status, "index",
				 ni_indexer_errmsg(l->indexer));
	/* Read again to bring back a related record (restore_keys), a
	 * file stored already was reported and counted then. */
	bool again = b->restoring && f->lane;
	if (res.n_warnings && !again)
		report_file(b, f->path, &res);
	l->counts->warned += res.n_warnings > 0 && !again;
	if (again)
		l->counts->related -= f->n_related;
	l->counts->related += res.n_related;
	f->lane = l;
	f->docid = res.docid;
	f->n_related = res.n_related;
	if (b->state) {
		/* What the state is to know of it after the build. */
		free(f->stored_key);
		if (!(f->stored_key = strdup(res.key)))
			return lane_fail(l, NI_ENOMEM, "index", NULL);
		f->stored = stamp;
	}
	if (!b->restoring)
		*(k ? &l->counts->updated : &l->counts->added) += 1;
	/* Only a build of a known index deletes, and it has one lane:
	 * the parts' document ids are not the index's. */
	if (l == &b->main)
		status = mark_written(b, res.docid);
	return status == NI_OK ? commit_batch(b, l) : status;
}

/* What the index knows of the file `f`; NULL for a file new to it. */
static struct known *known_file(const struct builder *b,
				const struct found *f)
{
	size_t at;
	return ni_strmap_get(&b->known_by_path, f->path, strlen(f->path),
			     &at) && !b->known[at].dead ? &b->known[at] : NULL;
}

/*
 * Whether the file `f` is not to be read again (f->unchanged): its
 * document `k` is there, alone, in untorn shards, from a file with the
 * same stamp (ni_stamp_same_stat), and when that stamp is racy, the file's bytes
 * now are those indexed (their hash).  A racy stamp found so, and no
 * longer racy, is to be stored settled (f->restamp): git's index does
 * the same when it is written again.
 */
static ni_status check_unchanged(struct builder *b, const struct known *k,
				 struct found *f)
{
	f->unchanged = f->restamp = false;
	if (!k || k->twice || b->torn || b->old_data || k->old_stamp ||
	    !ni_stamp_same_stat(&k->stamp, &f->stamp))
		return NI_OK;
	if (!k->stamp.racy) {
		f->unchanged = true;
		return NI_OK;
	}
	struct ni_file_stamp now;
	ni_status status = ni_indexer_read_stamp(b->main.indexer, f->path,
						 &now);
	if (status == NI_EIO)
		return NI_OK;  /* read as changed: its load says why not */
	if (status != NI_OK)
		return fail(b, status, "index",
			    ni_indexer_errmsg(b->main.indexer));
	f->unchanged = ni_stamp_same_stat(&k->stamp, &now) &&
		       now.hash == k->stamp.hash;
	f->restamp = f->unchanged && !racy(b, &now);
	return NI_OK;
}

/*
 * Before any file is read, each unchanged file (check_unchanged: the
 * files of racy stamps are read for that) claims the key it holds:
 * an article keeps its URL against a file new to the index, whatever
 * their order in the walk, so that a build does not give an article's
 * URL to a file added before it in the walk: articles keep their URL
 * until their file goes or changes it.
 */
static ni_status claim_unchanged(struct builder *b)
{
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < b->n_found; i++) {
		struct found *f = &b->found[i];
		const struct known *k = known_file(b, f);
		status = check_unchanged(b, k, f);
		if (status != NI_OK)
			break;
		if (!f->unchanged)
			b->counts->to_read++;
		else if (k->key)
			status = ni_strmap_put(&b->claimed, k->key,
					       strlen(k->key), i);
	}
	return status;
}

/* The racy stamp of the unchanged file `k`, stored settled. */
static ni_status settle_stamp(struct builder *b, struct known *k)
{
	/* Only a build of a known index has known files: one lane. */
	assert(!b->parallel);
	struct ni_file_stamp stamp = k->stamp;
	stamp.racy = false;
	ni_status status = ni_indexer_restamp(b->main.indexer, k->docid,
					      k->path, k->key, &stamp);
	if (status != NI_OK)
		return fail(b, status, "index",
			    ni_indexer_errmsg(b->main.indexer));
	k->stamp.racy = false;
	return commit_batch(b, &b->main);
}

static ni_status process(struct builder *b, struct lane *l, size_t i)
{
	const struct found *f = &b->found[i];
	struct known *k = known_file(b, f);
	if (f->unchanged) {
		/* Not read again; claim_unchanged() claimed its key. */
		l->counts->unchanged++;
		return f->restamp ? settle_stamp(b, k) : NI_OK;
	}
	return index_file(b, l, i, k);
}

static bool stop_asked(const struct builder *b)
{
	return b->options->stop && *b->options->stop;
}

static ni_status process_all(struct builder *b)
{
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < b->n_found; i++) {
		if (stop_asked(b)) {
			b->counts->stopped = true;
			break;
		}
		status = process(b, &b->main, i);
		b->counts->done = i + 1;
		if (b->cb->progress && (i + 1) % PROGRESS_EVERY == 0)
			b->cb->progress(b->cb->ctx, b->counts);
	}
	return status;
}

/* ---- what is gone ---------------------------------------------------------- */

static bool walked(const struct builder *b, const char *path,
		   const char *const *sources, size_t n)
{
	for (size_t i = 0; i < b->n_unwalked; i++)
		if (ni_walk_is_under(path, b->unwalked[i]))
			return false;
	for (size_t i = 0; i < n; i++)
		if (ni_walk_is_under(path, sources[i]))
			return true;
	return false;
}

/* The article of `k`, whose file is gone, deleted. */
static ni_status delete_known(struct builder *b, struct known *k)
{
	ni_status status = ni_indexer_remove(b->main.indexer, k->docid,
					     k->key);
	if (status != NI_OK)
		return fail(b, status, "index",
			    ni_indexer_errmsg(b->main.indexer));
	b->counts->deleted++;
	k->dropped = true;
	return NI_OK;
}

static ni_status delete_vanished(struct builder *b,
				 const char *const *sources, size_t n)
{
	for (size_t i = 0; i < b->n_known; i++) {
		struct known *k = &b->known[i];
		if (k->seen || k->dead || was_written(b, k->docid) ||
		    !walked(b, k->path, sources, n))
			continue;
		ni_status status = delete_known(b, k);
		if (status != NI_OK)
			return status;
	}
	return NI_OK;
}

/*
 * What is gone under the paths of a build of some paths: when none of
 * them is (or was) a folder, the files named, else every file under
 * them (in_scope).
 */
static ni_status delete_vanished_paths(struct builder *b)
{
	const char *const *scope = (const char *const *)b->scope;
	if (b->scope_folders)
		return delete_vanished(b, scope, b->n_scope);
	for (size_t i = 0; i < b->n_scope; i++) {
		size_t at;
		if (!ni_strmap_get(&b->known_by_path, scope[i],
				   strlen(scope[i]), &at))
			continue;
		struct known *k = &b->known[at];
		if (k->seen || k->dead || was_written(b, k->docid) ||
		    !walked(b, k->path, scope, b->n_scope))
			continue;
		ni_status status = delete_known(b, k);
		if (status != NI_OK)
			return status;
	}
	return NI_OK;
}

/* ---- related records to bring back --------------------------------------------- */

/* A document of the index (or of a part) and the found file it is of. */
struct by_docid {
	uint32_t docid;
	size_t found;
};

static int compare_docids(const void *a, const void *b)
{
	uint32_t x = ((const struct by_docid *)a)->docid;
	uint32_t y = ((const struct by_docid *)b)->docid;
	return (x > y) - (x < y);
}

static int compare_ids(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* What restore_keys() looks things up in. */
struct lookups {
	struct lane *lane;           /* where the records are written */
	struct by_docid *files;      /* the lane's files, sorted by docid */
	size_t n_files;
	size_t cap_files;
	struct ni_strmap keys;       /* keys already looked at */
	uint32_t *listers;           /* documents listing a round's keys */
	size_t n_listers;
	size_t cap_listers;
	bool left;                   /* a lister this build did not walk */
};

/*
 * The files whose documents are in the lane of `lk`: those this build
 * stored there, and in the index itself those it walked and did not
 * read (unchanged).
 */
static ni_status make_lookups(const struct builder *b, struct lookups *lk)
{
	bool main = lk->lane == &b->main;
	size_t n = b->n_found + (main ? b->n_known : 0);
	lk->files = malloc((n ? n : 1) * sizeof *lk->files);
	if (!lk->files)
		return NI_ENOMEM;
	lk->cap_files = n ? n : 1;
	for (size_t i = 0; i < b->n_found; i++) {
		const struct found *f = &b->found[i];
		if (f->lane == lk->lane && !f->lost_key)
			lk->files[lk->n_files++] =
				(struct by_docid){f->docid, i};
	}
	for (size_t i = 0; main && i < b->n_known; i++) {
		const struct known *k = &b->known[i];
		if (k->seen && !k->dead && !k->dropped &&
		    !was_written(b, k->docid))
			lk->files[lk->n_files++] =
				(struct by_docid){k->docid, k->found};
	}
	qsort(lk->files, lk->n_files, sizeof *lk->files, compare_docids);
	return NI_OK;
}

/*
 * In a build of some paths, the lister `docid` is a file outside them,
 * unchanged: found now, as a whole build found it, and indexed again.
 */
static ni_status index_outside_lister(struct builder *b,
				      struct lookups *lk, uint32_t docid)
{
	struct known *k = known_docid(b, docid);
	if (!k || k->seen || k->dropped) {
		lk->left = true;
		return NI_OK;
	}
	if (ni_grow(&b->found, &b->cap_found, b->n_found + 1,
		    sizeof *b->found) != NI_OK ||
	    ni_grow(&lk->files, &lk->cap_files, lk->n_files + 1,
		    sizeof *lk->files) != NI_OK)
		return NI_ENOMEM;
	size_t i = b->n_found;
	b->found[i] = (struct found){.path = strdup(k->path),
				     .stamp = k->stamp};
	if (!b->found[i].path)
		return NI_ENOMEM;
	b->n_found++;
	k->seen = true;
	k->found = i;
	/* Its place among the lookups, by docid. */
	size_t at = 0;
	while (at < lk->n_files && lk->files[at].docid < docid)
		at++;
	memmove(lk->files + at + 1, lk->files + at,
		(lk->n_files - at) * sizeof *lk->files);
	lk->files[at] = (struct by_docid){docid, i};
	lk->n_files++;
	b->restoring = true;
	ni_status status = index_file(b, lk->lane, i, k);
	b->restoring = false;
	return status;
}

/*
 * Index again the file of document `docid`, an article listing a lost
 * key, when this build walked it: read, or not (then its document is
 * as the index had it), it was stored before the key was lost.  One not
 * walked is left to a later build (lk->left).
 */
static ni_status index_lister(struct builder *b, struct lookups *lk,
			      uint32_t docid)
{
	struct by_docid want = {docid, 0};
	const struct by_docid *hit = bsearch(&want, lk->files, lk->n_files,
					     sizeof *lk->files,
					     compare_docids);
	if (!hit && b->paths && lk->lane == &b->main)
		return index_outside_lister(b, lk, docid);
	if (!hit) {
		lk->left = true;
		return NI_OK;
	}
	struct found *f = &b->found[hit->found];
	/* Stored by this build, its old copies went then. */
	struct known *k = f->lane ? NULL : known_file(b, f);
	b->restoring = true;
	ni_status status = index_file(b, lk->lane, hit->found, k);
	b->restoring = false;
	return status;
}

/*
 * The lost key `key`: the articles listing it whose record a first
 * build would hold, if it is not there (ni_db_listers_ahead), are to
 * be indexed again.
 */
static ni_status find_listers(struct builder *b, struct lookups *lk,
			      const char *key)
{
	size_t len = strlen(key), ignored;
	if (ni_strmap_get(&lk->keys, key, len, &ignored))
		return NI_OK;
	ni_status status = ni_strmap_put(&lk->keys, key, len, 0);
	/* A part lost a file whose key another part's file has. */
	if (lk->lane != &b->main &&
	    ni_strmap_get(&b->claimed, key, len, &ignored))
		return status;
	uint32_t *listers = NULL;
	size_t n = 0;
	if (status == NI_OK)
		status = ni_db_listers_ahead(lk->lane->db, key, &listers, &n);
	if (status == NI_OK && n)
		status = ni_grow(&lk->listers, &lk->cap_listers,
				 lk->n_listers + n, sizeof *lk->listers);
	if (status == NI_OK && n) {
		memcpy(lk->listers + lk->n_listers, listers,
		       n * sizeof *listers);
		lk->n_listers += n;
	}
	free(listers);
	return status;
}

/* Index again, once each, the listers find_listers() gathered. */
static ni_status index_listers(struct builder *b, struct lookups *lk)
{
	if (lk->n_listers)
		qsort(lk->listers, lk->n_listers, sizeof *lk->listers,
		      compare_ids);
	ni_status status = NI_OK;
	for (size_t j = 0; status == NI_OK && j < lk->n_listers; j++)
		if (!j || lk->listers[j] != lk->listers[j - 1])
			status = index_lister(b, lk, lk->listers[j]);
	lk->n_listers = 0;
	return status;
}

/*
 * A related record is not written while an article file has its URL,
 * and is kept once when several articles list it, the first parent's by
 * key.  When the document that had a key went (an article deleted, or
 * given another URL; a record with its parent), another article listing
 * it may now be the one whose record a first build would hold: index
 * those articles again (if this build walked them), so that an updated
 * index holds what a new one would.  The keys (`len` bytes at `keys`,
 * each ended by a NUL) are looked up one by one, not the whole index;
 * keys the listers lose in turn are looked at too.  `*left` (may be
 * NULL) says whether a lister was not walked by this build.
 */
static ni_status restore_keys(struct builder *b, struct lane *l,
			      const char *keys, size_t len, bool *left)
{
	struct lookups lk = {.lane = l};
	ni_status status = len ? make_lookups(b, &lk) : NI_OK;
	while (status == NI_OK && len) {
		for (const char *key = keys; status == NI_OK &&
					     key < keys + len;
		     key += strlen(key) + 1)
			status = find_listers(b, &lk, key);
		if (status == NI_OK)
			status = index_listers(b, &lk);
		/* What the listers indexed again lost, in turn. */
		ni_indexer_take_lost(l->indexer, &keys, &len);
	}
	free(lk.files);
	free(lk.listers);
	ni_strmap_release(&lk.keys);
	if (left)
		*left = lk.left;
	return status;
}

/* Bring back the related records this build's deletions took. */
static ni_status restore_lost(struct builder *b)
{
	const char *keys;
	size_t len;
	ni_status status = NI_OK;
	ni_indexer_take_lost(b->main.indexer, &keys, &len);
	/* A build that ended before this step: every unkept key. */
	struct ni_buf unkept = NI_BUF_INIT;
	if (b->restore_pending) {
		status = ni_db_unkept_related(b->db, &unkept);
		if (status == NI_OK)
			status = ni_buf_add(&unkept, keys, len);
		keys = ni_buf_str(&unkept);
		len = unkept.len;
	}
	bool left = false;
	if (status == NI_OK)
		status = restore_keys(b, &b->main, keys, len, &left);
	ni_buf_release(&unkept);
	/* A source not walked this time lists a record to bring back: the
	 * next build looks for every such record (as after forget). */
	if (status == NI_OK)
		status = ni_db_set_metadata(b->db, NI_META_RESTORE,
					    left ? "pending" : "");
	if (status != NI_OK && !ni_buf_str(b->errmsg)[0])
		fail(b, status, "cannot bring back related records",
		     ni_db_errmsg(b->db));
	return status;
}

/*
 * Deletions of related records are committed in batches, and bringing
 * back those another article lists happens at the end: a build that
 * does not get there says so in the index, committed with its first
 * batch, and the next one looks for every such record.
 */
static ni_status mark_restore_pending(struct builder *b)
{
	char *value = NULL;
	ni_status status = ni_db_get_metadata(b->db, NI_META_RESTORE, &value);
	b->restore_pending = status == NI_OK && value && *value;
	free(value);
	if (status == NI_OK)
		status = ni_db_set_metadata_with(b->db, NI_META_RESTORE,
						 "pending");
	return status == NI_OK ? NI_OK
			       : fail(b, status, "index", ni_db_errmsg(b->db));
}

/*
 * Whether the documents keep an older stored data than this build
 * writes (NI_META_DATA): then every file is read again, as a torn index's
 * are.  An empty index is marked current at once, so that a first build
 * stopped half-way is not read again in full.
 */
static ni_status read_data_version(struct builder *b)
{
	uint64_t docs = 0;
	char *value = NULL;
	ni_status status = ni_db_doc_count(b->db, &docs);
	if (status == NI_OK)
		status = ni_db_get_metadata(b->db, NI_META_DATA, &value);
	if (status == NI_OK) {
		b->was_empty = docs == 0;
		b->old_data = !b->was_empty &&
			      (!value || strcmp(value, NI_DATA_VERSION));
		if (b->was_empty)
			status = ni_db_set_metadata(b->db, NI_META_DATA,
						    NI_DATA_VERSION);
	}
	free(value);
	return status == NI_OK ? NI_OK
			       : fail(b, status, "index", ni_db_errmsg(b->db));
}

/*
 * Torn shards are settled when every article file they know was indexed
 * again: none was left for a stop, and each was under a source walked.
 */
static bool settled(const struct builder *b, const char *const *sources,
		    size_t n)
{
	if (b->counts->stopped)
		return false;
	for (size_t i = 0; i < b->n_known; i++)
		if (!walked(b, b->known[i].path, sources, n))
			return false;
	return true;
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

/*
 * Record when this build ran (NI_META_LAST_BUILD): newsindex check
 * compares only files whose status changed before it, and counts the
 * others as for the next build.  So a build that walked such a file
 * records its time whatever it wrote (the file may have been read and
 * found the same, or refused again); else the time goes with the
 * build's commit only if it has anything else to record, and a build
 * that finds nothing changed leaves the index at its revision.
 */
static ni_status note_build_time(struct builder *b)
{
	char *last = NULL;
	int64_t at = 0;
	ni_status status = ni_db_get_metadata(b->db, NI_META_LAST_BUILD,
					      &last);
	bool walked_newer = !(last && ni_parse_iso8601(last, &at)) ||
			    b->newest_change >= at;
	free(last);
	char now[21];
	ni_format_iso8601((int64_t)time(NULL), now);
	if (status == NI_OK)
		status = walked_newer
				 ? ni_db_set_metadata(b->db, NI_META_LAST_BUILD,
						      now)
				 : ni_db_set_metadata_with(
					   b->db, NI_META_LAST_BUILD, now);
	return status;
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
	if (status == NI_OK)
		status = note_build_time(b);
	ni_sources_free(old, n_old);
	ni_buf_release(&text);
	return status == NI_OK ? NI_OK
			       : fail(b, status, "index", ni_db_errmsg(b->db));
}

/* ---- the build ------------------------------------------------------------------ */

static void release(struct builder *b);

/* Whether `path` is one of the `n` paths of `list`. */
static bool listed(const char *path, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(path, list[i]))
			return true;
	return false;
}

/* Write the remembered sources `old`, without those in `drop`. */
static ni_status forget_sources(struct builder *b, const char *const *old,
				size_t n_old, const char *const *drop,
				size_t n_drop)
{
	struct ni_buf text = NI_BUF_INIT;
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < n_old; i++)
		if (!listed(old[i], drop, n_drop))
			status = ni_buf_addf(&text, "%s\n", old[i]);
	if (status == NI_OK)
		status = ni_db_set_metadata(b->db, NI_META_SOURCES,
					    ni_buf_str(&text));
	ni_buf_release(&text);
	return status == NI_OK ? NI_OK
			       : fail(b, status, "index", ni_db_errmsg(b->db));
}

/*
 * Whether an article lists one of the lost keys (`len` bytes at `keys`,
 * each ended by a NUL) and would now write its record: then the next
 * build has a record to bring back, and looks for every such key.
 */
static ni_status lost_and_listed(ni_db *db, const char *keys, size_t len,
				 bool *listed)
{
	*listed = false;
	ni_status status = NI_OK;
	for (const char *key = keys; status == NI_OK && !*listed &&
				     key < keys + len;
	     key += strlen(key) + 1) {
		uint32_t *listers = NULL;
		size_t n = 0;
		status = ni_db_listers_ahead(db, key, &listers, &n);
		free(listers);
		*listed = n > 0;
	}
	return status;
}

/*
 * Say in `errmsg`, on a line of its own, why `path` is not one of the
 * `n` remembered `sources`: under one, it would come back with that
 * source's next build; above some, it is not them.
 */
static ni_status not_a_source(struct ni_buf *errmsg, const char *path,
			      const char *const *sources, size_t n)
{
	ni_status status = ni_buf_addf(errmsg, "%s'%s' is not a source of "
				       "this index", errmsg->len ? "\n" : "",
				       path);
	for (size_t i = 0; status == NI_OK && i < n; i++)
		if (ni_walk_is_under(path, sources[i]))
			return ni_buf_addf(errmsg, ": it is under the source "
					   "'%s', whose next build would "
					   "index it again (move it out, or "
					   "forget '%s')", sources[i],
					   sources[i]);
	const char *sep = "; the sources under it: ";
	for (size_t i = 0; status == NI_OK && i < n; i++) {
		if (ni_walk_is_under(sources[i], path)) {
			status = ni_buf_addf(errmsg, "%s'%s'", sep,
					     sources[i]);
			sep = ", ";
		}
	}
	return status;
}

/*
 * The remembered sources `old` that stay, taken as unwalked: nothing
 * under them goes (a source inside a forgotten one, or around it).
 */
static ni_status keep_others(struct builder *b, const char *const *old,
			     size_t n_old, const char *const *drop,
			     size_t n_drop)
{
	b->unwalked = calloc(n_old ? n_old : 1, sizeof *b->unwalked);
	if (!b->unwalked)
		return NI_ENOMEM;
	for (size_t i = 0; i < n_old; i++) {
		if (listed(old[i], drop, n_drop))
			continue;
		if (!(b->unwalked[b->n_unwalked] = strdup(old[i])))
			return NI_ENOMEM;
		b->n_unwalked++;
	}
	return NI_OK;
}

/* Forget the sources `drop`, each a remembered one of `old`. */
static ni_status forget(struct builder *b, const char *const *old,
			size_t n_old, const char *const *drop,
			size_t n_drop, struct ni_forget_counts *out)
{
	for (size_t i = 0; i < n_old; i++)
		out->sources += listed(old[i], drop, n_drop);
	ni_status status = keep_others(b, old, n_old, drop, n_drop);
	if (status == NI_OK)
		status = ni_indexer_new(b->db, NULL, &b->main.indexer);
	if (status == NI_OK)
		status = load_known(b);
	/* Under a forgotten source (as walked with nothing unwalked), yet
	 * not gone: under one that stays. */
	struct builder none = {0};
	for (size_t i = 0; status == NI_OK && i < b->n_known; i++) {
		const char *path = b->known[i].path;
		if (walked(&none, path, drop, n_drop) &&
		    !walked(b, path, drop, n_drop))
			out->kept++;
	}
	/* Nothing of theirs is seen: all of it goes. */
	if (status == NI_OK)
		status = delete_vanished(b, drop, n_drop);
	out->deleted = b->counts->deleted;
	if (status != NI_OK)
		return status;
	/* Records other sources list come back with their next build. */
	const char *lost;
	size_t lost_len;
	bool wanted = false;
	ni_indexer_take_lost(b->main.indexer, &lost, &lost_len);
	ni_status looked = lost_and_listed(b->db, lost, lost_len, &wanted);
	if (looked != NI_OK)
		status = fail(b, looked, "index", ni_db_errmsg(b->db));
	if (status == NI_OK && wanted &&
	    ni_db_set_metadata(b->db, NI_META_RESTORE, "pending") != NI_OK)
		status = fail(b, NI_EDB, "index", ni_db_errmsg(b->db));
	if (status == NI_OK)
		status = forget_sources(b, old, n_old, drop, n_drop);
	if (status == NI_OK && ni_db_commit(b->db) != NI_OK)
		status = fail(b, NI_EDB, "cannot commit to the index",
			      ni_db_errmsg(b->db));
	return status;
}

ni_status ni_build_forget(ni_db *db, const char *const *sources,
			  size_t n_sources, struct ni_forget_counts *counts,
			  struct ni_buf *errmsg)
{
	struct ni_build_options o = {0};
	struct ni_build_counts build_counts = {0};
	struct builder b = {.db = db, .options = &o, .counts = &build_counts,
			    .errmsg = errmsg};
	*counts = (struct ni_forget_counts){0};
	char **old;
	size_t n_old;
	ni_status status = ni_build_sources(db, &old, &n_old);
	if (status != NI_OK)
		return fail(&b, status, "cannot read the index",
			    ni_db_errmsg(db));
	const char *const *known = (const char *const *)old;
	/* All or nothing: a path that is not a source changes nothing. */
	for (size_t i = 0; status != NI_ENOMEM && i < n_sources; i++) {
		if (listed(sources[i], known, n_old))
			continue;
		status = not_a_source(errmsg, sources[i], known, n_old) ==
			 NI_OK ? NI_EINVAL : NI_ENOMEM;
	}
	if (status == NI_OK)
		status = forget(&b, known, n_old, sources, n_sources, counts);
	ni_sources_free(old, n_old);
	release(&b);
	return status;
}

/* ---- a parallel first build -------------------------------------------------------- */

/*
 * A first build of this many files or more is split over parallel
 * writers: Xapian's document insertion is most of a build's time, and
 * one writer keeps one core busy.
 */
#define PARALLEL_MIN_FILES 2000

static bool wants_parallel(const struct builder *b)
{
	uint64_t docs = 1;
	ni_db_doc_count(b->db, &docs);
	return b->options->jobs > 1 && b->n_known == 0 && docs == 0 &&
	       b->n_found >= PARALLEL_MIN_FILES;
}

static struct lane *next_part(struct builder *b, struct lane *l);

static void *run_lane(void *arg)
{
	struct lane *l = arg;
	struct builder *b = l->b;
	while (l->status == NI_OK) {
		if (stop_asked(b)) {
			l->counts->stopped = true;
			break;
		}
		size_t i = atomic_fetch_add(&b->next, 1);
		if (i >= b->n_found)
			break;
		if (l->files >= b->part_files) {
			struct lane *next = next_part(b, l);
			if (!next)
				break;
			l = next;
		}
		l->files++;
		l->status = process(b, l, i);
		lock(b);
		b->counts->done = ++b->done;
		if (b->cb->progress && b->done % PROGRESS_EVERY == 0)
			b->cb->progress(b->cb->ctx, b->counts);
		unlock(b);
	}
	/*
	 * The part's last batch, written here while the other parts write
	 * theirs, not one after the other when they are closed; what
	 * drop_lost_files() changes afterwards is committed at the close.
	 */
	if (l->status == NI_OK && (l->status = ni_db_commit(l->db)) != NI_OK)
		lane_fail(l, l->status, "cannot commit to the index",
			  ni_db_errmsg(l->db));
	return NULL;
}

/* The folder of part `j` beside the index; NULL if out of memory. */
static char *part_path(const struct builder *b, size_t j)
{
	struct ni_buf path = NI_BUF_INIT;
	if (ni_buf_addf(&path, "%s.part-%zu", ni_db_path(b->db), j) != NI_OK) {
		ni_buf_release(&path);
		return NULL;
	}
	return ni_buf_detach(&path);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/*
 * Parts left by a parallel build that was killed are of no use, nor are
 * the folders of its merge (ni_db_remove_leftovers), and only a build
 * holding the index's lock (this one) could be writing them.  Parts are
 * numbered as they are started, the first `jobs` together, so that a
 * part that failed to start leaves a gap of fewer than
 * NI_BUILD_MAX_JOBS numbers.
 */
static void remove_leftover_parts(const struct builder *b)
{
	for (size_t j = 0, missing = 0; missing < NI_BUILD_MAX_JOBS; j++) {
		char *path = part_path(b, j);
		if (!path)
			break;
		if (exists(path)) {
			ni_db_remove_folder(path);
			missing = 0;
		} else {
			missing++;
		}
		free(path);
	}
	ni_db_remove_leftovers(b->db);
}

/*
 * A part's own index: one index, or for a sharded index as many shards,
 * so that shard K of every part merges into shard K.
 */
static ni_status open_part(const struct builder *b, const char *path,
			   ni_db **db, struct ni_buf *detail)
{
	size_t shards = ni_db_shard_count(b->db);
	if (shards > 1) {
		ni_status status = ni_db_create_sharded(
			path, shards, ni_analyzer_settings(), detail);
		if (status != NI_OK)
			return status;
	}
	return ni_db_open(path, NI_DB_PART, ni_analyzer_settings(), db,
			  detail);
}

/*
 * Start a part: its own folder beside the index, writer and indexer,
 * with `analyzer` (NULL: its own).  The lane is listed in b->lanes
 * first, so that it is closed and removed whatever happens; why it
 * could not start goes to `errmsg`.  NI_OK or why not.
 */
static ni_status add_lane(struct builder *b, ni_analyzer *analyzer,
			  struct ni_buf *errmsg, struct lane **out)
{
	struct lane *l = calloc(1, sizeof *l);
	ni_status status = l ? NI_OK : NI_ENOMEM;
	size_t j = 0;
	lock(b);
	if (status == NI_OK)
		status = ni_grow(&b->lanes, &b->cap_lanes, b->n_lanes + 1,
				 sizeof *b->lanes);
	if (status == NI_OK) {
		j = b->n_lanes;
		b->lanes[b->n_lanes++] = l;
	}
	unlock(b);
	if (status != NI_OK) {
		free(l);
		ni_buf_addf(errmsg, "cannot start a part of the build: %s",
			    ni_status_str(status));
		return status;
	}
	*out = l;
	l->b = b;
	l->counts = &l->own_counts;
	l->errmsg = &l->own_errmsg;
	l->path = part_path(b, j);
	status = l->path ? NI_OK : NI_ENOMEM;
	l->analyzer = analyzer;
	if (status == NI_OK && !analyzer) {
		status = ni_analyzer_new(&l->analyzer);
		l->owns_analyzer = status == NI_OK;
	}
	struct ni_buf detail = NI_BUF_INIT;
	if (status == NI_OK)
		status = open_part(b, l->path, &l->db, &detail);
	/* Articles without a `lang` are stemmed as in the index. */
	if (status == NI_OK)
		status = ni_db_set_language(l->db, ni_db_language(b->db));
	if (status == NI_OK)
		status = ni_indexer_new(l->db, l->analyzer, &l->indexer);
	if (status == NI_OK) {
		ni_indexer_set_max_file_bytes(l->indexer,
					      b->options->max_file_bytes);
		ni_indexer_set_max_field_words(l->indexer,
					       b->options->max_field_words);
	}
	if (status != NI_OK)
		ni_buf_addf(errmsg, "cannot start a part of the build: %s",
			    ni_buf_str(&detail)[0] ? ni_buf_str(&detail)
						   : ni_status_str(status));
	ni_buf_release(&detail);
	return status;
}

/*
 * Part `l` has its b->part_files files: its last batch committed,
 * its thread goes on in a new part, which takes its analyzer and the
 * words whose spelling data is to be added.  A part's commits cost more
 * as its B-trees grow (docs/benchmarks.md, "the 1,000,000-article
 * build"); parts of a bounded size keep a file's cost the same however
 * many there are, and their merge costs little more for more parts.
 * The new part, or NULL (then l->status says why).
 */
static struct lane *next_part(struct builder *b, struct lane *l)
{
	if ((l->status = ni_db_commit(l->db)) != NI_OK) {
		lane_fail(l, l->status, "cannot commit to the index",
			  ni_db_errmsg(l->db));
		return NULL;
	}
	struct lane *next = NULL;
	l->status = add_lane(b, l->analyzer, l->errmsg, &next);
	if (l->status == NI_OK &&
	    (l->status = ni_db_give_words(l->db, next->db)) != NI_OK)
		lane_fail(l, l->status, "index", ni_db_errmsg(l->db));
	return l->status == NI_OK ? next : NULL;
}

/* Close a part (committing it); NI_OK or why its work is lost. */
static ni_status close_lane(struct builder *b, struct lane *l)
{
	ni_indexer_free(l->indexer);
	l->indexer = NULL;
	struct ni_buf detail = NI_BUF_INIT;
	ni_status status = ni_db_close(l->db, &detail);
	l->db = NULL;
	if (status != NI_OK)
		fail(b, status, "cannot commit a part of the build",
		     ni_buf_str(&detail));
	ni_buf_release(&detail);
	if (l->status != NI_OK) {
		ni_buf_addf(b->errmsg, "%s", ni_buf_str(&l->own_errmsg));
		status = l->status;
	}
	return status;
}

static void add_counts(struct ni_build_counts *to,
		       const struct ni_build_counts *c)
{
	to->added += c->added;
	to->skipped += c->skipped;
	for (size_t k = 0; k < NI_SKIP_KINDS; k++)
		to->skipped_by[k] += c->skipped_by[k];
	to->duplicates += c->duplicates;
	to->warned += c->warned;
	to->related += c->related;
	to->stopped = to->stopped || c->stopped;
}

/*
 * A parallel build's duplicates, once the lanes are done: each reported
 * with the file that kept its key; those stored before an earlier file
 * took their key (claim) are taken out of the part their lane wrote
 * them to, and count as duplicates, not as added.  Their related records
 * go with them, and a record one of them kept another file of its part
 * from writing comes back there (restore_keys): in other parts it was
 * written, and the merge keeps one (ni_db_dedupe_keys).
 */
static ni_status drop_lost_files(struct builder *b)
{
	/* A parallel build is a first build: each file stored was added. */
	assert(b->n_known == 0 && !b->restoring);
	for (size_t i = 0; i < b->n_found; i++) {
		struct found *f = &b->found[i];
		struct lane *l = f->lane;
		if (!f->lost_key)
			continue;
		ni_status status = l ? ni_indexer_remove(l->indexer, f->docid,
							 f->lost_key) : NI_OK;
		if (status != NI_OK)
			return fail(b, status, "index",
				    ni_indexer_errmsg(l->indexer));
		if (l) {
			l->own_counts.added--;
			l->own_counts.related -= f->n_related;
			l->own_counts.duplicates++;
		}
		size_t kept = i;
		ni_strmap_get(&b->claimed, f->lost_key, strlen(f->lost_key),
			      &kept);
		if (b->cb->duplicate)
			b->cb->duplicate(b->cb->ctx, f->path, f->lost_key,
					 b->found[kept].path);
	}
	ni_status status = NI_OK;
	for (size_t j = 0; status == NI_OK && j < b->n_lanes; j++) {
		struct lane *l = b->lanes[j];
		const char *keys;
		size_t len;
		ni_indexer_take_lost(l->indexer, &keys, &len);
		status = restore_keys(b, l, keys, len, NULL);
		const char *why = ni_buf_str(&l->own_errmsg);
		if (status != NI_OK && *why)
			ni_buf_addf(b->errmsg, "%s", why);
		else if (status != NI_OK)
			fail(b, status, "cannot bring back related records",
			     ni_db_errmsg(l->db));
	}
	return status;
}

/* Merge the parts into the (empty) index, then make keys unique again. */
static ni_status merge_lanes(struct builder *b)
{
	const char **parts = malloc(b->n_lanes * sizeof *parts);
	if (!parts)
		return fail(b, NI_ENOMEM, "cannot merge the parts of the build",
			    NULL);
	for (size_t j = 0; j < b->n_lanes; j++)
		parts[j] = b->lanes[j]->path;
	ni_status status = ni_db_adopt_parts(b->db, parts, b->n_lanes);
	free(parts);
	uint64_t removed = 0;
	if (status == NI_OK)
		status = ni_db_dedupe_keys(b->db, &removed);
	if (status != NI_OK)
		return fail(b, status, "cannot merge the parts of the build",
			    ni_db_errmsg(b->db));
	/* Only related records lose to a file or to each other. */
	b->counts->related -= removed < b->counts->related
		? removed : b->counts->related;
	return NI_OK;
}

/* Close, remove and free the parts (the analyzers last: parts share
 * them); NI_OK or why a part's work is lost. */
static ni_status drop_lanes(struct builder *b)
{
	ni_status status = NI_OK;
	for (size_t j = 0; j < b->n_lanes; j++) {
		ni_status closed = close_lane(b, b->lanes[j]);
		status = status == NI_OK ? closed : status;
		add_counts(b->counts, &b->lanes[j]->own_counts);
	}
	return status;
}

static void free_lanes(struct builder *b)
{
	for (size_t j = 0; j < b->n_lanes; j++) {
		struct lane *l = b->lanes[j];
		if (l->path)
			ni_db_remove_folder(l->path);
		free(l->path);
		ni_buf_release(&l->own_errmsg);
	}
	for (size_t j = 0; j < b->n_lanes; j++) {
		if (b->lanes[j]->owns_analyzer)
			ni_analyzer_free(b->lanes[j]->analyzer);
		free(b->lanes[j]);
	}
	free(b->lanes);
	b->lanes = NULL;
	b->n_lanes = b->cap_lanes = 0;
}

/*
 * The files a part of a parallel build of `files` files by `jobs`
 * writers takes: `wanted`, or as many more as keep the parts to
 * NI_BUILD_MAX_PARTS for each writer, and its last (a writer may take
 * more files than another: they are shared as the writers ask).
 */
static unsigned long part_files_of(unsigned long wanted, size_t files,
				   unsigned jobs)
{
	unsigned long most = NI_BUILD_MAX_PARTS * (unsigned long)jobs;
	unsigned long even = (unsigned long)(files / most) + 1;
	return wanted > even ? wanted : even;
}

static ni_status process_parallel(struct builder *b)
{
	unsigned n = b->options->jobs;
	struct lane *first[NI_BUILD_MAX_JOBS];
	unsigned opened = 0, started = 0;
	ni_status status = NI_OK;
	pthread_mutex_init(&b->mutex, NULL);
	atomic_init(&b->next, 0);
	b->part_files = part_files_of(b->options->part_files, b->n_found, n);
	for (; opened < n && status == NI_OK; opened++)
		status = add_lane(b, NULL, b->errmsg, &first[opened]);
	/* From here on, the threads share the builder. */
	b->parallel = true;
	for (; started < opened && status == NI_OK; started++)
		if (pthread_create(&first[started]->thread, NULL, run_lane,
				   first[started]) != 0)
			status = fail(b, NI_ENOMEM, "cannot start a thread",
				      NULL);
	if (status != NI_OK)
		atomic_store(&b->next, b->n_found);  /* the others stop */
	for (unsigned j = 0; j < started; j++)
		pthread_join(first[j]->thread, NULL);
	b->parallel = false;
	pthread_mutex_destroy(&b->mutex);
	/* A part that failed says why when it is closed. */
	for (size_t j = 0; status == NI_OK && j < b->n_lanes; j++)
		status = b->lanes[j]->status;
	if (status == NI_OK)
		status = drop_lost_files(b);
	/*
	 * The first part writes the spelling data of every part's words:
	 * each part wrote much the same words, and the merge had to join
	 * their spelling data again (a fifth of a build of 2,100 AG News
	 * files went to the spelling data of the parts and its merge).
	 */
	for (size_t j = 1; status == NI_OK && j < b->n_lanes; j++)
		if ((status = ni_db_give_words(b->lanes[j]->db,
					       b->lanes[0]->db)) != NI_OK)
			fail(b, status, "index",
			     ni_db_errmsg(b->lanes[j]->db));
	/* The lanes go with this call: no file is to point at one. */
	for (size_t i = 0; i < b->n_found; i++)
		b->found[i].lane = NULL;
	ni_status closed = drop_lanes(b);
	status = status == NI_OK ? closed : status;
	if (status == NI_OK && b->cb->progress) {
		b->counts->merging = true;
		b->cb->progress(b->cb->ctx, b->counts);
	}
	if (status == NI_OK)
		status = merge_lanes(b);
	free_lanes(b);
	return status;
}
/* ---- what a build of some paths keeps ------------------------------ */

ni_build_state *ni_build_state_new(void)
{
	return calloc(1, sizeof(ni_build_state));
}

static void free_known(struct known *known, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(known[i].path);
		free(known[i].key);
	}
	free(known);
}

/* Forget what the state knows: the next build reads the index. */
static void clear_state(ni_build_state *state)
{
	free_known(state->known, state->n_known);
	ni_strmap_release(&state->by_path);
	*state = (ni_build_state){0};
}

void ni_build_state_free(ni_build_state *state)
{
	if (!state)
		return;
	clear_state(state);
	free(state);
}

/* Take what the state knows of the index, instead of reading it. */
static void take_state(struct builder *b)
{
	ni_build_state *st = b->state;
	b->known = st->known;
	b->n_known = st->n_known;
	b->cap_known = st->cap_known;
	b->known_by_path = st->by_path;
	*st = (ni_build_state){.n_dead = st->n_dead};
}

/* Map each path to its live file again (after a sort, or dropping the
 * dead). */
static ni_status map_paths(struct builder *b)
{
	ni_strmap_release(&b->known_by_path);
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < b->n_known; i++)
		if (!b->known[i].dead)
			status = ni_strmap_put(&b->known_by_path,
					       b->known[i].path,
					       strlen(b->known[i].path), i);
	return status;
}

/* A file stored by this build, `f`, as the state is to know it. */
static ni_status keep_stored(struct builder *b, struct found *f,
			     bool *sorted)
{
	size_t at;
	struct known *k = NULL;
	if (ni_strmap_get(&b->known_by_path, f->path, strlen(f->path), &at) &&
	    !b->known[at].dead)
		k = &b->known[at];
	if (k && k->docid == f->docid) {
		free(k->key);
		k->key = f->stored_key;
		f->stored_key = NULL;
		k->stamp = f->stored;
		k->old_stamp = false;
		k->kept = true;
		return NI_OK;
	}
	if (k) {
		k->dead = true;
		b->state->n_dead++;
	}
	if (ni_grow(&b->known, &b->cap_known, b->n_known + 1,
		    sizeof *b->known) != NI_OK)
		return NI_ENOMEM;
	k = &b->known[b->n_known];
	*k = (struct known){.docid = f->docid, .stamp = f->stored,
			    .path = strdup(f->path), .key = f->stored_key,
			    .kept = true};
	f->stored_key = NULL;
	b->n_known++;
	if (!k->path)
		return NI_ENOMEM;
	/* New documents come last, but a file may take the id of the
	 * related record whose key it has now. */
	if (b->n_known > 1 && k[-1].docid > k->docid)
		*sorted = false;
	return ni_strmap_put(&b->known_by_path, k->path, strlen(k->path),
			     b->n_known - 1);
}

/*
 * After a build of some paths, what the index has of its files is what
 * the state had, but the documents this build deleted and stored: kept
 * for the next (nothing of the index read again).  A document another
 * file took (its key: ni_db_replace keeps its id) is that file's now.
 * The dead are dropped once they are half.
 */
static ni_status keep_state(struct builder *b)
{
	ni_build_state *st = b->state;
	bool sorted = true;
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < b->n_found; i++)
		if (b->found[i].stored_key)
			status = keep_stored(b, &b->found[i], &sorted);
	for (size_t i = 0; i < b->n_known; i++) {
		struct known *k = &b->known[i];
		if (!k->dead && !k->kept &&
		    (k->dropped || was_written(b, k->docid))) {
			k->dead = true;
			st->n_dead++;
		}
		k->seen = k->dropped = k->kept = false;
	}
	bool compact = st->n_dead > b->n_known / 2 + 1024;
	if (status == NI_OK && compact) {
		size_t kept = 0;
		for (size_t i = 0; i < b->n_known; i++) {
			if (!b->known[i].dead) {
				b->known[kept++] = b->known[i];
				continue;
			}
			free(b->known[i].path);
			free(b->known[i].key);
		}
		b->n_known = kept;
		st->n_dead = 0;
	}
	if (status == NI_OK && !sorted)
		qsort(b->known, b->n_known, sizeof *b->known, compare_known);
	if (status == NI_OK && (compact || !sorted))
		status = map_paths(b);
	if (status != NI_OK)
		return status;
	st->known = b->known;
	st->n_known = b->n_known;
	st->cap_known = b->cap_known;
	st->by_path = b->known_by_path;
	st->loaded = true;
	b->known = NULL;
	b->n_known = b->cap_known = 0;
	b->known_by_path = (struct ni_strmap)NI_STRMAP_INIT;
	return NI_OK;
}

static void release(struct builder *b)
{
	for (size_t i = 0; i < b->n_known; i++) {
		free(b->known[i].path);
		free(b->known[i].key);
	}
	free(b->known);
	for (size_t i = 0; i < b->n_found; i++) {
		free(b->found[i].path);
		free(b->found[i].lost_key);
		free(b->found[i].stored_key);
	}
	free(b->found);
	for (size_t i = 0; i < b->n_unwalked; i++)
		free(b->unwalked[i]);
	free(b->unwalked);
	for (size_t i = 0; i < b->n_scope; i++)
		free(b->scope[i]);
	free(b->scope);
	free(b->written);
	ni_strmap_release(&b->known_by_path);
	ni_strmap_release(&b->claimed);
	ni_indexer_free(b->main.indexer);
}

/*
 * A build of `sources`, whole, or when `paths` is not NULL, of the
 * `n_paths` paths (ni_build_paths) with what `dups` says.
 */
static ni_status build(ni_db *db, ni_analyzer *analyzer,
		       const char *const *sources, size_t n_sources,
		       const char *const *paths, size_t n_paths,
		       struct ni_build_duplicate *dups, size_t n_dups,
		       ni_build_state *state,
		       const struct ni_build_options *options,
		       const struct ni_build_callbacks *callbacks,
		       struct ni_build_counts *counts, struct ni_buf *errmsg)
{
	struct ni_build_options o = *options;
	if (!o.max_file_bytes)
		o.max_file_bytes = NI_DEFAULT_MAX_FILE_BYTES;
	if (!o.commit_every)
		o.commit_every = NI_BUILD_COMMIT_EVERY;
	if (!o.part_files)
		o.part_files = NI_BUILD_PART_FILES;
	if (!o.racy_ns)
		o.racy_ns = NI_BUILD_RACY_NS;
	memset(counts, 0, sizeof *counts);
	if (o.jobs > NI_BUILD_MAX_JOBS)
		o.jobs = NI_BUILD_MAX_JOBS;
	struct timespec started;
	clock_gettime(CLOCK_REALTIME, &started);
	struct builder b = {.db = db, .options = &o, .cb = callbacks,
			    .counts = counts, .errmsg = errmsg,
			    .racy_since_ns = ns_of(&started) - o.racy_ns};
	b.main.db = db;
	b.paths = paths;
	b.n_paths = n_paths;
	b.dups = dups;
	b.n_dups = n_dups;
	b.state = paths ? state : NULL;
	b.main.counts = counts;
	b.main.errmsg = errmsg;
	ni_status status = ni_indexer_new(db, analyzer, &b.main.indexer);
	/* A sharded build killed between its shards' commits. */
	uint64_t orphans = 0;
	if (status == NI_OK) {
		status = ni_db_repair_shards(db, &orphans, &b.torn);
		if (status != NI_OK)
			fail(&b, status, "cannot repair the shards",
			     ni_db_errmsg(db));
	}
	/* Torn shards: the state may not say what each shard has. */
	if (status == NI_OK && b.state && b.state->loaded && !b.torn)
		take_state(&b);
	else if (b.state)
		clear_state(b.state);
	if (status == NI_OK) {
		ni_indexer_set_max_file_bytes(b.main.indexer,
					      o.max_file_bytes);
		ni_indexer_set_max_field_words(b.main.indexer,
					       o.max_field_words);
		if (!b.known)
			status = load_known(&b);
	}
	if (status == NI_OK)
		status = read_data_version(&b);
	/* Torn shards, or documents of an older data: every file is
	 * to be read again, as a whole build does. */
	if (status == NI_OK && (b.torn || b.old_data)) {
		b.paths = NULL;
		b.state = NULL;
	}
	if (status == NI_OK) {
		remove_leftover_parts(&b);
		status = b.paths ? walk_paths(&b, sources, n_sources)
				 : walk(&b, sources, n_sources);
	}
	if (status == NI_OK)
		status = claim_unchanged(&b);
	if (status == NI_OK && callbacks->progress)
		callbacks->progress(callbacks->ctx, counts);
	if (status == NI_OK)
		status = mark_restore_pending(&b);
	if (status == NI_OK)
		status = wants_parallel(&b) ? process_parallel(&b)
					    : process_all(&b);
	/* Stopped early, the walk still saw every file: what is gone is. */
	if (status == NI_OK && b.paths)
		status = delete_vanished_paths(&b);
	else if (status == NI_OK)
		status = delete_vanished(&b, sources, n_sources);
	if (status == NI_OK && !counts->stopped)
		status = restore_lost(&b);
	if (status == NI_OK)
		status = remember(&b, sources, n_sources);
	if (status == NI_OK && b.torn && settled(&b, sources, n_sources))
		ni_db_shards_settled(db);
	/* Again at the end: a first build's parts replace its metadata. */
	if (status == NI_OK && (b.was_empty ||
				(b.old_data && settled(&b, sources, n_sources))) &&
	    ni_db_set_metadata(db, NI_META_DATA, NI_DATA_VERSION) != NI_OK)
		status = fail(&b, NI_EDB, "index", ni_db_errmsg(db));
	if (status == NI_OK && ni_db_commit(db) != NI_OK)
		status = fail(&b, NI_EDB, "cannot commit to the index",
			      ni_db_errmsg(db));
	if (status == NI_OK && b.state && keep_state(&b) != NI_OK)
		status = fail(&b, NI_ENOMEM, "cannot keep what the index has",
			      NULL);
	release(&b);
	return status;
}

ni_status ni_build(ni_db *db, ni_analyzer *analyzer,
		   const char *const *sources, size_t n_sources,
		   const struct ni_build_options *options,
		   const struct ni_build_callbacks *callbacks,
		   struct ni_build_counts *counts, struct ni_buf *errmsg)
{
	return build(db, analyzer, sources, n_sources, NULL, 0, NULL, 0,
		     NULL, options, callbacks, counts, errmsg);
}

ni_status ni_build_paths(ni_db *db, ni_analyzer *analyzer,
			 const char *const *sources, size_t n_sources,
			 const char *const *paths, size_t n_paths,
			 struct ni_build_duplicate *dups, size_t n_dups,
			 ni_build_state *state,
			 const struct ni_build_options *options,
			 const struct ni_build_callbacks *callbacks,
			 struct ni_build_counts *counts,
			 struct ni_buf *errmsg)
{
	/* No path: a build of nothing, not of everything. */
	static const char *const none[] = {""};
	return build(db, analyzer, sources, n_sources,
		     paths && n_paths ? paths : none, n_paths, dups,
		     n_dups, state, options, callbacks, counts, errmsg);
}
