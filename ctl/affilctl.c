/*
 * affilctl - the admin's command-line tool, a table of commands
 * (OpenSMTPD's smtpctl idea).  It reads the same configuration as affild
 * and opens the same SQLite database; readers never wait on the daemon's
 * writer (WAL).  Output: human tables by default, --format csv|json for
 * scripts.  Exit status 0 on success, non-zero with a one-line reason.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
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

/* out_json_str - a JSON string value */
static void out_json_str(const char *v)
{
	putchar('"');
	for (; v && *v; v++) {
		if (*v == '"' || *v == '\\')
			printf("\\%c", *v);
		else if ((unsigned char)*v < 0x20)
			printf("\\u%04x", (unsigned char)*v);
		else
			putchar(*v);
	}
	putchar('"');
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
	int chars = 0;
	const char *p;

	for (p = v; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	fputs(v, stdout);
	for (; chars < width; chars++)
		putchar(' ');
	if (sep)
		putchar(' ');
}

/* out_row - one row in the chosen format; names used by csv/json */
static void out_row(struct ctl *c, const char *const *names,
		    const char *const *vals, const int *widths, int n)
{
	int i;

	if (c->fmt == FMT_JSON) {
		printf("%s{", c->nrows ? ",\n " : "[");
		for (i = 0; i < n; i++) {
			printf("%s", i ? ", " : "");
			out_json_str(names[i]);
			putchar(':');
			out_json_str(vals[i]);
		}
		putchar('}');
	} else {
		for (i = 0; i < n; i++) {
			const char *v = vals[i] ? vals[i] : "";

			if (c->fmt == FMT_CSV)
				out_csv_cell(i, v);
			else
				out_padded(v, i + 1 < n ? widths[i] : 0,
					   i + 1 < n);
		}
		putchar('\n');
	}
	c->nrows++;
}

static void out_header(struct ctl *c, const char *const *names,
		       const char *const *labels, const int *widths, int n)
{
	if (c->fmt == FMT_CSV)
		out_row(c, names, names, widths, n);
	else if (c->fmt == FMT_TABLE)
		out_row(c, names, labels, widths, n);
	c->nrows = 0;
}

static void out_end(struct ctl *c)
{
	if (c->fmt == FMT_JSON)
		printf("%s\n", c->nrows ? "]" : "[]");
}

/* ---- employees -------------------------------------------------------- */

static int print_employee(const struct employee_rec *e, void *arg)
{
	static const char *const names[] = { "employer", "nir", "nom", "prenom",
					     "status", "option", "since" };
	static const int widths[] = { 9, 16, 20, 16, 12, 10, 10 };
	const char *vals[] = { e->employer, e->nir, e->nom, e->prenom,
			       e->status, e->option, e->status_since };

	out_row(arg, names, vals, widths, 7);
	return 0;
}

static int cmd_employees(struct ctl *c, int argc, char **argv)
{
	static const char *const names[] = { "employer", "nir", "nom", "prenom",
					     "status", "option", "since" };
	static const char *const labels[] = { "EMPLOYEUR", "NIR", "NOM",
		"PRÉNOM", "STATUT", "OPTION", "DEPUIS" };
	static const int widths[] = { 9, 16, 20, 16, 12, 10, 10 };

	if (argc > 1)
		c->search = argv[1];
	out_header(c, names, labels, widths, 7);
	if (store_employees_each(c->st, c->employer, c->status, c->search,
				 print_employee, c) < 0)
		return EX_SOFTWARE;
	out_end(c);
	return 0;
}

/* ---- files -------------------------------------------------------------- */

static int print_file(const struct file_rec *f, void *arg)
{
	static const char *const names[] = { "id", "employer", "name", "state",
		"return_code", "movements", "accepted", "rejected", "report" };
	static const int widths[] = { 15, 9, 24, 11, 4, 6, 6, 6, 0 };
	char rc[16], mv[24], ac[24], rj[24];
	const char *vals[9];

	snprintf(rc, sizeof(rc), "%d", f->return_code);
	snprintf(mv, sizeof(mv), "%ld", f->movements);
	snprintf(ac, sizeof(ac), "%ld", f->accepted);
	snprintf(rj, sizeof(rj), "%ld", f->rejected);
	vals[0] = f->id; vals[1] = f->employer; vals[2] = f->name;
	vals[3] = f->state; vals[4] = f->return_code < 0 ? "" : rc;
	vals[5] = mv; vals[6] = ac; vals[7] = rj;
	vals[8] = f->report ? f->report : "";
	out_row(arg, names, vals, widths, 9);
	return 0;
}

static int cmd_files(struct ctl *c, int argc, char **argv)
{
	static const char *const names[] = { "id", "employer", "name", "state",
		"return_code", "movements", "accepted", "rejected", "report" };
	static const char *const labels[] = { "ID", "EMPLOYEUR", "FICHIER",
		"ÉTAT", "CR", "MVTS", "ACC.", "REJ.", "COMPTE RENDU" };
	static const int widths[] = { 15, 9, 24, 11, 4, 6, 6, 6, 0 };

	(void)argc;
	(void)argv;
	out_header(c, names, labels, widths, 9);
	if (store_files_each(c->st, c->employer, c->status, print_file, c) < 0)
		return EX_SOFTWARE;
	out_end(c);
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

static int cmd_file(struct ctl *c, int argc, char **argv)
{
	struct file_rec f;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "affilctl: usage: file ID\n");
		return EX_USAGE;
	}
	rc = store_file_get(c->st, argv[1], &f);
	if (rc != 0) {
		fprintf(stderr, "affilctl: file %s: %s\n", argv[1],
			rc == 1 ? "unknown id" : "database error");
		return rc == 1 ? EX_DATAERR : EX_SOFTWARE;
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

/* ---- reprocess ---------------------------------------------------------- */

/* requester - who asks: the sudo caller when there is one, else the login */
static const char *requester(void)
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw;

	if (sudo && *sudo)
		return sudo;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "inconnu";
}

/* reprocess_refusal - why file f cannot be processed again; NULL: it can */
static const char *reprocess_refusal(const struct file_rec *f)
{
	if (strcmp(f->state, "claimed") == 0)
		return "it is being processed now";
	if (f->validation)
		return "a validation drop is never applied: drop it again";
	return NULL;
}

static int cmd_reprocess(struct ctl *c, int argc, char **argv)
{
	const char *id = NULL, *why;
	struct file_rec f;
	long long req;
	int i, force = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			force = 1;
		else if (id == NULL)
			id = argv[i];
		else
			id = "";
	}
	if (id == NULL || *id == '\0') {
		fprintf(stderr, "affilctl: usage: reprocess ID --force\n");
		return EX_USAGE;
	}
	rc = store_file_get(c->st, id, &f);
	if (rc != 0) {
		fprintf(stderr, "affilctl: reprocess %s: %s\n", id,
			rc == 1 ? "unknown id" : "database error");
		return rc == 1 ? EX_DATAERR : EX_SOFTWARE;
	}
	why = reprocess_refusal(&f);
	if (why == NULL && !force)
		fprintf(stderr, "affilctl: reprocess %s: refused without "
			"--force: \"%s\" would be applied again although its "
			"bytes were already processed (duplicates are never "
			"applied twice unless forced)\n", id, f.name);
	else if (why)
		fprintf(stderr, "affilctl: reprocess %s: refused: %s\n", id,
			why);
	file_rec_free(&f);
	if (why || !force)
		return EX_USAGE;
	rc = store_reprocess_pending(c->st, id);
	if (rc != 0) {
		fprintf(stderr, "affilctl: reprocess %s: %s\n", id, rc > 0 ?
			"a request is already pending" : "database error");
		return rc > 0 ? EX_USAGE : EX_SOFTWARE;
	}
	if (store_reprocess_request(c->st, id, requester(), &req) < 0) {
		fprintf(stderr, "affilctl: reprocess %s: could not record the "
			"request (database busy?)\n", id);
		return EX_TEMPFAIL;
	}
	printf("reprocess request %lld recorded for file %s: affild takes it "
	       "between two files; see `affilctl files`\n", req, id);
	return 0;
}

