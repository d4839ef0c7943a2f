/*
 * newsquery - search a newsindex index.
 *
 * Reads the options, runs the search (ni_search.h) and shows the page of
 * results for a person or as JSON (render.h).  Exit status as grep's:
 * 0 something matched, 1 nothing did, 2 an error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_cli.h"
#include "ni_config.h"
#include "ni_search.h"
#include "ni_version.h"
#include "ni_xapian.h"
#include "render.h"

/* A page larger than this is surely a mistake (and costs memory). */
#define MAX_LIMIT 10000

static const char USAGE[] =
	"usage: newsquery [OPTIONS] QUERY...\n"
	"\n"
	"Search the articles indexed by 'newsindex build'.  Articles with all\n"
	"the words of QUERY come first, then those with some of them; within\n"
	"each, the best BM25 match first, lifted a little by its quality.\n"
	"\n"
	"  --db PATH             the index (default: $NEWSINDEX_DB, else the\n"
	"                        config file's db, else\n"
	"                        $XDG_DATA_HOME/newsindex)\n"
	"  -n, --limit N         show N results (default 10)\n"
	"  --offset N            skip the first N results (default 0)\n"
	"  --json                print one JSON object (docs/json.md)\n"
	"  --quality-weight W    how much quality (0-100) lifts a result:\n"
	"                        score = BM25 + W * quality / 100 (default 1;\n"
	"                        0 ranks by relevance alone)\n"
	"  --bm25-k1 K, --bm25-b B  BM25 parameters (default 1.6 and 0.75)\n"
	"  --color WHEN          auto (default), always or never; NO_COLOR\n"
	"                        turns auto off\n"
	"  -h, --help            show this help\n"
	"  --version             show the version\n"
	"\n"
	"The config file, ~/.config/newsindex/config.yaml (or the file\n"
	"$NEWSINDEX_CONFIG names), can set the defaults of --db, --limit,\n"
	"--quality-weight, --bm25-k1, --bm25-b and --color; options win.\n"
	"\n"
	"Exit status: 0 something matched, 1 nothing matched, 2 an error.\n"
	"See newsquery(1).\n";

struct options {
	const char *db_flag;
	const char *color;   /* NULL until --color or the config file */
	bool json;
	struct ni_search_options search;
	/* Set by their flags: the config file must not override them. */
	bool limit_given;
	bool quality_weight_given;
	bool bm25_k1_given;
	bool bm25_b_given;
	/*
	 * Read from the config file but not used yet: links in the output,
	 * a lift for recent articles and the default --facets list come
	 * with the query language work.  NULL or 0 when not set.
	 */
	const char *hyperlinks;
	double recent_half_life_days;
	const char *facets;
};

static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("newsquery: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static bool number_option(const char *name, const char *text,
			  unsigned long max, unsigned *out)
{
	unsigned long value;
	if (!ni_parse_unsigned(text, max, &value)) {
		error("%s: '%s' is not a whole number from 0 to %lu", name,
		      text, max);
		return false;
	}
	*out = (unsigned)value;
	return true;
}

static bool real_option(const char *name, const char *text, double lo,
			double hi, double *out)
{
	if (ni_parse_double(text, lo, hi, out))
		return true;
	error("%s: '%s' is not a number from %g to %g", name, text, lo, hi);
	return false;
}

enum { OPT_DB = 256, OPT_OFFSET, OPT_JSON, OPT_QW, OPT_K1, OPT_B,
       OPT_COLOR, OPT_VERSION };

/* One option; false when its value is bad (the error is printed). */
static bool take_option(int opt, struct options *o)
{
	switch (opt) {
	case OPT_DB: o->db_flag = optarg; return true;
	case 'n':
		o->limit_given = true;
		return number_option("--limit", optarg, MAX_LIMIT,
				     &o->search.limit);
	case OPT_OFFSET: return number_option("--offset", optarg, 1000000000,
					      &o->search.offset);
	case OPT_JSON: o->json = true; return true;
	case OPT_QW:
		o->quality_weight_given = true;
		return real_option("--quality-weight", optarg, 0, 1000,
				   &o->search.quality_weight);
	case OPT_K1:
		o->bm25_k1_given = true;
		return real_option("--bm25-k1", optarg, 0, 100,
				   &o->search.bm25_k1);
	case OPT_B:
		o->bm25_b_given = true;
		return real_option("--bm25-b", optarg, 0, 1,
				   &o->search.bm25_b);
	case OPT_COLOR:
		if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
		    strcmp(optarg, "never")) {
			error("--color: '%s' is not auto, always or never",
			      optarg);
			return false;
		}
		o->color = optarg;
		return true;
	}
	return false;
}

/* Returns -1 when the options are fine, else the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, OPT_DB},
		{"limit", required_argument, NULL, 'n'},
		{"offset", required_argument, NULL, OPT_OFFSET},
		{"json", no_argument, NULL, OPT_JSON},
		{"quality-weight", required_argument, NULL, OPT_QW},
		{"bm25-k1", required_argument, NULL, OPT_K1},
		{"bm25-b", required_argument, NULL, OPT_B},
		{"color", required_argument, NULL, OPT_COLOR},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	int opt;
	/* '+': options end at the first word, so a query can hold "-x". */
	while ((opt = getopt_long(argc, argv, "+n:h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			fputs(USAGE, stdout);
			return NI_QUERY_EXIT_MATCH;
		}
		if (opt == OPT_VERSION) {
			printf("newsquery %s\n", NI_VERSION);
			return NI_QUERY_EXIT_MATCH;
		}
		if (opt == '?' || !take_option(opt, o)) {
			if (opt == '?')
				fputs(USAGE, stderr);
			return NI_QUERY_EXIT_ERROR;
		}
	}
	if (optind == argc) {
		error("no query given: newsquery WORDS... (see --help)");
		return NI_QUERY_EXIT_ERROR;
	}
	return -1;
}

