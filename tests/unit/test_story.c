/*
 * Tests of the story key (ni_story.h): where a lede starts after a
 * dateline, and which articles share a key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "ni_story.h"

/* The lede of `excerpt`: what follows its dateline or tag. */
static const char *lede(const char *excerpt)
{
	return excerpt + ni_story_lede_start(excerpt);
}

static void test_datelines_and_tags_are_passed(void **state)
{
	(void)state;
	assert_string_equal(lede("KABUL (Reuters) - A man was shot"),
			    "A man was shot");
	assert_string_equal(lede("WASHINGTON/NEW YORK (Reuters) - The court"),
			    "The court");
	assert_string_equal(lede("TALLADEGA, Ala. - Joe Nemechek wasn't"),
			    "Joe Nemechek wasn't");
	assert_string_equal(lede("SUN CITY, South Africa (Reuters) - Briton"),
			    "Briton");
	assert_string_equal(lede("OCTOBER 19, 2004 (IDG NEWS SERVICE) - "
				 "Customers"), "Customers");
	assert_string_equal(lede("HOUSTON (Ticker) -- Kerry Wood got"),
			    "Kerry Wood got");
	assert_string_equal(lede("Reuters - Stelco Inc. has lost"),
			    "Stelco Inc. has lost");
	assert_string_equal(lede("BBC News - Internet users at home"),
			    "Internet users at home");
	assert_string_equal(lede("(Sports Network) - The Royals host"),
			    "The Royals host");
	/* Two tags, one after the other. */
	assert_string_equal(lede("FORT LAUDERDALE, Fla. - (KRT) - Despite"),
			    "Despite");
}

static void test_sentences_are_not_tags(void **state)
{
	(void)state;
	const char *texts[] = {
		("A list of 15,000 species threatened with extinction - many "
		 "of them by human activity - is published."),
		"US and EU negotiators traded arguments on Thursday",
		"The Williams team said - after the race - that",
		"Stocks rose: the Dow - up 1% - led",
		"He said \"no\" - and left",
		"Reuters - ",           /* a tag and no lede: the text stays */
		" - a dash first",
		"",
	};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		assert_string_equal(lede(texts[i]), texts[i]);
}

/* The key of a title and a lede given as folded words, or NULL. */
static char *key_of(const char *const *title, const char *const *lede_words,
		    bool dated, int64_t epoch)
{
	struct ni_story story = NI_STORY_INIT;
	for (; *title; title++)
		assert_int_equal(ni_story_add_title(&story, *title,
						    strlen(*title)), NI_OK);
	for (; *lede_words; lede_words++)
		assert_int_equal(ni_story_add_lede(&story, *lede_words,
						   strlen(*lede_words)),
				 NI_OK);
	const char *key;
	size_t len;
	assert_int_equal(ni_story_key(&story, dated, epoch, &key, &len),
			 NI_OK);
	char *copy = key ? strndup(key, len) : NULL;
	ni_story_release(&story);
	return copy;
}

#define DAY 86400LL
/* 2024-01-23T19:30:00Z: 5 days into a period of NI_STORY_DAYS. */
#define PERIOD (19745 / NI_STORY_DAYS)
#define PUBLISHED ((PERIOD * NI_STORY_DAYS + 5) * DAY + 70200)

static const char *const TITLE[] = {"three", "killed", "at", "checkpoint",
				    NULL};
/* 87 letters: "a man ... u s led troops" holds 49, "their" ends at 59. */
static const char *const LEDE[] = {"a", "man", "and", "two", "women",
				   "were", "shot", "dead", "by", "afghan",
				   "and", "u", "s", "led", "troops", "after",
				   "their", "vehicle", "ran", "through", "a",
				   "checkpoint", NULL};

