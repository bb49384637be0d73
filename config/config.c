/*
 * config - load affild.yaml (and employers.d/) into a fresh struct cfg.
 *
 * The shape of the file is the table root_keys below and the section tables
 * it names: reading a key is a row, not code.  What rows cannot say (a mail
 * URL only needed by the smtp transport, a portal link that must hold
 * "{token}") lives in one small check function per section.  Employers,
 * reason tables and aliases are lists, read by their own files
 * (config_employer.c, config_reasons.c, config_alias.c).
 *
 * Order of work: built-in reason tables and aliases first (the file amends
 * them), then the main file, then employers.d/ in name order, then the checks
 * that need every employer (duplicate numeros).  Nothing is swapped into the
 * running daemon here; the caller does that with a struct that loaded clean.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/utf8.h"
#include "common/util.h"
#include "config/config_priv.h"

/* Enum fields are filled through an int pointer by the key tables. */
_Static_assert(sizeof(enum cfg_transport) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_tls) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_apply) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_portabilite) == sizeof(int), "enum size");

#define OFF(f) offsetof(struct cfg, f)

static const struct cfg_name transport_names[] = {
	{ "file", CFG_TRANSPORT_FILE }, { "smtp", CFG_TRANSPORT_SMTP },
	{ NULL, 0 },
};

static const struct cfg_name tls_names[] = {
	{ "required", CFG_TLS_REQUIRED }, { "none", CFG_TLS_NONE },
	{ NULL, 0 },
};

static const struct cfg_key spool_keys[] = {
	CFG_KEY_STR("dir", OFF(spool.dir), NULL, CFG_REQUIRED),
	CFG_KEY_BOOL("sftp_chroot", OFF(spool.sftp_chroot), "true"),
	/* the daemon's account: --prepare-spool (as root) gives it the drops */
	CFG_KEY_STR("user", OFF(spool.user), "affild", CFG_OPTIONAL),
	/* the admins' group: --prepare-spool gives it the admin drop, where
	 * affilctl's write verbs queue their files (sftp.md) */
	CFG_KEY_STR("admin_group", OFF(spool.admin_group), "affild-admin",
		    CFG_OPTIONAL),
	CFG_KEY_INT("settle_ms", OFF(spool.settle_ms), "2000", 0, 3600000),
	CFG_KEY_INT("rescan_s", OFF(spool.rescan_s), "60", 1, 86400),
	/* 2 GiB by default, 1 TiB at most: beyond, nobody mails a file */
	CFG_KEY_LLONG("max_file_bytes", OFF(spool.max_file_bytes),
		      "2147483648", 1, 1LL << 40),
	/* the WAL of one big transaction grows with the file: spool.md;
	 * a huge factor is how an admin (or a test) stops claiming at once */
	CFG_KEY_LLONG("min_free_factor", OFF(spool.min_free_factor), "3",
		      1, 1000000000000LL),
	/* a run failing for a reason time does not cure (not busy, not
	 * full): after this many, the file goes to quarantine (E017) */
	CFG_KEY_INT("max_attempts", OFF(spool.max_attempts), "5", 1, 1000),
	CFG_KEY_INT("out_retention_days", OFF(spool.out_retention_days),
		    "90", 1, 3650),
	CFG_KEY_INT("archive_retention_days",
		    OFF(spool.archive_retention_days), "90", 1, 3650),
	CFG_KEY_INT("quarantine_retention_days",
		    OFF(spool.quarantine_retention_days), "90", 1, 3650),
	CFG_KEY_END,
};

static const struct cfg_key database_keys[] = {
	CFG_KEY_STR("path", OFF(db.path), NULL, CFG_REQUIRED),
	/* PostgreSQL instead of the SQLite file: path then only names
	 * this node's own files (its lock, the mail journal, metrics) */
	CFG_KEY_STR("url", OFF(db.url), NULL, CFG_OPTIONAL),
	CFG_KEY_STR("password_file", OFF(db.password_file), NULL,
		    CFG_OPTIONAL),
	CFG_KEY_INT("cache_mb", OFF(db.cache_mb), "16", 1, 4096),
	CFG_KEY_INT("busy_timeout_s", OFF(db.busy_timeout_s), "60", 0, 3600),
	CFG_KEY_END,
};

