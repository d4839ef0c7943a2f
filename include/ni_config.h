/*
 * ni_config.h - the user's settings file, config.yaml.
 *
 * One YAML mapping of settings, every one optional:
 *
 *     db: ~/news/index            # the index; absolute, or ~/ for $HOME
 *     limit: 20                   # newsquery results per page, 1..10000
 *     quality_weight: 1.5         # 0..1000
 *     bm25_k1: 1.6                # 0..100
 *     bm25_b: 0.75                # 0..1
 *     color: auto                 # auto | always | never
 *     hyperlinks: auto            # auto | always | never
 *     recent_half_life_days: 7    # more than 0, at most 36500
 *     facets: topic,provider      # text, or a list of names
 *     max_file_size: 16777216     # newsindex build: bytes, 1..4294967295
 *     max_field_words: 10000      # newsindex build: 1..10000000
 *     feedback: false             # newsquery: true | false
 *     strict_syntax: true         # newsquery: true | false
 *     serve: 127.0.0.1:8765       # newsquery --serve: [HOST:]PORT
 *     serve_threads: 4            # newsquery --serve: 1..1024
 *     serve_paths: false          # newsquery --serve: true | false
 *     thumbnails: true            # newsquery --serve's page
 *     allow_origin: https://app.example.org   # --serve: origins, or "*"
 *     allow_host: news.example.org            # --serve: Host names, or "*"
 *     public_url: https://example.org/news/   # --serve: its address
 *
 * The file only supplies defaults: a program's flags override it, and
 * for the index the environment's NEWSINDEX_DB does too (ni_dbpath.h).
 *
 * Unlike an article's front matter, the file is the user's own and
 * short, so every mistake stops the load with NI_EPARSE and the place in
 * the file: invalid YAML (including invalid UTF-8 and NUL bytes), more
 * than one YAML document, a top level that is not a mapping, a key that
 * is not a setting ("unknown setting 'limt'": typos must not pass
 * silently), a setting given twice, a value of the wrong type or out of
 * its range, an alias (`*name`; anchors alone are harmless and ignored),
 * anything nested deeper than a list of names under `facets`, a file
 * larger than NI_CONFIG_MAX_BYTES.  A setting whose value is null (`limit:`
 * or `limit: ~`) counts as not set.  An empty file, or one holding only
 * comments, is an empty config.
 *
 * It is parsed with libyaml's event API, never its document loader, so
 * aliases are never expanded.  Numbers are read with the "C" decimal point
 * whatever the locale.  Quoted and plain values are read alike, so
 * `limit: "20"` is 20, but `color: no` is the text "no" (and refused).
 *
 * Like ni_dbpath.h, nothing here reads the environment: the values of
 * NEWSINDEX_CONFIG, XDG_CONFIG_HOME and HOME are passed in.  The programs
 * call ni_cli_load_config() (ni_cli.h), which reads them.
 */
#ifndef NI_CONFIG_H
#define NI_CONFIG_H

#include <stdbool.h>

#include "ni_buf.h"
#include "ni_parse_error.h"
#include "ni_status.h"

/* A larger config file is refused: no settings file needs more. */
#define NI_CONFIG_MAX_BYTES (64 * 1024)

/*
 * The settings the file gave.  A number has a `has_` flag that says
 * whether it was set; a string is NULL when it was not.  Every string is
 * NUL-terminated UTF-8, owned by the config and freed by
 * ni_config_clear().  A zeroed struct is an empty config.
 */
