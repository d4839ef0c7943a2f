/* What one search asks: see options.h. */
#include "options.h"

#include <stddef.h>
#include <string.h>

#include "ni_language.h"
#include "ni_cli.h"
#include "ni_fields.h"

const struct query_bounds QUERY_CLI_BOUNDS = {10000, 1000000000};

enum option_kind {
	KIND_LIMIT,      /* unsigned, 0..bounds->max_limit */
	KIND_OFFSET,     /* unsigned, 0..bounds->max_offset */
	KIND_REAL,       /* double, lo..hi */
	KIND_FLAG,       /* bool, set to `on` (a request: its value) */
	KIND_SORT,
	KIND_FACETS,
	KIND_LANGUAGE,
	KIND_LIKE,
};

struct option_def {
	const char *name;        /* on the command line, without -- */
	const char *param;       /* in a request; NULL: not there */
	enum option_kind kind;
	size_t offset;           /* of the value in struct query_options */
	unsigned given;          /* the bit it sets in o->given */
	double lo, hi;           /* KIND_REAL's range */
	bool on;                 /* KIND_FLAG: what the flag sets */
};

#define AT(field) offsetof(struct query_options, field)

static const struct option_def OPTIONS[] = {
	{"limit", "limit", KIND_LIMIT, AT(search.limit), QUERY_GIVEN_LIMIT,
	 0, 0, false},
	{"offset", "offset", KIND_OFFSET, AT(search.offset),
	 QUERY_GIVEN_OFFSET, 0, 0, false},
	{"sort", "sort", KIND_SORT, AT(search.sort), QUERY_GIVEN_SORT, 0, 0,
	 false},
	{"facets", "facets", KIND_FACETS, AT(search.facets),
	 QUERY_GIVEN_FACETS, 0, 0, false},
	{"quality-weight", "quality_weight", KIND_REAL,
	 AT(search.quality_weight), QUERY_GIVEN_QUALITY_WEIGHT, 0, 1000,
	 false},
	{"bm25-k1", "bm25_k1", KIND_REAL, AT(search.bm25_k1),
	 QUERY_GIVEN_BM25_K1, 0, 100, false},
	{"bm25-b", "bm25_b", KIND_REAL, AT(search.bm25_b),
	 QUERY_GIVEN_BM25_B, 0, 1, false},
	{"half-life", "half_life", KIND_REAL, AT(search.half_life_days),
	 QUERY_GIVEN_HALF_LIFE, 0.01, 36500, false},
	{"recent", "recent", KIND_FLAG, AT(search.recent), QUERY_GIVEN_RECENT,
	 0, 0, true},
	{"all", "all", KIND_FLAG, AT(search.all_copies), 0, 0, 0, true},
	{"explain", "explain", KIND_FLAG, AT(explain), 0, 0, 0, true},
	{"feedback", "feedback", KIND_FLAG, AT(search.feedback),
	 QUERY_GIVEN_FEEDBACK, 0, 0, true},
	{"no-feedback", NULL, KIND_FLAG, AT(search.feedback),
	 QUERY_GIVEN_FEEDBACK, 0, 0, false},
	{"strict-syntax", "strict", KIND_FLAG, AT(strict_syntax),
	 QUERY_GIVEN_STRICT_SYNTAX, 0, 0, true},
	{"no-strict-syntax", NULL, KIND_FLAG, AT(strict_syntax),
	 QUERY_GIVEN_STRICT_SYNTAX, 0, 0, false},
	{"lang", "lang", KIND_LANGUAGE, AT(language), QUERY_GIVEN_LANGUAGE,
	 0, 0, false},
	{"like", "like", KIND_LIKE, AT(like), 0, 0, 0, false},
};

#define N_OPTIONS (sizeof OPTIONS / sizeof OPTIONS[0])

void query_options_init(struct query_options *o)
{
	memset(o, 0, sizeof *o);
	ni_search_options_init(&o->search);
}

static const struct option_def *find(const char *name, bool http)
{
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const char *its = http ? OPTIONS[i].param : OPTIONS[i].name;
		if (its && !strcmp(its, name))
			return &OPTIONS[i];
	}
	return NULL;
}

bool query_option_known(const char *name, bool http)
{
	return find(name, http) != NULL;
}

