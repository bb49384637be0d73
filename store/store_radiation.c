/*
 * store_radiation - the end of an affiliation: RADIATION (now or on the
 * day after a future end date), its ANNULATION, and FIN_PORTABILITE.
 *
 * A radiation is decided once, when the movement is accepted: eligibility
 * to portability from the departure-reason table and the status, the dates
 * from rules/portability.c, the notice to send.  The decision is a small
 * struct that is either carried out at once or stored as JSON in a
 * "radiation" deadline and carried out by the timer on its day, by the same
 * code (rad_carry_out), so both paths write the same record, history and
 * mail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/log.h"
#include "common/util.h"
#include "process/status.h"
#include "rules/portability.h"
#include "store/store_apply.h"

struct rad {
	char to[16];			/* PORTABILITE or RADIE */
	char motif[4];
	char fin_contrat[DATE_ISO_SIZE];
	char droits[DATE_ISO_SIZE];	/* last covered day */
	char p0[DATE_ISO_SIZE], p1[DATE_ISO_SIZE];	/* portability */
	int months;
	int incomplete;			/* radiated before finishing */
	char notice[32];		/* template kind; "" for none */
};

/* flag - the row's portabilite column: 'O', 'N', 0 (empty) or '?' */
static int flag(const struct movement *mv)
{
	const char *v = mv_get(mv, F_PORTABILITE);

	if (v == NULL || *v == '\0')
		return 0;
	if (strcasecmp(v, "O") == 0 || strcasecmp(v, "OUI") == 0)
		return 'O';
	if (strcasecmp(v, "N") == 0 || strcasecmp(v, "NON") == 0)
		return 'N';
	return '?';
}

/* eligible - the departure reason and the row's override: 1, 0 or -1
 * (refused, finding set) */
static int eligible(struct ap *a, const struct cfg_departure_reason *r)
{
	int o = flag(a->mv);

	if (o == '?')
		return -ap_refuse(a, "E185", F_PORTABILITE, "portabilite doit "
				  "valoir O ou N");
	switch (r->portabilite) {
	case CFG_PORTA_OUI:
		if (o == 'N')
			mv_diag(a->mv, "W210", F_PORTABILITE, "portabilite=N "
				"ignorée : le motif %s ouvre droit à la "
				"portabilité, l'employeur ne peut pas y "
				"renoncer", r->code);
		return 1;
	case CFG_PORTA_EXAMEN:
		if (o != 'O')
			return 0;
		if (!mv_has(a->mv, F_JUSTIFICATION))
			return -ap_refuse(a, "E187", F_JUSTIFICATION,
					  "justification obligatoire pour "
					  "ouvrir la portabilité sur le motif "
					  "%s", r->code);
		return 1;
	case CFG_PORTA_NON:
	default:
		if (o == 'O' && r->never_override)
			return -ap_refuse(a, "E186", F_PORTABILITE, "portabilité"
					  " impossible pour le motif %s, quelle"
					  " que soit la justification",
					  r->code);
		if (o == 'O')
			mv_diag(a->mv, "W211", F_PORTABILITE, "portabilite=O "
				"ignorée : le motif %s n'ouvre pas droit à la "
				"portabilité", r->code);
		return 0;
	}
}

/* end_of_month - the last day of d's month */
static struct date end_of_month(struct date d)
{
	d.d = 1;
	return date_add_days(date_add_months(d, 1), -1);
}

