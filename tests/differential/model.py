"""A brute-force reading of article files, independent of the C code.

The differential test (differential.py) checks newsquery's answers
against this module: each article file is read here with Python's YAML
library and a tokenizer of its own, and each query form of
docs/query-syntax.md is evaluated over the words read, by brute force.
Nothing here calls or mirrors the C code; what it models is what the
documentation says, for the text the test uses:

- Front matter: the fields newsindex reads (docs/schema.md), by the
  rules of include/ni_article.h: a value of the wrong type (a mapping
  for a title) is dropped, an alias is the node it names (within the
  budget of include/ni_yaml.h), the later of two equal keys wins,
  `~` and `null` are absent, a lone topic is a list of one.  Related
  records with a URL are documents of their own; an article file wins
  a URL, else the parent whose key sorts first.
- Words: Unicode word breaking as UAX #29 does it for letters and
  digits (".", ":" and "'" join letters; ".", "," and ";" join digits),
  split at punctuation inside a word except between digits, without a
  possessive "'s", folded (NFKC, case folding, the accents of Latin and
  Greek letters dropped, ı as i and ё as е).  Parts joined by one hyphen, or split inside
  a word, are a compound, whose joined form ("ecommerce", "us") is at
  the place of its last part.  Positions count words from 1 and jump by
  100 after the title, the excerpt and each topic.
- Runs of Han and kana are not split into words (that needs ICU's
  dictionary): a run is its overlapping character pairs, at one
  position, and a document holding one has inexact positions there.
  Korean words are words, with their pairs too.  Thai and the like are
  one token.  So quoted CJK is checked only as a run alone or a run
  followed by a word, which the pairs decide whatever the dictionary.
- Stemming (English, the index's default): a word matches the words of
  its class in STEM, the English Snowball stemmer's classes of the
  words the test searches for, written down; a word STEM does not name
  is its own class.  Words that start with a digit are not stemmed.
  An article whose `lang` (or `language`) names Chinese, Japanese or
  Korean is not stemmed (nor are its related records): an English
  query word finds it by the word's exact form only.  Articles stemmed
  in another language (German, French, Russian, Arabic samples) are
  left out of the test's corpus: their stems may meet English ones
  ("markets" is "market" in French too), and the model has no
  stemmer of theirs; tests/e2e/languages.sh tests them.
"""

import email.utils
import os
import re
import unicodedata

import yaml

# The English Snowball stemmer's stems of the words the test data use
# (from Xapian::Stem("english")), for the plain-word queries.
STEM = {
    # the generated vocabulary
    "oil": "oil", "oils": "oil",
    "price": "price", "prices": "price", "priced": "price",
    "pricing": "price",
    "gas": "gas", "gases": "gase",
    "market": "market", "markets": "market", "marketing": "market",
    "trade": "trade", "trades": "trade", "traded": "trade",
    "trading": "trade",
    "sanction": "sanction", "sanctions": "sanction",
    "sanctioned": "sanction",
    "export": "export", "exports": "export", "exported": "export",
    "exporting": "export",
    "energy": "energi", "energies": "energi",
    "rate": "rate", "rates": "rate", "rated": "rate",
    "bank": "bank", "banks": "bank", "banking": "bank",
    "chip": "chip", "chips": "chip",
    "robot": "robot", "robots": "robot", "robotics": "robot",
    "computing": "comput", "compute": "comput", "computer": "comput",
    "computers": "comput",
    "storm": "storm", "storms": "storm",
    "river": "river", "rivers": "river",
    "coffee": "coffe",
    "wind": "wind", "winds": "wind",
    "tariff": "tariff", "tariffs": "tariff",
    "inflation": "inflat",
    "profit": "profit", "profits": "profit",
    "loss": "loss", "losses": "loss",
    "deal": "deal", "deals": "deal",
    "merger": "merger", "mergers": "merger",
    "stock": "stock", "stocks": "stock",
    "bond": "bond", "bonds": "bond",
    "yield": "yield", "yields": "yield",
    "currency": "currenc",
    "dollar": "dollar", "dollars": "dollar",
    "rally": "ralli",
    "surge": "surg", "surges": "surg",
    "drop": "drop", "drops": "drop",
    "commerce": "commerc", "ecommerce": "ecommerc",
    "based": "base", "kongbased": "kongbas",
    "share": "share", "shares": "share", "shared": "share",
    "sharing": "share",
    "report": "report", "reports": "report", "reported": "report",
    "reporting": "report",
    "fund": "fund", "funds": "fund", "funded": "fund",
    "funding": "fund",
    "plans": "plan",
    # the sample articles' forms of the words searched there
    "record": "record", "records": "record",
    "talks": "talk",
    "rules": "rule",
    "nuclear": "nuclear",
    "climate": "climat",
    "sales": "sale", "sale": "sale",
    "cuts": "cut",
    "models": "model", "model": "model",
    "news": "news",
    "world": "world",
    "near": "near", "nearly": "near",
    "china": "china", "chinese": "chines",
}


