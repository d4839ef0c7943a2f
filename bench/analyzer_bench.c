/*
 * analyzer_bench: the analyzer alone, in MB/s of article text, beside
 * ICU's plain word break iteration (the floor: what any ICU tokenizer
 * pays), so the cost of what the analyzer adds shows (folding, accents,
 * compounds, CJK bigrams, byte offsets).  docs/benchmarks.md has the
 * numbers.
 *
 *   analyzer_bench [-r RUNS] [-x TIMES] [-d FILE] DIR...
 *
 * Reads every article file under the DIRs, keeps the title and excerpt
 * of those that parse (what a build analyzes), and times, best of RUNS
 * (default 5), each pass over the texts TIMES times (default 1; a
 * small set needs more to be measured):
 *   icu-break   UTF-8 to UTF-16, ubrk_setText, every boundary and its
 *               rule status (words counted)
 *   dictionary  ni_analyzer_run, CJK as dictionary words only
 *   analyzer    ni_analyzer_run as built and searched (the default)
 * -d FILE writes every token the analyzer emits for the texts (one line
 * each: text number, index, start, end, also, parts, word) to FILE and
 * times nothing: diffing two dumps shows that a change to the analyzer
 * left its tokens alone.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unicode/ubrk.h>
#include <unicode/ustring.h>

#include "ni_analyzer.h"
#include "ni_article.h"

#define USAGE "usage: analyzer_bench [-r RUNS] [-x TIMES] [-d FILE] " \
	      "DIR...\n"

static char **texts;
static size_t n_texts, cap_texts, total_bytes, n_files;

static int keep(const char *s)
{
	if (!s || !*s)
		return 0;
	if (n_texts == cap_texts) {
		cap_texts = cap_texts ? 2 * cap_texts : 1024;
		char **t = realloc(texts, cap_texts * sizeof *t);
		if (!t)
			return -1;
		texts = t;
	}
	if (!(texts[n_texts] = strdup(s)))
		return -1;
	total_bytes += strlen(s);
	n_texts++;
	return 0;
}

static int read_article(const char *path, const struct stat *st, int type,
			struct FTW *ftw)
{
	(void)ftw;
	if (type != FTW_F || st->st_size <= 0)
		return 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t size = (size_t)st->st_size;
	char *data = malloc(size + 1);
	size_t got = data ? fread(data, 1, size, f) : 0;
	fclose(f);
	struct ni_article a = {0};
	int rc = 0;
	if (data && ni_article_parse(data, got, &a, NULL) == NI_OK) {
		n_files++;
		rc = keep(a.title) < 0 || keep(a.excerpt) < 0 ? -1 : 0;
	}
	ni_article_clear(&a);
	free(data);
	return rc;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t words;

static int count_word(void *ctx, const struct ni_token *t)
{
	(void)ctx;
	words += !t->also;
	return 0;
}

/* One pass of ICU's plain word breaking over every text. */
static int icu_pass(UBreakIterator *bi, UChar **buf, int32_t *cap)
{
	for (size_t i = 0; i < n_texts; i++) {
		int32_t len = (int32_t)strlen(texts[i]);
		if (len > *cap) {
			UChar *b = realloc(*buf, (size_t)len * sizeof **buf);
			if (!b)
				return -1;
			*buf = b;
			*cap = len;
		}
		int32_t n16 = 0;
		UErrorCode err = U_ZERO_ERROR;
		u_strFromUTF8WithSub(*buf, *cap, &n16, texts[i], len, 0xFFFD,
				     NULL, &err);
		ubrk_setText(bi, *buf, n16, &err);
		if (U_FAILURE(err))
			return -1;
		ubrk_first(bi);
		while (ubrk_next(bi) != UBRK_DONE)
			words += ubrk_getRuleStatus(bi) >= UBRK_WORD_NONE_LIMIT;
	}
	return 0;
}

struct dump {
	FILE *out;
	size_t text;
};