/* decide - the radiation the movement asks for; 0, 1 refused, -1 error */
static int decide(struct ap *a, struct rad *r)
{
	const struct cfg *cfg = a->env.cfg;
	const struct cfg_employer *emp = a->ctx->emp;
	const char *motif = mv_get(a->mv, F_MOTIF_RUPTURE);
	const struct cfg_departure_reason *dr;
	const char *start_s;
	struct date end, start, p0, p1;
	int ok, incomplete, next_month;

	memset(r, 0, sizeof(*r));
	if (st_same(motif, "998"))
		return ap_refuse(a, "E181", F_MOTIF_RUPTURE, "motif 998 : un "
				 "transfert sans rupture du contrat n'est pas "
				 "une radiation");
	dr = cfg_departure_reason(cfg, motif);
	if (dr == NULL || date_parse_iso(mv_get(a->mv, F_DATE_FIN_CONTRAT),
					 &end) < 0)
		return ap_refuse(a, "E182", F_MOTIF_RUPTURE, "motif de rupture "
				 "inconnu de la table DSN S21.G00.62.002");
	if ((ok = eligible(a, dr)) < 0)
		return 1;
	incomplete = ap_status_is(a, "EN_COURS", "A_RELANCER", NULL);
	if (ap_status_is(a, "DISPENSE", NULL) || st_same(motif, "066") ||
	    (incomplete && !emp->portability_if_incomplete))
		ok = 0;
	next_month = emp->portability_start == CFG_PSTART_NEXT_MONTH;
	(void)strlcpy_ok(r->motif, motif, sizeof(r->motif));
	date_format(end, r->fin_contrat);
	r->incomplete = incomplete;
	date_format(next_month ? end_of_month(end) : end, r->droits);
	(void)strlcpy_ok(r->to, "RADIE", sizeof(r->to));
	if (ap_status_is(a, "DISPENSE", NULL))
		r->notice[0] = '\0';	/* never covered: nothing to end */
	else if (st_same(motif, "066"))	/* letters to the dependants */
		(void)strlcpy_ok(r->notice, "deces", sizeof(r->notice));
	else if (st_same(motif, "038") || st_same(motif, "039"))
		(void)strlcpy_ok(r->notice, "loi_evin", sizeof(r->notice));
	else
		(void)strlcpy_ok(r->notice, "radiation", sizeof(r->notice));
	if (!ok)
		return 0;

	start_s = mv_has(a->mv, F_DATE_DEBUT_CONTRAT) ?
		mv_get(a->mv, F_DATE_DEBUT_CONTRAT) : a->e.date_embauche;
	if (start_s == NULL || date_parse_iso(start_s, &start) < 0)
		return ap_refuse(a, "E188", F_DATE_DEBUT_CONTRAT, "date de début"
				 " du contrat inconnue : renseignez "
				 "date_debut_contrat pour calculer la "
				 "portabilité");
	if (portability_compute(start, end, cfg->process.portability_max_months,
				next_month, &p0, &p1, &r->months) < 0)
		return ap_refuse(a, "E189", F_DATE_FIN_CONTRAT, "fin de contrat "
				 "antérieure au début du contrat (%s) : "
				 "vérifiez date_debut_contrat", start_s);
	date_format(p0, r->p0);
	date_format(p1, r->p1);
	if (date_cmp(p1, a->env.today) < 0) {
		/* Already over: straight to RADIE, one notice, a warning. */
		char fr[DATE_ISO_SIZE];

		(void)strlcpy_ok(r->droits, r->p1, sizeof(r->droits));
		mv_diag(a->mv, "W212", F_DATE_FIN_CONTRAT, "portabilité déjà "
			"échue le %s : salarié radié directement",
			date_format_fr(p1, fr));
		return 0;
	}
	(void)strlcpy_ok(r->to, "PORTABILITE", sizeof(r->to));
	(void)strlcpy_ok(r->droits, r->p1, sizeof(r->droits));
	(void)strlcpy_ok(r->notice, "radiation_portabilite",
			 sizeof(r->notice));
	return 0;
}

/* rad_json - the decision as the data of a "radiation" deadline (json-c;
 * the same bytes for the same decision, so that a pending one compares) */
