#!/bin/bash
# newsindex's command line: options anywhere, one-line usage errors,
# help for each command, stats --json and --values, output that cannot
# be written, and --progress to a file.
. "$(dirname "$0")/lib.sh"

DB=$WORK/db
COMMANDS="build stats check compact forget watch help"

# ---- options anywhere on the line -----------------------------------------
expect_status 0 "options after the sources" -- "$NEWSINDEX" build "$NI_TEST_SAMPLES" --db "$DB" -q
expect_match "$WORK/out" "index $DB holds [1-9][0-9]* articles" "build DIR --db X builds into X"
expect_status 0 "--db before the command" -- "$NEWSINDEX" --db "$DB" stats
expect_line "$WORK/out" "index: $DB" "newsindex --db X stats reads X"
# stats takes no words: after "--", an option is one.
expect_status 2 "-- ends the options" -- "$NEWSINDEX" stats --db "$DB" -- --json
expect_match "$WORK/err" "^newsindex: stats takes no arguments but options: '--json' \(see 'newsindex stats --help'\)\$" "after --, --json is a word"

# ---- the man pages' configuration examples --------------------------------
# Every --help fits an 80-column terminal (watch's once ran to 100).
for cmd in "" $COMMANDS; do
	expect_status 0 "newsindex $cmd --help" -- "$NEWSINDEX" $cmd --help
	expect_no_match "$WORK/out" '^.{80,}' "newsindex $cmd --help: lines under 80 columns"
done
expect_status 0 "newsquery --help" -- "$NEWSQUERY" --help
expect_no_match "$WORK/out" '^.{80,}' "newsquery --help: lines under 80 columns"

# Every setting the config file takes (lib/files/config.c) is in the example
# of newsquery(1) or newsindex(1).
SOURCE_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
expect_status 0 "every setting in a man page's config example" -- python3 - "$SOURCE_ROOT" <<'PY'
import re, sys
root = sys.argv[1]
names = re.findall(r"^\s*(?:NUMBER|TEXT)_SETTING\((\w+),",
                   open(f"{root}/lib/files/config.c").read(), re.M)
assert len(names) > 10, names
shown = set()
for page in ("newsquery.1", "newsindex.1"):
    text = open(f"{root}/docs/{page}").read()
    for block in re.findall(r"^\.EX\n(.*?)^\.EE", text, re.M | re.S):
        shown |= set(re.findall(r"^(\w+):", block, re.M))
missing = [n for n in names if n not in shown]
assert not missing, f"not in a config example: {missing}"
PY

# ---- usage errors: one line and a hint, exit 2 -----------------------------
for cmd in $COMMANDS; do
	expect_status 2 "$cmd --bogus" -- "$NEWSINDEX" "$cmd" --bogus
	expect_line "$WORK/err" "newsindex: unknown option '--bogus' (see 'newsindex $cmd --help')" "$cmd: unknown option, one line"
	CHECKS=$((CHECKS + 1))
	[ "$(wc -l <"$WORK/err")" -eq 1 ] && [ ! -s "$WORK/out" ] ||
		fail "$cmd --bogus: more than one line"
done
for cmd in build stats check compact forget watch; do
	expect_status 2 "$cmd --db without a value" -- "$NEWSINDEX" "$cmd" x --db
	expect_line "$WORK/err" "newsindex: option '--db' needs a value (see 'newsindex $cmd --help')" "$cmd: missing value, one line"
done
expect_status 2 "an unknown short option" -- "$NEWSINDEX" build -qx "$NI_TEST_SAMPLES"
expect_line "$WORK/err" "newsindex: unknown option '-x' (see 'newsindex build --help')" "short option named"
expect_status 2 "-j without a value" -- "$NEWSINDEX" build "$NI_TEST_SAMPLES" -j
expect_line "$WORK/err" "newsindex: option '-j' needs a value (see 'newsindex build --help')" "short option's value"
expect_status 2 "a value for a flag" -- "$NEWSINDEX" build --strict=yes "$NI_TEST_SAMPLES"
expect_line "$WORK/err" "newsindex: option '--strict' takes no value (see 'newsindex build --help')" "flag with a value"
expect_status 2 "an ambiguous abbreviation" -- "$NEWSINDEX" build --s 2 "$NI_TEST_SAMPLES"
expect_match "$WORK/err" "^newsindex: option '--s' is ambiguous \(--strict, --shards\)" "ambiguous named"
expect_status 2 "an unknown option before the command" -- "$NEWSINDEX" --bogus
expect_line "$WORK/err" "newsindex: unknown option '--bogus' (see 'newsindex --help')" "no command: main hint"
expect_status 2 "forget without a source" -- "$NEWSINDEX" forget --db "$DB"
expect_line "$WORK/err" "newsindex: name the SOURCE to forget (see 'newsindex forget --help')" "forget: one line"

