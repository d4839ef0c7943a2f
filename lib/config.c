/*
 * ni_config: see include/ni_config.h.
 *
 * The file is read whole (it is small, and capped), then handed to
 * libyaml's event parser.  One table names every setting, the kind of
 * value it takes, its range and where in struct ni_config it goes; the
 * top-level mapping is read against it.  Any event the table does not
 * expect stops the load with an error at that event, so nothing is ever
 * skipped unseen: no unknown key, no alias, no structure deeper than the
 * list under `facets`, which is also what bounds the nesting.
 */
#include "ni_config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* A value quoted in a message is cut after this many bytes ... */
#define QUOTE_MAX 60
/* ... so, escaped (\xNN per byte at worst), it fits in this. */
#define QUOTED_SIZE (QUOTE_MAX * 4 + sizeof "\"...\"")

static bool is_set(const char *value)
{
	return value && *value;
}

ni_status ni_config_path(const char *env_config, const char *xdg_config_home,
			 const char *home, struct ni_buf *out,
			 bool *explicit_path)
{
	bool named = false;
	ni_status st;
	if (is_set(env_config)) {
		named = true;
		st = ni_buf_adds(out, env_config);
	} else if (is_set(xdg_config_home) && xdg_config_home[0] == '/') {
		/* XDG: a relative $XDG_CONFIG_HOME must be ignored. */
		st = ni_buf_addf(out, "%s/newsindex/config.yaml",
				 xdg_config_home);
	} else if (is_set(home)) {
		st = ni_buf_addf(out, "%s/.config/newsindex/config.yaml",
				 home);
	} else {
		return NI_EINVAL;
	}
	if (st == NI_OK && explicit_path)
		*explicit_path = named;
	return st;
}

void ni_config_clear(struct ni_config *config)
{
	free(config->db);
	free(config->color);
	free(config->hyperlinks);
	free(config->facets);
	*config = (struct ni_config){0};
}

/* ---- errors ----------------------------------------------------------- */

