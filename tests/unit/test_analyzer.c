/*
 * Unit tests for lib/text/analyzer.c (include/ni_analyzer.h).
 *
 * Several expected outputs (CJK dictionary words, "U.S." -> "u.s") are
 * what ICU 72 really produces, not what one might guess.  If an ICU
 * upgrade changes them, existing indexes were built with other terms than
 * new queries would use: that is the moment to change the analyzer
 * settings string and reindex, and these tests are the tripwire.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unicode/uchar.h>
#include <unicode/uclean.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "ni_analyzer.h"
#include "ni_buf.h"

#define MAX_TOKENS 256

struct tok {
	char word[4 * NI_ANALYZER_MAX_WORD];
	size_t len;
	size_t start;
	size_t end;
};

/* What the collecting callback saw, checked against the API's promises. */
struct run {
	const char *text;
	size_t text_len;
	struct tok tok[MAX_TOKENS];
	size_t n;
	size_t n_words;      /* tokens not marked `also` */
	size_t word_end;     /* where the last of them ended */
	size_t stop_after;   /* 0: never stop */
	int stop_value;
};

/*
 * A token marked `also` (a compound's joined form) is recorded as
 * "+word"; it follows its parts, ends where the last ends, and has its
 * index.
 */
static int collect(void *ctx, const struct ni_token *t)
{
	struct run *r = ctx;
	assert_true(r->n < MAX_TOKENS);
	assert_true(t->len > 0 && t->len <= NI_ANALYZER_MAX_WORD);
	assert_int_equal(strlen(t->word), t->len);
	assert_true(t->start < t->end && t->end <= r->text_len);
	if (t->also) {
		/* A CJK run of one dictionary word has bigrams too. */
		assert_true(t->parts >= 1 && r->n_words >= t->parts);
		assert_int_equal(t->index, r->n_words - 1);
		assert_true(t->end <= r->word_end);
	} else {
		assert_int_equal(t->parts, 0);
		assert_int_equal(t->index, r->n_words);
		if (r->n > 0)
			assert_true(t->start >= r->tok[r->n - 1].end);
		r->n_words++;
		r->word_end = t->end;
	}
	struct tok *k = &r->tok[r->n++];
	if (t->also)
		strcpy(k->word, "+");
	memcpy(k->word + (t->also ? 1 : 0), t->word, t->len + 1);
	k->len = t->len;
	k->start = t->start;
	k->end = t->end;
	if (r->stop_after && r->n == r->stop_after)
		return r->stop_value;
	return 0;
}

static void analyze_n(ni_analyzer *a, const char *text, size_t len,
		      struct run *r)
{
	memset(r, 0, sizeof(*r));
	r->text = text;
	r->text_len = len;
	int stopped_by = -1;
	assert_int_equal(ni_analyzer_run(a, text, len, collect, r,
					 &stopped_by), NI_OK);
	assert_int_equal(stopped_by, 0);
	assert_string_equal(ni_analyzer_errmsg(a), "");
}

static void analyze(ni_analyzer *a, const char *text, struct run *r)
{
	analyze_n(a, text, strlen(text), r);
}

struct want {
	const char *word;
	size_t start;
	size_t end;
};

#define WANT_RUN(a, text, ...) do { \
	const struct want w_[] = { __VA_ARGS__ }; \
	check_run((a), (text), w_, sizeof(w_) / sizeof(w_[0])); \
} while (0)

static void check_run(ni_analyzer *a, const char *text,
		      const struct want *want, size_t n)
{
	struct run r;
	analyze(a, text, &r);
	for (size_t i = 0; i < n && i < r.n; i++) {
		assert_string_equal(r.tok[i].word, want[i].word);
		assert_int_equal(r.tok[i].start, want[i].start);
		assert_int_equal(r.tok[i].end, want[i].end);
	}
	assert_int_equal(r.n, n);
}

/* The words of `text` joined with "|", offsets not checked. */
static void check_words(ni_analyzer *a, const char *text, const char *want)
{
	static struct run r;
	char got[2048] = "";
	analyze(a, text, &r);
	for (size_t i = 0; i < r.n; i++) {
		if (i)
			strcat(got, "|");
		assert_true(strlen(got) + r.tok[i].len < sizeof(got) - 2);
		strcat(got, r.tok[i].word);
	}
	assert_string_equal(got, want);
}

static char *fold(ni_analyzer *a, const char *text, size_t len)
{
	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_analyzer_fold(a, text, len, &buf), NI_OK);
	return ni_buf_detach(&buf);
}

static int setup(void **state)
{
	ni_analyzer *a;
	if (ni_analyzer_new(&a) != NI_OK)
		return -1;
	*state = a;
	return 0;
}

static int teardown(void **state)
{
	ni_analyzer_free(*state);
	return 0;
}

static void test_english_sentence(void **state)
{
	/*
	 * UAX #29 joins letters around a "." (MidNumLet), so "U.S" is one
	 * of ICU's words; the final "." has no letter after it and is left
	 * out as punctuation.  The analyzer splits it at the "." and joins
	 * the parts: "u", "s", also "us", so `us` and `u.s.` both find it.
	 */
	WANT_RUN(*state,
		 "AI Developer SenseTime Pulls Stock Sale Due to U.S. "
		 "Sanctions",
		 {"ai", 0, 2}, {"developer", 3, 12}, {"sensetime", 13, 22},
		 {"pulls", 23, 28}, {"stock", 29, 34}, {"sale", 35, 39},
		 {"due", 40, 43}, {"to", 44, 46}, {"u", 47, 48},
		 {"s", 49, 50}, {"+us", 47, 50}, {"sanctions", 52, 61});
}

static void test_punctuation_never_emitted(void **state)
{
	struct run r;
	analyze(*state, "  -- !!! ... ,,, ?? () [] {} \"\" '' \t\n\r "
		"\xe2\x80\x94 \xe2\x80\xa6 \xc2\xab\xc2\xbb \xc2\xa0 "
		"\xe3\x80\x81\xe3\x80\x82 \xe2\x80\x9c\xe2\x80\x9d # & * / \\",
		&r);
	assert_int_equal(r.n, 0);

	WANT_RUN(*state, "\"Hello,\" she said -- (yes) -- and left...",
		 {"hello", 1, 6}, {"she", 9, 12}, {"said", 13, 17},
		 {"yes", 22, 25}, {"and", 30, 33}, {"left", 34, 38});
	/*
	 * Hyphens, underscores, inner apostrophes and dots split a word into
	 * parts, followed by their joined form.
	 */
	check_words(*state, "x-ray foo_bar rock'n'roll e.g. U.S.A.",
		    "x|ray|+xray|foo|bar|+foobar|rock|n|roll|+rocknroll|"
		    "e|g|+eg|u|s|a|+usa");
	WANT_RUN(*state, "e-commerce", {"e", 0, 1}, {"commerce", 2, 10},
		 {"+ecommerce", 0, 10});
	/* A chain of hyphens is one compound; a hyphen with a space is
	 * no joint. */
	check_words(*state, "state-of-the-art e- commerce e -commerce",
		    "state|of|the|art|+stateoftheart|e|commerce|e|commerce");
	/*
	 * U+2010 HYPHEN, U+2011 NON-BREAKING HYPHEN, the figure dash, the
	 * en dash (a range, a route, or e–mail as pasted) and the
	 * fullwidth hyphen-minus join too; the em dash (clauses) and the
	 * minus sign do not.
	 */
	check_words(*state, "e\xe2\x80\x90mail e\xe2\x80\x91mail "
		    "e\xe2\x80\x94mail",
		    "e|mail|+email|e|mail|+email|e|mail");
	WANT_RUN(*state, "e\xe2\x80\x93mail", {"e", 0, 1},
		 {"mail", 4, 8}, {"+email", 0, 8});
	check_words(*state, "2004\xe2\x80\x93" "2005 Paris\xe2\x80\x93"
		    "Berlin 555\xe2\x80\x92" "1234 e\xef\xbc\x8dmail "
		    "deal\xe2\x80\x94which x\xe2\x88\x92y",
		    "2004|2005|+20042005|paris|berlin|+parisberlin|"
		    "555|1234|+5551234|e|mail|+email|deal|which|x|y");
	/* Numbers keep their inner punctuation; symbols are no words. */
	check_words(*state, "3.5% of 1,5 in 2021, +4.25 \xe2\x82\xac "
		    "\xc2\xa9 \xe2\x84\xa2 \xf0\x9f\x98\x80 covid-19",
		    "3.5|of|1,5|in|2021|4.25|covid|19|+covid19");
}

