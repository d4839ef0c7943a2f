/*
 * ni_search.h - run a parsed query and return one page of ranked articles.
 *
 * A query is parsed by ni_qparse.h into a strict and a relaxed query.
 * Ranking (docs/ranking.md):
 *   1. the strict query's matches (every word) come first;
 *   2. then the relaxed query's other matches (some of the words), so a
 *      long question still gets answers;
 * and within each tier by score = BM25 (refined by pseudo-relevance
 * feedback for queries of 3 words or more) + quality_weight * 0.1 *
 * the tier's best BM25 * quality / 100 [+ recency], with reprints of
 * one story collapsed into its best-quality copy.  Totals of articles and of stories, and facets,
 * come from a separate, unscored count of every match (of each tier).
 * The score, the collapse and the count are computed by ni_db_search()
 * in lib/xapian/rank.cc (blended_query, one_walk_page, take_hits,
 * best_copy, run_search); search.c chooses the tiers, feedback and
 * parameters.
 *
 * Ownership: ni_search_run() and ni_search() fill a struct ni_results
 * that owns its hits and facets; the caller frees them with
 * ni_results_clear().  The ni_db, ni_analyzer and queries are borrowed
 * for the call.
 */
#ifndef NI_SEARCH_H
#define NI_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_docdata.h"
#include "ni_qparse.h"
#include "ni_status.h"
#include "ni_xapian.h"

/*
 * Defaults: k1 and b tuned on the Cranfield harness, the quality weight
 * chosen on 20 AG News queries (docs/ranking.md).
 */
#define NI_DEFAULT_QUALITY_WEIGHT 1.0
#define NI_DEFAULT_BM25_K1 1.6
#define NI_DEFAULT_BM25_B 0.75

/*
 * Pseudo-relevance feedback (docs/ranking.md), RM3: the relevance model
 * of the top NI_FEEDBACK_DOCS matches (their stems' shares of each,
 * weighted by its score), NI_FEEDBACK_TERMS stems of it, weighs
 * NI_FEEDBACK_LAMBDA of the query and feedback together; it only
 * reorders the matches.  Chosen on Cranfield and CISI together.
 */
#define NI_FEEDBACK_DOCS 3
#define NI_FEEDBACK_TERMS 40
#define NI_FEEDBACK_LAMBDA 0.5

/*
 * Feedback pays for queries of at least this many words: a short query
 * is precise and its all-words tier already ranks it, and at 200,000
 * articles feedback costs about 9 ms, most of a short query's time.
 */
#define NI_FEEDBACK_MIN_WORDS 3

/*
 * Whether feedback should run for `parsed` (when the options allow it):
 * it needs ranked text to learn from, and enough words to be worth it.
 */
bool ni_search_wants_feedback(const struct ni_parsed_query *parsed);

/* What --recent adds at most to a score (a strong term match's worth). */
#define NI_RECENCY_WEIGHT 4.0
#define NI_DEFAULT_HALF_LIFE_DAYS 7.0

struct ni_search_options {
	unsigned offset;
	unsigned limit;
	double quality_weight;
	double bm25_k1;
	double bm25_b;
	enum ni_sort sort;       /* NI_SORT_DATE / QUALITY: all-words tier
				    only, in that order */
	bool all_copies;         /* false: one hit per story, "+N similar" */
	bool recent;             /* add recency (half_life_days) */
	double half_life_days;
	int64_t now;             /* seconds since the epoch */
	unsigned facets;         /* bits 1u << NI_FACET_* */
	bool feedback;           /* pseudo-relevance feedback (default on) */
	bool exact_total;        /* count every match however many (a pass
				    over them all); else exact up to 1,000 */
};

/* Fill `options` with the defaults: offset 0, limit 10, now = time(). */
void ni_search_options_init(struct ni_search_options *options);

struct ni_result {
	double score;        /* relevance + quality_part + recency_part */
	double relevance;    /* BM25 */
	double quality_part; /* what quality added */
	double recency_part; /* what recency added */
	double quality;      /* the quality ranked with */
	double heat;         /* the shown copy's heat; -1: unknown */
	bool all_words;      /* in the first tier */
	uint32_t n_similar;  /* other copies of the story, not shown */
	struct ni_docdata doc;
};

/* Counts of one facet over every match, most frequent first. */
struct ni_facet_list {
	char **values;
	uint64_t *counts;
	size_t n;
};

struct ni_results {
	struct ni_result *hits;
	size_t n_hits;
	uint64_t total;      /* matching articles: an estimate ... */
	bool total_exact;    /* ... unless this is true */
	/*
	 * The results there are to page through: stories, the copies of
	 * one shown once (articles with all_copies), a story with copies
	 * in both tiers counted in each, as it is shown; an estimate unless
	 * stories_exact.  Articles are counted exactly up to 1,000 matches
	 * (and beyond when Xapian's bounds agree), stories when each tier
	 * has at most 1,000; past that, estimated from a sample of some
	 * 200 articles (docs/ranking.md).
	 */
	uint64_t stories;
	bool stories_exact;
	bool more;           /* a result follows this page */
	size_t n_words;      /* query words searched for (stopwords out) */
	struct ni_facet_list facets[NI_FACET_COUNT];
};

/*
 * Run a parsed query: `strict` is the all-words tier, `relaxed` (may be
 * NULL) the query whose other matches follow.  Both are borrowed.
 * On failure `*out` is empty and `errmsg` (appended to) says why:
 * NI_EINVAL when `strict` (or `options`, `out`) is NULL, NI_EDB_* from
 * the index.
 */
ni_status ni_search_run(ni_db *db, const ni_query *strict,
			const ni_query *relaxed,
			const struct ni_search_options *options,
			struct ni_results *out, struct ni_buf *errmsg);

/*
 * Parse `query` (UTF-8, the language of ni_qparse.h) and run it.  On NI_OK
 * `*out` holds the page (maybe empty).  On failure `*out` is empty and
 * `errmsg` (appended to) says why: NI_EQUERY for a query that does not
 * parse (the place is lost: call ni_qparse() to show it), NI_EDB_* from
 * the index.
 */
ni_status ni_search(ni_db *db, ni_analyzer *analyzer, const char *query,
		    const struct ni_search_options *options,
		    struct ni_results *out, struct ni_buf *errmsg);

/* A query that finds fewer articles than this may get a suggestion. */
#define NI_SUGGEST_BELOW 5

/*
 * "Did you mean": when `text`, parsed as `parsed`, found fewer than
 * NI_SUGGEST_BELOW articles (`total`), and replacing its words by the
 * spellings Xapian's spelling data prefers finds more (more articles
 * with every word, or as many and more in all), append that query text
 * to `out`; otherwise leave `out` alone.
 */
ni_status ni_search_suggest(ni_db *db, ni_analyzer *analyzer,
			    const char *text,
			    const struct ni_parsed_query *parsed,
			    const struct ni_search_options *options,
			    uint64_t total, struct ni_buf *out);

/* Free what `results` owns and zero it.  Safe on a zeroed struct. */
void ni_results_clear(struct ni_results *results);

#endif
