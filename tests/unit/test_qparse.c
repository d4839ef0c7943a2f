/*
 * Tests of ni_qparse: every piece of the query language, checked by the
 * articles each query matches in a small index built from hand-written
 * article files (through the real indexer, so the query side is held to
 * how the index side analyzes and folds), and by the query's description
 * where the shape is the point.  Every error is checked with its exact
 * offset, length and message.
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
#include "ni_dates.h"
#include "ni_docdata.h"
#include "ni_document.h"
#include "ni_qparse.h"
#include "ni_xapian.h"

#define URL_BASE "https://example.com/"

struct world {
	char dir[64];
	ni_analyzer *analyzer;
	ni_db *db;
	int64_t now;
};

/*
 * The articles, named by the end of their URL.  Words the tests rely on:
 * "sanctions" in seed and chips, "china" only in chips, "recycling" and
 * "engineers" only in robots (the latter only in its excerpt), "quantum"
 * 1, 10 and 11 words before "computing" in robots, near10 and near11,
 * and 201 words starting with "zq" in zq.
 */
static const char *const ARTICLES[][2] = {
	{"seed",
	 "title: \"AI Developer SenseTime Pulls Stock Sale Due to U.S. "
	 "Sanctions\"\n"
	 "excerpt: \"The Hong Kong-based company protests its inclusion on "
	 "a sanctions list.\"\n"
	 "publishedDateTime: 2021-12-13T10:22:00Z\n"
	 "category: news\ntype: article\nquality: 37\npublished: false\n"
	 "provider: {name: TheStreet.com, domain: thestreet.com}\n"
	 "topics: [AI]\n"},
	{"chips",
	 "title: \"China answers chip sanctions with an e-commerce push\"\n"
	 "excerpt: \"Beijing responds to the export rules on chips.\"\n"
	 "publishedDateTime: 2022-03-01T08:00:00Z\n"
	 "category: Business\ntype: article\nquality: 40\npublished: true\n"
	 "provider: {name: Reuters, domain: reuters.com}\n"
	 "topics: [Trade, Artificial Intelligence]\n"},
	{"robots",
	 "title: \"Robots learn to sort recycling\"\n"
	 "excerpt: \"Engineers say quantum computing will change recycling; "
	 "人工智能 helps the robots.\"\n"
	 "publishedDateTime: 2021-12-31T23:59:59Z\n"
	 "category: science\ntype: video\nquality: 80\npublished: true\n"
	 "provider: {name: Der Spiegel, domain: spiegel.de}\n"
	 "topics: [Robotics]\n"},
	{"near10",
	 "title: \"Counting words\"\n"
	 "excerpt: \"quantum one two three four five six seven eight nine "
	 "computing\"\n"},
	{"near11",
	 "title: \"Counting more words\"\n"
	 "excerpt: \"quantum one two three four five six seven eight nine "
	 "ten computing\"\n"},
	{"zq", NULL},
};

#define N_ARTICLES (sizeof ARTICLES / sizeof *ARTICLES)

/* The zq article: 201 words that start with "zq", zq000 to zq200. */
static void write_zq(FILE *f)
{
	fputs("title: \"Prefix stress\"\ncategory: test\nexcerpt: \"", f);
	for (int i = 0; i <= 200; i++)
		fprintf(f, "zq%03d ", i);
	fputs("\"\n", f);
}

static int write_and_index(struct world *w, ni_indexer *ix, size_t i)
{
	char path[128];
	snprintf(path, sizeof path, "%s/%s.txt", w->dir, ARTICLES[i][0]);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "---\nwebUrl: \"" URL_BASE "%s\"\n", ARTICLES[i][0]);
	if (ARTICLES[i][1])
		fputs(ARTICLES[i][1], f);
	else
		write_zq(f);
	fputs("---\n", f);
	if (fclose(f) != 0)
		return -1;
	struct ni_index_result res;
	if (ni_indexer_add_file(ix, path, NULL, &res) != NI_OK || !res.indexed ||
	    res.n_warnings)
		return -1;
	return 0;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	if (!w)
		return -1;
	strcpy(w->dir, "/tmp/ni-test-qparse-XXXXXX");
	if (!mkdtemp(w->dir) || ni_analyzer_new(&w->analyzer) != NI_OK)
		return -1;
	char path[128];
	snprintf(path, sizeof path, "%s/db", w->dir);
	if (ni_db_open(path, NI_DB_WRITE, ni_analyzer_settings(), &w->db,
		       NULL) != NI_OK)
		return -1;
	ni_indexer *ix;
	if (ni_indexer_new(w->db, w->analyzer, &ix) != NI_OK)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < N_ARTICLES; i++)
		rc = write_and_index(w, ix, i);
	ni_indexer_free(ix);
	if (rc != 0 || ni_db_commit(w->db) != NI_OK ||
	    !ni_parse_iso8601("2022-03-10T00:00:00Z", &w->now))
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

/* ---- helpers ------------------------------------------------------------ */

static void parse(struct world *w, const char *query,
		  struct ni_parsed_query *out)
{
	struct ni_qparse_error err;
	ni_status st = ni_qparse(w->db, w->analyzer, query, w->now, out, &err);
	if (st != NI_OK)
		fprintf(stderr, "query %s: %s (at %zu+%zu)\n", query,
			err.message, err.offset, err.length);
	assert_int_equal(st, NI_OK);
	assert_non_null(out->strict);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of the articles `query` matches, sorted, space-separated. */
static char *matches(struct world *w, const ni_query *query)
{
	static char out[256];
	struct ni_search_params params = {
		.limit = 100, .bm25_k1 = 1.2, .bm25_b = 0.75,
		.check_at_least = 100};
	ni_mset *mset;
	assert_int_equal(ni_db_search(w->db, query, &params, &mset), NI_OK);
	size_t n = ni_mset_size(mset);
	char *names[N_ARTICLES];
	assert_true(n <= N_ARTICLES);
	for (size_t i = 0; i < n; i++) {
		struct ni_hit hit;
		struct ni_docdata doc;
		assert_int_equal(ni_mset_hit(mset, i, &hit), NI_OK);
		assert_int_equal(ni_docdata_decode(hit.data, hit.data_len,
						   &doc), NI_OK);
		names[i] = strdup(doc.url + strlen(URL_BASE));
		ni_docdata_clear(&doc);
	}
	ni_mset_free(mset);
	qsort(names, n, sizeof *names, compare_names);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(out, " ");
		strcat(out, names[i]);
		free(names[i]);
	}
	return out;
}

/* `query` matches `strict` in its first tier and `relaxed` in its second
   (NULL: the query has no second tier). */
static void expect(struct world *w, const char *query, const char *strict,
		   const char *relaxed)
{
	struct ni_parsed_query q;
	parse(w, query, &q);
	const char *got = matches(w, q.strict);
	if (strcmp(got, strict) != 0)
		fail_msg("%s: strict matched \"%s\", not \"%s\"", query, got,
			 strict);
	if (!relaxed && q.relaxed)
		fail_msg("%s: has a relaxed tier", query);
	if (relaxed && !q.relaxed)
		fail_msg("%s: has no relaxed tier", query);
	if (relaxed && strcmp(got = matches(w, q.relaxed), relaxed) != 0)
		fail_msg("%s: relaxed matched \"%s\", not \"%s\"", query, got,
			 relaxed);
	ni_parsed_query_clear(&q);
}

/*
 * Xapian's description of `query`, with each word written as its stem
 * alone: "(Zsanction AND_MAYBE 0.5 * sanctions)" becomes "Zsanction".  The
 * extra weight of the exact form is the wrapper's business (tested in
 * test_xapian.c); here the structure the parser built is what counts.
 */
#define EXACT_FORM " AND_MAYBE 0.5 * "

static char *describe(const ni_query *query)
{
	char *text = ni_query_describe(query);
	assert_non_null(text);
	char *out = text, *in = text;
	while (*in) {
		char *z = in[0] == '(' && (in[1] == 'Z') ? in + 1 : NULL;
		char *or = z ? strstr(z, EXACT_FORM) : NULL;
		char *space = z ? strpbrk(z, " )") : NULL;
		char *close = or ? strchr(or, ')') : NULL;
		if (or && space == or && close &&
		    !memchr(or + strlen(EXACT_FORM), ' ',
			    (size_t)(close - or - strlen(EXACT_FORM)))) {
			size_t n = (size_t)(or - z);
			memmove(out, z, n);
			out += n;
			in = close + 1;
			continue;
		}
		*out++ = *in++;
	}
	*out = '\0';
	return text;
}

static void expect_described(struct world *w, const char *query,
			     const char *strict, const char *relaxed)
{
	struct ni_parsed_query q;
	parse(w, query, &q);
	char *got = describe(q.strict);
	assert_string_equal(got, strict);
	free(got);
	if (relaxed) {
		assert_non_null(q.relaxed);
		got = describe(q.relaxed);
		assert_string_equal(got, relaxed);
		free(got);
	} else {
		assert_null(q.relaxed);
	}
	ni_parsed_query_clear(&q);
}

/* Both queries parse to the same strict and relaxed queries. */
static void expect_same(struct world *w, const char *a, const char *b)
{
	struct ni_parsed_query qa, qb;
	parse(w, a, &qa);
	parse(w, b, &qb);
	char *da = describe(qa.strict), *db = describe(qb.strict);
	assert_string_equal(da, db);
	free(da);
	free(db);
	assert_int_equal(qa.relaxed != NULL, qb.relaxed != NULL);
	if (qa.relaxed) {
		da = describe(qa.relaxed);
		db = describe(qb.relaxed);
		assert_string_equal(da, db);
		free(da);
		free(db);
	}
	ni_parsed_query_clear(&qa);
	ni_parsed_query_clear(&qb);
}

static void expect_error(struct world *w, const char *query, size_t offset,
			 size_t length, const char *message)
{
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	ni_status st = ni_qparse(w->db, w->analyzer, query, w->now, &q, &err);
	if (st != NI_EQUERY)
		fail_msg("%s: status %d, not an error", query, st);
	if (strcmp(err.message, message) != 0)
		fail_msg("%s: message \"%s\", not \"%s\"", query, err.message,
			 message);
	if (err.offset != offset || err.length != length)
		fail_msg("%s: error at %zu+%zu, not %zu+%zu", query,
			 err.offset, err.length, offset, length);
	assert_null(q.strict);
	assert_null(q.relaxed);
	assert_null(q.words);
	assert_int_equal(q.n_words, 0);
}

