/* The forms of one web address: see include/ni_url.h. */
#include "ni_url.h"

#include <stdbool.h>
#include <string.h>

#include "ascii.h"
#include "ni_buf.h"

/*
 * Parameters that say where a reader came from, not which article: the
 * share buttons', newsletters' and ad networks' (utm_* is a prefix).
 * A site that needs one of these to find an article is not known.
 */
static const char *const TRACKING[] = {
	"_ga", "_gl", "_hsenc", "_hsmi", "amp", "amp_gsa", "amp_js_v",
	"ampshare", "at_campaign", "at_medium",
	"cmpid", "dclid", "fbclid", "gbraid", "gclid", "gclsrc",
	"guccounter", "guce_referrer", "guce_referrer_sig", "igsh", "igshid",
	"li_fat_id", "mc_cid", "mc_eid", "mkt_tok", "msclkid", "ncid",
	"ocid", "ref_src", "ref_url", "smid", "smtyp", "sr_share",
	"ttclid", "twclid", "usqp", "wbraid", "yclid",
};

static bool is_tracking(const char *name, size_t len)
{
	if (len > 4 && equals_word_ci(name, 4, "utm_"))
		return true;
	for (size_t i = 0; i < sizeof TRACKING / sizeof *TRACKING; i++)
		if (equals_word_ci(name, len, TRACKING[i]))
			return true;
	return false;
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A URL cut into the parts its forms vary. */
struct url_parts {
	bool https;             /* else http */
	struct ni_buf host;     /* lowercased, without "www." or the port */
	bool www;               /* the host as given had "www." */
	const char *port;       /* ":8080" as given, or "" */
	size_t port_len;
	const char *path;       /* from the first '/' to '?' or '#' */
	size_t path_len;
	const char *query;      /* after '?', to '#' */
	size_t query_len;
	bool has_query;
	struct ni_buf clean;    /* the query without tracking parameters */
	struct ni_buf inner;    /* the page an AMP viewer's URL shows */
};

/* `query` without its tracking parameters, into `out`. */
static ni_status clean_query(const char *query, size_t len,
			     struct ni_buf *out)
{
	size_t at = 0;
	while (at <= len) {
		const char *end = memchr(query + at, '&', len - at);
		size_t stop = end ? (size_t)(end - query) : len;
		const char *eq = memchr(query + at, '=', stop - at);
		size_t name = (eq ? (size_t)(eq - query) : stop) - at;
		if (stop > at && !is_tracking(query + at, name)) {
			ni_status status = ni_buf_add(out, "&", out->len ? 1 : 0);
			if (status == NI_OK)
				status = ni_buf_add(out, query + at, stop - at);
			if (status != NI_OK)
				return status;
		}
		at = stop + 1;
	}
	return NI_OK;
}

/* The authority `a` (`len` bytes): the host lowercased, and the port
 * unless it is the scheme's default. */
static ni_status split_authority(const char *a, size_t len,
				 struct url_parts *u)
{
	size_t host_len = len;
	/* An IPv6 literal's colons are not a port's. */
	const char *close = a[0] == '[' ? memchr(a, ']', len) : a;
	const char *colon = close ? memchr(close, ':', len - (size_t)(close - a))
				  : NULL;
	if (colon) {
		host_len = (size_t)(colon - a);
		u->port = colon;
		u->port_len = len - host_len;
		const char *fallback = u->https ? ":443" : ":80";
		if (u->port_len == strlen(fallback) &&
		    !memcmp(u->port, fallback, u->port_len))
			u->port_len = 0;
	}
	u->www = host_len > 4 && equals_word_ci(a, 4, "www.");
	size_t skip = u->www ? 4 : 0;
	ni_status status = ni_buf_add(&u->host, a + skip, host_len - skip);
	for (size_t i = 0; status == NI_OK && i < u->host.len; i++)
		u->host.data[i] = ascii_lower(u->host.data[i]);
	return status;
}

/* Cut `url`; false for a URL whose forms are only itself. */
static bool split(const char *url, size_t len, struct url_parts *u,
		  ni_status *status)
{
	size_t scheme = 0;
	while (scheme < len && is_alpha(url[scheme]))
		scheme++;
	if (scheme + 3 > len || memcmp(url + scheme, "://", 3))
		return false;
	u->https = equals_word_ci(url, scheme, "https");
	if (!u->https && !equals_word_ci(url, scheme, "http"))
		return false;
	const char *a = url + scheme + 3, *end = url + len;
	size_t a_len = 0;
	while (a + a_len < end && !strchr("/?#", a[a_len]))
		a_len++;
	if (!a_len || memchr(a, '@', a_len))
		return false;  /* no host, or user information: as given */
	const char *p = a + a_len;
	const char *hash = memchr(p, '#', (size_t)(end - p));
	if (hash)
		end = hash;
	const char *q = memchr(p, '?', (size_t)(end - p));
	u->path = p;
	u->path_len = (size_t)((q ? q : end) - p);
	u->has_query = q != NULL;
	u->query = q ? q + 1 : end;
	u->query_len = (size_t)(end - u->query);
	*status = split_authority(a, a_len, u);
	if (*status != NI_OK || !u->host.len)
		return false;  /* no memory, or no host (":80") */
	*status = clean_query(u->query, u->query_len, &u->clean);
	return *status == NI_OK;
}

static bool starts_with(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && !memcmp(s, prefix, n);
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);
	return len >= n && !memcmp(s + len - n, suffix, n);
}

