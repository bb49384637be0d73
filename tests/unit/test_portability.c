/*
 * test_portability - the worked examples of rules.md ("Portability"), then
 * month ends, the 12-month cap, portability_start: next_month and refusals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/date.h"
#include "rules/portability.h"

struct case_ {
	const char *start, *end;
	int max_months, next_month;
	int months;		/* expected N */
	const char *p0, *p1;	/* expected period */
};

static struct date day_of(const char *iso)
{
	struct date d = { 0, 0, 0 };

	if (date_parse_iso(iso, &d) != 0)
		fail_msg("bad date in test table: %s", iso);
	return d;
}

/* run - each case must give exactly N, P0 and P1 */
static void run(const struct case_ *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct date p0, p1;
		char a[DATE_ISO_SIZE], b[DATE_ISO_SIZE];
		int months = -1;

		if (portability_compute(day_of(c[i].start), day_of(c[i].end),
		    c[i].max_months, c[i].next_month, &p0, &p1, &months) != 0)
			fail_msg("%s to %s: refused", c[i].start, c[i].end);
		date_format(p0, a);
		date_format(p1, b);
		if (months != c[i].months || strcmp(a, c[i].p0) != 0 ||
		    strcmp(b, c[i].p1) != 0)
			fail_msg("%s to %s: N=%d %s to %s, want N=%d %s to %s",
			    c[i].start, c[i].end, months, a, b, c[i].months,
			    c[i].p0, c[i].p1);
	}
}

/* The table of rules.md, row by row. */
static void test_rules_examples(void **state)
{
	static const struct case_ cases[] = {
		{ "2024-01-15", "2024-05-20", 12, 0, 5,
		  "2024-05-21", "2024-10-20" },
		{ "2022-03-01", "2024-06-30", 12, 0, 12,
		  "2024-07-01", "2025-06-30" },
		{ "2024-06-10", "2024-06-25", 12, 0, 1,
		  "2024-06-26", "2024-07-25" },
		{ "2023-01-31", "2023-02-28", 12, 0, 1,
		  "2023-03-01", "2023-03-31" },
		{ "2024-03-31", "2024-04-30", 12, 0, 1,
		  "2024-05-01", "2024-05-31" },
		{ "2023-12-31", "2024-01-30", 12, 0, 1,
		  "2024-01-31", "2024-02-29" },
		{ "2023-11-30", "2024-02-29", 12, 0, 3,
		  "2024-03-01", "2024-05-31" },
		{ "2024-01-31", "2024-03-30", 12, 0, 2,
		  "2024-03-31", "2024-05-30" },
	};

	(void)state;
	run(cases, sizeof(cases) / sizeof(cases[0]));
}

/* Month ends, leap days, one-day contracts, exact months. */
static void test_month_ends(void **state)
{
	static const struct case_ cases[] = {
		/* one day worked: a started month counts whole */
		{ "2024-06-10", "2024-06-10", 12, 0, 1,
		  "2024-06-11", "2024-07-10" },
		/* exactly one month, then one day more */
		{ "2024-01-15", "2024-02-14", 12, 0, 1,
		  "2024-02-15", "2024-03-14" },
		{ "2024-01-15", "2024-02-15", 12, 0, 2,
		  "2024-02-16", "2024-04-15" },
		/* a whole calendar month */
		{ "2024-02-01", "2024-02-29", 12, 0, 1,
		  "2024-03-01", "2024-03-31" },
		/* P0 on the 31st: the next month lacks it */
		{ "2024-07-01", "2024-08-30", 12, 0, 2,
		  "2024-08-31", "2024-10-30" },
		{ "2024-10-01", "2024-10-30", 12, 0, 1,
		  "2024-10-31", "2024-11-30" },
		/* P0 on 29 Feb of a leap year, over a year */
		{ "2023-03-01", "2024-02-28", 12, 0, 12,
		  "2024-02-29", "2025-02-28" },
		/* over a year end */
		{ "2024-11-15", "2025-01-14", 12, 0, 2,
		  "2025-01-15", "2025-03-14" },
		/* 12 months and one day: capped */
		{ "2023-01-01", "2024-01-01", 12, 0, 12,
		  "2024-01-02", "2025-01-01" },
		/* exactly 11 months, then one day more */
		{ "2023-02-01", "2023-12-31", 12, 0, 11,
		  "2024-01-01", "2024-11-30" },
		{ "2023-02-01", "2024-01-01", 12, 0, 12,
		  "2024-01-02", "2025-01-01" },
	};

	(void)state;
	run(cases, sizeof(cases) / sizeof(cases[0]));
}

/* portability_max_months below the legal 12 */
static void test_cap(void **state)
{
	static const struct case_ cases[] = {
		{ "2022-03-01", "2024-06-30", 6, 0, 6,
		  "2024-07-01", "2024-12-31" },
		{ "2024-01-15", "2024-05-20", 3, 0, 3,
		  "2024-05-21", "2024-08-20" },
		{ "2024-01-15", "2024-05-20", 1, 0, 1,
		  "2024-05-21", "2024-06-20" },
	};

	(void)state;
	run(cases, sizeof(cases) / sizeof(cases[0]));
}

/* portability_start: next_month */
static void test_next_month(void **state)
{
	static const struct case_ cases[] = {
		{ "2024-01-15", "2024-05-20", 12, 1, 5,
		  "2024-06-01", "2024-10-31" },
		/* end on the last day: the same P0 as without the option */
		{ "2022-03-01", "2024-06-30", 12, 1, 12,
		  "2024-07-01", "2025-06-30" },
		{ "2024-06-10", "2024-06-25", 12, 1, 1,
		  "2024-07-01", "2024-07-31" },
		{ "2024-11-15", "2024-12-20", 12, 1, 2,
		  "2025-01-01", "2025-02-28" },
	};

	(void)state;
	run(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_refused(void **state)
{
	static const struct { struct date start, end; int max; } cases[] = {
		{ { 2024, 6, 10 }, { 2024, 6, 9 }, 12 },	/* end < start */
		{ { 2025, 1, 1 }, { 2024, 12, 31 }, 12 },
		{ { 2024, 2, 30 }, { 2024, 6, 9 }, 12 },	/* no such day */
		{ { 0, 0, 0 }, { 2024, 6, 9 }, 12 },		/* start unknown */
		{ { 2024, 1, 1 }, { 2024, 6, 9 }, 0 },		/* bad config */
	};
	struct date p0 = { 1, 1, 1 }, p1 = { 1, 1, 1 };
	int months = 99;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (portability_compute(cases[i].start, cases[i].end,
		    cases[i].max, 0, &p0, &p1, &months) != -1)
			fail_msg("case %zu accepted", i);
		/* nothing set on refusal */
		assert_int_equal(months, 99);
		assert_int_equal(p0.y, 1);
		assert_int_equal(p1.y, 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_examples),
		cmocka_unit_test(test_month_ends),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_next_month),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
