/*
 * store_file - the tracked requests: one row per file received, its lines
 * (rejected and warning ones only: accepted lines live in the report), and
 * the duplicate check.
 *
 * The tracking id "AAAAMMJJ-NNNNNN" sorts by arrival: the day it was claimed
 * and a per-day sequence, taken in the claim's own short transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_priv.h"

static const char sql_last_id[] =
	"SELECT max(id) FROM file WHERE id >= ?1 AND id < ?2";
static const char sql_claim[] =
	"INSERT INTO file (id, employer, name, size, validation, state,"
	" received_at, reprocess_id, submitted_by)"
	" VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?, ?)";

/* seq_read - the sequence after the day's last id ("AAAAMMJJ-NNNNNN") */
static void seq_read(struct db_stmt *s, void *arg)
{
	const char *last = db_col_text(s, 0);
	long *seq = arg;

	if (last && parse_long(last + 9, 0, 999999, seq) == 0)
		(*seq)++;
}

/* next_id - today's prefix and the next sequence number */
static int next_id(struct store *st, char id[STORE_ID_LEN])
{
	char lo[32], hi[32];
	struct db_stmt *s = st_stmt(st, sql_last_id);
	struct date today = date_today();
	long seq = 1;

	if (s == NULL)
		return -1;
	snprintf(lo, sizeof(lo), "%04d%02d%02d-", today.y, today.m, today.d);
	snprintf(hi, sizeof(hi), "%04d%02d%02d.", today.y, today.m, today.d);
	st_text(s, 1, lo);
	st_text(s, 2, hi);
	if (st_one_row(st, s, "file id", seq_read, &seq) != 1)
		return -1;
	if (seq > 999999) {
		log_err("event=file_id_exhausted day=%s", lo);
		return -1;
	}
	snprintf(id, STORE_ID_LEN, "%.9s%06d", lo, (int)seq);
	return 0;
}

