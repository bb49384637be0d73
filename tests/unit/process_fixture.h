/*
 * process_fixture - what the tests of process/ share: the config they
 * decide under (one employer, a direct-debit option, a base plan), the
 * decision's context on 2026-11-28, and movements written as
 * "OP field=value;..." and checked as the pipeline checks them.  No
 * database: process/ has none.
 */
#ifndef AFFILD_TESTS_PROCESS_FIXTURE_H
#define AFFILD_TESTS_PROCESS_FIXTURE_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "parsers/check.h"
#include "process/transition.h"

static const char config_yaml[] =
	"spool:\n  dir: %s/spool\n  sftp_chroot: false\n"
	"database:\n  path: %s/affild.db\n"
	"mail:\n  transport: file\n  dir: %s/mail\n"
	"  from: \"Espace <affiliation@assureur.example>\"\n"
	"portal:\n  enabled: true\n"
	"  link_url: \"https://espace.example/a/{token}\"\n"
	"process:\n  creditor_id: FR12ZZZ123456\n"
	"employers:\n"
	"  - numero: \"12345678\"\n    name: Exemple SAS\n"
	"    options:\n      - code: BASE\n      - code: CONFORT\n"
	"        direct_debit: true\n"
	"    base_plan: BASE\n    contact_email: rh@exemple.example\n";

static struct cfg *cfg;
static struct decide_ctx dc;

/* movement_of - "OP field=value;..." checked as the pipeline checks it */
static void movement_of(const char *spec, int portal, struct movement *mv)
{
	struct check_ctx cc = { cfg, &cfg->employers[0], dc.today, portal,
				0 };
	char buf[1024], *field, *save = NULL;

	mv_init(mv);
	snprintf(buf, sizeof(buf), "%s", spec);
	field = strtok_r(buf, " ", &save);
	mv->op = op_from_name(field);
	mv_set(mv, F_OPERATION, field);
	mv_set(mv, F_NIR, "290049900000059");
	while ((field = strtok_r(NULL, ";", &save)) != NULL) {
		char *eq = strchr(field, '=');

		assert_non_null(eq);
		*eq = '\0';
		assert_int_not_equal(field_from_name(field), F_NONE);
		mv_set(mv, field_from_name(field), eq + 1);
	}
	check_movement(&cc, mv);
}

static int setup(void **state)
{
	char dir[] = "/tmp/affild-process-XXXXXX", path[128], yaml[2048];
	struct cfg_errors errs = { NULL, 0 };
	FILE *f;
	int rc;

	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/affild.yaml", dir);
	snprintf(yaml, sizeof(yaml), config_yaml, dir, dir, dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(yaml, f);
	fclose(f);
	cfg = cfg_load(path, &errs);
	rc = unlink(path) | rmdir(dir);
	if (cfg == NULL)
		return -1;
	dc.cfg = cfg;
	dc.emp = &cfg->employers[0];
	dc.today = (struct date){ 2026, 11, 28 };
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	cfg_free(cfg);
	return 0;
}

#endif
