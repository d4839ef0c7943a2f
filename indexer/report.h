/*
 * report.h - how newsindex build and watch say what a build did to
 * each file: a skipped file and why, a duplicate, a folder that could
 * not be read, on stderr (the builder's callbacks, ni_builder.h), and
 * the progress line they keep on a terminal.
 */
#ifndef NEWSINDEX_REPORT_H
#define NEWSINDEX_REPORT_H

#include <stdbool.h>
#include <time.h>

#include "ni_builder.h"
#include "progress.h"

/* The callbacks' context. */
struct reporter {
	const char *db_path;  /* the index, as the user named it */
	bool quiet;
	bool progress;
	bool terminal;        /* stderr is one: the line is redrawn */
	bool progress_shown;
	struct timespec start;
	/* When files began to be read (the walk done); the last plain
	 * line's time, both in seconds since start. */
	struct progress_clock reading;
	double last_line;
};

/* Seconds on the monotonic clock since `start`. */
double seconds_since(const struct timespec *start);

/* Erase the progress line, when one is shown, before another line. */
void clear_progress(struct reporter *r);

/* The builder's callbacks (struct ni_build_callbacks), `ctx` a
 * struct reporter. */
void report_file(void *ctx, const char *path,
		 const struct ni_index_result *res);
void report_duplicate(void *ctx, const char *path, const char *key,
		      const char *first_path);
void report_problem(void *ctx, const char *path, int errnum,
		    bool is_source);

#endif
