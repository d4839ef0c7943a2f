#!/usr/bin/env python3
"""Make bench/run's Markdown table from what it measured.

  report.py RESULTS_DIR CORPUS...

RESULTS_DIR holds machine.txt (the heading) and a folder per corpus
(bench/run writes them): corpus.txt ("DOCS BYTES RUNS"), for each build
LABEL.json (hyperfine), rss-LABEL.txt (GNU time's %M, KiB, one line a
run), size-LABEL.txt (du -sb) and docs-LABEL.txt (documents in the
index), changed.txt (files changed for the 10% rebuild), and
query-*.tsv (query_bench and latency.py output).  The builds
newsindex-shards2 and newsindex-shards3, query-LABEL-shards3.tsv and
query-LABEL-remote3.tsv (3 shards, local and remote) and same-shards3.txt
and same-remote3.txt ("SAME ALL": the queries of the same top 10) make
two more tables, beside one index.  bench/README.md says what each row
means.
"""
import json
import math
import os
import sys
import textwrap

BUILDS = [
    ("newsindex", "newsindex build"),
    ("scriptindex", "Xapian scriptindex (input converted beforehand)"),
    ("fts5", "SQLite FTS5 (python3 sqlite3 loader)"),
    ("omindex", "Xapian omindex"),
]
QUERIES = [
    ("inprocess", "query p50 / p99: newsindex in-process (query_bench)"),
    ("newsquery", "query p50 / p99: newsquery, whole process"),
    ("quest", "query p50 / p99: Xapian quest, whole process"),
    ("quest-and", "query p50 / p99: Xapian quest -o and, whole process"),
    ("quest-and-exact", "query p50 / p99: Xapian quest -o and, counting "
     "every match (-c), whole process"),
    ("floor", "query p50 / p99: Xapian -o and in-process (floor.py)"),
    ("floor-exact", "query p50 / p99: Xapian -o and in-process, counting "
     "every match (floor.py --exact)"),
]


def read(path, default=None):
    try:
        with open(path) as f:
            return f.read().strip()
    except FileNotFoundError:
        return default


def wall(d, label):
    text = read(os.path.join(d, label + ".json"))
    return json.loads(text)["results"][0]["median"] if text else None


def cpu(d, label):
    """hyperfine's mean user + system time: less moved than the wall
    time by what else runs on a shared machine."""
    text = read(os.path.join(d, label + ".json"))
    if not text:
        return None
    result = json.loads(text)["results"][0]
    return result["user"] + result["system"]


def rss_mb(d, label):
    text = read(os.path.join(d, f"rss-{label}.txt"), "")
    kib = [int(x) for x in text.split() if x.isdigit()]
    return max(kib) * 1024 / 1e6 if kib else None


def size_mb(d, label):
    text = read(os.path.join(d, f"size-{label}.txt"))
    return int(text.split()[0]) / 1e6 if text else None


def seconds(s):
    return f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def mb(x):
    if x is None:
        return ""
    return f"{x:,.1f} MB" if x < 10 else f"{x:,.0f} MB"


def ratio(x, base):
    return f"{x / base:.2f}x" if x is not None and base else ""


def percentile(sorted_ms, p):
    """Nearest rank: the smallest sample with p% of them at or below."""
    return sorted_ms[max(0, math.ceil(p / 100 * len(sorted_ms)) - 1)]


def latencies(d, label):
    text = read(os.path.join(d, f"query-{label}.tsv"))
    if not text:
        return None
    samples, n_queries, runs = [], 0, 0
    for line in text.split("\n"):
        _, _, ms = line.split("\t")
        values = [float(x) for x in ms.split()]
        samples += values
        n_queries += 1
        runs = len(values)
    samples.sort()
    return (percentile(samples, 50), percentile(samples, 99), n_queries,
            runs)


