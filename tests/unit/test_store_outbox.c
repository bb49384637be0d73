/*
 * test_store_outbox - store/store_outbox.c: the mail queue as the sender
 * and affilctl see it.
 *
 * A message is queued in the same transaction as its cause, with its data
 * as JSON and a Message-ID of its own.  It is due once next_attempt has
 * come, oldest first.  It is marked sent only under the Message-ID it was
 * rendered with (a journal replayed late must not mark another message),
 * retried (an attempt counted), deferred (not counted) or parked as failed
 * (its personal link erased).  An admin puts a parked message back unless
 * its link is gone; retention purges sent messages, never parked ones.
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "store/store_outbox.h"
#include "store/store_priv.h"
#include "tests/unit/store_fixture.h"

#define FROM "Espace entreprise <affiliation@assureur.example>"
#define MAXSEEN 16

static int setup(void **state)
{
	return store_setup(state, "test_store_outbox");
}

/* ---- helpers ------------------------------------------------------------ */

/* queue - one message of kind to recipient, with a personal link */
static long long queue(struct fx *f, const char *kind, const char *to)
{
	const char *vars[] = { "prenom", "Zoé", "lien",
			       "https://espace.example/a/TOKEN", NULL };

	assert_int_equal(st_outbox_add(f->st, FROM, kind, "12345678", 0, to,
				       vars), 0);
	return dbx_int(f->st->db, "SELECT max(id) FROM outbox", -1);
}

/* row - column expr of outbox row id, stepped onto its row; finalize it */
static struct db_stmt *row(struct fx *f, const char *expr, long long id)
{
	char q[256];
	struct db_stmt *s;

	snprintf(q, sizeof(q), "SELECT %s FROM outbox WHERE id = ?", expr);
	s = dbx_stmt(f->st->db, q);
	assert_int_equal(db_bind_int64(s, 1, id), 0);
	assert_int_equal(dbx_step(f->st->db, s), DB_ROW);
	return s;
}

/* col - one column of outbox row id, as an integer */
static long long col(struct fx *f, const char *expr, long long id)
{
	struct db_stmt *s = row(f, expr, id);
	long long v = db_col_int64(s, 0);

	db_finalize(s);
	return v;
}

/* is_text - column expr of row id equals want (NULL: is SQL NULL) */
static int is_text(struct fx *f, const char *expr, long long id,
		   const char *want)
{
	struct db_stmt *s = row(f, expr, id);
	const char *v = db_col_text(s, 0);
	int same = want == NULL ? v == NULL : v != NULL && strcmp(v, want) == 0;

	if (!same)
		fprintf(stderr, "%s of %lld: %s, want %s\n", expr, id,
			v ? v : "NULL", want ? want : "NULL");
	db_finalize(s);
	return same;
}

/* data_is - SQL: the value of key in the row's data, then what */
static const char *data_is(struct fx *f, const char *key, const char *what)
{
	static char out[128];
	char expr[96];

	snprintf(out, sizeof(out), "%s %s",
		 dbx_json(f->st->db, "data", key, expr, sizeof(expr)), what);
	return out;
}

/* The rows a store_outbox_due / store_outbox_each call handed over. */
struct seen {
	int n, stop_after;	/* stop_after: 0 for never */
	long long id[MAXSEEN];
	char mid[MAXSEEN][128];
	char state[MAXSEEN][16];
	int attempts[MAXSEEN];
};

static int see(const struct outbox_rec *o, void *arg)
{
	struct seen *sn = arg;

	assert_true(sn->n < MAXSEEN);
	sn->id[sn->n] = o->id;
	snprintf(sn->mid[sn->n], sizeof(sn->mid[0]), "%s", o->message_id);
	snprintf(sn->state[sn->n], sizeof(sn->state[0]), "%s", o->state);
	sn->attempts[sn->n] = o->attempts;
	sn->n++;
	return sn->stop_after && sn->n >= sn->stop_after;
}

/* due - what store_outbox_due hands over; on PostgreSQL it claims them,
 * and they are let go again as at a restart, so the next look sees the
 * same outbox (the claim itself: test_claims_are_one_daemons) */
static struct seen due(struct fx *f, int max)
{
	struct seen sn;