static void set_error(struct ni_parse_error *err, unsigned line,
		      unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void set_error(struct ni_parse_error *err, unsigned line,
		      unsigned column, const char *fmt, ...)
{
	va_list ap;
	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
}

/* Cut at most `max` bytes without splitting a UTF-8 character. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/*
 * `s` in double quotes for a message: quotes, backslashes and control
 * characters escaped, "..." after QUOTE_MAX bytes.
 */
static const char *quote(const char *s, size_t len,
			 char out[static QUOTED_SIZE])
{
	size_t n = utf8_cut(s, len, QUOTE_MAX), o = 0;
	out[o++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7F) {
			o += (size_t)snprintf(out + o, QUOTED_SIZE - o,
					      "\\x%02x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	if (n < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* ---- reading the file ------------------------------------------------- */

/*
 * Read the whole file at `path` into `buf`.  NI_EIO with the system's
 * message (and `*missing` set when there is no such file); NI_EPARSE when
 * the file is larger than NI_CONFIG_MAX_BYTES.  Reading stops one byte
 * past the cap, so a huge file (or an endless one) costs nothing.
 */
static ni_status read_file(const char *path, struct ni_buf *buf,
			   bool *missing, struct ni_parse_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*missing = errno == ENOENT || errno == ENOTDIR;
		set_error(err, 0, 0, "%s", strerror(errno));
		return NI_EIO;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		set_error(err, 0, 0, "%s", strerror(EISDIR));
		return NI_EIO;
	}
	ni_status st = NI_OK;
	while (st == NI_OK && buf->len <= NI_CONFIG_MAX_BYTES) {
		size_t want = NI_CONFIG_MAX_BYTES + 1 - buf->len;
		st = ni_buf_grow(buf, want);
		if (st != NI_OK)
			break;
		ssize_t n = read(fd, buf->data + buf->len, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			set_error(err, 0, 0, "%s", strerror(errno));
			st = NI_EIO;
		} else if (n == 0) {
			break;
		} else {
			buf->len += (size_t)n;
			buf->data[buf->len] = '\0';
		}
	}
	close(fd);
	if (st == NI_OK && buf->len > NI_CONFIG_MAX_BYTES) {
		set_error(err, 0, 0, "config file is larger than %d KiB",
			  NI_CONFIG_MAX_BYTES / 1024);
		st = NI_EPARSE;
	}
	return st;
}

/* ---- the event reader ------------------------------------------------- */

struct cfg_parser {
	yaml_parser_t yaml;
	yaml_event_t event;       /* the current event, owned when has_event */
	bool has_event;
	const char *text;         /* the file, after any byte order mark */
	size_t len;
	const char *home;
	struct ni_config *config;
	struct ni_parse_error *err;
};

/*
 * The 1-based line and column of a place in the text, given either as a
 * byte offset or as libyaml's character index (whichever comes first).
 * Columns count characters, as libyaml's do; lines are counted here, by
 * '\n', so that they are the file's lines even where YAML 1.1 sees other
 * line breaks (NEL, LS, PS, a lone CR).
 */
static void locate(const struct cfg_parser *p, size_t stop_byte,
		   size_t stop_char, unsigned *line, unsigned *column)
{
	size_t chars = 0;
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < p->len && i < stop_byte; i++) {
		unsigned char c = (unsigned char)p->text[i];
		if ((c & 0xC0) == 0x80)
			continue;  /* UTF-8 continuation byte */
		if (chars++ == stop_char)
			break;
		if (c == '\n') {
			(*line)++;
			*column = 1;
		} else {
			(*column)++;
		}
	}
}

static ni_status fail_at(struct cfg_parser *p, yaml_mark_t mark,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Stop the load with an error at `mark`. */
static ni_status fail_at(struct cfg_parser *p, yaml_mark_t mark,
			 const char *fmt, ...)
{
	va_list ap;
	locate(p, SIZE_MAX, mark.index, &p->err->line, &p->err->column);
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
	va_end(ap);
	return NI_EPARSE;
}

static ni_status yaml_failure(struct cfg_parser *p)
{
	const yaml_parser_t *y = &p->yaml;
	unsigned line, column;

	if (y->error == YAML_MEMORY_ERROR)
		return NI_ENOMEM;
	if (y->error == YAML_READER_ERROR) {
		/* Reader errors carry a byte offset, not a mark. */
		locate(p, y->problem_offset, SIZE_MAX, &line, &column);
		const char *problem = y->problem ? y->problem : "unreadable";
		if (y->problem_value >= 0)
			set_error(p->err, line, column, "%s (#x%02x)", problem,
				  (unsigned)y->problem_value);
		else
			set_error(p->err, line, column, "%s", problem);
		return NI_EPARSE;
	}
	locate(p, SIZE_MAX, y->problem_mark.index, &line, &column);
	const char *problem = y->problem ? y->problem : "invalid yaml";
	/* libyaml's contexts read "while parsing a block mapping". */
	if (y->context)
		set_error(p->err, line, column, "%s %s", problem, y->context);
	else
		set_error(p->err, line, column, "%s", problem);
	return NI_EPARSE;
}

static ni_status next_event(struct cfg_parser *p)
{
	if (p->has_event) {
		yaml_event_delete(&p->event);
		p->has_event = false;
	}
	if (!yaml_parser_parse(&p->yaml, &p->event))
		return yaml_failure(p);
	p->has_event = true;
	return NI_OK;
}

static bool is_scalar(const struct cfg_parser *p)
{
	return p->event.type == YAML_SCALAR_EVENT;
}

static const char *scalar_text(const struct cfg_parser *p)
{
	return (const char *)p->event.data.scalar.value;
}

static size_t scalar_length(const struct cfg_parser *p)
{
	return p->event.data.scalar.length;
}

/* `~`, `null` or nothing at all, unquoted: as if the key were absent. */
static bool is_null(const struct cfg_parser *p)
{
	if (!is_scalar(p) ||
	    p->event.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	const char *s = scalar_text(p);
	size_t len = scalar_length(p);
	return len == 0 || (len == 1 && s[0] == '~') ||
	       (len == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) ||
			     !memcmp(s, "NULL", 4)));
}

/* What the current event is, for "expected X, got Y". */
static const char *describe(const struct cfg_parser *p,
			    char out[static QUOTED_SIZE])
{
	switch (p->event.type) {
	case YAML_SCALAR_EVENT:
		return quote(scalar_text(p), scalar_length(p), out);
	case YAML_MAPPING_START_EVENT:
		return "a mapping";
	case YAML_SEQUENCE_START_EVENT:
		return "a list";
	default:
		return "nothing";
	}
}

/*
 * "<name>: expected <what>, got <the value>" at the current event; an
 * alias gets its own message, since no alias is ever allowed.
 */
static ni_status reject(struct cfg_parser *p, const char *name,
			const char *expected)
{
	char value[QUOTED_SIZE];
	if (p->event.type == YAML_ALIAS_EVENT)
		return fail_at(p, p->event.start_mark,
			       "%s: aliases are not allowed (*%s): write the "
			       "value out", name,
			       (const char *)p->event.data.alias.anchor);
	return fail_at(p, p->event.start_mark, "%s: expected %s, got %s",
		       name, expected, describe(p, value));
}

/* ---- values ----------------------------------------------------------- */

enum setting_kind {
	SETTING_PATH,    /* char *: absolute, or ~/ expanded */
	SETTING_COUNT,   /* unsigned, a whole number in [lo, hi] */
	SETTING_REAL,    /* double in [lo, hi], or (lo, hi] when lo_open */
	SETTING_WHEN,    /* char *: auto, always or never */
	SETTING_NAMES,   /* char *: text, or a list of names joined by "," */
};

struct setting {
	const char *name;
	enum setting_kind kind;
	size_t offset;       /* of the value in struct ni_config */
	size_t has_offset;   /* of its has_ flag (numbers only) */
	double lo, hi;
	bool lo_open;
	const char *expected;   /* for "expected ..., got ..." */
};

#define TEXT_SETTING(name, kind, expected) \
	{#name, kind, offsetof(struct ni_config, name), 0, 0, 0, false, \
	 expected}
#define NUMBER_SETTING(name, kind, lo, hi, lo_open, expected) \
	{#name, kind, offsetof(struct ni_config, name), \
	 offsetof(struct ni_config, has_##name), lo, hi, lo_open, expected}

static const char WHEN_EXPECTED[] = "auto, always or never";

static const struct setting SETTINGS[] = {
	TEXT_SETTING(db, SETTING_PATH,
		     "an absolute path or one starting with ~/"),
	NUMBER_SETTING(limit, SETTING_COUNT, 1, 10000, false,
		       "a whole number from 1 to 10000"),
	NUMBER_SETTING(quality_weight, SETTING_REAL, 0, 1000, false,
		       "a number from 0 to 1000"),
	NUMBER_SETTING(bm25_k1, SETTING_REAL, 0, 100, false,
		       "a number from 0 to 100"),
	NUMBER_SETTING(bm25_b, SETTING_REAL, 0, 1, false,
		       "a number from 0 to 1"),
	TEXT_SETTING(color, SETTING_WHEN, WHEN_EXPECTED),
	TEXT_SETTING(hyperlinks, SETTING_WHEN, WHEN_EXPECTED),
	NUMBER_SETTING(recent_half_life_days, SETTING_REAL, 0, 36500, true,
		       "a number above 0 and at most 36500"),
	TEXT_SETTING(facets, SETTING_NAMES, "text or a list of names"),
};

#define N_SETTINGS (sizeof SETTINGS / sizeof SETTINGS[0])

static void *member(struct ni_config *config, size_t offset)
{
	return (char *)config + offset;
}

static char *dup_bytes(const char *s, size_t len)
{
	char *copy = malloc(len + 1);
	if (copy) {
		memcpy(copy, s, len);
		copy[len] = '\0';
	}
	return copy;
}

/*
 * The current event as text for setting `name`: false (with the error
 * set in `*st`) unless it is a scalar without NUL bytes, which a quoted
 * "\0" could hold and which would cut a C string short.
 */
static bool take_text(struct cfg_parser *p, const char *name,
		      const char *expected, ni_status *st)
{
	if (!is_scalar(p)) {
		*st = reject(p, name, expected);
		return false;
	}
	if (memchr(scalar_text(p), '\0', scalar_length(p))) {
		*st = fail_at(p, p->event.start_mark,
			      "%s: text contains a NUL byte", name);
		return false;
	}
	return true;
}

static ni_status parse_path(struct cfg_parser *p, const struct setting *s,
			    char **slot)
{
	ni_status st;
	if (!take_text(p, s->name, s->expected, &st))
		return st;
	const char *text = scalar_text(p);
	size_t len = scalar_length(p);
	if (len >= 2 && text[0] == '~' && text[1] == '/') {
		if (!is_set(p->home))
			return fail_at(p, p->event.start_mark,
				       "%s: cannot expand ~/: HOME is not "
				       "set", s->name);
		/* HOME=/ must not give "//news". */
		size_t home_len = strlen(p->home);
		while (home_len && p->home[home_len - 1] == '/')
			home_len--;
		struct ni_buf path = NI_BUF_INIT;
		st = ni_buf_add(&path, p->home, home_len);
		if (st == NI_OK)
			st = ni_buf_add(&path, text + 1, len - 1);
		if (st == NI_OK)
			*slot = ni_buf_detach(&path);
		ni_buf_release(&path);
		return st == NI_OK && !*slot ? NI_ENOMEM : st;
	}
	/*
	 * A relative path would depend on where the program happens to be
	 * run, and "~bob/" is not expanded: say so rather than guess.
	 */
	if (len == 0 || text[0] != '/')
		return reject(p, s->name, s->expected);
	*slot = dup_bytes(text, len);
	return *slot ? NI_OK : NI_ENOMEM;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Digits only: no sign, no blanks, no "1e3", no "20.0". */
static bool read_count(const char *s, size_t len, double hi, unsigned *out)
{
	unsigned long value = 0;
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
		value = value * 10 + (unsigned long)(s[i] - '0');
		/* Checked on every digit, so the sum cannot overflow. */
		if (value > hi)
			return false;
	}
	*out = (unsigned)value;
	return true;
}

/*
 * A decimal number as YAML writes it: sign, digits, '.', exponent, and
 * nothing else (no blanks, "inf", "nan" or hexadecimal, which strtod()
 * would take).  strtod() reads the decimal point of the current locale,
 * and a program may have called setlocale(), so the locale's point is
 * swapped in before converting (as lib/article.c does).
 */
static bool read_real(const char *s, size_t len, double *out)
{
	char buf[64];
	if (len == 0 || len >= sizeof buf)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]) && !strchr("+-.eE", s[i]))
			return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	const char *point = localeconv()->decimal_point;
	if (point[0] != '.' && point[0] && !point[1])
		for (char *dot = strchr(buf, '.'); dot; dot = strchr(dot, '.'))
			*dot = point[0];
	char *end;
	double value = strtod(buf, &end);
	if (end != buf + len || !isfinite(value))
		return false;
	*out = value;
	return true;
}

static ni_status parse_count(struct cfg_parser *p, const struct setting *s,
			     unsigned *slot, bool *has)
{
	unsigned value;
	if (!is_scalar(p) ||
	    !read_count(scalar_text(p), scalar_length(p), s->hi, &value) ||
	    value < s->lo)
		return reject(p, s->name, s->expected);
	*slot = value;
	*has = true;
	return NI_OK;
}

static ni_status parse_real(struct cfg_parser *p, const struct setting *s,
			    double *slot, bool *has)
{
	double value;
	if (!is_scalar(p) ||
	    !read_real(scalar_text(p), scalar_length(p), &value) ||
	    value < s->lo || (s->lo_open && value == s->lo) || value > s->hi)
		return reject(p, s->name, s->expected);
	*slot = value;
	*has = true;
	return NI_OK;
}

static ni_status parse_when(struct cfg_parser *p, const struct setting *s,
			    char **slot)
{
	static const char *const words[] = {"auto", "always", "never"};
	if (!is_scalar(p))
		return reject(p, s->name, s->expected);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (scalar_length(p) == strlen(words[i]) &&
		    !memcmp(scalar_text(p), words[i], scalar_length(p))) {
			*slot = dup_bytes(words[i], strlen(words[i]));
			return *slot ? NI_OK : NI_ENOMEM;
		}
	}
	return reject(p, s->name, s->expected);
}

