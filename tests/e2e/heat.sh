# End to end: heat (docs/ranking.md, "Heat"; docs/query-syntax.md): the
# heat: filter and --sort heat, and that unknown heat (-1, or none)
# never counts as low: no heat: range matches it, and sorted by heat it
# comes after every known heat, not among the cold.
. "$(dirname "$0")/lib.sh"

python3 - "$WORK/src" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(out)
def article(name, heat, words="comet"):
    line = "" if heat is None else f"heat: {heat}\n"
    with open(os.path.join(out, name + ".txt"), "w") as f:
        f.write(f'---\ntitle: "A {words} seen from {name}"\n'
                f'excerpt: "Observers at {name} saw the {words} at dawn."\n'
                f'webUrl: "https://rank.example/{name}"\n{line}'
                "quality: 50\n---\n")
article("hot", 57)
article("warm", 12)
article("cold", 0)
article("unknown", -1)
article("none", None)
# More relevant than any (the word twice), of unknown heat.
article("twice", -1, "comet comet")
PY
DB="$WORK/db"
expect_status 0 "build" -- "$NEWSINDEX" build --db "$DB" "$WORK/src"

# ---- heat: ranges never reach unknown heat ------------------------------------
expect_set "heat:<5" "cold" 'comet heat:<5'
expect_set "heat:<=12" "cold warm" 'comet heat:<=12'
expect_set "heat:>=10" "hot warm" 'comet heat:>=10'
expect_set "heat:0.." "cold hot warm" 'comet heat:0..'
expect_set "heat:12" "warm" 'comet heat:12'
# Above 100, unlike quality:.
expect_set "heat:..1000" "cold hot warm" 'comet heat:..1000'
expect_set "not cold" "hot none twice unknown warm" 'comet -heat:<5'
expect_status 2 "heat: a word" -- "$NEWSQUERY" --db "$DB" --strict-syntax 'heat:lots'
expect_line "$WORK/err" "newsquery: heat: takes a number from 0 up, a comparison (>=10) or a range (10..50)" \
	"heat: error said"

# ---- --sort heat: hottest first, unknown after every known --------------------
# twice is the most relevant, and unknown: last of the known, then first
# of the unknown, by relevance.
expect_order "sort heat" "hot warm cold twice" --sort heat comet
expect_order "relevance" "twice" comet

# ---- JSON: heat, null when unknown -------------------------------------------
expect_status 0 "json heat" -- "$NEWSQUERY" --db "$DB" --json --sort heat comet
expect_json '[(r["url"].rsplit("/", 1)[1], r["heat"]) for r in d["results"]][:4]' \
	"[('hot', 57), ('warm', 12), ('cold', 0), ('twice', None)]" "JSON heat"
expect_json 'sorted(r["url"].rsplit("/", 1)[1] for r in d["results"] if r["heat"] is None)' \
	"['none', 'twice', 'unknown']" "unknown heat is null"

finish
