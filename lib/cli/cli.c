/* Helpers for the two programs: see include/ni_cli.h. */
#include "ni_cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unicode/utf8.h>

#include "ni_control.h"
#include "ni_dbpath.h"

bool ni_parse_unsigned(const char *text, unsigned long max,
		       unsigned long *out)
{
	if (!text || !isdigit((unsigned char)text[0]))
		return false;
	char *end;
	errno = 0;
	unsigned long value = strtoul(text, &end, 10);
	if (errno || *end || value > max)
		return false;
	*out = value;
	return true;
}

bool ni_parse_double(const char *text, double lo, double hi, double *out)
{
	if (!text || !*text || isspace((unsigned char)text[0]))
		return false;
	char *end;
	errno = 0;
	double value = strtod(text, &end);
	if (errno || *end || !isfinite(value) || value < lo || value > hi)
		return false;
	*out = value;
	return true;
}

ni_status ni_cli_db_path(const char *flag, const char *config_db,
			 struct ni_buf *out)
{
	return ni_db_path_choose(flag, getenv("NEWSINDEX_DB"), config_db,
				 getenv("XDG_DATA_HOME"), getenv("HOME"), out);
}

ni_status ni_cli_load_config(struct ni_config *out, struct ni_buf *path_used,
			     struct ni_parse_error *err)
{
	const char *home = getenv("HOME");
	bool explicit_path = false;
	*out = (struct ni_config){0};
	ni_status st = ni_config_path(getenv("NEWSINDEX_CONFIG"),
				      getenv("XDG_CONFIG_HOME"), home,
				      path_used, &explicit_path);
	if (st == NI_EINVAL)
		return NI_OK;  /* nowhere to look: nothing configured */
	if (st != NI_OK)
		return st;
	return ni_config_load(ni_buf_str(path_used), explicit_path, home, out,
			      err);
}

ni_status ni_cli_read_config(struct ni_config *out, struct ni_buf *message)
{
	struct ni_buf path = NI_BUF_INIT;
	struct ni_parse_error err = {0};
	ni_status status = ni_cli_load_config(out, &path, &err);
	if (status == NI_EPARSE && err.line)
		ni_buf_addf(message, "%s: line %u col %u: %s",
			    ni_buf_str(&path), err.line, err.column,
			    err.message);
	else if (status == NI_EPARSE || status == NI_EIO)
		ni_buf_addf(message, "%s: %s", ni_buf_str(&path), err.message);
	else if (status != NI_OK)
		ni_buf_addf(message, "cannot read the config file %s: %s",
			    ni_buf_str(&path), ni_status_str(status));
	ni_buf_release(&path);
	return status;
}

bool ni_cli_use_color(const char *mode, int fd)
{
	if (!strcmp(mode, "always"))
		return true;
	if (strcmp(mode, "auto"))
		return false;
	/* A dumb terminal prints escape sequences as text. */
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	return (!no_color || !*no_color) && !(term && !strcmp(term, "dumb")) &&
	       isatty(fd);
}

ni_status ni_cli_schema_advice(const char *path, struct ni_buf *out)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return ni_buf_adds(out, "build that shard again");
	return ni_buf_addf(out, "build it again from its sources with "
			   "'newsindex build --rebuild --db %s'", path);
}

