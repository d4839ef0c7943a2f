# End to end: build the sample articles, query them, build again.
. "$(dirname "$0")/lib.sh"

DB="$WORK/db"
SEED_URL='https://realmoney.thestreet.com/investing/global-equity/ai-developer-sensetime-pulls-stock-sale-due-to-u-s-sanctions-15858865'
n_samples=$(find "$NI_TEST_SAMPLES" -type f \( -name '*.txt' -o -name '*.md' \) | wc -l)

expect_status 0 "build the samples" -- "$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES"
expect_match "$WORK/out" "^added $n_samples, updated 0, unchanged 0, deleted 0, skipped 0, duplicates 0, warnings 0, errors 0 in [0-9.]+ s \\([0-9]+ files/s\\); index $DB holds $n_samples articles and [1-9][0-9]* related records$" "build summary"
[ -s "$WORK/err" ] && fail "build of clean samples printed on stderr: $(cat "$WORK/err")"

expect_status 0 "query SenseTime sanctions" -- "$NEWSQUERY" --db "$DB" SenseTime sanctions
expect_match "$WORK/out" '^ 1\. AI Developer SenseTime Pulls Stock Sale Due to U\.S\. Sanctions$' "seed ranks first"
expect_match "$WORK/out" '^    TheStreet\.com · 2021-12-13 · quality 37$' "provider, date, quality line"
expect_match "$WORK/out" "^    $SEED_URL\$" "url line"
expect_no_match "$WORK/out" $'\033' "no colour when not a terminal"

# One article is one article, not "1 articles" (nor "1 related records").
expect_status 0 "build the seed alone" -- "$NEWSINDEX" build --db "$WORK/one" "$NI_TEST_SAMPLES/000_9d2a1a51c9f77b9a.txt"
expect_match "$WORK/out" "holds 1 article and 2 related records\$" "a count of one in the singular"

# Building again replaces every article: the count does not change.
expect_status 0 "build again" -- "$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES"
expect_match "$WORK/out" "^added 0, updated 0, unchanged $n_samples, .* holds $n_samples articles and" "no duplicates after a second build"
expect_status 0 "stats" -- "$NEWSINDEX" stats --db "$DB"
expect_match "$WORK/out" "^articles: $n_samples\$" "stats count"
expect_match "$WORK/out" '^schema: 2$' "stats schema"

# A second copy of an article under another name is the same article.
mkdir -p "$WORK/copy"
cp "$NI_TEST_SAMPLES/000_9d2a1a51c9f77b9a.txt" "$WORK/copy/seed-again.md"
expect_status 0 "build a copy" -- "$NEWSINDEX" build --db "$DB" "$WORK/copy"
expect_match "$WORK/out" "holds $n_samples articles and" "same URL is one article"

# Partial matches follow the article with every word.
expect_status 0 "json query" -- "$NEWSQUERY" --db "$DB" --json --limit 5 SenseTime sanctions
CHECKS=$((CHECKS + 1))
python3 - "$WORK/out" "$SEED_URL" <<'PY' || fail "partial matches after the full match"
import json, sys
d = json.load(open(sys.argv[1]))
r = d["results"]
assert r[0]["url"] == sys.argv[2], r[0]["url"]
assert r[0]["all_words"] and not any(x["all_words"] for x in r[1:])
assert len(r) == 5 and d["total"] >= 5
PY

# Paging: offset 1 limit 1 is the second hit of the first page.
second=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][1]["url"])' "$WORK/out")
expect_status 0 "second page" -- "$NEWSQUERY" --db "$DB" --json --offset 1 --limit 1 SenseTime sanctions
expect_match "$WORK/out" "\"rank\":2,.*\"url\":\"$second\"" "offset pages through the same order"

# Queries in other scripts find their articles.
expect_status 0 "German query" -- "$NEWSQUERY" --db "$DB" überwachung
expect_match "$WORK/out" 'spiegel\.de|Der Spiegel' "German article found"
# The German and French samples say their lang: stemmed in German, the
# singular finds the plural (and an inflected compound its base).
expect_status 0 "German singular" -- "$NEWSQUERY" --db "$DB" --format tsv Wärmepumpe
expect_match "$WORK/out" 'Große Nachfrage nach Wärmepumpen' "Wärmepumpe finds Wärmepumpen"
expect_status 0 "German plural stem" -- "$NEWSQUERY" --db "$DB" --format tsv --lang de Bahnhof
expect_match "$WORK/out" 'Gesichtserkennung an Bahnhöfen' "Bahnhof finds Bahnhöfen"
expect_status 0 "Chinese query" -- "$NEWSQUERY" --db "$DB" 人工智能
expect_match "$WORK/out" 'Xinhua' "Chinese article found"

