/*
 * ni_yaml.h - reading YAML one libyaml event at a time, the part the
 * library's two YAML readers share: an article's front matter
 * (article.c) and the user's config file (config.c).
 *
 * Both read with libyaml's event API, never its document loader, so no
 * tree is ever built.  Both report a
 * problem the same way: a 1-based line and column in the file (columns
 * count characters, as libyaml's do) and a message that says what was
 * found, its value quoted.  That much lives here.  What each reader makes
 * of the events (which keys it knows, what a value must look like, what
 * is only a warning and what stops the parse) stays in its own file.
 *
 * struct ni_yaml holds libyaml's parser and the current event.  It is a
 * plain struct, not an opaque handle, so that a reader keeps it on its
 * stack (nothing is allocated per article) and reads the current event,
 * `y->event`, directly; only the functions below change it.  A reader's
 * life:
 *
 *     struct ni_yaml y;
 *     st = ni_yaml_open(&y, text, len, 1, 0, "config file", err);
 *     if (st != NI_OK)
 *             return st;                     (nothing to close)
 *     st = ni_yaml_begin_document(&y);       (NI_DONE: no document)
 *     ... ni_yaml_next(&y) through the document's root node ...
 *     if (st == NI_OK)
 *             st = ni_yaml_end_document(&y);
 *     ni_yaml_close(&y);
 *
 * Errors: each fallible function returns NI_OK (or NI_DONE, from
 * ni_yaml_begin_document() only), NI_ENOMEM when memory ran out
 * (libyaml's or ours), or NI_EPARSE with the `err` given to
 * ni_yaml_open() filled in: where (line and column, as above) and why.
 * libyaml's own reasons are passed on as it words them ("did not find
 * expected key while parsing a block mapping").  After a failure the
 * reader stops and calls ni_yaml_close().
 *
 * Positions: lines are counted here, by '\n', so that they are the file's
 * lines even where YAML 1.1 sees other line breaks (NEL, LS, PS, a lone
 * CR); the text's first line is numbered as ni_yaml_open() is told, since
 * front matter starts on the file's second line.
 *
 * Aliases: the config file refuses them (it is the user's own, short
 * and strict), so by default an ALIAS event is handed over as libyaml
 * gives it.  Front matter is written by YAML libraries, which write an
 * anchor (`&id001`) on an object used twice and an alias (`*id001`) at
 * its second use, so article.c asks for them to be expanded
 * (ni_yaml_expand_aliases()): the events of each anchored node are kept
 * as they are read, and an alias is replaced by them, in order, as if
 * the node were written out again at the alias.  A reader cannot tell
 * the difference, except that every event of a replay is placed at the
 * alias (its `*`), where a message about it should point.  Bounds, so
 * that a billion laughs costs about its own size:
 *   - replays cost, in all, at most the text's length in bytes or
 *     NI_YAML_ALIAS_MIN_BUDGET, whichever is more; a replayed scalar
 *     costs its length plus one, any other event one.  An alias whose
 *     replay would pass that is not expanded: its ALIAS event is handed
 *     over, with `y->alias_refusal` saying why, and no later alias is
 *     expanded either (a bomb's later aliases would only be cheaper
 *     pieces of the same bomb);
 *   - an alias inside the very node it names (`&a [*a]`) is not
 *     expanded either, likewise;
 *   - nesting is counted through replays, so max_depth holds;
 *   - memory: what is kept is each event read inside an anchored node,
 *     once however many anchors enclose it (a small record and its
 *     scalar's bytes), never a replay's events;
 *   - an alias naming no anchor seen so far is NI_EPARSE, "found
 *     undefined alias *<name>" at the alias, as libyaml's loader and
 *     PyYAML refuse it.
 *
 * Numbers (ni_yaml_read_number()) are read with strtod() under the "C"
 * decimal point whatever the locale; the locale must not change while a
 * parse runs.  One struct ni_yaml is for one thread at a time; separate
 * ones are independent.
 */
#ifndef NI_YAML_H
#define NI_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "ni_parse_error.h"
#include "ni_status.h"

