/*
 * check - the movement-level checks: which fields each operation needs,
 * every field through its validator (validate.h), and the rules that join
 * fields (birth date against hire date and NIR, mandate when the option is
 * paid by direct debit, an email or a postal address for an invitation).
 *
 * check_movement() normalises the values it accepts in place (NIR without
 * spaces, dates as AAAA-MM-JJ, IBAN in upper case, categorie by name) and
 * attaches a finding for each problem; a movement with an E finding must
 * not be applied.  It never reads the database: what depends on the records
 * (unknown employee, transitions) is the store's job.
 */
#ifndef AFFILD_CHECK_H
#define AFFILD_CHECK_H

#include "common/date.h"
#include "config/config.h"
#include "parsers/movement.h"

struct check_ctx {
	const struct cfg *cfg;
	const struct cfg_employer *emp;	/* the employer of the movement */
	struct date today;
	int portal;			/* the file came through the portal */
	int admin;			/* ... through the admin drop: its own
					 * operations allowed (else E270) */
};

void check_movement(const struct check_ctx *ctx, struct movement *mv);

#endif
