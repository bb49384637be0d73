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
#include "rules/vocab.h"

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


#endif
