/*
 * Unit tests for lib/search/snippet.c (include/ni_snippet.h): which words are
 * marked, which stretch of the text is chosen, how it is cut, and the
 * display widths render.c shares.
 *
 * Stemming needs an index: the group setup opens an empty one in a
 * temporary folder, with the real analyzer settings and its English
 * stemmer, as newsquery does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "ni_analyzer.h"
#include "ni_buf.h"
#include "ni_snippet.h"
#include "ni_xapian.h"

#define ELLIPSIS "\xe2\x80\xa6"

struct fixture {
	char dir[64];
	ni_db *db;
	ni_analyzer *an;
	struct ni_snippet snip;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/ni-test-snippet-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	char path[128];
	snprintf(path, sizeof(path), "%s/db", f->dir);
	struct ni_buf msg = NI_BUF_INIT;
	ni_status st = ni_db_open(path, NI_DB_WRITE, ni_analyzer_settings(),
				  &f->db, &msg);
	if (st != NI_OK) {
		fprintf(stderr, "open failed: %s\n", ni_buf_str(&msg));
		ni_buf_release(&msg);
		return -1;
	}
	if (ni_analyzer_new(&f->an) != NI_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ni_analyzer_free(f->an);
	ni_status st = ni_db_close(f->db, NULL);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return st == NI_OK && rc == 0 ? 0 : -1;
}

/* Each test starts with an empty snippet and leaves none behind. */
static int clear_snippet(void **state)
{
	struct fixture *f = *state;
	ni_snippet_clear(&f->snip);
	return 0;
}

/* Query words as the parser gives them. */
static struct ni_query_word word(const char *w)
{
	return (struct ni_query_word){ .word = (char *)w };
}

static struct ni_query_word phrase_word(const char *w)
{
	return (struct ni_query_word){ .word = (char *)w, .in_phrase = true };
}

static struct ni_query_word prefix_word(const char *w)
{
	return (struct ni_query_word){ .word = (char *)w, .is_prefix = true };
}

/*
 * What every snippet promises, whatever the input: valid UTF-8 within
 * max_columns, ellipses exactly where it says it was cut, no white space
 * but single spaces inside, spans in order, inside the text, not empty.
 */
static void check_promises(const struct ni_snippet *s, unsigned max)
{
	const char *t = ni_buf_str(&s->text);
	size_t len = s->text.len;
	assert_int_equal(strlen(t), len);
	assert_true(ni_text_columns(t, len) <= max);
	for (int32_t i = 0; i < (int32_t)len;) {
		UChar32 c;
		U8_NEXT((const uint8_t *)t, i, (int32_t)len, c);
		assert_true(c >= 0);
		assert_true(c >= 0x20 && !(c >= 0x7F && c < 0xA0));
	}
	size_t lead = s->cut_start ? 3 : 0, trail = s->cut_end ? 3 : 0;
	bool starts = len >= 3 && memcmp(t, ELLIPSIS, 3) == 0;
	bool ends = len >= 3 && memcmp(t + len - 3, ELLIPSIS, 3) == 0;
	assert_int_equal(starts, s->cut_start || (s->cut_end && len == 3));
	assert_int_equal(ends, s->cut_end || (s->cut_start && len == 3));
	assert_null(strstr(t, "  "));
	if (len > lead + trail) {
		assert_true(t[lead] != ' ');
		assert_true(t[len - trail - 1] != ' ');
	}
	size_t at = 0;
	for (size_t i = 0; i < s->n_spans; i++) {
		assert_true(s->spans[i].start >= at);
		assert_true(s->spans[i].start < s->spans[i].end);
		assert_true(s->spans[i].end <= len);
		at = s->spans[i].end;
	}
}

/* Make the snippet, check its promises, and return its text. */
static const char *snip(struct fixture *f, const char *text,
			const struct ni_query_word *words, size_t n,
			unsigned max)
{
	assert_int_equal(ni_snippet_make(f->db, f->an, text, strlen(text),
					 words, n, max, &f->snip), NI_OK);
	check_promises(&f->snip, max);
	return ni_buf_str(&f->snip.text);
}

