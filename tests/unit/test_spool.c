/*
 * test_spool - the spool module alone, on real folders in a fresh temporary
 * directory: readiness (settle, rename, trigger markers, non-regular
 * files), the free-space guard's arithmetic, retention by claim day and by
 * mtime, and a development layout made then checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/log.h"
#include "spool/spool.h"

static char top[256];

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", top, name);
}

static void write_file(const char *name, const char *text)
{
	char p[512];
	FILE *fp;

	path_of(p, sizeof(p), name);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void set_mtime(const char *name, time_t t)
{
	struct timeval tv[2] = { { t, 0 }, { t, 0 } };
	char p[512];

	path_of(p, sizeof(p), name);
	assert_int_equal(utimes(p, tv), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/test_spool.XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd) == 0 ? 0 : -1;
}

/* settle: ready only once unchanged for the settle time; rename: at once */
static void test_settle_and_rename(void **state)
{
	struct spool_ready *r = spool_ready_new();
	char p[512], q[512];

	(void)state;
	write_file("a.csv", "x");
	path_of(p, sizeof(p), "a.csv");
	assert_int_equal(spool_ready_check(r, p, 1000, 0), 0);
	assert_int_equal(spool_ready_check(r, p, 1000, 999), 0);
	write_file("a.csv", "xy");		/* changed: the clock restarts */
	assert_int_equal(spool_ready_check(r, p, 1000, 1500), 0);
	assert_int_equal(spool_ready_check(r, p, 1000, 2499), 0);
	assert_int_equal(spool_ready_check(r, p, 1000, 2500), 1);
	write_file("b.csv", "x");
	path_of(q, sizeof(q), "b.csv");
	spool_ready_moved(r, q);
	assert_int_equal(spool_ready_check(r, q, 1000, 0), 1);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(spool_ready_check(r, p, 0, 0), -1);	/* FIFO */
	path_of(p, sizeof(p), "gone.csv");
	assert_int_equal(spool_ready_check(r, p, 0, 0), -1);
	spool_ready_free(r);
}

/* many entries: the hash table grows and forgets correctly */
static void test_many_entries(void **state)
{
	struct spool_ready *r = spool_ready_new();
	char p[512];
	int i;

	(void)state;
	write_file("m.csv", "x");
	for (i = 0; i < 5000; i++) {
		snprintf(p, sizeof(p), "%s/n%d.csv", top, i);
		spool_ready_moved(r, p);
	}
	for (i = 0; i < 5000; i += 2) {
		snprintf(p, sizeof(p), "%s/n%d.csv", top, i);
		spool_ready_forget(r, p);
	}
	path_of(p, sizeof(p), "m.csv");
	spool_ready_moved(r, p);
	assert_int_equal(spool_ready_check(r, p, 100000, 0), 1);
	spool_ready_forget(r, p);
	assert_int_equal(spool_ready_check(r, p, 100000, 0), 0);
	/* the sweep forgets what was not looked at for max_age */
	spool_ready_moved(r, p);
	assert_int_equal(spool_ready_check(r, p, 100000, 1000), 1);
	spool_ready_sweep(r, 1000 + 3600, 3600);
	assert_int_equal(spool_ready_check(r, p, 100000, 2000), 1);
	spool_ready_sweep(r, 2000 + 3601, 3600);
	assert_int_equal(spool_ready_check(r, p, 100000, 9000), 0);
	spool_ready_free(r);
}

/* trigger: NAME.ok / NAME.done not older than NAME */
static void test_trigger(void **state)
{
	struct spool_ready *r = spool_ready_new();
	const char *suffix = NULL;
	time_t now = time(NULL);
	char p[512];

	(void)state;
	assert_true(spool_trigger_marker("paie.csv.ok"));
	assert_true(spool_trigger_marker("paie.csv.done"));
	assert_false(spool_trigger_marker(".ok"));
	assert_false(spool_trigger_marker("paie.csv"));
	write_file("t.csv", "x");
	path_of(p, sizeof(p), "t.csv");
	assert_int_equal(spool_ready_trigger(r, p, &suffix), 0);
	write_file("t.csv.done", "");
	set_mtime("t.csv", now);
	set_mtime("t.csv.done", now - 60);	/* stale marker */
	assert_int_equal(spool_ready_trigger(r, p, &suffix), 0);
	set_mtime("t.csv.done", now);
	assert_int_equal(spool_ready_trigger(r, p, &suffix), 1);
	assert_string_equal(suffix, ".done");
	spool_ready_free(r);
}

