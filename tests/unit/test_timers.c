/*
 * test_timers - store/store_timer.c: the deadlines fire once, in order, on
 * the right Paris day, each with its status, history and outbox rows.
 *
 * Each test gets a real SQLite database and a real configuration (YAML
 * loaded by cfg_load) in a fresh temporary directory.  The clock is
 * injected: every run says "as of" which day it is.  Records are set up
 * with SQL inserts and the shared record layer (st_invite), the way the
 * apply step creates them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/date.h"
#include "common/log.h"
#include "config/config.h"
#include "parsers/movement.h"
#include "store/store_priv.h"
#include "tests/unit/db_fixture.h"

#define MANUAL "12345678"	/* reminders: manual (the default) */
#define AUTO "87654321"		/* reminders: automatic, every 7 days, max 2 */

static const char config[] =
	"spool:\n  dir: %s/spool\n  sftp_chroot: false\n"
	"database:\n  path: %s/affild.db\n"
	"mail:\n  transport: file\n  dir: %s/mail\n"
	"  from: \"Espace entreprise <affiliation@assureur.example>\"\n"
	"  templates: templates/fr\n"
	"portal:\n  enabled: true\n"
	"  link_url: \"https://espace.example/a/{token}\"\n"
	"process:\n  creditor_id: FR12ZZZ123456\n"
	"employers:\n"
	"  - numero: \"" MANUAL "\"\n    name: Exemple SAS\n"
	"    options:\n      - code: BASE\n    base_plan: BASE\n"
	"    contact_email: rh@exemple.example\n"
	"  - numero: \"" AUTO "\"\n    name: Autre SARL\n"
	"    options:\n      - code: BASE\n    base_plan: BASE\n"
	"    contact_email: rh@autre.example\n"
	"    reminders: automatic\n    reminder_interval_days: 7\n"
	"    reminder_max: 2\n";

static const unsigned char key[32] = "0123456789abcdef0123456789abcdef";

