/*
 * store - the connection (SQLite or PostgreSQL, store/db.h): open,
 * transactions, savepoints, and a small cache of prepared statements (the
 * hot path prepares nothing twice).
 *
 * Durability: a COMMIT that returned is on disk (SQLite: WAL with
 * synchronous=FULL; PostgreSQL: synchronous_commit).  The file pipeline
 * relies on that to write the report before the COMMIT and rename it
 * after.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_priv.h"

void st_log_error(struct store *st, const char *what)
{
	char qd[LOG_QUOTE_MAX], qe[LOG_QUOTE_MAX];

	char io[128];

	st->last_error = db_fail(st->db);
	/* SQLite's messages quote names with '"'; an I/O error says which. */
	log_err("event=db_error op=\"%s\" db=%s error=%s%s", what,
		log_quote(qd, sizeof(qd), st->path),
		log_quote(qe, sizeof(qe), db_errmsg(st->db)),
		db_errdetail(st->db, io, sizeof(io)));
}

static int sp_run(struct store *st, const char *name, int which);

/* mv_take - the savepoint "mv" asked for, taken now: a write follows */
static int mv_take(struct store *st)
{
	st->mv_pending = 0;
	if (sp_run(st, "mv", 0) < 0)
		return -1;
	st->mv_open = 1;
	return 0;
}

void st_decided(struct store *st)
{
	st->mv_pending = 0;
}

int st_exec(struct store *st, const char *sql)
{
	char qd[LOG_QUOTE_MAX], qs[72], qe[LOG_QUOTE_MAX];

	if (st->mv_pending && mv_take(st) < 0)
		return -1;
	if (db_exec(st->db, sql) < 0) {
		char io[128];

		st->last_error = db_fail(st->db);
		log_err("event=db_error db=%s sql=%s error=%s%s",
			log_quote(qd, sizeof(qd), st->path),
			log_quote(qs, sizeof(qs), sql),
			log_quote(qe, sizeof(qe), db_errmsg(st->db)),
			db_errdetail(st->db, io, sizeof(io)));
		return -1;
	}
	return 0;
}

struct db_stmt *st_stmt(struct store *st, const char *sql)
{
	return st_stmt_flags(st, sql, 0);
}

struct db_stmt *st_stmt_flags(struct store *st, const char *sql, int flags)
{
	struct db_stmt *s;
	int i;

	for (i = 0; i < st->ncache; i++)
		if (st->cache[i].sql == sql) {
			s = st->cache[i].stmt;
			db_reset(s);
			db_clear(s);
			if (st->mv_pending && !db_readonly(s) &&
			    mv_take(st) < 0)
				return NULL;
			return s;
		}
	if ((s = db_prepare(st->db, sql, flags)) == NULL) {
		st_log_error(st, "prepare");
		return NULL;
	}
	if (st->ncache < STORE_MAX_STMTS) {
		st->cache[st->ncache].sql = sql;
		st->cache[st->ncache++].stmt = s;
	} else {
		log_err("event=db_error error=\"statement cache full\"");
		db_finalize(s);
		return NULL;
	}
	if (st->mv_pending && !db_readonly(s) && mv_take(st) < 0)
		return NULL;
	return s;
}

int st_done(struct store *st, struct db_stmt *s)
{
	int rc = db_step(s);

	db_reset(s);
	if (rc != DB_DONE && rc != DB_ROW) {
		st_log_error(st, "step");
		return -1;
	}
	return 0;
}

/* st_one_row - one step, the row read, the statement reset; see
 * store_priv.h */
int st_one_row(struct store *st, struct db_stmt *s, const char *what,
	       void (*read)(struct db_stmt *s, void *arg), void *arg)
{
	int rc = db_step(s);

	if (rc == DB_ROW && read != NULL)
		read(s, arg);
	if (db_reset(s) != 0 ||
	    (rc != DB_ROW && rc != DB_DONE)) {
		st_log_error(st, what);
		return -1;
	}
	return rc == DB_ROW;
}

void st_read_int64(struct db_stmt *s, void *ll)
{
	*(long long *)ll = db_col_int64(s, 0);
}

void st_read_int(struct db_stmt *s, void *i)
{
	*(int *)i = db_col_int(s, 0);
}

void st_read_dup(struct db_stmt *s, void *str)
{
	*(char **)str = st_col_dup(s, 0);
}

int st_text(struct db_stmt *s, int i, const char *v)
{
	return db_bind_text(s, i, v, 0);
}

int st_text_kept(struct db_stmt *s, int i, const char *v)
{
	return db_bind_text(s, i, v, 1);
}

char *st_col_dup(struct db_stmt *s, int i)
{
	const char *v = db_col_text(s, i);

	return v ? xstrdup(v) : NULL;
}

/* st_now - formatted once a second, not once a row (per thread: the
 * store is the main thread's, but tests and tools may differ) */
void st_now(char out[32])
{
	static _Thread_local time_t last = -1;
	static _Thread_local char text[32];
	time_t t = time(NULL);
	struct tm tm;

	if (t != last) {
		gmtime_r(&t, &tm);
		strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm);
		last = t;
	}
	memcpy(out, text, sizeof(text));
}

/* st_stmt_now - see store_priv.h */
struct db_stmt *st_stmt_now(struct store *st, const char *sql, char now[32])
{
	st_now(now);
	return st_stmt(st, sql);
}

/* store_failure_transient - see store.h */
int store_failure_transient(struct store *st)
{
	int e = st->last_error;

	st->last_error = DB_OK;
	return e == DB_BUSY || e == DB_FULL || e == DB_IO || e == DB_NOMEM ||
	       e == DB_CANTOPEN || e == DB_READONLY;
}

int store_target_is_url(const char *target)
{
	return db_is_url(target);
}

/* store_open - open target; migrate the schema when opened read-write */
struct store *store_open(const char *target, enum store_mode mode,
			 int cache_mb, int busy_timeout_s)
{
	return store_open_pw(target, NULL, mode, cache_mb, busy_timeout_s);
}

struct store *store_open_pw(const char *target, const char *password_file,
			    enum store_mode mode, int cache_mb,
			    int busy_timeout_s)
{
	struct store *st = xcalloc(1, sizeof(*st));

	st->db = db_open(target, password_file, mode == STORE_RO, cache_mb,
			 busy_timeout_s);
	if (st->db == NULL)
		goto fail;
	st->path = xstrdup(db_target(st->db));
	if (mode == STORE_RW && store_migrate(st) < 0)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

void store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < st->ncache; i++)
		db_finalize(st->cache[i].stmt);
	db_close(st->db);
	free(st->ahead);
	free(st->node);
	free(st->path);
	free(st);
}

int store_begin(struct store *st)
{
	return store_begin_for(st, NULL);
}

/* store_begin_for - see store.h */
int store_begin_for(struct store *st, const char *employer)
{
	char qd[LOG_QUOTE_MAX], qe[LOG_QUOTE_MAX], io[128];

	st->mv_pending = st->mv_open = 0;
	st_ahead_clear(st, 0);
	if (db_begin(st->db, employer) == 0)
		return 0;
	st->last_error = db_fail(st->db);
	log_err("event=db_error op=begin db=%s error=%s%s",
		log_quote(qd, sizeof(qd), st->path),
		log_quote(qe, sizeof(qe), db_errmsg(st->db)),
		db_errdetail(st->db, io, sizeof(io)));
	if (db_in_tx(st->db))
		db_exec(st->db, "ROLLBACK");
	return -1;
}

int store_commit(struct store *st)
{
	st->mv_pending = st->mv_open = 0;
	st_ahead_clear(st, 0);
	return st_exec(st, "COMMIT");
}

/* store_rollback - roll back; harmless when no transaction is open */
int store_rollback(struct store *st)
{
	st->mv_pending = st->mv_open = 0;
	st_ahead_clear(st, 1);
	if (!db_in_tx(st->db))
		return 0;
	return st_exec(st, "ROLLBACK");
}

/*
 * Savepoints: "grp" for a movement group, "mv" for a row of the admin
 * drop (its operations may write before they refuse), "tm"
 * for a deadline fired inside an admin file's transaction.  They may be
 * taken for many rows, so their statements are prepared once, like any
 * other (st_stmt caches by the address of the static SQL).
 */
static const struct {
	const char *name, *begin, *release, *rollback;
} savepoints[] = {
	{ "mv", "SAVEPOINT mv", "RELEASE mv", "ROLLBACK TO mv" },
	{ "grp", "SAVEPOINT grp", "RELEASE grp", "ROLLBACK TO grp" },
	/* one deadline fired inside a file's transaction (ECHEANCES) */
	{ "tm", "SAVEPOINT tm", "RELEASE tm", "ROLLBACK TO tm" },
};

/* sp_run - the savepoint statement of name picked by which (0, 1, 2) */
static int sp_run(struct store *st, const char *name, int which)
{
	struct db_stmt *s;
	size_t i;

	for (i = 0; i < NELEM(savepoints); i++)
		if (strcmp(savepoints[i].name, name) == 0)
			break;
	if (i == NELEM(savepoints)) {
		log_err("event=bug where=savepoint name=%s", name);
		return -1;
	}
	s = st_stmt(st, which == 0 ? savepoints[i].begin : which == 1 ?
		    savepoints[i].release : savepoints[i].rollback);
	return s == NULL ? -1 : st_done(st, s);
}

/* "mv" is taken lazily (st_stmt, st_exec): a movement refused or already
 * in effect reads and writes nothing, and costs no savepoint. */
static int is_mv(const char *name)
{
	return strcmp(name, "mv") == 0;
}

int store_savepoint(struct store *st, const char *name)
{
	if (is_mv(name)) {
		st->mv_pending = 1;
		st->mv_open = 0;
		return 0;
	}
	return sp_run(st, name, 0);
}

int store_release(struct store *st, const char *name)
{
	if (is_mv(name)) {
		st->mv_pending = 0;
		if (!st->mv_open)
			return 0;
		st->mv_open = 0;
	}
	return sp_run(st, name, 1);
}

/* store_rollback_to - undo since the savepoint, keep the transaction */
int store_rollback_to(struct store *st, const char *name)
{
	if (is_mv(name) && !st->mv_open) {
		st->mv_pending = 0;
		return 0;
	}
	if (sp_run(st, name, 2) < 0)
		return -1;
	return store_release(st, name);
}

int st_tx_open(struct store *st, int in_tx)
{
	return in_tx ? store_savepoint(st, "tm") : store_begin(st);
}

int st_tx_undo(struct store *st, int in_tx)
{
	return in_tx ? store_rollback_to(st, "tm") : store_rollback(st);
}

int st_tx_close(struct store *st, int in_tx)
{
	return in_tx ? store_release(st, "tm") : store_commit(st);
}
