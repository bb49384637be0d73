/*
 * test_date - calendar arithmetic, the month rule of rules.md, Paris dates.
 *
 * Tables hold dates as "AAAA-MM-JJ" text so that they read like the spec;
 * day_of() parses them with date_parse_iso(), itself tested first.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "common/date.h"

/* day_of - a date from the table, or the test fails */
static struct date day_of(const char *iso)
{
	struct date d = { 0, 0, 0 };

	if (date_parse_iso(iso, &d) != 0)
		fail_msg("bad date in test table: %s", iso);
	return d;
}

/* expect_date - got equals the table's expected date */
static void expect_date(struct date got, const char *want, const char *ctx)
{
	char buf[DATE_ISO_SIZE];

	if (strcmp(date_format(got, buf), want) != 0)
		fail_msg("%s: got %s, want %s", ctx, buf, want);
}

static void test_valid(void **state)
{
	static const struct { int y, m, d, ok; } cases[] = {
		{ 2024, 2, 29, 1 }, { 2023, 2, 29, 0 }, { 2000, 2, 29, 1 },
		{ 1900, 2, 29, 0 }, { 2100, 2, 29, 0 }, { 2024, 4, 30, 1 },
		{ 2024, 4, 31, 0 }, { 2024, 12, 31, 1 }, { 2024, 13, 1, 0 },
		{ 2024, 0, 1, 0 }, { 2024, 1, 0, 0 }, { 2024, 1, -1, 0 },
		{ 0, 1, 1, 0 }, { 1, 1, 1, 1 }, { 9999, 12, 31, 1 },
		{ 10000, 1, 1, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (date_valid(cases[i].y, cases[i].m, cases[i].d) !=
		    cases[i].ok)
			fail_msg("date_valid(%d, %d, %d) != %d", cases[i].y,
			    cases[i].m, cases[i].d, cases[i].ok);
}

static void test_parse_iso(void **state)
{
	static const struct { const char *in; int rc; } cases[] = {
		{ "2024-02-29", 0 }, { "1900-01-01", 0 }, { "2199-12-31", 0 },
		{ "2023-02-29", -1 }, { "2024-2-29", -1 }, { "2024-02-290", -1 },
		{ "24-02-29", -1 }, { "2024/02/29", -1 }, { "", -1 },
		{ "2024-02-2a", -1 }, { " 2024-02-29", -1 },
		{ "2024-02-29 ", -1 }, { "29/02/2024", -1 },
		{ "2024-13-01", -1 }, { "2024-00-10", -1 },
		{ "+024-01-01", -1 }, { "2024--1-01", -1 },
	};
	struct date d;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = date_parse_iso(cases[i].in, &d);

		if (rc != cases[i].rc)
			fail_msg("date_parse_iso(\"%s\") = %d, want %d",
			    cases[i].in, rc, cases[i].rc);
		if (rc == 0)
			expect_date(d, cases[i].in, cases[i].in);
	}
	assert_int_equal(date_parse_iso(NULL, &d), -1);
}

static void test_format(void **state)
{
	char buf[DATE_ISO_SIZE];
	struct date d = { 2024, 3, 5 }, bad = { 2023, 2, 29 };

	(void)state;
	assert_string_equal(date_format(d, buf), "2024-03-05");
	assert_string_equal(date_format_fr(d, buf), "05/03/2024");
	assert_string_equal(date_format(bad, buf), "0000-00-00");
	assert_string_equal(date_format_fr(bad, buf), "00/00/0000");
}

static void test_days(void **state)
{
	static const struct { const char *d; long days; } cases[] = {
		{ "1970-01-01", 0 }, { "1969-12-31", -1 },
		{ "1900-01-01", -25567 }, { "2000-03-01", 11017 },
		{ "2024-02-29", 19782 }, { "2199-12-31", 84005 },
		{ "2200-12-31", 84370 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long got = date_to_days(day_of(cases[i].d));

		if (got != cases[i].days)
			fail_msg("date_to_days(%s) = %ld, want %ld",
			    cases[i].d, got, cases[i].days);
		expect_date(date_from_days(cases[i].days), cases[i].d,
		    "date_from_days");
	}
}

/* Every day from 1900 to 2200, against a walk through the calendar. */
static void test_days_walk(void **state)
{
	struct date d = { 1900, 1, 1 };
	long n = date_to_days(d);

	(void)state;
	while (d.y <= 2200) {
		struct date back = date_from_days(n);

		if (date_to_days(d) != n || date_cmp(back, d) != 0)
			fail_msg("day %ld: %04d-%02d-%02d", n, d.y, d.m, d.d);
		if (++d.d > date_days_in_month(d.y, d.m)) {
			d.d = 1;
			if (++d.m > 12) {
				d.m = 1;
				d.y++;
			}
		}
		n++;
	}
}

static void test_add_days(void **state)
{
	static const struct { const char *d; long n; const char *want; }
	cases[] = {
		{ "2024-02-28", 1, "2024-02-29" },
		{ "2024-02-28", 2, "2024-03-01" },
		{ "2023-02-28", 1, "2023-03-01" },
		{ "2023-12-31", 1, "2024-01-01" },
		{ "2024-03-01", -1, "2024-02-29" },
		{ "2024-01-01", -1, "2023-12-31" },
		{ "2024-01-15", 0, "2024-01-15" },
		{ "2024-01-15", 366, "2025-01-15" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_date(date_add_days(day_of(cases[i].d), cases[i].n),
		    cases[i].want, cases[i].d);
}

/* rules.md: same day k months later, else the 1st of the month after. */
static void test_add_months(void **state)
{
	static const struct { const char *d; int k; const char *want; }
	cases[] = {
		{ "2024-01-31", 1, "2024-03-01" },
		{ "2023-01-31", 1, "2023-03-01" },
		{ "2024-01-30", 1, "2024-03-01" },
		{ "2024-01-29", 1, "2024-02-29" },
		{ "2023-01-29", 1, "2023-03-01" },
		{ "2024-03-31", 1, "2024-05-01" },
		{ "2024-01-31", 2, "2024-03-31" },
		{ "2023-12-31", 2, "2024-03-01" },
		{ "2023-11-30", 3, "2024-03-01" },
		{ "2024-12-15", 1, "2025-01-15" },
		{ "2024-05-15", 12, "2025-05-15" },
		{ "2024-02-29", 12, "2025-03-01" },
		{ "2024-02-29", 48, "2028-02-29" },
		{ "2024-11-30", 3, "2025-03-01" },
		{ "2024-12-31", 0, "2024-12-31" },
		{ "2024-05-15", -5, "2023-12-15" },
		{ "2024-03-31", -1, "2024-03-01" },
		{ "2024-01-15", -13, "2022-12-15" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect_date(date_add_months(day_of(cases[i].d), cases[i].k),
		    cases[i].want, cases[i].d);
}

static void test_cmp_diff_age(void **state)
{
	static const struct { const char *a, *b; int cmp; long diff; int age; }
	cases[] = {
		{ "2024-05-10", "2024-05-10", 0, 0, 0 },
		{ "2024-05-10", "2024-05-11", -1, 1, 0 },
		{ "2024-05-10", "2024-06-01", -1, 22, 0 },
		{ "2024-05-10", "2025-01-01", -1, 236, 0 },
		{ "2025-01-01", "2024-12-31", 1, -1, -1 },
		{ "1990-05-10", "2024-05-09", -1, 12418, 33 },
		{ "1990-05-10", "2024-05-10", -1, 12419, 34 },
		{ "2000-02-29", "2001-02-28", -1, 365, 0 },
		{ "2000-02-29", "2001-03-01", -1, 366, 1 },
		{ "2000-02-29", "2004-02-29", -1, 1461, 4 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct date a = day_of(cases[i].a), b = day_of(cases[i].b);
		int c = date_cmp(a, b);

		if ((c > 0) - (c < 0) != cases[i].cmp)
			fail_msg("date_cmp(%s, %s) = %d", cases[i].a,
			    cases[i].b, c);
		if (date_diff_days(a, b) != cases[i].diff)
			fail_msg("date_diff_days(%s, %s) = %ld", cases[i].a,
			    cases[i].b, date_diff_days(a, b));
		if (date_age(a, b) != cases[i].age)
			fail_msg("date_age(%s, %s) = %d", cases[i].a,
			    cases[i].b, date_age(a, b));
	}
}

/* Paris dates around midnight and both DST changes of 2024. */
static const struct { time_t t; const char *want; } paris_cases[] = {
	{ 0, "1970-01-01" },
	{ 1711841400, "2024-03-31" },	/* 2024-03-30 23:30 UTC, CET */
	{ 1711846799, "2024-03-31" },
	{ 1711924200, "2024-04-01" },	/* 2024-03-31 22:30 UTC, CEST */
	{ 1719784799, "2024-06-30" },	/* 21:59:59 UTC = 23:59:59 CEST */
	{ 1719784800, "2024-07-01" },
	{ 1729981800, "2024-10-27" },	/* 2024-10-26 22:30 UTC, CEST */
	{ 1730068200, "2024-10-27" },	/* 2024-10-27 22:30 UTC, CET */
	{ 1735685999, "2024-12-31" },
	{ 1735686000, "2025-01-01" },
};

/* check_paris - every case, under the process TZ currently set */
static void check_paris(const char *tz_name)
{
	for (size_t i = 0; i < sizeof(paris_cases) / sizeof(paris_cases[0]);
	     i++) {
		char ctx[64];
		const char *tz;

		(void)snprintf(ctx, sizeof(ctx), "TZ=%s t=%lld", tz_name,
		    (long long)paris_cases[i].t);
		expect_date(date_of_time(paris_cases[i].t),
		    paris_cases[i].want, ctx);
		tz = getenv("TZ");
		if (tz_name[0] == '\0' ? tz != NULL : strcmp(tz, tz_name) != 0)
			fail_msg("%s: TZ not restored", ctx);
	}
}

static void test_of_time(void **state)
{
	static const char *zones[] = { "UTC", "America/New_York",
				       "Asia/Tokyo", "Europe/Paris" };
	struct tm tm;
	time_t t = 1719784800;

	(void)state;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		assert_int_equal(setenv("TZ", zones[i], 1), 0);
		tzset();
		check_paris(zones[i]);
	}
	/* The process zone keeps working after a conversion. */
	assert_int_equal(setenv("TZ", "America/New_York", 1), 0);
	tzset();
	(void)date_of_time(t);
	assert_non_null(localtime_r(&t, &tm));
	assert_int_equal(tm.tm_hour, 18);	/* 22:00 UTC, EDT */
	assert_int_equal(unsetenv("TZ"), 0);
	tzset();
	check_paris("");
}

/* test_parse_utc - the store's UTC timestamps: late on 6 December in
 * UTC is 7 December in Paris (a report says the employer's day) */
static void test_parse_utc(void **state)
{
	char out[DATE_ISO_SIZE];
	time_t t = date_parse_utc("2026-12-06T23:30:00Z");

	(void)state;
	assert_int_equal((long long)t, 1796599800LL);
	assert_string_equal(date_format(date_of_time(t), out), "2026-12-07");
	assert_string_equal(date_format(date_of_time(date_parse_utc(
		"2026-07-01T21:59:59Z")), out), "2026-07-01");
	assert_true(date_parse_utc("2026-12-06") == (time_t)-1);
	assert_true(date_parse_utc("2026-12-06T23:30:00Z trailing") ==
		    (time_t)-1);
	assert_true(date_parse_utc(NULL) == (time_t)-1);
}

/* convert_all - a thread's share: every case, many times; 0 when right */
static void *convert_all(void *arg)
{
	long bad = 0;
	char got[DATE_ISO_SIZE];

	(void)arg;
	for (int k = 0; k < 2000; k++)
		for (size_t i = 0; i < sizeof(paris_cases) /
		     sizeof(paris_cases[0]); i++) {
			date_format(date_of_time(paris_cases[i].t), got);
			bad += strcmp(got, paris_cases[i].want) != 0;
			bad += date_midnight(date_of_time(paris_cases[i].t)) >
			       paris_cases[i].t;
		}
	return (void *)bad;
}

/* Two threads at once, as the main loop and the SMTP thread may: the
 * same answers, and (under ThreadSanitizer, make test-tsan) no race. */
static void test_threads(void **state)
{
	const char *tz = getenv("TZ");
	pthread_t a, b;
	void *ra, *rb;

	(void)state;
	assert_int_equal(pthread_create(&a, NULL, convert_all, NULL), 0);
	assert_int_equal(pthread_create(&b, NULL, convert_all, NULL), 0);
	assert_int_equal(pthread_join(a, &ra), 0);
	assert_int_equal(pthread_join(b, &rb), 0);
	assert_int_equal((long)ra, 0);
	assert_int_equal((long)rb, 0);
	assert_ptr_equal(getenv("TZ"), tz);	/* the environment untouched */
}

static void test_today(void **state)
{
	time_t before, after;
	struct date d;

	(void)state;
	before = time(NULL);
	d = date_today();
	after = time(NULL);
	assert_true(date_valid(d.y, d.m, d.d));
	if (date_cmp(d, date_of_time(before)) != 0 &&
	    date_cmp(d, date_of_time(after)) != 0)
		fail_msg("date_today() is not the Paris date of now");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_parse_iso),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_days_walk),
		cmocka_unit_test(test_add_days),
		cmocka_unit_test(test_add_months),
		cmocka_unit_test(test_cmp_diff_age),
		cmocka_unit_test(test_of_time),
		cmocka_unit_test(test_parse_utc),
		cmocka_unit_test(test_today),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
