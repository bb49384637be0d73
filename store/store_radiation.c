/*
 * store_radiation - the end of an affiliation: RADIATION (now or on the
 * day after a future end date), its ANNULATION, and FIN_PORTABILITE, and
 * the insurer's affilctl changes after a radiation.
 *
 * A radiation is decided once, when the movement is accepted, by
 * process/decide_radiation.c (eligibility, dates, notice): a struct
 * radiation that is either carried out at once or stored as JSON in a
 * "radiation" deadline and carried out by the timer on its day, by the same
 * code (rad_carry_out), so both paths write the same record, history and
 * mail.  This file reads what only the database knows (a pending deadline,
 * the last history row) and writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_apply.h"

/* rad_json - the decision as the data of a "radiation" deadline (json-c;
 * the same bytes for the same decision, so that a pending one compares) */
static void rad_json(const struct radiation *r, char *out, size_t outlen)
{
	const char *const str[][2] = {
		{ "to", status_name(r->to) }, { "motif", r->motif },
		{ "fin_contrat", r->fin_contrat }, { "droits", r->droits },
		{ "p0", r->p0 }, { "p1", r->p1 },
	};
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; i < NELEM(str); i++)
		json_object_object_add(o, str[i][0],
				       json_object_new_string(str[i][1]));
	json_object_object_add(o, "mois", json_object_new_int(r->months));
	json_object_object_add(o, "incomplete",
			       json_object_new_int(r->incomplete));
	json_object_object_add(o, "notice", json_object_new_string(r->notice));
	if (strlcpy_ok(out, json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
		       outlen) < 0)
		log_err("event=radiation_json_truncated");
	json_object_put(o);
}

/* rad_read - the json_extract() columns of rad_parse into a struct
 * radiation */
static void rad_read(sqlite3_stmt *s, void *arg)
{
	struct radiation *r = arg;
	char *v[6];
	int i;

	for (i = 0; i < 6; i++)
		v[i] = st_col_dup(s, i);
	r->to = status_from_name(v[0]);
	(void)strlcpy_ok(r->motif, v[1] ? v[1] : "", sizeof(r->motif));
	(void)strlcpy_ok(r->fin_contrat, v[2] ? v[2] : "",
			 sizeof(r->fin_contrat));
	(void)strlcpy_ok(r->droits, v[3] ? v[3] : "", sizeof(r->droits));
	(void)strlcpy_ok(r->p0, v[4] ? v[4] : "", sizeof(r->p0));
	(void)strlcpy_ok(r->p1, v[5] ? v[5] : "", sizeof(r->p1));
	r->months = sqlite3_column_int(s, 6);
	r->incomplete = sqlite3_column_int(s, 7);
	if (sqlite3_column_text(s, 8))
		(void)strlcpy_ok(r->notice,
				 (const char *)sqlite3_column_text(s, 8),
				 sizeof(r->notice));
	for (i = 0; i < 6; i++)
		free(v[i]);
}

/* rad_parse - the decision back from its JSON, through SQLite's json1 */
static int rad_parse(struct store *st, const char *json,
		     struct radiation *r)
{
	static const char sql[] =
		"SELECT json_extract(?1, '$.to'), json_extract(?1, '$.motif'),"
		" json_extract(?1, '$.fin_contrat'),"
		" json_extract(?1, '$.droits'), json_extract(?1, '$.p0'),"
		" json_extract(?1, '$.p1'), json_extract(?1, '$.mois'),"
		" json_extract(?1, '$.incomplete'),"
		" json_extract(?1, '$.notice')";
	sqlite3_stmt *s = st_stmt(st, sql);

	memset(r, 0, sizeof(*r));
	if (s == NULL)
		return -1;
	st_text(s, 1, json);
	/* A radiation leads out of employment (RADIE or PORTABILITE). */
	if (st_one_row(st, s, "radiation data", rad_read, r) != 1 ||
	    !status_is(r->to, STATUS_FORMER)) {
		log_err("event=bad_deadline_data kind=radiation");
		return -1;
	}
	return 0;
}

/* rad_notice - the notice of the decision to the former employee */
static int rad_notice(struct store *st, const struct st_env *env,
		      const struct st_emp *e, const struct radiation *r)
{
	char droits[DATE_ISO_SIZE], p0[DATE_ISO_SIZE], p1[DATE_ISO_SIZE];
	char months[16];

	date_iso_fr(r->droits, droits);
	if (st_same(r->notice, "deces"))
		return st_letter_dependants(st, env, e, droits);
	if (r->notice[0] == '\0')
		return 0;
	snprintf(months, sizeof(months), "%d", r->months);
	{
		const char *vars[] = {
			"date_fin_droits", droits,
			"date_debut_portabilite", date_iso_fr(r->p0, p0),
			"date_fin_portabilite", date_iso_fr(r->p1, p1),
			"duree_mois", months, NULL
		};

		return st_notify(st, env, e, r->notice, vars, 1);
	}
}

