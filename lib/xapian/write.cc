/*
 * write.cc - documents written, deleted and committed, with spelling.
 */

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <set>
#include <string>
#include <vector>

#include "ni_buf.h"
#include "internal.h"

namespace {

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
		doc.doc.add_term(FIELDS[NI_FIELD_ANY].stem_prefix + *stemmed,
				 schema.weight);
	if (!schema.prefix)
		return;
	doc.doc.add_posting(schema.prefix + text, pos);
	if (stemmed)
		doc.doc.add_term(schema.stem_prefix + *stemmed);
}

} // namespace

namespace ni_xapian {

bool story_number(const std::string &hex, uint64_t &key)
{
	if (hex.size() != 16)
		return false;
	key = 0;
	for (char c : hex) {
		unsigned digit;
		if (c >= '0' && c <= '9')
			digit = static_cast<unsigned>(c - '0');
		else if (c >= 'a' && c <= 'f')
			digit = static_cast<unsigned>(c - 'a' + 10);
		else
			return false;
		key = key << 4 | digit;
	}
	return true;
}

} // namespace ni_xapian

namespace {

/* The bit of the story keyed `key` in a map of 2^log2 bits. */
uint64_t story_bit(uint64_t key, unsigned log2)
{
	return key * NI_STORY_COPIES_MIX >> (64 - log2);
}

/* An empty map of 2^log2 bits. */
story_copies empty_copies(unsigned log2)
{
	story_copies map;
	map.log2 = log2;
	map.stored.assign(2 + (size_t{1} << log2) / 8, '\0');
	map.stored[0] = static_cast<char>(NI_STORY_COPIES_FORMAT);
	map.stored[1] = static_cast<char>(log2);
	return map;
}

/* The story key `key` as stored: 16 hex digits, as "%016llx" writes
 * them (by hand: one for each document written). */
std::string story_hex(uint64_t key)
{
	static const char digits[] = "0123456789abcdef";
	std::string hex(16, '0');
	for (size_t i = 16; i-- > 0; key >>= 4)
		hex[i] = digits[key & 0xf];
	return hex;
}

/* Bits set in `map`. */
size_t bits_set_in(const story_copies &map)
{
	size_t n = 0;
	for (size_t i = 2; i < map.stored.size(); i++)
		n += static_cast<size_t>(__builtin_popcount(
			static_cast<unsigned char>(map.stored[i])));
	return n;
}

} // namespace

