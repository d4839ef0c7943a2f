# End to end: an index that is missing or will not open is said in the
# same words by newsindex (stats, check) and newsquery, one line, from
# the one copy of the messages (lib/cli/cli.c, ni_cli_open_failure()).
. "$(dirname "$0")/lib.sh"

"$NEWSINDEX" build --db "$WORK/good" "$NI_TEST_SAMPLES" >/dev/null 2>&1 ||
	fail "build"

# The places: nothing there; an empty folder; an index without its
# postings (Xapian's DatabaseOpeningError); one whose files are junk; a
# stub whose shard is gone; a stub that is junk.
mkdir "$WORK/empty"
cp -a "$WORK/good" "$WORK/unopenable"
rm "$WORK/unopenable/postlist.glass"
cp -a "$WORK/good" "$WORK/corrupt"
for table in "$WORK"/corrupt/*.glass; do echo junk >"$table"; done
printf 'glass %s\n' "$WORK/gone" >"$WORK/stub"
echo junk >"$WORK/junk"

# said CASE WANT-REGEX: the three say one line, the same but for the
# program's name, and it matches WANT-REGEX.  newsquery opens the index
# as stats and check do, --allow-partial: without it, a stub's missing
# shard is told by the library in other words (below).
said() {
	local place="$WORK/$1" want=$2 cmd
	for cmd in stats check; do
		expect_status 1 "newsindex $cmd: $1" -- \
			"$NEWSINDEX" "$cmd" --db "$place"
		expect_lines 1 "$WORK/err" "newsindex $cmd: $1: one line"
		sed 's/^newsindex: //' "$WORK/err" >"$WORK/said-$cmd"
	done
	expect_status 2 "newsquery: $1" -- \
		"$NEWSQUERY" --allow-partial --db "$place" word
	expect_lines 1 "$WORK/err" "newsquery: $1: one line"
	sed 's/^newsquery: //' "$WORK/err" >"$WORK/said-query"
	expect_same "$1: stats and newsquery say the same" \
		"$WORK/said-stats" "$WORK/said-query"
	expect_same "$1: check and newsquery say the same" \
		"$WORK/said-check" "$WORK/said-query"
	expect_match "$WORK/said-query" "$want" "$1: what is said"
}

said none "^no index at $WORK/none: run 'newsindex build SOURCE\.\.\.' to create it \(.+\)\$"
said empty "^no index at $WORK/empty: run 'newsindex build SOURCE\.\.\.' to create it \(.+\)\$"
# There is an index: building would not help.
said unopenable "^cannot open index $WORK/unopenable: cannot open index \(.*postlist\.glass.*\)\$"
said corrupt "^cannot open index $WORK/corrupt: .+ \(.+\)\$"
# The stub is there; its shard is not.
said stub "^cannot open index $WORK/stub: no index found \(no shard of $WORK/stub could be opened; shard 1 of $WORK/stub .*\)\$"
expect_status 2 "newsquery: a stub's shard gone" -- \
	"$NEWSQUERY" --db "$WORK/stub" word
expect_only_line "$WORK/err" "newsquery: cannot open index $WORK/stub: no index found (shard 1 of $WORK/stub (line 1), glass $WORK/gone: Couldn't stat '$WORK/gone')" "newsquery: a stub's shard gone"
said junk "^cannot open index $WORK/junk: invalid argument \(.+\)\$"

if have xapian-metadata "an index of another analyzer, another program's database"; then
	cp -a "$WORK/good" "$WORK/other"
	xapian-metadata set "$WORK/other" newsindex.analyzer "icu-word;other"
	said other "^index $WORK/other was built with .+; build it again from its sources with 'newsindex build --rebuild --db $WORK/other'\$"
	# Not ours: each program names itself in its advice.
	cp -a "$WORK/good" "$WORK/foreign"
	for key in newsindex.schema newsindex.analyzer newsindex.stemmer \
		app.sources app.last_build app.restore; do
		xapian-metadata set "$WORK/foreign" "$key" ""
	done
	expect_status 1 "newsindex stats: foreign" -- \
		"$NEWSINDEX" stats --db "$WORK/foreign"
	cp "$WORK/err" "$WORK/said-stats"
	expect_status 2 "newsquery: foreign" -- \
		"$NEWSQUERY" --db "$WORK/foreign" word
	sed 's/newsquery/newsindex/g' "$WORK/err" >"$WORK/said-query"
	expect_same "foreign: stats and newsquery say the same" \
		"$WORK/said-stats" "$WORK/said-query"
	expect_only_line "$WORK/said-query" "newsindex: $WORK/foreign is a Xapian database but not a newsindex index; give newsindex another --db" "foreign: what is said"
fi

finish
