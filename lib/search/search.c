/* ni_search: see include/ni_search.h. */
#include "ni_search.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * Totals up to this many matches are counted exactly, so the count does
 * not change from page to page; beyond it Xapian estimates, which is
 * cheaper on large collections.
 */
#define EXACT_COUNT_UP_TO 1000

/*
 * Stories are counted exactly only where every match can be seen (each
 * costs reading its story key, some 2 us at 200,000 articles); else they
 * are estimated from a sample of some twice so many articles
 * (estimate_stories()).
 */
#define STORY_SAMPLE 100
/* A sample's stories read at most: past it, Xapian's count was far too
 * low and the sample far too large (estimate_stories()). */
#define STORY_SAMPLE_MAX (8 * STORY_SAMPLE)

/* Spelling corrections are at most this many edits from the typed word. */
#define SUGGEST_MAX_EDITS 2

void ni_search_options_init(struct ni_search_options *o)
{
	memset(o, 0, sizeof *o);
	o->limit = 10;
	o->quality_weight = NI_DEFAULT_QUALITY_WEIGHT;
	o->bm25_k1 = NI_DEFAULT_BM25_K1;
	o->bm25_b = NI_DEFAULT_BM25_B;
	o->sort = NI_SORT_RELEVANCE;
	o->half_life_days = NI_DEFAULT_HALF_LIFE_DAYS;
	o->feedback = true;
	o->now = (int64_t)time(NULL);
}

/* Append the hits of `mset` to `out`, decoding their document data. */
static ni_status take_hits(const ni_mset *mset, bool all_words,
			   struct ni_results *out)
{
	size_t n = ni_mset_size(mset);
	if (!n)
		return NI_OK;
	struct ni_result *hits = realloc(out->hits,
					 (out->n_hits + n) * sizeof *hits);
	if (!hits)
		return NI_ENOMEM;
	out->hits = hits;
	for (size_t i = 0; i < n; i++) {
		struct ni_hit hit;
		ni_mset_hit(mset, i, &hit);
		struct ni_result *r = &out->hits[out->n_hits];
		memset(r, 0, sizeof *r);
		r->score = hit.score;
		r->relevance = hit.relevance;
		r->quality_part = hit.quality_part;
		r->recency_part = hit.recency_part;
		r->quality = hit.quality;
		r->heat = hit.heat;
		r->all_words = all_words;
		r->n_similar = hit.n_similar;
		ni_status status = ni_docdata_decode(hit.data, hit.data_len,
						     &r->doc);
		if (status == NI_ENOMEM)
			return status;
		/* Data we cannot read still leaves a hit to show. */
		out->n_hits++;
	}
	return NI_OK;
}

/*
 * The parameters of a search of the page [offset, offset + limit), or
 * with a limit of 0 of a count that sees at least `count_up_to` matches.
 */
static struct ni_search_params params_of(const struct ni_search_options *o,
					 unsigned offset, unsigned limit,
					 unsigned count_up_to, bool collapse,
					 unsigned facets, double sample)
{
	return (struct ni_search_params){
		.offset = offset,
		.limit = limit,
		.quality_weight = o->quality_weight,
		.bm25_k1 = o->bm25_k1,
		.bm25_b = o->bm25_b,
		/*
		 * A page counts nothing past itself: forcing Xapian to score
		 * EXACT_COUNT_UP_TO matches would stop it skipping those that
		 * cannot reach the page (a third of a query's time at 200,000
		 * articles).  The total comes from count(), unscored.
		 */
		.check_at_least = limit ? 0 : count_up_to,
		.sort = o->sort,
		.collapse = collapse,
		.recency_weight = o->recent ? NI_RECENCY_WEIGHT : 0,
		.half_life_days = o->half_life_days,
		.now = o->now,
		.facets = facets,
		.sample = sample,
	};
}

/*
 * Search `query`: the page [offset, offset + limit), or with a limit of
 * 0 a count that sees at least `count_up_to` matches.
 */
