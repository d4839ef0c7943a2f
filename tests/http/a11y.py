#!/usr/bin/python3
"""The search page for those who read it on a phone, with large text,
with the keys alone, with a screen reader, in a dark or a forced-colours
scheme (docs/serving.md, "Accessibility"), in Debian's chromium,
headless, as page.py drives it.

On an index of the samples, tests/fixtures/page/ and
tests/fixtures/a11y/ (a title that is one long URL, Hebrew, Japanese),
each of the pages (home, results, a second page, no results, a query
that cannot be read, a bad setting, no such page):
  - reflow: nothing wider than a 320 px screen (WCAG 1.4.10), with the
    browser's default text size and with twice it, which the page's
    text follows; the search box keeps room for the query, and the
    skip link stays out of sight until it has the focus;
  - contrast: every text's colour on what is behind it, as the browser
    computed them, at least 4.5:1 in the light and the dark scheme
    (1.4.3); the colours of page.css that no page shows by itself (a
    visited link, the focus ring) checked from the file;
  - the keys: the skip link first, every stop with a visible ring of
    3:1 on what is around it (2.4.7, 1.4.11);
  - what a screen reader is told (the browser's accessibility tree):
    every control and link has a name, one h1, the landmarks, the
    page's language; a field whose value is wrong said to be;
  - touch targets: 24 by 24 CSS pixels, or as far from the others
    (2.5.8);
  - Escape leaves the search box with its text; the keys of one
    letter can be turned off, and stay off;
  - in forced colours, the result the keys are on is still marked;
  - the offer of new articles stays in sight as the reader scrolls,
    but does not cover a short screen with its large text.
Screenshots go to BUILD/screenshots/a11y-*.png.

Exit status 77 (meson's skip) only when chromium or chromedriver is not
installed; anything else wrong is a failure.
"""
import os
import re
import sys
import traceback
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from page import (SHOTS, Page, browser,  # noqa: E402 (skips without
                  new_article, offered)  # chromium)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from serving import (FIXTURES, SAMPLES, WORK, Server, build,  # noqa: E402
                     check, finish)

# Every kind of page the server writes: (name, path).
PAGES = (
    ("home", "/"),
    ("results", "/search?q=numbat"),
    ("facets", "/search?q=the&sort=date-asc"),
    ("page-two", "/search?q=the&offset=10"),
    ("nothing", "/search?q=zzqqxxnothing"),
    ("unreadable", "/search?q=" + urllib.parse.quote('"unclosed OR')),
    ("bad-setting", "/search?q=the&from=2024-13"),
    ("missing", "/no/such/page"),
)

PAGE_CSS = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "..", "query", "assets", "page.css")

# The WCAG contrast ratio of two "rgb(r, g, b)" colours, in the page.
CONTRAST_JS = """
function luminance(colour) {
    var c = colour.match(/[\\d.]+/g).map(Number);
    var l = c.slice(0, 3).map(function (v) {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}
function ratio(a, b) {
    var x = luminance(a), y = luminance(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
/* The first opaque background at or above `e` (the page has no
 * translucent ones but the new articles' shadow). */
function behind(e) {
    for (; e; e = e.parentElement) {
        var c = getComputedStyle(e).backgroundColor;
        var alpha = c.match(/[\\d.]+/g).map(Number)[3];
        if (alpha === undefined || alpha > 0.5)
            return c;
    }
    return getComputedStyle(document.documentElement).backgroundColor;
}
"""

# Each visible text's element whose colour has less than 4.5:1.
LOW_CONTRAST = CONTRAST_JS + """
var low = [], seen = new Set(), text;
var walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while ((text = walk.nextNode())) {
    var e = text.parentElement;
    if (!text.textContent.trim() || seen.has(e))
        continue;
    seen.add(e);
    if (!e.checkVisibility({visibilityProperty: true}) ||
        e.closest(".visually-hidden"))
        continue;
    var r = ratio(getComputedStyle(e).color, behind(e));
    if (r < 4.5)
        low.push([e.tagName + "." + e.className,
                  text.textContent.trim().slice(0, 30), r.toFixed(2)]);
}
return low;
"""