struct fx {
	char dir[64], db[DBX_TARGET_MAX];	/* db: store_open()'s target */
	struct cfg *cfg;
	struct store *st;
	char order[512];	/* kinds fired, in order, by the callback */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cfg_errors errs = { NULL, 0 };
	char path[128];
	FILE *fp;

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_timers.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/affild.yaml", f->dir);
	fp = fopen(path, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, config, f->dir, f->dir, f->dir);
	fclose(fp);
	f->cfg = cfg_load(path, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.lines[i]);
	cfg_errors_free(&errs);
	if (f->cfg == NULL)
		return -1;
	if (dbx_new(f->db, sizeof(f->db), f->dir) < 0)
		return -1;
	f->st = store_open(f->db, STORE_RW, 8, 5);
	if (f->st == NULL)
		return -1;
	*state = f;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	dbx_drop(f->db);
	cfg_free(f->cfg);
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static struct date day(const char *s)
{
	struct date d = { 0, 0, 0 };

	assert_int_equal(date_parse_iso(s, &d), 0);
	return d;
}

static void sql(struct fx *f, const char *q)
{
	assert_int_equal(st_exec(f->st, q), 0);
}

/* num - the integer result of a query with a printf-built text */
static long long num(struct fx *f, const char *fmt, ...)
{
	char q[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	return dbx_int(f->st->db, q, -1);
}

/* text - the text result of a query (static buffer; "" for none/NULL) */
static const char *text(struct fx *f, const char *fmt, ...)
{
	static char out[4096];
	char q[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	return dbx_text(f->st->db, q, out, sizeof(out));
}

/* emp_new - an employee row in status, with names and emails */
static long long emp_new(struct fx *f, const char *employer, const char *nom,
			 const char *status)
{
	static int serial;
	char q[1024];

	serial++;
	snprintf(q, sizeof(q),
		 "INSERT INTO employee (employer, nir, status, status_since,"
		 " nom, prenom, email, email_personnel, matricule, updated_at)"
		 " VALUES ('%s', '1990499%08d', '%s', '2026-01-01', '%s',"
		 " 'Zoé', '%s@travail.example', '%s@perso.example', 'M%d',"
		 " '2026-01-01T00:00:00Z') RETURNING id", employer, serial,
		 status, nom, nom, nom, serial);
	return dbx_insert(f->st->db, q);
}

static struct st_env env_at(struct fx *f, const char *employer,
			    const char *today)
{
	struct st_env env;

	memset(&env, 0, sizeof(env));
	env.cfg = f->cfg;
	env.emp = cfg_employer(f->cfg, employer);
	env.today = day(today);
	env.token_key = key;
	env.token_keylen = sizeof(key);
	env.cause = "fichier";
	snprintf(env.ref, sizeof(env.ref), "test:1");
	return env;
}

/* invite - the invitation the apply step sends on AFFILIATION_SIMPLE */
static void invite(struct fx *f, const char *employer, long long id,
		   const char *today)
{
	struct st_env env = env_at(f, employer, today);
	struct st_emp e;

	assert_int_equal(st_emp_load_id(f->st, id, &e), 0);
	assert_int_equal(st_invite(f->st, &env, &e, "invitation"), 0);
	st_emp_free(&e);
}

static void deadline(struct fx *f, const char *due, const char *kind,
		     long long id, const char *data)
{
	assert_int_equal(st_deadline_add(f->st, day(due), kind, id, data), 0);
}

static int record(const struct timer_rec *r, void *arg)
{
	struct fx *f = arg;
	size_t n = strlen(f->order);

	snprintf(f->order + n, sizeof(f->order) - n, "%s%s:%s", n ? " " : "",
		 r->due, r->kind);
	return 0;
}

/* run - the timers as of a day; returns how many fired */
static int run(struct fx *f, const char *as_of)
{
	struct timer_run r;

	memset(&r, 0, sizeof(r));
	r.cfg = f->cfg;
	r.token_key = key;
	r.token_keylen = sizeof(key);
	r.as_of = day(as_of);
	r.fn = record;
	r.arg = f;
	assert_int_equal(store_timers_run(f->st, &r), 0);
	return r.fired;
}

static const char *status(struct fx *f, long long id)
{
	return text(f, "SELECT status FROM employee WHERE id = %lld", id);
}

static long long outbox(struct fx *f, long long id, const char *kind)
{
	return num(f, "SELECT count(*) FROM outbox WHERE employee_id = %lld"
		   " AND kind = '%s'", id, kind);
}

/* timer_history - history rows of the employee written by the timers */
static long long timer_history(struct fx *f, long long id)
{
	return num(f, "SELECT count(*) FROM history WHERE employee_id = %lld"
		   " AND cause = 'timer'", id);
}

/* ---- reminders ------------------------------------------------------------ */

/* rules.md: queued 2 Nov → A_RELANCER from 00:00 on 10 Nov, not before */
static void test_reminder_boundary_day_8_vs_day_9(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, MANUAL, "Martin", "EN_COURS");
	long long dl;

	invite(f, MANUAL, id, "2026-11-02");
	/* The relance deadline is a column of the record (schema 8). */
	assert_string_equal(text(f, "SELECT due_relance FROM employee WHERE"
				 " id = %lld", id), "2026-11-10");
	dl = id;

	assert_int_equal(run(f, "2026-11-09"), 0);
	assert_string_equal(status(f, id), "EN_COURS");
	assert_int_equal(timer_history(f, id), 0);

	assert_int_equal(run(f, "2026-11-10"), 1);
	assert_string_equal(status(f, id), "A_RELANCER");
	assert_string_equal(text(f, "SELECT status_since FROM employee WHERE"
				 " id = %lld", id), "2026-11-10");
	assert_int_equal(num(f, "SELECT count(*) FROM history WHERE"
			     " employee_id = %lld AND cause = 'timer' AND"
			     " from_status = 'EN_COURS' AND to_status ="
			     " 'A_RELANCER' AND cause_ref ="
			     " 'echeance:relance-%lld'", id, dl), 1);
	/* manual policy: no reminder sent, the employer's digest lists it */
	assert_int_equal(outbox(f, id, "relance"), 0);
	assert_int_equal(outbox(f, id, "invitation"), 1);
	assert_int_equal(num(f, "SELECT count(*) FROM outbox WHERE kind ="
			     " 'digest_relances' AND recipient ="
			     " 'rh@exemple.example' AND data LIKE"
			     " '%%\"nombre\":\"1\"%%' AND data LIKE"
			     " '%%Martin Zoé (matricule M%%'"), 1);
	assert_int_equal(num(f, "SELECT due_relance IS NULL FROM employee"
			     " WHERE id = %lld", dl), 1);
}

/* The calendar does not care about the 25 Oct 2026 change to winter time */
static void test_reminder_across_dst_change(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, MANUAL, "Durand", "EN_COURS");

	invite(f, MANUAL, id, "2026-10-20");
	assert_int_equal(run(f, "2026-10-27"), 0);
	assert_string_equal(status(f, id), "EN_COURS");
	assert_int_equal(run(f, "2026-10-28"), 1);
	assert_string_equal(status(f, id), "A_RELANCER");
	/* and the daemon wakes at Paris midnight, whatever the offset */
	assert_int_equal((long long)date_midnight(day("2026-10-25")),
			 1792879200LL);	/* 2026-10-24T22:00:00Z, UTC+2 */
	assert_int_equal((long long)date_midnight(day("2026-10-26")),
			 1792969200LL);	/* 2026-10-25T23:00:00Z, UTC+1 */
	assert_int_equal((long long)date_midnight(day("2026-03-30")),
			 1774821600LL);	/* 2026-03-29T22:00:00Z, UTC+2 */
}

static void test_firing_never_repeats(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, MANUAL, "Petit", "EN_COURS");
	long long hist, out;

