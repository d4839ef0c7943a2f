# End to end: the query language, sorting, collapsing, facets, formats
# and suggestions, on the bundled sample articles.
. "$(dirname "$0")/lib.sh"

DB="$WORK/db"
"$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES" >/dev/null 2>&1 || fail "build"

# ids QUERY... : the results, in order, space-separated, into $WORK/ids:
# an article as its file's number (NNN of NNN_hash.txt), a related record
# as r and its parent file's number.  The status is newsquery's (0 found,
# 1 none), or 3 when it said 0 or 1 but wrote no JSON of results.
ids() {
	"$NEWSQUERY" --db "$DB" --all --json --limit 100 "$@" \
		>"$WORK/ids.json" 2>"$WORK/err"
	local status=$?
	python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
print(" ".join(("r" if r["related_of"] else "")
               + os.path.basename(r["path"]).split("_")[0]
               for r in d["results"]))' "$WORK/ids.json" >"$WORK/ids" 2>>"$WORK/err" ||
		[ "$status" -gt 1 ] || status=3
	return "$status"
}

# expect_ids WANT DESCRIPTION -- QUERY...: the result ids are exactly WANT
# (a regular expression over the space-separated list), and newsquery
# ends as it should: 0, or 1 when WANT is no result at all.
expect_ids() {
	local want=$1 what=$2 status=0 got
	shift 3
	[ -n "$want" ] || status=1
	CHECKS=$((CHECKS + 1))
	ids "$@"
	got=$?
	if [ "$got" -ne "$status" ] ||
	   ! [[ "$(cat "$WORK/ids")" =~ ^($want)$ ]]; then
		fail "$what: exit $got, got '$(cat "$WORK/ids")', wanted /$want/ and exit $status"
		sed 's/^/  stderr: /' "$WORK/err" >&2
	fi
}

# --- words, phrases, operators -------------------------------------------
expect_ids '000 r000 003 018 019 017 r017' "every word first" -- SenseTime sanctions
expect_ids 'r000 000 003' "OR, with the seed's related record" -- SenseTime OR SenseTime
expect_ids '018 017 r017' "NOT" -- sanctions NOT Iran NOT SenseTime
expect_ids '018 019 000' "-word" -- sanctions -Russia
expect_ids '000' "+word" -- +sanctions +SenseTime
expect_ids '010 011' "phrase" -- '"interest rate"'
expect_ids '000 003 r003' "group" -- '(SenseTime OR Hong) AND (listing OR sanctions)'
expect_ids '018 019 000 017 r017' "prefix" -- 'sanct*'
expect_ids '000' "NEAR" -- 'sensetime NEAR/8 sanctions'
expect_ids '' "NEAR too far" -- 'sensetime NEAR/3 sanctions'

# --- fields and filters ---------------------------------------------------
expect_ids '018 000 019 017' "title:" -- 'title:sanctions'
expect_ids '000' "title: phrase" -- 'title:"stock sale"'
expect_ids '000 003' "topic: filter" -- 'topic:AI SenseTime'
expect_ids 'r000 003' "site: matches subdomains" -- 'site:nikkei.com SenseTime'
expect_ids '003' "provider: name" -- 'provider:"Nikkei Asia" SenseTime'
expect_ids '000' "date: year" -- 'date:2021 sanctions -Iran'
expect_ids '000' "date: month" -- 'date:2021-12 sanctions'
expect_ids '019 000' "date: range" -- 'date:2021-11-01..2021-12-31 sanctions'
expect_ids '018 017' "quality:" -- 'quality:>=60 sanctions'
expect_ids '018 017' "published:" -- 'published:true sanctions'
expect_ids '000 003' "url:" -- 'url:https://asia.nikkei.com/Business/Markets/Stocks/SenseTime-finally-completes-Hong-Kong-listing-after-two-week-delay OR title:"Stock Sale"'

# --- errors (--strict-syntax): caret under the problem, exit 2 -------------
# (without it, such queries are searched as words: pasted.sh)
expect_status 2 "unknown field" -- "$NEWSQUERY" --db "$DB" --strict-syntax 'sanctions foo:bar'
expect_match "$WORK/err" "unknown field 'foo:'" "unknown field named"
expect_match "$WORK/err" '^  sanctions foo:bar$' "query echoed"
expect_match "$WORK/err" '^            \^\^\^\^$' "caret under foo:"
expect_status 2 "unclosed quote" -- "$NEWSQUERY" --db "$DB" --strict-syntax '"stock sale'
expect_match "$WORK/err" 'unclosed quote' "unclosed quote named"
expect_status 2 "unbalanced parenthesis" -- "$NEWSQUERY" --db "$DB" --strict-syntax '(a OR b'
expect_match "$WORK/err" '^newsquery: unclosed parenthesis$' "parenthesis named"
expect_status 2 "bad date" -- "$NEWSQUERY" --db "$DB" --strict-syntax 'date:2021-13 x'
expect_match "$WORK/err" "^newsquery: date: '2021-13' is not a date " "bad date named"
expect_match "$WORK/err" '^       \^{7}$' "caret under the date"