static void test_apostrophes(void **state)
{
	/* A possessive "'s" is left out, whichever apostrophe. */
	WANT_RUN(*state, "SenseTime's", {"sensetime", 0, 9});
	WANT_RUN(*state, "SenseTime\xe2\x80\x99s", {"sensetime", 0, 9});
	/* U+02BC MODIFIER LETTER APOSTROPHE, U+FF07 FULLWIDTH APOSTROPHE. */
	WANT_RUN(*state, "SenseTime\xca\xbcs", {"sensetime", 0, 9});
	WANT_RUN(*state, "SenseTime\xef\xbc\x87s", {"sensetime", 0, 9});
	/* Other inner apostrophes split: l'économie is l, economie. */
	check_words(*state, "l\xe2\x80\x99\xc3\xa9" "conomie don't",
		    "l|economie|+leconomie|don|t|+dont");
	/* A quote around a word is punctuation, not part of it. */
	check_words(*state, "\xe2\x80\x98quoted\xe2\x80\x99 'too'",
		    "quoted|too");
	/*
	 * What is typed or pasted for an apostrophe between two letters is
	 * one (join_words_as_seen()): the acute and grave accents, the left
	 * quote, the primes.  Offsets stay the text's.
	 */
	WANT_RUN(*state, "Bush\xc2\xb4s", {"bush", 0, 4});
	WANT_RUN(*state, "Bush`s", {"bush", 0, 4});
	WANT_RUN(*state, "Bush\xe2\x80\x98s", {"bush", 0, 4});
	WANT_RUN(*state, "Bush\xe2\x80\xb2s", {"bush", 0, 4});
	WANT_RUN(*state, "Bush\xca\xb9s", {"bush", 0, 4});
	check_words(*state, "don\xc2\xb4t it`ll", "don|t|+dont|it|ll|+itll");
	/* Elsewhere they are punctuation. */
	check_words(*state, "`code` \xc2\xb4s x\xe2\x80\xb2 5\xe2\x80\xb2",
		    "code|s|x|5");
}

/*
 * Names written with a symbol are one word, symbol and all: C++ is not
 * C, and AT&T is not "at" (a stopword) and "t".
 */
static void test_names_with_symbols(void **state)
{
	WANT_RUN(*state, "C++ and C# at AT&T",
		 {"c++", 0, 3}, {"and", 4, 7}, {"c#", 8, 10}, {"at", 11, 13},
		 {"at&t", 14, 18});
	check_words(*state, "F# Notepad++ S&P 500, R&D; Q&A.",
		    "f#|notepad++|s&p|500|r&d|q&a");
	/* Typed in fullwidth mode, as Japanese text often writes them. */
	check_words(*state, "\xef\xbc\xa3\xef\xbc\x8b\xef\xbc\x8b "
		    "\xef\xbc\xa1\xef\xbc\xb4\xef\xbc\x86\xef\xbc\xb4 "
		    "\xef\xbc\xa3\xef\xbc\x83 \xef\xbc\xa3\xef\xbc\x8b",
		    "c++|at&t|c#|c");
	/* Only right after the letters, and not before more of a word. */
	check_words(*state, "C ++ C+ C+++ C++11 C#5 AT & T AT&T5 A&B&C",
		    "c|c|c|c|11|c|5|at|t|at|t5|a&b|c");
	/* Not after digits or other letters; a part of a compound. */
	check_words(*state, "3++ \xc3\xa9++ x-c++ #tag e-C#",
		    "3|e|x|c++|+xc++|tag|e|c#|+ec#");
	/*
	 * Not when the letters after "&" are the start of a longer ICU
	 * word: "E\u2019k" is one, and "R&E" would have cut it (a token
	 * past the next one's start: fuzz_analyzer's crash).
	 */
	check_words(*state, "r&e\xe2\x80\x99k AT&T's", "r|e|k|+ek|at|t");
}

static void test_accents_dropped(void **state)
{
	WANT_RUN(*state, "Caf\xc3\xa9 \xc3\x9c" "berwachung",
		 {"cafe", 0, 5}, {"uberwachung", 6, 18});
	/* Vietnamese, Polish, Czech: every Latin accent, stacked too. */
	check_words(*state, "Vi\xe1\xbb\x87t \xc5\x81\xc3\xb3" "d\xc5\xba "
		    "\xc5\x98\xc3\xad\xc4\x8d" "en \xc3\x85ngstr\xc3\xb6m",
		    /* Ł has no decomposition: it stays a letter. */
		    "viet|\xc5\x82odz|ricen|angstrom");
}

static void test_marks_that_are_letters_kept(void **state)
{
	/* Kana voicing marks: が (U+304C) stays が, not か. */
	check_words(*state, "\xe3\x81\x8c", "\xe3\x81\x8c");
	/* Half-width ｶﾞ is NFKC-composed to ガ (U+30AC) and kept. */
	check_words(*state, "\xef\xbd\xb6\xef\xbe\x9e", "\xe3\x82\xac");
	/* Decomposed か + U+3099 composes to が, not か. */
	check_words(*state, "\xe3\x81\x8b\xe3\x82\x99", "\xe3\x81\x8c");
	/* Hindi: the vowel sign and virama of हिन्दी stay. */
	check_words(*state, "\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\xa8"
		    "\xe0\xa5\x8d\xe0\xa4\xa6\xe0\xa5\x80",
		    "\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\xa8"
		    "\xe0\xa5\x8d\xe0\xa4\xa6\xe0\xa5\x80");
	/* Russian й is a letter of its own (not и + breve). */
	check_words(*state, "\xd0\xb9", "\xd0\xb9");
	/* Hangul syllables decompose into jamo, never marks. */
	check_words(*state, "\xed\x95\x9c\xea\xb5\xad",
		    "\xed\x95\x9c\xea\xb5\xad");
}

static void test_decomposed_equals_precomposed(void **state)
{
	/* e + U+0301 COMBINING ACUTE ACCENT, or é: the same word. */
	WANT_RUN(*state, "Cafe\xcc\x81 CAFE\xcc\x81 caf\xc3\xa9",
		 {"cafe", 0, 6}, {"cafe", 7, 13}, {"cafe", 14, 19});
	/* U followed by U+0308 COMBINING DIAERESIS. */
	WANT_RUN(*state, "U\xcc\x88" "berwachung", {"uberwachung", 0, 13});
}

static void test_compatibility_forms(void **state)
{
	/* Full-width letters and digits. */
	WANT_RUN(*state, "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3 "
		 "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x91",
		 {"abc", 0, 9}, {"2021", 10, 22});
	/* U+FB01 LATIN SMALL LIGATURE FI. */
	WANT_RUN(*state, "\xef\xac\x81nance", {"finance", 0, 8});
	/* NFKC_Casefold folds sharp s to "ss", capital or small. */
	check_words(*state, "Stra\xc3\x9f" "e STRASSE \xe1\xba\x9e",
		    "strasse|strasse|ss");
	/* A soft hyphen is a default ignorable: folding removes it. */
	WANT_RUN(*state, "inter\xc2\xad" "national",
		 {"international", 0, 15});
}

