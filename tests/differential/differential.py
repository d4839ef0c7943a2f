#!/usr/bin/env python3
"""Differential test of the query language (docs/query-syntax.md).

For every documented form of query, the articles `newsquery --all
--format json --strict-syntax` returns (every copy of a story, every page), and among
them those of the first tier (`all_words`), must be those that a
brute-force reading of the same article files finds (model.py reads
them, expect.py says what each form matches).  Run on the sample
articles with the test fixtures, and on a few hundred articles
generated here from a fixed seed (ASCII words of a small vocabulary,
compounds written apart, hyphenated and joined, a few runs of Chinese
and Japanese, related records, every filter's values).

Usage: differential.py [--keep]
       differential.py --index DB [--seed N] [--stems FILE] FOLDER...
  NEWSINDEX and NEWSQUERY name the programs; NI_TEST_SAMPLES and
  NI_TEST_FIXTURES the folders.  --keep keeps the work folder.  --index
  checks an index already built from the FOLDERs (the AG News articles,
  by hand) with the queries made for the samples (from seed N, default
  1); FILE adds "word stem" lines to the stem classes known.
Exit status 0 when every query agreed; each disagreement is printed
with the articles only one side found.
"""

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

# The source tree is not written: no __pycache__ beside the modules.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import expect  # noqa: E402
import model  # noqa: E402

sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
import json_check  # noqa: E402

# The programs built rather than tests/e2e/bin/'s, which check JSON by
# starting a Python each time: search() checks each answer itself.
NEWSINDEX = os.environ.get("NI_BUILT_NEWSINDEX") or \
    os.environ.get("NEWSINDEX", "newsindex")
NEWSQUERY = os.environ.get("NI_BUILT_NEWSQUERY") or \
    os.environ.get("NEWSQUERY", "newsquery")
PAGE = 10000

# ---- the generated articles -------------------------------------------------

VOCAB = [
    "oil", "oils", "price", "prices", "priced", "pricing", "gas",
    "market", "markets", "marketing", "trade", "trades", "traded",
    "trading", "sanction", "sanctions", "sanctioned", "export", "exports",
    "exported", "energy", "energies", "rate", "rates", "bank", "banks",
    "banking", "chip", "chips", "robot", "robots", "computing", "computer",
    "computers", "storm", "river", "coffee", "wind", "tariff", "tariffs",
    "inflation", "profit", "profits", "loss", "deal", "deals", "merger",
    "stock", "stocks", "bond", "yield", "currency", "dollar", "rally",
    "surge", "drop", "share", "shares", "report", "reported", "fund",
    "funding",
]
STOPWORDS = ["the", "of", "and", "or", "not", "near", "to", "in", "on", "a"]
# A compound as written, its parts and its joined form.
COMPOUNDS = [
    ("e-commerce", ("e", "commerce"), "ecommerce"),
    ("U.S.", ("u", "s"), "us"),
    ("Kong-based", ("kong", "based"), "kongbased"),
    ("x-ray", ("x", "ray"), "xray"),
    ("covid-19", ("covid", "19"), "covid19"),
    ("long-term", ("long", "term"), "longterm"),
]
TOPICS = ["Energy", "Markets", "Oil and Gas", "AI", "Trade War", "Robotics"]
PROVIDERS = [
    ("Reuters", "reuters.com"), ("Nikkei Asia", "asia.nikkei.com"),
    ("Der Spiegel", "spiegel.de"), ("TheStreet.com", "thestreet.com"),
    (None, "news.example.org"), ("Solo Desk", None),
]
CJK_RUNS = ["人工智能公司", "语言模型", "ソニーグループ", "東京ガス"]


def sentence(rng, n):
    words = []
    for _ in range(n):
        r = rng.random()
        if r < 0.68:
            w = rng.choice(VOCAB)
        elif r < 0.86:
            w = rng.choice(STOPWORDS)
        elif r < 0.93:
            written, parts, joined = rng.choice(COMPOUNDS)
            w = rng.choice([written, written, " ".join(parts), joined])
        elif r < 0.96:
            w = "https://example.com/" + rng.choice(VOCAB)
        else:
            w = rng.choice(VOCAB) + rng.choice([",", ";", ".", "'s"])
        c = rng.random()
        words.append(w.upper() if c < 0.05 else
                     w.capitalize() if c < 0.2 else w)
    return " ".join(words)


