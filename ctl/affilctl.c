/*
 * affilctl - the admin's command-line tool, a table of commands
 * (OpenSMTPD's smtpctl idea).  It reads the same configuration as affild
 * and opens the same SQLite database; readers never wait on the daemon's
 * writer (WAL).  Output: human tables by default, --format csv|json for
 * scripts.  Exit status 0 on success, non-zero with a one-line reason.
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

/* outbox_retry - a parked message back to pending, due now; logged */
static int outbox_retry(struct ctl *c, int argc, char **argv)
{
	const char *who = getenv("SUDO_USER");
	long id;
	int rc;

	if (argc != 3 || parse_long(argv[2], 1, LONG_MAX, &id) < 0) {
		fprintf(stderr, "affilctl: usage: outbox retry ID\n");
		return EX_USAGE;
	}
	rc = store_outbox_requeue(c->st, id);
	switch (rc) {
	case 0:
		/* The admin's action is part of the message's history. */
		log_init("affilctl", LOG_LEVEL_INFO);
		log_info("event=outbox_retry id=%ld uid=%d%s%s", id,
			 (int)getuid(), who ? " sudo_user=" : "", who ? who : "");
		printf("message %ld remis en file d'envoi\n", id);
		return 0;
	case OUTBOX_REQUEUE_UNKNOWN:
		fprintf(stderr, "affilctl: message %ld inconnu\n", id);
		return EX_DATAERR;
	case OUTBOX_REQUEUE_NOT_FAILED:
		fprintf(stderr, "affilctl: message %ld non bloqué (en attente "
			"ou envoyé) : rien à faire\n", id);
		return EX_DATAERR;
	case OUTBOX_REQUEUE_NO_LINK:
		fprintf(stderr, "affilctl: message %ld : le lien d'invitation a "
			"été effacé à l'échec ; une relance (opération "
			"RELANCE) en crée un nouveau\n", id);
		return EX_DATAERR;
	default:
		return EX_SOFTWARE;
	}
}

static int cmd_outbox(struct ctl *c, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "retry") == 0)
		return outbox_retry(c, argc, argv);
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

static int ran_timer(const struct timer_rec *r, void *arg)
{
	print_timer(arg, r, 7);
	return 0;
}

/* read_key - the HMAC key of invitation links, as the daemon reads it */
static int read_key(const struct cfg *cfg, unsigned char *key, size_t *len)
{
	const char *path = cfg->portal.token_key_file;
	FILE *fp = path ? fopen(path, "rb") : NULL;
	size_t n;

	if (fp == NULL) {
		fprintf(stderr, "affilctl: portal.token_key_file %s: cannot "
			"read the key of invitation links\n", path ? path :
			"(not set)");
		return -1;
	}
	n = fread(key, 1, *len, fp);
	fclose(fp);
	if (n < 16) {
		fprintf(stderr, "affilctl: %s: key shorter than 16 bytes\n",
			path);
		return -1;
	}
	*len = n;
	return 0;
}

/* parse_at - "AAAA-MM-JJTHH:MM", Paris time, into an instant; 0 or -1 */
static int parse_at(const char *s, struct date *day, time_t *at)
{
	char d[DATE_ISO_SIZE];
	long h, m;
	char hh[3], mm[3];

	if (strlen(s) != 16 || s[10] != 'T' || s[13] != ':')
		return -1;
	memcpy(d, s, 10);
	d[10] = '\0';
	memcpy(hh, s + 11, 2);
	memcpy(mm, s + 14, 2);
	hh[2] = mm[2] = '\0';
	if (date_parse_iso(d, day) < 0 || parse_long(hh, 0, 23, &h) < 0 ||
	    parse_long(mm, 0, 59, &m) < 0)
		return -1;
	*at = date_at_local(*day, (int)(h * 60 + m));
	return *at == (time_t)-1 ? -1 : 0;
}

/* timers_args - "--as-of AAAA-MM-JJ" or "--at AAAA-MM-JJTHH:MM" (the
 * expected-file cutoffs need a time of day), and "--force" */
static int timers_args(int argc, char **argv, struct date *as_of,
		       time_t *at, int *force)
{
	int i;

	*at = time(NULL);
	*as_of = date_of_time(*at);
	*force = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0)
			*force = 1;
		else if (strcmp(argv[i], "--as-of") == 0 && i + 1 < argc &&
			 date_parse_iso(argv[i + 1], as_of) == 0) {
			i++;
			if (date_cmp(*as_of, date_of_time(*at)) != 0)
				*at = date_at_local(*as_of, 0);
		} else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc &&
			   parse_at(argv[i + 1], as_of, at) == 0)
			i++;
		else {
			fprintf(stderr, "affilctl: usage: timers run "
				"[--as-of AAAA-MM-JJ | --at AAAA-MM-JJTHH:MM] "
				"[--force]\n");
			return -1;
		}
	}
	return 0;
}

