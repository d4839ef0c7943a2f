# Shared helpers for the end-to-end tests (sourced, not run).
# meson sets NEWSINDEX, NEWSQUERY, NI_TEST_SAMPLES and NI_TEST_FIXTURES.
set -u

WORK=$(mktemp -d /tmp/ni-e2e-XXXXXX)
SERVERS=()   # xapian-tcpsrv started by serve_shards, stopped at exit
PORTS=()     # their ports, in order
# A server already stopped is left out: its process id may be another
# test's program's by now (ids are reused, 32768 of them here), which a
# stray SIGTERM would stop ("stopped early" in crash.sh, once).
stop_servers() {
	local pid
	for pid in "${SERVERS[@]}"; do
		[ -n "$pid" ] || continue
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
}
trap 'stop_servers; rm -rf "$WORK"' EXIT
export HOME="$WORK/home" XDG_DATA_HOME="" NEWSINDEX_DB="" NO_COLOR=""
# No config file unless a test writes one (~/.config is under $WORK).
export NEWSINDEX_CONFIG="" XDG_CONFIG_HOME=""
mkdir -p "$HOME"
FAILURES=0
CHECKS=0
# Where tests/e2e/bin/ notes each JSON output it checked, and each one
# not as docs/json.md says (finish fails the test on it).
export NI_JSON_CHECKED="$WORK/json-checked"
export NI_JSON_INVALID="$WORK/json-invalid"
: >"$NI_JSON_CHECKED"
SKIPPED=()   # what could not be checked here (skip), said by finish

fail() {
	echo "FAIL: $*" >&2
	FAILURES=$((FAILURES + 1))
}

# expect_status WANT DESCRIPTION -- COMMAND...: run, keep output in
# $WORK/out and $WORK/err, and check the exit status.
expect_status() {
	local want=$1 what=$2
	shift 3
	CHECKS=$((CHECKS + 1))
	"$@" >"$WORK/out" 2>"$WORK/err"
	local got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$what: exit $got, wanted $want"
		sed 's/^/  stdout: /' "$WORK/out" >&2
		sed 's/^/  stderr: /' "$WORK/err" >&2
	fi
}

# expect_match FILE REGEX DESCRIPTION: FILE has a line matching REGEX;
# expect_line FILE LINE DESCRIPTION: FILE has exactly this line.
expect_match() {
	expect_grep "$1" "$3" "no line matches /$2/" -Eq -- "$2"
}

expect_line() {
	expect_grep "$1" "$3" "no line '$2'" -qxF -- "$2"
}

# expect_grep FILE DESCRIPTION PROBLEM GREP-ARGS...: grep finds it.
expect_grep() {
	local file=$1 what=$2 problem=$3
	shift 3
	CHECKS=$((CHECKS + 1))
	if ! grep "$@" "$file"; then
		fail "$what: $problem in $(basename "$file")"
		sed 's/^/  | /' "$file" >&2
	fi
}

# expect_no_match FILE REGEX DESCRIPTION: FILE is there and no line
# matches REGEX (a missing file or a bad REGEX is a failure, not a pass).
expect_no_match() {
	CHECKS=$((CHECKS + 1))
	grep -Eq -- "$2" "$1"
	case $? in
	0)	fail "$3: a line matches /$2/ in $(basename "$1")"
		sed 's/^/  | /' "$1" >&2 ;;
	1)	;;
	*)	fail "$3: cannot search $(basename "$1") for /$2/" ;;
	esac
}

# json PYTHON-EXPRESSION: evaluate over the JSON in $WORK/out as `d`,
# read as bytes: the output must be UTF-8, whatever the locale.
json() {
	python3 -c 'import json, sys
d = json.loads(open(sys.argv[1], "rb").read())
print(eval(sys.argv[2]))' "$WORK/out" "$1"
}

# expect_json PYTHON-EXPRESSION WANT DESCRIPTION: json prints WANT.
expect_json() {
	CHECKS=$((CHECKS + 1))
	local got
	got=$(json "$1" 2>&1)
	[ "$got" = "$2" ] || fail "$3: $1 is '$got', wanted '$2'"
}

