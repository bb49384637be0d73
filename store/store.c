/*
 * store - the SQLite connection: open, pragmas, transactions, and a small
 * cache of prepared statements (the hot path prepares nothing twice).
 *
 * Durability: WAL with synchronous=FULL, so a COMMIT that returned is on
 * disk.  The file pipeline relies on that to write the report before the
 * COMMIT and rename it after.
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

/*
 * io_detail - for an I/O error, which operation failed and the errno when
 * SQLite kept it (its unix VFS often has not by the time we ask): " ioerr=
 * write errno=...".  "" otherwise.
 */
static const char *io_detail(struct store *st, char *buf, size_t len)
{
	static const struct { int code; const char *name; } ops[] = {
		{ SQLITE_IOERR_READ, "read" },
		{ SQLITE_IOERR_SHORT_READ, "short_read" },
		{ SQLITE_IOERR_WRITE, "write" },
		{ SQLITE_IOERR_FSYNC, "fsync" },
		{ SQLITE_IOERR_DIR_FSYNC, "dir_fsync" },
		{ SQLITE_IOERR_TRUNCATE, "truncate" },
		{ SQLITE_IOERR_FSTAT, "fstat" },
		{ SQLITE_IOERR_LOCK, "lock" },
		{ SQLITE_IOERR_SHMOPEN, "shmopen" },
		{ SQLITE_IOERR_SHMMAP, "shmmap" },
		{ SQLITE_IOERR_DELETE, "delete" },
		{ SQLITE_IOERR_NOMEM, "nomem" },
	};
	int ext = sqlite3_extended_errcode(st->db);
	int sys = sqlite3_system_errno(st->db);
	const char *op = "other";
	size_t i;

	buf[0] = '\0';
	if ((ext & 0xff) != SQLITE_IOERR && (ext & 0xff) != SQLITE_FULL &&
	    (ext & 0xff) != SQLITE_CANTOPEN)
		return buf;
	for (i = 0; i < NELEM(ops); i++)
		if (ops[i].code == ext)
			op = ops[i].name;
	snprintf(buf, len, " ioerr=%s%s%s%s", (ext & 0xff) == SQLITE_IOERR ?
		 op : (ext & 0xff) == SQLITE_FULL ? "full" : "cantopen",
		 sys ? " errno=\"" : "", sys ? strerror(sys) : "",
		 sys ? "\"" : "");
	return buf;
}

void st_log_error(struct store *st, const char *what)
{
	char qd[LOG_QUOTE_MAX], qe[LOG_QUOTE_MAX];

	char io[128];

	st->last_error = sqlite3_errcode(st->db) & 0xff;
	/* SQLite's messages quote names with '"'; an I/O error says which. */
	log_err("event=db_error op=\"%s\" db=%s error=%s%s", what,
		log_quote(qd, sizeof(qd), st->path),
		log_quote(qe, sizeof(qe), sqlite3_errmsg(st->db)),
		io_detail(st, io, sizeof(io)));
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
	char *err = NULL;

	if (st->mv_pending && mv_take(st) < 0)
		return -1;
	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		char io[128];

		st->last_error = sqlite3_errcode(st->db) & 0xff;
		log_err("event=db_error db=%s sql=%s error=%s%s",
			log_quote(qd, sizeof(qd), st->path),
			log_quote(qs, sizeof(qs), sql),
			log_quote(qe, sizeof(qe), err ? err : "?"),
			io_detail(st, io, sizeof(io)));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

sqlite3_stmt *st_stmt(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	int i;

	for (i = 0; i < st->ncache; i++)
		if (st->cache[i].sql == sql) {
			s = st->cache[i].stmt;
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			if (st->mv_pending && !sqlite3_stmt_readonly(s) &&
			    mv_take(st) < 0)
				return NULL;
			return s;
		}
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		st_log_error(st, "prepare");
		return NULL;
	}
	if (st->ncache < STORE_MAX_STMTS) {
		st->cache[st->ncache].sql = sql;
		st->cache[st->ncache++].stmt = s;
	} else {
		log_err("event=db_error error=\"statement cache full\"");
		sqlite3_finalize(s);
		return NULL;
	}
	if (st->mv_pending && !sqlite3_stmt_readonly(s) && mv_take(st) < 0)
		return NULL;
	return s;
}

int st_done(struct store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		st_log_error(st, "step");
		return -1;
	}
	return 0;
}

/* st_one_row - one step, the row read, the statement reset; see
 * store_priv.h */
int st_one_row(struct store *st, sqlite3_stmt *s, const char *what,
	       void (*read)(sqlite3_stmt *s, void *arg), void *arg)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW && read != NULL)
		read(s, arg);
	if (sqlite3_reset(s) != SQLITE_OK ||
	    (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		st_log_error(st, what);
		return -1;
	}
	return rc == SQLITE_ROW;
}

