/*
 * test_store_query - store/store_query.c: affilctl's read-only views.
 *
 * The employees are filtered by employer and status, searched by a piece
 * of a name (its % and _ taken literally) or by the start of a NIR
 * (spaces ignored), ordered five ways, paged with a limit and an offset;
 * the export's order walks the (employer, nir) index with no sort.  The
 * status counts files being processed or held, the outbox's backlog, the
 * deadlines due by a day (deadline rows and the employee's own relance
 * and jeton columns), and names the last file processed.
 *
 * Each test gets a fresh database in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/date.h"
#include "common/log.h"
#include "store/store_priv.h"
#include "store/store_query.h"
#include "tests/unit/store_fixture.h"

static int setup(void **state)
{
	return store_setup(state, "test_store_query");
}

static void sql(struct fx *f, const char *q)
{
	dbx_exec(f->st->db, q);
}

/* people - five employees of two employers */
static void people(struct fx *f)
{
	sql(f, "INSERT INTO employee (employer, nir, status, status_since,"
	    " nom, prenom, relances, incomplete, updated_at) VALUES"
	    " ('12345678', '190049900000012', 'EN_COURS', '2026-11-03',"
	    "  'Martin', 'Zoé', 1, 0, 'x'),"
	    " ('12345678', '290049900000111', 'AFFILIE', '2026-10-01',"
	    "  'Lefèvre', 'Anaïs', 0, 1, 'x'),"
	    " ('12345678', '190049900000210', 'RADIE', '2026-09-15',"
	    "  'Dupont_100%', 'Jean', 0, 0, 'x'),"
	    " ('87654321', '190049900000309', 'EN_COURS', '2026-11-20',"
	    "  'Dupontel', 'Albert', 2, 0, 'x'),"
	    " ('87654321', '290049900000408', 'AFFILIE', '2026-08-30',"
	    "  'Bernard', 'Martine', 0, 0, 'x')");
}

/* What a walk saw: the NIRs in order, and one row's columns. */
struct seen {
	char nir[8][16];
	int n;
	char relances[8], incomplete[8];
};

static int see(const char *const *vals, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		snprintf(s->nir[s->n], sizeof(s->nir[0]), "%s", vals[QE_NIR]);
	if (s->n == 0) {
		snprintf(s->relances, sizeof(s->relances), "%s",
			 vals[QE_RELANCES]);
		snprintf(s->incomplete, sizeof(s->incomplete), "%s",
			 vals[QE_INCOMPLETE]);
	}
	s->n++;
	return 0;
}

/* walk - the NIRs' last 3 digits of query q, joined: "012,111" */
static const char *walk(struct fx *f, const struct employee_query *q)
{
	static char out[64];
	struct seen s;
	size_t n = 0;
	int i;

	memset(&s, 0, sizeof(s));
	assert_int_equal(store_query_employees(f->st, q, see, &s), 0);
	out[0] = '\0';
	for (i = 0; i < s.n && i < 8; i++)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
				      i ? "," : "", s.nir[i] + 12);
	return out;
}

static struct employee_query all(enum qe_sort sort)
{
	struct employee_query q = { NULL, NULL, NULL, sort, -1, -1 };

	return q;
}

static void test_orders(void **state)
{
	struct fx *f = *state;
	struct employee_query q;

	people(f);
	q = all(QE_SORT_EMPLOYER_NOM);
	assert_string_equal(walk(f, &q), "210,111,012,408,309");
	q = all(QE_SORT_EMPLOYER_NIR);
	assert_string_equal(walk(f, &q), "012,210,111,309,408");
	q = all(QE_SORT_NOM);
	assert_string_equal(walk(f, &q), "408,210,309,111,012");
	q = all(QE_SORT_SINCE);
	assert_string_equal(walk(f, &q), "408,210,111,012,309");
	q = all(QE_SORT_STATUS);
	assert_string_equal(walk(f, &q), "111,408,012,309,210");
}

static void test_filters_and_pages(void **state)
{
	struct fx *f = *state;
	struct employee_query q = all(QE_SORT_EMPLOYER_NIR);

	people(f);
	q.employer = "87654321";
	assert_string_equal(walk(f, &q), "309,408");
	q.employer = NULL;
	q.status = "EN_COURS";
	assert_string_equal(walk(f, &q), "012,309");
	q.status = NULL;
	q.limit = 2;
	q.offset = 1;
	assert_string_equal(walk(f, &q), "210,111");
	q.offset = 4;
	assert_string_equal(walk(f, &q), "408");
	q.limit = 0;
	q.offset = 0;
	assert_string_equal(walk(f, &q), "");
}

static void test_search_by_name_or_nir_prefix(void **state)
{
	struct fx *f = *state;
	struct employee_query q = all(QE_SORT_EMPLOYER_NIR);

	people(f);
	q.search = "Dupont";		/* part of a name */
	assert_string_equal(walk(f, &q), "210,309");
	q.search = "martin";		/* any case, nom or prenom */
	assert_string_equal(walk(f, &q), "012,408");
	q.search = "_100%";		/* literally, not as LIKE wildcards */
	assert_string_equal(walk(f, &q), "210");
	q.search = "0%";
	assert_string_equal(walk(f, &q), "210");
	q.search = "2 90 04";		/* the start of a NIR, spaces ignored */
	assert_string_equal(walk(f, &q), "111,408");
	q.search = "90049900000";	/* not the middle of one */
	assert_string_equal(walk(f, &q), "");
}

