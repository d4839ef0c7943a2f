/*
 * newsquery - search a newsindex index.
 *
 * Reads the options and the config file, parses the query (ni_qparse.h),
 * runs it (ni_search.h), makes a snippet per hit (ni_snippet.h) and shows
 * the page (render.h).  Exit status as grep's: 0 something matched,
 * 1 nothing did, 2 an error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <unicode/utf8.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_cli.h"
#include "ni_config.h"
#include "ni_control.h"
#include "ni_fields.h"
#include "ni_language.h"
#include "ni_qparse.h"
#include "ni_search.h"
#include "ni_snippet.h"
#include "ni_version.h"
#include "ni_xapian.h"
#include "atom.h"
#include "page.h"
#include "render.h"
#include "serve.h"
#include "session.h"

/* Wrap width when the output is not a terminal (snippets are cut still). */
#define DEFAULT_WIDTH 80

static const char USAGE[] =
	"usage: newsquery [OPTIONS] QUERY...\n"
	"       newsquery [OPTIONS] --like URL|PATH [QUERY...]\n"
	"       newsquery [OPTIONS] --serve [[HOST:]PORT]\n"
	"\n"
	"Search the articles indexed by 'newsindex build'.  Articles with all\n"
	"the words of QUERY come first, then those with some of them; within\n"
	"each, the best BM25 match first, lifted a little by its quality.\n"
	"\n"
	"Query: words, \"a phrase\", a OR b, a AND b, a NOT b, (groups),\n"
	"  +required, -excluded, a NEAR/5 b, prefix*, and fields:\n";

