/*
 * query.cc - Xapian queries built from the query parser's tree.
 */

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <new>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ni_buf.h"
#include "ni_url.h"
#include "internal.h"

namespace {

/*
 * How much more an exact match of a query word weighs than a match of its
 * stem alone, in proportion (tuned on Cranfield, docs/ranking.md).
 */
const double EXACT_FORM_WEIGHT = 0.5;

/*
 * Over shards (a stub), get_eset() approximates term frequencies unless
 * asked not to: --like would then pick other terms than one index of
 * the same documents does.  On one index it costs nothing.
 */
const int EXPAND_FLAGS = Xapian::Enquire::USE_EXACT_TERMFREQ;

/*
 * Would a query word stemmed by `language` miss documents that have the
 * word itself?  Yes when some document was stemmed by another stemmer.
 */
bool other_stemmers(ni_db &d, const std::string &language)
{
	/*
	 * Each document has one XSTEM term: when every one has this
	 * language's, no other can be there.  That is one lookup, where
	 * the walk below reads every block of each XSTEM term's posting
	 * list on the way to the next term (52 block reads a process at
	 * 200,000 articles, a seventh of a two-word query's).
	 */
	Xapian::doccount all = d.db.get_doccount();
	if (all > 0 && d.db.get_termfreq(STEMMER_PREFIX + language) == all)
		return false;
	Xapian::doccount marked = 0;
	for (auto t = d.db.allterms_begin(STEMMER_PREFIX);
	     t != d.db.allterms_end(STEMMER_PREFIX); ++t) {
		if ((*t).compare(STEMMER_PREFIX.size(), std::string::npos,
				 language) != 0)
			return true;
		marked += t.get_termfreq();
	}
	/* Documents written before XSTEM have the recorded default's. */
	return marked < d.db.get_doccount() &&
	       recorded_language(d) != language;
}

/*
 * other_stemmers() for the query's language, remembered by a reader: it
 * walks the XSTEM terms, which took three quarters of the parse of a
 * long query read several times to fit its bounds.  A writer's
 * documents change under it: it asks each time.
 */
bool mixed_stemmers(ni_db &d)
{
	const std::string &language = d.language->name;
	if (d.writable)
		return other_stemmers(d, language);
	if (d.stemmers_checked != language) {
		d.stemmers_mixed = other_stemmers(d, language);
		d.stemmers_checked = language;
	}
	return d.stemmers_mixed;
}

/* Xapian::Query for a word in a field, as ni_doc_add_word() indexed it. */
Xapian::Query word_query(ni_db &d, enum ni_field field, const char *word,
			 size_t len)
{
	check_field(field);
	const field_schema &schema = FIELDS[field];
	if (!schema.prefix)
		throw bad_argument("this field cannot be searched on its own");
	std::string text(word, len);
	Xapian::Query exact(schema.prefix + text);
	if (!should_stem(word, len))
		return exact;
	/*
	 * Any form with the stem matches; the form typed weighs more.  When
	 * every document was stemmed as the query is, each one with the
	 * exact term has its stem too, so AND_MAYBE ranks as OR would, but
	 * only looks the exact term up in the stem's matches, which is
	 * cheaper than merging two posting lists.  When some were stemmed
	 * in another language, their stems may differ: OR keeps the exact
	 * form a match of its own.
	 */
	Xapian::Query::op op = Xapian::Query::OP_OR;
	try {
		if (!mixed_stemmers(d))
			op = Xapian::Query::OP_AND_MAYBE;
	} catch (const Xapian::DatabaseModifiedError &) {
		/* A build committed meanwhile: OR is right in any case. */
	}
	return Xapian::Query(
		op, Xapian::Query(schema.stem_prefix + d.stem(text)),
		Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, exact,
			      EXACT_FORM_WEIGHT));
}

/*
 * What `q` matches, without the parts that only weigh: for the right
 * side of AND_NOT, which only excludes.  Xapian 1.4.22 reads
 * uninitialised memory, and so excludes documents at random, when an
 * AND under AND_NOT holds an AND_MAYBE (valgrind sees it on
 * "-(banks robots)", whose words are Zstem AND_MAYBE exact form).
 */
