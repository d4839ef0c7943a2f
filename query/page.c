/* The search page's HTML: see page.h and docs/serving.md. */
#include "page.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicode/utf8.h>

#include <time.h>

#include "ni_dates.h"
#include "ni_fields.h"
#include "ni_control.h"
#include "ni_snippet.h"
#include "session.h"

/* Facet values shown before "N more" (the rest fold into a <details>). */
#define FACET_SHOWN 8
/*
 * A thumbnail is this many CSS pixels wide, and as high as the image's
 * shape says, within these bounds (CSS crops it to fit), or of the
 * default height when the article does not give the image's size.
 */
#define THUMB_WIDTH 112
#define THUMB_MIN_HEIGHT 48
#define THUMB_MAX_HEIGHT 112
#define THUMB_DEFAULT_HEIGHT 75

/* What sort= says, in the order of enum ni_sort. */
static const char *const SORT_NAMES[] = {
	"relevance", "date", "quality", "date-asc", "heat",
};
static const char *const SORT_LABELS[] = {
	"Relevance", "Newest first", "Quality", "Oldest first",
	"Hottest first",
};
#define N_SORTS (sizeof SORT_NAMES / sizeof *SORT_NAMES)

/* Headings of the facets, in the order of enum ni_facet; a facet
 * without one is headed by its name (ni_fields.h). */
static const char *const FACET_HEADINGS[NI_FACET_COUNT] = {
	"Topic", "Provider", "Month",
};

/* Parameters the form has fields for: it carries the others hidden. */
static const char *const FORM_FIELDS[] = {
	"q", "sort", "from", "to", "all", "explain", "offset",
};

/* A page being written, to a memory stream. */
struct page {
	FILE *out;
	char *text;
	size_t len;
	const struct page_request *req;
	const struct page_settings *settings;
	/* The text searched, date range and all, for the link to its
	 * feed (atom.h); NULL on a page that has none. */
	const char *feed_query;
};

/* ---- escaping ----------------------------------------------------------- */

/*
 * `len` bytes of text from anywhere (an article, the request), as HTML
 * text or the value of a quoted attribute: the characters HTML gives a
 * meaning as references, white space as a space, any other control
 * character and each ill-formed UTF-8 sequence as U+FFFD.
 */
static void put_html_n(FILE *out, const char *text, size_t len)
{
	int32_t i = 0, n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
	while (i < n) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(text, i, n, c);
		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		case '\t': case '\n': case '\r': fputc(' ', out); break;
		default:
			/* U+FFFE and U+FFFF: no character of XML 1.0 (the
			 * feed, atom.c, writes text through here), nor of
			 * HTML's text. */
			if (ni_is_control(c) || c == 0xfffe || c == 0xffff)
				fputs("\xef\xbf\xbd", out);
			else if (!ni_is_bidi_control(c))  /* ni_control.h */
				fwrite(text + start, 1, (size_t)(i - start),
				       out);
		}
	}
}

static void put_html(FILE *out, const char *text)
{
	if (text)
		put_html_n(out, text, strlen(text));
}

/*
 * Text as one part of a query string (a name or a value): every byte
 * but letters, digits and "-._~" as %XX, so that nothing in it can end
 * the part, the attribute or the URL.
 */
static void put_url_part(FILE *out, const char *text)
{
	static const char HEX[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
			fputc(*p, out);
		else
			fprintf(out, "%%%c%c", HEX[*p >> 4], HEX[*p & 15]);
	}
}

/*
 * Whether an article's `url` may be an href: https (or http unless
 * `https_only`) from its first byte, and no white space or control
 * character anywhere, since a browser strips or skips those and could
 * then read another scheme ("java\tscript:").  Anything else is shown
 * as text, never followed.
 */
