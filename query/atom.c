/* A search as an Atom feed: see atom.h and docs/serving.md. */
#include "atom.h"

#include <nettle/sha1.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unicode/utf8.h>

#include "ni_builder.h"
#include "ni_cli.h"
#include "ni_control.h"
#include "ni_dates.h"
#include "ni_qparse.h"
#include "ni_version.h"
#include "page.h"
#include "session.h"

/*
 * The namespace of newsindex's name-based UUIDs (RFC 9562, 5.5): drawn
 * at random once, never to change, or every id would.
 */
static const uint8_t UUID_NAMESPACE[16] = {
	0x95, 0x17, 0x79, 0x82, 0xc3, 0x47, 0x40, 0x1f,
	0xbf, 0x4e, 0x49, 0x57, 0xa6, 0x52, 0x0a, 0xa9,
};

/* A feed without a dated entry was last updated then: never moving. */
#define NEVER_UPDATED "1970-01-01T00:00:00Z"

/* ---- ids ----------------------------------------------------------------- */

/* SHA-1 of `n` parts, each a string with its NUL (so that "ab","c"
 * and "a","bc" differ), after `prefix` bytes. */
static void digest(const uint8_t *prefix, size_t prefix_len,
		   const char *const *parts, size_t n,
		   uint8_t out[SHA1_DIGEST_SIZE])
{
	struct sha1_ctx ctx;
	sha1_init(&ctx);
	sha1_update(&ctx, prefix_len, prefix);
	for (size_t i = 0; i < n; i++)
		sha1_update(&ctx, strlen(parts[i]) + 1,
			    (const uint8_t *)parts[i]);
	sha1_digest(&ctx, SHA1_DIGEST_SIZE, out);
}

/* "urn:uuid:" and the version 5 UUID of the parts, in `out`. */
static void uuid_of(const char *const *parts, size_t n,
		    char out[ATOM_ID_SIZE])
{
	uint8_t d[SHA1_DIGEST_SIZE];
	digest(UUID_NAMESPACE, sizeof UUID_NAMESPACE, parts, n, d);
	d[6] = (uint8_t)((d[6] & 0x0f) | 0x50);   /* version 5 */
	d[8] = (uint8_t)((d[8] & 0x3f) | 0x80);   /* RFC 9562's variant */
	snprintf(out, ATOM_ID_SIZE, "urn:uuid:%02x%02x%02x%02x-%02x%02x-"
		 "%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", d[0], d[1],
		 d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10],
		 d[11], d[12], d[13], d[14], d[15]);
}

void atom_feed_id(const char *query, const char *language, bool all,
		  char out[ATOM_ID_SIZE])
{
	const char *parts[] = {"feed", query, language ? language : "",
			       all ? "all" : ""};
	uuid_of(parts, sizeof parts / sizeof *parts, out);
}

/*
 * Whether an article's URL can be its entry's id as written: a link
 * (page_linkable()), well-formed UTF-8 without a control of any kind,
 * and none of the ASCII characters an IRI cannot hold (RFC 3987).
 */
static bool iri_as_written(const char *url)
{
	if (!page_linkable(url, false))
		return false;
	int32_t i = 0, len = (int32_t)strlen(url);
	while (i < len) {
		UChar32 c;
		U8_NEXT(url, i, len, c);
		if (ni_is_control(c) || ni_is_bidi_control(c) ||
		    c == 0xfffe || c == 0xffff ||
		    (c < 0x80 && strchr("\"<>\\^`{|}", (int)c)))
			return false;
	}
	return true;
}

/* ---- the feed ------------------------------------------------------------ */

static void put_text(FILE *out, const char *text)
{
	page_put_text(out, text, strlen(text));
}

/* <name>TEXT</name>, escaped. */
static void put_element(FILE *out, const char *name, const char *text)
{
	fprintf(out, "<%s>", name);
	put_text(out, text);
	fprintf(out, "</%s>\n", name);
}

