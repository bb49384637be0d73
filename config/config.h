/*
 * config - the YAML configuration, loaded with libyaml into a typed struct.
 *
 * cfg_load() reads the main file and every *.yaml file of the employers.d/
 * folder beside it into a fresh struct cfg, checks it whole (unknown keys,
 * wrong types, values out of range, duplicate employers, a base plan that is
 * not one of the options), and returns it only when valid.  Every problem is
 * reported as one line "file:line:column: message" appended to the caller's
 * error list, so `affild --check-config` prints them all at once.  Nothing
 * here touches the file system beyond reading the configuration files:
 * folders are checked at start by their owners (spool/, store/, mail/).
 *
 * Ownership: the struct cfg returned by cfg_load() is owned by the caller and
 * released with cfg_free(); every pointer inside it lives as long as it.
 * Relative paths are kept as written (they resolve against the directory
 * affild starts in).
 */
#ifndef AFFILD_CONFIG_H
#define AFFILD_CONFIG_H

#include <stddef.h>

#define CFG_NUMERO_LEN 8	/* numéro de personne: 8 digits */

enum cfg_transport { CFG_TRANSPORT_FILE, CFG_TRANSPORT_SMTP };
enum cfg_tls { CFG_TLS_REQUIRED, CFG_TLS_NONE };
enum cfg_apply { CFG_APPLY_PARTIAL, CFG_APPLY_ALL_OR_NOTHING };
enum cfg_reminders { CFG_REMINDERS_MANUAL, CFG_REMINDERS_AUTOMATIC };
enum cfg_portability_start { CFG_PSTART_NEXT_DAY, CFG_PSTART_NEXT_MONTH };
enum cfg_readiness { CFG_READY_SETTLE, CFG_READY_TRIGGER };
enum cfg_portabilite { CFG_PORTA_NON, CFG_PORTA_OUI, CFG_PORTA_EXAMEN };
enum cfg_dispense_type { CFG_DISP_DROIT, CFG_DISP_FACULTATIVE };
enum cfg_dispense_end { CFG_DISP_END_NONE, CFG_DISP_END_REQUIRED,
			CFG_DISP_END_DEFAULT_1Y };
enum cfg_at_end { CFG_AT_END_NONE, CFG_AT_END_REINVITE, CFG_AT_END_PROOF };

struct cfg_option {
	char *code;		/* "BASE", "CONFORT" */
	char *label;		/* human label, may be NULL */
	int direct_debit;	/* paid by the employee by SEPA direct debit */
};

struct cfg_alias {
	char *alias;		/* folded header name as found in files */
	char *field;		/* canonical field name, e.g. "email" */
};

/*
 * The expected-file calendar and the small-file check (process.md,
 * "Expected files"): `expected:` of an employer.  every NONE leaves the
 * calendar off; min_share 0 leaves the size check off.
 */
enum cfg_every { CFG_EVERY_NONE, CFG_EVERY_MONTH, CFG_EVERY_WEEK };

#define CFG_MONTHLY_LAST 0	/* monthly_day: last, the month's last day */

struct cfg_expected {
	enum cfg_every every;
	int monthly_day;	/* 1..28, or CFG_MONTHLY_LAST */
	int weekly_day;		/* 1 Monday .. 7 Sunday (ISO 8601) */
	int cutoff_min;		/* local time, minutes after 00:00: "18:00" */
	char *cutoff;		/* as written, NULL: "18:00" */
	double min_share;	/* of the median of the last files: 0 off */
};

struct cfg_employer {
	char numero[CFG_NUMERO_LEN + 1];
	char *name;
	struct cfg_option *options;
	size_t noptions;
	char *base_plan;	/* one of options[].code */
	char *contact_email;	/* HR contact: reports, digests */
	char *dispense_email;	/* dispense requests; default contact_email */
	char *sftp_group;	/* default "affild-<numero>" */
	enum cfg_apply apply;
	int trailer_required;
	enum cfg_readiness readiness;
	int settle_ms;		/* default spool.settle_ms */
	enum cfg_reminders reminders;
	int reminder_interval_days;	/* automatic reminders */
	int reminder_max;
	int notify_finalisation;	/* email the employer on FINALISATION */
	int departure_letter;	/* letter as well as email on departure */
	enum cfg_portability_start portability_start;
	int portability_if_incomplete;
	int child_age_limit;	/* default 21 */
	/* The radiation gate (process.md): default process.radiation_gate_* */
	int radiation_gate_percent;	/* 0: no share limit */
	int radiation_gate_count;	/* 0: no count limit */
	char **allowed_dispenses;	/* facultative reasons the contract lists */
	size_t nallowed_dispenses;
	struct cfg_expected expected;
	char *source;		/* "file:line" where it was defined */
};

/*
 * The DSN norm the shipped departure table follows (config_defaults.c);
 * docs/config.md says the same.  A later norm's codes are added in the
 * configuration.
 */
#define CFG_DEPARTURE_REASONS_NORM \
	"DSN S21.G00.62.002, nomenclature du cahier technique depuis la " \
	"phase 3 (norme 2017), vérifiée le 2026-12-06"

struct cfg_departure_reason {
	char code[4];		/* "043" */
	char *label;
	enum cfg_portabilite portabilite;
	int never_override;	/* 088, 096 */
};

struct cfg_dispense_reason {
	char *code;
	char *label;
	enum cfg_dispense_type type;
	int evidence_required;
	enum cfg_dispense_end end;
	enum cfg_at_end at_end;
};