static bool linkable(const char *url, bool https_only)
{
	if (!url)
		return false;
	if (strncasecmp(url, "https://", 8) &&
	    (https_only || strncasecmp(url, "http://", 7)))
		return false;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

void page_put_text(FILE *out, const char *text, size_t len)
{
	put_html_n(out, text, len);
}

void page_put_url_part(FILE *out, const char *text)
{
	put_url_part(out, text);
}

bool page_linkable(const char *url, bool https_only)
{
	return linkable(url, https_only);
}

bool page_base_url(const char *url, struct ni_buf *out, bool *nomem)
{
	if (nomem)
		*nomem = false;
	if (!page_linkable(url, false) || strpbrk(url, "?#"))
		return false;
	size_t len = strlen(url);
	if (out && (ni_buf_adds(out, url) != NI_OK ||
		    (url[len - 1] != '/' && ni_buf_addch(out, '/') != NI_OK))) {
		if (nomem)
			*nomem = true;
		return false;
	}
	return true;
}

/* ---- links to other searches --------------------------------------------- */

/* What a link changes of the request; the rest it keeps. */
struct link {
	const char *q;        /* the query text */
	unsigned offset;
	enum ni_sort sort;
	bool all;
};

/* The request as it is, on its first page. */
static struct link same_search(const struct page_request *req)
{
	struct link l = {req->q, 0, req->sort, req->all};
	return l;
}

static bool is_one_of(const char *name, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* `&name=value`, or `?name=value` for the first. */
static void put_pair(FILE *out, bool *first, const char *name,
		     const char *value)
{
	fputs(*first ? "?" : "&amp;", out);
	*first = false;
	put_url_part(out, name);
	fputc('=', out);
	put_url_part(out, value);
}

/* "../" as many times as page_root_of() may go up. */
#define MAX_ROOT_LEVELS 32
static const char UP_LEVELS[] =
	"../../../../../../../../../../../../../../../../"
	"../../../../../../../../../../../../../../../../";
_Static_assert(sizeof UP_LEVELS == 3 * MAX_ROOT_LEVELS + 1, "levels");

const char *page_root_of(const char *path)
{
	size_t levels = 0;
	for (const char *c = path && *path ? path + 1 : ""; *c; c++)
		levels += *c == '/';
	if (levels > MAX_ROOT_LEVELS)
		levels = MAX_ROOT_LEVELS;
	return UP_LEVELS + 3 * (MAX_ROOT_LEVELS - levels);
}

static const char *root_of(const struct page_request *req)
{
	return req->root ? req->root : "";
}

/*
 * href="search?..." (after the root) for the search `l` describes: its q, sort, all and
 * offset, the request's date range, and every other parameter of the
 * request as it was (lang, limit, explain, ...).
 */
static void put_search_href(struct page *p, const struct link *l)
{
	static const char *const changed[] = {
		"q", "offset", "sort", "all", "from", "to",
	};
	const struct page_request *req = p->req;
	bool first = true;
	fprintf(p->out, "href=\"%ssearch", root_of(req));
	put_pair(p->out, &first, "q", l->q);
	for (size_t i = 0; i < req->n_params; i++) {
		const struct serve_param *param = &req->params[i];
		if (!is_one_of(param->name, changed,
			       sizeof changed / sizeof *changed))
			put_pair(p->out, &first, param->name, param->value);
	}
	if (*req->from)
		put_pair(p->out, &first, "from", req->from);
	if (*req->to)
		put_pair(p->out, &first, "to", req->to);
	if (l->sort != NI_SORT_RELEVANCE && (size_t)l->sort < N_SORTS)
		put_pair(p->out, &first, "sort", SORT_NAMES[l->sort]);
	if (l->all)
		put_pair(p->out, &first, "all", "1");
	if (l->offset)
		fprintf(p->out, "&amp;offset=%u", l->offset);
	fputc('"', p->out);
}

/*
 * href="feed?q=..." (after the root) of the page's search: the text searched (with the
 * date range as its date: filter, which the feed has no parameter
 * for), and the request's lang and all; the rest does not change which
 * articles the feed has (it is newest first, of its own length).
 */
static void put_feed_href(struct page *p)
{
	const char *lang = NULL;
	for (size_t i = 0; !lang && i < p->req->n_params; i++)
		if (!strcmp(p->req->params[i].name, "lang"))
			lang = p->req->params[i].value;
	bool first = true;
	fprintf(p->out, "href=\"%sfeed", root_of(p->req));
	put_pair(p->out, &first, "q", p->feed_query);
	if (lang)
		put_pair(p->out, &first, "lang", lang);
	if (p->req->all)
		put_pair(p->out, &first, "all", "1");
	fputc('"', p->out);
}

/* ---- the frame of every page ------------------------------------------- */

/* The link to the asset at `path` ("/assets/page.css"): relative, with
 * its version. */
static void put_asset_link(struct page *p, const char *path)
{
	FILE *out = p->out;
	const struct page_asset *a = page_asset_find(path);
	fprintf(out, "%s%s", root_of(p->req), path + 1);
	if (a)
		fprintf(out, "?v=%s", a->version);
}

/*
 * What makes the page a search engine and an app (app.h): the OpenSearch
 * description a browser offers to add, the web app manifest, and the
 * colour of the browser's bar around the page: page.css's --panel, the
 * colour of its top bar, light and dark.
 */
static void put_app_links(struct page *p)
{
	FILE *out = p->out;
	fprintf(out, "<link rel=\"search\" "
		"type=\"application/opensearchdescription+xml\" "
		"title=\"newsindex\" href=\"%sopensearch.xml\">\n"
		"<link rel=\"manifest\" href=\"%smanifest.webmanifest\">\n"
		"<meta name=\"theme-color\" content=\"%s\" "
		"media=\"(prefers-color-scheme: light)\">\n"
		"<meta name=\"theme-color\" content=\"%s\" "
		"media=\"(prefers-color-scheme: dark)\">\n",
		root_of(p->req), root_of(p->req), PAGE_THEME_LIGHT,
		PAGE_THEME_DARK);
}

/* The page's <head>, and the link past its box to `main`: to "the
 * results" on a page of results, else to "the main content". */
static void put_head(struct page *p, const char *title, bool results)
{
	FILE *out = p->out;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	      "<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, "
	      "initial-scale=1\">\n"
	      "<meta name=\"color-scheme\" content=\"light dark\">\n"
	      "<meta name=\"referrer\" content=\"no-referrer\">\n"
	      "<title>", out);
	if (title && *title) {
		put_html(out, title);
		fputs(" \xc2\xb7 ", out);
	}
	/* An icon of our own: else every browser asks for /favicon.ico,
	 * and logs its 404 on every page. */
	fputs("newsindex</title>\n<link rel=\"icon\" href=\"", out);
	put_asset_link(p, "/assets/icon.svg");
	fputs("\" type=\"image/svg+xml\">\n", out);
	put_app_links(p);
	/* For feed readers and browsers that find a page's feeds. */
	if (p->feed_query) {
		fputs("<link rel=\"alternate\" type=\"application/atom+xml\" "
		      "title=\"\xe2\x80\x9c", out);
		put_html(out, p->feed_query);
		fputs("\xe2\x80\x9d \xc2\xb7 newsindex\" ", out);
		put_feed_href(p);
		fputs(">\n", out);
	}
	fputs("<link rel=\"stylesheet\" href=\"", out);
	put_asset_link(p, "/assets/page.css");
	fputs("\">\n<script src=\"", out);
	put_asset_link(p, "/assets/page.js");
	fputs("\" defer></script>\n</head>\n<body>\n"
	      "<a class=\"skip\" href=\"#main\">Skip to ", out);
	fputs(results ? "the results" : "the main content", out);
	fputs("</a>\n", out);
}

static bool is_date(const char *text);

/*
 * A date input, or a text one for a value the date input cannot hold
 * ("2021", "2021-12"), which it would empty, and lose; marked invalid
 * when the value is no date (the page then says why), for those who
 * hear the field rather than see the message.
 */
static void put_date_field(FILE *out, const char *name, const char *label,
			   const char *value)
{
	bool day = !*value || strlen(value) == 10;
	fprintf(out, "<label class=\"field\">%s <input type=\"%s\" "
		"name=\"%s\"", label, day ? "date" : "text", name);
	if (!day)
		fputs(" inputmode=\"numeric\" placeholder=\"YYYY-MM-DD\"", out);
	if (*value && !is_date(value))
		fputs(" aria-invalid=\"true\"", out);
	fputs(" value=\"", out);
	put_html(out, value);
	fputs("\"></label>\n", out);
}

static void put_check(FILE *out, const char *name, const char *label,
		      bool on)
{
	fprintf(out, "<label class=\"check\"><input type=\"checkbox\" "
		"name=\"%s\" value=\"1\"%s> %s</label>\n", name,
		on ? " checked" : "", label);
}

/* The options of the search: sort, date range, copies, explanations. */
static void put_options(struct page *p)
{
	const struct page_request *req = p->req;
	FILE *out = p->out;
	bool open = req->sort != NI_SORT_RELEVANCE || *req->from ||
		    *req->to || req->all || req->explain;
	fprintf(out, "<details class=\"options\"%s>\n"
		"<summary>Options</summary>\n<div class=\"fields\">\n"
		"<label class=\"field\">Sort <select name=\"sort\">\n",
		open ? " open" : "");
	for (size_t i = 0; i < N_SORTS; i++)
		fprintf(out, "<option value=\"%s\"%s>%s</option>\n",
			SORT_NAMES[i], (size_t)req->sort == i
			? " selected" : "", SORT_LABELS[i]);
	fputs("</select></label>\n", out);
	put_date_field(out, "from", "From", req->from);
	put_date_field(out, "to", "To", req->to);
	put_check(out, "all", "Every copy of a story", req->all);
	put_check(out, "explain", "Explain the ranking", req->explain);
	fputs("</div>\n</details>\n", out);
}

/* The search box, with the request's other parameters kept hidden. */
static void put_header(struct page *p, bool home)
{
	const struct page_request *req = p->req;
	FILE *out = p->out;
	/* The name is the home page's heading; a page of results has its
	 * own, for those who go by headings. */
	const char *root = root_of(req);
	fprintf(out, "<header class=\"top%s\">\n"
		"%s<a class=\"brand\" href=\"%s\">newsindex</a>%s\n"
		"<form class=\"search\" role=\"search\" action=\"%ssearch\" "
		"method=\"get\">\n"
		"<label class=\"label\" for=\"q\">Search the news</label>\n"
		"<div class=\"box\"><input id=\"q\" name=\"q\" "
		"type=\"search\" dir=\"auto\" maxlength=\"%d\" value=\"",
		home ? " home" : "",
		home ? "<h1 class=\"brand\">" : "", *root ? root : "./",
		home ? "</h1>" : "", root, PAGE_MAX_QUERY_CHARS);
	put_html(out, req->q);
	fputs("\" autocomplete=\"off\" autocapitalize=\"off\" "
	      "spellcheck=\"false\" enterkeyhint=\"search\" "
	      "aria-describedby=\"q-help\">"
	      "<button type=\"submit\">Search</button></div>\n"
	      "<p id=\"q-help\" class=\"help\">Words, \"a phrase\", "
	      "a OR b, -word, title:, topic:, provider:, date:2023-12, "
	      "quality:&gt;=40</p>\n", out);
	put_options(p);
	for (size_t i = 0; i < req->n_params; i++) {
		const struct serve_param *param = &req->params[i];
		if (is_one_of(param->name, FORM_FIELDS,
			      sizeof FORM_FIELDS / sizeof *FORM_FIELDS))
			continue;
		fputs("<input type=\"hidden\" name=\"", out);
		put_html(out, param->name);
		fputs("\" value=\"", out);
		put_html(out, param->value);
		fputs("\">\n", out);
	}
	fputs("</form>\n</header>\n", out);
}

/* The keys page.js gives: hidden until it runs, as without it there
 * are none. */
static void put_footer(struct page *p)
{
	fputs("<footer class=\"bottom\" hidden><p>Keys: <kbd>/</kbd> the "
	      "search box, <kbd>j</kbd> and <kbd>k</kbd> (or <kbd>\xe2\x86\x93"
	      "</kbd> <kbd>\xe2\x86\x91</kbd>) from result to result.</p>"
	      "</footer>\n</body>\n</html>\n", p->out);
}

static bool page_start(struct page *p, const struct page_request *req,
		       const struct page_settings *settings)
{
	memset(p, 0, sizeof *p);
	p->req = req;
	p->settings = settings;
	p->out = open_memstream(&p->text, &p->len);
	return p->out != NULL;
}

/* Hand the page to `out`: NI_ENOMEM when any of it could not be
 * written (a memory stream fails only so). */
static ni_status page_end(struct page *p, struct ni_buf *out)
{
	bool ok = !ferror(p->out);
	ok = fclose(p->out) == 0 && ok;
	ni_status status = ok ? ni_buf_add(out, p->text, p->len) : NI_ENOMEM;
	free(p->text);
	return status;
}

/* ---- the date range ------------------------------------------------------ */

/* Whether `text` is "YYYY", "YYYY-MM" or "YYYY-MM-DD", a real month
 * and a day the month can have (date: refuses others). */
static bool is_date(const char *text)
{
	static const int DAYS[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
				   30, 31};
	size_t len = strlen(text);
	if (len != 4 && len != 7 && len != 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? text[i] != '-' : (text[i] < '0' || text[i] > '9'))
			return false;
	}
	if (len == 4)
		return true;
	int month = (text[5] - '0') * 10 + text[6] - '0';
	if (month < 1 || month > 12)
		return false;
	if (len == 7)
		return true;
	int year = atoi(text);
	bool leap = (year % 4 == 0 && year % 100) || year % 400 == 0;
	int day = (text[8] - '0') * 10 + text[9] - '0';
	return day >= 1 && day <= DAYS[month - 1] &&
	       (month != 2 || day <= 28 + leap);
}

