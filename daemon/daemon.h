/*
 * daemon - the daemon context: the one piece of mutable process-wide state,
 * built in main() and passed to whoever needs it.
 */
#ifndef AFFILD_DAEMON_H
#define AFFILD_DAEMON_H

#include <stddef.h>

#include "config/config.h"
#include "spool/spool.h"
#include "store/store.h"

struct daemon {
	const char *config_path;
	struct cfg *cfg;		/* owned; swapped on SIGHUP */
	struct store *store;		/* the only writer connection */
	struct sender *sender;		/* mail transport (smtp: a thread) */
	unsigned char token_key[64];
	size_t token_keylen;
	struct spool_ready *ready;
	int inotify_fd;
	struct watch {
		int wd;
		char *dir;		/* owned */
	} *watches;
	size_t nwatches;
	int signal_fd;
	int stopping;			/* SIGTERM/SIGINT received */
	int reload;			/* SIGHUP received */
	int disk_low;			/* claiming stopped: logged once */
	size_t turn;			/* next employer to serve */
	struct scan_queue *queues;	/* per drop folder: scan.c's */
	size_t nqueues;
	long long next_rescan_ms;
	long long (*clock_ms)(void);	/* monotonic ms; NULL: mono_ms().  The
					 * unit tests inject theirs (settle) */
	int timer_fd;			/* deadlines: daemon/timers.c */
	long long next_retention_ms;	/* daily; 0: at start */
	long long metrics_at_ms;	/* last metrics_write(): metrics.c */
	int metrics_dirty;		/* something changed since */
	int lock_fds[2];		/* the instance locks: daemon/lock.c */
	struct once *once;		/* --once: the run's files (once.c);
					 * NULL in the daemon */
};


#endif
