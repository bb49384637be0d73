/*
 * store_apply - what the apply step's files share (private to store/).
 *
 * One struct ap is one movement being applied: the store, the movement,
 * the environment of the change (cause: file or portal, and its line), the
 * employee record the movement names, loaded once, and the cell of the
 * transition table (process/transition.h) for its status and operation.
 *
 * store_apply() (store_apply.c) loads the record and runs the movement
 * through its cell (transition_decide(): the refusals E201, E202, what is
 * already in effect, I200), then hands it to the cell's handler, one file
 * per concept:
 *
 *   store_affiliation.c  AFFILIATION_SIMPLE, AFFILIATION_COMPLETE (a
 *                        rehire too), RELANCE, AFFILIATION_FORCEE, the
 *                        portal's FINALISATION
 *   store_person.c       the personal data a movement carries; MODIFICATION
 *   store_mandate.c      the SEPA mandate: RUM given or generated, the bank
 *                        details a direct-debit option needs
 *   store_dispense.c     DISPENSE and its end-date deadlines
 *   store_beneficiary.c  AYANT_DROIT; the loi Evin letters to dependants
 *   store_radiation.c    RADIATION, ANNULATION, FIN_PORTABILITE
 *
 * A handler takes its target status from the cell and its other decisions
 * from process/decide.h; it tests no status.  It reads what the database
 * alone knows (a RUM taken, a deadline pending), and only then writes; a
 * refusal (an E finding) changes nothing.
 */
#ifndef AFFILD_STORE_APPLY_H
#define AFFILD_STORE_APPLY_H

#include "process/decide.h"
#include "store/store_priv.h"

struct ap {
	struct store *st;
	const struct apply_ctx *ctx;
	struct movement *mv;
	struct st_env env;
	struct st_emp e;
	struct record rec;		/* e's fields, for process/ */
	struct decide_ctx dc;
	enum status from;		/* the status before the movement */
	const struct transition *t;	/* the cell of (from, operation) */
};

#define VIDE "#VIDE"		/* MODIFICATION: clear the field */

/* The transitions: each returns 0 applied or already in effect, 1 refused,
 * -1 error. */
int ap_simple(struct ap *a);		/* store_affiliation.c */
int ap_complete(struct ap *a);
int ap_forcee(struct ap *a);
int ap_relance(struct ap *a);
int ap_finalisation(struct ap *a);
int ap_modification(struct ap *a);	/* store_person.c */
int ap_dispense(struct ap *a);		/* store_dispense.c */
int ap_ayant_droit(struct ap *a);	/* store_beneficiary.c */
int ap_radiation(struct ap *a);		/* store_radiation.c */
int ap_annulation(struct ap *a);
int ap_fin_portabilite(struct ap *a);

/* ap_refuse - an E finding; returns 1 */
int ap_refuse(struct ap *a, const char *code, enum field f, const char *fmt,
	      ...) __attribute__((format(printf, 4, 5)));
/* ap_already - I200 "déjà pris en compte"; returns 0 */
int ap_already(struct ap *a, const char *what);
/* ap_target - the database name of the cell's target status (out[0]):
 * the record's own status when the cell leaves it unchanged, the one
 * before its last change for TO_PREVIOUS */
const char *ap_target(const struct ap *a);
/* ap_reload - read the record again after a change (a->rec follows) */
int ap_reload(struct ap *a);
/* ap_record_of - the fields of e that process/ reads (borrowed from e) */
void ap_record_of(const struct st_emp *e, struct record *r);

/* ---- the personal data (store_person.c) ----------------------------- */

/* ap_insert - a new record (employer, nir) in status with the movement's
 * personal data and its creation (cause, file, line); invite: with its
 * first link and the relance and jeton deadlines (queue it with
 * st_invite_queue).  a->e filled from the movement.  0 or -1 */
int ap_insert(struct ap *a, const char *status, int invite);
/* ap_set_person - the personal data the movement carries onto the record:
 * an absent or empty cell keeps the column, "#VIDE" clears it.  0 or -1 */
int ap_set_person(struct ap *a);

/* ---- the SEPA mandate (store_mandate.c) ----------------------------- */

/* ap_mandate - the RUM of a direct-debit option: the file's, if no other
 * employee holds it, else one generated.  0 ok, 1 refused, -1 error */
int ap_mandate(struct ap *a);
/* ap_mandate_kept - a MODIFICATION leaves a direct-debit option with its
 * IBAN and signature date.  0 ok, 1 refused */
int ap_mandate_kept(struct ap *a);

/* ap_covered - the affiliation is complete: link revoked, no reminder
 * (store_affiliation.c).  0 or -1 */
int ap_covered(struct ap *a);

/* st_letter_dependants - the loi Evin letter to each covered adult
 * dependant after the employee's death, rights ended on droits (FR date) */
int st_letter_dependants(struct store *st, const struct st_env *env,
			 const struct st_emp *e, const char *droits);

#endif