# expect_same WHAT FILE-A FILE-B: the two files are equal.
expect_same() {
	CHECKS=$((CHECKS + 1))
	cmp -s "$2" "$3" || {
		fail "$1: $(basename "$2") and $(basename "$3") differ"
		diff "$2" "$3" | head -20 >&2
	}
}

# expect_only_line FILE LINE WHAT: FILE is this one line and nothing else.
expect_only_line() {
	CHECKS=$((CHECKS + 1))
	[ "$(cat "$1")" = "$2" ] && [ "$(wc -l <"$1")" -eq 1 ] ||
		fail "$3: wanted only '$2', got: $(head -c 300 "$1")"
}

# expect_lines N FILE DESCRIPTION: FILE has N lines.
expect_lines() {
	CHECKS=$((CHECKS + 1))
	local got
	got=$(wc -l <"$2")
	[ "$got" -eq "$1" ] || { fail "$3: $got lines, wanted $1"; sed 's/^/  | /' "$2" >&2; }
}

# For tests that name their articles https://rank.example/NAME, in $DB:
# expect_order WHAT WANT QUERY-AND-OPTIONS...: the first results' names,
# as many as WANT has words, are WANT ("x y"), in that order;
# expect_set WHAT WANT QUERY-AND-OPTIONS...: all the results' names,
# sorted, are WANT.
expect_order() {
	expect_names "$1" "$2" cat --limit "$(wc -w <<<"$2")" "${@:3}"
}

expect_set() {
	expect_names "$1" "$2" sort "${@:3}"
}

expect_names() {
	local what=$1 want=$2 order=$3
	shift 3
	expect_status 0 "$what" -- "$NEWSQUERY" --db "$DB" --format urls "$@"
	CHECKS=$((CHECKS + 1))
	local got
	got=$(sed 's|^https://rank\.example/||' "$WORK/out" | $order |
	      paste -sd ' ')
	[ "$got" = "$want" ] || fail "$what: got '$got', wanted '$want'"
}

# make_articles DIR N [ROUND]: N articles, one URL each; ROUND changes
# their excerpts (so a build has something to update).
make_articles() {
	python3 - "$1" "$2" "${3:-0}" <<'PY'
import os, sys
out, n, round_ = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
for i in range(n):
    with open(os.path.join(out, f"{i:05d}.txt"), "w") as f:
        f.write(f"""---
title: "Story number {i} about markets and weather"
excerpt: "Word{i % 97} and word{i % 89} report on prices, rain, trade (round {round_})."
webUrl: "https://example.com/{i}"
quality: {i % 100}
topics: [Markets]
---
""")
PY
}

# run_killed SECONDS -- COMMAND...: start COMMAND, kill -9 it after
# SECONDS.  Status 0 when the kill landed (COMMAND died by it), 1 when
# COMMAND had ended before: a test counts the kills that landed.
# timeout(1) sends the kill: COMMAND is its child, not reaped until then,
# so the signal never reaches another program given an ended COMMAND's
# process id (a kill from this shell after bash reaped it could).  With
# --foreground it kills COMMAND alone and waits for its end (its lock
# released), then says 128 + 9: it timed out, the kill landed.
run_killed() {
	local delay=$1
	shift 2
	timeout --foreground -s KILL "$delay" "$@" >/dev/null 2>&1
	[ $? -eq $((128 + 9)) ]
}

# landed WHAT N OF: N of OF run_killed kills landed on a running WHAT
# (a kill after it ended tests nothing): at least one must have.
landed() {
	echo "kill -9 landed in $2 of $3 $1"
	CHECKS=$((CHECKS + 1))
	[ "$2" -gt 0 ] || fail "no kill -9 landed in a running $1"
}

# time_build DB SOURCE [OPTION...]: build SOURCE into DB (a check: it
# must succeed); $took is how long it took in ms.  at_percent P: the seconds at P% of it, so that
# kill points fall in the same part of a build on any machine.
time_build() {
	local db=$1 source=$2 start
	shift 2
	start=$(date +%s%N)
	expect_status 0 "the timed build of $source" -- \
		"$NEWSINDEX" build "$@" --db "$db" "$source"
	took=$(( ($(date +%s%N) - start) / 1000000 ))
}
at_percent() {
	awk -v ms="$took" -v p="$1" 'BEGIN { printf "%.3f", ms * p / 100000 }'
}