	invite(f, MANUAL, id, "2026-11-02");
	assert_int_equal(run(f, "2026-11-10"), 1);
	hist = num(f, "SELECT count(*) FROM history");
	out = num(f, "SELECT count(*) FROM outbox");
	assert_int_equal(run(f, "2026-11-10"), 0);
	assert_int_equal(run(f, "2026-11-10"), 0);
	assert_int_equal(num(f, "SELECT count(*) FROM history"), hist);
	assert_int_equal(num(f, "SELECT count(*) FROM outbox"), out);
	/* the digest goes again the next day, once */
	run(f, "2026-11-11");
	run(f, "2026-11-11");
	assert_int_equal(num(f, "SELECT count(*) FROM outbox WHERE kind ="
			     " 'digest_relances'"), 2);
}

static void test_employee_who_finished_is_not_reminded(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, MANUAL, "Roux", "EN_COURS");

	invite(f, MANUAL, id, "2026-11-02");
	sql(f, "UPDATE employee SET status = 'AFFILIE'");
	assert_int_equal(run(f, "2026-11-10"), 0);
	assert_string_equal(status(f, id), "AFFILIE");
	assert_int_equal(timer_history(f, id), 0);
	assert_int_equal(num(f, "SELECT count(*) FROM deadline WHERE"
			     " kind = 'relance' AND done_at IS NULL"), 0);
	/* nobody to remind: no digest */
	assert_int_equal(num(f, "SELECT count(*) FROM outbox WHERE kind ="
			     " 'digest_relances'"), 0);
}

