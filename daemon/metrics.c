/*
 * metrics - write `metrics_file` atomically: a temporary file in the same
 * folder, then rename, so a scraper never reads half of it.  A failure is
 * logged and costs nothing else: metrics never stop the daemon.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/metrics.h"

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

void metrics_write(struct daemon *d)
{
	const char *path = d->cfg->metrics_file;
	char tmp[4096], qp[LOG_QUOTE_MAX];
	struct out o = { NULL, NULL };
	int bad;

	if (path == NULL)
		return;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp) ||
	    (o.fp = fopen(tmp, "w")) == NULL) {
		log_warn_errno("event=metrics_failed path=%s",
			       log_quote(qp, sizeof(qp), path));
		return;
	}
	fprintf(o.fp, "# HELP affild_up 1 while the daemon runs\n"
		"# TYPE affild_up gauge\naffild_up 1\n"
		"# HELP affild_metrics_timestamp_seconds when this file was "
		"written\n# TYPE affild_metrics_timestamp_seconds gauge\n"
		"affild_metrics_timestamp_seconds %lld\n",
		(long long)time(NULL));
	bad = store_metrics(d->store, one, &o) < 0;
	bad |= ferror(o.fp) != 0;
	bad |= fclose(o.fp) != 0;
	if (bad || rename(tmp, path) < 0) {
		log_warn_errno("event=metrics_failed path=%s",
			       log_quote(qp, sizeof(qp), path));
		(void)unlink(tmp);
	}
}
