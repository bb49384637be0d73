/*
 * ctl_status - `affilctl status`: is the daemon up, what waits, what it
 * did last.  One record:
 *
 * - the daemon, from its metrics file (docs/operations.md, "Metrics"),
 *   which it rewrites at start, after files, every rescan period and at
 *   stop with affild_up 0: "running" while the file is fresh, "stopped"
 *   once it said so, "stale" when it stopped moving without saying so
 *   (killed, hung, or deep in one long file), "unknown" without one;
 * - the files waiting in the drops (a look at each in/ and in/validation/);
 * - from the database, read-only: files being processed or held, the last
 *   file processed, the outbox's backlog, the deadlines due today.
 *
 * A database that cannot be opened is shown as such, and the status is
 * still printed, with EX_UNAVAILABLE.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "ctl/ctl.h"
#include "store/store_query.h"

enum { S_DAEMON, S_SEEN, S_DATABASE, S_QUEUED, S_CLAIMED, S_HELD,
       S_LAST_ID, S_LAST_EMPLOYER, S_LAST_NAME, S_LAST_STATE, S_LAST_RC,
       S_LAST_AT, S_PENDING, S_FAILED, S_DUE, S_COUNT };

static const struct ctl_col status_cols[S_COUNT] = {
	[S_DAEMON] = { "daemon", "DÉMON", COL_TEXT },
	[S_SEEN] = { "daemon_seen_at", "VU À", COL_TEXT },
	[S_DATABASE] = { "database", "BASE", COL_TEXT },
	[S_QUEUED] = { "queued", "FICHIERS EN ATTENTE", COL_INT },
	[S_CLAIMED] = { "files_claimed", "FICHIERS EN COURS", COL_INT },
	[S_HELD] = { "files_held", "FICHIERS RETENUS", COL_INT },
	[S_LAST_ID] = { "last_file_id", "DERNIER FICHIER", COL_TEXT },
	[S_LAST_EMPLOYER] = { "last_file_employer", "  EMPLOYEUR",
			      COL_TEXT },
	[S_LAST_NAME] = { "last_file_name", "  NOM", COL_TEXT },
	[S_LAST_STATE] = { "last_file_state", "  ÉTAT", COL_TEXT },
	[S_LAST_RC] = { "last_file_return_code", "  CR", COL_INT },
	[S_LAST_AT] = { "last_file_processed_at", "  TRAITÉ", COL_TEXT },
	[S_PENDING] = { "outbox_pending", "MESSAGES EN ATTENTE", COL_INT },
	[S_FAILED] = { "outbox_failed", "MESSAGES BLOQUÉS", COL_INT },
	[S_DUE] = { "deadlines_due", "ÉCHÉANCES DUES", COL_INT },
};

/* What the metrics file says. */
struct seen {
	int found, up;
	long long at;		/* affild_metrics_timestamp_seconds */
};

static void read_metrics(const char *path, struct seen *s)
{
	char line[256];
	FILE *fp = path ? fopen(path, "r") : NULL;

	memset(s, 0, sizeof(*s));
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "affild_up %d", &s->up) == 1)
			s->found |= 1;
		else if (sscanf(line, "affild_metrics_timestamp_seconds %lld",
				&s->at) == 1)
			s->found |= 2;
	}
	fclose(fp);
}

/* daemon_state - running, stopped, stale, unknown; at: when last seen */
static const char *daemon_state(const struct cfg *cfg, char *at, size_t len)
{
	struct seen s;
	time_t t, now = time(NULL);
	struct tm tm;

	at[0] = '\0';
	read_metrics(cfg->metrics_file, &s);
	if (s.found != 3)
		return "unknown";
	t = (time_t)s.at;
	if (gmtime_r(&t, &tm))
		strftime(at, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!s.up)
		return "stopped";
	/* rewritten every rescan period at the latest, while the loop runs */
	return now - t <= 2LL * cfg->spool.rescan_s + 10 ? "running" : "stale";
}

/* queued - the files waiting in every drop */
static long queued(const struct cfg *cfg)
{
	struct ctl_drop d;
	long n = 0;
	size_t i;

	for (i = 0; i < cfg->nemployers; i++)
		if (ctl_drop_look(cfg, cfg->employers[i].numero, &d) == 0)
			n += d.queued;
	if (cfg->portal.enabled && ctl_drop_look(cfg, NULL, &d) == 0)
		n += d.queued;
	return n;
}

static void field(struct ctl *c, int i, const char *v)
{
	ctl_record_field(c->out, &status_cols[i], v);
}

/* num - a count as text, in buf */
static const char *num(char *buf, size_t len, long n)
{
	snprintf(buf, len, "%ld", n);
	return buf;
}

int ctl_status(struct ctl *c)
{
	char at[32], n[S_COUNT][24];
	struct store_status s;
	int ok = c->st != NULL;

	memset(&s, 0, sizeof(s));
	if (ok && store_query_status(c->st, date_today(), &s) < 0)
		return ctl_db_error(c, "status");
	ctl_record_begin(c->out);
	field(c, S_DAEMON, daemon_state(c->cfg, at, sizeof(at)));
	field(c, S_SEEN, at[0] ? at : NULL);
	field(c, S_DATABASE, ok ? "ok" : "unavailable");
	field(c, S_QUEUED, num(n[S_QUEUED], 24, queued(c->cfg)));
	field(c, S_CLAIMED, ok ? num(n[S_CLAIMED], 24, s.files_claimed) : NULL);
	field(c, S_HELD, ok ? num(n[S_HELD], 24, s.files_held) : NULL);
	ok = ok && s.has_last;
	field(c, S_LAST_ID, ok ? s.last_id : NULL);
	field(c, S_LAST_EMPLOYER, ok ? s.last_employer : NULL);
	field(c, S_LAST_NAME, ok ? s.last_name : NULL);
	field(c, S_LAST_STATE, ok ? s.last_state : NULL);
	field(c, S_LAST_RC, ok && s.last_return_code >= 0 ?
	      num(n[S_LAST_RC], 24, s.last_return_code) : NULL);
	field(c, S_LAST_AT, ok ? s.last_processed_at : NULL);
	ok = c->st != NULL;
	field(c, S_PENDING, ok ? num(n[S_PENDING], 24, s.outbox_pending) : NULL);
	field(c, S_FAILED, ok ? num(n[S_FAILED], 24, s.outbox_failed) : NULL);
	field(c, S_DUE, ok ? num(n[S_DUE], 24, s.deadlines_due) : NULL);
	ctl_record_end(c->out);
	if (c->st == NULL) {
		fprintf(stderr, "affilctl: status: cannot open the database "
			"%s\n", cfg_db_target(c->cfg));
		return EX_UNAVAILABLE;
	}
	return 0;
}