def corpus_rows(results, name):
    d = os.path.join(results, name)
    docs, size, runs = (int(x) for x in read(os.path.join(d, "corpus.txt"))
                        .split())
    yield (f"**{name}: {docs:,} articles ({size / 1e6:,.0f} MB), "
           f"median of {runs} run{'s' if runs > 1 else ''}**", "", "", "",
           "", "")
    base = wall(d, "newsindex")
    for label, what in BUILDS:
        w = wall(d, label)
        if w is None:
            continue
        indexed = read(os.path.join(d, f"docs-{label}.txt"))
        if indexed and int(indexed) != docs:
            what += f" ({int(indexed):,} documents, related records included)"
        yield (what, seconds(w), f"{docs / w:,.0f}", mb(rss_mb(d, label)),
               mb(size_mb(d, label)), ratio(w, base))
    changed = int(read(os.path.join(d, "changed.txt"), "0"))
    for label, what in (("rebuild-same", "newsindex rebuild, nothing "
                         "changed"),
                        ("rebuild-tenth", f"newsindex rebuild, {changed:,} "
                         "files (10%) changed")):
        w = wall(d, label)
        if w is None:
            continue
        yield (what, seconds(w), f"{docs / w:,.0f}", mb(rss_mb(d, label)),
               mb(size_mb(d, label)), ratio(w, base))
    qbase = latencies(d, "newsquery")
    for label, what in QUERIES:
        lat = latencies(d, label)
        if lat is None:
            continue
        p50, p99, n, runs = lat
        what += f", {n} queries x {runs}"
        yield (what, f"{p50:.2f} / {p99:.2f} ms", "",
               mb(rss_mb(d, "query-" + label)), "",
               ratio(p50, qbase[0] if qbase else None))


SHARDED = [("shards3", "3 shards, local"),
           ("remote3", "3 shards, remote (xapian-tcpsrv)")]


SHARDED_BUILDS = [("newsindex", "one index"),
                  ("newsindex-shards2", "--shards 2"),
                  ("newsindex-shards3", "--shards 3")]


def sharded_table(results, name):
    """The builds of one index beside 2 and 3 shards, and the query
    latency of one index beside its 3 shards, local and remote, with
    ratios to one index, and a sentence on their results: (tables,
    sentence), or None without the sharded runs."""
    d = os.path.join(results, name)
    if latencies(d, "newsquery-" + SHARDED[0][0]) is None:
        return None
    lines = [f"| {name}, newsindex build | wall | ratio | CPU (user + "
             "system) | ratio | peak RSS | index size |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    base_wall, base_cpu = wall(d, "newsindex"), cpu(d, "newsindex")
    for label, what in SHARDED_BUILDS:
        w, c = wall(d, label), cpu(d, label)
        if w is None:
            continue
        lines.append("| " + " | ".join([
            what, seconds(w), ratio(w, base_wall), seconds(c),
            ratio(c, base_cpu), mb(rss_mb(d, label)),
            mb(size_mb(d, label))]) + " |")
    lines += ["", "| " + name + ", query latency | one index | " +
              " | ".join(f"{what} | ratio" for _, what in SHARDED) + " |",
              "| --- | ---: |" + " ---: | ---: |" * len(SHARDED)]
    for label, what in (("newsquery", "newsquery, whole process"),
                        ("inprocess", "in-process (query_bench)")):
        base = latencies(d, label)
        others = [latencies(d, f"{label}-{s}") for s, _ in SHARDED]
        for i, p in ((0, "p50"), (1, "p99")):
            row = [f"{p}: {what}", f"{base[i]:.2f} ms"]
            for lat in others:
                row += [f"{lat[i]:.2f} ms", ratio(lat[i], base[i])]
            lines.append("| " + " | ".join(row) + " |")
    same = []
    for label, what in SHARDED:
        text = read(os.path.join(d, f"same-{label}.txt"))
        if text:
            n_same, n_all = text.split()
            same.append(f"{what}, {n_same} of {n_all}")
    sentence = ("The same 10 results in the same order as one index "
                "(newsquery --format paths): " + "; ".join(same) + ". "
                if same else "")
    return "\n".join(lines), sentence


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().split("\n\n")[1])
    results = sys.argv[1]
    print(read(os.path.join(results, "machine.txt")))
    print()
    print("| what | wall | docs/s | peak RSS | index size | "
          "ratio to newsindex |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name in sys.argv[2:]:
        for row in corpus_rows(results, name):
            print("| " + " | ".join(row) + " |")
    print()
    print(textwrap.fill(
          "wall: hyperfine's median; docs/s: the corpus's articles / wall; "
          "peak RSS: GNU time's maximum over the runs; ratio: wall over "
          "newsindex build's, and for queries p50 over newsquery's, in "
          "the same run. quest leaves out the date: queries (it has no "
          "ranges); omindex runs on AG News only (bench/README.md).", 72))
    for name in sys.argv[2:]:
        sharded = sharded_table(results, name)
        if sharded:
            table, sentence = sharded
            print()
            print(table)
            print()
            print(textwrap.fill(
                  "The builds are timed as above, the sharded ones right "
                  "after one index's; CPU: hyperfine's user + system "
                  "time. The queries: the same queries, runs and "
                  "percentiles as above; the shards are those of the "
                  "--shards 3 build, remote ones each served by "
                  "xapian-tcpsrv on 127.0.0.1 (a stub of three remote "
                  "lines). Ratio: over one index's. " + sentence, 72))


if __name__ == "__main__":
    main()
