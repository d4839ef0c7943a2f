/*
 * Tests of the document data format: what the indexer stores is what the
 * query side reads back, absent values stay absent, odd text survives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ni_dates.h"
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
	ni_docdata_clear(&d);
	ni_buf_release(&buf);
}

/*
 * The document data as json-c writes it, the encoder's reference: the
 * encoder writes the JSON by hand, and an unchanged article must give
 * the same bytes as in indexes built before (and as json-c would).
 */
static json_object *add_text(json_object *obj, const char *key,
			     const char *text)
{
	if (text)
		json_object_object_add(obj, key,
				       json_object_new_string(text));
	return obj;
}

static char *json_c_encoding(const struct ni_article *a, const char *path,
			     const char *related_of)
{
	json_object *obj = json_object_new_object();
	add_text(obj, "title", a->title);
	add_text(obj, "excerpt", a->excerpt);
	add_text(obj, "url", a->web_url ? a->web_url : a->original_url);
	add_text(obj, "path", path);
	if (a->provider.name || a->provider.domain) {
		json_object *p = json_object_new_object();
		json_object_object_add(obj, "provider", p);
		add_text(p, "name", a->provider.name);
		add_text(p, "domain", a->provider.domain);
	}
	char date[21];
	if (a->published_at.present)
		add_text(obj, "date",
			 ni_format_iso8601(a->published_at.epoch, date));
	if (a->quality.present)
		json_object_object_add(
			obj, "quality",
			json_object_new_double(a->quality.value));
	if (a->published.present)
		json_object_object_add(
			obj, "published",
			json_object_new_boolean(a->published.value));
	json_object *topics = json_object_new_array();
	json_object_object_add(obj, "topics", topics);
	for (size_t i = 0; i < a->n_topics; i++)
		json_object_array_add(topics,
				      json_object_new_string(a->topics[i]));
	add_text(obj, "category", a->category);
	add_text(obj, "type", a->type);
	add_text(obj, "related_of", related_of);
	if (a->n_images) {
		json_object *image = json_object_new_object();
		json_object_object_add(obj, "image", image);
		add_text(image, "url", a->images[0].url);
		if (a->images[0].width > 0)
			json_object_object_add(
				image, "width",
				json_object_new_int64(a->images[0].width));
		if (a->images[0].height > 0)
			json_object_object_add(
				image, "height",
				json_object_new_int64(a->images[0].height));
	}
	char *text = strdup(json_object_to_json_string_ext(
		obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
	return text;
}

/* The encoder's bytes are json-c's for `a`. */
static void expect_json_c_bytes(const struct ni_article *a, const char *path,
				const char *related_of)
{
	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_docdata_encode(a, path, related_of, &buf), NI_OK);
	char *want = json_c_encoding(a, path, related_of);
	assert_string_equal(buf.data, want);
	free(want);
	ni_buf_release(&buf);
}

static void test_bytes_are_json_cs(void **state)
{
	(void)state;
	/* Every byte but NUL, in text of every field. */
	char every[256];
	for (int i = 1; i < 256; i++)
		every[i - 1] = (char)i;
	every[255] = '\0';
	char *topics[] = {every, "", "AI"};
	struct ni_image images[] = {{.url = every, .width = 1,
				     .height = INT64_MAX}};
	struct ni_article a = {0};
	a.title = a.excerpt = a.web_url = a.category = a.type = every;
	a.provider.name = a.provider.domain = every;
	a.topics = topics;
	a.n_topics = 3;
	a.images = images;
	a.n_images = 1;
	a.published_at = (struct ni_opt_time){true, -62135596800};
	a.published = (struct ni_opt_bool){true, true};
	a.quality = (struct ni_opt_double){true, 45};
	expect_json_c_bytes(&a, every, every);
	/* Numbers as json-c writes doubles and whole numbers. */
	const double qualities[] = {0, 1, 37, 100, 8.75, 0.1, 99.99999999999999,
				    1e-5, 1e-300, 5e-324, 12345678.5,
				    -0.0, -1, 999999999999999, 1e15,
				    9007199254740993.0, 1e16, 1e17,
				    123456789012345680.0, 1e300};
	for (size_t i = 0; i < sizeof qualities / sizeof *qualities; i++) {
		a.quality.value = qualities[i];
		expect_json_c_bytes(&a, "/p", NULL);
	}
	/* Sizes not given, a first image without a URL, no topics. */
	images[0] = (struct ni_image){.url = NULL, .width = 0,
				      .height = -3};
	a.n_topics = 0;
	expect_json_c_bytes(&a, "/p", NULL);
	/* Each optional part alone. */
	struct ni_article none = {0};
	expect_json_c_bytes(&none, "/p", NULL);
	none.provider.domain = "example.com";
	expect_json_c_bytes(&none, "/p", NULL);
	none = (struct ni_article){0};
	none.published = (struct ni_opt_bool){true, false};
	expect_json_c_bytes(&none, "/p", "key");
}

/* Random articles: random text, numbers and parts present or not. */
static void test_random_articles_are_json_cs_bytes(void **state)
{
	(void)state;
	srand(19);
	char text[8][40];
	for (int round = 0; round < 2000; round++) {
		for (int t = 0; t < 8; t++) {
			int len = rand() % 40;
			for (int i = 0; i < len; i++) {
				/* Mostly printable, some of everything. */
				int c = rand() % 4 ? 0x20 + rand() % 95
						   : 1 + rand() % 255;
				text[t][i] = (char)c;
			}
			text[t][len] = '\0';
		}
		char *topics[] = {text[6], text[7]};
		struct ni_image image = {.url = rand() % 2 ? text[5] : NULL,
					 .width = rand() % 3 - 1,
					 .height = rand()};
		struct ni_article a = {0};
		a.title = rand() % 4 ? text[0] : NULL;
		a.excerpt = rand() % 4 ? text[1] : NULL;
		a.original_url = rand() % 2 ? text[2] : NULL;
		a.provider.name = rand() % 2 ? text[3] : NULL;
		a.provider.domain = rand() % 2 ? text[4] : NULL;
		a.topics = topics;
		a.n_topics = (size_t)(rand() % 3);
		a.images = &image;
		a.n_images = (size_t)(rand() % 2);
		a.quality = (struct ni_opt_double){rand() % 2,
			rand() % 2 ? rand() % 101
				   : ldexp(rand(), -(rand() % 40))};
		a.published = (struct ni_opt_bool){rand() % 2, rand() % 2};
		a.published_at = (struct ni_opt_time){rand() % 2, rand()};
		expect_json_c_bytes(&a, text[rand() % 8],
				    rand() % 2 ? text[rand() % 8] : NULL);
	}
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
		cmocka_unit_test(test_bytes_are_json_cs),
		cmocka_unit_test(test_random_articles_are_json_cs_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
