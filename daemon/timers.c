/*
 * timers - the daemon's timer: when to look at the deadlines.
 *
 * Deadlines are calendar dates in Europe/Paris and fire from 00:00 on
 * their day.  The daily digest of employees to remind needs a look every
 * day too, so the timer is armed for the next Paris midnight (the next due
 * date can never be earlier than that once today's are fired), or at once
 * when a batch left more due.  TFD_TIMER_CANCEL_ON_SET makes a stepped
 * clock (NTP, an admin's `date -s`) read as ECANCELED: we then look again
 * and re-arm from the new time.  A file may create a deadline already due
 * (a dispense whose end date is past): timers_kick() checks after each
 * COMMIT, one step down an index.
 *
 * The expected-file calendar (process.md, "Expected files") has cutoffs
 * at a time of day: the timer is armed for the earliest of the next
 * midnight and the next cutoff of any employer, and each run looks at
 * every employer's latest passed occurrence (store_expected_run), so a
 * cutoff passed while the daemon was down is caught up at start.
 *
 * The loop must not die: a database error is logged and retried a minute
 * later.
 */
#include <errno.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "common/date.h"
#include "common/log.h"
#include "daemon/timers.h"
#include "rules/expected.h"
#include "store/store_expected.h"

#define TIMER_BATCH 200		/* firings per loop turn */
#define TIMER_RETRY_S 60	/* after a database error */

int timers_open(struct daemon *d)
{
	d->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK |
				     TFD_CLOEXEC);
	if (d->timer_fd < 0) {
		log_err_errno("event=timerfd_failed");
		return -1;
	}
	return 0;
}

void timers_close(struct daemon *d)
{
	if (d->timer_fd >= 0)
		close(d->timer_fd);
	d->timer_fd = -1;
}

/* arm_at - wake at the absolute wall-clock time t */
static void arm_at(struct daemon *d, time_t t)
{
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = t > 0 ? t : 1;	/* 0 would disarm */
	if (timerfd_settime(d->timer_fd, TFD_TIMER_ABSTIME |
			    TFD_TIMER_CANCEL_ON_SET, &its, NULL) < 0)
		log_err_errno("event=timer_arm_failed");
}

/* next_cutoff - the earliest cutoff after now of any employer, or t */
static time_t next_cutoff(const struct cfg *cfg, time_t now, time_t t)
{
	struct expected_occ occ;
	size_t i;

	for (i = 0; i < cfg->nemployers; i++)
		if (expected_next(&cfg->employers[i].expected, now, &occ) == 0 &&
		    occ.cutoff < t)
			t = occ.cutoff;
	return t;
}

/* arm_next - the next 00:00 Europe/Paris, or a cutoff before it */
static void arm_next(struct daemon *d, struct date today, time_t now)
{
	time_t t = date_midnight(date_add_days(today, 1));

	if (t == (time_t)-1)
		t = now + TIMER_RETRY_S;
	t = next_cutoff(d->cfg, now, t);
	arm_at(d, t);
	log_debug("event=timer_armed at=%lld", (long long)t);
}

/* expected_run - the expected-file alerts as of now; 0 or -1 */
static int expected_run(struct daemon *d, time_t now)
{
	int queued;

	if (store_expected_run(d->store, d->cfg, now, &queued) < 0)
		return -1;
	if (queued)
		log_info("event=expected_checked late_alerts=%d", queued);
	return 0;
}

void timers_run(struct daemon *d)
{
	struct timer_run run;
	time_t now = time(NULL);

	memset(&run, 0, sizeof(run));
	run.cfg = d->cfg;
	run.token_key = d->token_key;
	run.token_keylen = d->token_keylen;
	run.as_of = date_of_time(now);
	run.max = TIMER_BATCH;
	if (store_timers_run(d->store, &run) < 0 || expected_run(d, now) < 0) {
		log_warn("event=timers_failed retry_s=%d", TIMER_RETRY_S);
		arm_at(d, time(NULL) + TIMER_RETRY_S);
		return;
	}
	if (run.fired || run.noop || run.skipped || run.digests)
		log_info("event=timers_run fired=%d noop=%d skipped=%d "
			 "digests=%d more=%d", run.fired, run.noop,
			 run.skipped, run.digests, run.more);
	if (run.more)
		arm_at(d, 1);	/* in the past: readable at once */
	else
		arm_next(d, run.as_of, now);
}

void timers_event(struct daemon *d)
{
	unsigned long long n;

	if (read(d->timer_fd, &n, sizeof(n)) < 0) {
		if (errno == EAGAIN)
			return;
		if (errno == ECANCELED)
			log_info("event=clock_changed action=timers_rearmed");
		else
			log_warn_errno("event=timer_read_failed");
	}
	timers_run(d);
}

void timers_kick(struct daemon *d)
{
	struct date due;
	int rc = store_timer_next(d->store, &due);

	if (rc == 1 && date_cmp(due, date_today()) <= 0)
		timers_run(d);
}
