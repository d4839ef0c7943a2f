/*
 * ni_parse_error.h - why a file was not read: where, what, and which
 * kind of failure it was.
 *
 * The readers of files, an article's (ni_article.h), the config file's
 * (ni_config.h) and the YAML event reader both use (ni_yaml.h), tell a
 * failure in a struct ni_parse_error the caller gives them: a line and
 * a column to point at, a message, and for an article the kind of skip
 * a build counts without reading messages.  It has its own header so
 * that those need not include one another.
 */
#ifndef NI_PARSE_ERROR_H
#define NI_PARSE_ERROR_H

/*
 * Why a file was not indexed, by kind: what a build's summary counts
 * ("skipped 3 (2 invalid YAML, 1 too large)").  The message says the
 * details; the kind is for counting and for callers that decide by it.
 * Append-only, like ni_status: the names may be in scripts' logs.
 */
enum ni_skip {
	NI_SKIP_NONE = 0,         /* not skipped */
	NI_SKIP_EMPTY,            /* no bytes, or nothing between the --- */
	NI_SKIP_NO_FRONT_MATTER,  /* the first line is not --- */
	NI_SKIP_UNCLOSED,         /* no closing --- line */
	NI_SKIP_BINARY,           /* NUL bytes: not a text file */
	NI_SKIP_INVALID_UTF8,     /* front matter that is not UTF-8 */
	NI_SKIP_INVALID_YAML,     /* libyaml refused it, or two documents */
	NI_SKIP_NOT_MAPPING,      /* valid YAML, but not key: value pairs */
	NI_SKIP_TOO_DEEP,         /* nested deeper than NI_ARTICLE_MAX_DEPTH */
	NI_SKIP_TOO_LARGE,        /* over the size limit (ni_document.h) */
	NI_SKIP_UNREADABLE,       /* open or read failed, not a regular file */
	NI_SKIP_VANISHED,         /* listed by the walk, gone when read */
	NI_SKIP_KINDS             /* how many kinds there are */
};

/*
 * The kind as a short lowercase phrase for summaries ("invalid YAML",
 * "no front matter"): static, never NULL ("unknown" out of range).
 */
const char *ni_skip_name(enum ni_skip kind);

/* Where and why parsing failed. */
struct ni_parse_error {
	unsigned line;       /* 1-based line in the file, 0 if unknown */
	unsigned column;     /* 1-based column, 0 if unknown */
	char message[256];   /* "front matter is not closed by a --- line" */
	/* What kind of failure, set by ni_article_parse() (readers of
	 * other files, like the config, may leave it as it was). */
	enum ni_skip kind;
};

/*
 * Fill `*err`: line and column (0 where there is no place to point at)
 * and a printf-style message, cut to fit.  For the failures the readers
 * find before or around the YAML (no front matter, an unreadable file).
 */
void ni_parse_error_set(struct ni_parse_error *err, unsigned line,
			unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
