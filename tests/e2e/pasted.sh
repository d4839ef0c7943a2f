# End to end: what people type or paste into newsquery is answered, never
# a crash: an empty query is an error of one line, text that does not
# parse is searched as its words (unless --strict-syntax), a long text is
# cut short, each with a note on stderr and in the JSON.
. "$(dirname "$0")/lib.sh"

DB="$WORK/db"
"$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES" >/dev/null 2>&1 || fail "build"
CONFIG="$WORK/config.yaml"

# --- an empty query: one line, exit 2 (it used to be SIGSEGV) -----------
for args in "''" "--json ''" "-n 3 ''" "'   '" "'' ''" "$'\t\n'" \
	    "$'\xc2\xa0\xe3\x80\x80'" "--format tsv ' '"; do
	eval "set -- $args"
	expect_status 2 "empty query [$args]" -- "$NEWSQUERY" --db "$DB" "$@"
	expect_line "$WORK/err" "newsquery: empty query: newsquery WORDS... (see --help)" "empty query said [$args]"
	expect_lines 1 "$WORK/err" "one line [$args]"
	expect_lines 0 "$WORK/out" "nothing on stdout [$args]"
done
# With --like, an empty query is no query: the like alone.
LIKE=https://realmoney.thestreet.com/investing/global-equity/ai-developer-sensetime-pulls-stock-sale-due-to-u-s-sanctions-15858865
expect_status 0 "--like with an empty query" -- "$NEWSQUERY" --db "$DB" --json --like "$LIKE" ' '
expect_json 'len(d["results"]) > 0' True "--like alone"

# --- an article's URL pasted alone finds that article ---------------------
expect_status 0 "pasted URL" -- "$NEWSQUERY" --db "$DB" --json "$LIKE"
expect_json '[r["url"] for r in d["results"]]' "['$LIKE']" "the article at the URL"
expect_status 0 "pasted URL and a word" -- "$NEWSQUERY" --db "$DB" --json \
	"$LIKE sanctions"
expect_json 'd["results"][0]["url"]' "$LIKE" "first among the word's"
expect_json 'len(d["results"]) > 1' True "the word's others after"
# As a browser or a share gives it: tracking parameters, a fragment, http,
# "www.", a last '/', an AMP viewer's; in url: and --like too.  Another parameter is part
# of the address, and another address.
WWW_HTTP="http://www.${LIKE#https://}/"
for form in "$LIKE?utm_source=twitter&utm_medium=social#comments" \
	    "$WWW_HTTP?fbclid=IwAR0abc" "url:$WWW_HTTP" \
	    "https://www.google.com/amp/s/${LIKE#https://}.amp?usqp=mq331AQ"; do
	expect_status 0 "pasted URL [$form]" -- "$NEWSQUERY" --db "$DB" --json "$form"
	expect_json '[r["url"] for r in d["results"]]' "['$LIKE']" "the article at [$form]"
done
expect_status 0 "--like a shared URL" -- "$NEWSQUERY" --db "$DB" --json --like "$WWW_HTTP?utm_campaign=x" ' '
expect_json 'len(d["results"]) > 0' True "--like a shared URL"
expect_status 1 "a URL with another parameter" -- "$NEWSQUERY" --db "$DB" --json "url:$LIKE?id=2"

# --- what does not parse is searched as its words -------------------------
expect_status 0 "pasted question" -- "$NEWSQUERY" --db "$DB" --json \
	'Which were 1) the sanctions on "Chinese chips 2) SenseTime?'
expect_json 'd["notices"]' "['unmatched closing parenthesis; searched as words']" "notice in the JSON"
expect_json 'd["syntax_error"]' "{'message': 'unmatched closing parenthesis', 'offset': 12, 'length': 1}" "syntax error in the JSON"
expect_json 'len(d["results"]) > 2' True "the words found articles"
expect_line "$WORK/err" "newsquery: note: unmatched closing parenthesis; searched as words" "note on stderr"
expect_line "$WORK/err" "  Which were 1) the sanctions on \"Chinese chips 2) SenseTime?" "query echoed"
expect_line "$WORK/err" "              ^" "caret under the parenthesis"
expect_lines 3 "$WORK/err" "the note and its caret"
# A query that fits on a line is echoed whole, however far the problem.
expect_status 0 "problem far in a short query" -- "$NEWSQUERY" --db "$DB" \
	'What were the sanctions on SenseTime about? 1) chips 2) AI'
expect_line "$WORK/err" "  What were the sanctions on SenseTime about? 1) chips 2) AI" "a short query echoed whole"
expect_line "$WORK/err" "                                               ^" "caret under its parenthesis"
# Each kind of syntax error, the same way; exit 0 or 1 as any search.
for q in 'sanctions foo:bar' 'sanctions AND' 's* sanctions' 'sanctions)' \
	 '(sanctions' 'date:2021-13 sanctions' 'sanctions NEAR/0 china' '"stock sale'; do
	expect_status 0 "searched as words [$q]" -- "$NEWSQUERY" --db "$DB" --format urls "$q"
	expect_match "$WORK/err" '^newsquery: note: .*; searched as words$' "noted [$q]"
