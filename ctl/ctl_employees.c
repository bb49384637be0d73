/*
 * ctl_employees - the employees: `employees` (a listing, filtered, sorted,
 * paged), `export` (every column, streamed to stdout or a file: a million
 * rows cost the memory of one) and `show` (one employee: the record, its
 * beneficiaries and its history).  The NIR is shown whole, as to every
 * admin view; the IBAN never (the store masks it in `show`, and it is not
 * a column of the list).
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "ctl/ctl.h"
#include "store/store_query.h"

/* The columns of the store's employee rows (store_query.h), as keys. */
static const struct ctl_col employee_cols[QE_COLUMNS] = {
	[QE_EMPLOYER] = { "employer", "EMPLOYEUR", COL_TEXT },
	[QE_NIR] = { "nir", "NIR", COL_TEXT },
	[QE_MATRICULE] = { "matricule", "MATRICULE", COL_TEXT },
	[QE_NOM] = { "nom", "NOM", COL_TEXT },
	[QE_NOM_USAGE] = { "nom_usage", "NOM D'USAGE", COL_TEXT },
	[QE_PRENOM] = { "prenom", "PRÉNOM", COL_TEXT },
	[QE_DATE_NAISSANCE] = { "date_naissance", "NAISSANCE", COL_TEXT },
	[QE_DATE_EMBAUCHE] = { "date_embauche", "EMBAUCHE", COL_TEXT },
	[QE_CATEGORIE] = { "categorie", "CATÉGORIE", COL_TEXT },
	[QE_OPTION] = { "option", "OPTION", COL_TEXT },
	[QE_STATUS] = { "status", "STATUT", COL_TEXT },
	[QE_STATUS_SINCE] = { "status_since", "DEPUIS", COL_TEXT },
	[QE_EMAIL] = { "email", "EMAIL", COL_TEXT },
	[QE_RELANCES] = { "relances", "RELANCES", COL_INT },
	[QE_INCOMPLETE] = { "incomplete", "INCOMPLET", COL_BOOL },
	[QE_DATE_FIN_CONTRAT] = { "date_fin_contrat", "FIN CONTRAT",
				  COL_TEXT },
	[QE_DATE_FIN_DROITS] = { "date_fin_droits", "FIN DROITS", COL_TEXT },
	[QE_PORTABILITE_FIN] = { "portabilite_fin", "FIN PORTABILITÉ",
				 COL_TEXT },
};

/* The listing's columns: a few of them, in this order. */
static const enum qe_col list_cols[] = {
	QE_EMPLOYER, QE_NIR, QE_MATRICULE, QE_NOM, QE_PRENOM, QE_STATUS,
	QE_STATUS_SINCE, QE_OPTION,
};
#define NLIST ((int)(sizeof(list_cols) / sizeof(list_cols[0])))

/* A listing under way: which columns of the row it prints. */
struct walk {
	struct ctl_out *out;
	const enum qe_col *pick;	/* NULL: every column */
	int n;
};

static int one_row(const char *const *vals, void *arg)
{
	struct walk *w = arg;
	const char *picked[QE_COLUMNS];
	int i;

	if (w->pick == NULL) {
		ctl_list_row(w->out, vals);
		return 0;
	}
	for (i = 0; i < w->n; i++)
		picked[i] = vals[w->pick[i]];
	ctl_list_row(w->out, picked);
	return 0;
}

/* query_of - the filters of the command line */
static void query_of(const struct ctl *c, struct employee_query *q,
		     enum qe_sort sort)
{
	q->employer = c->employer;
	q->status = c->status;
	q->search = c->nargs ? c->args[0] : NULL;
	q->sort = sort;
	if (c->sort && strcmp(c->sort, "nom") == 0)
		q->sort = QE_SORT_NOM;
	else if (c->sort && strcmp(c->sort, "since") == 0)
		q->sort = QE_SORT_SINCE;
	else if (c->sort && strcmp(c->sort, "status") == 0)
		q->sort = QE_SORT_STATUS;
	q->limit = c->limit;
	q->offset = c->offset;
}

int ctl_employees(struct ctl *c)
{
	struct ctl_col cols[NLIST];
	struct walk w = { c->out, list_cols, NLIST };
	struct employee_query q;
	int i;

	for (i = 0; i < NLIST; i++)
		cols[i] = employee_cols[list_cols[i]];
	query_of(c, &q, QE_SORT_EMPLOYER_NOM);
	ctl_list_begin(c->out, NULL, NULL, cols, NLIST);
	if (store_query_employees(c->st, &q, one_row, &w) < 0)
		return ctl_db_error(c, "employees");
	ctl_list_end(c->out);
	return 0;
}

