/*
 * expected - the expected-file calendar as dates and instants: when is a
 * file due, when does its cutoff pass, which period does it cover
 * (process.md, "Expected files").
 *
 * An occurrence is one due date: day D of each month (D 1..28, or the
 * month's last day), or day W of each week.  Its cutoff is the local time
 * `cutoff` of that day in Europe/Paris, turned into an instant through
 * GLib's zone (date_at_local), so a cutoff the night of a DST change is
 * still the wall-clock time the employer reads.  The period of an
 * occurrence runs from the previous occurrence's cutoff (excluded) to its
 * own cutoff (included).
 *
 * Pure: no I/O and no clock; the caller gives "now".  Nothing is owned.
 */
#ifndef AFFILD_EXPECTED_H
#define AFFILD_EXPECTED_H

#include <time.h>

#include "common/date.h"
#include "config/config.h"

/* expected_due_on_or_before - the latest due date <= d */
struct date expected_due_on_or_before(const struct cfg_expected *x,
				      struct date d);

/* expected_due_on_or_after - the earliest due date >= d */
struct date expected_due_on_or_after(const struct cfg_expected *x,
				     struct date d);

/* expected_cutoff - the instant the cutoff of due date d passes;
 * (time_t)-1 on error (the Paris zone missing) */
time_t expected_cutoff(const struct cfg_expected *x, struct date d);

/* One occurrence: its due date and the bounds of its period. */
struct expected_occ {
	struct date due;
	time_t since;		/* the previous occurrence's cutoff, excluded */
	time_t cutoff;		/* its own, included */
};

/*
 * expected_last - the latest occurrence whose cutoff is at or before now
 * (the one a missing file is late for).  expected_next - the earliest whose
 * cutoff is after now (the one the daemon waits for).  0 and *out set, -1
 * when the calendar is off or an instant cannot be computed.
 */
int expected_last(const struct cfg_expected *x, time_t now,
		  struct expected_occ *out);
int expected_next(const struct cfg_expected *x, time_t now,
		  struct expected_occ *out);

/*
 * expected_median - the median of n counts (the mean of the two middle
 * ones when n is even, rounded down); sorts v in place.  0 when n is 0.
 */
long expected_median(long *v, int n);

/* expected_small - 1 when movements is under share x median (and the
 * check applies: share > 0, at least EXPECTED_MIN_HISTORY earlier files) */
#define EXPECTED_HISTORY 6	/* earlier files the median is taken over */
#define EXPECTED_MIN_HISTORY 3	/* fewer: no check */
int expected_small(double share, long movements, long median, int nhistory);

#endif
