/*
 * ni_qparse: see include/ni_qparse.h; docs/query-syntax.md is the user's
 * description of the language.
 *
 * Not Xapian's QueryParser: query words must go through the analyzer the
 * articles did, and each error needs its place and a fallback to words.
 *
 * Three layers, and the text is read once:
 *   - the lexer cuts the text into tokens with byte offsets, one token
 *     ahead of the parser;
 *   - the parser is recursive descent, one function per precedence
 *     level: OR, then AND / NOT / the default join, then NEAR, then the
 *     signs + and -, then terms, phrases, fields and groups;
 *   - builders turn what each level parsed into a `struct node` that
 *     holds the strict and the relaxed query together, so a group nested
 *     in a default-operator sequence keeps tiers of its own.
 *
 * Stopwords are left out where the default operator joins them to
 * something, which is known when their sequence ends, and only when
 * something else is left, which is known at the end: a query whose
 * every searchable word was a dropped stopword is parsed a second time
 * keeping them (at most twice).
 *
 * Recursion is bounded by MAX_PAREN_DEPTH; runs of NOT and chains of
 * operators are loops.  Xapian walks query trees recursively too, so
 * the depth of the trees built is bounded as well (MAX_QUERY_DEPTH).
 */
#include "ni_qparse.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include "ni_article.h"
#include "ni_buf.h"
#include "ni_dates.h"
#include "ni_fields.h"
#include "ni_stopwords.h"
#include "../base/ascii.h"

/* More nested parentheses than this are refused: the parser recurses. */
#define MAX_PAREN_DEPTH 64
/* Deeper query trees are refused; Xapian recurses over them. */
#define MAX_QUERY_DEPTH 1000
/* Typed text quoted in an error message is cut to about this many bytes. */
#define MAX_QUOTED 64
#define SECONDS_PER_DAY 86400.0

/*
 * A field (ni_fields.h) is its row of the field table; a filter's `key`,
 * which groups the filters of one field, is the row's place in it.
 */
#define F_NONE -1

static const char BAD_DATE[] =
	"%s: '%.*s' is not a date (YYYY-MM-DD, YYYY-MM, YYYY, Nd, today...)";
static const char BAD_SCORE[] =
	"%s: takes a number from 0 to 100, a comparison (>=40) or a "
	"range (20..60)";
static const char BAD_AMOUNT[] =
	"%s: takes a number from 0 up, a comparison (>=10) or a range "
	"(10..50)";
static const char BAD_NEAR_OPERAND[] =
	"'NEAR' joins single words, not phrases, prefixes, groups or filters";

enum tok_kind {
	T_END, T_TERM, T_PHRASE, T_LPAREN, T_RPAREN, T_PLUS, T_MINUS,
	T_AND, T_OR, T_NOT, T_NEAR, T_FIELD,
};

struct token {
	enum tok_kind kind;
	size_t start;          /* its bytes in the text, end exclusive; */
	size_t end;            /* a phrase's include the quotes */
	unsigned distance;     /* T_NEAR: within this many words */
	const struct ni_field_spec *field;  /* T_FIELD: which one */
};

enum node_kind {
	N_EMPTY,    /* nothing to search: punctuation, a dropped stopword */
	N_TEXT,     /* free text: selects and scores */
	N_FILTER,   /* selects without scoring */
	N_EXCLUDE,  /* every document except those of `strict` */
};

/* What one piece of the query became. */
struct node {
	enum node_kind kind;
	ni_query *strict;
	ni_query *relaxed;     /* NULL: the same as strict */
	int key;               /* the field all its filters come from */
	unsigned depth;        /* of the query trees, at most */
	char *word;            /* a single typed word: for NEAR, stopwords */
	size_t word_len;
	enum ni_field field;   /* where `word` is searched */
	bool bare;             /* `word` was typed alone: no quotes, no field */
	size_t stopword;       /* a stopword the default operator drops:
				  1 + where its word is in p->words; else 0 */
	size_t start;          /* its span in the text */
	size_t end;
};

/* Where an item of a sequence goes when the sequence is built. */
enum role {
	R_SKIP, R_REQUIRED, R_PLAIN, R_EXCLUDED, R_FILTER, R_FILTER_ALONE,
};

struct item {
	struct node node;
	char sign;             /* '+', '-' or 0 */
	enum role role;
};

/* Items joined by the default operator (or, in AND mode, by AND). */
struct seq {
	struct item *items;
	size_t n;
	size_t cap;
};

/* The words the analyzer found in a term or a phrase. */
struct word_span {
	size_t offset;         /* in `chars` */
	size_t len;
	size_t start;          /* the typed chunk it came from */
	size_t end;
};

/* A compound's joined form: at `offset` in `also`, joins words
 * [first, first + n). */
struct joined_form {
	size_t offset;
	size_t first;
	size_t n;
};

struct term_words {
	struct ni_buf chars;   /* the words, each NUL-terminated */
	struct word_span *spans;
	const char **ptrs;     /* into chars, for ni_query_phrase() */
	size_t *lens;
	size_t n;
	size_t cap;
	/*
	 * The joined forms of compounds (tokens marked `also`): "ecommerce"
	 * for e-commerce, each NUL-terminated in `also`, and which words
	 * each joins.
	 */
	struct ni_buf also;
	struct joined_form *forms;
	size_t n_also;
	size_t cap_also;
};

struct parser {
	ni_db *db;
	ni_analyzer *analyzer;
	const char *text;
	size_t len;
	int64_t now;
	struct ni_qparse_error *err;
	bool err_set;
	/* the lexer */
	size_t pos;
	bool after_sign;       /* the next token follows + or - */
	bool value_next;       /* the next token is the value of `field` */
	struct token field;
	struct token tok;      /* the next token, not yet consumed */
	/* the parser */
	unsigned paren_depth;
	bool negated;          /* under - or NOT: words are not listed */
	bool keep_stopwords;
	size_t stopwords_dropped;
	enum ni_field text_field;  /* NI_FIELD_TITLE inside title:( ) */
	/* inside topic:( ) and the like; NULL elsewhere */
	const struct ni_field_spec *filter_field;
	struct term_words tw;
	struct ni_buf scratch;
	struct ni_query_word *words;
	size_t n_words;
	size_t cap_words;
	/* NI_QPARSE_WORDS: every chunk of text is a plain word. */
	bool words_only;
	/*
	 * The bounds on the work (ni_qparse_options).  `max_words` is
	 * what may be read (words, prefix expansions, filters), and
	 * `terms_left` what is left of it; once it runs out, at `cut_at`
	 * (the text whose words are left out first), nothing more is
	 * searched.  read_bounded() lowers `max_words` until the query
	 * reads at most `max_postings` postings.
	 */
	size_t max_words;
	uint64_t max_postings;
	size_t terms_left;
	/*
	 * The first chunk of text with a word too long to be indexed
	 * (NI_ANALYZER_MAX_WORD), which the analyzer left out: said in a
	 * notice, or in the error when nothing else was left.
	 */
	bool long_word;
	size_t long_word_at;
	bool cut;
	size_t cut_at;
	/* What the bounds looked up, for the parses after the first. */
	ni_lookups *lookups;
	/* ni_parsed_query's notices, so far. */
	char **notices;
	size_t n_notices;
};

/* ---- errors ------------------------------------------------------------ */

/* How much of `n` bytes at `s` to quote: MAX_QUOTED, on a UTF-8 boundary. */
static int clip(const char *s, size_t n)
{
	if (n <= MAX_QUOTED)
		return (int)n;
	n = MAX_QUOTED;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

__attribute__((format(printf, 4, 5)))
static ni_status fail_at(struct parser *p, size_t start, size_t end,
			 const char *fmt, ...)
{
	p->err->offset = start;
	p->err->length = end > start ? end - start : 1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
	va_end(ap);
	p->err_set = true;
	return NI_EQUERY;
}

static ni_status fail_token(struct parser *p, const struct token *t,
			    const char *fmt)
{
	return fail_at(p, t->start, t->end, fmt,
		       clip(p->text + t->start, t->end - t->start),
		       p->text + t->start);
}

/* A failure that is not the query's fault, with what the callee said. */
static ni_status fail_status(struct parser *p, ni_status status,
			     const char *detail)
{
	if (status == NI_OK || p->err_set)
		return status;
	p->err->offset = 0;
	p->err->length = p->len ? p->len : 1;
	snprintf(p->err->message, sizeof p->err->message, "%s",
		 detail && *detail ? detail : ni_status_str(status));
	p->err_set = true;
	return status;
}

/* ---- notices and the bound on the work ---------------------------------- */

/* Add a notice to the `*n` of `*notices`, after them or before. */
__attribute__((format(printf, 4, 5)))
static ni_status insert_notice(char ***notices, size_t *n, bool first,
			       const char *fmt, ...)
{
	char **grown = realloc(*notices, (*n + 1) * sizeof *grown);
	if (!grown)
		return NI_ENOMEM;
	*notices = grown;
	struct ni_buf text = NI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	ni_status status = ni_buf_vaddf(&text, fmt, ap);
	va_end(ap);
	char *notice = status == NI_OK ? ni_buf_detach(&text) : NULL;
	ni_buf_release(&text);
	if (!notice)
		return NI_ENOMEM;
	if (first)
		memmove(grown + 1, grown, *n * sizeof *grown);
	grown[first ? 0 : *n] = notice;
	(*n)++;
	return NI_OK;
}

/* Tell the reader something about how the query was read. */
#define add_notice(p, ...) \
	insert_notice(&(p)->notices, &(p)->n_notices, false, __VA_ARGS__)

static void free_notices(char **notices, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(notices[i]);
	free(notices);
}

/* The bound has run out at the chunk of text at `at`: nothing more. */
static void cut_at(struct parser *p, size_t at)
{
	if (p->cut)
		return;
	p->cut = true;
	p->cut_at = at;
	p->terms_left = 0;
}

/* Take `n` from the bound; false (the query cut at `at`) when it is out. */
static bool spend(struct parser *p, size_t n, size_t at)
{
	if (!p->cut && p->terms_left >= n) {
		p->terms_left -= n;
		return true;
	}
	cut_at(p, at);
	return false;
}

/* ---- width forms -------------------------------------------------------- */

/*
 * The character c stands for when it is a width form (fullwidth ｔ, ：,
 * （, ＊; halfwidth ｢; the small and vertical forms): what Chinese and
 * Japanese input methods type in fullwidth mode.  As NFKC reads it, so
 * the query's syntax reads as the articles' words are folded; other
 * characters are themselves (mathematical letters and superscript
 * parentheses, which NFKC makes ASCII too, are not typed as syntax).
 */
static UChar32 width_form_of(UChar32 c)
{
	int32_t type = u_getIntPropertyValue(c, UCHAR_DECOMPOSITION_TYPE);
	if (type != U_DT_WIDE && type != U_DT_NARROW && type != U_DT_SMALL &&
	    type != U_DT_VERTICAL)
		return c;
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&err);
	UChar in[2], out[4];
	int32_t n = 0, got = 0;
	U16_APPEND_UNSAFE(in, n, c);
	if (U_SUCCESS(err))
		got = unorm2_normalize(nfkc, in, n, out, 4, &err);
	if (U_FAILURE(err))
		return c;
	UChar32 base;
	int32_t i = 0;
	U16_NEXT(out, i, got, base);
	return i == got ? base : c;
}

/*
 * The character at text[pos] (`len` bytes in all) as syntax: an ASCII
 * byte is itself, a width form what it stands for, anything else
 * itself; `*n` is its bytes (an ill-formed byte is U+FFFD, one byte).
 */
static UChar32 syntax_char(const char *text, size_t len, size_t pos,
			   size_t *n)
{
	unsigned char b = (unsigned char)text[pos];
	*n = 1;
	if (b < 0x80)
		return b;
	int32_t i = 0, left = len - pos > 4 ? 4 : (int32_t)(len - pos);
	UChar32 c;
	U8_NEXT((const uint8_t *)text + pos, i, left, c);
	*n = (size_t)i;
	return c < 0 ? 0xFFFD : width_form_of(c);
}

/* ---- the lexer ---------------------------------------------------------- */

/* Whether a decimal digit (of any script) ends at p->text[pos - 1]. */
static bool digit_before(const struct parser *p, size_t pos)
{
	if (pos == 0 || pos > INT32_MAX)
		return false;
	int32_t i = (int32_t)pos;
	UChar32 c;
	U8_PREV((const uint8_t *)p->text, 0, i, c);
	return c >= 0 && u_isdigit(c);
}

/* Whether a decimal digit (of any script) starts at p->text[pos]. */
static bool digit_at(const struct parser *p, size_t pos)
{
	if (pos >= p->len || p->len - pos > INT32_MAX)
		return false;
	int32_t i = 0, left = (int32_t)(p->len - pos);
	UChar32 c;
	U8_NEXT((const uint8_t *)p->text + pos, i, left, c);
	return c >= 0 && u_isdigit(c);
}

/*
 * The spaces that may separate the groups of a number (1 000 with a
 * no-break, figure, thin or narrow no-break space): between two digits,
 * they are left in the term, and the analyzer, which reads articles
 * the same way, says whether they join the number ("1000") or part two
 * words.
 */
static bool may_group_digits(unsigned code)
{
	return code == 0xA0 || code == 0x2007 || code == 0x2009 ||
	       code == 0x202F;
}

/*
 * Bytes of the white space character at p->text[pos], 0 if it is not
 * one: ASCII's, and the Unicode spaces people paste (no-break, ideographic
 * and the like), which the analyzer would split words at anyway.
 */