/* A problem said; false, as the setters return. */
static bool refuse(struct ni_buf *problem, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool refuse(struct ni_buf *problem, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (ni_buf_vaddf(problem, fmt, ap) != NI_OK) {
		ni_buf_reset(problem);
		ni_buf_adds(problem, "out of memory");
	}
	va_end(ap);
	return false;
}

/* A request's truth value: "" is one too (`?all`). */
static bool truth(const char *value, bool *out)
{
	static const char *const yes[] = {"", "1", "true", "on", "yes"};
	static const char *const no[] = {"0", "false", "off", "no"};
	for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
		if (!strcmp(value, yes[i])) {
			*out = true;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
		if (!strcmp(value, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static bool set_sort(const char *text, enum ni_sort *out,
		     struct ni_buf *problem)
{
	/* In the order of enum ni_sort. */
	static const char *const names[] = {"relevance", "date", "quality",
					    "date-asc", "heat"};
	for (int i = 0; i < (int)(sizeof names / sizeof *names); i++) {
		if (!strcmp(text, names[i])) {
			*out = (enum ni_sort)i;
			return true;
		}
	}
	return refuse(problem, "'%s' is not relevance, date, date-asc, "
		      "quality or heat", text);
}

bool query_facets_named(const char *list, unsigned *out,
			struct ni_buf *problem)
{
	unsigned bits = 0;
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ", ");
		int f = ni_facet_named(p, len);
		if (len && f < 0) {
			char names[80];
			ni_facet_names(names, sizeof names);
			return refuse(problem, "'%.*s' is not a facet (%s)",
				      (int)len, p, names);
		}
		if (len)
			bits |= 1u << f;
		p += len;
		p += strspn(p, ", ");
	}
	*out = bits;
	return true;
}

static bool set_count(const char *text, unsigned long max, unsigned *out,
		      struct ni_buf *problem)
{
	unsigned long value;
	if (!ni_parse_unsigned(text, max, &value))
		return refuse(problem, "'%s' is not a whole number from 0 to "
			      "%lu", text, max);
	*out = (unsigned)value;
	return true;
}

static bool set_value(struct query_options *o, const struct option_def *d,
		      const char *value, bool http,
		      const struct query_bounds *bounds,
		      struct ni_buf *problem)
{
	void *at = (char *)o + d->offset;
	switch (d->kind) {
	case KIND_LIMIT:
		return set_count(value, bounds->max_limit, at, problem);
	case KIND_OFFSET:
		return set_count(value, bounds->max_offset, at, problem);
	case KIND_REAL:
		if (ni_parse_double(value, d->lo, d->hi, at))
			return true;
		return refuse(problem, "'%s' is not a number from %g to %g",
			      value, d->lo, d->hi);
	case KIND_FLAG:
		if (!http) {
			*(bool *)at = d->on;
			return true;
		}
		if (truth(value, at))
			return true;
		return refuse(problem, "'%s' is not true or false (1, 0, on, "
			      "off, yes, no)", value);
	case KIND_SORT:
		return set_sort(value, at, problem);
	case KIND_FACETS:
		return query_facets_named(value, at, problem);
	case KIND_LANGUAGE:
		*(const char **)at = ni_language_stemmer(value, strlen(value));
		if (*(const char **)at)
			return true;
		return refuse(problem, "'%s' is not a language code (en, de, "
			      "zh-Hans) or a stemmer's name (english)",
			      value);
	case KIND_LIKE:
		*(const char **)at = value;
		return true;
	}
	return false;
}

bool query_option_set(struct query_options *o, const char *name,
		      const char *value, bool http,
		      const struct query_bounds *bounds,
		      struct ni_buf *problem)
{
	const struct option_def *d = find(name, http);
	if (!d)
		return refuse(problem, "not an option");
	if (!value && (http || d->kind != KIND_FLAG))
		return refuse(problem, "needs a value");
	if (!set_value(o, d, value, http, bounds, problem))
		return false;
	o->given |= d->given;
	return true;
}

bool query_options_configure(struct query_options *o,
			     const struct ni_config *c,
			     struct ni_buf *problem)
{
	struct ni_search_options *s = &o->search;
	if (c->has_limit && !(o->given & QUERY_GIVEN_LIMIT))
		s->limit = c->limit;
	if (c->has_quality_weight && !(o->given & QUERY_GIVEN_QUALITY_WEIGHT))
		s->quality_weight = c->quality_weight;
	if (c->has_bm25_k1 && !(o->given & QUERY_GIVEN_BM25_K1))
		s->bm25_k1 = c->bm25_k1;
	if (c->has_bm25_b && !(o->given & QUERY_GIVEN_BM25_B))
		s->bm25_b = c->bm25_b;
	if (c->has_recent_half_life_days &&
	    !(o->given & QUERY_GIVEN_HALF_LIFE))
		s->half_life_days = c->recent_half_life_days;
	if (c->has_feedback && !(o->given & QUERY_GIVEN_FEEDBACK))
		s->feedback = c->feedback;
	if (c->has_strict_syntax && !(o->given & QUERY_GIVEN_STRICT_SYNTAX))
		o->strict_syntax = c->strict_syntax;
	if (c->language && !(o->given & QUERY_GIVEN_LANGUAGE))
		o->language = c->language;
	if (c->facets && !(o->given & QUERY_GIVEN_FACETS))
		return query_facets_named(c->facets, &s->facets, problem);
	return true;
}
