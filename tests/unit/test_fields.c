/*
 * Tests of the field table (ni_fields.h): its rows are whole and do not
 * collide (names, prefixes, facets, filters), its lookups and lists, and
 * that the two sides reading it agree: for every filter typed in
 * queries, a value written in an article's front matter, indexed by the
 * real indexer, is found by the query parser when typed as written,
 * and typed in another case and accents only when the row says the
 * field is folded (or reads its values itself).
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
#include "ni_buf.h"
#include "ni_docdata.h"
#include "ni_fields.h"
#include "ni_document.h"
#include "ni_qparse.h"
#include "ni_xapian.h"
#include "helpers.h"

static const struct ni_field_spec *rows(size_t *n)
{
	const struct ni_field_spec *all = ni_field_specs(n);
	assert_non_null(all);
	assert_true(*n > 0 && *n <= NI_FIELD_SPECS_MAX);
	return all;
}

/* ---- the rows ----------------------------------------------------------- */

static void test_rows_are_whole(void **state)
{
	(void)state;
	size_t n;
	const struct ni_field_spec *all = rows(&n);
	for (size_t i = 0; i < n; i++) {
		const struct ni_field_spec *f = &all[i];
		const char *what = f->name ? f->name
				   : f->prefix ? f->prefix : "?";
		assert_int_equal(ni_field_index(f), i);
		if (!f->name && !f->prefix)
			fail_msg("row %zu: neither typed nor indexed", i);
		switch (f->kind) {
		case NI_KIND_TEXT:
			if (f->text < 0 || f->text >= NI_FIELD_COUNT ||
			    !f->prefix || !f->stem_prefix || !f->stems ||
			    f->filter != -1 || f->slot != -1)
				fail_msg("text field %s: a text field, a "
					 "prefix and a stem prefix, no filter "
					 "nor slot", what);
			break;
		case NI_KIND_TERM:
			if (f->filter < 0 || f->filter >= NI_FILTER_COUNT ||
			    !f->prefix || f->stem_prefix || f->slot != -1 ||
			    f->text != -1)
				fail_msg("filter %s: a filter and a prefix, "
					 "no stems, slot nor text field",
					 what);
			break;
		case NI_KIND_DATE:
		case NI_KIND_SCORE:
		case NI_KIND_AMOUNT:
			if (f->slot < 0 || f->prefix || f->filter != -1 ||
			    f->text != -1 || f->folded || f->read)
				fail_msg("range %s: a slot, no terms", what);
			break;
		default:
			fail_msg("row %zu: no kind", i);
		}
		if (f->prefix && !f->source)
			fail_msg("%s: its terms are not described", what);
		if (f->also != -1 && (f->kind != NI_KIND_TERM ||
				      f->also < 0 ||
				      f->also >= NI_FILTER_COUNT ||
				      f->also == f->filter))
			fail_msg("%s: `also` is not another filter", what);
		if (f->name && (!f->help || (f->kind != NI_KIND_TEXT &&
					     !f->values)))
			fail_msg("%s: typed, but without its help", what);
		if (!f->name && (f->alias || f->usage || f->read ||
				 f->also != -1))
			fail_msg("%s: never typed, but with what only a "
				 "typed field has", what);
		if ((f->facet >= 0) != (f->facet_name != NULL) ||
		    (f->facet >= 0) != (f->facet_slot >= 0))
			fail_msg("%s: a facet needs its number, name and "
				 "slot", what);
	}
}

/* Names and aliases: lowercase ASCII letters (the lexer reads no other
 * field name), unique in any case. */
static void test_names_are_unique(void **state)
{
	(void)state;
	size_t n;
	const struct ni_field_spec *all = rows(&n);
	const char *names[2 * NI_FIELD_SPECS_MAX];
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		if (all[i].name)
			names[count++] = all[i].name;
		if (all[i].alias)
			names[count++] = all[i].alias;
	}
	assert_true(count >= 10);
	for (size_t i = 0; i < count; i++) {
		assert_true(names[i][0] != '\0');
		for (const char *c = names[i]; *c; c++)
			if (*c < 'a' || *c > 'z')
				fail_msg("'%s': not lowercase ASCII letters",
					 names[i]);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(names[i], names[j]))
				fail_msg("'%s' names two fields", names[i]);
		/* Each finds its own row, in any case. */
		char upper[32];
		size_t len = strlen(names[i]);
		assert_true(len < sizeof upper);
		for (size_t k = 0; k <= len; k++)
			upper[k] = (char)(names[i][k] >= 'a' &&
					  names[i][k] <= 'z'
					  ? names[i][k] - 'a' + 'A'
					  : names[i][k]);
		const struct ni_field_spec *f = ni_field_named(upper, len);
		assert_non_null(f);
		assert_true(!strcmp(f->name, names[i]) ||
			    (f->alias && !strcmp(f->alias, names[i])));
	}
}

