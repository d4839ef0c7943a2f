#!/usr/bin/python3
"""Model-based property test: an updated index equals a fresh build.

From a seed, a random sequence of operations on a small folder of
articles (create, rewrite, rewrite keeping size and mtime, rename, mv
over another file, swap two files by mv or cp -p, delete, make empty or
invalid, take another file's URL, give one up, add and remove related
records pointing at articles, at records, at each other and at their
own parent, folders made, moved out of the source and back in,
symlinked folders made and removed).  After each operation, every index
under test (one index, and one of --shards 3) is updated by `newsindex
build`, then compared, document by document (key, path, title,
related_of, date, quality, topics), with a fresh build of the same
files, and `newsindex check` must find nothing wrong with it.

The fresh build is made on a copy of the folder at a path of the same
length (so keys that are paths sort alike) and its paths are mapped
back.  One rule makes an updated index differ from a fresh build by
design (docs/newsindex.1): when two files have the same URL, the one
whose article the index holds keeps it while its file is not changed;
a fresh build gives it to the first file of the walk.  So this model
knows each file's key (it wrote the files) and which file held each
key at the last build, and the copy leaves out the files that must
lose their URL to an unchanged holder.  Everything else is the fresh
build's to say.

Usage:
  drift.py [--seed N] [--steps N] [--length N] [--skip KINDS]
           [--shards LIST] [--minimise] [--keep]
  drift.py --replay FILE...          replay operations written down
  drift.py --list-kinds              the kinds of operation

--steps steps in all (NI_DRIFT_STEPS, default 300), in sequences of
--length (default 100) from a fresh folder, the first from --seed
(NI_DRIFT_SEED, default 1), the next from seed+1, ...  --skip (or
NI_DRIFT_SKIP) leaves out kinds of operation, comma-separated; the
regression files that use one are left out too.  --shards: the
indexes under test, 1 for one index (default "1,3").  Before the random
sequences, every file of tests/property/regressions/ is replayed
(unless --no-regressions).

A failure prints the seed, the step, the difference and the operations
so far (one JSON object a line: the format of a regression file), then,
with --minimise, the smallest sequence found that still fails; exit
status 1.  NEWSINDEX and NEWSQUERY name the programs.
"""

import argparse
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import tempfile
import time

NEWSINDEX = os.environ.get("NEWSINDEX", "newsindex")
NEWSQUERY = os.environ.get("NEWSQUERY", "newsquery")
HERE = os.path.dirname(os.path.abspath(__file__))
REGRESSIONS = os.path.join(HERE, "regressions")
# A query that matches every document: exclusions only
# (docs/query-syntax.md), of a word no article has.
MATCH_ALL = "-zzqq"
PAGE = 10000

# A small pool of URLs, so that files and records share them often.
URLS = ["https://x.test/%s" % c for c in "abcdefgh"]
TOPICS = ["oil", "ai", "trade", "rain"]
# Modification times of files extracted from archives (cp -p, tar):
# files written with one of them often share size and mtime.
ARCHIVE_NS = [1600000000 * 10**9, 1600000000 * 10**9 + 500000000]
# Every file is padded to a multiple of this size: files of the same
# size are common, as they are in a crawler's output.
PAD = 128

KINDS = [
    "create", "rewrite", "rewrite_same_stamp", "archive_mtime", "rename",
    "replace", "swap", "swap_copy", "delete", "empty", "invalid",
    "take_url", "give_up_url", "relate", "unrelate", "mkdir", "move_out",
    "move_in", "link", "unlink", "record_at_article", "shared_url",
    "urlless_related", "shared_record",
]
# Kinds that are not operations but what operations may do: write files
# with the mtime of an archive; give records the URLs of articles; let
# files share a URL; give articles without a URL records; let records
# share a URL.  Skipped, each leaves out what makes some drift (to find
# others meanwhile).
MODIFIERS = ["archive_mtime", "record_at_article", "shared_url",
             "urlless_related", "shared_record"]


class Failure(Exception):
    """The index under test differs from a fresh build, or check failed."""

    def __init__(self, step, shards, text, kind):
        super().__init__(text)
        self.step = step
        self.shards = shards
        self.text = text
        # What went wrong, for minimising: "build", "check", or how
        # the first document differs ("extra", "missing", "differs",
        # "twice").
        self.kind = kind