/* The items of a list of names, up to its end, joined with ",". */
static ni_status parse_name_list(struct cfg_parser *p,
				 const struct setting *s, struct ni_buf *out)
{
	char name[64];
	for (size_t i = 0;; i++) {
		ni_status st = next_event(p);
		if (st != NI_OK)
			return st;
		if (p->event.type == YAML_SEQUENCE_END_EVENT)
			return NI_OK;
		snprintf(name, sizeof name, "%s[%zu]", s->name, i);
		/* An item holds one name: not empty, no comma, not null. */
		const char *expected = "a name (text without commas)";
		if (!take_text(p, name, expected, &st))
			return st;
		if (scalar_length(p) == 0 || is_null(p) ||
		    memchr(scalar_text(p), ',', scalar_length(p)))
			return reject(p, name, expected);
		if (i > 0)
			st = ni_buf_addch(out, ',');
		if (st == NI_OK)
			st = ni_buf_add(out, scalar_text(p), scalar_length(p));
		if (st != NI_OK)
			return st;
	}
}

static ni_status parse_names(struct cfg_parser *p, const struct setting *s,
			     char **slot)
{
	ni_status st;
	if (p->event.type != YAML_SEQUENCE_START_EVENT) {
		if (!take_text(p, s->name, s->expected, &st))
			return st;
		*slot = dup_bytes(scalar_text(p), scalar_length(p));
		return *slot ? NI_OK : NI_ENOMEM;
	}
	struct ni_buf names = NI_BUF_INIT;
	st = parse_name_list(p, s, &names);
	if (st == NI_OK)
		*slot = ni_buf_detach(&names);  /* "" for an empty list */
	ni_buf_release(&names);
	return st == NI_OK && !*slot ? NI_ENOMEM : st;
}