/* Every prefix of terms and of stems is one row's: a term is read back as
 * one field's only. */
static void test_prefixes_are_unique(void **state)
{
	(void)state;
	size_t n;
	const struct ni_field_spec *all = rows(&n);
	const char *prefixes[2 * NI_FIELD_SPECS_MAX];
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		if (all[i].prefix)
			prefixes[count++] = all[i].prefix;
		if (all[i].stem_prefix)
			prefixes[count++] = all[i].stem_prefix;
	}
	for (size_t i = 0; i < count; i++) {
		/* Omega's rule: uppercase letters, then the value. */
		for (const char *c = prefixes[i]; *c; c++)
			if (*c < 'A' || *c > 'Z')
				fail_msg("prefix '%s': not uppercase ASCII",
					 prefixes[i]);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(prefixes[i], prefixes[j]))
				fail_msg("prefix '%s' is two fields'",
					 prefixes[i]);
	}
}

/* Each filter, each free-text field with a prefix and each facet is one
 * row's, and the lookups find it. */
static void test_each_enum_has_its_row(void **state)
{
	(void)state;
	size_t n;
	const struct ni_field_spec *all = rows(&n);
	for (int filter = 0; filter < NI_FILTER_COUNT; filter++) {
		size_t found = 0;
		for (size_t i = 0; i < n; i++)
			found += all[i].kind == NI_KIND_TERM &&
				 all[i].filter == filter;
		if (found != 1)
			fail_msg("filter %d is %zu rows'", filter, found);
		const struct ni_field_spec *f =
			ni_filter_spec((enum ni_filter)filter);
		assert_non_null(f);
		assert_int_equal(f->filter, filter);
	}
	assert_null(ni_filter_spec(NI_FILTER_COUNT));
	for (int text = 0; text < NI_FIELD_COUNT; text++) {
		size_t found = 0;
		for (size_t i = 0; i < n; i++)
			found += all[i].kind == NI_KIND_TEXT &&
				 all[i].text == text;
		if (found > 1)
			fail_msg("text field %d is %zu rows'", text, found);
	}
	assert_string_equal(ni_text_spec(NI_FIELD_ANY)->stem_prefix, "Z");
	assert_string_equal(ni_text_spec(NI_FIELD_TITLE)->prefix, "S");
	assert_null(ni_text_spec(NI_FIELD_EXCERPT));
	/* Every facet is a field's, and named once. */
	for (int facet = 0; facet < NI_FACET_COUNT; facet++) {
		size_t found = 0;
		for (size_t i = 0; i < n; i++)
			found += all[i].facet == facet;
		if (found != 1)
			fail_msg("facet %d is %zu rows'", facet, found);
		const struct ni_field_spec *f =
			ni_facet_spec((enum ni_facet)facet);
		assert_non_null(f);
		assert_non_null(f->name);
		assert_int_equal(ni_facet_named(f->facet_name,
						strlen(f->facet_name)),
				 facet);
		for (int other = 0; other < facet; other++) {
			enum ni_facet o = (enum ni_facet)other;
			assert_string_not_equal(ni_facet_spec(o)->facet_name,
						f->facet_name);
		}
	}
	assert_null(ni_facet_spec(NI_FACET_COUNT));
}

/* ---- lookups and lists -------------------------------------------------- */

