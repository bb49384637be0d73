/*
 * ctl_out - affilctl's output as an aligned table, CSV or JSON (ctl.h).
 *
 * Everything is written as it comes, so that a listing of a million rows
 * costs the memory of one row: JSON and CSV at once, a table once its
 * first TABLE_BLOCK rows are measured (later rows take those widths, a
 * longer value pushing its line out).  The fields of a record wait for
 * its first listing or its end in a table and in CSV, which print them
 * as a group (a column of labels; a header over one row).
 *
 * JSON strings (keys and values) are escaped by json-c; this file writes
 * the brackets, the commas and the numbers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/utf8.h"
#include "common/util.h"
#include "ctl/ctl.h"

#define TABLE_BLOCK 512		/* rows measured before a table is printed */
#define FIELDS_MAX 128		/* fields of one group of a record */
#define COLS_MAX 32		/* columns of a listing */
#define DEPTH_MAX 4

struct out_field {
	char *key, *label, *val;
	enum col_type type;
};

struct ctl_out {
	FILE *fp;
	enum format fmt;
	int started;			/* anything written (CSV: the BOM) */
	/* JSON: the open containers, and the items written in each */
	int depth;
	long items[DEPTH_MAX];
	/* a record: parts printed so far (a blank line before the next) */
	int in_record, parts;
	struct out_field fields[FIELDS_MAX];
	int nfields;
	/* the listing open */
	const struct ctl_col *cols;
	int ncols, nested;
	long nrows;
	char **block;			/* table: rows waiting to be measured */
	int nblock, measured;
	int width[COLS_MAX];
};

/* ---- cells ------------------------------------------------------------- */

static void json_string(FILE *fp, const char *s)
{
	json_object *o = json_object_new_string(s);

	fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_NOSLASHESCAPE),
	      fp);
	json_object_put(o);
}

/* json_value - null, a number, a boolean or a string, by type */
static void json_value(FILE *fp, enum col_type type, const char *v)
{
	char *end;
	long long n;

	if (v == NULL) {
		fputs("null", fp);
		return;
	}
	if (type == COL_INT && *v) {
		errno = 0;
		n = strtoll(v, &end, 10);
		if (*end == '\0' && errno == 0) {
			fprintf(fp, "%lld", n);
			return;
		}
	}
	if (type == COL_BOOL) {
		fputs(strcmp(v, "0") == 0 ? "false" : "true", fp);
		return;
	}
	json_string(fp, v);
}

/* text_value - a value as a table or CSV shows it */
static const char *text_value(const struct ctl_out *o, enum col_type type,
			      const char *v)
{
	if (v == NULL)
		return "";
	if (type != COL_BOOL)
		return v;
	if (o->fmt == FMT_CSV)
		return strcmp(v, "0") == 0 ? "false" : "true";
	return strcmp(v, "0") == 0 ? "non" : "oui";
}

/* csv_cell - RFC 4180 quoting, and a quote before formula starters */
static void csv_cell(FILE *fp, int i, const char *v)
{
	int guard = *v && strchr("=+-@\t\r", *v) != NULL;

	if (i)
		putc(';', fp);
	if (!guard && strpbrk(v, ";\"\r\n") == NULL) {
		fputs(v, fp);
		return;
	}
	putc('"', fp);
	if (guard)
		putc('\'', fp);
	for (; *v; v++) {
		if (*v == '"')
			putc('"', fp);
		putc(*v, fp);
	}
	putc('"', fp);
}

/* padded - v and spaces to width characters (not bytes: names are UTF-8) */
static void padded(FILE *fp, const char *v, int width)
{
	int chars = (int)utf8_chars(v);

	fprintf(fp, "%s%*s", v, chars < width ? width - chars : 0, "");
}

/* start - the first write: CSV opens with a BOM, for Excel's sake */
static void start(struct ctl_out *o)
{
	if (!o->started && o->fmt == FMT_CSV)
		fputs("\xef\xbb\xbf", o->fp);
	o->started = 1;
}

