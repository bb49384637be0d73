/*
 * ctl_files - `files` (every file received) and `file ID` (one file and
 * its rejected and warning lines); `file ID approve|refuse` is in
 * ctl_request.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "ctl/ctl.h"

/* ---- files -------------------------------------------------------------- */

static const struct ctl_col file_cols[] = {
	{ "id", "ID", 15, 0 }, { "employer", "EMPLOYEUR", 9, 0 },
	{ "name", "FICHIER", 24, 0 }, { "state", "ÉTAT", 11, 0 },
	{ "return_code", "CR", 4, 1 }, { "movements", "MVTS", 6, 1 },
	{ "accepted", "ACC.", 6, 1 }, { "rejected", "REJ.", 6, 1 },
	{ "report", "COMPTE RENDU", 0, 0 },
};

static int print_file(const struct file_rec *f, void *arg)
{
	char rc[16], mv[24], ac[24], rj[24];
	const char *vals[9];

	snprintf(rc, sizeof(rc), "%d", f->return_code);
	snprintf(mv, sizeof(mv), "%ld", f->movements);
	snprintf(ac, sizeof(ac), "%ld", f->accepted);
	snprintf(rj, sizeof(rj), "%ld", f->rejected);
	vals[0] = f->id; vals[1] = f->employer; vals[2] = f->name;
	vals[3] = f->state; vals[4] = f->return_code < 0 ? NULL : rc;
	vals[5] = mv; vals[6] = ac; vals[7] = rj;
	vals[8] = f->report;
	ctl_row(arg, file_cols, vals, 9);
	return 0;
}

int ctl_files(struct ctl *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ctl_header(c, file_cols, 9);
	if (store_files_each(c->st, c->employer, c->status, print_file, c) < 0)
		return EX_SOFTWARE;
	ctl_end(c);
	return 0;
}

static int print_line(long line, const char *op, const char *nir,
		      const char *result, const char *code, const char *field,
		      const char *msg, void *arg)
{
	printf("  ligne %ld %s %s %s %s %s: %s\n", line, op ? op : "",
	       nir ? nir : "", result, code, field ? field : "", msg);
	(void)arg;
	return 0;
}

int ctl_file(struct ctl *c, int argc, char **argv)
{
	struct file_rec f;
	int rc;

	if (argc == 3)
		return ctl_file_decide(c, argv[1], argv[2]);
	if (argc != 2) {
		fprintf(stderr, "affilctl: usage: file ID [approve|refuse]\n");
		return EX_USAGE;
	}
	rc = store_file_get(c->st, argv[1], &f);
	if (rc != 1) {
		fprintf(stderr, "affilctl: file %s: %s\n", argv[1],
			rc == 0 ? "unknown id" : "database error");
		return rc == 0 ? EX_DATAERR : EX_SOFTWARE;
	}
	printf("id: %s\nemployer: %s\nname: %s\nstate: %s\nreceived: %s\n"
	       "processed: %s\nreturn_code: %d\nmovements: %ld\naccepted: %ld\n"
	       "rejected: %ld\nwarnings: %ld\nreport: %s\n%s%s%s", f.id,
	       f.employer, f.name, f.state, f.received_at,
	       f.processed_at ? f.processed_at : "", f.return_code,
	       f.movements, f.accepted, f.rejected, f.warnings,
	       f.report ? f.report : "", f.message ? "message: " : "",
	       f.message ? f.message : "", f.message ? "\n" : "");
	file_rec_free(&f);
	printf("lines:\n");
	return store_file_lines_each(c->st, argv[1], print_line, c) < 0 ?
	       EX_SOFTWARE : 0;
}