# ---- help for each command -------------------------------------------------
for cmd in $COMMANDS; do
	expect_status 0 "$cmd --help" -- "$NEWSINDEX" "$cmd" --help
	expect_match "$WORK/out" "^usage: newsindex $cmd( |\$)" "$cmd --help: its usage"
	mv "$WORK/out" "$WORK/dashdash"
	expect_status 0 "help $cmd" -- "$NEWSINDEX" help "$cmd"
	expect_same "help $cmd is $cmd --help" "$WORK/dashdash" "$WORK/out"
	expect_status 0 "--help $cmd" -- "$NEWSINDEX" --help "$cmd"
	expect_same "--help $cmd is $cmd --help" "$WORK/dashdash" "$WORK/out"
	expect_match "$NEWSINDEX_MAN" "^\\.B newsindex $cmd\$" "the man page has $cmd"
done
expect_status 0 "help alone" -- "$NEWSINDEX" help
expect_match "$WORK/out" '^usage: newsindex \[' "help: the main usage"
for cmd in $COMMANDS; do
	expect_match "$WORK/out" "^  $cmd " "help lists $cmd"
done
expect_status 2 "help for no such command" -- "$NEWSINDEX" help frobnicate
expect_line "$WORK/err" "newsindex: 'frobnicate' is not a command; see 'newsindex --help'" "help: unknown command named"

# ---- stats --json and --values --------------------------------------------
expect_status 0 "stats --json" -- "$NEWSINDEX" stats --json --db "$DB"
cp "$WORK/out" "$WORK/stats.json"
expect_status 0 "stats" -- "$NEWSINDEX" stats --db "$DB"
cp "$WORK/out" "$WORK/stats.txt"
expect_status 0 "stats --json holds the numbers stats prints" -- python3 - "$WORK/stats.json" "$WORK/stats.txt" "$DB" "$NI_TEST_SAMPLES" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
text = dict(line.rstrip("\n").split(": ", 1) for line in open(sys.argv[2])
            if not line.startswith("source: "))
assert stats["version"] == 1, stats
assert stats["index"] == sys.argv[3] == text["index"], stats
assert stats["articles"] == int(text["articles"]) > 0, stats
assert stats["related_records"] == int(text["related records"]), stats
assert stats["last_build"] == text["last build"], stats
assert stats["sources"] == [sys.argv[4]], stats
assert stats["schema"] == text["schema"] and stats["schema"].isdigit(), stats
assert stats["analyzer"] == text["analyzer"], stats
assert stats["stemmer"] == text["stemmer"] == "english", stats
assert stats["shards"] is None and stats["missing_shards"] == [], stats
PY
expect_status 0 "stats --values topic" -- "$NEWSINDEX" stats --values topic --db "$DB"
expect_line "$WORK/out" "AI" "a topic of the samples, as written"
cp "$WORK/out" "$WORK/topics"
expect_status 0 "stats --values topic --json" -- "$NEWSINDEX" stats --db "$DB" --json --values topic
cp "$WORK/out" "$WORK/values.json"
expect_status 0 "the values in JSON, with their counts" -- python3 - "$WORK/values.json" "$WORK/topics" <<'PY'
import json, sys
got = json.load(open(sys.argv[1]))
assert got["field"] == "topic", got
values = [v["value"] for v in got["values"]]
assert values == open(sys.argv[2]).read().splitlines(), values
counts = [v["count"] for v in got["values"]]
assert counts == sorted(counts, reverse=True) and counts[0] > 1, counts
assert dict(zip(values, counts))["AI"] >= 2, got
PY
expect_status 0 "--values provider" -- "$NEWSINDEX" stats --db "$DB" --values provider
expect_line "$WORK/out" "Der Spiegel" "providers as written"
expect_status 0 "--values month" -- "$NEWSINDEX" stats --db "$DB" --values month
expect_match "$WORK/out" '^20[0-9][0-9]-[01][0-9]$' "months as YYYY-MM"
# Values from hostile articles: nothing in them may drive a terminal.
# (Besides the fixture's, whose values all hold an ESC, topics with
# only a C1 CSI, only DEL.)
mkdir -p "$WORK/terminal"
cp "$NI_TEST_FIXTURES"/terminal/* "$WORK/terminal"
printf -- '---\ntitle: "c1"\ntopics: ["Csi\\x9bonly", "Del\\x7fonly"]\n---\n' >"$WORK/terminal/c1.txt"
# A copy (a duplicate: its URL is named) under a name with an escape,
# and a bad quality (a warning quoting it).
cp "$WORK/terminal/escapes.txt" "$WORK/terminal/dup"$'\e]0;name\a'.txt
printf -- '---\ntitle: "q"\nquality: "\\e]0;q\\a\\x9b"\n---\n' >"$WORK/terminal/q.txt"
expect_status 0 "an index of escapes" -- "$NEWSINDEX" build --db "$WORK/escapes" "$WORK/terminal"
expect_match "$WORK/err" 'escapes\.txt: skipped: https://evil\.example/\\x1b\]0;url\\x07/x\\xc2\\x9by is already the article of .*/dup\\x1b\]0;name\\x07\.txt$' "the duplicate's URL and the other's name, escaped"
expect_match "$WORK/err" 'q\.txt: line 3 col 10: warning: quality: .*\\xc2\\x9b' "a warning's C1, escaped"
CHECKS=$((CHECKS + 1))
! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$WORK/err" ||
	fail "build wrote a control character from an article on stderr"