static void expect_word(const struct ni_parsed_query *q, size_t i,
			const char *word, size_t start, size_t end,
			bool in_phrase, bool is_prefix)
{
	assert_true(i < q->n_words);
	assert_string_equal(q->words[i].word, word);
	assert_int_equal(q->words[i].start, start);
	assert_int_equal(q->words[i].end, end);
	assert_int_equal(q->words[i].in_phrase, in_phrase);
	assert_int_equal(q->words[i].is_prefix, is_prefix);
}

/* ---- words and the default operator ------------------------------------ */

static void test_words_all_then_any(void **state)
{
	struct world *w = *state;
	expect(w, "sanctions china", "chips", "chips seed");
	expect(w, "SANCTION", "chips seed", NULL);
	expect(w, "sanctioned", "chips seed", NULL);
	expect(w, "recycling", "robots", NULL);
	expect(w, "quantum computing recycling", "robots",
	       "near10 near11 robots");
	expect_described(w, "sanctions china",
			 "Query((Zsanction AND Zchina))",
			 "Query((Zsanction OR Zchina))");
}

static void test_explicit_operators(void **state)
{
	struct world *w = *state;
	expect(w, "recycling OR china", "chips robots", NULL);
	expect(w, "sanctions AND china", "chips", NULL);
	expect(w, "sanctions NOT china", "seed", NULL);
	expect(w, "sanctions NOT china NOT stock", "", NULL);
	expect(w, "sanctions OR recycling OR quantum",
	       "chips near10 near11 robots seed", NULL);
	expect_described(w, "sanctions NOT china NOT stock",
			 "Query((Zsanction AND_NOT (Zchina OR Zstock)))",
			 NULL);
	/* Lowercase operators are words, here stopwords. */
	expect(w, "sanctions or china", "chips", "chips seed");
	expect(w, "recycling and", "robots", NULL);
	/* An operator after a sign or in quotes is a word. */
	expect_described(w, "sanctions +OR", "Query((Zor AND Zsanction))",
			 "Query((Zor AND_MAYBE Zsanction))");
	expect_described(w, "\"AND\"", "Query(and)", NULL);
}

static void test_precedence(void **state)
{
	struct world *w = *state;
	/* OR is loosest: recycling OR (sanctions china). */
	expect(w, "recycling OR sanctions china", "chips robots",
	       "chips robots seed");
	/* AND and the default join group from the left. */
	expect(w, "chip AND sanctions recycling", "", "chips robots");
	expect(w, "recycling sanctions AND chip", "",
	       "chips");
	/* Parentheses. */
	expect(w, "chip AND (sanctions recycling)", "", "chips");
	expect(w, "(recycling OR sanctions) china", "chips",
	       "chips robots seed");
	expect_described(w, "chip AND sanctions AND china",
			 "Query((Zchip AND Zsanction AND Zchina))", NULL);
}

static void test_required_and_excluded(void **state)
{
	struct world *w = *state;
	expect(w, "+sanctions china", "chips", "chips seed");
	expect(w, "+sanctions +china", "chips", NULL);
	expect(w, "sanctions -china", "seed", NULL);
	expect(w, "sanctions -\"stock sale\"", "chips", NULL);
	expect(w, "sanctions -(hong kong)", "chips", NULL);
	expect(w, "sanctions -(hong beijing)", "chips seed", NULL);
	expect(w, "sanctions recycling -china", "", "robots seed");
	expect_described(w, "+sanctions china -stock",
			 "Query(((Zsanction AND Zchina) AND_NOT Zstock))",
			 "Query(((Zsanction AND_MAYBE Zchina) AND_NOT "
			 "Zstock))");
	/* "-+x" and "--x": one sign per term, the rest is the word. */
	expect(w, "sanctions -+china", "seed", NULL);
	/* The fullwidth signs of CJK input methods are signs. */
	expect_same(w, "sanctions \uff0dchina", "sanctions -china");
	expect_same(w, "\uff0bsanctions china", "+sanctions china");
	expect_same(w, "sanctions \uff0d(hong kong)",
		    "sanctions -(hong kong)");
	expect_same(w, "sanctions \uff0d china", "sanctions china");
	expect_same(w, "sanctions china\uff0d", "sanctions china");
	expect_error(w, "\uff0dx NEAR y", 0, 3, "'-' cannot be used on a "
		     "word joined by 'NEAR' (write -(a NEAR b))");
	expect_error(w, "topic:(\uff0bai)", 7, 3,
		     "'+' cannot be used inside topic:(...)");
	/* Dashes and the minus sign are punctuation, never an exclusion. */
	expect_same(w, "sanctions \u2212china", "sanctions china");
	expect_same(w, "sanctions \u2013china", "sanctions china");
	expect_same(w, "sanctions \u2014china", "sanctions china");
}

static void test_everything_except(void **state)
{
	struct world *w = *state;
	const char *others = "near10 near11 robots zq";
	expect(w, "-sanctions", others, NULL);
	expect(w, "NOT sanctions", others, NULL);
	expect(w, "NOT sanctions recycling", "robots", NULL);
	expect(w, "recycling OR NOT quantum", "chips robots seed zq", NULL);
	expect(w, "sanctions AND NOT china", "seed", NULL);
	expect(w, "NOT NOT recycling", "robots", NULL);
	expect(w, "-(-recycling)", "robots", NULL);
	/*
	 * Twice negated, a group is its strict tier, whichever way it is
	 * written: NOT NOT x is NOT (NOT x) and -(-x).
	 */
	expect(w, "NOT NOT (sanctions china)", "chips", NULL);
	expect(w, "NOT (NOT (sanctions china))", "chips", NULL);
	expect(w, "-(-(sanctions china))", "chips", NULL);
	expect(w, "NOT NOT NOT (sanctions china)", "near10 near11 robots "
	       "seed zq", NULL);
	expect_same(w, "NOT NOT (sanctions china)",
		    "NOT (NOT (sanctions china))");
	expect_same(w, "NOT NOT recycling", "-(-recycling)");
	expect_same(w, "recycling NOT NOT quantum",
		    "recycling NOT (NOT quantum)");
	expect(w, "sanctions NOT -china", "chips", NULL);
	expect_described(w, "-sanctions",
			 "Query((<alldocuments> AND_NOT Zsanction))", NULL);
	struct ni_parsed_query q;
	parse(w, "-sanctions", &q);
	assert_false(q.has_text);
	assert_int_equal(q.n_words, 0);
	ni_parsed_query_clear(&q);
}

static void test_phrases(void **state)
{
	struct world *w = *state;
	expect(w, "\"stock sale\"", "seed", NULL);
	expect(w, "\"sale stock\"", "", NULL);
	expect(w, "\"STOCK   Sale\"", "seed", NULL);
	/* Phrases are not stemmed: one quoted word is exact. */
	expect(w, "\"sanctions\"", "chips seed", NULL);
	expect(w, "\"sanction\"", "", NULL);
	expect_described(w, "\"sanctions\"", "Query(sanctions)", NULL);
	expect_described(w, "\"stock sale\"",
			 "Query((stock PHRASE 2 sale))", NULL);
	/* A phrase never matches across the title and the excerpt. */
	expect(w, "\"sanctions the hong\"", "", NULL);
	expect(w, "sanctions \"hong kong\"", "seed", "chips seed");
	/* A * inside a term makes it a phrase, as in Xapian's parser. */
	expect(w, "stock*sale", "seed", NULL);
	expect(w, "sale*stock", "", NULL);
	expect(w, "sanctions -stock*sale", "chips", NULL);
	expect(w, "title:stock*sale", "seed", NULL);
	expect(w, "title:sale*stock", "", NULL);
	expect_same(w, "stock*sale", "\"stock sale\"");
	expect_same(w, "+stock*sale", "+\"stock sale\"");
	/* Of one word, it is the word. */
	expect_same(w, "*sanctions", "sanctions");
}

/*
 * Typographic double quotes, pasted from a news page or a word
 * processor, quote a phrase as '"' does, in each language's style; the
 * words' offsets and a caret's stay those of the typed text.
 */
static void test_typographic_quotes(void **state)
{
	struct world *w = *state;
	/* English, German, French, fullwidth and CJK quotes. */
	expect(w, "\u201cstock sale\u201d", "seed", NULL);
	expect(w, "\u201csale stock\u201d", "", NULL);
	expect_same(w, "\u201estock sale\u201c", "\"stock sale\"");
	expect_same(w, "\u00ab stock sale \u00bb", "\"stock sale\"");
	expect_same(w, "\uff02stock sale\uff02", "\"stock sale\"");
	expect_same(w, "\u301dstock sale\u301f", "\"stock sale\"");
	/* As field values and after a sign, next to a parenthesis. */
	expect_same(w, "title:\u201cstock sale\u201d",
		    "title:\"stock sale\"");
	expect_same(w, "sanctions -\u201cstock sale\u201d",
		    "sanctions -\"stock sale\"");
	expect_same(w, "(\u201cstock sale\u201d)", "\"stock sale\"");
	/* A single curly quote is an apostrophe, not a phrase. */
	expect_same(w, "SenseTime\u2019s sale", "SenseTime's sale");
	struct ni_parsed_query q;
	parse(w, "\u201cStock sale\u201d china", &q);
	assert_int_equal(q.n_words, 3);
	expect_word(&q, 0, "stock", 3, 8, true, false);
	expect_word(&q, 1, "sale", 9, 13, true, false);
	expect_word(&q, 2, "china", 17, 22, false, false);
	ni_parsed_query_clear(&q);
	expect_error(w, "sanctions \u201cstock sale", 10, 1,
		     "unclosed quote");
	expect_error(w, "\u00ab\u00bb", 0, 3, "empty phrase");
}

/*
 * What people type or paste for an apostrophe between two letters (the
 * accents of keyboards without "'", autocorrection's left quote, a
 * prime) is one, and a zero width space inside a word is nothing, as
 * the reader sees them: never a lone "s" that would find every
 * possessive, never a word cut in two.  Offsets stay the typed text's.
 */
