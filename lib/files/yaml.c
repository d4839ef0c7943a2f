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
#include "ni_strmap.h"

/* ---- positions -------------------------------------------------------- */

/*
 * The file line and column of a place in the text, given either as a
 * byte offset or as libyaml's character index (whichever is reached
 * first).  Columns count characters, as libyaml's do; lines are counted
 * here, by '\n' and by a '\r' alone (classic Mac OS's line ends), rather
 * than taken from mark.line, so that they are the file's lines even
 * where YAML 1.1 sees other line breaks (NEL, U+2028).
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
		if (c == '\n' || (c == '\r' && (i + 1 == y->len ||
						 y->text[i + 1] != '\n'))) {
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

/* ---- aliases ---------------------------------------------------------- */

/*
 * While an anchored node is open, every event read from libyaml is kept
 * in one log, in order, once however many anchors enclose it; an anchor
 * is the log's records from its node's first event to its last.  An
 * alias is replaced by its anchor's records, read by a cursor; an alias
 * among them that was expanded where it was read is expanded again, by a
 * cursor on top of it.  Limits of 32 bits are far past any file read (a
 * file over 4 GiB is refused before here); reaching one is NI_ENOMEM.
 */
#define NO_ANCHOR UINT32_MAX
#define MAX_KEPT (UINT32_MAX - 1)  /* records, anchors, bytes */

enum alias_refusal {            /* why a kept alias was not expanded */
	EXPANDED,
	REFUSED_OVER_BUDGET,
	REFUSED_INSIDE,
};

struct record {                 /* one event of an anchored node */
	uint32_t offset;        /* scalar: its value in `bytes`; alias: name */
	uint32_t length;        /* the value's length, or the name's */
	uint32_t target;        /* alias: the anchor replayed, or NO_ANCHOR */
	uint8_t type;           /* yaml_event_type_t */
	uint8_t style;          /* scalar: yaml_scalar_style_t; alias:
				 * enum alias_refusal when not expanded */
};

struct anchor {
	uint32_t start, end;      /* its records: log[start, end) */
	/* While open, the log's cost when it opened; then what replaying
	 * it costs, its own records and its aliases' replays. */
	size_t cost;
	uint32_t outer;           /* while open: the anchor around it */
	unsigned depth;           /* y->depth inside its node */
	bool open;
};

struct cursor {
	uint32_t next, end;       /* records of the log left to replay */
};

struct ni_yaml_aliases {
	struct record *log;
	size_t n_log, cap_log;
	char *bytes;              /* scalars' values and names, each + NUL */
	size_t n_bytes, cap_bytes;
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	/* Each name's latest anchor, as an alias names the latest. */
	struct ni_strmap names;
	uint32_t innermost;       /* the open anchor read into, or NO_ANCHOR */
	size_t logged_cost;       /* of all records kept */
	size_t budget;            /* what replays may still cost */
	struct cursor *replay;    /* the replay's cursors, innermost last */
	size_t n_replay, cap_replay;
	yaml_mark_t start_mark, end_mark;  /* of the alias being replayed */
	char over_budget[64];     /* "aliases may add at most N bytes ..." */
};

static const char inside_refusal[] = "it is inside the node it names";

/* Room for `n` items of `size` bytes in `items` (`*cap` now), or NULL. */
static void *reserve(void *items, size_t *cap, size_t n, size_t size)
{
	if (n <= *cap)
		return items;
	if (n > MAX_KEPT)
		return NULL;
	size_t cap2 = *cap ? *cap : 16;
	while (cap2 < n)
		cap2 *= 2;
	if (cap2 > MAX_KEPT)
		cap2 = n;
	if (cap2 > SIZE_MAX / size)
		return NULL;
	void *grown = realloc(items, cap2 * size);
	if (grown)
		*cap = cap2;
	return grown;
}

/* A copy of `len` bytes and a NUL in a->bytes, at *offset. */
static ni_status keep_bytes(struct ni_yaml_aliases *a, const void *s,
			    size_t len, uint32_t *offset)
{
	char *bytes = reserve(a->bytes, &a->cap_bytes, a->n_bytes + len + 1,
			      1);
	if (!bytes)
		return NI_ENOMEM;
	a->bytes = bytes;
	memcpy(bytes + a->n_bytes, s, len);
	bytes[a->n_bytes + len] = '\0';
	*offset = (uint32_t)a->n_bytes;
	a->n_bytes += len + 1;
	return NI_OK;
}

static void free_aliases(struct ni_yaml_aliases *a)
{
	if (!a)
		return;
	free(a->log);
	free(a->bytes);
	free(a->anchors);
	ni_strmap_release(&a->names);
	free(a->replay);
	free(a);
}

void ni_yaml_expand_aliases(struct ni_yaml *y)
{
	y->expand_aliases = true;
}

/* The latest anchor named `name`, or NO_ANCHOR. */
static uint32_t find_anchor(const struct ni_yaml_aliases *a,
			    const char *name)
{
	size_t index;
	if (!a || !ni_strmap_get(&a->names, name, strlen(name), &index))
		return NO_ANCHOR;
	return (uint32_t)index;
}

