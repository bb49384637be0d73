/*
 * test_store_file - store/store_file.c: the tracked requests.
 *
 * A file is claimed under a tracking id "AAAAMMJJ-NNNNNN" (the Paris day,
 * then a sequence of that day), forgotten when its rename never happened,
 * finished with its counts inside its own transaction.  A file whose bytes
 * were already applied for the same employer is a duplicate; a validation
 * drop, a file of requests only (EXPORT) and a file of which nothing
 * applied never count as applied.  Failed runs are counted; the rejected
 * and warning lines are stored and read back in order; a database another
 * connection holds is a failure that may pass with time.
 *
 * Each test gets a fresh database in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/date.h"
#include "common/log.h"
#include "store/store_priv.h"
#include "tests/unit/store_fixture.h"

#define EMP "12345678"
#define OTHER "87654321"
#define SHA_A "aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000aaaa0000"
#define SHA_B "bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111bbbb1111"

static int setup(void **state)
{
	return store_setup(state, "test_store_file");
}

/* ---- helpers ------------------------------------------------------------ */

/* today_prefix - "AAAAMMJJ-" of the Paris day, as the claim numbers it */
static void today_prefix(char out[16])
{
	struct date d = date_today();

	snprintf(out, 16, "%04d%02d%02d-", d.y, d.m, d.d);
}

static void claim(struct fx *f, const char *employer, const char *name,
		  int validation, char id[STORE_ID_LEN])
{
	assert_int_equal(store_file_claim(f->st, employer, name, 42,
					  validation, id), 0);
}

/*
 * processed - a file claimed and finished in its transaction, the way the
 * pipeline ends one: state "done" or "quarantined", a return code (CR0-3)
 * and whether it held requests only.
 */
static void processed(struct fx *f, const char *employer, const char *name,
		      const char *sha, int validation, const char *fstate,
		      int rc, int requests_only, char id[STORE_ID_LEN])
{
	struct file_rec r;

	claim(f, employer, name, validation, id);
	memset(&r, 0, sizeof(r));
	snprintf(r.id, sizeof(r.id), "%s", id);
	r.state = (char *)fstate;
	r.sha256 = (char *)sha;
	r.return_code = rc;
	r.movements = 3;
	r.accepted = rc == 3 ? 0 : 3;
	r.requests_only = requests_only;
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_file_finish(f->st, &r), 0);
	assert_int_equal(store_commit(f->st), 0);
}

/* duplicate_of - store_file_duplicate for file self of employer with sha:
 * the earlier file's id ("" for none) */
static const char *duplicate_of(struct fx *f, const char *employer,
				const char *sha, const char *self)
{
	static char id[STORE_ID_LEN];
	char name[64], at[32];
	int rc;

	id[0] = '\0';
	rc = store_file_duplicate(f->st, employer, sha, self, id, name,
				  sizeof(name), at, sizeof(at));
	assert_in_range(rc, 0, 1);
	if (rc == 0)
		id[0] = '\0';
	return id;
}

/* attempts_of - the attempts column, read directly */
static long long attempts_of(struct fx *f, const char *id)
{
	struct db_stmt *s = dbx_stmt(f->st->db, "SELECT attempts FROM file"
				     " WHERE id = ?");
	long long n = -1;

	assert_int_equal(db_bind_text(s, 1, id, 1), 0);
	if (dbx_step(f->st->db, s) == DB_ROW)
		n = db_col_int64(s, 0);
	db_finalize(s);
	return n;
}

/* ---- claim, forget, finish ---------------------------------------------- */

/* Ids sort by arrival: the day, then the day's sequence, whatever other
 * days hold. */
