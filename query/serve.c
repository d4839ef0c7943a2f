/*
 * newsquery --serve: the HTTP server (serve.h, docs/serving.md).
 *
 * libmicrohttpd does HTTP: the parsing, the connections, in one thread
 * of its own (MHD_USE_POLL_INTERNAL_THREAD).  The searches are done by
 * `threads` workers of ours, which take the requests in the order they
 * came, from one queue: a connection waits for the first worker free,
 * not for the one thread its connection was given (with libmicrohttpd's
 * thread pool, each thread answered its own connections: two clients
 * could share one thread while the other idled, and a slow search held
 * up every request behind it on its thread).  A request waiting for a
 * worker is suspended (MHD_suspend_connection) and resumed when its
 * answer is ready.  Here is what libmicrohttpd cannot know: the routes,
 * one index and analyzer per worker (a Xapian handle is not
 * thread-safe), following the index as builds commit, the limits it has
 * no status for, the security headers and the access log.
 *
 * A request goes: uri_logged() (MHD's first look: its raw URI is kept
 * for the log) -> answer() (method, body, connections, parameters,
 * route; a request to search is queued and its connection suspended)
 * -> a worker: work() (its index refreshed, the handler; the connection
 * resumed) -> answer() again (the answer sent) -> completed() (the log
 * line).  The main thread waits for SIGINT or SIGTERM, then stops the
 * workers (each answers what it holds; what is left in the queue is
 * told 503), then the daemon, and closes every worker's index.
 *
 * /api/events is a stream (events.h): its worker only checks the
 * request; its answer is events.c's, which sends what the follower
 * thread there sees of the index, suspended while it has nothing to
 * send, and ended before the daemon stops.
 */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "app.h"
#include "atom.h"
#include "events.h"
#include "mhd.h"
#include "ni_dates.h"
#include "page.h"
#include "ni_cli.h"

/* A handler is called this many times at most while builds commit. */
#define MODIFIED_ATTEMPTS 4
/* Beyond max_connections, connections still answered (with a 503)
 * before libmicrohttpd closes new ones unanswered. */
#define SPARE_CONNECTIONS 64
/* A stub's shard left out is tried again after this many seconds. */
#define MISSING_RETRY_SECONDS 10
/*
 * The longest URI, and the most bytes of headers, answered.  What
 * libmicrohttpd reads of a request and what it writes of the answer's
 * headers share one pool for each connection (32 KiB): a request that
 * filled most of it would leave no room for an answer, and be closed
 * unanswered.  Past these it is told 414 or 431 while there is room;
 * past the pool, libmicrohttpd says so itself.
 */
#define MAX_URI 16384
#define MAX_HEADERS 16384
/* What a client is told to wait before it asks again after a 503. */
#define RETRY_AFTER "5"

/*
 * The routes: each path and its handler.  The JSON API is api.c's; the
 * search page adds its own lines here (page.c).
 */
static const struct serve_route ROUTES[] = {
	{"/api/search", api_search, SERVE_NEEDS_INDEX},
	{"/api/article", api_article, SERVE_NEEDS_INDEX},
	{"/api/suggest", api_suggest, SERVE_NEEDS_INDEX},
	{"/api/stats", api_stats, SERVE_NEEDS_INDEX},
	{"/api/events", events_serve, SERVE_NEEDS_INDEX},
	{"/healthz", api_healthz, SERVE_NEEDS_INDEX},
	{"/feed", atom_serve_feed, SERVE_NEEDS_INDEX},
	{"/opensearch.xml", app_serve_opensearch, 0},
	{"/manifest.webmanifest", app_serve_manifest, 0},
	{"/share", app_serve_share, 0},
	{"/", page_serve_search, 0},
	{"/search", page_serve_search, 0},
	{"/assets/page.css", page_serve_asset, 0},
	{"/assets/page.js", page_serve_asset, 0},
	{"/assets/icon.svg", page_serve_asset, 0},
	{"/assets/icon-192.png", page_serve_asset, 0},
	{"/assets/icon-512.png", page_serve_asset, 0},
};

/* ---- settings ---------------------------------------------------------- */

void serve_settings_init(struct serve_settings *s)
{
	memset(s, 0, sizeof *s);
	query_options_init(&s->defaults);
	snprintf(s->host, sizeof s->host, "%s", SERVE_DEFAULT_HOST);
	s->port = SERVE_DEFAULT_PORT;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	s->threads = cores > 0 && cores <= 1024 ? (unsigned)cores : 1;
	s->thumbnails = true;
	s->max_connections = 256;
	s->timeout = 30;
}

static bool set_address(struct serve_settings *s, const char *text,
			struct ni_buf *problem)
{
	char host[NI_HOST_MAX];
	unsigned port;
	if (!ni_listen_address(text, host, &port)) {
		ni_buf_addf(problem, "'%s' is not [HOST:]PORT (8765, "
			    "127.0.0.1:8765, [::1]:8765)", text);
		return false;
	}
	if (host[0])
		memcpy(s->host, host, sizeof host);
	s->port = port;
	return true;
}

static bool set_count(const char *text, unsigned long lo, unsigned long hi,
		      unsigned *out, struct ni_buf *problem)
{
	unsigned long value;
	if (!ni_parse_unsigned(text, hi, &value) || value < lo) {
		ni_buf_addf(problem, "'%s' is not a whole number from %lu to "
			    "%lu", text, lo, hi);
		return false;
	}
	*out = (unsigned)value;
	return true;
}

/*
 * Whether `text`, "*" or items separated by commas (spaces around them
 * allowed), as --allow-origin and --allow-host take them, has only
 * items `valid` accepts; else `problem` names the first other, which is
 * not `what`.
 */
static bool check_list(const char *text,
		       bool (*valid)(const char *, size_t), const char *what,
		       struct ni_buf *problem)
{
	if (!strcmp(text, "*"))
		return true;
	const char *p = text;
	do {
		p += strspn(p, " ");
		size_t len = strcspn(p, ",");
		while (len && p[len - 1] == ' ')
			len--;
		if (!valid(p, len)) {
			ni_buf_addf(problem, "'%.*s' is not %s or *", (int)len,
				    p, what);
			return false;
		}
		p += strcspn(p, ",");
	} while (*p++);
	return true;
}

/* Whether the list check_list() accepted holds item[0, len), any case. */
static bool list_has(const char *list, const char *item, size_t len)
{
	for (const char *p = list; *p; p += *p == ',') {
		p += strspn(p, " ");
		size_t n = strcspn(p, ",");
		size_t trimmed = n;
		while (trimmed && p[trimmed - 1] == ' ')
			trimmed--;
		if (trimmed == len && !strncasecmp(p, item, len))
			return true;
		p += n;
	}
	return false;
}

