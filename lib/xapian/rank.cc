/*
 * rank.cc - ranking: the quality and recency blend, stories, facets.
 */

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ni_dates.h"
#include "internal.h"

namespace ni_xapian {

/*
 * Whether `d` reads one local index: a spy is given each shard's own
 * document ids, and a remote one takes no spy of ours.
 */
bool one_local_index(const ni_db &d)
{
	return d.db.size() == 1 &&
	       (d.shards.empty() || !d.shards[0].local.empty());
}

/*
 * Whether one_walk_page() ranks the page of `p` as cheaply as Xapian
 * would: a page by relevance with the quality blend and nothing that
 * one walk does not know (recency, facets, a count, a sample), of one
 * local index.  Phrases and NEAR too: the walk checks the positions of
 * every candidate, where Xapian's two searches check those that could
 * still reach the page, but the page's count then checks them all
 * again, and counts them from the walk instead ("world series" in
 * quotes at 200,000 articles: 43 M instructions in all, 27 M so).
 */
bool one_walk_fits(const ni_db &d, const ni_search_params &p)
{
	return p.limit > 0 && p.sample <= 0 && p.sort == NI_SORT_RELEVANCE &&
	       p.quality_weight > 0 && !p.facets && !p.check_at_least &&
	       !(p.recency_weight > 0 && p.half_life_days > 0) &&
	       one_local_index(d);
}

} // namespace ni_xapian

namespace {

/* The day since 1970-01-01 that `epoch` falls in, in UTC. */
int64_t day_number(int64_t epoch)
{
	return epoch >= 0 ? epoch / 86400 : (epoch - 86399) / 86400;
}

/*
 * "YYYY-MM-DD" of the UTC day that `epoch` falls in: NI_SLOT_DAY's text,
 * by the calendar the indexer writes it with (ni_dates.h).
 */
std::string utc_day(int64_t epoch)
{
	int64_t year;
	unsigned month, mday;
	char day[32];
	ni_civil_from_days(day_number(epoch), &year, &month, &mday);
	std::snprintf(day, sizeof day, "%04lld-%02u-%02u",
		      static_cast<long long>(year), month, mday);
	return day;
}

/* Articles older than this many days gain nothing from recency. */
double recency_horizon(const ni_search_params &p)
{
	return std::floor(std::min(10 * p.half_life_days, 36500.0));
}

/*
 * What recency adds to an article published `age_days` whole days before
 * now: the full weight up to a day old, then halving every half-life,
 * nothing past the horizon.
 */
double recency_part(const ni_search_params &p, double age_days)
{
	if (p.recency_weight <= 0 || p.half_life_days <= 0 ||
	    age_days > recency_horizon(p))
		return 0;
	if (age_days < 0)
		age_days = 0;
	return p.recency_weight * std::exp2(-age_days / p.half_life_days);
}

/*
 * Recency as a weight-only posting source Xapian has built in (so it also
 * works on remote shards): a map from the day an article was published
 * to its weight, for the days that still weigh more than 1/1024 of the
 * full weight.  Older articles get nothing.
 */
Xapian::Query recency_query(const ni_search_params &p)
{
	auto *source = new Xapian::ValueMapPostingSource(NI_SLOT_DAY);
	/* A day or two ahead too: clocks and time zones disagree. */
	for (int64_t age = -2; age <= static_cast<int64_t>(recency_horizon(p));
	     age++)
		source->add_mapping(utc_day(p.now - age * 86400),
				    recency_part(p, static_cast<double>(age)));
	source->set_default_weight(0);
	return Xapian::Query(source->release());
}

/*
 * What one point of quality adds to a score: quality_weight tenths of
 * the query's best relevance (`best`) per 100 points, so that a weight
 * means the same for a one-word query (BM25 about 5) as for a long
 * question (about 40): quality is a prior over relevance normalised to
 * the best match, whatever the scale of the query's scores
 * (docs/ranking.md, "Quality").
 */
double quality_scale(const ni_search_params &p, double best)
{
	/*
	 * A query that weighs nothing (filters alone) has no relevance to
	 * scale by: quality alone orders it, as if its best weighed 1.
	 */
	double unit = best > 0 ? best : 1.0;
	return p.quality_weight * NI_QUALITY_SHARE * unit / 100.0;
}

Xapian::Query quality_query(double scale)
{
	auto *source = new Xapian::ValueWeightPostingSource(NI_SLOT_QUALITY);
	return Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT,
			     Xapian::Query(source->release()), scale);
}

/*
 * The query as run: the quality and recency parts are joined as
 * weight-only parts (OP_AND_MAYBE), so they reorder matches but never add
 * any (docs/ranking.md).  `scale` is quality_scale()'s.
 */
Xapian::Query blended_query(const Xapian::Query &query,
			    const ni_search_params &p, double scale)
{
	std::vector<Xapian::Query> boosts;
	if (scale > 0)
		boosts.push_back(quality_query(scale));
	if (p.recency_weight > 0 && p.half_life_days > 0)
		boosts.push_back(recency_query(p));
	if (boosts.empty())
		return query;
	return Xapian::Query(Xapian::Query::OP_AND_MAYBE, query,
			     Xapian::Query(Xapian::Query::OP_OR,
					   boosts.begin(), boosts.end()));
}

/* Windows of a story sample: see Windows. */
const Xapian::docid SAMPLE_WINDOWS = 32;

/*
 * The story sample of one index: SAMPLE_WINDOWS runs of `width`
 * consecutive document ids, one run at the start of every `period`
 * ids, about `share` of them in all.  Runs, not every Nth id: a story
 * key, read for each sampled match, is read from a value stream whose
 * blocks hold a few hundred ids each, so every Nth id read nearly every
 * block of it (400 of a sample's 550 block reads at 200,000 articles),
 * where 32 runs read some 40.
 *
 * A story is in the sample when one of its matching copies is.  Were
 * the runs placed at random (a phase drawn from the period), the
 * chance of that is chance(): w / period for a story of one copy, up to
 * c times that for c copies far apart, hardly more for c copies side by
 * side (files indexed one after the other, as reprints often are).
 * The runs start at phase 0: the estimate is the same on every run,
 * and its weights are those chances.
 */
struct Windows {
	Xapian::docid period = 1;
	Xapian::docid width = 1;

	Windows(Xapian::docid last, double share)
	{
		period = std::max<Xapian::docid>(
			(last + SAMPLE_WINDOWS - 1) / SAMPLE_WINDOWS, 1);
		double w = std::round(std::min(share, 1.0) * period);
		width = std::clamp<Xapian::docid>(
			static_cast<Xapian::docid>(w), 1, period);
	}
	bool has(Xapian::docid did) const
	{
		return (did - 1) % period < width;
	}
	/* The first id from `did` on in a run. */
	Xapian::docid next_from(Xapian::docid did) const
	{
		Xapian::docid off = (did - 1) % period;
		return off < width ? did : did - off + period;
	}
	/*
	 * The chance that a random phase puts one of `ids` in a run: the
	 * phases that do are, for each id, the `width` ones ending at its
	 * offset in the period, a union of arcs on a circle.
	 */
	double chance(std::vector<Xapian::docid> ids) const
	{
		std::vector<Xapian::docid> at;
		at.reserve(ids.size());
		for (Xapian::docid did : ids)
			at.push_back((did - 1) % period);
		std::sort(at.begin(), at.end());
		at.erase(std::unique(at.begin(), at.end()), at.end());
		if (at.empty())
			return 0;
		double covered = 0;
		for (size_t i = 0; i < at.size(); i++) {
			Xapian::docid gap = i + 1 < at.size()
				? at[i + 1] - at[i]
				: at[0] + period - at[i];
			covered += std::min(gap, width);
		}
		return covered / period;
	}
};

