/*
 * Tests of the Atom feed's writer (query/atom.c): that nothing from an
 * article or the query escapes its XML context, that nothing XML 1.0
 * refuses (C0 controls, U+FFFE, U+FFFF, ill-formed UTF-8) and no
 * control that reorders text reaches the feed, and the feed's and each
 * entry's parts: ids, links only for http(s), dates, authors,
 * categories, thumbnails from https.  Results are made by hand; no
 * index is opened (tests/http/feed.py reads real feeds with an XML
 * parser).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "atom.h"
#include "helpers.h"
#include "ni_control.h"

#define FEED_ID "urn:uuid:00000000-0000-5000-8000-000000000000"

static struct ni_result dated(const char *title, const char *url,
			      int64_t epoch)
{
	struct ni_result h = {.all_words = true};
	h.doc.title = (char *)title;
	h.doc.url = (char *)url;
	h.doc.date.present = true;
	h.doc.date.epoch = epoch;
	return h;
}

static struct ni_results results_of(struct ni_result *hits, size_t n)
{
	struct ni_results r = {.hits = hits, .n_hits = n, .total = n,
			       .total_exact = true, .stories = n,
			       .stories_exact = true};
	return r;
}

static struct atom_feed feed_of(const char *query)
{
	struct atom_feed f = {.query = query, .id = FEED_ID, .base = "",
			      .limit = ATOM_DEFAULT_LIMIT,
			      .thumbnails = true};
	return f;
}

/* The feed, in memory the caller frees. */
static char *write_feed(const struct atom_feed *f, struct ni_result *hits,
			size_t n)
{
	struct ni_results r = results_of(hits, n);
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	assert_true(atom_write(out, f, &r));
	assert_int_equal(fclose(out), 0);
	assert_int_equal(strlen(text), len);  /* no NUL inside */
	return text;
}

static char *one_entry(struct ni_result h)
{
	struct atom_feed f = feed_of("zebrafish");
	return write_feed(&f, &h, 1);
}

/*
 * What XML 1.0 refuses is nowhere: a C0 control but tab, newline and
 * carriage return, U+FFFE, U+FFFF, a byte that is not UTF-8; nor a
 * control that reorders text (ni_is_bidi_control()).
 */
static void assert_xml_chars(const char *text)
{
	int32_t i = 0, len = (int32_t)strlen(text);
	while (i < len) {
		int32_t at = i;
		UChar32 c;
		U8_NEXT(text, i, len, c);
		if (c < 0 || (c < 0x20 && c != '\t' && c != '\n' &&
			      c != '\r') || c == 0xfffe || c == 0xffff ||
		    ni_is_bidi_control(c))
			fail_msg("U+%04X (or not UTF-8) at: %.40s", (unsigned)c,
				 text + at);
	}
}

/* ---- the feed ------------------------------------------------------------ */

static void feed_parts(void **state)
{
	(void)state;
	struct ni_result hits[] = {
		dated("Newer", "https://a.example/1", 1700000000),
		dated("Older", "https://a.example/2", 1600000000),
	};
	struct atom_feed f = feed_of("oil prices");
	char *text = write_feed(&f, hits, 2);
	assert_true(!strncmp(text, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
			     "\n<feed xmlns=\"http://www.w3.org/2005/Atom\"",
			     75));
	assert_contains(text, "<id>" FEED_ID "</id>");
	assert_contains(text, "<title>\xe2\x80\x9coil prices\xe2\x80\x9d "
			"\xc2\xb7 newsindex</title>");
	/* The newest entry's date, not the time of writing. */
	assert_contains(text, "<updated>2023-11-14T22:13:20Z</updated>\n"
			"<link rel=\"self\"");
	assert_contains(text, "<link rel=\"self\" type=\"application/atom+xml\" "
			"href=\"feed?q=oil%20prices\"/>");
	assert_contains(text, "<link rel=\"alternate\" type=\"text/html\" "
			"href=\"search?q=oil%20prices&amp;sort=date\"/>");
	assert_contains(text, "<author><name>newsindex</name></author>");
	assert_contains(text, "<generator version=\"");
	assert_true(strstr(text, "Newer") < strstr(text, "Older"));
	assert_true(!strcmp(text + strlen(text) - 8, "</feed>\n"));
	free(text);
}