static void test_greek_and_cyrillic(void **state)
{
	check_words(*state, "\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90",
		    "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0");
	/*
	 * Case folding, unlike lowercasing, maps final sigma to sigma, so
	 * the capital and the small spelling of a Greek word meet.
	 */
	/* ... and the tonos, an accent, is dropped. */
	const char *sisyphos = "\xcf\x83\xce\xb9\xcf\x83\xcf\x85\xcf\x86"
			       "\xce\xbf\xcf\x83";
	check_words(*state, "\xce\xa3\xce\x8a\xce\xa3\xce\xa5\xce\xa6\xce\x9f"
		    "\xce\xa3", sisyphos);
	check_words(*state, "\xce\xa3\xce\xaf\xcf\x83\xcf\x85\xcf\x86\xce\xbf"
		    "\xcf\x82", sisyphos);
}

/*
 * Letters that people type plain though no decomposition makes them so:
 * the Turkish dotless ı (Kılıçdaroğlu, KILIÇDAROĞLU and Kilicdaroglu
 * meet) and the Russian ё (ёлка and елка meet); й keeps its breve.
 */
static void test_dotless_i_and_yo(void **state)
{
	const char *kilic = "kilicdaroglu";
	check_words(*state, "K\xc4\xb1l\xc4\xb1\xc3\xa7" "daro\xc4\x9flu",
		    kilic);
	check_words(*state, "KILI\xc3\x87" "DARO\xc4\x9eLU", kilic);
	check_words(*state, "Kilicdaroglu", kilic);
	check_words(*state, "\xc4\xb0stanbul \xc4\xb1stanbul",
		    "istanbul|istanbul");
	const char *elka = "\xd0\xb5\xd0\xbb\xd0\xba\xd0\xb0";
	check_words(*state, "\xd1\x91\xd0\xbb\xd0\xba\xd0\xb0", elka);
	check_words(*state, "\xd0\x81\xd0\x9b\xd0\x9a\xd0\x90", elka);
	/* е + U+0308, as decomposed text has it. */
	check_words(*state, "\xd0\xb5\xcc\x88\xd0\xbb\xd0\xba\xd0\xb0", elka);
	check_words(*state, "\xd0\xb9", "\xd0\xb9");
}

/*
 * What the reader sees as one word, ICU would break at: a zero width
 * space inside a word, a subscript digit after a letter.
 */
static void test_joined_as_seen(void **state)
{
	WANT_RUN(*state, "Micro\xe2\x80\x8bsoft", {"microsoft", 0, 12});
	check_words(*state,
		    "covid\xe2\x80\x8b" "19 x\xe2\x80\x8b \xe2\x80\x8by",
		    "covid19|x|y");
	WANT_RUN(*state, "CO\xe2\x82\x82", {"co2", 0, 5});
	check_words(*state, "Bush\xc2\xb4", "bush");
	check_words(*state,
		    "H\xe2\x82\x82O CH\xe2\x82\x84 C\xe2\x82\x81\xe2\x82\x82",
		    "h2o|ch4|c12");
	check_words(*state, "PM\xe2\x82\x82.\xe2\x82\x85 PM2.5", "pm2.5|pm2.5");
	/* Not after a digit or alone (10₂ is no formula): no word. */
	check_words(*state, "10\xe2\x82\x82 \xe2\x82\x82", "10");
}

/* The words of a CJK run are contiguous and spell the input again. */
static void check_concatenation(const struct run *r, const char *text)
{
	char joined[512] = "";
	size_t at = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (r->tok[i].word[0] == '+')
			continue;
		assert_int_equal(r->tok[i].start, at);
		at = r->tok[i].end;
		assert_true(strlen(joined) + r->tok[i].len < sizeof(joined));
		strcat(joined, r->tok[i].word);
	}
	assert_string_equal(joined, text);
}

static void test_chinese(void **state)
{
	/* 商汤科技发布人工智能: ICU's dictionary finds two-character words. */
	const char *text = "\xe5\x95\x86\xe6\xb1\xa4\xe7\xa7\x91\xe6\x8a\x80"
			   "\xe5\x8f\x91\xe5\xb8\x83\xe4\xba\xba\xe5\xb7\xa5"
			   "\xe6\x99\xba\xe8\x83\xbd";
	struct run r;
	analyze(*state, text, &r);
	assert_true(r.n > 1);
	check_concatenation(&r, text);
	/* The dictionary's words, then the run's bigrams. */
	check_words(*state, text,
		    "\xe5\x95\x86\xe6\xb1\xa4|\xe7\xa7\x91\xe6\x8a\x80|"
		    "\xe5\x8f\x91\xe5\xb8\x83|\xe4\xba\xba\xe5\xb7\xa5|"
		    "\xe6\x99\xba\xe8\x83\xbd|"
		    "+\xe5\x95\x86\xe6\xb1\xa4|+\xe6\xb1\xa4\xe7\xa7\x91|"
		    "+\xe7\xa7\x91\xe6\x8a\x80|+\xe6\x8a\x80\xe5\x8f\x91|"
		    "+\xe5\x8f\x91\xe5\xb8\x83|+\xe5\xb8\x83\xe4\xba\xba|"
		    "+\xe4\xba\xba\xe5\xb7\xa5|+\xe5\xb7\xa5\xe6\x99\xba|"
		    "+\xe6\x99\xba\xe8\x83\xbd");
}

/* Every token's word and "|", with no other check. */
static int join_words(void *ctx, const struct ni_token *t)
{
	struct ni_buf *out = ctx;
	assert_false(t->also);
	assert_int_equal(ni_buf_add(out, t->word, t->len), NI_OK);
	assert_int_equal(ni_buf_addch(out, '|'), NI_OK);
	return 0;
}

