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
#include <xapian.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <ctime>
#include <map>
#include <memory>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <csignal>
#include <cstdio>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include "ni_buf.h"
#include "ni_xapian.h"

namespace {

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
/*
 * How much more an exact match of a query word weighs than a match of its
 * stem alone, in proportion (tuned on Cranfield, docs/ranking.md).
 */
const double EXACT_FORM_WEIGHT = 0.5;
/* How often a search is rerun after the index changed under it. */
const int MODIFIED_RETRIES = 5;

/*
 * Over shards (a stub), get_eset() approximates term frequencies unless
 * asked not to: feedback and --like would then pick other terms than
 * one index of the same documents does.  On one index it costs nothing.
 */
const int EXPAND_FLAGS = Xapian::Enquire::USE_EXACT_TERMFREQ;

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

/*
 * Turn the exception being handled into a status and a message.  Called
 * only from inside a catch block (it rethrows to look at the exception).
 * Never throws: a message that cannot be stored is left empty.
 */
ni_status map_exception(std::string &msg) noexcept
{
	ni_status status;
	const char *what = "";
	std::string xapian_text;
	try {
		throw;
	} catch (const Xapian::DatabaseModifiedError &e) {
		status = NI_EDB_MODIFIED;
		what = e.get_msg().c_str();
	} catch (const Xapian::DatabaseLockError &e) {
		status = NI_EDB_LOCKED;
		what = e.get_msg().c_str();
	} catch (const Xapian::DatabaseNotFoundError &e) {
		status = NI_EDB_NOT_FOUND;
		what = e.get_msg().c_str();
	} catch (const Xapian::DatabaseVersionError &e) {
		status = NI_EDB_VERSION;
		what = e.get_msg().c_str();
	} catch (const Xapian::DatabaseCorruptError &e) {
		status = NI_EDB_CORRUPT;
		what = e.get_msg().c_str();
	} catch (const Xapian::DatabaseOpeningError &e) {
		status = NI_EDB_OPENING;
		what = e.get_msg().c_str();
	} catch (const Xapian::DatabaseError &e) {
		/* Xapian keeps the errno's text of a failed write. */
		const char *cause = e.get_error_string();
		status = cause && std::strcmp(cause, std::strerror(ENOSPC)) == 0
			? NI_ENOSPC : NI_EDB;
		try {
			xapian_text = e.get_description();
		} catch (...) {
		}
		what = xapian_text.c_str();
	} catch (const Xapian::NetworkError &e) {
		status = NI_ENETWORK;
		/* "Couldn't connect" says little without the errno's text. */
		const char *cause = e.get_error_string();
		try {
			xapian_text = e.get_msg();
			if (cause && *cause)
				xapian_text += std::string(": ") + cause;
		} catch (...) {
		}
		what = xapian_text.c_str();
	} catch (const Xapian::QueryParserError &e) {
		status = NI_EQUERY;
		what = e.get_msg().c_str();
	} catch (const Xapian::WildcardError &e) {
		status = NI_EQUERY;
		what = e.get_msg().c_str();
	} catch (const Xapian::InvalidArgumentError &e) {
		status = NI_EINVAL;
		what = e.get_msg().c_str();
	} catch (const Xapian::Error &e) {
		status = NI_EXAPIAN_OTHER;
		try {
			xapian_text = e.get_description();
		} catch (...) {
		}
		what = xapian_text.c_str();
	} catch (const schema_mismatch &e) {
		status = NI_EDB_SCHEMA;
		what = e.what();
	} catch (const shard_error &e) {
		status = e.status;
		what = e.what();
	} catch (const refusal &e) {
		status = e.status;
		what = e.what();
	} catch (const bad_argument &e) {
		status = NI_EINVAL;
		what = e.what();
	} catch (const std::filesystem::filesystem_error &e) {
		status = NI_EIO;
		what = e.what();
	} catch (const std::bad_alloc &) {
		status = NI_ENOMEM;
	} catch (const std::exception &e) {
		status = NI_ECXX;
		what = e.what();
	} catch (...) {
		status = NI_EUNKNOWN;
	}
	try {
		msg = what;
	} catch (...) {
		msg.clear();
	}
	return status;
}

/* Hand a message to C as a malloc()ed string, or NULL if out of memory. */
char *c_string(const std::string &text) noexcept
{
	char *copy = static_cast<char *>(std::malloc(text.size() + 1));
	if (copy)
		std::memcpy(copy, text.c_str(), text.size() + 1);
	return copy;
}

/* 64-bit FNV-1a: stable across builds and machines, unlike std::hash. */
uint64_t fnv1a(const std::string &text)
{
	uint64_t hash = 14695981039346656037ULL;
	for (unsigned char c : text) {
		hash ^= c;
		hash *= 1099511628211ULL;
	}
	return hash;
}

/* NI_SLOT_ORDER of the document with unique key `key`. */
std::string tie_order(const std::string &key)
{
	uint64_t hash = fnv1a(key);
	std::string bytes(8, '\0');
	for (int i = 7; i >= 0; i--, hash >>= 8)
		bytes[static_cast<size_t>(i)] = static_cast<char>(hash & 0xff);
	return bytes;
}

/* prefix + value, with Omega's ':' rule and hashing of over-long terms. */
std::string make_term(const char *prefix, const char *value, size_t len)
{
	std::string term(prefix);
	if (len && *prefix && value[0] >= 'A' && value[0] <= 'Z')
		term += ':';
	term.append(value, len);
	if (term.size() <= MAX_TERM_BYTES)
		return term;
	char hex[17];
	std::snprintf(hex, sizeof hex, "%016llx",
		      static_cast<unsigned long long>(fnv1a(term)));
	term.resize(HASHED_TERM_KEEP);
	return term + hex;
}

/*
 * The value make_term() put after a prefix of `prefix_len` bytes in
 * `term`, in `value`; false for a term too long to be kept whole (its
 * value was hashed: lost).  A term of exactly the hashed length is taken
 * for hashed: such a value is not told from a hash.
 */
bool term_value(const std::string &term, size_t prefix_len,
		std::string &value)
{
	if (term.size() == HASHED_TERM_KEEP + 16)
		return false;
	value = term.substr(prefix_len);
	if (value.size() >= 2 && value[0] == ':' && value[1] >= 'A' &&
	    value[1] <= 'Z')
		value.erase(0, 1);
	return true;
}

/*
 * Xapian's TermGenerator stems only words that start with a letter; we do
 * the same so that "2021" or "3.5" is never turned into a Z term.
 */
bool should_stem(const char *word, size_t len)
{
	return len > 0 && !(word[0] >= '0' && word[0] <= '9');
}

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

void check_field(enum ni_field field)
{
	if (static_cast<unsigned>(field) >= NI_FIELD_COUNT)
		throw bad_argument("unknown field");
}

void check_filter(enum ni_filter filter)
{
	if (static_cast<unsigned>(filter) >= NI_FILTER_COUNT)
		throw bad_argument("unknown filter");
}

} // namespace

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

/*
 * The Xapian query of `q`.  A NULL query is the caller's mistake, told
 * as NI_EINVAL rather than a crash.
 */
static const Xapian::Query &query_of(const ni_query *q)
{
	if (!q)
		throw bad_argument("no query");
	return q->query;
}

namespace {

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

} // namespace

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

