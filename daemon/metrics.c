/*
 * metrics - write `metrics_file` atomically: a temporary file in the same
 * folder, then rename, so a scraper never reads half of it.  A failure is
 * logged and costs nothing else: metrics never stop the daemon.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/metrics.h"
#include "store/store_expected.h"

struct out {
	FILE *fp;
	const char *last;	/* the metric whose HELP is written */
};

static int one(const char *name, const char *help, const char *label,
	       const char *value, long long count, void *arg)
{
	struct out *o = arg;

	if (o->last == NULL || strcmp(o->last, name) != 0) {
		fprintf(o->fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help,
			name);
		o->last = name;
	}
	if (label && value)
		fprintf(o->fp, "%s{%s=\"%s\"} %lld\n", name, label, value,
			count);
	else
		fprintf(o->fp, "%s %lld\n", name, count);
	return 0;
}

/* open_tmp - the temporary file, 0640 whatever the umask */
static FILE *open_tmp(const char *tmp)
{
	FILE *fp;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		      O_CLOEXEC, 0640);

	if (fd < 0)
		return NULL;
	if (fchmod(fd, 0640) < 0 || (fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		return NULL;
	}
	return fp;
}

/* expected_late - 1 per employer with a calendar while its latest cutoff
 * passed with no file (process.md, "Expected files"); -1 on error */
static int expected_late(struct daemon *d, FILE *fp)
{
	struct expected_state es;
	time_t now = time(NULL);
	size_t i;
	int head = 0;

	for (i = 0; i < d->cfg->nemployers; i++) {
		const struct cfg_employer *emp = &d->cfg->employers[i];

		if (emp->expected.every == CFG_EVERY_NONE)
			continue;
		if (store_expected_state(d->store, emp, now, &es) < 0)
			return -1;
		if (!head++)
			fprintf(fp, "# HELP affild_expected_file_late 1 while "
				"the employer's last cutoff passed with no file"
				"\n# TYPE affild_expected_file_late gauge\n");
		fprintf(fp, "affild_expected_file_late{employer=\"%s\"} %d\n",
			emp->numero, es.late);
	}
	return 0;
}

void metrics_soon(struct daemon *d)
{
	d->metrics_dirty = 1;
}

void metrics_flush(struct daemon *d)
{
	if (d->metrics_dirty && mono_ms() - d->metrics_at_ms >= 1000)
		metrics_write(d, 1);
}

void metrics_write(struct daemon *d, int up)
{
	const char *path = d->cfg->metrics_file;
	char tmp[4096], qp[LOG_QUOTE_MAX];
	struct out o = { NULL, NULL };
	int bad;

	d->metrics_at_ms = mono_ms();
	d->metrics_dirty = 0;
	if (path == NULL)
		return;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp) ||
	    (o.fp = open_tmp(tmp)) == NULL) {
		log_warn_errno("event=metrics_failed path=%s",
			       log_quote(qp, sizeof(qp), path));
		return;
	}
	fprintf(o.fp, "# HELP affild_up 1 while the daemon runs, 0 once "
		"stopped\n# TYPE affild_up gauge\naffild_up %d\n"
		"# HELP affild_metrics_timestamp_seconds when this file was "
		"written\n# TYPE affild_metrics_timestamp_seconds gauge\n"
		"affild_metrics_timestamp_seconds %lld\n"
		"# HELP affild_files_unreadable files in the drops that affild "
		"cannot open (left there, logged at err)\n"
		"# TYPE affild_files_unreadable gauge\n"
		"affild_files_unreadable %zu\n", up ? 1 : 0,
		(long long)time(NULL), spool_ready_unreadable_count(d->ready));
	bad = d->store && (store_metrics(d->store, one, &o) < 0 ||
			   expected_late(d, o.fp) < 0);
	bad |= ferror(o.fp) != 0;
	bad |= fclose(o.fp) != 0;
	if (bad || rename(tmp, path) < 0) {
		log_warn_errno("event=metrics_failed path=%s",
			       log_quote(qp, sizeof(qp), path));
		(void)unlink(tmp);
	}
}
