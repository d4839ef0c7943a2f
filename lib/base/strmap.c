/* ni_strmap: see include/ni_strmap.h. */
#include "ni_strmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

uint64_t ni_strmap_hash(const char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding `key`, or the empty slot where it would go. */
static struct ni_strmap_slot *find(const struct ni_strmap *map,
				   const char *key, size_t len)
{
	size_t mask = map->cap - 1;
	for (size_t i = ni_strmap_hash(key, len) & mask;; i = (i + 1) & mask) {
		struct ni_strmap_slot *slot = &map->slots[i];
		if (!slot->key || (slot->len == len &&
				   !memcmp(slot->key, key, len)))
			return slot;
	}
}

static ni_status grow(struct ni_strmap *map)
{
	size_t cap = map->cap ? map->cap * 2 : 64;
	struct ni_strmap bigger = {calloc(cap, sizeof *map->slots), cap,
				   map->count};
	if (!bigger.slots)
		return NI_ENOMEM;
	for (size_t i = 0; i < map->cap; i++)
		if (map->slots[i].key)
			*find(&bigger, map->slots[i].key, map->slots[i].len) =
				map->slots[i];
	free(map->slots);
	*map = bigger;
	return NI_OK;
}

ni_status ni_strmap_put(struct ni_strmap *map, const char *key, size_t len,
			size_t value)
{
	if ((map->count + 1) * 2 > map->cap && grow(map) != NI_OK)
		return NI_ENOMEM;
	struct ni_strmap_slot *slot = find(map, key, len);
	if (!slot->key) {
		char *copy = malloc(len + 1);
		if (!copy)
			return NI_ENOMEM;
		memcpy(copy, key, len);
		copy[len] = '\0';
		*slot = (struct ni_strmap_slot){copy, len, 0};
		map->count++;
	}
	slot->value = value;
	return NI_OK;
}

bool ni_strmap_get(const struct ni_strmap *map, const char *key, size_t len,
		   size_t *value)
{
	if (!map->cap)
		return false;
	const struct ni_strmap_slot *slot = find(map, key, len);
	if (!slot->key)
		return false;
	*value = slot->value;
	return true;
}

void ni_strmap_release(struct ni_strmap *map)
{
	for (size_t i = 0; i < map->cap; i++)
		free(map->slots[i].key);
	free(map->slots);
	*map = (struct ni_strmap)NI_STRMAP_INIT;
}