/*
 * The page that a Google AMP viewer's (google.com/amp/s/HOST/PATH) or
 * the AMP cache's (X.cdn.ampproject.org/c/s/HOST/PATH) URL `u` shows,
 * into u->inner: "s/" is https.  False for any other URL.
 */
static bool amp_viewed(struct url_parts *u, ni_status *status)
{
	const char *path = u->path;
	size_t len = u->path_len, skip;
	if ((!strcmp(u->host.data, "google.com") ||
	     starts_with(u->host.data, u->host.len, "google.")) &&
	    starts_with(path, len, "/amp/"))
		skip = 5;
	else if (ends_with(u->host.data, u->host.len, ".cdn.ampproject.org") &&
		 (starts_with(path, len, "/c/") || starts_with(path, len, "/v/")))
		skip = 3;
	else
		return false;
	bool https = starts_with(path + skip, len - skip, "s/");
	skip += https ? 2 : 0;
	struct ni_buf *inner = &u->inner;
	*status = ni_buf_adds(inner, https ? "https://" : "http://");
	if (*status == NI_OK)
		*status = ni_buf_add(inner, path + skip, len - skip);
	if (*status == NI_OK && u->has_query)
		*status = ni_buf_addch(inner, '?');
	if (*status == NI_OK)
		*status = ni_buf_add(inner, u->query, u->query_len);
	return *status == NI_OK;
}

/* The article, not its AMP page: amp.HOST, PATH.amp, PATH/amp(/). */
static void drop_amp(struct url_parts *u)
{
	if (starts_with(u->host.data, u->host.len, "amp.") &&
	    memchr(u->host.data + 4, '.', u->host.len - 4)) {
		memmove(u->host.data, u->host.data + 4, u->host.len - 4 + 1);
		u->host.len -= 4;
	}
	if (ends_with(u->path, u->path_len, ".amp"))
		u->path_len -= 4;
	else if (ends_with(u->path, u->path_len, "/amp"))
		u->path_len -= 4;
	else if (ends_with(u->path, u->path_len, "/amp/"))
		u->path_len -= 5;
}

/* Cut `url`, an AMP viewer's into the page it shows; false for a URL
 * whose forms are only itself. */