static void test_pasted_apostrophes(void **state)
{
	struct world *w = *state;
	expect_same(w, "SenseTime\u00b4s sale", "SenseTime's sale");
	expect_same(w, "SenseTime`s sale", "SenseTime's sale");
	expect_same(w, "SenseTime\u2018s sale", "SenseTime's sale");
	expect_same(w, "SenseTime\u2032s sale", "SenseTime's sale");
	expect_same(w, "SenseTime\u02b9s sale", "SenseTime's sale");
	expect_same(w, "don\u00b4t sale", "don't sale");
	expect(w, "SenseTime\u00b4s", "seed", NULL);
	/* Elsewhere they are the punctuation they are. */
	expect_same(w, "`sanctions`", "sanctions");
	expect_same(w, "\u2018stock sale\u2019", "stock sale");
	expect_same(w, "sale \u00b4s", "sale s");
	/* A zero width space inside a word, between letters or digits. */
	expect_same(w, "Sense\u200bTime sale", "SenseTime sale");
	expect_same(w, "sanc\u200btions", "sanctions");
	expect_same(w, "covid\u200b19", "covid19");
	expect_same(w, "sale \u200bstock", "sale stock");
	expect_same(w, "\u201cstock\u200b sale\u201d", "\"stock sale\"");
	struct ni_parsed_query q;
	parse(w, "SenseTime\u00b4s sa\u200ble", &q);
	assert_int_equal(q.n_words, 2);
	expect_word(&q, 0, "sensetime", 0, 12, false, false);
	expect_word(&q, 1, "sale", 13, 20, false, false);
	ni_parsed_query_clear(&q);
}

/*
 * A compound in quotes is its words side by side with the others,
 * apart or joined: the joined form is indexed at its last part's place.
 */
static void test_phrases_with_compounds(void **state)
{
	struct world *w = *state;
	/* seed: "The Hong Kong-based company protests ... U.S. Sanctions". */
	expect(w, "\"kong-based company\"", "seed", NULL);
	expect(w, "\"kongbased company\"", "seed", NULL);
	expect(w, "\"kong based company\"", "seed", NULL);
	expect(w, "\"hong kong-based company\"", "seed", NULL);
	expect(w, "\"u.s. sanctions\"", "seed", NULL);
	expect(w, "\"us sanctions\"", "seed", NULL);
	/* The words must be next to each other, in order, either way. */
	expect(w, "\"kong-based protests\"", "", NULL);
	expect(w, "\"company kong-based\"", "", NULL);
	expect(w, "\"u.s. company\"", "", NULL);
	expect(w, "\"sanctions u.s.\"", "", NULL);
	expect(w, "\"e-commerce push\"", "chips", NULL);
	expect(w, "\"ecommerce push\"", "chips", NULL);
	expect(w, "\"push e-commerce\"", "", NULL);
	expect(w, "title:\"e-commerce push\"", "chips", NULL);
	expect(w, "title:\"u.s. company\"", "", NULL);
	/* Every mix of joined and apart is a phrase. */
	expect_described(w, "\"e-commerce x-ray\"",
			 "Query(((e PHRASE 4 commerce PHRASE 4 x PHRASE 4 "
			 "ray) OR (ecommerce PHRASE 3 x PHRASE 3 ray) OR "
			 "(e PHRASE 3 commerce PHRASE 3 xray) OR "
			 "(ecommerce PHRASE 2 xray)))", NULL);
}

/*
 * A hashtag's words run together are those words side by side or the
 * tag as one word, as a compound's are; a word of one letter stays with
 * the next; anything but letters and digits leaves the tag as it is.
 */
static void test_hashtags_are_their_words(void **state)
{
	struct world *w = *state;
	expect(w, "#ChipSanctions", "chips", "chips seed");
	expect(w, "#QuantumComputing", "near10 near11 robots",
	       "near10 near11 robots");
	expect(w, "ChipSanctions", "", NULL);   /* no '#': one word */
	expect(w, "\"#ChipSanctions with\"", "chips", NULL);
	expect_described(w, "#ClimateChange",
			 "Query(((Zclimat AND Zchang) OR Zclimatechang))",
			 "Query((Zclimat OR Zchang OR 0 * Zclimatechang))");
	/* Capitals before a word, digits after letters, and letters after
	 * digits part words. */
	expect_described(w, "#USElection2024",
			 "Query(((Zus AND Zelect AND 2024) OR "
			 "Zuselection2024))",
			 "Query((Zus OR Zelect OR 2024 OR 0 * "
			 "Zuselection2024))");
	expect_described(w, "#iPhone15Pro",
			 "Query(((Ziphon AND 15 AND Zpro) OR Ziphone15pro))",
			 "Query((Ziphon OR 15 OR Zpro OR 0 * Ziphone15pro))");
	/* A word of one letter stays with its neighbour. */
	expect_described(w, "#iPhone", "Query(Ziphon)", NULL);
	expect_described(w, "#Athens2004A",
			 "Query(((Zathen AND 2004a) OR Zathens2004a))",
			 "Query((Zathen OR 2004a OR 0 * Zathens2004a))");
	expect_described(w, "#climatechange", "Query(Zclimatechang)", NULL);
	expect_described(w, "#ABC", "Query(Zabc)", NULL);
}

/*
 * A quoted CJK run is its dictionary's words side by side, or its
 * bigrams (however the dictionary split the article); with other
 * words, in order.
 */
static void test_phrases_with_cjk_runs(void **state)
{
	struct world *w = *state;
	/* robots: "...; 人工智能 helps the robots." */
	expect(w, "\"人工智能 helps\"", "robots", NULL);
	expect(w, "\"智能 helps\"", "robots", NULL);
	expect(w, "\"工智能 helps\"", "robots", NULL);
	expect(w, "\"helps 人工智能\"", "", NULL);
	expect(w, "\"helps 工智能\"", "", NULL);
	expect(w, "\"recycling 人工智能\"", "robots", NULL);
	expect(w, "\"change 人工智能\"", "", NULL);
	expect(w, "\"人工智能 the\"", "", NULL);
}

/*
 * A typed term the analyzer splits is its words apart: all of them first,
 * then any; quoted, it is the phrase.
 */
static void test_split_words_are_words_apart(void **state)
{
	struct world *w = *state;
	expect(w, "e-commerce", "chips", "chips");
	/* The article wrote it hyphenated; the joined form finds it. */
	expect(w, "ecommerce", "chips", NULL);
	expect(w, "ECommerce", "chips", NULL);
	expect(w, "commerce-e", "chips", "chips");
	expect(w, "\"commerce-e\"", "", NULL);
	expect(w, "人工智能", "robots", "robots");
	/* ... or joined, as a compound's joined form was indexed. */
	/* A part of one letter is no word alone in the relaxed tier. */
	expect_described(w, "e-commerce",
			 "Query(((Ze AND Zcommerc) OR Zecommerc))",
			 "Query((Zcommerc OR 0 * Zecommerc))");
	/* An initialism: its letters side by side, or joined. */
	expect_described(w, "U.S.", "Query(((u PHRASE 2 s) OR Zus))",
			 "Query(((u PHRASE 2 s) OR 0 * Zus))");
	expect_described(w, "covid-19 x-ray",
			 "Query((((Zcovid AND 19) OR Zcovid19) AND "
			 "((Zx AND Zray) OR Zxray)))",
			 "Query(((Zcovid OR 19 OR 0 * Zcovid19) OR "
			 "(Zray OR 0 * Zxray)))");
	/* Quoted: the phrase, or the joined form. */
	expect_described(w, "\"e-commerce\"",
			 "Query(((e PHRASE 2 commerce) OR ecommerce))", NULL);
	/*
	 * Quoted CJK: the dictionary's words in a phrase, or every bigram
	 * of the run, however the dictionary split the article.
	 */
	expect_described(w, "\"ソニー\"",
			 "Query((ソニー OR (ソニ AND ニー)))", NULL);
	/* Punctuation alone is no word and is left out. */
	expect(w, "recycling & robots", "robots", "robots");
	expect(w, "recycling 😀", "robots", NULL);
}

static void test_white_space(void **state)
{
	struct world *w = *state;
	/* Tabs, newlines, no-break and ideographic spaces separate. */
	expect_described(w, "\tsanctions\n\xc2\xa0" "china\xe3\x80\x80",
			 "Query((Zsanction AND Zchina))",
			 "Query((Zsanction OR Zchina))");
	struct ni_parsed_query q;
	parse(w, "人工\xe3\x80\x80智能", &q);
	assert_int_equal(q.n_words, 2);
	expect_word(&q, 0, "人工", 0, 6, false, false);
	expect_word(&q, 1, "智能", 9, 15, false, false);
	ni_parsed_query_clear(&q);
}

/*
 * A number's groups are one number in queries as in articles, whatever
 * separates them; the no-break spaces between two digits are left to
 * the analyzer to say so, not taken as white space.
 */
static void test_grouped_numbers(void **state)
{
	struct world *w = *state;
	expect_same(w, "1,000 sale", "1000 sale");
	expect_same(w, "1\u00a0" "000 sale", "1000 sale");
	expect_same(w, "1\u202f" "000\u202f" "000 sale", "1000000 sale");
	expect_same(w, "1\u2009" "000 sale", "1000 sale");
	expect_same(w, "1'000 sale", "1000 sale");
	expect_same(w, "1,5 sale", "1,5 sale");
	/* Not a number's groups: two words, as a term the analyzer splits. */
	struct ni_parsed_query q;
	parse(w, "12\u00a0" "34 sale", &q);
	assert_int_equal(q.n_words, 3);
	assert_string_equal(q.words[0].word, "12");
	assert_string_equal(q.words[1].word, "34");
	ni_parsed_query_clear(&q);
	parse(w, "1\u00a0" "000 sale", &q);
	assert_int_equal(q.n_words, 2);
	expect_word(&q, 0, "1000", 0, 6, false, false);
	expect_word(&q, 1, "sale", 7, 11, false, false);
	ni_parsed_query_clear(&q);
}

/*
 * What a Chinese or Japanese input method types in fullwidth mode reads
 * as the ASCII it stands for: field names and their colon, parentheses,
 * operators, a prefix's star, filters' values; and the corner brackets
 * quote a phrase, as “ ” do.
 */