static void test_lookups(void **state)
{
	(void)state;
	assert_string_equal(ni_field_named("Topic", 5)->name, "topic");
	assert_string_equal(ni_field_named("TITLEx", 5)->name, "title");
	assert_null(ni_field_named("topics", 6));
	assert_null(ni_field_named("top", 3));
	assert_null(ni_field_named("", 0));
	assert_int_equal(ni_field_named("provider", 8)->also,
			 NI_FILTER_SITE);
	assert_true(ni_field_named("url", 3)->kind == NI_KIND_TERM);
	assert_false(ni_field_named("url", 3)->folded);
	assert_true(ni_field_named("site", 4)->folded);
	assert_int_equal(ni_field_named("date", 4)->slot, NI_SLOT_DATE);
	assert_int_equal(ni_facet_named("month", 5), NI_FACET_MONTH);
	assert_int_equal(ni_facet_named("Month", 5), -1);
	assert_int_equal(ni_facet_named("mont", 4), -1);
	assert_int_equal(ni_facet_named("date", 4), -1);
	assert_string_equal(ni_facet_spec(NI_FACET_MONTH)->name, "date");
	assert_int_equal(ni_facet_spec(NI_FACET_TOPIC)->facet_slot,
			 NI_SLOT_TOPICS);
}

static void test_lists(void **state)
{
	(void)state;
	char list[256];
	ni_field_names(list, sizeof list);
	assert_string_equal(list, "title, topic, provider, site, category, "
			    "type, url, date, quality, heat, published, lang");
	ni_facet_names(list, sizeof list);
	assert_string_equal(list, "topic, provider, month");
	/* Cut to the size given, NUL-terminated. */
	ni_field_names(list, 9);
	assert_string_equal(list, "title, t");
	ni_facet_names(list, 1);
	assert_string_equal(list, "");
}

/* --help's lines: names a space apart, examples two, wrapped before the
 * width. */
static void test_usage(void **state)
{
	(void)state;
	struct ni_buf out = NI_BUF_INIT;
	assert_int_equal(ni_field_usage(&out, "  ", 80), NI_OK);
	const char *text = ni_buf_str(&out);
	assert_string_equal(text,
		"  title: topic: provider: site: category: type: url:\n"
		"  date:2021-12  date:2021-12-01..2021-12-31  date:7d..  "
		"date:today\n"
		"  quality:>=40  quality:20..60  heat:>=10  published:true  "
		"lang:fr\n");
	/* Every line ends before the width; the last with a newline. */
	size_t column = 0;
	for (const char *c = text; *c; c++) {
		column = *c == '\n' ? 0 : column + 1;
		assert_true(column < 80);
	}
	assert_int_equal(text[out.len - 1], '\n');
	ni_buf_reset(&out);
	assert_int_equal(ni_field_usage(&out, "", 20), NI_OK);
	assert_true(!strncmp(ni_buf_str(&out), "title: topic:\n", 14));
	ni_buf_release(&out);
}

/*
 * lang: is the stemmer the index keeps: what it cannot tell is refused
 * (a language without a stemmer) or said in a note (a region, one of
 * Norwegian's written forms), never guessed.
 */
static void expect_language(const char *typed, const char *want,
			    const char *why)
{
	const struct ni_field_spec *lang = ni_field_named("lang", 4);
	assert_non_null(lang);
	assert_non_null(lang->read);
	char text[160] = "";
	const char *got = lang->read(typed, strlen(typed), text, sizeof text);
	if (want ? !got || strcmp(got, want) : got != NULL)
		fail_msg("lang:%s read as %s, not %s", typed,
			 got ? got : "an error", want ? want : "an error");
	if (strcmp(text, why))
		fail_msg("lang:%s says \"%s\", not \"%s\"", typed, text, why);
}

static void test_lang_reads_what_the_index_keeps(void **state)
{
	(void)state;
	assert_ptr_equal(ni_field_named("Language", 8),
			 ni_field_named("lang", 4));
	expect_language("fr", "french", "");
	expect_language("FR", "french", "");
	expect_language("fra", "french", "");
	expect_language("French", "french", "");
	expect_language("no", "norwegian", "");
	expect_language("none", "none", "");
	expect_language("fr-CA", "french", "'fr-CA' is searched as french: "
			"the index keeps an article's language, not its "
			"region or script");
	expect_language("nn", "norwegian", "'nn' is searched as norwegian: "
			"its written forms share one stemmer");
	expect_language("ja", NULL, "'ja' has no stemmer, and the index "
			"keeps only each article's stemmer: it cannot tell "
			"such languages apart (lang:none finds them all)");
	expect_language("zh-Hant", NULL, "'zh-Hant' has no stemmer, and the "
			"index keeps only each article's stemmer: it cannot "
			"tell such languages apart (lang:none finds them "
			"all)");
	expect_language("klingon", NULL, "'klingon' is not a language "
			"(lang:en, lang:french, lang:none)");
	expect_language("fr-", NULL, "'fr-' is not a language (lang:en, "
			"lang:french, lang:none)");
	/* A long value is quoted cut, on a character's boundary. */
	expect_language("ééééééééééééééééééééé", NULL,
			"'éééééééééééééééé' is not a language (lang:en, "
			"lang:french, lang:none)");
}

