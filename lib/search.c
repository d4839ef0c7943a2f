/* ni_search: see include/ni_search.h. */
#include "ni_search.h"

#include <stdlib.h>
#include <string.h>

/*
 * Totals up to this many matches are counted exactly, so the count does
 * not change from page to page; beyond it Xapian estimates, which is
 * cheaper on large collections.
 */
#define EXACT_COUNT_UP_TO 1000

/* The words of a query, as the analyzer gave them. */
struct word_list {
	char **words;
	size_t *lens;
	size_t n;
	size_t cap;
	bool nomem;
};

void ni_search_options_init(struct ni_search_options *o)
{
	o->offset = 0;
	o->limit = 10;
	o->quality_weight = NI_DEFAULT_QUALITY_WEIGHT;
	o->bm25_k1 = NI_DEFAULT_BM25_K1;
	o->bm25_b = NI_DEFAULT_BM25_B;
}

static int collect_word(void *ctx, const struct ni_token *token)
{
	struct word_list *list = ctx;
	if (list->n == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		char **words = realloc(list->words, cap * sizeof *words);
		if (words)
			list->words = words;
		size_t *lens = realloc(list->lens, cap * sizeof *lens);
		if (lens)
			list->lens = lens;
		if (!words || !lens) {
			list->nomem = true;
			return 1;
		}
		list->cap = cap;
	}
	char *copy = strndup(token->word, token->len);
	if (!copy) {
		list->nomem = true;
		return 1;
	}
	list->words[list->n] = copy;
	list->lens[list->n++] = token->len;
	return 0;
}

static void free_words(struct word_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		free(list->words[i]);
	free(list->words);
	free(list->lens);
}

/* Drop stopwords, unless that would leave nothing to search for. */
static void drop_stopwords(struct word_list *list)
{
	size_t kept = 0;
	for (size_t i = 0; i < list->n; i++)
		kept += !ni_is_stopword(list->words[i], list->lens[i]);
	if (kept == 0)
		return;
	size_t out = 0;
	for (size_t i = 0; i < list->n; i++) {
		if (ni_is_stopword(list->words[i], list->lens[i])) {
			free(list->words[i]);
			continue;
		}
		list->words[out] = list->words[i];
		list->lens[out++] = list->lens[i];
	}
	list->n = out;
}

static void free_parts(ni_query **parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ni_query_free(parts[i]);
	free(parts);
}

/* AND and OR of the words; *all is NULL when there is only one word. */
static ni_status build_queries(ni_db *db, const struct word_list *list,
			       ni_query **all, ni_query **any)
{
	*all = *any = NULL;
	ni_query **parts = calloc(list->n, sizeof *parts);
	if (!parts)
		return NI_ENOMEM;
	ni_status status = NI_OK;
	for (size_t i = 0; status == NI_OK && i < list->n; i++)
		status = ni_query_word(db, NI_FIELD_ANY, list->words[i],
				       list->lens[i], &parts[i]);
	if (status == NI_OK)
		status = ni_query_combine(NI_QOP_OR,
					  (const ni_query *const *)parts,
					  list->n, any);
	if (status == NI_OK && list->n > 1)
		status = ni_query_combine(NI_QOP_AND,
					  (const ni_query *const *)parts,
					  list->n, all);
	free_parts(parts, list->n);
	if (status != NI_OK) {
		ni_query_free(*any);
		*any = NULL;
	}
	return status;
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
		r->quality = hit.quality;
		r->all_words = all_words;
		ni_status status = ni_docdata_decode(hit.data, hit.data_len,
						     &r->doc);
		if (status == NI_ENOMEM)
			return status;
		/* Data we cannot read still leaves a hit to show. */
		out->n_hits++;
	}
	return NI_OK;
}

