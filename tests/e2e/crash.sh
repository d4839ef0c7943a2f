#!/bin/bash
# Crash safety and concurrency: a second writer is refused at once (exit
# 4) or waits (--wait); searches never fail while builds commit; SIGINT
# and SIGTERM stop at an article, keep what was done and end the build
# by the signal (130, 143); SIGKILL at any point of a
# first build (its parts and their merge), of an incremental build or of
# a compaction leaves an index that opens and passes check, and a rerun
# ends with exactly one article per file.
. "$(dirname "$0")/lib.sh"

# ---- a second writer ----------------------------------------------------
DB=$WORK/db
coproc HOLD { "$HOLD_INDEX" "$DB"; }
read -r held <&"${HOLD[0]}"
CHECKS=$((CHECKS + 1))
[ "$held" = locked ] || fail "hold_index did not take the lock: '$held'"

expect_status 4 "a second build is refused" -- timeout 20 "$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES"
expect_match "$WORK/err" "^newsindex: index $DB is busy: another newsindex command .* is writing it; .*--wait" "the refusal names the index and the way out"
expect_status 4 "compact is refused too" -- timeout 20 "$NEWSINDEX" compact --db "$DB"
expect_status 4 "--wait=0.3 gives up" -- timeout 20 "$NEWSINDEX" build --wait=0.3 --db "$DB" "$NI_TEST_SAMPLES"
expect_match "$WORK/err" "^newsindex: waiting for the command writing $DB to finish" "--wait says it waits"
expect_status 2 "a bad --wait" -- "$NEWSINDEX" build --wait=soon --db "$DB"

# --wait: the build starts once the lock is let go.
"$NEWSINDEX" build --wait --db "$DB" "$NI_TEST_SAMPLES" >"$WORK/waited.out" 2>"$WORK/waited.err" &
waiter=$!
# Until it says it waits (or ends, or a minute passes): then it must be
# waiting still.
for i in $(seq 1200); do
	grep -q '^newsindex: waiting for the command writing' "$WORK/waited.err" ||
		! kill -0 "$waiter" 2>/dev/null && break
	sleep 0.05
done
CHECKS=$((CHECKS + 1))
grep -q '^newsindex: waiting for the command writing' "$WORK/waited.err" &&
	kill -0 "$waiter" 2>/dev/null ||
	fail "build --wait did not wait for the lock: $(cat "$WORK/waited.err")"
eval "exec ${HOLD[1]}>&-"
wait "$HOLD_PID"
wait "$waiter"
got=$?
CHECKS=$((CHECKS + 1))
[ "$got" -eq 0 ] || fail "build --wait: exit $got after the lock was let go"
expect_match "$WORK/waited.out" "^added [1-9][0-9]*, " "build --wait indexed the samples"

# ---- an index being created, one left empty, another program's -----------
# (A simple command, so that COPROC_PID is hold_index's own.)
coproc "$HOLD_INDEX" "$WORK/new"
holder=$COPROC_PID  # (bash unsets COPROC_PID once it has ended)
read -r held <&"${COPROC[0]}"
expect_status 2 "newsquery on an index being created" -- "$NEWSQUERY" --db "$WORK/new" word
expect_line "$WORK/err" "newsquery: index $WORK/new is being built by process $holder and has nothing in it yet; search it once that build has committed" "being built, by whom"
for cmd in stats check; do
	expect_status 4 "$cmd on an index being created" -- "$NEWSINDEX" "$cmd" --db "$WORK/new"
	expect_match "$WORK/err" "^newsindex: index $WORK/new is being built by process $holder " "$cmd: being built, by whom"
