/*
 * portability - the dates of "portabilité" (art. L911-8 Code de la sécurité
 * sociale): free continuation of cover after a work contract ends.
 *
 * The duration is the length of the last contract (or of the consecutive
 * contracts with the same employer) in months, any started month counted
 * whole, capped (12 months by law, `portability_max_months`).  The exact
 * computation and its worked examples are in rules.md, "Portability"; the
 * unit tests replay every one of them.
 *
 * Eligibility (departure reason, status, death) is decided elsewhere: this
 * module only turns dates into dates.  Pure: no I/O, no clock, no state.
 */
#ifndef AFFILD_PORTABILITY_H
#define AFFILD_PORTABILITY_H

#include "common/date.h"

#define PORTABILITY_MAX_MONTHS 12	/* legal cap, the config default */

/*
 * portability_compute - portability of a contract from start to end
 * (both included, the last day worked being end).
 *
 *   m  = the largest number of months with start + m months <= end + 1 day
 *   N  = min(max_months, m + 1 if a partial month remains, else m)
 *   P0 = end + 1 day, or the 1st of the month after end when
 *        next_month_start is set (`portability_start: next_month`)
 *   P1 = P0 + N months - 1 day (the last covered day)
 *
 * Sets *p0, *p1 and *months (N) and returns 0; returns -1 and sets nothing
 * when end is before start, a date is invalid or max_months < 1: the caller
 * rejects the movement asking for `date_debut_contrat`.
 */
int portability_compute(struct date start, struct date end, int max_months,
			int next_month_start, struct date *p0, struct date *p1,
			int *months);

#endif
