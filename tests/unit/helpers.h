/*
 * Helpers shared by unit tests (header only; include after cmocka.h).
 */
#ifndef NI_TEST_HELPERS_H
#define NI_TEST_HELPERS_H

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ni_buf.h"
#include "ni_xapian.h"

/* A test's own folder, and an index path in it. */
struct db_fixture {
	char dir[64];
	char path[128];   /* DIR/db */
};

/*
 * Set *state to a fixture with a new folder named after `template`
 * ("/tmp/...-XXXXXX"); the test fails if it cannot be made.
 */
static inline int make_fixture(void **state, const char *template)
{
	struct db_fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	snprintf(f->dir, sizeof f->dir, "%s", template);
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/db", f->dir);
	*state = f;
	return 0;
}

/* Remove the fixture's folder and all in it; system()'s status. */
static inline int remove_fixture(void **state)
{
	struct db_fixture *f = *state;
	char cmd[160];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc;
}

/* The index at `path` opened in `mode` with `analyzer`; the test fails
 * with the library's message if it cannot be. */
static inline ni_db *open_index(const char *path, enum ni_db_mode mode,
				const char *analyzer)
{
	ni_db *db = NULL;
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = ni_db_open(path, mode, analyzer, &db, &msg);
	if (st != NI_OK)
		fail_msg("open %s: %s", path, ni_buf_str(&msg));
	ni_buf_release(&msg);
	return db;
}

/*
 * The shard (from 1) of n where a sharded index places the document
 * with unique key `key`: FNV-1a 64 of the key's bytes, mod n, plus one.
 * Written again here, not taken from the library, so that a test sees
 * the wrapper place documents where the schema says.
 */
static inline size_t key_shard(const char *key, size_t n)
{
	uint64_t hash = 14695981039346656037ULL;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		hash ^= *p;
		hash *= 1099511628211ULL;
	}
	return (size_t)(hash % n) + 1;
}

/* Make `doc` a related record of the article with key `parent`, as the
 * indexer does (NI_FILTER_PARENT, and the NI_FILTER_RELATED mark). */
static inline void mark_related(ni_doc *doc, const char *parent)
{
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_PARENT, parent,
					   strlen(parent)), NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_RELATED, "", 0),
			 NI_OK);
}

/*
 * How many tests called skip_because(): tests_status() turns them into
 * the binary's exit status.
 */
static int tests_skipped;

/*
 * skip_because(WHY): this test cannot run here.  Says WHY on stdout
 * ("SKIP: WHY", which scripts/skipped reports) and ends the test as
 * cmocka's skip() does; the other tests still run, and tests_status()
 * then makes the binary exit 77, meson's SKIP: cmocka alone would exit
 * 0, and a machine without what a test needs would pass for one that
 * ran every check.
 */
#define skip_because(why) \
	do { \
		print_message("SKIP: %s\n", (why)); \
		tests_skipped++; \
		skip(); \
	} while (0)

/*
 * main's exit status from cmocka_run_group_tests()'s count of failed
 * tests: that count when one failed, else 77 when a test skipped, else 0.
 */
static inline int tests_status(int failed)
{
	return failed ? failed : tests_skipped ? 77 : 0;
}

/*
 * Set LC_NUMERIC to a locale whose decimal point is a comma (de_DE or
 * fr_FR, in UTF-8), for tests that numbers are read with '.' whatever
 * the locale says; skip_because() when none is installed (scripts/setup
 * generates de_DE.UTF-8).  The caller sets "C" back.
 */
static inline void use_decimal_comma_locale(void)
{
	static const char *const names[] = {
		"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (setlocale(LC_NUMERIC, names[i]))
			return;
	skip_because("no locale with a decimal comma (de_DE.UTF-8, "
		     "fr_FR.UTF-8) is installed; scripts/setup makes one");
}

/* That `text` (an output: a page, a feed) holds `part`; else its all. */
static inline void assert_contains(const char *text, const char *part)
{
	if (!text || !strstr(text, part))
		fail_msg("'%s' not in:\n%s", part, text ? text : "(null)");
}

/* That `text` does not hold `part`; else where it does. */
static inline void assert_lacks(const char *text, const char *part)
{
	assert_non_null(text);
	const char *at = strstr(text, part);
	if (at)
		fail_msg("'%s' found, at: %.80s", part, at);
}

#endif
