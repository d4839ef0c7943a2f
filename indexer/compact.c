/*
 * newsindex compact - write a compacted copy beside the index and swap
 * it in.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ni_buf.h"
#include "ni_cli.h"
#include "ni_xapian.h"
#include "commands.h"
#include "common.h"

const char COMPACT_USAGE[] =
	"usage: newsindex compact [--db PATH]\n"
	"\n"
	"Rewrite the index compacted (often a third smaller, and faster to\n"
	"search) and swap it in.  Builds wait: the index is locked for\n"
	"writing while it is copied.  Needs free space for the copy.\n";

/* Bytes in the files of an index folder (and of its shards' folders). */
static unsigned long long folder_bytes(const char *path)
{
	unsigned long long total = 0;
	DIR *dir = opendir(path);
	struct dirent *e;
	struct ni_buf file = NI_BUF_INIT;
	while (dir && (e = readdir(dir))) {
		struct stat st;
		ni_buf_reset(&file);
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    ni_buf_addf(&file, "%s/%s", path, e->d_name) != NI_OK ||
		    lstat(file.data, &st) != 0)
			continue;
		if (S_ISREG(st.st_mode))
			total += (unsigned long long)st.st_size;
		else if (S_ISDIR(st.st_mode))
			total += folder_bytes(file.data);
	}
	if (dir)
		closedir(dir);
	ni_buf_release(&file);
	return total;
}

static int compact(const char *path)
{
	ni_db *db = NULL;
	int opened = open_for_writing(path, NI_DB_WRITE, 0, &db);
	if (opened >= 0)
		return opened;
	struct ni_buf copy = NI_BUF_INIT;
	int code = NI_EXIT_OK;
	unsigned long long before = folder_bytes(path);
	if (ni_buf_addf(&copy, "%s.compact-%ld", path, (long)getpid()) !=
	    NI_OK)
		code = NI_EXIT_FAILED;
	else if (ni_db_compact_to(db, copy.data) != NI_OK) {
		report_error("cannot compact %s: %s", path, ni_db_errmsg(db));
		ni_db_remove_folder(copy.data);
		code = NI_EXIT_FAILED;
	}
	ni_db_close(db, NULL);
	if (code == NI_EXIT_OK)
		code = swap_index_in(path, copy.data);
	if (code == NI_EXIT_OK)
		printf("compacted %s: %.1f MB -> %.1f MB\n", path,
		       (double)before / 1e6, (double)folder_bytes(path) / 1e6);
	ni_buf_release(&copy);
	return code;
}

int cmd_compact(int argc, char **argv)
{
	struct ni_buf path = NI_BUF_INIT;
	int code = small_command_index(argc, argv, COMPACT_USAGE, false, &path);
	if (code < 0)
		code = compact(path.data);
	ni_buf_release(&path);
	return code;
}