/* The value of setting `s`, whose first event is the current one. */
static ni_status parse_value(struct cfg_parser *p, const struct setting *s)
{
	void *slot = member(p->config, s->offset);
	bool *has = member(p->config, s->has_offset);

	if (is_null(p))
		return NI_OK;
	switch (s->kind) {
	case SETTING_PATH:
		return parse_path(p, s, slot);
	case SETTING_COUNT:
		return parse_count(p, s, slot, has);
	case SETTING_REAL:
		return parse_real(p, s, slot, has);
	case SETTING_WHEN:
		return parse_when(p, s, slot);
	case SETTING_NAMES:
		return parse_names(p, s, slot);
	}
	return NI_EINVAL;  /* not reached: every kind is handled above */
}

/* ---- the document ----------------------------------------------------- */

/* The setting the current event, a key, names; NULL after an error. */
static const struct setting *find_setting(struct cfg_parser *p,
					  ni_status *st)
{
	char key[QUOTED_SIZE];
	if (!is_scalar(p)) {
		*st = reject(p, "config file", "a setting's name");
		return NULL;
	}
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strlen(SETTINGS[i].name) == scalar_length(p) &&
		    !memcmp(SETTINGS[i].name, scalar_text(p),
			    scalar_length(p)))
			return &SETTINGS[i];
	/* Quoted for escaping, but in our single quotes. */
	quote(scalar_text(p), scalar_length(p), key);
	key[strlen(key) - 1] = '\0';
	*st = fail_at(p, p->event.start_mark, "unknown setting '%s'",
		      key + 1);
	return NULL;
}

