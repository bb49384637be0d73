/*
 * timers - the daemon's side of the deadlines: one timerfd on the wall
 * clock (CLOCK_REALTIME, absolute, cancelled when the clock is stepped)
 * wakes the loop at the next 00:00 Europe/Paris; the deadlines themselves
 * live in SQLite and fire through store_timers_run(), so a daemon stopped
 * for a week catches up at start, in order, and nothing fires twice.
 */
#ifndef AFFILD_DAEMON_TIMERS_H
#define AFFILD_DAEMON_TIMERS_H

#include "daemon/daemon.h"

/* timers_open - the timerfd in d->timer_fd; -1 on error (start-up dies) */
int timers_open(struct daemon *d);
void timers_close(struct daemon *d);

/* timers_run - fire what is due today (a batch), then arm the timer */
void timers_run(struct daemon *d);

/* timers_event - the timerfd is readable: midnight, or the clock moved */
void timers_event(struct daemon *d);

/* timers_kick - after a file's COMMIT: fire at once what it made due */
void timers_kick(struct daemon *d);

#endif
