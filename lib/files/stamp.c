/* ni_stamp: see include/ni_stamp.h. */
#include "ni_stamp.h"

#include <stdio.h>
#include <string.h>

static int64_t ns_of(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

struct ni_file_stamp ni_stamp_of_stat(const struct stat *st)
{
	return (struct ni_file_stamp){.mtime_ns = ns_of(&st->st_mtim),
				      .ctime_ns = ns_of(&st->st_ctim),
				      .size = (uint64_t)st->st_size,
				      .inode = (uint64_t)st->st_ino};
}

bool ni_stamp_same_stat(const struct ni_file_stamp *a,
			const struct ni_file_stamp *b)
{
	return a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns &&
	       a->size == b->size && a->inode == b->inode;
}

ni_status ni_stamp_format(const struct ni_file_stamp *stamp,
			  const char *path, const char *key,
			  struct ni_buf *out)
{
	ni_status status = ni_buf_addf(out, "%lld %lld %llu %llu %016llx %d",
				       (long long)stamp->mtime_ns,
				       (long long)stamp->ctime_ns,
				       (unsigned long long)stamp->size,
				       (unsigned long long)stamp->inode,
				       (unsigned long long)stamp->hash,
				       stamp->racy ? 1 : 0);
	if (status == NI_OK)
		status = ni_buf_add(out, "", 1);
	if (status == NI_OK)
		status = ni_buf_add(out, path, strlen(path) + 1);
	if (status == NI_OK)
		status = ni_buf_adds(out, key);
	return status;
}

bool ni_stamp_parse(const char *value, size_t len, struct ni_stamp_value *out)
{
	const char *path = memchr(value, '\0', len);
	const char *key = path ? memchr(path + 1, '\0',
					len - (size_t)(path + 1 - value))
			       : NULL;
	if (!key)
		return false;
	/* sscanf stops at the first NUL: it reads the stamp part only. */
	long long mtime, ctime;
	unsigned long long size, inode, hash;
	int racy, end = 0;
	int n = sscanf(value, "%lld %lld %llu %llu %16llx %d%n", &mtime,
		       &ctime, &size, &inode, &hash, &racy, &end);
	*out = (struct ni_stamp_value){0};
	if (n == 6 && value + end == path && (racy == 0 || racy == 1)) {
		out->stamp = (struct ni_file_stamp){mtime, ctime, size, inode,
						    hash, racy};
	} else if (sscanf(value, "%lld %llu%n", &mtime, &size, &end) == 2 &&
		   value + end == path) {
		out->stamp = (struct ni_file_stamp){.mtime_ns = mtime,
						    .size = size};
		out->old = true;
	} else {
		return false;
	}
	out->path = path + 1;
	out->key = key + 1;
	out->key_len = len - (size_t)(key + 1 - value);
	return true;
}
