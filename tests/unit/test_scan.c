/*
 * test_scan - daemon/scan.c: which file next, on a real temporary spool
 * and database (daemon_fixture.h), through scan_serve() and scan_resume().
 *
 * The clock is the test's (FX.now_ms): drop 12345678 settles for 1000 ms,
 * so a file is ready at the first look one second after it was first seen.
 * Drop 87654321 is in trigger mode.  The order of claims is read back from
 * the tracking ids, which grow with each claim.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/capability.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "daemon_fixture.h"

/* drop - a file of n movements (distinct bytes per serial) in emp's in/ */
static void drop(const char *emp, const char *name, int serial, int mtime)
{
	char data[1024];

	snprintf(data, sizeof(data), FX_HEADER "%s", fx_row(serial));
	fx_write(fx_path("spool/%s/in/%s", emp, name), data, -1, mtime);
}

/* claimed - the names claimed so far, in claim order, comma-separated */
static const char *claimed(void)
{
	static char out[1024];
	struct db_stmt *s = dbx_stmt(FX.d.store->db, "SELECT employer || ':'"
				     " || name FROM file ORDER BY id");
	size_t n = 0;

	out[0] = '\0';
	while (dbx_step(FX.d.store->db, s) == DB_ROW && n < sizeof(out))
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
				      n ? "," : "", db_col_text(s, 0));
	db_finalize(s);
	return out;
}

/* serve - one scan_serve() round at now + ms */
static int serve(long long ms)
{
	FX.now_ms += ms;
	return scan_serve(&FX.d);
}

static int in_drop(const char *emp, const char *name)
{
	return access(fx_path("spool/%s/in/%s", emp, name), F_OK) == 0;
}

/* test_fairness - one file per employer per round, turns rotate */
static void test_fairness(void **state)
{
	(void)state;
	drop(EMP, "a.csv", 1, 1);
	drop(EMP, "b.csv", 2, 2);
	drop(EMP, "c.csv", 3, 3);
	drop(TRIG, "x.csv", 4, 1);
	drop(TRIG, "y.csv", 5, 2);
	fx_write(fx_path("spool/" TRIG "/in/x.csv.ok"), "", 0, 10);
	fx_write(fx_path("spool/" TRIG "/in/y.csv.done"), "", 0, 10);
	/* First look: the trigger drop is ready at once, 12345678 settles. */
	assert_int_equal(serve(0), 1);
	assert_string_equal(claimed(), TRIG ":x.csv");
	assert_int_equal(serve(1000), 1);
	assert_int_equal(serve(0), 1);
	assert_int_equal(serve(0), 1);
	assert_int_equal(serve(0), 0);		/* all done */
	assert_string_equal(claimed(), TRIG ":x.csv," TRIG ":y.csv,"
			    EMP ":a.csv," EMP ":b.csv," EMP ":c.csv");
	assert_int_equal(fx_count("SELECT count(*) FROM file WHERE state ="
				  " 'done' AND accepted = 1"), 5);
	/* Trigger markers go once their file is claimed. */
	assert_false(in_drop(TRIG, "x.csv.ok"));
	assert_false(in_drop(TRIG, "y.csv.done"));
}

/* test_rounds - a burst from one employer never delays another's file:
 * a file that came after the whole burst was queued still goes next round */
static void test_rounds(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "%d.csv", i);
		drop(EMP, name, 10 + i, i + 1);
	}
	assert_int_equal(serve(0), 0);		/* seen, settling */
	assert_int_equal(serve(1000), 1);	/* 0.csv; 1 and 2 queued */
	drop(TRIG, "late.csv", 20, 50);
	fx_write(fx_path("spool/" TRIG "/in/late.csv.ok"), "", 0, 60);
	assert_int_equal(serve(0), 1);
	assert_string_equal(claimed(), EMP ":0.csv," EMP ":1.csv,"
			    TRIG ":late.csv");
	assert_int_equal(serve(0), 1);
	assert_string_equal(claimed(), EMP ":0.csv," EMP ":1.csv,"
			    TRIG ":late.csv," EMP ":2.csv");
}

/* test_order - within a drop: ready order, then mtime, then name */
static void test_order(void **state)
{
	(void)state;
	drop(EMP, "c.csv", 1, 1);
	drop(EMP, "b.csv", 2, 2);
	drop(EMP, "a.csv", 3, 2);
	assert_int_equal(serve(0), 0);
	assert_int_equal(serve(1000), 1);	/* one look: c, a, b queued */
	drop(EMP, "0-older.csv", 4, 0);	/* oldest mtime, ready later */
	assert_int_equal(serve(1000), 1);
	assert_int_equal(serve(0), 1);
	assert_int_equal(serve(0), 0);		/* a fresh look: 0-older seen */
	assert_int_equal(serve(1000), 1);
	assert_string_equal(claimed(), EMP ":c.csv," EMP ":a.csv," EMP ":b.csv,"
			    EMP ":0-older.csv");
}