/*
 * Read the config file into `config`; returns -1 when it is fine (or
 * absent), else the exit code after saying what is wrong and where.
 */
static int load_config(struct ni_config *config)
{
	struct ni_buf path = NI_BUF_INIT;
	struct ni_parse_error err = {0};
	ni_status status = ni_cli_load_config(config, &path, &err);
	if (status == NI_EPARSE && err.line)
		error("%s: line %u col %u: %s", ni_buf_str(&path), err.line,
		      err.column, err.message);
	else if (status == NI_EPARSE || status == NI_EIO)
		error("%s: %s", ni_buf_str(&path), err.message);
	else if (status != NI_OK)
		error("cannot read the config file %s: %s", ni_buf_str(&path),
		      ni_status_str(status));
	ni_buf_release(&path);
	return status == NI_OK ? -1 : NI_QUERY_EXIT_ERROR;
}

/* The config file's values, where no option gave one. */
static void apply_config(struct options *o, const struct ni_config *c)
{
	if (c->has_limit && !o->limit_given)
		o->search.limit = c->limit;
	if (c->has_quality_weight && !o->quality_weight_given)
		o->search.quality_weight = c->quality_weight;
	if (c->has_bm25_k1 && !o->bm25_k1_given)
		o->search.bm25_k1 = c->bm25_k1;
	if (c->has_bm25_b && !o->bm25_b_given)
		o->search.bm25_b = c->bm25_b;
	if (!o->color)
		o->color = c->color ? c->color : "auto";
	o->hyperlinks = c->hyperlinks;
	if (c->has_recent_half_life_days)
		o->recent_half_life_days = c->recent_half_life_days;
	o->facets = c->facets;
}

static ni_status join_words(int argc, char **argv, struct ni_buf *out)
{
	ni_status status = NI_OK;
	for (int i = optind; status == NI_OK && i < argc; i++) {
		if (i > optind)
			status = ni_buf_addch(out, ' ');
		if (status == NI_OK)
			status = ni_buf_adds(out, argv[i]);
	}
	return status;
}

static unsigned terminal_width(void)
{
	if (!isatty(STDOUT_FILENO))
		return 0;
	struct winsize ws;
	unsigned width = 80;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	return width > 100 ? 100 : width;
}

static int open_index(const char *path, ni_db **db)
{
	char *detail = NULL;
	ni_status status = ni_db_open(path, NI_DB_READ, ni_analyzer_settings(),
				      db, &detail);
	if (status == NI_EDB_NOT_FOUND || status == NI_EDB_OPENING)
		error("no index at %s: run 'newsindex build SOURCE...' to "
		      "create it (%s)", path, detail ? detail : "");
	else if (status == NI_EDB_SCHEMA)
		error("%s; run 'newsindex build' again into a new index",
		      detail ? detail : "");
	else if (status != NI_OK)
		error("cannot open index %s: %s (%s)", path,
		      ni_status_str(status), detail ? detail : "");
	free(detail);
	return status == NI_OK ? -1 : NI_QUERY_EXIT_ERROR;
}

static double ms_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static int search_and_show(ni_db *db, const struct options *o,
			   const char *query, const struct timespec *start)
{
	ni_analyzer *analyzer = NULL;
	struct ni_results results = {0};
	struct ni_buf errmsg = NI_BUF_INIT;
	ni_status status = ni_analyzer_new(&analyzer);
	if (status == NI_OK)
		status = ni_search(db, analyzer, query, &o->search, &results,
				   &errmsg);
	int code = NI_QUERY_EXIT_ERROR;
	if (status != NI_OK) {
		error("%s", errmsg.len ? errmsg.data : ni_status_str(status));
	} else {
		struct render_context ctx = {
			query, o->search.offset, o->search.limit,
			ms_since(start),
			!o->json && ni_cli_use_color(o->color, STDOUT_FILENO),
			terminal_width()};
		if (o->json && !render_json(stdout, &ctx, &results))
			error("out of memory");
		else {
			if (!o->json)
				render_text(stdout, &ctx, &results);
			code = results.n_hits ? NI_QUERY_EXIT_MATCH
					      : NI_QUERY_EXIT_NO_MATCH;
		}
	}
	ni_results_clear(&results);
	ni_buf_release(&errmsg);
	ni_analyzer_free(analyzer);
	return code;
}

int main(int argc, char **argv)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct options o = {0};
	ni_search_options_init(&o.search);
	int code = parse_options(argc, argv, &o);
	if (code >= 0)
		return code;
	/* After the options, so that --help works with a broken file. */
	struct ni_config config = {0};
	code = load_config(&config);
	if (code >= 0)
		return code;
	apply_config(&o, &config);
	struct ni_buf path = NI_BUF_INIT, query = NI_BUF_INIT;
	if (ni_cli_db_path(o.db_flag, config.db, &path) != NI_OK ||
	    join_words(argc, argv, &query) != NI_OK) {
		error("no index path: use --db PATH, set NEWSINDEX_DB or "
		      "db in the config file");
		ni_config_clear(&config);
		return NI_QUERY_EXIT_ERROR;
	}
	ni_db *db = NULL;
	code = open_index(path.data, &db);
	if (code < 0)
		code = search_and_show(db, &o, query.data, &start);
	ni_db_close(db, NULL);
	ni_buf_release(&path);
	ni_buf_release(&query);
	ni_config_clear(&config);
	if (fflush(stdout) != 0 && code != NI_QUERY_EXIT_ERROR) {
		error("cannot write the results");
		code = NI_QUERY_EXIT_ERROR;
	}
	return code;
}
