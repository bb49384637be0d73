/*
 * ctl_submit - how affilctl changes anything: never in the database, always
 * through the daemon (Postfix's postdrop → pickup).  A change is a CSV
 * file of the documented format (docs/formats.md, with the admin drop's
 * own operations), written into the admin drop <spool>/.affild/admin/in/
 * under a temporary name, fsynced, then renamed: affild never sees a
 * partial file.  affild applies it like any other file, with the history
 * cause admin:<login> of the file's owner, and writes its report into
 * .affild/admin/out/; ctl_submit waits for it, prints it, and turns its
 * return code into an exit status:
 *
 *   0            CR0, CR1: applied (warnings are no failure)
 *   EX_DATAERR   CR2, CR3: lines rejected (each said on stderr too)
 *   EX_TEMPFAIL  no report within the timeout: the file stays queued
 *   EX_NOPERM    the admin drop is not ours to write: not in
 *                spool.admin_group (the message names it)
 *   EX_UNAVAILABLE, EX_IOERR, EX_SOFTWARE  no drop, a failed write, ...
 *
 * Run by root through sudo, the file is given to the sudo caller
 * (SUDO_UID): the history names the person, not root.
 */
#ifndef AFFILD_CTL_SUBMIT_H
#define AFFILD_CTL_SUBMIT_H

#include <stdio.h>

#include "common/buf.h"
#include "config/config.h"

#define CTL_SUBMIT_TIMEOUT_S 60	/* --timeout's default */
#define CTL_CSV_MAX (16u << 20)	/* the largest file affilctl writes */

/* A file being written: a header, then rows of as many values. */
struct ctl_csv {
	struct buf b;
	int ncols;
};

/* ctl_csv_init - the header line; cols borrowed for the call only */
void ctl_csv_init(struct ctl_csv *c, const char *const *cols, int ncols);
/* ctl_csv_row - one row of ncols values (NULL: empty), quoted where the
 * reader needs it (RFC 4180); 0, -1 when the file would pass CTL_CSV_MAX */
int ctl_csv_row(struct ctl_csv *c, const char *const *vals);
void ctl_csv_free(struct ctl_csv *c);

struct ctl_submit {
	const char *verb;	/* the start of the file's name ("edit") */
	int wait;		/* 0: --no-wait, print the name, exit 0 */
	int timeout_s;		/* --timeout */
	/* A document the row asks for, beside the report in out/:
	 * <name>.<id><attach> (".bulletin-2.pdf"), copied into attach_fp
	 * (affilctl's -o FILE) or, when NULL, its path printed. */
	const char *attach;
	FILE *attach_fp;
	int json;		/* --format json: the report's lines as the
				 * typed JSON of `affilctl file ID` */
};

/* ctl_submit - csv into the admin drop, then (o->wait) its report
 * printed; an exit status as above, its reason said on stderr */
int ctl_submit(const struct cfg *cfg, const struct ctl_csv *csv,
	       const struct ctl_submit *o);

#endif
