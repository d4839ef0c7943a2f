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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_language_stemmer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
