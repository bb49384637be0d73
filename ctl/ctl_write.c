/*
 * ctl_write - the write verbs: a command line becomes one row of a CSV
 * file for the admin drop (ctl_submit.c); affild applies it, affilctl
 * prints its report.  Nothing here opens the database.
 *
 *   edit EMPLOYER NIR field=value...     MODIFICATION
 *   remind EMPLOYER NIR                  RELANCE
 *   force EMPLOYER NIR                   AFFILIATION_FORCEE
 *   bulletin EMPLOYER NIR [-o FILE]      BULLETIN (the PDF)
 *   radiate EMPLOYER NIR --fin --motif   RADIATION
 *   dispense EMPLOYER NIR --motif        DISPENSE
 *   reprocess ID --force                 RETRAITEMENT
 *   file ID approve|refuse               APPROBATION, REFUS
 *   outbox retry ID                      RENVOI_MESSAGE
 *   timers run [--as-of|--at] [--force]  ECHEANCES
 *   portability open|proof EMPLOYER NIR  OUVERTURE_PORTABILITE,
 *                                        PREUVE_CHOMAGE
 *
 * docs/formats.md "The admin drop" says what each row does.  The parser
 * (ctl_args.c) has already read the line against the one table
 * (ctl_table.c): the arguments, the options (each change also takes
 * --no-wait and --timeout), those required.  affilctl checks only what it
 * can say better at once (an unknown field, a future date without
 * --force); the rules are affild's, in the report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "common/date.h"
#include "common/util.h"
#include "ctl/ctl.h"
#include "ctl/ctl_submit.h"
#include "rules/vocab.h"

#define EDIT_MAX (CTL_ARGS_MAX - 3)	/* field=value pairs of one edit */

/* submit - one row under cols into the admin drop, as verb (the start of
 * the file's name), and the document it asks for when attach; an exit
 * status */
static int submit(struct ctl *c, const char *verb, const char *const *cols,
		  const char *const *vals, int n, const char *attach)
{
	struct ctl_submit o = { verb, !c->no_wait, c->timeout_s > 0 ?
				(int)c->timeout_s : CTL_SUBMIT_TIMEOUT_S,
				attach, attach && c->output ? c->outfp : NULL,
				c->fmt == FMT_JSON };
	struct ctl_csv csv;
	int rc;

	if ((rc = ctl_open_config(c)) != 0)
		return rc;
	ctl_csv_init(&csv, cols, n);
	if (ctl_csv_row(&csv, vals) < 0) {
		ctl_csv_free(&csv);
		fprintf(stderr, "affilctl: %s: values too long\n", verb);
		return EX_DATAERR;
	}
	fflush(c->outfp);
	rc = ctl_submit(c->cfg, &csv, &o);
	ctl_csv_free(&csv);
	return rc;
}

/* send - a row whose report is all there is to wait for */
static int send(struct ctl *c, const char *verb, const char *const *cols,
		const char *const *vals, int n)
{
	return submit(c, verb, cols, vals, n, NULL);
}

/* ---- one employee's movement -------------------------------------------- */

/* The fields a MODIFICATION takes (docs/formats.md); NULL-ended. */
const char *const ctl_edit_fields[] = {
	"nouveau_nir", "nom", "nom_usage", "prenom", "date_naissance",
	"date_embauche", "date_effet", "email", "email_personnel", "adresse",
	"code_postal", "ville", "pays", "telephone", "matricule", "categorie",
	"option", "iban", "bic", "rum", "date_signature_mandat", NULL,
};

static int edit_field(const char *name, size_t n)
{
	size_t i;

	for (i = 0; ctl_edit_fields[i]; i++)
		if (strlen(ctl_edit_fields[i]) == n &&
		    strncmp(ctl_edit_fields[i], name, n) == 0)
			return 1;
	return 0;
}