static void test_cjk_bigrams(void **state)
{
	ni_analyzer *a = *state;
	/* 北京的人工智能: each bigram spans its two characters. */
	const char *text = "\xe5\x8c\x97\xe4\xba\xac\xe7\x9a\x84\xe4\xba\xba"
			   "\xe5\xb7\xa5\xe6\x99\xba\xe8\x83\xbd";
	WANT_RUN(a, text,
		 {"\xe5\x8c\x97\xe4\xba\xac", 0, 6},
		 {"\xe7\x9a\x84", 6, 9},
		 {"\xe4\xba\xba\xe5\xb7\xa5", 9, 15},
		 {"\xe6\x99\xba\xe8\x83\xbd", 15, 21},
		 {"+\xe5\x8c\x97\xe4\xba\xac", 0, 6},
		 {"+\xe4\xba\xac\xe7\x9a\x84", 3, 9},
		 {"+\xe7\x9a\x84\xe4\xba\xba", 6, 12},
		 {"+\xe4\xba\xba\xe5\xb7\xa5", 9, 15},
		 {"+\xe5\xb7\xa5\xe6\x99\xba", 12, 18},
		 {"+\xe6\x99\xba\xe8\x83\xbd", 15, 21});
	/* A katakana word the dictionary keeps whole (ソニーグループ) gets
	 * its bigrams, so ソニー finds it; a one-character run gets none. */
	check_words(a, "\xe3\x82\xbd\xe3\x83\x8b\xe3\x83\xbc\xe3\x82\xb0"
		    " \xe3\x81\xae",
		    "\xe3\x82\xbd\xe3\x83\x8b\xe3\x83\xbc\xe3\x82\xb0|"
		    "+\xe3\x82\xbd\xe3\x83\x8b|+\xe3\x83\x8b\xe3\x83\xbc|"
		    "+\xe3\x83\xbc\xe3\x82\xb0|\xe3\x81\xae");
	/* Half-width ｶﾞｽ料金 folds before its bigrams are made. */
	check_words(a, "\xef\xbd\xb6\xef\xbe\x9e\xef\xbd\xbd\xe6\x96\x99"
		    "\xe9\x87\x91",
		    "\xe3\x82\xac\xe3\x82\xb9|\xe6\x96\x99\xe9\x87\x91|"
		    "+\xe3\x82\xac\xe3\x82\xb9|+\xe3\x82\xb9\xe6\x96\x99|"
		    "+\xe6\x96\x99\xe9\x87\x91");
	/* A Korean word gets its own (반도체: 반도, 도체), so a word
	 * with its particle (반도체의) still holds 반도체's bigrams. */
	check_words(a, "\xeb\xb0\x98\xeb\x8f\x84\xec\xb2\xb4 "
		    "\xeb\xb0\x98\xeb\x8f\x84\xec\xb2\xb4\xec\x9d\x98",
		    "\xeb\xb0\x98\xeb\x8f\x84\xec\xb2\xb4|"
		    "+\xeb\xb0\x98\xeb\x8f\x84|+\xeb\x8f\x84\xec\xb2\xb4|"
		    "\xeb\xb0\x98\xeb\x8f\x84\xec\xb2\xb4\xec\x9d\x98|"
		    "+\xeb\xb0\x98\xeb\x8f\x84|+\xeb\x8f\x84\xec\xb2\xb4|"
		    "+\xec\xb2\xb4\xec\x9d\x98");
	/* Thai gets none: the dictionary splits it. */
	check_words(a, "\u0e18\u0e19\u0e32\u0e04\u0e32\u0e23",
		    "\u0e18\u0e19\u0e32\u0e04\u0e32\u0e23");

	/* The modes measured against it (bench/cjk_eval.c). */
	ni_analyzer_set_cjk(a, NI_CJK_DICTIONARY);
	check_words(a, "\xe4\xba\xba\xe5\xb7\xa5\xe6\x99\xba\xe8\x83\xbd",
		    "\xe4\xba\xba\xe5\xb7\xa5|\xe6\x99\xba\xe8\x83\xbd");
	/* Bigrams alone are overlapping words, and a lone character is
	 * its own. */
	ni_analyzer_set_cjk(a, NI_CJK_BIGRAMS);
	const char *two = "\xe4\xba\xba\xe5\xb7\xa5\xe6\x99\xba \xe5\xb9\xb4";
	struct ni_buf got = NI_BUF_INIT;
	assert_int_equal(ni_analyzer_run(a, two, strlen(two), join_words,
					 &got, NULL), NI_OK);
	assert_string_equal(ni_buf_str(&got),
			    "\xe4\xba\xba\xe5\xb7\xa5|\xe5\xb7\xa5\xe6\x99\xba|"
			    "\xe5\xb9\xb4|");
	ni_buf_release(&got);
	ni_analyzer_set_cjk(a, NI_CJK_BOTH_HANGUL);
}

static void test_southeast_asian(void **state)
{
	/*
	 * Lao (ສະບາຍດີປະເທດລາວ), Khmer (ព្រះរាជាណាចក្រកម្ពុជា) and Burmese
	 * (မြန်မာနိုင်ငံ) have no spaces between words: ICU's dictionaries
	 * split them, with their vowel signs and viramas kept, and no
	 * bigrams follow.
	 */
	check_words(*state, "\u0eaa\u0eb0\u0e9a\u0eb2\u0e8d\u0e94\u0eb5"
		    "\u0e9b\u0eb0\u0ec0\u0e97\u0e94\u0ea5\u0eb2\u0ea7",
		    "\u0eaa\u0eb0\u0e9a\u0eb2\u0e8d\u0e94\u0eb5|"
		    "\u0e9b\u0eb0\u0ec0\u0e97\u0e94|\u0ea5\u0eb2\u0ea7");
	check_words(*state, "\u1796\u17d2\u179a\u17c7\u179a\u17b6\u1787"
		    "\u17b6\u178e\u17b6\u1785\u1780\u17d2\u179a\u1780"
		    "\u1798\u17d2\u1796\u17bb\u1787\u17b6",
		    "\u1796\u17d2\u179a\u17c7\u179a\u17b6\u1787\u17b6"
		    "\u178e\u17b6\u1785\u1780\u17d2\u179a|\u1780\u1798"
		    "\u17d2\u1796\u17bb\u1787\u17b6");
	check_words(*state, "\u1019\u103c\u1014\u103a\u1019\u102c\u1014"
		    "\u102d\u102f\u1004\u103a\u1004\u1036",
		    "\u1019\u103c\u1014\u103a\u1019\u102c\u1014\u102d"
		    "\u102f\u1004\u103a\u1004\u1036");
}

static void test_japanese_mixed(void **state)
{
	/*
	 * 東京タワーでカタカナとABCの2021年: kanji, katakana, hiragana
	 * particles, full-width Latin and digits.  The full-width "ＡＢＣ"
	 * folds to "abc"; the particles come out as one-character words.
	 */
	const char *text = "\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf"
			   "\xe3\x83\xbc\xe3\x81\xa7\xe3\x82\xab\xe3\x82\xbf"
			   "\xe3\x82\xab\xe3\x83\x8a\xe3\x81\xa8\xef\xbc\xa1"
			   "\xef\xbc\xa2\xef\xbc\xa3\xe3\x81\xae" "2021"
			   "\xe5\xb9\xb4";
	/* The dictionary's words (the bigrams: test_cjk_bigrams). */
	ni_analyzer_set_cjk(*state, NI_CJK_DICTIONARY);
	WANT_RUN(*state, text,
		 {"\xe6\x9d\xb1\xe4\xba\xac\xe3\x82\xbf\xe3\x83\xaf"
		  "\xe3\x83\xbc", 0, 15},
		 {"\xe3\x81\xa7", 15, 18},
		 {"\xe3\x82\xab\xe3\x82\xbf\xe3\x82\xab\xe3\x83\x8a", 18, 30},
		 {"\xe3\x81\xa8", 30, 33},
		 {"abc", 33, 42},
		 {"\xe3\x81\xae", 42, 45},
		 {"2021", 45, 49},
		 {"\xe5\xb9\xb4", 49, 52});
	ni_analyzer_set_cjk(*state, NI_CJK_BOTH_HANGUL);
}

static void test_numbers(void **state)
{
	WANT_RUN(*state, "3.5% of 2021, 1,000.50 and $40",
		 {"3.5", 0, 3}, {"of", 5, 7}, {"2021", 8, 12},
		 {"1000.50", 14, 22}, {"and", 23, 26}, {"40", 28, 30});
}

/*
 * A number's groups of thousands are one number, however they are
 * separated: the word is its digits, the offsets the text's.
 */
