/*
 * ni_builder.h - bring an index up to date with the article files under
 * its sources, doing only what changed.
 *
 * A build walks the sources (ni_walk.h) and, for each article file:
 *   - unchanged (the same modification and status change times, size
 *     and inode as when it was read, remembered in the document; and
 *     when that stamp was racy, the same bytes): skipped without being
 *     read (parsed);
 *   - new or changed: indexed (ni_document.h), replacing the article with
 *     the same key; if its key changed, the old document goes;
 *   - changed and no longer an article (empty, invalid, unreadable):
 *     skipped, and its article goes, as a first build would not have
 *     it;
 *   - a second file with a key (URL) an earlier file of this build already
 *     had: reported as a duplicate and not indexed (an article the index
 *     had of it under another key goes), so one file wins and the result
 *     does not depend on which changed last.  "Earlier" is the
 *     walk's order, also when parallel writers read the later file first
 *     (its documents then go): one writer and several give one index.
 * Then every article whose file was under a walked source and is gone is
 * deleted, with its related records.  A source that could not be walked
 * deletes nothing: an unmounted disk must not empty the index.  Last,
 * the articles that list a related URL whose document went are indexed
 * again where a first build would now hold their record of it
 * (docs/schema.md, "Related records").
 *
 * Changes are committed every `commit_every` articles and at the end, so
 * a build that is killed loses at most that batch, and running it again
 * finishes the job: unchanged files are skipped, the rest indexed again.
 *
 * A sharded index (ni_db_create_sharded) is built the same way: the
 * index handle places each write in its shard, and a parallel first
 * build writes sharded parts merged shard by shard.  A build killed
 * between the commits of two shards is settled by the next: orphaned
 * related records are deleted (ni_db_repair_shards), and every file is
 * indexed again (a shard behind may have lost related records of an
 * article committed in another), its copies under other keys deleted.
 * Until a build has walked every source the index knows to the end, the
 * shards stay torn and the next build does the same.
 *
 * ni_build_paths() makes the same of the paths that changed, without
 * walking the rest (newsindex watch, through ni_updater.h).
 *
 * The builder never prints: it reports through callbacks.  Paths and
 * results passed to them are valid only during the call.
 */
#ifndef NI_BUILDER_H
#define NI_BUILDER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_document.h"
#include "ni_status.h"
#include "ni_xapian.h"

/* Metadata the builder keeps in the index. */
#define NI_META_SOURCES "app.sources"        /* absolute paths, '\n' */
#define NI_META_LAST_BUILD "app.last_build"  /* ISO 8601, UTC */
/* "pending" while a build runs: one that ended early left related
 * records to bring back (restore_lost in builder.c); "" when done. */
#define NI_META_RESTORE "app.restore"
/* The version of the stored data (ni_docdata.h) every document of the
 * index has: "4" reads dates as RSS and Unix time write them, "3" keeps
 * `lang` (and reads a provider or an image written as text), "2"
 * `image`; absent: older.  A build that
 * finds an older one reads every file again (no stamp is trusted) and,
 * once every file it knows was read, records NI_DATA_VERSION. */
#define NI_META_DATA "app.data"
#define NI_DATA_VERSION "4"

struct ni_build_options {
	size_t max_file_bytes;   /* 0: NI_DEFAULT_MAX_FILE_BYTES */
	unsigned commit_every;   /* 0: NI_BUILD_COMMIT_EVERY */
	/* When it becomes non-zero (a signal handler), the build stops at
	 * the next article and commits what it did.  May be NULL. */
	volatile sig_atomic_t *stop;
	/*
	 * Writers for a first build (an empty index, 2,000 files or more):
	 * each writes parts beside the index (PATH.part-N, a new one every
	 * `part_files` files), merged at the end by Xapian's compaction.
	 * 0 or 1: one writer.  At most NI_BUILD_MAX_JOBS.  Incremental
	 * builds always use one.
	 */
	unsigned jobs;
	/* Files a part of a parallel first build takes before its writer
	 * starts another part, or more to keep to NI_BUILD_MAX_PARTS
	 * parts for each writer; 0: NI_BUILD_PART_FILES. */
	unsigned long part_files;
	/* Words indexed per field; 0: NI_DEFAULT_MAX_FIELD_WORDS. */
	size_t max_field_words;
	/* A file changed (its ctime or mtime) less than this many ns
	 * before the build started, or later, gets a racy stamp (struct
	 * ni_file_stamp).  0: NI_BUILD_RACY_NS. */
	int64_t racy_ns;
};

