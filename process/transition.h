/*
 * transition - the affiliation process as data: one cell per (status,
 * operation) saying what docs/process.md's rules do with a movement of
 * that operation on a record in that status.
 *
 * A cell's verdict is TR_APPLY (its handler, process/handle.h, decides
 * what the movement changes), TR_REFUSED (E201: the rules have no such transition),
 * TR_UNKNOWN (E202: no such employee) or TR_CONFLICT (the movement
 * contradicts the record: the operation's own code, E203, E204 or E207).
 * Before the verdict, a guard may refuse (E201) and an "again" test may
 * find the movement already in effect (I200: accepted, nothing changes).
 * An applied movement's outcomes say where it may lead: the target status
 * and the notices (outbox kinds) it may queue.  docs/process.md's tables
 * are generated from these cells (transition_doc(), `make
 * transitions-doc`), and tests/unit/test_process.c holds them to the doc.
 *
 * transition_decide() runs a movement through its cell.  Every finding of
 * that step (E106, E201, E202, E203, E204, E207, E208, E260-E263, E290,
 * E294, I200) is worded there and only there; then the handler the cell
 * names decides the change the store writes.  Pure: no I/O, no SQLite, no allocation.
 */
#ifndef AFFILD_PROCESS_TRANSITION_H
#define AFFILD_PROCESS_TRANSITION_H

#include "common/buf.h"
#include "common/date.h"
#include "config/config.h"
#include "parsers/movement.h"
#include "process/status.h"

enum verdict {
	TR_NONE = 0,		/* no cell: the operation is not applied (E106) */
	TR_APPLY,
	TR_REFUSED,		/* E201 */
	TR_UNKNOWN,		/* E202 */
	TR_CONFLICT,		/* the operation's own code: E203, E204, E207 */
};

/* The handler of an applied movement (process/handle.h; handle.c maps
 * each to its handle_* function). */
enum handler {
	H_NONE = 0,
	H_SIMPLE, H_COMPLETE, H_FINALISATION, H_FORCEE, H_RELANCE, H_DISPENSE,
	H_RADIATION, H_FIN_PORTABILITE, H_ANNULATION, H_MODIFICATION,
	H_AYANT_DROIT,
	HANDLER_COUNT
};

/* A condition on the movement without which the cell refuses it (E201). */
enum guard {
	GUARD_NONE = 0,
	GUARD_COLLECTIVE,	/* DISPENSE: CSS or AUTRE_COUVERTURE_COLLECTIVE */
	GUARD_SAME_REASON,	/* DISPENSE: the reason on record */
	GUARD_COUNT
};

/* What makes the movement already in effect on this record (I200). */
enum again {
	AGAIN_NONE = 0,
	AGAIN_HIRE,		/* the same nom and date_embauche */
	AGAIN_OPTION,		/* the same option */
	AGAIN_FINALISED,	/* the same option, from the portal */
	AGAIN_BASE_PLAN,	/* the base plan on record */
	AGAIN_REHIRE,		/* a hire date not after the last contract's
				 * end: the one on record (an earlier one is
				 * E208; a later one a rehire, applied) */
	AGAIN_END,		/* the same date_fin_contrat and motif_rupture */
	AGAIN_MOTIF_FIN,	/* the same motif_fin */
	AGAIN_DISPENSE_END,	/* no end date, or the end on record */
	AGAIN_COUNT
};

/* The notices a transition or a deadline may queue: outbox kinds
 * (templates/fr/). */
enum notice {
	NOTICE_INVITATION = 0, NOTICE_RELANCE, NOTICE_CONFIRMATION,
	NOTICE_FINALISATION_EMPLOYEUR, NOTICE_AFFILIATION_FORCEE,
	NOTICE_DISPENSE_EMPLOYEUR, NOTICE_RADIATION,
	NOTICE_RADIATION_PORTABILITE, NOTICE_LOI_EVIN,
	NOTICE_LOI_EVIN_AYANTS_DROIT, NOTICE_FIN_PORTABILITE,
	NOTICE_DISPENSE_JUSTIFICATIF, NOTICE_JUSTIFICATIF_CHOMAGE,
	NOTICE_COUNT
};
#define NOTICE_BIT(n) (1u << (n))

