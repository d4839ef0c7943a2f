/*
 * Tests of the search page's HTML (query/page.c): that nothing from an
 * article or the request escapes its context (HTML text, attributes,
 * links, images), and that the page's parts are there: the box, hits,
 * marked words, facets that add their filter, pages, "did you mean",
 * the date range, the explanation, the error page's caret.  Results
 * are made by hand; no index is opened.
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
#include "page.h"

static const struct page_settings THUMBNAILS = {.thumbnails = true};

static struct page_request request(const char *q)
{
	struct page_request req = {
		.q = q, .from = "", .to = "", .limit = 10,
	};
	return req;
}

static struct ni_result hit(const char *title, const char *url)
{
	struct ni_result h = {.score = 2, .relevance = 1.5,
			      .quality_part = 0.5, .all_words = true};
	h.doc.title = (char *)title;
	h.doc.url = (char *)url;
	return h;
}

static struct ni_results page_of(struct ni_result *hits, size_t n)
{
	struct ni_results r = {
		.hits = hits, .n_hits = n, .total = n, .total_exact = true,
		.stories = n, .stories_exact = true,
	};
	return r;
}

static struct render_context context(const char *query)
{
	struct render_context ctx = {.query = query, .limit = 10};
	return ctx;
}

/* The page of results; the caller frees it. */
static char *results_page(const struct page_request *req,
			  const struct page_settings *settings,
			  const struct render_context *ctx,
			  const struct ni_results *r)
{
	struct ni_buf out = NI_BUF_INIT;
	assert_int_equal(page_results(&out, req, settings, ctx, r), NI_OK);
	return ni_buf_detach(&out);
}

/* The page of one hit for `q`. */
static char *one_hit_page(const char *q, struct ni_result h,
			  const struct page_settings *settings)
{
	struct page_request req = request(q);
	struct render_context ctx = context(q);
	struct ni_results r = page_of(&h, 1);
	return results_page(&req, settings, &ctx, &r);
}

/* printf's text, in memory the caller frees. */
static char *format(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	assert_true(n > 0 && (size_t)n < sizeof buf);
	return strdup(buf);
}

/*
 * What the Content-Security-Policy forbids is not written: no script
 * but the page's own file, no style element or attribute, no event
 * handler attribute.
 */
static void assert_nothing_inline(const char *html)
{
	for (const char *at = strstr(html, "<script"); at;
	     at = strstr(at + 1, "<script"))
		if (strncmp(at, "<script src=\"assets/page.js?v=", 30))
			fail_msg("an inline script: %.60s", at);
	assert_lacks(html, "<style");
	assert_lacks(html, " style=");
	for (const char *at = strstr(html, " on"); at;
	     at = strstr(at + 1, " on")) {
		size_t n = strspn(at + 3, "abcdefghijklmnopqrstuvwxyz");
		if (n && at[3 + n] == '=')
			fail_msg("an event handler: %.60s", at);
	}
}

/* The text between `after` and the next `until` in `html`; freed by
 * the caller.  Fails when `after` is not there. */
static char *between(const char *html, const char *after, const char *until)
{
	const char *from = html ? strstr(html, after) : NULL;
	const char *to = from ? strstr(from + strlen(after), until) : NULL;
	if (!to) {
		fail_msg("'%s' ... '%s' not in the page:\n%s", after, until,
			 html ? html : "(null)");
		return NULL;
	}
	from += strlen(after);
	return strndup(from, (size_t)(to - from));
}

/* That `first` comes before `then` in `html` (a screen reader that goes
 * to the page's h1 reads on from there). */
static void in_order(const char *html, const char *first, const char *then)
{
	const char *a = strstr(html, first), *b = strstr(html, then);
	if (!a || !b || a > b)
		fail_msg("'%s' is not before '%s' in the page:\n%s", first,
			 then, html);
}

/* ---- escaping ---------------------------------------------------------- */

static void test_hostile_title_is_text(void **state)
{
	(void)state;
	struct ni_result h = hit("<script>alert(1)</script> & \"quoted\" "
				 "'single'", "https://example.com/a");
	h.n_similar = 1;
	char *html = one_hit_page("x", h, &THUMBNAILS);
	assert_contains(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
			"&quot;quoted&quot; &#39;single&#39;");
	assert_lacks(html, "<script>alert");
	assert_nothing_inline(html);
	/* In the link to the copies, the title is part of a query. */
	assert_contains(html, "href=\"search?q=title%3A%22%3Cscript%3Ealert"
			"%281%29%3C%2Fscript%3E%20%26%20%20quoted%20%20%27"
			"single%27%22&amp;all=1\"");
	free(html);
}