/* The Windows of a sample of `share`, with no weight. */
class WindowSource : public Xapian::PostingSource {
public:
	explicit WindowSource(double share) : share_(share) {}

	void init(const Xapian::Database &db) override
	{
		last_ = db.get_lastdocid();
		windows_ = Windows(last_, share_);
		current_ = 0;
		docs_ = db.get_doccount();
	}
	/* Which ids exist is unknown: from none to all of them. */
	Xapian::doccount get_termfreq_min() const override { return 0; }
	Xapian::doccount get_termfreq_est() const override
	{
		return static_cast<Xapian::doccount>(
			static_cast<double>(docs_) * windows_.width /
			windows_.period);
	}
	Xapian::doccount get_termfreq_max() const override
	{
		return std::min<Xapian::doccount>(
			docs_, (last_ / windows_.period + 1) * windows_.width);
	}
	void next(double) override { skip_to(current_ + 1, 0); }
	void skip_to(Xapian::docid did, double) override
	{
		if (did > current_)
			current_ = windows_.next_from(did);
	}
	bool at_end() const override { return current_ > last_; }
	Xapian::docid get_docid() const override { return current_; }
	Xapian::PostingSource *clone() const override
	{
		return new WindowSource(share_);
	}

private:
	double share_;
	Windows windows_{1, 1};
	Xapian::docid last_ = 0;
	Xapian::docid current_ = 0;
	Xapian::doccount docs_ = 0;
};

/*
 * Every `stride`-th document id of each local shard from `stride`
 * on, with no weight: a sample of about 1/stride of any query's
 * matches that Xapian can skip through.  Copies of a story lie
 * together or apart in the id order; either way a story of c copies is
 * in the sample about c times as often as one of a single copy.  Not
 * for remote shards: xapian-tcpsrv knows no posting source of ours.
 */
class StrideSource : public Xapian::PostingSource {
public:
	explicit StrideSource(Xapian::docid stride) : stride_(stride) {}

	void init(const Xapian::Database &db) override
	{
		last_ = db.get_lastdocid();
		current_ = 0;
		docs_ = db.get_doccount();
	}
	/* Which ids exist is unknown: from none to all of them. */
	Xapian::doccount get_termfreq_min() const override { return 0; }
	Xapian::doccount get_termfreq_est() const override
	{
		return docs_ / stride_;
	}
	Xapian::doccount get_termfreq_max() const override
	{
		return std::min(docs_, last_ / stride_);
	}
	void next(double) override { current_ += stride_; }
	void skip_to(Xapian::docid did, double) override
	{
		if (did > current_)
			current_ = (did + stride_ - 1) / stride_ * stride_;
	}
	bool at_end() const override { return current_ > last_; }
	Xapian::docid get_docid() const override { return current_; }
	Xapian::PostingSource *clone() const override
	{
		return new StrideSource(stride_);
	}

private:
	Xapian::docid stride_;
	Xapian::docid last_ = 0;
	Xapian::docid current_ = 0;
	Xapian::doccount docs_ = 0;
};

/*
 * `query`'s matches whose tie order lies in the lowest `share` of its
 * range, where there is a remote shard: Xapian reads the slot's values
 * in order (OP_VALUE_LE), no faster than the sorted page it replaced.
 */
Xapian::Query hash_sample(const Xapian::Query &query, double share)
{
	/* The highest tie order in the sample, big-endian as tie_order()
	 * writes it, so that its bytes compare as the numbers do. */
	double top = std::min(share, 1.0) * 0x1p64;
	uint64_t last = top >= 0x1p64 ? UINT64_MAX
				      : static_cast<uint64_t>(top);
	std::string bytes(8, '\0');
	for (int i = 7; i >= 0; i--, last >>= 8)
		bytes[static_cast<size_t>(i)] = static_cast<char>(last & 0xff);
	return Xapian::Query(Xapian::Query::OP_FILTER, query,
			     Xapian::Query(Xapian::Query::OP_VALUE_LE,
					   NI_SLOT_ORDER, bytes));
}

/* `query`'s sample of about `share` of its matches, blind to stories
 * (ni_search_params.sample). */
Xapian::Query sampled(const ni_db &d, const Xapian::Query &query,
		      double share)
{
	for (const ni_db::shard &shard : d.shards)
		if (shard.local.empty())
			return hash_sample(query, share);
	if (share >= 1)
		return query;
	if (one_local_index(d))
		return Xapian::Query(Xapian::Query::OP_FILTER, query,
				     Xapian::Query((new WindowSource(share))
							   ->release()));
	auto stride = static_cast<Xapian::docid>(std::lround(1 / share));
	auto *source = new StrideSource(std::max<Xapian::docid>(stride, 1));
	return Xapian::Query(Xapian::Query::OP_FILTER, query,
			     Xapian::Query(source->release()));
}

/*
 * The relevance of the query's best match, quality and recency aside: a
 * search for one hit, which Xapian's max-weight pruning makes cheap.  0
 * when nothing matches or the query weighs nothing.
 */
double best_relevance(ni_db &d, const Xapian::Query &query,
		      const Xapian::Weight &weight)
{
	Xapian::Enquire enquire(d.db);
	enquire.set_weighting_scheme(weight);
	enquire.set_query(query);
	/* Which of equal bests comes first does not matter here. */
	enquire.set_docid_order(Xapian::Enquire::DONT_CARE);
	Xapian::MSet best = enquire.get_mset(0, 1);
	return best.empty() ? 0 : best.begin().get_weight();
}

/* The article's heat, -1 when unknown (not given, or below 0). */
double heat_of(const Xapian::Document &doc)
{
	std::string value = doc.get_value(NI_SLOT_HEAT);
	double heat = value.empty() ? -1 : Xapian::sortable_unserialise(value);
	return heat >= 0 ? heat : -1;
}

/*
 * The document table of what `d` reads (NI_META_DOC_TABLE), its header
 * read once for each revision, or NULL: a writer's is not yet what it
 * reads, and a sharded or remote index's are each of one shard's ids,
 * when they are read as today.
 */
doc_table *table_of(ni_db &d)
{
	if (d.writable || !one_local_index(d))
		return nullptr;
	Xapian::rev revision = d.db.get_revision();
	if (!d.table_read || d.table_revision != revision) {
		d.table.open(d.db);
		d.table_read = true;
		d.table_revision = revision;
	}
	return d.table.usable ? &d.table : nullptr;
}

/* Document `did`'s byte of the table, NI_DOC_UNKNOWN without one. */
unsigned char table_entry(doc_table *table, ni_db &d, Xapian::docid did)
{
	return table ? table->entry(d.db, did) : NI_DOC_UNKNOWN;
}