/* reminders: automatic, interval 7, max 2 */
static void test_automatic_reminders_up_to_max(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, AUTO, "Lefèvre", "EN_COURS");
	char first[80], json[64];

	invite(f, AUTO, id, "2026-11-02");
	snprintf(first, sizeof(first), "%s", text(f, "SELECT token_n FROM"
		 " employee WHERE id = %lld", id));

	assert_int_equal(run(f, "2026-11-10"), 1);
	assert_string_equal(status(f, id), "A_RELANCER");
	assert_int_equal(outbox(f, id, "relance"), 1);
	assert_int_equal(num(f, "SELECT relances FROM employee WHERE id ="
			     " %lld", id), 1);
	assert_string_equal(text(f, "SELECT last_relance FROM employee WHERE"
				 " id = %lld", id), "2026-11-10");
	/* A new link: the next number, frozen with the reminder. */
	assert_string_not_equal(text(f, "SELECT token_n FROM employee"
				     " WHERE id = %lld", id), first);
	assert_int_equal(num(f, "SELECT count(*) FROM outbox WHERE"
			     " employee_id = %lld AND kind = 'relance' AND"
			     " recipient = 'Lefèvre@travail.example' AND"
			     " %s = (SELECT CAST(token_n AS TEXT) FROM employee"
			     " WHERE id = %lld)", id,
			     dbx_json(f->st->db, "data", "lien_n", json,
				      sizeof(json)), id), 1);

	assert_int_equal(run(f, "2026-11-16"), 0);
	assert_int_equal(outbox(f, id, "relance"), 1);
	assert_int_equal(run(f, "2026-11-17"), 1);
	assert_int_equal(outbox(f, id, "relance"), 2);
	assert_int_equal(num(f, "SELECT relances FROM employee WHERE id ="
			     " %lld", id), 2);
	/* the maximum is reached: nothing more is scheduled or sent */
	assert_int_equal(num(f, "SELECT count(*) FROM deadline WHERE"
			     " kind = 'relance_auto' AND done_at IS NULL"), 0);
	run(f, "2027-01-31");
	assert_int_equal(outbox(f, id, "relance"), 2);
	assert_string_equal(status(f, id), "A_RELANCER");
	/* status change + 2 reminders + the last link's expiry */
	assert_int_equal(timer_history(f, id), 4);
	assert_string_equal(text(f, "SELECT coalesce(token_expires, 'none')"
				 " FROM employee WHERE id = %lld", id), "none");
}

static void test_expired_link_is_forgotten(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, MANUAL, "Blanc", "EN_COURS");

	invite(f, MANUAL, id, "2026-11-02");	/* valid until 2 Dec */
	run(f, "2026-12-01");
	assert_string_equal(text(f, "SELECT token_expires FROM employee"
				 " WHERE id = %lld", id), "2026-12-02");
	/* 2 Dec is the last day the email gives: the link still works. */
	run(f, "2026-12-02");
	assert_string_not_equal(text(f, "SELECT coalesce(token_expires,"
				     " 'none') FROM employee WHERE id = %lld",
				     id), "none");
	run(f, "2026-12-03");
	assert_string_equal(text(f, "SELECT coalesce(token_expires, 'none')"
				 " FROM employee WHERE id = %lld", id), "none");
	assert_int_equal(num(f, "SELECT count(*) FROM history WHERE"
			     " employee_id = %lld AND what LIKE 'lien%%'", id),
			 1);
}

/* ---- portability ------------------------------------------------------------ */

