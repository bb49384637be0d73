/*
 * test_pipeline - daemon/pipeline.c: one claimed file through
 * pipeline_run() on a real temporary spool and database (daemon_fixture.h).
 *
 * Each test claims a file the way scan.c does (tracking row, then the
 * bytes in .affild/work/<id>) and asserts what the run leaves: the file's
 * row (state, counts, return code, attempts), the employees and outbox
 * rows applied, the report in out/ and its lines, the original in archive/
 * or quarantine/, and nothing left in work/ or out/.staging/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon_fixture.h"

/* claim - a tracking row and the bytes in work/, as scan.c's claim does */
static void claim(struct file_job *job, const char *name, const char *data,
		  long len)
{
	size_t n = len < 0 ? strlen(data) : (size_t)len;

	memset(job, 0, sizeof(*job));
	job->fd = -1;
	job->emp = cfg_employer(FX.d.cfg, EMP);
	snprintf(job->employer, sizeof(job->employer), EMP);
	snprintf(job->name, sizeof(job->name), "%s", name);
	assert_int_equal(store_file_claim(FX.d.store, EMP, name, (long long)n,
					  0, job->id), 0);
	fx_write(fx_path("spool/.affild/work/%s", job->id), data, (long)n, 0);
}

/* file_long - one column of the file's row */
static long file_long(const struct file_job *job, const char *col)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT %s FROM file WHERE id = '%s'", col,
		 job->id);
	return fx_count(sql);
}

static const char *file_state(const struct file_job *job)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT state FROM file WHERE id = '%s'",
		 job->id);
	return fx_text(sql);
}

/* report - the report of job in out/ (name cut as the pipeline cuts it) */
static const char *report(const struct file_job *job)
{
	char cut[SPOOL_NAME_MAX + 1];

	(void)spool_name_fit(job->name, cut, sizeof(cut));
	return fx_read(fx_path("spool/" EMP "/out/%s.%s.cr.csv", cut,
			       job->id));
}

/* rested - the original is in archive/ (or quarantine/), not in work/ */
static const char *rested(const struct file_job *job, int quarantine)
{
	char cut[SPOOL_NAME_MAX + 1], month[8];
	struct date t = date_today();

	(void)spool_name_fit(job->name, cut, sizeof(cut));
	snprintf(month, sizeof(month), "%04d-%02d", t.y, t.m);
	assert_int_not_equal(access(fx_path("spool/.affild/work/%s", job->id),
				    F_OK), 0);
	return quarantine ?
	       fx_read(fx_path("spool/.affild/quarantine/" EMP "/%s.%s",
			       job->id, cut)) :
	       fx_read(fx_path("spool/.affild/archive/" EMP "/%s/%s.%s", month,
			       job->id, cut));
}

/* staging_empty - nothing of any run left in out/.staging/ */
static void assert_staging_empty(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s')\"",
		 fx_path("spool/" EMP "/out/.staging"));
	assert_int_equal(system(cmd), 0);
}

/* test_one_file - applied, reported, archived, exactly once */
static void test_one_file(void **state)
{
	char data[1024];
	const char *rep;
	struct file_job job;

	(void)state;
	snprintf(data, sizeof(data), FX_HEADER "%s%s", fx_row(1), fx_row(2));
	claim(&job, "affiliations.csv", data, -1);
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_OK);
	assert_string_equal(file_state(&job), "done");
	assert_int_equal(file_long(&job, "return_code"), 0);
	assert_int_equal(file_long(&job, "movements"), 2);
	assert_int_equal(file_long(&job, "accepted"), 2);
	assert_int_equal(file_long(&job, "rejected"), 0);
	assert_int_equal(fx_count("SELECT count(*) FROM employee WHERE status"
				  " = 'EN_COURS'"), 2);
	assert_int_equal(fx_count("SELECT count(*) FROM outbox WHERE kind ="
				  " 'invitation' AND state = 'pending'"), 2);
	assert_non_null(rep = report(&job));
	assert_non_null(strstr(rep, "ligne;operation;nir;resultat;code"));
	assert_non_null(strstr(rep, "2;AFFILIATION_SIMPLE;"));
	assert_non_null(strstr(rep, "3;AFFILIATION_SIMPLE;"));
	assert_null(strstr(rep, "REJETE"));
	assert_string_equal(rested(&job, 0), data);
	assert_staging_empty();
}

