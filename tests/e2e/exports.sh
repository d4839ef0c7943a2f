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
# Lines ended by CR alone, as classic Mac OS tools save text.
printf -- '---\rtitle: Classic Mac harbour note\rwebUrl: https://tools.example/mac\r---\rBody.\r' >"$SRC/mac.txt"
# Long values as block scalars (Jekyll, Hugo), which end in a line break.
printf -- '---\ntitle: >\n  Folded harbour headline\n  of a long post\nexcerpt: |\n  Line one.\n  Line two.\nwebUrl: https://tools.example/folded\n---\n' >"$SRC/folded.md"
# Topics written by hand as one line with commas.
printf -- '---\ntitle: Hand tagged harbour story\ntopics: Shipping, Port strikes\nwebUrl: https://tools.example/tagged\n---\n' >"$SRC/tagged.md"
# A provider and an image written as plain text, as a hand-kept site does.
printf -- '---\ntitle: Plain provider harbour story\nprovider: Nikkei.com\nimages: https://img.example/p.jpg\nwebUrl: https://tools.example/plain\n---\n' >"$SRC/plain.md"
# Dates as Jekyll writes them, and PyYAML's yaml.dump of a datetime.
printf -- '---\ntitle: Jekyll harbour post\npublishedDateTime: 2021-12-09 10:00:00 +0800\nwebUrl: https://tools.example/jekyll\n---\n' >"$SRC/jekyll.md"
python3 - "$SRC" <<'PY'
import datetime, os, sys, yaml
when = datetime.datetime(2021, 12, 9, 2, 0, tzinfo=datetime.timezone.utc)
text = yaml.dump({"title": "PyYAML harbour post", "publishedDateTime": when,
                  "webUrl": "https://tools.example/pyyaml"})
assert "2021-12-09 02:00:00+00:00" in text, text
open(os.path.join(sys.argv[1], "pyyaml.md"), "w").write("---\n" + text + "---\n")
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

expect_no_match "$WORK/build-err" "mac.txt" "a file of CR line ends read"
expect_status 0 "CR file found" -- "$NEWSQUERY" --db "$DB" --json classic
expect_json '[(r["title"], r["url"]) for r in d["results"]]' \
	"[('Classic Mac harbour note', 'https://tools.example/mac')]" \
	"the fields of a file of CR line ends"

expect_status 0 "folded title" -- "$NEWSQUERY" --db "$DB" --json headline
expect_json '[(r["title"], r["excerpt"]) for r in d["results"]]' \
	"[('Folded harbour headline of a long post', 'Line one.\\nLine two.')]" \
	"block scalars without their last line break"
expect_status 0 "folded title, text" -- "$NEWSQUERY" --db "$DB" --color never headline
expect_line "$WORK/out" " 1. Folded harbour headline of a long post" \
	"no stray character after the title"

expect_status 0 "a topic of a hand-written list" -- "$NEWSQUERY" --db "$DB" \
	--json 'topic:"port strikes"'
expect_json '[(r["url"], r["topics"]) for r in d["results"]]' \
	"[('https://tools.example/tagged', ['Shipping', 'Port strikes'])]" \
	"topics: a, b is two topics"

expect_no_match "$WORK/build-err" "plain.md" "no warning of plain values"
expect_status 0 "a provider written as text" -- "$NEWSQUERY" --db "$DB" \
	--json 'harbour site:nikkei.com'
expect_json '[(r["url"], r["provider"], r["image"]["url"]) for r in d["results"]]' \
	"[('https://tools.example/plain', {'name': 'Nikkei.com', 'domain': 'nikkei.com'}, 'https://img.example/p.jpg')]" \
	"provider: NAME and images: URL read"

expect_no_match "$WORK/build-err" "jekyll|pyyaml" "no warning of the dates"
expect_status 0 "dated posts found" -- "$NEWSQUERY" --db "$DB" --json \
	harbour date:2021-12-09
expect_json 'sorted((r["url"], r["date"]) for r in d["results"])' \
	"[('https://tools.example/jekyll', '2021-12-09T02:00:00Z'), ('https://tools.example/pyyaml', '2021-12-09T02:00:00Z')]" \
	"Jekyll's and PyYAML's dates, in UTC"

finish
