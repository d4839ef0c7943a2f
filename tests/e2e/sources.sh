# End to end: the sources an index remembers.  A named source that
# cannot be read is not remembered; a remembered one that goes missing
# keeps its articles until it is back or forgotten; forget takes only
# remembered sources and says exactly what it did.
. "$(dirname "$0")/lib.sh"

article() {   # article FILE TITLE URL
	mkdir -p "$(dirname "$1")"
	printf -- '---\ntitle: "%s"\nwebUrl: "%s"\n---\n' "$2" "$3" >"$1"
}
articles() {  # articles DB: how many the index holds
	"$NEWSINDEX" stats --db "$1" | sed -n 's/^articles: //p'
}
sources() {   # sources DB: the remembered sources, one a line
	"$NEWSINDEX" stats --db "$1" | sed -n 's/^source: //p'
}
expect_count() {  # expect_count WANT DB DESCRIPTION
	CHECKS=$((CHECKS + 1))
	local got
	got=$(articles "$2")
	[ "$got" = "$1" ] || fail "$3: $got articles, wanted $1"
}

A="$WORK/a"
article "$A/one.txt" "alpha one" "https://x/a1"
article "$A/sub/two.txt" "alpha two" "https://x/a2"

# ---- a named source that cannot be read is not remembered -------------------
DB="$WORK/db"
expect_status 1 "only a source that does not exist" -- "$NEWSINDEX" build --db "$DB" "$WORK/nowhere"
expect_only_line "$WORK/err" "newsindex: $WORK/nowhere: No such file or directory; not indexed, nor made a source of the index" "the source named, and what was not done"
CHECKS=$((CHECKS + 1))
[ ! -e "$DB" ] || fail "an index made for nothing"

expect_status 0 "first build" -- "$NEWSINDEX" build --db "$DB" "$A"
mkfifo "$WORK/fifo"
expect_status 1 "a source that does not exist, beside one that does" -- "$NEWSINDEX" build --db "$DB" "$WORK/nowhere" "$A" "$WORK/fifo"
expect_line "$WORK/err" "newsindex: $WORK/nowhere: No such file or directory; not indexed, nor made a source of the index" "the missing one named"
expect_line "$WORK/err" "newsindex: $WORK/fifo: not a regular file or folder; not indexed, nor made a source of the index" "the fifo named"
expect_match "$WORK/out" "^added 0, updated 0, unchanged 2, " "the others built"
CHECKS=$((CHECKS + 1))
[ "$(sources "$DB")" = "$A" ] || fail "sources remembered: $(sources "$DB")"
expect_status 0 "a bare build after it" -- "$NEWSINDEX" build --db "$DB"
expect_status 1 "a rebuild with a source that does not exist" -- "$NEWSINDEX" build --rebuild --db "$DB" "$A" "$WORK/nowhere"
expect_line "$WORK/err" "newsindex: rebuild not finished: $DB is unchanged" "the rebuild not begun"
expect_count 2 "$DB" "after the rebuild refused"
expect_status 0 "a bare build after the refused rebuild" -- "$NEWSINDEX" build --db "$DB"

# "a/./b/" and "a//b" are "a/b": one source, as forget finds it.
expect_status 0 "the same source, spelt with ./ and //" -- "$NEWSINDEX" build --db "$DB" "$WORK/./a//"
CHECKS=$((CHECKS + 1))
[ "$(sources "$DB")" = "$A" ] || fail "sources remembered: $(sources "$DB")"
expect_status 0 "a relative source" -- env -C "$WORK" "$NEWSINDEX" build --db "$DB" ./a/.
CHECKS=$((CHECKS + 1))
[ "$(sources "$DB")" = "$A" ] || fail "sources remembered: $(sources "$DB")"

