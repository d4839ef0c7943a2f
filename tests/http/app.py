#!/usr/bin/env python3
"""The server as a browser's search engine and as an installable web app
(docs/serving.md, "In the browser and on the phone"), with the standard
library only (tests/http/app_browser.py asks chromium itself).

/opensearch.xml parses (xml.dom.minidom) and has its four templates,
absolute: from the request's Host, from X-Forwarded-Proto, -Host and
-Prefix when they are a scheme, a host and a path (ignored when not),
from --public-url (or the config file's public_url) above all; a
hostile Host (let in by --allow-host '*') is refused, never written.
Each template, filled in, is answered: the page, the feed, and
/api/suggest?format=opensearch in OpenSearch's suggestions format,
["QUERY", ["COMPLETION", ...]], with the completions /api/suggest
gives.  /manifest.webmanifest parses, its colours are page.css's, its
URLs are relative and lead, under a proxy's prefix, to what the server
has (icons of the sizes they say).  /share, its share target, turns
what a phone shares into a search: an article's URL finds that article
first, else the title's words.
"""
import json
import os
import re
import struct
import sys
import urllib.parse
import xml.dom.minidom

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import (ENV, NEWSQUERY, SAMPLES, WORK, Server,  # noqa: E402
                     build, check, finish, run)

OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
SUGGESTIONS_TYPE = "application/x-suggestions+json"
HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_CSS = os.path.join(HERE, "..", "..", "query", "assets", "page.css")
# A sample article, shared from a news app.
SHARED_URL = ("https://realmoney.thestreet.com/investing/global-equity/"
              "ai-developer-sensetime-pulls-stock-sale-due-to-u-s-sanctions-"
              "15858865")
SHARED_TITLE = "AI Developer SenseTime Pulls Stock Sale Due to U.S. Sanctions"


def description(server, headers=None, status=200):
    """The OpenSearch description's templates by type, or None."""
    got, h, body = server.request("/opensearch.xml", headers=headers)
    check(got == status, "opensearch.xml %r: status %d" % (headers, got),
          body[:300])
    if got != 200:
        return None, body
    check(h.get("content-type") == OPENSEARCH_TYPE,
          "opensearch.xml: its type", h.get("content-type"))
    try:
        doc = xml.dom.minidom.parseString(body)
    except Exception as e:  # noqa: BLE001 (any parse error is the failure)
        check(False, "opensearch.xml %r parses" % headers, e)
        return None, body
    root = doc.documentElement
    check(root.namespaceURI == OPENSEARCH and
          root.localName == "OpenSearchDescription",
          "opensearch.xml: an OpenSearchDescription", root.tagName)
    short = root.getElementsByTagName("ShortName")[0].firstChild.data
    check(0 < len(short) <= 16, "ShortName of at most 16 characters", short)
    check(root.getElementsByTagName("Description"), "a Description")
    templates = {}
    for url in root.getElementsByTagName("Url"):
        templates[url.getAttribute("type")] = url.getAttribute("template")
    return templates, body


def expected(base):
    return {
        "text/html": base + "search?q={searchTerms}",
        SUGGESTIONS_TYPE: base + "api/suggest?format=opensearch&"
                                 "q={searchTerms}",
        "application/atom+xml": base + "feed?q={searchTerms}",
        OPENSEARCH_TYPE: base + "opensearch.xml",
    }


