#!/usr/bin/env python3
"""newsquery --serve's /api/events, the index's changes as Server-Sent
Events (docs/serving.md, "GET /api/events").

- The stream's headers, `retry:`, and its first event: the revision
  and counts of /api/stats, the data as docs/json-schema/ says;
- an event when `newsindex build` commits a new article, and when
  `newsindex compact` swaps another index in; none while nothing
  changes, nor after a build that found nothing changed;
- a heartbeat comment, and the stream kept open past --timeout;
- SIGTERM with streams open: the server stops at once, with 0, each
  stream ended;
- the Host check and CORS as for the rest of the API; HEAD; a
  parameter refused; 503 without an index;
- many streams hold no worker: a search answers with one worker and
  streams open; at most 3/4 of --max-connections are streams, so a
  search finds a connection;
- a client that goes is cleaned up long before a heartbeat would find
  it: its slot is free again, and the log has its line;
- a sharded index: no revision, and an event when a shard commits,
  an article changed (the counts the same) too.
"""
import json
import os
import signal
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import (NEWSINDEX, PATIENCE, SAMPLES, WORK, Server,  # noqa: E402
                     build, check, finish, run, schema_problems,
                     write_article)

EVENT_TYPE = "text/event-stream; charset=utf-8"
# The server's heartbeat is every 15 s (events.c): a client gone is
# found long before.
HEARTBEAT = 15