/* A document's byte without its story bit: its quality, or
 * NI_DOC_QUALITY_NONE, or NI_DOC_QUALITY_READ or more (unknown). */
unsigned char quality_bits(unsigned char entry)
{
	return entry & 0x7f;
}

/* Whether a document's byte holds its quality (NI_DOC_QUALITY_NONE:
 * none). */
bool quality_known(unsigned char entry)
{
	unsigned char q = quality_bits(entry);
	return q <= 100 || q == NI_DOC_QUALITY_NONE;
}

/* Whether a document's byte says its story may have copies. */
bool story_shared(unsigned char entry)
{
	return entry & NI_DOC_STORY_SHARED;
}

/*
 * Whether document `did`'s story may have copies as the document table
 * tells, true without a table: story_shared() of its byte, read from
 * the table's bitmap, where a walk over thousands of matches read nearly
 * every 4 KB chunk of the bytes.  (may_have_copies() asks the map of
 * stories, by story key.)
 */
bool shared_by_table(doc_table *table, ni_db &d, Xapian::docid did)
{
	return table ? table->shared(d.db, did) : true;
}

/* The article's quality, NI_DEFAULT_QUALITY when it has none; from the
 * document table when it holds it. */
double quality_of(ni_db &d, const Xapian::Document &doc)
{
	unsigned char entry = table_entry(table_of(d), d, doc.get_docid());
	if (quality_known(entry)) {
		unsigned char q = quality_bits(entry);
		return q == NI_DOC_QUALITY_NONE ? NI_DEFAULT_QUALITY : q;
	}
	std::string value = doc.get_value(NI_SLOT_QUALITY);
	return value.empty() ? NI_DEFAULT_QUALITY
			     : Xapian::sortable_unserialise(value);
}

/* Whole days between the article's day and now's, as recency sees it. */
double age_in_days(const Xapian::Document &doc, int64_t now)
{
	std::string day = doc.get_value(NI_SLOT_DAY);
	int y, m, dd;
	if (day.size() != 10 ||
	    std::sscanf(day.c_str(), "%4d-%2d-%2d", &y, &m, &dd) != 3)
		return INFINITY;
	return static_cast<double>(day_number(now) -
				   ni_days_from_civil(y, m, dd));
}

/*
 * Whether the story keyed `story` may have copies, as the index's map
 * (NI_META_STORY_COPIES) tells, read once for each revision: a clear
 * bit spares best_copy() a lookup of the story's documents, for nearly
 * every story.  A writer's map is not yet what it reads, and a sharded
 * index's are each of one shard, when a story's copies may be in two:
 * they, and an index without a map, look every story up.
 */
bool may_have_copies(ni_db &d, const std::string &story)
{
	if (d.writable || !one_local_index(d))
		return true;
	Xapian::rev revision = d.db.get_revision();
	if (!d.copies_read || d.copies_revision != revision) {
		d.copies.read(d.db.get_metadata(KEY_STORY_COPIES));
		d.copies_read = true;
		d.copies_revision = revision;
	}
	return d.copies.may_have_copies(story);
}

/* Copies of a story looked at for the best one: more are rare. */
const Xapian::doccount BEST_COPY_CANDIDATES = 16;

/*
 * How many documents, matching or not, story `story` has: none for "",
 * one without a lookup when the map says it has no copies (most).
 */
Xapian::doccount copies_in_index(ni_db &d, const std::string &story)
{
	if (story.empty())
		return 0;
	if (!may_have_copies(d, story))
		return 1;
	return d.db.get_termfreq(STORY_PREFIX + story);
}

/* A search of the copies of story `story` that match `query`. */
Xapian::Enquire matching_copies(ni_db &d, const Xapian::Query &query,
				const std::string &story)
{
	Xapian::Enquire enquire(d.db);
	enquire.set_query(Xapian::Query(Xapian::Query::OP_FILTER, query,
					Xapian::Query(STORY_PREFIX + story)));
	return enquire;
}

/*
 * The copy of a collapsed story to show: the one of best quality among
 * those that match the query, then of best relevance, then first in the
 * tie order (not by document id, which differs between builds); and in
 * `others`, how many other copies match.  Counted here rather than taken
 * from Xapian's collapse count, which is only what the matcher saw
 * before it could stop, and so depends on the shards and the build.
 * Sorted by date (`by_date`), a story is shown by the copy whose date
 * placed it, `found`, or the dates shown would be out of order: then
 * the copies are only counted.  `story` is found's story key, as the
 * collapse read it (MSetIterator::get_collapse_key(): reading it again
 * from the document costs a lookup in the value table, a third of a
 * sampled article's cost).
 */
Xapian::Document best_copy(ni_db &d, const Xapian::Query &query,
			   const Xapian::Document &found,
			   const std::string &story, bool by_date,
			   Xapian::doccount &others)
{
	others = 0;
	Xapian::doccount copies_in_all = copies_in_index(d, story);
	/* Most stories have one copy: no search for them. */
	if (copies_in_all < 2)
		return found;
	Xapian::Enquire enquire = matching_copies(d, query, story);
	if (by_date) {
		enquire.set_weighting_scheme(Xapian::BoolWeight());
		Xapian::doccount copies = enquire.get_mset(
			0, 0, copies_in_all).get_matches_estimated();
		others = copies ? copies - 1 : 0;
		return found;
	}
	enquire.set_sort_by_value_then_relevance(NI_SLOT_QUALITY, true);
	Xapian::MSet copies = enquire.get_mset(0, BEST_COPY_CANDIDATES,
					       copies_in_all);
	if (copies.empty())
		return found;
	others = copies.get_matches_estimated() - 1;
	auto best = copies.begin();
	Xapian::Document best_doc = best.get_document();
	for (auto it = copies.begin(); it != copies.end(); ++it) {
		Xapian::Document doc = it.get_document();
		if (doc.get_value(NI_SLOT_QUALITY) !=
			    best_doc.get_value(NI_SLOT_QUALITY) ||
		    it.get_weight() != best.get_weight())
			break;
		if (doc.get_value(NI_SLOT_ORDER) <
		    best_doc.get_value(NI_SLOT_ORDER))
			best_doc = doc;
	}
	return best_doc;
}

/*
 * The chance that `windows` sample story `story` of sampled match
 * `found` (Windows::chance), from the ids of its copies that match
 * `query`; and in `others` how many of those there are besides found.
 */
double chance_in_sample(ni_db &d, const Xapian::Query &query,
			Xapian::docid found, const std::string &story,
			const Windows &windows, Xapian::doccount &others)
{
	others = 0;
	std::vector<Xapian::docid> ids{found};
	Xapian::doccount copies_in_all = copies_in_index(d, story);
	if (copies_in_all >= 2) {
		Xapian::Enquire enquire = matching_copies(d, query, story);
		enquire.set_weighting_scheme(Xapian::BoolWeight());
		Xapian::MSet copies = enquire.get_mset(0, copies_in_all);
		for (auto it = copies.begin(); it != copies.end(); ++it)
			if (*it != found)
				ids.push_back(*it);
		others = static_cast<Xapian::doccount>(ids.size() - 1);
	}
	return windows.chance(ids);
}

/* A hit of a page as ranked: its document, score and story key. */
struct ranked {
	Xapian::Document doc;
	double score;
	std::string story;
};

