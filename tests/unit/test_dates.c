/*
 * Unit tests for lib/dates.c: ISO 8601 read and written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ni_dates.h"

static void expect_epoch(const char *text, int64_t want)
{
	int64_t epoch = 12345;
	if (!ni_parse_iso8601(text, &epoch))
		fail_msg("\"%s\" was refused", text);
	if (epoch != want)
		fail_msg("\"%s\" gave %lld, want %lld", text,
			 (long long)epoch, (long long)want);
}

static void test_iso8601_valid(void **state)
{
	(void)state;
	expect_epoch("2021-12-13T10:22:00Z", 1639390920);
	expect_epoch("2021-12-13T10:22:00", 1639390920);
	expect_epoch("2021-12-13T10:22Z", 1639390920);
	expect_epoch("2021-12-13T15:52:00+05:30", 1639390920);
	expect_epoch("2021-12-13T02:22:00-0800", 1639390920);
	expect_epoch("2021-12-13T10:22:00.999999Z", 1639390920);
	expect_epoch("2021-12-13T10:22:00.5+00:00", 1639390920);
	expect_epoch("2021-12-13", 1639353600);
	expect_epoch("2020-02-29", 1582934400);
	expect_epoch("2000-02-29", 951782400);
	expect_epoch("1970-01-01T00:00:00Z", 0);
	expect_epoch("1969-12-31T23:59:59Z", -1);
	expect_epoch("2016-12-31T23:59:60Z", 1483228800);
	expect_epoch("0000-01-01", -62167219200);
	expect_epoch("0001-01-01T00:00:00Z", -62135596800);
	expect_epoch("9999-12-31T23:59:59Z", 253402300799);
	/* Any number of digits of a fraction, as a date: filter reads. */
	expect_epoch("2021-12-13T10:22:00.123456789012345678901234567890Z",
		     1639390920);
	/* The first and last instants, written with an offset. */
	expect_epoch("9999-12-31T09:59:59-14:00", 253402300799);
	expect_epoch("0000-01-01T14:00:00+14:00", -62167219200);
}

/*
 * An instant outside years 0000-9999 in UTC is refused even when the
 * date as written is in them: 9999-12-31T23:59:59-14:00 is year 10000
 * in UTC, which no date: filter names and no date is shown as.
 */
static void test_iso8601_out_of_range(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"9999-12-31T23:59:59-14:00", "9999-12-31T10:00:00-14:00",
		"9999-12-31T23:59:60Z", "0000-01-01T00:00:00+00:01",
		"0000-01-01T13:59:59+14:00",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t epoch = 12345;
		if (ni_parse_iso8601(bad[i], &epoch))
			fail_msg("\"%s\" was accepted as %lld", bad[i],
				 (long long)epoch);
		assert_true(epoch == 12345);  /* untouched */
		assert_int_equal(ni_read_iso8601(bad[i], &epoch),
				 NI_DATE_OUT_OF_RANGE);
	}
}

static void test_iso8601_invalid(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2021-02-29", "1900-02-29", "2021-13-01", "2021-00-10",
		"2021-04-31", "2021-12-00", "2021-12-32",
		"2021-12-13T24:00:00Z", "2021-12-13T10:60:00Z",
		"2021-12-13T10:22:61Z", "2021-12-13T10:22:00+24:00",
		"2021-12-13T10:22:00+05:60", "2021-12-13T10:22:00+05",
		"2021-12-13T10:22:00.Z", "2021-12-13T", "2021-12-13T10",
		"2021-12-13 10:22:00", "21-12-13", "2021-1-13", "",
		"yesterday", "2021-12-13T10:22:00Zjunk", "2021-12-13Z",
		"+2021-12-13", "2021-12-13T10:22:00 ", "20211213",
		"2021-12-13T10:22:00z", "2021-12-13T1:22:00Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t epoch;
		if (ni_parse_iso8601(bad[i], &epoch))
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_int_equal(ni_read_iso8601(bad[i], &epoch),
				 NI_DATE_INVALID);
	}
}

static void expect_format(int64_t epoch, const char *want)
{
	char out[21];
	memset(out, 'x', sizeof out);
	assert_ptr_equal(ni_format_iso8601(epoch, out), out);
	assert_string_equal(out, want);
}

static void test_iso8601_format(void **state)
{
	(void)state;
	expect_format(1639390920, "2021-12-13T10:22:00Z");
	expect_format(0, "1970-01-01T00:00:00Z");
	expect_format(-1, "1969-12-31T23:59:59Z");
	expect_format(951782400, "2000-02-29T00:00:00Z");
	expect_format(-62167219200, "0000-01-01T00:00:00Z");
	expect_format(253402300799, "9999-12-31T23:59:59Z");
	/* Out of the four-digit range: clamped, never overflowing out. */
	expect_format(INT64_MIN, "0000-01-01T00:00:00Z");
	expect_format(INT64_MAX, "9999-12-31T23:59:59Z");
}

static void test_iso8601_round_trip(void **state)
{
	(void)state;
	const int64_t first = -62167219200, last = 253402300799;
	size_t checked = 0;
	/* A step coprime with 86400 visits every time of day over time. */
	for (int64_t t = first; t <= last; t += 7777777 + 13) {
		char out[21];
		int64_t back;
		ni_format_iso8601(t, out);
		if (!ni_parse_iso8601(out, &back) || back != t)
			fail_msg("%lld -> %s does not come back",
				 (long long)t, out);
		checked++;
	}
	assert_true(checked > 30000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso8601_valid),
		cmocka_unit_test(test_iso8601_invalid),
		cmocka_unit_test(test_iso8601_out_of_range),
		cmocka_unit_test(test_iso8601_format),
		cmocka_unit_test(test_iso8601_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