/* The marked words joined with "|". */
static const char *marked(const struct ni_snippet *s)
{
	static char out[4096];
	out[0] = '\0';
	for (size_t i = 0; i < s->n_spans; i++) {
		size_t at = strlen(out);
		size_t n = s->spans[i].end - s->spans[i].start;
		assert_true(at + n + 2 < sizeof(out));
		snprintf(out + at, sizeof(out) - at, "%s%.*s", i ? "|" : "",
			 (int)n, s->text.data + s->spans[i].start);
	}
	return out;
}

/* ---- widths ------------------------------------------------------------ */

static void test_char_columns(void **state)
{
	(void)state;
	assert_int_equal(ni_char_columns('a'), 1);
	assert_int_equal(ni_char_columns(' '), 1);
	assert_int_equal(ni_char_columns(0x4E2D), 2);   /* 中 */
	assert_int_equal(ni_char_columns(0x3042), 2);   /* あ */
	assert_int_equal(ni_char_columns(0xAC00), 2);   /* 가 */
	assert_int_equal(ni_char_columns(0xFF21), 2);   /* Ａ full width */
	assert_int_equal(ni_char_columns(0x0301), 0);   /* combining acute */
	assert_int_equal(ni_char_columns(0x200B), 0);   /* zero width space */
	assert_int_equal(ni_char_columns(0x202E), 0);   /* right-to-left override */
	assert_int_equal(ni_char_columns(0x2067), 0);   /* right-to-left isolate */
	assert_int_equal(ni_char_columns(0x1F600), 2);  /* 😀 */
	assert_int_equal(ni_char_columns(0x00E9), 1);   /* é */
	assert_int_equal(ni_char_columns(0x2026), 1);   /* … */
	assert_int_equal(ni_char_columns(0xFFFD), 1);
	assert_int_equal(ni_char_columns(-1), 1);       /* U8_NEXT's "bad" */
	assert_int_equal(ni_char_columns(0x110000), 1);
}

static void test_text_columns(void **state)
{
	(void)state;
	assert_int_equal(ni_text_columns(NULL, 0), 0);
	assert_int_equal(ni_text_columns("", 0), 0);
	assert_int_equal(ni_text_columns("abc", 3), 3);
	assert_int_equal(ni_text_columns("\u4e2d\u6587", 6), 4);   /* 中文 */
	assert_int_equal(ni_text_columns("e\xcc\x81", 3), 1);       /* é */
	assert_int_equal(ni_text_columns("\xf0\x9f\x98\x80", 4), 2); /* 😀 */
	assert_int_equal(ni_text_columns("a\u4e2db", 5), 4);
	/* Ill-formed: each maximal bad sequence is one U+FFFD. */
	assert_int_equal(ni_text_columns("\xff", 1), 1);
	assert_int_equal(ni_text_columns("\xff\xfe", 2), 2);
	assert_int_equal(ni_text_columns("\xe4\xb8", 2), 1);
	assert_int_equal(ni_text_columns("a\xe4\xb8x", 4), 3);
	assert_int_equal(ni_text_columns("\x80\x80\x80", 3), 3);
	/* Only `len` bytes are read: the NUL and past it are not. */
	assert_int_equal(ni_text_columns("\u4e2d\u6587", 3), 2);
	assert_int_equal(ni_text_columns("\u4e2d\u6587", 4), 3);
}

/* ---- matching ---------------------------------------------------------- */

static void test_exact_and_stemmed(void **state)
{
	struct fixture *f = *state;
	const char *text = "Sanctioned firms face sanctions; one sanction "
			   "was lifted, sanctity aside.";
	struct ni_query_word q[] = { word("sanction") };
	assert_string_equal(snip(f, text, q, 1, 200), text);
	assert_string_equal(marked(&f->snip),
			    "Sanctioned|sanctions|sanction");
	/* The stems are the index's: "sanctity" is not one of them. */
	struct ni_query_word q2[] = { word("sanctions") };
	snip(f, text, q2, 1, 200);
	assert_string_equal(marked(&f->snip),
			    "Sanctioned|sanctions|sanction");
}

static void test_phrase_words_only_exact(void **state)
{
	struct fixture *f = *state;
	const char *text = "Sanctioned firms face sanctions; one sanction "
			   "was lifted.";
	struct ni_query_word q[] = { phrase_word("sanction") };
	snip(f, text, q, 1, 200);
	assert_string_equal(marked(&f->snip), "sanction");
	/* Case still folds: the text word is folded before comparing. */
	snip(f, "SANCTION, Sanctions", q, 1, 200);
	assert_string_equal(marked(&f->snip), "SANCTION");
}