struct cfg {
	char *path;		/* the main file, as given */

	struct {
		char *dir;			/* default /var/spool/affild */
		int sftp_chroot;		/* default 1 */
		char *user;			/* daemon's account: "affild" */
		char *admin_group;		/* writes the admin drop:
						   "affild-admin" */
		int settle_ms;			/* default 2000 */
		int rescan_s;			/* default 60 */
		long long max_file_bytes;	/* default 2 GiB */
		long long min_free_factor;	/* claim when free >= factor*size: 3 */
		int max_attempts;		/* failed runs before quarantine: 5 */
		int out_retention_days;		/* 90 */
		int archive_retention_days;	/* 90 */
		int quarantine_retention_days;	/* 90 */
	} spool;

	struct {
		char *path;		/* default /var/lib/affild/affild.db */
		char *url;		/* postgresql://...: PostgreSQL */
		char *password_file;	/* its password; NULL: credential */
		int cache_mb;		/* default 64 */
		int busy_timeout_s;	/* default 60 */
	} db;

	struct {
		enum cfg_transport transport;	/* default file */
		char *url;			/* smtp://host:port, smtps:// */
		enum cfg_tls tls;		/* default required */
		char *from;			/* required */
		char *dir;			/* file transport folder */
		char *templates;		/* template folder */
		char *credentials_file;		/* "user:password" or NULL */
		char *print_dir;		/* PDF letters for the mail house */
		char *letter_sender;		/* insurer's address block, lines
						   split on '\n' (letters) */
		char *letter_place;		/* "Paris" in "Paris, le ...";
						   NULL: the date alone */
		int connect_timeout_s;		/* 30 */
		int timeout_s;			/* 120 */
		int max_age_s;			/* 5 days */
		char *ca_file;			/* private CA bundle, or NULL */
		int retry_min_s;		/* first retry delay: 30 */
		int retry_max_s;		/* longest retry delay: 900 */
	} mail;

	struct {
		int enabled;
		char *link_url;		/* contains "{token}" */
		char *token_key_file;	/* HMAC key; NULL: key kept in database */
		int invitation_ttl_days;	/* 30 */
	} portal;

	struct {
		int reminder_after_days;	/* 8 */
		int correction_days;		/* 60 */
		int portability_max_months;	/* 12 */
		int unemployment_proof_days;	/* 0: no reminder */
		char *creditor_id;		/* SEPA ICS */
		char *rum_prefix;		/* default "AFF" */
		int radiation_gate_percent;	/* 20; 0: off */
		int radiation_gate_count;	/* 0: no count limit */
		char *admin_email;	/* insurer's copy of the expected-file
					   alerts; NULL: the employer alone */
	} process;

	char *metrics_file;	/* Prometheus textfile, NULL: none */

	struct cfg_alias *aliases;
	size_t naliases;
	struct cfg_employer *employers;
	size_t nemployers;
	struct cfg_departure_reason *departure_reasons;
	size_t ndeparture_reasons;
	struct cfg_dispense_reason *dispense_reasons;
	size_t ndispense_reasons;
};

/*
 * One error found while loading, "file:line:column: message".
 * The list is owned by the caller: cfg_errors_free().
 */
struct cfg_errors {
	char **lines;
	size_t n;
};

/* cfg_load - load and check path; NULL with errs filled when invalid.
 * errs starts zeroed ({ NULL, 0 }); lines are appended to it. */
/* cfg_db_target - database.url when set, else database.path */
const char *cfg_db_target(const struct cfg *cfg);

struct cfg *cfg_load(const char *path, struct cfg_errors *errs);
void cfg_free(struct cfg *cfg);
void cfg_errors_free(struct cfg_errors *errs);

/* Lookups; the pointers are borrowed from cfg. NULL when unknown. */
const struct cfg_employer *cfg_employer(const struct cfg *cfg,
					const char *numero);
const struct cfg_option *cfg_option(const struct cfg_employer *emp,
				    const char *code);
const struct cfg_departure_reason *cfg_departure_reason(const struct cfg *cfg,
							const char *code);
const struct cfg_dispense_reason *cfg_dispense_reason(const struct cfg *cfg,
						      const char *code);

/*
 * Column names.  Headers in files and alias names in the config are compared
 * after cfg_fold_name(), and the CSV reader folds its header with this very
 * function, so "Date de naissance", "DATE_NAISSANCE" and "date_naissance"
 * are one column everywhere.  Folding: ASCII lower case; Latin-1 letters in
 * UTF-8 lose their accents (é è ê ë à â ä î ï ô ö ù û ü ç ..., œ is "oe",
 * æ "ae", ß "ss"); every other character (space, hyphen, apostrophe ' or
 * U+2019, punctuation, other non-ASCII) separates words; the small words
 * de d du des la le l are dropped; the words are joined by '_'.
 * "Date d'embauche" -> "date_embauche", "E-mail" -> "e_mail".
 * out always ends with a NUL; a longer result is cut at outlen - 1.
 */
#define CFG_NAME_MAX 128	/* enough for any header worth matching */

void cfg_fold_name(const char *in, char *out, size_t outlen);

/* cfg_field_name - the canonical field ("email") for a folded name, when
 * it is one or an alias of one; NULL when unknown.  Borrowed from cfg or
 * static storage. */
const char *cfg_field_name(const struct cfg *cfg, const char *folded);

#endif
