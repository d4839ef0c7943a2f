/*
 * cjk_eval: how each way of making words of Chinese and Japanese text
 * (enum ni_cjk_mode) does on a small judged set: for each mode, index
 * the articles with the library's real build, run every query with the
 * library's real search, and count the queries whose article is among
 * the all-words matches (found) and the all-words matches that are not
 * the query's article (wrong).  docs/architecture.md has the numbers.
 *
 *   cjk_eval ARTICLES QUERIES.tsv
 *
 * QUERIES.tsv: "query<TAB>name[,name...]", the names being article file
 * names without ".md"; lines starting with '#' are comments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_builder.h"
#include "ni_search.h"
#include "ni_xapian.h"

static const char *const MODES[] = {"dictionary", "bigrams", "both",
				    "both+hangul"};

/* Whether the file name of `path`, without ".md", is in `names`. */
static int wanted(const char *names, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strcspn(base, ".");
	for (const char *p = names; *p;) {
		size_t n = strcspn(p, ",");
		if (n == len && strncmp(p, base, len) == 0)
			return 1;
		p += n + (p[n] == ',');
	}
	return 0;
}

static int run_queries(ni_db *db, ni_analyzer *an, FILE *queries,
		       const char *mode)
{
	char line[1024];
	unsigned n = 0, found = 0, wrong = 0;
	rewind(queries);
	while (fgets(line, sizeof line, queries)) {
		line[strcspn(line, "\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (line[0] == '#' || !tab)
			continue;
		*tab = '\0';
		struct ni_search_options opts;
		ni_search_options_init(&opts);
		opts.limit = 50;
		opts.feedback = false;
		struct ni_results res = {0};
		struct ni_buf err = NI_BUF_INIT;
		if (ni_search(db, an, line, &opts, &res, &err) != NI_OK) {
			fprintf(stderr, "cjk_eval: %s: %s\n", line,
				ni_buf_str(&err));
			ni_buf_release(&err);
			return -1;
		}
		ni_buf_release(&err);
		int hit = 0;
		unsigned bad = 0;
		for (size_t i = 0; i < res.n_hits; i++) {
			if (!res.hits[i].all_words)
				continue;
			if (wanted(tab + 1, res.hits[i].doc.path))
				hit = 1;
			else
				bad++;
		}
		printf("%s\t%s\t%s\t%u\n", mode, line, hit ? "found" : "MISSED",
		       bad);
		n++;
		found += (unsigned)hit;
		wrong += bad;
		ni_results_clear(&res);
	}
	printf("%s: %u of %u queries found their article; %u wrong "
	       "articles\n", mode, found, n, wrong);
	return 0;
}

static int eval_mode(enum ni_cjk_mode mode, const char *articles,
		     FILE *queries)
{
	char dir[] = "/tmp/cjk_eval-XXXXXX";
	if (!mkdtemp(dir)) {
		perror("cjk_eval: mkdtemp");
		return -1;
	}
	char path[64];
	snprintf(path, sizeof path, "%s/db", dir);
	char settings[128];
	snprintf(settings, sizeof settings, "%s;cjk=%s",
		 ni_analyzer_settings(), MODES[mode]);
	ni_db *db = NULL;
	ni_analyzer *an = NULL;
	struct ni_buf detail = NI_BUF_INIT;
	int rc = -1;
	struct ni_buf err = NI_BUF_INIT;
	struct ni_build_counts counts;
	struct ni_build_options opts = {0};
	struct ni_build_callbacks callbacks = {0};
	if (ni_db_open(path, NI_DB_WRITE, settings, &db, &detail) != NI_OK ||
	    ni_analyzer_new(&an) != NI_OK) {
		fprintf(stderr, "cjk_eval: cannot open %s: %s\n", path,
			ni_buf_str(&detail));
		goto out;
	}
	ni_analyzer_set_cjk(an, mode);
	if (ni_build(db, an, &articles, 1, &opts, &callbacks, &counts, &err) !=
	    NI_OK) {
		fprintf(stderr, "cjk_eval: build: %s\n", ni_buf_str(&err));
		goto out;
	}
	rc = run_queries(db, an, queries, MODES[mode]);
out:
	ni_buf_release(&err);
	ni_buf_release(&detail);
	ni_analyzer_free(an);
	ni_db_close(db, NULL);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = -1;
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: cjk_eval ARTICLES QUERIES.tsv\n", stderr);
		return 2;
	}
	char *articles = realpath(argv[1], NULL);
	FILE *queries = fopen(argv[2], "r");
	if (!articles || !queries) {
		perror("cjk_eval");
		return 1;
	}
	int rc = 0;
	for (int m = NI_CJK_DICTIONARY; m <= NI_CJK_BOTH_HANGUL && !rc; m++)
		rc = eval_mode((enum ni_cjk_mode)m, articles, queries);
	fclose(queries);
	free(articles);
	return rc ? 1 : 0;
}