/* " date:FROM..TO" for the request's range; "" when it has none. */
static ni_status date_filter(const struct page_request *req,
			     struct ni_buf *out)
{
	if (!*req->from && !*req->to)
		return NI_OK;
	return ni_buf_addf(out, " date:%s..%s", req->from, req->to);
}

bool page_query_text(const struct page_request *req, struct ni_buf *out,
		     const char **param, struct ni_buf *problem)
{
	const char *ends[] = {req->from, req->to};
	const char *names[] = {"from", "to"};
	*param = NULL;
	for (int i = 0; i < 2; i++) {
		if (*ends[i] && !is_date(ends[i])) {
			*param = names[i];
			ni_buf_adds(problem, "'");
			ni_buf_adds(problem, ends[i]);
			ni_buf_adds(problem, "' is not a date (YYYY-MM-DD)");
			return false;
		}
	}
	struct ni_buf range = NI_BUF_INIT;
	ni_status status = date_filter(req, &range);
	/* A range alone is the filter, without the space before it. */
	bool blank = ni_qparse_blank(req->q);
	if (status == NI_OK && !blank)
		status = ni_buf_adds(out, req->q);
	if (status == NI_OK && range.len)
		status = ni_buf_adds(out, range.data + blank);
	else if (status == NI_OK && blank)
		status = ni_buf_adds(out, req->q);
	ni_buf_release(&range);
	return status == NI_OK;
}

/* ---- the results -------------------------------------------------------- */

/*
 * ` lang="de-AT"`: the article's language, when its file gave one, so
 * that a screen reader speaks its words in it and a browser picks the
 * right glyphs for Han characters (Japanese or Chinese) and hyphenates
 * by its rules.  Its text only: the page's own words are English.
 */
