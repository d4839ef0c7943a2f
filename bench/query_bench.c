/*
 * query_bench - time queries inside one process, the index opened once.
 *
 *   query_bench --db PATH [--runs N] [--limit N] QUERIES_FILE
 *
 * Reads one query a line (blank lines and lines starting with '#' are
 * left out), runs every query once untimed (to warm the caches as a
 * long-lived searcher would have them), then N rounds of every query in
 * file order, each run timed: ni_qparse(), then ni_search_run() with
 * pseudo-relevance feedback as newsquery sets it (on when the query has
 * words).  What newsquery does besides (start-up, opening the index,
 * the config file, "did you mean", snippets, printing) is not in it: the
 * difference between this and a whole newsquery process is that cost.
 *
 * Prints one line per query, tab-separated: the query, the number of
 * matching articles, then each run's latency in milliseconds,
 * space-separated.  bench/report.py reads it.  Exit status: 0 done,
 * 1 a query or the index failed, 2 bad usage.
 *
 * Built only with `meson setup BUILD -Dbench=true`; never part of the
 * tests.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_qparse.h"
#include "ni_search.h"
#include "ni_status.h"
#include "ni_xapian.h"

#define MAX_RUNS 10000

static const char USAGE[] =
	"usage: query_bench --db PATH [--runs N] [--limit N] QUERIES_FILE\n";

struct query {
	char *text;
	uint64_t total;
	double *ms;          /* one latency per run */
};

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* Read the queries of `path` into `*out`; -1 on failure (said why). */
static int read_queries(const char *path, struct query **out, size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return -1;
	}
	struct query *qs = NULL;
	size_t count = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' ||
				   line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len || line[0] == '#')
			continue;
		struct query *grown = realloc(qs, (count + 1) * sizeof *qs);
		char *text = strdup(line);
		if (!grown || !text) {
			free(grown ? grown : qs);
			free(text);
			free(line);
			fclose(f);
			fprintf(stderr, "query_bench: out of memory\n");
			return -1;
		}
		qs = grown;
		qs[count++] = (struct query){.text = text};
	}
	free(line);
	fclose(f);
	*out = qs;
	*n = count;
	return 0;
}

/* Parse and run one query; -1 on failure (said why). */
static int run_query(ni_db *db, ni_analyzer *analyzer,
		     const struct ni_search_options *base, struct query *q)
{
	struct ni_parsed_query parsed = {0};
	struct ni_qparse_error err = {0};
	ni_status status = ni_qparse(db, analyzer, q->text, base->now,
				     &parsed, &err);
	if (status != NI_OK) {
		fprintf(stderr, "query_bench: '%s': %s\n", q->text,
			err.message[0] ? err.message : ni_status_str(status));
		return -1;
	}
	struct ni_search_options options = *base;
	options.feedback = options.feedback &&
			   ni_search_wants_feedback(&parsed);
	struct ni_results results = {0};
	struct ni_buf errmsg = NI_BUF_INIT;
	status = ni_search_run(db, parsed.strict, parsed.relaxed, &options,
			       &results, &errmsg);
	if (status != NI_OK)
		fprintf(stderr, "query_bench: '%s': %s\n", q->text,
			errmsg.len ? errmsg.data : ni_status_str(status));
	q->total = results.total;
	ni_buf_release(&errmsg);
	ni_results_clear(&results);
	ni_parsed_query_clear(&parsed);
	return status == NI_OK ? 0 : -1;
}

static int run_all(ni_db *db, ni_analyzer *analyzer,
		   const struct ni_search_options *options,
		   struct query *qs, size_t n, long runs)
{
	for (size_t i = 0; i < n; i++) {
		qs[i].ms = calloc((size_t)runs, sizeof *qs[i].ms);
		if (!qs[i].ms) {
			fprintf(stderr, "query_bench: out of memory\n");
			return -1;
		}
		if (run_query(db, analyzer, options, &qs[i]) < 0)
			return -1;
	}
	/* Rounds over the whole list, so noise spreads over every query. */
	for (long r = 0; r < runs; r++) {
		for (size_t i = 0; i < n; i++) {
			struct timespec a, b;
			clock_gettime(CLOCK_MONOTONIC, &a);
			if (run_query(db, analyzer, options, &qs[i]) < 0)
				return -1;
			clock_gettime(CLOCK_MONOTONIC, &b);
			qs[i].ms[r] = ms_between(&a, &b);
		}
	}
	return 0;
}

static long parse_count(const char *text, const char *what)
{
	char *end;
	long v = strtol(text, &end, 10);
	if (*end || v < 1 || v > MAX_RUNS) {
		fprintf(stderr, "query_bench: bad %s '%s' (1 to %d)\n",
			what, text, MAX_RUNS);
		return -1;
	}
	return v;
}

int main(int argc, char **argv)
{
	const char *db_path = NULL;
	long runs = 10, limit = 10;
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"runs", required_argument, NULL, 'r'},
		{"limit", required_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "d:r:l:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': db_path = optarg; break;
		case 'r': runs = parse_count(optarg, "--runs"); break;
		case 'l': limit = parse_count(optarg, "--limit"); break;
		case 'h': fputs(USAGE, stdout); return 0;
		default: fputs(USAGE, stderr); return 2;
		}
		if (runs < 0 || limit < 0)
			return 2;
	}
	if (!db_path || optind != argc - 1) {
		fputs(USAGE, stderr);
		return 2;
	}

	struct query *qs = NULL;
	size_t n = 0;
	if (read_queries(argv[optind], &qs, &n) < 0)
		return 1;
	ni_db *db = NULL;
	ni_analyzer *analyzer = NULL;
	struct ni_buf detail = NI_BUF_INIT;
	ni_status status = ni_db_open(db_path, NI_DB_READ,
				      ni_analyzer_settings(), &db, &detail);
	int code = 1;
	if (status != NI_OK) {
		fprintf(stderr, "query_bench: cannot open index %s: %s (%s)\n",
			db_path, ni_status_str(status), ni_buf_str(&detail));
	} else if (ni_analyzer_new(&analyzer) != NI_OK) {
		fprintf(stderr, "query_bench: cannot start the analyzer\n");
	} else {
		struct ni_search_options options;
		ni_search_options_init(&options);
		options.limit = (unsigned)limit;
		code = run_all(db, analyzer, &options, qs, n, runs) < 0;
	}
	for (size_t i = 0; !code && i < n; i++) {
		printf("%s\t%llu\t", qs[i].text,
		       (unsigned long long)qs[i].total);
		for (long r = 0; r < runs; r++)
			printf(r ? " %.4f" : "%.4f", qs[i].ms[r]);
		putchar('\n');
	}
	for (size_t i = 0; i < n; i++) {
		free(qs[i].text);
		free(qs[i].ms);
	}
	free(qs);
	ni_buf_release(&detail);
	ni_analyzer_free(analyzer);
	ni_db_close(db, NULL);
	if (fflush(stdout) != 0)
		code = 1;
	return code;
}
