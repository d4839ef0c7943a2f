/*
 * page.h - the search page of `newsquery --serve` (docs/serving.md): the
 * HTML of `/` and `/search`, and the style sheet and script it links to,
 * built into the program (query/assets/, turned into C by embed.py).
 *
 * The page is whole without JavaScript: the server renders every part
 * (results, facets, pages, sort, the date range, "did you mean", errors)
 * as plain HTML, forms and links; the script only adds to it (search as
 * you type, j/k and / on the keyboard).  The server's Content-Security-
 * Policy (serve.c) allows no inline script or style: nothing here writes
 * any.
 *
 * Articles are untrusted.  Every text is escaped for where it goes (HTML
 * text or a quoted attribute; control characters and ill-formed UTF-8
 * become U+FFFD); an article's URL is a link only when it is http or
 * https, else it is shown as text; an image is shown only from https;
 * the query goes into links percent-encoded.
 *
 * Two layers: the renderers (page_home(), page_results(),
 * page_problem()) need no index and no server: given results, they
 * append HTML to an ni_buf (tests/unit/test_page.c makes the results by
 * hand); the server's handlers (page_serve_*(), the lines of serve.c's
 * route table) read the request, run the search (session.h), and
 * answer with a renderer's page.
 *
 * Ownership: everything given is borrowed for the call; what is written
 * is appended to the caller's ni_buf.  Nothing here prints or keeps
 * state.
 */
#ifndef NEWSQUERY_PAGE_H
#define NEWSQUERY_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ni_buf.h"
#include "ni_qparse.h"
#include "ni_search.h"
#include "ni_status.h"
#include "render.h"
#include "serve.h"

/* The colours of the page's top bar (page.css's --panel), light and
 * dark: the browser's bar around it (theme-color) and the web app
 * manifest's theme_color, which tests/http/app.py hold to page.css. */
#define PAGE_THEME_LIGHT "#f3f5f8"
#define PAGE_THEME_DARK "#1e2125"

/* Results a page shows when the request does not say. */
#define PAGE_DEFAULT_LIMIT 10

/*
 * The most characters the search box takes: a browser cuts a longer
 * paste there.  The address it sends must stay under serve.c's 16 KiB
 * (MAX_URI), and a character may take 9 bytes in it (a CJK one, %XX
 * three times; maxlength counts an emoji as two); 1,500 characters are
 * some 250 English words, of the 1,024 a query searches at most.
 */
#define PAGE_MAX_QUERY_CHARS 1500

/* What the page was asked for. */
struct page_request {
	const char *q;           /* the query as typed; "" for none */
	const char *from, *to;   /* the date range's ends: "2021",
				    "2021-12" or "2021-12-31"; "" for none */
	enum ni_sort sort;
	bool all;                /* every copy of a story is shown */
	bool explain;            /* each hit's score, on a line */
	unsigned limit;          /* results a page (for its links) */
	/*
	 * Every parameter of the request: links keep those they do not
	 * change (lang, recent, limit, ...) and the form carries those it
	 * has no field for, so that a setting given once stays.
	 */
	const struct serve_param *params;
	size_t n_params;
	/*
	 * The way from the request's path back to the server's root, which
	 * every link of the page starts with: "" at /search, "../" at /a/b
	 * (page_root_of()).  Relative links keep a page whole behind a
	 * reverse proxy that serves it under a path prefix (/news/search);
	 * NULL is "".
	 */
	const char *root;
	/* The index's revision the results are of (ni_db_revision()), 0
	 * when not known (a stub of shards): page.js compares it with
	 * /api/events' to tell new articles. */
	uint64_t revision;
};

/* page_request's `root` for a request of `path` ("/a/b": "../"),
 * static; at most 32 levels up. */
const char *page_root_of(const char *path);

/* The server's settings that change the page. */
struct page_settings {
	bool thumbnails;         /* show each article's first image */
	bool paths;              /* a hit without a URL shows its file */
};

/*
 * The text to search for `req`: its `q`, and its date range as a
 * `date:` filter after it ("q date:2021-01-01..2021-06-30",
 * "date:2021.." when only `from`), appended to `out`.  Each end must be
 * a date as date: takes it (YYYY, YYYY-MM or YYYY-MM-DD, a real month
 * and day): otherwise false, with `*param` "from" or "to" and `problem`
 * saying why ("'2021-13' is not a date (YYYY-MM-DD)"); false too when
 * out of memory (`*param` NULL).
 */
bool page_query_text(const struct page_request *req, struct ni_buf *out,
		     const char **param, struct ni_buf *problem);

/* The page with the search box alone (`/`, or /search without q). */
ni_status page_home(struct ni_buf *out, const struct page_request *req,
		    const struct page_settings *settings);

/*
 * The page of results: the search box, "did you mean", how the query
 * was read, the count, the hits, facets as links that add their filter
 * to the query, and links to the previous and next pages.  `ctx` is
 * what render_json() would be given (session_context()): its query is
 * the text searched (page_query_text()), its offset, limit, snippets,
 * suggestion, notices and syntax error are shown.  A page without hits
 * says why (nothing matched, or the offset is past the end).
 */