static ni_status run(ni_db *db, const ni_query *query,
		     const struct ni_search_options *o, unsigned offset,
		     unsigned limit, unsigned count_up_to, bool collapse,
		     unsigned facets, double sample, ni_mset **mset,
		     struct ni_buf *errmsg)
{
	struct ni_search_params params = params_of(
		o, offset, limit, count_up_to, collapse, facets, sample);
	ni_status status = ni_db_search(db, query, &params, mset);
	if (status != NI_OK)
		ni_buf_addf(errmsg, "search failed: %s", ni_db_errmsg(db));
	return status;
}

/* A page of hits of `query`, appended to `out`. */
static ni_status page(ni_db *db, const ni_query *query,
		      const struct ni_search_options *o, unsigned offset,
		      unsigned limit, bool first_tier, struct ni_results *out,
		      size_t *n_hits, struct ni_buf *errmsg)
{
	ni_mset *mset = NULL;
	size_t before = out->n_hits;
	*n_hits = 0;
	/* No hits to fetch: the count is count_matches()'s. */
	if (!limit)
		return NI_OK;
	ni_status status = run(db, query, o, offset, limit, 0,
			       !o->all_copies, 0, 0, &mset, errmsg);
	if (status == NI_OK)
		status = take_hits(mset, first_tier, out);
	*n_hits = out->n_hits - before;
	ni_mset_free(mset);
	return status;
}

/* Copy the facet counts of `mset` into `out`, which owns them after. */
static ni_status take_facets(const ni_mset *mset, struct ni_results *out)
{
	for (int f = 0; f < NI_FACET_COUNT; f++) {
		const struct ni_facet_count *counts;
		size_t n;
		ni_mset_facet(mset, (enum ni_facet)f, &counts, &n);
		struct ni_facet_list *list = &out->facets[f];
		if (!n)
			continue;
		list->values = calloc(n, sizeof *list->values);
		list->counts = calloc(n, sizeof *list->counts);
		if (!list->values || !list->counts)
			return NI_ENOMEM;
		for (; list->n < n; list->n++) {
			list->values[list->n] = strdup(counts[list->n].value);
			if (!list->values[list->n])
				return NI_ENOMEM;
			list->counts[list->n] = counts[list->n].count;
		}
	}
	return NI_OK;
}

/* What a count found: an estimate, unless `exact`. */
struct count {
	uint64_t n;
	bool exact;
};

/*
 * Run `query` unscored: a page of `limit` hits, or with a limit of 0 a
 * count that sees at least `up_to` matches, with the facets asked for.
 * With a `sample` above 0, a page of the stories of that sample
 * (ni_search_params.sample), for estimate_stories().
 */
static ni_status run_unscored(ni_db *db, const ni_query *query,
			      const struct ni_search_options *o,
			      unsigned limit, unsigned up_to, bool collapse,
			      unsigned facets, double sample, ni_mset **mset,
			      struct ni_buf *errmsg)
{
	/*
	 * Counting needs no scores: a query weighted zero lets Xapian's
	 * matcher skip BM25, and no blend is added.
	 */
	struct ni_search_options unscored = *o;
	unscored.quality_weight = 0;
	unscored.recent = false;
	ni_query *boolean = NULL;
	size_t errmsg_len = errmsg->len;
	ni_status status = ni_query_scale(query, 0, &boolean);
	if (status == NI_OK)
		status = run(db, boolean, &unscored, 0, limit, up_to,
			     collapse, facets, sample, mset, errmsg);
	ni_query_free(boolean);
	/*
	 * Xapian 1.4.22 fails ("Unexpected end of posting list") to go
	 * through a term weighed zero that every document has once a
	 * document id is missing (one was deleted): count with weights
	 * then.  A damaged index fails again, and says so.
	 */
	if (status == NI_EDB_CORRUPT) {
		ni_buf_truncate(errmsg, errmsg_len);
		status = run(db, query, &unscored, 0, limit, up_to, collapse,
			     facets, sample, mset, errmsg);
	}
	return status;
}