/*
 * rad_write - the record of a radiation carried out, in one statement: the
 * status, the end data, the flag of an incomplete affiliation (and the base
 * plan it falls back to), the link revoked and both deadline columns
 * cleared, and the history row of the decision (hist).
 */
static int rad_write(struct store *st, const struct st_env *env,
		     const struct st_emp *e, const struct radiation *r,
		     const char *to, int porta, long long hist)
{
	static const char sql[] =
		"UPDATE employee SET prev_status = status, status = ?1,"
		" status_since = ?2, updated_at = ?3, date_fin_contrat = ?4,"
		" motif_rupture = ?5, date_fin_droits = ?6,"
		" portabilite_debut = ?7, portabilite_fin = ?8,"
		" radiation_at = ?2,"
		" incomplete = CASE WHEN ?9 THEN 1 ELSE incomplete END,"
		" option = CASE WHEN ?9 AND option IS NULL THEN ?10"
		" ELSE option END,"
		" token_hash = NULL, token_expires = NULL, due_relance = NULL,"
		" due_jeton = NULL, radiation_hist = ?11 WHERE id = ?12";
	static const char drop[] =
		"UPDATE deadline SET done_at = ?2, cancelled = 1"
		" WHERE employee_id = ?1 AND done_at IS NULL"
		" AND kind IN ('radiation', 'preuve_chomage')";
	sqlite3_stmt *s = st_stmt(st, sql);
	char now[32], day[DATE_ISO_SIZE];

	if (s == NULL)
		return -1;
	st_now(now);
	st_text(s, 1, to);
	st_text(s, 2, date_format(env->today, day));
	st_text(s, 3, now);
	st_text(s, 4, r->fin_contrat);
	st_text(s, 5, r->motif);
	st_text(s, 6, r->droits);
	st_text(s, 7, porta ? r->p0 : NULL);
	st_text(s, 8, porta ? r->p1 : NULL);
	sqlite3_bind_int(s, 9, r->incomplete);
	st_text(s, 10, env->emp->base_plan);
	sqlite3_bind_int64(s, 11, hist);
	sqlite3_bind_int64(s, 12, e->id);
	if (st_done(st, s) < 0 || (s = st_stmt(st, drop)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, e->id);
	st_text(s, 2, now);
	return st_done(st, s);
}

/* rad_carry_out - the decision applied to the record, now */
static int rad_carry_out(struct store *st, const struct st_env *env,
			 const struct st_emp *e, const struct radiation *r)
{
	const char *to = status_name(r->to);
	char what[160];
	int porta = radiation_portability(r);
	int proof_days = env->cfg->process.unemployment_proof_days;
	struct date p0, p1;
	long long h;

	snprintf(what, sizeof(what), "radiation, motif %s, fin de contrat %s%s%s",
		 r->motif, r->fin_contrat, porta ? ", portabilité jusqu'au " :
		 "", porta ? r->p1 : "");
	if ((h = st_history(st, env, e->id, e->status, to, what)) < 0 ||
	    rad_write(st, env, e, r, to, porta, h) < 0)
		return -1;
	if (porta && (date_parse_iso(r->p1, &p1) < 0 ||
		      st_deadline_add(st, date_add_days(p1, 1),
				      "fin_portabilite", e->id, NULL) < 0))
		return -1;
	if (porta && proof_days > 0 && e->preuve_chomage == NULL &&
	    (date_parse_iso(r->p0, &p0) < 0 ||
	     st_deadline_add(st, date_add_days(p0, proof_days),
			     "preuve_chomage", e->id, NULL) < 0))
		return -1;
	return rad_notice(st, env, e, r);
}

/* ap_radiation - radiated now, or held for the day after a future end
 * (the decision: process/decide_radiation.c) */
int ap_radiation(struct ap *a)
{
	char json[512], *pending = NULL, fr[DATE_ISO_SIZE];
	struct radiation r;
	struct date due;
	int rc;

	if (radiation_decide(&a->dc, &a->rec, a->mv, &r) != 0)
		return 1;
	if (!radiation_held(&r, a->env.today, &due))
		return rad_carry_out(a->st, &a->env, &a->e, &r);
	rad_json(&r, json, sizeof(json));

	/* A future end: held as a deadline for the day after it. */
	if ((rc = st_deadline_pending(a->st, a->e.id, "radiation",
				      &pending)) < 0)
		return -1;
	if (rc == 1 && st_same(pending, json)) {
		free(pending);
		return ap_already(a, "radiation déjà programmée");
	}
	free(pending);
	if (st_deadline_drop(a->st, a->e.id, "radiation") < 0 ||
	    st_deadline_add(a->st, due, "radiation", a->e.id, json) < 0 ||
	    st_history(a->st, &a->env, a->e.id, a->e.status, a->e.status,
		       "radiation programmée") < 0)
		return -1;
	mv_diag(a->mv, "I213", F_DATE_FIN_CONTRAT, "radiation programmée : "
		"appliquée le %s, lendemain de la fin du contrat",
		date_format_fr(due, fr));
	return 0;
}

/* st_radiation_fire - the timer's side of a future-dated radiation */
int st_radiation_fire(struct store *st, const struct st_env *env,
		      const struct st_emp *e, const char *data)
{
	struct radiation r;

	if (rad_parse(st, data, &r) < 0)
		return -1;
	if (radiation_on_day(&r, status_from_name(e->status), env->emp))
		return 1;
	return rad_carry_out(st, env, e, &r) < 0 ? -1 : 0;
}

/* clear_radiation - the record as before the radiation */
static int clear_radiation(struct store *st, long long id)
{
	static const char *const cols[] = {
		"date_fin_contrat", "motif_rupture", "date_fin_droits",
		"portabilite_debut", "portabilite_fin", "radiation_at",
		"radiation_hist", "portabilite_motif_fin",
	};
	size_t i;

	for (i = 0; i < NELEM(cols); i++)
		if (st_set_col(st, id, cols[i], NULL) < 0)
			return -1;
	return st_set_col(st, id, "incomplete", "0") < 0 ||
	       st_deadline_drop(st, id, "fin_portabilite") < 0 ||
	       st_deadline_drop(st, id, "preuve_chomage") < 0 ? -1 : 0;
}

/* ap_annulation - cancel a radiation held for a future date, or the last
 * one, within the correction window (process/decide.c) */
int ap_annulation(struct ap *a)
{
	enum status before = a->rec.prev_status;
	char *pending = NULL;
	char *prev;
	struct date at;
	long long last;
	int rc;

	if ((rc = st_deadline_pending(a->st, a->e.id, "radiation",
				      &pending)) < 0)
		return -1;
	free(pending);
	if (rc == 1)
		return st_deadline_drop(a->st, a->e.id, "radiation") < 0 ||
		       st_history(a->st, &a->env, a->e.id, a->e.status,
				  a->e.status, "radiation programmée "
				  "annulée") < 0 ? -1 : 0;
	if (annulation_check(&a->dc, &a->rec, a->mv) != 0)
		return 1;
	if ((last = st_last_history(a->st, a->e.id)) < 0)
		return -1;
	if (last != a->e.radiation_hist)
		return ap_refuse(a, "E293", F_OPERATION_ANNULEE, "le dossier a "
				 "changé depuis la radiation : annulation "
				 "impossible par fichier, contactez "
				 "l'assureur");
	prev = xstrdup(a->e.prev_status);
	rc = clear_radiation(a->st, a->e.id) < 0 ||
	     st_set_status(a->st, &a->env, a->e.id, prev) < 0 ||
	     st_history(a->st, &a->env, a->e.id, a->e.status, prev,
			"radiation annulée") < 0 ? -1 : 0;
	if (rc == 0 && status_is(before, STATUS_AWAITING)) {
		/* The link was revoked at the radiation: a fresh one. */
		rc = ap_reload(a) < 0 ||
		     st_invite(a->st, &a->env, &a->e, "relance") < 0 ? -1 : 0;
		if (rc == 0 && status_is(before, STATUS_REMINDER) &&
		    a->e.invited_on &&
		    date_parse_iso(a->e.invited_on, &at) == 0)
			rc = st_deadline_add(a->st, date_add_days(at,
				a->env.cfg->process.reminder_after_days),
				"relance", a->e.id, NULL);
	}
	free(prev);
	return rc;
}

/* ap_fin_portabilite - the portability ends before its computed end */
int ap_fin_portabilite(struct ap *a)
{
	const char *motif = mv_get(a->mv, F_MOTIF_FIN);
	const char *to = ap_target(a);
	char day[DATE_ISO_SIZE], fr[DATE_ISO_SIZE], what[128];
	struct date droits;

	if (fin_portabilite_rights(&a->rec, a->mv, &droits) != 0)
		return 1;
	date_format(droits, day);
	snprintf(what, sizeof(what), "fin de portabilité : %s, droits "
		 "jusqu'au %s", motif, day);
	if (st_set_status(a->st, &a->env, a->e.id, to) < 0 ||
	    st_set_col(a->st, a->e.id, "date_fin_droits", day) < 0 ||
	    st_set_col(a->st, a->e.id, "portabilite_motif_fin", motif) < 0 ||
	    st_deadline_drop(a->st, a->e.id, "fin_portabilite") < 0 ||
	    st_history(a->st, &a->env, a->e.id, a->e.status, to, what) < 0)
		return -1;
	date_format_fr(droits, fr);
	if (st_same(motif, "DECES"))
		return st_letter_dependants(a->st, &a->env, &a->e, fr);
	{
		const char *vars[] = { "date_fin_droits", fr, NULL };

		return st_notify(a->st, &a->env, &a->e, "fin_portabilite",
				 vars, 1);
	}
}

/*
 * admin_load - the environment of an admin drop's change (cause
 * "admin:<login>", ref file:line) and the employee it names: 0 loaded, 1
 * refused (why), -1 error
 */
static int admin_load(struct store *st, const struct cfg *cfg,
		      const char *employer, const char *nir,
		      const char *cause, const char *ref, struct date today,
		      struct st_env *env, struct st_emp *e, char *why,
		      size_t whylen)
{
	memset(env, 0, sizeof(*env));
	env->cfg = cfg;
	env->emp = cfg_employer(cfg, employer);
	env->today = today;
	env->cause = cause;
	snprintf(env->ref, sizeof(env->ref), "%s", ref);
	if (env->emp == NULL) {
		snprintf(why, whylen, "employeur %s absent de la configuration",
			 employer);
		return 1;
	}
	if (st_emp_load(st, employer, nir, e) < 0)
		return -1;
	if (e->id != 0)
		return 0;
	snprintf(why, whylen, "salarié inconnu chez cet employeur");
	st_emp_free(e);
	return 1;
}

/*
 * store_admin_portability - an admin opens portability after the former
 * employee proved unemployment benefits on an `examen` reason (a démission
 * légitime): RADIE → PORTABILITE with the dates of the radiation
 * (radiation_reopen() decides).
 */
int store_admin_portability(struct store *st, const struct cfg *cfg,
			    const char *employer, const char *nir,
			    const char *cause, const char *ref,
			    const char *justification, struct date today,
			    char *why, size_t whylen)
{
	struct decide_ctx dc;
	struct radiation r;
	struct record rec;
	struct st_env env;
	struct st_emp e;
	char what[384];
	int rc;

	if ((rc = admin_load(st, cfg, employer, nir, cause, ref, today, &env,
			     &e, why, whylen)) != 0)
		return rc;
	dc.cfg = cfg;
	dc.emp = env.emp;
	dc.today = today;
	ap_record_of(&e, &rec);
	if (radiation_reopen(&dc, &rec, &r, why, whylen) != 0) {
		st_emp_free(&e);
		return 1;
	}
	snprintf(what, sizeof(what), "portabilité ouverte par l'assureur : "
		 "%.300s", justification);
	rc = st_history(st, &env, e.id, e.status, e.status, what) < 0 ||
	     rad_carry_out(st, &env, &e, &r) < 0 ? -1 : 0;
	st_emp_free(&e);
	return rc;
}

/*
 * store_admin_unemployment_proof - the former employee sent the proof of
 * unemployment benefits; no reminder for it will be sent.
 */
int store_admin_unemployment_proof(struct store *st, const struct cfg *cfg,
				   const char *employer, const char *nir,
				   const char *cause, const char *ref,
				   struct date today, char *why,
				   size_t whylen)
{
	struct record rec;
	struct st_env env;
	struct st_emp e;
	char day[DATE_ISO_SIZE];
	int rc;

	if ((rc = admin_load(st, cfg, employer, nir, cause, ref, today, &env,
			     &e, why, whylen)) != 0)
		return rc;
	ap_record_of(&e, &rec);
	if (proof_check(&rec, why, whylen) != 0)
		rc = 1;
	else
		rc = st_set_col(st, e.id, "preuve_chomage",
				date_format(today, day)) < 0 ||
		     st_deadline_drop(st, e.id, "preuve_chomage") < 0 ||
		     st_history(st, &env, e.id, e.status, e.status,
				"justificatif d'indemnisation chômage reçu")
		     < 0 ? -1 : 0;
	st_emp_free(&e);
	return rc;
}