namespace {

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

/* What a new index records: schema, analyzer, default language. */
void record_settings(Xapian::WritableDatabase &writer, const char *analyzer)
{
	writer.set_metadata(KEY_SCHEMA, SCHEMA_VERSION);
	writer.set_metadata(KEY_ANALYZER, analyzer);
	writer.set_metadata(KEY_STEMMER, DEFAULT_STEMMER);
}

/*
 * The process id in `folder`'s WRITER_FILE, when that process lives;
 * 0 when there is no such file or process.
 */
long writer_pid(const std::string &folder)
{
	std::ifstream in(folder + "/" + WRITER_FILE);
	long pid = 0;
	if (!(in >> pid) || pid <= 0 ||
	    (kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM))
		return 0;
	return pid;
}

/*
 * A database with no settings and nothing in it, opened for reading: a
 * first build that has committed nothing yet (it holds the lock), else
 * one that was stopped before it could (no index yet, build makes it).
 * Neither is to be deleted.  `name` is what messages call it, `folder`
 * where its writer's file is ("" for a remote shard: not known).  When
 * the build commits is not said: every few thousand articles, or only
 * at the end of a parallel first build.
 */
[[noreturn]] void refuse_unbuilt(const Xapian::Database &db,
				 const std::string &name,
				 const std::string &folder)
{
	if (!db.locked())
		throw refusal(NI_EDB_NOT_FOUND, "index " + name + " is empty: "
			      "no build has committed to it yet");
	long pid = folder.empty() ? 0 : writer_pid(folder);
	throw refusal(NI_EDB_BUILDING,
		      "index " + name + " is being built" +
		      (pid ? " by process " + std::to_string(pid) : "") +
		      " and has nothing in it yet; search it once that "
		      "build has committed");
}

/*
 * Name this process as the writer of the index in `folder` (best effort:
 * it only names the build to readers), and stop naming it.
 */
void mark_writer(const std::string &folder)
{
	std::ofstream(folder + "/" + WRITER_FILE)
		<< static_cast<long>(getpid()) << "\n";
}

void unmark_writer(const std::string &folder)
{
	std::remove((folder + "/" + WRITER_FILE).c_str());
}

/*
 * Check the schema and analyzer metadata of `db`, called `name`, in
 * `folder` ("" when remote), or record them through `writer` (NULL when
 * reading) for a new, empty index.  Throws schema_mismatch with a
 * message naming what differs, or a refusal (refuse_unbuilt, or another
 * program's database).  `rebuilding` (NI_DB_REBUILD): any settings, or
 * none, are fine, and none are recorded; only another program's
 * database is refused.
 */
void check_schema(const Xapian::Database &db, const std::string &name,
		  const std::string &folder, const char *analyzer,
		  Xapian::WritableDatabase *writer, bool rebuilding)
{
	std::string schema = db.get_metadata(KEY_SCHEMA);
	if (schema.empty()) {
		bool empty = db.get_doccount() == 0 &&
			     db.metadata_keys_begin() == db.metadata_keys_end();
		if (!empty)
			throw refusal(NI_EDB_FOREIGN, name + " is a Xapian "
				      "database but not a newsindex index");
	}
	/*
	 * Built again from its sources: what it was built with is moot,
	 * and nothing is written to it (Xapian would commit it at close).
	 */
	if (rebuilding)
		return;
	if (schema.empty()) {
		if (!writer)
			refuse_unbuilt(db, name, folder);
		record_settings(*writer, analyzer);
		return;
	}
	if (schema != SCHEMA_VERSION)
		throw schema_mismatch("index " + name + " has schema version " +
				      schema + ", this program uses version " +
				      SCHEMA_VERSION);
	std::string stored = db.get_metadata(KEY_ANALYZER);
	if (stored != analyzer)
		throw schema_mismatch("index " + name +
				      " was built with analyzer \"" + stored +
				      "\", this program uses \"" + analyzer +
				      "\"");
	/*
	 * Another stemmer no longer makes an index unreadable: documents
	 * record theirs (XSTEM), and query words match their exact forms
	 * too (word_query).  Only a build's default may not change
	 * (ni_db_set_language).
	 */
}

/* The index's default language, as recorded. */
std::string recorded_language(ni_db &d)
{
	std::string language = d.db.get_metadata(KEY_STEMMER);
	return language.empty() ? DEFAULT_STEMMER : language;
}

/* The stemmer named `language`, or a schema_mismatch naming `what`. */
stemmer &known_stemmer(ni_db &d, const std::string &language,
		       const std::string &what)
{
	try {
		return d.stemmer_for(language);
	} catch (const Xapian::InvalidArgumentError &) {
		throw schema_mismatch(what + " \"" + language +
				      "\" has no Snowball stemmer here");
	}
}

/* Check the schema and start stemming in the index's default. */
void read_settings(ni_db &d, const char *analyzer)
{
	check_schema(d.db, d.path, d.path, analyzer,
		     d.writable ? &d.writers[0] : nullptr, d.rebuilding);
	d.language = &known_stemmer(d, recorded_language(d),
				    "the default language of index " + d.path);
}

/*
 * Glass writes its tables before its version file "iamglass", so a build
 * killed while it created an index leaves a folder Xapian will neither
 * open nor create over.  Without "iamglass" nothing was ever committed:
 * when the folder holds only glass files, remove them so the index can be
 * created.  Anything else in it is left for Xapian to complain about.
 */
void clear_half_created(const std::string &path)
{
	namespace fs = std::filesystem;
	std::error_code error;
	if (!fs::is_directory(path, error) ||
	    fs::exists(path + "/iamglass", error))
		return;
	std::vector<fs::path> files;
	for (const auto &entry : fs::directory_iterator(path, error)) {
		std::string name = entry.path().filename().string();
		bool glass = name == "flintlock" || name == WRITER_FILE ||
			     (name.size() > 6 &&
			      (name.compare(name.size() - 6, 6, ".glass") == 0 ||
			       name.compare(name.size() - 4, 4, ".tmp") == 0));
		if (!glass || !entry.is_regular_file(error))
			return;
		files.push_back(entry.path());
	}
	for (const fs::path &file : files)
		fs::remove(file, error);
}

/* `text` without the blanks around it. */
std::string trimmed(const std::string &text)
{
	const char *blanks = " \t\r";
	size_t first = text.find_first_not_of(blanks);
	if (first == std::string::npos)
		return "";
	return text.substr(first, text.find_last_not_of(blanks) - first + 1);
}

/*
 * The table file of the local index `path` that Xapian cannot read,
 * checked one by one (Database::check of a table file); "" when each
 * reads.
 */
std::string unreadable_table(const std::string &path)
{
	static const char *const tables[] = {"postlist", "docdata",
					     "termlist", "position",
					     "spelling", "synonym"};
	for (const char *table : tables) {
		std::string file = path + "/" + table + ".glass";
		std::error_code ec;
		if (!std::filesystem::exists(file, ec))
			continue;
		try {
			if (Xapian::Database::check(file, 0, nullptr) == 0)
				continue;
		} catch (const Xapian::Error &) {
		}
		return file;
	}
	return "";
}

/*
 * Called in a catch block while reading the local index `path`: a plain
 * DatabaseError (none of its kinds: modified, locked, not found, ...)
 * is a table Xapian cannot read, as a truncated file ("EOF reading
 * block N") after a disk error: rethrown as the damage it is, naming the
 * table, so that it reads "index is corrupt".  Anything else is
 * rethrown as it was.
 */
[[noreturn]] void rethrow_damage(const std::string &path)
{
	try {
		throw;
	} catch (const Xapian::DatabaseModifiedError &) {
		throw;
	} catch (const Xapian::DatabaseOpeningError &) {
		throw;
	} catch (const Xapian::DatabaseCorruptError &) {
		throw;
	} catch (const Xapian::DatabaseError &e) {
		std::string table = unreadable_table(path);
		throw Xapian::DatabaseCorruptError(
			(table.empty() ? path : "table " + table) + ": " +
			e.get_msg());
	}
}

/*
 * Open one entry of a stub file: "auto PATH", "glass PATH", "chert
 * PATH", "remote HOST:PORT" or "remote :PROG ARGS", as Xapian reads
 * them.  A relative PATH is relative to the stub's folder (`dir`).
 * Xapian's stub format has no field for timeouts: remote shards use
 * Remote::open's defaults (10 s per operation, 10 s to connect).
 */
Xapian::Database open_entry(const std::string &type, const std::string &rest,
			    const std::filesystem::path &dir, std::string &local)
{
	if (type == "auto" || type == "glass" || type == "chert") {
		std::filesystem::path path(rest);
		if (path.is_relative())
			path = dir / path;
		local = path.string();
		try {
			return Xapian::Database(local);
		} catch (...) {
			rethrow_damage(local);
		}
	}
	if (type != "remote")
		throw bad_argument("unknown type \"" + type + "\"");
	if (!rest.empty() && rest[0] == ':') {
		size_t blank = rest.find_first_of(" \t");
		std::string prog = rest.substr(1, blank == std::string::npos
						  ? std::string::npos
						  : blank - 1);
		std::string args = blank == std::string::npos
				   ? "" : trimmed(rest.substr(blank));
		return Xapian::Remote::open(prog, args);
	}
	size_t colon = rest.rfind(':');
	char *end = nullptr;
	unsigned long port = colon == std::string::npos ? 0 :
		std::strtoul(rest.c_str() + colon + 1, &end, 10);
	if (colon == 0 || colon == std::string::npos || !end || *end ||
	    port == 0 || port > 65535)
		throw bad_argument("expected \"remote HOST:PORT\" or "
				   "\"remote :PROG ARGS\"");
	return Xapian::Remote::open(rest.substr(0, colon),
				    static_cast<unsigned>(port));
}

/* One shard line of a stub file. */
struct stub_entry {
	unsigned lineno;
	std::string type;     /* "auto", "glass", "remote", ... */
	std::string rest;     /* its path or address */
	std::string line;     /* the whole line, trimmed */
};

/* The shard lines of the stub file `file`, comments and blanks left out. */
std::vector<stub_entry> read_stub(const std::string &file)
{
	std::ifstream in(file);
	if (!in)
		throw Xapian::DatabaseOpeningError("cannot read stub file " +
						   file);
	std::vector<stub_entry> entries;
	std::string line;
	unsigned lineno = 0;
	while (std::getline(in, line)) {
		lineno++;
		line = trimmed(line);
		if (line.empty() || line[0] == '#')
			continue;
		size_t blank = line.find_first_of(" \t");
		entries.push_back({lineno, line.substr(0, blank),
				   blank == std::string::npos
				   ? "" : trimmed(line.substr(blank)), line});
	}
	if (in.bad())
		throw Xapian::DatabaseOpeningError("cannot read stub file " +
						   file);
	if (entries.empty())
		throw Xapian::DatabaseOpeningError("stub file " + file +
						   " lists no shards");
	return entries;
}

/* "shard 2 of STUB (line 3), auto shard-2": what messages call it. */
std::string shard_name(const ni_db &d, size_t i, const stub_entry &e)
{
	return "shard " + std::to_string(i + 1) + " of " + d.path +
	       " (line " + std::to_string(e.lineno) + "), " + e.line;
}

/* The folder a stub's relative paths are relative to. */
std::filesystem::path stub_dir(const ni_db &d)
{
	return std::filesystem::path(d.stub).parent_path();
}

/*
 * The stub file `path` names: `path` itself when it is a file, PATH/
 * XAPIANDB for a sharded index's folder, else "" (one index, or none).
 */
std::string stub_file_of(const std::string &path)
{
	std::error_code error;
	if (std::filesystem::is_regular_file(path, error))
		return path;
	std::string inside = path + "/" + STUB_NAME;
	if (std::filesystem::is_directory(path, error) &&
	    std::filesystem::is_regular_file(inside, error))
		return inside;
	return "";
}

/*
 * Open the stub file d.stub shard by shard, check each shard's schema
 * and analyzer settings, and search them as one (add_database), so that
 * an error names the shard.  With `partial`, a shard that cannot be
 * opened is left out and described in d.missing; a schema mismatch or
 * another program's database is never left out (it would rank and match
 * differently, or it is not a shard at all).
 */
void open_stub(ni_db &d, const char *analyzer, bool partial)
{
	std::vector<stub_entry> entries = read_stub(d.stub);
	std::filesystem::path dir = stub_dir(d);
	Xapian::Database all;
	std::string first_failure;
	ni_status first_status = NI_OK;
	for (size_t i = 0; i < entries.size(); i++) {
		const stub_entry &e = entries[i];
		std::string name = shard_name(d, i, e);
		Xapian::Database db;
		std::string local;
		ni_status status = NI_OK;
		std::string text;
		try {
			db = open_entry(e.type, e.rest, dir, local);
			check_schema(db, name, local, analyzer, nullptr, false);
		} catch (const schema_mismatch &) {
			throw;
		} catch (const refusal &r) {
			/* Another program's database: no shard to leave out. */
			if (r.status == NI_EDB_FOREIGN)
				throw;
			status = r.status;
			text = r.what();        /* it names the shard */
		} catch (...) {
			std::string msg;
			status = map_exception(msg);
			if (status == NI_ENOMEM)
				throw std::bad_alloc();
			text = name + ": " + msg;
		}
		if (status != NI_OK) {
			if (!partial || status == NI_EINVAL)
				throw shard_error(status, text);
			if (first_status == NI_OK) {
				first_status = status;
				first_failure = text;
			}
			d.missing.push_back(text);
			continue;
		}
		all.add_database(db);
		d.shards.push_back({name, local, db});
	}
	if (all.size() == 0)
		throw shard_error(first_status, "no shard of " + d.path +
				  " could be opened; " + first_failure);
	d.db = all;
	d.language = &known_stemmer(d, recorded_language(d),
				    "the default language of index " + d.path);
}

/* The folder of shard i (from 0) of a sharded index newsindex made. */
std::string standard_shard(size_t i)
{
	return "shard-" + std::to_string(i + 1);
}

/* "K/N": what shard i (from 0) of n records in newsindex.shard. */
std::string shard_place(size_t i, size_t n)
{
	return std::to_string(i + 1) + "/" + std::to_string(n);
}

/*
 * Documents are placed by their key's hash, so a shard written out of
 * its place (a stub reordered, shortened or lengthened by hand) would
 * put updates beside their old copies: refuse it.  A new shard records
 * its place.  Returns whether the shard is new (no documents, no place).
 * `rebuilding`: the shards are only read, in any order, and nothing is
 * recorded.
 */
bool check_place(Xapian::WritableDatabase &writer, const std::string &name,
		 size_t i, size_t n, bool rebuilding)
{
	std::string want = shard_place(i, n);
	std::string place = writer.get_metadata(KEY_SHARD);
	if (place == want)
		return false;
	bool fresh = place.empty() && writer.get_doccount() == 0;
	if (rebuilding)
		return fresh;
	if (!fresh)
		throw shard_error(NI_EINVAL, name + ": it holds " +
			(place.empty() ? std::string("no shard") :
			 "shard " + place) + " of a sharded index built by "
			"newsindex, not shard " + want + "; articles are "
			"placed in shards by their key, so the stub must list "
			"the shards it was built with, in their order: "
			"restore it, or build the index again with "
			"'newsindex build --rebuild --shards N'");
	writer.set_metadata(KEY_SHARD, want);
	return true;
}

/* Batch numbers, as recorded ("" is 0). */
unsigned long long recorded_batch(const Xapian::Database &db)
{
	return std::strtoull(db.get_metadata(KEY_BATCH).c_str(), nullptr, 10);
}

/*
 * Open each shard of the stub d.stub for writing, in its order.  Only
 * local shards can be written; a missing shard folder is created, as a
 * build does for a missing index (its articles are then new to it).  A
 * new shard takes the default language of the others.
 */
void open_sharded_writer(ni_db &d, const char *analyzer)
{
	std::vector<stub_entry> entries = read_stub(d.stub);
	std::filesystem::path dir = stub_dir(d);
	size_t n = entries.size();
	std::vector<bool> fresh(n);
	Xapian::Database all;
	for (size_t i = 0; i < n; i++) {
		const stub_entry &e = entries[i];
		std::string name = shard_name(d, i, e);
		if (e.type != "auto" && e.type != "glass")
			throw shard_error(NI_EINVAL, name + ": only local "
					  "shards (auto or glass PATH) are "
					  "built here; build a remote shard "
					  "on its host");
		std::filesystem::path local(e.rest);
		if (local.is_relative())
			local = dir / local;
		try {
			clear_half_created(local.string());
			Xapian::WritableDatabase writer(
				local.string(), Xapian::DB_CREATE_OR_OPEN |
						Xapian::DB_BACKEND_GLASS);
			check_schema(writer, name, local.string(), analyzer,
				     &writer, d.rebuilding);
			fresh[i] = check_place(writer, name, i, n,
					       d.rebuilding);
			d.writers.push_back(writer);
			d.shards.push_back({name, local.string(), writer});
			all.add_database(writer);
		} catch (const schema_mismatch &) {
			throw;
		} catch (const shard_error &) {
			throw;
		} catch (...) {
			std::string msg;
			ni_status status = map_exception(msg);
			throw shard_error(status, name + ": " + msg);
		}
	}
	d.db = all;
	for (const ni_db::shard &shard : d.shards)
		mark_writer(shard.local);
	/* The default language and batch of the shards that were there. */
	std::string language;
	for (size_t i = 0; i < n; i++) {
		if (fresh[i])
			continue;
		unsigned long long batch = recorded_batch(d.writers[i]);
		if (language.empty()) {
			language = d.writers[i].get_metadata(KEY_STEMMER);
			d.batch = batch;
		} else if (batch != d.batch) {
			d.torn = true;
			d.batch = std::max(d.batch, batch);
		}
	}
	for (size_t i = 0; i < n && !language.empty() && !d.rebuilding; i++)
		if (fresh[i]) {
			d.writers[i].set_metadata(KEY_STEMMER, language);
			d.torn = d.torn || d.batch != 0;
		}
	d.language = &known_stemmer(d, language.empty() ? DEFAULT_STEMMER
					: language,
				    "the default language of index " + d.path);
}

void open_writer(ni_db &d, const char *analyzer)
{
	d.writable = true;
	d.stub = stub_file_of(d.path);
	if (d.stub == d.path)
		throw Xapian::DatabaseOpeningError(
			d.path + " is a stub file listing shards, which "
			"newsquery searches; build the sharded index's folder "
			"(the one holding XAPIANDB), or each shard on its "
			"host");
	if (!d.stub.empty()) {
		open_sharded_writer(d, analyzer);
	} else {
		clear_half_created(d.path);
		d.writers.push_back(Xapian::WritableDatabase(
			d.path, Xapian::DB_CREATE_OR_OPEN |
					Xapian::DB_BACKEND_GLASS));
		d.db = d.writers[0];
		read_settings(d, analyzer);
		mark_writer(d.path);
	}
	d.new_words.resize(d.writers.size());
}

void open_database(ni_db &d, enum ni_db_mode mode, const char *analyzer)
{
	d.rebuilding = mode == NI_DB_REBUILD;
	if (mode == NI_DB_WRITE || mode == NI_DB_REBUILD) {
		open_writer(d, analyzer);
		return;
	}
	d.stub = stub_file_of(d.path);
	if (!d.stub.empty()) {
		open_stub(d, analyzer, mode == NI_DB_READ_PARTIAL);
		return;
	}
	/*
	 * A build may commit twice while a reader opens, as while it
	 * searches: open again, on the newest revision.
	 */
	for (int attempt = 0;; attempt++) {
		try {
			d.db = Xapian::Database(d.path);
			read_settings(d, analyzer);
			return;
		} catch (const Xapian::DatabaseModifiedError &) {
			if (attempt == MODIFIED_RETRIES)
				throw;
		} catch (...) {
			rethrow_damage(d.path);
		}
	}
}

/*
 * Would a query word stemmed by `language` miss documents that have the
 * word itself?  Yes when some document was stemmed by another stemmer.
 */
bool other_stemmers(ni_db &d, const std::string &language)
{
	Xapian::doccount marked = 0;
	for (auto t = d.db.allterms_begin(STEMMER_PREFIX);
	     t != d.db.allterms_end(STEMMER_PREFIX); ++t) {
		if ((*t).compare(sizeof STEMMER_PREFIX - 1, std::string::npos,
				 language) != 0)
			return true;
		marked += t.get_termfreq();
	}
	/* Documents written before XSTEM have the recorded default's. */
	return marked < d.db.get_doccount() &&
	       recorded_language(d) != language;
}

/*
 * other_stemmers() for the query's language, remembered by a reader: it
 * walks the XSTEM terms, which took three quarters of the parse of a
 * long query read several times to fit its bounds.  A writer's
 * documents change under it: it asks each time.
 */
bool mixed_stemmers(ni_db &d)
{
	const std::string &language = d.language->name;
	if (d.writable)
		return other_stemmers(d, language);
	if (d.stemmers_checked != language) {
		d.stemmers_mixed = other_stemmers(d, language);
		d.stemmers_checked = language;
	}
	return d.stemmers_mixed;
}

/* Xapian::Query for a word in a field, as ni_doc_add_word() indexed it. */
Xapian::Query word_query(ni_db &d, enum ni_field field, const char *word,
			 size_t len)
{
	check_field(field);
	const field_schema &schema = FIELDS[field];
	if (!schema.prefix)
		throw bad_argument("this field cannot be searched on its own");
	std::string text(word, len);
	Xapian::Query exact(schema.prefix + text);
	if (!should_stem(word, len))
		return exact;
	/*
	 * Any form with the stem matches; the form typed weighs more.  When
	 * every document was stemmed as the query is, each one with the
	 * exact term has its stem too, so AND_MAYBE ranks as OR would, but
	 * only looks the exact term up in the stem's matches, which is
	 * cheaper than merging two posting lists.  When some were stemmed
	 * in another language, their stems may differ: OR keeps the exact
	 * form a match of its own.
	 */
	Xapian::Query::op op = Xapian::Query::OP_OR;
	try {
		if (!mixed_stemmers(d))
			op = Xapian::Query::OP_AND_MAYBE;
	} catch (const Xapian::DatabaseModifiedError &) {
		/* A build committed meanwhile: OR is right in any case. */
	}
	return Xapian::Query(
		op, Xapian::Query(schema.stem_prefix + d.stem(text)),
		Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, exact,
			      EXACT_FORM_WEIGHT));
}

