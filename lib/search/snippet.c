/*
 * ni_snippet: see include/ni_snippet.h.
 *
 * Not Xapian's MSet::snippet(): it splits words its own way, not as our
 * analyzer does, and sizes its HTML in bytes, not in terminal columns.
 *
 * One call makes three passes, each linear:
 *   1. the analyzer splits the text into words; for each word we note its
 *      byte offsets, the display columns at its start and end as if the
 *      whole text were shown with white space collapsed, the first word
 *      of its sentence, and which query words it matches (a bit mask);
 *   2. a sliding window over the words finds the stretch that holds the
 *      most distinct query words; column positions make "does it fit" a
 *      subtraction;
 *   3. the chosen bytes are copied out, collapsing white space, with the
 *      marked words' new offsets.
 *
 * Snippets are made for every hit of every query, so nothing is
 * allocated per word: the words go into an array on the stack (onto the
 * heap only for long texts), and the stems compared in pass 1 are built
 * in the output's own text buffer, which pass 3 then overwrites, so a
 * caller reusing one struct ni_snippet allocates nothing once it has
 * grown.
 */
#include "ni_snippet.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "ni_control.h"

#define ELLIPSIS "\xe2\x80\xa6"            /* U+2026 */
#define ELLIPSIS_COLUMNS 1
#define REPLACEMENT "\xef\xbf\xbd"         /* U+FFFD */

/* Words of a short excerpt fit on the stack; longer texts go on the heap. */
#define INLINE_WORDS 128
#define INLINE_QUERY_WORDS 32

/*
 * Query words are told apart by one bit each; the 64th bit stands for
 * every query word from the 64th on, so a query that long counts them as
 * one when choosing the window (they are still all marked).
 */
#define MASK_BITS 64

unsigned ni_char_columns(int32_t code_point)
{
	/* ASCII first: it is most of the text, and always one column. */
	if (code_point < 0x80 || code_point > 0x10FFFF)
		return 1;
	if (u_getCombiningClass(code_point) > 0 || code_point == 0x200B ||
	    ni_is_bidi_control(code_point))
		return 0;
	int width = u_getIntPropertyValue(code_point, UCHAR_EAST_ASIAN_WIDTH);
	return width == U_EA_WIDE || width == U_EA_FULLWIDTH ? 2 : 1;
}

unsigned ni_text_columns(const char *utf8, size_t len)
{
	const uint8_t *s = (const uint8_t *)utf8;
	uint64_t columns = 0;
	size_t at = 0;
	while (at < len) {
		if (s[at] < 0x80) {
			columns++;
			at++;
			continue;
		}
		/*
		 * U8_NEXT counts in int32_t; no sequence is longer than 4
		 * bytes, so reading at most 4 gives the same result for
		 * texts of any length.
		 */
		int32_t i = 0, n = len - at < 4 ? (int32_t)(len - at) : 4;
		UChar32 c;
		U8_NEXT(s + at, i, n, c);
		at += (size_t)i;
		columns += ni_char_columns(c < 0 ? 0xFFFD : c);
	}
	return columns > UINT_MAX ? UINT_MAX : (unsigned)columns;
}

void ni_snippet_clear(struct ni_snippet *s)
{
	if (!s)
		return;
	ni_buf_release(&s->text);
	free(s->spans);
	*s = (struct ni_snippet)NI_SNIPPET_INIT;
}

/* ---- reading characters --------------------------------------------- */

/* What pass 1 and pass 3 both need to know of one character. */
struct character {
	bool space;         /* white space: collapsed */
	bool valid;         /* false: shown as U+FFFD */
	bool terminal;      /* ends a sentence: . ! ? 。 and the like */
	unsigned breaks;    /* line breaks it stands for */
	unsigned columns;
};

/*
 * Printable ASCII other than the space: most of the text, one column
 * each, taken without decoding.  Must agree with read_character().
 */
static bool is_plain_ascii(uint8_t b)
{
	return b > 0x20 && b < 0x7F;
}

static bool is_ascii_space(uint8_t b)
{
	return b == ' ' || (b >= '\t' && b <= '\r');
}

