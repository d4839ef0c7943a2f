# End to end: the analyzer's folding, punctuation words and unspaced
# scripts, the same on the index side and the query side
# (tests/fixtures/analyzer/, one small article per case).
. "$(dirname "$0")/lib.sh"

DB="$WORK/db"
FIX="$NI_TEST_FIXTURES/analyzer"

expect_status 0 "build the analyzer fixtures" -- \
	"$NEWSINDEX" build --db "$DB" "$FIX"

# finds QUERY ARTICLE: ARTICLE (a fixture's name) is the first result.
finds() {
	expect_status 0 "query '$1'" -- "$NEWSQUERY" --db "$DB" \
		--format paths -- "$1"
	CHECKS=$((CHECKS + 1))
	local first
	first=$(head -n 1 "$WORK/out")
	[ "$first" = "$FIX/$2.md" ] ||
		fail "query '$1': first result '$first', wanted $2.md"
}

# finds_among QUERY ARTICLE: ARTICLE is one of the results.
finds_among() {
	expect_status 0 "query '$1'" -- "$NEWSQUERY" --db "$DB" \
		--format paths -- "$1"
	expect_line "$WORK/out" "$FIX/$2.md" "query '$1' finds $2.md"
}

# finds_nothing QUERY: no article has the query's words.
finds_nothing() {
	expect_status 1 "query '$1' finds nothing" -- "$NEWSQUERY" \
		--db "$DB" --format paths -- "$1"
}

# Accents of Latin letters fold away, on either side; case and width
# fold; decomposed input is the same word.
finds cafe cafe
finds 'CAFÉ' cafe
finds $'Cafe\xcc\x81' cafe
finds uberwachung cafe
finds 'Überwachung' cafe
finds $'U\xcc\x88berwachung' cafe
finds zurich cafe

# Words with punctuation: hyphenated, joined or apart; abbreviations;
# possessives; numbers.
finds e-commerce ecommerce
finds 'e commerce' ecommerce
finds ecommerce ecommerce
finds 'E‑Commerce' ecommerce
finds u.s. ecommerce
finds us plain
finds_among us ecommerce
finds sensetime ecommerce
finds "sensetime's" ecommerce
finds 3.5 ecommerce
finds 2021 ecommerce
finds '"e-commerce business"' ecommerce
# A number's groups, however separated, are one number (numbers.md: 1,250;
# 3 400 000 with narrow no-break spaces; 2 750 with a no-break space;
# 12'500), found as typed or as plain digits; 1,5 is no 15.
finds 1250 numbers
finds 1,250 numbers
finds $'1\u00a0250' numbers
finds 3400000 numbers
finds 3,400,000 numbers
finds $'3\u202f400\u202f000' numbers
finds 2750 numbers
finds 2,750 numbers
finds 12500 numbers
finds "12'500" numbers
finds_nothing 1,25
# An en dash inside a word is a hyphen; a narrow no-break space before
# "!" or inside « » (French typography) is a space.
finds email numbers
finds e-mail numbers
finds parisberlin numbers
finds $'paris\u2013berlin' numbers
finds bonjour numbers
finds marseille numbers
# Emoji and symbols are no words.
expect_status 2 "an emoji is no word" -- "$NEWSQUERY" --db "$DB" -- '🚀'
expect_match "$WORK/err" "no words to search for" "emoji refused"

# Kana voicing marks are letters: ガス is not カス; half-width ｶﾞｽ is ガス.
finds 'ガス' kana
finds 'ｶﾞｽ' kana
finds_nothing 'カス'
# Unspaced scripts: the dictionary's words, on both sides.
finds '人工智能' chinese
finds '반도체' korean
# Korean: a word's bigrams find it with its particle (수출이).
finds '수출' korean
finds '늘었다' korean
finds 'ธนาคาร' thai
# ... and their bigrams: a word the dictionary split otherwise, or kept
# inside a longer one, is found; a phrase of the dictionary's words too.
finds '语言模型' chinese
finds '新的语言模型' chinese
finds '"人工智能公司"' chinese
finds '東京' kana
finds '料金' kana
finds 'ソニー' kana
# Quoted, too: the dictionary keeps ソニーグループ whole in the article.
finds '"ソニー"' kana
finds '"语言模型"' chinese
finds_nothing '"智能人工"'

# An index built before accents and compounds (its settings string) is
# refused, with what to run, not searched with other words.
if have xapian-metadata "an index of the old analyzer settings refused"; then
	cp -r "$DB" "$WORK/old"
	old='icu-word;nfkc-casefold;apostrophe;maxword=64'
	xapian-metadata set "$WORK/old" newsindex.analyzer "$old"
	expect_status 2 "an index of the older analyzer is refused" -- \
		"$NEWSQUERY" --db "$WORK/old" cafe
	expect_match "$WORK/err" "built with analyzer \"$old\", this program uses \"icu-word;as-seen=apostrophes\+zwsp\+subscripts\+nnbsp;numbers=groups;nfkc-casefold;apostrophe;marks=latn\+grek\+dotless-i\+yo;compounds=hyphens\+dashes;symbols=\+\+#&;cjk=dict\+bigrams\+hangul;maxword=64\"; build it again from its sources" \
		"the older analyzer named, and the new one"
	# And one from before names with symbols (C++, AT&T) were words.
	xapian-metadata set "$WORK/old" newsindex.analyzer \
		'icu-word;nfkc-casefold;apostrophe;marks=latn+grek;compounds;cjk=dict+bigrams+hangul;maxword=64'
	expect_status 2 "an index of the analyzer before symbols is refused" -- \
		"$NEWSQUERY" --db "$WORK/old" cafe
	expect_match "$WORK/err" "build it again from its sources with 'newsindex build --rebuild" \
		"the analyzer before symbols: what to run"
	# And one from before apostrophes, zero width spaces and subscripts
	# as the reader sees them, the dotless i and the ё.
	xapian-metadata set "$WORK/old" newsindex.analyzer \
		'icu-word;nfkc-casefold;apostrophe;marks=latn+grek;compounds;symbols=++#&;cjk=dict+bigrams+hangul;maxword=64'
	expect_status 2 "an index of the analyzer before as-seen is refused" -- \
		"$NEWSQUERY" --db "$WORK/old" cafe
	expect_match "$WORK/err" "build it again from its sources with 'newsindex build --rebuild" \
		"the analyzer before as-seen: what to run"
fi

finish
