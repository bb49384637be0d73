/*
 * vocab - the words of the file contract (docs/formats.md): the operations
 * and the fields, each with its canonical name.  One list, from which the
 * readers, the checks, the store and the configuration's aliases all take
 * theirs.  Pure data: no I/O, no allocation.
 */
#ifndef AFFILD_RULES_VOCAB_H
#define AFFILD_RULES_VOCAB_H

enum op {
	OP_NONE = 0,
	OP_AFFILIATION_SIMPLE,
	OP_AFFILIATION_COMPLETE,
	OP_AYANT_DROIT,
	OP_RADIATION,
	OP_ANNULATION,
	OP_MODIFICATION,
	OP_RELANCE,
	OP_AFFILIATION_FORCEE,
	OP_DISPENSE,
	OP_FIN_PORTABILITE,
	OP_FINALISATION,
	OP_EXPORT,
	OP_BULLETIN,
	OP_RECONCILIATION,	/* the whole population, compared */
	/* The admin drop's alone (op_admin_only): affilctl's changes. */
	OP_RETRAITEMENT,	/* a file processed again (reprocess) */
	OP_APPROBATION,		/* a held file applied */
	OP_REFUS,		/* a held file rejected (E021) */
	OP_RENVOI_MESSAGE,	/* a parked message back to pending */
	OP_ECHEANCES,		/* the timers run as of a date */
	OP_OUVERTURE_PORTABILITE, /* portability opened on an examen reason */
	OP_PREUVE_CHOMAGE,	/* proof of unemployment benefits */
	OP_FIN,			/* the CSV trailer, not a movement */
	OP_COUNT
};

/* The canonical field names, in the order of field_names[] in vocab.c. */
enum field {
	F_NONE = -1,
	F_OPERATION = 0, F_NUMERO_PERSONNE, F_NIR, F_NOM, F_NOM_USAGE, F_PRENOM,
	F_DATE_NAISSANCE, F_DATE_EMBAUCHE, F_DATE_EFFET, F_CATEGORIE, F_EMAIL,
	F_EMAIL_PERSONNEL, F_ADRESSE, F_CODE_POSTAL, F_VILLE, F_PAYS,
	F_TELEPHONE, F_MATRICULE, F_OPTION, F_IBAN, F_BIC, F_RUM,
	F_DATE_SIGNATURE_MANDAT, F_LIEN, F_NIR_AYANT_DROIT, F_SITUATION,
	F_DATE_FIN, F_DATE_FIN_CONTRAT, F_MOTIF_RUPTURE, F_DATE_DEBUT_CONTRAT,
	F_PORTABILITE, F_JUSTIFICATION, F_OPERATION_ANNULEE, F_NOUVEAU_NIR,
	F_MOTIF_DISPENSE, F_DATE_DEMANDE, F_JUSTIFICATIF, F_DATE_FIN_DISPENSE,
	F_DATE_EVENEMENT, F_MOTIF_FIN, F_JETON, F_STATUT,
	/* the admin drop's operations */
	F_ID_FICHIER, F_ID_MESSAGE, F_DATE_REFERENCE, F_HEURE_REFERENCE,
	F_FORCER,
	F_COUNT
};

/* op_name, field_name - the canonical name; "" for NONE or out of range */
const char *op_name(enum op op);
const char *field_name(enum field f);
/* op_admin_only - an operation only the admin drop may send (E270
 * elsewhere): 1 or 0 */
int op_admin_only(enum op op);
/* op_from_name, field_from_name - OP_NONE, F_NONE when unknown */
enum op op_from_name(const char *name);
enum field field_from_name(const char *name);

#endif