static void test_controls_and_bad_utf8_become_replacement(void **state)
{
	(void)state;
	char *html = one_hit_page("x", hit("bell\a esc\033[31m c1\xc2\x9b "
					   "bad\xff end\ttab",
					   "https://example.com/a"),
				  &THUMBNAILS);
	assert_contains(html, "bell\xef\xbf\xbd esc\xef\xbf\xbd[31m "
			"c1\xef\xbf\xbd bad\xef\xbf\xbd end tab");
	assert_lacks(html, "\033");
	assert_lacks(html, "\xff");
	free(html);
}

/* A control that reorders text is left out: a title cannot show its URL
 * in another order (ni_control.h). */
static void test_bidi_controls_left_out(void **state)
{
	(void)state;
	char *html = one_hit_page("x", hit("login \xe2\x80\xaemoc.elgoog\xe2\x80\xac "
					   "\xe2\x81\xa7x\xe2\x81\xa9 end",
					   "https://example.com/a"),
				  &THUMBNAILS);
	assert_contains(html, "login moc.elgoog x end");
	assert_lacks(html, "\xe2\x80\xae");
	assert_lacks(html, "\xe2\x81\xa7");
	free(html);
}

/* A URL is a link only when it is http or https from its first byte,
 * with no white space or control character a browser would drop. */
static void test_only_http_urls_are_links(void **state)
{
	(void)state;
	const char *bad[] = {
		"javascript:alert(1)", "JavaScript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"vbscript:msgbox(1)", " https://leading.space/",
		"java\tscript:alert(1)", "https://tab\t.example/",
		"\x01https://control.example/", "//no.scheme/",
		"file:///etc/passwd", "httpx://example.com/", "https:/one",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *html = one_hit_page("x", hit("Title", bad[i]),
					  &THUMBNAILS);
		char *title = between(html, "<h2 class=\"title\" "
				      "dir=\"auto\">", "</h2>");
		if (strstr(title, "href"))
			fail_msg("'%s' is a link: %s", bad[i], title);
		assert_string_equal(title, "Title");
		/* Shown, as text, marked as not followed. */
		assert_contains(html, "<p class=\"url unsafe\">");
		assert_lacks(html, "href=\"javascript");
		assert_lacks(html, "href=\"data");
		assert_lacks(html, "href=\"vbscript");
		free(title);
		free(html);
	}
	const char *good[] = {"https://example.com/a?b=1&c=2",
			      "HTTP://EXAMPLE.COM/", "http://example.com/"};
	const char *href[] = {"https://example.com/a?b=1&amp;c=2",
			      "HTTP://EXAMPLE.COM/", "http://example.com/"};
	for (size_t i = 0; i < 3; i++) {
		char *html = one_hit_page("x", hit("Title", good[i]),
					  &THUMBNAILS);
		char *want = format("<h2 class=\"title\" dir=\"auto\">"
				    "<a href=\"%s\" rel=\"noreferrer\">"
				    "Title</a></h2>",
				    href[i]);
		assert_contains(html, want);
		assert_contains(html, "<p class=\"url\">");
		free(want);
		free(html);
	}
}

/* A quote in a URL cannot end the attribute. */
static void test_url_cannot_leave_its_attribute(void **state)
{
	(void)state;
	char *html = one_hit_page("x", hit("T", "https://e.com/\"onmouseover="
					   "alert(1)//'<b>"), &THUMBNAILS);
	assert_contains(html, "href=\"https://e.com/&quot;onmouseover=alert(1)"
			"//&#39;&lt;b&gt;\"");
	assert_nothing_inline(html);
	free(html);
}

/* ---- thumbnails -------------------------------------------------------- */

static char *image_page(const char *url, int64_t width, int64_t height,
			const struct page_settings *settings)
{
	struct ni_result h = hit("T", "https://example.com/");
	h.doc.image.url = (char *)url;
	h.doc.image.width = width;
	h.doc.image.height = height;
	return one_hit_page("x", h, settings);
}

