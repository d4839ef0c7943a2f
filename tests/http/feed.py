#!/usr/bin/env python3
"""The Atom feed over HTTP (docs/serving.md, "The Atom feed"), read as a
feed reader reads it: with a strict XML parser (the standard library's
xml.dom.minidom, which refuses the whole document on one character XML
1.0 does not allow).

Over the samples, the page's hostile articles, the terminal's escapes
and tests/fixtures/feed (every field hostile, no URL, a javascript: or
ftp: one, no provider, no date): every feed parses; has what Atom
requires (RFC 4287: the feed's id, title, updated and author, each
entry's id, title, updated, and a link or content); ids unique, and
the same after `newsindex build --rebuild`; entries newest first; no
link but http(s), no image but https.  Then polling: ETag and
Last-Modified, 304 to If-None-Match and If-Modified-Since, a new ETag
once a build commits; errors (400 that names the parameter, 503 with
Retry-After without an index, 403 for a Host of another name); CORS as
the API; the page's links to its feed; and `newsquery --format atom`,
the same feed on standard output.
"""
import email.utils
import os
import re
import sys
import urllib.parse
import xml.dom.minidom

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import (FIXTURES, NEWSQUERY, NEWSINDEX, SAMPLES,  # noqa: E402
                     WORK, Server, build, check, finish, run)

ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
# Controls that reorder text (ni_control.h): never in a feed.
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def feed_path(**params):
    return "/feed?" + urllib.parse.urlencode(params)


def children(node, name):
    return [c for c in node.childNodes
            if c.nodeType == c.ELEMENT_NODE and c.namespaceURI == ATOM and
            c.localName == name]


def text_of(node, name):
    found = children(node, name)
    return "".join(t.data for t in found[0].childNodes
                   if t.nodeType == t.TEXT_NODE) if found else None


def parse(body, what):
    """The feed element of `body` (bytes), parsed strictly; None when it
    does not parse (a failed check)."""
    try:
        doc = xml.dom.minidom.parseString(body)
    except Exception as e:  # expat's errors have no common class
        check(False, "%s: the feed parses as XML" % what, e)
        return None
    root = doc.documentElement
    check(root.namespaceURI == ATOM and root.localName == "feed",
          "%s: an Atom feed" % what, root.tagName)
    return root


def entries_of(feed):
    return children(feed, "entry")


def check_feed(feed, what):
    """What RFC 4287 requires, and what this feed promises."""
    text = feed.toxml()
    check(not BIDI.search(text) and "\ufffe" not in text and
          "\uffff" not in text, "%s: no bidi control, U+FFFE or U+FFFF"
          % what)
    for name in ("id", "title", "updated"):
        check(len(children(feed, name)) == 1, "%s: one feed %s" %
              (what, name))
    check(text_of(feed, "id").startswith("urn:uuid:"),
          "%s: the feed's id a UUID" % what, text_of(feed, "id"))
    feed_author = len(children(feed, "author")) == 1
    check(feed_author, "%s: a feed author, for entries without one" %
          what)
    dates = []
    for entry in entries_of(feed):
        title = text_of(entry, "title")
        for name in ("id", "title", "updated", "published"):
            check(len(children(entry, name)) == 1, "%s: one %s in %r"
                  % (what, name, title))
        links = [link.getAttribute("href") for link in
                 children(entry, "link")
                 if link.getAttribute("rel") in ("", "alternate")]
        check(links or children(entry, "content"),
              "%s: a link or content in %r" % (what, title))
        for href in links:
            check(re.match(r"https?://\S+$", href),
                  "%s: a link is http(s)" % what, href)
        for thumb in entry.getElementsByTagNameNS(
                "http://search.yahoo.com/mrss/", "thumbnail"):
            check(thumb.getAttribute("url").startswith("https://"),
                  "%s: an image is https" % what,
                  thumb.getAttribute("url"))
        check(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$",
                       text_of(entry, "updated") or ""),
              "%s: an RFC 3339 date" % what, text_of(entry, "updated"))
        dates.append(text_of(entry, "updated"))
    check(dates == sorted(dates, reverse=True), "%s: newest first" % what,
          dates)
    ids = [text_of(e, "id") for e in entries_of(feed)]
    check(len(ids) == len(set(ids)), "%s: entry ids unique" % what, ids)
    if dates:
        check(text_of(feed, "updated") == dates[0],
              "%s: updated is the newest entry's" % what)
    return ids