/* test_changed - a queued file that changed since the look is not claimed
 * until it has settled again, and then with its new bytes */
static void test_changed(void **state)
{
	char data[1024];

	(void)state;
	drop(EMP, "a.csv", 1, 1);
	drop(EMP, "b.csv", 2, 2);
	assert_int_equal(serve(0), 0);
	assert_int_equal(serve(1000), 1);	/* a claimed; b queued */
	snprintf(data, sizeof(data), FX_HEADER "%s%s", fx_row(2), fx_row(3));
	fx_write(fx_path("spool/" EMP "/in/b.csv"), data, -1, 5);
	assert_int_equal(serve(0), 0);
	assert_true(in_drop(EMP, "b.csv"));
	assert_int_equal(fx_count("SELECT count(*) FROM file"), 1);
	assert_int_equal(serve(999), 0);
	assert_int_equal(serve(1), 1);
	assert_string_equal(claimed(), EMP ":a.csv," EMP ":b.csv");
	assert_int_equal(fx_count("SELECT accepted FROM file WHERE name ="
				  " 'b.csv'"), 2);
}

/* quarantined_as - the report of the quarantined name carries code */
static void assert_quarantined(const char *name, const char *code)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM file f JOIN file_line"
		 " l ON l.file_id = f.id WHERE f.name = '%s' AND f.state ="
		 " 'quarantined' AND l.code = '%s'", name, code);
	assert_int_equal(fx_count(sql), 1);
}

/* test_special - a FIFO, a link, a file replaced by a link: claimed by
 * rename, never opened (a FIFO would block), quarantined with E016 */
static void test_special(void **state)
{
	struct stat sb;
	char sql[128];

	(void)state;
	drop(EMP, "a.csv", 1, 1);
	drop(EMP, "b.csv", 2, 2);
	assert_int_equal(mkfifo(fx_path("spool/" EMP "/in/pipe.csv"), 0640), 0);
	assert_int_equal(serve(0), 1);		/* specials are not settled */
	assert_quarantined("pipe.csv", "E016");
	assert_int_equal(serve(1000), 1);	/* a; b queued */
	assert_int_equal(unlink(fx_path("spool/" EMP "/in/b.csv")), 0);
	assert_int_equal(symlink(fx_path("affild.yaml"),
				 fx_path("spool/" EMP "/in/b.csv")), 0);
	assert_int_equal(serve(0), 1);
	assert_quarantined("b.csv", "E016");
	snprintf(sql, sizeof(sql), "SELECT id FROM file WHERE name = 'b.csv'");
	assert_int_equal(lstat(fx_path("spool/.affild/quarantine/" EMP
				       "/%s.b.csv", fx_text(sql)), &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));	/* moved as it is */
	assert_int_equal(fx_count("SELECT count(*) FROM employee"), 1);
}

/* caps - set or clear CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH in the
 * effective set; -1 when this process cannot (not root, not permitted) */
static int caps(int on)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct c[2];
	unsigned bits = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);

	if (syscall(SYS_capget, &h, c) < 0 || (c[0].permitted & bits) != bits)
		return -1;
	c[0].effective = on ? c[0].effective | bits : c[0].effective & ~bits;
	return syscall(SYS_capset, &h, c) < 0 ? -1 : 0;
}

/* test_unreadable - an upload affild cannot open is never claimed: left
 * in in/, counted in the metrics; claimed once it can be read */
static void test_unreadable(void **state)
{
	const char *prom;

	(void)state;
	drop(EMP, "secret.csv", 1, 1);
	assert_int_equal(chmod(fx_path("spool/" EMP "/in/secret.csv"), 0), 0);
	assert_int_equal(serve(0), 0);
	if (caps(0) < 0)
		skip();	/* as root the open would succeed anyway */
	assert_int_equal(serve(1000), 0);
	assert_int_equal(serve(1000), 0);
	assert_int_equal(caps(1), 0);
	assert_true(in_drop(EMP, "secret.csv"));
	assert_int_equal(fx_count("SELECT count(*) FROM file"), 0);
	assert_int_equal(spool_ready_unreadable_count(FX.d.ready), 1);
	assert_non_null(prom = fx_read(fx_path("affild.prom")));
	assert_non_null(strstr(prom, "\naffild_files_unreadable 1\n"));
	assert_int_equal(serve(0), 1);
	assert_string_equal(claimed(), EMP ":secret.csv");
	assert_int_equal(spool_ready_unreadable_count(FX.d.ready), 0);
}

