/*
 * test_config - config/: the demo and full files load with the right values,
 * every class of error names its exact file:line:column, employers.d works,
 * the built-in tables are those of rules.md, and header folding is the one
 * documented in config.h.
 *
 * The data files live in tests/unit/data/config/; the tests chdir there so
 * that the expected messages read as the files are named.  Run from the
 * repository root, or set CONFIG_TEST_DATA to that folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"

#ifndef CONFIG_TEST_DATA
#define CONFIG_TEST_DATA "tests/unit/data/config"
#endif
/* the demo configuration, relative to the data folder */
#define DEMO "../../../../demo/affild.yaml"

/* load_ok - load a file that must be valid; prints errors if not */
static struct cfg *load_ok(const char *path)
{
	struct cfg_errors errs = { NULL, 0 };
	struct cfg *cfg = cfg_load(path, &errs);
	size_t i;

	for (i = 0; i < errs.n; i++)
		print_message("unexpected: %s\n", errs.lines[i]);
	assert_int_equal(errs.n, 0);
	assert_non_null(cfg);
	cfg_errors_free(&errs);
	return cfg;
}

/* expect_errors - the file is invalid with exactly these lines, in order */
static void expect_errors(const char *path, const char *const *want,
			  size_t nwant)
{
	struct cfg_errors errs = { NULL, 0 };
	struct cfg *cfg = cfg_load(path, &errs);
	size_t i;

	assert_null(cfg);
	for (i = 0; i < errs.n; i++)	/* what to paste when it changes */
		if (errs.n != nwant || strcmp(errs.lines[i], want[i]) != 0)
			print_message("got: %s\n", errs.lines[i]);
	assert_int_equal(errs.n, nwant);
	for (i = 0; i < nwant; i++)
		assert_string_equal(errs.lines[i], want[i]);
	cfg_errors_free(&errs);
}

#define EXPECT(path, ...) do { \
	static const char *const want_[] = { __VA_ARGS__ }; \
	expect_errors(path, want_, sizeof(want_) / sizeof(want_[0])); \
} while (0)

static void test_demo_sections(void **state)
{
	struct cfg *cfg = load_ok(DEMO);

	(void)state;
	assert_string_equal(cfg->path, DEMO);
	assert_string_equal(cfg->spool.dir, "run/spool");
	assert_int_equal(cfg->spool.sftp_chroot, 0);
	assert_int_equal(cfg->spool.settle_ms, 2000);
	assert_int_equal(cfg->spool.rescan_s, 60);
	assert_true(cfg->spool.max_file_bytes == 2147483648LL);
	assert_true(cfg->spool.min_free_factor == 3);
	assert_int_equal(cfg->spool.out_retention_days, 90);
	assert_int_equal(cfg->spool.archive_retention_days, 90);
	assert_int_equal(cfg->spool.quarantine_retention_days, 90);
	assert_string_equal(cfg->db.path, "run/affild.db");
	assert_int_equal(cfg->db.cache_mb, 16);
	assert_int_equal(cfg->db.busy_timeout_s, 60);
	assert_int_equal(cfg->mail.transport, CFG_TRANSPORT_FILE);
	assert_string_equal(cfg->mail.dir, "run/mail");
	assert_string_equal(cfg->mail.from,
			    "Espace entreprise <affiliation@assureur.example>");
	assert_string_equal(cfg->mail.templates, "templates/fr");
	assert_string_equal(cfg->mail.print_dir, "run/print");
	assert_null(cfg->mail.url);
	assert_null(cfg->mail.credentials_file);
	assert_int_equal(cfg->mail.tls, CFG_TLS_REQUIRED);
	assert_int_equal(cfg->mail.connect_timeout_s, 30);
	assert_int_equal(cfg->mail.timeout_s, 120);
	assert_int_equal(cfg->mail.max_age_s, 5 * 86400);
	cfg_free(cfg);
}

static void test_demo_portal_process(void **state)
{
	struct cfg *cfg = load_ok(DEMO);

	(void)state;
	assert_int_equal(cfg->portal.enabled, 1);
	assert_string_equal(cfg->portal.link_url,
		"https://espace.assureur.example/affiliation/{token}");
	assert_string_equal(cfg->portal.token_key_file, "run/token.key");
	assert_int_equal(cfg->portal.invitation_ttl_days, 30);
	assert_int_equal(cfg->process.reminder_after_days, 8);
	assert_int_equal(cfg->process.correction_days, 60);
	assert_int_equal(cfg->process.portability_max_months, 12);
	assert_string_equal(cfg->process.creditor_id, "FR12ZZZ123456");
	assert_string_equal(cfg->process.rum_prefix, "AFF");
	/* no metrics_file: beside the database, in the state folder */
	assert_string_equal(cfg->metrics_file, "run/affild.prom");
	assert_int_equal(cfg->ndeparture_reasons, 39);
	assert_int_equal(cfg->ndispense_reasons, 8);
	cfg_free(cfg);
}

