/*
 * fuzz.h - what the fuzz targets (tests/fuzz/fuzz_*.c) share.
 *
 * Each target is one file that defines LLVMFuzzerTestOneInput() (and
 * LLVMFuzzerInitialize() when it needs set-up), and is linked either
 * with libFuzzer (-Dfuzz=true, clang) or with replay.c, which feeds it
 * the files of its seed corpus and of its past findings (every build).
 * docs/testing.md says how to run them.
 *
 * A target checks what the library promises with FUZZ_CHECK, which
 * aborts: without sanitizers (a gcc build replaying the corpus) a broken
 * promise must still fail the test, and under libFuzzer an abort is a
 * crash it saves as a finding.
 */
#ifndef NI_FUZZ_H
#define NI_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <unicode/utf8.h>

struct ni_snippet;

/* The libFuzzer interface (https://llvm.org/docs/LibFuzzer.html). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond) \
	((cond) ? (void)0 : fuzz_failed(__FILE__, __LINE__, #cond))

static inline void fuzz_failed(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	abort();
}

/* Whether `len` bytes at `s` are valid UTF-8 (NUL bytes included). */
static inline bool fuzz_valid_utf8(const char *s, size_t len)
{
	size_t at = 0;
	while (at < len) {
		/* U8_NEXT counts in int32_t: read one character at a time. */
		int32_t i = 0, n = len - at < 4 ? (int32_t)(len - at) : 4;
		UChar32 c;
		U8_NEXT((const uint8_t *)s + at, i, n, c);
		if (c < 0)
			return false;
		at += (size_t)i;
	}
	return true;
}

/* The checks of checks.c, for the targets that link it. */

/*
 * `len` bytes at `s` are valid UTF-8 with no white space but single
 * spaces between other characters (as ni_analyzer_fold() and the snippet
 * leave it), and when `display` is true no control characters either.
 */
void fuzz_check_collapsed(const char *s, size_t len, bool display);

/*
 * What ni_snippet.h promises of a snippet made for `columns` columns:
 * displayable and collapsed (above), no wider than `columns`, an ellipsis
 * where it says it was cut, its marks in order and within its text.
 */
void fuzz_check_snippet(const struct ni_snippet *snippet, unsigned columns);

#endif
