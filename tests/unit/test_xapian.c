/*
 * Tests of the Xapian wrapper: opening, error mapping, the schema check,
 * replacing by unique key, and the query constructors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ni_search.h"
#include "helpers.h"
#include "ni_buf.h"
#include "ni_stopwords.h"
#include "ni_xapian.h"

#define ANALYZER "test-analyzer"

static int make_dir(void **state)
{
	return make_fixture(state, "/tmp/ni-test-xapian-XXXXXX");
}

static int remove_dir(void **state)
{
	return remove_fixture(state);
}

static ni_db *open_writer(const char *path)
{
	ni_db *db = NULL;
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = ni_db_open(path, NI_DB_WRITE, ANALYZER, &db, &msg);
	if (st != NI_OK)
		fprintf(stderr, "open failed: %s\n", ni_buf_str(&msg));
	ni_buf_release(&msg);
	assert_int_equal(st, NI_OK);
	return db;
}

/* Add a document with these title words under `key`. */
static void add_doc(ni_db *db, const char *key, const char *const *words,
		    size_t n, double quality)
{
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ni_doc_add_word(doc, NI_FIELD_TITLE, words[i],
						 strlen(words[i])), NI_OK);
	assert_int_equal(ni_doc_end_text(doc), NI_OK);
	assert_int_equal(ni_doc_set_number(doc, NI_SLOT_QUALITY, quality),
			 NI_OK);
	assert_int_equal(ni_doc_set_data(doc, key, strlen(key)), NI_OK);
	assert_int_equal(ni_db_replace(db, key, doc, NULL), NI_OK);
	ni_doc_free(doc);
}

static void test_missing_index_is_not_found(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = (ni_db *)1;
	struct ni_buf msg = NI_BUF_INIT;
	/* The message is appended to what the caller's buffer holds. */
	assert_int_equal(ni_buf_adds(&msg, "before: "), NI_OK);
	ni_status st = ni_db_open(f->path, NI_DB_READ, ANALYZER, &db, &msg);
	assert_true(st == NI_EDB_NOT_FOUND || st == NI_EDB_OPENING);
	assert_null(db);
	assert_int_equal(strncmp(ni_buf_str(&msg), "before: ", 8), 0);
	assert_true(msg.len > 8);
	ni_buf_release(&msg);
}

static void test_second_writer_is_locked(void **state)
{
	struct db_fixture *f = *state;
	ni_db *first = open_writer(f->path);
	ni_db *second = (ni_db *)1;
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = ni_db_open(f->path, NI_DB_WRITE, ANALYZER, &second,
				  &msg);
	assert_int_equal(st, NI_EDB_LOCKED);
	assert_null(second);
	assert_true(msg.len > 0);
	ni_buf_release(&msg);
	assert_int_equal(ni_db_close(first, NULL), NI_OK);
	/* Once the first writer is gone the lock is free again. */
	assert_int_equal(ni_db_close(open_writer(f->path), NULL), NI_OK);
}

static void test_schema_recorded_and_checked(void **state)
{
	struct db_fixture *f = *state;
	assert_int_equal(ni_db_close(open_writer(f->path), NULL), NI_OK);
	ni_db *db = NULL;
	struct ni_buf msg = NI_BUF_INIT;
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, ANALYZER, &db, &msg),
			 NI_OK);
	assert_int_equal(msg.len, 0);  /* nothing said on success */
	char *value = NULL;
	assert_int_equal(ni_db_get_metadata(db, NI_META_ANALYZER, &value),
			 NI_OK);
	assert_string_equal(value, ANALYZER);
	free(value);
	assert_int_equal(ni_db_get_metadata(db, NI_META_SCHEMA, &value),
			 NI_OK);
	assert_string_equal(value, "2");
	free(value);
	ni_db_close(db, NULL);

	ni_status st = ni_db_open(f->path, NI_DB_READ, "other-analyzer", &db,
				  &msg);
	assert_int_equal(st, NI_EDB_SCHEMA);
	assert_null(db);
	assert_non_null(strstr(ni_buf_str(&msg), "other-analyzer"));
	assert_non_null(strstr(ni_buf_str(&msg), ANALYZER));
	ni_buf_release(&msg);
	st = ni_db_open(f->path, NI_DB_WRITE, "other-analyzer", &db, &msg);
	assert_int_equal(st, NI_EDB_SCHEMA);
	ni_buf_release(&msg);

	/* An index of version 1 has other story keys: refused, not mixed. */
	db = open_writer(f->path);
	assert_int_equal(ni_db_set_metadata(db, NI_META_SCHEMA, "1"), NI_OK);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	for (int mode = NI_DB_READ; mode <= NI_DB_WRITE; mode++) {
		st = ni_db_open(f->path, (enum ni_db_mode)mode, ANALYZER, &db,
				&msg);
		assert_int_equal(st, NI_EDB_SCHEMA);
		assert_non_null(strstr(ni_buf_str(&msg),
				       "schema version 1, this program "
				       "uses version 2"));
		ni_buf_release(&msg);
	}
}

static void test_replace_by_key_never_duplicates(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	const char *one[] = {"sensetime", "sanctions"};
	const char *two[] = {"other", "story"};
	add_doc(db, "https://example.com/a", one, 2, 40);
	add_doc(db, "https://example.com/b", two, 2, 40);
	add_doc(db, "https://example.com/a", one, 2, 40);
	uint64_t count;
	assert_int_equal(ni_db_doc_count(db, &count), NI_OK);
	assert_int_equal(count, 2);
	assert_int_equal(ni_db_delete(db, "https://example.com/b"), NI_OK);
	assert_int_equal(ni_db_doc_count(db, &count), NI_OK);
	assert_int_equal(count, 1);
	ni_db_close(db, NULL);
}

static void test_overlong_key_is_hashed_and_unique(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	char a[600], b[600];
	memset(a, 'x', sizeof a - 1);
	a[sizeof a - 1] = '\0';
	memcpy(b, a, sizeof b);
	b[550] = 'y';  /* differs only past what a term could hold */
	const char *words[] = {"word"};
	add_doc(db, a, words, 1, 50);
	add_doc(db, b, words, 1, 50);
	add_doc(db, a, words, 1, 50);
	uint64_t count;
	assert_int_equal(ni_db_doc_count(db, &count), NI_OK);
	assert_int_equal(count, 2);
	ni_db_close(db, NULL);
}

static ni_mset *search(ni_db *db, const ni_query *q, double qw)
{
	struct ni_search_params p = {.limit = 10, .quality_weight = qw,
				     .bm25_k1 = 1.2, .bm25_b = 0.75};
	ni_mset *mset = NULL;
	assert_int_equal(ni_db_search(db, q, &p, &mset), NI_OK);
	return mset;
}

/* An index of two documents: "one" is stock sale pulled, "two" sale of
   stock. */
static ni_db *stock_and_sale(struct db_fixture *f)
{
	ni_db *db = open_writer(f->path);
	const char *one[] = {"stock", "sale", "pulled"};
	const char *two[] = {"sale", "of", "stock"};
	add_doc(db, "one", one, 3, 50);
	add_doc(db, "two", two, 3, 50);
	ni_db_commit(db);
	return db;
}

static void test_stemmed_word_and_phrase_queries(void **state)
{
	ni_db *db = stock_and_sale(*state);

	ni_query *q;
	/* "pulling" and "pulled" share the stem "pull". */
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "pulling", 7, &q),
			 NI_OK);
	ni_mset *m = search(db, q, 0);
	assert_int_equal(ni_mset_size(m), 1);
	struct ni_hit hit;
	assert_int_equal(ni_mset_hit(m, 0, &hit), NI_OK);
	assert_memory_equal(hit.data, "one", 3);
	assert_int_equal(ni_mset_hit(m, 1, &hit), NI_EINVAL);
	ni_mset_free(m);
	ni_query_free(q);

	const char *words[] = {"stock", "sale"};
	size_t lens[] = {5, 4};
	assert_int_equal(ni_query_phrase(db, NI_FIELD_TITLE, words, lens, 2,
					 &q), NI_OK);
	m = search(db, q, 0);
	assert_int_equal(ni_mset_size(m), 1);
	ni_mset_hit(m, 0, &hit);
	assert_memory_equal(hit.data, "one", 3);
	ni_mset_free(m);
	ni_query_free(q);
	ni_db_close(db, NULL);
}

/* The data of the only hit of `q`, or "" when it has none or several. */
static const char *only_hit(ni_db *db, const ni_query *q)
{
	static char data[16];
	ni_mset *m = search(db, q, 0);
	struct ni_hit hit;
	data[0] = '\0';
	if (ni_mset_size(m) == 1 && ni_mset_hit(m, 0, &hit) == NI_OK &&
	    hit.data_len < sizeof data) {
		memcpy(data, hit.data, hit.data_len);
		data[hit.data_len] = '\0';
	}
	ni_mset_free(m);
	return data;
}

/*
 * What AND_NOT leaves out is matched without weights: Xapian 1.4.22
 * reads uninitialised memory (valgrind), and so leaves out documents
 * at random, when an AND under AND_NOT holds the AND_MAYBE a stemmed
 * word is made of.
 */
static void test_excluded_parts_only_match(void **state)
{
	ni_db *db = stock_and_sale(*state);
	ni_query *stock, *pulled, *both, *all, *rest;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "stock", 5, &stock),
			 NI_OK);
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "pulling", 7,
				       &pulled), NI_OK);
	const ni_query *words[] = {stock, pulled};
	assert_int_equal(ni_query_combine(NI_QOP_AND, words, 2, &both), NI_OK);
	assert_int_equal(ni_query_match_all(&all), NI_OK);
	const ni_query *parts[] = {all, both};
	assert_int_equal(ni_query_combine(NI_QOP_AND_NOT, parts, 2, &rest),
			 NI_OK);
	char *text = ni_query_describe(rest);
	assert_string_equal(text, "Query((<alldocuments> AND_NOT "
			    "(Zstock AND Zpull)))");
	free(text);
	assert_string_equal(only_hit(db, rest), "two");
	/* The part kept keeps its weights. */
	text = ni_query_describe(both);
	assert_non_null(strstr(text, "AND_MAYBE"));
	free(text);
	ni_query_free(stock);
	ni_query_free(pulled);
	ni_query_free(both);
	ni_query_free(all);
	ni_query_free(rest);
	ni_db_close(db, NULL);
}

/* Words in order within a window, each an exact word or an OR of them. */
static void test_ordered_parts(void **state)
{
	ni_db *db = stock_and_sale(*state);
	ni_query *sale, *stock, *of, *either, *q;
	ni_query_exact_word(db, NI_FIELD_ANY, "sale", 4, &sale);
	ni_query_exact_word(db, NI_FIELD_ANY, "stock", 5, &stock);
	ni_query_exact_word(db, NI_FIELD_ANY, "of", 2, &of);
	const ni_query *pair[] = {of, stock};
	assert_int_equal(ni_query_combine(NI_QOP_OR, pair, 2, &either),
			 NI_OK);
	/* sale, then "of" or "stock" right after it: only in two. */
	const ni_query *parts[] = {sale, either};
	assert_int_equal(ni_query_ordered(parts, 2, 2, &q), NI_OK);
	assert_string_equal(only_hit(db, q), "two");
	ni_query_free(q);
	/* stock, then sale: adjacent in one, the other way round in two. */
	const ni_query *order[] = {stock, sale};
	assert_int_equal(ni_query_ordered(order, 2, 3, &q), NI_OK);
	assert_string_equal(only_hit(db, q), "one");
	ni_query_free(q);
	assert_int_equal(ni_query_ordered(order, 1, 3, &q), NI_EINVAL);
	assert_null(q);
	ni_query_free(sale);
	ni_query_free(stock);
	ni_query_free(of);
	ni_query_free(either);
	ni_db_close(db, NULL);
}

static void test_quality_breaks_ties_and_can_be_off(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	const char *words[] = {"election"};
	add_doc(db, "low", words, 1, 10);
	add_doc(db, "high", words, 1, 90);
	ni_db_commit(db);
	ni_query *q;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "election", 8, &q),
			 NI_OK);
	ni_mset *m = search(db, q, 1.0);
	struct ni_hit first, second;
	ni_mset_hit(m, 0, &first);
	ni_mset_hit(m, 1, &second);
	assert_memory_equal(first.data, "high", 4);
	assert_true(fabs(first.quality - 90) < 1e-9);
	/*
	 * The blend is exactly weight * NI_QUALITY_SHARE * best relevance *
	 * quality / 100 over relevance (both match alike: the best is
	 * either's).
	 */
	assert_true(fabs(first.score - first.relevance -
			 NI_QUALITY_SHARE * first.relevance * 0.9) < 1e-9);
	assert_true(fabs(second.score - second.relevance -
			 NI_QUALITY_SHARE * first.relevance * 0.1) < 1e-9);
	assert_true(fabs(first.relevance - second.relevance) < 1e-9);
	ni_mset_free(m);

	m = search(db, q, 0);
	ni_mset_hit(m, 0, &first);
	assert_true(fabs(first.score - first.relevance) < 1e-12);
	/* Equal relevance, no blend: Xapian keeps docid order. */
	assert_memory_equal(first.data, "low", 3);
	ni_mset_free(m);
	ni_query_free(q);
	ni_db_close(db, NULL);
}