/* The entry's id: its URL when it can stand as written, else the
 * UUID of its key (a file's path, never shown). */
static void put_entry_id(FILE *out, const struct ni_docdata *doc)
{
	fputs("<id>", out);
	if (iri_as_written(doc->url)) {
		put_text(out, doc->url);  /* & as &amp; */
	} else {
		const char *parts[] = {"article", doc->url ? doc->url
					: doc->path ? doc->path : ""};
		char id[ATOM_ID_SIZE];
		uuid_of(parts, 2, id);
		fputs(id, out);
	}
	fputs("</id>\n", out);
}

/* `&name=value` (or `?` for the first), for an XML attribute. */
static void put_pair(FILE *out, bool *first, const char *name,
		     const char *value)
{
	fprintf(out, "%s%s=", *first ? "?" : "&amp;", name);
	*first = false;
	page_put_url_part(out, value);
}

/* href="BASE`path`?q=...", with the feed's lang, all and `limit`. */
static void put_href(FILE *out, const struct atom_feed *f, const char *path,
		     bool sorted, unsigned limit)
{
	bool first = true;
	fputs(" href=\"", out);
	put_text(out, f->base);
	fputs(path, out);
	put_pair(out, &first, "q", f->query);
	if (sorted)
		put_pair(out, &first, "sort", "date");
	if (f->lang)
		put_pair(out, &first, "lang", f->lang);
	if (f->all)
		put_pair(out, &first, "all", "1");
	if (limit && limit != ATOM_DEFAULT_LIMIT)
		fprintf(out, "&amp;limit=%u", limit);
	fputc('"', out);
}

static void put_date(FILE *out, const char *name, int64_t epoch)
{
	char date[21];
	fprintf(out, "<%s>%s</%s>\n", name, ni_format_iso8601(epoch, date),
		name);
}

/* The entry's author: its provider, by name, else by domain. */
static void put_author(FILE *out, const struct ni_docdata *doc)
{
	const char *name = doc->provider_name && *doc->provider_name
		? doc->provider_name : doc->provider_domain;
	if (!name || !*name)
		return;  /* the feed's author stands for it (RFC 4287) */
	fputs("<author><name>", out);
	put_text(out, name);
	fputs("</name></author>\n", out);
}

/* The article's first image, from https only, as Media RSS has it. */
static void put_thumbnail(FILE *out, const struct ni_docimage *image)
{
	if (!page_linkable(image->url, true))
		return;
	fputs("<media:thumbnail url=\"", out);
	put_text(out, image->url);
	fputc('"', out);
	if (image->width > 0 && image->height > 0)
		fprintf(out, " width=\"%lld\" height=\"%lld\"",
			(long long)image->width, (long long)image->height);
	fputs("/>\n", out);
}

static void put_entry(FILE *out, const struct atom_feed *f,
		      const struct ni_docdata *doc)
{
	/* The article's language, as the page gives it (its lang key):
	 * readers pass it on to screen readers and fonts. */
	fputs("<entry", out);
	if (doc->lang && *doc->lang) {
		fputs(" xml:lang=\"", out);
		put_text(out, doc->lang);
		fputc('"', out);
	}
	fputs(">\n", out);
	put_entry_id(out, doc);
	put_element(out, "title", doc->title && *doc->title ? doc->title
							    : "(no title)");
	bool link = page_linkable(doc->url, false);
	if (link) {
		fputs("<link rel=\"alternate\" href=\"", out);
		put_text(out, doc->url);
		fputs("\"/>\n", out);
	}
	put_date(out, "published", doc->date.epoch);
	put_date(out, "updated", doc->date.epoch);
	put_author(out, doc);
	for (size_t i = 0; i < doc->n_topics; i++) {
		if (!*doc->topics[i])
			continue;
		fputs("<category term=\"", out);
		put_text(out, doc->topics[i]);
		fputs("\"/>\n", out);
	}
	/* Without a link, an entry must have content (RFC 4287, 4.1.2):
	 * the excerpt is then the content, else the summary. */
	const char *excerpt = doc->excerpt ? doc->excerpt : "";
	if (!link)
		put_element(out, "content", excerpt);
	else if (*excerpt)
		put_element(out, "summary", excerpt);
	if (f->thumbnails)
		put_thumbnail(out, &doc->image);
	fputs("</entry>\n", out);
}

