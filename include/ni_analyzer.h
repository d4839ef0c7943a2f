/*
 * ni_analyzer.h - the one text analyzer, used to index and to query.
 *
 * The same code turns an article's title into index terms and a user's
 * query into search terms; if the two sides ever differed, matches would
 * silently disappear.  Given UTF-8 text it:
 *   1. reads what the reader sees as one word as one (an apostrophe
 *      look-alike between letters, Bush´s, as an apostrophe; a zero
 *      width space between letters or digits as nothing; a subscript
 *      digit after a letter, CO₂, as a digit; a no-break, thin or
 *      narrow no-break space between the groups of a number, 1 000, as
 *      nothing), and a narrow no-break space elsewhere as a space, then
 *      splits it into words with ICU's word break iterator (UBRK_WORD),
 *      keeping only segments whose rule status says they are words
 *      (letters, numbers, kana, ideographs), not spaces or punctuation;
 *   2. splits ICU's words at the punctuation inside them (U.S ->
 *      u, s; l'économie -> l, économie), except between digits (3.5,
 *      1,5 stay whole), leaves out the commas and apostrophes between
 *      the groups of a number (1,000,000 and 1'000 -> 1000000 and
 *      1000; 1,5 and 1.000 keep theirs), and leaves out a possessive
 *      "'s" (SenseTime's -> sensetime);
 *   3. normalizes each word with NFKC_Casefold (case folding, full-width
 *      and compatibility forms, ligatures), maps typographic apostrophes
 *      to ASCII "'", and drops the accents of Latin and Greek letters
 *      (café -> cafe, Überwachung -> uberwachung), reads the Turkish
 *      dotless ı as i and the Russian ё as е, and drops no other marks
 *      (が stays が; Indic and Thai vowel signs stay; й stays й);
 *   4. after the parts of a compound (words joined by hyphens, the
 *      en dash among them, or split in step 2), emits their concatenation as one more token marked
 *      `also` (e-commerce -> e, commerce, also ecommerce; U.S -> u, s,
 *      also us), so the forms people type apart, joined or hyphenated
 *      all meet; after the dictionary's words of a run of Han and kana,
 *      and after a Korean word, emits the overlapping bigrams, also
 *      marked `also` (ni_cjk_mode below);
 *   5. drops words longer than NI_ANALYZER_MAX_WORD bytes after folding
 *      (Xapian terms have a length limit and such strings are never words
 *      a person searches for), counting them in ni_analyzer_dropped().
 * Invalid UTF-8 is read with U+FFFD substituted, never refused.
 *
 * Stemming is not done here: it belongs to Xapian, through ni_xapian.h
 * (ni_doc_set_language() and ni_doc_add_word() for the indexer,
 * ni_query_word() and ni_db_stem() for the query side), which
 * stems the words this module emits.
 *
 * Ownership: an analyzer is created with ni_analyzer_new() and freed with
 * ni_analyzer_free().  It is not thread-safe; use one per thread.  The word
 * passed to the callback is owned by the analyzer and valid only during
 * that call.
 */
#ifndef NI_ANALYZER_H
#define NI_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>

#include "ni_status.h"

/* Longest word kept, in bytes of folded UTF-8; and as text, for the
 * settings string and messages. */
#define NI_ANALYZER_MAX_WORD 64
#define NI_ANALYZER_STR_(x) #x
#define NI_ANALYZER_STR(x) NI_ANALYZER_STR_(x)
#define NI_ANALYZER_MAX_WORD_TEXT NI_ANALYZER_STR(NI_ANALYZER_MAX_WORD)

typedef struct ni_analyzer ni_analyzer;

/*
 * One word of the text: `word` is the folded form (`len` bytes, also
 * NUL-terminated); `start` and `end` are byte offsets of the original
 * word in the text given to ni_analyzer_run(), end exclusive; `index` is
 * the word's position among the words emitted by this call, from 0.
 * `also` marks another form of the words just emitted (a compound's
 * joined form): it spans them all, has the index of the last of them,
 * and is indexed at that word's position, not as a word of its own;
 * `parts` is how many words it joins (0 when `also` is false).
 */
struct ni_token {
	const char *word;
	size_t len;
	size_t start;
	size_t end;
	unsigned index;
	bool also;
	unsigned parts;
};

/*
 * Called once per word, in text order.  Return 0 to go on; any other value
 * stops the run, and ni_analyzer_run() returns NI_OK with that value
 * stored in *stopped_by (when stopped_by is not NULL).
 */
