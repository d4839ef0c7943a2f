# End to end: newsquery's command line.  Options anywhere (GNU argument
# permutation) while "-word" stays a query word; one-line messages for a
# bad option; --count; --sort date both ways; -0; --format jsonl; the
# --explain columns of TSV.
. "$(dirname "$0")/lib.sh"

export NEWSINDEX_DB="$WORK/db"
expect_status 0 "build the samples" -- "$NEWSINDEX" build "$NI_TEST_SAMPLES"

# ---- options anywhere --------------------------------------------------
expect_status 0 "--json before the words" -- "$NEWSQUERY" --json --limit 2 sanctions
cp "$WORK/out" "$WORK/before"
expect_status 0 "options after the words" -- "$NEWSQUERY" sanctions --limit 2 --json
expect_same "options after the words" "$WORK/before" "$WORK/out"
expect_status 0 "-n N after a word" -- "$NEWSQUERY" sanctions -n 2 --json
expect_same "-n N after a word" "$WORK/before" "$WORK/out"
expect_status 0 "-nN, between words" -- "$NEWSQUERY" --json SenseTime -n3 sanctions
CHECKS=$((CHECKS + 1))
[ "$(json 'd["query"], len(d["results"])')" = "('SenseTime sanctions', 3)" ] ||
	fail "-nN between words: $(json 'd["query"], len(d["results"])')"
# A dash and a word is a query word, wherever it is.
expect_status 0 "-word excludes" -- "$NEWSQUERY" sanctions -SenseTime --json -n 50
CHECKS=$((CHECKS + 1))
[ "$(json 'd["query"]')" = "sanctions -SenseTime" ] &&
	[ "$(json 'any("SenseTime" in (r["title"] or "") for r in d["results"])')" = False ] ||
	fail "-SenseTime is not an excluded word: $(json 'd["query"]')"
expect_status 0 "a word like no option" -- "$NEWSQUERY" sanctions -x
# After --, everything is a word.
expect_status 0 "words after --" -- "$NEWSQUERY" --json -- sanctions --limit 1
CHECKS=$((CHECKS + 1))
[ "$(json 'd["query"], len(d["results"]) > 1')" = "('sanctions --limit 1', True)" ] ||
	fail "-- does not end the options: $(json 'd["query"]')"
expect_status 0 "-h after a word" -- "$NEWSQUERY" sanctions -h
expect_match "$WORK/out" '^usage: newsquery' "help after a word"

# ---- a bad option: one line, a hint, exit 2 ------------------------------
expect_status 2 "unknown option" -- "$NEWSQUERY" --bogus sanctions
expect_only_line "$WORK/err" "newsquery: unknown option '--bogus' (see --help)" "unknown option"
expect_no_match "$WORK/out" . "nothing on stdout for a bad option"
expect_status 2 "unknown option with a value" -- "$NEWSQUERY" sanctions --bogus=3
expect_only_line "$WORK/err" "newsquery: unknown option '--bogus' (see --help)" "unknown option with a value"
expect_status 2 "missing value" -- "$NEWSQUERY" sanctions --limit
expect_only_line "$WORK/err" "newsquery: option '--limit' needs a value (see --help)" "missing value"
expect_status 2 "missing value of -n" -- "$NEWSQUERY" sanctions -n
expect_only_line "$WORK/err" "newsquery: option '-n' needs a value (see --help)" "missing -n value"
expect_status 2 "a value for a flag" -- "$NEWSQUERY" --json=yes sanctions
expect_only_line "$WORK/err" "newsquery: option '--json' takes no value (see --help)" "flag with a value"
# --serve's own options without it: refused, not ignored.
for opt in "--threads 2" "--public-url https://news.example/" "--serve-paths" \
	   "--no-thumbnails" "--max-connections 9" "--allow-host a.example"; do
	set -- $opt
	expect_status 2 "$1 without --serve" -- "$NEWSQUERY" "$@" sanctions
	expect_only_line "$WORK/err" "newsquery: $1 goes with --serve" "$1 said"
