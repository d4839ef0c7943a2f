/*
 * Tests of the document data format: what the indexer stores is what the
 * query side reads back, absent values stay absent, odd text survives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ni_docdata.h"

static void test_round_trip_of_every_field(void **state)
{
	(void)state;
	char *topics[] = {"AI", "Markets \"quoted\""};
	struct ni_article a = {0};
	a.title = "SenseTime’s \\ sale";
	a.excerpt = "Line one\nline two — 商汤";
	a.web_url = "https://example.com/a/b";
	a.original_url = "https://other.example/x";
	a.provider.name = "TheStreet.com";
	a.provider.domain = "thestreet.com";
	a.published_at = (struct ni_opt_time){true, 1639390920};
	a.quality = (struct ni_opt_double){true, 37};
	a.published = (struct ni_opt_bool){true, false};
	a.topics = topics;
	a.n_topics = 2;
	a.category = "news";
	a.type = "article";
	strcpy(a.lang, "zh-Hant");
	struct ni_image images[] = {
		{.url = "https://img.example/a.jpg", .width = 800,
		 .height = 450},
		{.url = "https://img.example/second.jpg"},
	};
	a.images = images;
	a.n_images = 2;

	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_docdata_encode(&a, "/abs/path.txt", "https://parent/", &buf), NI_OK);
	/* URLs are stored as written, not with escaped slashes. */
	assert_non_null(strstr(buf.data, "https://example.com/a/b"));

	struct ni_docdata d;
	assert_int_equal(ni_docdata_decode(buf.data, buf.len, &d), NI_OK);
	assert_string_equal(d.title, a.title);
	assert_string_equal(d.excerpt, a.excerpt);
	assert_string_equal(d.url, "https://example.com/a/b");
	assert_string_equal(d.path, "/abs/path.txt");
	assert_string_equal(d.provider_name, "TheStreet.com");
	assert_string_equal(d.provider_domain, "thestreet.com");
	assert_true(d.date.present);
	assert_int_equal(d.date.epoch, 1639390920);
	assert_true(d.quality.present);
	assert_true(d.quality.value == 37);
	assert_true(d.published.present);
	assert_false(d.published.value);
	assert_int_equal(d.n_topics, 2);
	assert_string_equal(d.topics[1], "Markets \"quoted\"");
	assert_string_equal(d.category, "news");
	assert_string_equal(d.type, "article");
	assert_string_equal(d.related_of, "https://parent/");
	assert_string_equal(d.lang, "zh-Hant");
	/* The first image only: what a thumbnail needs. */
	assert_string_equal(d.image.url, "https://img.example/a.jpg");
	assert_int_equal(d.image.width, 800);
	assert_int_equal(d.image.height, 450);
	assert_null(strstr(buf.data, "second.jpg"));
	ni_docdata_clear(&d);
	assert_null(d.title);
	ni_buf_release(&buf);
}

static void test_absent_values_stay_absent(void **state)
{
	(void)state;
	struct ni_article a = {0};
	a.original_url = "https://only.original/";
	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_docdata_encode(&a, "/p", NULL, &buf), NI_OK);
	struct ni_docdata d;
	assert_int_equal(ni_docdata_decode(buf.data, buf.len, &d), NI_OK);
	assert_null(d.title);
	assert_null(d.provider_name);
	assert_null(d.related_of);
	/* Without a webUrl, the originalUrl is the one to show. */
	assert_string_equal(d.url, "https://only.original/");
	assert_false(d.date.present);
	assert_false(d.quality.present);
	assert_false(d.published.present);
	assert_int_equal(d.n_topics, 0);
	assert_null(d.image.url);
	assert_null(strstr(buf.data, "image"));
	assert_null(d.lang);
	assert_null(strstr(buf.data, "lang"));
	ni_docdata_clear(&d);
	ni_buf_release(&buf);
}

static void test_bad_data_is_refused(void **state)
{
	(void)state;
	struct ni_docdata d;
	assert_int_equal(ni_docdata_decode("not json", 8, &d), NI_EPARSE);
	assert_int_equal(ni_docdata_decode("[1,2]", 5, &d), NI_EPARSE);
	assert_int_equal(ni_docdata_decode("", 0, &d), NI_EPARSE);
	/* Wrong types inside are ignored, not trusted. */
	const char *odd = "{\"title\": 5, \"quality\": \"high\", "
			  "\"topics\": [\"a\", 3], \"image\": "
			  "{\"url\": \"u\", \"width\": -3, "
			  "\"height\": \"9\"}}";
	assert_int_equal(ni_docdata_decode(odd, strlen(odd), &d), NI_OK);
	assert_null(d.title);
	assert_false(d.quality.present);
	assert_int_equal(d.n_topics, 1);
	assert_string_equal(d.topics[0], "a");
	/* A size that is not a positive whole number is not given. */
	assert_string_equal(d.image.url, "u");
	assert_int_equal(d.image.width, 0);
	assert_int_equal(d.image.height, 0);
	ni_docdata_clear(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_of_every_field),
		cmocka_unit_test(test_absent_values_stay_absent),
		cmocka_unit_test(test_bad_data_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