static void test_filters_and_ranges(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_word(doc, NI_FIELD_EXCERPT, "text", 4),
			 NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_TOPIC, "ai", 2),
			 NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_URL,
					   "Https://X", 9), NI_OK);
	assert_int_equal(ni_doc_set_number(doc, NI_SLOT_DATE, 1639390920),
			 NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_COUNT, "x", 1),
			 NI_EINVAL);
	assert_true(strlen(ni_doc_errmsg(doc)) > 0);
	assert_int_equal(ni_db_replace(db, "k", doc, NULL), NI_OK);
	ni_doc_free(doc);
	ni_db_commit(db);

	ni_query *topic, *url, *range, *miss, *both;
	assert_int_equal(ni_query_filter(NI_FILTER_TOPIC, "ai", 2, &topic),
			 NI_OK);
	assert_int_equal(ni_query_filter(NI_FILTER_URL, "Https://X", 9, &url),
			 NI_OK);
	assert_int_equal(ni_query_range(NI_SLOT_DATE, 1.6e9, INFINITY, &range),
			 NI_OK);
	assert_int_equal(ni_query_range(NI_SLOT_DATE, -INFINITY, 1.6e9, &miss),
			 NI_OK);
	const ni_query *parts[] = {topic, url, range};
	assert_int_equal(ni_query_combine(NI_QOP_AND, parts, 3, &both), NI_OK);
	ni_mset *m = search(db, both, 0);
	assert_int_equal(ni_mset_size(m), 1);
	ni_mset_free(m);
	m = search(db, miss, 0);
	assert_int_equal(ni_mset_size(m), 0);
	ni_mset_free(m);
	char *text = ni_query_describe(both);
	assert_non_null(strstr(text, "Kai"));
	free(text);
	ni_query *bad = (ni_query *)1;
	assert_int_equal(ni_query_combine(NI_QOP_AND, parts, 0, &bad),
			 NI_EINVAL);
	assert_null(bad);
	/* A NULL query is a mistake the wrapper reports, not a crash. */
	const ni_query *holes[] = {topic, NULL};
	assert_int_equal(ni_query_combine(NI_QOP_OR, holes, 2, &bad),
			 NI_EINVAL);
	assert_int_equal(ni_query_combine(NI_QOP_OR, NULL, 2, &bad),
			 NI_EINVAL);
	assert_int_equal(ni_query_near(holes, 2, 5, &bad), NI_EINVAL);
	assert_int_equal(ni_query_scale(NULL, 0, &bad), NI_EINVAL);
	assert_null(bad);
	assert_null(ni_query_describe(NULL));
	struct ni_search_params params = {.limit = 10};
	ni_mset *none = (ni_mset *)1;
	assert_int_equal(ni_db_search(db, NULL, &params, &none), NI_EINVAL);
	assert_null(none);
	assert_string_equal(ni_db_errmsg(db), "no query");
	assert_int_equal(ni_query_feedback(db, NULL, NULL, &params, 5, 5, 1, &bad),
			 NI_EINVAL);
	uint64_t postings = 1;
	assert_int_equal(ni_query_postings(db, NULL, &postings), NI_EINVAL);
	assert_int_equal(postings, 0);
	/*
	 * Postings: each term's documents and NI_TERM_POSTINGS, as often as
	 * the query has it; twice under a phrase, three times under NEAR.
	 */
	const uint64_t one = NI_TERM_POSTINGS + 1;
	assert_int_equal(ni_query_postings(db, both, &postings), NI_OK);
	assert_int_equal(postings, 2 * one);
	const ni_query *twice[] = {topic, topic, miss};
	assert_int_equal(ni_query_combine(NI_QOP_OR, twice, 3, &bad), NI_OK);
	assert_int_equal(ni_query_postings(db, bad, &postings), NI_OK);
	assert_int_equal(postings, 2 * one);
	ni_query_free(bad);
	const char *words[] = {"text", "nothing"};
	size_t lens[] = {4, 7};
	assert_int_equal(ni_query_phrase(db, NI_FIELD_ANY, words, lens, 2,
					 &bad), NI_OK);
	assert_int_equal(ni_query_postings(db, bad, &postings), NI_OK);
	assert_int_equal(postings, 2 * (one + NI_TERM_POSTINGS));
	ni_query_free(bad);
	ni_query *word_a, *word_b;
	assert_int_equal(ni_query_exact_word(db, NI_FIELD_ANY, "text", 4,
					     &word_a), NI_OK);
	assert_int_equal(ni_query_exact_word(db, NI_FIELD_ANY, "nothing", 7,
					     &word_b), NI_OK);
	const ni_query *near[] = {word_a, word_b};
	assert_int_equal(ni_query_near(near, 2, 5, &bad), NI_OK);
	assert_int_equal(ni_query_postings(db, bad, &postings), NI_OK);
	assert_int_equal(postings, 3 * (one + NI_TERM_POSTINGS));
	ni_query_free(bad);
	ni_query_free(word_a);
	ni_query_free(word_b);
	ni_query_free(topic);
	ni_query_free(url);
	ni_query_free(range);
	ni_query_free(miss);
	ni_query_free(both);
	ni_db_close(db, NULL);
}

static void test_foreign_xapian_db_is_refused(void **state)
{
	struct db_fixture *f = *state;
	char cmd[1024];
	/* A Xapian index made by another program: Omega's scriptindex. */
	snprintf(cmd, sizeof cmd,
		 "command -v scriptindex >/dev/null || exit 77; "
		 "printf 'text : index\\n' > '%s/script' && "
		 "printf 'text=hello world\\n' > '%s/input' && "
		 "scriptindex '%s' '%s/script' '%s/input' >/dev/null",
		 f->dir, f->dir, f->path, f->dir, f->dir);
	int rc = system(cmd);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77)
		skip_because("an index of another program: scriptindex "
			     "(xapian-omega) is not installed");
	assert_int_equal(rc, 0);
	for (int mode = NI_DB_READ; mode <= NI_DB_WRITE; mode++) {
		ni_db *db = (ni_db *)1;
		struct ni_buf msg = NI_BUF_INIT;
		ni_status st = ni_db_open(f->path, (enum ni_db_mode)mode,
					  ANALYZER, &db, &msg);
		/* Another program's: its own status, never "delete". */
		assert_int_equal(st, NI_EDB_FOREIGN);
		assert_null(db);
		assert_non_null(strstr(ni_buf_str(&msg),
				       "not a newsindex index"));
		ni_buf_release(&msg);
	}
}

/* A new index whose writer has committed nothing yet is being built. */
static void test_index_being_created(void **state)
{
	struct db_fixture *f = *state;
	ni_db *writer = open_writer(f->path);
	ni_db *db = (ni_db *)1;
	struct ni_buf msg = NI_BUF_INIT;
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, ANALYZER, &db,
				    &msg), NI_EDB_BUILDING);
	assert_null(db);
	char by[64];
	snprintf(by, sizeof by, " is being built by process %ld ",
		 (long)getpid());
	assert_non_null(strstr(ni_buf_str(&msg), by));
	ni_buf_release(&msg);
	/* Once it has committed, it is an index like any other. */
	assert_int_equal(ni_db_close(writer, NULL), NI_OK);
	db = NULL;
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, ANALYZER, &db,
				    NULL), NI_OK);
	ni_db_close(db, NULL);
}

/*
 * NI_DB_REBUILD only reads the index it holds: a new one is left with
 * nothing recorded (still "empty"), an old one with its settings.
 */
static void test_rebuild_writes_nothing(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = NULL;
	assert_int_equal(ni_db_open(f->path, NI_DB_REBUILD, ANALYZER, &db,
				    NULL), NI_OK);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	struct ni_buf msg = NI_BUF_INIT;
	db = (ni_db *)1;
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, ANALYZER, &db,
				    &msg), NI_EDB_NOT_FOUND);
	assert_null(db);
	assert_non_null(strstr(ni_buf_str(&msg), " is empty"));
	ni_buf_release(&msg);

	/* One of other settings keeps them. */
	db = NULL;
	assert_int_equal(ni_db_open(f->path, NI_DB_WRITE, "other", &db,
				    NULL), NI_OK);
	const char *words[] = {"election"};
	add_doc(db, "one", words, 1, 50);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	assert_int_equal(ni_db_open(f->path, NI_DB_REBUILD, ANALYZER, &db,
				    NULL), NI_OK);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, "other", &db,
				    NULL), NI_OK);
	ni_db_close(db, NULL);
}

static bool fits(ni_db *db, const ni_query *q, uint64_t max,
		 ni_lookups *lookups)
{
	bool yes = !max;
	assert_int_equal(ni_query_fits(db, q, max, lookups, &yes), NI_OK);
	return yes;
}

static unsigned prefix_words(ni_db *db, const char *prefix, unsigned max,
			     ni_lookups *lookups)
{
	ni_query *q = NULL;
	unsigned n = 0;
	assert_int_equal(ni_query_prefix(db, NI_FIELD_ANY, prefix,
					 strlen(prefix), max, lookups, &n, &q),
			 NI_OK);
	ni_query_free(q);
	return n;
}

/*
 * ni_query_fits() is ni_query_postings() <= max, and what `lookups`
 * remembers is not looked up again: a writer's documents added since
 * are not counted through it.
 */
static void test_query_fits_and_lookups(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	const char *alpha[] = {"alpha", "beta"}, *beta[] = {"beta"};
	add_doc(db, "one", alpha, 2, 50);
	add_doc(db, "two", beta, 1, 50);
	add_doc(db, "three", beta, 1, 50);
	ni_query *q;
	assert_int_equal(ni_query_exact_word(db, NI_FIELD_ANY, "alpha", 5,
					     &q), NI_OK);
	bool yes = true;
	assert_int_equal(ni_query_fits(db, NULL, 10, NULL, &yes), NI_EINVAL);
	assert_false(yes);
	/* 2,001: NI_TERM_POSTINGS and its one document, of three. */
	assert_false(fits(db, q, NI_TERM_POSTINGS, NULL));
	assert_true(fits(db, q, NI_TERM_POSTINGS + 1, NULL));
	assert_true(fits(db, q, NI_TERM_POSTINGS + 3, NULL));
	ni_lookups *lookups = ni_lookups_new();
	assert_non_null(lookups);
	assert_true(fits(db, q, NI_TERM_POSTINGS + 1, lookups));
	assert_int_equal(prefix_words(db, "al", 5, lookups), 1);
	add_doc(db, "four", alpha, 2, 50);
	const char *alps[] = {"alps", "bets"};
	add_doc(db, "five", alps, 2, 50);
	/* Two documents of alpha now, but one remembered. */
	assert_false(fits(db, q, NI_TERM_POSTINGS + 1, NULL));
	assert_true(fits(db, q, NI_TERM_POSTINGS + 1, lookups));
	assert_int_equal(prefix_words(db, "al", 5, NULL), 2);
	assert_int_equal(prefix_words(db, "al", 5, lookups), 1);
	assert_int_equal(prefix_words(db, "al", 1, lookups), 1);
	/* Beta and bets, the best one kept ... */
	assert_int_equal(prefix_words(db, "be", 1, lookups), 2);
	const char *bent[] = {"bent"};
	add_doc(db, "six", bent, 1, 50);
	assert_int_equal(prefix_words(db, "be", 1, lookups), 2);
	/* ... so more than one is looked up again. */
	assert_int_equal(prefix_words(db, "be", 5, lookups), 3);
	/* The best of those kept: the most frequent, beta. */
	ni_query *best;
	unsigned n;
	assert_int_equal(ni_query_prefix(db, NI_FIELD_ANY, "be", 2, 1,
					 lookups, &n, &best), NI_OK);
	char *text = ni_query_describe(best);
	if (!strstr(text, "beta") || strstr(text, "bets") ||
	    strstr(text, "bent"))
		fail_msg("not the most frequent: %s", text);
	free(text);
	ni_query_free(best);
	ni_lookups_free(lookups);
	ni_lookups_free(NULL);
	ni_query_free(q);
	ni_db_close(db, NULL);
}

/* Whether a query of `word` keeps its exact form a match of its own. */
static bool exact_form_alone(ni_db *db, const char *word)
{
	ni_query *q;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, word, strlen(word),
				       &q), NI_OK);
	char *text = ni_query_describe(q);
	assert_non_null(text);
	bool alone = !strstr(text, "AND_MAYBE");
	free(text);
	ni_query_free(q);
	return alone;
}

/*
 * A reader remembers whether documents were stemmed otherwise than its
 * query words are, for the language it asked about only.
 */
static void test_reader_stemmers_follow_its_language(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	const char *words[] = {"elections"};
	add_doc(db, "one", words, 1, 50);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, ANALYZER, &db,
				    NULL), NI_OK);
	/* All stemmed in English, as the query: AND_MAYBE suffices. */
	assert_false(exact_form_alone(db, "elections"));
	assert_false(exact_form_alone(db, "voters"));
	/* Stemmed in German, the query would miss them: OR. */
	assert_int_equal(ni_db_set_language(db, "german"), NI_OK);
	assert_true(exact_form_alone(db, "elections"));
	assert_int_equal(ni_db_set_language(db, "english"), NI_OK);
	assert_false(exact_form_alone(db, "elections"));
	ni_db_close(db, NULL);
}

static void test_reader_cannot_write(void **state)
{
	struct db_fixture *f = *state;
	ni_db_close(open_writer(f->path), NULL);
	ni_db *db = NULL;
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, ANALYZER, &db, NULL),
			 NI_OK);
	assert_int_equal(ni_db_delete(db, "k"), NI_EINVAL);
	assert_true(strlen(ni_db_errmsg(db)) > 0);
	assert_int_equal(ni_db_set_metadata(db, "app.x", "y"), NI_EINVAL);
	ni_db_close(db, NULL);
}


/* A document with a story key, a day, topics, a provider and quality. */
static void add_story(ni_db *db, const char *key, const char *word,
		      const char *story, const char *day, const char *topics,
		      const char *provider, double quality)
{
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_word(doc, NI_FIELD_TITLE, word,
					 strlen(word)), NI_OK);
	assert_int_equal(ni_doc_set_number(doc, NI_SLOT_QUALITY, quality),
			 NI_OK);
	if (story)
		assert_int_equal(ni_doc_set_story(doc, story, strlen(story)),
				 NI_OK);
	assert_int_equal(ni_doc_set_text(doc, NI_SLOT_DAY, day, 10), NI_OK);
	assert_int_equal(ni_doc_set_text(doc, NI_SLOT_TOPICS, topics,
					 strlen(topics)), NI_OK);
	assert_int_equal(ni_doc_set_text(doc, NI_SLOT_PROVIDER, provider,
					 strlen(provider)), NI_OK);
	assert_int_equal(ni_doc_set_data(doc, key, strlen(key)), NI_OK);
	assert_int_equal(ni_db_replace(db, key, doc, NULL), NI_OK);
	ni_doc_free(doc);
}

static ni_db *story_index(const char *path)
{
	ni_db *db = open_writer(path);
	/* Two copies of one story, the better one second. */
	add_story(db, "ap", "rates", "fed holds rates", "2024-01-31",
		  "Markets\x1fPolitics\x1f", "AP", 40);
	add_story(db, "indy", "rates", "fed holds rates", "2024-01-31",
		  "Markets\x1f", "Independent", 80);
	add_story(db, "ft", "rates", "ecb", "2023-12-05", "Markets\x1f",
		  "FT", 60);
	assert_int_equal(ni_db_commit(db), NI_OK);
	return db;
}

static ni_mset *search_with(ni_db *db, const char *word,
			    struct ni_search_params *p)
{
	ni_query *q;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, word, strlen(word),
				       &q), NI_OK);
	ni_mset *m = NULL;
	assert_int_equal(ni_db_search(db, q, p, &m), NI_OK);
	ni_query_free(q);
	return m;
}

