/*
 * ctl_write - affilctl's write verbs.  Each builds one CSV file of the
 * documented format and hands it to ctl_submit (the admin drop): affild
 * applies it, affilctl prints its report.  Nothing here opens the
 * database.
 *
 *   edit EMPLOYER NIR field=value...     MODIFICATION
 *   remind EMPLOYER NIR                  RELANCE
 *   force EMPLOYER NIR                   AFFILIATION_FORCEE
 *   radiate EMPLOYER NIR --fin --motif   RADIATION
 *   dispense EMPLOYER NIR --motif        DISPENSE
 *   reprocess ID --force                 RETRAITEMENT
 *   file ID approve|refuse               APPROBATION, REFUS
 *   outbox retry ID                      RENVOI_MESSAGE
 *   timers run [--as-of|--at] [--force]  ECHEANCES
 *   portability open|proof EMPLOYER NIR  OUVERTURE_PORTABILITE,
 *                                        PREUVE_CHOMAGE
 *
 * Each also takes --no-wait (queue only: print the file's name, exit 0)
 * and --timeout SECONDS (how long to wait for the report, default 60),
 * anywhere after the verb.
 */
#ifndef AFFILD_CTL_WRITE_H
#define AFFILD_CTL_WRITE_H

#include <stdio.h>

#include "config/config.h"

/* ctl_write_wants - 1 when argv (the verb first) is a write verb's line */
int ctl_write_wants(int argc, char **argv);

/* ctl_write - run it with the configuration cfg; an exit status
 * (sysexits.h; ctl_submit.h for those of the report) */
int ctl_write(const struct cfg *cfg, int argc, char **argv);

/* ctl_write_main - the same, the configuration read from path first */
int ctl_write_main(const char *path, int argc, char **argv);

/* ctl_write_usage - the write verbs' usage lines, for affilctl --help */
void ctl_write_usage(FILE *fp);

#endif
