/* The server as a search engine and a web app: see app.h. */
#include "app.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ni_qparse.h"
#include "ni_search.h"
#include "page.h"

/* ---- the server's address ----------------------------------------------- */

/*
 * The first item of a header that proxies may make a list of
 * ("https, http" after two proxies: the first is the client's), without
 * the spaces around it; its length in `*len`.
 */
static const char *first_item(const char *value, size_t *len)
{
	value += strspn(value, " \t");
	size_t n = strcspn(value, ",");
	while (n && (value[n - 1] == ' ' || value[n - 1] == '\t'))
		n--;
	*len = n;
	return value;
}

/*
 * Append "SCHEME://HOST" to `out` when HOST (of `len` bytes) is a host
 * and maybe a port, as serve_is_origin() knows them; else leave `out`
 * as it was and say false.
 */
static bool add_origin(struct ni_buf *out, const char *scheme,
		       const char *host, size_t len, bool *nomem)
{
	size_t before = out->len;
	if (ni_buf_addf(out, "%s://%.*s", scheme, (int)len, host) != NI_OK) {
		*nomem = true;
		return false;
	}
	if (serve_is_origin(out->data + before, out->len - before))
		return true;
	ni_buf_truncate(out, before);
	return false;
}

/*
 * Whether `value` is a path a proxy may serve the server under: '/'
 * first, then what a path holds unencoded or as %XX ("/news",
 * "/my%20news/"); nothing that could end an attribute or a URL.
 */
static bool is_prefix(const char *value, size_t len)
{
	return len && value[0] == '/' &&
	       strspn(value, "abcdefghijklmnopqrstuvwxyz"
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			     "-._~%/!$&'()*+,;=:@") >= len;
}

bool app_public_base(const struct serve_request *req, struct ni_buf *out,
		     bool *nomem)
{
	*nomem = false;
	const char *public_url = req->ctx->settings->public_url;
	if (public_url)
		return page_base_url(public_url, out, nomem);
	size_t len = 0, before = out->len;
	const char *scheme = "http";
	const char *proto = req->forwarded_proto
		? first_item(req->forwarded_proto, &len) : NULL;
	if (proto && len == 5 && !strncasecmp(proto, "https", 5))
		scheme = "https";
	const char *host = req->forwarded_host
		? first_item(req->forwarded_host, &len) : NULL;
	bool found = host && add_origin(out, scheme, host, len, nomem);
	if (!found && !*nomem && req->host)
		found = add_origin(out, scheme, req->host, strlen(req->host),
				   nomem);
	if (!found)
		return false;
	const char *prefix = req->forwarded_prefix
		? first_item(req->forwarded_prefix, &len) : NULL;
	if (prefix && is_prefix(prefix, len)) {
		while (len && prefix[len - 1] == '/')
			len--;
		if (ni_buf_add(out, prefix, len) != NI_OK)
			*nomem = true;
	}
	if (!*nomem && ni_buf_addch(out, '/') != NI_OK)
		*nomem = true;
	if (*nomem)
		ni_buf_truncate(out, before);
	return !*nomem;
}

/* ---- /opensearch.xml ---------------------------------------------------- */

/* The description, each URL after `base` (escaped, though app_public_base()
 * let through nothing to escape: it is the request's). */
static void put_description(FILE *out, const char *base)
{
	size_t n = strlen(base);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<OpenSearchDescription "
	      "xmlns=\"http://a9.com/-/spec/opensearch/1.1/\" "
	      "xmlns:moz=\"http://www.mozilla.org/2006/browser/search/\">\n"
	      "<ShortName>newsindex</ShortName>\n"
	      "<Description>Search the news articles of this newsindex"
	      "</Description>\n"
	      "<InputEncoding>UTF-8</InputEncoding>\n"
	      "<Image width=\"192\" height=\"192\" type=\"image/png\">", out);
	page_put_text(out, base, n);
	fputs("assets/icon-192.png</Image>\n"
	      "<Url type=\"text/html\" method=\"get\" template=\"", out);
	page_put_text(out, base, n);
	fputs("search?q={searchTerms}\"/>\n"
	      "<Url type=\"application/x-suggestions+json\" method=\"get\" "
	      "template=\"", out);
	page_put_text(out, base, n);
	fputs("api/suggest?format=opensearch&amp;q={searchTerms}\"/>\n"
	      "<Url type=\"application/atom+xml\" method=\"get\" "
	      "template=\"", out);
	page_put_text(out, base, n);
	fputs("feed?q={searchTerms}\"/>\n"
	      "<Url type=\"" APP_OPENSEARCH_TYPE "\" rel=\"self\" "
	      "template=\"", out);
	page_put_text(out, base, n);
	fputs("opensearch.xml\"/>\n<moz:SearchForm>", out);
	page_put_text(out, base, n);
	fputs("</moz:SearchForm>\n</OpenSearchDescription>\n", out);
}

ni_status app_serve_opensearch(const struct serve_request *req,
			       struct serve_response *res)
{
	struct ni_buf base = NI_BUF_INIT;
	bool nomem;
	ni_status status = NI_OK;
	if (!app_public_base(req, &base, &nomem)) {
		status = nomem ? NI_ENOMEM
			: serve_error(res, 400, NULL, "the request does not "
				      "say this server's address (no Host "
				      "header that is a host name): start the "
				      "server with --public-url URL "
				      "(docs/serving.md)");
		ni_buf_release(&base);
		return status;
	}
	struct serve_stream stream;
	FILE *out = serve_stream_open(&stream);
	if (out)
		put_description(out, base.data);
	status = out ? serve_stream_close(&stream, res) : NI_ENOMEM;
	res->content_type = APP_OPENSEARCH_TYPE;
	ni_buf_release(&base);
	return status;
}