# Language tags of the test data that are not English (docs/schema.md:
# such an article is stemmed in its own language, or not at all).
UNSTEMMED_LANGUAGES = {"zh", "ja", "ko"}
STEMMED_LANGUAGES = {"de", "fr", "ru", "ar"}


def primary_language(lang):
    return re.split(r"[-_]", lang or "")[0].lower()


def stemmed_in_english(lang):
    """Whether an article with this `lang` value is stemmed in English."""
    primary = primary_language(lang)
    return primary not in UNSTEMMED_LANGUAGES | STEMMED_LANGUAGES


def stemmed_in_other_language(path):
    """Whether the article file at `path` says a language with a stemmer
    other than English's (the model cannot read it: see the top)."""
    node = read_mapping(path)
    lang = read_fields(node)["lang"] if node is not None else None
    return primary_language(lang) in STEMMED_LANGUAGES


def stem(word):
    """The stem a plain query word is matched by; None: not stemmed."""
    if not word or word[0].isdigit():
        return None
    return STEM.get(word, word)


# ---- front matter ---------------------------------------------------------

NULLS = {"", "~", "null", "Null", "NULL"}
YES = {"true", "yes", "on"}
NO = {"false", "no", "off"}


def front_matter(text):
    """The front matter's text, or None when the file has none."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0] != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i] in ("---", "..."):
            return "\n".join(lines[1:i])
    return None


def is_null(node):
    return (isinstance(node, yaml.ScalarNode) and node.style is None and
            node.value in NULLS)


# What an alias left unexpanded reads as: no value.
UNEXPANDED = yaml.ScalarNode("tag:yaml.org,2002:null", "~")
# Replays may always cost this much (NI_YAML_ALIAS_MIN_BUDGET).
ALIAS_MIN_BUDGET = 8192


def expand_aliases(root, text_bytes):
    """The tree of `root` as newsindex reads it (include/ni_yaml.h,
    "Aliases"): each alias is the node it names again, in document
    order, while the replays cost at most the front matter's bytes or
    ALIAS_MIN_BUDGET in all (a scalar its bytes plus one, any other
    node two plus its items'); past that, or inside the node it names,
    an alias and every alias after it are UNEXPANDED.  An alias is a
    node met again: one whose text began before where its parent had
    read to."""
    budget = max(text_bytes, ALIAS_MIN_BUDGET)
    state = {"spent": 0, "refused": False}
    copies = {}
    open_nodes = set()

    def cost(node):
        if node is UNEXPANDED:
            return 1
        if isinstance(node, yaml.ScalarNode):
            return len(node.value.encode("utf-8")) + 1
        if isinstance(node, yaml.SequenceNode):
            return 2 + sum(cost(n) for n in node.value)
        return 2 + sum(cost(k) + cost(v) for k, v in node.value)

    def alias(node):
        if state["refused"] or id(node) in open_nodes:
            state["refused"] = True
            return UNEXPANDED
        copy = copies[id(node)]
        state["spent"] += cost(copy)
        if state["spent"] > budget:
            state["refused"] = True
            return UNEXPANDED
        return copy

    def child(node, last):
        if node.start_mark.index < last:
            return alias(node), last
        return walk(node), node.end_mark.index

    def walk(node):
        if isinstance(node, yaml.ScalarNode):
            copies[id(node)] = node
            return node
        open_nodes.add(id(node))
        last = node.start_mark.index
        if isinstance(node, yaml.SequenceNode):
            out = []
            for item in node.value:
                item, last = child(item, last)
                out.append(item)
            copy = yaml.SequenceNode(node.tag, out, node.start_mark,
                                     node.end_mark)
        else:
            out = []
            for key, value in node.value:
                key, last = child(key, last)
                value, last = child(value, last)
                out.append((key, value))
            copy = yaml.MappingNode(node.tag, out, node.start_mark,
                                    node.end_mark)
        open_nodes.discard(id(node))
        copies[id(node)] = copy
        return copy

    return walk(root)


def pairs(mapping):
    """A mapping's (key, value) pairs; the later of equal keys wins."""
    out = {}
    for key, value in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key is not UNEXPANDED:
            out[key.value] = None if value is UNEXPANDED else value
    return out


def items(seq):
    """A sequence's items."""
    return [None if item is UNEXPANDED else item for item in seq.value]


def text_of(node):
    """A scalar's text, without the blanks and line breaks around it."""
    if node is None or is_null(node) or not isinstance(node,
                                                       yaml.ScalarNode):
        return None
    return node.value.strip(" \t\r\n")


# A quality, in an article as in a quality: filter (docs/query-syntax.md):
# digits, maybe a decimal part, maybe an exponent; the nearest double,
# from 0 to 100 (so 1e-400 is 0, and 1e400 is too large).
QUALITY = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def number_of(node, low=0.0, high=100.0):
    value = text_of(node)
    if value is None or not QUALITY.fullmatch(value):
        return None
    x = float(value)
    return x if low <= x <= high else None


def bool_of(node):
    value = text_of(node)
    if value is None:
        return None
    if value.lower() in YES:
        return True
    if value.lower() in NO:
        return False
    return None


# ISO 8601, and the forms of YAML's timestamps and Jekyll's: blanks or
# "t" for the "T", blanks before the offset, "z", +hh, +h and +hhmm.
DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:(?:[Tt]|[ \t]+)(\d{2}):(\d{2})"
                  r"(?::(\d{2})(?:\.\d+)?)?"
                  r"(?:[ \t]*([Zz]|([+-])(\d{2}|\d)(?::?(\d{2}))?))?)?$")


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def days_in(y, m):
    leap = (y % 4 == 0 and y % 100 != 0) or y % 400 == 0
    return [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
            31][m - 1]


