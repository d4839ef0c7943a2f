# End to end: three shards searched through a stub file rank as one index
# built from the same files, locally and over xapian-tcpsrv; a shard that
# is missing is named, and --allow-partial searches the others.
. "$(dirname "$0")/lib.sh"

make_articles "$WORK/gen" 600
for s in 1 2 3; do
	mkdir -p "$WORK/src/$s"
done
# Article i goes to shard i % 3 + 1: every shard holds all kinds.
for f in "$WORK"/gen/*.txt; do
	n=$(basename "$f" .txt)
	mv "$f" "$WORK/src/$(((10#$n) % 3 + 1))/"
done
for s in 1 2 3; do
	expect_status 0 "build shard $s" -- "$NEWSINDEX" build --db "$WORK/shard$s" "$WORK/src/$s"
done
expect_status 0 "build the whole" -- "$NEWSINDEX" build --db "$WORK/whole" "$WORK/src/1" "$WORK/src/2" "$WORK/src/3"

# A relative path is relative to the stub's folder; comments and blank
# lines are skipped.
cat >"$WORK/local.stub" <<EOF
# three shards
glass shard1

auto $WORK/shard2
glass   shard3
EOF

QUERIES=(markets word7 "word7 word12" "rain trade" "word3 OR word5"
	 "story number" "title:story word40" prices "word1 -word2"
	 "weather word88" "markets NOT word5" "word60 word61 word62")

# top DB ARGS...: the top 20, as "score path" lines; results tied on
# score may come in another docid order, and the tie at the 20th score
# may be cut at another document, so the lines are sorted and those at
# the 20th score keep only the score.  Feedback is off: it takes the top
# 5 by BM25 alone, where these look-alike articles tie, and a tie goes
# by docid, which differs between shards and the whole (so would the
# feedback terms).
top() {
	local db=$1
	shift
	"$NEWSQUERY" --db "$db" --no-feedback --format tsv --limit 20 "$@" |
		cut -f2,8 |
		sed 1d | awk -F'\t' '{ line[NR] = $0; score[NR] = $1 }
			END { for (i = 1; i <= NR; i++)
				print (score[i] == score[NR] ? score[i] : line[i]) }' |
		sort
}

# same_as_whole STUB WHAT: every query ranks alike on STUB and the whole.
same_as_whole() {
	local stub=$1 what=$2 q all
	for q in "${QUERIES[@]}"; do
		for all in "" --all; do
			CHECKS=$((CHECKS + 1))
			top "$stub" $all -- "$q" >"$WORK/got"
			top "$WORK/whole" $all -- "$q" >"$WORK/want"
			if [ ! -s "$WORK/want" ] || ! cmp -s "$WORK/got" "$WORK/want"; then
				fail "$what: '$q' $all ranks differently"
				diff "$WORK/got" "$WORK/want" | sed 's/^/  /' >&2
			fi
		done
	done
}
same_as_whole "$WORK/local.stub" "local stub"

# Pages (their scores: ties on a page's edges go by docid), facets and
# totals agree too.
summary() {
	"$NEWSQUERY" --db "$1" --no-feedback --format json --offset 15 \
		--limit 10 --facets topic,provider,month markets |
		python3 -c 'import json, sys; r = json.load(sys.stdin)
print(r["total"], [h["score"] for h in r["results"]], r["facets"])'
}
CHECKS=$((CHECKS + 1))
summary "$WORK/local.stub" >"$WORK/got"
summary "$WORK/whole" >"$WORK/want"
[ -s "$WORK/want" ] && cmp -s "$WORK/got" "$WORK/want" ||
	fail "local stub: a page, facets or total differ from the whole"

# stats and check know shards.
expect_status 0 "stats of a stub" -- "$NEWSINDEX" stats --db "$WORK/local.stub"
expect_line "$WORK/out" "articles: 600" "stats: the total"
expect_line "$WORK/out" "shards: 3" "stats: the number of shards"
expect_line "$WORK/out" "shard: shard 2 of $WORK/local.stub (line 4), auto $WORK/shard2: articles 200, related records 0" "stats: a shard"
expect_status 0 "check of a stub" -- "$NEWSINDEX" check --db "$WORK/local.stub"
expect_line "$WORK/out" "check: $WORK/shard3: no problems" "check: each local shard"
expect_line "$WORK/out" "check: $WORK/local.stub: no problems in its local shards, nor across them" "check: the stub"

# A shard that is not there is named; --allow-partial leaves it out.
printf 'glass shard1\nglass nowhere\nglass shard3\n' >"$WORK/broken.stub"
expect_status 1 "stats of a stub with a shard missing" -- "$NEWSINDEX" stats --db "$WORK/broken.stub"
expect_line "$WORK/out" "articles: 400" "stats: the total of the others"
expect_match "$WORK/out" "^missing: shard 2 of $WORK/broken.stub \(line 2\), glass nowhere: " "stats: the missing shard"
expect_status 1 "check of a stub with a shard missing" -- "$NEWSINDEX" check --db "$WORK/broken.stub"
expect_match "$WORK/out" "^missing shard 2 of $WORK/broken.stub \(line 2\)" "check: the missing shard"
expect_line "$WORK/out" "check: $WORK/broken.stub: 1 problems" "check: the stub's problems"
expect_status 2 "a missing shard" -- "$NEWSQUERY" --db "$WORK/broken.stub" markets
expect_match "$WORK/err" "shard 2 of $WORK/broken.stub \(line 2\), glass nowhere: " "the missing shard is named"
expect_status 0 "--allow-partial" -- "$NEWSQUERY" --db "$WORK/broken.stub" --allow-partial --format paths --limit 500 markets
expect_match "$WORK/err" "warning: left out shard 2 of $WORK/broken.stub" "the shard left out is named"
expect_no_match "$WORK/out" "/src/2/" "no result from the missing shard"
expect_match "$WORK/out" "/src/3/" "results from the others"
expect_status 0 "--allow-partial --json" -- "$NEWSQUERY" --db "$WORK/broken.stub" --allow-partial --json markets
expect_match "$WORK/out" "\"missing_shards\":\\[\"shard 2 of $WORK/broken.stub \\(line 2\\), glass nowhere: [^\"]*\"\\]," "JSON: the shard left out"
expect_status 0 "--json of a whole stub" -- "$NEWSQUERY" --db "$WORK/local.stub" --allow-partial --json markets
expect_match "$WORK/out" '"missing_shards":\[\],' "JSON: no shard left out"
printf 'glass shard1\nremote nohost\n' >"$WORK/bad.stub"
expect_status 2 "a malformed line" -- "$NEWSQUERY" --db "$WORK/bad.stub" --allow-partial markets
expect_match "$WORK/err" "shard 2 of .*remote nohost: expected" "the malformed line is named"
# A shard built with other analyzer settings is refused, by name, even
# with --allow-partial: it would match and rank differently.
cp -r "$WORK/shard3" "$WORK/other"
xapian-metadata set "$WORK/other" newsindex.analyzer "something else"
printf 'glass shard1\nglass other\n' >"$WORK/other.stub"
expect_status 2 "a shard of other settings" -- "$NEWSQUERY" --db "$WORK/other.stub" --allow-partial markets
expect_match "$WORK/err" "index shard 2 of $WORK/other.stub \\(line 2\\), glass other was built with analyzer \"something else\"" "the mismatched shard is named"
expect_match "$WORK/err" "; build that shard again\$" "the advice is for the shard, not the stub"
expect_status 1 "stats on a shard of other settings" -- "$NEWSINDEX" stats --db "$WORK/other.stub"
expect_match "$WORK/err" "glass other was built with .*; build that shard again\$" "newsindex names the shard and advises it too"

if have xapian-tcpsrv "remote shards"; then
	serve_shards "$WORK/remote.stub" "$WORK/shard1" "$WORK/shard2" "$WORK/shard3"
	same_as_whole "$WORK/remote.stub" "remote stub"
	expect_status 0 "check of a remote stub" -- "$NEWSINDEX" check --db "$WORK/remote.stub"
	expect_line "$WORK/out" "check: shard 3 of $WORK/remote.stub (line 3), remote 127.0.0.1:${PORTS[2]}: remote, not checked here (run 'newsindex check' on its host)" "check: a remote shard"
	expect_status 0 "stats of a remote stub" -- "$NEWSINDEX" stats --db "$WORK/remote.stub"
	expect_line "$WORK/out" "shard: shard 1 of $WORK/remote.stub (line 1), remote 127.0.0.1:${PORTS[0]}: articles 200, related records 0" "stats: a remote shard"

	printf 'glass shard1\nglass shard3\n' >"$WORK/two.stub"
	stop_second_shard "$WORK/remote.stub" "$WORK/two.stub" markets
fi

finish
