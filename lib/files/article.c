/*
 * ni_article: see include/ni_article.h.
 *
 * A file with a UTF-16 or UTF-32 byte order mark is converted to UTF-8
 * by ICU first.  The file is framed by hand (BOM, the `---` lines), then
 * the front matter alone is handed to libyaml's event parser, through
 * the reader config.c uses too (ni_yaml.h).  The events are read by a small
 * recursive descent driven by one table of fields per mapping (article,
 * related item, provider, image): each field names its key, the
 * kind of value it takes and where in the struct it goes.  Anything the
 * tables do not name is consumed without being looked at, so an unknown
 * key can hold any structure, and `secured` is never copied.
 *
 * Aliases are expanded by the event reader (ni_yaml_expand_aliases()),
 * within a budget of about the text's own size; an alias it leaves
 * unexpanded is a value of the wrong type here, with the reader's reason.
 * That budget, with a cap on nesting depth checked on every event, is
 * what keeps YAML bombs cheap.
 */
#include "ni_article.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucnv.h>
#include <unicode/ustring.h>
#include <unicode/utf8.h>
#include <yaml.h>

#include "../base/ascii.h"
#include "ni_buf.h"
#include "ni_dates.h"
#include "ni_language.h"
#include "ni_yaml.h"

/* The front matter starts on the line after the opening `---`. */
#define FRONT_MATTER_FIRST_LINE 2

/* ---- framing: BOM, the opening and closing lines ---------------------- */

struct frame {
	const char *fm;   /* the front matter, between the two marker lines */
	size_t fm_len;
};

/*
 * The length of the line at `s`, without its break, and in `*next` the
 * length with it.  A break is LF, CRLF or a CR alone, as for libyaml:
 * classic Mac OS and some exports end lines with CR alone.
 */
static size_t line_length(const char *s, size_t len, size_t *next)
{
	const char *lf = memchr(s, '\n', len);
	size_t n = lf ? (size_t)(lf - s) : len;
	const char *cr = memchr(s, '\r', n);
	if (cr)
		n = (size_t)(cr - s);
	*next = n + (n < len) + (cr && n + 1 < len && s[n + 1] == '\n');
	return n;
}

/* Does the byte at s[i] (of `len`) end a line: LF, or a CR alone? */
static bool ends_line(const char *s, size_t len, size_t i)
{
	return s[i] == '\n' || (s[i] == '\r' && (i + 1 == len ||
						s[i + 1] != '\n'));
}

/* Is the line exactly `marker` ("---" or "..."), give or take trailing
 * blanks? */
static bool line_is_marker(const char *line, size_t len, const char *marker)
{
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	return len == 3 && !memcmp(line, marker, 3);
}

static bool line_closes(const char *line, size_t len)
{
	return line_is_marker(line, len, "---") ||
	       line_is_marker(line, len, "...");
}

/* Set `*err` to a failure of kind `kind`, and return NI_EPARSE. */
static ni_status refuse(struct ni_parse_error *err, enum ni_skip kind,
			unsigned line, unsigned column, const char *message)
{
	ni_parse_error_set(err, line, column, "%s", message);
	err->kind = kind;
	return NI_EPARSE;
}

/*
 * A file without front matter and with a NUL byte near its start is
 * binary data (an image, an archive saved as .txt): say so, rather than
 * "no front matter".  A body after good front matter may hold anything.
 */
static ni_status refuse_binary(const char *text, size_t len,
			       struct ni_parse_error *err)
{
	size_t probe = len < NI_ARTICLE_BINARY_PROBE ? len
						     : NI_ARTICLE_BINARY_PROBE;
	const char *nul = memchr(text, '\0', probe);
	if (!nul)
		return NI_OK;
	char message[96];
	snprintf(message, sizeof message,
		 "binary data (a NUL byte at byte %zu), not a text file",
		 (size_t)(nul - text) + 1);
	return refuse(err, NI_SKIP_BINARY, 0, 0, message);
}

/*
 * Front matter that is not UTF-8 is refused here, before libyaml sees
 * it, so the message can say that the file is skipped, not repaired
 * (guessing Latin-1 would index wrong words), and point at the first bad
 * byte.  ICU's U8_NEXT decides what is well-formed, as the analyzer's
 * conversions do.  Lines and columns count as libyaml's do.
 */
static ni_status refuse_invalid_utf8(const char *fm, size_t len,
				     struct ni_parse_error *err)
{
	const uint8_t *s = (const uint8_t *)fm;
	/* ICU's macros index with int32_t; front matter past 2 GiB is
	 * over any size limit a build allows. */
	int32_t n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
	int32_t at = 0;
	while (at < n) {
		/* Most bytes are ASCII: nothing to decode, and eight of
		 * them are looked at as one. */
		uint64_t eight;
		if (n - at >= 8 && (memcpy(&eight, s + at, 8),
				    !(eight & 0x8080808080808080u))) {
			at += 8;
			continue;
		}
		if (s[at] < 0x80) {
			at++;
			continue;
		}
		int32_t next = at;
		UChar32 c;
		U8_NEXT(s, next, n, c);
		if (c < 0)
			break;
		at = next;
	}
	if (at == n)
		return NI_OK;
	/* Where the bad byte is, counted only now that there is one. */
	unsigned line = FRONT_MATTER_FIRST_LINE, column = 1;
	for (int32_t i = 0; i < at;) {
		UChar32 c;
		bool breaks = ends_line(fm, len, (size_t)i);
		U8_NEXT(s, i, at, c);
		if (breaks) {
			line++;
			column = 1;
		} else {
			column++;
		}
	}
	char message[96];
	snprintf(message, sizeof message,
		 "invalid UTF-8 (byte 0x%02x): file skipped, not repaired; "
		 "save it as UTF-8", s[at]);
	return refuse(err, NI_SKIP_INVALID_UTF8, line, column, message);
}

/* Is the line at `s` (of `len`) empty, or spaces and tabs? */
static bool line_is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/*
 * A file whose first line is not `---`: say why it is no article, and
 * what it may be instead, when that is clear from its first lines.
 * Blank lines before the `---` are a slip newsindex, Jekyll and Hugo
 * all refuse; `+++` opens Hugo's TOML front matter, which is not read.
 */