static void test_copies_share_a_key(void **state)
{
	(void)state;
	char *first = key_of(TITLE, LEDE, true, PUBLISHED);
	assert_non_null(first);
	/* "U.S.-led" and "US-led"; "18,000" and "18000": one text. */
	const char *joined[] = {"a", "man", "and", "two", "women", "were",
				"shot", "dead", "by", "afghan", "and", "us",
				"led", "troops", "after", "their", "vehicle",
				"ran", "through", "a", "checkpoint", NULL};
	char *copy = key_of(TITLE, joined, true, PUBLISHED + DAY);
	assert_string_equal(first, copy);
	free(copy);
	const char *digits[] = {"18,000", "troops", "and", "innumerable",
				"afghan", "forces", "searched", NULL};
	const char *plain[] = {"18000", "troops", "and", "innumerable",
			       "afghan", "forces", "searched", NULL};
	char *a = key_of(TITLE, digits, false, 0);
	char *b = key_of(TITLE, plain, false, 0);
	assert_non_null(a);
	assert_string_equal(a, b);
	free(a);
	free(b);
	/* Past NI_STORY_LEDE_CHARS letters, the text may differ... */
	const char *edited[] = {"a", "man", "and", "two", "women", "were",
				"shot", "dead", "by", "afghan", "and", "us",
				"led", "troops", "after", "their", "vehicle",
				"sped", "past", "a", "roadblock", NULL};
	copy = key_of(TITLE, edited, true, PUBLISHED);
	assert_string_equal(first, copy);
	free(copy);
	/* ... but not within them. */
	const char *car[] = {"a", "man", "and", "two", "women", "were",
			     "shot", "dead", "by", "afghan", "and", "us",
			     "led", "troops", "after", "their", "car", "ran",
			     "through", "a", "checkpoint", NULL};
	copy = key_of(TITLE, car, true, PUBLISHED);
	assert_string_not_equal(first, copy);
	free(copy);
	free(first);
}

static void test_other_text_or_time_is_another_story(void **state)
{
	(void)state;
	char *first = key_of(TITLE, LEDE, true, PUBLISHED);
	const char *other[] = {"a", "woman", "and", "two", "men", "were",
			       "shot", "dead", "by", "afghan", "and", "u", "s",
			       "led", "troops", NULL};
	char *copy = key_of(TITLE, other, true, PUBLISHED);
	assert_string_not_equal(first, copy);
	free(copy);
	/* The same text years later, or undated, is another story. */
	copy = key_of(TITLE, LEDE, true, PUBLISHED + 730 * DAY);
	assert_string_not_equal(first, copy);
	free(copy);
	copy = key_of(TITLE, LEDE, false, 0);
	assert_string_not_equal(first, copy);
	free(copy);
	/* Periods of NI_STORY_DAYS from 1970, before 1970 too. */
	int64_t start = PERIOD * NI_STORY_DAYS * DAY;
	char *a = key_of(TITLE, LEDE, true, start);
	char *b = key_of(TITLE, LEDE, true, start - 1);
	assert_string_not_equal(a, b);
	free(b);
	b = key_of(TITLE, LEDE, true, start + NI_STORY_DAYS * DAY - 1);
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = key_of(TITLE, LEDE, true, -1);
	b = key_of(TITLE, LEDE, true, 0);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
	free(first);
}

static void test_no_key_without_evidence(void **state)
{
	(void)state;
	const char *none[] = {NULL};
	const char *short_lede[] = {"readers", "write", "about", "the",
				    "week", NULL};
	const char *algorithm[] = {"algorithm", "30", NULL};
	/* A title alone ("Algorithm 30" and its certifications). */
	assert_null(key_of(algorithm, none, true, PUBLISHED));
	/* A stock lede shorter than NI_STORY_LEDE_MIN letters. */
	assert_null(key_of(TITLE, short_lede, true, PUBLISHED));
	/* No title. */
	assert_null(key_of(none, LEDE, true, PUBLISHED));
	/* Exactly NI_STORY_LEDE_MIN letters is enough. */
	const char *forty[] = {"abcdefghijklmnopqrst", "abcdefghijklmnopqrst",
			       NULL};
	char *key = key_of(TITLE, forty, false, 0);
	assert_non_null(key);
	free(key);
	const char *thirty_nine[] = {"abcdefghijklmnopqrst",
				     "abcdefghijklmnopqrs", NULL};
	assert_null(key_of(TITLE, thirty_nine, false, 0));
	/* Punctuation is not a letter: "9,757.81" is 6 of them. */
	const char *marks[] = {"9,757.81", "abcdefghijklmnopqrst",
			       "abcdefghijklm", NULL};
	assert_null(key_of(TITLE, marks, false, 0));
}

