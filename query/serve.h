/*
 * serve.h - `newsquery --serve`: the index's answers over HTTP, on GNU
 * libmicrohttpd (docs/serving.md).
 *
 * The server (serve.c) owns the listening socket and a pool of worker
 * threads.  Each request is routed by its path, through the route
 * table in serve.c, to a handler: the JSON API's (api.c) or the search
 * page's (page.c).  A handler reads a struct serve_request, fills a
 * struct serve_response and returns; it never sees HTTP itself (no
 * socket, no header parsing, no method: only GET and HEAD reach it).
 * Adding a route is one line of that table.
 *
 * What a handler gets, all borrowed for the call:
 *   - the path and the query parameters, decoded (%XX and +), in the
 *     order of the query string, each checked to hold no NUL byte;
 *   - its thread's serve_context: an open index (ni_db) and an analyzer
 *     that no other thread uses meanwhile (neither is thread-safe),
 *     reopened by the server when a build committed, so a handler just
 *     uses them; the index may be NULL (it cannot be opened: a route
 *     without SERVE_NEEDS_INDEX then says so in its own way);
 *   - the server's settings (read-only, shared by every thread):
 *     whether file paths may be shown (--serve-paths), whether the page
 *     may show thumbnails, and the search options of a request that
 *     gives none (the command line's and the config file's).
 * What it gives: the status, the content type, the body (an ni_buf the
 * response owns: the server sends it, then frees it) and any headers of
 * its own.  The server adds the security headers to every response
 * (Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
 * X-Frame-Options) unless the handler set one of the same name, and
 * sends no body to HEAD.
 *
 * Its return: NI_OK when the response is ready, whatever its status (a
 * 400 or a 404 is a response like any other); NI_EDB_MODIFIED when a
 * build committed twice under it (Xapian's DatabaseModifiedError): the
 * server then reopens the index, empties the response and calls it
 * again, a few times, before answering 503; any other status when it
 * could not answer (NI_ENOMEM, an index error): the server answers 500
 * (503 for an index error) in JSON, and logs why.
 *
 * Threads: handlers run on the pool's threads, several at once.
 * Anything a handler keeps beyond the call must be its own; what it is
 * given is its thread's, or read-only.
 */
#ifndef NEWSQUERY_SERVE_H
#define NEWSQUERY_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_config.h"
#include "ni_status.h"
#include "ni_xapian.h"
#include "options.h"

/*
 * The type of every JSON answer.  RFC 8259 defines no charset for JSON,
 * but clients that read it as Latin-1 without one (Windows
 * PowerShell's Invoke-RestMethod, a browser showing the raw answer)
 * read it right with it; the others ignore it.
 */
#define SERVE_JSON_TYPE "application/json; charset=utf-8"

/* Where the server listens when nothing says: docs/serving.md. */
#define SERVE_DEFAULT_HOST "127.0.0.1"
#define SERVE_DEFAULT_PORT 8765

/* The largest `limit` and `offset` a request may ask for. */
#define SERVE_MAX_LIMIT 1000
#define SERVE_MAX_OFFSET 100000
extern const struct query_bounds SERVE_BOUNDS;

/* The server's settings, from its options and the config file. */
struct serve_settings {
	const char *db_path;     /* the index, as given */
	bool paths;              /* --serve-paths: answers may hold paths */
	bool thumbnails;         /* the page may show articles' images */
	bool allow_partial;      /* --allow-partial: shards that do not
				    answer are left out */
	/* The options of a request that gives none: --limit, --sort, ...
	 * given with --serve, and the config file's. */
	struct query_options defaults;
	char host[NI_HOST_MAX];  /* what to listen on: an address or name */
	unsigned port;           /* 0: any free port (the log says which) */
	unsigned threads;        /* worker threads, at least 1 */
	/* Connections answered at once; more are told 503. */
	unsigned max_connections;
	unsigned timeout;        /* seconds a connection may stay idle */
	const char *log_path;    /* the access log; NULL: stderr */
	/* --allow-origin: the origins whose pages may read the JSON API,
	 * "*" (any) or a comma-separated list of "scheme://host[:port]";
	 * NULL: none but the server's own (borrowed). */
	const char *allow_origin;
	/* --allow-host: the names, besides localhost and IP addresses, a
	 * request's Host may give (a reverse proxy's), "*" (any) or a
	 * comma-separated list; NULL: none (borrowed). */
	const char *allow_host;
	/* --public-url: the address people reach the server at, an http
	 * or https URL (page_base_url() checked it), which the OpenSearch
	 * description's absolute URLs start with; NULL: made from each
	 * request's Host and X-Forwarded-* headers (app.h).  Borrowed. */
	const char *public_url;
	unsigned given;          /* bits 1u << enum serve_option given */
};

