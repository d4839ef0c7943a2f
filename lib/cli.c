/* Helpers for the two programs: see include/ni_cli.h. */
#include "ni_cli.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

bool ni_cli_is_stub(const char *path)
{
	struct stat st;
	if (!path || stat(path, &st) != 0)
		return false;
	if (S_ISREG(st.st_mode))
		return true;
	/* A sharded index: a folder holding Xapian's stub file. */
	char inside[4096];
	return S_ISDIR(st.st_mode) &&
	       snprintf(inside, sizeof inside, "%s/XAPIANDB", path) <
		       (int)sizeof inside &&
	       stat(inside, &st) == 0 && S_ISREG(st.st_mode);
}