static const struct cfg_key mail_keys[] = {
	CFG_KEY_ENUM("transport", OFF(mail.transport), "file",
		     transport_names),
	CFG_KEY_STR("url", OFF(mail.url), NULL, CFG_OPTIONAL),
	CFG_KEY_ENUM("tls", OFF(mail.tls), "required", tls_names),
	CFG_KEY_STR("from", OFF(mail.from), NULL, CFG_REQUIRED),
	CFG_KEY_STR("dir", OFF(mail.dir), NULL, CFG_OPTIONAL),
	CFG_KEY_STR("templates", OFF(mail.templates),
		    "/usr/share/affild/templates/fr", CFG_OPTIONAL),
	CFG_KEY_STR("credentials_file", OFF(mail.credentials_file), NULL,
		    CFG_OPTIONAL),
	CFG_KEY_STR("print_dir", OFF(mail.print_dir), NULL, CFG_OPTIONAL),
	/* letters: the return address block, one line per '\n' (YAML |) */
	CFG_KEY_STR("letter_sender", OFF(mail.letter_sender),
		    "Service Adhésions santé collective", CFG_OPTIONAL),
	CFG_KEY_STR("letter_place", OFF(mail.letter_place), NULL,
		    CFG_OPTIONAL),
	CFG_KEY_INT("connect_timeout_s", OFF(mail.connect_timeout_s), "30",
		    1, 600),
	CFG_KEY_INT("timeout_s", OFF(mail.timeout_s), "120", 1, 3600),
	/* parked after this long: 5 days by default, product.md */
	CFG_KEY_INT("max_age_s", OFF(mail.max_age_s), "432000", 60,
		    30 * 86400),
	/* smtp transport (issue 6): private CA, retry backoff bounds */
	CFG_KEY_STR("ca_file", OFF(mail.ca_file), NULL, CFG_OPTIONAL),
	CFG_KEY_INT("retry_min_s", OFF(mail.retry_min_s), "30", 1, 86400),
	CFG_KEY_INT("retry_max_s", OFF(mail.retry_max_s), "900", 1, 86400),
	CFG_KEY_END,
};

static const struct cfg_key portal_keys[] = {
	CFG_KEY_BOOL("enabled", OFF(portal.enabled), "false"),
	CFG_KEY_STR("link_url", OFF(portal.link_url), NULL, CFG_OPTIONAL),
	CFG_KEY_STR("token_key_file", OFF(portal.token_key_file), NULL,
		    CFG_OPTIONAL),
	CFG_KEY_INT("invitation_ttl_days", OFF(portal.invitation_ttl_days),
		    "30", 1, 365),
	CFG_KEY_END,
};

static const struct cfg_key process_keys[] = {
	CFG_KEY_INT("reminder_after_days", OFF(process.reminder_after_days),
		    "8", 1, 365),
	CFG_KEY_INT("correction_days", OFF(process.correction_days), "60",
		    0, 3650),
	/* art. L911-8 CSS caps portability at 12 months */
	CFG_KEY_INT("portability_max_months",
		    OFF(process.portability_max_months), "12", 1, 12),
	CFG_KEY_INT("unemployment_proof_days",
		    OFF(process.unemployment_proof_days), "0", 0, 365),
	CFG_KEY_STR("creditor_id", OFF(process.creditor_id), NULL,
		    CFG_OPTIONAL),
	CFG_KEY_STR("rum_prefix", OFF(process.rum_prefix), "AFF",
		    CFG_OPTIONAL),
	/* the radiation gate: a file radiating more is held (process.md) */
	CFG_KEY_INT("radiation_gate_percent",
		    OFF(process.radiation_gate_percent), "20", 0, 100),
	CFG_KEY_INT("radiation_gate_count",
		    OFF(process.radiation_gate_count), "0", 0, 1000000),
	CFG_KEY_STR("admin_email", OFF(process.admin_email), NULL,
		    CFG_OPTIONAL),
	CFG_KEY_END,
};

static cfg_check_fn database_check, mail_check, portal_check, process_check;