static void test_width_forms(void **state)
{
	struct world *w = *state;
	/* What is typed, and the ASCII it reads as. */
	static const char *const SAME[][2] = {
		{"\uff54\uff49\uff54\uff4c\uff45\uff1asanctions",
		 "title:sanctions"},
		{"\uff54\uff49\uff54\uff4c\uff45:sanctions", "title:sanctions"},
		{"title\uff1a\uff53\uff41\uff4c\uff45", "title:sale"},
		{"\uff34\uff2f\uff30\uff29\uff23:AI", "topic:AI"},
		{"\uff08sanctions OR recycling\uff09 china",
		 "(sanctions OR recycling) china"},
		{"title:\uff08sanctions sale\uff09", "title:(sanctions sale)"},
		{"sanctions \uff2f\uff32 recycling", "sanctions OR recycling"},
		{"quantum \uff2e\uff25\uff21\uff32\uff0f\uff11 computing",
		 "quantum NEAR/1 computing"},
		{"\uff53\uff41\uff4e\uff43\uff0a", "sanc*"},
		{"\u300cstock sale\u300d", "\"stock sale\""},
		{"\uff62stock sale\uff63", "\"stock sale\""},
		/* The white corner brackets quote within a quote. */
		{"\u300estock sale\u300f", "stock sale"},
		{"\uff44\uff41\uff54\uff45\uff1a\uff12\uff10\uff12\uff11"
		 "\uff0d\uff11\uff12", "date:2021-12"},
		{"quality:\uff1e\uff1d\uff14\uff10", "quality:>=40"},
		{"published:\uff54\uff52\uff55\uff45", "published:true"},
		/* Letters other than a field's before a colon are text. */
		{"\u6ce8\u610f\uff1asale", "\u6ce8\u610f sale"},
	};
	for (size_t i = 0; i < sizeof SAME / sizeof *SAME; i++)
		expect_same(w, SAME[i][0], SAME[i][1]);
	expect(w, "\uff54\uff49\uff54\uff4c\uff45\uff1achina", "chips", NULL);
	expect(w, "\u300csale stock\u300d", "", NULL);
	/* An error points at what was typed. */
	expect_error(w, "date:2021..\uff12\uff10\uff12\uff11\uff0d\uff11"
		     "\uff13", 11, 21, "date: '\uff12\uff10\uff12\uff11"
		     "\uff0d\uff11\uff13' is not a date (YYYY-MM-DD, "
		     "YYYY-MM, YYYY, Nd, today...)");
}

/* ---- NEAR and prefixes -------------------------------------------------- */

static void test_near(void **state)
{
	struct world *w = *state;
	expect(w, "quantum NEAR computing", "near10 robots", NULL);
	expect(w, "computing NEAR quantum", "near10 robots", NULL);
	expect(w, "quantum NEAR/11 computing", "near10 near11 robots", NULL);
	expect(w, "quantum NEAR/10 computing", "near10 robots", NULL);
	expect(w, "quantum NEAR/1 computing", "robots", NULL);
	expect(w, "quantum NEAR computing NEAR recycling", "robots", NULL);
	expect(w, "quantum NEAR/1 computing NEAR/9 nine", "near10", NULL);
	expect(w, "title:words NEAR title:counting", "near10 near11", NULL);
	expect(w, "quantum NEAR \"computing\"", "near10 robots", NULL);
	/* Stopwords are kept; words are matched as typed. */
	expect(w, "the NEAR export", "chips", NULL);
	expect(w, "export NEAR rule", "", NULL);
	expect_described(w, "quantum NEAR computing",
			 "Query((quantum NEAR 11 computing))", NULL);
	expect_described(w, "quantum NEAR/3 computing NEAR recycling",
			 "Query((quantum NEAR 12 computing NEAR 12 "
			 "recycling))", NULL);
	expect_described(w, "quantum NEAR computing -recycling",
			 "Query(((quantum NEAR 11 computing) AND_NOT "
			 "Zrecycl))", NULL);
	/* Ignored punctuation leaves the other word alone. */
	expect(w, "recycling NEAR &", "robots", NULL);
}

static void test_prefixes(void **state)
{
	struct world *w = *state;
	expect(w, "sanc*", "chips seed", NULL);
	expect(w, "SANC*", "chips seed", NULL);
	expect(w, "recyc*", "robots", NULL);
	expect(w, "title:sanc*", "chips seed", NULL);
	expect(w, "title:engin*", "", NULL);
	expect(w, "engin*", "robots", NULL);
	expect(w, "zq1*", "zq", NULL);
	expect(w, "zz*", "", NULL);
	expect(w, "sanc* -china", "seed", NULL);
	struct ni_parsed_query q;
	parse(w, "sanc*", &q);
	assert_int_equal(q.n_words, 1);
	expect_word(&q, 0, "sanc", 0, 5, false, true);
	ni_parsed_query_clear(&q);
}

/* ---- fields ------------------------------------------------------------- */

static void test_title(void **state)
{
	struct world *w = *state;
	expect(w, "engineers", "robots", NULL);
	expect(w, "title:engineers", "", NULL);
	expect(w, "title:sanctions", "chips seed", NULL);
	expect(w, "title:\"stock sale\"", "seed", NULL);
	expect(w, "title:\"hong kong\"", "", NULL);
	expect(w, "title:(chip OR robots)", "chips robots", NULL);
	expect(w, "title:(sanctions china)", "chips", "chips seed");
	expect(w, "TITLE:Robots", "robots", NULL);
	expect(w, "title:(chip topic:trade)", "chips", NULL);
	expect(w, "title:(chip -china)", "", NULL);
	expect(w, "title:e-commerce", "chips", "chips");
	expect_described(w, "title:sanctions", "Query(ZSsanction)", NULL);
	expect_described(w, "title:\"stock sale\"",
			 "Query((Sstock PHRASE 2 Ssale))", NULL);
	/* Stopwords under title: are kept. */
	expect_described(w, "title:the", "Query(ZSthe)", NULL);
	/* A value that looks like a field is text of the title. */
	expect(w, "title:topic:robots", "", "robots");
}

static void test_filters(void **state)
{
	struct world *w = *state;
	expect(w, "topic:ai", "seed", NULL);
	expect(w, "topic:AI", "seed", NULL);
	expect(w, "topic:\"Artificial  Intelligence\"", "chips", NULL);
	expect(w, "topic:artificial", "", NULL);
	expect(w, "topic:(ai OR robotics)", "robots seed", NULL);
	expect(w, "topic:(ai robotics)", "robots seed", NULL);
	expect(w, "topic:(trade AND \"artificial intelligence\")", "chips",
	       NULL);
	expect(w, "topic:(ai AND trade)", "", NULL);
	expect(w, "topic:(trade NOT ai)", "chips", NULL);
	expect(w, "topic:((ai OR trade) NOT robotics)", "chips seed", NULL);
	expect(w, "category:business", "chips", NULL);
	expect(w, "category:BUSINESS", "chips", NULL);
	expect(w, "type:video", "robots", NULL);
	expect(w, "type:(video OR article)", "chips robots seed", NULL);
	expect(w, "provider:reuters", "chips", NULL);
	expect(w, "provider:reuters.com", "chips", NULL);
	expect(w, "provider:\"Der Spiegel\"", "robots", NULL);
	expect(w, "provider:TheStreet.com", "seed", NULL);
	expect(w, "site:spiegel.de", "robots", NULL);
	expect(w, "site:Spiegel.DE", "robots", NULL);
	expect(w, "site:\"der spiegel\"", "", NULL);
	expect(w, "url:https://example.com/seed", "seed", NULL);
	expect(w, "url:\"https://example.com/seed\"", "seed", NULL);
	/* A scheme and host in any case; the path as written. */
	expect(w, "url:HTTPS://EXAMPLE.COM/seed", "seed", NULL);
	expect(w, "url:https://example.com/SEED", "", NULL);
	/* As a link is shared (lib/base/url.c has the forms). */
	expect(w, "url:http://www.example.com/seed/?utm_source=x#top", "seed",
	       NULL);
	expect(w, "url:https://example.com/seed?id=1", "", NULL);
	expect(w, "url:(https://example.com/seed OR https://example.com/zq)",
	       "seed zq", NULL);
	expect(w, "published:true", "chips robots", NULL);
	expect(w, "published:FALSE", "seed", NULL);
	expect(w, "published:(true OR false)", "chips robots seed", NULL);
	expect_described(w, "topic:ai", "Query((<alldocuments> FILTER Kai))",
			 NULL);
	expect_described(w, "provider:Reuters",
			 "Query((<alldocuments> FILTER (XPreuters OR "
			 "Hreuters)))", NULL);
}

static void test_filters_combine(void **state)
{
	struct world *w = *state;
	/* One field: either value; different fields: both. */
	expect(w, "topic:ai topic:robotics", "robots seed", NULL);
	expect(w, "topic:ai category:news", "seed", NULL);
	expect(w, "topic:ai category:science", "", NULL);
	expect(w, "topic:ai topic:robotics published:true", "robots", NULL);
	expect(w, "+topic:ai topic:robotics", "", NULL);
	expect(w, "topic:ai AND topic:robotics", "", NULL);
	expect(w, "topic:ai OR category:science", "robots seed", NULL);
	/* With words: the words, filtered. */
	expect(w, "sanctions topic:ai", "seed", NULL);
	expect(w, "sanctions -topic:ai", "chips", NULL);
	expect(w, "sanctions NOT site:thestreet.com", "chips", NULL);
	expect(w, "-topic:ai sanctions", "chips", NULL);
	expect(w, "sanctions recycling published:true", "",
	       "chips robots");
	expect(w, "topic:(ai robotics) sanctions", "seed", NULL);
	expect(w, "sanctions AND topic:trade", "chips", NULL);
	expect(w, "-topic:ai -topic:robotics type:article", "chips", NULL);
	expect_described(w, "sanctions china topic:ai -site:x.com",
			 "Query((((Zsanction AND Zchina) AND_NOT Hx.com) "
			 "FILTER Kai))",
			 "Query((((Zsanction OR Zchina) AND_NOT Hx.com) "
			 "FILTER Kai))");
	expect_described(w, "topic:ai topic:ml site:x.com",
			 "Query((<alldocuments> FILTER ((Kai OR Kml) AND "
			 "Hx.com)))", NULL);
}

