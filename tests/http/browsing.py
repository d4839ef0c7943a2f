"""What the browser tests of tests/http/ share (page.py, app_browser.py):
Debian's chromium, headless, driven by python3-selenium through
chromium-driver.

Importing it exits with status 77 (meson's skip) when chromium or
chromedriver is not installed, after saying so: the only reason a
browser test is skipped.
"""
import os
import shutil
import sys

from serving import PATIENCE, WORK

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
if not CHROMIUM or not DRIVER:
    print("SKIP: the browser test needs chromium and chromium-driver "
          "(scripts/setup installs them)")
    sys.exit(77)

from selenium import webdriver  # noqa: E402 (after the skip)
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

# Where the screenshots go: BUILD/screenshots/.
SHOTS = os.path.join(os.environ.get("MESON_BUILD_ROOT", WORK),
                     "screenshots")


def browser(javascript, profile, font_size=None, size="1280,900"):
    """Headless chromium, with JavaScript on or off, its console kept,
    the reader's default text size in pixels (16 unless `font_size`) and
    a window of `size`."""
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--window-size=" + size,
                "--user-data-dir=" + profile, "--lang=en-US",
                "--no-first-run", "--disable-extensions",
                "--disable-background-networking", "--hide-scrollbars"):
        options.add_argument(arg)
    prefs = {}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    if font_size:
        prefs["webkit.webprefs.default_font_size"] = font_size
    if prefs:
        options.add_experimental_option("prefs", prefs)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(PATIENCE)
    return driver


def csp_violations(driver):
    """Console messages of the policy's refusals since last asked."""
    return [e["message"] for e in driver.get_log("browser")
            if "Content Security Policy" in e["message"]
            or "Content-Security-Policy" in e["message"]]
