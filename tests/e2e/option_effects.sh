# End to end: what the ranking and output options do to the results, not
# only that they parse.  --bm25-k1, --bm25-b and --half-life reorder a
# small corpus made so that each flips the order of two articles the
# way BM25 and docs/ranking.md say; the config file's bm25_k1, bm25_b,
# recent_half_life_days, hyperlinks and facets do what their option
# does, and the option wins over them (docs/configuration.md); newsindex
# build --progress writes plain progress lines to a file, and without it
# a file gets none (newsindex(1)).
. "$(dirname "$0")/lib.sh"

CONFIG="$HOME/.config/newsindex/config.yaml"
mkdir -p "$(dirname "$CONFIG")"

# The same title, quality, topic and provider for all: only the excerpts
# (and, for --half-life, the dates) differ.  Filler words keep the
# lengths where the comments say.
python3 - "$WORK/src" <<'PY'
import datetime, os, sys
out = sys.argv[1]
os.makedirs(out)
now = datetime.datetime.now(datetime.timezone.utc)
filler = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet "
          "kilo lima mike november oscar papa").split()
def fill(n, k=0):
    return " ".join(filler[(i + k) % len(filler)] for i in range(n))
def article(name, excerpt, days_ago=400):
    date = (now - datetime.timedelta(days=days_ago)).strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    with open(os.path.join(out, name + ".txt"), "w") as f:
        f.write(f'---\ntitle: "Weekly notes"\nexcerpt: "{excerpt}"\n'
                f'webUrl: "https://rank.example/{name}"\nquality: 50\n'
                f"publishedDateTime: {date}\ntopics: [Notes]\n"
                "provider: {name: Example, domain: rank.example}\n---\n")
# k1: x says zorp five times; y says zorp once and quux, a commoner
# word (four more articles have it), once.  With k1 = 0 a word counts
# once however often it is repeated, so y's two words beat x's one;
# the larger k1, the more x's repeats count.
article("x", "zorp zorp zorp zorp zorp " + fill(5))
article("y", "zorp quux " + fill(8))
for i in range(4):
    article(f"q{i}", "quux " + fill(9, i))
# b: s is short and says vimble once, t is three times as long and
# says it twice.  b = 0 does not weigh length: t's two win; with b = 1
# length weighs in full, and t's length loses it.
article("s", "vimble " + fill(3))
article("t", "vimble vimble " + fill(30))
# --half-life: old (30 days ago) says grobnik twice, new (today) once.
# With --recent, a half-life of 10 years leaves old's lead in words
# (about 1.3 points) nearly whole (new gains 4 points, old 3.98); one
# of a day leaves old nothing (2^-30 of 4 points).
article("old", "grobnik grobnik " + fill(8), days_ago=30)
article("new", "grobnik " + fill(9), days_ago=0)
for i in range(10):
    article(f"f{i}", fill(10, i))
PY
DB="$WORK/db"
expect_status 0 "build" -- "$NEWSINDEX" build --db "$DB" "$WORK/src"


# ---- --bm25-k1 -----------------------------------------------------------------
expect_order "default k1 (1.6)" "x y" 'zorp OR quux'
expect_order "--bm25-k1 0" "y x" --bm25-k1 0 'zorp OR quux'
expect_order "--bm25-k1 100" "x y" --bm25-k1 100 'zorp OR quux'
# With k1 = 0, BM25 is each word's idf: y's is zorp's (x's) plus quux's
# (q0's).
expect_status 0 "--bm25-k1 0 --json" -- "$NEWSQUERY" --db "$DB" --json --bm25-k1 0 'zorp OR quux'
expect_json '(lambda r: abs(r["y"] - r["x"] - r["q0"]) < 1e-9 and r["x"] > r["q0"] > 0)({h["url"].rsplit("/", 1)[1]: h["relevance"] for h in d["results"]})' True \
	"k1 0: a word counts once however often it is said"

# ---- --bm25-b ------------------------------------------------------------------
expect_order "default b (0.75)" "s t" vimble
expect_order "--bm25-b 0" "t s" --bm25-b 0 vimble
expect_order "--bm25-b 1" "s t" --bm25-b 1 vimble

# ---- --half-life -----------------------------------------------------------------
expect_order "no --recent" "old new" grobnik
expect_order "--recent, default half-life (7)" "new old" --recent grobnik
expect_order "--recent --half-life 3650" "old new" --recent --half-life 3650 grobnik
expect_order "--recent --half-life 1" "new old" --recent --half-life 1 grobnik