static size_t space_len(const struct parser *p, size_t pos)
{
	const unsigned char *s = (const unsigned char *)p->text + pos;
	if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))
		return 1;
	size_t n = 0;
	unsigned code = 0;
	if (s[0] == 0xC2 && pos + 1 < p->len) {
		n = 2;
		code = s[1] == 0xA0 || s[1] == 0x85 ? s[1] : 0;
	} else if (pos + 2 < p->len && s[0] >= 0xE1 && s[0] <= 0xE3 &&
		   (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
		n = 3;
		code = (s[0] & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 |
		       (s[2] & 0x3Fu);
	}
	bool space = code == 0xA0 || code == 0x85 || code == 0x1680 ||
		     (code >= 0x2000 && code <= 0x200A) || code == 0x2028 ||
		     code == 0x2029 || code == 0x202F || code == 0x205F ||
		     code == 0x3000;
	if (space && may_group_digits(code) && digit_before(p, pos) &&
	    digit_at(p, pos + n))
		return 0;
	return space ? n : 0;
}

static size_t skip_space(const struct parser *p, size_t pos, size_t end)
{
	size_t n;
	while (pos < end && (n = space_len(p, pos)) > 0)
		pos += n;
	return pos;
}

static bool ends_term(const struct parser *p, size_t pos)
{
	char c = p->text[pos];
	return c == '(' || c == ')' || c == '"' || space_len(p, pos) > 0;
}

static size_t term_end(const struct parser *p, size_t pos)
{
	while (pos < p->len && !ends_term(p, pos))
		pos++;
	return pos;
}

static bool ascii_alpha(char c)
{
	return ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z';
}

static ni_status lex_phrase(struct parser *p, struct token *t)
{
	size_t open = p->pos;
	const char *close = memchr(p->text + open + 1, '"', p->len - open - 1);
	if (!close)
		return fail_at(p, open, open + 1, "unclosed quote");
	*t = (struct token){T_PHRASE, open, (size_t)(close - p->text) + 1, 0,
			    NULL};
	p->pos = t->end;
	if (skip_space(p, open + 1, t->end - 1) == t->end - 1)
		return fail_at(p, open, t->end, "empty phrase");
	return NI_OK;
}

static ni_status lex_term(struct parser *p, bool after_sign,
			  struct token *t);

/*
 * Bytes of the sign at p->text[pos], 0 if there is none: + and -, and
 * their width forms, the fullwidth ＋ and － that Chinese and Japanese
 * input methods type in fullwidth mode, as their letters are read as
 * ASCII ones.
 */
static size_t sign_len(const struct parser *p, size_t pos)
{
	size_t n;
	UChar32 c = syntax_char(p->text, p->len, pos, &n);
	return c == '+' || c == '-' ? n : 0;
}

/*
 * A sign of `n` bytes that starts a term.  One that stands alone ("1990
 * - 2000", "results - (a) ...") is punctuation in the text people
 * paste, not an operator: it becomes a term with no word in it, which
 * is ignored.
 */
static ni_status lex_sign(struct parser *p, size_t n, struct token *t)
{
	size_t at = p->pos, after = at + n;
	bool plus = syntax_char(p->text, p->len, at, &n) == '+';
	if (after >= p->len || space_len(p, after) || p->text[after] == ')')
		return lex_term(p, true, t);
	*t = (struct token){plus ? T_PLUS : T_MINUS, at, after, 0, NULL};
	p->pos = after;
	p->after_sign = true;
	return NI_OK;
}

/* NEAR/n: `digits` (`n` bytes) are what follows the slash. */
static ni_status lex_near_distance(struct parser *p, struct token *t,
				   const char *digits, size_t n)
{
	unsigned distance = 0;
	bool ok = n >= 1 && n <= 4;
	for (size_t i = 0; ok && i < n; i++) {
		ok = digits[i] >= '0' && digits[i] <= '9';
		distance = distance * 10 + (unsigned)(digits[i] - '0');
	}
	if (!ok || distance < 1 || distance > 1000)
		return fail_token(p, t,
				  "'%.*s' needs a distance from 1 to 1000");
	t->kind = T_NEAR;
	t->distance = distance;
	return NI_OK;
}

/*
 * The ASCII that text[start, end) stands for, its width forms read as
 * what they stand for (ＯＲ is OR), into `out` (`cap` bytes with the
 * NUL); its length, or 0 when it is no such text or longer.
 */
static size_t ascii_syntax(const struct parser *p, size_t start, size_t end,
			   char *out, size_t cap)
{
	size_t o = 0, n;
	for (size_t i = start; i < end; i += n) {
		UChar32 c = syntax_char(p->text, p->len, i, &n);
		if (c >= 0x80 || c == 0 || o + 1 >= cap)
			return 0;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return o;
}

/* Operators are whole terms, in uppercase only (or their width forms). */
static ni_status classify_operator(struct parser *p, struct token *t)
{
	char ascii[16];
	size_t n = ascii_syntax(p, t->start, t->end, ascii, sizeof ascii);
	const char *s = ascii;
	if (n == 3 && memcmp(s, "AND", 3) == 0)
		t->kind = T_AND;
	else if (n == 2 && memcmp(s, "OR", 2) == 0)
		t->kind = T_OR;
	else if (n == 3 && memcmp(s, "NOT", 3) == 0)
		t->kind = T_NOT;
	else if (n == 4 && memcmp(s, "NEAR", 4) == 0)
		*t = (struct token){T_NEAR, t->start, t->end,
				    NI_QPARSE_DEFAULT_NEAR, NULL};
	else if (n > 4 && memcmp(s, "NEAR/", 5) == 0)
		return lex_near_distance(p, t, s + 5, n - 5);
	return NI_OK;
}

/*
 * `name:` at the start of the term `t`: `name` (`name_len` bytes of
 * ASCII; 0 if it is too long to be a field's) and its colon, which ends
 * before `after`.  It is a field when something other than white space
 * follows,
 * except "//" (https://...), which is text; "Note: ..." is text too.
 */
static ni_status lex_field(struct parser *p, struct token *t, size_t after,
			   const char *name, size_t name_len)
{
	bool has_value = after < p->len && !space_len(p, after);
	if (has_value && after + 1 < p->len && p->text[after] == '/' &&
	    p->text[after + 1] == '/')
		return NI_OK;
	const struct ni_field_spec *field = ni_field_named(name, name_len);
	if (!field && !has_value)
		return NI_OK;
	t->end = after;
	if (!field) {
		char names[160];
		ni_field_names(names, sizeof names);
		return fail_at(p, t->start, t->end,
			       "unknown field '%.*s' (fields: %s)",
			       clip(p->text + t->start, t->end - t->start),
			       p->text + t->start, names);
	}
	if (!has_value)
		return fail_at(p, t->start, after, "%s: needs a value",
			       field->name);
	t->kind = T_FIELD;
	t->field = field;
	p->pos = after;
	p->value_next = true;
	p->field = *t;
	return NI_OK;
}

/*
 * A term, a field's name and colon, or an operator.  A field's name and
 * its colon may be typed in their width forms (ｔｉｔｌｅ：), as a
 * Chinese or Japanese input method types them.
 */
static ni_status lex_term(struct parser *p, bool after_sign, struct token *t)
{
	size_t start = p->pos;
	*t = (struct token){T_TERM, start, term_end(p, start), 0, NULL};
	p->pos = t->end;
	char name[16];
	size_t name_len = 0, colon = start, n = 0;
	UChar32 c = 0;
	while (colon < t->end) {
		c = syntax_char(p->text, p->len, colon, &n);
		if (c >= 0x80 || !ascii_alpha((char)c))
			break;
		if (name_len + 1 < sizeof name)
			name[name_len] = (char)c;
		name_len++;
		colon += n;
	}
	if (colon > start && colon < t->end && c == ':')
		return lex_field(p, t, colon + n, name,
				 name_len < sizeof name ? name_len : 0);
	return after_sign ? NI_OK : classify_operator(p, t);
}

/* The value right after `field:`: a phrase, a group or a raw term. */
static ni_status lex_value(struct parser *p, struct token *t)
{
	p->value_next = false;
	char c = p->text[p->pos];
	if (c == '"')
		return lex_phrase(p, t);
	if (c == ')')
		return fail_at(p, p->field.start, p->field.end,
			       "%s: needs a value", p->field.field->name);
	if (c == '(') {
		*t = (struct token){T_LPAREN, p->pos, p->pos + 1, 0, NULL};
		p->pos++;
		return NI_OK;
	}
	*t = (struct token){T_TERM, p->pos, term_end(p, p->pos), 0, NULL};
	p->pos = t->end;
	return NI_OK;
}

/*
 * NI_QPARSE_WORDS: each run of text between white space, parentheses and
 * quotes is a plain term; nothing is an operator, a sign or a field.
 */
static ni_status lex_word(struct parser *p, struct token *t)
{
	size_t space;
	while (p->pos < p->len && ends_term(p, p->pos))
		p->pos += (space = space_len(p, p->pos)) ? space : 1;
	*t = (struct token){p->pos < p->len ? T_TERM : T_END, p->pos,
			    term_end(p, p->pos), 0, NULL};
	p->pos = t->end;
	return NI_OK;
}

static ni_status lex(struct parser *p, struct token *t)
{
	if (p->words_only)
		return lex_word(p, t);
	if (p->value_next)
		return lex_value(p, t);
	bool after_sign = p->after_sign;
	p->after_sign = false;
	p->pos = skip_space(p, p->pos, p->len);
	if (p->pos >= p->len) {
		*t = (struct token){T_END, p->len, p->len, 0, NULL};
		return NI_OK;
	}
	char c = p->text[p->pos];
	if (c == '(' || c == ')') {
		*t = (struct token){c == '(' ? T_LPAREN : T_RPAREN, p->pos,
				    p->pos + 1, 0, NULL};
		p->pos++;
		return NI_OK;
	}
	if (c == '"')
		return lex_phrase(p, t);
	size_t sign = after_sign ? 0 : sign_len(p, p->pos);
	if (sign)
		return lex_sign(p, sign, t);
	return lex_term(p, after_sign, t);
}

static ni_status advance(struct parser *p)
{
	return lex(p, &p->tok);
}

static bool starts_near_chain(enum tok_kind kind)
{
	return kind == T_TERM || kind == T_PHRASE || kind == T_LPAREN ||
	       kind == T_FIELD || kind == T_PLUS || kind == T_MINUS;
}

static bool starts_item(enum tok_kind kind)
{
	return starts_near_chain(kind) || kind == T_NOT;
}

/* ---- nodes and the words list ------------------------------------------ */

static void node_init(struct node *node, size_t start, size_t end)
{
	memset(node, 0, sizeof *node);
	node->kind = N_EMPTY;
	node->key = F_NONE;
	node->start = start;
	node->end = end;
}

static void node_forget_word(struct node *node)
{
	free(node->word);
	node->word = NULL;
	node->bare = false;
}

static void node_clear(struct node *node)
{
	ni_query_free(node->strict);
	ni_query_free(node->relaxed);
	free(node->word);
	node_init(node, node->start, node->end);
}

/* Only what a match may contain is listed, so nothing under - or NOT. */
static ni_status list_word(struct parser *p, const char *word, size_t len,
			   const struct word_span *span, bool in_phrase,
			   bool is_prefix)
{
	if (p->negated)
		return NI_OK;
	if (p->n_words == p->cap_words) {
		size_t cap = p->cap_words ? p->cap_words * 2 : 8;
		struct ni_query_word *words = realloc(p->words,
						      cap * sizeof *words);
		if (!words)
			return NI_ENOMEM;
		p->words = words;
		p->cap_words = cap;
	}
	char *copy = strndup(word, len);
	if (!copy)
		return NI_ENOMEM;
	p->words[p->n_words++] = (struct ni_query_word){
		copy, span->start, span->end, in_phrase, is_prefix};
	return NI_OK;
}

static void unlist_word(struct parser *p, size_t i)
{
	free(p->words[i].word);
	memmove(&p->words[i], &p->words[i + 1],
		(--p->n_words - i) * sizeof *p->words);
}

/* Join `n` queries with `op`, the parts given as the wrapper takes them. */
static ni_status combine(enum ni_query_op op, ni_query *const *parts,
			 size_t n, ni_query **out)
{
	return ni_query_combine(op, (const ni_query *const *)parts, n, out);
}

static ni_status combine2(enum ni_query_op op, ni_query *a, ni_query *b,
			  ni_query **out)
{
	ni_query *parts[2] = {a, b};
	return combine(op, parts, 2, out);
}

/* *q = *q op other: on failure *q is unchanged. */
static ni_status join_into(enum ni_query_op op, ni_query **q, ni_query *other)
{
	ni_query *joined;
	ni_status status = combine2(op, *q, other, &joined);
	if (status != NI_OK)
		return status;
	ni_query_free(*q);
	*q = joined;
	return NI_OK;
}

/*
 * The node under - or NOT: "everything except" it.  Negated again, it is
 * what it was, but as a filter: -(-x) selects x without scoring it.
 */
static void negate_node(struct node *node)
{
	node_forget_word(node);
	if (node->kind == N_EMPTY)
		return;
	ni_query_free(node->relaxed);
	node->relaxed = NULL;
	node->kind = node->kind == N_EXCLUDE ? N_FILTER : N_EXCLUDE;
}

/* An N_EXCLUDE node as a query of its own: all AND_NOT what it excludes. */
static ni_status everything_except(struct node *node)
{
	ni_query *all, *except;
	ni_status status = ni_query_match_all(&all);
	if (status != NI_OK)
		return status;
	status = combine2(NI_QOP_AND_NOT, all, node->strict, &except);
	ni_query_free(all);
	if (status != NI_OK)
		return status;
	ni_query_free(node->strict);
	node->strict = except;
	node->kind = N_FILTER;
	node->depth++;
	return NI_OK;
}

/* ---- free text ---------------------------------------------------------- */

struct collect_ctx {
	struct term_words *tw;
	size_t chunk_start;
	size_t chunk_end;
	size_t word_start;     /* the last word's typed span, in the chunk */
	size_t word_end;
	size_t limit;          /* words it may collect (the bound) */
	bool full;             /* it stopped at a word past the bounds, */
	size_t full_at;        /* which starts there in the text */
	ni_status status;
};

static int add_joined_form(struct collect_ctx *c,
			   const struct ni_token *token)
{
	struct term_words *tw = c->tw;
	if (tw->n_also == tw->cap_also) {
		size_t cap = tw->cap_also ? tw->cap_also * 2 : 4;
		struct joined_form *forms = realloc(tw->forms,
						    cap * sizeof *forms);
		if (!forms) {
			c->status = NI_ENOMEM;
			return 1;
		}
		tw->forms = forms;
		tw->cap_also = cap;
	}
	/* Its words are the last `parts` collected, in this chunk. */
	tw->forms[tw->n_also++] = (struct joined_form){
		tw->also.len, tw->n - token->parts, token->parts};
	c->status = ni_buf_add(&tw->also, token->word, token->len + 1);
	return c->status != NI_OK;
}

static int collect_word(void *ctx, const struct ni_token *token)
{
	struct collect_ctx *c = ctx;
	struct term_words *tw = c->tw;
	if (!token->also && tw->n == c->limit) {
		c->full = true;
		c->full_at = c->chunk_start + token->start;
		return 1;
	}
	if (token->also)
		return add_joined_form(c, token);
	if (tw->n == tw->cap) {
		size_t cap = tw->cap ? tw->cap * 2 : 8;
		struct word_span *spans = realloc(tw->spans,
						  cap * sizeof *spans);
		if (!spans) {
			c->status = NI_ENOMEM;
			return 1;
		}
		tw->spans = spans;
		tw->cap = cap;
	}
	size_t offset = tw->chars.len;
	c->status = ni_buf_add(&tw->chars, token->word, token->len + 1);
	if (c->status != NI_OK)
		return 1;
	tw->spans[tw->n++] = (struct word_span){offset, token->len,
						c->chunk_start, c->chunk_end};
	c->word_start = token->start;
	c->word_end = token->end;
	return 0;
}

/* The kind of a hashtag's character, for where its words part. */
enum glyph { G_OTHER, G_LOWER, G_UPPER, G_DIGIT };

static enum glyph glyph_at(const char *text, size_t len, size_t pos,
			   size_t *next)
{
	int32_t i = (int32_t)pos;
	UChar32 c;
	U8_NEXT((const uint8_t *)text, i, (int32_t)len, c);
	*next = (size_t)i;
	return c < 0 ? G_OTHER : u_isdigit(c) ? G_DIGIT
	       : u_isupper(c) || u_istitle(c) ? G_UPPER
	       : u_islower(c) ? G_LOWER : G_OTHER;
}

/* Up to this many words in a hashtag. */
#define MAX_HASHTAG_WORDS 8

/*
 * Where the words of a hashtag's text[start, end) (after its '#') start,
 * as people write them run together: a capital after a small letter
 * (#ClimateChange), the last of several capitals before a small letter
 * (#USElection), a digit after a letter or a letter after a digit
 * (#Athens2004).  A word of one letter is no word (#iPhone).  `cuts`
 * gets each word's start, then `end`; the number of words, 1 when the
 * text is not such a run (or has anything but letters and digits).
 */
static size_t hashtag_words(const char *text, size_t start, size_t end,
			    size_t cuts[MAX_HASHTAG_WORDS + 1])
{
	size_t n = 0, pos = start, next;
	enum glyph before = G_OTHER, g = glyph_at(text, end, pos, &next);
	cuts[n++] = start;
	while (pos < end) {
		if (g == G_OTHER)
			return 1;
		size_t after_pos;
		enum glyph after = next < end
			? glyph_at(text, end, next, &after_pos) : G_OTHER;
		bool cut = (before == G_LOWER && g == G_UPPER) ||
			   (before == G_UPPER && g == G_UPPER &&
			    after == G_LOWER) ||
			   (before != G_OTHER && (before == G_DIGIT) !=
			    (g == G_DIGIT));
		/* A word of one letter stays with the next: i|Phone. */
		if (cut && pos - cuts[n - 1] > 1) {
			if (n == MAX_HASHTAG_WORDS)
				return 1;
			cuts[n++] = pos;
		}
		before = g;
		g = after;
		pos = next;
		next = next < end ? after_pos : end;
	}
	if (end - cuts[n - 1] < 2)
		n--;   /* a last word of one letter stays with the one before */
	cuts[n] = end;
	return n;
}

/*
 * A hashtag's words run together (#ClimateChange) are those words, with
 * the tag as their compound's joined form: found as "climate change" or
 * as "climatechange".  Called after a chunk of one word, the last
 * collected; leaves it as it is unless it is such a hashtag.
 */
static ni_status split_hashtag(struct parser *p, struct collect_ctx *c)
{
	struct term_words *tw = c->tw;
	size_t start = c->chunk_start + c->word_start;
	size_t end = c->chunk_start + c->word_end;
	size_t cuts[MAX_HASHTAG_WORDS + 1];
	if (start == 0 || p->text[start - 1] != '#')
		return NI_OK;
	size_t n = hashtag_words(p->text, start, end, cuts);
	if (n < 2 || tw->n + n > c->limit)
		return NI_OK;
	struct word_span tag = tw->spans[--tw->n];
	char *joined = strndup(tw->chars.data + tag.offset, tag.len);
	if (!joined)
		return NI_ENOMEM;
	ni_buf_truncate(&tw->chars, tag.offset);
	size_t first = tw->n;
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < n; i++) {
		status = ni_analyzer_run(p->analyzer, p->text + cuts[i],
					 cuts[i + 1] - cuts[i], collect_word, c,
					 NULL);
		if (status == NI_OK)
			status = c->status;
	}
	if (status == NI_OK && tw->n == first + n) {
		struct ni_token token = {.word = joined, .len = tag.len,
					 .also = true, .parts = (unsigned)n};
		add_joined_form(c, &token);
		status = c->status;
	} else if (status == NI_OK) {
		/* Its words were not one word a part: the tag as it was. */
		tw->n = first;
		ni_buf_truncate(&tw->chars, tag.offset);
		status = ni_buf_add(&tw->chars, joined, tag.len + 1);
		tw->spans[tw->n++] = tag;
	}
	free(joined);
	return status;
}

/* Point tw->ptrs and tw->lens at the words, for ni_query_phrase(). */
static ni_status index_words(struct term_words *tw)
{
	const char **ptrs = realloc(tw->ptrs, (tw->n + 1) * sizeof *ptrs);
	if (ptrs)
		tw->ptrs = ptrs;
	size_t *lens = realloc(tw->lens, (tw->n + 1) * sizeof *lens);
	if (lens)
		tw->lens = lens;
	if (!ptrs || !lens)
		return NI_ENOMEM;
	for (size_t i = 0; i < tw->n; i++) {
		ptrs[i] = tw->chars.data + tw->spans[i].offset;
		lens[i] = tw->spans[i].len;
	}
	return NI_OK;
}

/*
 * The analyzer's words of text[start, end), one white-space separated
 * chunk at a time so each word remembers the typed chunk it came from.
 * Words past the bounds (ni_qparse_options) are left out.
 */
static ni_status analyze(struct parser *p, size_t start, size_t end)
{
	struct term_words *tw = &p->tw;
	tw->n = 0;
	ni_buf_reset(&tw->chars);
	ni_buf_reset(&tw->also);
	tw->n_also = 0;
	struct collect_ctx ctx = {.tw = tw, .limit = p->terms_left,
				  .status = NI_OK};
	for (size_t pos = skip_space(p, start, end); pos < end && !ctx.full;
	     pos = skip_space(p, ctx.chunk_end, end)) {
		ctx.chunk_start = pos;
		ctx.chunk_end = pos;
		while (ctx.chunk_end < end && !space_len(p, ctx.chunk_end))
			ctx.chunk_end++;
		size_t dropped = ni_analyzer_dropped(p->analyzer);
		size_t before = tw->n, also_before = tw->n_also;
		ni_status status = ni_analyzer_run(p->analyzer, p->text + pos,
						   ctx.chunk_end - pos,
						   collect_word, &ctx, NULL);
		if (status == NI_OK && ctx.status == NI_OK && !ctx.full &&
		    tw->n == before + 1 && tw->n_also == also_before)
			status = split_hashtag(p, &ctx);
		if (!p->long_word &&
		    ni_analyzer_dropped(p->analyzer) != dropped) {
			p->long_word = true;
			p->long_word_at = pos;
		}
		if (status == NI_OK)
			status = ctx.status;
		if (status != NI_OK)
			return fail_status(p, status,
					   ni_analyzer_errmsg(p->analyzer));
		if (ctx.full)
			cut_at(p, ctx.full_at);
	}
	spend(p, tw->n, start);
	return index_words(tw);
}

/*
 * The forms of a quote that join the same words as tw->forms[f] (a CJK
 * run's bigrams; a compound has one): tw->forms[f, end).
 */
static size_t same_words_end(const struct term_words *tw, size_t f)
{
	size_t g = f + 1;
	while (g < tw->n_also && tw->forms[g].first == tw->forms[f].first &&
	       tw->forms[g].n == tw->forms[f].n)
		g++;
	return g;
}

/* A compound: one joined form of two words or more (e-commerce, U.S.). */
static bool is_compound(const struct term_words *tw, size_t f)
{
	return same_words_end(tw, f) == f + 1 && tw->forms[f].n >= 2;
}

/* Whether word `i` is one ASCII letter or digit: the U of U.S. */
static bool one_letter(const struct term_words *tw, size_t i)
{
	unsigned char c = (unsigned char)tw->ptrs[i][0];
	return tw->lens[i] == 1 && ((c >= 'a' && c <= 'z') ||
				     (c >= 'A' && c <= 'Z') ||
				     (c >= '0' && c <= '9'));
}

/*
 * Mark in `lone` the parts of one letter of tw->forms[f], if a
 * compound; true when they all are: an initialism (U.S., A.I.).
 */
static bool mark_lone_letters(const struct term_words *tw, size_t f,
			      bool *lone)
{
	if (!is_compound(tw, f))
		return false;
	const struct joined_form *form = &tw->forms[f];
	bool all = true;
	for (size_t i = form->first; i < form->first + form->n; i++) {
		lone[i] = one_letter(tw, i);
		all = all && lone[i];
	}
	return all;
}

/*
 * The strict tier of split_word_node(): each word, or each compound's
 * words or its joined form.  `words`: the words, then the joined forms;
 * `letters[f]`: the phrase of initialism f's letters, else NULL, which
 * stands for its words (the "a" and "i" of A.I. anywhere say nothing).
 */
static ni_status strict_of_split(struct parser *p, ni_query **words,
				 ni_query **letters, ni_query **out)
{
	struct term_words *tw = &p->tw;
	/* What the strict tier wants: a word, or a compound. */
	ni_query **wanted = calloc(tw->n ? tw->n : 1, sizeof *wanted);
	if (!wanted)
		return NI_ENOMEM;
	ni_status status = NI_OK;
	size_t n_wanted = 0;
	size_t next = 0;    /* the first word not yet wanted */
	for (size_t f = 0, g; status == NI_OK && f < tw->n_also; f = g) {
		const struct joined_form *form = &tw->forms[f];
		/* The forms of the same words (a CJK run's bigrams) are one
		 * other way to match them, all together. */
		g = same_words_end(tw, f);
		for (; status == NI_OK && next < form->first; next++)
			status = ni_query_combine(NI_QOP_AND,
				(const ni_query *const *)&words[next], 1,
				&wanted[n_wanted++]);
		ni_query *const *parts = letters[f] ? &letters[f]
						    : &words[form->first];
		ni_query *either[2] = {NULL, NULL};
		if (status == NI_OK)
			status = ni_query_combine(NI_QOP_AND,
				(const ni_query *const *)parts,
				letters[f] ? 1 : form->n, &either[0]);
		if (status == NI_OK)
			status = ni_query_combine(NI_QOP_AND,
				(const ni_query *const *)&words[tw->n + f],
				g - f, &either[1]);
		if (status == NI_OK)
			status = ni_query_combine(NI_QOP_OR,
				(const ni_query *const *)either, 2,
				&wanted[n_wanted++]);
		ni_query_free(either[0]);
		ni_query_free(either[1]);
		next = form->first + form->n;
	}
	for (; status == NI_OK && next < tw->n; next++)
		status = ni_query_combine(NI_QOP_AND,
			(const ni_query *const *)&words[next], 1,
			&wanted[n_wanted++]);
	if (status == NI_OK)
		status = ni_query_combine(NI_QOP_AND,
					  (const ni_query *const *)wanted,
					  n_wanted, out);
	for (size_t i = 0; i < n_wanted; i++)
		ni_query_free(wanted[i]);
	free(wanted);
	return status;
}

/*
 * The relaxed tier of split_word_node(): any part, or a joined form,
 * which finds the articles that wrote it joined but adds no weight: on
 * Cranfield, weighing it as a word of its own counted the compound
 * twice (MAP 0.455, not 0.460).  A part of one letter (`lone`) is no
 * part here; an initialism's letters count as their phrase
 * (`letters`).  The joined forms in `words` are replaced by their
 * weightless copies.
 */
static ni_status relaxed_of_split(struct parser *p, ni_query **words,
				  ni_query **letters, const bool *lone,
				  ni_query **out)
{
	struct term_words *tw = &p->tw;
	size_t n = tw->n + 2 * tw->n_also;
	ni_query **relaxed = calloc(n ? n : 1, sizeof *relaxed);
	if (!relaxed)
		return NI_ENOMEM;
	ni_status status = NI_OK;
	size_t n_relaxed = 0;
	for (size_t i = 0; i < tw->n; i++)
		if (!lone[i])
			relaxed[n_relaxed++] = words[i];
	for (size_t f = 0; status == NI_OK && f < tw->n_also; f++) {
		if (letters[f])
			relaxed[n_relaxed++] = letters[f];
		ni_query **joined = &words[tw->n + f];
		ni_query *weightless = NULL;
		status = ni_query_scale(*joined, 0.0, &weightless);
		if (status != NI_OK)
			break;
		ni_query_free(*joined);
		*joined = weightless;
		relaxed[n_relaxed++] = *joined;
	}
	if (status == NI_OK)
		status = ni_query_combine(NI_QOP_OR,
					  (const ni_query *const *)relaxed,
					  n_relaxed, out);
	free(relaxed);
	return status;
}

/*
 * A typed term the analyzer split in several words (pitot-static,
 * e-commerce, 人工智能) stands for those words as if typed apart: all of
 * them in the strict tier, any in the relaxed one, in any form and order.
 * A phrase would lose the articles that write "pitot static tube" or
 * "static pitot": on Cranfield, whose questions are full of such
 * compounds, phrases cost 0.006 nDCG@10 and a bonus for adjacent words
 * 0.010.  Quote the term to ask for the phrase.
 *
 * A compound's joined form ("ecommerce", "us" for U.S.) is one more
 * way to match its words, in both tiers: the articles that wrote it
 * joined.  The strict tier wants each word, or each compound's words or
 * its joined form.
 *
 * A part of a compound that is one letter or digit (the U and S of
 * U.S., the e of e-mail) is no word of its own: alone, "s" would find
 * every "week 's" in the index (so "U.S." found 6,000 of AG's 14,500
 * documents), and "a" and "i" anywhere would be "A.I.".  An initialism,
 * a compound of such letters alone, stands for their phrase instead
 * ("u s", where articles wrote U.S.), or its joined form.
 */
static ni_status split_word_node(struct parser *p, struct node *out)
{
	struct term_words *tw = &p->tw;
	size_t n = tw->n + tw->n_also;
	/* The words, then the joined forms. */
	ni_query **words = calloc(n ? n : 1, sizeof *words);
	ni_query **letters = calloc(tw->n_also ? tw->n_also : 1,
				    sizeof *letters);
	bool *lone = calloc(tw->n ? tw->n : 1, sizeof *lone);
	ni_status status = words && letters && lone ? NI_OK : NI_ENOMEM;
	for (size_t i = 0; status == NI_OK && i < tw->n; i++)
		status = ni_query_word(p->db, p->text_field, tw->ptrs[i],
				       tw->lens[i], &words[i]);
	for (size_t f = 0; status == NI_OK && f < tw->n_also; f++) {
		const struct joined_form *form = &tw->forms[f];
		const char *joined = tw->also.data + form->offset;
		status = ni_query_word(p->db, p->text_field, joined,
				       strlen(joined), &words[tw->n + f]);
		if (status == NI_OK && mark_lone_letters(tw, f, lone))
			status = ni_query_phrase(p->db, p->text_field,
						 &tw->ptrs[form->first],
						 &tw->lens[form->first],
						 form->n, &letters[f]);
	}
	if (status == NI_OK)
		status = strict_of_split(p, words, letters, &out->strict);
	if (status == NI_OK)
		status = relaxed_of_split(p, words, letters, lone,
					  &out->relaxed);
	for (size_t i = 0; words && i < n; i++)
		ni_query_free(words[i]);
	for (size_t f = 0; letters && f < tw->n_also; f++)
		ni_query_free(letters[f]);
	free(words);
	free(letters);
	free(lone);
	return status;
}

static size_t count_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/*
 * The compounds of a quote, in order, as indexes in tw->forms; forms
 * over words an earlier group took are left out.  Returns how many.
 */
static size_t quote_compounds(const struct term_words *tw, size_t *out)
{
	size_t k = 0, next = 0;
	for (size_t f = 0, g; f < tw->n_also; f = g) {
		g = same_words_end(tw, f);
		if (tw->forms[f].first < next)
			continue;
		if (is_compound(tw, f))
			out[k++] = f;
		next = tw->forms[f].first + tw->forms[f].n;
	}
	return k;
}

/*
 * Whether a quote has a CJK run: a group of forms that is no compound,
 * over words no earlier group took, as run_slot() meets them.
 */
static bool has_run(const struct term_words *tw)
{
	size_t next = 0;
	for (size_t f = 0, g; f < tw->n_also; f = g) {
		g = same_words_end(tw, f);
		if (tw->forms[f].first < next)
			continue;
		if (!is_compound(tw, f))
			return true;
		next = tw->forms[f].first + tw->forms[f].n;
	}
	return false;
}

/* Up to this many compounds in a quote, every mix of joined and apart. */
#define MAX_PHRASE_COMPOUNDS 4

/*
 * The phrase of a quote with each of its compounds joined (when bit j
 * of `mask` is set for the j-th of the `k` compounds) or apart.  Beyond
 * MAX_PHRASE_COMPOUNDS, a nonzero mask joins them all.
 */
static ni_status compound_phrase(struct parser *p, const size_t *compounds,
				 size_t k, unsigned mask, const char **ptrs,
				 size_t *lens, ni_query **out)
{
	struct term_words *tw = &p->tw;
	size_t n = 0, j = 0;
	for (size_t i = 0; i < tw->n; ) {
		const struct joined_form *form = j < k
			? &tw->forms[compounds[j]] : NULL;
		if (!form || form->first != i) {
			ptrs[n] = tw->ptrs[i];
			lens[n++] = tw->lens[i++];
			continue;
		}
		bool joined = k <= MAX_PHRASE_COMPOUNDS ? (mask >> j) & 1
							: mask != 0;
		j++;
		if (!joined)
			continue;   /* its words come one by one */
		ptrs[n] = tw->also.data + form->offset;
		lens[n] = strlen(ptrs[n]);
		n++;
		i += form->n;
	}
	return n > 1 ? ni_query_phrase(p->db, p->text_field, ptrs, lens, n, out)
		     : ni_query_exact_word(p->db, p->text_field, ptrs[0],
					   lens[0], out);
}

/*
 * A quote's words side by side, in order, each compound as the article
 * wrote it: apart ("kong based") or joined ("kongbased", indexed at the
 * place of its last part), so a phrase over a joined form is a phrase
 * still.  One phrase per mix of the two.
 */
static ni_status quoted_phrases(struct parser *p, ni_query **out)
{
	struct term_words *tw = &p->tw;
	size_t *compounds = malloc((tw->n_also + 1) * sizeof *compounds);
	const char **ptrs = malloc(tw->n * sizeof *ptrs);
	size_t *lens = malloc(tw->n * sizeof *lens);
	ni_query **phrases = NULL;
	ni_status status = compounds && ptrs && lens ? NI_OK : NI_ENOMEM;
	size_t k = status == NI_OK ? quote_compounds(tw, compounds) : 0;
	unsigned n = k <= MAX_PHRASE_COMPOUNDS ? 1u << k : 2;
	if (status == NI_OK) {
		phrases = calloc(n, sizeof *phrases);
		status = phrases ? NI_OK : NI_ENOMEM;
	}
	for (unsigned mask = 0; status == NI_OK && mask < n; mask++)
		status = compound_phrase(p, compounds, k, mask, ptrs, lens,
					 &phrases[mask]);
	if (status == NI_OK)
		status = combine(NI_QOP_OR, phrases, n, out);
	for (unsigned mask = 0; phrases && mask < n; mask++)
		ni_query_free(phrases[mask]);
	free(phrases);
	free(compounds);
	free(ptrs);
	free(lens);
	return status;
}

/* One place of a quote read by its CJK runs' bigrams (quoted_runs). */
struct run_slot {
	ni_query *at;          /* what is found at its last position */
	ni_query *all;         /* a run's every bigram, anywhere; or NULL */
	unsigned width;        /* how many positions it takes */
};

/* The OR, or the AND, of `n` exact words, each NUL-terminated. */
static ni_status exact_words(struct parser *p, enum ni_query_op op,
			     const char *const *words, size_t n,
			     ni_query **out)
{
	ni_query **parts = calloc(n, sizeof *parts);
	ni_status status = parts ? NI_OK : NI_ENOMEM;
	for (size_t i = 0; status == NI_OK && i < n; i++)
		status = ni_query_exact_word(p->db, p->text_field, words[i],
					     strlen(words[i]), &parts[i]);
	if (status == NI_OK)
		status = combine(op, parts, n, out);
	for (size_t i = 0; parts && i < n; i++)
		ni_query_free(parts[i]);
	free(parts);
	return status;
}

/*
 * The place of the quote's words from i on: a word; a compound (its
 * last part, or its joined form, which is indexed there); or a CJK run
 * (its bigrams, all indexed at the position of the article run's last
 * word).  `*f` is the first form not yet used, *took how many
 * words the place took; *run is set for a CJK run.
 */
static ni_status run_slot(struct parser *p, size_t i, size_t *f,
			  struct run_slot *slot, size_t *took, bool *run)
{
	struct term_words *tw = &p->tw;
	while (*f < tw->n_also && tw->forms[*f].first < i)
		(*f)++;
	*took = 1;
	slot->width = 1;
	if (*f == tw->n_also || tw->forms[*f].first != i)
		return ni_query_exact_word(p->db, p->text_field, tw->ptrs[i],
					   tw->lens[i], &slot->at);
	const struct joined_form *form = &tw->forms[*f];
	size_t g = same_words_end(tw, *f);
	const char **words = malloc((g - *f + 1) * sizeof *words);
	if (!words)
		return NI_ENOMEM;
	ni_status status;
	*took = form->n;
	if (is_compound(tw, *f)) {
		words[0] = tw->ptrs[i + form->n - 1];
		words[1] = tw->also.data + form->offset;
		status = exact_words(p, NI_QOP_OR, words, 2, &slot->at);
		slot->width = (unsigned)form->n;
	} else {
		for (size_t h = *f; h < g; h++)
			words[h - *f] = tw->also.data + tw->forms[h].offset;
		/* Its last bigram: at the run's end, or earlier as a word
		 * of the dictionary, never later. */
		status = exact_words(p, NI_QOP_OR, words + (g - *f - 1), 1,
				     &slot->at);
		if (status == NI_OK)
			status = exact_words(p, NI_QOP_AND, words, g - *f,
					     &slot->all);
		slot->width = (unsigned)form->n;
		*run = true;
	}
	free(words);
	*f = g;
	return status;
}

/*
 * A quote with CJK runs, read by their bigrams, for when the dictionary
 * split the article otherwise than the quote ("ソニー" inside the
 * article's one word "ソニーグループ"): each run's every bigram, and the
 * quote's runs, words and compounds in this order, each right after the
 * one before (a run as many positions after as the quote has words in
 * it), and all of them within the span of the quote.  Within a run the
 * order of the bigrams is not checked: every adjacent pair of a run
 * present is nearly always the run itself.  *out stays NULL when the
 * quote has no CJK run.
 */
static ni_status quoted_runs(struct parser *p, ni_query **out)
{
	struct term_words *tw = &p->tw;
	*out = NULL;
	if (!has_run(tw))
		return NI_OK;
	struct run_slot *slots = calloc(tw->n, sizeof *slots);
	/* The runs' bigrams, each place after the one before, and all the
	 * places in order: all are needed. */
	ni_query **parts = calloc(2 * tw->n + 1, sizeof *parts);
	ni_status status = slots && parts ? NI_OK : NI_ENOMEM;
	size_t n = 0, n_parts = 0, f = 0, took = 0;
	unsigned span = 1;
	bool run = false;
	for (size_t i = 0; status == NI_OK && i < tw->n; i += took) {
		status = run_slot(p, i, &f, &slots[n], &took, &run);
		if (slots[n].all)
			parts[n_parts++] = slots[n].all;
		slots[n++].all = NULL;   /* parts owns it */
	}
	for (size_t i = 1; status == NI_OK && run && i < n; i++) {
		const ni_query *pair[2] = {slots[i - 1].at, slots[i].at};
		status = ni_query_ordered(pair, 2, slots[i].width + 1,
					  &parts[n_parts++]);
		span += slots[i].width;
	}
	if (status == NI_OK && run && n > 2) {
		ni_query **at = calloc(n, sizeof *at);
		status = at ? NI_OK : NI_ENOMEM;
		for (size_t i = 0; at && i < n; i++)
			at[i] = slots[i].at;
		if (status == NI_OK)
			status = ni_query_ordered((const ni_query *const *)at,
						  n, span, &parts[n_parts++]);
		free(at);
	}
	if (status == NI_OK && run)
		status = combine(NI_QOP_AND, parts, n_parts, out);
	for (size_t i = 0; i < n; i++)
		ni_query_free(slots[i].at);
	for (size_t i = 0; i < n_parts; i++)
		ni_query_free(parts[i]);
	free(slots);
	free(parts);
	return status;
}

/*
 * Quoted text: its words side by side (quoted_phrases), or, with CJK
 * runs, the same read by their bigrams (quoted_runs).
 */
static ni_status quoted_node(struct parser *p, ni_query **out)
{
	ni_query *either[2] = {NULL, NULL};
	ni_status status = quoted_phrases(p, &either[0]);
	if (status == NI_OK)
		status = quoted_runs(p, &either[1]);
	if (status != NI_OK || !either[1]) {
		*out = either[0];
		ni_query_free(either[1]);
		return status;
	}
	status = combine(NI_QOP_OR, either, 2, out);
	ni_query_free(either[0]);
	ni_query_free(either[1]);
	return status;
}

/*
 * The words just analyzed, as one node: a word (stemmed) or, quoted, an
 * exact word; several words are a phrase when quoted, and the words
 * apart when not.
 */
static ni_status text_node(struct parser *p, bool quoted, bool bare,
			   struct node *out)
{
	struct term_words *tw = &p->tw;
	enum ni_field field = p->text_field;
	ni_status status;
	if (tw->n == 0)
		return NI_OK;
	if ((tw->n > 1 || tw->n_also) && !quoted)
		status = split_word_node(p, out);
	else if (quoted)
		status = quoted_node(p, &out->strict);
	else
		status = ni_query_word(p->db, field, tw->ptrs[0], tw->lens[0],
				       &out->strict);
	if (status != NI_OK)
		return status;
	out->kind = N_TEXT;
	out->depth = tw->n_also ? 4 : tw->n > 1 ? 2 : 1;
	if (tw->n == 1) {
		out->word = strndup(tw->ptrs[0], tw->lens[0]);
		if (!out->word)
			return NI_ENOMEM;
		out->word_len = tw->lens[0];
		out->field = field;
		out->bare = bare;
	}
	for (size_t i = 0; status == NI_OK && i < tw->n; i++)
		status = list_word(p, tw->ptrs[i], tw->lens[i], &tw->spans[i],
				   tw->n > 1, false);
	return status;
}

/* word*: the words that start with the word, a bounded number of them. */
static ni_status prefix_node(struct parser *p, size_t start, size_t end,
			     struct node *out)
{
	if (end - start == 1)
		return fail_at(p, start, end, "prefix too short");
	ni_status status = analyze(p, start, end - 1);
	if (status != NI_OK)
		return status;
	struct term_words *tw = &p->tw;
	if (p->cut)
		return NI_OK;   /* past the bound, or cut inside it: left out */
	if (tw->n != 1)
		return fail_at(p, start, end, "a prefix must be one word");
	if (count_chars(tw->ptrs[0], tw->lens[0]) < 2)
		return fail_at(p, start, end, "prefix too short");
	/* Its words count toward the bound, not the prefix itself. */
	size_t allowed = p->terms_left + 1;
	unsigned max = allowed < NI_QPARSE_MAX_PREFIX_WORDS
		? (unsigned)allowed : NI_QPARSE_MAX_PREFIX_WORDS;
	unsigned found;
	status = ni_query_prefix(p->db, p->text_field, tw->ptrs[0],
				 tw->lens[0], max, p->lookups, &found,
				 &out->strict);
	if (status != NI_OK)
		return fail_status(p, status, ni_db_errmsg(p->db));
	p->terms_left = allowed - (found > max ? max : found ? found : 1);
	if (found > max)
		status = add_notice(p, "'%.*s' stands for %u words: only the "
				    "%u most frequent were searched",
				    clip(p->text + start, end - start),
				    p->text + start, found, max);
	if (status != NI_OK)
		return status;
	out->kind = N_TEXT;
	out->depth = 1;
	struct word_span span = {0, 0, start, end};
	return list_word(p, tw->ptrs[0], tw->lens[0], &span, false, true);
}

/* Whether a typed term is a bare URL (name://...). */
static bool is_bare_url(const struct parser *p, const struct token *t)
{
	const char *s = p->text + t->start;
	size_t n = t->end - t->start;
	size_t name = 0;
	while (name < n && ascii_alpha(s[name]))
		name++;
	return name > 0 && n - name > 3 && memcmp(s + name, "://", 3) == 0;
}

/*
 * Whether a typed term reads as a phrase of its words: a `*` inside it
 * (a*b, as in Xapian's QueryParser), or a bare URL.
 */
static bool reads_as_phrase(const struct parser *p, const struct token *t)
{
	return memchr(p->text + t->start, '*', t->end - t->start - 1) ||
	       is_bare_url(p, t);
}

/*
 * A bare URL is also the article at that URL (url:, as typed): pasted
 * into the box, an article's own address found nothing, as no article
 * quotes its own URL.  The phrase of its words stays, for the articles
 * that do cite it.
 */
static ni_status or_article_at_url(struct parser *p, const struct token *t,
				   struct node *out)
{
	if (!is_bare_url(p, t) || out->kind != N_TEXT)
		return NI_OK;
	ni_query *at_url;
	ni_status status = ni_query_url(p->text + t->start, t->end - t->start,
					&at_url);
	if (status == NI_OK)
		status = join_into(NI_QOP_OR, &out->strict, at_url);
	if (status == NI_OK && out->relaxed)
		status = join_into(NI_QOP_OR, &out->relaxed, at_url);
	ni_query_free(at_url);
	return status;
}

/* A typed term of free text: a word, a split word, a phrase or a prefix. */
static ni_status term_node(struct parser *p, const struct token *t,
			   bool bare, struct node *out)
{
	node_init(out, t->start, t->end);
	if (p->text[t->end - 1] == '*')
		return prefix_node(p, t->start, t->end, out);
	ni_status status = analyze(p, t->start, t->end);
	if (status != NI_OK)
		return status;
	/* Of one word, it is that word. */
	bool phrase = p->tw.n > 1 && reads_as_phrase(p, t);
	status = text_node(p, phrase, bare && !phrase, out);
	return status == NI_OK ? or_article_at_url(p, t, out) : status;
}

static ni_status phrase_node(struct parser *p, const struct token *t,
			     struct node *out)
{
	node_init(out, t->start, t->end);
	ni_status status = analyze(p, t->start + 1, t->end - 1);
	return status == NI_OK ? text_node(p, true, false, out) : status;
}

/*
 * NI_QPARSE_WORDS: a typed term as the plain words it holds; a bare URL
 * or a*b is no syntax, and is the phrase of its words as in any reading.
 */
static ni_status word_node(struct parser *p, const struct token *t,
			   struct node *out)
{
	node_init(out, t->start, t->end);
	ni_status status = analyze(p, t->start, t->end);
	bool phrase = p->tw.n > 1 && reads_as_phrase(p, t);
	if (status == NI_OK)
		status = text_node(p, phrase, !phrase, out);
	return status == NI_OK ? or_article_at_url(p, t, out) : status;
}

/* ---- filter values ------------------------------------------------------ */

/* A span of time, [lo, hi] in seconds since the epoch. */
struct period {
	double lo;
	double hi;
};

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* Days in the month, or in the year for month 0. */
static long days_in(long year, long month)
{
	return month == 0 ? ni_days_in_year(year)
			  : ni_days_in_month(year, (unsigned)month);
}

static long digits_value(const char *s, size_t n)
{
	long value = 0;
	for (size_t i = 0; i < n; i++)
		value = value * 10 + (s[i] - '0');
	return value;
}

/* Nd, Nw, Nm, Ny: the instant that long before now. */
static bool relative_date(const struct parser *p, const char *s, size_t n,
			  struct period *out)
{
	if (n < 2 || n > 7 || !all_digits(s, n - 1))
		return false;
	const char *units = "dwmy";
	static const double DAYS[] = {1, 7, 30, 365};
	const char *unit = memchr(units, s[n - 1], 4);
	if (!unit)
		return false;
	double count = (double)digits_value(s, n - 1);
	out->lo = out->hi = (double)p->now -
			    count * DAYS[unit - units] * SECONDS_PER_DAY;
	return true;
}

/* today, yesterday (any case): that whole day (UTC), as YYYY-MM-DD. */
static bool named_day(const struct parser *p, const char *s, size_t n,
		      struct period *out)
{
	int back;
	if (equals_word_ci(s, n, "today"))
		back = 0;
	else if (equals_word_ci(s, n, "yesterday"))
		back = 1;
	else
		return false;
	int64_t day = p->now - (p->now % 86400 + 86400) % 86400 -
		      (int64_t)back * 86400;
	out->lo = (double)day;
	out->hi = nextafter(out->lo + SECONDS_PER_DAY, -INFINITY);
	return true;
}

/* YYYY, YYYY-MM, YYYY-MM-DD: the whole year, month or day (UTC). */
static bool calendar_date(const char *s, size_t n, struct period *out)
{
	long days;
	if (n == 4 && all_digits(s, 4)) {
		days = days_in(digits_value(s, 4), 0);
	} else if (n == 7 && all_digits(s, 4) && s[4] == '-' &&
		   all_digits(s + 5, 2)) {
		long month = digits_value(s + 5, 2);
		if (month < 1 || month > 12)
			return false;
		days = days_in(digits_value(s, 4), month);
	} else if (n == 10) {
		days = 1;   /* ni_parse_iso8601() checks the rest */
	} else {
		return false;
	}
	char first_day[11];
	snprintf(first_day, sizeof first_day, "%.*s%s", (int)n, s,
		 n == 4 ? "-01-01" : n == 7 ? "-01" : "");
	int64_t start;
	if (!ni_parse_iso8601(first_day, &start))
		return false;
	out->lo = (double)start;
	out->hi = nextafter(out->lo + (double)days * SECONDS_PER_DAY,
			    -INFINITY);
	return true;
}

/* A full date-time: that instant (read as an article's date is). */
static bool instant_date(const char *s, size_t n, struct period *out)
{
	int64_t at;
	if (!memchr(s, 'T', n))
		return false;
	char *copy = strndup(s, n);
	bool ok = copy && ni_parse_iso8601(copy, &at);
	free(copy);
	if (ok)
		out->lo = out->hi = (double)at;
	return ok;
}

static bool date_point(const struct parser *p, const char *s, size_t n,
		       struct period *out, bool *relative)
{
	*relative = relative_date(p, s, n, out);
	return *relative || named_day(p, s, n, out) ||
	       calendar_date(s, n, out) || instant_date(s, n, out);
}

static ni_status bad_date(struct parser *p,
			  const struct ni_field_spec *field, size_t start,
			  size_t end)
{
	return fail_at(p, start, end, BAD_DATE, field->name,
		       clip(p->text + start, end - start), p->text + start);
}

static const char *find_dots(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			return s + i;
	return NULL;
}

/*
 * A filter's value as its reader reads it: the typed text[start, end),
 * or, when that has width forms of ASCII (ｄａｔｅ：２０２１－１２, typed
 * in fullwidth mode) and nothing else but ASCII, the ASCII they stand
 * for, with where each of its bytes was typed.
 */
#define MAX_WIDE_VALUE 64
struct value {
	const char *s;
	size_t n;
	size_t start;
	size_t end;
	bool wide;
	char ascii[MAX_WIDE_VALUE + 1];
	size_t at[MAX_WIDE_VALUE + 1];
};

static void read_value(const struct parser *p, size_t start, size_t end,
		       struct value *v)
{
	*v = (struct value){.s = p->text + start, .n = end - start,
			    .start = start, .end = end};
	size_t o = 0, n;
	bool wide = false;
	for (size_t i = start; i < end; i += n) {
		UChar32 c = syntax_char(p->text, p->len, i, &n);
		if (c >= 0x80 || c == 0 || o == MAX_WIDE_VALUE)
			return;
		wide = wide || n > 1;
		v->at[o] = i;
		v->ascii[o++] = (char)c;
	}
	if (!wide)
		return;
	v->at[o] = end;
	v->ascii[o] = '\0';
	v->s = v->ascii;
	v->n = o;
	v->wide = true;
}

/* Where byte k of the value read was typed. */
static size_t typed_at(const struct value *v, size_t k)
{
	return v->wide ? v->at[k] : v->start + k;
}

static ni_status date_filter(struct parser *p,
			     const struct ni_field_spec *field,
			     const struct value *v, ni_query **out)
{
	const char *s = v->s;
	size_t n = v->n, start = v->start, end = v->end;
	const char *dots = find_dots(s, n);
	struct period a, b;
	bool relative;
	double lo = -INFINITY, hi = INFINITY;
	if (!dots) {
		if (!date_point(p, s, n, &a, &relative))
			return bad_date(p, field, start, end);
		lo = a.lo;
		hi = relative ? INFINITY : a.hi;
	} else {
		size_t na = (size_t)(dots - s), nb = n - na - 2;
		if (na == 0 && nb == 0)
			return bad_date(p, field, start, end);
		if (na && !date_point(p, s, na, &a, &relative))
			return bad_date(p, field, start, typed_at(v, na));
		if (nb && !date_point(p, dots + 2, nb, &b, &relative))
			return bad_date(p, field, typed_at(v, na + 2), end);
		lo = na ? a.lo : -INFINITY;
		hi = nb ? b.hi : INFINITY;
		if (lo > hi)
			return fail_at(p, start, end,
				       "%s: range starts after it ends",
				       field->name);
	}
	return ni_query_range((enum ni_slot)field->slot, lo, hi, out);
}

/* How a range filter reads its numbers: ni_parse_quality or _heat. */
typedef bool number_reader(const char *s, size_t len, double *value);

/*
 * ">=40", "<40", "=40", "40", "20..60", "20..", "..60" as [lo, hi]; each
 * number read by `read`: as an article's quality is (ni_parse_quality()),
 * or as a heat (ni_parse_heat()).
 */
static bool range_bounds(const char *s, size_t n, number_reader *read,
			 double *lo, double *hi)
{
	double x;
	const char *dots = find_dots(s, n);
	*lo = -INFINITY;
	*hi = INFINITY;
	if (n >= 2 && (s[0] == '>' || s[0] == '<') && s[1] == '=') {
		if (!read(s + 2, n - 2, &x))
			return false;
		*(s[0] == '>' ? lo : hi) = x;
	} else if (n >= 1 && (s[0] == '>' || s[0] == '<')) {
		if (!read(s + 1, n - 1, &x))
			return false;
		if (s[0] == '>')
			*lo = nextafter(x, INFINITY);
		else
			*hi = nextafter(x, -INFINITY);
	} else if (dots) {
		size_t na = (size_t)(dots - s), nb = n - na - 2;
		if ((!na && !nb) || (na && !read(s, na, lo)) ||
		    (nb && !read(dots + 2, nb, hi)))
			return false;
	} else {
		size_t skip = n >= 1 && s[0] == '=';
		if (!read(s + skip, n - skip, &x))
			return false;
		*lo = *hi = x;
	}
	return true;
}

static ni_status score_filter(struct parser *p,
			      const struct ni_field_spec *field,
			      const struct value *v, ni_query **out)
{
	double lo, hi;
	bool amount = field->kind == NI_KIND_AMOUNT;
	size_t start = v->start, end = v->end;
	if (!range_bounds(v->s, v->n,
			  amount ? ni_parse_heat : ni_parse_quality, &lo, &hi))
		return fail_at(p, start, end, amount ? BAD_AMOUNT : BAD_SCORE,
			       field->name);
	if (lo > hi && find_dots(v->s, v->n))
		return fail_at(p, start, end,
			       "%s: range starts after it ends", field->name);
	/* Below 0 is unknown (heat -1), never low: no range reaches it. */
	if (amount && lo < 0)
		lo = 0;
	return ni_query_range((enum ni_slot)field->slot, lo, hi, out);
}

/*
 * The value typed, as the index has it: read by the field's own reader,
 * or folded as the indexer folded it (the same row of the field table
 * says so to both), or as typed.  Into *value and *len (in p->scratch,
 * static, or the text itself).
 */
static ni_status term_value(struct parser *p,
			    const struct ni_field_spec *field, size_t start,
			    size_t end, const char **value, size_t *len)
{
	*value = p->text + start;
	*len = end - start;
	if (field->read) {
		char why[160] = "";
		struct value v;
		read_value(p, start, end, &v);
		*value = field->read(v.s, v.n, why, sizeof why);
		if (!*value)
			return fail_at(p, start, end, "%s: %s", field->name,
				       why);
		*len = strlen(*value);
		/* Read with a loss: said, as other readings are. */
		return *why ? add_notice(p, "%s: %s", field->name, why)
			    : NI_OK;
	}
	if (!field->folded)
		return NI_OK;
	ni_buf_reset(&p->scratch);
	ni_status status = ni_analyzer_fold(p->analyzer, p->text + start,
					    end - start, &p->scratch);
	if (status != NI_OK)
		return fail_status(p, status,
				   ni_analyzer_errmsg(p->analyzer));
	if (p->scratch.len == 0)
		return fail_at(p, start, end, "%s: needs a value",
			       field->name);
	*value = p->scratch.data;
	*len = p->scratch.len;
	return NI_OK;
}

/* A value of a filter on terms: its term, or (`also`) either of two. */
static ni_status term_filter(struct parser *p,
			     const struct ni_field_spec *field, size_t start,
			     size_t end, ni_query **out)
{
	const char *value;
	size_t len;
	ni_status status = term_value(p, field, start, end, &value, &len);
	if (status != NI_OK)
		return status;
	enum ni_filter filter = (enum ni_filter)field->filter;
	if (filter == NI_FILTER_URL && field->also < 0)
		return ni_query_url(value, len, out);
	if (field->also < 0)
		return ni_query_filter(filter, value, len, out);
	ni_query *own, *also;
	status = ni_query_filter(filter, value, len, &own);
	if (status != NI_OK)
		return status;
	status = ni_query_filter((enum ni_filter)field->also, value, len,
				 &also);
	if (status == NI_OK)
		status = combine2(NI_QOP_OR, own, also, out);
	ni_query_free(own);
	ni_query_free(also);
	return status;
}

/* The value text[start, end) of `field` as a filter node. */
static ni_status filter_node(struct parser *p,
			     const struct ni_field_spec *field, size_t start,
			     size_t end, struct node *out)
{
	if (!spend(p, 1, out->start))
		return NI_OK;   /* past the bound: left out */
	out->kind = N_FILTER;
	out->key = (int)ni_field_index(field);
	out->depth = 2;
	struct value v;
	switch (field->kind) {
	case NI_KIND_DATE:
		read_value(p, start, end, &v);
		return date_filter(p, field, &v, &out->strict);
	case NI_KIND_SCORE:
	case NI_KIND_AMOUNT:
		read_value(p, start, end, &v);
		return score_filter(p, field, &v, &out->strict);
	case NI_KIND_TERM:
		return term_filter(p, field, start, end, &out->strict);
	case NI_KIND_TEXT:
		break;
	}
	return fail_status(p, NI_EINVAL, "a text field read as a filter");
}

/* ---- building sequences, OR and NEAR ------------------------------------ */

static enum role item_role(const struct item *it)
{
	const struct node *node = &it->node;
	switch (node->kind) {
	case N_EMPTY:
		return R_SKIP;
	case N_EXCLUDE:
		/* -(-x): documents with x, as a filter. */
		return it->sign == '-' ? R_FILTER_ALONE : R_EXCLUDED;
	case N_FILTER:
		if (it->sign == '-')
			return R_EXCLUDED;
		return it->sign == '+' || node->key == F_NONE
			? R_FILTER_ALONE : R_FILTER;
	case N_TEXT:
		break;
	}
	return it->sign == '-' ? R_EXCLUDED
	     : it->sign == '+' ? R_REQUIRED : R_PLAIN;
}

/* The queries of the items in `role` (of filter field `key`, if any). */
static size_t gather(const struct seq *s, enum role role, int key,
		     bool relaxed, ni_query **out)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct node *node = &s->items[i].node;
		if (s->items[i].role != role ||
		    (role == R_FILTER && node->key != key))
			continue;
		out[n++] = relaxed && node->relaxed ? node->relaxed
						    : node->strict;
	}
	return n;
}