def quoted(s):
    return json.dumps(s, ensure_ascii=False)


# Past 9999-12-31T23:59:59Z in UTC, the last instant, before the first,
# the first, a fraction of 30 digits; a quality too small for a double
# (0), too large (none), with an exponent, with 30 decimals, not a
# quality (a YAML number all the same).
EDGE_DATES = ["9999-12-31T23:59:59-14:00", "9999-12-31T09:59:59-14:00",
              "0000-01-01T00:00:00+00:01", "0000-01-01T00:00:00Z",
              "2021-06-01T12:00:00.123456789012345678901234567890Z",
              "9999-12-31T23:59:60Z"]
# Dates as YAML's timestamps, Jekyll and PyYAML write them.
YAML_DATES = ["2021-06-01 20:00:00 +0800", "2021-06-01t07:00:00-5",
              "2021-06-01 12:00:00.5z", "2021-06-01 12:00:00+00:00"]
# Dates as RSS's pubDate (RFC 5322) and Unix time write them.
RSS_DATES = ["Tue, 01 Jun 2021 12:00:00 GMT", "1 Jun 2021 07:00 -0500",
             "Tue, 01 Jun 2021 05:00:00 PDT", "1622548800",
             "1622548800000", "Tue, 01 Jun 2021 14:00:00 +0200"]
EDGE_QUALITIES = ["1e-400", "1e400", "8.75e1",
                  "37.000000000000000000000000000001", ".5", "1e-5"]


