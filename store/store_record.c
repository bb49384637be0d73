/*
 * store_record - the employee record and the changes every cause shares:
 * files, the portal, the timers and the admin all load a record the same
 * way, write history the same way and queue mail the same way.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/log.h"
#include "common/util.h"
#include "store/store_outbox.h"
#include "store/store_priv.h"

/* The text columns of struct st_emp, in SELECT order after id. */
#define EMP_TEXT(X) \
	X(employer) X(nir) X(status) X(prev_status) X(status_since) X(nom) \
	X(nom_usage) X(prenom) X(date_naissance) X(date_embauche) \
	X(date_effet) X(categorie) X(email) X(email_personnel) X(adresse) \
	X(code_postal) X(ville) X(pays) X(telephone) X(matricule) X(option) \
	X(iban) X(bic) X(rum) X(date_signature_mandat) X(token_hash) \
	X(token_expires) X(invited_on) X(last_relance) X(date_fin_contrat) \
	X(motif_rupture) X(date_fin_droits) X(portabilite_debut) \
	X(portabilite_fin) X(dispense_motif) X(dispense_fin) X(radiation_at) \
	X(portabilite_motif_fin) X(preuve_chomage) X(due_relance) X(due_jeton)

#define NAME(c) #c ", "
#define OFFSET(c) offsetof(struct st_emp, c),

static const size_t emp_text[] = { EMP_TEXT(OFFSET) };

#define EMP_SELECT "SELECT id, " EMP_TEXT(NAME) \
	"radiation_hist, relances, incomplete, token_n FROM employee "

static char **emp_field(struct st_emp *e, size_t i)
{
	return (char **)((char *)e + emp_text[i]);
}

void st_emp_free(struct st_emp *e)
{
	size_t i;

	if (e->block != NULL)
		free(e->block);
	else
		for (i = 0; i < NELEM(emp_text); i++)
			free(*emp_field(e, i));
	memset(e, 0, sizeof(*e));
}

/* emp_from_row - one employee row (id, emp_text..., the numbers); its
 * strings in one allocation, a record being loaded once a movement */
static void emp_from_row(struct db_stmt *s, void *arg)
{
	struct st_emp *e = arg;
	size_t i, n = NELEM(emp_text), len[NELEM(emp_text)], total = 0;
	const char *t;
	char *p;

	e->id = db_col_int64(s, 0);
	for (i = 0; i < n; i++) {
		t = db_col_text(s, (int)i + 1);
		len[i] = t ? (size_t)db_col_bytes(s, (int)i + 1) + 1 : 0;
		total += len[i];
	}
	p = e->block = total ? xmalloc(total) : NULL;
	for (i = 0; i < n; i++) {
		if (len[i] == 0)
			continue;
		memcpy(p, db_col_text(s, (int)i + 1), len[i]);
		*emp_field(e, i) = p;
		p += len[i];
	}
	e->radiation_hist = db_col_int64(s, (int)n + 1);
	e->relances = db_col_int(s, (int)n + 2);
	e->incomplete = db_col_int(s, (int)n + 3);
	e->token_n = db_col_int(s, (int)n + 4);
}

/* emp_read - step s and fill e; 0 (e->id 0 when no row) or -1 */
static int emp_read(struct store *st, struct db_stmt *s, struct st_emp *e)
{
	memset(e, 0, sizeof(*e));
	return st_one_row(st, s, "employee load", emp_from_row, e) < 0 ? -1 : 0;
}

int st_emp_load(struct store *st, const char *employer, const char *nir,
		struct st_emp *e)
{
	static const char sql[] = EMP_SELECT "WHERE employer = ? AND nir = ?";
	struct db_stmt *s = st_stmt(st, sql);

	memset(e, 0, sizeof(*e));
	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, nir);
	return emp_read(st, s, e);
}

