/*
 * recon - the pure side of a RECONCILIATION file (docs/formats.md,
 * "Reconciliation"): which fields of a row are compared with the record,
 * when two values are the same, how a value shows in the report, and the
 * summary's words.  No I/O, no database: store/store_recon.c reads the
 * record, daemon/pipeline_recon.c writes the lines.
 *
 * Values compared are the normalised ones: the file's after
 * parsers/check.c (NIR without separators, dates AAAA-MM-JJ, categorie by
 * name, IBAN in upper case without spaces), the record's as the apply step
 * stored them, which is the same normalisation.
 */
#ifndef AFFILD_RULES_RECON_H
#define AFFILD_RULES_RECON_H

#include <stddef.h>

#include "rules/vocab.h"

/* The fields a row may carry and the record has, in the order of
 * store_recon.c's SELECT (it checks the column names at run time). */
#define RECON_NFIELDS 20
extern const enum field recon_fields[RECON_NFIELDS];

/*
 * recon_same - 1 when the file's value (set, not empty) says what the
 * record's (NULL when the record has none) says: names, city and country
 * compared without regard to case (accents count), email addresses without
 * regard to ASCII case, everything else byte for byte.
 */
int recon_same(enum field f, const char *db, const char *file);

/*
 * recon_shown - v as a report line may show it: "(vide)" for none, an
 * IBAN as "…" and its last 4 characters, address lines joined by ", ".
 * Returns v itself or out (len bytes, truncated on a character boundary).
 */
const char *recon_shown(enum field f, const char *v, char *out, size_t len);

/* What a reconciliation found, for its summary. */
struct recon_counts {
	long unknown;		/* in the file, not in the database */
	long not_covered;	/* in the file, on record but not covered */
	long missing;		/* covered on record, not in the file */
	long fields;		/* fields that differ... */
	long differing;		/* ...in that many employees */
};

/* recon_differences - the lines the counts stand for */
long recon_differences(const struct recon_counts *c);

/* recon_note - the summary's words ("rapprochement : ..."), in out */
void recon_note(const struct recon_counts *c, char *out, size_t len);

#endif
