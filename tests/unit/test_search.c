/*
 * Tests of ni_search over an index of the bundled sample articles:
 * all-words tier first, partial matches after, stopwords, pagination,
 * and the indexer's handling of every sample.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ni_analyzer.h"
#include "ni_document.h"
#include "ni_search.h"
#include "ni_walk.h"
#include "ni_xapian.h"

struct world {
	char dir[64];
	ni_analyzer *analyzer;
	ni_db *db;
	unsigned indexed;
	unsigned skipped;
};

static int index_file(void *ctx, const char *path, const struct stat *info)
{
	(void)info;
	struct world *w = ctx;
	ni_indexer *ix;
	struct ni_index_result res;
	if (ni_indexer_new(w->db, w->analyzer, &ix) != NI_OK)
		return 1;
	ni_status st = ni_indexer_add_file(ix, path, NULL, &res);
	ni_indexer_free(ix);
	if (st != NI_OK)
		return 1;
	if (!res.indexed)
		fprintf(stderr, "skipped %s: %s\n", path, res.reason);
	w->indexed += res.indexed;
	w->skipped += !res.indexed;
	return 0;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	strcpy(w->dir, "/tmp/ni-test-search-XXXXXX");
	if (!w || !mkdtemp(w->dir) || ni_analyzer_new(&w->analyzer) != NI_OK)
		return -1;
	char path[128];
	snprintf(path, sizeof path, "%s/db", w->dir);
	if (ni_db_open(path, NI_DB_WRITE, ni_analyzer_settings(), &w->db,
		       NULL) != NI_OK)
		return -1;
	const char *samples[] = {getenv("NI_TEST_SAMPLES")};
	if (!samples[0])
		return -1;
	struct ni_walk_callbacks cb = {index_file, NULL, w};
	int stopped = 0;
	if (ni_walk(samples, 1, &cb, &stopped) != NI_OK || stopped)
		return -1;
	if (ni_db_commit(w->db) != NI_OK)
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	ni_db_close(w->db, NULL);
	ni_analyzer_free(w->analyzer);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", w->dir);
	int rc = system(cmd);
	free(w);
	return rc;
}

static void run(struct world *w, const char *query, unsigned offset,
		unsigned limit, struct ni_results *out)
{
	struct ni_search_options o;
	ni_search_options_init(&o);
	o.offset = offset;
	o.limit = limit;
	struct ni_buf err = NI_BUF_INIT;
	ni_status st = ni_search(w->db, w->analyzer, query, &o, out, &err);
	if (st != NI_OK)
		fprintf(stderr, "search failed: %s\n", ni_buf_str(&err));
	assert_int_equal(st, NI_OK);
	ni_buf_release(&err);
}

static void test_every_sample_is_indexed(void **state)
{
	struct world *w = *state;
	assert_int_equal(w->skipped, 0);
	uint64_t count, related;
	assert_int_equal(ni_db_doc_count(w->db, &count), NI_OK);
	assert_int_equal(ni_db_filter_count(w->db, NI_FILTER_RELATED, "", 0,
					    &related), NI_OK);
	/* Every file, and the related records with a URL of their own. */
	assert_int_equal(count - related, w->indexed);
	assert_true(w->indexed >= 40);
	assert_true(related > 0);
}

static void test_seed_first_then_partial_matches(void **state)
{
	struct world *w = *state;
	struct ni_results r;
	run(w, "SenseTime sanctions", 0, 10, &r);
	assert_true(r.n_hits >= 5);
	assert_non_null(strstr(r.hits[0].doc.title, "SenseTime Pulls Stock"));
	assert_true(r.hits[0].all_words);
	/* Only the seed has both words; the others come after it. */
	for (size_t i = 1; i < r.n_hits; i++)
		assert_false(r.hits[i].all_words);
	assert_int_equal(r.total, r.n_hits);
	assert_true(r.total_exact);
	assert_int_equal(r.n_words, 2);
	ni_results_clear(&r);
}

static void test_pages_add_up_to_the_whole(void **state)
{
	struct world *w = *state;
	const char *query = "sanctions SenseTime chinese AI";
	struct ni_results whole, page;
	run(w, query, 0, 100, &whole);
	assert_true(whole.n_hits >= 10);
	assert_true(whole.hits[0].all_words);
	/* Page sizes that end pages on and across the tier boundary. */
	for (unsigned size = 1; size <= 3; size++) {
		for (unsigned offset = 0; offset < whole.n_hits;
		     offset += size) {
			run(w, query, offset, size, &page);
			assert_true(page.n_hits >= 1);
			for (size_t i = 0; i < page.n_hits; i++)
				assert_string_equal(
					page.hits[i].doc.url,
					whole.hits[offset + i].doc.url);
			assert_int_equal(page.total, whole.total);
			ni_results_clear(&page);
		}
	}
	run(w, query, (unsigned)whole.n_hits, 5, &page);
	assert_int_equal(page.n_hits, 0);
	ni_results_clear(&page);
	ni_results_clear(&whole);
}