/* No entry: an updated that never moves, so a reader sees no change. */
static void empty_feed(void **state)
{
	(void)state;
	struct atom_feed f = feed_of("nothing");
	char *text = write_feed(&f, NULL, 0);
	assert_contains(text, "<updated>1970-01-01T00:00:00Z</updated>");
	assert_lacks(text, "<entry>");
	free(text);
}

/* Links keep lang, all and a limit not the default; an absolute base. */
static void links(void **state)
{
	(void)state;
	struct atom_feed f = feed_of("a&b \"c\" <d>");
	f.lang = "de";
	f.all = true;
	f.limit = 50;
	f.base = "https://news.example.org/n/";
	char *text = write_feed(&f, NULL, 0);
	assert_contains(text, "href=\"https://news.example.org/n/feed?"
			"q=a%26b%20%22c%22%20%3Cd%3E&amp;lang=de&amp;all=1"
			"&amp;limit=50\"");
	assert_contains(text, "href=\"https://news.example.org/n/search?"
			"q=a%26b%20%22c%22%20%3Cd%3E&amp;sort=date&amp;"
			"lang=de&amp;all=1\"");
	assert_contains(text, "<title>\xe2\x80\x9c" "a&amp;b &quot;c&quot; "
			"&lt;d&gt;\xe2\x80\x9d");
	free(text);
	/* No base: no self or alternate link (a file without a home). */
	f.base = NULL;
	text = write_feed(&f, NULL, 0);
	assert_lacks(text, "<link");
	free(text);
}

/* ---- entries ------------------------------------------------------------- */

static void entry_parts(void **state)
{
	(void)state;
	struct ni_result h = dated("Title", "https://a.example/x?a=1&b=2",
				   1639390920);
	char *topics[] = {"AI", "", "Trade & <Law>"};
	h.doc.topics = topics;
	h.doc.n_topics = 3;
	h.doc.provider_name = "TheStreet.com";
	h.doc.excerpt = "An excerpt.";
	h.doc.image.url = "https://img.example/a.jpg";
	h.doc.image.width = 800;
	h.doc.image.height = 450;
	char *text = one_entry(h);
	assert_contains(text, "<entry>\n<id>https://a.example/x?a=1&amp;b=2"
			"</id>\n<title>Title</title>\n<link rel=\"alternate\" "
			"href=\"https://a.example/x?a=1&amp;b=2\"/>\n"
			"<published>2021-12-13T10:22:00Z</published>\n"
			"<updated>2021-12-13T10:22:00Z</updated>\n"
			"<author><name>TheStreet.com</name></author>\n"
			"<category term=\"AI\"/>\n"
			"<category term=\"Trade &amp; &lt;Law&gt;\"/>\n"
			"<summary>An excerpt.</summary>\n"
			"<media:thumbnail url=\"https://img.example/a.jpg\" "
			"width=\"800\" height=\"450\"/>\n</entry>");
	assert_lacks(text, "term=\"\"");
	assert_lacks(text, "xml:lang");
	free(text);
	/* The article's language, from its lang key. */
	h.doc.lang = "zh-Hant";
	text = one_entry(h);
	assert_contains(text, "<entry xml:lang=\"zh-Hant\">\n<id>");
	free(text);
}

