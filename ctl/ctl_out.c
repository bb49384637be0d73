/*
 * ctl_out - affilctl's listings as a table, CSV or JSON (ctl.h).
 *
 * JSON is json-c's: it escapes strings and writes numbers; this file only
 * writes the '[', the ',' between rows and the ']' of a listing, so that
 * rows are printed as the store hands them over.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/utf8.h"
#include "ctl/ctl.h"

#define JSON_FLAGS (JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ctl_json_value - a number when asked and v is one, else a string or null */
struct json_object *ctl_json_value(const char *v, int number)
{
	char *end;
	long long n;

	if (v == NULL)
		return NULL;	/* json-c's null */
	if (number && *v != '\0') {
		n = strtoll(v, &end, 10);
		if (*end == '\0')
			return json_object_new_int64(n);
	}
	return json_object_new_string(v);
}

/* ctl_json_print - o, pretty: an object shown alone (affilctl show) */
void ctl_json_print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_FLAGS |
					JSON_C_TO_STRING_PRETTY));
}

/* out_csv_cell - RFC 4180 quoting, and a quote before formula starters */
static void out_csv_cell(int i, const char *v)
{
	int guard = *v && strchr("=+-@\t\r", *v) != NULL;

	if (i)
		putchar(';');
	if (!guard && strpbrk(v, ";\"\r\n") == NULL) {
		fputs(v, stdout);
		return;
	}
	putchar('"');
	if (guard)
		putchar('\'');
	for (; *v; v++) {
		if (*v == '"')
			putchar('"');
		putchar(*v);
	}
	putchar('"');
}

/* out_padded - v padded to width characters (not bytes: names are UTF-8) */
static void out_padded(const char *v, int width, int sep)
{
	int chars = (int)utf8_chars(v);

	fputs(v, stdout);
	for (; chars < width; chars++)
		putchar(' ');
	if (sep)
		putchar(' ');
}

/* out_json_row - one object, after "[" or ",\n " */
static void out_json_row(struct ctl *c, const struct ctl_col *cols,
			 const char *const *vals, int n)
{
	json_object *o = json_object_new_object();
	int i;

	for (i = 0; i < n; i++)
		json_object_object_add(o, cols[i].name,
				       ctl_json_value(vals[i], cols[i].number));
	printf("%s%s", c->nrows ? ",\n " : "[",
	       json_object_to_json_string_ext(o, JSON_FLAGS));
	json_object_put(o);
}

/* ctl_row - one row in the chosen format */
void ctl_row(struct ctl *c, const struct ctl_col *cols,
	     const char *const *vals, int n)
{
	int i;

	if (c->fmt == FMT_JSON) {
		out_json_row(c, cols, vals, n);
	} else {
		for (i = 0; i < n; i++) {
			const char *v = vals[i] ? vals[i] : "";

			if (c->fmt == FMT_CSV)
				out_csv_cell(i, v);
			else
				out_padded(v, i + 1 < n ? cols[i].width : 0,
					   i + 1 < n);
		}
		putchar('\n');
	}
	c->nrows++;
}

/* ctl_header - CSV: the keys; table: the labels; JSON: nothing yet */
void ctl_header(struct ctl *c, const struct ctl_col *cols, int n)
{
	const char *vals[16];
	int i;

	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++)
		vals[i] = c->fmt == FMT_CSV ? cols[i].name : cols[i].label;
	if (c->fmt != FMT_JSON)
		ctl_row(c, cols, vals, n);
	c->nrows = 0;
}

void ctl_end(struct ctl *c)
{
	if (c->fmt == FMT_JSON)
		printf("%s\n", c->nrows ? "]" : "[]");
}
