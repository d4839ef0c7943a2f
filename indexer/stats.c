/*
 * newsindex stats - show what an index holds.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_builder.h"
#include "ni_cli.h"
#include "ni_xapian.h"
#include "commands.h"

static const char STATS_USAGE[] =
	"usage: newsindex stats [--db PATH]\n"
	"\n"
	"Print the index's path, its numbers of articles and related records,\n"
	"its last build and sources, and the schema and analyzer it was built\n"
	"with, one 'key: value' line each.  For a stub file of shards\n"
	"(docs/scaling.md): the totals, then a 'shard:' line for each shard\n"
	"and a 'missing:' line for each one that cannot be opened (exit\n"
	"status 1).\n";

static void print_metadata(ni_db *db, const char *label, const char *key)
{
	char *value = NULL;
	if (ni_db_get_metadata(db, key, &value) == NI_OK)
		printf("%s: %s\n", label, value);
	free(value);
}

static void print_counts(ni_db *db, const char *path)
{
	uint64_t total = 0, related = 0;
	ni_db_doc_count(db, &total);
	ni_db_filter_count(db, NI_FILTER_RELATED, "", 0, &related);
	printf("index: %s\narticles: %llu\nrelated records: %llu\n", path,
	       (unsigned long long)(total - related),
	       (unsigned long long)related);
}

/*
 * The shards of a stub, one line each, and those that cannot be opened;
 * the exit code.
 */
static int print_shards(ni_db *db)
{
	int code = NI_EXIT_OK;
	printf("shards: %zu\n",
	       ni_db_shard_count(db) + ni_db_missing_count(db));
	for (size_t i = 0; i < ni_db_shard_count(db); i++) {
		struct ni_shard_info info;
		if (ni_db_shard_info(db, i, &info) != NI_OK) {
			report_error("%s", ni_db_errmsg(db));
			code = NI_EXIT_FAILED;
			continue;
		}
		printf("shard: %s: articles %llu, related records %llu\n",
		       info.name,
		       (unsigned long long)(info.docs - info.related),
		       (unsigned long long)info.related);
	}
	for (size_t i = 0; i < ni_db_missing_count(db); i++) {
		printf("missing: %s\n", ni_db_missing(db, i));
		code = NI_EXIT_FAILED;
	}
	return code;
}

/* One "source:" line per remembered source (what a bare build walks). */
static void print_sources(ni_db *db)
{
	char **sources;
	size_t n;
	if (ni_build_sources(db, &sources, &n) != NI_OK)
		return;
	for (size_t i = 0; i < n; i++)
		printf("source: %s\n", sources[i]);
	ni_sources_free(sources, n);
}

int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *db_flag = NULL;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == 'd') {
			db_flag = optarg;
		} else if (opt == 'h') {
			fputs(STATS_USAGE, stdout);
			return NI_EXIT_OK;
		} else {
			fputs(STATS_USAGE, stderr);
			return NI_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		report_error("stats takes no arguments but --db");
		return NI_EXIT_USAGE;
	}
	/* Read even with --db: a broken file must not go unnoticed. */
	struct ni_config config = {0};
	int code = load_config(&config);
	if (code >= 0)
		return code;
	struct ni_buf path = NI_BUF_INIT;
	ni_status status = ni_cli_db_path(db_flag, config.db, &path);
	ni_config_clear(&config);
	if (status != NI_OK) {
		report_error("no index path: use --db PATH, set NEWSINDEX_DB "
			     "or HOME, or db in the config file");
		return NI_EXIT_USAGE;
	}
	ni_db *db = NULL;
	char *detail = NULL;
	/* Partial: a shard down must not hide the others' numbers. */
	status = ni_db_open(path.data, NI_DB_READ_PARTIAL,
			    ni_analyzer_settings(), &db, &detail);
	code = NI_EXIT_OK;
	if (status != NI_OK) {
		code = report_open_failure(path.data, status, detail);
	} else if (ni_db_shard_count(db)) {
		/* Last builds and sources are each shard's own. */
		print_counts(db, path.data);
		code = print_shards(db);
		print_metadata(db, "schema", NI_META_SCHEMA);
		print_metadata(db, "analyzer", NI_META_ANALYZER);
		print_metadata(db, "stemmer", NI_META_STEMMER);
	} else {
		print_counts(db, path.data);
		print_metadata(db, "last build", NI_META_LAST_BUILD);
		print_sources(db);
		print_metadata(db, "schema", NI_META_SCHEMA);
		print_metadata(db, "analyzer", NI_META_ANALYZER);
		print_metadata(db, "stemmer", NI_META_STEMMER);
	}
	free(detail);
	ni_db_close(db, NULL);
	ni_buf_release(&path);
	return code;
}