/*
 * Count the matches of `query` seeing at least `up_to` of them: stories
 * when `collapse` (what pages show), else articles (every copy of a
 * story), and then the facets of `o` into `facets_to` when not NULL.
 */
static ni_status count(ni_db *db, const ni_query *query,
		       const struct ni_search_options *o, bool collapse,
		       unsigned up_to, struct ni_results *facets_to,
		       struct count *out, struct ni_buf *errmsg)
{
	ni_mset *mset = NULL;
	ni_status status = run_unscored(db, query, o, 0, up_to, collapse,
					facets_to ? o->facets : 0, 0, &mset,
					errmsg);
	if (status == NI_OK) {
		out->n = ni_mset_estimated(mset);
		out->exact = ni_mset_lower_bound(mset) ==
			     ni_mset_upper_bound(mset);
	}
	if (status == NI_OK && facets_to)
		status = take_facets(mset, facets_to);
	ni_mset_free(mset);
	return status;
}

/*
 * The stories of `query`'s sample of `share` (estimate_stories()): how
 * many were seen, and the sums over them of 1 / p and c / p.  At
 * most STORY_SAMPLE_MAX stories are read, in document id order.
 */
static ni_status sample_stories(ni_db *db, const ni_query *query,
				const struct ni_search_options *o,
				double share, size_t *seen, double *stories,
				double *copies, struct ni_buf *errmsg)
{
	if (share > 1)
		share = 1;
	ni_mset *mset = NULL;
	ni_status status = run_unscored(db, query, o, STORY_SAMPLE_MAX, 0,
					true, 0, share, &mset, errmsg);
	if (status != NI_OK)
		return status;
	*seen = ni_mset_size(mset);
	for (size_t i = 0; i < *seen; i++) {
		struct ni_hit hit;
		ni_mset_hit(mset, i, &hit);
		double c = 1.0 + hit.n_similar;
		double chance = hit.sample_chance > 0
			? hit.sample_chance : 1 - pow(1 - share, c);
		*stories += 1 / chance;
		*copies += c / chance;
	}
	ni_mset_free(mset);
	return NI_OK;
}

/*
 * Estimate the stories of a tier, `query`, whose `articles` matches are
 * too many to read every story key of, from a sample of some `share`
 * of them, blind to stories (ni_search_params.sample: runs of document
 * ids on one index), some 2 * STORY_SAMPLE of them, collapsed to their
 * stories, each with its matching copies c (exact: the page counts
 * them).  A story is in the sample when any copy is, with a chance p:
 * on one index, from where its copies lie (ni_hit.sample_chance: hardly
 * more than a story of one when they lie side by side, up to c times it
 * when apart), else p(c) = 1 - (1 - share)^c, each copy apart.  So,
 * weighing each story seen by 1 / p, the sample's stories and articles,
 * scaled to the tier's articles, estimate its stories:
 *
 *     articles * sum(1 / p) / sum(c / p)
 *
 * all of them when no article has a copy.  Xapian reads the story key
 * of each sampled article, not every match's (sorting every match by a
 * hash for the first stories cost two thirds of a query at 200,000
 * articles).  Xapian's own estimate of a collapsed count is rounded to
 * a figure or two ("10000" stories of 11,769 articles, nearly all
 * alone).  Never fewer than the stories seen, nor more than the
 * articles.
 */
static ni_status estimate_stories(ni_db *db, const ni_query *query,
				  const struct ni_search_options *o,
				  struct count articles, struct count *out,
				  struct ni_buf *errmsg)
{
	double share = articles.n ? 2.0 * STORY_SAMPLE / (double)articles.n
				  : 1;
	for (;;) {
		double stories = 0, copies = 0;
		size_t seen = 0;
		ni_status status = sample_stories(db, query, o, share, &seen,
						  &stories, &copies, errmsg);
		if (status != NI_OK)
			return status;
		/* Xapian's count of the tier may be far too high: then a
		 * larger share, up to the whole tier. */
		if (seen < STORY_SAMPLE / 4 && share < 1) {
			share *= 8;
			continue;
		}
		out->exact = false;
		out->n = copies > 0 ? (uint64_t)((double)articles.n *
						 stories / copies + 0.5)
				    : 0;
		if (out->n < seen)
			out->n = seen;
		return NI_OK;
	}
}

