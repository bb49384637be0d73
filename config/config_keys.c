/*
 * config_keys - the table-driven reader of YAML mappings, and error lines.
 *
 * cfg_keys_apply() is the only place that turns YAML scalars into typed
 * fields.  It first indexes the mapping against the table (so unknown and
 * duplicate keys are reported once, in document order), then fills every row
 * in table order: from the file when given, else from the row's default,
 * else "required key is missing".  Table order, not document order, is the
 * order of evaluation, which lets later rows rely on earlier ones (the
 * employers rely on the reason tables and on spool.settle_ms).
 *
 * A plain null (empty, "~", "null") counts as "not given": the default
 * applies, as if the key were absent.  Scalars are accepted in any style, so
 * `settle_ms: "2000"` is 2000; libyaml does not resolve tags and neither do
 * we, which keeps `numero: 01234567` (a valid number) intact.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "config/config_priv.h"

/* errors_push - append one owned line to the caller's list */
static void errors_push(struct cfg_errors *errs, char *line)
{
	errs->lines = xrealloc(errs->lines,
			       (errs->n + 1) * sizeof(*errs->lines));
	errs->lines[errs->n++] = line;
}

/* cfg_verror_at - format "file:line:col: message", within the error cap */
static void cfg_verror_at(struct cfg_ctx *ctx, const char *file,
			  unsigned long line, unsigned long col,
			  const char *fmt, va_list ap)
{
	char msg[1024], out[1536];

	ctx->nerrors++;
	if (ctx->nerrors > CFG_MAX_ERRORS + 1)
		return;
	if (ctx->nerrors == CFG_MAX_ERRORS + 1)
		snprintf(msg, sizeof(msg), "too many errors, fix these first");
	else
		vsnprintf(msg, sizeof(msg), fmt, ap);
	/* Truncating a message is fine: it was already about a value cut
	 * to a readable length. */
	snprintf(out, sizeof(out), "%s:%lu:%lu: %s", file, line, col, msg);
	errors_push(ctx->errs, xstrdup(out));
}

/* cfg_error_at - report at an explicit position (nodes already freed) */
void cfg_error_at(struct cfg_ctx *ctx, const char *file, unsigned long line,
		  unsigned long col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verror_at(ctx, file, line, col, fmt, ap);
	va_end(ap);
}

/* cfg_error - report at a node: libyaml marks count from 0, people from 1 */
void cfg_error(struct cfg_ctx *ctx, const yaml_node_t *node, const char *fmt,
	       ...)
{
	unsigned long line = 1, col = 1;
	va_list ap;

	if (node != NULL) {
		line = (unsigned long)node->start_mark.line + 1;
		col = (unsigned long)node->start_mark.column + 1;
	}
	va_start(ap, fmt);
	cfg_verror_at(ctx, ctx->file, line, col, fmt, ap);
	va_end(ap);
}

/* cfg_node - a node of the current document by index; NULL if none */
yaml_node_t *cfg_node(struct cfg_ctx *ctx, int index)
{
	return yaml_document_get_node(ctx->doc, index);
}

/* cfg_node_is_null - a plain empty, "~" or "null" scalar: "not given" */
int cfg_node_is_null(const yaml_node_t *node)
{
	const char *v;

	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)node->data.scalar.value;
	return *v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	       strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* kind - "a mapping", for "expected X, found Y" messages */
static const char *kind(yaml_node_type_t type)
{
	switch (type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	default:
		return "a scalar";
	}
}

/* cfg_node_kind - what node is, in words */
const char *cfg_node_kind(const yaml_node_t *node)
{
	return kind(node->type);
}

/* cfg_expect - 0 when node has the type, else report and -1 */
int cfg_expect(struct cfg_ctx *ctx, yaml_node_t *node, yaml_node_type_t type,
	       const char *path)
{
	if (node->type == type)
		return 0;
	cfg_error(ctx, node, "%s: expected %s, found %s",
		  *path ? path : "top level", kind(type), kind(node->type));
	return -1;
}

/* cfg_scalar - the text of a scalar node, borrowed from the document */
const char *cfg_scalar(struct cfg_ctx *ctx, yaml_node_t *node,
		       const char *path)
{
	const char *v;

	if (cfg_expect(ctx, node, YAML_SCALAR_NODE, path) < 0)
		return NULL;
	v = (const char *)node->data.scalar.value;
	/* "\0" is a legal YAML escape; a C string would silently stop. */
	if (strlen(v) != node->data.scalar.length) {
		cfg_error(ctx, node, "%s: contains a NUL byte", path);
		return NULL;
	}
	return v;
}

/* cfg_path - "where.key"; messages only, so truncation is harmless */
void cfg_path(char *out, size_t outlen, const char *where, const char *key)
{
	if (*where == '\0')
		snprintf(out, outlen, "%s", key);
	else
		snprintf(out, outlen, "%s.%s", where, key);
}

/* cfg_path_index - "where[i]" */
void cfg_path_index(char *out, size_t outlen, const char *where, size_t i)
{
	snprintf(out, outlen, "%s[%zu]", where, i);
}

