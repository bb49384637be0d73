/*
 * db_pg_batch - DB_BATCH (db.h): inside a transaction, the rows of an
 * INSERT ... VALUES (...) are kept, and sent PG_BATCH_ROWS to a statement
 * (one multi-row INSERT, prepared once per connection like any other),
 * the rest one at a time, before the next statement that is not such an
 * INSERT.  The server's cost of a statement is mostly its own (a Bind, an
 * Execute, an executor started and ended), not its row's: a bulk file's
 * new employees and their invitations cost a third less of it
 * (docs/performance.md).  The writes are piped as any other (db_pg.c):
 * a failure sticks and is said by the next statement that answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"
#include "store/db_impl.h"

#define PG_BATCH_ROWS 64
#define ROWS_MAX (64 << 20)	/* a batch's values: more is a bug */
#define SQL_MAX (1 << 20)	/* its statement */

struct pg_rows {
	struct db_stmt *multi;	/* PG_BATCH_ROWS rows at once */
	struct buf vals;	/* the kept rows' values, each NUL-ended */
	long *off;		/* PG_BATCH_ROWS x nparams: in vals, -1 NULL */
	int n;			/* rows kept */
};

/*
 * multi_sql - sql (PostgreSQL's spelling) with its VALUES tuple repeated
 * rows times, the parameters of row r numbered on from r * nparams, in
 * the store's spelling again (?N: pg_prepare spells it anew); NULL
 * when sql is not INSERT ... VALUES (...) with nothing after the tuple and
 * no quote in it.
 */
static char *multi_sql(const char *in, int nparams, int rows)
{
	const char *v = strstr(in, " VALUES (");
	const char *end = in + strlen(in), *p;
	char *sql;
	struct buf b;
	int r;

	if (strncmp(in, "INSERT", 6) != 0 || v == NULL ||
	    strstr(v + 1, " VALUES (") != NULL)
		return NULL;
	while (end > v && end[-1] == ' ')
		end--;
	v += 8;			/* the tuple: "(" ... ")" */
	if (end[-1] != ')' || memchr(v, '\'', (size_t)(end - v)) != NULL ||
	    memchr(v, ')', (size_t)(end - v - 1)) != NULL)
		return NULL;
	buf_init(&b, SQL_MAX);
	buf_add(&b, in, (size_t)(v - in));
	for (r = 0; r < rows; r++) {
		if (r > 0)
			buf_addstr(&b, ", ");
		for (p = v; p < end; p++) {
			char *num;

			if (*p != '$') {
				buf_addc(&b, *p);
				continue;
			}
			buf_printf(&b, "?%ld", strtol(p + 1, &num, 10) +
				   (long)r * nparams);
			p = num - 1;
		}
	}
	sql = b.len < SQL_MAX - 1 ? xstrdup(buf_str(&b)) : NULL;
	buf_free(&b);
	return sql;		/* NULL when it would not fit: one at a time */
}

/* pgb_prepare - s (DB_BATCH) is sent several rows at once when it can */
int pgb_prepare(struct db_stmt *s)
{
	struct pg_rows *rw;
	char *sql;

	s->batch = 0;
	if (!s->deferred || s->stream || s->nparams < 1 ||
	    (sql = multi_sql(s->sql, s->nparams, PG_BATCH_ROWS)) == NULL)
		return 0;	/* one at a time, as any write */
	rw = xcalloc(1, sizeof(*rw));
	rw->multi = xcalloc(1, sizeof(*rw->multi));
	rw->multi->db = s->db;
	if (pg_prepare(s->db, rw->multi, sql) < 0 ||
	    rw->multi->nparams != s->nparams * PG_BATCH_ROWS) {
		free(sql);
		pg_finalize(rw->multi);
		free(rw->multi);
		free(rw);
		return -1;
	}
	free(sql);
	buf_init(&rw->vals, ROWS_MAX);
	rw->off = xcalloc((size_t)s->nparams * PG_BATCH_ROWS,
			  sizeof(*rw->off));
	s->rows = rw;
	s->batch = 1;
	return 0;
}

/* send_row - to stepped with the values kept at off (to->nparams of
 * them); 0 or -1 */