/* ctl_export - the employer, NIR order of the unique index unless
 * --sort: rows leave as SQLite reads them */
int ctl_export(struct ctl *c)
{
	struct walk w = { c->out, NULL, QE_COLUMNS };
	struct employee_query q;

	query_of(c, &q, QE_SORT_EMPLOYER_NIR);
	ctl_list_begin(c->out, NULL, NULL, employee_cols, QE_COLUMNS);
	if (store_query_employees(c->st, &q, one_row, &w) < 0)
		return ctl_db_error(c, "export");
	ctl_list_end(c->out);
	return 0;
}

/* ---- one employee ------------------------------------------------------- */

/*
 * `show` is a record of three parts: the employee (every field of the
 * record but the token's hash, under the names of its columns), its
 * beneficiaries and its history.  The record opens with its first field,
 * so that an unknown employee prints nothing.
 */
static const struct ctl_col beneficiary_cols[] = {
	{ "lien", "LIEN", COL_TEXT }, { "nom", "NOM", COL_TEXT },
	{ "prenom", "PRÉNOM", COL_TEXT },
	{ "date_naissance", "NAISSANCE", COL_TEXT },
	{ "nir", "NIR", COL_TEXT }, { "situation", "SITUATION", COL_TEXT },
	{ "date_fin", "FIN", COL_TEXT },
};

static const struct ctl_col history_cols[] = {
	{ "at", "DATE", COL_TEXT }, { "from", "DE", COL_TEXT },
	{ "to", "VERS", COL_TEXT }, { "what", "QUOI", COL_TEXT },
	{ "cause", "CAUSE", COL_TEXT }, { "ref", "RÉF.", COL_TEXT },
};

struct show {
	struct ctl_out *out;
	int at;		/* the part open: -1 none, 0 employee, 1 beneficiaries,
			 * 2 history, 3 done */
};

/* show_to - close the part open and open the next ones up to part */
static void show_to(struct show *sh, int part)
{
	while (sh->at < part) {
		if (sh->at == 0)
			ctl_object_end(sh->out);
		else if (sh->at > 0)
			ctl_list_end(sh->out);
		sh->at++;
		if (sh->at == 0) {
			ctl_record_begin(sh->out);
			ctl_object_begin(sh->out, "employee");
		} else if (sh->at == 1) {
			ctl_list_begin(sh->out, "beneficiaries", "ayants droit",
				       beneficiary_cols, 7);
		} else if (sh->at == 2) {
			ctl_list_begin(sh->out, "history", "historique",
				       history_cols, 6);
		} else {
			ctl_record_end(sh->out);
		}
	}
}

static int show_field(const char *name, const char *value, int number,
		      void *arg)
{
	struct ctl_col col = { name, name, number ? COL_INT : COL_TEXT };
	struct show *sh = arg;

	/* a key has one type everywhere: incomplete is a boolean */
	if (strcmp(name, employee_cols[QE_INCOMPLETE].key) == 0)
		col.type = COL_BOOL;
	show_to(sh, 0);
	ctl_record_field(sh->out, &col, value);
	return 0;
}

/* show_row - a beneficiary's or history's row: n values of the store,
 * want of ours (a shorter row is padded with absent values) */
static int show_row(struct show *sh, int part, const char *const *vals,
		    int n, int want)
{
	const char *row[8] = { NULL };
	int i;

	show_to(sh, part);
	for (i = 0; i < want && i < n; i++)
		row[i] = vals[i];
	ctl_list_row(sh->out, row);
	return 0;
}

static int show_beneficiary(const char *const *vals, int n, void *arg)
{
	return show_row(arg, 1, vals, n, 7);
}

static int show_history(const char *const *vals, int n, void *arg)
{
	return show_row(arg, 2, vals, n, 6);
}

int ctl_show(struct ctl *c)
{
	const struct employee_detail_cb cb = {
		show_field, show_beneficiary, show_history
	};
	struct show sh = { c->out, -1 };
	int rc;

	rc = store_employee_detail(c->st, c->args[0], c->args[1], &cb, &sh);
	if (rc == 0)
		show_to(&sh, 3);
	if (rc == 1) {
		fprintf(stderr, "affilctl: show: employer %s has no employee "
			"with this NIR\n", c->args[0]);
		return EX_DATAERR;
	}
	return rc < 0 ? ctl_db_error(c, "show") : 0;
}