static ni_status refuse_no_front_matter(const char *text, size_t len,
					struct ni_parse_error *err)
{
	ni_status st = refuse_binary(text, len, err);
	if (st != NI_OK)
		return st;
	const char *why = "";
	size_t pos = 0, next, n = line_length(text, len, &next);
	if (line_is_marker(text, n, "+++")) {
		why = " (+++ opens TOML front matter: only YAML, between "
		      "--- lines, is read)";
	} else {
		while (pos < len && line_is_blank(text + pos, n)) {
			pos += next;
			n = line_length(text + pos, len - pos, &next);
		}
		if (pos && pos < len && line_is_marker(text + pos, n, "---"))
			why = " (blank lines come before it: the --- must be "
			      "the first line)";
	}
	char message[128];
	snprintf(message, sizeof message,
		 "no front matter: the first line is not ---%s", why);
	return refuse(err, NI_SKIP_NO_FRONT_MATTER, 1, 1, message);
}

static ni_status find_front_matter(const char *text, size_t len,
				   struct frame *fr,
				   struct ni_parse_error *err)
{
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		len -= 3;
	}
	if (len == 0)  /* no line to point at */
		return refuse(err, NI_SKIP_EMPTY, 0, 0, "empty file");
	size_t pos;
	size_t first = line_length(text, len, &pos);
	if (!line_is_marker(text, first, "---"))
		return refuse_no_front_matter(text, len, err);
	fr->fm = text + pos;
	while (pos < len) {
		size_t next;
		size_t n = line_length(text + pos, len - pos, &next);
		if (line_closes(text + pos, n)) {
			fr->fm_len = (size_t)(text + pos - fr->fm);
			return refuse_invalid_utf8(fr->fm, fr->fm_len, err);
		}
		pos += next;
	}
	return refuse(err, NI_SKIP_UNCLOSED, 1, 1,
		      "front matter is not closed by a --- line");
}

/* ---- UTF-16 and UTF-32, said by a byte order mark --------------------- */

/*
 * Windows tools save text as UTF-16 (PowerShell 5's Out-File and `>`,
 * Notepad's "Unicode"), and their files start with a byte order mark
 * that says so: such a file is read as what it says it is, not taken for
 * binary data for its NUL bytes.  Without a mark nothing is guessed.
 * UTF-32's marks come first: FF FE 00 00 also starts with UTF-16LE's.
 */
static const struct bom {
	const char *bytes;
	size_t len;
	const char *charset;  /* ICU's name, without a mark of its own */
} boms[] = {
	{"\xFF\xFE\0\0", 4, "UTF-32LE"},
	{"\0\0\xFE\xFF", 4, "UTF-32BE"},
	{"\xFF\xFE", 2, "UTF-16LE"},
	{"\xFE\xFF", 2, "UTF-16BE"},
};

static const struct bom *find_bom(const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof boms / sizeof boms[0]; i++)
		if (len >= boms[i].len &&
		    !memcmp(text, boms[i].bytes, boms[i].len))
			return &boms[i];
	return NULL;
}

/*
 * The `n` bytes at `src`, in `bom`'s charset, as UTF-16 units in
 * `*units` (caller frees with free()), by ICU's converter, told to stop
 * at the first unit that is not well formed rather than substitute it:
 * such a file is refused, as invalid UTF-8 is.
 */
static ni_status to_units(const char *src, size_t n, const struct bom *bom,
			  UChar **units, int32_t *n_units,
			  struct ni_parse_error *err)
{
	/* Two bytes or more make one UTF-16 unit: n / 2 + 1 always fit. */
	if (n > INT32_MAX / 2)
		return refuse(err, NI_SKIP_TOO_LARGE, 0, 0, "file too large");
	int32_t cap = (int32_t)(n / 2 + 1);
	UErrorCode status = U_ZERO_ERROR;
	UConverter *cnv = ucnv_open(bom->charset, &status);
	ucnv_setToUCallBack(cnv, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL,
			    &status);
	/* ICU's own converters fail to open only when memory ran out. */
	*units = U_SUCCESS(status) ? malloc((size_t)cap * sizeof **units)
				   : NULL;
	if (*units)
		*n_units = ucnv_toUChars(cnv, *units, cap, src, (int32_t)n,
					 &status);
	ucnv_close(cnv);
	if (!*units)
		return NI_ENOMEM;
	if (U_SUCCESS(status))
		return NI_OK;
	free(*units);
	*units = NULL;
	char message[128];
	snprintf(message, sizeof message,
		 "invalid %s (a lone surrogate or a cut character, after its "
		 "byte order mark): file skipped, not repaired; save it as "
		 "UTF-8", bom->charset);
	return refuse(err, NI_SKIP_INVALID_UTF8, 0, 0, message);
}

/* The text after `bom` as UTF-8 in `*utf8` (caller frees with free()). */
static ni_status decode_with_bom(const char *text, size_t len,
				 const struct bom *bom, char **utf8,
				 size_t *utf8_len, struct ni_parse_error *err)
{
	UChar *units;
	int32_t n_units = 0, n8 = 0;
	ni_status st = to_units(text + bom->len, len - bom->len, bom, &units,
				&n_units, err);
	if (st != NI_OK)
		return st;
	/* Well-formed units, at most 3 bytes of UTF-8 each: no failure
	 * but memory's. */
	UErrorCode status = U_ZERO_ERROR;
	char *out = malloc((size_t)n_units * 3 + 1);
	if (out)
		u_strToUTF8(out, n_units * 3 + 1, &n8, units, n_units,
			    &status);
	free(units);
	if (!out || U_FAILURE(status)) {
		free(out);
		return NI_ENOMEM;
	}
	*utf8 = out;
	*utf8_len = (size_t)n8;
	return NI_OK;
}

/* ---- the event reader ------------------------------------------------- */

struct fm_parser {
	struct ni_yaml y;         /* its depth limit is NI_ARTICLE_MAX_DEPTH */
	struct ni_article *article;
};

/* Consume the whole node whose first event is the current one. */
static ni_status skip_node(struct fm_parser *p)
{
	unsigned open = 0;
	for (;;) {
		switch (p->y.event.type) {
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			open++;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			open--;
			break;
		default:
			break;
		}
		if (open == 0)
			return NI_OK;
		ni_status st = ni_yaml_next(&p->y);
		if (st != NI_OK)
			return st;
	}
}

/* ---- warnings --------------------------------------------------------- */

/* Where a value sits in the article, for messages: related[1].title. */
struct path {
	const struct path *parent;
	const char *key;   /* NULL for an item of a list */
	size_t index;
};

static ni_status add_path(struct ni_buf *buf, const struct path *path)
{
	if (!path)
		return NI_OK;
	ni_status st = add_path(buf, path->parent);
	if (st != NI_OK)
		return st;
	if (!path->key)
		return ni_buf_addf(buf, "[%zu]", path->index);
	if (path->parent && (st = ni_buf_addch(buf, '.')) != NI_OK)
		return st;
	return ni_buf_adds(buf, path->key);
}

