/*
 * ni_is_stopword: the English stopword list.
 *
 * The common function words of English, which match most articles and
 * say little about any: left out of free-text queries so they neither
 * drown the ranking nor make "all words" impossible.  They are still
 * indexed, so phrases that contain them keep working.
 */
#include <stdlib.h>
#include <string.h>

#include "ni_search.h"

/* Sorted (strcmp order): looked up with bsearch. */
static const char *const STOPWORDS[] = {
	"a", "about", "above", "after", "again", "against", "all", "am",
	"an", "and", "any", "are", "as", "at", "be", "because", "been",
	"before", "being", "below", "between", "both", "but", "by", "can",
	"could", "did", "do", "does", "doing", "down", "during", "each",
	"few", "for", "from", "further", "had", "has", "have", "having", "he",
	"her", "here", "hers", "herself", "him", "himself", "his", "how", "i",
	"if", "in", "into", "is", "it", "its", "itself", "just", "me", "more",
	"most", "my", "myself", "no", "nor", "not", "now", "of", "off", "on",
	"once", "only", "or", "other", "our", "ours", "ourselves", "out",
	"over", "own", "same", "she", "should", "so", "some", "such", "than",
	"that", "the", "their", "theirs", "them", "themselves", "then",
	"there", "these", "they", "this", "those", "through", "to", "too",
	"under", "until", "up", "very", "was", "we", "were", "what", "when",
	"where", "which", "while", "who", "whom", "why", "will", "with",
	"would", "you", "your", "yours", "yourself", "yourselves",
};

static int compare_word(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

bool ni_is_stopword(const char *word, size_t len)
{
	char key[16];
	if (len >= sizeof key)
		return false;
	memcpy(key, word, len);
	key[len] = '\0';
	return bsearch(key, STOPWORDS, sizeof STOPWORDS / sizeof *STOPWORDS,
		       sizeof *STOPWORDS, compare_word) != NULL;
}
