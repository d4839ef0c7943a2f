/*
 * ni_analyzer: see include/ni_analyzer.h.
 *
 * A call converts the whole UTF-8 text to UTF-16 once, because that is
 * what ICU's break iterator and normalizer read, and then walks the word
 * boundaries.  Byte offsets into the original UTF-8 are recovered by
 * walking the UTF-8 text in step with the UTF-16 index, instead of keeping
 * an offset table as large as the text.
 *
 * Speed matters (millions of articles), so nothing is allocated per word:
 * a word longer than NI_ANALYZER_MAX_WORD after folding is dropped, which
 * bounds the scratch space for one folded word, and the UTF-16 copy of
 * the text only grows when a longer text arrives.
 */
#include "ni_analyzer.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "ni_buf.h"

/*
 * Folded UTF-8 takes at least one byte per UTF-16 unit, so a word whose
 * folded UTF-16 is longer than NI_ANALYZER_MAX_WORD units is too long, and
 * one that is not needs at most 3 bytes per unit.
 */
#define WORD16_CAP NI_ANALYZER_MAX_WORD
#define WORD8_CAP (3 * NI_ANALYZER_MAX_WORD + 1)
/*
 * A number's group marks are at most a third of it (1,00,00,000): one
 * that is longer than this is too long a word without them too.
 */
#define NUMBER16_CAP (2 * NI_ANALYZER_MAX_WORD)
/*
 * How far from a mark between digits its number is read, each way: the
 * longest grouped numbers written (999,999,999,999.99) are some 20
 * characters, and reading further would cost hostile text ("1,1 1,1
 * 1,1 ..." for a megabyte) that much more per mark.
 */
#define NUMBER_REACH 40

#define SUBSTITUTE_CHAR 0xFFFD

/*
 * The characters from U+0080 up to FAST_LIMIT (Latin, IPA, Greek,
 * Cyrillic) have their folded forms in a table (struct fast_fold).
 */
#define FAST_FIRST 0x80
#define FAST_LIMIT 0x530

/* A growable UTF-16 buffer; ICU counts in int32_t, so the capacity does. */
struct u16buf {
	UChar *data;
	int32_t cap;
};

/*
 * One character's folded form, as fold_unicode() makes it alone: `n16`
 * units after NFKC_Casefold, `len8` bytes of UTF-8 after the accents are
 * dropped.  `ok` is false for the characters that may change with their
 * neighbours (combining marks, or a mark first in the folded form), which
 * take the general path.
 */
struct fast_fold {
	bool ok;
	uint8_t n16;
	uint8_t len8;
	char utf8[5];
};

struct ni_analyzer {
	UBreakIterator *words;
	const UNormalizer2 *folder;  /* owned by ICU, never closed */
	const UNormalizer2 *nfd;     /* likewise; letters' decompositions */
	struct u16buf cjk;           /* a run of CJK text, folded */
	enum ni_cjk_mode cjk_mode;
	struct u16buf text16;        /* the text being broken into words */
	/*
	 * ni_analyzer_fold() has buffers of its own, so a callback may fold
	 * a string while ni_analyzer_run() is still using text16.
	 */
	struct u16buf fold_src;
	struct u16buf fold_dst;
	UChar word16[WORD16_CAP];
	char word8[WORD8_CAP];
	/*
	 * ni_analyzer_run()'s compound joined form, with room for a whole
	 * NI_ANALYZER_MAX_WORD bytes past it: emit_part() copies a fixed
	 * size, a few moves instead of a call per word.  Here rather than
	 * on the stack, so a call need not clear it.
	 */
	char joined[2 * NI_ANALYZER_MAX_WORD + 2];
	char bigram[2 * 4 + 1];      /* and its bigram being emitted */
	UChar number16[NUMBER16_CAP];  /* a number without its group marks */
	bool fast_ready;             /* fast[] is filled in */
	struct fast_fold fast[FAST_LIMIT - FAST_FIRST];
	size_t dropped;
	bool running;
	char errmsg[128];
};

const char *ni_analyzer_settings(void)
{
	return "icu-word;as-seen=apostrophes+zwsp+subscripts+nnbsp;"
	       "numbers=groups;nfkc-casefold;apostrophe;"
	       "marks=latn+grek+dotless-i+yo;compounds=hyphens+dashes;"
	       "symbols=++#&;cjk=dict+bigrams+hangul;maxword="
	       NI_ANALYZER_MAX_WORD_TEXT;
}

size_t ni_analyzer_dropped(const ni_analyzer *analyzer)
{
	return analyzer->dropped;
}

const char *ni_analyzer_errmsg(const ni_analyzer *analyzer)
{
	return analyzer->errmsg;
}

static ni_status fail(ni_analyzer *a, ni_status st, const char *what)
{
	snprintf(a->errmsg, sizeof(a->errmsg), "%s", what);
	return st;
}

static ni_status fail_icu(ni_analyzer *a, const char *function,
			  UErrorCode code)
{
	snprintf(a->errmsg, sizeof(a->errmsg), "%s: %s", function,
		 u_errorName(code));
	return NI_EUNICODE;
}

ni_status ni_analyzer_new(ni_analyzer **out)
{
	*out = NULL;
	ni_analyzer *a = calloc(1, sizeof(*a));
	if (!a)
		return NI_ENOMEM;

	UErrorCode err = U_ZERO_ERROR;
	a->folder = unorm2_getNFKCCasefoldInstance(&err);
	a->nfd = unorm2_getNFDInstance(&err);
	/*
	 * The root locale: word breaking does not depend on the language
	 * (dictionaries for CJK and Thai are chosen by script), and the same
	 * rules must apply to every article and every query.
	 */
	if (U_SUCCESS(err))
		a->words = ubrk_open(UBRK_WORD, "", NULL, 0, &err);
	if (U_FAILURE(err)) {
		ni_analyzer_free(a);
		return NI_EUNICODE;
	}
	/* Measured best on bench/cjk/ (docs/architecture.md). */
	a->cjk_mode = NI_CJK_BOTH_HANGUL;
	*out = a;
	return NI_OK;
}

void ni_analyzer_free(ni_analyzer *analyzer)
{
	if (!analyzer)
		return;
	ubrk_close(analyzer->words);
	free(analyzer->text16.data);
	free(analyzer->cjk.data);
	free(analyzer->fold_src.data);
	free(analyzer->fold_dst.data);
	free(analyzer);
}

/* Make room for `need` units; grows geometrically so it rarely happens. */
static ni_status u16buf_reserve(struct u16buf *b, int32_t need)
{
	if (need <= b->cap)
		return NI_OK;
	int32_t cap = b->cap > INT32_MAX / 2 ? INT32_MAX : b->cap * 2;
	if (cap < need)
		cap = need;
	UChar *data = realloc(b->data, (size_t)cap * sizeof(UChar));
	if (!data)
		return NI_ENOMEM;
	b->data = data;
	b->cap = cap;
	return NI_OK;
}