/*
 * What the current event is, for "expected X, got Y".  An alias (one the
 * reader did not expand) is named with its anchor, however long: a
 * warning has room for it, and for why it was not expanded.
 */
static ni_status add_node_summary(struct ni_buf *buf,
				  const struct fm_parser *p)
{
	char quoted[NI_YAML_QUOTED_SIZE];
	const char *why = p->y.alias_refusal;
	if (p->y.event.type == YAML_ALIAS_EVENT)
		return ni_buf_addf(buf, "an alias (*%s)%s%s",
				   (const char *)p->y.event.data.alias.anchor,
				   why ? ", not expanded: " : "",
				   why ? why : "");
	return ni_buf_adds(buf, ni_yaml_describe(&p->y, quoted));
}

/*
 * Is there room for one more warning?  When there is not, the warning is
 * only counted, and the caller does not even build its message.
 */
static bool warning_fits(struct fm_parser *p)
{
	if (p->article->n_warnings < NI_ARTICLE_MAX_WARNINGS)
		return true;
	p->article->n_warnings_dropped++;
	return false;
}

/* Keep `message` (the article's now) as a warning at `line`, `column`. */
static ni_status keep_warning(struct ni_article *a, unsigned line,
			      unsigned column, char *message)
{
	if (!message)
		return NI_ENOMEM;
	if (!a->warnings) {
		a->warnings = calloc(NI_ARTICLE_MAX_WARNINGS,
				     sizeof *a->warnings);
		if (!a->warnings) {
			free(message);
			return NI_ENOMEM;
		}
	}
	a->warnings[a->n_warnings++] = (struct ni_warning){line, column,
							   message};
	return NI_OK;
}

/* Store the message built so far (`st` says whether building it
 * worked) as a warning at `mark`. */
static ni_status store_warning(struct fm_parser *p, yaml_mark_t mark,
			       struct ni_buf *msg, ni_status st)
{
	if (st != NI_OK) {
		ni_buf_release(msg);
		return st;
	}
	unsigned line, column;
	ni_yaml_locate(&p->y, mark, &line, &column);
	return keep_warning(p->article, line, column, ni_buf_detach(msg));
}

/* "<path>: <text>" about the value at `mark`. */
static ni_status warn_at(struct fm_parser *p, yaml_mark_t mark,
			 const struct path *path, const char *text)
{
	if (!warning_fits(p))
		return NI_OK;
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = add_path(&msg, path);
	if (st == NI_OK)
		st = ni_buf_addf(&msg, ": %s", text);
	return store_warning(p, mark, &msg, st);
}

/* "<path>: <text>"<the value quoted, or what it is>. */
static ni_status warn_with_value(struct fm_parser *p,
				 const struct path *path, const char *text)
{
	if (!warning_fits(p))
		return NI_OK;
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = add_path(&msg, path);
	if (st == NI_OK)
		st = ni_buf_addf(&msg, ": %s", text);
	if (st == NI_OK)
		st = add_node_summary(&msg, p);
	return store_warning(p, p->y.event.start_mark, &msg, st);
}

/* The value has the wrong type or cannot be read: say so, drop it. */
static ni_status reject_value(struct fm_parser *p, const struct path *path,
			      const char *expected)
{
	char text[64];
	snprintf(text, sizeof text, "expected %s, got ", expected);
	ni_status st = warn_with_value(p, path, text);
	return st == NI_OK ? skip_node(p) : st;
}

static ni_status warn_duplicate_key(struct fm_parser *p,
				    const struct path *path)
{
	if (!warning_fits(p))
		return NI_OK;
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = ni_buf_adds(&msg, "duplicate key '");
	if (st == NI_OK)
		st = add_path(&msg, path);
	if (st == NI_OK)
		st = ni_buf_addch(&msg, '\'');
	return store_warning(p, p->y.event.start_mark, &msg, st);
}

/* ---- scalar values ---------------------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Drop the blanks and line breaks around `s`, in place.  They mean
 * nothing in a value, and YAML's block scalars (`title: >`, `excerpt: |`,
 * as Jekyll's and Hugo's front matter write long values) end in a line
 * break, which a terminal would show as a stray character.
 */
static void trim_blanks(char *s)
{
	size_t start = 0, end = strlen(s);
	while (start < end && is_blank(s[start]))
		start++;
	while (end > start && is_blank(s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
}

/* Leave *slot NULL unless the value is usable text, without the blanks
 * around it. */
static ni_status parse_text(struct fm_parser *p, const struct path *path,
			    char **slot)
{
	if (ni_yaml_is_null(&p->y))
		return NI_OK;
	if (!ni_yaml_is_scalar(&p->y))
		return reject_value(p, path, "text");
	/* A quoted "\0" would silently cut a C string short. */
	if (memchr(ni_yaml_scalar_text(&p->y), '\0',
		   ni_yaml_scalar_length(&p->y)))
		return warn_at(p, p->y.event.start_mark, path,
			       "text contains a NUL byte");
	*slot = ni_yaml_scalar_dup(&p->y);
	if (!*slot)
		return NI_ENOMEM;
	trim_blanks(*slot);
	return NI_OK;
}

static ni_status parse_date(struct fm_parser *p, const struct path *path,
			    char **text, struct ni_opt_time *at)
{
	if (ni_yaml_is_null(&p->y))
		return NI_OK;
	if (!ni_yaml_is_scalar(&p->y))
		return reject_value(p, path, "a date");
	char *copy = NULL;
	ni_status st = parse_text(p, path, &copy);
	if (st != NI_OK || !copy)
		return st;
	enum ni_date_reading reading = ni_read_article_date(copy, &at->epoch);
	if (reading != NI_DATE_OK) {
		free(copy);
		return warn_with_value(p, path, reading == NI_DATE_INVALID
				       ? "not a date (ISO 8601, RFC 5322 or "
					 "Unix time): "
				       : "not in years 0000-9999 in UTC: ");
	}
	at->present = true;
	*text = copy;
	return NI_OK;
}

/* The length of `text`'s "https://" or "http://" (any case) when more
 * follows it; else 0. */
static size_t web_scheme_length(const char *text)
{
	size_t n = strlen(text);
	if (n > 8 && equals_word_ci(text, 8, "https://"))
		return 8;
	if (n > 7 && equals_word_ci(text, 7, "http://"))
		return 7;
	return 0;
}

/*
 * An alias's URL (Hugo's `url`, RSS's `link`) as the webUrl: only an
 * absolute http or https one.  Hugo's `url: /oil/` is a path on the
 * blog, which the page would link against the server: left out, as
 * any key newsindex does not read is.
 */
static ni_status parse_web_url(struct fm_parser *p, const struct path *path,
			       char **slot)
{
	ni_status st = parse_text(p, path, slot);
	if (st != NI_OK || !*slot)
		return st;
	if (!web_scheme_length(*slot)) {
		free(*slot);
		*slot = NULL;
	}
	return NI_OK;
}

/* Step over the digits at s[*i] (up to `len`); false if there are none. */
static bool skip_digits(const char *s, size_t len, size_t *i)
{
	size_t start = *i;
	while (*i < len && is_digit(s[*i]))
		(*i)++;
	return *i > start;
}

/* Digits, maybe a point and digits, maybe an exponent: 8.75e1. */
static bool quality_form(const char *s, size_t len)
{
	size_t i = 0;
	if (!skip_digits(s, len, &i))
		return false;
	if (i < len && s[i] == '.' && (++i, !skip_digits(s, len, &i)))
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!skip_digits(s, len, &i))
			return false;
	}
	return i == len;
}

