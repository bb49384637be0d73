/*
 * db_fixture - the unit tests' side of store/db.h: the shapes they repeat
 * on a store's connection (st->db).  Each fails the test, with the
 * database's message, when the statement cannot be prepared or run: a
 * query that failed never reads as "no row".  Static functions, one copy
 * per test program; include it after cmocka.h.
 */
#ifndef AFFILD_TESTS_DB_FIXTURE_H
#define AFFILD_TESTS_DB_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

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
