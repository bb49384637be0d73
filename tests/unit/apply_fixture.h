/*
 * apply_fixture - what test_apply.c and test_read_ahead.c share: a config
 * of two employers, a store on a fresh database (db_fixture.h: SQLite, or
 * PostgreSQL with AFFILD_TEST_PG), and movements applied as the pipeline
 * applies them ("OP field=value;..."), checked first.  One translation
 * unit each: everything static, and unused where a test file needs less.
 */
#ifndef AFFILD_TESTS_APPLY_FIXTURE_H
#define AFFILD_TESTS_APPLY_FIXTURE_H

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

#define AFX static __attribute__((unused))

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

AFX long count(const char *sql)
{
	return (long)dbx_int(T.st->db, sql, -1);
}

/* text - column 0 of sql's first row, its one parameter arg (NULL: none) */
AFX char *text(const char *sql, const char *arg)
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

AFX const char *status(const char *nir)
{
	return text("SELECT status FROM employee WHERE nir = ?"
		    " AND employer = '12345678'", nir);
}

AFX void snap(const char *nir, struct snap *s)
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
AFX const char *kinds_after(long id)
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
AFX const char *nir_of(int n)
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
AFX int run(const char *nir, const char *spec, char code[8], int portal)
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

AFX void ok(const char *nir, const char *spec)
{
	char code[8];

	if (run(nir, spec, code, 0) != 0)
		fail_msg("expected accepted: %s (%s)", spec, code);
}

/* to_state - bring the employee nir to status */
AFX void to_state(const char *nir, const char *state)
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

AFX int setup(void **state)
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

AFX int teardown(void **state)
{
	char cmd[128];

	(void)state;
	store_close(T.st);
	dbx_drop(T.db);
	cfg_free(T.cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", T.dir);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
