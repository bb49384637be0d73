/*
 * store_expected - the expected-file alerts (store_expected.h): "no file
 * by the cutoff" and "a file unusually small".
 *
 * Once is the expected_alert row: its primary key (employer, kind, ref) is
 * inserted in the very transaction that queues the emails, so a crash
 * before the COMMIT loses both and the next run does it again, and a crash
 * after it keeps both.  The late check runs at each timers_run(): at
 * start (the catch-up), at midnight, at each cutoff the timer was armed
 * for (daemon/timers.c); it costs two index probes per employer with a
 * calendar (expected_alert's key, file_received).
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_expected.h"
#include "store/store_priv.h"

#define KIND_LATE "fichier_attendu"	/* the mail kinds (templates/fr/) */
#define KIND_SMALL "fichier_petit"

/* iso_utc - t as the file table's timestamps: "AAAA-MM-JJTHH:MM:SSZ" */
static void iso_utc(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* alerted - 1 when (employer, kind, ref) was alerted, 0 not, -1 error */
static int alerted(struct store *st, const char *employer, const char *kind,
		   const char *ref)
{
	static const char sql[] = "SELECT 1 FROM expected_alert"
		" WHERE employer = ? AND kind = ? AND ref = ?";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, kind);
	st_text(s, 3, ref);
	return st_one_row(st, s, "expected alert", NULL, NULL);
}

/* record - the alert's row, in the transaction of its emails */
static int record(struct store *st, const char *employer, const char *kind,
		  const char *ref)
{
	static const char sql[] = "INSERT INTO expected_alert"
		" (employer, kind, ref, at) VALUES (?, ?, ?, ?)";
	char now[32];
	struct db_stmt *s = st_stmt_now(st, sql, now);

	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, kind);
	st_text(s, 3, ref);
	st_text(s, 4, now);
	return st_done(st, s);
}

/* received_since - 1 when a non-validation file of employer was claimed
 * in (since, until], 0 not, -1 error */
static int received_since(struct store *st, const char *employer,
			  time_t since, time_t until)
{
	static const char sql[] = "SELECT 1 FROM file WHERE employer = ?"
		" AND received_at > ? AND received_at <= ? AND validation = 0"
		" LIMIT 1";
	struct db_stmt *s = st_stmt(st, sql);
	char a[32], b[32];

	if (s == NULL)
		return -1;
	iso_utc(since, a);
	iso_utc(until, b);
	st_text(s, 1, employer);
	st_text(s, 2, a);
	st_text(s, 3, b);
	return st_one_row(st, s, "files since cutoff", NULL, NULL);
}

/* tell - kind to the employer and to the insurer's admin (once when they
 * are the same address) */
static int tell(struct store *st, const struct cfg *cfg,
		const struct cfg_employer *emp, const char *kind,
		const char *const *vars)
{
	struct st_env env;
	const char *admin = cfg->process.admin_email;

	memset(&env, 0, sizeof(env));
	env.cfg = cfg;
	env.emp = emp;
	env.today = date_today();
	env.cause = "expected";
	if (st_notify_employer(st, &env, NULL, emp->contact_email, kind,
			       vars) < 0)
		return -1;
	if (admin && emp->contact_email && strcmp(admin,
						  emp->contact_email) == 0)
		return 0;
	return st_notify_employer(st, &env, NULL, admin, kind, vars);
}

/* late_in_tx - one employer's latest occurrence; 1 queued, 0 not, -1 */
static int late_in_tx(struct store *st, const struct cfg *cfg,
		      const struct cfg_employer *emp,
		      const struct expected_occ *occ, time_t now)
{
	char due[DATE_ISO_SIZE], fr[DATE_ISO_SIZE], hhmm[8];
	int rc;

	date_format(occ->due, due);
	if ((rc = alerted(st, emp->numero, "late", due)) != 0)
		return rc < 0 ? -1 : 0;
	if ((rc = received_since(st, emp->numero, occ->since, now)) != 0)
		return rc < 0 ? -1 : 0;
	snprintf(hhmm, sizeof(hhmm), "%02d:%02d",
		 emp->expected.cutoff_min / 60 % 100,
		 emp->expected.cutoff_min % 60);
	{
		const char *vars[] = { "numero", emp->numero, "date_attendue",
				       date_format_fr(occ->due, fr),
				       "heure_limite", hhmm, NULL };

		if (record(st, emp->numero, "late", due) < 0 ||
		    tell(st, cfg, emp, KIND_LATE, vars) < 0)
			return -1;
	}
	log_info("event=expected_file_late employer=%s due=%s cutoff=%s",
		 emp->numero, due, hhmm);
	return 1;
}

/* expected_run - each employer's latest occurrence, in its own
 * transaction or (in_tx) a savepoint of the caller's */