static void rad_json(const struct rad *r, char *out, size_t outlen)
{
	const char *const str[][2] = {
		{ "to", r->to }, { "motif", r->motif },
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

/* rad_read - the json_extract() columns of rad_parse into a struct rad */
static void rad_read(sqlite3_stmt *s, void *arg)
{
	struct rad *r = arg;
	char *v[6];
	int i;

	for (i = 0; i < 6; i++)
		v[i] = st_col_dup(s, i);
	(void)strlcpy_ok(r->to, v[0] ? v[0] : "", sizeof(r->to));
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
static int rad_parse(struct store *st, const char *json, struct rad *r)
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
	if (st_one_row(st, s, "radiation data", rad_read, r) != 1 ||
	    (!st_same(r->to, "RADIE") && !st_same(r->to, "PORTABILITE"))) {
		log_err("event=bad_deadline_data kind=radiation");
		return -1;
	}
	return 0;
}

static const char *fr_date(const char *iso, char out[DATE_ISO_SIZE])
{
	struct date d;

	if (iso == NULL || date_parse_iso(iso, &d) < 0) {
		out[0] = '\0';
		return out;
	}
	return date_format_fr(d, out);
}

/* rad_notice - the notice of the decision to the former employee */
static int rad_notice(struct store *st, const struct st_env *env,
		      const struct st_emp *e, const struct rad *r)
{
	char droits[DATE_ISO_SIZE], p0[DATE_ISO_SIZE], p1[DATE_ISO_SIZE];
	char months[16];

	fr_date(r->droits, droits);
	if (st_same(r->notice, "deces"))
		return st_letter_dependants(st, env, e, droits);
	if (r->notice[0] == '\0')
		return 0;
	snprintf(months, sizeof(months), "%d", r->months);
	{
		const char *vars[] = {
			"date_fin_droits", droits,
			"date_debut_portabilite", fr_date(r->p0, p0),
			"date_fin_portabilite", fr_date(r->p1, p1),
			"duree_mois", months, NULL
		};

		return st_notify(st, env, e, r->notice, vars, 1);
	}
}

/* rad_carry_out - the decision applied to the record, now */
static int rad_carry_out(struct store *st, const struct st_env *env,
			 const struct st_emp *e, const struct rad *r)
{
	const char *base = env->emp->base_plan;
	char what[160], day[DATE_ISO_SIZE], hist[32];
	int porta = st_same(r->to, "PORTABILITE");
	int proof_days = env->cfg->process.unemployment_proof_days;
	struct date p0, p1;
	long long h;

	if (st_set_status(st, env, e->id, r->to) < 0 ||
	    st_set_col(st, e->id, "date_fin_contrat", r->fin_contrat) < 0 ||
	    st_set_col(st, e->id, "motif_rupture", r->motif) < 0 ||
	    st_set_col(st, e->id, "date_fin_droits", r->droits) < 0 ||
	    st_set_col(st, e->id, "portabilite_debut", porta ? r->p0 : NULL) < 0 ||
	    st_set_col(st, e->id, "portabilite_fin", porta ? r->p1 : NULL) < 0 ||
	    st_set_col(st, e->id, "radiation_at",
		       date_format(env->today, day)) < 0)
		return -1;
	if (r->incomplete && (st_set_col(st, e->id, "incomplete", "1") < 0 ||
			      (e->option == NULL && base != NULL &&
			       st_set_col(st, e->id, "option", base) < 0)))
		return -1;
	if (st_revoke_token(st, e->id) < 0 ||
	    st_deadline_drop(st, e->id, "relance") < 0 ||
	    st_deadline_drop(st, e->id, "radiation") < 0 ||
	    st_deadline_drop(st, e->id, "preuve_chomage") < 0)
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
	snprintf(what, sizeof(what), "radiation, motif %s, fin de contrat %s%s%s",
		 r->motif, r->fin_contrat, porta ? ", portabilité jusqu'au " :
		 "", porta ? r->p1 : "");
	if ((h = st_history(st, env, e->id, e->status, r->to, what)) < 0)
		return -1;
	snprintf(hist, sizeof(hist), "%lld", h);
	if (st_set_col(st, e->id, "radiation_hist", hist) < 0)
		return -1;
	return rad_notice(st, env, e, r);
}

/* ap_radiation - see the transition table of rules.md */
int ap_radiation(struct ap *a)
{
	char json[512], *pending = NULL, fr[DATE_ISO_SIZE];
	struct date end;
	struct rad r;
	int rc;

	if (a->e.id == 0)
		return ap_unknown(a);
	if (ap_status_is(a, "RADIE", "PORTABILITE", NULL)) {
		if (st_same(a->e.date_fin_contrat,
			 mv_get(a->mv, F_DATE_FIN_CONTRAT)) &&
		    st_same(a->e.motif_rupture, mv_get(a->mv, F_MOTIF_RUPTURE)))
			return ap_already(a, "salarié déjà radié à cette date "
					  "pour ce motif");
		return ap_refuse(a, "E207", F_DATE_FIN_CONTRAT, "salarié déjà "
				 "radié (fin de contrat %s, motif %s) : pour "
				 "corriger, envoyez une ANNULATION puis la "
				 "bonne RADIATION", a->e.date_fin_contrat ?
				 a->e.date_fin_contrat : "?",
				 a->e.motif_rupture ? a->e.motif_rupture : "?");
	}
	if ((rc = decide(a, &r)) != 0)
		return rc;
	rad_json(&r, json, sizeof(json));
	(void)date_parse_iso(r.fin_contrat, &end);
	if (date_cmp(end, a->env.today) < 0)
		return rad_carry_out(a->st, &a->env, &a->e, &r);

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
	    st_deadline_add(a->st, date_add_days(end, 1), "radiation",
			    a->e.id, json) < 0 ||
	    st_history(a->st, &a->env, a->e.id, a->e.status, a->e.status,
		       "radiation programmée") < 0)
		return -1;
	mv_diag(a->mv, "I213", F_DATE_FIN_CONTRAT, "radiation programmée : "
		"appliquée le %s, lendemain de la fin du contrat",
		date_format_fr(date_add_days(end, 1), fr));
	return 0;
}

/* st_radiation_fire - the timer's side of a future-dated radiation */
int st_radiation_fire(struct store *st, const struct st_env *env,
		      const struct st_emp *e, const char *data)
{
	struct rad r;

	struct date end;

	if (rad_parse(st, data, &r) < 0)
		return -1;
	if (st_same(e->status, "RADIE") || st_same(e->status, "PORTABILITE"))
		return 1;
	/* The decision was taken on the status of that day; what changed
	 * since decides now.  A dispensed employee was not covered: no
	 * portability, no notice.  Finished since: no longer incomplete. */
	r.incomplete = st_same(e->status, "EN_COURS") ||
		       st_same(e->status, "A_RELANCER");
	if (st_same(e->status, "DISPENSE") && date_parse_iso(r.fin_contrat,
							  &end) == 0) {
		(void)strlcpy_ok(r.to, "RADIE", sizeof(r.to));
		r.notice[0] = '\0';
		r.p0[0] = r.p1[0] = '\0';
		r.months = 0;
		date_format(env->emp->portability_start ==
			    CFG_PSTART_NEXT_MONTH ? end_of_month(end) : end,
			    r.droits);
	}
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

/* ap_annulation - cancel the last radiation, within the correction window */
int ap_annulation(struct ap *a)
{
	char *pending = NULL, fr[DATE_ISO_SIZE];
	char *prev;
	struct date at;
	long long last;
	int rc;

	if (a->e.id == 0)
		return ap_unknown(a);
	if (!st_same(mv_get(a->mv, F_OPERATION_ANNULEE), "RADIATION"))
		return ap_refuse(a, "E290", F_OPERATION_ANNULEE, "seule une "
				 "RADIATION peut être annulée");
	if ((rc = st_deadline_pending(a->st, a->e.id, "radiation",
				      &pending)) < 0)
		return -1;
	free(pending);
	if (rc == 1)
		return st_deadline_drop(a->st, a->e.id, "radiation") < 0 ||
		       st_history(a->st, &a->env, a->e.id, a->e.status,
				  a->e.status, "radiation programmée "
				  "annulée") < 0 ? -1 : 0;
	if (!ap_status_is(a, "RADIE", "PORTABILITE", NULL) ||
	    a->e.radiation_at == NULL || a->e.prev_status == NULL ||
	    st_same(a->e.prev_status, "RADIE") ||
	    st_same(a->e.prev_status, "PORTABILITE"))
		return ap_refuse(a, "E291", F_OPERATION_ANNULEE, "aucune "
				 "radiation à annuler pour ce salarié");
	if (date_parse_iso(a->e.radiation_at, &at) < 0 ||
	    date_cmp(date_add_days(at, a->env.cfg->process.correction_days),
		     a->env.today) < 0)
		return ap_refuse(a, "E292", F_OPERATION_ANNULEE, "délai de "
				 "correction dépassé : radiation enregistrée "
				 "le %s, annulable %d jours",
				 date_format_fr(at, fr),
				 a->env.cfg->process.correction_days);
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
	if (rc == 0 && (st_same(prev, "EN_COURS") || st_same(prev, "A_RELANCER"))) {
		/* The link was revoked at the radiation: a fresh one. */
		rc = ap_reload(a) < 0 ||
		     st_invite(a->st, &a->env, &a->e, "relance") < 0 ? -1 : 0;
		if (rc == 0 && st_same(prev, "EN_COURS") && a->e.invited_on &&
		    date_parse_iso(a->e.invited_on, &at) == 0)
			rc = st_deadline_add(a->st, date_add_days(at,
				a->env.cfg->process.reminder_after_days),
				"relance", a->e.id, NULL);
	}
	free(prev);
	return rc;
}

/* ap_fin_portabilite - PORTABILITE → RADIE before its computed end */
int ap_fin_portabilite(struct ap *a)
{
	static const char *const motifs[] = {
		"REPRISE_EMPLOI", "FIN_INDEMNISATION", "RETRAITE", "DECES",
	};
	const char *motif = mv_get(a->mv, F_MOTIF_FIN);
	char day[DATE_ISO_SIZE], fr[DATE_ISO_SIZE], what[128];
	struct date ev, debut, droits, fin;
	size_t i;

	if (a->e.id == 0)
		return ap_unknown(a);
	for (i = 0; i < NELEM(motifs); i++)
		if (st_same(motif, motifs[i]))
			break;
	if (i == NELEM(motifs))
		return ap_refuse(a, "E294", F_MOTIF_FIN, "motif de fin « %.40s »"
				 " inconnu : REPRISE_EMPLOI, FIN_INDEMNISATION,"
				 " RETRAITE ou DECES", motif);
	if (ap_status_is(a, "RADIE", NULL) &&
	    st_same(a->e.portabilite_motif_fin, motif))
		return ap_already(a, "portabilité déjà terminée pour ce motif");
	if (!ap_status_is(a, "PORTABILITE", NULL))
		return ap_refuse(a, "E201", F_OPERATION, "FIN_PORTABILITE "
				 "impossible : le salarié est %s (%s), pas en "
				 "portabilité", status_label_name(a->e.status),
				 a->e.status);
	if (date_parse_iso(mv_get(a->mv, F_DATE_EVENEMENT), &ev) < 0 ||
	    a->e.portabilite_debut == NULL ||
	    date_parse_iso(a->e.portabilite_debut, &debut) < 0 ||
	    date_cmp(ev, debut) < 0)
		return ap_refuse(a, "E295", F_DATE_EVENEMENT, "date d'événement "
				 "antérieure au début de la portabilité (%s)",
				 fr_date(a->e.portabilite_debut, fr));
	droits = date_add_days(ev, -1);
	if (a->e.portabilite_fin &&
	    date_parse_iso(a->e.portabilite_fin, &fin) == 0 &&
	    date_cmp(fin, droits) < 0)
		droits = fin;
	date_format(droits, day);
	snprintf(what, sizeof(what), "fin de portabilité : %s, droits "
		 "jusqu'au %s", motif, day);
	if (st_set_status(a->st, &a->env, a->e.id, "RADIE") < 0 ||
	    st_set_col(a->st, a->e.id, "date_fin_droits", day) < 0 ||
	    st_set_col(a->st, a->e.id, "portabilite_motif_fin", motif) < 0 ||
	    st_deadline_drop(a->st, a->e.id, "fin_portabilite") < 0 ||
	    st_history(a->st, &a->env, a->e.id, "PORTABILITE", "RADIE",
		       what) < 0)
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
 * admin_load - the environment of an affilctl change (cause "admin", ref
 * the user) and the employee it names: 0 loaded, 1 refused (why), -1 error
 */
static int admin_load(struct store *st, const struct cfg *cfg,
		      const char *employer, const char *nir, const char *user,
		      struct date today, struct st_env *env, struct st_emp *e,
		      char *why, size_t whylen)
{
	memset(env, 0, sizeof(*env));
	env->cfg = cfg;
	env->emp = cfg_employer(cfg, employer);
	env->today = today;
	env->cause = "admin";
	snprintf(env->ref, sizeof(env->ref), "%s", user);
	if (env->emp == NULL) {
		snprintf(why, whylen, "unknown employer %s", employer);
		return 1;
	}
	if (st_emp_load(st, employer, nir, e) < 0)
		return -1;
	if (e->id != 0)
		return 0;
	snprintf(why, whylen, "no employee with this NIR at %s", employer);
	st_emp_free(e);
	return 1;
}

/*
 * store_admin_portability - an admin opens portability after the former
 * employee proved unemployment benefits on an `examen` reason (a démission
 * légitime): RADIE → PORTABILITE with the dates of the radiation.
 */
int store_admin_portability(struct store *st, const struct cfg *cfg,
			    const char *employer, const char *nir,
			    const char *user, const char *justification,
			    struct date today, char *why, size_t whylen)
{
	const struct cfg_departure_reason *dr;
	struct st_env env;
	struct st_emp e;
	struct date start, end, p0, p1;
	struct rad r;
	char what[384];
	int rc = 1;

	if ((rc = admin_load(st, cfg, employer, nir, user, today, &env, &e,
			     why, whylen)) != 0)
		return rc;
	rc = 1;
	dr = e.motif_rupture ? cfg_departure_reason(cfg, e.motif_rupture) :
	     NULL;
	if (!st_same(e.status, "RADIE") || e.date_fin_contrat == NULL ||
		 dr == NULL)
		snprintf(why, whylen, "the employee is %s, not radiated",
			 e.status);
	else if (dr->portabilite != CFG_PORTA_EXAMEN ||
		 st_same(e.motif_rupture, "066"))
		snprintf(why, whylen, "departure reason %s is not one to "
			 "examine: portability cannot be opened",
			 e.motif_rupture);
	else if (e.date_embauche == NULL ||
		 date_parse_iso(e.date_embauche, &start) < 0 ||
		 date_parse_iso(e.date_fin_contrat, &end) < 0 ||
		 portability_compute(start, end,
				     cfg->process.portability_max_months,
				     env.emp->portability_start ==
				     CFG_PSTART_NEXT_MONTH, &p0, &p1,
				     &r.months) < 0)
		snprintf(why, whylen, "no contract start on record to compute "
			 "the portability");
	else if (date_cmp(p1, today) < 0)
		snprintf(why, whylen, "the portability would have ended on "
			 "%04d-%02d-%02d", p1.y, p1.m, p1.d);
	else
		rc = 0;
	if (rc != 0) {
		st_emp_free(&e);
		return rc;
	}
	{
		int months = r.months;

		memset(&r, 0, sizeof(r));
		r.months = months;
	}
	(void)strlcpy_ok(r.to, "PORTABILITE", sizeof(r.to));
	(void)strlcpy_ok(r.motif, e.motif_rupture, sizeof(r.motif));
	(void)strlcpy_ok(r.fin_contrat, e.date_fin_contrat,
			 sizeof(r.fin_contrat));
	date_format(p0, r.p0);
	date_format(p1, r.p1);
	(void)strlcpy_ok(r.droits, r.p1, sizeof(r.droits));
	(void)strlcpy_ok(r.notice, "radiation_portabilite", sizeof(r.notice));
	snprintf(what, sizeof(what), "portabilité ouverte par l'assureur : "
		 "%.300s", justification);
	rc = st_history(st, &env, e.id, "RADIE", "RADIE", what) < 0 ||
	     rad_carry_out(st, &env, &e, &r) < 0 ? -1 : 0;
	st_emp_free(&e);
	return rc;
}

/*
 * store_admin_unemployment_proof - affilctl: the former employee sent the
 * proof of unemployment benefits; no reminder for it will be sent.
 */
int store_admin_unemployment_proof(struct store *st, const struct cfg *cfg,
				   const char *employer, const char *nir,
				   const char *user, struct date today,
				   char *why, size_t whylen)
{
	struct st_env env;
	struct st_emp e;
	char day[DATE_ISO_SIZE];
	int rc = 1;

	if ((rc = admin_load(st, cfg, employer, nir, user, today, &env, &e,
			     why, whylen)) != 0)
		return rc;
	rc = 1;
	if (!st_same(e.status, "PORTABILITE"))
		snprintf(why, whylen, "the employee is %s, not in portability",
			 e.status);
	else
		rc = 0;
	if (rc == 0)
		rc = st_set_col(st, e.id, "preuve_chomage",
				date_format(today, day)) < 0 ||
		     st_deadline_drop(st, e.id, "preuve_chomage") < 0 ||
		     st_history(st, &env, e.id, e.status, e.status,
				"justificatif d'indemnisation chômage reçu")
		     < 0 ? -1 : 0;
	st_emp_free(&e);
	return rc;
}