static void put_lang(FILE *out, const struct ni_docdata *doc)
{
	if (!doc->lang || !doc->lang[0])
		return;
	fputs(" lang=\"", out);
	put_html(out, doc->lang);
	fputc('"', out);
}

/* The snippet, with the words that matched in <mark>. */
static void put_snippet(FILE *out, const struct ni_snippet *s,
			const struct ni_docdata *doc)
{
	const char *text = ni_buf_str(&s->text);
	size_t at = 0;
	fputs("<p class=\"snippet\" dir=\"auto\"", out);
	put_lang(out, doc);
	fputc('>', out);
	for (size_t i = 0; i < s->n_spans; i++) {
		const struct ni_span *span = &s->spans[i];
		if (span->start < at || span->end <= span->start ||
		    span->end > s->text.len)
			continue;
		put_html_n(out, text + at, span->start - at);
		fputs("<mark>", out);
		put_html_n(out, text + span->start, span->end - span->start);
		fputs("</mark>", out);
		at = span->end;
	}
	put_html_n(out, text + at, s->text.len - at);
	fputs("</p>\n", out);
}

/*
 * "+N similar" as a link to the copies: a search of every copy
 * (all=1) with the title as a phrase, which copies share (ni_story.h).
 * Plain text when the title has nothing to search for.
 */
static void put_similar(struct page *p, const struct ni_result *hit)
{
	const char *title = hit->doc.title;
	struct ni_buf q = NI_BUF_INIT;
	/* No escape for '"' inside a phrase: it becomes a space. */
	bool ok = title && !ni_qparse_blank(title) &&
		  ni_buf_adds(&q, "title:\"") == NI_OK &&
		  ni_buf_adds(&q, title) == NI_OK &&
		  ni_buf_addch(&q, '"') == NI_OK;
	for (size_t i = 7; ok && i + 1 < q.len; i++)
		if (q.data[i] == '"')
			q.data[i] = ' ';
	if (ok) {
		struct link l = {q.data, 0, NI_SORT_RELEVANCE, true};
		fputs("<a class=\"similar\" ", p->out);
		put_search_href(p, &l);
		fputc('>', p->out);
	}
	fprintf(p->out, "+%u similar", (unsigned)hit->n_similar);
	if (ok)
		fputs("</a>", p->out);
	ni_buf_release(&q);
}

/* Provider · date · quality · heat (when sorted by it) · +N similar ·
 * related record. */
static void put_meta(struct page *p, const struct ni_result *hit)
{
	const struct ni_docdata *doc = &hit->doc;
	FILE *out = p->out;
	const char *sep = "";
	fputs("<p class=\"meta\">", out);
	if (doc->provider_name || doc->provider_domain) {
		fputs("<span class=\"provider\" dir=\"auto\">", out);
		put_html(out, doc->provider_name ? doc->provider_name
						 : doc->provider_domain);
		fputs("</span>", out);
		sep = " \xc2\xb7 ";
	}
	if (doc->date.present) {
		char date[21];
		ni_format_iso8601(doc->date.epoch, date);
		fprintf(out, "%s<time datetime=\"%s\">%.10s</time>", sep, date,
			date);
		sep = " \xc2\xb7 ";
	}
	if (doc->quality.present) {
		fprintf(out, "%squality %g", sep, doc->quality.value);
		sep = " \xc2\xb7 ";
	}
	if (p->req->sort == NI_SORT_HEAT && hit->heat >= 0) {
		fprintf(out, "%sheat %g", sep, hit->heat);
		sep = " \xc2\xb7 ";
	}
	if (hit->n_similar) {
		fputs(sep, out);
		put_similar(p, hit);
		sep = " \xc2\xb7 ";
	}
	if (doc->related_of)
		fprintf(out, "%srelated record", sep);
	fputs("</p>\n", out);
}

/* The first image, from https only, sized before it loads. */
static void put_thumbnail(struct page *p, const struct ni_docimage *image)
{
	if (!p->settings->thumbnails || !linkable(image->url, true))
		return;
	int64_t height = THUMB_DEFAULT_HEIGHT;
	if (image->width > 0 && image->height > 0 &&
	    image->height < INT64_MAX / THUMB_WIDTH) {
		height = (image->height * THUMB_WIDTH + image->width / 2) /
			 image->width;
		if (height < THUMB_MIN_HEIGHT)
			height = THUMB_MIN_HEIGHT;
		if (height > THUMB_MAX_HEIGHT)
			height = THUMB_MAX_HEIGHT;
	}
	fputs("<img class=\"thumb\" src=\"", p->out);
	put_html(p->out, image->url);
	fprintf(p->out, "\" alt=\"\" width=\"%d\" height=\"%d\" "
		"loading=\"lazy\" decoding=\"async\" "
		"referrerpolicy=\"no-referrer\">\n", THUMB_WIDTH, (int)height);
}

static void put_hit(struct page *p, const struct render_context *ctx,
		    size_t i, const struct ni_result *hit)
{
	const struct ni_docdata *doc = &hit->doc;
	FILE *out = p->out;
	bool link = linkable(doc->url, false);
	bool titled = doc->title && !ni_qparse_blank(doc->title);
	const char *title = titled ? doc->title : "(no title)";
	fputs("<li class=\"hit\">\n", out);
	put_thumbnail(p, &doc->image);
	fputs("<h2 class=\"title\" dir=\"auto\"", out);
	if (titled)
		put_lang(out, doc);
	fputc('>', out);
	if (link) {
		fputs("<a href=\"", out);
		put_html(out, doc->url);
		fputs("\" rel=\"noreferrer\">", out);
	}
	put_html(out, title);
	fputs(link ? "</a></h2>\n" : "</h2>\n", out);
	put_meta(p, hit);
	const char *shown = doc->url ? doc->url
			    : p->settings->paths ? doc->path : NULL;
	if (shown) {
		fprintf(out, "<p class=\"url%s\">", link ? "" : " unsafe");
		put_html(out, shown);
		fputs("</p>\n", out);
	}
	if (ctx->snippets && ctx->snippets[i].text.len)
		put_snippet(out, &ctx->snippets[i], doc);
	if (ctx->explain) {
		fputs("<p class=\"explain\">", out);
		render_explain(out, hit);
		fputs("</p>\n", out);
	}
	fputs("</li>\n", out);
}

/* ---- facets ------------------------------------------------------------- */

/*
 * Whether `q` holds OR as an operator (a whole word): then a filter
 * added after it would bind to its last part only, "a OR b topic:x"
 * being "a OR (b topic:x)", and the query is put in parentheses.
 */