/* After the fields (the field table's, ni_fields.h). */
static const char USAGE_AFTER_FIELDS[] =
	"  (see newsquery(1) and docs/query-syntax.md)\n"
	"A query that does not parse (a stray quote or parenthesis) is\n"
	"searched as its words, with a note; a very long one is cut short.\n"
	"A pasted link (or url:) finds its article as shared: http, www.,\n"
	"tracking parameters (utm_*), #fragments, AMP pages do not matter.\n"
	"\n"
	"Results:\n"
	"  -n, --limit N         show N results (default 10; 0: the counts)\n"
	"  --offset N            skip the first N results (default 0)\n"
	"  --sort ORDER          relevance (default), date (newest first),\n"
	"                        date-asc, quality or heat (hottest first,\n"
	"                        unknown heat last); sorted, only articles\n"
	"                        with every word are shown\n"
	"  --recent              favour recent articles: up to 4 points, halving\n"
	"                        every --half-life DAYS (default 7)\n"
	"  --all                 show every copy of a reprinted story\n"
	"  --like URL|PATH       articles like the indexed one with that URL or\n"
	"                        file (within QUERY's matches, if given)\n"
	"  --facets LIST         count topic, provider, month (comma-separated)\n"
	"                        over all matches\n"
	"  --quality-weight W    quality 100 adds W tenths of the best\n"
	"                        match's BM25 (default 1; 0: relevance\n"
	"                        alone)\n"
	"  --no-feedback         no pseudo-relevance feedback (queries of 3\n"
	"                        words or more), e.g. over remote shards,\n"
	"                        where it costs a round trip per term\n"
	"  --feedback            feedback even if the config file says\n"
	"                        feedback: false\n"
	"  --bm25-k1 K, --bm25-b B  BM25 parameters (default 1.6 and 0.75)\n"
	"  --lang LANG           stem and drop stopwords of the query in LANG\n"
	"                        (de, fr-FR, german, none; default: the\n"
	"                        index's default language); exact forms of\n"
	"                        words match in any language\n"
	"Output:\n"
	"  --format FORMAT       text (default), json, jsonl (a line per\n"
	"                        result), paths, urls, tsv or atom (a\n"
	"                        feed, newest first, 20 unless --limit);\n"
	"                        control characters are escaped\n"
	"                        (newsquery(1))\n"
	"  --feed-base URL       with --format atom: the address of a\n"
	"                        newsquery --serve of this index, which\n"
	"                        the feed links to (its /feed and /search)\n"
	"  --json                the same as --format json (docs/json.md)\n"
	"  --count               only the number of matching articles\n"
	"  -0, --null            paths or urls end with NUL, for xargs -0\n"
	"  --explain             each result's tier and score parts: a line\n"
	"                        (text), columns (tsv); JSON always has them\n"
	"  --color WHEN          auto (default), always or never; NO_COLOR\n"
	"                        or TERM=dumb turns auto off\n"
	"  --hyperlinks WHEN     clickable URLs (OSC 8): auto (with colour),\n"
	"                        always or never\n"
	"Other:\n"
	"  --db PATH             the index (default: $NEWSINDEX_DB, else the\n"
	"                        config file's db, else\n"
	"                        $XDG_DATA_HOME/newsindex)\n"
	"  --strict-syntax       refuse a query that does not parse (exit 2)\n"
	"  --no-strict-syntax    search it as words, even if the config\n"
	"                        file says strict_syntax: true\n"
	"  --allow-partial       with a sharded --db (a sharded index or a\n"
	"                        stub file), search the shards that answer,\n"
	"                        warning of each one left out\n"
	"                        (docs/scaling.md)\n"
	"Serving (docs/serving.md):\n"
	"  --serve [[HOST:]PORT] answer over HTTP, a search page and a JSON\n"
	"                        API, on HOST (default 127.0.0.1) and PORT\n"
	"                        (default 8765; 0: any free one) until\n"
	"                        SIGINT or SIGTERM; the options above are\n"
	"                        each request's defaults, those below\n"
	"                        go with --serve alone\n"
	"  --threads N           worker threads (default: one per core)\n"
	"  --serve-paths         answers may show the articles' file paths\n"
	"  --no-thumbnails       the page shows no images from news sites\n"
	"  --log FILE            the access log (default: stderr)\n"
	"  --max-connections N   connections answered at once; more are\n"
	"                        told 503 (default 256)\n"
	"  --timeout SECONDS     an idle connection is closed (default 30)\n"
	"  --allow-origin ORIGIN[,ORIGIN...]\n"
	"                        pages of these origins (or *: any) may\n"
	"                        read the JSON API (CORS); default: only\n"
	"                        the server's own page\n"
	"  --allow-host NAME[,NAME...]\n"
	"                        names (or *: any) a request's Host may give\n"
	"                        besides localhost and IP addresses, as a\n"
	"                        reverse proxy's (default: none)\n"
	"  --public-url URL      the address people reach the server at\n"
	"                        (https://example.org/news/), for the\n"
	"                        absolute URLs of /opensearch.xml; default:\n"
	"                        from each request's Host and X-Forwarded-*\n"
	"  -h, --help            show this help\n"
	"  --version             show the version\n"
	"\n"
	"Options and words may come in any order.  --x is always an option,\n"
	"a single dash only in -n N, -nN, -h and -0: any other -word is a\n"
	"query word (excluded), as is everything after --.\n"
	"\n"
	"The config file, ~/.config/newsindex/config.yaml (or the file\n"
	"$NEWSINDEX_CONFIG names), can set the defaults of --db, --limit,\n"
	"--quality-weight, --bm25-k1, --bm25-b, --color, --hyperlinks,\n"
	"--half-life (recent_half_life_days), --facets, --lang (language),\n"
	"--strict-syntax (strict_syntax), --no-feedback (feedback:\n"
	"false), and --serve's address (serve), --threads (serve_threads),\n"
	"--serve-paths (serve_paths), thumbnails, --allow-origin\n"
	"(allow_origin), --allow-host (allow_host) and --public-url\n"
	"(public_url); options win.\n"
	"\n"
	"Exit status: 0 something matched, 1 nothing matched, 2 an error.\n"
	"See newsquery(1).\n";

