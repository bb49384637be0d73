/*
 * daemon_fixture - a daemon context on a real temporary spool, for the unit
 * tests of daemon/ (test_scan.c, test_pipeline.c).
 *
 * fx_setup() makes a fresh folder under /tmp, writes a configuration there
 * (two employers; the second in trigger mode), loads it with cfg_load(),
 * lays the spool out with spool_prepare() and opens a real store: the file
 * system and the database are the real ones, only the clock is the test's
 * (FX.now_ms, read through the context's clock_ms).  No signal fd: a stop
 * is asked by setting FX.d.stopping.  Static functions, one copy per test
 * program; include it after cmocka.h.
 */
#ifndef AFFILD_DAEMON_FIXTURE_H
#define AFFILD_DAEMON_FIXTURE_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/date.h"
#include "common/log.h"
#include "config/config.h"
#include "daemon/daemon.h"
#include "daemon/pipeline.h"
#include "daemon/scan.h"
#include "spool/spool.h"
#include "store/store_priv.h"
#include "tests/unit/db_fixture.h"

#define EMP "12345678"		/* readiness: settle (spool.settle_ms) */
#define TRIG "87654321"		/* readiness: trigger */
#define FX_HEADER "operation;nir;nom;prenom;date_naissance;date_embauche;" \
	"categorie;email\n"

static const char fx_yaml[] =
	"spool:\n  dir: %s/spool\n  sftp_chroot: false\n"
	"  settle_ms: 1000\n  max_attempts: 3\n"
	"database:\n  path: %s/affild.db\n  busy_timeout_s: 0\n"
	"mail:\n  transport: file\n  dir: %s/mail\n"
	"  from: \"Espace <affiliation@assureur.example>\"\n"
	"  templates: templates/fr\n"
	"portal:\n  enabled: false\n"
	"process:\n  creditor_id: FR12ZZZ123456\n"
	"metrics_file: %s/affild.prom\n"
	"employers:\n"
	"  - numero: \"" EMP "\"\n    name: Exemple SAS\n"
	"    options:\n      - code: BASE\n    base_plan: BASE\n"
	"  - numero: \"" TRIG "\"\n    name: Autre SARL\n"
	"    readiness: trigger\n"
	"    options:\n      - code: BASE\n    base_plan: BASE\n";

static struct fixture {
	char root[64];
	char db[DBX_TARGET_MAX];	/* store_open()'s target (db_fixture.h) */
	struct daemon d;
	long long now_ms;	/* the injected monotonic clock */
} FX;

static long long fx_clock(void)
{
	return FX.now_ms;
}

/* fx_path - "<root>/<rel>", in a rotating static buffer */
static const char *fx_path(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static const char *fx_path(const char *fmt, ...)
{
	static char bufs[8][SPOOL_PATH_MAX];
	static int k;
	char *b = bufs[k++ % 8];
	int n = snprintf(b, SPOOL_PATH_MAX, "%s/", FX.root);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b + n, SPOOL_PATH_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return b;
}

/* fx_write - a file with these bytes (len: strlen when -1), mtime + age s */
static void fx_write(const char *path, const char *data, long len, int mtime)
{
	struct timespec t[2] = { { 0, UTIME_OMIT }, { 1700000000 + mtime, 0 } };
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	size_t n = len < 0 ? strlen(data) : (size_t)len;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	if (mtime > 0)
		assert_int_equal(futimens(fd, t), 0);
	assert_int_equal(close(fd), 0);
}

/* fx_read - a whole file (static, NUL-terminated), NULL when absent */
static const char *fx_read(const char *path)
{
	static char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* fx_count - one integer from SQL (count(*), a column); -1 when no row */
static long fx_count(const char *sql)
{
	return (long)dbx_int(FX.d.store->db, sql, -1);
}

/* fx_text - one text value from SQL (static), "" when none */
static const char *fx_text(const char *sql)
{
	static char out[1024];

	return dbx_text(FX.d.store->db, sql, out, sizeof(out));
}

/* fx_nir - a valid NIR, serial n (born April 1990, abroad) */
static const char *fx_nir(int n)
{
	static char bufs[8][16];
	static int k;
	char *b = bufs[k++ % 8];
	long long body = 2900499000000LL + n;

	snprintf(b, 16, "%lld%02lld", body, 97 - body % 97);
	return b;
}

/* fx_row - one AFFILIATION_SIMPLE row for employee n, hired today */
static const char *fx_row(int n)
{
	static char bufs[4][256];
	static int k;
	char *b = bufs[k++ % 4], hired[DATE_ISO_SIZE];

	snprintf(b, 256, "AFFILIATION_SIMPLE;%s;Martin;Zoé;1990-04-12;"
		 "%s;CADRE;zoe%d@example.fr\n", fx_nir(n),
		 date_format(date_today(), hired), n);
	return b;
}

static int fx_setup(void **state)
{
	struct cfg_errors errs = { NULL, 0 };
	char yaml[2048];
	FILE *fp;

	(void)state;
	memset(&FX, 0, sizeof(FX));
	log_init("test", LOG_LEVEL_WARN);
	snprintf(FX.root, sizeof(FX.root), "/tmp/affild-daemon-XXXXXX");
	assert_non_null(mkdtemp(FX.root));
	snprintf(yaml, sizeof(yaml), fx_yaml, FX.root, FX.root, FX.root,
		 FX.root);
	assert_non_null(fp = fopen(fx_path("affild.yaml"), "w"));
	fputs(yaml, fp);
	assert_int_equal(fclose(fp), 0);
	FX.d.cfg = cfg_load(fx_path("affild.yaml"), &errs);
	if (FX.d.cfg == NULL)
		fail_msg("%s", errs.n ? errs.lines[0] : "cfg_load");
	assert_int_equal(mkdir(fx_path("mail"), 0700), 0);
	assert_int_equal(spool_prepare(FX.d.cfg, 0, 0), 0);
	assert_int_equal(dbx_new(FX.db, sizeof(FX.db), FX.root), 0);
	FX.d.store = store_open(FX.db, STORE_RW, 8,
				FX.d.cfg->db.busy_timeout_s);
	assert_non_null(FX.d.store);
	FX.d.ready = spool_ready_new();
	FX.d.signal_fd = FX.d.inotify_fd = FX.d.timer_fd = -1;
	FX.d.clock_ms = fx_clock;
	FX.now_ms = 1000000;
	return 0;
}

static int fx_teardown(void **state)
{
	char cmd[128];

	(void)state;
	scan_forget(&FX.d);
	spool_ready_free(FX.d.ready);
	store_close(FX.d.store);
	dbx_drop(FX.db);
	cfg_free(FX.d.cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", FX.root);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
