#!/usr/bin/python3
"""The search page as Chromium sees a search engine and an app: Debian's
chromium, headless, driven by python3-selenium (as tests/http/page.py).

Straight to the server, and through a reverse proxy of the test's own
that serves it under /news/ (and says so in X-Forwarded-Prefix, as
docs/serving.md's nginx does): the page's head links the OpenSearch
description, the manifest and the theme colours, and each link is
fetchable from the page; Chromium reads the manifest without an error
(Page.getAppManifest), and finds the app installable
(Page.getInstallabilityErrors: no icon, a manifest the policy refuses
or a start_url out of scope would each be one), with start_url and
scope the prefix's; the description's templates are the proxy's
address; a share from a phone (/share?title&url) ends on the page of
the shared article, first.  No page breaks the Content-Security-
Policy.  Screenshots, light and dark, go to BUILD/screenshots/.

Exit status 77 (meson's skip) only when chromium or chromedriver is not
installed.
"""
import http.client
import http.server
import os
import sys
import threading
import time
import traceback
import urllib.parse
import xml.dom.minidom

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from browsing import SHOTS, browser, csp_violations  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

from serving import (PATIENCE, SAMPLES, WORK, Server, build,  # noqa: E402
                     check, finish)

SHARED_URL = ("https://realmoney.thestreet.com/investing/global-equity/"
              "ai-developer-sensetime-pulls-stock-sale-due-to-u-s-sanctions-"
              "15858865")
SHARED_TITLE = "AI Developer SenseTime Pulls Stock Sale Due to U.S. Sanctions"


