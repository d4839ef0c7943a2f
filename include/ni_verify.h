/*
 * ni_verify.h - compare an index with the article files it was built
 * from, as newsindex check does.
 *
 * An index brought up to date holds what a first build of the same
 * files would (docs/schema.md).  ni_verify_files() walks the sources the
 * index remembers, as a build does (ni_walk.h), reads every article file
 * the index has a document of and every file it has none of, and says
 * where the two differ:
 *
 *   - a file whose key (its URL, else its path) is not its document's,
 *     that is not an article now (empty, invalid), or whose article
 *     reads otherwise than its document (title, date, ... : the data of
 *     ni_docdata.h), or whose size and modification time are not those
 *     its document records;
 *   - a document whose file is gone from a source, is reached by the
 *     walk under another path (its folder is walked through a link
 *     first), or is under no source of the index;
 *   - an article file with no document and no other file's article
 *     with its key;
 *   - a source or folder that cannot be read.
 *
 * Only files whose status changed (ctime) before the last build ended
 * (NI_META_LAST_BUILD; of a sharded index, the earliest of its shards')
 * are compared: what changed since is for the next build to read, not
 * a problem, and is only counted.  The sources are those of the index,
 * or of all its shards.  When the last build did not finish
 * (NI_META_RESTORE is pending) or a shard is remote, nothing is
 * compared, and counts->not_compared says why.  Related records are
 * ni_db_check()'s (ni_xapian.h).
 *
 * Problems are appended to a report, a line each ("file PATH ...",
 * "source PATH ...", "folder PATH ..."), naming the file and the key;
 * keys and paths come from files and are not escaped.  Nothing is
 * printed.
 */
#ifndef NI_VERIFY_H
#define NI_VERIFY_H

#include <stdint.h>

#include "ni_buf.h"
#include "ni_status.h"
#include "ni_xapian.h"

struct ni_verify_counts {
	uint64_t problems;   /* lines added to the report */
	uint64_t compared;   /* article files read and compared */
	uint64_t changed;    /* files changed since the last build: not
				compared */
	/* Why no file was compared, or NULL: the last build did not
	 * finish (a build stopped or killed: what it did not do is for
	 * the next), or a shard is remote (its files are its host's). */
	const char *not_compared;
};

/*
 * Compare `db` (open for reading; one index, or a sharded one as a
 * whole) with the files under its sources, adding a line to `report`
 * for each problem and counting in *counts.  NI_OK when the comparison
 * ran (look at counts->problems); NI_ENOMEM, or an index failure with
 * `errmsg` appended to.
 */
ni_status ni_verify_files(ni_db *db, struct ni_verify_counts *counts,
			  struct ni_buf *report, struct ni_buf *errmsg);

#endif