static bool set_origins(struct serve_settings *s, const char *text,
			struct ni_buf *problem)
{
	if (!check_list(text, serve_is_origin, "an origin (https://app.example.org, "
			"http://localhost:3000)", problem))
		return false;
	s->allow_origin = text;
	return true;
}

/*
 * Whether text[0, len) is a host name a Host header may give: letters,
 * digits, '-' and '.', not empty, at most 253 bytes.
 */
static bool is_host_name(const char *text, size_t len)
{
	return len > 0 && len <= 253 &&
	       strspn(text, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") >= len;
}

static bool set_public_url(struct serve_settings *s, const char *text,
			   struct ni_buf *problem)
{
	if (!page_base_url(text, NULL, NULL)) {
		ni_buf_addf(problem, "'%s' is not an http or https URL "
			    "(https://news.example.org/)", text);
		return false;
	}
	s->public_url = text;
	return true;
}

static bool set_hosts(struct serve_settings *s, const char *text,
		      struct ni_buf *problem)
{
	if (!check_list(text, is_host_name, "a host name (news.example.org)",
			problem))
		return false;
	s->allow_host = text;
	return true;
}

bool serve_option(struct serve_settings *s, enum serve_option which,
		  const char *value, struct ni_buf *problem)
{
	bool ok = true;
	switch (which) {
	case SERVE_OPT_SERVE:
		ok = !value || set_address(s, value, problem);
		break;
	case SERVE_OPT_THREADS:
		ok = set_count(value, 1, 1024, &s->threads, problem);
		break;
	case SERVE_OPT_PATHS:
		s->paths = true;
		break;
	case SERVE_OPT_NO_THUMBNAILS:
		s->thumbnails = false;
		break;
	case SERVE_OPT_LOG:
		s->log_path = value;
		break;
	case SERVE_OPT_MAX_CONNECTIONS:
		ok = set_count(value, 1, 100000, &s->max_connections, problem);
		break;
	case SERVE_OPT_TIMEOUT:
		ok = set_count(value, 1, 3600, &s->timeout, problem);
		break;
	case SERVE_OPT_ALLOW_ORIGIN:
		ok = set_origins(s, value, problem);
		break;
	case SERVE_OPT_ALLOW_HOST:
		ok = set_hosts(s, value, problem);
		break;
	case SERVE_OPT_PUBLIC_URL:
		ok = set_public_url(s, value, problem);
		break;
	}
	if (ok && which != SERVE_OPT_SERVE)
		s->given |= 1u << which;
	return ok;
}

bool serve_configure(struct serve_settings *s, const struct ni_config *c,
		     struct ni_buf *problem)
{
	if (c->has_serve_threads && !(s->given & (1u << SERVE_OPT_THREADS)))
		s->threads = c->serve_threads;
	if (c->has_serve_paths && !(s->given & (1u << SERVE_OPT_PATHS)))
		s->paths = c->serve_paths;
	if (c->has_thumbnails &&
	    !(s->given & (1u << SERVE_OPT_NO_THUMBNAILS)))
		s->thumbnails = c->thumbnails;
	if (c->serve && !(s->given & (1u << SERVE_OPT_SERVE)) &&
	    !set_address(s, c->serve, problem)) {
		/* ni_config_load() checked it: not reached. */
		ni_buf_addf(problem, " (serve)");
		return false;
	}
	/* Checked here, not by ni_config_load(): what an origin is, is
	 * the server's to say. */
	if (c->allow_origin &&
	    !(s->given & (1u << SERVE_OPT_ALLOW_ORIGIN)) &&
	    !set_origins(s, c->allow_origin, problem)) {
		ni_buf_addf(problem, " (allow_origin)");
		return false;
	}
	if (c->allow_host && !(s->given & (1u << SERVE_OPT_ALLOW_HOST)) &&
	    !set_hosts(s, c->allow_host, problem)) {
		ni_buf_addf(problem, " (allow_host)");
		return false;
	}
	if (c->public_url && !(s->given & (1u << SERVE_OPT_PUBLIC_URL)) &&
	    !set_public_url(s, c->public_url, problem)) {
		ni_buf_addf(problem, " (public_url)");
		return false;
	}
	return true;
}

/* ---- the server's state ------------------------------------------------ */

/* A worker thread's own: its index, analyzer, and what it last saw. */
struct slot {
	struct serve_context ctx;
	struct ni_buf error;        /* ctx.db_error's text */
	char *index_language;       /* ctx.index_language's */
	/* The index path's file when opened: another one there (an index
	 * swapped in by compact or build --rebuild) is opened afresh. */
	dev_t dev;
	ino_t ino;
	struct timespec opened;
	struct slot *next;
};

struct job;

struct server {
	const struct serve_settings *settings;
	struct MHD_Daemon *daemon;
	struct events *events;      /* /api/events' streams */
	/* Requests waiting for a worker, first come first: `lock`. */
	struct job *first, *last;
	pthread_cond_t queued;      /* a job, or stopping */
	bool stopping;
	pthread_t *workers;
	unsigned n_workers;
	FILE *log;
	struct timespec started;
	atomic_ullong requests;
	atomic_uint connections;
	pthread_mutex_t lock;       /* slots, and the log's last error */
	struct slot *slots;         /* every thread's, to close at the end */
	char *last_error;           /* said once, not at every request */
};

/* The slot of the thread running, made when it first answers. */
static _Thread_local struct slot *this_slot;

/* One request, from uri_logged() to completed(). */
struct request_state {
	struct timespec start;
	char *uri;                  /* raw, as sent, for the log */
	unsigned status;            /* 0: not answered by us */
	size_t bytes;
	bool seen;                  /* answer() has had its first call */
	char method[16];            /* for the log, cut short */
	char version[16];
	struct job *job;            /* queued for a worker, or answered */
};

/* The request's parameters, collected by collect_param(). */
struct params {
	struct serve_param *items;
	size_t n, cap;
	const char *bad;            /* a parameter holding a NUL */
	bool nomem;
};

/*
 * A request a worker answers: what it needs, copied from the connection
 * (which libmicrohttpd owns and no other thread may read), and then its
 * answer.  Made by answer(), which suspends the connection; the worker
 * fills `res` and resumes it; answer() then sends res and frees it.
 */
struct job {
	struct MHD_Connection *connection;
	const struct serve_route *route;
	char *method;
	char *url;
	char *if_none_match;     /* NULL without the header */
	char *if_modified_since; /* likewise */
	/* serve_request's host, forwarded_proto, forwarded_host and
	 * forwarded_prefix: FORWARDING_HEADERS' values, or NULL. */
	char *forwarding[4];
	struct params params;
	struct serve_response res;
	struct job *next;
};

static double seconds_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	       (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* ---- the log ----------------------------------------------------------- */

/*
 * Text from the request, for one line of the log: what could end the
 * line or drive a terminal (controls, bytes that are not ASCII), and
 * the quote and backslash that delimit it, as \xHH.
 */
static void add_logged(struct ni_buf *line, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			ni_buf_addf(line, "\\x%02x", *p);
		else
			ni_buf_addch(line, (char)*p);
	}
}

/* One whole line to `out`, which other threads write to as well. */
static void write_line(FILE *out, const struct ni_buf *line)
{
	if (!line->data)
		return;
	flockfile(out);
	fwrite(line->data, 1, line->len, out);
	fflush(out);
	funlockfile(out);
}

/* A message of the server's own, on stderr: "newsquery: MESSAGE". */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	struct ni_buf line = NI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	ni_buf_adds(&line, "newsquery: ");
	ni_buf_vaddf(&line, fmt, ap);
	ni_buf_addch(&line, '\n');
	va_end(ap);
	write_line(stderr, &line);
	ni_buf_release(&line);
}

