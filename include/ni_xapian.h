/*
 * ni_xapian.h - newsindex's C interface to Xapian.
 *
 * This header is plain C with opaque handles; the files of lib/xapian/
 * are the only ones in the project that include <xapian.h>
 * (lib/xapian/internal.h says which file does what).  The index schema
 * (term prefixes, value slots and their encodings, metadata keys, the
 * schema version) is described once, in docs/schema.md, and named in
 * code in lib/xapian/internal.h and the field table (ni_fields.h);
 * callers speak in fields (NI_FIELD_TITLE) and filters
 * (NI_FILTER_TOPIC), never in prefixes, so the same table drives
 * indexing and querying.
 *
 * Errors: every fallible function returns an ni_status (ni_status.h).
 * Xapian exceptions never cross this interface: each function catches
 * them and maps each kind to its own status (a locked index is
 * NI_EDB_LOCKED, a corrupt one NI_EDB_CORRUPT, ...).  The detail text is
 * kept in the handle that failed and read with ni_db_errmsg() or
 * ni_doc_errmsg(); it stays valid until the next call on that handle.
 * The calls that have no handle to keep it (opening, closing, checking
 * and creating an index) append it to an ni_buf the caller gives.
 * Out-parameters are set to NULL (or 0) whenever a call fails.
 *
 * Ownership: each constructor (_new, _open, ni_query_*) returns an object the
 * caller frees with the matching _free or _close function; X_free(NULL) is a
 * no-op.  Strings passed in are borrowed for the call only and copied if
 * kept.  Strings handed out are owned by the object that returned them,
 * as each function says.
 *
 * Threads: a handle may be used by one thread at a time; separate handles
 * may be used from separate threads.
 */
#ifndef NI_XAPIAN_H
#define NI_XAPIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ni_status.h"

