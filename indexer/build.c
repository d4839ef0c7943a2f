/*
 * newsindex build - bring the index up to date with article files.
 *
 * Parses the options, resolves the sources (or takes those the index
 * remembers), runs the build (ni_builder.h) and says what happened: each
 * skipped file and why on stderr, a progress line on a terminal, and a
 * one-line summary on stdout.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
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
#include "ni_xapian.h"
#include "commands.h"
#include "common.h"
#include "progress.h"
#include "report.h"

const char BUILD_USAGE[] =
	"usage: newsindex build [--db PATH] [--max-file-size BYTES]\n"
	"                       [--max-field-words N] [--strict] [--quiet]\n"
	"                       [--progress] [--rebuild] [-j N]\n"
	"                       [--shards N] [--wait[=SECONDS]] [SOURCE...]\n"
	"\n"
	"Bring the index up to date with the articles in each SOURCE, a file or\n"
	"a folder (walked recursively for *.txt, *.md and *.markdown; hidden\n"
	"entries skipped).  Without SOURCE, the sources of earlier builds.\n"
	"A SOURCE that cannot be read is named and left out (not indexed,\n"
	"not remembered); a remembered one that is missing (an unmounted\n"
	"disk) keeps its articles until it is back or forgotten.\n"
	"Unchanged files are not read again; changed ones are indexed again;\n"
	"articles whose file is gone, or is no longer valid, are deleted.\n"
	"An article already in the index (same webUrl, originalUrl or path)\n"
	"is replaced, never duplicated.  Related records with a URL become\n"
	"articles too.\n"
	"\n"
	"  --db PATH             the index (default: $NEWSINDEX_DB, else the\n"
	"                        config file's db, else\n"
	"                        $XDG_DATA_HOME/newsindex)\n"
	"  --max-file-size BYTES skip larger files (default 16777216, or the\n"
	"                        config file's max_file_size)\n"
	"  --max-field-words N   index at most N words of a title, an excerpt\n"
	"                        and the topics; the rest is not indexed, with\n"
	"                        a warning (default 10000, or the config\n"
	"                        file's max_field_words)\n"
	"  --strict              exit 3 when any file was skipped (or was a\n"
	"                        duplicate, or a folder could not be read)\n"
	"  -q, --quiet           do not print warnings, only skipped files\n"
	"  --progress            report progress even when stderr is not a\n"
	"                        terminal (there one line is redrawn; to a\n"
	"                        file, a 'progress:' line a second at most)\n"
	"  -j, --jobs N          writers for a first build of 2,000 files or\n"
	"                        more (default: the number of CPUs)\n"
	"  --rebuild             build a new index from scratch beside the old\n"
	"                        one (still searchable meanwhile), then swap it\n"
	"                        in; the old one stays if the rebuild fails\n"
	"  --shards N            a new index of N shards (2 to 64): a folder of\n"
	"                        N indexes, shard-1 ... shard-N, and XAPIANDB,\n"
	"                        the stub file that lists them; each article\n"
	"                        goes to the shard of its key's hash.  With\n"
	"                        --rebuild, the index is built again with N\n"
	"                        shards (1: one index).  Later builds need no\n"
	"                        --shards; newsquery --db PATH searches all\n"
	"                        shards as one (docs/scaling.md)\n"
	"  --wait[=SECONDS]      when another build (or compact, forget) is\n"
	"                        writing the index, wait for it to end (at\n"
	"                        most SECONDS) instead of failing at once\n"
	"  -h, --help            show this help\n"
	"\n"
	"Each skipped file is named on stderr with the reason, as\n"
	"'PATH: line L col C: REASON', and the build goes on; the summary on\n"
	"stdout counts skipped files by reason: empty, no front matter,\n"
	"unclosed front matter, binary, invalid UTF-8 (never repaired),\n"
	"invalid YAML, not a mapping, too deeply nested, too large,\n"
	"unreadable, vanished.  Files are UTF-8, or UTF-16 or UTF-32 with\n"
	"a byte order mark.  A bad optional field is dropped with a\n"
	"warning and the article is indexed.  Ctrl-C (SIGINT) or SIGTERM\n"
	"stops at the next article, keeps what was done (a --rebuild keeps\n"
	"the old index) and ends by that signal (status 130 or 143).\n"
	"An article's lang key (de, fr-FR, zh-Hans) picks its stemmer; the\n"
	"others are stemmed in the config file's language, else the index's\n"
	"default (English for a new index); a new default needs --rebuild.\n"
	"Exit status: 0 done (even if files were skipped), 1 the index could\n"
	"not be written or a SOURCE could not be read (or a remembered one\n"
	"is missing), 2 bad usage, 3 with --strict, done but something was\n"
	"skipped, 4 another command is writing the index (see --wait);\n"
	"stopped by a signal, that signal.\n";

/*
 * Shards a build may make: each is an index of its own with its files
 * open, and a parallel first build has -j times as many.
 */
