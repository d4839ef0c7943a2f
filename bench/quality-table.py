#!/usr/bin/python3
"""Top 10 of each query at three quality weights, and what moved.

    bench/quality-table.py --db /tmp/ag/db4 [--weights 0,1,3] [--full]
    bench/quality-table.py --db /tmp/ag/db4 --heat 1,3

Runs `newsquery --json --limit 10 --quality-weight W QUERY` for the 20
AG News queries below (one to nine words, every topic) and prints, per
query, a Markdown row: how many of the weight-0 top 10 stay at the
other weights, the mean quality of each top 10, and the biggest rise
(its quality, its relevance over the best's, its ranks).  --full also
prints every top 10.  docs/ranking.md ("Quality") has the table.

--heat H,... weighs what a heat prior would do, without one in the
engine: the default top 30 of each query re-ranked by score + H * 0.1 *
best * heat / the largest heat (57 on AG), an unknown heat taken as the
median known heat of the 30 (neither hot nor cold), and compared with
the default top 10 (docs/ranking.md, "Heat").
"""
import argparse
import json
import os
import subprocess
import sys

QUERIES = [
    "oil prices", "iraq", "election", "microsoft", "olympics",
    "hurricane florida", "red sox", "nasa space", "stock market",
    "google ipo", "darfur sudan", "apple ipod", "steroids baseball",
    "mars rover", "intel chip", "yukos", "linux",
    "world series game", "airline bankruptcy pension",
    "how did the price of crude oil affect airline shares",
]


def top(newsquery, db, weight, query, limit=10):
    out = subprocess.run(
        [newsquery, "--db", db, "--json", "--limit", str(limit),
         "--quality-weight", str(weight)] + query.split(),
        capture_output=True, text=True)
    if out.returncode not in (0, 1):
        sys.exit(f"newsquery failed on '{query}': {out.stderr.strip()}")
    return json.loads(out.stdout)["results"]


def heat_table(a, shares):
    print("| query | unknown heat in the top 10 | "
          + " | ".join(f"kept at {h:g} | mean known heat at {h:g}"
                       for h in shares) + " |")
    print("|" + " --- |" * (2 + 2 * len(shares)))
    for q in QUERIES:
        hits = top(a.newsquery, a.db, 1, q, 30)
        base = [r["url"] for r in hits[:10]]
        known = sorted(r["heat"] for r in hits if r["heat"] is not None)
        median = known[len(known) // 2] if known else 0
        hottest = max(known, default=0) or 1
        best = {}
        for r in hits:
            best[r["all_words"]] = max(best.get(r["all_words"], 0),
                                       r["relevance"])
        row = [q, str(sum(r["heat"] is None for r in hits[:10]))]
        for h in shares:
            def key(r):
                heat = median if r["heat"] is None else r["heat"]
                return (r["all_words"], r["score"] + h * 0.1
                        * best[r["all_words"]] * heat / hottest)
            new = sorted(hits, key=key, reverse=True)[:10]
            heats = [r["heat"] for r in new if r["heat"] is not None]
            row.append(str(len(set(base) & {r["url"] for r in new})))
            row.append(f"{sum(heats) / len(heats):.0f}" if heats else "-")
        print("| " + " | ".join(row) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--weights", default="0,1,3")
    ap.add_argument("--newsquery", default=os.path.join(
        os.path.dirname(__file__), "..", "build", "query", "newsquery"))
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--heat", help="heat shares to weigh, e.g. 1,3")
    a = ap.parse_args()
    if a.heat:
        heat_table(a, [float(h) for h in a.heat.split(",")])
        return
    weights = [float(w) for w in a.weights.split(",")]
    head = ["query"]
    for w in weights[1:]:
        head.append(f"kept at {w:g}")
    head += [f"mean quality at {w:g}" for w in weights]
    head += ["biggest rise at the last weight"]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for q in QUERIES:
        tops = [top(a.newsquery, a.db, w, q) for w in weights]
        base = [r["url"] for r in tops[0]]
        # Relevance over the best of its tier, as the blend scales it.
        best = {}
        for t in tops:
            for r in t:
                tier = r["all_words"]
                best[tier] = max(best.get(tier, 0), r["relevance"])
        row = [q]
        for t in tops[1:]:
            row.append(str(len(set(base) & {r["url"] for r in t})))
        for t in tops:
            qs = [r["quality"] for r in t if r["quality"] is not None]
            row.append(f"{sum(qs) / len(qs):.0f}" if qs else "-")
        rise, text = 0, "none"
        for r in tops[-1]:
            was = base.index(r["url"]) + 1 if r["url"] in base else None
            up = (was or 11) - r["rank"]
            if up > rise:
                rise = up
                rel = r["relevance"] / (best[r["all_words"]] or 1)
                text = (f"q {r['quality']:g}, rel {rel:.2f}"
                        f": {was or '>10'} → {r['rank']}")
        row.append(text)
        print("| " + " | ".join(row) + " |")
        if a.full:
            for w, t in zip(weights, tops):
                print(f"\n{q} @ {w:g}")
                for r in t:
                    rel = r["relevance"] / (best[r["all_words"]] or 1)
                    print(f"  {r['rank']:2} q{r['quality'] or 0:3.0f} "
                          f"rel {rel:.2f} "
                          f"{'' if r['all_words'] else '(some) '}"
                          f"{r['title'][:60]}")
            print()


if __name__ == "__main__":
    main()