done
expect_status 2 "ambiguous abbreviation" -- "$NEWSQUERY" --f json sanctions
expect_only_line "$WORK/err" "newsquery: option '--f' is ambiguous (--format, --facets, --feedback, --feed-base) (see --help)" "ambiguous"
expect_status 0 "a unique abbreviation" -- "$NEWSQUERY" --form tsv sanctions
expect_match "$WORK/out" '^rank	score	' "--form is --format"

# ---- --count -----------------------------------------------------------
expect_status 0 "--json total" -- "$NEWSQUERY" --json sanctions
total=$(json 'd["total"]')
expect_status 0 "--count" -- "$NEWSQUERY" sanctions --count
expect_only_line "$WORK/out" "$total" "--count is the total"
expect_status 1 "--count of nothing" -- "$NEWSQUERY" --count zzyzxqqq
expect_only_line "$WORK/out" 0 "--count of nothing"
expect_status 2 "--count with --json" -- "$NEWSQUERY" --count --json sanctions
expect_only_line "$WORK/err" "newsquery: --count prints only a number: it takes no --format or --json" "--count --json"

# Over 1,000 matches Xapian estimates the total; --count counts them.
python3 - "$WORK/many" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(out)
for i in range(1500):
    with open(os.path.join(out, f"{i:05d}.txt"), "w") as f:
        f.write(f"""---
title: "Report {i} on w{i % 7} and w{i % 11}"
excerpt: "Number {i}: w{i % 13} w{i % 17} w{i % 19}."
webUrl: "https://example.com/{i}"
---
""")
PY
expect_status 0 "build 1500 articles" -- "$NEWSINDEX" build --db "$WORK/many-db" "$WORK/many"
expect_status 0 "every match" -- "$NEWSQUERY" --db "$WORK/many-db" --all --limit 10000 --format tsv w1 w2 w3 w4
matches=$(($(wc -l <"$WORK/out") - 1))
expect_status 0 "--count over 1,000" -- "$NEWSQUERY" --db "$WORK/many-db" --count w1 w2 w3 w4
expect_only_line "$WORK/out" "$matches" "--count is exact over 1,000"

# ---- --sort date both ways ---------------------------------------------
# A story with two copies (the newer one of lower quality), one other
# article between them in time, and an undated one.
mkdir -p "$WORK/dated"
article() {  # article FILE DATE QUALITY TITLE
	{
		echo "---"
		echo "title: \"$4\""
		echo "excerpt: \"The council approved the harbour budget for next year after a long debate.\""
		echo "webUrl: \"https://example.com/$1\""
		echo "quality: $3"
		[ "$2" = - ] || echo "publishedDateTime: $2"
		echo "---"
	} >"$WORK/dated/$1.txt"
}
article copy-old 2024-01-10T08:00:00Z 90 "Harbour budget approved"
article copy-new 2024-01-12T08:00:00Z 10 "Harbour budget approved"
article between 2024-01-11T08:00:00Z 50 "Harbour budget questions"
article undated - 50 "Harbour budget explained"
expect_status 0 "build dated articles" -- "$NEWSINDEX" build --db "$WORK/dated-db" "$WORK/dated"
expect_status 0 "--sort date" -- "$NEWSQUERY" --db "$WORK/dated-db" --sort date --format tsv harbour budget
cut -f3,7 "$WORK/out" >"$WORK/desc"
printf '%s\n' "date	url" "2024-01-12T08:00:00Z	https://example.com/copy-new" \
	"2024-01-11T08:00:00Z	https://example.com/between" \
	"	https://example.com/undated" >"$WORK/want"
expect_same "newest first, a story by its newest copy, undated last" "$WORK/want" "$WORK/desc"
expect_status 0 "--sort date-asc" -- "$NEWSQUERY" --db "$WORK/dated-db" --sort date-asc --format tsv harbour budget
cut -f3,7 "$WORK/out" >"$WORK/asc"
printf '%s\n' "date	url" "2024-01-10T08:00:00Z	https://example.com/copy-old" \
	"2024-01-11T08:00:00Z	https://example.com/between" \
	"	https://example.com/undated" >"$WORK/want"