/* Say why the index cannot be opened, once for each new reason. */
static void say_index_error(struct server *sv, const char *message)
{
	pthread_mutex_lock(&sv->lock);
	bool news = !sv->last_error || strcmp(sv->last_error, message);
	if (news) {
		free(sv->last_error);
		sv->last_error = strdup(message);
	}
	pthread_mutex_unlock(&sv->lock);
	if (news)
		say("%s", message);
}

static void say_index_open(struct server *sv)
{
	pthread_mutex_lock(&sv->lock);
	bool was_failing = sv->last_error != NULL;
	free(sv->last_error);
	sv->last_error = NULL;
	pthread_mutex_unlock(&sv->lock);
	if (was_failing)
		say("index %s opened", sv->settings->db_path);
}

/* libmicrohttpd's own errors, as the server's messages. */
static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	struct ni_buf line = NI_BUF_INIT, text = NI_BUF_INIT;
	ni_buf_vaddf(&text, fmt, ap);
	/* Its messages end with a newline, mostly. */
	while (text.len && text.data[text.len - 1] == '\n')
		ni_buf_truncate(&text, text.len - 1);
	ni_buf_adds(&line, "newsquery: libmicrohttpd: ");
	add_logged(&line, ni_buf_str(&text));
	ni_buf_addch(&line, '\n');
	write_line(stderr, &line);
	ni_buf_release(&line);
	ni_buf_release(&text);
}

/* ---- each thread's index ----------------------------------------------- */

static struct slot *slot_of_thread(struct server *sv)
{
	if (this_slot)
		return this_slot;
	struct slot *sl = calloc(1, sizeof *sl);
	if (!sl)
		return NULL;
	if (ni_analyzer_new(&sl->ctx.analyzer) != NI_OK) {
		free(sl);
		return NULL;
	}
	sl->ctx.settings = sv->settings;
	sl->ctx.db_status = NI_EDB_NOT_FOUND;
	sl->ctx.db_error = "";
	pthread_mutex_lock(&sv->lock);
	sl->next = sv->slots;
	sv->slots = sl;
	pthread_mutex_unlock(&sv->lock);
	this_slot = sl;
	return sl;
}

static void slot_close_index(struct slot *sl)
{
	ni_db_close(sl->ctx.db, NULL);
	sl->ctx.db = NULL;
	free(sl->index_language);
	sl->index_language = NULL;
	sl->ctx.index_language = NULL;
}

static void slot_free(struct slot *sl)
{
	slot_close_index(sl);
	ni_analyzer_free(sl->ctx.analyzer);
	ni_buf_release(&sl->error);
	free(sl);
}

/* Open the index afresh; on failure the slot keeps what it had. */
static void slot_open(struct server *sv, struct slot *sl,
		      const struct stat *id)
{
	const struct serve_settings *set = sv->settings;
	struct ni_buf detail = NI_BUF_INIT;
	ni_db *db = NULL;
	ni_status status = serve_open_index(set, &db, &detail);
	char *language = status == NI_OK ? strdup(ni_db_language(db)) : NULL;
	if (status == NI_OK && !language) {
		status = NI_ENOMEM;
		ni_db_close(db, NULL);
	}
	if (status != NI_OK) {
		if (!sl->ctx.db) {
			ni_buf_reset(&sl->error);
			ni_cli_open_failure("newsquery", set->db_path, status,
					    ni_buf_str(&detail), &sl->error);
			sl->ctx.db_status = status;
			sl->ctx.db_error = ni_buf_str(&sl->error);
			say_index_error(sv, sl->ctx.db_error);
		}
		ni_buf_release(&detail);
		return;
	}
	ni_buf_release(&detail);
	slot_close_index(sl);
	sl->ctx.db = db;
	sl->index_language = language;
	sl->ctx.index_language = language;
	sl->ctx.db_status = NI_OK;
	sl->ctx.db_error = "";
	sl->dev = id ? id->st_dev : 0;
	sl->ino = id ? id->st_ino : 0;
	clock_gettime(CLOCK_MONOTONIC, &sl->opened);
	for (size_t i = 0; i < ni_db_missing_count(db); i++)
		say("warning: left out %s", ni_db_missing(db, i));
	say_index_open(sv);
}

/*
 * Before each request: the newest revision of the index (cheap when
 * there is none), or another index swapped in at its path, or the
 * index at last when it could not be opened.  While the path is
 * between two renames of a swap, the old index answers still: no
 * request fails because of one.
 */
static void slot_refresh(struct server *sv, struct slot *sl)
{
	struct stat id;
	bool there = stat(sv->settings->db_path, &id) == 0;
	ni_db *db = sl->ctx.db;
	if (!db) {
		slot_open(sv, sl, there ? &id : NULL);
		return;
	}
	bool moved = there && (id.st_dev != sl->dev || id.st_ino != sl->ino);
	bool missing = ni_db_missing_count(db) &&
		       seconds_since(&sl->opened) > MISSING_RETRY_SECONDS;
	bool changed;
	if (moved || missing || ni_db_reopen(db, &changed) != NI_OK)
		slot_open(sv, sl, there ? &id : NULL);
}