/*
 * What `q` matches, without the parts that only weigh: for the right
 * side of AND_NOT, which only excludes.  Xapian 1.4.22 reads
 * uninitialised memory, and so excludes documents at random, when an
 * AND under AND_NOT holds an AND_MAYBE (valgrind sees it on
 * "-(banks robots)", whose words are Zstem AND_MAYBE exact form).
 */
Xapian::Query matching_only(const Xapian::Query &q)
{
	switch (q.get_type()) {
	case Xapian::Query::OP_AND_MAYBE:
	case Xapian::Query::OP_SCALE_WEIGHT:
		return matching_only(q.get_subquery(0));
	case Xapian::Query::OP_AND:
	case Xapian::Query::OP_OR:
	case Xapian::Query::OP_AND_NOT:
	case Xapian::Query::OP_FILTER: {
		std::vector<Xapian::Query> parts;
		for (size_t i = 0; i < q.get_num_subqueries(); i++)
			parts.push_back(matching_only(q.get_subquery(i)));
		return Xapian::Query(q.get_type(), parts.begin(), parts.end());
	}
	default:
		return q;
	}
}

/* OP_NEAR or OP_PHRASE of the parts, within `window` positions. */
Xapian::Query window_query(Xapian::Query::op op, const ni_query *const *parts,
			   size_t n, unsigned window)
{
	if (n < 2 || !parts)
		throw bad_argument("NEAR and ordered phrases need two parts");
	std::vector<Xapian::Query> queries;
	for (size_t i = 0; i < n; i++)
		queries.push_back(query_of(parts[i]));
	return Xapian::Query(op, queries.begin(), queries.end(), window);
}

void add_word(ni_doc &doc, enum ni_field field, const char *word, size_t len,
	      bool same_position)
{
	check_field(field);
	if (field == NI_FIELD_ANY)
		throw bad_argument("a document word needs a field");
	if (len == 0)
		return;
	const field_schema &schema = FIELDS[field];
	std::string text(word, len);
	/* Before the first word there is no position to share. */
	Xapian::termpos pos = same_position && doc.pos ? doc.pos : ++doc.pos;
	doc.doc.add_posting(text, pos, schema.weight);
	/* The words people type are those of titles and excerpts. */
	if (field != NI_FIELD_TOPIC && doc.db->writable)
		doc.words.push_back(text);
	bool stem = should_stem(word, len);
	const std::string *stemmed = stem ? &doc.stems->stem(text) : nullptr;
	if (stemmed)
		doc.doc.add_term("Z" + *stemmed, schema.weight);
	if (!schema.prefix)
		return;
	doc.doc.add_posting(schema.prefix + text, pos);
	if (stemmed)
		doc.doc.add_term(schema.stem_prefix + *stemmed);
}

Xapian::Query::op xapian_op(enum ni_query_op op)
{
	switch (op) {
	case NI_QOP_AND: return Xapian::Query::OP_AND;
	case NI_QOP_OR: return Xapian::Query::OP_OR;
	case NI_QOP_AND_NOT: return Xapian::Query::OP_AND_NOT;
	case NI_QOP_FILTER: return Xapian::Query::OP_FILTER;
	case NI_QOP_AND_MAYBE: return Xapian::Query::OP_AND_MAYBE;
	}
	throw bad_argument("unknown query operator");
}

/* "YYYY-MM-DD" of the UTC day that `epoch` falls in. */
std::string utc_day(int64_t epoch)
{
	time_t t = static_cast<time_t>(epoch);
	struct tm tm;
	char day[32];
	if (!gmtime_r(&t, &tm))
		return std::string();
	std::snprintf(day, sizeof day, "%04d-%02d-%02d", tm.tm_year + 1900,
		      tm.tm_mon + 1, tm.tm_mday);
	return day;
}

/* Articles older than this many days gain nothing from recency. */
double recency_horizon(const ni_search_params &p)
{
	return std::floor(std::min(10 * p.half_life_days, 36500.0));
}

/*
 * What recency adds to an article published `age_days` whole days before
 * now: the full weight up to a day old, then halving every half-life,
 * nothing past the horizon.
 */
double recency_part(const ni_search_params &p, double age_days)
{
	if (p.recency_weight <= 0 || p.half_life_days <= 0 ||
	    age_days > recency_horizon(p))
		return 0;
	if (age_days < 0)
		age_days = 0;
	return p.recency_weight * std::exp2(-age_days / p.half_life_days);
}

/*
 * Recency as a weight-only posting source Xapian has built in (so it also
 * works on remote shards): a map from the day an article was published
 * to its weight, for the days that still weigh more than 1/1024 of the
 * full weight.  Older articles get nothing.
 */
Xapian::Query recency_query(const ni_search_params &p)
{
	auto *source = new Xapian::ValueMapPostingSource(NI_SLOT_DAY);
	/* A day or two ahead too: clocks and time zones disagree. */
	for (int64_t age = -2; age <= static_cast<int64_t>(recency_horizon(p));
	     age++)
		source->add_mapping(utc_day(p.now - age * 86400),
				    recency_part(p, static_cast<double>(age)));
	source->set_default_weight(0);
	return Xapian::Query(source->release());
}

Xapian::Query quality_query(const ni_search_params &p)
{
	auto *source = new Xapian::ValueWeightPostingSource(NI_SLOT_QUALITY);
	return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
			     Xapian::Query(source->release()),
			     p.quality_weight / 100.0);
}

/*
 * The query as run: the quality and recency parts are joined as
 * weight-only parts (OP_AND_MAYBE), so they reorder matches but never add
 * any (docs/ranking.md).
 */
Xapian::Query blended_query(const Xapian::Query &query,
			    const ni_search_params &p)
{
	std::vector<Xapian::Query> boosts;
	if (p.quality_weight > 0)
		boosts.push_back(quality_query(p));
	if (p.recency_weight > 0 && p.half_life_days > 0)
		boosts.push_back(recency_query(p));
	if (boosts.empty())
		return query;
	return Xapian::Query(Xapian::Query::OP_AND_MAYBE, query,
			     Xapian::Query(Xapian::Query::OP_OR,
					   boosts.begin(), boosts.end()));
}

double quality_of(const Xapian::Document &doc)
{
	std::string value = doc.get_value(NI_SLOT_QUALITY);
	return value.empty() ? NI_DEFAULT_QUALITY
			     : Xapian::sortable_unserialise(value);
}

/* Whole days between the article's day and now's, as recency sees it. */
double age_in_days(const Xapian::Document &doc, int64_t now)
{
	std::string day = doc.get_value(NI_SLOT_DAY);
	int y, m, dd;
	if (day.size() != 10 ||
	    std::sscanf(day.c_str(), "%4d-%2d-%2d", &y, &m, &dd) != 3)
		return INFINITY;
	/* Days from civil (proleptic Gregorian), as in ni_article.c. */
	auto days = [](int64_t year, int64_t month, int64_t mday) {
		year -= month <= 2;
		int64_t era = (year >= 0 ? year : year - 399) / 400;
		int64_t yoe = year - era * 400;
		int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 +
			      mday - 1;
		int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
		return era * 146097 + doe - 719468;
	};
	int64_t today = now >= 0 ? now / 86400 : (now - 86399) / 86400;
	return static_cast<double>(today - days(y, m, dd));
}

const std::string STORY_PREFIX = "XSTORY";

