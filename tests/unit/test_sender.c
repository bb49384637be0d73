/*
 * test_sender - mail/sender.c with the file transport, on a real database
 * and mail folder in a temporary directory.
 *
 * A due message is written once as <id>.eml and recorded sent.  Its
 * outcome is kept in memory until the transaction that records it commits:
 * while another connection holds the database (BEGIN EXCLUSIVE, and
 * busy_timeout_s 0 so nothing waits), the message is not written again,
 * and it is recorded on the first try after the backoff (1 s, then twice
 * as long), on the test's clock (sender_set_clock).  A write that fails is
 * retried after 30 s, doubling, at most 960 s.  A message that cannot be
 * rendered is parked at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/log.h"
#include "config/config.h"
#include "mail/sender.h"
#include "store/store_outbox.h"
#include "store/store_priv.h"
#include "tests/unit/db_fixture.h"

static const char config_yaml[] =
	"spool:\n  dir: %s/spool\n  sftp_chroot: false\n"
	"database:\n  path: %s/affild.db\n  busy_timeout_s: 0\n"
	"mail:\n  transport: file\n  dir: %s/mail\n"
	"  from: \"Espace <affiliation@assureur.example>\"\n"
	"  templates: templates/fr\n"
	"process:\n  creditor_id: FR12ZZZ123456\n"
	"employers:\n"
	"  - numero: \"12345678\"\n    name: Exemple SAS\n"
	"    options:\n      - code: BASE\n    base_plan: BASE\n";

static struct {
	char dir[64], db[DBX_TARGET_MAX];	/* db: store_open()'s target */
	struct cfg *cfg;
	struct store *st;
	struct sender *sd;
	struct db *other;	/* the connection that holds the lock */
	long long now_ms;
} T;

static long long test_clock(void)
{
	return T.now_ms;
}

static int setup(void **state)
{
	char path[128], yaml[1024];
	struct cfg_errors errs = { NULL, 0 };
	FILE *fp;

	(void)state;
	memset(&T, 0, sizeof(T));
	log_init("test", LOG_LEVEL_WARN);
	snprintf(T.dir, sizeof(T.dir), "/tmp/affild-sender-XXXXXX");
	assert_non_null(mkdtemp(T.dir));
	snprintf(path, sizeof(path), "%s/affild.yaml", T.dir);
	snprintf(yaml, sizeof(yaml), config_yaml, T.dir, T.dir, T.dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(yaml, fp);
	assert_int_equal(fclose(fp), 0);
	T.cfg = cfg_load(path, &errs);
	if (T.cfg == NULL)
		fail_msg("%s", errs.n ? errs.lines[0] : "cfg_load");
	assert_int_equal(mkdir(T.cfg->mail.dir, 0700), 0);
	assert_int_equal(dbx_new(T.db, sizeof(T.db), T.dir), 0);
	T.st = store_open(T.db, STORE_RW, 8, T.cfg->db.busy_timeout_s);
	assert_non_null(T.st);
	assert_non_null(T.sd = sender_open(T.cfg));
	T.now_ms = 5000000;
	sender_set_clock(T.sd, test_clock);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	db_close(T.other);
	sender_close(T.sd, T.st, T.cfg);
	store_close(T.st);
	dbx_drop(T.db);
	cfg_free(T.cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T.dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* queue - one message of kind to zoe, as the apply step queues it; its id */
static long long queue(const char *kind)
{
	static const char *const vars[] = {
		"prenom", "Zoé", "nom", "Martin", "employeur", "Exemple SAS",
		"option", "BASE", "date_effet", "1er décembre 2026", NULL,
	};

	assert_int_equal(st_outbox_add(T.st, T.cfg->mail.from, kind,
				       "12345678", 0, "zoe@example.fr", vars),
			 0);
	return dbx_int(T.st->db, "SELECT max(id) FROM outbox", -1);
}

static long col(long long id, const char *column)
{
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT %s FROM outbox WHERE id = %lld",
		 column, id);
	return (long)dbx_int(T.st->db, sql, -1);
}

static const char *state_of(long long id)
{
	static char out[64];
	char sql[128];

	snprintf(sql, sizeof(sql), "SELECT state || ':' || coalesce(last_error,"
		 " '') FROM outbox WHERE id = %lld", id);
	return dbx_text(T.st->db, sql, out, sizeof(out));
}

/* eml_ino - the inode of <id>.eml, 0 when absent: every write of the file
 * transport is a new file renamed over the old one, so a new inode */
static ino_t eml_ino(long long id)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%lld.eml", T.cfg->mail.dir, id);
	return stat(path, &sb) == 0 ? sb.st_ino : 0;
}

/* lock_db - another connection holds SQLite's file (BEGIN EXCLUSIVE), and
 * the store may not wait (busy_timeout_s 0).  SQLite only: PostgreSQL's
 * writers queue on an advisory lock, with no busy timeout to give up on. */
static void lock_db(void)
{
	DBX_SQLITE_ONLY();
	if (T.other == NULL)
		assert_non_null(T.other = db_open(T.db, NULL, 0, 16, 0));
	dbx_exec(T.other, "BEGIN EXCLUSIVE");
}

static void unlock_db(void)
{
	dbx_exec(T.other, "COMMIT");
}

/* test_written_once - due: written as <id>.eml, recorded, never again */
static void test_written_once(void **state)
{
	char path[256], buf[8192];
	long long id = queue("confirmation");
	ino_t ino;
	FILE *fp;
	size_t n;

	(void)state;
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 1);
	assert_string_equal(state_of(id), "sent:");
	assert_int_equal(col(id, "attempts"), 1);
	assert_true((ino = eml_ino(id)) != 0);
	snprintf(path, sizeof(path), "%s/%lld.eml", T.cfg->mail.dir, id);
	assert_non_null(fp = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "To: zoe@example.fr\r\n"));
	assert_non_null(strstr(buf, "Message-ID: <affild."));
	assert_non_null(strstr(buf, "Exemple SAS"));
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 0);
	assert_int_equal(eml_ino(id), ino);
}

