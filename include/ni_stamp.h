/*
 * ni_stamp.h - a file's stamp: what a build compares to tell whether an
 * article file changed since the index read it, and how it is kept in
 * the index (the NI_SLOT_FILE value of its document).
 *
 * The builder (ni_builder.h) skips a file whose stamp is the same as
 * the one its document records; newsindex check (ni_verify.h) reads the
 * same stamps with the same rule.  One rule, here, for both.
 *
 * Nothing here allocates: a parsed value points into the value given.
 */
#ifndef NI_STAMP_H
#define NI_STAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "ni_buf.h"
#include "ni_status.h"

/*
 * What the next build compares to tell a changed file: what git's index
 * compares (its stat data), and the bytes' hash for a racy stamp.
 */
struct ni_file_stamp {
	int64_t mtime_ns;        /* modification time, ns since the epoch */
	/* Status change time: the system sets it to the time of every
	 * change of the file (written, renamed, its times or mode set),
	 * and no program can set it, unlike the modification time, which
	 * `mv` keeps and `cp -p` or `touch -d` set. */
	int64_t ctime_ns;
	uint64_t size;
	uint64_t inode;          /* another file at the path has another */
	uint64_t hash;           /* 64-bit FNV-1a of the bytes read */
	/* Changed so shortly before it was read that another change in the
	 * same clock tick could leave its times, size and inode the same:
	 * the next build reads the file and compares `hash` too. */
	bool racy;
};

/* The stat data of `st` as a stamp (hash 0, not racy). */
struct ni_file_stamp ni_stamp_of_stat(const struct stat *st);

/*
 * Whether two stamps say the same file, unchanged: what git's index
 * compares, but for the owner (a change of owner changes the ctime).
 * The device is not compared either: a network or removable disk's
 * changes when mounted again, not its files.  The hash is not compared
 * (only a racy stamp's file is read to compare it).
 */
bool ni_stamp_same_stat(const struct ni_file_stamp *a,
			const struct ni_file_stamp *b);

/*
 * A document's NI_SLOT_FILE value: "MTIME_NS CTIME_NS SIZE INODE HASH
 * RACY\0PATH\0KEY".  The first format of schema 2, "MTIME_NS SIZE\0PATH
 * \0KEY", is read too, as an `old` stamp: only its mtime and size are
 * set, and nothing in it tells a file swapped with another of the same
 * size and time, so a build reads its file again.
 */
struct ni_stamp_value {
	struct ni_file_stamp stamp;
	bool old;
	const char *path;        /* NUL-ended, inside the value */
	const char *key;         /* `key_len` bytes, inside the value */
	size_t key_len;
};

/* Append the NI_SLOT_FILE value of `stamp`, `path` and `key` to `out`.
 * NI_OK or NI_ENOMEM. */
ni_status ni_stamp_format(const struct ni_file_stamp *stamp,
			  const char *path, const char *key,
			  struct ni_buf *out);

/* Parse the `len` bytes at `value`; false when they are not a value of
 * either format (not ours to understand: such a document is left be). */
bool ni_stamp_parse(const char *value, size_t len,
		    struct ni_stamp_value *out);

#endif
