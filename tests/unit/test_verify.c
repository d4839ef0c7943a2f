/*
 * Unit tests for lib/index/verify.c: newsindex check's comparison of an index
 * with its files.  Each test builds an index of a small folder
 * (ni_build), then breaks it by hand: a file changed after the build
 * while the index says a later build ran (NI_META_LAST_BUILD moved to
 * 2999, so that the change counts as one that build missed), a folder
 * link added, the sources rewritten.  Each kind of drift must be said in
 * its one line, naming the file and the key; a sound index, and a file
 * changed since the last build, in none.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ni_analyzer.h"
#include "ni_builder.h"
#include "ni_stamp.h"
#include "ni_verify.h"
#include "ni_xapian.h"

struct fixture {
	char dir[64];
	char db_path[128];
	char src[128];
	ni_db *db;
	ni_analyzer *analyzer;
	struct ni_buf report;
	struct ni_verify_counts counts;
};

static int setup_with(void **state, size_t shards)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	strcpy(f->dir, "/tmp/ni-test-verify-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db_path, sizeof f->db_path, "%s/db", f->dir);
	snprintf(f->src, sizeof f->src, "%s/src", f->dir);
	assert_int_equal(mkdir(f->src, 0755), 0);
	assert_int_equal(ni_analyzer_new(&f->analyzer), NI_OK);
	if (shards)
		assert_int_equal(ni_db_create_sharded(f->db_path, shards,
						      ni_analyzer_settings(),
						      NULL), NI_OK);
	assert_int_equal(ni_db_open(f->db_path, NI_DB_WRITE,
				    ni_analyzer_settings(), &f->db, NULL),
			 NI_OK);
	f->report = (struct ni_buf)NI_BUF_INIT;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, 0);
}

static int setup_sharded(void **state)
{
	return setup_with(state, 3);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	ni_db_close(f->db, NULL);
	ni_analyzer_free(f->analyzer);
	ni_buf_release(&f->report);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* SRC/name, in `out`. */
static const char *src_path(const struct fixture *f, const char *name,
			    char out[256])
{
	snprintf(out, 256, "%s/%s", f->src, name);
	return out;
}

static void write_file(const struct fixture *f, const char *name,
		       const char *text)
{
	char path[256];
	FILE *out = fopen(src_path(f, name, path), "w");
	assert_non_null(out);
	fputs(text, out);
	assert_int_equal(fclose(out), 0);
}