int st_emp_load_id(struct store *st, long long id, struct st_emp *e)
{
	static const char sql[] = EMP_SELECT "WHERE id = ?";
	struct db_stmt *s = st_stmt(st, sql);

	memset(e, 0, sizeof(*e));
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	return emp_read(st, s, e);
}

long long st_history(struct store *st, const struct st_env *env,
		     long long emp_id, const char *from, const char *to,
		     const char *what)
{
	static const char sql[] =
		"INSERT INTO history (employee_id, at, from_status, to_status,"
		" what, cause, cause_ref) VALUES (?, ?, ?, ?, ?, ?, ?)"
		" RETURNING id";
	long long id = -1;
	char now[32];
	struct db_stmt *s = st_stmt_now(st, sql, now);

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, emp_id);
	st_text(s, 2, now);
	st_text(s, 3, from);
	st_text(s, 4, to);
	st_text(s, 5, what);
	st_text(s, 6, env->cause);
	st_text(s, 7, env->ref[0] ? env->ref : NULL);
	return st_one_row(st, s, "history", st_read_int64, &id) == 1 ? id : -1;
}

long long st_last_history(struct store *st, long long emp_id)
{
	static const char sql[] =
		"SELECT max(id) FROM history WHERE employee_id = ?";
	struct db_stmt *s = st_stmt(st, sql);
	long long id = -1;

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, emp_id);
	if (st_one_row(st, s, "last history", st_read_int64, &id) < 0)
		return -1;
	return id;
}

int st_set_status(struct store *st, const struct st_env *env, long long id,
		  const char *status)
{
	static const char sql[] =
		"UPDATE employee SET prev_status = status, status = ?,"
		" status_since = ?, updated_at = ? WHERE id = ?";
	struct db_stmt *s = st_stmt(st, sql);
	char now[32], day[DATE_ISO_SIZE];

	if (s == NULL)
		return -1;
	st_now(now);
	st_text(s, 1, status);
	st_text(s, 2, date_format(env->today, day));
	st_text(s, 3, now);
	db_bind_int64(s, 4, id);
	return st_done(st, s);
}

/* The columns st_set_col may write, each with its own static statement so
 * that st_stmt prepares it once: a radiation sets a dozen of them, and a
 * file may hold thousands of radiations. */
#define SET(c) { #c, "UPDATE employee SET " #c " = ? WHERE id = ?" }
static const struct {
	const char *col, *sql;
} settable[] = {
	SET(nir), SET(option), SET(rum), SET(incomplete),
	SET(date_fin_contrat), SET(motif_rupture), SET(date_fin_droits),
	SET(portabilite_debut), SET(portabilite_fin), SET(dispense_motif),
	SET(dispense_fin), SET(dispense_demande), SET(dispense_justificatif),
	SET(radiation_at), SET(radiation_hist), SET(portabilite_motif_fin),
	SET(last_relance), SET(relances), SET(email), SET(email_personnel),
	SET(preuve_chomage), SET(token_hash), SET(token_expires),
};
#undef SET

int st_set_col(struct store *st, long long id, const char *col,
	       const char *value)
{
	struct db_stmt *s;
	size_t i;

	for (i = 0; i < NELEM(settable); i++)
		if (strcmp(settable[i].col, col) == 0)
			break;
	if (i == NELEM(settable)) {
		log_err("event=bug where=st_set_col column=%s", col);
		return -1;
	}
	if ((s = st_stmt(st, settable[i].sql)) == NULL)
		return -1;
	st_text(s, 1, value);
	db_bind_int64(s, 2, id);
	return st_done(st, s);
}

/*
 * The two deadlines every invitation sets live on the employee's row
 * (due_relance, due_jeton: schema 8); the other kinds are deadline rows.
 * col_of - the column of kind, or NULL for a row kind.
 */
static const char *col_of(const char *kind)
{
	if (kind && strcmp(kind, "relance") == 0)
		return "due_relance";
	if (kind && strcmp(kind, "jeton") == 0)
		return "due_jeton";
	return NULL;
}

