#!/usr/bin/env python3
"""newsquery --serve's limits, options, config keys and signals
(docs/serving.md, "Limits" and "Options").

- --max-connections: a request on one connection more is told 503;
  --timeout: an idle connection is closed;
- SIGTERM and SIGINT stop it with exit status 0;
- an address other than loopback is warned of; a bad address, a port
  in use, bad option values and options a server does not take are
  refused with exit status 2;
- the config file's serve, serve_threads, serve_paths, thumbnails,
  allow_origin and allow_host;
- Host: localhost, names under it and IP addresses are answered, other
  names (DNS rebinding) 403 unless --allow-host gives them;
  --log, --no-thumbnails.
"""
import http.client
import json
import os
import signal
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import (ENV, NEWSQUERY, PATIENCE, SAMPLES, WORK,  # noqa: E402
                     Server, build, check, finish, free_port, run)

DB = os.path.join(WORK, "db")
build(DB, SAMPLES)


def until(predicate, what):
    """predicate() true within PATIENCE seconds (a hang is a failure,
    no time is measured)."""
    deadline = time.time() + PATIENCE
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return check(False, what)


def connections():
    server = Server(DB, "--max-connections", "2", "--threads", "2")
    idle = []
    for _ in range(3):
        s = socket.create_connection((server.host, server.port), PATIENCE)
        idle.append(s)
    answers = []

    def refused():
        status, hdrs, body = server.request("/healthz")
        answers.append((status, hdrs, body))
        return status == 503

    # The idle ones are accepted when libmicrohttpd's threads get to
    # them: ask until they have been.
    if until(refused, "a request on a connection over the limit: 503"):
        status, hdrs, body = answers[-1]
        obj = json.loads(body)
        check("too many connections" in obj["error"] and
              hdrs.get("retry-after") == "1" and
              hdrs.get("connection") == "close",
              "... says so, when to ask again, and closes", (hdrs, obj))
    for s in idle:
        s.close()
    until(lambda: server.request("/healthz")[0] == 200,
          "answered again once the idle connections are gone")
    check(server.stop() == 0, "stops with 0")


def timeout():
    server = Server(DB, "--timeout", "1")
    s = socket.create_connection((server.host, server.port), PATIENCE)
    s.settimeout(PATIENCE)
    try:
        closed = s.recv(1) == b""
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        closed = False
    check(closed, "an idle connection is closed after --timeout")
    s.close()
    # A slow request line, a byte at a time, is closed too once idle.
    s = socket.create_connection((server.host, server.port), PATIENCE)
    s.sendall(b"GET /hea")
    s.settimeout(PATIENCE)
    try:
        data = s.recv(4096)
    except ConnectionResetError:
        data = b""
    except socket.timeout:
        data = None
    check(data == b"", "a request left half sent is closed", data)
    s.close()
    check(server.request("/healthz")[0] == 200, "the others are answered")
    server.stop()


def signals():
    for sig, name in [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT,
                                                   "SIGINT")]:
        server = Server(DB)
        conn = server.connection()
        server.request("/api/search?q=sanctions", conn=conn)
        status = server.stop(sig)
        check(status == 0, "%s: exit status 0" % name, status)
        check("stopping (%s)" % name in server.log(), "%s: said" % name,
              server.log())
        conn.close()


def stop_under_load():
    """SIGTERM while 8 clients keep asking, more than the 2 workers can
    answer at once (the others' requests wait, their connections
    suspended): it still stops, with exit status 0, and every client
    gets an answer or a closed connection, none is left hanging."""
    import threading
    server = Server(DB, "--threads", "2")
    asked, ended, statuses = [0], [], []
    lock = threading.Lock()

    def client():
        conn = server.connection()
        try:
            while True:
                status = server.request("/api/search?q=sanctions+china",
                                        conn=conn)[0]
                with lock:
                    asked[0] += 1
                    statuses.append(status)
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
            with lock:
                ended.append(1)

    clients = [threading.Thread(target=client, daemon=True)
               for _ in range(8)]
    for c in clients:
        c.start()
    until(lambda: asked[0] >= 40, "8 clients are answered")
    status = server.stop(signal.SIGTERM)
    check(status == 0, "stopped under load: exit status 0", status)
    for c in clients:
        c.join(PATIENCE)
    check(len(ended) == 8, "every client got an answer or a closed "
          "connection", len(ended))
    check(set(statuses) <= {200, 503}, "answers while stopping: 200, or "
          "503 for those still waiting", sorted(set(statuses)))


