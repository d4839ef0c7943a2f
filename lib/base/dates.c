/*
 * ni_dates: see include/ni_dates.h.
 */
#include "ni_dates.h"

#include "ascii.h"

/* ---- the calendar ----------------------------------------------------- */

/*
 * Howard Hinnant's days_from_civil and civil_from_days: a year is counted
 * from March, so the leap day is its last, and 400 years (an era) are
 * 146097 days.  In int64_t throughout, so that a month or day out of
 * range gives a number rather than wrapping (rank.cc reads them from an
 * index).
 */
int64_t ni_days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void ni_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

bool ni_is_leap_year(int64_t y)
{
	return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

unsigned ni_days_in_month(int64_t y, unsigned m)
{
	static const unsigned char days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && ni_is_leap_year(y) ? 29 : days[m - 1];
}

unsigned ni_days_in_year(int64_t y)
{
	return ni_is_leap_year(y) ? 366 : 365;
}

/* ---- ISO 8601 --------------------------------------------------------- */

/* Read exactly `n` digits. */
static bool read_digits(const char **s, int n, unsigned *value)
{
	*value = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit((*s)[i]))
			return false;
		*value = *value * 10 + (unsigned)((*s)[i] - '0');
	}
	*s += n;
	return true;
}

/* Step over `c` if it is next; never past the terminating NUL. */
static bool skip_char(const char **s, char c)
{
	if (**s != c)
		return false;
	(*s)++;
	return true;
}

static bool read_date(const char **s, int64_t *days)
{
	unsigned y, m, d;
	if (!read_digits(s, 4, &y) || !skip_char(s, '-') ||
	    !read_digits(s, 2, &m) || !skip_char(s, '-') ||
	    !read_digits(s, 2, &d))
		return false;
	if (m < 1 || m > 12 || d < 1 || d > ni_days_in_month(y, m))
		return false;
	*days = ni_days_from_civil(y, m, d);
	return true;
}

/* hh:mm[:ss[.fraction]]; the fraction is dropped. */
static bool read_time(const char **s, int64_t *seconds)
{
	unsigned h, min, sec = 0;
	if (!read_digits(s, 2, &h) || !skip_char(s, ':') ||
	    !read_digits(s, 2, &min))
		return false;
	if (skip_char(s, ':')) {
		if (!read_digits(s, 2, &sec))
			return false;
		if (skip_char(s, '.')) {
			if (!is_digit(**s))
				return false;
			while (is_digit(**s))
				(*s)++;
		}
	}
	/* 60 is a leap second; it counts as the next minute's first. */
	if (h > 23 || min > 59 || sec > 60)
		return false;
	*seconds = h * 3600 + min * 60 + sec;
	return true;
}

/* Step over spaces and tabs; false if there are none. */
static bool skip_blanks(const char **s)
{
	const char *start = *s;
	while (**s == ' ' || **s == '\t')
		(*s)++;
	return *s > start;
}

/*
 * Z, +hh:mm, -hhmm, +hh (YAML's +h too), or nothing (UTC), maybe after
 * blanks (YAML's "21:59:43 -05:00", Jekyll's "10:00:00 +0800"): seconds
 * east of UTC.
 */
static bool read_offset(const char **s, int64_t *offset)
{
	unsigned h, min = 0;
	*offset = 0;
	if (!**s)
		return true;
	if (skip_blanks(s) && !**s)
		return false;  /* trailing blanks: not what a date ends with */
	if (skip_char(s, 'Z') || skip_char(s, 'z'))
		return true;
	int sign = skip_char(s, '+') ? 1 : skip_char(s, '-') ? -1 : 0;
	if (!sign || !(read_digits(s, 2, &h) || read_digits(s, 1, &h)))
		return false;
	bool colon = skip_char(s, ':');
	if ((colon || **s) && !read_digits(s, 2, &min))
		return false;
	if (h > 23 || min > 59)
		return false;
	*offset = sign * (int64_t)(h * 3600 + min * 60);
	return true;
}

/* Between the date and the time: T, t, or blanks (YAML's and RFC
 * 3339's "2021-12-13 10:22:00", which Jekyll and PyYAML write). */
static bool skip_time_separator(const char **s)
{
	const char *after = *s;
	if (!skip_char(&after, 'T') && !skip_char(&after, 't') &&
	    !(skip_blanks(&after) && *after))
		return false;
	*s = after;
	return true;
}

/* The first and last instants of years 0000-9999 UTC. */
static int64_t first_instant(void)
{
	return ni_days_from_civil(0, 1, 1) * 86400;
}

static int64_t last_instant(void)
{
	return ni_days_from_civil(9999, 12, 31) * 86400 + 86399;
}

enum ni_date_reading ni_read_iso8601(const char *text, int64_t *epoch)
{
	const char *s = text;
	int64_t days, seconds = 0, offset = 0;
	if (!read_date(&s, &days))
		return NI_DATE_INVALID;
	if (skip_time_separator(&s) &&
	    (!read_time(&s, &seconds) || !read_offset(&s, &offset)))
		return NI_DATE_INVALID;
	if (*s)
		return NI_DATE_INVALID;
	/*
	 * Years 0000-9999 in UTC, not only as written: an offset can take
	 * 9999-12-31T23:59:59-14:00 into year 10000, which no date: filter
	 * names and ni_format_iso8601() cannot write.
	 */
	int64_t at = days * 86400 + seconds - offset;
	if (at < first_instant() || at > last_instant())
		return NI_DATE_OUT_OF_RANGE;
	*epoch = at;
	return NI_DATE_OK;
}

bool ni_parse_iso8601(const char *text, int64_t *epoch)
{
	return ni_read_iso8601(text, epoch) == NI_DATE_OK;
}

