/*
 * store_apply - what the apply step's files share (private to store/).
 *
 * store_apply() (store_apply.c) loads the record a movement names, runs
 * it through its cell (process/transition.h) and its handler
 * (process/handle.h), answering the handler's questions about what only
 * the database knows (struct facts), and writes the change the handler
 * returns with st_change_write() (store_change.c).  The store decides
 * nothing: it reads, and writes what it is told.
 *
 *   store_change.c       the writer of a struct change
 *   store_person.c       the record's personal data: the columns, the
 *                        insert, the update, the record for process/
 *   store_mandate.c      the RUM: who holds one, the next one generated
 *   store_beneficiary.c  the beneficiaries: the facts of an AYANT_DROIT,
 *                        added, ended, the loi Evin letters
 *   store_radiation.c    the columns of a radiation, one held for its day
 *                        (the timer's side), the admin's changes
 */
#ifndef AFFILD_STORE_APPLY_H
#define AFFILD_STORE_APPLY_H

#include "process/handle.h"
#include "store/store_priv.h"

/*
 * st_change_write - write c about e (loaded; for an insert, filled from
 * mv): the movement mv for the personal data, NULL for a deadline's or an
 * admin's change.  Nothing in c is decided here.  0 or -1.
 */
int st_change_write(struct store *st, const struct st_env *env,
		    struct st_emp *e, struct movement *mv,
		    const struct change *c);
/* st_change_write_new - the same for a change decided on no record, only
 * if the employer has none of mv's NIR: 1, nothing written, when it has */
int st_change_write_new(struct store *st, const struct st_env *env,
			struct st_emp *e, struct movement *mv,
			const struct change *c);

/* The facts a handler or a deadline may ask about one record (the
 * record id of employer emp; 0 for none), answered from st. */
struct st_facts {
	struct facts f;
	struct store *st;
	const struct cfg_employer *emp;
	long long id;
};
void st_facts(struct st_facts *a, struct store *st,
	      const struct cfg_employer *emp, long long id);

/* st_emp_record - the fields of e that process/ reads (borrowed from e) */
void st_emp_record(const struct st_emp *e, struct record *r);
/* st_decide_ctx - the decision's environment from the change's */
void st_decide_ctx(const struct st_env *env, struct decide_ctx *dc);

/* ---- the personal data (store_person.c) ----------------------------- */

/* st_emp_insert - a new record (env's employer, mv's nir) in status with
 * the movement's personal data and its creation (env's cause and ref);
 * invite: with its first link and the relance and jeton deadlines.  e is
 * filled from the movement.  0, -1, or with if_absent 1 when the record
 * exists (nothing written) */
int st_emp_insert(struct store *st, const struct st_env *env,
		  const struct movement *mv, const char *status, int invite,
		  int if_absent, struct st_emp *e);
/* st_emp_set_person - the personal data mv carries onto record id: an
 * absent or empty cell keeps the column, "#VIDE" clears it.  0 or -1 */
int st_emp_set_person(struct store *st, long long id,
		      const struct movement *mv);

/* ---- the SEPA mandate (store_mandate.c) ----------------------------- */

/* st_rum_taken - 1 when an employee other than id holds rum, 0, -1 */
int st_rum_taken(struct store *st, long long id, const char *rum);
/* st_rum_generate - the next RUM of env's employer, never given twice,
 * onto mv (F_RUM), with its I231 finding.  0 or -1 */
int st_rum_generate(struct store *st, const struct st_env *env,
		    long long id, struct movement *mv);

/* ---- the beneficiaries (store_beneficiary.c) ------------------------ */

/* st_ben_facts - what an AYANT_DROIT row needs to know (handle.h) */
int st_ben_facts(struct store *st, long long emp_id,
		 const struct movement *mv, struct ben_facts *out);
/* st_ben_add - the beneficiary mv describes; its id, or -1 */
long long st_ben_add(struct store *st, long long emp_id,
		     const struct movement *mv);
/* st_ben_end - beneficiary id's cover ends on date_fin.  0 or -1 */
int st_ben_end(struct store *st, long long id, const char *date_fin);
/* st_letter_dependants - the loi Evin letter to each covered adult
 * dependant after the employee's death, rights ended on droits (FR date) */
int st_letter_dependants(struct store *st, const struct st_env *env,
			 const struct st_emp *e, const char *droits);

/* ---- a radiation (store_radiation.c) -------------------------------- */


/* st_rad_write - the record of a radiation carried out, in one statement;
 * hist: the id of its history row.  0 or -1 */
int st_rad_write(struct store *st, const struct st_env *env,
		 const struct st_emp *e, const struct radiation *r,
		 long long hist);

#endif