static void test_grouped_numbers(void **state)
{
	ni_analyzer *a = *state;
	WANT_RUN(a, "1,000 jobs", {"1000", 0, 5}, {"jobs", 6, 10});
	/* No-break (U+00A0), figure, thin and narrow no-break spaces. */
	WANT_RUN(a, "1\xc2\xa0" "000", {"1000", 0, 6});
	WANT_RUN(a, "1\xe2\x80\x87" "000", {"1000", 0, 7});
	WANT_RUN(a, "1\xe2\x80\x89" "000", {"1000", 0, 7});
	WANT_RUN(a, "x 1\xe2\x80\xaf" "000\xe2\x80\xaf" "000 y",
		 {"x", 0, 1}, {"1000000", 2, 15}, {"y", 16, 17});
	/* Swiss apostrophes, either; the fullwidth comma; Indian lakhs. */
	check_words(a, "1'000 1\xe2\x80\x99" "000 1'000'000.50 "
		    "\xef\xbc\x91\xef\xbc\x8c\xef\xbc\x90\xef\xbc\x90"
		    "\xef\xbc\x90 1,00,000 12,34,567",
		    "1000|1000|1000000.50|1000|100000|1234567");
	check_words(a, "$1,000,000 1,000-strong 1,000km 999,999",
		    "1000000|1000|strong|+1000strong|1000km|999999");
	/* A decimal part after another mark: "1 000,50" is French. */
	check_words(a, "1,000.50 1\xc2\xa0" "000,50", "1000.50|1000,50");
	/*
	 * Not groups: a German decimal comma, a leading 0, groups of
	 * other sizes, a first group of 4 digits, mixed marks, a period
	 * (1.000 is 1 in English and 1000 in German), a plain space.
	 */
	check_words(a, "1,5 0,001 12,34 1,0000 1,000,00 1990,1991 1,2,3",
		    "1,5|0,001|12,34|1,0000|1,000,00|1990,1991|1,2,3");
	check_words(a, "1.000 1.000,50 1,000'000 1,000.000.000 1 000",
		    "1.000|1.000,50|1,000'000|1,000.000.000|1|000");
	check_words(a, "12\xc2\xa0" "34 2004\xc2\xa0" "100 "
		    "01\xe2\x80\xaf" "23\xe2\x80\xaf" "45",
		    "12|34|2004|100|01|23|45");
}

/*
 * A narrow no-break space that separates no groups is a space: French
 * puts one before ! ? : ; and inside « », and ICU 72 keeps it inside a
 * word (the word "paris " would be found by no query).
 */
static void test_narrow_no_break_space(void **state)
{
	WANT_RUN(*state, "Paris\xe2\x80\xaf!", {"paris", 0, 5});
	WANT_RUN(*state, "\xc2\xab\xe2\x80\xafoui\xe2\x80\xaf\xc2\xbb",
		 {"oui", 5, 8});
	check_words(*state, "\xe2\x80\xaf" "a\xe2\x80\xaf" "b "
		    "quoi\xe2\x80\xaf?", "a|b|quoi");
}

static void test_emoji_dropped(void **state)
{
	/* 😀, 👍🏽 (with a skin tone), ❤️ (with VS16), 🇫🇷 (a flag). */
	WANT_RUN(*state, "\xf0\x9f\x98\x80 up"
		 "\xf0\x9f\x91\x8d\xf0\x9f\x8f\xbd "
		 "\xe2\x9d\xa4\xef\xb8\x8f "
		 "\xf0\x9f\x87\xab\xf0\x9f\x87\xb7 ok",
		 {"up", 5, 7}, {"ok", 32, 34});
}

static void test_long_words_dropped(void **state)
{
	ni_analyzer *a = *state;
	char text[512];
	struct run r;

	memset(text, 'x', 100);
	strcpy(text + 100, " kept");
	analyze(a, text, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.tok[0].word, "kept");
	assert_int_equal(r.tok[0].start, 101);
	assert_int_equal(ni_analyzer_dropped(a), 1);

	/* The limit itself is kept, one byte more is not. */
	memset(text, 'Y', NI_ANALYZER_MAX_WORD);
	text[NI_ANALYZER_MAX_WORD] = ' ';
	memset(text + NI_ANALYZER_MAX_WORD + 1, 'z', NI_ANALYZER_MAX_WORD + 1);
	text[2 * NI_ANALYZER_MAX_WORD + 2] = '\0';
	analyze(a, text, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.tok[0].len, NI_ANALYZER_MAX_WORD);
	assert_int_equal(ni_analyzer_dropped(a), 2);

	/* Counted in folded bytes: 32 "ж" are 64 bytes, 33 are 66. */
	size_t at = 0;
	for (int i = 0; i < 32; i++, at += 2)
		memcpy(text + at, "\xd0\x96", 2);
	memcpy(text + at, " \xd0\x96", 3);
	at += 3;
	for (int i = 0; i < 32; i++, at += 2)
		memcpy(text + at, "\xd0\x96", 2);
	text[at] = '\0';
	analyze(a, text, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.tok[0].len, 64);
	assert_int_equal(ni_analyzer_dropped(a), 3);

	/* 62 letters + full-width "AB": 68 bytes in, 64 folded: kept. */
	memset(text, 'a', 62);
	strcpy(text + 62, "\xef\xbc\xa1\xef\xbc\xa2");
	analyze(a, text, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.tok[0].len, 64);
	assert_int_equal(r.tok[0].end, 68);
	assert_int_equal(ni_analyzer_dropped(a), 3);

	/* 10 letters between 100 soft hyphens: folds to 10 bytes. */
	at = 0;
	for (int i = 0; i < 100; i++) {
		if (i % 10 == 0)
			text[at++] = 'w';
		memcpy(text + at, "\xc2\xad", 2);
		at += 2;
	}
	text[at] = '\0';
	analyze(a, text, &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.tok[0].word, "wwwwwwwwww");
	assert_int_equal(r.tok[0].end, at);
	assert_int_equal(ni_analyzer_dropped(a), 3);
}

static void test_empty_after_folding(void **state)
{
	/*
	 * The Hangul fillers U+3164, U+FFA0 and U+115F U+1160 are letters
	 * to the word breaker but default ignorables to NFKC_Casefold, so
	 * they fold to nothing and must not become empty terms, nor take up
	 * an index.
	 */
	WANT_RUN(*state, "a \xe3\x85\xa4 b \xef\xbe\xa0 c "
		 "\xe1\x85\x9f\xe1\x85\xa0 d",
		 {"a", 0, 1}, {"b", 6, 7}, {"c", 12, 13}, {"d", 21, 22});
	assert_int_equal(ni_analyzer_dropped(*state), 0);
}

static void test_invalid_utf8(void **state)
{
	/*
	 * Each maximal ill-formed subsequence (a lone 0xFF, the truncated
	 * "\xe2\x82", a surrogate "\xed\xa0\x80" read as three) becomes one
	 * U+FFFD, which is not a letter, so it splits words.
	 */
	WANT_RUN(*state, "ab\xff" "cd \xe2\x82 ef\xed\xa0\x80gh \xc3",
		 {"ab", 0, 2}, {"cd", 3, 5}, {"ef", 9, 11}, {"gh", 14, 16});
	/* Lone invalid bytes in ASCII: as many UTF-16 units as bytes. */
	WANT_RUN(*state, "ab\xff" "cd\x80 ef\xc3",
		 {"ab", 0, 2}, {"cd", 3, 5}, {"ef", 7, 9});
	/* Overlong forms and a lone trail byte before a real character. */
	WANT_RUN(*state, "\xc0\xaf" "x\x80\xc3\xa9y \xf4\x90\x80\x80" "z\xf5",
		 {"x", 2, 3}, {"ey", 4, 7}, {"z", 12, 13});
}

/* A small deterministic generator, so failures can be replayed. */
static uint32_t next_random(uint32_t *seed)
{
	*seed ^= *seed << 13;
	*seed ^= *seed >> 17;
	*seed ^= *seed << 5;
	return *seed;
}

/* Bytes that make well-formed and ill-formed UTF-8 alike. */
static uint8_t random_byte(uint32_t *seed)
{
	static const uint8_t interesting[] = {
		'a', 'Z', ' ', '.', '\'', 0x80, 0x8f, 0x9f, 0xa0, 0xbf,
		0xc0, 0xc2, 0xc3, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0,
		0xf4, 0xf5, 0xff,
	};
	uint32_t r = next_random(seed);
	if (r & 1)
		return (uint8_t)(r >> 8);
	return interesting[(r >> 8) % sizeof(interesting)];
}

