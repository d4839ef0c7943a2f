/*
 * ni_snippet.h - the part of an article's text that best shows why it
 * matched, with the matching words marked, sized for a terminal.
 *
 * ni_snippet_make() runs the analyzer over the text and marks each word
 * that matches one of the query's words (struct ni_query_word from
 * ni_qparse.h):
 *   - its folded form equals the query word's, or
 *   - the query word is neither in a phrase nor a prefix, and the two
 *     have the same stem as the index stems them (ni_db_stem), so
 *     "sanction" finds "sanctions" as the search did, or
 *   - the query word is a prefix (sanc*) and the folded word starts
 *     with it.
 *   - the query word is not in a phrase and equals a compound's joined
 *     form ("ecommerce") or a CJK bigram (ni_analyzer.h) that overlaps
 *     the word: each word of it is marked.
 * The whole original bytes of a matching word are marked, so "ＡＩ" in
 * the text is marked whole when the query says "ai"; two marked words
 * joined by one "-", "." or "'" (e-commerce, U.S) are one marked span.
 *
 * The snippet is the whole text when it fits in max_columns terminal
 * columns.  Otherwise it is the stretch of at most max_columns columns
 * that contains the most distinct query words (the earliest such), from
 * the start of a word to the end of a word; it starts at the start of the
 * sentence containing its first match when the stretch still holds all
 * its matches from there.  Without any match it is the start of the text.
 * Where the text was cut, an ellipsis "…" (U+2026, one column, counted in
 * max_columns) stands before or after it.  A word is cut only when it
 * alone is wider than max_columns allows, and then between characters.
 *
 * The snippet is plain, valid UTF-8 for display: every run of white space
 * (newlines too) becomes one space, white space at either end is dropped,
 * and each ill-formed UTF-8 sequence of the input becomes U+FFFD.
 *
 * Display width: a character takes 0, 1 or 2 columns (ni_char_columns);
 * East Asian wide and full-width characters take 2, combining marks 0.
 * render.c lays out the terminal output with the same function.
 *
 * Ownership: struct ni_snippet owns its text and spans.  A zeroed struct
 * (NI_SNIPPET_INIT) is empty; ni_snippet_make() fills it, reusing the
 * memory of a snippet it filled before, so one struct can serve many
 * calls; ni_snippet_clear() frees the memory.  The ni_db and ni_analyzer
 * are borrowed for the call.  Not thread-safe beyond what the borrowed
 * ni_db and ni_analyzer allow (one thread at a time for each).
 */
#ifndef NI_SNIPPET_H
#define NI_SNIPPET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_qparse.h"
#include "ni_status.h"
#include "ni_xapian.h"

/* A marked word: byte offsets into the snippet's text, end exclusive. */
struct ni_span {
	size_t start, end;
};

struct ni_snippet {
	struct ni_buf text;       /* the snippet, plain UTF-8 */
	struct ni_span *spans;    /* marked words, in order, non-overlapping */
	size_t n_spans, cap_spans;
	bool cut_start, cut_end;  /* text was cut before/after (an ellipsis
				     "…" was added there) */
};

#define NI_SNIPPET_INIT {NI_BUF_INIT, NULL, 0, 0, false, false}

/*
 * Make the snippet of `text` (`len` bytes of UTF-8, need not be
 * NUL-terminated; invalid UTF-8 is accepted) for the query words
 * `words[0..n_words)`, at most `max_columns` columns wide, into `*out`.
 *
 * `out` must be zeroed or hold a snippet an earlier call filled; its
 * previous contents are replaced.  `db` supplies the stemmer and may be
 * NULL, in which case words match only exactly or by prefix.  `text`,
 * `words`, `db` and `an` are borrowed for the call.  Pass UINT_MAX as
 * max_columns to mark the whole text.
 *
 * Returns NI_OK; NI_EINVAL when `out` or `an` is NULL, `text` or `words`
 * is NULL with a length, max_columns is 0, or `len` is more than
 * INT32_MAX (the analyzer's limit); NI_ENOMEM; or a failure of the
 * analyzer (detail in ni_analyzer_errmsg(an)) or of ni_db_stem() (detail
 * in ni_db_errmsg(db)).  On failure `*out` is empty (text "", no spans,
 * no cuts) but keeps its memory for ni_snippet_clear().
 */
ni_status ni_snippet_make(ni_db *db, ni_analyzer *an, const char *text,
			  size_t len, const struct ni_query_word *words,
			  size_t n_words, unsigned max_columns,
			  struct ni_snippet *out);

/* Free what `s` owns and zero it.  Safe on a zeroed struct and NULL. */
void ni_snippet_clear(struct ni_snippet *s);

/*
 * Terminal columns `code_point` takes: 0 for combining marks, U+200B
 * (zero width space) and the controls that reorder text
 * (ni_is_bidi_control(), which displays leave out), 2 for East Asian wide and full-width characters
 * (ideographs, kana, hangul, full-width forms, most emoji), 1 for the
 * rest, including control characters and values that are not code
 * points (negative or past U+10FFFF), which are shown as U+FFFD.
 */
unsigned ni_char_columns(int32_t code_point);

/*
 * Terminal columns of `len` bytes of UTF-8: the sum of ni_char_columns()
 * over its characters.  Each ill-formed sequence (as ICU's U8_NEXT reads
 * it: one byte that cannot start a character, or a truncated sequence)
 * counts 1, as the one U+FFFD a terminal shows for it.  No white space is
 * collapsed here.  NULL with a length of 0 is 0.
 */
unsigned ni_text_columns(const char *utf8, size_t len);

#endif
