/*
 * bench_timers - the due check with 1,000,000 employees and nothing due.
 *
 * Built and run by bench/bench_timers.sh against build/libaffild.a.  The
 * database is generated with SQL (fast): 1,000,000 employees EN_COURS,
 * each with a pending reminder and link expiry in the future (the columns
 * of schema 8, under the index employee_due), a deadline row pending in
 * the future and one already done (deadline_due).  Measured, min and median of many runs:
 *   - store_timer_next(): what the daemon asks after each file's COMMIT;
 *   - store_timers_run() as of today with nothing due, the digest already
 *     looked at today: what a midnight wake-up costs when nothing is due;
 *   - once: the first run of the day, which walks the employer's employees
 *     for the digest of employees to remind.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/date.h"
#include "common/log.h"
#include "config/config.h"
#include "store/store_priv.h"

#define RUNS 2000

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(*t), cmp);
	printf("%-44s min %8.1f us  median %8.1f us  (%d runs)\n", what, t[0],
	       t[n / 2], n);
}

/* 1,000,000 invited employees: their relance and jeton deadlines in
 * their columns (schema 8), all in the future; a deadline row each in the
 * future and one done. */
static const char gen[] =
	"BEGIN;"
	"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	" WHERE i < 1000000)"
	" INSERT INTO employee (employer, nir, status, status_since, nom,"
	" prenom, updated_at, due_relance, due_jeton) SELECT '12345678',"
	" printf('1%014d', i), 'EN_COURS', '2026-01-01', 'Nom' || i,"
	" 'Prénom', '2026-01-01', '2099-01-01', '2099-02-01' FROM n;"
	"INSERT INTO deadline (due, kind, employee_id, done_at)"
	" SELECT '2020-01-01', 'fin_dispense', id, '2020-01-01T00:00:00Z'"
	" FROM employee;"
	"INSERT INTO deadline (due, kind, employee_id)"
	" SELECT '2099-03-01', 'fin_dispense', id FROM employee;"
	"COMMIT; ANALYZE;";

int main(int argc, char **argv)
{
	struct cfg_errors errs = { NULL, 0 };
	static double t[RUNS];
	struct timer_run run;
	struct store *st;
	struct cfg *cfg;
	struct date due;
	double t0;
	int i;

	if (argc != 3) {
		fprintf(stderr, "usage: bench_timers CONFIG DB\n");
		return 2;
	}
	log_init("bench_timers", LOG_LEVEL_ERR);
	cfg = cfg_load(argv[1], &errs);
	for (i = 0; i < (int)errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	cfg_errors_free(&errs);
	if (cfg == NULL ||
	    (st = store_open(argv[2], STORE_RW, 64, 5)) == NULL)
		return 1;
	t0 = now_us();
	if (st_exec(st, gen) < 0)
		return 1;
	printf("generated 1,000,000 employees, 2,000,000 deadline columns and "
	       "2,000,000 rows in %.1f s\n",
	       (now_us() - t0) / 1e6);

	memset(&run, 0, sizeof(run));
	run.cfg = cfg;
	run.token_key = (const unsigned char *)"0123456789abcdef";
	run.token_keylen = 16;
	run.as_of = date_today();
	t0 = now_us();
	if (store_timers_run(st, &run) < 0 || run.fired != 0)
		return 1;
	printf("%-44s %8.1f ms (once a day)\n", "first run of the day (digest list)",
	       (now_us() - t0) / 1e3);

	for (i = 0; i < RUNS; i++) {
		t0 = now_us();
		if (store_timer_next(st, &due) != 1)
			return 1;
		t[i] = now_us() - t0;
	}
	report("store_timer_next (after each file)", t, RUNS);
	for (i = 0; i < RUNS; i++) {
		t0 = now_us();
		if (store_timers_run(st, &run) < 0 || run.fired != 0)
			return 1;
		t[i] = now_us() - t0;
	}
	report("store_timers_run, nothing due", t, RUNS);
	store_close(st);
	cfg_free(cfg);
	return 0;
}