/*
 * The analyzer maps UTF-16 indexes back to byte offsets by reading the
 * UTF-8 with U8_NEXT while u_strFromUTF8WithSub did the conversion; that
 * is only right if both substitute the same way.
 */
static void test_u8_next_matches_conversion(void **state)
{
	(void)state;
	uint32_t seed = 2463534242u;
	uint8_t text[24];
	UChar icu16[32], ours16[32];
	for (int iter = 0; iter < 200000; iter++) {
		int32_t len = (int32_t)(next_random(&seed) % sizeof(text));
		for (int32_t i = 0; i < len; i++)
			text[i] = random_byte(&seed);
		int32_t icu_len = 0, our_len = 0;
		UErrorCode err = U_ZERO_ERROR;
		u_strFromUTF8WithSub(icu16, 32, &icu_len, (const char *)text,
				     len, 0xFFFD, NULL, &err);
		assert_false(U_FAILURE(err));
		for (int32_t i = 0; i < len;) {
			UChar32 c;
			U8_NEXT(text, i, len, c);
			U16_APPEND_UNSAFE(ours16, our_len, c < 0 ? 0xFFFD : c);
		}
		assert_int_equal(icu_len, our_len);
		assert_memory_equal(icu16, ours16, icu_len * sizeof(UChar));
	}
}

/*
 * On random text with invalid bytes, every word's offsets are in range
 * and text[start..end) folds to the word itself.
 */
static void test_random_offsets(void **state)
{
	static const char *pieces[] = {
		"a", "B", "\xc3\xa9", "\xc3\x89", " ", "'", ".",
		"\xe2\x80\x99", "\xff", "\xe2\x82", "\xc3", "\x80",
		"\xed\xa0\x80", "1", "\xc3\x9f", "\xef\xac\x81",
		"\xef\xbc\xb8", "e\xcc\x81", "\xc2\xad", ",", "-",
		/* 人, 工, が, half-width ｶ and its voicing mark: CJK runs,
		 * their bigrams and their folding. */
		"\xe4\xba\xba", "\xe5\xb7\xa5", "\xe3\x81\x8c",
		"\xef\xbd\xb6", "\xef\xbe\x9e",
	};
	ni_analyzer *a = *state;
	const uint32_t npieces = sizeof(pieces) / sizeof(*pieces);
	uint32_t seed = 88172645u;
	static struct run r;
	char text[128];
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = 0;
		int count = (int)(next_random(&seed) % 40);
		for (int i = 0; i < count; i++) {
			const char *p = pieces[next_random(&seed) % npieces];
			memcpy(text + len, p, strlen(p));
			len += strlen(p);
		}
		analyze_n(a, text, len, &r);
		for (size_t i = 0; i < r.n; i++) {
			/* A joined form is its parts, checked apart. */
			if (r.tok[i].word[0] == '+')
				continue;
			char *folded = fold(a, text + r.tok[i].start,
					    r.tok[i].end - r.tok[i].start);
			assert_string_equal(folded, r.tok[i].word);
			free(folded);
		}
	}
}

static int stop_on_third(void *ctx, const struct ni_token *t)
{
	int *seen = ctx;
	++*seen;
	return t->index == 2 ? 7 : 0;
}

static void test_callback_stop(void **state)
{
	ni_analyzer *a = *state;
	const char *text = "one two three four five";
	int seen = 0, stopped_by = -1;
	assert_int_equal(ni_analyzer_run(a, text, strlen(text),
					 stop_on_third, &seen, &stopped_by),
			 NI_OK);
	assert_int_equal(seen, 3);
	assert_int_equal(stopped_by, 7);

	/* Without a stop, *stopped_by is 0; NULL is allowed. */
	seen = 0;
	assert_int_equal(ni_analyzer_run(a, "one two", 7, stop_on_third,
					 &seen, &stopped_by), NI_OK);
	assert_int_equal(stopped_by, 0);
	assert_int_equal(seen, 2);
	seen = 0;
	assert_int_equal(ni_analyzer_run(a, text, strlen(text),
					 stop_on_third, &seen, NULL), NI_OK);
	assert_int_equal(seen, 3);
}

static void test_index_restarts_per_call(void **state)
{
	struct run r;
	analyze(*state, "first call", &r);
	assert_int_equal(r.n, 2);
	/* collect() asserts index == position, from 0, in every call. */
	analyze(*state, "second call here", &r);
	assert_int_equal(r.n, 3);
}

static void test_empty_and_bad_arguments(void **state)
{
	ni_analyzer *a = *state;
	struct run r;
	analyze_n(a, "", 0, &r);
	assert_int_equal(r.n, 0);
	analyze_n(a, NULL, 0, &r);
	assert_int_equal(r.n, 0);
	analyze(a, " \t ", &r);
	assert_int_equal(r.n, 0);

	int stopped_by = -1;
	assert_int_equal(ni_analyzer_run(a, NULL, 3, collect, &r,
					 &stopped_by), NI_EINVAL);
	assert_int_equal(stopped_by, 0);
	assert_string_not_equal(ni_analyzer_errmsg(a), "");
	/* Refused before the text is read, so a short buffer is safe. */
	assert_int_equal(ni_analyzer_run(a, "x", (size_t)INT32_MAX + 1,
					 collect, &r, NULL), NI_EINVAL);
	assert_non_null(strstr(ni_analyzer_errmsg(a), "longer"));

	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_analyzer_fold(a, NULL, 1, &buf), NI_EINVAL);
	assert_int_equal(ni_analyzer_fold(a, "x", (size_t)INT32_MAX + 1,
					  &buf), NI_EINVAL);
	assert_int_equal(ni_analyzer_fold(a, NULL, 0, &buf), NI_OK);
	assert_int_equal(buf.len, 0);
	/* A success clears the previous error. */
	assert_string_equal(ni_analyzer_errmsg(a), "");
	ni_buf_release(&buf);
}

static void test_fold(void **state)
{
	ni_analyzer *a = *state;
	char *s = fold(a, "  Artificial   Intelligence ", 28);
	assert_string_equal(s, "artificial intelligence");
	free(s);

	/* Tabs, newlines, NBSP and the ideographic space count as spaces. */
	const char *spaces = "\tTheStreet.com\xc2\xa0\n Inc\xe3\x80\x80"
			     "SenseTime\xe2\x80\x99s\r\n";
	s = fold(a, spaces, strlen(spaces));
	assert_string_equal(s, "thestreet.com inc sensetime's");
	free(s);

	const char *forms = "\xef\xac\x81nance \xc3\x9c" "BER \xef\xbc\xa1";
	s = fold(a, forms, strlen(forms));
	assert_string_equal(s, "finance uber a");
	free(s);

	/* It appends, and a blank string adds nothing. */
	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_buf_adds(&buf, "topic:"), NI_OK);
	assert_int_equal(ni_analyzer_fold(a, " \t ", 3, &buf), NI_OK);
	assert_string_equal(ni_buf_str(&buf), "topic:");
	assert_int_equal(ni_analyzer_fold(a, "World News", 10, &buf), NI_OK);
	assert_string_equal(ni_buf_str(&buf), "topic:world news");
	assert_int_equal(buf.len, strlen("topic:world news"));
	ni_buf_release(&buf);

	/* Invalid bytes become U+FFFD rather than an error. */
	s = fold(a, "A\xff" "B", 3);
	assert_string_equal(s, "a\xef\xbf\xbd" "b");
	free(s);
}

/* NFKC_Casefold of `len` bytes of UTF-8 straight from ICU, as UTF-8. */
static void icu_fold(const char *text, int32_t len, char *out, int32_t cap)
{
	UChar src[128], dst[256];
	int32_t n = 0;
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *nfkc_cf = unorm2_getNFKCCasefoldInstance(&err);
	u_strFromUTF8(src, 128, &n, text, len, &err);
	n = unorm2_normalize(nfkc_cf, src, n, dst, 256, &err);
	u_strToUTF8(out, cap, NULL, dst, n, &err);
	assert_false(U_FAILURE(err));
}