/* Write `text` to the file, putting its modification time back. */
static void rewrite_keeping_mtime(const struct fixture *f, const char *name,
				  const char *text)
{
	char path[256];
	struct stat st;
	assert_int_equal(stat(src_path(f, name, path), &st), 0);
	write_file(f, name, text);
	struct timespec times[2] = {st.st_atim, st.st_mtim};
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static void build(struct fixture *f)
{
	const char *sources[] = {f->src};
	struct ni_build_options o = {0};
	struct ni_build_callbacks cb = {0};
	struct ni_build_counts counts;
	struct ni_buf errmsg = NI_BUF_INIT;
	ni_status st = ni_build(f->db, f->analyzer, sources, 1, &o, &cb,
				&counts, &errmsg);
	if (st != NI_OK)
		fail_msg("build failed: %s", ni_buf_str(&errmsg));
	ni_buf_release(&errmsg);
}

/* The index says a build ran after every change made so far. */
static void later_build(struct fixture *f)
{
	assert_int_equal(ni_db_set_metadata(f->db, NI_META_LAST_BUILD,
					     "2999-01-01T00:00:00Z"), NI_OK);
	assert_int_equal(ni_db_commit(f->db), NI_OK);
}

static void verify(struct fixture *f)
{
	struct ni_buf errmsg = NI_BUF_INIT;
	ni_buf_reset(&f->report);
	ni_status st = ni_verify_files(f->db, &f->counts, &f->report,
				       &errmsg);
	if (st != NI_OK)
		fail_msg("verify failed: %s", ni_buf_str(&errmsg));
	ni_buf_release(&errmsg);
}

/* The report is exactly `lines`, each SRC in them standing for the
 * folder of the files, with `n` problems. */
static void assert_report_n(const struct fixture *f, const char *lines,
			    uint64_t n)
{
	struct ni_buf want = NI_BUF_INIT;
	for (const char *at; (at = strstr(lines, "SRC")); lines = at + 3)
		ni_buf_addf(&want, "%.*s%s", (int)(at - lines), lines,
			    f->src);
	ni_buf_addf(&want, "%s", lines);
	assert_string_equal(ni_buf_str(&f->report), ni_buf_str(&want));
	assert_int_equal(f->counts.problems, n);
	ni_buf_release(&want);
}

static void assert_report(const struct fixture *f, const char *line)
{
	char lines[512];
	snprintf(lines, sizeof lines, "%s\n", line);
	assert_report_n(f, lines, 1);
}

#define ALPHA "---\ntitle: alpha\nwebUrl: https://x/a\n---\n"
#define BRAVO "---\ntitle: bravo\nwebUrl: https://x/b\n---\n"

static void test_sound_index(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", ALPHA);
	write_file(f, "b.txt", BRAVO);
	write_file(f, "c.txt", "---\ntitle: no url\n---\n");
	/* Neither a duplicate nor a file that is no article is a
	 * problem: builds skip them too. */
	write_file(f, "dup.txt", "---\ntitle: again\nwebUrl: https://x/a\n"
		   "---\n");
	write_file(f, "empty.txt", "");
	build(f);
	later_build(f);
	verify(f);
	assert_string_equal(ni_buf_str(&f->report), "");
	assert_int_equal(f->counts.problems, 0);
	assert_int_equal(f->counts.compared, 5);
	assert_int_equal(f->counts.changed, 0);
}

/* What changed since the last build is for the next to read. */
static void test_changes_since_the_last_build(void **state)
{
	struct fixture *f = *state;
	char path[256];
	write_file(f, "a.txt", ALPHA);
	write_file(f, "b.txt", BRAVO);
	build(f);
	write_file(f, "a.txt", BRAVO);
	assert_int_equal(unlink(src_path(f, "b.txt", path)), 0);
	write_file(f, "new.txt", "---\ntitle: new\n---\n");
	verify(f);
	assert_string_equal(ni_buf_str(&f->report), "");
	assert_int_equal(f->counts.changed, 3);
	assert_int_equal(f->counts.compared, 0);
}

/* A file given another key before a build that did not read it. */
static void test_key_changed_keeping_stamp(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", ALPHA);
	build(f);
	rewrite_keeping_mtime(f, "a.txt",
			      "---\ntitle: alpha\nwebUrl: https://x/c\n---\n");
	later_build(f);
	verify(f);
	assert_report(f, "file SRC/a.txt holds https://x/c now, but its "
		      "article is still indexed as https://x/a");
}

/*
 * The index records the stat data the file at `name` has now as the
 * stamp of the article `key`, settled or `racy`: as if a change had
 * kept its size, times and inode.
 */
static void stamp_as_now(struct fixture *f, const char *name,
			 const char *key, bool racy)
{
	char path[256];
	struct stat st;
	assert_int_equal(stat(src_path(f, name, path), &st), 0);
	struct ni_file_stamp stamp = ni_stamp_of_stat(&st);
	stamp.racy = racy;
	uint32_t docid = 0;
	assert_int_equal(ni_db_find(f->db, key, &docid, NULL), NI_OK);
	assert_true(docid > 0);
	struct ni_buf value = NI_BUF_INIT;
	assert_int_equal(ni_stamp_format(&stamp, path, key, &value), NI_OK);
	assert_int_equal(ni_db_set_text(f->db, docid, NI_SLOT_FILE,
					value.data, value.len), NI_OK);
	ni_buf_release(&value);
}

/* Changed, keeping its stat data: no build can tell, check does. */
static void test_text_changed_keeping_stamp(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", ALPHA);
	build(f);
	write_file(f, "a.txt", "---\ntitle: ALPHA\nwebUrl: https://x/a\n"
		   "---\n");
	stamp_as_now(f, "a.txt", "https://x/a", false);
	later_build(f);
	verify(f);
	assert_report(f, "file SRC/a.txt changed, keeping its size, times "
		      "and inode: its article https://x/a is out of date");
}

/* The same with a racy stamp: the next build compares the bytes. */
static void test_text_changed_keeping_racy_stamp(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", ALPHA);
	build(f);
	write_file(f, "a.txt", "---\ntitle: ALPHA\nwebUrl: https://x/a\n"
		   "---\n");
	stamp_as_now(f, "a.txt", "https://x/a", true);
	later_build(f);
	verify(f);
	assert_report_n(f, "", 0);
	assert_int_equal(f->counts.changed, 1);
}

/* Changed before a build that did not index it (issue 13, item 1). */
static void test_changed_not_indexed_again(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", ALPHA);
	build(f);
	write_file(f, "a.txt", "---\ntitle: alpha, longer\nwebUrl: "
		   "https://x/a\n---\n");
	later_build(f);
	verify(f);
	assert_report(f, "file SRC/a.txt changed before the last build, "
		      "which did not index it again: its article https://x/a "
		      "is out of date");
}

static void test_no_article_now(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", ALPHA);
	build(f);
	write_file(f, "a.txt", "---\n---\n");
	later_build(f);
	verify(f);
	assert_report(f, "file SRC/a.txt is not an article now (front matter "
		      "is empty), but its article https://x/a is still "
		      "indexed");
}

static void test_stale_stamp(void **state)
{
	struct fixture *f = *state;
	char path[256];
	write_file(f, "a.txt", ALPHA);
	build(f);
	struct timespec times[2] = {{1, 0}, {1, 0}};
	assert_int_equal(utimensat(AT_FDCWD, src_path(f, "a.txt", path),
				   times, 0), 0);
	later_build(f);
	verify(f);
	assert_report(f, "file SRC/a.txt is not the size, times or inode its "
		      "article https://x/a records (a stale stamp)");
}

static void test_gone(void **state)
{
	struct fixture *f = *state;
	char path[256];
	write_file(f, "a.txt", "---\ntitle: no url\n---\n");
	build(f);
	assert_int_equal(unlink(src_path(f, "a.txt", path)), 0);
	later_build(f);
	verify(f);
	assert_report(f, "file SRC/a.txt is gone, but its article SRC/a.txt "
		      "is still indexed");
}

static void test_not_indexed(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", ALPHA);
	build(f);
	write_file(f, "b.txt", BRAVO);
	later_build(f);
	verify(f);
	assert_report(f, "file SRC/b.txt is not indexed: no document has its "
		      "key https://x/b");
}

/*
 * d7/ is reached first through the link d3/l9 (name order), so a walk
 * skips d7/ as a folder walked already: its article indexed as
 * d7/f.txt is there twice.
 */
static void test_folder_walked_through_a_link(void **state)
{
	struct fixture *f = *state;
	char path[256], link[256];
	assert_int_equal(mkdir(src_path(f, "d7", path), 0755), 0);
	write_file(f, "d7/f.txt", "---\ntitle: no url\n---\n");
	build(f);
	assert_int_equal(mkdir(src_path(f, "d3", path), 0755), 0);
	assert_int_equal(symlink("../d7", src_path(f, "d3/l9", link)), 0);
	later_build(f);
	verify(f);
	/* The file under the link is new to the index: to be read. */
	assert_report_n(f, "file SRC/d7/f.txt is not walked (a link leads to "
			"its folder first), but its article SRC/d7/f.txt is "
			"indexed\n"
			"file SRC/d3/l9/f.txt is not indexed: no document has "
			"its key SRC/d3/l9/f.txt\n", 2);
}

static void test_sources(void **state)
{
	struct fixture *f = *state;
	char other[256];
	write_file(f, "a.txt", ALPHA);
	build(f);
	snprintf(other, sizeof other, "%s/elsewhere\n", f->dir);
	assert_int_equal(ni_db_set_metadata(f->db, NI_META_SOURCES, other),
			 NI_OK);
	later_build(f);
	verify(f);
	char want[1024];
	snprintf(want, sizeof want, "source %s/elsewhere cannot be read (No "
		 "such file or directory): its articles are not compared\n"
		 "file %s/a.txt is under no source of the index, but its "
		 "article https://x/a is indexed\n", f->dir, f->src);
	assert_string_equal(ni_buf_str(&f->report), want);
	assert_int_equal(f->counts.problems, 2);
}

/* A sharded index is compared as a whole. */
static void test_sharded(void **state)
{
	struct fixture *f = *state;
	write_file(f, "a.txt", ALPHA);
	write_file(f, "b.txt", BRAVO);
	write_file(f, "c.txt", "---\ntitle: no url\n---\n");
	build(f);
	later_build(f);
	verify(f);
	assert_string_equal(ni_buf_str(&f->report), "");
	assert_int_equal(f->counts.compared, 3);
	rewrite_keeping_mtime(f, "b.txt",
			      "---\ntitle: bravo\nwebUrl: https://x/d\n---\n");
	verify(f);
	assert_report(f, "file SRC/b.txt holds https://x/d now, but its "
		      "article is still indexed as https://x/b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sound_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_changes_since_the_last_build, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_key_changed_keeping_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_text_changed_keeping_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_text_changed_keeping_racy_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_changed_not_indexed_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_article_now, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stale_stamp, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_indexed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_folder_walked_through_a_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sources, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sharded, setup_sharded,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
