/*
 * test_expected - the expected-file calendar's dates and instants
 * (rules/expected.c): due dates, cutoffs across DST, periods, the median.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/date.h"
#include "rules/expected.h"

static struct date D(int y, int m, int d)
{
	struct date x = { y, m, d };

	return x;
}

static void assert_date(struct date got, int y, int m, int d)
{
	assert_int_equal(got.y, y);
	assert_int_equal(got.m, m);
	assert_int_equal(got.d, d);
}

static struct cfg_expected monthly(int day, int cutoff_min)
{
	struct cfg_expected x;

	memset(&x, 0, sizeof(x));
	x.every = CFG_EVERY_MONTH;
	x.monthly_day = day;
	x.cutoff_min = cutoff_min;
	return x;
}

static struct cfg_expected weekly(int day, int cutoff_min)
{
	struct cfg_expected x = monthly(0, cutoff_min);

	x.every = CFG_EVERY_WEEK;
	x.weekly_day = day;
	return x;
}

static void test_monthly_due_dates(void **state)
{
	struct cfg_expected x = monthly(5, 18 * 60);

	(void)state;
	assert_date(expected_due_on_or_before(&x, D(2026, 3, 5)), 2026, 3, 5);
	assert_date(expected_due_on_or_before(&x, D(2026, 3, 4)), 2026, 2, 5);
	assert_date(expected_due_on_or_before(&x, D(2026, 1, 2)), 2025, 12, 5);
	assert_date(expected_due_on_or_after(&x, D(2026, 3, 6)), 2026, 4, 5);
	assert_date(expected_due_on_or_after(&x, D(2026, 12, 6)), 2027, 1, 5);
	x = monthly(CFG_MONTHLY_LAST, 0);
	assert_date(expected_due_on_or_after(&x, D(2028, 2, 1)), 2028, 2, 29);
	assert_date(expected_due_on_or_after(&x, D(2026, 2, 1)), 2026, 2, 28);
	assert_date(expected_due_on_or_before(&x, D(2026, 3, 30)), 2026, 2, 28);
	assert_date(expected_due_on_or_before(&x, D(2026, 3, 31)), 2026, 3, 31);
}

static void test_weekly_due_dates(void **state)
{
	struct cfg_expected x = weekly(1, 12 * 60);	/* Monday */

	(void)state;
	/* 2026-03-04 is a Wednesday */
	assert_date(expected_due_on_or_before(&x, D(2026, 3, 4)), 2026, 3, 2);
	assert_date(expected_due_on_or_after(&x, D(2026, 3, 4)), 2026, 3, 9);
	assert_date(expected_due_on_or_after(&x, D(2026, 3, 2)), 2026, 3, 2);
	x = weekly(7, 0);				/* Sunday */
	assert_date(expected_due_on_or_before(&x, D(2026, 3, 4)), 2026, 3, 1);
}

static void test_cutoff_across_dst(void **state)
{
	struct cfg_expected x = weekly(7, 18 * 60);

	(void)state;
	/* 2026-03-29: CET -> CEST; 18:00 CEST is 16:00 UTC */
	assert_int_equal(expected_cutoff(&x, D(2026, 3, 29)), 1774800000);
	/* 2026-10-25: CEST -> CET; 18:00 CET is 17:00 UTC */
	assert_int_equal(expected_cutoff(&x, D(2026, 10, 25)), 1792947600);
	/* a week apart, 23 hours of difference from midnight: not 24 x 7 */
	assert_int_equal(expected_cutoff(&x, D(2026, 3, 29)) -
			 expected_cutoff(&x, D(2026, 3, 22)), 7 * 86400 - 3600);
	/* 02:30 does not exist on 2026-03-29: the jump's end, 03:00 CEST */
	x.cutoff_min = 150;
	assert_int_equal(expected_cutoff(&x, D(2026, 3, 29)), 1774746000);
}

static void test_periods(void **state)
{
	struct cfg_expected x = monthly(5, 18 * 60);
	struct expected_occ o;
	time_t c5 = expected_cutoff(&x, D(2026, 3, 5));

	(void)state;
	/* one second before the cutoff: the last passed is February's */
	assert_int_equal(expected_last(&x, c5 - 1, &o), 0);
	assert_date(o.due, 2026, 2, 5);
	assert_int_equal(o.since, expected_cutoff(&x, D(2026, 1, 5)));
	assert_int_equal(expected_next(&x, c5 - 1, &o), 0);
	assert_date(o.due, 2026, 3, 5);
	/* at the cutoff: March's has passed, its period since February's */
	assert_int_equal(expected_last(&x, c5, &o), 0);
	assert_date(o.due, 2026, 3, 5);
	assert_int_equal(o.cutoff, c5);
	assert_int_equal(o.since, expected_cutoff(&x, D(2026, 2, 5)));
	assert_int_equal(expected_next(&x, c5, &o), 0);
	assert_date(o.due, 2026, 4, 5);
	x.every = CFG_EVERY_NONE;
	assert_int_equal(expected_last(&x, c5, &o), -1);
}

static void test_median_and_small(void **state)
{
	long a[] = { 10, 2, 7 }, b[] = { 4, 10, 6, 1 };

	(void)state;
	assert_int_equal(expected_median(a, 3), 7);
	assert_int_equal(expected_median(b, 4), 5);
	assert_int_equal(expected_median(NULL, 0), 0);
	assert_true(expected_small(0.2, 1, 10, 3));
	assert_false(expected_small(0.2, 2, 10, 3));	/* not under 2 */
	assert_false(expected_small(0.2, 1, 10, 2));	/* too few files */
	assert_false(expected_small(0.0, 0, 10, 6));	/* off */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monthly_due_dates),
		cmocka_unit_test(test_weekly_due_dates),
		cmocka_unit_test(test_cutoff_across_dst),
		cmocka_unit_test(test_periods),
		cmocka_unit_test(test_median_and_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