struct options {
	const char *db_flag;
	const char *color;       /* NULL until --color or the config file */
	const char *hyperlinks;  /* likewise */
	enum render_format format;
	bool count;              /* --count: only the number of matches */
	bool null;               /* -0: end paths and URLs with a NUL */
	bool allow_partial;      /* --allow-partial */
	/* The query's words, wherever they were among the options. */
	const char **words;
	int n_words;
	/* What the search asks (options.h): --limit, --sort, ... */
	struct query_options q;
	bool serving;            /* --serve */
	const char *serve_address;  /* its [HOST:]PORT, or NULL */
	/* The first option of --serve's given ("threads"), or NULL. */
	const char *serve_only;
	struct serve_settings serve;
	/* --feed-base, ending with '/'; empty without it. */
	struct ni_buf feed_base;
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

static bool when_option(const char *name, const char *text,
			const char **out)
{
	if (strcmp(text, "auto") && strcmp(text, "always") &&
	    strcmp(text, "never")) {
		error("%s: '%s' is not auto, always or never", name, text);
		return false;
	}
	*out = text;
	return true;
}

enum { OPT_DB = 256, OPT_OFFSET, OPT_JSON, OPT_QW, OPT_K1, OPT_B,
       OPT_COLOR, OPT_VERSION, OPT_SORT, OPT_RECENT, OPT_HALF_LIFE,
       OPT_ALL, OPT_LIKE, OPT_FACETS, OPT_FORMAT, OPT_EXPLAIN,
       OPT_NO_FEEDBACK, OPT_FEEDBACK, OPT_HYPERLINKS, OPT_LANG, OPT_ALLOW_PARTIAL,
       OPT_COUNT, OPT_STRICT_SYNTAX, OPT_NO_STRICT_SYNTAX, OPT_FEED_BASE,
       OPT_SERVE };

static const struct option LONGOPTS[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"limit", required_argument, NULL, 'n'},
	{"offset", required_argument, NULL, OPT_OFFSET},
	{"json", no_argument, NULL, OPT_JSON},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"quality-weight", required_argument, NULL, OPT_QW},
	{"bm25-k1", required_argument, NULL, OPT_K1},
	{"bm25-b", required_argument, NULL, OPT_B},
	{"sort", required_argument, NULL, OPT_SORT},
	{"recent", no_argument, NULL, OPT_RECENT},
	{"half-life", required_argument, NULL, OPT_HALF_LIFE},
	{"all", no_argument, NULL, OPT_ALL},
	{"like", required_argument, NULL, OPT_LIKE},
	{"facets", required_argument, NULL, OPT_FACETS},
	{"explain", no_argument, NULL, OPT_EXPLAIN},
	{"no-feedback", no_argument, NULL, OPT_NO_FEEDBACK},
	{"feedback", no_argument, NULL, OPT_FEEDBACK},
	{"color", required_argument, NULL, OPT_COLOR},
	{"hyperlinks", required_argument, NULL, OPT_HYPERLINKS},
	{"lang", required_argument, NULL, OPT_LANG},
	{"allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL},
	{"count", no_argument, NULL, OPT_COUNT},
	{"null", no_argument, NULL, '0'},
	{"strict-syntax", no_argument, NULL, OPT_STRICT_SYNTAX},
	{"no-strict-syntax", no_argument, NULL, OPT_NO_STRICT_SYNTAX},
	{"feed-base", required_argument, NULL, OPT_FEED_BASE},
	SERVE_LONGOPTS(OPT_SERVE),
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, OPT_VERSION},
	{NULL, 0, NULL, 0},
};

/* The long name of option `opt` ("limit" for -n). */
static const char *long_name(int opt)
{
	for (const struct option *o = LONGOPTS; o->name; o++)
		if (o->val == opt)
			return o->name;
	return "";
}

/*
 * --feed-base URL: an http(s) URL that can be a link, without a query
 * or a fragment, kept with a '/' at its end, for the feed's links are
 * made by adding "feed?..." and "search?..." to it.
 */
static bool feed_base(struct options *o, const char *url)
{
	bool nomem;
	ni_buf_reset(&o->feed_base);
	if (page_base_url(url, &o->feed_base, &nomem))
		return true;
	if (nomem)
		error("out of memory");
	else
		error("--feed-base: '%s' is not an http or https URL "
		      "(https://news.example.org/)", url);
	return false;
}

