/*
 * shards.cc - a sharded index as a whole: info, creation, merges, repair.
 */

#include <cerrno>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <vector>

#include "ni_buf.h"
#include "internal.h"

namespace {

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

} // namespace

/* ---- shards --------------------------------------------------------------- */

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
			make_term(filter_prefix(NI_FILTER_RELATED), "", 0));
		return NI_OK;
	} catch (...) {
		*out = ni_shard_info{};
		return map_exception(d->errmsg);
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
			       const char *analyzer,
			       struct ni_buf *errmsg) noexcept
{
	namespace fs = std::filesystem;
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
			ni_buf_adds(errmsg, msg.c_str());
		return status;
	}
}

namespace {

/*
 * The document table of `folder`, a compaction's copy: compaction
 * numbers the documents anew (from 1, gaps closed) and gives the copy
 * another UUID, so the table copied is no longer of it.
 */
void table_of_compacted(const std::string &folder)
{
	Xapian::WritableDatabase writer(folder, Xapian::DB_OPEN |
						Xapian::DB_BACKEND_GLASS);
	write_doc_table(writer);
	writer.commit();
	writer.close();
}

} // namespace

ni_status ni_db_compact_to(ni_db *d, const char *dest) noexcept
{
	try {
		/* Readers' snapshots: the writers' locks stay with `d`. */
		if (d->writers.size() < 2) {
			Xapian::Database snapshot(d->path);
			snapshot.compact(dest);
			table_of_compacted(dest);
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
			table_of_compacted(std::string(dest) + "/" +
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
			/*
			 * The compaction kept one part's map of the stories
			 * that may have copies, if any: copies in two parts
			 * are in neither's.  The map is made anew before the
			 * merged index takes the empty one's place.
			 */
			Xapian::WritableDatabase writer(
				merged, Xapian::DB_OPEN |
						Xapian::DB_BACKEND_GLASS);
			writer.set_metadata(KEY_STORY_COPIES,
					    stories_with_copies(writer).stored);
			/* The parts keep no document table: made here. */
			write_doc_table(writer);
			writer.commit();
			writer.close();
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
		d->kept_copies.clear();
		d->kept_tables.clear();
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
						d->pending = true;
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
			d->pending = true;
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
	/* The next commit gives every shard the same batch number. */
	d->pending = true;
}
