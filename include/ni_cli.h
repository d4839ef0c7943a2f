/*
 * ni_cli.h - small helpers both command-line programs share.
 *
 * Only the programs (indexer/, query/) print and choose exit codes; these
 * helpers stay silent and return what they found, so the two programs
 * read their options and name their index the same way.
 */
#ifndef NI_CLI_H
#define NI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "ni_buf.h"
#include "ni_config.h"
#include "ni_parse_error.h"
#include "ni_status.h"

/* Exit codes of newsindex (docs/newsindex.1). */
enum ni_index_exit {
	NI_EXIT_OK = 0,
	NI_EXIT_FAILED = 1,     /* could not do its job: index, sources */
	NI_EXIT_USAGE = 2,      /* bad command line */
	/* build --strict: done, but a file was skipped or a duplicate, or
	 * a folder could not be read */
	NI_EXIT_SKIPPED = 3,
	NI_EXIT_BUSY = 4,       /* another command is writing the index */
};

/* Exit codes of newsquery (docs/newsquery.1), like grep's. */
enum ni_query_exit {
	NI_QUERY_EXIT_MATCH = 0,
	NI_QUERY_EXIT_NO_MATCH = 1,
	NI_QUERY_EXIT_ERROR = 2,
};

/*
 * Parse `text` as a whole decimal number in [0, max].  False for empty
 * text, signs, trailing characters or overflow.
 */
bool ni_parse_unsigned(const char *text, unsigned long max,
		       unsigned long *out);

/* Parse `text` as a whole finite decimal number in [lo, hi]. */
bool ni_parse_double(const char *text, double lo, double hi, double *out);

/*
 * The index path the user means, appended to `out`: `flag` (--db), else
 * the environment's NEWSINDEX_DB, else `config_db` (the config file's
 * `db`, NULL when it has none), else the environment's XDG_DATA_HOME or
 * HOME, by ni_db_path_choose().  NI_EINVAL when none of them is set.
 */
ni_status ni_cli_db_path(const char *flag, const char *config_db,
			 struct ni_buf *out);

/*
 * The user's config file, for the programs: ni_config_path() and
 * ni_config_load() with the environment's NEWSINDEX_CONFIG,
 * XDG_CONFIG_HOME and HOME.  The path read is appended to `path_used`,
 * also on failure, so that the error can name the file; it stays empty
 * when there is no path at all (none of the three is set), which is an
 * empty config and NI_OK.  Otherwise as ni_config_load(): on NI_OK the
 * caller frees `*out` with ni_config_clear(); on NI_EIO or NI_EPARSE
 * `*err` says where and why; NI_ENOMEM.
 */
ni_status ni_cli_load_config(struct ni_config *out, struct ni_buf *path_used,
			     struct ni_parse_error *err);

/*
 * ni_cli_load_config(), with the one line a program says when it fails.
 * On NI_OK, as there: the caller frees `*out` with ni_config_clear().
 * Otherwise `*out` is left empty and `message` gets what is wrong with
 * the file, naming it (its path may be empty, never NULL): "PATH: line L
 * col C: MESSAGE" (a mistake in it), "PATH: MESSAGE" (one without a
 * place, or a file that cannot be read: MESSAGE is the system's), or
 * "cannot read the config file PATH: STATUS" (NI_ENOMEM); with no
 * program name and no newline, for the program to print after its own.
 * NI_EIO, NI_EPARSE or NI_ENOMEM, as ni_cli_load_config().
 */
ni_status ni_cli_read_config(struct ni_config *out, struct ni_buf *message);

/*
 * Whether to colour output on a stream: `mode` is "auto", "always" or
 * "never"; "auto" means only on a terminal, only when NO_COLOR is unset or
 * empty (no-color.org) and only when TERM is not "dumb" (which prints
 * escape sequences as text).  False for any other mode.
 */
bool ni_cli_use_color(const char *mode, int fd);

/*
 * What to do about the index at `path` refused with NI_EDB_SCHEMA
 * (another schema version or analyzer), appended to `out`: a stub
 * file's shard is built again where it lives; an index, or a sharded
 * index's folder, is built again from its sources with `newsindex build
 * --rebuild`, which keeps it until the new one is complete.  Never
 * "delete it".  NI_ENOMEM, or NI_OK.
 */
ni_status ni_cli_schema_advice(const char *path, struct ni_buf *out);

