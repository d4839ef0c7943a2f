# End to end: what newsquery writes can be trusted: output that could
# not be written is an error.
. "$(dirname "$0")/lib.sh"

export NEWSINDEX_DB="$WORK/db"
IN="$WORK/in"
mkdir -p "$IN"
cp -r "$NI_TEST_SAMPLES" "$IN/samples"
expect_status 0 "build" -- "$NEWSINDEX" build "$IN"

# ---- output that could not be written ------------------------------------
if [ -w /dev/full ]; then
	for format in text json jsonl tsv urls paths; do
		expect_status 2 "--format $format to a full disk" -- sh -c '"$@" >/dev/full' _ "$NEWSQUERY" --format "$format" --all --limit 100 sanctions OR the OR oil
		expect_line "$WORK/err" "newsquery: cannot write the results: No space left on device" "--format $format: full disk said"
	done
	expect_status 2 "--count to a full disk" -- sh -c '"$@" >/dev/full' _ "$NEWSQUERY" --count sanctions
	expect_line "$WORK/err" "newsquery: cannot write the results: No space left on device" "--count: full disk said"
	expect_status 2 "--help to a full disk" -- sh -c '"$@" >/dev/full' _ "$NEWSQUERY" --help
	expect_line "$WORK/err" "newsquery: cannot write the help: No space left on device" "--help: full disk said"
else
	echo "SKIP full disk: no /dev/full"
fi
# A pipe its reader closed: SIGPIPE ends the program, silently, as any
# other; where SIGPIPE is ignored, exit 2, and nothing said (as grep).
CHECKS=$((CHECKS + 1))
python3 - "$NEWSQUERY" <<'PY' || fail "a closed pipe"
import os, signal, subprocess, sys
for restore, want in ((True, -signal.SIGPIPE), (False, 2)):
    r, w = os.pipe()
    os.close(r)
    p = subprocess.run([sys.argv[1], "--json", "--all", "--limit", "100",
                        "sanctions"], stdout=w, stderr=subprocess.PIPE,
                       restore_signals=restore)
    os.close(w)
    assert p.returncode == want and p.stderr == b"", (restore, p)
PY

finish