/* 2023-12-31 to 2024-01-30: portability to 2024-02-29, RADIE on 1 Mar */
static void test_end_of_portability_on_month_end(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, MANUAL, "Garnier", "PORTABILITE");

	sql(f, "UPDATE employee SET portabilite_debut = '2024-01-31',"
	    " portabilite_fin = '2024-02-29'");
	deadline(f, "2024-03-01", "fin_portabilite", id, NULL);

	assert_int_equal(run(f, "2024-02-29"), 0);
	assert_string_equal(status(f, id), "PORTABILITE");
	assert_int_equal(run(f, "2024-03-01"), 1);
	assert_string_equal(status(f, id), "RADIE");
	assert_string_equal(text(f, "SELECT date_fin_droits FROM employee"
				 " WHERE id = %lld", id), "2024-02-29");
	assert_int_equal(num(f, "SELECT count(*) FROM history WHERE"
			     " employee_id = %lld AND cause = 'timer' AND"
			     " from_status = 'PORTABILITE' AND to_status ="
			     " 'RADIE'", id), 1);
	/* a notice about the departure: the personal address first */
	assert_int_equal(num(f, "SELECT count(*) FROM outbox WHERE kind ="
			     " 'fin_portabilite' AND recipient ="
			     " 'Garnier@perso.example' AND data LIKE"
			     " '%%\"date_fin_droits\":\"29/02/2024\"%%'"), 1);
	assert_int_equal(run(f, "2024-03-02"), 0);
	assert_int_equal(outbox(f, id, "fin_portabilite"), 1);
	assert_int_equal(timer_history(f, id), 1);
}

static void test_portability_ended_early_is_a_noop(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, MANUAL, "Faure", "RADIE");

	sql(f, "UPDATE employee SET portabilite_fin = '2024-02-29'");
	deadline(f, "2024-03-01", "fin_portabilite", id, NULL);
	assert_int_equal(run(f, "2024-03-01"), 0);
	assert_string_equal(status(f, id), "RADIE");
	assert_int_equal(timer_history(f, id), 0);
	assert_int_equal(outbox(f, id, "fin_portabilite"), 0);
	assert_int_equal(num(f, "SELECT count(*) FROM deadline WHERE"
			     " done_at IS NULL"), 0);
}

/* ---- dispenses ------------------------------------------------------------ */

static long long dispensed(struct fx *f, const char *nom, const char *motif,
			   const char *fin)
{
	long long id = emp_new(f, MANUAL, nom, "DISPENSE");
	char q[256];

	snprintf(q, sizeof(q), "UPDATE employee SET dispense_motif = '%s',"
		 " dispense_fin = '%s' WHERE id = %lld", motif, fin, id);
	sql(f, q);
	return id;
}

/* at_end reinvite (CSS): back to EN_COURS with a new invitation */
static void test_dispense_end_reinvite(void **state)
{
	struct fx *f = *state;
	long long id = dispensed(f, "Moreau", "CSS", "2026-12-31");

	deadline(f, "2027-01-01", "fin_dispense", id, NULL);
	assert_int_equal(run(f, "2026-12-31"), 0);
	assert_string_equal(status(f, id), "DISPENSE");
	assert_int_equal(run(f, "2027-01-01"), 1);
	assert_string_equal(status(f, id), "EN_COURS");
	assert_int_equal(outbox(f, id, "invitation"), 1);
	assert_string_equal(text(f, "SELECT invited_on FROM employee WHERE"
				 " id = %lld", id), "2027-01-01");
	assert_true(num(f, "SELECT token_n FROM employee WHERE id = %lld",
			id) > 0);
	assert_string_equal(text(f, "SELECT due_relance FROM employee WHERE"
				 " id = %lld", id), "2027-01-09");
	assert_int_equal(num(f, "SELECT count(*) FROM history WHERE"
			     " employee_id = %lld AND cause = 'timer' AND"
			     " from_status = 'DISPENSE' AND to_status ="
			     " 'EN_COURS'", id), 1);
	run(f, "2027-01-01");
	assert_int_equal(outbox(f, id, "invitation"), 1);
	/* the new cycle runs on: 8 days later, to remind */
	run(f, "2027-01-09");
	assert_string_equal(status(f, id), "A_RELANCER");
}