static void test_collapse_shows_the_best_copy(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = story_index(f->path);
	struct ni_search_params p = {.limit = 10, .quality_weight = 0,
				     .bm25_k1 = 1.2, .bm25_b = 0.75,
				     .collapse = 1};
	ni_mset *m = search_with(db, "rates", &p);
	assert_int_equal(ni_mset_size(m), 2);
	struct ni_hit hit;
	size_t story = 0;
	ni_mset_hit(m, 0, &hit);
	if (hit.n_similar == 0)
		story = 1;
	ni_mset_hit(m, story, &hit);
	assert_int_equal(hit.n_similar, 1);
	/* Shown by its best-quality copy, whichever copy ranked. */
	assert_memory_equal(hit.data, "indy", 4);
	assert_true(hit.quality == 80);
	ni_mset_free(m);
	p.collapse = 0;
	m = search_with(db, "rates", &p);
	assert_int_equal(ni_mset_size(m), 3);
	ni_mset_free(m);
	ni_db_close(db, NULL);
}

/* Give `doc` its story (NULL: none) and data `key`, store it, free it. */
static void store_doc(ni_db *db, ni_doc *doc, const char *key,
		      const char *story)
{
	if (story)
		assert_int_equal(ni_doc_set_story(doc, story, strlen(story)),
				 NI_OK);
	assert_int_equal(ni_doc_set_data(doc, key, strlen(key)), NI_OK);
	assert_int_equal(ni_db_replace(db, key, doc, NULL), NI_OK);
	ni_doc_free(doc);
}

/*
 * A document of title words `words` (space-separated), in story `story`
 * (NULL: its own), of `quality` (below 0: none).
 */
static void add_copy(ni_db *db, const char *key, const char *words,
		     const char *story, double quality)
{
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	for (const char *w = words; *w;) {
		size_t len = strcspn(w, " ");
		assert_int_equal(ni_doc_add_word(doc, NI_FIELD_TITLE, w, len),
				 NI_OK);
		w += len + (w[len] == ' ');
	}
	assert_int_equal(ni_doc_end_text(doc), NI_OK);
	if (quality >= 0)
		assert_int_equal(ni_doc_set_number(doc, NI_SLOT_QUALITY,
						   quality), NI_OK);
	store_doc(db, doc, key, story);
}

/* Pages `x` and `y` hold the same hits, scores to the bit. */
static void assert_same_hits(const ni_mset *x, const ni_mset *y)
{
	assert_int_equal(ni_mset_size(x), ni_mset_size(y));
	for (size_t i = 0; i < ni_mset_size(x); i++) {
		struct ni_hit a, b;
		ni_mset_hit(x, i, &a);
		ni_mset_hit(y, i, &b);
		assert_int_equal(a.docid, b.docid);
		assert_true(a.score == b.score);
		assert_true(a.relevance == b.relevance);
		assert_true(a.quality == b.quality);
		assert_true(a.quality_part == b.quality_part);
		assert_int_equal(a.n_similar, b.n_similar);
		assert_int_equal(a.data_len, b.data_len);
		assert_memory_equal(a.data, b.data, a.data_len);
	}
}

/* The pages of `q` by the two ways of ranking them are the same. */
static void assert_same_pages(ni_db *db, const ni_query *q,
			      struct ni_search_params p)
{
	/*
	 * A page that asks to count past itself is ranked by Xapian's
	 * blended search; without, by one walk of the matches (rank.cc,
	 * one_walk_page()).
	 */
	struct ni_search_params counted = p;
	counted.check_at_least = 1;
	ni_mset *walked = NULL, *blended = NULL;
	assert_int_equal(ni_db_search(db, q, &p, &walked), NI_OK);
	assert_int_equal(ni_db_search(db, q, &counted, &blended), NI_OK);
	assert_same_hits(walked, blended);
	ni_mset_free(walked);
	ni_mset_free(blended);
}

static void test_one_walk_ranks_as_the_blend(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	/*
	 * Ties of score (the same words and quality: the tie order
	 * decides), copies of stories ranked above and below each other,
	 * articles without a quality, and a story whose many copies fill
	 * the best scores (more than twice a page of them), at two
	 * weights of quality.
	 */
	static const char *const texts[] = {
		"oil prices", "oil prices rise", "oil", "prices fall oil oil",
		"oil prices oil prices", "crude oil prices today",
	};
	for (unsigned i = 0; i < 60; i++) {
		char key[32], story[16];
		snprintf(key, sizeof key, "https://x/%u", i);
		snprintf(story, sizeof story, "s%u", i % 7);
		const char *text = texts[i % 6];
		double quality = i % 5 == 0 ? -1 : (double)(i % 3) * 30;
		add_copy(db, key, text, i % 4 == 0 ? NULL : story, quality);
	}
	for (unsigned i = 0; i < 30; i++) {
		char key[32];
		snprintf(key, sizeof key, "https://copy/%u", i);
		add_copy(db, key, "oil prices oil prices oil", "many", 50);
	}
	/*
	 * Relevance of many levels (longer texts weigh less) and
	 * qualities of 0 to 100, so that quality reorders matches that
	 * are near in relevance, and far ones not.
	 */
	for (unsigned i = 0; i < 120; i++) {
		char key[32], story[16], text[128] = "oil";
		snprintf(key, sizeof key, "https://long/%u", i);
		snprintf(story, sizeof story, "l%u", i % 9);
		if (i % 2)
			strcat(text, " prices");
		for (unsigned k = 0; k < i % 13; k++)
			strcat(text, " filler");
		double quality = i % 11 == 0 ? -1 : (double)(i * 37 % 101);
		add_copy(db, key, text, i % 4 == 0 ? NULL : story, quality);
	}
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_query *oil, *prices, *both;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "oil", 3, &oil),
			 NI_OK);
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "prices", 6,
				       &prices), NI_OK);
	const ni_query *parts[] = {oil, prices};
	assert_int_equal(ni_query_combine(NI_QOP_AND, parts, 2, &both),
			 NI_OK);
	const ni_query *queries[] = {oil, prices, both};
	struct ni_search_params p = {.bm25_k1 = 1.2, .bm25_b = 0.75};
	for (size_t i = 0; i < 3 * 2 * 2; i++)
		for (unsigned offset = 0; offset < 40; offset += 3)
			for (unsigned limit = 1; limit < 30; limit += 7) {
				p.quality_weight = i % 2 ? 1 : 4;
				p.collapse = (int)(i / 2 % 2);
				p.offset = offset;
				p.limit = limit;
				assert_same_pages(db, queries[i / 4], p);
			}
	ni_query_free(oil);
	ni_query_free(prices);
	ni_query_free(both);
	ni_db_close(db, NULL);
}

/* The document data of the i-th hit of `q` by `p`, as a string. */
static const char *hit_key(ni_db *db, const ni_query *q,
			   const struct ni_search_params *p, size_t i,
			   char *buf, size_t size)
{
	ni_mset *m = NULL;
	struct ni_hit hit;
	assert_int_equal(ni_db_search(db, q, p, &m), NI_OK);
	assert_int_equal(ni_mset_hit(m, i, &hit), NI_OK);
	snprintf(buf, size, "%.*s", (int)hit.data_len, hit.data);
	ni_mset_free(m);
	return buf;
}

static void test_one_walk_reads_quality_where_it_can_rank(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	/*
	 * 40 short copies of one story, of the best relevance and no
	 * quality; longer articles of less relevance that quality lifts
	 * (weight 4: 100 points add 0.4 of the best relevance): "a"
	 * above them all, and "x" above "y", whose relevance is higher
	 * but whose quality is 0.  Only "x" could not reach the best 22
	 * scores (2 * 3 + 16, one_walk_page()) whatever its quality: so
	 * the third story is found past them.  Texts of 7 other words
	 * keep the mean length at about 7.
	 */
	for (unsigned i = 0; i < 40; i++) {
		char key[32];
		snprintf(key, sizeof key, "top%u", i);
		add_copy(db, key, "oil", "top", 0);
	}
	add_copy(db, "a", "oil w w w w w w", NULL, 100);
	add_copy(db, "x", "oil w w w w w w w w w w w w w w w w w w w w w w w w "
		 "w w w w w w", NULL, 100);
	add_copy(db, "y", "oil w w w w w w w w w w w w", NULL, 0);
	for (unsigned i = 0; i < 200; i++) {
		char key[32];
		snprintf(key, sizeof key, "pad%u", i);
		add_copy(db, key, "v v v v v v v", NULL, 50);
	}
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_query *oil;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "oil", 3, &oil),
			 NI_OK);
	struct ni_search_params p = {.quality_weight = 4, .bm25_k1 = 1.2,
				     .bm25_b = 0.75, .collapse = 1,
				     .limit = 4};
	char buf[32];
	assert_string_equal(hit_key(db, oil, &p, 0, buf, sizeof buf), "a");
	assert_string_equal(hit_key(db, oil, &p, 2, buf, sizeof buf), "x");
	assert_string_equal(hit_key(db, oil, &p, 3, buf, sizeof buf), "y");
	for (unsigned limit = 1; limit <= 4; limit++) {
		p.limit = limit;
		assert_same_pages(db, oil, p);
	}
	ni_query_free(oil);
	ni_db_close(db, NULL);
}

static ni_db *open_reader(const char *path);

/* The feedback query `fb` of `strict` joined as search.c joins it. */
static ni_query *with_fb(const ni_query *strict, const ni_query *fb)
{
	const ni_query *parts[] = {strict, fb};
	ni_query *q;
	assert_int_equal(ni_query_combine(NI_QOP_AND_MAYBE, parts, 2, &q),
			 NI_OK);
	return q;
}

/*
 * Feedback of the strict tier `strict` (`relaxed` its words ORed) and
 * the page `p` of `strict` with it, on reader `db`: when `shared`, as
 * search.c asks for them, the page's parameters given to feedback,
 * whose walk of `strict` the page replays (rank.cc, ReplaySource);
 * else feedback from Xapian's search for the 3 best and the page from
 * a walk of every word.  *desc is the feedback query described.
 */
static ni_mset *feedback_page(ni_db *db, const ni_query *strict,
			      const ni_query *relaxed,
			      struct ni_search_params p, bool shared,
			      char **desc)
{
	ni_db_forget_walks(db);
	struct ni_search_params asked = p;
	if (!shared)
		asked.limit = 0; /* no page: no walk to share */
	ni_query *fb = NULL;
	assert_int_equal(ni_query_feedback(db, relaxed, strict, &asked, 3,
					   40, 0.5, &fb), NI_OK);
	assert_non_null(fb);
	*desc = ni_query_describe(fb);
	ni_query *q = with_fb(strict, fb);
	ni_mset *m = NULL;
	assert_int_equal(ni_db_search(db, q, &p, &m), NI_OK);
	ni_query_free(q);
	ni_query_free(fb);
	return m;
}

/*
 * A page with feedback whose walk replays feedback's scored walk of the
 * strict tier is the page of Xapian walking and scoring every word
 * again, hit by hit, scores to the bit; and feedback's 3 best documents
 * from that walk are Xapian's search's (the same feedback query).
 * Mutations caught: the replayed weight not the walk's (+ 1e-12), ties
 * among the 3 best put in document id order rather than tie order.
 */
static void test_feedback_page_replays_the_walk(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	/*
	 * The three words in texts of many lengths (very short ones fall
	 * under BM25's min_normlen), with other words feedback may take;
	 * copies of the same text tie (the tie order decides the 3 best
	 * and the page), stories with copies, qualities of 0 to 100.
	 */
	for (unsigned i = 0; i < 240; i++) {
		char key[32], story[16], text[256] = "";
		snprintf(key, sizeof key, "https://fb/%u", i);
		snprintf(story, sizeof story, "s%u", i % 11);
		if (i % 3 != 2)
			strcat(text, "oil prices rise");
		else
			strcat(text, i % 2 ? "oil prices" : "prices rise");
		/* Other words, each in a few articles: feedback's. */
		for (unsigned k = 0; k <= (i * 7) % 9; k++) {
			unsigned w = (i + k * 17) % 60;
			char other[16];
			snprintf(other, sizeof other, " word%c%c",
				 'a' + w % 26, 'a' + w / 26);
			strcat(text, other);
		}
		if (i % 13 == 0)
			strcat(text, " oil oil rise");
		double quality = i % 7 == 0 ? -1 : (double)(i * 37 % 101);
		add_copy(db, key, text, i % 4 == 0 ? NULL : story, quality);
	}
	/* Ties for the 3 best, each with a word of its own and one that
	 * feedback then finds in other matches. */
	for (unsigned i = 0; i < 6; i++) {
		char key[32], text[96];
		snprintf(key, sizeof key, "https://tie/%u", i);
		snprintf(text, sizeof text,
			 "oil prices rise oil prices rise oil prices rise "
			 "tie%c word%ca", 'a' + i, 'a' + i);
		add_copy(db, key, text, NULL, 50);
	}
	for (unsigned i = 0; i < 200; i++) {
		char key[32];
		snprintf(key, sizeof key, "https://pad/%u", i);
		add_copy(db, key, "weather sunny mild today", NULL, 50);
	}
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_db_close(db, NULL);
	db = open_reader(f->path);
	ni_query *words[3], *strict, *relaxed;
	const char *text[] = {"oil", "prices", "rise"};
	for (int i = 0; i < 3; i++)
		assert_int_equal(ni_query_word(db, NI_FIELD_ANY, text[i],
					       strlen(text[i]), &words[i]),
				 NI_OK);
	const ni_query *const *parts = (const ni_query *const *)words;
	assert_int_equal(ni_query_combine(NI_QOP_AND, parts, 3, &strict),
			 NI_OK);
	assert_int_equal(ni_query_combine(NI_QOP_OR, parts, 3, &relaxed),
			 NI_OK);
	struct ni_search_params p = {.bm25_k1 = 1.6, .bm25_b = 0.75};
	for (unsigned i = 0; i < 4; i++)
		for (unsigned offset = 0; offset < 30; offset += 7)
			for (unsigned limit = 1; limit < 40; limit += 9) {
				p.quality_weight = i % 2 ? 1 : 4;
				p.collapse = (int)(i / 2);
				p.offset = offset;
				p.limit = limit;
				char *d1, *d2;
				ni_mset *replayed = feedback_page(
					db, strict, relaxed, p, true, &d1);
				ni_mset *walked = feedback_page(
					db, strict, relaxed, p, false, &d2);
				assert_string_equal(d1, d2);
				free(d1);
				free(d2);
				assert_int_equal(ni_mset_estimated(replayed),
						 ni_mset_estimated(walked));
				assert_same_hits(replayed, walked);
				ni_mset_free(replayed);
				ni_mset_free(walked);
			}
	for (int i = 0; i < 3; i++)
		ni_query_free(words[i]);
	ni_query_free(strict);
	ni_query_free(relaxed);
	ni_db_close(db, NULL);
}

