#!/usr/bin/env python3
"""newsquery --serve's JSON API over HTTP (docs/serving.md).

Every endpoint, every error status the server gives itself, /api/search
byte for byte as newsquery --json, hostile text escaped, the security
headers on every answer, HEAD, keep-alive, paths only with
--serve-paths, the access log with no raw control character, and pages
of other origins (CORS): refused by default, allowed by --allow-origin.
"""
import json
import os
import shutil
import socket
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import (FIXTURES, JSON_TYPE, NEWSINDEX,  # noqa: E402
                     NEWSQUERY, PATIENCE, SAMPLES, WORK, Server, build,
                     check, finish, newsquery_json, run, schema_problems,
                     write_article)

SEED = ("https://realmoney.thestreet.com/investing/global-equity/"
        "ai-developer-sensetime-pulls-stock-sale-due-to-u-s-sanctions-"
        "15858865")
RELATED = ("https://asia.nikkei.com/Business/SoftBank2/SoftBank-unit-"
           "spreads-SenseTime-facial-recognition-tech-in-Japan")
SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


def q(endpoint, **params):
    return endpoint + "?" + urllib.parse.urlencode(params) if params \
        else endpoint


def headers_secure(headers, what):
    for name, value in SECURITY.items():
        check(headers.get(name) == value, "%s: %s" % (what, name),
              headers.get(name))
    csp = headers.get("content-security-policy", "")
    check("script-src 'self'" in csp and "unsafe-inline" not in csp and
          "default-src 'none'" in csp, "%s: a CSP without inline script"
          % what, csp)


def expect_error(server, path, status, parameter=None, method="GET",
                 body=None, headers=None):
    """An error answer: its status, JSON as documented, its parameter."""
    got, hdrs, data = server.request(path, method=method, body=body,
                                     headers=headers)
    what = "%s %s" % (method, path[:80])
    check(got == status, "%s: status" % what, "%d %s" % (got, data[:300]))
    if method == "HEAD":
        check(data == b"", "%s: no body" % what, data[:100])
        return hdrs, None
    check(hdrs.get("content-type") == JSON_TYPE,
          "%s: JSON" % what, hdrs.get("content-type"))
    problems = schema_problems("serve-error", data)
    check(not problems, "%s: as serve-error.json says" % what, problems)
    obj = json.loads(data) if not problems else {}
    check(obj.get("status") == status, "%s: its status in the body" % what,
          obj)
    check(obj.get("parameter") == parameter, "%s: names %s" %
          (what, parameter), obj)
    headers_secure(hdrs, what)
    return hdrs, obj


def without_paths(cli):
    """newsquery --json's answer as a server without --serve-paths
    gives it: each path null, and a related_of that is one."""
    d = json.loads(cli)
    for r in d["results"]:
        r["path"] = None
        if (r["related_of"] or "").startswith("/"):
            r["related_of"] = None
    return d


def the_same_as_newsquery(server, db, cases, paths=True):
    """/api/search answers as newsquery --json does, byte for byte (as
    JSON with the paths null, without --serve-paths)."""
    for argv, params in cases:
        status, cli, err = newsquery_json(db, *argv)
        got, hdrs, body = server.request(q("/api/search", **params))
        check(got == 200, "/api/search %s: 200" % params, body[:300])
        check(status in (0, 1), "newsquery --json %s" % (argv,), err)
        if paths:
            same = body == cli
        else:
            same = got == 200 and json.loads(body) == without_paths(cli)
        check(same, "/api/search %s is newsquery --json %s" %
              (params, argv), "\n  api: %s\n  cli: %s" % (body[:600],
                                                         cli[:600]))
        check(not schema_problems("query", body),
              "/api/search %s: as newsquery.json says" % params,
              schema_problems("query", body))
        check(hdrs.get("content-type") == JSON_TYPE,
              "/api/search: its type", hdrs.get("content-type"))
        headers_secure(hdrs, "/api/search")


