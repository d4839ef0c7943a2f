#!/usr/bin/env python3
"""Measure how reprints are collapsed into stories: false and missed merges.

  reprints.py write DIR [--seed S]      write the generated test articles
  reprints.py score DB                  score the story keys of an index
  reprints.py simulate DB               score rules that could be chosen

`write` makes articles whose truth is known (docs/ranking.md, "Reprints"):
true reprints (one wire story run by 2 to 4 providers within days, with
other capitals, punctuation, a dateline or a cut excerpt) and articles
that only look alike: a generic headline over other text, a generic
headline and a boilerplate opening over other text, title-only records
("Algorithm 30" and its certifications), a short stock lede, and the same
text run again weeks or years later.  Each article's URL holds its story's number
(`https://reprints.example/s<N>/...`).

`score` reads an index built from such articles, or from AG News
(`make-corpus.py agnews`), with `xapian-delve` (xapian-tools): each
document's data and story key (value slot 6).  Two documents are merged
when their keys are equal.  A pair of documents of one true story that
is not merged is a missed merge; a merged pair of two stories is a false
merge.  On AG News the truth is AG's own rows: a related record copies
the row of its title and excerpt, and the pairs of rows in AG_REPRINTS
(read by eye: the same wire article, its dateline, markup or a few
words changed) are one story each.

`simulate` scores, on the same documents, the rules that were weighed
(words approximated in Python: NFKD without marks, casefolded, split at
what is not a letter or digit): the title, a lede of so many words or
letters, a dateline dropped or not, and a time rule.  docs/ranking.md
has the numbers:

  reprints.py write /tmp/reprints/articles
  newsindex build --db /tmp/reprints/db /tmp/reprints/articles
  reprints.py simulate /tmp/reprints/db       # about a second
  make-corpus.py agnews /tmp/ag/articles && newsindex build --db \
      /tmp/ag/db /tmp/ag/articles && reprints.py simulate /tmp/ag/db

It needs xapian-delve (xapian-tools) and AG's CSV (AGNEWS_CSV, default
../shared/corpus/agnews-test.csv beside the repository).
"""
import argparse
import collections
import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.environ.get("AGNEWS_CSV", os.path.join(
    HERE, "..", "..", "shared", "corpus", "agnews-test.csv"))

# Pairs of AG rows that are one wire article (rows of equal titles, each
# read): a dateline, markup, a ticker note or a few words apart.
AG_REPRINTS = [(4552, 4560), (364, 388), (1411, 1416), (1694, 1699), (1861, 1875),
               (1892, 1896), (2994, 2995), (3096, 3098), (3104, 3121),
               (3546, 3605), (3830, 3835), (4083, 4105), (5540, 5554),
               (6182, 6901), (6258, 6265), (6591, 6593)]

GENERIC = ["Morning briefing", "Live updates", "Corrections", "Letters",
           "Markets wrap", "Transactions", "Today's schedule",
           "Around the world", "Weather", "Obituaries"]
BOILERPLATE = [
    ("Morning briefing", "Good morning. Here is what you need to know "
     "to start your day."),
    ("Live updates", "Follow our live coverage for the latest news as "
     "it happens."),
    ("Markets wrap", "Stocks, bonds and currencies: the day in the "
     "markets."),
]
TITLE_ONLY = ["Algorithm 30", "Algorithm 31", "Certification of "
              "Algorithm 30", "Remark on Algorithm 12", "Errata"]
SHORT_LEDES = [("Letters", "Readers write."),
               ("Corrections", "Corrections and clarifications."),
               ("Weather", "Sunny, then showers.")]
PROVIDERS = [("Associated Press", "apnews.com"), ("Reuters", "reuters.com"),
             ("AFP", "afp.com"), ("The Guardian", "theguardian.com"),
             ("Yahoo News", "news.yahoo.com"), ("BBC News", "bbc.co.uk")]
CITIES = ["WASHINGTON", "NEW YORK", "LONDON", "PARIS", "TOKYO", "BERLIN"]


