/*
 * store_reprocess - `affilctl reprocess ID --force`: an admin asks that an
 * archived (or quarantined) file be processed again although its bytes were
 * already applied.  affilctl records the request; the daemon takes it
 * between files, claims a copy of the original under a new tracking id
 * whose row names the request (file.reprocess_id), and the request is
 * marked done inside that copy's own transaction.  So a crash at any point
 * leaves either a pending request with no live copy (taken again) or a
 * claimed copy (resumed from work/ like any other file): never two runs.
 *
 * The insurer's decision on a file the radiation gate held (`affilctl file
 * ID approve|refuse`) is a request of another kind, served the same way:
 * its run takes the held original, and the held row becomes "approved" or
 * "refused" in that run's transaction (store_file_decided).
 *
 * Also here: the purge of stored per-line results (retention).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_priv.h"

/* rq_from_row - (id, file_id, requested_by, requested_at) */
static void rq_from_row(struct db_stmt *s, void *arg)
{
	struct reprocess_rec *rq = arg;

	memset(rq, 0, sizeof(*rq));
	rq->id = db_col_int64(s, 0);
	(void)strlcpy_ok(rq->file_id, db_col_text(s, 1),
			 sizeof(rq->file_id));
	(void)strlcpy_ok(rq->requested_by,
			 db_col_text(s, 2),
			 sizeof(rq->requested_by));
	(void)strlcpy_ok(rq->requested_at,
			 db_col_text(s, 3),
			 sizeof(rq->requested_at));
	(void)strlcpy_ok(rq->kind, db_col_text(s, 4),
			 sizeof(rq->kind));
}

/* store_reprocess_request - record a request (own commit); writes its id */
int store_reprocess_request(struct store *st, const char *file_id,
			    const char *kind, const char *by,
			    long long *req_id)
{
	static const char sql[] =
		"INSERT INTO reprocess (file_id, requested_by, requested_at,"
		" kind) VALUES (?, ?, ?, ?) RETURNING id";
	char now[32];
	struct db_stmt *s = st_stmt_now(st, sql, now);

	if (s == NULL)
		return -1;
	st_text(s, 1, file_id);
	st_text(s, 2, by);
	st_text(s, 3, now);
	st_text(s, 4, kind);
	return st_one_row(st, s, "reprocess request", st_read_int64, req_id)
		== 1 ? 0 : -1;
}

/* store_reprocess_pending - 1 when file_id already has a pending request */
int store_reprocess_pending(struct store *st, const char *file_id)
{
	static const char sql[] =
		"SELECT 1 FROM reprocess WHERE file_id = ? AND done_at IS NULL";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, file_id);
	return st_one_row(st, s, "reprocess pending", NULL, NULL);
}

/* store_reprocess_next - the oldest pending request with no live copy */
int store_reprocess_next(struct store *st, struct reprocess_rec *rq)
{
	static const char sql[] =
		"SELECT id, file_id, requested_by, requested_at, kind"
		" FROM reprocess r"
		" WHERE done_at IS NULL AND NOT EXISTS (SELECT 1 FROM file f"
		" WHERE f.reprocess_id = r.id) ORDER BY id LIMIT 1";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	return st_one_row(st, s, "reprocess next", rq_from_row, rq);
}

/* store_reprocess_of - 1 when file file_id is a forced copy (rq filled) */
int store_reprocess_of(struct store *st, const char *file_id,
		       struct reprocess_rec *rq)
{
	static const char sql[] =
		"SELECT r.id, r.file_id, r.requested_by, r.requested_at, r.kind"
		" FROM file f JOIN reprocess r ON r.id = f.reprocess_id"
		" WHERE f.id = ?";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, file_id);
	return st_one_row(st, s, "reprocess of", rq_from_row, rq);
}

/* store_reprocess_close - done (new_file_id) or given up (error) */
int store_reprocess_close(struct store *st, long long req_id,
			  const char *new_file_id, const char *error)
{
	static const char sql[] =
		"UPDATE reprocess SET done_at = ?, new_file_id = ?, error = ?"
		" WHERE id = ?";
	char now[32];
	struct db_stmt *s = st_stmt_now(st, sql, now);

	if (s == NULL)
		return -1;
	st_text(s, 1, now);
	st_text(s, 2, new_file_id);
	st_text(s, 3, error);
	db_bind_int64(s, 4, req_id);
	return st_done(st, s);
}

/* store_file_decided - held → approved or refused, in the run's commit */
int store_file_decided(struct store *st, const char *file_id,
		       const char *state)
{
	static const char sql[] =
		"UPDATE file SET state = ? WHERE id = ? AND state = 'held'";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, state);
	st_text(s, 2, file_id);
	if (st_done(st, s) < 0)
		return -1;
	return db_changes(st->db) == 1 ? 0 : 1;
}

/* store_file_lines_purge - lines of files claimed before the day of
 * before_id ("AAAAMMJJ-"): ids sort by claim day */
int store_file_lines_purge(struct store *st, const char *before_id,
			   long long *count)
{
	static const char sql[] = "DELETE FROM file_line WHERE file_id < ?";
	struct db_stmt *s = st_stmt(st, sql);

	*count = 0;
	if (s == NULL)
		return -1;
	st_text(s, 1, before_id);
	if (st_done(st, s) < 0)
		return -1;
	*count = db_changes(st->db);
	return 0;
}
