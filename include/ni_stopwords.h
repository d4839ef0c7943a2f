/*
 * ni_stopwords.h - the words of each language a query leaves out of its
 * default join (lib/text/stopwords.c says which words, and why so few).
 */
#ifndef NI_STOPWORDS_H
#define NI_STOPWORDS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether a folded word is a stopword of `language`, a stemmer's name
 * (ni_db_language(): "english", "german"); false for a language without
 * a list ("none") and for NULL (lib/text/stopwords.c).
 */
bool ni_is_stopword(const char *language, const char *word, size_t len);

#endif