/* test_kept_until_recorded - a locked database delays the recording, never
 * writes the message twice, and the backoff doubles */
static void test_kept_until_recorded(void **state)
{
	long long id = queue("confirmation"), id2;
	long long t0 = T.now_ms;
	ino_t ino;

	(void)state;
	lock_db();
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 1);
	assert_true((ino = eml_ino(id)) != 0);
	assert_string_equal(state_of(id), "pending:");
	/* Still due in the database, but its outcome is kept: not again. */
	T.now_ms = t0 + 500;
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 0);
	assert_int_equal(eml_ino(id), ino);
	unlock_db();
	T.now_ms = t0 + 999;		/* the backoff (1 s) is not over */
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 0);
	assert_string_equal(state_of(id), "pending:");
	T.now_ms = t0 + 1000;
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 0);
	assert_string_equal(state_of(id), "sent:");
	assert_int_equal(col(id, "attempts"), 1);
	assert_int_equal(eml_ino(id), ino);

	/* Twice refused: the second wait is 2 s, not 1 s. */
	id2 = queue("confirmation");
	lock_db();
	t0 = T.now_ms;
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 1);
	T.now_ms = t0 + 1000;
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 0);
	unlock_db();
	T.now_ms = t0 + 2999;
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 0);
	assert_string_equal(state_of(id2), "pending:");
	T.now_ms = t0 + 3000;
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 0);
	assert_string_equal(state_of(id2), "sent:");
	assert_int_equal(col(id2, "attempts"), 1);
}

/* test_close_records - outcomes kept at stop get a last try, whatever
 * the backoff */
static void test_close_records(void **state)
{
	long long id = queue("confirmation");

	(void)state;
	lock_db();
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 1);
	unlock_db();
	sender_close(T.sd, T.st, T.cfg);
	T.sd = NULL;
	assert_string_equal(state_of(id), "sent:");
}

/*
 * test_reload_lets_claims_go - PostgreSQL: what the old transport had
 * claimed and never tried (a message in the SMTP thread's queue when
 * SIGHUP changed the relay) is due again at once, not held for the
 * claim's 15 minutes; sent by the new transport.
 */
static void test_reload_lets_claims_go(void **state)
{
	char sql[256], path[128];
	struct cfg_errors errs = { NULL, 0 };
	struct cfg *fresh;
	long long id = queue("confirmation");

	(void)state;
	DBX_PG_ONLY();
	store_outbox_node(T.st, "node-a");
	snprintf(sql, sizeof(sql), "UPDATE outbox SET claimed_by = 'node-a',"
		 " next_attempt = 9999999999 WHERE id = %lld", id);
	dbx_exec(T.st->db, sql);
	/* the same config but another retry delay: a new transport */
	snprintf(path, sizeof(path), "%s/affild.yaml", T.dir);
	assert_non_null(fresh = cfg_load(path, &errs));
	fresh->mail.retry_min_s = T.cfg->mail.retry_min_s + 1;
	assert_int_equal(sender_reload(&T.sd, T.st, T.cfg, fresh), 0);
	sender_set_clock(T.sd, test_clock);
	assert_int_equal(col(id, "next_attempt"), 0);
	assert_int_equal(col(id, "claimed_by IS NULL"), 1);
	assert_int_equal(sender_run(T.sd, T.st, fresh, 10), 1);
	assert_string_equal(state_of(id), "sent:");
	sender_close(T.sd, T.st, fresh);
	T.sd = NULL;
	cfg_free(fresh);
}

/* test_retry_delays - a failed write: 30 s, doubling per attempt, at most
 * 960 s; the row stays pending with the reason */
static void test_retry_delays(void **state)
{
	static const int delays[] = { 30, 60, 120, 240, 480, 960, 960 };
	long long id = queue("confirmation");
	char sql[128];
	size_t i;
	long wait;

	(void)state;
	assert_int_equal(rmdir(T.cfg->mail.dir), 0);
	for (i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 1);
		wait = col(id, "next_attempt") - (long)time(NULL);
		assert_true(wait <= delays[i] && wait >= delays[i] - 2);
		assert_int_equal(col(id, "attempts"), (long)i + 1);
		assert_string_equal(state_of(id), "pending:écriture impossible");
		/* Not due before its time. */
		assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 0);
		snprintf(sql, sizeof(sql), "UPDATE outbox SET next_attempt = 0"
			 " WHERE id = %lld", id);
		dbx_exec(T.st->db, sql);
	}
	assert_int_equal(mkdir(T.cfg->mail.dir, 0700), 0);
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 1);
	assert_string_equal(state_of(id), "sent:");
	assert_true(eml_ino(id) != 0);
}

/* test_parked - what waiting cannot cure is parked at once, not written */
static void test_parked(void **state)
{
	long long nokind = queue("inconnu"), nolink = queue("invitation");

	(void)state;
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 2);
	assert_string_equal(state_of(nokind), "failed:rendu du modèle impossible");
	assert_string_equal(state_of(nolink), "failed:lien d'invitation absent");
	assert_int_equal(eml_ino(nokind), 0);
	assert_int_equal(eml_ino(nolink), 0);
	assert_int_equal(sender_run(T.sd, T.st, T.cfg, 10), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_written_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_kept_until_recorded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_records, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reload_lets_claims_go,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_delays, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_parked, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