static void test_demo_employer(void **state)
{
	struct cfg *cfg = load_ok(DEMO);
	const struct cfg_employer *emp;
	const struct cfg_option *opt;

	(void)state;
	assert_int_equal(cfg->nemployers, 1);
	emp = cfg_employer(cfg, "12345678");
	assert_non_null(emp);
	assert_string_equal(emp->name, "Exemple SAS");
	assert_int_equal(emp->noptions, 2);
	opt = cfg_option(emp, "BASE");
	assert_non_null(opt);
	assert_string_equal(opt->label, "Formule de base");
	assert_int_equal(opt->direct_debit, 0);
	assert_int_equal(cfg_option(emp, "CONFORT")->direct_debit, 1);
	assert_null(cfg_option(emp, "LUXE"));
	assert_string_equal(emp->base_plan, "BASE");
	assert_string_equal(emp->contact_email, "rh@exemple-sas.example");
	assert_string_equal(emp->dispense_email, "rh@exemple-sas.example");
	assert_string_equal(emp->sftp_group, "affild-12345678");
	assert_int_equal(emp->apply, CFG_APPLY_PARTIAL);
	assert_int_equal(emp->trailer_required, 0);
	assert_int_equal(emp->readiness, CFG_READY_SETTLE);
	assert_int_equal(emp->settle_ms, 2000);
	assert_int_equal(emp->reminders, CFG_REMINDERS_MANUAL);
	assert_int_equal(emp->portability_start, CFG_PSTART_NEXT_DAY);
	assert_int_equal(emp->portability_if_incomplete, 1);
	assert_int_equal(emp->child_age_limit, 21);
	assert_int_equal(emp->radiation_gate_percent, 20);
	assert_int_equal(emp->radiation_gate_count, 0);
	assert_int_equal(emp->notify_finalisation, 0);
	assert_int_equal(emp->departure_letter, 0);
	assert_int_equal(emp->nallowed_dispenses, 0);
	/* the demo may move; exact lines are checked on our own files */
	assert_memory_equal(emp->source, DEMO ":", sizeof(DEMO ":") - 1);
	assert_null(cfg_employer(cfg, "87654321"));
	assert_null(cfg_employer(cfg, NULL));
	cfg_free(cfg);
}

static void test_minimal_defaults(void **state)
{
	struct cfg *cfg = load_ok("minimal.yaml");

	(void)state;
	assert_int_equal(cfg->spool.sftp_chroot, 1);
	assert_int_equal(cfg->spool.settle_ms, 2000);
	assert_string_equal(cfg->spool.admin_group, "affild-admin");
	assert_true(cfg->spool.max_file_bytes == 2147483648LL);
	assert_string_equal(cfg->mail.templates,
			    "/usr/share/affild/templates/fr");
	assert_null(cfg->mail.print_dir);
	assert_string_equal(cfg->mail.letter_sender,
			    "Service Adhésions santé collective");
	assert_null(cfg->mail.letter_place);
	assert_int_equal(cfg->portal.enabled, 0);
	assert_null(cfg->portal.link_url);
	assert_null(cfg->portal.token_key_file);
	assert_null(cfg->process.creditor_id);
	assert_string_equal(cfg->process.rum_prefix, "AFF");
	assert_int_equal(cfg->nemployers, 0);
	assert_null(cfg_employer(cfg, "12345678"));
	assert_string_equal(cfg->metrics_file, "/var/lib/affild/affild.prom");
	cfg_free(cfg);
}

