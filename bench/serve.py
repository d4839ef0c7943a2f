#!/usr/bin/env python3
"""newsquery --serve under load, beside the same queries in-process and
as newsquery processes (docs/benchmarks.md, bench/README.md).

    bench/serve.py [--seconds N] [--threads N] BUILD_DIR DB

BUILD_DIR is a build set up with -Dbench=true (for bench/query_bench);
DB an index (a 200,000-article one: make-corpus.py scale 200000, then
newsindex build).  It runs, over the queries of bench/queries.txt:

1. query_bench: each query parsed and searched in one process, the
   index open (5 rounds): its p50, and its rate on one core;
2. newsquery --json, a process per query (2 rounds): its p50;
3. the server (`--threads N`, default 2, the log to /dev/null), warmed
   for 2 s, then wrk (bench/serve.lua: each connection asks the queries
   in turn) for N seconds (default 10) at 1, 2, 8 and 64 connections:
   requests, rate, p50, p90, p99, max latency, errors, and the server's
   resident memory before and after each run.

Prints a Markdown table.  Never part of `meson test`.
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
QUERIES = os.path.join(HERE, "queries.txt")


def queries():
    with open(QUERIES) as f:
        return [line.strip() for line in f
                if line.strip() and not line.startswith("#")]


def query_bench(build, db):
    out = subprocess.run([os.path.join(build, "bench", "query_bench"),
                          "--db", db, "--runs", "5", QUERIES],
                         stdout=subprocess.PIPE, check=True, text=True)
    runs = []
    for line in out.stdout.splitlines():
        runs += [float(x) for x in line.split("\t")[2].split()]
    return statistics.median(runs), statistics.mean(runs)


def processes(build, db):
    newsquery = os.path.join(build, "query", "newsquery")
    times = []
    for _ in range(2):
        for q in queries():
            start = time.perf_counter()
            subprocess.run([newsquery, "--db", db, "--json", "--", q],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def wrk(url, connections, seconds):
    threads = min(connections, 2)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections),
                          "-d", "%ds" % seconds, "--timeout", "10s", "-s",
                          os.path.join(HERE, "serve.lua"), url],
                         stdout=subprocess.PIPE, text=True, check=True,
                         env=dict(os.environ, NI_QUERIES=QUERIES))
    return out.stdout.strip().splitlines()[-1].split()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("build")
    p.add_argument("db")
    a = p.parse_args()
    load = os.getloadavg()
    qb_p50, qb_mean = query_bench(a.build, a.db)
    proc_p50 = processes(a.build, a.db)
    log = open("/tmp/newsquery-serve-bench.log", "w")
    server = subprocess.Popen(
        [os.path.join(a.build, "query", "newsquery"), "--db", a.db,
         "--serve", "127.0.0.1:0", "--threads", str(a.threads), "--log",
         "/dev/null"], stderr=log, stdout=subprocess.DEVNULL)
    url = None
    for _ in range(200):
        with open(log.name) as f:
            found = re.search(r"serving (http://[^/]+)/", f.read())
        if found:
            url = found.group(1)
            break
        time.sleep(0.05)
    if not url:
        sys.exit("the server did not start")
    rows = []
    try:
        wrk(url, 2, 2)  # warm: every thread has the index open
        for c in (1, 2, 8, 64):
            before = rss_kb(server.pid)
            r = wrk(url, c, a.seconds)
            rows.append((c, r, before, rss_kb(server.pid)))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    end = os.getloadavg()
    print("load average %.2f %.2f %.2f at the start, %.2f %.2f %.2f at "
          "the end" % (load + end))
    print()
    print("in-process (query_bench, parse + search): p50 %.2f ms, mean "
          "%.2f ms: %.0f queries/s on one core, %.0f on two" %
          (qb_p50, qb_mean, 1e3 / qb_mean, 2e3 / qb_mean))
    print("newsquery --json, a process per query: p50 %.2f ms" % proc_p50)
    print()
    print("| connections | requests | requests/s | p50 | p90 | p99 | max "
          "| errors | RSS before | RSS after |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: |")
    for c, r, before, after in rows:
        n, rate, p50, p90, p99, top, errors = r
        print("| %d | %s | %s | %s ms | %s ms | %s ms | %s ms | %s | %d MB "
              "| %d MB |" % (c, n, rate, p50, p90, p99, top, errors,
                             before // 1024, after // 1024))


if __name__ == "__main__":
    main()
