#!/bin/bash
# A full disk: the build fails with a message that names the index and
# says what to do, the index keeps what its last commit had and stays
# searchable, a --rebuild leaves the old one, and with space again the
# build finishes.  The full disk is a small tmpfs: mounting it needs
# root, or else a user namespace of the test's own, where it runs again
# as that namespace's root; with neither it is skipped, saying why.
if [ "$(id -u)" -ne 0 ] &&
	unshare --user --map-root-user --mount true 2>/dev/null; then
	exec unshare --user --map-root-user --mount bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

# no_disk WHY: nothing here can be checked; say so (exit 77, SKIP).
no_disk() {
	skip "a full disk: $*"
	finish
	exit
}
[ "$(id -u)" -eq 0 ] ||
	no_disk "mounting a tmpfs needs root or a user namespace (unshare -rm)"
FULL=$WORK/full
mkdir -p "$FULL"
mount -t tmpfs -o size=4m tmpfs "$FULL" 2>"$WORK/mount.err" ||
	no_disk "cannot mount a tmpfs: $(cat "$WORK/mount.err")"
trap 'umount "$FULL"; rm -rf "$WORK"' EXIT
DB=$FULL/db

expect_status 0 "the samples fit" -- "$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES"
expect_match "$WORK/out" "holds 41 articles" "the samples are in"
make_articles "$WORK/many" 3000

expect_status 1 "a build on a full disk fails" -- "$NEWSINDEX" build --db "$DB" "$WORK/many"
expect_match "$WORK/err" "^newsindex: $DB: .*No space left on device.*; the index keeps what its last commit had: free some space and build again\$" "the failure names the index, the cause and what to do"
expect_match "$WORK/out" "^failed: " "the summary says the build failed"
expect_status 0 "the index still searches" -- "$NEWSQUERY" --db "$DB" sensetime sanctions
expect_match "$WORK/out" "SenseTime" "the seed article is still found"
expect_status 0 "check after a full disk" -- "$NEWSINDEX" check --db "$DB"
expect_status 0 "stats after a full disk" -- "$NEWSINDEX" stats --db "$DB"
expect_line "$WORK/out" "articles: 41" "the index holds what it held"

expect_status 1 "a rebuild on a full disk fails" -- "$NEWSINDEX" build --rebuild --db "$DB" "$WORK/many"
expect_match "$WORK/err" "rebuild not finished: $DB is unchanged" "the rebuild says the old index stays"
CHECKS=$((CHECKS + 1))
! ls -d "$DB".* 2>/dev/null || fail "a failed rebuild left a folder beside the index"
expect_status 0 "the old index after a failed rebuild" -- "$NEWSQUERY" --db "$DB" --format paths 'title:sensetime'
expect_match "$WORK/out" "/000_9d2a1a51c9f77b9a\\.txt\$" "the old index answers"

mount -t tmpfs -o remount,size=64m tmpfs "$FULL"
expect_status 0 "with space again the build finishes" -- "$NEWSINDEX" build --db "$DB" "$WORK/many"
expect_match "$WORK/out" "holds 3041 articles" "every article is in"

finish