done
# Killed before it committed: an empty folder a build completes.
kill -9 "$holder"
wait "$holder" 2>/dev/null
expect_status 2 "newsquery on an index no build committed to" -- "$NEWSQUERY" --db "$WORK/new" word
expect_match "$WORK/err" "^newsquery: no index at $WORK/new: run 'newsindex build SOURCE...' to create it \(index $WORK/new is empty: no build has committed to it yet\)\$" "an empty index: build it"
expect_status 0 "build completes it" -- "$NEWSINDEX" build --db "$WORK/new" "$NI_TEST_SAMPLES"
expect_status 0 "newsquery then" -- "$NEWSQUERY" --db "$WORK/new" sanctions
if have xapian-metadata "a foreign Xapian database"; then
	# A Xapian database with documents that are not ours: never
	# advise deleting it.
	cp -a "$WORK/new" "$WORK/foreign"
	xapian-metadata set "$WORK/foreign" newsindex.schema ""
	for key in newsindex.analyzer newsindex.stemmer app.sources app.last_build app.restore; do
		xapian-metadata set "$WORK/foreign" "$key" ""
	done
	expect_status 2 "newsquery on another program's database" -- "$NEWSQUERY" --db "$WORK/foreign" word
	expect_line "$WORK/err" "newsquery: $WORK/foreign is a Xapian database but not a newsindex index; give newsquery another --db" "newsquery: not ours, no advice to delete"
	expect_status 1 "build into another program's database" -- "$NEWSINDEX" build --db "$WORK/foreign" "$NI_TEST_SAMPLES"
	expect_line "$WORK/err" "newsindex: $WORK/foreign is a Xapian database but not a newsindex index; give newsindex another --db" "newsindex: not ours, no advice to delete"
fi

# ---- an index of another analyzer setting -------------------------------
if have xapian-metadata "an index of another analyzer setting"; then
	expect_status 0 "an index to change" -- "$NEWSINDEX" build --db "$WORK/other" "$NI_TEST_SAMPLES"
	xapian-metadata set "$WORK/other" newsindex.analyzer "icu-word;other"
	expect_status 1 "newsindex refuses another analyzer" -- "$NEWSINDEX" build --db "$WORK/other"
	expect_match "$WORK/err" "^newsindex: index $WORK/other was built with analyzer \"icu-word;other\", this program uses \".*\"; build it again from its sources with 'newsindex build --rebuild --db $WORK/other'\$" "newsindex says what differs and what to run"
	expect_status 2 "newsquery refuses another analyzer" -- "$NEWSQUERY" --db "$WORK/other" sensetime
	expect_match "$WORK/err" "^newsquery: index $WORK/other was built with analyzer .*; build it again from its sources with 'newsindex build --rebuild --db $WORK/other'\$" "newsquery says what to run"
	# The advice works: the index is built again from the sources it
	# remembers, as is one of an older schema version.
	expect_status 0 "the advised rebuild" -- "$NEWSINDEX" build --rebuild --db "$WORK/other"
	expect_status 0 "the samples' count in a fresh index" -- "$NEWSQUERY" --db "$WORK/new" --count sensetime
	mv "$WORK/out" "$WORK/fresh.count"
	expect_status 0 "newsquery reads the rebuilt index" -- "$NEWSQUERY" --db "$WORK/other" --count sensetime
	expect_line "$WORK/out" "$(cat "$WORK/fresh.count")" "the rebuilt index matches what a fresh one does"
	xapian-metadata set "$WORK/other" newsindex.schema 1
	expect_status 2 "newsquery refuses an old schema version" -- "$NEWSQUERY" --db "$WORK/other" sensetime
	expect_match "$WORK/err" "^newsquery: index $WORK/other has schema version 1, this program uses version [0-9]*; build it again from its sources with 'newsindex build --rebuild --db $WORK/other'\$" "newsquery: an old schema, and what to run"
	expect_status 0 "the advised rebuild of an old schema" -- "$NEWSINDEX" build --rebuild --db "$WORK/other"
	expect_status 0 "newsquery reads it after" -- "$NEWSQUERY" --db "$WORK/other" sensetime
fi

# ---- searching while builds commit --------------------------------------
make_articles "$WORK/many" 3000
expect_status 0 "the live index" -- "$NEWSINDEX" build -q --db "$WORK/live" "$WORK/many"
(
	for round in 1 2 3 4 5 6; do
		make_articles "$WORK/many" 3000 "$round"
		"$NEWSINDEX" build -q -j 1 --db "$WORK/live" >/dev/null 2>&1 || exit 1
	done
) &
builder=$!
searches=0
failed=0
while kill -0 "$builder" 2>/dev/null; do
	for q in markets 'weather rain' 'title:story' 'word1*' '"report on prices"' 'round'; do
		"$NEWSQUERY" --db "$WORK/live" --limit 5 "$q" >/dev/null 2>>"$WORK/search.err"
		[ $? -le 1 ] || failed=$((failed + 1))
		searches=$((searches + 1))
	done