static void test_full_sections(void **state)
{
	struct cfg *cfg = load_ok("full.yaml");

	(void)state;
	assert_int_equal(cfg->spool.sftp_chroot, 1);
	assert_string_equal(cfg->spool.admin_group, "assureur-admins");
	assert_int_equal(cfg->spool.settle_ms, 500);
	assert_true(cfg->spool.max_file_bytes == 1073741824LL);
	assert_true(cfg->spool.min_free_factor == 4);
	assert_int_equal(cfg->spool.archive_retention_days, 365);
	assert_int_equal(cfg->db.cache_mb, 32);
	assert_int_equal(cfg->mail.transport, CFG_TRANSPORT_SMTP);
	assert_string_equal(cfg->mail.url, "smtps://mail.example:465");
	assert_null(cfg->mail.dir);
	assert_string_equal(cfg->mail.credentials_file,
			    "/etc/affild/smtp.cred");
	assert_int_equal(cfg->mail.max_age_s, 86400);
	assert_int_equal(cfg->portal.enabled, 0);
	assert_int_equal(cfg->portal.invitation_ttl_days, 15);
	assert_int_equal(cfg->process.portability_max_months, 9);
	assert_string_equal(cfg->process.rum_prefix, "XY");
	assert_int_equal(cfg->process.radiation_gate_percent, 30);
	assert_int_equal(cfg->process.radiation_gate_count, 0);
	assert_string_equal(cfg->metrics_file,
			    "/var/lib/prometheus/node-exporter/affild.prom");
	cfg_free(cfg);
}

static void test_full_employers(void **state)
{
	struct cfg *cfg = load_ok("full.yaml");
	const struct cfg_employer *emp;

	(void)state;
	/* sorted by numero, whatever the file order */
	assert_int_equal(cfg->nemployers, 2);
	assert_string_equal(cfg->employers[0].numero, "01234567");
	emp = cfg_employer(cfg, "87654321");
	assert_ptr_equal(emp, &cfg->employers[1]);
	assert_int_equal(emp->apply, CFG_APPLY_ALL_OR_NOTHING);
	assert_int_equal(emp->trailer_required, 1);
	assert_int_equal(emp->readiness, CFG_READY_TRIGGER);
	assert_int_equal(emp->settle_ms, 100);
	assert_int_equal(emp->reminders, CFG_REMINDERS_AUTOMATIC);
	assert_int_equal(emp->reminder_interval_days, 5);
	assert_int_equal(emp->reminder_max, 2);
	assert_int_equal(emp->notify_finalisation, 1);
	assert_int_equal(emp->departure_letter, 1);
	assert_int_equal(emp->portability_start, CFG_PSTART_NEXT_MONTH);
	assert_int_equal(emp->portability_if_incomplete, 0);
	assert_int_equal(emp->child_age_limit, 25);
	assert_int_equal(emp->radiation_gate_percent, 0);
	assert_int_equal(emp->radiation_gate_count, 50);
	/* the other employer takes process.radiation_gate_percent */
	assert_int_equal(cfg_employer(cfg, "01234567")->radiation_gate_percent,
			 30);
	assert_int_equal(emp->nallowed_dispenses, 2);
	assert_string_equal(emp->allowed_dispenses[1], "MAISON");
	assert_string_equal(emp->sftp_group, "rh-deuxieme");
	assert_string_equal(emp->dispense_email, "dispenses@deuxieme.example");
	assert_null(cfg_option(emp, "SOLO")->label);
	assert_null(cfg_employer(cfg, "1234567"));
	cfg_free(cfg);
}

static void test_default_departures(void **state)
{
	struct cfg *cfg = load_ok("minimal.yaml");
	const struct cfg_departure_reason *r;

	(void)state;
	r = cfg_departure_reason(cfg, "088");
	assert_non_null(r);
	assert_int_equal(r->portabilite, CFG_PORTA_NON);
	assert_int_equal(r->never_override, 1);
	assert_string_equal(r->label, "licenciement pour faute lourde");
	assert_int_equal(cfg_departure_reason(cfg, "096")->never_override, 1);
	r = cfg_departure_reason(cfg, "043");
	assert_int_equal(r->portabilite, CFG_PORTA_OUI);
	assert_int_equal(r->never_override, 0);
	assert_string_equal(r->label, "rupture conventionnelle");
	assert_int_equal(cfg_departure_reason(cfg, "059")->portabilite,
			 CFG_PORTA_EXAMEN);
	assert_int_equal(cfg_departure_reason(cfg, "038")->portabilite,
			 CFG_PORTA_NON);
	assert_int_equal(cfg_departure_reason(cfg, "999")->portabilite,
			 CFG_PORTA_NON);
	assert_int_equal(cfg_departure_reason(cfg, "087")->portabilite,
			 CFG_PORTA_OUI);
	assert_null(cfg_departure_reason(cfg, "998"));
	assert_null(cfg_departure_reason(cfg, "43"));
	cfg_free(cfg);
}

