/*
 * handle_radiation - the end of an affiliation: RADIATION (now, or held
 * for the day after a future end date and carried out on that day), its
 * ANNULATION, FIN_PORTABILITE, and the insurer's changes after a
 * radiation (OUVERTURE_PORTABILITE, PREUVE_CHOMAGE).
 *
 * A radiation is decided once, when the movement is accepted
 * (decide_radiation.c): a struct radiation either carried out at once or
 * kept as JSON in a "radiation" deadline and carried out by the timer on
 * its day, by the same radiation_change(), so both paths write the same
 * record, history and mail.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common/util.h"
#include "process/handle.h"

/* ---- the decision as data ------------------------------------------- */

int radiation_json(const struct radiation *r, char *out, size_t outlen)
{
	const char *const str[][2] = {
		{ "to", status_name(r->to) }, { "motif", r->motif },
		{ "fin_contrat", r->fin_contrat }, { "droits", r->droits },
		{ "p0", r->p0 }, { "p1", r->p1 },
	};
	json_object *o = json_object_new_object();
	size_t i;
	int rc;

	for (i = 0; i < NELEM(str); i++)
		json_object_object_add(o, str[i][0],
				       json_object_new_string(str[i][1]));
	json_object_object_add(o, "mois", json_object_new_int(r->months));
	json_object_object_add(o, "incomplete",
			       json_object_new_int(r->incomplete));
	json_object_object_add(o, "notice", json_object_new_string(r->notice));
	rc = strlcpy_ok(out, json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			outlen);
	json_object_put(o);
	return rc;
}

/* text - a string member into out ("" when absent) */
static void text(json_object *o, const char *key, char *out, size_t outlen)
{
	json_object *v;

	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		(void)strlcpy_ok(out, json_object_get_string(v), outlen);
	else
		out[0] = '\0';
}

int radiation_parse(const char *json, struct radiation *r)
{
	json_object *o = json ? json_tokener_parse(json) : NULL, *v;
	char to[32];

	memset(r, 0, sizeof(*r));
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
	text(o, "to", to, sizeof(to));
	r->to = status_from_name(to);
	text(o, "motif", r->motif, sizeof(r->motif));
	text(o, "fin_contrat", r->fin_contrat, sizeof(r->fin_contrat));
	text(o, "droits", r->droits, sizeof(r->droits));
	text(o, "p0", r->p0, sizeof(r->p0));
	text(o, "p1", r->p1, sizeof(r->p1));
	text(o, "notice", r->notice, sizeof(r->notice));
	if (json_object_object_get_ex(o, "mois", &v))
		r->months = json_object_get_int(v);
	if (json_object_object_get_ex(o, "incomplete", &v))
		r->incomplete = json_object_get_int(v);
	json_object_put(o);
	/* A radiation leads out of employment (RADIE or PORTABILITE). */
	return status_is(r->to, STATUS_FORMER) ? 0 : -1;
}

/* ---- carried out ---------------------------------------------------- */

/* rad_notice - the notice of the decision to the former employee, or the
 * loi Evin letters to the dependants after a death */
static void rad_notice(struct change *c, const struct radiation *rad)
{
	char droits[DATE_ISO_SIZE], p0[DATE_ISO_SIZE], p1[DATE_ISO_SIZE];
	struct change_notice *n;

	date_iso_fr(rad->droits, droits);
	if (strcmp(rad->notice, "deces") == 0) {
		n = change_notice(c, NOTICE_LOI_EVIN_AYANTS_DROIT,
				  RCPT_DEPENDANTS);
		change_var(c, n, "date_fin_droits", droits);
		return;
	}
	if (rad->notice[0] == '\0')
		return;
	n = change_notice(c, notice_from_name(rad->notice), RCPT_DEPARTURE);
	change_var(c, n, "date_fin_droits", droits);
	change_var(c, n, "date_debut_portabilite", date_iso_fr(rad->p0, p0));
	change_var(c, n, "date_fin_portabilite", date_iso_fr(rad->p1, p1));
	change_var(c, n, "duree_mois", change_strf(c, "%d", rad->months));
}

void radiation_change(const struct decide_ctx *dc, const struct record *r,
		      const struct radiation *rad, struct change *c)
{
	int porta = radiation_portability(rad);
	int proof_days = dc->cfg->process.unemployment_proof_days;
	struct date p0, p1;

	change_hist(c, r->status, rad->to, change_strf(c,
		"radiation, motif %s, fin de contrat %s%s%s", rad->motif,
		rad->fin_contrat, porta ? ", portabilité jusqu'au " : "",
		porta ? rad->p1 : ""));
	c->radiated = 1;
	c->rad = *rad;
	if (porta && date_parse_iso(rad->p1, &p1) == 0)
		change_due(c, DL_FIN_PORTABILITE, date_add_days(p1, 1), NULL);
	if (porta && proof_days > 0 && r->preuve_chomage == NULL &&
	    date_parse_iso(rad->p0, &p0) == 0)
		change_due(c, DL_PREUVE_CHOMAGE, date_add_days(p0, proof_days),
			   NULL);
	rad_notice(c, rad);
}

