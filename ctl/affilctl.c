/*
 * affilctl - the admin's command-line tool, a table of commands
 * (OpenSMTPD's smtpctl idea: ctl_table.c).  It reads the same
 * configuration as affild and opens the same SQLite database, read-only
 * always: it never waits on the daemon's writer (WAL), and nothing but
 * the daemon writes.  A change is a file for the daemon's admin drop
 * (ctl_write.c, ctl_submit.c): affild applies it, affilctl prints its
 * report.  Output: aligned tables for people, --format csv|json for
 * scripts.
 *
 * Exit status (sysexits.h, affilctl(8)): 0 done; 64 a usage error; 65 the
 * data refuses (unknown employee or file; a change's lines rejected); 66
 * no such file; 69 the database or the admin drop cannot be reached; 70
 * an internal or database error; 73 the output file cannot be created; 74
 * an I/O error; 75 no report within --timeout (the change stays queued);
 * 77 the admin drop or the configuration is not ours (not in
 * spool.admin_group); 78 a bad configuration.  Anything but 0 comes with
 * a one-line reason on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "common/log.h"
#include "common/version.h"
#include "config/config.h"
#include "ctl/ctl.h"
#include "store/store.h"

/* ctl_open_config - see ctl.h */
int ctl_open_config(struct ctl *c)
{
	struct cfg_errors errs = { NULL, 0 };

	if (access(c->config, R_OK) < 0 && (errno == EACCES ||
					    errno == EPERM)) {
		fprintf(stderr, "affilctl: cannot read the configuration %s: "
			"its group must let the admins read it "
			"(docs/operations.md, \"The admin drop\"), or run "
			"affilctl as root\n", c->config);
		return EX_NOPERM;
	}
	c->cfg = cfg_load(c->config, &errs);
	if (c->cfg == NULL) {
		fprintf(stderr, "affilctl: %s: %s\n", c->config, errs.n ?
			errs.lines[0] : "invalid configuration");
		cfg_errors_free(&errs);
		return EX_CONFIG;
	}
	cfg_errors_free(&errs);
	return 0;
}

/* SQLite's page cache, in MiB: a view walks rows once (a larger cache
 * would only grow with the database: the export's memory must not). */
#define CTL_CACHE_MB 4

/* open_db - read-only, always (a change never opens it); 0 or
 * EX_UNAVAILABLE */
static int open_db(struct ctl *c)
{
	enum ctl_db db = c->verb->db;

	if (db == CTL_DB_DROP)
		return 0;
	c->st = store_open_pw(cfg_db_target(c->cfg), c->cfg->db.password_file,
			      STORE_RO, CTL_CACHE_MB,
			      c->cfg->db.busy_timeout_s);
	if (c->st || db == CTL_DB_TRY)
		return 0;
	fprintf(stderr, "affilctl: cannot open the database %s\n",
		cfg_db_target(c->cfg));
	return EX_UNAVAILABLE;
}

/* ctl_db_error - see ctl.h */
int ctl_db_error(struct ctl *c, const char *what)
{
	int busy = c->st && store_failure_transient(c->st);

	fprintf(stderr, "affilctl: %s: %s\n", what, busy ? "the database is "
		"busy or unavailable, try again" : "database error");
	return busy ? EX_UNAVAILABLE : EX_SOFTWARE;
}

int main(int argc, char **argv)
{
	struct ctl c;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	log_init("affilctl", LOG_LEVEL_WARN);
	if (argc > 1 && strcmp(argv[1], "--complete") == 0) {
		ctl_complete(stdout, argc - 2, argv + 2);
		return fflush(stdout) == 0 ? 0 : EX_IOERR;
	}
	switch (ctl_args_parse(&c, argc - 1, argv + 1)) {
	case CTL_USAGE:
		return EX_USAGE;
	case CTL_HELP:
		return ctl_help(stdout, c.verb_name);
	case CTL_VERSION:
		printf("affilctl %s\n", AFFILD_VERSION);
		return 0;
	case CTL_RUN:
		break;
	}
	/* A change reads the configuration once its line is checked (the
	 * handler: ctl_write.c), so that a usage error is said first. */
	if (c.verb->db == CTL_DB_RO || c.verb->db == CTL_DB_TRY) {
		rc = ctl_open_config(&c);
		if (rc == 0)
			rc = open_db(&c);
	}
	if (rc == 0 && (rc = ctl_open_output(&c)) == 0)
		rc = ctl_close_output(&c, c.verb->fn(&c));
	store_close(c.st);
	cfg_free(c.cfg);
	if (fflush(stdout) != 0 && rc == 0) {
		fprintf(stderr, "affilctl: standard output: %s\n",
			strerror(errno));
		rc = EX_IOERR;
	}
	return rc;
}