static void test_thumbnail_is_https_sized_and_lazy(void **state)
{
	(void)state;
	char *html = image_page("https://img.example/a.jpg?w=1&h=2", 800, 450,
				&THUMBNAILS);
	/* 112 pixels wide, 63 high: the shape of 800 by 450. */
	assert_contains(html, "<img class=\"thumb\" src=\"https://img.example/"
			"a.jpg?w=1&amp;h=2\" alt=\"\" width=\"112\" "
			"height=\"63\" loading=\"lazy\"");
	free(html);
	/* Without a size given: a box of the default shape all the same. */
	html = image_page("https://img.example/b.jpg", 0, 0, &THUMBNAILS);
	assert_contains(html, "width=\"112\" height=\"75\" loading=\"lazy\"");
	free(html);
	/* A very tall or flat image is cropped to bounds. */
	html = image_page("https://img.example/c.jpg", 10, 10000, &THUMBNAILS);
	assert_contains(html, "width=\"112\" height=\"112\"");
	free(html);
	html = image_page("https://img.example/d.jpg", 10000, 10, &THUMBNAILS);
	assert_contains(html, "width=\"112\" height=\"48\"");
	free(html);
}

static void test_thumbnail_only_from_https_and_when_on(void **state)
{
	(void)state;
	const char *bad[] = {
		"http://img.example/a.jpg", "javascript:alert(1)",
		"data:image/png;base64,AAAA", "//img.example/a.jpg",
		"https://img.example/a b.jpg",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *html = image_page(bad[i], 10, 10, &THUMBNAILS);
		assert_lacks(html, "<img");
		free(html);
	}
	struct page_settings off = {.thumbnails = false};
	char *html = image_page("https://img.example/a.jpg", 10, 10, &off);
	assert_lacks(html, "<img");
	free(html);
}

/* ---- the query, echoed ------------------------------------------------- */

static void test_query_is_escaped_in_box_and_links(void **state)
{
	(void)state;
	const char *q = "\"><script>alert(1)</script> a&b=c #x";
	struct ni_result hits[] = {hit("T", "https://e.com/")};
	struct ni_results r = page_of(hits, 1);
	r.total = r.stories = 30;
	r.more = true;
	struct page_request req = request(q);
	struct render_context ctx = context(q);
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "value=\"&quot;&gt;&lt;script&gt;alert(1)"
			"&lt;/script&gt; a&amp;b=c #x\"");
	/* In the next page's link: percent-encoded, whole. */
	assert_contains(html, "href=\"search?q=%22%3E%3Cscript%3Ealert%281%29"
			"%3C%2Fscript%3E%20a%26b%3Dc%20%23x&amp;offset=1\"");
	assert_contains(html, "<title>&quot;&gt;&lt;script&gt;");
	assert_lacks(html, "<script>alert");
	assert_nothing_inline(html);
	free(html);
}

/* Parameters the page does not change are kept, in links and form. */
static void test_other_parameters_are_kept(void **state)
{
	(void)state;
	struct serve_param params[] = {
		{"q", "ai"}, {"lang", "de"}, {"limit", "5"}, {"offset", "5"},
		{"x\"y", "<v>"}, {"explain", "1"},
	};
	struct page_request req = request("ai");
	req.params = params;
	req.n_params = sizeof params / sizeof *params;
	req.explain = true;
	req.limit = 5;
	struct ni_result hits[] = {hit("T", "https://e.com/")};
	struct ni_results r = page_of(hits, 1);
	r.total = r.stories = 30;
	r.more = true;
	struct render_context ctx = context("ai");
	ctx.offset = 5;
	ctx.limit = 5;
	ctx.explain = true;
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<a rel=\"prev\" href=\"search?q=ai&amp;lang=de"
			"&amp;limit=5&amp;x%22y=%3Cv%3E&amp;explain=1\">");
	assert_contains(html, "<a rel=\"next\" href=\"search?q=ai&amp;lang=de"
			"&amp;limit=5&amp;x%22y=%3Cv%3E&amp;explain=1&amp;"
			"offset=6\">");
	/* The form has no field for them: they go hidden. */
	assert_contains(html, "<input type=\"hidden\" name=\"lang\" "
			"value=\"de\">");
	assert_contains(html, "<input type=\"hidden\" name=\"x&quot;y\" "
			"value=\"&lt;v&gt;\">");
	assert_lacks(html, "type=\"hidden\" name=\"q\"");
	assert_lacks(html, "type=\"hidden\" name=\"offset\"");
	assert_lacks(html, "type=\"hidden\" name=\"explain\"");
	assert_contains(html, "name=\"explain\" value=\"1\" checked>");
	free(html);
}

/*
 * A first page of results says, for page.js's offer of new articles,
 * its own search as /api/search takes it (the date range in the query,
 * search options only, no offset, no facets) and its index's revision;
 * a later page, or one of no results (limit=0), says neither.
 */
