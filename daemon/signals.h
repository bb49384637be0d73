/*
 * signals - SIGTERM and SIGINT (stop) and SIGHUP (reload) through a
 * signalfd, read by the loop and, between movements and between files, by
 * the long stages (pipeline.c, scan.c), so a stop never waits for a big
 * file to end.  The flags live in the daemon context.
 */
#ifndef AFFILD_SIGNALS_H
#define AFFILD_SIGNALS_H

#include "daemon/daemon.h"

/* signals_open - block the three signals, open d->signal_fd; -1 logged.
 * Before any thread starts: threads inherit the mask. */
int signals_open(struct daemon *d);

/* signals_poll - drain the signalfd into d->stopping and d->reload;
 * 1 when a stop was asked */
int signals_poll(struct daemon *d);

#endif
