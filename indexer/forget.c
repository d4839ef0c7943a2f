/*
 * newsindex forget - stop indexing a source: delete its articles and
 * remove it from the sources a bare build refreshes (ni_build_forget).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ni_buf.h"
#include "ni_builder.h"
#include "ni_cli.h"
#include "ni_xapian.h"
#include "commands.h"
#include "common.h"

const char FORGET_USAGE[] =
	"usage: newsindex forget [--db PATH] SOURCE...\n"
	"\n"
	"Stop indexing each SOURCE, one of the sources a bare 'newsindex\n"
	"build' refreshes (those of earlier builds): delete the articles\n"
	"of its files (and their related records), but those also under a\n"
	"source that stays, and remove it from the sources.  The files\n"
	"themselves are not touched.  A path that is not one of the sources\n"
	"(a file or folder inside one would come back with its next build)\n"
	"changes nothing: each is named with why, and the exit status is 1.\n";

/* Each line of the library's message `text` as an error of its own. */
static void report_lines(const char *text)
{
	while (*text) {
		int len = (int)strcspn(text, "\n");
		report_error("%.*s", len, text);
		text += len + (text[len] == '\n');
	}
}

/* After a refused forget: nothing was, and what could be. */
static void report_sources(ni_db *db)
{
	char **sources;
	size_t n;
	if (ni_build_sources(db, &sources, &n) != NI_OK) {
		report_error("nothing forgotten");
		return;
	}
	if (!n) {
		report_error("nothing forgotten: this index has no sources");
		return;
	}
	fputs("newsindex: nothing forgotten; the sources of this index: ",
	      stderr);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s'%s'", i ? ", " : "", sources[i]);
	fputc('\n', stderr);
	ni_sources_free(sources, n);
}

static int forget(const char *path, char **sources, size_t n)
{
	ni_db *db = NULL;
	int opened = open_for_writing(path, NI_DB_WRITE, 0, &db);
	if (opened >= 0)
		return opened;
	struct ni_buf errmsg = NI_BUF_INIT;
	struct ni_forget_counts done;
	ni_status status = ni_build_forget(db, (const char *const *)sources, n,
					   &done, &errmsg);
	int code = NI_EXIT_OK;
	if (status == NI_EINVAL) {
		report_lines(ni_buf_str(&errmsg));
		report_sources(db);
		code = NI_EXIT_FAILED;
	} else if (status != NI_OK) {
		report_error("%s", ni_buf_str(&errmsg));
		code = NI_EXIT_FAILED;
	} else {
		printf("forgot %lu source%s, deleted %lu articles",
		       done.sources, done.sources == 1 ? "" : "s",
		       done.deleted);
		if (done.kept)
			printf(", kept %lu (under another source)", done.kept);
		putchar('\n');
	}
	if (ni_db_close(db, NULL) != NI_OK)
		code = NI_EXIT_FAILED;
	ni_buf_release(&errmsg);
	return code;
}

int cmd_forget(int argc, char **argv)
{
	struct ni_buf path = NI_BUF_INIT;
	int code = small_command_index(argc, argv, FORGET_USAGE, true, &path);
	size_t n = (size_t)(argc - optind);
	char **sources = code < 0 ? absolute_sources(argv + optind, n) : NULL;
	if (code < 0 && !sources) {
		report_error("out of memory");
		code = NI_EXIT_FAILED;
	}
	if (code < 0)
		code = forget(path.data, sources, n);
	ni_sources_free(sources, sources ? n : 0);
	ni_buf_release(&path);
	return code;
}
