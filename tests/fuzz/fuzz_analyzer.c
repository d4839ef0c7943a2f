/*
 * fuzz_analyzer.c - the analyzer (ni_analyzer.h) and the snippet maker
 * (ni_snippet.h) on any bytes, valid UTF-8 or not.
 *
 * The input is a text.  Every word the analyzer gives must keep the
 * promises of struct ni_token (in order, in range, folded, not too long),
 * and folding the word's own bytes with ni_analyzer_fold() must give the
 * same word: that compares the ASCII shortcut and the offset walk of
 * ni_analyzer_run() with ICU's plain path.  The whole text is folded too.
 *
 * Then a few of the text's words, chosen by its last bytes, serve as
 * query words (one as a prefix, one as in a phrase) for a snippet as
 * wide as the first byte says, without an index (no stems: the qparse
 * target has them).  The snippet must
 * be displayable: valid UTF-8 with no control characters, white space
 * collapsed, within its columns, its marks in order and in range.
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "fuzz.h"
#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_snippet.h"

#define QUERY_WORDS 4
/* Words kept for choosing the query words from. */
#define KEPT_WORDS 256

static ni_analyzer *analyzer;
static struct ni_buf folded = NI_BUF_INIT;
static struct ni_snippet snippet = NI_SNIPPET_INIT;

static void release(void)
{
	ni_analyzer_free(analyzer);
	ni_buf_release(&folded);
	ni_snippet_clear(&snippet);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	FUZZ_CHECK(ni_analyzer_new(&analyzer) == NI_OK);
	atexit(release);
	return 0;
}

struct run {
	const uint8_t *text;
	size_t len;
	unsigned n;                 /* words seen */
	size_t last_end;
	char (*words)[NI_ANALYZER_MAX_WORD + 1];   /* KEPT_WORDS of them */
};

/*
 * Copy UTF-8 `s` to `out` with runs of white space made one space and
 * none at either end, as ni_analyzer_fold() does; returns the length.
 */
static size_t collapse(const char *s, size_t len, char *out)
{
	int32_t at = 0, n = (int32_t)len, put = 0;
	bool pending = false;
	while (at < n) {
		int32_t from = at;
		UChar32 c;
		U8_NEXT((const uint8_t *)s, at, n, c);
		FUZZ_CHECK(c >= 0);
		if (u_isUWhiteSpace(c)) {
			pending = put > 0;
			continue;
		}
		if (pending)
			out[put++] = ' ';
		pending = false;
		memcpy(out + put, s + from, (size_t)(at - from));
		put += at - from;
	}
	out[put] = '\0';
	return (size_t)put;
}

/*
 * Whether the fold of a word's bytes (`folded`, `n` bytes) is the word
 * but for some of the marks that a number's groups may be folded with
 * (',', '\'', ' ', U+066C) between two digits: the analyzer leaves out
 * those that separate groups (1,000 is "1000"), which the fold of the
 * word's bytes keeps.  The word must be the fold with only such marks
 * left out: where both have the same character it is kept.
 */
static bool same_but_group_marks(const char *folded, size_t n,
				 const char *word, size_t len)
{
	const uint8_t *f = (const uint8_t *)folded;
	int32_t at = 0, nf = (int32_t)n;
	size_t w = 0;
	UChar32 prev = -1;
	while (at < nf) {
		int32_t from = at;
		UChar32 c, next = -1;
		U8_NEXT(f, at, nf, c);
		size_t bytes = (size_t)(at - from);
		if (w + bytes <= len && memcmp(word + w, folded + from,
					       bytes) == 0) {
			w += bytes;
			prev = c;
			continue;
		}
		if (at < nf) {
			int32_t peek = at;
			U8_NEXT(f, peek, nf, next);
		}
		bool mark = c == ',' || c == '\'' || c == ' ' || c == 0x066C;
		if (!mark || prev < 0 || !u_isdigit(prev) || next < 0 ||
		    !u_isdigit(next))
			return false;
		prev = c;
	}
	return w == len;
}

