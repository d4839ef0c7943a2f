#!/usr/bin/python3
"""The search page in a real browser: Debian's chromium, headless,
driven by python3-selenium through chromium-driver (docs/serving.md).

Builds an index of the samples and tests/fixtures/page/ with the real
newsindex, starts `newsquery --serve` on a free loopback port
(serving.py), and with JavaScript on and then off: loads the page,
types a query (completed from /api/suggest, with JavaScript) and
submits it, opens a facet, goes to page 2, follows
"did you mean", opens "+2 similar", sees a hostile article's fields as
text (no alert, no element made from them, no link to javascript: or
data:), and the pages for no results, for a query without words, for
a bad date; words wider than a phone that must break, and an Arabic
article that must read right to left.  With JavaScript on, also the keys (j, k, arrows, /) and
search as you type, and new articles: with the page open, an article
built into the index is offered ("1 new article · Show") without the
results moving, and shown when asked; a hidden page closes its stream
and, visible again, offers what came meanwhile.  No page may break the
Content-Security-Policy (the browser's console says when one does).  Screenshots, light and
dark, go to BUILD/screenshots/ (MESON_BUILD_ROOT).

Run by Debian's /usr/bin/python3, which has python3-selenium.  Exit
status 77 (meson's skip) only when chromium or chromedriver is not
installed; anything else wrong is a failure.
"""
import functools
import http.server
import os
import re
import sys
import threading
import time
import traceback
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from browsing import SHOTS, browser, csp_violations  # noqa: E402
from selenium.common.exceptions import (  # noqa: E402
    NoAlertPresentException, TimeoutException)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from serving import (FIXTURES, PATIENCE, SAMPLES, WORK, Server,  # noqa: E402
                     build, check, finish)


class Page:
    """One browser on the server: what each check does with it."""

    def __init__(self, driver, base, javascript):
        self.d = driver
        self.base = base
        self.js = javascript
        self.mode = "js" if javascript else "nojs"

    def where(self):
        """The current URL's path and parameters."""
        url = urllib.parse.urlsplit(self.d.current_url)
        return url.path, urllib.parse.parse_qs(url.query)

    def wait_for(self, condition, what):
        try:
            WebDriverWait(self.d, PATIENCE).until(lambda d: condition())
            return True
        except TimeoutException:
            return check(False, "%s: timed out waiting for %s"
                         % (self.mode, what))

    def load(self, path):
        self.d.get(self.base + path)
        self.no_alert(path)

    def no_alert(self, what):
        try:
            alert = self.d.switch_to.alert
            text = alert.text
            alert.dismiss()
            check(False, "%s: an alert ran (%r) at %s"
                  % (self.mode, text, what))
        except NoAlertPresentException:
            pass

    def follow(self, link, what):
        """Click `link` and wait for the next page."""
        old = self.d.find_element(By.TAG_NAME, "html")
        link.click()
        self.wait_for(lambda: self.stale(old), what + " to load")
        self.no_alert(what)

    @staticmethod
    def stale(element):
        try:
            element.tag_name
            return False
        except Exception:
            return True

    def hits(self):
        return self.d.find_elements(By.CSS_SELECTOR, "ol.hits > li.hit")

    def titles(self):
        return [h.find_element(By.CSS_SELECTOR, ".title").text
                for h in self.hits()]

    def shot(self, name, dark=False):
        """A screenshot, in the light scheme and, if asked, the dark."""
        os.makedirs(SHOTS, exist_ok=True)
        self.d.save_screenshot(os.path.join(SHOTS, "%s-%s.png"
                                            % (name, self.mode)))
        if dark:
            self.scheme("dark")
            self.d.save_screenshot(os.path.join(SHOTS, "%s-%s-dark.png"
                                                % (name, self.mode)))
            self.scheme("light")

    def scheme(self, which):
        """prefers-color-scheme, as the browser tells the page."""
        self.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme",
                          "value": which}]})

    def csp_violations(self):
        """Console messages of the policy's refusals since last asked."""
        return csp_violations(self.d)