class Proxy(http.server.ThreadingHTTPServer):
    """A reverse proxy that serves `server` under /news/, as nginx's
    `location /news/ { proxy_pass http://...:8765/; }` with
    X-Forwarded-Prefix (docs/serving.md)."""

    def __init__(self, server):
        self.upstream = server
        super().__init__(("127.0.0.1", 0), ProxyHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


class ProxyHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        if not self.path.startswith("/news/"):
            self.send_error(404)
            return
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "connection")}
        headers["X-Forwarded-Prefix"] = "/news/"
        headers["X-Forwarded-Host"] = self.headers.get("Host", "")
        headers["X-Forwarded-Proto"] = "http"
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.host, up.port, timeout=PATIENCE)
        conn.request("GET", self.path[len("/news"):], headers=headers)
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.send_response(r.status)
        for k, v in r.getheaders():
            if k.lower() not in ("connection", "transfer-encoding",
                                 "content-length", "date", "server"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser left: a page's stream of events

    def log_message(self, *args):
        pass


def head(d):
    """What the page's head says of the app, as the browser read it."""
    return d.execute_script("""
        function attr(sel, name) {
            var e = document.head.querySelector(sel);
            return e ? e.getAttribute(name) : null;
        }
        return {
            search: attr('link[rel="search"]', 'href'),
            search_type: attr('link[rel="search"]', 'type'),
            manifest: attr('link[rel="manifest"]', 'href'),
            themes: Array.prototype.map.call(document.head
                .querySelectorAll('meta[name="theme-color"]'),
                function (m) { return m.content + ' ' + m.media; })
        };""")


def fetched(d, href):
    """(status, content type, text) of `href`, fetched by the page."""
    return d.execute_async_script("""
        var done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(function (r) {
            return r.text().then(function (t) {
                done([r.status, r.headers.get('content-type'), t]);
            });
        }).catch(function (e) { done([0, String(e), '']); });""", href)


def installable(d, what):
    """Chromium's view of the page's manifest and installability."""
    manifest = errors = None
    deadline = time.time() + PATIENCE
    while time.time() < deadline:
        manifest = d.execute_cdp_cmd("Page.getAppManifest", {})
        if manifest.get("url"):
            break
        time.sleep(0.2)
    check(manifest and manifest.get("url") and not manifest.get("errors"),
          "%s: Chromium reads the manifest without an error" % what,
          manifest)
    errors = d.execute_cdp_cmd("Page.getInstallabilityErrors", {})
    check(errors.get("installabilityErrors") == [],
          "%s: Chromium finds the app installable" % what, errors)
    return (manifest or {}).get("manifest") or {}


def shots(d, name):
    os.makedirs(SHOTS, exist_ok=True)
    for scheme in ("light", "dark"):
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": scheme}]})
        d.save_screenshot(os.path.join(SHOTS, "%s-%s.png" % (name, scheme)))
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_head(d, base, what):
    """The head's links, each fetchable; Chromium's view of the app."""
    d.get(base + "search?q=sanctions")
    h = head(d)
    check(h["search"] == "opensearch.xml" and
          h["search_type"] == "application/opensearchdescription+xml",
          "%s: the head links the OpenSearch description" % what, h)
    check(h["manifest"] == "manifest.webmanifest",
          "%s: the head links the manifest" % what, h)
    check(sorted(h["themes"]) == [
        "#1e2125 (prefers-color-scheme: dark)",
        "#f3f5f8 (prefers-color-scheme: light)"],
        "%s: theme colours, light and dark" % what, h["themes"])
    status, kind, text = fetched(d, h["search"] or "opensearch.xml")
    check(status == 200 and kind == "application/opensearchdescription+xml",
          "%s: the description is fetchable" % what, (status, kind))
    templates = {}
    try:
        for url in xml.dom.minidom.parseString(text).getElementsByTagName(
                "Url"):
            templates[url.getAttribute("type")] = url.getAttribute(
                "template")
    except Exception as e:  # noqa: BLE001
        check(False, "%s: the description parses" % what, e)
    check(templates.get("text/html") == base + "search?q={searchTerms}",
          "%s: its search is this address's" % what, templates)
    status, kind, _ = fetched(d, h["manifest"] or "manifest.webmanifest")
    check(status == 200 and kind == "application/manifest+json",
          "%s: the manifest is fetchable" % what, (status, kind))
    m = installable(d, what)
    check(m.get("startUrl") == base and m.get("scope") == base and
          m.get("display") == "kStandalone",
          "%s: the app starts at this address, standalone" % what, m)
    check((m.get("shareTarget") or {}).get("action") == base + "share",
          "%s: shares go to its /share" % what, m.get("shareTarget"))
    icons = [(i.get("url"), i.get("type")) for i in m.get("icons", [])]
    for url, kind in icons:
        status, got, _ = fetched(d, url)
        check(status == 200 and got == kind,
              "%s: icon %s is there" % (what, url), (status, got))


def test_share(d, base, what):
    """A phone shares an article: its page, the article first."""
    d.get(base + "share?" + urllib.parse.urlencode(
        {"title": SHARED_TITLE, "text": "", "url": SHARED_URL}))
    url = urllib.parse.urlsplit(d.current_url)
    q = urllib.parse.parse_qs(url.query).get("q")
    check(d.current_url.startswith(base + "search?") and q == [SHARED_URL],
          "%s: a share becomes the search of its URL" % what, d.current_url)
    titles = [e.text for e in d.find_elements(
        By.CSS_SELECTOR, "ol.hits > li.hit .title")]
    check(titles[:1] == [SHARED_TITLE],
          "%s: the shared article comes first" % what, titles)
    shots(d, "app-share-" + what)


def main():
    db = os.path.join(WORK, "db")
    build(db, SAMPLES)
    server = Server(db)
    proxy = Proxy(server)
    d = browser(True, os.path.join(WORK, "profile"), size="412,900")
    direct = "http://127.0.0.1:%d/" % server.port
    prefixed = "http://127.0.0.1:%d/news/" % proxy.server_address[1]
    try:
        for base, what in ((direct, "direct"), (prefixed, "prefixed")):
            for test in (test_head, test_share):
                try:
                    test(d, base, what)
                except Exception:
                    check(False, "%s: %s raised:\n%s"
                          % (what, test.__name__, traceback.format_exc()))
                violations = csp_violations(d)
                check(not violations, "%s: %s: the policy refused: %r"
                      % (what, test.__name__, violations))
        d.get(prefixed)
        shots(d, "app-home")
    finally:
        d.quit()
        proxy.shutdown()
        check(server.stop() == 0, "the server ends cleanly")
    return finish()


sys.exit(main())