bool atom_write(FILE *out, const struct atom_feed *f,
		const struct ni_results *r)
{
	bool dated = false;
	int64_t newest = 0;
	for (size_t i = 0; i < r->n_hits; i++) {
		const struct ni_opt_time *d = &r->hits[i].doc.date;
		if (d->present && (!dated || d->epoch > newest))
			newest = d->epoch;
		dated = dated || d->present;
	}
	fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	      "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
	      "xmlns:media=\"http://search.yahoo.com/mrss/\">\n", out);
	put_element(out, "id", f->id);
	fputs("<title>\xe2\x80\x9c", out);
	put_text(out, f->query);
	fputs("\xe2\x80\x9d \xc2\xb7 newsindex</title>\n"
	      "<subtitle>The articles that match \xe2\x80\x9c", out);
	put_text(out, f->query);
	fputs("\xe2\x80\x9d, newest first</subtitle>\n", out);
	if (dated)
		put_date(out, "updated", newest);
	else
		fputs("<updated>" NEVER_UPDATED "</updated>\n", out);
	if (f->base) {
		fputs("<link rel=\"self\" type=\"application/atom+xml\"",
		      out);
		put_href(out, f, "feed", false, f->limit);
		fputs("/>\n<link rel=\"alternate\" type=\"text/html\"", out);
		put_href(out, f, "search", true, 0);
		fputs("/>\n", out);
	}
	fputs("<author><name>newsindex</name></author>\n"
	      "<generator version=\"" NI_VERSION "\">newsindex</generator>\n",
	      out);
	for (size_t i = 0; i < r->n_hits; i++)
		if (r->hits[i].doc.date.present)
			put_entry(out, f, &r->hits[i].doc);
	fputs("</feed>\n", out);
	return !ferror(out);
}

/* ---- the server's /feed -------------------------------------------------- */

/* What a client is told to wait before it asks again after a 503. */
#define RETRY_AFTER "5"

static const char *const WEEKDAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu",
				       "Fri", "Sat"};
static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May",
				     "Jun", "Jul", "Aug", "Sep", "Oct",
				     "Nov", "Dec"};

/* `epoch` (years 0 to 9999) as an HTTP date (RFC 9110, IMF-fixdate). */
#define HTTP_DATE_SIZE 48
static void http_date(int64_t epoch, char out[HTTP_DATE_SIZE])
{
	int64_t days = epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400;
	unsigned secs = (unsigned)(epoch - days * 86400), month, day;
	int64_t year;
	ni_civil_from_days(days, &year, &month, &day);
	/* 1970-01-01 was a Thursday. */
	snprintf(out, HTTP_DATE_SIZE, "%s, %02u %s %04d %02u:%02u:%02u GMT",
		 WEEKDAYS[((days % 7) + 11) % 7], day, MONTHS[(month - 1) % 12],
		 (int)year, secs / 3600, secs / 60 % 60, secs % 60);
}

/*
 * An HTTP date as IMF-fixdate writes it: false for any other text
 * (the obsolete forms too: RFC 9110 lets a server ignore a date it
 * cannot read, and answer in full).
 */
static bool read_http_date(const char *text, int64_t *epoch)
{
	char weekday[4], month[4], gmt[4];
	int day, year, h, m, s, end = 0;
	if (sscanf(text, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", weekday, &day,
		   month, &year, &h, &m, &s, gmt, &end) != 8 ||
	    text[end] || strcmp(gmt, "GMT") || h > 23 || m > 59 || s > 60)
		return false;
	for (unsigned i = 0; i < 12; i++) {
		if (!strcmp(month, MONTHS[i]) && day >= 1 &&
		    (unsigned)day <= ni_days_in_month(year, i + 1)) {
			*epoch = ni_days_from_civil(year, i + 1, day) * 86400 +
				 h * 3600 + m * 60 + s;
			return true;
		}
	}
	return false;
}