for field in topic provider; do
	expect_status 0 "--values $field of escapes" -- "$NEWSINDEX" stats --db "$WORK/escapes" --values "$field"
	CHECKS=$((CHECKS + 1))
	! LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$WORK/out" ||
		fail "--values $field wrote a control character"
	expect_status 0 "--values $field --json of escapes" -- "$NEWSINDEX" stats --db "$WORK/escapes" --values "$field" --json
	cp "$WORK/out" "$WORK/escapes.json"
	expect_status 0 "--values $field --json: escaped, and the values whole" -- python3 - "$WORK/escapes.json" "$field" <<'PY'
import json, re, sys
raw = open(sys.argv[1], "rb").read()
assert not re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", raw), raw
values = [v["value"] for v in json.loads(raw)["values"]]
want = {"topic": ["Topic\x1b[7m", "Csi\x9bonly", "Del\x7fonly"],
        "provider": ["Evil\x1b[5m Corp\x9b"]}
assert all(w in values for w in want[sys.argv[2]]), values
PY
done
expect_line "$WORK/escapes.json" '{"version":1,"index":"'"$WORK"'/escapes","field":"provider","values":[{"value":"Evil\u001b[5m Corp\u009b","count":1}]}' "the provider escaped"
expect_status 2 "--values of no such field" -- "$NEWSINDEX" stats --db "$DB" --values colour
expect_match "$WORK/err" "--values: 'colour' is not topic, provider or month" "the field named"

# ---- output that cannot be written -----------------------------------------
# full_output WHAT -- COMMAND...: to /dev/full, COMMAND fails and says so.
full_output() {
	local what=$1
	shift 2
	CHECKS=$((CHECKS + 1))
	"$@" >/dev/full 2>"$WORK/err"
	local got=$?
	[ "$got" -ne 0 ] || fail "$what > /dev/full: exit 0"
	expect_line "$WORK/err" "newsindex: cannot write the output: No space left on device" "$what > /dev/full: said"
}
full_output "stats" -- "$NEWSINDEX" stats --db "$DB"
full_output "stats --json" -- "$NEWSINDEX" stats --json --db "$DB"
full_output "stats --values" -- "$NEWSINDEX" stats --values topic --db "$DB"
full_output "build" -- "$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES"
full_output "check" -- "$NEWSINDEX" check --db "$DB"
full_output "compact" -- "$NEWSINDEX" compact --db "$DB"
mkdir "$WORK/to-forget"
expect_status 0 "a source to forget" -- "$NEWSINDEX" build --db "$DB" "$WORK/to-forget"
full_output "forget" -- "$NEWSINDEX" forget --db "$DB" "$WORK/to-forget"
full_output "--help" -- "$NEWSINDEX" --help
full_output "help build" -- "$NEWSINDEX" help build
full_output "--version" -- "$NEWSINDEX" --version
# The work was done all the same: the build above kept the index.
expect_status 0 "the index after builds to /dev/full" -- "$NEWSINDEX" check --db "$DB"

# A reader that went away: newsindex ends quietly, by SIGPIPE, whether
# SIGPIPE is left as it is or ignored (then the write fails with EPIPE),
# as newsquery does (query_output.sh).
for sigpipe in default ignored; do
	expect_status 0 "stats into a closed pipe ($sigpipe)" -- python3 - "$sigpipe" "$NEWSINDEX" stats --db "$DB" <<'PY'
import os, signal, subprocess, sys
r, w = os.pipe()
os.close(r)
pre = (lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN)) \
    if sys.argv[1] == "ignored" else None
p = subprocess.run(sys.argv[2:], stdout=w, stderr=subprocess.PIPE,
                   preexec_fn=pre)
assert p.returncode == -signal.SIGPIPE, p.returncode
assert p.stderr == b"", p.stderr
PY
done

# ---- --progress to a file: plain lines -------------------------------------
make_articles "$WORK/many" 600
expect_status 0 "--progress to a file" -- "$NEWSINDEX" build --progress -j 1 --db "$WORK/progress" "$WORK/many"
expect_line "$WORK/err" "progress: 0/600 files" "a plain progress line once the walk is done"
expect_no_match "$WORK/err" $'[\r\033]' "no carriage return nor escape in a file"

finish
