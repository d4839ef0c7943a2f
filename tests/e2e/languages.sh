# End to end: articles in nine languages, each found by natural queries
# in its own language; `lang` chooses an article's stemmer, --lang and
# the config's language the query's; stopwords of the query's language
# leave the default join, never a phrase.
. "$(dirname "$0")/lib.sh"

ARTICLES="$NI_TEST_FIXTURES/languages"
DB="$WORK/db"

expect_status 0 "build the articles" -- \
	"$NEWSINDEX" build --db "$DB" "$ARTICLES"
expect_match "$WORK/out" "holds 10 articles" "every article indexed"
# A lang that is no language: a warning, and the article kept.
expect_line "$WORK/err" "$ARTICLES/bad-lang.md: line 2 col 7: warning: \
lang: not a language code: \"klingon\"" "bad lang warns"
expect_no_match "$WORK/err" "(de|fr|zh|ja|ko|th|ru|ar|en)\\.md" \
	"good lang values do not warn"

# Each article's language as a tag (docs/json.md, `lang`), for the page;
# none for the one whose lang is no language.
expect_status 0 "every article, as JSON" -- \
	"$NEWSQUERY" --db "$DB" --json --limit 20 'NOT site:nowhere.example'
expect_json 'sorted((r["url"].split("/")[3], r["lang"] or "-") for r in d["results"])' \
	"[('ar', 'ar'), ('de', 'de-DE'), ('en', '-'), ('en', 'en'), \
('fr', 'fr-FR'), ('ja', 'ja'), ('ko', 'ko'), ('ru', 'ru'), ('th', 'th'), \
('zh', 'zh-Hans')]" "each article's language tag"

# found URL DESCRIPTION -- QUERY ARGS...: the first result is URL's.
found() {
	local url=$1 what=$2
	shift 3
	expect_status 0 "$what" -- "$NEWSQUERY" --db "$DB" --format urls "$@"
	CHECKS=$((CHECKS + 1))
	[ "$(head -n 1 "$WORK/out")" = "https://example.com/$url" ] ||
		fail "$what: first result is not $url"
}

# not_found DESCRIPTION -- QUERY ARGS...: nothing matches.
not_found() {
	local what=$1
	shift 2
	expect_status 1 "$what" -- "$NEWSQUERY" --db "$DB" --format urls "$@"
}

# all_words URL DESCRIPTION -- QUERY ARGS...: URL's article is found
# with every word of the query (not in the some-words tier).
all_words() {
	local url=$1 what=$2
	shift 3
	expect_status 0 "$what" -- "$NEWSQUERY" --db "$DB" --json "$@"
	CHECKS=$((CHECKS + 1))
	python3 - "$WORK/out" "https://example.com/$url" <<'PY' ||
import json, sys
top = json.load(open(sys.argv[1]))["results"][0]
assert top["url"] == sys.argv[2] and top["all_words"], top
PY
		fail "$what: $url is not first with all words"
}

# English (the default language): a word, two words, a phrase, a plural
# that the English stemmer joins.
found en/chip-factories "en word" -- factories
found en/chip-factories "en two words" -- chip demand
found en/chip-factories "en phrase" -- '"chip makers"'
found en/chip-factories "en singular of a plural" -- factory
# The article with a bad lang is stemmed as English, the default.
found en/harbour "bad lang: stemmed in the default" -- pier

# German: "Verbindung" and "Lokführers" only meet the article's
# "Verbindungen" and "Lokführer" through the German stemmer.
found de/bahn-streik "de word" -- Streik
found de/bahn-streik "de two words" -- Bahn Verbindungen
found de/bahn-streik "de phrase" -- '"Deutsche Bahn"'
# A phrase keeps its stopwords: "der" counts, and must be "der".
found de/bahn-streik "de phrase with a stopword" -- \
	--lang de '"Streik der Lokführer"'
not_found "de phrase with another stopword" -- \
	--lang de '"Streik die Lokführer"'
not_found "de phrase in the wrong order" -- '"Bahn Deutsche"'
found de/bahn-streik "de singular, --lang de" -- --lang de Verbindung
found de/bahn-streik "de genitive, --lang de-DE" -- --lang de-DE Lokführers
not_found "de singular, English stemming" -- Verbindung
not_found "de singular, --lang en" -- --lang en Verbindung
# "mit" is not in the article: a German stopword, left out of the join.
all_words de/bahn-streik "de stopword left out" -- --lang de Bahn mit Streik
expect_status 0 "de stopword kept in English" -- "$NEWSQUERY" --db "$DB" --json Bahn mit Streik
CHECKS=$((CHECKS + 1))
python3 -c 'import json, sys
assert not json.load(open(sys.argv[1]))["results"][0]["all_words"]' \
	"$WORK/out" || fail "English: mit must count as a word"

