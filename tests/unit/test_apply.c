/*
 * test_apply - the transition table of rules.md, row by row, against a real
 * SQLite database: each case brings an employee to a status with real
 * movements, applies one more, and asserts the status after it, the
 * history rows and the queued messages; each forbidden transition asserts
 * that nothing changed at all.
 */
#include "tests/unit/apply_fixture.h"

/* table_agrees - what the store did is what process/transition.c's cell
 * for the row says: its refusal, or one of its outcomes */
static void table_agrees(const struct row *r, const char *to,
			 const char *kinds, const char *code)
{
	const struct transition *t = cell_of(r);
	int i, hit = 0;

	assert_non_null(t);
	if (strcmp(code, "E202") == 0) {
		assert_int_equal(t->verdict, TR_UNKNOWN);
	} else if (strcmp(code, "E201") == 0) {
		assert_true(t->verdict == TR_REFUSED || t->guard != GUARD_NONE);
	} else if (r->to != NULL && strcmp(code, "I200") != 0) {
		assert_int_equal(t->verdict, TR_APPLY);
		for (i = 0; i < TR_MAX_OUTCOMES && t->out[i].to; i++)
			hit |= outcome_fits(&t->out[i], r, to, kinds);
		if (!hit)
			fail_msg("%s %s -> %s [%s]: no outcome of the cell",
				 r->from, r->event, to, kinds);
	}
}

/* test_covered_is_the_table - ST_COVERED's SQL says what status_is() says */
static void test_covered_is_the_table(void **state)
{
	struct db_stmt *s;
	int i;

	(void)state;
	s = dbx_stmt(T.st->db, "SELECT " ST_COVERED
		     " FROM (SELECT ? AS status) AS t");
	for (i = STATUS_NONE + 1; i < STATUS_COUNT; i++) {
		assert_int_equal(db_bind_text(s, 1, status_name(i), 1), 0);
		assert_int_equal(dbx_step(T.st->db, s), DB_ROW);
		assert_int_equal(db_col_int(s, 0),
				 status_is(i, STATUS_COVERED));
		assert_int_equal(db_reset(s), 0);
	}
	db_finalize(s);
}

/* test_transition_table - every row, each on a fresh employee */
static void test_transition_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		const char *nir = nir_of((int)i);
		long outbox0;
		struct snap before, after;
		char code[8];
		int rc;

		assert_int_equal(store_begin(T.st), 0);
		if (*r->from)
			to_state(nir, r->from);
		snap(nir, &before);
		outbox0 = count("SELECT coalesce(max(id), 0) FROM outbox");
		rc = run(nir, r->event, code, 0);
		snap(nir, &after);
		print_message("%-12s %-22.22s -> %-12s %s\n", *r->from ? r->from :
			      "(none)", r->event, after.status, code);
		if (r->to == NULL) {
			assert_int_equal(rc, 1);
			assert_string_equal(after.status, before.status);
			assert_int_equal(after.history, before.history);
			assert_int_equal(after.outbox, before.outbox);
			assert_int_equal(after.deadlines, before.deadlines);
		} else {
			assert_int_equal(rc, 0);
			assert_string_equal(after.status, r->to);
			if (strcmp(r->code, "I200") == 0)
				assert_int_equal(after.history,
						 before.history);
			else
				assert_true(after.history > before.history);
		}
		assert_string_equal(kinds_after(outbox0), r->kinds);
		assert_string_equal(code, r->code);
		table_agrees(r, after.status, r->kinds, code);
		assert_int_equal(store_commit(T.st), 0);
	}
}

