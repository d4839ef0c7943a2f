/*
 * Helpers shared by unit tests (header only; include after cmocka.h).
 */
#ifndef NI_TEST_HELPERS_H
#define NI_TEST_HELPERS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

#endif