typedef int (*ni_token_fn)(void *ctx, const struct ni_token *token);

/*
 * Create an analyzer.  On NI_OK `*out` is a new analyzer the caller frees
 * with ni_analyzer_free(); otherwise `*out` is NULL and the status is
 * NI_ENOMEM or NI_EUNICODE (ICU's data could not be loaded; there is no
 * handle to hold the detail, so ni_status_str() is all there is).
 */
ni_status ni_analyzer_new(ni_analyzer **out);

/* Free an analyzer.  NULL is a no-op. */
void ni_analyzer_free(ni_analyzer *analyzer);

/*
 * Split `text` (`len` bytes of UTF-8, need not be NUL-terminated, borrowed
 * for the call) into words and call `fn(ctx, token)` for each.
 * `*stopped_by` (when not NULL) is set to 0 unless the callback stopped
 * the run.  The callback may call ni_analyzer_fold() on the same analyzer
 * but not ni_analyzer_run() (NI_EINVAL).
 * Returns NI_OK, NI_ENOMEM, NI_EINVAL (NULL text with a length, or more
 * than INT32_MAX bytes, ICU's limit), or NI_EUNICODE with the detail in
 * ni_analyzer_errmsg().  Words passed to the callback before a failure
 * stay delivered.
 */
ni_status ni_analyzer_run(ni_analyzer *analyzer, const char *text,
			  size_t len, ni_token_fn fn, void *ctx,
			  int *stopped_by);

/*
 * Fold one short string as words are folded (step 3 above), with no word
 * breaking and no length limit, then collapse runs of white space to one
 * space and trim: for boolean terms such as a topic ("Artificial
 * Intelligence" -> "artificial intelligence") or a provider name.  The
 * result is appended to *out (an ni_buf from ni_buf.h), which keeps its
 * previous contents on failure.
 */
struct ni_buf;
ni_status ni_analyzer_fold(ni_analyzer *analyzer, const char *text,
			   size_t len, struct ni_buf *out);

/*
 * The analyzer's settings as one stable string, stored in the index when
 * it is created and compared when it is opened:
 * "icu-word;as-seen=apostrophes+zwsp+subscripts+nnbsp;numbers=groups;
 * nfkc-casefold;apostrophe;marks=latn+grek+dotless-i+yo;
 * compounds=hyphens+dashes;symbols=++#&;cjk=dict+bigrams+hangul;
 * maxword=64" (one line).
 * It changes whenever the words emitted for some text change, so an
 * index built by an older analyzer is refused, not silently missed.
 * Owned by the library, static.  It does not name the ICU version: a
 * newer ICU may split some CJK text into other dictionary words, and
 * the bigrams still match it, which is better than a rebuild on every
 * ICU upgrade.
 */
const char *ni_analyzer_settings(void);

/*
 * How runs of Han and kana (Chinese, Japanese) become words:
 * NI_CJK_DICTIONARY: ICU's dictionary words only; NI_CJK_BIGRAMS: the
 * overlapping pairs of characters of each run only; NI_CJK_BOTH: the
 * dictionary's words, then the run's bigrams as tokens marked `also`,
 * so a query whose words the dictionary split otherwise still matches
 * by its bigrams.  NI_CJK_BOTH_HANGUL adds the bigrams of each Korean
 * word, whose particles are written joined to it (판매량이).  Thai, Lao,
 * Khmer and Burmese are always split by the dictionary.
 * ni_analyzer_new() chooses NI_CJK_BOTH_HANGUL, which
 * ni_analyzer_settings() describes; the other modes exist to measure
 * (bench/cjk_eval.c), and an index must be built and searched in one
 * mode.
 */
enum ni_cjk_mode {
	NI_CJK_DICTIONARY = 0,
	NI_CJK_BIGRAMS,
	NI_CJK_BOTH,
	NI_CJK_BOTH_HANGUL,   /* NI_CJK_BOTH, and each Korean word's too */
};
void ni_analyzer_set_cjk(ni_analyzer *analyzer, enum ni_cjk_mode mode);

/* Words dropped as too long since the analyzer was created. */
size_t ni_analyzer_dropped(const ni_analyzer *analyzer);

/*
 * The detail of the last failure, e.g. "ubrk_open: U_MISSING_RESOURCE_ERROR".
 * Owned by the analyzer, valid until the next call on it; "" if none.
 */
const char *ni_analyzer_errmsg(const ni_analyzer *analyzer);

#endif