/* test_gate_holds - radiating both covered employees (100 %, 2 of them)
 * holds the file: nothing applied, E020, the original in held/ */
static void test_gate_holds(void **state)
{
	char data[1024], today[DATE_ISO_SIZE], cut[SPOOL_NAME_MAX + 1];
	const char *rep;
	struct file_job job;

	(void)state;
	snprintf(data, sizeof(data), FX_HEADER "%s%s", fx_row(1), fx_row(2));
	claim(&job, "embauches.csv", data, -1);
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_OK);
	(void)date_format(date_today(), today);
	snprintf(data, sizeof(data), "operation;nir;date_fin_contrat;"
		 "motif_rupture\nRADIATION;%s;%s;059\nRADIATION;%s;%s;059\n",
		 fx_nir(1), today, fx_nir(2), today);
	claim(&job, "departs.csv", data, -1);
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_OK);
	assert_string_equal(file_state(&job), "held");
	assert_int_equal(file_long(&job, "return_code"), 3);
	assert_int_equal(fx_count("SELECT count(*) FROM employee WHERE status"
				  " = 'EN_COURS'"), 2);
	assert_non_null(rep = report(&job));
	assert_non_null(strstr(rep, "0;FICHIER;;REJETE;E020;;"));
	assert_non_null(strstr(rep, "fichier en attente de validation : "
			       "il radierait 2 salariés sur 2 couverts (100 %, "
			       "au-delà de 20 %)"));
	(void)spool_name_fit(job.name, cut, sizeof(cut));
	assert_int_not_equal(access(fx_path("spool/.affild/work/%s", job.id),
				    F_OK), 0);
	assert_string_equal(fx_read(fx_path("spool/.affild/held/" EMP "/%s.%s",
					    job.id, cut)), data);
	assert_staging_empty();
}

/* test_nul - a NUL in a cell rejects that row (E190), not the file */
static void test_nul(void **state)
{
	static const char bad[] = "AFFILIATION_SIMPLE;290049900000257;Mar\0tin;"
		"Léo;1990-04-12;2026-12-01;CADRE;leo@example.fr\n";
	char data[1024];
	const char *rep;
	struct file_job job;
	size_t n;

	(void)state;
	n = (size_t)snprintf(data, sizeof(data), FX_HEADER "%s", fx_row(1));
	memcpy(data + n, bad, sizeof(bad) - 1);
	n += sizeof(bad) - 1;
	claim(&job, "nul.csv", data, (long)n);
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_OK);
	assert_string_equal(file_state(&job), "done");
	assert_int_equal(file_long(&job, "return_code"), 2);
	assert_int_equal(file_long(&job, "accepted"), 1);
	assert_int_equal(file_long(&job, "rejected"), 1);
	assert_int_equal(fx_count("SELECT count(*) FROM employee"), 1);
	assert_int_equal(fx_count("SELECT line FROM file_line WHERE code ="
				  " 'E190'"), 3);
	assert_non_null(rep = report(&job));
	assert_non_null(strstr(rep, "3;AFFILIATION_SIMPLE;"));
	assert_non_null(strstr(rep, ";REJETE;E190;"));
	assert_non_null(rested(&job, 0));
}