def templates_from_request(server):
    """Absolute URLs from the Host, and from a proxy's headers."""
    here = "http://127.0.0.1:%d/" % server.port
    got, _ = description(server)
    check(got == expected(here), "templates from the Host", got)
    for headers, base in (
            ({"X-Forwarded-Proto": "https",
              "X-Forwarded-Host": "news.example.org",
              "X-Forwarded-Prefix": "/news/"},
             "https://news.example.org/news/"),
            # Two proxies: the first of each list is the client's.
            ({"X-Forwarded-Proto": "https, http",
              "X-Forwarded-Host": "news.example.org:8443, inner.local",
              "X-Forwarded-Prefix": "/news"},
             "https://news.example.org:8443/news/")):
        got, _ = description(server, headers)
        check(got == expected(base), "templates from %r" % headers, got)
    # Nonsense is ignored: the Host's address stays.
    got, body = description(server, {
        "X-Forwarded-Proto": "javascript",
        "X-Forwarded-Host": 'a"><script>x</script>',
        "X-Forwarded-Prefix": '/x"><b'})
    check(got == expected(here), "nonsense X-Forwarded-* ignored", got)
    check(b"<script" not in body and b'"><b' not in body,
          "nothing of it written", body)
    got, _ = description(server, {"X-Forwarded-Prefix": "news"})
    check(got == expected(here), "a prefix without its / ignored", got)
    # HTTP/1.0 without a Host: no address to write.
    conn = server.connection()
    conn._http_vsn, conn._http_vsn_str = 10, "HTTP/1.0"
    conn.putrequest("GET", "/opensearch.xml", skip_host=True)
    conn.endheaders()
    r = conn.getresponse()
    body = r.read()
    conn.close()
    check(r.status == 400 and b"--public-url" in body,
          "no Host: a 400 that says to give --public-url", (r.status, body))


def templates_filled(server):
    """Each template, its {searchTerms} filled in, is answered."""
    got, _ = description(server)
    if not got:
        return
    path = urllib.parse.urlsplit(got["text/html"].replace(
        "{searchTerms}", "sanctions"))
    status, h, body = server.request(path.path + "?" + path.query)
    check(status == 200 and h["content-type"].startswith("text/html") and
          b"SenseTime" in body, "the text/html template searches", status)
    path = urllib.parse.urlsplit(got["application/atom+xml"].replace(
        "{searchTerms}", "sanctions"))
    status, h, body = server.request(path.path + "?" + path.query)
    check(status == 200 and xml.dom.minidom.parseString(body)
          .getElementsByTagName("entry"),
          "the Atom template is a feed with entries", status)
    path = urllib.parse.urlsplit(got[SUGGESTIONS_TYPE].replace(
        "{searchTerms}", "china%20sanc"))
    status, h, body = server.request(path.path + "?" + path.query)
    check(status == 200 and h.get("content-type") == SUGGESTIONS_TYPE,
          "suggestions: 200, their type", (status, h.get("content-type")))
    answer = json.loads(body)
    _, plain, _, _ = server.get_json("/api/suggest?q=china%20sanc")
    if not check(isinstance(answer, list) and len(answer) == 2 and
                 answer[0] == "china sanc" and isinstance(answer[1], list),
                 "suggestions: [QUERY, [COMPLETION, ...]]", answer):
        answer = ["", []]
    check(answer[1] == [s["text"] for s in plain["suggestions"]] and
          "china sanctions" in answer[1],
          "suggestions: /api/suggest's, as whole queries", (answer, plain))
    _, _, body = server.request("/api/suggest?format=opensearch&q=x")
    check(json.loads(body) == ["x", []], "a word too short: none", body)
    status, _, body = server.request("/api/suggest?format=xml&q=sanc")
    check(status == 400 and b"format" in body, "format=xml: a 400", body)


def hostile_host(db):
    """A Host that is no host, let in by --allow-host '*': refused."""
    server = Server(db, "--allow-host", "*")
    for host in ('a"><script>alert(1)</script>', "x y", "a/b", "[::1"):
        got, _, body = server.request("/opensearch.xml",
                                      headers={"Host": host})
        check(got == 400 and b"<script" not in body,
              "Host %r: refused" % host, (got, body[:200]))
    got, _ = description(server, {"Host": "news.example.org:8443"})
    check(got == expected("http://news.example.org:8443/"),
          "a named Host it lets in", got)
    got, _ = description(server, {"Host": "[::1]:8765"})
    check(got == expected("http://[::1]:8765/"), "an IPv6 Host", got)
    check(server.stop() == 0, "the server ends cleanly")