def get_feed(server, path, what=None):
    """(feed element, headers, body) after checking 200 and the type."""
    status, headers, body = server.request(path)
    check(status == 200 and headers.get("content-type") == ATOM_TYPE,
          "%s: 200, Atom" % path, (status, headers.get("content-type"),
                                   body[:300]))
    return parse(body, what or path), headers, body


QUERIES = ("sanctions", "zebrafish", "zqxescape", "qvfeed", "the",
           "softbank", "wombat", "quokka")


def feeds(server):
    """Every feed parses and is whole; returns their ids."""
    ids = {}
    for q in QUERIES:
        feed, _, _ = get_feed(server, feed_path(q=q, limit=100))
        if feed is not None:
            ids[q] = (text_of(feed, "id"), check_feed(feed, q))
    return ids


def hostile(server):
    feed, _, body = get_feed(server, feed_path(q="qvfeed"))
    if feed is None:
        return
    text = body.decode("utf-8")
    titles = [text_of(e, "title") for e in entries_of(feed)]
    check(len(titles) == 4 and "Qvfeed undated, so no entry" not in
          titles, "qvfeed: four entries, the undated one not", titles)
    check("<script" not in text and "<svg" not in text and "<b>" not in
          text, "no markup of the articles' as markup")
    check("javascript:" not in text.replace("with a javascript: link", "")
          and "ftp://" not in text and "insecure.example" not in text,
          "no javascript: or ftp: link, no http image")
    check(WORK not in text and FIXTURES not in text,
          "no file path in the feed")
    hostile_entry = entries_of(feed)[0]
    check(text_of(hostile_entry, "title").startswith(
        "Qvfeed hostile txt.exe \ufffd \ufffd \ufffd \ufffd[31m "
        "<b>bold</b> &amp; ]]> isolate"),
          "the hostile title as text, controls as U+FFFD, bidi left out",
          text_of(hostile_entry, "title"))
    links = children(hostile_entry, "link")
    check(links and links[0].getAttribute("href") ==
          "https://hostile.example/qvfeed?a=1&b=<2>",
          "a URL that is no IRI: still the link", links)
    check(text_of(hostile_entry, "id").startswith("urn:uuid:"),
          "...but not the id")
    nourl = entries_of(feed)[1]
    check(not children(nourl, "link") and not children(nourl, "author")
          and text_of(nourl, "content") ==
          "This qvfeed article has only its file for a key.",
          "no URL, no provider: content, and the feed's author",
          nourl.toxml())
    terms = [c.getAttribute("term") for c in children(nourl, "category")]
    check(terms == ["Science", "Oceans"], "a category a topic", terms)


def links(server):
    """The feed's own links resolve, against its address, to itself and
    to the search page sorted by date."""
    path = feed_path(q="sanctions china", lang="en", all="1", limit="7")
    feed, _, _ = get_feed(server, path)
    if feed is None:
        return
    base = "http://%s:%d%s" % (server.host, server.port, path)
    found = {link.getAttribute("rel"): urllib.parse.urljoin(
        base, link.getAttribute("href")) for link in children(feed, "link")}
    self_url = urllib.parse.urlsplit(found.get("self", ""))
    check(self_url.path == "/feed" and
          urllib.parse.parse_qs(self_url.query) ==
          {"q": ["sanctions china"], "lang": ["en"], "all": ["1"],
           "limit": ["7"]}, "the self link is the feed", found)
    page = urllib.parse.urlsplit(found.get("alternate", ""))
    check(page.path == "/search" and
          urllib.parse.parse_qs(page.query) ==
          {"q": ["sanctions china"], "sort": ["date"], "lang": ["en"],
           "all": ["1"]}, "the alternate link is the page by date", found)
    got, headers, _ = server.request(page.path + "?" + page.query)
    check(got == 200, "the alternate link answers", got)