def other_epoch_of(text):
    """Seconds since the epoch of a date as RSS (RFC 5322, read by
    Python's own email.utils) or Unix time writes it, or None."""
    if re.fullmatch(r"\d{9,10}|\d{12,13}", text):
        return int(text) // (1000 if len(text) > 10 else 1)
    parts = email.utils.parsedate_tz(text)
    return email.utils.mktime_tz(parts) if parts else None


def epoch_of(text):
    """Seconds since the epoch of an article's date, or None."""
    m = DATE.match(text or "")
    if not m:
        return other_epoch_of(text) if text else None
    y, mo, d = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= mo <= 12 or not 1 <= d <= days_in(y, mo):
        return None
    h, mi, s = int(m[4] or 0), int(m[5] or 0), int(m[6] or 0)
    if h > 23 or mi > 59 or s > 60:
        return None
    offset = 0
    if m[8]:
        oh, om = int(m[9]), int(m[10] or 0)
        if oh > 23 or om > 59:
            return None
        offset = (-1 if m[8] == "-" else 1) * (oh * 3600 + om * 60)
    t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
    # Years 0000-9999 in UTC, what a date is shown as and date: names.
    first = days_from_civil(0, 1, 1) * 86400
    last = days_from_civil(9999, 12, 31) * 86400 + 86399
    return t if first <= t <= last else None


def read_fields(mapping):
    """The fields of an article or related mapping node, as a dict."""
    f = pairs(mapping)
    provider = f.get("provider")
    p = pairs(provider) if isinstance(provider, yaml.MappingNode) else {}
    topics = f.get("topics")
    if (isinstance(topics, yaml.ScalarNode) and topics.style is None
            and "," in topics.value):
        # "topics: AI, Robotics", unquoted: a list written by hand.
        topics = [yaml.ScalarNode("tag:yaml.org,2002:str", part)
                  for part in topics.value.split(",")]
    elif isinstance(topics, yaml.ScalarNode):
        topics = [topics]
    elif isinstance(topics, yaml.SequenceNode):
        topics = items(topics)
    else:
        topics = []
    related = f.get("related")
    if isinstance(related, yaml.MappingNode):
        related = [related]
    elif isinstance(related, yaml.SequenceNode):
        related = [r for r in items(related)
                   if isinstance(r, yaml.MappingNode)]
    else:
        related = []
    return {
        "title": text_of(f.get("title")),
        "excerpt": text_of(f.get("excerpt")),
        "category": text_of(f.get("category")),
        "type": text_of(f.get("type")),
        "date": epoch_of(text_of(f.get("publishedDateTime"))),
        "original_url": text_of(f.get("originalUrl")),
        "web_url": text_of(f.get("webUrl")),
        "quality": number_of(f.get("quality")),
        "published": bool_of(f.get("published")),
        "provider_name": text_of(p.get("name")),
        "provider_domain": text_of(p.get("domain")),
        "topics": [t for t in (text_of(n) for n in topics) if t],
        "related": related,
        "lang": text_of(f.get("lang")) or text_of(f.get("language")),
    }


