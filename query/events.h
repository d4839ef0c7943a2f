/*
 * events.h - GET /api/events: the index's revision pushed to browsers
 * and apps as Server-Sent Events (docs/serving.md, "GET /api/events").
 *
 * A client opens one long answer (text/event-stream) and is told the
 * index's revision and size at once, then again each time it changes
 * (a commit of `newsindex build` or `watch`, an index swapped in), with
 * a comment line every 15 s so that proxies keep it open.
 *
 * How, beside serve.c's threads: a stream holds no worker.  The route's
 * handler (events_serve(), on a worker like any other) only checks the
 * request and marks its response a stream; serve.c then answers with
 * events_response(), whose content reader runs in libmicrohttpd's
 * thread: it hands over what there is to send, and when there is
 * nothing, suspends its connection (MHD_suspend_connection: no busy
 * loop, no timeout while suspended).  One thread of ours follows the
 * index while any stream is open: a few times a second it asks Xapian
 * for a new revision (a read of the index's version file), and resumes
 * the streams that have something to send: a change, a heartbeat due,
 * a client gone (its socket polled), the server stopping.  With no
 * stream open it sleeps, and holds the index closed.
 *
 * Threads: events_start(), events_stop() and events_free() from the
 * main thread; events_response() from libmicrohttpd's; events_serve()
 * from a worker.
 */
#ifndef NEWSQUERY_EVENTS_H
#define NEWSQUERY_EVENTS_H

#include <stddef.h>

#include "serve.h"

/* The type of the stream's answer. */
#define EVENTS_TYPE "text/event-stream; charset=utf-8"

struct events;
struct MHD_Connection;
struct MHD_Response;

/*
 * Ready to answer streams for the index `settings` name (borrowed until
 * events_free()): its follower thread started, asleep until a stream
 * opens.  NULL when out of memory or the thread cannot start.  Call it
 * with SIGINT and SIGTERM blocked, as the thread inherits the mask.
 */
struct events *events_start(const struct serve_settings *settings);

/*
 * The handler of /api/events (a line of serve.c's route table): a 400
 * for any parameter, else a 200 of EVENTS_TYPE marked a stream
 * (res->event_stream), but for HEAD, which gets the headers alone.
 */
ni_status events_serve(const struct serve_request *req,
		       struct serve_response *res);

/*
 * The answer of a stream on `connection`, for MHD_queue_response() from
 * libmicrohttpd's thread (the caller destroys its reference after, as
 * for any response).  Its content reader adds what it sends to
 * `*bytes` (the access log's count; must stay valid while the
 * connection is open; may be NULL).  NULL when none can be opened:
 * `*status` (503: the server is stopping, or at its limit of streams;
 * 500: out of memory) and `*why` (static text) say why.
 */
struct MHD_Response *events_response(struct events *ev,
				     struct MHD_Connection *connection,
				     size_t *bytes, unsigned *status,
				     const char **why);

/*
 * End every stream (each is resumed, to end its answer or be closed)
 * and the follower thread; a stream asked for after is told 503.  Call
 * before MHD_stop_daemon(), which cannot stop with a connection
 * suspended.  NULL is a no-op.
 */
void events_stop(struct events *ev);

/* Free `ev`, after MHD_stop_daemon() (which frees the streams' answers,
 * calling back here).  NULL is a no-op. */
void events_free(struct events *ev);

#endif