# The focused element's ring: [what, :focus-visible, style, width,
# contrast on what is behind it, its rectangle's top and bottom].
FOCUS_RING = CONTRAST_JS + """
var e = document.activeElement, s = getComputedStyle(e);
var r = e.getBoundingClientRect();
return [e.tagName + " " + (e.textContent || e.name || "").trim().slice(0, 30),
        e.matches(":focus-visible"), s.outlineStyle,
        parseFloat(s.outlineWidth),
        ratio(s.outlineColor, behind(e.parentElement)), r.top, r.bottom];
"""

# Targets smaller than 24 x 24 whose 24 px circle (centred on them)
# meets another target, or another small one's circle: WCAG 2.5.8's
# spacing exception, the way its Understanding document draws it.
CROWDED = """
var targets = [];
document.querySelectorAll("a[href], button, input, select, summary")
    .forEach(function (e) {
        if (e.type !== "hidden" &&
            e.checkVisibility({visibilityProperty: true}))
            targets.push([e, e.getBoundingClientRect()]);
    });
function small(r) { return r.width < 24 || r.height < 24; }
function centre(r) { return [(r.left + r.right) / 2, (r.top + r.bottom) / 2]; }
function away(p, r) {
    return Math.hypot(Math.max(r.left - p[0], 0, p[0] - r.right),
                      Math.max(r.top - p[1], 0, p[1] - r.bottom));
}
var crowded = [];
targets.forEach(function (t) {
    if (!small(t[1]))
        return;
    var c = centre(t[1]);
    targets.forEach(function (u) {
        if (u === t || u[0].contains(t[0]) || t[0].contains(u[0]))
            return;
        var d = centre(u[1]);
        if (away(c, u[1]) < 12 ||
            (small(u[1]) && Math.hypot(c[0] - d[0], c[1] - d[1]) < 24))
            crowded.push([t[0].textContent.trim().slice(0, 20),
                          u[0].textContent.trim().slice(0, 20)]);
    });
});
return crowded;
"""


def phone(p, width=320, height=640):
    p.d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1,
        "mobile": True})


def desktop(p):
    p.d.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def load_open(p, path):
    """The page at `path`, every <details> of it open (the options, a
    facet's more values): what it hides is checked too."""
    p.load(path)
    p.d.execute_script("document.querySelectorAll('details')"
                       ".forEach(function (d) { d.open = true; });")


def test_reflow(p, large):
    """Nothing wider than 320 px, at the browser's text size (16 px,
    or `large`: 32 px); the page's text follows that size."""
    size = 32 if large else 16
    what = "%d px text" % size
    phone(p)
    try:
        for name, path in PAGES:
            p.load(path)
            wide = p.d.execute_script(
                "return [document.documentElement.scrollWidth, "
                "document.documentElement.clientWidth];")
            check(wide[0] <= wide[1], "%s, 320 px, %s: the page is %d "
                  "pixels wide" % (what, name, wide[0]))
            skip = p.d.find_element(By.CSS_SELECTOR, ".skip").rect
            check(skip["y"] + skip["height"] <= 0, "%s, %s: the skip link "
                  "shows before it has the focus: %r" % (what, name, skip))
            box = p.d.find_element(By.ID, "q").rect["width"]
            form = p.d.find_element(By.CSS_SELECTOR, "form.search")
            check(box >= form.rect["width"] / 2, "%s, %s: the search box "
                  "is squeezed to %d of %d pixels"
                  % (what, name, box, form.rect["width"]))
            if name == "results":
                got = p.d.execute_script(
                    "return [getComputedStyle(document.body).fontSize, "
                    "getComputedStyle(document.querySelector("
                    "'.snippet')).fontSize];")
                check(got == ["%dpx" % size] * 2, "%s: the text is not of "
                      "the reader's size: body, snippet: %r" % (what, got))
            # The title has the column, not the thumbnail beside it.
            narrow = p.d.execute_script(
                "return Array.prototype.filter.call(document."
                "querySelectorAll('.hit'), function (hit) { return hit."
                "querySelector('.title').offsetWidth < hit.clientWidth * "
                "0.6; }).length;")
            check(not narrow, "%s, %s: %d titles squeezed beside a "
                  "thumbnail" % (what, name, narrow))
            if name in ("results", "facets"):
                p.shot("a11y-320-%s-%d" % (name, size), dark=True)
    finally:
        desktop(p)