/* ---- /manifest.webmanifest ---------------------------------------------- */

ni_status app_serve_manifest(const struct serve_request *req,
			     struct serve_response *res)
{
	const struct page_asset *a =
		page_asset_find("/assets/manifest.webmanifest");
	/* embed.py put it there: not reached without. */
	if (!a)
		return serve_error(res, 404, NULL, "no manifest");
	return page_answer_asset(req, res, a);
}

/* ---- /share ------------------------------------------------------------- */

static bool is_blank(const char *text)
{
	return !text || ni_qparse_blank(text);
}

/* Whether `text` at `p` begins an http or https URL. */
static bool starts_url(const char *p)
{
	return !strncasecmp(p, "https://", 8) || !strncasecmp(p, "http://", 7);
}

/* The last http(s) URL among the words of `text` (separated by white
 * space), its length in `*len`; NULL when there is none. */
static const char *last_url(const char *text, size_t *len)
{
	static const char SPACE[] = " \t\r\n\f\v";
	const char *found = NULL;
	for (const char *p = text; *p;) {
		p += strspn(p, SPACE);
		size_t n = strcspn(p, SPACE);
		if (n && starts_url(p)) {
			found = p;
			*len = n;
		}
		p += n;
	}
	return found;
}

ni_status app_shared_query(const char *title, const char *text,
			   const char *url, app_find_article *find,
			   void *cls, struct ni_buf *out)
{
	struct ni_buf link = NI_BUF_INIT, words = NI_BUF_INIT;
	struct ni_buf own = NI_BUF_INIT;
	size_t len = 0;
	const char *in_text = text ? last_url(text, &len) : NULL;
	ni_status status = NI_OK;
	if (!is_blank(url))
		status = ni_buf_adds(&link, url + strspn(url, " \t\r\n"));
	else if (in_text)
		status = ni_buf_add(&link, in_text, len);
	while (status == NI_OK && link.len &&
	       strchr(" \t\r\n", link.data[link.len - 1]))
		ni_buf_truncate(&link, link.len - 1);
	if (status == NI_OK && !is_blank(title))
		status = ni_buf_adds(&words, title);
	else if (status == NI_OK && !is_blank(text) && in_text)
		status = ni_buf_addf(&words, "%.*s %s",
				     (int)(in_text - text), text,
				     in_text + len);
	else if (status == NI_OK && !is_blank(text))
		status = ni_buf_adds(&words, text);
	if (status == NI_OK && link.len && find)
		status = find(cls, link.data, &own);
	if (status == NI_OK)
		status = ni_buf_adds(out, own.len ? own.data
				     : is_blank(ni_buf_str(&words))
				     ? ni_buf_str(&link) : words.data);
	ni_buf_release(&link);
	ni_buf_release(&own);
	ni_buf_release(&words);
	return status;
}

/*
 * app_find_article() on the index `cls` (an ni_db): the article at `url`
 * in any of its forms (ni_query_url(): http or https, "www.", a last
 * '/', tracking parameters, a fragment).  An index that cannot say is
 * taken as one without it: the words are searched instead.
 */
static ni_status index_find_article(void *cls, const char *url,
				    struct ni_buf *own)
{
	ni_db *db = cls;
	ni_query *at_url = NULL;
	struct ni_search_options options;
	struct ni_results results = {0};
	struct ni_buf why = NI_BUF_INIT;
	ni_search_options_init(&options);
	options.limit = 1;
	options.feedback = false;
	ni_status status = ni_query_url(url, strlen(url), &at_url);
	if (status == NI_OK)
		status = ni_search_run(db, at_url, NULL, &options, &results,
				       &why);
	if (status == NI_OK && results.n_hits && results.hits[0].doc.url)
		status = ni_buf_adds(own, results.hits[0].doc.url);
	else if (status != NI_ENOMEM)
		status = NI_OK;
	ni_results_clear(&results);
	ni_query_free(at_url);
	ni_buf_release(&why);
	return status;
}

ni_status app_serve_share(const struct serve_request *req,
			  struct serve_response *res)
{
	/* Any other parameter is no harm: a share is never refused. */
	ni_db *db = req->ctx->db;
	struct ni_buf q = NI_BUF_INIT;
	ni_status status = app_shared_query(
		serve_param(req, "title"), serve_param(req, "text"),
		serve_param(req, "url"), db ? index_find_article : NULL, db,
		&q);
	/* The page of that search, at its own address: the address bar,
	 * the history and a reload have the query, not the share. */
	char *location = NULL;
	size_t size = 0;
	FILE *out = status == NI_OK ? open_memstream(&location, &size) : NULL;
	if (out) {
		fprintf(out, "%ssearch?q=", page_root_of(req->path));
		page_put_url_part(out, ni_buf_str(&q));
	}
	if (!out || fclose(out) || !location) {
		status = NI_ENOMEM;
	} else {
		res->status = 303;
		res->content_type = "text/html; charset=utf-8";
		status = serve_header(res, "Location", location);
		if (status == NI_OK)
			status = ni_buf_adds(&res->body, "<!DOCTYPE html>\n"
					     "<title>newsindex</title>\n"
					     "<p>See <a href=\"");
		if (status == NI_OK) {
			struct serve_stream stream;
			FILE *body = serve_stream_open(&stream);
			if (body)
				page_put_text(body, location,
					      strlen(location));
			status = body ? serve_stream_close(&stream, res)
				      : NI_ENOMEM;
		}
		if (status == NI_OK)
			status = ni_buf_adds(&res->body,
					     "\">the search</a>.</p>\n");
	}
	free(location);
	ni_buf_release(&q);
	return status;
}