def polling(server, db):
    path = feed_path(q="sanctions")
    _, headers, body = get_feed(server, path)
    etag, modified = headers.get("etag"), headers.get("last-modified")
    check(etag and modified and headers.get("cache-control") == "no-cache",
          "an ETag, a Last-Modified, no-cache", headers)
    if not (etag and modified):
        return
    check(email.utils.parsedate_to_datetime(modified) is not None,
          "Last-Modified an HTTP date", modified)
    for has in (etag, "W/" + etag, '"x", ' + etag, "*"):
        for method in ("GET", "HEAD"):
            got, h, b = server.request(path, method=method,
                                       headers={"If-None-Match": has})
            check(got == 304 and b == b"" and h.get("etag") == etag,
                  "%s with If-None-Match: %s: 304" % (method, has),
                  (got, h))
    got, _, b = server.request(path, headers={"If-None-Match": '"old"'})
    check(got == 200 and b == body, "another ETag: the feed again", got)
    got, _, b = server.request(path, headers={"If-Modified-Since":
                                              modified})
    check(got == 304 and b == b"", "If-Modified-Since its date: 304", got)
    earlier = email.utils.format_datetime(
        email.utils.parsedate_to_datetime(modified).replace(year=2000),
        usegmt=True)
    got, _, b = server.request(path, headers={"If-Modified-Since":
                                              earlier})
    check(got == 200 and b == body, "an earlier date: the feed", got)
    got, _, _ = server.request(path, headers={
        "If-Modified-Since": modified, "If-None-Match": '"old"'})
    check(got == 200, "If-None-Match comes first", got)
    got, _, _ = server.request(path, headers={"If-Modified-Since":
                                              "yesterday"})
    check(got == 200, "a date that is none: the feed", got)
    # Another request, another tag; the same request, the same.
    _, h, _ = get_feed(server, feed_path(q="sanctions", limit=5))
    check(h.get("etag") != etag, "another limit, another ETag")
    _, h, b = get_feed(server, path)
    check(h.get("etag") == etag and b == body, "asked again, the same")
    # A build commits: a new tag, the same body when nothing changed
    # in it (its updated too: a reader sees nothing new).
    extra = os.path.join(WORK, "extra")
    os.makedirs(extra, exist_ok=True)
    with open(os.path.join(extra, "new.md"), "w") as f:
        f.write("---\ntitle: Zqxnew sanctions on nothing\n"
                "publishedDateTime: 2030-01-01T00:00:00Z\n"
                "webUrl: https://new.example/1\n---\n")
    build(db, extra)
    _, h, b = get_feed(server, path)
    check(h.get("etag") != etag, "after a build: a new ETag", h)
    check(b"https://new.example/1" in b and
          b.index(b"https://new.example/1") < b.index(b"<entry>") + 200,
          "the new article first", b[:600])
    got, _, _ = server.request(path, headers={"If-None-Match": etag})
    check(got == 200, "the old ETag after a build: the feed", got)


def rebuilt():
    """An index built again counts its revisions from 1 again: the new
    articles of a rebuilt index never pass for the old feed's."""
    folder = os.path.join(WORK, "rebuilt")
    db = os.path.join(WORK, "rebuilt-db")
    os.makedirs(folder)

    def article(name, day):
        with open(os.path.join(folder, name), "w") as f:
            f.write("---\ntitle: Zqxrebuilt %s\npublishedDateTime: "
                    "2024-01-%02dT00:00:00Z\nwebUrl: https://r.example/%s\n"
                    "---\n" % (name, day, name))
    article("one.md", 1)
    build(db, folder)
    server = Server(db)
    path = feed_path(q="zqxrebuilt")
    _, headers, _ = get_feed(server, path)
    article("two.md", 2)
    status, _, err = run(NEWSINDEX, "build", "--rebuild", "--db", db)
    check(status == 0, "build --rebuild", err)
    got, h, body = server.request(path, headers={
        "If-None-Match": headers.get("etag", "")})
    check(got == 200 and b"https://r.example/two.md" in body,
          "after --rebuild, the old ETag: the new feed", (got, h, body[:300]))
    server.stop()


def problems(server):
    for path, param in ((feed_path(), "q"), (feed_path(q=" "), "q"),
                        (feed_path(q="a", limit="0"), "limit"),
                        (feed_path(q="a", limit="101"), "limit"),
                        (feed_path(q="a", limit="x"), "limit"),
                        (feed_path(q="a", lang="xx"), "lang"),
                        (feed_path(q="a", all="maybe"), "all"),
                        (feed_path(q="a", sort="date"), "sort"),
                        ("/feed?q=a&q=b", "q"), (feed_path(q="( ?!"), "q")):
        status, obj, headers, body = server.get_json(path)
        check(status == 400 and obj and obj.get("parameter") == param and
              "etag" not in headers, "%s: 400 naming %s" % (path, param),
              (status, body[:300], headers.get("etag")))
    status, obj, _, _ = server.get_json("/feed?q=a%00b")
    check(status == 400, "a NUL: 400", status)
    status, _, headers, _ = server.get_json(feed_path(q="a"))
    got, headers, body = server.request(
        feed_path(q="a"), headers={"Host": "news.example.org"})
    check(got == 403, "a Host of another name: 403", got)
    got, headers, body = server.request(feed_path(q="sanctions"),
                                        method="HEAD")
    check(got == 200 and body == b"" and headers.get("content-type") ==
          ATOM_TYPE, "HEAD: the headers alone", (got, headers))


