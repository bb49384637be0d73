/*
 * reprocess - serve `affilctl reprocess ID --force` requests: copy the
 * original out of archive/ (or quarantine/) into work/ under a new
 * tracking id and run the pipeline on it, duplicate check waived.
 */
#ifndef AFFILD_REPROCESS_H
#define AFFILD_REPROCESS_H

#include "daemon/daemon.h"

/* reprocess_serve - take the oldest pending request; 1 if one was taken */
int reprocess_serve(struct daemon *d);

#endif