/*
 * Checks the arguments shared by ni_analyzer_run() and ni_analyzer_fold()
 * and clears the previous error.  ICU takes int32_t lengths, hence the
 * limit.
 */
static ni_status check_text(ni_analyzer *a, const char *text, size_t len)
{
	a->errmsg[0] = '\0';
	if (!text && len)
		return fail(a, NI_EINVAL,
			    "text is NULL but its length is not 0");
	if (len > INT32_MAX)
		return fail(a, NI_EINVAL,
			    "text is longer than 2147483647 bytes");
	return NI_OK;
}

/*
 * Convert `len` bytes of UTF-8 into `dst`, with U+FFFD for each maximal
 * ill-formed subsequence, counted in `*subs` when it is not NULL.  A
 * UTF-8 sequence of n bytes never gives more than n UTF-16 units, so
 * `len` units are always enough.
 */
static ni_status to_utf16(ni_analyzer *a, struct u16buf *dst,
			  const char *text, int32_t len, int32_t *len16,
			  int32_t *subs)
{
	if (u16buf_reserve(dst, len) != NI_OK)
		return fail(a, NI_ENOMEM, "cannot allocate the UTF-16 text");
	/* The ASCII that starts the text (most often all of it) is a unit
	 * for each byte, widened here at a fraction of ICU's cost; ICU
	 * converts what follows, which starts a character. */
	int32_t ascii = 0;
	while (ascii < len && (unsigned char)text[ascii] < 0x80) {
		dst->data[ascii] = (UChar)text[ascii];
		ascii++;
	}
	*len16 = ascii;
	if (subs)
		*subs = 0;
	if (ascii == len)
		return NI_OK;
	UErrorCode err = U_ZERO_ERROR;
	int32_t rest = 0;
	u_strFromUTF8WithSub(dst->data + ascii, dst->cap - ascii, &rest,
			     text + ascii, len - ascii, SUBSTITUTE_CHAR, subs,
			     &err);
	if (U_FAILURE(err))
		return fail_icu(a, "u_strFromUTF8WithSub", err);
	*len16 = ascii + rest;
	return NI_OK;
}

/*
 * Tracks the UTF-8 byte offset matching a UTF-16 index as the index moves
 * forward.  U8_NEXT() consumes one maximal ill-formed subsequence at a
 * time, as u_strFromUTF8WithSub() does when it writes one U+FFFD, so the
 * two stay in step on invalid input too (tests/unit/test_analyzer.c
 * checks this on random bytes).
 *
 * A sequence of n bytes gives at most n UTF-16 units, and exactly n only
 * when n is 1 (ASCII, or one invalid byte).  So when the text has as many
 * units as bytes, index and offset are equal everywhere and there is
 * nothing to walk: the usual case for English news.  When the text was
 * valid UTF-8 (nothing substituted), each UTF-16 unit tells how many
 * bytes it came from, which is cheaper to count than decoding UTF-8.
 */
struct offset_walk {
	const uint8_t *text;
	int32_t len;
	bool same;
	const UChar *valid16;   /* the UTF-16 text if the UTF-8 was valid */
	int32_t at8;
	int32_t at16;
};

static size_t walk_to(struct offset_walk *w, int32_t target16)
{
	if (w->same)
		return (size_t)target16;
	if (w->valid16) {
		/* 1 byte below U+0080, 2 below U+0800, 4 per pair, else 3. */
		int32_t at8 = w->at8;
		for (int32_t i = w->at16; i < target16; i++) {
			UChar c = w->valid16[i];
			at8 += 1 + (c >= 0x80) +
			       (c >= 0x800 && !U16_IS_SURROGATE(c));
		}
		if (target16 > w->at16) {
			w->at16 = target16;
			w->at8 = at8;
		}
		return (size_t)w->at8;
	}
	while (w->at16 < target16 && w->at8 < w->len) {
		UChar32 c;
		U8_NEXT(w->text, w->at8, w->len, c);
		w->at16 += c < 0 ? 1 : U16_LENGTH(c);
	}
	return (size_t)w->at8;
}

static bool is_apostrophe(UChar c)
{
	return c == 0x2019 || c == 0x02BC || c == 0xFF07;
}

/*
 * Typographic apostrophes become "'" so that "SenseTime’s" typed by an
 * editor and "SenseTime's" typed by a reader give the same term.
 */
static void map_apostrophes(UChar *s, int32_t n)
{
	for (int32_t i = 0; i < n; i++)
		if (is_apostrophe(s[i]))
			s[i] = '\'';
}

/*
 * Marks are dropped only after a Latin or Greek letter, where they are
 * accents people leave out when they type (cafe, uberwachung, Αθηνα).
 * Elsewhere they are part of the letter: the voicing marks of kana
 * (が is not か), the vowel signs of Indic scripts and Thai.
 */
static bool marks_are_accents(UChar32 base)
{
	UErrorCode err = U_ZERO_ERROR;
	UScriptCode script = uscript_getScript(base, &err);
	return U_SUCCESS(err) &&
	       (script == USCRIPT_LATIN || script == USCRIPT_GREEK);
}

/*
 * Whether s has a character that may carry a mark to drop: accented
 * Latin and Greek letters and the combining marks are all in
 * U+00C0..U+1FFF (Latin Extended-C and later, rare in news, are left
 * alone), and CJK words, far above, skip the decomposition.
 */
static bool may_have_accents(const UChar *s, int32_t n)
{
	for (int32_t i = 0; i < n; i++)
		if (s[i] >= 0xC0 && s[i] < 0x2000)
			return true;
	return false;
}

/*
 * The letter an accented letter is made of (é -> e, ệ -> e, ί -> ι,
 * and ı -> i, ё -> е), or c itself: its canonical decomposition is a
 * Latin or Greek letter and non-spacing marks only.
 */
static UChar32 base_letter(ni_analyzer *a, UChar32 c)
{
	/*
	 * Two letters that no decomposition makes plain, but that people
	 * type plain: the Turkish dotless ı, which capitals lose
	 * (KILIÇDAROĞLU folds to "kiliç...") and ASCII keyboards lack,
	 * the one letter of Kılıçdaroğlu whose mark was kept; and the
	 * Russian ё, which most Russian text writes е (and whose
	 * diaeresis is no accent to drop, as the breve of й is not).
	 */
	if (c == 0x131)
		return 'i';
	if (c == 0x451)
		return 0x435;
	UChar d[8];
	UErrorCode err = U_ZERO_ERROR;
	int32_t n = unorm2_getDecomposition(a->nfd, c, d, 8, &err);
	if (U_FAILURE(err) || n <= 1)
		return c;
	int32_t i = 0;
	UChar32 base;
	U16_NEXT(d, i, n, base);
	while (i < n) {
		UChar32 mark;
		U16_NEXT(d, i, n, mark);
		if (u_charType(mark) != U_NON_SPACING_MARK)
			return c;
	}
	return marks_are_accents(base) ? base : c;
}

