/*
 * ni_config: see include/ni_config.h.
 *
 * The file is read whole (it is small, and capped), then handed to
 * libyaml's event parser, through the reader article.c uses too
 * (ni_yaml.h).  One table names every setting, the kind of value it
 * takes, its range and where in struct ni_config it goes; the top-level
 * mapping is read against it.  Any event the table does not
 * expect stops the load with an error at that event, so nothing is ever
 * skipped unseen: no unknown key, no alias, no structure deeper than the
 * list under `facets`, which is also what bounds the nesting.
 */
#include "ni_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "ni_language.h"
#include "ni_yaml.h"

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
	free(config->serve);
	free(config->allow_origin);
	free(config->allow_host);
	free(config->public_url);
	*config = (struct ni_config){0};
}

static bool is_port(const char *text, unsigned *port)
{
	unsigned long value = 0;
	size_t n = strspn(text, "0123456789");
	if (n == 0 || n > 5 || text[n])
		return false;
	for (size_t i = 0; i < n; i++)
		value = value * 10 + (unsigned long)(text[i] - '0');
	if (value > 65535)
		return false;
	*port = (unsigned)value;
	return true;
}

/* What a host name or an IPv4 address is written with. */
#define ADDRESS_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" \
		      "0123456789.-"

bool ni_listen_address(const char *text, char host[static NI_HOST_MAX],
		       unsigned *port)
{
	const char *colon = strrchr(text, ':');
	const char *name = text, *end = colon;
	host[0] = '\0';
	if (!colon)
		return is_port(text, port);
	if (text[0] == '[') {
		/* [IPv6]:PORT: the brackets are not the address's. */
		name = text + 1;
		if (colon == text || colon[-1] != ']')
			return false;
		end = colon - 1;
		/* Hexadecimal digits, colons, dots, and a zone after %. */
		if (end == name || strspn(name, ADDRESS_CHARS ":%_") <
				   (size_t)(end - name))
			return false;
	} else if (strspn(text, ADDRESS_CHARS) < (size_t)(colon - text)) {
		/* A name or an IPv4 address; an IPv6 one needs brackets. */
		return false;
	}
	size_t len = (size_t)(end - name);
	if (len >= NI_HOST_MAX || !is_port(colon + 1, port))
		return false;
	memcpy(host, name, len);
	host[len] = '\0';
	return true;
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
		ni_parse_error_set(err, 0, 0, "%s", strerror(errno));
		return NI_EIO;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		ni_parse_error_set(err, 0, 0, "%s", strerror(EISDIR));
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
			ni_parse_error_set(err, 0, 0, "%s", strerror(errno));
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
		ni_parse_error_set(err, 0, 0,
				   "config file is larger than %d KiB",
				   NI_CONFIG_MAX_BYTES / 1024);
		st = NI_EPARSE;
	}
	return st;
}

/* ---- the event reader ------------------------------------------------- */

struct cfg_parser {
	struct ni_yaml y;
	const char *home;
	struct ni_config *config;
};

/*
 * What the current event is, for "expected X, got Y".  A YAML sequence is
 * a list to the people who write config files.
 */
static const char *describe(const struct cfg_parser *p,
			    char out[static NI_YAML_QUOTED_SIZE])
{
	if (p->y.event.type == YAML_SEQUENCE_START_EVENT)
		return "a list";
	return ni_yaml_describe(&p->y, out);
}

/*
 * "<name>: expected <what>, got <the value>" at the current event; an
 * alias gets its own message, since no alias is ever allowed.
 */
static ni_status reject(struct cfg_parser *p, const char *name,
			const char *expected)
{
	char value[NI_YAML_QUOTED_SIZE];
	const yaml_event_t *event = &p->y.event;
	if (event->type == YAML_ALIAS_EVENT)
		return ni_yaml_fail_at(&p->y, event->start_mark,
				       "%s: aliases are not allowed (*%s): "
				       "write the value out", name,
				       (const char *)event->data.alias.anchor);
	return ni_yaml_fail_at(&p->y, event->start_mark,
			       "%s: expected %s, got %s", name, expected,
			       describe(p, value));
}