/* A worker thread's own: given to each handler that thread runs. */
struct serve_context {
	ni_db *db;               /* NULL when the index cannot be opened */
	ni_analyzer *analyzer;   /* never NULL */
	/* Why `db` is NULL: the status, and a message for the operator
	 * (it names paths: not for answers without settings->paths). */
	ni_status db_status;
	const char *db_error;
	/* The index's own default language (ni_db_language() when it was
	 * opened): what a request without `lang` stems in, unless the
	 * settings' defaults name one. */
	const char *index_language;
	const struct serve_settings *settings;
	/* The server's life so far, when this request came. */
	unsigned long long requests;  /* requests answered, this one too */
	double uptime;                /* seconds since it began to listen */
};

/* One query parameter, decoded.  `value` is "" for "?all" alone. */
struct serve_param {
	const char *name;
	const char *value;
};

struct serve_request {
	const char *method;      /* "GET" or "HEAD" */
	const char *path;        /* decoded: "/api/search" */
	const struct serve_param *params;
	size_t n_params;
	/* The If-None-Match header as sent, NULL without one. */
	const char *if_none_match;
	/* The If-Modified-Since header as sent, NULL without one. */
	const char *if_modified_since;
	/* The headers a handler that must write absolute URLs reads
	 * (app.c), as sent, NULL without them: Host, X-Forwarded-Proto,
	 * X-Forwarded-Host and X-Forwarded-Prefix.  Untrusted text. */
	const char *host;
	const char *forwarded_proto;
	const char *forwarded_host;
	const char *forwarded_prefix;
	struct serve_context *ctx;
};

struct serve_response {
	unsigned status;          /* an HTTP status; 200 to begin with */
	const char *content_type; /* static text; SERVE_JSON_TYPE
				     to begin with */
	struct ni_buf body;       /* owned by the response */
	/* Headers of the handler's own, as name, NUL, value, NUL: add them
	 * with serve_header(). */
	struct ni_buf headers;
	/* Set by /api/events' handler (events.h): with a 200, the server
	 * answers with a stream of events, not the body. */
	bool event_stream;
};

typedef ni_status serve_handler(const struct serve_request *req,
				struct serve_response *res);

enum serve_route_flags {
	/* Answer 503 (JSON) without calling the handler while the index
	 * cannot be opened. */
	SERVE_NEEDS_INDEX = 1u << 0,
};

struct serve_route {
	const char *path;         /* matched exactly */
	serve_handler *handler;
	unsigned flags;           /* enum serve_route_flags */
};

/* ---- for handlers (reply.c) -------------------------------------------- */

/*
 * The value of the parameter `name`, or NULL when the request has none
 * (the first, when it is given twice: serve_check_params() refuses
 * that where it matters).  Borrowed from the request.
 */
const char *serve_param(const struct serve_request *req, const char *name);

/*
 * Whether every parameter of `req` is one of `names` (a NULL-ended
 * list) or a search option (query_option_known(), http), given once.
 * When not, `res` gets a 400 that names the parameter, and false.
 */
bool serve_check_params(const struct serve_request *req,
			const char *const *names, bool search_options,
			struct serve_response *res);

/*
 * The search options `req` asks for: the server's defaults, with each
 * of its search parameters set (query_option_set() with SERVE_BOUNDS);
 * parameters that are no search option are left to the caller.  The
 * search's `now` is the time of the call.  False for a bad value, with
 * `*param` the parameter's name and `problem` what is wrong with it.
 * The strings of `out` are borrowed from `req` and its settings.
 */
bool serve_search_options(const struct serve_request *req,
			  struct query_options *out, const char **param,
			  struct ni_buf *problem);

/*
 * Whether the request's If-None-Match names `etag` (a quoted entity
 * tag, '"abc"'), or is "*": a list, each tag strong or weak ("W/"),
 * compared weakly as RFC 9110 says for If-None-Match.  False without
 * the header.
 */
bool serve_etag_matches(const struct serve_request *req, const char *etag);

/*
 * Add the header `name: value` to `res` (both copied).  A handler that
 * sets one of the security headers replaces the server's.  NI_ENOMEM,
 * or NI_OK.
 */
ni_status serve_header(struct serve_response *res, const char *name,
		       const char *value);

/*
 * A stream whose text goes to the body of a response, for what writes
 * to a FILE * (render.h): serve_stream_open() (NULL when out of
 * memory), write, then serve_stream_close(), which adds what was
 * written to res->body and frees the rest (NI_ENOMEM when a write
 * failed).  Close every stream opened, whatever happened.
 */
struct serve_stream {
	FILE *file;
	char *text;
	size_t len;
};
FILE *serve_stream_open(struct serve_stream *s);
ni_status serve_stream_close(struct serve_stream *s,
			     struct serve_response *res);

/*
 * Add `obj` (json-c's; borrowed) to the body as one line of JSON, as
 * newsquery --json writes it (DEL and C1 controls escaped, bytes that
 * are not UTF-8 as U+FFFD: ni_cli_put_json_line()).  NI_ENOMEM, or
 * NI_OK.
 */
struct json_object;
ni_status serve_json_body(struct serve_response *res,
			  struct json_object *obj);