/* One option; false when its value is bad (the error is said). */
static bool take_option(int opt, struct options *o)
{
	switch (opt) {
	case OPT_DB: o->db_flag = optarg; return true;
	case OPT_JSON: o->format = FORMAT_JSON; return true;
	case OPT_COUNT: o->count = true; return true;
	case '0': o->null = true; return true;
	case OPT_ALLOW_PARTIAL: o->allow_partial = true; return true;
	case OPT_COLOR: return when_option("--color", optarg, &o->color);
	case OPT_HYPERLINKS:
		return when_option("--hyperlinks", optarg, &o->hyperlinks);
	case OPT_FORMAT:
		if (render_format_named(optarg, &o->format))
			return true;
		error("--format: '%s' is not text, json, jsonl, paths, urls, "
		      "tsv or atom", optarg);
		return false;
	case OPT_FEED_BASE:
		return feed_base(o, optarg);
	}
	struct ni_buf problem = NI_BUF_INIT;
	const char *name = long_name(opt);
	if (opt >= OPT_SERVE && !o->serve_only)
		o->serve_only = name;
	bool ok = opt >= OPT_SERVE
		? serve_option(&o->serve, opt - OPT_SERVE, optarg, &problem)
		: query_option_set(&o->q, name, optarg, false,
				   &QUERY_CLI_BOUNDS, &problem);
	if (!ok)
		error("--%s: %s", name, ni_buf_str(&problem));
	ni_buf_release(&problem);
	return ok;
}

/*
 * Whether `arg` is an option rather than a query word.  Options may come
 * anywhere (GNU argument permutation), but a query excludes a word with
 * "-word": so an argument that starts with "--" is always an option (or
 * "--", the end of them), one with a single dash only when it is exactly
 * one of ours ("-h", "-0", "-n" with its value next, "-n" and digits),
 * and any other "-word", like "-" alone, is a query word.  So is text
 * pasted whole that starts with dashes (front matter's "---" and what
 * follows it): white space before any '=' is in no option's name.
 */
static bool is_option(const char *arg)
{
	if (arg[0] != '-' || !arg[1])
		return false;
	if (arg[1] == '-') {
		size_t name = strcspn(arg, "=");
		return strcspn(arg, " \t\n\r\v\f") >= name;
	}
	if (!strcmp(arg, "-h") || !strcmp(arg, "-0"))
		return true;
	return arg[1] == 'n' && !arg[2 + strspn(arg + 2, "0123456789")];
}

/* Options that do not go together; -1 when they do, else the exit code. */
static int options_agree(const struct options *o)
{
	if (o->count && o->format != FORMAT_TEXT) {
		error("--count prints only a number: it takes no --format "
		      "or --json");
		return NI_QUERY_EXIT_ERROR;
	}
	if (o->null && o->format != FORMAT_PATHS &&
	    o->format != FORMAT_URLS) {
		error("-0/--null goes with --format paths or urls");
		return NI_QUERY_EXIT_ERROR;
	}
	if (o->feed_base.len && o->format != FORMAT_ATOM) {
		error("--feed-base goes with --format atom");
		return NI_QUERY_EXIT_ERROR;
	}
	/* Refused rather than ignored: `--threads 8 oil` would look as
	 * if it did something. */
	if (o->serve_only) {
		error("--%s goes with --serve", o->serve_only);
		return NI_QUERY_EXIT_ERROR;
	}
	if (o->format == FORMAT_ATOM && o->q.like) {
		error("--format atom is the feed of a query: it takes no "
		      "--like");
		return NI_QUERY_EXIT_ERROR;
	}
	/* Refused rather than ignored: a feed is the newest first. */
	bool other_sort = (o->q.given & QUERY_GIVEN_SORT) &&
			  o->q.search.sort != NI_SORT_DATE;
	if (o->format == FORMAT_ATOM &&
	    (other_sort || o->q.given & (QUERY_GIVEN_OFFSET |
					 QUERY_GIVEN_FACETS |
					 QUERY_GIVEN_RECENT))) {
		error("--format atom lists the newest articles first: it "
		      "takes no --sort (but date), --offset, --facets or "
		      "--recent");
		return NI_QUERY_EXIT_ERROR;
	}
	return -1;
}

/* --help: the usage, with the fields of the field table. */
static int usage(void)
{
	struct ni_buf fields = NI_BUF_INIT;
	if (ni_field_usage(&fields, "  ", 80) != NI_OK) {
		ni_buf_release(&fields);
		error("out of memory");
		return NI_QUERY_EXIT_ERROR;
	}
	printf("%s%s%s", USAGE, ni_buf_str(&fields), USAGE_AFTER_FIELDS);
	ni_buf_release(&fields);
	return NI_QUERY_EXIT_MATCH;
}