struct ni_config {
	/* The index path, absolute; a leading ~/ already expanded. */
	char *db;
	/* newsquery's results per page, 1..10000. */
	bool has_limit;
	unsigned limit;
	/* How much quality lifts a result, 0..1000 (docs/ranking.md). */
	bool has_quality_weight;
	double quality_weight;
	/* BM25's k1, 0..100, and b, 0..1. */
	bool has_bm25_k1;
	double bm25_k1;
	bool has_bm25_b;
	double bm25_b;
	/* newsquery's colour: "auto", "always" or "never". */
	char *color;
	/* Links in newsquery's output: "auto", "always" or "never". */
	char *hyperlinks;
	/* A number of days, more than 0 and at most 36500. */
	bool has_recent_half_life_days;
	double recent_half_life_days;
	/*
	 * The default facet list, comma-separated: as written when the file
	 * gave text, the items joined with "," when it gave a list.  The
	 * names are not checked here.  "" when the file gave "" or [].
	 */
	char *facets;
	/* newsindex build's limits: bytes per file, 1..4294967295, and
	 * words indexed per field, 1..10000000 (ni_document.h). */
	bool has_max_file_size;
	unsigned max_file_size;
	bool has_max_field_words;
	unsigned max_field_words;
	/*
	 * The default language, for indexing articles without a `lang` and
	 * for stemming queries: a stemmer's name from ni_language_stemmer()
	 * ("german", "none").  Static, not freed; NULL when not set.
	 */
	const char *language;
	/* newsquery's pseudo-relevance feedback, on or off. */
	bool has_feedback;
	bool feedback;
	/* newsquery refuses a query that does not parse (true), or
	 * searches its words (false, the default). */
	bool has_strict_syntax;
	bool strict_syntax;
	/* Where newsquery --serve listens, as written: "[HOST:]PORT",
	 * checked by ni_listen_address(). */
	char *serve;
	/* Its worker threads, 1..1024. */
	bool has_serve_threads;
	unsigned serve_threads;
	/* Whether its answers may hold file paths (--serve-paths). */
	bool has_serve_paths;
	bool serve_paths;
	/* Whether its page may show articles' images. */
	bool has_thumbnails;
	bool thumbnails;
	/*
	 * The origins whose pages may read its JSON API (--allow-origin):
	 * text, or a list joined by ","; checked when the server starts
	 * (serve.c), "" for an empty list.
	 */
	char *allow_origin;
	/* The names a request's Host may give (--allow-host), as
	 * allow_origin: checked when the server starts. */
	char *allow_host;
	/* The server's public address (--public-url): text, checked when
	 * the server starts. */
	char *public_url;
};

/* Room for a host name or address of ni_listen_address(), NUL too. */
#define NI_HOST_MAX 256

/*
 * Read "[HOST:]PORT", where a server listens: PORT alone, HOST:PORT
 * with HOST a name or an IPv4 address, or [IPv6]:PORT; PORT a whole
 * number from 0 to 65535.  `host` gets HOST without its brackets, ""
 * when there is none (PORT alone, or ":PORT").  False when `text` is
 * not so (the host is not looked up: that is the server's to do).
 */
bool ni_listen_address(const char *text, char host[static NI_HOST_MAX],
		       unsigned *port);

/*
 * Which config file to read, appended to `out`: `env_config`
 * ($NEWSINDEX_CONFIG) when set, else $XDG_CONFIG_HOME/newsindex/config.yaml
 * when `xdg_config_home` is set and absolute (the XDG spec says to ignore
 * a relative one), else $HOME/.config/newsindex/config.yaml.  Each
 * argument may be NULL or "" for "not set".
 *
 * `*explicit_path` (which may be NULL) is set to true when the path came
 * from `env_config`: the user named that file, so it must exist (see
 * ni_config_load()).  NI_EINVAL when none of the three is set, and then
 * `out` is untouched; NI_ENOMEM.
 */
ni_status ni_config_path(const char *env_config, const char *xdg_config_home,
			 const char *home, struct ni_buf *out,
			 bool *explicit_path);

/*
 * Read the config file at `path` into `*out`, which is overwritten (clear
 * a used one first).  On NI_OK the caller frees it with ni_config_clear().
 * `home` ($HOME, may be NULL) expands a leading "~/" in `db`.
 *
 * A file that does not exist (or whose folder does not) is an empty
 * config and NI_OK, unless `explicit_path` says the user named it.
 * Otherwise, on failure `*out` is left empty and `*err` says why:
 *   NI_EIO     the file cannot be read (missing though explicit, no
 *              permission, a folder); line and column 0, the message is
 *              the system's ("No such file or directory");
 *   NI_EPARSE  the file is not a valid config: see the top of this
 *              header; line and column are 1-based (columns count
 *              characters) and point at the offending key or value, or
 *              are 0 where there is no place to point at (the size).
 *              The message names the setting and the value:
 *              "limit: expected a whole number from 1 to 10000, got
 *              \"lots\"";
 *   NI_ENOMEM  memory ran out;
 *   NI_EINVAL  `path` or `out` is NULL.
 * `err` may be NULL when the caller does not care; it is untouched on
 * success.
 */
ni_status ni_config_load(const char *path, bool explicit_path,
			 const char *home, struct ni_config *out,
			 struct ni_parse_error *err);

/* Free everything the config owns and zero it.  Safe on a zeroed one. */
void ni_config_clear(struct ni_config *config);

#endif