/* The relevance (BM25, no quality) `query` gives the article `name`. */
static double relevance_of(struct world *w, const char *query,
			   const char *name)
{
	struct ni_search_params params = {
		.limit = 100, .bm25_k1 = 1.2, .bm25_b = 0.75,
		.check_at_least = 100};
	struct ni_parsed_query q;
	ni_mset *mset;
	double relevance = -1;
	parse(w, query, &q);
	assert_int_equal(ni_db_search(w->db, q.strict, &params, &mset), NI_OK);
	for (size_t i = 0; i < ni_mset_size(mset); i++) {
		struct ni_hit hit;
		struct ni_docdata doc;
		assert_int_equal(ni_mset_hit(mset, i, &hit), NI_OK);
		assert_int_equal(ni_docdata_decode(hit.data, hit.data_len,
						   &doc), NI_OK);
		if (strcmp(doc.url + strlen(URL_BASE), name) == 0)
			relevance = hit.relevance;
		ni_docdata_clear(&doc);
	}
	ni_mset_free(mset);
	ni_parsed_query_clear(&q);
	return relevance;
}

/* Filters select; they never add to a match's score. */
static void test_filters_do_not_score(void **state)
{
	struct world *w = *state;
	double alone = relevance_of(w, "sanctions", "seed");
	assert_true(alone > 0);
	assert_true(relevance_of(w, "sanctions topic:ai", "seed") == alone);
	assert_true(relevance_of(w, "sanctions OR topic:ai", "seed") == alone);
	assert_true(relevance_of(w, "sanctions AND date:2021", "seed") ==
		    alone);
	assert_true(relevance_of(w, "topic:ai", "seed") == 0);
	struct ni_parsed_query q;
	parse(w, "topic:ai published:false", &q);
	assert_false(q.has_text);
	assert_null(q.relaxed);
	assert_int_equal(q.n_words, 0);
	ni_parsed_query_clear(&q);
}

static void test_dates(void **state)
{
	struct world *w = *state;
	/* now is 2022-03-10T00:00:00Z. */
	expect(w, "date:2021-12-13", "seed", NULL);
	expect(w, "date:2021-12-31", "robots", NULL);
	expect(w, "date:2021-12", "robots seed", NULL);
	expect(w, "date:2021", "robots seed", NULL);
	expect(w, "date:2022", "chips", NULL);
	expect(w, "date:2022-02", "", NULL);
	expect(w, "date:2021-12-14..2022", "chips robots", NULL);
	expect(w, "date:2022..", "chips", NULL);
	expect(w, "date:..2021-12-13", "seed", NULL);
	expect(w, "date:2021-12..2021-12", "robots seed", NULL);
	expect(w, "date:2021-12-13T10:22:00Z", "seed", NULL);
	expect(w, "date:2021-12-13T11:22:00+01:00", "seed", NULL);
	/* Any number of digits of a fraction, as in an article. */
	expect(w, "date:2021-12-13T10:22:00.123456789012345678901234567890Z",
	       "seed", NULL);
	/* Years 0000-9999 in UTC: every date an article can have. */
	expect(w, "date:..9999", "chips robots seed", NULL);
	expect(w, "date:0000..", "chips robots seed", NULL);
	expect(w, "date:0000-01-01T00:00:00Z..9999-12-31T23:59:59Z",
	       "chips robots seed", NULL);
	expect(w, "date:2021-12-13T10:22:01Z..", "chips robots", NULL);
	expect(w, "date:..2021-12-13T10:21:59Z", "", NULL);
	/* Relative: before now. */
	expect(w, "date:10d..", "chips", NULL);
	expect(w, "date:10d", "chips", NULL);
	expect(w, "date:7d..", "", NULL);
	expect(w, "date:..30d", "robots seed", NULL);
	expect(w, "date:..1y", "", NULL);
	expect(w, "date:1y..", "chips robots seed", NULL);
	expect(w, "date:1m", "chips", NULL);
	expect(w, "date:3m..1m", "robots seed", NULL);
	expect(w, "date:12w..2w", "robots", NULL);
	/* Named days: today is 2022-03-10, chips is of 2022-03-0x. */
	expect(w, "date:today", "", NULL);
	expect(w, "date:Yesterday..TODAY", "", NULL);
	expect(w, "date:2022..yesterday", "chips", NULL);
	expect(w, "date:..yesterday", "chips robots seed", NULL);
	/* Several dates: either; with words: filtered. */
	expect(w, "date:2021-12-13 date:2022", "chips seed", NULL);
	expect(w, "date:(2021-12-13 OR 2022)", "chips seed", NULL);
	expect(w, "sanctions date:2022", "chips", NULL);
	expect(w, "sanctions -date:2022", "seed", NULL);
}

static void test_quality(void **state)
{
	struct world *w = *state;
	/* seed 37, chips 40, robots 80, the others 50 (the default). */
	expect(w, "quality:>=40", "chips near10 near11 robots zq", NULL);
	expect(w, "quality:>40", "near10 near11 robots zq", NULL);
	expect(w, "quality:<40", "seed", NULL);
	expect(w, "quality:<=40", "chips seed", NULL);
	expect(w, "quality:40", "chips", NULL);
	expect(w, "quality:=40", "chips", NULL);
	expect(w, "quality:40.0", "chips", NULL);
	expect(w, "quality:37..40", "chips seed", NULL);
	expect(w, "quality:60..", "robots", NULL);
	expect(w, "quality:..39.5", "seed", NULL);
	expect(w, "quality:>79.99", "robots", NULL);
	expect(w, "quality:>100", "", NULL);
	expect(w, "quality:0..100", "chips near10 near11 robots seed zq",
	       NULL);
	expect(w, "sanctions quality:>=40", "chips", NULL);
	expect(w, "quality:<40 OR quality:>60", "robots seed", NULL);
	/* Numbers as an article's quality is read (ni_parse_quality). */
	expect(w, "quality:4e1", "chips", NULL);
	expect(w, "quality:>=4.0E+1", "chips near10 near11 robots zq", NULL);
	expect(w, "quality:37.000000000000000000000000000001", "seed", NULL);
	expect(w, "quality:>1e-400", "chips near10 near11 robots seed zq",
	       NULL);
	expect(w, "quality:1e-400", "", NULL);
	expect(w, "quality:1e2", "", NULL);
	expect(w, "quality:3.7e1..4e1", "chips seed", NULL);
}

/* ---- stopwords, tiers, the words list ----------------------------------- */

static void test_stopwords(void **state)
{
	struct world *w = *state;
	expect_described(w, "the sanctions of the", "Query(Zsanction)", NULL);
	expect_described(w, "+china the", "Query(Zchina)", NULL);
	expect_described(w, "(the) sanctions", "Query(Zsanction)", NULL);
	expect_described(w, "sanctions the AND china",
			 "Query((Zsanction AND Zchina))", NULL);
	/* Only the default operator drops them: AND and OR keep them. */
	expect_described(w, "sanctions AND the",
			 "Query((Zsanction AND Zthe))", NULL);
	expect_described(w, "the AND sanctions china",
			 "Query(((Zthe AND Zsanction) AND Zchina))",
			 "Query(((Zthe AND Zsanction) OR Zchina))");
	expect_described(w, "the OR recycling",
			 "Query((Zthe OR Zrecycl))", NULL);
	expect_described(w, "(the) OR recycling",
			 "Query((Zthe OR Zrecycl))", NULL);
	expect_described(w, "recycling OR the sanctions",
			 "Query((Zrecycl OR Zsanction))", NULL);
	expect(w, "the OR recycling", "chips robots seed", NULL);
	expect(w, "the AND recycling", "robots", NULL);
	expect(w, "recycling AND NOT the", "", NULL);
	/* Lowercase near is a word, and a stopword. */
	expect_same(w, "sanctions near china", "sanctions china");
	/* Nothing else left: the stopwords are searched for. */
	expect_described(w, "the", "Query(Zthe)", NULL);
	expect_described(w, "to be", "Query((Zto AND Zbe))",
			 "Query((Zto OR Zbe))");
	expect_described(w, "the topic:ai", "Query((Zthe FILTER Kai))", NULL);
	expect_described(w, "the -china",
			 "Query((Zthe AND_NOT Zchina))", NULL);
	/* Kept in phrases, after +, - and NOT, in NEAR and in fields. */
	expect(w, "\"to the export\"", "chips", NULL);
	expect_described(w, "+the sanctions",
			 "Query((Zthe AND Zsanction))",
			 "Query((Zthe AND_MAYBE Zsanction))");
	expect_described(w, "sanctions -the",
			 "Query((Zsanction AND_NOT Zthe))", NULL);
	expect_described(w, "sanctions NOT the",
			 "Query((Zsanction AND_NOT Zthe))", NULL);
	expect_described(w, "title:to robots",
			 "Query((ZSto AND Zrobot))", "Query((ZSto OR Zrobot))");
	struct ni_parsed_query q;
	parse(w, "the sanctions (of) the", &q);
	assert_int_equal(q.n_words, 1);
	expect_word(&q, 0, "sanctions", 4, 13, false, false);
	ni_parsed_query_clear(&q);
	parse(w, "to be", &q);
	assert_int_equal(q.n_words, 2);
	ni_parsed_query_clear(&q);
}

static void test_tiers(void **state)
{
	struct world *w = *state;
	/* No default-operator join of two plain items: one tier. */
	const char *single[] = {
		"sanctions", "sanctions AND china", "sanctions OR china",
		"\"stock sale\"", "sanctions -china", "topic:ai",
		"sanctions topic:ai", "+sanctions +china", "-(sanctions china)",
		"recycling NOT (sanctions china)", "quantum NEAR computing",
	};
	for (size_t i = 0; i < sizeof single / sizeof *single; i++) {
		struct ni_parsed_query q;
		parse(w, single[i], &q);
		if (q.relaxed)
			fail_msg("%s: has a relaxed tier", single[i]);
		ni_parsed_query_clear(&q);
	}
	/* Nested groups keep their own tiers. */
	expect(w, "(sanctions china) recycling", "",
	       "chips robots seed");
	expect(w, "(sanctions china) OR recycling", "chips robots",
	       "chips robots seed");
	expect(w, "+(sanctions china) recycling", "",
	       "chips seed");
	expect(w, "(sanctions china) AND title:sanctions", "chips",
	       "chips seed");
	expect_described(w, "(sanctions china) OR recycling",
			 "Query(((Zsanction AND Zchina) OR Zrecycl))",
			 "Query(((Zsanction OR Zchina) OR Zrecycl))");
}