#define MAX_SHARDS 64

/* Set by SIGINT/SIGTERM to the signal's number: the builder stops at
 * the next article, and newsindex ends by that signal once it has
 * committed what was done (exit status 130 or 143 in a shell). */
static volatile sig_atomic_t stop_requested;

static void request_stop(int sig)
{
	stop_requested = sig;
	/* A second signal ends the program at once, as usual. */
	signal(sig, SIG_DFL);
}

/* Progress lines on a file or pipe: at most one a second. */
#define PROGRESS_LINE_SECONDS 1.0

/*
 * On a terminal, one line redrawn in place; elsewhere (a log file),
 * plain lines, "progress: ...", at most one a second, and the first.
 */
static void on_progress(void *ctx, const struct ni_build_counts *c)
{
	struct reporter *r = ctx;
	if (!r->progress || !c->files)
		return;
	bool first = !r->reading.started;
	double now = seconds_since(&r->start);
	struct ni_buf line = NI_BUF_INIT;
	progress_format(&r->reading, c, now, &line);
	if (r->terminal) {
		fprintf(stderr, "\r\033[K%s", ni_buf_str(&line));
		r->progress_shown = true;
	} else {
		if (first || c->merging ||
		    now - r->last_line >= PROGRESS_LINE_SECONDS) {
			fprintf(stderr, "progress: %s\n", ni_buf_str(&line));
			r->last_line = now;
		}
	}
	ni_buf_release(&line);
}

struct build_options {
	const char *db_flag;
	struct build_config c;
	bool strict;
	bool quiet;
	bool progress;
	bool rebuild;
	unsigned long jobs;
	unsigned long shards;  /* --shards; 0 when not given */
	double wait_seconds;   /* for another writer: 0 not, < 0 for ever */
};

/* `text`, the value of `option`, as a number from 1 to `max`, or said. */
static bool parse_count(const char *option, const char *text,
			unsigned long max, unsigned long *out)
{
	if (ni_parse_unsigned(text, max, out) && *out != 0)
		return true;
	report_error("%s: '%s' is not a number from 1 to %lu", option, text,
		     max);
	return false;
}

