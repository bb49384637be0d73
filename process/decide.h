/*
 * decide - the decisions of docs/process.md that a transition's handler
 * takes after its cell let the movement through: which dispense reason and
 * end, what a radiation does (portability, dates, notice) and what it does
 * on its day, whether an ANNULATION may cancel, when a FIN_PORTABILITE
 * ends the rights, and the insurer's checks before affilctl's changes.
 *
 * Each is a pure function of the record (struct record), the movement,
 * the date and the config: findings go onto the movement (the same words
 * as the report), nothing is read or written elsewhere.  The store loads
 * the record, calls these, and writes what they decided.
 */
#ifndef AFFILD_PROCESS_DECIDE_H
#define AFFILD_PROCESS_DECIDE_H

#include <stddef.h>

#include "process/transition.h"

/* ---- DISPENSE (decide.c) -------------------------------------------- */

/* dispense_reason_check - the movement's reason: in the table, allowed by
 * the employer's contract, with the evidence and the end date it requires;
 * NULL after a finding (E260-E263) */
const struct cfg_dispense_reason *dispense_reason_check(
	const struct decide_ctx *c, struct movement *mv);
/* dispense_end - the end date the dispense gets: 1 and *end, 0 for none
 * (a date_fin_dispense given, else a year after the request for the
 * reasons that end by default) */
int dispense_end(const struct cfg_dispense_reason *r,
		 const struct movement *mv, struct date today,
		 struct date *end);

/* ---- ANNULATION, FIN_PORTABILITE, affilctl (decide.c) --------------- */

/* annulation_check - a radiation to cancel (E291), still within
 * correction_days (E292): 0, or 1 refused */
int annulation_check(const struct decide_ctx *c, const struct record *r,
		     struct movement *mv);
/* fin_portabilite_rights - the last covered day when the portability ends
 * on the movement's date_evenement (the day before, never after its
 * computed end): 0 and *droits, or 1 refused (E295) */
int fin_portabilite_rights(const struct record *r, struct movement *mv,
			   struct date *droits);
/* proof_check - PREUVE_CHOMAGE (admin drop): 0, or 1 with why (French,
 * for the report) */
int proof_check(const struct record *r, char *why, size_t whylen);

/* ---- RADIATION (decide_radiation.c) --------------------------------- */

/* A radiation decided once, carried out now or stored (as JSON, by the
 * store) in a "radiation" deadline and carried out on its day. */
struct radiation {
	enum status to;			/* PORTABILITE or RADIE */
	char motif[4];
	char fin_contrat[DATE_ISO_SIZE];
	char droits[DATE_ISO_SIZE];	/* last covered day */
	char p0[DATE_ISO_SIZE], p1[DATE_ISO_SIZE];	/* portability */
	int months;
	int incomplete;			/* radiated before finishing */
	char notice[32];		/* template kind; "deces": letters to
					 * the dependants; "" for none */
};

/*
 * radiation_decide - the radiation the movement asks for: the departure
 * reason's eligibility and the row's override (W210, W211), the status
 * (DISPENSE never, EN_COURS and A_RELANCER flagged incomplete), death, the
 * dates (rules/portability.c; already over: W212), the notice.  0 decided,
 * 1 refused (E181, E182, E185-E189).
 */
int radiation_decide(const struct decide_ctx *c, const struct record *r,
		     struct movement *mv, struct radiation *out);
/* radiation_held - its end is today or later: held for *due, the day
 * after it (1); 0: carried out now */
int radiation_held(const struct radiation *rad, struct date today,
		   struct date *due);
/* radiation_on_day - a held radiation on its day, on the status of that
 * day: 1 when the employee has left since (nothing to do), else 0 with
 * rad amended (dispensed since: RADIE, no portability, no notice;
 * finished since: no longer incomplete) */
int radiation_on_day(struct radiation *rad, enum status now,
		     const struct cfg_employer *emp);
/* radiation_portability - the decision opens portability */
int radiation_portability(const struct radiation *rad);
/* radiation_reopen - OUVERTURE_PORTABILITE (admin drop): the portability
 * a radiation on an `examen` reason would have opened; 0 with out, or 1
 * with why (French, for the report) */
int radiation_reopen(const struct decide_ctx *c, const struct record *r,
		     struct radiation *out, char *why, size_t whylen);

#endif
