#!/usr/bin/env python3
"""Convert article files to Xapian scriptindex's input format.

  to-scriptindex.py OUT SOURCE...

Writes one record per article (fields `name=value`, records separated by
a blank line) with the fields bench/news.script indexes: url, title,
excerpt, topic (one line per topic), provider, site, date, quality.
bench/run runs this before timing scriptindex, so the conversion is not
part of scriptindex's time (newsindex's time does include reading and
parsing its files: the row says so).
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frontmatter  # noqa: E402


def field(out, name, value):
    if value:
        # A newline in a value is escaped by an '=' after it.
        out.write(f"{name}={value.replace(chr(10), chr(10) + '=')}\n")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip().split("\n\n")[1])
    n = 0
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        for path, art in frontmatter.articles(sys.argv[2:]):
            url = art.get("webUrl") or art.get("originalUrl") or \
                os.path.abspath(path)
            field(out, "url", url)
            field(out, "title", art.get("title"))
            field(out, "excerpt", art.get("excerpt"))
            for topic in art["topics"]:
                field(out, "topic", topic)
            field(out, "provider", art.get("provider"))
            field(out, "site", art.get("domain"))
            field(out, "date", art.get("publishedDateTime"))
            field(out, "quality", art.get("quality"))
            out.write("\n")
            n += 1
    print(f"wrote {n} records to {sys.argv[1]}")


if __name__ == "__main__":
    main()