def page_links(server):
    """The page links its feed, in the head for discovery, and in view;
    the policy is what it was."""
    status, headers, body = server.request(
        "/search?" + urllib.parse.urlencode(
            {"q": "sanctions", "from": "2021", "lang": "en", "all": "1",
             "sort": "quality", "limit": "3"}))
    text = body.decode("utf-8")
    head = text.split("</head>")[0]
    found = re.search(r'<link rel="alternate" type="application/atom\+xml" '
                      r'title="([^"]*)" href="([^"]*)">', head)
    check(found, "the page's head links its feed", head)
    if not found:
        return
    # Relative to the page (docs/serving.md: a path prefix).
    href = urllib.parse.urljoin("/search", found.group(2).replace("&amp;",
                                                                  "&"))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
    check(query == {"q": ["sanctions date:2021.."], "lang": ["en"],
                    "all": ["1"]},
          "the feed of the search: its range in q, lang, all", query)
    check(re.search(r'<a class="feed" type="application/atom\+xml" '
                    r'href="[^"]*">Feed<span class="visually-hidden">',
                    text), "a visible link, with a name that says it")
    check(headers.get("content-security-policy", "").startswith(
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        "img-src 'self' https:;"), "the page's policy as it was",
          headers.get("content-security-policy"))
    feed, _, _ = get_feed(server, href)
    if feed is not None:
        check_feed(feed, "the page's feed")
    status, _, body = server.request("/")
    check(b"application/atom+xml" not in body, "no feed on the home page")


def cors(db):
    server = Server(db, "--allow-origin", "https://reader.example")
    got, headers, _ = server.request(feed_path(q="a"), headers={
        "Origin": "https://reader.example"})
    check(headers.get("access-control-allow-origin") ==
          "https://reader.example", "CORS: an allowed origin reads the feed",
          headers)
    got, headers, _ = server.request(feed_path(q="a"), headers={
        "Origin": "https://other.example"})
    check("access-control-allow-origin" not in headers,
          "CORS: another origin does not", headers)
    server.stop()


def command_line(server, db):
    """newsquery --format atom: the server's feed, without its links
    unless --feed-base gives an address."""
    status, out, err = run(NEWSQUERY, "--db", db, "--format", "atom",
                           "qvfeed")
    _, _, body = get_feed(server, feed_path(q="qvfeed"))
    strip = re.compile(rb'<link rel="(self|alternate)" type="[^"]*" '
                       rb'href="[^"]*"/>\n')
    check(status == 0 and out == strip.sub(b"", body),
          "--format atom: the server's feed without its links",
          (status, err, out[:400]))
    status, out, err = run(NEWSQUERY, "--db", db, "--format", "atom",
                           "--feed-base", "https://n.example/x", "qvfeed")
    check(b'href="https://n.example/x/feed?q=qvfeed"' in out and
          b'href="https://n.example/x/search?q=qvfeed&amp;sort=date"' in
          out, "--feed-base: absolute links", out[:700])
    status, out, err = run(NEWSQUERY, "--db", db, "--format", "atom",
                           "zzqqxxnothing")
    feed = parse(out, "--format atom, nothing matched")
    check(status == 1 and feed is not None and not entries_of(feed),
          "nothing matched: an empty feed, exit 1", (status, err))


DB = os.path.join(WORK, "db")
build(DB, SAMPLES, os.path.join(FIXTURES, "page"),
      os.path.join(FIXTURES, "terminal"), os.path.join(FIXTURES, "feed"))
server = Server(DB)
before = feeds(server)
hostile(server)
links(server)
problems(server)
page_links(server)
command_line(server, DB)
# The ids of every feed and entry after the index is built again.
status, _, err = run(NEWSINDEX, "build", "--rebuild", "--db", DB)
check(status == 0, "newsindex build --rebuild", err)
after = feeds(server)
check(before == after and before, "ids the same after --rebuild",
      [(q, before.get(q), after.get(q)) for q in QUERIES
       if before.get(q) != after.get(q)])
polling(server, DB)
check(server.stop() == 0, "the server ends cleanly")
cors(DB)
rebuilt()
server = Server(os.path.join(WORK, "none"))
status, obj, headers, _ = server.get_json(feed_path(q="a"))
check(status == 503 and headers.get("retry-after") == "5",
      "no index: 503 with Retry-After", (status, headers))
server.stop()
sys.exit(finish())