	memset(&sn, 0, sizeof(sn));
	store_outbox_node(f->st, "test:a");
	assert_int_equal(store_outbox_due(f->st, max, see, &sn), 0);
	assert_int_equal(store_outbox_release_mine(f->st), 0);
	return sn;
}

static int is_due(struct fx *f, long long id)
{
	struct seen sn = due(f, 100);
	int i;

	for (i = 0; i < sn.n; i++)
		if (sn.id[i] == id)
			return 1;
	return 0;
}

/* The name/value pairs store_outbox_vars handed over. */
struct vars {
	int n;
	char name[16][32], value[16][128];
};

static int var(const char *name, const char *value, void *arg)
{
	struct vars *v = arg;

	assert_true(v->n < 16);
	snprintf(v->name[v->n], sizeof(v->name[0]), "%s", name);
	snprintf(v->value[v->n], sizeof(v->value[0]), "%s", value);
	v->n++;
	return 0;
}

/* message_id - the Message-ID of row id (static buffer) */
static const char *message_id(struct fx *f, long long id)
{
	static char out[128];
	struct seen sn;
	int i;

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_outbox_each(f->st, NULL, see, &sn), 0);
	for (i = 0; i < sn.n; i++)
		if (sn.id[i] == id) {
			snprintf(out, sizeof(out), "%s", sn.mid[i]);
			return out;
		}
	fail_msg("no outbox row %lld", id);
	return NULL;
}

/* ---- queue -------------------------------------------------------------- */

/* The data round-trips through JSON, quotes and control characters too; the
 * Message-ID names the From domain and is never given twice. */
static void test_queue_keeps_data_and_gives_each_its_message_id(void **state)
{
	struct fx *f = *state;
	struct outbox_keys keys = { NULL, NULL, 0 };
	const char *vars[] = { "nom", "D'Ar\"c\\y\n\tfin", "vide", "", NULL };
	const char *none[] = { NULL };
	char mid1[128];
	struct vars v;
	long long a, b, c;

	assert_int_equal(st_outbox_add(f->st, FROM, "confirmation", "12345678",
				       0, "zoe@example.org", vars), 0);
	a = dbx_int(f->st->db, "SELECT max(id) FROM outbox", -1);
	b = queue(f, "invitation", "zoe@example.org");
	assert_int_equal(st_outbox_add(f->st, NULL, "digest", NULL, 0,
				       "rh@example.org", none), 0);
	c = dbx_int(f->st->db, "SELECT max(id) FROM outbox", -1);

	memset(&v, 0, sizeof(v));
	assert_int_equal(store_outbox_vars(f->st, &keys, a, var, &v), 0);
	/* The row's own vars first (they win), then the person's, empty
	 * here: no employee. */
	assert_int_equal(v.n, 10);
	assert_string_equal(v.name[0], "nom");
	assert_string_equal(v.value[0], "D'Ar\"c\\y\n\tfin");
	assert_string_equal(v.name[1], "vide");
	assert_string_equal(v.value[1], "");
	assert_string_equal(v.name[2], "employeur");
	assert_string_equal(v.name[4], "nom");
	assert_string_equal(v.value[4], "");
	assert_true(is_text(f, "data", c, "{}"));

	assert_true(is_text(f, "state", a, "pending"));
	assert_int_equal(col(f, "attempts", a), 0);
	assert_int_equal(col(f, "employee_id IS NULL", a), 1);
	assert_true(is_text(f, "employer", a, "12345678"));
	assert_true(is_text(f, "employer", c, NULL));

	snprintf(mid1, sizeof(mid1), "%s", message_id(f, a));
	assert_int_equal(strncmp(mid1, "affild.", 7), 0);
	assert_int_equal(strspn(mid1 + 7, "0123456789abcdef"), 16);
	assert_non_null(strstr(mid1, "@assureur.example"));
	assert_null(strchr(mid1, '>'));
	assert_string_not_equal(mid1, message_id(f, b));
	assert_non_null(strstr(message_id(f, c), "@affild.invalid"));
}

/* ---- due ---------------------------------------------------------------- */

/* Due: next_attempt has come; the longest waiting first, then by id; at most
 * max; a callback may stop the walk. */
