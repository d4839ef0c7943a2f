/*
 * What newsindex's subcommands share: see common.h.  (What newsquery
 * shares with them is the library's, lib/cli/cli.c.)
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ni_analyzer.h"
#include "ni_builder.h"
#include "ni_cli.h"

void report_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("newsindex: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int load_config(struct ni_config *config)
{
	struct ni_buf message = NI_BUF_INIT;
	int code = -1;
	if (ni_cli_read_config(config, &message) != NI_OK) {
		report_error("%s", ni_buf_str(&message));
		code = NI_EXIT_USAGE;
	}
	ni_buf_release(&message);
	return code;
}

int report_open_failure(const char *path, ni_status status,
			const char *detail)
{
	struct ni_buf message = NI_BUF_INIT;
	ni_cli_open_failure("newsindex", path, status, detail, &message);
	report_error("%s", ni_buf_str(&message));
	ni_buf_release(&message);
	return status == NI_EDB_LOCKED || status == NI_EDB_BUILDING
		? NI_EXIT_BUSY : NI_EXIT_FAILED;
}

int next_option(int argc, char **argv, const char *shortopts,
		const struct option *longopts)
{
	struct ni_buf problem = NI_BUF_INIT;
	int got = ni_cli_getopt(argc, argv, shortopts, longopts, &problem);
	if (got == '?')
		report_error("%s (see 'newsindex %s --help')",
			     ni_buf_str(&problem), argv[0]);
	ni_buf_release(&problem);
	return got;
}

int usage_error(const char *command, const char *fmt, ...)
{
	struct ni_buf text = NI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	ni_buf_vaddf(&text, fmt, ap);
	va_end(ap);
	report_error("%s (see 'newsindex %s --help')", ni_buf_str(&text),
		     command);
	ni_buf_release(&text);
	return NI_EXIT_USAGE;
}

long watch_holder(const char *path)
{
	struct ni_buf file = NI_BUF_INIT;
	long pid = 0;
	FILE *f = ni_buf_addf(&file, "%s/%s", path, WATCH_PID_FILE) == NI_OK
		? fopen(file.data, "r") : NULL;
	if (f && fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	if (f)
		fclose(f);
	/* Alive, and newsindex: a pid of a killed watcher may be reused. */
	char comm[32] = "";
	ni_buf_reset(&file);
	f = pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM) &&
	    ni_buf_addf(&file, "/proc/%ld/comm", pid) == NI_OK
		? fopen(file.data, "r") : NULL;
	if (!f || !fgets(comm, sizeof comm, f) ||
	    strncmp(comm, "newsindex", 9))
		pid = 0;
	if (f)
		fclose(f);
	ni_buf_release(&file);
	return pid;
}

int parse_limit(int opt, const char *arg, struct build_config *c)
{
	if (opt == 'm' && ni_parse_unsigned(arg, 1UL << 40,
					    &c->max_file_bytes)) {
		c->max_file_bytes_given = true;
		return -1;
	}
	if (opt == 'w' && ni_parse_unsigned(arg, 10000000,
					    &c->max_field_words) &&
	    c->max_field_words)
		return -1;
	if (opt == 'm')
		report_error("--max-file-size: '%s' is not a number of bytes",
			     arg);
	else
		report_error("--max-field-words: '%s' is not a number from 1 "
			     "to 10000000", arg);
	return NI_EXIT_USAGE;
}

int load_build_config(const char *db_flag, struct build_config *c,
		      struct ni_config *config, struct ni_buf *path)
{
	int code = load_config(config);
	/* The config file's limits, unless an option gave them. */
	if (config->has_max_file_size && !c->max_file_bytes_given)
		c->max_file_bytes = config->max_file_size;
	if (config->has_max_field_words && !c->max_field_words)
		c->max_field_words = config->max_field_words;
	c->language = config->language;
	if (code < 0 && ni_cli_db_path(db_flag, config->db, path) != NI_OK) {
		report_error("no index path: use --db PATH, set NEWSINDEX_DB "
			     "or db in the config file, or HOME");
		code = NI_EXIT_USAGE;
	}
	return code;
}

/* How often a waiting command tries the lock again. */
#define LOCK_RETRY_NS 100000000L

