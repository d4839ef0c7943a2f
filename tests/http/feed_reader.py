#!/usr/bin/env python3
"""The Atom feed read by another reader's parser: Debian's
python3-feedparser (tests/http/feed.py reads it with xml.dom.minidom).

feedparser is what many readers and services are built on: it must
take every feed as well-formed Atom (bozo 0), see each entry's title,
link (only http(s)), date, author and categories as written, resolve
the feed's relative self and alternate links against the feed's own
address, and take an entry without a link for what it is (no link,
its excerpt as content).

Run by Debian's /usr/bin/python3, which has python3-feedparser.  Exit
status 77 (meson's skip) only when it is not installed; anything else
wrong is a failure.
"""
import os
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import feedparser
except ImportError:
    print("SKIP: the second reader needs python3-feedparser "
          "(scripts/setup installs it)")
    sys.exit(77)

from serving import (FIXTURES, SAMPLES, WORK, Server, build,  # noqa: E402
                     check, finish)


def read(server, params):
    """feedparser's reading of /feed with `params`, fetched by us (so
    that the server's answer is checked first), at its address."""
    path = "/feed?" + urllib.parse.urlencode(params)
    status, headers, body = server.request(path)
    check(status == 200, "%s: 200" % path, status)
    address = "http://%s:%d%s" % (server.host, server.port, path)
    parsed = feedparser.parse(body, response_headers={
        "content-location": address,
        "content-type": headers.get("content-type", "")})
    check(not parsed.bozo, "%s: well-formed for feedparser" % path,
          parsed.get("bozo_exception"))
    check(parsed.version == "atom10", "%s: Atom 1.0" % path,
          parsed.version)
    return parsed, address


def everything(server):
    for q in ("sanctions", "zebrafish", "zqxescape", "qvfeed", "the"):
        parsed, _ = read(server, {"q": q, "limit": 100})
        dates = [e.published_parsed for e in parsed.entries]
        check(all(dates) and dates == sorted(dates, reverse=True),
              "%s: every entry dated, newest first" % q)
        for e in parsed.entries:
            check(e.get("id") and e.get("title"), "%s: id and title" % q,
                  e)
            for link in e.get("links", []):
                if link.get("rel") == "alternate":
                    check(link["href"].startswith(("http://", "https://")),
                          "%s: an http(s) link" % q, link)


def details(server):
    parsed, address = read(server, {"q": "sanctions china", "lang": "en"})
    feed = parsed.feed
    check(feed.title == "\u201csanctions china\u201d \u00b7 newsindex",
          "the feed's title", feed.get("title"))
    rels = {link.rel: link.href for link in feed.links}
    check(rels.get("self") == urllib.parse.urljoin(
        address, "feed?q=sanctions%20china&lang=en"),
          "self resolved against the feed's address", rels)
    check(rels.get("alternate") == urllib.parse.urljoin(
        address, "search?q=sanctions%20china&sort=date&lang=en"),
          "alternate: the page, sorted by date", rels)
    first = parsed.entries[0] if parsed.entries else {}
    check(first.get("author") and first.get("tags") is not None,
          "an entry's author and topics", first)
    parsed, _ = read(server, {"q": "qvfeed"})
    by_title = {e.title: e for e in parsed.entries}
    # feedparser makes an entry's id its link when it has none
    # (guidislink): so the id of one without an http(s) URL is a
    # urn:uuid:, which nothing follows, never its URL or its file.
    nourl = by_title.get("Qvfeed without a URL or a provider", {})
    check(nourl and nourl.get("link", "").startswith("urn:uuid:") and
          "author" not in nourl and
          [t.term for t in nourl.get("tags", [])] == ["Science", "Oceans"]
          and nourl.get("content", [{}])[0].get("value") ==
          "This qvfeed article has only its file for a key.",
          "no URL: no link but its id, no author of its own, topics, "
          "content", nourl)
    check(parsed.feed.get("author") == "newsindex", "the feed's author",
          parsed.feed.get("author"))
    for title in ("Qvfeed with a javascript: link",
                  "Qvfeed on an ftp server"):
        entry = by_title.get(title, {})
        check(entry and entry.get("link", "").startswith("urn:uuid:"),
              "%s: no link but its id" % title, entry.get("link"))
    check("Qvfeed undated, so no entry" not in by_title,
          "an undated article: no entry", list(by_title))


DB = os.path.join(WORK, "db")
build(DB, SAMPLES, os.path.join(FIXTURES, "page"),
      os.path.join(FIXTURES, "terminal"), os.path.join(FIXTURES, "feed"))
server = Server(DB)
everything(server)
details(server)
check(server.stop() == 0, "the server ends cleanly")
sys.exit(finish())
