/*
 * store_query - affilctl's read-only views (store_query.h).
 *
 * The employee query is one statement per order, its filters bound
 * (NULL: none), its rows stepped and handed over one by one: SQLite walks
 * the table or the (employer, nir) index, so nothing grows with the
 * number of employees but, for an order the index does not give, SQLite's
 * own sorter (which spills to a temporary file past its cache).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "common/util.h"
#include "store/store_priv.h"
#include "store/store_query.h"

/* The search binds ?3 (a LIKE pattern of names) and ?4 (a NIR prefix). */
#define QE_SELECT \
	"SELECT employer, nir, matricule, nom, nom_usage, prenom," \
	" date_naissance, date_embauche, categorie, option, status," \
	" status_since, email, relances, incomplete, date_fin_contrat," \
	" date_fin_droits, portabilite_fin FROM employee" \
	" WHERE (?1 IS NULL OR employer = ?1)" \
	" AND (?2 IS NULL OR status = ?2)" \
	" AND (?3 IS NULL OR nir LIKE ?4 ESCAPE '\\'" \
	"      OR nom LIKE ?3 ESCAPE '\\' OR nom_usage LIKE ?3 ESCAPE '\\'" \
	"      OR prenom LIKE ?3 ESCAPE '\\')"
#define QE_PAGE " LIMIT ?5 OFFSET ?6"

static const char *const qe_sql[] = {
	[QE_SORT_EMPLOYER_NOM] = QE_SELECT
		" ORDER BY employer, nom, prenom, nir" QE_PAGE,
	[QE_SORT_EMPLOYER_NIR] = QE_SELECT " ORDER BY employer, nir" QE_PAGE,
	[QE_SORT_NOM] = QE_SELECT
		" ORDER BY nom, prenom, employer, nir" QE_PAGE,
	[QE_SORT_SINCE] = QE_SELECT
		" ORDER BY status_since, employer, nir" QE_PAGE,
	[QE_SORT_STATUS] = QE_SELECT
		" ORDER BY status, employer, nom, prenom, nir" QE_PAGE,
};

const char *store_query_employees_sql(enum qe_sort sort)
{
	return (size_t)sort < NELEM(qe_sql) ? qe_sql[sort] : qe_sql[0];
}

/*
 * like_pattern - s for LIKE with '\' as the escape: its % _ and \ taken
 * literally, spaces dropped when nospace, '%' around it (contains) or
 * after it (prefix).  Owned: free().
 */
