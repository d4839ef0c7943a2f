/*
 * Unit tests for lib/files/article.c: front matter framing, field parsing,
 * warnings, errors with their positions, YAML bombs.  Fixture files are
 * read from $NI_TEST_FIXTURES/articles/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ni_article.h"
#include "ni_buf.h"

/* ---- helpers ---------------------------------------------------------- */

static char *read_fixture(const char *name, size_t *len)
{
	const char *dir = getenv("NI_TEST_FIXTURES");
	char path[4096];
	if (!dir)
		fail_msg("NI_TEST_FIXTURES is not set");
	snprintf(path, sizeof path, "%s/articles/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture '%s'", path);
	struct ni_buf buf = NI_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		assert_int_equal(ni_buf_add(&buf, chunk, n), NI_OK);
	fclose(f);
	*len = buf.len;
	return ni_buf_detach(&buf);
}


static void parse_ok_len(const char *text, size_t len, struct ni_article *a)
{
	struct ni_parse_error err = {0};
	memset(a, 0, sizeof *a);
	ni_status st = ni_article_parse(text, len, a, &err);
	if (st != NI_OK)
		fail_msg("parse failed (%d) at %u:%u: %s", st, err.line,
			 err.column, err.message);
}

static void parse_ok(const char *text, struct ni_article *a)
{
	parse_ok_len(text, strlen(text), a);
}

static void assert_all_zero(const void *mem, size_t size)
{
	const unsigned char *bytes = mem;
	for (size_t i = 0; i < size; i++)
		assert_int_equal(bytes[i], 0);
}

/* Parsing must fail with exactly this position and message. */
static void expect_error_len(const char *text, size_t len, unsigned line,
			     unsigned column, const char *message)
{
	struct ni_article a;
	struct ni_parse_error err;
	/* Garbage in *out shows that a failed parse really zeroes it. */
	memset(&a, 0xA5, sizeof a);
	memset(&err, 0xA5, sizeof err);
	assert_int_equal(ni_article_parse(text, len, &a, &err), NI_EPARSE);
	assert_string_equal(err.message, message);
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, column);
	assert_all_zero(&a, sizeof a);
}

static void expect_error(const char *text, unsigned line, unsigned column,
			 const char *message)
{
	expect_error_len(text, strlen(text), line, column, message);
}

static void assert_warning(const struct ni_article *a, size_t i,
			   unsigned line, unsigned column, const char *message)
{
	if (i >= a->n_warnings)
		fail_msg("no warning #%zu (want \"%s\")", i, message);
	assert_string_equal(a->warnings[i].message, message);
	assert_int_equal(a->warnings[i].line, line);
	assert_int_equal(a->warnings[i].column, column);
}

/* An article holding exactly one warning, at line/column. */
static void expect_one_warning(const char *text, unsigned line,
			       unsigned column, const char *message,
			       struct ni_article *a)
{
	parse_ok(text, a);
	assert_int_equal(a->n_warnings, 1);
	assert_warning(a, 0, line, column, message);
}

static char *repeat_between(const char *head, const char *unit, size_t n,
			    const char *unit2, size_t n2, const char *tail)
{
	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_buf_adds(&buf, head), NI_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(ni_buf_adds(&buf, unit), NI_OK);
	for (size_t i = 0; i < n2; i++)
		assert_int_equal(ni_buf_adds(&buf, unit2), NI_OK);
	assert_int_equal(ni_buf_adds(&buf, tail), NI_OK);
	return ni_buf_detach(&buf);
}

/* `a: [[[...]]]` with `levels` brackets under the root mapping. */
static char *nested_brackets(size_t levels)
{
	return repeat_between("---\na: ", "[", levels, "]", levels,
			      "\ntitle: t\n---\n");
}

/* ---- the seed article ------------------------------------------------- */

static bool contains(const char *s, const char *needle)
{
	return s && strstr(s, needle);
}

/* `secured` must not have leaked into any string of the article. */
static void assert_no_secret(const struct ni_article *a, const char *secret)
{
	const char *fields[] = {
		a->title, a->excerpt, a->category, a->type,
		a->published_date_time, a->original_url, a->web_url,
		a->provider.name, a->provider.domain,
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		assert_false(contains(fields[i], secret));
	for (size_t i = 0; i < a->n_topics; i++)
		assert_false(contains(a->topics[i], secret));
	for (size_t i = 0; i < a->n_related; i++) {
		assert_false(contains(a->related[i].title, secret));
		assert_false(contains(a->related[i].excerpt, secret));
	}
}

static void check_seed(const struct ni_article *a)
{
	assert_string_equal(a->title, "AI Developer SenseTime Pulls Stock "
			    "Sale Due to U.S. Sanctions");
	assert_string_equal(a->excerpt, "The Hong Kong-based company "
			    "SenseTime protests its inclusion on a U.S. "
			    "sanctions list for supplying AI software to the "
			    "Chinese surveillance state.");
	assert_string_equal(a->category, "news");
	assert_string_equal(a->type, "article");
	assert_string_equal(a->published_date_time, "2021-12-13T10:22:00Z");
	assert_true(a->published_at.present);
	assert_int_equal(a->published_at.epoch, 1639390920);
	const char *url = "https://realmoney.thestreet.com/investing/"
		"global-equity/ai-developer-sensetime-pulls-stock-sale-due-"
		"to-u-s-sanctions-15858865";
	assert_string_equal(a->original_url, url);
	assert_string_equal(a->web_url, url);
	assert_true(a->quality.present);
	assert_true(a->quality.value == 37.0);
	assert_true(a->heat.present);
	assert_true(a->heat.value == -1.0);
	assert_true(a->published.present);
	assert_false(a->published.value);
	assert_string_equal(a->provider.name, "TheStreet.com");
	assert_string_equal(a->provider.domain, "thestreet.com");

	assert_int_equal(a->n_topics, 1);
	assert_string_equal(a->topics[0], "AI");

	assert_int_equal(a->n_images, 1);
	assert_string_equal(a->images[0].url, "http://s.thestreet.com/files/"
			    "tsc/v2008/photos/contrib/uploads/509c96e5-3901-"
			    "11e8-903c-f93462b03a68.png");
	assert_int_equal(a->images[0].width, 1152);
	assert_int_equal(a->images[0].height, 768);
	assert_true(a->images[0].is_cached);

	assert_int_equal(a->n_related, 2);
	const struct ni_related *r = &a->related[0];
	assert_string_equal(r->title, "SoftBank unit spreads SenseTime "
			    "facial recognition tech in Japan");
	assert_true(contains(r->excerpt, "quietly on the rise in Japan"));
	assert_string_equal(r->published_date_time, "2021-12-15T07:38:00Z");
	assert_true(r->published_at.present);
	assert_int_equal(r->published_at.epoch, 1639553880);
	assert_string_equal(r->web_url, "https://asia.nikkei.com/Business/"
			    "SoftBank2/SoftBank-unit-spreads-SenseTime-"
			    "facial-recognition-tech-in-Japan");
	assert_null(r->original_url);
	assert_string_equal(r->type, "article");
	assert_string_equal(r->provider.name, "NIKKEI");
	assert_string_equal(r->provider.domain, "nikkei.com");
	assert_true(r->quality.present);
	assert_true(r->quality.value == 39.0);
	assert_int_equal(r->n_images, 1);
	assert_true(contains(r->images[0].url, "MYK_6146re.jpg"));
	assert_int_equal(r->images[0].width, 1024);
	assert_int_equal(r->images[0].height, 512);
	assert_true(r->images[0].is_cached);

	r = &a->related[1];
	assert_string_equal(r->title, "Tag: Facial recognition tech");
	assert_true(contains(r->excerpt, "At NationofChange, our mission"));
	assert_int_equal(r->published_at.epoch, 1639751400);
	assert_string_equal(r->web_url, "https://www.nationofchange.org/"
			    "topics/facial-recognition-tech/");
	assert_string_equal(r->provider.name, "NationofChange");
	assert_string_equal(r->provider.domain, "nationofchange.org");
	assert_true(r->quality.value == 39.0);
	assert_int_equal(r->n_images, 1);
	assert_int_equal(r->images[0].width, 291);
	assert_int_equal(r->images[0].height, 291);

	assert_int_equal(a->n_warnings, 0);
	assert_null(a->warnings);
	assert_int_equal(a->n_warnings_dropped, 0);
	assert_no_secret(a, "Ez9hEoPuZPRb4tqE0dA");
}

static void test_seed_article(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("seed.txt", &len);
	struct ni_article a;
	parse_ok_len(text, len, &a);
	check_seed(&a);
	ni_article_clear(&a);
	assert_all_zero(&a, sizeof a);
	free(text);
}

static void test_bom(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("seed.txt", &len);
	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_buf_adds(&buf, "\xEF\xBB\xBF"), NI_OK);
	assert_int_equal(ni_buf_add(&buf, text, len), NI_OK);
	struct ni_article a;
	parse_ok_len(buf.data, buf.len, &a);
	check_seed(&a);
	ni_article_clear(&a);
	/* The BOM does not shift lines or columns. */
	expect_error("\xEF\xBB\xBF---\ntitle: a\n  b: c\n---\n", 3, 4,
		     "mapping values are not allowed in this context");
	ni_buf_release(&buf);
	free(text);
}

