/*
 * handle - the dispatch of a cell to its handler, and what every handler
 * shares: the cell's target, the record as the movement leaves it.
 */
#include <string.h>

#include "process/handle.h"

const enum field person_fields[] = {
	F_NOM, F_NOM_USAGE, F_PRENOM, F_DATE_NAISSANCE, F_DATE_EMBAUCHE,
	F_DATE_EFFET, F_CATEGORIE, F_EMAIL, F_EMAIL_PERSONNEL, F_ADRESSE,
	F_CODE_POSTAL, F_VILLE, F_PAYS, F_TELEPHONE, F_MATRICULE, F_OPTION,
	F_IBAN, F_BIC, F_RUM, F_DATE_SIGNATURE_MANDAT, F_NONE
};

static int (*const handlers[HANDLER_COUNT])(const struct handle *,
					    struct change *) = {
	[H_SIMPLE] = handle_simple,
	[H_COMPLETE] = handle_complete,
	[H_FINALISATION] = handle_finalisation,
	[H_FORCEE] = handle_forcee,
	[H_RELANCE] = handle_relance,
	[H_DISPENSE] = handle_dispense,
	[H_RADIATION] = handle_radiation,
	[H_FIN_PORTABILITE] = handle_fin_portabilite,
	[H_ANNULATION] = handle_annulation,
	[H_MODIFICATION] = handle_modification,
	[H_AYANT_DROIT] = handle_ayant_droit,
};

int handle(const struct handle *h, struct change *c)
{
	enum handler k = h->t ? h->t->handler : H_NONE;

	change_init(c);
	if (k <= H_NONE || k >= HANDLER_COUNT || handlers[k] == NULL)
		return -1;
	return handlers[k](h, c);
}

enum status handle_target(const struct handle *h)
{
	int to = h->t->out[0].to;

	if (to == TO_SAME)
		return h->r->status;
	if (to == TO_PREVIOUS)
		return h->r->prev_status;
	return (enum status)to;
}

const char *record_after(const struct record *r, const struct movement *mv,
			 enum field f)
{
	const char *v = mv_get(mv, f);

	if (v == NULL || *v == '\0')
		return r->person[f];
	return strcmp(v, VIDE) == 0 ? NULL : v;
}
