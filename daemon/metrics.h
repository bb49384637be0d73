/*
 * metrics - a Prometheus text file for node_exporter's textfile collector,
 * `metrics_file` (by default affild.prom beside the database), mode 0640.
 * Rewritten whole (temporary file, rename) at start, within a second after
 * files and mail batches, each rescan period, at reload, and at stop with
 * affild_up 0, so a scraper never reads half a file nor a stale "up".
 */
#ifndef AFFILD_METRICS_H
#define AFFILD_METRICS_H

#include "daemon/daemon.h"

/* metrics_write - up: 1 while running, 0 for the last write at stop */
void metrics_write(struct daemon *d, int up);

/*
 * metrics_soon - something changed (a file, a mail batch, a timer):
 * metrics_flush(), called every tick, rewrites the file at most once a
 * second.  The queries scan the file and outbox tables: once per file of
 * a burst of thousands would cost more than the files.
 */
void metrics_soon(struct daemon *d);
void metrics_flush(struct daemon *d);

#endif
