# End to end: newsindex check and compact.
. "$(dirname "$0")/lib.sh"

DB="$WORK/db"
"$NEWSINDEX" build --db "$DB" "$NI_TEST_SAMPLES" >/dev/null 2>&1 || fail "build"

expect_status 0 "check a sound index" -- "$NEWSINDEX" check --db "$DB"
expect_match "$WORK/out" "^check: $DB: no problems\$" "no problems"
expect_status 1 "check a missing index" -- "$NEWSINDEX" check --db "$WORK/none"
expect_match "$WORK/err" "no index at $WORK/none" "missing index named"

expect_status 0 "compact" -- "$NEWSINDEX" compact --db "$DB"
expect_match "$WORK/out" "^compacted $DB: [0-9.]+ MB -> [0-9.]+ MB\$" "compact summary"
CHECKS=$((CHECKS + 1))
ls -d "$DB".* 2>/dev/null && fail "compact left a folder beside the index"
expect_status 0 "check after compact" -- "$NEWSINDEX" check --db "$DB"
expect_status 0 "query after compact" -- "$NEWSQUERY" --db "$DB" SenseTime sanctions
expect_match "$WORK/out" '^ 1\. AI Developer SenseTime Pulls Stock Sale' "same first result"
expect_status 0 "build after compact" -- "$NEWSINDEX" build --db "$DB"
expect_match "$WORK/out" '^added 0, updated 0, unchanged [1-9][0-9]*, deleted 0, ' "still incremental"

# Damage a table: check says so, and exits 1.
cp -r "$DB" "$WORK/damaged"
python3 - "$WORK/damaged/postlist.glass" <<'PY'
import os, sys
size = os.path.getsize(sys.argv[1])
with open(sys.argv[1], "r+b") as f:
    f.seek(8192)
    f.write(b"\xff" * ((size - 8192) // 3))
PY
expect_status 1 "check a damaged index" -- "$NEWSINDEX" check --db "$WORK/damaged"
expect_match "$WORK/err" "$WORK/damaged: index is corrupt" "damage reported"
finish