int handle_radiation(const struct handle *h, struct change *c)
{
	char json[512], pending[512], fr[DATE_ISO_SIZE];
	struct radiation rad;
	struct date due;
	int rc;

	if (radiation_decide(h->dc, h->r, h->mv, &rad) != 0)
		return 1;
	if (!radiation_held(&rad, h->dc->today, &due)) {
		radiation_change(h->dc, h->r, &rad, c);
		return 0;
	}
	if (radiation_json(&rad, json, sizeof(json)) < 0)
		return -1;

	/* A future end: held as a deadline for the day after it. */
	if ((rc = h->f->radiation_held(h->f->arg, pending,
				       sizeof(pending))) < 0)
		return -1;
	if (rc == 1 && strcmp(pending, json) == 0) {
		transition_already(h->mv, "radiation déjà programmée");
		return 0;
	}
	c->drop |= DL_BIT(DL_RADIATION);
	change_due(c, DL_RADIATION, due, json);
	change_hist(c, h->r->status, h->r->status, "radiation programmée");
	mv_diag(h->mv, "I213", F_DATE_FIN_CONTRAT, "radiation programmée : "
		"appliquée le %s, lendemain de la fin du contrat",
		date_format_fr(due, fr));
	return 0;
}

int radiation_fire_change(const struct decide_ctx *dc,
			  const struct record *r, const char *data,
			  struct change *c)
{
	struct radiation rad;

	change_init(c);
	if (radiation_parse(data, &rad) < 0)
		return -1;
	if (radiation_on_day(&rad, r->status, dc->emp))
		return 1;
	radiation_change(dc, r, &rad, c);
	return 0;
}

/* ---- undone --------------------------------------------------------- */

/* clear_radiation - the record as before the radiation */
static void clear_radiation(struct change *c)
{
	static const char *const cols[] = {
		"date_fin_contrat", "motif_rupture", "date_fin_droits",
		"portabilite_debut", "portabilite_fin", "radiation_at",
		"radiation_hist", "portabilite_motif_fin",
	};
	size_t i;

	for (i = 0; i < NELEM(cols); i++)
		change_set(c, cols[i], NULL);
	change_set(c, "incomplete", "0");
	c->drop |= DL_BIT(DL_FIN_PORTABILITE) | DL_BIT(DL_PREUVE_CHOMAGE);
}

/* handle_annulation - cancel a radiation held for a future date, or the
 * last one, within the correction window (decide.c) */
int handle_annulation(const struct handle *h, struct change *c)
{
	const struct record *r = h->r;
	enum status before = r->prev_status;
	char pending[512];
	long long last;
	struct date at;
	int rc;

	if ((rc = h->f->radiation_held(h->f->arg, pending,
				       sizeof(pending))) < 0)
		return -1;
	if (rc == 1) {
		c->drop |= DL_BIT(DL_RADIATION);
		change_hist(c, r->status, r->status, "radiation programmée "
			    "annulée");
		return 0;
	}
	if (annulation_check(h->dc, r, h->mv) != 0)
		return 1;
	if ((last = h->f->last_history(h->f->arg)) < 0)
		return -1;
	if (last != r->radiation_hist) {
		mv_diag(h->mv, "E293", F_OPERATION_ANNULEE, "le dossier a "
			"changé depuis la radiation : annulation impossible "
			"par fichier, contactez l'assureur");
		return 1;
	}
	clear_radiation(c);
	c->to = before;
	change_hist(c, r->status, before, "radiation annulée");
	if (status_is(before, STATUS_AWAITING)) {
		/* The link was revoked at the radiation: a fresh one. */
		c->invite = NOTICE_RELANCE;
		if (status_is(before, STATUS_REMINDER) && r->invited_on &&
		    date_parse_iso(r->invited_on, &at) == 0)
			change_due(c, DL_RELANCE, date_add_days(at,
				h->dc->cfg->process.reminder_after_days),
				NULL);
	}
	return 0;
}

/* handle_fin_portabilite - the portability ends before its computed end */
int handle_fin_portabilite(const struct handle *h, struct change *c)
{
	const char *motif = mv_get(h->mv, F_MOTIF_FIN);
	char day[DATE_ISO_SIZE], fr[DATE_ISO_SIZE];
	struct change_notice *n;
	struct date droits;

	if (fin_portabilite_rights(h->r, h->mv, &droits) != 0)
		return 1;
	date_format(droits, day);
	c->to = handle_target(h);
	change_set(c, "date_fin_droits", day);
	change_set(c, "portabilite_motif_fin", motif);
	c->drop |= DL_BIT(DL_FIN_PORTABILITE);
	change_hist(c, h->r->status, c->to, change_strf(c, "fin de "
		    "portabilité : %s, droits jusqu'au %s", motif, day));
	date_format_fr(droits, fr);
	if (motif && strcmp(motif, "DECES") == 0)
		n = change_notice(c, NOTICE_LOI_EVIN_AYANTS_DROIT,
				  RCPT_DEPENDANTS);
	else
		n = change_notice(c, NOTICE_FIN_PORTABILITE, RCPT_DEPARTURE);
	change_var(c, n, "date_fin_droits", fr);
	return 0;
}

/* ---- the insurer's changes (admin drop) ----------------------------- */

int admin_portability_change(const struct decide_ctx *dc,
			     const struct record *r,
			     const char *justification, struct change *c,
			     char *why, size_t whylen)
{
	struct radiation rad;

	change_init(c);
	if (radiation_reopen(dc, r, &rad, why, whylen) != 0)
		return 1;
	change_hist(c, r->status, r->status, change_strf(c, "portabilité "
		    "ouverte par l'assureur : %.300s", justification));
	radiation_change(dc, r, &rad, c);
	return 0;
}

int admin_proof_change(const struct decide_ctx *dc, const struct record *r,
		       struct change *c, char *why, size_t whylen)
{
	change_init(c);
	if (proof_check(r, why, whylen) != 0)
		return 1;
	change_set(c, "preuve_chomage", change_date(c, dc->today));
	c->drop |= DL_BIT(DL_PREUVE_CHOMAGE);
	change_hist(c, r->status, r->status, "justificatif d'indemnisation "
		    "chômage reçu");
	return 0;
}