/* json_item - the separator before an item at the current depth, and its
 * indentation inside a record */
static void json_item(struct ctl_out *o)
{
	int i;

	if (o->items[o->depth]++)
		putc(',', o->fp);
	if (o->in_record || o->depth > 1) {
		putc('\n', o->fp);
		for (i = 0; i < o->depth; i++)
			fputs("  ", o->fp);
	} else if (o->items[o->depth] > 1) {
		fputs("\n ", o->fp);
	}
}

static void json_open(struct ctl_out *o, const char *key, int bracket)
{
	if (o->depth > 0)
		json_item(o);
	if (key) {
		json_string(o->fp, key);
		fputs(": ", o->fp);
	}
	putc(bracket, o->fp);
	if (o->depth + 1 < DEPTH_MAX)
		o->depth++;
	o->items[o->depth] = 0;
}

static void json_close(struct ctl_out *o, int bracket)
{
	int i, had = o->items[o->depth] > 0;

	if (o->depth > 0)
		o->depth--;
	if (had && (o->in_record || o->depth > 0)) {
		putc('\n', o->fp);
		for (i = 0; i < o->depth; i++)
			fputs("  ", o->fp);
	}
	putc(bracket, o->fp);
	if (o->depth == 0)
		putc('\n', o->fp);
}

/* ---- a record's fields (table, CSV) ------------------------------------ */

static void fields_free(struct ctl_out *o)
{
	int i;

	for (i = 0; i < o->nfields; i++) {
		free(o->fields[i].key);
		free(o->fields[i].label);
		free(o->fields[i].val);
	}
	o->nfields = 0;
}

/* part - a blank line between the parts of a record */
static void part(struct ctl_out *o)
{
	if (o->in_record && o->parts++)
		putc('\n', o->fp);
}

/* fields_flush - the fields waiting, as "LABEL value" lines (absent ones
 * left out) or as a CSV header and row */
static void fields_flush(struct ctl_out *o)
{
	int i, w = 0;

	if (o->nfields == 0)
		return;
	part(o);
	for (i = 0; i < o->nfields; i++) {
		const struct out_field *f = &o->fields[i];
		int n = (int)utf8_chars(f->label);

		if (o->fmt == FMT_CSV)
			csv_cell(o->fp, i, f->key);
		else if (f->val && n > w)
			w = n;
	}
	if (o->fmt == FMT_CSV)
		putc('\n', o->fp);
	for (i = 0; i < o->nfields; i++) {
		const struct out_field *f = &o->fields[i];
		const char *v = text_value(o, f->type, f->val);

		if (o->fmt == FMT_CSV) {
			csv_cell(o->fp, i, v);
		} else if (f->val) {
			padded(o->fp, f->label, w);
			fprintf(o->fp, "  %s\n", v);
		}
	}
	if (o->fmt == FMT_CSV)
		putc('\n', o->fp);
	fields_free(o);
}

void ctl_record_begin(struct ctl_out *o)
{
	start(o);
	if (o->fmt == FMT_JSON)
		json_open(o, NULL, '{');
	o->in_record = 1;
	o->parts = 0;
}

void ctl_record_field(struct ctl_out *o, const struct ctl_col *col,
		      const char *val)
{
	struct out_field *f;

	if (o->fmt == FMT_JSON) {
		json_item(o);
		json_string(o->fp, col->key);
		fputs(": ", o->fp);
		json_value(o->fp, col->type, val);
		return;
	}
	if (o->nfields == FIELDS_MAX)
		fields_flush(o);
	f = &o->fields[o->nfields++];
	f->key = xstrdup(col->key);
	f->label = xstrdup(col->label ? col->label : col->key);
	f->val = val ? xstrdup(val) : NULL;
	f->type = col->type;
}