done
# Questions as people paste them (the shape of CISI's): numbered lists,
# stray quotes and parentheses, "Note:", "e.g.", "i.e.", URLs, colons,
# formulas.  Each is answered: results, exit 0, at most a note.
while IFS= read -r q; do
	expect_status 0 "pasted [$q]" -- "$NEWSQUERY" --db "$DB" --json "$q"
	expect_json 'len(d["results"]) > 0' True "results for [$q]"
	grep -v '^newsquery: note: ' "$WORK/err" >"$WORK/err.other"
	expect_no_match "$WORK/err.other" '^newsquery: ' "nothing but a note for [$q]"
done <<'QUESTIONS'
What were the sanctions on SenseTime? 1) chips 2) stock sale 3) "AI developers
Note: describe the U.S. sanctions (e.g. on chips) against Chinese AI companies.
How did the stock sale go, i.e. was it pulled? See https://realmoney.thestreet.com/investing/global-equity/ for details.
Which AI developer (SenseTime pulled its stock sale 1) why? 2) when?
Sanctions: what are the "entity list" rules (see: Commerce Dept.)?
Describe presently working systems (e.g., SDC, Lockheed) for chips: a review.
y = a log(x + c) + b, where y is the ratio of sales to the total
QUESTIONS

# Offsets in the JSON count code points, as JSON readers index strings.
expect_status 0 "error after non-ASCII text" -- "$NEWSQUERY" --db "$DB" --json 'Überwachung café foo:bar'
expect_json 'd["syntax_error"]["offset"], d["syntax_error"]["length"]' "(17, 4)" "code points"
expect_json 'd["query"][d["syntax_error"]["offset"]:][:4]' "foo:" "the offset points at the problem"
# A query that parses has nothing to say.
expect_status 0 "a query that parses" -- "$NEWSQUERY" --db "$DB" --json 'sanctions -china'
expect_json 'd["notices"], d["syntax_error"]' "([], None)" "no notices"
expect_lines 0 "$WORK/err" "no note"
# No words at all, in either reading: an error.
expect_status 2 "punctuation only" -- "$NEWSQUERY" --db "$DB" '( " & )'
expect_match "$WORK/err" '^newsquery: the query has no words to search for$' "no words"

# --- --strict-syntax and strict_syntax: the error, exit 2 -----------------
expect_status 2 "--strict-syntax" -- "$NEWSQUERY" --db "$DB" --strict-syntax 'sanctions foo:bar'
expect_line "$WORK/err" "newsquery: unknown field 'foo:' (fields: title, topic, provider, site, category, type, url, date, quality, heat, published, lang)" "error said"
expect_line "$WORK/err" "            ^^^^" "caret under foo:"
expect_lines 0 "$WORK/out" "no results"
printf 'strict_syntax: true\n' >"$CONFIG"
expect_status 2 "strict_syntax: true" -- env NEWSINDEX_CONFIG="$CONFIG" "$NEWSQUERY" --db "$DB" '"stock sale'
expect_match "$WORK/err" '^newsquery: unclosed quote$' "config refuses"
expect_status 0 "--no-strict-syntax wins" -- env NEWSINDEX_CONFIG="$CONFIG" "$NEWSQUERY" --db "$DB" --no-strict-syntax '"stock sale'
expect_match "$WORK/err" '^newsquery: note: unclosed quote; searched as words$' "option wins"
printf 'strict_syntax: false\n' >"$CONFIG"
expect_status 2 "--strict-syntax wins" -- env NEWSINDEX_CONFIG="$CONFIG" "$NEWSQUERY" --db "$DB" --strict-syntax '"stock sale'

# --- long and hostile text --------------------------------------------------
# 120 KB of words: cut short, with a note, the JSON still one object.
python3 - "$WORK/long" "$WORK/middle" <<'PY'
import sys
words = ["sanctions", "china", "chips", "markets", "rate", "oil"]
text = " ".join(f"{words[i % 6]}{i}" if i % 7 else words[i % 6]
                for i in range(20000))[:120000]
