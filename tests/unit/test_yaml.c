/*
 * Unit tests for lib/files/yaml.c, the event reader both YAML readers
 * share: opening (NUL bytes), documents (none, one, two), libyaml's
 * errors and their places, the depth limit, nulls, quoting and
 * describing values, and numbers under any locale.  The readers' own
 * behaviour is tested in test_article.c and test_config.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "ni_yaml.h"

/* ---- helpers ---------------------------------------------------------- */

static struct ni_parse_error err;

/* Open `text` as the lines from `first_line` on of a file. */
static void open_ok(struct ni_yaml *y, const char *text, unsigned first_line,
		    unsigned max_depth)
{
	err = (struct ni_parse_error){0};
	assert_int_equal(ni_yaml_open(y, text, strlen(text), first_line,
				      max_depth, "test", &err),
			 NI_OK);
}

static void assert_error(unsigned line, unsigned column, const char *message)
{
	if (err.line != line || err.column != column ||
	    strcmp(err.message, message) != 0)
		fail_msg("got %u:%u \"%s\", expected %u:%u \"%s\"", err.line,
			 err.column, err.message, line, column, message);
}

/* Read events from the start until the `n`th scalar (1-based). */
static void to_scalar(struct ni_yaml *y, int n)
{
	while (n > 0) {
		assert_int_equal(ni_yaml_next(y), NI_OK);
		assert_int_not_equal(y->event.type, YAML_STREAM_END_EVENT);
		if (ni_yaml_is_scalar(y))
			n--;
	}
}

/* Read events to the end of the stream; the status that stopped it. */
static ni_status read_all(struct ni_yaml *y)
{
	ni_status st;
	do
		st = ni_yaml_next(y);
	while (st == NI_OK && y->event.type != YAML_STREAM_END_EVENT);
	return st;
}

/* ---- opening and documents -------------------------------------------- */

static void test_nul_byte(void **state)
{
	(void)state;
	struct ni_yaml y;
	static const char text[] = "a: 1\nb: \xc3\xa9x\0y\n";
	err = (struct ni_parse_error){0};
	assert_int_equal(ni_yaml_open(&y, text, sizeof text - 1, 5, 0, "test",
				      &err),
			 NI_EPARSE);
	/* Nothing to close.  The column counts é as one character. */
	assert_error(6, 6, "test contains a NUL byte");
}

static void test_one_document(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "--- {a: b}\n...\n", 1, 0);
	assert_int_equal(ni_yaml_begin_document(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_MAPPING_START_EVENT);
	assert_int_equal(y.depth, 1);
	to_scalar(&y, 2);
	assert_string_equal(ni_yaml_scalar_text(&y), "b");
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_MAPPING_END_EVENT);
	assert_int_equal(y.depth, 0);
	assert_int_equal(ni_yaml_end_document(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_STREAM_END_EVENT);
	ni_yaml_close(&y);
}

static void test_no_document(void **state)
{
	(void)state;
	static const char *const empty[] = {"", "\n\n", "# just a comment\n"};
	for (size_t i = 0; i < sizeof empty / sizeof *empty; i++) {
		struct ni_yaml y;
		open_ok(&y, empty[i], 1, 0);
		assert_int_equal(ni_yaml_begin_document(&y), NI_DONE);
		assert_int_equal(y.event.type, YAML_STREAM_END_EVENT);
		ni_yaml_close(&y);
	}
}