static int expected_run(struct store *st, const struct cfg *cfg, time_t now,
			int in_tx, int *queued)
{
	struct expected_occ occ;
	size_t i;
	int rc;

	*queued = 0;
	for (i = 0; i < cfg->nemployers; i++) {
		const struct cfg_employer *emp = &cfg->employers[i];

		if (expected_last(&emp->expected, now, &occ) < 0)
			continue;	/* no calendar */
		if (st_tx_open(st, in_tx) < 0)
			return -1;
		rc = late_in_tx(st, cfg, emp, &occ, now);
		if (rc < 0 || st_tx_close(st, in_tx) < 0) {
			(void)st_tx_undo(st, in_tx);
			return -1;
		}
		*queued += rc;
	}
	return 0;
}

int store_expected_run(struct store *st, const struct cfg *cfg, time_t now,
		       int *queued)
{
	return expected_run(st, cfg, now, 0, queued);
}

int store_expected_run_in(struct store *st, const struct cfg *cfg,
			  time_t now, int *queued)
{
	return expected_run(st, cfg, now, 1, queued);
}

/* history - the movements of the employer's last applied files but one;
 * how many were read, or -1 */
static int history(struct store *st, const char *employer,
		   const char *file_id, long v[EXPECTED_HISTORY])
{
	static const char sql[] = "SELECT movements FROM file"
		" WHERE employer = ? AND id <> ? AND validation = 0"
		" AND requests_only = 0 AND state = 'done'"
		" AND return_code BETWEEN 0 AND 2"
		" ORDER BY received_at DESC, id DESC LIMIT ?";
	struct db_stmt *s = st_stmt(st, sql);
	int n = 0, rc;

	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, file_id);
	db_bind_int(s, 3, EXPECTED_HISTORY);
	while ((rc = db_step(s)) == DB_ROW && n < EXPECTED_HISTORY)
		v[n++] = (long)db_col_int64(s, 0);
	db_reset(s);
	if (rc != DB_DONE && rc != DB_ROW) {
		st_log_error(st, "file history");
		return -1;
	}
	return n;
}

int store_expected_small(struct store *st, const struct cfg *cfg,
			 const char *employer, const char *file_id,
			 const char *file_name, long movements)
{
	const struct cfg_employer *emp = cfg_employer(cfg, employer);
	long v[EXPECTED_HISTORY], median;
	char mv[24], med[24], share[16];
	int n, rc;

	if (emp == NULL || emp->expected.min_share <= 0.0)
		return 0;
	if ((n = history(st, employer, file_id, v)) < 0)
		return -1;
	median = expected_median(v, n);
	if (!expected_small(emp->expected.min_share, movements, median, n))
		return 0;
	if ((rc = alerted(st, employer, "small", file_id)) != 0)
		return rc < 0 ? -1 : 0;
	snprintf(mv, sizeof(mv), "%ld", movements);
	snprintf(med, sizeof(med), "%ld", median);
	snprintf(share, sizeof(share), "%.0f", emp->expected.min_share * 100);
	{
		const char *vars[] = { "numero", employer, "fichier", file_name,
				       "mouvements", mv, "mediane", med,
				       "part", share, NULL };

		if (record(st, employer, "small", file_id) < 0 ||
		    tell(st, cfg, emp, KIND_SMALL, vars) < 0)
			return -1;
	}
	log_info("event=small_file id=%s employer=%s movements=%ld median=%ld",
		 file_id, employer, movements, median);
	return 1;
}

/* last_read - the last file's (id, received_at, movements) */
static void last_read(struct db_stmt *s, void *arg)
{
	struct expected_state *out = arg;
	const char *id = db_col_text(s, 0);
	const char *at = db_col_text(s, 1);

	snprintf(out->last_id, sizeof(out->last_id), "%s", id ? id : "");
	snprintf(out->last_at, sizeof(out->last_at), "%s", at ? at : "");
	out->last_movements = (long)db_col_int64(s, 2);
}

int store_expected_state(struct store *st, const struct cfg_employer *emp,
			 time_t now, struct expected_state *out)
{
	static const char sql[] = "SELECT id, received_at, movements FROM file"
		" WHERE employer = ? AND validation = 0"
		" ORDER BY received_at DESC, id DESC LIMIT 1";
	struct db_stmt *s = st_stmt(st, sql);
	struct expected_occ last;
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	st_text(s, 1, emp->numero);
	if (st_one_row(st, s, "last file", last_read, out) < 0)
		return -1;
	if (expected_next(&emp->expected, now, &out->next) < 0 ||
	    expected_last(&emp->expected, now, &last) < 0)
		return 0;	/* no calendar */
	out->has_calendar = 1;
	rc = received_since(st, emp->numero, last.since, now);
	if (rc < 0)
		return -1;
	out->late = !rc;
	return 0;
}