def css_colours():
    """page.css's colours: {"light": {name: hex}, "dark": {...}}."""
    with open(PAGE_CSS) as f:
        css = f.read()
    dark_at = css.index("@media (prefers-color-scheme: dark)")
    found = {}
    for scheme, text in (("light", css[:dark_at]),
                         ("dark", css[dark_at:css.index("}\n}", dark_at)])):
        found[scheme] = dict(re.findall(r"--([a-z-]+):\s*#([0-9a-f]{6})",
                                        text))
    return found


def ratio(a, b):
    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                  for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    x, y = luminance(a), luminance(b)
    return (max(x, y) + 0.05) / (min(x, y) + 0.05)


def test_css_colours(p):
    """Text colours on both backgrounds, 4.5:1; the focus ring and the
    fields' borders on both, 3:1: a visited link's colour, which the
    browser never tells a script, is checked here."""
    del p
    texts = ("fg", "muted", "link", "visited", "bad")
    lines = ("focus", "muted")
    for scheme, colours in css_colours().items():
        check(len(colours) >= 12, "%s: page.css's colours: %r"
              % (scheme, colours))
        pairs = [(t, b, 4.5) for t in texts for b in ("bg", "panel")]
        pairs += [(t, b, 3.0) for t in lines for b in ("bg", "panel")]
        pairs += [("mark-fg", "mark-bg", 4.5), ("bg", "link", 4.5)]
        for fore, back, least in pairs:
            got = ratio(colours.get(fore, "000000"),
                        colours.get(back, "000000"))
            check(got >= least, "%s: --%s on --%s: %.2f:1, less than "
                  "%.1f:1" % (scheme, fore, back, got, least))


def test_contrast(p):
    """Every text, as the browser shows it, in both schemes."""
    try:
        for scheme in ("light", "dark"):
            p.scheme(scheme)
            for name, path in PAGES:
                load_open(p, path)
                low = p.d.execute_script(LOW_CONTRAST)
                check(not low, "%s, %s: text of too little contrast: %r"
                      % (scheme, name, low))
    finally:
        p.scheme("light")


def test_focus(p):
    """Tab from the top: the skip link first, in sight; each stop has a
    ring to see."""
    for scheme in ("light", "dark"):
        p.scheme(scheme)
        p.load("/search?q=numbat")
        body = p.d.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        first = p.d.switch_to.active_element
        check("skip" in (first.get_attribute("class") or ""),
              "%s: the first stop is the skip link: %r"
              % (scheme, first.text))
        stops = 0
        for _ in range(40):
            what, visible, style, width, contrast, top, bottom = \
                p.d.execute_script(FOCUS_RING)
            if what.startswith("BODY"):
                break  # past the last stop
            stops += 1
            check(visible and style != "none" and width >= 2,
                  "%s: no ring on %r: %s %s %s"
                  % (scheme, what, visible, style, width))
            check(contrast >= 3, "%s: the ring on %r is %.2f:1"
                  % (scheme, what, contrast))
            check(bottom > 0 and top < p.d.execute_script(
                "return innerHeight;"), "%s: %r has the focus out of sight"
                  % (scheme, what))
            if stops == 1:
                p.shot("a11y-skip-link-%s" % scheme)
            p.d.switch_to.active_element.send_keys(Keys.TAB)
        check(stops > 15, "%s: %d stops of the keys" % (scheme, stops))
    p.scheme("light")


# Roles a name is owed to (Chrome's accessibility tree).
NAMED_ROLES = {"link", "button", "textbox", "searchbox", "combobox",
               "checkbox", "Date", "image", "img", "DisclosureTriangle"}