def search_cases(server, db, paths=True):
    sanctions = ("sanctions",)
    cases = [
        (sanctions, {"q": "sanctions"}),
        (("--limit", "3", "SenseTime", "sanctions"),
         {"q": "SenseTime sanctions", "limit": "3"}),
        (("--offset", "2", "--limit", "2", "china"),
         {"q": "china", "offset": "2", "limit": "2"}),
        (("--facets", "topic,provider,month", "--limit", "0", "the"),
         {"q": "the", "facets": "topic,provider,month", "limit": "0"}),
        (("--sort", "date", "china"), {"q": "china", "sort": "date"}),
        (("--sort", "quality", "--all", "china"),
         {"q": "china", "sort": "quality", "all": "1"}),
        (("--sort", "heat", "china"), {"q": "china", "sort": "heat"}),
        (("--quality-weight", "0", "--bm25-k1", "1.2", "--bm25-b", "0.5",
          "trade"), {"q": "trade", "quality_weight": "0", "bm25_k1": "1.2",
                     "bm25_b": "0.5"}),
        (("--no-feedback", "chip export controls"),
         {"q": "chip export controls", "feedback": "false"}),
        (("chip export controls",), {"q": "chip export controls"}),
        (("--lang", "de", "sanktionen"), {"q": "sanktionen", "lang": "de"}),
        (("--explain", "sanctions"), {"q": "sanctions", "explain": "on"}),
        (("sanctoins",), {"q": "sanctoins"}),
        (('"unclosed quote',), {"q": '"unclosed quote'}),
        (("date:2021-12 title:sensetime",),
         {"q": "date:2021-12 title:sensetime"}),
        (("--like", SEED), {"like": SEED}),
        (("--like", SEED, "china"), {"like": SEED, "q": "china"}),
        (("zzyzxqqq",), {"q": "zzyzxqqq"}),
        (("caf\u00e9 \u4eba\u5de5\u667a\u80fd",),
         {"q": "caf\u00e9 \u4eba\u5de5\u667a\u80fd"}),
    ]
    the_same_as_newsquery(server, db, cases, paths)


def hostile(server, db_hostile):
    """Control characters escaped, invalid UTF-8 replaced, as the CLI."""
    cases = [(("zqxescape",), {"q": "zqxescape"}),
             (("--all", "zqxescape"), {"q": "zqxescape", "all": "1"}),
             (("scriptalert",), {"q": "scriptalert"})]
    the_same_as_newsquery(server, db_hostile, cases)
    got, hdrs, body = server.request(q("/api/search", q="zqxescape",
                                       all="1"))
    text = body.decode("utf-8")
    raw = [c for c in text if ord(c) < 0x20 and c != "\n" or
           0x7f <= ord(c) < 0xa0]
    check(not raw, "no raw control character in JSON", raw)
    check("\\u001b" in text and "\\u009b" in text,
          "ESC and CSI are escaped", text[:300])
    # A title <script> is JSON text, and JSON is not HTML: nosniff says
    # so to a browser.
    got, hdrs, body = server.request(q("/api/search", q="scriptalert"))
    check(b"<script>alert(1)</script>" in body,
          "a script in a title is text in JSON", body[:300])
    check(hdrs.get("content-type") == JSON_TYPE and
          hdrs.get("x-content-type-options") == "nosniff",
          "... served as JSON, not to be sniffed", hdrs)
    # The query itself, with bytes that are not UTF-8, comes back clean.
    status, obj, hdrs, body = server.get_json(
        "/api/search?q=zqxescape%FF%1b")
    check(status == 200 and obj and obj["query"] == "zqxescape\ufffd\x1b",
          "a query's bad bytes as U+FFFD, its controls escaped", body[:200])
    check(b"\\u001b" in body, "... ESC escaped in the query", body[:200])


