/*
 * test_db_pg_sql - store/db_pg_sql.c: the store's SQL, written in SQLite's
 * spelling, in PostgreSQL's.  Pure text, no server.
 *
 * Parameters: ?N is $N, and a bare ? is one more than the largest number
 * so far (SQLite's rule), the count the largest; ?N IS NULL tests a text.
 * min(coalesce( (SQLite's scalar min) is least(coalesce(; LIKE is ILIKE
 * (SQLite's ignores the case of ASCII letters); WITHOUT ROWID goes; the
 * outbox's three JSON expressions and the UTC timestamp have PostgreSQL's
 * forms.  In a migration (db_pg_ddl) INTEGER PRIMARY KEY is an identity
 * and INTEGER a BIGINT.  Nothing inside quotes is ever touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/db.h"
#include "store/store_priv.h"

/* pg - db_pg_sql(sql) is want, with nparams parameters */
static void pg(const char *sql, const char *want, int nparams)
{
	int n = -1;
	char *got = db_pg_sql(sql, &n);

	if (strcmp(got, want) != 0)
		fail_msg("db_pg_sql(%s)\n  got  %s\n  want %s", sql, got, want);
	assert_int_equal(n, nparams);
	free(got);
}

/* ddl - db_pg_ddl(sql) is want */
static void ddl(const char *sql, const char *want)
{
	char *got = db_pg_ddl(sql);

	if (strcmp(got, want) != 0)
		fail_msg("db_pg_ddl(%s)\n  got  %s\n  want %s", sql, got, want);
	free(got);
}

static void test_numbered_parameters(void **state)
{
	(void)state;
	pg("SELECT 1", "SELECT 1", 0);
	pg("SELECT a FROM t WHERE b = ?1 AND c = ?2",
	   "SELECT a FROM t WHERE b = $1 AND c = $2", 2);
	/* reused, out of order, gaps: the count is the largest */
	pg("SELECT ?3, ?1, ?3", "SELECT $3, $1, $3", 3);
	pg("SELECT ?12", "SELECT $12", 12);
	/* the store's row-value comparison (store_timer.c) */
	pg("WHERE x <= ?1 AND (x, id) > (?2, ?3)",
	   "WHERE x <= $1 AND (x, id) > ($2, $3)", 3);
}

static void test_bare_parameters_follow_sqlite(void **state)
{
	(void)state;
	pg("INSERT INTO t VALUES (?, ?, ?)", "INSERT INTO t VALUES ($1, $2, $3)",
	   3);
	/* a bare ? is one more than the largest number so far */
	pg("SELECT ?2, ?, ?1, ?", "SELECT $2, $3, $1, $4", 4);
	pg("SELECT ?, ?5, ?", "SELECT $1, $5, $6", 6);
	pg("SELECT ?3, ?", "SELECT $3, $4", 4);
	/* no space needed around it */
	pg("a=?AND b=?", "a=$1AND b=$2", 2);
}

/* "?N IS NULL" alone gives PostgreSQL no type: the store's are texts */
static void test_null_tests_are_text(void **state)
{
	(void)state;
	pg("WHERE (?1 IS NULL OR employer = ?1) AND (?2 IS NULL OR s = ?2)",
	   "WHERE ($1::text IS NULL OR employer = $1) AND ($2::text IS NULL"
	   " OR s = $2)", 2);
	pg("SELECT (?2 IS NOT NULL AND nir = ?2) FROM t WHERE id = ?1",
	   "SELECT ($2::text IS NOT NULL AND nir = $2) FROM t WHERE id = $1", 2);
	pg("CASE WHEN ? IS NULL THEN a ELSE ? END",
	   "CASE WHEN $1::text IS NULL THEN a ELSE $2 END", 2);
	/* other uses keep the type PostgreSQL infers */
	pg("WHERE a = ?1 AND b IS NULL", "WHERE a = $1 AND b IS NULL", 1);
	pg("SELECT '?1 IS NULL', ?1 IS NULL",
	   "SELECT '?1 IS NULL', $1::text IS NULL", 1);
}

static void test_like_ignores_case(void **state)
{
	(void)state;
	pg("SELECT 1 WHERE nom LIKE ?3 ESCAPE '\\' OR nir NOT LIKE ?4",
	   "SELECT 1 WHERE nom ILIKE $3 ESCAPE '\\' OR nir NOT ILIKE $4", 4);
	pg("SELECT 'a LIKE b'", "SELECT 'a LIKE b'", 0);
}

