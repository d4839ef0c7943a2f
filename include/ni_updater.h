/*
 * ni_updater.h - keep an index up to date with its sources, one batch
 * of changed paths at a time: what `newsindex watch` runs on each batch
 * of inotify events.
 *
 * An updater is a whole build (ni_build) first, then builds of the
 * paths that changed (ni_build_paths), each committed at its end, so
 * that readers see it.  Between them it remembers the duplicates the
 * builds reported (files not in the index because another file has
 * their URL): a whole build reads those each time, and a build of some
 * paths must read them again when the file that had their URL changes
 * or goes.  It also keeps what the index has of its files
 * (ni_build_state), so that a batch costs its files, not a read of the
 * whole index; nothing else may write the index meanwhile (it holds the
 * index's lock, as ni_db does).  Whatever the batches, the index is what
 * ni_build() would make of the same files.
 *
 * Ownership: the updater borrows the ni_db and ni_analyzer given to
 * ni_updater_new(), which must outlive it; it copies the sources.
 * Callbacks and their paths are as for ni_build().
 */
#ifndef NI_UPDATER_H
#define NI_UPDATER_H

#include <stddef.h>

#include "ni_analyzer.h"
#include "ni_builder.h"
#include "ni_status.h"
#include "ni_xapian.h"

typedef struct ni_updater ni_updater;

/*
 * An updater of `db` (open for writing) from `sources` (absolute
 * paths), with `options` (copied; `jobs` is taken as 1 for a build of
 * some paths) and `callbacks` (copied; the pointers they hold must
 * outlive the updater).  The caller frees `*out` with
 * ni_updater_free().  NI_ENOMEM.
 */
ni_status ni_updater_new(ni_db *db, ni_analyzer *analyzer,
			 const char *const *sources, size_t n_sources,
			 const struct ni_build_options *options,
			 const struct ni_build_callbacks *callbacks,
			 ni_updater **out);

void ni_updater_free(ni_updater *updater);

/*
 * A whole build of the sources (ni_build()): the first, and after
 * anything that may have been missed (the kernel's queue overflowed).
 * `options->stop` stops it.  Statuses, counts and `errmsg` as for
 * ni_build().
 */
ni_status ni_updater_build(ni_updater *updater,
			   struct ni_build_counts *counts,
			   struct ni_buf *errmsg);

/*
 * Bring the index up to date with the `n` `paths` (files or folders
 * under the sources, created, changed or gone) and commit
 * (ni_build_paths()), reading again the duplicates it may free.  Not
 * stopped by `options->stop`: a batch is done whole.  Statuses, counts
 * and `errmsg` as for ni_build().
 */
ni_status ni_updater_paths(ni_updater *updater, const char *const *paths,
			   size_t n, struct ni_build_counts *counts,
			   struct ni_buf *errmsg);

/* How many duplicates the updater remembers. */
size_t ni_updater_duplicates(const ni_updater *updater);

#endif
