/*
 * pipeline_gate - the radiation gate (process.md, "The radiation gate").
 *
 * A payroll export cut short, or sent for the wrong establishment, reads as
 * the departure of most of the staff.  So before a file's COMMIT the
 * pipeline asks whether it would radiate more than the employer's
 * radiation_gate_percent of its covered employees (counted once, before
 * the file changes anything) or more than radiation_gate_count of them.
 * If so the file is held: nothing applied, a report saying so, the
 * original in .affild/held/ until the insurer approves or refuses it
 * (`affilctl file ID approve|refuse`, served by daemon/reprocess.c).  The
 * approved run is not gated again.
 *
 * Counted: RADIATION movements the store accepted, a future-dated one
 * included (it will radiate on its day), one already in effect (I200)
 * not.  The share applies only from GATE_MIN_RADIATIONS radiations, so a
 * small company's single departure is never held.
 */
#include <stdio.h>
#include <string.h>

#include "daemon/pipeline_priv.h"

#define GATE_MIN_RADIATIONS 2

/* pipeline_gate_start - is this run gated? if so, the covered count */
int pipeline_gate_start(struct run *r)
{
	const struct cfg_employer *emp = r->job->emp;

	r->gate_on = emp != NULL && (emp->radiation_gate_percent > 0 ||
				     emp->radiation_gate_count > 0) &&
		     !(r->forced && strcmp(r->rq.kind, REPROCESS_APPROVE) == 0);
	r->radiations = 0;
	r->covered = 0;
	if (!r->gate_on)
		return 0;
	return store_employees_covered(r->d->store, r->job->employer,
				       &r->covered);
}

/* already_in_effect - the store said I200: this movement changed nothing */
static int already_in_effect(const struct movement *mv)
{
	int i;

	for (i = 0; i < mv->ndiags; i++)
		if (strcmp(mv->diags[i].code, "I200") == 0)
			return 1;
	return 0;
}

/* pipeline_gate_count - one movement after its apply */
void pipeline_gate_count(struct run *r, const struct movement *mv)
{
	if (r->gate_on && mv->op == OP_RADIATION && !mv_has_error(mv) &&
	    !already_in_effect(mv))
		r->radiations++;
}

/* share_over - N radiations over percent of the covered employees */
static int share_over(const struct run *r, int percent)
{
	return percent > 0 && r->radiations >= GATE_MIN_RADIATIONS &&
	       (long long)r->radiations * 100 > (long long)percent * r->covered;
}

/*
 * pipeline_gate_trips - 1 when the file must be held, with the E020
 * message in msg; 0 when it may be applied.
 */
int pipeline_gate_trips(const struct run *r, char *msg, size_t len)
{
	const struct cfg_employer *emp = r->job->emp;
	int count = emp ? emp->radiation_gate_count : 0;
	char why[96];

	if (!r->gate_on)
		return 0;
	if (share_over(r, emp->radiation_gate_percent)) {
		if (r->covered > 0)
			snprintf(why, sizeof(why), "%lld %%, au-delà de %d %%",
				 (long long)r->radiations * 100 / r->covered,
				 emp->radiation_gate_percent);
		else
			snprintf(why, sizeof(why), "au-delà de %d %%",
				 emp->radiation_gate_percent);
	} else if (count > 0 && r->radiations > count) {
		snprintf(why, sizeof(why), "au-delà de la limite de %d "
			 "radiations par fichier", count);
	} else {
		return 0;
	}
	snprintf(msg, len, "fichier en attente de validation : il radierait "
		 "%ld salariés sur %ld couverts (%s) ; rien n'a été appliqué ; "
		 "l'assureur doit l'approuver", r->radiations, r->covered, why);
	return 1;
}
