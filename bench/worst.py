#!/usr/bin/env python3
"""Time the worst queries we know of: what a person may paste, and what
costs Xapian's matcher most per word typed.

  worst.py [--runs N] CORPUS STOPWORDS_C -- COMMAND ARG...

Makes the queries from CORPUS (the article files: their excerpts, and
their words by frequency, leaving out the English stopwords listed in
lib/text/stopwords.c, STOPWORDS_C), runs COMMAND ARG... -- QUERY once untimed
and N times timed for each (spawn to exit, time.perf_counter, output to
/dev/null; exit status 0 or 1 count as answers), and prints a Markdown
table: each query's size, the p50 and slowest run's wall and CPU time
(user + system: what other work on a shared machine moves less), and the
notes the command wrote on standard error (how the query was read).
bench/README.md says what each query is.
"""
import argparse
import collections
import os
import re
import resource
import subprocess
import sys
import time

import latency

PASTED_BYTES = 120000


def stopwords(path):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"ENGLISH\[\] = \{(.*?)\};", text, re.S)
    return set(re.findall(r'"([^"]+)"', m.group(1)))


def excerpts(corpus):
    """Each article's excerpt, in walk order."""
    for top, dirs, names in os.walk(corpus):
        dirs.sort()
        for name in sorted(names):
            with open(os.path.join(top, name), encoding="utf-8",
                      errors="replace") as f:
                m = re.search(r'^excerpt: "(.*)"$', f.read(), re.M)
            if m:
                yield m.group(1).replace('\\"', '"')


def make_queries(corpus, stop):
    pasted, size = [], 0
    counts = collections.Counter()
    for text in excerpts(corpus):
        if size < PASTED_BYTES:
            pasted.append(text)
            size += len(text) + 1
        counts.update(w for w in re.findall(r"[a-z]+", text.lower())
                      if w not in stop and len(w) > 1)
    top = [w for w, _ in counts.most_common(1000)]
    return [
        ("pasted text, 120 KB of excerpts",
         " ".join(pasted)[:PASTED_BYTES]),
        ("the 1,000 most frequent words", " ".join(top)),
        ("the same joined by OR", " OR ".join(top)),
        ("the same, each excluded (-word)",
         " ".join("-" + w for w in top)),
        ("a phrase of 300 stopwords (\"the of the of ...\")",
         '"' + " ".join(["the", "of"] * 150) + '"'),
        ("300 \"the\" joined by NEAR/1000",
         " NEAR/1000 ".join(["the"] * 300)),
        ("500 quality: ranges", " ".join(
            f"quality:{i % 100}..{i % 100 + 1}" for i in range(500))),
        ("676 prefixes (aa* ab* ... zz*)", " ".join(
            a + b + "*" for a in "abcdefghijklmnopqrstuvwxyz"
            for b in "abcdefghijklmnopqrstuvwxyz")),
    ]


def cpu():
    """CPU seconds (user + system) of the finished children so far."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(command, query):
    """(wall ms, CPU ms, standard error) of one run."""
    start, used = time.perf_counter(), cpu()
    done = subprocess.run(command + ["--", query], stdin=subprocess.DEVNULL,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ms = (time.perf_counter() - start) * 1e3
    cpu_ms = (cpu() - used) * 1e3
    err = done.stderr.decode("utf-8", "replace")
    if done.returncode not in (0, 1):
        sys.exit(f"worst: {command[0]} failed (exit {done.returncode}): "
                 f"{err.strip()[:300]}")
    return ms, cpu_ms, err


def note(err):
    """The notes, each quoted text cut short, for the table."""
    notes = [re.sub(r"'([^']{20})[^']*'", r"'\1...'",
                    line[len("newsquery: note: "):])
             for line in err.splitlines()
             if line.startswith("newsquery: note: ")]
    return ("; ".join(notes) or "-").replace("|", "\\|")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("corpus")
    ap.add_argument("stopwords")
    args, command = latency.parse_args(ap)
    queries = make_queries(args.corpus, stopwords(args.stopwords))
    print("| worst-case query | terms | bytes | wall p50 | wall max | "
          "CPU p50 | CPU max | what newsquery said |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    slowest = busiest = 0.0
    for name, query in queries:
        err = run(command, query)[2]
        runs = [run(command, query) for _ in range(args.runs)]
        wall = sorted(r[0] for r in runs)
        used = sorted(r[1] for r in runs)
        slowest, busiest = max(slowest, wall[-1]), max(busiest, used[-1])
        mid = len(runs) // 2
        print(f"| {name} | {len(query.split()):,} | "
              f"{len(query.encode()):,} | {wall[mid]:.0f} ms | "
              f"{wall[-1]:.0f} ms | {used[mid]:.0f} ms | {used[-1]:.0f} ms "
              f"| {note(err)} |")
    print(f"\nThe slowest run of all: {slowest:.0f} ms of wall time, "
          f"{busiest:.0f} ms of CPU time ({args.runs} timed runs of each "
          f"query, one process each, after one untimed; CPU: user + "
          f"system).")


if __name__ == "__main__":
    main()