Xapian::Query matching_only(const Xapian::Query &q)
{
	switch (q.get_type()) {
	case Xapian::Query::OP_AND_MAYBE:
	case Xapian::Query::OP_SCALE_WEIGHT:
		return matching_only(q.get_subquery(0));
	case Xapian::Query::OP_AND:
	case Xapian::Query::OP_OR:
	case Xapian::Query::OP_AND_NOT:
	case Xapian::Query::OP_FILTER: {
		std::vector<Xapian::Query> parts;
		for (size_t i = 0; i < q.get_num_subqueries(); i++)
			parts.push_back(matching_only(q.get_subquery(i)));
		return Xapian::Query(q.get_type(), parts.begin(), parts.end());
	}
	default:
		return q;
	}
}

/* OP_NEAR or OP_PHRASE of the parts, within `window` positions. */
Xapian::Query window_query(Xapian::Query::op op, const ni_query *const *parts,
			   size_t n, unsigned window)
{
	if (n < 2 || !parts)
		throw bad_argument("NEAR and ordered phrases need two parts");
	std::vector<Xapian::Query> queries;
	for (size_t i = 0; i < n; i++)
		queries.push_back(query_of(parts[i]));
	return Xapian::Query(op, queries.begin(), queries.end(), window);
}

Xapian::Query::op xapian_op(enum ni_query_op op)
{
	switch (op) {
	case NI_QOP_AND: return Xapian::Query::OP_AND;
	case NI_QOP_OR: return Xapian::Query::OP_OR;
	case NI_QOP_AND_NOT: return Xapian::Query::OP_AND_NOT;
	case NI_QOP_FILTER: return Xapian::Query::OP_FILTER;
	case NI_QOP_AND_MAYBE: return Xapian::Query::OP_AND_MAYBE;
	}
	throw bad_argument("unknown query operator");
}

} // namespace

/* ---- queries -------------------------------------------------------------- */

