/*
 * newsindex build - index article files.
 *
 * Walks the sources, indexes every article file, names on stderr each
 * file it skipped and why, and ends with a one-line summary on stdout.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_cli.h"
#include "ni_indexer.h"
#include "ni_walk.h"
#include "ni_xapian.h"
#include "commands.h"

/*
 * Articles written between commits.  Xapian keeps a batch in memory and
 * its cost per document grows with the batch: a few thousand is cheaper
 * than its default 10,000 (bench/README.md).
 */
#define COMMIT_EVERY 3000

struct build {
	ni_db *db;
	ni_indexer *indexer;
	bool quiet;
	unsigned long indexed;
	unsigned long skipped;
	unsigned long warned;
	unsigned long errors;        /* folders that could not be read */
	unsigned long bad_sources;   /* named sources that could not be */
	unsigned long since_commit;
	ni_status fatal;             /* stops the walk */
};

static const char BUILD_USAGE[] =
	"usage: newsindex build [--db PATH] [--max-file-size BYTES] [--quiet]\n"
	"                       SOURCE...\n"
	"\n"
	"Index the articles in each SOURCE, a file or a folder (walked\n"
	"recursively for *.txt, *.md and *.markdown; hidden entries skipped).\n"
	"An article already in the index (same webUrl, originalUrl or path)\n"
	"is replaced, never duplicated.\n"
	"\n"
	"  --db PATH             the index (default: $NEWSINDEX_DB, else the\n"
	"                        config file's db, else\n"
	"                        $XDG_DATA_HOME/newsindex)\n"
	"  --max-file-size BYTES skip larger files (default 16777216)\n"
	"  -q, --quiet           do not print warnings, only skipped files\n"
	"  -h, --help            show this help\n"
	"\n"
	"Each skipped file is named on stderr with the reason, as\n"
	"'PATH: line L col C: REASON'; the summary goes to stdout.\n"
	"Exit status: 0 done (even if files were skipped), 1 the index could\n"
	"not be written or a SOURCE could not be read, 2 bad usage.\n";

static double seconds_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void print_place(const char *path, unsigned line, unsigned column)
{
	fprintf(stderr, "%s: ", path);
	if (line)
		fprintf(stderr, "line %u col %u: ", line, column);
}

static void report_file(struct build *b, const char *path,
			const struct ni_index_result *res)
{
	if (!res->indexed) {
		print_place(path, res->line, res->column);
		fprintf(stderr, "%s\n", res->reason);
		return;
	}
	if (b->quiet)
		return;
	for (size_t i = 0; i < res->n_warnings; i++) {
		print_place(path, res->warnings[i].line,
			    res->warnings[i].column);
		fprintf(stderr, "warning: %s\n", res->warnings[i].message);
	}
	if (res->n_warnings_dropped)
		fprintf(stderr, "%s: warning: %zu more warnings\n", path,
			res->n_warnings_dropped);
	if (res->n_words_dropped)
		fprintf(stderr, "%s: warning: %zu words longer than %d bytes "
			"not indexed\n", path, res->n_words_dropped,
			NI_ANALYZER_MAX_WORD);
}

static int index_one(void *ctx, const char *path)
{
	struct build *b = ctx;
	struct ni_index_result res;
	ni_status status = ni_indexer_add_file(b->indexer, path, &res);
	if (status != NI_OK) {
		b->fatal = status;
		report_error("%s", ni_indexer_errmsg(b->indexer));
		return 1;
	}
	report_file(b, path, &res);
	if (!res.indexed) {
		b->skipped++;
		return 0;
	}
	b->indexed++;
	b->warned += res.n_warnings > 0;
	if (++b->since_commit < COMMIT_EVERY)
		return 0;
	b->since_commit = 0;
	status = ni_db_commit(b->db);
	if (status != NI_OK) {
		b->fatal = status;
		report_error("cannot commit to the index: %s",
			     ni_db_errmsg(b->db));
		return 1;
	}
	return 0;
}

static void report_problem(void *ctx, const char *path, int errnum,
			   bool is_source)
{
	struct build *b = ctx;
	b->errors++;
	b->bad_sources += is_source;
	if (errnum == ELOOP)
		report_error("%s: skipped: folder already walked (a link loop, "
			     "or named twice)", path);
	else if (errnum == EINVAL)
		report_error("%s: skipped: not a regular file or folder", path);
	else
		report_error("%s: %s", path, strerror(errnum));
}

/* mkdir -p for the folders above the index: Xapian creates only its own. */
static int make_parent_folders(const char *path)
{
	struct ni_buf dir = NI_BUF_INIT;
	if (ni_buf_adds(&dir, path) != NI_OK)
		return -1;
	int result = 0;
	for (char *slash = dir.data + 1; (slash = strchr(slash, '/'));
	     slash++) {
		*slash = '\0';
		if (mkdir(dir.data, 0777) != 0 && errno != EEXIST) {
			result = -1;
			break;
		}
		*slash = '/';
	}
	ni_buf_release(&dir);
	return result;
}

