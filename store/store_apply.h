/*
 * store_apply - what the apply step's files share (private to store/).
 *
 * One struct ap is one movement being applied: the store, the movement,
 * the environment of the change (cause: file or portal, and its line) and
 * the employee record the movement names, loaded once.
 */
#ifndef AFFILD_STORE_APPLY_H
#define AFFILD_STORE_APPLY_H

#include "store/store_priv.h"

struct ap {
	struct store *st;
	const struct apply_ctx *ctx;
	struct movement *mv;
	struct st_env env;
	struct st_emp e;
};

/* Each returns 0 applied or already in effect, 1 refused, -1 error. */
int ap_radiation(struct ap *a);
int ap_annulation(struct ap *a);
int ap_fin_portabilite(struct ap *a);

/* ap_refuse - an E finding; returns 1 */
int ap_refuse(struct ap *a, const char *code, enum field f, const char *fmt,
	      ...) __attribute__((format(printf, 4, 5)));
/* ap_unknown - E202 "salarié inconnu"; returns 1 */
int ap_unknown(struct ap *a);
/* ap_already - I200 "déjà pris en compte"; returns 0 */
int ap_already(struct ap *a, const char *what);
/* ap_status_is - the record's status is one of the NULL-terminated list */
int ap_status_is(const struct ap *a, ...) __attribute__((sentinel));
/* ap_reload - read the record again after a change */
int ap_reload(struct ap *a);

/* st_letter_dependants - the loi Evin letter to each covered adult
 * dependant after the employee's death, rights ended on droits (FR date) */
int st_letter_dependants(struct store *st, const struct st_env *env,
			 const struct st_emp *e, const char *droits);

const char *status_label(const char *status);

#endif