# ---- words ----------------------------------------------------------------

HYPHENS = "-\u2010\u2011"
APOSTROPHES = "'\u2019\u02bc\uff07"
JOIN_LETTERS = ".:'\u2019\u00b7"
JOIN_DIGITS = ".,;'\u2019"


def is_cjk(c):
    o = ord(c)
    return (0x3040 <= o <= 0x30ff or 0x3400 <= o <= 0x4dbf or
            0x4e00 <= o <= 0x9fff or 0xf900 <= o <= 0xfaff or
            0xff66 <= o <= 0xff9f)


def is_hangul(c):
    o = ord(c)
    return 0xac00 <= o <= 0xd7a3 or 0x1100 <= o <= 0x11ff or \
        0x3130 <= o <= 0x318f


def is_complex(c):
    """Thai, Lao, Khmer, Burmese: split by a dictionary, not modelled."""
    o = ord(c)
    return 0x0e00 <= o <= 0x0eff or 0x1780 <= o <= 0x17ff or \
        0x1000 <= o <= 0x109f


def is_letter(c):
    return (c.isalpha() or unicodedata.category(c) in ("Mn", "Mc")) and \
        not is_cjk(c) and not is_complex(c)


def is_word_char(c):
    return is_letter(c) or c.isdigit() or c == "_"


def fold(word):
    """NFKC case folding, then the accents of Latin and Greek dropped,
    the Turkish dotless i an i and the Russian yo a ye."""
    w = unicodedata.normalize("NFKC", unicodedata.normalize(
        "NFKC", word).casefold())
    w = w.replace("\u0131", "i").replace("\u0451", "\u0435")
    out, base = [], ""
    for ch in unicodedata.normalize("NFD", w):
        if unicodedata.combining(ch):
            name = unicodedata.name(base, "")
            if name.startswith("LATIN") or name.startswith("GREEK"):
                continue
        else:
            base = ch
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def fold_value(text):
    """A filter value folded whole, white space collapsed."""
    return " ".join(fold(text).split())


def segments(text):
    """UAX #29-like segments: (kind, start, end), kind 'word', 'run'
    (Han and kana), 'complex' or 'other' (one character)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if is_cjk(c) or is_complex(c):
            test = is_cjk if is_cjk(c) else is_complex
            j = i
            while j < n and test(text[j]):
                j += 1
            out.append(("run" if test is is_cjk else "complex", i, j))
            i = j
        elif is_word_char(c):
            j = i + 1
            while j < n:
                if is_word_char(text[j]):
                    j += 1
                elif (j + 1 < n and text[j] in JOIN_LETTERS and
                      is_letter(text[j - 1]) and is_letter(text[j + 1])):
                    j += 2
                elif (j + 1 < n and text[j] in JOIN_DIGITS and
                      text[j - 1].isdigit() and text[j + 1].isdigit()):
                    j += 2
                else:
                    break
            out.append(("word", i, j))
            i = j
        else:
            out.append(("other", i, i + 1))
            i += 1
    return out


def splits(word, i):
    c = word[i]
    if c.isalnum() or unicodedata.category(c) in ("Mn", "Mc"):
        return False
    if not unicodedata.category(c).startswith("P") and \
            c not in APOSTROPHES:
        return False
    return not (0 < i < len(word) - 1 and word[i - 1].isdigit() and
                word[i + 1].isdigit())


def word_parts(word):
    """The parts of one segment: split at punctuation, 's dropped."""
    parts, start = [], 0
    for i in range(len(word)):
        if not splits(word, i):
            continue
        if i + 2 == len(word) and word[i] in APOSTROPHES and \
                word[i + 1] in "sS":
            parts.append(word[start:i])
            return parts
        parts.append(word[start:i])
        start = i + 1
    parts.append(word[start:])
    return parts


def bigrams(run):
    return {run[i:i + 2] for i in range(len(run) - 1)}