static void test_first_page_says_its_search(void **state)
{
	(void)state;
	struct serve_param params[] = {
		{"q", "ai"}, {"from", "2021"}, {"sort", "date"},
		{"facets", "topic"}, {"x\"y", "<v>"}, {"limit", "5"},
	};
	struct page_request req = request("ai");
	req.from = "2021";
	req.params = params;
	req.n_params = sizeof params / sizeof *params;
	req.revision = 42;
	struct ni_result hits[] = {hit("T", "https://e.com/")};
	struct ni_results r = page_of(hits, 1);
	struct render_context ctx = context("ai");
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<main id=\"main\" data-live=\"api/search?"
			"q=ai%20date%3A2021..&amp;sort=date&amp;limit=5&amp;"
			"facets=\" data-revision=\"42\">");
	free(html);
	req.revision = 0;  /* a stub of shards: no revision */
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "&amp;facets=\">");
	assert_lacks(html, "data-revision");
	free(html);
	ctx.offset = 10;
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<main id=\"main\">");
	free(html);
	ctx.offset = 0;
	ctx.limit = 0;
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<main id=\"main\">");
	free(html);
}

/* ---- the parts of the page --------------------------------------------- */

static void test_snippet_marks_matched_words(void **state)
{
	(void)state;
	struct ni_snippet s = NI_SNIPPET_INIT;
	const char *text = "AI <b>rules</b> for AI makers";
	assert_int_equal(ni_buf_adds(&s.text, text), NI_OK);
	struct ni_span spans[] = {{0, 2}, {20, 22}};
	s.spans = spans;
	s.n_spans = 2;
	struct ni_result h = hit("T", "https://e.com/");
	struct page_request req = request("ai");
	struct render_context ctx = context("ai");
	ctx.snippets = &s;
	struct ni_results r = page_of(&h, 1);
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<p class=\"snippet\" dir=\"auto\"><mark>AI"
			"</mark> &lt;b&gt;rules&lt;/b&gt; for <mark>AI</mark> "
			"makers</p>");
	free(html);
	ni_buf_release(&s.text);
}

/* The page of one hit `h` with the snippet `s` holds `has`, and lacks
 * `lacks` when not NULL. */
static void expect_hit_html(struct ni_result h, struct ni_snippet *s,
			    const char *has, const char *lacks)
{
	struct page_request req = request("x");
	struct render_context ctx = context("x");
	ctx.snippets = s;
	struct ni_results r = page_of(&h, 1);
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, has);
	if (lacks)
		assert_lacks(html, lacks);
	free(html);
}

/* The article's language, when its file gave one, on its own text (the
 * title and the snippet), never on the page's words or a placeholder. */
static void test_article_language_on_its_text(void **state)
{
	(void)state;
	struct ni_snippet s = NI_SNIPPET_INIT;
	assert_int_equal(ni_buf_adds(&s.text, "日本銀行は"), NI_OK);
	struct ni_result h = hit("日本銀行", "https://e.com/");
	h.doc.lang = "ja";
	expect_hit_html(h, &s, "<h2 class=\"title\" dir=\"auto\" lang=\"ja\">",
			NULL);
	expect_hit_html(h, &s, "<p class=\"snippet\" dir=\"auto\" lang=\"ja\">",
			NULL);
	expect_hit_html(h, &s, "<html lang=\"en\">", NULL);
	/* No title: "(no title)" is the page's English. */
	h.doc.title = NULL;
	expect_hit_html(h, &s, "<h2 class=\"title\" dir=\"auto\">", NULL);
	/* From an index of another program's making: text, not markup. */
	h.doc.title = "T";
	h.doc.lang = "x\"><script>";
	expect_hit_html(h, &s, "lang=\"x&quot;&gt;&lt;script&gt;\"",
			"<script>");
	/* None given: no attribute, the page's language holds. */
	h.doc.lang = NULL;
	expect_hit_html(h, &s, "<p class=\"snippet\" dir=\"auto\">",
			" lang=\"ja\"");
	ni_buf_release(&s.text);
}

/* Links are relative to the request's path, so that a reverse proxy
 * may serve the pages under a path prefix. */