# ---- the files ---------------------------------------------------------------

def render(content, size=None):
    """The bytes of an article file: content is a dict, "empty" (no
    bytes), "blank" (nothing between the --- lines) or "invalid"."""
    if content == "empty":
        return b""
    if content == "blank":
        text = "---\n---\n"
    elif content == "invalid":
        text = "---\ntitle: [unclosed\n---\n"
    else:
        lines = ["---", "title: %s" % content["title"]]
        if content.get("url"):
            lines.append("webUrl: %s" % content["url"])
        if content.get("date"):
            lines.append("publishedDateTime: %s" % content["date"])
        if content.get("quality") is not None:
            lines.append("quality: %d" % content["quality"])
        if content.get("topics"):
            lines.append("topics: [%s]" % ", ".join(content["topics"]))
        if content.get("related"):
            lines.append("related:")
            for r in content["related"]:
                lines.append("  - webUrl: %s" % r["url"])
                lines.append("    title: %s" % r["title"])
        lines.append("---")
        text = "\n".join(lines) + "\n"
    data = text.encode()
    # A comment after the opening line pads the file to its size.
    want = size if size is not None else -(-len(data) // PAD) * PAD
    if content in ("empty",) or want < len(data) + 2:
        return data
    head, rest = data.split(b"\n", 1)
    pad = b"#" + b"x" * (want - len(data) - 2) + b"\n"
    return head + b"\n" + pad + rest


def key_of(content, path):
    """The key a file's article has, or None when it is no article."""
    if not isinstance(content, dict):
        return None
    return content.get("url") or path


def walk(root):
    """The article files newsindex's walk finds under `root`, in its
    order (lib/files/walk.c): names sorted by bytes, hidden ones left out,
    links followed, no folder entered twice."""
    seen = set()
    found = []

    def walk_path(path, is_source):
        try:
            st = os.stat(path)
        except OSError:
            return
        if stat.S_ISDIR(st.st_mode):
            if (st.st_dev, st.st_ino) in seen:
                return
            seen.add((st.st_dev, st.st_ino))
            try:
                names = os.listdir(path)
            except OSError:
                return
            for name in sorted((n for n in names if not n.startswith(".")),
                               key=os.fsencode):
                walk_path(path + "/" + name, False)
        elif stat.S_ISREG(st.st_mode):
            name = path.rsplit("/", 1)[-1].lower()
            if is_source or name.endswith((".txt", ".md", ".markdown")):
                found.append(path)

    walk_path(root, True)
    return found


class Tree:
    """The folder the operations work on: WORK/root is the source,
    WORK/attic a folder outside it (folders moved out, link targets).
    Knows what each file holds by its inode (a rename keeps it), and a
    version of each, so that it tells a file not touched since the last
    build from one rewritten, replaced or swapped."""

    def __init__(self, work):
        self.work = work
        os.makedirs(self.p("root"))
        os.makedirs(self.p("attic"))
        self.content = {}     # inode -> content
        self.version = {}     # inode -> version
        self.next_version = 0

    def p(self, rel):
        return self.work + "/" + rel

    def bump(self, rel):
        st = os.stat(self.p(rel))
        self.next_version += 1
        self.version[st.st_ino] = self.next_version

    def inode(self, path):
        return os.stat(path).st_ino

    def write(self, rel, content, mtime=None, size=None):
        path = self.p(rel)
        if os.path.isdir(path):
            return False
        old = os.stat(path) if os.path.isfile(path) else None
        if size == "same":
            size = old.st_size if old else None
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(render(content, size))
        if mtime == "same" and old:
            os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))
        elif isinstance(mtime, int):
            os.utime(path, ns=(mtime, mtime))
        self.content[self.inode(path)] = content
        self.bump(rel)
        return True

    def apply(self, op):
        """Do one operation; False when it does not apply (its file is
        gone: a sequence being minimised)."""
        do = op["do"]
        p = self.p
        if do == "write":
            return self.write(op["path"], op["content"], op.get("mtime"),
                              op.get("size"))
        if do == "rename":
            src, dst = p(op["src"]), p(op["dst"])
            if not os.path.isfile(src) or os.path.isdir(dst):
                return False
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.rename(src, dst)
            self.bump(op["dst"])
            return True
        if do == "swap":
            a, b = p(op["a"]), p(op["b"])
            if not (os.path.isfile(a) and os.path.isfile(b)) or \
                    os.path.samefile(a, b):
                return False
            if op.get("how") == "cp":
                # cp -p: contents and times exchanged, inodes kept.
                ca = self.content.get(self.inode(a))
                cb = self.content.get(self.inode(b))
                tmp = p("swap.tmp")
                shutil.copy2(a, tmp)
                shutil.copy2(b, a)
                shutil.copy2(tmp, b)
                os.unlink(tmp)
                self.content[self.inode(a)] = cb
                self.content[self.inode(b)] = ca
            else:
                tmp = a + ".swap"
                os.rename(a, tmp)
                os.rename(b, a)
                os.rename(tmp, b)
            self.bump(op["a"])
            self.bump(op["b"])
            return True
        if do in ("delete", "unlink"):
            # A file, or a link to a folder.
            there = os.path.isfile if do == "delete" else os.path.islink
            if not there(p(op["path"])):
                return False
            os.unlink(p(op["path"]))
            return True
        if do == "mkdir":
            if os.path.lexists(p(op["path"])):
                return False
            os.makedirs(p(op["path"]))
            return True
        if do == "movedir":
            src, dst = p(op["src"]), p(op["dst"])
            if not os.path.isdir(src) or os.path.islink(src) or \
                    os.path.lexists(dst) or \
                    not os.path.isdir(os.path.dirname(dst)) or \
                    (dst + "/").startswith(src + "/"):
                return False
            os.rename(src, dst)
            return True
        if do == "link":
            link = p(op["path"])
            target = p(op["target"])
            if os.path.lexists(link) or not os.path.isdir(target) or \
                    not os.path.isdir(os.path.dirname(link)):
                return False
            os.symlink(os.path.relpath(target, os.path.dirname(link)),
                       link)
            return True
        raise ValueError("unknown operation %r" % do)

    def visible(self):
        """[(path, key, (inode, version))] of the files a build walks,
        in walk order."""
        out = []
        for path in walk(self.p("root")):
            ino = self.inode(path)
            content = self.content.get(ino)
            out.append((path, key_of(content, path),
                        (ino, self.version.get(ino))))
        return out

    def files(self, under):
        """Relative paths of the regular files under `under` (no link
        followed), sorted."""
        out = []
        for dirpath, dirs, names in os.walk(self.p(under)):
            dirs.sort()
            for n in sorted(names):
                full = dirpath + "/" + n
                if os.path.isfile(full) and not os.path.islink(full) \
                        and not n.endswith(".tmp"):
                    out.append(os.path.relpath(full, self.work))
        return out

    def folders(self, under):
        out = []
        for dirpath, dirs, _ in os.walk(self.p(under)):
            dirs.sort()
            for d in dirs:
                full = dirpath + "/" + d
                if not os.path.islink(full):
                    out.append(os.path.relpath(full, self.work))
        return out

    def links(self):
        out = []
        for dirpath, dirs, names in os.walk(self.p("root")):
            for n in dirs + names:
                full = dirpath + "/" + n
                if os.path.islink(full):
                    out.append(os.path.relpath(full, self.work))
        return sorted(out)

    def content_of(self, rel):
        try:
            return self.content.get(self.inode(self.p(rel)))
        except OSError:
            return None


