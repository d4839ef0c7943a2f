/*
 * ni_yaml: see include/ni_yaml.h.
 *
 * What article.c and config.c each had a copy of: the event loop with its
 * depth count, libyaml's failures turned into our messages and places,
 * and the small readers and describers of scalars.
 */
#include "ni_yaml.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "ni_control.h"

/* ---- positions -------------------------------------------------------- */

/*
 * The file line and column of a place in the text, given either as a
 * byte offset or as libyaml's character index (whichever is reached
 * first).  Columns count characters, as libyaml's do; lines are counted
 * here, by '\n', rather than taken from mark.line, so that they are the
 * file's lines even where YAML 1.1 sees other line breaks.
 */
static void locate(const struct ni_yaml *y, size_t stop_byte,
		   size_t stop_char, unsigned *line, unsigned *column)
{
	size_t chars = 0;
	*line = y->first_line;
	*column = 1;
	for (size_t i = 0; i < y->len && i < stop_byte; i++) {
		unsigned char c = (unsigned char)y->text[i];
		if ((c & 0xC0) == 0x80)
			continue;  /* UTF-8 continuation byte */
		if (chars++ == stop_char)
			break;
		if (c == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

void ni_yaml_locate(const struct ni_yaml *y, yaml_mark_t mark,
		    unsigned *line, unsigned *column)
{
	locate(y, SIZE_MAX, mark.index, line, column);
}

ni_status ni_yaml_fail_at(struct ni_yaml *y, yaml_mark_t mark,
			  const char *fmt, ...)
{
	va_list ap;
	ni_yaml_locate(y, mark, &y->err->line, &y->err->column);
	va_start(ap, fmt);
	vsnprintf(y->err->message, sizeof y->err->message, fmt, ap);
	va_end(ap);
	/* A reader that knows better (not a mapping) says so after. */
	y->err->kind = NI_SKIP_INVALID_YAML;
	return NI_EPARSE;
}

/* ---- the event reader ------------------------------------------------- */

ni_status ni_yaml_open(struct ni_yaml *y, const char *text, size_t len,
		       unsigned first_line, unsigned max_depth,
		       const char *what, struct ni_parse_error *err)
{
	*y = (struct ni_yaml){
		.max_depth = max_depth,
		.text = text,
		.len = len,
		.first_line = first_line,
		.what = what,
		.err = err,
	};
	/* libyaml would stop at a NUL with a vaguer message; say what it is. */
	const char *nul = len ? memchr(text, '\0', len) : NULL;
	if (nul) {
		unsigned line, column;
		locate(y, (size_t)(nul - text), SIZE_MAX, &line, &column);
		ni_parse_error_set(err, line, column, "%s contains a NUL byte",
				   what);
		err->kind = NI_SKIP_BINARY;
		return NI_EPARSE;
	}
	if (!yaml_parser_initialize(&y->parser))
		return NI_ENOMEM;
	yaml_parser_set_input_string(&y->parser, (const unsigned char *)text,
				     len);
	/* Any BOM is the caller's to strip: do not let libyaml guess. */
	yaml_parser_set_encoding(&y->parser, YAML_UTF8_ENCODING);
	return NI_OK;
}

void ni_yaml_close(struct ni_yaml *y)
{
	if (y->has_event) {
		yaml_event_delete(&y->event);
		y->has_event = false;
	}
	yaml_parser_delete(&y->parser);
}

/* The byte that starts character `index` of the text, or 0 past it. */
static char char_at(const struct ni_yaml *y, size_t index)
{
	size_t chars = 0;
	for (size_t i = 0; i < y->len; i++) {
		if (((unsigned char)y->text[i] & 0xC0) == 0x80)
			continue;  /* UTF-8 continuation byte */
		if (chars++ == index)
			return y->text[i];
	}
	return '\0';
}

/* libyaml stopped: its reason, at its place, in `err`. */
static ni_status yaml_failure(struct ni_yaml *y)
{
	const yaml_parser_t *parser = &y->parser;
	unsigned line, column;

	y->err->kind = NI_SKIP_INVALID_YAML;

	if (parser->error == YAML_MEMORY_ERROR)
		return NI_ENOMEM;
	if (parser->error == YAML_READER_ERROR) {
		/* Reader errors carry a byte offset, not a mark. */
		locate(y, parser->problem_offset, SIZE_MAX, &line, &column);
		const char *problem = parser->problem ? parser->problem
						      : "unreadable";
		/* The value is the offending byte or character. */
		if (parser->problem_value >= 0)
			ni_parse_error_set(y->err, line, column,
					   "%s (#x%02x)", problem,
					   (unsigned)parser->problem_value);
		else
			ni_parse_error_set(y->err, line, column, "%s",
					   problem);
		return NI_EPARSE;
	}
	ni_yaml_locate(y, parser->problem_mark, &line, &column);
	const char *problem = parser->problem ? parser->problem
					      : "invalid yaml";
	/* libyaml's contexts read "while parsing a block mapping". */
	const char *context = parser->context ? parser->context : "";
	/* libyaml's words for a tab do not say what to do about it. */
	const char *hint = char_at(y, parser->problem_mark.index) == '\t'
		? " (a tab: YAML indents with spaces)" : "";
	ni_parse_error_set(y->err, line, column, "%s%s%s%s", problem,
			   *context ? " " : "", context, hint);
	return NI_EPARSE;
}

ni_status ni_yaml_next(struct ni_yaml *y)
{
	if (y->has_event) {
		yaml_event_delete(&y->event);
		y->has_event = false;
	}
	if (!yaml_parser_parse(&y->parser, &y->event))
		return yaml_failure(y);
	y->has_event = true;
	switch (y->event.type) {
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (++y->depth > y->max_depth && y->max_depth != 0) {
			ni_yaml_fail_at(y, y->event.start_mark,
					"%s nested deeper than %u levels",
					y->what, y->max_depth);
			y->err->kind = NI_SKIP_TOO_DEEP;
			return NI_EPARSE;
		}
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		y->depth--;
		break;
	default:
		break;
	}
	return NI_OK;
}

ni_status ni_yaml_begin_document(struct ni_yaml *y)
{
	ni_status st = ni_yaml_next(y);  /* STREAM-START */
	if (st == NI_OK)
		st = ni_yaml_next(y);
	if (st != NI_OK)
		return st;
	if (y->event.type == YAML_STREAM_END_EVENT)
		return NI_DONE;
	return ni_yaml_next(y);  /* past DOCUMENT-START */
}

ni_status ni_yaml_end_document(struct ni_yaml *y)
{
	ni_status st = ni_yaml_next(y);  /* DOCUMENT-END */
	if (st == NI_OK)
		st = ni_yaml_next(y);
	if (st == NI_OK && y->event.type != YAML_STREAM_END_EVENT)
		return ni_yaml_fail_at(y, y->event.start_mark,
				       "%s holds more than one yaml document",
				       y->what);
	return st;
}

/* ---- scalars ---------------------------------------------------------- */

bool ni_yaml_is_null(const struct ni_yaml *y)
{
	if (!ni_yaml_is_scalar(y) ||
	    y->event.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = ni_yaml_scalar_text(y);
	size_t len = ni_yaml_scalar_length(y);
	return len == 0 || (len == 1 && s[0] == '~') ||
	       (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
			     !memcmp(s, "NULL", 4)));
}

char *ni_yaml_scalar_dup(const struct ni_yaml *y)
{
	size_t len = ni_yaml_scalar_length(y);
	char *copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, ni_yaml_scalar_text(y), len);
		copy[len] = '\0';
	}
	return copy;
}

/* Cut at most `max` bytes without splitting a UTF-8 character. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

const char *ni_yaml_quote(const char *s, size_t len,
			  char out[static NI_YAML_QUOTED_SIZE])
{
	int32_t n = (int32_t)utf8_cut(s, len, NI_YAML_QUOTE_MAX), i = 0;
	size_t o = 0;
	out[o++] = '"';
	while (i < n) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(s, i, n, c);
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (ni_is_control(c)) {
			/* The terminal's controls, as the programs escape
			 * them: each byte, a C1 control's two too. */
			for (int32_t b = start; b < i; b++)
				o += (size_t)snprintf(out + o,
						      NI_YAML_QUOTED_SIZE - o,
						      "\\x%02x",
						      (unsigned char)s[b]);
		} else {
			memcpy(out + o, s + start, (size_t)(i - start));
			o += (size_t)(i - start);
		}
	}
	if ((size_t)n < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

const char *ni_yaml_describe(const struct ni_yaml *y,
			     char out[static NI_YAML_QUOTED_SIZE])
{
	switch (y->event.type) {
	case YAML_SCALAR_EVENT:
		return ni_yaml_quote(ni_yaml_scalar_text(y),
				     ni_yaml_scalar_length(y), out);
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a sequence";
	case YAML_ALIAS_EVENT:
		return "an alias";
	default:
		return "nothing";
	}
}

/* ---- numbers ---------------------------------------------------------- */

/* Only what could start a finite number: no blanks, "inf" or "nan". */
static bool starts_like_number(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

/*
 * YAML numbers are written with '.', but strtod() reads the decimal point
 * of the current locale, and a program may well have called setlocale()
 * (ICU wants it), so swap the locale's point in before converting.
 */
bool ni_yaml_read_number(const char *s, size_t len, double *out)
{
	/* Most numbers fit here; a longer one (30 decimals) is copied. */
	char small[64];
	if (len == 0 || !starts_like_number(s[0]))
		return false;
	char *buf = len < sizeof small ? small : malloc(len + 1);
	if (!buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	bool ok = true;
	const char *point = localeconv()->decimal_point;
	if (point[0] != '.' && point[0] && !point[1]) {
		ok = !memchr(buf, point[0], len);
		for (char *dot = memchr(buf, '.', len); ok && dot;
		     dot = memchr(dot, '.', len - (size_t)(dot - buf)))
			*dot = point[0];
	}
	char *end = buf;
	double value = ok ? strtod(buf, &end) : 0;
	ok = ok && end == buf + len && isfinite(value);
	if (ok)
		*out = value;
	if (buf != small)
		free(buf);
	return ok;
}