ni_status ni_query_word(ni_db *d, enum ni_field field, const char *word,
			size_t len, ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{word_query(*d, field, word, len)};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_phrase(ni_db *d, enum ni_field field,
			  const char *const *words, const size_t *lens,
			  size_t n_words, ni_query **out) noexcept
{
	(void)d;
	*out = nullptr;
	try {
		check_field(field);
		const char *prefix = FIELDS[field].prefix;
		if (!prefix || n_words == 0)
			throw bad_argument("bad phrase");
		std::vector<Xapian::Query> terms;
		for (size_t i = 0; i < n_words; i++)
			terms.emplace_back(prefix +
					   std::string(words[i], lens[i]));
		*out = new ni_query{Xapian::Query(Xapian::Query::OP_PHRASE,
						  terms.begin(), terms.end(),
						  terms.size())};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_exact_word(ni_db *d, enum ni_field field,
			      const char *word, size_t len,
			      ni_query **out) noexcept
{
	(void)d;
	*out = nullptr;
	try {
		check_field(field);
		const char *prefix = FIELDS[field].prefix;
		if (!prefix)
			throw bad_argument("this field cannot be searched on "
					   "its own");
		*out = new ni_query{Xapian::Query(prefix +
						  std::string(word, len))};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_lookups *ni_lookups_new(void) noexcept
{
	return new (std::nothrow) ni_lookups;
}

void ni_lookups_free(ni_lookups *lookups) noexcept
{
	delete lookups;
}

namespace {

/*
 * The words of the index that start with `start`, best first, at most
 * `max_words` of them, in `e`.  They are chosen here, not by Xapian's
 * OP_WILDCARD at each run of the query: a search runs a query several
 * times (feedback, tiers, the count), and the choice is made once.
 * `worst` is the heap's order: its front is the word to drop first (the
 * least frequent, then the last in byte order); sorted by it, the best
 * come first, so that the first N are the best N for any N.
 */
void expand(ni_db &d, const std::string &start, unsigned max_words,
	    ni_lookups::expansion &e)
{
	using word = std::pair<Xapian::doccount, std::string>;
	auto worst = [](const word &a, const word &b) {
		return a.first > b.first ||
		       (a.first == b.first && a.second < b.second);
	};
	std::vector<word> &kept = e.best;
	e.found = retrying(d, [&] {
		unsigned n = 0;
		kept.clear();
		for (auto t = d.db.allterms_begin(start);
		     t != d.db.allterms_end(start); ++t) {
			n += n < UINT_MAX;
			word w{t.get_termfreq(), *t};
			if (kept.size() < max_words) {
				kept.push_back(std::move(w));
				std::push_heap(kept.begin(), kept.end(), worst);
			} else if (max_words && worst(w, kept.front())) {
				std::pop_heap(kept.begin(), kept.end(), worst);
				kept.back() = std::move(w);
				std::push_heap(kept.begin(), kept.end(), worst);
			}
		}
		return n;
	});
	std::sort_heap(kept.begin(), kept.end(), worst);
	e.kept_for = max_words;
}

} // namespace

ni_status ni_query_prefix(ni_db *d, enum ni_field field, const char *prefix,
			  size_t len, unsigned max_words, ni_lookups *lookups,
			  unsigned *n_words, ni_query **out) noexcept
{
	*out = nullptr;
	*n_words = 0;
	try {
		check_field(field);
		const char *field_prefix = FIELDS[field].prefix;
		if (!field_prefix)
			throw bad_argument("this field cannot be searched on "
					   "its own");
		std::string start = field_prefix + std::string(prefix, len);
		/* Known, unless fewer words than asked for now were kept. */
		ni_lookups::expansion *e = nullptr;
		if (lookups) {
			auto known = lookups->prefixes.find(start);
			if (known != lookups->prefixes.end() &&
			    (max_words <= known->second.kept_for ||
			     known->second.best.size() == known->second.found))
				e = &known->second;
		}
		ni_lookups::expansion own;
		if (!e) {
			expand(*d, start, max_words, own);
			e = lookups ? &(lookups->prefixes[start] =
					std::move(own)) : &own;
		}
		size_t n = std::min<size_t>(max_words, e->best.size());
		std::vector<std::string> terms;
		for (size_t i = 0; i < n; i++) {
			terms.push_back(e->best[i].second);
			if (lookups)
				lookups->freqs[e->best[i].second] =
					e->best[i].first;
		}
		std::sort(terms.begin(), terms.end());
		/* One word's worth of weight, as Xapian's wildcards have. */
		*out = new ni_query{Xapian::Query(Xapian::Query::OP_SYNONYM,
						  terms.begin(), terms.end())};
		*n_words = e->found;
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_complete(ni_db *d, const char *prefix, size_t len,
			 unsigned max_words, struct ni_buf *words,
			 uint64_t *docs, size_t *n) noexcept
{
	*n = 0;
	try {
		if (!prefix || !words || (max_words && !docs))
			throw bad_argument("no prefix or no room for words");
		ni_lookups::expansion e;
		expand(*d, FIELDS[NI_FIELD_ANY].prefix + std::string(prefix,
								     len),
		       max_words, e);
		for (const auto &word : e.best) {
			if (ni_buf_add(words, word.second.data(),
				       word.second.size()) != NI_OK ||
			    ni_buf_addch(words, '\0') != NI_OK)
				throw std::bad_alloc();
			docs[(*n)++] = word.first;
		}
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_query_near(const ni_query *const *parts, size_t n,
			unsigned window, ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{window_query(Xapian::Query::OP_NEAR, parts,
						 n, window)};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_ordered(const ni_query *const *parts, size_t n,
			   unsigned window, ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{window_query(Xapian::Query::OP_PHRASE,
						 parts, n, window)};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_scale(const ni_query *query, double factor,
			 ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{Xapian::Query(
			Xapian::Query::OP_SCALE_WEIGHT, query_of(query),
			factor)};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_match_all(ni_query **out) noexcept
{
	*out = nullptr;
	try {
		*out = new ni_query{Xapian::Query::MatchAll};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_db_stem(ni_db *d, const char *word, size_t len,
		     struct ni_buf *out) noexcept
{
	try {
		if (!should_stem(word, len))
			return ni_buf_add(out, word, len);
		const std::string &stem = d->stem(std::string(word, len));
		return ni_buf_add(out, stem.data(), stem.size());
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

namespace {

/* Each form of a URL, as a term of `prefix`. */
struct url_terms {
	std::string prefix;
	std::vector<std::string> terms;
};

ni_status add_url_term(const char *form, size_t len, void *arg) noexcept
{
	try {
		auto *t = static_cast<url_terms *>(arg);
		t->terms.push_back(make_term(t->prefix, form, len));
		return NI_OK;
	} catch (...) {
		return NI_ENOMEM;
	}
}

/* The terms of `url`'s forms under `prefix`, the URL as given first. */
std::vector<std::string> url_form_terms(const std::string &prefix,
					const char *url, size_t len)
{
	url_terms t{prefix, {}};
	if (ni_url_variants(url, len, add_url_term, &t) != NI_OK)
		throw std::bad_alloc();
	return t.terms;
}

} // namespace

/* The document indexed with `term`, or 0. */
static Xapian::docid find_document(ni_db &d, const std::string &term)
{
	Xapian::PostingIterator it = d.db.postlist_begin(term);
	return it == d.db.postlist_end(term) ? 0 : *it;
}

ni_status ni_query_like(ni_db *d, const char *key, unsigned n_terms,
			ni_query **out) noexcept
{
	*out = nullptr;
	try {
		size_t len = std::strlen(key);
		*out = new ni_query{retrying(*d, [&] {
			/* The key as given, else in another of its forms. */
			std::string term;
			Xapian::docid id = 0;
			for (const std::string &form :
			     url_form_terms(UNIQUE_PREFIX, key, len)) {
				term = form;
				if ((id = find_document(*d, term)))
					break;
			}
			if (!id) {
				term = make_term(
					filter_prefix(NI_FILTER_PATH), key,
					len);
				id = find_document(*d, term);
			}
			if (!id)
				throw bad_argument(
					std::string("no article has the URL "
						    "or path \"") +
					key + "\"");
			Xapian::Enquire enquire(d->db);
			Xapian::RSet rset;
			rset.add_document(id);
			Xapian::ExpandDeciderFilterPrefix stems_only(
				FIELDS[NI_FIELD_ANY].stem_prefix);
			Xapian::ESet eset = enquire.get_eset(
				n_terms, rset, EXPAND_FLAGS, &stems_only);
			Xapian::Query like(Xapian::Query::OP_OR, eset.begin(),
					   eset.end());
			return Xapian::Query(Xapian::Query::OP_AND_NOT, like,
					     Xapian::Query(term));
		})};
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

namespace {

/*
 * A stem feedback may add: one of every text field's (Z + the stem), not
 * one of a field's own (ZS + the stem), which weighs the same word again.
 */
bool any_field_stem(const std::string &term)
{
	const std::string &prefix = FIELDS[NI_FIELD_ANY].stem_prefix;
	return term.size() > prefix.size() &&
	       term.compare(0, prefix.size(), prefix) == 0 &&
	       !(term[prefix.size()] >= 'A' && term[prefix.size()] <= 'Z');
}

/*
 * Stems in more articles than this share feedback leaves out: they tell
 * the collection, not the question, apart (function words, and "flow"
 * in a collection about aerodynamics).  Anserini's RM3 draws the same
 * line (docs/ranking.md).
 */
const double FEEDBACK_MAX_DF = 0.1;

using weighted_terms = std::vector<std::pair<std::string, double>>;
/* Documents with their weights, best first. */
using scored_docs = std::vector<std::pair<Xapian::docid, double>>;

/*
 * The relevance model of `top`: P(t|R) = sum over its documents D of
 * score(D) / sum of scores * wdf(t, D) / wdf of D's stems, over the
 * stems any_field_stem() accepts and FEEDBACK_MAX_DF keeps, the
 * `n_terms` most probable (ties by term), renormalised to sum to 1.
 * A stem's probability does not depend on which others are kept, so
 * the frequencies (a B-tree lookup each, a block read) are looked up
 * from the most probable down, only until `n_terms` are kept: some 45
 * of the 100 to 150 stems of three articles.
 */
weighted_terms relevance_model(ni_db &d, const scored_docs &top,
			       unsigned n_terms)
{
	double max_df = FEEDBACK_MAX_DF * d.db.get_doccount();
	double score_sum = 0;
	for (const auto &doc : top)
		score_sum += doc.second;
	std::unordered_map<std::string, double> model;
	for (const auto &doc : top) {
		double length = 0;
		weighted_terms stems;
		for (auto t = d.db.termlist_begin(doc.first);
		     t != d.db.termlist_end(doc.first); ++t) {
			if (!any_field_stem(*t))
				continue;
			length += t.get_wdf();
			stems.emplace_back(*t, t.get_wdf());
		}
		double share = score_sum > 0 ? doc.second / score_sum
					     : 1.0 / top.size();
		for (const auto &term : stems)
			model[term.first] += share * term.second / length;
	}
	weighted_terms all(model.begin(), model.end());
	std::sort(all.begin(), all.end(),
		  [](const weighted_terms::value_type &a,
		     const weighted_terms::value_type &b) {
			  return a.second > b.second ||
				 (a.second == b.second && a.first < b.first);
		  });
	weighted_terms best;
	for (auto &term : all) {
		if (best.size() >= n_terms)
			break;
		/* A termlist's frequency is its shard's alone. */
		if (d.db.get_termfreq(term.first) <= max_df)
			best.push_back(std::move(term));
	}
	double sum = 0;
	for (const auto &term : best)
		sum += term.second;
	for (auto &term : best)
		term.second /= sum;
	return best;
}

/*
 * The `n_docs` best of `all_words` by BM25.  When the page will walk
 * that tier once (one_walk_fits()), from a scored walk of every match,
 * which the page's walk then replays (rank.cc): an AND of words has
 * every match scored by either search, and the page's walk need not
 * walk the words again.  Else from `top`, Xapian's search for them.
 */
template <typename Top>
scored_docs best_of_all_words(ni_db &d, const Xapian::Query &all_words,
			      const ni_search_params &page, unsigned n_docs,
			      Top top)
{
	const ni_db::scored *walk = one_walk_fits(d, page)
		? scored_walk(d, all_words, page.bm25_k1, page.bm25_b)
		: nullptr;
	return walk ? best_of_walk(d, *walk, n_docs) : top(all_words);
}

} // namespace

ni_status ni_query_feedback(ni_db *d, const ni_query *query,
			    const ni_query *all_words,
			    const struct ni_search_params *params,
			    unsigned n_docs, unsigned n_terms, double lambda,
			    ni_query **out) noexcept
{
	*out = nullptr;
	try {
		const Xapian::Query &q = query_of(query);
		if (!(lambda > 0 && lambda < 1))
			throw bad_argument("feedback needs 0 < lambda < 1");
		weighted_terms model = retrying(*d, [&] {
			auto top = [&](const Xapian::Query &of) {
				Xapian::Enquire enquire(d->db);
				enquire.set_weighting_scheme(
					bm25(params->bm25_k1, params->bm25_b));
				enquire.set_query(of);
				/* Ties as in a search, whatever the ids. */
				enquire.set_sort_by_relevance_then_value(
					NI_SLOT_ORDER, false);
				Xapian::MSet mset = enquire.get_mset(0, n_docs);
				scored_docs docs;
				for (auto it = mset.begin(); it != mset.end();
				     ++it)
					docs.emplace_back(*it, it.get_weight());
				return docs;
			};
			scored_docs docs;
			if (all_words)
				docs = best_of_all_words(*d, query_of(all_words),
							 *params, n_docs, top);
			if (docs.size() < n_docs)
				docs = top(q);
			return relevance_model(*d, docs, n_terms);
		});
		if (model.empty())
			return NI_OK;
		/*
		 * Each stem of the query weighs 1 (its BM25), so the query
		 * weighs its number of distinct stems (Xapian lists a term
		 * once); the model's terms together weigh lambda / (1 -
		 * lambda) times that.
		 */
		double stems = 0;
		for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t)
			stems += any_field_stem(*t);
		double scale = lambda / (1 - lambda) * std::max(stems, 1.0);
		std::vector<Xapian::Query> parts;
		for (const auto &term : model)
			parts.emplace_back(Xapian::Query::OP_SCALE_WEIGHT,
					   Xapian::Query(term.first),
					   scale * term.second);
		*out = new ni_query{Xapian::Query(Xapian::Query::OP_OR,
						  parts.begin(), parts.end())};
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_db_spelling(ni_db *d, const char *word, size_t len,
			 unsigned max_edits, struct ni_buf *out) noexcept
{
	try {
		std::string fix = retrying(*d, [&] {
			return d->db.get_spelling_suggestion(
				std::string(word, len), max_edits);
		});
		return ni_buf_add(out, fix.data(), fix.size());
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_query_filter(enum ni_filter filter, const char *value,
			  size_t len, ni_query **out) noexcept
{
	*out = nullptr;
	try {
		check_filter(filter);
		*out = new ni_query{Xapian::Query(
			make_term(filter_prefix(filter), value, len))};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_url(const char *url, size_t len, ni_query **out) noexcept
{
	*out = nullptr;
	try {
		std::vector<std::string> terms = url_form_terms(
			filter_prefix(NI_FILTER_URL), url, len);
		*out = new ni_query{Xapian::Query(Xapian::Query::OP_OR,
						  terms.begin(), terms.end())};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_range(enum ni_slot slot, double lo, double hi,
			 ni_query **out) noexcept
{
	*out = nullptr;
	try {
		Xapian::Query query;
		if (std::isinf(lo) && std::isinf(hi))
			query = Xapian::Query::MatchAll;
		else if (std::isinf(lo))
			query = Xapian::Query(Xapian::Query::OP_VALUE_LE, slot,
					      Xapian::sortable_serialise(hi));
		else if (std::isinf(hi))
			query = Xapian::Query(Xapian::Query::OP_VALUE_GE, slot,
					      Xapian::sortable_serialise(lo));
		else
			query = Xapian::Query(Xapian::Query::OP_VALUE_RANGE,
					      slot,
					      Xapian::sortable_serialise(lo),
					      Xapian::sortable_serialise(hi));
		*out = new ni_query{query};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

ni_status ni_query_combine(enum ni_query_op op,
			   const ni_query *const *parts, size_t n,
			   ni_query **out) noexcept
{
	*out = nullptr;
	try {
		if (n == 0 || !parts)
			throw bad_argument("nothing to combine");
		std::vector<Xapian::Query> queries;
		for (size_t i = 0; i < n; i++)
			queries.push_back(i > 0 && op == NI_QOP_AND_NOT
					  ? matching_only(query_of(parts[i]))
					  : query_of(parts[i]));
		Xapian::Query::op xop = xapian_op(op);
		Xapian::Query combined;
		if (n == 1)
			combined = queries[0];
		else if (op == NI_QOP_AND || op == NI_QOP_OR)
			combined = Xapian::Query(xop, queries.begin(),
						 queries.end());
		else
			combined = Xapian::Query(
				xop, queries[0],
				Xapian::Query(Xapian::Query::OP_OR,
					      queries.begin() + 1,
					      queries.end()));
		*out = new ni_query{combined};
		return NI_OK;
	} catch (...) {
		std::string ignored;
		return map_exception(ignored);
	}
}

namespace {

/*
 * What a query costs (ni_query_postings()), as read from it: each term
 * with how many times its documents count, and the rest, which depends
 * on no term.
 */
struct query_cost {
	std::vector<std::pair<std::string, uint64_t>> terms;
	uint64_t fixed = 0;

	/* The cost, with each term's documents as `freq` gives them. */
	template <typename Freq>
	uint64_t with(Freq freq) const
	{
		uint64_t sum = fixed;
		for (const auto &t : terms)
			sum += t.second * freq(t.first);
		return sum;
	}
};

/*
 * Add what `q` costs to `cost`, each of its terms counting `times` (the
 * product of the factors above it): the documents of each term of `q`,
 * summed over its leaves, each with NI_TERM_POSTINGS: at 200,000
 * articles 1,000 rare words take 0.26 s, 0.25 ms each, and a million
 * postings of frequent words 0.14 s.  A term the query has twice counts
 * twice (Xapian's term iterator would give it once).  Under a phrase
 * they count twice (the positions are read in each), under NEAR three
 * times (it tries the positions in any order, which costs more as the
 * words recur: 300 "the" joined by NEAR took 40 s at 200,000 articles).
 * The recursion is as deep as the query, which ni_qparse bounds.
 */
void read_cost(const Xapian::Database &db, const Xapian::Query &q,
	       uint64_t times, query_cost &cost)
{
	switch (q.get_type()) {
	case Xapian::Query::OP_PHRASE:
		times *= 2;
		break;
	case Xapian::Query::OP_NEAR:
		times *= 3;
		break;
	case Xapian::Query::OP_VALUE_RANGE:
	case Xapian::Query::OP_VALUE_GE:
	case Xapian::Query::OP_VALUE_LE:
		/* A value of every document: 4.7 ms at 200,000. */
		cost.fixed += times * (db.get_doccount() / NI_RANGE_SHARE);
		break;
	default:
		break;
	}
	size_t n = q.get_num_subqueries();
	if (n == 0)
		for (auto t = q.get_terms_begin(); t != q.get_terms_end(); ++t) {
			cost.fixed += times * NI_TERM_POSTINGS;
			cost.terms.emplace_back(*t, times);
		}
	for (size_t i = 0; i < n; i++)
		read_cost(db, q.get_subquery(i), times, cost);
}

} // namespace

ni_status ni_query_postings(ni_db *d, const ni_query *query,
			    uint64_t *postings) noexcept
{
	*postings = 0;
	try {
		const Xapian::Query &q = query_of(query);
		*postings = retrying(*d, [&] {
			query_cost cost;
			read_cost(d->db, q, 1, cost);
			return cost.with([&](const std::string &term) {
				return d->db.get_termfreq(term);
			});
		});
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

ni_status ni_query_fits(ni_db *d, const ni_query *query, uint64_t max,
			ni_lookups *lookups, bool *fits) noexcept
{
	*fits = false;
	try {
		const Xapian::Query &q = query_of(query);
		*fits = retrying(*d, [&] {
			query_cost cost;
			read_cost(d->db, q, 1, cost);
			/* Every term in every document, looked up in none. */
			Xapian::doccount all = d->db.get_doccount();
			if (cost.with([all](const std::string &) {
				return all;
			    }) <= max)
				return true;
			return cost.with([&](const std::string &term) {
				if (!lookups)
					return d->db.get_termfreq(term);
				auto known = lookups->freqs.find(term);
				if (known != lookups->freqs.end())
					return known->second;
				Xapian::doccount n = d->db.get_termfreq(term);
				lookups->freqs.emplace(term, n);
				return n;
			}) <= max;
		});
		return NI_OK;
	} catch (...) {
		return map_exception(d->errmsg);
	}
}

char *ni_query_describe(const ni_query *query) noexcept
{
	try {
		return c_string(query_of(query).get_description());
	} catch (...) {
		return nullptr;
	}
}

void ni_query_free(ni_query *query) noexcept
{
	delete query;
}