/* ---- outbox ------------------------------------------------------------- */

static int print_outbox(const struct outbox_rec *o, void *arg)
{
	static const char *const names[] = { "id", "kind", "recipient", "state",
					     "attempts", "error" };
	static const int widths[] = { 6, 24, 32, 8, 3, 0 };
	char id[24], at[16];
	const char *vals[6];

	snprintf(id, sizeof(id), "%lld", o->id);
	snprintf(at, sizeof(at), "%d", o->attempts);
	vals[0] = id; vals[1] = o->kind; vals[2] = o->recipient;
	vals[3] = o->state; vals[4] = at;
	vals[5] = o->last_error ? o->last_error : "";
	out_row(arg, names, vals, widths, 6);
	return 0;
}

static int cmd_outbox(struct ctl *c, int argc, char **argv)
{
	static const char *const names[] = { "id", "kind", "recipient", "state",
					     "attempts", "error" };
	static const char *const labels[] = { "ID", "TYPE", "DESTINATAIRE",
					      "ÉTAT", "ESS.", "ERREUR" };
	static const int widths[] = { 6, 24, 32, 8, 3, 0 };

	out_header(c, names, labels, widths, 6);
	if (store_outbox_each(c->st, argc > 1 && strcmp(argv[1], "--failed")
			      == 0 ? "failed" : c->status, print_outbox, c) < 0)
		return EX_SOFTWARE;
	out_end(c);
	return 0;
}

