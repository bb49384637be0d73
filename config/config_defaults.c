/*
 * config_defaults - the tables affild ships: departure reasons (DSN
 * S21.G00.62.002), dispense reasons and the common column synonyms.
 *
 * They are the tables of rules.md, row for row; when the DSN norm changes,
 * this file and rules.md change together.  cfg_load() copies them into every
 * fresh struct cfg before reading the file, which may amend them by code
 * (config_reasons.c) or add aliases (config_alias.c).
 */
#include "common/util.h"
#include "config/config_priv.h"

/*
 * Departure reasons: the S21.G00.62.002 code list as rules.md gives it
 * (998, a transfer without rupture, is not a departure and is absent).
 *
 * Dated (CFG_DEPARTURE_REASONS_NORM): these are the codes of the DSN
 * cahier technique's nomenclature since phase 3 (norme 2017), every one
 * still in the versions known here.  Checked on 2026-12-06, code by code,
 * against a published copy of that nomenclature: no code missing, none
 * extra, labels the same in substance (shortened here).  Not checked
 * against the cahiers techniques of the last few years, which may have
 * added codes (a collective rupture conventionnelle or a congé de mobilité
 * may have their own): rather than guess a code, affild ships none it is
 * not sure of, and an insurer adds them in the configuration
 * (`departure_reasons:`, docs/config.md), where unknown codes get E182.
 */
#define OUI CFG_PORTA_OUI
#define NON CFG_PORTA_NON
#define EXA CFG_PORTA_EXAMEN

static const struct cfg_departure_reason departures[] = {
	{ "011", "licenciement suite à liquidation judiciaire ou "
		 "redressement", OUI, 0 },
	{ "012", "licenciement suite à fermeture définitive de "
		 "l'établissement", OUI, 0 },
	{ "014", "licenciement pour motif économique", OUI, 0 },
	{ "015", "licenciement pour fin de chantier", OUI, 0 },
	{ "020", "licenciement pour autre motif", OUI, 0 },
	{ "025", "autre fin de contrat pour motif économique", OUI, 0 },
	{ "026", "rupture pour motif économique dans le cadre d'un CSP",
	  OUI, 0 },
	{ "031", "fin de CDD ou fin d'accueil occasionnel", OUI, 0 },
	{ "032", "fin de mission d'intérim", OUI, 0 },
	{ "033", "rupture anticipée CDD / mission pour inaptitude", OUI, 0 },
	{ "034", "fin de période d'essai à l'initiative de l'employeur",
	  OUI, 0 },
	{ "035", "fin de période d'essai à l'initiative du salarié", EXA, 0 },
	{ "036", "rupture anticipée CDD / contrat d'apprentissage / mission "
		 "à l'initiative de l'employeur", OUI, 0 },
	{ "037", "rupture anticipée CDD / contrat d'apprentissage / mission "
		 "à l'initiative du salarié", EXA, 0 },
	{ "038", "mise à la retraite par l'employeur", NON, 0 },
	{ "039", "départ à la retraite à l'initiative du salarié", NON, 0 },
	{ "043", "rupture conventionnelle", OUI, 0 },
	{ "058", "prise d'acte de la rupture du contrat", EXA, 0 },
	/* oui only for a démission légitime, opened by the admin */
	{ "059", "démission", EXA, 0 },
	{ "065", "décès de l'employeur ou internement, conduisant à un "
		 "licenciement", OUI, 0 },
	/* death: no portability, see the transitions of rules.md */
	{ "066", "décès du salarié / rupture force majeure", EXA, 0 },
	{ "081", "fin de contrat d'apprentissage", OUI, 0 },
	{ "082", "résiliation judiciaire du contrat de travail", OUI, 0 },
	{ "083", "rupture de contrat de travail ou d'un contrat de mission "
		 "pour force majeure", OUI, 0 },
	{ "084", "rupture d'un commun accord du CDD, contrat d'apprentissage "
		 "ou mission", EXA, 0 },
	{ "085", "fin de mandat", EXA, 0 },
	/* pre-retirement allowance, not unemployment insurance */
	{ "086", "licenciement convention CATS", EXA, 0 },
	{ "087", "licenciement pour faute grave", OUI, 0 },
	{ "088", "licenciement pour faute lourde", NON, 1 },
	{ "089", "licenciement pour force majeure", OUI, 0 },
	{ "091", "licenciement pour inaptitude non professionnelle", OUI, 0 },
	{ "092", "licenciement pour inaptitude professionnelle", OUI, 0 },
	{ "093", "licenciement suite à décision d'une autorité "
		 "administrative", OUI, 0 },
	{ "094", "rupture anticipée du contrat de travail pour arrêt de "
		 "tournage", OUI, 0 },
	{ "095", "rupture anticipée d'un CDD ou d'un contrat de mission pour "
		 "faute grave", OUI, 0 },
	{ "096", "rupture anticipée d'un CDD ou d'un contrat de mission pour "
		 "faute lourde", NON, 1 },
	{ "097", "rupture anticipée suite à fermeture de l'établissement",
	  OUI, 0 },
	{ "098", "retrait d'enfant (assistants maternels)", OUI, 0 },
	{ "999", "fin de relation sans impact chômage", NON, 0 },
};