/* ---- values ----------------------------------------------------------- */

enum setting_kind {
	SETTING_PATH,    /* char *: absolute, or ~/ expanded */
	SETTING_COUNT,   /* unsigned, a whole number in [lo, hi] */
	SETTING_REAL,    /* double in [lo, hi], or (lo, hi] when lo_open */
	SETTING_WHEN,    /* char *: auto, always or never */
	SETTING_NAMES,   /* char *: text, or a list of names joined by "," */
	SETTING_LANGUAGE, /* const char *: a static stemmer name */
	SETTING_BOOL,    /* bool: true or false */
	SETTING_ADDRESS, /* char *: [HOST:]PORT (ni_listen_address()) */
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
	NUMBER_SETTING(max_file_size, SETTING_COUNT, 1, 4294967295.0, false,
		       "a whole number of bytes from 1 to 4294967295"),
	NUMBER_SETTING(max_field_words, SETTING_COUNT, 1, 10000000, false,
		       "a whole number from 1 to 10000000"),
	TEXT_SETTING(language, SETTING_LANGUAGE,
		     "a language code (en, de, zh-Hans) or a stemmer's name "
		     "(english)"),
	NUMBER_SETTING(feedback, SETTING_BOOL, 0, 0, false, "true or false"),
	NUMBER_SETTING(strict_syntax, SETTING_BOOL, 0, 0, false,
		       "true or false"),
	TEXT_SETTING(serve, SETTING_ADDRESS,
		     "[HOST:]PORT (8765, 127.0.0.1:8765, [::1]:8765)"),
	NUMBER_SETTING(serve_threads, SETTING_COUNT, 1, 1024, false,
		       "a whole number from 1 to 1024"),
	NUMBER_SETTING(serve_paths, SETTING_BOOL, 0, 0, false,
		       "true or false"),
	NUMBER_SETTING(thumbnails, SETTING_BOOL, 0, 0, false,
		       "true or false"),
	TEXT_SETTING(allow_origin, SETTING_NAMES,
		     "an origin, *, or a list of origins"),
	TEXT_SETTING(allow_host, SETTING_NAMES,
		     "a host name, *, or a list of names"),
	TEXT_SETTING(public_url, SETTING_NAMES, "an http or https URL"),
};

#define N_SETTINGS (sizeof SETTINGS / sizeof SETTINGS[0])

static void *member(struct ni_config *config, size_t offset)
{
	return (char *)config + offset;
}

/*
 * The current event as text for setting `name`: false (with the error
 * set in `*st`) unless it is a scalar without NUL bytes, which a quoted
 * "\0" could hold and which would cut a C string short.
 */