void ctl_object_begin(struct ctl_out *o, const char *key)
{
	if (o->fmt == FMT_JSON)
		json_open(o, key, '{');
	else
		fields_flush(o);
}

void ctl_object_end(struct ctl_out *o)
{
	if (o->fmt == FMT_JSON)
		json_close(o, '}');
	else
		fields_flush(o);
}

void ctl_record_end(struct ctl_out *o)
{
	if (o->fmt == FMT_JSON)
		json_close(o, '}');
	else
		fields_flush(o);
	o->in_record = 0;
}

/* ---- listings -------------------------------------------------------- */

/* table_line - one line of a table: the cells padded to the widths (the
 * padding written only before a value: no trailing blanks); the header's
 * labels as they are */
static void table_line(struct ctl_out *o, const char *const *vals,
		       int header)
{
	int i, pad = 0;

	for (i = 0; i < o->ncols; i++) {
		const char *v = header ? vals[i] :
				text_value(o, o->cols[i].type, vals[i]);
		int n = (int)utf8_chars(v);

		if (n > 0) {
			fprintf(o->fp, "%*s%s", pad, "", v);
			pad = 0;
		}
		if (o->width[i] > n)
			pad += o->width[i] - n;
		pad += 2;
	}
	putc('\n', o->fp);
}

/* table_measure - the widths of the labels and of the rows waiting, then
 * all of them printed and freed */
static void table_measure(struct ctl_out *o)
{
	const char *labels[COLS_MAX];
	int i, r;

	for (i = 0; i < o->ncols; i++) {
		labels[i] = o->cols[i].label;
		o->width[i] = (int)utf8_chars(labels[i]);
		for (r = 0; r < o->nblock; r++) {
			const char *v = text_value(o, o->cols[i].type,
						   o->block[r * o->ncols + i]);
			int n = (int)utf8_chars(v);

			if (n > o->width[i])
				o->width[i] = n;
		}
	}
	table_line(o, labels, 1);
	for (r = 0; r < o->nblock; r++) {
		table_line(o, (const char *const *)&o->block[r * o->ncols], 0);
		for (i = 0; i < o->ncols; i++)
			free(o->block[r * o->ncols + i]);
	}
	o->nblock = 0;
	o->measured = 1;
}

void ctl_list_begin(struct ctl_out *o, const char *key, const char *title,
		    const struct ctl_col *cols, int n)
{
	start(o);
	o->cols = cols;
	o->ncols = n < COLS_MAX ? n : COLS_MAX;
	o->nested = o->in_record;
	o->nrows = 0;
	o->nblock = 0;
	o->measured = 0;
	if (o->fmt == FMT_JSON) {
		if (o->nested)
			json_open(o, key, '[');
		return;
	}
	fields_flush(o);
	part(o);
	if (o->nested && title && o->fmt == FMT_TABLE)
		fprintf(o->fp, "%s :\n", title);
	if (o->fmt == FMT_CSV) {
		for (n = 0; n < o->ncols; n++)
			csv_cell(o->fp, n, cols[n].key);
		putc('\n', o->fp);
	} else if (o->block == NULL) {
		o->block = xcalloc(TABLE_BLOCK * COLS_MAX, sizeof(char *));
	}
}

/* json_row - one object: on a line of its own in a listing */
static void json_row(struct ctl_out *o, const char *const *vals)
{
	int i;

	if (!o->nested && o->nrows == 0)
		json_open(o, NULL, '[');
	json_item(o);
	putc('{', o->fp);
	for (i = 0; i < o->ncols; i++) {
		if (i)
			fputs(", ", o->fp);
		json_string(o->fp, o->cols[i].key);
		fputs(": ", o->fp);
		json_value(o->fp, o->cols[i].type, vals[i]);
	}
	putc('}', o->fp);
}