done
wait "$builder"
got=$?
CHECKS=$((CHECKS + 1))
[ "$got" -eq 0 ] || fail "the builds under the searches failed: exit $got"
CHECKS=$((CHECKS + 1))
[ "$searches" -ge 12 ] || fail "only $searches searches ran during the builds"
CHECKS=$((CHECKS + 1))
[ "$failed" -eq 0 ] || fail "$failed of $searches searches failed during builds"
expect_no_match "$WORK/search.err" . "searches during builds printed nothing on stderr"
# count_phrase DB PHRASE: how many articles have PHRASE.
count_phrase() {
	"$NEWSQUERY" --db "$1" --all --format paths --limit 10000 "\"$2\"" | wc -l
}
CHECKS=$((CHECKS + 1))
[ "$(count_phrase "$WORK/live" "round 6")" -eq 3000 ] ||
	fail "not every article has the last round's text"


# ---- SIGINT and SIGTERM ----------------------------------------------------
# Articles of 600 words: reading them takes seconds.  The build sets its
# handlers before it reads; once it has reported reading some (its first
# progress line past 0) it is held there with SIGSTOP, and the signal
# sent then lands mid-build, however fast the rest would have gone.
python3 - "$WORK/long" 1500 <<'PY'
import os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(12)
words = [f"w{i}" for i in range(5000)]
os.makedirs(out, exist_ok=True)
for i in range(n):
    excerpt = " ".join(rng.choice(words) for _ in range(600))
    with open(os.path.join(out, f"{i:05d}.txt"), "w") as f:
        f.write(f'---\ntitle: "Story {i}"\nexcerpt: "{excerpt}"\n'
                f'webUrl: "https://example.com/{i}"\n---\n')
PY
# interrupt SIGNAL STATUS DB: a first build of $WORK/long, sent SIGNAL
# while it reads; it must end by the signal (STATUS in the shell), say
# "stopped early", and keep what it did: some articles, not all.
interrupt() {
	local sig=$1 want=$2 db=$3 pid got i state
	# Emptied here, not only by the build's redirection, which its
	# shell makes when it next runs: until then the loop below can find
	# the previous call's lines and go on before this build has read a
	# file (under a load of 6 the check after it then failed).
	: >"$WORK/sig.out"
	: >"$WORK/sig.err"
	"$NEWSINDEX" build -j 1 --progress --db "$db" "$WORK/long" \
		>"$WORK/sig.out" 2>"$WORK/sig.err" &
	pid=$!
	# (A bound of a minute, for a build that never says it reads.)
	for i in $(seq 1200); do
		grep -q '^progress: [1-9]' "$WORK/sig.err" && break
		sleep 0.05
	done
	# Ended already (or never said it reads): nothing to stop, and its
	# id, once reaped, may be another program's.
	if ! grep -q '^progress: [1-9]' "$WORK/sig.err"; then
		wait "$pid"
		fail "$sig: the build never said it reads (exit $?): $(cat "$WORK/sig.out" "$WORK/sig.err")"
		return
	fi
	kill -STOP "$pid"
	# It stops once it next runs: wait for it (state T), or its end.
	for i in $(seq 1200); do
		state=$(cut -d' ' -f3 "/proc/$pid/stat" 2>/dev/null) || break
		[ "$state" = T ] && break
		sleep 0.05
	done
	CHECKS=$((CHECKS + 1))
	grep -q '^progress: [1-9]' "$WORK/sig.err" && [ "$state" = T ] ||
		fail "$sig: the build was not held while reading (state '$state'): $(cat "$WORK/sig.err")"
	# Nothing committed yet: readers are told it is being built, and
	# by whom, never to delete it.
	expect_status 2 "newsquery during a first build" -- "$NEWSQUERY" --db "$db" w1
	expect_line "$WORK/err" "newsquery: index $db is being built by process $pid and has nothing in it yet; search it once that build has committed" "newsquery names the build"
	expect_status 4 "stats during a first build" -- "$NEWSINDEX" stats --db "$db"
	expect_match "$WORK/err" "^newsindex: index $db is being built by process $pid " "stats names the build"
	kill "-$sig" "$pid"
	kill -CONT "$pid"
	wait "$pid"
	got=$?
	CHECKS=$((CHECKS + 1))
	[ "$got" -eq "$want" ] || fail "$sig: exit $got, wanted $want"
	expect_match "$WORK/sig.out" "^stopped early: added [1-9][0-9]*, .* holds [1-9][0-9]* articles" "$sig: stopped early, with what it did"
	expect_status 0 "check after $sig" -- "$NEWSINDEX" check --db "$db"
	expect_status 0 "stats after $sig" -- "$NEWSINDEX" stats --json --db "$db"
	CHECKS=$((CHECKS + 1))
	kept=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["articles"])' "$WORK/out")
	grep -q "holds $kept articles" "$WORK/sig.out" && [ "$kept" -lt 1500 ] ||
		fail "$sig: the index holds $kept articles, not what the build said"
}
interrupt INT 130 "$WORK/int"
interrupt TERM 143 "$WORK/term"
expect_status 0 "rerun after SIGTERM" -- "$NEWSINDEX" build --db "$WORK/term" "$WORK/long"
expect_match "$WORK/out" "holds 1500 articles and 0 related records\$" "1500 articles after SIGTERM and a rerun"

