/*
 * db - one interface, two drivers: each call goes to SQLite's
 * (db_sqlite.c) or PostgreSQL's (db_pg.c).  See db.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "store/db_impl.h"

#define PG(db) ((db)->kind == DB_PG)

int db_is_url(const char *target)
{
	return strncmp(target, "postgresql://", 13) == 0 ||
	       strncmp(target, "postgres://", 11) == 0;
}

struct db *db_open(const char *target, const char *password_file,
		   int readonly, int cache_mb, int busy_timeout_s)
{
	if (db_is_url(target))
		return pg_open(target, password_file, readonly);
	return lite_open(target, readonly, cache_mb, busy_timeout_s);
}

void db_close(struct db *db)
{
	if (db == NULL)
		return;
	if (PG(db)) {
		db_finalize(db->ids);
		pg_close(db);
	} else {
		db_finalize(db->copy);	/* a copy left unended */
		lite_close(db);
	}
	free(db->target);
	free(db);
}

/* db_next_ids - see db.h */
int db_next_ids(struct db *db, const char *table, long long *ids, int n)
{
	static const char sql[] = "SELECT nextval(pg_get_serial_sequence(?1,"
		" 'id')) FROM generate_series(1, ?2::int)";
	int i = 0;

	if (!PG(db) || n < 1)
		return -1;
	if (db->ids == NULL && (db->ids = db_prepare(db, sql, 0)) == NULL)
		return -1;
	db_reset(db->ids);
	db_bind_text(db->ids, 1, table, 0);
	db_bind_int(db->ids, 2, n);
	while (i < n && db_step(db->ids) == DB_ROW)
		ids[i++] = db_col_int64(db->ids, 0);
	db_reset(db->ids);
	return i == n ? 0 : -1;
}

enum db_kind db_kind(const struct db *db)
{
	return db->kind;
}

const char *db_target(const struct db *db)
{
	return db->target;
}

int db_exec(struct db *db, const char *sql)
{
	return PG(db) ? pg_exec(db, sql) : lite_exec(db, sql);
}

int db_in_tx(struct db *db)
{
	return PG(db) ? pg_in_tx(db) : lite_in_tx(db);
}

int db_begin(struct db *db, const char *key)
{
	return PG(db) ? pg_begin(db, key) : lite_exec(db, "BEGIN IMMEDIATE");
}

struct db_stmt *db_prepare(struct db *db, const char *sql, int flags)
{
	struct db_stmt *s = xcalloc(1, sizeof(*s));

	s->db = db;
	s->stream = (flags & DB_STREAM) != 0;
	s->batch = (flags & DB_BATCH) != 0;
	if ((PG(db) ? pg_prepare(db, s, sql) : lite_prepare(db, s, sql)) < 0) {
		db_finalize(s);
		return NULL;
	}
	return s;
}

void db_finalize(struct db_stmt *s)
{
	if (s == NULL)
		return;
	if (PG(s->db))
		pg_finalize(s);
	else
		lite_finalize(s);
	free(s);
}

int db_step(struct db_stmt *s)
{
	return PG(s->db) ? pg_step(s) : lite_step(s);
}

int db_reset(struct db_stmt *s)
{
	return PG(s->db) ? pg_reset(s) : lite_reset(s);
}

void db_clear(struct db_stmt *s)
{
	int i;

	if (!PG(s->db)) {
		lite_clear(s);
		return;
	}
	for (i = 1; i <= s->nparams; i++)
		pg_bind(s, i, NULL, 1);
}

int db_readonly(const struct db_stmt *s)
{
	return PG(s->db) ? s->readonly : lite_readonly(s);
}

long long db_changes(struct db *db)
{
	return PG(db) ? pg_changes(db) : lite_changes(db);
}

int db_bind_null(struct db_stmt *s, int i)
{
	return PG(s->db) ? pg_bind(s, i, NULL, 1) : lite_bind_null(s, i);
}

int db_bind_int64(struct db_stmt *s, int i, long long v)
{
	if (!PG(s->db))
		return lite_bind_int64(s, i, v);
	if (i < 1 || i > s->nparams)
		return -1;
	snprintf(s->nums[i - 1], sizeof(s->nums[0]), "%lld", v);
	return pg_bind(s, i, s->nums[i - 1], 1);
}

int db_bind_int(struct db_stmt *s, int i, int v)
{
	return db_bind_int64(s, i, v);
}

