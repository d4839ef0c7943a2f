"""What each documented query form matches, read by brute force.

Each function takes the corpus (a dict of model.Doc by key) and returns
the set of keys of the documents that match.  They are written from
docs/query-syntax.md, one per form, over the words model.py read.
"""

from model import stem


class Corpus:
    def __init__(self, docs, now):
        self.docs = docs
        self.now = now
        self.all = set(docs)
        # Which documents hold each term and each stem, anywhere and in
        # the title: only to find candidates fast.
        self.holding = ({}, {})
        self.stemmed = ({}, {})
        for k, d in docs.items():
            for title, terms in ((False, d.terms), (True, d.title_terms)):
                for t in terms:
                    self.holding[title].setdefault(t, set()).add(k)
                    if t and not t[0].isdigit() and d.english:
                        self.stemmed[title].setdefault(stem(t),
                                                       set()).add(k)

    def where(self, test, among=None):
        keys = self.all if among is None else among
        return {k for k in keys if test(self.docs[k])}

    def having(self, words, title=False):
        """The documents that hold every one of these exact words."""
        sets = [self.holding[title].get(w, set()) for w in words]
        return set.intersection(*sets) if sets else set(self.all)

    # ---- words ------------------------------------------------------------

    def word(self, w, title=False):
        """A plain word: any word of its stem class, or the word itself."""
        s = stem(w)
        found = set(self.holding[title].get(w, set()))
        if s is not None:
            found |= self.stemmed[title].get(s, set())
        return found

    def exact(self, w, title=False):
        return set(self.holding[title].get(w, set()))

    def phrase(self, items, title=False):
        """`items`: words (str) and compounds (parts, joined), side by
        side in this order, each compound apart or joined."""
        def at(field, pos, i):
            if i == len(items):
                return True
            item = items[i]
            if isinstance(item, str):
                return item in field.at.get(pos, ()) and \
                    at(field, pos + 1, i + 1)
            parts, joined = item
            if joined in field.at.get(pos, ()) and \
                    at(field, pos + 1, i + 1):
                return True
            return all(p in field.at.get(pos + k, ())
                       for k, p in enumerate(parts)) and \
                at(field, pos + len(parts), i + 1)

        def test(d):
            return any(at(f, pos, 0) for f in d.fields_of(title)
                       for pos in f.at)
        first = items[0] if isinstance(items[0], str) else None
        return self.where(test, self.having([first] if first else [],
                                            title))

    def near(self, words, distance, title=False):
        """Exact words at distinct positions, all within a span of
        distance + len(words) - 1 positions."""
        window = distance + len(words) - 1

        def spots(d, w):
            return sorted(p for f in d.fields_of(title)
                          for p, terms in f.at.items() if w in terms)

        def test(d):
            lists = [spots(d, w) for w in words]
            if not all(lists):
                return False

            def pick(i, used, lo, hi):
                if i == len(words):
                    return True
                for p in lists[i]:
                    if p in used:
                        continue
                    nlo, nhi = min(lo, p), max(hi, p)
                    if nhi - nlo + 1 <= window and \
                            pick(i + 1, used | {p}, nlo, nhi):
                        return True
                return False
            return pick(0, frozenset(), float("inf"), float("-inf"))
        return self.where(test, self.having(words, title))

    def prefix(self, p, title=False):
        found = set()
        for t, keys in self.holding[title].items():
            if t.startswith(p):
                found |= keys
        return found

    def cjk_run(self, run, then=None):
        """A quoted run of Han or kana (2 characters or more): every pair
        of its characters somewhere; with `then`, that word right after
        a run holding its last pair."""
        pairs = {run[i:i + 2] for i in range(len(run) - 1)}
        last = run[-2:]

        def test(d):
            return then is None or any(
                last in r and then in f.at.get(pos + 1, ())
                for f in d.fields for pos, r in f.runs)
        return self.where(test, self.having(pairs))

    # ---- filters ----------------------------------------------------------

    def topic(self, value):
        return self.where(lambda d: value in d.topics)

    def folded(self, name, value):
        from model import fold_value
        return self.where(lambda d: d.f[name] is not None and
                          fold_value(d.f[name]) == value)

    def provider(self, value):
        from model import fold_value
        return self.where(lambda d: value in d.sites or (
            d.f["provider_name"] is not None and
            fold_value(d.f["provider_name"]) == value))

    def site(self, value):
        return self.where(lambda d: value in d.sites)

    def url(self, value):
        return self.where(lambda d: value in d.urls)

    def published(self, value):
        return self.where(lambda d: d.f["published"] is value)

    def date(self, lo, hi):
        return self.where(lambda d: d.f["date"] is not None and
                          lo <= d.f["date"] <= hi)

    def quality(self, lo, hi):
        return self.where(lambda d: lo <= d.quality <= hi)