static bool has_or(const char *q)
{
	for (const char *at = strstr(q, "OR"); at; at = strstr(at + 1, "OR")) {
		bool before = at == q || strchr(" \t\n(\"", at[-1]);
		bool after = !at[2] || strchr(" \t\n)\"", at[2]);
		if (before && after)
			return true;
	}
	return false;
}

/* The request's q with `filter` added; NI_ENOMEM or NI_OK. */
static ni_status add_filter(const char *q, const char *filter,
			    struct ni_buf *out)
{
	if (ni_qparse_blank(q))
		return ni_buf_adds(out, filter);
	if (has_or(q))
		return ni_buf_addf(out, "(%s) %s", q, filter);
	return ni_buf_addf(out, "%s %s", q, filter);
}

/*
 * The filter that keeps the articles with a facet's value, in the
 * field the facet counts (the field table's row): topic:"AI", or for
 * dates the value as it is, date:2023-07.  NI_EINVAL when no field
 * can say it: the facet has no field typed in queries, or the value
 * holds a quote (the language has no escape for one).
 */
static ni_status facet_filter(enum ni_facet f, const char *value,
			      struct ni_buf *out)
{
	const struct ni_field_spec *spec = ni_facet_spec(f);
	if (!spec || !spec->name || strchr(value, '"'))
		return NI_EINVAL;
	if (spec->kind == NI_KIND_DATE)
		return ni_buf_addf(out, "%s:%s", spec->name, value);
	return ni_buf_addf(out, "%s:\"%s\"", spec->name, value);
}

static void put_facet_value(struct page *p, enum ni_facet f,
			    const struct ni_facet_list *list, size_t i)
{
	FILE *out = p->out;
	const char *value = list->values[i];
	struct ni_buf filter = NI_BUF_INIT, q = NI_BUF_INIT;
	bool ok = facet_filter(f, value, &filter) == NI_OK;
	/* A filter the query has already is shown as chosen. */
	bool chosen = ok && strstr(p->req->q, filter.data);
	ok = ok && !chosen && add_filter(p->req->q, filter.data, &q) == NI_OK;
	fputs("<li>", out);
	if (ok) {
		struct link l = same_search(p->req);
		l.q = q.data;
		fputs("<a dir=\"auto\" ", out);
		put_search_href(p, &l);
		fputc('>', out);
	} else if (chosen) {
		fputs("<span class=\"chosen\" dir=\"auto\" "
		      "aria-current=\"true\">", out);
	}
	if (!ok && !chosen)
		fputs("<bdi>", out);
	put_html(out, value);
	fputs(ok ? "</a>" : chosen ? "</span>" : "</bdi>", out);
	fprintf(out, " <span class=\"count\">%llu</span></li>\n",
		(unsigned long long)list->counts[i]);
	ni_buf_release(&filter);
	ni_buf_release(&q);
}

static void put_facets(struct page *p, const struct render_context *ctx,
		       const struct ni_results *r)
{
	FILE *out = p->out;
	bool any = false;
	for (int f = 0; f < NI_FACET_COUNT; f++)
		any = any || ((ctx->facets & (1u << f)) && r->facets[f].n);
	if (!any)
		return;
	fputs("<nav class=\"facets\" aria-label=\"Refine the search\">\n",
	      out);
	for (int f = 0; f < NI_FACET_COUNT; f++) {
		const struct ni_facet_list *list = &r->facets[f];
		if (!(ctx->facets & (1u << f)) || !list->n)
			continue;
		const char *name = ni_facet_spec((enum ni_facet)f)->facet_name;
		fprintf(out, "<section class=\"facet\"><h2 id=\"facet-%s\">"
			"%s</h2>\n<ul aria-labelledby=\"facet-%s\">\n", name,
			FACET_HEADINGS[f] ? FACET_HEADINGS[f] : name, name);
		for (size_t i = 0; i < list->n; i++) {
			if (i == FACET_SHOWN)
				fprintf(out, "</ul>\n<details><summary>%zu "
					"more</summary>\n<ul>\n",
					list->n - FACET_SHOWN);
			put_facet_value(p, f, list, i);
		}
		fputs(list->n > FACET_SHOWN ? "</ul>\n</details>\n"
					    : "</ul>\n", out);
		fputs("</section>\n", out);
	}
	fputs("</nav>\n", out);
}

/* ---- around the results ------------------------------------------------- */

/* Characters of text[0, at), for "column N" (each ill-formed sequence
 * one, as U+FFFD). */
static size_t chars_before(const char *text, size_t at)
{
	size_t n = 0;
	int32_t end = at > INT32_MAX ? INT32_MAX : (int32_t)at;
	for (int32_t i = 0; i < end; n++) {
		UChar32 c;
		U8_NEXT(text, i, end, c);
		(void)c;
	}
	return n;
}

/*
 * The query with the problem marked, and a caret line under it, in a
 * block of fixed-width text; and "at column N" before it.
 */
static void put_caret(FILE *out, const char *text,
		      const struct ni_qparse_error *where)
{
	size_t len = strlen(text);
	size_t at = where->offset < len ? where->offset : len;
	size_t span = where->length < len - at ? where->length : len - at;
	unsigned under = span ? ni_text_columns(text + at, span) : 1;
	fprintf(out, "<p class=\"where\">At column %zu:</p>\n"
		"<pre class=\"caret\"><code>", chars_before(text, at) + 1);
	put_html_n(out, text, at);
	fputs("<mark>", out);
	put_html_n(out, text + at, span);
	fputs("</mark>", out);
	put_html_n(out, text + at + span, len - at - span);
	/* The caret under text[at]: after the columns before it. */
	fprintf(out, "\n%*s", (int)ni_text_columns(text, at), "");
	for (unsigned i = 0; i < (under ? under : 1); i++)
		fputc('^', out);
	fputs("</code></pre>\n", out);
}

/* "did you mean", without the date range this page added to the text. */
static void put_suggestion(struct page *p, const char *suggestion)
{
	struct ni_buf range = NI_BUF_INIT, q = NI_BUF_INIT;
	ni_status status = date_filter(p->req, &range);
	size_t len = strlen(suggestion);
	if (status == NI_OK && range.len && len >= range.len &&
	    !strcmp(suggestion + len - range.len, range.data))
		len -= range.len;
	if (status == NI_OK)
		status = ni_buf_add(&q, suggestion, len);
	if (status == NI_OK) {
		struct link l = same_search(p->req);
		l.q = q.data;
		fputs("<p class=\"suggestion\">Did you mean <a ", p->out);
		put_search_href(p, &l);
		fputs("><strong><bdi>", p->out);
		put_html(p->out, q.data);
		fputs("</bdi></strong></a>?</p>\n", p->out);
	}
	ni_buf_release(&range);
	ni_buf_release(&q);
}

