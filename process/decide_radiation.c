/*
 * decide_radiation - what a RADIATION does (decide.h), decided once when
 * the movement is accepted: eligibility to portability from the departure
 * reason's table and the status, the dates from rules/portability.c, the
 * notice.  The store carries the decision out now, or holds it for its day
 * and hands it back to radiation_on_day() then.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "process/decide.h"
#include "rules/portability.h"

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
static int eligible(struct movement *mv, const struct cfg_departure_reason *r)
{
	int o = flag(mv);

	if (o == '?') {
		mv_diag(mv, "E185", F_PORTABILITE, "portabilite doit valoir O "
			"ou N");
		return -1;
	}
	switch (r->portabilite) {
	case CFG_PORTA_OUI:
		if (o == 'N')
			mv_diag(mv, "W210", F_PORTABILITE, "portabilite=N "
				"ignorée : le motif %s ouvre droit à la "
				"portabilité, l'employeur ne peut pas y "
				"renoncer", r->code);
		return 1;
	case CFG_PORTA_EXAMEN:
		if (o != 'O')
			return 0;
		if (!mv_has(mv, F_JUSTIFICATION)) {
			mv_diag(mv, "E187", F_JUSTIFICATION, "justification "
				"obligatoire pour ouvrir la portabilité sur le "
				"motif %s", r->code);
			return -1;
		}
		return 1;
	case CFG_PORTA_NON:
	default:
		if (o == 'O' && r->never_override) {
			mv_diag(mv, "E186", F_PORTABILITE, "portabilité "
				"impossible pour le motif %s, quelle que soit la "
				"justification", r->code);
			return -1;
		}
		if (o == 'O')
			mv_diag(mv, "W211", F_PORTABILITE, "portabilite=O "
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

/* rights_end - the last covered day for a contract ending on end */
static void rights_end(const struct cfg_employer *emp, struct date end,
		       char out[DATE_ISO_SIZE])
{
	date_format(emp->portability_start == CFG_PSTART_NEXT_MONTH ?
		    end_of_month(end) : end, out);
}

/* notice - the notice of a radiation without portability */
static void notice(struct radiation *rad, enum status from,
		   const char *motif)
{
	const char *kind = "radiation";

	if (from == STATUS_DISPENSE)
		kind = "";		/* never covered: nothing to end */
	else if (str_same(motif, "066"))	/* letters to the dependants */
		kind = "deces";
	else if (str_same(motif, "038") || str_same(motif, "039"))
		kind = "loi_evin";
	(void)strlcpy_ok(rad->notice, kind, sizeof(rad->notice));
}

/* portability - the dates of an eligible radiation; 0, 1 refused */
static int portability(const struct decide_ctx *c, const struct record *r,
		       struct movement *mv, struct date end,
		       struct radiation *rad)
{
	const char *start_s = mv_has(mv, F_DATE_DEBUT_CONTRAT) ?
		mv_get(mv, F_DATE_DEBUT_CONTRAT) : r->person[F_DATE_EMBAUCHE];
	struct date start, p0, p1;
	char fr[DATE_ISO_SIZE];

	if (start_s == NULL || date_parse_iso(start_s, &start) < 0) {
		mv_diag(mv, "E188", F_DATE_DEBUT_CONTRAT, "date de début du "
			"contrat inconnue : renseignez date_debut_contrat pour "
			"calculer la portabilité");
		return 1;
	}
	if (portability_compute(start, end,
				c->cfg->process.portability_max_months,
				c->emp->portability_start ==
				CFG_PSTART_NEXT_MONTH, &p0, &p1,
				&rad->months) < 0) {
		mv_diag(mv, "E189", F_DATE_FIN_CONTRAT, "fin de contrat "
			"antérieure au début du contrat (%s) : vérifiez "
			"date_debut_contrat", start_s);
		return 1;
	}
	date_format(p0, rad->p0);
	date_format(p1, rad->p1);
	(void)strlcpy_ok(rad->droits, rad->p1, sizeof(rad->droits));
	if (date_cmp(p1, c->today) < 0) {
		/* Already over: straight to RADIE, one notice, a warning. */
		mv_diag(mv, "W212", F_DATE_FIN_CONTRAT, "portabilité déjà "
			"échue le %s : salarié radié directement",
			date_format_fr(p1, fr));
		return 0;
	}
	rad->to = STATUS_PORTABILITE;
	(void)strlcpy_ok(rad->notice, "radiation_portabilite",
			 sizeof(rad->notice));
	return 0;
}

int radiation_decide(const struct decide_ctx *c, const struct record *r,
		     struct movement *mv, struct radiation *out)
{
	const char *motif = mv_get(mv, F_MOTIF_RUPTURE);
	const struct cfg_departure_reason *dr;
	struct date end;
	int ok, incomplete;