/* The relaxed tier holds every match of the strict one. */
static void test_relaxed_holds_strict(void **state)
{
	struct world *w = *state;
	const char *queries[] = {
		"sanctions china recycling", "+sanctions china -stock",
		"(sanctions china) OR (quantum computing)",
		"title:(sanctions china) topic:(trade ai)",
		"chip AND sanctions recycling", "x NOT (b c) d",
		"e-commerce u.s. covid-19",
	};
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
		struct ni_parsed_query q;
		parse(w, queries[i], &q);
		assert_non_null(q.relaxed);
		ni_query *missing;
		const ni_query *parts[2] = {q.strict, q.relaxed};
		assert_int_equal(ni_query_combine(NI_QOP_AND_NOT, parts, 2,
						  &missing), NI_OK);
		assert_string_equal(matches(w, missing), "");
		ni_query_free(missing);
		ni_parsed_query_clear(&q);
	}
}

static void test_words_list(void **state)
{
	struct world *w = *state;
	struct ni_parsed_query q;
	parse(w, "sanc* \"Stock sale\" e-commerce title:Robots -china "
		 "NOT beijing topic:ai the x NEAR y", &q);
	assert_true(q.has_text);
	assert_int_equal(q.n_words, 8);
	expect_word(&q, 0, "sanc", 0, 5, false, true);
	expect_word(&q, 1, "stock", 7, 12, true, false);
	expect_word(&q, 2, "sale", 13, 17, true, false);
	expect_word(&q, 3, "e", 19, 29, true, false);
	expect_word(&q, 4, "commerce", 19, 29, true, false);
	expect_word(&q, 5, "robots", 36, 42, false, false);
	expect_word(&q, 6, "x", 75, 76, false, false);
	expect_word(&q, 7, "y", 82, 83, false, false);
	ni_parsed_query_clear(&q);
	/* Nothing under - or NOT, even in groups. */
	parse(w, "recycling -(sanctions china) NOT (quantum OR \"stock "
		 "sale\")", &q);
	assert_int_equal(q.n_words, 1);
	expect_word(&q, 0, "recycling", 0, 9, false, false);
	ni_parsed_query_clear(&q);
	/* Twice excluded is included. */
	parse(w, "-(-recycling)", &q);
	assert_int_equal(q.n_words, 1);
	expect_word(&q, 0, "recycling", 3, 12, false, false);
	ni_parsed_query_clear(&q);
}

/* ---- errors ------------------------------------------------------------- */

struct error_case {
	const char *query;
	size_t offset;
	size_t length;
	const char *message;
};

static void check_errors(struct world *w, const struct error_case *cases,
			 size_t n)
{
	for (size_t i = 0; i < n; i++)
		expect_error(w, cases[i].query, cases[i].offset,
			     cases[i].length, cases[i].message);
}

#define FIELDS "(fields: title, topic, provider, site, category, type, " \
	       "url, date, quality, heat, published, lang)"

static void test_syntax_errors(void **state)
{
	static const struct error_case cases[] = {
		{"", 0, 1, "empty query"},
		{" \t\n", 0, 3, "empty query"},
		{"&", 0, 1, "the query has no words to search for"},
		{"( & ) -!", 0, 8, "the query has no words to search for"},
		{"(sanctions", 0, 1, "unclosed parenthesis"},
		{"((sanctions) china", 0, 1, "unclosed parenthesis"},
		{"sanctions)", 9, 1, "unmatched closing parenthesis"},
		{"sanctions ) china", 10, 1, "unmatched closing parenthesis"},
		{"()", 0, 2, "empty group"},
		{"sanctions ( \t)", 10, 4, "empty group"},
		{"\"stock sale", 0, 1, "unclosed quote"},
		{"sanctions \"", 10, 1, "unclosed quote"},
		{"\"\"", 0, 2, "empty phrase"},
		{"sanctions \"  \"", 10, 4, "empty phrase"},
		{"OR sanctions", 0, 2, "'OR' needs something on both sides"},
		{"sanctions OR", 10, 2, "'OR' needs something on both sides"},
		{"a OR OR b", 2, 2, "'OR' needs something on both sides"},
		{"(OR b)", 1, 2, "'OR' needs something on both sides"},
		{"(b OR)", 3, 2, "'OR' needs something on both sides"},
		{"AND sanctions", 0, 3, "'AND' needs something on both sides"},
		{"sanctions AND", 10, 3,
		 "'AND' needs something on both sides"},
		{"sanctions AND OR x", 10, 3,
		 "'AND' needs something on both sides"},
		{"sanctions NOT", 10, 3,
		 "'NOT' needs something on both sides"},
		{"NOT", 0, 3, "'NOT' needs something on both sides"},
		{"x OR NOT", 5, 3, "'NOT' needs something on both sides"},
		{"NEAR x", 0, 4, "'NEAR' needs something on both sides"},
		{"x NEAR", 2, 4, "'NEAR' needs something on both sides"},
		{"x NEAR/5 )", 2, 6, "'NEAR/5' needs something on both sides"},
		{"x AND NEAR y", 2, 3, "'AND' needs something on both sides"},
		{"+", 0, 1, "the query has no words to search for"},
	};
	check_errors(*state, cases, sizeof cases / sizeof *cases);
}

/* A sign standing alone is punctuation in pasted text, not an operator. */
static void test_lone_signs_are_punctuation(void **state)
{
	expect_same(*state, "sanctions - china", "sanctions china");
	expect_same(*state, "sanctions -", "sanctions");
	expect_same(*state, "(china +) sanctions", "(china) sanctions");
	expect_same(*state, "1990 - 2000 + x", "1990 2000 x");
	/* Attached, they still are operators. */
	struct ni_parsed_query a, b;
	parse(*state, "sanctions -china", &a);
	parse(*state, "sanctions china", &b);
	char *da = describe(a.strict), *db = describe(b.strict);
	assert_string_not_equal(da, db);
	free(da);
	free(db);
	ni_parsed_query_clear(&a);
	ni_parsed_query_clear(&b);
}

static void test_term_errors(void **state)
{
	static const struct error_case cases[] = {
		{"*", 0, 1, "prefix too short"},
		{"x -*", 3, 1, "prefix too short"},
		{"s*", 0, 2, "prefix too short"},
		{"x 人*", 2, 4, "prefix too short"},
		{"e-c*", 0, 4, "a prefix must be one word"},
		{"&*", 0, 2, "a prefix must be one word"},
		{"NEAR/0 x", 0, 6, "'NEAR/0' needs a distance from 1 to 1000"},
		{"x NEAR/1001 y", 2, 9,
		 "'NEAR/1001' needs a distance from 1 to 1000"},
		{"x NEAR/ y", 2, 5, "'NEAR/' needs a distance from 1 to 1000"},
		{"x NEAR/ten y", 2, 8,
		 "'NEAR/ten' needs a distance from 1 to 1000"},
		{"x NEAR \"stock sale\"", 7, 12, "'NEAR' joins single words, "
		 "not phrases, prefixes, groups or filters"},
		{"\"stock sale\" NEAR x", 0, 12, "'NEAR' joins single words, "
		 "not phrases, prefixes, groups or filters"},
		{"x NEAR sanc*", 7, 5, "'NEAR' joins single words, "
		 "not phrases, prefixes, groups or filters"},
		{"(x) NEAR y", 0, 3, "'NEAR' joins single words, "
		 "not phrases, prefixes, groups or filters"},
		{"x NEAR topic:ai", 7, 8, "'NEAR' joins single words, "
		 "not phrases, prefixes, groups or filters"},
		{"x NEAR e-commerce", 7, 10, "'NEAR' joins single words, "
		 "not phrases, prefixes, groups or filters"},
		{"-x NEAR y", 0, 1, "'-' cannot be used on a word joined by "
		 "'NEAR' (write -(a NEAR b))"},
		{"x NEAR +y", 7, 1, "'+' cannot be used on a word joined by "
		 "'NEAR' (write +(a NEAR b))"},
	};
	check_errors(*state, cases, sizeof cases / sizeof *cases);
}

static void test_field_errors(void **state)
{
	static const struct error_case cases[] = {
		{"foo:bar", 0, 4, "unknown field 'foo:' " FIELDS},
		{"x -Author:smith", 3, 7, "unknown field 'Author:' " FIELDS},
		{"std::vector", 0, 4, "unknown field 'std:' " FIELDS},
		{"title:", 0, 6, "title: needs a value"},
		{"title: sanctions", 0, 6, "title: needs a value"},
		{"(TOPIC:)", 1, 6, "topic: needs a value"},
		{"topic:\"\"", 6, 2, "empty phrase"},
		{"topic:(", 6, 1, "unclosed parenthesis"},
		{"topic:()", 6, 2, "empty group"},
		{"topic:(-ai)", 7, 1, "'-' cannot be used inside topic:(...)"},
		{"topic:(ai NEAR ml)", 10, 4,
		 "'NEAR' cannot be used inside topic:(...)"},
		{"site:(title:x)", 6, 6,
		 "'title:' cannot be used inside site:(...)"},
		{"published:maybe", 10, 5, "published: takes true or false"},
		{"published:(true OR no)", 19, 2,
		 "published: takes true or false"},
	};
	check_errors(*state, cases, sizeof cases / sizeof *cases);
}

static void test_date_and_quality_errors(void **state)
{
	static const struct error_case cases[] = {
		{"date:tomorrow", 5, 8, "date: 'tomorrow' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:2021-13", 5, 7, "date: '2021-13' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:2021-02-29", 5, 10, "date: '2021-02-29' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:21", 5, 2, "date: '21' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:7h", 5, 2, "date: '7h' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:..", 5, 2, "date: '..' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:x..2021", 5, 1, "date: 'x' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:2021..2022..2023", 11, 10, "date: '2022..2023' is not a "
		 "date (YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:2021-12-13t10:22:00z", 5, 20, "date: "
		 "'2021-12-13t10:22:00z' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:2022..2021", 5, 10, "date: range starts after it ends"},
		{"date:7d..30d", 5, 7, "date: range starts after it ends"},
		{"quality:101", 8, 3, "quality: takes a number from 0 to 100, a "
		 "comparison (>=40) or a range (20..60)"},
		{"quality:-5", 8, 2, "quality: takes a number from 0 to 100, a "
		 "comparison (>=40) or a range (20..60)"},
		{"quality:high", 8, 4, "quality: takes a number from 0 to 100, "
		 "a comparison (>=40) or a range (20..60)"},
		{"quality:>=", 8, 2, "quality: takes a number from 0 to 100, a "
		 "comparison (>=40) or a range (20..60)"},
		{"quality:40.", 8, 3, "quality: takes a number from 0 to 100, a "
		 "comparison (>=40) or a range (20..60)"},
		{"quality:1e400", 8, 5, "quality: takes a number from 0 to 100, "
		 "a comparison (>=40) or a range (20..60)"},
		{"quality:.5", 8, 2, "quality: takes a number from 0 to 100, a "
		 "comparison (>=40) or a range (20..60)"},
		{"quality:+5", 8, 2, "quality: takes a number from 0 to 100, a "
		 "comparison (>=40) or a range (20..60)"},
		{"date:9999-12-31T23:59:59-14:00", 5, 25, "date: "
		 "'9999-12-31T23:59:59-14:00' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"date:0000-01-01T00:00:00+00:01", 5, 25, "date: "
		 "'0000-01-01T00:00:00+00:01' is not a date "
		 "(YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)"},
		{"quality:..", 8, 2, "quality: takes a number from 0 to 100, a "
		 "comparison (>=40) or a range (20..60)"},
		{"quality:60..20", 8, 6, "quality: range starts after it ends"},
	};
	check_errors(*state, cases, sizeof cases / sizeof *cases);
}

