/*
 * movement - one movement of a payroll file, as the readers hand it over.
 *
 * A movement is an operation and its fields, whatever the file format: the
 * CSV and XML readers both fill a struct movement, the checks normalise and
 * validate it, and the store applies it.  The store never sees a file; the
 * readers never see SQLite.
 *
 * Field values live in the movement's own arena and are addressed by field
 * number: mv_get() returns NULL for a column the file does not have, "" for
 * an empty cell.  Pointers from mv_get() are borrowed until the next
 * mv_set() or mv_reset() on the same movement.
 *
 * Findings (errors, warnings, information) are attached to the movement
 * with mv_diag(); a movement with an error is rejected.
 */
#ifndef AFFILD_MOVEMENT_H
#define AFFILD_MOVEMENT_H

#include <stdarg.h>
#include <stddef.h>

#include "common/buf.h"

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
	OP_FIN,			/* the CSV trailer, not a movement */
	OP_COUNT
};

/* The canonical field names, in the order of field_names[] in movement.c. */
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
	F_COUNT
};

enum diag_kind { DIAG_INFO = 'I', DIAG_WARN = 'W', DIAG_ERR = 'E' };

#define MV_MAX_DIAGS 16
#define DIAG_MSG_MAX 256

struct diag {
	char code[8];		/* "E111" */
	enum field field;	/* F_NONE when about the whole movement */
	char msg[DIAG_MSG_MAX];
};

struct movement {
	enum op op;
	long line;		/* line in the original file */
	int off[F_COUNT];	/* offset in arena, -1: column absent */
	struct buf arena;
	struct diag diags[MV_MAX_DIAGS];
	int ndiags;
	int nerrors;
	int ndropped;		/* diagnostics beyond MV_MAX_DIAGS */
};

/* A finding about the whole file, with the line it concerns (0: none). */
struct file_diag {
	long line;
	struct diag d;
};

/* file_diag_set - fill d (the readers' whole-file errors) */
void file_diag_set(struct file_diag *d, long line, const char *code,
		   enum field f, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

void mv_init(struct movement *mv);
void mv_reset(struct movement *mv);
void mv_free(struct movement *mv);
/* mv_copy - dst (initialised) becomes a deep copy of src; -1 when full */
int mv_copy(struct movement *dst, const struct movement *src);

const char *mv_get(const struct movement *mv, enum field f);
/* mv_has - the field is present and not empty */
int mv_has(const struct movement *mv, enum field f);
/* mv_set - set (replace) a field's value; -1 when the arena is full */
int mv_set(struct movement *mv, enum field f, const char *value);
int mv_setn(struct movement *mv, enum field f, const char *value, size_t n);

/* mv_diag - attach a finding; code's first letter gives its kind */
void mv_diag(struct movement *mv, const char *code, enum field f,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int mv_has_error(const struct movement *mv);

const char *op_name(enum op op);
enum op op_from_name(const char *name);	/* OP_NONE when unknown */
const char *field_name(enum field f);
enum field field_from_name(const char *name);	/* F_NONE when unknown */

#endif
