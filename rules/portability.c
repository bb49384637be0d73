/*
 * portability - months of a contract and the portability period.
 *
 * Everything goes through date_add_months(), whose month rule (31 Jan + 1
 * month = 1 Mar) is the contract's own.  Because that rule never moves a
 * date backwards, start + m months grows with m, and m can be found by a
 * guess from the calendar months followed by a one-step correction.
 */
#include "rules/portability.h"

/* contract_months - largest m with start + m months <= limit */
static int contract_months(struct date start, struct date limit)
{
	int m = (limit.y - start.y) * 12 + (limit.m - start.m);

	if (m < 0)
		m = 0;
	while (m > 0 && date_cmp(date_add_months(start, m), limit) > 0)
		m--;
	while (date_cmp(date_add_months(start, m + 1), limit) <= 0)
		m++;
	return m;
}

/* first_of_next_month - the 1st of the month after d */
static struct date first_of_next_month(struct date d)
{
	d.d = 1;
	return date_add_months(d, 1);
}

/* portability_compute - N months from P0, per rules.md */
int portability_compute(struct date start, struct date end, int max_months,
			int next_month_start, struct date *p0, struct date *p1,
			int *months)
{
	struct date after, from;
	int m, n;

	if (!date_valid(start.y, start.m, start.d) ||
	    !date_valid(end.y, end.m, end.d) || date_cmp(end, start) < 0 ||
	    max_months < 1)
		return -1;
	after = date_add_days(end, 1);
	m = contract_months(start, after);
	/* Any started month counts whole. */
	n = m + (date_cmp(date_add_months(start, m), after) < 0 ? 1 : 0);
	if (n > max_months)
		n = max_months;
	from = next_month_start ? first_of_next_month(end) : after;
	*p0 = from;
	*p1 = date_add_days(date_add_months(from, n), -1);
	*months = n;
	return 0;
}
