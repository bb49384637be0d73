/*
 * test_read_ahead - what the store learns ahead of a batch of movements
 * (store_prefetch, store/store_ahead.c: on PostgreSQL, which of their
 * NIRs the employer holds) never outlives a write that gives one of them
 * a record, nor its transaction: the same movements give the same
 * outcome asked ahead or not.  On SQLite nothing is asked and both runs
 * are the usual way; on PostgreSQL (AFFILD_TEST_PG) the new employees of
 * the second run are written without an answer awaited.
 */
#include "tests/unit/apply_fixture.h"

/*
 * read_ahead_scenario - movements on NIRs base..base+5 of which the last
 * exists before: with ahead, store_prefetch() is asked about all of them
 * first, as the pipeline does on PostgreSQL, and what it learnt must not
 * outlive a write that gives one of them a record.  The codes and the
 * counts are what the test compares.
 */
static void read_ahead_scenario(int base, int ahead, char codes[6][8],
				long counts[8])
{
	const char *a = nir_of(base), *b = nir_of(base + 1);
	const char *c = nir_of(base + 2), *e = nir_of(base + 3);
	const char *old = nir_of(base + 4);
	const char *batch[] = { a, b, c, e, old, a, b, c };
	char spec[512], q[256];
	int i = 0;

	ok(old, "AFFILIATION_SIMPLE " PERSON);
	if (ahead)
		assert_int_equal(store_prefetch(T.st, "12345678", batch, 8), 0);
	/* a new employee, then the same NIR again: the second finds her */
	ok(a, "AFFILIATION_SIMPLE " PERSON);
	run(a, "AFFILIATION_COMPLETE " PERSON ";option=BASE", codes[i++], 0);
	/* b's record made the usual way (a RUM to draw), then b again */
	ok(b, "AFFILIATION_COMPLETE " PERSON ";option=CONFORT;"
	   "iban=FR1420041010050500013M02606;date_signature_mandat=2026-11-02");
	run(b, "AFFILIATION_SIMPLE " PERSON, codes[i++], 0);
	/* old's NIR corrected to c: c is held now */
	snprintf(spec, sizeof(spec), "MODIFICATION nouveau_nir=%s", c);
	run(old, spec, codes[i++], 0);
	run(c, "AFFILIATION_SIMPLE " PERSON, codes[i++], 0);
	/* e written, then undone by a savepoint: new again */
	assert_int_equal(store_savepoint(T.st, "grp"), 0);
	ok(e, "AFFILIATION_SIMPLE " PERSON);
	assert_int_equal(store_rollback_to(T.st, "grp"), 0);
	run(e, "AFFILIATION_SIMPLE " PERSON, codes[i++], 0);
	run(e, "AFFILIATION_SIMPLE " PERSON, codes[i++], 0);
	for (i = 0; i < 5; i++) {
		snprintf(q, sizeof(q), "SELECT count(*) FROM employee"
			 " WHERE nir = '%s'", nir_of(base + i));
		counts[i] = count(q);
	}
	snprintf(q, sizeof(q), "SELECT count(*) FROM outbox o JOIN employee e"
		 " ON e.id = o.employee_id WHERE e.nir IN ('%s', '%s', '%s',"
		 " '%s', '%s')", a, b, c, e, old);
	counts[5] = count(q);
	snprintf(q, sizeof(q), "SELECT count(*) FROM outbox WHERE employee_id"
		 " NOT IN (SELECT id FROM employee)");
	counts[6] = count(q);
	snprintf(q, sizeof(q), "SELECT count(*) FROM history h JOIN employee e"
		 " ON e.id = h.employee_id WHERE e.nir IN ('%s', '%s', '%s',"
		 " '%s', '%s')", a, b, c, e, old);
	counts[7] = count(q);
}

/* test_read_ahead - asked ahead or not, the same outcome: one record per
 * NIR, each message about an employee who exists */
static void test_read_ahead(void **state)
{
	char plain[6][8], ahead[6][8];
	long nplain[8], nahead[8];
	int i;

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	read_ahead_scenario(940, 0, plain, nplain);
	read_ahead_scenario(950, 1, ahead, nahead);
	assert_int_equal(store_commit(T.st), 0);
	for (i = 0; i < 6; i++)
		assert_string_equal(ahead[i], plain[i]);
	for (i = 0; i < 8; i++)
		assert_int_equal(nahead[i], nplain[i]);
	for (i = 0; i < 5; i++)
		if (i != 2 && i != 4)	/* c took old's record */
			assert_int_equal(nahead[i], 1);
	assert_int_equal(nahead[2] + nahead[4], 1);
	assert_int_equal(nahead[6], 0);
	/* What was known goes with the transaction: another writer may
	 * give the NIR a record between two (here, by hand). */
	{
		const char *x = nir_of(960);
		char q[512], code[8];

		assert_int_equal(store_begin(T.st), 0);
		assert_int_equal(store_prefetch(T.st, "12345678", &x, 1), 0);
		assert_int_equal(store_commit(T.st), 0);
		snprintf(q, sizeof(q), "INSERT INTO employee (employer, nir,"
			 " status, status_since, updated_at) VALUES ("
			 "'12345678', '%s', 'EN_COURS', '2026-11-28',"
			 " '2026-11-28T00:00:00Z')", x);
		dbx_exec(T.st->db, q);
		assert_int_equal(store_begin(T.st), 0);
		/* her record found (with other data), not a second one */
		assert_int_equal(run(x, "AFFILIATION_SIMPLE " PERSON, code, 0),
				 1);
		assert_string_equal(code, "E203");
		assert_int_equal(store_commit(T.st), 0);
		snprintf(q, sizeof(q), "SELECT count(*) FROM employee WHERE"
			 " nir = '%s'", x);
		assert_int_equal(count(q), 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_ahead, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
