/*
 * ni_dates.h - dates as articles, filters and results write them: ISO
 * 8601 text read and written, and the one calendar under every date of
 * the program (the query parser's date: periods, ranking's recency).
 *
 * Instants are seconds since 1970-01-01T00:00:00Z (int64_t, negative
 * before it), in the proleptic Gregorian calendar, without leap seconds
 * (POSIX time); only years 0000-9999 are read or written.  Our own
 * arithmetic, not timegm() (not standard) or mktime() (local time).
 * Nothing here allocates, fails with a status, or depends on the locale
 * or the time zone.
 */
#ifndef NI_DATES_H
#define NI_DATES_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
/* C++ has no `[static N]` parameters; C callers get the check. */
#define NI_AT_LEAST
#else
#define NI_AT_LEAST static
#endif

/*
 * The proleptic Gregorian calendar, by days since 1970-01-01 (day 0;
 * negative before it), for years an int32_t holds; year 0 is 1 BC, a
 * leap year.
 *
 * ni_days_from_civil(): the day of `year`-`month`-`day` (month 1 to 12,
 * day 1 to ni_days_in_month(); others give some day, never a fault).
 * ni_civil_from_days(): its inverse, the date of day `days`.
 * ni_is_leap_year(): divisible by 4, but not by 100 unless by 400.
 * ni_days_in_month(): 28 to 31 (0 for a month not 1 to 12).
 * ni_days_in_year(): 365 or 366.
 */
int64_t ni_days_from_civil(int64_t year, int64_t month, int64_t day);
void ni_civil_from_days(int64_t days, int64_t *year, unsigned *month,
			unsigned *day);
bool ni_is_leap_year(int64_t year);
unsigned ni_days_in_month(int64_t year, unsigned month);
unsigned ni_days_in_year(int64_t year);

/*
 * Parse an ISO 8601 date-time as it appears in publishedDateTime:
 * "2021-12-13T10:22:00Z", with optional fractional seconds (any number
 * of digits, dropped), a "+hh:mm" / "-hhmm" / "+hh" / "Z" offset (no
 * offset means UTC), or a plain date "2021-12-13" (midnight UTC).  The
 * forms of YAML's timestamps, RFC 3339's and Jekyll's are read too: a
 * 't' or blanks for the 'T', blanks before the offset, a 'z', a
 * one-digit offset hour ("2021-12-13 10:22:00 +0800",
 * "2001-12-14 21:59:43.10 -5").  Sets *epoch
 * and returns true when the whole string is such a date with valid
 * fields ("hh:mm" without seconds is accepted, second 60 is a leap
 * second) whose instant is in years 0000-9999 in UTC, from
 * 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z (what
 * ni_format_iso8601() writes and date: filters name; so
 * 9999-12-31T23:59:59-14:00 is refused); false otherwise, leaving
 * *epoch untouched.  Blanks at either end are refused.  Articles and
 * date: filters both read dates with it.
 */
bool ni_parse_iso8601(const char *text, int64_t *epoch);

/* What ni_read_iso8601() made of a text. */
enum ni_date_reading {
	NI_DATE_OK,            /* a date, *epoch set */
	NI_DATE_INVALID,       /* not a date as ni_parse_iso8601() reads */
	NI_DATE_OUT_OF_RANGE,  /* a date, but not in years 0000-9999 UTC */
};

/*
 * ni_parse_iso8601(), and when it refuses, why: for a message that says
 * it ("not in years 0000-9999 in UTC").  *epoch as there.
 */
enum ni_date_reading ni_read_iso8601(const char *text, int64_t *epoch);

/*
 * An article's date (publishedDateTime, a related record's) as feeds
 * and exports write it: ni_read_iso8601()'s forms; else RFC 5322's, as
 * RSS's pubDate and mail write it ("Mon, 06 Dec 2021 10:22:00 GMT",
 * "6 Dec 2021 10:22 -0500", the day of the week optional, EST and the
 * other US zones' names read); else Unix time, seconds (9 or 10
 * digits) or milliseconds (12 or 13).  *epoch and the result as there.
 */
enum ni_date_reading ni_read_article_date(const char *text, int64_t *epoch);

/*
 * Format epoch seconds as "2021-12-13T10:22:00Z" into `out` (at least 21
 * bytes).  Times outside years 0000-9999 are clamped to those years' ends.
 * Returns `out`.
 */
char *ni_format_iso8601(int64_t epoch, char out[NI_AT_LEAST 21]);

#ifdef __cplusplus
}
#endif

#endif