/*
 * The stories of a tier, `query`, from the walk of every match its page
 * has just made (ni_search_params.walk_only), however many articles, or
 * with `walk`, when none did, from a walk made here: exact when the
 * index's document table tells the stories without copies and at most
 * EXACT_COUNT_UP_TO matches have one that may have copies, whose keys
 * are read; else out->exact is false.
 */
static ni_status count_walked_stories(ni_db *db, const ni_query *query,
				      const struct ni_search_options *o,
				      bool walk, struct count *out,
				      struct ni_buf *errmsg)
{
	struct ni_search_params params = {
		.bm25_k1 = o->bm25_k1,
		.bm25_b = o->bm25_b,
		.check_at_least = EXACT_COUNT_UP_TO,
		.collapse = 1,
		.walk_only = 1,
		.walk_all = walk,
	};
	ni_mset *mset = NULL;
	ni_status status = ni_db_search(db, query, &params, &mset);
	if (status != NI_OK) {
		ni_buf_addf(errmsg, "search failed: %s", ni_db_errmsg(db));
		return status;
	}
	out->n = ni_mset_estimated(mset);
	out->exact = ni_mset_lower_bound(mset) == ni_mset_upper_bound(mset);
	ni_mset_free(mset);
	return NI_OK;
}

/*
 * Add to out->stories those of one tier, `query`, with `articles`
 * matches: exact when Xapian can see every match, or a walk has seen
 * them (count_walked_stories()), else estimated (estimate_stories()),
 * never more than the tier's articles.  The first tier of a count (no
 * page) is walked here, as its page would have walked it: `--limit 0`
 * counts what page 1 counts.
 */
static ni_status count_stories(ni_db *db, const ni_query *query,
			       const struct ni_search_options *o,
			       bool first_tier, struct count articles,
			       struct ni_results *out, struct ni_buf *errmsg)
{
	if (articles.exact && articles.n == 0)
		return NI_OK;
	bool seen_all = articles.exact && articles.n <= EXACT_COUNT_UP_TO;
	struct count stories = {0, false};
	ni_status status = seen_all
		? count(db, query, o, true, EXACT_COUNT_UP_TO, NULL, &stories,
			errmsg)
		: articles.exact
		? count_walked_stories(db, query, o,
				       first_tier && o->limit == 0, &stories,
				       errmsg)
		: NI_OK;
	if (status == NI_OK && !stories.exact && !seen_all)
		status = estimate_stories(db, query, o, articles, &stories,
					  errmsg);
	if (status != NI_OK)
		return status;
	out->stories += stories.n < articles.n ? stories.n : articles.n;
	out->stories_exact = out->stories_exact && stories.exact;
	return NI_OK;
}

/*
 * The totals of the page: the articles of every match, with the facets,
 * and the stories pages show, those of each tier (the strict query's,
 * and `others`, when not NULL) apart, as a story with copies in both
 * tiers is shown in each.
 */
static ni_status count_matches(ni_db *db, const ni_query *all,
			       const ni_query *strict, const ni_query *others,
			       const struct ni_search_options *o,
			       struct ni_results *out, struct ni_buf *errmsg)
{
	struct count articles;
	ni_status status = count(db, all, o, false, o->exact_total
				 ? UINT_MAX : EXACT_COUNT_UP_TO, out,
				 &articles, errmsg);
	if (status != NI_OK)
		return status;
	out->total = articles.n;
	out->total_exact = articles.exact;
	out->stories_exact = true;
	if (o->all_copies) {
		out->stories = articles.n;
		out->stories_exact = articles.exact;
		return NI_OK;
	}
	if (!others)
		return count_stories(db, strict, o, true, articles, out,
				     errmsg);
	/* Past EXACT_COUNT_UP_TO, each tier's articles tell which to see. */
	struct count first = articles, rest = articles;
	if (!articles.exact || articles.n > EXACT_COUNT_UP_TO) {
		status = count(db, strict, o, false, EXACT_COUNT_UP_TO, NULL,
			       &first, errmsg);
		rest.n = articles.n > first.n ? articles.n - first.n : 0;
		rest.exact = articles.exact && first.exact;
	}
	if (status == NI_OK)
		status = count_stories(db, strict, o, true, first, out,
				       errmsg);
	if (status == NI_OK)
		status = count_stories(db, others, o, false, rest, out,
				       errmsg);
	return status;
}

