/*
 * test_smtp - mail/smtp.c without a mail server, and the outbox store
 * calls the delivery policy relies on (a real database, store_fixture.h).
 *
 * Pure pieces: envelope address checks (CR/LF and every other control
 * character refused), SMTP reply parsing as libcurl hands replies over,
 * the outcome classification, and the backoff with an injected random
 * value.  Then the transport's set-up checks and its thread: tls none
 * refused for a non-loopback host; a closed loopback port gives a
 * temporary failure and the message queued behind it is deferred, not
 * tried; stop and free with nothing in flight.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "common/util.h"
#include "config/config.h"
#include "mail/smtp.h"
#include "store/store.h"
#include "store/store_outbox.h"
#include "tests/unit/store_fixture.h"

/* ---- addresses ------------------------------------------------------- */

static void test_addr(void **state)
{
	(void)state;
	assert_true(smtp_addr_ok("jean.dupont@example.fr"));
	assert_true(smtp_addr_ok("a+b@sub.example.org"));
	assert_false(smtp_addr_ok(NULL));
	assert_false(smtp_addr_ok(""));
	assert_false(smtp_addr_ok("a@example.fr\r\nRCPT TO:<evil@x.example>"));
	assert_false(smtp_addr_ok("a@example.fr\n"));
	assert_false(smtp_addr_ok("a@exa\rmple.fr"));
	assert_false(smtp_addr_ok("a\t@example.fr"));
	assert_false(smtp_addr_ok("a b@example.fr"));
	assert_false(smtp_addr_ok("a@example.fr\x7f"));
	assert_false(smtp_addr_ok("a\x01@example.fr"));
	assert_false(smtp_addr_ok("<a@example.fr>"));
	assert_false(smtp_addr_ok("\"a b\"@example.fr"));
	assert_false(smtp_addr_ok("zoé@example.fr"));
	assert_false(smtp_addr_ok("a@[127.0.0.1]"));
	assert_false(smtp_addr_ok("a@example.fr> NOTIFY=NEVER"));
}

/* ---- replies ------------------------------------------------------------ */

static void feed(struct smtp_reply *r, const char *s)
{
	smtp_reply_feed(r, s, strlen(s));
}

static void test_reply_single_and_multi(void **state)
{
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	feed(&r, "220 mx.example ESMTP\r\n");
	assert_int_equal(r.code, 220);
	assert_int_equal(r.replies, 1);
	assert_string_equal(r.text, "220 mx.example ESMTP");
	/* A multi-line reply counts once, when its last line comes. */
	feed(&r, "250-mx.example\r\n");
	assert_int_equal(r.replies, 1);
	assert_int_equal(r.code, 220);
	feed(&r, "250-SIZE 1000\r\n250 HELP\r\n");
	assert_int_equal(r.replies, 2);
	assert_int_equal(r.code, 250);
	assert_string_equal(r.text, "250 mx.example SIZE 1000 HELP");
	assert_false(r.data_started);
	feed(&r, "354 End data with <CR><LF>.<CR><LF>\r\n");
	assert_true(r.data_started);
	assert_false(r.failed);
}

static void test_reply_refusal_kept(void **state)
{
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	feed(&r, "250 OK\r\n");
	feed(&r, "550 5.1.1 <x@example.fr>: unknown\r\n");
	/* libcurl says QUIT after a refusal: the 221 must not hide it. */
	feed(&r, "221 Bye\r\n");
	assert_int_equal(r.code, 550);
	assert_true(r.failed);
	assert_string_equal(r.text, "550 5.1.1 <x@example.fr>: unknown");
}