/* ---- answering --------------------------------------------------------- */

static void *uri_logged(void *cls, const char *uri,
			struct MHD_Connection *connection)
{
	(void)cls;
	(void)connection;
	struct request_state *rs = calloc(1, sizeof *rs);
	if (!rs)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &rs->start);
	rs->uri = strdup(uri ? uri : "");
	return rs;
}

static void on_connection(void *cls, struct MHD_Connection *connection,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct server *sv = cls;
	(void)connection;
	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&sv->connections, 1);
	else
		atomic_fetch_sub(&sv->connections, 1);
}


static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind,
				     const char *key, size_t key_size,
				     const char *value, size_t value_size)
{
	struct params *p = cls;
	(void)kind;
	if (strlen(key) != key_size ||
	    (value && strlen(value) != value_size)) {
		p->bad = key;
		return MHD_NO;
	}
	if (ni_grow(&p->items, &p->cap, p->n + 1, sizeof *p->items) != NI_OK) {
		p->nomem = true;
		return MHD_NO;
	}
	p->items[p->n++] = (struct serve_param){key, value ? value : ""};
	return MHD_YES;
}

/* A path of no route, for a browser: the page's 404. */
static const struct serve_route MISSING_PAGE = {NULL, page_serve_missing, 0};

/*
 * Whether a request for a path of no route is a person's, in a browser
 * (a navigation asks for text/html first): it gets a page, not JSON.
 * The API's paths are always answered in JSON.
 */
static bool wants_page(struct MHD_Connection *connection, const char *url)
{
	const char *accept = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	return accept && strstr(accept, "text/html") &&
	       strncmp(url, "/api/", 5) && strncmp(url, "/healthz", 8);
}

static const struct serve_route *route_of(const char *path)
{
	for (size_t i = 0; i < sizeof ROUTES / sizeof *ROUTES; i++)
		if (!strcmp(ROUTES[i].path, path))
			return &ROUTES[i];
	return NULL;
}

/* The 503 of an index that cannot be opened. */
static ni_status unavailable(const struct serve_context *ctx,
			     struct serve_response *res)
{
	ni_status status = ctx->settings->paths
		? serve_error(res, 503, NULL, "%s", ctx->db_error)
		: serve_error(res, 503, NULL, "the index cannot be opened: %s",
			      ni_status_str(ctx->db_status));
	return status == NI_OK ? serve_header(res, "Retry-After",
					      RETRY_AFTER)
			       : status;
}

/* Call the route's handler, again on the newest index while builds
 * commit under it; an error it could not answer becomes a 500 or 503. */
static void call_handler(struct server *sv, const struct serve_route *route,
			 struct serve_request *req, struct serve_response *res)
{
	struct slot *sl = this_slot;
	ni_status status = NI_OK;
	if ((route->flags & SERVE_NEEDS_INDEX) && !req->ctx->db) {
		status = unavailable(req->ctx, res);
	} else {
		for (int attempt = 0; attempt < MODIFIED_ATTEMPTS; attempt++) {
			serve_response_reset(res);
			status = route->handler(req, res);
			if (status != NI_EDB_MODIFIED)
				break;
			bool changed;
			if (!sl->ctx.db ||
			    ni_db_reopen(sl->ctx.db, &changed) != NI_OK)
				slot_open(sv, sl, NULL);
		}
	}
	if (status == NI_OK)
		return;
	const char *why = req->ctx->db ? ni_db_errmsg(req->ctx->db) : "";
	say("%s: %s%s%s", req->path, ni_status_str(status),
	    *why ? ": " : "", why);
	serve_response_reset(res);
	bool index = status != NI_ENOMEM && status != NI_EINVAL;
	if (serve_error(res, index ? 503 : 500, NULL, "%s",
			ni_status_str(status)) == NI_OK && index)
		serve_header(res, "Retry-After", RETRY_AFTER);
}

/* The header `name` among the handler's own, or NULL. */
static const char *own_header(const struct serve_response *res,
			      const char *name)
{
	const char *p = res->headers.data, *end = p + res->headers.len;
	while (p && p < end) {
		const char *value = p + strlen(p) + 1;
		if (!strcasecmp(p, name))
			return value;
		p = value + strlen(value) + 1;
	}
	return NULL;
}

/*
 * The Content-Security-Policy: no script but the server's own files, no
 * inline script or style, images from the server, and from any https:
 * site when the page may show articles' thumbnails; the web app
 * manifest from the server (default-src 'none' would refuse it, and the
 * page could not be installed).
 */
static const char *policy(const struct serve_settings *s)
{
	return s->thumbnails
		? "default-src 'none'; script-src 'self'; style-src 'self'; "
		  "img-src 'self' https:; connect-src 'self'; "
		  "manifest-src 'self'; "
		  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
		: "default-src 'none'; script-src 'self'; style-src 'self'; "
		  "img-src 'self'; connect-src 'self'; "
		  "manifest-src 'self'; "
		  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
}

/* ---- cross-origin requests (CORS) --------------------------------------- */

/* What pages of other origins may read: the JSON API and the feed (a
 * reader in a web page), not the page. */
static bool cross_origin_path(const char *url)
{
	return url && (!strncmp(url, "/api/", 5) || !strcmp(url, "/healthz") ||
		       !strcmp(url, "/feed"));
}

/*
 * The name of a Host header's value: without its port, and for an IPv6
 * literal with its brackets; its length in `*len`.
 */
static const char *host_name(const char *host, size_t *len)
{
	if (host[0] == '[') {
		const char *close = strchr(host, ']');
		*len = close ? (size_t)(close - host) + 1 : strlen(host);
		return host;
	}
	const char *colon = strrchr(host, ':');
	*len = colon ? (size_t)(colon - host) : strlen(host);
	return host;
}

/* Whether name[0, len) is `word` or ends with "." + `word`, any case. */
static bool is_or_under(const char *name, size_t len, const char *word)
{
	size_t n = strlen(word);
	if (len && name[len - 1] == '.')
		len--;  /* the root's dot: "localhost." */
	return len >= n && !strncasecmp(name + len - n, word, n) &&
	       (len == n || name[len - n - 1] == '.');
}

/*
 * Whether a request whose Host header is `host` may be answered: an IP
 * address, localhost or a name under it, or one of --allow-host's.  A
 * page of a site that, once loaded, points its own name at 127.0.0.1
 * (DNS rebinding) comes with that name, and is refused: else it would
 * read the index as its own origin.  No Host (HTTP/1.0) is no browser.
 */
