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
fields = {"rank", "score", "relevance", "quality", "all_words", "similar",
          "title", "excerpt", "url", "path", "related_of", "provider", "date",
          "published", "topics", "snippet", "explain"}
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
assert seed["provider"] == {"name": "TheStreet.com", "domain": "thestreet.com"}
assert seed["url"].startswith("https://realmoney.thestreet.com/")
# score = relevance + 1.0 * quality / 100 (the default blend)
assert abs(seed["score"] - seed["relevance"] - 0.37) < 1e-6
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
finish
