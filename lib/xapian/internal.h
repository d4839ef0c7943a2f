/*
 * internal.h - what the files of lib/xapian/ share; no other file may
 * include it.
 *
 * Only lib/xapian/ includes <xapian.h> (through this header): the rest
 * of newsindex is C and speaks to Xapian through include/ni_xapian.h
 * alone, with opaque handles whose structs are below.  One file a job,
 * each using only those above it (tests/cycles.py holds them to it):
 *   errors.cc  map_exception(), c_string()
 *   schema.cc  terms: prefix + value, over-long terms hashed, FNV-1a
 *   open.cc    opening one index or the shards of a stub, for reading
 *              or writing: settings (schema, analyzer, default
 *              language), each shard's place, the writer's file, a
 *              damaged table named
 *   write.cc   documents (words, filters, values), replace and delete,
 *              commit with the spelling data, related records' order
 *   query.cc   Xapian queries from the query parser's tree, prefixes
 *              expanded, --like and feedback, the cost of a query
 *   rank.cc    ni_db_search: BM25 with the quality and recency blend,
 *              reprints collapsed to their best copy, facets, the count
 *   db.cc      the handle: ni_db_open and _close, its default language,
 *              reads of documents, values and metadata
 *   check.cc   ni_db_check
 *   shards.cc  a sharded index as a whole: shard info, creating,
 *              compacting and merging, dedupe and repair
 *
 * THE INDEX SCHEMA is described once, in docs/schema.md: every term
 * prefix, value slot, metadata key and file, and why.  Its names for
 * the code are the field table's prefixes (ni_fields.h, lib/schema/fields.c,
 * which writes docs/schema.md's table of terms), the constants below
 * and enum ni_slot of ni_xapian.h.  Change them with the page, and
 * bump SCHEMA_VERSION when an old index could not be read correctly.
 *
 * Error handling: every exported function is one try block, marked
 * noexcept; a failure is turned into its status by map_exception(),
 * which goes from the most specific Xapian exception to the most
 * general.  The helpers below throw; only the exported functions catch.
 *
 * Helpers used by more than one file are in namespace ni_xapian and
 * declared here, the others are in their file's anonymous namespace.
 */
#ifndef NI_XAPIAN_INTERNAL_H
#define NI_XAPIAN_INTERNAL_H

#include <xapian.h>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ni_fields.h"
#include "ni_xapian.h"

namespace ni_xapian {

/* 2: the story key of ni_story.h (1: title and 8 words, no date). */
const char SCHEMA_VERSION[] = "2";
const char KEY_SCHEMA[] = NI_META_SCHEMA;
const char KEY_ANALYZER[] = NI_META_ANALYZER;
const char KEY_STEMMER[] = NI_META_STEMMER;
const char KEY_STORY_COPIES[] = NI_META_STORY_COPIES;
const char KEY_SHARD[] = "newsindex.shard";
const char KEY_BATCH[] = "newsindex.batch";
/* NI_META_RESTORE (ni_builder.h): "pending" while related records are
 * to be brought back by a build. */
const char KEY_RESTORE[] = "app.restore";
/* The stub file in a sharded index's folder: Xapian's own name for it. */
const char STUB_NAME[] = "XAPIANDB";
/* The default language of a new index unless set otherwise. */
const char DEFAULT_STEMMER[] = "english";
/* Beside Xapian's files: the writer's process id (docs/schema.md). */
const char WRITER_FILE[] = "newsindex.writer";

/* Positions skipped between runs of text, so phrases cannot span them. */
const Xapian::termpos FIELD_GAP = 100;
/* Xapian's glass backend refuses terms over 245 bytes. */
const size_t MAX_TERM_BYTES = 240;
/* Bytes of an over-long term kept before its hash. */
const size_t HASHED_TERM_KEEP = 200;
/* The stem cache is cleared when it grows past this many words. */
const size_t STEM_CACHE_MAX = 100000;

/* How often a search is rerun after the index changed under it. */
const int MODIFIED_RETRIES = 5;

/* schema.cc: the field table's prefixes (ni_fields.h). */
const char *text_prefix(enum ni_field field);
const char *stem_prefix(enum ni_field field);
const char *filter_prefix(enum ni_filter filter);

struct field_schema {
	const char *prefix;       /* NULL: only searchable unqualified */
	const char *stem_prefix;
	/* What each occurrence adds to the word's within-document
	 * frequency (docs/ranking.md). */
	Xapian::termcount weight;
};

const field_schema FIELDS[NI_FIELD_COUNT] = {
	{text_prefix(NI_FIELD_ANY), stem_prefix(NI_FIELD_ANY), 1},
	{text_prefix(NI_FIELD_TITLE), stem_prefix(NI_FIELD_TITLE), 3},
	{text_prefix(NI_FIELD_EXCERPT), stem_prefix(NI_FIELD_EXCERPT), 1},
	{text_prefix(NI_FIELD_TOPIC), stem_prefix(NI_FIELD_TOPIC), 1},
};

const std::string UNIQUE_PREFIX = filter_prefix(NI_FILTER_KEY);
const std::string STEMMER_PREFIX = filter_prefix(NI_FILTER_STEMMER);
const std::string STORY_PREFIX = filter_prefix(NI_FILTER_STORY);

/* Our own refusal to open an index, mapped to NI_EDB_SCHEMA. */
struct schema_mismatch : std::runtime_error {
	using std::runtime_error::runtime_error;
};

/*
 * A shard of a stub that failed: Xapian's error, mapped as usual, with
 * a message naming the shard ("shard 2 of STUB, remote HOST:PORT: ...").
 */
struct shard_error : std::runtime_error {
	ni_status status;
	shard_error(ni_status s, const std::string &msg)
		: std::runtime_error(msg), status(s) {}
};

/*
 * An index refused for what it is, with its own status: being built
 * (NI_EDB_BUILDING), empty (NI_EDB_NOT_FOUND), another program's
 * (NI_EDB_FOREIGN).
 */
struct refusal : std::runtime_error {
	ni_status status;
	refusal(ni_status s, const std::string &msg)
		: std::runtime_error(msg), status(s) {}
};

/* A bad argument from the C side, mapped to NI_EINVAL. */
struct bad_argument : std::invalid_argument {
	using std::invalid_argument::invalid_argument;
};

/* A Snowball stemmer with the stems it made, remembered: news reuses
 * its words a lot. */
struct stemmer {
	std::string name;             /* "english", "none" */
	Xapian::Stem stem_of;
	std::unordered_map<std::string, std::string> cache;