/* at_end proof: a request 30 days before, then re-invited without proof */
static void test_dispense_end_proof_not_renewed(void **state)
{
	struct fx *f = *state;
	long long id = dispensed(f, "Fournier", "AUTRE_COUVERTURE_COLLECTIVE",
				 "2027-03-31");

	deadline(f, "2027-03-01", "preuve_dispense", id, NULL);
	deadline(f, "2027-04-01", "fin_dispense", id, NULL);
	assert_int_equal(run(f, "2027-02-28"), 0);
	assert_int_equal(outbox(f, id, "dispense_justificatif"), 0);
	assert_int_equal(run(f, "2027-03-01"), 1);
	assert_string_equal(status(f, id), "DISPENSE");
	assert_int_equal(num(f, "SELECT count(*) FROM outbox WHERE"
			     " employee_id = %lld AND kind ="
			     " 'dispense_justificatif' AND data LIKE"
			     " '%%\"date_fin_dispense\":\"31/03/2027\"%%' AND"
			     " data LIKE '%%autre contrat collectif%%'", id), 1);
	assert_int_equal(timer_history(f, id), 1);
	assert_int_equal(run(f, "2027-04-01"), 1);
	assert_string_equal(status(f, id), "EN_COURS");
	assert_int_equal(outbox(f, id, "invitation"), 1);
	assert_int_equal(outbox(f, id, "dispense_justificatif"), 1);
	assert_int_equal(timer_history(f, id), 2);
}

/* at_end proof, renewed: the new end date means the old deadline is moot */
static void test_dispense_end_proof_renewed(void **state)
{
	struct fx *f = *state;
	long long id = dispensed(f, "Girard", "AUTRE_COUVERTURE_COLLECTIVE",
				 "2027-03-31");

	deadline(f, "2027-04-01", "fin_dispense", id, NULL);
	sql(f, "UPDATE employee SET dispense_fin = '2028-03-31'");
	assert_int_equal(run(f, "2027-04-01"), 0);
	assert_string_equal(status(f, id), "DISPENSE");
	assert_int_equal(outbox(f, id, "invitation"), 0);
	assert_int_equal(timer_history(f, id), 0);
}

/* at_end none (end of a fixed-term contract): status kept, history says so */
static void test_dispense_end_none(void **state)
{
	struct fx *f = *state;
	long long id = dispensed(f, "Bonnet", "CDD_MOINS_12_MOIS",
				 "2027-06-30");

	deadline(f, "2027-07-01", "fin_dispense", id, NULL);
	assert_int_equal(run(f, "2027-07-01"), 1);
	assert_string_equal(status(f, id), "DISPENSE");
	assert_int_equal(num(f, "SELECT count(*) FROM history WHERE"
			     " employee_id = %lld AND cause = 'timer' AND"
			     " what LIKE 'fin de dispense%%'", id), 1);
	assert_int_equal(num(f, "SELECT count(*) FROM outbox WHERE"
			     " employee_id = %lld", id), 0);
}

/* ---- radiations ------------------------------------------------------------ */

/* radiate - a RADIATION movement through the real apply step */
static void radiate(struct fx *f, long long id, const char *today,
		    const char *fin, const char *motif)
{
	struct apply_ctx ctx;
	struct movement mv;
	char nir[32];

	snprintf(nir, sizeof(nir), "%s", text(f, "SELECT nir FROM employee"
		 " WHERE id = %lld", id));
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = f->cfg;
	ctx.emp = cfg_employer(f->cfg, MANUAL);
	ctx.file_id = "20261102-000001";
	ctx.today = day(today);
	ctx.token_key = key;
	ctx.token_keylen = sizeof(key);
	mv_init(&mv);
	mv.op = OP_RADIATION;
	mv.line = 2;
	assert_int_equal(mv_set(&mv, F_OPERATION, "RADIATION"), 0);
	assert_int_equal(mv_set(&mv, F_NIR, nir), 0);
	assert_int_equal(mv_set(&mv, F_DATE_FIN_CONTRAT, fin), 0);
	assert_int_equal(mv_set(&mv, F_MOTIF_RUPTURE, motif), 0);
	assert_int_equal(store_begin(f->st), 0);
	assert_int_equal(store_apply(f->st, &ctx, &mv), 0);
	assert_int_equal(store_commit(f->st), 0);
	mv_free(&mv);
}