/* set_due - one deadline column (NULL: cleared) */
static int set_due(struct store *st, long long emp_id, const char *col,
		   const char *day)
{
	static const char relance[] =
		"UPDATE employee SET due_relance = ? WHERE id = ?";
	static const char jeton[] =
		"UPDATE employee SET due_jeton = ? WHERE id = ?";
	struct db_stmt *s = st_stmt(st, strcmp(col, "due_relance") == 0 ?
				  relance : jeton);

	if (s == NULL)
		return -1;
	st_text(s, 1, day);
	db_bind_int64(s, 2, emp_id);
	return st_done(st, s);
}

int st_deadline_add(struct store *st, struct date due, const char *kind,
		    long long emp_id, const char *data)
{
	static const char sql[] =
		"INSERT INTO deadline (due, kind, employee_id, data)"
		" VALUES (?, ?, ?, ?)";
	const char *col = col_of(kind);
	char day[DATE_ISO_SIZE];
	struct db_stmt *s;

	date_format(due, day);
	if (col != NULL)
		return set_due(st, emp_id, col, day);
	if ((s = st_stmt(st, sql)) == NULL)
		return -1;
	st_text(s, 1, day);
	st_text(s, 2, kind);
	db_bind_int64(s, 3, emp_id);
	st_text(s, 4, data);
	return st_done(st, s);
}

int st_deadline_drop(struct store *st, long long emp_id, const char *kind)
{
	return st_deadline_drop_data(st, emp_id, kind, NULL);
}

int st_deadline_drop_data(struct store *st, long long emp_id,
			  const char *kind, const char *data)
{
	static const char sql[] =
		"UPDATE deadline SET done_at = ?4, cancelled = 1"
		" WHERE employee_id = ?1 AND done_at IS NULL"
		" AND (?2 IS NULL OR kind = ?2) AND (?3 IS NULL OR data = ?3)";
	static const char both[] = "UPDATE employee SET due_relance = NULL,"
		" due_jeton = NULL WHERE id = ? AND " EMP_DUE_WHERE;
	const char *col = col_of(kind);
	char now[32];
	struct db_stmt *s;

	if (col != NULL)
		return set_due(st, emp_id, col, NULL);
	if (kind == NULL) {
		if ((s = st_stmt(st, both)) == NULL)
			return -1;
		db_bind_int64(s, 1, emp_id);
		if (st_done(st, s) < 0)
			return -1;
	}
	if ((s = st_stmt_now(st, sql, now)) == NULL)
		return -1;
	db_bind_int64(s, 1, emp_id);
	st_text(s, 2, kind);
	st_text(s, 3, data);
	st_text(s, 4, now);
	return st_done(st, s);
}

int st_deadline_pending(struct store *st, long long emp_id, const char *kind,
			char **data)
{
	static const char sql[] =
		"SELECT data FROM deadline WHERE employee_id = ?"
		" AND done_at IS NULL AND kind = ? ORDER BY id DESC LIMIT 1";
	static const char relance[] = "SELECT NULL FROM employee"
		" WHERE id = ? AND due_relance IS NOT NULL";
	static const char jeton[] = "SELECT NULL FROM employee"
		" WHERE id = ? AND due_jeton IS NOT NULL";
	const char *col = col_of(kind);
	struct db_stmt *s;

	*data = NULL;
	if (col != NULL)
		s = st_stmt(st, strcmp(col, "due_relance") == 0 ? relance :
			    jeton);
	else
		s = st_stmt(st, sql);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, emp_id);
	if (col == NULL)
		st_text(s, 2, kind);
	return st_one_row(st, s, "deadline pending", col ? NULL : st_read_dup,
			  data);
}

/*
 * queue - one message about e to recipient.  The row is thin: the kind,
 * the employee and the template's own vars (what must be frozen now); the
 * person's names and address and the employer's name are read when the
 * message is built (store_outbox_vars).
 */
