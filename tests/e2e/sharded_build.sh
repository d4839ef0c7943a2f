# End to end: `newsindex build --shards 3` gives the same answers as one
# index built from the same files (documents, order and scores, feedback
# on), after a first build and after incremental builds; its shards
# served by xapian-tcpsrv answer the same; a server stopped is named, and
# --allow-partial returns what the others have.  Also the refusals that
# keep articles where their key's hash placed them.
. "$(dirname "$0")/lib.sh"


# make_newsroom DIR N: N articles of varied words (fixed seed), so few
# results tie; related records that point to other articles, and to
# wire stories several articles list with their own excerpts (which one
# is kept must not depend on the layout); some without a URL.
make_newsroom() {
	python3 - "$1" "$2" <<'PY'
import os, random, sys
out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
words = """market markets price prices oil gas energy power grid solar wind
storm flood rain drought harvest wheat corn coffee sugar trade tariff
export import border port ship shipping rail train airline airport
flight pilot union strike wage workers factory plant chip chips
software cloud data privacy court judge ruling appeal law senate vote
election campaign minister president parliament budget tax debt bond
bank rates inflation currency euro dollar yen stocks shares investor
merger deal startup founder profit loss quarter earnings forecast
school teacher hospital doctor vaccine virus health research science
space rocket satellite moon mission climate carbon forest river ocean
city housing rent mayor police fire bridge road football league coach
final championship olympic record film music festival museum art""".split()
topics = ["Markets", "Energy", "Politics", "Technology", "Health",
          "Science", "Sports", "Culture"]
providers = [("Daily Wire", "dailywire.example"), ("Metro Post", "metro.example"),
             ("Globe Times", "globe.example"), ("Harbor News", "harbor.example")]
def text(lo, hi):
    return " ".join(rng.choice(words) for _ in range(rng.randint(lo, hi)))
os.makedirs(out, exist_ok=True)
for i in range(n):
    name, domain = rng.choice(providers)
    lines = ["---",
             f'title: "{text(4, 9).capitalize()}"',
             f'excerpt: "{text(15, 35).capitalize()}."',
             f"quality: {rng.randint(0, 100)}",
             f"publishedDateTime: 2024-{rng.randint(1, 12):02d}-"
             f"{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00Z",
             f"topics: [{', '.join(rng.sample(topics, rng.randint(1, 2)))}]",
             f'provider: {{name: "{name}", domain: {domain}}}']
    if rng.random() > 0.05:
        lines.append(f'webUrl: "https://{domain}/{i}"')
    related = []
    for _ in range(rng.randint(0, 3)):
        if rng.random() < 0.5:
            j = rng.randrange(n)
            url = f"https://{providers[j % 4][1]}/{j}"
        else:
            url = f"https://wire.example/{rng.randrange(40)}"
        related.append(f'  - {{title: "{text(3, 6)}", '
                       f'excerpt: "{text(6, 12)} as told in {i}", '
                       f'webUrl: "{url}", quality: {rng.randint(0, 100)}}}')
    if related:
        lines.append("related:")
        lines.extend(related)
    lines.append("---")
    with open(os.path.join(out, f"{i:05d}.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
PY
}

QUERIES=(oil "oil prices" "storm flood" "\"grid power\"" "title:election"
	 "bank rates inflation" "vaccine OR virus" "court -appeal"
	 "topic:sports final" "provider:metro.example markets"
	 "rocket NEAR moon" "date:2024-03..2024-06 trade" "quality:>80 data"
	 "wire story" "festival museum art" "coffee sugar wheat"
	 "startup founder deal" "chips AND factory" "housing rent mayor"
	 "told in 1234")

# answers DB ARGS...: the top 20 of every query, as newsquery prints them
# (rank, score, date, quality, provider, title, URL, path).
answers() {
	local db=$1 q
	shift
	for q in "${QUERIES[@]}"; do
		echo "== $q"
		"$NEWSQUERY" --db "$db" --format tsv --limit 20 "$@" -- "$q"
	done
}

# same_answers DB WHAT ARGS...: DB answers every query as the one index.
same_answers() {
	local db=$1 what=$2
	shift 2
	CHECKS=$((CHECKS + 1))
	answers "$db" "$@" >"$WORK/got" 2>&1
	answers "$WORK/one" "$@" >"$WORK/want" 2>&1
	if [ "$(grep -c '^[0-9]' "$WORK/want")" -lt 200 ]; then
		fail "$what: the one index answers too little to compare"
	elif ! cmp -s "$WORK/got" "$WORK/want"; then
		fail "$what: answers differ from one index"
		diff "$WORK/got" "$WORK/want" | head -20 | sed 's/^/  /' >&2
	fi
}

# A page, facets and totals.
summary() {
	"$NEWSQUERY" --db "$1" --format json --offset 15 --limit 10 \
		--facets topic,provider,month markets |
		python3 -c 'import json, sys; r = json.load(sys.stdin)
print(r["total"], [(h["url"], h["score"]) for h in r["results"]], r["facets"])'
}

make_newsroom "$WORK/src" 3000
SRC=$WORK/src

# ---- a first build (parallel: 3,000 files) -------------------------------
expect_status 0 "one index" -- "$NEWSINDEX" build --db "$WORK/one" "$SRC"
expect_match "$WORK/out" "holds 3000 articles and [0-9]+ related records$" "one index: its summary"
sed 's/ in [0-9.]* s ([0-9]* files\/s)//; s/index [^ ]* holds/holds/' "$WORK/out" >"$WORK/one.summary"
expect_status 0 "3 shards" -- "$NEWSINDEX" build --shards 3 --db "$WORK/three" "$SRC"
expect_match "$WORK/out" " in 3 shards$" "the summary says how many shards"
CHECKS=$((CHECKS + 1))
sed 's/ in [0-9.]* s ([0-9]* files\/s)//; s/index [^ ]* holds/holds/; s/ in 3 shards$//' "$WORK/out" |
	cmp -s - "$WORK/one.summary" || fail "3 shards: counts differ from one index"
CHECKS=$((CHECKS + 1))
[ -f "$WORK/three/XAPIANDB" ] && [ -d "$WORK/three/shard-3" ] && [ ! -e "$WORK/three/shard-4" ] ||
	fail "3 shards: not a folder of XAPIANDB and shard-1..3"
expect_match "$WORK/three/XAPIANDB" "^auto shard-2$" "the stub lists the shards"
same_answers "$WORK/three" "3 shards, first build"
same_answers "$WORK/three" "3 shards, first build, --all" --all
CHECKS=$((CHECKS + 1))
summary "$WORK/three" >"$WORK/got"
summary "$WORK/one" >"$WORK/want"
[ -s "$WORK/want" ] && cmp -s "$WORK/got" "$WORK/want" ||
	fail "3 shards: a page, facets or total differ from one index"
# Xapian's own tools read the folder as one database too.
if have xapian-delve "xapian-delve reading the sharded folder"; then
	# Each read, and found a count (set -o pipefail: delve's status).
	CHECKS=$((CHECKS + 1))
	delve_three=$(set -o pipefail; xapian-delve "$WORK/three" | grep 'number of documents') &&
	delve_one=$(set -o pipefail; xapian-delve "$WORK/one" | grep 'number of documents') &&
	[ "$delve_three" = "$delve_one" ] ||
		fail "xapian-delve counts other documents in the shards: '${delve_three:-}' beside '${delve_one:-}'"
fi

# Every shard holds a share; stats and check know them.
expect_status 0 "stats of 3 shards" -- "$NEWSINDEX" stats --db "$WORK/three"
expect_line "$WORK/out" "shards: 3" "stats: the number of shards"
for s in 1 2 3; do
	expect_match "$WORK/out" "^shard: shard $s of $WORK/three \(line $((s + 2))\), auto shard-$s: articles [0-9]{3,}, related records [0-9]+$" "stats: shard $s holds a share"
done
expect_status 0 "check of 3 shards" -- "$NEWSINDEX" check --db "$WORK/three"
expect_line "$WORK/out" "check: $WORK/three/shard-2: no problems" "check: each shard"
expect_line "$WORK/out" "check: $WORK/three: no problems in its local shards, nor across them" "check: the whole"

# ---- incremental builds ----------------------------------------------------
# Changed, deleted, new, and URLs changed (their keys move shard).
python3 - "$SRC" <<'PY'
import os, re, sys
src = sys.argv[1]
for i in range(0, 3000, 97):          # changed excerpts
    p = os.path.join(src, f"{i:05d}.md")
    t = open(p).read().replace('excerpt: "', 'excerpt: "Revised oil storm ', 1)
    open(p, "w").write(t)
for i in range(5, 3000, 211):         # moved URLs
    p = os.path.join(src, f"{i:05d}.md")
    t = re.sub(r'webUrl: "[^"]*"', f'webUrl: "https://moved.example/{i}"', open(p).read())
    open(p, "w").write(t)
for i in range(7, 3000, 149):         # deleted
    os.remove(os.path.join(src, f"{i:05d}.md"))
for i in range(3000, 3030):           # new, copies of old ones
    t = open(os.path.join(src, f"{i - 2990:05d}.md")).read()
    t = re.sub(r'webUrl: "[^"]*"', f'webUrl: "https://new.example/{i}"', t)
    open(os.path.join(src, f"{i:05d}.md"), "w").write(t)
PY
expect_status 0 "one index, again" -- "$NEWSINDEX" build --db "$WORK/one"
sed 's/ in [0-9.]* s ([0-9]* files\/s)//; s/index [^ ]* holds/holds/' "$WORK/out" >"$WORK/one.summary"
expect_match "$WORK/one.summary" "^added 30, updated [0-9]+, unchanged [0-9]+, deleted 21," "one index: the changes"
expect_status 0 "3 shards, again" -- "$NEWSINDEX" build --db "$WORK/three"
CHECKS=$((CHECKS + 1))
sed 's/ in [0-9.]* s ([0-9]* files\/s)//; s/index [^ ]* holds/holds/; s/ in 3 shards$//' "$WORK/out" |
	cmp -s - "$WORK/one.summary" || fail "3 shards, incremental: counts differ from one index"
same_answers "$WORK/three" "3 shards, incremental"
expect_status 0 "check after the changes" -- "$NEWSINDEX" check --db "$WORK/three"
expect_status 0 "a moved URL" -- "$NEWSQUERY" --db "$WORK/three" --format paths -- "url:https://moved.example/216"
expect_line "$WORK/out" "$SRC/00216.md" "a moved URL is found under its new key"
expect_status 1 "its old URL" -- "$NEWSQUERY" --db "$WORK/three" --format paths -- "url:https://metro.example/216" "url:https://dailywire.example/216" "url:https://globe.example/216" "url:https://harbor.example/216"
expect_status 0 "nothing changed" -- "$NEWSINDEX" build --db "$WORK/three"
expect_match "$WORK/out" "^added 0, updated 0, unchanged 3009, deleted 0," "a build with nothing to do"
# forget works across shards.
expect_status 0 "forget" -- "$NEWSINDEX" forget --db "$WORK/three" "$SRC"
expect_line "$WORK/out" "forgot 1 source, deleted 3009 articles" "forget: every article"
expect_status 0 "stats after forget" -- "$NEWSINDEX" stats --db "$WORK/three"
expect_line "$WORK/out" "articles: 0" "forget: no article left"
expect_line "$WORK/out" "related records: 0" "forget: no related record left"
expect_status 0 "build after forget" -- "$NEWSINDEX" build --db "$WORK/three" "$SRC"
# A first build again, so compared with one index built from scratch:
# a related record several articles list is restored only when the
# article that lists it is indexed again (docs/schema.md), so updates
# may keep fewer than a first build.
expect_status 0 "one index, rebuilt" -- "$NEWSINDEX" build --rebuild --db "$WORK/one"
same_answers "$WORK/three" "3 shards, built again after forget"

# ---- what keeps articles in place --------------------------------------------
expect_status 2 "another number of shards" -- "$NEWSINDEX" build --shards 2 --db "$WORK/three"
expect_match "$WORK/err" "index $WORK/three has 3 shards, not 2: .*'newsindex build --rebuild --shards 2 --db $WORK/three'" "the way to reshard is said"
expect_status 2 "shards on one index" -- "$NEWSINDEX" build --shards 3 --db "$WORK/one"
expect_match "$WORK/err" "index $WORK/one has 1 shard, not 3" "one index is not sharded by a flag"
expect_status 2 "--shards 0" -- "$NEWSINDEX" build --shards 0 --db "$WORK/x" "$SRC"
expect_match "$WORK/err" "^newsindex: --shards: '0' is not a number from 1 to 64$" "--shards 0 is refused"
# An empty folder made for the index is where it goes.
mkdir "$WORK/made"
expect_status 0 "--shards into an empty folder" -- "$NEWSINDEX" build --shards 2 --db "$WORK/made" "$NI_TEST_SAMPLES"
expect_match "$WORK/out" " in 2 shards$" "an empty folder becomes a sharded index"
# A stub whose shards are listed in another order would put updates
# beside their old copies: refused for writing, fine for reading.
cp "$WORK/three/XAPIANDB" "$WORK/stub.orig"
printf 'auto shard-2\nauto shard-1\nauto shard-3\n' >"$WORK/three/XAPIANDB"
expect_status 1 "a reordered stub" -- "$NEWSINDEX" build --db "$WORK/three"
expect_match "$WORK/err" "shard 1 of $WORK/three \(line 1\), auto shard-2: it holds shard 2/3 of a sharded index built by newsindex, not shard 1/3; .*restore it" "the shard out of place is named"
expect_status 0 "a reordered stub, read" -- "$NEWSQUERY" --db "$WORK/three" oil
cp "$WORK/stub.orig" "$WORK/three/XAPIANDB"
# A stub file of its own is for searching: its shards may be anywhere.
printf 'auto %s\n' "$WORK/three/shard-1" "$WORK/three/shard-2" "$WORK/three/shard-3" >"$WORK/file.stub"
expect_status 1 "building a stub file" -- "$NEWSINDEX" build --db "$WORK/file.stub" "$SRC"
expect_match "$WORK/err" "$WORK/file.stub is a stub file listing shards" "a stub file is not built"
same_answers "$WORK/file.stub" "a stub file of the shards"

# ---- remote shards -----------------------------------------------------------
if have xapian-tcpsrv "remote shards"; then
	serve_shards "$WORK/remote.stub" "$WORK/three/shard-1" "$WORK/three/shard-2" "$WORK/three/shard-3"
	same_answers "$WORK/remote.stub" "3 remote shards"
	expect_status 0 "stats of remote shards" -- "$NEWSINDEX" stats --db "$WORK/remote.stub"
	expect_line "$WORK/out" "articles: 3009" "stats: remote shards add up"

	printf 'auto %s\n' "$WORK/three/shard-1" "$WORK/three/shard-3" >"$WORK/two.stub"
	stop_second_shard "$WORK/remote.stub" "$WORK/two.stub" oil
fi

# ---- resharding and compacting -----------------------------------------------
expect_status 0 "reshard to 2" -- "$NEWSINDEX" build --rebuild --shards 2 --db "$WORK/three"
expect_match "$WORK/out" " in 2 shards$" "resharded to 2"
CHECKS=$((CHECKS + 1))
[ ! -e "$WORK/three/shard-3" ] || fail "resharding left the third shard"
same_answers "$WORK/three" "2 shards after --rebuild"
expect_status 0 "compact 2 shards" -- "$NEWSINDEX" compact --db "$WORK/three"
expect_match "$WORK/out" "^compacted $WORK/three: " "compacted"
same_answers "$WORK/three" "2 shards after compact"
expect_status 0 "check after compact" -- "$NEWSINDEX" check --db "$WORK/three"
expect_status 0 "back to one index" -- "$NEWSINDEX" build --rebuild --shards 1 --db "$WORK/three"
CHECKS=$((CHECKS + 1))
[ ! -e "$WORK/three/XAPIANDB" ] && [ -f "$WORK/three/iamglass" ] ||
	fail "--rebuild --shards 1 did not make one index"
same_answers "$WORK/three" "one index again"

finish
