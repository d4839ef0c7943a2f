# End to end: what people type or paste into newsquery is answered, never
# a crash: an empty query is an error of one line.
. "$(dirname "$0")/lib.sh"

DB="$WORK/db"
"$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES" >/dev/null 2>&1 || fail "build"

# json PYTHON-EXPRESSION WANT DESCRIPTION: the expression over the JSON of
# $WORK/out (read as bytes: it must be UTF-8) as `d` prints WANT.
expect_json() {
	CHECKS=$((CHECKS + 1))
	local got
	got=$(python3 -c 'import json, sys
d = json.loads(open(sys.argv[1], "rb").read())
print(eval(sys.argv[2]))' "$WORK/out" "$1" 2>&1)
	[ "$got" = "$2" ] || fail "$3: $1 is '$got', wanted '$2'"
}

# expect_lines N FILE DESCRIPTION: FILE has N lines.
expect_lines() {
	CHECKS=$((CHECKS + 1))
	local got
	got=$(wc -l <"$2")
	[ "$got" -eq "$1" ] || { fail "$3: $got lines, wanted $1"; sed 's/^/  | /' "$2" >&2; }
}

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

finish
