/*
 * store_radiation - the end of an affiliation as the store writes it: the
 * columns of a radiation carried out (one statement, for files of
 * thousands of radiations), and the insurer's changes after a radiation.  What a
 * radiation does is process/handle_radiation.c's.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "store/store_apply.h"

/*
 * st_rad_write - the record of a radiation carried out, in one statement:
 * the status, the end data, the flag of an incomplete affiliation (and the
 * base plan it falls back to), the link revoked and both deadline columns
 * cleared, and the history row of the decision (hist); and the radiation
 * and proof deadlines it makes moot cancelled in one more.
 */
int st_rad_write(struct store *st, const struct st_env *env,
		 const struct st_emp *e, const struct radiation *r,
		 long long hist)
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
	struct db_stmt *s = st_stmt(st, sql);
	int porta = radiation_portability(r);
	char now[32], day[DATE_ISO_SIZE];

	if (s == NULL)
		return -1;
	st_now(now);
	st_text(s, 1, status_name(r->to));
	st_text(s, 2, date_format(env->today, day));
	st_text(s, 3, now);
	st_text(s, 4, r->fin_contrat);
	st_text(s, 5, r->motif);
	st_text(s, 6, r->droits);
	st_text(s, 7, porta ? r->p0 : NULL);
	st_text(s, 8, porta ? r->p1 : NULL);
	db_bind_int(s, 9, r->incomplete);
	st_text(s, 10, env->emp->base_plan);
	db_bind_int64(s, 11, hist);
	db_bind_int64(s, 12, e->id);
	if (st_done(st, s) < 0 || (s = st_stmt(st, drop)) == NULL)
		return -1;
	db_bind_int64(s, 1, e->id);
	st_text(s, 2, now);
	return st_done(st, s);
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
 * légitime): RADIE -> PORTABILITE with the dates of the radiation
 * (radiation_reopen() decides).
 */
int store_admin_portability(struct store *st, const struct cfg *cfg,
			    const char *employer, const char *nir,
			    const char *cause, const char *ref,
			    const char *justification, struct date today,
			    char *why, size_t whylen)
{
	struct decide_ctx dc;
	struct record rec;
	struct st_env env;
	struct st_emp e;
	struct change c;
	int rc;

	if ((rc = admin_load(st, cfg, employer, nir, cause, ref, today, &env,
			     &e, why, whylen)) != 0)
		return rc;
	st_decide_ctx(&env, &dc);
	st_emp_record(&e, &rec);
	rc = admin_portability_change(&dc, &rec, justification, &c, why,
				      whylen);
	if (rc == 0)
		rc = st_change_write(st, &env, &e, NULL, &c);
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
	struct decide_ctx dc;
	struct record rec;
	struct st_env env;
	struct st_emp e;
	struct change c;
	int rc;

	if ((rc = admin_load(st, cfg, employer, nir, cause, ref, today, &env,
			     &e, why, whylen)) != 0)
		return rc;
	st_decide_ctx(&env, &dc);
	st_emp_record(&e, &rec);
	rc = admin_proof_change(&dc, &rec, &c, why, whylen);
	if (rc == 0)
		rc = st_change_write(st, &env, &e, NULL, &c);
	st_emp_free(&e);
	return rc;
}
