/*
 * transition - the table of the affiliation process (transition.h): for
 * each operation the store applies, what each status does with it.
 *
 * Read a block as docs/process.md's rows: the operation, then each
 * status, then where the movement leads and what it may queue.  A cell
 * left out is no transition: the operation is not applied by the store
 * (EXPORT, BULLETIN and RECONCILIATION are requests, daemon/pipeline_*.c).
 * tests/unit/test_process.c holds every cell; change one and the test,
 * the doc (`make transitions-doc`) and test_apply.c's rows together.
 */
#include <string.h>

#include "common/util.h"
#include "process/transition.h"

#define N(x) NOTICE_BIT(NOTICE_##x)
#define APPLY(h, ...) { .verdict = TR_APPLY, .handler = h, \
			.out = { __VA_ARGS__ } }
#define REFUSED { .verdict = TR_REFUSED }
#define UNKNOWN { .verdict = TR_UNKNOWN }
/* AGAIN - refused (verdict) unless already in effect (I200) */
#define AGAIN(v, test) { .verdict = v, .again = test }
/* REHIRE - an affiliation on a former employee opens a new period */
#define REHIRE(h, through, ...) { .verdict = TR_APPLY, .handler = h, \
				  .again = AGAIN_REHIRE, .via = through, \
				  .new_period = 1, .out = { __VA_ARGS__ } }

#define INVITED { STATUS_EN_COURS, N(INVITATION), NULL, \
		  "email, or letter when no email" }
#define CONFIRMED { STATUS_AFFILIE, N(CONFIRMATION), NULL, \
		    "when an email is known" }
#define FINALISED { STATUS_AFFILIE, N(CONFIRMATION) | \
		    N(FINALISATION_EMPLOYEUR), "from the portal, valid token", \
		    "the latter when the employer opted in" }
#define FORCED { STATUS_AFFILIE, N(AFFILIATION_FORCEE), "at `base_plan`", \
		 "email or letter" }
#define REMINDED { TO_SAME, N(RELANCE), NULL, "a fresh link; `relances` + 1" }
#define DISPENSED(to, when) { to, N(DISPENSE_EMPLOYEUR), when, \
			      "from the portal: to the dispense address" }
#define NOT_ELIGIBLE { STATUS_RADIE, N(RADIATION) | N(LOI_EVIN), \
		       "not eligible", "the latter for 038 and 039" }
#define ALREADY_OVER { STATUS_RADIE, N(RADIATION), "eligible, the " \
		       "portability already over (`W212`)", NULL }
#define DEATH { STATUS_RADIE, N(LOI_EVIN_AYANTS_DROIT), "066", \
		"a letter to each covered adult dependant" }
#define HELD { TO_SAME, 0, "with a future end (`I213`)", \
	       "held as a `radiation` deadline" }
#define RADIATED_AWAITING APPLY(H_RADIATION, { STATUS_PORTABILITE, \
	N(RADIATION_PORTABILITE), "eligible, unless " \
	"`portability_if_incomplete: false` (at the base option, flagged " \
	"incomplete)", NULL }, NOT_ELIGIBLE, ALREADY_OVER, DEATH, HELD)
#define CANCELLED_HELD APPLY(H_ANNULATION, { TO_SAME, 0, "of a radiation " \
	"held for a future date", NULL })
#define CANCELLED APPLY(H_ANNULATION, { TO_PREVIOUS, N(RELANCE), "within " \
	"`correction_days`, nothing changed since", "a fresh link when that " \
	"status was EN_COURS or A_RELANCER" })
#define MODIFIED APPLY(H_MODIFICATION, { TO_SAME, 0, NULL, NULL })
#define BENEFICIARY APPLY(H_AYANT_DROIT, { TO_SAME, 0, NULL, NULL })

