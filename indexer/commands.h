/*
 * commands.h - the subcommands of newsindex, one file each.
 *
 * Each takes the arguments after its name (argv[0] is the subcommand's
 * name) and returns the process exit code (enum ni_index_exit).
 */
#ifndef NEWSINDEX_COMMANDS_H
#define NEWSINDEX_COMMANDS_H

#include "ni_config.h"
#include <stddef.h>

#include "ni_status.h"
#include "ni_xapian.h"

int cmd_build(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_forget(int argc, char **argv);

/* Each command's --help text (newsindex help COMMAND prints it too). */
extern const char BUILD_USAGE[];
extern const char STATS_USAGE[];
extern const char CHECK_USAGE[];
extern const char COMPACT_USAGE[];
extern const char FORGET_USAGE[];

struct option;

/*
 * The next option of a command's arguments (argv[0] is the command's
 * name), in GNU order: options anywhere among the other arguments, "--"
 * ends them; -1 after the last (then argv[optind...] are the others).
 * A refused option is said on stderr in one line with a hint,
 * "newsindex: unknown option '--bogus' (see 'newsindex build --help')",
 * and returns '?': the command then exits NI_EXIT_USAGE.
 */
int next_option(int argc, char **argv, const char *shortopts,
		const struct option *longopts);

/*
 * Say a usage error of `command` in one line with the same hint, and
 * return NI_EXIT_USAGE.
 */
int usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The `n` command-line sources as absolute paths, without resolving links
 * (the index remembers paths as the user sees them).  The caller frees
 * the list with ni_sources_free(); NULL if out of memory.
 */
char **absolute_sources(char *const *args, size_t n);

/*
 * Open the index at `path` for writing (`mode` NI_DB_WRITE, or
 * NI_DB_REBUILD for an index about to be built again); on failure say
 * why and return the exit code, else -1 with *db open.  While another command writes
 * the index (Xapian's lock), wait up to `wait_seconds` for it (negative:
 * as long as it takes), saying so once on stderr; then NI_EXIT_BUSY.
 */
int open_for_writing(const char *path, enum ni_db_mode mode,
		     double wait_seconds, ni_db **db);

/* Print "newsindex: " and the formatted message to stderr. */
void report_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Read the user's config file into `config` (ni_cli_load_config()).
 * Returns -1 when it is fine or absent, else NI_EXIT_USAGE after naming
 * the file and saying what is wrong where: "PATH: line L col C: MESSAGE".
 */
int load_config(struct ni_config *config);

/*
 * Put the index folder `copy` in place of the one at `path` (compact,
 * build --rebuild): two renames, so a reader that opens the index
 * between them finds no index and says so, and one that has it open
 * keeps reading the old files until it reopens.  Returns an exit code.
 */
int swap_index_in(const char *path, const char *copy);

/* Remove a Xapian index folder: its files (and its shards' folders),
 * then itself.  0 or -1. */
int remove_index_folder(const char *path);

/* Exit code and message for an index that cannot be opened. */
int report_open_failure(const char *path, ni_status status,
			const char *detail);

#endif
