/*
 * ni_article.h - one news article, read from its file's YAML front matter.
 *
 * An article file starts with a line `---`, then YAML front matter, then a
 * line `---` (or `...`); whatever follows is ignored.  A UTF-8 byte order
 * mark before the first `---` and CRLF line endings are accepted.  The
 * front matter is parsed with libyaml's event API (never its document
 * loader), so nesting depth is bounded, and aliases are expanded only
 * within a budget of about the front matter's size (ni_yaml.h).
 *
 * What makes a file unreadable (NI_EPARSE, the file is skipped, and
 * err->kind says which of these it was): an empty file or empty front
 * matter, a NUL byte in the first NI_ARTICLE_BINARY_PROBE bytes or in
 * the front matter (binary data), no opening `---`, no closing line,
 * front matter that is not UTF-8 (never repaired: the message says the
 * file is skipped and where the first bad byte is), invalid YAML
 * (including control characters, an alias to no anchor), more than one
 * YAML document, front matter that is not a mapping, nesting deeper
 * than NI_ARTICLE_MAX_DEPTH (counted through aliases).  What only earns
 * a warning (the field is dropped, the article is kept): a known key
 * whose value has the wrong type or an unreadable value (title a
 * mapping, topics a lone number, quality "very high", a date that is
 * not a date, quality outside 0..100, a number that overflows, an alias
 * left unexpanded), a key given twice (the later value wins).  Unknown
 * keys are ignored, and `secured` is never read into the struct at all.
 *
 * Ownership: every pointer inside struct ni_article is owned by the
 * article and freed by ni_article_clear().  Strings are NUL-terminated
 * UTF-8 as written in the file (no normalization here).  A string field
 * that was absent is NULL; a list that was absent has count 0.
 *
 * Lines and columns are 1-based; columns count characters, as libyaml
 * does.  Numbers are read with strtod() under the "C" decimal point
 * whatever the locale; the locale must not change while a parse runs.
 */
#ifndef NI_ARTICLE_H
#define NI_ARTICLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ni_language.h"
#include "ni_parse_error.h"
#include "ni_status.h"

/* Front matter nested deeper than this is refused (YAML bombs). */
#define NI_ARTICLE_MAX_DEPTH 32
/* At most this many warnings are kept per article; the rest are counted. */
#define NI_ARTICLE_MAX_WARNINGS 16
/* A NUL byte this early means binary data, as git and grep decide. */
#define NI_ARTICLE_BINARY_PROBE 8000

struct ni_provider {
	char *name;    /* "TheStreet.com", or NULL */
	char *domain;  /* "thestreet.com", or NULL */
};

struct ni_image {
	char *url;       /* never NULL: an image without one is dropped */
	int64_t width;   /* 0 when absent */
	int64_t height;  /* 0 when absent */
	bool is_cached;
};

/*
 * A number or date that may be absent: `present` says whether the file
 * gave a usable value.
 */
struct ni_opt_double {
	bool present;
	double value;
};

struct ni_opt_time {
	bool present;
	int64_t epoch;   /* seconds since 1970-01-01T00:00:00Z */
};

struct ni_opt_bool {
	bool present;
	bool value;
};

/* A small record of another article, as listed under `related:`. */
struct ni_related {
	char *title;
	char *excerpt;
	char *web_url;
	char *original_url;
	char *type;
	char *published_date_time;       /* the text as written */
	struct ni_opt_time published_at; /* parsed from it */
	struct ni_opt_double quality;
	struct ni_provider provider;
	struct ni_image *images;
	size_t n_images;
};

/* Something that was wrong with a field but did not stop the article. */
struct ni_warning {
	unsigned line;      /* 1-based line in the file, 0 if unknown */
	unsigned column;    /* 1-based column, 0 if unknown */
	char *message;      /* "quality: expected a number, got \"very high\"" */
};

struct ni_article {
	char *title;
	char *excerpt;
	char *category;
	char *type;
	char *published_date_time;       /* the text as written */
	struct ni_opt_time published_at; /* parsed from publishedDateTime */
	char *original_url;
	char *web_url;
	struct ni_opt_double quality;    /* 0..100 */
	struct ni_opt_double heat;
	struct ni_opt_bool published;
	struct ni_provider provider;
	char **topics;
	size_t n_topics;
	struct ni_image *images;
	size_t n_images;
	struct ni_related *related;
	size_t n_related;
	struct ni_warning *warnings;
	size_t n_warnings;
	size_t n_warnings_dropped;       /* beyond NI_ARTICLE_MAX_WARNINGS */
	/*
	 * The stemmer of its `lang` or `language` key (ni_language.h):
	 * "german", or "none" for a language Xapian has no stemmer for;
	 * NULL when the key is absent or not a language (with a warning),
	 * and the index's default language applies.  Static, never freed.
	 */
	const char *stemmer;
	/* The same key as a BCP 47 tag (ni_language_tag()), for the page's
	 * `lang`: "de-AT"; "" when absent, "none", or no tag. */
	char lang[NI_LANGUAGE_TAG_SIZE];
};

/*
 * Parse an article from the whole text of its file.
 *
 * The text is UTF-8 (maybe after a UTF-8 byte order mark), or UTF-16 or
 * UTF-32 after the byte order mark that names it, which is converted to
 * UTF-8 first; nothing else is guessed.
 *
 * `text` need not be NUL-terminated; it is borrowed for the call only.
 * On NI_OK `*out` holds the article and the caller frees it with
 * ni_article_clear() (`*out` is overwritten, so clear a used one first).
 * On NI_EPARSE `*err` says where and why, and `*out` is left empty.
 * NI_ENOMEM when memory ran out; NI_EINVAL for a NULL `out`, or NULL
 * `text` with a length.  `err` may be NULL when the caller does not care;
 * it is untouched on success.
 */
ni_status ni_article_parse(const char *text, size_t len,
			   struct ni_article *out, struct ni_parse_error *err);

/* Free everything the article owns and zero it.  Safe on a zeroed one. */
void ni_article_clear(struct ni_article *article);

/*
 * Add a warning found after parsing (the indexer's word limit) at `line`
 * and `column` (0 when there is no place), with a printf-style message.
 * Past NI_ARTICLE_MAX_WARNINGS it is only counted.  NI_OK or NI_ENOMEM.
 */
ni_status ni_article_warn(struct ni_article *article, unsigned line,
			  unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Read a quality (an article's `quality`, a quality: filter's number)
 * from the `len` bytes at `s`: digits, maybe a decimal part, maybe an
 * exponent ("87", "87.5", "8.75e1", "1e-5"), with a '.' whatever the
 * locale, no sign, no blank, of any length, read as the nearest double
 * (so "1e-400" is 0), which must be from 0 to 100 ("1e400" is refused,
 * as "101" is).  Sets *value and returns true, or returns false and
 * leaves it alone.  Articles and quality: filters both read qualities
 * with it.
 */
bool ni_parse_quality(const char *s, size_t len, double *value);

/*
 * Read a heat: filter's number: the same form as a quality, of any size
 * ("1e400", infinite, is refused).  An article's `heat` is any number,
 * -1 when unknown; filters take known heats only, from 0 up.
 */
bool ni_parse_heat(const char *s, size_t len, double *value);

#endif