def errors(server):
    """Every error the server answers itself."""
    for path, param in [
            (q("/api/search", q="x", limit="abc"), "limit"),
            (q("/api/search", q="x", limit="1001"), "limit"),
            (q("/api/search", q="x", offset="100001"), "offset"),
            (q("/api/search", q="x", offset="-1"), "offset"),
            (q("/api/search", q="x", sort="sideways"), "sort"),
            (q("/api/search", q="x", facets="topic,colour"), "facets"),
            (q("/api/search", q="x", quality_weight="-1"),
             "quality_weight"),
            (q("/api/search", q="x", bm25_b="2"), "bm25_b"),
            (q("/api/search", q="x", lang="klingon"), "lang"),
            (q("/api/search", q="x", all="maybe"), "all"),
            (q("/api/search", q="x", strict="sure"), "strict"),
            (q("/api/search", q="x", colour="red"), "colour"),
            (q("/api/search", q="x", db="/etc"), "db"),
            (q("/api/search", q="x", format="tsv"), "format"),
            ("/api/search?q=x&q=y", "q"),
            ("/api/search?q=x&limit=1&limit=2", "limit"),
            ("/api/search", "q"),
            (q("/api/search", q="   "), "q"),
            ("/api/search?q=a%00b", "q"),
            ("/api/search?q=a&x%00y=1", "x"),
            (q("/api/search", like="/etc/passwd"), "like"),
            (q("/api/search", like="https://nowhere.example/x"), "like"),
            (q("/api/article"), "url"),
            (q("/api/article", url=""), "url"),
            (q("/api/article", url=SEED, path="/x"), "path"),
            (q("/api/article", path="/etc/passwd"), "path"),
            (q("/api/suggest"), "q"),
            (q("/api/suggest", q="sanc", limit="51"), "limit"),
            (q("/api/stats", x="1"), "x"),
            (q("/healthz", verbose="1"), "verbose")]:
        hdrs, obj = expect_error(server, path, 400, param)
    # strict: a query that does not parse is a 400 with the caret's
    # column, as newsquery --strict-syntax shows it.
    hdrs, obj = expect_error(server, q("/api/search", q="china (trade",
                                       strict="1"), 400, "q")
    where = (obj or {}).get("syntax_error") or {}
    check(where.get("column") == 7 and where.get("offset") == 6 and
          where.get("length") == 1, "the caret's column", obj)
    status, out, err = run(NEWSQUERY, "--db", DB, "--strict-syntax",
                           "china (trade")
    caret = err.splitlines()[-1] if err else ""
    check(status == 2 and caret.strip() == "^" and
          caret.index("^") - 2 == where.get("column", 0) - 1,
          "newsquery's caret is at that column", err)
    hdrs, obj = expect_error(server, q("/api/search", q="\u4eba\u5de5 (x",
                                       strict="1"), 400, "q")
    where = (obj or {}).get("syntax_error") or {}
    check(where.get("offset") == 3 and where.get("column") == 6,
          "columns count wide characters twice, offsets code points", obj)
    # Unknown paths, nothing from the disk, no directory listing.
    for path in ["/nowhere", "/api", "/api/search/", "/../etc/passwd",
                 "/docs/serving.md", "/healthz/x", "/favicon.ico",
                 "/%2e%2e/%2e%2e/etc/passwd"]:
        expect_error(server, path, 404)
    expect_error(server, q("/api/article", url="https://nowhere.example/"),
                 404, "url")
    # GET and HEAD only.
    for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE",
                   "BREW"]:
        hdrs, obj = expect_error(server, "/api/search?q=x", 405,
                                 method=method, body=b"x=1"
                                 if method in ("POST", "PUT") else None)
        check(hdrs.get("allow") == "GET, HEAD", "%s: Allow" % method, hdrs)
    # A GET with a body.
    expect_error(server, "/api/search?q=x", 413, body=b"hello",
                 headers={"Content-Length": "5"})
    expect_error(server, "/api/search?q=x", 413, headers={
        "Transfer-Encoding": "chunked"}, body=iter([b"hello"]))
    # Over-long requests: the server's 414 and 431 while there is room
    # to answer; libmicrohttpd's own (HTML) past its memory.
    expect_error(server, "/api/search?q=" + "a" * 16500, 414)
    expect_error(server, "/api/search?q=x", 431, headers={
        "X-Big": "b" * 17000})
    expect_error(server, "/api/search?q=x", 431, headers={
        "X-%d" % i: "b" * 1000 for i in range(17)})
    got, hdrs, body = server.request("/api/search?q=" +
                                     "+".join(["word"] * 3200))
    check(got == 200, "a URI of 16000 bytes is answered", (got, body[:200]))
    status, hdrs, body = server.request("/api/search?q=" + "a" * 70000)
    check(status == 414, "a 70 KB query string: 414", status)
    status, hdrs, body = server.request("/api/search?q=x", headers={
        "X-Big": "b" * 70000})
    check(status == 431, "a 70 KB header: 431", status)