/* The story sample of `q` (unscored, as search.c asks for one). */
static ni_mset *story_sample(ni_db *db, const ni_query *q, double share)
{
	ni_query *unscored;
	assert_int_equal(ni_query_scale(q, 0, &unscored), NI_OK);
	struct ni_search_params p = {.limit = 800, .collapse = 1,
				     .sample = share};
	ni_mset *m = NULL;
	assert_int_equal(ni_db_search(db, unscored, &p, &m), NI_OK);
	ni_query_free(unscored);
	return m;
}

/*
 * A count of `q` (unscored, as search.c counts) seeing at least `up_to`
 * matches: of stories when `collapse`; estimate, lower and upper bound.
 */
static void count_of(ni_db *db, const ni_query *q, int collapse,
		     unsigned up_to, uint64_t out[3])
{
	ni_query *unscored;
	assert_int_equal(ni_query_scale(q, 0, &unscored), NI_OK);
	struct ni_search_params p = {.check_at_least = up_to,
				     .collapse = collapse};
	ni_mset *m = NULL;
	assert_int_equal(ni_db_search(db, unscored, &p, &m), NI_OK);
	out[0] = ni_mset_estimated(m);
	out[1] = ni_mset_lower_bound(m);
	out[2] = ni_mset_upper_bound(m);
	ni_mset_free(m);
	ni_query_free(unscored);
}

/* The index `writer` wrote, committed, closed, and open for reading. */
static ni_db *reader_of(ni_db *writer, const char *path)
{
	assert_int_equal(ni_db_commit(writer), NI_OK);
	ni_db_close(writer, NULL);
	struct ni_buf msg = NI_BUF_INIT;
	ni_db *db = NULL;
	assert_int_equal(ni_db_open(path, NI_DB_READ, ANALYZER, &db, &msg),
			 NI_OK);
	ni_buf_release(&msg);
	return db;
}

/* That story samples `got` and `want` (not empty) hold the same stories
 * with the same copies and chances; both freed. */
static void expect_same_sample(ni_mset *got, ni_mset *want)
{
	assert_true(ni_mset_size(want) > 0);
	assert_int_equal(ni_mset_size(got), ni_mset_size(want));
	for (size_t h = 0; h < ni_mset_size(got); h++) {
		struct ni_hit a, b;
		ni_mset_hit(got, h, &a);
		ni_mset_hit(want, h, &b);
		assert_int_equal(a.docid, b.docid);
		assert_int_equal(a.n_similar, b.n_similar);
		assert_true(a.sample_chance > 0 &&
			    a.sample_chance == b.sample_chance);
	}
	ni_mset_free(got);
	ni_mset_free(want);
}

/* 400 articles of "oil" (some "oil prices"), stories of 1 to 5 copies,
 * some of them apart in id order, some articles without a story. */
static void add_oil_stories(ni_db *db)
{
	for (unsigned i = 0; i < 400; i++) {
		char key[32], story[16];
		snprintf(key, sizeof key, "https://s/%u", i);
		snprintf(story, sizeof story, "s%u", i % 7 ? i / 3 : i % 50);
		add_copy(db, key, i % 3 ? "oil prices" : "oil",
			 i % 11 ? story : NULL, (double)(i % 90));
	}
}

/*
 * A story sample or count with no walk to take it from, on an index
 * with a document table, walks the matches itself and takes the
 * stories without copies from the table: the same sample, copies and
 * chances, the same count, as Xapian's collapse gives a writer (which
 * reads no table).  Caught with the sample's walk not kept (an empty
 * sample), and with a count walked past check_at_least (where Xapian
 * stops and estimates: 400 matches, 50 seen).
 */
static void test_sample_without_a_walk_reads_the_table(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	add_oil_stories(db);
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_db *reader = open_index(f->path, NI_DB_READ, ANALYZER);
	ni_query *in_writer, *in_reader;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "oil", 3,
				       &in_writer), NI_OK);
	assert_int_equal(ni_query_word(reader, NI_FIELD_ANY, "oil", 3,
				       &in_reader), NI_OK);
	static const double shares[] = {0.05, 0.2, 1};
	for (size_t i = 0; i < 3; i++) {
		ni_mset *xapian = story_sample(db, in_writer, shares[i]);
		ni_mset *table = story_sample(reader, in_reader, shares[i]);
		expect_same_sample(table, xapian);
	}
	static const unsigned up_to[] = {50, 1000};
	for (size_t i = 0; i < 2; i++) {
		uint64_t xapian[3], table[3];
		ni_db_forget_walks(reader);
		count_of(db, in_writer, 1, up_to[i], xapian);
		count_of(reader, in_reader, 1, up_to[i], table);
		assert_memory_equal(table, xapian, sizeof table);
		assert_true(i == 0 || (xapian[1] == xapian[2] &&
				       xapian[0] < 400));
	}
	ni_query_free(in_writer);
	ni_query_free(in_reader);
	ni_db_close(reader, NULL);
	ni_db_close(db, NULL);
}

static void test_samples_and_counts_of_a_walk(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	add_oil_stories(db);
	db = reader_of(db, f->path);
	ni_query *oil, *prices;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "oil", 3, &oil),
			 NI_OK);
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "prices", 6,
				       &prices), NI_OK);
	static const double shares[] = {0.05, 0.2, 0.5, 1};
	for (size_t i = 0; i < 4; i++) {
		/* Sampled by Xapian: no walk of this query yet. */
		ni_mset *searched = story_sample(db, oil, shares[i]);
		/* A page of the same query walks its matches. */
		struct ni_search_params page = {.limit = 10,
						.quality_weight = 1,
						.bm25_k1 = 1.2,
						.bm25_b = 0.75,
						.collapse = 1};
		ni_mset *m = NULL;
		assert_int_equal(ni_db_search(db, oil, &page, &m), NI_OK);
		ni_mset_free(m);
		ni_mset *walked = story_sample(db, oil, shares[i]);
		expect_same_sample(walked, searched);
		/* A walk of another query is not this one's. */
		assert_int_equal(ni_db_search(db, prices, &page, &m), NI_OK);
		ni_mset_free(m);
	}
	/* Counts of articles and stories, by Xapian, then from walks. */
	const ni_query *parts[] = {oil, prices};
	ni_query *both;
	assert_int_equal(ni_query_combine(NI_QOP_AND, parts, 2, &both),
			 NI_OK);
	uint64_t stories[3], articles[3], again[3];
	count_of(db, both, 1, 1000, stories);
	count_of(db, both, 0, 1000, articles);
	assert_true(stories[1] == stories[2] && stories[0] < articles[0]);
	count_of(db, both, 1, 1000, again);
	assert_memory_equal(again, stories, sizeof stories);
	/*
	 * As many to count as there are: Xapian's count, which a fresh
	 * reader (no walks) gives.
	 */
	uint64_t walked[2][3], fresh[2][3];
	count_of(db, both, 1, (unsigned)stories[0], walked[0]);
	count_of(db, both, 0, (unsigned)articles[0], walked[1]);
	ni_query_free(both);
	ni_query_free(oil);
	ni_query_free(prices);
	ni_db_close(db, NULL);
	struct ni_buf msg = NI_BUF_INIT;
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, ANALYZER, &db, &msg),
			 NI_OK);
	ni_buf_release(&msg);
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "oil", 3, &oil),
			 NI_OK);
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "prices", 6,
				       &prices), NI_OK);
	parts[0] = oil;
	parts[1] = prices;
	assert_int_equal(ni_query_combine(NI_QOP_AND, parts, 2, &both),
			 NI_OK);
	count_of(db, both, 1, (unsigned)stories[0], fresh[0]);
	count_of(db, both, 0, (unsigned)articles[0], fresh[1]);
	assert_memory_equal(walked, fresh, sizeof walked);
	ni_query_free(both);
	ni_query_free(oil);
	ni_query_free(prices);
	ni_db_close(db, NULL);
}

/*
 * A page's walk saw every match of its query: a count of the same query
 * takes its articles from it, exact, however many there are (Xapian
 * would stop at check_at_least and estimate: "about 1000" articles of
 * 6,676 at 200,000).  Its stories past check_at_least stay Xapian's.
 */
static void test_a_walk_counts_every_article(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	for (unsigned i = 0; i < 300; i++) {
		char key[32], story[16];
		snprintf(key, sizeof key, "https://w/%u", i);
		snprintf(story, sizeof story, "s%u", i / 2);
		static const char *const words[] = {"oil", "prices", "gas",
						    "oil prices", "oil prices"};
		add_copy(db, key, words[i % 5], story, (double)(i % 90));
	}
	db = reader_of(db, f->path);
	ni_query *words[2], *both;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "oil", 3, &words[0]),
			 NI_OK);
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "prices", 6,
				       &words[1]), NI_OK);
	assert_int_equal(ni_query_combine(NI_QOP_AND,
					  (const ni_query *const *)words, 2,
					  &both), NI_OK);
	/* Before any walk, Xapian stops after 10 and estimates. */
	uint64_t before[3], articles[3], stories[3];
	count_of(db, both, 0, 10, before);
	assert_true(before[1] < before[2]);
	struct ni_search_params page = {.limit = 10, .quality_weight = 1,
					.bm25_k1 = 1.2, .bm25_b = 0.75,
					.collapse = 1};
	ni_mset *m = NULL;
	assert_int_equal(ni_db_search(db, both, &page, &m), NI_OK);
	ni_mset_free(m);
	count_of(db, both, 0, 10, articles);
	uint64_t exact[3] = {120, 120, 120};
	assert_memory_equal(articles, exact, sizeof exact);
	/* Its stories (of 1 or 2 copies) are more than 10 to count. */
	count_of(db, both, 1, 10, stories);
	assert_true(stories[1] < stories[2]);
	ni_query_free(both);
	ni_query_free(words[0]);
	ni_query_free(words[1]);
	ni_db_close(db, NULL);
}

/*
 * A phrase's count that Xapian stops is estimated from the candidates
 * of runs of ids (Xapian's own is about its lower bound: "1000" of
 * 5,168 for `"oil prices"` at 200,000 articles); with few candidates,
 * all are checked and it is exact.
 */
static void test_phrase_counts_past_the_stop(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	static const char *const titles[] = {
		"oil prices", "prices of oil", "oil and prices",
		"oil prices rise"};
	for (unsigned i = 0; i < 4000; i++) {
		char key[32];
		snprintf(key, sizeof key, "https://p/%u", i);
		add_copy(db, key, titles[i % 4], NULL, 50);
	}
	db = reader_of(db, f->path);
	const char *words[] = {"oil", "prices", "rise"};
	size_t lens[] = {3, 6, 4};
	ni_query *oil_prices, *prices_rise;
	assert_int_equal(ni_query_phrase(db, NI_FIELD_ANY, words, lens, 2,
					 &oil_prices), NI_OK);
	assert_int_equal(ni_query_phrase(db, NI_FIELD_ANY, words + 1,
					 lens + 1, 2, &prices_rise), NI_OK);
	/* 2,000 of 4,000 candidates: sampled, within a twentieth. */
	uint64_t n[3];
	count_of(db, oil_prices, 0, 100, n);
	assert_true(n[1] < n[2]);
	assert_in_range(n[0], 1900, 2100);
	/* 1,000 candidates, all checked. */
	count_of(db, prices_rise, 0, 100, n);
	uint64_t exact[3] = {1000, 1000, 1000};
	assert_memory_equal(n, exact, sizeof exact);
	ni_query_free(oil_prices);
	ni_query_free(prices_rise);
	ni_db_close(db, NULL);
}

/*
 * A search counts from its own walks only: one with facets walks every
 * match of a phrase (and could count its 1,500 exactly), but the next
 * search, without facets, answers as on a fresh handle (the server
 * keeps one handle for every request: the same query must not answer
 * "about 1,480" and then "1,500" as other requests come and go).
 */
/*
 * 3,000 articles, half of them with the phrase "oil prices" (*phrase)
 * and half with both words apart: more candidates than a phrase's
 * count checks (positional_estimate()).  Returns the index, read.
 */
static ni_db *oil_prices_apart(const char *path, ni_query **phrase)
{
	ni_db *db = open_writer(path);
	for (unsigned i = 0; i < 3000; i++) {
		char key[32];
		snprintf(key, sizeof key, "https://q/%u", i);
		add_copy(db, key, i % 2 ? "prices of oil" : "oil prices", NULL,
			 50);
	}
	db = reader_of(db, path);
	const char *words[] = {"oil", "prices"};
	size_t lens[] = {3, 6};
	assert_int_equal(ni_query_phrase(db, NI_FIELD_ANY, words, lens, 2,
					 phrase), NI_OK);
	return db;
}

/*
 * A phrase's page walks its matches as a page of words does, checking
 * every candidate's positions, and its count comes from that walk:
 * exact, where Xapian alone stops and estimates.
 */
static void test_a_phrase_page_counts_its_walk(void **state)
{
	struct db_fixture *f = *state;
	ni_query *phrase;
	ni_db *db = oil_prices_apart(f->path, &phrase);
	struct ni_search_options o;
	ni_search_options_init(&o);
	o.limit = 10;
	o.feedback = false;
	struct ni_results r;
	struct ni_buf msg = NI_BUF_INIT;
	assert_int_equal(ni_search_run(db, phrase, NULL, &o, &r, &msg),
			 NI_OK);
	assert_true(r.total_exact);
	assert_int_equal(r.total, 1500);
	assert_int_equal(r.n_hits, 10);
	ni_results_clear(&r);
	ni_buf_release(&msg);
	ni_query_free(phrase);
	ni_db_close(db, NULL);
}