#define NI_BUILD_MAX_JOBS 16

/*
 * How recent a change makes a stamp racy: more than the coarsest file
 * system tick (FAT's 2 s) and the lag of the kernel's clock for file
 * times behind the build's clock (a few ms).
 */
#define NI_BUILD_RACY_NS 3000000000LL

/*
 * Articles written between commits.  Xapian keeps a batch in memory and
 * its cost per document grows with the batch: a few thousand is cheaper
 * than its default 10,000 (docs/benchmarks.md).
 */
#define NI_BUILD_COMMIT_EVERY 3000

/*
 * Files a part of a parallel first build takes, at most: its commits
 * cost more as its B-trees grow, and parts of a bounded size keep the
 * cost of a file the same at any size of the build (docs/benchmarks.md,
 * "the 1,000,000-article build").
 */
#define NI_BUILD_PART_FILES 100000

/*
 * Parts of a parallel first build, at most this many for each writer
 * (and one more each, its last): they stay open to the merge (some
 * 4 MB and a few file descriptors each), so a build of more than
 * jobs * NI_BUILD_MAX_PARTS * part_files files makes its parts larger
 * than part_files rather than more of them.
 */
#define NI_BUILD_MAX_PARTS 16

struct ni_build_counts {
	unsigned long files;       /* article files found */
	unsigned long to_read;     /* of them, new or changed: to be read */
	unsigned long done;        /* of them, dealt with so far (the
				      unchanged ones count, unread) */
	unsigned long added;
	unsigned long updated;
	unsigned long unchanged;
	unsigned long deleted;     /* articles whose file is gone, or
				      cannot be indexed now, or is a
				      duplicate now */
	unsigned long skipped;     /* files that could not be indexed */
	/* ... by kind (enum ni_skip); [NI_SKIP_NONE] stays 0 */
	unsigned long skipped_by[NI_SKIP_KINDS];
	unsigned long duplicates;  /* files whose URL an earlier one had */
	unsigned long warned;      /* indexed with a field dropped */
	unsigned long related;     /* related records written */
	unsigned long errors;      /* folders or sources not readable */
	unsigned long bad_sources; /* of the errors, named sources */
	bool stopped;              /* *options->stop ended it early */
	/* A parallel first build has read every file and is merging its
	 * parts into the index: the last stretch, of no files. */
	bool merging;
};

struct ni_build_callbacks {
	/* A file indexed with warnings, or skipped (result->indexed; why
	 * in result->skip and result->reason; result->dropped when its
	 * article was deleted).  A file listed by the walk and gone when
	 * read is skipped as NI_SKIP_VANISHED, and its article, if any,
	 * deleted: the build goes on. */
	void (*file)(void *ctx, const char *path,
		     const struct ni_index_result *result);
	/* A file whose key an earlier file of this build had. */
	void (*duplicate)(void *ctx, const char *path, const char *key,
			  const char *first_path);
	/* A source or folder that could not be read (ni_walk.h). */
	void (*problem)(void *ctx, const char *path, int errnum,
			bool is_source);
	/* Once when the walk is done (files and to_read known), every few
	 * hundred files, and when a parallel build starts merging. */
	void (*progress)(void *ctx, const struct ni_build_counts *counts);
	void *ctx;
};

/*
 * Bring `db` (open for writing) up to date with `sources` (absolute
 * paths), using `analyzer`, and remember the sources in the index's
 * metadata (NI_META_SOURCES, merged with those already there).
 * Returns NI_OK when the build ran to its end or was stopped (counts say
 * which); NI_ENOMEM or an index failure stops it, with `errmsg` appended
 * to (what was committed before stays).
 */
ni_status ni_build(ni_db *db, ni_analyzer *analyzer,
		   const char *const *sources, size_t n_sources,
		   const struct ni_build_options *options,
		   const struct ni_build_callbacks *callbacks,
		   struct ni_build_counts *counts, struct ni_buf *errmsg);

