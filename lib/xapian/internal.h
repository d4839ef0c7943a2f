/*
 * xapian_wrap.cc - the only file that includes <xapian.h>; see ni_xapian.h.
 *
 * THE INDEX SCHEMA (version 2).  Change it here and nowhere else, bump
 * SCHEMA_VERSION when an old index could not be read correctly, and keep
 * docs/schema.md in step.
 *
 * Term prefixes (Omega's conventions where Omega has one):
 *   (none)  every word of title, excerpt and topics, unstemmed, positional
 *   Z       stem of every word above (the Snowball stemmer of the
 *           document's language, XSTEM; "none": the word), no positions
 *   S       title words, unstemmed, positional         (Omega: S = title)
 *   ZS      stems of title words
 *   K       a whole topic name, folded                 (Omega: K = keyword)
 *   XP      provider name, folded
 *   H       provider domain, lowercase                 (Omega: H = host)
 *   XCAT    category, folded
 *   XTYPE   type, folded
 *   U       webUrl and originalUrl, as written         (Omega: U = URL)
 *   P       absolute path of the article's file       (Omega: P = path)
 *   XPUB    "true" or "false"
 *   XPARENT on a related record: its parent article's key
 *   XREL    on every related record (no value)
 *   XLISTS  on an article: the key of each related record it lists,
 *           kept or not (another article's may have won), so that a
 *           record lost with its parent can be found another
 *   Q       unique key: webUrl, else originalUrl, else the file's path
 *           (Omega: Q = unique id)
 *   XSTEM   the stemmer of the document's Z terms ("english", "german",
 *           "none"); an index written before it had the default's
 *           (newsindex.stemmer) on every document
 *   XSTORY  the story key's hash, as in slot 6 (ni_doc_set_story): the
 *           copies of a story, counted and searched for the best one
 * A prefix is followed by ':' when the value starts with an uppercase
 * ASCII letter, so "XP" + "Apple" cannot be read as "XPA" + "pple".
 * Boolean terms longer than MAX_TERM_BYTES keep their first bytes and end
 * in a hash of the whole, so they stay unique and within Xapian's limit.
 *
 * Word weights (within-document frequency added per occurrence):
 *   title 3, excerpt 1, topics 1.  Tuned on the Cranfield harness
 *   (docs/ranking.md).  Positions jump by FIELD_GAP between runs of text
 *   (ni_doc_end_text), so phrases never match across fields.  A
 *   compound's joined form (ni_doc_add_form: "ecommerce" after "e",
 *   "commerce") shares its last part's position.
 *
 * Value slots (0-2 Xapian::sortable_serialise of a double; see enum
 * ni_slot for the others):
 *   0  quality, 0..100 (NI_DEFAULT_QUALITY when the article gives none)
 *   1  publishedDateTime as seconds since the epoch (UTC)
 *   2  heat
 *   6  the story key's hash, 16 hex digits (ni_doc_set_story), the
 *      collapse key.  The key (ni_story.h): the title's words and the
 *      first 60 letters and digits of the lede, run together, and the
 *      date's 14-day period; none without a title or with a lede under
 *      40.  Version 1's was the title's and excerpt's first 8 words.
 *   8  the tie order: FNV-1a 64 of the unique key, 8 bytes big-endian.
 *      Results of equal relevance are ranked by it, not by document id,
 *      so that one index, another build's and shards rank alike.
 *      Documents written before it was added have none (they tie
 *      first, then by document id) until they are written again.
 *
 * Document data: opaque to this file; the indexer stores one JSON object
 * (docs/schema.md).
 *
 * Metadata keys:
 *   newsindex.schema    SCHEMA_VERSION when the index was created
 *   newsindex.analyzer  ni_analyzer_settings() of the indexer, e.g.
 *                       "icu-word;nfkc-casefold;apostrophe;marks=latn+grek;
 *                       compounds;cjk=dict+bigrams+hangul;maxword=64";
 *                       another value is refused
 *   newsindex.stemmer   the default language: the stemmer of articles
 *                       without a `lang` ("english" unless configured)
 *   newsindex.shard     in each shard of a sharded index written by
 *                       newsindex: "K/N", its place in the stub (from 1)
 *                       and the number of shards; a shard out of place
 *                       is refused for writing
 *   newsindex.batch     in each shard of such an index: the number of
 *                       the last commit, the same in every shard unless
 *                       a build was killed between their commits; then
 *                       each keeps its own until a build has indexed
 *                       every file again (ni_db_shards_settled)
 *   app.*               owned by the programs, not by this file
 *
 * Files: newsindex.writer, in the folder of one index (or of each shard
 * of a sharded one) while it is open for writing: the writer's process
 * id, one decimal line.  Written
 * after Xapian's lock is taken, removed before it is let go (a writer
 * killed leaves it, until the next one writes it again), and read only
 * while the lock is held: so a reader can name the build that is
 * creating an index it cannot read yet.
 *
 * Sharded indexes (docs/scaling.md): a folder holding Xapian's stub file
 * XAPIANDB, which lists one glass index a line ("auto shard-1", ...).
 * A document goes to shard (FNV-1a 64 of its unique key's bytes) mod N,
 * so an update lands where the article is, and every document with the
 * same key (an article file, related records of that URL) in the same
 * shard.  Document ids are those of Xapian's multi-database: shard s
 * (from 0) of N holds ids s + 1, N + s + 1, 2N + s + 1, ...
 *
 * Error handling: every exported function is one try block; a failure is
 * turned into its status by map_exception(), which goes from the most
 * specific Xapian exception to the most general.
 */