# finish: the test's status, as its last command: 1 when a check
# failed, else 77 (meson's SKIP) when something was skipped, else 0.
finish() {
	local line json
	json=$(wc -l <"$NI_JSON_CHECKED")
	[ "$json" -eq 0 ] ||
		echo "$json JSON outputs checked against docs/json-schema/"
	CHECKS=$((CHECKS + json))
	if [ -s "$NI_JSON_INVALID" ]; then
		while IFS= read -r line; do
			fail "JSON output: $line"
		done <"$NI_JSON_INVALID"
	fi
	echo "$((CHECKS - FAILURES)) passed, $FAILURES failed"
	[ "$FAILURES" -eq 0 ] || return 1
	[ ${#SKIPPED[@]} -eq 0 ] && return
	printf 'SKIP %s\n' "${SKIPPED[@]}"
	return 77
}

# skip WHAT: WHAT cannot be checked here.  The test goes on with the
# rest, and finish then reports it skipped, never passed: a machine
# without a tool must not pass for one that ran its checks.
skip() {
	echo "SKIP $*"
	SKIPPED+=("$*")
}

# have TOOL WHAT: whether TOOL is installed; if not, WHAT is skipped.
have() {
	command -v "$1" >/dev/null && return
	skip "$2: $1 is not installed"
	return 1
}

# free_port: a TCP port nobody listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listening PORT: up to 10 s for a server to accept connections.
wait_listening() {
	python3 - "$1" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
PY
}

# serve_shards STUB FOLDER...: each FOLDER served by an xapian-tcpsrv of
# its own on a free port of 127.0.0.1 (pids appended to SERVERS, ports
# to PORTS), and STUB written with a `remote` line for each, in order.
serve_shards() {
	local stub=$1 folder port
	shift
	: >"$stub"
	for folder in "$@"; do
		port=$(free_port)
		# Its own session: xapian-tcpsrv's SIGTERM handler signals
		# its whole process group, which would be this test.
		setsid xapian-tcpsrv --quiet --interface 127.0.0.1 \
			--port "$port" "$folder" \
			>"$WORK/tcpsrv-$port.log" 2>&1 &
		SERVERS+=($!)
		PORTS+=("$port")
		echo "remote 127.0.0.1:$port" >>"$stub"
		CHECKS=$((CHECKS + 1))
		wait_listening "$port" ||
			fail "xapian-tcpsrv of $folder does not listen on $port"
	done
}

# stop_second_shard STUB TWO QUERY: stop the server of STUB's second
# shard (served by serve_shards); a search then fails naming it, with
# the cause, and --allow-partial answers QUERY (top 20) as the stub TWO
# of the other shards does, warning of the one left out.
stop_second_shard() {
	local stub=$1 two=$2 query=$3
	local name="shard 2 of $stub \\(line 2\\), remote 127.0.0.1:${PORTS[1]}"
	kill "${SERVERS[1]}"
	wait "${SERVERS[1]}" 2>/dev/null
	SERVERS[1]=""  # stopped: stop_servers must not signal its id again
	expect_status 2 "a remote shard down" -- "$NEWSQUERY" --db "$stub" -- "$query"
	expect_match "$WORK/err" "$name: .*Connection refused" "the shard down is named, with the cause"
	expect_status 0 "--allow-partial" -- "$NEWSQUERY" --db "$stub" --allow-partial --format tsv --limit 20 -- "$query"
	expect_match "$WORK/err" "warning: left out $name" "the shard left out is named"
	mv "$WORK/out" "$WORK/partial"
	expect_status 0 "the other shards, local" -- "$NEWSQUERY" --db "$two" --format tsv --limit 20 -- "$query"
	CHECKS=$((CHECKS + 1))
	[ "$(grep -c '^[0-9]' "$WORK/out")" -eq 20 ] && cmp -s "$WORK/partial" "$WORK/out" ||
		fail "--allow-partial does not answer as the other shards do"
}

