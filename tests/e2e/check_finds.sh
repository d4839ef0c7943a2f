# End to end: newsindex check finds what is wrong, not only that a sound
# index is sound.  Indexes are broken on purpose, one index and 3 shards
# where it applies, as a bug, a crash or a disk would break them: a key
# on two documents or two shards, a related record whose parent is gone,
# a stamp that lies, a truncated table.  check names each, and exits 1.
# (Each kind of drift between an index and its files is
# tests/unit/test_verify.c's; related records are test_xapian.c's.)
. "$(dirname "$0")/lib.sh"

SRC="$WORK/src"
mkdir -p "$SRC" "$WORK/again"
# p lists the related record r; a..d are plain.  In 3 shards, by their
# URLs' hash: a, b, d in shard 2, c and p in shard 3, r in shard 1.
printf -- '---\ntitle: "Parent"\nexcerpt: "The parent."\nwebUrl: "https://find.example/p"\nrelated:\n  - {title: "Record", excerpt: "A record.", webUrl: "https://find.example/r"}\n---\n' >"$SRC/p.txt"
for a in a b c d; do
	printf -- '---\ntitle: "Article %s"\nexcerpt: "About %s."\nwebUrl: "https://find.example/%s"\n---\n' \
		"$a" "$a" "$a" >"$SRC/$a.txt"
done
# The same article (a's URL) under another name, in another folder.
cp "$SRC/a.txt" "$WORK/again/a-again.txt"
ONE="$WORK/one"
THREE="$WORK/three"
expect_status 0 "build one index" -- "$NEWSINDEX" build --db "$ONE" "$SRC"
expect_status 0 "build 3 shards" -- "$NEWSINDEX" build --shards 3 --db "$THREE" "$SRC"
expect_status 0 "build another index" -- "$NEWSINDEX" build --db "$WORK/again-db" "$WORK/again"
for db in "$ONE" "$THREE"; do
	expect_status 0 "check $(basename "$db"), sound" -- "$NEWSINDEX" check --db "$db"
done

# broken NAME FROM: a copy of the index FROM, at $WORK/NAME, whose last
# build ended in 2999 (as xapian-metadata writes it), so that its files
# are compared, none taken for changed since.
broken() {
	rm -rf "${WORK:?}/$1"
	cp -r "$2" "$WORK/$1"
	local index
	for index in "$WORK/$1" "$WORK/$1"/shard-*; do
		[ -f "$index/iamglass" ] &&
			xapian-metadata set "$index" app.last_build 2999-01-01T00:00:00Z
	done
}

# expect_check DB WHAT LINE...: check of DB exits 1, its output has
# each LINE (a regex), and sums up the problems.
expect_check() {
	local db=$1 what=$2 line
	shift 2
	expect_status 1 "check: $what" -- "$NEWSINDEX" check --db "$db"
	for line in "$@"; do
		expect_match "$WORK/out" "$line" "check: $what: said"
	done
	expect_match "$WORK/out" "^check: $db: [1-9][0-9]* problems\$" "check: $what: the problems counted"
}

# ---- a key on two shards --------------------------------------------------------
# Indexes built apart and listed in one stub, both with a's URL
# (docs/scaling.md: give each article to exactly one of them).
printf 'glass one\nglass again-db\n' >"$WORK/two.stub"
expect_check "$WORK/two.stub" "a key in two indexes of a stub" \
	'^key https://find\.example/a is on 2 documents$' \
	"^check: $WORK/one: no problems\$"

# One index merged by hand with another (Xapian's compaction keeps the
# first's metadata): a's key on two documents.
CHECKS=$((CHECKS + 1))
xapian-compact "$ONE" "$WORK/again-db" "$WORK/merged" >"$WORK/compact.log" 2>&1 ||
	fail "xapian-compact cannot merge two indexes: $(cat "$WORK/compact.log")"
broken one-twice "$WORK/merged"
expect_check "$WORK/one-twice" "one index, a key on two documents" \
	'^key https://find\.example/a is on 2 documents$'