def generate(folder, n=300, seed=12):
    """`n` articles from a fixed seed into `folder`."""
    rng = random.Random(seed)
    os.makedirs(folder)
    shared = ["https://shared.example/%d" % i for i in range(8)]
    for i in range(n):
        lines = ["---"]
        run = CJK_RUNS[i // 25 % len(CJK_RUNS)]
        if i % 25 == 3:
            lines.append("title: " + quoted(run + " plans"))
        elif i % 25 == 4:
            lines.append("title: " + quoted("plans " + run))
        elif rng.random() < 0.95:
            lines.append("title: " + quoted(sentence(rng, rng.randint(3, 8))))
        if rng.random() < 0.95:
            lines.append("excerpt: " +
                         quoted(sentence(rng, rng.randint(8, 30))))
        r = rng.random()
        if r < 0.8:
            lines.append("webUrl: " + quoted("https://news.example/%d" % i))
        if 0.7 < r < 0.9:
            lines.append("originalUrl: " +
                         quoted("https://orig.example/%d" % i))
        topics = rng.sample(TOPICS, rng.choice([0, 1, 1, 2, 3]))
        if topics:
            lines.append("topics: [%s]" % ", ".join(quoted(t) for t in topics))
        name, domain = rng.choice(PROVIDERS)
        if rng.random() < 0.9:
            lines.append("provider:")
            if name:
                lines.append("  name: " + quoted(name))
            if domain:
                lines.append("  domain: " + domain)
        for key, values in (("category", ["news", "Business", "science"]),
                            ("type", ["article", "video"]),
                            ("published", ["true", "false", "FALSE"])):
            if rng.random() < 0.8:
                lines.append("%s: %s" % (key, rng.choice(values)))
        q = rng.random()
        if q < 0.6:
            lines.append("quality: %d" % rng.randint(0, 100))
        elif q < 0.8:
            lines.append("quality: %d.5" % rng.randint(0, 99))
        if rng.random() < 0.85:
            t = rng.randint(1546300800, 1703980800)   # 2019..2023
            lines.append("publishedDateTime: " + time.strftime(
                "%Y-%m-%dT%H:%M:%SZ" if rng.random() < 0.8 else
                "%Y-%m-%dT%H:%M:%S+02:00", time.gmtime(
                    t + (0 if rng.random() < 0.8 else 7200))))
        if rng.random() < 0.25:
            lines.append("related:")
            for _ in range(rng.randint(1, 2)):
                k = rng.random()
                url = (rng.choice(shared) if k < 0.4 else
                       "https://news.example/%d" % rng.randrange(n)
                       if k < 0.55 else
                       "https://related.example/%d-%d" % (i, rng.random()
                                                           * 1e6))
                lines.append("  - title: " +
                             quoted(sentence(rng, rng.randint(3, 7))))
                lines.append("    excerpt: " +
                             quoted(sentence(rng, rng.randint(5, 15))))
                lines.append("    webUrl: " + quoted(url))
                if rng.random() < 0.5:
                    lines.append("    quality: %d" % rng.randint(0, 100))
                    lines.append("    type: video")
        if i % 50 == 7:
            # The edges of dates and qualities, in place of the drawn ones
            # (the draws stay the same).
            lines = [line for line in lines
                     if not line.startswith(("quality:",
                                             "publishedDateTime:"))]
            lines.append("publishedDateTime: " + EDGE_DATES[i // 50])
            lines.append("quality: " + EDGE_QUALITIES[i // 50])
        if i % 50 == 23:
            lines = [line for line in lines
                     if not line.startswith("publishedDateTime:")]
            lines.append("publishedDateTime: " +
                         YAML_DATES[i // 50 % len(YAML_DATES)])
        if i % 50 == 29:
            lines = [line for line in lines
                     if not line.startswith("publishedDateTime:")]
            lines.append("publishedDateTime: " +
                         RSS_DATES[i // 50 % len(RSS_DATES)])
        lines.append("---")
        with open(os.path.join(folder, "%04d.md" % i), "w") as f:
            f.write("\n".join(lines) + "\n")


# ---- the queries ------------------------------------------------------------

DAY = 86400
# The plain words searched for in articles not generated here: those
# whose stem classes model.STEM writes down.
SEARCHED = sorted(model.STEM)


def ts(y, m=1, d=1):
    return model.days_from_civil(y, m, d) * DAY


def query_list(c, rng, words, generated):
    """(query, strict tier, every match) for each documented form.
    `words` are plain words to search for (their stem classes known)."""
    qs = []

    def add(q, strict, full=None):
        qs.append((q, strict, strict if full is None else full))

    W, X = c.word, c.exact
    pick = rng.choice

    def two():
        return rng.sample(words, 2)

    # Words and the two tiers.
    for _ in range(6):
        a, b = two()
        add(a, W(a))
        add(a.upper(), W(a))
        add("%s %s" % (a, b), W(a) & W(b), W(a) | W(b))
        x = pick(words)
        add("%s %s %s" % (a, b, x), W(a) & W(b) & W(x),
            W(a) | W(b) | W(x))
    # Stopwords: only the default operator leaves them out.
    for _ in range(3):
        a, b = two()
        add("the %s of %s" % (a, b), W(a) & W(b), W(a) | W(b))
        add("%s near %s" % (a, b), W(a) & W(b), W(a) | W(b))
        add("%s NEAR %s near" % (a, b), c.near([a, b], 10))
        add("the OR %s" % a, W("the") | W(a))
        add("the AND %s" % a, W("the") & W(a))
        add("%s AND the %s" % (a, b), W(a) & W("the") & W(b),
            (W(a) & W("the")) | W(b))
        add("the %s AND %s" % (a, b), W(a) & W(b))
        add("%s NOT the" % a, W(a) - W("the"))
        add("(the) %s" % a, W(a))
        add("(the) OR %s" % a, W("the") | W(a))
        add("%s OR the %s" % (a, b), W(a) | W(b))
        add("+the %s" % a, W("the") & W(a), W("the"))
    add("the", W("the"))
    add("near", W("near"))
    add("the of", W("the") & W("of"), W("the") | W("of"))
    add("the topic:ai", W("the") & c.topic("ai"))
    # Phrases, picked from the articles so that some match.
    for _ in range(12):
        for a, b in adjacent(c, rng):
            add('"%s %s"' % (a, b), c.phrase([a, b]))
            add('"%s %s"' % (b, a), c.phrase([b, a]))
            add('"the %s"' % a, c.phrase(["the", a]))
            add('title:"%s %s"' % (a, b), c.phrase([a, b], True))
            add("%s*%s" % (a, b), c.phrase([a, b]))
            add("title:%s*%s" % (a, b), c.phrase([a, b], True))
            w = pick(words)
            add("%s -%s*%s" % (w, a, b), W(w) - c.phrase([a, b]))
    for _ in range(4):
        a = pick(words)
        add('"%s"' % a, X(a))
    for written, parts, joined in COMPOUNDS if generated else \
            COMPOUNDS[:3]:
        comp = (parts, joined)
        for other in rng.sample(words, 3) + ["the"]:
            add('"%s %s"' % (written, other), c.phrase([comp, other]))
            add('"%s %s"' % (other, written), c.phrase([other, comp]))
            add('"%s %s"' % (joined, other), c.phrase([joined, other]))
            add('"%s %s"' % (" ".join(parts), other),
                c.phrase(list(parts) + [other]))
        add('"%s"' % written, c.phrase([comp]))
        # Unquoted: its words apart, or joined; all first, then any.  A
        # part of one letter is no word alone (the "e" of e-commerce);
        # an initialism (U.S.) is its letters side by side.
        words_of = [p for p in parts if len(p) > 1]
        if words_of:
            apart = set.intersection(*(W(p) for p in parts))
            title_apart = set.intersection(*(c.word(p, True)
                                             for p in parts))
        else:
            apart = c.phrase(list(parts))
            title_apart = c.phrase(list(parts), True)
        anyone = set.union(W(joined), *(W(p) for p in words_of))
        title_any = set.union(c.word(joined, True),
                              *(c.word(p, True) for p in words_of))
        if not words_of:
            anyone |= apart
            title_any |= title_apart
        add(written, apart | W(joined), anyone)
        other = pick(words)
        add("%s %s" % (written, other), (apart | W(joined)) & W(other),
            anyone | W(other))
        add("title:%s" % written, title_apart | c.word(joined, True),
            title_any)
        add('"%s %s"' % (written, written), c.phrase([comp, comp]))
        w = pick(words)
        add("https://%s/%s" % (joined, w), c.phrase(["https", joined, w]))
    for a, b in adjacent(c, rng, compounds=True):
        add('"%s %s"' % (a, b), c.phrase([a, b]))
    for _ in range(6):
        w = pick(words)
        add("https://example.com/" + w,
            c.phrase(["https", (("example", "com"), "examplecom"), w]))
    add('"kong-based swedish"', c.phrase([(("kong", "based"), "kongbased"),
                                          "swedish"]))
    add('"u.s. swedish"', c.phrase([(("u", "s"), "us"), "swedish"]))
    # Runs of Chinese and Japanese.
    for run in CJK_RUNS + ["人工智能", "ソニー", "模型", "智能公司"]:
        add('"%s"' % run, c.cjk_run(run))
        add('"%s plans"' % run, c.cjk_run(run, "plans"))
    # Required and excluded.
    for _ in range(4):
        a, b = two()
        x = pick(words)
        add("+%s %s" % (a, b), W(a) & W(b), W(a))
        add("%s -%s" % (a, b), W(a) - W(b))
        add("%s %s -%s" % (a, b, x), (W(a) & W(b)) - W(x),
            (W(a) | W(b)) - W(x))
        add("-%s" % a, c.all - W(a))
        add("%s -(%s %s)" % (x, a, b), W(x) - (W(a) & W(b)))
        add("%s - %s" % (a, b), W(a) & W(b), W(a) | W(b))
    # AND, OR, NOT and their precedence.
    for _ in range(4):
        a, b = two()
        x = pick(words)
        add("%s OR %s" % (a, b), W(a) | W(b))
        add("%s AND %s" % (a, b), W(a) & W(b))
        add("%s NOT %s" % (a, b), W(a) - W(b))
        add("NOT %s" % a, c.all - W(a))
        add("%s OR %s %s" % (a, b, x), W(a) | (W(b) & W(x)),
            W(a) | W(b) | W(x))
        add("%s %s OR %s" % (a, b, x), (W(a) & W(b)) | W(x),
            W(a) | W(b) | W(x))
        add("%s AND %s %s" % (a, b, x), W(a) & W(b) & W(x),
            (W(a) & W(b)) | W(x))
        add("%s NOT %s %s" % (a, b, x), (W(a) - W(b)) & W(x),
            (W(a) - W(b)) | W(x))
        add("NOT %s %s" % (a, b), W(b) - W(a))
        add("%s OR NOT %s" % (a, b), W(a) | (c.all - W(b)))
        add("NOT NOT %s" % a, W(a))
        add("NOT NOT (%s %s)" % (a, b), W(a) & W(b))
        add("NOT (NOT (%s %s))" % (a, b), W(a) & W(b))
        add("-(-(%s %s))" % (a, b), W(a) & W(b))
        add("NOT NOT NOT (%s %s)" % (a, b), c.all - (W(a) & W(b)))
        add("(%s %s) %s" % (a, b, x), W(a) & W(b) & W(x),
            W(a) | W(b) | W(x))
        add("(%s OR %s) %s" % (a, b, x), (W(a) | W(b)) & W(x),
            W(a) | W(b) | W(x))
        add("+(%s %s) %s" % (a, b, x), W(a) & W(b) & W(x), W(a) | W(b))
        add("(%s %s) OR %s" % (a, b, x), (W(a) & W(b)) | W(x),
            W(a) | W(b) | W(x))
    # NEAR: words as typed, within the distance.
    for _ in range(4):
        for a, b in adjacent(c, rng, gap=rng.randint(1, 6)):
            for n in (1, 3, 5, 10):
                add("%s NEAR/%d %s" % (a, n, b), c.near([a, b], n))
            add("%s NEAR %s" % (b, a), c.near([a, b], 10))
            add("title:%s NEAR title:%s" % (a, b), c.near([a, b], 10, True))
            x = pick(words)
            add("%s NEAR %s NEAR/3 %s" % (a, b, x), c.near([a, b, x], 10))
    # Prefixes.
    for w in rng.sample(words, 6):
        # At most 200 words may start with a prefix (a longer one then).
        p = next(w[:n] for n in range(3, len(w) + 1)
                 if sum(t.startswith(w[:n]) for t in c.holding[False])
                 <= 200)
        add(p + "*", c.prefix(p))
        add("title:%s*" % p, c.prefix(p, True))
        add("%s* -%s" % (p, w), c.prefix(p) - W(w))
    add("ecom*", c.prefix("ecom"))
    # title:
    for _ in range(4):
        a, b = two()
        T = c.word
        add("title:%s" % a, T(a, True))
        add("title:(%s OR %s)" % (a, b), T(a, True) | T(b, True))
        add("title:(%s %s)" % (a, b), T(a, True) & T(b, True),
            T(a, True) | T(b, True))
        add("title:the", T("the", True))
    # Filters.
    filters(c, add, rng, words)
    return qs


def adjacent(c, rng, compounds=False, gap=1):
    """Pairs of words `gap` positions apart in some article's field."""
    out = []
    docs = sorted(c.docs)
    for _ in range(200):
        d = c.docs[rng.choice(docs)]
        fields = [f for f in d.fields if f.exact and f.at]
        if not fields:
            continue
        f = rng.choice(fields)
        pos = rng.choice(sorted(f.at))
        here, there = f.at.get(pos, set()), f.at.get(pos + gap, set())
        if compounds:
            here = {w for w in here if len(here) > 1}
        pairs = [(a, b) for a in sorted(here) for b in sorted(there)
                 if a.isascii() and b.isascii() and a.isalpha() and
                 b.isalpha()]
        if pairs:
            out.append(rng.choice(pairs))
            break
    return out


def filters(c, add, rng, words):
    from model import fold_value
    docs = [c.docs[k] for k in sorted(c.docs)]
    topics = sorted({t for d in docs for t in d.f["topics"]})
    for t in topics[:6]:
        add("topic:%s" % quote_value(t), c.topic(fold_value(t)))
    if len(topics) >= 2:
        a, b = topics[0], topics[1]
        qa, qb = quote_value(a), quote_value(b)
        A, B = c.topic(fold_value(a)), c.topic(fold_value(b))
        add("topic:%s topic:%s" % (qa, qb), A | B)
        add("topic:(%s OR %s)" % (qa, qb), A | B)
        add("topic:(%s %s)" % (qa, qb), A | B)
        add("topic:(%s AND %s)" % (qa, qb), A & B)
        add("topic:(%s NOT %s)" % (qa, qb), A - B)
        add("+topic:%s topic:%s" % (qa, qb), A & B)
        add("topic:%s AND topic:%s" % (qa, qb), A & B)
        w = rng.choice(words)
        add("%s topic:%s" % (w, qa), c.word(w) & A)
        add("%s -topic:%s" % (w, qa), c.word(w) - A)
        add("%s NOT topic:%s" % (w, qa), c.word(w) - A)
        add("-topic:%s" % qa, c.all - A)
    for field in ("category", "type"):
        values = sorted({d.f[field] for d in docs if d.f[field]})
        for v in values[:4]:
            add("%s:%s" % (field, quote_value(v)),
                c.folded(field, fold_value(v)))
            add("%s:%s" % (field, quote_value(v.upper())),
                c.folded(field, fold_value(v)))
        if len(values) >= 2:
            add("%s:%s topic:%s" % (field, quote_value(values[0]),
                                    quote_value(topics[0])),
                c.folded(field, fold_value(values[0])) &
                c.topic(fold_value(topics[0])))
    names = sorted({d.f["provider_name"] for d in docs
                    if d.f["provider_name"]})
    for name in names[:6]:
        add("provider:%s" % quote_value(name),
            c.provider(fold_value(name)))
    sites = sorted({s for d in docs for s in d.sites})
    for s in sites[:8]:
        add("site:%s" % s, c.site(s))
        add("provider:%s" % s, c.provider(s))
    urls = sorted({u for d in docs for u in d.urls})
    for u in rng.sample(urls, min(4, len(urls))):
        add("url:%s" % quote_value(u), c.url(u))
    add("published:true", c.published(True))
    add("published:FALSE", c.published(False))
    add("published:(true OR false)", c.published(True) | c.published(False))
    # Dates, UTC.
    for y in (2019, 2021, 2023):
        add("date:%d" % y, c.date(ts(y), ts(y + 1) - 1))
        add("date:%d-03" % y, c.date(ts(y, 3), ts(y, 4) - 1))
        add("date:%d-03-15" % y, c.date(ts(y, 3, 15), ts(y, 3, 16) - 1))
    add("date:2020..2021-06", c.date(ts(2020), ts(2021, 7) - 1))
    add("date:2022..", c.date(ts(2022), float("inf")))
    add("date:..2020-02-29", c.date(float("-inf"), ts(2020, 3) - 1))
    add("date:..1y", c.date(float("-inf"), c.now - 365 * DAY))
    add("date:2021..30d", c.date(ts(2021), c.now - 30 * DAY))
    add("-date:2021", c.all - c.date(ts(2021), ts(2022) - 1))
    add("date:(2019 OR 2023)",
        c.date(ts(2019), ts(2020) - 1) | c.date(ts(2023), ts(2024) - 1))
    # The first and last years, and instants to the second.
    add("date:9999", c.date(ts(9999), ts(10000) - 1))
    add("date:..9999", c.date(float("-inf"), ts(10000) - 1))
    add("date:0000", c.date(ts(0), ts(1) - 1))
    add("date:0000..0000-01-01", c.date(ts(0), ts(0, 1, 2) - 1))
    add("date:9999-12-31T23:59:59Z", c.date(ts(10000) - 1, ts(10000) - 1))
    at = ts(2021, 6) + 12 * 3600
    add("date:2021-06-01T12:00:00.123456789012345678901234567890Z",
        c.date(at, at))
    add("date:2021-06-01T12:00:00.5Z..", c.date(at, float("inf")))
    # Quality: 50 when an article gives none.
    for q in (37, 50, 61.5):
        add("quality:%s" % q, c.quality(q, q))
        add("quality:=%s" % q, c.quality(q, q))
        add("quality:>=%s" % q, c.quality(q, 100))
        add("quality:>%s" % q, c.quality(q + 1e-9, 100))
        add("quality:<=%s" % q, c.quality(0, q))
        add("quality:<%s" % q, c.quality(0, q - 1e-9))
    add("quality:20..60", c.quality(20, 60))
    add("quality:60..", c.quality(60, 100))
    add("quality:..39.5", c.quality(0, 39.5))
    add("quality:<40 OR quality:>60",
        c.quality(0, 40 - 1e-9) | c.quality(60 + 1e-9, 100))
    # Numbers read as an article's quality is.
    add("quality:0", c.quality(0, 0))
    add("quality:1e-400", c.quality(0, 0))
    add("quality:8.75e1", c.quality(87.5, 87.5))
    add("quality:>=1e1", c.quality(10, 100))
    add("quality:37.000000000000000000000000000001", c.quality(37, 37))
    add("quality:1e-5..1e-4", c.quality(1e-5, 1e-4))
    w = rng.choice(words)
    add("%s quality:>=50 date:2020.." % w,
        c.word(w) & c.quality(50, 100) & c.date(ts(2020), float("inf")))


def quote_value(v):
    return v if v.replace(".", "").replace("-", "").isalnum() \
        else '"%s"' % v


# ---- running newsquery ------------------------------------------------------

def search(db, query):
    """(strict tier, every match) that newsquery returns, by key, or
    (None, why) when it did not search `query` as written: with
    --strict-syntax a documented form the parser refused is an error,
    not its words searched; a notice says it was read otherwise."""
    strict, full, offset = set(), set(), 0
    while True:
        r = subprocess.run(
            [NEWSQUERY, "--db", db, "--all", "--format", "json",
             "--strict-syntax", "--limit", str(PAGE), "--offset",
             str(offset), "--", query],
            capture_output=True)
        problem = json_check.check("query", r.returncode, r.stdout)
        if problem:
            return None, "--json: " + problem
        if r.returncode not in (0, 1):
            return None, r.stderr.decode(errors="replace").strip()
        answer = json.loads(r.stdout)
        if answer["notices"] or answer["syntax_error"] is not None:
            return None, "read otherwise than written: %r, %r" % (
                answer["notices"], answer["syntax_error"])
        page = answer["results"]
        for hit in page:
            key = hit["url"] or hit["path"]
            full.add(key)
            if hit["all_words"]:
                strict.add(key)
        if len(page) < PAGE:
            return strict, full
        offset += len(page)


def check(name, db, queries):
    failures = 0
    for q, strict, full in queries:
        got_strict, got_full = search(db, q)
        if got_strict is None:
            print("FAIL %s: %r: newsquery failed: %s" % (name, q, got_full))
            failures += 1
            continue
        for tier, want, got in (("matches", full, got_full),
                                ("first tier", strict, got_strict)):
            if want == got:
                continue
            failures += 1
            print("FAIL %s: %r: %s differ (%d expected, %d found)" %
                  (name, q, tier, len(want), len(got)))
            for k in sorted(want - got)[:3]:
                print("  only expected: %s" % k)
            for k in sorted(got - want)[:3]:
                print("  only found:    %s" % k)
            break
    print("%s: %d queries, %d disagreed" % (name, len(queries), failures))
    return failures


def other_languages(folder, names):
    """The articles of `names` stemmed in a language the model cannot
    stem (model.py says why), left out of the corpus."""
    return {n for n in names
            if n.endswith((".txt", ".md", ".markdown")) and
            model.stemmed_in_other_language(os.path.join(folder, n))}


def build(db, folders):
    r = subprocess.run([NEWSINDEX, "build", "--quiet", "--db", db] + folders,
                       capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("newsindex build failed: %s" % r.stderr)


def sample_words(c):
    """The words of STEM found in the corpus (their classes are known),
    but stopwords."""
    found = set()
    for d in c.docs.values():
        found |= d.terms
    return sorted(w for w in SEARCHED if w in found and w not in STOPWORDS)


def run_corpus(name, folders, db, seed, generated, build_it=True):
    if build_it:
        build(db, folders)
    docs = model.read_corpus(folders)
    c = expect.Corpus(docs, time.time())
    rng = random.Random(seed)
    words = VOCAB if generated else sample_words(c)
    return check(name, db, query_list(c, rng, words, generated))


def main(argv):
    work = tempfile.mkdtemp(prefix="ni-differential-")
    failures = 0
    # No config file or default index of the user's.
    os.makedirs(os.path.join(work, "home"))
    os.environ.update({"HOME": os.path.join(work, "home"),
                       "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": "",
                       "NEWSINDEX_CONFIG": "", "NEWSINDEX_DB": ""})
    try:
        if argv and argv[0] == "--index":
            db, folders, seed = argv[1], argv[2:], 1
            if folders[0] == "--seed":
                seed, folders = int(folders[1]), folders[2:]
            if folders[0] == "--stems":
                with open(folders[1]) as f:
                    model.STEM.update(line.split() for line in f)
                folders = folders[2:]
            return 1 if run_corpus("index", folders, db, seed, False,
                                   build_it=False) else 0
        samples = os.environ["NI_TEST_SAMPLES"]
        fixtures = os.environ["NI_TEST_FIXTURES"]
        # The fixtures' seed.txt is a sample under another name: one
        # file per key, so it is left out.
        mixed = os.path.join(work, "samples")
        shutil.copytree(samples, os.path.join(mixed, "samples"),
                        ignore=other_languages)
        for sub in ("articles", "analyzer"):
            shutil.copytree(os.path.join(fixtures, sub),
                            os.path.join(mixed, sub),
                            ignore=shutil.ignore_patterns("seed.txt"))
        failures += run_corpus("samples", [mixed],
                               os.path.join(work, "db1"), 1, False)
        gen = os.path.join(work, "generated")
        generate(gen)
        failures += run_corpus("generated", [gen],
                               os.path.join(work, "db2"), 2, True)
    finally:
        if "--keep" in argv:
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
