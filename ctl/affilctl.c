/*
 * affilctl - the admin's command-line tool, a table of commands
 * (OpenSMTPD's smtpctl idea).  It reads the same configuration as affild
 * and opens the same SQLite database, read-only for every verb: readers
 * never wait on the daemon's writer (WAL), and nothing but the daemon
 * writes.  A change is a file for the admin drop (ctl_write.c,
 * ctl_submit.c), applied by affild.  Output: human tables by default,
 * --format csv|json for scripts.  Exit status 0 on success, non-zero with
 * a one-line reason.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "common/log.h"
#include "common/util.h"
#include "common/version.h"
#include "config/config.h"
#include "ctl/ctl.h"
#include "ctl/ctl_write.h"
#include "store/store.h"
#include "store/store_expected.h"

/* ---- employees -------------------------------------------------------- */

static const struct ctl_col employee_cols[] = {
	{ "employer", "EMPLOYEUR", 9, 0 }, { "nir", "NIR", 16, 0 },
	{ "nom", "NOM", 20, 0 }, { "prenom", "PRÉNOM", 16, 0 },
	{ "status", "STATUT", 12, 0 }, { "option", "OPTION", 10, 0 },
	{ "since", "DEPUIS", 10, 0 },
};

static int print_employee(const struct employee_rec *e, void *arg)
{
	const char *vals[] = { e->employer, e->nir, e->nom, e->prenom,
			       e->status, e->option, e->status_since };

	ctl_row(arg, employee_cols, vals, 7);
	return 0;
}

static int cmd_employees(struct ctl *c, int argc, char **argv)
{
	if (argc > 1)
		c->search = argv[1];
	ctl_header(c, employee_cols, 7);
	if (store_employees_each(c->st, c->employer, c->status, c->search,
				 print_employee, c) < 0)
		return EX_SOFTWARE;
	ctl_end(c);
	return 0;
}

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

static int cmd_files(struct ctl *c, int argc, char **argv)
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

static int cmd_file(struct ctl *c, int argc, char **argv)
{
	struct file_rec f;
	int rc;

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

/* ---- outbox ------------------------------------------------------------- */

static const struct ctl_col outbox_cols[] = {
	{ "id", "ID", 6, 1 }, { "kind", "TYPE", 24, 0 },
	{ "recipient", "DESTINATAIRE", 32, 0 }, { "state", "ÉTAT", 8, 0 },
	{ "attempts", "ESS.", 3, 1 }, { "error", "ERREUR", 0, 0 },
};

static int print_outbox(const struct outbox_rec *o, void *arg)
{
	char id[24], at[16];
	const char *vals[6];

	snprintf(id, sizeof(id), "%lld", o->id);
	snprintf(at, sizeof(at), "%d", o->attempts);
	vals[0] = id; vals[1] = o->kind; vals[2] = o->recipient;
	vals[3] = o->state; vals[4] = at;
	vals[5] = o->last_error;
	ctl_row(arg, outbox_cols, vals, 6);
	return 0;
}

static int cmd_outbox(struct ctl *c, int argc, char **argv)
{
	ctl_header(c, outbox_cols, 6);
	if (store_outbox_each(c->st, argc > 1 && strcmp(argv[1], "--failed")
			      == 0 ? "failed" : c->status, print_outbox, c) < 0)
		return EX_SOFTWARE;
	ctl_end(c);
	return 0;
}

/* ---- timers ------------------------------------------------------------- */

#define TIMERS_LIST_MAX 100

static const struct ctl_col timer_cols[] = {
	{ "due", "ÉCHÉANCE", 10, 0 }, { "kind", "TYPE", 16, 0 },
	{ "employer", "EMPLOYEUR", 9, 0 }, { "matricule", "MATRICULE", 10, 0 },
	{ "nom", "NOM", 20, 0 }, { "prenom", "PRÉNOM", 16, 0 },
	{ "outcome", "RÉSULTAT", 0, 0 },
};

/* print_timer - one deadline; never the NIR (n: 6 columns or 7 with the
 * outcome of a run) */
static void print_timer(struct ctl *c, const struct timer_rec *r, int n)
{
	static const char *const outcomes[] = { "fait", "sans objet",
						"en attente" };
	const char *vals[] = { r->due, r->kind, r->employer, r->matricule,
			       r->nom, r->prenom, outcomes[r->outcome] };

	ctl_row(c, timer_cols, vals, n);
}

static int list_timer(const struct timer_rec *r, void *arg)
{
	print_timer(arg, r, 6);
	return 0;
}

static int cmd_timers(struct ctl *c, int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "affilctl: usage: timers [run [--as-of "
			"AAAA-MM-JJ | --at AAAA-MM-JJTHH:MM] [--force]]\n");
		return EX_USAGE;
	}
	ctl_header(c, timer_cols, 6);
	if (store_timers_each(c->st, TIMERS_LIST_MAX, list_timer, c) < 0)
		return EX_SOFTWARE;
	ctl_end(c);
	return 0;
}