static void test_two_documents(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: 1\n---\nb: 2\n", 2, 0);
	assert_int_equal(ni_yaml_begin_document(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_MAPPING_START_EVENT);
	to_scalar(&y, 2);
	assert_int_equal(ni_yaml_next(&y), NI_OK);  /* MAPPING-END */
	assert_int_equal(ni_yaml_end_document(&y), NI_EPARSE);
	assert_error(3, 1, "test holds more than one yaml document");
	ni_yaml_close(&y);
}

/* ---- libyaml's errors and places -------------------------------------- */

static void test_invalid_yaml(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: 1\nb: [1, 2\nc: 3\n", 2, 0);
	assert_int_equal(read_all(&y), NI_EPARSE);
	assert_error(4, 2, "did not find expected ',' or ']' while parsing a "
		     "flow sequence");
	ni_yaml_close(&y);
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: 1\nb: x\xff\n", 1, 0);
	assert_int_equal(read_all(&y), NI_EPARSE);
	/* libyaml's reader gives a byte offset and the byte. */
	assert_error(2, 5, "invalid leading UTF-8 octet (#xff)");
	ni_yaml_close(&y);
}

/* Lines are the file's lines: a NEL (U+0085) inside a value is not one. */
static void test_positions(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: \"x\xc2\x85y\"\n\xc3\xa9\xc3\xa9: *z\n", 10, 0);
	to_scalar(&y, 3);
	assert_string_equal(ni_yaml_scalar_text(&y), "\xc3\xa9\xc3\xa9");
	unsigned line, column;
	ni_yaml_locate(&y, y.event.start_mark, &line, &column);
	assert_int_equal(line, 11);
	assert_int_equal(column, 1);
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_int_equal(y.event.type, YAML_ALIAS_EVENT);
	/* Columns count characters, so "éé: " is four of them. */
	assert_int_equal(ni_yaml_fail_at(&y, y.event.start_mark, "%s %d",
					 "bad", 7),
			 NI_EPARSE);
	assert_error(11, 5, "bad 7");
	ni_yaml_close(&y);
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "a: [[1]]\n", 1, 3);
	assert_int_equal(read_all(&y), NI_OK);
	ni_yaml_close(&y);

	open_ok(&y, "a: [[1]]\nb:\n  - [[2]]\n", 1, 3);
	assert_int_equal(read_all(&y), NI_EPARSE);
	assert_error(3, 6, "test nested deeper than 3 levels");
	ni_yaml_close(&y);

	/* 0 is no limit at all. */
	char deep[2001];
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	deep[2000] = '\0';
	open_ok(&y, deep, 1, 0);
	assert_int_equal(read_all(&y), NI_OK);
	ni_yaml_close(&y);
}

/* ---- scalars ---------------------------------------------------------- */

static void test_nulls(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "- ~\n- null\n- Null\n- NULL\n-\n- ''\n- \"null\"\n"
		"- nULL\n- nul\n- ~~\n- {}\n", 1, 0);
	assert_int_equal(ni_yaml_begin_document(&y), NI_OK);
	assert_false(ni_yaml_is_null(&y));  /* the sequence */
	static const bool expected[] = {
		true, true, true, true, true, false, false, false, false,
		false, false,
	};
	for (size_t i = 0; i < sizeof expected / sizeof *expected; i++) {
		assert_int_equal(ni_yaml_next(&y), NI_OK);
		if (ni_yaml_is_null(&y) != expected[i])
			fail_msg("item %zu: is_null gave %d", i, !expected[i]);
	}
	ni_yaml_close(&y);
}

static void test_scalar_dup(void **state)
{
	(void)state;
	struct ni_yaml y;
	open_ok(&y, "\"a\\tb\": ''\n", 1, 0);
	to_scalar(&y, 1);
	char *copy = ni_yaml_scalar_dup(&y);
	assert_string_equal(copy, "a\tb");
	free(copy);
	to_scalar(&y, 1);
	copy = ni_yaml_scalar_dup(&y);
	assert_string_equal(copy, "");
	free(copy);
	ni_yaml_close(&y);
}

static void test_quote(void **state)
{
	(void)state;
	char out[NI_YAML_QUOTED_SIZE];
	assert_string_equal(ni_yaml_quote("say \"hi\"\\", 9, out),
			    "\"say \\\"hi\\\"\\\\\"");
	assert_string_equal(ni_yaml_quote("a\0b\x7f\n", 5, out),
			    "\"a\\x00b\\x7f\\x0a\"");
	assert_string_equal(ni_yaml_quote("", 0, out), "\"\"");
	/* C1 controls too (U+009B, a CSI); other non-ASCII stays. */
	assert_string_equal(ni_yaml_quote("a\xc2\x9b" "2J\xc2\xa0\xc3\xa9", 9,
					  out),
			    "\"a\\xc2\\x9b2J\xc2\xa0\xc3\xa9\"");
	/* And a byte that is not UTF-8, as the programs escape it. */
	assert_string_equal(ni_yaml_quote("a\xff\xe2\x82", 4, out),
			    "\"a\\xff\\xe2\\x82\"");

	/* Cut after 60 bytes, never inside a character. */
	char long_text[100];
	memset(long_text, 'x', 59);
	memcpy(long_text + 59, "\xc3\xa9yz", 4);
	assert_string_equal(ni_yaml_quote(long_text, 63, out),
			    "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxx...\"");
	/* Exactly 60 bytes are not cut. */
	assert_string_equal(ni_yaml_quote(long_text + 1, 60, out) + 58,
			    "x\xc3\xa9\"");

	/* The worst case fits: every byte escaped, then the cut. */
	memset(long_text, '\x01', sizeof long_text);
	ni_yaml_quote(long_text, sizeof long_text, out);
	assert_int_equal(strlen(out), NI_YAML_QUOTED_SIZE - 1);
	assert_int_equal(strcmp(out + strlen(out) - 4, "...\""), 0);
}

