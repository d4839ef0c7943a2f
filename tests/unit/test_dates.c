/*
 * Unit tests for lib/base/dates.c: the calendar, against known days and
 * against the copies it replaced; ISO 8601 read and written.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "ni_dates.h"

/* ---- the calendar ----------------------------------------------------- */

/* The first and last days of years 0000-9999, the dates' whole range. */
#define FIRST_DAY (-719528)
#define LAST_DAY 2932896

/* Days counted by hand (Python's date.toordinal() for years 1-9999). */
static void test_calendar_known_days(void **state)
{
	(void)state;
	static const struct {
		int64_t y;
		unsigned m, d;
		int64_t day;
	} known[] = {
		{0, 1, 1, FIRST_DAY}, {0, 2, 29, -719469},
		{0, 3, 1, -719468}, {1, 1, 1, -719162},
		{1600, 2, 29, -135081}, {1900, 2, 28, -25509},
		{1900, 3, 1, -25508}, {1969, 12, 31, -1}, {1970, 1, 1, 0},
		{2000, 2, 29, 11016}, {2000, 3, 1, 11017},
		{2021, 12, 13, 18974}, {9999, 12, 31, LAST_DAY},
	};
	for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
		int64_t y;
		unsigned m, d;
		assert_int_equal(ni_days_from_civil(known[i].y, known[i].m,
						    known[i].d), known[i].day);
		ni_civil_from_days(known[i].day, &y, &m, &d);
		assert_int_equal(y, known[i].y);
		assert_int_equal(m, known[i].m);
		assert_int_equal(d, known[i].d);
	}
	/* 1900 is no leap year, 2000 and year 0 are. */
	assert_false(ni_is_leap_year(1900));
	assert_int_equal(ni_days_in_month(1900, 2), 28);
	assert_int_equal(ni_days_in_year(1900), 365);
	assert_true(ni_is_leap_year(2000));
	assert_int_equal(ni_days_in_month(2000, 2), 29);
	assert_int_equal(ni_days_in_year(2000), 366);
	assert_true(ni_is_leap_year(0));
	assert_false(ni_is_leap_year(2021));
	assert_true(ni_is_leap_year(2024));
	assert_int_equal(ni_days_in_month(2021, 4), 30);
	assert_int_equal(ni_days_in_month(2021, 12), 31);
	assert_int_equal(ni_days_in_month(2021, 0), 0);
	assert_int_equal(ni_days_in_month(2021, 13), 0);
}

/*
 * Every day of years 0000-9999 is the day after the one before: its date
 * is the next date (the next day of the month, the 1st of the next
 * month, January 1st of the next year), a valid one, and it comes back
 * to the same day.
 */
static void test_calendar_round_trip(void **state)
{
	(void)state;
	int64_t py = 0;
	unsigned pm = 1, pd = 0;  /* the day before 0000-01-01, as if */
	for (int64_t z = FIRST_DAY; z <= LAST_DAY; z++) {
		int64_t y;
		unsigned m, d;
		ni_civil_from_days(z, &y, &m, &d);
		bool next = (y == py && m == pm && d == pd + 1) ||
			    (y == py && m == pm + 1 && d == 1 &&
			     pd == ni_days_in_month(py, pm)) ||
			    (y == py + 1 && m == 1 && d == 1 && pm == 12 &&
			     pd == 31);
		if (!next || d > ni_days_in_month(y, m) ||
		    ni_days_from_civil(y, m, d) != z)
			fail_msg("day %lld is %04lld-%02u-%02u, after "
				 "%04lld-%02u-%02u", (long long)z,
				 (long long)y, m, d, (long long)py, pm, pd);
		py = y;
		pm = m;
		pd = d;
	}
	assert_int_equal(py, 9999);
}

/*
 * The calendars the one in dates.c replaced, as they were (at 292bac2),
 * to hold it to their answers: article.c's own, in unsigned arithmetic;
 * qparse.c's days in a month or year, with its own leap rule; rank.cc's
 * lambda, in int64_t; and rank.cc's day of an instant, by gmtime_r().
 */