# French.
found fr/agriculteurs "fr word" -- agriculteurs
found fr/agriculteurs "fr two words" -- taxes gazole
found fr/agriculteurs "fr phrase" -- '"hausse des taxes"'
found fr/agriculteurs "fr infinitive of a participle" -- --lang fr bloquer
not_found "fr infinitive, English stemming" -- bloquer
all_words fr/agriculteurs "fr stopword left out" -- --lang fr-FR les taxes du gazole

# Russian: "ставки" meets "ставку" through the Russian stemmer.
found ru/stavka "ru word" -- банк
found ru/stavka "ru two words" -- ключевую ставку
found ru/stavka "ru phrase" -- '"центральный банк"'
found ru/stavka "ru other case, --lang ru" -- --lang ru ставки
not_found "ru other case, English stemming" -- ставки

# Arabic: with the article "ال", the Arabic stemmer finds "أسعار".
found ar/naft "ar word" -- النفط
found ar/naft "ar two words" -- أسعار النفط
found ar/naft "ar phrase" -- '"خفض الإنتاج"'
found ar/naft "ar with the article, --lang ar" -- --lang ar الأسعار
not_found "ar with the article, English stemming" -- الأسعار

# Chinese, Japanese, Korean and Thai: no stemmer; ICU's dictionaries
# split the words, typed with or without spaces.
found zh/shangtang "zh word" -- 商汤
found zh/shangtang "zh two words" -- 推迟 上市
found zh/shangtang "zh two words unspaced" -- 商汤科技
found zh/shangtang "zh phrase" -- '"香港上市"'
found ja/nichigin "ja word" -- 解除
found ja/nichigin "ja two words" -- 日本銀行
found ja/nichigin "ja phrase" -- '"マイナス金利"'
found ko/samsung "ko word" -- 반도체
found ko/samsung "ko two words" -- 반도체 공장
found ko/samsung "ko phrase" -- '"반도체 공장 증설"'
found th/diesel "th word" -- ดีเซล
found th/diesel "th two words" -- ราคาน้ำมัน
found th/diesel "th phrase" -- '"ลดราคาน้ำมันดีเซล"'
found zh/shangtang "zh with --lang zh" -- --lang zh-Hans 商汤

# lang: the language the index keeps for each article, which is the
# stemmer of its words: by code, name or alias, in any case; an article
# without a (valid) lang is in the index's default language.
# lang_is WANT-URLS DESCRIPTION -- QUERY ARGS...: exactly these, sorted.
lang_is() {
	local want=$1 what=$2
	shift 3
	expect_status 0 "$what" -- "$NEWSQUERY" --db "$DB" --format urls "$@"
	CHECKS=$((CHECKS + 1))
	local got
	got=$(sort "$WORK/out" | sed 's|https://example.com/||' | tr '\n' ' ')
	[ "$got" = "$want " ] || fail "$what: found $got, not $want"
}
lang_is "fr/agriculteurs" "lang:fr" -- lang:fr
lang_is "fr/agriculteurs" "lang:FR" -- lang:FR
lang_is "fr/agriculteurs" "lang:french" -- lang:French
lang_is "fr/agriculteurs" "language:fr" -- language:fr
lang_is "de/bahn-streik" "lang:de (the article's de-DE)" -- lang:de
lang_is "en/chip-factories en/harbour" "lang:en: and klingon, the default" \
	-- lang:en
lang_is "fr/agriculteurs" "lang: with words" -- taxes lang:fr
not_found "lang: restricts the words" -- taxes lang:de
# A region is not kept: every French article, and a note says so.
lang_is "fr/agriculteurs" "lang:fr-FR, the article's own" -- lang:fr-FR
expect_line "$WORK/err" "newsquery: note: lang: 'fr-FR' is searched as \
french: the index keeps an article's language, not its region or script" \
	"lang:fr-FR says what it searched"