ni_status ni_cli_open_failure(const char *program, const char *path,
			      ni_status status, const char *detail,
			      struct ni_buf *message)
{
	bool has_detail = detail && *detail;
	const char *subject = has_detail ? detail : path;
	/* A shard's failure is named in `detail`: no hint to build (a
	 * stub file is not built, nor are shards none of which opens). */
	bool shard = has_detail && (!strncmp(detail, "shard ", 6) ||
				    !strncmp(detail, "no shard ", 9));
	switch (status) {
	case NI_EDB_LOCKED:
		return ni_buf_addf(message, "index %s is busy: another "
				   "newsindex command (build, compact or "
				   "forget) is writing it; try again when it "
				   "ends, or wait for it with 'newsindex "
				   "build --wait'", path);
	case NI_EDB_BUILDING:  /* never "delete it": it is being built */
		return ni_buf_adds(message, subject);
	case NI_EDB_FOREIGN:   /* another program's: not ours to delete */
		return ni_buf_addf(message, "%s; give %s another --db",
				   subject, program);
	case NI_EDB_SCHEMA:
		/* In a stub, `detail` names the shard: that one is rebuilt. */
		if (ni_buf_addf(message, "%s; ", subject) != NI_OK)
			return NI_ENOMEM;
		return ni_cli_schema_advice(path, message);
	default:
		break;
	}
	ni_status st = status == NI_EDB_NOT_FOUND && !shard
		? ni_buf_addf(message, "no index at %s: run 'newsindex build "
			      "SOURCE...' to create it", path)
		: ni_buf_addf(message, "cannot open index %s: %s", path,
			      ni_status_str(status));
	if (st == NI_OK && has_detail)
		st = ni_buf_addf(message, " (%s)", detail);
	return st;
}

/* `arg` ("--name=value") up to its '=' or end, without the dashes. */
static size_t long_name_len(const char *arg)
{
	return strcspn(arg + 2, "=");
}

/* The long option `arg` abbreviates (unique prefix), or NULL. */
static const struct option *long_option(const char *arg,
					const struct option *longopts)
{
	size_t len = long_name_len(arg);
	const struct option *found = NULL;
	for (const struct option *o = longopts; o && o->name; o++) {
		if (strncmp(o->name, arg + 2, len))
			continue;
		if (strlen(o->name) == len)
			return o;
		found = found ? NULL : o;
	}
	return found;
}

/* The longest part of a refused argument a message repeats. */
#define ARG_SHOWN 40

/*
 * `len` bytes of an argument as a message repeats it: at most ARG_SHOWN
 * of them, then "..."; a control character, a control that reorders
 * text and a byte that is not UTF-8 as \xNN (the message goes to a
 * terminal: an argument is what anyone pasted).
 */
static void add_arg(struct ni_buf *out, const char *arg, int32_t len)
{
	int32_t i = 0;
	while (i < len) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(arg, i, len, c);
		if (i > ARG_SHOWN) {
			ni_buf_adds(out, "...");
			return;
		}
		if (c >= 0 && !ni_is_control(c) && !ni_is_bidi_control(c))
			ni_buf_add(out, arg + start, (size_t)(i - start));
		else
			for (int32_t b = start; b < i; b++)
				ni_buf_addf(out, "\\x%02x",
					    (unsigned char)arg[b]);
	}
}

/* Text pasted whole, which starts with a '-' (a YAML "---", a list's
 * "- "): white space in what would be an option's name. */
static bool looks_pasted(const char *name, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)name[i]))
			return true;
	return false;
}

/* What getopt_long() refused: see ni_cli_getopt(). */
static void describe_refusal(int got, char **argv,
			     const struct option *longopts,
			     struct ni_buf *problem)
{
	/* getopt_long() has stepped past a refused long option, and past
	 * a cluster of short ones that ends with the refused one. */
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	bool is_long = !strncmp(arg, "--", 2) && arg[2];
	int len = is_long ? (int)long_name_len(arg) : 0;
	if (got == ':' && is_long) {
		ni_buf_addf(problem, "option '%.*s' needs a value", len + 2,
			    arg);
		return;
	}
	if (got == ':') {
		ni_buf_addf(problem, "option '-%c' needs a value", optopt);
		return;
	}
	const struct option *o = is_long ? long_option(arg, longopts) : NULL;
	if (o && optopt && o->val == optopt && o->has_arg == no_argument &&
	    strchr(arg, '=')) {
		ni_buf_addf(problem, "option '--%s' takes no value", o->name);
		return;
	}
	if (is_long && !optopt) {
		size_t matches = 0;
		for (const struct option *l = longopts; l && l->name; l++)
			matches += !strncmp(l->name, arg + 2, (size_t)len);
		if (matches < 2) {
			ni_buf_adds(problem, looks_pasted(arg, (size_t)len + 2)
					     ? "'" : "unknown option '");
			add_arg(problem, arg, len + 2);
			ni_buf_adds(problem, looks_pasted(arg, (size_t)len + 2)
					     ? "' is no option: put -- before "
					       "arguments that start with '-'"
					     : "'");
			return;
		}
		ni_buf_addf(problem, "option '%.*s' is ambiguous (", len + 2,
			    arg);
		const char *sep = "";
		for (const struct option *l = longopts; l && l->name; l++) {
			if (strncmp(l->name, arg + 2, (size_t)len))
				continue;
			ni_buf_addf(problem, "%s--%s", sep, l->name);
			sep = ", ";
		}
		ni_buf_addch(problem, ')');
		return;
	}
	if (isspace(optopt)) {
		ni_buf_adds(problem, "'-");
		ni_buf_addch(problem, (char)optopt);
		ni_buf_adds(problem, "' is no option: put -- before "
				     "arguments that start with '-'");
	} else if (isprint(optopt)) {
		ni_buf_addf(problem, "unknown option '-%c'", optopt);
	} else {
		ni_buf_adds(problem, "unknown option '");
		add_arg(problem, arg, (int32_t)strlen(arg));
		ni_buf_addch(problem, '\'');
	}
}