/*
 * --serve [[HOST:]PORT]: the address may follow as a word of its own;
 * anything else a search would take is refused, not ignored.
 */
static int serve_agrees(struct options *o)
{
	const char *address = o->n_words == 1 ? o->words[0] : NULL;
	if (o->n_words > (o->serve_address ? 0 : 1)) {
		error("--serve takes an address ([HOST:]PORT), not a query: "
		      "'%s'", o->words[o->n_words - 1]);
		return NI_QUERY_EXIT_ERROR;
	}
	if (o->feed_base.len) {
		error("--feed-base goes with --format atom");
		return NI_QUERY_EXIT_ERROR;
	}
	if (o->count || o->null || o->format != FORMAT_TEXT || o->q.like) {
		error("--serve answers each request as it asks: it takes no "
		      "--count, -0, --format, --json or --like");
		return NI_QUERY_EXIT_ERROR;
	}
	if (address) {
		o->serve_address = address;
		o->n_words = 0;
	}
	return -1;
}

/* Returns -1 when the options are fine, else the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	o->words = calloc((size_t)argc, sizeof *o->words);
	if (!o->words) {
		error("out of memory");
		return NI_QUERY_EXIT_ERROR;
	}
	/*
	 * getopt_long() is given one option at a time ('+': it stops at a
	 * word), so that is_option() decides what is a word; ':' and
	 * opterr = 0: the messages are ours.
	 */
	opterr = 0;
	while (optind < argc) {
		const char *arg = argv[optind];
		if (!strcmp(arg, "--")) {
			while (++optind < argc)
				o->words[o->n_words++] = argv[optind];
			break;
		}
		if (!is_option(arg)) {
			o->words[o->n_words++] = argv[optind++];
			continue;
		}
		struct ni_buf problem = NI_BUF_INIT;
		int opt = ni_cli_getopt(argc, argv, "+n:h0", LONGOPTS,
					&problem);
		if (opt == 'h')
			return usage();
		if (opt == OPT_VERSION) {
			printf("newsquery %s\n", NI_VERSION);
			return NI_QUERY_EXIT_MATCH;
		}
		if (opt == '?') {
			/* Only a refusal writes to `problem`. */
			error("%s (see --help)", ni_buf_str(&problem));
			ni_buf_release(&problem);
			return NI_QUERY_EXIT_ERROR;
		}
		if (opt == OPT_SERVE + SERVE_OPT_SERVE) {
			o->serving = true;
			o->serve_address = optarg;
		} else if (!take_option(opt, o)) {
			return NI_QUERY_EXIT_ERROR;
		}
	}
	if (o->serving)
		return serve_agrees(o);
	if (!o->n_words && !o->q.like) {
		error("no query given: newsquery WORDS... (see --help)");
		return NI_QUERY_EXIT_ERROR;
	}
	return options_agree(o);
}

/*
 * --count: no page, no facets, no feedback (which only reorders); the
 * number of every match, exact however large.
 */
static void count_only(struct ni_search_options *search)
{
	search->offset = 0;
	search->limit = 0;
	search->facets = 0;
	search->feedback = false;
	search->exact_total = true;
	search->all_copies = true;  /* articles are counted: no stories */
}

/*
 * Read the config file into `config`; returns -1 when it is fine (or
 * absent), else the exit code after saying what is wrong and where.
 */
static int load_config(struct ni_config *config)
{
	struct ni_buf message = NI_BUF_INIT;
	int code = -1;
	if (ni_cli_read_config(config, &message) != NI_OK) {
		error("%s", ni_buf_str(&message));
		code = NI_QUERY_EXIT_ERROR;
	}
	ni_buf_release(&message);
	return code;
}

/*
 * The config file's values, where no option gave one.  Returns -1 when
 * they are usable, else the exit code.
 */
static int apply_config(struct options *o, const struct ni_config *c)
{
	if (!o->color)
		o->color = c->color ? c->color : "auto";
	if (!o->hyperlinks)
		o->hyperlinks = c->hyperlinks ? c->hyperlinks : "auto";
	struct ni_buf problem = NI_BUF_INIT;
	int code = -1;
	if (!query_options_configure(&o->q, c, &problem)) {
		/* Only the file's facets can be wrong: options were checked. */
		error("config facets: %s", ni_buf_str(&problem));
		code = NI_QUERY_EXIT_ERROR;
	} else if (o->serving && !serve_configure(&o->serve, c, &problem)) {
		error("config %s", ni_buf_str(&problem));
		code = NI_QUERY_EXIT_ERROR;
	}
	ni_buf_release(&problem);
	return code;
}