static void test_crlf(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("seed.txt", &len);
	struct ni_buf buf = NI_BUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n')
			assert_int_equal(ni_buf_addch(&buf, '\r'), NI_OK);
		assert_int_equal(ni_buf_addch(&buf, text[i]), NI_OK);
	}
	struct ni_article a;
	parse_ok_len(buf.data, buf.len, &a);
	check_seed(&a);  /* no stray '\r' at the end of any value */
	ni_article_clear(&a);
	expect_error("---\r\ntitle: a\r\nx: [1,\r\n---\r\n", 4, 1,
		     "did not find expected node content while parsing a "
		     "flow node");
	ni_buf_release(&buf);
	free(text);
}

static void add_unit(struct ni_buf *buf, uint32_t unit, int width, int big)
{
	for (int i = 0; i < width; i++) {
		int shift = 8 * (big ? width - 1 - i : i);
		assert_int_equal(ni_buf_addch(buf, (char)(unit >> shift)),
				 NI_OK);
	}
}

static void add_code_point(struct ni_buf *buf, uint32_t cp, int width,
			   int big)
{
	if (width == 2 && cp > 0xFFFF) {
		add_unit(buf, 0xD800 + ((cp - 0x10000) >> 10), 2, big);
		add_unit(buf, 0xDC00 + ((cp - 0x10000) & 0x3FF), 2, big);
	} else {
		add_unit(buf, cp, width, big);
	}
}

/*
 * Jekyll's and Hugo's front matter write long values as block scalars,
 * which end in a line break: values are read without the blanks and
 * line breaks around them, and keep those within.
 */
static void test_values_trimmed(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\ntitle: >\n  A long folded\n  title\n"
		 "excerpt: |\n  First paragraph.\n\n  Second one.\n\n"
		 "webUrl: \" https://example.com/x\\t\"\n"
		 "topics: [\"  spaced  \", \"\\r\\nAI\"]\n"
		 "provider: {name: \"Wire \\n\"}\n---\n", &a);
	assert_int_equal(a.n_topics, 2);
	assert_string_equal(a.topics[0], "spaced");
	assert_string_equal(a.topics[1], "AI");
	assert_string_equal(a.title, "A long folded title");
	assert_string_equal(a.excerpt, "First paragraph.\n\nSecond one.");
	assert_string_equal(a.web_url, "https://example.com/x");
	assert_string_equal(a.provider.name, "Wire");
	ni_article_clear(&a);
}

/* Lines ended by CR alone (classic Mac OS, some exports): as libyaml
 * reads them, and placed on the lines an editor shows. */
static void test_lone_cr(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("seed.txt", &len);
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			text[i] = '\r';
	struct ni_article a;
	parse_ok_len(text, len, &a);
	check_seed(&a);
	ni_article_clear(&a);
	free(text);
	parse_ok("---\rtitle: Closed by dots\r...\rbody\r", &a);
	assert_string_equal(a.title, "Closed by dots");
	ni_article_clear(&a);
	/* Places count a CR alone as a line's end, and CRLF as one. */
	static const char *const cr_ends[] = {"\r", "\r\n"};
	for (size_t i = 0; i < 2; i++) {
		const char *e = cr_ends[i];
		char text[96];
		snprintf(text, sizeof text, "---%stitle: a%s  b: c%s---%s", e,
			 e, e, e);
		expect_error(text, 3, 4, "mapping values are not allowed in "
			     "this context");
		snprintf(text, sizeof text, "---%sx: ok%sy: caf\xff%s---%s", e,
			 e, e, e);
		expect_error(text, 3, 7, "invalid UTF-8 (byte 0xff): file "
			     "skipped, not repaired; save it as UTF-8");
	}
	expect_error("---\rtitle: a\r", 1, 1,
		     "front matter is not closed by a --- line");
}

/*
 * `ascii` in `width` bytes a unit (UTF-16 or UTF-32), big-endian or
 * not, after that encoding's byte order mark, each '@' replaced by the
 * next of the code points `cps`: what Windows tools save.
 */
static void encode_wide(struct ni_buf *buf, const char *ascii, size_t len,
			const uint32_t *cps, int width, int big)
{
	add_code_point(buf, 0xFEFF, width, big);
	for (size_t i = 0; i < len; i++)
		add_code_point(buf, ascii[i] == '@' ? *cps++
						    : (uint8_t)ascii[i],
			       width, big);
}

static void test_utf16_and_utf32(void **state)
{
	(void)state;
	size_t len;
	char *seed = read_fixture("seed.txt", &len);
	static const struct { int width, big; } forms[] = {
		{2, 0}, {2, 1}, {4, 0}, {4, 1},
	};
	for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
		struct ni_buf buf = NI_BUF_INIT;
		struct ni_article a;
		encode_wide(&buf, seed, len, NULL, forms[f].width,
			    forms[f].big);
		parse_ok_len(buf.data, buf.len, &a);
		check_seed(&a);
		ni_article_clear(&a);
		/* Letters past ASCII and past the BMP come out as UTF-8. */
		static const char text[] = "---\ntitle: caf@ @\n---\n";
		static const uint32_t cps[] = {0xE9, 0x1F600};
		buf.len = 0;
		encode_wide(&buf, text, sizeof text - 1, cps, forms[f].width,
			    forms[f].big);
		parse_ok_len(buf.data, buf.len, &a);
		assert_string_equal(a.title, "caf\xc3\xa9 \xf0\x9f\x98\x80");
		ni_article_clear(&a);
		/* Lines and columns are the text's, as in UTF-8. */
		static const char bad[] = "---\ntitle: a\n  b: c\n---\n";
		buf.len = 0;
		encode_wide(&buf, bad, sizeof bad - 1, NULL, forms[f].width,
			    forms[f].big);
		expect_error_len(buf.data, buf.len, 3, 4,
				 "mapping values are not allowed in this "
				 "context");
		ni_buf_release(&buf);
	}
	free(seed);
	/* A lone surrogate, or a unit cut short: refused, not repaired. */
	static const char lone[] = "\xFF\xFE-\0-\0-\0\n\0\x00\xD8\n\0";
	expect_error_len(lone, sizeof lone - 1, 0, 0,
			 "invalid UTF-16LE (a lone surrogate or a cut "
			 "character, after its byte order mark): file skipped, "
			 "not repaired; save it as UTF-8");
	static const char cut[] = "\xFE\xFF\0-\0-\0-\0\n\0";
	expect_error_len(cut, sizeof cut - 1, 0, 0,
			 "invalid UTF-16BE (a lone surrogate or a cut "
			 "character, after its byte order mark): file skipped, "
			 "not repaired; save it as UTF-8");
	/* A byte order mark alone is an empty file. */
	expect_error_len("\xFF\xFE", 2, 0, 0, "empty file");
	/* UTF-16 without a mark is not guessed at: binary, for its NULs. */
	static const char unmarked[] = "-\0-\0-\0\n\0";
	expect_error_len(unmarked, sizeof unmarked - 1, 0, 0,
			 "binary data (a NUL byte at byte 2), not a text "
			 "file");
}

static void test_body_after_front_matter_ignored(void **state)
{
	(void)state;
	static const char text[] = "---\ntitle: Kept\n---\n"
		"body: [not yaml\n\xff\xfe binary \x01\0 here\n---\n...\n";
	struct ni_article a;
	parse_ok_len(text, sizeof text - 1, &a);
	assert_string_equal(a.title, "Kept");
	assert_int_equal(a.n_warnings, 0);
	ni_article_clear(&a);
}

static void test_closing_lines(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\ntitle: dots\n...\nbody\n", &a);
	assert_string_equal(a.title, "dots");
	ni_article_clear(&a);
	parse_ok("--- \t\r\ntitle: blanks\n--- \t \r\n", &a);
	assert_string_equal(a.title, "blanks");
	ni_article_clear(&a);
	/* No newline after the closing line, nor before the end. */
	parse_ok("---\ntitle: end\n---", &a);
	assert_string_equal(a.title, "end");
	ni_article_clear(&a);
	/* "----" and " ---" are YAML content, not the closing line. */
	parse_ok("---\nexcerpt: |\n  ----\n   ---\n---\n", &a);
	assert_string_equal(a.excerpt, "----\n ---");
	ni_article_clear(&a);
}

/* ---- errors ----------------------------------------------------------- */

static void test_error_empty_file(void **state)
{
	(void)state;
	expect_error("", 0, 0, "empty file");
	expect_error("\xEF\xBB\xBF", 0, 0, "empty file");
	struct ni_article a = {0};
	assert_int_equal(ni_article_parse(NULL, 0, &a, NULL), NI_EPARSE);
}