static bool allowed_host(const struct serve_settings *s, const char *host)
{
	if (!host || !*host)
		return true;
	size_t len;
	const char *name = host_name(host, &len);
	char literal[64];
	struct in_addr v4;
	struct in6_addr v6;
	if (name[0] == '[' && len >= 2 && len - 2 < sizeof literal) {
		snprintf(literal, sizeof literal, "%.*s", (int)(len - 2),
			 name + 1);
		return inet_pton(AF_INET6, literal, &v6) == 1;
	}
	if (len < sizeof literal) {
		snprintf(literal, sizeof literal, "%.*s", (int)len, name);
		if (inet_pton(AF_INET, literal, &v4) == 1)
			return true;
	}
	if (is_or_under(name, len, "localhost"))
		return true;
	return s->allow_host && (!strcmp(s->allow_host, "*") ||
				 list_has(s->allow_host, name, len));
}

/*
 * The Access-Control-Allow-Origin to answer a request from `origin` (its
 * Origin header) for `url`: "*" or the origin itself when --allow-origin
 * lets it read that, else NULL.
 */
static const char *allowed_origin(const struct serve_settings *s,
				  const char *origin, const char *url)
{
	if (!s->allow_origin || !origin || !cross_origin_path(url))
		return NULL;
	if (!strcmp(s->allow_origin, "*"))
		return "*";
	return list_has(s->allow_origin, origin, strlen(origin)) ? origin
								: NULL;
}

/*
 * A preflight (OPTIONS with Access-Control-Request-Method) from an
 * origin that may read `url`, for GET or HEAD: `res` says so, 204.
 * False, with `res` untouched, for any other request.
 */
static bool preflight(struct server *sv, struct MHD_Connection *connection,
		      const char *url, struct serve_response *res)
{
	const char *origin = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, "Origin");
	const char *wants = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, "Access-Control-Request-Method");
	if (!wants || (strcmp(wants, "GET") && strcmp(wants, "HEAD")) ||
	    !allowed_origin(sv->settings, origin, url))
		return false;
	const char *headers = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, "Access-Control-Request-Headers");
	const char *private_network = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND,
		"Access-Control-Request-Private-Network");
	res->status = 204;
	serve_header(res, "Access-Control-Allow-Methods", "GET, HEAD");
	/* No cookie or credential is ever used: any header may come. */
	if (headers)
		serve_header(res, "Access-Control-Allow-Headers", headers);
	/* Chrome asks before a public page calls a private address. */
	if (private_network && !strcmp(private_network, "true"))
		serve_header(res, "Access-Control-Allow-Private-Network",
			     "true");
	serve_header(res, "Access-Control-Max-Age", "600");
	return true;
}

/*
 * The stream of events a handler asked for (events.h), its bytes
 * counted for the log; NULL, with `res` made the error that says why,
 * when none can be opened.
 */
static struct MHD_Response *open_stream(struct server *sv,
					struct MHD_Connection *connection,
					struct request_state *rs,
					struct serve_response *res)
{
	unsigned status;
	const char *why;
	struct MHD_Response *r = events_response(
		sv->events, connection, rs ? &rs->bytes : NULL, &status, &why);
	if (!r) {
		serve_response_reset(res);
		if (serve_error(res, status, NULL, "%s", why) == NI_OK &&
		    status == 503)
			serve_header(res, "Retry-After", "1");
	}
	return r;
}

/* Send `res` (its body handed over), with every header it needs;
 * `url` is the request's path. */
static enum MHD_Result send_response(struct server *sv,
				     struct MHD_Connection *connection,
				     struct request_state *rs, const char *url,
				     struct serve_response *res)
{
	struct MHD_Response *r = res->event_stream && res->status == 200
		? open_stream(sv, connection, rs, res) : NULL;
	bool stream = r != NULL;
	size_t len = res->body.len;
	char *body = stream ? NULL : ni_buf_detach(&res->body);
	if (!stream && body)
		r = MHD_create_response_from_buffer(len, body,
						    MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	const char *p = res->headers.data, *end = p + res->headers.len;
	while (p && p < end) {
		const char *value = p + strlen(p) + 1;
		MHD_add_response_header(r, p, value);
		p = value + strlen(value) + 1;
	}
	static const char *const names[] = {
		"Content-Type", "Content-Security-Policy",
		"X-Content-Type-Options", "Referrer-Policy",
		"X-Frame-Options", "Cache-Control"};
	const char *values[] = {
		res->content_type, policy(sv->settings), "nosniff",
		"no-referrer", "DENY", "no-store"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (!own_header(res, names[i]))
			MHD_add_response_header(r, names[i], values[i]);
	const char *allow = allowed_origin(
		sv->settings, MHD_lookup_connection_value(
			connection, MHD_HEADER_KIND, "Origin"), url);
	if (allow) {
		MHD_add_response_header(r, "Access-Control-Allow-Origin",
					allow);
		MHD_add_response_header(r, "Access-Control-Expose-Headers",
					"Retry-After");
	}
	/* A list of origins: the answer depends on the request's. */
	if (sv->settings->allow_origin && strcmp(sv->settings->allow_origin,
						 "*") &&
	    cross_origin_path(url))
		MHD_add_response_header(r, "Vary", "Origin");
	enum MHD_Result queued = MHD_queue_response(connection, res->status,
						    r);
	MHD_destroy_response(r);
	if (rs) {
		rs->status = res->status;
		/* A stream's are counted as it sends them. */
		if (!stream)
			rs->bytes = len;
	}
	return queued;
}

/* The body's length as the request says, or -1 when there is none. */
static bool has_body(struct MHD_Connection *connection)
{
	const char *length = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *chunked = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND,
		MHD_HTTP_HEADER_TRANSFER_ENCODING);
	return chunked || (length && strspn(length, "0") != strlen(length));
}

static enum MHD_Result add_size(void *cls, enum MHD_ValueKind kind,
				const char *key, size_t key_size,
				const char *value, size_t value_size)
{
	(void)kind;
	(void)key;
	(void)value;
	*(size_t *)cls += key_size + value_size + 4;  /* ": ", CRLF */
	return MHD_YES;
}

/* What a request that reached no handler is told; false when it did. */
static bool refused(struct server *sv, struct MHD_Connection *connection,
		    const char *url, const char *method,
		    const struct request_state *rs, struct serve_response *res)
{
	size_t headers = 0;
	MHD_get_connection_values_n(connection, MHD_HEADER_KIND, add_size,
				    &headers);
	if (rs && rs->uri && strlen(rs->uri) > MAX_URI) {
		/* A person sees a page: a query pasted whole into an
		 * address, or a box without the page's maxlength. */
		char why[160];
		snprintf(why, sizeof why, "The address is longer than %d "
			 "bytes. Search with fewer words: the box above "
			 "takes %d characters.", MAX_URI,
			 PAGE_MAX_QUERY_CHARS);
		if (wants_page(connection, url))
			page_answer_refused(res, sv->settings, url, 414,
					    "Query too long", why);
		else
			serve_error(res, 414, NULL, "the URI is longer "
				    "than %d bytes", MAX_URI);
		serve_header(res, "Connection", "close");
		return true;
	}
	if (headers > MAX_HEADERS) {
		serve_error(res, 431, NULL, "the headers are longer than %d "
			    "bytes", MAX_HEADERS);
		serve_header(res, "Connection", "close");
		return true;
	}
	const char *host = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	if (!allowed_host(sv->settings, host)) {
		size_t len;
		const char *name = host_name(host, &len);
		serve_error(res, 403, NULL, "this server answers to localhost "
			    "and IP addresses, not to the name %.*s: start it "
			    "with --allow-host %.*s if it is its own "
			    "(docs/serving.md)", (int)len, name, (int)len,
			    name);
		serve_header(res, "Connection", "close");
		return true;
	}
	if (!strcmp(method, "OPTIONS") && preflight(sv, connection, url, res))
		return true;
	const char *origin = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, "Origin");
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		/* A browser's preflight for a page of another origin that
		 * may not read the API: say to whoever looks why. */
		if (!strcmp(method, "OPTIONS") && origin &&
		    cross_origin_path(url) &&
		    !allowed_origin(sv->settings, origin, url))
			serve_error(res, 405, NULL, "a page of %s may not read "
				    "this server's answers: start it with "
				    "--allow-origin %s (docs/serving.md)",
				    origin, origin);
		else
			serve_error(res, 405, NULL, "only GET and HEAD are "
				    "answered here");
		serve_header(res, "Allow", "GET, HEAD");
		return true;
	}
	if (has_body(connection)) {
		serve_error(res, 413, NULL, "a GET or HEAD request has no "
			    "body");
		serve_header(res, "Connection", "close");
		return true;
	}
	if (atomic_load(&sv->connections) > sv->settings->max_connections) {
		serve_error(res, 503, NULL, "too many connections (at most "
			    "%u): try again", sv->settings->max_connections);
		serve_header(res, "Retry-After", "1");
		serve_header(res, "Connection", "close");
		return true;
	}
	return false;
}

