/* ni_fields: see include/ni_fields.h. */
#include "ni_fields.h"

#include <stdio.h>
#include <string.h>

#include "../base/ascii.h"
#include "ni_language.h"

/* published: takes true or false, in any case. */
static const char *read_flag(const char *value, size_t len, char *why,
			     size_t size)
{
	if (equals_word_ci(value, len, "true"))
		return "true";
	if (equals_word_ci(value, len, "false"))
		return "false";
	snprintf(why, size, "takes true or false");
	return NULL;
}

/* `n` bytes of `s` to quote, at most 32, cut on a UTF-8 boundary. */
static int quoted(const char *s, size_t n)
{
	if (n <= 32)
		return (int)n;
	n = 32;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

/*
 * lang: the language as the index keeps it, which is the stemmer of the
 * article's words (XSTEM), from its `lang` (ni_language_stemmer()),
 * else the index's default.  What a stemmer cannot tell is said, never
 * guessed: a language without one has "none", as Chinese, Japanese,
 * Korean, Thai... have, so lang:ja is refused rather than answered with
 * Chinese articles (lang:none finds them all); a region or script is
 * not kept, so lang:fr-CA finds the French articles of any region,
 * with a note; nor which written Norwegian an article is in (nb, nn:
 * one stemmer, lang:no), with a note too.
 */
static const char *read_language(const char *value, size_t len, char *why,
				 size_t size)
{
	static const char *const NORWEGIAN_FORMS[] = {
		"nb", "nn", "nob", "nno"};
	const char *stemmer = ni_language_stemmer(value, len);
	int q = quoted(value, len);
	if (!stemmer) {
		snprintf(why, size, "'%.*s' is not a language (lang:en, "
			 "lang:french, lang:none)", q, value);
		return NULL;
	}
	if (!strcmp(stemmer, "none") && !equals_word_ci(value, len, "none")) {
		snprintf(why, size, "'%.*s' has no stemmer, and the index "
			 "keeps only each article's stemmer: it cannot tell "
			 "such languages apart (lang:none finds them all)",
			 q, value);
		return NULL;
	}
	size_t primary = 0;
	while (primary < len && value[primary] != '-' &&
	       value[primary] != '_')
		primary++;
	if (primary < len) {
		snprintf(why, size, "'%.*s' is searched as %s: the index "
			 "keeps an article's language, not its region or "
			 "script", q, value, stemmer);
		return stemmer;
	}
	for (size_t i = 0; i < sizeof NORWEGIAN_FORMS /
				sizeof *NORWEGIAN_FORMS; i++)
		if (equals_word_ci(value, len, NORWEGIAN_FORMS[i]))
			snprintf(why, size, "'%.*s' is searched as %s: its "
				 "written forms share one stemmer", q, value,
				 stemmer);
	return stemmer;
}

/* What a row without a facet, slot or other filter says. */
#define NONE -1

/* A boolean term the index keeps for itself, exact, never typed. */
#define OWN_TERM(prefix_, filter_, source_) { \
	.kind = NI_KIND_TERM, .text = NONE, .filter = (filter_), \
	.also = NONE, .slot = NONE, .facet = NONE, .facet_slot = NONE, \
	.prefix = (prefix_), .source = (source_), \
}