bool ni_parse_quality(const char *s, size_t len, double *value)
{
	/* Rounded to the nearest double, as strtod() does: 1e-400 is 0,
	 * and 1e400, infinite, is refused as any number above 100. */
	double x;
	if (!quality_form(s, len) || !ni_yaml_read_number(s, len, &x) ||
	    x > 100)
		return false;
	*value = x;
	return true;
}

bool ni_parse_heat(const char *s, size_t len, double *value)
{
	double x;
	if (!quality_form(s, len) || !ni_yaml_read_number(s, len, &x) ||
	    !isfinite(x))
		return false;
	*value = x;
	return true;
}

static ni_status parse_number(struct fm_parser *p, const struct path *path,
			      struct ni_opt_double *slot, bool is_percent)
{
	double value;
	if (ni_yaml_is_null(&p->y))
		return NI_OK;
	if (!ni_yaml_is_scalar(&p->y))
		return reject_value(p, path, "a number");
	const char *text = ni_yaml_scalar_text(&p->y);
	size_t len = ni_yaml_scalar_length(&p->y);
	bool number = ni_yaml_read_number(text, len, &value);
	/* A quality is read as a quality: filter reads it. */
	if (is_percent && !ni_parse_quality(text, len, &value))
		return reject_value(p, path, number || quality_form(text, len)
				    ? "a number from 0 to 100" : "a number");
	if (!number)
		return reject_value(p, path, "a number");
	slot->present = true;
	slot->value = value;
	return NI_OK;
}

/*
 * `lang` or `language`: a language tag whose stemmer the indexer uses,
 * kept as a tag too for the page to say the article's language.  A
 * value that is no language is dropped with a warning, so the article is
 * stemmed in the default language rather than not found.
 */
static ni_status parse_language(struct fm_parser *p, const struct path *path,
				const char **slot)
{
	if (ni_yaml_is_null(&p->y))
		return NI_OK;
	if (!ni_yaml_is_scalar(&p->y))
		return reject_value(p, path, "a language code");
	const char *stemmer = ni_language_stemmer(
		ni_yaml_scalar_text(&p->y), ni_yaml_scalar_length(&p->y));
	if (!stemmer)
		return warn_with_value(p, path, "not a language code: ");
	*slot = stemmer;
	ni_language_tag(ni_yaml_scalar_text(&p->y),
			ni_yaml_scalar_length(&p->y), p->article->lang);
	return NI_OK;
}

/* Image sizes: digits only, so "11.5", "-3" and "1e3" are refused. */
static bool read_pixels(const char *s, size_t len, int64_t *out)
{
	size_t i = len && s[0] == '+';
	int64_t value = 0;
	if (i == len)
		return false;
	for (; i < len; i++) {
		if (!is_digit(s[i]) || value > (INT64_MAX - 9) / 10)
			return false;
		value = value * 10 + (s[i] - '0');
	}
	*out = value;
	return true;
}

static ni_status parse_pixels(struct fm_parser *p, const struct path *path,
			      int64_t *slot)
{
	if (ni_yaml_is_null(&p->y))
		return NI_OK;
	if (!ni_yaml_is_scalar(&p->y) ||
	    !read_pixels(ni_yaml_scalar_text(&p->y),
			 ni_yaml_scalar_length(&p->y), slot))
		return reject_value(p, path, "a non-negative integer");
	return NI_OK;
}