/* One row of rules.md's dispense table. */
struct dispense_row {
	const char *code;
	enum cfg_dispense_type type;
	int evidence;
	enum cfg_dispense_end end;
	enum cfg_at_end at_end;
};

static void test_default_dispenses(void **state)
{
	static const struct dispense_row rows[] = {
		{ "AUTRE_COUVERTURE_COLLECTIVE", CFG_DISP_DROIT, 1,
		  CFG_DISP_END_DEFAULT_1Y, CFG_AT_END_PROOF },
		{ "CSS", CFG_DISP_DROIT, 1, CFG_DISP_END_REQUIRED,
		  CFG_AT_END_REINVITE },
		{ "CONTRAT_INDIVIDUEL", CFG_DISP_DROIT, 1,
		  CFG_DISP_END_REQUIRED, CFG_AT_END_REINVITE },
		{ "PRESENT_MISE_EN_PLACE_DUE", CFG_DISP_DROIT, 0,
		  CFG_DISP_END_NONE, CFG_AT_END_NONE },
		{ "CDD_MOINS_3_MOIS", CFG_DISP_DROIT, 1,
		  CFG_DISP_END_REQUIRED, CFG_AT_END_NONE },
		{ "CDD_MOINS_12_MOIS", CFG_DISP_FACULTATIVE, 0,
		  CFG_DISP_END_REQUIRED, CFG_AT_END_NONE },
		{ "CDD_12_MOIS_ET_PLUS", CFG_DISP_FACULTATIVE, 1,
		  CFG_DISP_END_REQUIRED, CFG_AT_END_NONE },
		{ "TEMPS_PARTIEL_10PCT", CFG_DISP_FACULTATIVE, 1,
		  CFG_DISP_END_DEFAULT_1Y, CFG_AT_END_PROOF },
	};
	struct cfg *cfg = load_ok("minimal.yaml");
	const struct cfg_dispense_reason *r;
	size_t i;

	(void)state;
	assert_int_equal(cfg->ndispense_reasons, 8);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		r = cfg_dispense_reason(cfg, rows[i].code);
		assert_non_null(r);
		assert_non_null(r->label);
		assert_int_equal(r->type, rows[i].type);
		assert_int_equal(r->evidence_required, rows[i].evidence);
		assert_int_equal(r->end, rows[i].end);
		assert_int_equal(r->at_end, rows[i].at_end);
	}
	assert_null(cfg_dispense_reason(cfg, "css"));
	cfg_free(cfg);
}

static void test_reasons_amended(void **state)
{
	struct cfg *cfg = load_ok("full.yaml");
	const struct cfg_departure_reason *d;
	const struct cfg_dispense_reason *p;

	(void)state;
	/* overridden by code, not replaced: 39 built in + 1 added */
	assert_int_equal(cfg->ndeparture_reasons, 40);
	d = cfg_departure_reason(cfg, "043");
	assert_string_equal(d->label, "rupture conventionnelle homologuée");
	assert_int_equal(d->portabilite, CFG_PORTA_OUI);
	d = cfg_departure_reason(cfg, "059");
	assert_string_equal(d->label, "démission");
	assert_int_equal(d->portabilite, CFG_PORTA_OUI);
	d = cfg_departure_reason(cfg, "100");
	assert_string_equal(d->label, "motif maison");
	assert_int_equal(d->portabilite, CFG_PORTA_NON);
	assert_int_equal(cfg_departure_reason(cfg, "088")->never_override, 1);
	assert_int_equal(cfg->ndispense_reasons, 9);
	p = cfg_dispense_reason(cfg, "CSS");
	assert_int_equal(p->evidence_required, 0);
	assert_int_equal(p->end, CFG_DISP_END_REQUIRED);
	assert_int_equal(p->at_end, CFG_AT_END_REINVITE);
	p = cfg_dispense_reason(cfg, "MAISON");
	assert_string_equal(p->label, "dispense maison");
	assert_int_equal(p->type, CFG_DISP_FACULTATIVE);
	assert_int_equal(p->evidence_required, 0);
	assert_int_equal(p->end, CFG_DISP_END_NONE);
	assert_int_equal(p->at_end, CFG_AT_END_NONE);
	cfg_free(cfg);
}