/* test_duplicate - the same bytes again: E005, quarantined, nothing applied */
static void test_duplicate(void **state)
{
	char data[1024];
	const char *rep;
	struct file_job first, again;

	(void)state;
	snprintf(data, sizeof(data), FX_HEADER "%s", fx_row(1));
	claim(&first, "janvier.csv", data, -1);
	assert_int_equal(pipeline_run(&FX.d, &first), PIPE_OK);
	claim(&again, "janvier-bis.csv", data, -1);
	assert_int_equal(pipeline_run(&FX.d, &again), PIPE_OK);
	assert_string_equal(file_state(&again), "quarantined");
	assert_int_equal(file_long(&again, "return_code"), 3);
	assert_int_equal(file_long(&again, "accepted"), 0);
	assert_int_equal(fx_count("SELECT count(*) FROM employee"), 1);
	assert_int_equal(fx_count("SELECT count(*) FROM outbox"), 1);
	assert_non_null(rep = report(&again));
	assert_non_null(strstr(rep, ";REJETE;E005;"));
	assert_non_null(strstr(rep, "« janvier.csv »"));
	assert_non_null(strstr(rep, first.id));
	assert_string_equal(rested(&again, 1), data);
}

/* test_long_name - over 200 bytes: E015, report and quarantine names cut */
static void test_long_name(void **state)
{
	char name[256], data[1024];
	const char *rep;
	struct file_job job;

	(void)state;
	memset(name, 'a', 205);
	snprintf(name + 205, sizeof(name) - 205, ".csv");
	snprintf(data, sizeof(data), FX_HEADER "%s", fx_row(1));
	claim(&job, name, data, -1);
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_OK);
	assert_string_equal(file_state(&job), "quarantined");
	assert_int_equal(fx_count("SELECT count(*) FROM employee"), 0);
	/* report() and rested() look under the name cut to 200 bytes */
	assert_non_null(rep = report(&job));
	assert_non_null(strstr(rep, ";REJETE;E015;"));
	assert_non_null(strstr(rep, "209 octets"));
	assert_string_equal(rested(&job, 1), data);
}

/* break_store - every employee insert fails: a fault waiting won't cure
 * (a trigger's error, in each database's spelling) */
static void break_store(void)
{
	if (db_kind(FX.d.store->db) == DB_SQLITE) {
		dbx_exec(FX.d.store->db, "CREATE TRIGGER boom BEFORE INSERT ON"
			 " employee BEGIN SELECT RAISE(ABORT, 'injected fault');"
			 " END");
		return;
	}
	dbx_exec(FX.d.store->db, "CREATE FUNCTION boom() RETURNS trigger"
		 " LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION"
		 " 'injected fault'; END $$");
	dbx_exec(FX.d.store->db, "CREATE TRIGGER boom BEFORE INSERT ON"
		 " employee FOR EACH ROW EXECUTE FUNCTION boom()");
}

/* test_attempts - permanent failures are counted; the max-th quarantines */
static void test_attempts(void **state)
{
	char data[1024];
	struct file_job job;

	(void)state;
	FX.d.cfg->spool.max_attempts = 2;
	break_store();
	snprintf(data, sizeof(data), FX_HEADER "%s", fx_row(1));
	claim(&job, "boom.csv", data, -1);
	/* First run: rolled back, counted, left claimed in work/. */
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_TEMPFAIL);
	assert_string_equal(file_state(&job), "claimed");
	assert_int_equal(file_long(&job, "attempts"), 1);
	assert_int_equal(access(fx_path("spool/.affild/work/%s", job.id), F_OK),
			 0);
	assert_null(report(&job));
	assert_staging_empty();
	/* Second: the last one allowed; quarantined with E017. */
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_OK);
	assert_string_equal(file_state(&job), "quarantined");
	assert_int_equal(file_long(&job, "return_code"), 3);
	assert_non_null(strstr(report(&job), ";REJETE;E017;"));
	assert_non_null(strstr(report(&job), "2 traitements"));
	assert_string_equal(rested(&job, 1), data);
	assert_int_equal(fx_count("SELECT count(*) FROM employee"), 0);
	assert_int_equal(fx_count("SELECT count(*) FROM outbox"), 0);
}

