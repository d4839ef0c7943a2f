#!/usr/bin/env python3
"""newsquery --serve under load, beside the same queries in-process and
as newsquery processes (docs/benchmarks.md, bench/README.md).

    bench/serve.py [--seconds N] [--threads N] [--omega XDB] BUILD_DIR DB

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

With --omega, XDB is a Xapian database of the same articles built by
scriptindex (bench/to-scriptindex.py and bench/news.script, as bench/run
builds it), and Xapian Omega's CGI (xapian-omega, its `query` template)
is measured beside: 4. omega run as a process per query (2 rounds), its
p50; 5. omega behind bench/cgi-server.py, under the same wrk runs, the
two servers taking turns at each number of connections.

Prints Markdown tables.  Never part of `meson test`.
"""
import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
QUERIES = os.path.join(HERE, "queries.txt")
OMEGA = "/usr/lib/cgi-bin/omega/omega"


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


def wrk(url, connections, seconds, ask="/api/search?q="):
    threads = min(connections, 2)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections),
                          "-d", "%ds" % seconds, "--timeout", "10s", "-s",
                          os.path.join(HERE, "serve.lua"), url],
                         stdout=subprocess.PIPE, text=True, check=True,
                         env=dict(os.environ, NI_QUERIES=QUERIES,
                                  NI_ASK=ask))
    return out.stdout.strip().splitlines()[-1].split()


def omega_config(xdb, folder):
    """An omega.conf for `xdb`, in `folder`; the database's name."""
    conf = os.path.join(folder, "omega.conf")
    with open(conf, "w") as f:
        f.write("database_dir %s\ntemplate_dir "
                "/usr/share/xapian-omega/templates\nlog_dir %s\n"
                "cdb_dir %s\n" % (os.path.dirname(os.path.abspath(xdb)),
                                  folder, folder))
    return conf, os.path.basename(os.path.abspath(xdb))


def omega_processes(conf, name):
    times = []
    for _ in range(2):
        for q in queries():
            env = dict(os.environ, OMEGA_CONFIG_FILE=conf,
                       GATEWAY_INTERFACE="CGI/1.1", REQUEST_METHOD="GET",
                       QUERY_STRING=urllib.parse.urlencode(
                           {"DB": name, "P": q}))
            start = time.perf_counter()
            subprocess.run([OMEGA], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
            times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def start(argv, log_path, env=None):
    """Start a server that says "serving http://HOST:PORT/" on stderr
    (to `log_path`); the process and its URL."""
    log = open(log_path, "w")
    server = subprocess.Popen(argv, stderr=log, stdout=subprocess.DEVNULL,
                              env=env)
    for _ in range(200):
        with open(log_path) as f:
            found = re.search(r"serving (http://[^/]+)/", f.read())
        if found:
            return server, found.group(1)
        time.sleep(0.05)
    server.kill()
    sys.exit("%s did not start" % argv[0])


def load_runs(servers, seconds):
    """wrk at 1, 2, 8 and 64 connections against each of `servers`
    ((process, url, ask) each), taking turns at each step so that the
    machine's noise falls on all alike; their rows."""
    rows = [[] for _ in servers]
    try:
        for _, url, ask in servers:
            wrk(url, 2, 2, ask)  # warm: every thread has the index open
        for c in (1, 2, 8, 64):
            for i, (server, url, ask) in enumerate(servers):
                before = rss_kb(server.pid)
                r = wrk(url, c, seconds, ask)
                rows[i].append((c, r, before, rss_kb(server.pid)))
    finally:
        for server, _, _ in servers:
            server.send_signal(signal.SIGTERM)
            server.wait()
    return rows


def table(rows):
    print("| connections | requests | requests/s | p50 | p90 | p99 | max "
          "| errors | RSS before | RSS after |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
          "| ---: |")
    for c, r, before, after in rows:
        n, rate, p50, p90, p99, top, errors = r
        print("| %d | %s | %s | %s ms | %s ms | %s ms | %s ms | %s | %d MB "
              "| %d MB |" % (c, n, rate, p50, p90, p99, top, errors,
                             before // 1024, after // 1024))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=int, default=10)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--omega", metavar="XDB")
    p.add_argument("build")
    p.add_argument("db")
    a = p.parse_args()
    load = os.getloadavg()
    qb_p50, qb_mean = query_bench(a.build, a.db)
    proc_p50 = processes(a.build, a.db)
    server, url = start(
        [os.path.join(a.build, "query", "newsquery"), "--db", a.db,
         "--serve", "127.0.0.1:0", "--threads", str(a.threads), "--log",
         "/dev/null"], "/tmp/newsquery-serve-bench.log")
    servers = [(server, url, "/api/search?q=")]
    if a.omega:
        folder = tempfile.mkdtemp(prefix="omega-bench-")
        conf, name = omega_config(a.omega, folder)
        omega_p50 = omega_processes(conf, name)
        server, url = start(
            [sys.executable, os.path.join(HERE, "cgi-server.py"), "0",
             OMEGA], os.path.join(folder, "server.log"),
            dict(os.environ, OMEGA_CONFIG_FILE=conf))
        servers.append((server, url, "/cgi-bin/omega?DB=%s&P=" % name))
    rows = load_runs(servers, a.seconds)
    end = os.getloadavg()
    print("load average %.2f %.2f %.2f at the start, %.2f %.2f %.2f at "
          "the end" % (load + end))
    print()
    print("in-process (query_bench, parse + search): p50 %.2f ms, mean "
          "%.2f ms: %.0f queries/s on one core, %.0f on two" %
          (qb_p50, qb_mean, 1e3 / qb_mean, 2e3 / qb_mean))
    print("newsquery --json, a process per query: p50 %.2f ms" % proc_p50)
    print()
    print("newsquery --serve:")
    print()
    table(rows[0])
    if a.omega:
        print()
        print("omega, a process per query: p50 %.2f ms" % omega_p50)
        print()
        print("omega behind bench/cgi-server.py:")
        print()
        table(rows[1])


if __name__ == "__main__":
    main()