# ---- the generator -------------------------------------------------------------

class Generator:
    """Random operations, each written out whole (the content of every
    file written, every path), so that a sequence replays without the
    generator and can be cut down."""

    def __init__(self, seed, skip):
        self.rng = random.Random(seed)
        self.skip = set(skip)
        self.counter = 0

    def name(self):
        self.counter += 1
        return self.counter

    def article(self, url=None, related=None):
        r = self.rng
        n = self.name()
        if not url and "urlless_related" in self.skip:
            related = None
        return {
            "title": "t%d %s" % (n, r.choice(["alpha", "bravo", "delta"])),
            "url": url,
            "date": r.choice([None, "2021-03-0%dT1%d:00:00Z" % (
                r.randint(1, 9), r.randint(0, 9))]),
            "quality": r.choice([None, r.randint(0, 100)]),
            "topics": r.sample(TOPICS, r.randint(0, 2)),
            "related": related or [],
        }

    def record(self, url):
        return {"url": url, "title": "r%d" % self.name()}

    def article_urls(self):
        if "record_at_article" in self.skip:
            return URLS[:len(URLS) // 2]
        return URLS

    def record_urls(self):
        """URLs for a new record (a new list)."""
        if "shared_record" in self.skip:
            # No two records ever share one.
            return ["https://x.test/r%d" % self.name()]
        if "record_at_article" in self.skip:
            return URLS[len(URLS) // 2:]
        return URLS

    def random_url(self):
        r = self.rng
        if r.random() >= 0.85:
            return None
        if "shared_url" in self.skip:
            # A URL of its own: no two files ever share one.
            return "https://x.test/n%d" % self.name()
        return r.choice(self.article_urls())

    def new_article(self):
        r = self.rng
        related = [self.record(r.choice(self.record_urls()))
                   for _ in range(r.choice([0, 0, 1, 2]))]
        return self.article(self.random_url(), related)

    def mtime(self):
        if "archive_mtime" in self.skip or self.rng.random() > 0.3:
            return None
        return self.rng.choice(ARCHIVE_NS)

    def folder(self, tree, where="root"):
        return self.rng.choice([where] + tree.folders(where))

    def new_path(self, tree, where=None):
        r = self.rng
        where = where or ("attic" if r.random() < 0.15 else "root")
        return "%s/f%d.txt" % (self.folder(tree, where), self.name())

    def next(self, tree):
        """The next operation, or None when the drawn kind cannot apply
        (the caller draws again)."""
        r = self.rng
        kinds = [k for k in KINDS if k not in self.skip and
                 k not in MODIFIERS]
        weights = {"create": 6, "rewrite": 3, "take_url": 3, "relate": 4,
                   "delete": 2, "rename": 2}
        kind = r.choices(kinds, [weights.get(k, 1) for k in kinds])[0]
        files = tree.files("root")
        articles = [f for f in files
                    if isinstance(tree.content_of(f), dict)]
        # Now and then a file outside the source (seen through a link,
        # or later moved in).
        outside = tree.files("attic")
        if outside and r.random() < 0.15:
            files = outside
        if kind == "create" or not files:
            if len(files) > 24:
                return None
            return {"kind": "create", "do": "write",
                    "path": self.new_path(tree),
                    "content": self.new_article(), "mtime": self.mtime()}
        if kind == "rewrite":
            f = r.choice(files)
            old = tree.content_of(f)
            new = self.article(old.get("url") if isinstance(old, dict)
                               else self.random_url(),
                               old.get("related") if isinstance(old, dict)
                               else None)
            return {"kind": kind, "do": "write", "path": f, "content": new,
                    "mtime": self.mtime()}
        if kind == "rewrite_same_stamp":
            f = r.choice(files)
            old = tree.content_of(f)
            new = dict(old) if isinstance(old, dict) else self.article()
            new["title"] = "t%d same" % self.name()
            return {"kind": kind, "do": "write", "path": f, "content": new,
                    "mtime": "same", "size": "same"}
        if kind in ("rename", "replace"):
            f = r.choice(files)
            if kind == "replace":
                others = [g for g in files if g != f]
                if not others:
                    return None
                dst = r.choice(others)
            else:
                dst = self.new_path(tree, "root")
            return {"kind": kind, "do": "rename", "src": f, "dst": dst}
        if kind in ("swap", "swap_copy"):
            if len(files) < 2:
                return None
            a, b = r.sample(files, 2)
            return {"kind": kind, "do": "swap", "a": a, "b": b,
                    "how": "cp" if kind == "swap_copy" else "mv"}
        if kind == "delete":
            return {"kind": kind, "do": "delete", "path": r.choice(files)}
        if kind in ("empty", "invalid"):
            content = r.choice(["empty", "blank"]) if kind == "empty" \
                else "invalid"
            return {"kind": kind, "do": "write", "path": r.choice(files),
                    "content": content, "mtime": self.mtime()}
        if kind == "take_url":
            owners = [f for f in articles if tree.content_of(f).get("url")]
            if not owners or len(articles) < 2:
                return None
            a = r.choice(owners)
            b = r.choice([f for f in articles if f != a])
            new = self.article(tree.content_of(a)["url"],
                               tree.content_of(b).get("related"))
            return {"kind": kind, "do": "write", "path": b, "content": new,
                    "mtime": self.mtime()}
        if kind == "give_up_url":
            if not articles:
                return None
            f = r.choice(articles)
            old = tree.content_of(f)
            used = {tree.content_of(g).get("url") for g in articles}
            free = [u for u in self.article_urls() if u not in used]
            new = dict(old)
            new["title"] = "t%d" % self.name()
            new["url"] = r.choice(free + [None]) \
                if "shared_url" not in self.skip else self.random_url()
            if not new["url"] and "urlless_related" in self.skip:
                new["related"] = []
            return {"kind": kind, "do": "write", "path": f, "content": new,
                    "mtime": self.mtime()}
        if kind == "relate":
            if "urlless_related" in self.skip:
                articles = [f for f in articles
                            if tree.content_of(f).get("url")]
            if not articles:
                return None
            f = r.choice(articles)
            old = tree.content_of(f)
            # At an article, at a record another file lists, at its own
            # parent, or at a URL of the pool.
            articles_at = [tree.content_of(g).get("url") for g in articles]
            articles_at += [old.get("url")] * 2
            records_at = [x["url"] for g in articles
                          for x in tree.content_of(g).get("related", [])]
            targets = self.record_urls()
            if "record_at_article" not in self.skip:
                targets += [t for t in articles_at if t]
            if "shared_record" not in self.skip:
                targets += [t for t in records_at if t in URLS]
            url = r.choice(targets)
            new = dict(old)
            new["title"] = "t%d" % self.name()
            new["related"] = list(old.get("related", [])) + \
                [self.record(url)]
            return {"kind": kind, "do": "write", "path": f, "content": new,
                    "mtime": self.mtime()}
        if kind == "unrelate":
            listing = [f for f in articles
                       if tree.content_of(f).get("related")]
            if not listing:
                return None
            f = r.choice(listing)
            new = dict(tree.content_of(f))
            new["title"] = "t%d" % self.name()
            new["related"] = list(new["related"])
            del new["related"][r.randrange(len(new["related"]))]
            return {"kind": kind, "do": "write", "path": f, "content": new,
                    "mtime": self.mtime()}
        if kind == "mkdir":
            where = "attic" if r.random() < 0.4 else "root"
            return {"kind": kind, "do": "mkdir",
                    "path": "%s/d%d" % (self.folder(tree, where),
                                        self.name())}
        if kind == "move_out":
            inside = tree.folders("root")
            if not inside:
                return None
            return {"kind": kind, "do": "movedir", "src": r.choice(inside),
                    "dst": "attic/d%d" % self.name()}
        if kind == "move_in":
            outside = tree.folders("attic")
            if not outside:
                return None
            return {"kind": kind, "do": "movedir",
                    "src": r.choice(outside),
                    "dst": "%s/d%d" % (self.folder(tree), self.name())}
        if kind == "link":
            targets = tree.folders("attic") + tree.folders("root")
            if not targets:
                return None
            return {"kind": kind, "do": "link",
                    "path": "%s/l%d" % (self.folder(tree), self.name()),
                    "target": r.choice(targets)}
        if kind == "unlink":
            links = tree.links()
            if not links:
                return None
            return {"kind": kind, "do": "unlink", "path": r.choice(links)}
        raise AssertionError(kind)


# ---- the programs -----------------------------------------------------------------

def run(args):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    return p.returncode, p.stdout.decode(errors="replace"), \
        p.stderr.decode(errors="replace")


def build(db, sources, shards=1):
    args = [NEWSINDEX, "build", "-q", "--db", db]
    if shards > 1 and not os.path.exists(db):
        args += ["--shards", str(shards)]
    code, out, err = run(args + ["--"] + sources)
    return code, out + err


def documents(db):
    """Every document of the index, each as a dict of what is compared."""
    docs = []
    offset = 0
    while True:
        code, out, err = run([NEWSQUERY, "--db", db, "--all", "--json",
                              "--limit", str(PAGE), "--offset", str(offset),
                              "--", MATCH_ALL])
        if code not in (0, 1):
            raise RuntimeError("newsquery failed (%d): %s" % (code, err))
        page = json.loads(out)
        for r in page["results"]:
            docs.append({
                "key": r["url"] or r["path"],
                "path": r["path"],
                "title": r["title"],
                "related_of": r["related_of"],
                "date": r["date"],
                "quality": r["quality"],
                "topics": r["topics"],
            })
        if page["next_offset"] is None:
            return docs
        offset = page["next_offset"]


XAPIAN_METADATA = shutil.which("xapian-metadata")


def check(db):
    """newsindex check of `db`, told first (when xapian-metadata is
    installed) that its last build ended in 2999, so that it compares
    every file, not only those older than the build."""
    if XAPIAN_METADATA:
        folders = [db]
        if os.path.exists(db + "/XAPIANDB"):
            folders = sorted(db + "/" + d for d in os.listdir(db)
                             if d.startswith("shard-"))
        for folder in folders:
            code, out, err = run([XAPIAN_METADATA, "set", folder,
                                  "app.last_build", "2999-01-01T00:00:00Z"])
            if code != 0:
                raise RuntimeError("xapian-metadata failed: " + err)
    code, out, err = run([NEWSINDEX, "check", "--db", db])
    return code, out + err


# ---- the comparison ------------------------------------------------------------------

def by_key(docs):
    out = {}
    twice = []
    for d in docs:
        if d["key"] in out:
            twice.append(d["key"])
        out[d["key"]] = d
    return out, twice


def describe(d):
    if d is None:
        return "none"
    return "%s%s, title %r, path %s%s" % (
        "related record of %s" % d["related_of"] if d["related_of"]
        else "article", "", d["title"], d["path"],
        "".join(", %s %r" % (f, d[f]) for f in ("date", "quality", "topics")
                if d[f] not in (None, [])))


def differences(got, want):
    """Lines saying how the documents `got` differ from `want`, and
    the kind of the first difference."""
    g, g_twice = by_key(got)
    w, _ = by_key(want)
    lines = ["key %s is on several documents" % k for k in g_twice]
    kind = "twice" if g_twice else None
    for k in sorted(set(g) | set(w)):
        if g.get(k) != w.get(k):
            lines.append("key %s:\n    index: %s\n    fresh: %s" % (
                k, describe(g.get(k)), describe(w.get(k))))
            kind = kind or ("extra" if k not in w else "missing"
                            if k not in g else "differs")
    return lines, kind


def map_paths(docs, old, new):
    def fix(s):
        return new + s[len(old):] if s and s.startswith(old + "/") else s
    for d in docs:
        for f in ("key", "path", "related_of"):
            d[f] = fix(d[f])
    return docs


# ---- a sequence ------------------------------------------------------------------------

class Run:
    """A folder, the indexes under test and what the model remembers of
    the last build: the file at each path and who held each key."""

    def __init__(self, base, shards):
        self.base = base
        # Two folders of the same length: paths (keys of articles
        # without a URL) sort alike in both.
        self.tree = Tree(base + "/w")
        self.oracle = base + "/o"
        self.shards = shards
        self.dbs = {n: "%s/db%d" % (base, n) for n in shards}
        self.holder = {}       # key -> path, at the last build
        self.last = {}         # path -> (inode, version), at the last build
        self.step = 0

    def losers(self, visible):
        """Files that must lose their key to its holder at the last
        build, still there with it and untouched since: a fresh build
        would give the key to the first file of the walk."""
        by_key = {}
        for path, key, ident in visible:
            if key is not None:
                by_key.setdefault(key, []).append((path, ident))
        out = []
        for key, files in by_key.items():
            held = self.holder.get(key)
            if len(files) < 2 or held is None:
                continue
            if any(p == held and self.last.get(p) == ident
                   for p, ident in files):
                out += [p for p, _ in files if p != held]
        return out

    def fresh(self, losers):
        """A fresh build of the tree (without `losers`), its documents
        with the tree's paths."""
        if os.path.exists(self.oracle):
            shutil.rmtree(self.oracle)
        shutil.copytree(self.tree.work, self.oracle, symlinks=True)
        w = self.tree.work
        for path in losers:
            os.unlink(self.oracle + path[len(w):])
        db = self.base + "/fresh"
        if os.path.exists(db):
            shutil.rmtree(db)
        code, out = build(db, [self.oracle + "/root"])
        if code != 0:
            raise RuntimeError("fresh build failed (%d): %s" % (code, out))
        return map_paths(documents(db), self.oracle, w)

    def do(self, op):
        self.step += 1
        self.tree.apply(op)
        visible = self.tree.visible()
        losers = self.losers(visible)
        for n in self.shards:
            code, out = build(self.dbs[n], [self.tree.p("root")], n)
            if code != 0:
                raise Failure(self.step, n, "build exited %d: %s" %
                              (code, out))
        want = self.fresh(losers)
        for n in self.shards:
            got = documents(self.dbs[n])
            diff, kind = differences(got, want)
            if diff:
                code, out = check(self.dbs[n])
                raise Failure(self.step, n, "\n".join(
                    ["the index differs from a fresh build:"] + diff +
                    ["newsindex check (exit %d):" % code, out.rstrip()]),
                    kind)
            code, out = check(self.dbs[n])
            if code != 0:
                raise Failure(self.step, n, "newsindex check exited %d "
                              "on an index equal to a fresh build:\n%s"
                              % (code, out.rstrip()), "check")
        self.holder = {d["key"]: d["path"] for d in want
                       if not d["related_of"]}
        self.last = {path: ident for path, _, ident in visible}


def replay(ops, shards, keep=False):
    """Replay `ops` from an empty folder; the Failure or None."""
    base = tempfile.mkdtemp(prefix="drift-")
    try:
        r = Run(base, shards)
        for op in ops:
            r.do(op)
        return None
    except Failure as f:
        return f
    finally:
        if keep:
            print("kept %s" % base, file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


def generate(seed, length, shards, skip, keep=False):
    """A random sequence; (ops so far, Failure) or (ops, None)."""
    base = tempfile.mkdtemp(prefix="drift-")
    ops = []
    try:
        r = Run(base, shards)
        g = Generator(seed, skip)
        while len(ops) < length:
            op = g.next(r.tree)
            if op is None:
                continue
            ops.append(op)
            r.do(op)
        return ops, None
    except Failure as f:
        return ops, f
    finally:
        if keep:
            print("kept %s" % base, file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)


def simpler(op):
    """Versions of `op` with less in the file it writes."""
    c = op.get("content")
    if not isinstance(c, dict):
        return
    for field, empty in (("related", []), ("topics", []), ("date", None),
                         ("quality", None)):
        if c.get(field) != empty:
            yield dict(op, content=dict(c, **{field: empty}))
    for i in range(len(c.get("related", []))):
        yield dict(op, content=dict(c, related=c["related"][:i] +
                                    c["related"][i + 1:]))
    if op.get("mtime") is not None:
        yield dict(op, mtime=None)


def minimise(ops, shards, kind):
    """The shortest sequence found (ddmin) that still fails the same
    way, with files as plain as will do; each try replays from an empty
    folder."""
    def fails(candidate):
        f = replay(candidate, shards)
        return f if f is not None and f.kind == kind else None

    ops = list(ops)
    n = 2
    while len(ops) >= 2:
        chunk = -(-len(ops) // n)
        smaller = False
        for i in range(0, len(ops), chunk):
            rest = ops[:i] + ops[i + chunk:]
            f = fails(rest)
            if f is not None:
                ops = rest[:f.step]
                n = max(n - 1, 2)
                smaller = True
                break
        if not smaller:
            if n >= len(ops):
                break
            n = min(n * 2, len(ops))
    i = 0
    while i < len(ops):
        for plainer in simpler(ops[i]):
            f = fails(ops[:i] + [plainer] + ops[i + 1:])
            if f is not None:
                ops[i] = plainer
                break
        else:
            i += 1
    return ops


def dump(ops):
    return "".join(json.dumps(op, sort_keys=True) + "\n" for op in ops)


def read_ops(path):
    with open(path) as f:
        return [json.loads(line) for line in f
                if line.strip() and not line.startswith("#")]


def report(what, ops, failure, shards, do_minimise, save):
    print("FAIL: %s, step %d, index %s:" % (
        what, failure.step, "of %d shards" % failure.shards
        if failure.shards > 1 else "(one)"))
    print(failure.text)
    print("operations so far (a regression file's lines):")
    ops = ops[:failure.step]
    sys.stdout.write(dump(ops))
    if do_minimise:
        ops = minimise(ops, [failure.shards], failure.kind)
        print("minimised to %d operations:" % len(ops))
        sys.stdout.write(dump(ops))
        f = replay(ops, [failure.shards])
        if f:
            print(f.text)
    if save:
        with open(save, "w") as out:
            out.write("# %s, step %d: %s\n" % (
                what, failure.step, failure.text.split("\n")[0]))
            out.write(dump(ops))
        print("saved as %s" % save)
    sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int,
                    default=int(os.environ.get("NI_DRIFT_SEED", "1")))
    ap.add_argument("--steps", type=int,
                    default=int(os.environ.get("NI_DRIFT_STEPS", "300")))
    ap.add_argument("--length", type=int, default=100)
    ap.add_argument("--skip", default=os.environ.get("NI_DRIFT_SKIP", ""))
    ap.add_argument("--shards", default="1,3")
    ap.add_argument("--replay", nargs="+", metavar="FILE")
    ap.add_argument("--no-regressions", action="store_true")
    ap.add_argument("--minimise", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--save", metavar="FILE")
    ap.add_argument("--list-kinds", action="store_true")
    ap.add_argument("--progress", action="store_true",
                    help="a line on stderr after each sequence")
    a = ap.parse_args()
    if a.list_kinds:
        print("\n".join(KINDS))
        return 0
    skip = [k for k in a.skip.split(",") if k]
    unknown = [k for k in skip if k not in KINDS]
    if unknown:
        ap.error("unknown kinds: %s (see --list-kinds)" % ", ".join(unknown))
    shards = [int(n) for n in a.shards.split(",")]
    started = time.monotonic()
    failed = 0

    files = a.replay
    if a.no_regressions:
        files = []
    elif files is None:
        files = sorted(os.path.join(REGRESSIONS, f)
                       for f in os.listdir(REGRESSIONS)
                       if f.endswith(".ops")) \
            if os.path.isdir(REGRESSIONS) else []
    for path in files:
        ops = read_ops(path)
        left_out = {op["kind"] for op in ops} & set(skip)
        if left_out:
            print("skipped %s (uses %s)" % (path, ", ".join(
                sorted(left_out))))
            continue
        f = replay(ops, shards, a.keep)
        if f:
            report("replay of %s" % path, ops, f, shards, False,
                   None)
            failed += 1
        else:
            print("replayed %s: %d operations, no drift" % (path, len(ops)))
    if a.replay is not None:
        return 1 if failed else 0

    done = 0
    seed = a.seed
    while done < a.steps:
        length = min(a.length, a.steps - done)
        ops, f = generate(seed, length, shards, skip, a.keep)
        if f:
            done += f.step
            report("seed %d" % seed, ops, f, shards, a.minimise, a.save)
            print("replay: drift.py --seed %d --steps %d --length %d%s" % (
                seed, f.step, a.length,
                " --skip " + ",".join(skip) if skip else ""))
            failed += 1
            break
        done += length
        seed += 1
        if a.progress:
            print("%d/%d steps, %.0f s" % (done, a.steps,
                                          time.monotonic() - started),
                  file=sys.stderr, flush=True)
    print("%d steps from seed %d (%s), %s, in %.1f s" % (
        done, a.seed, "indexes of " + ",".join(map(str, shards)) +
        " shards", "skipping " + ",".join(skip) if skip else
        "every kind of operation", time.monotonic() - started))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