/* The hits of `mset`, in its order. */
std::vector<ranked> ranked_of(const Xapian::MSet &mset)
{
	std::vector<ranked> hits;
	hits.reserve(mset.size());
	for (auto it = mset.begin(); it != mset.end(); ++it)
		hits.push_back({it.get_document(), it.get_weight(),
				it.get_collapse_key()});
	return hits;
}

void take_hits(ni_db &d, const Xapian::Query &query,
	       const std::vector<ranked> &ranks, const ni_search_params &p,
	       double scale, ni_mset &out)
{
	out.hits.clear();
	out.hits.reserve(ranks.size());
	Windows windows(d.db.get_lastdocid(), p.sample);
	for (const ranked &hit : ranks) {
		const Xapian::Document &doc = hit.doc;
		Xapian::docid did = doc.get_docid();
		if (p.sample > 0) {
			/*
			 * Windows on one index (sampled()): the chance of
			 * its story from where its copies are; else
			 * counted as a page sorted by date counts them.
			 */
			Xapian::doccount similar = 0;
			double chance = 0;
			if (p.collapse && one_local_index(d))
				chance = chance_in_sample(d, query, did,
							  hit.story, windows,
							  similar);
			else if (p.collapse)
				best_copy(d, query, doc, hit.story, true,
					  similar);
			out.hits.push_back(
				{did, 0, 0, 0, 0, 0, similar, {}, -1, chance});
			continue;
		}
		double score = hit.score;
		/*
		 * Each value read once, and recency's only when it weighs:
		 * Xapian reads a document's value anew at every ask, a
		 * lookup in the value table each.
		 */
		double quality = quality_of(d, doc);
		double quality_part = scale * quality;
		double age = p.recency_weight > 0 && p.half_life_days > 0
			? age_in_days(doc, p.now) : INFINITY;
		double recency = std::isinf(age) ? 0 : recency_part(p, age);
		/*
		 * Ranked by its best-scoring copy, shown by its best one;
		 * sorted by date, by the copy whose date placed it.
		 */
		bool by_date = p.sort == NI_SORT_DATE ||
			       p.sort == NI_SORT_DATE_ASC;
		Xapian::doccount similar = 0;
		Xapian::Document shown = p.collapse
			? best_copy(d, query, doc, hit.story, by_date, similar)
			: doc;
		out.hits.push_back({did, score,
				    score - quality_part - recency,
				    shown.get_docid() == did
					    ? quality : quality_of(d, shown),
				    quality_part, recency,
				    similar, shown.get_data(), heat_of(shown),
				    0});
	}
}

/* Facet counts, most frequent first, then by value. */
void sort_counts(std::vector<std::pair<std::string, uint64_t>> &counts)
{
	std::sort(counts.begin(), counts.end(),
		  [](const auto &a, const auto &b) {
			  return a.second != b.second ? a.second > b.second
						      : a.first < b.first;
		  });
}

/*
 * Turn a spy's counts of slot values into facet counts: topics are split
 * (an article counts once for each of its topics), days are summed by
 * month.  Xapian's built-in ValueCountMatchSpy does the counting, so
 * facets also work on remote shards.
 */
void take_facet(enum ni_facet facet, const Xapian::ValueCountMatchSpy &spy,
		ni_mset &out)
{
	std::map<std::string, uint64_t> sums;
	for (auto v = spy.values_begin(); v != spy.values_end(); ++v) {
		const std::string value = *v;
		uint64_t count = v.get_termfreq();
		if (facet == NI_FACET_MONTH) {
			sums[value.substr(0, 7)] += count;
		} else if (facet == NI_FACET_TOPIC) {
			size_t from = 0, end;
			while ((end = value.find(NI_TOPIC_SEPARATOR, from)) !=
			       std::string::npos) {
				if (end > from)
					sums[value.substr(from, end - from)] +=
						count;
				from = end + 1;
			}
		} else if (!value.empty()) {
			sums[value] += count;
		}
	}
	auto &counts = out.facet_values[facet];
	counts.assign(sums.begin(), sums.end());
	sort_counts(counts);
	out.facets[facet].clear();
	for (const auto &c : counts)
		out.facets[facet].push_back({c.first.c_str(), c.second});
}

/*
 * The order of a page of results.  A count (no page) has none: Xapian
 * 1.4.22 fails a sort by value over a term it weighs zero once a document
 * of that term's posting list was deleted ("Unexpected end of posting
 * list"), and counting weighs every term zero.  A page always has a
 * weight: the query's, or the quality blend's.
 */
void set_order(Xapian::Enquire &enquire, const ni_search_params &p)
{
	if (p.limit == 0)
		return;
	if (p.sample > 0) {
		enquire.set_docid_order(Xapian::Enquire::ASCENDING);
		return;
	}
	if (p.sort == NI_SORT_DATE) {
		enquire.set_sort_by_value_then_relevance(NI_SLOT_DATE, true);
	} else if (p.sort == NI_SORT_DATE_ASC) {
		/*
		 * Undated articles have no value, which sorts first; they
		 * go last, as newest first leaves them, after any date's
		 * sortable_serialise().
		 */
		auto *keys = new Xapian::MultiValueKeyMaker();
		keys->add_value(NI_SLOT_DATE, false, "\xff\xff");
		enquire.set_sort_by_key_then_relevance(keys->release(), false);
	} else if (p.sort == NI_SORT_QUALITY) {
		enquire.set_sort_by_value_then_relevance(NI_SLOT_QUALITY,
							 true);
	} else if (p.sort == NI_SORT_HEAT) {
		/*
		 * Hottest first.  Unknown heat (-1, or none) sorts below
		 * every known one, so it comes after them, as undated
		 * articles come after dated ones: not as cold, as unknown.
		 */
		enquire.set_sort_by_value_then_relevance(NI_SLOT_HEAT, true);
	} else {
		enquire.set_sort_by_relevance_then_value(NI_SLOT_ORDER, false);
	}
}

/*
 * Every match of a query with its relevance: Xapian calls a spy for
 * each match it sees, and asked to see them all it prunes none.
 */
class Matches : public Xapian::MatchSpy {
public:
	struct match {
		Xapian::docid did;
		double relevance;
		double score;        /* with the blend, once known */
	};
	std::vector<match> seen;

	void operator()(const Xapian::Document &doc, double wt) override
	{
		seen.push_back({doc.get_docid(), wt, wt});
	}
};

/* Every match a walk sees, with its weight, in document id order. */
class Scored : public Xapian::MatchSpy {
public:
	std::vector<std::pair<Xapian::docid, double>> seen;

	void operator()(const Xapian::Document &doc, double wt) override
	{
		seen.emplace_back(doc.get_docid(), wt);
	}
};

/*
 * A scored walk's matches again, each with the weight Xapian gave it
 * (ni_db::scored_walk): in an OP_AND_MAYBE, in place of the query it
 * walked, the sum Xapian makes of the two sides is the same, bit for
 * bit, without walking and scoring that query's words again.  The walk
 * is borrowed: it must outlive the search.
 */
class ReplaySource : public Xapian::PostingSource {
public:
	explicit ReplaySource(const ni_db::scored &walk) : walk_(walk)
	{
		set_maxweight(walk.max);
	}