lang_is "fr/agriculteurs" "lang:fr-CA: French of any region" -- lang:fr-CA
expect_match "$WORK/err" "'fr-CA' is searched as french" "lang:fr-CA noted"
expect_status 0 "lang:fr-CA in JSON" -- \
	"$NEWSQUERY" --db "$DB" --json lang:fr-CA
expect_json 'd["notices"][0][:40]' "lang: 'fr-CA' is searched as french: the" \
	"the note in JSON"
# Chinese, Japanese, Korean and Thai have no stemmer: one "none" in the
# index, which cannot tell them apart; lang:ja is refused, never
# answered with the Chinese article.
lang_is "ja/nichigin ko/samsung th/diesel zh/shangtang" "lang:none" \
	-- lang:none
lang_is "ar/naft de/bahn-streik en/chip-factories en/harbour \
fr/agriculteurs ru/stavka" "-lang:none" -- -lang:none
expect_status 2 "lang:ja, strict" -- \
	"$NEWSQUERY" --db "$DB" --strict-syntax lang:ja
expect_line "$WORK/err" "newsquery: lang: 'ja' has no stemmer, and the index \
keeps only each article's stemmer: it cannot tell such languages apart \
(lang:none finds them all)" "lang:ja says why"
expect_status 1 "lang:ja, lenient: the words lang and ja" -- \
	"$NEWSQUERY" --db "$DB" --format urls lang:ja
expect_match "$WORK/err" \
	"^newsquery: note: lang: 'ja' has no stemmer.*; searched as words$" \
	"lang:ja, lenient, says why"
expect_no_match "$WORK/out" "zh/" "lang:ja never finds Chinese"
expect_status 2 "lang:zh-Hant" -- \
	"$NEWSQUERY" --db "$DB" --strict-syntax lang:zh-Hant
expect_match "$WORK/err" "'zh-Hant' has no stemmer" "lang:zh-Hant refused"
expect_status 2 "lang:klingon" -- \
	"$NEWSQUERY" --db "$DB" --strict-syntax lang:klingon
expect_line "$WORK/err" "newsquery: lang: 'klingon' is not a language \
(lang:en, lang:french, lang:none)" "lang:klingon says why"

# --lang must be a language.
expect_status 2 "--lang klingon" -- "$NEWSQUERY" --db "$DB" --lang klingon x
expect_match "$WORK/err" "--lang: 'klingon' is not a language code" \
	"--lang klingon says why"

# The config's language: the query's, unless --lang says otherwise.
export NEWSINDEX_CONFIG="$WORK/config.yaml"
echo "language: german" >"$NEWSINDEX_CONFIG"
found de/bahn-streik "config language: german" -- Verbindung
not_found "--lang wins over the config" -- --lang en Verbindung

# ... and a build's default: a new index records it, an index built in
# another default is refused, a rebuild changes it.
OTHER="$WORK/de-db"
expect_status 0 "build with language: german" -- \
	"$NEWSINDEX" build --db "$OTHER" "$ARTICLES/en.md"
expect_status 0 "stats" -- "$NEWSINDEX" stats --db "$OTHER"
expect_line "$WORK/out" "stemmer: german" "a new index records the default"
echo "language: english" >"$NEWSINDEX_CONFIG"
expect_status 1 "build in another default" -- \
	"$NEWSINDEX" build --db "$OTHER"
expect_match "$WORK/err" \
	"was built with default language \"german\", not \"english\"" \
	"another default refused"
expect_match "$WORK/err" "newsindex build --rebuild --db $OTHER" \
	"the refusal says what to run"
expect_status 0 "rebuild in the new default" -- \
	"$NEWSINDEX" build --rebuild --db "$OTHER"
expect_status 0 "stats" -- "$NEWSINDEX" stats --db "$OTHER"
expect_line "$WORK/out" "stemmer: english" "a rebuild records the new default"
expect_status 0 "build again in it" -- "$NEWSINDEX" build --db "$OTHER"
# Without a configured language, the index's own default stems queries.
echo "language: german" >"$NEWSINDEX_CONFIG"
expect_status 0 "build a German default index" -- \
	"$NEWSINDEX" build --db "$WORK/de2-db" "$ARTICLES/de.md"
unset NEWSINDEX_CONFIG
expect_status 0 "the index's default stems the query" -- \
	"$NEWSQUERY" --db "$WORK/de2-db" --format urls Verbindung
expect_line "$WORK/out" "https://example.com/de/bahn-streik" "German default index"

finish