static void test_prefix(void **state)
{
	struct fixture *f = *state;
	const char *text = "Sanctioned firms face sanctions; one sanction "
			   "was lifted, sanctity aside, insanctus not.";
	struct ni_query_word q[] = { prefix_word("sanc") };
	snip(f, text, q, 1, 200);
	assert_string_equal(marked(&f->snip),
			    "Sanctioned|sanctions|sanction|sanctity");
	/* A prefix is not stemmed, and a shorter word does not match it. */
	struct ni_query_word q2[] = { prefix_word("sanctions") };
	snip(f, text, q2, 1, 200);
	assert_string_equal(marked(&f->snip), "sanctions");
}

static void test_case_and_width_folding(void **state)
{
	struct fixture *f = *state;
	/* What the parser makes of a typed "ＡＩ": the analyzer's fold. */
	struct ni_buf typed = NI_BUF_INIT;
	assert_int_equal(ni_analyzer_fold(f->an, "\uff21\uff29",
					  strlen("\uff21\uff29"), &typed),
			 NI_OK);
	assert_string_equal(ni_buf_str(&typed), "ai");
	const char *text = "New AI rules for \uff21\uff29 chips and Ai labs, "
			   "not aim.";
	struct ni_query_word q[] = { word(typed.data) };
	assert_string_equal(snip(f, text, q, 1, 200), text);
	/* The whole original bytes are marked, full-width ones too. */
	assert_string_equal(marked(&f->snip), "AI|\uff21\uff29|Ai");
	struct ni_query_word q2[] = { word("ai") };
	snip(f, text, q2, 1, 200);
	assert_string_equal(marked(&f->snip), "AI|\uff21\uff29|Ai");
	ni_buf_release(&typed);
}

static void test_accents_and_compounds(void **state)
{
	struct fixture *f = *state;
	/* The words the query side makes of "cafe", "ecommerce", "us". */
	const char *text = "Caf\xc3\xa9 E-commerce and e commerce in the U.S. "
			   "and SenseTime\xe2\x80\x99s.";
	struct ni_query_word q[] = { word("cafe") };
	snip(f, text, q, 1, 200);
	assert_string_equal(marked(&f->snip), "Caf\xc3\xa9");
	/* A joined form marks the parts it was joined from, as one. */
	struct ni_query_word q2[] = { word("ecommerce") };
	snip(f, text, q2, 1, 200);
	assert_string_equal(marked(&f->snip), "E-commerce");
	/* Words typed apart mark the words, and their joint only when
	 * both sides are marked. */
	struct ni_query_word q4[] = { word("commerce") };
	snip(f, text, q4, 1, 200);
	assert_string_equal(marked(&f->snip), "commerce|commerce");
	struct ni_query_word q3[] = { word("us"), word("sensetime") };
	snip(f, text, q3, 2, 200);
	assert_string_equal(marked(&f->snip), "U.S|SenseTime");
}

static void test_several_words_and_duplicates(void **state)
{
	struct fixture *f = *state;
	const char *text = "China and the US traded sanctions over chips.";
	struct ni_query_word q[] = {
		word("china"), word("sanction"), word("china"),
		word("nothing"), word(""), prefix_word(""),
	};
	snip(f, text, q, 6, 200);
	/* An empty query word, even as a prefix, marks nothing. */
	assert_string_equal(marked(&f->snip), "China|sanctions");
	snip(f, text, q, 0, 200);
	assert_string_equal(marked(&f->snip), "");
}

static void test_without_db_no_stemming(void **state)
{
	struct fixture *f = *state;
	const char *text = "Sanctions and one sanction, sanctioned.";
	struct ni_query_word q[] = {
		word("sanction"), prefix_word("sanctio"),
	};
	assert_int_equal(ni_snippet_make(NULL, f->an, text, strlen(text), q,
					 1, 200, &f->snip), NI_OK);
	assert_string_equal(marked(&f->snip), "sanction");
	assert_int_equal(ni_snippet_make(NULL, f->an, text, strlen(text),
					 q + 1, 1, 200, &f->snip), NI_OK);
	assert_string_equal(marked(&f->snip),
			    "Sanctions|sanction|sanctioned");
}