#ifndef NI_XAPIAN_INTERNAL_H
#define NI_XAPIAN_INTERNAL_H

#include <xapian.h>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ni_xapian.h"

namespace ni_xapian {

/* 2: the story key of ni_story.h (1: title and 8 words, no date). */
const char SCHEMA_VERSION[] = "2";
const char KEY_SCHEMA[] = NI_META_SCHEMA;
const char KEY_ANALYZER[] = NI_META_ANALYZER;
const char KEY_STEMMER[] = NI_META_STEMMER;
const char KEY_SHARD[] = "newsindex.shard";
const char KEY_BATCH[] = "newsindex.batch";
/* NI_META_RESTORE (ni_builder.h): "pending" while related records are
 * to be brought back by a build. */
const char KEY_RESTORE[] = "app.restore";
/* The stub file in a sharded index's folder: Xapian's own name for it. */
const char STUB_NAME[] = "XAPIANDB";
/* The default language of a new index unless set otherwise. */
const char DEFAULT_STEMMER[] = "english";
const char STEMMER_PREFIX[] = "XSTEM";
/* Beside Xapian's files: the writer's process id (see above). */
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

struct field_schema {
	const char *prefix;       /* NULL: only searchable unqualified */
	const char *stem_prefix;
	Xapian::termcount weight;
};

const field_schema FIELDS[NI_FIELD_COUNT] = {
	/* NI_FIELD_ANY */     {"", "Z", 1},
	/* NI_FIELD_TITLE */   {"S", "ZS", 3},
	/* NI_FIELD_EXCERPT */ {nullptr, nullptr, 1},
	/* NI_FIELD_TOPIC */   {nullptr, nullptr, 1},
};

const char *const FILTER_PREFIXES[NI_FILTER_COUNT] = {
	/* NI_FILTER_TOPIC */     "K",
	/* NI_FILTER_PROVIDER */  "XP",
	/* NI_FILTER_SITE */      "H",
	/* NI_FILTER_CATEGORY */  "XCAT",
	/* NI_FILTER_TYPE */      "XTYPE",
	/* NI_FILTER_URL */       "U",
	/* NI_FILTER_PATH */      "P",
	/* NI_FILTER_PUBLISHED */ "XPUB",
	/* NI_FILTER_PARENT */    "XPARENT",
	/* NI_FILTER_RELATED */   "XREL",
	/* NI_FILTER_LISTS */     "XLISTS",
};

const char UNIQUE_PREFIX[] = "Q";

const std::string STORY_PREFIX = "XSTORY";

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

struct stored_hit {
	Xapian::docid docid;
	double score;
	double relevance;
	double quality;
	double quality_part;
	double recency_part;
	Xapian::doccount n_similar;
	std::string data;
};

/* errors.cc */
ni_status map_exception(std::string &msg) noexcept;
char *c_string(const std::string &text) noexcept;

/* schema.cc */
uint64_t fnv1a(const std::string &text);
std::string tie_order(const std::string &key);
std::string make_term(const char *prefix, const char *value, size_t len);
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
	 * For each writer, the words written since the last commit with
	 * their number of occurrences: given to add_spelling() once each at
	 * commit, because one call per word written was a tenth to a fifth
	 * of a build.
	 */
	std::vector<std::unordered_map<std::string, Xapian::termcount>>
		new_words;
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
void commit(ni_db &d);
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