/* How the query was read: notes, the first under a caret when the
 * query did not parse and was searched as words. */
static void put_notices(FILE *out, const struct render_context *ctx)
{
	if (!ctx->n_notices && !ctx->n_missing)
		return;
	fputs("<div class=\"notices\">\n", out);
	for (size_t i = 0; i < ctx->n_notices; i++) {
		fputs("<p class=\"notice\">", out);
		put_html(out, ctx->notices[i]);
		fputs("</p>\n", out);
		if (i == 0 && ctx->syntax_error)
			put_caret(out, ctx->query, ctx->syntax_error);
	}
	/* Which shards: not said, for their names may be paths. */
	if (ctx->n_missing)
		fprintf(out, "<p class=\"notice\">%zu shard%s of the index "
			"did not answer: these results are partial.</p>\n",
			ctx->n_missing, ctx->n_missing == 1 ? "" : "s");
	fputs("</div>\n", out);
}

static void put_sort_links(struct page *p)
{
	FILE *out = p->out;
	fputs("<nav class=\"sort\" aria-label=\"Sort\">Sort:", out);
	for (size_t i = 0; i < 3; i++) {
		fputs(i ? " \xc2\xb7 " : " ", out);
		if ((size_t)p->req->sort == i) {
			fprintf(out, "<span aria-current=\"true\">%s</span>",
				SORT_NAMES[i]);
			continue;
		}
		struct link l = same_search(p->req);
		l.sort = (enum ni_sort)i;
		fputs("<a ", out);
		put_search_href(p, &l);
		fprintf(out, ">%s</a>", SORT_NAMES[i]);
	}
	/* A sort chosen in the options is said too, so the bar never
	 * shows the page as unsorted. */
	const char *label = (size_t)p->req->sort >= 3 &&
			    (size_t)p->req->sort < N_SORTS
				    ? SORT_LABELS[p->req->sort] : NULL;
	if (label)
		fprintf(out, " \xc2\xb7 <span aria-current=\"true\">%c%s</span>",
			(char)tolower((unsigned char)label[0]), label + 1);
	fputs("</nav>\n", out);
}

static void put_summary(struct page *p, const struct render_context *ctx,
			const struct ni_results *r)
{
	FILE *out = p->out;
	fputs("<div class=\"bar\">\n<p class=\"summary\" role=\"status\">",
	      out);
	render_totals(out, r);
	if (r->n_hits)
		fprintf(out, ", %u to %zu", ctx->offset + 1,
			ctx->offset + r->n_hits);
	fprintf(out, " <span class=\"time\">(%.1f ms)</span></p>\n",
		ctx->elapsed_ms);
	put_sort_links(p);
	if (p->feed_query) {
		fputs("<a class=\"feed\" type=\"application/atom+xml\" ", out);
		put_feed_href(p);
		fputs(">Feed<span class=\"visually-hidden\"> of this search, "
		      "newest first</span></a>\n", out);
	}
	fputs("</div>\n", out);
}

/* Links to the previous and the next page, as there are; their arrows
 * are drawn, not read ("left arrow Previous"). */
static void put_pages(struct page *p, const struct render_context *ctx,
		      const struct ni_results *r)
{
	FILE *out = p->out;
	unsigned limit = ctx->limit ? ctx->limit : PAGE_DEFAULT_LIMIT;
	if (!ctx->offset && !r->more)
		return;
	fputs("<nav class=\"pages\" aria-label=\"Pages\">\n", out);
	struct link l = same_search(p->req);
	if (ctx->offset) {
		l.offset = ctx->offset > limit ? ctx->offset - limit : 0;
		fputs("<a rel=\"prev\" ", out);
		put_search_href(p, &l);
		fputs("><span aria-hidden=\"true\">\xe2\x86\x90</span> "
		      "Previous</a>\n", out);
	}
	fprintf(out, "<span class=\"at\">Page %u</span>\n",
		(ctx->offset + limit - 1) / limit + 1);
	if (r->more) {
		l.offset = ctx->offset + (unsigned)r->n_hits;
		fputs("<a rel=\"next\" ", out);
		put_search_href(p, &l);
		fputs(">Next <span aria-hidden=\"true\">\xe2\x86\x92</span>"
		      "</a>\n", out);
	}
	fputs("</nav>\n", out);
}

/* Nothing matched, or the offset is past the last result. */
/*
 * What the search says of the query: a spelling suggestion, then how it
 * was read.  After the page's h1, so that a screen reader that goes to
 * the heading does not skip them.
 */
static void put_findings(struct page *p, const struct render_context *ctx)
{
	if (ctx->suggestion)
		put_suggestion(p, ctx->suggestion);
	put_notices(p->out, ctx);
}

static void put_nothing(struct page *p, const struct render_context *ctx,
			const struct ni_results *r)
{
	FILE *out = p->out;
	fputs("<section class=\"empty\">\n<h1>", out);
	if (r->total) {
		fprintf(out, "No results at offset %u</h1>\n", ctx->offset);
		put_findings(p, ctx);
		fputs("<p>There are ", out);
		render_totals(out, r);
		fputs(" in all: <a ", out);
		struct link l = same_search(p->req);
		put_search_href(p, &l);
		fputs(">go to the first page</a>.</p>\n", out);
	} else {
		fputs("No results for \xe2\x80\x9c<bdi>", out);
		put_html(out, p->req->q);
		fputs("</bdi>\xe2\x80\x9d</h1>\n", out);
		put_findings(p, ctx);
		fputs("<p>Try other words, fewer words or fewer filters; a "
		      "word ending in * finds the words that start so.</p>\n",
		      out);
	}
	fputs("</section>\n", out);
}

/*
 * <main>; on a first page of results, with what page.js needs to tell
 * the reader of new articles (docs/serving.md, "New articles"): the
 * /api/search of this page (its query and date range as one text, its
 * search options, no facets) and the index's revision its results are
 * of.
 */