	void init(const Xapian::Database &) override
	{
		at_ = 0;
		started_ = false;
		set_maxweight(walk_.max);
	}
	Xapian::doccount get_termfreq_min() const override { return size(); }
	Xapian::doccount get_termfreq_est() const override { return size(); }
	Xapian::doccount get_termfreq_max() const override { return size(); }
	void next(double) override
	{
		if (started_)
			at_++;
		started_ = true;
	}
	void skip_to(Xapian::docid did, double) override
	{
		started_ = true;
		auto &m = walk_.matches;
		if (at_ < m.size() && m[at_].first < did)
			at_ = static_cast<size_t>(
				std::lower_bound(
					m.begin() + static_cast<long>(at_),
					m.end(), did,
					[](const std::pair<Xapian::docid,
							   double> &x,
					   Xapian::docid id) {
						return x.first < id;
					}) - m.begin());
	}
	bool at_end() const override
	{
		return started_ && at_ >= walk_.matches.size();
	}
	Xapian::docid get_docid() const override
	{
		return walk_.matches[at_].first;
	}
	double get_weight() const override
	{
		return walk_.matches[at_].second;
	}
	Xapian::PostingSource *clone() const override
	{
		return new ReplaySource(walk_);
	}

private:
	Xapian::doccount size() const
	{
		return static_cast<Xapian::doccount>(walk_.matches.size());
	}
	const ni_db::scored &walk_;
	size_t at_ = 0;
	bool started_ = false;
};

/*
 * The scored walk `d` keeps of the first part of `query`, an
 * OP_AND_MAYBE, by BM25(k1, b) at the revision read; or NULL.
 */
const ni_db::scored *replay_of(const ni_db &d, const Xapian::Query &query,
			       double k1, double b)
{
	const ni_db::scored &w = d.scored_walk;
	if (query.get_type() != Xapian::Query::OP_AND_MAYBE ||
	    w.query.empty() || w.k1 != k1 || w.b != b ||
	    w.revision != d.db.get_revision() ||
	    query.get_subquery(0).serialise() != w.query)
		return nullptr;
	return &w;
}

/* `query` with its first part replayed from `w` (ReplaySource). */
Xapian::Query replayed(const ni_db::scored &w, const Xapian::Query &query)
{
	std::vector<Xapian::Query> parts;
	parts.emplace_back((new ReplaySource(w))->release());
	for (size_t i = 1; i < query.get_num_subqueries(); i++)
		parts.push_back(query.get_subquery(i));
	return Xapian::Query(Xapian::Query::OP_AND_MAYBE, parts.begin(),
			     parts.end());
}

/*
 * Whether the value stream `v` (moved on to `did`; ids are asked in
 * ascending order) has a value for `did`: then *v is it.
 */
bool stream_has(Xapian::ValueIterator &v, const Xapian::ValueIterator &end,
		Xapian::docid did)
{
	return v != end && v.check(did) && v != end && v.get_docid() == did;
}

/*
 * Each match's score with the blend, as its AND_MAYBE adds it up:
 * relevance + scale * quality where the article has a quality (Xapian
 * multiplies a posting source's weight by its OP_SCALE_WEIGHT factor).
 * The qualities are read in document id order, the matches', from
 * their value stream, as the posting source reads them.
 */
void add_quality(ni_db &d, double scale, std::vector<Matches::match> &ms)
{
	Xapian::ValueIterator q = d.db.valuestream_begin(NI_SLOT_QUALITY);
	Xapian::ValueIterator end = d.db.valuestream_end(NI_SLOT_QUALITY);
	doc_table *table = table_of(d);
	for (Matches::match &m : ms) {
		m.score = m.relevance;
		/* The table's whole number is the value's, exactly. */
		unsigned char entry = table_entry(table, d, m.did);
		if (quality_known(entry)) {
			if (quality_bits(entry) != NI_DOC_QUALITY_NONE)
				m.score += scale * quality_bits(entry);
		} else if (stream_has(q, end, m.did)) {
			m.score += scale * Xapian::sortable_unserialise(*q);
		}
	}
}

/* The query whose matches `query` has, whatever their weights. */
Xapian::Query unscaled(const Xapian::Query &query)
{
	return query.get_type() == Xapian::Query::OP_SCALE_WEIGHT
		? unscaled(query.get_subquery(0)) : query;
}

/* Walks kept (ni_db::walks): a search's tiers and counts. */
const size_t WALKS_KEPT = 4;

/*
 * Keep `docids`, every match of `query` in id order, for the samples
 * and counts that follow (walk_of()): on a reader, which no one else
 * changes under it.
 */
void remember_walk(ni_db &d, const Xapian::Query &query,
		   std::vector<Xapian::docid> docids)
{
	if (d.writable || !one_local_index(d))
		return;
	std::string key = unscaled(query).serialise();
	for (auto it = d.walks.begin(); it != d.walks.end(); ++it)
		if (it->query == key) {
			d.walks.erase(it);
			break;
		}
	if (d.walks.size() >= WALKS_KEPT)
		d.walks.erase(d.walks.begin());
	d.walks.push_back({key, d.db.get_revision(), std::move(docids)});
}

/* Every match of `query` as a walk kept them, or NULL. */
const std::vector<Xapian::docid> *walk_of(ni_db &d,
					  const Xapian::Query &query)
{
	if (d.walks.empty() || !one_local_index(d))
		return nullptr;
	Xapian::rev revision = d.db.get_revision();
	std::string key = unscaled(query).serialise();
	for (const ni_db::walk &w : d.walks)
		if (w.query == key && w.revision == revision)
			return &w.docids;
	return nullptr;
}

/* Collects the document ids of a count's matches. */
class Docids : public Xapian::MatchSpy {
public:
	std::vector<Xapian::docid> seen;

	void operator()(const Xapian::Document &doc, double) override
	{
		seen.push_back(doc.get_docid());
	}
};

/*
 * A count of `query` (limit 0) from a walk of it: its articles, exact
 * however many, or with `p.collapse` its stories (a match without a
 * story key is one of its own).  With a current document table, the
 * stories are exact however many, when at most check_at_least matches
 * have a story that may have copies (their keys are read); without
 * one, as Xapian's count is, when it finds fewer stories than
 * check_at_least.  False (Xapian counts) without a walk, past those
 * limits, or with facets to count.
 */
bool count_of_walk(ni_db &d, const Xapian::Query &query,
		   const ni_search_params &p, ni_mset &out)
{
	const std::vector<Xapian::docid> *docids = walk_of(d, query);
	if (!docids || p.facets)
		return false;
	size_t n = docids->size();
	if (p.collapse) {
		Xapian::ValueIterator v = d.db.valuestream_begin(
			NI_SLOT_STORY);
		Xapian::ValueIterator end = d.db.valuestream_end(
			NI_SLOT_STORY);
		std::set<std::string> stories;
		doc_table *table = table_of(d);
		/* Without the table, a walk-only count would read every
		 * key of more matches than Xapian is asked to see. */
		if (!table && p.walk_only)
			return false;
		if (table)
			table->read_shared(d.db, *docids);
		size_t keys = 0;
		n = 0;
		for (Xapian::docid did : *docids) {
			/* A match without a story key is a story, and so
			 * is one whose story has no copies (the table). */
			if (!shared_by_table(table, d, did)) {
				n++;
				continue;
			}
			/* With the table only these keys are read: at
			 * most check_at_least, however many matches. */
			if (table && ++keys > p.check_at_least)
				return false;
			if (!stream_has(v, end, did) ||
			    stories.insert(*v).second)
				n++;
		}
		/*
		 * Without it, stories past check_at_least are left to
		 * Xapian, which stops, or to a sample: counting them here
		 * would read every story key.
		 */
		if (!table && n >= p.check_at_least)
			return false;
	}
	out.estimated = out.lower_bound = out.upper_bound =
		static_cast<Xapian::doccount>(n);
	return true;
}