#define TO_SAME (-1)		/* an outcome's status does not change */
#define TO_PREVIOUS (-2)	/* back to the status before the last change */
#define TR_MAX_OUTCOMES 6

struct outcome {
	int to;			/* an enum status, TO_SAME or TO_PREVIOUS */
	unsigned notices;	/* NOTICE_BIT()s it may queue */
	const char *when;	/* the doc's condition; NULL: none */
	const char *note;	/* the doc's words on the notices; NULL */
};

struct transition {
	enum verdict verdict;
	enum handler handler;	/* TR_APPLY */
	enum guard guard;
	enum again again;
	enum status via;	/* a rehire from PORTABILITE ends it first:
				 * RADIE; STATUS_NONE otherwise */
	int new_period;		/* a rehire: the end of the last period
				 * goes to history */
	struct outcome out[TR_MAX_OUTCOMES];	/* out[0].to: the target of
						 * the handler's main path */
};

/* What the decisions read of an employee record: borrowed strings, NULL
 * for none; status STATUS_NONE when there is no record. */
struct record {
	long long id;			/* 0: no record */
	enum status status, prev_status;
	const char *nir;
	const char *person[F_COUNT];	/* the personal data (person_fields) */
	const char *date_fin_contrat, *motif_rupture, *radiation_at;
	const char *portabilite_debut, *portabilite_fin;
	const char *portabilite_motif_fin;
	const char *dispense_motif, *dispense_fin;
	const char *token_hash, *token_expires;	/* the live link */
	int token_n;
	const char *invited_on, *preuve_chomage;
	int relances;
	long long radiation_hist;	/* the last radiation's history row */
};

/* The fields of a record's personal data, which a movement carries onto
 * it (F_NONE-terminated): the columns of the same names. */
extern const enum field person_fields[];

/* The environment of a decision: borrowed, read only. */
struct decide_ctx {
	const struct cfg *cfg;
	const struct cfg_employer *emp;
	struct date today;
	const unsigned char *token_key;	/* signs the personal links */
	size_t token_keylen;
	int portal;			/* the movement came from the portal */
};

/* transition_of - the cell of (from, op); NULL for an operation the
 * apply step does not handle */
const struct transition *transition_of(enum status from, enum op op);

enum tr_result {
	TRANSITION_APPLY = 0,	/* call the handler of *t */
	TRANSITION_DONE,	/* already in effect: I200 added */
	TRANSITION_REFUSED,	/* an E finding added */
};

/*
 * transition_decide - the movement against the record's cell: the checks
 * of the operation that come before the status (E260-E263, E290, E294),
 * the guard, the again test, the verdict.  *t is the cell (NULL when the
 * operation has none: E106).  Findings go onto mv.
 */
enum tr_result transition_decide(const struct record *r, struct movement *mv,
				 const struct decide_ctx *c,
				 const struct transition **t);

/* transition_already - I200 "déjà pris en compte : <what>, ..." */
void transition_already(struct movement *mv, const char *what);

/* Names, for tests and the doc: "" when out of range. */
const char *handler_name(enum handler h);
/* notice_name - the outbox kind ("invitation") */
const char *notice_name(enum notice n);
/* notice_from_name - NOTICE_COUNT when no notice has that kind */
enum notice notice_from_name(const char *kind);
/* The operations of the table, in the doc's order (OP_NONE-terminated). */
extern const enum op transition_ops[];

/* transition_doc - docs/process.md's transition tables, as markdown, from
 * the cells; 0, or -1 when out is full */
int transition_doc(struct buf *out);

#endif