/* Copies of a story looked at for the best one: more are rare. */
const Xapian::doccount BEST_COPY_CANDIDATES = 16;

/*
 * The copy of a collapsed story to show: the one of best quality among
 * those that match the query, then of best relevance, then first in the
 * tie order (not by document id, which differs between builds); and in
 * `others`, how many other copies match.  Counted here rather than taken
 * from Xapian's collapse count, which is only what the matcher saw
 * before it could stop, and so depends on the shards and the build.
 * Sorted by date (`by_date`), a story is shown by the copy whose date
 * placed it, `found`, or the dates shown would be out of order: then
 * the copies are only counted.
 */
Xapian::Document best_copy(ni_db &d, const Xapian::Query &query,
			   const Xapian::Document &found, bool by_date,
			   Xapian::doccount &others)
{
	others = 0;
	std::string story = found.get_value(NI_SLOT_STORY);
	Xapian::Query story_term(STORY_PREFIX + story);
	Xapian::doccount copies_in_all = d.db.get_termfreq(STORY_PREFIX +
							   story);
	/* Most stories have one copy: no search for them. */
	if (story.empty() || copies_in_all < 2)
		return found;
	Xapian::Enquire enquire(d.db);
	enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query,
					story_term));
	if (by_date) {
		enquire.set_weighting_scheme(Xapian::BoolWeight());
		Xapian::doccount copies = enquire.get_mset(
			0, 0, copies_in_all).get_matches_estimated();
		others = copies ? copies - 1 : 0;
		return found;
	}
	enquire.set_sort_by_value_then_relevance(NI_SLOT_QUALITY, true);
	Xapian::MSet copies = enquire.get_mset(0, BEST_COPY_CANDIDATES,
					       copies_in_all);
	if (copies.empty())
		return found;
	others = copies.get_matches_estimated() - 1;
	auto best = copies.begin();
	Xapian::Document best_doc = best.get_document();
	for (auto it = copies.begin(); it != copies.end(); ++it) {
		Xapian::Document doc = it.get_document();
		if (doc.get_value(NI_SLOT_QUALITY) !=
			    best_doc.get_value(NI_SLOT_QUALITY) ||
		    it.get_weight() != best.get_weight())
			break;
		if (doc.get_value(NI_SLOT_ORDER) <
		    best_doc.get_value(NI_SLOT_ORDER))
			best_doc = doc;
	}
	return best_doc;
}

void take_hits(ni_db &d, const Xapian::Query &query, const Xapian::MSet &mset,
	       const ni_search_params &p, ni_mset &out)
{
	out.hits.clear();
	out.hits.reserve(mset.size());
	for (auto it = mset.begin(); it != mset.end(); ++it) {
		Xapian::Document doc = it.get_document();
		double score = it.get_weight();
		double quality_part = p.quality_weight > 0
			? p.quality_weight * quality_of(doc) / 100.0 : 0;
		double recency = std::isinf(age_in_days(doc, p.now))
			? 0 : recency_part(p, age_in_days(doc, p.now));
		/*
		 * Ranked by its best-scoring copy, shown by its best one;
		 * sorted by date, by the copy whose date placed it.
		 */
		bool by_date = p.sort == NI_SORT_DATE ||
			       p.sort == NI_SORT_DATE_ASC;
		Xapian::doccount similar = 0;
		Xapian::Document shown = p.collapse
			? best_copy(d, query, doc, by_date, similar) : doc;
		out.hits.push_back({*it, score,
				    score - quality_part - recency,
				    quality_of(shown), quality_part, recency,
				    similar, shown.get_data()});
	}
}

/* Facet counts, most frequent first, then by value. */
void sort_counts(std::vector<std::pair<std::string, uint64_t>> &counts)
{
	std::sort(counts.begin(), counts.end(),
		  [](const auto &a, const auto &b) {
			  return a.second != b.second ? a.second > b.second
						      : a.first < b.first;
		  });
}

/*
 * Turn a spy's counts of slot values into facet counts: topics are split
 * (an article counts once for each of its topics), days are summed by
 * month.  Xapian's built-in ValueCountMatchSpy does the counting, so
 * facets also work on remote shards.
 */
void take_facet(enum ni_facet facet, const Xapian::ValueCountMatchSpy &spy,
		ni_mset &out)
{
	std::map<std::string, uint64_t> sums;
	for (auto v = spy.values_begin(); v != spy.values_end(); ++v) {
		const std::string value = *v;
		uint64_t count = v.get_termfreq();
		if (facet == NI_FACET_MONTH) {
			sums[value.substr(0, 7)] += count;
		} else if (facet == NI_FACET_TOPIC) {
			size_t from = 0, end;
			while ((end = value.find(NI_TOPIC_SEPARATOR, from)) !=
			       std::string::npos) {
				if (end > from)
					sums[value.substr(from, end - from)] +=
						count;
				from = end + 1;
			}
		} else if (!value.empty()) {
			sums[value] += count;
		}
	}
	auto &counts = out.facet_values[facet];
	counts.assign(sums.begin(), sums.end());
	sort_counts(counts);
	out.facets[facet].clear();
	for (const auto &c : counts)
		out.facets[facet].push_back({c.first.c_str(), c.second});
}

const ni_slot FACET_SLOTS[NI_FACET_COUNT] = {
	/* NI_FACET_TOPIC */    NI_SLOT_TOPICS,
	/* NI_FACET_PROVIDER */ NI_SLOT_PROVIDER,
	/* NI_FACET_MONTH */    NI_SLOT_DAY,
};

/*
 * The order of a page of results.  A count (no page) has none: Xapian
 * 1.4.22 fails a sort by value over a term it weighs zero once a document
 * of that term's posting list was deleted ("Unexpected end of posting
 * list"), and counting weighs every term zero.  A page always has a
 * weight: the query's, or the quality blend's.
 */
void set_order(Xapian::Enquire &enquire, const ni_search_params &p)
{
	if (p.limit == 0)
		return;
	if (p.sort == NI_SORT_DATE) {
		enquire.set_sort_by_value_then_relevance(NI_SLOT_DATE, true);
	} else if (p.sort == NI_SORT_DATE_ASC) {
		/*
		 * Undated articles have no value, which sorts first; they
		 * go last, as newest first leaves them, after any date's
		 * sortable_serialise().
		 */
		auto *keys = new Xapian::MultiValueKeyMaker();
		keys->add_value(NI_SLOT_DATE, false, "\xff\xff");
		enquire.set_sort_by_key_then_relevance(keys->release(), false);
	} else if (p.sort == NI_SORT_QUALITY)
		enquire.set_sort_by_value_then_relevance(NI_SLOT_QUALITY,
							 true);
	else
		enquire.set_sort_by_relevance_then_value(NI_SLOT_ORDER, false);
}

void run_search(ni_db &d, const Xapian::Query &query,
		const ni_search_params &p, ni_mset &out)
{
	Xapian::Enquire enquire(d.db);
	enquire.set_weighting_scheme(Xapian::BM25Weight(p.bm25_k1, 0, 1,
							p.bm25_b, 0.5));
	enquire.set_query(blended_query(query, p));
	if (p.collapse)
		enquire.set_collapse_key(NI_SLOT_STORY);
	set_order(enquire, p);
	std::unique_ptr<Xapian::ValueCountMatchSpy> spies[NI_FACET_COUNT];
	for (int f = 0; f < NI_FACET_COUNT; f++) {
		if (!(p.facets & (1u << f)))
			continue;
		spies[f].reset(new Xapian::ValueCountMatchSpy(FACET_SLOTS[f]));
		enquire.add_matchspy(spies[f].get());
	}
	Xapian::doccount check = std::max(p.check_at_least,
					  p.offset + p.limit);
	/* Facets count the whole match set, not only the page. */
	if (p.facets)
		check = std::max(check, d.db.get_doccount());
	/*
	 * Xapian makes a collapsed count exact only when the stories fit
	 * in the page it was asked for: a count of stories asks for a page
	 * of check_at_least, and keeps none of it.
	 */
	Xapian::doccount items = p.collapse && p.limit == 0
		? p.check_at_least : p.limit;
	Xapian::MSet mset = enquire.get_mset(p.offset, items, check);
	if (p.limit > 0)
		take_hits(d, query, mset, p, out);
	for (int f = 0; f < NI_FACET_COUNT; f++)
		if (spies[f])
			take_facet(static_cast<ni_facet>(f), *spies[f], out);
	out.estimated = mset.get_matches_estimated();
	out.lower_bound = mset.get_matches_lower_bound();
	out.upper_bound = mset.get_matches_upper_bound();
}

/*
 * Commit what was written, with the spelling data of its words.  Shards
 * commit one after the other, each recording the batch's number, so
 * that a build killed between two of them is told by the next
 * (ni_db_repair_shards).  Torn shards keep their numbers until settled:
 * a settling build killed half-way leaves files not yet indexed again,
 * and the next build must know it too.  An index held for a rebuild is
 * not written (check_schema), and gets no batch number either.
 */
void commit(ni_db &d)
{
	if (!d.writable || d.rebuilding)
		return;
	bool sharded = d.writers.size() > 1 && !d.torn;
	if (sharded)
		d.batch++;
	for (size_t s = 0; s < d.writers.size(); s++) {
		for (const auto &word : d.new_words[s])
			d.writers[s].add_spelling(word.first, word.second);
		d.new_words[s].clear();
		if (sharded)
			d.writers[s].set_metadata(KEY_BATCH,
						  std::to_string(d.batch));
		d.writers[s].commit();
	}
}

/* The shard (from 0) the document with the unique key `key` goes to. */
size_t shard_of_key(const ni_db &d, const char *key)
{
	size_t n = d.writers.size();
	return n < 2 ? 0 : static_cast<size_t>(fnv1a(key) % n);
}

/* The writer of document `id` (as d.db numbers it), and its id there. */
Xapian::WritableDatabase &writer_of(ni_db &d, Xapian::docid id,
				    Xapian::docid &local)
{
	size_t n = d.writers.size();
	local = static_cast<Xapian::docid>((id - 1) / n + 1);
	return d.writers[(id - 1) % n];
}

/* Run job(i) for each i below n, each on a thread of its own (or here,
 * when no thread can be started), then rethrow the first failure. */
template <typename Job>
void in_parallel(size_t n, Job job)
{
	std::vector<std::exception_ptr> failures(n);
	auto run = [&](size_t i) {
		try {
			job(i);
		} catch (...) {
			failures[i] = std::current_exception();
		}
	};
	std::vector<std::thread> threads;
	for (size_t i = 0; i < n; i++) {
		try {
			threads.emplace_back(run, i);
		} catch (...) {
			run(i);
		}
	}
	for (std::thread &thread : threads)
		thread.join();
	for (const std::exception_ptr &failure : failures)
		if (failure)
			std::rethrow_exception(failure);
}

/*
 * The NI_FILTER_PARENT term of document `id` (a related record), or ""
 * (an article file): the order in which documents with one key win.
 */
std::string parent_term(const Xapian::Database &db, Xapian::docid id)
{
	const std::string prefix = FILTER_PREFIXES[NI_FILTER_PARENT];
	Xapian::TermIterator t = db.termlist_begin(id);
	t.skip_to(prefix);
	if (t == db.termlist_end(id) || (*t).compare(0, prefix.size(),
						      prefix) != 0)
		return "";
	return *t;
}

/*
 * Whether the article `id` (listing a related URL) is not to write its
 * record of it, kept by a record whose NI_FILTER_PARENT term is
 * `holder`: its own key, as a parent term, does not come first.  An
 * article whose key is kept only as a hash cannot say: it may.
 */
bool lister_behind(const Xapian::Database &db, Xapian::docid id,
		   const std::string &holder)
{
	Xapian::TermIterator t = db.termlist_begin(id);
	t.skip_to(UNIQUE_PREFIX);
	std::string key;
	if (t == db.termlist_end(id) || (*t)[0] != UNIQUE_PREFIX[0] ||
	    !term_value(*t, sizeof UNIQUE_PREFIX - 1, key))
		return false;
	return make_term(FILTER_PREFIXES[NI_FILTER_PARENT], key.data(),
			 key.size()) >= holder;
}

/* Each folder written: the index's, or each shard's. */
std::vector<std::string> written_folders(const ni_db &d)
{
	if (d.writers.size() < 2)
		return {d.path};
	std::vector<std::string> folders;
	for (const ni_db::shard &shard : d.shards)
		folders.push_back(shard.local);
	return folders;
}

