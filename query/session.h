/*
 * session.h - one search, as newsquery and its server run it: parse the
 * text (ni_qparse.h), build --like's query, run it (ni_search.h), make
 * the snippets, suggest a respelling, and give it to the renderer
 * (render.h).  The command line (newsquery.c) and the server's API and
 * page (api.c, page.c) all search through here, so `/api/search` is
 * `newsquery --json`, byte for byte.
 *
 * Nothing here prints: what went wrong is kept in the session, and
 * each caller says it in its own way (the CLI under a caret on stderr,
 * the server as a 400 in JSON).
 *
 * Ownership: the session borrows its options, text, index and analyzer
 * for its life; what it finds (the parsed query, results, snippets,
 * suggestion, error) it owns, until session_clear().
 */
#ifndef NEWSQUERY_SESSION_H
#define NEWSQUERY_SESSION_H

#include <stdbool.h>
#include <stdio.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_qparse.h"
#include "ni_search.h"
#include "ni_snippet.h"
#include "ni_xapian.h"
#include "options.h"
#include "render.h"

/* Stems that describe the article of --like. */
#define SESSION_LIKE_TERMS 30

struct session {
	/* Given (borrowed); set before session_run(). */
	const struct query_options *o;
	const char *text;          /* the query as typed; "" for --like only */
	ni_db *db;
	ni_analyzer *analyzer;
	/* The language to stem the query in, set on `db` first; NULL: as
	 * `db` is. */
	const char *language;
	unsigned snippet_columns;  /* session_snippet_columns() */
	bool count;                /* --count: no suggestion is looked for */
	/* --like may name a file, made absolute with realpath() (the
	 * command line's; a server looks nothing up on its disk). */
	bool like_files;

	/* Found by session_run(). */
	struct ni_parsed_query parsed;
	ni_query *like;
	ni_query *like_within;
	struct ni_results results;
	struct ni_snippet *snippets;  /* one per hit */
	struct ni_buf suggestion;     /* "did you mean", or empty */

	/* Why session_run() failed: `message` says it; `syntax` when the
	 * query did not parse (strict), with `where` the place; `option`
	 * the option at fault ("like", "lang"), else NULL. */
	bool syntax;
	struct ni_qparse_error where;
	const char *option;
	struct ni_buf message;
};

/* Columns of snippet for a terminal of `width` columns (0: not one). */
unsigned session_snippet_columns(unsigned width);

/*
 * Parse, run, and make the snippets (and, unless `count`, the
 * suggestion).  NI_OK, or the status of what failed, with
 * s->message (and s->syntax, s->option) saying it: NI_EQUERY for a
 * query that does not parse, NI_EINVAL for a --like that names no
 * article, NI_EDB_MODIFIED when a build committed twice meanwhile
 * (reopen the index and run a new session), another for the index.
 */
ni_status session_run(struct session *s);

/*
 * What the renderer needs of the session: the query as shown, the
 * page, the suggestion, snippets, facets asked for, notices.  The
 * caller adds what only it knows (colour, width, elapsed time).
 * Borrows from the session.
 */
void session_context(const struct session *s, struct render_context *ctx);

/*
 * The results as newsquery --json writes them (docs/json.md), to
 * `out`.  Without `paths`, what would show the server's disk is left
 * out: each result's `path` is null, and so is a `related_of` that is
 * a path (its parent had no URL); each missing shard is only "shard N".
 * That changes the results.  False when out of memory.
 */
bool session_json(FILE *out, struct session *s, bool paths);

/* Free what the session found, and its error; the given fields stay. */
void session_clear(struct session *s);

#endif
