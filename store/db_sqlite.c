/*
 * db_sqlite - the SQLite driver: a local file, WAL with synchronous=FULL
 * (a COMMIT that returned is on disk), one writer at a time (BEGIN
 * IMMEDIATE, waiting busy_timeout for the other).
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "store/db_impl.h"

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

/* pragmas - cache size, foreign keys; WAL, full sync when writing.
 * temp_store=MEMORY: the savepoint journal of one group stays in memory;
 * it is emptied at each release. */
static int pragmas(struct db *db, int readonly, int cache_mb)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%d", cache_mb * 1024);
	if (lite_exec(db, sql) < 0 || lite_exec(db, "PRAGMA foreign_keys=ON") < 0)
		return -1;
	if (readonly)
		return 0;
	return lite_exec(db, "PRAGMA journal_mode=WAL") < 0 ||
	       lite_exec(db, "PRAGMA synchronous=FULL") < 0 ||
	       lite_exec(db, "PRAGMA temp_store=MEMORY") < 0 ? -1 : 0;
}

struct db *lite_open(const char *path, int readonly, int cache_mb,
		     int busy_timeout_s)
{
	struct db *db = xcalloc(1, sizeof(*db));
	char qd[LOG_QUOTE_MAX], qe[LOG_QUOTE_MAX];
	int flags = readonly ? SQLITE_OPEN_READONLY :
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

	db->kind = DB_SQLITE;
	db->target = xstrdup(path);
	db->readonly = readonly;
	if (!readonly && own_file(path) < 0)
		goto fail;
	if (sqlite3_open_v2(path, &db->lite, flags | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		log_err("event=db_open_failed db=%s error=%s",
			log_quote(qd, sizeof(qd), path),
			log_quote(qe, sizeof(qe), db->lite ?
				  sqlite3_errmsg(db->lite) : "out of memory"));
		goto fail;
	}
	sqlite3_busy_timeout(db->lite, busy_timeout_s * 1000);
	if (pragmas(db, readonly, cache_mb) < 0) {
		log_err("event=db_open_failed db=%s error=%s",
			log_quote(qd, sizeof(qd), path),
			log_quote(qe, sizeof(qe), sqlite3_errmsg(db->lite)));
		goto fail;
	}
	return db;
fail:
	db_close(db);
	return NULL;
}

void lite_close(struct db *db)
{
	char qd[LOG_QUOTE_MAX];

	if (db->lite && sqlite3_close(db->lite) != SQLITE_OK)
		log_warn("event=db_close_failed db=%s",
			 log_quote(qd, sizeof(qd), db->target));
}

int lite_exec(struct db *db, const char *sql)
{
	return sqlite3_exec(db->lite, sql, NULL, NULL, NULL) == SQLITE_OK ?
		0 : -1;
}

int lite_in_tx(struct db *db)
{
	return !sqlite3_get_autocommit(db->lite);
}

int lite_prepare(struct db *db, struct db_stmt *s, const char *sql)
{
	return sqlite3_prepare_v2(db->lite, sql, -1, &s->lite, NULL) ==
		SQLITE_OK ? 0 : -1;
}

void lite_finalize(struct db_stmt *s)
{
	sqlite3_finalize(s->lite);
}

int lite_step(struct db_stmt *s)
{
	int rc = sqlite3_step(s->lite);

	return rc == SQLITE_ROW ? DB_ROW : rc == SQLITE_DONE ? DB_DONE :
		DB_ERROR;
}

int lite_reset(struct db_stmt *s)
{
	return sqlite3_reset(s->lite) == SQLITE_OK ? 0 : -1;
}

void lite_clear(struct db_stmt *s)
{
	sqlite3_clear_bindings(s->lite);
}

int lite_readonly(const struct db_stmt *s)
{
	return sqlite3_stmt_readonly(s->lite);
}

long long lite_changes(struct db *db)
{
	return sqlite3_changes(db->lite);
}

int lite_bind_null(struct db_stmt *s, int i)
{
	return sqlite3_bind_null(s->lite, i) == SQLITE_OK ? 0 : -1;
}

int lite_bind_int64(struct db_stmt *s, int i, long long v)
{
	return sqlite3_bind_int64(s->lite, i, v) == SQLITE_OK ? 0 : -1;
}

int lite_bind_text(struct db_stmt *s, int i, const char *v, int kept)
{
	if (v == NULL)
		return lite_bind_null(s, i);
	return sqlite3_bind_text(s->lite, i, v, -1, kept ? SQLITE_STATIC :
				 SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

int lite_col_count(struct db_stmt *s)
{
	return sqlite3_column_count(s->lite);
}

const char *lite_col_name(struct db_stmt *s, int i)
{
	return sqlite3_column_name(s->lite, i);
}

int lite_col_null(struct db_stmt *s, int i)
{
	return sqlite3_column_type(s->lite, i) == SQLITE_NULL;
}

int lite_col_is_int(struct db_stmt *s, int i)
{
	return sqlite3_column_type(s->lite, i) == SQLITE_INTEGER;
}

long long lite_col_int64(struct db_stmt *s, int i)
{
	return sqlite3_column_int64(s->lite, i);
}

const char *lite_col_text(struct db_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s->lite, i);
}

size_t lite_col_bytes(struct db_stmt *s, int i)
{
	return (size_t)sqlite3_column_bytes(s->lite, i);
}

const char *lite_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->lite);
}

enum db_fail lite_fail(struct db *db)
{
	switch (sqlite3_errcode(db->lite) & 0xff) {
	case SQLITE_OK: case SQLITE_ROW: case SQLITE_DONE:
		return DB_OK;
	case SQLITE_BUSY: case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_FULL:
		return DB_FULL;
	case SQLITE_IOERR:
		return DB_IO;
	case SQLITE_NOMEM:
		return DB_NOMEM;
	case SQLITE_CANTOPEN:
		return DB_CANTOPEN;
	case SQLITE_READONLY:
		return DB_READONLY;
	case SQLITE_CONSTRAINT:
		return DB_CONSTRAINT;
	default:
		return DB_OTHER;
	}
}

/*
 * lite_errdetail - for an I/O error, which operation failed and the errno
 * when SQLite kept it (its unix VFS often has not by the time we ask):
 * " ioerr=write errno=...".  "" otherwise.
 */
const char *lite_errdetail(struct db *db, char *buf, size_t len)
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
	int ext = sqlite3_extended_errcode(db->lite);
	int sys = sqlite3_system_errno(db->lite);
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