static void test_claim_numbers_files_by_day(void **state)
{
	struct fx *f = *state;
	char day[16], want[32], a[STORE_ID_LEN], b[STORE_ID_LEN];
	char c[STORE_ID_LEN], d[STORE_ID_LEN];
	struct file_rec r;

	today_prefix(day);
	assert_int_equal(st_exec(f->st, "INSERT INTO file (id, employer, name,"
				 " size, state, received_at) VALUES"
				 " ('20000101-000077', '" EMP "', 'x.csv', 1,"
				 " 'done', '2000-01-01T00:00:00Z')"), 0);
	claim(f, EMP, "a.csv", 0, a);
	claim(f, OTHER, "b.csv", 1, b);
	snprintf(want, sizeof(want), "%s000001", day);
	assert_string_equal(a, want);
	snprintf(want, sizeof(want), "%s000002", day);
	assert_string_equal(b, want);

	assert_int_equal(store_file_get(f->st, b, &r), 1);
	assert_string_equal(r.id, b);
	assert_string_equal(r.employer, OTHER);
	assert_string_equal(r.name, "b.csv");
	assert_string_equal(r.state, "claimed");
	assert_int_equal(r.validation, 1);
	assert_int_equal(r.size, 42);
	assert_int_equal(r.return_code, -1);
	assert_non_null(r.received_at);
	assert_null(r.processed_at);
	assert_null(r.sha256);
	file_rec_free(&r);

	/* The sequence goes on from the day's highest id: a forgotten claim
	 * leaves a gap, unless it was the last, whose id is given again. */
	claim(f, EMP, "c.csv", 0, c);
	assert_int_equal(store_file_forget(f->st, b), 0);
	claim(f, EMP, "d.csv", 0, d);
	snprintf(want, sizeof(want), "%s000004", day);
	assert_string_equal(d, want);
	assert_int_equal(store_file_forget(f->st, d), 0);
	claim(f, EMP, "e.csv", 0, d);
	assert_string_equal(d, want);
	assert_int_equal(store_file_get(f->st, "19990101-000001", &r), 0);
}

/* Forget drops a claim whose rename never happened, never a processed
 * file. */
static void test_forget_only_a_claim(void **state)
{
	struct fx *f = *state;
	char a[STORE_ID_LEN], b[STORE_ID_LEN];
	struct file_rec r;

	claim(f, EMP, "a.csv", 0, a);
	processed(f, EMP, "b.csv", SHA_A, 0, "done", 0, 0, b);
	assert_int_equal(store_file_forget(f->st, a), 0);
	assert_int_equal(store_file_forget(f->st, b), 0);
	assert_int_equal(store_file_get(f->st, a, &r), 0);
	assert_int_equal(store_file_get(f->st, b, &r), 1);
	assert_string_equal(r.state, "done");
	file_rec_free(&r);
}

/* Finish records the outcome as the report states it. */
static void test_finish_records_the_outcome(void **state)
{
	struct fx *f = *state;
	char a[STORE_ID_LEN];
	struct file_rec w, r;

	claim(f, EMP, "a.csv", 0, a);
	memset(&w, 0, sizeof(w));
	snprintf(w.id, sizeof(w.id), "%s", a);
	w.state = (char *)"quarantined";
	w.sha256 = (char *)SHA_B;
	w.return_code = 3;
	w.movements = 7;
	w.accepted = 0;
	w.rejected = 7;
	w.warnings = 2;
	w.report = (char *)"out/a.csv.x.cr.csv";
	w.message = (char *)"fichier rejeté";
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_file_finish(f->st, &w), 0);
	assert_int_equal(store_commit(f->st), 0);

	assert_int_equal(store_file_get(f->st, a, &r), 1);
	assert_string_equal(r.state, "quarantined");
	assert_string_equal(r.sha256, SHA_B);
	assert_int_equal(r.return_code, 3);
	assert_int_equal(r.movements, 7);
	assert_int_equal(r.accepted, 0);
	assert_int_equal(r.rejected, 7);
	assert_int_equal(r.warnings, 2);
	assert_string_equal(r.report, "out/a.csv.x.cr.csv");
	assert_string_equal(r.message, "fichier rejeté");
	assert_non_null(r.processed_at);
	file_rec_free(&r);
}

/* ---- duplicates --------------------------------------------------------- */

/* The earliest applied file with the same bytes for this employer, named
 * with its date; never the file itself; another employer's never counts. */