/*
 * A count of the stories of `query` (limit 0, with `p.collapse`) with
 * no walk to take it from, on an index with a document table: its
 * matches walked here, up to check_at_least (every one with
 * `p.walk_all`), and counted by count_of_walk(), which reads only the
 * keys of stories that may have copies, where Xapian's collapse reads
 * every match's.  The walk is kept for the samples that follow.  False
 * (Xapian counts) when there are as many matches as check_at_least:
 * Xapian's count stops there.
 */
bool walk_to_count(ni_db &d, const Xapian::Query &query,
		   const ni_search_params &p, ni_mset &out)
{
	if (!p.collapse || p.facets || !p.check_at_least ||
	    !one_local_index(d) || !table_of(d))
		return false;
	Xapian::Enquire enquire(d.db);
	enquire.set_query(query);
	Docids docids;
	enquire.add_matchspy(&docids);
	Xapian::doccount up_to = p.walk_all
		? std::max<Xapian::doccount>(d.db.get_doccount(), 1)
		: p.check_at_least;
	Xapian::MSet mset = enquire.get_mset(0, 0, up_to);
	if ((!p.walk_all && docids.seen.size() >= up_to) ||
	    mset.get_matches_lower_bound() != docids.seen.size() ||
	    mset.get_matches_upper_bound() != docids.seen.size())
		return false;
	remember_walk(d, query, std::move(docids.seen));
	return count_of_walk(d, query, p, out);
}

/*
 * The story sample of `query` (ni_search_params.sample) from the matches
 * a page has just walked, when it walked this query's (unscored: a
 * sample ranks by document id only when every weight is 0): the
 * matches whose id WindowSource would let through, one per story, the
 * first in document id order, as many as the page asks for.  That is
 * Xapian's sampled search, without its walk of the query's posting
 * lists.  Without such a walk, on an index with a document table, the
 * sample's matches are walked here, where Xapian's collapse would read
 * the story key of each: the table tells the stories without copies,
 * most of them.  False otherwise.
 */
bool sample_of_walk(ni_db &d, const Xapian::Query &query,
		    const ni_search_params &p, std::vector<ranked> &out)
{
	const std::vector<Xapian::docid> *docids = walk_of(d, query);
	if (!docids && !(p.collapse && one_local_index(d) && table_of(d)))
		return false;
	Xapian::Enquire enquire(d.db);
	enquire.set_query(query);
	if (enquire.get_mset(0, 0).get_max_possible() != 0)
		return false;
	Docids sample;
	if (!docids) {
		enquire.set_query(sampled(d, query, p.sample));
		enquire.add_matchspy(&sample);
		enquire.get_mset(0, 0, std::max<Xapian::doccount>(
					       d.db.get_doccount(), 1));
		docids = &sample.seen;
	}
	Windows windows(d.db.get_lastdocid(), p.sample);
	Xapian::ValueIterator v = d.db.valuestream_begin(NI_SLOT_STORY);
	Xapian::ValueIterator end = d.db.valuestream_end(NI_SLOT_STORY);
	std::set<std::string> shown;
	size_t skipped = 0;
	doc_table *table = table_of(d);
	for (Xapian::docid did : *docids) {
		if (out.size() >= p.limit)
			break;
		if (!windows.has(did))
			continue;
		/* A story without copies ("" here) is one of its own. */
		std::string story;
		if (p.collapse && shared_by_table(table, d, did) &&
		    stream_has(v, end, did))
			story = *v;
		if (!story.empty() && !shown.insert(story).second)
			continue;
		if (skipped < p.offset)
			skipped++;
		else
			out.push_back({d.db.get_document(
					       did, Xapian::DOC_ASSUME_VALID),
				       0, story});
	}
	return true;
}

/*
 * Whether `query` has a phrase or NEAR, whose count Xapian may stop
 * with an estimate near its lower bound (positional_estimate()).
 */
bool positional(const Xapian::Query &query)
{
	if (query.get_type() == Xapian::Query::OP_PHRASE ||
	    query.get_type() == Xapian::Query::OP_NEAR)
		return true;
	for (size_t i = 0; i < query.get_num_subqueries(); i++)
		if (positional(query.get_subquery(i)))
			return true;
	return false;
}

/* Candidates whose positions a positional estimate checks, about. */
const double POSITIONAL_SAMPLE = 2000;

/*
 * The matches of positional `query` (a phrase, NEAR), whose count Xapian
 * stopped between `lower` and `upper`.  Xapian's estimate is then its
 * lower bound or near it: "1000" for `"oil prices"`, which 5,168 of
 * 200,000 articles have, as the matcher cannot tell how many of the
 * candidates it did not check have the words in place.  Here they are
 * counted in Windows holding about POSITIONAL_SAMPLE candidates (upper
 * is the candidates' count bound) and scaled by the ids the windows
 * hold; with no more candidates than that, all are counted.  Within
 * Xapian's bounds, and `exact` when every candidate was checked.
 */
Xapian::doccount positional_estimate(ni_db &d, const Xapian::Query &query,
				     Xapian::doccount lower,
				     Xapian::doccount upper, bool &exact)
{
	double share = POSITIONAL_SAMPLE / upper;
	exact = share >= 1;
	Xapian::Enquire enquire(d.db);
	enquire.set_weighting_scheme(Xapian::BoolWeight());
	enquire.set_query(exact ? query : Xapian::Query(
		Xapian::Query::OP_FILTER, query,
		Xapian::Query((new WindowSource(share))->release())));
	double seen = enquire.get_mset(0, 0, upper).get_matches_estimated();
	if (exact)
		return static_cast<Xapian::doccount>(seen);
	Windows windows(d.db.get_lastdocid(), share);
	double scaled = std::round(seen * windows.period / windows.width);
	return static_cast<Xapian::doccount>(std::clamp<double>(
		scaled, lower, upper));
}

/*
 * The order of a page by relevance (set_order()): score, then tie order
 * (NI_SLOT_ORDER), then document id.  A tie order is a value read, so
 * it is read only for matches of equal score, once each.
 */
class PageOrder {
public:
	explicit PageOrder(ni_db &d) : d_(d) {}

	/* Whether match `a` of score `sa` comes before `b` of `sb`. */
	bool before(Xapian::docid a, double sa, Xapian::docid b, double sb)
	{
		if (sa != sb)
			return sa > sb;
		if (a == b)
			return false;
		const std::string &ka = tie_order(a);
		const std::string &kb = tie_order(b);
		if (ka != kb)
			return ka < kb;
		return a < b;
	}

private:
	const std::string &tie_order(Xapian::docid did)
	{
		auto it = tie_orders_.find(did);
		if (it == tie_orders_.end())
			it = tie_orders_.emplace(did, d_.db.get_document(
				did, Xapian::DOC_ASSUME_VALID).get_value(
				NI_SLOT_ORDER)).first;
		return it->second;
	}

