/*
 * ctl_employers - `affilctl employers`: each configured employer, its last
 * file, the next file the calendar expects and whether the last cutoff
 * passed with no file (process.md, "Expected files").  One row per
 * employer of the configuration, in numero order.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl/ctl.h"
#include "store/store_expected.h"

static const struct ctl_col employer_cols[] = {
	{ "employer", "EMPLOYEUR", 9, 0 }, { "name", "NOM", 20, 0 },
	{ "last_file", "DERNIER FICHIER", 15, 0 },
	{ "last_received", "REÇU", 20, 0 },
	{ "last_movements", "MVTS", 6, 1 },
	{ "next_due", "ATTENDU LE", 10, 0 }, { "cutoff", "AVANT", 5, 0 },
	{ "late", "RETARD", 0, 0 },
};

/* print_one - one employer's row; -1 on a database error */
static int print_one(struct ctl *c, const struct cfg_employer *emp,
		     time_t now)
{
	struct expected_state es;
	char mv[24], due[DATE_ISO_SIZE], hhmm[8];
	const char *vals[8];

	if (store_expected_state(c->st, emp, now, &es) < 0)
		return -1;
	snprintf(mv, sizeof(mv), "%ld", es.last_movements);
	snprintf(hhmm, sizeof(hhmm), "%02d:%02d",
		 emp->expected.cutoff_min / 60 % 100,
		 emp->expected.cutoff_min % 60);
	vals[0] = emp->numero;
	vals[1] = emp->name;
	vals[2] = es.last_id[0] ? es.last_id : NULL;
	vals[3] = es.last_id[0] ? es.last_at : NULL;
	vals[4] = es.last_id[0] ? mv : NULL;
	vals[5] = es.has_calendar ? date_format(es.next.due, due) : NULL;
	vals[6] = es.has_calendar ? hhmm : NULL;
	vals[7] = !es.has_calendar ? NULL : es.late ? "late" : "no";
	ctl_row(c, employer_cols, vals, 8);
	return 0;
}

int ctl_employers(struct ctl *c, int argc, char **argv)
{
	time_t now = time(NULL);
	size_t i;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "affilctl: usage: employers\n");
		return EX_USAGE;
	}
	ctl_header(c, employer_cols, 8);
	for (i = 0; i < c->cfg->nemployers; i++) {
		const struct cfg_employer *emp = &c->cfg->employers[i];

		if (c->employer && strcmp(c->employer, emp->numero) != 0)
			continue;
		if (print_one(c, emp, now) < 0)
			return EX_SOFTWARE;
	}
	ctl_end(c);
	return 0;
}
