/*
 * checks.c - checks of the snippet maker's output, shared by the fuzz
 * targets that make snippets (fuzz_analyzer.c, fuzz_qparse.c); fuzz.h
 * says what each promises.
 */
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "fuzz.h"
#include "ni_snippet.h"

#define ELLIPSIS "\xe2\x80\xa6"

void fuzz_check_collapsed(const char *s, size_t len, bool display)
{
	int32_t at = 0, n = (int32_t)len;
	bool space_before = true;   /* none may lead */
	FUZZ_CHECK(len <= INT32_MAX);
	while (at < n) {
		UChar32 c;
		U8_NEXT((const uint8_t *)s, at, n, c);
		FUZZ_CHECK(c >= 0);
		FUZZ_CHECK(!display || u_charType(c) != U_CONTROL_CHAR);
		bool space = u_isUWhiteSpace(c);
		FUZZ_CHECK(!space || (c == ' ' && !space_before));
		space_before = space;
	}
	FUZZ_CHECK(len == 0 || !space_before);
}

void fuzz_check_snippet(const struct ni_snippet *snippet, unsigned columns)
{
	const char *s = ni_buf_str(&snippet->text);
	size_t len = snippet->text.len;
	fuzz_check_collapsed(s, len, true);
	if (ni_text_columns(s, len) > columns) {
		fprintf(stderr, "snippet wider than %u columns: \"%s\"\n",
			columns, s);
		FUZZ_CHECK(!"the snippet fits in its columns");
	}
	if (snippet->cut_start)
		FUZZ_CHECK(len >= 3 && memcmp(s, ELLIPSIS, 3) == 0);
	if (snippet->cut_end)
		FUZZ_CHECK(len >= 3 && memcmp(s + len - 3, ELLIPSIS, 3) == 0);
	size_t end = 0;
	for (size_t i = 0; i < snippet->n_spans; i++) {
		const struct ni_span *span = &snippet->spans[i];
		FUZZ_CHECK(span->start >= end && span->start < span->end);
		end = span->end;
		FUZZ_CHECK(end <= len);
	}
}
