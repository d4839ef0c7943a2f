/*
 * ni_strmap.h - a hash map from byte strings to numbers.
 *
 * What an incremental build needs to remember per file and per URL (the
 * file's row in a table, the first file that claimed a URL): keys are
 * copied into the map; values are whatever the caller indexes with.
 * Open addressing with FNV-1a, grown at 50% load.
 *
 * Ownership: the map owns copies of its keys; ni_strmap_release() frees
 * them.  A zeroed struct (NI_STRMAP_INIT) is an empty map.
 */
#ifndef NI_STRMAP_H
#define NI_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ni_status.h"

struct ni_strmap_slot {
	char *key;           /* NULL: empty slot */
	size_t len;
	size_t value;
};

struct ni_strmap {
	struct ni_strmap_slot *slots;
	size_t cap;          /* a power of two, or 0 */
	size_t count;
};

#define NI_STRMAP_INIT {NULL, 0, 0}

/*
 * The map's hash of `len` bytes at `key`: 64-bit FNV-1a, the same on
 * every machine and in every build, so it may be stored (ni_indexer
 * stamps a file with the hash of its bytes).
 */
uint64_t ni_strmap_hash(const char *key, size_t len);

/*
 * Map `key` (`len` bytes) to `value`, replacing an earlier value.
 * NI_ENOMEM when memory ran out (the map is unchanged).
 */
ni_status ni_strmap_put(struct ni_strmap *map, const char *key, size_t len,
			size_t value);

/* The value of `key` in *value, and true; false when it is not there. */
bool ni_strmap_get(const struct ni_strmap *map, const char *key, size_t len,
		   size_t *value);

/* Free the keys and the table, and leave an empty map. */
void ni_strmap_release(struct ni_strmap *map);

#endif