/*
 * Drop the accents of s (n units) in place: an accented Latin or Greek
 * letter becomes its base letter, and a non-spacing mark after a Latin
 * or Greek letter (one with no precomposed form) is left out.  Decomposed
 * and precomposed input give the same result, since NFKC_Casefold
 * composed both already.  One character at a time, with no
 * normalization pass: the words of European news are full of accents,
 * and two more normalizations per word cost 10% of the analyzer's time
 * (docs/benchmarks.md).  A letter gives at most itself back, so the
 * result fits where the word was.
 */
static void drop_accents(ni_analyzer *a, UChar *s, int32_t *n)
{
	if (!may_have_accents(s, *n))
		return;
	int32_t out = 0;
	UChar32 prev = 0;     /* the last character that is not a mark */
	for (int32_t i = 0; i < *n;) {
		int32_t at = i;
		UChar32 c;
		U16_NEXT(s, i, *n, c);
		if (c >= 0xC0 && c < 0x2000) {
			if (u_charType(c) == U_NON_SPACING_MARK) {
				if (marks_are_accents(prev))
					continue;
			} else {
				prev = c;
				c = base_letter(a, c);
			}
		} else {
			prev = c;
		}
		if (c >= 0x10000 || at + 1 != i) {
			while (at < i)
				s[out++] = s[at++];
		} else {
			s[out++] = (UChar)c;
		}
	}
	*n = out;
}

/*
 * The general path: NFKC_Casefold into the fixed word16, apostrophes, then
 * UTF-8 into word8.  A result that overflows word16 is too long, and ICU
 * reports that as U_BUFFER_OVERFLOW_ERROR, which is not a failure here.
 */
static ni_status fold_unicode(ni_analyzer *a, const UChar *w, int32_t n,
			      size_t *len8, int32_t *folded16)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t n16;
	/*
	 * Most words of CJK and other scripts are folded already; seeing
	 * that is cheaper than folding them (docs/benchmarks.md).
	 */
	if (n <= WORD16_CAP &&
	    unorm2_spanQuickCheckYes(a->folder, w, n, &err) == n) {
		memcpy(a->word16, w, (size_t)n * sizeof(*w));
		n16 = n;
	} else {
		err = U_ZERO_ERROR;
		n16 = unorm2_normalize(a->folder, w, n, a->word16,
				       WORD16_CAP, &err);
	}
	if (err == U_BUFFER_OVERFLOW_ERROR || n16 > WORD16_CAP) {
		*len8 = (size_t)n16;
		*folded16 = n16;
		return NI_OK;
	}
	if (U_FAILURE(err))
		return fail_icu(a, "unorm2_normalize", err);
	*folded16 = n16;
	map_apostrophes(a->word16, n16);
	drop_accents(a, a->word16, &n16);

	/*
	 * The text came from u_strFromUTF8WithSub() and the normalizer, so
	 * it is well-formed UTF-16, and WORD8_CAP holds 3 bytes per unit:
	 * no checks to pay for, per word.
	 */
	int32_t n8 = 0;
	for (int32_t i = 0; i < n16;) {
		UChar32 c;
		U16_NEXT(a->word16, i, n16, c);
		U8_APPEND_UNSAFE(a->word8, n8, c);
	}
	a->word8[n8] = '\0';
	*len8 = (size_t)n8;
	return NI_OK;
}

/*
 * Han, kana and Hangul syllables that NFKC_Casefold leaves alone, never
 * combine with a neighbour and have no accents: the words of Chinese,
 * Japanese and Korean are mostly these (tests/unit/test_analyzer.c
 * checks every one against the general path).
 */
static bool is_plain_cjk(UChar c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7A3) ||
	       (c >= 0x3041 && c <= 0x3096) || (c >= 0x30A1 && c <= 0x30FA) ||
	       c == 0x30FC || (c >= 0x3400 && c <= 0x4DBF);
}

static bool all_plain_cjk(const UChar *s, int32_t n)
{
	for (int32_t i = 0; i < n; i++)
		if (!is_plain_cjk(s[i]))
			return false;
	return true;
}

/*
 * Fill in a->fast with fold_unicode() itself, so the two paths cannot
 * differ.  A character qualifies when NFKC_Casefold always has a
 * boundary before it (it never combines with or reorders around the
 * one before), so a word of such characters folds to the concatenation
 * of their folded forms; and when its folded form does not start with a
 * mark, whose accent dropping would depend on the letter before.
 * Done on the first word that needs it: a query in ASCII never pays.
 */
static void fill_fast(ni_analyzer *a)
{
	for (UChar c = FAST_FIRST; c < FAST_LIMIT; c++) {
		struct fast_fold *f = &a->fast[c - FAST_FIRST];
		f->ok = false;
		if (!unorm2_hasBoundaryBefore(a->folder, c))
			continue;
		UChar d[8];
		UErrorCode err = U_ZERO_ERROR;
		int32_t nd = unorm2_normalize(a->folder, &c, 1, d, 8, &err);
		if (U_FAILURE(err) ||
		    (nd > 0 && u_charType(d[0]) == U_NON_SPACING_MARK))
			continue;
		size_t len8;
		int32_t n16;
		if (fold_unicode(a, &c, 1, &len8, &n16) != NI_OK ||
		    len8 > sizeof(f->utf8) || n16 > WORD16_CAP)
			continue;
		memcpy(f->utf8, a->word8, len8);
		f->len8 = (uint8_t)len8;
		f->n16 = (uint8_t)n16;
		f->ok = true;
	}
	a->errmsg[0] = '\0';
	a->fast_ready = true;
}

/*
 * The fast path for most words: each character folded on its own, with
 * no ICU call.  NFKC_Casefold lowercases ASCII A-Z and leaves the rest of
 * ASCII alone; plain CJK stays as it is; Latin, Greek and Cyrillic come
 * from a->fast.  Returns false, having written garbage, if a character
 * needs the general path.  As there, a word whose folded form has more
 * than WORD16_CAP units is too long (`*len8` is then that count); else
 * it has at most 3 bytes per unit, which word8 holds.
 */