int db_bind_text(struct db_stmt *s, int i, const char *v, int kept)
{
	return PG(s->db) ? pg_bind(s, i, v, kept) :
		lite_bind_text(s, i, v, kept);
}

int db_col_count(struct db_stmt *s)
{
	return PG(s->db) ? pg_col_count(s) : lite_col_count(s);
}

const char *db_col_name(struct db_stmt *s, int i)
{
	return PG(s->db) ? pg_col_name(s, i) : lite_col_name(s, i);
}

int db_col_null(struct db_stmt *s, int i)
{
	return PG(s->db) ? pg_col_null(s, i) : lite_col_null(s, i);
}

int db_col_is_int(struct db_stmt *s, int i)
{
	return PG(s->db) ? pg_col_is_int(s, i) : lite_col_is_int(s, i);
}

long long db_col_int64(struct db_stmt *s, int i)
{
	const char *v;

	if (!PG(s->db))
		return lite_col_int64(s, i);
	v = pg_col_text(s, i);
	if (v == NULL)
		return 0;
	if (v[0] == 't' || v[0] == 'f')		/* a boolean */
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

int db_col_int(struct db_stmt *s, int i)
{
	return (int)db_col_int64(s, i);
}

const char *db_col_text(struct db_stmt *s, int i)
{
	return PG(s->db) ? pg_col_text(s, i) : lite_col_text(s, i);
}

size_t db_col_bytes(struct db_stmt *s, int i)
{
	return PG(s->db) ? pg_col_bytes(s, i) : lite_col_bytes(s, i);
}

const char *db_errmsg(struct db *db)
{
	return PG(db) ? db->msg : lite_errmsg(db);
}

enum db_fail db_fail(struct db *db)
{
	return PG(db) ? db->fail : lite_fail(db);
}

const char *db_errdetail(struct db *db, char *buf, size_t len)
{
	if (PG(db)) {
		buf[0] = '\0';
		return buf;
	}
	return lite_errdetail(db, buf, len);
}

int db_copy_begin(struct db *db, const char *table, const char *const *cols,
		  int n)
{
	struct buf sql;
	int i, rc;

	db->copy_n = n;
	if (PG(db))
		return pg_copy_begin(db, table, cols, n);
	buf_init(&sql, 1 << 16);
	buf_printf(&sql, "INSERT INTO %s (", table);
	for (i = 0; i < n; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
	buf_addstr(&sql, ") VALUES (");
	for (i = 0; i < n; i++)
		buf_addstr(&sql, i ? ", ?" : "?");
	rc = buf_addstr(&sql, ")");
	db->copy = rc < 0 ? NULL : db_prepare(db, buf_str(&sql), 0);
	buf_free(&sql);
	return db->copy ? 0 : -1;
}

int db_copy_row(struct db *db, const char *const *vals)
{
	int i;

	if (PG(db))
		return pg_copy_row(db, vals);
	for (i = 0; i < db->copy_n; i++)
		db_bind_text(db->copy, i + 1, vals[i], 1);
	if (db_step(db->copy) != DB_DONE)
		return -1;
	return db_reset(db->copy);
}

int db_copy_end(struct db *db)
{
	if (PG(db))
		return pg_copy_end(db);
	db_finalize(db->copy);
	db->copy = NULL;
	return 0;
}

/* one integer from a query without parameters; -1 on error */
static int one_int(struct db *db, const char *sql)
{
	struct db_stmt *s = db_prepare(db, sql, 0);
	int v = -1;

	if (s == NULL)
		return -1;
	if (db_step(s) == DB_ROW)
		v = db_col_int(s, 0);
	db_finalize(s);
	return v;
}

int db_schema_version(struct db *db)
{
	if (!PG(db))
		return one_int(db, "PRAGMA user_version");
	if (one_int(db, "SELECT to_regclass('affild_schema') IS NOT NULL") != 1)
		return db->fail == DB_OK ? 0 : -1;
	return one_int(db, "SELECT version FROM affild_schema");
}

int db_set_schema_version(struct db *db, int n)
{
	char sql[160];

	if (!PG(db))
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", n);
	else
		snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS"
			 " affild_schema (version INTEGER NOT NULL);"
			 "DELETE FROM affild_schema;"
			 "INSERT INTO affild_schema VALUES (%d)", n);
	return db_exec(db, sql);
}