/* A node named `name` starts at the current event, `depth` inside it. */
static ni_status open_anchor(struct ni_yaml *y, const char *name,
			     unsigned depth)
{
	struct ni_yaml_aliases *a = y->aliases;
	if (!a) {
		a = y->aliases = calloc(1, sizeof *a);
		if (!a)
			return NI_ENOMEM;
		a->innermost = NO_ANCHOR;
		a->budget = y->len > NI_YAML_ALIAS_MIN_BUDGET
			? y->len : NI_YAML_ALIAS_MIN_BUDGET;
		snprintf(a->over_budget, sizeof a->over_budget,
			 "aliases may add at most %zu bytes in all",
			 a->budget);
	}
	struct anchor *anchors = reserve(a->anchors, &a->cap_anchors,
					 a->n_anchors + 1, sizeof *anchors);
	if (!anchors)
		return NI_ENOMEM;
	a->anchors = anchors;
	uint32_t index = (uint32_t)a->n_anchors;
	/* A name given again names the new node. */
	ni_status st = ni_strmap_put(&a->names, name, strlen(name), index);
	if (st != NI_OK)
		return st;
	a->n_anchors++;
	anchors[index] = (struct anchor){
		.start = (uint32_t)a->n_log,
		.cost = a->logged_cost,
		.outer = a->innermost,
		.depth = depth,
		.open = true,
	};
	a->innermost = index;
	return NI_OK;
}

/* The innermost open anchor's node has ended with the last record. */
static void close_anchor(struct ni_yaml_aliases *a)
{
	struct anchor *an = &a->anchors[a->innermost];
	an->end = (uint32_t)a->n_log;
	an->cost = a->logged_cost - an->cost;
	an->open = false;
	a->innermost = an->outer;
}

/* Keep the current event, read inside an anchored node, in the log;
 * `target` and `refusal` for an alias. */
static ni_status log_event(struct ni_yaml *y, uint32_t target,
			   enum alias_refusal refusal)
{
	struct ni_yaml_aliases *a = y->aliases;
	const yaml_event_t *e = &y->event;
	struct record *log = reserve(a->log, &a->cap_log, a->n_log + 1,
				     sizeof *log);
	if (!log)
		return NI_ENOMEM;
	a->log = log;
	struct record r = {.type = (uint8_t)e->type, .target = NO_ANCHOR};
	size_t cost = 1;
	ni_status st = NI_OK;
	if (e->type == YAML_SCALAR_EVENT) {
		if (e->data.scalar.length > MAX_KEPT)
			return NI_ENOMEM;
		r.length = (uint32_t)e->data.scalar.length;
		r.style = (uint8_t)e->data.scalar.style;
		st = keep_bytes(a, e->data.scalar.value, r.length, &r.offset);
		cost += r.length;
	} else if (e->type == YAML_ALIAS_EVENT) {
		const char *name = (const char *)e->data.alias.anchor;
		r.length = (uint32_t)strlen(name);
		r.target = target;
		r.style = (uint8_t)refusal;
		st = keep_bytes(a, name, r.length, &r.offset);
		if (target != NO_ANCHOR)
			cost = a->anchors[target].cost;
	}
	if (st != NI_OK)
		return st;
	log[a->n_log++] = r;
	a->logged_cost += cost;
	return NI_OK;
}

/* The anchor named by the current event, if any. */
static const char *event_anchor(const yaml_event_t *e)
{
	switch (e->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)e->data.scalar.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)e->data.sequence_start.anchor;
	case YAML_MAPPING_START_EVENT:
		return (const char *)e->data.mapping_start.anchor;
	default:
		return NULL;
	}
}

/*
 * The current event, `record`'s, made from it, at the alias replayed.
 * Its strings are a->bytes', which grow only as libyaml's events are
 * kept, never while this event is current.
 */
static void replay_record(struct ni_yaml *y, const struct record *r)
{
	struct ni_yaml_aliases *a = y->aliases;
	yaml_event_t *e = &y->event;
	memset(e, 0, sizeof *e);
	e->type = (yaml_event_type_t)r->type;
	e->start_mark = a->start_mark;
	e->end_mark = a->end_mark;
	yaml_char_t *bytes = (yaml_char_t *)a->bytes + r->offset;
	switch (e->type) {
	case YAML_SCALAR_EVENT:
		e->data.scalar.value = bytes;
		e->data.scalar.length = r->length;
		e->data.scalar.style = (yaml_scalar_style_t)r->style;
		e->data.scalar.plain_implicit =
			r->style == YAML_PLAIN_SCALAR_STYLE;
		e->data.scalar.quoted_implicit =
			!e->data.scalar.plain_implicit;
		break;
	case YAML_SEQUENCE_START_EVENT:
		e->data.sequence_start.implicit = 1;
		break;
	case YAML_MAPPING_START_EVENT:
		e->data.mapping_start.implicit = 1;
		break;
	case YAML_ALIAS_EVENT:  /* one not expanded where it was read */
		e->data.alias.anchor = bytes;
		y->alias_refusal = r->style == REFUSED_INSIDE
			? inside_refusal : a->over_budget;
		break;
	default:
		break;
	}
}

