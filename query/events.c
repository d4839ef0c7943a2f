/*
 * GET /api/events: the index's changes as Server-Sent Events (events.h
 * says how the streams and the follower thread share the work;
 * docs/serving.md what a client gets).
 */
#include "events.h"

#include <json-c/json.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "mhd.h"
#include "ni_fields.h"

/* How often the follower asks the index for a new revision, in ms. */
#define POLL_MS 200
/* A comment line after this many seconds without a byte sent: proxies
 * close a connection that stays silent (nginx after 60 s). */
#define HEARTBEAT_SECONDS 15
/* What EventSource waits before it connects again, in ms. */
#define RETRY_MS "1000"
/* A stub's shard left out (--allow-partial) is tried again so often,
 * as the workers do (serve.c). */
#define MISSING_RETRY_SECONDS 10

/* The index as the follower last read it. */
struct reading {
	bool known;              /* a revision (not a stub of shards) */
	uint64_t revision;
	uint64_t documents;
	uint64_t articles;
};

/* One client's stream: made by events_response(), freed by
 * libmicrohttpd's call of stream_free() when its connection ends. */
struct stream {
	struct events *ev;
	struct MHD_Connection *connection;
	int fd;                  /* its socket, polled for a hang-up */
	size_t *bytes;           /* the access log's count, or NULL */
	/* In libmicrohttpd's thread alone: */
	struct ni_buf out;       /* made, not yet all handed over */
	size_t at;               /* of `out`, handed over */
	bool greeted;            /* `retry:` sent */
	/* Under ev->lock: */
	bool suspended;          /* its connection suspended by us */
	bool hung_up;            /* its socket said the client went */
	uint64_t generation;     /* of the reading last sent; 0: none */
	struct timespec last_sent;
	struct stream *prev, *next;
};

struct events {
	const struct serve_settings *settings;
	pthread_mutex_t lock;
	pthread_cond_t wake;     /* a stream opened, or stopping */
	pthread_t thread;
	/* Under `lock`: */
	bool stopping;
	struct stream *streams;
	size_t n_streams;
	size_t max_streams;
	bool ready;              /* `now` is the index's */
	uint64_t generation;     /* one more at each change seen */
	struct reading now;
	/* The follower's own: */
	ni_db *db;
	dev_t dev;
	ino_t ino;
	struct timespec opened;
};