/* ---- the workers ------------------------------------------------------- */

static void job_free(struct job *job)
{
	if (!job)
		return;
	for (size_t i = 0; i < job->params.n; i++) {
		free((char *)job->params.items[i].name);
		free((char *)job->params.items[i].value);
	}
	free(job->params.items);
	free(job->method);
	free(job->url);
	free(job->if_none_match);
	free(job->if_modified_since);
	for (size_t i = 0; i < sizeof job->forwarding /
			    sizeof *job->forwarding; i++)
		free(job->forwarding[i]);
	serve_response_release(&job->res);
	free(job);
}

/* The headers of a job's `forwarding`, in its order. */
static const char *const FORWARDING_HEADERS[] = {
	MHD_HTTP_HEADER_HOST, "X-Forwarded-Proto", "X-Forwarded-Host",
	"X-Forwarded-Prefix",
};

/* Copy the connection's FORWARDING_HEADERS into the job; false when
 * memory runs out. */
static bool copy_forwarding(struct job *job)
{
	_Static_assert(sizeof FORWARDING_HEADERS / sizeof *FORWARDING_HEADERS
		       == sizeof job->forwarding / sizeof *job->forwarding,
		       "one copy for each header");
	for (size_t i = 0; i < sizeof job->forwarding /
			    sizeof *job->forwarding; i++) {
		const char *value = MHD_lookup_connection_value(
			job->connection, MHD_HEADER_KIND,
			FORWARDING_HEADERS[i]);
		if (value && !(job->forwarding[i] = strdup(value)))
			return false;
	}
	return true;
}

/*
 * A job for `route` of what the connection asks (copied: the worker may
 * not read the connection), or NULL when memory runs out.
 */