/* No provider name: the domain; neither: the feed's author stands. */
static void authors(void **state)
{
	(void)state;
	struct ni_result h = dated("T", "https://a.example/", 1);
	h.doc.provider_domain = "a.example";
	char *text = one_entry(h);
	assert_contains(text, "<author><name>a.example</name></author>");
	free(text);
	h.doc.provider_domain = NULL;
	h.doc.provider_name = "";
	text = one_entry(h);
	assert_true(strstr(text, "<author>") ==
		    strstr(text, "<author><name>newsindex</name>"));
	assert_lacks(strstr(text, "<entry>"), "<author>");
	free(text);
}

/* An article without a date is no entry, and dates no feed. */
static void undated(void **state)
{
	(void)state;
	struct ni_result hits[] = {
		dated("Dated", "https://a.example/1", 86400),
		dated("Undated zqx", "https://a.example/2", 0),
	};
	hits[1].doc.date.present = false;
	struct atom_feed f = feed_of("q");
	char *text = write_feed(&f, hits, 2);
	assert_lacks(text, "Undated zqx");
	assert_contains(text, "<updated>1970-01-02T00:00:00Z</updated>");
	free(text);
	text = write_feed(&f, hits + 1, 1);
	assert_lacks(text, "<entry>");
	assert_contains(text, "<updated>1970-01-01T00:00:00Z</updated>");
	free(text);
}

/*
 * Only an http(s) URL is a link; an entry without one has its excerpt
 * as content (RFC 4287 asks content of an entry without a link), and
 * an id made from its key, never the key itself (a file's path).
 */
static void no_link(void **state)
{
	(void)state;
	const char *urls[] = {
		"javascript:alert(1)", "data:text/html,<script>x</script>",
		"ftp://a.example/x", " https://a.example/", NULL,
		"https://a.example/with space", "https://a.example/\x1b[31m",
	};
	for (size_t i = 0; i < sizeof urls / sizeof *urls; i++) {
		struct ni_result h = dated("T", urls[i], 0);
		h.doc.path = "/home/me/news/secret.txt";
		h.doc.excerpt = "Zqx excerpt.";
		char *text = one_entry(h);
		assert_lacks(text, "<link rel=\"alternate\" href");
		assert_lacks(text, "javascript:");
		assert_lacks(text, "data:");
		assert_lacks(text, "secret");
		assert_contains(text, "<entry>\n<id>urn:uuid:");
		assert_contains(text, "<content>Zqx excerpt.</content>");
		assert_lacks(text, "<summary>");
		assert_xml_chars(text);
		free(text);
	}
	/* No excerpt either: empty content, still there. */
	struct ni_result h = dated("T", NULL, 0);
	h.doc.path = "/x.txt";
	char *text = one_entry(h);
	assert_contains(text, "<content></content>");
	free(text);
}

/*
 * The URL is the id when it can stand as an IRI; else (characters an
 * IRI cannot hold, a bidi control) a UUID: a link still, escaped.
 */
static void ids(void **state)
{
	(void)state;
	struct ni_result h = dated("T", "https://a.example/a|b{c}", 0);
	char *text = one_entry(h);
	assert_contains(text, "<entry>\n<id>urn:uuid:");
	assert_contains(text, "href=\"https://a.example/a|b{c}\"");
	free(text);
	h = dated("T", "https://a.example/\xe2\x80\xae" "evil", 0);
	text = one_entry(h);
	assert_contains(text, "<entry>\n<id>urn:uuid:");
	assert_xml_chars(text);
	free(text);
	h = dated("T", "https://a.example/caf\xc3\xa9", 0);
	text = one_entry(h);
	assert_contains(text, "<id>https://a.example/caf\xc3\xa9</id>");
	free(text);
}

