/*
 * ctl_timers - `timers` (the deadlines due next).  `timers run` is a
 * change for the admin drop (ctl_write.c): affild fires what is due.
 */
#include <limits.h>
#include <stdio.h>

#include "ctl/ctl.h"

/* ---- timers ------------------------------------------------------------- */

#define TIMERS_LIST_MAX 100

static const struct ctl_col timer_cols[] = {
	{ "due", "ÉCHÉANCE", COL_TEXT }, { "kind", "TYPE", COL_TEXT },
	{ "employer", "EMPLOYEUR", COL_TEXT },
	{ "matricule", "MATRICULE", COL_TEXT }, { "nom", "NOM", COL_TEXT },
	{ "prenom", "PRÉNOM", COL_TEXT }, { "outcome", "RÉSULTAT", COL_TEXT },
};

/* print_timer - one deadline; never the NIR */
static int print_timer(const struct timer_rec *r, void *arg)
{
	static const char *const outcomes[] = { "fait", "sans objet",
						"en attente" };
	const char *vals[] = { r->due, r->kind, r->employer, r->matricule,
			       r->nom, r->prenom, outcomes[r->outcome] };

	ctl_list_row(arg, vals);
	return 0;
}

int ctl_timers(struct ctl *c)
{
	ctl_list_begin(c->out, NULL, NULL, timer_cols, 6);
	if (store_timers_each(c->st, c->limit < 0 ? TIMERS_LIST_MAX :
			      c->limit > INT_MAX ? INT_MAX : (int)c->limit,
			      print_timer, c->out) < 0)
		return ctl_db_error(c, "timers");
	ctl_list_end(c->out);
	return 0;
}
