/*
 * ctl_timers - `timers` (the deadlines due next) and `timers run` (fire
 * what is due as of a date, as the daemon does at midnight, and the
 * expected-file alerts).
 */
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

int ctl_timers(struct ctl *c, int argc, char **argv)
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
