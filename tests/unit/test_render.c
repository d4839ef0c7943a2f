/*
 * Tests of how newsquery shows results (query/render.c): JSON's nulls,
 * numbers and escapes (docs/json.md), JSON lines, and that nothing from
 * an article reaches a terminal or a pipe unescaped: text, TSV, URLs,
 * paths.  Results are made by hand; no index is opened.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "render.h"

/* What one render function wrote, NUL-terminated; caller frees. */
struct written {
	char *text;
	size_t len;
	FILE *out;
};

static void start(struct written *w)
{
	w->out = open_memstream(&w->text, &w->len);
	assert_non_null(w->out);
}

static const char *done(struct written *w)
{
	assert_int_equal(fclose(w->out), 0);
	return w->text;
}

/* A hit whose document has only a path: every other field absent. */
static struct ni_result bare_hit(void)
{
	struct ni_result hit = {
		.score = 1.5, .relevance = 1.0, .quality_part = 0.5,
		.heat = -1, .all_words = true,
	};
	hit.doc.path = "/news/bare.txt";
	return hit;
}

static struct ni_results one_page(struct ni_result *hits, size_t n)
{
	struct ni_results r = {
		.hits = hits, .n_hits = n, .total = n, .total_exact = true,
		.stories = n, .stories_exact = true,
	};
	return r;
}

/* No byte of `text` but its last ('\n') is a C0 control or DEL, and no
 * C1 control is written as UTF-8 (\xc2\x80 to \xc2\x9f). */
static void assert_no_raw_controls(const char *text)
{
	size_t len = strlen(text);
	for (size_t i = 0; i + 1 < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f || (c == 0xc2 &&
		    (unsigned char)text[i + 1] >= 0x80 &&
		    (unsigned char)text[i + 1] < 0xa0))
			fail_msg("raw control 0x%02x at %zu of '%s'", c, i,
				 text);
	}
}

static void test_json_absent_fields_are_null(void **state)
{
	(void)state;
	struct ni_result hit = bare_hit();
	struct ni_results r = one_page(&hit, 1);
	/* A snippet of no text (no excerpt) is null, as no snippet is. */
	struct ni_snippet empty = NI_SNIPPET_INIT;
	struct render_context ctx = {.query = "bare", .limit = 10,
				     .snippets = &empty};
	struct written w;
	start(&w);
	assert_true(render_json(w.out, &ctx, &r));
	const char *text = done(&w);
	assert_contains(text, "\"next_offset\":null,\"suggestion\":null,"
			"\"notices\":[],\"syntax_error\":null,"
			"\"missing_shards\":[],\"facets\":{},");
	assert_contains(text, "\"quality\":null,\"heat\":null,");
	assert_contains(text, "\"title\":null,\"excerpt\":null,\"url\":null,"
			"\"path\":\"/news/bare.txt\",\"related_of\":null,"
			"\"provider\":{\"name\":null,\"domain\":null},"
			"\"date\":null,\"published\":null,\"topics\":[],"
			"\"image\":null,\"lang\":null,\"snippet\":null,");
	/* One line, newline-terminated. */
	assert_int_equal(strchr(text, '\n') - text, (long)strlen(text) - 1);
	free(w.text);
}