def test_names(p):
    """What a screen reader is told: every control and link named, one
    h1, the landmarks, the language."""
    for name, path in PAGES:
        load_open(p, path)
        tree = p.d.execute_cdp_cmd("Accessibility.getFullAXTree", {})
        roles, links, invalid = [], [], []
        for node in tree["nodes"]:
            if node.get("ignored"):
                continue
            role = node.get("role", {}).get("value")
            roles.append(role)
            text = str(node.get("name", {}).get("value", "")).strip()
            if role in NAMED_ROLES:
                check(text, "%s: a %s without a name: %r" % (name, role, node))
            if role == "link":
                links.append(text)
            if any(prop["name"] == "invalid" and
                   prop["value"]["value"] != "false"
                   for prop in node.get("properties", [])):
                invalid.append(text)
        # A field whose value is wrong is said to be (WCAG 3.3.1).
        check(invalid == (["From"] if name == "bad-setting" else []),
              "%s: the fields said to be wrong: %r" % (name, invalid))
        # The pages' links say where they go, without their arrows.
        if name == "page-two":
            check("Previous" in links and "Next" in links, "%s: the "
                  "pages' links: %r" % (name, links[-30:]))
        for landmark in ("banner", "search", "main"):
            check(landmark in roles, "%s: no %s landmark" % (name, landmark))
        h1 = p.d.find_elements(By.TAG_NAME, "h1")
        check(len(h1) == 1, "%s: %d h1" % (name, len(h1)))
        lang = p.d.find_element(By.TAG_NAME, "html").get_attribute("lang")
        check(lang == "en", "%s: the page's language: %r" % (name, lang))
    # An article's own language, on its title and snippet.
    p.load("/search?q=numbat")
    langs = p.d.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll("
        "'.hit .title[lang], .hit .snippet[lang]'), function (e) { "
        "return e.lang; }).sort();")
    check(langs == ["he", "he", "ja", "ja"], "an article's language: %r"
          % langs)


def test_targets(p):
    """Every target 24 by 24 CSS pixels, or as far from the others, on a
    phone and a desktop, the options open."""
    for width, mobile in ((390, True), (1280, False)):
        if mobile:
            phone(p, width, 844)
        try:
            for name, path in PAGES:
                load_open(p, path)
                crowded = p.d.execute_script(CROWDED)
                check(not crowded, "%d px, %s: targets too small and too "
                      "close: %r" % (width, name, crowded[:6]))
        finally:
            desktop(p)


def test_escape(p):
    """Escape leaves the search box, its text kept: the box still says
    what the results are of."""
    p.load("/search?q=numbat")
    box = p.d.find_element(By.ID, "q")
    box.click()
    box.send_keys(Keys.ESCAPE)
    check(p.d.switch_to.active_element != box, "Escape: the box is left")
    check(box.get_attribute("value") == "numbat",
          "Escape: the box keeps its text: %r" % box.get_attribute("value"))


def test_keys_off(p):
    """The keys of one letter can be turned off (WCAG 2.1.4: speech
    input says words, letter by letter), and stay off on the next page
    until turned on."""
    def j_moves():
        p.d.find_element(By.TAG_NAME, "body").send_keys("j")
        return p.d.switch_to.active_element.tag_name == "a" and \
            p.d.execute_script("return Boolean(document.activeElement"
                               ".closest('.hit'));")
    p.load("/search?q=numbat")
    check(j_moves(), "keys: j moves before they are turned off")
    turn = p.d.find_element(By.CSS_SELECTOR, "footer.bottom button.keys")
    check(turn.text == "Turn the keys off", "keys: the button: %r"
          % turn.text)
    turn.click()
    check(turn.text == "Turn the keys on", "keys: the button once "
          "pressed: %r" % turn.text)
    p.load("/search?q=numbat")
    check(not j_moves(), "keys: j moves while they are off")
    p.d.find_element(By.TAG_NAME, "body").send_keys("/")
    check(p.d.switch_to.active_element.get_attribute("id") != "q",
          "keys: / goes to the box while they are off")
    p.shot("a11y-keys-off")
    p.d.find_element(By.CSS_SELECTOR, "footer.bottom button.keys").click()
    p.load("/search?q=numbat")
    check(j_moves(), "keys: j moves once they are on again")