void st_read_int64(sqlite3_stmt *s, void *ll)
{
	*(long long *)ll = sqlite3_column_int64(s, 0);
}

void st_read_int(sqlite3_stmt *s, void *i)
{
	*(int *)i = sqlite3_column_int(s, 0);
}

void st_read_dup(sqlite3_stmt *s, void *str)
{
	*(char **)str = st_col_dup(s, 0);
}

int st_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

int st_text_kept(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

char *st_col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);

	return v ? xstrdup((const char *)v) : NULL;
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
sqlite3_stmt *st_stmt_now(struct store *st, const char *sql, char now[32])
{
	st_now(now);
	return st_stmt(st, sql);
}

/* store_pragmas - WAL, full sync, cache size, busy timeout */
static int store_pragmas(struct store *st, enum store_mode mode, int cache_mb,
			 int busy_timeout_s)
{
	char sql[128];

	sqlite3_busy_timeout(st->db, busy_timeout_s * 1000);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%d", cache_mb * 1024);
	if (st_exec(st, sql) < 0 || st_exec(st, "PRAGMA foreign_keys=ON") < 0)
		return -1;
	if (mode == STORE_RO)
		return 0;
	/* temp_store=MEMORY: the savepoint journal of one movement (or one
	 * group) stays in memory; it is emptied at each release. */
	return st_exec(st, "PRAGMA journal_mode=WAL") < 0 ||
	       st_exec(st, "PRAGMA synchronous=FULL") < 0 ||
	       st_exec(st, "PRAGMA temp_store=MEMORY") < 0 ? -1 : 0;
}

/*
 * own_file - the database holds names, NIR and IBAN: 0600, whatever the
 * umask.  SQLite gives its -wal and -shm files the database's mode.
 */
static int own_file(const char *path)
{
	struct stat sb;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0 || fstat(fd, &sb) < 0) {
		log_err_errno("event=db_open_failed db=%s", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((sb.st_mode & 077) != 0) {
		log_warn("event=db_mode_fixed db=%s found=%04o mode=0600", path,
			 (unsigned)(sb.st_mode & 07777));
		if (fchmod(fd, 0600) < 0)
			log_warn_errno("event=db_chmod_failed db=%s", path);
	}
	close(fd);
	return 0;
}

/* store_failure_transient - see store.h */
int store_failure_transient(struct store *st)
{
	int e = st->last_error;

	st->last_error = SQLITE_OK;
	return e == SQLITE_BUSY || e == SQLITE_LOCKED || e == SQLITE_FULL ||
	       e == SQLITE_IOERR || e == SQLITE_NOMEM ||
	       e == SQLITE_CANTOPEN || e == SQLITE_READONLY;
}

/* store_open - open path; migrate the schema when opened read-write */
struct store *store_open(const char *path, enum store_mode mode,
			 int cache_mb, int busy_timeout_s)
{
	struct store *st = xcalloc(1, sizeof(*st));
	char qd[LOG_QUOTE_MAX], qe[LOG_QUOTE_MAX];
	int flags = mode == STORE_RW ?
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;

	st->path = xstrdup(path);
	if (mode == STORE_RW && own_file(path) < 0)
		goto fail;
	if (sqlite3_open_v2(path, &st->db, flags | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		log_err("event=db_open_failed db=%s error=%s",
			log_quote(qd, sizeof(qd), path),
			log_quote(qe, sizeof(qe), st->db ?
				  sqlite3_errmsg(st->db) : "out of memory"));
		goto fail;
	}
	if (store_pragmas(st, mode, cache_mb, busy_timeout_s) < 0)
		goto fail;
	if (mode == STORE_RW && store_migrate(st) < 0)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

void store_close(struct store *st)
{
	char qd[LOG_QUOTE_MAX];
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < st->ncache; i++)
		sqlite3_finalize(st->cache[i].stmt);
	if (st->db && sqlite3_close(st->db) != SQLITE_OK)
		log_warn("event=db_close_failed db=%s",
			 log_quote(qd, sizeof(qd), st->path));
	free(st->path);
	free(st);
}

int store_begin(struct store *st)
{
	st->mv_pending = st->mv_open = 0;
	return st_exec(st, "BEGIN IMMEDIATE");
}

int store_commit(struct store *st)
{
	st->mv_pending = st->mv_open = 0;
	return st_exec(st, "COMMIT");
}

/* store_rollback - roll back; harmless when no transaction is open */
int store_rollback(struct store *st)
{
	st->mv_pending = st->mv_open = 0;
	if (sqlite3_get_autocommit(st->db))
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
	sqlite3_stmt *s;
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
