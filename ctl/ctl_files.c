/*
 * ctl_files - the files received: `files` (a listing, by employer and
 * state) and `file ID` (one file, its counts and its rejected and warning
 * lines, the NIR of each as the report gave it to the employer).
 * `file ID approve|refuse` is a change for the admin drop (ctl_write.c).
 */
#include <stdio.h>
#include <sysexits.h>

#include "ctl/ctl.h"

/* A file's fields, the same in the listing and in `file ID`. */
enum { FC_ID, FC_EMPLOYER, FC_NAME, FC_STATE, FC_VALIDATION, FC_RC, FC_MOVEMENTS,
       FC_ACCEPTED, FC_REJECTED, FC_WARNINGS, FC_RECEIVED, FC_PROCESSED,
       FC_REPORT, FC_SIZE, FC_MESSAGE, FC_COUNT };

static const struct ctl_col file_cols[FC_COUNT] = {
	[FC_ID] = { "file_id", "ID", COL_TEXT },
	[FC_EMPLOYER] = { "employer", "EMPLOYEUR", COL_TEXT },
	[FC_NAME] = { "file_name", "FICHIER", COL_TEXT },
	[FC_STATE] = { "state", "ÉTAT", COL_TEXT },
	[FC_VALIDATION] = { "validation", "VALID.", COL_BOOL },
	[FC_RC] = { "return_code", "CR", COL_INT },
	[FC_MOVEMENTS] = { "movements", "MVTS", COL_INT },
	[FC_ACCEPTED] = { "accepted", "ACC.", COL_INT },
	[FC_REJECTED] = { "rejected", "REJ.", COL_INT },
	[FC_WARNINGS] = { "warnings", "AVERT.", COL_INT },
	[FC_RECEIVED] = { "received_at", "REÇU", COL_TEXT },
	[FC_PROCESSED] = { "processed_at", "TRAITÉ", COL_TEXT },
	[FC_REPORT] = { "report", "COMPTE RENDU", COL_TEXT },
	[FC_SIZE] = { "size", "OCTETS", COL_INT },
	[FC_MESSAGE] = { "message", "MESSAGE", COL_TEXT },
};

/* The listing's columns: all but the size and the message. */
#define FC_LISTED FC_SIZE

/* Where a file's numbers are written as text. */
struct nums {
	char rc[16], mv[24], ac[24], rj[24], wn[24], sz[24];
};

/* file_vals - the FC_COUNT values of f, borrowed from f and n */
static void file_vals(const struct file_rec *f, struct nums *n,
		      const char **vals)
{
	snprintf(n->rc, sizeof(n->rc), "%d", f->return_code);
	snprintf(n->mv, sizeof(n->mv), "%ld", f->movements);
	snprintf(n->ac, sizeof(n->ac), "%ld", f->accepted);
	snprintf(n->rj, sizeof(n->rj), "%ld", f->rejected);
	snprintf(n->wn, sizeof(n->wn), "%ld", f->warnings);
	snprintf(n->sz, sizeof(n->sz), "%lld", f->size);
	vals[FC_ID] = f->id;
	vals[FC_EMPLOYER] = f->employer;
	vals[FC_NAME] = f->name;
	vals[FC_STATE] = f->state;
	vals[FC_VALIDATION] = f->validation ? "1" : "0";
	vals[FC_RC] = f->return_code < 0 ? NULL : n->rc;
	vals[FC_MOVEMENTS] = n->mv;
	vals[FC_ACCEPTED] = n->ac;
	vals[FC_REJECTED] = n->rj;
	vals[FC_WARNINGS] = n->wn;
	vals[FC_RECEIVED] = f->received_at;
	vals[FC_PROCESSED] = f->processed_at;
	vals[FC_REPORT] = f->report;
	vals[FC_SIZE] = n->sz;
	vals[FC_MESSAGE] = f->message;
}

static int list_file(const struct file_rec *f, void *arg)
{
	const char *vals[FC_COUNT];
	struct nums n;

	file_vals(f, &n, vals);
	ctl_list_row(arg, vals);
	return 0;
}

int ctl_files(struct ctl *c)
{
	ctl_list_begin(c->out, NULL, NULL, file_cols, FC_LISTED);
	if (store_files_each(c->st, c->employer, c->state, list_file,
			     c->out) < 0)
		return ctl_db_error(c, "files");
	ctl_list_end(c->out);
	return 0;
}

/* ---- one file ------------------------------------------------------------- */

/* A report's lines: `file ID` and a change's report in JSON (ctl.h) */
const struct ctl_col ctl_line_cols[CTL_LINE_COLS] = {
	{ "line", "LIGNE", COL_INT }, { "operation", "OPÉRATION", COL_TEXT },
	{ "nir", "NIR", COL_TEXT }, { "result", "RÉSULTAT", COL_TEXT },
	{ "code", "CODE", COL_TEXT }, { "field", "CHAMP", COL_TEXT },
	{ "message", "MESSAGE", COL_TEXT },
};

static int one_line(long line, const char *op, const char *nir,
		    const char *result, const char *code, const char *field,
		    const char *msg, void *arg)
{
	char no[24];
	const char *vals[] = { no, op, nir, result, code, field, msg };

	snprintf(no, sizeof(no), "%ld", line);
	ctl_list_row(arg, vals);
	return 0;
}

/* ctl_file - a record: the file (as in the listing, with its size and
 * message), then its lines; an unknown id is EX_NOINPUT */
int ctl_file(struct ctl *c)
{
	const char *vals[FC_COUNT];
	struct file_rec f;
	struct nums n;
	int rc, i;

	rc = store_file_get(c->st, c->args[0], &f);
	if (rc == 0) {
		fprintf(stderr, "affilctl: file: no file %s (see affilctl "
			"files)\n", c->args[0]);
		return EX_NOINPUT;
	}
	if (rc < 0)
		return ctl_db_error(c, "file");
	file_vals(&f, &n, vals);
	ctl_record_begin(c->out);
	ctl_object_begin(c->out, "file");
	for (i = 0; i < FC_COUNT; i++)
		ctl_record_field(c->out, &file_cols[i], vals[i]);
	ctl_object_end(c->out);
	file_rec_free(&f);
	ctl_list_begin(c->out, "lines", "lignes rejetées et avertissements",
		       ctl_line_cols, CTL_LINE_COLS);
	if (store_file_lines_each(c->st, c->args[0], one_line, c->out) < 0)
		return ctl_db_error(c, "file");
	ctl_list_end(c->out);
	ctl_record_end(c->out);
	return 0;
}