static void test_many_query_words(void **state)
{
	struct fixture *f = *state;
	/* More than fit on the stack, and more than the 64 mask bits. */
	enum { N = 70 };
	struct ni_query_word q[N];
	char names[N][8];
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "w%d", i);
		q[i] = word(names[i]);
	}
	q[0] = word("alpha");
	q[N - 1] = word("omega");
	q[N - 2] = word("psi");
	snip(f, "alpha beta psi omega w5 w64", q, N, 200);
	assert_string_equal(marked(&f->snip), "alpha|psi|omega|w5|w64");
}

/* ---- the whole text, and windows ------------------------------------- */

static void test_whole_text_when_it_fits(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("sanction") };
	/* 19 columns exactly. */
	assert_string_equal(snip(f, "Sanctions on steel.", q, 1, 19),
			    "Sanctions on steel.");
	assert_false(f->snip.cut_start);
	assert_false(f->snip.cut_end);
	assert_int_equal(f->snip.n_spans, 1);
	assert_int_equal(f->snip.spans[0].start, 0);
	assert_int_equal(f->snip.spans[0].end, 9);
	/* One column fewer: cut after a whole word, with an ellipsis. */
	assert_string_equal(snip(f, "Sanctions on steel.", q, 1, 18),
			    "Sanctions on" ELLIPSIS);
	assert_false(f->snip.cut_start);
	assert_true(f->snip.cut_end);
	assert_string_equal(marked(&f->snip), "Sanctions");
	/* UINT_MAX: always the whole text. */
	snip(f, "Sanctions on steel.", q, 1, UINT_MAX);
	assert_string_equal(f->snip.text.data, "Sanctions on steel.");
}

static const char council[] =
	"The council met on Monday. Officials said new sanctions on steel "
	"would start in May. Markets fell sharply after the news.";

static void test_window_from_sentence_start(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("sanction") };
	/* The sentence of the match fits: it starts the window. */
	assert_string_equal(snip(f, council, q, 1, 40),
			    ELLIPSIS "Officials said new sanctions on steel"
			    ELLIPSIS);
	assert_true(f->snip.cut_start);
	assert_true(f->snip.cut_end);
	assert_int_equal(ni_text_columns(f->snip.text.data,
					 f->snip.text.len), 39);
	assert_int_equal(f->snip.n_spans, 1);
	assert_int_equal(f->snip.spans[0].start, 3 + 19);
	assert_int_equal(f->snip.spans[0].end, 3 + 28);
}

static void test_paragraph_starts_a_sentence(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("sanction") };
	/* A blank line, or a paragraph separator, ends a headline. */
	const char *texts[] = {
		"Weekly roundup of the steel markets in Europe\n\nOfficials "
		"said sanctions were near, and the markets were not calm.",
		"Weekly roundup of the steel markets in Europe\u2029Officials "
		"said sanctions were near, and the markets were not calm.",
	};
	for (size_t i = 0; i < 2; i++)
		assert_string_equal(snip(f, texts[i], q, 1, 40),
				    ELLIPSIS "Officials said sanctions were "
				    "near" ELLIPSIS);
	/* One line break is only white space. */
	assert_string_equal(snip(f, "Weekly roundup of the steel markets in "
				 "Europe\nOfficials said sanctions were "
				 "near, and the markets were not calm.",
				 q, 1, 40),
			    ELLIPSIS "sanctions were near, and the markets"
			    ELLIPSIS);
}

static void test_window_from_match(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("sanction") };
	/* The sentence's start does not fit: the match starts it. */
	assert_string_equal(snip(f, council, q, 1, 20),
			    ELLIPSIS "sanctions on steel" ELLIPSIS);
	assert_int_equal(ni_text_columns(f->snip.text.data,
					 f->snip.text.len), 20);
	assert_int_equal(f->snip.spans[0].start, 3);
	assert_int_equal(f->snip.spans[0].end, 12);
}

static void test_ellipsis_at_end_only(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("council") };
	assert_string_equal(snip(f, council, q, 1, 40),
			    "The council met on Monday. Officials" ELLIPSIS);
	assert_false(f->snip.cut_start);
	assert_true(f->snip.cut_end);
	assert_string_equal(marked(&f->snip), "council");
}