def test_forced_colours(p):
    """In forced colours (no shadows), the result j is on, and a new
    result, are marked by a border."""
    p.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "features": [{"name": "forced-colors", "value": "active"}]})
    try:
        p.load("/search?q=numbat")
        p.d.find_element(By.TAG_NAME, "body").send_keys("j")
        p.d.execute_script("document.querySelectorAll('.hit')[1]"
                           ".classList.add('new');")
        for which in (".hit.current", ".hit.new"):
            style = p.d.execute_script(
                "var s = getComputedStyle(document.querySelector("
                "arguments[0])); return [s.borderLeftStyle, "
                "parseFloat(s.borderLeftWidth)];", which)
            check(style[0] == "solid" and style[1] >= 3, "forced colours: "
                  "%s is not marked: %r" % (which, style))
        p.shot("a11y-forced-colours")
    finally:
        p.d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def test_offer(p, db, src, large):
    """The offer of new articles stays in sight as the reader scrolls,
    but not where its lines of large text on a short screen would cover
    the results and the focus (WCAG 2.4.11)."""
    size = 32 if large else 16
    width, height = (320, 640) if large else (390, 844)
    phone(p, width, height)
    try:
        p.load("/search?q=sanctions&sort=date")
        new_article(src, size)
        build(db, SAMPLES, src)
        p.wait_for(lambda: offered(p), "the offer of a new article")
        # Kept in sight (sticky), it may cover a quarter of the screen.
        p.d.execute_script("window.scrollTo(0, innerHeight * 2);")
        kept, tall, top = p.d.execute_script(
            "var bar = document.querySelector('#main .fresh'); "
            "var r = bar.getBoundingClientRect(); return ["
            "getComputedStyle(bar).position === 'sticky', r.height, "
            "r.top];")
        check(not kept or tall < height / 4, "%d px text: the offer, kept "
              "in sight, covers %d of %d pixels" % (size, tall, height))
        if not large:
            check(kept and top >= 0, "%d px text: the offer is not kept "
                  "in sight: %r" % (size, (kept, top)))
        p.shot("a11y-offer-%d" % size, dark=True)
    finally:
        desktop(p)


def run(db, profile, tests, font_size=None):
    server = Server(db)
    base = "http://%s:%d" % (server.host, server.port)
    driver = browser(True, profile, font_size)
    p = Page(driver, base, True)
    try:
        for test in tests:
            try:
                test(p)
            except Exception:
                check(False, "%s raised:\n%s"
                      % (test.__name__, traceback.format_exc()))
    finally:
        driver.quit()
        status = server.stop()
        check(status == 0, "the server ended with %s" % status, server.log())


def main():
    db = os.path.join(WORK, "db")
    build(db, SAMPLES, os.path.join(FIXTURES, "page"),
          os.path.join(FIXTURES, "a11y"))
    live_db = os.path.join(WORK, "live-db")
    live_src = os.path.join(WORK, "live-src")
    os.makedirs(live_src)
    build(live_db, SAMPLES, live_src)
    run(db, os.path.join(WORK, "profile"),
        [lambda p: test_reflow(p, False), test_css_colours, test_contrast,
         test_focus, test_names, test_targets, test_escape,
         test_keys_off, test_forced_colours])
    run(live_db, os.path.join(WORK, "profile-live"),
        [lambda p: test_offer(p, live_db, live_src, False)])
    run(db, os.path.join(WORK, "profile-large"),
        [lambda p: test_reflow(p, True)], font_size=32)
    run(live_db, os.path.join(WORK, "profile-live-large"),
        [lambda p: test_offer(p, live_db, live_src, True)], font_size=32)
    print("screenshots in " + SHOTS)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
