/*
 * Unit tests for lib/base/language.c: language codes and names to stemmers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ni_language.h"

/* Language tags and names map to Xapian's stemmers, or to none. */
static void test_language_stemmer(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		const char *stemmer;   /* NULL: not a language */
	} cases[] = {
		{"de", "german"}, {"DE", "german"}, {"de-DE", "german"},
		{"de_AT", "german"}, {"deu", "german"}, {"German", "german"},
		{"fr-FR", "french"}, {"en", "english"}, {"en-GB", "english"},
		{"ru", "russian"}, {"ar", "arabic"}, {"pt-BR", "portuguese"},
		{"es-419", "spanish"}, {"nb", "norwegian"},
		{"zh", "none"}, {"zh-Hans", "none"}, {"zh-Hant-TW", "none"},
		{"ja", "none"}, {"ko", "none"}, {"th", "none"}, {"none", "none"},
		{"klingon", NULL}, {"xx", NULL}, {"", NULL}, {"-de", NULL},
		{"de-", NULL}, {"de--DE", NULL}, {"de-DE!", NULL},
		{"de-abcdefghi", NULL}, {"german-DE", NULL}, {"d", NULL},
		{"no", "norwegian"}, {"non", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *got = ni_language_stemmer(cases[i].value,
						      strlen(cases[i].value));
		if (cases[i].stemmer == NULL ? got != NULL
		    : got == NULL || strcmp(got, cases[i].stemmer) != 0)
			fail_msg("\"%s\": got %s, want %s", cases[i].value,
				 got ? got : "NULL",
				 cases[i].stemmer ? cases[i].stemmer : "NULL");
	}
	/* The length counts, not a NUL. */
	assert_string_equal(ni_language_stemmer("de-DE", 2), "german");
}

/* The same values as tags for HTML's `lang`: canonical, or none. */
static void test_language_tag(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		const char *tag;       /* "": none */
	} cases[] = {
		{"de", "de"}, {"DE", "de"}, {"de_at", "de-AT"},
		{"de-DE", "de-DE"}, {"deu", "de"}, {"ger", "de"},
		{"German", "de"}, {"fre", "fr"}, {"fra-CA", "fr-CA"},
		{"zh", "zh"}, {"zh_hans", "zh-Hans"}, {"zho-hant-tw", "zh-Hant-TW"},
		{"es-419", "es-419"}, {"nb", "nb"}, {"norwegian", "no"},
		{"ja", "ja"}, {"jpn", "ja"}, {"iw", ""}, {"he", "he"},
		{"none", ""}, {"klingon", ""}, {"", ""}, {"de-", ""},
		{"de-DE!", ""},
		{"de-aaaaaaaa-bbbbbbbb-cccccccc-dddd", ""},
		/* Longer than the buffer: none (ASan sees a write past it). */
		{"de-AT-aaaaaaaa-bbbbbbbb-cccccccc-dddddddd", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char tag[NI_LANGUAGE_TAG_SIZE];
		memset(tag, 'x', sizeof tag);
		ni_language_tag(cases[i].value, strlen(cases[i].value), tag);
		if (strcmp(tag, cases[i].tag) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"",
				 cases[i].value, tag, cases[i].tag);
	}
	/* The length counts, not a NUL. */
	char tag[NI_LANGUAGE_TAG_SIZE];
	ni_language_tag("de_AT junk", 5, tag);
	assert_string_equal(tag, "de-AT");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_language_stemmer),
		cmocka_unit_test(test_language_tag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