static void test_searches_do_not_share_walks(void **state)
{
	struct db_fixture *f = *state;
	ni_query *phrase;
	ni_db *db = oil_prices_apart(f->path, &phrase);
	struct ni_search_options o;
	ni_search_options_init(&o);
	o.limit = 10;
	o.feedback = false;
	/* A page blended with recency walks nothing: its count is Xapian's. */
	o.recent = true;
	struct ni_results first, faceted, again;
	struct ni_buf msg = NI_BUF_INIT;
	assert_int_equal(ni_search_run(db, phrase, NULL, &o, &first, &msg),
			 NI_OK);
	/* Estimated: 3,000 candidates, more than a phrase checks. */
	assert_false(first.total_exact);
	o.facets = 1u << NI_FACET_TOPIC;
	assert_int_equal(ni_search_run(db, phrase, NULL, &o, &faceted, &msg),
			 NI_OK);
	assert_true(faceted.total_exact);
	assert_int_equal(faceted.total, 1500);
	o.facets = 0;
	assert_int_equal(ni_search_run(db, phrase, NULL, &o, &again, &msg),
			 NI_OK);
	assert_int_equal(again.total, first.total);
	assert_int_equal(again.total_exact, first.total_exact);
	assert_int_equal(again.stories, first.stories);
	ni_results_clear(&first);
	ni_results_clear(&faceted);
	ni_results_clear(&again);
	ni_buf_release(&msg);
	ni_query_free(phrase);
	ni_db_close(db, NULL);
}

/* A copy of story "s" (NULL: a story of its own) dated `day` of 2024-01. */
static void add_dated(ni_db *db, const char *key, const char *story,
		      int day, double quality)
{
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_word(doc, NI_FIELD_TITLE, "rates", 5),
			 NI_OK);
	assert_int_equal(ni_doc_set_number(doc, NI_SLOT_QUALITY, quality),
			 NI_OK);
	/* 2024-01-01T00:00:00Z, and so many days after. */
	assert_int_equal(ni_doc_set_number(doc, NI_SLOT_DATE,
					   1704067200.0 + 86400.0 * day),
			 NI_OK);
	store_doc(db, doc, key, story);
}

/*
 * Sorted by date, a story is shown by the copy whose date placed it (not
 * its best one), and its other copies are counted all the same.
 */
static void test_collapse_sorted_by_date_counts_copies(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	add_dated(db, "best", "s", 10, 90);
	add_dated(db, "newest", "s", 20, 10);
	add_dated(db, "oldest", "s", 5, 20);
	add_dated(db, "other", NULL, 15, 50);
	assert_int_equal(ni_db_commit(db), NI_OK);
	const struct {
		int sort;
		const char *first, *second;
		double quality;
	} cases[] = {
		{NI_SORT_DATE, "newest", "other", 10},
		{NI_SORT_DATE_ASC, "oldest", "other", 20},
	};
	for (size_t i = 0; i < 2; i++) {
		struct ni_search_params p = {.limit = 10, .bm25_k1 = 1.2,
					     .bm25_b = 0.75, .collapse = 1,
					     .sort = cases[i].sort};
		ni_mset *m = search_with(db, "rates", &p);
		assert_int_equal(ni_mset_size(m), 2);
		struct ni_hit hit;
		ni_mset_hit(m, 0, &hit);
		assert_int_equal(hit.data_len, strlen(cases[i].first));
		assert_memory_equal(hit.data, cases[i].first, hit.data_len);
		assert_int_equal(hit.n_similar, 2);
		assert_true(hit.quality == cases[i].quality);
		ni_mset_hit(m, 1, &hit);
		assert_memory_equal(hit.data, cases[i].second,
				    strlen(cases[i].second));
		assert_int_equal(hit.n_similar, 0);
		ni_mset_free(m);
	}
	ni_db_close(db, NULL);
}

static ni_db *open_reader(const char *path)
{
	return open_index(path, NI_DB_READ, ANALYZER);
}

/*
 * The "rates" page of `db` holds `stories` stories with `similar` other
 * copies in all, ranked (the best copy looked for) and sorted by date
 * (copies counted only): the two ways best_copy() counts them.
 */
static void expect_copies(ni_db *db, size_t stories, uint32_t similar)
{
	const enum ni_sort sorts[] = {NI_SORT_RELEVANCE, NI_SORT_DATE};
	for (size_t i = 0; i < 2; i++) {
		struct ni_search_params p = {.limit = 10, .bm25_k1 = 1.2,
					     .bm25_b = 0.75, .collapse = 1,
					     .sort = sorts[i]};
		ni_mset *m = search_with(db, "rates", &p);
		assert_int_equal(ni_mset_size(m), stories);
		uint32_t counted = 0;
		for (size_t k = 0; k < stories; k++) {
			struct ni_hit hit;
			ni_mset_hit(m, k, &hit);
			counted += hit.n_similar;
		}
		ni_mset_free(m);
		if (counted != similar)
			fail_msg("sort %d: %u other copies, wanted %u",
				 (int)sorts[i], counted, similar);
	}
}

/*
 * The base-2 logarithm of the bits of the index's map of the stories
 * that may have copies (ni_xapian.h); 0 when it has none.  The bits
 * follow the header: mostly zero bytes, which end the C string.
 */
static int copies_map_size(ni_db *db)
{
	char *value = NULL;
	assert_int_equal(ni_db_get_metadata(db, NI_META_STORY_COPIES,
					    &value), NI_OK);
	int log2 = value[0] == NI_STORY_COPIES_FORMAT
		? (unsigned char)value[1] : 0;
	free(value);
	return log2;
}

/*
 * A reader is told which stories may have copies (NI_META_STORY_COPIES)
 * rather than looking each up: the copies of a story written in two
 * commits, deleted down to one, and written again are counted by a
 * reader that follows each commit.
 */
static void test_copies_written_apart_are_counted(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	add_dated(db, "a", "s", 1, 50);
	add_dated(db, "other", "t", 2, 50);
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_db *reader = open_reader(f->path);
	assert_int_equal(copies_map_size(reader), 16);
	expect_copies(reader, 2, 0);

	const struct {
		const char *add, *del;
		uint32_t similar;
	} steps[] = {
		{"b", NULL, 1}, {"c", NULL, 2}, {NULL, "a", 1},
		{NULL, "b", 0}, {"d", NULL, 1},
	};
	for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
		if (steps[i].add)
			add_dated(db, steps[i].add, "s", 3 + (int)i, 60);
		if (steps[i].del)
			assert_int_equal(ni_db_delete(db, steps[i].del),
					 NI_OK);
		assert_int_equal(ni_db_commit(db), NI_OK);
		bool changed = false;
		assert_int_equal(ni_db_reopen(reader, &changed), NI_OK);
		assert_true(changed);
		expect_copies(reader, 2, steps[i].similar);
		/* A reader opened now reads the map afresh. */
		ni_db *fresh = open_reader(f->path);
		expect_copies(fresh, 2, steps[i].similar);
		ni_db_close(fresh, NULL);
	}
	ni_db_close(reader, NULL);
	ni_db_close(db, NULL);
}

/*
 * An index built before the map was kept (or with its key removed) has
 * its copies counted all the same, and its next commit writes the map,
 * even when nothing was written.
 */
static void test_index_without_copies_map_counts_copies(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	add_dated(db, "a", "s", 1, 50);
	add_dated(db, "b", "s", 2, 50);
	add_dated(db, "other", "t", 3, 50);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(ni_db_set_metadata(db, NI_META_STORY_COPIES, ""),
			 NI_OK);
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_db_close(db, NULL);

	ni_db *reader = open_reader(f->path);
	assert_int_equal(copies_map_size(reader), 0);
	expect_copies(reader, 2, 1);
	ni_db_close(reader, NULL);

	db = open_writer(f->path);
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_db_close(db, NULL);
	reader = open_reader(f->path);
	assert_int_equal(copies_map_size(reader), 16);
	expect_copies(reader, 2, 1);
	ni_db_close(reader, NULL);
}

/*
 * A map grown dense by the commits (more than an eighth of its bits
 * set) is made anew, larger: 16 bits or more for each story that has
 * copies.
 */
static void test_dense_copies_map_grows(void **state)
{
	struct db_fixture *f = *state;
	/* Some share a bit: 8,800 or so of 65,536 are set. */
	enum { STORIES = 9500 };
	ni_db *db = open_writer(f->path);
	add_dated(db, "first", "first", 1, 50);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(copies_map_size(db), 16);
	char key[32], story[32];
	for (int i = 0; i < 2 * STORIES; i++) {
		snprintf(key, sizeof key, "k%d", i);
		snprintf(story, sizeof story, "s%d", i / 2);
		add_dated(db, key, story, 1, 50);
	}
	assert_int_equal(ni_db_commit(db), NI_OK);
	/* 9,500 stories: 152,000 bits, 2^18 the next power of two. */
	assert_int_equal(copies_map_size(db), 18);
	ni_db_close(db, NULL);
}

/*
 * Parts merged (ni_db_adopt_parts), each holding one copy of a story:
 * parts of a parallel build (NI_DB_PART), which keep no map, and parts
 * written as indexes, whose maps each miss the story; the merged index
 * has a map of its own.
 */
static void test_copies_in_merged_parts_are_counted(void **state)
{
	struct db_fixture *f = *state;
	const enum ni_db_mode modes[] = {NI_DB_PART, NI_DB_WRITE};
	for (size_t m = 0; m < 2; m++) {
		char parts[2][160], merged[160];
		const char *list[2];
		for (int i = 0; i < 2; i++) {
			snprintf(parts[i], sizeof parts[i], "%s/part-%zu-%d",
				 f->dir, m, i);
			list[i] = parts[i];
			ni_db *part = NULL;
			assert_int_equal(ni_db_open(parts[i], modes[m],
						    ANALYZER, &part, NULL),
					 NI_OK);
			add_dated(part, i ? "b" : "a", "s", 1 + i, 50);
			if (i == 0)
				add_dated(part, "other", "t", 3, 50);
			assert_int_equal(ni_db_commit(part), NI_OK);
			ni_db_close(part, NULL);
		}
		snprintf(merged, sizeof merged, "%s/merged-%zu", f->dir, m);
		ni_db *db = open_writer(merged);
		if (ni_db_adopt_parts(db, list, 2) != NI_OK)
			fail_msg("adopt: %s", ni_db_errmsg(db));
		assert_int_equal(ni_db_commit(db), NI_OK);
		ni_db_close(db, NULL);
		ni_db *reader = open_reader(merged);
		assert_int_equal(copies_map_size(reader), 16);
		expect_copies(reader, 2, 1);
		ni_db_close(reader, NULL);
	}
}

/*
 * The "rates" page of `db` ranked with the quality blend in one walk
 * (one_walk_page(), which reads the document table), collapsed: its
 * hits' qualities in `qualities` (at most 8), their number returned;
 * and in `*stories` the count of stories that follows it from its walk
 * (count_of_walk()).
 */
static size_t table_page(ni_db *db, double *qualities, uint64_t *stories)
{
	struct ni_search_params p = {.limit = 8, .quality_weight = 1,
				     .bm25_k1 = 1.2, .bm25_b = 0.75,
				     .collapse = 1};
	ni_mset *m = search_with(db, "rates", &p);
	size_t n = ni_mset_size(m);
	for (size_t i = 0; i < n; i++) {
		struct ni_hit hit;
		ni_mset_hit(m, i, &hit);
		qualities[i] = hit.quality;
		/* The score adds what the table (or the value) says. */
		assert_true(fabs(hit.score - hit.relevance - hit.quality_part)
			    < 1e-9);
	}
	ni_mset_free(m);
	struct ni_search_params count = {.bm25_k1 = 1.2, .bm25_b = 0.75,
					 .collapse = 1,
					 .check_at_least = 1000};
	m = search_with(db, "rates", &count);
	*stories = ni_mset_estimated(m);
	ni_mset_free(m);
	return n;
}

/* ni_db_check()'s report of the index at `path`: `n` problems. */
static void assert_check(const char *path, const char *report, uint64_t n)
{
	uint64_t problems;
	struct ni_buf got = NI_BUF_INIT;
	assert_int_equal(ni_db_check(path, ANALYZER, &problems, &got, NULL),
			 NI_OK);
	assert_string_equal(ni_buf_str(&got), report);
	assert_int_equal(problems, n);
	ni_buf_release(&got);
}

/* The fields of the document table's header: its UUID and revision. */
static void table_header(ni_db *db, char *uuid, size_t size,
			 uint64_t *revision)
{
	char *value = NULL;
	assert_int_equal(ni_db_get_metadata(db, NI_META_DOC_TABLE, &value),
			 NI_OK);
	unsigned format = 0, ids = 0;
	unsigned long long rev = 0;
	char id[64] = "";
	if (sscanf(value, "%u %u %63s %llu", &format, &ids, id, &rev) != 4)
		fail_msg("document table header '%s'", value);
	free(value);
	assert_int_equal(format, NI_DOC_TABLE_FORMAT);
	snprintf(uuid, size, "%s", id);
	*revision = rev;
}

/* That the document table's header is of the revision `db` reads; its
 * UUID in `uuid` when not NULL. */
static void table_is_current(ni_db *db, char *uuid, size_t size)
{
	char id[64];
	uint64_t rev = 0, read = 0;
	bool known = false;
	table_header(db, id, sizeof id, &rev);
	assert_int_equal(ni_db_revision(db, &read, &known), NI_OK);
	assert_int_equal(rev, read);
	if (uuid)
		snprintf(uuid, size, "%s", id);
}

/* An index open for writing at `path` with two stories, "a" of quality
 * 30 (story "s") and "other" of 60 (story "t"), committed. */
static ni_db *two_stories(const char *path)
{
	ni_db *db = open_writer(path);
	add_dated(db, "a", "s", 1, 30);
	add_dated(db, "other", "t", 1, 60);
	assert_int_equal(ni_db_commit(db), NI_OK);
	return db;
}

/* A part's writer (which keeps no document table) of two_stories(). */
static ni_db *part_of_two_stories(const char *path)
{
	ni_db_close(two_stories(path), NULL);
	ni_db *part = NULL;
	assert_int_equal(ni_db_open(path, NI_DB_PART, ANALYZER, &part, NULL),
			 NI_OK);
	return part;
}

/* A reader of `path` after a commit by a writer that keeps the
 * document table (which makes it anew when it is not current): the
 * table current. */
static ni_db *reader_after_a_commit(const char *path)
{
	ni_db *db = open_writer(path);
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_db_close(db, NULL);
	ni_db *reader = open_reader(path);
	table_is_current(reader, NULL, 0);
	return reader;
}

/* The revision the writer `db` has committed. */
static uint64_t committed_revision(ni_db *db)
{
	uint64_t revision = 0;
	bool known = false;
	assert_int_equal(ni_db_revision(db, &revision, &known), NI_OK);
	assert_true(known);
	return revision;
}

