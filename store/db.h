/*
 * db - the two databases the store runs on, behind one small interface:
 * SQLite (a local file, the default) and PostgreSQL (libpq, shared by
 * several daemons).  The store's SQL is written once, in SQLite's
 * spelling with ?N parameters; db_pg.c rewrites the few differences
 * when it prepares a statement (db_pg_sql, tested in test_db.c).
 *
 * Only db_sqlite.c includes <sqlite3.h> and only db_pg.c <libpq-fe.h>.
 *
 * A statement is stepped like SQLite's: db_step() gives DB_ROW while
 * there are rows, then DB_DONE, or DB_ERROR; column values stay valid
 * until the next step or reset.  Parameters are numbered from 1.
 */
#ifndef AFFILD_DB_H
#define AFFILD_DB_H

#include <stddef.h>

enum db_kind { DB_SQLITE, DB_PG };

enum { DB_ERROR = -1, DB_ROW = 1, DB_DONE = 2 };

/* The class of the last failure, what the callers decide on: a failure
 * that waiting may cure (busy, full, I/O, a lost connection, a read-only
 * standby after a failover) or one it will not. */
enum db_fail {
	DB_OK, DB_BUSY, DB_FULL, DB_IO, DB_NOMEM, DB_CANTOPEN, DB_READONLY,
	DB_CONSTRAINT, DB_OTHER
};

struct db;
struct db_stmt;

/*
 * db_open - target is a file path (SQLite) or a postgresql:// URI (libpq,
 * db_is_url); readonly opens SQLite read-only and sets PostgreSQL's
 * sessions read-only.  PostgreSQL's password is read from password_file
 * when set, else from the unit's credential db-password
 * ($CREDENTIALS_DIRECTORY), else libpq finds it (~/.pgpass).  NULL after
 * logging.
 */
struct db *db_open(const char *target, const char *password_file,
		   int readonly, int cache_mb, int busy_timeout_s);
void db_close(struct db *db);
int db_is_url(const char *target);
enum db_kind db_kind(const struct db *db);
/* db_target - for logs: the path, or the URI without its password */
const char *db_target(const struct db *db);

/* db_exec - one or more statements without parameters or rows */
int db_exec(struct db *db, const char *sql);
/* db_in_tx - a transaction is open */
int db_in_tx(struct db *db);
/*
 * db_begin - open the write transaction.  SQLite: BEGIN IMMEDIATE (one
 * writer at a time).  PostgreSQL: BEGIN and the advisory lock key (the
 * whole database when key is NULL, else shared on the whole and
 * exclusive on key, so that writers of different keys run side by side).
 */
int db_begin(struct db *db, const char *key);

/*
 * db_prepare - a statement for sql.  flags:
 *   DB_STREAM: PostgreSQL sends its rows one at a time (exports: memory
 *     stays flat; no other statement may run on the connection until
 *     this one is reset);
 *   DB_BATCH: an INSERT ... VALUES (...) whose rows PostgreSQL may send
 *     several to a statement, later (db_pg_batch.c): inside a
 *     transaction its steps are kept and sent before the next statement
 *     that is not such an INSERT, COMMIT and savepoints included.  The
 *     rows of two such statements may reach the server in another order
 *     than they were stepped: only for tables no other row refers to
 *     meanwhile.  A failure is said by a later statement (db_step) and
 *     sticks until ROLLBACK, as for any write PostgreSQL pipes.
 * NULL after db_errmsg.
 */
enum { DB_STREAM = 1, DB_BATCH = 2 };
struct db_stmt *db_prepare(struct db *db, const char *sql, int flags);
void db_finalize(struct db_stmt *s);
int db_step(struct db_stmt *s);
/* db_reset - ready to step again (bindings kept); 0 or -1 */
int db_reset(struct db_stmt *s);
void db_clear(struct db_stmt *s);
/* db_readonly - the statement writes nothing */
int db_readonly(const struct db_stmt *s);
/* Rows written by the last INSERT, UPDATE or DELETE */
long long db_changes(struct db *db);

int db_bind_null(struct db_stmt *s, int i);
int db_bind_int64(struct db_stmt *s, int i, long long v);
int db_bind_int(struct db_stmt *s, int i, int v);
/* db_bind_text - NULL binds SQL NULL; kept: v stays unchanged until the
 * statement has been stepped (no copy) */
int db_bind_text(struct db_stmt *s, int i, const char *v, int kept);

int db_col_count(struct db_stmt *s);
const char *db_col_name(struct db_stmt *s, int i);
int db_col_null(struct db_stmt *s, int i);
/* db_col_is_int - the column's value is an integer (JSON output) */
int db_col_is_int(struct db_stmt *s, int i);
/* PostgreSQL's booleans read as 1 and 0 */
long long db_col_int64(struct db_stmt *s, int i);
int db_col_int(struct db_stmt *s, int i);
const char *db_col_text(struct db_stmt *s, int i);	/* NULL for NULL */
size_t db_col_bytes(struct db_stmt *s, int i);

/* The last failure: its message, its class, and for an I/O failure of
 * SQLite which operation and errno (" ioerr=write errno=..." or "") */
const char *db_errmsg(struct db *db);
enum db_fail db_fail(struct db *db);
const char *db_errdetail(struct db *db, char *buf, size_t len);

/*
 * db_copy_begin, db_copy_row, db_copy_end - rows into table, fast: a
 * prepared INSERT (SQLite) or COPY FROM STDIN (PostgreSQL).  cols and
 * each row's vals are n strings (NULL for NULL); one copy at a time, and
 * nothing else on the connection until db_copy_end.  0 or -1.
 */
int db_copy_begin(struct db *db, const char *table, const char *const *cols,
		  int n);
int db_copy_row(struct db *db, const char *const *vals);
int db_copy_end(struct db *db);

/*
 * db_next_ids - n fresh values of table's identity column, for rows
 * inserted with their id (no RETURNING, so no answer to wait for): one
 * round trip for n ids from PostgreSQL's sequence, never given twice, a
 * gap where a transaction rolls back.  PostgreSQL only (SQLite has no
 * sequence, and an answer costs it nothing): -1 on SQLite.  0 or -1.
 */
int db_next_ids(struct db *db, const char *table, long long *ids, int n);

/* db_schema_version, db_set_schema_version - the number of migrations
 * applied (SQLite's user_version, a one-row table in PostgreSQL); the
 * setter runs inside the migration's transaction */
int db_schema_version(struct db *db);
int db_set_schema_version(struct db *db, int n);

/*
 * db_pg_sql - sql in PostgreSQL's spelling, malloc'ed (db_pg_sql.c):
 * ?N and ? become $N (SQLite's numbering: a bare ? is one more than the
 * largest so far), *nparams the largest; min(coalesce( (SQLite's scalar
 * min) becomes least(coalesce(; ?N IS NULL tests a text ($N::text);
 * WITHOUT ROWID goes; the outbox's three
 * JSON expressions become PostgreSQL's.  Nothing inside quotes is
 * touched.
 */
char *db_pg_sql(const char *sql, int *nparams);
/* db_pg_ddl - a migration in PostgreSQL's spelling: db_pg_sql's, and
 * INTEGER PRIMARY KEY an identity, INTEGER a BIGINT, SQLite's
 * strftime('%Y-%m-%dT%H:%M:%SZ', 'now') the same with to_char */
char *db_pg_ddl(const char *sql);

#endif
