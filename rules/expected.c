/*
 * expected - due dates, cutoffs and periods of the expected-file
 * calendar (expected.h).  Dates step through common/date.c's day numbers;
 * ISO weekdays come from the day number (1970-01-01 was a Thursday).
 */
#include <stdlib.h>

#include "rules/expected.h"

/* weekday - ISO 8601: 1 Monday .. 7 Sunday */
static int weekday(struct date d)
{
	long n = date_to_days(d);	/* 0: Thursday */
	long w = ((n % 7) + 7 + 3) % 7;	/* 0: Monday */

	return (int)w + 1;
}

/* due_in_month - the due date of month (y, m) */
static struct date due_in_month(const struct cfg_expected *x, int y, int m)
{
	struct date d = { y, m, x->monthly_day };

	if (x->monthly_day == CFG_MONTHLY_LAST)
		d.d = date_days_in_month(y, m);
	return d;
}

struct date expected_due_on_or_before(const struct cfg_expected *x,
				      struct date d)
{
	struct date due;

	if (x->every == CFG_EVERY_WEEK)
		return date_add_days(d, -(long)((weekday(d) - x->weekly_day +
						 7) % 7));
	due = due_in_month(x, d.y, d.m);
	if (date_cmp(due, d) <= 0)
		return due;
	return d.m == 1 ? due_in_month(x, d.y - 1, 12) :
			  due_in_month(x, d.y, d.m - 1);
}

struct date expected_due_on_or_after(const struct cfg_expected *x,
				     struct date d)
{
	struct date due;

	if (x->every == CFG_EVERY_WEEK)
		return date_add_days(d, (long)((x->weekly_day - weekday(d) +
						7) % 7));
	due = due_in_month(x, d.y, d.m);
	if (date_cmp(due, d) >= 0)
		return due;
	return d.m == 12 ? due_in_month(x, d.y + 1, 1) :
			   due_in_month(x, d.y, d.m + 1);
}

time_t expected_cutoff(const struct cfg_expected *x, struct date d)
{
	return date_at_local(d, x->cutoff_min);
}

/* fill - out for due date due: its cutoff and the previous one's */
static int fill(const struct cfg_expected *x, struct date due,
		struct expected_occ *out)
{
	struct date prev = expected_due_on_or_before(x, date_add_days(due, -1));

	out->due = due;
	out->cutoff = expected_cutoff(x, due);
	out->since = expected_cutoff(x, prev);
	return out->cutoff == (time_t)-1 || out->since == (time_t)-1 ? -1 : 0;
}

int expected_last(const struct cfg_expected *x, time_t now,
		  struct expected_occ *out)
{
	struct date today = date_of_time(now), due;

	if (x->every == CFG_EVERY_NONE || today.y == 0)
		return -1;
	due = expected_due_on_or_before(x, today);
	if (fill(x, due, out) < 0)
		return -1;
	if (out->cutoff <= now)
		return 0;
	/* today's cutoff is still ahead: the one before */
	return fill(x, expected_due_on_or_before(x, date_add_days(due, -1)),
		    out);
}

int expected_next(const struct cfg_expected *x, time_t now,
		  struct expected_occ *out)
{
	struct date today = date_of_time(now), due;

	if (x->every == CFG_EVERY_NONE || today.y == 0)
		return -1;
	due = expected_due_on_or_after(x, today);
	if (fill(x, due, out) < 0)
		return -1;
	if (out->cutoff > now)
		return 0;
	return fill(x, expected_due_on_or_after(x, date_add_days(due, 1)),
		    out);
}

/* cmp_long - qsort of longs */
static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

long expected_median(long *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), cmp_long);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

int expected_small(double share, long movements, long median, int nhistory)
{
	if (share <= 0.0 || nhistory < EXPECTED_MIN_HISTORY)
		return 0;
	return (double)movements < share * (double)median;
}
