/*
 * ni_language: see include/ni_language.h.
 */
#include "ni_language.h"

#include <string.h>
#include <unicode/uloc.h>

#include "ascii.h"

/*
 * ISO 639-1 and 639-2 codes of the languages Xapian 1.4 has a Snowball
 * stemmer for, then of common languages it has none for ("none": their
 * words are indexed as they are).  A stemmer's own name is accepted too.
 */
static const struct language {
	const char *code;
	const char *stemmer;
} LANGUAGES[] = {
	{"ar", "arabic"}, {"ara", "arabic"},
	{"hy", "armenian"}, {"hye", "armenian"}, {"arm", "armenian"},
	{"eu", "basque"}, {"eus", "basque"}, {"baq", "basque"},
	{"ca", "catalan"}, {"cat", "catalan"},
	{"da", "danish"}, {"dan", "danish"},
	{"nl", "dutch"}, {"nld", "dutch"}, {"dut", "dutch"},
	{"en", "english"}, {"eng", "english"},
	{"fi", "finnish"}, {"fin", "finnish"},
	{"fr", "french"}, {"fra", "french"}, {"fre", "french"},
	{"de", "german"}, {"deu", "german"}, {"ger", "german"},
	{"hu", "hungarian"}, {"hun", "hungarian"},
	{"id", "indonesian"}, {"ind", "indonesian"},
	{"ga", "irish"}, {"gle", "irish"},
	{"it", "italian"}, {"ita", "italian"},
	{"lt", "lithuanian"}, {"lit", "lithuanian"},
	{"ne", "nepali"}, {"nep", "nepali"},
	{"no", "norwegian"}, {"nb", "norwegian"}, {"nn", "norwegian"},
	{"nor", "norwegian"}, {"nob", "norwegian"}, {"nno", "norwegian"},
	{"pt", "portuguese"}, {"por", "portuguese"},
	{"ro", "romanian"}, {"ron", "romanian"}, {"rum", "romanian"},
	{"ru", "russian"}, {"rus", "russian"},
	{"es", "spanish"}, {"spa", "spanish"},
	{"sv", "swedish"}, {"swe", "swedish"},
	{"ta", "tamil"}, {"tam", "tamil"},
	{"tr", "turkish"}, {"tur", "turkish"},
	{"zh", "none"}, {"zho", "none"}, {"chi", "none"},
	{"ja", "none"}, {"jpn", "none"}, {"ko", "none"}, {"kor", "none"},
	{"th", "none"}, {"tha", "none"}, {"vi", "none"}, {"vie", "none"},
	{"he", "none"}, {"heb", "none"}, {"hi", "none"}, {"hin", "none"},
	{"fa", "none"}, {"fas", "none"}, {"per", "none"},
	{"ur", "none"}, {"bn", "none"}, {"uk", "none"}, {"ukr", "none"},
	{"pl", "none"}, {"pol", "none"}, {"cs", "none"}, {"ces", "none"},
	{"sk", "none"}, {"sl", "none"}, {"hr", "none"}, {"sr", "none"},
	{"bs", "none"}, {"bg", "none"}, {"mk", "none"}, {"el", "none"},
	{"ell", "none"}, {"et", "none"}, {"lv", "none"}, {"ms", "none"},
	{"tl", "none"}, {"sw", "none"}, {"ka", "none"}, {"km", "none"},
	{"lo", "none"}, {"my", "none"}, {"mn", "none"}, {"is", "none"},
	{"sq", "none"}, {"az", "none"}, {"kk", "none"}, {"be", "none"},
	{"af", "none"}, {"cy", "none"}, {"gl", "none"}, {"mt", "none"},
	{"none", "none"},
};

/*
 * The subtags after the language ("-Hans", "_FR", "-419"), each a '-' or
 * '_' and 1 to 8 letters or digits; "" is none.
 */