# Broken files are named with a reason, and the rest is indexed.
mkdir -p "$WORK/mixed"
cp "$NI_TEST_SAMPLES/000_9d2a1a51c9f77b9a.txt" "$WORK/mixed/good.txt"
printf 'no front matter here\n' > "$WORK/mixed/plain.txt"
printf -- '---\ntitle: "ok"\nexcerpt: [unclosed\n---\n' > "$WORK/mixed/bad-yaml.txt"
printf -- '---\ntitle: "never closed"\n' > "$WORK/mixed/open.md"
printf -- '---\ntitle: "bad quality"\nquality: very high\n---\n' > "$WORK/mixed/warn.txt"
expect_status 0 "build with broken files" -- "$NEWSINDEX" build --db "$WORK/db2" "$WORK/mixed"
expect_match "$WORK/out" '^added 2, updated 0, unchanged 0, deleted 0, skipped 3 \(1 no front matter, 1 unclosed front matter, 1 invalid YAML\), duplicates 0, warnings 1, ' "summary counts"
expect_match "$WORK/err" "^$WORK/mixed/plain\.txt: line 1 col 1: no front matter" "no front matter named"
expect_match "$WORK/err" "^$WORK/mixed/bad-yaml\.txt: line [0-9]+ col [0-9]+: " "YAML error with line and column"
expect_match "$WORK/err" "^$WORK/mixed/open\.md: line 1 col 1: front matter is not closed" "unclosed front matter"
expect_match "$WORK/err" "^$WORK/mixed/warn\.txt: line 3 col 10: warning: quality" "bad quality is a warning"

# A blog's posts (Hugo, Jekyll) and an article as NewsAPI gives it, with
# RSS's and Unix time's dates: their fields are read under their names.
mkdir -p "$WORK/other"
printf -- '---\ntitle: "Hugo on tanker rates"\ndate: 2024-03-01T10:00:00+01:00\ndescription: "Freight costs rise"\ntags: [shipping, energy]\nurl: /tankers/\n---\nBody.\n' > "$WORK/other/hugo.md"
printf -- '---\nlayout: post\ntitle: "Jekyll on tanker fleets"\ndate: 2024-03-02 15:32:14 -0300\nsummary: "Fleets grow"\n---\n' > "$WORK/other/jekyll.md"
printf -- '---\nsource: {id: wire, name: Wire News}\nauthor: A. Writer\ntitle: "NewsAPI on tanker insurance"\ndescription: "Premiums climb"\nurl: "https://wire.example/tankers?utm_source=rss"\nurlToImage: "https://wire.example/t.jpg"\npublishedAt: "Sun, 03 Mar 2024 09:00:00 GMT"\n---\n' > "$WORK/other/newsapi.txt"
printf -- '---\ntitle: "Export on tanker routes"\npubDate: 1709542800\n---\n' > "$WORK/other/export.txt"
expect_status 0 "build other programs' files" -- "$NEWSINDEX" build --db "$WORK/db3" "$WORK/other"
expect_match "$WORK/out" '^added 4, .* warnings 0, errors 0 ' "read without a warning"
expect_status 0 "their dates" -- "$NEWSQUERY" --db "$WORK/db3" --json --sort date-asc 'tanker date:2024-03'
expect_json '[r["date"] for r in d["results"]]' "['2024-03-01T09:00:00Z', '2024-03-02T18:32:14Z', '2024-03-03T09:00:00Z', '2024-03-04T09:00:00Z']" "each date read"
expect_status 0 "their excerpts" -- "$NEWSQUERY" --db "$WORK/db3" --format paths 'premiums OR freight OR fleets'
expect_lines 3 "$WORK/out" "three excerpts searched"
expect_status 0 "tags as topics" -- "$NEWSQUERY" --db "$WORK/db3" --format paths topic:shipping
expect_line "$WORK/out" "$WORK/other/hugo.md" "Hugo's tags"
expect_status 0 "source as provider, url as webUrl" -- "$NEWSQUERY" --db "$WORK/db3" --json 'provider:"wire news"'
expect_json 'd["results"][0]["url"]' "https://wire.example/tankers?utm_source=rss" "NewsAPI's url"

finish
