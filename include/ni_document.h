/*
 * ni_document.h - the indexer: one article file, read and stored in the
 * index as one document.
 *
 * For one file the indexer reads it, parses its front matter
 * (ni_article.h), runs the title, excerpt and topics through the analyzer
 * (ni_analyzer.h) and writes one Xapian document (ni_xapian.h) under the
 * article's unique key: its webUrl, else its originalUrl, else the file's
 * absolute path.  Writing the same article again replaces it.
 *
 * A file that cannot be indexed (unreadable, too large, bad front matter,
 * gone since it was listed) is not an error of the indexer:
 * ni_indexer_add_file() says so in its result, with the kind of reason
 * (enum ni_skip, ni_parse_error.h), and the caller goes on with the next
 * file.  A file is opened without blocking and must be a regular file,
 * so a FIFO put in its place does not hang a build.  Only failures that
 * stop all indexing (the index cannot be written, memory ran out) are
 * returned as a status.
 *
 * Ownership: the indexer borrows the ni_db and ni_analyzer given to
 * ni_indexer_new(); both must outlive it.  Everything a result points to is
 * owned by the indexer and valid until its next call.
 */
#ifndef NI_DOCUMENT_H
#define NI_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ni_analyzer.h"
#include "ni_article.h"
#include "ni_parse_error.h"
#include "ni_status.h"
#include "ni_stamp.h"
#include "ni_xapian.h"

/* Files larger than this are skipped by default (a news article is KBs). */
#define NI_DEFAULT_MAX_FILE_BYTES (16u * 1024 * 1024)
/*
 * Words indexed per field (title, excerpt, all the topics together) by
 * default: far more than any article has, few enough that a 3 MB title
 * costs milliseconds.  The rest of the field is not indexed, and the
 * article gets a warning naming the field and the limit.
 */
#define NI_DEFAULT_MAX_FIELD_WORDS 10000

typedef struct ni_indexer ni_indexer;

struct ni_index_result {
	bool indexed;            /* false: the file was skipped */
	/* Why it was skipped: its kind (NI_SKIP_NONE when it was not),
	 * the place in the file (0 when none) ... */
	enum ni_skip skip;
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
	/* When indexed: its unique key, document id, related records. */
	const char *key;
	uint32_t docid;
	size_t n_related;
	/* When read (a key, or a parse failure): the stamp of the file
	 * read, the fstat(2) of the open file before reading and the hash
	 * of the bytes; `racy` false (for the caller to set). */
	struct ni_file_stamp read;
	/* Set by ni_build() (ni_builder.h), never by the indexer: the file
	 * was skipped, and the article the index had of it deleted. */
	bool dropped;
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
 * Index at most `words` words per field (0: NI_DEFAULT_MAX_FIELD_WORDS).
 * A related record's fields have the same limit.
 */
void ni_indexer_set_max_field_words(ni_indexer *indexer, size_t words);

/*
 * Index the article in the file at `path` (absolute, or resolved with
 * realpath()), and each of its related records that has a URL as an
 * article of its own (unless an article file has that URL: the file
 * wins; the parent's earlier records are replaced).  `stamp` (may be
 * NULL) is stored for incremental builds.  Returns NI_OK whether the file
 * was indexed or skipped (see result->indexed); any other status means
 * indexing cannot go on (NI_ENOMEM, or an index failure whose detail is
 * in ni_indexer_errmsg()).
 */
ni_status ni_indexer_add_file(ni_indexer *indexer, const char *path,
			      const struct ni_file_stamp *stamp,
			      struct ni_index_result *result);

/*
 * The two halves of ni_indexer_add_file(), for a caller that must see the
 * article's key before it is stored (to refuse a second file with the
 * same URL): ni_indexer_load() reads and parses the file (on success
 * result->key is set; a skipped file has it NULL and a reason), then
 * ni_indexer_store() writes it.  The result must be the same struct.
 */
ni_status ni_indexer_load(ni_indexer *indexer, const char *path,
			  struct ni_index_result *result);
ni_status ni_indexer_store(ni_indexer *indexer,
			   const struct ni_file_stamp *stamp,
			   struct ni_index_result *result);

/*
 * Read the file at `path` as ni_indexer_load() does, without parsing it,
 * and set `*stamp` as a load sets result->read.  NI_OK; NI_EIO when it
 * cannot be read (gone, unreadable, not a regular file, too large: the
 * load would skip it); NI_ENOMEM.
 */
ni_status ni_indexer_read_stamp(ni_indexer *indexer, const char *path,
				struct ni_file_stamp *stamp);

/*
 * Store `stamp` as the stamp of document `docid`, the article of the
 * file at `path` with the key `key` (the document's terms and other
 * values untouched): the next build compares it.  NI_OK, or an index
 * failure whose detail is in ni_indexer_errmsg().
 */
ni_status ni_indexer_restamp(ni_indexer *indexer, uint32_t docid,
			     const char *path, const char *key,
			     const struct ni_file_stamp *stamp);

/*
 * The article the last ni_indexer_load() read (result->key set), owned
 * by the indexer and valid until its next call; NULL when it read none.
 */
const struct ni_article *ni_indexer_article(const ni_indexer *indexer);

/*
 * Remove the article with document id `docid` and, when `key` (its key)
 * is not NULL, the related records of the article with that key: its
 * file is gone, or has another key.
 */
ni_status ni_indexer_remove(ni_indexer *indexer, uint32_t docid,
			    const char *key);

/*
 * The keys of the documents deleted since the last call: related
 * records deleted with their parent (indexed again, or removed), and
 * the keys given to ni_indexer_remove(), each ended by a NUL: `*len`
 * bytes at `*keys`, owned by the indexer and valid until this is called
 * again; the indexer's list is then empty.  A record several articles
 * list is kept once (ni_db_related_wins), and not at all while an
 * article file has its URL: when that record or article goes, another
 * article listing its key (NI_FILTER_LISTS) may now be the one whose
 * record should be there, and indexing that article again brings it
 * back (ni_builder does).  A key may be listed more than once, or be
 * back in the index already.
 */
void ni_indexer_take_lost(ni_indexer *indexer, const char **keys,
			  size_t *len);

/*
 * The detail of the last failure returned as a status.  Owned by the
 * indexer, valid until its next call.
 */
const char *ni_indexer_errmsg(const ni_indexer *indexer);

#endif
