# End to end: article files as other tools write them (docs/newsindex.1,
# DESCRIPTION): each is indexed with the fields as written, or named on
# stderr with why not.  One case per file, each a way a real tool saves.
. "$(dirname "$0")/lib.sh"

SRC="$WORK/src"
DB="$WORK/db"
mkdir -p "$SRC"
# Windows tools save UTF-16 with a byte order mark: PowerShell 5's
# Out-File and '>', Notepad's "Unicode" (little-endian), its "Unicode
# big endian"; UTF-32 is rarer but marked the same way.
python3 - "$SRC" <<'PY'
import os, sys
text = ("---\ntitle: Caf\u00e9 owners protest \U0001F600\n"
        "webUrl: https://tools.example/%s\n---\nBody.\n")
for name, codec in [("powershell", "utf-16"), ("notepad-be", "utf-16-be"),
                    ("utf32", "utf-32")]:
    data = (text % name).encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    open(os.path.join(sys.argv[1], name + ".txt"), "wb").write(data)
# Without a mark nothing is guessed: binary data, for its NUL bytes.
open(os.path.join(sys.argv[1], "unmarked.txt"), "wb").write(
    (text % "unmarked").encode("utf-16-le"))
PY

expect_status 0 "build" -- "$NEWSINDEX" build --db "$DB" "$SRC"
cp "$WORK/err" "$WORK/build-err"
expect_line "$WORK/build-err" "$SRC/unmarked.txt: binary data (a NUL byte at byte 2), not a text file" \
	"UTF-16 without a mark is binary"
for name in powershell notepad-be utf32; do
	expect_status 0 "$name found" -- "$NEWSQUERY" --db "$DB" --json \
		"url:https://tools.example/$name"
	expect_json '[r["title"] for r in d["results"]]' \
		"['Café owners protest 😀']" "$name: the title as written"
done
expect_no_match "$WORK/build-err" "powershell|notepad|utf32" \
	"no word of the marked files"

finish
