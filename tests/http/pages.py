#!/usr/bin/env python3
"""The search page over HTTP (docs/serving.md): what a browser cannot
see of it, with the standard library only, so that it runs where
chromium does not (tests/http/page.py drives a browser).

Statuses and types: 200 pages, 400 pages for a bad parameter, a bad
date, a query without words or one a strict reading refuses (with the
caret's column), 503 with Retry-After while there is no index (the box
still shown at /); the assets with their ETag and caching; thumbnails
only from https and none with --no-thumbnails (nor in the policy);
hostile fields escaped in the HTML itself; every link relative, so that
a reverse proxy may serve the page under a path prefix.
"""
import os
import re
import sys
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serving import (FIXTURES, JSON_TYPE, SAMPLES, WORK,  # noqa: E402
                     Server, build, check, finish)

HTML = "text/html; charset=utf-8"


def page(server, path, status=200, method="GET"):
    """The page's text, after checking its status and type."""
    got, headers, body = server.request(path, method=method)
    check(got == status, "%s: status %d, wanted %d" % (path, got, status),
          body[:400])
    check(headers.get("content-type") == HTML, "%s: an HTML page" % path,
          headers.get("content-type"))
    return body.decode("utf-8"), headers


def search(**params):
    return "/search?" + urllib.parse.urlencode(params)


# What a browser asks for when it follows a link or a typed URL.
BROWSER_ACCEPT = ("text/html,application/xhtml+xml,application/xml;q=0.9,"
                  "image/avif,image/webp,*/*;q=0.8")


def missing(server):
    """A wrong URL in a browser: a page saying so, with the box; the
    API's paths, and clients that do not ask for HTML, get JSON."""
    for path in ("/search/", "/index.html", "/x%3Cb%3E?q=1"):
        got, headers, body = server.request(
            path, headers={"Accept": BROWSER_ACCEPT})
        text = body.decode("utf-8")
        check(got == 404 and headers.get("content-type") == HTML and
              "<h1>No such page</h1>" in text and
              'type="search" dir="auto" maxlength="1500" value=""'
              in text,
              "%s in a browser: a page with the box" % path, (got, text))
    check("There is nothing at /x&lt;b&gt;." in text,
          "the missing path shown escaped", text)
    for path, accept in (("/search/", "*/*"), ("/api/nothing",
                                              BROWSER_ACCEPT),
                         ("/healthz/x", BROWSER_ACCEPT)):
        got, headers, body = server.request(path,
                                            headers={"Accept": accept})
        check(got == 404 and headers.get("content-type") ==
              JSON_TYPE, "%s, Accept %s: JSON" % (path, accept),
              (got, headers.get("content-type")))


def pages(server):
    text, headers = page(server, "/")
    check('<input id="q" name="q" type="search" dir="auto" '
          'maxlength="1500" value=""' in text,
          "/ is the box")
    # The skip link says where it goes: no results on the home page.
    check('href="#main">Skip to the main content</a>' in text,
          "/: the skip link to the main content")
    text, _ = page(server, search(q="sanctions"))
    check('href="#main">Skip to the results</a>' in text,
          "a page of results: the skip link to the results")
    check("img-src 'self' https:" in headers.get(
        "content-security-policy", ""), "thumbnails allowed by the policy",
          headers.get("content-security-policy"))
    text, _ = page(server, search(q=""))
    check("<ol class=\"hits\"" not in text and 'id="q"' in text,
          "an empty q: the box alone")
    text, _ = page(server, search(q="sanctions"))
    check(len(re.findall(r'<li class="hit">', text)) == 5,
          "five hits for sanctions")
    check('<mark>sanctions</mark>' in text.lower(), "words marked")
    check('<nav class="facets"' in text, "facets by default")
    text, _ = page(server, search(q="sanctions", facets="month"))
    check('id="facet-month"' in text and 'id="facet-topic"' not in text,
          "facets= says which")
    text, _ = page(server, search(q="sanctions", explain="1"))
    check(text.count('<p class="explain">all words') == 5,
          "explain=1: a line a hit")
    # The request's own search options, as the API takes them.
    text, _ = page(server, search(q="the", limit="3", offset="3"))
    check('<ol class="hits" start="4">' in text and
          len(re.findall(r'<li class="hit">', text)) == 3,
          "limit and offset")
    check('href="search?q=the&amp;limit=3&amp;offset=6"' in text,
          "the next page keeps limit", re.findall(r'rel="next"[^>]*', text))
    # HEAD: the headers alone.
    got, headers, body = server.request(search(q="sanctions"),
                                        method="HEAD")
    check(got == 200 and body == b"" and
          headers.get("content-type") == HTML, "HEAD of a page")