expect_same "oldest first, a story by its oldest copy, undated last" "$WORK/want" "$WORK/asc"
# On the samples: the dates of one order are the other's, reversed.
expect_status 0 "samples by date" -- "$NEWSQUERY" --sort date --limit 100 --format tsv sanctions
tail -n +2 "$WORK/out" | cut -f3 | tac >"$WORK/desc"
expect_status 0 "samples by date-asc" -- "$NEWSQUERY" --sort date-asc --limit 100 --format tsv sanctions
tail -n +2 "$WORK/out" | cut -f3 >"$WORK/asc"
expect_same "date-asc is date reversed" "$WORK/desc" "$WORK/asc"
CHECKS=$((CHECKS + 1))
sort -c "$WORK/asc" || fail "date-asc is not in date order"
expect_status 2 "a bad --sort" -- "$NEWSQUERY" --sort sideways sanctions
expect_match "$WORK/err" "is not relevance, date, date-asc, quality or heat" "sorts named"

# ---- -0 and --format jsonl ---------------------------------------------
expect_status 0 "paths" -- "$NEWSQUERY" --format paths --limit 20 sanctions
mv "$WORK/out" "$WORK/lines"
expect_status 0 "paths -0" -- "$NEWSQUERY" --format paths -0 --limit 20 sanctions
CHECKS=$((CHECKS + 1))
[ "$(tr -cd '\n' <"$WORK/out" | wc -c)" -eq 0 ] ||
	fail "-0 output has newlines"
tr '\0' '\n' <"$WORK/out" >"$WORK/nul"
expect_same "-0 is the same paths, NUL-ended" "$WORK/lines" "$WORK/nul"
expect_status 0 "urls" -- "$NEWSQUERY" --format urls sanctions
mv "$WORK/out" "$WORK/lines"
expect_status 0 "urls --null" -- "$NEWSQUERY" --format urls --null sanctions
tr '\0\n' '\n\0' <"$WORK/out" >"$WORK/nul"
expect_same "--null is the same URLs, NUL-ended" "$WORK/lines" "$WORK/nul"
expect_status 2 "-0 with tsv" -- "$NEWSQUERY" --format tsv -0 sanctions
expect_only_line "$WORK/err" "newsquery: -0/--null goes with --format paths or urls" "-0 with tsv"

expect_status 0 "--json" -- "$NEWSQUERY" --json --limit 20 sanctions
mv "$WORK/out" "$WORK/whole"
expect_status 0 "--format jsonl" -- "$NEWSQUERY" --format jsonl --limit 20 sanctions
CHECKS=$((CHECKS + 1))
python3 - "$WORK/whole" "$WORK/out" <<'PY' || fail "jsonl lines are not the results of --json"
import json, sys
whole = json.load(open(sys.argv[1]))["results"]
lines = open(sys.argv[2]).read().split("\n")
assert lines[-1] == "" and len(lines) - 1 == len(whole) > 1, len(lines)
for line, result in zip(lines, whole):
    assert json.loads(line) == result, (line, result)
PY
expect_status 1 "jsonl of nothing" -- "$NEWSQUERY" --format jsonl zzyzxqqq
expect_no_match "$WORK/out" . "jsonl of nothing is empty"

# ---- --explain in TSV ----------------------------------------------------
expect_status 0 "tsv --explain" -- "$NEWSQUERY" --format tsv --explain --recent SenseTime sanctions
CHECKS=$((CHECKS + 1))
python3 - "$WORK/out" <<'PY' || fail "--explain columns of TSV"
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
assert rows[0][8:] == ["tier", "bm25", "quality_part", "recency_part"], rows[0]
assert len(rows) > 2 and all(len(r) == 12 for r in rows), rows
assert rows[1][8] == "all words" and rows[-1][8] == "some words", rows
for r in rows[1:]:
    assert abs(sum(float(x) for x in r[9:12]) - float(r[1])) < 0.001, r
PY
expect_status 0 "tsv without --explain" -- "$NEWSQUERY" --format tsv sanctions
expect_line "$WORK/out" "rank	score	date	quality	provider	title	url	path" "TSV header"
finish
