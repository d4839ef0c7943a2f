/*
 * open.cc - opening an index or the shards of a stub: settings, schema.
 */

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <new>
#include <string>
#include <system_error>
#include <unistd.h>
#include <vector>

#include "internal.h"

namespace ni_xapian {

/* What a new index records: schema, analyzer, default language. */
void record_settings(Xapian::WritableDatabase &writer, const char *analyzer)
{
	writer.set_metadata(KEY_SCHEMA, SCHEMA_VERSION);
	writer.set_metadata(KEY_ANALYZER, analyzer);
	writer.set_metadata(KEY_STEMMER, DEFAULT_STEMMER);
}

} // namespace ni_xapian

namespace {

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

} // namespace

namespace ni_xapian {

void unmark_writer(const std::string &folder)
{
	std::remove((folder + "/" + WRITER_FILE).c_str());
}

} // namespace ni_xapian

namespace {

/*
 * Check the schema and analyzer metadata of `db`, called `name`, in
 * `folder` ("" when remote), or record them through `writer` (NULL when
 * reading) for a new, empty index.  Throws schema_mismatch with a
 * message naming what differs, or a refusal (refuse_unbuilt, or another
 * program's database).  `rebuilding` (NI_DB_REBUILD): any settings, or
 * none, are fine, and none are recorded; only another program's
 * database is refused.  Returns whether it recorded the settings.
 */
bool check_schema(const Xapian::Database &db, const std::string &name,
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
		return false;
	if (schema.empty()) {
		if (!writer)
			refuse_unbuilt(db, name, folder);
		record_settings(*writer, analyzer);
		return true;
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
	return false;
}

} // namespace

namespace ni_xapian {

/* The index's default language, as recorded. */
std::string recorded_language(ni_db &d)
{
	std::string language = d.db.get_metadata(KEY_STEMMER);
	return language.empty() ? DEFAULT_STEMMER : language;
}

} // namespace ni_xapian

namespace {

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
	if (check_schema(d.db, d.path, d.path, analyzer,
			 d.writable ? &d.writers[0] : nullptr, d.rebuilding))
		d.pending = true;
	d.language = &known_stemmer(d, recorded_language(d),
				    "the default language of index " + d.path);
}

/* Whether `name` ends with `suffix` and is more than it. */
bool ends_with(const std::string &name, const char *suffix)
{
	size_t n = std::strlen(suffix);
	return name.size() > n && name.compare(name.size() - n, n, suffix) == 0;
}

/*
 * Glass writes its tables before its version file "iamglass", so a build
 * killed while it created an index leaves a folder Xapian will neither
 * open nor create over.  Without "iamglass" nothing was ever committed:
 * when the folder holds only glass files (tables, "flintlock", and
 * "v.tmp", the version file being written), remove them so the index can
 * be created.  Anything else in it is left for Xapian to complain about.
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
			     ends_with(name, ".glass") || ends_with(name, ".tmp");
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

} // namespace

namespace ni_xapian {

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

} // namespace ni_xapian

namespace {

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

} // namespace

namespace ni_xapian {

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

} // namespace ni_xapian

namespace {

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

} // namespace

namespace ni_xapian {

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

} // namespace ni_xapian

namespace {

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
 * How a writer of `d` opens: a part of a build is not synced at each
 * commit (a killed build starts its parts over, and the merged index is
 * synced when it is written); an index is.
 */
int writer_flags(const ni_db &d)
{
	return Xapian::DB_CREATE_OR_OPEN | Xapian::DB_BACKEND_GLASS |
	       (d.part ? Xapian::DB_NO_SYNC : 0);
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
			Xapian::WritableDatabase writer(local.string(),
							writer_flags(d));
			bool recorded = check_schema(writer, name,
						     local.string(), analyzer,
						     &writer, d.rebuilding);
			fresh[i] = check_place(writer, name, i, n,
					       d.rebuilding);
			d.pending = d.pending || recorded || fresh[i];
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
			d.pending = true;
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
			d.path, writer_flags(d)));
		d.db = d.writers[0];
		read_settings(d, analyzer);
		mark_writer(d.path);
	}
	d.new_words.resize(d.writers.size());
}

} // namespace

namespace ni_xapian {

void open_database(ni_db &d, enum ni_db_mode mode, const char *analyzer)
{
	d.rebuilding = mode == NI_DB_REBUILD;
	d.part = mode == NI_DB_PART;
	if (mode == NI_DB_WRITE || mode == NI_DB_REBUILD || d.part) {
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

} // namespace ni_xapian
