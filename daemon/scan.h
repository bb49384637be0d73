/*
 * scan - which files to take next: watch the drops with inotify, rescan
 * them (events are only hints), claim one ready file per employer in turn,
 * and resume what a previous run left in work/.
 */
#ifndef AFFILD_SCAN_H
#define AFFILD_SCAN_H

#include "daemon/daemon.h"

/* scan_watch - (re)install the inotify watches for every drop folder */
int scan_watch(struct daemon *d);
/* scan_events - drain inotify; names that arrived by rename are ready */
void scan_events(struct daemon *d);
/* scan_let_go - a file out of work/ is nobody's any more (store_file_own);
 * one still there stays this daemon's, for its retry */
void scan_let_go(struct daemon *d, const char *id);
/* scan_resume - finish or redo every file a previous run left in work/ */
int scan_resume(struct daemon *d);
/* scan_serve - one ready file per employer, in turn; 1 if any was done */
int scan_serve(struct daemon *d);
/* scan_room_for - enough free space to claim a file of size? (logs the
 * change once: claiming stopped, claiming resumed) */
int scan_room_for(struct daemon *d, const char *employer, const char *name,
		  long long size);
/* scan_forget - drop the drops' queues (after a reload, at exit) */
void scan_forget(struct daemon *d);

#endif
