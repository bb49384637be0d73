/*
 * apply_rows - the transition table of docs/process.md as movements, one
 * row each: the status an employee is brought to, the movement applied,
 * the status after it (NULL: refused, nothing changes), the outbox kinds it
 * queues and its first finding.
 *
 * Shared by test_apply.c, which runs them against SQLite, and
 * test_process.c, which runs them through process/ alone: the same rows
 * hold the store and the table to the same answers.
 */
#ifndef AFFILD_TESTS_APPLY_ROWS_H
#define AFFILD_TESTS_APPLY_ROWS_H

#include <stdio.h>
#include <string.h>

#include "process/transition.h"

#define PERSON "nom=Martin;prenom=Zoé;date_naissance=1990-04-12;" \
	"date_embauche=2026-09-01;categorie=CADRE;email=zoe@example.fr"
/* The same person hired again after her radiation of 2026-11-20. */
#define REHIRED "nom=Martin;prenom=Zoé;date_naissance=1990-04-12;" \
	"date_embauche=2026-11-25;categorie=CADRE;email=zoe@example.fr"

struct row {
	const char *from;		/* "" for no record */
	const char *event;
	const char *to;			/* NULL: refused, nothing changes */
	const char *kinds;		/* outbox kinds queued, in order */
	const char *code;		/* first finding, "" for none */
};