/* The YAML 1.1 booleans people write; "y" and "n" are left out. */
static bool read_bool(const char *s, size_t len, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (equals_word_ci(s, len, yes[i])) {
			*out = true;
			return true;
		}
		if (equals_word_ci(s, len, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static ni_status parse_flag(struct fm_parser *p, const struct path *path,
			    bool *slot)
{
	if (ni_yaml_is_null(&p->y))
		return NI_OK;
	if (!ni_yaml_is_scalar(&p->y) ||
	    !read_bool(ni_yaml_scalar_text(&p->y),
		       ni_yaml_scalar_length(&p->y), slot))
		return reject_value(p, path, "true or false");
	return NI_OK;
}

static ni_status parse_opt_bool(struct fm_parser *p,
				const struct path *path,
				struct ni_opt_bool *slot)
{
	bool value;
	if (ni_yaml_is_null(&p->y))
		return NI_OK;
	if (!ni_yaml_is_scalar(&p->y) ||
	    !read_bool(ni_yaml_scalar_text(&p->y),
		       ni_yaml_scalar_length(&p->y), &value))
		return reject_value(p, path, "true or false");
	slot->present = true;
	slot->value = value;
	return NI_OK;
}

/* ---- the field tables ------------------------------------------------- */

enum field_kind {
	FIELD_TEXT,       /* char * */
	FIELD_DATE,       /* char * as written, aux: struct ni_opt_time */
	FIELD_PERCENT,    /* struct ni_opt_double, 0..100 */
	FIELD_NUMBER,     /* struct ni_opt_double */
	FIELD_OPT_BOOL,   /* struct ni_opt_bool */
	FIELD_FLAG,       /* bool, false when absent */
	FIELD_PIXELS,     /* int64_t, 0 when absent */
	FIELD_PROVIDER,   /* struct ni_provider */
	FIELD_TOPICS,     /* char **, aux: size_t count */
	FIELD_IMAGES,     /* struct ni_image *, aux: size_t count */
	FIELD_RELATED,    /* struct ni_related *, aux: size_t count */
	FIELD_LANGUAGE,   /* const char *, a static stemmer name */
	FIELD_WEB_URL,    /* char *, only an absolute http(s) URL */
};

struct field {
	const char *key;
	size_t key_len;
	enum field_kind kind;
	size_t offset;   /* of the member the value goes to */
	size_t aux;      /* of a second member, see enum field_kind */
	/* Another program's name (Hugo's, Jekyll's, NewsAPI's) for the
	 * field of an earlier entry with the same member: used when that
	 * field is not given. */
	bool alias;
};

#define FIELD(key, kind, type, member) \
	{key, sizeof key - 1, kind, offsetof(type, member), 0, false}
#define FIELD2(key, kind, type, member, aux) \
	{key, sizeof key - 1, kind, offsetof(type, member), \
	 offsetof(type, aux), false}
#define ALIAS(key, kind, type, member) \
	{key, sizeof key - 1, kind, offsetof(type, member), 0, true}
#define ALIAS2(key, kind, type, member, aux) \
	{key, sizeof key - 1, kind, offsetof(type, member), \
	 offsetof(type, aux), true}

static const struct field provider_fields[] = {
	FIELD("name", FIELD_TEXT, struct ni_provider, name),
	FIELD("domain", FIELD_TEXT, struct ni_provider, domain),
};

static const struct field image_fields[] = {
	FIELD("url", FIELD_TEXT, struct ni_image, url),
	FIELD("width", FIELD_PIXELS, struct ni_image, width),
	FIELD("height", FIELD_PIXELS, struct ni_image, height),
	FIELD("isCached", FIELD_FLAG, struct ni_image, is_cached),
};

static const struct field related_fields[] = {
	FIELD("title", FIELD_TEXT, struct ni_related, title),
	FIELD("excerpt", FIELD_TEXT, struct ni_related, excerpt),
	FIELD2("publishedDateTime", FIELD_DATE, struct ni_related,
	       published_date_time, published_at),
	FIELD("webUrl", FIELD_TEXT, struct ni_related, web_url),
	FIELD("originalUrl", FIELD_TEXT, struct ni_related, original_url),
	FIELD("type", FIELD_TEXT, struct ni_related, type),
	FIELD("provider", FIELD_PROVIDER, struct ni_related, provider),
	FIELD("quality", FIELD_PERCENT, struct ni_related, quality),
	FIELD2("images", FIELD_IMAGES, struct ni_related, images, n_images),
};

static const struct field article_fields[] = {
	FIELD("title", FIELD_TEXT, struct ni_article, title),
	FIELD("excerpt", FIELD_TEXT, struct ni_article, excerpt),
	FIELD("category", FIELD_TEXT, struct ni_article, category),
	FIELD("type", FIELD_TEXT, struct ni_article, type),
	FIELD2("publishedDateTime", FIELD_DATE, struct ni_article,
	       published_date_time, published_at),
	FIELD("originalUrl", FIELD_TEXT, struct ni_article, original_url),
	FIELD("webUrl", FIELD_TEXT, struct ni_article, web_url),
	FIELD("quality", FIELD_PERCENT, struct ni_article, quality),
	FIELD("heat", FIELD_NUMBER, struct ni_article, heat),
	FIELD("published", FIELD_OPT_BOOL, struct ni_article, published),
	FIELD("provider", FIELD_PROVIDER, struct ni_article, provider),
	FIELD2("topics", FIELD_TOPICS, struct ni_article, topics, n_topics),
	FIELD2("images", FIELD_IMAGES, struct ni_article, images, n_images),
	FIELD2("related", FIELD_RELATED, struct ni_article, related,
	       n_related),
	FIELD("lang", FIELD_LANGUAGE, struct ni_article, stemmer),
	ALIAS("language", FIELD_LANGUAGE, struct ni_article, stemmer),
	/* As blogs' generators (Hugo, Jekyll, Pelican, Eleventy) and
	 * NewsAPI's articles name them (docs/schema.md). */
	ALIAS("description", FIELD_TEXT, struct ni_article, excerpt),
	ALIAS("summary", FIELD_TEXT, struct ni_article, excerpt),
	ALIAS2("date", FIELD_DATE, struct ni_article, published_date_time,
	       published_at),
	ALIAS2("publishedAt", FIELD_DATE, struct ni_article,
	       published_date_time, published_at),
	ALIAS2("pubDate", FIELD_DATE, struct ni_article, published_date_time,
	       published_at),
	ALIAS2("publishDate", FIELD_DATE, struct ni_article,
	       published_date_time, published_at),
	ALIAS("url", FIELD_WEB_URL, struct ni_article, web_url),
	ALIAS("link", FIELD_WEB_URL, struct ni_article, web_url),
	ALIAS("canonical_url", FIELD_WEB_URL, struct ni_article, web_url),
	ALIAS2("tags", FIELD_TOPICS, struct ni_article, topics, n_topics),
	ALIAS2("keywords", FIELD_TOPICS, struct ni_article, topics,
	       n_topics),
	ALIAS("source", FIELD_PROVIDER, struct ni_article, provider),
	ALIAS2("image", FIELD_IMAGES, struct ni_article, images, n_images),
	ALIAS2("urlToImage", FIELD_IMAGES, struct ni_article, images,
	       n_images),
};

#define N_FIELDS(table) (sizeof table / sizeof table[0])

/* parse_fields() tracks keys seen in a bitmask. */
_Static_assert(N_FIELDS(article_fields) <= 32, "too many fields");

/* ---- freeing ---------------------------------------------------------- */

static void free_topics(char **topics, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(topics[i]);
	free(topics);
}

static void clear_provider(struct ni_provider *provider)
{
	free(provider->name);
	free(provider->domain);
	*provider = (struct ni_provider){0};
}

static void clear_image(struct ni_image *image)
{
	free(image->url);
	*image = (struct ni_image){0};
}

static void free_images(struct ni_image *images, size_t n)
{
	for (size_t i = 0; i < n; i++)
		clear_image(&images[i]);
	free(images);
}

static void clear_related(struct ni_related *related)
{
	free(related->title);
	free(related->excerpt);
	free(related->web_url);
	free(related->original_url);
	free(related->type);
	free(related->published_date_time);
	clear_provider(&related->provider);
	free_images(related->images, related->n_images);
	*related = (struct ni_related){0};
}

static void free_related(struct ni_related *related, size_t n)
{
	for (size_t i = 0; i < n; i++)
		clear_related(&related[i]);
	free(related);
}

static void *member(void *base, size_t offset)
{
	return (char *)base + offset;
}

/* Forget a field's value, so that a duplicate key starts afresh. */
static void clear_field(const struct field *f, void *base)
{
	void *at = member(base, f->offset);
	size_t *count = member(base, f->aux);

	switch (f->kind) {
	case FIELD_TEXT:
	case FIELD_WEB_URL:
		free(*(char **)at);
		*(char **)at = NULL;
		break;
	case FIELD_DATE:
		free(*(char **)at);
		*(char **)at = NULL;
		*(struct ni_opt_time *)member(base, f->aux) =
			(struct ni_opt_time){0};
		break;
	case FIELD_PERCENT:
	case FIELD_NUMBER:
		*(struct ni_opt_double *)at = (struct ni_opt_double){0};
		break;
	case FIELD_OPT_BOOL:
		*(struct ni_opt_bool *)at = (struct ni_opt_bool){0};
		break;
	case FIELD_FLAG:
		*(bool *)at = false;
		break;
	case FIELD_PIXELS:
		*(int64_t *)at = 0;
		break;
	case FIELD_PROVIDER:
		clear_provider(at);
		break;
	case FIELD_TOPICS:
		free_topics(*(char ***)at, *count);
		*(char ***)at = NULL;
		*count = 0;
		break;
	case FIELD_IMAGES:
		free_images(*(struct ni_image **)at, *count);
		*(struct ni_image **)at = NULL;
		*count = 0;
		break;
	case FIELD_RELATED:
		free_related(*(struct ni_related **)at, *count);
		*(struct ni_related **)at = NULL;
		*count = 0;
		break;
	case FIELD_LANGUAGE:
		*(const char **)at = NULL;
		break;
	}
}

/* ---- mappings and lists ----------------------------------------------- */

static ni_status parse_fields(struct fm_parser *p, const struct field *fields,
			      size_t n_fields, void *base,
			      const struct path *path);

/*
 * A list being read, item by item: the array so far, its count and
 * capacity, and the size of one item.  parse_list_field() hands the
 * array to the struct when the list ends.
 */
struct item_list {
	void *items;
	size_t n;
	size_t cap;
	size_t size;
};

/*
 * Copy the item at `item` (list->size bytes) to the end of the list,
 * growing it when full.  NI_ENOMEM leaves the list as it was and the
 * item the caller's.
 */
static ni_status append_item(struct item_list *list, const void *item)
{
	if (list->n == list->cap) {
		size_t new_cap = list->cap ? list->cap * 2 : 4;
		if (new_cap > SIZE_MAX / list->size)
			return NI_ENOMEM;
		void *grown = realloc(list->items, new_cap * list->size);
		if (!grown)
			return NI_ENOMEM;
		list->items = grown;
		list->cap = new_cap;
	}
	memcpy((char *)list->items + list->n++ * list->size, item,
	       list->size);
	return NI_OK;
}

/*
 * Whether `s` is a host name ("thestreet.com", "asia.nikkei.com"): two
 * or more labels of ASCII letters, digits and inner hyphens, joined by
 * dots, the last of letters only.
 */
static bool is_host_name(const char *s)
{
	size_t labels = 0, run = 0;
	bool letters_only = true;
	for (const char *c = s;; c++) {
		if (*c == '.' || !*c) {
			if (!run || c[-1] == '-')
				return false;
			labels++;
			if (!*c)
				return labels >= 2 && letters_only;
			run = 0;
			letters_only = true;
			continue;
		}
		char lower = ascii_lower(*c);
		bool letter = lower >= 'a' && lower <= 'z';
		if (!letter && !is_digit(*c) && !(*c == '-' && run))
			return false;
		letters_only = letters_only && letter;
		run++;
	}
}

/*
 * A web address's host name without "www." (`https://www.bbc.co.uk/x`:
 * "bbc.co.uk"), cut in place: a provider written as the address of its
 * site, or of the article on it (a `source:`).  Any other text stays.
 */
static void keep_url_host(char *text)
{
	size_t skip = web_scheme_length(text);
	if (!skip)
		return;
	if (strlen(text + skip) > 4 && equals_word_ci(text + skip, 4, "www."))
		skip += 4;
	size_t host = strcspn(text + skip, "/?#:");
	char *end = text + skip + host;
	char kept = *end;
	*end = '\0';
	if (is_host_name(text + skip))
		memmove(text, text + skip, host + 1);
	else
		*end = kept;
}

/*
 * `provider: Reuters`, as people write it by hand: the name; one written
 * as a host name (`provider: nikkei.com`), or as a web address (its
 * host), is the domain too, so that `site:` finds it.
 */
static ni_status parse_provider_text(struct fm_parser *p,
				     const struct path *path,
				     struct ni_provider *provider)
{
	ni_status st = parse_text(p, path, &provider->name);
	if (st != NI_OK || !provider->name)
		return st;
	keep_url_host(provider->name);
	if (!*provider->name) {
		free(provider->name);
		provider->name = NULL;
	} else if (is_host_name(provider->name)) {
		provider->domain = strdup(provider->name);
		if (!provider->domain)
			return NI_ENOMEM;
		for (char *c = provider->domain; *c; c++)
			*c = ascii_lower(*c);
	}
	return NI_OK;
}

static ni_status parse_provider(struct fm_parser *p, const struct path *path,
				struct ni_provider *provider)
{
	if (ni_yaml_is_null(&p->y))
		return NI_OK;
	if (ni_yaml_is_scalar(&p->y))
		return parse_provider_text(p, path, provider);
	if (p->y.event.type != YAML_MAPPING_START_EVENT)
		return reject_value(p, path, "a mapping or a name");
	return parse_fields(p, provider_fields, N_FIELDS(provider_fields),
			    provider, path);
}

/*
 * Walk a list, calling `parse_item` on each item's first event.  A lone
 * item of the right kind (`single`) is taken as a list of one, because
 * hand-edited files write `topics: AI` as often as `topics: [AI]`.
 */
typedef ni_status parse_item_fn(struct fm_parser *p, const struct path *path,
				struct item_list *list);

static ni_status parse_list(struct fm_parser *p, const struct path *path,
			    yaml_event_type_t single,
			    parse_item_fn *parse_item, struct item_list *list)
{
	if (ni_yaml_is_null(&p->y))
		return NI_OK;
	if (p->y.event.type == single)
		return parse_item(p, path, list);
	if (p->y.event.type != YAML_SEQUENCE_START_EVENT)
		return reject_value(p, path, "a sequence");
	for (size_t i = 0;; i++) {
		ni_status st = ni_yaml_next(&p->y);
		if (st != NI_OK)
			return st;
		if (p->y.event.type == YAML_SEQUENCE_END_EVENT)
			return NI_OK;
		struct path item = {path, NULL, i};
		st = ni_yaml_is_null(&p->y) ? NI_OK
					    : parse_item(p, &item, list);
		if (st != NI_OK)
			return st;
	}
}

static ni_status parse_topic(struct fm_parser *p, const struct path *path,
			     struct item_list *list)
{
	char *topic = NULL;
	ni_status st = parse_text(p, path, &topic);
	if (st != NI_OK || !topic)
		return st;
	st = append_item(list, &topic);
	if (st != NI_OK)
		free(topic);
	return st;
}

/*
 * `topics: AI, Robotics`: one unquoted text with commas, as people write
 * a list by hand (and Jekyll, Obsidian and WordPress exports write tags),
 * is the list of its parts, each trimmed; an empty part is none.  Quoted
 * text (`topics: "Mergers, acquisitions"`) and an item of a list are one
 * topic, commas and all.
 */
static bool is_comma_list(const struct fm_parser *p)
{
	return ni_yaml_is_scalar(&p->y) &&
	       p->y.event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       memchr(ni_yaml_scalar_text(&p->y), ',',
		      ni_yaml_scalar_length(&p->y));
}

static ni_status parse_comma_list(struct fm_parser *p, struct item_list *list)
{
	const char *text = ni_yaml_scalar_text(&p->y);
	const char *end = text + ni_yaml_scalar_length(&p->y);
	for (;;) {
		const char *comma = memchr(text, ',', (size_t)(end - text));
		size_t n = comma ? (size_t)(comma - text) : (size_t)(end - text);
		char *topic = strndup(text, n);
		if (!topic)
			return NI_ENOMEM;
		trim_blanks(topic);
		if (!*topic) {
			free(topic);
		} else if (append_item(list, &topic) != NI_OK) {
			free(topic);
			return NI_ENOMEM;
		}
		if (!comma)
			return NI_OK;
		text = comma + 1;
	}
}

static ni_status parse_image(struct fm_parser *p, const struct path *path,
			     struct item_list *list)
{
	struct ni_image image = {0};
	yaml_mark_t mark = p->y.event.start_mark;
	ni_status st;
	/* `- https://example.com/a.jpg`: an image given by its URL alone. */
	if (ni_yaml_is_scalar(&p->y))
		st = parse_text(p, path, &image.url);
	else if (p->y.event.type == YAML_MAPPING_START_EVENT)
		st = parse_fields(p, image_fields, N_FIELDS(image_fields),
				  &image, path);
	else
		return reject_value(p, path, "a mapping or a URL");
	if (st == NI_OK && image.url && !*image.url) {
		free(image.url);
		image.url = NULL;
	}
	if (st == NI_OK && !image.url) {
		/* An image without a url is no use to anyone. */
		clear_image(&image);
		return warn_at(p, mark, path, "image has no url");
	}
	if (st == NI_OK)
		st = append_item(list, &image);
	if (st != NI_OK)
		clear_image(&image);
	return st;
}

static ni_status parse_one_related(struct fm_parser *p,
				   const struct path *path,
				   struct item_list *list)
{
	struct ni_related item = {0};
	if (p->y.event.type != YAML_MAPPING_START_EVENT)
		return reject_value(p, path, "a mapping");
	ni_status st = parse_fields(p, related_fields,
				    N_FIELDS(related_fields), &item, path);
	if (st == NI_OK)
		st = append_item(list, &item);
	if (st != NI_OK)
		clear_related(&item);
	return st;
}

/* Is the current event an unquoted number, like 5 or 1e3? */
static bool is_plain_number(const struct fm_parser *p)
{
	double value;
	return ni_yaml_is_scalar(&p->y) &&
	       p->y.event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       ni_yaml_read_number(ni_yaml_scalar_text(&p->y),
				   ni_yaml_scalar_length(&p->y), &value);
}

/*
 * A list field, read into an item_list and then handed to the struct,
 * whole or not, so that ni_article_clear() frees whatever was read
 * before a failure.  The field is empty here: never set, or emptied by
 * clear_field() for a duplicate key.
 */
static ni_status parse_list_field(struct fm_parser *p, const struct field *f,
				  void *base, const struct path *path)
{
	void *at = member(base, f->offset);
	struct item_list list = {NULL, 0, 0, 0};
	ni_status st;

	switch (f->kind) {
	case FIELD_TOPICS:
		/* `topics: 5` is a count or a slip, not a topic named "5";
		 * in a list ([2024, elections]) a number is a topic. */
		if (is_plain_number(p))
			return reject_value(p, path, "a list of topics");
		list.size = sizeof(char *);
		st = is_comma_list(p) ? parse_comma_list(p, &list)
				      : parse_list(p, path, YAML_SCALAR_EVENT,
						   parse_topic, &list);
		*(char ***)at = list.items;
		break;
	case FIELD_IMAGES:
		list.size = sizeof(struct ni_image);
		/* A lone image, a mapping or a URL, is a list of one. */
		st = ni_yaml_is_scalar(&p->y) && !ni_yaml_is_null(&p->y)
			? parse_image(p, path, &list)
			: parse_list(p, path, YAML_MAPPING_START_EVENT,
				     parse_image, &list);
		*(struct ni_image **)at = list.items;
		break;
	case FIELD_RELATED:
		list.size = sizeof(struct ni_related);
		st = parse_list(p, path, YAML_MAPPING_START_EVENT,
				parse_one_related, &list);
		*(struct ni_related **)at = list.items;
		break;
	default:
		return skip_node(p);  /* not reached: not a list */
	}
	*(size_t *)member(base, f->aux) = list.n;
	return st;
}

static ni_status parse_value(struct fm_parser *p, const struct field *f,
			     void *base, const struct path *path)
{
	void *at = member(base, f->offset);

	switch (f->kind) {
	case FIELD_TEXT:
		return parse_text(p, path, at);
	case FIELD_WEB_URL:
		return parse_web_url(p, path, at);
	case FIELD_DATE:
		return parse_date(p, path, at, member(base, f->aux));
	case FIELD_PERCENT:
		return parse_number(p, path, at, true);
	case FIELD_NUMBER:
		return parse_number(p, path, at, false);
	case FIELD_OPT_BOOL:
		return parse_opt_bool(p, path, at);
	case FIELD_FLAG:
		return parse_flag(p, path, at);
	case FIELD_PIXELS:
		return parse_pixels(p, path, at);
	case FIELD_PROVIDER:
		return parse_provider(p, path, at);
	case FIELD_LANGUAGE:
		return parse_language(p, path, at);
	case FIELD_TOPICS:
	case FIELD_IMAGES:
	case FIELD_RELATED:
		return parse_list_field(p, f, base, path);
	}
	return skip_node(p);
}

/* The field named by the current event, a key, or NULL if none is. */
static const struct field *find_field(const struct fm_parser *p,
				      const struct field *fields,
				      size_t n_fields)
{
	if (!ni_yaml_is_scalar(&p->y))
		return NULL;  /* an alias or a collection as a key */
	const char *key = ni_yaml_scalar_text(&p->y);
	size_t key_len = ni_yaml_scalar_length(&p->y);
	for (size_t i = 0; i < n_fields; i++)
		if (fields[i].key_len == key_len &&
		    !memcmp(fields[i].key, key, key_len))
			return &fields[i];
	return NULL;
}

/* Skip a key we do not know and its value, whatever they hold. */
static ni_status skip_entry(struct fm_parser *p)
{
	ni_status st = skip_node(p);
	if (st == NI_OK)
		st = ni_yaml_next(&p->y);
	if (st == NI_OK)
		st = skip_node(p);
	return st;
}

/*
 * Fill `base` from the mapping whose MAPPING-START is the current event,
 * up to and including its MAPPING-END.
 */
static ni_status parse_fields(struct fm_parser *p, const struct field *fields,
			      size_t n_fields, void *base,
			      const struct path *path)
{
	uint32_t seen = 0, by_alias = 0;
	for (;;) {
		ni_status st = ni_yaml_next(&p->y);
		if (st != NI_OK)
			return st;
		if (p->y.event.type == YAML_MAPPING_END_EVENT)
			return NI_OK;
		const struct field *f = find_field(p, fields, n_fields);
		if (!f) {
			st = skip_entry(p);
			if (st != NI_OK)
				return st;
			continue;
		}
		struct path here = {path, f->key, 0};
		/* One bit a member: its field's, the first with it. */
		const struct field *own = fields;
		while (own->offset != f->offset)
			own++;
		uint32_t bit = UINT32_C(1) << (own - fields);
		if ((seen & bit) && f->alias) {
			/* Its own name, or the alias first given, wins. */
			st = skip_entry(p);
			if (st != NI_OK)
				return st;
			continue;
		}
		if (seen & bit) {
			/* The later value wins, even if it is unusable; an
			 * alias's gives way without a word. */
			clear_field(f, base);
			if (!(by_alias & bit))
				st = warn_duplicate_key(p, &here);
		}
		seen |= bit;
		by_alias = f->alias ? by_alias | bit : by_alias & ~bit;
		if (st == NI_OK)
			st = ni_yaml_next(&p->y);
		if (st == NI_OK)
			st = parse_value(p, f, base, &here);
		if (st != NI_OK)
			return st;
	}
}

/* ---- the document ----------------------------------------------------- */

/* STREAM-START DOCUMENT-START <mapping> DOCUMENT-END STREAM-END */
static ni_status parse_stream(struct fm_parser *p)
{
	ni_status st = ni_yaml_begin_document(&p->y);
	if (st == NI_DONE)  /* blanks and comments; point at the opening */
		return refuse(p->y.err, NI_SKIP_EMPTY, 1, 1,
			      "front matter is empty");
	if (st != NI_OK)
		return st;
	if (p->y.event.type != YAML_MAPPING_START_EVENT) {
		st = ni_yaml_fail_at(&p->y, p->y.event.start_mark,
				     "front matter is not a mapping");
		p->y.err->kind = NI_SKIP_NOT_MAPPING;
		return st;
	}
	st = parse_fields(p, article_fields, N_FIELDS(article_fields),
			  p->article, NULL);
	if (st == NI_OK)
		st = ni_yaml_end_document(&p->y);
	return st;
}

static ni_status parse_front_matter(const struct frame *fr,
				    struct ni_article *article,
				    struct ni_parse_error *err)
{
	struct fm_parser p = {.article = article};
	/* The BOM, if any, was before the opening line: none to strip. */
	ni_status st = ni_yaml_open(&p.y, fr->fm, fr->fm_len,
				    FRONT_MATTER_FIRST_LINE,
				    NI_ARTICLE_MAX_DEPTH, "front matter", err);
	if (st != NI_OK)
		return st;
	ni_yaml_expand_aliases(&p.y);
	st = parse_stream(&p);
	ni_yaml_close(&p.y);
	return st;
}

ni_status ni_article_parse(const char *text, size_t len,
			   struct ni_article *out, struct ni_parse_error *err)
{
	struct ni_parse_error scratch;
	struct ni_article article = {0};
	struct frame fr = {0};

	if (!err)
		err = &scratch;
	if (!out || (!text && len))
		return NI_EINVAL;
	text = text ? text : "";
	char *decoded = NULL;
	const struct bom *bom = find_bom(text, len);
	ni_status st = bom ? decode_with_bom(text, len, bom, &decoded, &len,
					     err)
			   : NI_OK;
	if (decoded)
		text = decoded;
	if (st == NI_OK)
		st = find_front_matter(text, len, &fr, err);
	if (st == NI_OK)
		st = parse_front_matter(&fr, &article, err);
	/* Every value read was copied out of the text. */
	free(decoded);
	if (st != NI_OK) {
		ni_article_clear(&article);
		*out = (struct ni_article){0};
		return st;
	}
	*out = article;
	return NI_OK;
}

ni_status ni_article_warn(struct ni_article *a, unsigned line,
			  unsigned column, const char *fmt, ...)
{
	if (a->n_warnings >= NI_ARTICLE_MAX_WARNINGS) {
		a->n_warnings_dropped++;
		return NI_OK;
	}
	struct ni_buf msg = NI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	ni_status st = ni_buf_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (st != NI_OK) {
		ni_buf_release(&msg);
		return st;
	}
	return keep_warning(a, line, column, ni_buf_detach(&msg));
}

void ni_article_clear(struct ni_article *a)
{
	free(a->title);
	free(a->excerpt);
	free(a->category);
	free(a->type);
	free(a->published_date_time);
	free(a->original_url);
	free(a->web_url);
	clear_provider(&a->provider);
	free_topics(a->topics, a->n_topics);
	free_images(a->images, a->n_images);
	free_related(a->related, a->n_related);
	for (size_t i = 0; i < a->n_warnings; i++)
		free(a->warnings[i].message);
	free(a->warnings);
	*a = (struct ni_article){0};
}