/*
 * Read the character at text[*at] and move past it.  Ill-formed sequences
 * and control characters are not valid: the snippet is for display, and
 * a raw ESC or CSI would reach the user's terminal.
 */
static struct character read_character(const char *text, int32_t *at,
				       int32_t len)
{
	struct character ch = { .valid = true, .columns = 1 };
	uint8_t b = (uint8_t)text[*at];
	if (b < 0x80) {
		(*at)++;
		if (is_ascii_space(b)) {
			ch.space = true;
			ch.breaks = b == '\n';
		} else if (b < 0x20 || b == 0x7F) {
			ch.valid = false;
		} else {
			ch.terminal = b == '.' || b == '!' || b == '?';
		}
		return ch;
	}
	UChar32 c;
	U8_NEXT((const uint8_t *)text, *at, len, c);
	if (c < 0) {
		ch.valid = false;
		return ch;
	}
	if (u_isUWhiteSpace(c)) {
		ch.space = true;
		/* A paragraph separator is a blank line's worth. */
		ch.breaks = c == 0x2029 ? 2 : c == 0x2028 || c == 0x85;
		return ch;
	}
	if (u_charType(c) == U_CONTROL_CHAR) {
		ch.valid = false;
		return ch;
	}
	ch.columns = ni_char_columns(c);
	ch.terminal = u_hasBinaryProperty(c, UCHAR_S_TERM);
	return ch;
}

/* ---- pass 1: words and what they match --------------------------------- */

/* A word of the text.  Offsets fit in 32 bits: the analyzer's limit. */
struct word {
	uint32_t start, end;          /* bytes of the text */
	uint32_t col_start, col_end;  /* columns of the collapsed text */
	uint32_t sentence;            /* the first word of its sentence */
	uint64_t mask;                /* query words it matches */
};

struct word_list {
	struct word *items;
	size_t n, cap;
	bool on_heap;
};

/* A query word, ready for comparing. */
struct query_word {
	const char *word;
	size_t len;
	bool by_stem;
	bool prefix;
	bool in_phrase;
	size_t stem_at, stem_len;     /* the stem, in the scratch buffer */
};

/*
 * Walks the text in step with the words, counting the columns the text
 * takes with white space collapsed and trimmed at the start, and noting
 * what separates one word from the next.
 */
struct column_walk {
	const char *text;
	int32_t len;
	int32_t at;
	uint32_t col;
	bool seen;        /* something not white was shown */
	bool pending;     /* white space since then: one column if followed */
	bool terminal;    /* a sentence terminator since the last word */
	unsigned breaks;  /* line breaks since the last word */
};

static void walk_to(struct column_walk *w, int32_t to)
{
	while (w->at < to) {
		uint8_t b = (uint8_t)w->text[w->at];
		if (is_plain_ascii(b)) {
			w->col += 1 + w->pending;
			w->pending = false;
			w->seen = true;
			w->terminal |= b == '.' || b == '!' || b == '?';
			w->at++;
			continue;
		}
		struct character ch = read_character(w->text, &w->at, w->len);
		if (ch.space) {
			w->pending = w->seen;
			w->breaks += ch.breaks;
			continue;
		}
		if (w->pending)
			w->col++;
		w->pending = false;
		w->seen = true;
		w->col += ch.columns;
		w->terminal |= ch.terminal;
	}
}

struct pass1 {
	ni_db *db;
	struct query_word *query;
	size_t n_query;
	struct ni_buf *scratch;       /* query stems, then one word's stem */
	size_t scratch_used;          /* bytes of query stems */
	struct word_list words;
	struct column_walk walk;
	ni_status status;
};

static ni_status push_word(struct word_list *l, const struct word *w)
{
	if (l->n == l->cap) {
		if (l->cap > SIZE_MAX / 2 / sizeof(*l->items))
			return NI_ENOMEM;
		size_t cap = l->cap * 2;
		struct word *items = l->on_heap
			? realloc(l->items, cap * sizeof(*items))
			: malloc(cap * sizeof(*items));
		if (!items)
			return NI_ENOMEM;
		if (!l->on_heap)
			memcpy(items, l->items, l->n * sizeof(*items));
		l->items = items;
		l->cap = cap;
		l->on_heap = true;
	}
	l->items[l->n++] = *w;
	return NI_OK;
}

