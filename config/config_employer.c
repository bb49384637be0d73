/*
 * config_employer - the employer registry: `employers:` in the main file and
 * one file or more per employer in employers.d/ beside it.
 *
 * An insurer has thousands of employers, so each usually lives in its own
 * employers.d/NAME.yaml, read in name order (strcmp, so "010-x" before
 * "100-y"): either one employer mapping at top level or a list under
 * `employers:`.  A missing employers.d/ is fine.  Each employer remembers
 * where it was defined; duplicates are found once everything is read (they
 * may sit in two files), then the registry is sorted by numero so that
 * cfg_employer() is a binary search.
 *
 * Defaults that depend on other keys are filled after the table: settle_ms
 * from spool.settle_ms, dispense_email from contact_email, sftp_group
 * "affild-<numero>" (spool.md).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/config_priv.h"

#define EOFF(f) offsetof(struct cfg_employer, f)
#define OOFF(f) offsetof(struct cfg_option, f)

_Static_assert(sizeof(enum cfg_readiness) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_reminders) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_portability_start) == sizeof(int),
	       "enum size");

static const struct cfg_name apply_names[] = {
	{ "partial", CFG_APPLY_PARTIAL },
	{ "all_or_nothing", CFG_APPLY_ALL_OR_NOTHING }, { NULL, 0 },
};

static const struct cfg_name trailer_names[] = {
	{ "required", 1 }, { "optional", 0 }, { NULL, 0 },
};

static const struct cfg_name readiness_names[] = {
	{ "settle", CFG_READY_SETTLE }, { "trigger", CFG_READY_TRIGGER },
	{ NULL, 0 },
};

static const struct cfg_name reminders_names[] = {
	{ "manual", CFG_REMINDERS_MANUAL },
	{ "automatic", CFG_REMINDERS_AUTOMATIC }, { NULL, 0 },
};

static const struct cfg_name pstart_names[] = {
	{ "next_day", CFG_PSTART_NEXT_DAY },
	{ "next_month", CFG_PSTART_NEXT_MONTH }, { NULL, 0 },
};

static const struct cfg_name weekday_names[] = {
	{ "monday", 1 }, { "tuesday", 2 }, { "wednesday", 3 },
	{ "thursday", 4 }, { "friday", 5 }, { "saturday", 6 },
	{ "sunday", 7 }, { NULL, 0 },
};

static cfg_parse_fn parse_monthly_day, parse_min_share;
static cfg_check_fn expected_check;

#define XOFF(f) (EOFF(expected) + offsetof(struct cfg_expected, f))

/* `expected:`, applied to the employer (CFG_MAP): offsets reach in */
static const struct cfg_key expected_keys[] = {
	CFG_KEY_CUSTOM("monthly_day", parse_monthly_day, CFG_OPTIONAL),
	CFG_KEY_ENUM("weekly_day", XOFF(weekly_day), NULL, weekday_names),
	CFG_KEY_STR("cutoff", XOFF(cutoff), NULL, CFG_OPTIONAL),
	CFG_KEY_CUSTOM("min_share", parse_min_share, CFG_OPTIONAL),
	CFG_KEY_END,
};

static const struct cfg_key option_keys[] = {
	CFG_KEY_STR("code", OOFF(code), NULL, CFG_REQUIRED),
	CFG_KEY_STR("label", OOFF(label), NULL, CFG_OPTIONAL),
	CFG_KEY_BOOL("direct_debit", OOFF(direct_debit), "false"),
	CFG_KEY_END,
};

static cfg_parse_fn parse_options, parse_allowed_dispenses;

