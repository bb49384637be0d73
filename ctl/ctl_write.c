/*
 * ctl_write - the write verbs: a command line becomes one row of a CSV
 * file for the admin drop (ctl_write.h lists them, docs/formats.md "The
 * admin drop" says what each row does).  affilctl checks only what it can
 * say better at once (a usage error, an unknown field, a future date
 * without --force); the rules are affild's, in the report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "common/date.h"
#include "common/util.h"
#include "ctl/ctl_submit.h"
#include "ctl/ctl_write.h"
#include "rules/vocab.h"

#define POS_MAX 32		/* positional words after the verb */
#define EDIT_MAX 24		/* field=value pairs of one edit */

/* The options of the write verbs (each takes --no-wait and --timeout). */
enum wopt {
	W_NO_WAIT, W_TIMEOUT, W_FORCE, W_FIN, W_MOTIF, W_PORTABILITE,
	W_JUSTIFICATION, W_DEBUT, W_EMAIL, W_DEMANDE, W_JUSTIFICATIF, W_AS_OF,
	W_AT, W_COUNT
};

static const struct {
	const char *name;
	int has_arg;
} wopts[W_COUNT] = {
	[W_NO_WAIT] = { "no-wait", 0 }, [W_TIMEOUT] = { "timeout", 1 },
	[W_FORCE] = { "force", 0 }, [W_FIN] = { "fin", 1 },
	[W_MOTIF] = { "motif", 1 }, [W_PORTABILITE] = { "portabilite", 1 },
	[W_JUSTIFICATION] = { "justification", 1 },
	[W_DEBUT] = { "debut", 1 }, [W_EMAIL] = { "email-personnel", 1 },
	[W_DEMANDE] = { "demande", 1 },
	[W_JUSTIFICATIF] = { "justificatif", 1 },
	[W_AS_OF] = { "as-of", 1 }, [W_AT] = { "at", 1 },
};

#define W(o) (1u << (o))

/* One command line, parsed: its words and its options' values. */
struct wline {
	const char *verb;
	const char *pos[POS_MAX];
	int npos;
	const char *val[W_COUNT];	/* NULL: not given; "" for a flag */
};

static const char *const usages[] = {
	"edit EMPLOYER NIR FIELD=VALUE...  a MODIFICATION (#VIDE clears a "
	"field)",
	"remind EMPLOYER NIR  a RELANCE: the reminder, now",
	"force EMPLOYER NIR   an AFFILIATION_FORCEE to the base plan",
	"radiate EMPLOYER NIR --fin AAAA-MM-JJ --motif CODE [--portabilite "
	"O|N]\n                       [--justification TEXT] [--debut "
	"AAAA-MM-JJ] [--email-personnel ADDR]\n"
	"                       a RADIATION",
	"dispense EMPLOYER NIR --motif CODE [--demande AAAA-MM-JJ] "
	"[--justificatif REF]\n                       [--fin AAAA-MM-JJ]  "
	"a DISPENSE",
};

void ctl_write_usage(FILE *fp)
{
	size_t i;

	for (i = 0; i < NELEM(usages); i++)
		fprintf(fp, "  %s\n", usages[i]);
	fprintf(fp, "  (every change: [--no-wait] [--timeout SECONDS]; "
		"affild applies it, affilctl prints its report)\n");
}

/* usage - a usage error of verb; EX_USAGE */
static int usage(const char *verb, const char *line, const char *why)
{
	fprintf(stderr, "affilctl: %s%s%s\naffilctl: usage: %s [--no-wait] "
		"[--timeout SECONDS]\n", verb, why ? ": " : "",
		why ? why : "", line);
	return EX_USAGE;
}

/* opt_of - the option named by "--name" or "--name=value" (*inline the
 * value after '='); W_COUNT when unknown */