/* A future-dated radiation is held, then applied on the day after the end;
 * its portability ends a year later, by the timers again */
static void test_future_radiation_then_end_of_portability(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, MANUAL, "Mercier", "AFFILIE");

	sql(f, "UPDATE employee SET date_embauche = '2025-01-15',"
	    " option = 'BASE'");
	radiate(f, id, "2026-11-02", "2026-11-30", "043");
	assert_string_equal(status(f, id), "AFFILIE");
	assert_int_equal(num(f, "SELECT count(*) FROM deadline WHERE"
			     " employee_id = %lld AND kind = 'radiation' AND"
			     " due = '2026-12-01' AND done_at IS NULL", id), 1);

	assert_int_equal(run(f, "2026-11-30"), 0);
	assert_string_equal(status(f, id), "AFFILIE");
	assert_int_equal(run(f, "2026-12-01"), 1);
	assert_string_equal(status(f, id), "PORTABILITE");
	assert_string_equal(text(f, "SELECT portabilite_debut || ' ' ||"
				 " portabilite_fin FROM employee WHERE id ="
				 " %lld", id), "2026-12-01 2027-11-30");
	assert_int_equal(num(f, "SELECT count(*) FROM history WHERE"
			     " employee_id = %lld AND cause = 'timer' AND"
			     " from_status = 'AFFILIE' AND to_status ="
			     " 'PORTABILITE'", id), 1);
	assert_int_equal(outbox(f, id, "radiation_portabilite"), 1);
	run(f, "2026-12-01");
	assert_int_equal(outbox(f, id, "radiation_portabilite"), 1);

	assert_int_equal(run(f, "2027-11-30"), 0);
	assert_int_equal(run(f, "2027-12-01"), 1);
	assert_string_equal(status(f, id), "RADIE");
	assert_string_equal(text(f, "SELECT date_fin_droits FROM employee"
				 " WHERE id = %lld", id), "2027-11-30");
	assert_int_equal(outbox(f, id, "fin_portabilite"), 1);
	assert_int_equal(timer_history(f, id), 2);
}

/* ---- beneficiaries, order, cost -------------------------------------------- */

static void test_child_reaches_age_limit(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, MANUAL, "Lambert", "AFFILIE");
	long long b;
	char data[64], q[256];

	snprintf(q, sizeof(q), "INSERT INTO beneficiary (employee_id, lien,"
		 " nom, prenom, date_naissance) VALUES (%lld, 'ENFANT',"
		 " 'Lambert', 'Léo', '2006-05-14') RETURNING id", id);
	b = dbx_insert(f->st->db, q);
	snprintf(data, sizeof(data), "{\"beneficiary\": %lld}", b);
	deadline(f, "2027-05-14", "ayant_droit_age", id, data);
	assert_int_equal(run(f, "2027-05-14"), 1);
	assert_string_equal(text(f, "SELECT date_fin FROM beneficiary WHERE"
				 " id = %lld", b), "2027-05-13");
	assert_string_equal(status(f, id), "AFFILIE");
	assert_int_equal(timer_history(f, id), 1);
}

/* A week's catch-up fires in (due, id) order; max bounds one call */
static void test_catch_up_in_order(void **state)
{
	struct fx *f = *state;
	long long a = emp_new(f, MANUAL, "Aubert", "PORTABILITE");
	long long b = emp_new(f, MANUAL, "Brun", "EN_COURS");
	struct timer_run r;

	sql(f, "UPDATE employee SET portabilite_fin = '2026-11-03'");
	deadline(f, "2026-11-05", "relance", b, NULL);
	deadline(f, "2026-11-04", "fin_portabilite", a, NULL);
	deadline(f, "2026-11-05", "jeton", b, NULL);

	memset(&r, 0, sizeof(r));
	r.cfg = f->cfg;
	r.token_key = key;
	r.token_keylen = sizeof(key);
	r.as_of = day("2026-11-09");
	r.max = 1;
	r.fn = record;
	r.arg = f;
	assert_int_equal(store_timers_run(f->st, &r), 0);
	assert_int_equal(r.more, 1);
	assert_string_equal(f->order, "2026-11-04:fin_portabilite");
	run(f, "2026-11-09");
	assert_string_equal(f->order, "2026-11-04:fin_portabilite "
			    "2026-11-05:relance 2026-11-05:jeton");
	assert_string_equal(status(f, a), "RADIE");
	assert_string_equal(status(f, b), "A_RELANCER");
}