/*
 * How many hits the first tier has in all, when its page was not full
 * (`on_page` hits): then they end on this page, or before it.  Hits, not
 * matches: collapsed copies of a story are one hit, so the count comes
 * from the pages, not from Xapian's match count.
 */
static ni_status first_tier_hits(ni_db *db, const ni_query *strict,
				 const struct ni_search_options *o,
				 size_t on_page, unsigned *n,
				 struct ni_buf *errmsg)
{
	*n = o->offset + (unsigned)on_page;
	if (on_page > 0 || o->offset == 0)
		return NI_OK;
	ni_mset *before = NULL;
	ni_status status = run(db, strict, o, 0, o->offset, 0,
			       !o->all_copies, 0, 0, &before, errmsg);
	if (status == NI_OK)
		*n = (unsigned)ni_mset_size(before);
	ni_mset_free(before);
	return status;
}

/*
 * The page [offset, offset + limit) of: every match of the strict query,
 * then every match of `others` (the relaxed query's other matches).  The
 * strict tier is searched first; only when it runs out within the page
 * is the second searched, from where the first ended.
 */
static ni_status tiered_search(ni_db *db, const ni_query *strict,
			       const ni_query *others,
			       const struct ni_search_options *o,
			       struct ni_results *out, struct ni_buf *errmsg)
{
	size_t on_page;
	ni_status status = page(db, strict, o, o->offset, o->limit, true, out,
				&on_page, errmsg);
	if (status != NI_OK || on_page == o->limit)
		return status;
	unsigned n_first;
	status = first_tier_hits(db, strict, o, on_page, &n_first, errmsg);
	if (status == NI_OK) {
		unsigned skip = o->offset > n_first ? o->offset - n_first : 0;
		status = page(db, others, o, skip, o->limit - (unsigned)on_page,
			      false, out, &on_page, errmsg);
	}
	return status;
}

static ni_status search_tiers(ni_db *db, const ni_query *strict,
			      const ni_query *relaxed,
			      const struct ni_search_options *o,
			      struct ni_results *out, struct ni_buf *errmsg);

/*
 * `query` with the feedback terms as a weight-only part: they reorder
 * matches, never add any, so every result still has a query word.
 */
static ni_status with_feedback(const ni_query *query, const ni_query *fb,
			       ni_query **out)
{
	if (!query || !fb)
		return NI_OK;
	const ni_query *parts[2] = {query, fb};
	return ni_query_combine(NI_QOP_AND_MAYBE, parts, 2, out);
}

bool ni_search_wants_feedback(const struct ni_parsed_query *parsed)
{
	/* Filters alone rank nothing, so there is nothing to learn from. */
	return parsed->has_text && parsed->n_words >= NI_FEEDBACK_MIN_WORDS;
}

