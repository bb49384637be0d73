/*
 * db_impl - what db.c shares with its two drivers; not for use outside
 * db*.c.  The handles are the drivers' own, declared here only as
 * incomplete types so that neither header leaks out.
 */
#ifndef AFFILD_DB_IMPL_H
#define AFFILD_DB_IMPL_H

#include "store/db.h"

struct sqlite3;
struct sqlite3_stmt;
struct pg_conn;
struct pg_result;

struct db {
	enum db_kind kind;
	char *target;			/* path, or URI without password */
	enum db_fail fail;
	char msg[256];			/* the last failure (PostgreSQL) */
	long long changes;
	int readonly;
	struct sqlite3 *lite;
	struct pg_conn *pg;
	unsigned gen;			/* connection generation: a reset
					 * connection lost its statements */
	unsigned nstmt;			/* names s1, s2, ... */
	struct db_stmt *streaming;	/* the statement holding the link */
	struct db_stmt *copy;		/* SQLite: db_copy's INSERT */
	struct db_stmt *ids;		/* PostgreSQL: db_next_ids' */
	int piped;			/* PostgreSQL: writes sent, not read */
	int tx;				/* PostgreSQL: BEGIN said, not yet
					 * COMMIT or ROLLBACK: a connection
					 * lost meanwhile is not made again
					 * until ROLLBACK */
	int sticky;			/* a piped write failed: every statement
					 * fails with its error until ROLLBACK */
	int copy_n;			/* db_copy's columns */
	/* PostgreSQL: rows of DB_BATCH statements kept (db_pg_batch.c),
	 * in the order of each statement's first */
	struct db_stmt *batched[8];
	int nbatched;
	int flushing;			/* sending them: run() sends at once */
};

struct pg_rows;

struct db_stmt {
	struct db *db;
	struct sqlite3_stmt *lite;
	/* PostgreSQL */
	char name[16];
	char *sql;			/* in PostgreSQL's spelling */
	int nparams, ncols, stream, readonly;
	int deferred;			/* a write whose result can wait */
	int batch;			/* DB_BATCH asked */
	struct pg_rows *rows;		/* PostgreSQL: its rows kept, and the
					 * statement that sends PG_BATCH_ROWS
					 * of them at once */
	unsigned gen;			/* prepared on this generation */
	const char **values;		/* bound values, NULL for NULL */
	char **owned;			/* copies db_bind_text made */
	char (*nums)[24];		/* integers as text */
	struct pg_result *res;
	struct pg_result *desc;		/* PQdescribePrepared's: the columns */
	int row, nrows, state;		/* 0 idle, 1 rows, 2 streaming, 3 done */
};

struct db *lite_open(const char *path, int readonly, int cache_mb,
		     int busy_timeout_s);
void lite_close(struct db *db);
int lite_exec(struct db *db, const char *sql);
int lite_in_tx(struct db *db);
int lite_prepare(struct db *db, struct db_stmt *s, const char *sql);
void lite_finalize(struct db_stmt *s);
int lite_step(struct db_stmt *s);
int lite_reset(struct db_stmt *s);
void lite_clear(struct db_stmt *s);
int lite_readonly(const struct db_stmt *s);
long long lite_changes(struct db *db);
int lite_bind_null(struct db_stmt *s, int i);
int lite_bind_int64(struct db_stmt *s, int i, long long v);
int lite_bind_text(struct db_stmt *s, int i, const char *v, int kept);
int lite_col_count(struct db_stmt *s);
const char *lite_col_name(struct db_stmt *s, int i);
int lite_col_null(struct db_stmt *s, int i);
int lite_col_is_int(struct db_stmt *s, int i);
long long lite_col_int64(struct db_stmt *s, int i);
const char *lite_col_text(struct db_stmt *s, int i);
size_t lite_col_bytes(struct db_stmt *s, int i);
const char *lite_errmsg(struct db *db);
enum db_fail lite_fail(struct db *db);
const char *lite_errdetail(struct db *db, char *buf, size_t len);

struct db *pg_open(const char *uri, const char *password_file,
		   int readonly);
void pg_close(struct db *db);
int pg_exec(struct db *db, const char *sql);
int pg_in_tx(struct db *db);
int pg_begin(struct db *db, const char *key);
int pg_prepare(struct db *db, struct db_stmt *s, const char *sql);
void pg_finalize(struct db_stmt *s);
int pg_step(struct db_stmt *s);
int pg_reset(struct db_stmt *s);
int pg_bind(struct db_stmt *s, int i, const char *v, int kept);
int pg_copy_begin(struct db *db, const char *table, const char *const *cols,
		  int n);
int pg_copy_row(struct db *db, const char *const *vals);
int pg_copy_end(struct db *db);
int pg_col_count(struct db_stmt *s);

/* db_pg_batch.c: DB_BATCH's rows, kept and sent several at once */
int pgb_prepare(struct db_stmt *s);
int pgb_add(struct db_stmt *s);
int pgb_flush(struct db *db);
void pgb_discard(struct db *db);
void pgb_free(struct db_stmt *s);
long long pg_changes(struct db *db);
const char *pg_col_name(struct db_stmt *s, int i);
int pg_col_null(struct db_stmt *s, int i);
int pg_col_is_int(struct db_stmt *s, int i);
const char *pg_col_text(struct db_stmt *s, int i);
size_t pg_col_bytes(struct db_stmt *s, int i);

#endif