static int64_t old_article_days(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static long old_qparse_days_in(long year, long month)
{
	static const long DAYS[12] = {31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (month == 0)
		return leap ? 366 : 365;
	return DAYS[month - 1] + (month == 2 && leap);
}

static int64_t old_rank_days(int64_t year, int64_t month, int64_t mday)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	int64_t yoe = year - era * 400;
	int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 +
		      mday - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void test_calendar_as_before(void **state)
{
	(void)state;
	for (long y = 0; y <= 9999; y++) {
		assert_int_equal(ni_days_in_year(y), old_qparse_days_in(y, 0));
		for (unsigned m = 1; m <= 12; m++) {
			unsigned n = ni_days_in_month(y, m);
			assert_int_equal(n, old_qparse_days_in(y, m));
			for (unsigned d = 1; d <= n; d++) {
				int64_t z = ni_days_from_civil(y, m, d);
				if (z != old_article_days(y, m, d) ||
				    z != old_rank_days(y, m, d))
					fail_msg("%04ld-%02u-%02u: %lld", y, m,
						 d, (long long)z);
			}
		}
	}
	/* rank.cc reads a day from the index with sscanf("%4d-%2d-%2d"),
	 * so also what a damaged value can give: months and days from -9
	 * to 99, as its lambda did. */
	for (int64_t y = -999; y <= 9999; y += 7)
		for (int64_t m = -9; m <= 99; m++)
			for (int64_t d = -9; d <= 99; d++)
				if (ni_days_from_civil(y, m, d) !=
				    old_rank_days(y, m, d))
					fail_msg("%lld-%lld-%lld", (long long)y,
						 (long long)m, (long long)d);
	/* The day of an instant, as gmtime_r() gave recency's days. */
	for (int64_t t = FIRST_DAY * 86400LL; t <= LAST_DAY * 86400LL + 86399;
	     t += 86400 * 3 + 4243) {
		time_t tt = (time_t)t;
		struct tm tm;
		int64_t y;
		unsigned m, d;
		assert_non_null(gmtime_r(&tt, &tm));
		ni_civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400,
				   &y, &m, &d);
		if (y != tm.tm_year + 1900 || m != (unsigned)tm.tm_mon + 1 ||
		    d != (unsigned)tm.tm_mday)
			fail_msg("%lld: %04lld-%02u-%02u, gmtime_r %d-%d-%d",
				 (long long)t, (long long)y, m, d,
				 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	}
}

/* ---- ISO 8601 --------------------------------------------------------- */

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
	/* YAML's timestamps, RFC 3339's and Jekyll's forms: a space or
	 * 't' for the 'T', blanks before the offset, 'z', +hh and +h. */
	expect_epoch("2021-12-13 10:22:00", 1639390920);
	expect_epoch("2021-12-13 18:22:00 +0800", 1639390920);
	expect_epoch("2021-12-13 18:22:00+08:00", 1639390920);
	expect_epoch("2021-12-13  \t05:22:00.000000000 -05:00", 1639390920);
	expect_epoch("2021-12-13t10:22:00z", 1639390920);
	expect_epoch("2021-12-13T15:22:00+05", 1639390920);
	expect_epoch("2021-12-13 05:22:00 -5", 1639390920);
	expect_epoch("2021-12-13 10:22 Z", 1639390920);
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
		"2021-12-13T10:22:00+05:60", "2021-12-13T10:22:00+053",
		"2021-12-13T10:22:00.Z", "2021-12-13T", "2021-12-13T10",
		"2021-12-13 10", "21-12-13", "2021-1-13", "",
		"yesterday", "2021-12-13T10:22:00Zjunk", "2021-12-13Z",
		"+2021-12-13", "2021-12-13T10:22:00 ", "20211213",
		"2021-12-13 ", " 2021-12-13", "2021-12-13 10:22:00 ",
		"2021-12-13 +0800", "2021-12-13T10:22:00 junk",
		"2021-12-13T10:22:00+5:0", "2021-12-13T10:22:00zz",
		"2021-12-13T1:22:00Z",
		/* A part begun and not finished: a colon without the
		 * seconds, a sign without the offset. */
		"2021-12-13T10:22:Z", "2021-12-13T10:22:00+",
		"2021-12-13T10:22:00-", "2021-12-13 10:22:00 -",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t epoch;
		if (ni_parse_iso8601(bad[i], &epoch))
			fail_msg("\"%s\" was accepted", bad[i]);
		assert_int_equal(ni_read_iso8601(bad[i], &epoch),
				 NI_DATE_INVALID);
	}
}

