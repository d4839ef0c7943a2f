/*
 * ni_walk.h - find the article files under the sources a user names.
 *
 * A source is a file or a folder.  A file named as a source is always
 * read, whatever its name.  A folder is walked recursively in name order,
 * and in it only files ending in .txt, .md or .markdown (any case) are
 * articles.  Hidden files and folders (names starting with '.') are
 * skipped.  Symbolic links are followed, but a folder already visited (the
 * same device and inode) is never entered twice, so link loops end.
 *
 * The walker reports through callbacks and never prints.  Paths handed to
 * the callbacks are owned by the walker and valid only during the call.
 */
#ifndef NI_WALK_H
#define NI_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "ni_status.h"

struct ni_walk_callbacks {
	/*
	 * An article file to index, with what stat() said of it.  Return 0
	 * to go on, non-zero to stop the walk (ni_walk() then returns NI_OK
	 * and sets *stopped_by).
	 */
	int (*file)(void *ctx, const char *path, const struct stat *st);
	/*
	 * A source or folder that could not be read, with errno's value
	 * (ENOENT for a source that does not exist, EACCES, ELOOP for a
	 * folder reached again through a link, EINVAL for a source that is
	 * neither a file nor a folder).  `is_source` is true when `path` is
	 * one of the sources given.  The walk goes on.
	 */
	void (*problem)(void *ctx, const char *path, int errnum,
			bool is_source);
	void *ctx;
};

/*
 * Walk `n_sources` sources in the order given.  Returns NI_OK when the walk
 * ran to the end or was stopped by a callback, NI_ENOMEM when memory ran
 * out.  `stopped_by` (may be NULL) receives the file callback's non-zero
 * return value, or 0.
 */
ni_status ni_walk(const char *const *sources, size_t n_sources,
		  const struct ni_walk_callbacks *callbacks, int *stopped_by);

/* Whether a file name found in a folder is one of the article endings. */
int ni_walk_is_article_name(const char *name);

/*
 * Whether `path` is `dir` or under it, by their text ("/a/b" is under
 * "/a" and "/a/", not under "/a/b2"): what a walk of `dir` lists.
 */
bool ni_walk_is_under(const char *path, const char *dir);

/*
 * Whether a walk of `source` may list `path` (a file or folder under
 * it, or the source itself) by its name: no hidden name on the way from
 * the source to it; a file also needs an article name
 * (ni_walk_is_article_name) unless it is the source.  `is_folder` says
 * which `path` is.  Nothing is read: the caller knows what `path` is.
 */
bool ni_walk_reaches(const char *path, const char *source, bool is_folder);

/*
 * The order a walk of one folder lists two paths under it in (negative,
 * 0 or positive, as strcmp): name by name, each folder's entries in
 * byte order, so "a/b.txt" comes before "a.txt".
 */
int ni_walk_compare(const char *a, const char *b);

#endif
