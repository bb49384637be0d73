/*
 * date - calendar dates without time of day, as the domain counts them.
 *
 * Every deadline in affild (reminders, end of portability, future-dated
 * radiations, end of dispenses) is a calendar date in Europe/Paris, so a date
 * is a plain (year, month, day) triple, never a time_t.  Arithmetic goes
 * through a day number (days since 1970-01-01, negative before), computed
 * with the proleptic Gregorian calendar: exact for any year 1..9999, and the
 * project only stores 1900..2199.
 *
 * Adding months follows the contract rule of rules.md: the same day number k
 * months later, and when that month lacks the day, the 1st of the month after
 * (31 Jan + 1 month = 1 Mar, never 28 Feb).
 *
 * Values are passed by copy; nothing here keeps state but the Europe/Paris
 * zone, loaded once (GLib's GTimeZone): every function is thread-safe and
 * none touches the process environment.
 */
#ifndef AFFILD_DATE_H
#define AFFILD_DATE_H

#include <time.h>

struct date {
	int y, m, d;
};

#define DATE_ISO_SIZE 11	/* "AAAA-MM-JJ" + NUL, also "JJ/MM/AAAA" */

/* date_valid - 1 when (y, m, d) exists in the calendar, year 1..9999 */
int date_valid(int y, int m, int d);

/* date_days_in_month - 28..31; 0 for a month outside 1..12 */
int date_days_in_month(int y, int m);

/* date_to_days - days since 1970-01-01 of a valid date */
long date_to_days(struct date d);

/* date_from_days - the date of a day number (inverse of date_to_days) */
struct date date_from_days(long days);

/* date_add_days - d + n days (n may be negative) */
struct date date_add_days(struct date d, long n);

/* date_add_months - d + k months, rolling to the 1st when the day is lacking */
struct date date_add_months(struct date d, int k);

/* date_cmp - <0, 0, >0 as a is before, equal to, after b */
int date_cmp(struct date a, struct date b);

/* date_diff_days - b - a in days */
long date_diff_days(struct date a, struct date b);

/* date_age - full years from birth to at (the day of a birthday counts) */
int date_age(struct date birth, struct date at);

/*
 * date_format - "AAAA-MM-JJ" into out, returned for convenience; an invalid
 * date is written "0000-00-00".  date_format_fr - the same as "JJ/MM/AAAA",
 * for French text (reports, emails).
 */
const char *date_format(struct date d, char out[DATE_ISO_SIZE]);
const char *date_format_fr(struct date d, char out[DATE_ISO_SIZE]);
/* date_iso_fr - an "AAAA-MM-JJ" text as "JJ/MM/AAAA"; "" for NULL or an
 * unreadable date */
const char *date_iso_fr(const char *iso, char out[DATE_ISO_SIZE]);

/*
 * date_parse_iso - strict "AAAA-MM-JJ", for our own storage (database,
 * state files, config).  0 and *out set, or -1 for anything else, including
 * a well-formed date that does not exist.  Input from employers goes through
 * v_date() (parsers/validate.h), which accepts more and explains refusals.
 */
int date_parse_iso(const char *s, struct date *out);

/*
 * date_of_time - the calendar date in Europe/Paris at instant t, whatever
 * the process TZ is.  date_today - the same for now.  The zone comes from
 * the tzdata package (Priority: required on Debian), loaded once; {0, 0, 0}
 * when it is missing (logged).
 */
struct date date_of_time(time_t t);
struct date date_today(void);

/* date_parse_utc - the instant a UTC timestamp "AAAA-MM-JJTHH:MM:SSZ"
 * (what the store writes) names; (time_t)-1 when it is not one */
time_t date_parse_utc(const char *s);

/* date_midnight - the instant 00:00 Europe/Paris begins day d (the timers
 * wake then).  (time_t)-1 on error. */
time_t date_midnight(struct date d);

/*
 * date_at_local - the instant of local time minutes (0..1439 after 00:00)
 * on day d in Europe/Paris, through GLib: never "midnight + minutes * 60",
 * which is an hour off after a DST change that same night.  A time that
 * does not exist (02:00-02:59 on the last Sunday of March) is the instant
 * the clocks jump to, 03:00 CEST; one that exists twice (02:00-02:59 on the
 * last Sunday of October) is the second, in CET (GLib's choices).  (time_t)-1 on error.
 */
time_t date_at_local(struct date d, int minutes);

#endif