static void test_error_no_opening_line(void **state)
{
	(void)state;
	const char *msg = "no front matter: the first line is not ---";
	expect_error("title: x\n---\n", 1, 1, msg);
	expect_error("----\ntitle: x\n---\n", 1, 1, msg);
	expect_error(" ---\ntitle: x\n---\n", 1, 1, msg);
	expect_error("--- title: x\n---\n", 1, 1, msg);
	expect_error("...\ntitle: x\n---\n", 1, 1, msg);
	expect_error("\n \n", 1, 1, msg);
	expect_error("\nnote\n---\n", 1, 1, msg);
	/* What it may be instead, when that is clear. */
	const char *blank = "no front matter: the first line is not --- "
		"(blank lines come before it: the --- must be the first line)";
	expect_error("\n---\ntitle: x\n---\n", 1, 1, blank);
	expect_error("\xEF\xBB\xBF \r\n\t\r\n--- \r\ntitle: x\r\n---\r\n", 1, 1,
		     blank);
	expect_error("+++\ntitle = \"x\"\n+++\n", 1, 1,
		     "no front matter: the first line is not --- (+++ opens "
		     "TOML front matter: only YAML, between --- lines, is "
		     "read)");
}

static void test_error_not_closed(void **state)
{
	(void)state;
	const char *msg = "front matter is not closed by a --- line";
	expect_error("---", 1, 1, msg);
	expect_error("---\n", 1, 1, msg);
	expect_error("---\ntitle: x\n", 1, 1, msg);
	expect_error("---\ntitle: x\n----\n--- x\n", 1, 1, msg);
}

static void test_error_empty_front_matter(void **state)
{
	(void)state;
	const char *msg = "front matter is empty";
	expect_error("---\n---\n", 1, 1, msg);
	expect_error("---\r\n---\r\nbody\n", 1, 1, msg);
	expect_error("---\n\n# only a comment\n\n...\n", 1, 1, msg);
}

static void test_error_not_a_mapping(void **state)
{
	(void)state;
	const char *msg = "front matter is not a mapping";
	expect_error("---\n- a\n- b\n---\n", 2, 1, msg);
	expect_error("---\njust some text\n---\n", 2, 1, msg);
	expect_error("---\n\n  [a, b]\n---\n", 3, 3, msg);
	expect_error("---\n~\n---\n", 2, 1, msg);
	expect_error("---\n&x a\n---\n", 2, 1, msg);
}

static void test_error_yaml_syntax(void **state)
{
	(void)state;
	expect_error("---\ntitle: a\nexcerpt: b\ntype: c\n  x: y\n---\n",
		     5, 4, "mapping values are not allowed in this context");
	expect_error("---\ntitle: a\nexcerpt: b\ntopics:\n  - a\n"
		     "  b: c\n---\n", 6, 3, "did not find expected '-' "
		     "indicator while parsing a block collection");
	expect_error("---\ntitle: a\nexcerpt: \"unclosed\n---\n", 4, 1,
		     "found unexpected end of stream while scanning a "
		     "quoted scalar");
	/* libyaml's words for a tab get a hint of what to do. */
	expect_error("---\ntitle: a\n\t- x\n---\n", 3, 1,
		     "found a tab character that violates indentation "
		     "while scanning a plain scalar (a tab: YAML indents "
		     "with spaces)");
	expect_error("---\nprovider:\n\tname: x\n---\n", 3, 1,
		     "found character that cannot start any token while "
		     "scanning for the next token (a tab: YAML indents with "
		     "spaces)");
	/* Columns count characters, not bytes, like libyaml's. */
	expect_error("---\ntitle: \xc3\xa9\xc3\xa9: x\n---\n", 2, 10,
		     "mapping values are not allowed in this context");
	/* A NEL inside a value does not start a new file line. */
	expect_error("---\ntitle: \"a\xc2\x85" "b\"\nx: y\n  z: w\n---\n",
		     4, 4,
		     "mapping values are not allowed in this context");
}

static void test_error_second_document(void **state)
{
	(void)state;
	expect_error("---\ntitle: a\n--- x\n---\n", 3, 1,
		     "front matter holds more than one yaml document");
}

static void test_error_nul_byte(void **state)
{
	(void)state;
	static const char text[] = "---\ntitle: ok\nexcerpt: a\0b\n---\n";
	expect_error_len(text, sizeof text - 1, 3, 11,
			 "front matter contains a NUL byte");
}

static void test_error_invalid_utf8(void **state)
{
	(void)state;
	/* Found before libyaml, to say that nothing is repaired. */
	expect_error("---\ntitle: ok\nexcerpt: caf\xff\n---\n", 3, 13,
		     "invalid UTF-8 (byte 0xff): file skipped, not repaired; "
		     "save it as UTF-8");
	expect_error("---\ntitle: ok\nexcerpt: caf\xe9\n---\n", 3, 13,
		     "invalid UTF-8 (byte 0xe9): file skipped, not repaired; "
		     "save it as UTF-8");
	/* Columns count characters; overlong forms and surrogates are
	 * not UTF-8 either. */
	expect_error("---\ntitle: \xc3\xa9\xc0\xaf\n---\n", 2, 9,
		     "invalid UTF-8 (byte 0xc0): file skipped, not repaired; "
		     "save it as UTF-8");
	expect_error("---\ntitle: \xed\xa0\x80\n---\n", 2, 8,
		     "invalid UTF-8 (byte 0xed): file skipped, not repaired; "
		     "save it as UTF-8");
	expect_error("---\ntitle: \xc3\xa9 \x01\n---\n", 2, 10,
		     "control characters are not allowed (#x01)");
	/* A continuation byte with nothing to continue, after ASCII and
	 * after a whole character. */
	expect_error("---\ntitle: a\x80" "b\n---\n", 2, 9,
		     "invalid UTF-8 (byte 0x80): file skipped, not repaired; "
		     "save it as UTF-8");
	expect_error("---\ntitle: \xc3\xa9\xbf\n---\n", 2, 9,
		     "invalid UTF-8 (byte 0xbf): file skipped, not repaired; "
		     "save it as UTF-8");
	/* At every place in a run of ASCII, with more of it after. */
	for (unsigned at = 0; at < 20; at++) {
		char text[80];
		snprintf(text, sizeof text,
			 "---\ntitle: %.*s\xff and more\nexcerpt: x\n---\n",
			 (int)at, "abcdefghijklmnopqrstuvwxyz");
		expect_error(text, 2, 8 + at,
			     "invalid UTF-8 (byte 0xff): file skipped, not "
			     "repaired; save it as UTF-8");
	}
	/* The encoding is UTF-8, not guessed from a UTF-16 BOM. */
	expect_error("---\n\xff\xfetitle: x\n---\n", 2, 1,
		     "invalid UTF-8 (byte 0xff): file skipped, not repaired; "
		     "save it as UTF-8");
}

/* The kind of each failure, which the build's summary counts. */
static void expect_kind(const char *text, size_t len, enum ni_skip kind)
{
	struct ni_article a;
	struct ni_parse_error err;
	memset(&err, 0xA5, sizeof err);
	assert_int_equal(ni_article_parse(text, len, &a, &err), NI_EPARSE);
	if (err.kind != kind)
		fail_msg("kind %s, wanted %s, for: %s", ni_skip_name(err.kind),
			 ni_skip_name(kind), err.message);
}

