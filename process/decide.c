/*
 * decide - the pure decisions of DISPENSE, ANNULATION, FIN_PORTABILITE and
 * affilctl's proof of unemployment benefits (decide.h).
 */
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "process/decide.h"

/* contract_allows - a facultative reason the employer's contract lists */
static int contract_allows(const struct cfg_employer *emp, const char *code)
{
	size_t i;

	for (i = 0; i < emp->nallowed_dispenses; i++)
		if (str_same(emp->allowed_dispenses[i], code))
			return 1;
	return 0;
}

const struct cfg_dispense_reason *dispense_reason_check(
	const struct decide_ctx *c, struct movement *mv)
{
	const char *code = mv_get(mv, F_MOTIF_DISPENSE);
	const struct cfg_dispense_reason *r = cfg_dispense_reason(c->cfg,
								  code);

	if (r == NULL) {
		mv_diag(mv, "E260", F_MOTIF_DISPENSE, "motif de dispense "
			"« %.40s » inconnu (voir la table des dispenses)",
			code);
		return NULL;
	}
	if (r->type == CFG_DISP_FACULTATIVE &&
	    !contract_allows(c->emp, r->code)) {
		mv_diag(mv, "E261", F_MOTIF_DISPENSE, "dispense facultative %s "
			"non prévue par le contrat de cet employeur", r->code);
		return NULL;
	}
	if (r->evidence_required && !mv_has(mv, F_JUSTIFICATIF)) {
		mv_diag(mv, "E262", F_JUSTIFICATIF, "justificatif obligatoire "
			"pour la dispense %s : indiquez la référence du "
			"document conservé", r->code);
		return NULL;
	}
	if (r->end == CFG_DISP_END_REQUIRED &&
	    !mv_has(mv, F_DATE_FIN_DISPENSE)) {
		mv_diag(mv, "E263", F_DATE_FIN_DISPENSE, "date de fin de "
			"dispense obligatoire pour le motif %s", r->code);
		return NULL;
	}
	return r;
}

int dispense_end(const struct cfg_dispense_reason *r,
		 const struct movement *mv, struct date today,
		 struct date *end)
{
	struct date asked;

	if (r->end == CFG_DISP_END_NONE)
		return 0;
	if (mv_has(mv, F_DATE_FIN_DISPENSE))
		return date_parse_iso(mv_get(mv, F_DATE_FIN_DISPENSE),
				      end) == 0;
	if (date_parse_iso(mv_get(mv, F_DATE_DEMANDE), &asked) < 0)
		asked = today;
	*end = date_add_months(asked, 12);
	return 1;
}

int annulation_check(const struct decide_ctx *c, const struct record *r,
		     struct movement *mv)
{
	int days = c->cfg->process.correction_days;
	struct date at = { 0, 0, 0 };
	char fr[DATE_ISO_SIZE];

	/* A radiation is in effect, and what it ended can come back. */
	if (!status_is(r->status, STATUS_FORMER) || r->radiation_at == NULL ||
	    r->prev_status == STATUS_NONE ||
	    status_is(r->prev_status, STATUS_FORMER)) {
		mv_diag(mv, "E291", F_OPERATION_ANNULEE, "aucune radiation à "
			"annuler pour ce salarié");
		return 1;
	}
	if (date_parse_iso(r->radiation_at, &at) < 0 ||
	    date_cmp(date_add_days(at, days), c->today) < 0) {
		mv_diag(mv, "E292", F_OPERATION_ANNULEE, "délai de correction "
			"dépassé : radiation enregistrée le %s, annulable %d "
			"jours", date_format_fr(at, fr), days);
		return 1;
	}
	return 0;
}

int fin_portabilite_rights(const struct record *r, struct movement *mv,
			   struct date *droits)
{
	struct date ev, debut, fin;
	char fr[DATE_ISO_SIZE];

	if (date_parse_iso(mv_get(mv, F_DATE_EVENEMENT), &ev) < 0 ||
	    r->portabilite_debut == NULL ||
	    date_parse_iso(r->portabilite_debut, &debut) < 0 ||
	    date_cmp(ev, debut) < 0) {
		mv_diag(mv, "E295", F_DATE_EVENEMENT, "date d'événement "
			"antérieure au début de la portabilité (%s)",
			date_iso_fr(r->portabilite_debut, fr));
		return 1;
	}
	*droits = date_add_days(ev, -1);
	if (r->portabilite_fin &&
	    date_parse_iso(r->portabilite_fin, &fin) == 0 &&
	    date_cmp(fin, *droits) < 0)
		*droits = fin;
	return 0;
}

int proof_check(const struct record *r, char *why, size_t whylen)
{
	if (r->status == STATUS_PORTABILITE)
		return 0;
	snprintf(why, whylen, "salarié %s, pas en portabilité",
		 status_name(r->status));
	return 1;
}