static void test_nothing_inside_quotes(void **state)
{
	(void)state;
	pg("SELECT '?', ?", "SELECT '?', $1", 1);
	pg("SELECT '?1 ?', ?1", "SELECT '?1 ?', $1", 1);
	pg("SELECT \"a?\" FROM t WHERE x = ?", "SELECT \"a?\" FROM t WHERE x = $1",
	   1);
	/* SQLite's doubled quote inside a literal */
	pg("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1);
	pg("SELECT 'min(coalesce(a, 1), 2) WITHOUT ROWID'",
	   "SELECT 'min(coalesce(a, 1), 2) WITHOUT ROWID'", 0);
	pg("SELECT 'json_extract(data, ''$.lien'')'",
	   "SELECT 'json_extract(data, ''$.lien'')'", 0);
	ddl("CREATE TABLE t (a TEXT DEFAULT 'INTEGER PRIMARY KEY')",
	    "CREATE TABLE t (a TEXT DEFAULT 'INTEGER PRIMARY KEY')");
	ddl("CREATE TABLE \"INTEGER\" (a INTEGER)",
	    "CREATE TABLE \"INTEGER\" (a BIGINT)");
}

static void test_scalar_min(void **state)
{
	(void)state;
	pg("SELECT min(coalesce(a, 'x'), coalesce(b, 'x')) FROM t",
	   "SELECT least(coalesce(a, 'x'), coalesce(b, 'x')) FROM t", 0);
	/* EMP_DUE, as the store writes it, twice in a statement */
	pg("SELECT " EMP_DUE " FROM employee WHERE " EMP_DUE " <= ?1",
	   "SELECT least(coalesce(due_relance, '9999-12-31'),"
	   " coalesce(due_jeton, '9999-12-31')) FROM employee WHERE"
	   " least(coalesce(due_relance, '9999-12-31'),"
	   " coalesce(due_jeton, '9999-12-31')) <= $1", 1);
	/* min() the aggregate, and a name that only ends in min, stay */
	pg("SELECT min(a), min(coalesce) FROM t", "SELECT min(a), min(coalesce) FROM t",
	   0);
	pg("SELECT xmin(coalesce(a, 1)), my_min(coalesce(a, 1))",
	   "SELECT xmin(coalesce(a, 1)), my_min(coalesce(a, 1))", 0);
	pg("SELECT (min(coalesce(a, 1), 2))", "SELECT (least(coalesce(a, 1), 2))",
	   0);
}

static void test_without_rowid(void **state)
{
	(void)state;
	pg("CREATE TEMP TABLE r (a TEXT PRIMARY KEY) WITHOUT ROWID;",
	   "CREATE TEMP TABLE r (a TEXT PRIMARY KEY);", 0);
	ddl("CREATE TABLE r (a TEXT PRIMARY KEY, b INTEGER) WITHOUT ROWID",
	    "CREATE TABLE r (a TEXT PRIMARY KEY, b BIGINT)");
}

static void test_json(void **state)
{
	(void)state;
	pg("SELECT j.key, j.value FROM outbox, json_each(outbox.data) AS j"
	   " WHERE outbox.id = ?",
	   "SELECT j.key, j.value FROM outbox, json_each_text(outbox.data::json)"
	   " AS j WHERE outbox.id = $1", 1);
	pg("UPDATE outbox SET data = json_remove(data, '$.lien') WHERE id = ?",
	   "UPDATE outbox SET data = (SELECT coalesce(json_object_agg(key,"
	   " value), '{}')::text FROM json_each(data::json) WHERE key <>"
	   " 'lien') WHERE id = $1", 1);
	pg("SELECT json_extract(data, '$.lien') IS NULL FROM outbox",
	   "SELECT (data::json->>'lien') IS NULL FROM outbox", 0);
	/* another path is not the store's: left as it is */
	pg("SELECT json_extract(data, '$.nom')",
	   "SELECT json_extract(data, '$.nom')", 0);
}

static void test_utc_now(void **state)
{
	(void)state;
	pg("UPDATE deadline SET done_at = strftime('%Y-%m-%dT%H:%M:%SZ',"
	   " 'now') WHERE id = ?",
	   "UPDATE deadline SET done_at = to_char(now() AT TIME ZONE 'UTC',"
	   " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') WHERE id = $1", 1);
}

static void test_ddl_integers(void **state)
{
	(void)state;
	ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL,"
	    " s TEXT)",
	    "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY"
	    " PRIMARY KEY, n BIGINT NOT NULL, s TEXT)");
	ddl("CREATE TABLE t (\n\tid INTEGER PRIMARY KEY,\n\tk INTEGER\n)",
	    "CREATE TABLE t (\n\tid BIGINT GENERATED BY DEFAULT AS IDENTITY"
	    " PRIMARY KEY,\n\tk BIGINT\n)");
	/* a name that ends in INTEGER is a name */
	ddl("CREATE TABLE t (xINTEGER TEXT, my_INTEGER TEXT)",
	    "CREATE TABLE t (xINTEGER TEXT, my_INTEGER TEXT)");
	/* the statements' rewrites too, in a migration */
	ddl("UPDATE t SET a = ?1 WHERE b = ?; ALTER TABLE t ADD c INTEGER",
	    "UPDATE t SET a = $1 WHERE b = $2; ALTER TABLE t ADD c BIGINT");
	ddl("CREATE INDEX d ON e(" EMP_DUE ") WHERE " EMP_DUE_WHERE,
	    "CREATE INDEX d ON e(least(coalesce(due_relance, '9999-12-31'),"
	    " coalesce(due_jeton, '9999-12-31'))) WHERE (due_relance IS NOT"
	    " NULL OR due_jeton IS NOT NULL)");
	/* a statement is not a migration: INTEGER stays there */
	pg("SELECT CAST(a AS INTEGER) FROM t", "SELECT CAST(a AS INTEGER) FROM t",
	   0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_numbered_parameters),
		cmocka_unit_test(test_bare_parameters_follow_sqlite),
		cmocka_unit_test(test_null_tests_are_text),
		cmocka_unit_test(test_like_ignores_case),
		cmocka_unit_test(test_nothing_inside_quotes),
		cmocka_unit_test(test_scalar_min),
		cmocka_unit_test(test_without_rowid),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_utc_now),
		cmocka_unit_test(test_ddl_integers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