# ---- SIGKILL anywhere -----------------------------------------------------
# Kill points are spread over the whole of a build as long as this
# machine takes for it (measured first, time_build in lib.sh), so the
# last ones fall in the merge of the parts, whatever the machine's speed.
# after_kill WHAT DB: the index opens, passes check, and a rerun ends
# with the 3000 articles, each URL once.
after_kill() {
	expect_status 0 "rerun after kill -9 $1" -- "$NEWSINDEX" build --db "$2" "$WORK/many"
	expect_match "$WORK/out" "holds 3000 articles and 0 related records\$" "3000 articles after kill -9 $1"
	expect_status 0 "check after kill -9 $1" -- "$NEWSINDEX" check --db "$2"
	expect_status 0 "a URL once after kill -9 $1" -- "$NEWSQUERY" --db "$2" --json 'url:https://example.com/1234'
	expect_match "$WORK/out" '"total":1,' "one article for the URL after kill -9 $1"
}

time_build "$WORK/timed" "$WORK/many"
kills=0
for percent in 5 20 40 60 75 85 92 97; do
	delay=$(at_percent "$percent")
	rm -rf "$WORK/killed"
	run_killed "$delay" -- "$NEWSINDEX" build --db "$WORK/killed" "$WORK/many" &&
		kills=$((kills + 1))
	after_kill "at $percent% of a first build" "$WORK/killed"
	CHECKS=$((CHECKS + 1))
	! ls -d "$WORK/killed".* 2>/dev/null ||
		fail "folders left beside the index after kill at $percent% and a rerun"
done
landed "first build" "$kills" 8

# Parts a killed parallel build left go with the next build of any kind.
mkdir -p "$WORK/timed.part-3/stale" "$WORK/timed.merged" "$WORK/timed.empty"
expect_status 0 "an incremental build" -- "$NEWSINDEX" build --db "$WORK/timed" "$WORK/many"
CHECKS=$((CHECKS + 1))
! ls -d "$WORK/timed".* 2>/dev/null ||
	fail "a part or merge folder left by a killed build stayed"

# An incremental build (every file changed) and a compaction, killed.
cp -a "$WORK/timed" "$WORK/incr"
make_articles "$WORK/many" 3000 7
time_build "$WORK/timed" "$WORK/many"
kills=0
for percent in 30 70; do
	delay=$(at_percent "$percent")
	rm -rf "$WORK/killed"
	cp -a "$WORK/incr" "$WORK/killed"
	run_killed "$delay" -- "$NEWSINDEX" build --db "$WORK/killed" "$WORK/many" &&
		kills=$((kills + 1))
	after_kill "at $percent% of an update" "$WORK/killed"
	CHECKS=$((CHECKS + 1))
	[ "$(count_phrase "$WORK/killed" "round 7")" -eq 3000 ] ||
		fail "not every article updated after kill at $percent%"
done
landed update "$kills" 2
# A compaction, timed as the builds are, killed in its course.
cp -a "$WORK/timed" "$WORK/compacted"
start=$(date +%s%N)
expect_status 0 "the timed compaction" -- "$NEWSINDEX" compact --db "$WORK/compacted"
took=$(( ($(date +%s%N) - start) / 1000000 ))
kills=0
for percent in 25 50 75; do
	delay=$(at_percent "$percent")
	rm -rf "$WORK/killed"
	cp -a "$WORK/timed" "$WORK/killed"
	run_killed "$delay" -- "$NEWSINDEX" compact --db "$WORK/killed" &&
		kills=$((kills + 1))
	after_kill "at $percent% of a compaction" "$WORK/killed"
done
landed compaction "$kills" 3

finish