static void put_main(struct page *p, const struct render_context *ctx)
{
	const struct page_request *req = p->req;
	FILE *out = p->out;
	struct ni_buf text = NI_BUF_INIT, problem = NI_BUF_INIT;
	const char *param;
	fputs("<main id=\"main\"", out);
	if (!ctx->offset && ctx->limit &&
	    page_query_text(req, &text, &param, &problem)) {
		bool first = true;
		fprintf(out, " data-live=\"%sapi/search", root_of(req));
		put_pair(out, &first, "q", ni_buf_str(&text));
		for (size_t i = 0; i < req->n_params; i++) {
			const struct serve_param *pa = &req->params[i];
			if (query_option_known(pa->name, true) &&
			    strcmp(pa->name, "offset") &&
			    strcmp(pa->name, "facets"))
				put_pair(out, &first, pa->name, pa->value);
		}
		put_pair(out, &first, "facets", "");
		fputc('"', out);
		if (req->revision)
			fprintf(out, " data-revision=\"%llu\"",
				(unsigned long long)req->revision);
	}
	fputs(">\n", out);
	ni_buf_release(&text);
	ni_buf_release(&problem);
}

/* ---- the pages ---------------------------------------------------------- */

/* A few searches to start from, on the page without a query. */
static void put_examples(struct page *p)
{
	static const char *const examples[] = {
		"sanctions china", "\"facial recognition\" -china",
		"topic:ai date:2023", "quality:>=60 chip*",
	};
	FILE *out = p->out;
	fputs("<section class=\"examples\">\n<h2>Examples</h2>\n"
	      "<p>Words find the articles with all of them first, then "
	      "those with some. For example:</p>\n<ul>\n", out);
	for (size_t i = 0; i < sizeof examples / sizeof *examples; i++) {
		struct link l = same_search(p->req);
		l.q = examples[i];
		fputs("<li><a ", out);
		put_search_href(p, &l);
		fputs("><code>", out);
		put_html(out, examples[i]);
		fputs("</code></a></li>\n", out);
	}
	fputs("</ul>\n</section>\n", out);
}

ni_status page_home(struct ni_buf *out, const struct page_request *req,
		    const struct page_settings *settings)
{
	struct page p;
	if (!page_start(&p, req, settings))
		return NI_ENOMEM;
	put_head(&p, NULL, false);
	put_header(&p, true);
	fputs("<main id=\"main\">\n", p.out);
	put_examples(&p);
	fputs("</main>\n", p.out);
	put_footer(&p);
	return page_end(&p, out);
}

ni_status page_results(struct ni_buf *out, const struct page_request *req,
		       const struct page_settings *settings,
		       const struct render_context *ctx,
		       const struct ni_results *r)
{
	struct page p;
	if (!page_start(&p, req, settings))
		return NI_ENOMEM;
	/* A search of words has a feed; one by --like alone has none. */
	struct ni_buf feed = NI_BUF_INIT, problem = NI_BUF_INIT;
	const char *param;
	if (page_query_text(req, &feed, &param, &problem) &&
	    !ni_qparse_blank(ni_buf_str(&feed)))
		p.feed_query = feed.data;
	ni_buf_release(&problem);
	put_head(&p, req->q, true);
	put_header(&p, false);
	put_main(&p, ctx);
	if (r->total == 0 || (r->n_hits == 0 && ctx->limit > 0)) {
		put_nothing(&p, ctx, r);
	} else {
		fputs("<h1 class=\"visually-hidden\">Results for "
		      "\xe2\x80\x9c<bdi>", p.out);
		put_html(p.out, req->q);
		fputs("</bdi>\xe2\x80\x9d</h1>\n", p.out);
		put_findings(&p, ctx);
		put_summary(&p, ctx, r);
		/* The pages right after the results: on a phone, where
		 * the facets come below, not after every facet. */
		fputs("<div class=\"layout\">\n<div class=\"results\">\n",
		      p.out);
		if (r->n_hits) {
			fprintf(p.out, "<ol class=\"hits\" start=\"%u\">\n",
				ctx->offset + 1);
			for (size_t i = 0; i < r->n_hits; i++)
				put_hit(&p, ctx, i, &r->hits[i]);
			fputs("</ol>\n", p.out);
		}
		put_pages(&p, ctx, r);
		fputs("</div>\n", p.out);
		put_facets(&p, ctx, r);
		fputs("</div>\n", p.out);
	}
	fputs("</main>\n", p.out);
	put_footer(&p);
	ni_buf_release(&feed);
	return page_end(&p, out);
}

ni_status page_problem(struct ni_buf *out, const struct page_request *req,
		       const struct page_settings *settings,
		       const char *heading, const char *message,
		       const struct ni_qparse_error *where)
{
	struct page p;
	if (!page_start(&p, req, settings))
		return NI_ENOMEM;
	put_head(&p, heading, false);
	put_header(&p, false);
	fputs("<main id=\"main\">\n<section class=\"problem\" "
	      "role=\"alert\">\n<h1>", p.out);
	put_html(p.out, heading);
	fputs("</h1>\n", p.out);
	if (message) {
		fputs("<p>", p.out);
		put_html(p.out, message);
		fputs("</p>\n", p.out);
	}
	if (where)
		put_caret(p.out, req->q, where);
	fputs("</section>\n</main>\n", p.out);
	put_footer(&p);
	return page_end(&p, out);
}

const struct page_asset *page_asset_find(const char *path)
{
	for (size_t i = 0; i < page_n_assets; i++)
		if (!strcmp(page_assets[i].path, path))
			return &page_assets[i];
	return NULL;
}

/* ---- the server's handlers ----------------------------------------------- */

#define HTML_TYPE "text/html; charset=utf-8"
/* What a client is told to wait before it asks again after a 503. */
#define RETRY_AFTER "5"

/* A problem page as the answer, with its status. */
static ni_status answer_problem(struct serve_response *res, unsigned status,
				const struct page_request *pr,
				const struct page_settings *ps,
				const char *heading, const char *message,
				const struct ni_qparse_error *where)
{
	res->status = status;
	res->content_type = HTML_TYPE;
	ni_buf_reset(&res->body);
	return page_problem(&res->body, pr, ps, heading, message, where);
}

static double ms_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/*
 * Search `text` as `o` says and answer with the page of results, or
 * the page of what stopped the search.
 */