static const struct cfg_key employer_keys[] = {
	CFG_KEY_DIGITS("numero", EOFF(numero), CFG_NUMERO_LEN, CFG_REQUIRED),
	CFG_KEY_STR("name", EOFF(name), NULL, CFG_REQUIRED),
	CFG_KEY_CUSTOM("options", parse_options, CFG_REQUIRED),
	CFG_KEY_STR("base_plan", EOFF(base_plan), NULL, CFG_REQUIRED),
	CFG_KEY_STR("contact_email", EOFF(contact_email), NULL, CFG_OPTIONAL),
	CFG_KEY_STR("dispense_email", EOFF(dispense_email), NULL,
		    CFG_OPTIONAL),
	CFG_KEY_STR("sftp_group", EOFF(sftp_group), NULL, CFG_OPTIONAL),
	CFG_KEY_ENUM("apply", EOFF(apply), "partial", apply_names),
	CFG_KEY_ENUM("trailer", EOFF(trailer_required), "optional",
		     trailer_names),
	CFG_KEY_ENUM("readiness", EOFF(readiness), "settle", readiness_names),
	/* no default here: spool.settle_ms, filled after the table */
	CFG_KEY_INT("settle_ms", EOFF(settle_ms), NULL, 0, 3600000),
	CFG_KEY_ENUM("reminders", EOFF(reminders), "manual", reminders_names),
	CFG_KEY_INT("reminder_interval_days", EOFF(reminder_interval_days),
		    "7", 1, 365),
	CFG_KEY_INT("reminder_max", EOFF(reminder_max), "3", 0, 50),
	CFG_KEY_BOOL("notify_finalisation", EOFF(notify_finalisation),
		     "false"),
	CFG_KEY_BOOL("departure_letter", EOFF(departure_letter), "false"),
	CFG_KEY_ENUM("portability_start", EOFF(portability_start), "next_day",
		     pstart_names),
	CFG_KEY_BOOL("portability_if_incomplete",
		     EOFF(portability_if_incomplete), "true"),
	CFG_KEY_INT("child_age_limit", EOFF(child_age_limit), "21", 16, 30),
	/* no default here: process.radiation_gate_*, filled after the table */
	CFG_KEY_INT("radiation_gate_percent", EOFF(radiation_gate_percent),
		    NULL, 0, 100),
	CFG_KEY_INT("radiation_gate_count", EOFF(radiation_gate_count), NULL,
		    0, 1000000),
	CFG_KEY_CUSTOM("allowed_dispenses", parse_allowed_dispenses,
		       CFG_OPTIONAL),
	CFG_KEY_MAP("expected", expected_keys, expected_check),
	CFG_KEY_END,
};

/* parse_monthly_day - 1..28 (every month has it), or `last` */
static void parse_monthly_day(struct cfg_ctx *ctx, yaml_node_t *node,
			      void *obj, const char *path)
{
	struct cfg_employer *emp = obj;
	const char *v = cfg_scalar(ctx, node, path);
	long day;

	if (v == NULL)
		return;
	emp->expected.every = CFG_EVERY_MONTH;
	if (strcmp(v, "last") == 0)
		emp->expected.monthly_day = CFG_MONTHLY_LAST;
	else if (parse_long(v, 1, 28, &day) == 0)
		emp->expected.monthly_day = (int)day;
	else
		cfg_error(ctx, node, "%s: '%.32s' is not a day 1..28 or last "
			  "(29..31 are lacking in some months)", path, v);
}

/* parse_min_share - a share of the usual size, 0 < x <= 1 ("0.2") */
static void parse_min_share(struct cfg_ctx *ctx, yaml_node_t *node,
			    void *obj, const char *path)
{
	struct cfg_employer *emp = obj;
	const char *v = cfg_scalar(ctx, node, path);
	char *end = NULL;
	double x;

	if (v == NULL)
		return;
	x = strtod(v, &end);
	if (end == v || *end != '\0' || !(x > 0.0 && x <= 1.0))
		cfg_error(ctx, node, "%s: '%.32s' is not a share above 0 and "
			  "at most 1 (0.2: a fifth of the usual size)", path,
			  v);
	else
		emp->expected.min_share = x;
}

/* parse_hhmm - "HH:MM", 00:00..23:59, into minutes; -1 when not */
static int parse_hhmm(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	{
		int h = (s[0] - '0') * 10 + s[1] - '0';
		int m = (s[3] - '0') * 10 + s[4] - '0';

		return h < 24 && m < 60 ? h * 60 + m : -1;
	}
}

/* expected_check - one calendar at most, a valid cutoff, someone to tell */
static void expected_check(struct cfg_ctx *ctx, void *obj,
			   const struct cfg_seen *seen, const char *path)
{
	struct cfg_employer *emp = obj;
	struct cfg_expected *x = &emp->expected;

	if (x->weekly_day != 0) {
		if (x->every == CFG_EVERY_MONTH)
			cfg_error(ctx, cfg_seen_value(seen, "weekly_day"),
				  "%s: monthly_day or weekly_day, not both",
				  path);
		x->every = CFG_EVERY_WEEK;
	}
	x->cutoff_min = parse_hhmm(x->cutoff ? x->cutoff : "18:00");
	if (x->cutoff_min < 0)
		cfg_error(ctx, cfg_seen_value(seen, "cutoff"), "%s.cutoff: "
			  "'%.32s' is not a time HH:MM (00:00..23:59, Paris)",
			  path, x->cutoff);
	else if (x->cutoff && x->every == CFG_EVERY_NONE)
		cfg_error(ctx, cfg_seen_value(seen, "cutoff"), "%s.cutoff: "
			  "needs monthly_day or weekly_day", path);
	if ((x->every != CFG_EVERY_NONE || x->min_share > 0) &&
	    emp->contact_email == NULL && ctx->cfg->process.admin_email ==
	    NULL)
		cfg_error(ctx, seen->anchor, "%s: nobody to alert: set "
			  "contact_email or process.admin_email", path);
}