def test_home_and_submit(p):
    p.load("/")
    check(p.d.title == "newsindex", "%s: home title %r"
          % (p.mode, p.d.title))
    box = p.d.find_element(By.ID, "q")
    label = p.d.find_element(By.CSS_SELECTOR, "label[for=q]")
    check(label.text == "Search the news", "%s: the box's label" % p.mode)
    # The script adds the box's completion list: proof it ran, or not.
    lists = p.d.find_elements(By.ID, "q-completions")
    check(bool(lists) == p.js, "%s: the script ran: %s"
          % (p.mode, bool(lists)))
    # The keys are told only where they work: with the script, and not
    # on a touch screen.
    footer = p.d.find_element(By.CSS_SELECTOR, "footer.bottom")
    check(footer.is_displayed() == p.js, "%s: the keys told: %s"
          % (p.mode, footer.is_displayed()))
    if p.js:
        p.d.execute_cdp_cmd("Emulation.setTouchEmulationEnabled",
                            {"enabled": True, "maxTouchPoints": 5})
        p.d.execute_cdp_cmd("Emulation.setEmitTouchEventsForMouse",
                            {"enabled": True})
        try:
            p.load("/")
            check(not p.d.find_element(By.CSS_SELECTOR,
                                       "footer.bottom").is_displayed(),
                  "js: the keys told on a touch screen")
        finally:
            p.d.execute_cdp_cmd("Emulation.setEmitTouchEventsForMouse",
                                {"enabled": False})
            p.d.execute_cdp_cmd("Emulation.setTouchEmulationEnabled",
                                {"enabled": False})
            p.load("/")
        box = p.d.find_element(By.ID, "q")
    p.shot("home", dark=True)
    if p.js:
        # The last word completed from /api/suggest, in the box's list.
        box.send_keys("sanct")
        p.wait_for(lambda: [o for o in p.d.find_elements(
            By.CSS_SELECTOR, "#q-completions option")
            if o.get_attribute("value") == "sanctions"],
            "the completion of 'sanct'")
        box.send_keys("ions")
    else:
        box.send_keys("sanctions")
    if p.js:
        # Search as you type: the results come before any submit.
        p.wait_for(lambda: p.hits(), "results as you type")
        path, params = p.where()
        check(path == "/search" and params.get("q") == ["sanctions"],
              "%s: the URL follows the box: %s %s"
              % (p.mode, path, params))
        # A screen reader hears the count, from a live region that was
        # on the page before the results came; not the time taken.
        told = p.d.find_elements(By.CSS_SELECTOR, "body > #told"
                                 "[role=status][aria-live=polite]")
        summary = p.d.find_element(By.CSS_SELECTOR, ".summary")
        time_taken = summary.find_element(By.CSS_SELECTOR, ".time")
        check(told and p.d.execute_script(
            "return arguments[0].textContent", told[0]) ==
            summary.get_attribute("textContent").replace(
                time_taken.get_attribute("textContent"), "").strip(),
            "%s: the new results are told: %r" % (
                p.mode, told and told[0].get_attribute("textContent")))
        # The head links the new results' feed, for a reader that
        # finds a page's feeds (there was none on the home page).
        feeds = p.d.find_elements(By.CSS_SELECTOR, 'head link[rel='
                                  'alternate][type="application/atom+xml"]')
        check(len(feeds) == 1 and feeds[0].get_attribute("href").endswith(
            "/feed?q=sanctions"), "%s: the head links the feed of the "
              "results typed" % p.mode,
              [f.get_attribute("href") for f in feeds])
    old = p.d.find_element(By.TAG_NAME, "html")
    box.send_keys(Keys.ENTER)
    p.wait_for(lambda: p.stale(old), "the results to load")
    path, params = p.where()
    check(path == "/search" and params.get("q") == ["sanctions"],
          "%s: submitted to %s %s" % (p.mode, path, params))
    hits = p.hits()
    check(len(hits) >= 3, "%s: %d hits for sanctions"
          % (p.mode, len(hits)))
    marks = p.d.find_elements(By.CSS_SELECTOR, ".snippet mark")
    check(any(m.text.lower().startswith("sanction") for m in marks),
          "%s: matched words are marked: %r"
          % (p.mode, [m.text for m in marks]))
    check(p.d.find_element(By.ID, "q").get_attribute("value") ==
          "sanctions", "%s: the box keeps the query" % p.mode)
    p.shot("results", dark=True)