/*
 * Make `res` a JSON error: `status`, and the body
 * {"version": 1, "status": STATUS, "error": MESSAGE, "parameter": NAME}
 * (docs/serving.md), "parameter" null when `parameter` is NULL.  The
 * message is printf's of `fmt`; text from the request in it is escaped
 * as JSON.  NI_ENOMEM, or NI_OK.
 */
ni_status serve_error(struct serve_response *res, unsigned status,
		      const char *parameter, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The object of serve_error()'s body, for a handler to add to (caller
 * frees with json_object_put()); NULL when out of memory. */
struct json_object *serve_error_json(unsigned status, const char *parameter,
				     const char *message);

/* Empty the body and headers of `res` and set it back to a 200 in
 * JSON, keeping its memory. */
void serve_response_reset(struct serve_response *res);

/* Free what `res` owns. */
void serve_response_release(struct serve_response *res);

/*
 * Whether the `len` bytes at `text` are an origin as a browser sends it
 * in its Origin header: http or https, "://", a host (a name, an IPv4
 * address or an [IPv6] one) and maybe ":PORT"; no path, no slash.
 */
bool serve_is_origin(const char *text, size_t len);

/*
 * Open the index `settings` name for reading, as every thread of the
 * server does (with --allow-partial, without the shards that do not
 * answer): ni_db_open()'s status, `*db` and `detail`.
 */
ni_status serve_open_index(const struct serve_settings *settings,
			   ni_db **db, struct ni_buf *detail);

/* ---- the server (serve.c) ---------------------------------------------- */


/* The server's options on newsquery's command line. */
enum serve_option {
	SERVE_OPT_SERVE = 0,        /* --serve [[HOST:]PORT] */
	SERVE_OPT_THREADS,          /* --threads N */
	SERVE_OPT_PATHS,            /* --serve-paths */
	SERVE_OPT_NO_THUMBNAILS,    /* --no-thumbnails */
	SERVE_OPT_LOG,              /* --log FILE */
	SERVE_OPT_MAX_CONNECTIONS,  /* --max-connections N */
	SERVE_OPT_TIMEOUT,          /* --timeout SECONDS */
	SERVE_OPT_ALLOW_ORIGIN,     /* --allow-origin ORIGIN[,ORIGIN...] */
	SERVE_OPT_ALLOW_HOST,       /* --allow-host NAME[,NAME...] */
	SERVE_OPT_PUBLIC_URL,       /* --public-url URL */
};

/* Their entries of getopt_long()'s table, numbered from `base`. */
#define SERVE_LONGOPTS(base) \
	{"serve", optional_argument, NULL, (base) + SERVE_OPT_SERVE}, \
	{"threads", required_argument, NULL, (base) + SERVE_OPT_THREADS}, \
	{"serve-paths", no_argument, NULL, (base) + SERVE_OPT_PATHS}, \
	{"no-thumbnails", no_argument, NULL, \
	 (base) + SERVE_OPT_NO_THUMBNAILS}, \
	{"log", required_argument, NULL, (base) + SERVE_OPT_LOG}, \
	{"max-connections", required_argument, NULL, \
	 (base) + SERVE_OPT_MAX_CONNECTIONS}, \
	{"timeout", required_argument, NULL, (base) + SERVE_OPT_TIMEOUT}, \
	{"allow-origin", required_argument, NULL, \
	 (base) + SERVE_OPT_ALLOW_ORIGIN}, \
	{"allow-host", required_argument, NULL, \
	 (base) + SERVE_OPT_ALLOW_HOST}, \
	{"public-url", required_argument, NULL, \
	 (base) + SERVE_OPT_PUBLIC_URL}

/*
 * The defaults: 127.0.0.1:8765, a thread per core, no paths,
 * thumbnails, 256 connections, 30 s, the log on stderr.
 */
void serve_settings_init(struct serve_settings *s);

/*
 * Set the option `which` from `value` (NULL for one without a value;
 * --serve's address is borrowed until serve_run() returns).  False
 * when the value is bad: `problem` says why, without the option's
 * name.
 */
bool serve_option(struct serve_settings *s, enum serve_option which,
		  const char *value, struct ni_buf *problem);

/*
 * The config file's serve, serve_threads, serve_paths, thumbnails,
 * allow_origin, allow_host and public_url, where no option gave them.
 * `config` must outlive `s`.  False when `serve` does not parse
 * (ni_config_load() checked it), allow_origin or allow_host holds what
 * is not an origin or a name, or public_url is no http(s) URL:
 * `problem` says so, naming the setting.
 */
bool serve_configure(struct serve_settings *s,
		     const struct ni_config *config, struct ni_buf *problem);

/*
 * Listen as `settings` say and answer until SIGINT or SIGTERM, then
 * stop cleanly: connections are closed, threads joined, indexes
 * closed.  Says on stderr where it listens (and warns when that is not
 * a loopback address: there is no authentication).  Returns newsquery's
 * exit code: 0 after a signal, 2 when it cannot listen (said why).
 * `settings` is borrowed until it returns.
 */
int serve_run(const struct serve_settings *settings);

#endif