def addresses():
    server = Server(DB, address="0.0.0.0:0")
    check("warning: listening on 0.0.0.0:" in server.log() and
          "no authentication" in server.log() and
          "docs/serving.md" in server.log(),
          "not loopback: a warning that points to docs/serving.md",
          server.log())
    server.stop()
    server = Server(DB)
    check("warning" not in server.log(), "loopback: no warning",
          server.log())
    busy = server.port
    status, out, err = run(NEWSQUERY, "--db", DB, "--serve",
                           "127.0.0.1:%d" % busy)
    check(status == 2 and "cannot listen on 127.0.0.1 port %d: Address "
          "already in use" % busy in err, "a port in use: exit 2", err)
    server.stop()
    try:
        socket.create_server(("::1", 0), family=socket.AF_INET6).close()
        server = Server(DB, address="[::1]:0")
        check(server.host == "::1" and "warning" not in server.log() and
              server.request("/healthz")[0] == 200, "[::1]: no warning",
              server.log())
        server.stop()
    except OSError:
        print("SKIP IPv6 loopback: not here")
    for argv, want in [
            (["--serve", "localhost:http"], "--serve: 'localhost:http' is "
             "not [HOST:]PORT"),
            (["--serve", "70000"], "is not [HOST:]PORT"),
            (["--serve", "::1:80"], "is not [HOST:]PORT"),
            (["--serve", "127.0.0.1:0", "sanctions"],
             "--serve takes an address ([HOST:]PORT), not a query: "
             "'sanctions'"),
            (["--serve", "sanctions", "china"], "not a query"),
            (["--serve", "--json"], "it takes no --count, -0, --format, "
             "--json or --like"),
            (["--serve", "--like", "x"], "--json or --like"),
            (["--serve", "--threads", "0"], "--threads: '0' is not a whole "
             "number from 1 to 1024"),
            (["--serve", "--max-connections", "lots"],
             "--max-connections: 'lots'"),
            (["--serve", "--timeout", "0"], "--timeout: '0'"),
            (["--serve", "--allow-origin", "https://app.example/"],
             "--allow-origin: 'https://app.example/' is not an origin"),
            (["--serve", "--allow-origin", "http://a.example, ftp://b"],
             "--allow-origin: 'ftp://b' is not an origin"),
            (["--serve", "--allow-host", "news.example.org, a b"],
             "--allow-host: 'a b' is not a host name"),
            (["--serve", "--allow-host", "https://news.example.org"],
             "--allow-host: 'https://news.example.org' is not a host name"),
            (["--serve", "--limit", "x"], "--limit: 'x'"),
            (["--serve", "no.such.host.invalid:0"],
             "cannot listen on no.such.host.invalid"),
            (["--serve", "127.0.0.1:0", "--log", "/nonexistent/x/log"],
             "cannot open the log /nonexistent/x/log")]:
        status, out, err = run(NEWSQUERY, "--db", DB, *argv, timeout=PATIENCE)
        check(status == 2 and want in err and len(err.splitlines()) == 1,
              "%s: exit 2, one line" % argv, (status, err))


def hosts():
    """The Host a request gives: a name pointed at 127.0.0.1 by a site
    (DNS rebinding) is refused, what the server's own are answered."""
    def status_for(server, host):
        status, hdrs, body = server.request(
            "/api/search?q=sanctions", headers={"Host": host})
        return status, body

    server = Server(DB)
    port = server.port
    for host in ["127.0.0.1:%d" % port, "localhost:%d" % port, "LOCALHOST",
                 "localhost.", "app.localhost:%d" % port, "[::1]:%d" % port,
                 "192.168.1.20:%d" % port]:
        status, body = status_for(server, host)
        check(status == 200, "Host %s answered" % host, (status, body[:200]))
    for host in ["evil.example:%d" % port, "evil.example",
                 "127.0.0.1.evil.example", "mylocalhost", "localhost.evil"]:
        status, body = status_for(server, host)
        check(status == 403 and b"--allow-host" in body,
              "Host %s refused, saying how to allow it" % host,
              (status, body[:300]))
    status, body = status_for(server, "evil.example:%d" % port)
    check(b"not to the name evil.example: start it with --allow-host "
          b"evil.example " in body, "the refusal names the name", body[:300])
    server.stop()
    server = Server(DB, "--allow-host", "news.example.org, b.example")
    for host, want in [("news.example.org", 200), ("NEWS.example.org:443",
                       200), ("b.example", 200), ("x.news.example.org", 403),
                       ("example.org", 403), ("localhost", 200)]:
        status, body = status_for(server, host)
        check(status == want, "--allow-host: Host %s is %d" % (host, want),
              (status, body[:200]))
    server.stop()
    server = Server(DB, "--allow-host", "*")
    status, body = status_for(server, "anything.example")
    check(status == 200, "--allow-host '*': any name", (status, body[:200]))
    server.stop()