/* The settings, from the MAPPING-START (the current event) to its end. */
static ni_status parse_settings(struct cfg_parser *p)
{
	/* Where each setting was first given, 0 when it was not. */
	unsigned first_line[N_SETTINGS] = {0};
	for (;;) {
		ni_status st = next_event(p);
		if (st != NI_OK)
			return st;
		if (p->event.type == YAML_MAPPING_END_EVENT)
			return NI_OK;
		const struct setting *s = find_setting(p, &st);
		if (!s)
			return st;
		size_t i = (size_t)(s - SETTINGS);
		unsigned line, column;
		locate(p, SIZE_MAX, p->event.start_mark.index, &line, &column);
		if (first_line[i])
			return fail_at(p, p->event.start_mark,
				       "%s: set twice (first on line %u)",
				       s->name, first_line[i]);
		first_line[i] = line;
		st = next_event(p);
		if (st == NI_OK)
			st = parse_value(p, s);
		if (st != NI_OK)
			return st;
	}
}

/*
 * STREAM-START [DOCUMENT-START <mapping or null> DOCUMENT-END] STREAM-END;
 * a stream without a document is a file of blanks and comments.
 */
static ni_status parse_stream(struct cfg_parser *p)
{
	ni_status st = next_event(p);  /* STREAM-START */
	if (st == NI_OK)
		st = next_event(p);
	if (st != NI_OK || p->event.type == YAML_STREAM_END_EVENT)
		return st;
	st = next_event(p);  /* past DOCUMENT-START */
	if (st != NI_OK)
		return st;
	if (p->event.type == YAML_MAPPING_START_EVENT)
		st = parse_settings(p);
	else if (!is_null(p))  /* a lone "---" is an empty config too */
		return reject(p, "config file", "settings as name: value "
			      "lines");
	if (st == NI_OK)
		st = next_event(p);  /* DOCUMENT-END */
	if (st == NI_OK)
		st = next_event(p);
	if (st == NI_OK && p->event.type != YAML_STREAM_END_EVENT)
		return fail_at(p, p->event.start_mark,
			       "config file holds more than one yaml "
			       "document");
	return st;
}

