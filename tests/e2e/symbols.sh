# End to end: names written with a symbol (C++, C#, AT&T) are searched
# as themselves: the symbol is part of the word on both sides
# (lib/text/analyzer.c, symbol_word_end), so C++ does not find every
# "C" (F.C.C. was first) and AT&T is not the stopword "at" and "t".
# And --lang fr café ranks Le Monde's café article (a sample) above AG
# News' "China closes more Internet cafs", whose "cafs" has café's
# French stem.
. "$(dirname "$0")/lib.sh"

python3 - "$WORK/src" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(out)
def article(name, title, excerpt):
    with open(os.path.join(out, name + ".txt"), "w") as f:
        f.write(f'---\ntitle: "{title}"\nexcerpt: "{excerpt}"\n'
                f'webUrl: "https://rank.example/{name}"\nquality: 50\n---\n')
article("fcc", "F.C.C. rules on C band spectrum",
        "The F.C.C. voted on the C band auction.")
article("cpp", "A new C++ standard", "The C++ committee approved it.")
article("csharp", "Microsoft updates C#", "C# gains new pattern matching.")
article("att", "AT&T raises prices", "AT&T said prices rise in May.")
article("at", "Talks at the station", "Talks resumed at T minus one.")
article("cafs", "China closes more Internet cafs",
        "Chinese authorities have between February and August of this "
        "year closed 1,600 Internet bars. In additional fines amounting "
        "to a total of 100 million yuan (9.")
PY
cp "$NI_TEST_SAMPLES"/015_6ac0d9e47f12b83b.txt "$WORK/src/"
DB="$WORK/db"
expect_status 0 "build" -- "$NEWSINDEX" build --db "$DB" "$WORK/src"

expect_set "C++" "cpp" 'C++'
expect_set "c++ in any case" "cpp" 'c++'
expect_set "C#" "csharp" 'C#'
expect_set "AT&T" "att" 'AT&T'
expect_set "title:C++" "cpp" 'title:C++'
expect_set "a phrase with C++" "cpp" '"new C++ standard"'
# Typed in fullwidth mode, as a Japanese input method writes them.
expect_set "fullwidth C++" "cpp" 'Ｃ＋＋'
expect_set "fullwidth AT&T" "att" 'ＡＴ＆Ｔ'
# C alone is still C: not C++ nor C#.
expect_set "C" "fcc" 'C'
# The snippet marks the whole name.
expect_status 0 "C++ highlighted" -- "$NEWSQUERY" --db "$DB" --json 'C++'
expect_json '[d["results"][0]["snippet"]["text"][a:b] for a, b in d["results"][0]["snippet"]["highlights"]]' \
	"['C++']" "C++ highlighted whole"

# Le Monde's café first, in French.
expect_status 0 "café in French" -- "$NEWSQUERY" --db "$DB" --json --lang fr café
expect_json '[r["url"].split("/")[2] for r in d["results"]]' \
	"['www.lemonde.fr', 'rank.example']" "Le Monde's café, then the cafs"

finish
