/*
 * store_timer - the deadlines fire: reminders, expired links, the end of
 * portability, the end of dispenses, future-dated radiations, children
 * reaching the age limit; then the employers' daily digests
 * (store_digest.c).
 *
 * The apply step writes deadline rows (a date in Europe/Paris, a kind, an
 * employee, optional JSON data); this file is the only one that fires
 * them.  A firing is one transaction: the deadline is claimed first inside
 * it (done_at set where still NULL), process/handle_timer.c decides what
 * it does to the record, the one writer (store_change.c) writes that with
 * history cause "timer" and ref "echeance:<id>", outbox rows included,
 * then the COMMIT.  So a
 * deadline fires once whatever the number of restarts, crashes or
 * concurrent runs (affilctl and the daemon serialise on BEGIN IMMEDIATE).
 *
 * Each firing re-checks the record: a deadline whose reason went away (the
 * employee finished, the dispense was renewed, the portability ended early)
 * is marked done with nothing else ("no-op").  A deadline this code cannot
 * fire (an employer gone from the config, an unknown kind) is skipped and
 * stays pending: the run moves past it with a (due, id) cursor and logs it.
 *
 * Cost: the due query walks the partial index deadline_due (only pending
 * rows), so nothing due costs one index probe whatever the number of
 * employees or done deadlines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "process/timer.h"
#include "store/store_apply.h"

/* The due query: the next pending deadline after the cursor (due, id). */
const char store_timers_due_sql[] =
	"SELECT id, due, kind, employee_id, data FROM deadline"
	" WHERE done_at IS NULL AND due <= ?1 AND (due, id) > (?2, ?3)"
	" ORDER BY due, id LIMIT 1";

/* The same for the deadlines held on the employee's row (relance, jeton),
 * down the partial index employee_due: the earlier of the two first. */
const char store_timers_due_col_sql[] =
	"SELECT 0, " EMP_DUE ", CASE WHEN due_relance IS NOT NULL AND"
	" due_relance <= coalesce(due_jeton, '9999-12-31') THEN 'relance'"
	" ELSE 'jeton' END, id, NULL FROM employee WHERE " EMP_DUE_WHERE
	" AND " EMP_DUE " <= ?1 AND (" EMP_DUE ", id) > (?2, ?3)"
	" ORDER BY " EMP_DUE ", id LIMIT 1";

/* One deadline row as read. */
struct dl {
	long long id;		/* 0: a column of the employee's row */
	char due[DATE_ISO_SIZE];
	char kind[32];
	long long emp_id;
	char *data;		/* owned, NULL for SQL NULL */
};

/* dl_read - fill d from a row (id, due, kind, employee_id, data) */
static void dl_read(struct db_stmt *s, void *arg)
{
	struct dl *d = arg;
	const char *due = db_col_text(s, 1);
	const char *kind = db_col_text(s, 2);

	d->id = db_col_int64(s, 0);
	snprintf(d->due, sizeof(d->due), "%s", due ? due : "");
	snprintf(d->kind, sizeof(d->kind), "%s", kind ? kind : "");
	d->emp_id = db_col_int64(s, 3);
	d->data = st_col_dup(s, 4);
}

/* A cursor over one of the two sources: past (due, id). */
struct dl_cursor {
	char due[DATE_ISO_SIZE];
	long long id;
};

/* dl_probe - the next due deadline of sql past c; 1 found, 0 none, -1 */
static int dl_probe(struct store *st, const char *sql, const char *as_of,
		    const struct dl_cursor *c, struct dl *d)
{
	struct db_stmt *s = st_stmt(st, sql);

	memset(d, 0, sizeof(*d));
	if (s == NULL)
		return -1;
	st_text(s, 1, as_of);
	st_text(s, 2, c->due);
	db_bind_int64(s, 3, c->id);
	return st_one_row(st, s, "deadline due", dl_read, d);
}

/* dl_next - the next due deadline of either source, the earlier first (a
 * row first on the same day); 1 found, 0 none, -1 error */
static int dl_next(struct store *st, const char *as_of,
		   const struct dl_cursor *rows, const struct dl_cursor *cols,
		   struct dl *d)
{
	struct dl c;
	int r, k;

	if ((r = dl_probe(st, store_timers_due_sql, as_of, rows, d)) < 0 ||
	    (k = dl_probe(st, store_timers_due_col_sql, as_of, cols, &c)) < 0) {
		free(d->data);
		return -1;
	}
	if (k == 1 && (r == 0 || strcmp(c.due, d->due) < 0)) {
		free(d->data);
		*d = c;
		return 1;
	}
	free(c.data);
	return r;
}

/*
 * dl_claim - inside the firing's transaction, before anything else: set
 * done_at (a row) or clear the column (relance, jeton).  1 claimed, 0
 * fired meanwhile (another run), -1 error.  First, not last: the change
 * may drop the employee's pending deadlines (a radiation drops
 * "radiation") and add new ones, which could reuse the rowid of a deleted
 * row; a claimed row is no longer pending, so it is neither dropped nor
 * confused with its successor.
 */