/* test_max_attempts_one - with max_attempts 1 the first failure is final */
static void test_max_attempts_one(void **state)
{
	char data[1024];
	struct file_job job;

	(void)state;
	FX.d.cfg->spool.max_attempts = 1;
	break_store();
	snprintf(data, sizeof(data), FX_HEADER "%s", fx_row(1));
	claim(&job, "boom.csv", data, -1);
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_OK);
	assert_string_equal(file_state(&job), "quarantined");
	assert_int_equal(file_long(&job, "attempts"), 1);
	assert_non_null(strstr(report(&job), ";REJETE;E017;"));
	assert_non_null(rested(&job, 1));
}

/* test_busy - a locked database passes with time: not counted, kept.
 * SQLite only: the lock is its file's (BEGIN EXCLUSIVE, busy_timeout_s 0);
 * PostgreSQL's writers queue on an advisory lock, with no busy timeout to
 * give up on. */
static void test_busy(void **state)
{
	char data[1024];
	struct file_job job;
	struct db *other;

	(void)state;
	DBX_SQLITE_ONLY();
	FX.d.cfg->spool.max_attempts = 1;
	snprintf(data, sizeof(data), FX_HEADER "%s", fx_row(1));
	claim(&job, "busy.csv", data, -1);
	assert_non_null(other = db_open(FX.d.cfg->db.path, NULL, 0, 16, 0));
	dbx_exec(other, "BEGIN EXCLUSIVE");
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_TEMPFAIL);
	dbx_exec(other, "COMMIT");
	db_close(other);
	assert_string_equal(file_state(&job), "claimed");
	assert_int_equal(file_long(&job, "attempts"), 0);
	assert_null(report(&job));
	/* The lock gone, the same file goes through. */
	assert_int_equal(pipeline_run(&FX.d, &job), PIPE_OK);
	assert_string_equal(file_state(&job), "done");
	assert_int_equal(fx_count("SELECT count(*) FROM employee"), 1);
	assert_string_equal(rested(&job, 0), data);
}

/*
 * A permanent failure that is not a system error (here a SQLite trigger's
 * RAISE(ABORT)) is logged without an errno, and so never taken for a full
 * disk: it was logged with SQLite's stale ENOENT once (pipeline.c now
 * takes the errno that was logged, log_take_errno()).
 */
static void test_permfail_errno(void **state)
{
	char data[1024], log[SPOOL_PATH_MAX];
	struct file_job job;
	int saved = dup(2), fd;

	(void)state;
	break_store();
	snprintf(data, sizeof(data), FX_HEADER "%s", fx_row(1));
	claim(&job, "boom.csv", data, -1);
	snprintf(log, sizeof(log), "%s", fx_path("stderr.log"));
	assert_true((fd = open(log, O_WRONLY | O_CREAT, 0600)) >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	(void)pipeline_run(&FX.d, &job);
	assert_int_equal(dup2(saved, 2), 2);
	close(fd);
	close(saved);
	assert_non_null(strstr(fx_read(log), "event=file_failed"));
	assert_non_null(strstr(fx_read(log), "error=\"see the lines above\""));
}

/*
 * A work file removed by hand while affild ran: the moves after the COMMIT
 * cannot archive it, and say so at err (it used to pass in silence).
 */
static void test_original_removed(void **state)
{
	char log[SPOOL_PATH_MAX];
	struct file_job job;
	int saved = dup(2), fd;

	(void)state;
	claim(&job, "parti.csv", FX_HEADER, -1);
	assert_int_equal(unlink(fx_path("spool/.affild/work/%s", job.id)), 0);
	snprintf(log, sizeof(log), "%s", fx_path("stderr.log"));
	assert_true((fd = open(log, O_WRONLY | O_CREAT, 0600)) >= 0);
	assert_int_equal(dup2(fd, 2), 2);
	assert_int_equal(pipeline_finish_moves(&FX.d, &job, 0), 0);
	assert_int_equal(dup2(saved, 2), 2);
	close(fd);
	close(saved);
	assert_non_null(strstr(fx_read(log), "event=original_missing"));
	assert_non_null(strstr(fx_read(log), job.id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_file, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_gate_holds, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_nul, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_long_name, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_attempts, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_max_attempts_one, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_busy, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_permfail_errno, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_original_removed, fx_setup,
						fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