/* ---- one employee ------------------------------------------------------- */

/*
 * cmd_show prints three sections.  As a table each opens at its first
 * row; as JSON the employee is one object built whole (json-c) and printed
 * at the end: one record, its beneficiaries and its history are small.
 */
struct show {
	struct ctl *c;
	int section;		/* 0 record, 1 beneficiaries, 2 history */
	json_object *root;	/* FMT_JSON: { employee, beneficiaries, history } */
	json_object *list[3];	/* borrowed from root */
};

static const char *const sections[][2] = {
	{ "employee", "" }, { "beneficiaries", "ayants droit" },
	{ "history", "historique" },
};

/* show_open - the table's titles of the sections up to s */
static void show_open(struct show *sh, int s)
{
	while (sh->section < s) {
		sh->section++;
		if (sh->c->fmt != FMT_JSON)
			printf("%s:\n", sections[sh->section][1]);
	}
}

static int show_field(const char *name, const char *value, int number,
		      void *arg)
{
	struct show *sh = arg;

	if (sh->c->fmt == FMT_JSON)
		json_object_object_add(sh->list[0], name,
				       ctl_json_value(value, number));
	else if (value)
		printf("%-24s %s\n", name, value);
	return 0;
}

/* show_list - a beneficiary or history row, under names */
static int show_list(struct show *sh, int section, const char *const *names,
		     const char *const *vals, int n)
{
	json_object *o;
	int i;

	show_open(sh, section);
	if (sh->c->fmt == FMT_JSON) {
		o = json_object_new_object();
		for (i = 0; i < n; i++)
			json_object_object_add(o, names[i],
					       ctl_json_value(vals[i], 0));
		json_object_array_add(sh->list[section], o);
		return 0;
	}
	printf(" ");
	for (i = 0; i < n; i++)
		printf(" %s", vals[i] ? vals[i] : "-");
	putchar('\n');
	return 0;
}

static int show_beneficiary(const char *const *vals, int n, void *arg)
{
	static const char *const names[] = { "lien", "nom", "prenom",
		"date_naissance", "nir", "situation", "date_fin" };

	return show_list(arg, 1, names, vals, n < 7 ? n : 7);
}

static int show_history(const char *const *vals, int n, void *arg)
{
	static const char *const names[] = { "at", "from", "to", "what",
		"cause", "ref" };

	return show_list(arg, 2, names, vals, n < 6 ? n : 6);
}

/* show_json_new - the empty document; arrays added only when found */
static void show_json_new(struct show *sh)
{
	int i;

	sh->root = json_object_new_object();
	for (i = 0; i < 3; i++) {
		sh->list[i] = i ? json_object_new_array() :
				  json_object_new_object();
		if (i == 0)
			json_object_object_add(sh->root, sections[i][0],
					       sh->list[i]);
	}
}

/* show_json_end - print the document: every section when found, the
 * empty record alone when not */
static void show_json_end(struct show *sh, int found)
{
	int i;

	for (i = 1; i < 3; i++) {
		if (found)
			json_object_object_add(sh->root, sections[i][0],
					       sh->list[i]);
		else
			json_object_put(sh->list[i]);
	}
	ctl_json_print(sh->root);
	json_object_put(sh->root);
}

static int cmd_show(struct ctl *c, int argc, char **argv)
{
	const struct employee_detail_cb cb = {
		show_field, show_beneficiary, show_history
	};
	struct show sh = { c, 0, NULL, { NULL, NULL, NULL } };
	int rc;

	if (argc != 3) {
		fprintf(stderr, "affilctl: usage: show EMPLOYER NIR\n");
		return EX_USAGE;
	}
	if (c->fmt == FMT_JSON)
		show_json_new(&sh);
	rc = store_employee_detail(c->st, argv[1], argv[2], &cb, &sh);
	if (rc == 0)
		show_open(&sh, 2);
	if (c->fmt == FMT_JSON)
		show_json_end(&sh, rc == 0);
	if (rc == 1) {
		fprintf(stderr, "affilctl: employer %s has no employee with "
			"this NIR\n", argv[1]);
		return EX_DATAERR;
	}
	return rc < 0 ? EX_SOFTWARE : 0;
}