/* Replays may always cost this much, however short the text (the
 * bounds under "Aliases" above); it lets a short file reuse a list. */
#define NI_YAML_ALIAS_MIN_BUDGET 8192

/* A value quoted in a message is cut after this many bytes ... */
#define NI_YAML_QUOTE_MAX 60
/* ... so, quoted and escaped (\xNN per byte at worst), it fits in this. */
#define NI_YAML_QUOTED_SIZE (NI_YAML_QUOTE_MAX * 4 + sizeof "\"...\"")

struct ni_yaml_aliases;  /* yaml.c's: anchored nodes kept, replays */

struct ni_yaml {
	yaml_parser_t parser;
	/* The current event, valid until the next ni_yaml_next() or
	 * ni_yaml_close(): libyaml's, owned by the struct, while has_event
	 * is true, else one replayed for an alias, whose strings are the
	 * struct's too. */
	yaml_event_t event;
	bool has_event;
	/* For an ALIAS event handed over while aliases are expanded: why it
	 * was not ("aliases may add at most 8192 bytes in all"), a constant
	 * or the struct's; NULL for any other event. */
	const char *alias_refusal;
	bool expand_aliases;              /* ni_yaml_expand_aliases() */
	struct ni_yaml_aliases *aliases;  /* owned; NULL until an anchor */
	/* Mappings and sequences open at the current event, its own
	 * included when it starts one. */
	unsigned depth;
	unsigned max_depth;          /* deeper is refused; 0: no limit */
	const char *text;            /* borrowed: the YAML being read */
	size_t len;
	unsigned first_line;         /* the file's number for text's line 1 */
	const char *what;            /* borrowed: "front matter", in messages */
	struct ni_parse_error *err;  /* borrowed: where failures are told */
};

/*
 * Get ready to read `len` bytes of UTF-8 YAML at `text` (no byte order
 * mark: strip it first, so that columns count from what follows).
 * `first_line` is the file's number for the text's first line.  A
 * collection nested more than `max_depth` deep stops ni_yaml_next() with
 * "<what> nested deeper than <max_depth> levels" (0: no limit, for a
 * reader that bounds nesting itself).  `what` names the text in messages
 * ("front matter", "config file").
 *
 * `text`, `what` and `err` are borrowed: they must outlive the struct's
 * use, until ni_yaml_close().  `err` must not be NULL.
 *
 * A NUL byte anywhere in the text is NI_EPARSE, "<what> contains a NUL
 * byte" at its place (libyaml would stop there with a vaguer message).
 * NI_ENOMEM when libyaml cannot allocate its parser.  On failure there is
 * nothing to close; on NI_OK the caller must call ni_yaml_close().  No
 * event has been read yet: the first ni_yaml_next() gives STREAM-START.
 */
ni_status ni_yaml_open(struct ni_yaml *y, const char *text, size_t len,
		       unsigned first_line, unsigned max_depth,
		       const char *what, struct ni_parse_error *err);

/* Free the current event, the parser and whatever was kept for aliases.
 * `text` is not the struct's. */
void ni_yaml_close(struct ni_yaml *y);

/*
 * From now on, expand aliases (see "Aliases" above) rather than hand
 * over their ALIAS events.  Call it after ni_yaml_open(), before the
 * first ni_yaml_next().  Nothing is allocated until an anchor is read.
 */
void ni_yaml_expand_aliases(struct ni_yaml *y);

/*
 * Move to the next event: the current one is freed, `y->event` is the
 * new one and `y->depth` counts it.  The depth is checked here, on every
 * event, so that no path through a document, read or skipped, walks into
 * a structure deeper than allowed, replayed or not.  NI_EPARSE for
 * invalid YAML (libyaml's reason, at its place), nesting past max_depth
 * (at the event that opens one level too many) or, while aliases are
 * expanded, an undefined alias; NI_ENOMEM.
 */
ni_status ni_yaml_next(struct ni_yaml *y);

/*
 * From the start, read STREAM-START and the first document's
 * DOCUMENT-START, and stop at the first event of its root node.  NI_DONE
 * when the stream holds no document at all (nothing but blanks and
 * comments), and then the current event is STREAM-END; errors as
 * ni_yaml_next().
 */