static void test_aliases(void **state)
{
	struct cfg *cfg = load_ok("full.yaml");
	struct cfg *demo = load_ok(DEMO);

	(void)state;
	assert_string_equal(cfg_field_name(cfg, "numero_adherent"),
			    "matricule");
	/* a built-in alias pointed elsewhere by the config */
	assert_string_equal(cfg_field_name(cfg, "courriel"),
			    "email_personnel");
	assert_string_equal(cfg_field_name(demo, "courriel"), "email");
	assert_string_equal(cfg_field_name(demo, "e_mail"), "email");
	assert_string_equal(cfg_field_name(demo, "numero_securite_sociale"),
			    "nir");
	assert_string_equal(cfg_field_name(demo, "date_naissance"),
			    "date_naissance");
	assert_null(cfg_field_name(demo, "numero_adherent"));
	assert_null(cfg_field_name(demo, "Date de naissance"));
	cfg_free(cfg);
	cfg_free(demo);
}

static void test_employers_d(void **state)
{
	struct cfg *cfg = load_ok("dird/affild.yaml");
	const struct cfg_employer *emp;

	(void)state;
	assert_int_equal(cfg->nemployers, 4);
	assert_string_equal(cfg->employers[0].numero, "10000000");
	assert_string_equal(cfg->employers[3].numero, "30000000");
	emp = cfg_employer(cfg, "10000000");
	assert_string_equal(emp->name, "Seul");
	assert_int_equal(emp->settle_ms, 100);
	assert_string_equal(emp->source, "dird/employers.d/10-one.yaml:2");
	emp = cfg_employer(cfg, "20000001");
	assert_string_equal(emp->name, "Liste deux");
	assert_int_equal(emp->settle_ms, 3000);	/* spool.settle_ms */
	assert_string_equal(emp->source, "dird/employers.d/20-list.yaml:6");
	assert_string_equal(cfg_employer(cfg, "30000000")->source,
			    "dird/affild.yaml:10");
	/* .hidden.yaml and README.txt are not read */
	assert_null(cfg_employer(cfg, "99999999"));
	cfg_free(cfg);
}

static void test_err_keys(void **state)
{
	(void)state;
	EXPECT("err_keys.yaml",
	       "err_keys.yaml:10:1: portals: unknown key",
	       "err_keys.yaml:3:3: spool.colour: unknown key",
	       "err_keys.yaml:4:3: spool.dir: duplicate key");
}

/* A PostgreSQL URL holds no password (the config is the admins' to
 * read), and is one. */
static void test_err_database(void **state)
{
	(void)state;
	EXPECT("err_database.yaml",
	       "err_database.yaml:5:8: database.url: holds a password; put it"
	       " in password_file or the credential db-password");
	EXPECT("err_database2.yaml",
	       "err_database2.yaml:5:8: database.url: must start with"
	       " postgresql://");
}

static void test_err_types(void **state)
{
	(void)state;
	EXPECT("err_types.yaml",
	       "err_types.yaml:1:8: spool: expected a mapping, found a list",
	       "err_types.yaml:4:5: database.path: expected a scalar, "
	       "found a list",
	       "err_types.yaml:6:7: mail: expected a mapping, found a scalar",
	       "err_types.yaml:10:3: aliases: expected a mapping, "
	       "found a list",
	       "err_types.yaml:8:3: employers: expected a list, "
	       "found a mapping");
}

static void test_err_values(void **state)
{
	(void)state;
	EXPECT("err_values.yaml",
	       "err_values.yaml:3:16: spool.sftp_chroot: 'maybe' is not a "
	       "boolean (true, false, yes or no)",
	       "err_values.yaml:4:14: spool.settle_ms: -1 is out of range "
	       "(0 to 3600000)",
	       "err_values.yaml:5:13: spool.rescan_s: 'soon' is not an "
	       "integer",
	       "err_values.yaml:6:19: spool.max_file_bytes: 2199023255553 "
	       "is out of range (1 to 1099511627776)",
	       "err_values.yaml:9:13: database.cache_mb: '0x40' is not an "
	       "integer",
	       "err_values.yaml:11:14: mail.transport: 'ftp' is not one of: "
	       "file, smtp",
	       "err_values.yaml:16:12: portal.enabled: 'oui' is not a "
	       "boolean (true, false, yes or no)",
	       "err_values.yaml:18:27: process.portability_max_months: 13 "
	       "is out of range (1 to 12)");
}