static int queue(struct store *st, const struct st_env *env,
		 const struct st_emp *e, const char *recipient,
		 const char *kind, const char *const *vars)
{
	return st_outbox_add(st, env->cfg->mail.from, kind, env->emp->numero,
			     e->id, recipient, vars);
}

int st_revoke_token(struct store *st, long long id)
{
	static const char sql[] = "UPDATE employee SET token_hash = NULL,"
		" token_expires = NULL, due_jeton = NULL WHERE id = ?"
		" AND (token_expires IS NOT NULL OR due_jeton IS NOT NULL)";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	return st_done(st, s);
}

/* st_invite_days - see store_priv.h: formatted once a day, not once a row
 * (per thread, like st_now) */
const struct st_invite_days *st_invite_days(const struct cfg *cfg,
					    struct date today)
{
	static _Thread_local struct st_invite_days d;
	int ttl = cfg->portal.invitation_ttl_days;
	int after = cfg->process.reminder_after_days;
	struct date e;

	if (d.ttl == ttl && d.after == after && d.day[0] != '\0' &&
	    date_cmp(d.today, today) == 0)
		return &d;
	d.today = today;
	d.ttl = ttl;
	d.after = after;
	e = date_add_days(today, ttl);
	date_format(today, d.day);
	/* The link works through its last day: it dies the day after. */
	date_format(e, d.expires);
	date_format(date_add_days(e, 1), d.jeton);
	date_format(date_add_days(today, after), d.relance);
	return &d;
}

int st_invite(struct store *st, const struct st_env *env,
	      const struct st_emp *e, const char *kind)
{
	static const char sql[] =
		"UPDATE employee SET token_hash = NULL, token_n = token_n + 1,"
		" token_expires = ?1, due_jeton = ?2,"
		" invited_on = CASE WHEN ?3 THEN ?4 ELSE invited_on END,"
		" due_relance = CASE WHEN ?3 THEN ?5 ELSE due_relance END"
		" WHERE id = ?6 RETURNING token_n";
	const struct st_invite_days *d = st_invite_days(env->cfg, env->today);
	struct db_stmt *s = st_stmt(st, sql);
	int first = strcmp(kind, "invitation") == 0, token_n = 0;

	if (s == NULL)
		return -1;
	st_text(s, 1, d->expires);
	st_text(s, 2, d->jeton);
	db_bind_int(s, 3, first);
	st_text(s, 4, d->day);
	st_text(s, 5, d->relance);
	db_bind_int64(s, 6, e->id);
	if (st_one_row(st, s, "invite", st_read_int, &token_n) != 1)
		return -1;
	return st_invite_queue(st, env, e, kind, token_n, d->expires);
}

int st_invite_queue(struct store *st, const struct st_env *env,
		    const struct st_emp *e, const char *kind, int token_n,
		    const char *expires)
{
	char n[16];
	const char *vars[] = { "lien_n", n, "lien_expire", expires, NULL };

	/* Frozen with the message: the link's number and last valid day,
	 * from which the sender signs the link again (store_outbox_vars). */
	snprintf(n, sizeof(n), "%d", token_n);
	return queue(st, env, e, e->email ? e->email : "courrier", kind, vars);
}

int st_notify(struct store *st, const struct st_env *env,
	      const struct st_emp *e, const char *kind,
	      const char *const *vars, int departure)
{
	const char *to = e->email;

	if (departure && e->email_personnel)
		to = e->email_personnel;
	if (to == NULL)
		return queue(st, env, e, "courrier", kind, vars);
	if (queue(st, env, e, to, kind, vars) < 0)
		return -1;
	if (departure && env->emp->departure_letter && e->adresse)
		return queue(st, env, e, "courrier", kind, vars);
	return 0;
}

int st_notify_employer(struct store *st, const struct st_env *env,
		       const struct st_emp *e, const char *to,
		       const char *kind, const char *const *vars)
{
	if (to == NULL)
		return 0;
	return st_outbox_add(st, env->cfg->mail.from, kind, env->emp->numero,
			     e ? e->id : 0, to, vars);
}
