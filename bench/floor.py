#!/usr/bin/python3
"""Xapian's own matcher in one process: the floor of a query's cost.

  floor.py [--runs N] [--exact] [--skip TEXT]... DB QUERIES_FILE

Opens DB once and, for each query of QUERIES_FILE (blank and '#' lines
left out, and those containing a --skip TEXT), parses it as bench/run's
quest row does (Xapian's QueryParser, English stems, every word
required: `quest -o and -p title:S -b topic:K -b provider:XP -b
site:H`) and asks for the 10 best with their document data, plain
BM25.  With --exact it counts every match (`quest -c DOCCOUNT`), as
newsquery's totals are exact; without, Xapian stops early and
estimates, as quest does.  Each query once untimed, then N rounds,
each timed from the parse to the last document's data
(time.perf_counter), as query_bench times ni_qparse and ni_search_run.

Prints what query_bench prints, one line per query, tab-separated: the
query, Xapian's estimate of its matches, then each run's latency in
milliseconds; bench/report.py reads it.  Needs python3-xapian
(Debian), so it runs under /usr/bin/python3.
"""
import argparse
import sys
import time

import xapian


def parser_for(db):
    """A QueryParser set up as bench/run's quest command line sets it."""
    qp = xapian.QueryParser()
    qp.set_database(db)
    qp.set_stemmer(xapian.Stem("english"))
    qp.set_stemming_strategy(xapian.QueryParser.STEM_SOME)
    qp.set_default_op(xapian.Query.OP_AND)
    qp.add_prefix("title", "S")
    qp.add_boolean_prefix("topic", "K")
    qp.add_boolean_prefix("provider", "XP")
    qp.add_boolean_prefix("site", "H")
    return qp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--exact", action="store_true")
    ap.add_argument("--skip", action="append", default=[])
    ap.add_argument("db")
    ap.add_argument("queries")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs needs a positive number")
    with open(args.queries, encoding="utf-8") as f:
        queries = [line.rstrip("\n") for line in f]
    queries = [q for q in queries if q.strip() and not q.startswith("#")
               and not any(s in q for s in args.skip)]
    db = xapian.Database(args.db)
    qp = parser_for(db)
    check = db.get_doccount() if args.exact else 0

    def run(text):
        start = time.perf_counter()
        enquire = xapian.Enquire(db)
        enquire.set_query(qp.parse_query(text))
        mset = enquire.get_mset(0, 10, check)
        for hit in mset:
            hit.document.get_data()
        return (time.perf_counter() - start) * 1e3, \
            mset.get_matches_estimated()

    matches = {q: run(q)[1] for q in queries}
    times = {q: [] for q in queries}
    for _ in range(args.runs):
        for q in queries:
            times[q].append(run(q)[0])
    for q in queries:
        print(f"{q}\t{matches[q]}\t" +
              " ".join(f"{ms:.4f}" for ms in times[q]))


if __name__ == "__main__":
    sys.exit(main())