open(sys.argv[1], "w").write(text + " )")
open(sys.argv[2], "w").write(text[:60000] + " foo:bar " + text[60000:])
PY
expect_status 0 "120 KB query" -- "$NEWSQUERY" --db "$DB" --json "$(cat "$WORK/long")"
expect_json 'd["notices"][-1].startswith("the query was cut short (it would take too long to search whole): from ")' True "cut noted in the JSON"
expect_json 'len(d["notices"])' 2 "the syntax and the cut"
expect_match "$WORK/err" "^newsquery: note: the query was cut short" "cut noted on stderr"
# Echoed around the problem only, on one line, whatever the query holds.
expect_status 2 "error far into a long query" -- "$NEWSQUERY" --db "$DB" --strict-syntax "$(cat "$WORK/middle")"
expect_lines 3 "$WORK/err" "error, query, caret"
CHECKS=$((CHECKS + 1))
# (The message first, which lists the fields, is as long as it is.)
awk 'NR > 1 && length($0) > 120 { exit 1 }' "$WORK/err" || fail "the echo is cut to a window"
expect_match "$WORK/err" '^  \.\.\..*\.\.\.$' "cut at both ends"
expect_status 2 "control characters in the echo" -- "$NEWSQUERY" --db "$DB" --strict-syntax $'a\tb\nc\033[31m foo:bar'
expect_lines 3 "$WORK/err" "one line of echo"
expect_line "$WORK/err" "  a b c [31m foo:bar" "control characters as spaces"
expect_line "$WORK/err" "             ^^^^" "caret still in place"
# Invalid UTF-8 in the query: the JSON is still UTF-8.
expect_status 0 "invalid UTF-8" -- "$NEWSQUERY" --db "$DB" --json $'sanctions \xff\xfe foo:bar'
expect_json 'd["query"] == "sanctions \ufffd\ufffd foo:bar"' True "each bad byte a U+FFFD"
expect_json 'd["syntax_error"]["offset"]' 13 "offset in the cleaned text"
# ... and in the "did you mean" made from it (found by cli_fuzz.py).
expect_status 1 "invalid UTF-8 and a misspelling" -- "$NEWSQUERY" --db "$DB" --json $'\xff sanctons'
expect_json 'd["suggestion"] == "\ufffd sanctions"' True "suggestion cleaned"

# --- pasted forms find what the plain ones find -------------------------
# An apostrophe as typed or pasted between letters, a zero width space in
# a word, a fullwidth sign: the same results, in the same order, in every
# format, as typing it plainly; a dash or a minus sign excludes nothing.
same_as_typed() {
	local plain=$1 pasted=$2 fmt
	for fmt in paths json; do
		expect_status 0 "typed [$plain] $fmt" -- "$NEWSQUERY" --db "$DB" \
			--format "$fmt" -n 50 -- "$plain"
		sed 's/"query":"[^"]*",//; s/"elapsed_ms":[0-9.]*,//' "$WORK/out" >"$WORK/typed"
		expect_status 0 "pasted [$pasted] $fmt" -- "$NEWSQUERY" --db "$DB" \
			--format "$fmt" -n 50 -- "$pasted"
		sed 's/"query":"[^"]*",//; s/"elapsed_ms":[0-9.]*,//' "$WORK/out" >"$WORK/pasted"
		expect_same "[$pasted] as [$plain] ($fmt)" "$WORK/typed" "$WORK/pasted"
		expect_lines 0 "$WORK/err" "no note for [$pasted]"
	done
}
for apostrophe in "´" "\`" "‘" "′" "’"; do
	same_as_typed "Russia's sanctions" "Russia${apostrophe}s sanctions"
done
same_as_typed "Russia sanctions" $'Rus\u200bsia sanctions'
same_as_typed "sanctions -China" "sanctions －China"
same_as_typed "+sanctions China" "＋sanctions China"
for dash in "–" "—" "−"; do
	same_as_typed "sanctions China" "sanctions ${dash}China"
done
# What a Chinese or Japanese input method types in fullwidth mode: field
# names and colons, parentheses, operators, a prefix's star, values; the
# corner brackets quote as “ ” do; an ideographic space separates.
same_as_typed "title:sanctions" "ｔｉｔｌｅ：sanctions"
same_as_typed "title:sanctions" "ｔｉｔｌｅ:ｓａｎｃｔｉｏｎｓ"
same_as_typed "topic:AI" "ＴＯＰＩＣ:AI"
same_as_typed "(sanctions OR chips) China" "（sanctions ＯＲ chips）　China"
same_as_typed "sanc*" "ｓａｎｃ＊"
same_as_typed "“stock sale”" "「stock sale」"
same_as_typed "date:2021-12" "ｄａｔｅ：２０２１－１２"
same_as_typed "quality:>=40 sanctions" "quality：＞＝４０ sanctions"
# A word longer than any indexed one is left out, and said to be.
LONG=$(printf 'x%.0s' $(seq 70))
expect_status 0 "a word of 70 letters" -- "$NEWSQUERY" --db "$DB" --json "sanctions $LONG"
expect_json 'd["notices"][0].endswith("has a word longer than 64 bytes, which no article has (words that long are not indexed): it was left out")' True "long word noted in the JSON"
expect_match "$WORK/err" "^newsquery: note: 'xxx.*' has a word longer than 64 bytes" "long word noted on stderr"
expect_status 2 "only a word of 70 letters" -- "$NEWSQUERY" --db "$DB" "$LONG"
expect_match "$WORK/err" "no words to search for: words longer than 64 bytes are not indexed" "why nothing is searched"
# The query echoed under a note reaches the terminal as safely as
# results do: a C1 control (U+009B, a CSI to some terminals) as a space,
# a right-to-left override left out, the caret still under the quote.
expect_status 0 "controls in a query that does not parse" -- "$NEWSQUERY" \
	--db "$DB" $'sanctions \u009b\u202e "China'
expect_line "$WORK/err" '  sanctions   "China' "controls not echoed raw"
expect_line "$WORK/err" "              ^" "caret under the quote"
expect_no_match "$WORK/err" $'\u009b|\u202e' "no raw control on stderr"

finish
