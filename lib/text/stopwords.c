/*
 * ni_is_stopword: the stopword lists, one per language with a stemmer.
 *
 * The most common function words of a language, which match most
 * articles and say little about any: left out of the default join of
 * free-text queries so they neither drown the ranking nor make "all
 * words" impossible.  They are still indexed, so phrases that contain
 * them keep working.  Short on purpose: a word left out is a word a
 * query cannot ask for, so only words no one searches for alone.
 * Languages without a list (those Xapian has no stemmer for, like
 * Chinese or Thai, whose words the analyzer splits finely) keep every
 * word.  Where the analyzer may fold a diacritic away ("für"), both
 * forms are listed.
 */
#include <stdlib.h>
#include <string.h>

#include "ni_stopwords.h"

/* Each sorted in byte (strcmp) order: looked up with bsearch. */
static const char *const ARABIC[] = {
	"أن", "أو", "إلى", "إن", "التى", "التي", "الذي", "الى", "ان", "او",
	"بعد", "بين", "ثم", "حتى", "ذلك", "على", "عن", "عند", "في", "قبل",
	"قد", "كان", "كانت", "كل", "لا", "لم", "لن", "ما", "مع", "من", "هذا",
	"هذه",
};

static const char *const ENGLISH[] = {
	"a", "about", "above", "after", "again", "against", "all", "am",
	"an", "and", "any", "are", "as", "at", "be", "because", "been",
	"before", "being", "below", "between", "both", "but", "by", "can",
	"could", "did", "do", "does", "doing", "down", "during", "each",
	"few", "for", "from", "further", "had", "has", "have", "having",
	"he", "her", "here", "hers", "herself", "him", "himself", "his",
	"how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
	"me", "more", "most", "my", "myself", "near", "no", "nor", "not",
	"now", "of", "off", "on", "once", "only", "or", "other", "our", "ours",
	"ourselves", "out", "over", "own", "same", "she", "should", "so",
	"some", "such", "than", "that", "the", "their", "theirs", "them",
	"themselves", "then", "there", "these", "they", "this", "those",
	"through", "to", "too", "under", "until", "up", "very", "was", "we",
	"were", "what", "when", "where", "which", "while", "who", "whom",
	"why", "will", "with", "would", "you", "your", "yours", "yourself",
	"yourselves",
};

static const char *const FRENCH[] = {
	"a", "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des",
	"du", "elle", "en", "est", "et", "ete", "il", "ils", "je", "la",
	"le", "les", "leur", "lui", "mais", "ne", "nous", "on", "ou", "où",
	"par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son",
	"sont", "sur", "un", "une", "vous", "à", "été",
};

static const char *const GERMAN[] = {
	"aber", "als", "am", "an", "auch", "auf", "aus", "bei", "bis", "das",
	"dass", "dem", "den", "der", "des", "die", "doch", "du", "ein",
	"eine", "einem", "einen", "einer", "eines", "er", "es", "fur", "für",
	"hat", "hatte", "ich", "ihr", "im", "in", "ist", "ja", "kein", "mit",
	"nach", "nicht", "noch", "nur", "oder", "sein", "sich", "sie",
	"sind", "so", "uber", "um", "und", "uns", "vom", "von", "vor", "war",
	"wie", "wir", "wird", "wurde", "zu", "zum", "zur", "über",
};

static const char *const RUSSIAN[] = {
	"а", "без", "бы", "был", "была", "были", "было", "в", "во", "вы",
	"да", "для", "до", "его", "ее", "если", "её", "же", "за", "и", "из",
	"или", "им", "их", "к", "как", "ко", "когда", "ли", "на", "над",
	"не", "нет", "но", "о", "об", "он", "она", "они", "оно", "от", "по",
	"под", "при", "с", "со", "так", "также", "то", "тоже", "у", "уже",
	"что", "чтобы", "эти", "это", "этот", "я",
};

static const char *const SPANISH[] = {
	"a", "al", "como", "con", "de", "del", "el", "en", "es", "la", "las",
	"lo", "los", "no", "o", "para", "pero", "por", "que", "se", "su",
	"sus", "un", "una", "y",
};

#define LIST(name, words) {name, words, sizeof words / sizeof *words}

static const struct stopword_list {
	const char *language;     /* the stemmer's name */
	const char *const *words;
	size_t n;
} LISTS[] = {
	LIST("arabic", ARABIC),
	LIST("english", ENGLISH),
	LIST("french", FRENCH),
	LIST("german", GERMAN),
	LIST("russian", RUSSIAN),
	LIST("spanish", SPANISH),
};

static int compare_word(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

bool ni_is_stopword(const char *language, const char *word, size_t len)
{
	/* Longer than any listed word (Cyrillic and Arabic: 2 bytes a
	 * letter). */
	char key[32];
	if (!language || len >= sizeof key)
		return false;
	memcpy(key, word, len);
	key[len] = '\0';
	for (size_t i = 0; i < sizeof LISTS / sizeof *LISTS; i++)
		if (!strcmp(LISTS[i].language, language))
			return bsearch(key, LISTS[i].words, LISTS[i].n,
				       sizeof *LISTS[i].words,
				       compare_word) != NULL;
	return false;
}
