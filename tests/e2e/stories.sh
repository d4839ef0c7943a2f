# End to end: which articles are one story (reprints shown once).
. "$(dirname "$0")/lib.sh"

ARTICLES="$WORK/articles"
python3 - "$ARTICLES" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(out)
n = 0
def article(title, excerpt, date, provider="Wire", topic="News"):
    global n
    n += 1
    with open(os.path.join(out, f"{n:03d}.txt"), "w") as f:
        f.write("---\n" f"title: {title!r}\n"
                + (f"excerpt: {excerpt!r}\n" if excerpt else "")
                + f"publishedDateTime: {date}\n"
                f"webUrl: https://example.com/{n}\n"
                f"provider:\n  name: {provider}\n"
                f"topics: [{topic}]\n---\n")
# One wire story run by three providers within two days: capitals,
# punctuation, a dateline and "U.S." / "US" apart.
lede = ("The U.S. Senate on Tuesday passed a bill to repair dams and "
        "levees across the country, after a debate of three weeks.")
article("Senate passes water bill after long debate", lede,
        "2024-03-05T10:00:00Z", "AP")
article("SENATE PASSES WATER BILL AFTER LONG DEBATE",
        "WASHINGTON (Reuters) - The US Senate on Tuesday passed a bill to "
        "repair dams and levees across the country after a debate of "
        "three weeks", "2024-03-05T14:00:00Z", "Reuters")
article("Senate Passes Water Bill After Long Debate", lede,
        "2024-03-07T08:00:00Z", "Yahoo")
# The same text two years apart: two stories.
again = ("Engineers begin the yearly inspection of every dam on the river, "
         "a job of six weeks.")
article("Dam inspections begin", again, "2021-05-03T09:00:00Z")
article("Dam inspections begin", again, "2023-05-02T09:00:00Z")
# A stock lede too short to tell, on three days: three stories.
for day in (1, 2, 3):
    article("Letters", "Readers write about dams.",
            f"2024-04-0{day}T07:00:00Z")
# Title-only records with one title: three stories.
for day in (1, 2, 3):
    article("Algorithm 30", "", f"1962-01-0{day}T00:00:00Z")
# A generic headline over other text: two stories.
article("Morning briefing", "Good morning. The dams on the upper river "
        "are full after a week of rain in the hills.",
        "2024-04-01T06:00:00Z")
article("Morning briefing", "Good morning. The dams of the north are "
        "being sold to a private company, the ministry said.",
        "2024-04-02T06:00:00Z")
# Enough other stories to page through, one with a word of its own.
for i in range(20):
    article(f"Dams report number {i}", f"Report {i} on dams and the "
            "water they keep for the dry months of the year.",
            f"2024-02-{i + 1:02d}T12:00:00Z", topic="Water")
article("Zebra crossing", "A new zebra crossing near the dam opens to "
        "walkers on Monday morning.", "2024-02-25T12:00:00Z")
PY
DB="$WORK/db"
"$NEWSINDEX" build --db "$DB" "$ARTICLES" >/dev/null 2>&1 || fail "build"

# count QUERY...: the number of results shown for QUERY, all on one page.
count() {
	"$NEWSQUERY" --db "$DB" --json --limit 100 "$@" >"$WORK/out" 2>"$WORK/err"
	json 'len(d["results"])'
}
expect_count() {
	local want=$1 what=$2
	shift 3
	CHECKS=$((CHECKS + 1))
	local got
	got=$(count "$@")
	[ "$got" = "$want" ] || fail "$what: $got results, wanted $want"
}

# --- which articles are one story -------------------------------------------
expect_count 1 "three copies of a wire story are one" -- levees
expect_json 'd["results"][0]["similar"]' 2 "+2 similar"
expect_count 3 "--all shows each copy" -- --all levees
expect_count 2 "the same text two years apart is two stories" -- inspections
expect_count 3 "a short lede is no evidence" -- readers
expect_count 3 "title-only records are stories of their own" -- algorithm
expect_count 2 "a generic headline over other text" -- title:briefing

finish