static const struct transition cells[OP_COUNT][STATUS_COUNT] = {
	[OP_AFFILIATION_SIMPLE] = {
		[STATUS_NONE] = APPLY(H_SIMPLE, INVITED),
		[STATUS_EN_COURS] = AGAIN(TR_CONFLICT, AGAIN_HIRE),
		[STATUS_A_RELANCER] = AGAIN(TR_CONFLICT, AGAIN_HIRE),
		[STATUS_AFFILIE] = REFUSED,
		[STATUS_DISPENSE] = REFUSED,
		[STATUS_RADIE] = REHIRE(H_SIMPLE, STATUS_NONE, INVITED),
		[STATUS_PORTABILITE] = REHIRE(H_SIMPLE, STATUS_RADIE, INVITED),
	},
	[OP_AFFILIATION_COMPLETE] = {
		[STATUS_NONE] = APPLY(H_COMPLETE, CONFIRMED),
		[STATUS_EN_COURS] = APPLY(H_COMPLETE, CONFIRMED),
		[STATUS_A_RELANCER] = APPLY(H_COMPLETE, CONFIRMED),
		[STATUS_AFFILIE] = AGAIN(TR_CONFLICT, AGAIN_OPTION),
		[STATUS_DISPENSE] = REFUSED,
		[STATUS_RADIE] = REHIRE(H_COMPLETE, STATUS_NONE, CONFIRMED),
		[STATUS_PORTABILITE] = REHIRE(H_COMPLETE, STATUS_RADIE,
					      CONFIRMED),
	},
	[OP_FINALISATION] = {
		[STATUS_NONE] = UNKNOWN,
		[STATUS_EN_COURS] = APPLY(H_FINALISATION, FINALISED),
		[STATUS_A_RELANCER] = APPLY(H_FINALISATION, FINALISED),
		[STATUS_AFFILIE] = AGAIN(TR_REFUSED, AGAIN_FINALISED),
		[STATUS_DISPENSE] = REFUSED,
		[STATUS_RADIE] = REFUSED,
		[STATUS_PORTABILITE] = REFUSED,
	},
	[OP_AFFILIATION_FORCEE] = {
		[STATUS_NONE] = UNKNOWN,
		[STATUS_EN_COURS] = APPLY(H_FORCEE, FORCED),
		[STATUS_A_RELANCER] = APPLY(H_FORCEE, FORCED),
		[STATUS_AFFILIE] = AGAIN(TR_REFUSED, AGAIN_BASE_PLAN),
		[STATUS_DISPENSE] = REFUSED,
		[STATUS_RADIE] = REFUSED,
		[STATUS_PORTABILITE] = REFUSED,
	},
	[OP_RELANCE] = {
		[STATUS_NONE] = UNKNOWN,
		[STATUS_EN_COURS] = APPLY(H_RELANCE, REMINDED),
		[STATUS_A_RELANCER] = APPLY(H_RELANCE, REMINDED),
		[STATUS_AFFILIE] = REFUSED,
		[STATUS_DISPENSE] = REFUSED,
		[STATUS_RADIE] = REFUSED,
		[STATUS_PORTABILITE] = REFUSED,
	},
	[OP_DISPENSE] = {
		[STATUS_NONE] = UNKNOWN,
		[STATUS_EN_COURS] = APPLY(H_DISPENSE,
					  DISPENSED(STATUS_DISPENSE, NULL)),
		[STATUS_A_RELANCER] = APPLY(H_DISPENSE,
					    DISPENSED(STATUS_DISPENSE, NULL)),
		[STATUS_AFFILIE] = { .verdict = TR_APPLY, .handler = H_DISPENSE,
			.guard = GUARD_COLLECTIVE, .out = {
				DISPENSED(STATUS_DISPENSE, "`CSS` or "
					  "`AUTRE_COUVERTURE_COLLECTIVE`") } },
		[STATUS_DISPENSE] = { .verdict = TR_APPLY,
			.handler = H_DISPENSE, .guard = GUARD_SAME_REASON,
			.again = AGAIN_DISPENSE_END, .out = {
				DISPENSED(TO_SAME, "the same reason, a new "
					  "end date") } },
		[STATUS_RADIE] = REFUSED,
		[STATUS_PORTABILITE] = REFUSED,
	},
	[OP_RADIATION] = {
		[STATUS_NONE] = UNKNOWN,
		[STATUS_EN_COURS] = RADIATED_AWAITING,
		[STATUS_A_RELANCER] = RADIATED_AWAITING,
		[STATUS_AFFILIE] = APPLY(H_RADIATION, { STATUS_PORTABILITE,
			N(RADIATION_PORTABILITE), "eligible", NULL },
			NOT_ELIGIBLE, ALREADY_OVER, DEATH, HELD),
		[STATUS_DISPENSE] = APPLY(H_RADIATION, { STATUS_RADIE, 0,
			"never eligible", "none: never covered" }, HELD),
		[STATUS_RADIE] = AGAIN(TR_CONFLICT, AGAIN_END),
		[STATUS_PORTABILITE] = AGAIN(TR_CONFLICT, AGAIN_END),
	},
	[OP_FIN_PORTABILITE] = {
		[STATUS_NONE] = UNKNOWN,
		[STATUS_EN_COURS] = REFUSED,
		[STATUS_A_RELANCER] = REFUSED,
		[STATUS_AFFILIE] = REFUSED,
		[STATUS_DISPENSE] = REFUSED,
		[STATUS_RADIE] = AGAIN(TR_REFUSED, AGAIN_MOTIF_FIN),
		[STATUS_PORTABILITE] = APPLY(H_FIN_PORTABILITE, { STATUS_RADIE,
			N(FIN_PORTABILITE), NULL, NULL }, { STATUS_RADIE,
			N(LOI_EVIN_AYANTS_DROIT), "DECES", "a letter to each "
			"covered adult dependant" }),
	},
	[OP_ANNULATION] = {
		[STATUS_NONE] = UNKNOWN,
		[STATUS_EN_COURS] = CANCELLED_HELD,
		[STATUS_A_RELANCER] = CANCELLED_HELD,
		[STATUS_AFFILIE] = CANCELLED_HELD,
		[STATUS_DISPENSE] = CANCELLED_HELD,
		[STATUS_RADIE] = CANCELLED,
		[STATUS_PORTABILITE] = CANCELLED,
	},
	[OP_MODIFICATION] = {
		[STATUS_NONE] = UNKNOWN,
		[STATUS_EN_COURS] = MODIFIED,
		[STATUS_A_RELANCER] = MODIFIED,
		[STATUS_AFFILIE] = MODIFIED,
		[STATUS_DISPENSE] = MODIFIED,
		[STATUS_RADIE] = MODIFIED,
		[STATUS_PORTABILITE] = MODIFIED,
	},
	[OP_AYANT_DROIT] = {
		[STATUS_NONE] = UNKNOWN,
		[STATUS_EN_COURS] = REFUSED,
		[STATUS_A_RELANCER] = REFUSED,
		[STATUS_AFFILIE] = BENEFICIARY,
		[STATUS_DISPENSE] = REFUSED,
		[STATUS_RADIE] = REFUSED,
		[STATUS_PORTABILITE] = BENEFICIARY,
	},
};