/* ---- RFC 5322 (RSS's pubDate) and Unix time --------------------------- */

/* The index (0-based) of the three-letter name at *s among `names`
 * (12 or 7 of them, any case), stepping over it; -1 if none. */
static int read_name(const char **s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (equals_word_ci(*s, 3, names[i]) &&
		    !(ascii_lower((*s)[3]) >= 'a' &&
		      ascii_lower((*s)[3]) <= 'z')) {
			*s += 3;
			return i;
		}
	return -1;
}

/* 1 to `max` digits. */
static bool read_some_digits(const char **s, int max, unsigned *value)
{
	int n = 0;
	while (n < max && is_digit((*s)[n]))
		n++;
	return n > 0 && !is_digit((*s)[n]) && read_digits(s, n, value);
}

/* The zones RFC 5322 names (its obsolete ones, which feeds still
 * write): hours east of UTC. */
static bool read_zone_name(const char **s, int64_t *offset)
{
	static const struct { const char *name; int hours; } zones[] = {
		{"gmt", 0}, {"utc", 0}, {"edt", -4}, {"est", -5},
		{"cdt", -5}, {"cst", -6}, {"mdt", -6}, {"mst", -7},
		{"pdt", -7}, {"pst", -8},
	};
	for (size_t i = 0; i < sizeof zones / sizeof *zones; i++)
		if (equals_word_ci(*s, 3, zones[i].name)) {
			*s += 3;
			*offset = zones[i].hours * 3600;
			return true;
		}
	if (equals_word_ci(*s, 2, "ut")) {
		*s += 2;
		*offset = 0;
		return true;
	}
	return false;
}

/*
 * "Mon, 06 Dec 2021 10:22:00 GMT", as RSS and mail write a date (RFC
 * 5322 section 3.3 and its obsolete forms): the day of the week
 * optional (and not checked), a one- or two-digit day, a two-digit year
 * as 19xx from 50 on and 20xx below, seconds optional, then +hhmm,
 * -hhmm, +hh:mm, Z or a zone's name, or nothing (UTC), and maybe a
 * "(comment)".  *days and *seconds as written, *offset east of UTC.
 */
static bool read_rfc5322(const char *s, int64_t *days, int64_t *seconds,
			 int64_t *offset)
{
	static const char *const week[] = {"mon", "tue", "wed", "thu", "fri",
					   "sat", "sun"};
	static const char *const months[] = {"jan", "feb", "mar", "apr",
					     "may", "jun", "jul", "aug",
					     "sep", "oct", "nov", "dec"};
	if (read_name(&s, week, 7) >= 0) {
		skip_blanks(&s);
		if (!skip_char(&s, ','))
			return false;
		skip_blanks(&s);
	}
	unsigned d, y;
	if (!read_some_digits(&s, 2, &d) || !skip_blanks(&s))
		return false;
	int m = read_name(&s, months, 12);
	if (m < 0 || !skip_blanks(&s))
		return false;
	const char *year = s;
	if (!read_some_digits(&s, 4, &y) || (s - year != 2 && s - year != 4))
		return false;
	if (s - year == 2)
		y += y >= 50 ? 1900 : 2000;
	if (d < 1 || d > ni_days_in_month(y, (unsigned)m + 1) ||
	    !skip_blanks(&s) || !read_time(&s, seconds))
		return false;
	*days = ni_days_from_civil(y, m + 1, d);
	*offset = 0;
	bool blank = skip_blanks(&s);
	if (*s && *s != '(') {
		if (!blank || !(read_zone_name(&s, offset) ||
				read_offset(&s, offset)))
			return false;
		skip_blanks(&s);
	}
	if (skip_char(&s, '(')) {
		while (*s && *s != ')')
			s++;
		if (!skip_char(&s, ')'))
			return false;
	}
	return !*s;
}

/* Seconds (9 or 10 digits: 1973 to 2286) or milliseconds (12 or 13:
 * JavaScript's Date.now()) since 1970 UTC. */
static bool read_unix_time(const char *s, int64_t *at)
{
	size_t n = 0;
	int64_t value = 0;
	while (is_digit(s[n]) && n < 14)
		value = value * 10 + (s[n++] - '0');
	if (s[n] || !(n == 9 || n == 10 || n == 12 || n == 13))
		return false;
	*at = n >= 12 ? value / 1000 : value;
	return true;
}

enum ni_date_reading ni_read_article_date(const char *text, int64_t *epoch)
{
	enum ni_date_reading reading = ni_read_iso8601(text, epoch);
	if (reading != NI_DATE_INVALID)
		return reading;
	int64_t days, seconds, offset, at;
	if (read_rfc5322(text, &days, &seconds, &offset))
		at = days * 86400 + seconds - offset;
	else if (!read_unix_time(text, &at))
		return NI_DATE_INVALID;
	if (at < first_instant() || at > last_instant())
		return NI_DATE_OUT_OF_RANGE;
	*epoch = at;
	return NI_DATE_OK;
}

/* Write `value` as exactly `width` digits. */
static char *put_digits(char *out, unsigned value, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		out[i] = (char)('0' + value % 10);
		value /= 10;
	}
	return out + width;
}

char *ni_format_iso8601(int64_t epoch, char out[static 21])
{
	/* Four-digit years are all that fit in 20 characters. */
	const int64_t min = first_instant(), max = last_instant();
	if (epoch < min)
		epoch = min;
	if (epoch > max)
		epoch = max;

	int64_t days = epoch / 86400, secs = epoch % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	ni_civil_from_days(days, &y, &m, &d);

	char *p = put_digits(out, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(secs / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(secs / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(secs % 60), 2);
	*p++ = 'Z';
	*p = '\0';
	return out;
}
