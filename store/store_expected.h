/*
 * store_expected - the two alerts of the expected-file calendar
 * (process.md, "Expected files"): no file by the cutoff of an occurrence,
 * and a file far smaller than the employer's usual ones.
 *
 * Each alert is an email to the employer's contact_email and, when set,
 * to process.admin_email, queued in the outbox in the same transaction as
 * the expected_alert row that makes it happen once: the late alert in a
 * transaction of its own (one per employer), the small-file alert in the
 * file's own transaction, before its COMMIT.
 *
 * Errors: 0 / -1 after logging, lookups 1 / 0 / -1 (docs/hacking.md).
 */
#ifndef AFFILD_STORE_EXPECTED_H
#define AFFILD_STORE_EXPECTED_H

#include <time.h>

#include "config/config.h"
#include "rules/expected.h"
#include "store/store.h"

/*
 * store_expected_run - for each employer with a calendar, the latest
 * occurrence whose cutoff is at or before now: when no file came since the
 * previous cutoff and it was not alerted yet, queue the alert (one
 * transaction each).  Only that latest occurrence: a daemon down for
 * months tells once, not once a month.  *queued: alerts queued.
 */
int store_expected_run(struct store *st, const struct cfg *cfg, time_t now,
		       int *queued);
/* store_expected_run_in - the same inside the caller's transaction (an
 * ECHEANCES row of the admin drop), each employer under a savepoint */
int store_expected_run_in(struct store *st, const struct cfg *cfg,
			  time_t now, int *queued);

/*
 * store_expected_small - inside the file's transaction, after its row is
 * finished: when the employer checks sizes and this file has fewer
 * movements than min_share of the median of the last EXPECTED_HISTORY
 * applied files (at least EXPECTED_MIN_HISTORY of them), queue the alert.
 * 1 queued, 0 not, -1 error.
 */
int store_expected_small(struct store *st, const struct cfg *cfg,
			 const char *employer, const char *file_id,
			 const char *file_name, long movements);

/* What `affilctl employers` shows of one employer. */
struct expected_state {
	char last_id[STORE_ID_LEN];	/* "" when no file yet */
	char last_at[32];		/* received_at, UTC ISO 8601 */
	long last_movements;
	int has_calendar;
	struct expected_occ next;	/* the occurrence waited for */
	int late;			/* the last cutoff passed, no file */
};

/* store_expected_state - out for emp as of now; 0 or -1 */
int store_expected_state(struct store *st, const struct cfg_employer *emp,
			 time_t now, struct expected_state *out);

#endif