static void test_ellipsis_at_start_only(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("market") };
	/* It runs to the end of the text, final full stop included. */
	assert_string_equal(snip(f, council, q, 1, 40),
			    ELLIPSIS "Markets fell sharply after the news.");
	assert_true(f->snip.cut_start);
	assert_false(f->snip.cut_end);
	assert_string_equal(marked(&f->snip), "Markets");
}

static void test_most_distinct_words(void **state)
{
	struct fixture *f = *state;
	const char *text = "China, China and China again. Nothing else "
			   "happened here for weeks. Then came sanctions "
			   "from China.";
	struct ni_query_word q[] = { word("china"), word("sanction") };
	/* Three "China" are one distinct word; the end has both. */
	assert_string_equal(snip(f, text, q, 2, 45),
			    ELLIPSIS "Then came sanctions from China.");
	assert_string_equal(marked(&f->snip), "sanctions|China");
	/* With room for everything, everything is marked. */
	snip(f, text, q, 2, 200);
	assert_string_equal(marked(&f->snip),
			    "China|China|China|sanctions|China");
}

static void test_words_leave_the_window(void **state)
{
	struct fixture *f = *state;
	/*
	 * The first "China" is out of reach of the middle "Sanctions": only
	 * the end has both words within 40 columns.
	 */
	const char *text = "China first. Then a long middle part of the "
			   "story. Sanctions came next. Then another long "
			   "part of it. Finally China and sanctions.";
	struct ni_query_word q[] = { word("china"), word("sanction") };
	assert_string_equal(snip(f, text, q, 2, 40),
			    ELLIPSIS "Finally China and sanctions.");
	assert_string_equal(marked(&f->snip), "China|sanctions");
}

static void test_ties_go_to_the_earliest(void **state)
{
	struct fixture *f = *state;
	const char *text = "Sanctions hit China early. Then a long stretch "
			   "of text without either word goes on and on. "
			   "Later, sanctions on China again.";
	struct ni_query_word q[] = { word("china"), word("sanction") };
	assert_string_equal(snip(f, text, q, 2, 30),
			    "Sanctions hit China early" ELLIPSIS);
	assert_false(f->snip.cut_start);
	assert_string_equal(marked(&f->snip), "Sanctions|China");
}

static void test_no_match_takes_the_start(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("zebra") };
	assert_string_equal(snip(f, council, q, 1, 20),
			    "The council met on" ELLIPSIS);
	assert_false(f->snip.cut_start);
	assert_true(f->snip.cut_end);
	assert_int_equal(f->snip.n_spans, 0);
	/*
	 * The start of the text keeps its leading punctuation; a cut end
	 * is the end of a word, without what follows it.
	 */
	assert_string_equal(snip(f, "\"Quoted words\" come first here", q,
				 1, 16),
			    "\"Quoted words" ELLIPSIS);
}

static void test_whitespace_collapsed(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("steel") };
	const char *text = "  Sanctions\n\n on\tsteel \xe3\x80\x80 \r\n rose."
			   "\n  ";
	assert_string_equal(snip(f, text, q, 1, 80),
			    "Sanctions on steel rose.");
	assert_false(f->snip.cut_start);
	assert_false(f->snip.cut_end);
	assert_int_equal(f->snip.spans[0].start, 13);
	assert_int_equal(f->snip.spans[0].end, 18);
	/* The columns are counted after collapsing: 24 fit in 24. */
	assert_string_equal(snip(f, text, q, 1, 24),
			    "Sanctions on steel rose.");
	assert_string_equal(snip(f, "   \n\t ", q, 1, 10), "");
	assert_int_equal(f->snip.n_spans, 0);
}

static void test_long_text_window(void **state)
{
	struct fixture *f = *state;
	/* Hundreds of words: past what the stack holds. */
	struct ni_buf text = NI_BUF_INIT;
	for (int i = 0; i < 300; i++)
		assert_int_equal(ni_buf_addf(&text, "filler%d words here. ",
					     i), NI_OK);
	assert_int_equal(ni_buf_adds(&text, "At last the sanctions came."),
			 NI_OK);
	for (int i = 0; i < 50; i++)
		assert_int_equal(ni_buf_adds(&text, " More filler."), NI_OK);
	struct ni_query_word q[] = { word("sanction") };
	assert_string_equal(snip(f, text.data, q, 1, 40),
			    ELLIPSIS "At last the sanctions came. More"
			    ELLIPSIS);
	assert_string_equal(marked(&f->snip), "sanctions");
	ni_buf_release(&text);
}

