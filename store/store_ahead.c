/*
 * store_ahead - a bulk file's new employees without a round trip each.
 *
 * On SQLite a lookup costs a microsecond in process; on PostgreSQL every
 * statement whose answer is needed costs a round trip to the server.  A
 * new employee's INSERT ... ON CONFLICT DO NOTHING RETURNING id needs its
 * answer twice over: whether the employer had the NIR (then the movement
 * goes the usual way) and the id its invitation refers to.  So the
 * pipeline reads movements ahead, ST_AHEAD_MAX at a time, and asks once
 * which of their NIRs the employer holds (store_prefetch); ids come from
 * the sequence in blocks (db_next_ids).  A NIR known absent is then
 * inserted with its id and no answer: the write is piped (db_pg.c) and
 * travels with the next statement that needs one.
 *
 * What is known holds for the transaction that asked, under its
 * employer's lock (no other daemon writes that employer's employees
 * meanwhile), and only in one direction: a NIR leaves the set as soon as
 * any write of this transaction may have given it to a record (an
 * insert, a NIR corrected), and the set is emptied at every BEGIN,
 * COMMIT and ROLLBACK.  A savepoint rolled back can only make a NIR
 * absent again, which the set then does not claim: the usual way finds
 * it.  The insert of a known-absent NIR has no ON CONFLICT: were the set
 * ever wrong, the file would fail on the unique key, never be applied
 * half.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/store_priv.h"

#define ST_AHEAD_MAX 128	/* store_prefetch's statement: ?2 to ?129 */
#define NIR_KEY 24		/* a NIR and then some: longer, never absent */

struct st_ahead {
	char employer[32];
	int n;				/* NIRs known absent, sorted */
	char nir[ST_AHEAD_MAX][NIR_KEY];
	unsigned char taken[ST_AHEAD_MAX];
	long long ids[ST_AHEAD_MAX];	/* reserved from the sequence */
	int nids, nextid;
};

/* store_read_ahead - see store.h */
int store_read_ahead(const struct store *st)
{
	return db_kind(st->db) == DB_PG ? ST_AHEAD_MAX : 1;
}

void st_ahead_clear(struct store *st, int rollback)
{
	if (st->ahead == NULL)
		return;
	st->ahead->n = 0;
	/* a failed transaction may have been a failover: a server whose
	 * sequence is behind could give the reserved ids again */
	if (rollback)
		st->ahead->nids = st->ahead->nextid = 0;
}

static int by_nir(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int find(const struct st_ahead *a, const char *employer,
		const char *nir)
{
	const char (*hit)[NIR_KEY];

	if (a == NULL || a->n == 0 || nir == NULL ||
	    strlen(nir) >= NIR_KEY || strcmp(a->employer, employer) != 0)
		return -1;
	hit = bsearch(nir, a->nir, (size_t)a->n, NIR_KEY, by_nir);
	return hit ? (int)(hit - a->nir) : -1;
}

/* st_ahead_forget - nir (employer's) may be held by a record now */
void st_ahead_forget(struct store *st, const char *employer, const char *nir)
{
	int i = find(st->ahead, employer, nir);

	if (i >= 0)
		st->ahead->taken[i] = 1;
}

/*
 * st_ahead_take - 1 when the employer is known not to hold nir, with a
 * fresh id for its record in *id; the NIR is then forgotten (its insert
 * follows).  0 when not known (the usual insert, with its answer), -1 on
 * error.
 */
int st_ahead_take(struct store *st, const char *employer, const char *nir,
		  long long *id)
{
	struct st_ahead *a = st->ahead;
	int i = find(a, employer, nir);

	if (i < 0 || a->taken[i])
		return 0;
	if (a->nextid == a->nids) {
		if (db_next_ids(st->db, "employee", a->ids, ST_AHEAD_MAX) < 0) {
			st_log_error(st, "employee ids");
			return -1;
		}
		a->nids = ST_AHEAD_MAX;
		a->nextid = 0;
	}
	a->taken[i] = 1;
	*id = a->ids[a->nextid++];
	return 1;
}

/* store_prefetch - see store.h */
int store_prefetch(struct store *st, const char *employer,
		   const char *const *nirs, int n)
{
	/*
	 * ?2 to ?129: the batch's NIRs, NULL where it has fewer.  One index
	 * probe each, whatever the statistics say: a scalar subquery is not
	 * turned into a join, which a planner that has not seen the table
	 * grow (a first load, in one transaction) would make a scan of the
	 * employer's every row, for every batch.
	 */
#define P(a, b) "(?" #a "), (?" #b "), "
#define P10(k) P(k##0, k##1) P(k##2, k##3) P(k##4, k##5) P(k##6, k##7) \
	P(k##8, k##9)
	static const char sql[] = "SELECT v.column1 FROM (VALUES"
		" (?2), (?3), (?4), (?5), (?6), (?7), (?8), (?9), "
		P10(1) P10(2) P10(3) P10(4) P10(5) P10(6) P10(7) P10(8) P10(9)
		P10(10) P10(11) P(120, 121) P(122, 123) P(124, 125)
		P(126, 127) "(?128), (?129)) AS v WHERE (SELECT 1 FROM employee"
		" e WHERE e.employer = ?1 AND e.nir = v.column1) = 1";
#undef P10
#undef P
	struct st_ahead *a;
	struct db_stmt *s;
	int i, j, rc;

	if (store_read_ahead(st) < 2 || !db_in_tx(st->db) || n < 1)
		return 0;
	if (st->ahead == NULL)
		st->ahead = xcalloc(1, sizeof(*st->ahead));
	a = st->ahead;
	a->n = 0;
	if (n > ST_AHEAD_MAX ||
	    strlcpy_ok(a->employer, employer, sizeof(a->employer)) < 0)
		return 0;	/* nothing known: the usual way */
	if ((s = st_stmt(st, sql)) == NULL)
		return -1;
	st_text(s, 1, employer);
	for (i = 0; i < ST_AHEAD_MAX; i++)
		st_text(s, i + 2, i < n ? nirs[i] : NULL);
	for (i = 0; i < n; i++)	/* longer than a NIR: never absent */
		if (nirs[i] && strlcpy_ok(a->nir[a->n], nirs[i], NIR_KEY) == 0)
			a->n++;
	qsort(a->nir, (size_t)a->n, NIR_KEY, by_nir);
	for (i = j = 0; i < a->n; i++)	/* a NIR twice in the batch: once */
		if (j == 0 || strcmp(a->nir[j - 1], a->nir[i]) != 0)
			memmove(a->nir[j++], a->nir[i], NIR_KEY);
	a->n = j;
	memset(a->taken, 0, sizeof(a->taken));
	/* what the employer holds is not absent */
	while ((rc = db_step(s)) == DB_ROW)
		if ((j = find(a, employer, db_col_text(s, 0))) >= 0)
			a->taken[j] = 1;
	db_reset(s);
	if (rc != DB_DONE) {
		a->n = 0;
		st_log_error(st, "nir prefetch");
		return -1;
	}
	return 0;
}