/* Table order is evaluation order: employers come after what they use. */
static const struct cfg_key root_keys[] = {
	CFG_KEY_MAP("spool", spool_keys, NULL),
	CFG_KEY_MAP("database", database_keys, database_check),
	CFG_KEY_MAP("mail", mail_keys, mail_check),
	CFG_KEY_MAP("portal", portal_keys, portal_check),
	CFG_KEY_MAP("process", process_keys, process_check),
	CFG_KEY_STR("metrics_file", OFF(metrics_file), NULL, CFG_OPTIONAL),
	CFG_KEY_CUSTOM("aliases", cfg_parse_aliases, CFG_OPTIONAL),
	CFG_KEY_CUSTOM("departure_reasons", cfg_parse_departure_reasons,
		       CFG_OPTIONAL),
	CFG_KEY_CUSTOM("dispense_reasons", cfg_parse_dispense_reasons,
		       CFG_OPTIONAL),
	CFG_KEY_CUSTOM("employers", cfg_parse_employers, CFG_OPTIONAL),
	CFG_KEY_END,
};

/* lines_count - lines of s, a final '\n' ending the last one */
static int lines_count(const char *s)
{
	int n = *s != '\0';

	for (; *s; s++)
		if (*s == '\n' && s[1] != '\0')
			n++;
	return n;
}

/*
 * database_check - a PostgreSQL URL, without a password: the config is
 * readable by the admins, the password belongs in password_file (0600)
 * or the unit's credential.
 */
static void database_check(struct cfg_ctx *ctx, void *obj,
			   const struct cfg_seen *seen, const char *path)
{
	struct cfg *cfg = obj;
	const char *url = cfg->db.url, *at, *auth;

	if (url == NULL) {
		if (cfg->db.password_file != NULL)
			cfg_error(ctx, cfg_seen_blame(seen, "password_file"),
				  "%s.password_file: only with url", path);
		return;
	}
	if (strncmp(url, "postgresql://", 13) != 0 &&
	    strncmp(url, "postgres://", 11) != 0) {
		cfg_error(ctx, cfg_seen_value(seen, "url"),
			  "%s.url: must start with postgresql://", path);
		return;
	}
	auth = strstr(url, "://") + 3;
	at = strchr(auth, '@');
	if ((at != NULL && memchr(auth, ':', (size_t)(at - auth)) != NULL) ||
	    strstr(url, "password=") != NULL)
		cfg_error(ctx, cfg_seen_blame(seen, "url"),
			  "%s.url: holds a password; put it in "
			  "password_file or the credential db-password", path);
}

/* mail_check - each transport needs its own destination */
static void mail_check(struct cfg_ctx *ctx, void *obj,
		       const struct cfg_seen *seen, const char *path)
{
	struct cfg *cfg = obj;
	const char *url = cfg->mail.url;

	/* NF Z10-011: an address block holds at most 6 lines */
	if (cfg->mail.letter_sender != NULL &&
	    (lines_count(cfg->mail.letter_sender) == 0 ||
	     lines_count(cfg->mail.letter_sender) > 6))
		cfg_error(ctx, cfg_seen_blame(seen, "letter_sender"),
			  "%s.letter_sender: 1 to 6 lines", path);
	if (cfg->mail.from != NULL && strchr(cfg->mail.from, '@') == NULL)
		cfg_error(ctx, cfg_seen_value(seen, "from"),
			  "%s.from: '%.64s' holds no address", path,
			  cfg->mail.from);
	if (cfg->mail.retry_min_s > cfg->mail.retry_max_s)
		cfg_error(ctx, cfg_seen_blame(seen, "retry_min_s"),
			  "%s.retry_min_s: longer than retry_max_s", path);
	if (cfg->mail.transport == CFG_TRANSPORT_FILE) {
		if (cfg->mail.dir == NULL)
			cfg_error(ctx, cfg_seen_blame(seen, "transport"),
				  "%s.dir: required when transport is file",
				  path);
		return;
	}
	if (url == NULL) {
		cfg_error(ctx, cfg_seen_blame(seen, "transport"),
			  "%s.url: required when transport is smtp", path);
	} else if (strncmp(url, "smtp://", 7) != 0 &&
		   strncmp(url, "smtps://", 8) != 0) {
		cfg_error(ctx, cfg_seen_value(seen, "url"),
			  "%s.url: '%.64s' must start with smtp:// or smtps://",
			  path, url);
	} else if (cfg->mail.tls == CFG_TLS_NONE &&
		   strncmp(url, "smtps://", 8) == 0) {
		cfg_error(ctx, cfg_seen_value(seen, "tls"),
			  "%s.tls: none contradicts an smtps:// url", path);
	}
}