/* option_check - unique codes; direct debit needs the insurer's ICS */
static void option_check(struct cfg_ctx *ctx, struct cfg_employer *emp,
			 const struct cfg_seen *seen, const char *path)
{
	struct cfg_option *opt = &emp->options[emp->noptions - 1];
	size_t i;

	for (i = 0; opt->code && i + 1 < emp->noptions; i++) {
		if (emp->options[i].code &&
		    strcmp(emp->options[i].code, opt->code) == 0) {
			cfg_error(ctx, cfg_seen_value(seen, "code"),
				  "%s.code: duplicate option '%.64s'", path,
				  opt->code);
			break;
		}
	}
	if (opt->direct_debit && ctx->cfg->process.creditor_id == NULL)
		cfg_error(ctx, cfg_seen_value(seen, "direct_debit"),
			  "%s.direct_debit: needs process.creditor_id (SEPA "
			  "creditor identifier)", path);
}

/* parse_options - the employer's plans, at least one */
static void parse_options(struct cfg_ctx *ctx, yaml_node_t *node, void *obj,
			  const char *path)
{
	struct cfg_employer *emp = obj;
	yaml_node_item_t *item;
	struct cfg_seen seen;
	char ipath[CFG_PATH_MAX];
	size_t n;

	if (cfg_expect(ctx, node, YAML_SEQUENCE_NODE, path) < 0)
		return;
	item = node->data.sequence.items.start;
	n = (size_t)(node->data.sequence.items.top - item);
	if (n == 0) {
		cfg_error(ctx, node, "%s: at least one option is required",
			  path);
		return;
	}
	emp->options = xcalloc(n, sizeof(*emp->options));
	for (; item < node->data.sequence.items.top; item++) {
		cfg_path_index(ipath, sizeof(ipath), path, emp->noptions++);
		if (cfg_keys_apply(ctx, option_keys, cfg_node(ctx, *item),
				   NULL, &emp->options[emp->noptions - 1],
				   ipath, &seen) == 0)
			option_check(ctx, emp, &seen, ipath);
	}
}

/* parse_allowed_dispenses - facultative reasons the contract lists */
static void parse_allowed_dispenses(struct cfg_ctx *ctx, yaml_node_t *node,
				    void *obj, const char *path)
{
	struct cfg_employer *emp = obj;
	yaml_node_item_t *item;
	char ipath[CFG_PATH_MAX];
	const char *code;
	size_t i = 0;

	if (cfg_expect(ctx, node, YAML_SEQUENCE_NODE, path) < 0)
		return;
	item = node->data.sequence.items.start;
	emp->allowed_dispenses = xcalloc(
		(size_t)(node->data.sequence.items.top - item), sizeof(char *));
	for (; item < node->data.sequence.items.top; item++, i++) {
		yaml_node_t *n = cfg_node(ctx, *item);

		cfg_path_index(ipath, sizeof(ipath), path, i);
		if ((code = cfg_scalar(ctx, n, ipath)) == NULL)
			continue;
		/* the reason tables come before employers in root_keys */
		if (cfg_dispense_reason(ctx->cfg, code) == NULL) {
			cfg_error(ctx, n, "%s: unknown dispense reason '%.64s'",
				  ipath, code);
			continue;
		}
		emp->allowed_dispenses[emp->nallowed_dispenses++] =
			xstrdup(code);
	}
}

/* employer_new - a zeroed employer at the end of the registry */
static struct cfg_employer *employer_new(struct cfg_ctx *ctx,
					 yaml_node_t *node)
{
	struct cfg *cfg = ctx->cfg;
	struct cfg_pos *pos;
	char source[CFG_PATH_MAX + 32];

	if (cfg->nemployers == ctx->emp_cap) {
		ctx->emp_cap = ctx->emp_cap ? 2 * ctx->emp_cap : 16;
		cfg->employers = xrealloc(cfg->employers, ctx->emp_cap *
					  sizeof(*cfg->employers));
		ctx->emp_pos = xrealloc(ctx->emp_pos, ctx->emp_cap *
					sizeof(*ctx->emp_pos));
	}
	pos = &ctx->emp_pos[cfg->nemployers];
	pos->file = ctx->nfiles - 1;
	pos->line = (unsigned long)node->start_mark.line + 1;
	pos->col = (unsigned long)node->start_mark.column + 1;
	/* a cut name in a "where was it" string is harmless */
	snprintf(source, sizeof(source), "%s:%lu", ctx->file, pos->line);
	memset(&cfg->employers[cfg->nemployers], 0, sizeof(*cfg->employers));
	cfg->employers[cfg->nemployers].source = xstrdup(source);
	return &cfg->employers[cfg->nemployers++];
}