/* An employer gone from the configuration: left pending, not lost */
static void test_unknown_employer_is_skipped(void **state)
{
	struct fx *f = *state;
	long long id = emp_new(f, "99999999", "Noël", "EN_COURS");
	struct date next;

	deadline(f, "2026-11-10", "relance", id, NULL);
	assert_int_equal(run(f, "2026-11-10"), 0);
	assert_string_equal(status(f, id), "EN_COURS");
	assert_int_equal(store_timer_next(f->st, &next), 1);
	assert_int_equal(date_cmp(next, day("2026-11-10")), 0);
}

/* plan - the EXPLAIN QUERY PLAN text of q.  SQLite only: it is SQLite's
 * planner these tests hold to its indexes (PostgreSQL's EXPLAIN says
 * something else, and its plans depend on its statistics); a test skips on
 * PostgreSQL here, after what it asserted before. */
static const char *plan(struct fx *f, const char *q)
{
	static char out[1024];
	char eq[1024];
	struct db_stmt *s;
	size_t n = 0;

	DBX_SQLITE_ONLY();
	snprintf(eq, sizeof(eq), "EXPLAIN QUERY PLAN %s", q);
	s = dbx_stmt(f->st->db, eq);
	out[0] = 0;
	while (dbx_step(f->st->db, s) == DB_ROW && n < sizeof(out))
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s|",
				      db_col_text(s, 3));
	db_finalize(s);
	return out;
}

/* Nothing due costs one probe of the partial index, not a scan */
static void test_due_query_uses_the_partial_index(void **state)
{
	struct fx *f = *state;
	const char *p;

	sql(f, "ANALYZE");
	p = plan(f, store_timers_due_sql);
	assert_non_null(strstr(p, "USING INDEX deadline_due"));
	assert_null(strstr(p, "TEMP B-TREE"));
	assert_null(strstr(p, "SCAN"));
	p = plan(f, "SELECT due FROM deadline WHERE done_at IS NULL"
		 " ORDER BY due LIMIT 1");
	assert_non_null(strstr(p, "deadline_due"));
	assert_null(strstr(p, "TEMP B-TREE"));
	/* The relance and jeton columns: one probe of employee_due. */
	p = plan(f, store_timers_due_col_sql);
	assert_non_null(strstr(p, "USING INDEX employee_due"));
	assert_null(strstr(p, "TEMP B-TREE"));
	assert_null(strstr(p, "SCAN"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_reminder_boundary_day_8_vs_day_9),
		T(test_reminder_across_dst_change),
		T(test_firing_never_repeats),
		T(test_employee_who_finished_is_not_reminded),
		T(test_automatic_reminders_up_to_max),
		T(test_expired_link_is_forgotten),
		T(test_end_of_portability_on_month_end),
		T(test_portability_ended_early_is_a_noop),
		T(test_dispense_end_reinvite),
		T(test_dispense_end_proof_not_renewed),
		T(test_dispense_end_proof_renewed),
		T(test_dispense_end_none),
		T(test_future_radiation_then_end_of_portability),
		T(test_child_reaches_age_limit),
		T(test_catch_up_in_order),
		T(test_unknown_employer_is_skipped),
		T(test_due_query_uses_the_partial_index),
#undef T
	};

	log_init("test_timers", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