static ni_status run(ni_db *db, const ni_query *query,
		     const struct ni_search_options *o, unsigned offset,
		     unsigned limit, ni_mset **mset, struct ni_buf *errmsg)
{
	struct ni_search_params params = {offset, limit, o->quality_weight,
					  o->bm25_k1, o->bm25_b,
					  EXACT_COUNT_UP_TO};
	ni_status status = ni_db_search(db, query, &params, mset);
	if (status != NI_OK)
		ni_buf_addf(errmsg, "search failed: %s", ni_db_errmsg(db));
	return status;
}

/*
 * The page [offset, offset + limit) of: every article with all the words,
 * then every other article with some of them.  Tier one is searched
 * first; only when it runs out within the page is tier two searched,
 * from where tier one ended.
 */
static ni_status tiered_search(ni_db *db, const ni_query *all,
			       const ni_query *any,
			       const struct ni_search_options *o,
			       struct ni_results *out, struct ni_buf *errmsg)
{
	ni_mset *first = NULL, *rest = NULL;
	ni_query *others = NULL;
	uint64_t n_first = 0;
	ni_status status = NI_OK;
	if (all) {
		status = run(db, all, o, o->offset, o->limit, &first, errmsg);
		if (status != NI_OK)
			return status;
		status = take_hits(first, true, out);
		n_first = ni_mset_estimated(first);
	}
	/* A full page of tier one: tier two only adds to the count. */
	bool page_full = all && out->n_hits == o->limit;
	if (status == NI_OK && all) {
		const ni_query *parts[2] = {any, all};
		status = ni_query_combine(NI_QOP_AND_NOT, parts, 2, &others);
	}
	if (status == NI_OK) {
		unsigned skip = o->offset > n_first
			? (unsigned)(o->offset - n_first) : 0;
		unsigned want = page_full ? 0 : o->limit - (unsigned)out->n_hits;
		status = run(db, others ? others : any, o, all ? skip : o->offset,
			     want, &rest, errmsg);
	}
	if (status == NI_OK)
		status = take_hits(rest, !all, out);
	if (status == NI_OK) {
		out->total = n_first + ni_mset_estimated(rest);
		out->total_exact = ni_mset_lower_bound(rest) ==
				   ni_mset_upper_bound(rest) &&
				   (!first || ni_mset_lower_bound(first) ==
						      ni_mset_upper_bound(first));
	}
	ni_query_free(others);
	ni_mset_free(first);
	ni_mset_free(rest);
	return status;
}

ni_status ni_search(ni_db *db, ni_analyzer *analyzer, const char *query,
		    const struct ni_search_options *o, struct ni_results *out,
		    struct ni_buf *errmsg)
{
	memset(out, 0, sizeof *out);
	struct word_list list = {0};
	ni_status status = ni_analyzer_run(analyzer, query, strlen(query),
					   collect_word, &list, NULL);
	if (status == NI_OK && list.nomem)
		status = NI_ENOMEM;
	if (status != NI_OK) {
		ni_buf_addf(errmsg, "cannot analyze the query: %s",
			    *ni_analyzer_errmsg(analyzer)
				    ? ni_analyzer_errmsg(analyzer)
				    : ni_status_str(status));
		free_words(&list);
		return status;
	}
	drop_stopwords(&list);
	if (list.n == 0) {
		ni_buf_addf(errmsg, "the query has no words to search for");
		free_words(&list);
		return NI_EQUERY;
	}
	ni_query *all, *any;
	status = build_queries(db, &list, &all, &any);
	out->n_words = list.n;
	free_words(&list);
	if (status == NI_OK)
		status = tiered_search(db, all, any, o, out, errmsg);
	else
		ni_buf_addf(errmsg, "cannot build the query: %s",
			    ni_status_str(status));
	ni_query_free(all);
	ni_query_free(any);
	if (status != NI_OK)
		ni_results_clear(out);
	return status;
}

void ni_results_clear(struct ni_results *r)
{
	for (size_t i = 0; i < r->n_hits; i++)
		ni_docdata_clear(&r->hits[i].doc);
	free(r->hits);
	memset(r, 0, sizeof *r);
}
