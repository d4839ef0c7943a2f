#!/bin/bash
# The commands scripts/demo suggests at its end work on an index of the
# samples: each finds something (exit 0).
. "$(dirname "$0")/lib.sh"

SOURCE_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export PATH=$(dirname "$NEWSINDEX"):$(dirname "$NEWSQUERY"):$PATH
export NEWSINDEX_DB=$WORK/demo-index
expect_status 0 "the demo index" -- newsindex build "$NI_TEST_SAMPLES"
# The suggested commands: the message's lines that start with a program.
sed -n '/^Then try:/,/^MSG$/p' "$SOURCE_ROOT/scripts/demo" |
	grep -E '^  news(query|index) ' >"$WORK/suggested"
CHECKS=$((CHECKS + 1))
[ "$(wc -l <"$WORK/suggested")" -eq 3 ] ||
	fail "scripts/demo does not suggest three commands"
while read -r line; do
	eval "set -- $line"
	expect_status 0 "suggested: $line" -- "$@"
	CHECKS=$((CHECKS + 1))
	[ -s "$WORK/out" ] || fail "suggested: $line: printed nothing"
done <"$WORK/suggested"
# The message says where the programs and the index are.
expect_match "$SOURCE_ROOT/scripts/demo" '^The programs are build/indexer/newsindex and build/query/newsquery$' "says where the programs are"
expect_match "$SOURCE_ROOT/scripts/demo" 'the demo index is \$db\.$' "says where the index is"

finish
