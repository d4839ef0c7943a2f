# End to end: front matter with anchors and aliases, as PyYAML's dumper
# writes an object used twice (docs/architecture.md, "Hostile input"):
# newsindex reads it as PyYAML reads it back, and an alias to no anchor
# skips the file as invalid YAML, placed at the alias.
. "$(dirname "$0")/lib.sh"

SRC="$WORK/src"
mkdir -p "$SRC"
python3 - "$SRC" <<'PY'
import os, sys, yaml
out = sys.argv[1]

def write(name, data, dumper=yaml.Dumper):
    text = yaml.dump(data, Dumper=dumper, sort_keys=False)
    with open(os.path.join(out, name), "w") as f:
        f.write("---\n" + text + "---\n")
    return text

# Lists and mappings used twice: &id001 where first written, *id001 after.
topics = ["Shipping", "Docks"]
provider = {"name": "Port News", "domain": "port.example"}
strike = {"title": "Dock strike ends", "webUrl": "https://port.example/strike",
          "provider": provider}
text = write("cranes.txt", {
    "title": "Harbour cranes return",
    "topics": topics,
    "provider": provider,
    "related": [strike, {"title": "Quay reopens",
                         "webUrl": "https://port.example/quay",
                         "provider": provider}],
    "webUrl": "https://port.example/cranes",
    "shared": {"topics": topics, "again": strike},
})
assert "*id001" in text and "&id001" in text, text

# Scalars too, from a dumper that anchors everything used twice.
class Anchoring(yaml.Dumper):
    def ignore_aliases(self, data):
        return data is None or isinstance(data, bool)
title = "Tugboat crews vote"
text = write("tugs.txt", {"title": title, "excerpt": title,
                          "topics": [title, "Unions"],
                          "webUrl": "https://port.example/tugs"},
             Anchoring)
assert "excerpt: *id001" in text, text

with open(os.path.join(out, "undefined.txt"), "w") as f:
    f.write("---\ntitle: Ferry timetable\nexcerpt:  *nope\n---\n")
PY

DB="$WORK/db"
expect_status 0 "build" -- "$NEWSINDEX" build --db "$DB" "$SRC"
expect_line "$WORK/err" "$SRC/undefined.txt: line 3 col 11: found undefined alias *nope" \
	"undefined alias named, at the alias"
expect_no_match "$WORK/err" "warning" "no alias refused in PyYAML's files"

# Each indexed article reads as PyYAML reads its file: the fields the
# JSON shows, and the related records (their own documents).
check() {  # check QUERY FILE: the result whose path or url is FILE's
	CHECKS=$((CHECKS + 1))
	"$NEWSQUERY" --db "$DB" --json "$1" >"$WORK/out" 2>"$WORK/err" ||
		fail "query '$1' failed"
	python3 - "$WORK/out" "$SRC" "$2" <<'PY' || fail "'$1': not as PyYAML reads $2"
import json, os, sys, yaml
results = json.load(open(sys.argv[1]))["results"]
src, name = sys.argv[2], sys.argv[3]
doc = yaml.safe_load(open(os.path.join(src, name)).read().split("---\n")[1])
def same(result, record, topics):
    assert result["title"] == record["title"], (result, record)
    assert result["excerpt"] == record.get("excerpt"), (result, record)
    if topics:
        assert result["topics"] == record["topics"], (result, record)
    provider = record.get("provider", {})
    assert result["provider"]["name"] == provider.get("name"), result
    assert result["provider"]["domain"] == provider.get("domain"), result
by_url = {r["url"]: r for r in results}
same(by_url[doc["webUrl"]], doc, True)
for related in doc.get("related", []):
    same(by_url[related["webUrl"]], related, False)
PY
}
check "cranes OR strike OR quay" cranes.txt
check "tugboat" tugs.txt
expect_status 1 "not the undefined (exit 1: nothing found)" -- \
	"$NEWSQUERY" --db "$DB" --count ferry
expect_only_line "$WORK/out" "0" "a file with an undefined alias is skipped"

finish