void ctl_list_row(struct ctl_out *o, const char *const *vals)
{
	int i;

	if (o->fmt == FMT_JSON) {
		json_row(o, vals);
	} else if (o->fmt == FMT_CSV) {
		for (i = 0; i < o->ncols; i++)
			csv_cell(o->fp, i, text_value(o, o->cols[i].type,
						      vals[i]));
		putc('\n', o->fp);
	} else if (o->measured) {
		table_line(o, vals, 0);
	} else {
		for (i = 0; i < o->ncols; i++)
			o->block[o->nblock * o->ncols + i] =
				vals[i] ? xstrdup(vals[i]) : NULL;
		if (++o->nblock == TABLE_BLOCK)
			table_measure(o);
	}
	o->nrows++;
}

void ctl_list_end(struct ctl_out *o)
{
	if (o->fmt == FMT_JSON) {
		if (!o->nested && o->nrows == 0)
			fputs("[]\n", o->fp);
		else
			json_close(o, ']');
	} else if (o->fmt == FMT_TABLE && !o->measured) {
		table_measure(o);
	}
	o->cols = NULL;
}

/* ---- the output ------------------------------------------------------ */

struct ctl_out *ctl_out_open(FILE *fp, enum format fmt)
{
	struct ctl_out *o = xcalloc(1, sizeof(*o));

	o->fp = fp;
	o->fmt = fmt;
	return o;
}

int ctl_out_close(struct ctl_out *o)
{
	int bad;

	if (o == NULL)
		return 0;
	fields_flush(o);
	bad = fflush(o->fp) != 0 || ferror(o->fp);
	fields_free(o);
	free(o->block);
	free(o);
	return bad ? -1 : 0;
}

/* ---- where it goes ----------------------------------------------------- */

/*
 * ctl_open_output - the standard output, or -o FILE: a temporary file
 * beside it (mkstemp: 0600, an export holds NIRs), renamed over FILE only
 * once complete, so that a failed export never leaves half a file.
 */
int ctl_open_output(struct ctl *c)
{
	size_t n;
	int fd;

	c->outfp = stdout;
	if (c->output && strcmp(c->output, "-") != 0) {
		n = strlen(c->output) + sizeof(".XXXXXX");
		c->out_tmp = xmalloc(n);
		snprintf(c->out_tmp, n, "%s.XXXXXX", c->output);
		fd = mkstemp(c->out_tmp);
		if (fd < 0 || (c->outfp = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "affilctl: %s: %s\n", c->output,
				strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(c->out_tmp);
			}
			free(c->out_tmp);
			c->out_tmp = NULL;
			c->outfp = stdout;
			return EX_CANTCREAT;
		}
	}
	c->out = ctl_out_open(c->outfp, c->fmt);
	return 0;
}

/* file_done - the -o file flushed to disk and put in place; 0 or -1 */
static int file_done(struct ctl *c, int ok)
{
	int bad = !ok;

	bad |= fflush(c->outfp) != 0 || fsync(fileno(c->outfp)) != 0;
	bad |= fclose(c->outfp) != 0;
	if (!bad && rename(c->out_tmp, c->output) == 0)
		return 0;
	if (ok)
		fprintf(stderr, "affilctl: %s: %s\n", c->output,
			strerror(errno));
	unlink(c->out_tmp);
	return ok ? -1 : 0;
}

/* ctl_close_output - the end of the output; rc is the command's status */
int ctl_close_output(struct ctl *c, int rc)
{
	int bad = ctl_out_close(c->out) < 0;

	c->out = NULL;
	if (bad && rc == 0)
		fprintf(stderr, "affilctl: %s: %s\n", c->out_tmp ? c->output :
			"standard output", strerror(errno));
	if (c->out_tmp) {
		bad |= file_done(c, rc == 0 && !bad) < 0;
		free(c->out_tmp);
		c->out_tmp = NULL;
	}
	c->outfp = NULL;
	return rc == 0 && bad ? EX_IOERR : rc;
}