static void test_err_missing(void **state)
{
	(void)state;
	EXPECT("err_missing.yaml",
	       "err_missing.yaml:1:1: spool.dir: required key is missing",
	       "err_missing.yaml:1:1: database.path: required key is missing",
	       "err_missing.yaml:5:3: mail.from: a value is required",
	       "err_missing.yaml:4:14: mail.url: required when transport is "
	       "smtp");
	EXPECT("empty.yaml",
	       "empty.yaml:1:1: spool.dir: required key is missing",
	       "empty.yaml:1:1: database.path: required key is missing",
	       "empty.yaml:1:1: mail.from: required key is missing",
	       "empty.yaml:1:1: mail.dir: required when transport is file");
}

static void test_err_employers(void **state)
{
	(void)state;
	EXPECT("err_employers.yaml",
	       "err_employers.yaml:9:13: employers[0].numero: '1234567' is "
	       "not 8 digits",
	       "err_employers.yaml:13:5: employers[1].name: required key is "
	       "missing",
	       "err_employers.yaml:14:14: employers[1].options: at least one "
	       "option is required",
	       "err_employers.yaml:21:23: employers[2].options[1]."
	       "direct_debit: needs process.creditor_id (SEPA creditor "
	       "identifier)",
	       "err_employers.yaml:22:15: employers[2].options[2].code: "
	       "duplicate option 'A'",
	       "err_employers.yaml:24:12: employers[2].apply: 'sometimes' is "
	       "not one of: partial, all_or_nothing",
	       "err_employers.yaml:25:30: employers[2].allowed_dispenses[1]: "
	       "unknown dispense reason 'NOPE'",
	       "err_employers.yaml:23:16: employers[2].base_plan: 'C' is not "
	       "one of the options",
	       "err_employers.yaml:26:5: employers[3].numero: required key is "
	       "missing",
	       "err_employers.yaml:28:9: employers[3].options[0].code: "
	       "required key is missing",
	       "err_employers.yaml:29:16: employers[3].base_plan: 'X' is not "
	       "one of the options",
	       "err_employers.yaml:30:5: employers[4]: expected a mapping, "
	       "found a scalar",
	       "err_employers.yaml:16:5: duplicate employer numero 12345678, "
	       "first defined at err_employers.yaml:13");
}

static void test_expected(void **state)
{
	struct cfg *cfg = load_ok("expected.yaml");
	const struct cfg_employer *emp;

	(void)state;
	assert_string_equal(cfg->process.admin_email,
			    "gestion@assureur.example");
	emp = cfg_employer(cfg, "11111111");
	assert_int_equal(emp->expected.every, CFG_EVERY_MONTH);
	assert_int_equal(emp->expected.monthly_day, CFG_MONTHLY_LAST);
	assert_int_equal(emp->expected.cutoff_min, 18 * 60);	/* default */
	assert_true(emp->expected.min_share == 0.25);
	emp = cfg_employer(cfg, "22222222");
	assert_int_equal(emp->expected.every, CFG_EVERY_WEEK);
	assert_int_equal(emp->expected.weekly_day, 5);
	assert_int_equal(emp->expected.cutoff_min, 9 * 60 + 30);
	assert_true(emp->expected.min_share == 0.0);
	emp = cfg_employer(cfg, "33333333");
	assert_int_equal(emp->expected.every, CFG_EVERY_NONE);
	cfg_free(cfg);
}

static void test_err_expected(void **state)
{
	(void)state;
	EXPECT("err_expected.yaml",
	       "err_expected.yaml:14:30: employers[0].expected.monthly_day: "
	       "'31' is not a day 1..28 or last (29..31 are lacking in some "
	       "months)",
	       "err_expected.yaml:14:45: employers[0].expected.min_share: "
	       "'1.5' is not a share above 0 and at most 1 (0.2: a fifth of "
	       "the usual size)",
	       "err_expected.yaml:20:45: employers[1].expected: monthly_day or "
	       "weekly_day, not both",
	       "err_expected.yaml:20:61: employers[1].expected.cutoff: '24:00' "
	       "is not a time HH:MM (00:00..23:59, Paris)",
	       "err_expected.yaml:25:5: employers[2].expected: nobody to "
	       "alert: set contact_email or process.admin_email");
}

static void test_err_mail_portal_process(void **state)
{
	(void)state;
	EXPECT("err_mail.yaml",
	       "err_mail.yaml:8:9: mail.from: 'nobody' holds no address",
	       "err_mail.yaml:7:8: mail.url: 'http://mail.example' must "
	       "start with smtp:// or smtps://",
	       "err_mail.yaml:11:13: portal.link_url: must contain {token}",
	       "err_mail.yaml:13:16: process.creditor_id: '12FRZZZ' is not a "
	       "SEPA creditor identifier",
	       "err_mail.yaml:14:15: process.rum_prefix: 1 to 12 letters or "
	       "digits");
}

