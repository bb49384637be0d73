/*
 * config_priv - what the config_*.c files share, and nothing else sees.
 *
 * The loader is driven by key tables, like Postfix's CONFIG_*_TABLE and
 * OpenSMTPD's parse tables: one row per YAML key names its type, where it
 * lands in the target struct (an offsetof), its default as text (parsed by
 * the same code as the file's value, so a default can never escape its own
 * bounds), its bounds or names, and whether it is required.  A mapping is
 * read by cfg_keys_apply(), which reports unknown and duplicate keys, wrong
 * types and bad values, and fills every row, from the file or the default.
 * Keys whose value is a list or a nested table of their own (employers,
 * options, reason tables, aliases) use a CFG_CUSTOM row with a parse hook.
 *
 * Errors never stop the walk: each is one "file:line:column: message" line
 * appended to the caller's list, so one run shows every problem.  A load is
 * valid exactly when it appended no error.
 */
#ifndef AFFILD_CONFIG_PRIV_H
#define AFFILD_CONFIG_PRIV_H

#include <stddef.h>
#include <yaml.h>

#include "config.h"

#define CFG_MAX_KEYS	64	/* rows per table: one bit each in a mask */
#define CFG_MAX_ERRORS	200	/* then one "too many errors" line */
#define CFG_PATH_MAX	256	/* "employers[12].options[3].code" */
#define CFG_FILE_MAX	(64L * 1024 * 1024)	/* one YAML file */

/*
 * The state of one cfg_load(): the struct being filled, the error list, and
 * the file and document being read (both change for each employers.d file).
 */
struct cfg_pos {
	size_t file;			/* index in cfg_ctx.files */
	unsigned long line, col;	/* 1-based */
};

struct cfg_ctx {
	struct cfg *cfg;
	struct cfg_errors *errs;
	size_t nerrors;			/* appended by this load */
	const char *file;		/* files[nfiles - 1] */
	yaml_document_t *doc;		/* the document being walked */
	char **files;			/* every file read, owned */
	size_t nfiles;
	struct cfg_pos *emp_pos;	/* where employers[i] was defined,
					   for duplicate reports once the
					   documents are gone */
	size_t emp_cap;			/* of employers and emp_pos */
};

enum cfg_type {
	CFG_STR,	/* char *, owned */
	CFG_BOOL,	/* int: true/false/yes/no */
	CFG_INT,	/* int in [min, max] */
	CFG_LLONG,	/* long long in [min, max] */
	CFG_ENUM,	/* int (or an enum) from names[] */
	CFG_DIGITS,	/* char[min + 1]: exactly min ASCII digits */
	CFG_MAP,	/* a nested section: sub[] applied to the same obj */
	CFG_CUSTOM,	/* parse(): lists and the like */
};

struct cfg_name {
	const char *name;
	int value;
};

struct cfg_seen;

/* parse hook of a CFG_CUSTOM row: node is present and not null */
typedef void cfg_parse_fn(struct cfg_ctx *ctx, yaml_node_t *node, void *obj,
			  const char *path);
/* check hook of a CFG_MAP row: cross-key rules once the section is read */
typedef void cfg_check_fn(struct cfg_ctx *ctx, void *obj,
			  const struct cfg_seen *seen, const char *path);

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t offset;			/* into obj; unused by MAP, CUSTOM */
	const char *def;		/* default as YAML text; NULL: none */
	long long min, max;		/* INT, LLONG bounds; DIGITS count */
	const struct cfg_name *names;	/* ENUM, ended by a NULL name */
	const struct cfg_key *sub;	/* MAP, ended by a NULL name */
	cfg_parse_fn *parse;		/* CUSTOM */
	cfg_check_fn *check;		/* MAP, optional */
	int required;
};

/*
 * Table rows, one macro per type so a table reads as a list of keys.
 * off is an offsetof() into the struct the table fills.
 */
#define CFG_KEY_STR(n, off, d, req) \
	{ .name = (n), .type = CFG_STR, .offset = (off), .def = (d), \
	  .required = (req) }