static const struct ni_field_spec FIELDS[] = {
	/* The words of every text field, searched unqualified. */
	{
		.kind = NI_KIND_TEXT, .text = NI_FIELD_ANY,
		.filter = NONE, .also = NONE, .slot = NONE,
		.facet = NONE, .facet_slot = NONE,
		.prefix = "", .stem_prefix = "Z",
		.source = "every word of title, excerpt and topics",
		.stems = "the stem of every word above, in the document's "
			 "language",
	},
	/* The fields typed in queries. */
	{
		.name = "title", .kind = NI_KIND_TEXT, .text = NI_FIELD_TITLE,
		.filter = NONE, .also = NONE, .slot = NONE,
		.facet = NONE, .facet_slot = NONE,
		.prefix = "S", .stem_prefix = "ZS",
		.help = "words of the title",
		.source = "title words",
		.stems = "title word stems",
	},
	{
		.name = "topic", .kind = NI_KIND_TERM,
		.text = NONE, .filter = NI_FILTER_TOPIC, .also = NONE,
		.slot = NONE, .prefix = "K", .folded = true,
		.facet = NI_FACET_TOPIC, .facet_name = "topic",
		.facet_slot = NI_SLOT_TOPICS,
		.help = "one of the article's topics, whole",
		.values = "`topic:ai`, `topic:\"Artificial Intelligence\"`",
		.source = "a whole topic name (`ai`, `artificial "
			  "intelligence`)",
	},
	{
		.name = "provider", .kind = NI_KIND_TERM,
		.text = NONE, .filter = NI_FILTER_PROVIDER,
		.also = NI_FILTER_SITE, .slot = NONE, .prefix = "XP",
		.folded = true,
		.facet = NI_FACET_PROVIDER, .facet_name = "provider",
		.facet_slot = NI_SLOT_PROVIDER,
		.help = "the provider's name *or* its site",
		.values = "`provider:reuters`, `provider:reuters.com`, "
			  "`provider:\"Der Spiegel\"`",
		.source = "provider name",
	},
	{
		.name = "site", .kind = NI_KIND_TERM,
		.text = NONE, .filter = NI_FILTER_SITE, .also = NONE,
		.slot = NONE, .prefix = "H", .folded = true,
		.facet = NONE, .facet_slot = NONE,
		.help = "the provider's domain, or a domain it is in",
		.values = "`site:spiegel.de`, `site:nikkei.com` (finds "
			  "`asia.nikkei.com`)",
		.source = "provider domain, and each parent domain with a "
			  "dot left (`asia.nikkei.com`, `nikkei.com`)",
	},
	{
		.name = "category", .kind = NI_KIND_TERM,
		.text = NONE, .filter = NI_FILTER_CATEGORY, .also = NONE,
		.slot = NONE, .prefix = "XCAT", .folded = true,
		.facet = NONE, .facet_slot = NONE,
		.help = "the category",
		.values = "`category:business`",
		.source = "category",
	},
	{
		.name = "type", .kind = NI_KIND_TERM,
		.text = NONE, .filter = NI_FILTER_TYPE, .also = NONE,
		.slot = NONE, .prefix = "XTYPE", .folded = true,
		.facet = NONE, .facet_slot = NONE,
		.help = "the type",
		.values = "`type:video`",
		.source = "type",
	},
	{
		.name = "url", .kind = NI_KIND_TERM,
		.text = NONE, .filter = NI_FILTER_URL, .also = NONE,
		.slot = NONE, .prefix = "U",
		.facet = NONE, .facet_slot = NONE,
		.help = "the article's `webUrl` or `originalUrl`",
		.values = "`url:https://example.com/a`",
		.source = "`webUrl` and `originalUrl`",
	},
	{
		.name = "date", .kind = NI_KIND_DATE,
		.text = NONE, .filter = NONE, .also = NONE,
		.slot = NI_SLOT_DATE,
		.facet = NI_FACET_MONTH, .facet_name = "month",
		.facet_slot = NI_SLOT_DAY,
		.usage = "date:2021-12  date:2021-12-01..2021-12-31  "
			 "date:7d..  date:today",
		.help = "the publication date",
		.values = "see below",
	},
	{
		.name = "quality", .kind = NI_KIND_SCORE,
		.text = NONE, .filter = NONE, .also = NONE,
		.slot = NI_SLOT_QUALITY,
		.facet = NONE, .facet_slot = NONE,
		.usage = "quality:>=40  quality:20..60",
		.help = "the editorial quality",
		.values = "see below",
	},
	{
		.name = "heat", .kind = NI_KIND_AMOUNT,
		.text = NONE, .filter = NONE, .also = NONE,
		.slot = NI_SLOT_HEAT,
		.facet = NONE, .facet_slot = NONE,
		.usage = "heat:>=10",
		.help = "the popularity score (`heat`); unknown heat (-1) "
			"matches no range",
		.values = "see below",
	},
	{
		.name = "published", .kind = NI_KIND_TERM,
		.text = NONE, .filter = NI_FILTER_PUBLISHED, .also = NONE,
		.slot = NONE, .prefix = "XPUB", .read = read_flag,
		.facet = NONE, .facet_slot = NONE,
		.usage = "published:true",
		.help = "the `published` flag",
		.values = "`true` or `false`, in any case",
		.source = "`true` or `false`",
	},
	{
		.name = "lang", .alias = "language", .kind = NI_KIND_TERM,
		.text = NONE, .filter = NI_FILTER_STEMMER, .also = NONE,
		.slot = NONE, .prefix = "XSTEM", .read = read_language,
		.facet = NONE, .facet_slot = NONE,
		.usage = "lang:fr",
		.help = "the language the article was indexed in (its "
			"stemmer): its `lang`, else the index's default",
		.values = "a code or a name, in any case: `lang:fr`, "
			  "`lang:French`; `lang:none`, the languages without "
			  "a stemmer (see below)",
		.source = "the stemmer of the document's `Z` terms: "
			  "`english`, `german`, ... or `none`",
	},
	/* The index's own terms, never typed. */
	OWN_TERM("P", NI_FILTER_PATH, "absolute path of the article's file"),
	OWN_TERM("Q", NI_FILTER_KEY, "the unique key: `webUrl`, else "
		 "`originalUrl`, else the path"),
	OWN_TERM("XSTORY", NI_FILTER_STORY, "the story key's hash, as in "
		 "value slot 6 (below): the copies of a story"),
	OWN_TERM("XPARENT", NI_FILTER_PARENT, "on a related record: its "
		 "parent article's key"),
	OWN_TERM("XREL", NI_FILTER_RELATED, "on every related record (no "
		 "value)"),
	OWN_TERM("XLISTS", NI_FILTER_LISTS, "on an article: the key of each "
		 "related record it lists, kept or not"),
};

