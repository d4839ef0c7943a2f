# End to end: promises of docs/scaling.md that shards.sh and
# sharded_build.sh do not show.  A stub none of whose shards opens is an
# error, even with --allow-partial; spelling suggestions come from the
# local shards, merged, each shard holding the words of its articles; a
# remote shard that accepts the connection and never answers times out,
# and fails (or is left out) like one that refuses it; a build stopped by
# SIGINT ends at once on a second one, one index or sharded.
. "$(dirname "$0")/lib.sh"

# ---- a stub none of whose shards opens -------------------------------------------
printf 'glass nowhere1\nglass nowhere2\n' >"$WORK/none.stub"
STUB_NONE="no shard of $WORK/none.stub could be opened; shard 1 of $WORK/none.stub \\(line 1\\), glass nowhere1: "
for partial in "" --allow-partial; do
	expect_status 2 "a stub of no shard that opens $partial" -- "$NEWSQUERY" --db "$WORK/none.stub" $partial markets
	expect_match "$WORK/err" "^newsquery: cannot open index $WORK/none.stub: .*shard 1 of $WORK/none.stub \\(line 1\\), glass nowhere1: " "$partial: the first shard is named"
	expect_no_match "$WORK/err" "newsindex build|warning: left out" "$partial: neither built nor left out: a stub is not built"
	expect_lines 1 "$WORK/err" "$partial: one error"
done
expect_match "$WORK/err" "$STUB_NONE" "--allow-partial: no shard could be opened"
for command in stats check; do
	expect_status 1 "newsindex $command of a stub of no shard that opens" -- "$NEWSINDEX" "$command" --db "$WORK/none.stub"
	expect_match "$WORK/err" "^newsindex: cannot open index $WORK/none.stub: no index found \\($STUB_NONE" "$command: the stub and its first shard are named"
done

# ---- spelling over shards ----------------------------------------------------------
# Three articles, one word each, in three shards: the URLs' FNV-1a hash
# places /0 in shard 2, /1 in shard 1, /3 in shard 3 (checked below).
mkdir -p "$WORK/spell"
for n in 0:zeppelin 1:marmalade 3:quadrant; do
	printf -- '---\ntitle: "The %s"\nexcerpt: "All about the %s."\nwebUrl: "https://spell.example/%s"\n---\n' \
		"${n#*:}" "${n#*:}" "${n%%:*}" >"$WORK/spell/${n%%:*}.txt"
done
SPELL="$WORK/spelled"
expect_status 0 "a sharded build" -- "$NEWSINDEX" build --shards 3 --db "$SPELL" "$WORK/spell"
for place in 1:marmalade:1 2:zeppelin:0 3:quadrant:3; do
	IFS=: read -r shard word url <<<"$place"
	expect_status 0 "shard $shard alone" -- "$NEWSQUERY" --db "$SPELL/shard-$shard" --format urls "$word"
	expect_only_line "$WORK/out" "https://spell.example/$url" "shard $shard holds the article of $word"
done
MISSPELT="zepelin marmelade quadrnt"
expect_status 1 "misspelt, over the shards" -- "$NEWSQUERY" --db "$SPELL" "$MISSPELT"
expect_line "$WORK/out" "did you mean: zeppelin marmalade quadrant" "a word of each shard's spelling data"
# Each shard has the words of its articles, and only those.
expect_status 1 "misspelt, shard 2 alone" -- "$NEWSQUERY" --db "$SPELL/shard-2" "$MISSPELT"
expect_line "$WORK/out" "did you mean: zeppelin marmelade quadrnt" "shard 2's word only"
expect_status 1 "misspelt, shard 1 alone" -- "$NEWSQUERY" --db "$SPELL/shard-1" "$MISSPELT"
expect_line "$WORK/out" "did you mean: zepelin marmalade quadrnt" "shard 1's word only"

# ---- remote shards ------------------------------------------------------------
if have xapian-tcpsrv "remote shards: spelling, time-outs"; then
	# Remote shards serve no spelling data: their words are not
	# suggested, the local shard's are.
	serve_shards "$WORK/remote.stub" "$SPELL/shard-1" "$SPELL/shard-3"
	expect_status 1 "misspelt, remote shards" -- "$NEWSQUERY" --db "$WORK/remote.stub" "$MISSPELT"
	expect_no_match "$WORK/out" "did you mean" "no suggestion from remote shards"
	expect_status 0 "spelt, remote shards" -- "$NEWSQUERY" --db "$WORK/remote.stub" --format urls marmalade
	expect_only_line "$WORK/out" "https://spell.example/1" "the remote shards answer"
	{ cat "$WORK/remote.stub"; echo "auto $SPELL/shard-2"; } >"$WORK/mixed.stub"
	expect_status 1 "misspelt, remote and local shards" -- "$NEWSQUERY" --db "$WORK/mixed.stub" "$MISSPELT"
	expect_line "$WORK/out" "did you mean: zeppelin marmelade quadrnt" "the local shard's word only"

	# A server that accepts connections and never answers: Xapian's
	# time-outs (10 s) end the wait; the limit here only catches a
	# hang.
	MUTE=$(free_port)
	python3 - "$MUTE" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