namespace ni_xapian {

bool story_copies::read(const std::string &value)
{
	log2 = 0;
	stored.clear();
	bits_set = 0;
	if (value.size() < 2 || value[0] != NI_STORY_COPIES_FORMAT)
		return false;
	unsigned size = static_cast<unsigned char>(value[1]);
	if (size < STORY_COPIES_MIN_LOG2 || size > STORY_COPIES_MAX_LOG2 ||
	    value.size() != 2 + (size_t{1} << size) / 8)
		return false;
	log2 = size;
	stored = value;
	return true;
}

bool story_copies::marked(uint64_t key) const
{
	uint64_t bit = story_bit(key, log2);
	return static_cast<unsigned char>(stored[2 + bit / 8]) >> (bit % 8) &
	       1;
}

bool story_copies::may_have_copies(const std::string &story) const
{
	uint64_t key;
	return log2 == 0 || !story_number(story, key) || marked(key);
}

bool story_copies::mark(uint64_t key)
{
	uint64_t bit = story_bit(key, log2);
	char &byte = stored[2 + bit / 8];
	char mask = static_cast<char>(1u << (bit % 8));
	if (byte & mask)
		return false;
	byte = static_cast<char>(byte | mask);
	bits_set++;
	return true;
}

/*
 * The map of the stories of `db` with two documents or more, made anew:
 * 16 bits or more for each, so that few stories without copies share a
 * bit with one that has them.
 */
story_copies stories_with_copies(const Xapian::Database &db)
{
	std::vector<uint64_t> keys;
	uint64_t key;
	for (auto t = db.allterms_begin(STORY_PREFIX);
	     t != db.allterms_end(STORY_PREFIX); ++t)
		if (t.get_termfreq() >= 2 &&
		    story_number((*t).substr(STORY_PREFIX.size()), key))
			keys.push_back(key);
	unsigned log2 = STORY_COPIES_MIN_LOG2;
	while (log2 < STORY_COPIES_WRITTEN_LOG2 &&
	       (uint64_t{1} << log2) < 16 * uint64_t{keys.size()})
		log2++;
	story_copies map = empty_copies(log2);
	for (uint64_t k : keys)
		map.mark(k);
	return map;
}

std::string doc_table_header(const Xapian::Database &db, Xapian::rev revision)
{
	return std::to_string(NI_DOC_TABLE_FORMAT) + " " +
	       std::to_string(DOC_TABLE_IDS) + " " + db.get_uuid() + " " +
	       std::to_string(revision);
}

std::string doc_table_key(Xapian::docid k)
{
	return std::string(NI_META_DOC_TABLE) + "." + std::to_string(k);
}

std::string doc_shared_key(Xapian::docid k)
{
	return std::string(NI_META_DOC_SHARED) + "." + std::to_string(k);
}

void sort_by_key(std::vector<Xapian::docid> &ks)
{
	std::sort(ks.begin(), ks.end(), [](Xapian::docid a, Xapian::docid b) {
		return std::to_string(a) < std::to_string(b);
	});
}

std::string doc_shared_bits(const std::string &chunk)
{
	std::string bits((chunk.size() + 7) / 8, '\0');
	for (size_t i = 0; i < 8 * bits.size(); i++) {
		unsigned char byte = i < chunk.size()
			? static_cast<unsigned char>(chunk[i]) : NI_DOC_UNKNOWN;
		if (byte & NI_DOC_STORY_SHARED)
			bits[i / 8] = static_cast<char>(bits[i / 8] |
							(1 << i % 8));
	}
	return bits;
}

/*
 * A whole number from 0 to 100 stored as sortable_serialise() writes it
 * is kept exact: the search adds quality_scale() times it, as it would
 * the value.  Any other is read from the value.
 */
unsigned char quality_code(const std::string &quality)
{
	if (quality.empty())
		return NI_DOC_QUALITY_NONE;
	double q = Xapian::sortable_unserialise(quality);
	if (!(q >= 0 && q <= 100) || q != static_cast<int>(q) ||
	    Xapian::sortable_serialise(q) != quality)
		return NI_DOC_QUALITY_READ;
	return static_cast<unsigned char>(q);
}

bool doc_table::open(const Xapian::Database &db)
{
	chunks.clear();
	shared_bits.clear();
	usable = db.get_metadata(NI_META_DOC_TABLE) ==
		 doc_table_header(db, db.get_revision());
	return usable;
}

bool doc_table::shared(const Xapian::Database &db, Xapian::docid did)
{
	if (!usable || did == 0)
		return true;
	Xapian::docid k = (did - 1) / DOC_TABLE_IDS;
	auto it = shared_bits.find(k);
	if (it == shared_bits.end())
		it = shared_bits.emplace(k, db.get_metadata(
						    doc_shared_key(k))).first;
	size_t at = (did - 1) % DOC_TABLE_IDS;
	return at / 8 >= it->second.size() ||
	       (static_cast<unsigned char>(it->second[at / 8]) >> at % 8 & 1);
}

void doc_table::read_shared(const Xapian::Database &db,
			    const std::vector<Xapian::docid> &dids)
{
	if (!usable)
		return;
	std::vector<Xapian::docid> ks;
	for (Xapian::docid did : dids)
		if (did != 0 && !shared_bits.count((did - 1) / DOC_TABLE_IDS))
			ks.push_back((did - 1) / DOC_TABLE_IDS);
	std::sort(ks.begin(), ks.end());
	ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
	sort_by_key(ks);
	for (Xapian::docid k : ks)
		shared_bits.emplace(k, db.get_metadata(doc_shared_key(k)));
}

unsigned char doc_table::entry(const Xapian::Database &db, Xapian::docid did)
{
	if (!usable || did == 0)
		return NI_DOC_UNKNOWN;
	Xapian::docid k = (did - 1) / DOC_TABLE_IDS;
	auto it = chunks.find(k);
	if (it == chunks.end())
		it = chunks.emplace(k, db.get_metadata(doc_table_key(k))).first;
	size_t at = (did - 1) % DOC_TABLE_IDS;
	return at < it->second.size()
		? static_cast<unsigned char>(it->second[at]) : NI_DOC_UNKNOWN;
}

/*
 * A document's byte is its quality_code(), with NI_DOC_STORY_SHARED
 * when its story key is one of two documents or more, or not one the
 * wrapper writes (16 hex digits): then only reading it tells.
 */
std::string doc_table_bytes(const Xapian::Database &db)
{
	std::string bytes(db.get_lastdocid(),
			  static_cast<char>(NI_DOC_UNKNOWN));
	for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p)
		bytes[*p - 1] = static_cast<char>(NI_DOC_QUALITY_NONE);
	for (auto v = db.valuestream_begin(NI_SLOT_QUALITY);
	     v != db.valuestream_end(NI_SLOT_QUALITY); ++v)
		bytes[v.get_docid() - 1] = static_cast<char>(quality_code(*v));
	std::set<std::string> shared;
	for (auto t = db.allterms_begin(STORY_PREFIX);
	     t != db.allterms_end(STORY_PREFIX); ++t)
		if (t.get_termfreq() >= 2)
			shared.insert((*t).substr(STORY_PREFIX.size()));
	uint64_t key;
	for (auto v = db.valuestream_begin(NI_SLOT_STORY);
	     v != db.valuestream_end(NI_SLOT_STORY); ++v)
		if (!story_number(*v, key) || shared.count(*v))
			bytes[v.get_docid() - 1] = static_cast<char>(
				bytes[v.get_docid() - 1] |
				NI_DOC_STORY_SHARED);
	return bytes;
}

} // namespace ni_xapian