/* Close every writer and reader of `d`, then open it again. */
void reopen_writer(ni_db &d)
{
	d.db.close();
	for (Xapian::WritableDatabase &writer : d.writers)
		writer.close();
	d.writers.clear();
	d.shards.clear();
	d.new_words.clear();
	d.db = Xapian::Database();
	open_writer(d, d.analyzer.c_str());
}

} // namespace

/* ---- opening and closing ------------------------------------------------ */

ni_status ni_db_open(const char *path, enum ni_db_mode mode,
		     const char *analyzer, ni_db **out, char **errmsg) noexcept
{
	*out = nullptr;
	if (errmsg)
		*errmsg = nullptr;
	std::string msg;
	ni_db *d = nullptr;
	try {
		if (!path || !analyzer)
			throw bad_argument("no index path or analyzer given");
		d = new ni_db;
		d->path = path;
		d->analyzer = analyzer;
		open_database(*d, mode, analyzer);
		*out = d;
		return NI_OK;
	} catch (...) {
		ni_status status = map_exception(msg);
		delete d;
		if (errmsg)
			*errmsg = c_string(msg);
		return status;
	}
}

size_t ni_db_missing_count(const ni_db *d) noexcept
{
	return d->missing.size();
}

const char *ni_db_missing(const ni_db *d, size_t i) noexcept
{
	return i < d->missing.size() ? d->missing[i].c_str() : nullptr;
}

size_t ni_db_shard_count(const ni_db *d) noexcept
{
	return d->shards.size();
}