class Field:
    """The words of one field: `at` maps a position to its terms."""

    def __init__(self, name):
        self.name = name
        self.at = {}
        self.runs = []      # (position, folded run, next position)
        self.exact = True   # positions as the index counts them


def add_text(doc, name, text, pos):
    """Read `text` into a new Field of `doc` from position `pos`; return
    the position after it (and its gap)."""
    field = Field(name)
    doc.fields.append(field)
    compound, hyphen, last_end = [], False, -1

    def put(word, pos):
        field.at.setdefault(pos, set()).add(word)

    def end_compound():
        nonlocal compound, hyphen
        joined = "".join(compound)
        if len(compound) >= 2 and len(joined.encode()) <= 64:
            put(joined, pos)
        compound, hyphen = [], False

    for kind, start, end in segments(text):
        seg = text[start:end]
        adjacent = compound and start == last_end
        if kind == "other":
            if adjacent and not hyphen and seg in HYPHENS:
                hyphen, last_end = True, end
            elif compound:
                end_compound()
            continue
        if compound and not (adjacent and hyphen):
            end_compound()
        hyphen = False
        if kind == "word":
            for part in word_parts(seg):
                folded = fold(part)
                if not folded:
                    continue
                if len(folded.encode()) > 64:
                    compound.append("x" * 65)
                    continue
                pos += 1
                put(folded, pos)
                compound.append(folded)
                if is_hangul(part[0]) and len(folded) > 2:
                    for b in bigrams(folded):
                        put(b, pos)
            last_end = end
        else:
            end_compound()
            folded = fold(seg)
            pos += 1
            field.exact = False
            if kind == "run":
                for b in bigrams(folded) or {folded}:
                    put(b, pos)
                field.runs.append((pos, folded))
            else:
                put(folded, pos)
    if compound:
        end_compound()
    return pos + 100


class Doc:
    def __init__(self, key, f, path=None):
        self.key = key
        self.path = path
        self.f = f
        self.fields = []
        pos = 0
        if f["title"]:
            pos = add_text(self, "title", f["title"], pos)
        if f["excerpt"]:
            pos = add_text(self, "excerpt", f["excerpt"], pos)
        for topic in f.get("topics", []):
            pos = add_text(self, "topic", topic, pos)
        self.terms = set()
        self.title_terms = set()
        for field in self.fields:
            for words in field.at.values():
                self.terms |= words
                if field.name == "title":
                    self.title_terms |= words
        self.quality = f["quality"] if f["quality"] is not None else 50.0
        self.topics = {fold_value(t) for t in f.get("topics", [])}
        domain = f["provider_domain"]
        self.sites = set()
        if domain:
            d = fold_value(domain)
            self.sites.add(d)
            parts = d.split(".")
            for i in range(1, len(parts) - 1):
                self.sites.add(".".join(parts[i:]))
        self.urls = {u for u in (f["web_url"], f["original_url"]) if u}
        self.english = stemmed_in_english(f["lang"])

    def fields_of(self, title):
        return [f for f in self.fields if not title or f.name == "title"]


# ---- the articles ---------------------------------------------------------

def article_files(folder):
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            if name.endswith((".txt", ".md", ".markdown")):
                yield os.path.abspath(os.path.join(root, name))


def read_mapping(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    fm = front_matter(text)
    if fm is None:
        return None
    try:
        node = yaml.compose(fm, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    return expand_aliases(node, len(fm.encode("utf-8")))


def read_corpus(folders):
    """Every document the index holds for these folders, by key."""
    docs, related = {}, {}
    for folder in folders:
        for path in article_files(folder):
            node = read_mapping(path)
            if node is None:
                continue
            f = read_fields(node)
            key = f["web_url"] or f["original_url"] or path
            if key in docs:
                raise ValueError("two files have the key %s" % key)
            docs[key] = Doc(key, f, path)
            for r in f["related"]:
                rf = read_fields(r)
                rf["topics"] = []
                rf["lang"] = f["lang"]  # a record is in its article's
                rkey = rf["web_url"] or rf["original_url"]
                if rkey:
                    related.setdefault(rkey, []).append((key, rf))
    for rkey, parents in related.items():
        if rkey in docs:
            continue
        parent, rf = min(parents, key=lambda p: p[0].encode())
        rf["category"] = None
        rf["published"] = None
        docs[rkey] = Doc(rkey, rf)
    return docs