namespace {

/*
 * Chunks `ks` of `writer`'s table, chunk k `chunk(k)`, and their
 * bitmaps.  Each series in the order of its keys: Xapian fills a block
 * after another with keys inserted in order (and splits blocks half
 * way otherwise), and the bitmap's consecutive chunks are then a few
 * blocks to read.
 */
template <class Chunk>
void set_doc_chunks(Xapian::WritableDatabase &writer,
		    std::vector<Xapian::docid> ks, Chunk chunk)
{
	sort_by_key(ks);
	for (Xapian::docid k : ks)
		writer.set_metadata(doc_table_key(k), chunk(k));
	for (Xapian::docid k : ks)
		writer.set_metadata(doc_shared_key(k),
				    doc_shared_bits(chunk(k)));
}

/* Delete the keys under `series` + "." that are not the number of a
 * chunk below `k` (chunks past the last id: an index renumbered by
 * compaction). */
void delete_stale_chunks(Xapian::WritableDatabase &writer,
			 const std::string &series, Xapian::docid k)
{
	std::string prefix = series + ".";
	std::vector<std::string> stale;
	for (auto m = writer.metadata_keys_begin(prefix);
	     m != writer.metadata_keys_end(prefix); ++m) {
		std::string rest = (*m).substr(prefix.size());
		if (rest.empty() || rest.size() > 9 ||
		    rest.find_first_not_of("0123456789") != std::string::npos ||
		    std::stoul(rest) >= k)
			stale.push_back(*m);
	}
	for (const std::string &key : stale)
		writer.set_metadata(key, "");
}

} // namespace

