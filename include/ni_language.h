/*
 * ni_language.h - language codes, and the Xapian stemmer each names.
 *
 * One table for every place a language is given: an article's `lang`
 * key, the config's `language` and newsquery's --lang.  Xapian knows
 * stemmers by name ("german"); people write codes ("de-AT").
 */
#ifndef NI_LANGUAGE_H
#define NI_LANGUAGE_H

#include <stddef.h>

/*
 * The Xapian Snowball stemmer for a language given as a BCP 47 tag or an
 * ISO 639 code ("de", "fr-FR", "zh-Hans", "deu", case and '_' or '-'
 * alike) or as a stemmer's own name ("german"): "german"; "none" for a
 * language Xapian has no stemmer for ("zh", "ja", "th") and for "none"
 * itself.  NULL when `value` (`len` bytes, need not end in a NUL) is not
 * a language this table knows.  The result is static.
 */
const char *ni_language_stemmer(const char *value, size_t len);

/* The size of ni_language_tag()'s buffer, its NUL included. */
#define NI_LANGUAGE_TAG_SIZE 36

/*
 * The BCP 47 tag of a language ni_language_stemmer() knows, in the form
 * an HTML `lang` attribute wants (ICU's canonical form): "de-AT" for
 * "de_at", "de" for "deu", "ger" or "German", "zh-Hant" for "zho-hant",
 * "he" for "iw".  An empty string for a value that is no language, for
 * "none", and for a tag longer than the buffer.  Writes `out`, NUL-ended.
 */
void ni_language_tag(const char *value, size_t len,
		     char out[NI_LANGUAGE_TAG_SIZE]);

#endif