static ni_status join_words(const struct options *o, struct ni_buf *out)
{
	ni_status status = ni_buf_adds(out, "");
	for (int i = 0; status == NI_OK && i < o->n_words; i++) {
		if (i > 0)
			status = ni_buf_addch(out, ' ');
		if (status == NI_OK)
			status = ni_buf_adds(out, o->words[i]);
	}
	return status;
}

/* A query of white space only is none: an error, unless --like is one. */
static int check_blank(struct ni_buf *query, const struct options *o)
{
	if (!ni_qparse_blank(ni_buf_str(query)))
		return -1;
	if (o->q.like) {
		ni_buf_reset(query);
		return -1;
	}
	error("empty query: newsquery WORDS... (see --help)");
	return NI_QUERY_EXIT_ERROR;
}

static unsigned terminal_width(void)
{
	if (!isatty(STDOUT_FILENO))
		return 0;
	struct winsize ws;
	unsigned width = DEFAULT_WIDTH;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		width = ws.ws_col;
	return width > 100 ? 100 : width;
}

/*
 * OSC 8 links: asked for, or (auto) wherever colour is on and the
 * terminal is not one known to print the sequence as text.
 */
static bool use_hyperlinks(const char *mode, bool color)
{
	if (!strcmp(mode, "always"))
		return true;
	if (strcmp(mode, "auto") || !color)
		return false;
	const char *term = getenv("TERM");
	return term && strcmp(term, "dumb") && strcmp(term, "linux");
}

static int open_index(const char *path, const struct options *o,
		      ni_db **db)
{
	const char *language = o->q.language;
	struct ni_buf detail = NI_BUF_INIT;
	ni_status status = ni_db_open(path, o->allow_partial
				      ? NI_DB_READ_PARTIAL : NI_DB_READ,
				      ni_analyzer_settings(), db, &detail);
	for (size_t i = 0; status == NI_OK && i < ni_db_missing_count(*db);
	     i++)
		fprintf(stderr, "newsquery: warning: left out %s\n",
			ni_db_missing(*db, i));
	if (status == NI_OK && language &&
	    (status = ni_db_set_language(*db, language)) != NI_OK) {
		error("cannot stem in %s: %s", language, ni_db_errmsg(*db));
		ni_buf_release(&detail);
		return NI_QUERY_EXIT_ERROR;
	}
	if (status != NI_OK) {
		/* The same words as newsindex's (ni_cli_open_failure()). */
		struct ni_buf message = NI_BUF_INIT;
		ni_cli_open_failure("newsquery", path, status,
				    ni_buf_str(&detail), &message);
		error("%s", ni_buf_str(&message));
		ni_buf_release(&message);
	}
	ni_buf_release(&detail);
	return status == NI_OK ? -1 : NI_QUERY_EXIT_ERROR;
}

static double ms_since(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* Columns of a long query shown before the problem, and in all. */
#define QUERY_CONTEXT 24
#define QUERY_WINDOW 72

static size_t next_char(const char *text, size_t at, size_t len)
{
	for (at++; at < len && ((unsigned char)text[at] & 0xC0) == 0x80; at++)
		;
	return at;
}

static size_t prev_char(const char *text, size_t at)
{
	while (at > 0 && ((unsigned char)text[--at] & 0xC0) == 0x80)
		;
	return at;
}

/*
 * The query's text[0, len) on stderr as it takes the columns the caret
 * line counts (ni_text_columns()): a control character or a byte that
 * is not UTF-8 as a space, a control that reorders text left out.
 */
static void put_query_text(const char *text, size_t len)
{
	int32_t i = 0, n = (int32_t)len;
	while (i < n) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(text, i, n, c);
		if (ni_is_control(c))
			fputc(' ', stderr);
		else if (!ni_is_bidi_control(c))
			fwrite(text + start, 1, (size_t)(i - start), stderr);
	}
}