# --- sorting ----------------------------------------------------------------
expect_status 0 "sort by date" -- "$NEWSQUERY" --db "$DB" --json --sort date --limit 20 'topic:AI'
expect_json '[r["date"] for r in d["results"]] == sorted([r["date"] for r in d["results"]], reverse=True)' True "newest first"
expect_json 'len(d["results"]) > 3' True "several AI articles"
expect_status 0 "sort by quality" -- "$NEWSQUERY" --db "$DB" --json --sort quality sanctions
expect_json '[r["quality"] for r in d["results"]]' '[72, 63, 55, 37, 30]' "best quality first"

# Filters alone rank nothing: the quality blend orders them (and no
# feedback from arbitrary articles reorders them).
expect_status 0 "filters only" -- "$NEWSQUERY" --db "$DB" --json --limit 50 'topic:AI'
expect_json 'all(abs(r["relevance"]) < 1e-9 for r in d["results"])' True "no relevance"
expect_json '[r["quality"] for r in d["results"]] == sorted([r["quality"] for r in d["results"]], reverse=True)' True "by quality"

# --- collapsing reprints -----------------------------------------------------
expect_status 0 "collapsed story" -- "$NEWSQUERY" --db "$DB" --json 'title:"Federal Reserve holds rates"'
expect_json 'len(d["results"])' 1 "one hit for the story"
expect_json 'd["results"][0]["similar"]' 1 "+1 similar"
expect_json 'd["results"][0]["provider"]["name"]' 'Associated Press' "best-quality copy shown"
expect_json 'd["total"]' 2 "total counts both copies"
expect_status 0 "--all" -- "$NEWSQUERY" --db "$DB" --json --all 'title:"Federal Reserve holds rates"'
expect_json 'len(d["results"])' 2 "--all shows both"
expect_status 0 "similar in text" -- "$NEWSQUERY" --db "$DB" 'title:"Federal Reserve holds rates"'
expect_match "$WORK/out" '· \+1 similar$' "text says +1 similar"

# --- facets -------------------------------------------------------------------
expect_status 0 "facets" -- "$NEWSQUERY" --db "$DB" --json --limit 1 --facets topic,provider,month sanctions
expect_json 'sum(f["count"] for f in d["facets"]["topic"] if f["value"] == "Trade")' 2 "topic counts over all matches"
expect_json 'sorted(f["value"] for f in d["facets"]["month"])' "['2020-12', '2021-11', '2021-12', '2022-12']" "months"
expect_json 'len(d["results"])' 1 "the page stays one hit"
expect_status 0 "facets in text" -- "$NEWSQUERY" --db "$DB" --facets topic sanctions
expect_match "$WORK/out" '^topic: (Politics|Trade) 2 · ' "facet line"
expect_status 2 "unknown facet" -- "$NEWSQUERY" --db "$DB" --facets colour sanctions

# --- output formats -------------------------------------------------------------
expect_status 0 "paths" -- "$NEWSQUERY" --db "$DB" --format paths sanctions SenseTime
expect_match "$WORK/out" '^/.*/000_9d2a1a51c9f77b9a\.txt$' "a path per line"
expect_status 0 "urls" -- "$NEWSQUERY" --db "$DB" --format urls sanctions SenseTime
expect_match "$WORK/out" '^https://realmoney\.thestreet\.com/' "a URL per line"
expect_status 0 "tsv" -- "$NEWSQUERY" --db "$DB" --format tsv sanctions
expect_match "$WORK/out" $'^rank\tscore\tdate\tquality\tprovider\ttitle\turl\tpath$' "tsv header"
expect_match "$WORK/out" $'^1\t[0-9.]+\t20[0-9-]+T[0-9:]+Z\t[0-9]+\t[^\t]+\t[^\t]+\thttps://[^\t]+\t/' "tsv row"
expect_status 2 "bad format" -- "$NEWSQUERY" --db "$DB" --format xml sanctions

# --- explain, snippets, links ---------------------------------------------------
expect_status 0 "explain" -- "$NEWSQUERY" --db "$DB" --explain SenseTime sanctions
expect_match "$WORK/out" '^    all words · bm25 [0-9.]+ \+ quality 0\.[0-9]{3} \+ recency 0\.000 = [0-9.]+$' "explain line of the seed"
expect_match "$WORK/out" '^    some words · bm25 ' "explain line of a partial match"
expect_status 0 "snippet highlights" -- "$NEWSQUERY" --db "$DB" --json SenseTime sanctions
expect_json '[d["results"][0]["snippet"]["text"][a:b] for a, b in d["results"][0]["snippet"]["highlights"]]' "['SenseTime', 'sanctions']" "matched words highlighted"
expect_status 0 "highlight on a terminal" -- "$NEWSQUERY" --db "$DB" --color always SenseTime sanctions
expect_match "$WORK/out" $'\033\\[1;33mSenseTime\033\\[0m' "highlighted word"
expect_status 0 "hyperlinks" -- "$NEWSQUERY" --db "$DB" --hyperlinks always SenseTime sanctions
expect_match "$WORK/out" $'\033]8;;https://realmoney' "OSC 8 link"