def endpoints(server, db):
    # /healthz
    status, obj, hdrs, body = server.get_json("/healthz")
    check(status == 200 and obj == {"version": 1, "status": "ok"},
          "/healthz", body)
    check(not schema_problems("serve-health", body), "/healthz's schema")
    headers_secure(hdrs, "/healthz")
    # /api/stats, as newsindex stats says
    status, out, err = run(NEWSINDEX, "stats", "--db", db, "--json")
    stats = json.loads(out)
    status, obj, hdrs, body = server.get_json("/api/stats")
    check(status == 200 and not schema_problems("serve-stats", body),
          "/api/stats", schema_problems("serve-stats", body))
    obj = obj or {}
    check(obj.get("articles") == stats["articles"] and
          obj.get("related_records") == stats["related_records"] and
          obj.get("documents") == stats["articles"] +
          stats["related_records"], "/api/stats counts as newsindex stats",
          (obj, stats))
    check(obj.get("last_build") == stats["last_build"] and
          isinstance(obj.get("revision"), int) and obj.get("revision") > 0,
          "/api/stats: last build and revision", obj)
    check(obj.get("index") is None, "/api/stats: no path", obj)
    first = obj.get("requests", 0)
    status, obj, hdrs, body = server.get_json("/api/stats")
    check((obj or {}).get("requests", 0) > first, "requests are counted",
          obj)
    # /api/article: every field the index keeps, and the related records
    status, obj, hdrs, body = server.get_json(q("/api/article", url=SEED))
    check(status == 200 and not schema_problems("serve-article", body),
          "/api/article", schema_problems("serve-article", body))
    article = (obj or {}).get("article", {})
    check(article.get("title") == "AI Developer SenseTime Pulls Stock "
          "Sale Due to U.S. Sanctions" and article.get("category") == "news"
          and article.get("type") == "article" and
          article.get("quality") == 37 and article.get("published") is False
          and article.get("topics") == ["AI"] and
          article.get("date") == "2021-12-13T10:22:00Z" and
          article.get("provider") == {"name": "TheStreet.com",
                                      "domain": "thestreet.com"},
          "/api/article: the seed's fields", article)
    check(article.get("path") is None, "/api/article: no path", article)
    related = (obj or {}).get("related", [])
    check(len(related) >= 1 and all(r["related_of"] == SEED
                                    for r in related) and
          RELATED in [r["url"] for r in related],
          "/api/article: its related records", related)
    # The address as a share gives it: tracking parameters, http, "www."
    shared = SEED.replace("https://", "http://www.") + "?utm_source=x#c"
    status, obj, hdrs, body = server.get_json(q("/api/article", url=shared))
    check(status == 200 and (obj or {}).get("article", {}).get("url") == SEED,
          "/api/article: the address as shared", (status, body[:200]))
    status, obj, hdrs, body = server.get_json(q("/api/article", url=RELATED))
    check(status == 200 and obj["article"]["related_of"] == SEED and
          obj["related"] == [], "/api/article of a related record", obj)
    # /api/suggest: the last word completed from the index
    status, obj, hdrs, body = server.get_json(q("/api/suggest", q="sanc"))
    check(status == 200 and not schema_problems("serve-suggest", body),
          "/api/suggest", schema_problems("serve-suggest", body))
    words = [s["word"] for s in (obj or {}).get("suggestions", [])]
    check("sanctions" in words and all(w.startswith("sanc") for w in words),
          "/api/suggest: words of the index with the prefix", obj)
    status, obj, hdrs, body = server.get_json(q("/api/suggest",
                                                q="china Sanc"))
    texts = [s["text"] for s in (obj or {}).get("suggestions", [])]
    check("china sanctions" in texts and obj["word"] == "sanc",
          "/api/suggest: the query with its last word completed", obj)
    counts = [s["count"] for s in obj["suggestions"]]
    check(counts == sorted(counts, reverse=True), "most documents first",
          counts)
    for text in ["sanctions ", "s", "china (", ""]:
        status, obj, hdrs, body = server.get_json(q("/api/suggest", q=text))
        check(status == 200 and obj["suggestions"] == [],
              "/api/suggest: nothing for %r" % text, obj)
    status, obj, hdrs, body = server.get_json(q("/api/suggest", q="ch",
                                                limit="2"))
    check(status == 200 and len(obj["suggestions"]) == 2,
          "/api/suggest: limit", obj)