def problems(server):
    text, _ = page(server, search(q="ai", to="2021-13-01"), 400)
    check("to: &#39;2021-13-01&#39; is not a date (YYYY-MM-DD)" in text,
          "a bad date is a 400 that says which")
    text, _ = page(server, search(q="ai", limit="many"), 400)
    check("A setting of the search is wrong" in text and "limit: " in text,
          "a bad limit is a 400 page", text[-800:])
    text, _ = page(server, search(q="( ?!"), 400)
    check("The query cannot be read" in text and "At column 1:" in text,
          "a query without words: 400 with a column")
    text, _ = page(server, search(q='ai "unclosed', strict="1"), 400)
    check('<p class="where">At column 4:</p>' in text,
          "strict: the column of the unclosed quote", text[-800:])
    text, _ = page(server, search(q='ai "unclosed'))
    check('<p class="where">At column 4:</p>' in text and
          "searched as words" in text,
          "lenient: searched as words, the column shown")
    text, _ = page(server, search(q="ai", like="/etc/passwd"), 400)
    check("like: give an article&#39;s URL" in text,
          "a file for like needs --serve-paths", text[-600:])


def hostile(server):
    text, _ = page(server, search(q="zebrafish"))
    check("<script>alert" not in text and "<img src=x" not in text and
          "<svg" not in text, "no hostile element in the HTML")
    check("&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in text,
          "the hostile title escaped")
    check('href="javascript' not in text and 'href="data' not in text,
          "no link to javascript: or data:")
    check(text.count("<script") == 1, "one script: the page's")
    q = "\"><script>alert(1)</script>"
    text, _ = page(server, search(q=q))
    check('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in text,
          "a hostile query escaped in the box")


def assets(server):
    text, _ = page(server, "/")
    for name, kind, least in (("page.css", "text/css; charset=utf-8", 500),
                              ("page.js", "text/javascript; charset=utf-8",
                               500),
                              ("icon.svg", "image/svg+xml", 100)):
        found = re.search(r'"assets/%s\?v=([0-9a-f]+)"' % re.escape(name),
                          text)
        if not check(found, "the page links %s with its version" % name):
            continue
        version = found.group(1)
        path = "/assets/%s?v=%s" % (name, version)
        got, headers, body = server.request(path)
        check(got == 200 and headers.get("content-type") == kind and
              len(body) > least, "%s served" % name, headers)
        check(headers.get("etag") == '"%s"' % version, "%s: its ETag"
              % name, headers.get("etag"))
        check("immutable" in headers.get("cache-control", ""),
              "%s: kept a year at its version" % name,
              headers.get("cache-control"))
        got, headers, _ = server.request("/assets/" + name)
        check(headers.get("cache-control") == "no-cache",
              "%s without a version: asked again" % name,
              headers.get("cache-control"))
        got, headers, body = server.request(path, method="HEAD")
        check(got == 200 and body == b"", "HEAD of %s" % name)
        # Revalidated (a reload): the ETag it has, alone, weak or in a
        # list, or "*", is a 304 without the bytes; another is a 200.
        etag = '"%s"' % version
        for has in (etag, "W/" + etag, '"old", ' + etag, "*"):
            for method in ("GET", "HEAD"):
                got, headers, body = server.request(
                    "/assets/" + name, method=method,
                    headers={"If-None-Match": has})
                check(got == 304 and body == b"" and
                      headers.get("etag") == etag,
                      "%s %s with If-None-Match: %s: not modified"
                      % (method, name, has), (got, headers))
        got, headers, body = server.request(
            path, headers={"If-None-Match": '"old", W/"older"'})
        check(got == 200 and len(body) > least,
              "%s with an old ETag: the file" % name, got)
    got, _, _ = server.request("/assets/other.css")
    check(got == 404, "no other asset", got)