/* employer_defaults - the defaults that depend on other keys */
static void employer_defaults(struct cfg_ctx *ctx, struct cfg_employer *emp,
			      const struct cfg_seen *seen)
{
	char group[64];

	if (!cfg_seen_has(seen, "settle_ms"))
		emp->settle_ms = ctx->cfg->spool.settle_ms;
	if (!cfg_seen_has(seen, "radiation_gate_percent"))
		emp->radiation_gate_percent =
			ctx->cfg->process.radiation_gate_percent;
	if (!cfg_seen_has(seen, "radiation_gate_count"))
		emp->radiation_gate_count =
			ctx->cfg->process.radiation_gate_count;
	if (emp->dispense_email == NULL && emp->contact_email != NULL)
		emp->dispense_email = xstrdup(emp->contact_email);
	if (emp->sftp_group == NULL) {
		snprintf(group, sizeof(group), "affild-%s", emp->numero);
		emp->sftp_group = xstrdup(group);
	}
}

/* parse_employer - one employer mapping, appended to the registry */
static void parse_employer(struct cfg_ctx *ctx, yaml_node_t *node,
			   const char *path)
{
	struct cfg_employer *emp;
	struct cfg_seen seen;

	if (cfg_expect(ctx, node, YAML_MAPPING_NODE, path) < 0)
		return;
	emp = employer_new(ctx, node);
	(void)cfg_keys_apply(ctx, employer_keys, node, NULL, emp, path, &seen);
	employer_defaults(ctx, emp, &seen);
	if (emp->base_plan != NULL && emp->noptions > 0 &&
	    cfg_option(emp, emp->base_plan) == NULL)
		cfg_error(ctx, cfg_seen_value(&seen, "base_plan"),
			  "%s.base_plan: '%.64s' is not one of the options",
			  path, emp->base_plan);
}

/* cfg_parse_employers - `employers:`, a list of employer mappings */
void cfg_parse_employers(struct cfg_ctx *ctx, yaml_node_t *node, void *obj,
			 const char *path)
{
	yaml_node_item_t *item;
	char ipath[CFG_PATH_MAX];
	size_t i = 0;

	(void)obj;
	if (cfg_expect(ctx, node, YAML_SEQUENCE_NODE, path) < 0)
		return;
	for (item = node->data.sequence.items.start;
	     item < node->data.sequence.items.top; item++, i++) {
		cfg_path_index(ipath, sizeof(ipath), path, i);
		parse_employer(ctx, cfg_node(ctx, *item), ipath);
	}
}

static const struct cfg_key file_keys[] = {
	CFG_KEY_CUSTOM("employers", cfg_parse_employers, CFG_REQUIRED),
	CFG_KEY_END,
};

/* has_key - 1 when the mapping has the scalar key name */
static int has_key(struct cfg_ctx *ctx, yaml_node_t *map, const char *name)
{
	yaml_node_pair_t *pair;
	yaml_node_t *key;

	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		key = cfg_node(ctx, pair->key);
		if (key->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)key->data.scalar.value, name) == 0)
			return 1;
	}
	return 0;
}

/* load_employer_file - one employers.d file: an employer or a list */
static void load_employer_file(struct cfg_ctx *ctx, yaml_node_t *root)
{
	if (root == NULL)
		return;		/* an empty file defines nothing */
	if (root->type == YAML_MAPPING_NODE && has_key(ctx, root, "employers"))
		(void)cfg_keys_apply(ctx, file_keys, root, NULL, ctx->cfg, "",
				     NULL);
	else
		parse_employer(ctx, root, "employer");
}

/* employers_dir - "<dirname of the main file>/employers.d", owned */
static char *employers_dir(const char *main_path)
{
	const char *slash = strrchr(main_path, '/');
	size_t dirlen = slash ? (size_t)(slash - main_path) + 1 : 0;
	size_t len = dirlen + sizeof("employers.d");
	char *dir = xmalloc(len);

	memcpy(dir, main_path, dirlen);
	memcpy(dir + dirlen, "employers.d", sizeof("employers.d"));
	return dir;
}