/* Bare URLs and "Note:" are text; only name: and a value is a field. */
static void test_colons_in_text(void **state)
{
	struct world *w = *state;
	/*
	 * A bare URL is the phrase of its words, compounds either way, or
	 * the article at that URL (none quotes its own).
	 */
	expect(w, "https://example.com/seed", "seed", NULL);
	expect(w, "https://example.com/see", "", NULL);
	expect(w, "https://example.com/seed chips", "", "chips seed");
	expect(w, "stock://sale", "seed", NULL);
	expect(w, "sale://stock", "", NULL);
	expect(w, "to://the/export", "chips", NULL);
	expect_described(w, "http://x.com",
			 "Query((((http PHRASE 3 x PHRASE 3 com) OR "
			 "(http PHRASE 2 xcom)) OR (Uhttp://x.com OR "
			 "Uhttp://x.com/ OR Uhttp://www.x.com OR "
			 "Uhttp://www.x.com/ OR Uhttps://x.com OR "
			 "Uhttps://x.com/ OR Uhttps://www.x.com OR "
			 "Uhttps://www.x.com/)))", NULL);
	expect_described(w, "Note: sanctions",
			 "Query((Znote AND Zsanction))",
			 "Query((Znote OR Zsanction))");
	expect_described(w, "10:30", "Query((10 AND 30))",
			 "Query((10 OR 30))");
}

static void test_limits(void **state)
{
	struct world *w = *state;
	char query[4096];
	/* 64 nested groups are fine, 65 are not. */
	memset(query, '(', 64);
	strcpy(query + 64, "recycling");
	memset(query + 73, ')', 64);
	query[137] = '\0';
	expect(w, query, "robots", NULL);
	memset(query, '(', 65);
	strcpy(query + 65, "recycling");
	expect_error(w, query, 64, 1, "parentheses nested too deep");
	/* Long runs of operators are loops, not recursion. */
	query[0] = '\0';
	for (int i = 0; i < 500; i++)
		strcat(query, "NOT ");
	strcat(query, "recycling");
	expect(w, query, "robots", NULL);
}

/* Alternating operators nest query trees: the depth is bounded. */
static void test_deep_trees_are_refused(void **state)
{
	struct world *w = *state;
	size_t size = 20000 * 12 + 1;
	char *query = malloc(size);
	assert_non_null(query);
	for (size_t i = 0; i < 20000; i++)
		memcpy(query + i * 12, "x AND y z   ", 12);
	query[size - 1] = '\0';
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	assert_int_equal(ni_qparse(w->db, w->analyzer, query, w->now, &q,
				   &err), NI_EQUERY);
	assert_string_equal(err.message,
			    "the query is too complex (too many nested "
			    "operators)");
	assert_true(err.offset + err.length <= strlen(query));
	/* A long flat query is fine. */
	for (size_t i = 0; i < 20000; i++)
		memcpy(query + i * 10, "recycling ", 10);
	query[20000 * 10] = '\0';
	expect(w, query, "robots", "robots");
	free(query);
}

/* ---- modes and bounds --------------------------------------------------- */

static ni_status parse_with(struct world *w, const char *query,
			    enum ni_qparse_mode mode, size_t max_words,
			    uint64_t max_postings, struct ni_parsed_query *out,
			    struct ni_qparse_error *err)
{
	struct ni_qparse_options o = {mode, max_words, max_postings};
	return ni_qparse_with(w->db, w->analyzer, query, w->now, &o, out, err);
}

/* `query` read in `mode` is `plain` read strictly, as Xapian sees them. */
static void expect_read_as(struct world *w, enum ni_qparse_mode mode,
			   const char *query, const char *plain)
{
	struct ni_parsed_query q, want;
	struct ni_qparse_error err;
	ni_status st = parse_with(w, query, mode, 0, 0, &q, &err);
	if (st != NI_OK)
		fail_msg("%s: %s", query, err.message);
	parse(w, plain, &want);
	char *got = describe(q.strict), *wanted = describe(want.strict);
	if (strcmp(got, wanted) != 0)
		fail_msg("%s: read as %s, not as %s (%s)", query, got, wanted,
			 plain);
	free(got);
	free(wanted);
	assert_int_equal(q.relaxed != NULL, want.relaxed != NULL);
	ni_parsed_query_clear(&q);
	ni_parsed_query_clear(&want);
}

