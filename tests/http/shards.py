#!/usr/bin/env python3
"""newsquery --serve over a sharded index and over remote shards
(xapian-tcpsrv), as newsquery searches them (docs/scaling.md).

/api/search is newsquery --json byte for byte on both, and /feed one
index's feed (without ETag: a stub has no revision); a remote shard
whose server stops fails the search with 503, and with --allow-partial
the shards that answer are searched, the one left out named as "shard
N" (its address only with --serve-paths).
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import (ENV, PATIENCE, SAMPLES, WORK, Server,  # noqa: E402
                     build, check, finish, free_port, newsquery_json,
                     schema_problems)

QUERIES = [("sanctions",), ("--limit", "3", "china trade"),
           ("--facets", "topic,month", "the"), ("--sort", "date", "ai"),
           ("--all", "--offset", "1", "--limit", "2", "sensetime")]
PARAMS = [{"q": "sanctions"}, {"q": "china trade", "limit": "3"},
          {"q": "the", "facets": "topic,month"}, {"q": "ai", "sort": "date"},
          {"q": "sensetime", "all": "1", "offset": "1", "limit": "2"}]


def same_as_newsquery(server, db, what):
    for argv, params in zip(QUERIES, PARAMS):
        status, cli, err = newsquery_json(db, *argv)
        got, hdrs, body = server.request("/api/search?" +
                                         urllib.parse.urlencode(params))
        check(got == 200 and body == cli and status in (0, 1),
              "%s: /api/search %s is newsquery --json" % (what, params),
              "\n  api: %s\n  cli: %s %s" % (body[:300], cli[:300], err))


def serve_shard(folder):
    """An xapian-tcpsrv of `folder` on a free port: (process, port)."""
    port = free_port()
    # Its own session: its SIGTERM handler signals its process group.
    proc = subprocess.Popen(["xapian-tcpsrv", "--quiet", "--interface",
                             "127.0.0.1", "--port", str(port), folder],
                            env=ENV, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + PATIENCE
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("xapian-tcpsrv does not listen")


sharded = os.path.join(WORK, "sharded")
build(sharded, SAMPLES, options=("--shards", "2"))
server = Server(sharded, "--serve-paths")
same_as_newsquery(server, sharded, "a sharded index")
status, obj, hdrs, body = server.get_json("/api/stats")
check(status == 200 and obj["shards"] == 2 and obj["revision"] is None and
      obj["last_build"] is None and not schema_problems("serve-stats", body),
      "/api/stats of a sharded index", obj)
# The Atom feed: the one index's, without ETag or Last-Modified (a
# stub has no revision of its own: docs/serving.md, "The Atom feed").
one = os.path.join(WORK, "one")
build(one, SAMPLES)
single = Server(one)
for q in ("sanctions", "the"):
    path = "/feed?" + urllib.parse.urlencode({"q": q, "limit": 50})
    _, one_headers, one_body = single.request(path)
    status, hdrs, body = server.request(path)
    check(status == 200 and body == one_body and b"<entry>" in body,
          "a sharded index's feed of %s is one index's" % q, body[:300])
    check("etag" not in hdrs and "last-modified" not in hdrs and
          "etag" in one_headers, "a sharded index's feed: no validators",
          hdrs)
single.stop()
server.stop()

if not shutil.which("xapian-tcpsrv"):
    print("SKIP remote shards: xapian-tcpsrv is not installed")
    sys.exit(77 if finish() == 0 else 1)
tcpsrv = [serve_shard(os.path.join(sharded, "shard-%d" % n))
          for n in (1, 2)]
stub = os.path.join(WORK, "remote.stub")
with open(stub, "w") as f:
    for proc, port in tcpsrv:
        f.write("remote 127.0.0.1:%d\n" % port)
server = Server(stub, "--serve-paths")
same_as_newsquery(server, stub, "remote shards")
partial = Server(stub, "--allow-partial")
check(partial.get_json("/api/search?q=sanctions")[0] == 200,
      "--allow-partial with every shard up")
# The second shard's server stops.
proc, port = tcpsrv[1]
proc.terminate()
proc.wait(PATIENCE)
status, obj, hdrs, body = server.get_json("/api/search?q=sanctions")
check(status == 503 and obj and "remote" in obj["error"],
      "a remote shard down: 503", body)
# A search first fails on the connection that is gone, then the
# shard is left out when the index is opened again.
for _ in range(3):
    status, obj, hdrs, body = partial.get_json("/api/search?q=sanctions")
    if status == 200:
        break
check(status == 200 and obj["missing_shards"] == ["shard 2"],
      "--allow-partial: the shard left out is named, not where it is", body)
check("left out shard 2 of %s (line 2), remote 127.0.0.1:%d" % (stub, port)
      in partial.log(), "... on stderr, with where", partial.log())
partial.stop()
server.stop()
tcpsrv[0][0].terminate()
tcpsrv[0][0].wait(PATIENCE)
sys.exit(finish())