static void expect_article_date(const char *text, int64_t want)
{
	int64_t epoch = 12345;
	enum ni_date_reading reading = ni_read_article_date(text, &epoch);
	if (reading != NI_DATE_OK || epoch != want)
		fail_msg("\"%s\" gave %d, %lld; want %lld", text, (int)reading,
			 (long long)epoch, (long long)want);
}

/* An article's date as RSS (RFC 5322) and Unix time write it, besides
 * ISO 8601. */
static void test_article_dates(void **state)
{
	(void)state;
	expect_article_date("2021-12-13T10:22:00Z", 1639390920);
	expect_article_date("Mon, 13 Dec 2021 10:22:00 GMT", 1639390920);
	expect_article_date("mon,13 DEC 2021 10:22:00 +0000", 1639390920);
	expect_article_date("13 Dec 2021 10:22 Z", 1639390920);
	expect_article_date("Mon, 13 Dec 2021 05:22:00 EST", 1639390920);
	expect_article_date("Mon, 13 Dec 2021 03:22:00 PDT", 1639390920);
	expect_article_date("Mon, 13 Dec 2021 11:22:00 +01:00", 1639390920);
	expect_article_date("Mon, 13 Dec 2021 10:22:00 UT", 1639390920);
	expect_article_date("Mon, 13 Dec 2021 10:22:00", 1639390920);
	expect_article_date("Mon, 13 Dec 2021 10:22:00 +0000 (UTC)",
			    1639390920);
	expect_article_date("Mon, 13 Dec 21 10:22:00 GMT", 1639390920);
	expect_article_date("Sun, 9 May 99 00:00:00 GMT", 926208000);
	expect_article_date("Mon, 13 Dec 2021 15:52:00 +0530", 1639390920);
	expect_article_date("1639390920", 1639390920);
	expect_article_date("1639390920123", 1639390920);
	expect_article_date("926208000", 926208000);
	static const char *const bad[] = {
		"Monday, 13 Dec 2021 10:22:00 GMT", "Mon 13 Dec 2021 10:22:00",
		"13 December 2021 10:22:00", "31 Feb 2021 10:22:00 GMT",
		"13 Dec 2021", "13 Dec 2021 10:22:00 GMTX",
		"13 Dec 2021 10:22:00 (UTC", "13 Dec 202 10:22:00",
		"013 Dec 2021 10:22:00", "13 Dec 2021 25:00:00", "13Dec 2021",
		"2021", "12345678", "16393909201", "163939092012345", "-1",
		"13 Dec 2021 10:22:00GMT", "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int64_t epoch = 12345;
		if (ni_read_article_date(bad[i], &epoch) != NI_DATE_INVALID)
			fail_msg("\"%s\" was accepted as %lld", bad[i],
				 (long long)epoch);
	}
	int64_t epoch;
	assert_int_equal(ni_read_article_date("31 Dec 9999 23:59:59 -0100",
					      &epoch), NI_DATE_OUT_OF_RANGE);
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
		cmocka_unit_test(test_calendar_known_days),
		cmocka_unit_test(test_calendar_round_trip),
		cmocka_unit_test(test_calendar_as_before),
		cmocka_unit_test(test_iso8601_valid),
		cmocka_unit_test(test_iso8601_invalid),
		cmocka_unit_test(test_iso8601_out_of_range),
		cmocka_unit_test(test_iso8601_format),
		cmocka_unit_test(test_iso8601_round_trip),
		cmocka_unit_test(test_article_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
