#!/usr/bin/python3
"""From a file renamed into a watched folder to "1 new article" on a
search page open in a browser (docs/benchmarks.md, bench/README.md).

    bench/live.py [--runs 20] [--query oil] BUILD_DIR ARTICLES

ARTICLES (a folder of article files, /tmp/ag/articles or AG News from
`make-corpus.py`) is copied to $BENCH_DIR/live/src and built; then
`newsindex watch` follows it, `newsquery --serve` serves it, and a
headless chromium (Debian's, through python3-selenium: run by Debian's
/usr/bin/python3) shows `/search?q=QUERY&sort=date`.  Each run loads
the page, waits for its stream of /api/events (1.5 s and a random part
of the server's 200 ms look at the index, so that the runs fall at
every phase of it), writes a new article that matches, newer than
every other, to a hidden name, and renames it into the folder; a
MutationObserver in the page notes the time the offer appears.  It
prints, for each run and then as median, min and max: the time from
the rename to the offer in the DOM, and to the page's search for news
(its /api/search, from the browser's resource timing: about when the
event came), and the batch times watch logged.  The two clocks are the
same machine's.  Never part of `meson test`.
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

# Notes when the offer of new articles first is in the page.
OBSERVE = """
window.__offered = null;
new MutationObserver(function () {
  if (!window.__offered && document.querySelector('#main .fresh'))
    window.__offered = Date.now();
}).observe(document.body, {childList: true, subtree: true});
"""
# When the page sent each of its /api/search, in ms since the epoch.
SEARCHES = """
return performance.getEntriesByType('resource')
  .filter(function (e) { return e.name.indexOf('/api/search') >= 0; })
  .map(function (e) { return performance.timeOrigin + e.startTime; });
"""


def summary(name, values):
    values = sorted(values)
    return "%s: median %.0f ms, min %.0f, max %.0f" % (
        name, statistics.median(values), values[0], values[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--query", default="oil")
    ap.add_argument("build")
    ap.add_argument("articles")
    args = ap.parse_args()
    newsindex = os.path.join(args.build, "indexer", "newsindex")
    newsquery = os.path.join(args.build, "query", "newsquery")
    work = os.path.join(os.environ.get("BENCH_DIR",
                                       "/tmp/newsindex-bench"), "live")
    shutil.rmtree(work, ignore_errors=True)
    src, db = os.path.join(work, "src"), os.path.join(work, "db")
    shutil.copytree(args.articles, src)
    env = dict(os.environ, XDG_CONFIG_HOME=os.path.join(work, "noconf"))
    subprocess.run([newsindex, "build", "--db", db, src], env=env,
                   check=True, capture_output=True)
    watch_log = os.path.join(work, "watch.log")
    watch = subprocess.Popen([newsindex, "watch", "--log", "--db", db, src],
                             env=env, stdout=open(watch_log, "w"),
                             stderr=subprocess.STDOUT)
    server = subprocess.Popen([newsquery, "--db", db, "--serve",
                               "127.0.0.1:0"], env=env,
                              stderr=subprocess.PIPE, text=True)
    where = re.search(r"serving (http://\S+/)", server.stderr.readline())
    options = Options()
    options.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu",
                "--window-size=1200,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")),
                              options=options)
    offers, searches = [], []
    print("load average at the start: %s" % open("/proc/loadavg").read()
          .split(" ", 3)[:3])
    try:
        time.sleep(1)  # watch's first build
        for n in range(args.runs):
            driver.get("%ssearch?q=%s&sort=date" % (where.group(1),
                                                    args.query))
            time.sleep(1.5 + random.random() * 0.2)
            driver.execute_script(OBSERVE)
            hidden = os.path.join(src, ".live-%d.txt.tmp" % n)
            with open(hidden, "w") as f:
                f.write('---\ntitle: "%s news, live run %d"\n'
                        'webUrl: "https://example.com/live/%d/%d"\n'
                        'publishedDateTime: 2099-01-01T00:%02d:00Z\n---\n'
                        % (args.query, n, os.getpid(), n, n % 60))
            renamed = time.time()
            os.rename(hidden, os.path.join(src, "live-%d.txt" % n))
            offered = None
            while time.time() - renamed < 10 and not offered:
                time.sleep(0.005)
                offered = driver.execute_script("return window.__offered")
            sent = driver.execute_script(SEARCHES)
            if not offered:
                print("run %d: no offer within 10 s" % n)
                continue
            offers.append(offered - renamed * 1e3)
            searches.append(sent[-1] - renamed * 1e3 if sent else 0)
            print("run %d: offered %.0f ms after the rename, the page's "
                  "search sent at %.0f ms" % (n, offers[-1], searches[-1]))
    finally:
        driver.quit()
        server.terminate()
        server.wait()
        watch.terminate()
        watch.wait()
    batches = [float(b) * 1e3 for b in re.findall(
        r"^batch of .* in ([0-9.]+) s", open(watch_log).read(), re.M)]
    print("load average at the end: %s" % open("/proc/loadavg").read()
          .split(" ", 3)[:3])
    if offers:
        print("%d runs; %s; %s; %s" % (
            len(offers), summary("offered", offers),
            summary("search sent", searches),
            summary("watch's batches", batches)))
    return 0 if len(offers) == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