static int on_token(void *ctx, const struct ni_token *t)
{
	struct run *r = ctx;
	FUZZ_CHECK(t->len > 0 && t->len <= NI_ANALYZER_MAX_WORD);
	FUZZ_CHECK(strlen(t->word) == t->len);
	FUZZ_CHECK(t->start < t->end && t->end <= r->len);
	if (t->also) {
		/*
		 * Another form of the words just emitted (a compound joined,
		 * a CJK bigram): at the last one's index, within what they
		 * span; its bytes hold the separators, so no fold check.
		 */
		FUZZ_CHECK(r->n > 0 && t->index == r->n - 1);
		FUZZ_CHECK(t->parts > 0);
		FUZZ_CHECK(t->end <= r->last_end);
		return 0;
	}
	FUZZ_CHECK(t->index == r->n);
	FUZZ_CHECK(t->parts == 0);
	FUZZ_CHECK(t->start >= r->last_end);
	r->last_end = t->end;

	/*
	 * The callback may fold: the word's own bytes fold to the word,
	 * but for the white space ni_analyzer_fold() collapses (a few
	 * characters fold to some: U+037A to " \u03b9"), and for the marks
	 * between a number's groups, which the word leaves out.
	 */
	char word[NI_ANALYZER_MAX_WORD + 1];
	size_t len = collapse(t->word, t->len, word);
	ni_buf_reset(&folded);
	FUZZ_CHECK(ni_analyzer_fold(analyzer, (const char *)r->text + t->start,
				    t->end - t->start, &folded) == NI_OK);
	if ((folded.len != len || memcmp(folded.data, word, len) != 0) &&
	    !same_but_group_marks(folded.data, folded.len, word, len)) {
		fprintf(stderr, "word %u at %zu..%zu: \"%s\", folded alone "
			"\"%s\"\n", t->index, t->start, t->end, t->word,
			ni_buf_str(&folded));
		FUZZ_CHECK(!"a word folds as its bytes do");
	}
	if (r->n < KEPT_WORDS)
		memcpy(r->words[r->n], t->word, t->len + 1);
	r->n++;
	return 0;
}

/*
 * The query words: up to four of the text's words, chosen by its last
 * bytes, the second as in a phrase, the third made a prefix (its first
 * half, as typed "sanc*" stands for "sanctions").
 */
static size_t choose_words(const uint8_t *data, size_t size, struct run *r,
			   struct ni_query_word *words)
{
	size_t kept = r->n < KEPT_WORDS ? r->n : KEPT_WORDS;
	size_t n = kept < QUERY_WORDS ? kept : QUERY_WORDS;
	for (size_t i = 0; i < n; i++) {
		size_t pick = size > i ? data[size - 1 - i] % kept : i;
		char *word = r->words[pick];
		words[i] = (struct ni_query_word){
			.word = word,
			.in_phrase = i == 1,
			.is_prefix = i == 2,
		};
		if (i == 2) {
			/* Cut on a character boundary, keeping one. */
			int32_t cut = (int32_t)strlen(word) / 2;
			U8_SET_CP_START((const uint8_t *)word, 0, cut);
			if (cut > 0)
				word[cut] = '\0';
		}
	}
	return n;
}

static void fuzz_snippet(const uint8_t *data, size_t size, struct run *r)
{
	struct ni_query_word words[QUERY_WORDS];
	size_t n = choose_words(data, size, r, words);
	/* 0 stands for no limit; the rest from 1 to 128 columns. */
	unsigned columns = size == 0 ? 80
			 : data[0] == 0 ? UINT_MAX : 1u + data[0] % 128u;
	ni_status st = ni_snippet_make(NULL, analyzer, (const char *)data,
				       size, words, n, columns, &snippet);
	FUZZ_CHECK(st == NI_OK);
	fuzz_check_snippet(&snippet, columns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char words[KEPT_WORDS][NI_ANALYZER_MAX_WORD + 1];
	struct run r = { .text = data, .len = size, .words = words };
	int stopped_by = -1;
	ni_status st = ni_analyzer_run(analyzer, (const char *)data, size,
				       on_token, &r, &stopped_by);
	FUZZ_CHECK(st == NI_OK && stopped_by == 0);

	ni_buf_reset(&folded);
	FUZZ_CHECK(ni_analyzer_fold(analyzer, (const char *)data, size,
				    &folded) == NI_OK);
	fuzz_check_collapsed(ni_buf_str(&folded), folded.len, false);

	fuzz_snippet(data, size, &r);
	return 0;
}
