/*
 * ctl - what affilctl's commands share (private to ctl/).
 *
 * The command line (ctl_args.c) is read against one table (ctl_table.c):
 * each command's name, its arguments, the options it takes, whether it
 * opens the database, its handler and its help.  Options may come
 * anywhere on the line; the help, the usage errors and the bash
 * completion (ctl_help.c) all read the same table.  A handler gets the
 * parsed line in struct ctl and returns an exit status (sysexits.h).
 *
 * Output (ctl_out.c) is a listing (a header, rows, an end) or a record
 * (fields, then listings inside it: a file's lines, an employee's
 * history), in one of three formats: an aligned table for people, CSV
 * for a spreadsheet (UTF-8 BOM, ';', a header of keys) or JSON with typed
 * values.  Rows are printed as the store hands them over: nothing is
 * held in memory but a table's first rows (to measure its columns).
 */
#ifndef AFFILD_CTL_H
#define AFFILD_CTL_H

#include <stdio.h>

#include "config/config.h"
#include "store/store.h"

enum format { FMT_TABLE, FMT_CSV, FMT_JSON };

/* ---- the command table (ctl_table.c) ------------------------------------ */

/* Every option; a command takes the global ones and those it lists. */
enum ctl_opt_id {
	OPT_CONFIG, OPT_FORMAT, OPT_HELP, OPT_VERSION,	/* global */
	OPT_EMPLOYER, OPT_STATUS, OPT_FILE_STATE, OPT_MSG_STATE, OPT_FAILED,
	OPT_SORT, OPT_LIMIT, OPT_OFFSET, OPT_OUTPUT, OPT_AS_OF, OPT_AT,
	OPT_FORCE, OPT_JUSTIFICATION,
	/* a change's (ctl_write.c) */
	OPT_NO_WAIT, OPT_TIMEOUT, OPT_FIN, OPT_MOTIF, OPT_PORTABILITE,
	OPT_DEBUT, OPT_EMAIL, OPT_DEMANDE, OPT_JUSTIFICATIF,
	OPT_COUNT
};

#define OPT(id) (1u << (id))
#define OPT_GLOBAL (OPT(OPT_CONFIG) | OPT(OPT_FORMAT) | OPT(OPT_HELP) | \
		    OPT(OPT_VERSION))

struct ctl_opt {
	enum ctl_opt_id id;
	const char *name;		/* --name */
	const char *alias;		/* another --name, or NULL */
	int short_name;			/* -x, or 0 */
	const char *arg;		/* its argument ("NUMERO"); NULL: a flag */
	const char *const *values;	/* accepted values (NULL-ended), or
					 * NULL: any; "@file": a file name */
	const char *help;
};

/* How a command opens the database: never read-write, affild is the
 * one writer; a change is a file for its admin drop (ctl_write.c). */
enum ctl_db {
	CTL_DB_NONE,		/* neither the configuration nor the database */
	CTL_DB_RO,		/* read-only: never waits on the daemon */
	CTL_DB_TRY,		/* read-only when it can (status) */
	CTL_DB_DROP		/* the configuration only: a change, written
				 * into the admin drop */
};

/* The options every change takes (ctl_table.c) */
#define OPT_CHANGE (OPT(OPT_NO_WAIT) | OPT(OPT_TIMEOUT))

struct ctl;

struct ctl_verb {
	const char *name;		/* "outbox" */
	const char *sub;		/* the word that selects this form
					 * ("retry"), or NULL */
	int sub_at;			/* its place among the arguments */
	const char *args;		/* the arguments, as help shows them */
	int min_args, max_args;		/* the sub word counts */
	unsigned opts;			/* OPT() of each option it takes */
	unsigned needs;			/* OPT() of those it requires */
	enum ctl_db db;
	enum format fmt;		/* the format when --format is not given */
	int (*fn)(struct ctl *c);
	const char *help;		/* one line */
};

extern const struct ctl_opt ctl_opts[];
extern const size_t ctl_nopts;
extern const struct ctl_verb ctl_verbs[];
extern const size_t ctl_nverbs;

/* ctl_opt_of - the option of this id (every id has one) */
const struct ctl_opt *ctl_opt_of(enum ctl_opt_id id);

/* ---- the command line (ctl_args.c) ---------------------------------------- */

#define CTL_ARGS_MAX 32	/* edit's FIELD=VALUE... */

struct ctl {
	/* the line, as parsed */
	const struct ctl_verb *verb;	/* NULL: none given */
	const char *verb_name;		/* as typed, for messages */
	const char *config;
	enum format fmt;
	int fmt_given;
	const char *employer, *status, *state, *sort, *output;
	const char *as_of, *at, *justification;
	const char *fin, *motif, *portabilite, *debut, *email, *demande,
		   *justificatif;	/* a change's values, or NULL */
	long limit, offset;		/* limit -1: none */
	long timeout_s;			/* a change's --timeout, 0: default */
	int force, help, version, no_wait;
	const char *args[CTL_ARGS_MAX];	/* after the command's name */
	int nargs;
	/* opened for the handler */
	struct cfg *cfg;
	struct store *st;
	struct ctl_out *out;
	FILE *outfp;			/* stdout, or the -o file */
	char *out_tmp;			/* the -o file's name until complete */
};

/* What ctl_args_parse() found besides a command to run. */
enum ctl_parse {
	CTL_RUN,		/* c->verb set: run it */
	CTL_HELP,		/* print the help asked (ctl_help) */
	CTL_VERSION,
	CTL_USAGE		/* a usage error, said on stderr */
};

/* ctl_args_parse - argv (after the program's name) into c; argv is
 * borrowed for c's life */
enum ctl_parse ctl_args_parse(struct ctl *c, int argc, char **argv);