static size_t count_role(const struct seq *s, enum role role)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->items[i].role == role;
	return n;
}

/*
 * The tiers of the free text of a sequence: strict needs every required
 * and plain item; relaxed needs the required ones and any plain one.
 * out->relaxed stays NULL when the two are the same.
 */
static ni_status seq_text(const struct seq *s, ni_query **tmp,
			  struct node *out)
{
	size_t n_required = count_role(s, R_REQUIRED);
	size_t n_plain = count_role(s, R_PLAIN);
	bool loose = n_plain >= 2 || (n_plain && n_required);
	for (size_t i = 0; i < s->n; i++)
		loose |= s->items[i].node.relaxed &&
			 (s->items[i].role == R_REQUIRED ||
			  s->items[i].role == R_PLAIN);
	size_t n = gather(s, R_REQUIRED, F_NONE, false, tmp);
	n += gather(s, R_PLAIN, F_NONE, false, tmp + n);
	if (n == 0)
		return NI_OK;
	ni_status status = combine(NI_QOP_AND, tmp, n, &out->strict);
	if (status != NI_OK || !loose)
		return status;
	ni_query *required = NULL, *any = NULL;
	if (n_required)
		status = combine(NI_QOP_AND, tmp,
				 gather(s, R_REQUIRED, F_NONE, true, tmp),
				 &required);
	if (status == NI_OK && n_plain)
		status = combine(NI_QOP_OR, tmp,
				 gather(s, R_PLAIN, F_NONE, true, tmp), &any);
	if (status == NI_OK && required && any)
		status = combine2(NI_QOP_AND_MAYBE, required, any,
				  &out->relaxed);
	else if (status == NI_OK)
		out->relaxed = required ? required : any;
	if (out->relaxed != required)
		ni_query_free(required);
	if (out->relaxed != any)
		ni_query_free(any);
	return status;
}

