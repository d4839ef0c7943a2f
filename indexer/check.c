/*
 * newsindex check - check an index: Xapian's consistency check of its
 * tables and ours (ni_db_check), then the index against its files
 * (ni_verify_files); a stub's local shards one by one, then across them.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_cli.h"
#include "ni_verify.h"
#include "ni_xapian.h"
#include "commands.h"
#include "common.h"

const char CHECK_USAGE[] =
	"usage: newsindex check [--db PATH]\n"
	"\n"
	"Check the index: Xapian's consistency check of its tables, then\n"
	"newsindex's own (one unique key per article, related records with\n"
	"their parent, each the record a first build keeps), then compare\n"
	"it with its files, read again: a file whose URL, text or size and\n"
	"mtime are not its article's, a file gone or not indexed, a source\n"
	"or folder that cannot be read.  Files changed since the last build\n"
	"are only counted.  Prints each problem, a line naming the file and\n"
	"the key; exit status 0 when there is none, 1 when there are some or\n"
	"the index cannot be read (a damaged one: 'index is corrupt', with\n"
	"the table cut short).  For a stub file of shards or a sharded\n"
	"index (docs/scaling.md), each local shard is checked, remote ones\n"
	"are not (check them on their host), a shard that cannot be opened\n"
	"is a problem; then keys, related records and files across all\n"
	"shards (a key on two shards, or placed in a shard its hash does not\n"
	"give, is a problem).\n";

/*
 * Check one index (or, as a whole, a stub: keys and related records
 * across its shards); its problems are printed and added to `problems`,
 * then, with `summary`, a line that sums them up.  Returns the exit code
 * of a check that could not run; one that found problems has run, and
 * the checks after it run too, so that every problem is said.
 */
static int check_one(const char *path, uint64_t *problems, bool summary)
{
	struct ni_buf report = NI_BUF_INIT;
	uint64_t found = 0;
	struct ni_buf detail = NI_BUF_INIT;
	int code = NI_EXIT_OK;
	ni_status status = ni_db_check(path, ni_analyzer_settings(), &found,
				       &report, &detail);
	if (status != NI_OK) {
		code = report_open_failure(path, status, ni_buf_str(&detail));
	} else if (found) {
		/* Keys are URLs from articles: untrusted. */
		ni_cli_put_escaped(stdout, ni_buf_str(&report),
				   NI_CLI_ESCAPE_LINES);
		if (summary)
			printf("check: %s: %llu problems\n", path,
			       (unsigned long long)found);
	} else if (summary) {
		printf("check: %s: no problems\n", path);
	}
	*problems += found;
	ni_buf_release(&detail);
	ni_buf_release(&report);
	return code;
}

/*
 * Compare the index `db` with the files under its sources
 * (ni_verify_files); its problems are printed and added to `problems`.
 */
static int check_files(ni_db *db, uint64_t *problems)
{
	struct ni_buf report = NI_BUF_INIT;
	struct ni_buf errmsg = NI_BUF_INIT;
	struct ni_verify_counts counts;
	int code = NI_EXIT_OK;
	if (ni_verify_files(db, &counts, &report, &errmsg) != NI_OK) {
		report_error("%s", ni_buf_str(&errmsg));
		code = NI_EXIT_FAILED;
	} else {
		/* Paths and keys come from files: untrusted. */
		ni_cli_put_escaped(stdout, ni_buf_str(&report),
				   NI_CLI_ESCAPE_LINES);
		if (counts.not_compared)
			printf("check: files not compared: %s\n",
			       counts.not_compared);
		if (counts.changed)
			printf("check: %llu %s changed since the last "
			       "build, not compared (build first)\n",
			       (unsigned long long)counts.changed,
			       counts.changed == 1 ? "file" : "files");
		*problems += counts.problems;
	}
	ni_buf_release(&report);
	ni_buf_release(&errmsg);
	return code;
}

/*
 * Check each local shard of the stub `db`, then the keys and related
 * records of all, then the files; remote shards are their host's to
 * check.  A shard that cannot be opened is a problem.
 */
static int check_shards(ni_db *db, const char *path)
{
	int code = NI_EXIT_OK;
	uint64_t problems = 0;
	for (size_t i = 0; i < ni_db_shard_count(db); i++) {
		struct ni_shard_info info;
		if (ni_db_shard_info(db, i, &info) != NI_OK) {
			report_error("%s", ni_db_errmsg(db));
			code = NI_EXIT_FAILED;
		} else if (!info.local) {
			printf("check: %s: remote, not checked here (run "
			       "'newsindex check' on its host)\n", info.name);
		} else if (check_one(info.local, &problems, true) !=
			   NI_EXIT_OK) {
			code = NI_EXIT_FAILED;
		}
	}
	for (size_t i = 0; i < ni_db_missing_count(db); i++) {
		printf("missing %s\n", ni_db_missing(db, i));
		problems++;
	}
	/* Then the keys and related records across the shards, and the
	 * files of all. */
	if (!ni_db_missing_count(db) && code == NI_EXIT_OK)
		code = check_one(path, &problems, false);
	if (!ni_db_missing_count(db) && code == NI_EXIT_OK)
		code = check_files(db, &problems);
	if (problems) {
		printf("check: %s: %llu problems\n", path,
		       (unsigned long long)problems);
		code = NI_EXIT_FAILED;
	} else if (code == NI_EXIT_OK) {
		printf("check: %s: no problems in its local shards, nor "
		       "across them\n", path);
	}
	return code;
}

int cmd_check(int argc, char **argv)
{
	struct ni_buf path = NI_BUF_INIT;
	int code = small_command_index(argc, argv, CHECK_USAGE, false, &path);
	if (code >= 0) {
		ni_buf_release(&path);
		return code;
	}
	/* A stub (docs/scaling.md) is checked shard by shard. */
	ni_db *db = NULL;
	struct ni_buf detail = NI_BUF_INIT;
	ni_status status = ni_db_open(path.data, NI_DB_READ_PARTIAL,
				      ni_analyzer_settings(), &db, &detail);
	if (status != NI_OK) {
		code = report_open_failure(path.data, status,
					   ni_buf_str(&detail));
	} else if (ni_db_shard_count(db) || ni_db_missing_count(db)) {
		code = check_shards(db, path.data);
	} else {
		uint64_t problems = 0;
		code = check_one(path.data, &problems, false);
		if (code == NI_EXIT_OK)
			code = check_files(db, &problems);
		if (problems) {
			printf("check: %s: %llu problems\n", path.data,
			       (unsigned long long)problems);
			code = NI_EXIT_FAILED;
		} else if (code == NI_EXIT_OK) {
			printf("check: %s: no problems\n", path.data);
		}
	}
	ni_buf_release(&detail);
	ni_db_close(db, NULL);
	ni_buf_release(&path);
	return code;
}