static int dl_claim(struct store *st, const struct dl *d)
{
	static const char sql[] = "UPDATE deadline SET done_at = ?"
		" WHERE id = ? AND done_at IS NULL";
	static const char relance[] = "UPDATE employee SET due_relance = NULL"
		" WHERE id = ?2 AND due_relance = ?1";
	static const char jeton[] = "UPDATE employee SET due_jeton = NULL"
		" WHERE id = ?2 AND due_jeton = ?1";
	char now[32];
	struct db_stmt *s;

	if (d->id == 0) {
		s = st_stmt(st, str_same(d->kind, "relance") ? relance : jeton);
		if (s == NULL)
			return -1;
		st_text(s, 1, d->due);
		db_bind_int64(s, 2, d->emp_id);
	} else {
		if ((s = st_stmt_now(st, sql, now)) == NULL)
			return -1;
		st_text(s, 1, now);
		db_bind_int64(s, 2, d->id);
	}
	if (st_done(st, s) < 0)
		return -1;
	return db_changes(st->db) == 1;
}

/* ---- one firing ------------------------------------------------------------- */

/*
 * fire_kind - the deadline's rule (process/timer.c) says whether it fires
 * on the record's status now; then what it does, decided by
 * process/handle_timer.c, written by the one writer (store_change.c).
 * 0 done, 1 no-op, 2 unknown kind, -1 error.
 */
static int fire_kind(struct store *st, const struct st_env *env,
		     struct st_emp *e, const struct dl *d)
{
	enum deadline_kind k = timer_kind_from_name(d->kind);
	struct st_facts facts;
	struct decide_ctx dc;
	struct record rec;
	struct change c;
	int rc;

	if (timer_rule(k) == NULL)
		return 2;
	if (!timer_fires(k, status_from_name(e->status)))
		return 1;	/* moot: the record moved on */
	st_facts(&facts, st, env->emp, e->id);
	st_decide_ctx(env, &dc);
	st_emp_record(e, &rec);
	rc = timer_change(&dc, &rec, &facts.f, k, d->due, d->data, &c);
	if (rc < 0) {
		log_err("event=bad_deadline id=%lld kind=%s employee=%lld",
			d->id, d->kind, e->id);
		return -1;
	}
	if (rc == 1)
		return 1;
	return st_change_write(st, env, e, NULL, &c) < 0 ? -1 : 0;
}

/* fire_in_tx - inside the transaction; the outcome, or -1 */
static int fire_in_tx(struct store *st, const struct timer_run *run,
		      const struct dl *d, struct st_emp *e)
{
	struct st_env env;
	int rc = dl_claim(st, d);

	if (rc <= 0)
		return rc < 0 ? -1 : TIMER_NOOP;	/* fired meanwhile */
	if (st_emp_load_id(st, d->emp_id, e) < 0)
		return -1;
	memset(&env, 0, sizeof(env));
	env.emp = e->id ? cfg_employer(run->cfg, e->employer) : NULL;
	if (e->id && env.emp == NULL) {
		log_warn("event=timer_skipped id=%lld kind=%s employer=%s "
			 "reason=\"employer not in the configuration\"",
			 d->id, d->kind, e->employer);
		return TIMER_SKIPPED;
	}
	env.cfg = run->cfg;
	env.today = run->as_of;
	env.token_key = run->token_key;
	env.token_keylen = run->token_keylen;
	env.cause = "timer";
	if (d->id == 0)
		snprintf(env.ref, sizeof(env.ref), "echeance:%s-%lld", d->kind,
			 d->emp_id);
	else
		snprintf(env.ref, sizeof(env.ref), "echeance:%lld", d->id);
	rc = e->id ? fire_kind(st, &env, e, d) : 1;
	if (rc == 2) {
		log_warn("event=timer_skipped id=%lld kind=%s "
			 "reason=\"unknown kind\"", d->id, d->kind);
		return TIMER_SKIPPED;
	}
	if (rc < 0)
		return -1;
	return rc == 0 ? TIMER_DONE : TIMER_NOOP;
}

/* fire_one - one deadline in one transaction; the outcome or -1 (in_tx:
 * the caller's transaction is then to roll back whole) */