if have scriptindex "a document written by hand into an index"; then
	# A document with a's key written into shard 1 (a's is 2), as by
	# a build that lost track of the shards: misplaced, and the key
	# on two shards.  (Xapian's scriptindex adds a document with the
	# unique term alone; the field x keeps it from deleting.)
	printf 'key : unique=Q boolean=Q\n' >"$WORK/add.script"
	printf 'key=https://find.example/a\nx=1\n\n' >"$WORK/add.input"
	broken three-twice "$THREE"
	scriptindex "$WORK/three-twice/shard-1" "$WORK/add.script" "$WORK/add.input" >/dev/null 2>&1 ||
		fail "scriptindex cannot add to shard 1"
	expect_check "$WORK/three-twice" "3 shards, a key on two shards" \
		'^key https://find\.example/a belongs in shard 2 of 3, not in this one \(1\)$' \
		"^check: $WORK/three-twice/shard-1: 1 problems\$" \
		'^key https://find\.example/a is on 2 documents$'
	# ---- a related record whose parent is gone ------------------------------
	# p's document deleted, its related record r kept: as a shard put
	# back from before a build, or a lost write.  (scriptindex deletes
	# the document of a record that has the unique field alone.)
	printf 'key : unique=Q\n' >"$WORK/drop.script"
	printf 'key=https://find.example/p\n\n' >"$WORK/drop.input"
	broken one-orphan "$ONE"
	broken three-orphan "$THREE"
	for index in "$WORK/one-orphan" "$WORK/three-orphan/shard-3"; do
		scriptindex "$index" "$WORK/drop.script" "$WORK/drop.input" >/dev/null 2>&1 ||
			fail "scriptindex cannot delete from $index"
	done
	for db in one-orphan three-orphan; do
		expect_check "$WORK/$db" "$db: a related record without its parent" \
			'^related records of https://find\.example/p have no parent article$' \
			"^file $SRC/p\\.txt is not indexed: no document has its key https://find\\.example/p\$"
	done
fi

# ---- a truncated table ------------------------------------------------------------
# Cut short, as a disk error or a full disk leave a file: Xapian cannot
# read the table; check says the index is corrupt, naming the table.
broken one-cut "$ONE"
truncate -s 4096 "$WORK/one-cut/postlist.glass"
expect_status 1 "check: one index, a truncated table" -- "$NEWSINDEX" check --db "$WORK/one-cut"
expect_lines 1 "$WORK/err" "check: one line, the error"
expect_match "$WORK/err" "^newsindex: cannot open index $WORK/one-cut: index is corrupt \\(table $WORK/one-cut/postlist\\.glass: EOF reading block [0-9]+\\)\$" \
	"check: the truncated table is named"
broken three-cut "$THREE"
truncate -s 4096 "$WORK/three-cut/shard-2/postlist.glass"
expect_check "$WORK/three-cut" "3 shards, a truncated table" \
	"^missing shard 2 of $WORK/three-cut \\(line [0-9]+\\), auto shard-2: table $WORK/three-cut/shard-2/postlist\\.glass: EOF reading block [0-9]+\$"
# Cut in its middle, a larger index opens, and Xapian's check of the
# tables finds it.
make_articles "$WORK/many" 2000
expect_status 0 "build a larger index" -- "$NEWSINDEX" build -j 1 --db "$WORK/large" "$WORK/many"
broken large-cut "$WORK/large"
size=$(stat -c %s "$WORK/large-cut/termlist.glass")
truncate -s $((size / 8192 / 2 * 8192)) "$WORK/large-cut/termlist.glass"
expect_status 0 "the larger index opens, cut" -- "$NEWSQUERY" --db "$WORK/large-cut" --count markets
expect_status 1 "check: a table cut in its middle" -- "$NEWSINDEX" check --db "$WORK/large-cut"
expect_match "$WORK/err" "^newsindex: cannot open index $WORK/large-cut: index is corrupt \\(table $WORK/large-cut/termlist\\.glass: EOF reading block [0-9]+\\)\$" \
	"check: the table cut in its middle is named"

# ---- a stamp that lies -------------------------------------------------------------
# b.txt's modification time set back after the last build, which the
# index says ended later: the stamp its article records is not the
# file's, and no build after it read the file again.
broken one-stamp "$ONE"
broken three-stamp "$THREE"
touch -d 2001-01-01 "$SRC/b.txt"
for db in one-stamp three-stamp; do
	expect_check "$WORK/$db" "$db: a stale stamp" \
		"^file $SRC/b\\.txt is not the size, times or inode its article https://find\\.example/b records \\(a stale stamp\\)\$"
done

finish