static void test_links_relative_to_the_root(void **state)
{
	(void)state;
	assert_string_equal(page_root_of("/"), "");
	assert_string_equal(page_root_of("/search"), "");
	assert_string_equal(page_root_of("/search/"), "../");
	assert_string_equal(page_root_of("/a/b/c"), "../../");
	assert_string_equal(page_root_of(NULL), "");
	char deep[200] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "/a");
	assert_int_equal(strlen(page_root_of(deep)), 3 * 32);

	struct ni_result h = hit("T", "https://e.com/");
	struct page_request req = request("ai");
	req.root = "../";
	struct render_context ctx = context("ai");
	struct ni_results r = page_of(&h, 1);
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<a class=\"brand\" href=\"../\">");
	assert_contains(html, "action=\"../search\"");
	assert_contains(html, "href=\"../assets/page.css?v=");
	assert_contains(html, "<script src=\"../assets/page.js?v=");
	assert_contains(html, "href=\"../assets/icon.svg?v=");
	assert_contains(html, "data-live=\"../api/search?q=ai");
	assert_contains(html, "href=\"../feed?q=ai\"");
	assert_contains(html, "href=\"../search?q=ai&amp;sort=date\"");
	assert_lacks(html, "=\"/");
	free(html);
	/* At the root, the home link is the folder itself. */
	req.root = NULL;
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<a class=\"brand\" href=\"./\">");
	assert_contains(html, "action=\"search\"");
	assert_lacks(html, "=\"/");
	free(html);
}

static void test_meta_line_and_similar_copies(void **state)
{
	(void)state;
	struct ni_result h = hit("Senate \"passes\" bill", "https://e.com/");
	h.doc.provider_name = "AP <wire>";
	h.doc.date = (struct ni_opt_time){true, 1639390920};
	h.doc.quality = (struct ni_opt_double){true, 37};
	h.n_similar = 2;
	h.doc.related_of = "https://parent/";
	char *html = one_hit_page("senate", h, &THUMBNAILS);
	/* The copies: every copy (all=1) with the title as a phrase, its
	 * own quotes made spaces. */
	assert_contains(html, "<p class=\"meta\"><span class=\"provider\" "
			"dir=\"auto\">AP &lt;wire&gt;</span> \xc2\xb7 "
			"<time datetime=\"2021-12-13T10:22:00Z\">2021-12-13"
			"</time> \xc2\xb7 quality 37 \xc2\xb7 "
			"<a class=\"similar\" href=\"search?q="
			"title%3A%22Senate%20%20passes%20%20bill%22&amp;all=1"
			"\">+2 similar</a> \xc2\xb7 related record</p>");
	free(html);
}

static void test_explain_line_on_request(void **state)
{
	(void)state;
	struct ni_result h = hit("T", "https://e.com/");
	struct page_request req = request("x");
	struct render_context ctx = context("x");
	struct ni_results r = page_of(&h, 1);
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_lacks(html, "class=\"explain\"");
	free(html);
	ctx.explain = true;
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<p class=\"explain\">all words \xc2\xb7 bm25 "
			"1.500 + quality 0.500 + recency 0.000 = 2.000</p>");
	free(html);
}

/* A facet value is a link that adds its filter to the query. */
static void test_facets_add_their_filter(void **state)
{
	(void)state;
	char *topics[] = {"AI", "Say \"cheese\""};
	char *providers[] = {"Der Spiegel"};
	char *months[] = {"2023-07"};
	uint64_t counts[] = {8, 2};
	struct ni_result h = hit("T", "https://e.com/");
	struct ni_results r = page_of(&h, 1);
	r.facets[NI_FACET_TOPIC] = (struct ni_facet_list){topics, counts, 2};
	r.facets[NI_FACET_PROVIDER] = (struct ni_facet_list){providers,
							     counts, 1};
	r.facets[NI_FACET_MONTH] = (struct ni_facet_list){months, counts, 1};
	struct render_context ctx = context("chip");
	ctx.facets = 7;
	struct page_request req = request("chip");
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<li><a dir=\"auto\" href=\"search?q=chip%20"
			"topic%3A%22AI%22\">AI</a> <span class=\"count\">8"
			"</span></li>");
	assert_contains(html, "href=\"search?q=chip%20provider%3A%22Der%20"
			"Spiegel%22\">Der Spiegel</a>");
	assert_contains(html, "href=\"search?q=chip%20date%3A2023-07\">"
			"2023-07</a>");
	/* No filter can hold a quote: the value is only shown. */
	assert_contains(html, "<li><bdi>Say &quot;cheese&quot;</bdi> <span "
			"class=\"count\">2</span></li>");
	free(html);
	/* After an OR, the query goes in parentheses. */
	req = request("chip OR wafer");
	ctx.query = req.q;
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "href=\"search?q=%28chip%20OR%20wafer%29%20"
			"topic%3A%22AI%22\"");
	free(html);
	/* A filter the query has is shown as chosen, not as a link. */
	req = request("chip topic:\"AI\"");
	ctx.query = req.q;
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<li><span class=\"chosen\" dir=\"auto\" "
			"aria-current=\"true\">AI</span>");
	free(html);
}