	ni_db &d_;
	std::map<Xapian::docid, std::string> tie_orders_;
};

/*
 * The page of `query` with the quality blend from one walk of its
 * matches, where the blended search needed two: one for the best
 * relevance that scales quality (quality_scale()), then one for the
 * page.  Xapian scores every match of a query in either (its bounds on
 * BM25 are too loose to skip any), so the one walk keeps each match's
 * relevance; quality is added (add_quality()) from the most relevant
 * match down, only while the next could still reach the page.  The
 * page is the first offset + limit stories in the order of
 * set_order(): score, then tie order, then document id; a story is
 * shown by its first match in that order, as Xapian's collapse keeps
 * it.  Only the best matches' story keys are read: twice the page, more
 * when copies collapse.  *scale is the quality scale used.  False, with
 * nothing in `page`, for a query that weighs nothing: Xapian's blended
 * search is as cheap then.
 */
bool one_walk_page(ni_db &d, const Xapian::Query &query,
		   const ni_search_params &p, const Xapian::Weight &weight,
		   double *scale, std::vector<ranked> &page, ni_mset &out)
{
	Xapian::Enquire enquire(d.db);
	enquire.set_weighting_scheme(weight);
	const ni_db::scored *replay = replay_of(d, query, p.bm25_k1,
					       p.bm25_b);
	enquire.set_query(replay ? replayed(*replay, query) : query);
	/*
	 * A query that weighs nothing (filters alone) costs Xapian one
	 * match to find its best relevance, 0: no walk to save.  A
	 * replayed one whose walk scored more than 0 weighs something:
	 * asking Xapian would open every feedback term's posting list.
	 */
	if (!(replay && replay->max > 0) &&
	    enquire.get_mset(0, 0).get_max_possible() <= 0)
		return false;
	Matches matches;
	enquire.add_matchspy(&matches);
	enquire.get_mset(0, 0, std::max<Xapian::doccount>(
				       d.db.get_doccount(), 1));
	std::vector<Matches::match> &seen = matches.seen;
	std::vector<Xapian::docid> docids;
	docids.reserve(seen.size());
	for (const Matches::match &m : seen)
		docids.push_back(m.did);
	remember_walk(d, query, std::move(docids));
	double best = 0;
	for (const Matches::match &m : seen)
		best = std::max(best, m.relevance);
	*scale = quality_scale(p, best);
	out.estimated = out.lower_bound = out.upper_bound =
		static_cast<Xapian::doccount>(seen.size());
	size_t want = static_cast<size_t>(p.offset) + p.limit;
	if (seen.empty() || want <= p.offset)
		return true;
	/* The most quality adds: the slot's upper bound (none adds 0). */
	double add_max = 0;
	std::string top = d.db.get_value_upper_bound(NI_SLOT_QUALITY);
	if (!top.empty())
		add_max = std::max(0.0, *scale *
				   Xapian::sortable_unserialise(top));
	std::map<Xapian::docid, std::string> stories;
	PageOrder order(d);
	auto before = [&](const Matches::match &a, const Matches::match &b) {
		return order.before(a.did, a.score, b.did, b.score);
	};
	/*
	 * Qualities are read from the most relevant match down, `read` of
	 * them, until no match left could reach the page: the best the
	 * next could score, its relevance plus the most quality adds,
	 * stays below the page's last score (a tie could win on the tie
	 * order).  Reading every match that might reach the best n
	 * relevances read three to five times as many: 364 qualities of
	 * `oil prices` at 200,000 articles, a block read and 9,000
	 * instructions each.
	 */
	auto more_relevant = [](const Matches::match &a,
				const Matches::match &b) {
		return a.relevance > b.relevance;
	};
	std::vector<Matches::match> near;
	size_t read = 0;
	/* A story without copies is shown alone: its key is not read. */
	doc_table *table = p.collapse ? table_of(d) : nullptr;
	size_t n = std::min(seen.size(), 2 * want + 16);
	for (;;) {
		/* seen[0, n) are the n most relevant; seen[read, n) new. */
		std::nth_element(seen.begin() + static_cast<long>(read),
				 seen.begin() + static_cast<long>(n - 1),
				 seen.end(), more_relevant);
		if (n < seen.size())
			std::nth_element(seen.begin() + static_cast<long>(n),
					 seen.begin() + static_cast<long>(n),
					 seen.end(), more_relevant);
		std::vector<Matches::match> batch(
			seen.begin() + static_cast<long>(read),
			seen.begin() + static_cast<long>(n));
		std::sort(batch.begin(), batch.end(),
			  [](const Matches::match &a, const Matches::match &b) {
				  return a.did < b.did;
			  });
		add_quality(d, *scale, batch);
		near.insert(near.end(), batch.begin(), batch.end());
		read = n;
		bool all = n == seen.size();
		double next_best = all ? -INFINITY
				       : seen[n].relevance + add_max;
		/*
		 * By score first; a run of equal scores is put in tie order
		 * only when the page reaches it.  A tie order is a value
		 * read, and sorting `near` whole read those of every tied
		 * match in it: 164 block reads of `oil prices` at 1,000,000
		 * articles.  The order is before()'s all the same.
		 */
		std::sort(near.begin(), near.end(),
			  [](const Matches::match &a, const Matches::match &b) {
				  return a.score > b.score;
			  });
		page.clear();
		std::set<std::string> shown;
		size_t skipped = 0;
		double last = INFINITY;
		auto tied_end = near.begin();
		for (auto m = near.begin(); m != near.end() && page.size() +
		     skipped < want; ++m) {
			if (m == tied_end) {
				double score = m->score;
				tied_end = std::find_if(
					m, near.end(),
					[score](const Matches::match &x) {
						return x.score != score;
					});
				if (tied_end - m > 1)
					std::sort(m, tied_end, before);
			}
			last = m->score;
			Xapian::Document doc = d.db.get_document(
				m->did, Xapian::DOC_ASSUME_VALID);
			std::string story;
			if (p.collapse) {
				auto it = stories.find(m->did);
				if (it == stories.end())
					it = stories.emplace(m->did,
						story_shared(table_entry(
							table, d, m->did))
						? doc.get_value(NI_SLOT_STORY)
						: std::string()).first;
				story = it->second;
				if (!story.empty() &&
				    !shown.insert(story).second)
					continue;
			}
			if (skipped < p.offset)
				skipped++;
			else
				page.push_back({doc, m->score, story});
		}
		if (all || (page.size() + skipped >= want && last > next_best))
			break;
		n = std::min(seen.size(), 2 * n);
	}
	if (p.collapse)
		out.lower_bound = static_cast<Xapian::doccount>(
			std::min<size_t>(out.lower_bound, page.size() +
					 p.offset));
	return true;
}

