/* Control characters in untrusted text: see include/ni_control.h. */
#include "ni_control.h"

#include <stdint.h>
#include <string.h>

#include <unicode/utf8.h>

bool ni_is_control(UChar32 c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

bool ni_is_bidi_control(UChar32 c)
{
	return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

bool ni_has_control(const char *text)
{
	int32_t len = (int32_t)strlen(text), i = 0;
	while (i < len) {
		UChar32 c;
		U8_NEXT(text, i, len, c);
		if (ni_is_control(c))
			return true;
	}
	return false;
}
