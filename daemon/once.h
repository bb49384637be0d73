/*
 * once - `affild --once`: the daemon's work done once, then exit, for a
 * cron job or a systemd timer instead of the service, and for the
 * benchmarks.  What is waiting is served by the loop's own paths: files
 * left in work/, the pending reprocess / approve / refuse requests, every
 * ready file of every drop (claim, pipeline, report), the deadlines due;
 * then the outbox, unless --no-deliver.
 *
 * The exit status adds up the bits below (0: all went well), in the way
 * fsck(8) does; start-up errors keep main.c's sysexits codes (64 and up),
 * which never collide with these.
 */
#ifndef AFFILD_ONCE_H
#define AFFILD_ONCE_H

#include "daemon/daemon.h"

/* A file of this run got CR2 or CR3: movements rejected, the whole file
 * rejected or quarantined, a duplicate, held or refused at the radiation
 * gate (validation drops included: their report says the same). */
#define ONCE_REJECTED 1
/* Mail is left in the outbox after delivery: a message failed for good
 * during this run, or waits for a retry scheduled later.  Never with
 * --no-deliver. */
#define ONCE_MAIL 2
/* Work is left for a later run: a file or request that failed for a
 * reason that may pass (database busy, disk full or low, stop signal), a
 * file still being written after a settle time, a file affild cannot
 * read. */
#define ONCE_LEFT 4

/* once_run - serve everything waiting, then deliver when asked; the
 * status bits above.  Called after start-up, the locks held. */
int once_run(struct daemon *d, int deliver);

/* once_note - pipeline: a run of file id ended (committed or not); does
 * nothing outside --once */
void once_note(struct daemon *d, const char *id);

#endif
