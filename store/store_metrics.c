/*
 * store_metrics - the counts the metrics file exposes, each from an index
 * or a small table, so a scrape never walks the employees.
 */
#include "store/store_priv.h"

static const struct {
	const char *name;
	const char *help;
	const char *sql;	/* rows: (label value or NULL, count) */
	const char *label;
} metrics[] = {
	{ "affild_files", "files received, by state and return code",
	  "SELECT state || '\",return_code=\"' || coalesce(CAST(return_code AS TEXT), ''),"
	  " count(*) FROM file GROUP BY state, return_code",
	  "state" },
	{ "affild_outbox_pending", "messages waiting for delivery",
	  "SELECT NULL, count(*) FROM outbox WHERE state = 'pending'", NULL },
	{ "affild_outbox_failed", "messages parked with a reason",
	  "SELECT NULL, count(*) FROM outbox WHERE state = 'failed'", NULL },
	{ "affild_deadlines_pending", "deadlines not fired yet",
	  "SELECT NULL, count(*) FROM deadline WHERE done_at IS NULL", NULL },
	{ "affild_expected_alerts", "expected-file alerts queued since the "
	  "start of the database, by kind (late, small)",
	  "SELECT kind, count(*) FROM expected_alert GROUP BY kind", "kind" },
};

/* store_metrics - fn(name, help, label name, label value, value) per row */
int store_metrics(struct store *st,
		  int (*fn)(const char *name, const char *help,
			    const char *label, const char *value,
			    long long count, void *arg),
		  void *arg)
{
	size_t i;

	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++) {
		struct db_stmt *s = st_stmt(st, metrics[i].sql);
		int rc;

		if (s == NULL)
			return -1;
		while ((rc = db_step(s)) == DB_ROW)
			fn(metrics[i].name, metrics[i].help, metrics[i].label,
			   db_col_text(s, 0),
			   db_col_int64(s, 1), arg);
		db_reset(s);
		if (rc != DB_DONE) {
			st_log_error(st, "metrics");
			return -1;
		}
	}
	return 0;
}