int open_for_writing(const char *path, enum ni_db_mode mode,
		     double wait_seconds, ni_db **db)
{
	struct timespec start, now, pause = {0, LOCK_RETRY_NS};
	clock_gettime(CLOCK_MONOTONIC, &start);
	bool said = false;
	for (;;) {
		struct ni_buf detail = NI_BUF_INIT;
		ni_status status = ni_db_open(path, mode,
					      ni_analyzer_settings(), db,
					      &detail);
		clock_gettime(CLOCK_MONOTONIC, &now);
		double waited = (double)(now.tv_sec - start.tv_sec) +
				(double)(now.tv_nsec - start.tv_nsec) / 1e9;
		if (status == NI_EDB_NOT_FOUND || status == NI_EDB_OPENING) {
			/* Not "no index, run build": this is build. */
			report_error("cannot open or create an index at %s: "
				     "%s", path, ni_buf_str(&detail));
			ni_buf_release(&detail);
			return NI_EXIT_FAILED;
		}
		/* A watcher holds it as long as it runs: never waited for. */
		long watcher = status == NI_EDB_LOCKED ? watch_holder(path)
						      : 0;
		if (watcher) {
			report_error("index %s is kept up to date by "
				     "'newsindex watch' (pid %ld), its one "
				     "writer while it runs: stop it (kill %ld) "
				     "for this, and start it again after", path,
				     watcher, watcher);
			ni_buf_release(&detail);
			return NI_EXIT_BUSY;
		}
		if (status != NI_EDB_LOCKED ||
		    (wait_seconds >= 0 && waited >= wait_seconds)) {
			int code = status == NI_OK
				? -1 : report_open_failure(
					path, status, ni_buf_str(&detail));
			ni_buf_release(&detail);
			return code;
		}
		ni_buf_release(&detail);
		if (!said)
			fprintf(stderr, "newsindex: waiting for the command "
				"writing %s to finish\n", path);
		said = true;
		nanosleep(&pause, NULL);
	}
}

/*
 * Stem articles without a `lang` in `language` (NULL: as the index
 * records).  An index with articles stemmed in another default is
 * refused: -1 when fine, else the exit code, said.
 */
int set_language(ni_db *db, const char *path, const char *language)
{
	if (!language)
		return -1;
	ni_status status = ni_db_set_language(db, language);
	if (status == NI_EDB_SCHEMA) {
		report_error("%s, the config file's language; set language: "
			     "%s there, or rebuild the index in %s with "
			     "'newsindex build --rebuild --db %s'",
			     ni_db_errmsg(db), ni_db_language(db), language,
			     path);
		return NI_EXIT_FAILED;
	}
	if (status != NI_OK) {
		report_error("cannot stem in %s: %s", language,
			     ni_db_errmsg(db));
		return NI_EXIT_FAILED;
	}
	return -1;
}

/* --db and --help of small_command_index(); -1, or the exit code. */
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

int small_command_index(int argc, char **argv, const char *usage,
			bool takes_args, struct ni_buf *path)
{
	const char *db_flag = NULL;
	int code = parse_db_option(argc, argv, usage, takes_args, &db_flag);
	return code < 0 ? index_path(db_flag, path) : code;
}

/*
 * Add `source` to `path` without "." components, empty ones ("a//b")
 * or a final slash: "a/./b/" and "a/b" are the same source.  ".." is
 * kept: after a link, "link/.." is not the folder the link is in.
 */
static ni_status add_tidy(struct ni_buf *path, const char *source)
{
	ni_status status = NI_OK;
	for (const char *p = source; status == NI_OK && *p;) {
		size_t len = strcspn(p, "/");
		if (len && !(len == 1 && p[0] == '.'))
			status = ni_buf_addf(path, "/%.*s", (int)len, p);
		p += len + (p[len] == '/');
	}
	if (status == NI_OK && !path->len)
		status = ni_buf_addch(path, '/');
	return status;
}

/*
 * A source as an absolute path, without resolving links: the index
 * remembers paths as the user sees them.
 */
static char *absolute_source(const char *source)
{
	struct ni_buf path = NI_BUF_INIT;
	ni_status status = NI_OK;
	if (source[0] != '/') {
		char *cwd = getcwd(NULL, 0);
		status = cwd ? add_tidy(&path, cwd) : NI_ENOMEM;
		free(cwd);
		/* The root is "/": its entries go after no second one. */
		if (status == NI_OK && path.len == 1)
			ni_buf_truncate(&path, 0);
	}
	if (status == NI_OK)
		status = add_tidy(&path, source);
	if (status != NI_OK) {
		ni_buf_release(&path);
		return NULL;
	}
	return ni_buf_detach(&path);
}

char **absolute_sources(char *const *args, size_t n)
{
	char **sources = calloc(n ? n : 1, sizeof *sources);
	for (size_t i = 0; sources && i < n; i++) {
		if (!(sources[i] = absolute_source(args[i]))) {
			ni_sources_free(sources, n);
			sources = NULL;
		}
	}
	return sources;
}

int swap_index_in(const char *path, const char *copy)
{
	struct ni_buf old = NI_BUF_INIT;
	if (ni_buf_addf(&old, "%s.old-%ld", path, (long)getpid()) != NI_OK)
		return NI_EXIT_FAILED;
	int code = NI_EXIT_OK;
	ni_status status;
	if (rename(path, old.data) != 0 || rename(copy, path) != 0) {
		report_error("cannot swap the new index in: %s; it is in %s",
			     strerror(errno), copy);
		code = NI_EXIT_FAILED;
	} else if ((status = ni_db_remove_folder(old.data)) != NI_OK) {
		report_error("cannot remove the old index %s: %s", old.data,
			     ni_status_str(status));
	}
	ni_buf_release(&old);
	return code;
}