/* test_trigger - no marker, or a marker older than its file: not ready */
static void test_trigger(void **state)
{
	(void)state;
	drop(TRIG, "f.csv", 1, 100);
	assert_int_equal(serve(0), 0);
	assert_int_equal(serve(60000), 0);	/* settling means nothing here */
	fx_write(fx_path("spool/" TRIG "/in/f.csv.ok"), "", 0, 99);
	assert_int_equal(serve(0), 0);		/* left by an earlier upload */
	assert_true(in_drop(TRIG, "f.csv"));
	fx_write(fx_path("spool/" TRIG "/in/f.csv.done"), "", 0, 100);
	assert_int_equal(serve(0), 1);
	assert_false(in_drop(TRIG, "f.csv.done"));
	assert_true(in_drop(TRIG, "f.csv.ok"));	/* not the one that counted */
	/* A marker alone is never claimed as a file. */
	assert_int_equal(unlink(fx_path("spool/" TRIG "/in/f.csv.ok")), 0);
	fx_write(fx_path("spool/" TRIG "/in/g.csv.ok"), "", 0, 100);
	assert_int_equal(serve(0), 0);
	assert_true(in_drop(TRIG, "g.csv.ok"));
	assert_string_equal(claimed(), TRIG ":f.csv");
}

/* test_resume - what a crash left in work/ */
static void test_resume(void **state)
{
	char gone[STORE_ID_LEN], redo[STORE_ID_LEN], data[1024];
	char month[8], done_id[STORE_ID_LEN], cr[SPOOL_PATH_MAX];
	struct date t = date_today();

	(void)state;
	snprintf(month, sizeof(month), "%04d-%02d", t.y, t.m);
	/* 1. A file processed (COMMIT) whose moves never happened. */
	drop(EMP, "done.csv", 1, 1);
	assert_int_equal(serve(0), 0);
	assert_int_equal(serve(1000), 1);
	snprintf(done_id, sizeof(done_id), "%s", fx_text("SELECT id FROM file"));
	assert_int_equal(rename(fx_path("spool/.affild/archive/" EMP
					"/%s/%s.done.csv", month, done_id),
				fx_path("spool/.affild/work/%s", done_id)), 0);
	snprintf(cr, sizeof(cr), "%s", fx_path("spool/" EMP
		 "/out/done.csv.%s.cr.csv", done_id));
	assert_int_equal(rename(cr, fx_path("spool/" EMP "/out/.staging/%s.cr",
					    done_id)), 0);
	/* 2. A claim whose rename into work/ never happened: forgotten. */
	assert_int_equal(store_file_claim(FX.d.store, EMP, "gone.csv", 10, 0,
					  gone), 0);
	/* 3. A claimed file in work/, nothing committed: processed again. */
	assert_int_equal(store_file_claim(FX.d.store, EMP, "redo.csv", 10, 0,
					  redo), 0);
	snprintf(data, sizeof(data), FX_HEADER "%s", fx_row(2));
	fx_write(fx_path("spool/.affild/work/%s", redo), data, -1, 0);
	/* 4. No tracking row: left for an admin.  5. Dotted: not ours. */
	fx_write(fx_path("spool/.affild/work/20200101-000009"), "x", -1, 0);
	fx_write(fx_path("spool/.affild/work/%s.copy", redo), "x", -1, 0);

	assert_int_equal(scan_resume(&FX.d), -1);	/* the orphan */
	assert_non_null(fx_read(cr));
	assert_non_null(fx_read(fx_path("spool/.affild/archive/" EMP
					"/%s/%s.done.csv", month, done_id)));
	assert_int_equal(fx_count("SELECT count(*) FROM file WHERE name ="
				  " 'gone.csv'"), 0);
	assert_int_equal(fx_count("SELECT count(*) FROM file WHERE name ="
				  " 'redo.csv' AND state = 'done' AND"
				  " accepted = 1"), 1);
	assert_string_equal(fx_read(fx_path("spool/.affild/archive/" EMP
					    "/%s/%s.redo.csv", month, redo)),
			    data);
	assert_non_null(fx_read(fx_path("spool/.affild/work/20200101-000009")));
	assert_int_equal(fx_count("SELECT count(*) FROM employee"), 2);
	assert_int_equal(fx_count("SELECT count(*) FROM outbox"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fairness, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_rounds, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_order, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_changed, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_special, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_trigger, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_resume, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