static void test_due_oldest_first_at_most_max(void **state)
{
	struct fx *f = *state;
	long long later = queue(f, "a", "a@example.org");
	long long recent = queue(f, "b", "b@example.org");
	long long old = queue(f, "c", "c@example.org");
	long long now = queue(f, "d", "d@example.org");	/* next_attempt 0 */
	long long t = (long long)time(NULL);
	char q[256];
	struct seen sn;

	snprintf(q, sizeof(q), "UPDATE outbox SET next_attempt = CASE id"
		 " WHEN %lld THEN %lld WHEN %lld THEN %lld WHEN %lld THEN %lld"
		 " ELSE next_attempt END", later, t + 3600, recent, t - 10,
		 old, t - 100);
	assert_int_equal(st_exec(f->st, q), 0);

	sn = due(f, 10);
	assert_int_equal(sn.n, 3);
	assert_int_equal(sn.id[0], now);
	assert_int_equal(sn.id[1], old);
	assert_int_equal(sn.id[2], recent);

	sn = due(f, 2);
	assert_int_equal(sn.n, 2);
	assert_int_equal(sn.id[1], old);

	memset(&sn, 0, sizeof(sn));
	sn.stop_after = 1;
	assert_int_equal(store_outbox_due(f->st, 10, see, &sn), 0);
	assert_int_equal(sn.n, 1);
}

/* ---- sent --------------------------------------------------------------- */

/* A wrong Message-ID marks nothing: the row stays pending, due, uncounted. */
static void test_sent_with_a_wrong_message_id_marks_nothing(void **state)
{
	struct fx *f = *state;
	long long a = queue(f, "invitation", "a@example.org");
	long long b = queue(f, "invitation", "b@example.org");
	char mid_b[128];

	snprintf(mid_b, sizeof(mid_b), "%s", message_id(f, b));
	assert_int_equal(store_outbox_sent(f->st, a, "affild.0.1@other"), 0);
	assert_int_equal(store_outbox_sent(f->st, a, mid_b), 0);
	assert_int_equal(store_outbox_sent(f->st, a, NULL), 0);
	assert_int_equal(store_outbox_sent(f->st, a, ""), 0);
	assert_true(is_text(f, "state", a, "pending"));
	assert_true(is_text(f, "sent_at", a, NULL));
	assert_int_equal(col(f, "attempts", a), 0);
	assert_int_equal(col(f, data_is(f, "lien", "IS NOT NULL"), a), 1);
	assert_true(is_due(f, a));
	assert_true(is_text(f, "state", b, "pending"));
}

/* The right one: sent, counted, the error and the clear link gone, the rest
 * of the data kept; marking it again changes nothing. */
static void test_sent_with_its_message_id(void **state)
{
	struct fx *f = *state;
	long long a = queue(f, "invitation", "a@example.org");
	char mid[128];

	snprintf(mid, sizeof(mid), "%s", message_id(f, a));
	assert_int_equal(store_outbox_defer(f->st, a, 0, "unreachable"), 0);
	assert_int_equal(store_outbox_sent(f->st, a, mid), 0);
	assert_true(is_text(f, "state", a, "sent"));
	assert_int_equal(col(f, "sent_at IS NOT NULL", a), 1);
	assert_int_equal(col(f, "attempts", a), 1);
	assert_true(is_text(f, "last_error", a, NULL));
	assert_int_equal(col(f, data_is(f, "lien", "IS NULL"), a), 1);
	assert_true(is_text(f, data_is(f, "prenom", ""), a, "Zoé"));
	assert_false(is_due(f, a));

	assert_int_equal(store_outbox_sent(f->st, a, mid), 0);
	assert_int_equal(col(f, "attempts", a), 1);
}

/* ---- retry, defer, failed ----------------------------------------------- */

/* A retry counts an attempt and waits delay_s; a deferral waits without
 * counting; neither touches a parked message. */
