/*
 * once - `affild --once` (once.h): one pass of the loop's work, to the end.
 *
 * The order is the daemon's at start: files left in work/ by a crash, the
 * deadlines that came due, then the requests and the drops until nothing
 * is ready, each file followed by timers_kick() as in the loop.  No
 * inotify: a file is ready by the settle rule alone (or its trigger
 * marker), so a file that is still settling when the drops run dry is
 * waited for, one settle time at most; one still changing after that is
 * left for the next run.  Then the outbox: every message due now, with
 * the configured transport; the smtp sender thread's outcomes are waited
 * for, and a retry the policy schedules later stays queued.
 *
 * The status comes from the store, not from what was logged: each file
 * this run touched (once_note(), from the pipeline) is read back at the
 * end, its state and return code as `affilctl file` shows them.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/once.h"
#include "daemon/reprocess.h"
#include "daemon/scan.h"
#include "daemon/signals.h"
#include "daemon/timers.h"
#include "mail/sender.h"

#define TICK_MS 50		/* a look at the drops while files settle */
#define MAIL_BATCH 50		/* messages per sender_run(), as the loop */
#define MAIL_WAIT_MS 1000	/* smtp: wait for outcomes, then look again */

struct once {
	char (*ids)[STORE_ID_LEN];	/* the files this run touched: 16
					 * bytes each, a run of a million
					 * files 16 MB */
	size_t n, cap;
};

struct tally {
	long files, accepted, rejected, left;
	long mail_failed, mail_pending;
};

/* once_note - see once.h */
void once_note(struct daemon *d, const char *id)
{
	struct once *o = d->once;

	if (o == NULL)
		return;
	if (o->n == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->ids = xrealloc(o->ids, o->cap * sizeof(*o->ids));
	}
	snprintf(o->ids[o->n++], STORE_ID_LEN, "%s", id);
}

/* nap - up to ms, woken by a signal; 1 when a stop was asked */
static int nap(struct daemon *d, int fd, int ms)
{
	struct pollfd p[2] = { { d->signal_fd, POLLIN, 0 }, { fd, POLLIN, 0 } };

	if (poll(p, fd >= 0 ? 2 : 1, ms) < 0 && errno != EINTR)
		log_warn_errno("event=poll_failed");
	return signals_poll(d);
}

/* fire_due - the deadlines due, in the timer's batches until none is left:
 * a batch that left more arms the timerfd in the past (timers.c) */
