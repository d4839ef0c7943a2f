/*
 * errors.cc - exceptions turned into statuses and messages for C.
 */

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <new>
#include <string>

#include "internal.h"

namespace ni_xapian {

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

} // namespace ni_xapian
