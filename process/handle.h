/*
 * handle - the handlers of the transition table: for a movement its cell
 * lets through (transition_decide()), what it does to the record, as a
 * struct change (change.h) that the store writes.
 *
 * A handler is a pure function of the record, the movement, the date and
 * the config, and of the few facts only the database knows, which it asks
 * for through struct facts when it needs them (a RUM another employee
 * holds, the beneficiary a row names, a radiation held for its day).  Its
 * refusals are E findings on the movement and leave the change empty; so
 * does a movement found already in effect (I200).  Nothing is written
 * before the whole movement is decided, so a refused movement needs no
 * savepoint.
 *
 *   handle_affiliation.c  SIMPLE, COMPLETE (a rehire too), FORCEE,
 *                         RELANCE, the portal's FINALISATION; the SEPA
 *                         mandate
 *   handle_person.c       MODIFICATION, DISPENSE, AYANT_DROIT
 *   handle_radiation.c    RADIATION (now, or held for its day, and on that
 *                         day), ANNULATION, FIN_PORTABILITE, and the
 *                         admin's OUVERTURE_PORTABILITE and PREUVE_CHOMAGE
 *   handle_timer.c        the deadlines on their day (timer_change)
 */
#ifndef AFFILD_PROCESS_HANDLE_H
#define AFFILD_PROCESS_HANDLE_H

#include <stddef.h>

#include "process/change.h"

#define VIDE "#VIDE"		/* MODIFICATION: clear the field */
#define MAX_BENEFICIARIES 20	/* covered at once, per employee */

/* The employee's beneficiaries as an AYANT_DROIT row finds them. */
struct ben_facts {
	long long id;		/* the one the row names (0: none) */
	int ended;		/* its cover has ended */
	int covered;		/* covered beneficiaries */
	int partners;		/* covered partners among them */
};

/*
 * What only the database knows, asked when a handler needs it: each
 * returns -1 on an error (the handler returns -1 too).
 */
struct facts {
	void *arg;
	/* rum_taken - 1 when another employee (any employer) holds rum */
	int (*rum_taken)(void *arg, const char *rum);
	/* nir_taken - 1 when another employee of the employer has nir */
	int (*nir_taken)(void *arg, const char *nir);
	/* beneficiary - the beneficiaries, and the one mv names: by
	 * nir_ayant_droit, else by lien, nom, prenom, date_naissance */
	int (*beneficiary)(void *arg, const struct movement *mv,
			   struct ben_facts *out);
	/* radiation_held - 1 and its data when a radiation is held */
	int (*radiation_held)(void *arg, char *data, size_t datalen);
	/* last_history - the id of the record's latest history row */
	long long (*last_history)(void *arg);
	/* ben_covered - 1 when beneficiary id is the record's and covered */
	int (*ben_covered)(void *arg, long long id);
};

/* One movement through its handler. */
struct handle {
	const struct decide_ctx *dc;
	const struct record *r;
	const struct facts *f;
	struct movement *mv;
	const struct transition *t;	/* its cell */
};

/*
 * handle - the cell's handler: 0 with the change to write (empty when the
 * movement was already in effect: I200), 1 refused (an E finding), -1
 * error.  c is initialised here.
 */
int handle(const struct handle *h, struct change *c);

/* handle_target - the status the cell leads to: the record's own for
 * TO_SAME, the one before its last change for TO_PREVIOUS */
enum status handle_target(const struct handle *h);

/* record_after - a personal field once the movement is applied: the
 * movement's value, the record's for an absent or empty cell, NULL for
 * "#VIDE" */
const char *record_after(const struct record *r, const struct movement *mv,
			 enum field f);

/* The handlers (handle_affiliation.c, handle_person.c,
 * handle_radiation.c): the contract of handle(). */
int handle_simple(const struct handle *h, struct change *c);
int handle_complete(const struct handle *h, struct change *c);
int handle_forcee(const struct handle *h, struct change *c);
int handle_relance(const struct handle *h, struct change *c);
int handle_finalisation(const struct handle *h, struct change *c);
int handle_modification(const struct handle *h, struct change *c);
int handle_dispense(const struct handle *h, struct change *c);
int handle_ayant_droit(const struct handle *h, struct change *c);
int handle_radiation(const struct handle *h, struct change *c);
int handle_annulation(const struct handle *h, struct change *c);
int handle_fin_portabilite(const struct handle *h, struct change *c);

/* lien_is_partner - CONJOINT, PACS or CONCUBIN: one covered at a time */
int lien_is_partner(const char *lien);
/* dependant_gets_letter - a covered dependant gets the loi Evin letter
 * on today: an adult (a child is reached through them) */
int dependant_gets_letter(const char *lien, const char *date_naissance,
			  struct date today);

/* handle_mandate - the RUM of a direct-debit option: the movement's, if
 * not reserved (E232) nor another's (E230), else one to generate; 0, 1
 * refused, -1 error */
int handle_mandate(const struct handle *h, struct change *c);

/*
 * radiation_change - a radiation carried out on r (a movement's, a held
 * one on its day, an admin's reopening): its record and history, the end
 * of portability and the proof of unemployment deadlines, its notice
 */
void radiation_change(const struct decide_ctx *dc, const struct record *r,
		      const struct radiation *rad, struct change *c);
/*
 * radiation_fire_change - a radiation held as a deadline (data), on its
 * day: 0 with the change, 1 when the employee has left since (nothing to
 * do), -1 when data is not a radiation
 */
int radiation_fire_change(const struct decide_ctx *dc,
			  const struct record *r, const char *data,
			  struct change *c);
/* admin_portability_change - OUVERTURE_PORTABILITE: 0 with the change, 1
 * refused (why) */
int admin_portability_change(const struct decide_ctx *dc,
			     const struct record *r,
			     const char *justification, struct change *c,
			     char *why, size_t whylen);
/* admin_proof_change - PREUVE_CHOMAGE: 0 with the change, 1 refused */
int admin_proof_change(const struct decide_ctx *dc, const struct record *r,
		       struct change *c, char *why, size_t whylen);

/*
 * timer_change - a deadline of kind (due on due, with data) on its day,
 * on r, whose status timer_fires() let it fire on: 0 with the change, 1
 * moot (what it was for happened meanwhile: nothing to write), -1 error
 * (its data unreadable, a fact failed).  handle_timer.c.
 */
int timer_change(const struct decide_ctx *dc, const struct record *r,
		 const struct facts *f, enum deadline_kind kind,
		 const char *due, const char *data, struct change *c);

/* ben_deadline_data - the data of beneficiary id's ayant_droit_age
 * deadline, {"beneficiary":id} (json-c; the same bytes every time, so
 * that the deadline of an ended one is found by it); 0, or -1 when out is
 * too small */
int ben_deadline_data(long long id, char *out, size_t outlen);

/* radiation_json - the decision as a held radiation's data (the same
 * bytes for the same decision, so that a pending one compares); 0, or -1
 * when out is too small */
int radiation_json(const struct radiation *r, char *out, size_t outlen);
/* radiation_parse - the decision back from its data: 0, or -1 when it is
 * not a radiation */
int radiation_parse(const char *json, struct radiation *r);

#endif