def q(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_agnews():
    import csv
    with open(CSV, newline="") as f:
        for _, title, desc in csv.reader(f):
            desc = desc.replace("\\", " ").replace(" #36;", " $") \
                .replace("#39;", "'")
            yield (re.sub(r"\s+", " ", title).strip(),
                   re.sub(r"\s+", " ", desc).strip())


# ---- write -----------------------------------------------------------------

def recase(rng, text, title=False):
    """Capitals and punctuation as another desk writes them."""
    how = rng.randrange(4 if title else 3)
    if how == 0:
        text = text.lower()
    elif how == 1:
        text = text.title()
    elif how == 3:
        text = text.upper()
    how = rng.randrange(3)
    if how == 0:
        text = text.replace(",", "")
    elif how == 1:
        text = text.replace("'", "\u2019").replace(" - ", " \u2014 ")
    return text.rstrip(".") + ("..." if rng.random() < 0.3 else "")


def copy_excerpt(rng, text, provider):
    """A provider's copy: its dateline or none, maybe cut, maybe recased."""
    dateline = re.match(DATELINE, text)
    if dateline and rng.random() < 0.5:
        text = text[dateline.end():]
    if rng.random() < 0.2:
        first = re.split(r"(?<=[.!?])\s+", text)[0]
        if len(first.split()) >= 12:
            text = first
    if rng.random() < 0.5:
        dateline = re.match(DATELINE, text)
        cut = dateline.end() if dateline else 0
        text = text[:cut] + recase(rng, text[cut:])
    if not re.match(DATELINE, text) and rng.random() < 0.3:
        text = (f"{rng.choice(CITIES)} ({provider}) - "
                if rng.random() < 0.7 else f"{provider} - ") + text
    return text


def delay(rng):
    """How long after the first a copy runs: mostly hours, a few days."""
    r = rng.random()
    hours = (rng.uniform(0, 6) if r < 0.6 else rng.uniform(6, 24)
             if r < 0.85 else rng.uniform(24, 72) if r < 0.97
             else rng.uniform(72, 168))
    return dt.timedelta(hours=hours)


def article(story, n, title, excerpt, when, provider, domain):
    lines = ["---", f"title: {q(title)}"]
    if excerpt:
        lines.append(f"excerpt: {q(excerpt)}")
    lines += [f"publishedDateTime: {when:%Y-%m-%dT%H:%M:%SZ}",
              f"webUrl: \"https://reprints.example/s{story}/{n}\"",
              "type: article", "provider:", f"  name: {q(provider)}",
              f"  domain: {domain}", "---", ""]
    return "\n".join(lines)


def cmd_write(out, seed):
    rng = random.Random(seed)
    rows = [r for r in read_agnews() if len(r[1].split()) >= 16]
    rng.shuffle(rows)
    rows = iter(rows)
    start = dt.datetime(2019, 1, 1, tzinfo=dt.timezone.utc)
    docs = []  # (story, class, title, excerpt, when)

    def some_time():
        return start + dt.timedelta(seconds=rng.randrange(5 * 365 * 86400))

    story = 0
    for _ in range(600):  # true reprints
        title, excerpt = next(rows)
        when = some_time()
        docs.append((story, "reprint", title, excerpt, when, 0))
        for _ in range(rng.choice([1, 1, 2, 3])):
            docs.append((story, "reprint", recase(rng, title, True) if
                         rng.random() < 0.5 else title,
                         excerpt, when + delay(rng), 1))
        story += 1
    for headline in GENERIC:  # a generic headline over other text
        day = some_time()
        for i in range(20):
            docs.append((story, "generic", headline, next(rows)[1],
                         day + dt.timedelta(days=i), 0))
            story += 1
    for headline, opening in BOILERPLATE:  # and a boilerplate opening
        day = some_time()
        for i in range(20):
            docs.append((story, "boilerplate", headline,
                         opening + " " + next(rows)[1],
                         day + dt.timedelta(days=i), 0))
            story += 1
    for title in TITLE_ONLY:  # records without an excerpt
        for _ in range(10):
            docs.append((story, "title-only", title, "", some_time(), 0))
            story += 1
    for headline, lede in SHORT_LEDES:  # a stock lede, daily
        day = some_time()
        for i in range(10):
            docs.append((story, "short-lede", headline, lede,
                         day + dt.timedelta(days=i), 0))
            story += 1
    # The same text again, years later, or weeks later: a re-run.
    for name, later in (("years-apart", lambda: rng.randrange(365, 1500)),
                        ("weeks-apart", lambda: rng.uniform(14, 70))):
        for _ in range(100):
            title, excerpt = next(rows)
            when = some_time()
            docs.append((story, name, title, excerpt, when, 0))
            docs.append((story + 1, name, title, excerpt,
                         when + dt.timedelta(days=later()), 0))
            story += 2
    os.makedirs(out, exist_ok=True)
    for i, (s, kind, title, excerpt, when, copy) in enumerate(docs):
        name, domain = rng.choice(PROVIDERS)
        if copy:
            excerpt = copy_excerpt(rng, excerpt, name)
        with open(os.path.join(out, f"{i:05d}-{kind}.txt"), "w") as f:
            f.write(article(s, i, title, excerpt, when, name, domain))
    print(f"wrote {len(docs)} articles of {story} stories to {out}")


# ---- reading an index ------------------------------------------------------

def delve(*args):
    return subprocess.run(["xapian-delve", *args], check=True,
                          capture_output=True, text=True).stdout


def slot(db, n):
    """{docid: value} of value slot n."""
    text = delve(f"-V{n}", db)
    return {int(k): v for k, _, v in
            (item.partition(":") for item in text.split()[5:])}


def load(db):
    """The documents of the index: their data and story key."""
    ids = sorted(slot(db, 0))  # every document has a quality
    keys = slot(db, 6)
    docs = {}
    for i in range(0, len(ids), 2000):
        args = [a for d in ids[i:i + 2000] for a in ("-r", str(d))]
        text = delve("-d", *args, db)
        for m in re.finditer(r"^Data for record #(\d+):\n(.*)$", text,
                             re.M):
            d = json.loads(m.group(2))
            d["key"] = keys.get(int(m.group(1)))
            d["id"] = int(m.group(1))
            docs[int(m.group(1))] = d
    return docs


def truth(docs):
    """{docid: story} from generated URLs, or AG's rows."""
    out = {}
    row_of = {}
    for i, d in list(docs.items()):
        if not re.search(r"(/\d{6}_[0-9a-f]{16}\.txt|/\d{5}-[a-z-]+\.txt)$",
                         d.get("path", "")):
            del docs[i]  # neither AG's nor generated: no truth
            continue
        m = re.match(r"https://reprints\.example/s(\d+)/", d.get("url", ""))
        if m:
            out[i] = int(m.group(1))
            continue
        m = re.search(r"-(\d+)$", d.get("url", ""))
        if m and not d.get("related_of"):
            out[i] = int(m.group(1))
            row_of[(d.get("title"), d.get("excerpt"))] = out[i]
    for i, d in docs.items():
        if i not in out:
            out[i] = row_of.get((d.get("title"), d.get("excerpt")),
                                -i)
    same = {b: a for a, b in AG_REPRINTS}
    if len(out) and not any("reprints.example" in d.get("url", "")
                            for d in docs.values()):
        out = {i: same.get(s, s) for i, s in out.items()}
    return out


def kind(d):
    """The class `write` gave a generated article, else None."""
    m = re.search(r"/\d{5}-([a-z-]+)\.txt$", d.get("path", ""))
    return m.group(1) if m else None


def score(docs, story, key_of, label=""):
    """Pairs missed and falsely merged by key_of(doc) (None: alone)."""
    by_key = collections.defaultdict(list)
    by_story = collections.defaultdict(list)
    for i, d in docs.items():
        k = key_of(d)
        if k is not None:
            by_key[k].append(i)
        by_story[story[i]].append(i)
    true_pairs = sum(len(v) * (len(v) - 1) // 2 for v in by_story.values())
    merged = false = 0
    for v in by_key.values():
        merged += len(v) * (len(v) - 1) // 2
        count = collections.Counter(story[i] for i in v)
        false += (len(v) * (len(v) - 1) // 2 -
                  sum(c * (c - 1) // 2 for c in count.values()))
    missed = true_pairs - (merged - false)
    hidden = sum(len(v) - 1 for v in by_key.values())
    wrongly = sum(len(v) - max(collections.Counter(
        story[i] for i in v).values()) for v in by_key.values())
    # False pairs by the class of the article of the later story.
    classes = collections.Counter()
    for v in by_key.values():
        for a in v:
            for b in v:
                if a < b and story[a] != story[b]:
                    classes[kind(docs[max(a, b)]) or "ag"] += 1
    print(f"{label:50} {true_pairs:6} {missed:6} {false:6} "
          f"{hidden:6} {wrongly:6}  " +
          ", ".join(f"{c} {n}" for c, n in sorted(classes.items())))


HEADER = (f"{'rule':50} {'pairs':>6} {'missed':>6} {'false':>6} "
          f"{'hidden':>6} {'wrong':>6}  false pairs by class")


# ---- rules -----------------------------------------------------------------

def words(text):
    text = unicodedata.normalize("NFKD", (text or "").casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['\u2019]s\b", "", text)
    return re.findall(r"[^\W_]+", text)


def is_tag(tag):
    """ni_story.h's test of a dateline or a provider's tag."""
    if any(c in tag for c in '":;!?'):
        return False
    words_ = tag.split(" ")
    if len(words_) > 8:
        return False
    first = words_[0]
    if len(first) >= 2 and "A" <= first[0] <= "Z" and \
            not re.search("[a-z]", first):
        return True  # "KABUL (Reuters)", "TALLADEGA, Ala."
    if tag[0] == "(" and tag[-1] == ")":
        return True  # "(Sports Network)"
    return len(words_) <= 3 and all(w[:1].isascii() and w[:1].isupper()
                                     for w in words_)


def lede_start(text):
    """ni_story_lede_start(): past up to 3 tags ended by " - "/" -- "."""
    at = 0
    for _ in range(3):
        start = at
        while start < len(text) and text[start] == " ":
            start += 1
        m = re.compile(r" --? ").search(text, start, start + 64 + 4)
        if not m or m.start() == start or m.start() > start + 64 or \
                not is_tag(text[start:m.start()]):
            break
        nxt = m.end()
        while nxt < len(text) and text[nxt] == " ":
            nxt += 1
        if nxt >= len(text):
            break
        at = nxt
    return at


# The datelines `write` finds in AG's text, to drop or keep in a copy.
CAPS = r"[A-Z0-9][A-Z0-9.'/&-]*"
DATELINE = re.compile(
    rf"^\s*(?:{CAPS}(?:\s+{CAPS})*(?:,\s*[A-Z0-9][\w.]*(?:\s+[A-Z][\w.]*)*)?"
    r"(?:\s*\([^()]{1,40}\))?|\([^()]{1,40}\)|[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,2})"
    r"\s+--?\s+")


def lede(d, strip):
    text = d.get("excerpt") or ""
    if strip:
        text = text[lede_start(text):]
    return words(text)


def epoch_day(d):
    if not d.get("date"):
        return None
    when = dt.datetime.strptime(d["date"], "%Y-%m-%dT%H:%M:%SZ")
    return (when - dt.datetime(1970, 1, 1)).total_seconds() / 86400


def words_rule(n, need=0, strip=False):
    """Title words + the lede's first n words (None: fewer than need)."""
    def key(d):
        w = lede(d, strip)
        title = " ".join(words(d.get("title")))
        if not title or len(w) < need:
            return None
        return title + " |" + " ".join(w[:n])
    return key


def letters_rule(n, need, title=True):
    """Title letters + the first n letters and digits of the lede after
    its dateline (None: fewer than need, or no title)."""
    def key(d):
        lead = "".join(lede(d, True))
        head = "".join(words(d.get("title"))) if title else ""
        if (title and not head) or len(lead) < need:
            return None
        return head + "|" + lead[:n]
    return key


def bucketed(text, days):
    """The text key and the date's bucket of `days` since 1970."""
    def key(d):
        k = text(d)
        day = epoch_day(d)
        if k is None:
            return None
        return (k, None if day is None else int(day // days))
    return key


def windowed(docs, text, days):
    """The ideal that exact keys cannot give: a copy joins a story when
    within `days` of its first copy."""
    groups = collections.defaultdict(list)
    for i, d in docs.items():
        k = text(d)
        if k is not None:
            groups[k].append(i)
    key = {}
    for k, v in groups.items():
        v.sort(key=lambda i: epoch_day(docs[i]) or 0)
        head = None
        for i in v:
            day = epoch_day(docs[i]) or 0
            if head is None or day - head > days:
                head = day
            key[i] = (k, head)
    return lambda d: key.get(d["id"])


def cmd_simulate(db):
    docs = load(db)
    story = truth(docs)
    print(HEADER)
    score(docs, story, lambda d: d["key"], "this index's keys")
    score(docs, story, words_rule(0), "title alone")
    score(docs, story, words_rule(8), "title + 8 words (schema 1)")
    score(docs, story, words_rule(8, need=8),
          "title + 8 words, lede of 8 or more")
    score(docs, story, words_rule(8, need=8, strip=True),
          "  ... after the dateline")
    for n, need in ((40, 40), (60, 40), (60, 60), (80, 40), (120, 40)):
        score(docs, story, letters_rule(n, need),
              f"title + {n} letters after the dateline, >= {need}")
    score(docs, story, letters_rule(60, 40, title=False),
          "60 letters after the dateline alone, >= 40")
    best = letters_rule(60, 40)
    for days in (1, 3, 7, 14, 30, 60, 90, 180):
        score(docs, story, bucketed(best, days),
              f"title + 60/40 letters, {days}-day period")
    for days in (3, 7):
        score(docs, story, windowed(docs, best, days),
              f"title + 60/40 letters, within {days} days of the first")


def cmd_score(db):
    docs = load(db)
    story = truth(docs)
    print(HEADER)
    score(docs, story, lambda d: d["key"], os.path.basename(db.rstrip("/")))


def main():
    ap = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("write")
    w.add_argument("out")
    w.add_argument("--seed", type=int, default=12)
    for name in ("score", "simulate"):
        sub.add_parser(name).add_argument("db")
    args = ap.parse_args()
    if args.cmd == "write":
        cmd_write(args.out, args.seed)
    elif args.cmd == "score":
        cmd_score(args.db)
    else:
        cmd_simulate(args.db)


if __name__ == "__main__":
    sys.exit(main())
