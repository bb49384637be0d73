/*
 * ctl - what affilctl's commands share (private to ctl/): the context and
 * the output of listings in the three formats (ctl_out.c), and the
 * requests affilctl records for the daemon (ctl_request.c).
 *
 * A listing is a header, rows, an end.  Table and CSV print each value as
 * the string it is given; JSON (json-c) gives each row as one object, a
 * number column as a JSON number and an absent value (NULL) as null, and
 * writes the array around the rows itself, so that a listing is printed
 * one row at a time and never held in memory.
 */
#ifndef AFFILD_CTL_H
#define AFFILD_CTL_H

#include "config/config.h"
#include "store/store.h"

enum format { FMT_TABLE, FMT_CSV, FMT_JSON };

struct ctl {
	struct cfg *cfg;
	struct store *st;
	enum format fmt;
	int nrows;
	const char *employer, *status, *search;
};

/* One column: its key (CSV header, JSON name), its table label and width,
 * and whether JSON writes its value as a number. */
struct ctl_col {
	const char *name;
	const char *label;
	int width;
	int number;
};

/* ctl_header - the header line (table, CSV) or nothing (JSON) */
void ctl_header(struct ctl *c, const struct ctl_col *cols, int n);
/* ctl_row - one row of n values, borrowed; NULL is an absent value */
void ctl_row(struct ctl *c, const struct ctl_col *cols,
	     const char *const *vals, int n);
/* ctl_end - closes a JSON listing ("[]" when it had no row) */
void ctl_end(struct ctl *c);

struct json_object;

/* ctl_json_value - the JSON value of v: NULL (json-c's null) when v is
 * NULL, a number when number is set and v reads as one, else a string;
 * owned: json_object_put(), or hand it to a container */
struct json_object *ctl_json_value(const char *v, int number);

/* ctl_json_print - o on stdout, as every JSON of affilctl is written */
void ctl_json_print(struct json_object *o);

/* ctl_request.c: commands; each returns an exit status (sysexits.h) */
/* ctl_requester - the sudo caller, else the login; static storage */
const char *ctl_requester(void);
/* ctl_reprocess - `reprocess ID --force` */
int ctl_reprocess(struct ctl *c, int argc, char **argv);
/* ctl_file_decide - `file ID approve|refuse` of a held file */
int ctl_file_decide(struct ctl *c, const char *id, const char *verb);

/* ctl_employers.c: `employers`, the calendar's view of each employer */
int ctl_employers(struct ctl *c, int argc, char **argv);
/* ctl_employees.c: `employees`, `show` */
int ctl_employees(struct ctl *c, int argc, char **argv);
int ctl_show(struct ctl *c, int argc, char **argv);
/* ctl_files.c: `files`, `file ID` */
int ctl_files(struct ctl *c, int argc, char **argv);
int ctl_file(struct ctl *c, int argc, char **argv);
/* ctl_outbox.c: `outbox`, `outbox retry ID` */
int ctl_outbox(struct ctl *c, int argc, char **argv);
/* ctl_timers.c: `timers`, `timers run` */
int ctl_timers(struct ctl *c, int argc, char **argv);
/* ctl_portability.c: `portability open|proof` */
int ctl_portability(struct ctl *c, int argc, char **argv);

#endif
