"""A tiny line-based reader of the article files the benchmarks index.

Not a YAML parser: it reads only the layout that
shared/corpus/make-corpus.py writes (and newsindex's samples follow), so
the benchmarks need nothing beyond python3's standard library (PyYAML
may be missing).  Top-level `key: value` lines, a `provider:` mapping of
`  name:` and `  domain:`, and a `topics:` list of `  - Name` items;
every other nested block (images, related) is passed over.  Values may
be plain, 'single-quoted' or "double-quoted" with backslash escapes.

Used by to-scriptindex.py and fts5-load.py.
"""
import os
import re

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")
TOP_KEYS = {"title", "excerpt", "webUrl", "originalUrl", "publishedDateTime",
            "quality", "category", "type"}
_ESCAPE = re.compile(r"\\(.)")


def unquote(value):
    value = value.strip()
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
        return _ESCAPE.sub(r"\1", value[1:-1])
    if len(value) >= 2 and value[0] == "'" and value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def parse(text):
    """The fields of one article's front matter, or None if it has none.

    Returns a dict of the TOP_KEYS found, plus "topics" (a list, maybe
    empty), "provider" and "domain" when given.
    """
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return None
    art = {"topics": []}
    block = None
    for line in lines[1:]:
        if line.rstrip() == "---":
            return art
        if not line.strip():
            continue
        if line[0] not in " -":
            key, _, value = line.partition(":")
            value = value.strip()
            block = None if value else key
            if key in TOP_KEYS and value:
                art[key] = unquote(value)
        elif block == "topics" and line.startswith("  - "):
            art["topics"].append(unquote(line[4:]))
        elif block == "provider" and line.startswith("  ") \
                and line[2] != " ":
            key, _, value = line[2:].partition(":")
            if key == "name":
                art["provider"] = unquote(value)
            elif key == "domain":
                art["domain"] = unquote(value)
    return None  # no closing line


def walk(sources):
    """The article files under each source, sorted, as newsindex walks:
    folders recursively, hidden entries left out."""
    for source in sources:
        if os.path.isfile(source):
            yield source
            continue
        for root, dirs, files in os.walk(source):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith(".") and \
                        name.endswith(ARTICLE_SUFFIXES):
                    yield os.path.join(root, name)


def articles(sources):
    """(path, fields) for every article file that has front matter."""
    for path in walk(sources):
        with open(path, encoding="utf-8", errors="replace") as f:
            art = parse(f.read())
        if art is not None:
            yield path, art