	memset(out, 0, sizeof(*out));
	if (str_same(motif, "998")) {
		mv_diag(mv, "E181", F_MOTIF_RUPTURE, "motif 998 : un transfert "
			"sans rupture du contrat n'est pas une radiation");
		return 1;
	}
	dr = cfg_departure_reason(c->cfg, motif);
	if (dr == NULL || date_parse_iso(mv_get(mv, F_DATE_FIN_CONTRAT),
					 &end) < 0) {
		mv_diag(mv, "E182", F_MOTIF_RUPTURE, "motif de rupture inconnu "
			"de la table DSN S21.G00.62.002");
		return 1;
	}
	if ((ok = eligible(mv, dr)) < 0)
		return 1;
	incomplete = status_is(r->status, STATUS_AWAITING);
	if (r->status == STATUS_DISPENSE || str_same(motif, "066") ||
	    (incomplete && !c->emp->portability_if_incomplete))
		ok = 0;
	(void)strlcpy_ok(out->motif, motif, sizeof(out->motif));
	date_format(end, out->fin_contrat);
	out->incomplete = incomplete;
	rights_end(c->emp, end, out->droits);
	out->to = STATUS_RADIE;
	notice(out, r->status, motif);
	return ok ? portability(c, r, mv, end, out) : 0;
}

int radiation_held(const struct radiation *rad, struct date today,
		   struct date *due)
{
	struct date end;

	if (date_parse_iso(rad->fin_contrat, &end) < 0 ||
	    date_cmp(end, today) < 0)
		return 0;
	*due = date_add_days(end, 1);
	return 1;
}

int radiation_on_day(struct radiation *rad, enum status now,
		     const struct cfg_employer *emp)
{
	struct date end;

	if (status_is(now, STATUS_FORMER))
		return 1;
	/* The decision was taken on the status of that day; what changed
	 * since decides now.  A dispensed employee was not covered: no
	 * portability, no notice.  Finished since: no longer incomplete. */
	rad->incomplete = status_is(now, STATUS_AWAITING);
	if (now == STATUS_DISPENSE &&
	    date_parse_iso(rad->fin_contrat, &end) == 0) {
		rad->to = STATUS_RADIE;
		rad->notice[0] = '\0';
		rad->p0[0] = rad->p1[0] = '\0';
		rad->months = 0;
		rights_end(emp, end, rad->droits);
	}
	return 0;
}

int radiation_portability(const struct radiation *rad)
{
	return rad->to == STATUS_PORTABILITE;
}

int radiation_reopen(const struct decide_ctx *c, const struct record *r,
		     struct radiation *out, char *why, size_t whylen)
{
	const struct cfg_departure_reason *dr = r->motif_rupture ?
		cfg_departure_reason(c->cfg, r->motif_rupture) : NULL;
	struct date start, end, p0, p1;
	int months = 0;

	if (r->status != STATUS_RADIE || r->date_fin_contrat == NULL ||
	    dr == NULL) {
		snprintf(why, whylen, "salarié %s, pas radié : la "
			 "portabilité ne s'ouvre qu'après une radiation",
			 status_name(r->status));
		return 1;
	}
	if (dr->portabilite != CFG_PORTA_EXAMEN ||
	    str_same(r->motif_rupture, "066")) {
		snprintf(why, whylen, "motif de rupture %s : pas un motif à "
			 "examiner, la portabilité ne peut pas être ouverte",
			 r->motif_rupture);
		return 1;
	}
	if (r->person[F_DATE_EMBAUCHE] == NULL ||
	    date_parse_iso(r->person[F_DATE_EMBAUCHE], &start) < 0 ||
	    date_parse_iso(r->date_fin_contrat, &end) < 0 ||
	    portability_compute(start, end,
				c->cfg->process.portability_max_months,
				c->emp->portability_start ==
				CFG_PSTART_NEXT_MONTH, &p0, &p1, &months) < 0) {
		snprintf(why, whylen, "aucun début de contrat connu pour "
			 "calculer la portabilité");
		return 1;
	}
	if (date_cmp(p1, c->today) < 0) {
		snprintf(why, whylen, "la portabilité aurait pris fin le "
			 "%02d/%02d/%04d", p1.d, p1.m, p1.y);
		return 1;
	}
	memset(out, 0, sizeof(*out));
	out->to = STATUS_PORTABILITE;
	out->months = months;
	(void)strlcpy_ok(out->motif, r->motif_rupture, sizeof(out->motif));
	(void)strlcpy_ok(out->fin_contrat, r->date_fin_contrat,
			 sizeof(out->fin_contrat));
	date_format(p0, out->p0);
	date_format(p1, out->p1);
	(void)strlcpy_ok(out->droits, out->p1, sizeof(out->droits));
	(void)strlcpy_ok(out->notice, "radiation_portabilite",
			 sizeof(out->notice));
	return 0;
}
