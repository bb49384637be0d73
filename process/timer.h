/*
 * timer - the deadlines of docs/process.md as data: for each kind, the
 * statuses on which it fires, the status it leaves and the words of its
 * history row.  The store's timers (store/store_timer.c) claim a deadline,
 * load the record and ask timer_fires(); on "no" the deadline was made
 * moot by what happened since (the employee finished, the dispense was
 * renewed) and is closed with nothing else.
 *
 * Pure data and pure functions: no I/O.
 */
#ifndef AFFILD_PROCESS_TIMER_H
#define AFFILD_PROCESS_TIMER_H

#include "process/status.h"

enum deadline_kind {
	DL_RELANCE,		/* an invitation unanswered */
	DL_RELANCE_AUTO,	/* the next automatic reminder */
	DL_JETON,		/* the personal link's last day passed */
	DL_FIN_PORTABILITE,
	DL_FIN_DISPENSE,
	DL_PREUVE_DISPENSE,	/* renewed proof asked before the end */
	DL_RADIATION,		/* a radiation held for its day */
	DL_AYANT_DROIT_AGE,	/* a child reaches the age limit */
	DL_PREUVE_CHOMAGE,	/* proof of unemployment benefits awaited */
	DL_COUNT
};

#define DL_ANY_STATUS 0u	/* timer_rule.from: fires on any status */

struct timer_rule {
	const char *name;	/* the database's kind */
	unsigned from;		/* 1u << status for each status it fires
				 * on; DL_ANY_STATUS */
	enum status to;		/* STATUS_NONE: the status is unchanged */
	const char *what;	/* the history row; NULL: the handler's */
};

/* timer_rule - the rule of kind; NULL out of range */
const struct timer_rule *timer_rule(enum deadline_kind kind);
/* timer_kind_from_name - DL_COUNT for a name no kind has */
enum deadline_kind timer_kind_from_name(const char *name);
/* timer_fires - 1 when a deadline of kind fires on a record in status */
int timer_fires(enum deadline_kind kind, enum status status);

#endif