/* Returns -1 when the options are fine, else the exit code. */
static int parse_options(int argc, char **argv, struct build_options *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"max-file-size", required_argument, NULL, 'm'},
		{"max-field-words", required_argument, NULL, 'w'},
		{"strict", no_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"progress", no_argument, NULL, 'p'},
		{"rebuild", no_argument, NULL, 'r'},
		{"jobs", required_argument, NULL, 'j'},
		{"shards", required_argument, NULL, 'S'},
		{"wait", optional_argument, NULL, 'W'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = next_option(argc, argv, "qhj:", longopts)) != -1) {
		switch (opt) {
		case 'd':
			o->db_flag = optarg;
			break;
		case 'm':
		case 'w':
			if (parse_limit(opt, optarg, &o->c) >= 0)
				return NI_EXIT_USAGE;
			break;
		case 's':
			o->strict = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'p':
			o->progress = true;
			break;
		case 'r':
			o->rebuild = true;
			break;
		case 'j':
			if (!parse_count("--jobs", optarg, NI_BUILD_MAX_JOBS,
					 &o->jobs))
				return NI_EXIT_USAGE;
			break;
		case 'S':
			if (!parse_count("--shards", optarg, MAX_SHARDS,
					 &o->shards))
				return NI_EXIT_USAGE;
			break;
		case 'W':
			o->wait_seconds = -1;
			if (optarg && !ni_parse_double(optarg, 0, 1e9,
						       &o->wait_seconds)) {
				report_error("--wait: '%s' is not a number "
					     "of seconds", optarg);
				return NI_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(BUILD_USAGE, stdout);
			return NI_EXIT_OK;
		default:
			return NI_EXIT_USAGE;
		}
	}
	return -1;
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

/* The sources named on the command line. */
static int named_sources(int argc, char **argv, char ***sources, size_t *n)
{
	*n = (size_t)(argc - optind);
	*sources = absolute_sources(argv + optind, *n);
	if (!*sources) {
		*n = 0;
		report_error("out of memory");
		return NI_EXIT_FAILED;
	}
	return -1;
}

/* The sources of earlier builds, when none is named. */
static int remembered_sources(ni_db *db, char ***sources, size_t *n)
{
	if (ni_build_sources(db, sources, n) != NI_OK)
		return NI_EXIT_FAILED;
	if (*n)
		return -1;
	report_error("no sources given, and this index has none "
		     "from earlier builds: name the files or folders "
		     "of articles to index (newsindex build DIR)");
	return NI_EXIT_USAGE;
}

/*
 * Why the walk could not even begin at `path`, a source: an errno
 * (EINVAL: neither a regular file nor a folder), or 0.
 */
static int unwalkable(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno;
	if (S_ISREG(st.st_mode))
		return 0;
	if (!S_ISDIR(st.st_mode))
		return EINVAL;
	DIR *dir = opendir(path);
	if (!dir)
		return errno;
	closedir(dir);
	return 0;
}

/*
 * Leave out of `sources` each one that cannot be walked and that `db`
 * (NULL: none yet) does not remember, saying so: remembered, it would
 * make every later bare build fail.  A remembered one stays, for the
 * walk to name it and keep its articles (on_problem).  Returns how many
 * were left out, or -1 when the remembered ones cannot be read.
 */
static long leave_out_unwalkable(ni_db *db, char **sources, size_t *n)
{
	char **known = NULL;
	size_t n_known = 0;
	if (db && ni_build_sources(db, &known, &n_known) != NI_OK) {
		report_error("cannot read the sources of the index: %s",
			     ni_db_errmsg(db));
		return -1;
	}
	size_t kept = 0;
	long left_out = 0;
	for (size_t i = 0; i < *n; i++) {
		int err = unwalkable(sources[i]);
		bool remembered = false;
		for (size_t j = 0; err && j < n_known && !remembered; j++)
			remembered = !strcmp(sources[i], known[j]);
		if (!err || remembered) {
			sources[kept++] = sources[i];
			continue;
		}
		fputs("newsindex: ", stderr);
		ni_cli_put_escaped(stderr, sources[i], NI_CLI_ESCAPE_HEX);
		fprintf(stderr, ": %s; not indexed, nor made a source of the "
			"index\n", err == EINVAL
			? "not a regular file or folder" : strerror(err));
		free(sources[i]);
		left_out++;
	}
	*n = kept;
	ni_sources_free(known, n_known);
	return left_out;
}

/* The shards of an open index: 1 for one index. */
static size_t shards_of(ni_db *db)
{
	size_t n = ni_db_shard_count(db);
	return n ? n : 1;
}

/* Whether nothing is at `path` yet, or only an empty folder. */
static bool nothing_at(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno == ENOENT;
	DIR *dir = S_ISDIR(st.st_mode) ? opendir(path) : NULL;
	if (!dir)
		return false;
	const struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(dir)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(dir);
	return empty;
}

/*
 * Open the index at `path` for writing; when there is none (or an empty
 * folder, made for it), create one of `shards` shards (0 or 1: one
 * index).  With `check`, an index of
 * another number of shards is refused: its articles are placed by it.
 * `mode`: NI_DB_WRITE, or NI_DB_REBUILD for an index to build again.
 */
static int open_index(const char *path, enum ni_db_mode mode,
		      double wait_seconds, unsigned long shards, bool check,
		      ni_db **db)
{
	if (make_parent_folders(path) != 0) {
		report_error("cannot create the folders above %s: %s", path,
			     strerror(errno));
		return NI_EXIT_FAILED;
	}
	if (shards > 1 && nothing_at(path)) {
		struct ni_buf detail = NI_BUF_INIT;
		ni_status status = ni_db_create_sharded(
			path, shards, ni_analyzer_settings(), &detail);
		if (status != NI_OK)
			report_error("cannot create a sharded index at %s: %s",
				     path, ni_buf_str(&detail));
		ni_buf_release(&detail);
		if (status != NI_OK)
			return NI_EXIT_FAILED;
	}
	int code = open_for_writing(path, mode, wait_seconds, db);
	if (code < 0 && check && shards && shards_of(*db) != shards) {
		report_error("index %s has %zu shard%s, not %lu: its articles "
			     "are placed by that number; build it again with "
			     "'newsindex build --rebuild --shards %lu --db %s'",
			     path, shards_of(*db),
			     shards_of(*db) == 1 ? "" : "s", shards, shards,
			     path);
		ni_db_close(*db, NULL);
		*db = NULL;
		code = NI_EXIT_USAGE;
	}
	return code;
}

/* " (3 invalid YAML, 1 too large)": the most frequent reason first. */
static void print_skipped_by(const struct ni_build_counts *c)
{
	bool done[NI_SKIP_KINDS] = {false};
	const char *sep = " (";
	for (;;) {
		size_t most = 0;
		for (size_t k = 1; k < NI_SKIP_KINDS; k++)
			if (!done[k] && c->skipped_by[k] > c->skipped_by[most])
				most = k;
		if (!most)
			break;
		done[most] = true;
		printf("%s%lu %s", sep, c->skipped_by[most],
		       ni_skip_name((enum ni_skip)most));
		sep = ", ";
	}
	if (*sep == ',')
		putchar(')');
}

/* The summary line; `failed`: the counts say what was tried, not done. */
static void print_summary(const struct ni_build_counts *c, bool failed,
			  ni_db *db, const char *path, double seconds)
{
	uint64_t total = 0, related = 0;
	ni_db_doc_count(db, &total);
	ni_db_filter_count(db, NI_FILTER_RELATED, "", 0, &related);
	unsigned long touched = c->added + c->updated;
	printf("%sadded %lu, updated %lu, unchanged %lu, deleted %lu, "
	       "skipped %lu",
	       failed ? "failed: " : c->stopped ? "stopped early: " : "",
	       c->added,
	       c->updated, c->unchanged, c->deleted, c->skipped);
	print_skipped_by(c);
	printf(", duplicates %lu, warnings %lu, errors %lu "
	       "in %.2f s (%.0f files/s); index %s holds %llu article%s and "
	       "%llu related record%s",
	       c->duplicates, c->warned, c->errors, seconds,
	       seconds > 0 ? (double)(touched + c->unchanged) / seconds : 0,
	       path, (unsigned long long)(total - related),
	       total - related == 1 ? "" : "s", (unsigned long long)related,
	       related == 1 ? "" : "s");
	if (shards_of(db) > 1)
		printf(" in %zu shards", shards_of(db));
	putchar('\n');
}

/* Build `sources` into `db`, report, and return the exit code. */
static int build_into(ni_db *db, const char *shown_path, char **sources,
		      size_t n_sources, const struct build_options *o,
		      struct reporter *r, bool *complete)
{
	ni_analyzer *analyzer = NULL;
	if (ni_analyzer_new(&analyzer) != NI_OK) {
		report_error("cannot start the text analyzer");
		return NI_EXIT_FAILED;
	}
	struct ni_build_options options = {
		.max_file_bytes = o->c.max_file_bytes,
		.stop = &stop_requested,
		.jobs = o->jobs,
		.max_field_words = o->c.max_field_words,
	};
	struct ni_build_callbacks cb = {report_file, report_duplicate,
					report_problem, on_progress, r};
	struct ni_build_counts counts;
	struct ni_buf errmsg = NI_BUF_INIT;
	signal(SIGINT, request_stop);
	signal(SIGTERM, request_stop);
	ni_status status = ni_build(db, analyzer, (const char *const *)sources,
				    n_sources, &options, &cb, &counts,
				    &errmsg);
	clear_progress(r);
	if (status != NI_OK)
		report_error("%s: %s%s", shown_path, ni_buf_str(&errmsg),
			     status == NI_ENOSPC
			     ? "; the index keeps what its last commit had: "
			       "free some space and build again" : "");
	print_summary(&counts, status != NI_OK, db, shown_path,
		      seconds_since(&r->start));
	*complete = status == NI_OK && !counts.stopped;
	ni_buf_release(&errmsg);
	ni_analyzer_free(analyzer);
	if (status != NI_OK || counts.bad_sources)
		return NI_EXIT_FAILED;
	/* --strict: a clean build, or a code a script can act on. */
	if (o->strict && (counts.skipped || counts.duplicates ||
			  counts.errors))
		return NI_EXIT_SKIPPED;
	return NI_EXIT_OK;
}

static int close_index(ni_db *db, const char *path)
{
	struct ni_buf detail = NI_BUF_INIT;
	int code = -1;
	if (db && ni_db_close(db, &detail) != NI_OK) {
		report_error("cannot commit to the index %s: %s", path,
			     ni_buf_str(&detail));
		code = NI_EXIT_FAILED;
	}
	ni_buf_release(&detail);
	return code;
}

/*
 * --rebuild: a new index beside the old one, from the same sources, then
 * swapped in; the old one stays locked meanwhile, so no build changes it,
 * and searchable.  A rebuild that fails or is stopped leaves the old
 * index as it was.
 */
static int rebuild(ni_db *old, const char *path, char **sources,
		   size_t n_sources, const struct build_options *o,
		   struct reporter *r)
{
	struct ni_buf fresh = NI_BUF_INIT;
	ni_db *db = NULL;
	bool complete = false;
	/* Unless --shards says, as many shards as before. */
	unsigned long shards = o->shards ? o->shards : shards_of(old);
	int code = ni_buf_addf(&fresh, "%s.rebuild-%ld", path,
			       (long)getpid()) == NI_OK
		? open_index(fresh.data, NI_DB_WRITE, 0, shards, false, &db)
		: NI_EXIT_FAILED;
	/* A rebuild is how the default language changes; unset, it stays. */
	if (code < 0)
		code = set_language(db, path,
				    o->c.language ? o->c.language
						  : ni_db_language(old));
	if (code < 0)
		code = build_into(db, path, sources, n_sources, o, r,
				  &complete);
	int closed = close_index(db, fresh.data);
	if (closed >= 0)
		code = closed;
	closed = close_index(old, path);
	if (closed >= 0)
		code = closed;
	if (complete && code != NI_EXIT_FAILED) {
		int swapped = swap_index_in(path, fresh.data);
		if (swapped != NI_EXIT_OK)
			code = swapped;
	} else if (fresh.len) {
		/* Even one that could not be opened may have begun a folder. */
		report_error("rebuild not finished: %s is unchanged", path);
		ni_db_remove_folder(fresh.data);
		code = NI_EXIT_FAILED;
	}
	ni_buf_release(&fresh);
	return code;
}

static int run(const char *path, const struct build_options *o,
	       int argc, char **argv)
{
	bool terminal = isatty(STDERR_FILENO);
	struct reporter r = {.db_path = path,
			     .quiet = o->quiet,
			     .progress = o->progress || terminal,
			     .terminal = terminal};
	clock_gettime(CLOCK_MONOTONIC, &r.start);
	ni_db *db = NULL;
	char **sources = NULL;
	size_t n_sources = 0, n_named = (size_t)(argc - optind);
	long left_out = 0;
	bool complete;
	int code = n_named ? named_sources(argc, argv, &sources, &n_sources)
			   : -1;
	/* No index yet, and nothing to build: none is made. */
	if (code < 0 && n_named && nothing_at(path)) {
		left_out = leave_out_unwalkable(NULL, sources, &n_sources);
		if (!n_sources)
			code = NI_EXIT_FAILED;
	}
	if (code < 0)
		code = open_index(path, o->rebuild ? NI_DB_REBUILD
						   : NI_DB_WRITE,
				  o->wait_seconds, o->shards, !o->rebuild,
				  &db);
	if (code < 0 && !o->rebuild)
		code = set_language(db, path, o->c.language);
	if (code < 0 && !n_named)
		code = remembered_sources(db, &sources, &n_sources);
	if (code < 0 && n_named) {
		long more = leave_out_unwalkable(db, sources, &n_sources);
		left_out = more < 0 ? -1 : left_out + more;
		/* A rebuild that cannot read a source is not begun. */
		if (more < 0 || !n_sources || (left_out && o->rebuild))
			code = NI_EXIT_FAILED;
		if (left_out > 0 && o->rebuild)
			report_error("rebuild not finished: %s is unchanged",
				     path);
	}
	if (code < 0 && o->rebuild) {
		code = rebuild(db, path, sources, n_sources, o, &r);
		db = NULL;
	} else if (code < 0) {
		code = build_into(db, path, sources, n_sources, o, &r,
				  &complete);
	}
	int closed = close_index(db, path);
	if (closed >= 0)
		code = closed;
	/* A source left out: as when a named one cannot be read. */
	if (left_out && (code == NI_EXIT_OK || code == NI_EXIT_SKIPPED))
		code = NI_EXIT_FAILED;
	ni_sources_free(sources, n_sources);
	/* Stopped by a signal: what was done is committed; say how it
	 * ended, as the signal would have (main() raises it again). */
	if (stop_requested)
		code = 128 + stop_requested;
	return code;
}

int cmd_build(int argc, char **argv)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	struct build_options o = {
		.c.max_file_bytes = NI_DEFAULT_MAX_FILE_BYTES,
		.jobs = cpus < 1 ? 1 : cpus > NI_BUILD_MAX_JOBS
			? NI_BUILD_MAX_JOBS : (unsigned long)cpus,
	};
	int code = parse_options(argc, argv, &o);
	if (code >= 0)
		return code;
	struct ni_config config = {0};
	struct ni_buf path = NI_BUF_INIT;
	code = load_build_config(o.db_flag, &o.c, &config, &path);
	if (code < 0)
		code = run(path.data, &o, argc, argv);
	ni_buf_release(&path);
	ni_config_clear(&config);
	return code;
}