int ni_cli_getopt(int argc, char **argv, const char *shortopts,
		  const struct option *longopts, struct ni_buf *problem)
{
	/* ':' first: a missing value is told apart from an unknown
	 * option, and getopt prints nothing (nor does it with opterr). */
	char spec[128];
	bool stop = shortopts[0] == '+';
	if (snprintf(spec, sizeof spec, "%s:%s", stop ? "+" : "",
		     shortopts + stop) >= (int)sizeof spec) {
		/* A program's mistake, which must not pass for "no more
		 * options": every run of it says so. */
		ni_buf_addf(problem, "option letters '%s' are more than "
			    "ni_cli_getopt() takes", shortopts);
		return '?';
	}
	opterr = 0;
	int got = getopt_long(argc, argv, spec, longopts, NULL);
	if (got != '?' && got != ':')
		return got;
	describe_refusal(got, argv, longopts, problem);
	return '?';
}

int ni_cli_finish_stdout(void)
{
	int err = 0;
	errno = 0;
	if (fflush(stdout) != 0)
		err = errno ? errno : -1;
	else if (ferror(stdout))
		err = -1;
	if (err == EPIPE) {
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	return err;
}

void ni_cli_put_json_line(FILE *out, const char *json)
{
	int32_t len = (int32_t)strlen(json), i = 0;
	while (i < len) {
		int32_t start = i;
		while (i < len && (unsigned char)json[i] < 0x7f)
			i++;
		fwrite(json + start, 1, (size_t)(i - start), out);
		if (i == len)
			break;
		start = i;
		UChar32 c;
		U8_NEXT(json, i, len, c);
		if (c < 0)
			fputs("\xef\xbf\xbd", out);  /* U+FFFD */
		else if (c >= 0x7f && c < 0xa0)
			fprintf(out, "\\u%04x", (unsigned)c);
		else
			fwrite(json + start, 1, (size_t)(i - start), out);
	}
	fputc('\n', out);
}

void ni_cli_put_escaped(FILE *out, const char *text, enum ni_cli_escape how)
{
	bool tsv = how == NI_CLI_ESCAPE_TSV, url = how == NI_CLI_ESCAPE_URL;
	bool named = tsv || how == NI_CLI_ESCAPE_PATH;
	int32_t len = text ? (int32_t)strlen(text) : 0, i = 0;
	while (i < len) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(text, i, len, c);
		const char *name = c == '\t' ? "\\t" : c == '\n' ? "\\n"
				 : c == '\r' ? "\\r" : NULL;
		if (tsv && c == '\\')
			fputs("\\\\", out);
		else if ((!ni_is_control(c) && !ni_is_bidi_control(c)) ||
			 (how == NI_CLI_ESCAPE_LINES && c == '\n'))
			fwrite(text + start, 1, (size_t)(i - start), out);
		else if (named && name)
			fputs(name, out);
		else
			for (int32_t b = start; b < i; b++)
				fprintf(out, url ? "%%%02X" : "\\x%02x",
					(unsigned char)text[b]);
	}
}