namespace ni_xapian {

void write_doc_table(Xapian::WritableDatabase &writer)
{
	std::string bytes = doc_table_bytes(writer);
	std::vector<Xapian::docid> ks;
	for (size_t at = 0; at < bytes.size(); at += DOC_TABLE_IDS)
		ks.push_back(static_cast<Xapian::docid>(ks.size()));
	Xapian::docid k = static_cast<Xapian::docid>(ks.size());
	set_doc_chunks(writer, ks, [&bytes](Xapian::docid c) {
		return bytes.substr(size_t{c} * DOC_TABLE_IDS, DOC_TABLE_IDS);
	});
	delete_stale_chunks(writer, NI_META_DOC_TABLE, k);
	delete_stale_chunks(writer, NI_META_DOC_SHARED, k);
	writer.set_metadata(NI_META_DOC_TABLE,
			    doc_table_header(writer, writer.get_revision() + 1));
}

} // namespace ni_xapian

namespace {

/* Writer s's document table, made when first needed (and again after
 * ni_db_adopt_parts). */
ni_db::table_kept &kept_table_of(ni_db &d, size_t s)
{
	if (d.kept_tables.size() != d.writers.size())
		d.kept_tables.resize(d.writers.size());
	return d.kept_tables[s];
}

/* Set document `did`'s byte in writer s's table: `set` ORed in when
 * `only_or`, else the byte. */
void set_doc_byte(ni_db &d, size_t s, Xapian::docid did, unsigned char set,
		  bool only_or)
{
	ni_db::table_kept &kept = kept_table_of(d, s);
	Xapian::docid k = (did - 1) / DOC_TABLE_IDS;
	auto it = kept.chunks.find(k);
	if (it == kept.chunks.end())
		it = kept.chunks.emplace(k, d.writers[s].get_metadata(
						    doc_table_key(k))).first;
	std::string &chunk = it->second;
	size_t at = (did - 1) % DOC_TABLE_IDS;
	if (chunk.size() <= at)
		chunk.resize(at + 1, static_cast<char>(NI_DOC_UNKNOWN));
	unsigned char old = static_cast<unsigned char>(chunk[at]);
	unsigned char now = only_or ? old | set : set;
	if (now == old)
		return;
	chunk[at] = static_cast<char>(now);
	kept.changed.push_back(k);
}

/*
 * Whether writer s's document table is to be made anew at the next
 * commit (below): then the commit writes it though nothing else
 * changed.
 */
bool doc_table_stale(ni_db &d, size_t s)
{
	ni_db::table_kept &kept = kept_table_of(d, s);
	Xapian::WritableDatabase &writer = d.writers[s];
	if (!kept.read || kept.committing) {
		kept.anew = writer.get_metadata(NI_META_DOC_TABLE) !=
			    doc_table_header(writer, writer.get_revision());
		kept.read = true;
		kept.chunks.clear();
		kept.changed.clear();
	}
	return kept.anew;
}

/*
 * Bring writer s's document table up to date with what it wrote since
 * its last commit, for the commit to come (docs/schema.md, "The
 * document table"): each document written gets its byte; a story of
 * two documents or more (the writer counts what it has not committed)
 * gets NI_DOC_STORY_SHARED on all of them.  A document written again
 * gets its byte anew; no other bit is cleared (the copies left of a
 * story deleted down to one, or of one a copy left for another story,
 * keep theirs: a read more), until the table is made anew: when
 * the index has none, or one another program's commit has left behind
 * (of another revision or UUID), or a commit failed half-way.  The
 * header names the revision the commit will have, so a later commit by
 * a program that does not keep the table leaves it unread.
 */
void update_doc_table(ni_db &d, size_t s)
{
	ni_db::table_kept &kept = kept_table_of(d, s);
	Xapian::WritableDatabase &writer = d.writers[s];
	if (doc_table_stale(d, s)) {
		kept.written.clear();
		write_doc_table(writer);
		kept.chunks.clear();
		kept.changed.clear();
		kept.anew = false;
		kept.committing = true;
		return;
	}
	std::set<std::string> shared;
	uint64_t key;
	for (const auto &w : kept.written) {
		bool copies = !w.story.empty() &&
			      (!story_number(w.story, key) ||
			       writer.get_termfreq(STORY_PREFIX + w.story) >= 2);
		set_doc_byte(d, s, w.did, quality_code(w.quality) |
			     (copies ? NI_DOC_STORY_SHARED : 0), false);
		if (copies && story_number(w.story, key))
			shared.insert(w.story);
	}
	kept.written.clear();
	for (const std::string &story : shared)
		for (auto p = writer.postlist_begin(STORY_PREFIX + story);
		     p != writer.postlist_end(STORY_PREFIX + story); ++p)
			set_doc_byte(d, s, *p, NI_DOC_STORY_SHARED, true);
	std::sort(kept.changed.begin(), kept.changed.end());
	kept.changed.erase(std::unique(kept.changed.begin(),
				       kept.changed.end()),
			   kept.changed.end());
	set_doc_chunks(writer, kept.changed, [&kept](Xapian::docid k) {
		return kept.chunks[k];
	});
	kept.changed.clear();
	writer.set_metadata(NI_META_DOC_TABLE,
			    doc_table_header(writer, writer.get_revision() + 1));
	kept.committing = true;
}

/* Writer s's map of the stories that may have copies, made when first
 * needed (and again after ni_db_adopt_parts). */
ni_db::copies_kept &kept_copies_of(ni_db &d, size_t s)
{
	if (d.kept_copies.size() != d.writers.size())
		d.kept_copies.resize(d.writers.size());
	return d.kept_copies[s];
}

/*
 * Bring writer s's map of the stories that may have copies up to date
 * with what it wrote since its last commit, and give it to the writer
 * to commit when it changed.  A story with copies gets its bit; bits
 * are never cleared (a story deleted down to one document keeps its
 * bit: a lookup more), until the map is made anew: when the index has
 * none, or one of a format unknown here, or when more than an eighth of
 * its bits are set (then larger).  A writer sees what it has not yet
 * committed, so it counts the documents the commit will hold.  Returns
 * whether the map was given to the writer.
 */
bool update_story_copies(ni_db &d, size_t s)
{
	ni_db::copies_kept &kept = kept_copies_of(d, s);
	Xapian::WritableDatabase &writer = d.writers[s];
	bool anew = false;
	if (!kept.read) {
		anew = !kept.copies.read(
			writer.get_metadata(KEY_STORY_COPIES));
		kept.copies.bits_set = bits_set_in(kept.copies);
		kept.read = true;
	}
	if (!anew)
		for (uint64_t key : kept.written)
			if (!kept.copies.marked(key) &&
			    writer.get_termfreq(STORY_PREFIX +
					       story_hex(key)) >= 2)
				kept.unsaved |= kept.copies.mark(key);
	kept.written.clear();
	if (kept.copies.log2 < STORY_COPIES_WRITTEN_LOG2 &&
	    kept.copies.bits_set * 8 > (size_t{1} << kept.copies.log2))
		anew = true;
	if (anew) {
		kept.copies = stories_with_copies(writer);
		kept.unsaved = true;
	}
	if (kept.unsaved)
		writer.set_metadata(KEY_STORY_COPIES, kept.copies.stored);
	return kept.unsaved;
}

} // namespace