	explicit stemmer(const std::string &language)
		: name(language), stem_of(language)
	{
	}

	const std::string &stem(const std::string &word)
	{
		auto found = cache.find(word);
		if (found != cache.end())
			return found->second;
		if (cache.size() >= STEM_CACHE_MAX)
			cache.clear();
		return cache.emplace(word, stem_of(word)).first->second;
	}
};

/* The sizes of the map of stories that may have copies, as base-2
 * logarithms of its bits: a reader takes any in the range (32 is half
 * a gigabyte), a writer makes no map over 2^28 bits (32 MB, enough for
 * 16 million stories with copies at 16 bits each). */
const unsigned STORY_COPIES_MIN_LOG2 = 16;
const unsigned STORY_COPIES_MAX_LOG2 = 32;
const unsigned STORY_COPIES_WRITTEN_LOG2 = 28;

/*
 * The stories that may have copies (NI_META_STORY_COPIES): the bitmap
 * as stored, its header included, and its size; `log2` 0 when there is
 * none (not read, missing, or of a format unknown here).
 */
struct story_copies {
	unsigned log2 = 0;
	std::string stored;
	size_t bits_set = 0;          /* kept by a writer only */

	/* Take `value` as stored; false (and no map) when it is not one
	 * this program reads. */
	bool read(const std::string &value);
	/* Whether the story keyed `story` may have copies: true unless
	 * its bit is clear in a map read. */
	bool may_have_copies(const std::string &story) const;
	/* Whether the bit of the story whose key reads as `key` is set
	 * in a map read. */
	bool marked(uint64_t key) const;
	/* Set the bit of the story whose key reads as `key` in a map
	 * read; whether it was clear. */
	bool mark(uint64_t key);
};

/* Document ids a chunk of the document table holds (docs/schema.md):
 * 4 KB, two chunks a block of the B-tree or so. */
const Xapian::docid DOC_TABLE_IDS = 4096;

/*
 * The document table (NI_META_DOC_TABLE) as a reader reads it: the
 * header once for each revision, each chunk when first asked for.
 */
struct doc_table {
	bool usable = false;  /* its header is of the revision read */
	std::unordered_map<Xapian::docid, std::string> chunks;
	/* The bitmaps (NI_META_DOC_SHARED) read, by chunk. */
	std::unordered_map<Xapian::docid, std::string> shared_bits;