/* letters: the return address block is a YAML block, one line each */
static void test_letter_keys(void **state)
{
	struct cfg *cfg = load_ok("letter.yaml");

	(void)state;
	assert_string_equal(cfg->mail.letter_sender,
			    "Mutuelle Exemple\nService Adhésions santé "
			    "collective\nTSA 12345\n75801 PARIS CEDEX 08\n");
	assert_string_equal(cfg->mail.letter_place, "Paris");
	cfg_free(cfg);
	EXPECT("err_letter.yaml",
	       "err_letter.yaml:8:18: mail.letter_sender: 1 to 6 lines");
	EXPECT("err_letter_empty.yaml",
	       "err_letter_empty.yaml:8:18: mail.letter_sender: 1 to 6 lines");
}

static void test_err_reasons_aliases(void **state)
{
	(void)state;
	EXPECT("err_reasons.yaml",
	       "err_reasons.yaml:29:23: aliases.Téléphone portable: 'mobile' "
	       "is not a field name",
	       "err_reasons.yaml:31:3: aliases.ADRESSE E MAIL PERSO: "
	       "duplicate alias 'adresse_e_mail_perso'",
	       "err_reasons.yaml:10:18: departure_reasons[0].portabilite: 088 "
	       "(faute lourde) never opens portability",
	       "err_reasons.yaml:11:11: departure_reasons[1].code: '43' is "
	       "not 3 digits",
	       "err_reasons.yaml:14:18: departure_reasons[2].portabilite: "
	       "'peut-etre' is not one of: oui, non, examen",
	       "err_reasons.yaml:13:5: departure_reasons[2].label: required "
	       "for a new code",
	       "err_reasons.yaml:15:5: departure_reasons[3].label: required "
	       "for a new code",
	       "err_reasons.yaml:15:5: departure_reasons[3].portabilite: "
	       "required for a new code",
	       "err_reasons.yaml:16:11: departure_reasons[4].code: 088 is "
	       "listed twice",
	       "err_reasons.yaml:19:5: dispense_reasons[0].at_end: needs an "
	       "end date (end: required or default_1y)",
	       "err_reasons.yaml:21:11: dispense_reasons[1].code: 'nouveau' "
	       "is not made of A-Z, 0-9 and _",
	       "err_reasons.yaml:24:5: dispense_reasons[2].label: required "
	       "for a new code",
	       "err_reasons.yaml:24:5: dispense_reasons[2].type: required for "
	       "a new code");
}

static void test_err_syntax_and_files(void **state)
{
	(void)state;
	EXPECT("err_syntax.yaml",
	       "err_syntax.yaml:4:9: syntax error: did not find expected ',' "
	       "or ']' while parsing a flow sequence");
	EXPECT("err_utf8.yaml",
	       "err_utf8.yaml:2:11: invalid input at byte 17: incomplete "
	       "UTF-8 octet sequence");
	EXPECT("err_docs.yaml",
	       "err_docs.yaml:4:9: database.path: contains a NUL byte",
	       "err_docs.yaml:9:1: only one YAML document is allowed");
	EXPECT("no-such-file.yaml",
	       "no-such-file.yaml:1:1: cannot open: No such file or "
	       "directory");
	EXPECT("dird",
	       "dird:1:1: not a regular file");
}

static void test_err_employers_d(void **state)
{
	(void)state;
	EXPECT("dirbad/affild.yaml",
	       "dirbad/employers.d/a.yaml:5:1: employer.colour: unknown key",
	       "dirbad/employers.d/b.yaml:6:1: other: unknown key",
	       "dirbad/employers.d/c.yaml:1:1: employer: expected a mapping, "
	       "found a list",
	       "dirbad/employers.d/a.yaml:1:1: duplicate employer numero "
	       "12345678, first defined at dirbad/affild.yaml:9",
	       "dirbad/employers.d/b.yaml:2:5: duplicate employer numero "
	       "12345678, first defined at dirbad/affild.yaml:9");
}

