/*
 * db_fixture - the unit tests' side of store/db.h.
 *
 * The database a test runs on, chosen here and nowhere else: SQLite, the
 * file <dir>/affild.db in the test's temporary directory, or, when
 * AFFILD_TEST_PG names the directory of a PostgreSQL server's unix socket
 * (role affild with CREATEDB, trust authentication), a database of its
 * own, created for the test (dbx_new) and dropped after it (dbx_drop).
 * A test about SQLite's own behaviour (its file's lock, its query planner)
 * says so with DBX_SQLITE_ONLY(), which skips it on PostgreSQL.
 *
 * Then the shapes the tests repeat on a store's connection (st->db).  Each
 * fails the test, with the database's message, when the statement cannot
 * be prepared or run: a query that failed never reads as "no row".
 *
 * Static functions, one copy per test program; include it after cmocka.h.
 */
#ifndef AFFILD_TESTS_DB_FIXTURE_H
#define AFFILD_TESTS_DB_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/db.h"

#define DBX_TARGET_MAX 512

/* dbx_pg - the socket directory of the PostgreSQL to test on; NULL: SQLite */
static inline const char *dbx_pg(void)
{
	const char *dir = getenv("AFFILD_TEST_PG");

	return dir && *dir ? dir : NULL;
}

/* DBX_SQLITE_ONLY - what the test asserts is SQLite's own behaviour: the
 * test is skipped on PostgreSQL (the caller says why) */
#define DBX_SQLITE_ONLY() do { if (dbx_pg()) skip(); } while (0)
/* DBX_PG_ONLY - what the test asserts is PostgreSQL's only (several
 * daemons on one database): skipped on SQLite */
#define DBX_PG_ONLY() do { if (!dbx_pg()) skip(); } while (0)

/* dbx_admin - sql run on PostgreSQL's database "postgres"; 0 or -1, said
 * unless quiet */
static inline int dbx_admin(const char *sql, int quiet)
{
	char uri[DBX_TARGET_MAX];
	struct db *db;
	int rc;

	snprintf(uri, sizeof(uri), "postgresql://affild@/postgres?host=%s",
		 dbx_pg());
	if ((db = db_open(uri, NULL, 0, 0, 0)) == NULL)
		return -1;
	if ((rc = db_exec(db, sql)) != 0 && !quiet)
		fprintf(stderr, "db_fixture: %s: %s\n", sql, db_errmsg(db));
	db_close(db);
	return rc;
}

/*
 * dbx_drop_name - DROP DATABASE name; 0 or -1.  Plain first: it waits for
 * an autovacuum worker there, which WITH (FORCE) may not end (it is not
 * affild's); FORCE then, for a connection a failed test left open.
 */
static inline int dbx_drop_name(const char *name, int len)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %.*s", len, name);
	if (dbx_admin(sql, 1) == 0)
		return 0;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %.*s WITH (FORCE)",
		 len, name);
	return dbx_admin(sql, 0);
}

/*
 * dbx_new - a fresh, empty database for one test: target gets what
 * store_open() takes, the path <dir>/affild.db or the URI of a database
 * made for the test (affild_t<pid>_<n>).  0, or -1 after saying why.
 */
static inline int dbx_new(char *target, size_t len, const char *dir)
{
	static int serial;
	char name[64], sql[128];

	if (dbx_pg() == NULL)
		return (size_t)snprintf(target, len, "%s/affild.db", dir) < len ?
			0 : -1;
	snprintf(name, sizeof(name), "affild_t%ld_%d", (long)getpid(),
		 ++serial);
	if ((size_t)snprintf(target, len, "postgresql://affild@/%s?host=%s",
			     name, dbx_pg()) >= len)
		return -1;
	/* one statement each: neither runs inside a transaction block (a
	 * leftover of a crashed run under the same pid goes first) */
	if (dbx_drop_name(name, (int)strlen(name)) != 0)
		return -1;
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	return dbx_admin(sql, 0);
}

/* dbx_drop - the database dbx_new made is gone: the file and its -wal and
 * -shm (the caller removes its directory), or DROP DATABASE */
static inline void dbx_drop(const char *target)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	char path[DBX_TARGET_MAX + 8];
	const char *name, *end;
	size_t i;

	if (!db_is_url(target)) {
		for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
			snprintf(path, sizeof(path), "%s%s", target, ext[i]);
			unlink(path);
		}
		return;
	}
	name = strstr(target, "@/") + 2;
	end = strchr(name, '?');
	(void)dbx_drop_name(name, (int)(end - name));
}

/* dbx_stmt - sql prepared on db */
static inline struct db_stmt *dbx_stmt(struct db *db, const char *sql)
{
	struct db_stmt *s = db_prepare(db, sql, 0);

	if (s == NULL)
		fail_msg("prepare: %s: %s", db_errmsg(db), sql);
	return s;
}

/* dbx_step - one step of s: DB_ROW or DB_DONE */
static inline int dbx_step(struct db *db, struct db_stmt *s)
{
	int rc = db_step(s);

	if (rc == DB_ERROR)
		fail_msg("step: %s", db_errmsg(db));
	return rc;
}

/* dbx_exec - statements without parameters or rows */
static inline void dbx_exec(struct db *db, const char *sql)
{
	if (db_exec(db, sql) != 0)
		fail_msg("exec: %s: %s", db_errmsg(db), sql);
}

/* dbx_int - column 0 of sql's first row as an integer; none when no row */
static inline long long dbx_int(struct db *db, const char *sql,
				long long none)
{
	struct db_stmt *s = dbx_stmt(db, sql);
	long long v = none;

	if (dbx_step(db, s) == DB_ROW)
		v = db_col_int64(s, 0);
	db_finalize(s);
	return v;
}

/* dbx_text - column 0 of sql's first row, copied into out; "" when there
 * is no row or it is NULL */
static inline const char *dbx_text(struct db *db, const char *sql,
				   char *out, size_t len)
{
	struct db_stmt *s = dbx_stmt(db, sql);

	out[0] = '\0';
	if (dbx_step(db, s) == DB_ROW && !db_col_null(s, 0))
		snprintf(out, len, "%s", db_col_text(s, 0));
	db_finalize(s);
	return out;
}

/* dbx_json - SQL for the text of key in the JSON text column col, in db's
 * spelling (SQLite's json_extract, PostgreSQL's ->>), into out */
static inline const char *dbx_json(struct db *db, const char *col,
				   const char *key, char *out, size_t len)
{
	if (db_kind(db) == DB_PG)
		snprintf(out, len, "(%s::json->>'%s')", col, key);
	else
		snprintf(out, len, "json_extract(%s, '$.%s')", col, key);
	return out;
}

/* dbx_insert - the id of the one row "INSERT ... RETURNING id" wrote */
static inline long long dbx_insert(struct db *db, const char *sql)
{
	struct db_stmt *s = dbx_stmt(db, sql);
	long long id;

	assert_int_equal(dbx_step(db, s), DB_ROW);
	id = db_col_int64(s, 0);
	assert_int_equal(dbx_step(db, s), DB_DONE);
	db_finalize(s);
	return id;
}

#endif