def options_and_config():
    # --log: the access log in a file; the server's messages on stderr.
    log = os.path.join(WORK, "access.log")
    server = Server(DB, "--log", log, "--no-thumbnails")
    status, hdrs, body = server.request("/api/search?q=sanctions")
    csp = hdrs.get("content-security-policy", "")
    check("img-src 'self';" in csp and "https:" not in csp,
          "--no-thumbnails: no image from elsewhere", csp)
    server.stop()
    with open(log) as f:
        lines = f.read().splitlines()
    check(len(lines) == 1 and '"GET /api/search?q=sanctions HTTP/1.1" 200'
          in lines[0], "--log: a line per request", lines)
    check("GET /api" not in server.log(), "... not on stderr", server.log())
    # The config file.
    port = free_port()
    config = os.path.join(WORK, "config.yaml")
    with open(config, "w") as f:
        f.write("serve: 127.0.0.1:%d\nserve_threads: 3\nserve_paths: true\n"
                "thumbnails: false\nlimit: 2\n"
                "allow_origin: [http://localhost:3000, "
                "https://app.example.org]\n"
                "allow_host: news.example.org\n" % port)
    ENV["NEWSINDEX_CONFIG"] = config
    server = Server(DB, address=None)
    check(server.port == port and "3 threads" in server.log(),
          "config: serve and serve_threads", server.log())
    status, obj, hdrs, body = server.get_json("/api/search?q=sanctions")
    check(status == 200 and len(obj["results"]) == 2 and
          obj["results"][0]["path"].startswith("/"),
          "config: serve_paths and the search's defaults", body[:300])
    check("https:" not in hdrs.get("content-security-policy", ""),
          "config: thumbnails", hdrs)
    status, hdrs, body = server.request(
        "/api/search?q=sanctions",
        headers={"Origin": "https://app.example.org"})
    check(hdrs.get("access-control-allow-origin") ==
          "https://app.example.org", "config: allow_origin", hdrs)
    status, hdrs, body = server.request(
        "/api/search?q=sanctions", headers={"Host": "news.example.org"})
    check(status == 200, "config: allow_host", (status, body[:200]))
    server.stop()
    server = Server(DB, "--threads", "1", "--allow-origin", "*",
                    address="127.0.0.1:0")
    check("1 thread)" in server.log(), "options win over the config",
          server.log())
    status, hdrs, body = server.request(
        "/api/search?q=sanctions", headers={"Origin": "https://x.example"})
    check(hdrs.get("access-control-allow-origin") == "*",
          "--allow-origin wins over allow_origin", hdrs)
    server.stop()
    with open(config, "w") as f:
        f.write("allow_origin: http://localhost:3000/app\n")
    status, out, err = run(NEWSQUERY, "--db", DB, "--serve", "127.0.0.1:0",
                           timeout=PATIENCE)
    check(status == 2 and "'http://localhost:3000/app' is not an origin"
          in err and "(allow_origin)" in err and len(err.splitlines()) == 1,
          "config: a bad allow_origin, named", (status, err))
    with open(config, "w") as f:
        f.write("serve: localhost\n")
    status, out, err = run(NEWSQUERY, "--serve")
    check(status == 2 and "line 1 col 8: serve: expected [HOST:]PORT" in err,
          "config: a bad serve, named where", err)
    ENV["NEWSINDEX_CONFIG"] = ""


connections()
timeout()
signals()
stop_under_load()
addresses()
hosts()
options_and_config()
sys.exit(finish())