static struct job *job_new(struct MHD_Connection *connection,
			   const struct serve_route *route, const char *url,
			   const char *method, const struct params *p)
{
	struct job *job = calloc(1, sizeof *job);
	if (!job)
		return NULL;
	job->connection = connection;
	job->route = route;
	job->res = (struct serve_response){.status = 200,
					   .content_type = SERVE_JSON_TYPE};
	job->method = strdup(method);
	job->url = strdup(url);
	const char *if_none_match = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	job->if_none_match = if_none_match ? strdup(if_none_match) : NULL;
	const char *if_modified_since = MHD_lookup_connection_value(
		connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	job->if_modified_since = if_modified_since
		? strdup(if_modified_since) : NULL;
	job->params.items = p->n ? calloc(p->n, sizeof *p->items) : NULL;
	bool ok = job->method && job->url && (!p->n || job->params.items) &&
		  (!if_none_match || job->if_none_match) &&
		  (!if_modified_since || job->if_modified_since) &&
		  copy_forwarding(job);
	for (size_t i = 0; ok && i < p->n; i++) {
		job->params.items[i].name = strdup(p->items[i].name);
		job->params.items[i].value = strdup(p->items[i].value);
		job->params.n++;
		ok = job->params.items[i].name && job->params.items[i].value;
	}
	if (!ok) {
		job_free(job);
		return NULL;
	}
	return job;
}

/* Answer `job` on this worker's index. */
static void work(struct server *sv, struct job *job)
{
	struct slot *sl = slot_of_thread(sv);
	if (!sl) {
		serve_error(&job->res, 500, NULL, "out of memory");
		return;
	}
	slot_refresh(sv, sl);
	sl->ctx.requests = atomic_fetch_add(&sv->requests, 1) + 1;
	sl->ctx.uptime = seconds_since(&sv->started);
	struct serve_request req = {
		.method = job->method, .path = job->url,
		.params = job->params.items, .n_params = job->params.n,
		.if_none_match = job->if_none_match,
		.if_modified_since = job->if_modified_since,
		.host = job->forwarding[0],
		.forwarded_proto = job->forwarding[1],
		.forwarded_host = job->forwarding[2],
		.forwarded_prefix = job->forwarding[3], .ctx = &sl->ctx};
	call_handler(sv, job->route, &req, &job->res);
}

/* The next job, or NULL once stopping. */
static struct job *next_job(struct server *sv)
{
	pthread_mutex_lock(&sv->lock);
	while (!sv->first && !sv->stopping)
		pthread_cond_wait(&sv->queued, &sv->lock);
	struct job *job = sv->first;
	if (job) {
		sv->first = job->next;
		if (!sv->first)
			sv->last = NULL;
		job->next = NULL;
	}
	pthread_mutex_unlock(&sv->lock);
	return job;
}

static void *worker(void *cls)
{
	struct server *sv = cls;
	struct job *job;
	while ((job = next_job(sv))) {
		bool stopping;
		pthread_mutex_lock(&sv->lock);
		stopping = sv->stopping;
		pthread_mutex_unlock(&sv->lock);
		if (stopping)
			serve_error(&job->res, 503, NULL, "the server is "
				    "stopping");
		else
			work(sv, job);
		/* answer() sends it, called again by libmicrohttpd. */
		MHD_resume_connection(job->connection);
	}
	return NULL;
}

/*
 * Suspend `job`'s connection and queue it for the first worker free;
 * false, with nothing done, once the workers are stopping.  Suspended
 * before a worker can see it, which may resume it at once.
 */
static bool queue_job(struct server *sv, struct job *job)
{
	pthread_mutex_lock(&sv->lock);
	bool open = !sv->stopping;
	if (open) {
		MHD_suspend_connection(job->connection);
		if (sv->last)
			sv->last->next = job;
		else
			sv->first = job;
		sv->last = job;
		pthread_cond_signal(&sv->queued);
	}
	pthread_mutex_unlock(&sv->lock);
	return open;
}

/* Start `n` workers; false (none left running) when one cannot start. */
static bool start_workers(struct server *sv, unsigned n)
{
	sv->workers = calloc(n, sizeof *sv->workers);
	if (!sv->workers)
		return false;
	for (; sv->n_workers < n; sv->n_workers++)
		if (pthread_create(&sv->workers[sv->n_workers], NULL, worker,
				   sv) != 0)
			return false;
	return true;
}

/*
 * Stop the workers: each answers the job it holds, the jobs still queued
 * are told 503, and every suspended connection is resumed (libmicrohttpd
 * cannot stop with a connection suspended).
 */
static void stop_workers(struct server *sv)
{
	pthread_mutex_lock(&sv->lock);
	sv->stopping = true;
	pthread_cond_broadcast(&sv->queued);
	pthread_mutex_unlock(&sv->lock);
	for (unsigned i = 0; i < sv->n_workers; i++)
		pthread_join(sv->workers[i], NULL);
	free(sv->workers);
	sv->workers = NULL;
	sv->n_workers = 0;
}

/* ---- answering, in libmicrohttpd's thread ------------------------------- */

static enum MHD_Result answer(void *cls, struct MHD_Connection *connection,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct server *sv = cls;
	struct request_state *rs = *con_cls;
	(void)upload_data;
	struct serve_response res = {.status = 200,
				     .content_type = SERVE_JSON_TYPE};
	struct params p = {0};
	enum MHD_Result result = MHD_NO;
	/* Called again once a worker has answered: send what it made. */
	if (rs && rs->job) {
		result = send_response(sv, connection, rs, url,
				       &rs->job->res);
		job_free(rs->job);
		rs->job = NULL;
		return result;
	}
	/*
	 * The first call has the headers: what is refused is answered
	 * then (and the connection closed); the others on the second,
	 * when the request is whole, so the connection can be kept.
	 */
	bool first = !rs || !rs->seen;
	if (rs && first) {
		rs->seen = true;
		snprintf(rs->method, sizeof rs->method, "%s", method);
		snprintf(rs->version, sizeof rs->version, "%s", version);
	}
	if (first && refused(sv, connection, url, method, rs, &res)) {
		result = send_response(sv, connection, rs, url, &res);
		goto done;
	}
	if (rs && first)
		return MHD_YES;
	if (*upload_data_size) {
		*upload_data_size = 0;  /* not reached: a body was refused */
		return MHD_YES;
	}
	MHD_get_connection_values_n(connection, MHD_GET_ARGUMENT_KIND,
				    collect_param, &p);
	const struct serve_route *route = route_of(url);
	if (!route && wants_page(connection, url))
		route = &MISSING_PAGE;
	struct job *job = NULL;
	if (route && !p.nomem && !p.bad && rs)
		job = job_new(connection, route, url, method, &p);
	if (job && queue_job(sv, job)) {
		rs->job = job;
		result = MHD_YES;
		goto done;
	}
	if (job) {
		job_free(job);
		serve_error(&res, 503, NULL, "the server is stopping");
		serve_header(&res, "Connection", "close");
	} else if (p.nomem || (route && !p.bad)) {
		serve_error(&res, 500, NULL, "out of memory");
	} else if (p.bad) {
		serve_error(&res, 400, p.bad, "%s: holds a NUL byte (%%00)",
			    p.bad);
	} else {
		serve_error(&res, 404, NULL, "no such page: %s", url);
	}
	result = send_response(sv, connection, rs, url, &res);
done:
	free(p.items);
	serve_response_release(&res);
	return result;
}

static void completed(void *cls, struct MHD_Connection *connection,
		      void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct server *sv = cls;
	struct request_state *rs = *con_cls;
	*con_cls = NULL;
	char when[21], client[INET6_ADDRSTRLEN + 1] = "-";
	ni_format_iso8601((int64_t)time(NULL), when);
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *addr = info ? info->client_addr : NULL;
	if (addr)
		getnameinfo(addr, addr->sa_family == AF_INET6
			    ? sizeof(struct sockaddr_in6)
			    : sizeof(struct sockaddr_in),
			    client, sizeof client, NULL, 0, NI_NUMERICHOST);
	struct ni_buf line = NI_BUF_INIT;
	ni_buf_addf(&line, "%s %s \"", when, client);
	if (rs && rs->method[0]) {
		add_logged(&line, rs->method);
		ni_buf_addch(&line, ' ');
	}
	add_logged(&line, rs && rs->uri ? rs->uri : "-");
	if (rs && rs->version[0]) {
		ni_buf_addch(&line, ' ');
		add_logged(&line, rs->version);
	}
	if (rs && rs->status)
		ni_buf_addf(&line, "\" %u %zu %.3fms\n", rs->status,
			    rs->bytes, seconds_since(&rs->start) * 1e3);
	else
		/* Refused by libmicrohttpd itself (a request line or
		 * headers too long, 414 or 431; a malformed request), or
		 * the client went away: its status is not known here. */
		ni_buf_addf(&line, "\" - 0 (%s)\n",
			    toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED
			    ? "timed out"
			    : toe == MHD_REQUEST_TERMINATED_CLIENT_ABORT ||
			      toe == MHD_REQUEST_TERMINATED_READ_ERROR
			    ? "closed by the client"
			    : toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN
			    ? "server stopping" : "not answered by newsquery");
	write_line(sv->log, &line);
	ni_buf_release(&line);
	if (rs) {
		/* Answered by a worker, never sent (the client went). */
		job_free(rs->job);
		free(rs->uri);
	}
	free(rs);
}

/* ---- listening --------------------------------------------------------- */

static bool is_loopback(const struct sockaddr *addr)
{
	if (addr->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)addr)
			      ->sin_addr.s_addr) >> 24) == 127;
	if (addr->sa_family == AF_INET6) {
		const struct in6_addr *a =
			&((const struct sockaddr_in6 *)addr)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/*
 * A socket listening where the settings say: the first address of the
 * host that binds.  -1 after saying why.  `*local` is whether it is a
 * loopback address.
 */
static int listen_socket(const struct serve_settings *s, bool *local)
{
	char port[8];
	snprintf(port, sizeof port, "%u", s->port);
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *found;
	int err = getaddrinfo(s->host, port, &hints, &found);
	if (err) {
		fprintf(stderr, "newsquery: cannot listen on %s: %s\n",
			s->host, gai_strerror(err));
		return -1;
	}
	int fd = -1, why = 0;
	for (struct addrinfo *a = found; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
			    a->ai_protocol);
		int on = 1;
		if (fd >= 0 &&
		    (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
				sizeof on) ||
		     bind(fd, a->ai_addr, a->ai_addrlen) ||
		     listen(fd, 128))) {
			why = errno;
			close(fd);
			fd = -1;
		}
		if (fd >= 0)
			*local = is_loopback(a->ai_addr);
	}
	freeaddrinfo(found);
	if (fd < 0)
		fprintf(stderr, "newsquery: cannot listen on %s port %s: %s\n",
			s->host, port, strerror(why));
	return fd;
}

