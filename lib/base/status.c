/* ni_status_str: see include/ni_status.h. */
#include "ni_status.h"

const char *ni_status_str(ni_status status)
{
	switch (status) {
	case NI_OK: return "success";
	case NI_DONE: return "no more items";
	case NI_ENOMEM: return "out of memory";
	case NI_EINVAL: return "invalid argument";
	case NI_EIO: return "input/output error";
	case NI_EPARSE: return "cannot parse front matter";
	case NI_EUNICODE: return "unicode processing failed";
	case NI_EDB_NOT_FOUND: return "no index found";
	case NI_EDB_LOCKED: return "index is locked by another writer";
	case NI_EDB_MODIFIED: return "index was modified while reading";
	case NI_EDB_CORRUPT: return "index is corrupt";
	case NI_EDB_VERSION: return "index format version not supported";
	case NI_EDB_OPENING: return "cannot open index";
	case NI_EDB_SCHEMA: return "index schema or analyzer settings differ";
	case NI_EDB: return "index operation failed";
	case NI_ENETWORK: return "remote index failed";
	case NI_EQUERY: return "invalid query";
	case NI_EXAPIAN_OTHER: return "xapian error";
	case NI_ECXX: return "internal c++ error";
	case NI_EUNKNOWN: return "unknown internal error";
	case NI_ENOSPC: return "no space left on the device";
	case NI_EDB_BUILDING: return "index is being built";
	case NI_EDB_FOREIGN: return "not a newsindex index";
	}
	return "unknown status";
}