/*
 * The filters of a sequence, Xapian's QueryParser's way: those of one
 * field are ORed (topic:ai topic:robots is either), different fields and
 * required filters are ANDed.  *out stays NULL when there are none.
 */
static ni_status seq_filters(const struct seq *s, ni_query **tmp,
			     ni_query **out)
{
	ni_query *by_field[NI_FIELD_SPECS_MAX] = {NULL};
	size_t keys;
	ni_field_specs(&keys);
	ni_status status = NI_OK;
	for (size_t key = 0; status == NI_OK && key < keys; key++) {
		size_t n = gather(s, R_FILTER, (int)key, false, tmp);
		if (n)
			status = combine(NI_QOP_OR, tmp, n, &by_field[key]);
	}
	size_t n = 0;
	for (size_t key = 0; key < keys; key++)
		if (by_field[key])
			tmp[n++] = by_field[key];
	n += gather(s, R_FILTER_ALONE, F_NONE, false, tmp + n);
	if (status == NI_OK && n)
		status = combine(NI_QOP_AND, tmp, n, out);
	for (size_t key = 0; key < keys; key++)
		ni_query_free(by_field[key]);
	return status;
}

/* q AND_NOT excluded, FILTER filters: each optional. */
static ni_status restrict_query(ni_query **q, ni_query *excluded,
				ni_query *filters)
{
	ni_status status = NI_OK;
	if (excluded)
		status = join_into(NI_QOP_AND_NOT, q, excluded);
	if (status == NI_OK && filters)
		status = join_into(NI_QOP_FILTER, q, filters);
	return status;
}