def test_facet(p):
    p.load("/search?q=sanctions")
    total = p.d.find_element(By.CSS_SELECTOR, ".summary").text
    link = p.d.find_element(By.CSS_SELECTOR,
                            ".facets section:first-child li a")
    value = link.text
    p.follow(link, "a facet")
    path, params = p.where()
    check(params.get("q") == ['sanctions topic:"%s"' % value],
          "%s: the facet adds its filter: %s" % (p.mode, params))
    chosen = p.d.find_elements(By.CSS_SELECTOR, ".facets .chosen")
    check([c.text for c in chosen] == [value],
          "%s: the facet is shown chosen: %r"
          % (p.mode, [c.text for c in chosen]))
    check(p.d.find_element(By.CSS_SELECTOR, ".summary").text != total,
          "%s: the filter changes the count: %s" % (p.mode, total))


def test_page_two(p):
    p.load("/search?q=the")
    first = p.titles()
    check(len(first) == 10, "%s: a first page of 10: %d"
          % (p.mode, len(first)))
    p.follow(p.d.find_element(By.CSS_SELECTOR, "a[rel=next]"), "page 2")
    path, params = p.where()
    check(params.get("offset") == ["10"], "%s: page 2 is offset 10: %s"
          % (p.mode, params))
    start = p.d.find_element(By.CSS_SELECTOR, "ol.hits")
    check(start.get_attribute("start") == "11", "%s: numbered from 11"
          % p.mode)
    second = p.titles()
    check(second and not set(second) & set(first),
          "%s: page 2 has other results" % p.mode)
    p.shot("page2")
    p.follow(p.d.find_element(By.CSS_SELECTOR, "a[rel=prev]"), "page 1")
    check(p.titles() == first, "%s: previous goes back" % p.mode)


def test_did_you_mean(p):
    p.load("/search?q=sanctoins")
    check(p.d.find_elements(By.CSS_SELECTOR, ".empty"),
          "%s: no results for the misspelling" % p.mode)
    p.shot("no-results")
    link = p.d.find_element(By.CSS_SELECTOR, ".suggestion a")
    check(link.text == "sanctions", "%s: did you mean %r"
          % (p.mode, link.text))
    p.follow(link, "did you mean")
    path, params = p.where()
    check(params.get("q") == ["sanctions"] and p.hits(),
          "%s: the suggestion's results: %s" % (p.mode, params))


def test_similar(p):
    p.load("/search?q=quokka")
    check(len(p.hits()) == 1, "%s: one story for quokka" % p.mode)
    link = p.d.find_element(By.CSS_SELECTOR, "a.similar")
    check(link.text == "+2 similar", "%s: %r" % (p.mode, link.text))
    p.follow(link, "+2 similar")
    titles = p.titles()
    check(titles == ["Quokka census finds island population doubled"] * 3,
          "%s: the copies: %r" % (p.mode, titles))
    providers = sorted(e.text for e in p.d.find_elements(
        By.CSS_SELECTOR, ".hit .provider"))
    check(providers == ["AP", "Reuters", "Yahoo"], "%s: copies from %r"
          % (p.mode, providers))