static bool fold_fast(ni_analyzer *a, const UChar *w, int32_t n,
		      size_t *len8)
{
	char *out = a->word8;
	int32_t n16 = 0;
	size_t o = 0;
	for (int32_t i = 0; i < n; i++) {
		UChar c = w[i];
		if (c < 0x80) {
			if (c >= 'A' && c <= 'Z')
				c += 'a' - 'A';
			if (++n16 <= WORD16_CAP)
				out[o++] = (char)c;
		} else if (c < FAST_LIMIT) {
			if (!a->fast_ready) {
				fill_fast(a);
				return fold_fast(a, w, n, len8);
			}
			const struct fast_fold *f = &a->fast[c - FAST_FIRST];
			if (!f->ok)
				return false;
			n16 += f->n16;
			if (n16 <= WORD16_CAP) {
				memcpy(out + o, f->utf8, f->len8);
				o += f->len8;
			}
		} else if (is_plain_cjk(c)) {
			if (++n16 <= WORD16_CAP) {
				out[o++] = (char)(0xE0 | (c >> 12));
				out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
				out[o++] = (char)(0x80 | (c & 0x3F));
			}
		} else {
			return false;
		}
	}
	if (n16 > WORD16_CAP) {
		*len8 = (size_t)n16;
	} else {
		out[o] = '\0';
		*len8 = o;
	}
	return true;
}

/*
 * Fold one word into a->word8.  `*len8` is its length; 0 means nothing is
 * left, more than NI_ANALYZER_MAX_WORD means too long (word8 is then not
 * filled in).
 */
static ni_status fold_word(ni_analyzer *a, const UChar *w, int32_t n,
			   size_t *len8)
{
	if (fold_fast(a, w, n, len8))
		return NI_OK;
	int32_t n16;
	return fold_unicode(a, w, n, len8, &n16);
}


static ni_status fold_string(ni_analyzer *a, struct u16buf *dst,
			     const UChar *src, int32_t n, int32_t *n16);

/*
 * Hyphens that join the parts of a compound (e-commerce, covid-19): the
 * ASCII one and what people paste for it, written between two words
 * with no space: the hyphen U+2010, the non-breaking hyphen U+2011 that
 * word processors put in, the figure dash U+2012, the en dash U+2013
 * (e–mail, and 2004–2005 or Paris–Berlin, which are then what 2004-2005
 * and Paris-Berlin are), and the small and fullwidth hyphen-minus
 * (NFKC's "-").  Not the em dash, which joins clauses with no space in
 * American typography (the deal—which...), nor the minus sign.
 */
static bool is_hyphen(UChar c)
{
	return c == '-' || (c >= 0x2010 && c <= 0x2013) || c == 0xFE63 ||
	       c == 0xFF0D;
}

/*
 * Punctuation inside one of ICU's words splits it into parts (U.S,
 * l'économie, SenseTime's), except between digits, where it belongs to
 * the number (3.5, 1,000).
 */
static bool splits_word(const UChar *s, int32_t i, int32_t end)
{
	UChar c = s[i];
	/*
	 * Most characters are ASCII letters and digits, accented Latin
	 * letters (U+00C0..U+037D holds no punctuation, and one apostrophe,
	 * U+02BC), or kana, Han and Hangul (U+3040..U+FE0F holds no
	 * punctuation UAX #29 keeps inside a word): no lookup.
	 * tests/unit/test_analyzer.c checks both ranges.
	 */
	if (c < 0x80) {
		if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
			return false;
		if (c >= '0' && c <= '9')
			return false;
	} else if (c >= 0xC0 && c < 0x37E) {
		if (c != 0x02BC)
			return false;
	} else if (c >= 0x3040 && c < 0xFE10) {
		return false;
	}
	if (!u_ispunct(c) && !is_apostrophe(c))
		return false;
	return !(i > 0 && u_isdigit(s[i - 1]) && i + 1 < end &&
		 u_isdigit(s[i + 1]));
}

/*
 * Numbers written with their thousands grouped: 1,000 and 1,000,000
 * (English), 1 000 with a no-break, narrow no-break, thin or figure
 * space (French, Swiss, SI), 1'000 and 1’000 (Swiss), 1,00,000 (Indian
 * lakhs).  The reader sees the number 1000 in each, as in 1000, so each
 * is the word "1000".  What a mark between digits is depends on the
 * whole number, read one way for articles and queries alike: a group
 * separator when the number is a first group of 1 to 3 digits (not
 * starting with 0), then groups of exactly 3 (or, with commas, the
 * Indian 2s ending in a 3) all separated by the same mark, then maybe a
 * decimal part after a "." or another mark, and then no more digits
 * joined to it.  So 1,5 (German 1.5), 0,001, 12,34, 1,000,00 and
 * 1990,1991 keep their commas; the period, 1.000, is 1000 in German and
 * 1 in English, and stays a decimal point.
 */
enum num_mark { MARK_NONE, MARK_COMMA, MARK_APOSTROPHE, MARK_SPACE,
		MARK_PERIOD };

static enum num_mark num_mark_of(UChar c)
{
	switch (c) {
	case ',':
	case 0x066C:   /* the Arabic thousands separator */
	case 0xFF0C:   /* the fullwidth comma */
		return MARK_COMMA;
	case '\'':
	case 0x2019:
	case 0x02BC:
	case 0xFF07:
		return MARK_APOSTROPHE;
	case 0x00A0:
	case 0x2007:
	case 0x2009:
	case 0x202F:
	/* What join_words_as_seen() makes of the spaces above. */
	case 0x00AD:
	case 0x2060:
		return MARK_SPACE;
	case '.':
	case 0xFF0E:
		return MARK_PERIOD;
	default:
		return MARK_NONE;
	}
}

/* A decimal digit of any script; the first after ASCII's is U+0660. */
static bool is_digit(UChar c)
{
	if (c < 0x660)
		return c >= '0' && c <= '9';
	return u_isdigit(c);
}

static int32_t digits_from(const UChar *s, int32_t i, int32_t n)
{
	int32_t j = i;
	while (j < n && is_digit(s[j]))
		j++;
	return j - i;
}

/* Whether s[i] is a mark with a digit on each side. */
static bool mark_in_number(const UChar *s, int32_t i, int32_t n)
{
	return i > 0 && i + 1 < n && num_mark_of(s[i]) != MARK_NONE &&
	       is_digit(s[i - 1]) && is_digit(s[i + 1]);
}

/*
 * Where the number around s[i] starts: digits and marks between them;
 * -1 when it starts more than NUMBER_REACH units before i (no number
 * with groups is that long).
 */
static int32_t number_start(const UChar *s, int32_t i)
{
	int32_t floor = i > NUMBER_REACH ? i - NUMBER_REACH : 0;
	int32_t j = i;
	for (;;) {
		while (j > floor && is_digit(s[j - 1]))
			j--;
		if (j == floor && floor > 0)
			return -1;
		if (j < 2 || num_mark_of(s[j - 1]) == MARK_NONE ||
		    !is_digit(s[j - 2]))
			return j;
		j--;
	}
}

/*
 * Whether s[i], a mark between two digits of the text s (n units),
 * separates groups of thousands in its number (above).  Reads at most
 * NUMBER_REACH units on either side of i.
 */
