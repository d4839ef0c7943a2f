# End to end: the config file sets defaults; options, and NEWSINDEX_DB
# for the index, win over it; a bad file stops both programs.
. "$(dirname "$0")/lib.sh"

CONFIG="$HOME/.config/newsindex/config.yaml"
mkdir -p "$(dirname "$CONFIG")"

# results_are N DESCRIPTION: the --json output in $WORK/out has N results.
results_are() {
	CHECKS=$((CHECKS + 1))
	local got
	got=$(python3 -c 'import json, sys
print(len(json.load(open(sys.argv[1]))["results"]))' "$WORK/out")
	[ "$got" = "$1" ] || fail "$2: $got results, wanted $1"
}

# The index named by db (~/ is HOME), used by build, stats and newsquery.
cat >"$CONFIG" <<'YAML'
# newsindex settings for the tests
db: ~/from-config   # not the XDG default
limit: 2
quality_weight: 0
color: always
YAML
expect_status 0 "build into the config's db" -- "$NEWSINDEX" build "$NI_TEST_SAMPLES"
expect_match "$WORK/out" "index $HOME/from-config holds 41 articles" "build uses db"
expect_status 0 "stats of the config's db" -- "$NEWSINDEX" stats
expect_match "$WORK/out" "^index: $HOME/from-config$" "stats uses db"
expect_status 0 "query the config's db" -- "$NEWSQUERY" --json year
results_are 2 "limit from the config"
CHECKS=$((CHECKS + 1))
python3 - "$WORK/out" <<'PY' || fail "quality_weight 0 from the config"
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    assert r["score"] == r["relevance"], r
PY
expect_status 0 "color from the config" -- "$NEWSQUERY" sanctions
expect_match "$WORK/out" $'\033\\[1m' "bold titles with color: always"

# Options win over the file.
expect_status 0 "--limit over limit" -- "$NEWSQUERY" --json --limit 4 year
results_are 4 "--limit wins"
expect_status 0 "--quality-weight over quality_weight" -- "$NEWSQUERY" --json --quality-weight 1 SenseTime sanctions
CHECKS=$((CHECKS + 1))
python3 - "$WORK/out" <<'PY' || fail "--quality-weight wins"
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
# The best match: quality adds a tenth of its relevance per 100 points.
assert abs(r["score"] - r["relevance"] * (1 + 0.1 * r["quality"] / 100)) < 1e-6, r
PY
expect_status 0 "--color over color" -- "$NEWSQUERY" --color never sanctions
expect_no_match "$WORK/out" $'\033' "no escapes with --color never"
expect_status 2 "--db over db" -- "$NEWSQUERY" --db "$WORK/none" sanctions
expect_match "$WORK/err" "no index at $WORK/none:" "--db wins for newsquery"
expect_status 0 "--db over db for build" -- "$NEWSINDEX" build --db "$WORK/flag-db" "$NI_TEST_SAMPLES"
expect_match "$WORK/out" "index $WORK/flag-db holds" "--db wins for build"
expect_status 0 "NEWSINDEX_DB over db" -- env NEWSINDEX_DB="$WORK/flag-db" "$NEWSINDEX" stats
expect_match "$WORK/out" "^index: $WORK/flag-db$" "NEWSINDEX_DB wins"

# feedback: false is --no-feedback; --feedback wins over it.
rm "$CONFIG"
Q="SenseTime stock sale"
expect_status 0 "with feedback" -- "$NEWSQUERY" --db "$WORK/flag-db" --json "$Q"
mv "$WORK/out" "$WORK/with-feedback"
expect_status 0 "--no-feedback" -- "$NEWSQUERY" --db "$WORK/flag-db" --json --no-feedback "$Q"
mv "$WORK/out" "$WORK/without-feedback"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/with-feedback" "$WORK/without-feedback" &&
	fail "feedback changes nothing for '$Q': the checks below prove nothing"
printf 'feedback: false\n' >"$CONFIG"
expect_status 0 "feedback: false" -- "$NEWSQUERY" --db "$WORK/flag-db" --json "$Q"
expect_same "feedback: false is --no-feedback" "$WORK/without-feedback" "$WORK/out"
expect_status 0 "--feedback over feedback: false" -- "$NEWSQUERY" --db "$WORK/flag-db" --json --feedback "$Q"
expect_same "--feedback wins" "$WORK/with-feedback" "$WORK/out"
printf 'feedback: yes\n' >"$CONFIG"
expect_status 2 "feedback: yes" -- "$NEWSQUERY" --db "$WORK/flag-db" "$Q"
expect_match "$WORK/err" "line 1 col 11: feedback: expected true or false, got \"yes\"$" "feedback: only true or false"
rm "$CONFIG"

# $NEWSINDEX_CONFIG names another file, which must then exist.
printf 'limit: 1\ndb: %s\n' "$WORK/flag-db" >"$WORK/other.yaml"
expect_status 0 "NEWSINDEX_CONFIG" -- env NEWSINDEX_CONFIG="$WORK/other.yaml" "$NEWSQUERY" --json year
results_are 1 "limit from NEWSINDEX_CONFIG's file"
expect_status 2 "missing NEWSINDEX_CONFIG" -- env NEWSINDEX_CONFIG="$WORK/nowhere.yaml" "$NEWSQUERY" sanctions
expect_match "$WORK/err" "^newsquery: $WORK/nowhere.yaml: No such file or directory$" "missing named file"
# $XDG_CONFIG_HOME moves the default file.
mkdir -p "$WORK/xdg/newsindex"
printf 'limit: 3\n' >"$WORK/xdg/newsindex/config.yaml"
expect_status 0 "XDG_CONFIG_HOME" -- env XDG_CONFIG_HOME="$WORK/xdg" NEWSINDEX_DB="$WORK/flag-db" "$NEWSQUERY" --json year
results_are 3 "limit from XDG_CONFIG_HOME's file"

# A bad file: exit 2, naming the file, the line and column, the problem;
# even with --db, so a typo never goes unnoticed.
printf 'db: ~/from-config\nlimt: 5\n' >"$CONFIG"
expect_status 2 "unknown setting, newsquery" -- "$NEWSQUERY" sanctions
expect_match "$WORK/err" "^newsquery: $CONFIG: line 2 col 1: unknown setting 'limt'$" "newsquery names the place"
expect_status 2 "unknown setting, build" -- "$NEWSINDEX" build --db "$WORK/flag-db" "$NI_TEST_SAMPLES"
expect_match "$WORK/err" "^newsindex: $CONFIG: line 2 col 1: unknown setting 'limt'$" "build names the place"
expect_status 2 "unknown setting, stats" -- "$NEWSINDEX" stats
expect_match "$WORK/err" "^newsindex: $CONFIG: line 2 col 1: unknown setting 'limt'$" "stats names the place"
printf 'limit: lots\n' >"$CONFIG"
expect_status 2 "bad limit" -- "$NEWSQUERY" --limit 5 sanctions
expect_match "$WORK/err" "line 1 col 8: limit: expected a whole number from 1 to 10000, got \"lots\"$" "bad value named"
printf 'color: [auto\n' >"$CONFIG"
expect_status 2 "invalid yaml" -- "$NEWSQUERY" sanctions
expect_match "$WORK/err" "^newsquery: $CONFIG: line [0-9]+ col [0-9]+: " "yaml error placed"
head -c 70000 /dev/zero | tr '\0' '#' >"$CONFIG"
expect_status 2 "too large" -- "$NEWSINDEX" stats
expect_match "$WORK/err" "^newsindex: $CONFIG: config file is larger than 64 KiB$" "size named"
# --help still works, so the user can read how to fix it.
expect_status 0 "newsquery --help with a bad file" -- "$NEWSQUERY" --help
expect_status 0 "build --help with a bad file" -- "$NEWSINDEX" build --help

# An empty file, or none, is no settings at all.
: >"$CONFIG"
expect_status 0 "empty file" -- "$NEWSINDEX" build "$NI_TEST_SAMPLES"
expect_match "$WORK/out" "index $HOME/\.local/share/newsindex holds" "default db again"
rm "$CONFIG"
expect_status 0 "no file" -- "$NEWSQUERY" --json year
results_are 10 "default limit again"

# Every setting newsquery reads is named where --help and newsquery(1)
# say what the file sets: by its option (--bm25-k1 for bm25_k1) or, when
# the names differ, by itself.
SOURCE_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
expect_status 0 "the settings newsquery reads are all listed" -- python3 - "$SOURCE_ROOT" "$NEWSQUERY" <<'PY'
import re, subprocess, sys
root, newsquery = sys.argv[1:]
src = open(f"{root}/lib/files/config.c").read()
names = re.findall(r"^\s*(?:TEXT|NUMBER)_SETTING\((\w+),", src, re.M)
# newsindex's alone, which newsindex(1) lists.
names = [n for n in names if n not in ("max_file_size", "max_field_words")]
assert len(names) >= 12, names
help_text = subprocess.run([newsquery, "--help"], capture_output=True,
                           text=True).stdout
man = open(f"{root}/docs/newsquery.1").read().replace("\\-", "-")
for where, text, pattern in (
        ("--help", help_text, r"The config file.*?options win"),
        ("newsquery.1", man, r"can change the defaults of.*?always wins")):
    listing = " ".join(re.search(pattern, text, re.S).group(0).split())
    missing = [n for n in names
               if "--" + n.replace("_", "-") not in listing and
               not re.search(rf"\b{n}\b", listing)]
    assert not missing, (where, missing)
PY
finish
