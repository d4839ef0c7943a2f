/*
 * common.h - what newsindex's subcommands share (common.c): how they
 * say errors, read their options and the config, open the index for
 * writing and swap a new one in.  Private to the program; what both
 * programs share is the library's ni_cli.h.
 *
 * Functions that return an exit code return -1 for "fine, go on", else
 * the code to exit with (enum ni_index_exit), after saying why on stderr.
 */
#ifndef NEWSINDEX_COMMON_H
#define NEWSINDEX_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "ni_buf.h"
#include "ni_config.h"
#include "ni_status.h"
#include "ni_xapian.h"

/* Print "newsindex: " and the formatted message to stderr. */
void report_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
 * The index a small command (check, compact, forget) works on: its
 * options, --db (and --help, which prints `usage`), then the index path
 * from --db, the environment or the config file, appended to `path`.
 * -1 when fine (then argv[optind...] are the other arguments), else the
 * exit code.  `takes_args`: whether arguments (SOURCE...) must follow,
 * else none may.
 */
int small_command_index(int argc, char **argv, const char *usage,
			bool takes_args, struct ni_buf *path);

/*
 * Read the user's config file into `config` (ni_cli_read_config()).
 * Returns -1 when it is fine or absent, else NI_EXIT_USAGE after naming
 * the file and saying what is wrong where: "PATH: line L col C: MESSAGE".
 * The caller frees `config` with ni_config_clear() either way.
 */
int load_config(struct ni_config *config);

/* What build and watch take from their options, or the config file. */
struct build_config {
	unsigned long max_file_bytes;
	bool max_file_bytes_given;
	unsigned long max_field_words;   /* 0: the config's, or the default */
	/* The config file's language (a stemmer's name), or NULL: the
	 * index's own default.  Owned by the config. */
	const char *language;
};

/*
 * The value `arg` of --max-file-size (`opt` 'm') or --max-field-words
 * ('w') into `c`: -1 when fine, else NI_EXIT_USAGE, said.
 */
int parse_limit(int opt, const char *arg, struct build_config *c);

/*
 * Read the config file (load_config()) into `config`, which the caller
 * clears, and take from it the limits `c` was not given and the
 * language; append the index path (from `db_flag`, the environment or
 * the config) to `path`.  -1 when fine, else the exit code, said.
 */
int load_build_config(const char *db_flag, struct build_config *c,
		      struct ni_config *config, struct ni_buf *path);

/*
 * The `n` command-line sources as absolute paths, without resolving links
 * (the index remembers paths as the user sees them).  The caller frees
 * the list with ni_sources_free(); NULL if out of memory.
 */
char **absolute_sources(char *const *args, size_t n);

/*
 * Open the index at `path` for writing (`mode` NI_DB_WRITE, or
 * NI_DB_REBUILD for an index about to be built again); on failure say
 * why and return the exit code, else -1 with *db open.  While another
 * command writes the index (Xapian's lock), wait up to `wait_seconds`
 * for it (negative: as long as it takes), saying so once on stderr;
 * then NI_EXIT_BUSY.
 */
int open_for_writing(const char *path, enum ni_db_mode mode,
		     double wait_seconds, ni_db **db);

/*
 * Stem articles without a `lang` in `language` (NULL: as the index
 * records).  An index with articles stemmed in another default is
 * refused: -1 when fine, else the exit code, said.
 */
int set_language(ni_db *db, const char *path, const char *language);

/*
 * While `newsindex watch` runs, it is the index's one writer, for as
 * long as it runs: it keeps its pid in this file in the index's folder
 * (removed when it ends), so that a command that finds the index
 * locked says who holds it, and does not wait for it.
 */
#define WATCH_PID_FILE "newsindex-watch.pid"

/*
 * The pid of the `newsindex watch` that holds the index at `path`: the
 * pid its file names when that process runs newsindex; 0 when none
 * (no file, or one a watcher killed with SIGKILL left).
 */
long watch_holder(const char *path);

/*
 * Say why the index at `path` cannot be opened (ni_cli_open_failure():
 * the same words as newsquery's) and return the exit code: NI_EXIT_BUSY
 * when another command is writing or building it, else NI_EXIT_FAILED.
 */
int report_open_failure(const char *path, ni_status status,
			const char *detail);

/*
 * Put the index folder `copy` in place of the one at `path` (compact,
 * build --rebuild): two renames, so a reader that opens the index
 * between them finds no index and says so, and one that has it open
 * keeps reading the old files until it reopens.  Returns NI_EXIT_OK,
 * or NI_EXIT_FAILED after saying why (the new index is then in `copy`).
 */
int swap_index_in(const char *path, const char *copy);

#endif
