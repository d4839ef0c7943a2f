/*
 * atom.h - a search as an Atom 1.0 feed (RFC 4287), for feed readers:
 * `GET /feed?q=QUERY` from `newsquery --serve`, and `newsquery
 * --format atom QUERY` for a static file (docs/serving.md, "The Atom
 * feed").
 *
 * The feed is the query's articles, newest first (sort by date, every
 * word), one entry each.  What stays the same when nothing changed, so
 * that a reader polling it sees nothing new:
 *   - the feed's id: a name-based UUID (RFC 9562, version 5) of the
 *     query, its language and `all`, the same across restarts, hosts,
 *     rebuilds, the server and the command line;
 *   - each entry's id: the article's URL when it is an http(s) IRI, else
 *     a version 5 UUID of the article's key (its URL or its file's
 *     path, which is never shown);
 *   - the feed's updated: its newest entry's date (1970-01-01 when it
 *     has none); an article without publishedDateTime is no entry,
 *     having no place in time.
 * Links to the feed itself and to the search page are relative to the
 * feed's own address (RFC 4287 section 2, RFC 3986 section 5.1.3), so
 * they stay right behind a reverse proxy, with TLS or under a path,
 * without trusting any header; the command line makes them absolute
 * from --feed-base, or writes none.
 *
 * Articles are untrusted: every text goes through page_put_text()
 * (page.h), so that nothing XML 1.0 refuses (C0 controls, U+FFFE,
 * U+FFFF, ill-formed UTF-8) and no control that reorders text reaches
 * the feed; links are written only for http(s) URLs, images only from
 * https, as the page does.
 *
 * Ownership: everything given is borrowed for the call.  Nothing here
 * prints (but to the FILE given) or keeps state.
 */
#ifndef NEWSQUERY_ATOM_H
#define NEWSQUERY_ATOM_H

#include <stdbool.h>
#include <stdio.h>

#include "ni_search.h"
#include "serve.h"

#define ATOM_TYPE "application/atom+xml; charset=utf-8"

/* Entries when the request (or --limit) does not say, and at most. */
#define ATOM_DEFAULT_LIMIT 20
#define ATOM_MAX_LIMIT 100

/* "urn:uuid:" and a UUID's 36 characters, and the NUL. */
#define ATOM_ID_SIZE 46

/* What a feed is of, besides its entries. */
struct atom_feed {
	const char *query;      /* as typed: the title, and links' q */
	/* The id, from atom_feed_id(). */
	const char *id;
	/* The links' lang parameter (the request's as given), NULL for
	 * none; `all` and `limit` likewise (limit only when it is not
	 * ATOM_DEFAULT_LIMIT). */
	const char *lang;
	bool all;
	unsigned limit;
	/*
	 * Where the links to the feed itself (rel="self", BASE"feed?...")
	 * and to the search page sorted by date (rel="alternate",
	 * BASE"search?...") go: "" relative to the feed's own address
	 * (the server's), an absolute URL ending with '/' (the command
	 * line's --feed-base), or NULL for no such links.
	 */
	const char *base;
	bool thumbnails;        /* each entry's https image, as media */
};

/*
 * The feed's id for `query`, stemmed in `language` (the stemmer's name:
 * the request's, else the index's), every copy of a story or not:
 * "urn:uuid:" and a version 5 UUID, in `out`.
 */
void atom_feed_id(const char *query, const char *language, bool all,
		  char out[ATOM_ID_SIZE]);

/*
 * Make `o` the feed's search: newest first (the articles with every
 * word of the query), `limit` of them, from the first, no facets, no
 * feedback, no --like (the server's and the command line's).
 */
void atom_search_options(struct query_options *o, unsigned limit);

/*
 * The feed of `results` (sorted newest first) to `out`: the XML
 * declaration, <feed> and an <entry> per dated hit.  False when a
 * write failed (out of memory, for a memory stream).
 */
bool atom_write(FILE *out, const struct atom_feed *feed,
		const struct ni_results *results);

/*
 * `/feed` (serve.h's serve_handler): parameters q (required), limit (1
 * to ATOM_MAX_LIMIT, default ATOM_DEFAULT_LIMIT), lang and all, any
 * other a 400, as the API's errors are (JSON).  With an ETag (the
 * index's revision, the UTC day, a hash of the request) and a
 * Last-Modified (the later of the last build and the day's start),
 * each answered with a 304 when the request has it (If-None-Match
 * first, else If-Modified-Since); none for a stub of shards, whose
 * revision is not one number.
 */
ni_status atom_serve_feed(const struct serve_request *req,
			  struct serve_response *res);

#endif