static void test_did_you_mean_and_date_range(void **state)
{
	(void)state;
	struct ni_result h = hit("T", "https://e.com/");
	struct ni_results r = page_of(&h, 1);
	struct page_request req = request("sanctoins");
	req.from = "2021-01-01";
	req.to = "2021-12";
	struct ni_buf text = NI_BUF_INIT, problem = NI_BUF_INIT;
	const char *param;
	assert_true(page_query_text(&req, &text, &param, &problem));
	assert_string_equal(text.data,
			    "sanctoins date:2021-01-01..2021-12");
	struct render_context ctx = context(text.data);
	ctx.suggestion = "sanctions date:2021-01-01..2021-12";
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	/* The range stays in from= and to=, not in q. */
	assert_contains(html, "<p class=\"suggestion\">Did you mean <a href=\""
			"search?q=sanctions&amp;from=2021-01-01&amp;to="
			"2021-12\"><strong><bdi>sanctions</bdi></strong></a>"
			"?</p>");
	assert_contains(html, "name=\"from\" value=\"2021-01-01\"");
	/* A month is no value for a date input, which would lose it. */
	assert_contains(html, "type=\"text\" name=\"to\"");
	assert_contains(html, "<details class=\"options\" open>");
	free(html);
	ni_buf_release(&text);
}

static void test_query_text_checks_dates(void **state)
{
	(void)state;
	struct {
		const char *q, *from, *to, *want;
	} good[] = {
		{"ai", "", "", "ai"},
		{"ai", "2021", "", "ai date:2021.."},
		{"ai", "", "2021-02-28", "ai date:..2021-02-28"},
		{"", "2020-02-29", "2020-03", "date:2020-02-29..2020-03"},
		{"  ", "2020", "", "date:2020.."},
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		struct page_request req = request(good[i].q);
		req.from = good[i].from;
		req.to = good[i].to;
		struct ni_buf text = NI_BUF_INIT, problem = NI_BUF_INIT;
		const char *param = "x";
		assert_true(page_query_text(&req, &text, &param, &problem));
		assert_string_equal(ni_buf_str(&text), good[i].want);
		assert_null(param);
		ni_buf_release(&text);
	}
	const char *bad[] = {"2021-13", "2021-02-29", "2021-1-1", "21",
			     "2021-04-31", "2021-00", "7d", "2021 OR x",
			     "2021-01-01..", "\"", "2021-01-00"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct page_request req = request("ai");
		req.to = bad[i];
		struct ni_buf text = NI_BUF_INIT, problem = NI_BUF_INIT;
		const char *param = NULL;
		if (page_query_text(&req, &text, &param, &problem))
			fail_msg("'%s' taken as a date", bad[i]);
		assert_string_equal(param, "to");
		char *want = format("'%s' is not a date (YYYY-MM-DD)",
				    bad[i]);
		assert_string_equal(ni_buf_str(&problem), want);
		free(want);
		ni_buf_release(&text);
		ni_buf_release(&problem);
	}
}

static void test_pages_and_sort_links(void **state)
{
	(void)state;
	struct ni_result hits[] = {hit("A", "https://e.com/a"),
				   hit("B", "https://e.com/b")};
	struct ni_results r = page_of(hits, 2);
	r.total = r.stories = 50;
	r.more = true;
	struct page_request req = request("ai");
	req.sort = NI_SORT_DATE;
	struct render_context ctx = context("ai");
	ctx.offset = 12;
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<ol class=\"hits\" start=\"13\">");
	assert_contains(html, "<a rel=\"prev\" href=\"search?q=ai&amp;sort="
			"date&amp;offset=2\">");
	assert_contains(html, "<span class=\"at\">Page 3</span>");
	assert_contains(html, "<a rel=\"next\" href=\"search?q=ai&amp;sort="
			"date&amp;offset=14\">");
	assert_contains(html, "50 articles, 13 to 14");
	/* Sort links start at the first page; relevance is the default. */
	assert_contains(html, "<a href=\"search?q=ai\">relevance</a> \xc2\xb7 "
			"<span aria-current=\"true\">date</span> \xc2\xb7 <a "
			"href=\"search?q=ai&amp;sort=quality\">quality</a>");
	assert_contains(html, "<option value=\"date\" selected>");
	free(html);
	/* The first page has no previous; the last no next. */
	r.more = false;
	ctx.offset = 0;
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_lacks(html, "class=\"pages\"");
	free(html);
}