/* claim_row - the tracking row of a claim (or of a forced reprocess) */
static int claim_row(struct store *st, const char *employer, const char *name,
		     long long size, int validation, long long reprocess_id,
		     const char *by, char id[STORE_ID_LEN])
{
	struct db_stmt *s;
	char now[32];

	if (store_begin(st) < 0)
		return -1;
	/* owned before the row is seen: another daemon's resume leaves a
	 * claim it cannot own alone (PostgreSQL) */
	if (next_id(st, id) < 0 || store_file_own(st, id) != 1 ||
	    (s = st_stmt(st, sql_claim)) == NULL)
		goto fail;
	st_now(now);
	st_text(s, 1, id);
	st_text(s, 2, employer);
	st_text(s, 3, name);
	db_bind_int64(s, 4, size);
	db_bind_int(s, 5, validation);
	st_text(s, 6, now);
	if (reprocess_id > 0)
		db_bind_int64(s, 7, reprocess_id);
	else
		db_bind_null(s, 7);
	st_text(s, 8, by);
	if (st_done(st, s) < 0 || store_commit(st) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

/* store_file_claim - record a file about to be claimed, in its own commit */
int store_file_claim(struct store *st, const char *employer, const char *name,
		     long long size, int validation, char id[STORE_ID_LEN])
{
	return claim_row(st, employer, name, size, validation, 0, NULL, id);
}

/* store_file_claim_by - the same for the admin drop: by, the login of the
 * file's owner, is the history's admin:<login> */
int store_file_claim_by(struct store *st, const char *employer,
			const char *name, long long size, const char *by,
			char id[STORE_ID_LEN])
{
	return claim_row(st, employer, name, size, 0, 0, by, id);
}

/* store_file_claim_forced - the same, for the copy a request reprocesses */
int store_file_claim_forced(struct store *st, const char *employer,
			    const char *name, long long size,
			    long long reprocess_id, char id[STORE_ID_LEN])
{
	return claim_row(st, employer, name, size, 0, reprocess_id, NULL, id);
}

/*
 * The advisory lock of file id ("AAAAMMJJ-NNNNNN"): its day and number,
 * two keys no other lock of the store uses (theirs start at 1 and 2).
 */
static int file_key(const char *id, long *day, long *seq)
{
	char d[9];

	if (strlen(id) != STORE_ID_LEN - 1 || id[8] != '-')
		return -1;
	memcpy(d, id, 8);
	d[8] = '\0';
	return parse_long(d, 0, 99991231, day) < 0 ||
	       parse_long(id + 9, 0, 999999, seq) < 0 ? -1 : 0;
}

/* store_file_own - see store.h */
int store_file_own(struct store *st, const char *id)
{
	/* CASE: not taken twice (a session's advisory locks stack) */
	static const char sql[] =
		"SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks"
		" WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
		" AND classid = ?1 AND objid = ?2 AND objsubid = 2)"
		" THEN true ELSE pg_try_advisory_lock(CAST(?1 AS INTEGER),"
		" CAST(?2 AS INTEGER)) END";
	struct db_stmt *s;
	long day, seq;
	int owned = 0;

	if (db_kind(st->db) != DB_PG)
		return 1;	/* one daemon: its lock file says so */
	if (file_key(id, &day, &seq) < 0) {
		log_err("event=bug where=file_own id=%s", id);
		return -1;
	}
	if ((s = st_stmt(st, sql)) == NULL)
		return -1;
	db_bind_int64(s, 1, day);
	db_bind_int64(s, 2, seq);
	if (st_one_row(st, s, "file own", st_read_int, &owned) != 1)
		return -1;
	if (!owned)
		st->last_error = DB_BUSY;	/* another's: wait, not a fault */
	return owned ? 1 : 0;
}

/* store_file_disown - see store.h */
void store_file_disown(struct store *st, const char *id)
{
	static const char sql[] =
		"SELECT pg_advisory_unlock(CAST(?1 AS INTEGER),"
		" CAST(?2 AS INTEGER))";
	struct db_stmt *s;
	long day, seq;

	if (db_kind(st->db) != DB_PG || file_key(id, &day, &seq) < 0 ||
	    (s = st_stmt(st, sql)) == NULL)
		return;
	db_bind_int64(s, 1, day);
	db_bind_int64(s, 2, seq);
	(void)st_one_row(st, s, "file disown", NULL, NULL);
}

int store_file_forget(struct store *st, const char *id)
{
	static const char sql[] =
		"DELETE FROM file WHERE id = ? AND state = 'claimed'";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, id);
	return st_done(st, s);
}

/* store_file_attempt - one more failed run of file id; *attempts after */
int store_file_attempt(struct store *st, const char *id, int *attempts)
{
	static const char sql[] =
		"UPDATE file SET attempts = attempts + 1 WHERE id = ?"
		" RETURNING attempts";
	struct db_stmt *s = st_stmt(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	st_text(s, 1, id);
	/* Outside a transaction, the reset is where the UPDATE commits:
	 * st_one_row checks it. */
	rc = st_one_row(st, s, "file attempt", st_read_int, attempts);
	if (rc == 0)
		st_log_error(st, "file attempt");	/* no such file */
	return rc == 1 ? 0 : -1;
}

#define FILE_COLS \
	"SELECT id, employer, name, sha256, state, received_at, processed_at," \
	" report, message, validation, coalesce(return_code, -1), movements," \
	" accepted, rejected, warnings, size, submitted_by FROM file"

/* file_from_row - one row of FILE_COLS into a struct file_rec */
static void file_from_row(struct db_stmt *s, void *arg)
{
	struct file_rec *f = arg;

	memset(f, 0, sizeof(*f));
	(void)strlcpy_ok(f->id, db_col_text(s, 0),
			 sizeof(f->id));
	(void)strlcpy_ok(f->employer, db_col_text(s, 1),
			 sizeof(f->employer));
	f->name = st_col_dup(s, 2);
	f->sha256 = st_col_dup(s, 3);
	f->state = st_col_dup(s, 4);
	f->received_at = st_col_dup(s, 5);
	f->processed_at = st_col_dup(s, 6);
	f->report = st_col_dup(s, 7);
	f->message = st_col_dup(s, 8);
	f->validation = db_col_int(s, 9);
	f->return_code = db_col_int(s, 10);
	f->movements = db_col_int64(s, 11);
	f->accepted = db_col_int64(s, 12);
	f->rejected = db_col_int64(s, 13);
	f->warnings = db_col_int64(s, 14);
	f->size = db_col_int64(s, 15);
	f->submitted_by = st_col_dup(s, 16);
}

void file_rec_free(struct file_rec *f)
{
	free(f->name);
	free(f->sha256);
	free(f->state);
	free(f->received_at);
	free(f->processed_at);
	free(f->report);
	free(f->message);
	free(f->submitted_by);
	memset(f, 0, sizeof(*f));
}

int store_file_get(struct store *st, const char *id, struct file_rec *out)
{
	static const char sql[] = FILE_COLS " WHERE id = ?";
	struct db_stmt *s;

	if ((s = st_stmt(st, sql)) == NULL)
		return -1;
	st_text(s, 1, id);
	return st_one_row(st, s, "file get", file_from_row, out);
}

int store_file_finish(struct store *st, const struct file_rec *f)
{
	static const char sql[] =
		"UPDATE file SET state = ?, sha256 = ?, processed_at = ?,"
		" return_code = ?, movements = ?, accepted = ?, rejected = ?,"
		" warnings = ?, report = ?, message = ?, requests_only = ?"
		" WHERE id = ?";
	char now[32];
	struct db_stmt *s = st_stmt_now(st, sql, now);

	if (s == NULL)
		return -1;
	st_text(s, 1, f->state);
	st_text(s, 2, f->sha256);
	st_text(s, 3, now);
	db_bind_int(s, 4, f->return_code);
	db_bind_int64(s, 5, f->movements);
	db_bind_int64(s, 6, f->accepted);
	db_bind_int64(s, 7, f->rejected);
	db_bind_int64(s, 8, f->warnings);
	st_text(s, 9, f->report);
	st_text(s, 10, f->message);
	db_bind_int(s, 11, f->requests_only);
	st_text(s, 12, f->id);
	return st_done(st, s);
}

int store_file_line(struct store *st, const char *file_id, long line,
		    const char *op, const char *nir, const char *result,
		    const char *code, const char *field, const char *msg)
{
	static const char sql[] =
		"INSERT INTO file_line (file_id, line, operation, nir, result,"
		" code, field, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, file_id);
	db_bind_int64(s, 2, line);
	st_text(s, 3, op);
	st_text(s, 4, nir);
	st_text(s, 5, result);
	st_text(s, 6, code);
	st_text(s, 7, field);
	st_text(s, 8, msg);
	return st_done(st, s);
}

/* Where store_file_duplicate copies the earlier file's row. */
struct earlier {
	char *id, *name, *at;
	size_t namelen, atlen;
};

static void earlier_read(struct db_stmt *s, void *arg)
{
	struct earlier *e = arg;

	(void)strlcpy_ok(e->id, db_col_text(s, 0),
			 STORE_ID_LEN);
	(void)strlcpy_ok(e->name, db_col_text(s, 1),
			 e->namelen);
	(void)strlcpy_ok(e->at, db_col_text(s, 2) ?
			 db_col_text(s, 2) : "",
			 e->atlen);
}

int store_file_duplicate(struct store *st, const char *employer,
			 const char *sha256, const char *self_id,
			 char earlier_id[STORE_ID_LEN], char *earlier_name,
			 size_t namelen, char *earlier_at, size_t atlen)
{
	static const char sql[] =
		"SELECT id, name, processed_at FROM file WHERE employer = ?"
		" AND sha256 = ? AND id <> ? AND validation = 0"
		" AND requests_only = 0"
		" AND state = 'done' AND return_code BETWEEN 0 AND 2"
		" ORDER BY id LIMIT 1";
	struct db_stmt *s = st_stmt(st, sql);
	struct earlier e = { earlier_id, earlier_name, earlier_at, namelen,
			     atlen };

	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, sha256);
	st_text(s, 3, self_id);
	return st_one_row(st, s, "duplicate", earlier_read, &e);
}

int store_files_each(struct store *st, const char *employer,
		     const char *state, int (*fn)(const struct file_rec *, void *),
		     void *arg)
{
	static const char sql[] = FILE_COLS " WHERE (?1 IS NULL OR"
		" employer = ?1) AND (?2 IS NULL OR state = ?2) ORDER BY id";
	struct db_stmt *s;
	struct file_rec f;
	int rc;

	if ((s = db_prepare(st->db, sql, 0)) == NULL) {
		st_log_error(st, "files");
		return -1;
	}
	st_text(s, 1, employer);
	st_text(s, 2, state);
	while ((rc = db_step(s)) == DB_ROW) {
		file_from_row(s, &f);
		rc = fn(&f, arg);
		file_rec_free(&f);
		if (rc != 0)
			break;
	}
	db_finalize(s);
	return rc == DB_DONE || rc == 0 ? 0 : -1;
}

int store_file_lines_each(struct store *st, const char *file_id,
			  int (*fn)(long line, const char *op, const char *nir,
				    const char *result, const char *code,
				    const char *field, const char *msg,
				    void *arg),
			  void *arg)
{
	static const char sql[] =
		"SELECT line, operation, nir, result, code, field, message"
		" FROM file_line WHERE file_id = ? ORDER BY rowid";
	struct db_stmt *s = st_stmt(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	st_text(s, 1, file_id);
	while ((rc = db_step(s)) == DB_ROW)
		if (fn(db_col_int64(s, 0),
		       db_col_text(s, 1),
		       db_col_text(s, 2),
		       db_col_text(s, 3),
		       db_col_text(s, 4),
		       db_col_text(s, 5),
		       db_col_text(s, 6), arg) != 0)
			break;
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}