/* The field every item of `s` filters on, or F_NONE. */
static int common_key(const struct seq *s)
{
	int key = F_NONE;
	for (size_t i = 0; i < s->n; i++) {
		const struct node *node = &s->items[i].node;
		if (node->kind == N_EMPTY)
			continue;
		if (node->kind == N_TEXT || node->key == F_NONE ||
		    (key != F_NONE && key != node->key))
			return F_NONE;
		key = node->key;
	}
	return key;
}

static ni_status too_deep(struct parser *p, const struct node *node)
{
	return fail_at(p, node->start, node->end,
		       "the query is too complex (too many nested operators)");
}

/* Build a sequence of two or more items into one node. */
static ni_status seq_build(struct seq *s, struct node *out)
{
	ni_query **tmp = calloc(s->n, sizeof *tmp);
	if (!tmp)
		return NI_ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		s->items[i].role = item_role(&s->items[i]);
		out->depth = s->items[i].node.depth > out->depth
			? s->items[i].node.depth : out->depth;
	}
	out->depth += 4;
	ni_query *excluded = NULL, *filters = NULL;
	size_t n_excluded = gather(s, R_EXCLUDED, F_NONE, false, tmp);
	ni_status status = n_excluded
		? combine(NI_QOP_OR, tmp, n_excluded, &excluded) : NI_OK;
	if (status == NI_OK)
		status = seq_filters(s, tmp, &filters);
	if (status == NI_OK)
		status = seq_text(s, tmp, out);
	free(tmp);
	if (status == NI_OK && out->strict) {
		out->kind = N_TEXT;
		status = restrict_query(&out->strict, excluded, filters);
		if (status == NI_OK && out->relaxed)
			status = restrict_query(&out->relaxed, excluded,
						filters);
	} else if (status == NI_OK && filters) {
		out->kind = N_FILTER;
		out->strict = filters;
		filters = NULL;
		status = restrict_query(&out->strict, excluded, NULL);
	} else if (status == NI_OK && excluded) {
		out->kind = N_EXCLUDE;
		out->strict = excluded;
		excluded = NULL;
	}
	out->key = common_key(s);
	ni_query_free(excluded);
	ni_query_free(filters);
	return status;
}

