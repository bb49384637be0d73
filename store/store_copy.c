/*
 * store_copy - one database into another: how an insurer moves from
 * SQLite to PostgreSQL (affild --copy-to, docs/operations.md).
 *
 * Every table, row for row and id for id, through db_copy (COPY FROM STDIN
 * on PostgreSQL), in the target's one transaction: a copy cut short leaves
 * the target empty.  Both are at this binary's schema (store_open migrated
 * them), and the target must hold nothing yet.  Identities continue after
 * the copied ids.  Then each table's rows are counted on both sides.
 */
#include <stdio.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_priv.h"

/* Parents before children (beneficiary refers to employee). */
static const struct {
	const char *name;
	int identity;		/* id INTEGER PRIMARY KEY */
} tables[] = {
	{ "meta", 0 }, { "employee", 1 }, { "beneficiary", 1 },
	{ "history", 1 }, { "file", 0 }, { "file_line", 0 },
	{ "outbox", 1 }, { "deadline", 1 }, { "rum_seq", 0 },
	{ "timer_digest", 0 }, { "reprocess", 1 }, { "expected_alert", 0 },
};

#define COPY_MAX_COLS 64

static long long count_of(struct store *st, const char *table)
{
	char sql[96];
	struct db_stmt *s;
	long long n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	if ((s = db_prepare(st->db, sql, 0)) == NULL) {
		st_log_error(st, "copy count");
		return -1;
	}
	if (st_one_row(st, s, "copy count", st_read_int64, &n) != 1)
		n = -1;
	db_finalize(s);
	return n;
}

/* copy_table - every row of one table; its count, or -1 */
static long long copy_table(struct store *from, struct store *to,
			    const char *table)
{
	const char *cols[COPY_MAX_COLS], *vals[COPY_MAX_COLS];
	char sql[96];
	struct db_stmt *s;
	long long n = 0;
	int i, ncol, rc;

	snprintf(sql, sizeof(sql), "SELECT * FROM %s", table);
	if ((s = db_prepare(from->db, sql, 1)) == NULL) {
		st_log_error(from, "copy read");
		return -1;
	}
	ncol = db_col_count(s);
	if (ncol <= 0 || ncol > COPY_MAX_COLS) {
		log_err("event=copy_failed table=%s columns=%d", table, ncol);
		db_finalize(s);
		return -1;
	}
	for (i = 0; i < ncol; i++)
		cols[i] = db_col_name(s, i);
	if (db_copy_begin(to->db, table, cols, ncol) < 0) {
		st_log_error(to, "copy begin");
		db_finalize(s);
		return -1;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		for (i = 0; i < ncol; i++)
			vals[i] = db_col_text(s, i);
		if (db_copy_row(to->db, vals) < 0)
			break;
		n++;
	}
	if (rc != DB_DONE) {
		if (rc != DB_ROW)
			st_log_error(from, "copy read");
		else
			st_log_error(to, "copy write");
		(void)db_copy_end(to->db);
		db_finalize(s);
		return -1;
	}
	db_finalize(s);
	if (db_copy_end(to->db) < 0) {
		st_log_error(to, "copy end");
		return -1;
	}
	return n;
}

/* continue_ids - the target's next id after the copied ones */
static int continue_ids(struct store *to, const char *table)
{
	char sql[256];

	if (db_kind(to->db) != DB_PG)
		return 0;	/* SQLite: the next rowid is max + 1 anyway */
	snprintf(sql, sizeof(sql), "SELECT setval(pg_get_serial_sequence("
		 "'%s', 'id'), coalesce((SELECT max(id) FROM %s), 0) + 1,"
		 " false)", table, table);
	return st_exec(to, sql);
}

/* store_copy - see store.h */
int store_copy(struct store *from, struct store *to,
	       void (*done)(const char *table, long long rows, void *),
	       void *arg)
{
	long long rows[NELEM(tables)];
	size_t i;

	if (store_schema_version(from) != store_schema_version(to)) {
		log_err("event=copy_refused reason=\"schema versions differ\"");
		return -1;
	}
	for (i = 0; i < NELEM(tables); i++)
		if (count_of(to, tables[i].name) != 0) {
			log_err("event=copy_refused table=%s reason=\"the target "
				"is not empty\"", tables[i].name);
			return -1;
		}
	if (store_begin(to) < 0)
		return -1;
	for (i = 0; i < NELEM(tables); i++)
		if ((rows[i] = copy_table(from, to, tables[i].name)) < 0 ||
		    (tables[i].identity && continue_ids(to, tables[i].name) < 0))
			goto fail;
	if (store_commit(to) < 0)
		goto fail;
	for (i = 0; i < NELEM(tables); i++) {
		if (count_of(to, tables[i].name) != rows[i] ||
		    count_of(from, tables[i].name) != rows[i]) {
			log_err("event=copy_mismatch table=%s copied=%lld",
				tables[i].name, rows[i]);
			return -1;
		}
		if (done)
			done(tables[i].name, rows[i], arg);
	}
	return 0;
fail:
	store_rollback(to);
	return -1;
}