/* ctl_edit - EMPLOYER NIR field=value...: one MODIFICATION */
int ctl_edit(struct ctl *c)
{
	const char *cols[3 + EDIT_MAX] = { "operation", "numero_personne",
					   "nir" };
	const char *vals[3 + EDIT_MAX] = { "MODIFICATION" };
	char names[EDIT_MAX][32];
	const char *eq;
	int i, j, n = 3;

	if (c->nargs - 2 > EDIT_MAX)
		return ctl_usage_error(c, "too many fields");
	vals[1] = c->args[0];
	vals[2] = c->args[1];
	for (i = 2; i < c->nargs; i++, n++) {
		eq = strchr(c->args[i], '=');
		if (eq == NULL || !edit_field(c->args[i],
					      (size_t)(eq - c->args[i])))
			return ctl_usage_error(c, "%s: FIELD=VALUE, FIELD one "
					       "of a MODIFICATION's "
					       "(docs/formats.md)", c->args[i]);
		if (eq[1] == '\0')
			return ctl_usage_error(c, "%s: an empty value changes "
					       "nothing, #VIDE clears the "
					       "field", c->args[i]);
		snprintf(names[n - 3], sizeof(names[0]), "%.*s",
			 (int)(eq - c->args[i]), c->args[i]);
		for (j = 3; j < n; j++)
			if (strcmp(cols[j], names[n - 3]) == 0)
				return ctl_usage_error(c, "%s: a field given "
						       "twice", names[n - 3]);
		cols[n] = names[n - 3];
		vals[n] = eq + 1;
	}
	return send(c, "edit", cols, vals, n);
}

/* employee_op - EMPLOYER NIR: op on that employee */
static int employee_op(struct ctl *c, enum op op)
{
	static const char *const cols[] = { "operation", "numero_personne",
					    "nir" };
	const char *vals[3] = { op_name(op), c->args[0], c->args[1] };

	return send(c, c->verb->name, cols, vals, 3);
}

int ctl_remind(struct ctl *c)
{
	return employee_op(c, OP_RELANCE);
}

int ctl_force(struct ctl *c)
{
	return employee_op(c, OP_AFFILIATION_FORCEE);
}

/*
 * ctl_bulletin - EMPLOYER NIR [-o FILE]: the employee's bulletin, as the
 * employer's BULLETIN row gives it: affild writes the PDF beside the
 * report (out/<name>.<id>.bulletin-2.pdf, the row being line 2); it is
 * copied to -o FILE (0600, put in place once whole: it names the
 * person), or its path printed.
 */
int ctl_bulletin(struct ctl *c)
{
	static const char *const cols[] = { "operation", "numero_personne",
					    "nir" };
	const char *vals[3] = { op_name(OP_BULLETIN), c->args[0], c->args[1] };

	if (c->output && strcmp(c->output, "-") == 0)	/* the report's */
		return ctl_usage_error(c, "-o -: the standard output carries "
				       "the report; name a file");
	return submit(c, "bulletin", cols, vals, 3, ".bulletin-2.pdf");
}

/* ctl_radiate - EMPLOYER NIR --fin DATE --motif CODE [...]: a RADIATION */
int ctl_radiate(struct ctl *c)
{
	static const char *const cols[] = { "operation", "numero_personne",
		"nir", "date_fin_contrat", "motif_rupture", "portabilite",
		"justification", "date_debut_contrat", "email_personnel" };
	const char *vals[9] = { op_name(OP_RADIATION), c->args[0], c->args[1],
				c->fin, c->motif, c->portabilite,
				c->justification, c->debut, c->email };

	return send(c, "radiate", cols, vals, 9);
}

/* ctl_dispense - EMPLOYER NIR --motif CODE [...]: a DISPENSE, asked today
 * unless --demande */
int ctl_dispense(struct ctl *c)
{
	static const char *const cols[] = { "operation", "numero_personne",
		"nir", "motif_dispense", "date_demande", "justificatif",
		"date_fin_dispense" };
	char today[DATE_ISO_SIZE];
	const char *vals[7] = { op_name(OP_DISPENSE), c->args[0], c->args[1],
				c->motif, c->demande ? c->demande :
				date_format(date_today(), today),
				c->justificatif, c->fin };

	return send(c, "dispense", cols, vals, 7);
}