static void test_describe(void **state)
{
	(void)state;
	struct ni_yaml y;
	char out[NI_YAML_QUOTED_SIZE];
	open_ok(&y, "[\"a\\\"b\", {}, [], &x 1, *x]\n", 1, 0);
	assert_int_equal(ni_yaml_next(&y), NI_OK);  /* STREAM-START */
	assert_string_equal(ni_yaml_describe(&y, out), "nothing");
	assert_int_equal(ni_yaml_next(&y), NI_OK);  /* DOCUMENT-START */
	assert_int_equal(ni_yaml_next(&y), NI_OK);
	assert_string_equal(ni_yaml_describe(&y, out), "a sequence");
	static const char *const expected[] = {
		"\"a\\\"b\"", "a mapping", NULL, "a sequence", NULL,
		"\"1\"", "an alias", "nothing",
	};
	for (size_t i = 0; i < sizeof expected / sizeof *expected; i++) {
		assert_int_equal(ni_yaml_next(&y), NI_OK);
		if (expected[i])
			assert_string_equal(ni_yaml_describe(&y, out),
					    expected[i]);
	}
	assert_int_equal(y.event.type, YAML_SEQUENCE_END_EVENT);
	ni_yaml_close(&y);
}

/* ---- numbers ---------------------------------------------------------- */

static void expect_number(const char *text, double expected)
{
	double value = -12345;
	if (!ni_yaml_read_number(text, strlen(text), &value))
		fail_msg("\"%s\" was refused", text);
	if (value != expected)
		fail_msg("\"%s\" gave %g, not %g", text, value, expected);
}

static void test_numbers(void **state)
{
	(void)state;
	expect_number("37", 37);
	expect_number("-1.5", -1.5);
	expect_number("+2.25", 2.25);
	expect_number("1e3", 1000);
	expect_number(".5", 0.5);
	expect_number("0x1A", 26);  /* strtod's hexadecimal: see the header */

	static const char *const bad[] = {
		"", " 1", "1 ", "inf", "-inf", "nan", ".nan", ".inf", "1e999",
		"12abc", "1_000", "0x", "1.2.3", "1,5", "e3",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		double value = -12345;
		if (ni_yaml_read_number(bad[i], strlen(bad[i]), &value))
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_true(value == -12345);  /* untouched */
	}
	/* Any length is read whole: "0.5000...0001" with 200 decimals is
	 * 0.5 (it was refused past 63 bytes). */
	char digits[203];
	memset(digits, '0', sizeof digits);
	memcpy(digits, "0.5", 3);
	digits[sizeof digits - 1] = '1';
	double value;
	assert_true(ni_yaml_read_number(digits, sizeof digits, &value));
	assert_true(value == 0.5);
	digits[sizeof digits - 1] = 'x';
	assert_false(ni_yaml_read_number(digits, sizeof digits, &value));
	/* The length is what counts, not a NUL. */
	assert_false(ni_yaml_read_number("1\0", 2, &value));
	assert_true(ni_yaml_read_number("12", 1, &value) && value == 1);
}

/* Numbers use '.' whatever the locale says. */
static void test_locale_decimal_point(void **state)
{
	(void)state;
	use_decimal_comma_locale();
	double value;
	bool read = ni_yaml_read_number("0.25", 4, &value);
	bool comma = ni_yaml_read_number("0,25", 4, &value);
	setlocale(LC_NUMERIC, "C");
	assert_true(read && value == 0.25);
	assert_false(comma);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_one_document),
		cmocka_unit_test(test_no_document),
		cmocka_unit_test(test_two_documents),
		cmocka_unit_test(test_invalid_yaml),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_nulls),
		cmocka_unit_test(test_scalar_dup),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_locale_decimal_point),
	};
	return tests_status(cmocka_run_group_tests(tests, NULL, NULL));
}