static void test_json_values_as_documented(void **state)
{
	(void)state;
	struct ni_result hits[2] = {bare_hit(), bare_hit()};
	hits[0].doc.quality = (struct ni_opt_double){true, 37};
	hits[0].doc.date = (struct ni_opt_time){true, 1639390920};
	hits[0].doc.published = (struct ni_opt_bool){true, false};
	hits[0].n_similar = 2;
	hits[0].heat = 12;
	hits[0].doc.image = (struct ni_docimage){"https://x.example/a.jpg",
						 800, 450};
	hits[1].doc.image = (struct ni_docimage){"javascript:alert(1)", 0, 0};
	hits[1].all_words = false;
	struct ni_results r = one_page(hits, 2);
	r.total = 1200, r.total_exact = false;
	r.stories = 900, r.stories_exact = false, r.more = true;
	struct ni_snippet s = NI_SNIPPET_INIT;
	assert_int_equal(ni_buf_adds(&s.text, "caf\xc3\xa9 oil"), NI_OK);
	struct ni_span span = {6, 9};   /* "oil", after a 2-byte é */
	s.spans = &span, s.n_spans = 1;
	struct ni_snippet snippets[2] = {s, NI_SNIPPET_INIT};
	struct render_context ctx = {.query = "oil", .offset = 20,
				     .limit = 2, .snippets = snippets,
				     .suggestion = "soil"};
	struct written w;
	start(&w);
	assert_true(render_json(w.out, &ctx, &r));
	const char *text = done(&w);
	assert_contains(text, "{\"version\":1,\"query\":\"oil\",\"total\":1200,"
			"\"total_exact\":false,\"stories\":900,"
			"\"stories_exact\":false,\"offset\":20,"
			"\"next_offset\":22,\"suggestion\":\"soil\",");
	/* Whole numbers without a fraction; ranks from the offset. */
	assert_contains(text, "{\"rank\":21,\"score\":1.5,\"relevance\":1,"
			"\"quality\":37,\"heat\":12,\"all_words\":true,"
			"\"similar\":2,");
	assert_contains(text, "\"date\":\"2021-12-13T10:22:00Z\","
			"\"published\":false,");
	/* The first image as written; a size not given is null. */
	assert_contains(text, "\"image\":{\"url\":\"https://x.example/a.jpg\","
			"\"width\":800,\"height\":450},");
	assert_contains(text, "\"image\":{\"url\":\"javascript:alert(1)\","
			"\"width\":null,\"height\":null},");
	/* Highlights in code points: é is one. */
	assert_contains(text, "\"snippet\":{\"text\":\"caf\xc3\xa9 oil\","
			"\"highlights\":[[5,8]]},");
	assert_contains(text, "\"explain\":{\"tier\":\"all words\","
			"\"bm25\":1,\"quality\":0.5,\"recency\":0}}");
	assert_contains(text, "{\"rank\":22,");
	assert_contains(text, "\"tier\":\"some words\"");
	ni_buf_release(&snippets[0].text);
	free(w.text);
}

static void test_json_escapes(void **state)
{
	(void)state;
	struct ni_result hit = bare_hit();
	/* Quote, backslash, slash, tab, ESC, DEL, U+0085, a byte that is
	 * not UTF-8, U+2028. */
	hit.doc.title = "a\"b\\c/d\te\x1b[31mf\x7fg\xc2\x85h\xffi\xe2\x80\xa8j";
	hit.doc.path = "/news/\xff\xfe.txt";
	struct ni_results r = one_page(&hit, 1);
	struct render_context ctx = {.query = "q \xff", .limit = 1,
				     .suggestion = "s\xc3"};
	struct written w;
	start(&w);
	assert_true(render_json(w.out, &ctx, &r));
	const char *text = done(&w);
	assert_contains(text, "\"title\":\"a\\\"b\\\\c/d\\te\\u001b[31mf"
			"\\u007fg\\u0085h\xef\xbf\xbdi\xe2\x80\xa8j\",");
	assert_contains(text, "\"path\":\"/news/\xef\xbf\xbd\xef\xbf\xbd.txt\"");
	assert_contains(text, "\"query\":\"q \xef\xbf\xbd\",");
	assert_contains(text, "\"suggestion\":\"s\xef\xbf\xbd\",");
	assert_lacks(text, "\xff");
	assert_no_raw_controls(text);
	free(w.text);
}

static void test_jsonl_is_the_results_alone(void **state)
{
	(void)state;
	struct ni_result hits[2] = {bare_hit(), bare_hit()};
	hits[1].doc.title = "x\x1by";
	struct ni_results r = one_page(hits, 2);
	struct render_context ctx = {.query = "q", .limit = 2};
	struct written w;
	start(&w);
	assert_true(render_jsonl(w.out, &ctx, &r));
	const char *text = done(&w);
	assert_true(!strncmp(text, "{\"rank\":1,", 10));
	const char *second = strchr(text, '\n') + 1;
	assert_true(!strncmp(second, "{\"rank\":2,", 10));
	assert_string_equal(strchr(second, '\n'), "\n");
	assert_contains(second, "\"title\":\"x\\u001by\"");
	assert_lacks(text, "\"version\"");
	free(w.text);
	/* Nothing matched: no line at all. */
	r.n_hits = 0;
	start(&w);
	assert_true(render_jsonl(w.out, &ctx, &r));
	assert_string_equal(done(&w), "");
	free(w.text);
}