class Stream:
    """GET /api/events on a raw socket: the status, the headers, and the
    body's blocks (what comes between blank lines), read as they come,
    chunked transfer decoded."""

    def __init__(self, server, headers=None, method="GET",
                 path="/api/events"):
        self.sock = socket.create_connection((server.host, server.port),
                                             PATIENCE)
        headers = dict({"Host": "%s:%d" % (server.host, server.port),
                        "Accept": "text/event-stream"}, **(headers or {}))
        lines = ["%s %s HTTP/1.1" % (method, path)]
        lines += ["%s: %s" % kv for kv in headers.items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.raw = b""
        self.text = ""     # the body decoded so far, not yet in blocks
        self.ended = False  # the last chunk came
        self.closed = False  # the server closed the connection
        head = self._until(b"\r\n\r\n")
        status_line, *header_lines = head.decode().split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()

    def _read(self, deadline):
        self.sock.settimeout(max(0.01, deadline - time.time()))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            data = b""
        if not data:
            self.closed = True
            return False
        self.raw += data
        return True

    def _until(self, mark):
        deadline = time.time() + PATIENCE
        while mark not in self.raw:
            if not self._read(deadline):
                raise RuntimeError("no %r: %r" % (mark, self.raw[:500]))
        head, _, self.raw = self.raw.partition(mark)
        return head

    def _decode(self):
        """Chunks whole in self.raw, into self.text."""
        while not self.ended:
            size_line, sep, rest = self.raw.partition(b"\r\n")
            if not sep:
                return
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return
            self.text += rest[:size].decode()
            self.raw = rest[size + 2:]
            if size == 0:
                self.ended = True

    def block(self, within=PATIENCE):
        """The next block (lines without the blank one), or None when
        none comes within `within` seconds or the stream ends."""
        deadline = time.time() + within
        while True:
            self._decode()
            if "\n\n" in self.text:
                block, _, self.text = self.text.partition("\n\n")
                return block
            if self.ended or self.closed or not self._read(deadline):
                return None

    def body(self):
        """The body of an answer that is no stream (Content-Length)."""
        want = int(self.headers.get("content-length", "0"))
        deadline = time.time() + PATIENCE
        while len(self.raw) < want and self._read(deadline):
            pass
        return self.raw.decode(errors="replace")

    def event(self, within=PATIENCE):
        """The next event's name and data (JSON), blocks of comments and
        fields alone passed over; (None, None) when none comes."""
        deadline = time.time() + within
        while True:
            block = self.block(max(0, deadline - time.time()))
            if block is None:
                return None, None
            fields = dict(line.split(": ", 1) for line in block.split("\n")
                          if not line.startswith(":") and ": " in line)
            if "data" in fields:
                return fields.get("event"), fields["data"]

    def close(self):
        self.sock.close()


def until(predicate, within=PATIENCE):
    """predicate() true within `within` seconds."""
    deadline = time.time() + within
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def stats(server):
    status, obj, hdrs, body = server.get_json("/api/stats")
    return obj


def first_event():
    """Headers, retry:, the first event, an event per commit."""
    db = os.path.join(WORK, "db")
    src = os.path.join(WORK, "src")
    os.makedirs(src)
    write_article(src, "a.txt", title='"First of the live articles"',
                  webUrl='"https://example.com/live/a"')
    build(db, SAMPLES, src)
    server = Server(db)
    s = Stream(server)
    check(s.status == 200, "/api/events: 200", s.status)
    check(s.headers.get("content-type") == EVENT_TYPE,
          "the type of a stream", s.headers)
    check(s.headers.get("cache-control") == "no-store",
          "not kept by a cache", s.headers)
    check(s.headers.get("transfer-encoding") == "chunked",
          "sent as it comes (chunked)", s.headers)
    check(s.headers.get("x-content-type-options") == "nosniff" and
          "default-src 'none'" in s.headers.get(
              "content-security-policy", ""),
          "the security headers", s.headers)
    check(s.headers.get("x-accel-buffering") == "no",
          "nginx told not to hold it back", s.headers)
    check(s.block() == "retry: 1000", "retry: first, a field alone")
    name, data = s.event()
    now = stats(server)
    check(name == "index", "the first event is 'index'", name)
    check(data is not None and not schema_problems(
        "serve-event", (data + "\n").encode()),
          "its data as docs/json-schema/serve-event.json says",
          data and schema_problems("serve-event", (data + "\n").encode()))
    first = json.loads(data) if data else {}
    check(first.get("revision") == now["revision"] and
          first.get("documents") == now["documents"] and
          first.get("articles") == now["articles"],
          "the revision and counts of /api/stats", (first, now))
    # Nothing changes: nothing is sent (but for a heartbeat, later).
    check(s.block(1.0) is None, "no event while nothing changes")
    write_article(src, "b.txt", title='"Second of the live articles"',
                  webUrl='"https://example.com/live/b"')
    started = time.time()
    build(db, SAMPLES, src)
    name, data = s.event()
    print("an event %.0f ms after the build ended"
          % ((time.time() - started) * 1e3))
    after = json.loads(data) if data else {}
    check(name == "index" and after.get("revision", 0) >
          first.get("revision", 0) and
          after.get("articles") == first.get("articles", 0) + 1,
          "an event after a build that added an article", (first, after))
    # A build commits more than once: the events follow to the last.
    now = stats(server)
    while data and after.get("revision") != now["revision"]:
        name, data = s.event()
        after = json.loads(data) if data else {}
    check(after.get("revision") == now["revision"],
          "... up to the revision the API now searches", (after, now))
    # A build that finds nothing changed commits nothing: no event, the
    # same revision (it made two before). A file written less than 3 s
    # before a build is read again by the next (its stamp is racy,
    # docs/architecture.md), which records it settled, and that
    # build's time (newsindex check compares only what changed before
    # it); the build after, a second later, has nothing to record.
    time.sleep(3.2)
    build(db, SAMPLES, src)
    now = stats(server)
    while data and after.get("revision") != now["revision"]:
        name, data = s.event()
        after = json.loads(data) if data else {}
    time.sleep(1.1)
    build(db, SAMPLES, src)
    check(s.block(1.5) is None, "no event after a build that changed "
          "nothing")
    check(stats(server)["revision"] == now["revision"],
          "... and the same revision", (stats(server), now))
    # Another index swapped in at the path.
    status, out, err = run(NEWSINDEX, "compact", "--db", db)
    check(status == 0, "newsindex compact", err)
    name, data = s.event()
    check(name == "index", "an event after compact swapped an index in",
          data)
    # A second stream is told the same, at once.
    t = Stream(server)
    t.block()
    check(t.event()[1] == data, "a new stream is told the index as it is",
          data)
    t.close()
    s.close()
    check(until(lambda: server.log().count(
        '"GET /api/events HTTP/1.1" 200 ') == 2),
          "the log has each stream's line, once it ended",
          server.log()[-800:])
    check(server.stop() == 0, "stops with 0")
    return db


def heartbeat(db):
    """A comment every 15 s, and the stream open past --timeout (a
    suspended connection does not time out)."""
    server = Server(db, "--timeout", "2")
    s = Stream(server)
    s.block()
    s.event()
    started = time.time()
    beat = s.block(HEARTBEAT + 10)
    print("a heartbeat after %.1f s" % (time.time() - started))
    check(beat == ": heartbeat", "a comment line as a heartbeat", beat)
    check(not s.closed and not s.ended, "open past --timeout 2")
    s.close()
    check(server.stop() == 0, "stops with 0")


def stopping(db):
    """SIGTERM with streams open: the server stops at once, with 0."""
    server = Server(db, "--threads", "1")
    streams = [Stream(server) for _ in range(20)]
    for s in streams:
        s.block()
        s.event()
    started = time.time()
    status = server.stop(signal.SIGTERM)
    took = time.time() - started
    print("stopped in %.0f ms with 20 streams open" % (took * 1e3))
    check(status == 0, "SIGTERM with streams open: exit status 0")
    check(took < 5, "... promptly, not after a heartbeat or a timeout",
          took)
    ended = [s.block(PATIENCE) is None and (s.ended or s.closed)
             for s in streams]
    check(all(ended), "each stream ended", ended)
    for s in streams:
        s.close()


def origin_and_host(db):
    """The Host check and CORS, as for the rest of the API; HEAD; a
    parameter; no index."""
    app = "http://localhost:3000"
    server = Server(db, "--allow-origin", app)
    s = Stream(server, {"Origin": app})
    check(s.status == 200 and
          s.headers.get("access-control-allow-origin") == app and
          s.headers.get("vary") == "Origin",
          "--allow-origin: its page may read the stream", s.headers)
    s.close()
    s = Stream(server, {"Origin": "http://evil.example"})
    check(s.status == 200 and
          "access-control-allow-origin" not in s.headers,
          "another origin's page may not", s.headers)
    s.close()
    s = Stream(server, {"Host": "evil.example"})
    check(s.status == 403, "a name not the server's in Host: 403",
          s.status)
    s.close()
    status, hdrs, body = server.request("/api/events", method="HEAD")
    check(status == 200 and hdrs.get("content-type") == EVENT_TYPE and
          body == b"", "HEAD: the headers alone", (status, hdrs))
    status, obj, hdrs, body = server.get_json("/api/events?since=3")
    check(status == 400 and obj and obj["parameter"] == "since",
          "a parameter it does not take: 400", body)
    check(server.stop() == 0, "stops with 0")
    server = Server(os.path.join(WORK, "none"))
    s = Stream(server)
    body = s.body().encode() if s.status == 503 else b""
    check(s.status == 503 and s.headers.get("retry-after") == "5" and
          not schema_problems("serve-error", body),
          "no index: 503, as the other endpoints", (s.status, body))
    s.close()
    check(server.stop() == 0, "stops with 0")


def no_starving(db):
    """Streams hold no worker, and leave connections to searches."""
    server = Server(db, "--threads", "1", "--max-connections", "8")
    streams = []
    while len(streams) < 8:
        s = Stream(server)
        if s.status != 200:
            refused = s
            break
        s.block()
        streams.append(s)
    else:
        refused = None
    check(len(streams) == 6, "--max-connections 8: 6 streams at most",
          len(streams))
    if refused:
        body = refused.body()
        check(refused.status == 503 and
              refused.headers.get("retry-after") == "1" and
              "too many event streams" in body,
              "the stream over the limit: 503, when to try again",
              (refused.status, refused.headers, body[:300]))
        refused.close()
    status, hdrs, body = server.request("/api/search?q=sanctions")
    check(status == 200, "a search with one worker and the streams open",
          (status, body[:300]))
    # A client gone is found before any heartbeat, and its connection
    # closed: its slot is free again.
    started = time.time()
    for s in streams[:3]:
        s.close()
    freed = until(lambda: server.log().count('"GET /api/events') >= 4,
                  HEARTBEAT - 5)
    check(freed, "3 clients gone: their lines logged before a heartbeat",
          server.log()[-1000:])
    print("3 clients gone, cleaned up in %.0f ms"
          % ((time.time() - started) * 1e3))
    again = [Stream(server) for _ in range(3)]
    check([s.status for s in again] == [200] * 3,
          "their slots are streams' again", [s.status for s in again])
    for s in streams[3:] + again:
        s.close()
    check(server.stop() == 0, "stops with 0")


def shards():
    """A stub of shards has no revision: a commit is told all the
    same, one that changes no count too."""
    src = os.path.join(WORK, "shard-src")
    db = os.path.join(WORK, "shard-db")
    write_article(src, "s.txt", title='"A sharded story"',
                  webUrl='"https://example.com/shard/s"')
    build(db, SAMPLES, src, options=("--shards", "2"))
    server = Server(db)
    s = Stream(server)
    s.block()
    name, data = s.event()
    first = json.loads(data) if data else {}
    check(name == "index" and "revision" in first and
          first["revision"] is None, "shards: no revision", data)
    write_article(src, "s.txt", title='"A sharded story, changed"',
                  webUrl='"https://example.com/shard/s"')
    build(db, SAMPLES, src)
    name, data = s.event()
    after = json.loads(data) if data else {}
    check(name == "index" and after.get("articles") ==
          first.get("articles"),
          "shards: an event when an article changed", (first, after))
    s.close()
    check(server.stop() == 0, "stops with 0")


db = first_event()
shards()
origin_and_host(db)
no_starving(db)
stopping(db)
heartbeat(db)
sys.exit(finish())