static double seconds_between(const struct timespec *a,
			      const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* ---- following the index (its own thread) ------------------------------ */

static void close_index(struct events *ev)
{
	ni_db_close(ev->db, NULL);
	ev->db = NULL;
}

/* The index opened afresh; on failure the one open stays.  True when
 * another was opened. */
static bool open_index(struct events *ev, const struct stat *id)
{
	struct ni_buf detail = NI_BUF_INIT;
	ni_db *db = NULL;
	ni_status status = serve_open_index(ev->settings, &db, &detail);
	ni_buf_release(&detail);
	if (status != NI_OK)
		return false;
	close_index(ev);
	ev->db = db;
	ev->dev = id ? id->st_dev : 0;
	ev->ino = id ? id->st_ino : 0;
	clock_gettime(CLOCK_MONOTONIC, &ev->opened);
	return true;
}

/*
 * Read the index's newest revision into `r`, as a worker would before a
 * request (serve.c, slot_refresh()): reopened when a build committed,
 * opened afresh when another index was swapped in at its path or a
 * shard left out may be back.  `*moved` says whether it changed so: a
 * commit seen (of any shard of a stub), or another index opened.
 * False when it cannot be read (not opened yet, or its errors): `r` is
 * then not set.
 */
static bool read_index(struct events *ev, struct reading *r, bool *moved)
{
	struct stat id;
	bool there = stat(ev->settings->db_path, &id) == 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	bool changed = false;
	bool fresh = !ev->db ||
		     (there && (id.st_dev != ev->dev || id.st_ino != ev->ino));
	/* A shard tried again is news only when it answers: the counts
	 * then say so. */
	bool retry = !fresh && ni_db_missing_count(ev->db) &&
		     seconds_between(&ev->opened, &now) > MISSING_RETRY_SECONDS;
	if (fresh || retry || ni_db_reopen(ev->db, &changed) != NI_OK)
		changed = open_index(ev, there ? &id : NULL) && !retry;
	*moved = changed;
	if (!ev->db)
		return false;
	uint64_t related = 0;
	ni_status status = ni_db_revision(ev->db, &r->revision, &r->known);
	if (status == NI_OK)
		status = ni_db_doc_count(ev->db, &r->documents);
	if (status == NI_OK)
		status = ni_db_filter_count(ev->db, NI_FILTER_RELATED, "", 0,
					    &related);
	r->articles = r->documents - related;
	return status == NI_OK;
}

/*
 * Whether a reading is news to the streams: the first one, or the
 * index changed (a stub of shards has no revision of its own: its
 * being reopened says so), or its counts.
 */
static bool is_news(const struct events *ev, const struct reading *r,
		    bool moved)
{
	const struct reading *was = &ev->now;
	return !ev->ready || moved || r->known != was->known ||
	       r->revision != was->revision ||
	       r->documents != was->documents || r->articles != was->articles;
}

/*
 * The streams whose client hung up (EOF, an error, or bytes a stream's
 * client has no reason to send), among the suspended ones, which
 * libmicrohttpd does not watch: marked, to be resumed and closed.
 * `ev->lock` held.
 */
static void find_hang_ups(struct events *ev)
{
	struct pollfd fds[64];
	struct stream *of[64];
	struct stream *s = ev->streams;
	while (s) {
		nfds_t n = 0;
		for (; s && n < 64; s = s->next) {
			if (!s->suspended || s->hung_up || s->fd < 0)
				continue;
			fds[n] = (struct pollfd){.fd = s->fd, .events = POLLIN};
			of[n++] = s;
		}
		if (n && poll(fds, n, 0) > 0)
			for (nfds_t i = 0; i < n; i++)
				if (fds[i].revents)
					of[i]->hung_up = true;
	}
}

/* Whether suspended stream `s` has something to do.  `ev->lock` held. */
static bool is_due(const struct events *ev, const struct stream *s,
		   const struct timespec *now)
{
	return ev->stopping || s->hung_up ||
	       (ev->ready && s->generation != ev->generation) ||
	       seconds_between(&s->last_sent, now) >= HEARTBEAT_SECONDS;
}

/* Resume the suspended streams that have something to do.  `ev->lock`
 * held. */
static void wake_streams(struct events *ev)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!ev->stopping)
		find_hang_ups(ev);
	for (struct stream *s = ev->streams; s; s = s->next) {
		if (s->suspended && is_due(ev, s, &now)) {
			s->suspended = false;
			MHD_resume_connection(s->connection);
		}
	}
}

/* Wait `ms` milliseconds on `ev->wake` (its clock the monotonic one:
 * the wall clock set back would make it wait for as long), or until
 * woken. */
static void wait_ms(struct events *ev, long ms)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += ms * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_cond_timedwait(&ev->wake, &ev->lock, &until);
}

/* The follower: while streams are open, the index read every POLL_MS
 * and the streams woken; else asleep, the index closed. */
static void *follow(void *cls)
{
	struct events *ev = cls;
	pthread_mutex_lock(&ev->lock);
	while (!ev->stopping) {
		if (!ev->streams) {
			/* Nobody listens: hold no file of the index (one
			 * swapped out would stay on the disk). */
			ev->ready = false;
			pthread_mutex_unlock(&ev->lock);
			close_index(ev);
			pthread_mutex_lock(&ev->lock);
			while (!ev->streams && !ev->stopping)
				pthread_cond_wait(&ev->wake, &ev->lock);
			continue;
		}
		pthread_mutex_unlock(&ev->lock);
		struct reading r;
		bool moved;
		bool read = read_index(ev, &r, &moved);
		pthread_mutex_lock(&ev->lock);
		if (read && is_news(ev, &r, moved)) {
			ev->now = r;
			ev->ready = true;
			ev->generation++;
		}
		wake_streams(ev);
		if (!ev->stopping)
			wait_ms(ev, POLL_MS);
	}
	pthread_mutex_unlock(&ev->lock);
	close_index(ev);
	return NULL;
}