static void test_stopwords_do_not_count(void **state)
{
	struct world *w = *state;
	struct ni_results a, b;
	run(w, "the sanctions of the", 0, 10, &a);
	run(w, "sanctions", 0, 10, &b);
	assert_int_equal(a.n_words, 1);
	assert_int_equal(a.n_hits, b.n_hits);
	for (size_t i = 0; i < a.n_hits; i++)
		assert_string_equal(a.hits[i].doc.url, b.hits[i].doc.url);
	ni_results_clear(&a);
	ni_results_clear(&b);
	/* A query of stopwords alone still searches for them. */
	run(w, "the", 0, 3, &a);
	assert_int_equal(a.n_words, 1);
	assert_true(a.n_hits > 0);
	ni_results_clear(&a);
}

static void test_stems_and_case_match(void **state)
{
	struct world *w = *state;
	struct ni_results r;
	run(w, "SANCTION", 0, 10, &r);
	/* Four articles say "sanctions", and one related record. */
	size_t related = 0;
	for (size_t i = 0; i < r.n_hits; i++)
		related += r.hits[i].doc.related_of != NULL;
	assert_int_equal(r.n_hits - related, 4);
	assert_int_equal(related, 1);
	ni_results_clear(&r);
}

static void test_empty_query_is_an_error(void **state)
{
	struct world *w = *state;
	struct ni_search_options o;
	ni_search_options_init(&o);
	struct ni_results r;
	struct ni_buf err = NI_BUF_INIT;
	assert_int_equal(ni_search(w->db, w->analyzer, " ?! ", &o, &r, &err),
			 NI_EQUERY);
	assert_non_null(strstr(ni_buf_str(&err), "no words"));
	assert_int_equal(r.n_hits, 0);
	ni_buf_release(&err);
}

/* What the API allows never crashes: a NULL query is an error. */
static void test_no_query_is_an_error(void **state)
{
	struct world *w = *state;
	struct ni_search_options o;
	ni_search_options_init(&o);
	struct ni_results r;
	struct ni_buf err = NI_BUF_INIT;
	for (int feedback = 0; feedback < 2; feedback++) {
		o.feedback = feedback;
		memset(&r, 0xff, sizeof r);
		assert_int_equal(ni_search_run(w->db, NULL, NULL, &o, &r, &err),
				 NI_EINVAL);
		assert_int_equal(r.n_hits, 0);
		assert_null(r.hits);
	}
	assert_string_equal(ni_buf_str(&err), "search failed: no query to "
			    "run" "search failed: no query to run");
	ni_buf_reset(&err);
	assert_int_equal(ni_search(w->db, w->analyzer, NULL, &o, &r, &err),
			 NI_EINVAL);
	assert_int_equal(ni_search(w->db, w->analyzer, "", &o, &r, &err),
			 NI_EQUERY);
	assert_int_equal(r.n_hits, 0);
	ni_buf_release(&err);
}

static void test_non_latin_queries(void **state)
{
	struct world *w = *state;
	struct ni_results r;
	run(w, "Überwachung", 0, 10, &r);
	assert_true(r.n_hits >= 1);
	assert_string_equal(r.hits[0].doc.provider_domain, "spiegel.de");
	ni_results_clear(&r);
	run(w, "人工智能", 0, 10, &r);
	assert_true(r.n_hits >= 1);
	assert_string_equal(r.hits[0].doc.provider_domain, "xinhuanet.com");
	ni_results_clear(&r);
}

/*
 * The first image is kept for a thumbnail, as written (the page decides
 * what to show), a related record's own too.
 */
static void test_first_image_is_kept(void **state)
{
	struct world *w = *state;
	struct ni_results r;
	run(w, "softbank", 0, 1, &r);
	assert_int_equal(r.n_hits, 1);
	const struct ni_docdata *related = &r.hits[0].doc;
	assert_non_null(related->related_of);
	assert_non_null(related->image.url);
	assert_non_null(strstr(related->image.url, "https://www.ft.com/"));
	assert_int_equal(related->image.width, 1024);
	assert_int_equal(related->image.height, 512);
	ni_results_clear(&r);
	run(w, "sensetime pulls stock sale", 0, 1, &r);
	assert_int_equal(r.n_hits, 1);
	assert_null(r.hits[0].doc.related_of);
	assert_string_equal(r.hits[0].doc.image.url, "http://s.thestreet.com/"
			    "files/tsc/v2008/photos/contrib/uploads/"
			    "509c96e5-3901-11e8-903c-f93462b03a68.png");
	assert_int_equal(r.hits[0].doc.image.width, 1152);
	assert_int_equal(r.hits[0].doc.image.height, 768);
	ni_results_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_sample_is_indexed),
		cmocka_unit_test(test_seed_first_then_partial_matches),
		cmocka_unit_test(test_pages_add_up_to_the_whole),
		cmocka_unit_test(test_stopwords_do_not_count),
		cmocka_unit_test(test_stems_and_case_match),
		cmocka_unit_test(test_empty_query_is_an_error),
		cmocka_unit_test(test_no_query_is_an_error),
		cmocka_unit_test(test_non_latin_queries),
		cmocka_unit_test(test_first_image_is_kept),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
