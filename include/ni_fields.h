/*
 * ni_fields.h - the field table: every field the index keeps, one row
 * each, with all that the programs must agree on about it.
 *
 * A row says what a field is called in queries, which terms or value
 * slot it becomes, whether its values are compared folded or exactly
 * as written, which facet counts it, and how to describe it.  The
 * indexer (lib/index/document.c: how it writes a value), the query parser
 * (lib/search/qparse.c: names, how it reads a value, its error messages),
 * the wrapper (lib/xapian/: the prefixes), the facets (newsquery's
 * --facets, newsindex stats --values, the output's names), newsquery
 * --help and the tables of docs/schema.md and docs/query-syntax.md
 * (docs/fields_doc.c writes them; a test fails when they differ) all
 * read it, as notmuch's prefix table drives both its indexing and its
 * query parser: when the two sides disagree about a field (one folds,
 * the other not), queries silently stop matching, so the rule is
 * written once, here.
 *
 * A new filter on a value the index keeps is one row of lib/schema/fields.c,
 * with its tests (tests/unit/test_fields.c asks for a case of each
 * filter) and `ninja -C build fields-docs` for the documentation.  A
 * field the indexer does not write yet needs its line in
 * lib/index/document.c too, and the article's key read (lib/files/article.c).
 *
 * Pure C without Xapian: lib/xapian/internal.h takes its prefixes from
 * here.  The rows are static and constant; every function below is
 * safe from any thread.
 */
#ifndef NI_FIELDS_H
#define NI_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "ni_buf.h"
#include "ni_xapian.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a field's values are, and so how a query reads one. */
enum ni_field_kind {
	/* Words: analyzed, stemmed, scored (title:WORD, title:"A B"). */
	NI_KIND_TEXT,
	/* A boolean filter: the whole value is one term (topic:ai). */
	NI_KIND_TERM,
	/* A boolean filter on a range of dates (seconds since the epoch
	 * in `slot`): date:2021-12, date:7d.. (lib/search/qparse.c). */
	NI_KIND_DATE,
	/* A boolean filter on a range of scores from 0 to 100 in `slot`,
	 * each number read as ni_parse_quality() reads an article's:
	 * quality:>=40, quality:20..60. */
	NI_KIND_SCORE,
	/* A boolean filter on a range of amounts from 0 up in `slot`, each
	 * number read by ni_parse_heat(): heat:>=10.  A value below 0 in
	 * the slot is unknown, and no range matches it. */
	NI_KIND_AMOUNT,
};

/*
 * A field's own reading of a typed value, for a field that takes a
 * closed set of values (published: true or false): the value as the
 * index has it (static, never freed), or NULL when `value` (`len`
 * bytes, not NUL-terminated) is none of them, with what the field
 * takes written to `why` (at most `size` bytes, NUL-terminated): the
 * query parser's error message is "NAME: WHY".  A value read with a
 * loss the reader should know of (lang:fr-CA is searched as French,
 * of any region) comes with `why` set too, which the parser gives as
 * a notice; `why` is "" otherwise.  The caller sets why[0] to '\0'.
 */
typedef const char *ni_field_reader(const char *value, size_t len,
				    char *why, size_t size);

/* One row of the table.  Numbers that may be absent are -1 then. */
struct ni_field_spec {
	/* Its name in queries ("topic" for topic:ai), lowercase ASCII
	 * letters, matched in any case; NULL: the index's own, never
	 * typed. */
	const char *name;
	const char *alias;        /* another name it is typed as; NULL */
	enum ni_field_kind kind;
	/* NI_KIND_TEXT: the enum ni_field whose words it is. */
	int text;
	/* NI_KIND_TERM: the enum ni_filter of its terms. */
	int filter;
	/* A filter whose terms a typed value is looked up in too (OR):
	 * provider:reuters.com finds the site; -1: none. */
	int also;
	/* Its terms' prefix ("" for words without one); NULL: it has no
	 * terms (a range over a value slot). */
	const char *prefix;
	/* NI_KIND_TEXT: the prefix of its words' stems ("Z"). */
	const char *stem_prefix;
	/* NI_KIND_DATE, NI_KIND_SCORE and NI_KIND_AMOUNT: the enum ni_slot
	 * searched. */
	int slot;
	/*
	 * Its values are folded as the analyzer folds them
	 * (ni_analyzer_fold()) by the indexer before they are written,
	 * and by the query parser before they are looked up, so that
	 * topic:ai finds the topic "AI"; false: exactly as written (url:),
	 * or as `read` says.
	 */
	bool folded;
	/* How a query reads a value, when not folded nor as typed. */
	ni_field_reader *read;
	/* The enum ni_facet that counts its values, its name in
	 * --facets and the output ("month" for the dates), and the
	 * enum ni_slot it counts; -1 and NULL: none. */
	int facet;
	const char *facet_name;
	int facet_slot;
	/* newsquery --help's examples ("quality:>=40  quality:20..60");
	 * NULL: "NAME:" alone. */
	const char *usage;
	/* One line: what it matches ("one of the article's topics,
	 * whole"); for the documentation. */
	const char *help;
	/* The values it takes, with examples, after docs/query-syntax.md
	 * says "folded" or "exactly as typed". */
	const char *values;
	/* docs/schema.md: what its terms are made of; for a text field,
	 * `stems` says what its stems are. */
	const char *source;
	const char *stems;
};

/*
 * The table: `*n` rows, the index's free-text words first, then the
 * fields typed in queries, in the order error messages name them, then
 * the index's own terms.  Owned by the library, static.
 */
const struct ni_field_spec *ni_field_specs(size_t *n);

/*
 * The row typed as `name` (`len` bytes, any case, by its name or its
 * alias), or NULL when no field is called so.
 */
const struct ni_field_spec *ni_field_named(const char *name, size_t len);

/* The row of `filter`'s terms; NULL for a value out of the enum. */
const struct ni_field_spec *ni_filter_spec(enum ni_filter filter);

/* The row of `field`'s words, or NULL when they have no prefix of their
 * own (the excerpt's and the topics' words are only unprefixed). */
const struct ni_field_spec *ni_text_spec(enum ni_field field);

/* The row `facet` counts; NULL for a value out of the enum. */
const struct ni_field_spec *ni_facet_spec(enum ni_facet facet);

/*
 * The facet named `name` (`len` bytes, exactly), or -1 when none is:
 * what --facets and newsindex stats --values take.
 */
int ni_facet_named(const char *name, size_t len);

/*
 * The row's place in the table, from 0: a number for each field, less
 * than NI_FIELD_SPECS_MAX.
 */
size_t ni_field_index(const struct ni_field_spec *spec);

/* The table has at most this many rows (a test holds it to it). */
#define NI_FIELD_SPECS_MAX 64

/*
 * Lists for messages, into `out` (cut to `size` bytes, NUL-terminated):
 * the names typed in queries, "title, topic, ..., published"; the
 * facets' names, "topic, provider, month".
 */
void ni_field_names(char *out, size_t size);
void ni_facet_names(char *out, size_t size);

/*
 * newsquery --help's list of fields, appended to `out`: each field's
 * examples (NAME: alone when it has none), a space between bare names
 * and two around examples, in lines that start with `indent` and end
 * before `width` columns.  NI_OK, or NI_ENOMEM.
 */
ni_status ni_field_usage(struct ni_buf *out, const char *indent,
			 size_t width);

#ifdef __cplusplus
}
#endif

#endif