# ---- the config file's settings do what the options do; options win -------
printf 'bm25_k1: 0\n' >"$CONFIG"
expect_order "bm25_k1: 0" "y x" 'zorp OR quux'
expect_order "--bm25-k1 100 over bm25_k1: 0" "x y" --bm25-k1 100 'zorp OR quux'
printf 'bm25_b: 0\n' >"$CONFIG"
expect_order "bm25_b: 0" "t s" vimble
expect_order "--bm25-b 1 over bm25_b: 0" "s t" --bm25-b 1 vimble
printf 'recent_half_life_days: 3650\n' >"$CONFIG"
expect_order "recent_half_life_days: 3650" "old new" --recent grobnik
expect_order "--half-life 1 over recent_half_life_days" "new old" --recent --half-life 1 grobnik
# Set together, each is used (the JSON of the same options, to the score).
printf 'bm25_k1: 100\nbm25_b: 0\nrecent_half_life_days: 3650\n' >"$CONFIG"
expect_status 0 "all three from the config" -- "$NEWSQUERY" --db "$DB" --json --recent 'zorp OR vimble OR grobnik'
sed 's/"took_ms":[0-9.]*//' "$WORK/out" >"$WORK/from-config"
rm "$CONFIG"
expect_status 0 "all three as options" -- "$NEWSQUERY" --db "$DB" --json --recent --bm25-k1 100 --bm25-b 0 --half-life 3650 'zorp OR vimble OR grobnik'
sed 's/"took_ms":[0-9.]*//' "$WORK/out" >"$WORK/from-options"
expect_same "the config's three are the options" "$WORK/from-options" "$WORK/from-config"
expect_status 0 "the defaults" -- "$NEWSQUERY" --db "$DB" --json --recent 'zorp OR vimble OR grobnik'
sed 's/"took_ms":[0-9.]*//' "$WORK/out" >"$WORK/defaults"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/defaults" "$WORK/from-options" &&
	fail "the three options change nothing here: the check above proves nothing"

# ---- hyperlinks: OSC 8 around the URL -------------------------------------------
OSC8=$'\033]8;;https://rank\\.example/'
# expect_links WHAT yes|no [ENV=VALUE...] -- NEWSQUERY-OPTIONS...
expect_links() {
	local what=$1 want=$2
	shift 2
	local env=()
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	expect_status 0 "$what" -- env "${env[@]}" "$NEWSQUERY" --db "$DB" --limit 1 "$@" grobnik
	if [ "$want" = yes ]; then
		expect_match "$WORK/out" "$OSC8" "$what: a link"
	else
		expect_match "$WORK/out" $'^    (\033\\[4m)?https://rank\\.example/old' "$what: the URL"
		expect_no_match "$WORK/out" $'\033]8;' "$what: no link"
	fi
}
expect_links "--hyperlinks always, without colour" yes -- --color never --hyperlinks always
expect_links "--hyperlinks never, with colour" no TERM=xterm -- --color always --hyperlinks never
expect_links "auto: with colour" yes TERM=xterm -- --color always
expect_links "auto: without colour" no TERM=xterm -- --color never
expect_links "auto: TERM=dumb" no TERM=dumb -- --color always
expect_links "auto: TERM=linux" no TERM=linux -- --color always
printf 'hyperlinks: always\n' >"$CONFIG"
expect_links "hyperlinks: always" yes -- --color never
expect_links "--hyperlinks never over hyperlinks: always" no -- --color never --hyperlinks never
printf 'hyperlinks: never\n' >"$CONFIG"
expect_links "hyperlinks: never, with colour" no TERM=xterm -- --color always
expect_links "--hyperlinks always over hyperlinks: never" yes -- --hyperlinks always
printf 'hyperlinks: never\ncolor: always\n' >"$CONFIG"
expect_links "--hyperlinks auto over hyperlinks: never" yes TERM=xterm -- --hyperlinks auto
rm "$CONFIG"

# ---- facets: counted and shown as if asked for --------------------------------
expect_status 0 "no facets" -- "$NEWSQUERY" --db "$DB" --limit 1 grobnik
expect_no_match "$WORK/out" '^(topic|provider|month): ' "none asked for, none shown"
printf 'facets: topic\n' >"$CONFIG"
expect_status 0 "facets: topic" -- "$NEWSQUERY" --db "$DB" --limit 1 grobnik
expect_line "$WORK/out" "topic: Notes 2" "the config's facet, over all matches"
expect_no_match "$WORK/out" '^(provider|month): ' "only the config's facet"
expect_status 0 "facets: topic, JSON" -- "$NEWSQUERY" --db "$DB" --json --limit 1 grobnik
expect_json 'd["facets"]' "{'topic': [{'value': 'Notes', 'count': 2}]}" "JSON: the config's facet"
expect_status 0 "--facets provider over facets: topic" -- "$NEWSQUERY" --db "$DB" --limit 1 --facets provider grobnik
expect_line "$WORK/out" "provider: Example 2" "the option's facet"
expect_no_match "$WORK/out" '^topic: ' "the option wins over the config"
printf 'facets:\n  - provider\n  - month\n' >"$CONFIG"
expect_status 0 "facets as a list" -- "$NEWSQUERY" --db "$DB" --json --limit 1 grobnik
expect_json 'sorted(d["facets"])' "['month', 'provider']" "a list of facets"
printf 'facets: colour\n' >"$CONFIG"
expect_status 2 "facets: colour" -- "$NEWSQUERY" --db "$DB" grobnik
expect_only_line "$WORK/err" "newsquery: config facets: 'colour' is not a facet (topic, provider, month)" "an unknown facet in the config"
rm "$CONFIG"

# ---- newsindex build --progress ---------------------------------------------------
make_articles "$WORK/many" 300
expect_status 0 "a build to a file, without --progress" -- "$NEWSINDEX" build -j 1 --db "$WORK/quiet" "$WORK/many"
expect_no_match "$WORK/err" 'progress' "no progress line in a file"
expect_status 0 "a build to a file, with --progress" -- "$NEWSINDEX" build --progress -j 1 --db "$WORK/loud" "$WORK/many"
expect_match "$WORK/err" '^progress: [0-9]+/300 files' "a progress line with --progress"
expect_no_match "$WORK/err" $'[\r\033]' "plain lines: no carriage return nor escape"

finish