/* ---- the streams (libmicrohttpd's thread) ------------------------------- */

/*
 * The event of reading `r`, to `out`:
 *
 *   event: index
 *   data: {"version":1,"revision":12,"documents":51,"articles":41}
 *
 * and the blank line that ends it.  NI_ENOMEM or NI_OK.
 */
static ni_status add_event(struct ni_buf *out, const struct reading *r)
{
	json_object *data = json_object_new_object();
	bool ok = data &&
		  !json_object_object_add(data, "version",
					  json_object_new_int(1)) &&
		  !json_object_object_add(data, "revision", r->known
			  ? json_object_new_int64((int64_t)r->revision)
			  : NULL) &&
		  !json_object_object_add(data, "documents",
			  json_object_new_int64((int64_t)r->documents)) &&
		  !json_object_object_add(data, "articles",
			  json_object_new_int64((int64_t)r->articles));
	/* Numbers and null alone: one line, nothing to escape. */
	const char *text = ok ? json_object_to_json_string_ext(
		data, JSON_C_TO_STRING_PLAIN) : NULL;
	ni_status status = text ? ni_buf_addf(out, "event: index\ndata: "
					      "%s\n\n", text)
				: NI_ENOMEM;
	json_object_put(data);
	return status;
}

/*
 * What `s` is to send next, to s->out: `retry:` first, then the
 * reading it has not sent, or a heartbeat when it has been silent for
 * long.  Nothing when it has nothing to send.  `ev->lock` held.
 */
static ni_status next_bytes(struct events *ev, struct stream *s)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ni_status status = NI_OK;
	if (!s->greeted) {
		/* A field alone, ended by a blank line: no event. */
		status = ni_buf_adds(&s->out, "retry: " RETRY_MS "\n\n");
		s->greeted = true;
	}
	if (status == NI_OK && ev->ready && s->generation != ev->generation) {
		status = add_event(&s->out, &ev->now);
		s->generation = ev->generation;
	}
	if (status == NI_OK && !s->out.len &&
	    seconds_between(&s->last_sent, &now) >= HEARTBEAT_SECONDS)
		status = ni_buf_adds(&s->out, ": heartbeat\n\n");
	if (s->out.len)
		s->last_sent = now;
	return status;
}

/*
 * libmicrohttpd's content reader: the bytes made and not yet handed
 * over; when there are none, the next ones; when there is nothing to
 * send, the connection suspended (0 bytes: it is called again once
 * resumed).  The end of the answer when the server stops or the client
 * went; an error, which closes the connection, when memory ran out.
 */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	struct events *ev = s->ev;
	(void)pos;
	if (s->at == s->out.len) {
		ni_buf_reset(&s->out);
		s->at = 0;
		pthread_mutex_lock(&ev->lock);
		bool hung_up = s->hung_up, stopping = ev->stopping;
		ni_status status = hung_up || stopping ? NI_OK
						       : next_bytes(ev, s);
		if (status == NI_OK && !hung_up && !stopping && !s->out.len) {
			s->suspended = true;
			MHD_suspend_connection(s->connection);
		}
		pthread_mutex_unlock(&ev->lock);
		/* Ended, a client gone too: libmicrohttpd then finds it
		 * gone, and closes its connection without a word. */
		if (hung_up || stopping)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (status != NI_OK)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (!s->out.len)
			return 0;
	}
	size_t n = s->out.len - s->at < max ? s->out.len - s->at : max;
	memcpy(buf, s->out.data + s->at, n);
	s->at += n;
	if (s->bytes)
		*s->bytes += n;
	return (ssize_t)n;
}