/* The transition table of docs/process.md, and the rows it forbids. */
static const struct row rows[] = {
	{ "", "AFFILIATION_SIMPLE " PERSON, "EN_COURS", "invitation", "" },
	{ "", "AFFILIATION_SIMPLE nom=Martin;prenom=Zoé;"
	  "date_naissance=1990-04-12;date_embauche=2026-09-01;categorie=CADRE;"
	  "adresse=1 rue de la Paix;code_postal=75002;ville=Paris",
	  "EN_COURS", "invitation", "" },
	{ "", "AFFILIATION_COMPLETE " PERSON ";option=BASE", "AFFILIE",
	  "confirmation", "" },
	{ "EN_COURS", "AFFILIATION_COMPLETE " PERSON ";option=BASE",
	  "AFFILIE", "confirmation", "" },
	{ "A_RELANCER", "AFFILIATION_COMPLETE " PERSON ";option=BASE",
	  "AFFILIE", "confirmation", "" },
	{ "EN_COURS", "DISPENSE motif_dispense=CSS;date_demande=2026-11-02;"
	  "justificatif=ATT-9;date_fin_dispense=2027-10-31", "DISPENSE", "",
	  "" },
	{ "A_RELANCER", "DISPENSE motif_dispense=PRESENT_MISE_EN_PLACE_DUE;"
	  "date_demande=2026-11-02", "DISPENSE", "", "" },
	{ "AFFILIE", "DISPENSE motif_dispense=AUTRE_COUVERTURE_COLLECTIVE;"
	  "date_demande=2026-11-02;justificatif=ATT-3", "DISPENSE", "", "" },
	{ "AFFILIE", "DISPENSE motif_dispense=CONTRAT_INDIVIDUEL;"
	  "date_demande=2026-11-02;justificatif=ATT-3;"
	  "date_fin_dispense=2027-01-31", NULL, "", "E201" },
	{ "EN_COURS", "RELANCE", "EN_COURS", "relance", "" },
	{ "A_RELANCER", "RELANCE", "A_RELANCER", "relance", "" },
	{ "EN_COURS", "AFFILIATION_FORCEE", "AFFILIE", "affiliation_forcee",
	  "" },
	{ "A_RELANCER", "AFFILIATION_FORCEE", "AFFILIE", "affiliation_forcee",
	  "" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=043",
	  "PORTABILITE", "radiation_portabilite", "" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=39",
	  "RADIE", "loi_evin", "W180" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=999",
	  "RADIE", "radiation", "" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=059",
	  "RADIE", "radiation", "" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=059;"
	  "portabilite=O;justification=démission légitime (suivi du conjoint)",
	  "PORTABILITE", "radiation_portabilite", "" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=088;"
	  "portabilite=O;justification=x", NULL, "", "E186" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=059;"
	  "portabilite=O", NULL, "", "E187" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=066",
	  "RADIE", "", "" },
	{ "EN_COURS", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=043",
	  "PORTABILITE", "radiation_portabilite", "" },
	{ "A_RELANCER", "RADIATION date_fin_contrat=2026-11-20;"
	  "motif_rupture=039", "RADIE", "loi_evin", "" },
	{ "DISPENSE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=043",
	  "RADIE", "", "" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-12-31;motif_rupture=043",
	  "AFFILIE", "", "I213" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2025-01-31;motif_rupture=043;"
	  "date_debut_contrat=2024-06-01", "RADIE", "radiation", "W212" },
	{ "PORTABILITE", "FIN_PORTABILITE date_evenement=2026-11-25;"
	  "motif_fin=REPRISE_EMPLOI", "RADIE", "fin_portabilite", "" },
	{ "PORTABILITE", "AFFILIATION_SIMPLE " REHIRED, "EN_COURS",
	  "invitation", "" },
	{ "PORTABILITE", "AFFILIATION_COMPLETE " REHIRED ";option=CONFORT;"
	  "iban=FR1420041010050500013M02606;date_signature_mandat=2026-11-02",
	  "AFFILIE", "confirmation", "I231" },
	{ "RADIE", "AFFILIATION_SIMPLE " REHIRED, "EN_COURS", "invitation",
	  "" },
	{ "RADIE", "AFFILIATION_COMPLETE " REHIRED ";option=BASE", "AFFILIE",
	  "confirmation", "" },
	/* The old period sent again whole: already in effect, not a rehire. */
	{ "RADIE", "AFFILIATION_COMPLETE " PERSON ";option=BASE", "RADIE", "",
	  "I200" },
	{ "PORTABILITE", "AFFILIATION_SIMPLE " PERSON, "PORTABILITE", "",
	  "I200" },
	{ "RADIE", "ANNULATION operation_annulee=RADIATION", "AFFILIE", "",
	  "" },
	{ "PORTABILITE", "ANNULATION operation_annulee=RADIATION", "AFFILIE",
	  "", "" },
	{ "AFFILIE", "MODIFICATION email=zoe.martin@example.fr;"
	  "telephone=0102030405", "AFFILIE", "", "" },
	{ "EN_COURS", "MODIFICATION email=#VIDE;adresse=2 rue Neuve;"
	  "code_postal=69001;ville=Lyon", "EN_COURS", "", "" },
	{ "DISPENSE", "MODIFICATION matricule=M-77", "DISPENSE", "", "" },
	/* Already in effect: accepted, nothing changes, no mail. */
	{ "AFFILIE", "AFFILIATION_COMPLETE " PERSON ";option=BASE", "AFFILIE",
	  "", "I200" },
	{ "EN_COURS", "AFFILIATION_SIMPLE " PERSON, "EN_COURS", "", "I200" },
	{ "RADIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=039",
	  "RADIE", "", "I200" },
	{ "AFFILIE", "MODIFICATION email=zoe@example.fr", "AFFILIE", "",
	  "I200" },
	/* Forbidden: refused, nothing changes. */
	{ "", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=043", NULL,
	  "", "E202" },
	{ "", "RELANCE", NULL, "", "E202" },
	{ "", "AYANT_DROIT lien=ENFANT;nom=Martin;prenom=Léo;"
	  "date_naissance=2020-04-12", NULL, "", "E202" },
	{ "AFFILIE", "AFFILIATION_SIMPLE " PERSON, NULL, "", "E201" },
	{ "AFFILIE", "AFFILIATION_COMPLETE " PERSON ";option=CONFORT;"
	  "iban=FR1420041010050500013M02606;date_signature_mandat=2026-11-02",
	  NULL, "", "E204" },
	{ "AFFILIE", "RELANCE", NULL, "", "E201" },
	{ "DISPENSE", "AFFILIATION_COMPLETE " PERSON ";option=BASE", NULL, "",
	  "E201" },
	{ "DISPENSE", "AFFILIATION_FORCEE", NULL, "", "E201" },
	{ "RADIE", "RELANCE", NULL, "", "E201" },
	{ "RADIE", "DISPENSE motif_dispense=CSS;date_demande=2026-11-02;"
	  "justificatif=A;date_fin_dispense=2027-01-01", NULL, "", "E201" },
	{ "RADIE", "FIN_PORTABILITE date_evenement=2026-11-25;"
	  "motif_fin=RETRAITE", NULL, "", "E201" },
	{ "EN_COURS", "FIN_PORTABILITE date_evenement=2026-11-25;"
	  "motif_fin=RETRAITE", NULL, "", "E201" },
	{ "EN_COURS", "AYANT_DROIT lien=ENFANT;nom=Martin;prenom=Léo;"
	  "date_naissance=2020-04-12", NULL, "", "E201" },
	{ "AFFILIE", "ANNULATION operation_annulee=RADIATION", NULL, "",
	  "E291" },
	{ "RADIE", "RADIATION date_fin_contrat=2026-11-21;motif_rupture=039",
	  NULL, "", "E207" },
	{ "RADIE", "AFFILIATION_SIMPLE nom=Martin;prenom=Zoé;"
	  "date_naissance=1990-04-12;date_embauche=2026-10-01;categorie=CADRE;"
	  "email=zoe@example.fr", NULL, "", "E208" },
	{ "EN_COURS", "DISPENSE motif_dispense=CDD_MOINS_12_MOIS;"
	  "date_demande=2026-11-02;date_fin_dispense=2027-01-31", NULL, "",
	  "E261" },
	{ "EN_COURS", "DISPENSE motif_dispense=CSS;date_demande=2026-11-02;"
	  "date_fin_dispense=2027-01-31", NULL, "", "E262" },
	{ "AFFILIE", "MODIFICATION nom=#VIDE", NULL, "", "E153" },
	{ "AFFILIE", "RADIATION date_fin_contrat=2026-11-20;motif_rupture=998",
	  NULL, "", "E181" },
};

/* cell_of - the table's cell for a row */
static __attribute__((unused)) const struct transition *
cell_of(const struct row *r)
{
	char op[32];

	snprintf(op, sizeof(op), "%.*s", (int)strcspn(r->event, " "),
		 r->event);
	return transition_of(status_from_name(r->from), op_from_name(op));
}

/* outcome_fits - the store went where o says, queueing only its notices */
static __attribute__((unused)) int
outcome_fits(const struct outcome *o, const struct row *r,
			const char *to, const char *kinds)
{
	char buf[256], *k, *save = NULL;

	if (o->to == TO_SAME ? strcmp(to, r->from) != 0 :
	    o->to != TO_PREVIOUS && strcmp(to, status_name(o->to)) != 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", kinds);
	for (k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save))
		if (notice_from_name(k) == NOTICE_COUNT ||
		    !(o->notices & NOTICE_BIT(notice_from_name(k))))
			return 0;
	return 1;
}

#endif