static void seq_clear(struct seq *s)
{
	for (size_t i = 0; i < s->n; i++)
		node_clear(&s->items[i].node);
	s->n = 0;
}

/* Add `it` to `s`, which owns it from then on, even on failure. */
static ni_status seq_push(struct seq *s, struct item *it)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		struct item *items = realloc(s->items, cap * sizeof *items);
		if (!items) {
			node_clear(&it->node);
			return NI_ENOMEM;
		}
		s->items = items;
		s->cap = cap;
	}
	s->items[s->n++] = *it;
	return NI_OK;
}

/* Turn the items of `s` into one node; `s` is left empty. */
static ni_status seq_finish(struct parser *p, struct seq *s,
			    struct node *out)
{
	size_t live = 0, last = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i].node.kind != N_EMPTY) {
			live++;
			last = i;
		}
	node_init(out, s->n ? s->items[0].node.start : 0,
		  s->n ? s->items[s->n - 1].node.end : 0);
	ni_status status = NI_OK;
	if (live == 1) {
		/* One item is itself, no need to wrap it. */
		struct item *it = &s->items[last];
		*out = it->node;
		node_init(&it->node, out->start, out->end);
		if (it->sign == '-')
			negate_node(out);
	} else if (live > 1) {
		status = seq_build(s, out);
		out->start = s->items[0].node.start;
		out->end = s->items[s->n - 1].node.end;
		if (status == NI_OK && out->depth > MAX_QUERY_DEPTH)
			status = too_deep(p, out);
	}
	seq_clear(s);
	if (status != NI_OK)
		node_clear(out);
	return status;
}

/* Close the sequence so far into one item of a new one, with `sign`. */
static ni_status seq_close(struct parser *p, struct seq *s, char sign)
{
	struct item it = {.sign = sign};
	ni_status status = seq_finish(p, s, &it.node);
	return status == NI_OK ? seq_push(s, &it) : status;
}

/* OR of the nodes; each is consumed. */
static ni_status or_nodes(struct parser *p, struct node *nodes, size_t n,
			  struct node *out)
{
	ni_query **tmp = calloc(n, sizeof *tmp);
	ni_status status = tmp ? NI_OK : NI_ENOMEM;
	size_t live = 0;
	bool loose = false;
	node_init(out, nodes[0].start, nodes[n - 1].end);
	out->kind = N_FILTER;
	out->key = nodes[0].key;
	for (size_t i = 0; status == NI_OK && i < n; i++) {
		if (nodes[i].kind == N_EXCLUDE)
			status = everything_except(&nodes[i]);
		if (nodes[i].kind == N_EMPTY)
			continue;
		live++;
		loose |= nodes[i].relaxed != NULL;
		out->kind = nodes[i].kind == N_TEXT ? N_TEXT : out->kind;
		out->key = nodes[i].key == out->key ? out->key : F_NONE;
		out->depth = nodes[i].depth > out->depth ? nodes[i].depth
							 : out->depth;
	}
	out->depth++;
	if (status == NI_OK && live > 0) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (nodes[i].kind != N_EMPTY)
				tmp[k++] = nodes[i].strict;
		status = combine(NI_QOP_OR, tmp, k, &out->strict);
	}
	if (status == NI_OK && loose) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if (nodes[i].kind != N_EMPTY)
				tmp[k++] = nodes[i].relaxed ? nodes[i].relaxed
							    : nodes[i].strict;
		status = combine(NI_QOP_OR, tmp, k, &out->relaxed);
	}
	free(tmp);
	for (size_t i = 0; i < n; i++)
		node_clear(&nodes[i]);
	if (status == NI_OK && live == 0)
		node_init(out, out->start, out->end);
	if (status == NI_OK && out->depth > MAX_QUERY_DEPTH)
		status = too_deep(p, out);
	if (status != NI_OK)
		node_clear(out);
	return status;
}

/* Growable arrays of nodes, for OR and NEAR operands. */
struct node_list {
	struct node *nodes;
	size_t n;
	size_t cap;
};

static ni_status node_list_push(struct node_list *list, struct node *node)
{
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 4;
		struct node *nodes = realloc(list->nodes, cap * sizeof *nodes);
		if (!nodes) {
			node_clear(node);
			return NI_ENOMEM;
		}
		list->nodes = nodes;
		list->cap = cap;
	}
	list->nodes[list->n++] = *node;
	return NI_OK;
}

static void node_list_release(struct node_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		node_clear(&list->nodes[i]);
	free(list->nodes);
	list->nodes = NULL;
	list->n = list->cap = 0;
}

/*
 * NEAR of the words (empty operands left out); searched as the words
 * alone (AND), with a notice, when its positions alone would read more
 * than the postings bound (ni_query_postings()).  Stemmed words are
 * indexed without positions, so each word is searched exactly as typed.
 * Xapian's window spans all the words: n words within `distance` of
 * each other fit in distance + n - 1 positions.
 */
static ni_status near_nodes(struct parser *p, struct node_list *list,
			    unsigned distance, struct node *out)
{
	size_t live = 0;
	for (size_t i = 0; i < list->n; i++)
		if (list->nodes[i].kind != N_EMPTY)
			list->nodes[live++] = list->nodes[i];
	list->n = live;
	node_init(out, 0, 0);
	if (live < 2) {
		if (live == 1)
			*out = list->nodes[0];
		list->n = 0;
		node_forget_word(out);
		return NI_OK;
	}
	ni_query **parts = calloc(live, sizeof *parts);
	ni_status status = parts ? NI_OK : NI_ENOMEM;
	for (size_t i = 0; status == NI_OK && i < live; i++) {
		const struct node *node = &list->nodes[i];
		status = ni_query_exact_word(p->db, node->field, node->word,
					     node->word_len, &parts[i]);
	}
	if (status == NI_OK)
		status = ni_query_near((const ni_query *const *)parts, live,
				       distance + (unsigned)live - 1,
				       &out->strict);
	bool fits = true;
	if (status == NI_OK &&
	    (status = ni_query_fits(p->db, out->strict, p->max_postings,
				    p->lookups, &fits)) != NI_OK)
		fail_status(p, status, ni_db_errmsg(p->db));
	if (status == NI_OK && !fits) {
		ni_query_free(out->strict);
		out->strict = NULL;
		status = combine(NI_QOP_AND, parts, live, &out->strict);
		const char *near = p->text + list->nodes[0].start;
		size_t len = list->nodes[live - 1].end - list->nodes[0].start;
		if (status == NI_OK)
			status = add_notice(p, "'%.*s' is too common to "
					    "search as 'NEAR' here: its words "
					    "were searched anywhere in the "
					    "articles", clip(near, len), near);
	}
	for (size_t i = 0; parts && i < live; i++)
		ni_query_free(parts[i]);
	free(parts);
	out->kind = N_TEXT;
	out->depth = 2;
	return status;
}

