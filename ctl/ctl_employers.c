/*
 * ctl_employers - `affilctl employers`: each configured employer, in
 * numero order, with its drop (folders as the layout wants them? files
 * waiting?), its last file, the next file the calendar expects and
 * whether the last cutoff passed with no file (process.md, "Expected
 * files").
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl/ctl.h"
#include "store/store_expected.h"

static const struct ctl_col employer_cols[] = {
	{ "employer", "EMPLOYEUR", COL_TEXT },
	{ "employer_name", "NOM", COL_TEXT },
	{ "folders", "DÉPÔT", COL_TEXT },
	{ "queued", "EN ATTENTE", COL_INT },
	{ "last_file_id", "DERNIER FICHIER", COL_TEXT },
	{ "last_received_at", "REÇU", COL_TEXT },
	{ "last_movements", "MVTS", COL_INT },
	{ "next_due", "ATTENDU LE", COL_TEXT },
	{ "cutoff", "AVANT", COL_TEXT },
	{ "late", "RETARD", COL_BOOL },
};

#define NCOLS ((int)(sizeof(employer_cols) / sizeof(employer_cols[0])))

/* print_one - one employer's row; -1 on a database error */
static int print_one(struct ctl *c, const struct cfg_employer *emp,
		     time_t now)
{
	struct expected_state es;
	struct ctl_drop drop;
	char mv[24], due[DATE_ISO_SIZE], hhmm[8], queued[24];
	const char *vals[NCOLS];

	if (store_expected_state(c->st, emp, now, &es) < 0)
		return -1;
	if (ctl_drop_look(c->cfg, emp->numero, &drop) < 0)
		snprintf(drop.health, sizeof(drop.health), "path too long");
	snprintf(queued, sizeof(queued), "%ld", drop.queued);
	snprintf(mv, sizeof(mv), "%ld", es.last_movements);
	snprintf(hhmm, sizeof(hhmm), "%02d:%02d",
		 emp->expected.cutoff_min / 60 % 100,
		 emp->expected.cutoff_min % 60);
	vals[0] = emp->numero;
	vals[1] = emp->name;
	vals[2] = drop.health;
	vals[3] = queued;
	vals[4] = es.last_id[0] ? es.last_id : NULL;
	vals[5] = es.last_id[0] ? es.last_at : NULL;
	vals[6] = es.last_id[0] ? mv : NULL;
	vals[7] = es.has_calendar ? date_format(es.next.due, due) : NULL;
	vals[8] = es.has_calendar ? hhmm : NULL;
	vals[9] = !es.has_calendar ? NULL : es.late ? "1" : "0";
	ctl_list_row(c->out, vals);
	return 0;
}

int ctl_employers(struct ctl *c)
{
	time_t now = time(NULL);
	size_t i;

	ctl_list_begin(c->out, NULL, NULL, employer_cols, NCOLS);
	for (i = 0; i < c->cfg->nemployers; i++) {
		const struct cfg_employer *emp = &c->cfg->employers[i];

		if (c->employer && strcmp(c->employer, emp->numero) != 0)
			continue;
		if (print_one(c, emp, now) < 0)
			return ctl_db_error(c, "employers");
	}
	ctl_list_end(c->out);
	return 0;
}