/* Sorted by heat, a hit's known heat is in its line; not otherwise. */
static void test_heat_shown_when_sorted_by_it(void **state)
{
	(void)state;
	struct ni_result hits[] = {hit("A", "https://e.com/a"),
				   hit("B", "https://e.com/b")};
	hits[0].heat = 57;
	hits[1].heat = -1;
	hits[0].doc.quality = hits[1].doc.quality =
		(struct ni_opt_double){.present = true, .value = 40};
	struct ni_results r = page_of(hits, 2);
	struct page_request req = request("ai");
	struct render_context ctx = context("ai");
	req.sort = NI_SORT_HEAT;
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<p class=\"meta\">quality 40 \xc2\xb7 heat 57</p>");
	assert_contains(html, "<p class=\"meta\">quality 40</p>");
	/* The bar says the page is sorted by heat, not by relevance. */
	assert_contains(html, "quality</a> \xc2\xb7 <span aria-current="
			"\"true\">hottest first</span></nav>");
	free(html);
	req.sort = NI_SORT_RELEVANCE;
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_lacks(html, "heat 57");
	free(html);
}

static void test_no_results_pages(void **state)
{
	(void)state;
	struct ni_results r = page_of(NULL, 0);
	struct page_request req = request("zzq <b>");
	struct render_context ctx = context("zzq <b>");
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<h1>No results for \xe2\x80\x9c<bdi>zzq "
			"&lt;b&gt;</bdi>\xe2\x80\x9d</h1>");
	assert_lacks(html, "<ol");
	free(html);
	/* Past the end: how many there are, and the way back. */
	r.total = r.stories = 12;
	ctx.offset = 40;
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	assert_contains(html, "<h1>No results at offset 40</h1>\n<p>There are "
			"12 articles in all: <a href=\"search?q=zzq%20%3Cb%3E"
			"\">go to the first page</a>");
	free(html);
}

/* Notices, with a caret for a query searched as words, after the
 * page's heading. */
static void test_notices_and_caret(void **state)
{
	(void)state;
	struct ni_result h = hit("T", "https://e.com/");
	struct ni_results r = page_of(&h, 1);
	const char *q = "日本 \"<x";
	struct page_request req = request(q);
	struct render_context ctx = context(q);
	char *notices[] = {"unclosed quote; searched as words", "<n2>"};
	ctx.notices = notices;
	ctx.n_notices = 2;
	struct ni_qparse_error err = {.offset = 7, .length = 1};
	ctx.syntax_error = &err;
	ctx.n_missing = 1;
	char *html = results_page(&req, &THUMBNAILS, &ctx, &r);
	/* Column 4 (characters); the caret under it after 5 columns, the
	 * two wide characters taking two each. */
	assert_contains(html, "<p class=\"notice\">unclosed quote; searched as "
			"words</p>\n<p class=\"where\">At column 4:</p>\n<pre "
			"class=\"caret\"><code>日本 <mark>&quot;</mark>&lt;x\n"
			"     ^</code></pre>\n<p class=\"notice\">&lt;n2&gt;"
			"</p>");
	assert_contains(html, "1 shard of the index did not answer");
	in_order(html, "<h1", "class=\"notices\"");
	free(html);
	/* And on a page of no results, under its heading. */
	r = page_of(NULL, 0);
	ctx.suggestion = "nihon";
	html = results_page(&req, &THUMBNAILS, &ctx, &r);
	in_order(html, "<h1>No results", "class=\"suggestion\"");
	in_order(html, "class=\"suggestion\"", "class=\"notices\"");
	in_order(html, "class=\"notices\"", "<p>Try other words");
	free(html);
}

static void test_problem_page(void **state)
{
	(void)state;
	struct page_request req = request("a (b <i>");
	struct ni_qparse_error err = {.offset = 2, .length = 1};
	struct ni_buf out = NI_BUF_INIT;
	assert_int_equal(page_problem(&out, &req, &THUMBNAILS,
				      "The query cannot be read",
				      "unclosed '(' <here>", &err), NI_OK);
	assert_contains(out.data, "<section class=\"problem\" role=\"alert\">\n"
			"<h1>The query cannot be read</h1>\n<p>unclosed "
			"&#39;(&#39; &lt;here&gt;</p>\n<p class=\"where\">At "
			"column 3:</p>");
	assert_contains(out.data, "<code>a <mark>(</mark>b &lt;i&gt;\n  ^"
			"</code>");
	assert_contains(out.data, "value=\"a (b &lt;i&gt;\"");
	assert_nothing_inline(out.data);
	ni_buf_release(&out);
	/* Wide characters: the caret under each of their columns. */
	req = request("x 日本)");
	err = (struct ni_qparse_error){.offset = 2, .length = 6};
	assert_int_equal(page_problem(&out, &req, &THUMBNAILS, "h", NULL,
				      &err), NI_OK);
	assert_contains(out.data, "<p class=\"where\">At column 3:</p>\n"
			"<pre class=\"caret\"><code>x <mark>日本</mark>)\n"
			"  ^^^^</code>");
	ni_buf_release(&out);
	/* Without a place: the message alone. */
	assert_int_equal(page_problem(&out, &req, &THUMBNAILS, "No index",
				      NULL, NULL), NI_OK);
	assert_lacks(out.data, "class=\"caret\"");
	ni_buf_release(&out);
}

