/*
 * metrics - a Prometheus text file (node_exporter's textfile collector
 * reads it), rewritten whole each rescan period when `metrics_file` is set.
 */
#ifndef AFFILD_METRICS_H
#define AFFILD_METRICS_H

#include "daemon/daemon.h"

void metrics_write(struct daemon *d);

#endif