static enum wopt opt_of(const char *arg, const char **inline_val)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	int i;

	*inline_val = eq ? eq + 1 : NULL;
	for (i = 0; i < W_COUNT; i++)
		if (strlen(wopts[i].name) == n &&
		    strncmp(arg + 2, wopts[i].name, n) == 0)
			return (enum wopt)i;
	return W_COUNT;
}

/* parse - argv (the verb first) into w, options anywhere; only those in
 * allowed (with --no-wait, --timeout); 0 or EX_USAGE (said) */
static int parse(int argc, char **argv, unsigned allowed, struct wline *w,
		 const char *line)
{
	const char *val;
	enum wopt o;
	int i;

	memset(w, 0, sizeof(*w));
	w->verb = argv[0];
	allowed |= W(W_NO_WAIT) | W(W_TIMEOUT);
	for (i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
			if (w->npos == POS_MAX)
				return usage(w->verb, line, "too many words");
			w->pos[w->npos++] = argv[i];
			continue;
		}
		o = opt_of(argv[i], &val);
		if (o == W_COUNT || !(allowed & W(o)))
			return usage(w->verb, line, "unknown option");
		if (wopts[o].has_arg && val == NULL) {
			if (i + 1 == argc)
				return usage(w->verb, line, "option without "
					     "its value");
			val = argv[++i];
		} else if (!wopts[o].has_arg && val != NULL) {
			return usage(w->verb, line, "this option takes no "
				     "value");
		}
		w->val[o] = val ? val : "";
	}
	return 0;
}

/* send - one row under cols into the admin drop; an exit status */
static int send(const struct cfg *cfg, const struct wline *w,
		const char *const *cols, const char *const *vals, int n)
{
	struct ctl_submit o = { w->verb, w->val[W_NO_WAIT] == NULL,
				CTL_SUBMIT_TIMEOUT_S };
	struct ctl_csv csv;
	long t;
	int rc;

	if (w->val[W_TIMEOUT] &&
	    parse_long(w->val[W_TIMEOUT], 1, 86400, &t) < 0) {
		fprintf(stderr, "affilctl: --timeout: seconds, 1 to 86400\n");
		return EX_USAGE;
	}
	if (w->val[W_TIMEOUT])
		o.timeout_s = (int)t;
	ctl_csv_init(&csv, cols, n);
	if (ctl_csv_row(&csv, vals) < 0) {
		ctl_csv_free(&csv);
		fprintf(stderr, "affilctl: %s: values too long\n", w->verb);
		return EX_DATAERR;
	}
	rc = ctl_submit(cfg, &csv, &o);
	ctl_csv_free(&csv);
	return rc;
}

/* ---- one employee's movement -------------------------------------------- */

/* The fields a MODIFICATION takes (docs/formats.md). */
static const char *const edit_fields[] = {
	"nouveau_nir", "nom", "nom_usage", "prenom", "date_naissance",
	"date_embauche", "date_effet", "email", "email_personnel", "adresse",
	"code_postal", "ville", "pays", "telephone", "matricule", "categorie",
	"option", "iban", "bic", "rum", "date_signature_mandat",
};

static int edit_field(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NELEM(edit_fields); i++)
		if (strlen(edit_fields[i]) == n &&
		    strncmp(edit_fields[i], name, n) == 0)
			return 1;
	return 0;
}

