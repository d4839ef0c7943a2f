#!/usr/bin/env python3
"""Time whole query processes: one per query and run, start-up included.

  latency.py [--runs N] [--skip TEXT]... QUERIES_FILE -- COMMAND ARG...

Runs COMMAND ARG... QUERY for every query of QUERIES_FILE (one a line;
blank lines and '#' lines left out; --skip leaves out the queries that
contain TEXT), once untimed to warm the page cache, then N rounds over
all of them, each process timed with time.perf_counter() from spawn to
exit (output to /dev/null).  Exit status 0 and 1 (newsquery's "no
match") count as answers; any other stops the run.

Prints what query_bench prints, one line per query, tab-separated: the
query, "-" (the number of matches is not known here), then each run's
latency in milliseconds.  bench/report.py reads both.
"""
import argparse
import subprocess
import sys
import time


def parse_args(ap):
    """`ap`'s arguments, then --runs N and COMMAND ARG... after "--"
    (also for worst.py): (args, command)."""
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] \
        else args.command
    if not command or args.runs < 1:
        ap.error("needs --runs >= 1 and a COMMAND after --")
    return args, command


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--skip", action="append", default=[])
    ap.add_argument("queries")
    args, command = parse_args(ap)
    with open(args.queries, encoding="utf-8") as f:
        queries = [line.rstrip("\n") for line in f]
    queries = [q for q in queries if q.strip() and not q.startswith("#")
               and not any(s in q for s in args.skip)]

    def run(query):
        start = time.perf_counter()
        done = subprocess.run(command + [query], stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
        ms = (time.perf_counter() - start) * 1e3
        if done.returncode not in (0, 1):
            sys.exit(f"latency: {command[0]} failed on '{query}' "
                     f"(exit {done.returncode}): "
                     f"{done.stderr.decode(errors='replace').strip()}")
        return ms

    for q in queries:
        run(q)
    times = {q: [] for q in queries}
    for _ in range(args.runs):
        for q in queries:
            times[q].append(run(q))
    for q in queries:
        print(f"{q}\t-\t" + " ".join(f"{ms:.4f}" for ms in times[q]))


if __name__ == "__main__":
    main()