/* Words mode: nothing is syntax, every term is its words. */
static void test_words_mode(void **state)
{
	struct world *w = *state;
	static const char *const cases[][2] = {
		{"sanctions -china", "sanctions china"},
		{"+sanctions OR china", "sanctions china"},
		{"\"stock sale", "stock sale"},
		{"(recycling robots))", "recycling robots"},
		{"sanc* title:robots", "sanc (title robots)"},
		{"foo:bar AND", "(foo bar)"},
		{"NOT recycling", "recycling"},
		{"s* e-commerce", "s e-commerce"},
		/* Not syntax: a bare URL (a phrase, or the article at it)
		 * and a*b are read alike in any reading, so a URL pasted
		 * with a stray quote adds no single letters. */
		{"\"oil https://x.com/a?b=c", "oil https://x.com/a?b=c"},
		{"(stock*sale", "\"stock sale\""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		expect_read_as(w, NI_QPARSE_WORDS, cases[i][0], cases[i][1]);
	/* Its words are listed as typed words, none a prefix. */
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	assert_int_equal(parse_with(w, "(sanc* \"robots", NI_QPARSE_WORDS, 0,
				    0, &q, &err), NI_OK);
	assert_int_equal(q.n_words, 2);
	expect_word(&q, 0, "sanc", 1, 6, false, false);
	expect_word(&q, 1, "robots", 8, 14, false, false);
	assert_int_equal(q.n_notices, 0);
	assert_false(q.as_words);
	ni_parsed_query_clear(&q);
}

/* Lenient: the language when it parses, else the words, and why. */
static void test_lenient_mode(void **state)
{
	struct world *w = *state;
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	assert_int_equal(parse_with(w, "sanctions foo:bar",
				    NI_QPARSE_LENIENT, 0, 0, &q, &err),
			 NI_OK);
	assert_true(q.as_words);
	assert_int_equal(q.syntax_error.offset, 10);
	assert_int_equal(q.syntax_error.length, 4);
	assert_string_equal(q.syntax_error.message,
			    "unknown field 'foo:' " FIELDS);
	assert_int_equal(q.n_notices, 1);
	assert_string_equal(q.notices[0], "unknown field 'foo:' " FIELDS
			    "; searched as words");
	assert_string_equal(err.message, "");
	ni_parsed_query_clear(&q);
	expect_read_as(w, NI_QPARSE_LENIENT, "sanctions foo:bar",
		       "sanctions (foo bar)");
	expect_read_as(w, NI_QPARSE_LENIENT, "what about 1) recycling "
		       "2) \"robots", "what about 1 recycling 2 robots");
	expect_read_as(w, NI_QPARSE_LENIENT, "recycling AND",
		       "recycling");
	/* What parses is read as typed, with nothing to say. */
	expect_read_as(w, NI_QPARSE_LENIENT, "sanctions -china",
		       "sanctions -china");
	assert_int_equal(parse_with(w, "sanctions -china", NI_QPARSE_LENIENT,
				    0, 0, &q, &err), NI_OK);
	assert_false(q.as_words);
	assert_int_equal(q.n_notices, 0);
	ni_parsed_query_clear(&q);
	/* No words in either reading: the words' error. */
	static const char *const none[] = {"\"", "( & )", "-"};
	for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
		assert_int_equal(parse_with(w, none[i], NI_QPARSE_LENIENT, 0,
					    0, &q, &err), NI_EQUERY);
		assert_string_equal(err.message,
				    "the query has no words to search for");
		assert_null(q.strict);
		assert_int_equal(q.n_notices, 0);
	}
	/* Empty in every mode; an unknown mode is refused. */
	for (int mode = NI_QPARSE_STRICT; mode <= NI_QPARSE_LENIENT; mode++) {
		assert_int_equal(parse_with(w, " \t", (enum ni_qparse_mode)mode,
					    0, 0, &q, &err), NI_EQUERY);
		assert_string_equal(err.message, "empty query");
	}
	assert_int_equal(parse_with(w, "x", (enum ni_qparse_mode)9, 0, 0, &q,
				    &err), NI_EINVAL);
	assert_true(ni_qparse_blank(""));
	assert_true(ni_qparse_blank(" \t\n\xc2\xa0\xe3\x80\x80"));
	assert_true(ni_qparse_blank(NULL));
	assert_false(ni_qparse_blank(" x "));
	assert_false(ni_qparse_blank("\""));
}

/* The query is cut where `notice` says, keeping `n_words` words. */
static void expect_cut(struct world *w, const char *query, size_t max_words,
		       uint64_t max_postings, size_t n_words, const char *from)
{
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	ni_status st = parse_with(w, query, NI_QPARSE_STRICT, max_words,
				  max_postings, &q, &err);
	if (st != NI_OK)
		fail_msg("%s: %s", query, err.message);
	char notice[256];
	snprintf(notice, sizeof notice, "the query was cut short (it would "
		 "take too long to search whole): from '%s' on, it was not "
		 "searched", from);
	if (q.n_notices != 1 || strcmp(q.notices[0], notice) != 0)
		fail_msg("%s: %zu notices, the first \"%s\"", query,
			 q.n_notices, q.n_notices ? q.notices[0] : "");
	if (q.n_words != n_words)
		fail_msg("%s: %zu words, not %zu", query, q.n_words, n_words);
	ni_parsed_query_clear(&q);
}

/* The bound on postings, out of the way of the bound on words. */
#define NO_POSTINGS_BOUND UINT64_MAX

static void test_word_bound(void **state)
{
	struct world *w = *state;
	expect_cut(w, "recycling robots engineers quantum", 3,
		   NO_POSTINGS_BOUND, 3, "quantum");
	/* Words read: stopwords too, even those left out. */
	expect_cut(w, "the recycling of the robots", 3, NO_POSTINGS_BOUND, 1,
		   "the");
	expect_cut(w, "\"the recycling of\" robots", 3, NO_POSTINGS_BOUND,
		   3, "robots");
	/* Inside a term the analyzer splits, at the word left out. */
	expect_cut(w, "robots e-commerce", 2, NO_POSTINGS_BOUND, 2,
		   "commerce");
	/* Filters count one, ranges too (their cost is in postings). */
	expect_cut(w, "recycling topic:ai robots", 2, NO_POSTINGS_BOUND, 1,
		   "robots");
	expect_cut(w, "date:2021 recycling robots", 2, NO_POSTINGS_BOUND, 1,
		   "robots");
	expect_cut(w, "recycling quality:>=40 robots", 1, NO_POSTINGS_BOUND,
		   1, "quality:>=40");
	/* Whatever the structure: the rest is left out. */
	expect_cut(w, "(recycling OR (robots engineers)) AND \"quantum "
		   "computing\"", 4, NO_POSTINGS_BOUND, 4, "computing\"");
	/* At the bound, nothing is cut. */
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	assert_int_equal(parse_with(w, "recycling robots engineers",
				    NI_QPARSE_STRICT, 3, NO_POSTINGS_BOUND, &q,
				    &err), NI_OK);
	assert_int_equal(q.n_notices, 0);
	assert_int_equal(q.n_words, 3);
	ni_parsed_query_clear(&q);
	/* The default bound, whatever the length. */
	size_t n = 20000;
	char *query = malloc(n * 10 + 1);
	assert_non_null(query);
	for (size_t i = 0; i < n; i++)
		snprintf(query + i * 10, 11, "w%08zu ", i);
	char first_out[16];
	snprintf(first_out, sizeof first_out, "w%08d", NI_QPARSE_MAX_WORDS);
	expect_cut(w, query, 0, NO_POSTINGS_BOUND, NI_QPARSE_MAX_WORDS,
		   first_out);
	free(query);
}

/* What ni_qparse() makes of `query` costs, by ni_query_postings(). */
static uint64_t cost(struct world *w, const char *query)
{
	struct ni_parsed_query q;
	parse(w, query, &q);
	uint64_t postings;
	assert_int_equal(ni_query_postings(w->db, q.relaxed ? q.relaxed
					   : q.strict, &postings), NI_OK);
	ni_parsed_query_clear(&q);
	return postings;
}

/*
 * The bound on postings keeps the most words that fit, whatever the
 * order of the costs, measured on the query as built.
 */
static void test_postings_bound(void **state)
{
	struct world *w = *state;
	uint64_t two = cost(w, "recycling sanctions");
	assert_true(two > cost(w, "recycling"));
	expect_cut(w, "recycling sanctions quantum", 0, two, 2, "quantum");
	expect_cut(w, "recycling sanctions quantum", 0, two - 1, 1,
		   "sanctions");
	/* The first word is searched, whatever it costs. */
	expect_cut(w, "recycling sanctions", 0, 1, 1, "sanctions");
	/* A phrase costs twice its words: cut inside it. */
	uint64_t phrase = cost(w, "\"quantum computing\"");
	assert_int_equal(phrase, 2 * cost(w, "\"quantum\" \"computing\""));
	expect_cut(w, "\"quantum computing\"", 0, phrase - 1, 1,
		   "computing\"");
	/* A range costs a share of every article (6 here). */
	assert_int_equal(cost(w, "recycling quality:>=40") -
			 cost(w, "recycling"), 6 / NI_RANGE_SHARE);
	/* Stopwords left out cost nothing. */
	expect_cut(w, "the quantum of the computing robots", 0,
		   cost(w, "quantum computing"), 2, "robots");
	/*
	 * NEAR costs three times its exact words; searched as its words,
	 * with a notice, when that alone does not fit.
	 */
	uint64_t near = cost(w, "quantum NEAR computing");
	assert_int_equal(near, 3 * cost(w, "\"quantum\" \"computing\""));
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	assert_int_equal(parse_with(w, "quantum NEAR computing",
				    NI_QPARSE_STRICT, 0, near, &q, &err),
			 NI_OK);
	assert_int_equal(q.n_notices, 0);
	char *d = describe(q.strict);
	assert_string_equal(d, "Query((quantum NEAR 11 computing))");
	free(d);
	ni_parsed_query_clear(&q);
	assert_int_equal(parse_with(w, "quantum NEAR computing",
				    NI_QPARSE_STRICT, 0, near - 1, &q, &err),
			 NI_OK);
	assert_int_equal(q.n_notices, 1);
	assert_string_equal(q.notices[0], "'quantum NEAR computing' is too "
			    "common to search as 'NEAR' here: its words were "
			    "searched anywhere in the articles");
	d = describe(q.strict);
	assert_string_equal(d, "Query((quantum AND computing))");
	free(d);
	ni_parsed_query_clear(&q);
}

/* A prefix stands for its most frequent words, within the bound. */
static void test_prefix_bound(void **state)
{
	struct world *w = *state;
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	parse(w, "zq*", &q);
	assert_int_equal(q.n_notices, 1);
	assert_string_equal(q.notices[0], "'zq*' stands for 201 words: only "
			    "the 200 most frequent were searched");
	char *d = describe(q.strict);
	assert_non_null(strstr(d, "zq199"));
	assert_null(strstr(d, "zq200"));
	free(d);
	ni_parsed_query_clear(&q);
	/* Its words count toward the bound. */
	assert_int_equal(parse_with(w, "zq20* recycling", NI_QPARSE_STRICT, 2,
				    0, &q, &err), NI_OK);
	assert_int_equal(q.n_notices, 0);
	ni_parsed_query_clear(&q);
	assert_int_equal(parse_with(w, "zq* recycling", NI_QPARSE_STRICT, 20,
				    0, &q, &err), NI_OK);
	assert_int_equal(q.n_notices, 2);
	assert_string_equal(q.notices[0], "'zq*' stands for 201 words: only "
			    "the 20 most frequent were searched");
	assert_string_equal(q.notices[1], "the query was cut short (it "
			    "would take too long to search whole): from "
			    "'recycling' on, it was not searched");
	ni_parsed_query_clear(&q);
}

/*
 * A word longer than the analyzer keeps is in no article: the query
 * says it was left out, or, when nothing else is left, why there is
 * nothing to search.
 */
static void test_long_word(void **state)
{
	struct world *w = *state;
	/* 65 bytes: one more than NI_ANALYZER_MAX_WORD. */
	char word[NI_ANALYZER_MAX_WORD + 2];
	memset(word, 'x', sizeof word - 1);
	word[sizeof word - 1] = '\0';
	char query[160];
	snprintf(query, sizeof query, "sanctions %s china", word);
	struct ni_parsed_query q;
	parse(w, query, &q);
	expect_same(w, query, "sanctions china");
	assert_int_equal(q.n_notices, 1);
	assert_string_equal(q.notices[0],
			    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxx...' has a word longer than 64 "
			    "bytes, which no article has (words that long are "
			    "not indexed): it was left out");
	ni_parsed_query_clear(&q);
	/* 64 bytes are a word, with no notice. */
	word[NI_ANALYZER_MAX_WORD] = '\0';
	parse(w, word, &q);
	assert_int_equal(q.n_notices, 0);
	assert_int_equal(q.n_words, 1);
	ni_parsed_query_clear(&q);
	word[NI_ANALYZER_MAX_WORD] = 'x';
	snprintf(query, sizeof query, "& %s", word);
	expect_error(w, query, 2, sizeof word - 1,
		     "the query has no words to search for: words longer "
		     "than 64 bytes are not indexed");
}

static void test_bad_arguments(void **state)
{
	struct world *w = *state;
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	assert_int_equal(ni_qparse(w->db, w->analyzer, NULL, w->now, &q,
				   &err), NI_EINVAL);
	assert_null(q.strict);
	assert_true(err.message[0] != '\0');
	assert_int_equal(ni_qparse(NULL, w->analyzer, "x", w->now, &q, &err),
			 NI_EINVAL);
	/* Clearing twice, or a zeroed struct, is safe. */
	memset(&q, 0, sizeof q);
	ni_parsed_query_clear(&q);
	ni_parsed_query_clear(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_all_then_any),
		cmocka_unit_test(test_explicit_operators),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_required_and_excluded),
		cmocka_unit_test(test_everything_except),
		cmocka_unit_test(test_phrases),
		cmocka_unit_test(test_typographic_quotes),
		cmocka_unit_test(test_pasted_apostrophes),
		cmocka_unit_test(test_phrases_with_compounds),
		cmocka_unit_test(test_hashtags_are_their_words),
		cmocka_unit_test(test_phrases_with_cjk_runs),
		cmocka_unit_test(test_split_words_are_words_apart),
		cmocka_unit_test(test_white_space),
		cmocka_unit_test(test_grouped_numbers),
		cmocka_unit_test(test_width_forms),
		cmocka_unit_test(test_near),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_title),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_filters_combine),
		cmocka_unit_test(test_filters_do_not_score),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_quality),
		cmocka_unit_test(test_stopwords),
		cmocka_unit_test(test_tiers),
		cmocka_unit_test(test_relaxed_holds_strict),
		cmocka_unit_test(test_words_list),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_lone_signs_are_punctuation),
		cmocka_unit_test(test_term_errors),
		cmocka_unit_test(test_field_errors),
		cmocka_unit_test(test_date_and_quality_errors),
		cmocka_unit_test(test_colons_in_text),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_deep_trees_are_refused),
		cmocka_unit_test(test_words_mode),
		cmocka_unit_test(test_lenient_mode),
		cmocka_unit_test(test_word_bound),
		cmocka_unit_test(test_postings_bound),
		cmocka_unit_test(test_prefix_bound),
		cmocka_unit_test(test_long_word),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
