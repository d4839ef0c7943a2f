#!/bin/bash
# Crash safety of sharded indexes: SIGKILL at any point of a first
# `build --shards 3` (its sharded parts and their merge, shard by shard)
# and of an update leaves an index that passes check, and a rerun ends
# with every article once, each query matching what it matches, with
# the same scores, in one index of the same files.  A commit torn
# between shards (the last shard put back one build behind the others,
# as a build killed between their commits leaves it) is settled by the
# next build: related records included.
. "$(dirname "$0")/lib.sh"

QUERIES=(markets word7 "word7 word12" "rain trade" "story number"
	 "title:story word40" "word1 -word2" '"report on prices"')

# matches DB QUERY: every match, "score path", sorted: what matches and
# how it scores (the order is sharded_build.sh's to compare).
matches() {
	"$NEWSQUERY" --db "$1" --no-feedback --all --format tsv --limit 10000 \
		-- "$2" | sed 1d | cut -f2,8 | sort
}

# build_one SOURCE: $WORK/one, one index of SOURCE, and what each query
# matches there, in $WORK/want.N.
build_one() {
	local i
	rm -rf "$WORK/one"
	expect_status 0 "one index of $1" -- "$NEWSINDEX" build -q --db "$WORK/one" "$1"
	for i in "${!QUERIES[@]}"; do
		matches "$WORK/one" "${QUERIES[i]}" >"$WORK/want.$i"
	done
}

# same_as_one DB WHAT: every query finds the same articles with the
# same scores in DB as in $WORK/one.
same_as_one() {
	local i
	for i in "${!QUERIES[@]}"; do
		CHECKS=$((CHECKS + 1))
		matches "$1" "${QUERIES[i]}" >"$WORK/got"
		if [ ! -s "$WORK/want.$i" ] || ! cmp -s "$WORK/got" "$WORK/want.$i"; then
			fail "$2: '${QUERIES[i]}' matches differently than one index"
			diff "$WORK/got" "$WORK/want.$i" | head -5 | sed 's/^/  /' >&2
		fi
	done
}