namespace ni_xapian {

/*
 * Commit what was written, with the spelling data of its words.  Shards
 * commit one after the other, each recording the batch's number, so
 * that a build killed between two of them is told by the next
 * (ni_db_repair_shards).  Torn shards keep their numbers until settled:
 * a settling build killed half-way leaves files not yet indexed again,
 * and the next build must know it too.  An index held for a rebuild is
 * not written (check_schema), and gets no batch number either.
 *
 * A part of a build (NI_DB_PART) adds its spelling data only when
 * `closing`: each add_spelling() looks the word up in the spelling
 * table, and the same words came back in every batch (a part of
 * 100,000 articles has 33).  Its counts are the same: a killed build
 * throws its parts away, and the merge adds up the parts' counts.
 */
void commit(ni_db &d, bool closing)
{
	if (!d.writable || d.rebuilding)
		return;
	bool adds_words = closing || !d.part;
	bool due = d.pending;
	for (size_t s = 0; s < d.writers.size(); s++) {
		/* A part's map and table would be lost: the merge makes
		 * them anew. */
		if (!d.part) {
			due = update_story_copies(d, s) || due;
			due = doc_table_stale(d, s) || due;
		}
		due = due || (adds_words && !d.new_words[s].empty());
	}
	/* Nothing to record: no new revision (ni_db::pending). */
	if (!due)
		return;
	bool sharded = d.writers.size() > 1 && !d.torn;
	if (sharded)
		d.batch++;
	for (size_t s = 0; s < d.writers.size(); s++) {
		if (!d.part)
			update_doc_table(d, s);
		if (adds_words) {
			for (const auto &word : d.new_words[s])
				d.writers[s].add_spelling(word.first,
							  word.second);
			d.new_words[s].clear();
		}
		for (const auto &rider : d.riders)
			d.writers[s].set_metadata(rider.first, rider.second);
		if (sharded)
			d.writers[s].set_metadata(KEY_BATCH,
						  std::to_string(d.batch));
		d.writers[s].commit();
		if (s < d.kept_copies.size())
			d.kept_copies[s].unsaved = false;
		if (s < d.kept_tables.size())
			d.kept_tables[s].committing = false;
	}
	d.riders.clear();
	d.pending = false;
}

} // namespace ni_xapian

