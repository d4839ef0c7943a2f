/*
 * ni_qparse.h - newsquery's query language, parsed into Xapian queries.
 *
 * The syntax (docs/query-syntax.md has the full description):
 *   sanctions china          words; see "tiers" below
 *   a OR b, a AND b, a NOT b, ( ... )     operators (uppercase only)
 *   +word, -word, -"a phrase"            required, excluded
 *   "a phrase", a*b, https://x/y   the words adjacent, in order, unstemmed
 *   a NEAR b, a NEAR/5 b     within 10 (or 5) words of each other
 *                            (single words, matched unstemmed)
 *   sanc*                    words starting with "sanc" (bounded)
 *   title:WORD, title:"PHRASE", title:(GROUP)     words of the title
 *   topic:ai, url:"...", published:true, ...   exact filters
 *   date:2021-12-13  date:2021-12  date:2021  date:A..B  date:..B
 *   date:A..  date:7d..  (relative: d, w, m, y before now)
 *   quality:>=40  quality:>40  quality:<=40  quality:<40  quality:40
 *   quality:20..60
 * The fields, and how each reads its values (folded, as typed, a date,
 * a score), are the field table's (ni_fields.h).
 *
 * Every word goes through the same analyzer as the articles.  A typed
 * word the analyzer splits in several (e-commerce, 人工智能) is searched
 * as those words apart, or (a compound) as its joined form
 * ("ecommerce"); quoted, as a phrase of them, each compound of a phrase
 * apart or joined, each CJK run its dictionary's words or its bigrams.
 *
 * Tiers: words joined by nothing (the default operator) must all match
 * in the strict query; in the relaxed query any of them may, so partial
 * matches can follow the full ones.  Explicit operators, required and
 * excluded words, phrases and filters mean the same in both.  When the
 * query has no default-operator join, `relaxed` is NULL.
 *
 * Stopwords of the query's language that the default operator joins to
 * something are left out, unless nothing else is left; joined by AND,
 * OR or NOT, inside phrases, after + and -, under NEAR and in fields
 * they are kept.  NOT NOT x is NOT (NOT x) and -(-x): x's strict tier,
 * as a filter.
 *
 * Modes (ni_qparse_with()): the language as above; or every term a plain
 * word; or, for a search box, the language and, when the text does not
 * parse, its words, with a notice that says so.
 *
 * The work is bounded whatever the text, by two bounds: the words read
 * (stopwords too; a prefix counts for the words it stands for, a filter
 * for one) and what the query built from them costs, in postings
 * (ni_query_postings()).  Past the first, the rest of the query is left
 * out; past the second, the most words that fit are searched; a NEAR
 * whose positions alone would not fit is searched as its words.  Each
 * with a notice.
 *
 * Ownership: ni_qparse() fills a struct ni_parsed_query whose queries,
 * words and notices it owns; ni_parsed_query_clear() frees them.  The
 * ni_db (for stemming, prefix expansion and the words' frequencies) and
 * ni_analyzer are borrowed for the call.
 */
#ifndef NI_QPARSE_H
#define NI_QPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ni_analyzer.h"
#include "ni_status.h"
#include "ni_xapian.h"

/*
 * A prefix query stands for at most this many words: the most frequent
 * in the index, when more start so (with a notice).
 */
#define NI_QPARSE_MAX_PREFIX_WORDS 200
/*
 * The default bounds, so that any query answers within a second on
 * 200,000 articles (docs/benchmarks.md, 0.56 s of CPU at most): at most
 * this many words are read (the longest question of CISI has 335) ...
 */
#define NI_QPARSE_MAX_WORDS 1024
/*
 * ... and the query built from them costs at most this many postings
 * (ni_query_postings()).  At 200,000 news articles the 90 most frequent
 * words other than stopwords fit, or some 700 rare ones, and the
 * longest question of CISI whole.
 */
#define NI_QPARSE_MAX_POSTINGS 3000000
/* NEAR without a distance means within this many words. */
#define NI_QPARSE_DEFAULT_NEAR 10