static uint64_t query_bit(size_t i)
{
	return (uint64_t)1 << (i < MASK_BITS - 1 ? i : MASK_BITS - 1);
}

/* Which query words the folded `word` matches, as a mask. */
static ni_status match_word(struct pass1 *p, const char *word, size_t len,
			    uint64_t *mask)
{
	*mask = 0;
	bool stemmed = false;
	for (size_t i = 0; i < p->n_query; i++) {
		const struct query_word *q = &p->query[i];
		bool match = false;
		if (q->prefix) {
			match = len >= q->len &&
				memcmp(word, q->word, q->len) == 0;
		} else if (len == q->len && memcmp(word, q->word, len) == 0) {
			match = true;
		} else if (q->by_stem) {
			if (!stemmed) {
				ni_status st = ni_db_stem(p->db, word, len,
							  p->scratch);
				if (st != NI_OK)
					return st;
				stemmed = true;
			}
			size_t stem_len = p->scratch->len - p->scratch_used;
			match = stem_len == q->stem_len &&
				memcmp(p->scratch->data + p->scratch_used,
				       p->scratch->data + q->stem_at,
				       stem_len) == 0;
		}
		if (match)
			*mask |= query_bit(i);
	}
	ni_buf_truncate(p->scratch, p->scratch_used);
	return NI_OK;
}

/*
 * A compound's joined form ("ecommerce" after "e", "commerce") or a CJK
 * bigram that matches a query word marks every word it overlaps; not a
 * word of a phrase, which the search matches by words alone.
 */
static int on_joined_form(struct pass1 *p, const struct ni_token *token)
{
	uint64_t mask = 0;
	p->status = match_word(p, token->word, token->len, &mask);
	for (size_t i = 0; i < p->n_query; i++)
		if (p->query[i].in_phrase)
			mask &= ~query_bit(i);
	for (size_t i = p->words.n; mask && i-- > 0;) {
		struct word *part = &p->words.items[i];
		if (part->end <= token->start)
			break;
		if (part->start < token->end)
			part->mask |= mask;
	}
	return p->status != NI_OK;
}

static int on_word(void *ctx, const struct ni_token *token)
{
	struct pass1 *p = ctx;
	struct column_walk *w = &p->walk;
	size_t n = p->words.n;
	if (token->also)
		return on_joined_form(p, token);
	struct word word = {
		.start = (uint32_t)token->start,
		.end = (uint32_t)token->end,
	};

	walk_to(w, (int32_t)token->start);
	word.col_start = w->col + (w->pending ? 1 : 0);
	bool new_sentence = n == 0 || w->terminal || w->breaks >= 2;
	word.sentence = new_sentence ? (uint32_t)n
				     : p->words.items[n - 1].sentence;
	walk_to(w, (int32_t)token->end);
	word.col_end = w->col;
	w->terminal = false;
	w->breaks = 0;

	p->status = match_word(p, token->word, token->len, &word.mask);
	if (p->status == NI_OK)
		p->status = push_word(&p->words, &word);
	return p->status != NI_OK;
}

/*
 * Ready the query words: skip empty ones, and stem the others that match
 * by stem, once, into the scratch buffer.
 */
static ni_status prepare_query(struct pass1 *p,
			       const struct ni_query_word *words,
			       size_t n_words)
{
	for (size_t i = 0; i < n_words; i++) {
		struct query_word *q = &p->query[i];
		*q = (struct query_word){ .word = words[i].word };
		/* An empty word matches nothing, not even as a prefix. */
		if (!q->word || !*q->word)
			continue;
		q->len = strlen(q->word);
		q->prefix = words[i].is_prefix;
		q->in_phrase = words[i].in_phrase;
		q->by_stem = p->db && !words[i].in_phrase && !q->prefix;
		if (!q->by_stem)
			continue;
		q->stem_at = p->scratch->len;
		ni_status st = ni_db_stem(p->db, q->word, q->len, p->scratch);
		if (st != NI_OK)
			return st;
		q->stem_len = p->scratch->len - q->stem_at;
	}
	p->scratch_used = p->scratch->len;
	return NI_OK;
}