namespace {

/* The shard (from 0) the document with the unique key `key` goes to. */
size_t shard_of_key(const ni_db &d, const char *key)
{
	size_t n = d.writers.size();
	if (n < 2)
		return 0;
	return static_cast<size_t>(fnv1a(key, std::strlen(key)) % n);
}

/* The writer of document `id` (as d.db numbers it), and its id there. */
Xapian::WritableDatabase &writer_of(ni_db &d, Xapian::docid id,
				    Xapian::docid &local)
{
	size_t n = d.writers.size();
	local = static_cast<Xapian::docid>((id - 1) / n + 1);
	return d.writers[(id - 1) % n];
}

} // namespace

namespace ni_xapian {

/*
 * The NI_FILTER_PARENT term of document `id` (a related record), or ""
 * (an article file): the order in which documents with one key win.
 */
std::string parent_term(const Xapian::Database &db, Xapian::docid id)
{
	const std::string prefix = filter_prefix(NI_FILTER_PARENT);
	Xapian::TermIterator t = db.termlist_begin(id);
	t.skip_to(prefix);
	if (t == db.termlist_end(id) || (*t).compare(0, prefix.size(),
						      prefix) != 0)
		return "";
	return *t;
}

} // namespace ni_xapian

namespace {

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
	    !term_value(*t, UNIQUE_PREFIX.size(), key))
		return false;
	return make_term(filter_prefix(NI_FILTER_PARENT), key.data(),
			 key.size()) >= holder;
}

} // namespace

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
		if (filter == NI_FILTER_KEY || filter == NI_FILTER_STEMMER ||
		    filter == NI_FILTER_STORY)
			throw bad_argument("a term the wrapper writes itself");
		doc->doc.add_boolean_term(
			make_term(filter_prefix(filter), value, len));
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
		std::string hex = story_hex(fnv1a(key, len));
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
		size_t len = std::strlen(key);
		std::string unique = make_term(UNIQUE_PREFIX, key, len);
		doc->doc.add_boolean_term(unique);
		doc->doc.add_boolean_term(STEMMER_PREFIX + doc->stems->name);
		doc->doc.add_value(NI_SLOT_ORDER, tie_order(key, len));
		size_t s = shard_of_key(*d, key);
		Xapian::docid local = d->writers[s].replace_document(unique,
								     doc->doc);
		d->pending = true;
		uint64_t story;
		if (!d->part &&
		    story_number(doc->doc.get_value(NI_SLOT_STORY), story)) {
			kept_copies_of(*d, s).written.push_back(story);
		}
		if (!d->part)
			kept_table_of(*d, s).written.push_back(
				{local, doc->doc.get_value(NI_SLOT_QUALITY),
				 doc->doc.get_value(NI_SLOT_STORY)});
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
			d->pending = true;
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
		d->pending = true;
		/* The document table holds the quality and the story's. */
		if (!d->part &&
		    (slot == NI_SLOT_QUALITY || slot == NI_SLOT_STORY))
			kept_table_of(*d, (docid - 1) % d->writers.size())
				.written.push_back(
					{local, doc.get_value(NI_SLOT_QUALITY),
					 doc.get_value(NI_SLOT_STORY)});
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
		std::string term = make_term(filter_prefix(filter), value,
					     len);
		/* Xapian's reads see what is not yet committed. */
		for (Xapian::WritableDatabase &writer : d->writers)
			if (writer.get_termfreq(term) != 0) {
				writer.delete_document(term);
				d->pending = true;
			}
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
		std::string lists = make_term(filter_prefix(NI_FILTER_LISTS),
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
		const std::string prefix = filter_prefix(NI_FILTER_LISTS);
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
		if (!d->writable)
			throw bad_argument("index is open for reading only");
		std::string term = make_term(filter_prefix(filter), value,
					     len);
		std::string key;
		bool any = false;
		for (auto id = d->db.postlist_begin(term);
		     id != d->db.postlist_end(term); ++id) {
			any = true;
			auto t = d->db.termlist_begin(*id);
			t.skip_to(UNIQUE_PREFIX);
			if (t == d->db.termlist_end(*id) ||
			    (*t)[0] != UNIQUE_PREFIX[0] ||
			    !term_value(*t, UNIQUE_PREFIX.size(), key))
				continue;
			if (ni_buf_add(keys, key.c_str(), key.size() + 1) !=
			    NI_OK)
				throw std::bad_alloc();
		}
		/* `db` reads every writer, uncommitted changes included:
		 * no document has the term, none is to be deleted (the
		 * usual case: every article file asks for its records). */
		if (!any)
			return NI_OK;
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
		std::string mine = make_term(filter_prefix(NI_FILTER_PARENT),
					     parent, std::strlen(parent));
		*wins = mine <= parent_term(d->db, *it);
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_delete(ni_db *d, const char *key) noexcept
{
	try {
		if (!d->writable)
			throw bad_argument("index is open for reading only");
		Xapian::WritableDatabase &writer =
			d->writers[shard_of_key(*d, key)];
		std::string unique = make_term(UNIQUE_PREFIX, key,
					       std::strlen(key));
		if (writer.get_termfreq(unique) != 0) {
			writer.delete_document(unique);
			d->pending = true;
		}
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

ni_status ni_db_give_words(ni_db *from, ni_db *to) noexcept
{
	try {
		if (!from->part || !to->part ||
		    from->new_words.size() != to->new_words.size())
			throw bad_argument("words go from a part to a part of "
					   "as many shards");
		for (size_t s = 0; s < from->new_words.size(); s++) {
			auto &theirs = to->new_words[s];
			for (const auto &word : from->new_words[s])
				theirs[word.first] += word.second;
			from->new_words[s].clear();
		}
		return NI_OK;
	} catch (...) {
		return map_exception(from->errmsg);
	}
}