static int fire_one(struct store *st, struct timer_run *run,
		    const struct dl *d)
{
	static const char *const names[] = { "done", "noop", "skipped" };
	struct st_emp e;
	struct timer_rec r;
	int rc;

	memset(&e, 0, sizeof(e));
	if (st_tx_open(st, run->in_tx) < 0)
		return -1;
	rc = fire_in_tx(st, run, d, &e);
	if (rc == TIMER_SKIPPED || rc < 0) {
		if (st_tx_undo(st, run->in_tx) < 0)
			rc = -1;
	} else if (st_tx_close(st, run->in_tx) < 0) {
		(void)st_tx_undo(st, run->in_tx);
		rc = -1;
	}
	if (rc >= 0) {
		log_info("event=timer_fired id=%lld kind=%s due=%s "
			 "employee=%lld outcome=%s", d->id, d->kind, d->due,
			 d->emp_id, names[rc]);
		memset(&r, 0, sizeof(r));
		r.id = d->id;
		r.due = d->due;
		r.kind = d->kind;
		r.employee_id = d->emp_id;
		r.employer = e.employer;
		r.matricule = e.matricule;
		r.nom = e.nom;
		r.prenom = e.prenom;
		r.outcome = (enum timer_outcome)rc;
		if (run->fn)
			(void)run->fn(&r, run->arg);
	}
	st_emp_free(&e);
	return rc;
}

/* ---- the public entry points ------------------------------------------------- */

int store_timers_run(struct store *st, struct timer_run *run)
{
	struct dl_cursor rows = { "", 0 }, cols = { "", 0 };
	char as_of[DATE_ISO_SIZE];
	struct dl d;
	int rc;

	run->fired = run->noop = run->skipped = run->digests = 0;
	run->more = 0;
	date_format(run->as_of, as_of);
	for (;;) {
		if (run->max > 0 && run->fired + run->noop >= run->max) {
			run->more = 1;
			return 0;	/* the rest next time; digests after */
		}
		rc = dl_next(st, as_of, &rows, &cols, &d);
		if (rc <= 0)
			break;
		rc = fire_one(st, run, &d);
		/* Past it: a row always; a column only when skipped (one
		 * fired leaves the index, and its employee's other column
		 * may be due the same day). */
		if (d.id != 0) {
			snprintf(rows.due, sizeof(rows.due), "%s", d.due);
			rows.id = d.id;
		} else if (rc == TIMER_SKIPPED) {
			snprintf(cols.due, sizeof(cols.due), "%s", d.due);
			cols.id = d.emp_id;
		}
		free(d.data);
		if (rc < 0)
			return -1;
		if (rc == TIMER_DONE)
			run->fired++;
		else if (rc == TIMER_NOOP)
			run->noop++;
		else
			run->skipped++;
	}
	if (rc < 0)
		return -1;
	return st_digests(st, run);
}

/* Where store_timer_next reads the earliest due date. */
struct next_due {
	struct date *due;
	int found;		/* the date was readable */
};

static void next_due_read(struct db_stmt *s, void *arg)
{
	struct next_due *n = arg;

	n->found = date_parse_iso(db_col_text(s, 0),
				  n->due) == 0;
}

int store_timer_next(struct store *st, struct date *due)
{
	static const char sql[] =
		"SELECT due FROM (SELECT due FROM deadline WHERE done_at IS NULL"
		" ORDER BY due LIMIT 1) AS d UNION ALL SELECT due FROM"
		" (SELECT " EMP_DUE " AS due FROM employee WHERE " EMP_DUE_WHERE
		" ORDER BY " EMP_DUE " LIMIT 1) AS e ORDER BY 1 LIMIT 1";
	struct db_stmt *s = st_stmt(st, sql);
	struct next_due n = { due, 0 };

	if (s == NULL)
		return -1;
	if (st_one_row(st, s, "deadline next", next_due_read, &n) < 0)
		return -1;
	return n.found;
}

int store_timers_each(struct store *st, int limit,
		      int (*fn)(const struct timer_rec *, void *), void *arg)
{
	static const char sql[] =
		"SELECT d.id, d.due, d.kind, d.employee_id, e.employer,"
		" e.matricule, e.nom, e.prenom FROM deadline d"
		" LEFT JOIN employee e ON e.id = d.employee_id"
		" WHERE d.done_at IS NULL"
		" UNION ALL SELECT 0, due_relance, 'relance', id, employer,"
		" matricule, nom, prenom FROM employee WHERE " EMP_DUE_WHERE
		" AND due_relance IS NOT NULL"
		" UNION ALL SELECT 0, due_jeton, 'jeton', id, employer,"
		" matricule, nom, prenom FROM employee WHERE " EMP_DUE_WHERE
		" AND due_jeton IS NOT NULL"
		" ORDER BY 2, 4, 1 LIMIT ?";
	struct db_stmt *s = st_stmt(st, sql);
	struct timer_rec r;
	int rc;

	if (s == NULL)
		return -1;
	db_bind_int(s, 1, limit);
	while ((rc = db_step(s)) == DB_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = db_col_int64(s, 0);
		r.due = db_col_text(s, 1);
		r.kind = db_col_text(s, 2);
		r.employee_id = db_col_int64(s, 3);
		r.employer = db_col_text(s, 4);
		r.matricule = db_col_text(s, 5);
		r.nom = db_col_text(s, 6);
		r.prenom = db_col_text(s, 7);
		if (fn(&r, arg) != 0)
			break;
	}
	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE) {
		st_log_error(st, "deadline list");
		return -1;
	}
	return 0;
}