/* cmd_edit - EMPLOYER NIR field=value...: one MODIFICATION */
static int cmd_edit(const struct cfg *cfg, int argc, char **argv)
{
	static const char line[] = "edit EMPLOYER NIR FIELD=VALUE...";
	const char *cols[3 + EDIT_MAX] = { "operation", "numero_personne",
					   "nir" };
	const char *vals[3 + EDIT_MAX] = { "MODIFICATION" };
	char names[EDIT_MAX][32];
	struct wline w;
	const char *eq;
	int i, j, n = 3, rc;

	if ((rc = parse(argc, argv, 0, &w, line)) != 0)
		return rc;
	if (w.npos < 3)
		return usage(w.verb, line, "what to change is missing");
	if (w.npos - 2 > EDIT_MAX)
		return usage(w.verb, line, "too many fields");
	vals[1] = w.pos[0];
	vals[2] = w.pos[1];
	for (i = 2; i < w.npos; i++, n++) {
		eq = strchr(w.pos[i], '=');
		if (eq == NULL || !edit_field(w.pos[i], (size_t)(eq - w.pos[i])))
			return usage(w.verb, line, "FIELD=VALUE, FIELD one "
				     "of a MODIFICATION's (docs/formats.md)");
		if (eq[1] == '\0')
			return usage(w.verb, line, "an empty value changes "
				     "nothing: #VIDE clears the field");
		snprintf(names[n - 3], sizeof(names[0]), "%.*s",
			 (int)(eq - w.pos[i]), w.pos[i]);
		for (j = 3; j < n; j++)
			if (strcmp(cols[j], names[n - 3]) == 0)
				return usage(w.verb, line, "a field given "
					     "twice");
		cols[n] = names[n - 3];
		vals[n] = eq + 1;
	}
	return send(cfg, &w, cols, vals, n);
}

/* employee_op - EMPLOYER NIR and nothing else: op on that employee */
static int employee_op(const struct cfg *cfg, int argc, char **argv,
		       const char *op, const char *line)
{
	static const char *const cols[] = { "operation", "numero_personne",
					    "nir" };
	const char *vals[3] = { op };
	struct wline w;
	int rc;

	if ((rc = parse(argc, argv, 0, &w, line)) != 0)
		return rc;
	if (w.npos != 2)
		return usage(w.verb, line, "EMPLOYER NIR");
	vals[1] = w.pos[0];
	vals[2] = w.pos[1];
	return send(cfg, &w, cols, vals, 3);
}

static int cmd_remind(const struct cfg *cfg, int argc, char **argv)
{
	return employee_op(cfg, argc, argv, op_name(OP_RELANCE),
			   "remind EMPLOYER NIR");
}

static int cmd_force(const struct cfg *cfg, int argc, char **argv)
{
	return employee_op(cfg, argc, argv, op_name(OP_AFFILIATION_FORCEE),
			   "force EMPLOYER NIR");
}

/* cmd_radiate - EMPLOYER NIR --fin DATE --motif CODE [...]: a RADIATION */
static int cmd_radiate(const struct cfg *cfg, int argc, char **argv)
{
	static const char line[] = "radiate EMPLOYER NIR --fin AAAA-MM-JJ "
		"--motif CODE [--portabilite O|N] [--justification TEXT] "
		"[--debut AAAA-MM-JJ] [--email-personnel ADDR]";
	static const char *const cols[] = { "operation", "numero_personne",
		"nir", "date_fin_contrat", "motif_rupture", "portabilite",
		"justification", "date_debut_contrat", "email_personnel" };
	const char *vals[9];
	struct wline w;
	int rc;

	if ((rc = parse(argc, argv, W(W_FIN) | W(W_MOTIF) | W(W_PORTABILITE) |
			W(W_JUSTIFICATION) | W(W_DEBUT) | W(W_EMAIL), &w,
			line)) != 0)
		return rc;
	if (w.npos != 2 || !w.val[W_FIN] || !w.val[W_MOTIF])
		return usage(w.verb, line, "EMPLOYER NIR, --fin and --motif");
	vals[0] = op_name(OP_RADIATION);
	vals[1] = w.pos[0];
	vals[2] = w.pos[1];
	vals[3] = w.val[W_FIN];
	vals[4] = w.val[W_MOTIF];
	vals[5] = w.val[W_PORTABILITE];
	vals[6] = w.val[W_JUSTIFICATION];
	vals[7] = w.val[W_DEBUT];
	vals[8] = w.val[W_EMAIL];
	return send(cfg, &w, cols, vals, 9);
}

