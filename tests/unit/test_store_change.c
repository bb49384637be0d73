/*
 * test_store_change - the store's side of a change (store_change.c,
 * store_person.c): what the one writer puts in SQLite, without the rules
 * that decide it (process/: test_handle.c, test_process.c).
 *
 * The personal data is written and read back field by field, so the
 * statements' columns and person_fields cannot drift apart; "#VIDE"
 * clears, an empty cell keeps; a change's history rows, columns and
 * deadlines land where they belong; an insert "if absent" writes nothing
 * when the record exists; a change that did not fit is not written.
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

#include "common/log.h"
#include "store/store_apply.h"
#include "tests/unit/store_fixture.h"

static struct cfg cfg;			/* every delay 0: today's dates */
static struct cfg_employer emp = { .numero = "12345678" };

static int setup(void **state)
{
	return store_setup(state, "test_store_change");
}

static void env_of(struct st_env *env)
{
	memset(env, 0, sizeof(*env));
	env->cfg = &cfg;
	env->emp = &emp;
	env->today = (struct date){ 2026, 11, 28 };
	env->cause = "fichier";
	snprintf(env->ref, sizeof(env->ref), "F1:2");
}

/* value_of - a value of its own for each personal field */
static void value_of(enum field f, char *out, size_t len)
{
	snprintf(out, len, "v-%s", field_name(f));
}

/* person - a movement for nir carrying every personal field */
static void person(struct movement *mv, const char *nir)
{
	char v[64];
	size_t i;

	mv_init(mv);
	mv->op = OP_AFFILIATION_COMPLETE;
	mv_set(mv, F_NIR, nir);
	for (i = 0; person_fields[i] != F_NONE; i++) {
		value_of(person_fields[i], v, sizeof(v));
		mv_set(mv, person_fields[i], v);
	}
}

/* count - the first column of one row of sql */
static long long count(struct fx *f, const char *sql)
{
	struct db_stmt *s = dbx_stmt(f->st->db, sql);
	long long n;

	assert_int_equal(dbx_step(f->st->db, s), DB_ROW);
	n = db_col_int64(s, 0);
	db_finalize(s);
	return n;
}

static void test_personal_data_round_trip(void **state)
{
	struct fx *f = *state;
	struct movement mv, edit;
	struct st_emp e, back;
	struct record r;
	struct st_env env;
	char v[64];
	size_t i;

	env_of(&env);
	memset(&e, 0, sizeof(e));
	person(&mv, "290049900000059");
	assert_int_equal(st_emp_insert(f->st, &env, &mv, "AFFILIE", 0, 0, &e),
			 0);
	assert_int_equal(st_emp_load_id(f->st, e.id, &back), 0);
	st_emp_record(&back, &r);
	for (i = 0; person_fields[i] != F_NONE; i++) {
		value_of(person_fields[i], v, sizeof(v));
		assert_string_equal(r.person[person_fields[i]], v);
	}
	assert_int_equal(r.status, STATUS_AFFILIE);
	st_emp_free(&back);

	/* "#VIDE" clears, an empty cell keeps, a value replaces. */
	mv_init(&edit);
	mv_set(&edit, F_EMAIL, VIDE);
	mv_set(&edit, F_NOM, "");
	mv_set(&edit, F_VILLE, "Lyon");
	assert_int_equal(st_emp_set_person(f->st, e.id, &edit), 0);
	assert_int_equal(st_emp_load_id(f->st, e.id, &back), 0);
	assert_null(back.email);
	assert_string_equal(back.nom, "v-nom");
	assert_string_equal(back.ville, "Lyon");
	st_emp_free(&back);

	/* Once there, the insert "if absent" writes nothing. */
	assert_int_equal(st_emp_insert(f->st, &env, &mv, "AFFILIE", 0, 1,
				       &back), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM employee"), 1);
	st_emp_free(&e);
	mv_free(&mv);
	mv_free(&edit);
}

static void test_a_change_written(void **state)
{
	struct fx *f = *state;
	struct movement mv;
	struct st_env env;
	struct st_emp e;
	struct change c;

	env_of(&env);
	memset(&e, 0, sizeof(e));
	person(&mv, "190049900000012");
	assert_int_equal(st_emp_insert(f->st, &env, &mv, "DISPENSE", 0, 0,
				       &e), 0);
	change_init(&c);
	c.to = STATUS_EN_COURS;
	change_set(&c, "relances", "0");
	change_hist(&c, STATUS_DISPENSE, STATUS_EN_COURS, "fin de dispense");
	change_due(&c, DL_FIN_PORTABILITE, (struct date){ 2027, 1, 2 }, NULL);
	change_due(&c, DL_RELANCE, (struct date){ 2026, 12, 6 }, NULL);
	c.drop = DL_BIT(DL_PREUVE_DISPENSE);
	assert_int_equal(st_change_write(f->st, &env, &e, NULL, &c), 0);
	assert_int_equal(count(f, "SELECT status = 'EN_COURS' AND"
			       " prev_status = 'DISPENSE' FROM employee"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM history WHERE"
			       " from_status = 'DISPENSE' AND"
			       " to_status = 'EN_COURS' AND cause = 'fichier'"
			       " AND cause_ref = 'F1:2'"), 1);
	/* A row kind as a row, relance in its column. */
	assert_int_equal(count(f, "SELECT count(*) FROM deadline WHERE"
			       " kind = 'fin_portabilite' AND"
			       " due = '2027-01-02' AND done_at IS NULL"), 1);
	assert_int_equal(count(f, "SELECT due_relance = '2026-12-06'"
			       " FROM employee"), 1);

	/* A change that overflowed is a bug: nothing of it is written. */
	change_init(&c);
	change_hist(&c, STATUS_EN_COURS, STATUS_EN_COURS, "jamais écrit");
	c.full = 1;
	assert_int_equal(st_change_write(f->st, &env, &e, NULL, &c), -1);
	assert_int_equal(count(f, "SELECT count(*) FROM history"), 1);
	/* Personal data with no movement to take it from: refused too. */
	change_init(&c);
	c.person = 1;
	assert_int_equal(st_change_write(f->st, &env, &e, NULL, &c), -1);
	st_emp_free(&e);
	mv_free(&mv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_personal_data_round_trip,
						setup, store_teardown),
		cmocka_unit_test_setup_teardown(test_a_change_written, setup,
						store_teardown),
	};

	log_init("test_store_change", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