/*
 * "newsquery: LABELMESSAGE", then the query with a caret line under the
 * place `err` gives: a long query around it only, a control character
 * as a space so that the carets stay in place.
 */
static void show_query_error(const char *label, const char *message,
			     const char *text,
			     const struct ni_qparse_error *err)
{
	size_t len = strlen(text);
	size_t at = err->offset <= len ? err->offset : len;
	size_t from = at, to = at;
	if (ni_text_columns(text, len) <= QUERY_WINDOW) {
		from = 0;  /* a query that fits is shown whole */
		to = len;
	}
	unsigned cols = 0;
	while (from > 0 && cols < QUERY_CONTEXT) {
		size_t before = prev_char(text, from);
		cols += ni_text_columns(text + before, from - before);
		from = before;
	}
	for (cols = ni_text_columns(text + from, at - from);
	     to < len && cols < QUERY_WINDOW;) {
		size_t after = next_char(text, to, len);
		cols += ni_text_columns(text + to, after - to);
		to = after;
	}
	size_t span = err->length < to - at ? err->length : to - at;
	unsigned before = (from > 0 ? 3 : 0) +
			  ni_text_columns(text + from, at - from);
	unsigned under = span ? ni_text_columns(text + at, span) : 1;
	error("%s%s", label, message);
	fputs(from > 0 ? "  ..." : "  ", stderr);
	put_query_text(text + from, to - from);
	fprintf(stderr, "%s\n  %*s", to < len ? "..." : "", (int)before, "");
	for (unsigned i = 0; i < (under ? under : 1); i++)
		fputc('^', stderr);
	fputc('\n', stderr);
}

/*
 * The notices of how the query was read, as notes: the first under a
 * caret when the query did not parse and was searched as words.
 */
static void show_notices(const char *text, const struct ni_parsed_query *q)
{
	for (size_t i = 0; i < q->n_notices; i++) {
		if (i == 0 && q->as_words)
			show_query_error("note: ", q->notices[0], text,
					 &q->syntax_error);
		else
			error("note: %s", q->notices[i]);
	}
}

/* --format atom: the feed of the session's query (atom.h). */
static bool show_feed(const struct session *s, const struct options *o)
{
	const char *language = o->q.language ? o->q.language
					     : ni_db_language(s->db);
	char id[ATOM_ID_SIZE];
	atom_feed_id(s->text, language, o->q.search.all_copies, id);
	struct atom_feed feed = {
		.query = s->text, .id = id, .lang = o->q.language,
		.all = o->q.search.all_copies, .limit = o->q.search.limit,
		.base = o->feed_base.len ? o->feed_base.data : NULL,
		.thumbnails = true,
	};
	return atom_write(stdout, &feed, &s->results);
}

static int show(struct session *s, const struct options *o,
		const struct timespec *start)
{
	if (o->count) {
		printf("%llu\n", (unsigned long long)s->results.total);
		return s->results.total ? NI_QUERY_EXIT_MATCH
					: NI_QUERY_EXIT_NO_MATCH;
	}
	bool color = o->format == FORMAT_TEXT &&
		     ni_cli_use_color(o->color, STDOUT_FILENO);
	struct render_context ctx;
	session_context(s, &ctx);
	ctx.elapsed_ms = ms_since(start);
	ctx.color = color;
	ctx.hyperlinks = use_hyperlinks(o->hyperlinks, color);
	ctx.null = o->null;
	ctx.terminal = isatty(STDOUT_FILENO);
	ctx.width = terminal_width();
	bool ok = true;
	if (o->format == FORMAT_ATOM)
		ok = show_feed(s, o);
	else if (o->format == FORMAT_JSON)
		ok = session_json(stdout, s, true);
	else if (o->format == FORMAT_JSONL)
		ok = render_jsonl(stdout, &ctx, &s->results);
	else if (o->format == FORMAT_TEXT)
		render_text(stdout, &ctx, &s->results);
	else
		render_lines(stdout, o->format, &ctx, &s->results);
	if (!ok) {
		error("out of memory");
		return NI_QUERY_EXIT_ERROR;
	}
	/* --limit 0 asks for the counts: a match is one counted. */
	bool matched = s->results.n_hits ||
		       (o->q.search.limit == 0 && s->results.total);
	return matched ? NI_QUERY_EXIT_MATCH : NI_QUERY_EXIT_NO_MATCH;
}