def test_hostile(p):
    p.load("/search?q=zebrafish")
    titles = p.titles()
    check(len(titles) == 2, "%s: two zebrafish articles" % p.mode)
    check("<script>alert('title')</script> Zebrafish headline "
          "<img src=x onerror=alert('title-img')>" in titles,
          "%s: the hostile title is text: %r" % (p.mode, titles))
    check("Zebrafish data link \"><script>alert('attr')</script>"
          in titles, "%s: the quoting title is text" % p.mode)
    scripts = [s.get_attribute("src") for s in
               p.d.find_elements(By.TAG_NAME, "script")]
    check(len(scripts) == 1 and "/assets/page.js" in scripts[0],
          "%s: no script but the page's: %r" % (p.mode, scripts))
    check(not p.d.find_elements(By.CSS_SELECTOR, "main img, main svg"),
          "%s: no element made from a field" % p.mode)
    hrefs = [a.get_attribute("href") or "" for a in
             p.d.find_elements(By.TAG_NAME, "a")]
    check(not [h for h in hrefs if re.match(r"(?i)\s*(javascript|data|"
                                             r"vbscript):", h)],
          "%s: a link to javascript: or data:" % p.mode)
    unsafe = [e.text for e in p.d.find_elements(By.CSS_SELECTOR,
                                                ".url.unsafe")]
    check("javascript:alert('url')" in unsafe,
          "%s: the javascript: URL shown as text: %r" % (p.mode, unsafe))
    providers = [e.text for e in p.d.find_elements(By.CSS_SELECTOR,
                                                   ".provider")]
    check("<img src=x onerror=alert('provider')>" in providers,
          "%s: the provider is text" % p.mode)
    snippet = p.d.find_elements(By.CSS_SELECTOR, ".snippet")
    check(any("<b>bold</b>" in s.text for s in snippet),
          "%s: the excerpt is text" % p.mode)
    check(p.d.title == "zebrafish · newsindex", "%s: title %r"
          % (p.mode, p.d.title))
    # Nothing ran: an alert would still be open, and would have changed
    # nothing else the page can see.
    time.sleep(0.5)
    p.no_alert("the hostile page")
    p.shot("hostile")
    # The query echoed: a hostile query is text in the box and title.
    q = "\"><script>alert('q')</script>"
    p.load("/search?q=" + urllib.parse.quote(q))
    check(p.d.find_element(By.ID, "q").get_attribute("value") == q,
          "%s: the hostile query is the box's value" % p.mode)
    check(len(p.d.find_elements(By.TAG_NAME, "script")) == 1,
          "%s: the query made no script" % p.mode)


def test_problems(p):
    p.load("/search?q=" + urllib.parse.quote("( ?!"))
    problem = p.d.find_elements(By.CSS_SELECTOR, ".problem")
    check(problem, "%s: a page for a query without words" % p.mode)
    if problem:
        check("column" in problem[0].text.lower() or
              problem[0].text, "%s: the problem says what" % p.mode)
    p.shot("problem")
    p.load("/search?q=" + urllib.parse.quote('"sanctions china'))
    notes = p.d.find_elements(By.CSS_SELECTOR, ".notice")
    check(notes and "searched as words" in notes[0].text,
          "%s: an unclosed quote is searched as words, with a note"
          % p.mode)
    where = p.d.find_elements(By.CSS_SELECTOR, ".where")
    check(where and where[0].text == "At column 1:",
          "%s: the caret's column: %r"
          % (p.mode, where[0].text if where else None))
    p.load("/search?q=zzqxvw")
    check(p.d.find_elements(By.CSS_SELECTOR, ".empty h1"),
          "%s: a page for no results" % p.mode)
    p.load("/search?q=ai&to=2021-13-01")
    check("is not a date" in p.d.find_element(By.TAG_NAME, "main").text,
          "%s: a bad date says so" % p.mode)


def test_long_paste(p):
    """A whole article pasted into the box is cut where the address the
    browser sends still fits (1,500 characters), and searched; an address
    longer still, typed or linked, is a page that says so, not JSON."""
    p.load("/")
    box = p.d.find_element(By.ID, "q")
    # 1,600 CJK characters: 9 bytes each in the address, the worst case.
    box.send_keys("\u77f3\u6cb9" * 800)
    check(len(box.get_attribute("value")) == 1500,
          "%s: a long paste is cut at 1,500 characters: %d"
          % (p.mode, len(box.get_attribute("value"))))
    box.send_keys(Keys.ENTER)
    WebDriverWait(p.d, 10).until(
        lambda d: "/search?" in d.current_url)
    check(not p.d.find_elements(By.CSS_SELECTOR, ".problem") and
          "q=" in p.d.current_url,
          "%s: and searched: %s" % (p.mode, p.d.current_url[:80]))
    p.load("/search?q=" + "oil+" * 5000)
    main = p.d.find_element(By.TAG_NAME, "main").text
    check("Query too long" in main and "1500 characters" in main,
          "%s: a longer address is a page that says so: %r"
          % (p.mode, main[:200]))
    check(p.d.find_elements(By.ID, "q"),
          "%s: with a search box" % p.mode)