# settled WHAT DB SOURCE ARTICLES: a rerun ends with ARTICLES articles in
# 3 shards, check passes, stats agrees, each URL is on one article, and
# searches find what one index of SOURCE finds.
settled() {
	local what=$1 db=$2 source=$3 articles=$4
	expect_status 0 "rerun after $what" -- "$NEWSINDEX" build --shards 3 --db "$db" "$source"
	expect_match "$WORK/out" "holds $articles articles and [0-9]+ related records in 3 shards\$" "$articles articles after $what"
	expect_status 0 "check after $what" -- "$NEWSINDEX" check --db "$db"
	expect_status 0 "stats after $what" -- "$NEWSINDEX" stats --db "$db"
	expect_line "$WORK/out" "articles: $articles" "stats after $what"
	expect_line "$WORK/out" "shards: 3" "stats: 3 shards after $what"
	CHECKS=$((CHECKS + 1))
	"$NEWSQUERY" --db "$db" --all --format urls --limit 10000 -- 'title:story' >"$WORK/urls"
	local total unique
	total=$(wc -l <"$WORK/urls")
	unique=$(sort -u "$WORK/urls" | wc -l)
	[ "$total" -eq "$articles" ] && [ "$unique" -eq "$articles" ] ||
		fail "$what: $total articles found, $unique URLs, wanted $articles"
	same_as_one "$db" "$what"
	CHECKS=$((CHECKS + 1))
	! ls -d "$db".* "$db"/*.merged "$db"/*.empty 2>/dev/null ||
		fail "folders left behind after $what and a rerun"
}

# ---- a first build, killed ----------------------------------------------
make_articles "$WORK/many" 3000
build_one "$WORK/many"
time_build "$WORK/timed" "$WORK/many" --shards 3
kills=0
for percent in 5 35 65 90; do
	rm -rf "$WORK/killed"
	run_killed "$(at_percent "$percent")" -- "$NEWSINDEX" build --shards 3 --db "$WORK/killed" "$WORK/many" &&
		kills=$((kills + 1))
	settled "kill -9 at $percent% of a first build" "$WORK/killed" "$WORK/many" 3000
done
landed "first build" "$kills" 4

# In the merge of the parts: killed as soon as the build says it merges
# (its progress line, read from a pipe the moment it is written), which
# landed there if the build died by it with its parts still beside the
# index.  The merge is short: tried until one lands, or 20 times.
mkfifo "$WORK/progress"
merge_kills=0
for try in $(seq 20); do
	rm -rf "$WORK/killed"
	"$NEWSINDEX" build -j 2 --shards 3 --progress --db "$WORK/killed" \
		"$WORK/many" >/dev/null 2>"$WORK/progress" &
	pid=$!
	while IFS= read -r line; do
		if [[ $line == *"merging the parts"* ]]; then
			kill -9 "$pid"
			break
		fi
	done <"$WORK/progress"
	wait "$pid" 2>/dev/null
	got=$?
	if [ "$got" -eq 137 ] && ls -d "$WORK/killed".part-* >/dev/null 2>&1; then
		echo "killed in the merge at try $try"
		merge_kills=1
		settled "kill -9 in the merge" "$WORK/killed" "$WORK/many" 3000
		break
	fi
done
CHECKS=$((CHECKS + 1))
[ "$merge_kills" -gt 0 ] || fail "no build was killed during its merge"

# ---- an update (every file changed), killed -------------------------------
cp -a "$WORK/timed" "$WORK/before"
make_articles "$WORK/many" 3000 7
build_one "$WORK/many"
time_build "$WORK/timed" "$WORK/many"
kills=0
for percent in 30 70; do
	rm -rf "$WORK/killed"
	cp -a "$WORK/before" "$WORK/killed"
	run_killed "$(at_percent "$percent")" -- "$NEWSINDEX" build --db "$WORK/killed" "$WORK/many" &&
		kills=$((kills + 1))
	settled "kill -9 at $percent% of an update" "$WORK/killed" "$WORK/many" 3000
	CHECKS=$((CHECKS + 1))
	n=$("$NEWSQUERY" --db "$WORK/killed" --all --format paths --limit 10000 '"round 7"' | wc -l)
	[ "$n" -eq 3000 ] || fail "$n of 3000 articles updated after kill at $percent%"
done
landed update "$kills" 2

# ---- a commit torn between shards -----------------------------------------
# Articles that list related records, some of them listed by two.
python3 - "$WORK/torn-src" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for i in range(300):
    related = ""
    if i % 3 == 0:
        related = f"""related:
  - title: "Related report {i} on markets"
    webUrl: "https://related.example/{i}"
  - title: "Shared report {i % 7} on weather"
    webUrl: "https://shared.example/{i % 7}"
"""
    with open(os.path.join(out, f"{i:05d}.txt"), "w") as f:
        f.write(f"""---
title: "Story number {i} about markets and weather"
excerpt: "Word{i % 97} and word{i % 89} report on prices, rain, trade."
webUrl: "https://example.com/{i}"
topics: [Markets]
{related}---
""")
PY
T=$WORK/torn
expect_status 0 "a sharded index to tear" -- "$NEWSINDEX" build --shards 3 --db "$T" "$WORK/torn-src"
cp -a "$T/shard-3" "$WORK/shard-3.old"
# New URLs (their keys move shards), and files gone.
for i in $(seq 0 3 90) $(seq 1 3 40); do
	f=$WORK/torn-src/$(printf %05d "$i").txt
	sed -i "s|^webUrl: \"https://example.com/$i\"|webUrl: \"https://example.com/moved-$i\"|" "$f"
done
rm "$WORK"/torn-src/0015[0-9].txt
expect_status 0 "the update" -- "$NEWSINDEX" build --db "$T" "$WORK/torn-src"
# The last shard to commit lost the update, the others made it: as a
# build killed between the commits of shards 2 and 3.
rm -rf "$T/shard-3"
cp -a "$WORK/shard-3.old" "$T/shard-3"
if [ "$(xapian-metadata get "$T/shard-3" newsindex.batch)" = \
     "$(xapian-metadata get "$T/shard-1" newsindex.batch)" ]; then
	xapian-metadata set "$T/shard-3" newsindex.batch 0
fi
QUERIES+=('related report' 'shared report' 'url:https://example.com/moved-30')
build_one "$WORK/torn-src"
"$NEWSINDEX" stats --db "$WORK/one" >"$WORK/one.stats"
want_related=$(sed -n 's/^related records: //p' "$WORK/one.stats")
settled "a torn commit" "$T" "$WORK/torn-src" 290
expect_line "$WORK/out" "related records: $want_related" "as many related records as one index after a torn commit"
# Settled for good: the next build changes nothing.
expect_status 0 "a build after the settling one" -- "$NEWSINDEX" build --db "$T" "$WORK/torn-src"
expect_match "$WORK/out" "^added 0, updated 0, " "nothing to do after the settling build"

finish
