/*
 * fuzz_qparse.c - the query parser (ni_qparse.h) on any bytes.
 *
 * The input is a query, cut at its first NUL as a C string is.  Once, at
 * start-up, a tiny index of a few articles is built in a temporary folder
 * (under $TMPDIR, else /tmp; removed at exit), so that stems and prefix
 * expansion have words to find, and one prefix ("zq") has too many.
 *
 * ni_qparse() must either give queries Xapian can run on that index,
 * whose words lie within the query text, or an error inside the text
 * with a message (valid UTF-8 when the query is), and nothing else.  The
 * query's words then mark a snippet of the query text itself, with the
 * index's stems, which must keep ni_snippet.h's promises.
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "ni_analyzer.h"
#include "ni_dates.h"
#include "ni_document.h"
#include "ni_qparse.h"
#include "ni_snippet.h"
#include "ni_xapian.h"

#define ZQ_WORDS 201

static struct {
	char dir[PATH_MAX];
	ni_analyzer *analyzer;
	ni_db *db;
	int64_t now;
	struct ni_snippet snippet;
} world;

/*
 * Front matter of the articles, each after its webUrl line: words the
 * seed queries use, a stem with several forms, a CJK compound, every
 * filter's field.
 */
static const char *const ARTICLES[] = {
	"title: \"Export sanctions hit the chip makers' stock sale\"\n"
	"publishedDateTime: 2021-12-13T10:22:00Z\n"
	"excerpt: \"Regulators sanctioned two firms; the sanctioning "
	"continues.\"\n"
	"topics: [AI, Artificial Intelligence]\n"
	"provider: {name: The Wire, domain: wire.example}\n"
	"quality: 37\npublished: false\ncategory: news\ntype: article\n",

	"excerpt: \"Quantum computing, 人工智能 and e-commerce: recycling "
	"robots near Beijing.\"\n"
	"title: \"Embargo talks in Hong Kong\"\n"
	"type: video\ncategory: Business\npublished: true\nquality: 80\n"
	"topics: [Trade, Robotics]\n"
	"provider: {name: Der Spiegel, domain: spiegel.de}\n"
	"publishedDateTime: 2022-03-01T08:00:00+01:00\n",
};

static void remove_world(void)
{
	ni_snippet_clear(&world.snippet);
	ni_db_close(world.db, NULL);
	ni_analyzer_free(world.analyzer);
	ni_db_remove_folder(world.dir);
}

/* Write article `i` (or, past the list, the zq one) and index it. */
static void add_article(ni_indexer *ix, size_t i)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/%zu.txt", world.dir, i);
	FILE *f = fopen(path, "w");
	FUZZ_CHECK(f != NULL);
	fprintf(f, "---\nwebUrl: \"https://example.com/%zu\"\n", i);
	if (i < sizeof(ARTICLES) / sizeof(*ARTICLES)) {
		fputs(ARTICLES[i], f);
	} else {
		/* More words start with "zq" than a prefix may stand for. */
		fputs("title: Prefixes\nexcerpt: \"", f);
		for (int w = 0; w < ZQ_WORDS; w++)
			fprintf(f, "zq%03d ", w);
		fputs("\"\n", f);
	}
	fputs("---\n", f);
	FUZZ_CHECK(fclose(f) == 0);
	struct ni_index_result res;
	FUZZ_CHECK(ni_indexer_add_file(ix, path, NULL, &res) == NI_OK);
	FUZZ_CHECK(res.indexed && res.n_warnings == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *tmp = getenv("TMPDIR");
	snprintf(world.dir, sizeof(world.dir), "%s/ni-fuzz-qparse-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(world.dir) != NULL);
	atexit(remove_world);

	char path[PATH_MAX + 8];
	snprintf(path, sizeof(path), "%s/db", world.dir);
	ni_indexer *ix;
	FUZZ_CHECK(ni_analyzer_new(&world.analyzer) == NI_OK);
	FUZZ_CHECK(ni_db_open(path, NI_DB_WRITE, ni_analyzer_settings(),
			      &world.db, NULL) == NI_OK);
	FUZZ_CHECK(ni_indexer_new(world.db, world.analyzer, &ix) == NI_OK);
	for (size_t i = 0; i <= sizeof(ARTICLES) / sizeof(*ARTICLES); i++)
		add_article(ix, i);
	ni_indexer_free(ix);
	FUZZ_CHECK(ni_db_commit(world.db) == NI_OK);
	FUZZ_CHECK(ni_parse_iso8601("2022-03-10T00:00:00Z", &world.now));
	return 0;
}

static void run_query(const ni_query *query)
{
	struct ni_search_params params = {
		.limit = 10, .bm25_k1 = 1.2, .bm25_b = 0.75,
		.quality_weight = 1, .check_at_least = 10,
	};
	ni_mset *mset;
	char *description = ni_query_describe(query);
	FUZZ_CHECK(description != NULL);
	free(description);
	ni_status st = ni_db_search(world.db, query, &params, &mset);
	if (st != NI_OK) {
		fprintf(stderr, "search: %s: %s\n", ni_status_str(st),
			ni_db_errmsg(world.db));
		FUZZ_CHECK(!"a parsed query runs");
	}
	ni_mset_free(mset);
}

static void check_parsed(const struct ni_parsed_query *q, const char *text,
			 size_t len)
{
	FUZZ_CHECK(q->strict != NULL);
	FUZZ_CHECK(q->has_text || q->n_words == 0);
	FUZZ_CHECK(q->n_words == 0 || q->words != NULL);
	for (size_t i = 0; i < q->n_words; i++) {
		const struct ni_query_word *w = &q->words[i];
		FUZZ_CHECK(w->word != NULL && w->word[0] != '\0');
		FUZZ_CHECK(fuzz_valid_utf8(w->word, strlen(w->word)));
		FUZZ_CHECK(w->start < w->end && w->end <= len);
	}
	run_query(q->strict);
	if (q->relaxed)
		run_query(q->relaxed);
	/* From 1 column to a little more than most queries take. */
	unsigned columns = 1 + (unsigned)(len % 64);
	ni_status st = ni_snippet_make(world.db, world.analyzer, text, len,
				       q->words, q->n_words, columns,
				       &world.snippet);
	FUZZ_CHECK(st == NI_OK);
	fuzz_check_snippet(&world.snippet, columns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	FUZZ_CHECK(text != NULL);
	if (size)
		memcpy(text, data, size);
	text[size] = '\0';
	size_t len = strlen(text);

	struct ni_parsed_query q;
	struct ni_qparse_error err;
	memset(&q, 0x5a, sizeof(q));
	ni_status st = ni_qparse(world.db, world.analyzer, text, world.now,
				 &q, &err);
	if (st == NI_OK) {
		check_parsed(&q, text, len);
	} else {
		if (st != NI_EQUERY)
			fprintf(stderr, "qparse: %s: %s\n", ni_status_str(st),
				err.message);
		FUZZ_CHECK(st == NI_EQUERY);
		FUZZ_CHECK(!q.strict && !q.relaxed && !q.words &&
			   !q.n_words && !q.has_text);
		FUZZ_CHECK(err.offset <= len && err.length >= 1);
		FUZZ_CHECK(memchr(err.message, '\0', sizeof(err.message)));
		FUZZ_CHECK(err.message[0] != '\0');
		/* Quoting the query must not cut a character in two. */
		if (fuzz_valid_utf8(text, len))
			FUZZ_CHECK(fuzz_valid_utf8(err.message,
						   strlen(err.message)));
	}
	ni_parsed_query_clear(&q);
	free(text);
	return 0;
}