def test_date_range_and_sort(p):
    p.load("/search?q=sanctions&from=2021-12-01&to=2021-12-31&sort=date")
    dates = [e.get_attribute("datetime") for e in
             p.d.find_elements(By.CSS_SELECTOR, ".hit time")]
    check(dates and all(d.startswith("2021-12") for d in dates),
          "%s: the range keeps December 2021: %r" % (p.mode, dates))
    check(dates == sorted(dates, reverse=True), "%s: newest first: %r"
          % (p.mode, dates))
    check(p.d.find_element(By.NAME, "from").get_attribute("value") ==
          "2021-12-01", "%s: the range stays in the form" % p.mode)
    p.shot("options")


# The elements of user text that must fit their box: the URL line is
# cut with an ellipsis by design, so it is not among them.
OVERFLOWING = """
return Array.prototype.filter.call(document.querySelectorAll(
    '.hit .title, .hit .meta, .hit .snippet, .facets li, .summary, ' +
    'main h1:not(.visually-hidden)'),
  function (e) { return e.scrollWidth > e.clientWidth + 1; })
  .map(function (e) { return e.className || e.tagName; });
"""


def test_long_words_fit(p):
    """A word wider than the column (a provider, a topic, a title)
    breaks: nothing runs off a phone's screen, or under the facets on a
    desktop."""
    for width, height, mobile in ((390, 844, True), (1280, 900, False)):
        p.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": mobile})
        try:
            p.load("/search?q=wombat")
            check(len(p.hits()) == 2, "%s %d: two wombat articles: %r"
                  % (p.mode, width, p.titles()))
            wide = p.d.execute_script(
                "return document.documentElement.scrollWidth;")
            check(wide <= width, "%s %d: the page is %d pixels wide"
                  % (p.mode, width, wide))
            over = p.d.execute_script(OVERFLOWING)
            check(not over, "%s %d: text runs out of its box: %r"
                  % (p.mode, width, over))
            p.shot("long-words-%d" % width)
        finally:
            p.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_phone_pages(p):
    """On a phone, where the facets come under the results, the next
    page is right after the results, not after every facet."""
    p.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 390, "height": 844, "deviceScaleFactor": 1,
        "mobile": True})
    try:
        p.load("/search?q=the")
        last = p.hits()[-1].rect
        pages = p.d.find_element(By.CSS_SELECTOR, "nav.pages").rect
        facets = p.d.find_element(By.CSS_SELECTOR, "nav.facets").rect
        check(last["y"] < pages["y"] < facets["y"],
              "%s: on a phone, the pages between the results and the "
              "facets: %r %r %r" % (p.mode, last, pages, facets))
        p.shot("phone-pages")
    finally:
        p.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_right_to_left(p):
    """An Arabic article reads right to left, and its provider and topic
    keep their place among the left-to-right text around them."""
    p.load("/search?q=wombat")
    hit = [h for h in p.hits() if h.find_elements(
        By.CSS_SELECTOR, "a[href$='/wombat/arabic']")]
    check(len(hit) == 1, "%s: the Arabic article is found" % p.mode)
    if not hit:
        return
    direction = {}
    for part in (".title", ".snippet", ".provider"):
        element = hit[0].find_element(By.CSS_SELECTOR, part)
        direction[part] = element.value_of_css_property("direction")
    check(set(direction.values()) == {"rtl"},
          "%s: the Arabic title, snippet and provider read right to "
          "left: %r" % (p.mode, direction))
    provider = hit[0].find_element(By.CSS_SELECTOR, ".provider").rect
    date = hit[0].find_element(By.CSS_SELECTOR, ".meta time").rect
    check(provider["x"] + provider["width"] <= date["x"],
          "%s: the date follows the Arabic provider, to its right: %r %r"
          % (p.mode, provider, date))
    topic = [li for li in p.d.find_elements(By.CSS_SELECTOR, ".facets li")
             if "\u0627\u0642\u062a\u0635\u0627\u062f" in li.text]
    check(len(topic) == 1, "%s: the Arabic topic is a facet" % p.mode)
    if topic:
        name = topic[0].find_element(By.CSS_SELECTOR, "a").rect
        count = topic[0].find_element(By.CSS_SELECTOR, ".count").rect
        check(name["x"] + name["width"] <= count["x"],
              "%s: the count follows the Arabic topic, to its right: "
              "%r %r" % (p.mode, name, count))
    p.load("/search?q=" + urllib.parse.quote("\u0627\u0644\u0646\u0641\u0637"))
    box = p.d.find_element(By.ID, "q")
    check(box.value_of_css_property("direction") == "rtl",
          "%s: an Arabic query reads right to left in the box" % p.mode)
    p.shot("right-to-left")