const enum op transition_ops[] = {
	OP_AFFILIATION_SIMPLE, OP_AFFILIATION_COMPLETE, OP_FINALISATION,
	OP_AFFILIATION_FORCEE, OP_RELANCE, OP_DISPENSE, OP_RADIATION,
	OP_FIN_PORTABILITE, OP_ANNULATION, OP_MODIFICATION, OP_AYANT_DROIT,
	OP_NONE
};

static const char *const handler_names[HANDLER_COUNT] = {
	[H_NONE] = "",
	[H_SIMPLE] = "handle_simple",
	[H_COMPLETE] = "handle_complete",
	[H_FINALISATION] = "handle_finalisation",
	[H_FORCEE] = "handle_forcee",
	[H_RELANCE] = "handle_relance",
	[H_DISPENSE] = "handle_dispense",
	[H_RADIATION] = "handle_radiation",
	[H_FIN_PORTABILITE] = "handle_fin_portabilite",
	[H_ANNULATION] = "handle_annulation",
	[H_MODIFICATION] = "handle_modification",
	[H_AYANT_DROIT] = "handle_ayant_droit",
};

static const char *const notice_names[NOTICE_COUNT] = {
	[NOTICE_INVITATION] = "invitation",
	[NOTICE_RELANCE] = "relance",
	[NOTICE_CONFIRMATION] = "confirmation",
	[NOTICE_FINALISATION_EMPLOYEUR] = "finalisation_employeur",
	[NOTICE_AFFILIATION_FORCEE] = "affiliation_forcee",
	[NOTICE_DISPENSE_EMPLOYEUR] = "dispense_employeur",
	[NOTICE_RADIATION] = "radiation",
	[NOTICE_RADIATION_PORTABILITE] = "radiation_portabilite",
	[NOTICE_LOI_EVIN] = "loi_evin",
	[NOTICE_LOI_EVIN_AYANTS_DROIT] = "loi_evin_ayants_droit",
	[NOTICE_FIN_PORTABILITE] = "fin_portabilite",
	[NOTICE_DISPENSE_JUSTIFICATIF] = "dispense_justificatif",
	[NOTICE_JUSTIFICATIF_CHOMAGE] = "justificatif_chomage",
};

const struct transition *transition_of(enum status from, enum op op)
{
	const struct transition *t;

	if (from < STATUS_NONE || from >= STATUS_COUNT || op <= OP_NONE ||
	    op >= OP_COUNT)
		return NULL;
	t = &cells[op][from];
	return t->verdict == TR_NONE ? NULL : t;
}

const char *handler_name(enum handler h)
{
	return h >= H_NONE && h < HANDLER_COUNT ? handler_names[h] : "";
}

const char *notice_name(enum notice n)
{
	return n >= 0 && n < NOTICE_COUNT ? notice_names[n] : "";
}

enum notice notice_from_name(const char *kind)
{
	int i;

	for (i = 0; kind && i < NOTICE_COUNT; i++)
		if (strcmp(notice_names[i], kind) == 0)
			return (enum notice)i;
	return NOTICE_COUNT;
}
