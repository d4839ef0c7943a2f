/*
 * ni_language: see include/ni_language.h.
 */
#include "ni_language.h"

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