static char *like_pattern(const char *s, int contains, int nospace)
{
	char *out = xmalloc(2 * strlen(s) + 3), *p = out;

	if (contains)
		*p++ = '%';
	for (; *s; s++) {
		if (nospace && *s == ' ')
			continue;
		if (*s == '%' || *s == '_' || *s == '\\')
			*p++ = '\\';
		*p++ = *s;
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

int store_query_employees(struct store *st, const struct employee_query *q,
			  int (*fn)(const char *const *vals, void *arg),
			  void *arg)
{
	const char *vals[QE_COLUMNS];
	char *names = NULL, *nir = NULL;
	struct db_stmt *s;
	int rc, i, stop = 0;

	/* Not the statement cache: a walk may outlive another query. */
	if ((s = db_prepare(st->db, store_query_employees_sql(q->sort), 1))
	    == NULL) {
		st_log_error(st, "employees query");
		return -1;
	}
	if (q->search) {
		names = like_pattern(q->search, 1, 0);
		nir = like_pattern(q->search, 0, 1);
	}
	st_text(s, 1, q->employer);
	st_text(s, 2, q->status);
	st_text(s, 3, names);
	st_text(s, 4, nir);
	db_bind_int64(s, 5, q->limit < 0 ? LLONG_MAX : q->limit);
	db_bind_int64(s, 6, q->offset < 0 ? 0 : q->offset);
	while (!stop && (rc = db_step(s)) == DB_ROW) {
		for (i = 0; i < QE_COLUMNS; i++)
			vals[i] = db_col_text(s, i);
		stop = fn(vals, arg);
	}
	if (!stop && rc != DB_DONE)
		st_log_error(st, "employees query");
	db_finalize(s);
	free(names);
	free(nir);
	return !stop && rc != DB_DONE ? -1 : 0;
}

/* ---- status ------------------------------------------------------------ */

/* count_by_state - the rows of sql (state, count) into the counters named */
static int count_by_state(struct store *st, const char *sql,
			  const char *const *states, long *const *counts)
{
	struct db_stmt *s = st_stmt(st, sql);
	int rc, i;

	if (s == NULL)
		return -1;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *state = db_col_text(s, 0);

		for (i = 0; state && states[i]; i++)
			if (strcmp(states[i], state) == 0)
				*counts[i] = (long)db_col_int64(s, 1);
	}
	db_reset(s);
	if (rc != DB_DONE) {
		st_log_error(st, "status");
		return -1;
	}
	return 0;
}

static void last_read(struct db_stmt *s, void *arg)
{
	struct store_status *o = arg;
	const char *v;

	o->has_last = 1;
	(void)strlcpy_ok(o->last_id, db_col_text(s, 0),
			 sizeof(o->last_id));
	(void)strlcpy_ok(o->last_employer,
			 db_col_text(s, 1),
			 sizeof(o->last_employer));
	if (strlcpy_ok(o->last_name, db_col_text(s, 2),
		       sizeof(o->last_name)) < 0)
		utf8_trim(o->last_name);
	(void)strlcpy_ok(o->last_state, db_col_text(s, 3),
			 sizeof(o->last_state));
	o->last_return_code = db_col_null(s, 4) ? -1 :
			      db_col_int(s, 4);
	v = db_col_text(s, 5);
	(void)strlcpy_ok(o->last_processed_at, v ? v : "",
			 sizeof(o->last_processed_at));
}

static void due_read(struct db_stmt *s, void *arg)
{
	*(long *)arg = (long)db_col_int64(s, 0);
}

int store_query_status(struct store *st, struct date day,
		       struct store_status *out)
{
	static const char files[] =
		"SELECT state, count(*) FROM file"
		" WHERE state IN ('claimed', 'held') GROUP BY state";
	static const char outbox[] =
		"SELECT state, count(*) FROM outbox"
		" WHERE state IN ('pending', 'failed') GROUP BY state";
	/* Down the partial indexes deadline_due and employee_due. */
	static const char due[] =
		"SELECT (SELECT count(*) FROM deadline"
		"  WHERE done_at IS NULL AND due <= ?1)"
		" + (SELECT count(*) FROM employee WHERE " EMP_DUE_WHERE
		"  AND " EMP_DUE " <= ?1)";
	/* The newest processed, down the primary key from the end. */
	static const char last[] =
		"SELECT id, employer, name, state, return_code, processed_at"
		" FROM file WHERE processed_at IS NOT NULL"
		" ORDER BY id DESC LIMIT 1";
	static const char *const file_states[] = { "claimed", "held", NULL };
	static const char *const msg_states[] = { "pending", "failed", NULL };
	long *const file_counts[] = { &out->files_claimed, &out->files_held };
	long *const msg_counts[] = { &out->outbox_pending,
				     &out->outbox_failed };
	char d[DATE_ISO_SIZE];
	struct db_stmt *s;

	memset(out, 0, sizeof(*out));
	out->last_return_code = -1;
	if (count_by_state(st, files, file_states, file_counts) < 0 ||
	    count_by_state(st, outbox, msg_states, msg_counts) < 0)
		return -1;
	if ((s = st_stmt(st, due)) == NULL)
		return -1;
	st_text(s, 1, date_format(day, d));
	if (st_one_row(st, s, "status", due_read, &out->deadlines_due) < 0 ||
	    (s = st_stmt(st, last)) == NULL ||
	    st_one_row(st, s, "status", last_read, out) < 0)
		return -1;
	return 0;
}