/* cmp_str - qsort of char * by strcmp */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* wanted - "*.yaml", never a hidden file (editors' swap and temp files) */
static int wanted(const char *name)
{
	return name[0] != '.' && str_has_suffix(name, ".yaml");
}

/* list_yaml - the sorted *.yaml names of dir; -1 (reported) on error */
static int list_yaml(struct cfg_ctx *ctx, const char *dir, char ***names,
		     size_t *n)
{
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		cfg_error_at(ctx, dir, 1, 1, "cannot open folder: %s",
			     strerror(errno));
		return -1;
	}
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (!wanted(de->d_name))
			continue;
		*names = xrealloc(*names, (*n + 1) * sizeof(char *));
		(*names)[(*n)++] = xstrdup(de->d_name);
	}
	if (errno != 0)
		cfg_error_at(ctx, dir, 1, 1, "cannot read folder: %s",
			     strerror(errno));
	(void)closedir(d);	/* read only: nothing to lose */
	if (*n > 1)
		qsort(*names, *n, sizeof(char *), cmp_str);
	return 0;
}

/* cfg_load_employers_d - each employers.d/NAME.yaml beside the main file */
void cfg_load_employers_d(struct cfg_ctx *ctx, const char *main_path)
{
	char *dir = employers_dir(main_path);
	char **names = NULL;
	char path[4096];
	size_t i, n = 0;

	if (list_yaml(ctx, dir, &names, &n) == 0) {
		for (i = 0; i < n; i++) {
			if (snprintf(path, sizeof(path), "%s/%s", dir,
				     names[i]) >= (int)sizeof(path))
				cfg_error_at(ctx, dir, 1, 1,
					     "file name too long: %.64s...",
					     names[i]);
			else
				(void)cfg_read_file(ctx, path,
						    load_employer_file);
		}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(dir);
}

/* One employer in the duplicate search: sorting these, not the employers,
 * keeps emp_pos[] in step. */
struct dup_key {
	const char *numero;
	size_t index;
};

/* cmp_dup - by numero, then by order of definition */
static int cmp_dup(const void *a, const void *b)
{
	const struct dup_key *x = a, *y = b;
	int c = strcmp(x->numero, y->numero);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* cmp_employer - qsort of the registry by numero */
static int cmp_employer(const void *a, const void *b)
{
	const struct cfg_employer *x = a, *y = b;

	return strcmp(x->numero, y->numero);
}

/* report_duplicates - each later definition of a numero, at its place */
static void report_duplicates(struct cfg_ctx *ctx, const struct dup_key *dk,
			      size_t n)
{
	const struct cfg_employer *emp = ctx->cfg->employers;
	const struct cfg_pos *pos;
	size_t k, first = 0;

	for (k = 1; k < n; k++) {
		if (strcmp(dk[k].numero, dk[first].numero) != 0) {
			first = k;
			continue;
		}
		if (dk[k].numero[0] == '\0')
			continue;	/* already reported as missing */
		pos = &ctx->emp_pos[dk[k].index];
		cfg_error_at(ctx, ctx->files[pos->file], pos->line, pos->col,
			     "duplicate employer numero %s, first defined at %s",
			     dk[k].numero, emp[dk[first].index].source);
	}
}

/* cfg_employers_finish - duplicates across files, then sort by numero */
void cfg_employers_finish(struct cfg_ctx *ctx)
{
	struct cfg *cfg = ctx->cfg;
	struct dup_key *dk;
	size_t i;

	if (cfg->nemployers == 0)
		return;
	dk = xcalloc(cfg->nemployers, sizeof(*dk));
	for (i = 0; i < cfg->nemployers; i++) {
		dk[i].numero = cfg->employers[i].numero;
		dk[i].index = i;
	}
	qsort(dk, cfg->nemployers, sizeof(*dk), cmp_dup);
	report_duplicates(ctx, dk, cfg->nemployers);
	free(dk);
	qsort(cfg->employers, cfg->nemployers, sizeof(*cfg->employers),
	      cmp_employer);
}

/* cfg_employer_free - the strings and lists of one employer */
void cfg_employer_free(struct cfg_employer *emp)
{
	size_t i;

	free(emp->name);
	for (i = 0; i < emp->noptions; i++) {
		free(emp->options[i].code);
		free(emp->options[i].label);
	}
	free(emp->options);
	free(emp->base_plan);
	free(emp->contact_email);
	free(emp->dispense_email);
	free(emp->sftp_group);
	for (i = 0; i < emp->nallowed_dispenses; i++)
		free(emp->allowed_dispenses[i]);
	free(emp->allowed_dispenses);
	free(emp->expected.cutoff);
	free(emp->source);
}
