/*
 * ascii.h - the ASCII tests the library's small readers share (dates,
 * language codes, front matter values), private to lib/.
 *
 * By hand rather than with <ctype.h>, whose tolower() follows the
 * locale: what a file says must not depend on it.
 */
#ifndef NI_LIB_ASCII_H
#define NI_LIB_ASCII_H

#include <stdbool.h>
#include <stddef.h>

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Compare `len` bytes to a lowercase word, ignoring ASCII case. */
static inline bool equals_word_ci(const char *s, size_t len,
				  const char *word)
{
	size_t i;
	for (i = 0; i < len && word[i]; i++)
		if (ascii_lower(s[i]) != word[i])
			return false;
	return i == len && !word[i];
}

#endif
