# End to end: heat (docs/ranking.md, "Heat"; docs/query-syntax.md): the
# heat: filter and --sort heat, and that unknown heat (-1, or none)
# never counts as low: no heat: range matches it, and sorted by heat it
# comes after every known heat, not among the cold.
. "$(dirname "$0")/lib.sh"

python3 - "$WORK/src" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(out)
def article(name, heat, words="comet", quality="quality: 50\n"):
    line = "" if heat is None else f"heat: {heat}\n"
    with open(os.path.join(out, name + ".txt"), "w") as f:
        f.write(f'---\ntitle: "A {words} seen from {name}"\n'
                f'excerpt: "Observers at {name} saw the {words} at dawn."\n'
                f'webUrl: "https://rank.example/{name}"\n{line}'
                f"{quality}---\n")
article("hot", 57)
article("warm", 12)
article("cold", 0)
article("unknown", -1)
article("none", None)
# More relevant than any (the word twice), of unknown heat.
article("twice", -1, "comet comet")
# Heat 0 and nothing else to show under its title: the line is heat's.
article("bare", 0, "nebula", quality="")
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

# Sorted by heat, the line under each title shows it where known; not
# otherwise.
expect_status 0 "text sort heat" -- "$NEWSQUERY" --db "$DB" --sort heat comet
expect_line "$WORK/out" "    quality 50 · heat 57" \
	"heat shown when sorted by it"
expect_line "$WORK/out" "    quality 50" "unknown heat not shown"
expect_line "$WORK/out" "    quality 50 · heat 0" "heat 0 is a known heat"
expect_status 0 "text sort heat, heat alone" -- "$NEWSQUERY" --db "$DB" \
	--sort heat nebula
expect_line "$WORK/out" "    heat 0" "heat 0 shown on a line of its own"
expect_status 0 "text relevance" -- "$NEWSQUERY" --db "$DB" comet
expect_no_match "$WORK/out" "heat" "heat not shown in relevance order"

# ---- the unknown, said: a page not sorted by heat never looks it ------------
unknown_last="articles with no known heat come after the others, in order of relevance"
none_known="no article here has a known heat: they are in order of relevance"
expect_status 0 "json notice" -- "$NEWSQUERY" --db "$DB" --json --sort heat comet
expect_json 'd["notices"]' "['$unknown_last']" "unknown heat said"
expect_status 0 "json none known" -- "$NEWSQUERY" --db "$DB" --json \
	--sort heat 'comet -heat:0..'
expect_json 'd["notices"]' "['$none_known']" "no heat at all said"
expect_status 0 "json all known" -- "$NEWSQUERY" --db "$DB" --json \
	--sort heat 'comet heat:0..'
expect_json 'd["notices"]' "[]" "nothing said when every heat is known"
expect_status 0 "json relevance" -- "$NEWSQUERY" --db "$DB" --json comet
expect_json 'd["notices"]' "[]" "nothing said unless sorted by heat"
expect_status 0 "text notice" -- "$NEWSQUERY" --db "$DB" --sort heat comet
expect_grep "$WORK/err" "notice on stderr" "no notice" -qF -- "$unknown_last"

# ---- JSON: heat, null when unknown -------------------------------------------
expect_status 0 "json heat" -- "$NEWSQUERY" --db "$DB" --json --sort heat comet
expect_json '[(r["url"].rsplit("/", 1)[1], r["heat"]) for r in d["results"]][:4]' \
	"[('hot', 57), ('warm', 12), ('cold', 0), ('twice', None)]" "JSON heat"
expect_json 'sorted(r["url"].rsplit("/", 1)[1] for r in d["results"] if r["heat"] is None)' \
	"['none', 'twice', 'unknown']" "unknown heat is null"

finish