/* The feed's validators: an ETag and a Last-Modified time. */
struct validators {
	bool known;              /* false for a stub of shards */
	char etag[80];
	int64_t modified;
};

/*
 * The validators of the feed `id` of `limit` entries on this index now:
 * they change when a build commits, when another index is swapped in
 * (its UUID), when the day (UTC) changes (a relative date: a query's
 * date:7d.. moves with the clock), and with the request and the
 * program.
 */
static ni_status validators(ni_db *db, const char *id, unsigned limit,
			    bool thumbnails, struct validators *v)
{
	uint64_t revision = 0;
	ni_status status = ni_db_revision(db, &revision, &v->known);
	if (status != NI_OK || !v->known)
		return status;
	char *built = NULL, *uuid = NULL;
	status = ni_db_get_metadata(db, NI_META_LAST_BUILD, &built);
	if (status == NI_OK)
		status = ni_db_uuid(db, &uuid);
	if (status != NI_OK) {
		free(built);
		return status;
	}
	int64_t now = (int64_t)time(NULL), day = now - now % 86400;
	int64_t last = 0;
	if (!built || !ni_parse_iso8601(built, &last) || last > now)
		last = day;
	v->modified = last > day ? last : day;
	char count[24];
	snprintf(count, sizeof count, "%u", limit);
	/* The index's UUID: one built again counts its revisions from 1
	 * again, and would give an old tag to new articles. */
	const char *parts[] = {id, count, thumbnails ? "media" : "",
			       NI_VERSION, uuid, built ? built : ""};
	uint8_t d[SHA1_DIGEST_SIZE];
	digest(NULL, 0, parts, sizeof parts / sizeof *parts, d);
	free(built);
	free(uuid);
	snprintf(v->etag, sizeof v->etag, "\"%llu-%lld-%02x%02x%02x%02x"
		 "%02x%02x%02x%02x\"", (unsigned long long)revision,
		 (long long)(day / 86400), d[0], d[1], d[2], d[3], d[4],
		 d[5], d[6], d[7]);
	return NI_OK;
}

/* Whether the request's conditions say it has this feed already. */
static bool not_modified(const struct serve_request *req,
			 const struct validators *v)
{
	if (!v->known)
		return false;
	if (req->if_none_match)
		return serve_etag_matches(req, v->etag);
	int64_t since;
	return req->if_modified_since &&
	       read_http_date(req->if_modified_since, &since) &&
	       since >= v->modified;
}

static ni_status put_validators(struct serve_response *res,
				const struct validators *v)
{
	/* Readers and caches may keep it, and must ask again. */
	ni_status status = serve_header(res, "Cache-Control", "no-cache");
	if (status != NI_OK || !v->known)
		return status;
	char date[HTTP_DATE_SIZE];
	http_date(v->modified, date);
	status = serve_header(res, "ETag", v->etag);
	return status == NI_OK ? serve_header(res, "Last-Modified", date)
			       : status;
}

void atom_search_options(struct query_options *o, unsigned limit)
{
	o->search.sort = NI_SORT_DATE;
	o->search.offset = 0;
	o->search.limit = limit;
	o->search.facets = 0;
	o->search.recent = false;
	o->search.feedback = false;
	o->like = NULL;
}