/* portal_check - a link without its token could never be personal */
static void portal_check(struct cfg_ctx *ctx, void *obj,
			 const struct cfg_seen *seen, const char *path)
{
	struct cfg *cfg = obj;

	if (cfg->portal.link_url != NULL &&
	    strstr(cfg->portal.link_url, "{token}") == NULL)
		cfg_error(ctx, cfg_seen_value(seen, "link_url"),
			  "%s.link_url: must contain {token}", path);
	else if (cfg->portal.enabled && cfg->portal.link_url == NULL)
		cfg_error(ctx, cfg_seen_blame(seen, "enabled"),
			  "%s.link_url: required when the portal is enabled",
			  path);
}

/* str_all - 1 when every byte of s is in set */
static int str_all(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

#define UPPER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGITS "0123456789"

/* ics_ok - SEPA creditor id: country, 2 check digits, up to 31 more */
static int ics_ok(const char *s)
{
	size_t len = strlen(s);

	return len >= 8 && len <= 35 && str_all(s, UPPER DIGITS) &&
	       strspn(s, UPPER) >= 2 && strspn(s + 2, DIGITS) >= 2;
}

/*
 * process_check - SEPA identifiers.  RUMs are built as rum_prefix + the
 * 8-digit numero + a sequence and may not pass 35 characters, so the
 * prefix stays short and plain.
 */
static void process_check(struct cfg_ctx *ctx, void *obj,
			  const struct cfg_seen *seen, const char *path)
{
	struct cfg *cfg = obj;
	const char *ics = cfg->process.creditor_id;
	const char *rum = cfg->process.rum_prefix;

	if (ics != NULL && !ics_ok(ics))
		cfg_error(ctx, cfg_seen_value(seen, "creditor_id"),
			  "%s.creditor_id: '%.64s' is not a SEPA creditor "
			  "identifier", path, ics);
	if (rum == NULL)
		return;		/* its value was rejected already */
	if (strlen(rum) == 0 || strlen(rum) > 12 ||
	    !str_all(rum, UPPER DIGITS "abcdefghijklmnopqrstuvwxyz"))
		cfg_error(ctx, cfg_seen_blame(seen, "rum_prefix"),
			  "%s.rum_prefix: 1 to 12 letters or digits", path);
}

/* offset_position - line and column of a byte offset, reading fp again:
 * libyaml's reader reports bad bytes by offset only */
static void offset_position(FILE *fp, size_t offset, unsigned long *line,
			    unsigned long *col)
{
	size_t i;
	int c;

	*line = *col = 1;
	if (fseek(fp, 0L, SEEK_SET) != 0)
		return;		/* then 1:1, and the message has the offset */
	for (i = 0; i < offset && (c = getc(fp)) != EOF; i++) {
		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if (!utf8_is_continuation(c)) {
			(*col)++;	/* columns count characters */
		}
	}
}

/* report_parse_error - libyaml's own words, at its position */
static void report_parse_error(struct cfg_ctx *ctx, yaml_parser_t *parser,
			       FILE *fp)
{
	const char *problem = parser->problem ? parser->problem : "error";
	unsigned long line, col;

	if (parser->error == YAML_MEMORY_ERROR) {
		log_err("config: out of memory reading %s", ctx->file);
		abort();
	}
	if (parser->error == YAML_READER_ERROR) {
		offset_position(fp, parser->problem_offset, &line, &col);
		cfg_error_at(ctx, ctx->file, line, col,
			     "invalid input at byte %zu: %s",
			     parser->problem_offset, problem);
		return;
	}
	cfg_error_at(ctx, ctx->file,
		     (unsigned long)parser->problem_mark.line + 1,
		     (unsigned long)parser->problem_mark.column + 1,
		     "syntax error: %s%s%s", problem,
		     parser->context ? " " : "",
		     parser->context ? parser->context : "");
}

/* open_config - open a regular file of sane size, or report why not */
static FILE *open_config(struct cfg_ctx *ctx, const char *path)
{
	struct stat st;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		cfg_error_at(ctx, path, 1, 1, "cannot open: %s",
			     strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) < 0)
		cfg_error_at(ctx, path, 1, 1, "cannot stat: %s",
			     strerror(errno));
	else if (!S_ISREG(st.st_mode))
		cfg_error_at(ctx, path, 1, 1, "not a regular file");
	else if (st.st_size > CFG_FILE_MAX)
		cfg_error_at(ctx, path, 1, 1, "larger than %ld bytes",
			     CFG_FILE_MAX);
	else
		return fp;
	(void)fclose(fp);	/* read only: nothing to lose */
	return NULL;
}