def test_composing(p):
    """An input method composing (pinyin, kana, hangul) is not searched
    for its letters; its text is, once it ends: with JavaScript only."""
    p.load("/")
    type_in = """
    var box = document.getElementById("q");
    box.value = arguments[0];
    box.dispatchEvent(arguments[1] ? new InputEvent("input",
        {isComposing: true, bubbles: true})
        : new CompositionEvent("compositionend", {data: arguments[0]}));
    """
    p.d.execute_script(type_in, "sanctions", True)
    time.sleep(1.5)  # six times the page's wait after a key
    check(p.where()[0] == "/" and not p.hits(),
          "js: searched while an input method composed: %s"
          % p.d.current_url)
    p.d.execute_script(type_in, "sanctions", False)
    p.wait_for(lambda: p.hits(), "the search once composing ended")
    check(p.where()[1].get("q") == ["sanctions"],
          "js: the composed text is searched: %s" % p.d.current_url)


def test_keys(p):
    """j, k, the arrows and /: with JavaScript only."""
    p.load("/search?q=the")
    body = p.d.find_element(By.TAG_NAME, "body")
    links = p.d.find_elements(By.CSS_SELECTOR, ".hit .title a")
    body.send_keys("j")
    check(p.d.switch_to.active_element == links[0],
          "js: j goes to the first result")
    p.d.switch_to.active_element.send_keys("j")
    check(p.d.switch_to.active_element == links[1],
          "js: j again to the second")
    p.d.switch_to.active_element.send_keys("k")
    check(p.d.switch_to.active_element == links[0], "js: k back")
    p.d.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    check(p.d.switch_to.active_element == links[1],
          "js: the down arrow to the next")
    current = p.d.find_elements(By.CSS_SELECTOR, ".hit.current")
    check(len(current) == 1, "js: one result is marked current")
    p.shot("keys")
    p.d.switch_to.active_element.send_keys("/")
    check(p.d.switch_to.active_element.get_attribute("id") == "q",
          "js: / goes to the box")
    # A page without results (counts and facets only, taller than the
    # window): the down arrow scrolls, as without the script.
    p.load("/search?q=the&limit=0")
    p.d.set_window_size(1280, 300)
    try:
        p.d.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_DOWN)
        time.sleep(0.5)
        check(p.d.execute_script("return window.scrollY") > 0,
              "js: without results, the down arrow scrolls")
    finally:
        p.d.set_window_size(1280, 900)


def run(db, javascript, profile):
    server = Server(db)
    base = "http://%s:%d" % (server.host, server.port)
    driver = browser(javascript, profile)
    p = Page(driver, base, javascript)
    tests = [test_home_and_submit, test_facet, test_page_two,
             test_did_you_mean, test_similar, test_hostile, test_problems,
             test_date_range_and_sort, test_long_words_fit, test_long_paste,
             test_phone_pages, test_right_to_left]
    if javascript:
        tests += [test_keys, test_composing]
    try:
        for test in tests:
            try:
                test(p)
            except Exception:
                check(False, "%s: %s raised:\n%s"
                      % (p.mode, test.__name__, traceback.format_exc()))
            violations = p.csp_violations()
            check(not violations, "%s: %s: the policy refused: %r"
                  % (p.mode, test.__name__, violations))
    finally:
        driver.quit()
        status = server.stop()
        check(status == 0, "%s: the server ended with %s" % (p.mode, status),
              server.log())
    # Without the script, the page asks for no stream of events.
    check(("GET /api/events" in server.log()) == javascript,
          "%s: the page listens to /api/events: %s"
          % (p.mode, "GET /api/events" in server.log()))