#ifdef __cplusplus
extern "C" {
/* Nothing is ever thrown through this interface. */
#define NI_NOEXCEPT noexcept
#else
#define NI_NOEXCEPT
#endif

typedef struct ni_db ni_db;        /* an open index */
typedef struct ni_doc ni_doc;      /* a document being built */
typedef struct ni_query ni_query;  /* an immutable query tree */
typedef struct ni_mset ni_mset;    /* one page of search results */
struct ni_search_params;

/* Free-text fields.  Every word of each is also searchable unqualified. */
enum ni_field {
	NI_FIELD_ANY = 0,    /* query side only: all text fields */
	NI_FIELD_TITLE,      /* the headline: weighted above the excerpt */
	NI_FIELD_EXCERPT,
	NI_FIELD_TOPIC,      /* topic names, as free text */
	NI_FIELD_COUNT
};

/*
 * Exact-match (boolean) filters: they select, they never score.  Their
 * prefixes, and whether their values are folded, are the field table's
 * (ni_fields.h).
 */
enum ni_filter {
	NI_FILTER_TOPIC = 0, /* a whole topic name */
	NI_FILTER_PROVIDER,  /* provider name */
	NI_FILTER_SITE,      /* provider domain */
	NI_FILTER_CATEGORY,
	NI_FILTER_TYPE,
	NI_FILTER_URL,       /* webUrl and originalUrl */
	NI_FILTER_PATH,      /* absolute path of the article's file */
	NI_FILTER_PUBLISHED, /* "true" or "false" */
	NI_FILTER_PARENT,    /* a related record: its parent article's key */
	NI_FILTER_RELATED,   /* "" on every related record */
	NI_FILTER_LISTS,     /* on an article: the key of each related
				record it lists (kept or not) */
	/*
	 * Written by the wrapper itself, so ni_doc_add_filter() refuses
	 * them (NI_EINVAL); they may be searched: the unique key
	 * (ni_db_replace), the stemmer of the document's stems
	 * (ni_doc_set_language), the story key's hash (ni_doc_set_story).
	 */
	NI_FILTER_KEY,
	NI_FILTER_STEMMER,
	NI_FILTER_STORY,
	NI_FILTER_COUNT
};

/*
 * Value slots.  Numbers are stored with Xapian's sortable_serialise()
 * (ni_doc_set_number), text as it is (ni_doc_set_text).
 */
enum ni_slot {
	NI_SLOT_QUALITY = 0,  /* 0..100; NI_DEFAULT_QUALITY when not given */
	NI_SLOT_DATE = 1,     /* publishedDateTime, seconds since the epoch */
	NI_SLOT_HEAT = 2,     /* as written */
	NI_SLOT_PROVIDER = 3, /* text: provider name as written (facets) */
	NI_SLOT_DAY = 4,      /* text: "YYYY-MM-DD", the UTC day published
				 (month facets, recency) */
	NI_SLOT_TOPICS = 5,   /* text: the topics as written, each followed
				 by NI_TOPIC_SEPARATOR (topic facets) */
	NI_SLOT_STORY = 6,    /* text: the story key (ni_doc_set_story) */
	NI_SLOT_FILE = 7,     /* text: where an article file's document came
				 from, for incremental builds (ni_builder) */
	NI_SLOT_ORDER = 8,    /* 8 bytes, set by ni_db_replace: the order of
				 documents of equal score (a hash of the
				 key), the same whatever the build order,
				 writers or shards */
};

/* Ends each topic in NI_SLOT_TOPICS: a control character no topic has. */
#define NI_TOPIC_SEPARATOR '\x1f'

/* Metadata keys the wrapper writes when it creates an index. */
#define NI_META_SCHEMA "newsindex.schema"
#define NI_META_ANALYZER "newsindex.analyzer"
#define NI_META_STEMMER "newsindex.stemmer"
/*
 * Stories that may have copies, kept by the writer at each commit, so
 * that a search need not look up, for each story it shows or samples,
 * whether it has more than one document (docs/schema.md): a bitmap,
 * byte 0 its format (NI_STORY_COPIES_FORMAT), byte 1 the base-2
 * logarithm L of its number of bits (16 to 32), then the 2^L bits,
 * bit i as the (i % 8)-th least significant bit of byte 2 + i / 8.  The
 * story with the key K (NI_SLOT_STORY's 16 hex digits, a 64-bit number)
 * has bit (K * NI_STORY_COPIES_MIX mod 2^64) >> (64 - L).  A story with
 * two documents or more always has its bit set; a bit may be set for a
 * story with one (another story's, or one that had copies once).  Of a
 * sharded index, each shard's map is of its own documents.  A reader
 * that finds no map, or one of another format, looks each story up.
 */
#define NI_META_STORY_COPIES "newsindex.story_copies"
#define NI_STORY_COPIES_FORMAT 1
#define NI_STORY_COPIES_MIX 0x9e3779b97f4a7c15ULL

/*
 * The document table, kept by the writer in the same commit as the
 * documents it describes, so that a search reads a byte for each match
 * where it read a value (docs/schema.md, "The document table"):
 * NI_META_DOC_TABLE holds "FORMAT IDS UUID REVISION" (format
 * NI_DOC_TABLE_FORMAT, IDS document ids a chunk, the index's UUID and
 * the revision of the commit that wrote it; a reader of another
 * revision or UUID ignores the table), and NI_META_DOC_TABLE + ".K"
 * the bytes of ids K * IDS + 1 to (K + 1) * IDS, one a document:
 * NI_DOC_STORY_SHARED set when its story may have copies, and in the
 * bits below it its quality when a whole number from 0 to 100,
 * NI_DOC_QUALITY_NONE without one, NI_DOC_QUALITY_READ when the value
 * is to be read.  A missing byte or chunk reads as NI_DOC_UNKNOWN.
 * NI_META_DOC_SHARED + ".K", written with chunk K, holds its
 * NI_DOC_STORY_SHARED bits alone, IDS / 8 bytes (fewer for a shorter
 * chunk): bit i (byte i / 8, value 1 << i % 8) is that of byte i, a
 * byte past the chunk's end counting as NI_DOC_UNKNOWN; what a count
 * of stories reads, an eighth of the bytes.  Format 1 had no bitmap.
 */
#define NI_META_DOC_TABLE "newsindex.doc_table"
#define NI_META_DOC_SHARED "newsindex.doc_shared"
#define NI_DOC_TABLE_FORMAT 2
#define NI_DOC_STORY_SHARED 0x80
#define NI_DOC_QUALITY_NONE 101
#define NI_DOC_QUALITY_READ 127
#define NI_DOC_UNKNOWN 0xff

/* The quality an article without one is ranked with: the middle. */
#define NI_DEFAULT_QUALITY 50.0

/*
 * The share of the query's best relevance that 100 points of quality add
 * at quality_weight 1 (docs/ranking.md): quality_part = quality_weight *
 * NI_QUALITY_SHARE * best * quality / 100.
 */
#define NI_QUALITY_SHARE 0.1

enum ni_db_mode {
	NI_DB_READ = 0,      /* open an existing index for searching */
	NI_DB_WRITE = 1,     /* open or create an index for writing */
	NI_DB_READ_PARTIAL = 2, /* as NI_DB_READ, but a stub's shards that
				   cannot be opened are left out
				   (ni_db_missing) */
	NI_DB_REBUILD = 3,   /* as NI_DB_WRITE, but an index of another
				schema version or analyzer is opened too
				(and shards out of their place), so that
				`newsindex build --rebuild` can read its
				settings and sources, and hold its lock
				while it builds its replacement: nothing is
				written to it, not even at ni_db_close() */
	NI_DB_PART = 4,      /* as NI_DB_WRITE, for a temporary part of a
				first build (ni_build), which a build
				killed before the merge starts over: its
				commits are not synced to disk, and the
				spelling data of its words is added once,
				at ni_db_close(), not at each commit */
};

/* ---- opening and closing -------------------------------------------- */

/*
 * Open the index at `path`.  NI_DB_WRITE creates it (but not its parent
 * folders) when missing and records the schema version and `analyzer`
 * (ni_analyzer_settings()) in its metadata.  Either mode refuses, with
 * NI_EDB_SCHEMA, an index recorded with another schema version or other
 * analyzer settings (but NI_DB_REBUILD), and a folder that is a Xapian
 * index but not ours.
 *
 * On NI_OK `*out` is an open index the caller closes with ni_db_close().
 * On failure `*out` is NULL and, when `errmsg` (an ni_buf) is not NULL,
 * the message is appended to it (nothing if out of memory), e.g.
 * "index is locked by another writer: /path (Unable to get write lock...)".
 *
 * Sharded indexes: for reading, `path` may be a Xapian stub file (a
 * regular file, docs/scaling.md) listing one shard a line ("auto PATH",
 * "glass PATH", "remote HOST:PORT", "remote :PROG ARGS"; "#" starts a
 * comment; a relative PATH is relative to the stub's folder), or a
 * sharded index's folder holding one, named XAPIANDB
 * (ni_db_create_sharded).  Each shard is opened and its schema and
 * analyzer checked on its own, then all are searched as one, with
 * statistics merged by Xapian.  A message then names the shard: "shard
 * 2 of STUB (line 3), remote HOST:PORT: ...".  With NI_DB_READ_PARTIAL,
 * shards that cannot be opened are left out and listed by
 * ni_db_missing(); a schema mismatch, another program's database
 * (NI_EDB_FOREIGN) or a malformed line still fails, and so does a stub
 * none of whose shards opens.  A remote shard that
 * fails later, during a search, fails that search (NI_ENETWORK); Xapian
 * does not say which shard it was.
 *
 * For writing, `path` may be a sharded index's folder: each shard is
 * opened for writing (all local; a remote one is refused with NI_EINVAL,
 * and so is a shard out of its place, see ni_db_create_sharded); a
 * shard folder that is missing is created empty.  Every write then goes
 * where it belongs: a document to the shard of its key's hash, a
 * deletion by key to that shard, a deletion by filter and metadata to
 * every shard; the document ids given and taken are those of the shards
 * searched as one.  A stub file itself is refused for writing
 * (NI_EDB_OPENING): its shards may be anywhere.
 */
struct ni_buf;
ni_status ni_db_open(const char *path, enum ni_db_mode mode,
		     const char *analyzer, ni_db **out,
		     struct ni_buf *errmsg) NI_NOEXCEPT;

/*
 * The shards of a stub left out when it was opened with
 * NI_DB_READ_PARTIAL: how many, and the i-th as "shard N of STUB (line
 * L), ENTRY: cause" (owned by `db`, NULL when i is out of range).
 */
size_t ni_db_missing_count(const ni_db *db) NI_NOEXCEPT;
const char *ni_db_missing(const ni_db *db, size_t i) NI_NOEXCEPT;

/* One shard of a stub, as ni_db_shard_info() describes it. */
struct ni_shard_info {
	const char *name;    /* "shard N of STUB (line L), ENTRY" */
	const char *local;   /* its folder; NULL for a remote shard */
	uint64_t docs;       /* documents, related records included */
	uint64_t related;    /* related records */
};

/*
 * The shards of a stub that opened (or of a sharded index open for
 * writing), in the stub's order: how many (0 for one index, not a
 * stub), and the i-th.  The strings are owned by `db`.
 * NI_EINVAL when i is out of range; a remote shard may fail to answer
 * (NI_ENETWORK; ni_db_errmsg() says why).
 */
size_t ni_db_shard_count(const ni_db *db) NI_NOEXCEPT;
ni_status ni_db_shard_info(ni_db *db, size_t i, struct ni_shard_info *out)
	NI_NOEXCEPT;

/*
 * Close the index, committing pending changes first when it was opened
 * for writing.  Returns the commit's status (the handle is freed either
 * way; the message, if any, is appended to `errmsg` as for ni_db_open).
 * NULL is a no-op returning NI_OK.
 */
ni_status ni_db_close(ni_db *db, struct ni_buf *errmsg) NI_NOEXCEPT;

/*
 * Choose the language `db` stems in: a Xapian Snowball stemmer's name
 * ("german"), or "none" (ni_language_stemmer() maps language codes to
 * these).  A new index stems in the default language it records
 * (newsindex.stemmer, "english" when created), until this is called.
 *
 * On an index open for reading it is the language of query words
 * (ni_query_word, ni_db_stem); documents stemmed in another one are
 * still found by the exact forms of their words.  On an index open for
 * writing it is also the default of documents without a language of
 * their own (ni_doc_set_language), recorded in the index: an index that
 * has documents and records another default is refused with
 * NI_EDB_SCHEMA ("index PATH was built with default language "english",
 * not "german""), because its articles without a language would be
 * stemmed differently from one build to the next.  NI_EINVAL for a name
 * that is no stemmer (ni_db_errmsg() says which).
 */
ni_status ni_db_set_language(ni_db *db, const char *language) NI_NOEXCEPT;

/* The stemmer's name ni_db_set_language() chose, or the index's default.
 * Owned by `db`, valid until the next ni_db_set_language(). */
const char *ni_db_language(const ni_db *db) NI_NOEXCEPT;

/* The path the index was opened with.  Owned by `db`. */
const char *ni_db_path(const ni_db *db) NI_NOEXCEPT;

/*
 * The detail of the last failure on `db`, e.g. "DatabaseLockError: ...".
 * Owned by `db`, valid until the next call on it; "" when none.
 */
const char *ni_db_errmsg(const ni_db *db) NI_NOEXCEPT;

/*
 * Check the index at `path`: Xapian's own consistency check of its tables,
 * then ours: every document has one unique key, no key is on two
 * documents, every related record's parent is there, the document
 * table (NI_META_DOC_TABLE), when a search would read it, says what
 * the documents' values say.  A shard of a
 * sharded index newsindex built is checked as an index, and for keys
 * its hash does not place there; its related records are not (their
 * parent may be in another shard).  A stub (file or sharded folder) is
 * checked as a whole: keys and related records over all its shards,
 * whose tables are each shard's to check.  `*problems` gets
 * how many were found, and `report` (an ni_buf) a line for each.
 * NI_OK means the check ran (look at *problems); other statuses that it
 * could not (NI_EDB_NOT_FOUND, NI_EDB_SCHEMA, ...), with `errmsg` as for
 * ni_db_open().
 */
ni_status ni_db_check(const char *path, const char *analyzer,
		      uint64_t *problems, struct ni_buf *report,
		      struct ni_buf *errmsg) NI_NOEXCEPT;

/*
 * Write a compacted copy of the open index `db` to `dest` (a folder that
 * must not exist yet): smaller, and faster to search.  A sharded index
 * (open for writing) is copied shard by shard, in parallel, to a sharded
 * index of its own at `dest` (shard-1, ... and XAPIANDB).
 */
ni_status ni_db_compact_to(ni_db *db, const char *dest) NI_NOEXCEPT;

/*
 * Create an empty sharded index of `n` shards (2 or more) at `path`, a
 * folder that must not exist, or be empty: XAPIANDB, the stub file Xapian and
 * newsquery open, lists shard-1 ... shard-N, each an index of its own
 * recording `analyzer` and its place ("K/N").  A document goes to shard
 * (FNV-1a 64 of its key) mod N, from 0, so the shards must stay in
 * their order and number.  Made in PATH.creating-PID and renamed, so
 * never seen half made; when another process made `path` meanwhile,
 * NI_OK (open it and look).  Errors as for ni_db_open().
 */
ni_status ni_db_create_sharded(const char *path, size_t n,
			       const char *analyzer,
			       struct ni_buf *errmsg) NI_NOEXCEPT;

/*
 * Replace the contents of the open, writable index `db` (with no
 * documents) by the documents of the index folders `parts` (written in
 * parallel, then closed), merged with Xapian's compaction; `db` is then
 * open on the merged index.  For a sharded `db`, each part is a sharded
 * index of as many shards (ni_db_create_sharded), and shard K of all
 * the parts is merged into shard K, the shards in parallel.  The parts
 * stay; remove them with ni_db_remove_folder().  Metadata comes from the
 * first part.  It works in the folders FOLDER.merged and FOLDER.empty
 * beside the index (or each shard), which a process killed meanwhile
 * leaves behind: ni_db_remove_leftovers() removes them.
 */
ni_status ni_db_adopt_parts(ni_db *db, const char *const *parts,
			    size_t n) NI_NOEXCEPT;

/* Remove what a killed ni_db_adopt_parts() left beside `db` (open for
 * writing, so that nobody else is merging). */
ni_status ni_db_remove_leftovers(ni_db *db) NI_NOEXCEPT;

/*
 * A sharded index commits shard after shard: a build killed between two
 * commits leaves some shards a batch ahead (each records its batch), and
 * may leave related records whose parent article's deletion was
 * committed in another shard.  When the shards of `db` (open for
 * writing) were opened at different batches, `*torn` (may be NULL) is
 * set and those orphans are deleted; otherwise nothing is done.
 * *removed counts the records deleted.
 *
 * Torn shards have lost writes that no document tells (a related record
 * listed by an article committed in another shard, the deletion of one
 * it no longer lists): every article file is to be indexed again.  Until
 * ni_db_shards_settled() says so, commits keep each shard's batch, so a
 * build killed before the end leaves the index torn for the next.
 * (Articles written in one shard and not yet removed from another are
 * found twice by the builder, which indexes their file again.)
 */
ni_status ni_db_repair_shards(ni_db *db, uint64_t *removed,
			      bool *torn) NI_NOEXCEPT;

/* Every article file of torn shards (ni_db_repair_shards) has been
 * indexed again: the next commit records one batch in every shard. */
void ni_db_shards_settled(ni_db *db) NI_NOEXCEPT;

/*
 * Where a unique key ended up on several documents (parts written in
 * parallel each stored a related record with the same URL, or a related
 * record and an article file), keep one: the article file's, else the
 * related record ni_db_related_wins() prefers; delete the others.  *removed counts them.  (In a sharded index
 * a key's documents are all in its shard.)
 */
ni_status ni_db_dedupe_keys(ni_db *db, uint64_t *removed) NI_NOEXCEPT;

/* Remove the folder `path` and all it holds (a temporary part); a
 * missing folder is not an error. */
ni_status ni_db_remove_folder(const char *path) NI_NOEXCEPT;

/* ---- writing ---------------------------------------------------------- */

/*
 * Start a new, empty document for `db` (which supplies the stemmer: its
 * language, ni_db_set_language(), unless ni_doc_set_language() says).
 * The caller frees it with ni_doc_free(), after ni_db_replace() or not.
 */
ni_status ni_doc_new(ni_db *db, ni_doc **out) NI_NOEXCEPT;
void ni_doc_free(ni_doc *doc) NI_NOEXCEPT;
const char *ni_doc_errmsg(const ni_doc *doc) NI_NOEXCEPT;

/*
 * Stem the words `doc` is given from now on in `language` (a stemmer's
 * name, as for ni_db_set_language(), "none" for none), and record it in
 * the document.  Call it before the first ni_doc_add_word().  NI_EINVAL
 * for a name that is no stemmer.
 */
ni_status ni_doc_set_language(ni_doc *doc, const char *language) NI_NOEXCEPT;

/*
 * Add one analyzed word (from ni_analyzer) of `field` at the next position.
 * The wrapper adds the word and its stem under that field's prefixes and
 * unprefixed, with the field's weight.  Words are given in text order.
 */
ni_status ni_doc_add_word(ni_doc *doc, enum ni_field field,
			  const char *word, size_t len) NI_NOEXCEPT;

/*
 * Add another form of the word just added (a token marked `also` by the
 * analyzer: "ecommerce" after "e", "commerce") at that word's position,
 * with its stem, as ni_doc_add_word() would.
 */
ni_status ni_doc_add_form(ni_doc *doc, enum ni_field field,
			  const char *word, size_t len) NI_NOEXCEPT;

/*
 * End a run of text: the next word starts a gap of positions later, so a
 * phrase never matches across a field (or topic) boundary.
 */
ni_status ni_doc_end_text(ni_doc *doc) NI_NOEXCEPT;

/*
 * Add an exact-match filter term.  Over-long values are hashed.  One the
 * wrapper writes itself (NI_FILTER_KEY, _STEMMER, _STORY) is NI_EINVAL.
 */
ni_status ni_doc_add_filter(ni_doc *doc, enum ni_filter filter,
			    const char *value, size_t len) NI_NOEXCEPT;

/* Set a numeric value slot. */
ni_status ni_doc_set_number(ni_doc *doc, enum ni_slot slot, double value) NI_NOEXCEPT;

/* Set a text value slot (NI_SLOT_PROVIDER, NI_SLOT_DAY, NI_SLOT_TOPICS). */
ni_status ni_doc_set_text(ni_doc *doc, enum ni_slot slot, const char *value,
			  size_t len) NI_NOEXCEPT;

/*
 * Set the story key: articles with the same key are copies of one story
 * (a wire story reprinted under the same headline), shown once in
 * results unless the search asks for every copy.  Over-long keys are
 * hashed.
 */
ni_status ni_doc_set_story(ni_doc *doc, const char *key,
			   size_t len) NI_NOEXCEPT;

/* Set the document data (opaque bytes; the caller defines the format). */
ni_status ni_doc_set_data(ni_doc *doc, const char *data, size_t len) NI_NOEXCEPT;

/*
 * Store `doc` as the one document whose unique key is `key` (a URL or a
 * path), replacing any document with that key, so indexing the same
 * article twice never duplicates it.  `*docid` (when not NULL) receives
 * the document's id: the replaced one's when there was one.  `doc` can
 * be freed afterwards.
 */
ni_status ni_db_replace(ni_db *db, const char *key, ni_doc *doc,
			uint32_t *docid) NI_NOEXCEPT;

/* Delete the document with unique key `key`, if there is one. */
ni_status ni_db_delete(ni_db *db, const char *key) NI_NOEXCEPT;

/* Delete document `docid`, if it exists. */
ni_status ni_db_delete_docid(ni_db *db, uint32_t docid) NI_NOEXCEPT;

/*
 * Set a text value slot of the stored document `docid`, its terms and
 * other values untouched (a build's file stamp, NI_SLOT_FILE, once the
 * file is known to be unchanged).  NI_EXAPIAN_OTHER when there is no
 * such document.
 */
ni_status ni_db_set_text(ni_db *db, uint32_t docid, enum ni_slot slot,
			 const char *value, size_t len) NI_NOEXCEPT;

/*
 * The articles listing the related URL `key` (NI_FILTER_LISTS) whose
 * record of it a first build would hold rather than what the index has
 * (ni_db_related_wins): every one when no document has that key; when
 * a related record has it, those whose key comes first (an article
 * whose key is kept only as a hash, too); none when an article file
 * has it.  Their ids in a malloc()ed array the caller frees (NULL when
 * there are none), *n of them.
 */
ni_status ni_db_listers_ahead(ni_db *db, const char *key, uint32_t **ids,
			      size_t *n) NI_NOEXCEPT;

struct ni_buf;

/*
 * Append to `keys` (each ended by a NUL) every key that an article lists
 * (NI_FILTER_LISTS) and no document has, or a related record has while
 * several articles list it: related records lost with their parent or
 * with an article file, and not brought back (a build stopped before it
 * could), or written by a parent that may not come first (give each to
 * ni_db_listers_ahead).  Reads every NI_FILTER_LISTS term: for a
 * build's recovery, not for every build.
 */
ni_status ni_db_unkept_related(ni_db *db, struct ni_buf *keys) NI_NOEXCEPT;

/*
 * As ni_db_delete_filtered(), and append the unique key of each document
 * deleted to `keys`, each ended by a NUL (a key too long to be a term
 * whole, kept only as a hash, is left out).
 */
ni_status ni_db_delete_filtered_keys(ni_db *db, enum ni_filter filter,
				     const char *value, size_t len,
				     struct ni_buf *keys) NI_NOEXCEPT;

/* Delete every document that has the filter value (related records of a
 * parent: NI_FILTER_PARENT and the parent's key). */
ni_status ni_db_delete_filtered(ni_db *db, enum ni_filter filter,
				const char *value, size_t len) NI_NOEXCEPT;

/*
 * Whether the related record with unique key `key` listed by the article
 * with key `parent` is to be written (`*wins`): not when an article file
 * has that key, nor when a related record listed by a parent whose key
 * comes first (as its NI_FILTER_PARENT term, byte by byte) has it.
 * Several articles may list the same URL; the record kept must not
 * depend on the order they were indexed in, the writers of a parallel
 * build or the shards (ni_db_dedupe_keys keeps the same one).
 */
ni_status ni_db_related_wins(ni_db *db, const char *key, const char *parent,
			     bool *wins) NI_NOEXCEPT;

/*
 * The id of the document with unique key `key` in `*docid`, 0 when there
 * is none; `*related` (may be NULL) says whether it is a related record
 * (has NI_FILTER_RELATED).
 */
ni_status ni_db_find(ni_db *db, const char *key, uint32_t *docid,
		     int *related) NI_NOEXCEPT;

/* How many documents have the filter value. */
ni_status ni_db_filter_count(ni_db *db, enum ni_filter filter,
			     const char *value, size_t len,
			     uint64_t *count) NI_NOEXCEPT;

/*
 * Append the data of document `docid` (ni_doc_set_data) to `out`.
 * NI_EINVAL when there is no such document.
 */
ni_status ni_db_doc_data(ni_db *db, uint32_t docid,
			 struct ni_buf *out) NI_NOEXCEPT;

/*
 * An iterator over the documents that have a value in `slot`, in docid
 * order: ni_values_next() gives each document's id and value (owned by
 * the iterator, valid until the next call) and returns NI_OK, then
 * NI_DONE at the end, or an error.  Free with ni_values_free().
 */
typedef struct ni_values ni_values;
ni_status ni_db_values(ni_db *db, enum ni_slot slot,
		       ni_values **out) NI_NOEXCEPT;
ni_status ni_values_next(ni_values *values, uint32_t *docid,
			 const char **value, size_t *len) NI_NOEXCEPT;
void ni_values_free(ni_values *values) NI_NOEXCEPT;

/*
 * Make everything written so far durable and visible to readers.  When
 * nothing was written since the last commit (no document written or
 * deleted, no metadata changed), nothing is done: the index keeps its
 * revision, so readers that watch it (a feed's ETag, a page's
 * /api/events) are not told of a change that is not there.
 */
ni_status ni_db_commit(ni_db *db) NI_NOEXCEPT;

/*
 * Move the words `from` (a part, NI_DB_PART) wrote, whose spelling data
 * it has not added yet, to the part `to` (of as many shards), which adds
 * them with its own at ni_db_close(): the spelling data of a build is
 * then written once, not once per part and again by the merge.
 */
ni_status ni_db_give_words(ni_db *from, ni_db *to) NI_NOEXCEPT;

/* ---- reading ---------------------------------------------------------- */

/* Number of documents in the index. */
ni_status ni_db_doc_count(ni_db *db, uint64_t *count) NI_NOEXCEPT;

/*
 * Read metadata `key` (one of the wrapper's documented keys or a key the
 * application owns under "app.").  `*value` is a string the caller frees
 * with free(); "" when the key is not set.
 */
ni_status ni_db_get_metadata(ni_db *db, const char *key, char **value) NI_NOEXCEPT;
/* Set metadata `key` to `value` ("" removes it); the same value again is
 * no change.  It replaces a value set with ni_db_set_metadata_with(). */
ni_status ni_db_set_metadata(ni_db *db, const char *key, const char *value) NI_NOEXCEPT;
/*
 * Set metadata `key` to `value` with the next commit that writes
 * anything else, and not before: a mark that must go with the first
 * batch of a change ("this build has not finished") but is no change on
 * its own.  Until then ni_db_get_metadata() reads the value before.
 */
ni_status ni_db_set_metadata_with(ni_db *db, const char *key,
				  const char *value) NI_NOEXCEPT;

/*
 * Read the newest revision of `db` (open for reading) when a build
 * committed since it was opened or last reopened; `*changed` says
 * whether it did.  Cheap when nothing changed: Xapian reads the index's
 * version file (a remote shard is asked over the network).  Queries
 * made before stay usable.  NI_EINVAL for an index open for writing;
 * the index's errors (NI_EDB_OPENING when it is gone) leave `db` as
 * it was.
 */
ni_status ni_db_reopen(ni_db *db, bool *changed) NI_NOEXCEPT;

/*
 * The revision `db` reads: Xapian's, one more at each commit of a
 * build.  `*known` is false for a stub of shards (each has its own).
 */
ni_status ni_db_revision(ni_db *db, uint64_t *revision,
			 bool *known) NI_NOEXCEPT;

/*
 * Xapian's UUID of the index `db` reads, made when the index was: an
 * index built again (build --rebuild, compact: a new index swapped in)
 * has another, where its revisions start again from 1.  For a stub of
 * shards, theirs joined by ':'.  `*uuid`: caller frees with free();
 * NULL on failure.
 */
ni_status ni_db_uuid(ni_db *db, char **uuid) NI_NOEXCEPT;

/*
 * The words of the index that start with `prefix` (`len` bytes, a
 * folded analyzer word or the start of one), as any field has them:
 * the `max_words` in the most documents, most first (then in byte
 * order), each appended to `words` with a NUL after it, and its number
 * of documents in docs[i] (room for `max_words`); `*n` of them.  Every
 * word with the prefix is read: give a prefix of a few characters.
 */
ni_status ni_db_complete(ni_db *db, const char *prefix, size_t len,
			 unsigned max_words, struct ni_buf *words,
			 uint64_t *docs, size_t *n) NI_NOEXCEPT;

/* ---- queries ---------------------------------------------------------- */

/* How ni_query_combine() joins its parts. */
enum ni_query_op {
	NI_QOP_AND = 0,   /* all parts match; weights add up */
	NI_QOP_OR,        /* any part matches */
	NI_QOP_AND_NOT,   /* the first part, without documents of the rest */
	NI_QOP_FILTER,    /* the first part, restricted by the rest (no weight) */
	NI_QOP_AND_MAYBE, /* the first part; the rest only add weight */
};

/*
 * Query constructors.  Each returns a new query the caller frees with
 * ni_query_free() (the parts given to ni_query_combine() stay the
 * caller's: they are copied).  Failures: NI_ENOMEM, NI_EINVAL (a NULL
 * query or array of parts among them); no message.
 */

/* A word (from ni_analyzer) in `field`, matching any form with its stem. */
ni_status ni_query_word(ni_db *db, enum ni_field field, const char *word,
			size_t len, ni_query **out) NI_NOEXCEPT;

/* The exact, unstemmed words, adjacent and in order. */
ni_status ni_query_phrase(ni_db *db, enum ni_field field,
			  const char *const *words, const size_t *lens,
			  size_t n_words, ni_query **out) NI_NOEXCEPT;

/* The exact, unstemmed word in `field` (a quoted single word). */
ni_status ni_query_exact_word(ni_db *db, enum ni_field field,
			      const char *word, size_t len,
			      ni_query **out) NI_NOEXCEPT;

/*
 * What the parse of one query looked up in an index: the number of
 * documents of each term and the words each prefix stands for, so that
 * reading the query again (as ni_qparse does to fit its bounds) looks
 * each up once.  For one ni_db and one parse: the index's changes since
 * are not seen through it.  Caller frees with ni_lookups_free()
 * (NULL is a no-op); NULL when out of memory.
 */
typedef struct ni_lookups ni_lookups;
ni_lookups *ni_lookups_new(void) NI_NOEXCEPT;
void ni_lookups_free(ni_lookups *lookups) NI_NOEXCEPT;

/*
 * Any word of `field` that starts with `prefix` (already folded), as one
 * word (Xapian's OP_SYNONYM, as its wildcards): at most `max_words`
 * words, the most frequent in the index when more start so.
 * `*n_words` is how many start so (so the caller can say when some were
 * left out); none is an empty match, not an error.  `lookups` (may be
 * NULL; borrowed) remembers the words and their frequencies.  NI_EINVAL
 * for a field without words of its own, with the message in
 * ni_db_errmsg().
 */
ni_status ni_query_prefix(ni_db *db, enum ni_field field, const char *prefix,
			  size_t len, unsigned max_words, ni_lookups *lookups,
			  unsigned *n_words, ni_query **out) NI_NOEXCEPT;

/*
 * The parts within `window` positions of each other, in any order
 * (Xapian's OP_NEAR); the parts must be words or exact words.
 */
ni_status ni_query_near(const ni_query *const *parts, size_t n,
			unsigned window, ni_query **out) NI_NOEXCEPT;

/*
 * The parts in this order, each at a later position than the one before,
 * all within `window` positions (Xapian's OP_PHRASE with a window); the
 * parts must be exact words or ORs of exact words.
 */
ni_status ni_query_ordered(const ni_query *const *parts, size_t n,
			   unsigned window, ni_query **out) NI_NOEXCEPT;

/* `query` with its weight multiplied by `factor` (>= 0). */
ni_status ni_query_scale(const ni_query *query, double factor,
			 ni_query **out) NI_NOEXCEPT;

/* Every document, with no weight: the base of a query of filters only. */
ni_status ni_query_match_all(ni_query **out) NI_NOEXCEPT;

/*
 * Append the stem of `word` (an analyzer word) as this index stems it, to
 * `out` (an ni_buf): the word itself when such words are not stemmed.
 */
struct ni_buf;
ni_status ni_db_stem(ni_db *db, const char *word, size_t len,
		     struct ni_buf *out) NI_NOEXCEPT;

/*
 * Articles like the one whose unique key (URL) or file path is `key`:
 * the `n_terms` stems that best tell it apart (Xapian's expand set from a
 * relevance set of that one article), ORed, without the article itself.
 * NI_EINVAL, with the message in ni_db_errmsg(), when no article has that
 * key or path.
 */
ni_status ni_query_like(ni_db *db, const char *key, unsigned n_terms,
			ni_query **out) NI_NOEXCEPT;

/*
 * Pseudo-relevance feedback, RM3 (docs/ranking.md): the relevance model of
 * the top `n_docs` matches (ranked by BM25 with `params`' k1 and b) of
 * `all_words` when it has that many (the strict tier: an OR of a few
 * words ranks every match, where an AND skips most; NULL: none), else
 * of `query`: P(t|R) = the sum over those documents D of score(D) / the sum
 * of their scores * wdf(t, D) / the wdf of all D's stems, over stems of
 * every text field in at most a tenth of the index's documents; the
 * `n_terms` most probable, renormalised to sum to 1.  `*out` ORs them,
 * each scaled by lambda / (1 - lambda) * (the distinct stems in `query`,
 * at least 1) * P(t|R): joined to the query (each stem of which weighs 1),
 * feedback is `lambda` of the weight of both.  `*out` is NULL when
 * nothing is left (no match, or only common stems); NI_EINVAL when
 * `query` is NULL or `lambda` is not between 0 and 1.
 *
 * `params` are those of the page that the feedback query will rank
 * (joined to `all_words` with NI_QOP_AND_MAYBE): when that page is
 * ranked by one walk of its matches, on a reader of one local index,
 * the best documents come from a walk of every match of `all_words`
 * with its score, kept on `db` until its next search begins
 * (ni_db_forget_walks()); the page's walk takes the words' scores from
 * it, bit for bit Xapian's, rather than walking them again.  With a
 * limit of 0, Xapian searches for the best documents alone.
 */
ni_status ni_query_feedback(ni_db *db, const ni_query *query,
			    const ni_query *all_words,
			    const struct ni_search_params *params,
			    unsigned n_docs, unsigned n_terms, double lambda,
			    ni_query **out) NI_NOEXCEPT;

/*
 * Append to `out` the spelling correction Xapian's spelling data offers
 * for `word` (an analyzer word), within `max_edits` edits; nothing when it
 * has none (the word is known, or nothing is close).
 */
ni_status ni_db_spelling(ni_db *db, const char *word, size_t len,
			 unsigned max_edits,
			 struct ni_buf *out) NI_NOEXCEPT;

/* An exact filter value, as ni_doc_add_filter() stored it. */
ni_status ni_query_filter(enum ni_filter filter, const char *value,
			  size_t len, ni_query **out) NI_NOEXCEPT;

/*
 * The articles at the web address `url` (`len` bytes) in any of its
 * forms (ni_url_variants(): http or https, with or without "www." or a
 * last '/', without tracking parameters or a fragment): an OR of their
 * NI_FILTER_URL values.
 */
ni_status ni_query_url(const char *url, size_t len,
		       ni_query **out) NI_NOEXCEPT;

/* Documents whose slot value is within [lo, hi]; ±INFINITY for open ends. */
ni_status ni_query_range(enum ni_slot slot, double lo, double hi,
			 ni_query **out) NI_NOEXCEPT;

/* Join `n` parts (n >= 1) with `op`. */
ni_status ni_query_combine(enum ni_query_op op,
			   const ni_query *const *parts, size_t n,
			   ni_query **out) NI_NOEXCEPT;

/* What opening and merging a term's posting list costs, in postings. */
#define NI_TERM_POSTINGS 2000
/* The share of all documents a range of values costs: 1 / this. */
#define NI_RANGE_SHARE 4

/*
 * What a search of `query` costs, about, in postings read: for each term
 * of `query` (as often as the query has it), the documents that have it
 * plus NI_TERM_POSTINGS (opening and merging its posting list); twice
 * that under a phrase and three times under NEAR, whose positions are
 * read too; for a range of values (ni_query_range), a share of all the
 * documents, 1 / NI_RANGE_SHARE, as it reads a value of each.
 * NI_EINVAL for a NULL query.
 */
ni_status ni_query_postings(ni_db *db, const ni_query *query,
			    uint64_t *postings) NI_NOEXCEPT;

/*
 * Whether ni_query_postings() of `query` is at most `max`, in `*fits`.
 * Nothing is looked up when even every term in every document would
 * fit; else the terms' frequencies `lookups` (may be NULL; borrowed)
 * remembers are not looked up again, and those looked up are
 * remembered.  NI_EINVAL for a NULL query.
 */
ni_status ni_query_fits(ni_db *db, const ni_query *query, uint64_t max,
			ni_lookups *lookups, bool *fits) NI_NOEXCEPT;

/*
 * Xapian's description of the query, for debugging; caller frees.  NULL
 * for a NULL query, or when out of memory.
 */
char *ni_query_describe(const ni_query *query) NI_NOEXCEPT;

void ni_query_free(ni_query *query) NI_NOEXCEPT;

/* ---- searching -------------------------------------------------------- */

/* What results are ordered by. */
enum ni_sort {
	NI_SORT_RELEVANCE = 0, /* score: BM25 plus the quality and recency
				  parts (docs/ranking.md) */
	NI_SORT_DATE,          /* newest first, then score */
	NI_SORT_QUALITY,       /* best quality first, then score */
	NI_SORT_DATE_ASC,      /* oldest first, then score */
	NI_SORT_HEAT,          /* hottest first, then score; unknown heat
				  (none, or below 0) after every known */
};

/* Counts over the whole match set (ni_mset_facet). */
enum ni_facet {
	NI_FACET_TOPIC = 0,
	NI_FACET_PROVIDER,
	NI_FACET_MONTH,        /* "YYYY-MM" */
	NI_FACET_COUNT
};

struct ni_search_params {
	unsigned offset;        /* skip this many best hits */
	unsigned limit;         /* return at most this many */
	double quality_weight;  /* 100 points of quality add this many
				   tenths of the best match's relevance
				   (NI_QUALITY_SHARE); 0 turns it off */
	double bm25_k1;         /* BM25 term frequency saturation */
	double bm25_b;          /* BM25 length normalization */
	unsigned check_at_least; /* count at least this many matches, so the
				    total is exact when there are fewer */
	enum ni_sort sort;
	int collapse;           /* non-zero: one hit per story key */
	double recency_weight;  /* the most recency adds; 0 turns it off */
	double half_life_days;  /* recency halves every so many days */
	int64_t now;            /* seconds since the epoch, for recency */
	unsigned facets;        /* bits 1u << NI_FACET_*: count these over
				   every match (costs a full match count) */
	/*
	 * Above 0 (at most 1): a sample for estimating stories, of about
	 * `sample` of the matches, blind to stories: on one index, 32 runs
	 * of consecutive document ids; on local shards, every Nth id of
	 * each; through a remote shard, the matches whose tie order
	 * (NI_SLOT_ORDER, a hash of the key) lies in the lowest `sample` of
	 * its range.  Hits in document id order, with only their docid,
	 * n_similar (their story's other matching copies, in the sample or
	 * not) and, on one index, sample_chance.
	 */
	double sample;
	/*
	 * Non-zero, for a count (limit 0) of stories (collapse): only from
	 * a walk of the query's matches kept on the handle, when the index
	 * has a current document table and at most check_at_least of the
	 * walk's matches have a story that may have copies (their keys are
	 * read); else no count, an estimate of 0 between 0 and UINT32_MAX,
	 * without searching.
	 */
	int walk_only;
	/*
	 * Non-zero, with walk_only: when no walk is kept, walk every match
	 * of the query here (one local index with a current document table)
	 * and count from that, as a page by relevance would have: a count
	 * made without a page is then as exact as the page's.
	 */
	int walk_all;
};

/* One hit.  Strings are owned by the ni_mset, valid until it is freed. */
struct ni_hit {
	uint32_t docid;
	double score;        /* what the hits are ordered by */
	double relevance;    /* the BM25 part of score */
	double quality;      /* the value in NI_SLOT_QUALITY */
	double quality_part; /* what quality added to score */
	double recency_part; /* what recency added to score */
	uint32_t n_similar;  /* other copies of the story collapsed into it
				(at least this many) */
	const char *data;    /* the document data */
	size_t data_len;
	double heat;         /* the shown copy's NI_SLOT_HEAT; -1 when
				unknown (none, or below 0) */
	double sample_chance; /* in a sample of one index: the chance that
				 its story was sampled, from where its
				 matching copies lie; 0 otherwise (then
				 1 - (1 - sample)^(n_similar + 1)) */
};

/* One facet value and how many matching articles have it. */
struct ni_facet_count {
	const char *value;   /* owned by the ni_mset */
	uint64_t count;
};

/*
 * Run `query` and fetch one page of hits with their data.  When the index
 * changes under the search (a build committing), it is reopened and the
 * search run again, a few times, before NI_EDB_MODIFIED is returned.
 * On NI_OK `*out` is a result page the caller frees with ni_mset_free().
 * A NULL `query` is NI_EINVAL.
 */
ni_status ni_db_search(ni_db *db, const ni_query *query,
		       const struct ni_search_params *params, ni_mset **out) NI_NOEXCEPT;

/*
 * Forget the matches ni_db_search() kept of the queries it walked whole
 * (for the counts and samples of the same search that follow), and
 * the scored walk ni_query_feedback() kept for the page: a new
 * search starts here, so that its answer does not depend on what was
 * searched before it on the same handle (a walk counts exactly what
 * Xapian alone would estimate).  Never fails.
 */
void ni_db_forget_walks(ni_db *db) NI_NOEXCEPT;

size_t ni_mset_size(const ni_mset *mset) NI_NOEXCEPT;

/*
 * Matches in all: an estimate, between the two bounds below, exact when
 * they are equal.  When collapsing, these count stories (the hits pages
 * show, a document without a story key being a story of its own): a
 * count (limit 0) is exact when there are fewer than check_at_least;
 * with a page, Xapian's bounds are often apart.
 */
uint64_t ni_mset_estimated(const ni_mset *mset) NI_NOEXCEPT;
uint64_t ni_mset_lower_bound(const ni_mset *mset) NI_NOEXCEPT;
uint64_t ni_mset_upper_bound(const ni_mset *mset) NI_NOEXCEPT;

/* The i-th hit of the page (i < ni_mset_size()); NI_EINVAL past the end. */
ni_status ni_mset_hit(const ni_mset *mset, size_t i, struct ni_hit *out) NI_NOEXCEPT;

/*
 * The counts of `facet` (when it was asked for), most frequent first, then
 * by value; *n is 0 when it was not asked for or nothing matched.  The
 * array is owned by the ni_mset.
 */
void ni_mset_facet(const ni_mset *mset, enum ni_facet facet,
		   const struct ni_facet_count **counts,
		   size_t *n) NI_NOEXCEPT;

void ni_mset_free(ni_mset *mset) NI_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif
