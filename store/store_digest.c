/*
 * store_digest - the employers' daily digest of the timers: once a day,
 * each employer with an HR contact gets the list of its employees to
 * remind (A_RELANCER), looked at again that day only when a timer fired.
 * The last part of every timer run (store_timer.c).
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "process/status.h"
#include "store/store_priv.h"

#define DIGEST_MAX_LINES 200	/* names listed in one digest */

/*
 * digest_due - 1 when the employer's digest should be looked at for day:
 * not sent on day yet, and either not looked at on day or a timer fired
 * since (a status may have become A_RELANCER).  The list itself costs a
 * walk over the employer's employees, so it is not redone for nothing.
 */
static int digest_due(struct store *st, const char *employer, const char *day,
		      int fired)
{
	static const char sql[] =
		"SELECT 1 FROM timer_digest WHERE employer = ?1 AND"
		" (sent_day >= ?2 OR (checked_day >= ?2 AND NOT ?3))";
	struct db_stmt *s = st_stmt(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, day);
	db_bind_int(s, 3, fired);
	rc = st_one_row(st, s, "digest day", NULL, NULL);
	return rc < 0 ? -1 : !rc;
}

/* digest_list - the employer's employees to remind, as text lines;
 * returns how many there are (the list stops at DIGEST_MAX_LINES) */
static long digest_list(struct store *st, const char *employer, struct buf *b)
{
	static const char sql[] =
		"SELECT nom, prenom, matricule FROM employee"
		" WHERE employer = ? AND status = ?"
		" ORDER BY nom, prenom, id";
	struct db_stmt *s = st_stmt(st, sql);
	const char *nom, *prenom, *mat;
	long n = 0;
	int rc;

	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, status_name(STATUS_A_RELANCER));
	while ((rc = db_step(s)) == DB_ROW) {
		if (n++ >= DIGEST_MAX_LINES)
			continue;
		nom = db_col_text(s, 0);
		prenom = db_col_text(s, 1);
		mat = db_col_text(s, 2);
		buf_printf(b, "- %s %s%s%s%s\n", nom ? nom : "",
			   prenom ? prenom : "", mat ? " (matricule " : "",
			   mat ? mat : "", mat ? ")" : "");
	}
	db_reset(s);
	if (rc != DB_DONE) {
		st_log_error(st, "digest list");
		return -1;
	}
	if (n > DIGEST_MAX_LINES)
		buf_printf(b, "- ... et %ld autre(s)\n", n - DIGEST_MAX_LINES);
	return n;
}

/* digest_record - looked at on day, and sent when sent */
static int digest_record(struct store *st, const char *employer,
			 const char *day, int sent)
{
	static const char sql[] =
		"INSERT INTO timer_digest (employer, sent_day, checked_day)"
		" VALUES (?1, CASE WHEN ?3 THEN ?2 END, ?2)"
		" ON CONFLICT (employer) DO UPDATE SET checked_day = ?2,"
		" sent_day = CASE WHEN ?3 THEN ?2 ELSE timer_digest.sent_day END";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, day);
	db_bind_int(s, 3, sent);
	return st_done(st, s);
}

/* digest_in_tx - one employer's digest; 1 queued, 0 nothing, -1 error */
static int digest_in_tx(struct store *st, const struct timer_run *run,
			const struct cfg_employer *emp, const char *day)
{
	struct st_env env;
	struct buf list;
	char count[24];
	long n;
	int rc = digest_due(st, emp->numero, day, run->fired > 0);

	if (rc <= 0)
		return rc;
	memset(&env, 0, sizeof(env));
	env.cfg = run->cfg;
	env.emp = emp;
	env.today = run->as_of;
	env.cause = "timer";
	buf_init(&list, 64 << 10);
	n = digest_list(st, emp->numero, &list);
	snprintf(count, sizeof(count), "%ld", n);
	{
		const char *vars[] = { "nombre", count, "liste",
				       buf_str(&list), NULL };

		rc = n < 0 ? -1 : n == 0 ? 0 :
		     st_notify_employer(st, &env, NULL, emp->contact_email,
					"digest_relances", vars) < 0 ? -1 : 1;
	}
	buf_free(&list);
	if (rc >= 0 && digest_record(st, emp->numero, day, rc) < 0)
		return -1;
	if (rc > 0)
		log_info("event=digest_queued employer=%s day=%s count=%ld",
			 emp->numero, day, n);
	return rc;
}

/* st_digests - each employer with an HR contact, once a day, in its own
 * transaction (or savepoint: run->in_tx) */
int st_digests(struct store *st, struct timer_run *run)
{
	char day[DATE_ISO_SIZE];
	size_t i;
	int rc;

	date_format(run->as_of, day);
	for (i = 0; i < run->cfg->nemployers; i++) {
		const struct cfg_employer *emp = &run->cfg->employers[i];

		if (emp->contact_email == NULL)
			continue;
		if (st_tx_open(st, run->in_tx) < 0)
			return -1;
		rc = digest_in_tx(st, run, emp, day);
		if (rc < 0 || st_tx_close(st, run->in_tx) < 0) {
			(void)st_tx_undo(st, run->in_tx);
			return -1;
		}
		run->digests += rc;
	}
	return 0;
}