ni_status ni_search_run(ni_db *db, const ni_query *strict,
			const ni_query *relaxed,
			const struct ni_search_options *o,
			struct ni_results *out, struct ni_buf *errmsg)
{
	if (!strict || !o || !out) {
		if (out)
			memset(out, 0, sizeof *out);
		ni_buf_addf(errmsg, "search failed: no query to run");
		return NI_EINVAL;
	}
	/* What this search counts, it counts from its own walks. */
	ni_db_forget_walks(db);
	if (!o->feedback)
		return search_tiers(db, strict, relaxed, o, out, errmsg);
	/*
	 * The first page's parameters (one_page() asks one hit more):
	 * feedback shares its walk of the strict tier when it can.
	 */
	struct ni_search_params params = params_of(
		o, o->offset, o->limit && o->limit < UINT_MAX
		? o->limit + 1 : o->limit, 0, !o->all_copies, 0, 0);
	ni_query *fb = NULL, *strict_fb = NULL, *relaxed_fb = NULL;
	ni_status status = ni_query_feedback(
		db, relaxed ? relaxed : strict, relaxed ? strict : NULL,
		&params, NI_FEEDBACK_DOCS, NI_FEEDBACK_TERMS,
		NI_FEEDBACK_LAMBDA, &fb);
	if (status != NI_OK)
		ni_buf_addf(errmsg, "search failed: %s", ni_db_errmsg(db));
	if (status == NI_OK)
		status = with_feedback(strict, fb, &strict_fb);
	if (status == NI_OK)
		status = with_feedback(relaxed, fb, &relaxed_fb);
	if (status == NI_OK)
		status = search_tiers(db, strict_fb ? strict_fb : strict,
				      relaxed_fb ? relaxed_fb : relaxed, o,
				      out, errmsg);
	ni_query_free(fb);
	ni_query_free(strict_fb);
	ni_query_free(relaxed_fb);
	return status;
}

/*
 * The page, and whether a result follows it: the page is asked for with
 * one result more, which is then dropped.
 */
static ni_status one_page(ni_db *db, const ni_query *strict,
			  const ni_query *others,
			  const struct ni_search_options *o,
			  struct ni_results *out, struct ni_buf *errmsg)
{
	if (o->limit == 0)
		return NI_OK;  /* a count: no page */
	struct ni_search_options plus = *o;
	if (o->limit < UINT_MAX)
		plus.limit++;
	size_t on_page;
	ni_status status = others
		? tiered_search(db, strict, others, &plus, out, errmsg)
		: page(db, strict, &plus, plus.offset, plus.limit, true, out,
		       &on_page, errmsg);
	if (status == NI_OK && out->n_hits > o->limit) {
		out->more = true;
		while (out->n_hits > o->limit)
			ni_docdata_clear(&out->hits[--out->n_hits].doc);
	}
	return status;
}

static ni_status search_tiers(ni_db *db, const ni_query *strict,
			      const ni_query *relaxed,
			      const struct ni_search_options *o,
			      struct ni_results *out, struct ni_buf *errmsg)
{
	memset(out, 0, sizeof *out);
	/* Sorted by date or quality, partial matches would only be noise. */
	bool tiers = relaxed && o->sort == NI_SORT_RELEVANCE;
	ni_query *others = NULL;
	const ni_query *parts[2] = {relaxed, strict};
	ni_status status = tiers
		? ni_query_combine(NI_QOP_AND_NOT, parts, 2, &others)
		: NI_OK;
	if (status == NI_OK)
		status = one_page(db, strict, others, o, out, errmsg);
	if (status == NI_OK)
		status = count_matches(db, tiers ? relaxed : strict, strict,
				       others, o, out, errmsg);
	ni_query_free(others);
	if (status != NI_OK)
		ni_results_clear(out);
	return status;
}

ni_status ni_search(ni_db *db, ni_analyzer *analyzer, const char *query,
		    const struct ni_search_options *o, struct ni_results *out,
		    struct ni_buf *errmsg)
{
	memset(out, 0, sizeof *out);
	struct ni_parsed_query parsed;
	struct ni_qparse_error err;
	ni_status status = ni_qparse(db, analyzer, query, o->now, &parsed,
				     &err);
	if (status != NI_OK) {
		ni_buf_addf(errmsg, "%s", err.message);
		return status;
	}
	struct ni_search_options options = *o;
	options.feedback = o->feedback && ni_search_wants_feedback(&parsed);
	status = ni_search_run(db, parsed.strict, parsed.relaxed, &options,
			       out, errmsg);
	out->n_words = parsed.n_words;
	ni_parsed_query_clear(&parsed);
	return status;
}

/*
 * The query text with each word Xapian's spelling data would correct
 * replaced by its correction; empty when no word would change.
 */
