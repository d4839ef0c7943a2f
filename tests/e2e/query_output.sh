# End to end: what newsquery writes can be trusted.  Nothing from an
# article drives the terminal, in any format (tests/fixtures/terminal);
# output that could not be written is an error; snippets wrapped on a
# terminal end no line with a space; TERM=dumb has no colour.
. "$(dirname "$0")/lib.sh"

export NEWSINDEX_DB="$WORK/db"
IN="$WORK/in"
mkdir -p "$IN"
cp -r "$NI_TEST_SAMPLES" "$IN/samples"
cp "$NI_TEST_FIXTURES"/terminal/*.txt "$IN/"
# A file name with an escape sequence too (not a file git should hold).
ESC_NAME=$(printf 'name\033]0;file\007.txt')
sed -e 's|https://evil.example/|https://evil.example/named/|' \
	-e 's|Zqxescape |Zqxescape Zqxnamed |' "$IN/escapes.txt" >"$IN/$ESC_NAME"
expect_status 0 "build" -- "$NEWSINDEX" build "$IN"

# ---- output that could not be written ------------------------------------
if [ -w /dev/full ]; then
	for format in text json jsonl tsv urls paths; do
		expect_status 2 "--format $format to a full disk" -- sh -c '"$@" >/dev/full' _ "$NEWSQUERY" --format "$format" --all --limit 100 sanctions OR the OR oil
		expect_line "$WORK/err" "newsquery: cannot write the results: No space left on device" "--format $format: full disk said"
	done
	expect_status 2 "--count to a full disk" -- sh -c '"$@" >/dev/full' _ "$NEWSQUERY" --count sanctions
	expect_line "$WORK/err" "newsquery: cannot write the results: No space left on device" "--count: full disk said"
	# A string larger than stdio's buffer (the help, today) may fail
	# inside stdio, which keeps no cause, and errno may have changed
	# since: then "write error", never another cause made up.
	expect_status 2 "--help to a full disk" -- sh -c '"$@" >/dev/full' _ "$NEWSQUERY" --help
	expect_match "$WORK/err" "^newsquery: cannot write the help: (No space left on device|write error)\$" "--help: full disk said"
else
	skip "output to a full disk: no /dev/full"
fi
# A pipe its reader closed: SIGPIPE ends the program, silently, as any
# other, and as it ends newsindex (newsindex_cli.sh): also where SIGPIPE
# is ignored, so that a script sees one status.
CHECKS=$((CHECKS + 1))
python3 - "$NEWSQUERY" <<'PY' || fail "a closed pipe"
import os, signal, subprocess, sys
for restore, want in ((True, -signal.SIGPIPE), (False, -signal.SIGPIPE)):
    r, w = os.pipe()
    os.close(r)
    p = subprocess.run([sys.argv[1], "--json", "--all", "--limit", "100",
                        "sanctions"], stdout=w, stderr=subprocess.PIPE,
                       restore_signals=restore)
    os.close(w)
    assert p.returncode == want and p.stderr == b"", (restore, p)
PY

# ---- nothing from an article drives the terminal --------------------------
# on_tty COLUMNS COMMAND...: run COMMAND with its stdout on a terminal
# COLUMNS wide (a pseudo-terminal), stdout in $WORK/out without the \r
# the terminal adds, stderr in $WORK/err; $tty_status is its exit status.
on_tty() {
	CHECKS=$((CHECKS + 1))
	python3 - "$WORK/out" "$@" 2>"$WORK/err" <<'PY'
import fcntl, os, pty, struct, subprocess, sys, termios
out, cols, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
master, slave = pty.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
child = subprocess.Popen(cmd, stdout=slave)
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:  # EIO: the terminal's other side is closed
        break
    if not chunk:
        break
    data += chunk
open(out, "wb").write(data.replace(b"\r\n", b"\n"))
sys.exit(child.wait())
PY
	tty_status=$?
}

# no_controls WHAT [ALLOW]: $WORK/out has no control character (C0 but
# newline and the bytes in ALLOW, DEL, C1) once newsquery's own styles
# (SGR and OSC 8 links) are taken out.
no_controls() {
	CHECKS=$((CHECKS + 1))
	python3 - "$WORK/out" "${2:-}" <<'PY' || fail "$1: a control character from an article is written"
import re, sys
data = open(sys.argv[1], "rb").read()
data = re.sub(rb"\x1b\[[0-9;]*m", b"", data)
data = re.sub(rb"\x1b\]8;;[\x20-\x7e]*\x1b\\", b"", data)
allow = b"\n" + sys.argv[2].encode().decode("unicode_escape").encode()
text = data.decode("utf-8")
bad = [c for c in text if (ord(c) < 0x20 and c.encode() not in allow)
       or 0x7f <= ord(c) < 0xa0]
assert not bad, (bad, text[:2000])
PY
}

# Every format, to a file and to a terminal.
for format in text json jsonl tsv urls paths; do
	expect_status 0 "--format $format" -- "$NEWSQUERY" --format "$format" --explain --facets topic,provider zqxescape
	no_controls "--format $format" '\t'
	on_tty 100 "$NEWSQUERY" --format "$format" --explain --facets topic,provider zqxescape
	[ "$tty_status" -eq 0 ] || fail "--format $format on a terminal: exit $tty_status"
	no_controls "--format $format on a terminal" '\t'
done
expect_status 0 "colours and links" -- "$NEWSQUERY" --color always --hyperlinks always --explain --facets topic,provider zqxescape
no_controls "--color always --hyperlinks always"
expect_match "$WORK/out" $'\033\\]8;;https://evil.example/%1B]0;url%07/x%C2%9By\033\\\\' "a link's target percent-encoded"
on_tty 100 "$NEWSQUERY" --format paths -0 zqxescape
no_controls "paths -0 on a terminal" '\0'

# How each format writes them (newsquery(1), OUTPUT), undone.
expect_status 0 "tsv" -- "$NEWSQUERY" --format tsv zqxescape
CHECKS=$((CHECKS + 1))
python3 - "$WORK/out" "$IN/escapes.txt" "$IN/$ESC_NAME" <<'PY' || fail "TSV fields are not undone to the article's"
import codecs, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1], "rb").read().decode().splitlines(True)]
undo = lambda field: codecs.escape_decode(field.encode())[0].decode()
titles = {undo(r[5]) for r in rows[1:]}
want = "Zqxescape \x1b]0;pwned\x07 title \x1b[31mred\x1b[0m \x9bc1 \x85 nel\x7f back\\slash"
assert want in titles, titles
assert any(undo(r[4]) == "Evil\x1b[5m Corp\x9b" for r in rows[1:]), rows
assert {undo(r[7]) for r in rows[1:]} == set(sys.argv[2:]), rows
PY
expect_status 0 "urls" -- "$NEWSQUERY" --format urls zqxescape
expect_line "$WORK/out" "https://evil.example/%1B]0;url%07/x%C2%9By" "URL percent-encoded"
expect_status 0 "paths" -- "$NEWSQUERY" --format paths zqxnamed
expect_line "$WORK/out" "$IN/name\\x1b]0;file\\x07.txt" "path escaped"
# With -0, to a program, the name is whole, for xargs -0.
expect_status 0 "paths -0" -- "$NEWSQUERY" --format paths -0 zqxnamed
CHECKS=$((CHECKS + 1))
# The article and its related record: one file.
[ "$(tr '\0' '\n' <"$WORK/out" | sort -u)" = "$IN/$ESC_NAME" ] ||
	fail "-0 does not give the name whole"
expect_status 0 "json" -- "$NEWSQUERY" --json zqxescape
CHECKS=$((CHECKS + 1))
python3 - "$WORK/out" <<'PY' || fail "JSON strings are not the article's"
import json, sys
d = json.load(open(sys.argv[1]))
titles = {r["title"] for r in d["results"]}
assert "Zqxescape \x1b]0;pwned\x07 title \x1b[31mred\x1b[0m \x9bc1 \x85 nel\x7f back\\slash" in titles, titles
PY

# ---- snippets on a terminal ------------------------------------------------
for width in 100 61 45; do
	on_tty "$width" "$NEWSQUERY" --limit 20 --color never oil OR sanctions OR election
	[ "$tty_status" -eq 0 ] || fail "text on a terminal: exit $tty_status"
	expect_no_match "$WORK/out" ' $' "no line ends with a space at $width columns"
	CHECKS=$((CHECKS + 1))
	python3 - "$WORK/out" "$width" <<'PY' || fail "snippet lines wider than $width columns"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
width = int(sys.argv[2])
# Snippet lines: indented, after the URL line.
snippets = [l for i, l in enumerate(lines) if l.startswith("    ")
            and i > 0 and lines[i - 1].startswith("    ") and "://" not in l
            and " · " not in l]
assert len(snippets) > 10, snippets
assert all(len(l) <= width for l in snippets), [l for l in snippets if len(l) > width]
PY
done

# ---- colour: auto on a terminal, but not a dumb one ----------------------
on_tty 100 env TERM=xterm "$NEWSQUERY" sanctions
expect_match "$WORK/out" $'\033\\[' "colour on a terminal"
on_tty 100 env TERM=dumb "$NEWSQUERY" sanctions
expect_no_match "$WORK/out" $'\033' "no colour on a dumb terminal"
on_tty 100 env TERM=dumb "$NEWSQUERY" --color always sanctions
expect_match "$WORK/out" $'\033\\[' "colour asked for on a dumb terminal"
finish