/* ---- CJK --------------------------------------------------------------- */

/* `text` folded, as the parser would give it. */
static char *one_word(ni_analyzer *an, const char *text)
{
	struct ni_buf buf = NI_BUF_INIT;
	assert_int_equal(ni_analyzer_fold(an, text, strlen(text), &buf),
			 NI_OK);
	return ni_buf_detach(&buf);
}

static void test_cjk_window_in_the_middle(void **state)
{
	struct fixture *f = *state;
	/*
	 * 今天天气很好。 (7 characters, 14 columns) many times around
	 * 美国宣布对中国实施新的制裁。 ("the US announced new sanctions
	 * on China").
	 */
	const char *filler = "\u4eca\u5929\u5929\u6c14\u5f88\u597d\u3002";
	const char *news = "\u7f8e\u56fd\u5ba3\u5e03\u5bf9\u4e2d\u56fd"
			   "\u5b9e\u65bd\u65b0\u7684\u5236\u88c1\u3002";
	struct ni_buf text = NI_BUF_INIT;
	for (int i = 0; i < 40; i++)
		assert_int_equal(ni_buf_adds(&text, filler), NI_OK);
	assert_int_equal(ni_buf_adds(&text, news), NI_OK);
	for (int i = 0; i < 40; i++)
		assert_int_equal(ni_buf_adds(&text, filler), NI_OK);
	char *sanctions = one_word(f->an, "\u5236\u88c1");
	struct ni_query_word q[] = { word(sanctions) };

	assert_int_equal(ni_text_columns(text.data, text.len),
			 2 * (80 * 7 + 14));
	/* The sentence, 13 characters without its "。", and two "…". */
	assert_string_equal(snip(f, text.data, q, 1, 30),
			    ELLIPSIS "\u7f8e\u56fd\u5ba3\u5e03\u5bf9\u4e2d"
			    "\u56fd\u5b9e\u65bd\u65b0\u7684\u5236\u88c1"
			    ELLIPSIS);
	assert_int_equal(ni_text_columns(f->snip.text.data,
					 f->snip.text.len), 28);
	assert_string_equal(marked(&f->snip), "\u5236\u88c1");
	/* Too narrow for the sentence: from the match, whole words. */
	snip(f, text.data, q, 1, 9);
	assert_true(f->snip.cut_start);
	assert_true(f->snip.cut_end);
	assert_int_equal(memcmp(f->snip.text.data + 3, "\u5236\u88c1", 6), 0);
	assert_true(ni_text_columns(f->snip.text.data,
				    f->snip.text.len) <= 9);
	assert_string_equal(marked(&f->snip), "\u5236\u88c1");
	free(sanctions);
	ni_buf_release(&text);
}

/* ---- narrow snippets and odd input ------------------------------------ */

static void test_word_wider_than_snippet(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("zebra") };
	/* Only then is a word cut, between characters. */
	assert_string_equal(snip(f, "Supercalifragilistic is long", q, 1,
				 10),
			    "Supercali" ELLIPSIS);
	assert_string_equal(snip(f, "hello world", q, 1, 1), ELLIPSIS);
	assert_true(f->snip.cut_end);
	/* A wide character that would not fit is left out whole. */
	assert_string_equal(snip(f, "\u4e2d\u6587\u4e2d\u6587\u4e2d\u6587",
				 q, 1, 4),
			    "\u4e2d" ELLIPSIS);
	/* A matched word cut short is still marked, as far as it goes. */
	struct ni_query_word q2[] = { word("supercalifragilistic") };
	snip(f, "Supercalifragilistic is long", q2, 1, 10);
	assert_string_equal(marked(&f->snip), "Supercali");
}