static bool valid_subtags(const char *s, size_t len)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		char c = ascii_lower(s[i]);
		if (c == '-' || c == '_') {
			if (i > 0 && run == 0)
				return false;
			run = 0;
		} else if (!((c >= 'a' && c <= 'z') || is_digit(c)) ||
			   ++run > 8) {
			return false;
		}
	}
	return len == 0 || run > 0;
}

const char *ni_language_stemmer(const char *value, size_t len)
{
	size_t primary = 0;
	while (primary < len && value[primary] != '-' &&
	       value[primary] != '_')
		primary++;
	if (!valid_subtags(value + primary, len - primary))
		return NULL;
	for (size_t i = 0; i < sizeof LANGUAGES / sizeof *LANGUAGES; i++) {
		const struct language *l = &LANGUAGES[i];
		if (equals_word_ci(value, primary, l->code))
			return l->stemmer;
		/* "german", "German": the name as Xapian spells it. */
		if (primary == len && equals_word_ci(value, len, l->stemmer))
			return l->stemmer;
	}
	return NULL;
}

/* The two-letter code of `stemmer` (the table's first of its codes),
 * or NULL for "none", which names no single language. */
static const char *code_of_stemmer(const char *stemmer)
{
	for (size_t i = 0; i < sizeof LANGUAGES / sizeof *LANGUAGES; i++)
		if (!strcmp(LANGUAGES[i].stemmer, stemmer) &&
		    strcmp(stemmer, "none") && strlen(LANGUAGES[i].code) == 2)
			return LANGUAGES[i].code;
	return NULL;
}

/* The length of the language subtag at the start of `s`. */
static size_t primary_length(const char *s, size_t len)
{
	size_t primary = 0;
	while (primary < len && s[primary] != '-' && s[primary] != '_')
		primary++;
	return primary;
}

/*
 * ICU's canonical tag of `tag` (NUL-ended, '-' between subtags): 3-letter
 * codes made 2-letter where ISO 639-1 has one, old codes replaced, each
 * subtag in its case (uloc_toLanguageTag canonicalizes).  False when ICU
 * does not read all of it as a tag.
 */
static bool canonical_tag(const char *tag, char out[NI_LANGUAGE_TAG_SIZE])
{
	char id[ULOC_FULLNAME_CAPACITY];
	UErrorCode error = U_ZERO_ERROR;
	int32_t parsed = 0;
	uloc_forLanguageTag(tag, id, sizeof id, &parsed, &error);
	if (U_FAILURE(error) || error == U_STRING_NOT_TERMINATED_WARNING ||
	    (size_t)parsed != strlen(tag))
		return false;
	int32_t n = uloc_toLanguageTag(id, out, NI_LANGUAGE_TAG_SIZE, true,
				       &error);
	return U_SUCCESS(error) && error != U_STRING_NOT_TERMINATED_WARNING &&
	       n > 0;
}

void ni_language_tag(const char *value, size_t len,
		     char out[NI_LANGUAGE_TAG_SIZE])
{
	out[0] = '\0';
	const char *stemmer = ni_language_stemmer(value, len);
	size_t primary = primary_length(value, len);
	if (!stemmer || len >= NI_LANGUAGE_TAG_SIZE)
		return;
	const char *code = code_of_stemmer(stemmer);
	/* "German": a stemmer's name is no tag, but names one. */
	if (primary == len && equals_word_ci(value, len, stemmer)) {
		if (code)
			memcpy(out, code, 3);
		return;
	}
	char tag[NI_LANGUAGE_TAG_SIZE];
	for (size_t i = 0; i < len; i++)
		tag[i] = value[i] == '_' ? '-' : value[i];
	tag[len] = '\0';
	if (!canonical_tag(tag, out)) {
		out[0] = '\0';
		return;
	}
	/* ISO 639-2's bibliographic codes ("ger", "fre"), which ICU keeps
	 * as they are: the language's two-letter code. */
	size_t n = strlen(out);
	if (code && primary_length(out, n) == 3) {
		memmove(out + 2, out + 3, n - 2);
		memcpy(out, code, 2);
	}
}