/* only_document - a second "---" document would be silently ignored */
static void only_document(struct cfg_ctx *ctx, yaml_parser_t *parser,
			  FILE *fp)
{
	yaml_document_t next;
	yaml_node_t *root;

	if (!yaml_parser_load(parser, &next)) {
		report_parse_error(ctx, parser, fp);
		return;
	}
	if ((root = yaml_document_get_root_node(&next)) != NULL)
		cfg_error(ctx, root, "only one YAML document is allowed");
	yaml_document_delete(&next);
}

/*
 * cfg_read_file - parse path and hand its root node (NULL when the file is
 * empty) to fn.  -1 when the file could not be opened; a syntax error is
 * reported and gives 0, so the caller goes on checking other files.
 */
int cfg_read_file(struct cfg_ctx *ctx, const char *path, cfg_root_fn *fn)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	FILE *fp;

	/* Kept to the end of the load: employers' positions refer to it. */
	ctx->files = xrealloc(ctx->files, (ctx->nfiles + 1) * sizeof(char *));
	ctx->files[ctx->nfiles++] = xstrdup(path);
	ctx->file = ctx->files[ctx->nfiles - 1];
	if ((fp = open_config(ctx, path)) == NULL)
		return -1;
	if (!yaml_parser_initialize(&parser)) {
		log_err("config: out of memory starting the YAML parser");
		abort();
	}
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		report_parse_error(ctx, &parser, fp);
	} else {
		ctx->doc = &doc;
		fn(ctx, yaml_document_get_root_node(&doc));
		ctx->doc = NULL;
		yaml_document_delete(&doc);
		only_document(ctx, &parser, fp);
	}
	yaml_parser_delete(&parser);
	(void)fclose(fp);	/* read only: nothing to lose */
	return 0;
}

/* load_main - the main file: every section, in table order */
static void load_main(struct cfg_ctx *ctx, yaml_node_t *root)
{
	(void)cfg_keys_apply(ctx, root_keys, root, NULL, ctx->cfg, "", NULL);
}

/* ctx_free - what the load kept for its own messages */
static void ctx_free(struct cfg_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nfiles; i++)
		free(ctx->files[i]);
	free(ctx->files);
	free(ctx->emp_pos);
}

/*
 * metrics_default - metrics beside the database, in the state folder the
 * unit may write (ReadWritePaths), unless "none".
 */
static void metrics_default(struct cfg *cfg)
{
	const char *slash;
	char buf[4096];

	if (cfg->metrics_file && strcmp(cfg->metrics_file, "none") == 0) {
		free(cfg->metrics_file);
		cfg->metrics_file = NULL;
		return;
	}
	if (cfg->metrics_file || cfg->db.path == NULL)
		return;
	slash = strrchr(cfg->db.path, '/');
	if (slash == NULL)
		snprintf(buf, sizeof(buf), "affild.prom");
	else if ((size_t)snprintf(buf, sizeof(buf), "%.*s/affild.prom",
				  (int)(slash - cfg->db.path),
				  cfg->db.path) >= sizeof(buf))
		return;
	cfg->metrics_file = xstrdup(buf);
}

const char *cfg_db_target(const struct cfg *cfg)
{
	return cfg->db.url ? cfg->db.url : cfg->db.path;
}