/* free space: factor * size without overflow */
static void test_free_ok(void **state)
{
	long long fr = -1;

	(void)state;
	assert_int_equal(spool_free_ok(top, 1, 1, &fr), 1);
	assert_true(fr > 0);
	assert_int_equal(spool_free_ok(top, 0, 1000000000000LL, NULL), 1);
	assert_int_equal(spool_free_ok(top, 1LL << 40, 1000000000000LL, NULL),
			 0);
	assert_int_equal(spool_free_ok(top, fr + 1, 1, NULL), 0);
}

/* a development layout: made, checked, a missing folder named */
static void test_layout_and_retention(void **state)
{
	struct cfg_employer emp;
	struct spool_purged n;
	struct cfg cfg;
	char dir[300], p[512];
	struct date today = { 2026, 11, 28 };
	time_t now = time(NULL);
	struct stat sb;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	memset(&emp, 0, sizeof(emp));
	snprintf(dir, sizeof(dir), "%s/spool", top);
	snprintf(emp.numero, sizeof(emp.numero), "12345678");
	emp.sftp_group = "unused";
	cfg.spool.dir = dir;
	cfg.spool.archive_retention_days = 30;
	cfg.spool.quarantine_retention_days = 10;
	cfg.spool.out_retention_days = 20;
	cfg.employers = &emp;
	cfg.nemployers = 1;
	assert_int_equal(spool_prepare(&cfg, 0, 0), 0);
	assert_int_equal(spool_check(&cfg, geteuid()), 0);
	snprintf(p, sizeof(p), "%s/12345678/in", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 02770);
	/* the admin drop, inside .affild/ that its group only crosses */
	snprintf(p, sizeof(p), "%s/.affild", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0710);
	snprintf(p, sizeof(p), "%s/.affild/admin/in", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 02770);
	snprintf(p, sizeof(p), "%s/.affild/admin/out", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 02750);
	snprintf(p, sizeof(p), "%s/.affild/work", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	snprintf(p, sizeof(p), "%s/.affild/admin/out/.staging", dir);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(spool_check(&cfg, geteuid()), -1);
	assert_int_equal(spool_prepare(&cfg, 0, 0), 0);
	assert_int_equal(spool_check(&cfg, geteuid()), 0);
	snprintf(p, sizeof(p), "%s/12345678/out/validation", dir);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(spool_check(&cfg, geteuid()), -1);
	assert_int_equal(spool_prepare(&cfg, 0, 0), 0);

	snprintf(p, sizeof(p), "%s/.affild/archive/12345678", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/.affild/archive/12345678/2026-10", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	write_file("spool/.affild/archive/12345678/2026-10/20261028-000001.a.csv",
		   "x");	/* 31 days: purged */
	write_file("spool/.affild/archive/12345678/2026-10/20261029-000001.b.csv",
		   "x");	/* 30 days: kept */
	set_mtime("spool/.affild/archive/12345678/2026-10/20261029-000001.b.csv",
		  0);		/* the mtime does not count */
	snprintf(p, sizeof(p), "%s/.affild/quarantine/12345678", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	write_file("spool/.affild/quarantine/12345678/20261117-000002.q.csv",
		   "x");	/* 11 days: purged */
	write_file("spool/12345678/out/old.cr.csv", "x");
	set_mtime("spool/12345678/out/old.cr.csv", now - 21 * 86400);
	write_file("spool/12345678/out/new.cr.csv", "x");
	write_file("spool/.affild/admin/out/old.cr.csv", "x");
	set_mtime("spool/.affild/admin/out/old.cr.csv", now - 21 * 86400);
	spool_retention(&cfg, today, now, &n);
	assert_int_equal(n.archive, 1);
	assert_int_equal(n.quarantine, 1);
	assert_int_equal(n.out, 2);		/* the admin drop's out/ too */
	path_of(p, sizeof(p),
		"spool/.affild/archive/12345678/2026-10/20261029-000001.b.csv");
	assert_int_equal(access(p, F_OK), 0);
	path_of(p, sizeof(p), "spool/12345678/out/new.cr.csv");
	assert_int_equal(access(p, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settle_and_rename),
		cmocka_unit_test(test_many_entries),
		cmocka_unit_test(test_trigger),
		cmocka_unit_test(test_free_ok),
		cmocka_unit_test(test_layout_and_retention),
	};

	log_init("test_spool", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, setup, teardown);
}