static bool separates_groups(const UChar *s, int32_t i, int32_t n)
{
	int32_t at = number_start(s, i);
	if (at < 0)
		return false;
	bool window = n > i + NUMBER_REACH;
	if (window)
		n = i + NUMBER_REACH;
	int32_t first = digits_from(s, at, n);
	if (first > 3 || s[at] == '0')
		return false;
	at += first;
	enum num_mark mark = num_mark_of(s[at]);
	if (mark == MARK_PERIOD || num_mark_of(s[i]) != mark)
		return false;
	bool western = true, indian = mark == MARK_COMMA && first <= 2;
	int32_t groups_end = at, last = 0;
	while (mark_in_number(s, at, n) && num_mark_of(s[at]) == mark) {
		if (last && last != 2)
			indian = false;
		last = digits_from(s, at + 1, n);
		western = western && last == 3;
		at += 1 + last;
		groups_end = at;
	}
	if (last != 3 || !(western || indian) || i >= groups_end)
		return false;
	/* A decimal part, by another mark; then the number must end. */
	if (mark_in_number(s, at, n) && (num_mark_of(s[at]) == MARK_PERIOD ||
					 num_mark_of(s[at]) == MARK_COMMA)) {
		at++;
		at += digits_from(s, at, n);
	}
	return !(window && at >= n) && !mark_in_number(s, at, n);
}

/*
 * The marks of a number's groups that ICU keeps in the word (commas and
 * apostrophes: 1,000 and 1'000 are one word) are left out of it: the
 * part s[start, end) of the text (n units) into `out` (`cap` units)
 * without them, its length in *len.  False when it has none, or is too
 * long to fit (it is then too long a word either way).
 */
static bool without_group_marks(const UChar *s, int32_t start, int32_t end,
				int32_t n, UChar *out, int32_t cap,
				int32_t *len)
{
	if (!is_digit(s[start]) || end - start > cap)
		return false;
	int32_t o = 0;
	for (int32_t i = start; i < end; i++) {
		enum num_mark mark = num_mark_of(s[i]);
		if ((mark == MARK_COMMA || mark == MARK_APOSTROPHE) &&
		    mark_in_number(s, i, n) && separates_groups(s, i, n))
			continue;
		out[o++] = s[i];
	}
	*len = o;
	return o < end - start;
}

/*
 * The state of one ni_analyzer_run(): where the words go, and the
 * compound being read.  A compound is a run of parts joined by hyphens
 * or by punctuation inside a word; its parts are words of their own,
 * and when there are two or more, their concatenation ("ecommerce",
 * "us") follows them as a token marked `also`.
 */
struct run {
	ni_analyzer *a;
	const UChar *text16;
	int32_t len16;
	struct offset_walk walk;
	ni_token_fn fn;
	void *ctx;
	int stopped;
	struct ni_token token;
	char *joined;           /* a->joined */
	size_t joined_len;      /* > NI_ANALYZER_MAX_WORD: too long */
	unsigned parts;
	size_t start;           /* bytes: the compound's first part */
	size_t end;             /* bytes: its last part's end */
	int32_t end16;          /* where its last word or hyphen ended */
	bool hyphen;            /* it ends with a hyphen, awaiting a part */
	/* The run of Han and kana words being read, for its bigrams. */
	int32_t cjk_start;
	int32_t cjk_end;
	unsigned cjk_words;     /* the dictionary's words emitted for it */
	size_t cjk_start8;      /* bytes */
	char *bigram;           /* a->bigram */
};

static void deliver(struct run *r)
{
	r->stopped = r->fn(r->ctx, &r->token);
}

/* Emit the joined form of the compound, if it has one, and forget it. */
static void end_compound(struct run *r)
{
	if (r->parts >= 2 && r->joined_len <= NI_ANALYZER_MAX_WORD) {
		r->joined[r->joined_len] = '\0';
		struct ni_token part = r->token;
		r->token = (struct ni_token){
			.word = r->joined, .len = r->joined_len,
			.start = r->start, .end = r->end,
			.index = part.index - 1, .also = true,
			.parts = r->parts,
		};
		deliver(r);
		r->token = part;
	}
	r->parts = 0;
	r->joined_len = 0;
	r->hyphen = false;
}

/* Fold text16[start, end) and emit it as a part of the compound. */
static ni_status emit_part(struct run *r, int32_t start, int32_t end)
{
	ni_analyzer *a = r->a;
	size_t len8;
	const UChar *part = r->text16 + start;
	int32_t n = end - start;
	if (without_group_marks(r->text16, start, end, r->len16, a->number16,
				NUMBER16_CAP, &n))
		part = a->number16;
	ni_status st = fold_word(a, part, n, &len8);
	if (st != NI_OK)
		return st;
	if (len8 > NI_ANALYZER_MAX_WORD) {
		a->dropped++;
		r->joined_len = NI_ANALYZER_MAX_WORD + 1;
		return NI_OK;
	}
	if (len8 == 0)
		return NI_OK;
	r->token.len = len8;
	r->token.start = walk_to(&r->walk, start);
	r->token.end = walk_to(&r->walk, end);
	if (r->parts++ == 0)
		r->start = r->token.start;
	r->end = r->token.end;
	if (r->joined_len + len8 <= NI_ANALYZER_MAX_WORD)
		memcpy(r->joined + r->joined_len, a->word8,
		       NI_ANALYZER_MAX_WORD);
	r->joined_len += len8;
	deliver(r);
	r->token.index++;
	return NI_OK;
}

/*
 * A possessive "'s" ends a word without being a part of it: SenseTime's
 * is the word sensetime, as a reader types it.
 */
static bool is_possessive(const UChar *s, int32_t sep, int32_t end)
{
	return end == sep + 2 && (is_apostrophe(s[sep]) || s[sep] == '\'') &&
	       (s[sep + 1] == 's' || s[sep + 1] == 'S');
}

/* Emit the parts of ICU's word text16[start, end). */
static ni_status emit_word(struct run *r, int32_t start, int32_t end)
{
	const UChar *s = r->text16;
	int32_t part = start;
	/* Only a part's callback can stop the run: checked after each. */
	for (int32_t i = start; i < end; i++) {
		if (!splits_word(s, i, end))
			continue;
		if (is_possessive(s, i, end))
			return emit_part(r, part, i);
		ni_status st = emit_part(r, part, i);
		if (st != NI_OK || r->stopped)
			return st;
		part = i + 1;
	}
	return r->stopped ? NI_OK : emit_part(r, part, end);
}

/*
 * Rule statuses below UBRK_WORD_NONE_LIMIT mark spaces, punctuation and
 * symbols (emoji among them); the others are numbers, letters, kana and
 * ideographs.
 */
static bool status_is_word(int32_t status)
{
	return status >= UBRK_WORD_NONE_LIMIT;
}

/*
 * Han and kana words (ICU's rule status KANA or IDEO): the ones whose
 * runs get bigrams.  Hangul is written with spaces and its words are
 * LETTER: with NI_CJK_BOTH_HANGUL each Korean word is a run of its own,
 * so 판매량 finds 판매량이 (the word with its particle).
 */
