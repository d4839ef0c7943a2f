#!/usr/bin/env python3
"""newsquery --serve follows the index (docs/serving.md, "The index").

- No index yet: 503 with Retry-After, the index's path not told, the
  reason said once on stderr; built, it answers, without a restart.
- Builds commit, and an index is swapped in (build --rebuild, compact),
  while 4 clients query: no request fails, and each new article is
  found by the first request after the build that added it.
"""
import os
import shutil
import sys
import threading
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import (NEWSINDEX, SAMPLES, WORK, Server, build,  # noqa: E402
                     check, finish, run, schema_problems)

CLIENTS = 4
# Each client asks these in turn: a word in every article, one in some,
# facets (a count over every match), a phrase.
QUERIES = ["/api/search?q=markets&limit=5",
           "/api/search?q=word7%20weather&facets=topic,month",
           "/api/search?q=%22story%20number%22&sort=date",
           "/api/suggest?q=wor", "/api/stats", "/healthz"]


def make_articles(folder, n, round_):
    """n articles, one URL each; `round_` changes every excerpt, so a
    build has them all to write again."""
    os.makedirs(folder, exist_ok=True)
    for i in range(n):
        with open(os.path.join(folder, "%05d.txt" % i), "w") as f:
            f.write('---\ntitle: "Story number %d about markets and '
                    'weather"\nexcerpt: "Word%d and word%d report on prices, '
                    'rain, trade (round %d)."\nwebUrl: '
                    '"https://example.com/%d"\nquality: %d\ntopics: '
                    '[Markets]\npublishedDateTime: 2024-%02d-01T00:00:00Z\n'
                    '---\n' % (i, i % 97, i % 89, round_, i, i % 100,
                               i % 12 + 1))


def total(server, word):
    status, obj, hdrs, body = server.get_json("/api/search?q=" + word)
    return obj["total"] if status == 200 and obj else None


def not_there_yet():
    """503 while there is no index; answers once it is built."""
    db = os.path.join(WORK, "later")
    server = Server(db)
    for path in ["/healthz", "/api/search?q=sanctions", "/api/stats",
                 "/api/suggest?q=sanc", "/api/article?url=https://x/"]:
        status, obj, hdrs, body = server.get_json(path)
        check(status == 503, "%s without an index: 503" % path, body)
        check(not schema_problems("serve-error", body),
              "%s: an error as documented" % path,
              schema_problems("serve-error", body))
        check(hdrs.get("retry-after") == "5", "%s: Retry-After" % path,
              hdrs)
        check(WORK not in body.decode(), "%s: no path told" % path, body)
    status, obj, hdrs, body = server.get_json("/nowhere")
    check(status == 404, "an unknown path is still 404", body)
    check(server.log().count("no index at %s" % db) == 1,
          "the reason is said once, on stderr", server.log())
    build(db, SAMPLES)
    status, obj, hdrs, body = server.get_json("/healthz")
    check(status == 200, "/healthz once the index is built", body)
    check(total(server, "sanctions") == 5,
          "a search once the index is built", body)
    check("index %s opened" % db in server.log(),
          "the recovery is said", server.log())
    # The index removed, and built again from other articles: the new
    # one answers.
    shutil.rmtree(db)
    build(db, os.path.join(SAMPLES, "2024"))
    check(total(server, "sanctions") == 0 and
          total(server, "the") > 0, "an index removed and built again")
    check(server.stop() == 0, "stops with 0")
    # With --serve-paths, the 503 names the index and says what to do.
    server = Server(os.path.join(WORK, "never"), "--serve-paths")
    status, obj, hdrs, body = server.get_json("/healthz")
    check(status == 503 and "newsindex build" in obj["error"] and
          os.path.join(WORK, "never") in obj["error"],
          "--serve-paths: the 503 says which index and what to run", obj)
    server.stop()


class Client(threading.Thread):
    """Asks QUERIES over one connection until told to stop; keeps what
    was not a 200."""

    def __init__(self, server, number):
        super().__init__(daemon=True)
        self.server = server
        self.number = number
        self.stop = threading.Event()
        self.answered = 0
        self.failed = []

    def run(self):
        conn = self.server.connection()
        i = self.number
        while not self.stop.is_set():
            path = QUERIES[i % len(QUERIES)]
            i += 1
            try:
                status, hdrs, body = self.server.request(path, conn=conn)
            except Exception as e:  # noqa: BLE001: any is a failure
                self.failed.append((path, repr(e)))
                conn.close()
                conn = self.server.connection()
                continue
            if status != 200:
                self.failed.append((path, status, body[:300]))
            self.answered += 1
        conn.close()


def builds_under_load():
    src = os.path.join(WORK, "src")
    db = os.path.join(WORK, "db")
    make_articles(src, 1500, 0)
    build(db, src)
    server = Server(db, "--threads", "2")
    clients = [Client(server, n) for n in range(CLIENTS)]
    for c in clients:
        c.start()
    rounds = [[], [], ["--rebuild"], [], ["compact"]]
    for r, how in enumerate(rounds, 1):
        word = "zqxround%d" % r
        make_articles(src, 1500, r)
        with open(os.path.join(src, "new-%d.txt" % r), "w") as f:
            f.write('---\ntitle: "A new article %s"\nwebUrl: '
                    '"https://example.com/new/%d"\n---\n' % (word, r))
        check(total(server, word) == 0, "%s: not there before" % word)
        if how == ["compact"]:
            build(db, src)
            status, out, err = run(NEWSINDEX, "compact", "--db", db)
            check(status == 0, "newsindex compact", err)
        else:
            build(db, src, options=how)
        check(total(server, word) == 1,
              "%s: found right after the build %s" % (word, how))
    for c in clients:
        c.stop.set()
    for c in clients:
        c.join()
    answered = sum(c.answered for c in clients)
    failed = [f for c in clients for f in c.failed]
    print("%d requests answered during %d builds" % (answered, len(rounds)))
    check(not failed, "no request failed while builds committed",
          failed[:5])
    check(all(c.answered >= 10 for c in clients),
          "every client was answered while the builds ran",
          [c.answered for c in clients])
    check(server.stop() == 0, "stops with 0")


not_there_yet()
builds_under_load()
sys.exit(finish())
