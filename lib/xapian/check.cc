/*
 * check.cc - ni_db_check: what Xapian and the schema say of an index.
 */

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "ni_buf.h"
#include "internal.h"

namespace ni_xapian {

std::vector<orphans> orphaned_records(const Xapian::Database &db)
{
	const std::string prefix = filter_prefix(NI_FILTER_PARENT);
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

} // namespace ni_xapian

namespace {

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
		if (!term_value(*t, UNIQUE_PREFIX.size(), key))
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
		if (!term_value(*t, UNIQUE_PREFIX.size(), key))
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
	       term_value(*t, UNIQUE_PREFIX.size(), key);
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
	std::string term = make_term(filter_prefix(NI_FILTER_LISTS),
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
	std::string lists = make_term(filter_prefix(NI_FILTER_LISTS),
				      key.data(), key.size());
	std::string lister;
	bool found = false;
	for (auto id = db.postlist_begin(lists); id != db.postlist_end(lists);
	     ++id) {
		if (!doc_key(db, *id, lister))
			continue;
		std::string mine = make_term(
			filter_prefix(NI_FILTER_PARENT), lister.data(),
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
 * lib/index/builder.c), and each record is that of the first article listing
 * it by key (ni_db_related_wins), which lists it still.  An index
 * written before articles named what they list (no NI_FILTER_LISTS term
 * at all) cannot tell, and is not checked for it.
 */
void check_related(const Xapian::Database &db, ni_buf *report,
		   uint64_t &count)
{
	const std::string lists = filter_prefix(NI_FILTER_LISTS);
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
	std::string records = make_term(filter_prefix(NI_FILTER_RELATED),
					"", 0);
	const size_t parent_prefix =
		std::strlen(filter_prefix(NI_FILTER_PARENT));
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

/*
 * The document table (NI_META_DOC_TABLE), when it is of the revision
 * read (a search reads it then), against the documents: each byte's
 * quality is the document's (or NI_DOC_QUALITY_READ, or unknown), and
 * a story with copies has NI_DOC_STORY_SHARED on each of them (the bit
 * may be set on a story without copies: a read more); and its bitmap
 * (NI_META_DOC_SHARED) against its bytes, whose NI_DOC_STORY_SHARED
 * bits it holds exactly: a count of stories reads the bitmap alone.
 */
void check_doc_table(const Xapian::Database &db, ni_buf *report,
		     uint64_t &count)
{
	doc_table table;
	if (!table.open(db))
		return;
	std::string want = doc_table_bytes(db);
	Xapian::doccount wrong = 0, wrong_bits = 0;
	Xapian::docid first = 0, first_bits = 0;
	for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
		unsigned char has = table.entry(db, *p);
		if (table.shared(db, *p) != bool(has & NI_DOC_STORY_SHARED) &&
		    !wrong_bits++)
			first_bits = *p;
		unsigned char should = static_cast<unsigned char>(want[*p - 1]);
		unsigned char q = has & 0x7f;
		bool ok = has == NI_DOC_UNKNOWN ||
			  ((q == NI_DOC_QUALITY_READ || q == (should & 0x7f)) &&
			   (has & NI_DOC_STORY_SHARED ||
			    !(should & NI_DOC_STORY_SHARED)));
		if (!ok && !wrong++)
			first = *p;
	}
	if (wrong)
		problem(report, count, "the document table (" +
			std::string(NI_META_DOC_TABLE) + ") disagrees with " +
			std::to_string(wrong) + " documents, the first " +
			std::to_string(first) + " ('newsindex compact' "
			"makes it anew)");
	if (wrong_bits)
		problem(report, count, "the bitmap of the document table (" +
			std::string(NI_META_DOC_SHARED) + ") disagrees with "
			"its bytes for " + std::to_string(wrong_bits) +
			" documents, the first " + std::to_string(first_bits) +
			" ('newsindex compact' makes it anew)");
}

} // namespace

ni_status ni_db_check(const char *path, const char *analyzer,
		      uint64_t *problems, struct ni_buf *report,
		      struct ni_buf *errmsg) noexcept
{
	*problems = 0;
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
			check_doc_table(d.db, report, *problems);
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
			ni_buf_adds(errmsg, msg.c_str());
		return status;
	}
}