/* cmd_write - a write verb: a file for the admin drop (ctl_write.c), its
 * report printed; main() sends them there before the database is opened */
static int cmd_write(struct ctl *c, int argc, char **argv)
{
	return ctl_write(c->cfg, argc, argv);
}

/* ---- the command table ---------------------------------------------------- */

static const struct command {
	const char *name;
	int (*fn)(struct ctl *, int, char **);
	const char *help;
} commands[] = {
	{ "employees", cmd_employees, "employees [SEARCH]   employees, by "
	  "name or NIR (--employer, --status)" },
	{ "employers", ctl_employers, "employers            configured "
	  "employers: last file, next expected, late (--employer)" },
	{ "files", cmd_files, "files                every file received "
	  "(--employer, --status)" },
	{ "file", cmd_file, "file ID              one file, its counts and "
	  "its rejected and warning lines" },
	{ "file", cmd_write, "file ID approve|refuse\n"
	  "                       the insurer's decision on a file the "
	  "radiation gate held" },
	{ "outbox", cmd_outbox, "outbox [--failed]    messages pending, sent "
	  "or failed" },
	{ "outbox", cmd_write, "outbox retry ID      a failed message back "
	  "to pending, due now" },
	{ "reprocess", cmd_write, "reprocess ID --force process an "
	  "archived file again, even a duplicate" },
	{ "portability", cmd_write, "portability open EMPLOYER NIR "
	  "--justification TEXT | portability proof EMPLOYER NIR\n"
	  "                       open portability on a reason to examine; "
	  "record the proof of unemployment benefits" },
	{ "show", cmd_show, "show EMPLOYER NIR    one employee: record, "
	  "beneficiaries, history" },
	{ "timers", cmd_timers, "timers [run [--as-of AAAA-MM-JJ | --at "
	  "AAAA-MM-JJTHH:MM] [--force]]\n"
	  "                       deadlines due next; run: fire those due "
	  "and the expected-file alerts (a future date needs --force)" },
	{ "edit", cmd_write, "edit EMPLOYER NIR FIELD=VALUE...\n"
	  "                       a MODIFICATION of the record (#VIDE clears "
	  "a field)" },
	{ "remind", cmd_write, "remind EMPLOYER NIR  the reminder, now "
	  "(RELANCE)" },
	{ "force", cmd_write, "force EMPLOYER NIR   affiliation to the base "
	  "plan (AFFILIATION_FORCEE)" },
	{ "radiate", cmd_write, "radiate EMPLOYER NIR --fin AAAA-MM-JJ "
	  "--motif CODE [--portabilite O|N]\n"
	  "                       [--justification TEXT] [--debut AAAA-MM-JJ] "
	  "[--email-personnel ADDR]\n"
	  "                       the end of the affiliation (RADIATION)" },
	{ "dispense", cmd_write, "dispense EMPLOYER NIR --motif CODE "
	  "[--demande AAAA-MM-JJ] [--justificatif REF]\n"
	  "                       [--fin AAAA-MM-JJ]  a dispense (DISPENSE)" },
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: affilctl [-c FILE] [--format table|csv|json] "
		"[--employer N] [--status S] COMMAND [ARGS]\n");
	for (i = 0; i < NELEM(commands); i++)
		fprintf(fp, "  %s\n", commands[i].help);
	fprintf(fp, "A change (file ID approve|refuse, outbox retry, reprocess, "
		"portability, timers run,\nedit, remind, force, radiate, "
		"dispense) is a file affild applies; affilctl waits for\nits "
		"report and prints it: [--no-wait] [--timeout SECONDS] "
		"(default 60).\n");
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

/* open_all - config and database, read-only for every command */
static int open_all(struct ctl *c, const char *path)
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
	c->st = store_open(c->cfg->db.path, STORE_RO, 16,
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
		{ "version", no_argument, NULL, 'V' },
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
		case 'V': printf("affilctl %s\n", AFFILD_VERSION); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EX_USAGE;
	}
	/* A change never opens the database: a file for the daemon. */
	if (ctl_write_wants(argc - optind, argv + optind))
		return ctl_write_main(path, argc - optind, argv + optind);
	for (i = 0; i < NELEM(commands); i++)
		if (strcmp(commands[i].name, argv[optind]) == 0)
			break;
	if (i == NELEM(commands)) {
		fprintf(stderr, "affilctl: unknown command %s\n", argv[optind]);
		return EX_USAGE;
	}
	rc = open_all(&c, path);
	if (rc == 0)
		rc = commands[i].fn(&c, argc - optind, argv + optind);
	store_close(c.st);
	cfg_free(c.cfg);
	return rc;
}