static ni_status respell(ni_db *db, const char *text,
			 const struct ni_parsed_query *q, struct ni_buf *out)
{
	struct ni_buf fix = NI_BUF_INIT;
	size_t done = 0;
	bool changed = false;
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < q->n_words; i++) {
		const struct ni_query_word *w = &q->words[i];
		/* A typed token that made several words is left alone. */
		if (w->in_phrase || w->is_prefix || w->start < done)
			continue;
		ni_buf_reset(&fix);
		status = ni_db_spelling(db, w->word, strlen(w->word),
					SUGGEST_MAX_EDITS, &fix);
		if (status != NI_OK || !fix.len)
			continue;
		status = ni_buf_add(out, text + done, w->start - done);
		if (status == NI_OK)
			status = ni_buf_add(out, fix.data, fix.len);
		done = w->end;
		changed = true;
	}
	if (status == NI_OK && changed)
		status = ni_buf_adds(out, text + done);
	if (!changed)
		ni_buf_reset(out);
	ni_buf_release(&fix);
	return status;
}

/*
 * The articles `text` finds with `o` (copies counted, no page): with
 * every word when `every_word` (the first tier alone, as a sort by date
 * has it), else in all.  *n is 0 when the text does not parse.
 */
static ni_status count_text(ni_db *db, ni_analyzer *analyzer,
			    const char *text,
			    const struct ni_search_options *o,
			    bool every_word, uint64_t *n)
{
	struct ni_search_options count = *o;
	count.offset = 0;
	count.limit = 0;
	count.facets = 0;
	count.feedback = false;
	count.all_copies = true;  /* articles are compared: no stories */
	if (every_word)
		count.sort = NI_SORT_DATE;
	struct ni_results r;
	struct ni_buf ignored = NI_BUF_INIT;
	ni_status status = ni_search(db, analyzer, text, &count, &r,
				     &ignored);
	*n = status == NI_OK ? r.total : 0;
	if (status == NI_EQUERY)
		status = NI_OK;
	ni_results_clear(&r);
	ni_buf_release(&ignored);
	return status;
}

ni_status ni_search_suggest(ni_db *db, ni_analyzer *analyzer,
			    const char *text, const struct ni_parsed_query *q,
			    const struct ni_search_options *o, uint64_t total,
			    struct ni_buf *out)
{
	if (total >= NI_SUGGEST_BELOW || !q->has_text)
		return NI_OK;
	struct ni_buf fixed = NI_BUF_INIT;
	ni_status status = respell(db, text, q, &fixed);
	if (status != NI_OK || !fixed.len) {
		ni_buf_release(&fixed);
		return status;
	}
	/*
	 * Offer it only when it finds more: more articles with every word,
	 * or as many and more in all.  A respelling whose articles have
	 * fewer of its words is no better ("zanzibar ferry" found its one
	 * article, "zanzibar kerry" finds none with both words and every
	 * article about Kerry).
	 */
	uint64_t typed_every = 0, fixed_every = 0, fixed_total = 0;
	status = count_text(db, analyzer, text, o, true, &typed_every);
	if (status == NI_OK)
		status = count_text(db, analyzer, fixed.data, o, true,
				    &fixed_every);
	if (status == NI_OK && fixed_every == typed_every)
		status = count_text(db, analyzer, fixed.data, o, false,
				    &fixed_total);
	if (status == NI_OK &&
	    (fixed_every > typed_every ||
	     (fixed_every == typed_every && fixed_total > total)))
		status = ni_buf_add(out, fixed.data, fixed.len);
	ni_buf_release(&fixed);
	return status;
}

void ni_results_clear(struct ni_results *r)
{
	for (size_t i = 0; i < r->n_hits; i++)
		ni_docdata_clear(&r->hits[i].doc);
	free(r->hits);
	for (int f = 0; f < NI_FACET_COUNT; f++) {
		for (size_t i = 0; i < r->facets[f].n; i++)
			free(r->facets[f].values[i]);
		free(r->facets[f].values);
		free(r->facets[f].counts);
	}
	memset(r, 0, sizeof *r);
}