/* cfg_load - see config.h */
struct cfg *cfg_load(const char *path, struct cfg_errors *errs)
{
	struct cfg_ctx ctx;
	struct cfg *cfg = xcalloc(1, sizeof(*cfg));

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.errs = errs;
	cfg->path = xstrdup(path);
	cfg_defaults_reasons(cfg);
	cfg_defaults_aliases(cfg);
	/* A missing main file makes every other complaint noise. */
	if (cfg_read_file(&ctx, path, load_main) == 0)
		cfg_load_employers_d(&ctx, path);
	cfg_employers_finish(&ctx);
	ctx_free(&ctx);
	if (ctx.nerrors == 0) {
		metrics_default(cfg);
		return cfg;
	}
	cfg_free(cfg);
	return NULL;
}

/* free_sections - the strings of the scalar sections */
static void free_sections(struct cfg *cfg)
{
	free(cfg->spool.dir);
	free(cfg->spool.user);
	free(cfg->spool.admin_group);
	free(cfg->db.path);
	free(cfg->mail.url);
	free(cfg->db.url);
	free(cfg->db.password_file);
	free(cfg->mail.from);
	free(cfg->mail.dir);
	free(cfg->mail.templates);
	free(cfg->mail.credentials_file);
	free(cfg->mail.print_dir);
	free(cfg->mail.letter_sender);
	free(cfg->mail.letter_place);
	free(cfg->mail.ca_file);
	free(cfg->portal.link_url);
	free(cfg->portal.token_key_file);
	free(cfg->process.creditor_id);
	free(cfg->process.rum_prefix);
	free(cfg->process.admin_email);
	free(cfg->metrics_file);
}

/* cfg_free - release cfg and everything in it; NULL is fine */
void cfg_free(struct cfg *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free_sections(cfg);
	for (i = 0; i < cfg->naliases; i++) {
		free(cfg->aliases[i].alias);
		free(cfg->aliases[i].field);
	}
	free(cfg->aliases);
	for (i = 0; i < cfg->nemployers; i++)
		cfg_employer_free(&cfg->employers[i]);
	free(cfg->employers);
	for (i = 0; i < cfg->ndeparture_reasons; i++)
		free(cfg->departure_reasons[i].label);
	free(cfg->departure_reasons);
	for (i = 0; i < cfg->ndispense_reasons; i++) {
		free(cfg->dispense_reasons[i].code);
		free(cfg->dispense_reasons[i].label);
	}
	free(cfg->dispense_reasons);
	free(cfg->path);
	free(cfg);
}

/* cfg_errors_free - release the lines; the list can be reused after */
void cfg_errors_free(struct cfg_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		free(errs->lines[i]);
	free(errs->lines);
	errs->lines = NULL;
	errs->n = 0;
}

/* cmp_employer_key - bsearch: numero against an employer */
static int cmp_employer_key(const void *key, const void *elem)
{
	const struct cfg_employer *emp = elem;

	return strcmp(key, emp->numero);
}

/* cfg_employer - employers are sorted by numero once loaded */
const struct cfg_employer *cfg_employer(const struct cfg *cfg,
					const char *numero)
{
	if (numero == NULL || cfg->nemployers == 0)
		return NULL;
	return bsearch(numero, cfg->employers, cfg->nemployers,
		       sizeof(*cfg->employers), cmp_employer_key);
}

/* cfg_option - an employer's option by code */
const struct cfg_option *cfg_option(const struct cfg_employer *emp,
				    const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < emp->noptions; i++)
		if (emp->options[i].code != NULL &&	/* invalid config */
		    strcmp(emp->options[i].code, code) == 0)
			return &emp->options[i];
	return NULL;
}

/* cfg_departure_reason - a DSN departure code, "043" */
const struct cfg_departure_reason *cfg_departure_reason(const struct cfg *cfg,
							const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < cfg->ndeparture_reasons; i++)
		if (strcmp(cfg->departure_reasons[i].code, code) == 0)
			return &cfg->departure_reasons[i];
	return NULL;
}

/* cfg_dispense_reason - a dispense reason by code, "CSS" */
const struct cfg_dispense_reason *cfg_dispense_reason(const struct cfg *cfg,
						      const char *code)
{
	size_t i;

	for (i = 0; code != NULL && i < cfg->ndispense_reasons; i++)
		if (strcmp(cfg->dispense_reasons[i].code, code) == 0)
			return &cfg->dispense_reasons[i];
	return NULL;
}