/* Metadata `key` of `db`, as a string compared with `want`. */
static void metadata_is(ni_db *db, const char *key, const char *want)
{
	char *value = NULL;
	assert_int_equal(ni_db_get_metadata(db, key, &value), NI_OK);
	assert_string_equal(value, want);
	free(value);
}

/*
 * A commit that has nothing to record makes no revision: readers watch
 * the revision (a feed's ETag, a page's /api/events), and a build that
 * changed nothing told every open page the index had changed (the
 * document table's header, written at each commit, was the change).
 * Each step is caught by a mutation: commit() not skipping (every
 * step), ni_db_set_metadata() writing an unchanged value, a delete of
 * a key the index does not have counted as a change, a metadata
 * "with" the next commit written at once or not at all.
 */
static void test_commit_of_nothing_keeps_the_revision(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = two_stories(f->path);
	uint64_t at = committed_revision(db);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(committed_revision(db), at);

	assert_int_equal(ni_db_set_metadata(db, "app.mark", "one"), NI_OK);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(committed_revision(db), ++at);
	assert_int_equal(ni_db_set_metadata(db, "app.mark", "one"), NI_OK);
	assert_int_equal(ni_db_delete(db, "no-such-key"), NI_OK);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(committed_revision(db), at);

	/* A mark for the next commit that writes: not on its own, and not
	 * when set back before. */
	assert_int_equal(ni_db_set_metadata_with(db, "app.mark", "two"),
			 NI_OK);
	metadata_is(db, "app.mark", "one");
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(committed_revision(db), at);
	assert_int_equal(ni_db_set_metadata(db, "app.mark", "one"), NI_OK);
	add_dated(db, "third", "u", 1, 40);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(committed_revision(db), ++at);
	metadata_is(db, "app.mark", "one");
	assert_int_equal(ni_db_set_metadata_with(db, "app.mark", "two"),
			 NI_OK);
	assert_int_equal(ni_db_delete(db, "third"), NI_OK);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(committed_revision(db), ++at);
	metadata_is(db, "app.mark", "two");

	/* Closed and opened again: nothing written, nothing committed;
	 * the table still current for a reader. */
	ni_db_close(db, NULL);
	db = open_writer(f->path);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(committed_revision(db), at);
	ni_db_close(db, NULL);
	ni_db *reader = open_reader(f->path);
	assert_int_equal(committed_revision(reader), at);
	table_is_current(reader, NULL, 0);
	ni_db_close(reader, NULL);
}

/*
 * The document table (NI_META_DOC_TABLE) follows the writes: an
 * article written again with another quality is ranked and shown with
 * it (caught with ni_db_replace() not giving the table the documents it
 * writes), and a story that gets a second copy a commit later is one
 * story on the page and in the count (caught with the commit not
 * marking the first copy, written before: three stories then).
 */
static void test_doc_table_follows_the_writes(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = two_stories(f->path);
	ni_db *reader = open_reader(f->path);
	table_is_current(reader, NULL, 0);
	double q[8];
	uint64_t stories = 0;
	assert_int_equal(table_page(reader, q, &stories), 2);
	assert_true(q[0] == 60 && q[1] == 30);
	assert_int_equal(stories, 2);

	/* "a" is not written again: the commit finds it by its story. */
	add_dated(db, "other", "t", 1, 90);
	add_dated(db, "b", "s", 2, 20);
	assert_int_equal(ni_db_commit(db), NI_OK);
	bool changed = false;
	assert_int_equal(ni_db_reopen(reader, &changed), NI_OK);
	assert_true(changed);
	assert_int_equal(table_page(reader, q, &stories), 2);
	if (!(q[0] == 90 && q[1] == 30))
		fail_msg("qualities %g, %g: wanted 90, 30", q[0], q[1]);
	assert_int_equal(stories, 2);
	ni_db_close(reader, NULL);
	ni_db_close(db, NULL);
}

/*
 * A commit by a program that does not keep the document table (here a
 * part's writer, which keeps none) leaves it of an older revision: a
 * reader reads the values then, and the next commit that keeps it makes
 * it anew.  Caught with the reader not comparing the revision.
 */
static void test_stale_doc_table_is_not_read(void **state)
{
	struct db_fixture *f = *state;
	ni_db *other = part_of_two_stories(f->path);
	add_dated(other, "a", "s", 1, 90);
	assert_int_equal(ni_db_commit(other), NI_OK);
	ni_db_close(other, NULL);

	ni_db *reader = open_reader(f->path);
	double q[8];
	uint64_t stories = 0;
	assert_int_equal(table_page(reader, q, &stories), 2);
	if (!(q[0] == 90 && q[1] == 60))
		fail_msg("qualities %g, %g: wanted 90, 60", q[0], q[1]);
	ni_db_close(reader, NULL);

	reader = reader_after_a_commit(f->path);
	assert_int_equal(table_page(reader, q, &stories), 2);
	assert_true(q[0] == 90 && q[1] == 60);
	ni_db_close(reader, NULL);
}

/*
 * `newsindex check` compares the document table with the documents:
 * a chunk that says another quality is a problem (caught with
 * ni_db_check not looking at the table).
 */
static void test_check_finds_a_wrong_doc_table(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = two_stories(f->path);
	assert_check(f->path, "", 0);
	assert_int_equal(ni_db_set_metadata(db, NI_META_DOC_TABLE ".0",
					    "\x1e\x1d"), NI_OK);
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_db_close(db, NULL);
	assert_check(f->path, "the document table (" NI_META_DOC_TABLE ") "
		     "disagrees with 1 documents, the first 2 ('newsindex "
		     "compact' makes it anew)\n", 1);
}

/*
 * A compaction's copy (newsindex compact) numbers the documents anew,
 * gaps closed, and has a UUID of its own: its table is made anew, of
 * its UUID and revision (caught with the copy keeping the index's).
 */
static void test_doc_table_of_a_compacted_copy(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = two_stories(f->path);
	/* "a" was document 1: "other" is 1 in the copy. */
	assert_int_equal(ni_db_delete(db, "a"), NI_OK);
	assert_int_equal(ni_db_commit(db), NI_OK);
	char before[64], after[64];
	table_is_current(db, before, sizeof before);
	char dest[160];
	snprintf(dest, sizeof dest, "%s/compacted", f->dir);
	assert_int_equal(ni_db_compact_to(db, dest), NI_OK);
	ni_db_close(db, NULL);
	ni_db *reader = open_reader(dest);
	table_is_current(reader, after, sizeof after);
	assert_string_not_equal(after, before);
	double q[8];
	uint64_t stories = 0;
	assert_int_equal(table_page(reader, q, &stories), 1);
	assert_true(q[0] == 60);
	assert_int_equal(stories, 1);
	assert_check(dest, "", 0);
	ni_db_close(reader, NULL);
}

/*
 * That chunk 0 of `db`'s bitmap (NI_META_DOC_SHARED) holds the
 * NI_DOC_STORY_SHARED bits of chunk 0 of its table, bit i in byte i / 8
 * at 1 << i % 8, a bit past the bytes set (as NI_DOC_UNKNOWN's): for an
 * index of fewer than 8 documents and no byte 0, whose chunks are C
 * strings.  Returns the bitmap's byte.
 */
static unsigned bitmap_agrees(ni_db *db)
{
	char *bytes = NULL, *bits = NULL;
	assert_int_equal(ni_db_get_metadata(db, NI_META_DOC_TABLE ".0",
					    &bytes), NI_OK);
	assert_int_equal(ni_db_get_metadata(db, NI_META_DOC_SHARED ".0",
					    &bits), NI_OK);
	size_t n = strlen(bytes);
	assert_in_range(n, 1, 7);
	unsigned want = 0;
	for (size_t i = 0; i < 8; i++)
		if (i >= n || (unsigned char)bytes[i] & NI_DOC_STORY_SHARED)
			want |= 1u << i;
	if (strlen(bits) != 1 || (unsigned char)bits[0] != want)
		fail_msg("bitmap %zu bytes, 0x%02x: wanted 0x%02x of %zu "
			 "bytes", strlen(bits), (unsigned char)bits[0], want,
			 n);
	free(bytes);
	free(bits);
	return want;
}

/* The story count of "rates" on a reader of `path` opened anew, with
 * the table current and its bitmap agreeing. */
static uint64_t stories_read(const char *path)
{
	ni_db *reader = open_reader(path);
	table_is_current(reader, NULL, 0);
	bitmap_agrees(reader);
	double q[8];
	uint64_t stories = 0;
	table_page(reader, q, &stories);
	ni_db_close(reader, NULL);
	return stories;
}

/*
 * The bitmap of the document table (NI_META_DOC_SHARED), which a count
 * of stories reads, agrees with the table's bytes after writes, a
 * replacement, a deletion and a compaction, whose copy keeps no stale
 * chunk of it.  Caught with a commit writing the bytes of a changed
 * chunk but not its bitmap (set_doc_chunk()), with the bits in the
 * other order, and with write_doc_table() deleting stale bytes only.
 */
static void test_doc_bitmap_follows_the_bytes(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = two_stories(f->path);
	assert_int_equal(stories_read(f->path), 2);
	/* Story "s" gets a copy, document 3. */
	add_dated(db, "b", "s", 2, 20);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(stories_read(f->path), 2);
	/* "other" (document 2) goes to story "s" too. */
	add_dated(db, "other", "s", 1, 90);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(stories_read(f->path), 1);
	assert_int_equal(ni_db_delete(db, "a"), NI_OK);
	/* A stale bitmap chunk, which the compaction's table drops. */
	assert_int_equal(ni_db_set_metadata(db, NI_META_DOC_SHARED ".5",
					    "x"), NI_OK);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(stories_read(f->path), 1);
	char dest[160];
	snprintf(dest, sizeof dest, "%s/compacted", f->dir);
	assert_int_equal(ni_db_compact_to(db, dest), NI_OK);
	ni_db_close(db, NULL);
	assert_int_equal(stories_read(dest), 1);
	ni_db *copy = open_reader(dest);
	/* Two documents, both of story "s". */
	assert_int_equal(bitmap_agrees(copy), 0xff);
	char *value = NULL;
	assert_int_equal(ni_db_get_metadata(copy, NI_META_DOC_SHARED ".5",
					    &value), NI_OK);
	assert_string_equal(value, "");
	free(value);
	ni_db_close(copy, NULL);
	assert_check(dest, "", 0);
}

/*
 * A table of format 1 (NI_DOC_TABLE_FORMAT), which had no bitmap, of
 * the revision read: a reader does not read it, and the next commit
 * makes the table anew.  Here its byte of "a" says quality 10, so that
 * reading it shows; the bitmap is gone, as format 1 had none.  Caught
 * with the reader's header compared without its format (10 shown), and
 * with the writer's (the byte kept, and no bitmap).
 */
static void test_format_1_doc_table_is_remade(void **state)
{
	struct db_fixture *f = *state;
	ni_db *other = part_of_two_stories(f->path);
	char uuid[64], header[128];
	uint64_t rev = 0;
	table_header(other, uuid, sizeof uuid, &rev);
	/* The revision the part's commit will have. */
	snprintf(header, sizeof header, "1 4096 %s %llu", uuid,
		 (unsigned long long)rev + 1);
	assert_int_equal(ni_db_set_metadata(other, NI_META_DOC_TABLE, header),
			 NI_OK);
	assert_int_equal(ni_db_set_metadata(other, NI_META_DOC_TABLE ".0",
					    "\x0a\x3c"), NI_OK);
	assert_int_equal(ni_db_set_metadata(other, NI_META_DOC_SHARED ".0",
					    ""), NI_OK);
	assert_int_equal(ni_db_commit(other), NI_OK);
	ni_db_close(other, NULL);

	ni_db *reader = open_reader(f->path);
	uint64_t read = 0;
	bool known = false;
	assert_int_equal(ni_db_revision(reader, &read, &known), NI_OK);
	assert_int_equal(read, rev + 1);
	double q[8];
	uint64_t stories = 0;
	assert_int_equal(table_page(reader, q, &stories), 2);
	if (!(q[0] == 60 && q[1] == 30))
		fail_msg("qualities %g, %g: wanted 60, 30", q[0], q[1]);
	assert_int_equal(stories, 2);
	ni_db_close(reader, NULL);

	reader = reader_after_a_commit(f->path);
	bitmap_agrees(reader);
	assert_int_equal(table_page(reader, q, &stories), 2);
	if (!(q[0] == 60 && q[1] == 30))
		fail_msg("qualities %g, %g: wanted 60, 30", q[0], q[1]);
	ni_db_close(reader, NULL);
	assert_check(f->path, "", 0);
}

/*
 * `newsindex check` compares the bitmap with the table's bytes: a bit
 * cleared that the byte has (a story with copies counted as two) is a
 * problem.  Caught with ni_db_check not reading the bitmap.
 */
static void test_check_finds_a_wrong_doc_bitmap(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	add_dated(db, "a", "s", 1, 30);
	add_dated(db, "b", "s", 2, 60);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_check(f->path, "", 0);
	assert_int_equal(bitmap_agrees(db), 0xff);
	assert_int_equal(ni_db_set_metadata(db, NI_META_DOC_SHARED ".0",
					    "\xfe"), NI_OK);
	assert_int_equal(ni_db_commit(db), NI_OK);
	ni_db_close(db, NULL);
	assert_check(f->path, "the bitmap of the document table ("
		     NI_META_DOC_SHARED ") disagrees with its bytes for 1 "
		     "documents, the first 1 ('newsindex compact' makes it "
		     "anew)\n", 1);
}

/*
 * Parts merged (ni_db_adopt_parts, which numbers documents anew), each
 * with one copy of a story: the merged index has a table of its own
 * revision, not a part's (caught with the merge not making it), and
 * the story is one.
 */