def thumbnails(server, on):
    # The related record's image is https, with its size; the seed's is
    # http and never shown.
    text, headers = page(server, search(q="softbank"))
    img = re.findall(r"<img [^>]*>", text)
    policy = headers.get("content-security-policy", "")
    if on:
        check(len(img) == 1 and 'src="https://www.ft.com/' in img[0] and
              'width="112" height="56"' in img[0] and
              'loading="lazy"' in img[0], "a thumbnail, sized, lazy", img)
    else:
        check(not img, "--no-thumbnails: no image", img)
        check("https:" not in policy, "--no-thumbnails: the policy "
              "allows no https image", policy)
    text, _ = page(server, search(q="sensetime pulls stock sale"))
    check("s.thestreet.com" not in text.split("<main")[1].split(
        '<p class="url')[0], "no http image")


def no_index(server):
    text, _ = page(server, "/")
    check('id="q"' in text, "without an index, the box still")
    text, headers = page(server, search(q="ai"), 503)
    check("The index cannot be searched now" in text and
          headers.get("retry-after") == "5", "503 page, Retry-After",
          headers)
    check(WORK not in text, "no path in the 503 page")


LINK = re.compile(r'(?:href|src|action|data-live)="([^"#]*)"')


def relative_links(server):
    """Every link a page makes is relative to its own URL: under a
    reverse proxy's path prefix (/news/) each stays under it, and each
    leads to something the server has (docs/serving.md, "Public use")."""
    for path in ("/", search(q="ai", limit="2"), "/search/",
                 "/a/b/c?q=1", search(q="zzqx")):
        got, _, body = server.request(path,
                                      headers={"Accept": BROWSER_ACCEPT})
        links = [urllib.parse.unquote(m).replace("&amp;", "&")
                 for m in LINK.findall(body.decode("utf-8"))]
        check(any("assets/page.css" in link for link in links),
              "%s: links found" % path, links)
        for link in links:
            if link.startswith("http"):
                continue  # an article's own
            proxied = urllib.parse.urljoin("/news" + path, link)
            check(proxied.startswith("/news/"),
                  "%s: %s stays under a prefix" % (path, link), proxied)
            target = urllib.parse.urljoin(path, link)
            got, _, _ = server.request(urllib.parse.quote(
                target, safe="/?&=%:"))
            check(got in (200, 304), "%s: %s is there (%s)" %
                  (path, link, target), got)
    # The script asks the server by URLs relative to the form's action.
    _, _, script = server.request("/assets/page.js")
    absolute = re.findall(rb'["\'](/(?:search|api/|feed|assets/)[^"\']*)',
                          script)
    check(not absolute, "page.js asks no absolute path", absolute)


DB = os.path.join(WORK, "db")
build(DB, SAMPLES, os.path.join(FIXTURES, "page"))
server = Server(DB)
pages(server)
missing(server)
relative_links(server)
problems(server)
hostile(server)
assets(server)
thumbnails(server, True)
check(server.stop() == 0, "the server ends cleanly")
server = Server(DB, "--no-thumbnails")
thumbnails(server, False)
server.stop()
server = Server(os.path.join(WORK, "none"))
no_index(server)
server.stop()
sys.exit(finish())