	/* Read the header of `db`'s table, forgetting any chunk read;
	 * whether it describes the revision `db` reads. */
	bool open(const Xapian::Database &db);
	/* The byte of document `did`: NI_DOC_UNKNOWN when the table is
	 * not usable or has none. */
	unsigned char entry(const Xapian::Database &db, Xapian::docid did);
	/* Whether document `did`'s story may have copies, from the
	 * bitmap: NI_DOC_STORY_SHARED of entry(), an eighth of the bytes
	 * read; true (as NI_DOC_UNKNOWN) when not usable or not there. */
	bool shared(const Xapian::Database &db, Xapian::docid did);
	/* Read the bitmap chunks of documents `dids` not yet read, in the
	 * order of their keys: each block of them once, where shared() in
	 * id order ("0", "1", ... "10") went back and forth. */
	void read_shared(const Xapian::Database &db,
			 const std::vector<Xapian::docid> &dids);
};

struct stored_hit {
	Xapian::docid docid;
	double score;
	double relevance;
	double quality;
	double quality_part;
	double recency_part;
	Xapian::doccount n_similar;
	std::string data;
	double heat;
	double sample_chance;
};

/* errors.cc */
ni_status map_exception(std::string &msg) noexcept;
char *c_string(const std::string &text) noexcept;

/* schema.cc */
uint64_t fnv1a(const char *text, size_t len);
uint64_t fnv1a(const std::string &text);
std::string tie_order(const char *key, size_t len);
std::string make_term(const char *prefix, const char *value, size_t len);
std::string make_term(const std::string &prefix, const char *value,
		      size_t len);
bool term_value(const std::string &term, size_t prefix_len,
		std::string &value);
bool should_stem(const char *word, size_t len);
void check_field(enum ni_field field);
void check_filter(enum ni_filter filter);

} // namespace ni_xapian

/* The structs and functions above, as if declared here. */
using namespace ni_xapian;

struct ni_db {
	std::string path;
	/* The stub file read: `path` itself, or PATH/XAPIANDB of a sharded
	 * index's folder; "" for one index. */
	std::string stub;
	std::string analyzer;         /* the settings it was opened with */
	bool writable = false;
	/* NI_DB_REBUILD: an index of any schema, locked while it is built
	 * again; its settings are read, nothing is written to it. */
	bool rebuilding = false;
	/* NI_DB_PART: commits not synced, spelling data added at close. */
	bool part = false;
	/* Shards of a stub left out (NI_DB_READ_PARTIAL), each described
	 * as "shard N of STUB, ENTRY: cause". */
	std::vector<std::string> missing;
	/* The shards of a stub that opened, in its order (none for one
	 * index). */
	struct shard {
		std::string name;       /* "shard N of STUB (line L), ENTRY" */
		std::string local;      /* its folder; "" when remote */
		Xapian::Database db;
	};
	std::vector<shard> shards;
	/*
	 * Open for writing: one writer for one index, or one per shard in
	 * the stub's order; `db` reads them all, uncommitted changes
	 * included.
	 */
	std::vector<Xapian::WritableDatabase> writers;
	/*
	 * Whether anything was written since the last commit: a document
	 * written or deleted, metadata changed, settings recorded.  A
	 * commit with nothing of the kind, nor spelling data or a map or
	 * table to write, is not made: Xapian would record a new revision
	 * for the document table's header alone, and each revision tells
	 * readers (the feed's ETag, the page's /api/events) that the
	 * index changed.
	 */
	bool pending = false;
	/* Metadata to set with the next commit that has anything else
	 * to record (ni_db_set_metadata_with). */
	std::map<std::string, std::string> riders;
	/*
	 * For each writer, the words written since the last commit with
	 * their number of occurrences: given to add_spelling() once each at
	 * commit, because one call per word written was a tenth to a fifth
	 * of a build.
	 */
	std::vector<std::unordered_map<std::string, Xapian::termcount>>
		new_words;
	/*
	 * For each writer, its map of the stories that may have copies
	 * (NI_META_STORY_COPIES) and the story keys of the documents
	 * written since the last commit, whose bits the commit sets when
	 * they have copies (write.cc: update_story_copies).  Made when
	 * first needed, and again after ni_db_adopt_parts.
	 */
	struct copies_kept {
		bool read = false;    /* `copies` read from the index */
		bool unsaved = false; /* changed, its commit not yet done */
		story_copies copies;
		std::vector<uint64_t> written;
	};
	std::vector<copies_kept> kept_copies;
	/*
	 * For each writer, its document table (NI_META_DOC_TABLE): the
	 * chunks read or written, those changed since the last commit, and
	 * the documents written since (id, quality value, story key),
	 * whose bytes the commit sets (write.cc: update_doc_table).
	 */
	struct table_kept {
		bool read = false;       /* its header looked at */
		bool anew = false;       /* to be made anew at commit */
		bool committing = false; /* a commit began, not yet done */
		std::unordered_map<Xapian::docid, std::string> chunks;
		std::vector<Xapian::docid> changed;
		struct written_doc {
			Xapian::docid did;
			std::string quality;
			std::string story;
		};
		std::vector<written_doc> written;
	};
	std::vector<table_kept> kept_tables;
	/* The shards' newsindex.batch: the next commit's is one more. */
	unsigned long long batch = 0;
	/* Opened with shards of different batches (a killed build), and
	 * not yet settled (ni_db_shards_settled). */
	bool torn = false;
	Xapian::Database db;          /* the same index, for reading */
	/* One per language met, made when first needed; never removed, so
	 * pointers to them stay valid. */
	std::unordered_map<std::string, stemmer> stemmers;
	/* Query words and documents without a language of their own. */
	stemmer *language = nullptr;
	/*
	 * A reader's answer of other_stemmers() for `language` (named in
	 * `stemmers_checked`, "" when not asked): it holds until the
	 * revision read changes (reopen()), and every word of every query
	 * asks it.
	 */
	std::string stemmers_checked;
	bool stemmers_mixed = false;
	/*
	 * Every match of the queries a reader last saw whole (rank.cc: a
	 * page's one walk, a count that saw all), in document id order,
	 * with the query (serialised) and the revision read, the latest
	 * last: the samples and counts of a search that follow take them,
	 * not a walk.  Forgotten when a search begins
	 * (ni_db_forget_walks()).
	 */
	struct walk {
		std::string query;
		Xapian::rev revision;
		std::vector<Xapian::docid> docids;
	};
	std::vector<walk> walks;
	/*
	 * A reader's last scored walk (rank.cc, scored_walk()): every match
	 * of `query` (serialised) in document id order, each with its BM25
	 * weight (k1, b) at revision `revision`, and the highest.  Feedback
	 * walks the strict tier so (its best documents); the page's walk of
	 * that tier with the feedback terms replays it, where Xapian would
	 * walk and score the tier's words again.  Forgotten with the walks.
	 */
	struct scored {
		std::string query;
		Xapian::rev revision = 0;
		double k1 = 0, b = 0;
		std::vector<std::pair<Xapian::docid, double>> matches;
		double max = 0;
	};
	scored scored_walk;
	/* A reader's map of the stories that may have copies, of revision
	 * `copies_revision` when `copies_read` (rank.cc). */
	bool copies_read = false;
	Xapian::rev copies_revision = 0;
	story_copies copies;
	/* A reader's document table, of revision `table_revision` when
	 * `table_read` (rank.cc). */
	bool table_read = false;
	Xapian::rev table_revision = 0;
	doc_table table;
	std::string errmsg;

