/*
 * render.h - how newsquery shows results: for a person, or as JSON.
 */
#ifndef NEWSQUERY_RENDER_H
#define NEWSQUERY_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "ni_search.h"

struct render_context {
	const char *query;     /* as the user typed it */
	unsigned offset;
	unsigned limit;
	double elapsed_ms;
	bool color;            /* ANSI bold/dim; see ni_cli_use_color() */
	unsigned width;        /* wrap excerpts at this many columns; 0: never */
};

/* Results for a person: header, then one block per hit. */
void render_text(FILE *out, const struct render_context *ctx,
		 const struct ni_results *results);

/*
 * Results as one JSON object (docs/json.md).  Returns false when out of
 * memory.
 */
bool render_json(FILE *out, const struct render_context *ctx,
		 const struct ni_results *results);

#endif