static int send_row(struct db_stmt *to, const char *base, const long *off)
{
	int i, rc;

	for (i = 0; i < to->nparams; i++)
		to->values[i] = off[i] < 0 ? NULL : base + off[i];
	pg_reset(to);
	rc = pg_step(to) == DB_ERROR ? -1 : 0;
	pg_reset(to);
	return rc;
}

/* send - s's n rows kept: at once when they are a batch, else one at a
 * time through s itself, whose own bindings are kept; 0 or -1 */
static int send(struct db_stmt *s, int n)
{
	struct pg_rows *rw = s->rows;
	const char *base = buf_str(&rw->vals);
	const char **bound;
	int k, rc = 0;

	if (n == PG_BATCH_ROWS)
		return send_row(rw->multi, base, rw->off);
	bound = xcalloc((size_t)s->nparams, sizeof(*bound));
	memcpy(bound, s->values, (size_t)s->nparams * sizeof(*bound));
	for (k = 0; k < n && rc == 0; k++)
		rc = send_row(s, base, rw->off + (size_t)k * s->nparams);
	memcpy(s->values, bound, (size_t)s->nparams * sizeof(*bound));
	free(bound);
	return rc;
}

/* drop - s's kept rows forgotten */
static void drop(struct db_stmt *s)
{
	s->rows->n = 0;
	buf_reset(&s->rows->vals);
}

/* unlist - s no longer among the statements with rows kept */
static void unlist(struct db *db, struct db_stmt *s)
{
	int i;

	for (i = 0; i < db->nbatched; i++)
		if (db->batched[i] == s) {
			memmove(db->batched + i, db->batched + i + 1,
				(size_t)(--db->nbatched - i) *
				sizeof(*db->batched));
			return;
		}
}

/* flush_one - s's rows sent; kept no more */
static int flush_one(struct db_stmt *s)
{
	struct db *db = s->db;
	int rc, n = s->rows->n;

	db->flushing = 1;
	rc = send(s, n);
	db->flushing = 0;
	drop(s);
	return rc;
}

/* pgb_add - s's bound row kept; the batch sent when full.  0 or DB_ERROR */
int pgb_add(struct db_stmt *s)
{
	struct db *db = s->db;
	struct pg_rows *rw = s->rows;
	long *off = rw->off + (size_t)rw->n * s->nparams;
	int i;

	if (rw->n == 0) {
		if (db->nbatched == (int)NELEM(db->batched) &&
		    pgb_flush(db) < 0)
			return DB_ERROR;
		db->batched[db->nbatched++] = s;
	}
	for (i = 0; i < s->nparams; i++) {
		const char *v = s->values[i];

		off[i] = v ? (long)rw->vals.len : -1;
		if (v && buf_add(&rw->vals, v, strlen(v) + 1) < 0) {
			db->fail = DB_NOMEM;
			snprintf(db->msg, sizeof(db->msg), "batched rows over "
				 "%d bytes", ROWS_MAX);
			db->sticky = 1;	/* a row lost: not the transaction */
			return DB_ERROR;
		}
	}
	s->state = 3;		/* done, as far as the caller knows */
	if (++rw->n < PG_BATCH_ROWS)
		return 0;
	unlist(db, s);		/* sent now: no longer kept */
	return flush_one(s) < 0 ? DB_ERROR : 0;
}

/* pgb_flush - every kept row sent, in the order of each statement's
 * first; 0 or -1 */
int pgb_flush(struct db *db)
{
	int i, rc = 0;

	for (i = 0; i < db->nbatched; i++)
		if (rc == 0)
			rc = flush_one(db->batched[i]);
		else
			drop(db->batched[i]);	/* the transaction failed */
	db->nbatched = 0;
	return rc;
}

/* pgb_discard - the kept rows go with their transaction */
void pgb_discard(struct db *db)
{
	int i;

	for (i = 0; i < db->nbatched; i++)
		drop(db->batched[i]);
	db->nbatched = 0;
}

void pgb_free(struct db_stmt *s)
{
	struct pg_rows *rw = s->rows;

	if (rw == NULL)
		return;
	unlist(s->db, s);	/* pg_finalize sent what it could */
	pg_finalize(rw->multi);
	free(rw->multi);
	buf_free(&rw->vals);
	free(rw->off);
	free(rw);
	s->rows = NULL;
}
