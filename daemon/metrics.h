/*
 * metrics - a Prometheus text file for node_exporter's textfile collector,
 * `metrics_file` (by default affild.prom beside the database), mode 0640.
 * Rewritten whole (temporary file, rename) at start, after each file and
 * each mail batch, each rescan period, at reload, and at stop with
 * affild_up 0, so a scraper never reads half a file nor a stale "up".
 */
#ifndef AFFILD_METRICS_H
#define AFFILD_METRICS_H

#include "daemon/daemon.h"

/* metrics_write - up: 1 while running, 0 for the last write at stop */
void metrics_write(struct daemon *d, int up);

#endif