static void test_text_never_passes_controls(void **state)
{
	(void)state;
	struct ni_result hit = bare_hit();
	hit.doc.title = "Evil\x1b]0;pwned\x07 \xc2\x9b" "31m title\xff";
	hit.doc.provider_name = "Corp\x1b[5m";
	hit.doc.url = "https://x.example/\x1b[2J";
	hit.doc.quality = (struct ni_opt_double){true, 37};
	struct ni_results r = one_page(&hit, 1);
	struct ni_snippet s = NI_SNIPPET_INIT;
	assert_int_equal(ni_buf_adds(&s.text, "an \x1b[8m hidden oil"),
			 NI_OK);
	struct render_context ctx = {.query = "oil\x1b", .limit = 1,
				     .snippets = &s, .width = 80,
				     .suggestion = "o\x1bil"};
	struct written w;
	start(&w);
	render_text(w.out, &ctx, &r);
	const char *text = done(&w);
	assert_lacks(text, "\x1b");
	assert_lacks(text, "\x07");
	assert_lacks(text, "\xc2\x9b");
	assert_lacks(text, "\xff");
	assert_contains(text, "did you mean: o\xef\xbf\xbdil\n");
	assert_contains(text, " 1. Evil\xef\xbf\xbd]0;pwned\xef\xbf\xbd "
			"\xef\xbf\xbd" "31m title\xef\xbf\xbd\n");
	assert_contains(text, "    Corp\xef\xbf\xbd[5m \xc2\xb7 quality 37\n");
	assert_contains(text, "    an \xef\xbf\xbd[8m hidden oil\n");
	ni_buf_release(&s.text);
	free(w.text);
}

/* The controls that reorder text are left out of what people read: a
 * URL shown in its own order, in the text and the query echoed. */
static void test_text_leaves_out_bidi_controls(void **state)
{
	(void)state;
	struct ni_result hit = bare_hit();
	hit.doc.title = "Bank \xe2\x80\xaemoc.elgoog\xe2\x80\xac login";
	hit.doc.url = "https://evil.example/\xe2\x80\xaemoc.elgoog";
	struct ni_results r = one_page(&hit, 1);
	struct render_context ctx = {.query = "login\xe2\x81\xa7",
				     .limit = 1, .width = 80};
	struct written w;
	start(&w);
	render_text(w.out, &ctx, &r);
	const char *text = done(&w);
	assert_lacks(text, "\xe2\x80\xae");
	assert_lacks(text, "\xe2\x80\xac");
	assert_lacks(text, "\xe2\x81\xa7");
	assert_contains(text, "for \"login\"");
	assert_contains(text, " 1. Bank moc.elgoog login\n");
	assert_contains(text, "    https://evil.example/moc.elgoog\n");
	free(w.text);
}

/* A pasted paragraph is echoed as the words it is searched as: its line
 * breaks and tabs one space a run, other controls still U+FFFD. */
static void test_text_echoes_line_breaks_as_spaces(void **state)
{
	(void)state;
	struct ni_result hit = bare_hit();
	struct ni_results r = one_page(&hit, 1);
	struct render_context ctx = {.query = "oil\r\n\r\nprices\t\tcrude"
					      "\xc2\x85x \x1b[2J",
				     .limit = 1, .width = 80};
	struct written w;
	start(&w);
	render_text(w.out, &ctx, &r);
	const char *text = done(&w);
	assert_contains(text, "for \"oil prices crude x \xef\xbf\xbd[2J\"");
	free(w.text);
}

/* An article with no provider, date or quality: no line of spaces
 * under its title, the path straight after it. */
static void test_text_no_empty_meta_line(void **state)
{
	(void)state;
	struct ni_result hit = bare_hit();
	hit.doc.title = "Bare";
	struct ni_results r = one_page(&hit, 1);
	struct render_context ctx = {.query = "bare", .limit = 1,
				     .width = 80};
	struct written w;
	start(&w);
	render_text(w.out, &ctx, &r);
	const char *text = done(&w);
	assert_contains(text, " 1. Bare\n    /news/bare.txt\n");
	assert_lacks(text, "    \n");
	free(w.text);
}