/* ---- pass 2: choosing the window -------------------------------------- */

struct layout {
	const struct word *words;
	size_t n;
	uint64_t total;        /* columns of the whole collapsed text */
	uint64_t max;          /* max_columns */
};

/*
 * A window starting at word i starts at the start of the text when i is
 * the first word (nothing cut), else at word i with an ellipsis before.
 */
static uint64_t start_col(const struct layout *l, size_t i)
{
	return i == 0 ? 0 : l->words[i].col_start;
}

static uint64_t start_extra(size_t i)
{
	return i == 0 ? 0 : ELLIPSIS_COLUMNS;
}

/* Whether the window starting at word i can run to the end of the text. */
static bool reaches_end(const struct layout *l, size_t i)
{
	return l->total - start_col(l, i) + start_extra(i) <= l->max;
}

/* Whether it can hold word j whole, with an ellipsis after it. */
static bool holds(const struct layout *l, size_t i, size_t j)
{
	return l->words[j].col_end - start_col(l, i) + start_extra(i) +
	       ELLIPSIS_COLUMNS <= l->max;
}

/* How many times each query word occurs in the window, and how many do. */
struct tally {
	uint32_t count[MASK_BITS];
	unsigned distinct;
};

static void tally_add(struct tally *t, uint64_t mask)
{
	for (unsigned b = 0; mask; b++, mask >>= 1)
		if ((mask & 1) && t->count[b]++ == 0)
			t->distinct++;
}

static void tally_remove(struct tally *t, uint64_t mask)
{
	for (unsigned b = 0; mask; b++, mask >>= 1)
		if ((mask & 1) && --t->count[b] == 0)
			t->distinct--;
}

/*
 * The window with the most distinct query words, ties to the earliest:
 * for each matching word as the window's first, the window runs as far
 * as the columns allow.  Sets *first and *last to its first and last
 * matching words; false when no window holds any match.
 */
static bool best_window(const struct layout *l, size_t *first, size_t *last)
{
	struct tally t = { .distinct = 0 };
	unsigned best = 0;
	size_t best_r = 0;
	size_t r = 0;  /* the window is the words [i, r) */
	for (size_t i = 0; i < l->n; i++) {
		uint64_t mask = l->words[i].mask;
		if (!mask)
			continue;
		bool all = reaches_end(l, i);
		if (r < i)
			r = i;
		/*
		 * Windows only move right, so this never drops a word in
		 * practice; it keeps the count right whatever the columns.
		 */
		while (r > i && !all && !holds(l, i, r - 1))
			tally_remove(&t, l->words[--r].mask);
		while (r < l->n && (all || holds(l, i, r)))
			tally_add(&t, l->words[r++].mask);
		if (t.distinct > best) {
			best = t.distinct;
			*first = i;
			best_r = r;
		}
		if (r > i)
			tally_remove(&t, mask);
	}
	if (best == 0)
		return false;
	size_t j = best_r - 1;
	while (!l->words[j].mask)
		j--;
	*last = j;
	return true;
}

/* ---- pass 3: writing the snippet -------------------------------------- */

struct writer {
	const char *text;
	int32_t len;
	int32_t at;
	struct ni_buf *out;
	uint64_t col;
	uint64_t cap;     /* columns the text may take, ellipses aside */
	bool seen;
	bool pending;
	bool full;
	ni_status status;
};