/* ---- the parser --------------------------------------------------------- */

static ni_status parse_or(struct parser *p, struct node *out, bool *found);

/* Consume the token a node was built from; the node is cleared on failure. */
static ni_status built(struct parser *p, ni_status status, struct node *out)
{
	if (status == NI_OK)
		status = advance(p);
	if (status != NI_OK)
		node_clear(out);
	return status;
}

/* ( ... ): its own sequence; `(the)` is no longer a bare word. */
static ni_status parse_group(struct parser *p, struct node *out)
{
	struct token open = p->tok;
	node_init(out, open.start, open.end);
	if (p->paren_depth >= MAX_PAREN_DEPTH)
		return fail_at(p, open.start, open.end,
			       "parentheses nested too deep");
	ni_status status = advance(p);
	if (status != NI_OK)
		return status;
	if (p->tok.kind == T_RPAREN)
		return fail_at(p, open.start, p->tok.end, "empty group");
	bool found;
	p->paren_depth++;
	status = parse_or(p, out, &found);
	p->paren_depth--;
	if (status != NI_OK)
		return status;
	if (p->tok.kind != T_RPAREN) {
		node_clear(out);
		return fail_at(p, open.start, open.end,
			       "unclosed parenthesis");
	}
	node_forget_word(out);
	out->start = open.start;
	out->end = p->tok.end;
	return built(p, NI_OK, out);
}

/* Inside topic:( ) and the like: values, groups and operators only. */
static ni_status parse_filter_primary(struct parser *p, struct node *out)
{
	struct token t = p->tok;
	const char *name = p->filter_field->name;
	node_init(out, t.start, t.end);
	if (t.kind == T_LPAREN)
		return parse_group(p, out);
	if (t.kind == T_FIELD)
		return fail_at(p, t.start, t.end,
			       "'%.*s' cannot be used inside %s:(...)",
			       clip(p->text + t.start, t.end - t.start),
			       p->text + t.start, name);
	size_t quote = t.kind == T_PHRASE;
	ni_status status = filter_node(p, p->filter_field, t.start + quote,
				       t.end - quote, out);
	return built(p, status, out);
}

/* title:WORD, title:"PHRASE", title:(GROUP): free text of the field. */
static ni_status parse_text_field(struct parser *p,
				  const struct ni_field_spec *field,
				  struct node *out)
{
	struct token value = p->tok;
	enum ni_field saved = p->text_field;
	ni_status status;
	p->text_field = (enum ni_field)field->text;
	if (value.kind == T_LPAREN)
		status = parse_group(p, out);
	else if (value.kind == T_PHRASE)
		status = built(p, phrase_node(p, &value, out), out);
	else
		status = built(p, term_node(p, &value, false, out), out);
	p->text_field = saved;
	return status;
}

static ni_status parse_field(struct parser *p, struct node *out)
{
	struct token field = p->tok;
	node_init(out, field.start, field.end);
	ni_status status = advance(p);
	if (status != NI_OK)
		return status;
	struct token value = p->tok;
	if (field.field->kind == NI_KIND_TEXT) {
		status = parse_text_field(p, field.field, out);
	} else if (value.kind == T_LPAREN) {
		const struct ni_field_spec *saved = p->filter_field;
		p->filter_field = field.field;
		status = parse_group(p, out);
		p->filter_field = saved;
		out->key = (int)ni_field_index(field.field);
	} else {
		size_t quote = value.kind == T_PHRASE;
		node_init(out, field.start, value.end);
		status = built(p, filter_node(p, field.field,
					      value.start + quote,
					      value.end - quote, out), out);
	}
	out->start = field.start;
	return status;
}

static ni_status parse_primary(struct parser *p, struct node *out)
{
	struct token t = p->tok;
	if (p->words_only)
		return built(p, word_node(p, &t, out), out);
	if (p->filter_field)
		return parse_filter_primary(p, out);
	if (t.kind == T_LPAREN)
		return parse_group(p, out);
	if (t.kind == T_FIELD)
		return parse_field(p, out);
	if (t.kind == T_PHRASE)
		return built(p, phrase_node(p, &t, out), out);
	return built(p, term_node(p, &t, p->text_field == NI_FIELD_ANY, out),
		     out);
}

static ni_status sign_in_near(struct parser *p, const struct token *sign)
{
	/* The typed sign may be a fullwidth one (sign_len()). */
	char c = sign->kind == T_PLUS ? '+' : '-';
	return fail_at(p, sign->start, sign->end,
		       "'%c' cannot be used on a word joined by 'NEAR' "
		       "(write %c(a NEAR b))", c, c);
}

/* The operands after the first, which is in `list` already. */
static ni_status parse_near_operands(struct parser *p, struct node_list *list,
				     unsigned *distance)
{
	ni_status status = NI_OK;
	while (status == NI_OK && p->tok.kind == T_NEAR) {
		struct token op = p->tok;
		*distance = op.distance > *distance ? op.distance : *distance;
		status = advance(p);
		if (status != NI_OK)
			break;
		if (p->tok.kind == T_PLUS || p->tok.kind == T_MINUS)
			return sign_in_near(p, &p->tok);
		if (!starts_near_chain(p->tok.kind))
			return fail_token(p, &op,
					  "'%.*s' needs something on both "
					  "sides");
		struct node node;
		status = parse_primary(p, &node);
		if (status != NI_OK)
			break;
		if (node.kind != N_EMPTY && !node.word) {
			status = fail_at(p, node.start, node.end,
					 BAD_NEAR_OPERAND);
			node_clear(&node);
			break;
		}
		status = node_list_push(list, &node);
	}
	return status;
}

/* a NEAR b NEAR/5 c: `first` is a, already parsed. */
static ni_status parse_near_chain(struct parser *p, struct node *first,
				  struct node *out)
{
	size_t start = first->start;
	if (p->filter_field)
		return fail_at(p, p->tok.start, p->tok.end,
			       "'NEAR' cannot be used inside %s:(...)",
			       p->filter_field->name);
	if (first->kind != N_EMPTY && !first->word)
		return fail_at(p, first->start, first->end, BAD_NEAR_OPERAND);
	struct node_list list = {0};
	unsigned distance = 0;
	ni_status status = node_list_push(&list, first);
	node_init(first, start, start);
	if (status == NI_OK)
		status = parse_near_operands(p, &list, &distance);
	size_t end = list.n ? list.nodes[list.n - 1].end : start;
	if (status == NI_OK)
		status = near_nodes(p, &list, distance, out);
	node_list_release(&list);
	out->start = start;
	out->end = end;
	if (status != NI_OK)
		node_clear(out);
	return status;
}

/* [+|-] primary [NEAR primary]... */
static ni_status parse_near(struct parser *p, struct item *out)
{
	struct token sign = p->tok;
	bool saved = p->negated;
	ni_status status = NI_OK;
	out->sign = 0;
	node_init(&out->node, sign.start, sign.end);
	if (sign.kind == T_PLUS || sign.kind == T_MINUS) {
		if (p->filter_field)
			return fail_at(p, sign.start, sign.end,
				       "'%c' cannot be used inside %s:(...)",
				       sign.kind == T_PLUS ? '+' : '-',
				       p->filter_field->name);
		out->sign = sign.kind == T_PLUS ? '+' : '-';
		p->negated ^= out->sign == '-';
		status = advance(p);
	}
	struct node first;
	node_init(&first, sign.start, sign.end);
	if (status == NI_OK)
		status = parse_primary(p, &first);
	if (status == NI_OK && p->tok.kind != T_NEAR) {
		out->node = first;
	} else {
		if (status == NI_OK)
			status = out->sign ? sign_in_near(p, &sign)
				: parse_near_chain(p, &first, &out->node);
		node_clear(&first);
	}
	p->negated = saved;
	if (status == NI_OK && out->sign)
		out->node.start = sign.start;
	return status;
}

/* A '-' sign as the node's meaning: "everything except" it. */
static void apply_sign(struct item *it)
{
	if (it->sign == '-')
		negate_node(&it->node);
	it->sign = 0;
}

/*
 * Whether the item is a stopword the default operator may leave out: a
 * plain typed word (alone, or alone in parentheses), with no sign, not
 * under - or NOT, on the first pass.  What is excluded is what was
 * typed; the second pass is made because nothing else was left.
 */
static void mark_stopword(struct parser *p, struct item *it, unsigned nots)
{
	struct node *node = &it->node;
	if (p->keep_stopwords || p->negated || it->sign || nots) {
		node->stopword = 0;
	} else if (node->bare &&
		   ni_is_stopword(ni_db_language(p->db), node->word,
				  node->word_len)) {
		/* Its word is the last listed: it was the last parsed. */
		node->stopword = p->n_words;
	}
}

/*
 * Leave out the stopwords of a sequence of the default operator, when
 * it joins them to something: "the sanctions" is "sanctions", but "the
 * OR sanctions", "the AND sanctions" and "(the)" keep "the".  Their
 * words are unlisted last first, so the places of the others hold.
 */
static void drop_stopwords(struct parser *p, struct seq *s)
{
	size_t live = 0;
	for (size_t i = 0; i < s->n; i++)
		live += s->items[i].node.kind != N_EMPTY;
	if (live < 2)
		return;
	for (size_t i = s->n; i-- > 0;) {
		struct node *node = &s->items[i].node;
		if (!node->stopword)
			continue;
		unlist_word(p, node->stopword - 1);
		node_clear(node);
		p->stopwords_dropped++;
	}
}

/* [NOT]... [+|-] near-chain */
static ni_status parse_item(struct parser *p, struct item *out)
{
	unsigned nots = 0;
	struct token last = p->tok;
	ni_status status = NI_OK;
	node_init(&out->node, last.start, last.end);
	out->sign = 0;
	while (status == NI_OK && p->tok.kind == T_NOT) {
		last = p->tok;
		nots++;
		status = advance(p);
	}
	if (status != NI_OK)
		return status;
	if (nots && !starts_near_chain(p->tok.kind))
		return fail_token(p, &last,
				  "'%.*s' needs something on both sides");
	bool saved = p->negated;
	p->negated ^= nots & 1;
	status = parse_near(p, out);
	p->negated = saved;
	if (status != NI_OK)
		return status;
	mark_stopword(p, out, nots);
	if (nots) {
		/* NOT NOT x is NOT (NOT x): x's strict tier, as a filter. */
		apply_sign(out);
		negate_node(&out->node);
		if (nots % 2 == 0)
			negate_node(&out->node);
	}
	return NI_OK;
}

/* a AND b, a NOT b: AND mode, where every item is required. */
static ni_status chain_operator(struct parser *p, struct seq *s,
				bool *and_mode)
{
	struct token op = p->tok;
	ni_status status = advance(p);
	if (status != NI_OK)
		return status;
	if (!starts_item(p->tok.kind))
		return fail_token(p, &op,
				  "'%.*s' needs something on both sides");
	if (!*and_mode) {
		drop_stopwords(p, s);
		status = seq_close(p, s, '+');
		if (status != NI_OK)
			return status;
		/* Joined by AND or NOT, a stopword is asked for. */
		s->items[0].node.stopword = 0;
		*and_mode = true;
	}
	struct item it;
	bool saved = p->negated;
	p->negated ^= op.kind == T_NOT;
	status = parse_item(p, &it);
	p->negated = saved;
	if (status != NI_OK)
		return status;
	it.node.stopword = 0;
	if (op.kind == T_NOT) {
		apply_sign(&it);
		it.sign = '-';
	} else if (it.sign != '-') {
		it.sign = '+';
	}
	return seq_push(s, &it);
}

/* a b: the default operator; an AND mode before it becomes one item. */
static ni_status chain_implicit(struct parser *p, struct seq *s,
				bool *and_mode)
{
	if (*and_mode) {
		ni_status status = seq_close(p, s, 0);
		if (status != NI_OK)
			return status;
		*and_mode = false;
	}
	struct item it;
	ni_status status = parse_item(p, &it);
	return status == NI_OK ? seq_push(s, &it) : status;
}

/*
 * Items joined by AND, NOT or nothing, from left to right at one level
 * of precedence: "a AND b c" is "(a AND b) c".  *found is false when no
 * item starts here.
 */
static ni_status parse_chain(struct parser *p, struct node *out, bool *found)
{
	*found = false;
	node_init(out, p->tok.start, p->tok.start);
	if (p->tok.kind == T_AND || p->tok.kind == T_NEAR)
		return fail_token(p, &p->tok,
				  "'%.*s' needs something on both sides");
	if (!starts_item(p->tok.kind))
		return NI_OK;
	*found = true;
	struct seq s = {0};
	bool and_mode = false;
	struct item it;
	ni_status status = parse_item(p, &it);
	if (status == NI_OK)
		status = seq_push(&s, &it);
	while (status == NI_OK) {
		enum tok_kind kind = p->tok.kind;
		if (kind == T_AND || kind == T_NOT)
			status = chain_operator(p, &s, &and_mode);
		else if (starts_near_chain(kind))
			status = chain_implicit(p, &s, &and_mode);
		else
			break;
	}
	if (status == NI_OK && !and_mode)
		drop_stopwords(p, &s);
	if (status == NI_OK)
		status = seq_finish(p, &s, out);
	seq_clear(&s);
	free(s.items);
	return status;
}

/* chain [OR chain]... */
static ni_status parse_or(struct parser *p, struct node *out, bool *found)
{
	ni_status status = parse_chain(p, out, found);
	if (status != NI_OK || p->tok.kind != T_OR)
		return status;
	if (!*found)
		return fail_token(p, &p->tok,
				  "'%.*s' needs something on both sides");
	struct node_list list = {0};
	status = node_list_push(&list, out);
	node_init(out, out->start, out->end);
	while (status == NI_OK && p->tok.kind == T_OR) {
		struct token op = p->tok;
		status = advance(p);
		if (status == NI_OK && !starts_item(p->tok.kind))
			status = fail_token(p, &op, "'%.*s' needs something "
					    "on both sides");
		struct node node;
		bool more;
		if (status == NI_OK)
			status = parse_chain(p, &node, &more);
		if (status == NI_OK)
			status = node_list_push(&list, &node);
	}
	if (status == NI_OK)
		status = or_nodes(p, list.nodes, list.n, out);
	else
		node_list_release(&list);
	free(list.nodes);
	return status;
}