/* Start replaying anchor `index` (a cursor over its records). */
static ni_status push_replay(struct ni_yaml_aliases *a, uint32_t index)
{
	struct cursor *replay = reserve(a->replay, &a->cap_replay,
					a->n_replay + 1, sizeof *replay);
	if (!replay)
		return NI_ENOMEM;
	a->replay = replay;
	replay[a->n_replay++] = (struct cursor){a->anchors[index].start,
						a->anchors[index].end};
	return NI_OK;
}

/* The next replayed event as the current one; NI_DONE when the replay
 * is over (and libyaml's next event is due). */
static ni_status replay_next(struct ni_yaml *y)
{
	struct ni_yaml_aliases *a = y->aliases;
	while (a && a->n_replay) {
		struct cursor *c = &a->replay[a->n_replay - 1];
		if (c->next == c->end) {
			a->n_replay--;
			continue;
		}
		const struct record *r = &a->log[c->next++];
		if (r->type == YAML_ALIAS_EVENT && r->target != NO_ANCHOR) {
			/* Expanded where it was read: its cost was
			 * counted in the anchor's around it. */
			ni_status st = push_replay(a, r->target);
			if (st != NI_OK)
				return st;
			continue;
		}
		replay_record(y, r);
		return NI_OK;
	}
	return NI_DONE;
}

/* The current event is libyaml's ALIAS: replace it by its node's events,
 * or hand it over with the reason it is not. */
static ni_status expand_alias(struct ni_yaml *y)
{
	struct ni_yaml_aliases *a = y->aliases;
	const yaml_event_t *e = &y->event;
	const char *name = (const char *)e->data.alias.anchor;
	uint32_t index = find_anchor(a, name);
	if (index == NO_ANCHOR)
		return ni_yaml_fail_at(y, e->start_mark,
				       "found undefined alias *%s", name);
	const struct anchor *an = &a->anchors[index];
	enum alias_refusal refusal = an->open ? REFUSED_INSIDE
		: an->cost > a->budget ? REFUSED_OVER_BUDGET : EXPANDED;
	if (a->innermost != NO_ANCHOR) {
		ni_status st = log_event(y, refusal ? NO_ANCHOR : index,
					 refusal);
		if (st != NI_OK)
			return st;
	}
	if (refusal == REFUSED_OVER_BUDGET) {
		/* Spent: a file past the budget is a bomb or near enough,
		 * and the rest of it expands no more, however cheap. */
		a->budget = 0;
		y->alias_refusal = a->over_budget;
		return NI_OK;
	}
	if (refusal == REFUSED_INSIDE) {
		y->alias_refusal = inside_refusal;
		return NI_OK;
	}
	a->budget -= an->cost;
	a->start_mark = e->start_mark;
	a->end_mark = e->end_mark;
	yaml_event_delete(&y->event);
	y->has_event = false;
	ni_status st = push_replay(a, index);
	return st == NI_OK ? replay_next(y) : st;
}

/*
 * Keep what aliases need of the libyaml event just read: a new anchor,
 * the event itself inside an anchored node, an anchored node's end; an
 * alias is expanded.
 */
static ni_status note_for_aliases(struct ni_yaml *y)
{
	struct ni_yaml_aliases *a = y->aliases;
	const yaml_event_t *e = &y->event;
	ni_status st = NI_OK;
	switch (e->type) {
	case YAML_ALIAS_EVENT:
		return expand_alias(y);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		if (!a || a->innermost == NO_ANCHOR)
			return NI_OK;
		st = log_event(y, NO_ANCHOR, EXPANDED);
		/* y->depth is still the depth inside the node ending. */
		if (st == NI_OK && a->anchors[a->innermost].depth == y->depth)
			close_anchor(a);
		return st;
	case YAML_SCALAR_EVENT:
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		break;
	default:
		return NI_OK;
	}
	const char *name = event_anchor(e);
	if (name && (st = open_anchor(y, name, y->depth + 1)) != NI_OK)
		return st;
	a = y->aliases;
	if (a && a->innermost != NO_ANCHOR)
		st = log_event(y, NO_ANCHOR, EXPANDED);
	if (st == NI_OK && name && e->type == YAML_SCALAR_EVENT)
		close_anchor(a);
	return st;
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
	free_aliases(y->aliases);
	y->aliases = NULL;
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
	y->alias_refusal = NULL;
	ni_status st = replay_next(y);
	if (st == NI_DONE) {
		if (!yaml_parser_parse(&y->parser, &y->event))
			return yaml_failure(y);
		y->has_event = true;
		st = y->expand_aliases ? note_for_aliases(y) : NI_OK;
	}
	if (st != NI_OK)
		return st;
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