/* libmicrohttpd is done with the stream's answer: its connection has
 * ended. */
static void stream_free(void *cls)
{
	struct stream *s = cls;
	struct events *ev = s->ev;
	pthread_mutex_lock(&ev->lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		ev->streams = s->next;
	if (s->next)
		s->next->prev = s->prev;
	ev->n_streams--;
	pthread_mutex_unlock(&ev->lock);
	ni_buf_release(&s->out);
	free(s);
}

struct MHD_Response *events_response(struct events *ev,
				     struct MHD_Connection *connection,
				     size_t *bytes, unsigned *status,
				     const char **why)
{
	*status = 500;
	*why = "out of memory";
	struct stream *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		connection, MHD_CONNECTION_INFO_CONNECTION_FD);
	s->ev = ev;
	s->connection = connection;
	s->fd = info ? info->connect_fd : -1;
	s->bytes = bytes;
	s->out = (struct ni_buf)NI_BUF_INIT;
	clock_gettime(CLOCK_MONOTONIC, &s->last_sent);
	pthread_mutex_lock(&ev->lock);
	bool open = !ev->stopping && ev->n_streams < ev->max_streams;
	if (!open) {
		*status = 503;
		*why = ev->stopping ? "the server is stopping"
			: "too many event streams open: try again later";
	}
	pthread_mutex_unlock(&ev->lock);
	struct MHD_Response *r = open
		? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024,
						    stream_read, s,
						    stream_free)
		: NULL;
	if (!r) {
		free(s);
		return NULL;
	}
	/* Listed once it is libmicrohttpd's to free. */
	pthread_mutex_lock(&ev->lock);
	s->next = ev->streams;
	if (ev->streams)
		ev->streams->prev = s;
	ev->streams = s;
	ev->n_streams++;
	/* The follower, asleep or not yet ready, reads the index now; a
	 * reading there is the new stream's first event. */
	if (!ev->ready)
		pthread_cond_signal(&ev->wake);
	pthread_mutex_unlock(&ev->lock);
	return r;
}

/* ---- the route, and the start and end ----------------------------------- */

ni_status events_serve(const struct serve_request *req,
		       struct serve_response *res)
{
	if (!serve_check_params(req, NULL, false, res))
		return NI_OK;
	res->content_type = EVENTS_TYPE;
	res->event_stream = strcmp(req->method, "HEAD") != 0;
	/* nginx holds back what it forwards unless told not to: the
	 * events would come in lumps, late. */
	return serve_header(res, "X-Accel-Buffering", "no");
}

struct events *events_start(const struct serve_settings *settings)
{
	struct events *ev = calloc(1, sizeof *ev);
	if (!ev)
		return NULL;
	ev->settings = settings;
	/* A quarter of the connections stay for searches, however many
	 * pages are open. */
	ev->max_streams = settings->max_connections -
			  settings->max_connections / 4;
	pthread_condattr_t monotonic;
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_mutex_init(&ev->lock, NULL);
	pthread_cond_init(&ev->wake, &monotonic);
	pthread_condattr_destroy(&monotonic);
	if (pthread_create(&ev->thread, NULL, follow, ev) != 0) {
		pthread_cond_destroy(&ev->wake);
		pthread_mutex_destroy(&ev->lock);
		free(ev);
		return NULL;
	}
	return ev;
}

void events_stop(struct events *ev)
{
	if (!ev)
		return;
	pthread_mutex_lock(&ev->lock);
	bool running = !ev->stopping;
	ev->stopping = true;
	wake_streams(ev);
	pthread_cond_broadcast(&ev->wake);
	pthread_mutex_unlock(&ev->lock);
	if (running)
		pthread_join(ev->thread, NULL);
}

void events_free(struct events *ev)
{
	if (!ev)
		return;
	events_stop(ev);
	pthread_cond_destroy(&ev->wake);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}