#define DROIT CFG_DISP_DROIT
#define FACUL CFG_DISP_FACULTATIVE

static const struct cfg_dispense_reason dispenses[] = {
	{ "AUTRE_COUVERTURE_COLLECTIVE", "déjà couvert par un autre contrat "
	  "collectif obligatoire", DROIT, 1, CFG_DISP_END_DEFAULT_1Y,
	  CFG_AT_END_PROOF },
	{ "CSS", "bénéficiaire de la Complémentaire santé solidaire", DROIT,
	  1, CFG_DISP_END_REQUIRED, CFG_AT_END_REINVITE },
	{ "CONTRAT_INDIVIDUEL", "contrat individuel en cours à l'embauche",
	  DROIT, 1, CFG_DISP_END_REQUIRED, CFG_AT_END_REINVITE },
	{ "PRESENT_MISE_EN_PLACE_DUE", "présent à la mise en place par "
	  "décision unilatérale avec cotisation salariale", DROIT, 0,
	  CFG_DISP_END_NONE, CFG_AT_END_NONE },
	{ "CDD_MOINS_3_MOIS", "CDD ou mission de 3 mois ou moins avec "
	  "couverture individuelle", DROIT, 1, CFG_DISP_END_REQUIRED,
	  CFG_AT_END_NONE },
	{ "CDD_MOINS_12_MOIS", "CDD, apprentissage ou mission de moins de "
	  "12 mois", FACUL, 0, CFG_DISP_END_REQUIRED, CFG_AT_END_NONE },
	{ "CDD_12_MOIS_ET_PLUS", "CDD, apprentissage ou mission de 12 mois "
	  "ou plus avec couverture individuelle", FACUL, 1,
	  CFG_DISP_END_REQUIRED, CFG_AT_END_NONE },
	{ "TEMPS_PARTIEL_10PCT", "temps partiel ou apprenti dont la "
	  "cotisation atteindrait 10 % du salaire brut", FACUL, 1,
	  CFG_DISP_END_DEFAULT_1Y, CFG_AT_END_PROOF },
};

/* Folded header names seen in payroll exports, and their fields. */
static const struct cfg_alias aliases[] = {
	{ "courriel", "email" },
	{ "e_mail", "email" },
	{ "mail", "email" },
	{ "adresse_email", "email" },
	{ "adresse_e_mail", "email" },
	{ "adresse_mail", "email" },
	{ "courriel_personnel", "email_personnel" },
	{ "email_perso", "email_personnel" },
	{ "numero_securite_sociale", "nir" },
	{ "n_securite_sociale", "nir" },
	{ "securite_sociale", "nir" },
	{ "nss", "nir" },
	{ "nom_naissance", "nom" },
	{ "nom_famille", "nom" },
	{ "nom_marital", "nom_usage" },
	{ "date_entree", "date_embauche" },
	{ "date_sortie", "date_fin_contrat" },
	{ "motif_sortie", "motif_rupture" },
	{ "cp", "code_postal" },
	{ "tel", "telephone" },
	{ "formule", "option" },
};

/* cfg_defaults_reasons - fresh, owned copies of both reason tables */
void cfg_defaults_reasons(struct cfg *cfg)
{
	size_t i;

	cfg->departure_reasons = xcalloc(NELEM(departures),
					 sizeof(*cfg->departure_reasons));
	for (i = 0; i < NELEM(departures); i++) {
		cfg->departure_reasons[i] = departures[i];
		cfg->departure_reasons[i].label = xstrdup(departures[i].label);
	}
	cfg->ndeparture_reasons = NELEM(departures);
	cfg->dispense_reasons = xcalloc(NELEM(dispenses),
					sizeof(*cfg->dispense_reasons));
	for (i = 0; i < NELEM(dispenses); i++) {
		cfg->dispense_reasons[i] = dispenses[i];
		cfg->dispense_reasons[i].code = xstrdup(dispenses[i].code);
		cfg->dispense_reasons[i].label = xstrdup(dispenses[i].label);
	}
	cfg->ndispense_reasons = NELEM(dispenses);
}

/* cfg_defaults_aliases - fresh, owned copies of the built-in synonyms */
void cfg_defaults_aliases(struct cfg *cfg)
{
	size_t i;

	cfg->aliases = xcalloc(NELEM(aliases), sizeof(*cfg->aliases));
	for (i = 0; i < NELEM(aliases); i++) {
		cfg->aliases[i].alias = xstrdup(aliases[i].alias);
		cfg->aliases[i].field = xstrdup(aliases[i].field);
	}
	cfg->naliases = NELEM(aliases);
}
