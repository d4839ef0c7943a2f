/*
 * options.h - what one search asks, from the command line or from an
 * HTTP request: one table of the search's options, that newsquery's
 * flags (newsquery.c) and the server's query parameters (api.c,
 * page.c) both read, so that `--sort date` and `?sort=date` are parsed
 * by the same code, with the same ranges and the same words when they
 * are wrong.
 *
 * An option has a command-line name ("quality-weight") and, when
 * requests may give it, a parameter name ("quality_weight": the same
 * with "_"; "strict" for --strict-syntax).  Values are checked here;
 * the message of a bad one says what was wanted ("'x' is not
 * relevance, date, date-asc or quality") and the caller puts the name
 * before it ("--sort: ", "sort: ").
 *
 * Ownership: a struct query_options borrows its strings (`like`, the
 * value given); `language` is static (ni_language_stemmer()).  Nothing
 * here prints or exits.
 */
#ifndef NEWSQUERY_OPTIONS_H
#define NEWSQUERY_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "ni_buf.h"
#include "ni_config.h"
#include "ni_search.h"

/* Set by an option: the config file must not override it (and what
 * an output that cannot follow it refuses). */
enum query_given {
	QUERY_GIVEN_LIMIT = 1u << 0,
	QUERY_GIVEN_QUALITY_WEIGHT = 1u << 1,
	QUERY_GIVEN_BM25_K1 = 1u << 2,
	QUERY_GIVEN_BM25_B = 1u << 3,
	QUERY_GIVEN_HALF_LIFE = 1u << 4,
	QUERY_GIVEN_FEEDBACK = 1u << 5,
	QUERY_GIVEN_STRICT_SYNTAX = 1u << 6,
	QUERY_GIVEN_LANGUAGE = 1u << 7,
	QUERY_GIVEN_FACETS = 1u << 8,
	/* Not in the config file; known so that --format atom, which
	 * lists the newest first, can refuse them. */
	QUERY_GIVEN_SORT = 1u << 9,
	QUERY_GIVEN_OFFSET = 1u << 10,
	QUERY_GIVEN_RECENT = 1u << 11,
};

/* What one search asks, besides its text. */
struct query_options {
	struct ni_search_options search;
	const char *language;    /* a stemmer's name; NULL: the index's */
	const char *like;        /* --like: an article's URL or file */
	bool explain;            /* the text and TSV output show the score */
	bool strict_syntax;      /* refuse a query that does not parse */
	unsigned given;          /* bits of enum query_given */
};

/* The largest values of --limit and --offset a caller takes. */
struct query_bounds {
	unsigned long max_limit;
	unsigned long max_offset;
};

/* newsquery's: a page larger than 10,000 is surely a mistake. */
extern const struct query_bounds QUERY_CLI_BOUNDS;

/* The defaults: ni_search_options_init(), nothing else set. */
void query_options_init(struct query_options *o);

/*
 * Whether `name` is an option of the table: a command-line name
 * ("quality-weight") when `http` is false, else a parameter name
 * ("quality_weight").
 */
bool query_option_known(const char *name, bool http);

/*
 * Set the option `name` (as query_option_known() names it) from
 * `value`.  A flag (--recent, --no-feedback) takes NULL from the
 * command line; from a request every option has a value, a flag's
 * being a truth value: "", "1", "true", "on" or "yes" set it, "0",
 * "false", "off" or "no" clear it.  Numbers must be within `bounds`
 * (limit, offset) or the option's range.  `value` is borrowed for as
 * long as `o` is used (--like's).  False when `name` is not an option
 * or `value` is not one of its values: `problem` then gets what was
 * wrong, without the option's name ("'x' is not a whole number from 0
 * to 1000"); NI_ENOMEM is told so too ("out of memory").
 */
bool query_option_set(struct query_options *o, const char *name,
		      const char *value, bool http,
		      const struct query_bounds *bounds,
		      struct ni_buf *problem);

/*
 * The facets named in `list` ("topic,month", commas or spaces between
 * names) as bits 1u << NI_FACET_*.  False when a name is not a facet:
 * `problem` gets "'NAME' is not a facet (topic, provider, month)".
 */
bool query_facets_named(const char *list, unsigned *out,
			struct ni_buf *problem);

/*
 * The config file's values, where no option gave one (o->given).
 * False when the file's `facets` names no facet: `problem` then says
 * so, as query_facets_named() does, and the caller says where.
 */
bool query_options_configure(struct query_options *o,
			     const struct ni_config *config,
			     struct ni_buf *problem);

#endif
