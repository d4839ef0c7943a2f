/*
 * app.h - the server as a browser's search engine and as an installable
 * web app (docs/serving.md, "In the browser and on the phone"): the
 * handlers serve.c's route table names, each as serve.h's
 * serve_handler says.
 *
 *   /opensearch.xml        the OpenSearch description: the browser's
 *                          address bar searches here, completes from
 *                          /api/suggest, and finds the Atom feed
 *   /manifest.webmanifest  the web app manifest (query/assets/)
 *   /share                 the manifest's share target: what a phone
 *                          shares (title, text, url) becomes a search
 *
 * The OpenSearch description is the only answer of the server with
 * absolute URLs (the specification wants them: browsers resolve its
 * templates against nothing).  They start with --public-url when it is
 * given; else with what the request says: X-Forwarded-Proto (http or
 * https), X-Forwarded-Host or Host, and X-Forwarded-Prefix.  Those are
 * the sender's own headers and are checked as such: a value that is not
 * a scheme, a host[:port] or a path is ignored, and without a host that
 * is one the answer is a 400 that says to give --public-url.  They only
 * change what the sender is told (a browser cannot set them on another
 * site's request, and the answer is not stored: Cache-Control
 * no-store).  Everything else stays relative (page.h), so the manifest
 * works under any path prefix as it is.
 */
#ifndef NEWSQUERY_APP_H
#define NEWSQUERY_APP_H

#include "serve.h"

/* The type of the OpenSearch description (its specification's). */
#define APP_OPENSEARCH_TYPE "application/opensearchdescription+xml"

/*
 * Append to `out` the address the server is reached at, for `req`,
 * ending with '/' ("https://example.org/news/"): --public-url, or what
 * the request's headers say (above).  False when neither says one (no
 * Host, or none that is a host), or when out of memory (`*nomem`).
 */
bool app_public_base(const struct serve_request *req, struct ni_buf *out,
		     bool *nomem);

/*
 * Append to `own` the URL of the article at `url` (any of its forms, as
 * people share links: ni_url_variants()), as the index has it; nothing
 * when there is none.  NI_ENOMEM, or NI_OK.
 */
typedef ni_status app_find_article(void *cls, const char *url,
				   struct ni_buf *own);

/*
 * The query a person sharing `title`, `text` and `url` (any may be NULL
 * or blank) means, appended to `out`: the shared article's own URL when
 * `find` finds it, which alone finds it first (a bare URL is also url:,
 * docs/query-syntax.md); else the title, or the text without its URL
 * (what articles about the same story share); else the URL, whose words
 * may still match.  The URL is `url`, or the last http(s) URL in `text`
 * (apps often share "Headline https://...").  `find` may be NULL (no
 * index): as if it found nothing.  NI_ENOMEM, or NI_OK.
 */
ni_status app_shared_query(const char *title, const char *text,
			   const char *url, app_find_article *find,
			   void *cls, struct ni_buf *out);

/*
 * `/opensearch.xml`: the description (APP_OPENSEARCH_TYPE), its URLs
 * after app_public_base()'s; a 400 in JSON, that says to give
 * --public-url, when the request does not say the address.
 */
ni_status app_serve_opensearch(const struct serve_request *req,
			       struct serve_response *res);

/* `/manifest.webmanifest`: query/assets/manifest.webmanifest, with its
 * ETag (page_answer_asset()). */
ni_status app_serve_manifest(const struct serve_request *req,
			     struct serve_response *res);

/*
 * `/share?title=...&text=...&url=...`: 303 See Other to
 * `search?q=QUERY`, relative (under a proxy's prefix too), QUERY as
 * app_shared_query() says, the index asked for the article at the URL
 * (without an index, the words).  Other parameters are ignored: a
 * share is never refused.
 */
ni_status app_serve_share(const struct serve_request *req,
			  struct serve_response *res);

#endif