/*
 * What a program says when the index at `path` cannot be opened (or
 * checked): `status` and `detail` are what ni_db_open() (or
 * ni_db_check()) returned, `detail` the text of its `errmsg` (NULL or
 * "" for none),
 * and `program` ("newsindex", "newsquery") is who asks.  One line is
 * appended to `message`, without the program's name or a newline, the
 * same whichever program asks but for the name in its advice:
 *   NI_EDB_NOT_FOUND  "no index at PATH: run 'newsindex build SOURCE...'
 *                     to create it (DETAIL)"; but when DETAIL is about
 *                     the shards of a stub ("shard 2 of ...", "no shard
 *                     of ... could be opened"), as any other status: the
 *                     stub is there, building would not help;
 *   NI_EDB_LOCKED     "index PATH is busy: another newsindex command ...
 *                     is writing it; try again when it ends, or wait for
 *                     it with 'newsindex build --wait'";
 *   NI_EDB_BUILDING   DETAIL, which says whose build: never "delete it";
 *   NI_EDB_FOREIGN    "DETAIL; give PROGRAM another --db": DETAIL says
 *                     it is another program's database, not ours to
 *                     delete;
 *   NI_EDB_SCHEMA     "DETAIL; " and what to run (ni_cli_schema_advice());
 *   any other         "cannot open index PATH: STATUS (DETAIL)", STATUS
 *                     by ni_status_str(); NI_EDB_OPENING too: an index is
 *                     there, but it will not open.
 * " (DETAIL)" is left out when there is no detail.  Which exit status
 * goes with it is the program's.  NI_ENOMEM, or NI_OK.
 */
ni_status ni_cli_open_failure(const char *program, const char *path,
			      ni_status status, const char *detail,
			      struct ni_buf *message);

struct option;

/*
 * getopt_long() that says nothing: the next option of `argv`, in GNU
 * order (options anywhere among the other arguments, "--" ends them),
 * or -1 after the last; optarg and optind as getopt_long() sets them.
 * `shortopts` is as getopt's, without a leading ':'; a leading '+' makes
 * it stop at the first argument that is no option (for a program that
 * decides itself what is an option and takes one at a time).  An option
 * it refuses returns '?' and appends to `problem` one phrase that says
 * what was wrong: "unknown option '--bogus'", "unknown option '-x'",
 * "option '--db' needs a value", "option '-j' needs a value", "option
 * '--strict' takes no value", "option '--s' is ambiguous (--strict,
 * --shards)", and for white space where an option's name would be
 * (text pasted whole) "'--- a b' is no option: put -- before arguments
 * that start with '-'".  An argument repeated is cut at 40 bytes, its
 * control characters as \xNN.  The program adds its name and a hint.  A
 * `shortopts` over 126 characters is refused so, at every call.
 */
int ni_cli_getopt(int argc, char **argv, const char *shortopts,
		  const struct option *longopts, struct ni_buf *problem);

/*
 * Flush standard output, at the end of a program, and tell whether all
 * that was written to it arrived: 0, else the errno of the failure, or
 * -1 when an earlier write failed and its cause is lost (stdio keeps no
 * errno, and errno itself may have changed since: say "write error"
 * then, never strerror(errno)).  A reader that
 * went away (EPIPE, which a write gets when SIGPIPE is ignored) ends the
 * program here, by SIGPIPE with its default action, silently: so it
 * ends as when SIGPIPE is not ignored, and a script sees one status
 * either way (141 in a shell).  The one helper here that may end the
 * program; EPIPE comes back only when SIGPIPE is blocked, and then the
 * caller should end quietly with its failure status.
 */
int ni_cli_finish_stdout(void);

/*
 * Write `json` (json-c's text) and a newline to `out`, with DEL and the
 * C1 controls, which json-c writes as they are and some terminals obey,
 * as \u escapes, and each ill-formed UTF-8 sequence (a byte that is not
 * UTF-8, or a character cut short), which json-c also passes on, as
 * U+FFFD: JSON must be UTF-8, and a file name need not be.  Outside its
 * strings JSON is ASCII, so these bytes are always in a string.
 */
void ni_cli_put_json_line(FILE *out, const char *json);

/* How ni_cli_put_escaped() writes each byte of a control character. */
enum ni_cli_escape {
	NI_CLI_ESCAPE_HEX,   /* \xHH: a message of one line */
	NI_CLI_ESCAPE_LINES, /* \xHH, but a newline stays: a report */
	NI_CLI_ESCAPE_TSV,   /* \t, \n, \r or \xHH, and \\: undone as
				in C */
	NI_CLI_ESCAPE_PATH,  /* as TSV, but a backslash stays: it is a
				name's */
	NI_CLI_ESCAPE_URL,   /* %HH, as a browser sends such a URL */
};

/*
 * Write `text` (a path, a URL, a TSV field, a report: from articles or
 * their files' names, untrusted) to `out` with each control character
 * (ni_is_control()) escaped byte by byte as `how` says, so that
 * nothing in it can end a line or drive a terminal.  NULL is written
 * as nothing.
 */
void ni_cli_put_escaped(FILE *out, const char *text, enum ni_cli_escape how);

#endif
