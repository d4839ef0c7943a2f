/*
 * render.h - how newsquery shows results: for a person, as JSON, or as
 * lines for pipes (paths, urls, tsv).
 */
#ifndef NEWSQUERY_RENDER_H
#define NEWSQUERY_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ni_search.h"
#include "ni_snippet.h"

enum render_format {
	FORMAT_TEXT = 0,   /* for a person (the default) */
	FORMAT_JSON,       /* one object, docs/json.md */
	FORMAT_PATHS,      /* one article file path per line */
	FORMAT_URLS,       /* one URL per line */
	FORMAT_TSV,        /* a header line, then one line per result */
	FORMAT_JSONL,      /* one JSON object per result, one a line */
	FORMAT_ATOM,       /* an Atom feed, newest first (atom.h) */
};

/* Everything about the page besides the results themselves. */
struct render_context {
	const char *query;       /* as the user typed it */
	unsigned offset;
	unsigned limit;
	double elapsed_ms;
	bool color;              /* ANSI styles; see ni_cli_use_color() */
	bool hyperlinks;         /* OSC 8 links around URLs */
	bool explain;            /* why each hit is there: a line (text),
				    columns (tsv) */
	bool null;               /* paths and URLs end with NUL, not \n */
	bool show_heat;          /* each hit's known heat (--sort heat) */
	bool terminal;           /* the output is a terminal */
	unsigned width;          /* wrap at this many columns; 0: never */
	const char *suggestion;  /* "did you mean" query, or NULL */
	/* One snippet per hit (borrowed), or NULL to show no excerpt. */
	const struct ni_snippet *snippets;
	unsigned facets;         /* bits 1u << NI_FACET_* that were asked */
	/* Shards of a stub left out (--allow-partial), as ni_db_missing()
	 * describes them; borrowed. */
	const char *const *missing;
	size_t n_missing;
	/* How the query was read (ni_parsed_query's notices), borrowed. */
	char *const *notices;
	size_t n_notices;
	/* The syntax error a lenient read fell back from, or NULL. */
	const struct ni_qparse_error *syntax_error;
};

/*
 * What there is to page through: "45 stories, 82 articles", or one number
 * when every story is one article (always so with --all); "about 1200
 * articles" for an estimate.  Numbers and words only: safe in HTML.
 */
void render_totals(FILE *out, const struct ni_results *results);

/*
 * Why a hit is where it is (docs/ranking.md), without a newline: "all
 * words · bm25 1.234 + quality 0.370 + recency 0.000 = 1.604".
 */
void render_explain(FILE *out, const struct ni_result *hit);

/* The format named `name` ("json", "paths", ...); false if none is. */
bool render_format_named(const char *name, enum render_format *out);

/* Results for a person: header, facets, then one block per hit. */
void render_text(FILE *out, const struct render_context *ctx,
		 const struct ni_results *results);

/* Results as one JSON object.  Returns false when out of memory. */
bool render_json(FILE *out, const struct render_context *ctx,
		 const struct ni_results *results);

/*
 * Results as JSON lines: each hit the object of render_json()'s
 * "results", one a line.  Returns false when out of memory.
 */
bool render_jsonl(FILE *out, const struct render_context *ctx,
		  const struct ni_results *results);

/*
 * One article as the server's /api/article shows it (docs/serving.md):
 * {"version": 1, "article": {...}, "related": [...]}, each record every
 * field `struct ni_docdata` has, `related` its related records.
 * Returns false when out of memory.
 */
bool render_json_article(FILE *out, const struct ni_docdata *article,
			 const struct ni_results *related);

/*
 * The code points of text[0, byte) as the JSON output counts them (each
 * byte that is not UTF-8 one, as U+FFFD), for offsets into a query.
 */
int64_t render_code_points(const char *text, size_t byte);

/*
 * Results as lines for pipes: FORMAT_PATHS, FORMAT_URLS or FORMAT_TSV,
 * with what could drive a terminal escaped (newsquery(1), OUTPUT).
 */
void render_lines(FILE *out, enum render_format format,
		  const struct render_context *ctx,
		  const struct ni_results *results);

#endif