static bool take_text(struct cfg_parser *p, const char *name,
		      const char *expected, ni_status *st)
{
	if (!ni_yaml_is_scalar(&p->y)) {
		*st = reject(p, name, expected);
		return false;
	}
	if (memchr(ni_yaml_scalar_text(&p->y), '\0',
		   ni_yaml_scalar_length(&p->y))) {
		*st = ni_yaml_fail_at(&p->y, p->y.event.start_mark,
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
	const char *text = ni_yaml_scalar_text(&p->y);
	size_t len = ni_yaml_scalar_length(&p->y);
	if (len >= 2 && text[0] == '~' && text[1] == '/') {
		if (!is_set(p->home))
			return ni_yaml_fail_at(&p->y, p->y.event.start_mark,
					       "%s: cannot expand ~/: HOME "
					       "is not set", s->name);
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
	*slot = ni_yaml_scalar_dup(&p->y);
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
 * nothing else, so none of the hexadecimal that ni_yaml_read_number()
 * takes from strtod() (which also refuses blanks, "inf" and "nan").
 */
static bool read_real(const char *s, size_t len, double *out)
{
	for (size_t i = 0; i < len; i++)
		if (!is_digit(s[i]) && !strchr("+-.eE", s[i]))
			return false;
	return ni_yaml_read_number(s, len, out);
}

static ni_status parse_count(struct cfg_parser *p, const struct setting *s,
			     unsigned *slot, bool *has)
{
	unsigned value;
	if (!ni_yaml_is_scalar(&p->y) ||
	    !read_count(ni_yaml_scalar_text(&p->y),
			ni_yaml_scalar_length(&p->y), s->hi, &value) ||
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
	if (!ni_yaml_is_scalar(&p->y) ||
	    !read_real(ni_yaml_scalar_text(&p->y),
		       ni_yaml_scalar_length(&p->y), &value) ||
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
	if (!ni_yaml_is_scalar(&p->y))
		return reject(p, s->name, s->expected);
	const char *text = ni_yaml_scalar_text(&p->y);
	size_t len = ni_yaml_scalar_length(&p->y);
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		if (len == strlen(words[i]) && !memcmp(text, words[i], len)) {
			*slot = ni_yaml_scalar_dup(&p->y);  /* words[i] */
			return *slot ? NI_OK : NI_ENOMEM;
		}
	}
	return reject(p, s->name, s->expected);
}

/* true or false, as YAML 1.2's core schema writes them (no yes/no). */
static ni_status parse_bool(struct cfg_parser *p, const struct setting *s,
			    bool *slot, bool *has)
{
	if (ni_yaml_is_scalar(&p->y)) {
		const char *text = ni_yaml_scalar_text(&p->y);
		size_t len = ni_yaml_scalar_length(&p->y);
		if ((len == 4 && !memcmp(text, "true", 4)) ||
		    (len == 5 && !memcmp(text, "false", 5))) {
			*slot = len == 4;
			*has = true;
			return NI_OK;
		}
	}
	return reject(p, s->name, s->expected);
}

/* A language, as an article's `lang` gives it: its stemmer's name. */
static ni_status parse_language(struct cfg_parser *p,
				const struct setting *s, const char **slot)
{
	const char *stemmer = NULL;
	if (ni_yaml_is_scalar(&p->y))
		stemmer = ni_language_stemmer(ni_yaml_scalar_text(&p->y),
					      ni_yaml_scalar_length(&p->y));
	if (!stemmer)
		return reject(p, s->name, s->expected);
	*slot = stemmer;
	return NI_OK;
}

/* Where a server listens: kept as written, once it parses. */
static ni_status parse_address(struct cfg_parser *p, const struct setting *s,
			       char **slot)
{
	ni_status st;
	char host[NI_HOST_MAX];
	unsigned port;
	if (!take_text(p, s->name, s->expected, &st))
		return st;
	if (!ni_listen_address(ni_yaml_scalar_text(&p->y), host, &port))
		return reject(p, s->name, s->expected);
	*slot = ni_yaml_scalar_dup(&p->y);
	return *slot ? NI_OK : NI_ENOMEM;
}

/* The items of a list of names, up to its end, joined with ",". */
static ni_status parse_name_list(struct cfg_parser *p,
				 const struct setting *s, struct ni_buf *out)
{
	char name[64];
	for (size_t i = 0;; i++) {
		ni_status st = ni_yaml_next(&p->y);
		if (st != NI_OK)
			return st;
		if (p->y.event.type == YAML_SEQUENCE_END_EVENT)
			return NI_OK;
		snprintf(name, sizeof name, "%s[%zu]", s->name, i);
		/* An item holds one name: not empty, no comma, not null. */
		const char *expected = "a name (text without commas)";
		if (!take_text(p, name, expected, &st))
			return st;
		const char *text = ni_yaml_scalar_text(&p->y);
		size_t len = ni_yaml_scalar_length(&p->y);
		if (len == 0 || ni_yaml_is_null(&p->y) ||
		    memchr(text, ',', len))
			return reject(p, name, expected);
		if (i > 0)
			st = ni_buf_addch(out, ',');
		if (st == NI_OK)
			st = ni_buf_add(out, text, len);
		if (st != NI_OK)
			return st;
	}
}

static ni_status parse_names(struct cfg_parser *p, const struct setting *s,
			     char **slot)
{
	ni_status st;
	if (p->y.event.type != YAML_SEQUENCE_START_EVENT) {
		if (!take_text(p, s->name, s->expected, &st))
			return st;
		*slot = ni_yaml_scalar_dup(&p->y);
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

	if (ni_yaml_is_null(&p->y))
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
	case SETTING_LANGUAGE:
		return parse_language(p, s, slot);
	case SETTING_BOOL:
		return parse_bool(p, s, slot, has);
	case SETTING_ADDRESS:
		return parse_address(p, s, slot);
	}
	return NI_EINVAL;  /* not reached: every kind is handled above */
}

/* ---- the document ----------------------------------------------------- */

/* The setting the current event, a key, names; NULL after an error. */
static const struct setting *find_setting(struct cfg_parser *p,
					  ni_status *st)
{
	char key[NI_YAML_QUOTED_SIZE];
	if (!ni_yaml_is_scalar(&p->y)) {
		*st = reject(p, "config file", "a setting's name");
		return NULL;
	}
	const char *name = ni_yaml_scalar_text(&p->y);
	size_t len = ni_yaml_scalar_length(&p->y);
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (strlen(SETTINGS[i].name) == len &&
		    !memcmp(SETTINGS[i].name, name, len))
			return &SETTINGS[i];
	/* Quoted for escaping, but in our single quotes. */
	ni_yaml_quote(name, len, key);
	key[strlen(key) - 1] = '\0';
	*st = ni_yaml_fail_at(&p->y, p->y.event.start_mark,
			      "unknown setting '%s'", key + 1);
	return NULL;
}

/* The settings, from the MAPPING-START (the current event) to its end. */
static ni_status parse_settings(struct cfg_parser *p)
{
	/* Where each setting was first given, 0 when it was not. */
	unsigned first_line[N_SETTINGS] = {0};
	for (;;) {
		ni_status st = ni_yaml_next(&p->y);
		if (st != NI_OK)
			return st;
		if (p->y.event.type == YAML_MAPPING_END_EVENT)
			return NI_OK;
		const struct setting *s = find_setting(p, &st);
		if (!s)
			return st;
		size_t i = (size_t)(s - SETTINGS);
		unsigned line, column;
		ni_yaml_locate(&p->y, p->y.event.start_mark, &line, &column);
		if (first_line[i])
			return ni_yaml_fail_at(&p->y, p->y.event.start_mark,
					       "%s: set twice (first on line "
					       "%u)", s->name, first_line[i]);
		first_line[i] = line;
		st = ni_yaml_next(&p->y);
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
	ni_status st = ni_yaml_begin_document(&p->y);
	if (st == NI_DONE)
		return NI_OK;
	if (st != NI_OK)
		return st;
	if (p->y.event.type == YAML_MAPPING_START_EVENT)
		st = parse_settings(p);
	else if (!ni_yaml_is_null(&p->y))  /* a lone "---" is empty too */
		return reject(p, "config file", "settings as name: value "
			      "lines");
	if (st == NI_OK)
		st = ni_yaml_end_document(&p->y);
	return st;
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
	struct cfg_parser p = {.home = home, .config = config};
	/*
	 * No depth limit: nothing is skipped unseen, and anything deeper
	 * than a list under `facets` is refused where it starts.
	 */
	ni_status st = ni_yaml_open(&p.y, text, len, 1, 0, "config file",
				    err);
	if (st != NI_OK)
		return st;
	st = parse_stream(&p);
	ni_yaml_close(&p.y);
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