	stemmer &stemmer_for(const std::string &name)
	{
		auto found = stemmers.find(name);
		if (found != stemmers.end())
			return found->second;
		return stemmers.emplace(name, stemmer(name)).first->second;
	}

	const std::string &stem(const std::string &word)
	{
		return language->stem(word);
	}
};

struct ni_doc {
	ni_db *db;
	Xapian::Document doc;
	Xapian::termpos pos = 0;
	std::string errmsg;
	stemmer *stems;               /* owned by db */
	/* Words for the spelling data of the shard the document goes to. */
	std::vector<std::string> words;
};

struct ni_query {
	Xapian::Query query;
};

/*
 * What the parse of a query looked up (ni_lookups_new()): the number of
 * documents of each term, and the words each prefix stands for, best
 * first (the most frequent, then the first in byte order), as many as
 * were asked for (`kept_for`) of the `found`.
 */
struct ni_lookups {
	struct expansion {
		unsigned found = 0;
		unsigned kept_for = 0;
		std::vector<std::pair<Xapian::doccount, std::string>> best;
	};
	std::unordered_map<std::string, Xapian::doccount> freqs;
	std::unordered_map<std::string, expansion> prefixes;
};

struct ni_mset {
	std::vector<stored_hit> hits;
	/* Facet values own their strings; facets point into them. */
	std::vector<std::pair<std::string, uint64_t>>
		facet_values[NI_FACET_COUNT];
	std::vector<ni_facet_count> facets[NI_FACET_COUNT];
	Xapian::doccount estimated = 0;
	Xapian::doccount lower_bound = 0;
	Xapian::doccount upper_bound = 0;
};

struct ni_values {
	ni_db *db;
	Xapian::ValueIterator it;
	Xapian::ValueIterator end;
	bool started = false;
	std::string value;
};

