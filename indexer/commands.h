/*
 * commands.h - the subcommands of newsindex, one file each (build.c,
 * stats.c, check.c, compact.c, forget.c, watch.c), dispatched from
 * newsindex.c's table.  What they share is common.h's.
 *
 * Each takes the arguments after its name (argv[0] is the subcommand's
 * name) and returns the process exit code (enum ni_index_exit).
 */
#ifndef NEWSINDEX_COMMANDS_H
#define NEWSINDEX_COMMANDS_H

int cmd_build(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_forget(int argc, char **argv);
int cmd_watch(int argc, char **argv);

/* Each command's --help text (newsindex help COMMAND prints it too). */
extern const char BUILD_USAGE[];
extern const char STATS_USAGE[];
extern const char CHECK_USAGE[];
extern const char COMPACT_USAGE[];
extern const char FORGET_USAGE[];
extern const char WATCH_USAGE[];

#endif