static void test_invalid_utf8_and_controls(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("sanction"), word("steel") };
	const char text[] = "Sanctions \xff\xfe on \xe4\xb8 steel \xc0\xaf"
			    " and\x1b[31m sanction\x80s \xed\xa0\x80 end";
	assert_string_equal(snip(f, text, q, 2, 200),
			    "Sanctions \ufffd\ufffd on \ufffd steel "
			    "\ufffd\ufffd and\ufffd[31m sanction\ufffds "
			    "\ufffd\ufffd\ufffd end");
	assert_string_equal(marked(&f->snip), "Sanctions|steel|sanction");
	/*
	 * Cut in every width: the promises hold, and once any one word
	 * fits between two ellipses, marked words stay whole.
	 */
	for (unsigned max = 1; max < 60; max++) {
		snip(f, text, q, 2, max);
		if (max < 11)
			continue;
		for (size_t i = 0; i < f->snip.n_spans; i++) {
			const char *w = f->snip.text.data +
					f->snip.spans[i].start;
			size_t n = f->snip.spans[i].end -
				   f->snip.spans[i].start;
			assert_true((n == 9 && !memcmp(w, "Sanctions", 9)) ||
				    (n == 8 && !memcmp(w, "sanction", 8)) ||
				    (n == 5 && !memcmp(w, "steel", 5)));
		}
	}
	/* Bytes past `len` are never read, even in a bad sequence. */
	assert_int_equal(ni_snippet_make(f->db, f->an, "steel\xe4\xb8\xad",
					 6, q, 2, 200, &f->snip), NI_OK);
	assert_string_equal(f->snip.text.data, "steel\ufffd");
}

/*
 * Random texts of matching and other words, separated by all kinds of
 * things, cut at random widths: besides the promises, the marked spans
 * are exactly the matching words of the snippet, as the analyzer finds
 * them there, so no span ever splits or straddles a word.
 */
static const char *const fuzz_words[] = {
	"Sanctions", "sanction", "sanctioned", "CHINA", "China", "chinese",
	"sanctity", "trade", "steel", "e\xcc\x81t\xc3\xa9", "\u5236\u88c1",
	"\u4e2d\u56fd", "\uff21\uff29", "US", "3.5",
};
static const char *const fuzz_gaps[] = {
	" ", "  ", "\n", "\n\n", "\t", ". ", ", ", " \xff ", "\xfe",
	"\xe4\xb8", "\x01", "\xf0\x9f\x98\x80", " \xe2\x80\x94 ", "\u3002",
	" (", ") ", "\xe3\x80\x80",
};

#define pick(list) ((list)[rand() % (int)(sizeof(list) / sizeof(*(list)))])

struct found {
	size_t start[256];
	size_t end[256];
	size_t n;
};

static bool fuzz_matches(const char *w)
{
	static const char *const match[] = {
		"sanctions", "sanction", "sanctioned", "china",
		"\u5236\u88c1", "ai",
	};
	for (size_t i = 0; i < sizeof(match) / sizeof(*match); i++)
		if (!strcmp(w, match[i]))
			return true;
	return false;
}

static int collect_matches(void *ctx, const struct ni_token *t)
{
	struct found *found = ctx;
	/* The one CJK query word is a phrase's: words alone mark it. */
	if (!t->also && fuzz_matches(t->word) && found->n < 256) {
		found->start[found->n] = t->start;
		found->end[found->n++] = t->end;
	}
	return 0;
}

static void test_random_texts(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = {
		word("sanction"), word("china"), phrase_word("\u5236\u88c1"),
		word("ai"),
	};
	srand(20240607);
	struct ni_buf text = NI_BUF_INIT;
	for (int round = 0; round < 400; round++) {
		ni_buf_reset(&text);
		int n = 1 + rand() % 60;
		for (int i = 0; i < n; i++) {
			if (i || rand() % 4 == 0)
				ni_buf_adds(&text, pick(fuzz_gaps));
			ni_buf_adds(&text, pick(fuzz_words));
		}
		if (rand() % 3 == 0)
			ni_buf_adds(&text, pick(fuzz_gaps));
		/*
		 * Wide enough for a leading gap, the widest word and an
		 * ellipsis, so no word is ever too wide to keep whole.
		 */
		unsigned max = 14 + (unsigned)(rand() % 100);
		snip(f, text.data, q, 4, max);

		struct found found = { .n = 0 };
		assert_int_equal(ni_analyzer_run(f->an, f->snip.text.data,
						 f->snip.text.len,
						 collect_matches, &found,
						 NULL), NI_OK);
		assert_int_equal(f->snip.n_spans, found.n);
		for (size_t i = 0; i < found.n; i++) {
			assert_int_equal(f->snip.spans[i].start,
					 found.start[i]);
			assert_int_equal(f->snip.spans[i].end, found.end[i]);
		}
		if (ni_text_columns(text.data, text.len) <= max) {
			assert_false(f->snip.cut_start);
			assert_false(f->snip.cut_end);
		}
	}
	ni_buf_release(&text);
}

