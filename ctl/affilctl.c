/*
 * affilctl - the admin's command-line tool, a table of commands
 * (OpenSMTPD's smtpctl idea).  It reads the same configuration as affild
 * and opens the same SQLite database; readers never wait on the daemon's
 * writer (WAL).  Output: human tables by default, --format csv|json for
 * scripts.  Exit status 0 on success, non-zero with a one-line reason.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "common/log.h"
#include "common/util.h"
#include "common/version.h"
#include "config/config.h"
#include "ctl/ctl.h"
#include "store/store.h"

#define CTL_WRITES_WITH_VERB 2

/* ---- the command table ---------------------------------------------------- */

static const struct command {
	const char *name;
	int (*fn)(struct ctl *, int, char **);
	const char *help;
	int writes;		/* opens the database read-write: 1, or
				 * CTL_WRITES_WITH_VERB (ID, then a verb) */
} commands[] = {
	{ "employees", ctl_employees, "employees [SEARCH]   employees, by "
	  "name or NIR (--employer, --status)", 0 },
	{ "employers", ctl_employers, "employers            configured "
	  "employers: last file, next expected, late (--employer)", 0 },
	{ "files", ctl_files, "files                every file received "
	  "(--employer, --status)", 0 },
	{ "file", ctl_file, "file ID              one file, its counts and "
	  "its rejected and warning lines", CTL_WRITES_WITH_VERB },
	{ "file", ctl_file, "file ID approve|refuse\n"
	  "                       the insurer's decision on a file the "
	  "radiation gate held", CTL_WRITES_WITH_VERB },
	{ "outbox", ctl_outbox, "outbox [--failed]    messages pending, sent "
	  "or failed", 1 },
	{ "outbox", ctl_outbox, "outbox retry ID      a failed message back "
	  "to pending, due now", 1 },
	{ "reprocess", ctl_reprocess, "reprocess ID --force process an "
	  "archived file again, even a duplicate", 1 },
	{ "portability", ctl_portability, "portability open EMPLOYER NIR "
	  "--justification TEXT | portability proof EMPLOYER NIR\n"
	  "                       open portability on a reason to examine; "
	  "record the proof of unemployment benefits", 1 },
	{ "show", ctl_show, "show EMPLOYER NIR    one employee: record, "
	  "beneficiaries, history", 0 },
	{ "timers", ctl_timers, "timers [run [--as-of AAAA-MM-JJ | --at "
	  "AAAA-MM-JJTHH:MM] [--force]]\n"
	  "                       deadlines due next; run: fire those due "
	  "and the expected-file alerts (a future date needs --force)", 0 },
};

static void usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: affilctl [-c FILE] [--format table|csv|json] "
		"[--employer N] [--status S] COMMAND [ARGS]\n");
	for (i = 0; i < NELEM(commands); i++)
		fprintf(fp, "  %s\n", commands[i].help);
}

static int parse_format(const char *s, enum format *out)
{
	if (strcmp(s, "table") == 0)
		*out = FMT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*out = FMT_CSV;
	else if (strcmp(s, "json") == 0)
		*out = FMT_JSON;
	else
		return -1;
	return 0;
}

/* open_all - config and database, read-only unless the command writes */
static int open_all(struct ctl *c, const char *path, int writes)
{
	struct cfg_errors errs = { NULL, 0 };

	c->cfg = cfg_load(path, &errs);
	if (c->cfg == NULL) {
		fprintf(stderr, "affilctl: %s: %s\n", path, errs.n ?
			errs.lines[0] : "invalid configuration");
		cfg_errors_free(&errs);
		return EX_CONFIG;
	}
	cfg_errors_free(&errs);
	c->st = store_open(c->cfg->db.path, writes ? STORE_RW : STORE_RO, 16,
			   c->cfg->db.busy_timeout_s);
	if (c->st == NULL) {
		fprintf(stderr, "affilctl: cannot open the database %s\n",
			c->cfg->db.path);
		return EX_UNAVAILABLE;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "employer", required_argument, NULL, 'e' },
		{ "status", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "/etc/affild/affild.yaml";
	struct ctl c;
	size_t i;
	int ch, rc;

	memset(&c, 0, sizeof(c));
	log_init("affilctl", LOG_LEVEL_WARN);
	while ((ch = getopt_long(argc, argv, "+c:f:e:s:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'e': c.employer = optarg; break;
		case 's': c.status = optarg; break;
		case 'f':
			if (parse_format(optarg, &c.fmt) < 0) {
				fprintf(stderr, "affilctl: unknown format %s\n",
					optarg);
				return EX_USAGE;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("affilctl %s\n", AFFILD_VERSION); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EX_USAGE;
	}
	for (i = 0; i < NELEM(commands); i++)
		if (strcmp(commands[i].name, argv[optind]) == 0)
			break;
	if (i == NELEM(commands)) {
		fprintf(stderr, "affilctl: unknown command %s\n", argv[optind]);
		return EX_USAGE;
	}
	rc = open_all(&c, path, commands[i].writes == CTL_WRITES_WITH_VERB ?
		      argc - optind > 2 : commands[i].writes);
	if (rc == 0)
		rc = commands[i].fn(&c, argc - optind, argv + optind);
	store_close(c.st);
	cfg_free(c.cfg);
	return rc;
}