def new_article(folder, n):
    """An article about sanctions, newer than any of the samples."""
    path = os.path.join(folder, "new-%d.txt" % n)
    with open(path, "w") as f:
        f.write('---\ntitle: "Fresh sanctions story number %d"\n'
                'webUrl: "https://example.com/fresh/%d"\n'
                'excerpt: "New sanctions announced, number %d."\n'
                'publishedDateTime: 2030-01-0%dT00:00:00Z\n---\n'
                % (n, n, n, n))
    return "Fresh sanctions story number %d" % n


def offered(p):
    """The text of the offer of new articles, or None."""
    bars = p.d.find_elements(By.CSS_SELECTOR, "#main .fresh")
    return bars[0].find_element(By.TAG_NAME, "span").text if bars else None


def titles_now(p):
    """The titles of the results, read at once (the page may replace
    its results between two reads of selenium's)."""
    return p.d.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll("
        "'ol.hits > li.hit .title'), function (e) { return e.textContent; "
        "});")


def hide(p, hidden):
    """The page hidden (a tab in the background) or shown again."""
    p.d.execute_script("""
        Object.defineProperty(document, "hidden", {value: arguments[0],
                              configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
        """, hidden)


def live(profile):
    """New articles: offered as they are built, shown when asked; a
    hidden page listens to nothing."""
    db = os.path.join(WORK, "live-db")
    src = os.path.join(WORK, "live-src")
    os.makedirs(src)
    build(db, SAMPLES, src)
    server = Server(db)
    base = "http://%s:%d" % (server.host, server.port)
    driver = browser(True, profile)
    p = Page(driver, base, True)
    try:
        p.load("/search?q=sanctions&sort=date")
        main = p.d.find_element(By.ID, "main")
        check(main.get_attribute("data-live") ==
              "api/search?q=sanctions&sort=date&facets=" and
              main.get_attribute("data-revision"),
              "live: <main> says the page's search and revision: %r %r"
              % (main.get_attribute("data-live"),
                 main.get_attribute("data-revision")))
        before = titles_now(p)
        title = new_article(src, 1)
        build(db, SAMPLES, src)
        p.wait_for(lambda: offered(p), "the offer of a new article")
        check(offered(p) == "1 new article", "live: offered: %r"
              % offered(p))
        told = p.d.execute_script(
            "return document.getElementById('told').textContent")
        check(told == "1 new article", "live: the offer is told: %r" % told)
        check(titles_now(p) == before, "live: the results did not move")
        p.shot("new-articles", dark=True)
        for width, mobile in ((390, True),):
            p.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": 844, "deviceScaleFactor": 1,
                "mobile": mobile})
            p.shot("new-articles-%d" % width, dark=True)
            p.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        p.d.find_element(By.CSS_SELECTOR, "#main .fresh button").click()
        p.wait_for(lambda: title in titles_now(p), "the new article shown")
        new = p.d.execute_script(
            "return Array.prototype.map.call(document.querySelectorAll("
            "'.hit.new .title'), function (e) { return e.textContent; });")
        check(new == [title] and titles_now(p)[0] == title,
              "live: shown first, marked new: %r %r" % (new, titles_now(p)))
        check(offered(p) is None, "live: the offer is gone once shown")
        p.shot("new-shown")
        # Hidden, the page closes its stream: its line is logged.
        hide(p, True)
        p.wait_for(lambda: server.log().count("GET /api/events") == 1,
                   "the stream closed while hidden")
        title = new_article(src, 2)
        build(db, SAMPLES, src)
        time.sleep(1)
        check(offered(p) is None, "live: a hidden page was told nothing")
        hide(p, False)
        p.wait_for(lambda: offered(p) == "1 new article",
                   "the offer once visible again")
    except Exception:
        check(False, "live raised:\n%s" % traceback.format_exc())
    finally:
        violations = p.csp_violations()
        check(not violations, "live: the policy refused: %r" % violations)
        driver.quit()
        server.stop()


