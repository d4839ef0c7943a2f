# End to end: --json is one object with every documented field.
. "$(dirname "$0")/lib.sh"

DB="$WORK/db"
expect_status 0 "build" -- "$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES"
expect_status 0 "json query" -- "$NEWSQUERY" --db "$DB" --json --limit 3 SenseTime sanctions
CHECKS=$((CHECKS + 1))
python3 - "$WORK/out" <<'PY' || fail "JSON shape (docs/json.md)"
import json, sys
text = open(sys.argv[1]).read()
assert text.count("\n") == 1, "one line"
d = json.loads(text)
assert d["version"] == 1
assert d["query"] == "SenseTime sanctions"
assert isinstance(d["total"], int) and d["total"] >= 3
assert d["offset"] == 0 and d["total_exact"] is True
assert d["suggestion"] is None and d["facets"] == {}
assert len(d["results"]) == 3
fields = {"rank", "score", "relevance", "quality", "heat", "all_words", "similar",
          "title", "excerpt", "url", "path", "related_of", "provider", "date",
          "published", "topics", "image", "lang", "snippet", "explain"}
for i, r in enumerate(d["results"]):
    assert set(r) == fields, set(r) ^ fields
    assert r["rank"] == i + 1
    assert isinstance(r["score"], float) and isinstance(r["relevance"], float)
    assert set(r["provider"]) == {"name", "domain"}
    assert isinstance(r["topics"], list)
    assert r["path"].startswith("/")
seed = d["results"][0]
assert seed["title"] == "AI Developer SenseTime Pulls Stock Sale Due to U.S. Sanctions"
assert seed["quality"] == 37
assert seed["date"] == "2021-12-13T10:22:00Z"
assert seed["published"] is False
assert seed["topics"] == ["AI"]
# images[0] as written, http and all: the reader decides what to show.
assert seed["image"] == {"url": "http://s.thestreet.com/files/tsc/v2008/photos/contrib/uploads/509c96e5-3901-11e8-903c-f93462b03a68.png",
                         "width": 1152, "height": 768}, seed["image"]
assert seed["provider"] == {"name": "TheStreet.com", "domain": "thestreet.com"}
assert seed["url"].startswith("https://realmoney.thestreet.com/")
# score = relevance + 1.0 * 0.1 * best * quality / 100 (the default
# blend), the best being the tier's best relevance: the seed's own.
best = max(r["relevance"] for r in d["results"] if r["all_words"])
assert best == seed["relevance"]
assert abs(seed["score"] - seed["relevance"] - 0.1 * best * 0.37) < 1e-6
e = seed["explain"]
assert e["tier"] == "all words" and e["bm25"] == seed["relevance"]
assert abs(e["bm25"] + e["quality"] + e["recency"] - seed["score"]) < 1e-6
assert seed["similar"] == 0 and seed["related_of"] is None
assert seed["snippet"]["text"] == seed["excerpt"]
# Within a tier, best score first.
for tier in (True, False):
    scores = [r["score"] for r in d["results"] if r["all_words"] is tier]
    assert scores == sorted(scores, reverse=True), scores
PY

# No match: still one object, with an empty list, and exit 1.
expect_status 1 "json no match" -- "$NEWSQUERY" --db "$DB" --json zzyzxqqq
CHECKS=$((CHECKS + 1))
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["results"] == [] and d["total"] == 0' "$WORK/out" \
	|| fail "empty JSON result"

# --quality-weight 0: score is relevance alone.
expect_status 0 "json no blend" -- "$NEWSQUERY" --db "$DB" --json --quality-weight 0 sanctions
CHECKS=$((CHECKS + 1))
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all(r["score"] == r["relevance"] for r in d["results"])' "$WORK/out" \
	|| fail "quality weight 0"
# ---- what docs/json.md promises beyond the sample's fields ----------------
# Every JSON output here is also checked against docs/json-schema/ by
# tests/e2e/bin/ (lib.sh's finish counts them); these check the values.

# "did you mean": a respelled query, when this one finds fewer than 5.
expect_status 1 "json misspelled" -- "$NEWSQUERY" --db "$DB" --json sanctoins
expect_json 'd["suggestion"], d["total"], d["results"]' "('sanctions', 0, [])" "a suggestion"

# An article with nothing but a title: each field it lacks is null.
ODD="$WORK/odd"
mkdir -p "$ODD"
printf -- '---\ntitle: "Barebones lonely"\n---\n' >"$ODD/bare.txt"
# Quotes, a backslash, C0 controls, DEL, C1 controls, U+2028 and U+2029.
cat >"$ODD/escapes.txt" <<'EOF'
---
title: "Escapee \"q\" back\\slash\ttab\nnl \e[31m esc \x7f del \x85 nel \x9b csi \u2028 ls \u2029 ps"
excerpt: "Escapee's excerpt: \e]0;title\a bell"
webUrl: "https://example.com/escapee"
---
EOF
# A file name that is not UTF-8 (a path need not be), and front matter
# that is not (refused by the build: docs/json.md).
printf -- '---\ntitle: "Mojibake filename"\n---\n' >"$ODD/bad"$'\xff'"name.txt"
printf -- '---\ntitle: "Brokenword \377"\n---\n' >"$ODD/broken.txt"
expect_status 0 "build the odd articles" -- "$NEWSINDEX" build --db "$WORK/odd.db" "$ODD"
expect_match "$WORK/out" "skipped 1 \(1 invalid UTF-8\)" "front matter not UTF-8 is skipped"

