/*
 * test_apply - the transition table of rules.md, row by row, against a real
 * SQLite database: each case brings an employee to a status with real
 * movements, applies one more, and asserts the status after it, the
 * history rows and the queued messages; each forbidden transition asserts
 * that nothing changed at all.
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

#include "common/crypto.h"
#include "config/config.h"
#include "parsers/check.h"
#include "store/store_priv.h"
#include "tests/unit/db_fixture.h"

#include "apply_rows.h"

static const char config_yaml[] =
	"spool:\n  dir: %s/spool\n  sftp_chroot: false\n"
	"database:\n  path: %s/affild.db\n"
	"mail:\n  transport: file\n  dir: %s/mail\n"
	"  from: \"Espace <affiliation@assureur.example>\"\n"
	"portal:\n  enabled: true\n"
	"  link_url: \"https://espace.example/a/{token}\"\n"
	"process:\n  creditor_id: FR12ZZZ123456\n"
	"  unemployment_proof_days: 30\n"
	"employers:\n"
	"  - numero: \"12345678\"\n    name: Exemple SAS\n"
	"    options:\n      - code: BASE\n      - code: CONFORT\n"
	"        direct_debit: true\n"
	"    base_plan: BASE\n    contact_email: rh@exemple.example\n"
	"    notify_finalisation: true\n"
	"  - numero: \"87654321\"\n    name: Autre SARL\n"
	"    options:\n      - code: BASE\n    base_plan: BASE\n";

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";

struct t {
	char dir[64], db[DBX_TARGET_MAX];
	struct cfg *cfg;
	struct store *st;
	struct date today;
	long line;
};

static struct t T;

/* A snapshot of what a movement may change. */
struct snap {
	char status[16];
	long history, outbox, deadlines;
};

static long count(const char *sql)
{
	return (long)dbx_int(T.st->db, sql, -1);
}

/* text - column 0 of sql's first row, its one parameter arg (NULL: none) */
static char *text(const char *sql, const char *arg)
{
	static char out[512];
	struct db_stmt *s = dbx_stmt(T.st->db, sql);

	out[0] = '\0';
	if (arg != NULL)
		assert_int_equal(db_bind_text(s, 1, arg, 0), 0);
	if (dbx_step(T.st->db, s) == DB_ROW && !db_col_null(s, 0))
		snprintf(out, sizeof(out), "%s", db_col_text(s, 0));
	db_finalize(s);
	return out;
}

static const char *status(const char *nir)
{
	return text("SELECT status FROM employee WHERE nir = ?"
		    " AND employer = '12345678'", nir);
}

static void snap(const char *nir, struct snap *s)
{
	snprintf(s->status, sizeof(s->status), "%s", status(nir));
	/* The history as shown: the rows, and each creation, which the
	 * record itself carries (created_*). */
	s->history = count("SELECT (SELECT count(*) FROM history) +"
			   " (SELECT count(*) FROM employee"
			   " WHERE created_at IS NOT NULL)");
	s->outbox = count("SELECT count(*) FROM outbox");
	s->deadlines = count("SELECT (SELECT count(*) FROM deadline) +"
			     " (SELECT count(due_relance) + count(due_jeton)"
			     " FROM employee)");
}

/* kinds - the kinds of the outbox rows after id, comma-separated */
static const char *kinds_after(long id)
{
	static char out[256];
	struct db_stmt *s = dbx_stmt(T.st->db, "SELECT kind, recipient"
				     " FROM outbox WHERE id > ? ORDER BY id");
	size_t n = 0;

	out[0] = '\0';
	assert_int_equal(db_bind_int64(s, 1, id), 0);
	while (dbx_step(T.st->db, s) == DB_ROW)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
				      n ? "," : "", db_col_text(s, 0));
	db_finalize(s);
	return out;
}

/* nir_of - a generated NIR, serial n, with its right key */
static const char *nir_of(int n)
{
	static char bufs[8][16];
	static int k;
	char *b = bufs[k++ % 8];
	long long body = 2900499000000LL + n;

	snprintf(b, 16, "%lld%02lld", body, 97 - body % 97);
	return b;
}

/*
 * run - apply one movement given as "OP field=value;field=value", checked
 * first as the pipeline does; returns store_apply's code (or 1 when the
 * checks rejected it) and the first finding's code in code.
 */