struct build_options {
	const char *db_flag;
	unsigned long max_file_bytes;
	bool quiet;
};

/* Returns -1 when the options are fine, else the exit code. */
static int parse_options(int argc, char **argv, struct build_options *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"max-file-size", required_argument, NULL, 'm'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			o->db_flag = optarg;
			break;
		case 'm':
			if (!ni_parse_unsigned(optarg, 1UL << 40,
					       &o->max_file_bytes)) {
				report_error("--max-file-size: '%s' is not a "
					     "number of bytes", optarg);
				return NI_EXIT_USAGE;
			}
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			fputs(BUILD_USAGE, stdout);
			return NI_EXIT_OK;
		default:
			fputs(BUILD_USAGE, stderr);
			return NI_EXIT_USAGE;
		}
	}
	if (optind == argc) {
		report_error("no sources given: name the files or folders of "
			     "articles to index (newsindex build DIR)");
		return NI_EXIT_USAGE;
	}
	return -1;
}

static int open_everything(const char *path, struct build *b,
			   ni_analyzer **analyzer)
{
	ni_status status = ni_analyzer_new(analyzer);
	if (status != NI_OK) {
		report_error("cannot start the text analyzer: %s",
			     ni_status_str(status));
		return NI_EXIT_FAILED;
	}
	if (make_parent_folders(path) != 0) {
		report_error("cannot create the folders above %s: %s", path,
			     strerror(errno));
		return NI_EXIT_FAILED;
	}
	char *detail = NULL;
	status = ni_db_open(path, NI_DB_WRITE, ni_analyzer_settings(), &b->db,
			    &detail);
	if (status != NI_OK) {
		int code = report_open_failure(path, status, detail);
		free(detail);
		return code;
	}
	status = ni_indexer_new(b->db, *analyzer, &b->indexer);
	if (status != NI_OK) {
		report_error("%s", ni_status_str(status));
		return NI_EXIT_FAILED;
	}
	return -1;
}

static int finish(struct build *b, const char *path, double seconds)
{
	ni_indexer_free(b->indexer);
	uint64_t total = 0;
	ni_db_doc_count(b->db, &total);
	char *detail = NULL;
	ni_status status = ni_db_close(b->db, &detail);
	if (status != NI_OK) {
		report_error("cannot commit to the index %s: %s", path,
			     detail ? detail : ni_status_str(status));
		free(detail);
		return NI_EXIT_FAILED;
	}
	printf("%s %lu, skipped %lu, warnings %lu, errors %lu in %.2f s; "
	       "index %s holds %llu articles\n",
	       b->fatal ? "stopped after indexing" : "indexed", b->indexed,
	       b->skipped, b->warned, b->errors, seconds, path,
	       (unsigned long long)total);
	if (b->fatal != NI_OK || b->bad_sources)
		return NI_EXIT_FAILED;
	return NI_EXIT_OK;
}

int cmd_build(int argc, char **argv)
{
	struct build_options o = {NULL, NI_DEFAULT_MAX_FILE_BYTES, false};
	int code = parse_options(argc, argv, &o);
	if (code >= 0)
		return code;
	/* Read even with --db: a broken file must not go unnoticed. */
	struct ni_config config = {0};
	code = load_config(&config);
	if (code >= 0)
		return code;
	struct ni_buf path = NI_BUF_INIT;
	ni_status status = ni_cli_db_path(o.db_flag, config.db, &path);
	ni_config_clear(&config);
	if (status != NI_OK) {
		report_error("no index path: use --db PATH, set NEWSINDEX_DB "
			     "or HOME, or db in the config file");
		return NI_EXIT_USAGE;
	}
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct build b = {.quiet = o.quiet};
	ni_analyzer *analyzer = NULL;
	code = open_everything(path.data, &b, &analyzer);
	if (code < 0) {
		ni_indexer_set_max_file_bytes(b.indexer, o.max_file_bytes);
		struct ni_walk_callbacks cb = {index_one, report_problem, &b};
		status = ni_walk((const char *const *)argv + optind,
				 (size_t)(argc - optind), &cb, NULL);
		if (status != NI_OK && b.fatal == NI_OK) {
			report_error("cannot walk the sources: %s",
				     ni_status_str(status));
			b.fatal = status;
		}
		code = finish(&b, path.data, seconds_since(&start));
	} else {
		ni_indexer_free(b.indexer);
		ni_db_close(b.db, NULL);
	}
	ni_analyzer_free(analyzer);
	ni_buf_release(&path);
	return code;
}
