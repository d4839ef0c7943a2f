# End to end: a compound's parts of one letter (the U and S of U.S., the
# e of e-mail) are no words of their own (lib/search/qparse.c,
# split_word_node).  "U.S." had found every possessive ("week 's" gives
# an "s"), 6,000 of AG News' 14,500 documents, and "A.I." every article
# with an "a" and an "I" anywhere.  An initialism is searched by its
# letters side by side or its joined form (U.S. = US), a compound with
# a longer part by its parts or its joined form, as before.
. "$(dirname "$0")/lib.sh"

python3 - "$WORK/src" <<'PY'
import os, sys
out = sys.argv[1]
os.makedirs(out)
def article(name, title, excerpt):
    with open(os.path.join(out, name + ".txt"), "w") as f:
        f.write(f'---\ntitle: "{title}"\nexcerpt: "{excerpt}"\n'
                f'webUrl: "https://rank.example/{name}"\nquality: 50\n---\n')
article("dotted", "U.S. economy slows", "Growth in the U.S. fell.")
article("plain", "US economy grows", "Growth in the US rose.")
article("possessive", "The week 's markets", "Investors closed the week 's "
        "trading higher on economy news.")
article("letters", "A talk by Isaac Newton", "I attended a talk on optics.")
article("ai", "A.I. beats chess champions", "The A.I. won every game.")
article("email", "E-mail spam rises", "Spam is most e-mail now.")
article("mail", "Royal Mail strike", "Post is late across the country.")
article("vitamin", "Vitamin E study", "A dose of vitamin E helps.")
PY
DB="$WORK/db"
expect_status 0 "build" -- "$NEWSINDEX" build --db "$DB" "$WORK/src"

# An initialism, written dotted or not; never a lone "s".
expect_set "U.S." "dotted plain" 'U.S.'
expect_set "US" "dotted plain" 'US'
expect_set "A.I." "ai" 'A.I.'
# With another word: every article with U.S. first, then "economy"
# alone (the some-words tier); no possessive's "s" (AG News writes
# "week 's") brings in one that has neither.
expect_set "U.S. economy" "dotted plain possessive" 'U.S. economy'
expect_order "economy alone last" "possessive" --offset 2 'U.S. economy'
expect_set "U.S. talk" "dotted letters plain" 'U.S. talk'
# A compound with a word in it: the word still counts alone in the
# some-words tier ("mail"), its letter does not ("vitamin E").
expect_order "e-mail" "email mail" 'e-mail'
expect_set "email joined" "email" 'email'

finish