static void test_values_as_the_database_has_them(void **state)
{
	struct fx *f = *state;
	struct employee_query q = all(QE_SORT_EMPLOYER_NIR);
	struct seen s;

	people(f);
	q.search = "Zoé";
	memset(&s, 0, sizeof(s));
	assert_int_equal(store_query_employees(f->st, &q, see, &s), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.relances, "1");
	assert_string_equal(s.incomplete, "0");
}

/* plan - the EXPLAIN QUERY PLAN text of q.  SQLite only: it is SQLite's
 * planner these tests hold to its indexes (PostgreSQL's EXPLAIN says
 * something else, and its plans depend on its statistics); a test skips on
 * PostgreSQL here, after what it asserted before. */
static const char *plan(struct fx *f, const char *q)
{
	static char out[1024];
	char eq[1536];
	struct db_stmt *s;
	size_t n = 0;

	DBX_SQLITE_ONLY();
	snprintf(eq, sizeof(eq), "EXPLAIN QUERY PLAN %s", q);
	s = dbx_stmt(f->st->db, eq);
	out[0] = 0;
	while (dbx_step(f->st->db, s) == DB_ROW && n < sizeof(out))
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s|",
				      db_col_text(s, 3));
	db_finalize(s);
	return out;
}

/* The export's order is the unique index's: rows stream, nothing sorts */
static void test_export_order_needs_no_sort(void **state)
{
	struct fx *f = *state;
	const char *p = plan(f, store_query_employees_sql(QE_SORT_EMPLOYER_NIR));

	assert_null(strstr(p, "TEMP B-TREE"));
	assert_non_null(strstr(p, "INDEX"));
	p = plan(f, store_query_employees_sql(QE_SORT_NOM));
	assert_non_null(strstr(p, "TEMP B-TREE"));
}

static void test_status_counts(void **state)
{
	struct fx *f = *state;
	struct store_status s;
	struct date day;

	assert_int_equal(date_parse_iso("2026-11-20", &day), 0);
	assert_int_equal(store_query_status(f->st, day, &s), 0);
	assert_int_equal(s.files_claimed + s.files_held + s.outbox_pending +
			 s.outbox_failed + s.deadlines_due, 0);
	assert_int_equal(s.has_last, 0);

	people(f);
	sql(f, "INSERT INTO file (id, employer, name, size, state,"
	    " received_at, processed_at, return_code) VALUES"
	    " ('20261119-000001', '12345678', 'a.csv', 1, 'done', 'x',"
	    "  '2026-11-19T10:00:00Z', 0),"
	    " ('20261120-000001', '12345678', 'b.csv', 1, 'held', 'x',"
	    "  '2026-11-20T09:00:00Z', 3),"
	    " ('20261120-000002', '87654321', 'c.csv', 1, 'claimed', 'x',"
	    "  NULL, NULL)");
	sql(f, "INSERT INTO outbox (created_at, kind, recipient, data,"
	    " message_id, state) VALUES ('x', 'k', 'r', '{}', 'm1', 'pending'),"
	    " ('x', 'k', 'r', '{}', 'm2', 'pending'),"
	    " ('x', 'k', 'r', '{}', 'm3', 'failed'),"
	    " ('x', 'k', 'r', '{}', 'm4', 'sent')");
	sql(f, "INSERT INTO deadline (due, kind, done_at) VALUES"
	    " ('2026-11-19', 'radiation', NULL), ('2026-11-20', 'x', NULL),"
	    " ('2026-11-21', 'x', NULL), ('2026-11-01', 'x', 'done')");
	sql(f, "UPDATE employee SET due_relance = '2026-11-20'"
	    " WHERE nir = '190049900000012'");
	sql(f, "UPDATE employee SET due_jeton = '2026-12-01'"
	    " WHERE nir = '190049900000309'");
	assert_int_equal(store_query_status(f->st, day, &s), 0);
	assert_int_equal(s.files_claimed, 1);
	assert_int_equal(s.files_held, 1);
	assert_int_equal(s.outbox_pending, 2);
	assert_int_equal(s.outbox_failed, 1);
	assert_int_equal(s.deadlines_due, 3);
	assert_int_equal(s.has_last, 1);
	assert_string_equal(s.last_id, "20261120-000001");
	assert_string_equal(s.last_employer, "12345678");
	assert_string_equal(s.last_name, "b.csv");
	assert_string_equal(s.last_state, "held");
	assert_int_equal(s.last_return_code, 3);
	assert_string_equal(s.last_processed_at, "2026-11-20T09:00:00Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, store_teardown)
		T(test_orders),
		T(test_filters_and_pages),
		T(test_search_by_name_or_nir_prefix),
		T(test_values_as_the_database_has_them),
		T(test_export_order_needs_no_sort),
		T(test_status_counts),
#undef T
	};

	log_init("test_store_query", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