held = []
s.settimeout(1)
end = time.monotonic() + 280
while time.monotonic() < end:
    try:
        held.append(s.accept()[0])   # and never a byte back
    except socket.timeout:
        pass
PY
	SERVERS+=($!)
	CHECKS=$((CHECKS + 1))
	wait_listening "$MUTE" || fail "the mute server does not listen on $MUTE"
	printf 'remote 127.0.0.1:%s\nauto %s\n' "$MUTE" "$SPELL/shard-1" >"$WORK/mute.stub"
	MUTE_NAME="shard 1 of $WORK/mute.stub \\(line 1\\), remote 127.0.0.1:$MUTE: Timeout expired"
	expect_status 2 "a shard that never answers" -- timeout -s KILL 120 "$NEWSQUERY" --db "$WORK/mute.stub" marmalade
	expect_match "$WORK/err" "^newsquery: cannot open index $WORK/mute.stub: .*\\($MUTE_NAME" "the silent shard is named, with the time-out"
	expect_status 0 "--allow-partial, a shard that never answers" -- timeout -s KILL 120 "$NEWSQUERY" --db "$WORK/mute.stub" --allow-partial --format urls marmalade
	expect_match "$WORK/err" "^newsquery: warning: left out $MUTE_NAME" "the silent shard is left out, named"
	expect_only_line "$WORK/out" "https://spell.example/1" "the other shard answers"
	expect_status 1 "newsindex stats, a shard that never answers" -- timeout -s KILL 120 "$NEWSINDEX" stats --db "$WORK/mute.stub"
	expect_match "$WORK/out" "^missing: $MUTE_NAME" "stats: the silent shard is missing"
fi

# ---- a second SIGINT ends a build at once ---------------------------------------
# Every article file has a title twice: a warning each, on standard
# error.  twice_interrupted runs the build with its output into a pipe
# and, once a warning shows the build is under way (its SIGINT handler
# set), fills the pipe: the build then waits to write.  The first
# SIGINT asks it to stop, which it cannot finish (its summary waits for
# the pipe too); the second must end it, by SIGINT, at once.
python3 - "$WORK/twice" <<'PY'
import os, sys
os.makedirs(sys.argv[1])
for i in range(3000):
    with open(os.path.join(sys.argv[1], f"{i:05d}.txt"), "w") as f:
        f.write(f'---\ntitle: "Story {i}"\ntitle: "Story {i} again"\n'
                f'webUrl: "https://twice.example/{i}"\n---\n')
PY
twice_interrupted() {
	python3 - "$@" <<'PY'
import os, select, signal, subprocess, sys, time

LIMIT = 60  # seconds: only a hang takes that long
r, w = os.pipe()
build = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL,
                         stdout=w, stderr=w)
seen = b""
deadline = time.monotonic() + LIMIT
while b"warning" not in seen:
    ready, _, _ = select.select([r], [], [], 1)
    if ready:
        seen += os.read(r, 65536)
    if build.poll() is not None or time.monotonic() > deadline:
        sys.exit(f"no warning from the build: {seen[-300:]!r}")
# Filled through a description of its own (O_NONBLOCK on the build's
# would make its writes fail rather than wait).
filler = os.open(f"/proc/self/fd/{w}", os.O_WRONLY | os.O_NONBLOCK)
try:
    while True:
        os.write(filler, b"x" * 4096)
except BlockingIOError:
    pass
try:
    while True:
        os.write(filler, b"x")
except BlockingIOError:
    pass

def pending(pid):
    """Whether SIGINT waits to be delivered to the build."""
    masks = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/status") as f:
            masks += [int(line.split()[1], 16) for line in f
                      if line.startswith(("SigPnd:", "ShdPnd:"))]
    return any(m & (1 << (signal.SIGINT - 1)) for m in masks)

build.send_signal(signal.SIGINT)
while pending(build.pid):
    if time.monotonic() > deadline:
        sys.exit("the first SIGINT was never delivered")
    time.sleep(0.01)
if build.poll() is not None:
    sys.exit(f"the first SIGINT ended the build: {build.returncode}")
build.send_signal(signal.SIGINT)
try:
    code = build.wait(timeout=LIMIT)
except subprocess.TimeoutExpired:
    build.kill()
    build.wait()
    sys.exit("a second SIGINT did not end the build")
if code != -signal.SIGINT:
    sys.exit(f"the build ended with {code}, not by SIGINT")
PY
}
expect_status 0 "a second SIGINT, one index" -- twice_interrupted "$NEWSINDEX" build -j 1 --db "$WORK/int1" "$WORK/twice"
expect_status 0 "a second SIGINT, 3 shards" -- twice_interrupted "$NEWSINDEX" build -j 1 --shards 3 --db "$WORK/int3" "$WORK/twice"

finish