static void test_retry_counts_defer_does_not(void **state)
{
	struct fx *f = *state;
	long long a = queue(f, "confirmation", "a@example.org");
	long long parked = queue(f, "confirmation", "p@example.org");
	long long t0 = (long long)time(NULL);

	assert_int_equal(store_outbox_retry(f->st, a, 600, "451 busy"), 0);
	assert_int_equal(col(f, "attempts", a), 1);
	assert_true(is_text(f, "last_error", a, "451 busy"));
	assert_in_range(col(f, "next_attempt", a), t0 + 600, t0 + 602);
	assert_true(is_text(f, "state", a, "pending"));
	assert_false(is_due(f, a));

	assert_int_equal(store_outbox_defer(f->st, a, 0, "unreachable"), 0);
	assert_int_equal(col(f, "attempts", a), 1);
	assert_true(is_text(f, "last_error", a, "unreachable"));
	assert_true(is_due(f, a));

	assert_int_equal(store_outbox_failed(f->st, parked, "550 unknown"), 0);
	assert_int_equal(store_outbox_retry(f->st, parked, 0, "451"), 0);
	assert_int_equal(store_outbox_defer(f->st, parked, 0, "down"), 0);
	assert_true(is_text(f, "state", parked, "failed"));
	assert_int_equal(col(f, "attempts", parked), 1);
	assert_true(is_text(f, "last_error", parked, "550 unknown"));
}

/* Several daemons (PostgreSQL): what one claimed, the other does not
 * get, until it is recorded or let go; what the walk did not take is let
 * go at once; a daemon starting again lets its own claims go. */
static int take_two(const struct outbox_rec *o, void *arg)
{
	struct seen *sn = arg;

	if (sn->n == 2)
		return 1;	/* stop: this one and the rest not taken */
	sn->id[sn->n++] = o->id;
	return 0;
}