static void test_reply_garbage_and_limits(void **state)
{
	struct smtp_reply r;
	char big[600];

	(void)state;
	smtp_reply_init(&r);
	feed(&r, "hello\r\n");
	feed(&r, "25\r\n");
	feed(&r, "2500 no\r\n");
	feed(&r, "199 not smtp\r\n");
	assert_int_equal(r.replies, 0);
	assert_int_equal(r.code, 0);
	feed(&r, "250");		/* bare code, no text, no CRLF */
	assert_int_equal(r.code, 250);
	/* Control characters and 8-bit bytes become '?'. */
	feed(&r, "451 4.3.0 temp\x01" "fail\xc3\xa9\r\n");
	assert_int_equal(r.code, 451);
	assert_string_equal(r.text, "451 4.3.0 temp?fail??");
	/* A long reply is cut, always NUL-terminated. */
	smtp_reply_init(&r);
	memset(big, 'x', sizeof(big));
	memcpy(big, "554 ", 4);
	big[sizeof(big) - 1] = '\0';
	feed(&r, big);
	assert_int_equal(r.code, 554);
	assert_int_equal(strlen(r.text), SMTP_REPLY_MAX - 1);
}

/* ---- classification ------------------------------------------------------ */

static void test_classify(void **state)
{
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	feed(&r, "250 OK\r\n");
	assert_int_equal(smtp_classify(1, 0, &r), SMTP_SENT);
	/* Refused connection: no reply at all. */
	smtp_reply_init(&r);
	assert_int_equal(smtp_classify(0, 0, &r), SMTP_TEMPFAIL);
	/* Lost after MAIL FROM was accepted, before DATA. */
	feed(&r, "220 hi\r\n250 OK\r\n");
	assert_int_equal(smtp_classify(0, 0, &r), SMTP_TEMPFAIL);
	/* Lost after 354: the server may have the message. */
	feed(&r, "354 go\r\n");
	assert_int_equal(smtp_classify(0, 0, &r), SMTP_AMBIGUOUS);
	smtp_reply_init(&r);
	feed(&r, "421 4.3.2 shutting down\r\n");
	assert_int_equal(smtp_classify(0, 0, &r), SMTP_TEMPFAIL);
	smtp_reply_init(&r);
	feed(&r, "354 go\r\n452 4.3.1 full\r\n");
	assert_int_equal(smtp_classify(0, 0, &r), SMTP_TEMPFAIL);
	smtp_reply_init(&r);
	feed(&r, "354 go\r\n554 5.7.1 spam\r\n");
	assert_int_equal(smtp_classify(0, 0, &r), SMTP_PERMFAIL);
	/* A refused password is the account's fault, not the message's. */
	smtp_reply_init(&r);
	feed(&r, "535 5.7.8 bad credentials\r\n");
	assert_int_equal(smtp_classify(0, 1, &r), SMTP_TEMPFAIL);
}

/* ---- backoff -------------------------------------------------------------- */

static void test_backoff_bounds(void **state)
{
	(void)state;
	/* d = 60 << attempts, drawn from [3d/4, 5d/4]. */
	assert_int_equal(smtp_backoff_s(0, 60, 3600, 0), 45);
	assert_int_equal(smtp_backoff_s(0, 60, 3600, 30), 75);
	assert_int_equal(smtp_backoff_s(0, 60, 3600, 31), 45);
	assert_int_equal(smtp_backoff_s(1, 60, 3600, 0), 90);
	assert_int_equal(smtp_backoff_s(2, 60, 3600, 60), 240);
	assert_int_equal(smtp_backoff_s(2, 60, 3600, 120), 300);
	/* Capped at max_s, even for absurd attempt counts. */
	assert_int_equal(smtp_backoff_s(6, 60, 3600, 0), 2700);
	assert_int_equal(smtp_backoff_s(1000, 60, 3600, 1800), 3600);
	assert_in_range(smtp_backoff_s(1 << 30, 60, 3600, UINT32_MAX), 2700,
			3600);
	/* The defaults: about 30 s first, 15 min at most (product.md). */
	assert_in_range(smtp_backoff_s(0, 30, 900, 12345), 22, 37);
	assert_in_range(smtp_backoff_s(20, 30, 900, 12345), 675, 900);
	/* Never under a second. */
	assert_int_equal(smtp_backoff_s(0, 1, 2, 0), 1);
	assert_int_equal(smtp_backoff_s(0, 1, 1, UINT32_MAX), 1);
}

