/*
 * vocab - the operations and fields of the file contract (vocab.h).
 */
#include <string.h>

#include "rules/vocab.h"

static const char *const op_names[OP_COUNT] = {
	[OP_NONE] = "",
	[OP_AFFILIATION_SIMPLE] = "AFFILIATION_SIMPLE",
	[OP_AFFILIATION_COMPLETE] = "AFFILIATION_COMPLETE",
	[OP_AYANT_DROIT] = "AYANT_DROIT",
	[OP_RADIATION] = "RADIATION",
	[OP_ANNULATION] = "ANNULATION",
	[OP_MODIFICATION] = "MODIFICATION",
	[OP_RELANCE] = "RELANCE",
	[OP_AFFILIATION_FORCEE] = "AFFILIATION_FORCEE",
	[OP_DISPENSE] = "DISPENSE",
	[OP_FIN_PORTABILITE] = "FIN_PORTABILITE",
	[OP_FINALISATION] = "FINALISATION",
	[OP_EXPORT] = "EXPORT",
	[OP_BULLETIN] = "BULLETIN",
	[OP_RECONCILIATION] = "RECONCILIATION",
	[OP_RETRAITEMENT] = "RETRAITEMENT",
	[OP_APPROBATION] = "APPROBATION",
	[OP_REFUS] = "REFUS",
	[OP_RENVOI_MESSAGE] = "RENVOI_MESSAGE",
	[OP_ECHEANCES] = "ECHEANCES",
	[OP_OUVERTURE_PORTABILITE] = "OUVERTURE_PORTABILITE",
	[OP_PREUVE_CHOMAGE] = "PREUVE_CHOMAGE",
	[OP_FIN] = "FIN",
};

static const char *const field_names[F_COUNT] = {
	"operation", "numero_personne", "nir", "nom", "nom_usage", "prenom",
	"date_naissance", "date_embauche", "date_effet", "categorie", "email",
	"email_personnel", "adresse", "code_postal", "ville", "pays",
	"telephone", "matricule", "option", "iban", "bic", "rum",
	"date_signature_mandat", "lien", "nir_ayant_droit", "situation",
	"date_fin", "date_fin_contrat", "motif_rupture", "date_debut_contrat",
	"portabilite", "justification", "operation_annulee", "nouveau_nir",
	"motif_dispense", "date_demande", "justificatif", "date_fin_dispense",
	"date_evenement", "motif_fin", "jeton", "statut",
	"id_fichier", "id_message", "date_reference", "heure_reference",
	"forcer",
};

const char *op_name(enum op op)
{
	return (op >= 0 && op < OP_COUNT) ? op_names[op] : "";
}

int op_admin_only(enum op op)
{
	return op >= OP_RETRAITEMENT && op <= OP_PREUVE_CHOMAGE;
}

enum op op_from_name(const char *name)
{
	int i;

	for (i = 1; i < OP_COUNT; i++)
		if (strcmp(op_names[i], name) == 0)
			return (enum op)i;
	return OP_NONE;
}

const char *field_name(enum field f)
{
	return (f >= 0 && f < F_COUNT) ? field_names[f] : "";
}

enum field field_from_name(const char *name)
{
	int i;

	for (i = 0; i < F_COUNT; i++)
		if (strcmp(field_names[i], name) == 0)
			return (enum field)i;
	return F_NONE;
}