static void test_claims_are_one_daemons(void **state)
{
	struct fx *f = *state;
	struct store *other;
	struct seen a, b;
	long long id[4];
	int i;

	DBX_PG_ONLY();
	for (i = 0; i < 4; i++)
		id[i] = queue(f, "invitation", "x@example.org");
	other = store_open(f->db, STORE_RW, 16, 5);
	assert_non_null(other);
	store_outbox_node(f->st, "host:a");
	store_outbox_node(other, "host:b");

	memset(&a, 0, sizeof(a));
	assert_int_equal(store_outbox_due(f->st, 3, take_two, &a), 0);
	assert_int_equal(a.n, 2);		/* ids 0, 1 taken, 2 let go */
	memset(&b, 0, sizeof(b));
	assert_int_equal(store_outbox_due(other, 10, see, &b), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.id[0], id[2]);
	assert_int_equal(b.id[1], id[3]);

	memset(&b, 0, sizeof(b));		/* all claimed now */
	assert_int_equal(store_outbox_due(other, 10, see, &b), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(store_outbox_sent(f->st, id[0], message_id(f, id[0])),
			 0);
	assert_int_equal(store_outbox_release_mine(f->st), 0);
	memset(&b, 0, sizeof(b));		/* a's unsent one is due again */
	assert_int_equal(store_outbox_due(other, 10, see, &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.id[0], id[1]);

	/* b holds ids 1..3; a lease near its end is renewed, so a slow
	 * relay does not hand b's message to a */
	dbx_exec(f->st->db, "UPDATE outbox SET next_attempt = 1");
	assert_int_equal(store_outbox_renew(other), 0);
	assert_true(col(f, "next_attempt", id[2]) > (long long)time(NULL));
	assert_true(col(f, "next_attempt", id[1]) > (long long)time(NULL));
	assert_int_equal(col(f, "next_attempt", id[0]), 1);	/* sent */
	memset(&a, 0, sizeof(a));
	assert_int_equal(store_outbox_due(f->st, 10, see, &a), 0);
	assert_int_equal(a.n, 0);
	store_close(other);
}

/* Parked: counted, the reason kept, the personal link erased, no longer
 * due, listed with the failed ones. */
static void test_failed_parks_and_erases_the_link(void **state)
{
	struct fx *f = *state;
	long long a = queue(f, "invitation", "a@example.org");
	long long b = queue(f, "invitation", "b@example.org");
	struct seen sn;

	assert_int_equal(store_outbox_failed(f->st, a, "550 no such user"), 0);
	assert_true(is_text(f, "state", a, "failed"));
	assert_int_equal(col(f, "attempts", a), 1);
	assert_true(is_text(f, "last_error", a, "550 no such user"));
	assert_int_equal(col(f, data_is(f, "lien", "IS NULL"), a), 1);
	assert_true(is_text(f, data_is(f, "prenom", ""), a, "Zoé"));
	assert_false(is_due(f, a));
	assert_true(is_due(f, b));

	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_outbox_each(f->st, "failed", see, &sn), 0);
	assert_int_equal(sn.n, 1);
	assert_int_equal(sn.id[0], a);
	assert_string_equal(sn.state[0], "failed");
	assert_int_equal(sn.attempts[0], 1);
}

/* Requeue: only a parked message, and not an invitation whose link went
 * with the parking; back to pending, due now, its attempts kept. */
static void test_requeue(void **state)
{
	struct fx *f = *state;
	long long inv = queue(f, "invitation", "a@example.org");
	long long conf = queue(f, "confirmation", "b@example.org");
	long long pending = queue(f, "confirmation", "c@example.org");
	long long t0 = (long long)time(NULL);

	assert_int_equal(store_outbox_failed(f->st, inv, "550"), 0);
	assert_int_equal(store_outbox_retry(f->st, conf, 60, "451"), 0);
	assert_int_equal(store_outbox_failed(f->st, conf, "550"), 0);

	assert_int_equal(store_outbox_requeue(f->st, 9999),
			 OUTBOX_REQUEUE_UNKNOWN);
	assert_int_equal(store_outbox_requeue(f->st, pending),
			 OUTBOX_REQUEUE_NOT_FAILED);
	assert_int_equal(store_outbox_requeue(f->st, inv),
			 OUTBOX_REQUEUE_NO_LINK);
	assert_true(is_text(f, "state", inv, "failed"));

	assert_int_equal(store_outbox_requeue(f->st, conf), 0);
	assert_true(is_text(f, "state", conf, "pending"));
	assert_int_equal(col(f, "attempts", conf), 2);
	assert_in_range(col(f, "next_attempt", conf), t0, t0 + 2);
	assert_true(is_due(f, conf));
	assert_int_equal(store_outbox_requeue(f->st, conf),
			 OUTBOX_REQUEUE_NOT_FAILED);
}

/* ---- purge -------------------------------------------------------------- */

/* Retention deletes sent messages older than the cut-off, nothing else. */
static void test_purge_only_old_sent_messages(void **state)
{
	struct fx *f = *state;
	long long old = queue(f, "a", "a@example.org");
	long long recent = queue(f, "b", "b@example.org");
	long long parked = queue(f, "c", "c@example.org");
	long long pending = queue(f, "d", "d@example.org");
	long long count = -1;
	char q[256];
	struct seen sn;

	assert_int_equal(store_outbox_sent(f->st, old, message_id(f, old)), 0);
	assert_int_equal(store_outbox_sent(f->st, recent,
					   message_id(f, recent)), 0);
	assert_int_equal(store_outbox_failed(f->st, parked, "550"), 0);
	snprintf(q, sizeof(q), "UPDATE outbox SET sent_at = CASE id WHEN %lld"
		 " THEN '2026-01-31T23:59:59Z' ELSE '2026-02-01T00:00:00Z'"
		 " END WHERE id IN (%lld, %lld)", old, old, recent);
	assert_int_equal(st_exec(f->st, q), 0);

	assert_int_equal(store_outbox_purge(f->st, "2026-02-01T00:00:00Z",
					    &count), 0);
	assert_int_equal(count, 1);
	memset(&sn, 0, sizeof(sn));
	assert_int_equal(store_outbox_each(f->st, NULL, see, &sn), 0);
	assert_int_equal(sn.n, 3);
	assert_int_equal(sn.id[0], recent);
	assert_int_equal(sn.id[1], parked);
	assert_int_equal(sn.id[2], pending);

	assert_int_equal(store_outbox_purge(f->st, "2026-02-01T00:00:00Z",
					    &count), 0);
	assert_int_equal(count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, store_teardown)
		T(test_queue_keeps_data_and_gives_each_its_message_id),
		T(test_due_oldest_first_at_most_max),
		T(test_sent_with_a_wrong_message_id_marks_nothing),
		T(test_sent_with_its_message_id),
		T(test_retry_counts_defer_does_not),
		T(test_claims_are_one_daemons),
		T(test_failed_parks_and_erases_the_link),
		T(test_requeue),
		T(test_purge_only_old_sent_messages),
#undef T
	};

	log_init("test_store_outbox", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
