/* ni_story: see include/ni_story.h. */
#include "ni_story.h"

#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "../base/ascii.h"

/* A tag before the lede is at most so many bytes and words. */
#define TAG_BYTES 64
#define TAG_WORDS 8
#define TAG_CAPITALIZED_WORDS 3

void ni_story_reset(struct ni_story *s)
{
	ni_buf_reset(&s->key);
	s->title_len = 0;
	s->lede_chars = 0;
	s->text_len = 0;
}

void ni_story_release(struct ni_story *s)
{
	ni_buf_release(&s->key);
	ni_story_reset(s);
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_ascii_alnum(char c)
{
	return is_upper(c) || is_lower(c) || is_digit(c);
}

/*
 * Whether tag[0, len) (no space at either end) reads as a dateline or a
 * provider's tag rather than the start of a sentence.
 */
static bool is_tag(const char *tag, size_t len)
{
	size_t words = 1, capitalized = is_upper(tag[0]), first = len;
	bool lower_in_first = false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)tag[i];
		/* Sentence punctuation: not a tag. */
		if (c == '"' || c == ':' || c == ';' || c == '!' || c == '?')
			return false;
		if (c != ' ')
			continue;
		if (first == len)
			first = i;
		words++;
		capitalized += i + 1 < len && is_upper(tag[i + 1]);
	}
	for (size_t i = 0; i < first; i++)
		lower_in_first = lower_in_first || is_lower(tag[i]);
	if (words > TAG_WORDS)
		return false;
	/* "KABUL (Reuters)", "TALLADEGA, Ala.", "OCTOBER 19, 2004 (IDG)" */
	if (!lower_in_first && first >= 2 && is_upper(tag[0]))
		return true;
	/* "(Sports Network)" */
	if (tag[0] == '(' && tag[len - 1] == ')')
		return true;
	/* "Reuters", "BBC News", "The Guardian" */
	return words <= TAG_CAPITALIZED_WORDS && capitalized == words;
}

/* Past one tag at text[at], or `at` when there is none. */
static size_t past_tag(const char *text, size_t at)
{
	size_t start = at;
	while (text[start] == ' ')
		start++;
	for (size_t i = start; text[i] && i <= start + TAG_BYTES; i++) {
		if (text[i] != ' ' || text[i + 1] != '-')
			continue;
		size_t dash = i + 2 + (text[i + 2] == '-');
		if (text[dash] != ' ')
			continue;
		if (i == start || !is_tag(text + start, i - start))
			return at;
		while (text[dash] == ' ')
			dash++;
		return dash;
	}
	return at;
}

size_t ni_story_lede_start(const char *excerpt)
{
	size_t at = 0;
	for (int i = 0; i < 3; i++) {
		size_t next = past_tag(excerpt, at);
		if (next == at || !excerpt[next])
			break;
		at = next;
	}
	return at;
}

/*
 * Add the letters and digits (ICU's u_isalnum: Unicode's letters and
 * decimal digits) of word[0, len) to the key, at most `room` code points
 * of them; return how many, or (size_t)-1 when out of memory.  The rest
 * is left out: punctuation, which a word may hold between digits or
 * letters ("18,000", "won't", "don’t") where another copy has none
 * ("18000"), and marks.  Invalid UTF-8 is left out too.
 */
static size_t add_kept(struct ni_story *s, const char *word, size_t len,
		       size_t room)
{
	/* What is kept is never longer than the word: room for it once,
	 * and no call for each character (every word of a title and a
	 * lede comes here). */
	int32_t n = len > INT32_MAX ? INT32_MAX : (int32_t)len;
	if (ni_buf_grow(&s->key, (size_t)n) != NI_OK)
		return (size_t)-1;
	char *out = s->key.data + s->key.len;
	size_t added = 0;
	int32_t i = 0;
	while (i < n && added < room) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(word, i, n, c);
		/* ASCII's letters and digits are u_isalnum's there. */
		if (c < 0 || !(c < 0x80 ? is_ascii_alnum((char)c)
					: u_isalnum(c)))
			continue;
		while (start < i)
			*out++ = word[start++];
		added++;
	}
	s->key.len = (size_t)(out - s->key.data);
	s->key.data[s->key.len] = '\0';
	return added;
}

ni_status ni_story_add_title(struct ni_story *s, const char *word,
			     size_t len)
{
	if (add_kept(s, word, len, SIZE_MAX) == (size_t)-1)
		return NI_ENOMEM;
	s->title_len = s->key.len;
	return NI_OK;
}

ni_status ni_story_add_lede(struct ni_story *s, const char *word,
			    size_t len)
{
	if (s->lede_chars == 0 && s->key.len == s->title_len) {
		/* The title ends here, whatever the lede's first word. */
		ni_status status = ni_buf_addch(&s->key, '|');
		if (status != NI_OK)
			return status;
	}
	size_t added = add_kept(s, word, len,
				NI_STORY_LEDE_CHARS - s->lede_chars);
	if (added == (size_t)-1)
		return NI_ENOMEM;
	s->lede_chars += added;
	return NI_OK;
}

/* a / b rounded down, for a negative a too. */
static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

ni_status ni_story_key(struct ni_story *s, bool dated, int64_t epoch,
		       const char **key, size_t *len)
{
	*key = NULL;
	*len = 0;
	if (s->title_len == 0 || s->lede_chars < NI_STORY_LEDE_MIN)
		return NI_OK;
	/* Asked again: the period replaces the one added before. */
	if (s->text_len)
		ni_buf_truncate(&s->key, s->text_len);
	s->text_len = s->key.len;
	ni_status status = dated
		? ni_buf_addf(&s->key, "|%lld", (long long)floor_div(
				      epoch, 86400LL * NI_STORY_DAYS))
		: ni_buf_adds(&s->key, "|-");
	if (status != NI_OK)
		return status;
	*key = s->key.data;
	*len = s->key.len;
	return NI_OK;
}