/* libyaml would stop at a NUL with a vaguer message; say what it is. */
static ni_status refuse_nul_byte(struct cfg_parser *p)
{
	const char *nul = memchr(p->text, '\0', p->len);
	if (!nul)
		return NI_OK;
	unsigned line, column;
	locate(p, (size_t)(nul - p->text), SIZE_MAX, &line, &column);
	set_error(p->err, line, column, "config file contains a NUL byte");
	return NI_EPARSE;
}

static ni_status parse_config(const char *text, size_t len,
			      const char *home, struct ni_config *config,
			      struct ni_parse_error *err)
{
	/* Strip a BOM ourselves, so positions count from what follows. */
	if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
		text += 3;
		len -= 3;
	}
	struct cfg_parser p = {.text = text, .len = len, .home = home,
			       .config = config, .err = err};
	ni_status st = refuse_nul_byte(&p);
	if (st != NI_OK)
		return st;
	if (!yaml_parser_initialize(&p.yaml))
		return NI_ENOMEM;
	yaml_parser_set_input_string(&p.yaml, (const unsigned char *)text,
				     len);
	yaml_parser_set_encoding(&p.yaml, YAML_UTF8_ENCODING);
	st = parse_stream(&p);
	if (p.has_event)
		yaml_event_delete(&p.event);
	yaml_parser_delete(&p.yaml);
	return st;
}

ni_status ni_config_load(const char *path, bool explicit_path,
			 const char *home, struct ni_config *out,
			 struct ni_parse_error *err)
{
	/* Filled as we go, but only handed out on failure. */
	struct ni_parse_error why = {0};
	struct ni_config config = {0};
	struct ni_buf text = NI_BUF_INIT;
	bool missing = false;

	if (!out || !path)
		return NI_EINVAL;
	ni_status st = read_file(path, &text, &missing, &why);
	if (st == NI_EIO && missing && !explicit_path)
		st = NI_OK;  /* no file: nothing configured */
	else if (st == NI_OK)
		st = parse_config(ni_buf_str(&text), text.len, home, &config,
				  &why);
	ni_buf_release(&text);
	if (st != NI_OK) {
		ni_config_clear(&config);
		if (err)
			*err = why;
	}
	*out = config;
	return st;
}