/* The ids depend on what they are of, and on nothing else. */
static void stable_ids(void **state)
{
	(void)state;
	char a[ATOM_ID_SIZE], b[ATOM_ID_SIZE];
	atom_feed_id("oil prices", "english", false, a);
	atom_feed_id("oil prices", "english", false, b);
	assert_string_equal(a, b);
	/* A UUID of version 5 and RFC 9562's variant. */
	assert_int_equal(strlen(a), ATOM_ID_SIZE - 1);
	assert_true(!strncmp(a, "urn:uuid:", 9));
	assert_int_equal(a[9 + 14], '5');
	assert_non_null(strchr("89ab", a[9 + 19]));
	atom_feed_id("oil prices", "german", false, b);
	assert_string_not_equal(a, b);
	atom_feed_id("oil prices", "english", true, b);
	assert_string_not_equal(a, b);
	atom_feed_id("oil price", "english", false, b);
	assert_string_not_equal(a, b);
	/* Parts do not run into each other. */
	atom_feed_id("oil pricesenglish", "", false, b);
	assert_string_not_equal(a, b);
	/* Known values: a change here changes every reader's feed. */
	atom_feed_id("sanctions", "english", false, a);
	assert_string_equal(a, "urn:uuid:d865c781-0811-564f-85cf-494e290ef39b");
}

/*
 * Hostile text in every field: markup, C0 controls, DEL and C1, U+FFFE,
 * U+FFFF, ill-formed UTF-8, bidi controls.  Escaped, replaced by
 * U+FFFD, or left out (bidi), never as they were.
 */
static void hostile_text(void **state)
{
	(void)state;
	static const char hostile[] =
		"<script>&x;</script>\"'\x01\x08\x0b\x0c\x1b[31m\x7f"
		"\xc2\x9b\xef\xbf\xbe\xef\xbf\xbf\xff\xc3(\xed\xa0\x80"
		"\xe2\x80\xaeRLO\xe2\x81\xa6LRI\xe2\x81\xa9 ]]> tab\tline\n";
	struct ni_result h = dated(hostile, "https://a.example/ok", 0);
	char *topics[] = {(char *)hostile};
	h.doc.topics = topics;
	h.doc.n_topics = 1;
	h.doc.provider_name = (char *)hostile;
	h.doc.excerpt = (char *)hostile;
	struct atom_feed f = feed_of(hostile);
	char *text = write_feed(&f, &h, 1);
	assert_xml_chars(text);
	assert_lacks(text, "<script");
	assert_lacks(text, "&x;");
	assert_contains(text, "<title>&lt;script&gt;&amp;x;&lt;/script&gt;"
			"&quot;&#39;\xef\xbf\xbd");
	assert_contains(text, "RLOLRI ]]&gt; tab line </title>");
	assert_contains(text, "<category term=\"&lt;script&gt;");
	assert_contains(text, "<summary>&lt;script&gt;");
	assert_contains(text, "<author><name>&lt;script&gt;");
	free(text);
}

/* Images from https only, and none when thumbnails are off. */
static void thumbnails(void **state)
{
	(void)state;
	const char *bad[] = {"http://a.example/i.jpg", "javascript:x",
			     "data:image/png;base64,AAAA"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct ni_result h = dated("T", "https://a.example/", 0);
		h.doc.image.url = (char *)bad[i];
		char *text = one_entry(h);
		assert_lacks(text, "media:thumbnail");
		free(text);
	}
	struct ni_result h = dated("T", "https://a.example/", 0);
	h.doc.image.url = "https://a.example/i.jpg";
	struct atom_feed f = feed_of("q");
	f.thumbnails = false;
	char *text = write_feed(&f, &h, 1);
	assert_lacks(text, "media:thumbnail url");
	free(text);
	/* No size given: no size written. */
	char *one = one_entry(h);
	assert_contains(one, "<media:thumbnail url=\"https://a.example/i.jpg\""
			"/>");
	free(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(feed_parts),
		cmocka_unit_test(empty_feed),
		cmocka_unit_test(links),
		cmocka_unit_test(entry_parts),
		cmocka_unit_test(authors),
		cmocka_unit_test(undated),
		cmocka_unit_test(no_link),
		cmocka_unit_test(ids),
		cmocka_unit_test(stable_ids),
		cmocka_unit_test(hostile_text),
		cmocka_unit_test(thumbnails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
