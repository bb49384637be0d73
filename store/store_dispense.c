/*
 * store_dispense - DISPENSE: an employee exempted from the contract's cover
 * for a reason of the dispense table (the legal ones, and the optional
 * ones the employer's contract allows), with its evidence and its end.
 *
 * A dispense with an end date gets a "fin_dispense" deadline the day after
 * (store_timer.c), and, when the reason asks for proof before then, a
 * "preuve_dispense" reminder 30 days before.  A dispense requested through
 * the portal is told to the employer.
 */
#include <stdlib.h>

#include "common/util.h"
#include "store/store_apply.h"

/* dispense_allowed - the reason exists and the contract allows it */
static const struct cfg_dispense_reason *dispense_reason(struct ap *a)
{
	const char *code = mv_get(a->mv, F_MOTIF_DISPENSE);
	const struct cfg_dispense_reason *r = cfg_dispense_reason(a->env.cfg,
								  code);
	size_t i;

	if (r == NULL) {
		ap_refuse(a, "E260", F_MOTIF_DISPENSE, "motif de dispense « %.40s »"
			  " inconnu (voir la table des dispenses)", code);
		return NULL;
	}
	if (r->type == CFG_DISP_FACULTATIVE) {
		for (i = 0; i < a->ctx->emp->nallowed_dispenses; i++)
			if (st_same(a->ctx->emp->allowed_dispenses[i], r->code))
				break;
		if (i == a->ctx->emp->nallowed_dispenses) {
			ap_refuse(a, "E261", F_MOTIF_DISPENSE, "dispense "
				  "facultative %s non prévue par le contrat de "
				  "cet employeur", r->code);
			return NULL;
		}
	}
	if (r->evidence_required && !mv_has(a->mv, F_JUSTIFICATIF)) {
		ap_refuse(a, "E262", F_JUSTIFICATIF, "justificatif obligatoire "
			  "pour la dispense %s : indiquez la référence du "
			  "document conservé", r->code);
		return NULL;
	}
	if (r->end == CFG_DISP_END_REQUIRED &&
	    !mv_has(a->mv, F_DATE_FIN_DISPENSE)) {
		ap_refuse(a, "E263", F_DATE_FIN_DISPENSE, "date de fin de "
			  "dispense obligatoire pour le motif %s", r->code);
		return NULL;
	}
	return r;
}

/* dispense_end - the end date the dispense gets (0: none) */
static int dispense_end(struct ap *a, const struct cfg_dispense_reason *r,
			struct date *end)
{
	struct date asked;

	if (r->end == CFG_DISP_END_NONE)
		return 0;
	if (mv_has(a->mv, F_DATE_FIN_DISPENSE))
		return date_parse_iso(mv_get(a->mv, F_DATE_FIN_DISPENSE),
				      end) == 0;
	if (date_parse_iso(mv_get(a->mv, F_DATE_DEMANDE), &asked) < 0)
		asked = a->env.today;
	*end = date_add_months(asked, 12);
	return 1;
}

/* ap_dispense - EN_COURS, A_RELANCER (or AFFILIE for CSS and other
 * collective cover) → DISPENSE, with its end-date deadlines */
int ap_dispense(struct ap *a)
{
	const struct cfg_dispense_reason *r;
	char day[DATE_ISO_SIZE], fr[DATE_ISO_SIZE] = "";
	struct date end;
	int has_end;
	char *from;

	if (a->e.id == 0)
		return ap_unknown(a);
	if ((r = dispense_reason(a)) == NULL)
		return 1;
	has_end = dispense_end(a, r, &end);
	if (has_end)
		date_format(end, day);
	if (ap_status_is(a, "DISPENSE", NULL)) {
		if (!st_same(a->e.dispense_motif, r->code))
			return ap_transition_refused(a);
		if (!has_end || st_same(a->e.dispense_fin, day))
			return ap_already(a, "dispense déjà enregistrée");
	} else if (!ap_status_is(a, "EN_COURS", "A_RELANCER", NULL) &&
		   !(ap_status_is(a, "AFFILIE", NULL) &&
		     (st_same(r->code, "CSS") ||
		      st_same(r->code, "AUTRE_COUVERTURE_COLLECTIVE")))) {
		return ap_transition_refused(a);
	}
	from = xstrdup(a->e.status);
	if ((!st_same(from, "DISPENSE") &&
	     st_set_status(a->st, &a->env, a->e.id, "DISPENSE") < 0) ||
	    st_set_col(a->st, a->e.id, "dispense_motif", r->code) < 0 ||
	    st_set_col(a->st, a->e.id, "dispense_fin",
		       has_end ? day : NULL) < 0 ||
	    st_set_col(a->st, a->e.id, "dispense_demande",
		       mv_get(a->mv, F_DATE_DEMANDE)) < 0 ||
	    st_set_col(a->st, a->e.id, "dispense_justificatif",
		       mv_has(a->mv, F_JUSTIFICATIF) ?
		       mv_get(a->mv, F_JUSTIFICATIF) : NULL) < 0 ||
	    st_history(a->st, &a->env, a->e.id, from, "DISPENSE",
		       st_same(from, "DISPENSE") ? "dispense prolongée" :
		       "dispense") < 0 ||
	    ap_covered(a) < 0 ||
	    st_deadline_drop(a->st, a->e.id, "fin_dispense") < 0 ||
	    st_deadline_drop(a->st, a->e.id, "preuve_dispense") < 0) {
		free(from);
		return -1;
	}
	free(from);
	if (has_end) {
		struct date proof = date_add_days(end, -30);

		if (st_deadline_add(a->st, date_add_days(end, 1),
				    "fin_dispense", a->e.id, NULL) < 0)
			return -1;
		if (r->at_end == CFG_AT_END_PROOF &&
		    date_cmp(proof, a->env.today) > 0 &&
		    st_deadline_add(a->st, proof, "preuve_dispense", a->e.id,
				    NULL) < 0)
			return -1;
		date_format_fr(end, fr);
	}
	if (a->ctx->portal) {
		const char *vars[] = { "motif_dispense", r->label ? r->label :
				       r->code, "date_demande",
				       mv_get(a->mv, F_DATE_DEMANDE), NULL };
		const char *to = a->ctx->emp->dispense_email ?
			a->ctx->emp->dispense_email :
			a->ctx->emp->contact_email;

		if (ap_reload(a) < 0 ||
		    st_notify_employer(a->st, &a->env, &a->e, to,
				       "dispense_employeur", vars) < 0)
			return -1;
	}
	return 0;
}
