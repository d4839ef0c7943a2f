/*
 * newsindex - build and inspect a newsindex index.
 *
 * This file only dispatches: each subcommand lives in its own file and is
 * listed in the table below, as git does with its builtins.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ni_buf.h"
#include "ni_cli.h"
#include "ni_version.h"
#include "commands.h"
#include "common.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *usage;   /* COMMAND --help, help COMMAND */
};

static int cmd_help(int argc, char **argv);

static const char HELP_USAGE[] =
	"usage: newsindex help [COMMAND]\n"
	"\n"
	"Show what newsindex does and its commands, or with COMMAND, how to\n"
	"use that command (as 'newsindex COMMAND --help' does).\n";

static const struct command COMMANDS[] = {
	{"build", cmd_build, "index article files (new or changed ones)",
	 BUILD_USAGE},
	{"stats", cmd_stats, "show what an index holds", STATS_USAGE},
	{"check", cmd_check, "check an index for damage", CHECK_USAGE},
	{"compact", cmd_compact, "rewrite an index smaller and faster",
	 COMPACT_USAGE},
	{"forget", cmd_forget, "stop indexing a source, delete its articles",
	 FORGET_USAGE},
	{"watch", cmd_watch, "keep the index up to date as files change",
	 WATCH_USAGE},
	{"help", cmd_help, "show how to use newsindex or one command",
	 HELP_USAGE},
};

#define N_COMMANDS (sizeof COMMANDS / sizeof *COMMANDS)

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, COMMANDS[i].name))
			return &COMMANDS[i];
	return NULL;
}

static void usage(FILE *out)
{
	fputs("usage: newsindex [--version] [--help] COMMAND [ARGS...]\n"
	      "\n"
	      "Index news articles (YAML front matter files) for newsquery.\n"
	      "\n"
	      "Commands:\n", out);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-8s %s\n", COMMANDS[i].name,
			COMMANDS[i].summary);
	fputs("\n"
	      "'newsindex help COMMAND' or 'newsindex COMMAND --help' tells\n"
	      "more about one command.  Options may come anywhere on the\n"
	      "line; '--' ends them.\n"
	      "The index is --db PATH, else $NEWSINDEX_DB, else db in the\n"
	      "config file (~/.config/newsindex/config.yaml), else\n"
	      "$XDG_DATA_HOME/newsindex (~/.local/share/newsindex).\n"
	      "See newsindex(1).\n", out);
}

static int cmd_help(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	while ((opt = next_option(argc, argv, "h", longopts)) != -1) {
		if (opt == '?')
			return NI_EXIT_USAGE;
		fputs(HELP_USAGE, stdout);
		return NI_EXIT_OK;
	}
	if (optind == argc) {
		usage(stdout);
		return NI_EXIT_OK;
	}
	if (argc - optind > 1)
		return usage_error("help", "help takes one command");
	const struct command *command = find_command(argv[optind]);
	if (!command) {
		report_error("'%s' is not a command; see 'newsindex --help'",
			     argv[optind]);
		return NI_EXIT_USAGE;
	}
	fputs(command->usage, stdout);
	return NI_EXIT_OK;
}

/*
 * Where the command's name is: the first argument that is not an
 * option (nor the value of --db, the one option every command takes
 * that has a value), or right after "--"; argc when there is none.
 */
static int command_at(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return i + 1;
		if (argv[i][0] != '-' || !argv[i][1])
			return i;
		if (!strcmp(argv[i], "--db"))
			i++;
	}
	return argc;
}

/* No command: --help, --version, or a usage error. */
static int without_command(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"db", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	struct ni_buf problem = NI_BUF_INIT;
	int opt, code = -1;
	while (code < 0 && (opt = ni_cli_getopt(argc, argv, "h", longopts,
						&problem)) != -1) {
		if (opt == 'h') {
			usage(stdout);
			code = NI_EXIT_OK;
		} else if (opt == 'V') {
			printf("newsindex %s\n", NI_VERSION);
			code = NI_EXIT_OK;
		} else if (opt == '?') {
			report_error("%s (see 'newsindex --help')",
				     ni_buf_str(&problem));
			code = NI_EXIT_USAGE;
		}
	}
	ni_buf_release(&problem);
	if (code < 0) {
		usage(stderr);
		code = NI_EXIT_USAGE;
	}
	return code;
}

/*
 * Run the command the arguments name, its options before it (newsindex
 * --db PATH stats) passed to it as if after it.
 */
static int dispatch(int argc, char **argv)
{
	int at = command_at(argc, argv);
	if (at >= argc)
		return without_command(argc, argv);
	const struct command *command = find_command(argv[at]);
	if (!command) {
		report_error("'%s' is not a command; see 'newsindex --help'",
			     argv[at]);
		return NI_EXIT_USAGE;
	}
	/* The command's name first, then every other argument in order. */
	char *name = argv[at];
	memmove(argv + 2, argv + 1, (size_t)(at - 1) * sizeof *argv);
	argv[1] = name;
	return command->run(argc - 1, argv + 1);
}

/*
 * The exit code once standard output has been written out: a command
 * whose output was lost has failed, and says so, unless the reader went
 * away, which ends it quietly by SIGPIPE (ni_cli_finish_stdout()), as
 * it does newsquery.  A build stopped by SIGINT or SIGTERM (code 128 +
 * the signal) ends by that signal, so that a shell running it in a
 * script stops too.
 */
static int finish(int code)
{
	int err = ni_cli_finish_stdout();
	if (err == EPIPE)
		return NI_EXIT_FAILED;  /* SIGPIPE is blocked */
	if (err) {
		report_error("cannot write the output: %s",
			     err > 0 ? strerror(err) : "write error");
		if (code == NI_EXIT_OK)
			code = NI_EXIT_FAILED;
	}
	if (code == 128 + SIGINT || code == 128 + SIGTERM) {
		fflush(stderr);
		signal(code - 128, SIG_DFL);
		raise(code - 128);
	}
	return code;
}

int main(int argc, char **argv)
{
	return finish(dispatch(argc, argv));
}
