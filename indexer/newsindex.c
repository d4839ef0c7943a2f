/*
 * newsindex - build and inspect a newsindex index.
 *
 * This file only dispatches: each subcommand lives in its own file and is
 * listed in the table below, as git does with its builtins.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ni_buf.h"
#include "ni_analyzer.h"
#include "ni_cli.h"
#include "ni_status.h"
#include "ni_version.h"
#include "commands.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command COMMANDS[] = {
	{"build", cmd_build, "index article files (new or changed ones)"},
	{"stats", cmd_stats, "show what an index holds"},
	{"check", cmd_check, "check an index for damage"},
	{"compact", cmd_compact, "rewrite an index smaller and faster"},
	{"forget", cmd_forget, "stop indexing a source, delete its articles"},
};

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
	struct ni_buf path = NI_BUF_INIT;
	struct ni_parse_error err = {0};
	ni_status status = ni_cli_load_config(config, &path, &err);
	if (status == NI_EPARSE && err.line)
		report_error("%s: line %u col %u: %s", ni_buf_str(&path),
			     err.line, err.column, err.message);
	else if (status == NI_EPARSE || status == NI_EIO)
		report_error("%s: %s", ni_buf_str(&path), err.message);
	else if (status != NI_OK)
		report_error("cannot read the config file %s: %s",
			     ni_buf_str(&path), ni_status_str(status));
	ni_buf_release(&path);
	return status == NI_OK ? -1 : NI_EXIT_USAGE;
}

int report_open_failure(const char *path, ni_status status,
			const char *detail)
{
	switch (status) {
	case NI_EDB_LOCKED:
		report_error("index %s is busy: another newsindex command "
			     "(build, compact or forget) is writing it; try "
			     "again when it ends, or wait for it with "
			     "'newsindex build --wait'", path);
		return NI_EXIT_BUSY;
	case NI_EDB_NOT_FOUND:
		report_error("no index at %s: run 'newsindex build SOURCE...' "
			     "to create it", path);
		break;
	case NI_EDB_SCHEMA:
		/* In a stub, `detail` names the shard: that one is rebuilt. */
		if (ni_cli_is_stub(path))
			report_error("%s; build that shard again", detail);
		else
			report_error("%s; delete %s and run 'newsindex build "
				     "--db %s SOURCE...' again", detail, path,
				     path);
		break;
	default:
		report_error("cannot open index %s: %s (%s)", path,
			     ni_status_str(status), detail ? detail : "");
		break;
	}
	return NI_EXIT_FAILED;
}

/* How often a waiting command tries the lock again. */
#define LOCK_RETRY_NS 100000000L

int open_for_writing(const char *path, double wait_seconds, ni_db **db)
{
	struct timespec start, now, pause = {0, LOCK_RETRY_NS};
	clock_gettime(CLOCK_MONOTONIC, &start);
	bool said = false;
	for (;;) {
		char *detail = NULL;
		ni_status status = ni_db_open(path, NI_DB_WRITE,
					      ni_analyzer_settings(), db,
					      &detail);
		clock_gettime(CLOCK_MONOTONIC, &now);
		double waited = (double)(now.tv_sec - start.tv_sec) +
				(double)(now.tv_nsec - start.tv_nsec) / 1e9;
		if (status == NI_EDB_NOT_FOUND || status == NI_EDB_OPENING) {
			/* Not "no index, run build": this is build. */
			report_error("cannot open or create an index at %s: "
				     "%s", path, detail ? detail : "");
			free(detail);
			return NI_EXIT_FAILED;
		}
		if (status != NI_EDB_LOCKED ||
		    (wait_seconds >= 0 && waited >= wait_seconds)) {
			int code = status == NI_OK
				? -1 : report_open_failure(path, status,
							   detail);
			free(detail);
			return code;
		}
		free(detail);
		if (!said)
			fprintf(stderr, "newsindex: waiting for the command "
				"writing %s to finish\n", path);
		said = true;
		nanosleep(&pause, NULL);
	}
}

static void usage(FILE *out)
{
	fputs("usage: newsindex [--version] [--help] COMMAND [ARGS...]\n"
	      "\n"
	      "Index news articles (YAML front matter files) for newsquery.\n"
	      "\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", COMMANDS[i].name,
			COMMANDS[i].summary);
	fputs("\n"
	      "'newsindex COMMAND --help' tells more about one command.\n"
	      "The index is --db PATH, else $NEWSINDEX_DB, else db in the\n"
	      "config file (~/.config/newsindex/config.yaml), else\n"
	      "$XDG_DATA_HOME/newsindex (~/.local/share/newsindex).\n"
	      "See newsindex(1).\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return NI_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h") ||
	    !strcmp(name, "help")) {
		usage(stdout);
		return NI_EXIT_OK;
	}
	if (!strcmp(name, "--version")) {
		printf("newsindex %s\n", NI_VERSION);
		return NI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof COMMANDS / sizeof *COMMANDS; i++)
		if (!strcmp(name, COMMANDS[i].name))
			return COMMANDS[i].run(argc - 1, argv + 1);
	report_error("'%s' is not a command; see 'newsindex --help'", name);
	return NI_EXIT_USAGE;
}