ni_status page_results(struct ni_buf *out, const struct page_request *req,
		       const struct page_settings *settings,
		       const struct render_context *ctx,
		       const struct ni_results *results);

/*
 * A page that says what went wrong: `heading` ("The query cannot be
 * read"), `message` (may be NULL), and, when `where` is not NULL, the
 * query `req->q` with the place of the problem marked and its column
 * shown (a strict query's syntax error; `where` counts bytes of
 * req->q).  The caller sends it with the status that fits (400, 503).
 */
ni_status page_problem(struct ni_buf *out, const struct page_request *req,
		       const struct page_settings *settings,
		       const char *heading, const char *message,
		       const struct ni_qparse_error *where);

/* ---- shared with the Atom feed (atom.c) ---------------------------------- */

/*
 * text[0, len) from anywhere, escaped as HTML or XML text or a quoted
 * attribute's value: & < > " ' as references, tab, newline and carriage
 * return as a space, any other control character (ni_is_control()),
 * U+FFFE, U+FFFF and each ill-formed UTF-8 sequence as U+FFFD, and the
 * controls that reorder text (ni_is_bidi_control()) left out: what XML
 * 1.0 does not allow never reaches the output.
 */
void page_put_text(FILE *out, const char *text, size_t len);

/* `text` as one part of a query string: all but [A-Za-z0-9-._~] as %XX. */
void page_put_url_part(FILE *out, const char *text);

/*
 * Whether an article's URL may be a link: https (or http unless
 * `https_only`) from its first byte, without white space or a control
 * character anywhere.  False for NULL.
 */
bool page_linkable(const char *url, bool https_only);

/*
 * Whether `url` can begin the absolute URLs of what the server answers
 * (--public-url, newsquery --feed-base): an http or https URL that can
 * be a link (page_linkable()), without a query or a fragment.  When it
 * can and `out` is not NULL, it is appended to `out` with a '/' at its
 * end, for paths are added to it ("search?q=..."); when that runs out
 * of memory, false with `*nomem` set (`nomem` may be NULL with `out`).
 */
bool page_base_url(const char *url, struct ni_buf *out, bool *nomem);

/* A file the page links to, built into the program. */
struct page_asset {
	const char *path;           /* "/assets/page.css" */
	const char *content_type;   /* "text/css; charset=utf-8" */
	const unsigned char *data;
	size_t len;
	const char *version;        /* a hash of the contents, for links
				       ("?v=...") and the ETag */
};

/* The asset served at `path` (no query string), or NULL. */
const struct page_asset *page_asset_find(const char *path);

/* Every asset: the table embed.py writes (page_assets.c, generated). */
extern const struct page_asset page_assets[];
extern const size_t page_n_assets;

/* ---- the server's handlers (serve.h's serve_handler) -------------------- */

/*
 * `/` and `/search`: the page with the box alone when the request has
 * no query (nor a date range, nor `like`), else the page of results.
 * Parameters: `q`, `from`, `to` and every search option of the API
 * (options.h: limit, offset, sort, all, explain, lang, ...); facets
 * are all three unless `facets` says.  Other parameters are kept in
 * links but do nothing.  Answers in HTML, whatever happens: 400 for a
 * bad parameter or a query that cannot be read (strict_syntax, or no
 * words), 503 while the index cannot be searched (Retry-After).  The
 * route needs no SERVE_NEEDS_INDEX: the box is shown without an index,
 * and the 503 is a page.  NI_EDB_MODIFIED and NI_ENOMEM go back to the
 * server (which tries again, or answers 500).
 */
ni_status page_serve_search(const struct serve_request *req,
			    struct serve_response *res);

/*
 * A request refused before it reached a route (serve.c's refused(): an
 * address or headers too long), asked for by a browser: a page of
 * `status`, `heading` and `message` (HTML text, escaped here) with an
 * empty search box at `path`'s depth, rather than JSON.
 */
ni_status page_answer_refused(struct serve_response *res,
			      const struct serve_settings *settings,
			      const char *path, unsigned status,
			      const char *heading, const char *message);

/*
 * A path of no route, asked for by a browser (serve.c says when): a
 * 404 page that says so, with an empty search box, rather than JSON.
 */
ni_status page_serve_missing(const struct serve_request *req,
			     struct serve_response *res);

/*
 * `/assets/NAME`: the style sheet or script, with an ETag of its
 * version, cached for a year when asked for with that version
 * (`?v=...`, as the page links to it), else revalidated: a 304 without
 * a body when the request's If-None-Match has that ETag.  404 for a
 * name that is none.
 */
ni_status page_serve_asset(const struct serve_request *req,
			   struct serve_response *res);

/*
 * Answer with the asset `a` (borrowed) as page_serve_asset() does, at
 * whatever path was asked for: the web app manifest is an asset served
 * at /manifest.webmanifest (app.c).
 */
ni_status page_answer_asset(const struct serve_request *req,
			    struct serve_response *res,
			    const struct page_asset *a);

#endif
