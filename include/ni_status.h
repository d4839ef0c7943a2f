/*
 * ni_status.h - the one status enum every newsindex library call returns.
 *
 * Every fallible function in libnewsindex returns an ni_status.  NI_OK is
 * zero, so `if (st != NI_OK)` is the usual test.  The detail of a failure
 * (which file, which line, what Xapian said) lives in the handle that
 * failed and is read with that module's *_errmsg() function, or, for a
 * call with no handle, is appended to an ni_buf the caller gives, or
 * fills a struct with its place (docs/architecture.md, "Errors"); this
 * enum only says what kind of failure it was, so callers can map it to
 * an exit code or decide to retry.
 *
 * The list is append-only: values are never renumbered or reused, because
 * they can end up in scripts and logs (the habit curl keeps for CURLcode).
 */
#ifndef NI_STATUS_H
#define NI_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ni_status {
	NI_OK = 0,
	/* An iterator has no more items; not an error. */
	NI_DONE = 1,
	/* Out of memory (malloc, or std::bad_alloc in the wrapper). */
	NI_ENOMEM = 2,
	/* A caller passed an argument the function cannot accept. */
	NI_EINVAL = 3,
	/* A file could not be read or written; the message carries errno. */
	NI_EIO = 4,
	/* An article's front matter is missing or is not valid YAML; the
	 * config file (ni_config.h) or stored data is malformed. */
	NI_EPARSE = 5,
	/* ICU failed (word breaking, normalization, conversion). */
	NI_EUNICODE = 6,
	/* There is no index at the path given. */
	NI_EDB_NOT_FOUND = 7,
	/* Another process holds the index's write lock. */
	NI_EDB_LOCKED = 8,
	/* The index changed under a reader; reopen and try again. */
	NI_EDB_MODIFIED = 9,
	/* Xapian found the index corrupt. */
	NI_EDB_CORRUPT = 10,
	/* The index was written by another Xapian format version. */
	NI_EDB_VERSION = 11,
	/* The index could not be opened for another reason (permissions). */
	NI_EDB_OPENING = 12,
	/* The index was written with another schema or analyzer settings. */
	NI_EDB_SCHEMA = 13,
	/* Any other Xapian::DatabaseError (a failed write, a full disk). */
	NI_EDB = 14,
	/* A remote shard or network backend failed. */
	NI_ENETWORK = 15,
	/* Xapian rejected a query. */
	NI_EQUERY = 16,
	/* Any other Xapian::Error not listed above. */
	NI_EXAPIAN_OTHER = 17,
	/* A C++ standard library exception other than bad_alloc. */
	NI_ECXX = 18,
	/* Something was thrown that is not a std::exception. */
	NI_EUNKNOWN = 19,
	/* The disk holding the index is full (a write failed with ENOSPC). */
	NI_ENOSPC = 20,
	/* The index is being created: a build holds its lock and has not
	 * committed anything yet (not an index to delete). */
	NI_EDB_BUILDING = 21,
	/* A Xapian database with documents, but not a newsindex index
	 * (another program's: never to be deleted by our advice). */
	NI_EDB_FOREIGN = 22,
} ni_status;

/*
 * A short, lowercase, constant description of a status ("index is locked
 * by another writer").  Never NULL; unknown values give "unknown status".
 */
const char *ni_status_str(ni_status status);

#ifdef __cplusplus
}
#endif

#endif
