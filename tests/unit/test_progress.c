/*
 * Tests of newsindex build's progress line (indexer/progress.c): the
 * rate counted from when files began to be read, no estimate in the
 * first 2 s, unchanged files neither counted nor waited for, the merge
 * said.  Moments are given, not measured: nothing here depends on time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>

#include "progress.h"

/* The line for `c` at `now` (static). */
static const char *line(struct progress_clock *clock,
			const struct ni_build_counts *c, double now)
{
	static char text[200];
	struct ni_buf out = NI_BUF_INIT;
	progress_format(clock, c, now, &out);
	snprintf(text, sizeof text, "%s", ni_buf_str(&out));
	ni_buf_release(&out);
	return text;
}

static void test_rate_from_when_reading_began(void **state)
{
	(void)state;
	struct progress_clock clock = {0};
	struct ni_build_counts c = {.files = 20000, .to_read = 20000};
	/* The walk and the lock took 30 s: reading begins now. */
	assert_string_equal(line(&clock, &c, 30.0), "0/20000 files");
	/* No estimate in the first 2 s of reading. */
	c.done = 500;
	assert_string_equal(line(&clock, &c, 31.9), "500/20000 files");
	/* Then 1,000 files in 2 s: 500 a second, 19,000 left, 0:38. */
	c.done = 1000;
	assert_string_equal(line(&clock, &c, 32.0),
			    "1000/20000 files, 500 files/s, 0:38 left");
	c.done = 5000;
	assert_string_equal(line(&clock, &c, 40.0),
			    "5000/20000 files, 500 files/s, 0:30 left");
	/* Minutes and seconds. */
	c.done = 5500;
	assert_string_equal(line(&clock, &c, 130.0),
			    "5500/20000 files, 55 files/s, 4:23 left");
	/* Nothing left to read: no time left said. */
	c.done = 20000;
	assert_string_equal(line(&clock, &c, 140.0),
			    "20000/20000 files, 182 files/s");
}

static void test_unchanged_files_are_not_read(void **state)
{
	(void)state;
	struct progress_clock clock = {0};
	/* 9,000 unchanged files, 1,000 to read. */
	struct ni_build_counts c = {.files = 10000, .to_read = 1000};
	assert_string_equal(line(&clock, &c, 5.0), "0/10000 files");
	/* All unchanged so far: nothing read, no rate to say. */
	c.done = c.unchanged = 6000;
	assert_string_equal(line(&clock, &c, 9.0), "6000/10000 files");
	/* 200 read in 10 s: 20 a second, 800 to read, 0:40 left. */
	c.done = 6200;
	assert_string_equal(line(&clock, &c, 15.0),
			    "6200/10000 files, 20 files/s, 0:40 left");
}

static void test_the_merge_is_said(void **state)
{
	(void)state;
	struct progress_clock clock = {0};
	struct ni_build_counts c = {.files = 3000, .to_read = 3000,
				    .done = 3000, .merging = true};
	assert_string_equal(line(&clock, &c, 50.0),
			    "3000/3000 files, merging the parts of the build");
	/* The merge does not start the reading clock. */
	assert_false(clock.started);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_from_when_reading_began),
		cmocka_unit_test(test_unchanged_files_are_not_read),
		cmocka_unit_test(test_the_merge_is_said),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