/* Hangul syllables and jamo: a Korean word starts with one. */
static bool is_hangul(UChar c)
{
	return (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) ||
	       (c >= 0x3130 && c <= 0x318F);
}

static bool status_is_cjk(int32_t status)
{
	return status >= UBRK_WORD_KANA && status < UBRK_WORD_IDEO_LIMIT;
}

/*
 * Emit the overlapping bigrams of the CJK run just read (folded first,
 * so half-width ｶﾞｽ gives the bigrams of ガス), and forget it.  With
 * NI_CJK_BOTH they are tokens marked `also`, joining the dictionary's
 * words of the run; with NI_CJK_BIGRAMS they are the words (and a run
 * of one character is its own word).
 */
static ni_status end_cjk_run(struct run *r)
{
	ni_analyzer *a = r->a;
	int32_t start = r->cjk_start, end = r->cjk_end;
	unsigned words = r->cjk_words;
	r->cjk_start = r->cjk_end = 0;
	r->cjk_words = 0;
	bool both = a->cjk_mode != NI_CJK_BIGRAMS;
	if (end == start || (both && words == 0))
		return NI_OK;
	/* Most runs are folded already, and seeing it is cheap. */
	const UChar *f = r->text16 + start;
	int32_t n = end - start;
	UErrorCode err = U_ZERO_ERROR;
	if (!all_plain_cjk(f, n) &&
	    unorm2_spanQuickCheckYes(a->folder, f, n, &err) != n) {
		ni_status st = fold_string(a, &a->cjk, f, n, &n);
		if (st != NI_OK)
			return st;
		f = a->cjk.data;
	}
	struct ni_token saved = r->token;
	/*
	 * Folding rarely changes a CJK run's length; when it does not, a
	 * bigram's place in the folded run is its place in the text, and
	 * it spans its two characters, so a snippet marks only them.
	 */
	bool in_place = n == end - start;
	/* Bigrams overlap: one walk for their starts, one for their ends. */
	struct offset_walk starts = r->walk;
	starts.at8 = (int32_t)r->cjk_start8;
	starts.at16 = start;
	struct offset_walk ends = starts;
	size_t run_end8 = walk_to(&r->walk, end);
	int32_t at = 0;
	UChar32 c;
	U16_NEXT(f, at, n, c);
	if (at == n && both)
		return NI_OK;
	/* One word of two characters is its own only bigram. */
	if (both && words == 1) {
		U16_NEXT(f, at, n, c);
		if (at == n)
			return NI_OK;
	}
	for (int32_t i = 0; i < n && !r->stopped; ) {
		int32_t next = i;
		U16_NEXT(f, next, n, c);
		int32_t stop = next;
		if (stop < n)
			U16_NEXT(f, stop, n, c);
		else if (i > 0 || both)
			break;
		/* Two code points, valid UTF-16: at most 8 bytes. */
		int32_t n8 = 0;
		for (int32_t k = i; k < stop;) {
			U16_NEXT(f, k, stop, c);
			U8_APPEND_UNSAFE(r->bigram, n8, c);
		}
		r->bigram[n8] = '\0';
		size_t start8 = in_place ? walk_to(&starts, start + i)
					 : r->cjk_start8;
		size_t end8 = in_place ? walk_to(&ends, start + stop)
				       : run_end8;
		/*
		 * A Korean segment can end in what is not a word (`ᆨsʼ`: the
		 * apostrophe is left out); a bigram never spans past the
		 * words it is a form of.
		 */
		if (both && end8 > saved.end) {
			i = next;
			continue;
		}
		r->token = (struct ni_token){
			.word = r->bigram, .len = (size_t)n8,
			.start = start8, .end = end8,
			.index = both ? saved.index - 1 : saved.index,
			.also = both, .parts = both ? words : 0,
		};
		deliver(r);
		if (!both)
			saved.index++;
		i = next;
	}
	r->token = saved;
	return NI_OK;
}