expect_status 0 "json bare" -- "$NEWSQUERY" --db "$WORK/odd.db" --json Barebones
CHECKS=$((CHECKS + 1))
python3 - "$WORK/out" "$ODD" <<'PY2' || fail "null fields (docs/json.md)"
import json, sys
r = json.loads(open(sys.argv[1], "rb").read())["results"]
assert len(r) == 1, r
r = r[0]
for field in ("quality", "excerpt", "url", "related_of", "date",
              "published", "snippet"):
    assert r[field] is None, (field, r[field])
assert r["title"] == "Barebones lonely", r["title"]
assert r["provider"] == {"name": None, "domain": None}, r["provider"]
assert r["topics"] == [] and r["similar"] == 0, r
assert r["path"] == sys.argv[2] + "/bare.txt", r["path"]
PY2
expect_status 0 "jsonl bare" -- "$NEWSQUERY" --db "$WORK/odd.db" --format jsonl Barebones
expect_json 'd["quality"], d["snippet"], d["date"], d["url"], d["published"]' "(None, None, None, None, None)" "null fields in jsonl"

expect_status 0 "json escapes" -- "$NEWSQUERY" --db "$WORK/odd.db" --json Escapee
CHECKS=$((CHECKS + 1))
python3 - "$WORK/out" <<'PY2' || fail "strings escaped (docs/json.md)"
import json, sys
raw = open(sys.argv[1], "rb").read()
title = ('Escapee "q" back\\slash\ttab\nnl \x1b[31m esc \x7f del \x85 nel '
         '\x9b csi \u2028 ls \u2029 ps')
# As written: json-c's escapes, DEL and C1 as \u, U+2028/9 as they are.
want = ('"title":"Escapee \\"q\\" back\\\\slash\\ttab\\nnl \\u001b[31m esc '
        '\\u007f del \\u0085 nel \\u009b csi \u2028 ls \u2029 ps"')
assert want.encode() in raw, raw
assert not any(b < 0x20 or b == 0x7f for b in raw[:-1]), raw
assert b"\xc2\x85" not in raw and b"\xc2\x9b" not in raw, raw
r = json.loads(raw)["results"][0]
assert r["title"] == title, r["title"]
assert r["excerpt"] == "Escapee's excerpt: \x1b]0;title\x07 bell", r["excerpt"]
assert b'\\u001b]0;title\\u0007 bell' in raw, raw
# The snippet is the excerpt as the terminal shows it: controls as U+FFFD.
assert r["snippet"] == {"text": "Escapee's excerpt: \ufffd]0;title\ufffd bell",
                        "highlights": [[0, 7]]}, r["snippet"]
PY2

# Each byte of a path that is not UTF-8 is U+FFFD: the line stays UTF-8.
expect_status 0 "json path not UTF-8" -- "$NEWSQUERY" --db "$WORK/odd.db" --json Mojibake
expect_json 'd["results"][0]["path"] == "'"$ODD"'/bad\ufffdname.txt"' True "a path not UTF-8"
expect_status 1 "json refused article" -- "$NEWSQUERY" --db "$WORK/odd.db" --json Brokenword
expect_json 'd["total"], d["results"]' "(0, [])" "front matter not UTF-8 is not indexed"
cp -r "$WORK/odd.db" "$WORK/odd"$'\xff'.db
expect_status 0 "stats --json, a path not UTF-8" -- "$NEWSINDEX" stats --json --db "$WORK/odd"$'\xff'.db
expect_json 'd["index"] == "'"$WORK"'/odd\ufffd.db"' True "stats: an index path not UTF-8"

# total_exact and stories_exact false: over 1,000 matches whose bounds
# Xapian does not know exactly (alpha OR beta: 1,200 and 800 of 2,400).
python3 - "$WORK/many" <<'PY2'
import os, sys
os.makedirs(sys.argv[1])
for i in range(2400):
    words = " ".join(w for w, m in (("alpha", 2), ("beta", 3)) if i % m == 0)
    with open(os.path.join(sys.argv[1], "%05d.txt" % i), "w") as f:
        f.write('---\ntitle: "Note %d %s"\nwebUrl: "https://example.com/%d"\n'
                '---\n' % (i, words, i))
PY2
expect_status 0 "build many" -- "$NEWSINDEX" build --db "$WORK/many.db" "$WORK/many"
expect_status 0 "json estimate" -- "$NEWSQUERY" --db "$WORK/many.db" --json --limit 2 alpha beta
expect_json 'd["total_exact"], d["stories_exact"], d["total"] > 1000, d["next_offset"]' "(False, False, True, 2)" "counts that are estimates"
finish