/* xorshift32 - a reproducible "random source" for the property test */
static uint32_t xorshift32(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void test_backoff_jitter_spreads(void **state)
{
	uint32_t seed = 12345;
	int a, i, d, lo, hi, min_seen, max_seen;

	(void)state;
	for (a = 0; a < 12; a++) {
		d = 60 << (a < 6 ? a : 6);
		if (d > 3600)
			d = 3600;
		lo = d - d / 4;
		hi = d + d / 4 > 3600 ? 3600 : d + d / 4;
		min_seen = hi;
		max_seen = lo;
		for (i = 0; i < 2000; i++) {
			int v = smtp_backoff_s(a, 60, 3600, xorshift32(&seed));

			assert_in_range(v, lo, hi);
			if (v < min_seen)
				min_seen = v;
			if (v > max_seen)
				max_seen = v;
		}
		/* Jitter really spreads the retries over the window. */
		assert_true(max_seen - min_seen >= (hi - lo) * 9 / 10);
	}
}

/* ---- the transport's set-up and thread ------------------------------------- */

static void base_cfg(struct cfg *cfg, const char *url)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mail.transport = CFG_TRANSPORT_SMTP;
	cfg->mail.url = (char *)url;
	cfg->mail.tls = CFG_TLS_NONE;
	cfg->mail.from = (char *)"Espace <affiliation@assureur.example>";
	cfg->mail.connect_timeout_s = 5;
	cfg->mail.timeout_s = 10;
	cfg->mail.retry_min_s = 60;
	cfg->mail.retry_max_s = 3600;
}

static void test_open_refuses_tls_none_off_loopback(void **state)
{
	struct cfg cfg;
	struct smtp *s;

	(void)state;
	base_cfg(&cfg, "smtp://relay.example.org:25");
	assert_null(smtp_open(&cfg, NULL));
	base_cfg(&cfg, "smtp://127.0.0.2.example.org:25");
	assert_null(smtp_open(&cfg, NULL));
	base_cfg(&cfg, "smtp://[::1]:25");
	s = smtp_open(&cfg, NULL);
	assert_non_null(s);
	smtp_stop(s);
	smtp_free(s);
	/* A From that cannot be an envelope sender. */
	base_cfg(&cfg, "smtp://localhost:25");
	cfg.mail.from = (char *)"Espace <a b@example.fr>";
	assert_null(smtp_open(&cfg, NULL));
	/* Credentials that cannot be read. */
	base_cfg(&cfg, "smtp://localhost:25");
	cfg.mail.credentials_file = (char *)"/nonexistent/affild.cred";
	assert_null(smtp_open(&cfg, NULL));
}

struct got {
	struct smtp_result r[4];
	int n;
};

static void keep(const struct smtp_result *r, void *arg)
{
	struct got *g = arg;

	if (g->n < 4)
		g->r[g->n++] = *r;
}

static struct smtp_job job(long long id, const char *rcpt)
{
	struct smtp_job j;

	memset(&j, 0, sizeof(j));
	j.id = id;
	j.attempts = 3;
	snprintf(j.kind, sizeof(j.kind), "confirmation");
	snprintf(j.rcpt, sizeof(j.rcpt), "%s", rcpt);
	j.data = xstrdup("Subject: x\r\n\r\nhi\r\n");
	j.len = strlen(j.data);
	return j;
}