namespace ni_xapian {

/*
 * The Xapian query of `q`.  A NULL query is the caller's mistake, told
 * as NI_EINVAL rather than a crash.
 */
inline const Xapian::Query &query_of(const ni_query *q)
{
	if (!q)
		throw bad_argument("no query");
	return q->query;
}

/*
 * The BM25 every search and feedback ranks by: k1 and b as asked
 * (docs/ranking.md), Xapian's defaults for the rest (k2 0, k3 1, a
 * document length of at least half the average).  Feedback's scored
 * walk replays the page's weights only if both are made alike.
 */
inline Xapian::BM25Weight bm25(double k1, double b)
{
	return Xapian::BM25Weight(k1, 0, 1, b, 0.5);
}

/*
 * Run `body`, a read of the index, again on the newest revision when a
 * build committed twice while it ran (Xapian's DatabaseModifiedError: the
 * blocks it was reading were reused), at most MODIFIED_RETRIES times.
 * Readers never fail because a build is running.
 */
template <typename Body>
auto retrying(ni_db &d, Body body) -> decltype(body())
{
	for (int attempt = 0;; attempt++) {
		try {
			return body();
		} catch (const Xapian::DatabaseModifiedError &) {
			if (attempt == MODIFIED_RETRIES)
				throw;
			d.db.reopen();
			d.stemmers_checked.clear();
		}
	}
}

/* rank.cc */
bool one_local_index(const ni_db &d);
bool one_walk_fits(const ni_db &d, const ni_search_params &p);
/*
 * Every match of `query` with its weight by BM25(k1, b), as Xapian's
 * matcher scores them, from one walk kept on `d` (ni_db::scored_walk),
 * on a reader of one local index; NULL on a writer or shards (no walk
 * is made).  Owned by `d`, valid until its next search begins
 * (ni_db_forget_walks()) or the next scored_walk().
 */
const ni_db::scored *scored_walk(ni_db &d, const Xapian::Query &query,
				 double k1, double b);
/*
 * The `n` best of a scored walk's matches in a page's order: weight,
 * then tie order (NI_SLOT_ORDER), then document id; what Xapian's search
 * for `n` with set_sort_by_relevance_then_value(NI_SLOT_ORDER, false)
 * gives.
 */
std::vector<std::pair<Xapian::docid, double>>
best_of_walk(ni_db &d, const ni_db::scored &walk, size_t n);

/* open.cc */
void record_settings(Xapian::WritableDatabase &writer, const char *analyzer);
void unmark_writer(const std::string &folder);
std::string recorded_language(ni_db &d);
[[noreturn]] void rethrow_damage(const std::string &path);
std::string stub_file_of(const std::string &path);
std::string standard_shard(size_t i);
std::string shard_place(size_t i, size_t n);
void open_database(ni_db &d, enum ni_db_mode mode, const char *analyzer);
void reopen_writer(ni_db &d);

/* write.cc */
void commit(ni_db &d, bool closing = false);
bool story_number(const std::string &hex, uint64_t &key);
story_copies stories_with_copies(const Xapian::Database &db);
/* The table's header for `db` at revision `revision`. */
std::string doc_table_header(const Xapian::Database &db, Xapian::rev revision);
/* The key of chunk `k` of the document table. */
std::string doc_table_key(Xapian::docid k);
/* The key of chunk `k`'s bitmap (NI_META_DOC_SHARED). */
std::string doc_shared_key(Xapian::docid k);
/* Chunk numbers `ks` put in the order of their keys ("0", "1", "10"). */
void sort_by_key(std::vector<Xapian::docid> &ks);
/* The bitmap of table chunk `chunk`: its NI_DOC_STORY_SHARED bits. */
std::string doc_shared_bits(const std::string &chunk);
/* The byte of a document whose quality value is `quality` ("" none). */
unsigned char quality_code(const std::string &quality);
/* Every byte of `db`'s table, as it should be: what a writer makes anew
 * and a check compares with, document id d at d - 1. */
std::string doc_table_bytes(const Xapian::Database &db);
/* Write `writer`'s table anew, for the commit to come. */
void write_doc_table(Xapian::WritableDatabase &writer);
std::string parent_term(const Xapian::Database &db, Xapian::docid id);

/* check.cc */
/* Related records (an XPARENT term) whose parent article is gone. */
struct orphans {
	std::string term;             /* their NI_FILTER_PARENT term */
	std::string parent;           /* the parent's key */
	Xapian::doccount records;
};

std::vector<orphans> orphaned_records(const Xapian::Database &db);

} // namespace ni_xapian

#endif
