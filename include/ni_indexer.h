/*
 * ni_indexer.h - read an article file and store it in the index.
 *
 * For one file the indexer reads it, parses its front matter
 * (ni_article.h), runs the title, excerpt and topics through the analyzer
 * (ni_analyzer.h) and writes one Xapian document (ni_xapian.h) under the
 * article's unique key: its webUrl, else its originalUrl, else the file's
 * absolute path.  Writing the same article again replaces it.
 *
 * A file that cannot be indexed (unreadable, too large, bad front matter)
 * is not an error of the indexer: ni_indexer_add_file() says so in its
 * result and the caller goes on with the next file.  Only failures that
 * stop all indexing (the index cannot be written, memory ran out) are
 * returned as a status.
 *
 * Ownership: the indexer borrows the ni_db and ni_analyzer given to
 * ni_indexer_new(); both must outlive it.  Everything a result points to is
 * owned by the indexer and valid until its next call.
 */
#ifndef NI_INDEXER_H
#define NI_INDEXER_H

#include <stdbool.h>
#include <stddef.h>

#include "ni_analyzer.h"
#include "ni_article.h"
#include "ni_status.h"
#include "ni_xapian.h"

/* Files larger than this are skipped by default (a news article is KBs). */
#define NI_DEFAULT_MAX_FILE_BYTES (16u * 1024 * 1024)

typedef struct ni_indexer ni_indexer;

struct ni_index_result {
	bool indexed;            /* false: the file was skipped */
	/* Why it was skipped: the place in the file (0 when none) ... */
	unsigned line;
	unsigned column;
	/* ... and the reason, e.g. "invalid YAML: did not find ..." */
	const char *reason;
	/* Problems that did not stop the article (fields dropped). */
	const struct ni_warning *warnings;
	size_t n_warnings;
	size_t n_warnings_dropped;
	/* Words too long to index, dropped from this article. */
	size_t n_words_dropped;
};

/*
 * Create an indexer writing to `db` (opened NI_DB_WRITE) with `analyzer`.
 * On NI_OK the caller frees `*out` with ni_indexer_free().
 */
ni_status ni_indexer_new(ni_db *db, ni_analyzer *analyzer,
			 ni_indexer **out);

void ni_indexer_free(ni_indexer *indexer);

/* Refuse files over `bytes` (default NI_DEFAULT_MAX_FILE_BYTES). */
void ni_indexer_set_max_file_bytes(ni_indexer *indexer, size_t bytes);

/*
 * Index the article in the file at `path`.  Returns NI_OK whether the file
 * was indexed or skipped (see result->indexed); any other status means
 * indexing cannot go on (NI_ENOMEM, or an index failure whose detail is in
 * ni_indexer_errmsg()).
 */
ni_status ni_indexer_add_file(ni_indexer *indexer, const char *path,
			      struct ni_index_result *result);

/*
 * The detail of the last failure returned as a status.  Owned by the
 * indexer, valid until its next call.
 */
const char *ni_indexer_errmsg(const ni_indexer *indexer);

#endif