ni_status ni_yaml_begin_document(struct ni_yaml *y);

/*
 * After the last event of the root node, read DOCUMENT-END and make sure
 * the stream ends there: a second document is NI_EPARSE, "<what> holds
 * more than one yaml document" at its start.  Errors as ni_yaml_next().
 */
ni_status ni_yaml_end_document(struct ni_yaml *y);

static inline bool ni_yaml_is_scalar(const struct ni_yaml *y)
{
	return y->event.type == YAML_SCALAR_EVENT;
}

/*
 * The current scalar's bytes: owned by the event, valid until the next
 * ni_yaml_next(); NUL-terminated, though a quoted "\0" can put a NUL
 * inside, so its length is ni_yaml_scalar_length().  Only for a scalar.
 */
static inline const char *ni_yaml_scalar_text(const struct ni_yaml *y)
{
	return (const char *)y->event.data.scalar.value;
}

static inline size_t ni_yaml_scalar_length(const struct ni_yaml *y)
{
	return y->event.data.scalar.length;
}

/*
 * Is the current event a null: `~`, `null` (`Null`, `NULL`) or nothing
 * at all, unquoted?  Both readers take a null as if the key were absent.
 * A quoted "null" is text.
 */
bool ni_yaml_is_null(const struct ni_yaml *y);

/*
 * A copy of the current scalar, NUL-terminated (a NUL inside it, which
 * the caller should have refused, would cut it short): the caller frees
 * it with free().  NULL when out of memory.  Only for a scalar.
 */
char *ni_yaml_scalar_dup(const struct ni_yaml *y);

/* The file line and column of `mark` (an event's start_mark, say). */
void ni_yaml_locate(const struct ni_yaml *y, yaml_mark_t mark,
		    unsigned *line, unsigned *column);

/*
 * Fill the `err` given to ni_yaml_open() with a printf-style message at
 * `mark`, and return NI_EPARSE, so that a reader can stop with
 * `return ni_yaml_fail_at(y, y->event.start_mark, "...")`.
 */
ni_status ni_yaml_fail_at(struct ni_yaml *y, yaml_mark_t mark,
			  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * `len` bytes at `s` (UTF-8) in double quotes, for a message: '"', '\\'
 * and what ni_is_control() finds escaped (\", \\, \xNN for each
 * byte: a C1 control's two, a byte that is not UTF-8), cut after
 * NI_YAML_QUOTE_MAX bytes (never inside a UTF-8 character) with "..."
 * before the closing quote.  Written to `out`, which is returned.
 */
const char *ni_yaml_quote(const char *s, size_t len,
			  char out[static NI_YAML_QUOTED_SIZE]);

/*
 * What the current event is, for "expected X, got Y": a scalar's value
 * quoted by ni_yaml_quote() into `out`, else "a mapping", "a sequence",
 * "an alias" or, for anything that cannot stand as a value, "nothing".
 * Returns `out` or a constant string.  Two cases are worded by the
 * readers themselves, before they call this: config.c calls a sequence
 * "a list", as its users do, and article.c names an alias's anchor,
 * however long, in its warnings.
 */
const char *ni_yaml_describe(const struct ni_yaml *y,
			     char out[static NI_YAML_QUOTED_SIZE]);

/*
 * Read a number as YAML writes it ("37", "-1.5", "+2.25", "1e3", ".5"):
 * true and `*out` set when the whole of the `len` bytes at `s` is one
 * finite number as strtod() reads it, with '.' as the decimal point
 * whatever the locale says, however long (a longer one is copied to
 * the heap: false when that fails).  False for no bytes, a first
 * byte other than a digit, sign or '.' (so no blanks, "inf", "nan",
 * ".inf"), anything after the number, an infinite result ("-inf",
 * "1e999") or NaN, and for text holding the locale's own decimal point
 * when that is not '.' ("1,5" is refused under a decimal comma).
 * strtod() also reads hexadecimal ("0x1A" is 26); a reader that wants
 * only decimals checks the characters first.
 */
bool ni_yaml_read_number(const char *s, size_t len, double *out);

#endif