static void fire_due(struct daemon *d)
{
	struct pollfd p = { d->timer_fd, POLLIN, 0 };

	timers_run(d);
	while (!d->stopping && poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
		timers_event(d);
}

/* requests - every pending request the daemon would serve; 1 if any.
 * One that makes no progress (its copy cannot be made now) ends the
 * round: it stays pending for the next run. */
static int requests(struct daemon *d)
{
	struct reprocess_rec rq;
	long long last = -1;
	int any = 0;

	while (!d->stopping && store_reprocess_next(d->store, &rq) == 1 &&
	       rq.id != last) {
		last = rq.id;
		if (reprocess_serve(d)) {
			timers_kick(d);
			any = 1;
		}
	}
	return any;
}

/* settle_max - the longest settle time of any drop */
static long long settle_max(const struct cfg *cfg)
{
	long long ms = cfg->spool.settle_ms;
	size_t i;

	for (i = 0; i < cfg->nemployers; i++)
		if (cfg->employers[i].settle_ms > ms)
			ms = cfg->employers[i].settle_ms;
	return ms;
}

/* drops - every ready file, then those that settle within one settle
 * time of the first look that found nothing */
static void drops(struct daemon *d)
{
	long long until = -1, now;
	int did;

	while (!d->stopping) {
		did = requests(d);
		while (!d->stopping && scan_serve(d)) {
			timers_kick(d);
			did = 1;
		}
		if (did)
			continue;	/* more may be ready by now */
		if (spool_ready_waiting(d->ready) == 0)
			break;
		now = mono_ms();
		if (until < 0)
			until = now + settle_max(d->cfg) + TICK_MS;
		if (now >= until || nap(d, -1, TICK_MS))
			break;
	}
}

/* any_row, count_row - store_outbox_*() callbacks */
static int any_row(const struct outbox_rec *o, void *arg)
{
	(void)o;
	++*(long *)arg;
	return 1;
}

static int count_row(const struct outbox_rec *o, void *arg)
{
	(void)o;
	++*(long *)arg;
	return 0;
}

/* due_now - 1 when a message is due, 0 none, -1 error (logged) */
static int due_now(struct daemon *d)
{
	return store_outbox_waiting(d->store);
}

/*
 * deliver - the outbox until nothing is due now.  The file transport
 * writes a batch at each sender_run(); smtp hands it to the thread, and the
 * rows stay due until their outcomes are recorded, at a later sender_run().
 */
static void deliver(struct daemon *d)
{
	int n, fd;

	while (!signals_poll(d)) {
		n = sender_run(d->sender, d->store, d->cfg, MAIL_BATCH);
		if (n < 0 || due_now(d) <= 0)
			break;
		fd = sender_fd(d->sender);
		if (fd < 0 && n == 0)
			break;	/* due but not taken: outcomes unrecorded */
		if (fd >= 0 && nap(d, fd, MAIL_WAIT_MS))
			break;
	}
}

static int id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* count_files - each file this run touched, as the store has it now */
static void count_files(struct daemon *d, struct once *o, struct tally *t)
{
	struct file_rec f;
	size_t i;
	int rc;

	if (o->n > 1)
		qsort(o->ids, o->n, sizeof(*o->ids), id_cmp);
	for (i = 0; i < o->n; i++) {
		if (i > 0 && strcmp(o->ids[i], o->ids[i - 1]) == 0)
			continue;
		rc = store_file_get(d->store, o->ids[i], &f);
		if (rc == 0)
			continue;	/* a claim forgotten: still in in/ */
		t->files++;
		if (rc < 0 || strcmp(f.state, "claimed") == 0)
			t->left++;
		else if (f.return_code >= 2 ||
			 strcmp(f.state, "quarantined") == 0)
			t->rejected++;
		else
			t->accepted++;
		if (rc == 1)
			file_rec_free(&f);
	}
}

/* count_left - requests and drop files no run took */
static void count_left(struct daemon *d, struct tally *t)
{
	struct reprocess_rec rq;

	if (store_reprocess_next(d->store, &rq) != 0)
		t->left++;
	t->left += (long)(spool_ready_waiting(d->ready) +
			  spool_ready_unreadable_count(d->ready));
}

/* count_mail - failed since the run began, and pending (due or not) */
static void count_mail(struct daemon *d, long failed_before, struct tally *t)
{
	long failed = 0;

	if (store_outbox_each(d->store, "failed", count_row, &failed) < 0 ||
	    store_outbox_each(d->store, "pending", any_row,
			      &t->mail_pending) < 0)
		t->mail_pending++;	/* unknown: not "all delivered" */
	t->mail_failed = failed > failed_before ? failed - failed_before : 0;
}

/* once_run - see once.h */
int once_run(struct daemon *d, int deliver_mail)
{
	struct once o = { NULL, 0, 0 };
	struct tally t;
	long failed_before = 0;
	int status = 0;

	memset(&t, 0, sizeof(t));
	d->once = &o;
	if (deliver_mail)
		(void)store_outbox_each(d->store, "failed", count_row,
					&failed_before);
	(void)scan_resume(d);
	fire_due(d);
	drops(d);
	fire_due(d);
	if (deliver_mail && !d->stopping)
		deliver(d);
	count_files(d, &o, &t);
	count_left(d, &t);
	if (deliver_mail)
		count_mail(d, failed_before, &t);
	if (t.rejected)
		status |= ONCE_REJECTED;
	if (t.mail_failed || t.mail_pending)
		status |= ONCE_MAIL;
	if (t.left || d->stopping)
		status |= ONCE_LEFT;
	log_info("event=once_done files=%ld accepted=%ld rejected=%ld "
		 "left=%ld mail=%s mail_failed=%ld mail_pending=%d%s status=%d",
		 t.files, t.accepted, t.rejected, t.left,
		 deliver_mail ? "delivered" : "not_delivered", t.mail_failed,
		 t.mail_pending > 0, d->stopping ? " stopped=1" : "", status);
	d->once = NULL;
	free(o.ids);
	return status;
}
