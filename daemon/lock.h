/*
 * lock - one affild at a time on a spool and on a database.
 *
 * The daemon and `affild --once` both hold an flock(2) on two files for
 * their whole life: `<spool>/.affild/lock` and `<database.path>-lock`.  A
 * second affild on either (a cron `--once` beside the running service, two
 * configurations naming the same spool or the same database) is refused at
 * start, before it opens the database: two writers would claim each
 * other's files in work/ and forget each other's claims.  The kernel drops
 * the locks when the process ends, however it ends; the files stay, and
 * hold the pid of the last holder (for the message, never trusted).
 */
#ifndef AFFILD_LOCK_H
#define AFFILD_LOCK_H

#include "daemon/daemon.h"

enum lock_rc {
	LOCK_OK = 0,
	LOCK_HELD,	/* another affild holds it (logged): EX_TEMPFAIL */
	LOCK_ERROR	/* a lock file could not be made (logged) */
};

/* lock_take - both locks into d->lock_fds; on error none is kept */
enum lock_rc lock_take(struct daemon *d);

/* lock_release - close the lock files (the kernel releases the locks) */
void lock_release(struct daemon *d);

#endif