ni_status ni_db_shard_info(ni_db *d, size_t i, struct ni_shard_info *out)
	noexcept
{
	*out = ni_shard_info{};
	try {
		if (i >= d->shards.size())
			throw bad_argument("no shard " + std::to_string(i + 1));
		ni_db::shard &shard = d->shards[i];
		out->name = shard.name.c_str();
		out->local = shard.local.empty() ? nullptr
						 : shard.local.c_str();
		out->docs = shard.db.get_doccount();
		out->related = shard.db.get_termfreq(
			make_term(FILTER_PREFIXES[NI_FILTER_RELATED], "", 0));
		return NI_OK;
	} catch (...) {
		*out = ni_shard_info{};
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_close(ni_db *d, char **errmsg) noexcept
{
	if (errmsg)
		*errmsg = nullptr;
	if (!d)
		return NI_OK;
	ni_status status = NI_OK;
	try {
		commit(*d);
		if (d->writable && d->stub.empty())
			unmark_writer(d->path);
		else if (d->writable)
			for (const ni_db::shard &shard : d->shards)
				unmark_writer(shard.local);
		d->db.close();
	} catch (...) {
		std::string msg;
		status = map_exception(msg);
		if (errmsg)
			*errmsg = c_string(msg);
	}
	delete d;
	return status;
}

namespace {

/* Related records (an XPARENT term) whose parent article is gone. */
struct orphans {
	std::string term;             /* their NI_FILTER_PARENT term */
	std::string parent;           /* the parent's key */
	Xapian::doccount records;
};

std::vector<orphans> orphaned_records(const Xapian::Database &db)
{
	const std::string prefix = FILTER_PREFIXES[NI_FILTER_PARENT];
	std::vector<orphans> found;
	std::string parent;
	for (auto t = db.allterms_begin(prefix);
	     t != db.allterms_end(prefix); ++t)
		if (term_value(*t, prefix.size(), parent) &&
		    db.get_termfreq(make_term(UNIQUE_PREFIX, parent.data(),
					      parent.size())) == 0)
			found.push_back({*t, parent, t.get_termfreq()});
	return found;
}

/* A line of the check's report. */
void problem(ni_buf *report, uint64_t &count, const std::string &text)
{
	count++;
	if (report)
		ni_buf_addf(report, "%s\n", text.c_str());
}

/* Unique keys: one per document, on one document each. */
void check_keys(const Xapian::Database &db, ni_buf *report, uint64_t &count)
{
	Xapian::doccount with_key = 0;
	std::string key;
	for (auto t = db.allterms_begin(UNIQUE_PREFIX);
	     t != db.allterms_end(UNIQUE_PREFIX); ++t) {
		with_key += t.get_termfreq();
		/* The key as the article gives it; a hashed one, as kept. */
		if (!term_value(*t, sizeof UNIQUE_PREFIX - 1, key))
			key = *t;
		if (t.get_termfreq() > 1)
			problem(report, count, "key " + key + " is on " +
				std::to_string(t.get_termfreq()) +
				" documents");
	}
	if (with_key != db.get_doccount())
		problem(report, count,
			std::to_string(db.get_doccount()) + " documents but " +
			std::to_string(with_key) + " unique keys");
}

/*
 * In a shard of a sharded index newsindex built ("K/N"), every key is
 * one whose hash places it there: a key elsewhere would be written
 * twice by updates.  (A key too long to be a term whole, hashed, cannot
 * be told and is left out.)
 */
void check_places(const Xapian::Database &db, ni_buf *report,
		  uint64_t &count)
{
	unsigned long k = 0, n = 0;
	if (std::sscanf(db.get_metadata(KEY_SHARD).c_str(), "%lu/%lu", &k,
			&n) != 2 || k == 0 || k > n)
		return;
	std::string key;
	for (auto t = db.allterms_begin(UNIQUE_PREFIX);
	     t != db.allterms_end(UNIQUE_PREFIX); ++t) {
		if (!term_value(*t, sizeof UNIQUE_PREFIX - 1, key))
			continue;
		unsigned long place = static_cast<unsigned long>(
			fnv1a(key) % n) + 1;
		if (place != k)
			problem(report, count, "key " + key + " belongs in "
				"shard " + std::to_string(place) + " of " +
				std::to_string(n) + ", not in this one (" +
				std::to_string(k) + ")");
	}
}

/* Related records whose parent article is not in the index. */
void check_parents(const Xapian::Database &db, ni_buf *report,
		   uint64_t &count)
{
	for (const orphans &o : orphaned_records(db))
		problem(report, count, "related records of " + o.parent +
			" have no parent article");
}

/* The unique key of document `id` in `key`; false when it has none
 * whole (none at all, or one too long, kept as a hash). */
bool doc_key(const Xapian::Database &db, Xapian::docid id, std::string &key)
{
	Xapian::TermIterator t = db.termlist_begin(id);
	t.skip_to(UNIQUE_PREFIX);
	return t != db.termlist_end(id) && (*t)[0] == UNIQUE_PREFIX[0] &&
	       term_value(*t, sizeof UNIQUE_PREFIX - 1, key);
}

/* The key of article `id`, followed by " (PATH)", its file (from its
 * NI_SLOT_FILE value) when that is not its key. */
std::string key_and_file(const Xapian::Database &db, Xapian::docid id,
			 const std::string &key)
{
	std::string value = db.get_document(id).get_value(NI_SLOT_FILE);
	size_t path = value.find('\0');
	if (path == std::string::npos)
		return key;
	size_t end = value.find('\0', path + 1);
	std::string file = value.substr(path + 1, end == std::string::npos
					? std::string::npos : end - path - 1);
	return file == key ? key : key + " (" + file + ")";
}

/* Whether the article with key `parent` lists `key` (NI_FILTER_LISTS). */
bool is_listed(const Xapian::Database &db, const std::string &parent,
	       const std::string &key)
{
	std::string unique = make_term(UNIQUE_PREFIX, parent.data(),
				       parent.size());
	std::string term = make_term(FILTER_PREFIXES[NI_FILTER_LISTS],
				     key.data(), key.size());
	for (auto id = db.postlist_begin(unique);
	     id != db.postlist_end(unique); ++id) {
		Xapian::TermIterator t = db.termlist_begin(*id);
		t.skip_to(term);
		if (t != db.termlist_end(*id) && *t == term)
			return true;
	}
	return false;
}

/*
 * Of the articles listing `key` (NI_FILTER_LISTS), the one whose record
 * a first build keeps: the first by NI_FILTER_PARENT term.  `first`
 * gets its document, `term` its parent term; false when no article
 * lists `key` (or none has a key kept whole).
 */
bool first_lister(const Xapian::Database &db, const std::string &key,
		  Xapian::docid &first, std::string &term)
{
	std::string lists = make_term(FILTER_PREFIXES[NI_FILTER_LISTS],
				      key.data(), key.size());
	std::string lister;
	bool found = false;
	for (auto id = db.postlist_begin(lists); id != db.postlist_end(lists);
	     ++id) {
		if (!doc_key(db, *id, lister))
			continue;
		std::string mine = make_term(
			FILTER_PREFIXES[NI_FILTER_PARENT], lister.data(),
			lister.size());
		if (!found || mine < term) {
			first = *id;
			term = mine;
			found = true;
		}
	}
	return found;
}

/*
 * Related records as a first build of the same files keeps them: every
 * URL an article lists is on a document (a record, or an article file),
 * unless a build that did not finish left them to bring back (as in
 * lib/builder.c), and each record is that of the first article listing
 * it by key (ni_db_related_wins), which lists it still.  An index
 * written before articles named what they list (no NI_FILTER_LISTS term
 * at all) cannot tell, and is not checked for it.
 */
void check_related(const Xapian::Database &db, ni_buf *report,
		   uint64_t &count)
{
	const std::string lists = FILTER_PREFIXES[NI_FILTER_LISTS];
	if (db.allterms_begin(lists) == db.allterms_end(lists))
		return;
	std::string key, term, lister;
	Xapian::docid first = 0;
	/* A build that did not finish leaves them for the next. */
	bool restoring = !db.get_metadata(KEY_RESTORE).empty();
	for (auto t = db.allterms_begin(lists);
	     !restoring && t != db.allterms_end(lists); ++t) {
		if (!term_value(*t, lists.size(), key) ||
		    db.get_termfreq(make_term(UNIQUE_PREFIX, key.data(),
					      key.size())) != 0 ||
		    !first_lister(db, key, first, term) ||
		    !doc_key(db, first, lister))
			continue;
		problem(report, count, "related record " + key + " is "
			"missing: " + key_and_file(db, first, lister) +
			" lists it");
	}
	std::string records = make_term(FILTER_PREFIXES[NI_FILTER_RELATED],
					"", 0);
	const size_t parent_prefix =
		std::strlen(FILTER_PREFIXES[NI_FILTER_PARENT]);
	std::string parent;
	for (auto id = db.postlist_begin(records);
	     id != db.postlist_end(records); ++id) {
		std::string mine = parent_term(db, *id);
		/* A parent gone is check_parents()'s to say. */
		if (!doc_key(db, *id, key) || mine.empty() ||
		    !term_value(mine, parent_prefix, parent) ||
		    db.get_termfreq(make_term(UNIQUE_PREFIX, parent.data(),
					      parent.size())) == 0)
			continue;
		bool listed = first_lister(db, key, first, term);
		if (listed && term == mine)
			continue;
		std::string text = "related record " + key + " is " +
				   parent + "'s, ";
		if (!is_listed(db, parent, key))
			text += "which no longer lists it";
		else if (doc_key(db, first, lister))
			text += "but " + key_and_file(db, first, lister) +
				" lists it too and comes first";
		else
			continue;
		problem(report, count, text);
	}
}

} // namespace

ni_status ni_db_check(const char *path, const char *analyzer,
		      uint64_t *problems, struct ni_buf *report,
		      char **errmsg) noexcept
{
	*problems = 0;
	if (errmsg)
		*errmsg = nullptr;
	std::string msg;
	try {
		ni_db d;
		d.path = path;
		open_database(d, NI_DB_READ, analyzer);
		if (!d.stub.empty()) {
			/* The whole: its shards' tables are checked each. */
			check_keys(d.db, report, *problems);
			check_parents(d.db, report, *problems);
			check_related(d.db, report, *problems);
			return NI_OK;
		}
		try {
			std::ostringstream xapian_report;
			size_t errors = Xapian::Database::check(
				path, 0, &xapian_report);
			if (errors)
				problem(report, *problems, "xapian-check: " +
					std::to_string(errors) + " errors: " +
					xapian_report.str());
			check_keys(d.db, report, *problems);
			check_places(d.db, report, *problems);
			/* A shard's related records may have their parent
			 * in another shard: the whole is checked for them. */
			if (d.db.get_metadata(KEY_SHARD).empty()) {
				check_parents(d.db, report, *problems);
				check_related(d.db, report, *problems);
			}
		} catch (...) {
			rethrow_damage(path);
		}
		return NI_OK;
	} catch (...) {
		ni_status status = map_exception(msg);
		if (errmsg)
			*errmsg = c_string(msg);
		return status;
	}
}

namespace {

/* Write FOLDER/XAPIANDB listing n shards newsindex made, in order. */
void write_stub(const std::string &folder, size_t n)
{
	std::string file = folder + "/" + STUB_NAME;
	std::ofstream out(file);
	out << "# A sharded newsindex index: " << n << " shards.  Each "
	       "article is in the shard\n# of its key's hash: keep the "
	       "shards in this order (docs/scaling.md).\n";
	for (size_t i = 0; i < n; i++)
		out << "auto " << standard_shard(i) << "\n";
	out.close();
	if (!out)
		throw std::filesystem::filesystem_error(
			"cannot write the stub file", file,
			std::error_code(errno, std::generic_category()));
}

} // namespace

ni_status ni_db_create_sharded(const char *path, size_t n,
			       const char *analyzer, char **errmsg) noexcept
{
	namespace fs = std::filesystem;
	if (errmsg)
		*errmsg = nullptr;
	std::string msg;
	std::string building;
	try {
		if (!path || !analyzer || n < 2)
			throw bad_argument("a sharded index needs a path, the "
					   "analyzer settings and 2 shards or "
					   "more");
		/* Made aside, then renamed: never seen half made. */
		building = std::string(path) + ".creating-" +
			   std::to_string(getpid());
		fs::remove_all(building);
		fs::create_directory(building);
		for (size_t i = 0; i < n; i++) {
			Xapian::WritableDatabase writer(
				building + "/" + standard_shard(i),
				Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
			record_settings(writer, analyzer);
			writer.set_metadata(KEY_SHARD, shard_place(i, n));
			writer.commit();
		}
		write_stub(building, n);
		std::error_code error;
		fs::rename(building, path, error);
		if (error) {
			fs::remove_all(building);
			building.clear();
			/* Made meanwhile by another build: it is opened. */
			if (stub_file_of(path) != std::string(path) + "/" +
						  STUB_NAME)
				throw fs::filesystem_error(
					"cannot create the sharded index",
					path, error);
		}
		return NI_OK;
	} catch (...) {
		ni_status status = map_exception(msg);
		if (!building.empty()) {
			std::error_code ignored;
			fs::remove_all(building, ignored);
		}
		if (errmsg)
			*errmsg = c_string(msg);
		return status;
	}
}

ni_status ni_db_compact_to(ni_db *d, const char *dest) noexcept
{
	try {
		/* Readers' snapshots: the writers' locks stay with `d`. */
		if (d->writers.size() < 2) {
			Xapian::Database snapshot(d->path);
			snapshot.compact(dest);
			return NI_OK;
		}
		std::vector<std::string> folders = written_folders(*d);
		if (!std::filesystem::create_directory(dest))
			throw bad_argument(std::string(dest) +
					   " exists already");
		in_parallel(folders.size(), [&](size_t s) {
			Xapian::Database snapshot(folders[s]);
			snapshot.compact(std::string(dest) + "/" +
					 standard_shard(s));
		});
		write_stub(dest, folders.size());
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_adopt_parts(ni_db *d, const char *const *parts,
			    size_t n) noexcept
{
	namespace fs = std::filesystem;
	try {
		if (!d->writable || d->db.get_doccount() != 0)
			throw bad_argument("parts go only into an empty index "
					   "open for writing");
		/* Shard s of the index gets shard s of every part. */
		std::vector<std::string> targets = written_folders(*d);
		size_t shards = targets.size();
		in_parallel(shards, [&](size_t s) {
			Xapian::Database all;
			for (size_t i = 0; i < n; i++)
				all.add_database(Xapian::Database(
					shards < 2 ? std::string(parts[i])
						   : std::string(parts[i]) + "/" +
						     standard_shard(s)));
			std::string merged = targets[s] + ".merged";
			fs::remove_all(merged);
			all.compact(merged);
		});
		/* The empty shards go; the merged ones take their place. */
		d->db.close();
		for (Xapian::WritableDatabase &writer : d->writers)
			writer.close();
		for (const std::string &target : targets) {
			std::string old = target + ".empty";
			fs::remove_all(old);
			fs::rename(target, old);
			fs::rename(target + ".merged", target);
			fs::remove_all(old);
		}
		reopen_writer(*d);
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_remove_leftovers(ni_db *d) noexcept
{
	try {
		for (const std::string &folder : written_folders(*d))
			for (const char *suffix : {".merged", ".empty"})
				std::filesystem::remove_all(folder + suffix);
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_dedupe_keys(ni_db *d, uint64_t *removed) noexcept
{
	*removed = 0;
	try {
		/* A key's documents are all in its shard. */
		for (Xapian::WritableDatabase &db : d->writers) {
			std::vector<std::string> shared;
			for (auto t = db.allterms_begin(UNIQUE_PREFIX);
			     t != db.allterms_end(UNIQUE_PREFIX); ++t)
				if (t.get_termfreq() > 1)
					shared.push_back(*t);
			for (const std::string &term : shared) {
				std::vector<Xapian::docid> ids(
					db.postlist_begin(term),
					db.postlist_end(term));
				/* An article file ("" parent) beats every
				 * record; then the first parent. */
				Xapian::docid keep = ids[0];
				std::string best = parent_term(db, keep);
				for (Xapian::docid id : ids) {
					std::string parent = parent_term(db, id);
					if (parent < best) {
						keep = id;
						best = parent;
					}
				}
				for (Xapian::docid id : ids)
					if (id != keep) {
						db.delete_document(id);
						(*removed)++;
					}
			}
		}
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_repair_shards(ni_db *d, uint64_t *removed, bool *torn)
	noexcept
{
	*removed = 0;
	if (torn)
		*torn = d->torn;
	try {
		if (!d->torn)
			return NI_OK;
		/* Related records whose parent's deletion was committed in
		 * its shard but not theirs in another. */
		for (const orphans &o : orphaned_records(d->db)) {
			for (Xapian::WritableDatabase &writer : d->writers)
				writer.delete_document(o.term);
			*removed += o.records;
		}
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

void ni_db_shards_settled(ni_db *d) noexcept
{
	d->torn = false;
}

ni_status ni_db_remove_folder(const char *path) noexcept
{
	try {
		std::filesystem::remove_all(path);
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

const char *ni_db_path(const ni_db *d) noexcept
{
	return d->path.c_str();
}

ni_status ni_db_set_language(ni_db *d, const char *language) noexcept
{
	try {
		if (!language)
			throw bad_argument("no language given");
		stemmer &chosen = d->stemmer_for(language);
		/* A reader reads nothing: a build may be committing. */
		std::string recorded = d->writable ? recorded_language(*d)
						   : language;
		if (recorded != language) {
			/*
			 * Articles without a `lang` indexed before were
			 * stemmed in the recorded language: new ones in
			 * another would not be found alike.
			 */
			if (d->db.get_doccount() != 0)
				throw schema_mismatch(
					"index " + d->path + " was built with "
					"default language \"" + recorded +
					"\", not \"" + language + "\"");
			for (Xapian::WritableDatabase &writer : d->writers)
				writer.set_metadata(KEY_STEMMER, language);
		}
		d->language = &chosen;
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

const char *ni_db_language(const ni_db *d) noexcept
{
	return d->language->name.c_str();
}

const char *ni_db_errmsg(const ni_db *d) noexcept
{
	return d ? d->errmsg.c_str() : "";
}

/* ---- writing -------------------------------------------------------------- */

ni_status ni_doc_new(ni_db *d, ni_doc **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_doc{d, Xapian::Document(), 0, std::string(),
				  d->language, {}};
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

void ni_doc_free(ni_doc *doc) noexcept
{
	delete doc;
}

const char *ni_doc_errmsg(const ni_doc *doc) noexcept
{
	return doc ? doc->errmsg.c_str() : "";
}

ni_status ni_doc_set_language(ni_doc *doc, const char *language) noexcept
{
	try {
		if (!language)
			throw bad_argument("no language given");
		doc->stems = &doc->db->stemmer_for(language);
		return NI_OK;
	} catch (...) {
		return map_exception(doc->errmsg);
	}
}

ni_status ni_doc_add_word(ni_doc *doc, enum ni_field field, const char *word,
			  size_t len) noexcept
{
	try {
		add_word(*doc, field, word, len, false);
		return NI_OK;
	} catch (...) {
		return map_exception(doc->errmsg);
	}
}

ni_status ni_doc_add_form(ni_doc *doc, enum ni_field field, const char *word,
			  size_t len) noexcept
{
	try {
		add_word(*doc, field, word, len, true);
		return NI_OK;
	} catch (...) {
		return map_exception(doc->errmsg);
	}
}

ni_status ni_doc_end_text(ni_doc *doc) noexcept
{
	doc->pos += FIELD_GAP;
	return NI_OK;
}

ni_status ni_doc_add_filter(ni_doc *doc, enum ni_filter filter,
			    const char *value, size_t len) noexcept
{
	try {
		check_filter(filter);
		doc->doc.add_boolean_term(
			make_term(FILTER_PREFIXES[filter], value, len));
		return NI_OK;
	} catch (...) {
		return map_exception(doc->errmsg);
	}
}

ni_status ni_doc_set_number(ni_doc *doc, enum ni_slot slot,
			    double value) noexcept
{
	try {
		doc->doc.add_value(slot, Xapian::sortable_serialise(value));
		return NI_OK;
	} catch (...) {
		return map_exception(doc->errmsg);
	}
}

ni_status ni_doc_set_text(ni_doc *doc, enum ni_slot slot, const char *value,
			  size_t len) noexcept
{
	try {
		doc->doc.add_value(slot, std::string(value, len));
		return NI_OK;
	} catch (...) {
		return map_exception(doc->errmsg);
	}
}

ni_status ni_doc_set_story(ni_doc *doc, const char *key, size_t len) noexcept
{
	try {
		/*
		 * The key's 64-bit hash, not the key: collapsing reads this
		 * value for every match, and 16 bytes read faster than a
		 * headline and a lede (collapsing cost 2.5 ms a query at
		 * 200,000 articles with the whole key).
		 */
		char hex[17];
		std::snprintf(hex, sizeof hex, "%016llx",
			      static_cast<unsigned long long>(
				      fnv1a(std::string(key, len))));
		doc->doc.add_value(NI_SLOT_STORY, hex);
		doc->doc.add_boolean_term(STORY_PREFIX + hex);
		return NI_OK;
	} catch (...) {
		return map_exception(doc->errmsg);
	}
}

ni_status ni_doc_set_data(ni_doc *doc, const char *data, size_t len) noexcept
{
	try {
		doc->doc.set_data(std::string(data, len));
		return NI_OK;
	} catch (...) {
		return map_exception(doc->errmsg);
	}
}

ni_status ni_db_replace(ni_db *d, const char *key, ni_doc *doc,
			uint32_t *docid) noexcept
{
	if (docid)
		*docid = 0;
	try {
		if (!d->writable)
			throw bad_argument("index is open for reading only");
		std::string unique = make_term(UNIQUE_PREFIX, key,
					       std::strlen(key));
		doc->doc.add_boolean_term(unique);
		doc->doc.add_boolean_term(STEMMER_PREFIX + doc->stems->name);
		doc->doc.add_value(NI_SLOT_ORDER, tie_order(key));
		size_t s = shard_of_key(*d, key);
		Xapian::docid local = d->writers[s].replace_document(unique,
								     doc->doc);
		auto &counts = d->new_words[s];
		for (const std::string &word : doc->words)
			counts[word]++;
		doc->words.clear();
		if (docid)
			*docid = static_cast<uint32_t>(
				(local - 1) * d->writers.size() + s + 1);
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_delete_docid(ni_db *d, uint32_t docid) noexcept
{
	try {
		if (!d->writable)
			throw bad_argument("index is open for reading only");
		try {
			Xapian::docid local;
			writer_of(*d, docid, local).delete_document(local);
		} catch (const Xapian::DocNotFoundError &) {
			/* Gone already: what was asked for is true. */
		}
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_set_text(ni_db *d, uint32_t docid, enum ni_slot slot,
			 const char *value, size_t len) noexcept
{
	try {
		if (!d->writable)
			throw bad_argument("index is open for reading only");
		Xapian::docid local;
		Xapian::WritableDatabase &writer = writer_of(*d, docid, local);
		/* Only a value changes: Xapian writes the terms again only
		 * when they were modified. */
		Xapian::Document doc = writer.get_document(local);
		doc.add_value(slot, std::string(value, len));
		writer.replace_document(local, doc);
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_delete_filtered(ni_db *d, enum ni_filter filter,
				const char *value, size_t len) noexcept
{
	try {
		check_filter(filter);
		if (!d->writable)
			throw bad_argument("index is open for reading only");
		std::string term = make_term(FILTER_PREFIXES[filter], value,
					     len);
		for (Xapian::WritableDatabase &writer : d->writers)
			writer.delete_document(term);
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_listers_ahead(ni_db *d, const char *key, uint32_t **ids,
			      size_t *n) noexcept
{
	*ids = nullptr;
	*n = 0;
	try {
		size_t len = std::strlen(key);
		std::string unique = make_term(UNIQUE_PREFIX, key, len);
		Xapian::PostingIterator it = d->db.postlist_begin(unique);
		std::string holder;
		if (it != d->db.postlist_end(unique)) {
			holder = parent_term(d->db, *it);
			/* An article file's: no record is to be. */
			if (holder.empty())
				return NI_OK;
		}
		std::string lists = make_term(FILTER_PREFIXES[NI_FILTER_LISTS],
					      key, len);
		std::vector<uint32_t> found;
		for (auto id = d->db.postlist_begin(lists);
		     id != d->db.postlist_end(lists); ++id)
			if (holder.empty() ||
			    !lister_behind(d->db, *id, holder))
				found.push_back(*id);
		if (found.empty())
			return NI_OK;
		*ids = static_cast<uint32_t *>(
			std::malloc(found.size() * sizeof **ids));
		if (!*ids)
			throw std::bad_alloc();
		std::copy(found.begin(), found.end(), *ids);
		*n = found.size();
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_unkept_related(ni_db *d, struct ni_buf *keys) noexcept
{
	try {
		const std::string prefix = FILTER_PREFIXES[NI_FILTER_LISTS];
		std::string key;
		for (auto t = d->db.allterms_begin(prefix);
		     t != d->db.allterms_end(prefix); ++t) {
			if (!term_value(*t, prefix.size(), key))
				continue;
			/* Kept by a record, it may be another lister's to
			 * keep when several list it (ni_db_listers_ahead). */
			std::string unique = make_term(UNIQUE_PREFIX,
						       key.data(),
						       key.size());
			Xapian::PostingIterator it =
				d->db.postlist_begin(unique);
			if (it != d->db.postlist_end(unique) &&
			    (t.get_termfreq() < 2 ||
			     parent_term(d->db, *it).empty()))
				continue;
			if (ni_buf_add(keys, key.c_str(), key.size() + 1) !=
			    NI_OK)
				throw std::bad_alloc();
		}
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_delete_filtered_keys(ni_db *d, enum ni_filter filter,
				     const char *value, size_t len,
				     struct ni_buf *keys) noexcept
{
	try {
		check_filter(filter);
		std::string term = make_term(FILTER_PREFIXES[filter], value,
					     len);
		std::string key;
		for (auto id = d->db.postlist_begin(term);
		     id != d->db.postlist_end(term); ++id) {
			auto t = d->db.termlist_begin(*id);
			t.skip_to(UNIQUE_PREFIX);
			if (t == d->db.termlist_end(*id) ||
			    (*t)[0] != UNIQUE_PREFIX[0] ||
			    !term_value(*t, sizeof UNIQUE_PREFIX - 1, key))
				continue;
			if (ni_buf_add(keys, key.c_str(), key.size() + 1) !=
			    NI_OK)
				throw std::bad_alloc();
		}
	} catch (...) {
		return map_exception(d->errmsg);
	}
	return ni_db_delete_filtered(d, filter, value, len);
}

ni_status ni_db_related_wins(ni_db *d, const char *key, const char *parent,
			     bool *wins) noexcept
{
	*wins = false;
	try {
		std::string unique = make_term(UNIQUE_PREFIX, key,
					       std::strlen(key));
		Xapian::PostingIterator it = d->db.postlist_begin(unique);
		if (it == d->db.postlist_end(unique)) {
			*wins = true;
			return NI_OK;
		}
		/* An article file has "": no record comes before it. */
		std::string mine = make_term(FILTER_PREFIXES[NI_FILTER_PARENT],
					     parent, std::strlen(parent));
		*wins = mine <= parent_term(d->db, *it);
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_find(ni_db *d, const char *key, uint32_t *docid,
		     int *related) noexcept
{
	*docid = 0;
	if (related)
		*related = 0;
	try {
		std::string unique = make_term(UNIQUE_PREFIX, key,
					       std::strlen(key));
		Xapian::PostingIterator it = d->db.postlist_begin(unique);
		if (it == d->db.postlist_end(unique))
			return NI_OK;
		*docid = *it;
		if (related) {
			std::string mark = FILTER_PREFIXES[NI_FILTER_RELATED];
			Xapian::TermIterator t = d->db.termlist_begin(*it);
			t.skip_to(mark);
			*related = t != d->db.termlist_end(*it) && *t == mark;
		}
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_filter_count(ni_db *d, enum ni_filter filter,
			     const char *value, size_t len,
			     uint64_t *count) noexcept
{
	*count = 0;
	try {
		check_filter(filter);
		*count = d->db.get_termfreq(
			make_term(FILTER_PREFIXES[filter], value, len));
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

struct ni_values {
	ni_db *db;
	Xapian::ValueIterator it;
	Xapian::ValueIterator end;
	bool started = false;
	std::string value;
};

ni_status ni_db_doc_data(ni_db *d, uint32_t docid, ni_buf *out) noexcept
{
	try {
		std::string data;
		try {
			data = d->db.get_document(docid).get_data();
		} catch (const Xapian::DocNotFoundError &) {
			throw bad_argument("no document " +
					   std::to_string(docid));
		}
		if (ni_buf_add(out, data.data(), data.size()) != NI_OK)
			throw std::bad_alloc();
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_values(ni_db *d, enum ni_slot slot, ni_values **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_values{d, d->db.valuestream_begin(slot),
				     d->db.valuestream_end(slot), false,
				     std::string()};
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_values_next(ni_values *v, uint32_t *docid, const char **value,
			 size_t *len) noexcept
{
	*docid = 0;
	*value = nullptr;
	*len = 0;
	try {
		if (v->started && v->it != v->end)
			++v->it;
		v->started = true;
		if (v->it == v->end)
			return NI_DONE;
		v->value = *v->it;
		*docid = v->it.get_docid();
		*value = v->value.data();
		*len = v->value.size();
		return NI_OK;
	} catch (...) {
		return map_exception(v->db->errmsg);
	}
}

void ni_values_free(ni_values *values) noexcept
{
	delete values;
}

ni_status ni_db_delete(ni_db *d, const char *key) noexcept
{
	try {
		if (!d->writable)
			throw bad_argument("index is open for reading only");
		d->writers[shard_of_key(*d, key)].delete_document(
			make_term(UNIQUE_PREFIX, key, std::strlen(key)));
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_commit(ni_db *d) noexcept
{
	try {
		commit(*d);
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

/* ---- reading -------------------------------------------------------------- */

ni_status ni_db_doc_count(ni_db *d, uint64_t *count) noexcept
{
	*count = 0;
	try {
		*count = d->db.get_doccount();
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_get_metadata(ni_db *d, const char *key, char **value) noexcept
{
	*value = nullptr;
	try {
		std::string text = d->db.get_metadata(key);
		*value = c_string(text);
		return *value ? NI_OK : NI_ENOMEM;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_set_metadata(ni_db *d, const char *key,
			     const char *value) noexcept
{
	try {
		if (!d->writable)
			throw bad_argument("index is open for reading only");
		for (Xapian::WritableDatabase &writer : d->writers)
			writer.set_metadata(key, value);
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

/* ---- queries -------------------------------------------------------------- */

ni_status ni_query_word(ni_db *d, enum ni_field field, const char *word,
			size_t len, ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{word_query(*d, field, word, len)};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_phrase(ni_db *d, enum ni_field field,
			  const char *const *words, const size_t *lens,
			  size_t n_words, ni_query **out) noexcept
{
	(void)d;
	*out = nullptr;
	try {
		check_field(field);
		const char *prefix = FIELDS[field].prefix;
		if (!prefix || n_words == 0)
			throw bad_argument("bad phrase");
		std::vector<Xapian::Query> terms;
		for (size_t i = 0; i < n_words; i++)
			terms.emplace_back(prefix +
					   std::string(words[i], lens[i]));
		*out = new ni_query{Xapian::Query(Xapian::Query::OP_PHRASE,
						  terms.begin(), terms.end(),
						  terms.size())};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_exact_word(ni_db *d, enum ni_field field,
			      const char *word, size_t len,
			      ni_query **out) noexcept
{
	(void)d;
	*out = nullptr;
	try {
		check_field(field);
		const char *prefix = FIELDS[field].prefix;
		if (!prefix)
			throw bad_argument("this field cannot be searched on "
					   "its own");
		*out = new ni_query{Xapian::Query(prefix +
						  std::string(word, len))};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_lookups *ni_lookups_new(void) noexcept
{
	return new (std::nothrow) ni_lookups;
}

void ni_lookups_free(ni_lookups *lookups) noexcept
{
	delete lookups;
}

namespace {

/*
 * The words of the index that start with `start`, best first, at most
 * `max_words` of them, in `e`.  They are chosen here, not by Xapian's
 * OP_WILDCARD at each run of the query: a search runs a query several
 * times (feedback, tiers, the count), and the choice is made once.
 * `worst` is the heap's order: its front is the word to drop first (the
 * least frequent, then the last in byte order); sorted by it, the best
 * come first, so that the first N are the best N for any N.
 */
void expand(ni_db &d, const std::string &start, unsigned max_words,
	    ni_lookups::expansion &e)
{
	using word = std::pair<Xapian::doccount, std::string>;
	auto worst = [](const word &a, const word &b) {
		return a.first > b.first ||
		       (a.first == b.first && a.second < b.second);
	};
	std::vector<word> &kept = e.best;
	e.found = retrying(d, [&] {
		unsigned n = 0;
		kept.clear();
		for (auto t = d.db.allterms_begin(start);
		     t != d.db.allterms_end(start); ++t) {
			n += n < UINT_MAX;
			word w{t.get_termfreq(), *t};
			if (kept.size() < max_words) {
				kept.push_back(std::move(w));
				std::push_heap(kept.begin(), kept.end(), worst);
			} else if (max_words && worst(w, kept.front())) {
				std::pop_heap(kept.begin(), kept.end(), worst);
				kept.back() = std::move(w);
				std::push_heap(kept.begin(), kept.end(), worst);
			}
		}
		return n;
	});
	std::sort_heap(kept.begin(), kept.end(), worst);
	e.kept_for = max_words;
}

} // namespace

ni_status ni_query_prefix(ni_db *d, enum ni_field field, const char *prefix,
			  size_t len, unsigned max_words, ni_lookups *lookups,
			  unsigned *n_words, ni_query **out) noexcept
{
	*out = nullptr;
	*n_words = 0;
	try {
		check_field(field);
		const char *field_prefix = FIELDS[field].prefix;
		if (!field_prefix)
			throw bad_argument("this field cannot be searched on "
					   "its own");
		std::string start = field_prefix + std::string(prefix, len);
		/* Known, unless fewer words than asked for now were kept. */
		ni_lookups::expansion *e = nullptr;
		if (lookups) {
			auto known = lookups->prefixes.find(start);
			if (known != lookups->prefixes.end() &&
			    (max_words <= known->second.kept_for ||
			     known->second.best.size() == known->second.found))
				e = &known->second;
		}
		ni_lookups::expansion own;
		if (!e) {
			expand(*d, start, max_words, own);
			e = lookups ? &(lookups->prefixes[start] =
					std::move(own)) : &own;
		}
		size_t n = std::min<size_t>(max_words, e->best.size());
		std::vector<std::string> terms;
		for (size_t i = 0; i < n; i++) {
			terms.push_back(e->best[i].second);
			if (lookups)
				lookups->freqs[e->best[i].second] =
					e->best[i].first;
		}
		std::sort(terms.begin(), terms.end());
		/* One word's worth of weight, as Xapian's wildcards have. */
		*out = new ni_query{Xapian::Query(Xapian::Query::OP_SYNONYM,
						  terms.begin(), terms.end())};
		*n_words = e->found;
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_query_near(const ni_query *const *parts, size_t n,
			unsigned window, ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{window_query(Xapian::Query::OP_NEAR, parts,
						 n, window)};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_ordered(const ni_query *const *parts, size_t n,
			   unsigned window, ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{window_query(Xapian::Query::OP_PHRASE,
						 parts, n, window)};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_scale(const ni_query *query, double factor,
			 ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{Xapian::Query(
			Xapian::Query::OP_SCALE_WEIGHT, query_of(query),
			factor)};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_match_all(ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{Xapian::Query::MatchAll};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_db_stem(ni_db *d, const char *word, size_t len,
		     struct ni_buf *out) noexcept
{
	try {
		if (!should_stem(word, len))
			return ni_buf_add(out, word, len);
		const std::string &stem = d->stem(std::string(word, len));
		return ni_buf_add(out, stem.data(), stem.size());
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

/* The document indexed with `term`, or 0. */
static Xapian::docid find_document(ni_db &d, const std::string &term)
{
	Xapian::PostingIterator it = d.db.postlist_begin(term);
	return it == d.db.postlist_end(term) ? 0 : *it;
}

ni_status ni_query_like(ni_db *d, const char *key, unsigned n_terms,
			ni_query **out) noexcept
{
	*out = nullptr;
	try {
		size_t len = std::strlen(key);
		*out = new ni_query{retrying(*d, [&] {
			std::string term = make_term(UNIQUE_PREFIX, key, len);
			Xapian::docid id = find_document(*d, term);
			if (!id) {
				term = make_term(
					FILTER_PREFIXES[NI_FILTER_PATH], key,
					len);
				id = find_document(*d, term);
			}
			if (!id)
				throw bad_argument(
					std::string("no article has the URL "
						    "or path \"") +
					key + "\"");
			Xapian::Enquire enquire(d->db);
			Xapian::RSet rset;
			rset.add_document(id);
			Xapian::ExpandDeciderFilterPrefix stems_only("Z");
			Xapian::ESet eset = enquire.get_eset(
				n_terms, rset, EXPAND_FLAGS, &stems_only);
			Xapian::Query like(Xapian::Query::OP_OR, eset.begin(),
					   eset.end());
			return Xapian::Query(Xapian::Query::OP_AND_NOT, like,
					     Xapian::Query(term));
		})};
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_query_feedback(ni_db *d, const ni_query *query,
			    const struct ni_search_params *params,
			    unsigned n_docs, unsigned n_terms, double weight,
			    ni_query **out) noexcept
{
	*out = nullptr;
	try {
		Xapian::ESet eset = retrying(*d, [&] {
			Xapian::Enquire enquire(d->db);
			enquire.set_weighting_scheme(Xapian::BM25Weight(
				params->bm25_k1, 0, 1, params->bm25_b, 0.5));
			enquire.set_query(query_of(query));
			/* Ties as in a search, whatever the document ids. */
			enquire.set_sort_by_relevance_then_value(NI_SLOT_ORDER,
								 false);
			Xapian::MSet top = enquire.get_mset(0, n_docs);
			Xapian::RSet rset;
			for (auto it = top.begin(); it != top.end(); ++it)
				rset.add_document(*it);
			Xapian::ExpandDeciderFilterPrefix stems_only("Z");
			return top.empty() ? Xapian::ESet()
					   : enquire.get_eset(n_terms, rset,
							      EXPAND_FLAGS,
							      &stems_only);
		});
		if (eset.empty())
			return NI_OK;
		/* Each term weighs as much as it tells the top apart. */
		std::vector<Xapian::Query> parts;
		double top_weight = eset.begin().get_weight();
		for (auto t = eset.begin(); t != eset.end(); ++t)
			parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT,
					   Xapian::Query(*t),
					   t.get_weight() / top_weight);
		Xapian::Query terms(Xapian::Query::OP_OR, parts.begin(),
				    parts.end());
		*out = new ni_query{Xapian::Query(
			Xapian::Query::OP_SCALE_WEIGHT, terms, weight)};
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_spelling(ni_db *d, const char *word, size_t len,
			 unsigned max_edits, struct ni_buf *out) noexcept
{
	try {
		std::string fix = retrying(*d, [&] {
			return d->db.get_spelling_suggestion(
				std::string(word, len), max_edits);
		});
		return ni_buf_add(out, fix.data(), fix.size());
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_query_filter(enum ni_filter filter, const char *value,
			  size_t len, ni_query **out) noexcept
{
	*out = nullptr;
	try {
		check_filter(filter);
		*out = new ni_query{Xapian::Query(
			make_term(FILTER_PREFIXES[filter], value, len))};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_range(enum ni_slot slot, double lo, double hi,
			 ni_query **out) noexcept
{
	*out = nullptr;
	try {
		Xapian::Query query;
		if (std::isinf(lo) && std::isinf(hi))
			query = Xapian::Query::MatchAll;
		else if (std::isinf(lo))
			query = Xapian::Query(Xapian::Query::OP_VALUE_LE, slot,
					      Xapian::sortable_serialise(hi));
		else if (std::isinf(hi))
			query = Xapian::Query(Xapian::Query::OP_VALUE_GE, slot,
					      Xapian::sortable_serialise(lo));
		else
			query = Xapian::Query(Xapian::Query::OP_VALUE_RANGE,
					      slot,
					      Xapian::sortable_serialise(lo),
					      Xapian::sortable_serialise(hi));
		*out = new ni_query{query};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_combine(enum ni_query_op op,
			   const ni_query *const *parts, size_t n,
			   ni_query **out) noexcept
{
	*out = nullptr;
	try {
		if (n == 0 || !parts)
			throw bad_argument("nothing to combine");
		std::vector<Xapian::Query> queries;
		for (size_t i = 0; i < n; i++)
			queries.push_back(i > 0 && op == NI_QOP_AND_NOT
					  ? matching_only(query_of(parts[i]))
					  : query_of(parts[i]));
		Xapian::Query::op xop = xapian_op(op);
		Xapian::Query combined;
		if (n == 1)
			combined = queries[0];
		else if (op == NI_QOP_AND || op == NI_QOP_OR)
			combined = Xapian::Query(xop, queries.begin(),
						 queries.end());
		else
			combined = Xapian::Query(
				xop, queries[0],
				Xapian::Query(Xapian::Query::OP_OR,
					      queries.begin() + 1,
					      queries.end()));
		*out = new ni_query{combined};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

namespace {

/*
 * What a query costs (ni_query_postings()), as read from it: each term
 * with how many times its documents count, and the rest, which depends
 * on no term.
 */
struct query_cost {
	std::vector<std::pair<std::string, uint64_t>> terms;
	uint64_t fixed = 0;

	/* The cost, with each term's documents as `freq` gives them. */
	template <typename Freq>
	uint64_t with(Freq freq) const
	{
		uint64_t sum = fixed;
		for (const auto &t : terms)
			sum += t.second * freq(t.first);
		return sum;
	}
};

/*
 * Add what `q` costs to `cost`, each of its terms counting `times` (the
 * product of the factors above it): the documents of each term of `q`,
 * summed over its leaves, each with NI_TERM_POSTINGS: at 200,000
 * articles 1,000 rare words take 0.26 s, 0.25 ms each, and a million
 * postings of frequent words 0.14 s.  A term the query has twice counts
 * twice (Xapian's term iterator would give it once).  Under a phrase
 * they count twice (the positions are read in each), under NEAR three
 * times (it tries the positions in any order, which costs more as the
 * words recur: 300 "the" joined by NEAR took 40 s at 200,000 articles).
 * The recursion is as deep as the query, which ni_qparse bounds.
 */
void read_cost(const Xapian::Database &db, const Xapian::Query &q,
	       uint64_t times, query_cost &cost)
{
	switch (q.get_type()) {
	case Xapian::Query::OP_PHRASE:
		times *= 2;
		break;
	case Xapian::Query::OP_NEAR:
		times *= 3;
		break;
	case Xapian::Query::OP_VALUE_RANGE:
	case Xapian::Query::OP_VALUE_GE:
	case Xapian::Query::OP_VALUE_LE:
		/* A value of every document: 4.7 ms at 200,000. */
		cost.fixed += times * (db.get_doccount() / NI_RANGE_SHARE);
		break;
	default:
		break;
	}
	size_t n = q.get_num_subqueries();
	if (n == 0)
		for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t) {
			cost.fixed += times * NI_TERM_POSTINGS;
			cost.terms.emplace_back(*t, times);
		}
	for (size_t i = 0; i < n; i++)
		read_cost(db, q.get_subquery(i), times, cost);
}

} // namespace

ni_status ni_query_postings(ni_db *d, const ni_query *query,
			    uint64_t *postings) noexcept
{
	*postings = 0;
	try {
		const Xapian::Query &q = query_of(query);
		*postings = retrying(*d, [&] {
			query_cost cost;
			read_cost(d->db, q, 1, cost);
			return cost.with([&](const std::string &term) {
				return d->db.get_termfreq(term);
			});
		});
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_query_fits(ni_db *d, const ni_query *query, uint64_t max,
			ni_lookups *lookups, bool *fits) noexcept
{
	*fits = false;
	try {
		const Xapian::Query &q = query_of(query);
		*fits = retrying(*d, [&] {
			query_cost cost;
			read_cost(d->db, q, 1, cost);
			/* Every term in every document, looked up in none. */
			Xapian::doccount all = d->db.get_doccount();
			if (cost.with([all](const std::string &) {
				return all;
			    }) <= max)
				return true;
			return cost.with([&](const std::string &term) {
				if (!lookups)
					return d->db.get_termfreq(term);
				auto known = lookups->freqs.find(term);
				if (known != lookups->freqs.end())
					return known->second;
				Xapian::doccount n = d->db.get_termfreq(term);
				lookups->freqs.emplace(term, n);
				return n;
			}) <= max;
		});
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

char *ni_query_describe(const ni_query *query) noexcept
{
	try {
		return c_string(query_of(query).get_description());
	} catch (...) {
		return nullptr;
	}
}

void ni_query_free(ni_query *query) noexcept
{
	delete query;
}

/* ---- searching ------------------------------------------------------------ */

ni_status ni_db_search(ni_db *d, const ni_query *query,
		       const struct ni_search_params *params,
		       ni_mset **out) noexcept
{
	*out = nullptr;
	ni_mset *mset = nullptr;
	try {
		mset = new ni_mset;
		retrying(*d, [&] {
			run_search(*d, query_of(query), *params, *mset);
		});
		*out = mset;
		return NI_OK;
	} catch (...) {
		delete mset;
		return map_exception(d->errmsg);
	}
}

size_t ni_mset_size(const ni_mset *mset) noexcept
{
	return mset->hits.size();
}

uint64_t ni_mset_estimated(const ni_mset *mset) noexcept
{
	return mset->estimated;
}

uint64_t ni_mset_lower_bound(const ni_mset *mset) noexcept
{
	return mset->lower_bound;
}

uint64_t ni_mset_upper_bound(const ni_mset *mset) noexcept
{
	return mset->upper_bound;
}

ni_status ni_mset_hit(const ni_mset *mset, size_t i,
		      struct ni_hit *out) noexcept
{
	if (i >= mset->hits.size()) {
		*out = ni_hit();
		return NI_EINVAL;
	}
	const stored_hit &hit = mset->hits[i];
	*out = {hit.docid, hit.score, hit.relevance, hit.quality,
		hit.quality_part, hit.recency_part,
		static_cast<uint32_t>(hit.n_similar), hit.data.data(),
		hit.data.size()};
	return NI_OK;
}

void ni_mset_facet(const ni_mset *mset, enum ni_facet facet,
		   const struct ni_facet_count **counts, size_t *n) noexcept
{
	*counts = nullptr;
	*n = 0;
	if (static_cast<unsigned>(facet) >= NI_FACET_COUNT)
		return;
	*counts = mset->facets[facet].data();
	*n = mset->facets[facet].size();
}

void ni_mset_free(ni_mset *mset) noexcept
{
	delete mset;
}