static bool is_ascii_letter(UChar c)
{
	return c < 0x80 && (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/*
 * The ASCII character that a fullwidth one (U+FF01..U+FF5E) stands for,
 * as NFKC maps that block (tests/unit/test_analyzer.c holds the two to
 * each other); c itself otherwise.
 */
static UChar as_ascii(UChar c)
{
	return c >= 0xFF01 && c <= 0xFF5E ? (UChar)(c - 0xFEE0) : c;
}

/* Whether text16 ends at `i` or has something other than a word there. */
static bool word_ends_at(const UChar *s, int32_t i, int32_t n)
{
	return i >= n || !u_isalnum(s[i]);
}

/*
 * Whether ICU's word breaks have one at `i`.  Asking moves the
 * iterator: it is put back at `at`, where the caller's loop is (a
 * break).
 */
static bool word_break_at(UBreakIterator *words, int32_t i, int32_t at)
{
	bool found = ubrk_isBoundary(words, i);
	ubrk_isBoundary(words, at);
	return found;
}

/*
 * Where the word s[start, end) ends when it is a name written with a
 * symbol: C++, C#, F#, Notepad++ (letters then "++" or "#"), AT&T, S&P,
 * R&D (letters, "&", letters, no space), in ASCII or typed in
 * fullwidth mode (Ｃ＋＋, ＡＴ＆Ｔ, which fold to c++ and at&t).  ICU
 * splits them at the symbol, and the letters alone ("c", "at" and "t")
 * would find every C and every "at": such a name is one word, symbol
 * and all.  `end`
 * when the word is no such name.  The letters after "&" must be a whole
 * ICU word (`words` tells): in "R&E’s" ICU's word is "E’s", which a
 * name "R&E" would cut in two.
 */
static int32_t symbol_word_end(UBreakIterator *words, const UChar *s,
			       int32_t start, int32_t end, int32_t n)
{
	for (int32_t i = start; i < end; i++)
		if (!is_ascii_letter(as_ascii(s[i])))
			return end;
	UChar next = end < n ? as_ascii(s[end]) : 0;
	if (end + 1 < n && next == '+' && as_ascii(s[end + 1]) == '+' &&
	    word_ends_at(s, end + 2, n) &&
	    (end + 2 >= n || as_ascii(s[end + 2]) != '+'))
		return end + 2;
	if (next == '#' && word_ends_at(s, end + 1, n))
		return end + 1;
	if (end + 1 < n && next == '&' &&
	    is_ascii_letter(as_ascii(s[end + 1]))) {
		int32_t j = end + 1;
		while (j < n && is_ascii_letter(as_ascii(s[j])))
			j++;
		return word_ends_at(s, j, n) && word_break_at(words, j, end)
			? j : end;
	}
	return end;
}

/* The word loop of ni_analyzer_run(), once the text is in text16. */
static ni_status emit_words(ni_analyzer *a, const char *text, int32_t len,
			    int32_t len16, bool valid, ni_token_fn fn,
			    void *ctx, int *stopped_by)
{
	struct run r = {
		.a = a,
		.text16 = a->text16.data,
		.len16 = len16,
		.walk = {
			.text = (const uint8_t *)text,
			.len = len,
			.same = len16 == len,
			.valid16 = valid ? a->text16.data : NULL,
		},
		.fn = fn,
		.ctx = ctx,
		.token = { .word = a->word8 },
		.joined = a->joined,
		.bigram = a->bigram,
	};
	ni_status st = NI_OK;
	int32_t symbol_end = 0;  /* of the last name with a symbol */
	int32_t start = ubrk_first(a->words);
	for (int32_t end = ubrk_next(a->words);
	     end != UBRK_DONE && st == NI_OK && !r.stopped;
	     start = end, end = ubrk_next(a->words)) {
		/* ICU's pieces of a name with a symbol, emitted whole. */
		if (end <= symbol_end)
			continue;
		bool adjacent = r.parts && start == r.end16;
		int32_t status = ubrk_getRuleStatus(a->words);
		if (a->cjk_mode != NI_CJK_DICTIONARY) {
			bool cjk = status_is_cjk(status) ||
				   (a->cjk_mode == NI_CJK_BOTH_HANGUL &&
				    status_is_word(status) &&
				    is_hangul(r.text16[start]));
			/* Most segments neither end a run nor start one. */
			if ((!cjk || start != r.cjk_end) &&
			    r.cjk_end != r.cjk_start)
				st = end_cjk_run(&r);
			if (st != NI_OK || r.stopped)
				break;
			if (cjk && r.cjk_end == r.cjk_start) {
				r.cjk_start = start;
				r.cjk_start8 = walk_to(&r.walk, start);
			}
			if (cjk)
				r.cjk_end = end;
			if (cjk && a->cjk_mode == NI_CJK_BIGRAMS)
				continue;
		}
		if (!status_is_word(status)) {
			if (adjacent && !r.hyphen && end == start + 1 &&
			    is_hyphen(r.text16[start])) {
				r.hyphen = true;
				r.end16 = end;
			} else if (r.parts) {
				end_compound(&r);
			}
			continue;
		}
		if (r.parts && !(adjacent && r.hyphen))
			end_compound(&r);
		if (r.stopped)
			break;
		r.hyphen = false;
		symbol_end = symbol_word_end(a->words, r.text16, start, end,
					     len16);
		if (symbol_end > end) {
			st = emit_part(&r, start, symbol_end);
			r.end16 = symbol_end;
			continue;
		}
		unsigned before = r.token.index;
		st = emit_word(&r, start, end);
		r.end16 = end;
		if (r.cjk_end == end)
			r.cjk_words += r.token.index - before;
	}
	if (st == NI_OK && !r.stopped)
		end_compound(&r);
	if (st == NI_OK && !r.stopped && a->cjk_mode != NI_CJK_DICTIONARY)
		st = end_cjk_run(&r);
	*stopped_by = r.stopped;
	return st;
}

/*
 * A letter of an alphabet (not of Thai, Han or kana, whose words ICU's
 * dictionaries find) or a digit, as ICU's word breaks see it.
 */
static bool alphabet_char(UChar c)
{
	int32_t wb = u_getIntPropertyValue(c, UCHAR_WORD_BREAK);
	return wb == U_WB_ALETTER || wb == U_WB_HEBREW_LETTER ||
	       wb == U_WB_NUMERIC;
}

static bool alphabet_letter(UChar c)
{
	int32_t wb = u_getIntPropertyValue(c, UCHAR_WORD_BREAK);
	return wb == U_WB_ALETTER || wb == U_WB_HEBREW_LETTER;
}

static bool is_fullwidth_digit(UChar c)
{
	return c >= 0xFF10 && c <= 0xFF19;
}

/*
 * Whether the subscript digit at s[i] follows a letter, or a subscript
 * already read as a digit (C₁₂, and the 5 of PM₂.₅).
 */
static bool after_letter_or_subscript(const UChar *s, int32_t i)
{
	UChar prev = s[i - 1];
	if (is_fullwidth_digit(prev))
		return true;
	if ((prev == '.' || prev == ',') && i > 1)
		return is_fullwidth_digit(s[i - 2]);
	return alphabet_letter(prev);
}

/*
 * What people type or paste for an apostrophe: the grave and acute
 * accents of keyboards without a handy "'" (don´t, it`s), the left
 * single quote that autocorrection puts in (Bush‘s), the modifier prime
 * and the prime (Bush′s).
 */
static bool is_apostrophe_like(UChar c)
{
	return c == 0x60 || c == 0xB4 || c == 0x2B9 || c == 0x2018 ||
	       c == 0x201B || c == 0x2032;
}

/* An apostrophe as long as c in UTF-8, which is_apostrophe() accepts. */
static UChar apostrophe_as_long_as(UChar c)
{
	return c < 0x80 ? '\'' : c < 0x800 ? 0x02BC : 0x2019;
}

/*
 * Read what ICU would break a word at, though the reader sees one word,
 * as what the reader sees, in place, before the word breaks:
 *
 * - an is_apostrophe_like() between two letters is an apostrophe: ICU
 *   would split the word there, and the "s" of "Bush´s" would be a
 *   word, which a query would find in every possessive;
 * - a zero width space between two letters or digits, which web pages
 *   put in long words as a place to break the line and which shows
 *   nothing, is the word joiner U+2060: ICU keeps that inside the word
 *   and NFKC_Casefold removes it, as it does a soft hyphen, so
 *   "Micro<U+200B>soft" is "microsoft";
 * - a subscript digit after a letter (CO₂, H₂O, CH₄, PM₂.₅) is the
 *   fullwidth digit, which ICU keeps in the word and NFKC_Casefold makes
 *   ASCII: "co2", as people type it, not "co" and "2";
 * - a space that separates the groups of a number (separates_groups():
 *   1 000 with a no-break, narrow no-break, thin or figure space) is
 *   the soft hyphen (for the no-break space) or the word joiner, which
 *   ICU keeps in the number and NFKC_Casefold removes: "1000";
 * - any other narrow no-break space, which French puts before ! ? : ;
 *   and inside « », is a space, as the reader sees it: ICU 72 keeps it
 *   inside a word (as Mongolian uses it), and "Paris !" was the word
 *   "paris " that no query finds.
 *
 * Each replacement takes as many UTF-16 units and UTF-8 bytes as what
 * it replaces, so every offset stays the text's.
 */
static void join_words_as_seen(UChar *s, int32_t n)
{
	if (n > 0 && s[0] == 0x202F)
		s[0] = 0x2009;
	for (int32_t i = 1; i < n; i++) {
		UChar c = s[i];
		if (c != 0x60 && c < 0xA0)
			continue;   /* most of the text: no lookup */
		UChar next = i + 1 < n ? s[i + 1] : 0;
		if (num_mark_of(c) == MARK_SPACE && c != 0xAD && c != 0x2060) {
			if (mark_in_number(s, i, n) &&
			    separates_groups(s, i, n))
				s[i] = c == 0xA0 ? 0xAD : 0x2060;
			else if (c == 0x202F)
				s[i] = 0x2009;
		} else if (is_apostrophe_like(c)) {
			if (alphabet_letter(s[i - 1]) && alphabet_letter(next))
				s[i] = apostrophe_as_long_as(c);
		} else if (c == 0x200B) {
			if (alphabet_char(s[i - 1]) && alphabet_char(next))
				s[i] = 0x2060;
		} else if (c >= 0x2080 && c <= 0x2089) {
			if (after_letter_or_subscript(s, i))
				s[i] = (UChar)(0xFF10 + (c - 0x2080));
		}
	}
}

void ni_analyzer_set_cjk(ni_analyzer *analyzer, enum ni_cjk_mode mode)
{
	analyzer->cjk_mode = mode;
}

ni_status ni_analyzer_run(ni_analyzer *analyzer, const char *text,
			  size_t len, ni_token_fn fn, void *ctx,
			  int *stopped_by)
{
	int ignored;
	if (!stopped_by)
		stopped_by = &ignored;
	*stopped_by = 0;

	/* text16 and the break iterator belong to the running call. */
	if (analyzer->running)
		return fail(analyzer, NI_EINVAL,
			    "ni_analyzer_run called from its own callback");
	ni_status st = check_text(analyzer, text, len);
	if (st != NI_OK || len == 0)
		return st;

	int32_t len16, subs = 0;
	st = to_utf16(analyzer, &analyzer->text16, text, (int32_t)len,
		      &len16, &subs);
	if (st != NI_OK)
		return st;
	join_words_as_seen(analyzer->text16.data, len16);
	UErrorCode err = U_ZERO_ERROR;
	ubrk_setText(analyzer->words, analyzer->text16.data, len16, &err);
	if (U_FAILURE(err))
		return fail_icu(analyzer, "ubrk_setText", err);

	analyzer->running = true;
	st = emit_words(analyzer, text, (int32_t)len, len16, subs == 0, fn,
			ctx, stopped_by);
	analyzer->running = false;
	return st;
}

/* NFKC_Casefold all of src into dst, growing it as needed. */
static ni_status fold_string(ni_analyzer *a, struct u16buf *dst,
			     const UChar *src, int32_t n, int32_t *n16)
{
	/* Folding rarely grows text much; retry once with the exact size. */
	int32_t guess = n > INT32_MAX - 16 ? INT32_MAX : n + 16;
	for (int attempt = 0; attempt < 2; attempt++) {
		if (u16buf_reserve(dst, guess) != NI_OK)
			return fail(a, NI_ENOMEM,
				    "cannot allocate the folded text");
		UErrorCode err = U_ZERO_ERROR;
		*n16 = unorm2_normalize(a->folder, src, n, dst->data,
					dst->cap, &err);
		if (err != U_BUFFER_OVERFLOW_ERROR) {
			if (U_FAILURE(err))
				return fail_icu(a, "unorm2_normalize", err);
			return NI_OK;
		}
		guess = *n16;
	}
	return fail_icu(a, "unorm2_normalize", U_BUFFER_OVERFLOW_ERROR);
}

/*
 * Replace every run of white space with one space and drop it at both
 * ends, in place, so "  Artificial \t Intelligence " and "Artificial
 * Intelligence" name the same topic.  Returns the new length.
 */
static int32_t collapse_spaces(UChar *s, int32_t n)
{
	int32_t out = 0;
	bool pending = false;
	for (int32_t i = 0; i < n; i++) {
		if (u_isUWhiteSpace(s[i])) {
			pending = out > 0;
			continue;
		}
		if (pending)
			s[out++] = ' ';
		pending = false;
		s[out++] = s[i];
	}
	return out;
}

/* Append n units of UTF-16 to out as UTF-8, writing into it directly. */
static ni_status append_utf8(ni_analyzer *a, struct ni_buf *out,
			     const UChar *s, int32_t n)
{
	/* At most 3 bytes per unit: a surrogate pair gives 4 for 2. */
	if (ni_buf_grow(out, 3 * (size_t)n) != NI_OK)
		return fail(a, NI_ENOMEM, "cannot grow the output buffer");
	size_t room = out->cap - out->len;
	int32_t cap = room > INT32_MAX ? INT32_MAX : (int32_t)room;
	int32_t n8 = 0;
	UErrorCode err = U_ZERO_ERROR;
	u_strToUTF8(out->data + out->len, cap, &n8, s, n, &err);
	if (U_FAILURE(err)) {
		out->data[out->len] = '\0';
		return fail_icu(a, "u_strToUTF8", err);
	}
	out->len += (size_t)n8;
	out->data[out->len] = '\0';
	return NI_OK;
}

/*
 * ni_analyzer_fold() of ASCII text, without ICU: NFKC_Casefold changes
 * only its capitals, it holds no apostrophe to map and no accent, and
 * its white space is TAB to CR and the space.  Most topics, providers
 * and sites are ASCII, and the ICU path cost a build some 2,000
 * instructions each (tests/unit/test_analyzer.c holds this to ICU).
 */
static ni_status fold_ascii(ni_analyzer *a, const char *text, size_t len,
			    struct ni_buf *out)
{
	if (ni_buf_grow(out, len) != NI_OK)
		return fail(a, NI_ENOMEM, "cannot grow the output buffer");
	char *o = out->data + out->len;
	const char *start = o;
	bool pending = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (c == ' ' || (c >= '\t' && c <= '\r')) {
			pending = o > start;
			continue;
		}
		if (pending)
			*o++ = ' ';
		pending = false;
		*o++ = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	return NI_OK;
}

static bool is_ascii(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80)
			return false;
	return true;
}

ni_status ni_analyzer_fold(ni_analyzer *analyzer, const char *text,
			   size_t len, struct ni_buf *out)
{
	ni_status st = check_text(analyzer, text, len);
	if (st != NI_OK || len == 0)
		return st;
	if (is_ascii(text, len))
		return fold_ascii(analyzer, text, len, out);
	/* No other shortcut: the tests use this path as the reference
	 * for the one of words (fold_fast()). */
	int32_t n16;
	st = to_utf16(analyzer, &analyzer->fold_src, text, (int32_t)len,
		      &n16, NULL);
	if (st == NI_OK)
		st = fold_string(analyzer, &analyzer->fold_dst,
				 analyzer->fold_src.data, n16, &n16);
	if (st != NI_OK)
		return st;
	UChar *folded = analyzer->fold_dst.data;
	map_apostrophes(folded, n16);
	drop_accents(analyzer, folded, &n16);
	n16 = collapse_spaces(folded, n16);
	return append_utf8(analyzer, out, folded, n16);
}