static void test_fold_growing(void **state)
{
	/*
	 * U+FDFA ARABIC LIGATURE SALLALLAHOU ALAYHE WASALLAM folds to 18
	 * characters (33 bytes), more than the folding buffer's first guess.
	 */
	const char *three = "\xef\xb7\xba\xef\xb7\xba\xef\xb7\xba";
	char want[256];
	icu_fold(three, 9, want, sizeof(want));
	assert_int_equal(strlen(want), 3 * 33);
	char *s = fold(*state, three, 9);
	assert_string_equal(s, want);
	free(s);
}

/*
 * ni_analyzer_fold() of ASCII text takes a shortcut without ICU: it
 * must give what ICU's NFKC_Casefold gives, with runs of white space
 * (u_isUWhiteSpace) made one space and trimmed, for every character, NUL
 * included, alone, between letters, and in and around runs of spaces.
 */
static void test_fold_ascii_matches_icu(void **state)
{
	ni_analyzer *a = *state;
	const UNormalizer2 *nfkc_cf;
	UErrorCode err = U_ZERO_ERROR;
	nfkc_cf = unorm2_getNFKCCasefoldInstance(&err);
	assert_false(U_FAILURE(err));
	for (int c = 0; c < 0x80; c++) {
		char forms[4][16];
		int lens[4];
		lens[0] = snprintf(forms[0], 16, "%c", c);
		lens[1] = snprintf(forms[1], 16, "Ab%cCd%c%cE", c, c, c);
		lens[2] = snprintf(forms[2], 16, " %c \t%c X%c ", c, c, c);
		lens[3] = snprintf(forms[3], 16, "%c%c", c, c);
		for (int f = 0; f < 4; f++) {
			UChar src[32], dst[64];
			int32_t n = 0;
			u_strFromUTF8(src, 32, &n, forms[f], lens[f], &err);
			n = unorm2_normalize(nfkc_cf, src, n, dst, 64, &err);
			int32_t out = 0;
			bool pending = false;
			for (int32_t i = 0; i < n; i++) {
				if (u_isUWhiteSpace(dst[i])) {
					pending = out > 0;
					continue;
				}
				if (pending)
					dst[out++] = ' ';
				pending = false;
				dst[out++] = dst[i];
			}
			char want[128];
			int32_t want_len = 0;
			u_strToUTF8(want, sizeof want, &want_len, dst, out, &err);
			assert_false(U_FAILURE(err));
			struct ni_buf buf = NI_BUF_INIT;
			assert_int_equal(ni_analyzer_fold(a, forms[f],
							  (size_t)lens[f], &buf),
					 NI_OK);
			if (buf.len != (size_t)want_len ||
			    memcmp(ni_buf_str(&buf), want, buf.len))
				fail_msg("0x%02x in form %d: '%s', not '%s'", c,
					 f, ni_buf_str(&buf), want);
			ni_buf_release(&buf);
		}
	}
}

/*
 * The ASCII shortcut must give what ICU gives.  Every printable ASCII
 * character is put inside a word, once in a pure-ASCII word (shortcut)
 * and once in a word that also holds an "é" (ICU path).
 */
/* Remove the spaces of s in place. */
static char *no_spaces(char *s)
{
	char *out = s;
	for (const char *p = s; *p; p++)
		if (*p != ' ')
			*out++ = *p;
	*out = '\0';
	return s;
}

struct fold_check {
	ni_analyzer *a;
	const char *text;
	size_t words;
};

/*
 * Each word's own fold through ni_analyzer_fold() (the general path,
 * with no shortcut), for every token not marked `also`: what the
 * per-character fast path of words must give too.  Spaces aside: a
 * word keeps those its folding makes (U+037A is " ι"), and
 * ni_analyzer_fold() trims them.  Only words: collect() also checks
 * the spans of `also` tokens, and random CJK text with folding marks
 * finds one that ends after the last word (left as it is: tokens stay).
 */
static int check_fold(void *ctx, const struct ni_token *t)
{
	struct fold_check *c = ctx;
	if (t->also)
		return 0;
	char word[4 * NI_ANALYZER_MAX_WORD];
	memcpy(word, t->word, t->len + 1);
	char *want = fold(c->a, c->text + t->start, t->end - t->start);
	assert_string_equal(no_spaces(word), no_spaces(want));
	free(want);
	c->words++;
	return 0;
}

static size_t check_tokens_fold(ni_analyzer *a, const char *text,
				size_t len)
{
	struct fold_check c = {.a = a, .text = text};
	assert_int_equal(ni_analyzer_run(a, text, len, check_fold, &c, NULL),
			 NI_OK);
	return c.words;
}

static size_t put_utf8(char *s, size_t at, UChar32 c)
{
	int32_t n = 0;
	U8_APPEND_UNSAFE(s + at, n, c);
	return at + (size_t)n;
}

static void test_fast_fold_matches_general(void **state)
{
	ni_analyzer *a = *state;
	char text[512];
	/* Every character the fast path may take, alone and in a word. */
	static const UChar32 ranges[][2] = {
		{0x80, 0x52F}, {0x3041, 0x30FF}, {0x3400, 0x4DBF},
		{0x4E00, 0x9FFF}, {0xAC00, 0xD7A3},
	};
	for (size_t k = 0; k < sizeof(ranges) / sizeof(ranges[0]); k++)
		for (UChar32 c = ranges[k][0]; c <= ranges[k][1]; c++) {
			size_t n = put_utf8(text, 0, c);
			check_tokens_fold(a, text, n);
			n = put_utf8(text, 0, 'A');
			n = put_utf8(text, n, c);
			n = put_utf8(text, n, 'b');
			n = put_utf8(text, n, c);
			check_tokens_fold(a, text, n);
		}
	/* Random words mixing them with what takes the general path. */
	static const UChar32 pool[] = {
		'a', 'Z', 'e', 'i', 's', '3', '\'', '-', '.', ' ', 0xAD,
		0xC4, 0xDF, 0xE9, 0xC9, 0x130, 0x149, 0x17F, 0x1C4, 0x2BC,
		0x300, 0x301, 0x308, 0x327, 0x345, 0x390, 0x3A3, 0x3C2,
		0x3AC, 0x419, 0x439, 0x451, 0x483, 0x2019, 0x1E9E, 0xFB01,
		0x304B, 0x3099, 0x30AB, 0x30FC, 0xFF76, 0xFF9E, 0x4E2D,
		0xF900, 0xAC00, 0xD55C, 0x1100, 0x1161, 0x11A8, 0x3131,
	};
	srand(6);
	for (int i = 0; i < 3000; i++) {
		size_t n = 0;
		int chars = 1 + rand() % 40;
		for (int j = 0; j < chars; j++)
			n = put_utf8(text, n, pool[(size_t)rand() %
					  (sizeof(pool) / sizeof(pool[0]))]);
		check_tokens_fold(a, text, n);
	}
	/* The length limit counts folded units, then bytes, as there. */
	struct run r;
	size_t n = 0;
	for (int i = 0; i < 32; i++)
		n = put_utf8(text, n, 0xDF);    /* ß: "ss" */
	analyze_n(a, text, n, &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.tok[0].len, 64);
	n = put_utf8(text, n, 0xDF);
	size_t dropped = ni_analyzer_dropped(a);
	analyze_n(a, text, n, &r);
	assert_int_equal(r.n, 0);
	assert_int_equal(ni_analyzer_dropped(a), dropped + 1);
	/* A Korean word of 21 syllables is 63 bytes, of 22, 66. */
	n = 0;
	for (int i = 0; i < 21; i++)
		n = put_utf8(text, n, 0xD55C);  /* 한 */
	assert_int_equal(check_tokens_fold(a, text, n), 1);
	n = put_utf8(text, n, 0xD55C);
	assert_int_equal(check_tokens_fold(a, text, n), 0);
	assert_int_equal(ni_analyzer_dropped(a), dropped + 2);
}