#define CFG_KEY_BOOL(n, off, d) \
	{ .name = (n), .type = CFG_BOOL, .offset = (off), .def = (d) }
#define CFG_KEY_INT(n, off, d, lo, hi) \
	{ .name = (n), .type = CFG_INT, .offset = (off), .def = (d), \
	  .min = (lo), .max = (hi) }
#define CFG_KEY_LLONG(n, off, d, lo, hi) \
	{ .name = (n), .type = CFG_LLONG, .offset = (off), .def = (d), \
	  .min = (lo), .max = (hi) }
#define CFG_KEY_ENUM(n, off, d, tab) \
	{ .name = (n), .type = CFG_ENUM, .offset = (off), .def = (d), \
	  .names = (tab) }
#define CFG_KEY_DIGITS(n, off, count, req) \
	{ .name = (n), .type = CFG_DIGITS, .offset = (off), \
	  .min = (count), .max = (count), .required = (req) }
#define CFG_KEY_MAP(n, tab, chk) \
	{ .name = (n), .type = CFG_MAP, .sub = (tab), .check = (chk) }
#define CFG_KEY_CUSTOM(n, fn, req) \
	{ .name = (n), .type = CFG_CUSTOM, .parse = (fn), .required = (req) }
#define CFG_KEY_END { .name = NULL }

#define CFG_REQUIRED 1
#define CFG_OPTIONAL 0

/* What one cfg_keys_apply() found, row by row of its table. */
struct cfg_seen {
	const struct cfg_key *keys;
	unsigned long long mask;	/* bit i: row i given a non-null value */
	yaml_node_t *key[CFG_MAX_KEYS];	/* the key node, when present */
	yaml_node_t *value[CFG_MAX_KEYS];
	yaml_node_t *anchor;		/* what to blame for a missing key */
};

/* config_keys.c: errors, nodes, tables */
void cfg_error(struct cfg_ctx *ctx, const yaml_node_t *node, const char *fmt,
	       ...) __attribute__((format(printf, 3, 4)));
void cfg_error_at(struct cfg_ctx *ctx, const char *file, unsigned long line,
		  unsigned long col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
yaml_node_t *cfg_node(struct cfg_ctx *ctx, int index);
int cfg_node_is_null(const yaml_node_t *node);
const char *cfg_node_kind(const yaml_node_t *node);
int cfg_expect(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_type_t type,
	       const char *path);
const char *cfg_scalar(struct cfg_ctx *ctx, yaml_node_t *node,
		       const char *path);
void cfg_path(char *out, size_t outlen, const char *where, const char *key);
void cfg_path_index(char *out, size_t outlen, const char *where, size_t i);
int cfg_keys_apply(struct cfg_ctx *ctx, const struct cfg_key *keys,
		   yaml_node_t *map, yaml_node_t *anchor, void *obj,
		   const char *where, struct cfg_seen *seen);
int cfg_seen_has(const struct cfg_seen *seen, const char *name);
yaml_node_t *cfg_seen_value(const struct cfg_seen *seen, const char *name);
yaml_node_t *cfg_seen_blame(const struct cfg_seen *seen, const char *name);

/* config_employer.c */
cfg_parse_fn cfg_parse_employers;
void cfg_load_employers_d(struct cfg_ctx *ctx, const char *main_path);
void cfg_employers_finish(struct cfg_ctx *ctx);
void cfg_employer_free(struct cfg_employer *emp);

/* config_reasons.c */
cfg_parse_fn cfg_parse_departure_reasons;
cfg_parse_fn cfg_parse_dispense_reasons;

/* config_alias.c */
cfg_parse_fn cfg_parse_aliases;
int cfg_is_field(const char *name);

/* config_defaults.c: the built-in tables, copied into a fresh cfg */
void cfg_defaults_reasons(struct cfg *cfg);
void cfg_defaults_aliases(struct cfg *cfg);

/* config.c: the file loader shared with employers.d */
typedef void cfg_root_fn(struct cfg_ctx *ctx, yaml_node_t *root);
int cfg_read_file(struct cfg_ctx *ctx, const char *path, cfg_root_fn *fn);

#endif