/* cmd_timers_run - fire what is due as of a date, as the daemon would */
static int cmd_timers_run(struct ctl *c, int argc, char **argv)
{
	unsigned char key[64];
	size_t keylen = sizeof(key);
	char day[DATE_ISO_SIZE], now[DATE_ISO_SIZE];
	struct timer_run run;
	time_t at;
	int force, late;

	memset(&run, 0, sizeof(run));
	if (timers_args(argc, argv, &run.as_of, &at, &force) < 0)
		return EX_USAGE;
	if ((date_cmp(run.as_of, date_today()) > 0 || at > time(NULL)) &&
	    !force) {
		fprintf(stderr, "affilctl: --as-of %s is after today (%s): "
			"add --force to fire future deadlines\n",
			date_format(run.as_of, day),
			date_format(date_today(), now));
		return EX_USAGE;
	}
	if (read_key(c->cfg, key, &keylen) < 0)
		return EX_CONFIG;
	store_close(c->st);
	c->st = store_open(c->cfg->db.path, STORE_RW, 16,
			   c->cfg->db.busy_timeout_s);
	if (c->st == NULL)
		return EX_UNAVAILABLE;
	run.cfg = c->cfg;
	run.token_key = key;
	run.token_keylen = keylen;
	run.fn = ran_timer;
	run.arg = c;
	ctl_header(c, timer_cols, 7);
	if (store_timers_run(c->st, &run) < 0 ||
	    store_expected_run(c->st, c->cfg, at, &late) < 0)
		return EX_TEMPFAIL;
	ctl_end(c);
	if (c->fmt == FMT_TABLE)
		printf("%d échéance(s) traitée(s), %d sans objet, %d en "
		       "attente, %d récapitulatif(s) aux employeurs, %d "
		       "fichier(s) attendu(s) non reçu(s)\n", run.fired,
		       run.noop, run.skipped, run.digests, late);
	return 0;
}

static int cmd_timers(struct ctl *c, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "run") == 0)
		return cmd_timers_run(c, argc - 1, argv + 1);
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

#define CTL_WRITES_WITH_VERB 2

/* ---- the command table ---------------------------------------------------- */

static const struct command {
	const char *name;
	int (*fn)(struct ctl *, int, char **);
	const char *help;
	int writes;		/* opens the database read-write: 1, or
				 * CTL_WRITES_WITH_VERB (ID, then a verb) */
} commands[] = {
	{ "employees", cmd_employees, "employees [SEARCH]   employees, by "
	  "name or NIR (--employer, --status)", 0 },
	{ "employers", ctl_employers, "employers            configured "
	  "employers: last file, next expected, late (--employer)", 0 },
	{ "files", cmd_files, "files                every file received "
	  "(--employer, --status)", 0 },
	{ "file", cmd_file, "file ID              one file, its counts and "
	  "its rejected and warning lines", CTL_WRITES_WITH_VERB },
	{ "file", cmd_file, "file ID approve|refuse\n"
	  "                       the insurer's decision on a file the "
	  "radiation gate held", CTL_WRITES_WITH_VERB },
	{ "outbox", cmd_outbox, "outbox [--failed]    messages pending, sent "
	  "or failed", 1 },
	{ "outbox", cmd_outbox, "outbox retry ID      a failed message back "
	  "to pending, due now", 1 },
	{ "reprocess", ctl_reprocess, "reprocess ID --force process an "
	  "archived file again, even a duplicate", 1 },
	{ "show", cmd_show, "show EMPLOYER NIR    one employee: record, "
	  "beneficiaries, history", 0 },
	{ "timers", cmd_timers, "timers [run [--as-of AAAA-MM-JJ | --at "
	  "AAAA-MM-JJTHH:MM] [--force]]\n"
	  "                       deadlines due next; run: fire those due "
	  "and the expected-file alerts (a future date needs --force)", 0 },
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
	for (i = 0; i < NELEM(commands); i++)
		if (strcmp(commands[i].name, argv[optind]) == 0)
			break;
	if (i == NELEM(commands)) {
		fprintf(stderr, "affilctl: unknown command %s\n", argv[optind]);
		return EX_USAGE;
	}
	rc = open_all(&c, path, commands[i].writes == CTL_WRITES_WITH_VERB ?
		      argc - optind > 2 : commands[i].writes);
	if (rc == 0)
		rc = commands[i].fn(&c, argc - optind, argv + optind);
	store_close(c.st);
	cfg_free(c.cfg);
	return rc;
}