/* ctl_usage_error - "affilctl: VERB: what (see affilctl help VERB)" on
 * stderr; returns EX_USAGE */
int ctl_usage_error(const struct ctl *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- help and completion (ctl_help.c) ------------------------------------- */

/* ctl_help - the usage of every command, or of name's forms; 0, or
 * EX_USAGE for an unknown name */
int ctl_help(FILE *fp, const char *name);
/* ctl_complete - the candidates for the last of words (the line after
 * the program's name, the word being completed last), one a line */
void ctl_complete(FILE *fp, int nwords, char **words);

/* ---- output (ctl_out.c) ----------------------------------------------------- */

/* A column's JSON type: a string, an integer (the value is its decimal),
 * a boolean ("1" or "0").  NULL is null in JSON, empty in a table or CSV. */
enum col_type { COL_TEXT, COL_INT, COL_BOOL };

/* One column or field: its key (CSV header, JSON name), its table label. */
struct ctl_col {
	const char *key;
	const char *label;
	enum col_type type;
};

/* The columns of a report's lines (ctl_files.c): `file ID`'s listing and
 * a change's report with --format json (ctl_submit.c). */
#define CTL_LINE_COLS 7
extern const struct ctl_col ctl_line_cols[CTL_LINE_COLS];

/* ctl_out_open - output to fp (borrowed) in fmt; ctl_out_close - flush,
 * free; -1 when a write failed (errno kept) */
struct ctl_out *ctl_out_open(FILE *fp, enum format fmt);
int ctl_out_close(struct ctl_out *o);

/* A listing: ctl_list_begin, ctl_list_row per row (n values, borrowed;
 * NULL an absent value), ctl_list_end.  Inside a record, key names it in
 * JSON and title opens it in a table. */
void ctl_list_begin(struct ctl_out *o, const char *key, const char *title,
		    const struct ctl_col *cols, int n);
void ctl_list_row(struct ctl_out *o, const char *const *vals);
void ctl_list_end(struct ctl_out *o);

/* A record: ctl_record_begin, its fields, any listings, ctl_record_end.
 * A table shows "LABEL value" lines, CSV a header and one row, JSON one
 * object. */
void ctl_record_begin(struct ctl_out *o);
void ctl_record_field(struct ctl_out *o, const struct ctl_col *col,
		      const char *val);
void ctl_record_end(struct ctl_out *o);
/* An object inside a record (JSON: "key": {...}; a table or CSV: a group
 * of fields of its own) */
void ctl_object_begin(struct ctl_out *o, const char *key);
void ctl_object_end(struct ctl_out *o);

/* ctl_open_output - -o FILE (or stdout) for c's output; 0, or an exit
 * status said on stderr.  ctl_close_output - the end of a command whose
 * status is rc: rc, or EX_IOERR (said) when rc was 0 and a write failed;
 * a -o file is renamed into place only when both went well. */
int ctl_open_output(struct ctl *c);
int ctl_close_output(struct ctl *c, int rc);

/* ctl_open_config - c->config into c->cfg; 0, or EX_NOPERM when it is
 * not ours to read, EX_CONFIG when invalid (said) */
int ctl_open_config(struct ctl *c);

/* ctl_db_error - a read failed: EX_UNAVAILABLE when the database was busy
 * or unreachable, else EX_SOFTWARE; said on stderr */
int ctl_db_error(struct ctl *c, const char *what);

/* ---- commands: each returns an exit status (sysexits.h) -------------------- */

/* ctl_write.c: a change, a file for the admin drop (ctl_submit.c) */
int ctl_edit(struct ctl *c);			/* edit EMPLOYER NIR F=V... */
extern const char *const ctl_edit_fields[];	/* edit's FIELDs, NULL-ended */
int ctl_remind(struct ctl *c);			/* remind EMPLOYER NIR */
int ctl_bulletin(struct ctl *c);		/* bulletin EMPLOYER NIR */
int ctl_force(struct ctl *c);			/* force EMPLOYER NIR */
int ctl_radiate(struct ctl *c);			/* radiate EMPLOYER NIR */
int ctl_dispense(struct ctl *c);		/* dispense EMPLOYER NIR */
int ctl_reprocess(struct ctl *c);		/* reprocess ID --force */
int ctl_file_decide(struct ctl *c);		/* file ID approve|refuse */
int ctl_outbox_retry(struct ctl *c);		/* outbox retry ID */
int ctl_timers_run(struct ctl *c);		/* timers run */
int ctl_portability(struct ctl *c);		/* portability open|proof */

int ctl_status(struct ctl *c);			/* ctl_status.c */
int ctl_employers(struct ctl *c);		/* ctl_employers.c */
int ctl_employees(struct ctl *c);		/* ctl_employees.c */
int ctl_export(struct ctl *c);
int ctl_show(struct ctl *c);
int ctl_files(struct ctl *c);			/* ctl_files.c */
int ctl_file(struct ctl *c);
int ctl_outbox(struct ctl *c);			/* ctl_outbox.c */
int ctl_timers(struct ctl *c);			/* ctl_timers.c */
int ctl_help_cmd(struct ctl *c);		/* ctl_help.c: help [COMMAND] */

/* ---- the drops, as status and employers see them (ctl_spool.c) ------------ */

/* What one employer's drop looks like now. */
struct ctl_drop {
	char health[160];	/* "ok", or the first problem found */
	long queued;		/* files waiting in in/ and in/validation/ */
};

/* ctl_drop_look - emp's folders (numero NULL: the portal's); 0, -1 when
 * the spool itself cannot be read */
int ctl_drop_look(const struct cfg *cfg, const char *numero,
		  struct ctl_drop *d);

#endif