static void test_errors_accumulate(void **state)
{
	struct cfg_errors errs = { NULL, 0 };

	(void)state;
	assert_null(cfg_load("err_keys.yaml", &errs));
	assert_int_equal(errs.n, 3);
	assert_null(cfg_load("err_mail.yaml", &errs));
	assert_int_equal(errs.n, 8);
	assert_string_equal(errs.lines[3],
			    "err_mail.yaml:8:9: mail.from: 'nobody' holds no "
			    "address");
	cfg_errors_free(&errs);
	assert_int_equal(errs.n, 0);
	assert_null(errs.lines);
}

static void test_too_many_errors(void **state)
{
	char path[] = "/tmp/test_config_XXXXXX";
	struct cfg_errors errs = { NULL, 0 };
	FILE *fp;
	int fd, i;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	for (i = 0; i < 300; i++)
		fprintf(fp, "key%d: 1\n", i);
	assert_int_equal(fclose(fp), 0);
	assert_null(cfg_load(path, &errs));
	assert_int_equal(unlink(path), 0);
	/* the cap, then one line saying so, and nothing more */
	assert_int_equal(errs.n, 201);
	assert_non_null(strstr(errs.lines[199], ":200:1: key199: unknown key"));
	assert_non_null(strstr(errs.lines[200],
			       ":201:1: too many errors, fix these first"));
	cfg_errors_free(&errs);
}

/* fold - cfg_fold_name into a static buffer, for short asserts */
static const char *fold(const char *in)
{
	static char out[CFG_NAME_MAX];

	cfg_fold_name(in, out, sizeof(out));
	return out;
}

static void test_fold_name(void **state)
{
	char small[6];

	(void)state;
	assert_string_equal(fold("Date de naissance"), "date_naissance");
	assert_string_equal(fold("DATE_NAISSANCE"), "date_naissance");
	assert_string_equal(fold("date_naissance"), "date_naissance");
	assert_string_equal(fold("Date d'embauche"), "date_embauche");
	assert_string_equal(fold("Date d\xe2\x80\x99" "embauche"),
			    "date_embauche");
	assert_string_equal(fold("Prénom"), "prenom");
	assert_string_equal(fold("NUMÉRO DE SÉCURITÉ SOCIALE"),
			    "numero_securite_sociale");
	assert_string_equal(fold("é è ê ë à â ä î ï ô ö ù û ü ç"),
			    "e_e_e_e_a_a_a_i_i_o_o_u_u_u_c");
	assert_string_equal(fold("Libellé de l'option"), "libelle_option");
	assert_string_equal(fold("Nom du/de la salarié(e)"),
			    "nom_salarie_e");
	assert_string_equal(fold("E-mail"), "e_mail");
	assert_string_equal(fold("  Code   Postal  "), "code_postal");
	assert_string_equal(fold("N° SS"), "n_ss");
	assert_string_equal(fold("Œuvre Straße"), "oeuvre_strasse");
	assert_string_equal(fold("x\xff" "y"), "x_y");
	assert_string_equal(fold("de la"), "");
	assert_string_equal(fold(""), "");
	cfg_fold_name("Date de naissance", small, sizeof(small));
	assert_string_equal(small, "date_");
}

/* to_data - run in the data folder so messages name files as written */
static int to_data(void **state)
{
	const char *dir = getenv("CONFIG_TEST_DATA");

	(void)state;
	return chdir(dir ? dir : CONFIG_TEST_DATA) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_sections),
		cmocka_unit_test(test_err_database),
		cmocka_unit_test(test_demo_portal_process),
		cmocka_unit_test(test_demo_employer),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_full_sections),
		cmocka_unit_test(test_full_employers),
		cmocka_unit_test(test_default_departures),
		cmocka_unit_test(test_default_dispenses),
		cmocka_unit_test(test_reasons_amended),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_employers_d),
		cmocka_unit_test(test_err_keys),
		cmocka_unit_test(test_err_types),
		cmocka_unit_test(test_err_values),
		cmocka_unit_test(test_err_missing),
		cmocka_unit_test(test_err_employers),
		cmocka_unit_test(test_expected),
		cmocka_unit_test(test_err_expected),
		cmocka_unit_test(test_err_mail_portal_process),
		cmocka_unit_test(test_letter_keys),
		cmocka_unit_test(test_err_reasons_aliases),
		cmocka_unit_test(test_err_syntax_and_files),
		cmocka_unit_test(test_err_employers_d),
		cmocka_unit_test(test_errors_accumulate),
		cmocka_unit_test(test_too_many_errors),
		cmocka_unit_test(test_fold_name),
	};

	return cmocka_run_group_tests(tests, to_data, NULL);
}