static void test_doc_table_of_merged_parts(void **state)
{
	struct db_fixture *f = *state;
	const enum ni_db_mode modes[] = {NI_DB_PART, NI_DB_WRITE};
	for (size_t m = 0; m < 2; m++) {
		char parts[2][160], merged[160], uuids[2][64] = {"", ""};
		const char *list[2];
		uint64_t rev = 0;
		for (int i = 0; i < 2; i++) {
			snprintf(parts[i], sizeof parts[i], "%s/tpart-%zu-%d",
				 f->dir, m, i);
			list[i] = parts[i];
			ni_db *part = NULL;
			assert_int_equal(ni_db_open(parts[i], modes[m],
						    ANALYZER, &part, NULL),
					 NI_OK);
			if (i == 1)
				add_dated(part, "other", "t", 3, 70);
			add_dated(part, i ? "b" : "a", "s", 1 + i, 40);
			assert_int_equal(ni_db_commit(part), NI_OK);
			if (modes[m] == NI_DB_WRITE)
				table_header(part, uuids[i], sizeof uuids[i],
					     &rev);
			ni_db_close(part, NULL);
		}
		snprintf(merged, sizeof merged, "%s/tmerged-%zu", f->dir, m);
		ni_db *db = open_writer(merged);
		if (ni_db_adopt_parts(db, list, 2) != NI_OK)
			fail_msg("adopt: %s", ni_db_errmsg(db));
		/* Read before the writer's next commit could mend it. */
		ni_db *reader = open_reader(merged);
		char uuid[64];
		table_is_current(reader, uuid, sizeof uuid);
		assert_string_not_equal(uuid, uuids[0]);
		assert_string_not_equal(uuid, uuids[1]);
		double q[8];
		uint64_t stories = 0;
		assert_int_equal(table_page(reader, q, &stories), 2);
		assert_int_equal(stories, 2);
		assert_check(merged, "", 0);
		ni_db_close(reader, NULL);
		ni_db_close(db, NULL);
	}
}

static void test_facets_count_every_match(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = story_index(f->path);
	struct ni_search_params p = {.limit = 1, .bm25_k1 = 1.2,
				     .bm25_b = 0.75, .collapse = 1,
				     .facets = 1u << NI_FACET_TOPIC |
					       1u << NI_FACET_MONTH |
					       1u << NI_FACET_PROVIDER};
	ni_mset *m = search_with(db, "rates", &p);
	assert_int_equal(ni_mset_size(m), 1);
	const struct ni_facet_count *c;
	size_t n;
	ni_mset_facet(m, NI_FACET_TOPIC, &c, &n);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].value, "Markets");
	assert_int_equal(c[0].count, 3);
	assert_string_equal(c[1].value, "Politics");
	assert_int_equal(c[1].count, 1);
	ni_mset_facet(m, NI_FACET_MONTH, &c, &n);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].value, "2024-01");
	assert_int_equal(c[0].count, 2);
	assert_string_equal(c[1].value, "2023-12");
	ni_mset_facet(m, NI_FACET_PROVIDER, &c, &n);
	assert_int_equal(n, 3);
	/* Equal counts: by name. */
	assert_string_equal(c[0].value, "AP");
	ni_mset_free(m);
	p.facets = 0;
	m = search_with(db, "rates", &p);
	ni_mset_facet(m, NI_FACET_TOPIC, &c, &n);
	assert_int_equal(n, 0);
	ni_mset_free(m);
	ni_db_close(db, NULL);
}

static void test_sort_and_recency(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = story_index(f->path);
	struct ni_search_params p = {.limit = 10, .bm25_k1 = 1.2,
				     .bm25_b = 0.75,
				     .sort = NI_SORT_QUALITY};
	ni_mset *m = search_with(db, "rates", &p);
	struct ni_hit hit;
	ni_mset_hit(m, 0, &hit);
	assert_memory_equal(hit.data, "indy", 4);
	ni_mset_hit(m, 2, &hit);
	assert_memory_equal(hit.data, "ap", 2);
	ni_mset_free(m);

	/* Recency: now is 2024-02-07, a week after the Fed story. */
	p.sort = NI_SORT_RELEVANCE;
	p.recency_weight = 4;
	p.half_life_days = 7;
	p.now = 1707264000;
	m = search_with(db, "rates", &p);
	ni_mset_hit(m, 0, &hit);
	assert_true(fabs(hit.recency_part - 2.0) < 1e-9);
	assert_true(fabs(hit.score - hit.relevance - hit.recency_part)
		    < 1e-9);
	/*
	 * What the search added for recency (by the day slot's text) is
	 * what the hit says it is (by the day's number): both calendars
	 * name the same day, so the relevance is BM25's alone.
	 */
	struct ni_search_params no_recency = p;
	no_recency.recency_weight = 0;
	ni_mset *plain = search_with(db, "rates", &no_recency);
	struct ni_hit bm25 = {0};
	for (size_t i = 0; i < ni_mset_size(plain); i++) {
		ni_mset_hit(plain, i, &bm25);
		if (bm25.data_len == hit.data_len &&
		    memcmp(bm25.data, hit.data, hit.data_len) == 0)
			break;
	}
	assert_memory_equal(bm25.data, hit.data, hit.data_len);
	assert_true(fabs(hit.relevance - bm25.score) < 1e-9);
	ni_mset_free(plain);
	ni_mset_hit(m, 2, &hit);
	assert_memory_equal(hit.data, "ft", 2);
	/* 64 days old: 4 / 2^(64/7). */
	assert_true(fabs(hit.recency_part - 4 * exp2(-64.0 / 7)) < 1e-9);
	ni_mset_free(m);
	ni_db_close(db, NULL);
}

static void test_like_and_spelling(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	const char *a[] = {"central", "bank", "raises", "interest", "rates"};
	const char *b[] = {"central", "bank", "cuts", "interest", "rates"};
	const char *c[] = {"football", "final", "tonight"};
	add_doc(db, "https://x/a", a, 5, 50);
	add_doc(db, "https://x/b", b, 5, 50);
	add_doc(db, "https://x/c", c, 3, 50);
	ni_db_commit(db);
	ni_query *q;
	assert_int_equal(ni_query_like(db, "https://x/a", 10, &q), NI_OK);
	struct ni_search_params p = {.limit = 10, .bm25_k1 = 1.2,
				     .bm25_b = 0.75};
	ni_mset *m;
	assert_int_equal(ni_db_search(db, q, &p, &m), NI_OK);
	assert_int_equal(ni_mset_size(m), 1);
	struct ni_hit hit;
	ni_mset_hit(m, 0, &hit);
	assert_memory_equal(hit.data, "https://x/b", 11);
	ni_mset_free(m);
	ni_query_free(q);
	assert_int_equal(ni_query_like(db, "https://nowhere", 10, &q),
			 NI_EINVAL);
	assert_null(q);
	assert_non_null(strstr(ni_db_errmsg(db), "https://nowhere"));

	struct ni_buf fix = NI_BUF_INIT;
	assert_int_equal(ni_db_spelling(db, "intrest", 7, 2, &fix), NI_OK);
	assert_string_equal(ni_buf_str(&fix), "interest");
	ni_buf_reset(&fix);
	assert_int_equal(ni_db_spelling(db, "interest", 8, 2, &fix), NI_OK);
	assert_string_equal(ni_buf_str(&fix), "");
	ni_buf_release(&fix);
	ni_db_close(db, NULL);
}


/*
 * The weight feedback's `desc` (ni_query_describe()) gives `term`: the
 * number before " * term", 0 when it has none.
 */
static double feedback_weight(const char *desc, const char *term)
{
	char pattern[64];
	snprintf(pattern, sizeof pattern, " * %s", term);
	size_t n = strlen(pattern);
	for (const char *at = strstr(desc, pattern); at;
	     at = strstr(at + 1, pattern)) {
		if (at[n] != ')' && at[n] != ' ')
			continue;  /* a longer term */
		const char *start = at;
		while (start > desc && start[-1] != '(' && start[-1] != ' ')
			start--;
		return strtod(start, NULL);
	}
	return 0;
}

/*
 * RM3: feedback's terms weigh lambda / (1 - lambda) * the query's stems
 * * P(t|R), P(t|R) from the top documents' stem shares weighted by
 * their scores, common stems (in more than a tenth of the articles) and
 * a field's own stems (ZS) left out, renormalised after the cut to
 * n_terms.  Mutations caught: a uniform document weight, no
 * renormalisation after the cut, the query's stems not counted, no
 * cap on the document frequency, ZS stems let in, the all-words
 * tier's documents not taken, or taken when it has too few.
 */
static void test_feedback_is_rm3_interpolated(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	/* Title words: each adds 3 to its stem's wdf. */
	const char *a[] = {"alpha", "beta", "beta", "gamma", "filler"};
	const char *b[] = {"alpha", "delta", "filler"};
	const char *pad[] = {"filler"};
	add_doc(db, "a", a, 5, 50);
	add_doc(db, "b", b, 3, 50);
	for (int i = 0; i < 18; i++) {
		char key[16];
		snprintf(key, sizeof key, "pad%d", i);
		add_doc(db, key, pad, 1, 50);
	}
	ni_db_commit(db);
	ni_query *words[2], *q;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "alpha", 5,
				       &words[0]), NI_OK);
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "delta", 5,
				       &words[1]), NI_OK);
	assert_int_equal(ni_query_combine(NI_QOP_OR,
					  (const ni_query *const *)words, 2,
					  &q), NI_OK);
	/* b (both words) first, then a; their BM25 weighs their share. */
	ni_mset *m = search(db, q, 0);
	assert_int_equal(ni_mset_size(m), 2);
	struct ni_hit hit;
	ni_mset_hit(m, 0, &hit);
	assert_memory_equal(hit.data, "b", 1);
	double sb = hit.relevance;
	ni_mset_hit(m, 1, &hit);
	double sa = hit.relevance;
	ni_mset_free(m);
	assert_true(sb > sa * 1.1);
	double p_alpha = sb * 3 / 9 + sa * 3 / 15, p_delta = sb * 3 / 9;
	double p_beta = sa * 6 / 15, p_gamma = sa * 3 / 15;
	double sum = p_alpha + p_delta + p_beta + p_gamma;
	/* lambda 0.6: 1.5 times the query's weight, 2 stems. */
	double scale = 0.6 / 0.4 * 2 / sum;

	struct ni_search_params p = {.bm25_k1 = 1.2, .bm25_b = 0.75};
	ni_query *fb;
	assert_int_equal(ni_query_feedback(db, q, NULL, &p, 2, 10, 0.6, &fb),
			 NI_OK);
	char *desc = ni_query_describe(fb);
	assert_float_equal(feedback_weight(desc, "Zalpha"), scale * p_alpha,
			   1e-6);
	assert_float_equal(feedback_weight(desc, "Zdelta"), scale * p_delta,
			   1e-6);
	assert_float_equal(feedback_weight(desc, "Zbeta"), scale * p_beta,
			   1e-6);
	assert_float_equal(feedback_weight(desc, "Zgamma"), scale * p_gamma,
			   1e-6);
	/* In every article: it tells none apart. */
	assert_null(strstr(desc, "filler"));
	/* A title's own stems would weigh the same word twice. */
	assert_null(strstr(desc, "ZS"));
	free(desc);
	ni_query_free(fb);

	/* The two best, renormalised: still 1.5 times the query. */
	assert_int_equal(ni_query_feedback(db, q, NULL, &p, 2, 2, 0.6, &fb),
			 NI_OK);
	desc = ni_query_describe(fb);
	const char *terms[] = {"Zalpha", "Zdelta", "Zbeta", "Zgamma"};
	double total = 0;
	int kept = 0;
	for (int i = 0; i < 4; i++) {
		double w = feedback_weight(desc, terms[i]);
		kept += w > 0;
		total += w;
	}
	assert_int_equal(kept, 2);
	assert_true(feedback_weight(desc, "Zalpha") > 0);
	assert_float_equal(total, 0.6 / 0.4 * 2, 1e-6);
	free(desc);
	ni_query_free(fb);

	/*
	 * The documents of the all-words tier when it has n_docs (an AND
	 * skips what an OR of few words ranks whole), else the query's:
	 * only a has "beta".
	 */
	ni_query *beta;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, "beta", 4, &beta),
			 NI_OK);
	assert_int_equal(ni_query_feedback(db, q, beta, &p, 1, 10, 0.6, &fb),
			 NI_OK);
	desc = ni_query_describe(fb);
	assert_true(feedback_weight(desc, "Zbeta") > 0);
	assert_float_equal(feedback_weight(desc, "Zdelta"), 0, 1e-12);
	free(desc);
	ni_query_free(fb);
	assert_int_equal(ni_query_feedback(db, q, beta, &p, 2, 10, 0.6, &fb),
			 NI_OK);
	desc = ni_query_describe(fb);
	assert_float_equal(feedback_weight(desc, "Zdelta"), scale * p_delta,
			   1e-6);
	free(desc);
	ni_query_free(fb);
	ni_query_free(beta);

	ni_query *bad = (ni_query *)1;
	assert_int_equal(ni_query_feedback(db, q, NULL, &p, 2, 2, 1, &bad),
			 NI_EINVAL);
	assert_null(bad);
	ni_query_free(q);
	ni_query_free(words[0]);
	ni_query_free(words[1]);
	ni_db_close(db, NULL);
}

/*
 * Rewrite documents 0..n-1, each with the word `word` (and "filler" in
 * every `filler_every`th), and commit.
 */
static void rewrite_all(ni_db *db, const char *word, unsigned n,
			unsigned filler_every)
{
	for (unsigned i = 0; i < n; i++) {
		char key[32];
		snprintf(key, sizeof key, "https://x/%u", i);
		const char *words[] = {word, "text", "filler"};
		add_doc(db, key, words, i % filler_every ? 2 : 3, 50);
	}
	assert_int_equal(ni_db_commit(db), NI_OK);
}

/* How many documents `q` matches; frees it. */
static uint64_t count_query(ni_db *db, ni_query *q)
{
	struct ni_search_params p = {.limit = 10, .bm25_k1 = 1.2,
				     .bm25_b = 0.75, .check_at_least = 1u << 30};
	ni_mset *m;
	assert_int_equal(ni_db_search(db, q, &p, &m), NI_OK);
	uint64_t n = ni_mset_estimated(m);
	ni_mset_free(m);
	ni_query_free(q);
	return n;
}

static uint64_t count_matches(ni_db *db, const char *word)
{
	ni_query *q;
	assert_int_equal(ni_query_exact_word(db, NI_FIELD_ANY, word,
					     strlen(word), &q), NI_OK);
	return count_query(db, q);
}

/*
 * A reader whose revision builds have since overwritten (Xapian's
 * DatabaseModifiedError) searches again on the newest one, not failing
 * and not answering from the old one.
 */