void run_search(ni_db &d, const Xapian::Query &query,
		const ni_search_params &p, ni_mset &out)
{
	Xapian::Enquire enquire(d.db);
	Xapian::BM25Weight weight = bm25(p.bm25_k1, p.bm25_b);
	double scale = 0;
	std::vector<ranked> page;
	if ((one_walk_fits(d, p) &&
	     one_walk_page(d, query, p, weight, &scale, page, out)) ||
	    (p.sample > 0 && p.limit > 0 && !p.facets &&
	     sample_of_walk(d, query, p, page))) {
		take_hits(d, query, page, p, scale, out);
		return;
	}
	bool counting = p.limit == 0 && p.sample <= 0;
	if (counting && (count_of_walk(d, query, p, out) ||
			 ((!p.walk_only || p.walk_all) &&
			  walk_to_count(d, query, p, out))))
		return;
	if (counting && p.walk_only) {
		out.estimated = out.lower_bound = 0;
		out.upper_bound = std::numeric_limits<Xapian::doccount>::max();
		return;
	}
	/* A count that sees every article keeps them for the next. */
	Docids docids;
	if (counting && !p.collapse && !d.writable && one_local_index(d))
		enquire.add_matchspy(&docids);
	enquire.set_weighting_scheme(weight);
	/* A count (no page) and a sample have no scores to blend. */
	scale = p.sample <= 0 && p.quality_weight > 0 && p.limit > 0
		? quality_scale(p, best_relevance(d, query, weight)) : 0;
	enquire.set_query(p.sample > 0 ? sampled(d, query, p.sample)
				       : blended_query(query, p, scale));
	if (p.collapse)
		enquire.set_collapse_key(NI_SLOT_STORY);
	set_order(enquire, p);
	std::unique_ptr<Xapian::ValueCountMatchSpy> spies[NI_FACET_COUNT];
	for (int f = 0; f < NI_FACET_COUNT; f++) {
		if (!(p.facets & (1u << f)))
			continue;
		/* The slot the field table says the facet counts. */
		Xapian::valueno slot = static_cast<Xapian::valueno>(
			ni_facet_spec(static_cast<ni_facet>(f))->facet_slot);
		spies[f].reset(new Xapian::ValueCountMatchSpy(slot));
		enquire.add_matchspy(spies[f].get());
	}
	Xapian::doccount check = std::max(p.check_at_least,
					  p.offset + p.limit);
	/* Facets count the whole match set, not only the page. */
	if (p.facets)
		check = std::max(check, d.db.get_doccount());
	/*
	 * Xapian makes a collapsed count exact only when the stories fit
	 * in the page it was asked for: a count of stories asks for a page
	 * of check_at_least, and keeps none of it.
	 */
	Xapian::doccount items = p.collapse && p.limit == 0
		? p.check_at_least : p.limit;
	Xapian::MSet mset = enquire.get_mset(p.offset, items, check);
	if (p.limit > 0)
		take_hits(d, query, ranked_of(mset), p, scale, out);
	for (int f = 0; f < NI_FACET_COUNT; f++)
		if (spies[f])
			take_facet(static_cast<ni_facet>(f), *spies[f], out);
	out.estimated = mset.get_matches_estimated();
	out.lower_bound = mset.get_matches_lower_bound();
	out.upper_bound = mset.get_matches_upper_bound();
	if (counting && !p.collapse && !p.facets &&
	    out.lower_bound < out.upper_bound && positional(query) &&
	    one_local_index(d)) {
		bool exact = false;
		out.estimated = positional_estimate(d, query, out.lower_bound,
						    out.upper_bound, exact);
		if (exact)
			out.lower_bound = out.upper_bound = out.estimated;
	}
	if (out.lower_bound == out.upper_bound &&
	    docids.seen.size() == out.lower_bound && !docids.seen.empty())
		remember_walk(d, query, std::move(docids.seen));
}

} // namespace

/* ---- searching ------------------------------------------------------------ */

ni_status ni_db_search(ni_db *d, const ni_query *query,
		       const struct ni_search_params *params,
		       ni_mset **out) noexcept
{
	*out = nullptr;
	ni_mset *mset = nullptr;
	try {
		mset = new ni_mset;
		retrying(*d, [&] {
			run_search(*d, query_of(query), *params, *mset);
		});
		*out = mset;
		return NI_OK;
	} catch (...) {
		delete mset;
		return map_exception(d->errmsg);
	}
}

namespace ni_xapian {

const ni_db::scored *scored_walk(ni_db &d, const Xapian::Query &query,
				 double k1, double b)
{
	if (d.writable || !one_local_index(d))
		return nullptr;
	Xapian::Enquire enquire(d.db);
	enquire.set_weighting_scheme(bm25(k1, b));
	enquire.set_query(query);
	Scored scored;
	enquire.add_matchspy(&scored);
	enquire.get_mset(0, 0, std::max<Xapian::doccount>(
				       d.db.get_doccount(), 1));
	ni_db::scored &w = d.scored_walk;
	w.query = query.serialise();
	w.revision = d.db.get_revision();
	w.k1 = k1;
	w.b = b;
	w.matches = std::move(scored.seen);
	w.max = 0;
	for (const auto &m : w.matches)
		w.max = std::max(w.max, m.second);
	return &w;
}

std::vector<std::pair<Xapian::docid, double>>
best_of_walk(ni_db &d, const ni_db::scored &walk, size_t n)
{
	std::vector<std::pair<Xapian::docid, double>> best = walk.matches;
	PageOrder order(d);
	n = std::min(n, best.size());
	std::partial_sort(best.begin(), best.begin() + static_cast<long>(n),
			  best.end(),
			  [&](const std::pair<Xapian::docid, double> &a,
			      const std::pair<Xapian::docid, double> &b) {
				  return order.before(a.first, a.second,
						      b.first, b.second);
			  });
	best.resize(n);
	return best;
}

} // namespace ni_xapian

void ni_db_forget_walks(ni_db *d) noexcept
{
	d->walks.clear();
	d->scored_walk = ni_db::scored();
}

size_t ni_mset_size(const ni_mset *mset) noexcept
{
	return mset->hits.size();
}

uint64_t ni_mset_estimated(const ni_mset *mset) noexcept
{
	return mset->estimated;
}

uint64_t ni_mset_lower_bound(const ni_mset *mset) noexcept
{
	return mset->lower_bound;
}

uint64_t ni_mset_upper_bound(const ni_mset *mset) noexcept
{
	return mset->upper_bound;
}

ni_status ni_mset_hit(const ni_mset *mset, size_t i,
		      struct ni_hit *out) noexcept
{
	if (i >= mset->hits.size()) {
		*out = ni_hit();
		return NI_EINVAL;
	}
	const stored_hit &hit = mset->hits[i];
	*out = {hit.docid, hit.score, hit.relevance, hit.quality,
		hit.quality_part, hit.recency_part,
		static_cast<uint32_t>(hit.n_similar), hit.data.data(),
		hit.data.size(), hit.heat, hit.sample_chance};
	return NI_OK;
}

void ni_mset_facet(const ni_mset *mset, enum ni_facet facet,
		   const struct ni_facet_count **counts, size_t *n) noexcept
{
	*counts = nullptr;
	*n = 0;
	if (static_cast<unsigned>(facet) >= NI_FACET_COUNT)
		return;
	*counts = mset->facets[facet].data();
	*n = mset->facets[facet].size();
}

void ni_mset_free(ni_mset *mset) noexcept
{
	delete mset;
}