def http_things(server):
    # HEAD: the headers of GET, no body.
    got, hdrs_get, body = server.request("/api/search?q=sanctions")
    got, hdrs, data = server.request("/api/search?q=sanctions",
                                     method="HEAD")
    check(got == 200 and data == b"" and
          hdrs.get("content-length") == str(len(body)),
          "HEAD: the length of GET's body, without it", (got, hdrs))
    headers_secure(hdrs, "HEAD")
    # Several requests on one connection.
    conn = server.connection()
    for i in range(3):
        got, hdrs, body = server.request("/healthz", conn=conn)
        check(got == 200 and hdrs.get("connection") != "close",
              "keep-alive, request %d" % (i + 1), hdrs)
    conn.close()
    # Raw control characters in a request line: refused or answered,
    # never written to the log as they are.
    s = socket.create_connection((server.host, server.port), PATIENCE)
    s.sendall(b"GET /api/search?q=a\x1b]0;pwned\x07\x7f\xc2\x9b HTTP/1.1\r\n"
              b"Host: x\r\nConnection: close\r\n\r\n")
    s.settimeout(PATIENCE)
    while s.recv(4096):
        pass
    s.close()
    server.request("/api/search?q=%1b%5b31m%7f")


def log_is_clean(server):
    log = open(server.log_path, "rb").read()
    bad = sorted({b for b in log if (b < 0x20 and b != 0x0a) or b >= 0x7f})
    check(not bad, "the log holds no control character nor raw byte",
          ["%02x" % b for b in bad])
    lines = log.decode("ascii", "replace").splitlines()
    requests = [line for line in lines if '"GET /api/search?q=sanctions '
                'HTTP/1.1" 200 ' in line]
    check(requests, "a line per request: method, URI, status, size", lines)
    check(any("\\x1b" in line for line in lines),
          "a control character of a request line as \\xHH", lines[-5:])


# ---- the run ----------------------------------------------------------------