static void test_duplicate_is_an_earlier_applied_file(void **state)
{
	struct fx *f = *state;
	char a[STORE_ID_LEN], b[STORE_ID_LEN], n[STORE_ID_LEN];
	char id[STORE_ID_LEN], name[64], at[32];

	processed(f, EMP, "janvier.csv", SHA_A, 0, "done", 2, 0, a);
	processed(f, EMP, "janvier-bis.csv", SHA_A, 0, "done", 0, 0, b);
	claim(f, EMP, "fevrier.csv", 0, n);

	assert_int_equal(store_file_duplicate(f->st, EMP, SHA_A, n, id, name,
					      sizeof(name), at, sizeof(at)),
			 1);
	assert_string_equal(id, a);
	assert_string_equal(name, "janvier.csv");
	assert_int_equal(strlen(at), 20);	/* AAAA-MM-JJTHH:MM:SSZ */
	assert_string_equal(duplicate_of(f, EMP, SHA_A, b), a);
	/* never the file itself */
	assert_string_equal(duplicate_of(f, EMP, SHA_A, a), b);
	assert_string_equal(duplicate_of(f, EMP, SHA_B, n), "");
	assert_string_equal(duplicate_of(f, OTHER, SHA_A, n), "");
}

/*
 * Only a file that applied something counts: not a validation drop (it
 * changed nothing, so the same bytes in in/ are applied), not a file of
 * requests only (an EXPORT asked again next month is a new request), not a
 * file of which nothing applied (CR3, quarantined) nor one never finished.
 */