/* Say why the session failed: a query error under a caret. */
static void show_failure(const struct session *s)
{
	if (s->syntax)
		show_query_error("", s->where.message, s->text, &s->where);
	else if (s->option)
		error("--%s: %s", s->option, ni_buf_str(&s->message));
	else
		error("%s", ni_buf_str(&s->message));
}

static int search_and_show(struct session *s, const struct options *o,
			   const struct timespec *start)
{
	if (ni_analyzer_new(&s->analyzer) != NI_OK) {
		error("cannot start the text analyzer");
		return NI_QUERY_EXIT_ERROR;
	}
	s->snippet_columns = session_snippet_columns(terminal_width());
	if (session_run(s) != NI_OK) {
		show_failure(s);
		return NI_QUERY_EXIT_ERROR;
	}
	show_notices(s->text, &s->parsed);
	return show(s, o, start);
}

/*
 * Flush stdout: `code` when everything written reached it, else 2 after
 * saying why, for a full disk must not pass for `what` written.  A pipe
 * closed by its reader ends the program by SIGPIPE, silently, as it
 * does newsindex (ni_cli_finish_stdout()).
 */
static int output_written(int code, const char *what)
{
	int why = ni_cli_finish_stdout();
	if (!why)
		return code;
	if (code != NI_QUERY_EXIT_ERROR && why != EPIPE)
		error("cannot write %s: %s", what,
		      why > 0 ? strerror(why) : "write error");
	return NI_QUERY_EXIT_ERROR;
}

/* --serve: the server's settings, then serve until a signal. */
static int serve(struct options *o, const char *path)
{
	struct ni_buf problem = NI_BUF_INIT;
	int code = -1;
	if (o->serve_address &&
	    !serve_option(&o->serve, SERVE_OPT_SERVE, o->serve_address,
			  &problem)) {
		error("--serve: %s", ni_buf_str(&problem));
		code = NI_QUERY_EXIT_ERROR;
	}
	ni_buf_release(&problem);
	if (code >= 0)
		return code;
	o->serve.db_path = path;
	o->serve.allow_partial = o->allow_partial;
	o->serve.defaults = o->q;
	return serve_run(&o->serve);
}

int main(int argc, char **argv)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct options o = {0};
	query_options_init(&o.q);
	serve_settings_init(&o.serve);
	int code = parse_options(argc, argv, &o);
	if (code >= 0) {
		free(o.words);
		ni_buf_release(&o.feed_base);
		return output_written(code, "the help");
	}
	/* After the options, so that --help works with a broken file. */
	struct ni_config config = {0};
	code = load_config(&config);
	if (code < 0)
		code = apply_config(&o, &config);
	if (o.count)
		count_only(&o.q.search);
	if (o.format == FORMAT_ATOM)
		atom_search_options(&o.q, o.q.given & QUERY_GIVEN_LIMIT
				    ? o.q.search.limit : ATOM_DEFAULT_LIMIT);
	struct ni_buf path = NI_BUF_INIT, query = NI_BUF_INIT;
	if (code < 0 && (ni_cli_db_path(o.db_flag, config.db, &path) != NI_OK ||
			 join_words(&o, &query) != NI_OK)) {
		error("no index path: use --db PATH, set NEWSINDEX_DB or "
		      "db in the config file");
		code = NI_QUERY_EXIT_ERROR;
	}
	struct session s = {.o = &o.q, .like_files = true,
			    .count = o.count};
	if (code < 0 && o.serving)
		code = serve(&o, path.data);
	if (code < 0)
		code = check_blank(&query, &o);
	if (code < 0)
		code = open_index(path.data, &o, &s.db);
	if (code < 0) {
		s.text = ni_buf_str(&query);
		code = output_written(search_and_show(&s, &o, &start),
				      "the results");
	}
	session_clear(&s);
	ni_analyzer_free(s.analyzer);
	ni_db_close(s.db, NULL);
	ni_buf_release(&path);
	ni_buf_release(&query);
	ni_config_clear(&config);
	ni_buf_release(&o.feed_base);
	free(o.words);
	return code;
}
