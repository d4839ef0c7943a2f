/*
 * db.cc - the index handle: opened, closed, its settings, reads.
 */

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <new>
#include <string>

#include "ni_buf.h"
#include "internal.h"

/* ---- opening and closing ------------------------------------------------ */

ni_status ni_db_open(const char *path, enum ni_db_mode mode,
		     const char *analyzer, ni_db **out,
		     struct ni_buf *errmsg) noexcept
{
	*out = nullptr;
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
			ni_buf_adds(errmsg, msg.c_str());
		return status;
	}
}

ni_status ni_db_close(ni_db *d, struct ni_buf *errmsg) noexcept
{
	if (!d)
		return NI_OK;
	ni_status status = NI_OK;
	try {
		commit(*d, true);
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
			ni_buf_adds(errmsg, msg.c_str());
	}
	delete d;
	return status;
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
			d->pending = true;
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

/* ---- reading -------------------------------------------------------------- */

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
			std::string mark = filter_prefix(NI_FILTER_RELATED);
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
			make_term(filter_prefix(filter), value, len));
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

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

ni_status ni_db_reopen(ni_db *d, bool *changed) noexcept
{
	*changed = false;
	try {
		if (d->writable)
			throw bad_argument("index is open for writing");
		*changed = d->db.reopen();
		if (*changed)
			d->stemmers_checked.clear();
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_revision(ni_db *d, uint64_t *revision, bool *known) noexcept
{
	*revision = 0;
	*known = false;
	try {
		/* Xapian numbers the revisions of one index only. */
		if (!d->stub.empty())
			return NI_OK;
		*revision = d->db.get_revision();
		*known = true;
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_uuid(ni_db *d, char **uuid) noexcept
{
	*uuid = nullptr;
	try {
		*uuid = c_string(d->db.get_uuid());
		return *uuid ? NI_OK : NI_ENOMEM;
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
		d->riders.erase(key);
		/* The same value again is no change: Xapian would commit a
		 * new revision for it. */
		for (Xapian::WritableDatabase &writer : d->writers)
			if (writer.get_metadata(key) != value) {
				writer.set_metadata(key, value);
				d->pending = true;
			}
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_set_metadata_with(ni_db *d, const char *key,
				  const char *value) noexcept
{
	try {
		if (!d->writable)
			throw bad_argument("index is open for reading only");
		d->riders[key] = value;
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}
