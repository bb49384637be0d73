/*
 * store_dispense - DISPENSE: an employee exempted from the contract's cover
 * for a reason of the dispense table (the legal ones, and the optional
 * ones the employer's contract allows), with its evidence and its end.
 *
 * Which reason is valid, from which status, and when a dispense is already
 * on record, the transition's cell decides (process/transition.h,
 * process/decide.c); this file writes it.  A dispense with an end date
 * gets a "fin_dispense" deadline the day after (store_timer.c), and, when
 * the reason asks for proof before then, a "preuve_dispense" reminder 30
 * days before.  A dispense requested through the portal is told to the
 * employer.
 */
#include <stdlib.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_apply.h"

/* dispense_deadlines - the end's deadlines, none before today */
static int dispense_deadlines(struct ap *a, const struct cfg_dispense_reason *r,
			      struct date end)
{
	struct date proof = date_add_days(end, -30);

	if (st_deadline_add(a->st, date_add_days(end, 1), "fin_dispense",
			    a->e.id, NULL) < 0)
		return -1;
	if (r->at_end == CFG_AT_END_PROOF &&
	    date_cmp(proof, a->env.today) > 0 &&
	    st_deadline_add(a->st, proof, "preuve_dispense", a->e.id,
			    NULL) < 0)
		return -1;
	return 0;
}

/* ap_dispense - the record dispensed (the cell's target), or its dispense
 * extended to a new end, with its end-date deadlines */
int ap_dispense(struct ap *a)
{
	const struct cfg_dispense_reason *r = cfg_dispense_reason(a->env.cfg,
		mv_get(a->mv, F_MOTIF_DISPENSE));
	int extended = a->t->out[0].to == TO_SAME;
	char day[DATE_ISO_SIZE];
	const char *to = ap_target(a);
	struct date end;
	int has_end;
	char *from;

	if (r == NULL) {	/* the cell checked it, with the same config */
		log_err("event=dispense_reason_missing employee=%lld",
			a->e.id);
		return -1;
	}
	has_end = dispense_end(r, a->mv, a->env.today, &end);
	if (has_end)
		date_format(end, day);
	from = xstrdup(a->e.status);
	if ((!extended &&
	     st_set_status(a->st, &a->env, a->e.id, to) < 0) ||
	    st_set_col(a->st, a->e.id, "dispense_motif", r->code) < 0 ||
	    st_set_col(a->st, a->e.id, "dispense_fin",
		       has_end ? day : NULL) < 0 ||
	    st_set_col(a->st, a->e.id, "dispense_demande",
		       mv_get(a->mv, F_DATE_DEMANDE)) < 0 ||
	    st_set_col(a->st, a->e.id, "dispense_justificatif",
		       mv_has(a->mv, F_JUSTIFICATIF) ?
		       mv_get(a->mv, F_JUSTIFICATIF) : NULL) < 0 ||
	    st_history(a->st, &a->env, a->e.id, from, to,
		       extended ? "dispense prolongée" : "dispense") < 0 ||
	    ap_covered(a) < 0 ||
	    st_deadline_drop(a->st, a->e.id, "fin_dispense") < 0 ||
	    st_deadline_drop(a->st, a->e.id, "preuve_dispense") < 0) {
		free(from);
		return -1;
	}
	free(from);
	if (has_end && dispense_deadlines(a, r, end) < 0)
		return -1;
	if (a->ctx->portal) {
		const char *vars[] = { "motif_dispense", r->label ? r->label :
				       r->code, "date_demande",
				       mv_get(a->mv, F_DATE_DEMANDE), NULL };
		const char *addr = a->ctx->emp->dispense_email ?
			a->ctx->emp->dispense_email :
			a->ctx->emp->contact_email;

		if (ap_reload(a) < 0 ||
		    st_notify_employer(a->st, &a->env, &a->e, addr,
				       "dispense_employeur", vars) < 0)
			return -1;
	}
	return 0;
}