/* cmd_dispense - EMPLOYER NIR --motif CODE [...]: a DISPENSE, asked today
 * unless --demande */
static int cmd_dispense(const struct cfg *cfg, int argc, char **argv)
{
	static const char line[] = "dispense EMPLOYER NIR --motif CODE "
		"[--demande AAAA-MM-JJ] [--justificatif REF] [--fin AAAA-MM-JJ]";
	static const char *const cols[] = { "operation", "numero_personne",
		"nir", "motif_dispense", "date_demande", "justificatif",
		"date_fin_dispense" };
	char today[DATE_ISO_SIZE];
	const char *vals[7];
	struct wline w;
	int rc;

	if ((rc = parse(argc, argv, W(W_MOTIF) | W(W_DEMANDE) |
			W(W_JUSTIFICATIF) | W(W_FIN), &w, line)) != 0)
		return rc;
	if (w.npos != 2 || !w.val[W_MOTIF])
		return usage(w.verb, line, "EMPLOYER NIR and --motif");
	vals[0] = op_name(OP_DISPENSE);
	vals[1] = w.pos[0];
	vals[2] = w.pos[1];
	vals[3] = w.val[W_MOTIF];
	vals[4] = w.val[W_DEMANDE] ? w.val[W_DEMANDE] :
		  date_format(date_today(), today);
	vals[5] = w.val[W_JUSTIFICATIF];
	vals[6] = w.val[W_FIN];
	return send(cfg, &w, cols, vals, 7);
}

/* ---- what affilctl once wrote itself ------------------------------------- */

/* one_value - a row of (operation, col) */
static int one_value(const struct cfg *cfg, const struct wline *w,
		     enum op op, const char *col, const char *val)
{
	const char *cols[2] = { "operation", col };
	const char *vals[2] = { op_name(op), val };

	return send(cfg, w, cols, vals, 2);
}

/* cmd_reprocess - ID --force: RETRAITEMENT */
static int cmd_reprocess(const struct cfg *cfg, int argc, char **argv)
{
	static const char line[] = "reprocess ID --force";
	struct wline w;
	int rc;

	if ((rc = parse(argc, argv, W(W_FORCE), &w, line)) != 0)
		return rc;
	if (w.npos != 1)
		return usage(w.verb, line, "one file ID");
	if (w.val[W_FORCE] == NULL)
		return usage(w.verb, line, "refused without --force: the file "
			     "would be applied again although its bytes were "
			     "already processed (duplicates are never applied "
			     "twice unless forced)");
	return one_value(cfg, &w, OP_RETRAITEMENT, "id_fichier", w.pos[0]);
}

/* cmd_file - ID approve|refuse: APPROBATION, REFUS of a held file */
static int cmd_file(const struct cfg *cfg, int argc, char **argv)
{
	static const char line[] = "file ID approve|refuse";
	struct wline w;
	enum op op;
	int rc;

	if ((rc = parse(argc, argv, 0, &w, line)) != 0)
		return rc;
	if (w.npos != 2)
		return usage(w.verb, line, "ID, then approve or refuse");
	if (strcmp(w.pos[1], "approve") == 0)
		op = OP_APPROBATION;
	else if (strcmp(w.pos[1], "refuse") == 0)
		op = OP_REFUS;
	else
		return usage(w.verb, line, "approve or refuse");
	w.verb = w.pos[1];
	return one_value(cfg, &w, op, "id_fichier", w.pos[0]);
}

/* cmd_outbox - retry ID: RENVOI_MESSAGE */
static int cmd_outbox(const struct cfg *cfg, int argc, char **argv)
{
	static const char line[] = "outbox retry ID";
	struct wline w;
	long id;
	int rc;

	if ((rc = parse(argc, argv, 0, &w, line)) != 0)
		return rc;
	if (w.npos != 2 || parse_long(w.pos[1], 1, 0x7fffffffL, &id) < 0)
		return usage(w.verb, line, "retry, then a message's number");
	w.verb = "retry";
	return one_value(cfg, &w, OP_RENVOI_MESSAGE, "id_message", w.pos[1]);
}