static void test_closed_port_then_deferred(void **state)
{
	struct cfg cfg;
	struct smtp *s;
	struct smtp_job j;
	struct got g = { .n = 0 };
	struct pollfd pfd;
	int i;

	(void)state;
	/* Port 1 on loopback: nothing listens, the connection is refused. */
	base_cfg(&cfg, "smtp://127.0.0.1:1");
	s = smtp_open(&cfg, NULL);
	assert_non_null(s);

	j = job(7, "a@example.fr\r\nRCPT TO:<evil@x.example>");
	assert_int_equal(smtp_submit(s, &j), -1);	/* refused, still ours */
	free(j.data);
	assert_int_equal(smtp_in_flight_count(s), 0);

	j = job(8, "a@example.fr");
	assert_int_equal(smtp_submit(s, &j), 0);
	j = job(9, "b@example.fr");
	assert_int_equal(smtp_submit(s, &j), 0);
	assert_true(smtp_in_flight(s, 8) && smtp_in_flight(s, 9));
	assert_false(smtp_in_flight(s, 7));
	pfd.fd = smtp_fd(s);
	pfd.events = POLLIN;
	for (i = 0; i < 100 && g.n < 2; i++) {
		(void)poll(&pfd, 1, 100);
		(void)smtp_collect(s, keep, &g);
	}
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].id, 8);
	assert_int_equal(g.r[0].outcome, SMTP_TEMPFAIL);
	assert_int_equal(g.r[0].code, 0);
	assert_int_equal(g.r[0].attempts, 3);	/* echoed untouched */
	assert_string_equal(g.r[0].kind, "confirmation");
	assert_non_null(strstr(g.r[0].reason, "onnect"));
	/* Queued behind a refused connection: not tried. */
	assert_int_equal(g.r[1].id, 9);
	assert_int_equal(g.r[1].outcome, SMTP_DEFERRED);
	assert_non_null(strstr(g.r[1].reason, "non tenté"));
	assert_int_equal(smtp_in_flight_count(s), 0);
	smtp_stop(s);
	smtp_free(s);
}

/* ---- the outbox calls of the policy, on a real database --------------------- */

struct row {
	long long id;		/* the row to look at */
	char state[16];
	int attempts;
	char error[256];
};

static int grab(const struct outbox_rec *o, void *arg)
{
	struct row *r = arg;

	if (o->id != r->id)
		return 0;
	snprintf(r->state, sizeof(r->state), "%s", o->state);
	r->attempts = o->attempts;
	snprintf(r->error, sizeof(r->error), "%s",
		 o->last_error ? o->last_error : "");
	return 0;
}

static void test_outbox_requeue_and_defer(void **state)
{
	static const char *const conf[] = { "prenom", "Léa", "nom", "Roux",
					    NULL };
	static const char *const inv[] = { "prenom", "Léa", "lien",
					   "https://x.example/t", NULL };
	struct store *st = ((struct fx *)*state)->st;
	struct row r = { .id = 1 };

	assert_int_equal(st_outbox_add(st, "a@assureur.example", "confirmation",
				       "12345678", 0, "lea@example.fr", conf), 0);
	assert_int_equal(st_outbox_add(st, "a@assureur.example", "invitation",
				       "12345678", 0, "lea@example.fr", inv), 0);

	/* Deferred: due later, the attempt not counted. */
	assert_int_equal(store_outbox_defer(st, 1, 60, "non tenté : x"), 0);
	assert_int_equal(store_outbox_retry(st, 1, 60, "échec temporaire"), 0);
	assert_int_equal(store_outbox_failed(st, 1, "refusé : 550"), 0);
	assert_int_equal(store_outbox_requeue(st, 1), 0);
	assert_int_equal(store_outbox_each(st, "pending", grab, &r), 0);
	assert_string_equal(r.state, "pending");
	assert_int_equal(r.attempts, 2);	/* retry + failed; defer: 0 */
	assert_int_equal(store_outbox_requeue(st, 1),
			 OUTBOX_REQUEUE_NOT_FAILED);
	assert_int_equal(store_outbox_requeue(st, 99), OUTBOX_REQUEUE_UNKNOWN);

	/* A parked invitation lost its link: it cannot go out again. */
	assert_int_equal(store_outbox_failed(st, 2, "refusé : 550"), 0);
	assert_int_equal(store_outbox_requeue(st, 2), OUTBOX_REQUEUE_NO_LINK);
}

static int setup(void **state)
{
	return store_setup(state, "test_smtp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_reply_single_and_multi),
		cmocka_unit_test(test_reply_refusal_kept),
		cmocka_unit_test(test_reply_garbage_and_limits),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_backoff_bounds),
		cmocka_unit_test(test_backoff_jitter_spreads),
		cmocka_unit_test(test_open_refuses_tls_none_off_loopback),
		cmocka_unit_test(test_closed_port_then_deferred),
		cmocka_unit_test_setup_teardown(test_outbox_requeue_and_defer,
						setup, store_teardown),
	};

	log_init("test_smtp", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