# In a page of another origin: fetch the API, say what came.
FETCH = """
var done = arguments[arguments.length - 1];
fetch(arguments[0], {headers: arguments[1]})
  .then(function (r) { return r.json().then(function (j) {
      done(r.status + " " + j.version); }); })
  .catch(function (e) { done("refused: " + e); });
"""


def cross_origin(db, profile):
    """A web app on another origin calls the API, as a browser does it:
    refused by default; with --allow-origin, the app's origin reads it,
    a request with a header of its own too (after a preflight)."""
    app_dir = os.path.join(WORK, "app")
    os.makedirs(app_dir, exist_ok=True)
    with open(os.path.join(app_dir, "index.html"), "w") as f:
        f.write("<!DOCTYPE html><title>an app</title>\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler,
                                directory=app_dir)
    handler.log_message = lambda *args: None
    app = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=app.serve_forever, daemon=True).start()
    origin = "http://127.0.0.1:%d" % app.server_address[1]
    driver = browser(True, profile)
    try:
        for options, allowed in (((), False),
                                 (("--allow-origin", origin), True)):
            server = Server(db, *options)
            api = "http://%s:%d/api/search?q=sanctions&limit=1" % (
                server.host, server.port)
            driver.get(origin + "/")
            for headers in ({}, {"X-App-Version": "1"}):
                got = driver.execute_async_script(FETCH, api, headers)
                want = "200 1" if allowed else "refused: TypeError"
                check(got.startswith(want), "another origin %s, headers "
                      "%r: %r" % ("allowed" if allowed else "by default",
                                  headers, got))
            server.stop()
    finally:
        driver.quit()
        app.shutdown()
        app.server_close()


def readme_shot(db, profile):
    """BUILD/screenshots/readme.png, for the README (docs/img/): the
    page on a desktop, light, beside it on a phone, dark; no thumbnails,
    as this machine cannot fetch them."""
    server = Server(db, "--no-thumbnails")
    base = "http://%s:%d" % (server.host, server.port)
    driver = browser(True, profile)
    p = Page(driver, base, True)
    parts = (("desktop", 960, 600, False, "light"),
             ("phone", 360, 600, True, "dark"))
    try:
        for name, width, height, mobile, scheme in parts:
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": 1,
                "mobile": mobile})
            p.scheme(scheme)
            p.load("/search?q=" + urllib.parse.quote("sanctions china"))
            driver.save_screenshot(os.path.join(SHOTS, "readme-%s.png"
                                                % name))
        # The two side by side: a page of this folder's, no server's.
        gap = 16
        width = sum(part[1] for part in parts) + gap * 3
        height = parts[0][2] + gap * 2
        with open(os.path.join(SHOTS, "readme.html"), "w") as f:
            f.write("<!DOCTYPE html><html><body style=\"margin:0;"
                    "padding:%dpx;display:flex;gap:%dpx;"
                    "background:#c9ced6\">" % (gap, gap))
            for name, w, h, _, _ in parts:
                f.write("<img src=\"readme-%s.png\" width=\"%d\" "
                        "height=\"%d\" style=\"border-radius:8px;"
                        "box-shadow:0 2px 8px #0004\">" % (name, w, h))
            f.write("</body></html>\n")
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1,
            "mobile": False})
        driver.get("file://" + os.path.join(SHOTS, "readme.html"))
        driver.save_screenshot(os.path.join(SHOTS, "readme.png"))
    finally:
        driver.quit()
        server.stop()


def main():
    db = os.path.join(WORK, "db")
    build(db, SAMPLES, os.path.join(FIXTURES, "page"))
    for javascript in (True, False):
        run(db, javascript, os.path.join(WORK, "profile-%d" % javascript))
    live(os.path.join(WORK, "profile-live"))
    cross_origin(db, os.path.join(WORK, "profile-app"))
    readme_shot(db, os.path.join(WORK, "profile-readme"))
    print("screenshots in " + SHOTS)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