/* Copy the run of plain ASCII at text[at], or as much as fits. */
static void write_ascii_run(struct writer *w, int32_t to)
{
	int32_t from = w->at, end = from + 1;
	while (end < to && is_plain_ascii((uint8_t)w->text[end]))
		end++;
	uint64_t space = w->pending ? 1 : 0;
	uint64_t room = w->cap - w->col;
	if (space + (uint64_t)(end - from) > room) {
		w->full = true;
		if (space + 1 > room)
			return;
		end = from + (int32_t)(room - space);
	}
	if (space)
		w->status = ni_buf_addch(w->out, ' ');
	if (w->status == NI_OK)
		w->status = ni_buf_add(w->out, w->text + from,
				       (size_t)(end - from));
	w->col += space + (uint64_t)(end - from);
	w->at = end;
	w->pending = false;
	w->seen = true;
}

/* Copy text[at, to) to the snippet, collapsing white space. */
static void write_to(struct writer *w, int32_t to)
{
	while (w->at < to && !w->full && w->status == NI_OK) {
		int32_t from = w->at;
		if (is_plain_ascii((uint8_t)w->text[from])) {
			write_ascii_run(w, to);
			continue;
		}
		struct character ch = read_character(w->text, &w->at, w->len);
		if (ch.space) {
			w->pending = w->seen;
			continue;
		}
		uint64_t need = ch.columns + (w->pending ? 1 : 0);
		if (w->col + need > w->cap) {
			w->full = true;
			w->at = from;
			break;
		}
		if (w->pending)
			w->status = ni_buf_addch(w->out, ' ');
		if (w->status == NI_OK)
			w->status = ch.valid
				? ni_buf_add(w->out, w->text + from,
					     (size_t)(w->at - from))
				: ni_buf_add(w->out, REPLACEMENT, 3);
		w->col += need;
		w->pending = false;
		w->seen = true;
	}
}

static ni_status push_span(struct ni_snippet *s, size_t start, size_t end)
{
	if (s->n_spans == s->cap_spans) {
		if (s->cap_spans > SIZE_MAX / 2 / sizeof(*s->spans))
			return NI_ENOMEM;
		size_t cap = s->cap_spans ? 2 * s->cap_spans : 8;
		struct ni_span *spans = realloc(s->spans,
						cap * sizeof(*spans));
		if (!spans)
			return NI_ENOMEM;
		s->spans = spans;
		s->cap_spans = cap;
	}
	s->spans[s->n_spans++] = (struct ni_span){ start, end };
	return NI_OK;
}

/*
 * Write text[from, to) with the matching words in it marked, at most
 * `cap` columns of it (less only when one word is wider than the
 * snippet).
 */
static ni_status write_snippet(struct ni_snippet *out, const char *text,
			       int32_t len, const struct word_list *words,
			       int32_t from, int32_t to, uint64_t cap)
{
	struct writer w = {
		.text = text, .len = len, .at = from, .out = &out->text,
		.cap = cap, .status = NI_OK,
	};
	/* Collapsing only shrinks the text; U+FFFD may triple a byte. */
	ni_status st = ni_buf_grow(&out->text, (size_t)(to - from) + 8);
	if (st != NI_OK)
		return st;
	if (out->cut_start)
		w.status = ni_buf_add(&out->text, ELLIPSIS, 3);
	uint32_t marked_end = 0;    /* where the last marked word ended */
	for (size_t i = 0; i < words->n && w.status == NI_OK; i++) {
		const struct word *word = &words->items[i];
		if (!word->mask || word->start < (uint32_t)from)
			continue;
		if (word->end > (uint32_t)to || w.full)
			break;
		write_to(&w, (int32_t)word->start);
		size_t start = out->text.len + (w.pending ? 1 : 0);
		write_to(&w, (int32_t)word->end);
		if (w.status != NI_OK || out->text.len <= start)
			continue;
		/*
		 * The parts of a compound ("e-commerce", "U.S") are marked
		 * as one: one joint character between two marked words.
		 */
		char joint = marked_end && word->start == marked_end + 1
				     ? text[marked_end] : '\0';
		if (joint && strchr("-.'", joint) && out->n_spans &&
		    out->spans[out->n_spans - 1].end + 1 == start)
			out->spans[out->n_spans - 1].end = out->text.len;
		else
			w.status = push_span(out, start, out->text.len);
		marked_end = word->end;
	}
	write_to(&w, to);
	if (w.status == NI_OK && out->cut_end)
		w.status = ni_buf_add(&out->text, ELLIPSIS, 3);
	return w.status;
}