static void test_text_styles_only_with_color(void **state)
{
	(void)state;
	struct ni_result hit = bare_hit();
	struct ni_results r = one_page(&hit, 1);
	struct ni_snippet s = NI_SNIPPET_INIT;
	assert_int_equal(ni_buf_adds(&s.text, "rising oil prices"), NI_OK);
	struct ni_span span = {7, 10};
	s.spans = &span, s.n_spans = 1;
	struct render_context ctx = {.query = "oil", .limit = 1,
				     .snippets = &s, .color = true};
	struct written w;
	start(&w);
	render_text(w.out, &ctx, &r);
	const char *text = done(&w);
	assert_contains(text, " 1. (no title)");
	assert_contains(text, "    rising \x1b[1;33moil\x1b[0m prices\n");
	free(w.text);
	ctx.color = false;
	start(&w);
	render_text(w.out, &ctx, &r);
	text = done(&w);
	assert_lacks(text, "\x1b");
	assert_contains(text, "    rising oil prices\n");
	ni_buf_release(&s.text);
	free(w.text);
}

static void test_text_wraps_at_the_width(void **state)
{
	(void)state;
	struct ni_result hit = bare_hit();
	struct ni_results r = one_page(&hit, 1);
	struct ni_snippet s = NI_SNIPPET_INIT;
	for (int i = 0; i < 20; i++)
		assert_int_equal(ni_buf_adds(&s.text, "word "), NI_OK);
	assert_int_equal(ni_buf_adds(&s.text, "\xe6\xbc\xa2\xe5\xad\x97"
				     "\xe6\xbc\xa2\xe5\xad\x97"), NI_OK);
	struct render_context ctx = {.query = "word", .limit = 1,
				     .snippets = &s, .width = 30};
	struct written w;
	start(&w);
	render_text(w.out, &ctx, &r);
	const char *text = done(&w);
	/* 4 columns of indent, then at most 26 of words: 5 of them. */
	assert_contains(text, "\n    word word word word word\n"
			"    word word word word word\n");
	/* No line of the snippet ends with a space; the wide characters
	 * go to a line of their own, not past the width. */
	assert_lacks(text, "word \n");
	assert_contains(text, "word\n    \xe6\xbc\xa2\xe5\xad\x97"
			"\xe6\xbc\xa2\xe5\xad\x97\n");
	ni_buf_release(&s.text);
	free(w.text);
}

static void test_lines_escape_what_could_drive_a_terminal(void **state)
{
	(void)state;
	struct ni_result hit = bare_hit();
	hit.doc.title = "tab\there\nnew \\ back\x1b";
	hit.doc.url = "https://x.example/a\x1b b";
	hit.doc.path = "/news/a\nb.txt";
	hit.doc.quality = (struct ni_opt_double){true, 12.5};
	struct ni_results r = one_page(&hit, 1);
	struct render_context ctx = {.query = "q", .limit = 1};
	struct written w;
	start(&w);
	render_lines(w.out, FORMAT_TSV, &ctx, &r);
	assert_string_equal(done(&w),
		"rank\tscore\tdate\tquality\tprovider\ttitle\turl\tpath\n"
		"1\t1.5000\t\t12.5\t\ttab\\there\\nnew \\\\ back\\x1b\t"
		"https://x.example/a\\x1b b\t/news/a\\nb.txt\n");
	free(w.text);
	start(&w);
	render_lines(w.out, FORMAT_URLS, &ctx, &r);
	assert_string_equal(done(&w), "https://x.example/a%1B b\n");
	free(w.text);
	start(&w);
	render_lines(w.out, FORMAT_PATHS, &ctx, &r);
	assert_string_equal(done(&w), "/news/a\\nb.txt\n");
	free(w.text);
	/* With -0, not on a terminal: the path whole, for xargs -0. */
	ctx.null = true;
	start(&w);
	render_lines(w.out, FORMAT_PATHS, &ctx, &r);
	const char *text = done(&w);
	assert_memory_equal(text, "/news/a\nb.txt\0", 14);
	free(w.text);
	/* On a terminal, escaped even with -0. */
	ctx.terminal = true;
	start(&w);
	render_lines(w.out, FORMAT_PATHS, &ctx, &r);
	text = done(&w);
	assert_memory_equal(text, "/news/a\\nb.txt\0", 15);
	free(w.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_absent_fields_are_null),
		cmocka_unit_test(test_json_values_as_documented),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_jsonl_is_the_results_alone),
		cmocka_unit_test(test_text_never_passes_controls),
		cmocka_unit_test(test_text_echoes_line_breaks_as_spaces),
		cmocka_unit_test(test_text_leaves_out_bidi_controls),
		cmocka_unit_test(test_text_no_empty_meta_line),
		cmocka_unit_test(test_text_styles_only_with_color),
		cmocka_unit_test(test_text_wraps_at_the_width),
		cmocka_unit_test(test_lines_escape_what_could_drive_a_terminal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