# --- did you mean, like, recent --------------------------------------------------
expect_status 1 "misspelt" -- "$NEWSQUERY" --db "$DB" sensetmie sanctoins
expect_match "$WORK/out" '^did you mean: sensetime sanctions$' "suggestion"
expect_status 0 "like" -- "$NEWSQUERY" --db "$DB" --json --like "$(sed -n 's/^webUrl: "\(.*\)"/\1/p' "$NI_TEST_SAMPLES/000_9d2a1a51c9f77b9a.txt")"
expect_json 'd["results"][0]["title"].startswith("SenseTime")' True "most like the seed: the other SenseTime story"
expect_json 'any("Pulls Stock Sale" in r["title"] for r in d["results"])' False "not the article itself"
( cd "$NI_TEST_SAMPLES" && "$NEWSQUERY" --db "$DB" --format urls --limit 1 --like 000_9d2a1a51c9f77b9a.txt ) >"$WORK/out" 2>"$WORK/err"
expect_match "$WORK/out" '^https://asia\.nikkei\.com/' "like a file named by a relative path"
expect_status 2 "like nothing" -- "$NEWSQUERY" --db "$DB" --like https://nowhere.example/
mkdir -p "$WORK/fresh"
today=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cat >"$WORK/fresh/new.txt" <<ART
---
title: "Fresh sanctions announced"
excerpt: "New sanctions were announced today."
publishedDateTime: $today
webUrl: "https://example.com/fresh"
quality: 10
---
ART
"$NEWSINDEX" build --db "$DB" "$WORK/fresh" >/dev/null 2>&1
expect_status 0 "recent" -- "$NEWSQUERY" --db "$DB" --json --recent sanctions
expect_json 'd["results"][0]["url"]' 'https://example.com/fresh' "today's article first"
expect_json 'round(d["results"][0]["explain"]["recency"], 3)' 4 "full recency weight"
expect_json 'd["results"][1]["explain"]["recency"]' 0 "old articles gain nothing"

# date:today and date:yesterday are those days (UTC) as the clock has them.
day=$(date -u +%F)
cat >"$WORK/fresh/yday.txt" <<ART
---
title: "Sanctions of yesterday"
publishedDateTime: $(date -u -d "$day -1 day" +%Y-%m-%dT12:00:00Z)
webUrl: "https://example.com/yday"
---
ART
"$NEWSINDEX" build --db "$DB" "$WORK/fresh" >/dev/null 2>&1
"$NEWSQUERY" --db "$DB" --format urls date:today >"$WORK/today" 2>&1
"$NEWSQUERY" --db "$DB" --format urls date:yesterday >"$WORK/yday" 2>&1
"$NEWSQUERY" --db "$DB" --format urls --sort date 'date:Yesterday..TODAY' >"$WORK/both" 2>&1
if [ "$(date -u +%F)" = "$day" ]; then  # not across midnight
	expect_line "$WORK/today" "https://example.com/fresh" "date:today"
	expect_lines 1 "$WORK/today" "today's alone"
	expect_line "$WORK/yday" "https://example.com/yday" "date:yesterday"
	expect_lines 1 "$WORK/yday" "yesterday's alone"
	expect_lines 2 "$WORK/both" "date:yesterday..today"
fi

# "Did you mean" offers a respelling only when it finds more articles
# with every word: not "zanzibar kerry", none with both words, for the
# one article of "zanzibar ferry".
mkdir -p "$WORK/spell"
for n in 1 2 3; do
	printf -- '---\ntitle: "Kerry speaks in Ohio %s"\nwebUrl: "https://example.com/kerry%s"\n---\n' "$n" "$n" >"$WORK/spell/kerry$n.txt"
done
printf -- '---\ntitle: "Zanzibar ferry times change"\nwebUrl: "https://example.com/zanzibar"\n---\n' >"$WORK/spell/zanzibar.txt"
"$NEWSINDEX" build --db "$WORK/spell-db" "$WORK/spell" >/dev/null 2>&1 || fail "build spell"
expect_status 0 "a rare word found" -- "$NEWSQUERY" --db "$WORK/spell-db" --json zanzibar ferry
expect_json 'd["suggestion"], d["total"]' "(None, 1)" "no respelling to fewer words"
expect_status 1 "a typo" -- "$NEWSQUERY" --db "$WORK/spell-db" --json --strict zanzibr ferrry
expect_json 'd["suggestion"]' "zanzibar ferry" "the typo respelled"
finish