static void test_home_page_and_frame(void **state)
{
	(void)state;
	struct page_request req = request("");
	struct ni_buf out = NI_BUF_INIT;
	assert_int_equal(page_home(&out, &req, &THUMBNAILS), NI_OK);
	const char *html = out.data;
	assert_true(!strncmp(html, "<!DOCTYPE html>\n<html lang=\"en\">", 31));
	assert_contains(html, "<meta name=\"viewport\" content=\"width="
			"device-width, initial-scale=1\">");
	assert_contains(html, "<label class=\"label\" for=\"q\">");
	assert_contains(html, "<input id=\"q\" name=\"q\" type=\"search\" "
			"dir=\"auto\"");
	assert_contains(html, "role=\"search\"");
	assert_contains(html, "<main id=\"main\">");
	/* The keys are page.js's: told only once it runs. */
	assert_contains(html, "<footer class=\"bottom\" hidden><p>Keys:");
	assert_contains(html, "href=\"search?q=topic%3Aai%20date%3A2023\"");
	/* The assets, by their versions. */
	const struct page_asset *css = page_asset_find("/assets/page.css");
	const struct page_asset *js = page_asset_find("/assets/page.js");
	assert_non_null(css);
	assert_non_null(js);
	assert_string_equal(css->content_type, "text/css; charset=utf-8");
	assert_string_equal(js->content_type,
			    "text/javascript; charset=utf-8");
	assert_true(css->len > 1000 && js->len > 500);
	assert_int_equal(strlen((const char *)css->data), css->len);
	char *link = format("href=\"assets/page.css?v=%s\"", css->version);
	assert_contains(html, link);
	free(link);
	link = format("<script src=\"assets/page.js?v=%s\" defer></script>",
		      js->version);
	assert_contains(html, link);
	free(link);
	assert_null(page_asset_find("/assets/../page.css"));
	assert_null(page_asset_find("/assets/page.css?v=1"));
	assert_nothing_inline(html);
	ni_buf_release(&out);
}

/* A file path is shown only when the server may show paths. */
static void test_paths_only_when_allowed(void **state)
{
	(void)state;
	struct ni_result h = hit("T", NULL);
	h.doc.path = "/srv/news/secret.txt";
	char *html = one_hit_page("x", h, &THUMBNAILS);
	assert_lacks(html, "secret");
	free(html);
	struct page_settings paths = {.paths = true};
	html = one_hit_page("x", h, &paths);
	assert_contains(html, "<p class=\"url unsafe\">/srv/news/secret.txt");
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_title_is_text),
		cmocka_unit_test(test_controls_and_bad_utf8_become_replacement),
		cmocka_unit_test(test_bidi_controls_left_out),
		cmocka_unit_test(test_only_http_urls_are_links),
		cmocka_unit_test(test_url_cannot_leave_its_attribute),
		cmocka_unit_test(test_thumbnail_is_https_sized_and_lazy),
		cmocka_unit_test(test_thumbnail_only_from_https_and_when_on),
		cmocka_unit_test(test_query_is_escaped_in_box_and_links),
		cmocka_unit_test(test_other_parameters_are_kept),
		cmocka_unit_test(test_first_page_says_its_search),
		cmocka_unit_test(test_snippet_marks_matched_words),
		cmocka_unit_test(test_article_language_on_its_text),
		cmocka_unit_test(test_links_relative_to_the_root),
		cmocka_unit_test(test_meta_line_and_similar_copies),
		cmocka_unit_test(test_explain_line_on_request),
		cmocka_unit_test(test_facets_add_their_filter),
		cmocka_unit_test(test_did_you_mean_and_date_range),
		cmocka_unit_test(test_query_text_checks_dates),
		cmocka_unit_test(test_pages_and_sort_links),
		cmocka_unit_test(test_heat_shown_when_sorted_by_it),
		cmocka_unit_test(test_no_results_pages),
		cmocka_unit_test(test_notices_and_caret),
		cmocka_unit_test(test_problem_page),
		cmocka_unit_test(test_home_page_and_frame),
		cmocka_unit_test(test_paths_only_when_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