/* ---- the call ---------------------------------------------------------- */

/*
 * Choose the bytes [*from, *to) of the snippet and whether it is cut at
 * either end; *cap is the columns the text may take between ellipses.
 */
static void choose(const struct layout *l, int32_t len,
		   struct ni_snippet *out, int32_t *from, int32_t *to,
		   uint64_t *cap)
{
	size_t first = 0, last = 0, start = 0;
	if (best_window(l, &first, &last)) {
		/* From the sentence's start, if its matches still fit. */
		size_t sentence = l->words[first].sentence;
		start = reaches_end(l, sentence) || holds(l, sentence, last)
			? sentence : first;
	}
	*from = start == 0 ? 0 : (int32_t)l->words[start].start;
	out->cut_start = start > 0;
	if (l->n == 0 || reaches_end(l, start)) {
		*to = len;
		out->cut_end = !reaches_end(l, start);
	} else {
		/*
		 * As far as whole words fit.  When not even the first does,
		 * the writer stops inside it, where the columns run out.
		 */
		size_t end = start;
		while (end + 1 < l->n && holds(l, start, end + 1))
			end++;
		*to = (int32_t)l->words[end].end;
		out->cut_end = true;
	}
	uint64_t extra = start_extra(start) +
			 (out->cut_end ? ELLIPSIS_COLUMNS : 0);
	*cap = l->max > extra ? l->max - extra : 0;
}

static ni_status make(struct pass1 *p, ni_analyzer *an, const char *text,
		      int32_t len, const struct ni_query_word *words,
		      size_t n_words, unsigned max_columns,
		      struct ni_snippet *out)
{
	ni_status st = prepare_query(p, words, n_words);
	if (st != NI_OK)
		return st;

	st = ni_analyzer_run(an, text, (size_t)len, on_word, p, NULL);
	if (st == NI_OK)
		st = p->status;
	if (st != NI_OK)
		return st;
	walk_to(&p->walk, len);
	ni_buf_reset(&out->text);

	struct layout l = {
		.words = p->words.items,
		.n = p->words.n,
		.total = p->walk.col,
		.max = max_columns,
	};
	int32_t from = 0, to = len;
	uint64_t cap = UINT64_MAX;
	if (l.total > l.max)
		choose(&l, len, out, &from, &to, &cap);
	return write_snippet(out, text, len, &p->words, from, to, cap);
}

ni_status ni_snippet_make(ni_db *db, ni_analyzer *an, const char *text,
			  size_t len, const struct ni_query_word *words,
			  size_t n_words, unsigned max_columns,
			  struct ni_snippet *out)
{
	if (!out)
		return NI_EINVAL;
	ni_buf_reset(&out->text);
	out->n_spans = 0;
	out->cut_start = out->cut_end = false;
	if (!an || (!text && len) || (!words && n_words) || max_columns == 0 ||
	    len > INT32_MAX)
		return NI_EINVAL;
	if (!text)
		text = "";

	struct word inline_words[INLINE_WORDS];
	struct query_word inline_query[INLINE_QUERY_WORDS];
	struct pass1 p = {
		.db = db,
		.query = inline_query,
		.n_query = n_words,
		.scratch = &out->text,
		.words = { inline_words, 0, INLINE_WORDS, false },
		.walk = { .text = text, .len = (int32_t)len },
		.status = NI_OK,
	};
	if (n_words > INLINE_QUERY_WORDS) {
		p.query = calloc(n_words, sizeof(*p.query));
		if (!p.query)
			return NI_ENOMEM;
	}
	ni_status st = make(&p, an, text, (int32_t)len, words, n_words,
			    max_columns, out);
	if (p.query != inline_query)
		free(p.query);
	if (p.words.on_heap)
		free(p.words.items);
	if (st != NI_OK) {
		ni_buf_reset(&out->text);
		out->n_spans = 0;
		out->cut_start = out->cut_end = false;
	}
	return st;
}