/* at_of - "AAAA-MM-JJTHH:MM" into day ("AAAA-MM-JJ"), hhmm ("HH:MM"),
 * d and the minutes after 00:00; 0 or -1 */
static int at_of(const char *at, char *day, char *hhmm, struct date *d,
		 int *minutes)
{
	char hh[3], mm[3];
	long h, m;

	if (strlen(at) != 16 || at[10] != 'T' || at[13] != ':')
		return -1;
	memcpy(day, at, 10);
	day[10] = '\0';
	memcpy(hh, at + 11, 2);
	memcpy(mm, at + 14, 2);
	hh[2] = mm[2] = '\0';
	if (date_parse_iso(day, d) < 0 || parse_long(hh, 0, 23, &h) < 0 ||
	    parse_long(mm, 0, 59, &m) < 0)
		return -1;
	snprintf(hhmm, 6, "%s:%s", hh, mm);
	*minutes = (int)(h * 60 + m);
	return 0;
}

/* when - --as-of DAY or --at DAYTHH:MM into day and hhmm ("" today, now);
 * 0, or EX_USAGE (said) for a bad value or a future one without --force */
static int when(const struct wline *w, const char *line, char *day,
		char *hhmm)
{
	struct date d = date_today(), today = d;
	time_t t = time(NULL);
	int minutes;

	day[0] = hhmm[0] = '\0';
	if (w->val[W_AS_OF] && w->val[W_AT])
		return usage(w->verb, line, "--as-of or --at, not both");
	if (w->val[W_AS_OF]) {
		if (date_parse_iso(w->val[W_AS_OF], &d) < 0)
			return usage(w->verb, line, "--as-of AAAA-MM-JJ");
		date_format(d, day);
		if (date_cmp(d, today) != 0)
			t = date_at_local(d, 0);
	} else if (w->val[W_AT]) {
		if (at_of(w->val[W_AT], day, hhmm, &d, &minutes) < 0)
			return usage(w->verb, line, "--at AAAA-MM-JJTHH:MM");
		t = date_at_local(d, minutes);
	}
	if ((date_cmp(d, today) > 0 || t > time(NULL)) && !w->val[W_FORCE]) {
		fprintf(stderr, "affilctl: timers run: %s is after now: add "
			"--force to fire future deadlines (never on a "
			"production database)\n", day);
		return EX_USAGE;
	}
	return 0;
}

/* cmd_timers - run [--as-of DAY | --at DAYTHH:MM] [--force]: ECHEANCES */
static int cmd_timers(const struct cfg *cfg, int argc, char **argv)
{
	static const char line[] = "timers run [--as-of AAAA-MM-JJ | --at "
		"AAAA-MM-JJTHH:MM] [--force]";
	static const char *const cols[] = { "operation", "date_reference",
		"heure_reference", "forcer" };
	char day[DATE_ISO_SIZE], hhmm[8];
	const char *vals[4];
	struct wline w;
	int rc;

	if ((rc = parse(argc, argv, W(W_AS_OF) | W(W_AT) | W(W_FORCE), &w,
			line)) != 0)
		return rc;
	if (w.npos != 1 || strcmp(w.pos[0], "run") != 0)
		return usage(w.verb, line, "run");
	if ((rc = when(&w, line, day, hhmm)) != 0)
		return rc;
	w.verb = "timers";
	vals[0] = op_name(OP_ECHEANCES);
	vals[1] = day;
	vals[2] = hhmm;
	vals[3] = w.val[W_FORCE] ? "O" : "N";
	return send(cfg, &w, cols, vals, 4);
}