/* test_history_cause - each change names its file and line */
static void test_history_cause(void **state)
{
	const char *nir = nir_of(900);

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	T.line = 41;
	ok(nir, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	/* A creation is written on the record, not as a history row. */
	assert_string_equal(text("SELECT created_cause || ' ' || created_ref"
		" FROM employee WHERE nir = ?", nir),
		"fichier 20261128-000001:42");
	assert_string_equal(text("SELECT count(*) FROM history WHERE"
		" employee_id = (SELECT id FROM employee WHERE nir = ?)", nir),
		"0");
	assert_int_equal(store_commit(T.st), 0);
}

/* test_portability_dates - the radiation's dates on the record */
static void test_portability_dates(void **state)
{
	const char *nir = nir_of(901);

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	ok(nir, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	ok(nir, "RADIATION date_fin_contrat=2026-10-20;motif_rupture=043;"
	   "date_debut_contrat=2026-06-15");
	assert_string_equal(text("SELECT portabilite_debut || ' ' ||"
		" portabilite_fin || ' ' || date_fin_droits FROM employee"
		" WHERE nir = ?", nir), "2026-10-21 2027-03-20 2027-03-20");
	/* The timer ends it the day after P1. */
	assert_string_equal(text("SELECT due FROM deadline WHERE kind ="
		" 'fin_portabilite' AND employee_id = (SELECT id FROM employee"
		" WHERE nir = ?)", nir), "2027-03-21");
	assert_int_equal(store_commit(T.st), 0);
}

/* outbox_link - the lien var of outbox row id, as the sender builds it */
static int link_var(const char *name, const char *value, void *arg)
{
	if (strcmp(name, "lien") == 0)
		snprintf(arg, 512, "%s", value);
	return 0;
}

static const char *outbox_link(long long id)
{
	static char out[512];
	struct outbox_keys k = { T.cfg, key, sizeof(key) };

	out[0] = '\0';
	assert_int_equal(store_outbox_vars(T.st, &k, id, link_var, out), 0);
	assert_non_null(strstr(out, "https://espace.example/a/"));
	return out;
}

/* test_finalisation_token - the portal's link works once, and only its own */
static void test_finalisation_token(void **state)
{
	const char *nir = nir_of(902);
	char spec[256], code[8];
	const char *link, *token;
	long outbox0;

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	ok(nir, "AFFILIATION_SIMPLE " PERSON);
	/* The link is signed when the message is built, never stored. */
	link = outbox_link(atol(text("SELECT max(id) FROM outbox WHERE"
		" employee_id = (SELECT id FROM employee WHERE nir = ?)",
		nir)));
	token = strrchr(link, '/') + 1;
	assert_int_equal(strlen(token), CRYPTO_TOKEN_LEN - 1);
	assert_int_equal(count("SELECT count(*) FROM employee WHERE"
			       " token_hash IS NOT NULL"), 0);
	/* the token, non-empty, nowhere in the data (replace(): SQLite and
	 * PostgreSQL have it both) */
	assert_string_equal(text("SELECT count(*) FROM outbox WHERE"
		" replace(data, ?, '') <> data", token), "0");
	snprintf(spec, sizeof(spec), "FINALISATION option=BASE;jeton=%sx",
		 token);
	assert_int_equal(run(nir, spec, code, 1), 1);
	assert_string_equal(code, "E280");
	snprintf(spec, sizeof(spec), "FINALISATION option=BASE;jeton=%s",
		 token);
	outbox0 = count("SELECT max(id) FROM outbox");
	assert_int_equal(run(nir, spec, code, 1), 0);
	assert_string_equal(status(nir), "AFFILIE");
	assert_string_equal(kinds_after(outbox0),
			    "confirmation,finalisation_employeur");
	/* The portal cause, and a second use of the link does nothing. */
	assert_string_equal(text("SELECT cause FROM history WHERE employee_id"
		" = (SELECT id FROM employee WHERE nir = ?) ORDER BY id DESC",
		nir), "portail");
	assert_int_equal(run(nir, spec, code, 1), 0);
	assert_string_equal(code, "I200");
	/* FINALISATION outside the portal's drop is refused by the checks. */
	assert_int_equal(run(nir, spec, code, 0), 1);
	assert_string_equal(code, "E103");
	assert_int_equal(store_commit(T.st), 0);
}

/* test_isolation - another employer's employee reads as unknown */
static void test_isolation(void **state)
{
	const char *nir = nir_of(903);
	struct apply_ctx ac = { T.cfg, &T.cfg->employers[1], "20261128-000002",
				T.today, key, sizeof(key), 0, NULL };
	struct movement mv;
	long history;

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	ok(nir, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	history = count("SELECT count(*) FROM history");
	mv_init(&mv);
	mv.op = OP_RADIATION;
	mv_set(&mv, F_NIR, nir);
	mv_set(&mv, F_DATE_FIN_CONTRAT, "2026-11-20");
	mv_set(&mv, F_MOTIF_RUPTURE, "043");
	assert_int_equal(store_apply(T.st, &ac, &mv), 1);
	assert_string_equal(mv.diags[0].code, "E202");
	/* The same words as for a NIR nobody has. */
	assert_null(strstr(mv.diags[0].msg, "autre employeur"));
	assert_string_equal(status(nir), "AFFILIE");
	assert_int_equal(count("SELECT count(*) FROM history"), history);
	mv_free(&mv);
	assert_int_equal(store_commit(T.st), 0);
}

/* test_beneficiaries - one partner, child age limit, dedup, end */
static void test_beneficiaries(void **state)
{
	const char *nir = nir_of(904);
	char code[8];

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	ok(nir, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	ok(nir, "AYANT_DROIT lien=CONJOINT;nom=Martin;prenom=Paul;"
	   "date_naissance=1989-02-03");
	assert_int_equal(run(nir, "AYANT_DROIT lien=PACS;nom=Roux;prenom=Luc;"
			     "date_naissance=1988-02-03", code, 0), 1);
	assert_string_equal(code, "E240");
	ok(nir, "AYANT_DROIT lien=ENFANT;nom=Martin;prenom=Léo;"
	   "date_naissance=2020-04-12");
	assert_int_equal(run(nir, "AYANT_DROIT lien=ENFANT;nom=Martin;"
			     "prenom=Léo;date_naissance=2020-04-12", code, 0),
			 0);
	assert_string_equal(code, "I200");
	assert_int_equal(run(nir, "AYANT_DROIT lien=ENFANT;nom=Martin;"
			     "prenom=Max;date_naissance=2001-01-10", code, 0),
			 1);
	assert_string_equal(code, "E177");
	ok(nir, "AYANT_DROIT lien=ENFANT;nom=Martin;prenom=Max;"
	   "date_naissance=2001-01-10;situation=ETUDIANT");
	assert_int_equal(count("SELECT count(*) FROM beneficiary WHERE"
			       " date_fin IS NULL"), 3);
	/* Max (student: limit 26) is covered until he turns 27. */
	assert_string_equal(text("SELECT min(due) FROM deadline WHERE kind ="
				 " 'ayant_droit_age'", NULL),
			    "2028-01-10");
	ok(nir, "AYANT_DROIT lien=CONJOINT;nom=Martin;prenom=Paul;"
	   "date_naissance=1989-02-03;date_fin=2026-11-30");
	ok(nir, "AYANT_DROIT lien=PACS;nom=Roux;prenom=Luc;"
	   "date_naissance=1988-02-03");
	/* Death: letters to the covered adults, none to the deceased. */
	ok(nir, "RADIATION date_fin_contrat=2026-11-20;motif_rupture=066");
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind ="
			       " 'loi_evin_ayants_droit' AND recipient ="
			       " 'courrier'"), 2);
	assert_int_equal(store_commit(T.st), 0);
}

/* test_rum - generated when absent, unique across employers */
static void test_rum(void **state)
{
	const char *a = nir_of(905), *b = nir_of(906);
	char code[8], spec[512];

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	ok(a, "AFFILIATION_COMPLETE " PERSON ";option=CONFORT;"
	   "iban=FR1420041010050500013M02606;date_signature_mandat=2026-11-02");
	assert_string_equal(text("SELECT rum FROM employee WHERE nir = ?", a),
			    "AFF-12345678-00000001");
	/* A file may not take a generated reference (it would block the
	 * next one generated for another employee). */
	snprintf(spec, sizeof(spec), "AFFILIATION_COMPLETE " PERSON
		 ";option=CONFORT;iban=FR1420041010050500013M02606;"
		 "date_signature_mandat=2026-11-02;rum=AFF-12345678-00000002");
	assert_int_equal(run(b, spec, code, 0), 1);
	assert_string_equal(code, "E232");
	assert_string_equal(status(b), "");
	/* The employer's own references are unique for the creditor. */
	snprintf(spec, sizeof(spec), "AFFILIATION_COMPLETE " PERSON
		 ";option=CONFORT;iban=FR1420041010050500013M02606;"
		 "date_signature_mandat=2026-11-02;rum=MANDAT-2026-0001");
	ok(b, spec);
	assert_int_equal(run(nir_of(911), spec, code, 0), 1);
	assert_string_equal(code, "E230");
	assert_int_equal(store_commit(T.st), 0);
}

/* test_admin_portability - an examen reason opened later by the insurer */
static void test_admin_portability(void **state)
{
	const char *a = nir_of(907), *b = nir_of(908);
	char why[128];

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	ok(a, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	ok(a, "RADIATION date_fin_contrat=2026-11-20;motif_rupture=059");
	ok(b, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	ok(b, "RADIATION date_fin_contrat=2026-11-20;motif_rupture=039");
	assert_string_equal(status(a), "RADIE");
	assert_int_equal(store_admin_portability(T.st, T.cfg, "12345678", a,
		"admin:durand", "20261128-000009:2",
		"attestation France Travail du 25/11", T.today, why,
		sizeof(why)), 0);
	assert_string_equal(status(a), "PORTABILITE");
	/* Hired 2026-09-01, left 2026-11-20: three months, from the 21st. */
	assert_string_equal(text("SELECT portabilite_debut || ' ' ||"
		" portabilite_fin FROM employee WHERE nir = ?", a),
		"2026-11-21 2027-02-20");
	assert_string_equal(text("SELECT cause || ' ' || cause_ref FROM history"
		" WHERE employee_id = (SELECT id FROM employee WHERE nir = ?)"
		" ORDER BY id DESC", a), "admin:durand 20261128-000009:2");
	assert_string_equal(text("SELECT kind FROM outbox WHERE employee_id ="
		" (SELECT id FROM employee WHERE nir = ?) ORDER BY id DESC", a),
		"radiation_portabilite");
	/* Retirement is not a reason to examine. */
	assert_int_equal(store_admin_portability(T.st, T.cfg, "12345678", b,
		"admin:durand", "20261128-000009:3", "x", T.today, why,
		sizeof(why)), 1);
	assert_non_null(strstr(why, "039"));
	assert_string_equal(status(b), "RADIE");
	assert_int_equal(store_commit(T.st), 0);
}

/* test_unemployment_proof - a reminder 30 days into portability, unless
 * the proof was recorded */
static void test_unemployment_proof(void **state)
{
	const char *a = nir_of(909), *b = nir_of(910);
	struct timer_run run;
	char why[128];
	long outbox0;

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	ok(a, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	ok(a, "RADIATION date_fin_contrat=2026-11-20;motif_rupture=043");
	ok(b, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	ok(b, "RADIATION date_fin_contrat=2026-11-20;motif_rupture=043");
	assert_string_equal(text("SELECT due FROM deadline WHERE kind ="
		" 'preuve_chomage' AND employee_id = (SELECT id FROM employee"
		" WHERE nir = ?)", a), "2026-12-21");
	assert_int_equal(store_admin_unemployment_proof(T.st, T.cfg,
		"12345678", b, "admin:durand", "20261128-000009:4", T.today,
		why, sizeof(why)), 0);
	assert_int_equal(store_commit(T.st), 0);
	outbox0 = count("SELECT max(id) FROM outbox");
	memset(&run, 0, sizeof(run));
	run.cfg = T.cfg;
	run.token_key = key;
	run.token_keylen = sizeof(key);
	run.as_of = (struct date){ 2026, 12, 20 };
	run.max = 100;
	assert_int_equal(store_timers_run(T.st, &run), 0);
	assert_string_equal(kinds_after(outbox0), "");
	run.as_of = (struct date){ 2026, 12, 21 };
	assert_int_equal(store_timers_run(T.st, &run), 0);
	assert_string_equal(kinds_after(outbox0), "justificatif_chomage");
	assert_string_equal(text("SELECT recipient FROM outbox WHERE kind ="
		" 'justificatif_chomage'", NULL),
		"zoe@example.fr");
	/* Fired once: running again changes nothing. */
	assert_int_equal(store_timers_run(T.st, &run), 0);
	assert_string_equal(kinds_after(outbox0), "justificatif_chomage");
}

/*
 * test_timers_in_a_file_transaction - an ECHEANCES row of the admin drop
 * runs the timers inside its file's transaction (in_tx): each firing a
 * savepoint, rolled back with the file, committed with it, and once.
 */
static void test_timers_in_a_file_transaction(void **state)
{
	const char *a = nir_of(911);
	struct timer_run run;
	long outbox0;
	int k;

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	ok(a, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	ok(a, "RADIATION date_fin_contrat=2026-11-20;motif_rupture=043");
	assert_int_equal(store_commit(T.st), 0);
	outbox0 = count("SELECT max(id) FROM outbox");
	memset(&run, 0, sizeof(run));
	run.cfg = T.cfg;
	run.token_key = key;
	run.token_keylen = sizeof(key);
	run.as_of = (struct date){ 2026, 12, 21 };
	run.in_tx = 1;
	for (k = 0; k < 2; k++) {	/* the file fails, then commits */
		assert_int_equal(store_begin(T.st), 0);
		assert_int_equal(store_timers_run(T.st, &run), 0);
		assert_int_equal(run.fired, 1);
		assert_string_equal(kinds_after(outbox0),
				    "justificatif_chomage");
		assert_int_equal(k ? store_commit(T.st) :
				 store_rollback(T.st), 0);
		assert_string_equal(kinds_after(outbox0),
				    k ? "justificatif_chomage" : "");
	}
	run.in_tx = 0;			/* the daemon's own run: nothing left */
	assert_int_equal(store_timers_run(T.st, &run), 0);
	assert_int_equal(run.fired, 0);
	assert_string_equal(kinds_after(outbox0), "justificatif_chomage");
}

/* test_review_regressions - what a review found, kept found */
static void test_review_regressions(void **state)
{
	const char *a = nir_of(920), *b = nir_of(921), *c = nir_of(922);
	const char *d = nir_of(923);
	struct timer_run run;

	(void)state;
	assert_int_equal(store_begin(T.st), 0);
	/* A held radiation decided on EN_COURS, then a dispense: on its day
	 * the employee is radiated without portability or notice. */
	ok(a, "AFFILIATION_SIMPLE " PERSON);
	ok(a, "RADIATION date_fin_contrat=2026-12-15;motif_rupture=043");
	ok(a, "DISPENSE motif_dispense=CSS;date_demande=2026-11-02;"
	   "justificatif=ATT;date_fin_dispense=2027-10-31");
	/* A held radiation survives the employer's paper form. */
	ok(b, "AFFILIATION_SIMPLE " PERSON);
	ok(b, "RADIATION date_fin_contrat=2026-12-15;motif_rupture=043");
	ok(b, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	assert_int_equal(count("SELECT count(*) FROM deadline WHERE kind ="
			       " 'radiation' AND done_at IS NULL"), 2);
	/* Ending one child keeps the other's age-limit deadline. */
	ok(c, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	ok(c, "AYANT_DROIT lien=ENFANT;nom=Martin;prenom=Léo;"
	   "date_naissance=2020-04-12");
	ok(c, "AYANT_DROIT lien=ENFANT;nom=Martin;prenom=Mia;"
	   "date_naissance=2018-06-01");
	ok(c, "AYANT_DROIT lien=ENFANT;nom=Martin;prenom=Léo;"
	   "date_naissance=2020-04-12;date_fin=2026-11-30");
	assert_int_equal(count("SELECT count(*) FROM deadline WHERE kind ="
			       " 'ayant_droit_age' AND done_at IS NULL"), 1);
	/* ANNULATION then the right RADIATION: one proof reminder. */
	ok(d, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	ok(d, "RADIATION date_fin_contrat=2026-11-20;motif_rupture=043");
	ok(d, "ANNULATION operation_annulee=RADIATION");
	ok(d, "RADIATION date_fin_contrat=2026-11-21;motif_rupture=043");
	assert_int_equal(count("SELECT count(*) FROM deadline WHERE kind ="
			       " 'preuve_chomage' AND done_at IS NULL"), 1);
	assert_int_equal(store_commit(T.st), 0);

	memset(&run, 0, sizeof(run));
	run.cfg = T.cfg;
	run.token_key = key;
	run.token_keylen = sizeof(key);
	run.as_of = (struct date){ 2026, 12, 16 };
	run.max = 100;
	assert_int_equal(store_timers_run(T.st, &run), 0);
	assert_string_equal(status(a), "RADIE");
	assert_int_equal(count("SELECT count(*) FROM outbox WHERE kind LIKE"
			       " 'radiation%' AND employee_id = (SELECT id"
			       " FROM employee WHERE nir = '2900499000920'"
			       " || substr(nir, 14))"), 0);
	assert_string_equal(status(b), "PORTABILITE");
	assert_string_equal(text("SELECT incomplete FROM employee WHERE"
				 " nir = ?", b), "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_transition_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_covered_is_the_table,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_cause, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_portability_dates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_finalisation_token, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_isolation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_beneficiaries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admin_portability, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unemployment_proof, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timers_in_a_file_transaction,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_review_regressions, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