def public_url(db):
    """--public-url wins over every header; a bad one is refused."""
    server = Server(db, "--public-url", "https://example.org/news")
    got, _ = description(server, {"X-Forwarded-Host": "other.example",
                                  "X-Forwarded-Proto": "http"})
    check(got == expected("https://example.org/news/"),
          "templates from --public-url", got)
    check(server.stop() == 0, "the server ends cleanly")
    config = os.path.join(WORK, "public.yaml")
    with open(config, "w") as f:
        f.write("public_url: https://news.example.org/\n")
    ENV["NEWSINDEX_CONFIG"] = config
    server = Server(db)
    got, _ = description(server)
    check(got == expected("https://news.example.org/"),
          "templates from the config file's public_url", got)
    check(server.stop() == 0, "the server ends cleanly")
    ENV["NEWSINDEX_CONFIG"] = ""
    for bad in ("ftp://example.org/", "https://example.org/?a=1",
                "example.org", "https://exa mple.org/"):
        status, _, err = run(NEWSQUERY, "--db", db, "--serve",
                             "127.0.0.1:0", "--public-url", bad)
        check(status == 2 and "--public-url" in err and bad in err,
              "--public-url %r refused" % bad, (status, err))


def png_size(data):
    """(width, height) of a PNG, or None."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", data[16:24])


def manifest(server):
    """The manifest: its fields, its colours, its URLs under a prefix."""
    status, h, body = server.request("/manifest.webmanifest")
    check(status == 200 and h.get("content-type") ==
          "application/manifest+json", "manifest: 200, its type",
          (status, h.get("content-type")))
    m = json.loads(body)
    check(m.get("name") and m.get("short_name") and
          m.get("display") == "standalone", "manifest: names, standalone", m)
    with open(PAGE_CSS) as f:
        css = f.read()
    light = css[:css.index("@media (prefers-color-scheme: dark)")]
    panel = re.search(r"--panel:\s*(#[0-9a-f]{6})", light).group(1)
    bg = re.search(r"--bg:\s*(#[0-9a-f]{6})", light).group(1)
    check(m.get("theme_color") == panel and m.get("background_color") == bg,
          "manifest: page.css's colours", (m.get("theme_color"),
                                           m.get("background_color")))
    _, _, page = server.request("/")
    for colour in re.findall(r"--panel:\s*(#[0-9a-f]{6})", css):
        check(('name="theme-color" content="%s"' % colour).encode() in page,
              "the page's theme-color %s is page.css's" % colour)
    urls = [m["start_url"], m["scope"], m["id"],
            m["share_target"]["action"]] + [i["src"] for i in m["icons"]]
    for url in urls:
        check(not url.startswith("/") and "://" not in url,
              "manifest: %s is relative" % url)
    # Behind a proxy at https://example.org/news/.
    base = "https://example.org/news/manifest.webmanifest"
    at = {name: urllib.parse.urljoin(base, m[name])
          for name in ("start_url", "scope", "id")}
    check(at == {"start_url": "https://example.org/news/",
                 "scope": "https://example.org/news/",
                 "id": "https://example.org/news/"},
          "manifest: the app is the prefix's", at)
    action = urllib.parse.urljoin(base, m["share_target"]["action"])
    check(action == "https://example.org/news/share",
          "manifest: shares go to the prefix's /share", action)
    sizes = set()
    for icon in m["icons"]:
        url = urllib.parse.urljoin(base, icon["src"])
        check(url.startswith("https://example.org/news/assets/"),
              "icon under the prefix", url)
        path = urllib.parse.urlsplit(url).path[len("/news"):]
        status, h, data = server.request(path)
        check(status == 200 and h.get("content-type") == icon["type"],
              "icon %s is there, of its type" % path, (status, h))
        if icon["type"] == "image/png":
            size = png_size(data)
            check(size and "%dx%d" % size == icon["sizes"],
                  "icon %s is %s" % (path, icon["sizes"]), size)
        sizes.add(icon["sizes"])
    check({"192x192", "512x512"} <= sizes,
          "icons of 192 and 512 pixels (Chrome's)", sizes)
    params = m["share_target"]["params"]
    check(m["share_target"]["method"] == "GET" and
          params == {"title": "title", "text": "text", "url": "url"},
          "share_target: GET with title, text and url", m["share_target"])
    status, h, _ = server.request("/")
    check("manifest-src 'self'" in h.get("content-security-policy", ""),
          "the policy lets the page load its manifest",
          h.get("content-security-policy"))


def shared(server, params, prefix="/news"):
    """Share `params` as a phone does, behind a proxy at `prefix`: the
    query of the search it leads to."""
    path = "/share?" + urllib.parse.urlencode(params)
    status, h, body = server.request(path)
    location = h.get("location", "")
    check(status == 303 and location.startswith("search?q="),
          "share %r: 303 to a search, relative" % params,
          (status, location))
    check(urllib.parse.urljoin(prefix + path, location)
          .startswith(prefix + "/search?q="),
          "share: the search is under the prefix", location)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query,
                                  keep_blank_values=True)
    return query.get("q", [""])[0]


def first_hit_url(server, q):
    _, answer, _, _ = server.get_json("/api/search?" +
                                      urllib.parse.urlencode({"q": q}))
    results = (answer or {}).get("results") or [{}]
    return results[0].get("url")


def share_target(server):
    """What a phone shares becomes what a person would search."""
    q = shared(server, {"title": SHARED_TITLE, "url": SHARED_URL})
    check(q == SHARED_URL, "a shared article: its URL is the query", q)
    check(first_hit_url(server, q) == SHARED_URL,
          "a shared article: found first", first_hit_url(server, q))
    # Apps that share "Headline https://..." as text.
    q = shared(server, {"text": "Look: %s\n%s" % (SHARED_TITLE,
                                                  SHARED_URL)})
    check(q == SHARED_URL and first_hit_url(server, q) == SHARED_URL,
          "a URL in the text: the article", q)
    # The same link as a news app shares it, tracked.
    q = shared(server, {"title": SHARED_TITLE, "url": SHARED_URL +
                        "?utm_source=share&gclid=1&FBCLID=2#comments"})
    check(q == SHARED_URL, "a tracked link: the article's own URL", q)
    # As a browser gives it: http, www., a last slash; the article's own.
    q = shared(server, {"url": SHARED_URL.replace(
        "https://", "http://www.") + "/?utm_campaign=x"})
    check(q == SHARED_URL, "another form of its link: its own URL", q)
    q = shared(server, {"url": "https://elsewhere.example/a?id=3&"
                               "fbclid=x#top"})
    check(q == "https://elsewhere.example/a?id=3&fbclid=x#top",
          "an unknown tracked link: left as it was shared", q)
    # An article the index does not have: its title's words.
    q = shared(server, {"title": "SenseTime stock sale",
                        "url": "https://elsewhere.example/sensetime"})
    check(q == "SenseTime stock sale" and
          first_hit_url(server, q) == SHARED_URL,
          "an unknown URL: the title's words, which find the story", q)
    q = shared(server, {"text": "SenseTime https://elsewhere.example/x"})
    check(q.strip() == "SenseTime", "an unknown URL in text: the words", q)
    q = shared(server, {"url": "https://elsewhere.example/x"})
    check(q == "https://elsewhere.example/x", "a URL alone: the URL", q)
    check(shared(server, {}) == "", "nothing shared: the box alone")
    check(shared(server, {"title": " ", "other": "x"}) == "",
          "blanks and other parameters: the box alone")
    status, h, body = server.request("/share?title=%3Cb%3E&text=%22")
    check(status == 303 and b"<b>" not in body,
          "share: the answer's link escaped", body)


DB = os.path.join(WORK, "db")
build(DB, SAMPLES)
SERVER = Server(DB)
templates_from_request(SERVER)
templates_filled(SERVER)
manifest(SERVER)
share_target(SERVER)
check(SERVER.stop() == 0, "the server ends cleanly")
hostile_host(DB)
public_url(DB)
sys.exit(finish())