def cross_origin():
    """Pages of other origins: refused by default, with a preflight's
    405 saying how to allow them; with --allow-origin, the origins it
    names (or any, *) may read the JSON API, errors too, never the
    page."""
    app = "http://localhost:3000"
    preflight = {"Origin": app, "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "x-app-version"}
    server = Server(DB)
    status, hdrs, _ = server.request("/api/search?q=sanctions",
                                     headers={"Origin": app})
    check(status == 200 and not [h for h in hdrs
                                 if h.startswith("access-control")],
          "no --allow-origin: no page of another origin may read", hdrs)
    expect_error(server, "/api/search?q=x", 405, method="OPTIONS",
                 headers=preflight)
    status, hdrs, body = server.request("/api/search?q=x", method="OPTIONS",
                                        headers=preflight)
    check(b"start it with --allow-origin http://localhost:3000" in body,
          "a refused preflight says how to allow it", body)
    server.stop()

    server = Server(DB, "--allow-origin",
                    "https://news.example, " + app.upper())
    for path, status in (("/api/search?q=sanctions", 200),
                         ("/api/stats", 200), ("/healthz", 200),
                         ("/api/search?limit=x", 400),
                         ("/api/nothing", 404)):
        got, hdrs, body = server.request(path, headers={"Origin": app})
        check(got == status and
              hdrs.get("access-control-allow-origin") == app and
              hdrs.get("vary") == "Origin" and
              "Retry-After" in hdrs.get("access-control-expose-headers",
                                        ""),
              "--allow-origin: %s may read %s" % (app, path), (got, hdrs))
    got, hdrs, body = server.request("/api/search?q=x", method="OPTIONS",
                                     headers=preflight)
    check(got == 204 and body == b"" and
          hdrs.get("access-control-allow-origin") == app and
          hdrs.get("access-control-allow-methods") == "GET, HEAD" and
          hdrs.get("access-control-allow-headers") == "x-app-version",
          "--allow-origin: the preflight allows GET", (got, hdrs))
    for origin, path in (("https://evil.example", "/api/search?q=x"),
                         (app, "/search?q=sanctions"), (app, "/")):
        got, hdrs, _ = server.request(path, headers={"Origin": origin})
        check(got == 200 and "access-control-allow-origin" not in hdrs,
              "--allow-origin: %s may not read %s" % (origin, path), hdrs)
    expect_error(server, "/api/search?q=x", 405, method="OPTIONS",
                 headers=dict(preflight, Origin="https://evil.example"))
    expect_error(server, "/api/search?q=x", 405, method="OPTIONS",
                 headers=dict(preflight, **{
                     "Access-Control-Request-Method": "POST"}))
    server.stop()

    server = Server(DB, "--allow-origin", "*")
    got, hdrs, _ = server.request("/api/search?q=x",
                                  headers={"Origin": "null"})
    check(hdrs.get("access-control-allow-origin") == "*" and
          "vary" not in hdrs, "--allow-origin '*': any page", hdrs)
    server.stop()


DB = os.path.join(WORK, "db")
build(DB, SAMPLES)
cross_origin()
server = Server(DB)
# Without --serve-paths, each path is null and nothing else changes.
search_cases(server, DB, paths=False)
errors(server)
endpoints(server, DB)
http_things(server)
server.stop()
log_is_clean(server)

# With --serve-paths, byte for byte; the index's path in /api/stats.
server = Server(DB, "--serve-paths", "--threads", "3")
check("3 threads" in server.log(), "--threads", server.log())
search_cases(server, DB)
status, obj, hdrs, body = server.get_json(q("/api/article", url=SEED))
check(status == 200 and obj["article"]["path"].startswith("/"),
      "/api/article: its path with --serve-paths", obj)
path = obj["article"]["path"]
status, obj, hdrs, body = server.get_json(q("/api/article", path=path))
check(status == 200 and obj["article"]["url"] == SEED,
      "/api/article?path= with --serve-paths", obj)
status, obj, hdrs, body = server.get_json("/api/stats")
check(obj["index"] == DB and obj["threads"] == 3, "/api/stats: the index",
      obj)
# The server's options are each request's defaults; a request's win.
server.stop()
server = Server(DB, "--serve-paths", "--limit", "2", "--sort", "date",
                "--facets", "topic")
status, cli, _ = newsquery_json(DB, "--limit", "2", "--sort", "date",
                                "--facets", "topic", "china")
got, hdrs, body = server.request(q("/api/search", q="china"))
check(body == cli, "the server's options are the defaults", body[:300])
status, cli, _ = newsquery_json(DB, "--limit", "4", "--sort", "relevance",
                                "--facets", "", "china")
got, hdrs, body = server.request(q("/api/search", q="china", limit="4",
                                   sort="relevance", facets=""))
check(body == cli, "a request's options win", body[:300])
server.stop()

# Hostile articles: control characters in every field, a script in a
# title, URLs that are no links.
HOSTILE = os.path.join(WORK, "hostile")
os.makedirs(HOSTILE)
shutil.copy(os.path.join(FIXTURES, "terminal", "escapes.txt"), HOSTILE)
write_article(HOSTILE, "script.txt",
              title='"Scriptalert <script>alert(1)</script> & <b>bold</b>"',
              excerpt='"scriptalert \\" onmouseover=alert(2) x=\\" </p>"',
              webUrl='"javascript:alert(3)"')
write_article(HOSTILE, "data.txt", title='"Scriptalert data URL"',
              webUrl='"data:text/html,<script>alert(4)</script>"')
DB_HOSTILE = os.path.join(WORK, "db-hostile")
build(DB_HOSTILE, HOSTILE)
server = Server(DB_HOSTILE, "--serve-paths")
hostile(server, DB_HOSTILE)
server.stop()

sys.exit(finish())
