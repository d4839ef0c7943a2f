/*
 * newsindex check / compact - look after an index.
 *
 * check runs Xapian's consistency check and ours (ni_db_check); compact
 * writes a compacted copy beside the index and swaps it in.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_builder.h"
#include "ni_cli.h"
#include "ni_config.h"
#include "ni_verify.h"
#include "ni_xapian.h"
#include "commands.h"

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

const char COMPACT_USAGE[] =
	"usage: newsindex compact [--db PATH]\n"
	"\n"
	"Rewrite the index compacted (often a third smaller, and faster to\n"
	"search) and swap it in.  Builds wait: the index is locked for\n"
	"writing while it is copied.  Needs free space for the copy.\n";

/*
 * --db (and --help) for the small commands; -1 when fine, else the exit
 * code.  `takes_args`: whether arguments may follow.
 */
static int parse_db_option(int argc, char **argv, const char *usage,
			   bool takes_args, const char **db_flag)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = next_option(argc, argv, "h", longopts)) != -1) {
		if (opt == 'd') {
			*db_flag = optarg;
		} else if (opt == 'h') {
			fputs(usage, stdout);
			return NI_EXIT_OK;
		} else {
			return NI_EXIT_USAGE;
		}
	}
	if (!takes_args && optind != argc)
		return usage_error(argv[0], "%s takes no arguments but --db: "
				   "'%s'", argv[0], argv[optind]);
	if (takes_args && optind == argc)
		return usage_error(argv[0], "name the SOURCE to %s", argv[0]);
	return -1;
}

/* The index path from --db, the environment or the config file. */
static int index_path(const char *db_flag, struct ni_buf *path)
{
	struct ni_config config = {0};
	int code = load_config(&config);
	if (code < 0 && ni_cli_db_path(db_flag, config.db, path) != NI_OK) {
		report_error("no index path: use --db PATH, set NEWSINDEX_DB "
			     "or db in the config file, or HOME");
		code = NI_EXIT_USAGE;
	}
	ni_config_clear(&config);
	return code;
}

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
	char *detail = NULL;
	int code = NI_EXIT_OK;
	ni_status status = ni_db_check(path, ni_analyzer_settings(), &found,
				       &report, &detail);
	if (status != NI_OK) {
		code = report_open_failure(path, status, detail);
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
	free(detail);
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
			printf("check: %llu files changed since the last "
			       "build, not compared (build first)\n",
			       (unsigned long long)counts.changed);
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
	const char *db_flag = NULL;
	struct ni_buf path = NI_BUF_INIT;
	int code = parse_db_option(argc, argv, CHECK_USAGE, false, &db_flag);
	if (code < 0)
		code = index_path(db_flag, &path);
	if (code >= 0) {
		ni_buf_release(&path);
		return code;
	}
	/* A stub (docs/scaling.md) is checked shard by shard. */
	ni_db *db = NULL;
	char *detail = NULL;
	ni_status status = ni_db_open(path.data, NI_DB_READ_PARTIAL,
				      ni_analyzer_settings(), &db, &detail);
	if (status != NI_OK) {
		code = report_open_failure(path.data, status, detail);
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
	free(detail);
	ni_db_close(db, NULL);
	ni_buf_release(&path);
	return code;
}

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

int remove_index_folder(const char *path)
{
	DIR *dir = opendir(path);
	if (!dir)
		return -1;
	struct dirent *e;
	struct ni_buf file = NI_BUF_INIT;
	int result = 0;
	while ((e = readdir(dir))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		ni_buf_reset(&file);
		struct stat st;
		if (ni_buf_addf(&file, "%s/%s", path, e->d_name) != NI_OK ||
		    lstat(file.data, &st) != 0)
			result = -1;
		else if (S_ISDIR(st.st_mode))  /* a shard's folder */
			result |= remove_index_folder(file.data);
		else if (unlink(file.data) != 0)
			result = -1;
	}
	closedir(dir);
	ni_buf_release(&file);
	return result == 0 ? rmdir(path) : result;
}

int swap_index_in(const char *path, const char *copy)
{
	struct ni_buf old = NI_BUF_INIT;
	if (ni_buf_addf(&old, "%s.old-%ld", path, (long)getpid()) != NI_OK)
		return NI_EXIT_FAILED;
	int code = NI_EXIT_OK;
	if (rename(path, old.data) != 0 || rename(copy, path) != 0) {
		report_error("cannot swap the new index in: %s; it is in %s",
			     strerror(errno), copy);
		code = NI_EXIT_FAILED;
	} else if (remove_index_folder(old.data) != 0) {
		report_error("cannot remove the old index %s: %s", old.data,
			     strerror(errno));
	}
	ni_buf_release(&old);
	return code;
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
		remove_index_folder(copy.data);
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
	const char *db_flag = NULL;
	struct ni_buf path = NI_BUF_INIT;
	int code = parse_db_option(argc, argv, COMPACT_USAGE, false, &db_flag);
	if (code < 0)
		code = index_path(db_flag, &path);
	if (code < 0)
		code = compact(path.data);
	ni_buf_release(&path);
	return code;
}

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
	const char *db_flag = NULL;
	struct ni_buf path = NI_BUF_INIT;
	int code = parse_db_option(argc, argv, FORGET_USAGE, true, &db_flag);
	if (code < 0)
		code = index_path(db_flag, &path);
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