/* A free-text word of the query that a match contains (not excluded). */
struct ni_query_word {
	char *word;          /* folded, as the analyzer gave it */
	size_t start;        /* byte offsets in the query text of the */
	size_t end;          /* typed token it came from, end exclusive */
	bool in_phrase;      /* part of a phrase or a split token */
	bool is_prefix;      /* `word` is a prefix: sanc* gives "sanc" */
};

struct ni_qparse_error {
	size_t offset;       /* byte offset in the query of the problem */
	size_t length;       /* bytes to underline, at least 1 */
	char message[256];   /* "unknown field 'foo:' (fields: title, ...)" */
};

struct ni_parsed_query {
	ni_query *strict;    /* never NULL on success */
	ni_query *relaxed;   /* NULL when the same as strict */
	struct ni_query_word *words;
	size_t n_words;
	bool has_text;       /* false when no word scores: a query of
				filters or exclusions only (n_words 0) */
	/*
	 * What the reader should know about how the text was read, as
	 * sentences ("'sanc*' stands for 310 words: only the 200 most
	 * frequent were searched"), in the order they apply; none when it
	 * was read as typed.
	 */
	char **notices;
	size_t n_notices;
	/*
	 * NI_QPARSE_LENIENT only: the text did not parse and was searched
	 * as words; `syntax_error` says where and why, and notices[0]
	 * says so ("unclosed quote; searched as words").
	 */
	bool as_words;
	struct ni_qparse_error syntax_error;
};

/* How ni_qparse_with() reads the text. */
enum ni_qparse_mode {
	/* The language; text that does not parse is NI_EQUERY. */
	NI_QPARSE_STRICT = 0,
	/*
	 * Every run of text between white space, parentheses and quotes
	 * is a plain word, or the words the analyzer finds in it: no
	 * operators, signs, phrases, groups, fields or prefixes.  The
	 * default operator joins them (two tiers, stopwords left out).
	 */
	NI_QPARSE_WORDS,
	/*
	 * The language; text that does not parse is read as
	 * NI_QPARSE_WORDS instead (out->as_words).  Still NI_EQUERY when
	 * the words are none (an empty query, punctuation only): `*err`
	 * then says so.
	 */
	NI_QPARSE_LENIENT,
};

/*
 * Parse `text` (UTF-8, NUL-terminated).  `now` (seconds since the epoch)
 * anchors relative dates.  On NI_OK `*out` holds the queries; on NI_EQUERY
 * `*err` says where and what; NI_ENOMEM, or another status from the
 * wrapper or the analyzer with the detail in err->message.  `*out` is
 * empty on failure.
 */
ni_status ni_qparse(ni_db *db, ni_analyzer *analyzer, const char *text,
		    int64_t now, struct ni_parsed_query *out,
		    struct ni_qparse_error *err);

/* How ni_qparse_with() reads, and how much it may search. */
struct ni_qparse_options {
	enum ni_qparse_mode mode;
	/* The bounds on the work; 0 for NI_QPARSE_MAX_WORDS and
	 * NI_QPARSE_MAX_POSTINGS. */
	size_t max_words;
	uint64_t max_postings;
};

/*
 * ni_qparse() as `options` say (NULL, or zeroed: NI_QPARSE_STRICT and the
 * default bounds, which is ni_qparse() itself).  An unknown mode is
 * NI_EINVAL.
 */
ni_status ni_qparse_with(ni_db *db, ni_analyzer *analyzer, const char *text,
			 int64_t now, const struct ni_qparse_options *options,
			 struct ni_parsed_query *out,
			 struct ni_qparse_error *err);

/*
 * Whether `text` is white space only, as the lexer sees it (Unicode
 * spaces too), or NULL: what ni_qparse() calls an empty query.
 */
bool ni_qparse_blank(const char *text);

/*
 * Add `notice` (copied) after `query`'s notices, for what a search
 * found out about the query after parsing it (a sort with nothing to
 * sort by).  NI_OK, or NI_ENOMEM with the notices as they were.
 */
ni_status ni_parsed_query_add_notice(struct ni_parsed_query *query,
				     const char *notice);

/* Free what `query` owns and zero it.  Safe on a zeroed struct. */
void ni_parsed_query_clear(struct ni_parsed_query *query);

#endif
