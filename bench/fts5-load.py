#!/usr/bin/env python3
"""Load article files into an SQLite FTS5 table, for comparison.

  fts5-load.py DB SOURCE...

Creates DB (which must not exist) with one FTS5 table

  articles(title, excerpt, topics, url UNINDEXED)
  tokenize 'porter unicode61'   (Porter stems over Unicode words, as
                                 newsindex stems English words)

and inserts every article under the SOURCEs in one transaction.  Like
`newsindex build`, the time it takes covers walking the folders, reading
and parsing each file (bench/frontmatter.py: python3's standard library
only) and inserting.  The url is stored but not searchable as text
(newsindex keeps it as an exact term).
"""
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frontmatter  # noqa: E402


def rows(sources):
    for path, art in frontmatter.articles(sources):
        url = art.get("webUrl") or art.get("originalUrl") or \
            os.path.abspath(path)
        yield (art.get("title", ""), art.get("excerpt", ""),
               "\n".join(art["topics"]), url)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().split("\n\n")[1])
    db = sys.argv[1]
    if os.path.exists(db):
        sys.exit(f"fts5-load: '{db}' already exists")
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("CREATE VIRTUAL TABLE articles USING fts5("
                "title, excerpt, topics, url UNINDEXED, "
                "tokenize = 'porter unicode61')")
    con.execute("BEGIN")
    con.executemany("INSERT INTO articles VALUES (?, ?, ?, ?)",
                    rows(sys.argv[2:]))
    con.execute("COMMIT")
    n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    con.close()
    print(f"loaded {n} articles into {db}")


if __name__ == "__main__":
    main()
