/*
 * date - calendar dates, day numbers, the month rule, Europe/Paris "today".
 *
 * Day numbers use Howard Hinnant's civil-from-days algorithms (public
 * domain, "chrono-Compatible Low-Level Date Algorithms"): the year is shifted
 * to start in March so that the leap day falls at the end, and 400-year eras
 * repeat exactly.  No table, no loop, no time_t range limits.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "date.h"
#include "log.h"
#include "util.h"

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* date_days_in_month - length of a month, February by the leap rule */
int date_days_in_month(int y, int m)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30,
				     31, 31, 30, 31, 30, 31 };

	if (m < 1 || m > 12)
		return 0;
	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* date_valid - the date exists, in years we can print with 4 digits */
int date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && d >= 1 && d <= date_days_in_month(y, m);
}

/* date_to_days - days since 1970-01-01 (Hinnant's days_from_civil) */
long date_to_days(struct date d)
{
	long y = d.y - (d.m <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (d.m > 2 ? d.m - 3 : d.m + 9) + 2) / 5 + d.d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* date_from_days - the inverse (Hinnant's civil_from_days) */
struct date date_from_days(long days)
{
	long z = days + 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	struct date out;

	out.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	out.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	out.y = (int)(yoe + era * 400 + (out.m <= 2));
	return out;
}

/* date_add_days - through day numbers, so month and year ends are free */
struct date date_add_days(struct date d, long n)
{
	return date_from_days(date_to_days(d) + n);
}

/* date_add_months - same day k months later, else the 1st of the month after */
struct date date_add_months(struct date d, int k)
{
	long total = (long)d.y * 12 + (d.m - 1) + k;
	long y = total >= 0 ? total / 12 : (total - 11) / 12;
	struct date out;

	out.y = (int)y;
	out.m = (int)(total - y * 12) + 1;
	out.d = d.d;
	if (out.d > date_days_in_month(out.y, out.m)) {
		/* rules.md: 31 Jan + 1 month = 1 Mar, not 28 or 29 Feb. */
		out.d = 1;
		out.m++;
		if (out.m > 12) {
			out.m = 1;
			out.y++;
		}
	}
	return out;
}

/* date_cmp - field by field, so it needs no day number */
int date_cmp(struct date a, struct date b)
{
	if (a.y != b.y)
		return a.y < b.y ? -1 : 1;
	if (a.m != b.m)
		return a.m < b.m ? -1 : 1;
	if (a.d != b.d)
		return a.d < b.d ? -1 : 1;
	return 0;
}

/* date_diff_days - signed distance in days from a to b */
long date_diff_days(struct date a, struct date b)
{
	return date_to_days(b) - date_to_days(a);
}

/* date_age - full years; born 29 Feb, one is a year older on 1 Mar */
int date_age(struct date birth, struct date at)
{
	int age = at.y - birth.y;

	if (at.m < birth.m || (at.m == birth.m && at.d < birth.d))
		age--;
	return age;
}

/* date_format - ISO 8601 calendar date */
const char *date_format(struct date d, char out[DATE_ISO_SIZE])
{
	if (!date_valid(d.y, d.m, d.d))
		d.y = d.m = d.d = 0;
	/* Four-digit years and two-digit months and days always fit. */
	(void)snprintf(out, DATE_ISO_SIZE, "%04u-%02u-%02u",
		       (unsigned)d.y % 10000u, (unsigned)d.m % 100u,
		       (unsigned)d.d % 100u);
	return out;
}

/* date_format_fr - day first, as French readers expect */
const char *date_format_fr(struct date d, char out[DATE_ISO_SIZE])
{
	if (!date_valid(d.y, d.m, d.d))
		d.y = d.m = d.d = 0;
	(void)snprintf(out, DATE_ISO_SIZE, "%02u/%02u/%04u",
		       (unsigned)d.d % 100u, (unsigned)d.m % 100u,
		       (unsigned)d.y % 10000u);
	return out;
}

const char *date_iso_fr(const char *iso, char out[DATE_ISO_SIZE])
{
	struct date d;

	if (iso == NULL || date_parse_iso(iso, &d) < 0) {
		out[0] = '\0';
		return out;
	}
	return date_format_fr(d, out);
}

/* digits - value of n ASCII digits at s, or -1 */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* date_parse_iso - exactly ten characters, dashes in place, a real date */
int date_parse_iso(const char *s, struct date *out)
{
	struct date d;

	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	d.y = digits(s, 4);
	d.m = digits(s + 5, 2);
	d.d = digits(s + 8, 2);
	if (d.y < 0 || d.m < 0 || d.d < 0 || !date_valid(d.y, d.m, d.d))
		return -1;
	*out = d;
	return 0;
}

/*
 * Europe/Paris, loaded once from the system's tzdata by GLib and never
 * through the process environment: setenv("TZ") is not thread-safe, and the
 * SMTP thread, libcurl and the message builder run beside these calls.  A
 * GTimeZone is immutable, so every thread may share it.
 */
static GTimeZone *paris;
static pthread_once_t paris_once = PTHREAD_ONCE_INIT;

static void paris_load(void)
{
	paris = g_time_zone_new_identifier("Europe/Paris");
	if (paris == NULL)
		log_err("event=tzdata_missing zone=Europe/Paris hint=\"install "
			"the tzdata package\"");
}

static GTimeZone *paris_zone(void)
{
	(void)pthread_once(&paris_once, paris_load);
	return paris;
}

/* date_parse_utc - see date.h */
time_t date_parse_utc(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) ==
	    NULL || *end != '\0')
		return (time_t)-1;
	return timegm(&tm);
}

/* date_of_time - the calendar date in Europe/Paris at instant t */
struct date date_of_time(time_t t)
{
	struct date out = { 0, 0, 0 };
	GTimeZone *tz = paris_zone();
	GDateTime *utc, *local;

	if (tz == NULL || (utc = g_date_time_new_from_unix_utc(t)) == NULL) {
		log_err("cannot convert time %lld to a Paris date", (long long)t);
		return out;
	}
	local = g_date_time_to_timezone(utc, tz);
	g_date_time_unref(utc);
	if (local == NULL) {
		log_err("cannot convert time %lld to a Paris date", (long long)t);
		return out;
	}
	g_date_time_get_ymd(local, &out.y, &out.m, &out.d);
	g_date_time_unref(local);
	return out;
}

/* date_today - today's date in Europe/Paris */
struct date date_today(void)
{
	return date_of_time(time(NULL));
}

/* date_midnight - the instant 00:00 Europe/Paris begins day d */
time_t date_midnight(struct date d)
{
	GTimeZone *tz = paris_zone();
	GDateTime *dt;
	time_t t;

	/* Paris changes at 02:00/03:00: 00:00 always exists. */
	if (tz == NULL || (dt = g_date_time_new(tz, d.y, d.m, d.d, 0, 0,
						0)) == NULL)
		return (time_t)-1;
	t = (time_t)g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}

/* date_at_local - the instant of local time minutes on day d in Paris */
time_t date_at_local(struct date d, int minutes)
{
	GTimeZone *tz = paris_zone();
	GDateTime *dt;
	time_t t;

	if (minutes < 0 || minutes >= 24 * 60 || tz == NULL)
		return (time_t)-1;
	/* GLib moves a time in the spring gap to its end (03:00) and takes
	 * the standard-time interval of an autumn overlap. */
	dt = g_date_time_new(tz, d.y, d.m, d.d, minutes / 60, minutes % 60, 0);
	if (dt == NULL)
		return (time_t)-1;
	t = (time_t)g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return t;
}