/* ---- the indexer and the parser agree ----------------------------------- */

/*
 * For each filter typed in queries: front matter that gives it a value
 * (with the article's webUrl, unless the case is the URL's), the value
 * as written there, and the same value in other case and accents.
 */
static const struct agree_case {
	const char *field;
	const char *front_matter;
	const char *as_written;
	const char *other_case;
} CASES[] = {
	{"topic", "topics: [\"Économie Verte\"]\n", "Économie Verte",
	 "ECONOMIE verte"},
	{"provider",
	 "provider: {name: \"Zürich Post\", domain: zp.example}\n",
	 "Zürich Post", "zurich POST"},
	{"site", "provider: {name: Other, domain: Ärzte.Example}\n",
	 "Ärzte.Example", "arzte.EXAMPLE"},
	{"category", "category: Société\n", "Société", "SOCIETE"},
	{"type", "type: Vidéo\n", "Vidéo", "VIDEO"},
	{"url", NULL, "https://example.com/Été/url",
	 "https://EXAMPLE.com/ete/url"},
	{"published", "published: true\n", "true", "TRUE"},
	{"lang", "lang: fr\n", "fr", "French"},
};

#define N_CASES (sizeof CASES / sizeof *CASES)

struct world {
	struct db_fixture *fixture;
	ni_analyzer *analyzer;
	ni_db *db;
};

static const char *url_of(size_t i, char *buf, size_t size)
{
	if (!CASES[i].front_matter)
		return CASES[i].as_written;
	snprintf(buf, size, "https://example.com/%s", CASES[i].field);
	return buf;
}

static int index_case(struct world *w, ni_indexer *ix, size_t i)
{
	char path[128], url[128];
	snprintf(path, sizeof path, "%s/%zu.txt", w->fixture->dir, i);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "---\nwebUrl: \"%s\"\ntitle: \"Case %zu\"\n%s---\n",
		url_of(i, url, sizeof url), i,
		CASES[i].front_matter ? CASES[i].front_matter : "");
	if (fclose(f) != 0)
		return -1;
	struct ni_index_result res;
	if (ni_indexer_add_file(ix, path, NULL, &res) != NI_OK ||
	    !res.indexed || res.n_warnings)
		return -1;
	return 0;
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	if (!w)
		return -1;
	void *fixture;
	make_fixture(&fixture, "/tmp/ni-test-fields-XXXXXX");
	w->fixture = fixture;
	if (ni_analyzer_new(&w->analyzer) != NI_OK ||
	    ni_db_open(w->fixture->path, NI_DB_WRITE, ni_analyzer_settings(),
		       &w->db, NULL) != NI_OK)
		return -1;
	ni_indexer *ix;
	if (ni_indexer_new(w->db, w->analyzer, &ix) != NI_OK)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < N_CASES; i++)
		rc = index_case(w, ix, i);
	ni_indexer_free(ix);
	if (rc != 0 || ni_db_commit(w->db) != NI_OK)
		return -1;
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;
	ni_db_close(w->db, NULL);
	ni_analyzer_free(w->analyzer);
	void *fixture = w->fixture;
	free(w);
	return remove_fixture(&fixture);
}

/* The URL of the only article `field:"value"` matches; "" for none,
 * "several" for more. */
