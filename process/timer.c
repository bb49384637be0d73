/*
 * timer - the deadline kinds and the statuses they fire on (timer.h).
 */
#include <string.h>

#include "process/timer.h"

#define ON(s) (1u << (s))

static const struct timer_rule rules[DL_COUNT] = {
	[DL_RELANCE] = { "relance", ON(STATUS_EN_COURS), STATUS_A_RELANCER,
			 "délai de réponse dépassé : à relancer" },
	[DL_RELANCE_AUTO] = { "relance_auto", ON(STATUS_A_RELANCER),
			      STATUS_NONE, NULL },
	[DL_JETON] = { "jeton", DL_ANY_STATUS, STATUS_NONE,
		       "lien personnel expiré" },
	[DL_FIN_PORTABILITE] = { "fin_portabilite", ON(STATUS_PORTABILITE),
				 STATUS_RADIE, "fin de la portabilité" },
	/* reinvited (EN_COURS) or unchanged, as the reason's at_end says */
	[DL_FIN_DISPENSE] = { "fin_dispense", ON(STATUS_DISPENSE),
			      STATUS_EN_COURS, NULL },
	[DL_PREUVE_DISPENSE] = { "preuve_dispense", ON(STATUS_DISPENSE),
				 STATUS_NONE,
				 "justificatif de dispense demandé" },
	/* the decision stored with it (process/decide_radiation.c) */
	[DL_RADIATION] = { "radiation", DL_ANY_STATUS, STATUS_NONE, NULL },
	[DL_AYANT_DROIT_AGE] = { "ayant_droit_age", DL_ANY_STATUS,
				 STATUS_NONE, "ayant droit : limite d'âge "
				 "atteinte, fin de couverture" },
	[DL_PREUVE_CHOMAGE] = { "preuve_chomage", ON(STATUS_PORTABILITE),
				STATUS_NONE, "rappel : justificatif "
				"d'indemnisation chômage attendu" },
};

const struct timer_rule *timer_rule(enum deadline_kind kind)
{
	return kind >= 0 && kind < DL_COUNT ? &rules[kind] : NULL;
}

enum deadline_kind timer_kind_from_name(const char *name)
{
	int i;

	for (i = 0; name && i < DL_COUNT; i++)
		if (strcmp(rules[i].name, name) == 0)
			return (enum deadline_kind)i;
	return DL_COUNT;
}

int timer_fires(enum deadline_kind kind, enum status status)
{
	const struct timer_rule *r = timer_rule(kind);

	if (r == NULL || status == STATUS_NONE)
		return 0;
	return r->from == DL_ANY_STATUS || (r->from & ON(status)) != 0;
}