static int run(const char *nir, const char *spec, char code[8], int portal)
{
	char buf[1024], *field, *save = NULL;
	struct movement mv;
	struct check_ctx cc = { T.cfg, &T.cfg->employers[0], T.today, portal,
				0 };
	struct apply_ctx ac = { T.cfg, &T.cfg->employers[0], "20261128-000001",
				T.today, key, sizeof(key), portal, NULL };
	int rc;

	mv_init(&mv);
	snprintf(buf, sizeof(buf), "%s", spec);
	field = strtok_r(buf, " ", &save);
	mv.op = op_from_name(field);
	mv.line = ++T.line;
	mv_set(&mv, F_OPERATION, field);
	mv_set(&mv, F_NIR, nir);
	while ((field = strtok_r(NULL, ";", &save)) != NULL) {
		char *eq = strchr(field, '=');

		assert_non_null(eq);
		*eq = '\0';
		assert_int_not_equal(field_from_name(field), F_NONE);
		mv_set(&mv, field_from_name(field), eq + 1);
	}
	check_movement(&cc, &mv);
	if (mv_has_error(&mv)) {
		rc = 1;
	} else {
		assert_int_equal(store_savepoint(T.st, "mv"), 0);
		rc = store_apply(T.st, &ac, &mv);
		assert_true(rc >= 0);
		if (rc == 1)
			assert_int_equal(store_rollback_to(T.st, "mv"), 0);
		else
			assert_int_equal(store_release(T.st, "mv"), 0);
	}
	if (code)
		snprintf(code, 8, "%s", mv.ndiags ? mv.diags[0].code : "");
	if (rc == 1 && mv.ndiags)
		print_message("   refused %s: %s %s\n", spec, mv.diags[0].code,
			      mv.diags[0].msg);
	mv_free(&mv);
	return rc;
}

static void ok(const char *nir, const char *spec)
{
	char code[8];

	if (run(nir, spec, code, 0) != 0)
		fail_msg("expected accepted: %s (%s)", spec, code);
}

/* to_state - bring the employee nir to status */
static void to_state(const char *nir, const char *state)
{
	if (strcmp(state, "EN_COURS") == 0 || strcmp(state, "A_RELANCER") == 0) {
		ok(nir, "AFFILIATION_SIMPLE " PERSON);
		if (strcmp(state, "A_RELANCER") == 0)
			dbx_exec(T.st->db, "UPDATE employee"
				 " SET status = 'A_RELANCER'");
	} else if (strcmp(state, "AFFILIE") == 0) {
		ok(nir, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
	} else if (strcmp(state, "DISPENSE") == 0) {
		ok(nir, "AFFILIATION_SIMPLE " PERSON);
		ok(nir, "DISPENSE motif_dispense=CONTRAT_INDIVIDUEL;"
		   "date_demande=2026-11-02;justificatif=ATT-1;"
		   "date_fin_dispense=2027-06-30");
	} else if (strcmp(state, "RADIE") == 0) {
		ok(nir, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
		ok(nir, "RADIATION date_fin_contrat=2026-11-20;"
		   "motif_rupture=039");
	} else if (strcmp(state, "PORTABILITE") == 0) {
		ok(nir, "AFFILIATION_COMPLETE " PERSON ";option=BASE");
		ok(nir, "RADIATION date_fin_contrat=2026-11-20;"
		   "motif_rupture=043");
	}
	assert_string_equal(status(nir), state);
}

static int setup(void **state)
{
	char path[128], yaml[2048];
	struct cfg_errors errs = { NULL, 0 };
	FILE *f;

	(void)state;
	memset(&T, 0, sizeof(T));
	snprintf(T.dir, sizeof(T.dir), "/tmp/affild-apply-XXXXXX");
	assert_non_null(mkdtemp(T.dir));
	snprintf(path, sizeof(path), "%s/affild.yaml", T.dir);
	snprintf(yaml, sizeof(yaml), config_yaml, T.dir, T.dir, T.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(yaml, f);
	fclose(f);
	T.cfg = cfg_load(path, &errs);
	if (T.cfg == NULL && errs.n)
		fail_msg("%s", errs.lines[0]);
	assert_non_null(T.cfg);
	assert_int_equal(dbx_new(T.db, sizeof(T.db), T.dir), 0);
	T.st = store_open(T.db, STORE_RW, 8, 5);
	assert_non_null(T.st);
	T.today = (struct date){ 2026, 11, 28 };
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	store_close(T.st);
	dbx_drop(T.db);
	cfg_free(T.cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", T.dir);
	return system(cmd) == 0 ? 0 : -1;
}

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
		cmocka_unit_test_setup_teardown(test_read_ahead, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