static bool split_page(const char *url, size_t len, struct url_parts *u,
		       ni_status *status)
{
	if (!split(url, len, u, status))
		return false;
	if (amp_viewed(u, status)) {
		struct ni_buf inner = u->inner;
		ni_buf_release(&u->host);
		ni_buf_release(&u->clean);
		memset(u, 0, sizeof *u);
		u->port = "";
		u->inner = inner;
		if (!split(inner.data, inner.len, u, status))
			return false;
	}
	if (*status != NI_OK)
		return false;
	drop_amp(u);
	return true;
}

/* The forms given so far, to give each once. */
struct given {
	struct ni_buf forms[NI_URL_VARIANTS_MAX];
	size_t n;
};

static ni_status give(struct given *g, struct ni_buf *form,
		      ni_url_each_fn each, void *arg)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->forms[i].len == form->len &&
		    !memcmp(g->forms[i].data, form->data, form->len)) {
			ni_buf_release(form);
			return NI_OK;
		}
	g->forms[g->n++] = *form;
	*form = (struct ni_buf)NI_BUF_INIT;
	const struct ni_buf *kept = &g->forms[g->n - 1];
	return each(kept->data ? kept->data : "", kept->len, arg);
}

/* The form of `u` with these choices. */
static ni_status build(const struct url_parts *u, bool https, bool www,
		       bool slash, bool clean, struct ni_buf *out)
{
	ni_status status = ni_buf_adds(out, https ? "https://" : "http://");
	if (status == NI_OK && www)
		status = ni_buf_adds(out, "www.");
	if (status == NI_OK)
		status = ni_buf_add(out, u->host.data, u->host.len);
	if (status == NI_OK)
		status = ni_buf_add(out, u->port, u->port_len);
	/* The path with its last '/' toggled: "" and "/" are each other's. */
	size_t path_len = u->path_len;
	bool ends = path_len && u->path[path_len - 1] == '/';
	if (status == NI_OK)
		status = ni_buf_add(out, u->path,
				    slash && ends ? path_len - 1 : path_len);
	if (status == NI_OK && slash && !ends)
		status = ni_buf_addch(out, '/');
	const char *query = clean ? u->clean.data : u->query;
	size_t query_len = clean ? u->clean.len : u->query_len;
	if (status == NI_OK && (clean ? query_len > 0 : u->has_query))
		status = ni_buf_addch(out, '?');
	if (status == NI_OK && query_len)
		status = ni_buf_add(out, query, query_len);
	return status;
}

/* Each form of `u`, after the URL as given. */
static ni_status give_forms(const struct url_parts *u, struct given *g,
			    ni_url_each_fn each, void *arg)
{
	ni_status status = NI_OK;
	bool cleaned = u->clean.len != u->query_len;
	for (int scheme = 0; scheme < 2 && status == NI_OK; scheme++)
		for (int www = 0; www < 2 && status == NI_OK; www++)
			for (int slash = 0; slash < 2 && status == NI_OK;
			     slash++)
				for (int query = 0;
				     query < (cleaned ? 2 : 1) &&
				     status == NI_OK;
				     query++) {
					struct ni_buf form = NI_BUF_INIT;
					status = build(u, u->https == !scheme,
						       u->www == !www, slash,
						       query == 0, &form);
					if (status == NI_OK)
						status = give(g, &form, each,
							      arg);
					ni_buf_release(&form);
				}
	return status;
}

ni_status ni_url_variants(const char *url, size_t len, ni_url_each_fn each,
			  void *arg)
{
	struct url_parts u;
	memset(&u, 0, sizeof u);
	u.port = "";
	struct given g = {.n = 0};
	struct ni_buf as_given = NI_BUF_INIT;
	ni_status status = ni_buf_add(&as_given, url, len);
	if (status == NI_OK)
		status = give(&g, &as_given, each, arg);
	ni_buf_release(&as_given);
	if (status == NI_OK && split_page(url, len, &u, &status))
		status = give_forms(&u, &g, each, arg);
	for (size_t i = 0; i < g.n; i++)
		ni_buf_release(&g.forms[i]);
	ni_buf_release(&u.host);
	ni_buf_release(&u.clean);
	ni_buf_release(&u.inner);
	return status;
}
