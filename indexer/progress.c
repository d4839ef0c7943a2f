/* The progress line of newsindex build: see progress.h. */
#include "progress.h"

/* No time left before files have been read this long: a few seconds
 * say little (the first commit has not been paid for yet). */
#define ESTIMATE_AFTER_SECONDS 2.0

void progress_format(struct progress_clock *clock,
		     const struct ni_build_counts *c, double now,
		     struct ni_buf *out)
{
	if (c->merging) {
		ni_buf_addf(out, "%lu/%lu files, merging the parts of the "
			    "build", c->done, c->files);
		return;
	}
	unsigned long read = c->done - c->unchanged;
	if (!clock->started) {
		clock->reading = now;
		clock->started = true;
	}
	double seconds = now - clock->reading;
	double rate = seconds > 0 ? (double)read / seconds : 0;
	ni_buf_addf(out, "%lu/%lu files", c->done, c->files);
	if (seconds < ESTIMATE_AFTER_SECONDS || rate <= 0)
		return;
	ni_buf_addf(out, ", %.0f files/s", rate);
	if (read < c->to_read) {
		unsigned long left = (unsigned long)((double)(c->to_read -
							      read) / rate);
		ni_buf_addf(out, ", %lu:%02lu left", left / 60, left % 60);
	}
}
