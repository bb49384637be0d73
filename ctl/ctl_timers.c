/*
 * ctl_timers - `timers` (the deadlines due next) and `timers run` (fire
 * what is due as of a date, as the daemon does at midnight, and the
 * expected-file alerts).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "common/util.h"
#include "ctl/ctl.h"
#include "store/store_expected.h"

/* ---- timers ------------------------------------------------------------- */

#define TIMERS_LIST_MAX 100

static const struct ctl_col timer_cols[] = {
	{ "due", "ÉCHÉANCE", COL_TEXT }, { "kind", "TYPE", COL_TEXT },
	{ "employer", "EMPLOYEUR", COL_TEXT },
	{ "matricule", "MATRICULE", COL_TEXT }, { "nom", "NOM", COL_TEXT },
	{ "prenom", "PRÉNOM", COL_TEXT }, { "outcome", "RÉSULTAT", COL_TEXT },
};

/* print_timer - one deadline; never the NIR (the outcome column only in
 * a run's listing) */
static int print_timer(const struct timer_rec *r, void *arg)
{
	static const char *const outcomes[] = { "fait", "sans objet",
						"en attente" };
	const char *vals[] = { r->due, r->kind, r->employer, r->matricule,
			       r->nom, r->prenom, outcomes[r->outcome] };

	ctl_list_row(arg, vals);
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

/* timers_when - --as-of AAAA-MM-JJ (00:00 that day, or now when it is
 * today) then --at AAAA-MM-JJTHH:MM (the expected-file cutoffs need a
 * time of day); now without either.  0 or EX_USAGE (said). */
static int timers_when(struct ctl *c, struct date *as_of, time_t *at)
{
	*at = time(NULL);
	*as_of = date_of_time(*at);
	if (c->as_of) {
		if (date_parse_iso(c->as_of, as_of) < 0)
			return ctl_usage_error(c, "--as-of %s: not a date "
					       "AAAA-MM-JJ", c->as_of);
		if (date_cmp(*as_of, date_of_time(*at)) != 0)
			*at = date_at_local(*as_of, 0);
	}
	if (c->at && parse_at(c->at, as_of, at) < 0)
		return ctl_usage_error(c, "--at %s: not an instant "
				       "AAAA-MM-JJTHH:MM", c->at);
	return 0;
}

/* ctl_timers_run - fire what is due as of a date, as the daemon would */
int ctl_timers_run(struct ctl *c)
{
	unsigned char key[64];
	size_t keylen = sizeof(key);
	char day[DATE_ISO_SIZE], now[DATE_ISO_SIZE];
	struct timer_run run;
	time_t at;
	int late;

	memset(&run, 0, sizeof(run));
	if (timers_when(c, &run.as_of, &at) != 0)
		return EX_USAGE;
	if ((date_cmp(run.as_of, date_today()) > 0 || at > time(NULL)) &&
	    !c->force) {
		fprintf(stderr, "affilctl: --as-of %s is after today (%s): "
			"add --force to fire future deadlines\n",
			date_format(run.as_of, day),
			date_format(date_today(), now));
		return EX_USAGE;
	}
	if (read_key(c->cfg, key, &keylen) < 0)
		return EX_CONFIG;
	run.cfg = c->cfg;
	run.token_key = key;
	run.token_keylen = keylen;
	run.fn = print_timer;
	run.arg = c->out;
	ctl_list_begin(c->out, NULL, NULL, timer_cols, 7);
	if (store_timers_run(c->st, &run) < 0 ||
	    store_expected_run(c->st, c->cfg, at, &late) < 0)
		return EX_TEMPFAIL;
	ctl_list_end(c->out);
	if (c->fmt == FMT_TABLE)
		fprintf(c->outfp, "%d échéance(s) traitée(s), %d sans objet, "
			"%d en attente, %d récapitulatif(s) aux employeurs, "
			"%d fichier(s) attendu(s) non reçu(s)\n", run.fired,
			run.noop, run.skipped, run.digests, late);
	return 0;
}

int ctl_timers(struct ctl *c)
{
	ctl_list_begin(c->out, NULL, NULL, timer_cols, 6);
	if (store_timers_each(c->st, c->limit < 0 ? TIMERS_LIST_MAX :
			      c->limit > INT_MAX ? INT_MAX : (int)c->limit,
			      print_timer, c->out) < 0)
		return ctl_db_error(c, "timers");
	ctl_list_end(c->out);
	return 0;
}