#define N_FIELDS (sizeof FIELDS / sizeof *FIELDS)

_Static_assert(N_FIELDS <= NI_FIELD_SPECS_MAX,
	       "NI_FIELD_SPECS_MAX is too small for the table");

const struct ni_field_spec *ni_field_specs(size_t *n)
{
	*n = N_FIELDS;
	return FIELDS;
}

const struct ni_field_spec *ni_field_named(const char *name, size_t len)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct ni_field_spec *f = &FIELDS[i];
		if ((f->name && equals_word_ci(name, len, f->name)) ||
		    (f->alias && equals_word_ci(name, len, f->alias)))
			return f;
	}
	return NULL;
}

/* The row of the filter (NI_KIND_TERM) or text field (NI_KIND_TEXT)
 * numbered `which`. */
static const struct ni_field_spec *row_of(enum ni_field_kind kind,
					  int which)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		const struct ni_field_spec *f = &FIELDS[i];
		if (f->kind == kind &&
		    (kind == NI_KIND_TEXT ? f->text : f->filter) == which)
			return f;
	}
	return NULL;
}

const struct ni_field_spec *ni_filter_spec(enum ni_filter filter)
{
	return row_of(NI_KIND_TERM, (int)filter);
}

const struct ni_field_spec *ni_text_spec(enum ni_field field)
{
	return row_of(NI_KIND_TEXT, (int)field);
}

const struct ni_field_spec *ni_facet_spec(enum ni_facet facet)
{
	for (size_t i = 0; i < N_FIELDS; i++)
		if (FIELDS[i].facet_name && FIELDS[i].facet == (int)facet)
			return &FIELDS[i];
	return NULL;
}

int ni_facet_named(const char *name, size_t len)
{
	for (size_t i = 0; i < N_FIELDS; i++) {
		const char *facet = FIELDS[i].facet_name;
		if (facet && strlen(facet) == len && !memcmp(name, facet, len))
			return FIELDS[i].facet;
	}
	return -1;
}

size_t ni_field_index(const struct ni_field_spec *spec)
{
	return (size_t)(spec - FIELDS);
}

/* Append `text` to the list in `out` (`*used` of `size` bytes so far). */
static void list_add(char *out, size_t size, size_t *used, const char *text)
{
	int n = snprintf(out + *used, size - *used, "%s%s",
			 *used ? ", " : "", text);
	if (n > 0)
		*used += (size_t)n < size - *used ? (size_t)n
						  : size - *used - 1;
}

void ni_field_names(char *out, size_t size)
{
	size_t used = 0;
	if (size)
		out[0] = '\0';
	for (size_t i = 0; size && i < N_FIELDS; i++)
		if (FIELDS[i].name)
			list_add(out, size, &used, FIELDS[i].name);
}

void ni_facet_names(char *out, size_t size)
{
	size_t used = 0;
	if (size)
		out[0] = '\0';
	for (int f = 0; size && f < NI_FACET_COUNT; f++)
		list_add(out, size, &used,
			 ni_facet_spec((enum ni_facet)f)->facet_name);
}

ni_status ni_field_usage(struct ni_buf *out, const char *indent,
			 size_t width)
{
	ni_status status = NI_OK;
	size_t column = 0;          /* 0: a line is to be started */
	bool after_bare = false;    /* the last one was a bare NAME: */
	char bare[32];
	for (size_t i = 0; status == NI_OK && i < N_FIELDS; i++) {
		const struct ni_field_spec *f = &FIELDS[i];
		if (!f->name)
			continue;
		const char *text = f->usage;
		if (!text) {
			snprintf(bare, sizeof bare, "%s:", f->name);
			text = bare;
		}
		const char *gap = after_bare && !f->usage ? " " : "  ";
		if (column &&
		    column + strlen(gap) + strlen(text) >= width) {
			status = ni_buf_addch(out, '\n');
			column = 0;
		}
		const char *lead = column ? gap : indent;
		if (status == NI_OK)
			status = ni_buf_addf(out, "%s%s", lead, text);
		column += strlen(lead) + strlen(text);
		after_bare = !f->usage;
	}
	if (status == NI_OK && column)
		status = ni_buf_addch(out, '\n');
	return status;
}