/* cmd_portability - open|proof EMPLOYER NIR [--justification TEXT] */
static int cmd_portability(const struct cfg *cfg, int argc, char **argv)
{
	static const char line[] = "portability open EMPLOYER NIR "
		"--justification TEXT | portability proof EMPLOYER NIR";
	static const char *const cols[] = { "operation", "numero_personne",
		"nir", "justification" };
	const char *vals[4];
	struct wline w;
	int open, rc;

	if ((rc = parse(argc, argv, W(W_JUSTIFICATION), &w, line)) != 0)
		return rc;
	open = w.npos == 3 && strcmp(w.pos[0], "open") == 0;
	if (w.npos != 3 || (!open && strcmp(w.pos[0], "proof") != 0) ||
	    (open && (w.val[W_JUSTIFICATION] == NULL ||
		      *w.val[W_JUSTIFICATION] == '\0')) ||
	    (!open && w.val[W_JUSTIFICATION]))
		return usage(w.verb, line, NULL);
	w.verb = open ? "portability-open" : "portability-proof";
	vals[0] = op_name(open ? OP_OUVERTURE_PORTABILITE : OP_PREUVE_CHOMAGE);
	vals[1] = w.pos[1];
	vals[2] = w.pos[2];
	vals[3] = w.val[W_JUSTIFICATION];
	return send(cfg, &w, cols, vals, open ? 4 : 3);
}

/* ---- the table ----------------------------------------------------------------- */

static const struct {
	const char *name;
	const char *sub;	/* the word that makes it a write: NULL any */
	int sub_at;		/* its place (1: right after the verb) */
	int (*fn)(const struct cfg *, int, char **);
} verbs[] = {
	{ "edit", NULL, 0, cmd_edit },
	{ "remind", NULL, 0, cmd_remind },
	{ "force", NULL, 0, cmd_force },
	{ "radiate", NULL, 0, cmd_radiate },
	{ "dispense", NULL, 0, cmd_dispense },
	{ "reprocess", NULL, 0, cmd_reprocess },
	{ "portability", NULL, 0, cmd_portability },
	{ "file", "", 2, cmd_file },		/* file ID <decision> */
	{ "outbox", "retry", 1, cmd_outbox },
	{ "timers", "run", 1, cmd_timers },
};

/* verb_of - the write verb of argv, or -1 */
static int verb_of(int argc, char **argv)
{
	size_t i;

	for (i = 0; argc > 0 && i < NELEM(verbs); i++) {
		if (strcmp(argv[0], verbs[i].name) != 0)
			continue;
		if (verbs[i].sub == NULL)
			return (int)i;
		if (argc > verbs[i].sub_at &&
		    (*verbs[i].sub == '\0' ||
		     strcmp(argv[verbs[i].sub_at], verbs[i].sub) == 0))
			return (int)i;
	}
	return -1;
}

int ctl_write_wants(int argc, char **argv)
{
	return verb_of(argc, argv) >= 0;
}

int ctl_write(const struct cfg *cfg, int argc, char **argv)
{
	int i = verb_of(argc, argv);

	return i < 0 ? EX_USAGE : verbs[i].fn(cfg, argc, argv);
}

int ctl_write_main(const char *path, int argc, char **argv)
{
	struct cfg_errors errs = { NULL, 0 };
	struct cfg *cfg;
	int rc;

	if (access(path, R_OK) < 0 && (errno == EACCES || errno == EPERM)) {
		fprintf(stderr, "affilctl: cannot read the configuration %s: "
			"its group must let the admins read it "
			"(docs/operations.md, \"The admin drop\"), or run "
			"affilctl as root\n", path);
		return EX_NOPERM;
	}
	cfg = cfg_load(path, &errs);
	if (cfg == NULL) {
		fprintf(stderr, "affilctl: %s: %s\n", path, errs.n ?
			errs.lines[0] : "invalid configuration");
		cfg_errors_free(&errs);
		return EX_CONFIG;
	}
	cfg_errors_free(&errs);
	rc = ctl_write(cfg, argc, argv);
	cfg_free(cfg);
	return rc;
}