/*
 * What a build of some paths keeps of the index (its files' stamps,
 * paths and keys, as value slot 7 has them) for the next, so that a
 * build of a few files does not read that of every file again.  Only
 * builds of some paths of one index, one after another, may share one
 * (ni_updater does); it follows what they write, and nothing else: a
 * state is dropped (ni_build_state_free) when anything else may have
 * written the index.  A new one is empty: the first build reads the
 * index.  Caller frees with ni_build_state_free(); NULL when out of
 * memory.
 */
typedef struct ni_build_state ni_build_state;
ni_build_state *ni_build_state_new(void);
void ni_build_state_free(ni_build_state *state);

/* A file a build reported a duplicate of `key` (its callback). */
struct ni_build_duplicate {
	char *path;
	char *key;
	/* Set by ni_build_paths() when it read the file again. */
	bool read;
};

/*
 * Bring `db` up to date as ni_build() of `sources` would when the only
 * files that may have changed since the index was written are under
 * `paths` (absolute; files or folders, created, changed, or gone),
 * without walking the rest: what a watcher (newsindex watch) calls for
 * the paths its events named.  Every other file the index has is taken
 * as it has it (not even stat()ed); the paths are walked as a walk of
 * the sources would list them (a hidden one, a file whose name is not
 * an article's, a path under no source: nothing), and every article
 * of a file under one of them that is not found there now is deleted.
 * A path gone with its source (or above one) deletes nothing, as
 * ni_build() of a missing source does not.
 *
 * The same rules as ni_build(): unchanged files keep their key, the
 * files read claim theirs in the order a whole walk lists them,
 * duplicates are reported, related records the deletions took are
 * brought back.  A duplicate is not in the index, so a whole build
 * reads it each time and it takes its key once the file that had the
 * key changes it or goes: the caller gives the duplicates earlier
 * builds reported (`dups`, `n_dups`; may be none) and those whose key a
 * file under `paths` had are read again, in their place in the walk
 * (their `read` set): each is then the key's article, or reported a
 * duplicate again.
 * An index with torn shards or an older stored data is built whole
 * (ni_build()), as then every file is to be read.  The sources are
 * remembered as ni_build() does.  `state` (may be NULL: the index is
 * read) is what the last build of some paths kept, and keeps what this
 * one leaves; it is emptied when the build fails.  Statuses as for
 * ni_build().
 */
ni_status ni_build_paths(ni_db *db, ni_analyzer *analyzer,
			 const char *const *sources, size_t n_sources,
			 const char *const *paths, size_t n_paths,
			 struct ni_build_duplicate *dups, size_t n_dups,
			 ni_build_state *state,
			 const struct ni_build_options *options,
			 const struct ni_build_callbacks *callbacks,
			 struct ni_build_counts *counts,
			 struct ni_buf *errmsg);

/* What ni_build_forget() did. */
struct ni_forget_counts {
	unsigned long sources;   /* remembered sources forgotten */
	unsigned long deleted;   /* articles deleted */
	/* Articles under a forgotten source that stay: their file is also
	 * under a source still remembered (one inside it, or around it). */
	unsigned long kept;
};

/*
 * Stop indexing `sources` (absolute paths, each one of the remembered
 * sources, ni_build_sources()): delete every article whose file is under
 * one of them and under no other remembered source (and its related
 * records), and remove them from the remembered sources; `*counts` says
 * what was done.  A path that is not a remembered source (a file or
 * folder inside one would come back with its next build) changes
 * nothing: NI_EINVAL, with a line appended to `errmsg` for each such
 * path saying why.  NI_ENOMEM or an index failure, with `errmsg`
 * appended to.
 */
ni_status ni_build_forget(ni_db *db, const char *const *sources,
			  size_t n_sources, struct ni_forget_counts *counts,
			  struct ni_buf *errmsg);

/*
 * The sources remembered in `db`, as a list the caller frees with
 * ni_sources_free(); *n is 0 when there are none.
 */
ni_status ni_build_sources(ni_db *db, char ***sources, size_t *n);
void ni_sources_free(char **sources, size_t n);

#endif