static int dump_token(void *ctx, const struct ni_token *t)
{
	struct dump *d = ctx;
	fprintf(d->out, "%zu %u %zu %zu %d %u %.*s\n", d->text, t->index,
		t->start, t->end, t->also, t->parts, (int)t->len, t->word);
	return 0;
}

/* Every token of every text, as built (-d). */
static int dump_tokens(ni_analyzer *an, const char *path)
{
	struct dump d = {.out = fopen(path, "w")};
	if (!d.out)
		return -1;
	int rc = 0;
	for (d.text = 0; d.text < n_texts && !rc; d.text++)
		rc = ni_analyzer_run(an, texts[d.text], strlen(texts[d.text]),
				     dump_token, &d, NULL) != NI_OK;
	return fclose(d.out) != 0 || rc ? -1 : 0;
}

static int analyzer_pass(ni_analyzer *an)
{
	for (size_t i = 0; i < n_texts; i++)
		if (ni_analyzer_run(an, texts[i], strlen(texts[i]),
				    count_word, NULL, NULL) != NI_OK)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	long runs = 5;
	long times = 1;
	const char *dump = NULL;
	int opt;
	while ((opt = getopt(argc, argv, "r:x:d:")) != -1) {
		if (opt == 'd') {
			dump = optarg;
			continue;
		}
		long *value = opt == 'r' ? &runs : opt == 'x' ? &times : NULL;
		if (!value || (*value = strtol(optarg, NULL, 10)) < 1) {
			fputs(USAGE, stderr);
			return 2;
		}
	}
	if (optind == argc) {
		fputs(USAGE, stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		if (nftw(argv[i], read_article, 16, FTW_PHYS) != 0) {
			fprintf(stderr, "analyzer_bench: cannot read %s\n",
				argv[i]);
			return 1;
		}
	UErrorCode err = U_ZERO_ERROR;
	UBreakIterator *bi = ubrk_open(UBRK_WORD, "", NULL, 0, &err);
	ni_analyzer *an = NULL;
	if (U_FAILURE(err) || ni_analyzer_new(&an) != NI_OK) {
		fputs("analyzer_bench: cannot start ICU\n", stderr);
		return 1;
	}
	UChar *buf = NULL;
	int32_t cap = 0;
	static const char *const names[] = {"icu-break", "dictionary",
					    "analyzer"};
	double best[3] = {1e30, 1e30, 1e30};
	size_t counted[3] = {0};
	int rc = 0;
	if (dump && (rc = dump_tokens(an, dump)) != 0)
		fprintf(stderr, "analyzer_bench: cannot dump to %s\n", dump);
	for (long r = 0; r < runs && !rc && !dump; r++) {
		for (int k = 0; k < 3 && !rc; k++) {
			words = 0;
			ni_analyzer_set_cjk(an, k == 1 ? NI_CJK_DICTIONARY
						       : NI_CJK_BOTH_HANGUL);
			double t0 = now();
			for (long x = 0; x < times && !rc; x++)
				rc = k == 0 ? icu_pass(bi, &buf, &cap)
					    : analyzer_pass(an);
			double t = now() - t0;
			if (t < best[k])
				best[k] = t;
			counted[k] = words;
		}
	}
	if (rc) {
		fputs("analyzer_bench: a pass failed\n", stderr);
	} else if (!dump) {
		double mb = (double)total_bytes * (double)times / 1e6;
		printf("%zu articles, %zu texts, %.2f MB (x%ld)\n", n_files,
		       n_texts, mb, times);
		for (int k = 0; k < 3; k++)
			printf("%-10s  %8.2f MB/s  %6.1f ms  %zu words  "
			       "x%.2f\n", names[k], mb / best[k],
			       best[k] * 1e3, counted[k] / (size_t)times,
			       best[k] / best[0]);
	}
	free(buf);
	ubrk_close(bi);
	ni_analyzer_free(an);
	for (size_t i = 0; i < n_texts; i++)
		free(texts[i]);
	free(texts);
	return rc ? 1 : 0;
}
