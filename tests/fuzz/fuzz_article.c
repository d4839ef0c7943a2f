/*
 * fuzz_article.c - the front-matter parser (ni_article.h) on any bytes.
 *
 * The input is a whole article file: ni_article_parse() must either
 * give an article whose every string can be read to its NUL, whose
 * counts match its arrays and whose date is the one its text says, or
 * refuse it with a place and a message and leave the article empty.
 * Messages quote the file, and must not cut its characters in two.
 * Short inputs also go to ni_parse_iso8601() alone, whose answers must
 * survive a trip through ni_format_iso8601().
 */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "ni_article.h"
#include "ni_dates.h"

/* The instants ni_format_iso8601() clamps to. */
static int64_t first_second, last_second;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_CHECK(ni_parse_iso8601("0000-01-01T00:00:00Z", &first_second));
	FUZZ_CHECK(ni_parse_iso8601("9999-12-31T23:59:59Z", &last_second));
	return 0;
}

/* Reading every byte of a string is the check: ASan sees an overrun. */
static void check_string(const char *s)
{
	if (s)
		FUZZ_CHECK(strlen(s) < SIZE_MAX);
}

/*
 * A parsed date formats to a date that parses again to the same second,
 * unless it lies beyond the years the format clamps to.
 */
static void check_date_round_trip(int64_t epoch)
{
	char text[21];
	int64_t again;
	ni_format_iso8601(epoch, text);
	FUZZ_CHECK(ni_parse_iso8601(text, &again));
	if (epoch >= first_second && epoch <= last_second)
		FUZZ_CHECK(again == epoch);
	else
		FUZZ_CHECK(again == first_second || again == last_second);
}

static void check_date(const char *text, struct ni_opt_time at)
{
	int64_t epoch;
	if (!at.present)
		return;
	FUZZ_CHECK(text != NULL);
	FUZZ_CHECK(ni_parse_iso8601(text, &epoch) && epoch == at.epoch);
	check_date_round_trip(epoch);
}

static void check_quality(struct ni_opt_double q)
{
	if (q.present)
		FUZZ_CHECK(q.value >= 0 && q.value <= 100);
}

static void check_images(const struct ni_image *images, size_t n)
{
	FUZZ_CHECK(n == 0 || images != NULL);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(images[i].url != NULL);
		check_string(images[i].url);
	}
}

static void check_related(const struct ni_related *r)
{
	check_string(r->title);
	check_string(r->excerpt);
	check_string(r->web_url);
	check_string(r->original_url);
	check_string(r->type);
	check_string(r->provider.name);
	check_string(r->provider.domain);
	check_date(r->published_date_time, r->published_at);
	check_quality(r->quality);
	check_images(r->images, r->n_images);
}

static void check_article(const struct ni_article *a)
{
	check_string(a->title);
	check_string(a->excerpt);
	check_string(a->category);
	check_string(a->type);
	check_string(a->original_url);
	check_string(a->web_url);
	check_string(a->provider.name);
	check_string(a->provider.domain);
	check_date(a->published_date_time, a->published_at);
	check_quality(a->quality);
	FUZZ_CHECK(a->n_topics == 0 || a->topics != NULL);
	for (size_t i = 0; i < a->n_topics; i++) {
		FUZZ_CHECK(a->topics[i] != NULL);
		check_string(a->topics[i]);
	}
	check_images(a->images, a->n_images);
	FUZZ_CHECK(a->n_related == 0 || a->related != NULL);
	for (size_t i = 0; i < a->n_related; i++)
		check_related(&a->related[i]);
	FUZZ_CHECK(a->n_warnings <= NI_ARTICLE_MAX_WARNINGS);
	FUZZ_CHECK(a->n_warnings_dropped == 0 ||
		   a->n_warnings == NI_ARTICLE_MAX_WARNINGS);
	for (size_t i = 0; i < a->n_warnings; i++) {
		const char *m = a->warnings[i].message;
		FUZZ_CHECK(m != NULL && m[0] != '\0');
		/* It quotes the file, which libyaml read as valid UTF-8. */
		FUZZ_CHECK(fuzz_valid_utf8(m, strlen(m)));
	}
}

static bool is_empty(const struct ni_article *a)
{
	return !a->title && !a->excerpt && !a->category && !a->type &&
	       !a->published_date_time && !a->original_url && !a->web_url &&
	       !a->provider.name && !a->provider.domain && !a->topics &&
	       !a->n_topics && !a->images && !a->n_images && !a->related &&
	       !a->n_related && !a->warnings && !a->n_warnings &&
	       !a->n_warnings_dropped && !a->quality.present &&
	       !a->published_at.present && !a->published.present;
}

/* A short input, as a string, is also a date to parse. */
static void fuzz_date(const uint8_t *data, size_t size)
{
	char text[64];
	int64_t epoch;
	if (size == 0 || size >= sizeof(text))
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ni_parse_iso8601(text, &epoch))
		check_date_round_trip(epoch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ni_article article;
	struct ni_parse_error err;
	memset(&article, 0x5a, sizeof(article));
	ni_status st = ni_article_parse((const char *)data, size, &article,
					&err);
	if (st == NI_OK) {
		check_article(&article);
	} else {
		FUZZ_CHECK(st == NI_EPARSE);
		FUZZ_CHECK(is_empty(&article));
		FUZZ_CHECK(memchr(err.message, '\0', sizeof(err.message)));
		FUZZ_CHECK(err.message[0] != '\0');
		if (fuzz_valid_utf8((const char *)data, size))
			FUZZ_CHECK(fuzz_valid_utf8(err.message,
						   strlen(err.message)));
	}
	ni_article_clear(&article);
	fuzz_date(data, size);
	return 0;
}