/* parse_llong - the whole of s as [-]digits in [min, max] */
static int parse_llong(const char *s, long long *out)
{
	const char *p = *s == '-' ? s + 1 : s;
	char *end;
	long long v;

	/* strtoll would also take spaces, '+' and "0x"; YAML ints here don't */
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* conv_number - INT and LLONG rows */
static int conv_number(struct cfg_ctx *ctx, const struct cfg_key *k,
		       const char *text, yaml_node_t *node, void *field,
		       const char *path)
{
	long long v;

	if (parse_llong(text, &v) < 0) {
		cfg_error(ctx, node, "%s: '%.64s' is not an integer", path,
			  text);
		return -1;
	}
	if (v < k->min || v > k->max) {
		cfg_error(ctx, node, "%s: %.64s is out of range (%lld to %lld)",
			  path, text, k->min, k->max);
		return -1;
	}
	if (k->type == CFG_INT)
		*(int *)field = (int)v;
	else
		*(long long *)field = v;
	return 0;
}

/* conv_bool - YAML 1.1's common spellings, nothing cleverer */
static int conv_bool(struct cfg_ctx *ctx, const char *text, yaml_node_t *node,
		     int *field, const char *path)
{
	if (strcasecmp(text, "true") == 0 || strcasecmp(text, "yes") == 0)
		*field = 1;
	else if (strcasecmp(text, "false") == 0 || strcasecmp(text, "no") == 0)
		*field = 0;
	else {
		cfg_error(ctx, node,
			  "%s: '%.64s' is not a boolean (true, false, yes or no)",
			  path, text);
		return -1;
	}
	return 0;
}

/* conv_enum - one of the row's names, spelled exactly */
static int conv_enum(struct cfg_ctx *ctx, const struct cfg_key *k,
		     const char *text, yaml_node_t *node, int *field,
		     const char *path)
{
	const struct cfg_name *n;
	struct buf list;

	for (n = k->names; n->name != NULL; n++) {
		if (strcmp(n->name, text) == 0) {
			*field = n->value;
			return 0;
		}
	}
	buf_init(&list, 512);
	for (n = k->names; n->name != NULL; n++)
		(void)buf_printf(&list, "%s%s", n == k->names ? "" : ", ",
				 n->name);	/* 512 bytes: a cut list is ok */
	cfg_error(ctx, node, "%s: '%.64s' is not one of: %s", path, text,
		  buf_str(&list));
	buf_free(&list);
	return -1;
}

/* conv_digits - exactly min ASCII digits, leading zeros kept */
static int conv_digits(struct cfg_ctx *ctx, const struct cfg_key *k,
		       const char *text, yaml_node_t *node, char *field,
		       const char *path)
{
	size_t i, len = strlen(text);

	for (i = 0; i < len; i++)
		if (text[i] < '0' || text[i] > '9')
			break;
	if (i != len || len != (size_t)k->min) {
		cfg_error(ctx, node, "%s: '%.64s' is not %lld digits", path,
			  text, k->min);
		return -1;
	}
	memcpy(field, text, len + 1);
	return 0;
}

/* convert - store text into obj per row k; node (maybe NULL) to blame */
static int convert(struct cfg_ctx *ctx, const struct cfg_key *k,
		   const char *text, yaml_node_t *node, void *obj,
		   const char *path)
{
	void *field = (char *)obj + k->offset;

	switch (k->type) {
	case CFG_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(text);
		return 0;
	case CFG_BOOL:
		return conv_bool(ctx, text, node, field, path);
	case CFG_INT:
	case CFG_LLONG:
		return conv_number(ctx, k, text, node, field, path);
	case CFG_ENUM:
		return conv_enum(ctx, k, text, node, field, path);
	case CFG_DIGITS:
		return conv_digits(ctx, k, text, node, field, path);
	default:
		return -1;
	}
}

/* keys_index - match each key of map to a row; unknown, duplicate keys */
static void keys_index(struct cfg_ctx *ctx, const struct cfg_key *keys,
		       yaml_node_t *map, const char *where,
		       struct cfg_seen *seen)
{
	yaml_node_pair_t *pair;
	char path[CFG_PATH_MAX];
	const char *name;
	size_t i;

	for (pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *kn = cfg_node(ctx, pair->key);
		yaml_node_t *vn = cfg_node(ctx, pair->value);

		if ((name = cfg_scalar(ctx, kn, where)) == NULL)
			continue;
		cfg_path(path, sizeof(path), where, name);
		for (i = 0; keys[i].name && strcmp(keys[i].name, name); i++)
			;
		if (keys[i].name == NULL)
			cfg_error(ctx, kn, "%s: unknown key", path);
		else if (seen->key[i] != NULL)
			cfg_error(ctx, kn, "%s: duplicate key", path);
		else {
			seen->key[i] = kn;
			seen->value[i] = vn;
			if (!cfg_node_is_null(vn))
				seen->mask |= 1ULL << i;
		}
	}
}

/* key_default - a row not given: its default, or "required" */
static void key_default(struct cfg_ctx *ctx, const struct cfg_key *k,
			const struct cfg_seen *seen, size_t i, void *obj,
			const char *path, int quiet)
{
	if (k->def != NULL) {
		if (convert(ctx, k, k->def, NULL, obj, path) < 0) {
			log_err("config: bad built-in default for %s", path);
			abort();
		}
	} else if (k->required && !quiet) {
		if (seen->key[i] != NULL)
			cfg_error(ctx, seen->key[i], "%s: a value is required",
				  path);
		else
			cfg_error(ctx, seen->anchor,
				  "%s: required key is missing", path);
	}
}

static int keys_apply(struct cfg_ctx *ctx, const struct cfg_key *keys,
		      yaml_node_t *map, yaml_node_t *anchor, void *obj,
		      const char *where, struct cfg_seen *seen, int quiet);

/* key_fill - one row: a section, a hook, a scalar or its default */
static void key_fill(struct cfg_ctx *ctx, const struct cfg_key *k,
		     const struct cfg_seen *seen, size_t i, void *obj,
		     const char *where, int quiet)
{
	yaml_node_t *node = seen->value[i];
	struct cfg_seen sub;
	const char *text;
	char path[CFG_PATH_MAX];

	cfg_path(path, sizeof(path), where, k->name);
	if (k->type == CFG_MAP) {
		/* A missing section still gets its defaults and checks. */
		if (keys_apply(ctx, k->sub, node,
			       seen->key[i] ? seen->key[i] : seen->anchor,
			       obj, path, &sub, quiet) == 0 && k->check)
			k->check(ctx, obj, &sub, path);
	} else if ((seen->mask & (1ULL << i)) == 0)
		key_default(ctx, k, seen, i, obj, path, quiet);
	else if (k->type == CFG_CUSTOM)
		k->parse(ctx, node, obj, path);
	else if ((text = cfg_scalar(ctx, node, path)) != NULL)
		(void)convert(ctx, k, text, node, obj, path);
}

/* keys_apply - cfg_keys_apply(); quiet: an enclosing mapping was not one,
 * so its sections only take their defaults, without "missing" noise */
static int keys_apply(struct cfg_ctx *ctx, const struct cfg_key *keys,
		      yaml_node_t *map, yaml_node_t *anchor, void *obj,
		      const char *where, struct cfg_seen *seen, int quiet)
{
	size_t i;

	for (i = 0; keys[i].name != NULL; i++)
		;
	if (i > CFG_MAX_KEYS) {	/* a bug in our tables, not in the file */
		log_err("config: key table for %s too long", where);
		abort();
	}
	memset(seen, 0, sizeof(*seen));
	seen->keys = keys;
	seen->anchor = anchor ? anchor : map;
	if (map != NULL && cfg_node_is_null(map))
		map = NULL;
	if (map != NULL && cfg_expect(ctx, map, YAML_MAPPING_NODE, where) < 0) {
		map = NULL;
		quiet = 1;
	}
	if (map != NULL)
		keys_index(ctx, keys, map, where, seen);
	for (i = 0; keys[i].name != NULL; i++)
		key_fill(ctx, &keys[i], seen, i, obj, where, quiet);
	return quiet ? -1 : 0;
}

/*
 * cfg_keys_apply - read map (NULL: absent) into obj through the table keys.
 *
 * anchor is what a "required key is missing" error points at when map is
 * absent (the section's key, or the enclosing mapping).  seen, when not
 * NULL, receives what was given, for the caller's cross-key checks.
 * Returns -1 when map is not a mapping (reported; defaults still applied,
 * but no "missing" noise), else 0 even if some values were bad.
 */
int cfg_keys_apply(struct cfg_ctx *ctx, const struct cfg_key *keys,
		   yaml_node_t *map, yaml_node_t *anchor, void *obj,
		   const char *where, struct cfg_seen *seen)
{
	struct cfg_seen local;

	return keys_apply(ctx, keys, map, anchor, obj, where,
			  seen ? seen : &local, 0);
}

/* seen_row - index of the row called name; aborts on a typo in our code */
static size_t seen_row(const struct cfg_seen *seen, const char *name)
{
	size_t i;

	for (i = 0; seen->keys[i].name != NULL; i++)
		if (strcmp(seen->keys[i].name, name) == 0)
			return i;
	log_err("config: no key %s in table", name);
	abort();
}

/* cfg_seen_has - 1 when the row called name was given a value */
int cfg_seen_has(const struct cfg_seen *seen, const char *name)
{
	return (seen->mask >> seen_row(seen, name)) & 1;
}

/* cfg_seen_value - the value node of row name, NULL when absent */
yaml_node_t *cfg_seen_value(const struct cfg_seen *seen, const char *name)
{
	return seen->value[seen_row(seen, name)];
}

/* cfg_seen_blame - best node for an error about row name */
yaml_node_t *cfg_seen_blame(const struct cfg_seen *seen, const char *name)
{
	size_t i = seen_row(seen, name);

	if (seen->value[i] != NULL)
		return seen->value[i];
	return seen->anchor;
}
