#!/usr/bin/env python3
"""How fresh `newsindex watch` keeps an index (docs/benchmarks.md,
bench/README.md).

    bench/watch.py [--articles N] [--rate R] [--seconds S] BUILD_DIR

On an index of N articles (default 200,000, `make-corpus.py scale N`,
built once and kept in $BENCH_DIR), `newsindex watch` follows the
corpus and an incoming folder.  A writer drops R new article files a
second (default 100) for S seconds (default 60), each written to a
hidden temporary name and renamed into place, as a crawler does.  A
prober asks `newsquery --db DB --format urls 'url:(...)'` for the
articles not yet found, over and over (a pause of 20 ms between
asks): an article's freshness is the time from its rename to the end of
the first newsquery that finds it (so a little more than the truth).
It prints p50, p99 and the slowest freshness, the articles never found
(lost: 10 s after the last rename), the batches watch logged, and the
CPU watch used (user + system, from /proc/PID/stat) while the writer
wrote and while idle (5 s before and after), as a share of one core.

Environment: BENCH_DIR (default /tmp/newsindex-bench), CORPUS_TOOL
(default ../shared/corpus/make-corpus.py beside the repository).  The
incoming folder is emptied at each start (watch's first build deletes
the articles of the last run).  Never part of `meson test`.
"""
import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_seconds(pid):
    """User + system time of process `pid`, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def count_files(folder):
    n = 0
    for _, _, files in os.walk(folder):
        n += sum(name.endswith(".md") or name.endswith(".txt")
                 for name in files)
    return n


def corpus_and_index(bench, articles, newsindex):
    corpus = os.path.join(bench, "scale-%d" % articles)
    tool = os.environ.get("CORPUS_TOOL") or os.path.join(
        HERE, "..", "..", "shared", "corpus", "make-corpus.py")
    if not os.path.isdir(corpus) or count_files(corpus) != articles:
        shutil.rmtree(corpus, ignore_errors=True)
        print("writing %d articles to %s" % (articles, corpus))
        subprocess.run([sys.executable, tool, "scale", str(articles),
                        corpus], check=True, stdout=subprocess.DEVNULL)
    db = os.path.join(bench, "watch-db-%d" % articles)
    if not os.path.isdir(db):
        print("building %s" % db)
        subprocess.run([newsindex, "build", "--db", db, corpus],
                       check=True, stdout=subprocess.DEVNULL)
    return corpus, db


def nearest_rank(values, p):
    values = sorted(values)
    return values[max(0, min(len(values) - 1,
                             int(round(p / 100 * len(values) + 0.5)) - 1))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=200000)
    ap.add_argument("--rate", type=float, default=100)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("build_dir")
    args = ap.parse_args()
    newsindex = os.path.abspath(os.path.join(args.build_dir, "indexer",
                                             "newsindex"))
    newsquery = os.path.abspath(os.path.join(args.build_dir, "query",
                                             "newsquery"))
    bench = os.environ.get("BENCH_DIR") or "/tmp/newsindex-bench"
    os.makedirs(bench, exist_ok=True)
    corpus, db = corpus_and_index(bench, args.articles, newsindex)
    incoming = os.path.join(bench, "watch-incoming")
    shutil.rmtree(incoming, ignore_errors=True)
    os.makedirs(incoming)
    env = dict(os.environ, NEWSINDEX_CONFIG="", XDG_CONFIG_HOME="/nonexistent")

    log_path = os.path.join(bench, "watch.log")
    log = open(log_path, "w")
    start = time.monotonic()
    watch = subprocess.Popen([newsindex, "watch", "--log", "--db", db,
                              corpus, incoming], stdout=log,
                             stderr=subprocess.STDOUT, env=env)
    while True:
        with open(log_path) as f:
            if re.search(r"^watching ", f.read(), re.M):
                break
        if watch.poll() is not None:
            sys.exit("newsindex watch ended: see %s" % log_path)
        time.sleep(0.1)
    print("watch ready in %.1f s (its first build)" %
          (time.monotonic() - start))

    time.sleep(1)
    c0, t0 = cpu_seconds(watch.pid), time.monotonic()
    time.sleep(5)
    idle_before = (cpu_seconds(watch.pid) - c0) / (time.monotonic() - t0)

    run_id = "%d" % time.time()
    renamed = {}      # url -> monotonic time of its rename
    found = {}        # url -> freshness, seconds
    lock = threading.Lock()
    writing = [True]
    n_total = int(args.rate * args.seconds)

    def writer():
        begin = time.monotonic()
        for i in range(n_total):
            due = begin + i / args.rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            url = "https://watch.bench/%s/%d" % (run_id, i)
            name = "w%s-%06d.txt" % (run_id, i)
            tmp = os.path.join(incoming, "." + name + ".tmp")
            with open(tmp, "w") as f:
                f.write('---\ntitle: "Fresh story %d from the wire"\n'
                        'excerpt: "Breaking: item %d of the benchmark."\n'
                        'webUrl: "%s"\n---\n' % (i, i, url))
            os.rename(tmp, os.path.join(incoming, name))
            with lock:
                renamed[url] = time.monotonic()
        writing[0] = False

    c1, t1 = cpu_seconds(watch.pid), time.monotonic()
    thread = threading.Thread(target=writer)
    thread.start()
    last_rename_done = None
    while True:
        with lock:
            pending = [u for u in renamed if u not in found]
        if not writing[0] and last_rename_done is None:
            last_rename_done = time.monotonic()
            busy = (cpu_seconds(watch.pid) - c1) / (time.monotonic() - t1)
        if not pending:
            if not writing[0]:
                break
            time.sleep(0.005)
            continue
        if last_rename_done and time.monotonic() - last_rename_done > 10:
            break
        pending = pending[:200]
        q = subprocess.run([newsquery, "--db", db, "--format", "urls",
                            "--limit", "1000",
                            "url:(%s)" % " ".join(pending)],
                           capture_output=True, text=True, env=env)
        done = time.monotonic()
        with lock:
            for url in q.stdout.split():
                if url in renamed and url not in found:
                    found[url] = done - renamed[url]
        time.sleep(0.02)
    thread.join()
    time.sleep(1)
    c2, t2 = cpu_seconds(watch.pid), time.monotonic()
    time.sleep(5)
    idle_after = (cpu_seconds(watch.pid) - c2) / (time.monotonic() - t2)
    watch.send_signal(signal.SIGTERM)
    watch.wait()
    log.close()
    with open(log_path) as f:
        sizes = [int(m.group(1)) for m in
                 re.finditer(r"^batch of (\d+) path", f.read(), re.M)]

    lat = list(found.values())
    lost = n_total - len(found)
    print("index: %d articles (%s); %d new at %g/s for %g s" %
          (args.articles, db, n_total, args.rate, args.seconds))
    print("| freshness p50 | p99 | max | lost | batches | paths per batch "
          "| watch CPU busy | idle before | idle after |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print("| %.3f s | %.3f s | %.3f s | %d | %d | %.1f | %.1f%% | %.2f%% "
          "| %.2f%% |" % (
              nearest_rank(lat, 50) if lat else float("nan"),
              nearest_rank(lat, 99) if lat else float("nan"),
              max(lat) if lat else float("nan"), lost, len(sizes),
              statistics.mean(sizes) if sizes else 0, busy * 100,
              idle_before * 100, idle_after * 100))
    return 1 if lost else 0


if __name__ == "__main__":
    sys.exit(main())