/* ---- what affilctl once wrote itself ------------------------------------- */

/* one_value - a row of (operation, col) */
static int one_value(struct ctl *c, const char *verb, enum op op,
		     const char *col, const char *val)
{
	const char *cols[2] = { "operation", col };
	const char *vals[2] = { op_name(op), val };

	return send(c, verb, cols, vals, 2);
}

/* ctl_reprocess - ID --force: RETRAITEMENT */
int ctl_reprocess(struct ctl *c)
{
	if (!c->force)
		return ctl_usage_error(c, "refused without --force: the file "
				       "would be applied again although its "
				       "bytes were already processed");
	return one_value(c, "reprocess", OP_RETRAITEMENT, "id_fichier",
			 c->args[0]);
}

/* ctl_file_decide - ID approve|refuse: APPROBATION, REFUS of a held
 * file */
int ctl_file_decide(struct ctl *c)
{
	int approve = strcmp(c->args[1], "approve") == 0;

	return one_value(c, c->args[1], approve ? OP_APPROBATION : OP_REFUS,
			 "id_fichier", c->args[0]);
}

/* ctl_outbox_retry - retry ID: RENVOI_MESSAGE */
int ctl_outbox_retry(struct ctl *c)
{
	long id;

	if (parse_long(c->args[1], 1, 0x7fffffffL, &id) < 0)
		return ctl_usage_error(c, "retry %s: a message id is a number",
				       c->args[1]);
	return one_value(c, "retry", OP_RENVOI_MESSAGE, "id_message",
			 c->args[1]);
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
static int when(struct ctl *c, char *day, char *hhmm)
{
	struct date d = date_today(), today = d;
	time_t t = time(NULL);
	int minutes;

	day[0] = hhmm[0] = '\0';
	if (c->as_of && c->at)
		return ctl_usage_error(c, "--as-of or --at, not both");
	if (c->as_of) {
		if (date_parse_iso(c->as_of, &d) < 0)
			return ctl_usage_error(c, "--as-of %s: not a date "
					       "AAAA-MM-JJ", c->as_of);
		date_format(d, day);
		if (date_cmp(d, today) != 0)
			t = date_at_local(d, 0);
	} else if (c->at) {
		if (at_of(c->at, day, hhmm, &d, &minutes) < 0)
			return ctl_usage_error(c, "--at %s: not an instant "
					       "AAAA-MM-JJTHH:MM", c->at);
		t = date_at_local(d, minutes);
	}
	if ((date_cmp(d, today) > 0 || t > time(NULL)) && !c->force)
		return ctl_usage_error(c, "%s is after now: add --force to "
				       "fire future deadlines (never on a "
				       "production database)", day);
	return 0;
}

/* ctl_timers_run - run [--as-of DAY | --at DAYTHH:MM] [--force]:
 * ECHEANCES */
int ctl_timers_run(struct ctl *c)
{
	static const char *const cols[] = { "operation", "date_reference",
		"heure_reference", "forcer" };
	char day[DATE_ISO_SIZE], hhmm[8];
	const char *vals[4];
	int rc;

	if ((rc = when(c, day, hhmm)) != 0)
		return rc;
	vals[0] = op_name(OP_ECHEANCES);
	vals[1] = day;
	vals[2] = hhmm;
	vals[3] = c->force ? "O" : "N";
	return send(c, "timers", cols, vals, 4);
}

/* ctl_portability - open|proof EMPLOYER NIR [--justification TEXT] */
int ctl_portability(struct ctl *c)
{
	static const char *const cols[] = { "operation", "numero_personne",
		"nir", "justification" };
	int open = strcmp(c->args[0], "open") == 0;
	const char *vals[4] = { op_name(open ? OP_OUVERTURE_PORTABILITE :
				       OP_PREUVE_CHOMAGE), c->args[1],
				c->args[2], c->justification };

	if (open && *c->justification == '\0')
		return ctl_usage_error(c, "--justification TEXT is required");
	return send(c, open ? "portability-open" : "portability-proof", cols,
		    vals, open ? 4 : 3);
}