static void test_reader_survives_commits(void **state)
{
	struct db_fixture *f = *state;
	enum { DOCS = 5000 };
	ni_db *writer = open_writer(f->path);
	rewrite_all(writer, "first", DOCS, 1);
	ni_db *reader = NULL;
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, ANALYZER, &reader,
				    NULL), NI_OK);
	assert_int_equal(count_matches(reader, "first"), DOCS);

	/* Three commits: the reader's revision and its blocks are gone. */
	rewrite_all(writer, "second", DOCS, 1);
	rewrite_all(writer, "third", DOCS, 1);
	rewrite_all(writer, "fourth", DOCS, 2);
	assert_int_equal(count_matches(reader, "filler"), DOCS / 2);
	ni_db_close(reader, NULL);
	ni_db_close(writer, NULL);
}

static void touch(const char *dir, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

/*
 * A build killed while it created the index leaves glass tables without
 * "iamglass", maybe with "v.tmp", the version file Xapian was writing
 * (crash.sh's kill at 5% of a first build hit it once): the next one
 * creates the index over them, but never over a folder with other files
 * in it.
 */
static void test_half_created_index_is_created_again(void **state)
{
	struct db_fixture *f = *state;
	assert_int_equal(mkdir(f->path, 0777), 0);
	touch(f->path, "flintlock");
	touch(f->path, "postlist.glass");
	touch(f->path, "termlist.glass");
	touch(f->path, "v.tmp");
	ni_db *db = open_writer(f->path);
	const char *words[] = {"alive"};
	add_doc(db, "https://x/a", words, 1, 50);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);

	char other[160];
	snprintf(other, sizeof other, "%s/other", f->dir);
	assert_int_equal(mkdir(other, 0777), 0);
	touch(other, "postlist.glass");
	touch(other, "notes.txt");
	struct ni_buf msg = NI_BUF_INIT;
	assert_int_not_equal(ni_db_open(other, NI_DB_WRITE, ANALYZER, &db,
					&msg), NI_OK);
	ni_buf_release(&msg);
	char kept[200];
	snprintf(kept, sizeof kept, "%s/notes.txt", other);
	assert_int_equal(access(kept, F_OK), 0);
}

static void test_find_delete_and_values(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	ni_doc *doc;
	uint32_t a = 0, b = 0;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_set_text(doc, NI_SLOT_FILE, "x\0y", 3),
			 NI_OK);
	assert_int_equal(ni_db_replace(db, "https://x/a", doc, &a), NI_OK);
	ni_doc_free(doc);
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_PARENT,
					   "https://x/a", 11), NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_RELATED, "", 0),
			 NI_OK);
	assert_int_equal(ni_db_replace(db, "https://x/b", doc, &b), NI_OK);
	ni_doc_free(doc);
	assert_true(a != 0 && b != 0 && a != b);

	uint32_t found;
	int related;
	assert_int_equal(ni_db_find(db, "https://x/a", &found, &related),
			 NI_OK);
	assert_int_equal(found, a);
	assert_int_equal(related, 0);
	assert_int_equal(ni_db_find(db, "https://x/b", &found, &related),
			 NI_OK);
	assert_int_equal(found, b);
	assert_int_equal(related, 1);
	assert_int_equal(ni_db_find(db, "https://x/none", &found, NULL),
			 NI_OK);
	assert_int_equal(found, 0);
	uint64_t n;
	assert_int_equal(ni_db_filter_count(db, NI_FILTER_RELATED, "", 0, &n),
			 NI_OK);
	assert_int_equal(n, 1);

	/* The values iterator gives each document's bytes, NULs and all. */
	ni_values *values;
	assert_int_equal(ni_db_values(db, NI_SLOT_FILE, &values), NI_OK);
	uint32_t docid;
	const char *value;
	size_t len;
	assert_int_equal(ni_values_next(values, &docid, &value, &len), NI_OK);
	assert_int_equal(docid, a);
	assert_int_equal(len, 3);
	assert_memory_equal(value, "x\0y", 3);
	assert_int_equal(ni_values_next(values, &docid, &value, &len),
			 NI_DONE);
	ni_values_free(values);

	assert_int_equal(ni_db_delete_filtered(db, NI_FILTER_PARENT,
					       "https://x/a", 11), NI_OK);
	assert_int_equal(ni_db_find(db, "https://x/b", &found, NULL), NI_OK);
	assert_int_equal(found, 0);
	assert_int_equal(ni_db_delete_docid(db, a), NI_OK);
	/* Deleting what is gone is not an error. */
	assert_int_equal(ni_db_delete_docid(db, a), NI_OK);
	assert_int_equal(ni_db_doc_count(db, &n), NI_OK);
	assert_int_equal(n, 0);
	ni_db_close(db, NULL);
}


static void test_check_finds_orphan_related_records(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_PARENT,
					   "https://x/gone", 14), NI_OK);
	assert_int_equal(ni_db_replace(db, "https://x/r", doc, NULL), NI_OK);
	ni_doc_free(doc);
	ni_db_close(db, NULL);
	uint64_t problems;
	struct ni_buf report = NI_BUF_INIT;
	struct ni_buf msg = NI_BUF_INIT;
	assert_int_equal(ni_db_check(f->path, ANALYZER, &problems, &report,
				     &msg), NI_OK);
	assert_int_equal(problems, 1);
	assert_non_null(strstr(ni_buf_str(&report),
			       "related records of https://x/gone have no "
			       "parent article"));
	ni_buf_release(&report);
	assert_int_equal(ni_db_check(f->path, "other", &problems, NULL,
				     &msg), NI_EDB_SCHEMA);
	ni_buf_release(&msg);
}

/*
 * Store under `key` an article listing the related URL `lists` (NULL:
 * none), or with `parent`, a related record of that parent.
 */
static void add_linked(ni_db *db, const char *key, const char *lists,
		       const char *parent)
{
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	if (lists)
		assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_LISTS, lists,
						   strlen(lists)), NI_OK);
	if (parent)
		mark_related(doc, parent);
	assert_int_equal(ni_db_replace(db, key, doc, NULL), NI_OK);
	ni_doc_free(doc);
}

/*
 * Related records as a first build keeps them: each URL an article
 * lists is on a document, and is the record of the first article
 * listing it (by key), which still lists it.
 */
static void test_check_finds_related_records_drift(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	add_linked(db, "https://x/b", "https://x/r", NULL);
	add_linked(db, "https://x/c", "https://x/r", NULL);
	add_linked(db, "https://x/r", NULL, "https://x/b");
	ni_db_commit(db);
	assert_check(f->path, "", 0);
	/* Another article lists r and comes first: its record is due. */
	add_linked(db, "https://x/a", "https://x/r", NULL);
	ni_db_commit(db);
	assert_check(f->path, "related record https://x/r is https://x/b's, "
		     "but https://x/a lists it too and comes first\n", 1);
	/* b no longer lists it. */
	ni_db_delete(db, "https://x/a");
	add_linked(db, "https://x/b", NULL, NULL);
	ni_db_commit(db);
	assert_check(f->path, "related record https://x/r is https://x/b's, "
		     "which no longer lists it\n", 1);
	/* Nothing has r, which c lists. */
	ni_db_delete(db, "https://x/r");
	ni_db_commit(db);
	assert_check(f->path, "related record https://x/r is missing: "
		     "https://x/c lists it\n", 1);
	/* An article file with the URL is what a build keeps. */
	add_linked(db, "https://x/r", NULL, NULL);
	ni_db_close(db, NULL);
	assert_check(f->path, "", 0);
}

/* How many documents ni_query_word() finds for `word`. */
static uint64_t count_word(ni_db *db, const char *word)
{
	ni_query *q;
	assert_int_equal(ni_query_word(db, NI_FIELD_ANY, word, strlen(word),
				       &q), NI_OK);
	return count_query(db, q);
}

/*
 * Each document is stemmed in its own language; a query in its
 * language's stemmer, and exact forms match whatever the language.
 */
static void test_languages(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	assert_string_equal(ni_db_language(db), "english");
	ni_doc *doc;
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_set_language(doc, "german"), NI_OK);
	assert_int_equal(ni_doc_add_word(doc, NI_FIELD_TITLE, "verbindungen",
					 12), NI_OK);
	assert_int_equal(ni_db_replace(db, "de", doc, NULL), NI_OK);
	ni_doc_free(doc);
	assert_int_equal(ni_doc_new(db, &doc), NI_OK);
	assert_int_equal(ni_doc_set_language(doc, "klingon"), NI_EINVAL);
	ni_doc_free(doc);
	const char *const english[] = {"connections"};
	add_doc(db, "en", english, 1, 50);

	/* The index has documents: its default may no longer change. */
	assert_int_equal(ni_db_set_language(db, "german"), NI_EDB_SCHEMA);
	assert_non_null(strstr(ni_db_errmsg(db), "default language "
				"\"english\", not \"german\""));
	assert_string_equal(ni_db_language(db), "english");
	assert_int_equal(ni_db_close(db, NULL), NI_OK);

	ni_db *reader = NULL;
	assert_int_equal(ni_db_open(f->path, NI_DB_READ, ANALYZER, &reader,
				    NULL), NI_OK);
	/* English stems: "connection" finds "connections" only. */
	assert_int_equal(count_word(reader, "connection"), 1);
	assert_int_equal(count_word(reader, "verbindung"), 0);
	/* The exact form, though stemmed otherwise in English. */
	assert_int_equal(count_word(reader, "verbindungen"), 1);
	/* A reader may stem in any language. */
	assert_int_equal(ni_db_set_language(reader, "german"), NI_OK);
	assert_string_equal(ni_db_language(reader), "german");
	assert_int_equal(count_word(reader, "verbindung"), 1);
	assert_int_equal(ni_db_set_language(reader, "klingon"), NI_EINVAL);
	assert_int_equal(ni_db_close(reader, NULL), NI_OK);

	/* A new, empty index records the default it is given. */
	char other[160];
	snprintf(other, sizeof other, "%s/other", f->dir);
	db = open_writer(other);
	assert_int_equal(ni_db_set_language(db, "none"), NI_OK);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	db = open_writer(other);
	assert_string_equal(ni_db_language(db), "none");
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
}

/* Stopwords are per language; languages without a list have none. */
static void test_stopwords_per_language(void **state)
{
	(void)state;
	assert_true(ni_is_stopword("english", "the", 3));
	assert_false(ni_is_stopword("english", "der", 3));
	assert_true(ni_is_stopword("german", "der", 3));
	assert_true(ni_is_stopword("german", "für", strlen("für")));
	assert_false(ni_is_stopword("german", "the", 3));
	assert_true(ni_is_stopword("french", "les", 3));
	assert_true(ni_is_stopword("russian", "что", strlen("что")));
	assert_true(ni_is_stopword("arabic", "في", strlen("في")));
	assert_false(ni_is_stopword("none", "the", 3));
	assert_false(ni_is_stopword(NULL, "the", 3));
	/* The length counts, not a NUL. */
	assert_true(ni_is_stopword("english", "then", 3));
	assert_false(ni_is_stopword("english", "thesis", 6));
}

/*
 * An index's UUID stays with it (a reader, a commit later) and another
 * index has another: the feed's ETag (query/atom.c) tells an index
 * built again from the old one by it, their revisions being alike.
 */
static void test_uuid_names_the_index(void **state)
{
	struct db_fixture *f = *state;
	ni_db *db = open_writer(f->path);
	assert_int_equal(ni_db_commit(db), NI_OK);
	char *first = NULL, *again = NULL, *other = NULL;
	assert_int_equal(ni_db_uuid(db, &first), NI_OK);
	assert_int_equal(strlen(first), 36);
	assert_int_equal(ni_db_close(db, NULL), NI_OK);
	ni_db *reader = open_index(f->path, NI_DB_READ, ANALYZER);
	assert_int_equal(ni_db_uuid(reader, &again), NI_OK);
	assert_string_equal(first, again);
	ni_db_close(reader, NULL);
	char path[160];
	snprintf(path, sizeof path, "%s/other", f->dir);
	db = open_writer(path);
	assert_int_equal(ni_db_commit(db), NI_OK);
	assert_int_equal(ni_db_uuid(db, &other), NI_OK);
	assert_string_not_equal(first, other);
	ni_db_close(db, NULL);
	free(first);
	free(again);
	free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, make_dir, remove_dir)
		T(test_missing_index_is_not_found),
		T(test_second_writer_is_locked),
		T(test_schema_recorded_and_checked),
		T(test_replace_by_key_never_duplicates),
		T(test_overlong_key_is_hashed_and_unique),
		T(test_stemmed_word_and_phrase_queries),
		T(test_excluded_parts_only_match),
		T(test_ordered_parts),
		T(test_quality_breaks_ties_and_can_be_off),
		T(test_filters_and_ranges),
		T(test_foreign_xapian_db_is_refused),
		T(test_index_being_created),
		T(test_rebuild_writes_nothing),
		T(test_query_fits_and_lookups),
		T(test_reader_stemmers_follow_its_language),
		T(test_reader_cannot_write),
		T(test_collapse_shows_the_best_copy),
		T(test_collapse_sorted_by_date_counts_copies),
		T(test_one_walk_ranks_as_the_blend),
		T(test_one_walk_reads_quality_where_it_can_rank),
		T(test_feedback_page_replays_the_walk),
		T(test_samples_and_counts_of_a_walk),
		T(test_sample_without_a_walk_reads_the_table),
		T(test_copies_written_apart_are_counted),
		T(test_index_without_copies_map_counts_copies),
		T(test_copies_in_merged_parts_are_counted),
		T(test_dense_copies_map_grows),
		T(test_commit_of_nothing_keeps_the_revision),
		T(test_doc_table_follows_the_writes),
		T(test_stale_doc_table_is_not_read),
		T(test_doc_table_of_merged_parts),
		T(test_check_finds_a_wrong_doc_table),
		T(test_doc_table_of_a_compacted_copy),
		T(test_doc_bitmap_follows_the_bytes),
		T(test_format_1_doc_table_is_remade),
		T(test_check_finds_a_wrong_doc_bitmap),
		T(test_a_walk_counts_every_article),
		T(test_phrase_counts_past_the_stop),
		T(test_a_phrase_page_counts_its_walk),
		T(test_searches_do_not_share_walks),
		T(test_facets_count_every_match),
		T(test_sort_and_recency),
		T(test_like_and_spelling),
		T(test_feedback_is_rm3_interpolated),
		T(test_reader_survives_commits),
		T(test_half_created_index_is_created_again),
		T(test_find_delete_and_values),
		T(test_check_finds_orphan_related_records),
		T(test_check_finds_related_records_drift),
		T(test_languages),
		T(test_stopwords_per_language),
		T(test_uuid_names_the_index),
#undef T
	};
	return tests_status(cmocka_run_group_tests(tests, NULL, NULL));
}