/* ---- the whole query --------------------------------------------------- */

static void parser_release(struct parser *p)
{
	for (size_t i = 0; i < p->n_words; i++)
		free(p->words[i].word);
	free(p->words);
	p->words = NULL;
	p->n_words = p->cap_words = 0;
	ni_buf_release(&p->tw.chars);
	ni_buf_release(&p->tw.also);
	free(p->tw.forms);
	free(p->tw.spans);
	free(p->tw.ptrs);
	free(p->tw.lens);
	memset(&p->tw, 0, sizeof p->tw);
	ni_buf_release(&p->scratch);
	free_notices(p->notices, p->n_notices);
	p->notices = NULL;
	p->n_notices = 0;
	ni_lookups_free(p->lookups);
	p->lookups = NULL;
}

/* Back to the start of the text, keeping the buffers' memory. */
static void parser_rewind(struct parser *p)
{
	for (size_t i = 0; i < p->n_words; i++)
		free(p->words[i].word);
	p->n_words = 0;
	p->pos = 0;
	p->after_sign = p->value_next = false;
	p->paren_depth = 0;
	p->negated = false;
	p->stopwords_dropped = 0;
	p->text_field = NI_FIELD_ANY;
	p->filter_field = NULL;
	p->terms_left = p->max_words;
	p->cut = false;
	p->cut_at = 0;
	p->long_word = false;
	free_notices(p->notices, p->n_notices);
	p->notices = NULL;
	p->n_notices = 0;
}

static ni_status parse_text(struct parser *p, struct node *root)
{
	parser_rewind(p);
	node_init(root, 0, p->len);
	ni_status status = advance(p);
	bool found;
	if (status == NI_OK)
		status = parse_or(p, root, &found);
	if (status == NI_OK && p->tok.kind == T_RPAREN) {
		node_clear(root);
		status = fail_at(p, p->tok.start, p->tok.end,
				 "unmatched closing parenthesis");
	}
	return status;
}

/* A filter alone selects: every document, filtered. */
static ni_status filter_everything(struct node *node)
{
	ni_query *all, *filtered;
	ni_status status = ni_query_match_all(&all);
	if (status != NI_OK)
		return status;
	status = combine2(NI_QOP_FILTER, all, node->strict, &filtered);
	ni_query_free(all);
	if (status == NI_OK) {
		ni_query_free(node->strict);
		node->strict = filtered;
	}
	return status;
}

/* The bytes of the chunk of text at `pos`, up to white space. */
static size_t chunk_len(const struct parser *p, size_t pos)
{
	size_t end = pos;
	while (end < p->len && !space_len(p, end))
		end++;
	return end - pos;
}

/* The root as the strict and relaxed queries to run. */
static ni_status finish(struct parser *p, struct node *root,
			struct ni_parsed_query *out)
{
	ni_status status = NI_OK;
	if (root->kind == N_EMPTY && p->long_word)
		return fail_at(p, p->long_word_at,
			       p->long_word_at + chunk_len(p, p->long_word_at),
			       "the query has no words to search for: words "
			       "longer than " NI_ANALYZER_MAX_WORD_TEXT
			       " bytes are not indexed");
	if (root->kind == N_EMPTY)
		return fail_at(p, 0, p->len,
			       "the query has no words to search for");
	if (root->kind == N_EXCLUDE)
		status = everything_except(root);
	else if (root->kind == N_FILTER)
		status = filter_everything(root);
	if (status != NI_OK)
		return status;
	out->strict = root->strict;
	out->relaxed = root->relaxed;
	root->strict = root->relaxed = NULL;
	out->words = p->words;
	out->n_words = p->n_words;
	out->has_text = p->n_words > 0;
	p->words = NULL;
	p->n_words = p->cap_words = 0;
	out->notices = p->notices;
	out->n_notices = p->n_notices;
	p->notices = NULL;
	p->n_notices = 0;
	return NI_OK;
}

static bool only_space(const struct parser *p)
{
	return skip_space(p, 0, p->len) == p->len;
}

/*
 * Say which chunk of text had a word too long to search: the reader
 * sees no other trace of it.
 */
static ni_status note_long_word(struct parser *p)
{
	const char *at = p->text + p->long_word_at;
	size_t len = chunk_len(p, p->long_word_at);
	int shown = clip(at, len);
	return add_notice(p, "'%.*s%s' has a word longer than "
			  NI_ANALYZER_MAX_WORD_TEXT " bytes, which no "
			  "article has (words that long are not indexed): "
			  "it was left out", shown, at,
			  (size_t)shown < len ? "..." : "");
}

/* The whole text, read as p->words_only says, into `out`. */
static ni_status read_query(struct parser *p, struct ni_parsed_query *out)
{
	struct node root;
	memset(p->err, 0, sizeof *p->err);
	p->err_set = false;
	p->keep_stopwords = false;
	ni_status status = parse_text(p, &root);
	if (status == NI_OK && p->n_words == 0 && p->stopwords_dropped > 0) {
		/* Only stopwords were typed: search for them after all. */
		node_clear(&root);
		p->keep_stopwords = true;
		status = parse_text(p, &root);
	}
	if (status == NI_OK && p->cut)
		status = add_notice(p, "the query was cut short (it would "
				    "take too long to search whole): from "
				    "'%.*s' on, it was not searched",
				    clip(p->text + p->cut_at,
					 chunk_len(p, p->cut_at)),
				    p->text + p->cut_at);
	if (status == NI_OK && p->long_word && root.kind != N_EMPTY)
		status = note_long_word(p);
	if (status == NI_OK)
		status = finish(p, &root, out);
	node_clear(&root);
	return status;
}

/* Whether `out`, as parsed, reads at most the postings bound. */
static ni_status fits(struct parser *p, const struct ni_parsed_query *out,
		      bool *yes)
{
	ni_status status = ni_query_fits(
		p->db, out->relaxed ? out->relaxed : out->strict,
		p->max_postings, p->lookups, yes);
	if (status != NI_OK)
		return fail_status(p, status, ni_db_errmsg(p->db));
	return NI_OK;
}

/*
 * read_query() within the postings bound: when the whole query would
 * read more, the most words (of the words bound) that fit, found by
 * bisection (a parse takes about a millisecond per hundred words); at
 * least the first word, which any query searches.
 */
static ni_status read_bounded(struct parser *p, struct ni_parsed_query *out)
{
	ni_status status = read_query(p, out);
	bool ok = true;
	if (status == NI_OK)
		status = fits(p, out, &ok);
	if (status != NI_OK || ok)
		return status;
	size_t bound = p->max_words;
	size_t lo = 1, hi = bound - p->terms_left;
	while (status == NI_OK && lo + 1 < hi) {
		size_t mid = lo + (hi - lo) / 2;
		ni_parsed_query_clear(out);
		p->max_words = mid;
		status = read_query(p, out);
		ok = false;
		if (status == NI_OK)
			status = fits(p, out, &ok);
		if (status == NI_EQUERY)
			status = NI_OK;   /* left nothing to search: too few */
		*(ok ? &lo : &hi) = mid;
	}
	ni_parsed_query_clear(out);
	p->max_words = lo;
	if (status == NI_OK)
		status = read_query(p, out);
	p->max_words = bound;
	return status;
}

/*
 * NI_QPARSE_LENIENT, once the text read as words: say first why, keeping
 * the syntax error.
 */
static ni_status note_syntax_error(struct ni_parsed_query *out,
				   const struct ni_qparse_error *syntax)
{
	ni_status status = insert_notice(&out->notices, &out->n_notices, true,
					 "%s; searched as words",
					 syntax->message);
	if (status == NI_OK) {
		out->as_words = true;
		out->syntax_error = *syntax;
	}
	return status;
}

/*
 * Whether c (a width form read as what it stands for) quotes a phrase:
 * '"' and the typographic double quotes word processors and news pages
 * put around a quotation, and so what people paste: English U+201C
 * U+201D, German U+201E U+201C, U+201F, French U+00AB U+00BB, CJK
 * U+301D to U+301F, and the corner brackets 「 」 that Japanese and
 * Chinese write for “ ” (the white ones 『 』 quote within a quote, as
 * ‘ ’ do, and stay punctuation).
 */
static bool quotes_phrase(UChar32 c)
{
	return c == '"' || c == 0xAB || c == 0xBB ||
	       (c >= 0x201C && c <= 0x201F) || (c >= 0x301D && c <= 0x301F) ||
	       c == 0x300C || c == 0x300D;
}

/* Whether text[pos] ends a term: white space, a parenthesis, a quote. */
static bool ends_typed_term(const char *text, size_t len, size_t pos)
{
	if (pos >= len)
		return true;
	size_t n;
	UChar32 c = syntax_char(text, len, pos, &n);
	return c == ' ' || (c >= '\t' && c <= '\r') || c == '(' ||
	       c == ')' || quotes_phrase(c) || u_isUWhiteSpace(c);
}

/*
 * The ASCII character the one at text[pos] (`*n` bytes) is read as
 * before the query is lexed, 0 if none: a typographic quote is '"', a
 * width form of a parenthesis or a quote is that, and one of '*' is
 * '*' where it ends a term (ｓａｎｃ＊, a prefix).
 */
static char plain_syntax_char(const char *text, size_t len, size_t pos,
			      size_t *n)
{
	UChar32 c = syntax_char(text, len, pos, n);
	if (*n == 1)
		return 0;
	if (quotes_phrase(c))
		return '"';
	if (c == '(' || c == ')')
		return (char)c;
	return c == '*' && ends_typed_term(text, len, pos + *n) ? '*' : 0;
}

/*
 * `text` with each typographic quote and width form of the syntax's
 * marks read as its ASCII (plain_syntax_char()): into a copy (*plain,
 * the caller's to free; NULL when there is none), the ASCII then
 * spaces over the mark's other bytes, so that every byte offset, those
 * of the words and of a syntax error's caret, is the typed text's.
 * The spaces fall inside a phrase or between terms, where the analyzer
 * and the lexer skip them.  (A field's name and colon and the operators
 * are read as their width forms by the lexer: spaces there would cut
 * them in two.)
 */
static ni_status plain_syntax(const char *text, size_t len, char **plain)
{
	*plain = NULL;
	const unsigned char *s = (const unsigned char *)text;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x80)
			continue;
		size_t n;
		char ascii = plain_syntax_char(text, len, i, &n);
		if (!ascii) {
			i += n - 1;
			continue;
		}
		if (!*plain) {
			*plain = malloc(len + 1);
			if (!*plain)
				return NI_ENOMEM;
			memcpy(*plain, text, len + 1);
		}
		(*plain)[i] = ascii;
		memset(*plain + i + 1, ' ', n - 1);
		i += n - 1;
	}
	return NI_OK;
}

ni_status ni_qparse_with(ni_db *db, ni_analyzer *analyzer, const char *text,
			 int64_t now, const struct ni_qparse_options *options,
			 struct ni_parsed_query *out,
			 struct ni_qparse_error *err)
{
	if (!out || !err)
		return NI_EINVAL;
	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	static const struct ni_qparse_options defaults = {0};
	const struct ni_qparse_options *o = options ? options : &defaults;
	enum ni_qparse_mode mode = o->mode;
	struct parser p = {
		.db = db, .analyzer = analyzer, .text = text,
		.len = text ? strlen(text) : 0, .now = now, .err = err,
		.words_only = mode == NI_QPARSE_WORDS,
		.max_words = o->max_words ? o->max_words : NI_QPARSE_MAX_WORDS,
		.max_postings = o->max_postings ? o->max_postings
						: NI_QPARSE_MAX_POSTINGS,
	};
	if (!db || !analyzer || !text)
		return fail_status(&p, NI_EINVAL, "no index, analyzer or text");
	if (mode != NI_QPARSE_STRICT && mode != NI_QPARSE_WORDS &&
	    mode != NI_QPARSE_LENIENT)
		return fail_status(&p, NI_EINVAL, "unknown query mode");
	if (only_space(&p))
		return fail_at(&p, 0, p.len, "empty query");
	char *plain = NULL;
	ni_status status = plain_syntax(text, p.len, &plain);
	if (status != NI_OK)
		return fail_status(&p, status, NULL);
	if (plain)
		p.text = plain;
	p.lookups = ni_lookups_new();
	status = p.lookups ? read_bounded(&p, out) : NI_ENOMEM;
	if (status == NI_EQUERY && mode == NI_QPARSE_LENIENT) {
		/* The syntax failed: the words, then, and say why. */
		struct ni_qparse_error syntax = *err;
		p.words_only = true;
		status = read_bounded(&p, out);
		if (status == NI_OK)
			status = note_syntax_error(out, &syntax);
	}
	if (status != NI_OK) {
		fail_status(&p, status, NULL);
		ni_parsed_query_clear(out);
	}
	parser_release(&p);
	free(plain);
	return status;
}

bool ni_qparse_blank(const char *text)
{
	struct parser p = {.text = text, .len = text ? strlen(text) : 0};
	return only_space(&p);
}

ni_status ni_qparse(ni_db *db, ni_analyzer *analyzer, const char *text,
		    int64_t now, struct ni_parsed_query *out,
		    struct ni_qparse_error *err)
{
	return ni_qparse_with(db, analyzer, text, now, NULL, out, err);
}

ni_status ni_parsed_query_add_notice(struct ni_parsed_query *query,
				     const char *notice)
{
	if (!query || !notice)
		return NI_EINVAL;
	return insert_notice(&query->notices, &query->n_notices, false, "%s",
			     notice);
}

void ni_parsed_query_clear(struct ni_parsed_query *query)
{
	ni_query_free(query->strict);
	ni_query_free(query->relaxed);
	for (size_t i = 0; i < query->n_words; i++)
		free(query->words[i].word);
	free(query->words);
	free_notices(query->notices, query->n_notices);
	memset(query, 0, sizeof *query);
}