/* Search and answer with the feed, or with why it could not be. */
static ni_status answer_feed(const struct serve_request *req,
			     struct serve_response *res,
			     const struct query_options *o,
			     const struct atom_feed *feed,
			     const char *language)
{
	const struct serve_context *ctx = req->ctx;
	struct session s = {
		.o = o, .text = feed->query, .db = ctx->db,
		.analyzer = ctx->analyzer, .language = language,
		.snippet_columns = session_snippet_columns(0),
		.count = true,  /* no "did you mean": a feed has none */
	};
	ni_status status = session_run(&s);
	if (status == NI_OK) {
		struct serve_stream out;
		if (!serve_stream_open(&out)) {
			session_clear(&s);
			return NI_ENOMEM;
		}
		bool ok = atom_write(out.file, feed, &s.results);
		status = serve_stream_close(&out, res);
		if (status == NI_OK && !ok)
			status = NI_ENOMEM;
		res->content_type = ATOM_TYPE;
	} else if (s.syntax || s.option) {
		ni_buf_reset(&res->headers);  /* no validators for an error */
		status = serve_error(res, 400, s.syntax ? "q" : s.option,
				     "%s: %s", s.syntax ? "q" : s.option,
				     ni_buf_str(&s.message));
	}
	session_clear(&s);
	return status;
}

/* The limit asked for, or false after answering 400. */
static bool feed_limit(const struct serve_request *req,
		       struct serve_response *res, unsigned *limit,
		       ni_status *status)
{
	const char *text = serve_param(req, "limit");
	unsigned long value = ATOM_DEFAULT_LIMIT;
	if (!text || (ni_parse_unsigned(text, ATOM_MAX_LIMIT, &value) &&
		      value > 0)) {
		*limit = (unsigned)value;
		return true;
	}
	*status = serve_error(res, 400, "limit", "limit: '%s' is not a whole "
			      "number from 1 to %d", text, ATOM_MAX_LIMIT);
	return false;
}

/* lang and all, as a search takes them; false after answering 400. */
static bool feed_settings(const struct serve_request *req,
			  struct serve_response *res,
			  struct query_options *o, ni_status *status)
{
	static const char *const names[] = {"lang", "all"};
	struct ni_buf problem = NI_BUF_INIT;
	bool ok = true;
	for (size_t i = 0; ok && i < 2; i++) {
		const char *value = serve_param(req, names[i]);
		ok = !value || query_option_set(o, names[i], value, true,
						&SERVE_BOUNDS, &problem);
		if (!ok)
			*status = serve_error(res, 400, names[i], "%s: %s",
					      names[i], ni_buf_str(&problem));
	}
	ni_buf_release(&problem);
	return ok;
}

ni_status atom_serve_feed(const struct serve_request *req,
			  struct serve_response *res)
{
	static const char *const names[] = {"q", "limit", "lang", "all",
					    NULL};
	const struct serve_context *ctx = req->ctx;
	if (!serve_check_params(req, names, false, res))
		return NI_OK;
	const char *q = serve_param(req, "q");
	if (!q || ni_qparse_blank(q))
		return serve_error(res, 400, "q", "q: no query given "
				   "(/feed?q=WORDS)");
	ni_status status = NI_OK;
	unsigned limit;
	struct query_options o = ctx->settings->defaults;
	o.search.now = (int64_t)time(NULL);
	if (!feed_limit(req, res, &limit, &status) ||
	    !feed_settings(req, res, &o, &status))
		return status;
	atom_search_options(&o, limit);
	const char *language = o.language ? o.language : ctx->index_language;
	char id[ATOM_ID_SIZE];
	atom_feed_id(q, language, o.search.all_copies, id);
	struct validators v = {0};
	status = validators(ctx->db, id, limit, ctx->settings->thumbnails,
			    &v);
	if (status == NI_OK)
		status = put_validators(res, &v);
	if (status != NI_OK)
		return status;
	if (not_modified(req, &v)) {
		res->status = 304;
		res->content_type = ATOM_TYPE;
		return NI_OK;
	}
	struct atom_feed feed = {
		.query = q, .id = id, .lang = serve_param(req, "lang"),
		.all = o.search.all_copies, .limit = limit, .base = "",
		.thumbnails = ctx->settings->thumbnails,
	};
	return answer_feed(req, res, &o, &feed, language);
}