static void test_title_and_lede_stay_apart(void **state)
{
	(void)state;
	/* "ab" + "cd..." is not "a" + "bcd...". */
	const char *t1[] = {"ab", NULL}, *t2[] = {"a", NULL};
	const char *l1[] = {"cdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv",
			    NULL};
	const char *l2[] = {"bcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv",
			    NULL};
	char *a = key_of(t1, l1, false, 0);
	char *b = key_of(t2, l2, false, 0);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

/*
 * Only letters and digits count and are kept, in any script: Unicode
 * punctuation inside a word ("don’t", "x—y") is left out as
 * ASCII's is, and neither fills the lede's NI_STORY_LEDE_MIN.
 */
static void test_unicode_punctuation_is_no_letter(void **state)
{
	(void)state;
	const char *title[] = {"été", NULL};
	const char *curly[] = {"don’t", "abcdefghijklmnopqrst",
			       "abcdefghijklmnopqrst", NULL};
	const char *ascii[] = {"don't", "abcdefghijklmnopqrst",
			       "abcdefghijklmnopqrst", NULL};
	char *a = key_of(title, curly, false, 0);
	char *b = key_of(title, ascii, false, 0);
	assert_non_null(a);
	assert_string_equal(a, b);
	assert_string_equal(a, "été|dont"
			    "abcdefghijklmnopqrstabcdefghijklmnopqrst|-");
	free(a);
	free(b);
	/* 39 letters and digits, with a dash, a bullet, and ideographic
	 * punctuation: short. */
	const char *short_lede[] = {"—•", "abcdefghijklmnopqrst",
				    "、「", "abcdefghijklmnopqrs",
				    NULL};
	assert_null(key_of(title, short_lede, false, 0));
	/* Letters of other scripts count, Han and digits too. */
	const char *han[] = {"人工智能", "٩٠",
			     "abcdefghijklmnopqrst", "abcdefghijklmn", NULL};
	a = key_of(title, han, false, 0);
	assert_non_null(a);
	free(a);
	/* A title of punctuation alone is no title. */
	const char *dashes[] = {"—", NULL};
	assert_null(key_of(dashes, ascii, false, 0));
}

/*
 * A character is kept exactly when ICU's u_isalnum() says it is a letter
 * or a digit: every ASCII one (which the key keeps without asking ICU)
 * and some beyond, each between two letters of a title word.
 */
static void test_kept_characters_are_icus_letters_and_digits(void **state)
{
	(void)state;
	UChar32 others[] = {0x80, 0xA0, 0xAA, 0xB2, 0xBA, 0xC0, 0xD7, 0xE9,
			    0x2BC, 0x300, 0x660, 0x2019, 0x4EBA, 0xFF10};
	size_t n_ascii = 0x80 - 1;
	for (size_t k = 0; k < n_ascii + sizeof others / sizeof *others;
	     k++) {
		UChar32 c = k < n_ascii ? (UChar32)(k + 1)
					: others[k - n_ascii];
		char word[8] = "a";
		int32_t len = 1;
		U8_APPEND_UNSAFE(word, len, c);
		word[len++] = 'b';
		struct ni_story story = NI_STORY_INIT;
		assert_int_equal(ni_story_add_title(&story, word,
						    (size_t)len), NI_OK);
		bool same = u_isalnum(c)
			? story.key.len == (size_t)len &&
				  !memcmp(story.key.data, word, (size_t)len)
			: !strcmp(story.key.data, "ab");
		ni_story_release(&story);
		if (!same)
			fail_msg("U+%04X kept or left out wrongly",
				 (unsigned)c);
	}
}

/* The key can be asked again: the period is not added twice. */
static void test_key_asked_twice(void **state)
{
	(void)state;
	struct ni_story story = NI_STORY_INIT;
	assert_int_equal(ni_story_add_title(&story, "news", 4), NI_OK);
	const char *lede = "abcdefghijklmnopqrstabcdefghijklmnopqrst";
	assert_int_equal(ni_story_add_lede(&story, lede, strlen(lede)),
			 NI_OK);
	const char *key;
	size_t len;
	assert_int_equal(ni_story_key(&story, false, 0, &key, &len), NI_OK);
	char *first = strndup(key, len);
	assert_int_equal(ni_story_key(&story, false, 0, &key, &len), NI_OK);
	assert_int_equal(len, strlen(first));
	assert_memory_equal(key, first, len);
	/* Another date: another period, not a second one. */
	assert_int_equal(ni_story_key(&story, true, PUBLISHED, &key, &len),
			 NI_OK);
	char *dated = key_of((const char *const[]){"news", NULL},
			     (const char *const[]){lede, NULL}, true,
			     PUBLISHED);
	assert_int_equal(len, strlen(dated));
	assert_memory_equal(key, dated, len);
	free(dated);
	free(first);
	ni_story_release(&story);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datelines_and_tags_are_passed),
		cmocka_unit_test(test_sentences_are_not_tags),
		cmocka_unit_test(test_copies_share_a_key),
		cmocka_unit_test(test_other_text_or_time_is_another_story),
		cmocka_unit_test(test_no_key_without_evidence),
		cmocka_unit_test(test_title_and_lede_stay_apart),
		cmocka_unit_test(test_unicode_punctuation_is_no_letter),
		cmocka_unit_test(test_key_asked_twice),
		cmocka_unit_test(
			test_kept_characters_are_icus_letters_and_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
