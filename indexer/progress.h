/*
 * progress.h - the progress line of newsindex build, apart from the
 * clock and the terminal so that a test can give it any moment.
 */
#ifndef NEWSINDEX_PROGRESS_H
#define NEWSINDEX_PROGRESS_H

#include <stdbool.h>

#include "ni_buf.h"
#include "ni_builder.h"

/* When files began to be read: the first progress_format() call, which
 * comes once the walk has listed them all. */
struct progress_clock {
	bool started;
	double reading;      /* seconds, on the caller's clock */
};

/*
 * Append to `out` the progress of a build at `now` (seconds on a
 * monotonic clock): "1234/200000 files", and once files have been read
 * for 2 s (sooner, the rate says little: the first commit is not paid
 * for yet) ", 3456 files/s, 0:52 left".  The rate is that of files read
 * since reading began, not since the program started (the walk and the
 * lock took their own time); the time left is the files still to read at
 * that rate: unchanged files are neither read nor waited for, wherever
 * they are in the walk.  A parallel build's merge comes after the last
 * file: said ("1234/1234 files, merging the parts of the build"), not
 * estimated.  The first call starts `clock`, which starts zeroed.
 */
void progress_format(struct progress_clock *clock,
		     const struct ni_build_counts *c, double now,
		     struct ni_buf *out);

#endif