/* ---- the command table ---------------------------------------------------- */

static const struct command {
	const char *name;
	int (*fn)(struct ctl *, int, char **);
	const char *help;
	int writes;		/* opens the database read-write */
} commands[] = {
	{ "employees", cmd_employees, "employees [SEARCH]   employees, by "
	  "name or NIR (--employer, --status)", 0 },
	{ "files", cmd_files, "files                every file received "
	  "(--employer, --status)", 0 },
	{ "file", cmd_file, "file ID              one file, its counts and "
	  "its rejected and warning lines", 0 },
	{ "outbox", cmd_outbox, "outbox [--failed]    messages pending, sent "
	  "or failed", 0 },
	{ "reprocess", cmd_reprocess, "reprocess ID --force process an "
	  "archived file again, even a duplicate", 1 },
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: affilctl [-c FILE] [--format table|csv|json] "
		"[--employer N] [--status S] COMMAND [ARGS]\n");
	for (i = 0; i < NELEM(commands); i++)
		fprintf(fp, "  %s\n", commands[i].help);
}

static int parse_format(const char *s, enum format *out)
{
	if (strcmp(s, "table") == 0)
		*out = FMT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*out = FMT_CSV;
	else if (strcmp(s, "json") == 0)
		*out = FMT_JSON;
	else
		return -1;
	return 0;
}

/* open_all - config and database, read-only unless the command writes */
static int open_all(struct ctl *c, const char *path, int writes)
{
	struct cfg_errors errs = { NULL, 0 };

	c->cfg = cfg_load(path, &errs);
	if (c->cfg == NULL) {
		fprintf(stderr, "affilctl: %s: %s\n", path, errs.n ?
			errs.lines[0] : "invalid configuration");
		cfg_errors_free(&errs);
		return EX_CONFIG;
	}
	cfg_errors_free(&errs);
	c->st = store_open(c->cfg->db.path, writes ? STORE_RW : STORE_RO, 16,
			   c->cfg->db.busy_timeout_s);
	if (c->st == NULL) {
		fprintf(stderr, "affilctl: cannot open the database %s\n",
			c->cfg->db.path);
		return EX_UNAVAILABLE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "employer", required_argument, NULL, 'e' },
		{ "status", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "/etc/affild/affild.yaml";
	struct ctl c;
	size_t i;
	int ch, rc;

	memset(&c, 0, sizeof(c));
	log_init("affilctl", LOG_LEVEL_WARN);
	while ((ch = getopt_long(argc, argv, "+c:f:e:s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'e': c.employer = optarg; break;
		case 's': c.status = optarg; break;
		case 'f':
			if (parse_format(optarg, &c.fmt) < 0) {
				fprintf(stderr, "affilctl: unknown format %s\n",
					optarg);
				return EX_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EX_USAGE;
	}
	for (i = 0; i < NELEM(commands); i++)
		if (strcmp(commands[i].name, argv[optind]) == 0)
			break;
	if (i == NELEM(commands)) {
		fprintf(stderr, "affilctl: unknown command %s\n", argv[optind]);
		return EX_USAGE;
	}
	rc = open_all(&c, path, commands[i].writes);
	if (rc == 0)
		rc = commands[i].fn(&c, argc - optind, argv + optind);
	store_close(c.st);
	cfg_free(c.cfg);
	return rc;
}
