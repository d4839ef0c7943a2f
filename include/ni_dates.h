/*
 * ni_dates.h - dates as articles, filters and results write them: ISO
 * 8601 text read and written.
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

/*
 * Parse an ISO 8601 date-time as it appears in publishedDateTime:
 * "2021-12-13T10:22:00Z", with optional fractional seconds (any number
 * of digits, dropped), a "+hh:mm" / "-hhmm" / "Z" offset (no offset
 * means UTC), or a plain date "2021-12-13" (midnight UTC).  Sets *epoch
 * and returns true when the whole string is such a date with valid
 * fields ("hh:mm" without seconds is accepted, second 60 is a leap
 * second) whose instant is in years 0000-9999 in UTC, from
 * 0000-01-01T00:00:00Z to 9999-12-31T23:59:59Z (what
 * ni_format_iso8601() writes and date: filters name; so
 * 9999-12-31T23:59:59-14:00 is refused); false otherwise, leaving
 * *epoch untouched.  Lowercase 't'/'z', a space for 'T' and "+hh"
 * offsets are refused.  Articles and date: filters both read dates
 * with it.
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
 * Format epoch seconds as "2021-12-13T10:22:00Z" into `out` (at least 21
 * bytes).  Times outside years 0000-9999 are clamped to those years' ends.
 * Returns `out`.
 */
char *ni_format_iso8601(int64_t epoch, char out[static 21]);

#endif