/* "127.0.0.1:8765", "[::1]:8765": where `fd` listens. */
static void bound_address(int fd, char *out, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		getnameinfo((struct sockaddr *)&ss, len, host, sizeof host,
			    port, sizeof port,
			    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(out, size, ss.ss_family == AF_INET6 ? "[%s]:%s" : "%s:%s",
		 host, port);
}

static struct MHD_Daemon *start_daemon(struct server *sv, int fd)
{
	const struct serve_settings *s = sv->settings;
	/* One thread for HTTP; the searches are the workers'. */
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME;
	struct MHD_OptionItem options[] = {
		/* First, so that every message goes through it. */
		{MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_logger, sv},
		{MHD_OPTION_LISTEN_SOCKET, fd, NULL},
		{MHD_OPTION_CONNECTION_LIMIT,
		 (intptr_t)(s->max_connections + SPARE_CONNECTIONS), NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->timeout, NULL},
		{MHD_OPTION_URI_LOG_CALLBACK, (intptr_t)uri_logged, sv},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, sv},
		{MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, sv},
		{MHD_OPTION_END, 0, NULL},
	};
	return MHD_start_daemon(flags, 0, NULL, NULL, answer, sv,
				MHD_OPTION_ARRAY, options, MHD_OPTION_END);
}

static FILE *open_log(const char *path)
{
	if (!path)
		return stderr;
	FILE *log = fopen(path, "ae");
	if (!log) {
		fprintf(stderr, "newsquery: cannot open the log %s: %s\n",
			path, strerror(errno));
		return NULL;
	}
	setvbuf(log, NULL, _IOLBF, 0);
	return log;
}

int serve_run(const struct serve_settings *settings)
{
	char why[256];
	if (!mhd_load(why, sizeof why)) {
		fprintf(stderr, "newsquery: --serve needs libmicrohttpd: "
			"%s\n", why);
		return NI_QUERY_EXIT_ERROR;
	}
	struct server sv = {.settings = settings};
	pthread_mutex_init(&sv.lock, NULL);
	pthread_cond_init(&sv.queued, NULL);
	/* Blocked in every thread (they inherit it), taken by sigwait(). */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	bool local = false;
	int fd = -1;
	sv.log = open_log(settings->log_path);
	if (sv.log)
		fd = listen_socket(settings, &local);
	clock_gettime(CLOCK_MONOTONIC, &sv.started);
	bool working = fd >= 0 && start_workers(&sv, settings->threads) &&
		       (sv.events = events_start(settings)) != NULL;
	sv.daemon = working ? start_daemon(&sv, fd) : NULL;
	if (fd >= 0 && !sv.daemon)
		fprintf(stderr, "newsquery: cannot start the server on %s%s\n",
			settings->host, working ? "" : ": no threads");
	int code = NI_QUERY_EXIT_ERROR;
	if (sv.daemon) {
		char where[INET6_ADDRSTRLEN + 16];
		bound_address(fd, where, sizeof where);
		if (!local)
			fprintf(stderr, "newsquery: warning: listening on %s, "
				"which is not a loopback address: anyone who "
				"can reach it can search the index, with no "
				"authentication; see docs/serving.md for a "
				"reverse proxy with TLS and a password\n",
				where);
		fprintf(stderr, "newsquery: serving http://%s/ (index %s, %u "
			"thread%s)\n", where, settings->db_path,
			settings->threads, settings->threads == 1 ? "" : "s");
		int sig;
		while (sigwait(&stop, &sig) != 0)
			;
		fprintf(stderr, "newsquery: stopping (%s)\n",
			sig == SIGINT ? "SIGINT" : "SIGTERM");
		events_stop(sv.events);
		stop_workers(&sv);
		MHD_stop_daemon(sv.daemon);
		code = NI_QUERY_EXIT_MATCH;
	} else {
		stop_workers(&sv);
	}
	events_free(sv.events);
	if (fd >= 0)
		close(fd);
	while (sv.slots) {
		struct slot *next = sv.slots->next;
		slot_free(sv.slots);
		sv.slots = next;
	}
	if (sv.log && sv.log != stderr)
		fclose(sv.log);
	free(sv.last_error);
	pthread_cond_destroy(&sv.queued);
	pthread_mutex_destroy(&sv.lock);
	return code;
}
