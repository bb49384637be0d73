/*
 * change - what one movement (or one deadline, or one admin decision) does
 * to an employee record, as a value.
 *
 * The handlers of process/handle.h decide a change from the record, the
 * facts only the database knows (struct facts), the movement, the date
 * and the config; the store writes it (store/store_change.c) in a fixed
 * order and decides nothing:
 *
 *   1. a RUM generated (rum_generate), the movement's RUM from then on;
 *   2. a new record inserted (record);
 *   3. the history rows (hist[], in order; a radiation's row id is
 *      written on the record next);
 *   4. the record's columns: its last period closed (new_period), its
 *      status, the movement's personal data (person), a new NIR, the
 *      other columns (set[]), a radiation's (radiated);
 *   5. the beneficiary added or ended (ben);
 *   6. the deadlines cancelled (drop, drop_age), the link revoked and the
 *      reminder dropped (covered), the deadlines set (due[]);
 *   7. a fresh personal link queued (invite), then the notices (notice[]),
 *      about the record as written.
 *
 * A change owns its strings: they live in its arena (change_str), so a
 * later mv_set() on the movement cannot pull them away.  No allocation,
 * no I/O.
 */
#ifndef AFFILD_PROCESS_CHANGE_H
#define AFFILD_PROCESS_CHANGE_H

#include <stddef.h>

#include "common/date.h"
#include "process/decide.h"
#include "process/timer.h"

enum change_record {
	CR_UPDATE = 0,		/* the record exists (or nothing to write) */
	CR_INSERT,		/* a new record */
	CR_INSERT_INVITED,	/* a new record with its first link and the
				 * relance and jeton deadlines, queued */
};

/* Who a notice goes to. */
enum recipient {
	RCPT_EMPLOYEE = 0,	/* the email, else a letter */
	RCPT_DEPARTURE,		/* the personal email first, else the email,
				 * else a letter; a letter too when the
				 * employer asks (departure_letter) */
	RCPT_EMPLOYER,		/* addr, an employer's address (NULL: none) */
	RCPT_DEPENDANTS,	/* a loi Evin letter to each covered adult
				 * dependant (the store lists them) */
};

enum ben_op { BEN_NONE = 0, BEN_ADD, BEN_END };

#define CHANGE_SETS 16
#define CHANGE_HIST 3
#define CHANGE_DUES 3
#define CHANGE_NOTICES 2
#define CHANGE_VARS 10		/* name/value pairs of one notice */
#define CHANGE_ARENA 3072

struct change_notice {
	enum notice kind;
	enum recipient to;
	const char *addr;		/* RCPT_EMPLOYER */
	const char *vars[2 * CHANGE_VARS + 1];	/* NULL-terminated */
};

struct change {
	enum change_record record;
	enum status to;			/* STATUS_NONE: unchanged */
	int person;			/* the movement's personal data */
	int new_period;			/* a rehire: the last period's end
					 * data cleared, every deadline
					 * dropped */
	int rum_generate;		/* a RUM drawn for a direct debit */
	const char *nir;		/* a new NIR (MODIFICATION) */
	struct { const char *col, *value; } set[CHANGE_SETS];
	size_t nset;			/* value NULL: the column cleared */
	struct { enum status from, to; const char *what; } hist[CHANGE_HIST];
	size_t nhist;
	int radiated;			/* rad carried out: its columns,
					 * the link revoked, the deadline
					 * columns cleared, the last of
					 * hist[] noted as the radiation's
					 * row (radiation_change adds it
					 * last) */
	struct radiation rad;
	struct {
		enum ben_op op;
		long long id;		/* BEN_END */
		const char *date_fin;	/* BEN_END */
		int age_due;		/* BEN_ADD: the age limit's deadline */
		struct date age;
	} ben;
	unsigned drop;			/* DL_BIT()s of the kinds cancelled */
	const char *drop_age;		/* the data of the ayant_droit_age
					 * deadline cancelled */
	int covered;			/* the link revoked, no reminder */
	struct { enum deadline_kind kind; struct date due;
		 const char *data; } due[CHANGE_DUES];
	size_t ndue;
	enum notice invite;		/* NOTICE_COUNT: none; else a fresh
					 * link queued with this template */
	struct change_notice notice[CHANGE_NOTICES];
	size_t nnotice;
	struct change_notice spare;	/* the one past the last, when full */
	int full;			/* an add did not fit: a bug */
	size_t used;
	char arena[CHANGE_ARENA];
};

#define DL_BIT(k) (1u << (k))

/* change_init - nothing to write */
void change_init(struct change *c);
/* change_empty - the change writes nothing */
int change_empty(const struct change *c);

/* change_str - s copied into the arena (NULL stays NULL; "" when full) */
const char *change_str(struct change *c, const char *s);
/* change_strf - a formatted string in the arena */
const char *change_strf(struct change *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* change_date - an ISO date in the arena */
const char *change_date(struct change *c, struct date d);

/* change_set - one column (a static name) to value (copied; NULL clears) */
void change_set(struct change *c, const char *col, const char *value);
/* change_hist - one history row (what copied) */
void change_hist(struct change *c, enum status from, enum status to,
		 const char *what);
/* change_due - a deadline of kind on due, with data (copied; NULL) */
void change_due(struct change *c, enum deadline_kind kind, struct date due,
		const char *data);
/* change_notice - kind to rcpt; then change_var() its vars */
struct change_notice *change_notice(struct change *c, enum notice kind,
				    enum recipient rcpt);
/* change_var - one name (static) and value (copied; NULL: no var) of
 * notice n */
void change_var(struct change *c, struct change_notice *n, const char *name,
		const char *value);

#endif