static const char *found(struct world *w, const char *field,
			 const char *value)
{
	static char out[256];
	char query[256];
	snprintf(query, sizeof query, "%s:\"%s\"", field, value);
	struct ni_parsed_query q;
	struct ni_qparse_error err;
	if (ni_qparse(w->db, w->analyzer, query, 0, &q, &err) != NI_OK)
		fail_msg("%s: %s", query, err.message);
	struct ni_search_params params = {
		.limit = 10, .bm25_k1 = 1.2, .bm25_b = 0.75,
		.check_at_least = 10};
	ni_mset *mset;
	assert_int_equal(ni_db_search(w->db, q.strict, &params, &mset), NI_OK);
	ni_parsed_query_clear(&q);
	out[0] = '\0';
	if (ni_mset_size(mset) > 1)
		snprintf(out, sizeof out, "several");
	if (ni_mset_size(mset) == 1) {
		struct ni_hit hit;
		struct ni_docdata doc;
		assert_int_equal(ni_mset_hit(mset, 0, &hit), NI_OK);
		assert_int_equal(ni_docdata_decode(hit.data, hit.data_len,
						   &doc), NI_OK);
		snprintf(out, sizeof out, "%s", doc.url);
		ni_docdata_clear(&doc);
	}
	ni_mset_free(mset);
	return out;
}

static void test_indexer_and_parser_agree(void **state)
{
	struct world *w = *state;
	size_t n;
	const struct ni_field_spec *all = rows(&n);
	for (size_t r = 0; r < n; r++) {
		const struct ni_field_spec *f = &all[r];
		if (!f->name || f->kind != NI_KIND_TERM)
			continue;
		size_t i = 0;
		while (i < N_CASES && strcmp(CASES[i].field, f->name))
			i++;
		if (i == N_CASES)
			fail_msg("the filter '%s' has no case in "
				 "tests/unit/test_fields.c: add one", f->name);
		char url[128];
		const char *want = url_of(i, url, sizeof url);
		const char *got = found(w, f->name, CASES[i].as_written);
		if (strcmp(got, want))
			fail_msg("%s:\"%s\" found \"%s\", not its article %s",
				 f->name, CASES[i].as_written, got, want);
		bool either = f->folded || f->read;
		got = found(w, f->name, CASES[i].other_case);
		if (strcmp(got, either ? want : ""))
			fail_msg("%s:\"%s\" found \"%s\": the field is %s",
				 f->name, CASES[i].other_case, got,
				 either ? "folded" : "exact");
	}
}

/* How many documents `query` selects (it is freed). */
static size_t count(struct world *w, ni_query *query)
{
	assert_non_null(query);
	struct ni_search_params params = {
		.limit = 100, .bm25_k1 = 1.2, .bm25_b = 0.75,
		.check_at_least = 100};
	ni_mset *mset;
	assert_int_equal(ni_db_search(w->db, query, &params, &mset), NI_OK);
	size_t n = ni_mset_size(mset);
	ni_mset_free(mset);
	ni_query_free(query);
	return n;
}

/*
 * The terms the wrapper writes itself (the unique key, the stemmer) are
 * under the prefixes a query of their filters looks up, and no caller
 * may write them.
 */
static void test_the_wrapper_own_terms(void **state)
{
	struct world *w = *state;
	ni_query *q;
	assert_int_equal(ni_query_filter(NI_FILTER_STEMMER, "english", 7, &q),
			 NI_OK);
	assert_int_equal(count(w, q), N_CASES - 1);
	assert_int_equal(ni_query_filter(NI_FILTER_STEMMER, "french", 6, &q),
			 NI_OK);
	assert_int_equal(count(w, q), 1);
	assert_int_equal(ni_query_filter(NI_FILTER_STEMMER, "german", 6, &q),
			 NI_OK);
	assert_int_equal(count(w, q), 0);
	const char *key = "https://example.com/topic";
	assert_int_equal(ni_query_filter(NI_FILTER_KEY, key, strlen(key), &q),
			 NI_OK);
	assert_int_equal(count(w, q), 1);
	ni_doc *doc;
	assert_int_equal(ni_doc_new(w->db, &doc), NI_OK);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_KEY, "x", 1),
			 NI_EINVAL);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_STEMMER, "x", 1),
			 NI_EINVAL);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_STORY, "x", 1),
			 NI_EINVAL);
	assert_int_equal(ni_doc_add_filter(doc, NI_FILTER_LISTS, "x", 1),
			 NI_OK);
	ni_doc_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_are_whole),
		cmocka_unit_test(test_names_are_unique),
		cmocka_unit_test(test_prefixes_are_unique),
		cmocka_unit_test(test_each_enum_has_its_row),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_lang_reads_what_the_index_keeps),
		cmocka_unit_test_setup_teardown(test_indexer_and_parser_agree,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_wrapper_own_terms,
						setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