static void test_error_kinds(void **state)
{
	(void)state;
	static const char nul_fm[] = "---\ntitle: a\0b\n---\n";
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	static const struct {
		const char *text;
		enum ni_skip kind;
	} cases[] = {
		{"", NI_SKIP_EMPTY},
		{"\xEF\xBB\xBF", NI_SKIP_EMPTY},
		{"---\n---\n", NI_SKIP_EMPTY},
		{"---\n# only a comment\n---\n", NI_SKIP_EMPTY},
		{"title: x\n", NI_SKIP_NO_FRONT_MATTER},
		{"---\ntitle: x\n", NI_SKIP_UNCLOSED},
		{"---\ntitle: caf\xe9\n---\n", NI_SKIP_INVALID_UTF8},
		{"---\ntopics: [a\n---\n", NI_SKIP_INVALID_YAML},
		{"---\nx:\n\ty: 1\n---\n", NI_SKIP_INVALID_YAML},
		{"---\ntitle: a\n--- x\n---\n", NI_SKIP_INVALID_YAML},
		{"---\njust text\n---\n", NI_SKIP_NOT_MAPPING},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		expect_kind(cases[i].text, strlen(cases[i].text),
			    cases[i].kind);
	expect_kind(nul_fm, sizeof nul_fm - 1, NI_SKIP_BINARY);
	expect_kind(png, sizeof png - 1, NI_SKIP_BINARY);

	struct ni_buf deep = NI_BUF_INIT;
	assert_int_equal(ni_buf_adds(&deep, "---\nx: "), NI_OK);
	for (int i = 0; i < 40; i++)
		assert_int_equal(ni_buf_addch(&deep, '['), NI_OK);
	assert_int_equal(ni_buf_adds(&deep, "\n---\n"), NI_OK);
	expect_kind(deep.data, deep.len, NI_SKIP_TOO_DEEP);
	ni_buf_release(&deep);

	assert_string_equal(ni_skip_name(NI_SKIP_INVALID_YAML),
			    "invalid YAML");
	assert_string_equal(ni_skip_name(NI_SKIP_VANISHED), "vanished");
	assert_string_equal(ni_skip_name(NI_SKIP_KINDS), "unknown");
	for (int k = 0; k < NI_SKIP_KINDS; k++)
		assert_non_null(ni_skip_name((enum ni_skip)k));
}

static void test_binary_message(void **state)
{
	(void)state;
	static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	expect_error_len(png, sizeof png - 1, 0, 0,
			 "binary data (a NUL byte at byte 9), not a text "
			 "file");
	/* Past the probe, a NUL is only "no front matter". */
	struct ni_buf text = NI_BUF_INIT;
	for (int i = 0; i < NI_ARTICLE_BINARY_PROBE; i++)
		assert_int_equal(ni_buf_addch(&text, 'x'), NI_OK);
	assert_int_equal(ni_buf_add(&text, "\0", 1), NI_OK);
	expect_error_len(text.data, text.len, 1, 1,
			 "no front matter: the first line is not ---");
	ni_buf_release(&text);
}

/* `topics: 5` is refused; a number in a list is a topic. */
static void test_warning_topics_number(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\ntitle: t\ntopics: 5\n---\n", &a);
	assert_int_equal(a.n_topics, 0);
	assert_warning(&a, 0, 3, 9,
		       "topics: expected a list of topics, got \"5\"");
	ni_article_clear(&a);
	parse_ok("---\ntopics: [2024, elections]\n---\n", &a);
	assert_int_equal(a.n_topics, 2);
	assert_string_equal(a.topics[0], "2024");
	assert_int_equal(a.n_warnings, 0);
	ni_article_clear(&a);
	parse_ok("---\ntopics: \"5\"\n---\n", &a);
	assert_int_equal(a.n_topics, 1);
	ni_article_clear(&a);
}

/* Warnings added after parsing share the limit and the count. */
static void test_article_warn(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\ntitle: t\n---\n", &a);
	assert_int_equal(ni_article_warn(&a, 0, 0, "title: %d words", 3),
			 NI_OK);
	assert_warning(&a, 0, 0, 0, "title: 3 words");
	for (int i = 1; i < NI_ARTICLE_MAX_WARNINGS + 2; i++)
		assert_int_equal(ni_article_warn(&a, 1, 1, "w%d", i), NI_OK);
	assert_int_equal(a.n_warnings, NI_ARTICLE_MAX_WARNINGS);
	assert_int_equal(a.n_warnings_dropped, 2);
	ni_article_clear(&a);
}

static void test_error_after_fields_frees_them(void **state)
{
	(void)state;
	/* Everything parsed before the error is freed (LSan checks). */
	expect_error("---\ntitle: t\ntopics: [a, b]\nprovider: {name: n}\n"
		     "images: [{url: u}]\nrelated: [{title: r, images: "
		     "[{url: v}]}]\nquality: high\nbad: [\n---\n", 9, 1,
		     "did not find expected node content while parsing a "
		     "flow node");
}

/* ---- nesting and bombs ------------------------------------------------ */

static void test_depth_limit_boundary(void **state)
{
	(void)state;
	struct ni_article a;
	/* The root mapping is level 1, so 31 brackets reach level 32. */
	char *text = nested_brackets(NI_ARTICLE_MAX_DEPTH - 1);
	parse_ok(text, &a);
	assert_string_equal(a.title, "t");
	ni_article_clear(&a);
	free(text);
	/* The 32nd bracket is level 33, at column 3 + 32. */
	text = nested_brackets(NI_ARTICLE_MAX_DEPTH);
	expect_error(text, 2, 35, "front matter nested deeper than 32 "
		     "levels");
	free(text);
	/* Block sequences count the same way, under a known key too. */
	text = repeat_between("---\nrelated:\n", "- ", 31, "", 0,
			      "x\n---\n");
	parse_ok(text, &a);
	assert_int_equal(a.n_warnings, 1);
	assert_warning(&a, 0, 3, 3,
		       "related[0]: expected a mapping, got a sequence");
	ni_article_clear(&a);
	free(text);
	text = repeat_between("---\nrelated:\n", "- ", 32, "", 0,
			      "x\n---\n");
	expect_error(text, 3, 63, "front matter nested deeper than 32 "
		     "levels");
	free(text);
}

/*
 * 100,000 levels are refused at the 33rd.  A parser that went on down
 * them, or one that expanded aliases (test_billion_laughs), would run
 * for minutes: the test's timeout (tests/meson.build) ends such a hang.
 * How fast a refusal is, is no test's business: bench/ measures speed.
 */
static void test_very_deep_nesting_refused(void **state)
{
	(void)state;
	char *text = nested_brackets(100000);
	expect_error(text, 2, 35, "front matter nested deeper than 32 "
		     "levels");
	free(text);

	/* Unclosed and in block-sequence form too. */
	text = repeat_between("---\nx:\n", "- ", 100000, "", 0,
			      "y\n---\n");
	expect_error(text, 3, 63, "front matter nested deeper than 32 "
		     "levels");
	free(text);
}

static void test_billion_laughs(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("billion-laughs.txt", &len);
	struct ni_article a;
	parse_ok_len(text, len, &a);
	assert_null(a.title);
	assert_int_equal(a.n_topics, 0);
	assert_int_equal(a.n_related, 0);
	assert_string_equal(a.excerpt, "still read");
	/* Expanded until the budget is spent (in `d`), then no more. */
	assert_int_equal(a.n_warnings, 3);
	assert_warning(&a, 0, 11, 8, "title: expected text, got an alias "
		       "(*i), not expanded: aliases may add at most 8192 "
		       "bytes in all");
	assert_warning(&a, 1, 12, 9, "topics: expected a sequence, got an "
		       "alias (*i), not expanded: aliases may add at most "
		       "8192 bytes in all");
	assert_warning(&a, 2, 13, 10, "related: expected a sequence, got "
		       "an alias (*i), not expanded: aliases may add at "
		       "most 8192 bytes in all");
	ni_article_clear(&a);
	free(text);
}

static void test_unknown_keys_skipped(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("unknown-keys.txt", &len);
	struct ni_article a;
	parse_ok_len(text, len, &a);
	assert_int_equal(a.n_warnings, 0);
	assert_string_equal(a.title, "Kept title");
	assert_string_equal(a.excerpt, "Kept excerpt");
	assert_null(a.category);
	assert_int_equal(a.n_related, 1);
	assert_string_equal(a.related[0].title, "Related one");
	assert_string_equal(a.related[0].provider.name, "Provider P");
	assert_null(a.related[0].provider.domain);
	assert_int_equal(a.related[0].n_images, 1);
	assert_string_equal(a.related[0].images[0].url,
			    "http://example.com/r.png");
	assert_int_equal(a.related[0].images[0].width, 10);
	assert_no_secret(&a, "SECRET-VALUE");
	ni_article_clear(&a);
	free(text);
}

/* Hugo's, Jekyll's and NewsAPI's names for the fields are read as them,
 * when the field's own name is not given: it wins wherever it is, with
 * no warning; of two aliases, the first. */
static void test_other_programs_names(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\ntitle: Hugo\ndate: 2024-03-01T10:00:00+01:00\n"
		 "description: \"About oil\"\ntags: [energy, oil]\n"
		 "url: /oil/\nimage: https://blog.example/a.png\n---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_string_equal(a.excerpt, "About oil");
	assert_int_equal(a.published_at.epoch, 1709283600);
	assert_int_equal(a.n_topics, 2);
	assert_string_equal(a.topics[1], "oil");
	assert_null(a.web_url);   /* a path on the blog, not a URL */
	assert_int_equal(a.n_images, 1);
	assert_string_equal(a.images[0].url, "https://blog.example/a.png");
	ni_article_clear(&a);
	/* NewsAPI's article. */
	parse_ok("---\nsource: {id: reuters, name: Reuters}\n"
		 "author: X\ntitle: T\ndescription: D\n"
		 "url: https://www.reuters.com/a\n"
		 "urlToImage: https://www.reuters.com/a.jpg\n"
		 "publishedAt: \"2024-03-01T09:00:00Z\"\ncontent: C\n---\n",
		 &a);
	assert_int_equal(a.n_warnings, 0);
	assert_string_equal(a.provider.name, "Reuters");
	assert_string_equal(a.excerpt, "D");
	assert_string_equal(a.web_url, "https://www.reuters.com/a");
	assert_string_equal(a.images[0].url, "https://www.reuters.com/a.jpg");
	assert_int_equal(a.published_at.epoch, 1709283600);
	ni_article_clear(&a);
	/* Its own name wins, before or after; the first alias of two. */
	parse_ok("---\nsummary: S\nexcerpt: E\ndescription: D\n"
		 "link: https://a.example/1\nwebUrl: https://a.example/2\n"
		 "pubDate: Mon, 13 Dec 2021 10:22:00 GMT\n"
		 "date: 2020-01-01\n---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_string_equal(a.excerpt, "E");
	assert_string_equal(a.web_url, "https://a.example/2");
	assert_int_equal(a.published_at.epoch, 1639390920);
	ni_article_clear(&a);
	/* Its own name given twice still warns. */
	expect_one_warning("---\nexcerpt: A\ndescription: D\nexcerpt: B\n"
			   "---\n", 4, 1, "duplicate key 'excerpt'", &a);
	assert_string_equal(a.excerpt, "B");
	ni_article_clear(&a);
}

/* ---- warnings --------------------------------------------------------- */

static void test_messy_article_warnings(void **state)
{
	(void)state;
	size_t len;
	char *text = read_fixture("messy.txt", &len);
	struct ni_article a;
	parse_ok_len(text, len, &a);

	assert_int_equal(a.n_warnings, 14);
	assert_int_equal(a.n_warnings_dropped, 0);
	assert_warning(&a, 0, 3, 3, "title: expected text, got a mapping");
	assert_warning(&a, 1, 4, 10,
		       "excerpt: expected text, got a sequence");
	assert_warning(&a, 2, 6, 10,
		       "quality: expected a number, got \"very high\"");
	assert_warning(&a, 3, 7, 7,
		       "heat: expected a number, got \"12abc\"");
	assert_warning(&a, 4, 8, 12,
		       "published: expected true or false, got \"maybe\"");
	assert_warning(&a, 5, 9, 20, "publishedDateTime: not a date (ISO "
		       "8601, RFC 5322 or Unix time): \"yesterday\"");
	assert_warning(&a, 6, 13, 5,
		       "topics[1]: expected text, got a mapping");
	assert_warning(&a, 7, 18, 12, "images[0].width: expected a "
		       "non-negative integer, got \"wide\"");
	assert_warning(&a, 8, 20, 15, "images[0].isCached: expected true or "
		       "false, got \"sometimes\"");
	assert_warning(&a, 9, 21, 5, "images[1]: image has no url");
	assert_warning(&a, 10, 26, 14, "related[0].quality: expected a "
		       "number from 0 to 100, got \"150\"");
	assert_warning(&a, 11, 27, 24, "related[0].publishedDateTime: not "
		       "a date (ISO 8601, RFC 5322 or Unix time): "
		       "\"2021-02-29T10:00:00Z\"");
	assert_warning(&a, 12, 29, 13, "related[0].provider.name: expected "
		       "text, got a sequence");
	assert_warning(&a, 13, 35, 1, "duplicate key 'type'");

	/* Every bad field is dropped; everything else is kept. */
	assert_null(a.title);
	assert_null(a.excerpt);
	assert_string_equal(a.category, "news");
	assert_false(a.quality.present);
	assert_false(a.heat.present);
	assert_false(a.published.present);
	assert_null(a.published_date_time);
	assert_false(a.published_at.present);
	/* Written by hand, leniently read: `provider: TheStreet.com` is
	 * its name and, being a host name, its domain; an image given as
	 * a URL is that image. */
	assert_string_equal(a.provider.name, "TheStreet.com");
	assert_string_equal(a.provider.domain, "thestreet.com");
	assert_int_equal(a.n_topics, 2);
	assert_string_equal(a.topics[0], "AI");
	assert_string_equal(a.topics[1], "Machine learning");
	assert_int_equal(a.n_images, 2);
	assert_string_equal(a.images[1].url, "http://example.com/b.png");
	assert_string_equal(a.images[0].url, "http://example.com/a.png");
	assert_int_equal(a.images[0].width, 0);
	assert_int_equal(a.images[0].height, 768);
	assert_false(a.images[0].is_cached);
	assert_int_equal(a.n_related, 2);
	assert_false(a.related[0].quality.present);
	assert_null(a.related[0].published_date_time);
	assert_false(a.related[0].published_at.present);
	assert_null(a.related[0].provider.name);
	assert_string_equal(a.related[0].provider.domain, "nikkei.com");
	assert_true(a.related[1].quality.present);
	assert_true(a.related[1].quality.value == 39.0);
	assert_int_equal(a.related[1].published_at.epoch, 1639521480);
	assert_string_equal(a.type, "story");
	ni_article_clear(&a);
	free(text);
}

static void test_warning_wrong_types(void **state)
{
	(void)state;
	struct ni_article a;
	expect_one_warning("---\ntitle:\n  a: b\nexcerpt: ok\n---\n", 3, 3,
			   "title: expected text, got a mapping", &a);
	assert_null(a.title);
	assert_string_equal(a.excerpt, "ok");
	ni_article_clear(&a);
	expect_one_warning("---\ntitle: [a, b]\nexcerpt: ok\n---\n", 2, 8,
			   "title: expected text, got a sequence", &a);
	assert_null(a.title);
	assert_string_equal(a.excerpt, "ok");
	ni_article_clear(&a);
	expect_one_warning("---\ntopics: {a: b}\n---\n", 2, 9,
			   "topics: expected a sequence, got a mapping", &a);
	ni_article_clear(&a);
	expect_one_warning("---\npublishedDateTime: [2021]\n---\n", 2, 20,
			   "publishedDateTime: expected a date, got a "
			   "sequence", &a);
	ni_article_clear(&a);
	expect_one_warning("---\ntitle: \"a\\0b\"\n---\n", 2, 8,
			   "title: text contains a NUL byte", &a);
	assert_null(a.title);
	ni_article_clear(&a);
}

static void test_warning_quality(void **state)
{
	(void)state;
	struct ni_article a;
	expect_one_warning("---\nquality: very high\n---\n", 2, 10,
			   "quality: expected a number, got \"very high\"",
			   &a);
	assert_false(a.quality.present);
	ni_article_clear(&a);
	expect_one_warning("---\nquality: 150\n---\n", 2, 10,
			   "quality: expected a number from 0 to 100, got "
			   "\"150\"", &a);
	assert_false(a.quality.present);
	ni_article_clear(&a);
	expect_one_warning("---\nquality: -0.5\n---\n", 2, 10,
			   "quality: expected a number from 0 to 100, got "
			   "\"-0.5\"", &a);
	ni_article_clear(&a);
	expect_one_warning("---\nquality: .nan\n---\n", 2, 10,
			   "quality: expected a number, got \".nan\"", &a);
	ni_article_clear(&a);
	/* Too large for a double is above 100: refused as 150 is. */
	expect_one_warning("---\nquality: 1e400\n---\n", 2, 10,
			   "quality: expected a number from 0 to 100, got "
			   "\"1e400\"", &a);
	assert_false(a.quality.present);
	ni_article_clear(&a);
	/* Numbers a quality: filter does not read either. */
	static const char *const unlike_filter[] = {
		".5", "5.", "+5", "0x10", "-0",
	};
	for (size_t i = 0; i < sizeof unlike_filter / sizeof *unlike_filter;
	     i++) {
		char text[64], want[96];
		snprintf(text, sizeof text, "---\nquality: %s\n---\n",
			 unlike_filter[i]);
		snprintf(want, sizeof want, "quality: expected a number from "
			 "0 to 100, got \"%s\"", unlike_filter[i]);
		expect_one_warning(text, 2, 10, want, &a);
		assert_false(a.quality.present);
		ni_article_clear(&a);
	}
}

/* A quality is read as a quality: filter reads it (ni_parse_quality). */
static void test_quality_forms(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double value;
	} good[] = {
		{"87", 87}, {"87.5", 87.5}, {"8.75e1", 87.5}, {"8.75E+1", 87.5},
		{"1e-5", 1e-5}, {"100", 100}, {"0", 0}, {"00.50", 0.5},
		/* Rounded to the nearest double: too small for one is 0. */
		{"1e-400", 0},
		{"37.000000000000000000000000000001", 37},
		{"0.100000000000000000000000000000000000000000000000000000"
		 "0000000000000000000000000000000000000000000000000001", 0.1},
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		struct ni_article a;
		char text[200];
		snprintf(text, sizeof text, "---\nquality: %s\n---\n",
			 good[i].text);
		parse_ok(text, &a);
		if (a.n_warnings || !a.quality.present ||
		    a.quality.value != good[i].value)
			fail_msg("quality: %s was not read as %g", good[i].text,
				 good[i].value);
		ni_article_clear(&a);
		double value = -1;
		assert_true(ni_parse_quality(good[i].text,
					     strlen(good[i].text), &value));
		assert_true(value == good[i].value);
	}
	static const char *const bad[] = {
		"1e400", "100.0000001", "101", "-1", "", "1 ", " 1", "1,5",
		"inf", "nan", "1e", "e1", "1.e1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		double value = -1;
		if (ni_parse_quality(bad[i], strlen(bad[i]), &value))
			fail_msg("\"%s\" was read as a quality", bad[i]);
		assert_true(value == -1);  /* untouched */
	}
	/* The length given is what is read. */
	double value;
	assert_true(ni_parse_quality("42x", 2, &value) && value == 42);
}

static void test_numbers(void **state)
{
	(void)state;
	struct ni_article a;
	/* Editors quote numbers; that is fine. */
	parse_ok("---\nquality: \"37\"\nheat: '-1.5'\n---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_true(a.quality.present && a.quality.value == 37.0);
	assert_true(a.heat.present && a.heat.value == -1.5);
	ni_article_clear(&a);
	parse_ok("---\nquality: 100\nheat: 1e3\n---\n", &a);
	assert_true(a.quality.value == 100.0);
	assert_true(a.heat.value == 1000.0);
	ni_article_clear(&a);
	parse_ok("---\nquality: 0\nheat: +2.25\n---\n", &a);
	assert_true(a.quality.present && a.quality.value == 0.0);
	assert_true(a.heat.value == 2.25);
	ni_article_clear(&a);

	static const char *const bad[] = {
		"inf", "-inf", "nan", "1e999", "12abc", "\" 12\"", "''",
		"1_000", ".inf", "0x", "'12 '", "1.2.3",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[64];
		snprintf(text, sizeof text, "---\nheat: %s\n---\n", bad[i]);
		parse_ok(text, &a);
		if (a.heat.present || a.n_warnings != 1)
			fail_msg("heat: %s was accepted", bad[i]);
		assert_true(contains(a.warnings[0].message,
				     "heat: expected a number, got "));
		ni_article_clear(&a);
	}
}

static void test_booleans_and_pixels(void **state)
{
	(void)state;
	static const char *const yes[] = {"true", "True", "YES", "on"};
	static const char *const no[] = {"false", "FALSE", "no", "Off"};
	struct ni_article a;
	char text[128];
	for (size_t i = 0; i < 4; i++) {
		snprintf(text, sizeof text, "---\npublished: %s\nimages:\n"
			 "  - {url: u, isCached: %s}\n---\n", yes[i], no[i]);
		parse_ok(text, &a);
		assert_int_equal(a.n_warnings, 0);
		assert_true(a.published.present && a.published.value);
		assert_false(a.images[0].is_cached);
		ni_article_clear(&a);
		snprintf(text, sizeof text, "---\npublished: \"%s\"\n---\n",
			 no[i]);
		parse_ok(text, &a);
		assert_true(a.published.present && !a.published.value);
		ni_article_clear(&a);
	}
	expect_one_warning("---\npublished: 1\n---\n", 2, 12,
			   "published: expected true or false, got \"1\"",
			   &a);
	ni_article_clear(&a);
	expect_one_warning("---\npublished: trueish\n---\n", 2, 12,
			   "published: expected true or false, got "
			   "\"trueish\"", &a);
	assert_false(a.published.present);
	ni_article_clear(&a);
	expect_one_warning("---\nimages:\n  - url: u\n    height: 11.5\n---\n",
			   4, 13, "images[0].height: expected a "
			   "non-negative integer, got \"11.5\"", &a);
	assert_int_equal(a.n_images, 1);
	assert_int_equal(a.images[0].height, 0);
	ni_article_clear(&a);
	expect_one_warning("---\nimages: [{url: u, width: -3}]\n---\n", 2, 26,
			   "images[0].width: expected a non-negative "
			   "integer, got \"-3\"", &a);
	ni_article_clear(&a);
	expect_one_warning("---\nimages: [{url: u, width: "
			   "99999999999999999999}]\n---\n", 2, 26,
			   "images[0].width: expected a non-negative "
			   "integer, got \"99999999999999999999\"", &a);
	ni_article_clear(&a);
	/* A single mapping is taken as a list of one image. */
	parse_ok("---\nimages: {url: u, width: \"640\", height: +480}\n"
		 "---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_int_equal(a.n_images, 1);
	assert_int_equal(a.images[0].width, 640);
	assert_int_equal(a.images[0].height, 480);
	ni_article_clear(&a);
}

static void test_warning_bad_date(void **state)
{
	(void)state;
	struct ni_article a;
	expect_one_warning("---\npublishedDateTime: yesterday\ntitle: t\n"
			   "---\n", 2, 20, "publishedDateTime: not a date "
			   "(ISO 8601, RFC 5322 or Unix time): "
			   "\"yesterday\"", &a);
	assert_null(a.published_date_time);
	assert_false(a.published_at.present);
	assert_string_equal(a.title, "t");
	ni_article_clear(&a);
	expect_one_warning("---\npublishedDateTime: \"2021-02-29\"\n---\n",
			   2, 20, "publishedDateTime: not a date (ISO 8601, "
			   "RFC 5322 or Unix time): \"2021-02-29\"", &a);
	assert_false(a.published_at.present);
	ni_article_clear(&a);
	/* As RSS's pubDate and Unix time write one. */
	parse_ok("---\npublishedDateTime: Mon, 13 Dec 2021 05:22:00 EST\n"
		 "---\n", &a);
	assert_true(a.published_at.present);
	assert_int_equal(a.published_at.epoch, 1639390920);
	ni_article_clear(&a);
	parse_ok("---\npublishedDateTime: 1639390920\n---\n", &a);
	assert_int_equal(a.published_at.epoch, 1639390920);
	ni_article_clear(&a);
	parse_ok("---\npublishedDateTime: 2021-12-13T15:52:00+05:30\n---\n",
		 &a);
	assert_string_equal(a.published_date_time,
			    "2021-12-13T15:52:00+05:30");
	assert_int_equal(a.published_at.epoch, 1639390920);
	ni_article_clear(&a);
}

/* A date out of years 0000-9999 in UTC is dropped, saying so. */
static void test_warning_date_out_of_range(void **state)
{
	(void)state;
	struct ni_article a;
	expect_one_warning("---\npublishedDateTime: "
			   "9999-12-31T23:59:59-14:00\n---\n", 2, 20,
			   "publishedDateTime: not in years 0000-9999 in UTC: "
			   "\"9999-12-31T23:59:59-14:00\"", &a);
	assert_false(a.published_at.present);
	assert_null(a.published_date_time);
	ni_article_clear(&a);
}

static void test_warning_duplicate_key(void **state)
{
	(void)state;
	struct ni_article a;
	expect_one_warning("---\ntitle: first\nexcerpt: e\ntitle: second\n"
			   "---\n", 4, 1, "duplicate key 'title'", &a);
	assert_string_equal(a.title, "second");
	ni_article_clear(&a);
	/* The later value wins even when it is unusable. */
	parse_ok("---\nquality: 10\nquality: lots\n---\n", &a);
	assert_int_equal(a.n_warnings, 2);
	assert_warning(&a, 0, 3, 1, "duplicate key 'quality'");
	assert_warning(&a, 1, 3, 10,
		       "quality: expected a number, got \"lots\"");
	assert_false(a.quality.present);
	ni_article_clear(&a);
	/* Lists start afresh rather than growing. */
	parse_ok("---\ntopics: [a, b]\nrelated:\n  - title: r\n"
		 "    provider: {name: x}\n    provider: {domain: y}\n"
		 "topics: [c]\n---\n", &a);
	assert_int_equal(a.n_warnings, 2);
	assert_warning(&a, 0, 6, 5, "duplicate key 'related[0].provider'");
	assert_warning(&a, 1, 7, 1, "duplicate key 'topics'");
	assert_int_equal(a.n_topics, 1);
	assert_string_equal(a.topics[0], "c");
	assert_null(a.related[0].provider.name);
	assert_string_equal(a.related[0].provider.domain, "y");
	ni_article_clear(&a);
}

/*
 * Front matter as PyYAML's default dumper writes an object used twice:
 * an anchor (&id001) where it is first written, an alias (*id001) at
 * each later use.  It reads as PyYAML reads it back.
 */
static void test_aliases_expanded(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\n"
		 "title: &t \"Harbour cranes return\"\n"
		 "excerpt: *t\n"
		 "topics: &id001\n"
		 "- Shipping\n"
		 "- Docks\n"
		 "provider: &id002\n"
		 "  name: Port News\n"
		 "  domain: port.example\n"
		 "images: &id003\n"
		 "- url: https://port.example/c.jpg\n"
		 "  width: 640\n"
		 "related:\n"
		 "- &id004\n"
		 "  title: Dock strike ends\n"
		 "  webUrl: https://port.example/strike\n"
		 "  provider: *id002\n"
		 "  images: *id003\n"
		 "  topics: *id001\n"
		 "- *id004\n"
		 "---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_string_equal(a.title, "Harbour cranes return");
	assert_string_equal(a.excerpt, "Harbour cranes return");
	assert_int_equal(a.n_topics, 2);
	assert_string_equal(a.topics[0], "Shipping");
	assert_string_equal(a.topics[1], "Docks");
	assert_string_equal(a.provider.name, "Port News");
	assert_int_equal(a.n_images, 1);
	assert_int_equal(a.n_related, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct ni_related *r = &a.related[i];
		assert_string_equal(r->title, "Dock strike ends");
		assert_string_equal(r->web_url, "https://port.example/strike");
		assert_string_equal(r->provider.name, "Port News");
		assert_string_equal(r->provider.domain, "port.example");
		assert_int_equal(r->n_images, 1);
		assert_string_equal(r->images[0].url,
				    "https://port.example/c.jpg");
	}
	ni_article_clear(&a);

	/* A value read through an alias is checked as if written there. */
	expect_one_warning("---\nq: &q [1]\ntitle: x\nquality:  *q\n---\n",
			   4, 11, "quality: expected a number, got a "
			   "sequence", &a);
	ni_article_clear(&a);
	expect_one_warning("---\nm: &m {x: 1}\ntitle: t\nexcerpt:   *m\n"
			   "---\n", 4, 12, "excerpt: expected text, got a "
			   "mapping", &a);
	ni_article_clear(&a);
}

/* An alias inside the node it names stays an alias: a value of the
 * wrong type, with the reason, where it is and in a replay. */
static void test_warning_alias_inside_its_node(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\ntopics: &t [a, *t]\nx: 1\nrelated: [{title: r,"
		 " images:  *t}]\n---\n", &a);
	assert_int_equal(a.n_topics, 1);
	assert_string_equal(a.topics[0], "a");
	assert_int_equal(a.n_warnings, 2);
	assert_warning(&a, 0, 2, 16, "topics[1]: expected text, got an "
		       "alias (*t), not expanded: it is inside the node it "
		       "names");
	/* The replay is placed at its alias, line 4 col 31; its "a" is an
	 * image's URL. */
	assert_int_equal(a.related[0].n_images, 1);
	assert_string_equal(a.related[0].images[0].url, "a");
	assert_warning(&a, 1, 4, 31, "related[0].images[1]: expected a "
		       "mapping or a URL, got an alias (*t), not expanded: "
		       "it is inside the node it names");
	ni_article_clear(&a);
}

/* An alias naming no anchor is invalid YAML, as libyaml and PyYAML
 * load it: the file is skipped, the alias placed. */
static void test_error_undefined_alias(void **state)
{
	(void)state;
	static const char text[] = "---\ntitle: t\nexcerpt:  *nope\n"
				   "other: &nope x\n---\n";
	expect_error(text, 3, 11, "found undefined alias *nope");
	expect_kind(text, sizeof text - 1, NI_SKIP_INVALID_YAML);
}

/* Nesting counts through aliases: 16 levels anchored, replayed 16 (and
 * then 17) levels down, is 33 (34) with the root. */
static void test_depth_through_aliases(void **state)
{
	(void)state;
	struct ni_article a;
	for (size_t under = 15; under <= 16; under++) {
		struct ni_buf buf = NI_BUF_INIT;
		assert_int_equal(ni_buf_adds(&buf, "---\na: &deep "), NI_OK);
		for (int i = 0; i < 16; i++)
			assert_int_equal(ni_buf_addch(&buf, '['), NI_OK);
		for (int i = 0; i < 16; i++)
			assert_int_equal(ni_buf_addch(&buf, ']'), NI_OK);
		assert_int_equal(ni_buf_adds(&buf, "\nb: "), NI_OK);
		for (size_t i = 0; i < under; i++)
			assert_int_equal(ni_buf_addch(&buf, '['), NI_OK);
		assert_int_equal(ni_buf_adds(&buf, "*deep"), NI_OK);
		for (size_t i = 0; i < under; i++)
			assert_int_equal(ni_buf_addch(&buf, ']'), NI_OK);
		assert_int_equal(ni_buf_adds(&buf, "\ntitle: t\n---\n"),
				 NI_OK);
		char *text = ni_buf_detach(&buf);
		assert_non_null(text);
		if (under == 15) {
			parse_ok(text, &a);
			assert_string_equal(a.title, "t");
			ni_article_clear(&a);
		} else {
			/* At the alias, line 3, after "b: " and 16 '['. */
			expect_error(text, 3, 20, "front matter nested "
				     "deeper than 32 levels");
			expect_kind(text, strlen(text), NI_SKIP_TOO_DEEP);
		}
		free(text);
	}
}

static void test_warning_limit(void **state)
{
	(void)state;
	char *text = repeat_between("---\ntopics: [", "{a: 1}, ", 20, "", 0,
				    "ok]\n---\n");
	struct ni_article a;
	parse_ok(text, &a);
	free(text);
	assert_int_equal(a.n_warnings, NI_ARTICLE_MAX_WARNINGS);
	assert_int_equal(a.n_warnings_dropped, 20 - NI_ARTICLE_MAX_WARNINGS);
	assert_warning(&a, 0, 2, 10,
		       "topics[0]: expected text, got a mapping");
	assert_warning(&a, 15, 2, 10 + 15 * 8,
		       "topics[15]: expected text, got a mapping");
	assert_int_equal(a.n_topics, 1);
	assert_string_equal(a.topics[0], "ok");
	ni_article_clear(&a);
}

static void test_warning_quotes_long_and_odd_values(void **state)
{
	(void)state;
	struct ni_article a;
	expect_one_warning("---\nquality: \"a\\\"b\\\\c\\td\"\n---\n", 2, 10,
			   "quality: expected a number, got "
			   "\"a\\\"b\\\\c\\x09d\"", &a);
	ni_article_clear(&a);
	/* 58 ASCII bytes then "é" (2 bytes) straddling the 60-byte cut. */
	char *text = repeat_between("---\nquality: x", "x", 58, "", 0,
				    "\xc3\xa9tail\n---\n");
	parse_ok(text, &a);
	free(text);
	assert_int_equal(a.n_warnings, 1);
	char *want = repeat_between("quality: expected a number, got \"",
				    "x", 59, "", 0, "...\"");
	assert_string_equal(a.warnings[0].message, want);
	free(want);
	ni_article_clear(&a);
}

static void test_nulls_mean_absent(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\ntitle: ~\nexcerpt: null\ncategory:\nquality: NULL\n"
		 "heat: Null\npublished: ~\nprovider: ~\ntopics:\n"
		 "images: null\nrelated: ~\npublishedDateTime: ~\n"
		 "type: \"null\"\n---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_null(a.title);
	assert_null(a.excerpt);
	assert_null(a.category);
	assert_false(a.quality.present);
	assert_false(a.heat.present);
	assert_false(a.published.present);
	assert_null(a.provider.name);
	assert_int_equal(a.n_topics, 0);
	assert_int_equal(a.n_images, 0);
	assert_int_equal(a.n_related, 0);
	assert_false(a.published_at.present);
	/* Quoted, it is the word. */
	assert_string_equal(a.type, "null");
	ni_article_clear(&a);
}

static void test_topics_forms(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\ntopics: []\ntitle: t\n---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_int_equal(a.n_topics, 0);
	assert_null(a.topics);
	assert_string_equal(a.title, "t");
	ni_article_clear(&a);
	parse_ok("---\ntopics: AI\n---\n", &a);
	assert_int_equal(a.n_topics, 1);
	assert_string_equal(a.topics[0], "AI");
	ni_article_clear(&a);
	parse_ok("---\ntopics: [AI, \"Machine learning\", ~, '', x5, x6]\n"
		 "---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_int_equal(a.n_topics, 5);
	assert_string_equal(a.topics[1], "Machine learning");
	assert_string_equal(a.topics[2], "");
	assert_string_equal(a.topics[4], "x6");
	ni_article_clear(&a);
	/* Unquoted text with commas is a list written by hand; quoted
	 * text, or an item of a list, is one topic. */
	static const struct {
		const char *yaml, *topics;  /* the topics joined by '|' */
	} forms[] = {
		{"AI, Machine learning ,,robots,", "AI|Machine learning|robots"},
		{"\"Mergers, acquisitions\"", "Mergers, acquisitions"},
		{"\n  - Mergers, acquisitions", "Mergers, acquisitions"},
		{"[a, 'b, c']", "a|b, c"},
		{"' , '", ","},
	};
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		char text[128];
		snprintf(text, sizeof text, "---\ntopics: %s\n---\n",
			 forms[i].yaml);
		parse_ok(text, &a);
		struct ni_buf joined = NI_BUF_INIT;
		for (size_t t = 0; t < a.n_topics; t++)
			assert_int_equal(ni_buf_addf(&joined, "%s%s",
						     t ? "|" : "",
						     a.topics[t]), NI_OK);
		assert_string_equal(joined.data ? joined.data : "",
				    forms[i].topics);
		assert_int_equal(a.n_warnings, 0);
		ni_buf_release(&joined);
		ni_article_clear(&a);
	}
}

static void test_image_without_url_dropped(void **state)
{
	(void)state;
	struct ni_article a;
	expect_one_warning("---\nrelated:\n  - title: r\n    images:\n"
			   "      - width: 3\n      - url: v\n---\n", 5, 9,
			   "related[0].images[0]: image has no url", &a);
	assert_int_equal(a.related[0].n_images, 1);
	assert_string_equal(a.related[0].images[0].url, "v");
	ni_article_clear(&a);
}

static void test_clear_is_idempotent(void **state)
{
	(void)state;
	struct ni_article a = {0};
	ni_article_clear(&a);
	assert_all_zero(&a, sizeof a);
	parse_ok("---\ntitle: t\ntopics: [a]\n---\n", &a);
	ni_article_clear(&a);
	ni_article_clear(&a);
	assert_all_zero(&a, sizeof a);
}

/* A provider written as text is its name, and its domain when it is a
 * host name or a web address (its host); anything else that is no
 * mapping warns. */
static void test_provider_as_text(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		const char *name, *domain;   /* NULL: none */
	} cases[] = {
		{"Reuters", "Reuters", NULL},
		{"\"The New York Times\"", "The New York Times", NULL},
		{"asia.Nikkei.com", "asia.Nikkei.com", "asia.nikkei.com"},
		{"bbc.co.uk", "bbc.co.uk", "bbc.co.uk"},
		{"my-paper.example", "my-paper.example", "my-paper.example"},
		{"Fox 5.news", "Fox 5.news", NULL},
		{"example.123", "example.123", NULL},
		{"a-.com", "a-.com", NULL},
		{"-a.com", "-a.com", NULL},
		{"a..com", "a..com", NULL},
		{"example.", "example.", NULL},
		{"localhost", "localhost", NULL},
		{"\"  \"", NULL, NULL},
		/* A web address: its host, without www. */
		{"https://www.bbc.co.uk/news/x", "bbc.co.uk", "bbc.co.uk"},
		{"\"HTTP://Reuters.com:8080?a\"", "Reuters.com", "reuters.com"},
		{"https://asia.nikkei.com", "asia.nikkei.com",
		 "asia.nikkei.com"},
		{"https://localhost/x", "https://localhost/x", NULL},
		{"\"https://:80/x\"", "https://:80/x", NULL},
		{"ftp://files.example/x", "ftp://files.example/x", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[128];
		snprintf(text, sizeof text, "---\nprovider: %s\n---\n",
			 cases[i].value);
		struct ni_article a;
		parse_ok(text, &a);
		assert_int_equal(a.n_warnings, 0);
		const char *got[] = {a.provider.name, a.provider.domain};
		const char *want[] = {cases[i].name, cases[i].domain};
		for (size_t k = 0; k < 2; k++)
			if (want[k] ? !got[k] || strcmp(got[k], want[k])
				    : got[k] != NULL)
				fail_msg("%s: got %s, want %s", cases[i].value,
					 got[k] ? got[k] : "NULL",
					 want[k] ? want[k] : "NULL");
		ni_article_clear(&a);
	}
	struct ni_article a;
	expect_one_warning("---\nprovider: [Reuters]\n---\n", 2, 11,
			   "provider: expected a mapping or a name, got a "
			   "sequence", &a);
	assert_null(a.provider.name);
	ni_article_clear(&a);
}

/* An image written as its URL is that image, alone or in a list. */
static void test_image_as_url(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\nimages: https://e.example/a.jpg\n---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_int_equal(a.n_images, 1);
	assert_string_equal(a.images[0].url, "https://e.example/a.jpg");
	assert_int_equal(a.images[0].width, 0);
	ni_article_clear(&a);
	parse_ok("---\nimages:\n  - https://e.example/a.jpg\n"
		 "  - {url: https://e.example/b.jpg, width: 8}\n---\n", &a);
	assert_int_equal(a.n_warnings, 0);
	assert_int_equal(a.n_images, 2);
	assert_string_equal(a.images[0].url, "https://e.example/a.jpg");
	assert_int_equal(a.images[1].width, 8);
	ni_article_clear(&a);
	expect_one_warning("---\nimages: \"\"\n---\n", 2, 9,
			   "images: image has no url", &a);
	assert_int_equal(a.n_images, 0);
	ni_article_clear(&a);
	expect_one_warning("---\nimages: [[x]]\n---\n", 2, 10,
			   "images[0]: expected a mapping or a URL, got a "
			   "sequence", &a);
	assert_int_equal(a.n_images, 0);
	ni_article_clear(&a);
}

/* `lang` and `language` set the stemmer; a bad value only warns. */
static void test_lang_key(void **state)
{
	(void)state;
	struct ni_article a;
	parse_ok("---\ntitle: x\nlang: fr_fr\n---\n", &a);
	assert_string_equal(a.stemmer, "french");
	/* Kept as a tag too, for the page's `lang`. */
	assert_string_equal(a.lang, "fr-FR");
	assert_int_equal(a.n_warnings, 0);
	ni_article_clear(&a);
	parse_ok("---\nlanguage: zh-Hans\n---\n", &a);
	assert_string_equal(a.stemmer, "none");
	assert_string_equal(a.lang, "zh-Hans");
	ni_article_clear(&a);
	parse_ok("---\ntitle: x\n---\n", &a);
	assert_null(a.stemmer);
	assert_string_equal(a.lang, "");
	ni_article_clear(&a);
	/* lang wins over its alias, wherever it is, without a word. */
	parse_ok("---\nlang: de\nlanguage: ru\n---\n", &a);
	assert_string_equal(a.stemmer, "german");
	assert_string_equal(a.lang, "de");
	assert_int_equal(a.n_warnings, 0);
	ni_article_clear(&a);
	parse_ok("---\nlanguage: ru\nlang: de\n---\n", &a);
	assert_string_equal(a.lang, "de");
	assert_int_equal(a.n_warnings, 0);
	ni_article_clear(&a);
	expect_one_warning("---\ntitle: x\nlang: klingon\n---\n", 3, 7,
			   "lang: not a language code: \"klingon\"", &a);
	assert_null(a.stemmer);
	assert_string_equal(a.lang, "");
	assert_non_null(a.title);
	ni_article_clear(&a);
	expect_one_warning("---\nlanguage: [de]\n---\n", 2, 11,
			   "language: expected a language code, got a sequence",
			   &a);
	assert_null(a.stemmer);
	ni_article_clear(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_article),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_utf16_and_utf32),
		cmocka_unit_test(test_lone_cr),
		cmocka_unit_test(test_values_trimmed),
		cmocka_unit_test(test_body_after_front_matter_ignored),
		cmocka_unit_test(test_closing_lines),
		cmocka_unit_test(test_error_empty_file),
		cmocka_unit_test(test_error_no_opening_line),
		cmocka_unit_test(test_error_not_closed),
		cmocka_unit_test(test_error_empty_front_matter),
		cmocka_unit_test(test_error_not_a_mapping),
		cmocka_unit_test(test_error_yaml_syntax),
		cmocka_unit_test(test_error_second_document),
		cmocka_unit_test(test_error_nul_byte),
		cmocka_unit_test(test_error_invalid_utf8),
		cmocka_unit_test(test_error_kinds),
		cmocka_unit_test(test_binary_message),
		cmocka_unit_test(test_warning_topics_number),
		cmocka_unit_test(test_article_warn),
		cmocka_unit_test(test_error_after_fields_frees_them),
		cmocka_unit_test(test_depth_limit_boundary),
		cmocka_unit_test(test_very_deep_nesting_refused),
		cmocka_unit_test(test_billion_laughs),
		cmocka_unit_test(test_unknown_keys_skipped),
		cmocka_unit_test(test_other_programs_names),
		cmocka_unit_test(test_messy_article_warnings),
		cmocka_unit_test(test_warning_wrong_types),
		cmocka_unit_test(test_warning_quality),
		cmocka_unit_test(test_quality_forms),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_booleans_and_pixels),
		cmocka_unit_test(test_warning_bad_date),
		cmocka_unit_test(test_warning_date_out_of_range),
		cmocka_unit_test(test_warning_duplicate_key),
		cmocka_unit_test(test_aliases_expanded),
		cmocka_unit_test(test_warning_alias_inside_its_node),
		cmocka_unit_test(test_error_undefined_alias),
		cmocka_unit_test(test_depth_through_aliases),
		cmocka_unit_test(test_warning_limit),
		cmocka_unit_test(test_warning_quotes_long_and_odd_values),
		cmocka_unit_test(test_nulls_mean_absent),
		cmocka_unit_test(test_topics_forms),
		cmocka_unit_test(test_image_without_url_dropped),
		cmocka_unit_test(test_clear_is_idempotent),
		cmocka_unit_test(test_provider_as_text),
		cmocka_unit_test(test_image_as_url),
		cmocka_unit_test(test_lang_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
