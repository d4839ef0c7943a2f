/*
 * ni_story.h - the story key: which articles are copies of one story.
 *
 * Copies of a story (one wire article run by several providers) are shown
 * once in results (docs/ranking.md, "Reprints").  They share a key made
 * of (docs/schema.md):
 *   - the letters and digits of the title's folded words, run together;
 *   - the first NI_STORY_LEDE_CHARS letters and digits of the excerpt's
 *     folded words, run together, after any dateline or provider's tag
 *     ("KABUL (Reuters) - ", "Reuters - ": ni_story_lede_start());
 *   - the NI_STORY_DAYS-day period of the publication date (counted from
 *     1970-01-01 UTC), or none for an undated article.
 * Letters and digits are Unicode's (ICU's u_isalnum(): letters and
 * decimal digits, in any script); punctuation, ASCII or not, and marks
 * are left out.  Running the words together makes "U.S." and "US",
 * "e-mail" and "email", "don't" and "don’t" one text.  An article
 * without a title, or whose lede has fewer than NI_STORY_LEDE_MIN letters
 * and digits, has no key: a short lede is no evidence ("Readers write.",
 * or none: "Algorithm 30" and its certifications), and the article is a
 * story of its own.  The numbers
 * were chosen by bench/reprints.py (docs/ranking.md).
 *
 * Ownership: a struct ni_story owns its buffer; ni_story_release() frees
 * it.  Text passed in is borrowed for the call.
 */
#ifndef NI_STORY_H
#define NI_STORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ni_buf.h"
#include "ni_status.h"

/* Letters and digits of the lede in the key. */
#define NI_STORY_LEDE_CHARS 60
/* A lede with fewer letters and digits gives no key. */
#define NI_STORY_LEDE_MIN 40
/* Copies are dated within the same period of so many days. */
#define NI_STORY_DAYS 14

struct ni_story {
	struct ni_buf key;
	size_t title_len;     /* bytes of the key from the title */
	size_t lede_chars;    /* code points of the lede added so far */
	size_t text_len;      /* bytes before the period, once ended */
};

#define NI_STORY_INIT {NI_BUF_INIT, 0, 0, 0}

/*
 * Start a new key (keeping the buffer's memory).  A key is made of every
 * title word (ni_story_add_title), then the lede's (ni_story_add_lede),
 * then ended by ni_story_key(): a title word after a lede word, or any
 * word after ni_story_key(), would make another key than the article's.
 */
void ni_story_reset(struct ni_story *story);

/*
 * The byte offset in `excerpt` (NUL-terminated UTF-8) where its lede
 * starts: past a dateline or a provider's tag ended by " - " or " -- ",
 * up to three of them ("FORT LAUDERDALE, Fla. - (KRT) - "); 0 when it
 * has none.  A tag is at most 8 words and 64 bytes: a first word in
 * capitals ("KABUL (Reuters)", "TALLADEGA, Ala."), a source in
 * parentheses ("(Sports Network)"), or up to 3 capitalized words
 * ("BBC News").
 */
size_t ni_story_lede_start(const char *excerpt);

/*
 * Add a folded word of the title (before any of the lede).  NI_ENOMEM
 * when out of memory.
 */
ni_status ni_story_add_title(struct ni_story *story, const char *word,
			     size_t len);

/*
 * Add a folded word of the lede (a word of the excerpt at or after
 * ni_story_lede_start()); letters and digits past NI_STORY_LEDE_CHARS
 * are not kept, and a word is cut there.  NI_ENOMEM when out of memory.
 */
ni_status ni_story_add_lede(struct ni_story *story, const char *word,
			    size_t len);

/*
 * End the key with the publication date's period (`dated` false: none).
 * On NI_OK `*key` is the key (owned by `story`, valid until its next
 * call) and `*len` its length, or `*key` is NULL when the article has
 * none (no title, or a lede under NI_STORY_LEDE_MIN).  Asked again, it
 * gives the key with this call's period (never two).  NI_ENOMEM when
 * out of memory.
 */
ni_status ni_story_key(struct ni_story *story, bool dated, int64_t epoch,
		       const char **key, size_t *len);

/* Free what `story` owns.  Safe on NI_STORY_INIT. */
void ni_story_release(struct ni_story *story);

#endif