/* ---- the interface ----------------------------------------------------- */

static void test_reuse_and_clear(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("sanction"), word("steel") };
	snip(f, council, q, 2, 40);
	assert_int_equal(f->snip.n_spans, 2);
	/* The next call replaces everything, spans and cuts too. */
	assert_string_equal(snip(f, "no match", q, 2, 40), "no match");
	assert_int_equal(f->snip.n_spans, 0);
	assert_false(f->snip.cut_start);
	assert_false(f->snip.cut_end);
	ni_snippet_clear(&f->snip);
	assert_null(f->snip.text.data);
	assert_null(f->snip.spans);
	assert_int_equal(f->snip.cap_spans, 0);
	ni_snippet_clear(&f->snip);
	ni_snippet_clear(NULL);
	struct ni_snippet zero = NI_SNIPPET_INIT;
	assert_int_equal(ni_snippet_make(f->db, f->an, NULL, 0, NULL, 0, 5,
					 &zero), NI_OK);
	assert_string_equal(ni_buf_str(&zero.text), "");
	ni_snippet_clear(&zero);
}

static void test_bad_arguments(void **state)
{
	struct fixture *f = *state;
	struct ni_query_word q[] = { word("steel") };
	const char *text = "steel";
	snip(f, text, q, 1, 40);
	assert_int_equal(ni_snippet_make(f->db, f->an, text, 5, q, 1, 0,
					 &f->snip), NI_EINVAL);
	/* A failed call leaves the snippet empty. */
	assert_string_equal(ni_buf_str(&f->snip.text), "");
	assert_int_equal(f->snip.n_spans, 0);
	assert_int_equal(ni_snippet_make(f->db, NULL, text, 5, q, 1, 40,
					 &f->snip), NI_EINVAL);
	assert_int_equal(ni_snippet_make(f->db, f->an, NULL, 5, q, 1, 40,
					 &f->snip), NI_EINVAL);
	assert_int_equal(ni_snippet_make(f->db, f->an, text, 5, NULL, 1, 40,
					 &f->snip), NI_EINVAL);
	assert_int_equal(ni_snippet_make(f->db, f->an, text,
					 (size_t)INT32_MAX + 1, q, 1, 40,
					 &f->snip), NI_EINVAL);
	assert_int_equal(ni_snippet_make(f->db, f->an, text, 5, q, 1, 40,
					 NULL), NI_EINVAL);
}

#define TEST(fn) cmocka_unit_test_teardown(fn, clear_snippet)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_char_columns),
		TEST(test_text_columns),
		TEST(test_exact_and_stemmed),
		TEST(test_phrase_words_only_exact),
		TEST(test_prefix),
		TEST(test_case_and_width_folding),
		TEST(test_accents_and_compounds),
		TEST(test_several_words_and_duplicates),
		TEST(test_without_db_no_stemming),
		TEST(test_many_query_words),
		TEST(test_whole_text_when_it_fits),
		TEST(test_window_from_sentence_start),
		TEST(test_paragraph_starts_a_sentence),
		TEST(test_window_from_match),
		TEST(test_ellipsis_at_end_only),
		TEST(test_ellipsis_at_start_only),
		TEST(test_most_distinct_words),
		TEST(test_words_leave_the_window),
		TEST(test_ties_go_to_the_earliest),
		TEST(test_no_match_takes_the_start),
		TEST(test_whitespace_collapsed),
		TEST(test_long_text_window),
		TEST(test_cjk_window_in_the_middle),
		TEST(test_word_wider_than_snippet),
		TEST(test_invalid_utf8_and_controls),
		TEST(test_random_texts),
		TEST(test_reuse_and_clear),
		TEST(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
