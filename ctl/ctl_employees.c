/*
 * ctl_employees - `employees` (the list, filtered) and `show` (one
 * employee: record, beneficiaries, history).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "ctl/ctl.h"

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

int ctl_employees(struct ctl *c, int argc, char **argv)
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

int ctl_show(struct ctl *c, int argc, char **argv)
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