/*
 * splits_word() looks nothing up for U+00C0..U+037D but U+02BC, the one
 * apostrophe there: it holds no punctuation, unless an ICU upgrade
 * moved some in.
 */
static void test_no_punctuation_in_latin_letters(void **state)
{
	(void)state;
	for (UChar32 c = 0xC0; c < 0x37E; c++)
		if (c != 0x02BC && u_ispunct(c))
			fail_msg("U+%04X is punctuation", (unsigned)c);
}

static void test_ascii_fast_path_matches_icu(void **state)
{
	ni_analyzer *a = *state;
	struct run ascii, mixed;
	for (int c = 0x21; c < 0x7f; c++) {
		char text[16], text_e[16], want[sizeof(ascii.tok[0].word) + 4];
		snprintf(text, sizeof(text), "Ab%cCd9", c);
		snprintf(text_e, sizeof(text_e), "Ab%cCd9\xc3\xa9", c);
		analyze(a, text, &ascii);
		analyze(a, text_e, &mixed);
		assert_int_equal(ascii.n, mixed.n);
		assert_true(ascii.n >= 1);
		for (size_t i = 0; i < ascii.n; i++) {
			struct tok *t = &ascii.tok[i];
			/* The joined form of a compound is not a fold of
			 * its span; its parts are. */
			if (t->word[0] != '+') {
				icu_fold(text + t->start,
					 (int32_t)(t->end - t->start), want,
					 sizeof(want));
				assert_string_equal(t->word, want);
			}
			/* The words that end the text end in "e" (é without
			 * its accent) in the mixed one. */
			if (t->end == strlen(text))
				snprintf(want, sizeof(want), "%se", t->word);
			else
				snprintf(want, sizeof(want), "%s", t->word);
			assert_string_equal(mixed.tok[i].word, want);
		}
	}
}

static int run_inside(void *ctx, const struct ni_token *t)
{
	ni_analyzer *a = ctx;
	struct ni_buf buf = NI_BUF_INIT;
	char word[NI_ANALYZER_MAX_WORD + 1];
	memcpy(word, t->word, t->len + 1);

	/* Folding from a callback is fine and leaves the token alone. */
	assert_int_equal(ni_analyzer_fold(a, "Nested Fold", 11, &buf), NI_OK);
	assert_string_equal(ni_buf_str(&buf), "nested fold");
	assert_string_equal(t->word, word);
	ni_buf_release(&buf);

	/* Running again would pull the text from under the outer run. */
	assert_int_equal(ni_analyzer_run(a, "inner", 5, run_inside, a, NULL),
			 NI_EINVAL);
	return 0;
}

static void test_reentry(void **state)
{
	ni_analyzer *a = *state;
	assert_int_equal(ni_analyzer_run(a, "Outer Words", 11, run_inside, a,
					 NULL), NI_OK);
	/* Usable again once the outer run is over. */
	check_words(a, "after it", "after|it");
}

static int count_tokens(void *ctx, const struct ni_token *t)
{
	(void)t;
	++*(size_t *)ctx;
	return 0;
}

static void test_growing_text(void **state)
{
	ni_analyzer *a = *state;
	const char *sentence = "Stocks rose 3.5% in T\xc3\xb6kyo today. ";
	size_t slen = strlen(sentence), reps = 20000;
	char *big = malloc(slen * reps);
	assert_non_null(big);
	for (size_t i = 0; i < reps; i++)
		memcpy(big + i * slen, sentence, slen);
	size_t count = 0;
	assert_int_equal(ni_analyzer_run(a, big, slen * reps, count_tokens,
					 &count, NULL), NI_OK);
	assert_int_equal(count, 6 * reps);
	free(big);
	check_words(a, sentence, "stocks|rose|3.5|in|tokyo|today");
}

/*
 * The fullwidth block U+FF01..U+FF5E is ASCII's U+0021..U+007E, as NFKC
 * maps it: the analyzer reads names with symbols (Ｃ＋＋) by that
 * arithmetic, and ni_analyzer_fold() by ICU.
 */
static void test_fullwidth_block_is_ascii(void **state)
{
	for (unsigned c = 0xFF01; c <= 0xFF5E; c++) {
		char text[4] = {(char)(0xE0 | (c >> 12)),
				(char)(0x80 | ((c >> 6) & 0x3F)),
				(char)(0x80 | (c & 0x3F)), 0};
		char *folded = fold(*state, text, 3);
		char ascii = (char)(c - 0xFEE0);
		if (ascii >= 'A' && ascii <= 'Z')
			ascii = (char)(ascii - 'A' + 'a');
		assert_int_equal(strlen(folded), 1);
		assert_int_equal(folded[0], ascii);
		free(folded);
	}
}

static void test_settings(void **state)
{
	(void)state;
	assert_string_equal(ni_analyzer_settings(),
			    "icu-word;as-seen=apostrophes+zwsp+subscripts+nnbsp;"
			    "numbers=groups;nfkc-casefold;apostrophe;"
			    "marks=latn+grek+dotless-i+yo;"
			    "compounds=hyphens+dashes;"
			    "symbols=++#&;cjk=dict+bigrams+hangul;maxword=64");
	assert_ptr_equal(ni_analyzer_settings(), ni_analyzer_settings());
}

static void test_free_null(void **state)
{
	(void)state;
	ni_analyzer_free(NULL);
	ni_analyzer *a = NULL;
	assert_int_equal(ni_analyzer_new(&a), NI_OK);
	assert_non_null(a);
	assert_int_equal(ni_analyzer_dropped(a), 0);
	assert_string_equal(ni_analyzer_errmsg(a), "");
	ni_analyzer_free(a);
}

#define TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_english_sentence),
		TEST(test_punctuation_never_emitted),
		TEST(test_apostrophes),
		TEST(test_names_with_symbols),
		TEST(test_accents_dropped),
		TEST(test_marks_that_are_letters_kept),
		TEST(test_decomposed_equals_precomposed),
		TEST(test_compatibility_forms),
		TEST(test_greek_and_cyrillic),
		TEST(test_dotless_i_and_yo),
		TEST(test_joined_as_seen),
		TEST(test_chinese),
		TEST(test_southeast_asian),
		TEST(test_japanese_mixed),
		TEST(test_cjk_bigrams),
		TEST(test_numbers),
		TEST(test_grouped_numbers),
		TEST(test_narrow_no_break_space),
		TEST(test_emoji_dropped),
		TEST(test_long_words_dropped),
		TEST(test_empty_after_folding),
		TEST(test_invalid_utf8),
		TEST(test_u8_next_matches_conversion),
		TEST(test_random_offsets),
		TEST(test_callback_stop),
		TEST(test_index_restarts_per_call),
		TEST(test_empty_and_bad_arguments),
		TEST(test_fold),
		TEST(test_fold_growing),
		TEST(test_fold_ascii_matches_icu),
		TEST(test_ascii_fast_path_matches_icu),
		TEST(test_fast_fold_matches_general),
		TEST(test_no_punctuation_in_latin_letters),
		TEST(test_reentry),
		TEST(test_growing_text),
		TEST(test_fullwidth_block_is_ascii),
		TEST(test_settings),
		TEST(test_free_null),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);
	/* ICU keeps its data and caches until told; LSan would report them. */
	u_cleanup();
	return failed;
}