# ---- a remembered source that goes missing keeps its articles ---------------
missing_source() {   # missing_source DB [--shards N]
	local db=$1
	shift
	local B="$WORK/b"
	rm -rf "$B" "$B.away"
	article "$B/three.txt" "bravo three" "https://x/b3"
	expect_status 0 "two sources $*" -- "$NEWSINDEX" build --db "$db" "$@" "$A" "$B"
	mv "$B" "$B.away"
	expect_status 1 "a bare build, a source missing $*" -- "$NEWSINDEX" build --db "$db"
	expect_match "$WORK/out" "^added 0, updated 0, unchanged 2, deleted 0, .* holds 3 articles" "its articles kept $*"
	expect_line "$WORK/err" "newsindex: $B: No such file or directory; its articles are kept: build again once it is back, or if it is gone for good, run 'newsindex forget --db $db $B'" "what to do said $*"
	expect_status 0 "its article found $*" -- "$NEWSQUERY" --db "$db" bravo
	expect_status 1 "the missing source named $*" -- "$NEWSINDEX" build --db "$db" "$B"
	expect_line "$WORK/err" "newsindex: $B: No such file or directory; its articles are kept: build again once it is back, or if it is gone for good, run 'newsindex forget --db $db $B'" "named, what to do said $*"
	expect_count 3 "$db" "named, its articles kept $*"
	mv "$B.away" "$B"
	expect_status 0 "back $*" -- "$NEWSINDEX" build --db "$db"
	expect_match "$WORK/out" "^added 0, updated 0, unchanged 3, deleted 0, " "nothing to do once back $*"
	rm -rf "$B"
	expect_status 1 "gone for good $*" -- "$NEWSINDEX" build --db "$db"
	expect_status 0 "forgotten $*" -- "$NEWSINDEX" forget --db "$db" "$B"
	expect_only_line "$WORK/out" "forgot 1 source, deleted 1 articles" "forget said $*"
	expect_status 0 "a bare build after forget $*" -- "$NEWSINDEX" build --db "$db"
	expect_count 2 "$db" "after forget $*"
}
missing_source "$WORK/db-missing"
missing_source "$WORK/db-shards" --shards 3

# ---- forget takes remembered sources only -----------------------------------
expect_status 1 "forget a path that never was a source" -- "$NEWSINDEX" forget --db "$DB" "$WORK/never"
expect_line "$WORK/err" "newsindex: '$WORK/never' is not a source of this index" "why"
expect_line "$WORK/err" "newsindex: nothing forgotten; the sources of this index: '$A'" "nothing done, and what could be"
CHECKS=$((CHECKS + 1))
[ -s "$WORK/out" ] && fail "forget said it forgot: $(cat "$WORK/out")"

expect_status 1 "forget a file inside a source" -- "$NEWSINDEX" forget --db "$DB" "$A/sub/two.txt"
expect_line "$WORK/err" "newsindex: '$A/sub/two.txt' is not a source of this index: it is under the source '$A', whose next build would index it again (move it out, or forget '$A')" "why, and what to do"
expect_count 2 "$DB" "nothing deleted"

expect_status 1 "forget a source and a path that is not one" -- "$NEWSINDEX" forget --db "$DB" "$A" "$WORK"
expect_line "$WORK/err" "newsindex: '$WORK' is not a source of this index; the sources under it: '$A'" "a folder above sources"
expect_count 2 "$DB" "all or nothing"
CHECKS=$((CHECKS + 1))
[ "$(sources "$DB")" = "$A" ] || fail "a source forgotten: $(sources "$DB")"

# A source inside another: forgetting it deletes nothing the other
# still indexes, and the next build has nothing to bring back.
expect_status 0 "a source inside a source" -- "$NEWSINDEX" build --db "$DB" "$A/sub"
expect_status 0 "forget the inner one" -- "$NEWSINDEX" forget --db "$DB" "$A/sub"
expect_only_line "$WORK/out" "forgot 1 source, deleted 0 articles, kept 1 (under another source)" "what stays, said"
expect_status 0 "a bare build after it" -- "$NEWSINDEX" build --db "$DB"
expect_match "$WORK/out" "^added 0, updated 0, unchanged 2, deleted 0, " "nothing came back: nothing went"
expect_status 0 "the inner one again" -- "$NEWSINDEX" build --db "$DB" "$A/sub"
expect_status 0 "forget the outer one" -- "$NEWSINDEX" forget --db "$DB" "$A"
expect_only_line "$WORK/out" "forgot 1 source, deleted 1 articles, kept 1 (under another source)" "the inner one's article stays"
expect_status 0 "a bare build after it" -- "$NEWSINDEX" build --db "$DB"
expect_match "$WORK/out" "^added 0, updated 0, unchanged 1, deleted 0, " "only the inner one's article"
expect_status 0 "forget the same source twice over" -- env -C "$A" "$NEWSINDEX" forget --db "$DB" sub ./sub/
expect_only_line "$WORK/out" "forgot 1 source, deleted 1 articles" "one source forgotten"
expect_status 1 "forget it again" -- "$NEWSINDEX" forget --db "$DB" "$A/sub"
expect_line "$WORK/err" "newsindex: nothing forgotten: this index has no sources" "none left"

finish