static void test_only_an_applied_file_counts(void **state)
{
	static const struct {
		const char *name;
		int validation;
		const char *state;
		int rc, requests_only;
	} never[] = {
		{ "essai.csv", 1, "done", 0, 0 },
		{ "export.csv", 0, "done", 0, 1 },
		{ "rejete.csv", 0, "done", 3, 0 },
		{ "illisible.csv", 0, "quarantined", 3, 0 },
	};
	struct fx *f = *state;
	char id[STORE_ID_LEN], n[STORE_ID_LEN];
	size_t i;

	for (i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		processed(f, EMP, never[i].name, SHA_A, never[i].validation,
			  never[i].state, never[i].rc, never[i].requests_only,
			  id);
	claim(f, EMP, "en-cours.csv", 0, id);
	assert_int_equal(st_exec(f->st, "UPDATE file SET sha256 = '" SHA_A "'"
				 " WHERE state = 'claimed'"), 0);
	claim(f, EMP, "nouveau.csv", 0, n);
	assert_string_equal(duplicate_of(f, EMP, SHA_A, n), "");

	/* The same bytes applied once (CR2: partly) do count. */
	processed(f, EMP, "applique.csv", SHA_A, 0, "done", 2, 0, id);
	assert_string_equal(duplicate_of(f, EMP, SHA_A, n), id);
}

/* ---- attempts, failures ------------------------------------------------- */

/* Each failed run of a file is counted on that file alone. */
static void test_attempts_are_counted(void **state)
{
	struct fx *f = *state;
	char a[STORE_ID_LEN], b[STORE_ID_LEN];
	int n = -1;

	claim(f, EMP, "a.csv", 0, a);
	claim(f, EMP, "b.csv", 0, b);
	assert_int_equal(store_file_attempt(f->st, a, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_file_attempt(f->st, a, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(attempts_of(f, a), 2);
	assert_int_equal(attempts_of(f, b), 0);
	assert_int_equal(store_file_attempt(f->st, "19990101-000001", &n), -1);
	assert_int_equal(store_failure_transient(f->st), 0);
}

/*
 * Busy: another connection holds the write lock (BEGIN EXCLUSIVE) and this
 * one may not wait (busy_timeout 0): the claim and the attempt fail, and
 * the failure is one that passes with time, said once.  SQLite only: the
 * lock is its file's; PostgreSQL's writers queue on an advisory lock, with
 * no busy timeout to give up on.
 */
static void test_busy_database_is_a_transient_failure(void **state)
{
	struct fx *f = *state;
	struct store *st;
	char a[STORE_ID_LEN], b[STORE_ID_LEN];
	struct db *other;
	int n = 0;

	DBX_SQLITE_ONLY();
	assert_non_null(st = store_open(f->db, STORE_RW, 8, 0));
	claim(f, EMP, "a.csv", 0, a);
	assert_non_null(other = db_open(f->db, NULL, 0, 16, 0));
	dbx_exec(other, "BEGIN EXCLUSIVE");

	assert_int_equal(store_file_attempt(st, a, &n), -1);
	assert_int_equal(store_failure_transient(st), 1);
	assert_int_equal(store_failure_transient(st), 0);	/* cleared */
	assert_int_equal(store_file_claim(st, EMP, "b.csv", 1, 0, b), -1);
	assert_int_equal(store_failure_transient(st), 1);

	dbx_exec(other, "ROLLBACK");
	db_close(other);
	assert_int_equal(store_file_attempt(st, a, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_failure_transient(st), 0);
	store_close(st);
}

/* ---- lines -------------------------------------------------------------- */

struct lines {
	int n, stop_after;
	long line[8];
	char text[8][160];
};

static const char *or_null(const char *v)
{
	return v ? v : "(null)";
}

static int read_line(long line, const char *op, const char *nir,
		     const char *result, const char *code, const char *field,
		     const char *msg, void *arg)
{
	struct lines *l = arg;

	assert_true(l->n < 8);
	l->line[l->n] = line;
	snprintf(l->text[l->n], sizeof(l->text[0]), "%s|%s|%s|%s|%s|%s",
		 or_null(op), or_null(nir), result, code, or_null(field), msg);
	l->n++;
	return l->stop_after && l->n >= l->stop_after;
}

/* The rejected and warning lines of a file come back in the order stored,
 * absent values as NULL; the purge drops those of older days. */
static void test_lines_stored_and_read_back(void **state)
{
	struct fx *f = *state;
	char a[STORE_ID_LEN], b[STORE_ID_LEN];
	struct file_rec r;
	struct lines l;
	long long count = -1;

	claim(f, EMP, "a.csv", 0, a);
	claim(f, EMP, "b.csv", 0, b);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_file_line(f->st, a, 12, "RADIATION",
					 "1850578006048", "REJETE", "E202",
					 "nir", "salarié inconnu"), 0);
	assert_int_equal(store_file_line(f->st, b, 3, "MODIFICATION", NULL,
					 "REJETE", "E201", NULL, "autre"), 0);
	assert_int_equal(store_file_line(f->st, a, 2, NULL, NULL,
					 "AVERTISSEMENT", "W101", "email",
					 "adresse douteuse"), 0);
	assert_int_equal(store_commit(f->st), 0);

	memset(&l, 0, sizeof(l));
	assert_int_equal(store_file_lines_each(f->st, a, read_line, &l), 0);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.line[0], 12);
	assert_string_equal(l.text[0], "RADIATION|1850578006048|REJETE|E202|"
			    "nir|salarié inconnu");
	assert_int_equal(l.line[1], 2);
	assert_string_equal(l.text[1], "(null)|(null)|AVERTISSEMENT|W101|"
			    "email|adresse douteuse");

	memset(&l, 0, sizeof(l));
	l.stop_after = 1;
	assert_int_equal(store_file_lines_each(f->st, a, read_line, &l), 0);
	assert_int_equal(l.n, 1);

	/* Retention: ids sort by day, so "the lines of files before today"
	 * is a comparison of ids; today's stay. */
	assert_int_equal(store_file_lines_purge(f->st, "20000101-", &count), 0);
	assert_int_equal(count, 0);
	assert_int_equal(store_file_lines_purge(f->st, "99991231-", &count), 0);
	assert_int_equal(count, 3);
	memset(&l, 0, sizeof(l));
	assert_int_equal(store_file_lines_each(f->st, b, read_line, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(store_file_get(f->st, a, &r), 1);	/* row kept */
	file_rec_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, store_teardown)
		T(test_claim_numbers_files_by_day),
		T(test_forget_only_a_claim),
		T(test_finish_records_the_outcome),
		T(test_duplicate_is_an_earlier_applied_file),
		T(test_only_an_applied_file_counts),
		T(test_attempts_are_counted),
		T(test_busy_database_is_a_transient_failure),
		T(test_lines_stored_and_read_back),
#undef T
	};

	log_init("test_store_file", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