static ni_status answer_search(const struct serve_request *req,
			       struct serve_response *res,
			       const struct query_options *o,
			       const char *text,
			       const struct page_request *pr,
			       const struct page_settings *ps)
{
	const struct serve_context *ctx = req->ctx;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct session s = {
		.o = o, .text = text, .db = ctx->db,
		.analyzer = ctx->analyzer,
		.language = o->language ? o->language : ctx->index_language,
		.snippet_columns = session_snippet_columns(0),
	};
	ni_status status = session_run(&s);
	if (status == NI_OK) {
		struct render_context rc;
		session_context(&s, &rc);
		rc.elapsed_ms = ms_since(&start);
		res->content_type = HTML_TYPE;
		/* The revision searched: the handle's, until reopened. */
		struct page_request live = *pr;
		bool known = false;
		if (ni_db_revision(ctx->db, &live.revision, &known) != NI_OK ||
		    !known)
			live.revision = 0;
		status = page_results(&res->body, &live, ps, &rc, &s.results);
	} else if (s.syntax) {
		status = answer_problem(res, 400, pr, ps, "The query cannot "
					"be read", ni_buf_str(&s.message),
					&s.where);
	} else if (s.option) {
		struct ni_buf message = NI_BUF_INIT;
		status = ni_buf_addf(&message, "%s: %s", s.option,
				     ni_buf_str(&s.message));
		if (status == NI_OK)
			status = answer_problem(res, 400, pr, ps, "A setting "
						"of the search is wrong",
						message.data, NULL);
		ni_buf_release(&message);
	} else if (status != NI_EDB_MODIFIED && status != NI_ENOMEM) {
		/* The index's trouble: the status only, no paths. */
		const char *why = ni_status_str(status);
		status = serve_header(res, "Retry-After", RETRY_AFTER);
		if (status == NI_OK)
			status = answer_problem(res, 503, pr, ps, "The index "
						"cannot be searched now", why,
						NULL);
	}
	session_clear(&s);
	return status;
}

/* The page's own parameters, and what the search options say. */
static void read_request(const struct serve_request *req,
			 const struct query_options *o,
			 struct page_request *pr)
{
	const char *q = serve_param(req, "q");
	const char *from = serve_param(req, "from");
	const char *to = serve_param(req, "to");
	pr->root = page_root_of(req->path);
	pr->q = q ? q : "";
	pr->from = from ? from : "";
	pr->to = to ? to : "";
	pr->sort = o->search.sort;
	pr->all = o->search.all_copies;
	pr->explain = o->explain;
	pr->limit = o->search.limit;
}

ni_status page_serve_search(const struct serve_request *req,
			    struct serve_response *res)
{
	const struct serve_settings *settings = req->ctx->settings;
	struct page_settings ps = {settings->thumbnails, settings->paths};
	struct page_request pr = {.params = req->params,
				  .n_params = req->n_params};
	struct query_options o;
	struct ni_buf problem = NI_BUF_INIT, text = NI_BUF_INIT;
	const char *param;
	bool good = serve_search_options(req, &o, &param, &problem);
	read_request(req, good ? &o : &settings->defaults, &pr);
	ni_status status = NI_OK;
	res->content_type = HTML_TYPE;
	if (good && !serve_param(req, "facets"))
		o.search.facets = (1u << NI_FACET_COUNT) - 1;
	if (good && o.like && o.like[0] == '/' && !settings->paths) {
		param = "like";
		ni_buf_reset(&problem);
		ni_buf_adds(&problem, "give an article's URL");
		good = false;
	}
	if (good && !page_query_text(&pr, &text, &param, &problem))
		good = false;
	if (!good && !param) {
		status = NI_ENOMEM;
	} else if (!good) {
		struct ni_buf message = NI_BUF_INIT;
		status = ni_buf_addf(&message, "%s: %s", param,
				     ni_buf_str(&problem));
		if (status == NI_OK)
			status = answer_problem(res, 400, &pr, &ps, "A setting "
						"of the search is wrong",
						message.data, NULL);
		ni_buf_release(&message);
	} else if (ni_qparse_blank(text.data) && !o.like) {
		status = page_home(&res->body, &pr, &ps);
	} else if (!req->ctx->db) {
		status = serve_header(res, "Retry-After", RETRY_AFTER);
		const char *why = ni_status_str(req->ctx->db_status);
		if (status == NI_OK)
			status = answer_problem(res, 503, &pr, &ps, "The index "
						"cannot be searched now", why,
						NULL);
	} else {
		status = answer_search(req, res, &o, ni_buf_str(&text), &pr,
				       &ps);
	}
	ni_buf_release(&problem);
	ni_buf_release(&text);
	return status;
}

ni_status page_serve_missing(const struct serve_request *req,
			     struct serve_response *res)
{
	const struct serve_settings *settings = req->ctx->settings;
	struct page_settings ps = {settings->thumbnails, settings->paths};
	struct page_request pr;
	read_request(req, &settings->defaults, &pr);
	/* The box starts afresh: nothing of the wrong URL is kept. */
	pr.q = pr.from = pr.to = "";
	pr.params = NULL;
	pr.n_params = 0;
	struct ni_buf message = NI_BUF_INIT;
	ni_status status = ni_buf_addf(&message, "There is nothing at %s. "
				       "Search the news from the box above.",
				       req->path);
	if (status == NI_OK)
		status = answer_problem(res, 404, &pr, &ps, "No such page",
					message.data, NULL);
	ni_buf_release(&message);
	return status;
}

ni_status page_answer_refused(struct serve_response *res,
			      const struct serve_settings *settings,
			      const char *path, unsigned status,
			      const char *heading, const char *message)
{
	struct page_settings ps = {settings->thumbnails, settings->paths};
	struct page_request pr = {
		.q = "", .from = "", .to = "", .root = page_root_of(path),
		.sort = settings->defaults.search.sort,
		.all = settings->defaults.search.all_copies,
		.explain = settings->defaults.explain,
		.limit = settings->defaults.search.limit,
	};
	return answer_problem(res, status, &pr, &ps, heading, message, NULL);
}

ni_status page_answer_asset(const struct serve_request *req,
			    struct serve_response *res,
			    const struct page_asset *a)
{
	const char *version = serve_param(req, "v");
	char etag[64];
	snprintf(etag, sizeof etag, "\"%s\"", a->version);
	res->content_type = a->content_type;
	/* Linked with its version, the file at that URL never changes. */
	ni_status status = serve_header(res, "Cache-Control",
					version && !strcmp(version, a->version)
					? "public, max-age=31536000, immutable"
					: "no-cache");
	if (status == NI_OK)
		status = serve_header(res, "ETag", etag);
	/* A browser revalidating what it has (a reload, a link without
	 * the version) is told it has it, without the bytes again. */
	if (status == NI_OK && serve_etag_matches(req, etag))
		res->status = 304;
	else if (status == NI_OK)
		status = ni_buf_add(&res->body, a->data, a->len);
	return status;
}

ni_status page_serve_asset(const struct serve_request *req,
			   struct serve_response *res)
{
	const struct page_asset *a = page_asset_find(req->path);
	if (!a)
		return serve_error(res, 404, NULL, "no such file: %s",
				   req->path);
	return page_answer_asset(req, res, a);
}
