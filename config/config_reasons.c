/*
 * config_reasons - the departure (DSN motif de rupture) and dispense tables.
 *
 * Both tables start as the built-in defaults of rules.md (config_defaults.c)
 * and the config amends them by code; it does not replace them:
 *   - a listed code that is built in overrides only the keys it gives (a new
 *     label, another portabilite), the rest stays as shipped;
 *   - a listed code that is not built in is added, and then must say
 *     everything that has no default (label, portabilite; label, type);
 *   - a built-in code cannot be removed: files may carry any code of the DSN
 *     norm, and "unknown code" must stay the file's fault, not the config's.
 * 088 and 096 (faute lourde) are never_override: the law excludes them from
 * portability, so no config may make them anything but `non`.
 */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "config/config_priv.h"

_Static_assert(sizeof(enum cfg_dispense_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_dispense_end) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_at_end) == sizeof(int), "enum size");

#define DOFF(f) offsetof(struct cfg_departure_reason, f)
#define POFF(f) offsetof(struct cfg_dispense_reason, f)

static const struct cfg_name portabilite_names[] = {
	{ "oui", CFG_PORTA_OUI }, { "non", CFG_PORTA_NON },
	{ "examen", CFG_PORTA_EXAMEN }, { NULL, 0 },
};

static const struct cfg_name type_names[] = {
	{ "droit", CFG_DISP_DROIT }, { "facultative", CFG_DISP_FACULTATIVE },
	{ NULL, 0 },
};

static const struct cfg_name end_names[] = {
	{ "none", CFG_DISP_END_NONE }, { "required", CFG_DISP_END_REQUIRED },
	{ "default_1y", CFG_DISP_END_DEFAULT_1Y }, { NULL, 0 },
};

static const struct cfg_name at_end_names[] = {
	{ "none", CFG_AT_END_NONE }, { "reinvite", CFG_AT_END_REINVITE },
	{ "proof", CFG_AT_END_PROOF }, { NULL, 0 },
};

/* No defaults in these tables: a key not given leaves the row as it was. */
static const struct cfg_key departure_keys[] = {
	CFG_KEY_DIGITS("code", DOFF(code), 3, CFG_REQUIRED),
	CFG_KEY_STR("label", DOFF(label), NULL, CFG_OPTIONAL),
	CFG_KEY_ENUM("portabilite", DOFF(portabilite), NULL,
		     portabilite_names),
	CFG_KEY_END,
};

static const struct cfg_key dispense_keys[] = {
	CFG_KEY_STR("code", POFF(code), NULL, CFG_REQUIRED),
	CFG_KEY_STR("label", POFF(label), NULL, CFG_OPTIONAL),
	CFG_KEY_ENUM("type", POFF(type), NULL, type_names),
	CFG_KEY_BOOL("evidence", POFF(evidence_required), NULL),
	CFG_KEY_ENUM("end", POFF(end), NULL, end_names),
	CFG_KEY_ENUM("at_end", POFF(at_end), NULL, at_end_names),
	CFG_KEY_END,
};

/* need_for_new - a key with no default must be given for a new code */
static void need_for_new(struct cfg_ctx *ctx, const struct cfg_seen *seen,
			 const char *key, const char *path)
{
	if (!cfg_seen_has(seen, key))
		cfg_error(ctx, seen->anchor, "%s.%s: required for a new code",
			  path, key);
}

/* take_label - move a given label from the parsed row onto the table's */
static void take_label(char **dst, char **src)
{
	free(*dst);
	*dst = *src;
	*src = NULL;
}

/* departure_add - a code the defaults do not have */
static void departure_add(struct cfg_ctx *ctx, struct cfg_departure_reason *r,
			  const struct cfg_seen *seen, const char *path)
{
	struct cfg *cfg = ctx->cfg;
	struct cfg_departure_reason *d;

	need_for_new(ctx, seen, "label", path);
	need_for_new(ctx, seen, "portabilite", path);
	cfg->departure_reasons = xrealloc(cfg->departure_reasons,
					  (cfg->ndeparture_reasons + 1) *
					  sizeof(*cfg->departure_reasons));
	d = &cfg->departure_reasons[cfg->ndeparture_reasons++];
	*d = *r;
	r->label = NULL;
}

/* departure_merge - one configured row onto the table */
static void departure_merge(struct cfg_ctx *ctx,
			    struct cfg_departure_reason *r,
			    const struct cfg_seen *seen, const char *path)
{
	struct cfg *cfg = ctx->cfg;
	const struct cfg_departure_reason *found;
	struct cfg_departure_reason *d;

	if ((found = cfg_departure_reason(cfg, r->code)) == NULL) {
		departure_add(ctx, r, seen, path);
		return;
	}
	/* the lookup is const for callers; the row is ours to amend */
	d = &cfg->departure_reasons[found - cfg->departure_reasons];
	if (cfg_seen_has(seen, "label"))
		take_label(&d->label, &r->label);
	if (!cfg_seen_has(seen, "portabilite"))
		return;
	if (d->never_override && r->portabilite != CFG_PORTA_NON)
		cfg_error(ctx, cfg_seen_value(seen, "portabilite"),
			  "%s.portabilite: %s (faute lourde) never opens "
			  "portability", path, d->code);
	else
		d->portabilite = r->portabilite;
}

/* same_code_before - 1 when an earlier item of the list has this code */
static int same_code_before(struct cfg_ctx *ctx, yaml_node_item_t *start,
			    yaml_node_item_t *item, const char *code)
{
	yaml_node_pair_t *p;

	for (; start < item; start++) {
		yaml_node_t *n = cfg_node(ctx, *start);

		if (n->type != YAML_MAPPING_NODE)
			continue;
		for (p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = cfg_node(ctx, p->key);
			yaml_node_t *v = cfg_node(ctx, p->value);

			if (k->type == YAML_SCALAR_NODE &&
			    v->type == YAML_SCALAR_NODE &&
			    strcmp((char *)k->data.scalar.value, "code") == 0 &&
			    strcmp((char *)v->data.scalar.value, code) == 0)
				return 1;
		}
	}
	return 0;
}


/* dispense_code_ok - codes are identifiers in files: A-Z, 0-9, '_' */
static int dispense_code_ok(const char *code)
{
	size_t len = strlen(code);

	return len > 0 && len <= 64 &&
	       code[strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")] ==
	       '\0';
}

/* dispense_add - a code the defaults do not have; unset keys are "none" */
static struct cfg_dispense_reason *dispense_add(struct cfg_ctx *ctx,
						struct cfg_dispense_reason *r,
						const struct cfg_seen *seen,
						const char *path)
{
	struct cfg *cfg = ctx->cfg;

	need_for_new(ctx, seen, "label", path);
	need_for_new(ctx, seen, "type", path);
	cfg->dispense_reasons = xrealloc(cfg->dispense_reasons,
					 (cfg->ndispense_reasons + 1) *
					 sizeof(*cfg->dispense_reasons));
	cfg->dispense_reasons[cfg->ndispense_reasons] = *r;
	memset(r, 0, sizeof(*r));
	return &cfg->dispense_reasons[cfg->ndispense_reasons++];
}

/* dispense_override - the keys given replace the built-in row's */
static void dispense_override(struct cfg_dispense_reason *d,
			      struct cfg_dispense_reason *r,
			      const struct cfg_seen *seen)
{
	if (cfg_seen_has(seen, "label"))
		take_label(&d->label, &r->label);
	if (cfg_seen_has(seen, "type"))
		d->type = r->type;
	if (cfg_seen_has(seen, "evidence"))
		d->evidence_required = r->evidence_required;
	if (cfg_seen_has(seen, "end"))
		d->end = r->end;
	if (cfg_seen_has(seen, "at_end"))
		d->at_end = r->at_end;
}

/* dispense_merge - check one configured row, then amend or add */
static void dispense_merge(struct cfg_ctx *ctx, struct cfg_dispense_reason *r,
			   const struct cfg_seen *seen, const char *path)
{
	struct cfg *cfg = ctx->cfg;
	const struct cfg_dispense_reason *found;
	struct cfg_dispense_reason *d;

	if (!dispense_code_ok(r->code)) {
		cfg_error(ctx, cfg_seen_value(seen, "code"),
			  "%s.code: '%.64s' is not made of A-Z, 0-9 and _",
			  path, r->code);
		return;
	}
	found = cfg_dispense_reason(cfg, r->code);
	if (found != NULL) {
		d = &cfg->dispense_reasons[found - cfg->dispense_reasons];
		dispense_override(d, r, seen);
	} else {
		d = dispense_add(ctx, r, seen, path);
	}
	/* the end-date timer of at_end needs an end date to fire on */
	if (d->at_end != CFG_AT_END_NONE && d->end == CFG_DISP_END_NONE)
		cfg_error(ctx, cfg_seen_blame(seen, "at_end"),
			  "%s.at_end: needs an end date (end: required or "
			  "default_1y)", path);
}

/*
 * A reasons table in the configuration: each entry parsed by its keys into
 * a fresh struct, then merged into the shipped table by code.
 */
struct reason_list {
	const struct cfg_key *keys;
	const char *(*code)(const void *r);	/* NULL or "" when absent */
	void (*merge)(struct cfg_ctx *ctx, void *r, const struct cfg_seen *seen,
		      const char *path);
	void (*release)(void *r);
};

/* parse_reasons - a sequence of entries; a code given twice is an error */
static void parse_reasons(struct cfg_ctx *ctx, yaml_node_t *node,
			  const char *path, const struct reason_list *l)
{
	union {
		struct cfg_departure_reason departure;
		struct cfg_dispense_reason dispense;
	} r;
	yaml_node_item_t *start, *item;
	struct cfg_seen seen;
	char ipath[CFG_PATH_MAX];
	const char *code;

	if (cfg_expect(ctx, node, YAML_SEQUENCE_NODE, path) < 0)
		return;
	start = node->data.sequence.items.start;
	for (item = start; item < node->data.sequence.items.top; item++) {
		cfg_path_index(ipath, sizeof(ipath), path,
			       (size_t)(item - start));
		memset(&r, 0, sizeof(r));
		if (cfg_keys_apply(ctx, l->keys, cfg_node(ctx, *item), NULL, &r,
				   ipath, &seen) == 0 &&
		    (code = l->code(&r)) != NULL && *code != '\0') {
			if (same_code_before(ctx, start, item, code))
				cfg_error(ctx, cfg_seen_value(&seen, "code"),
					  "%s.code: %s is listed twice",
					  ipath, code);
			else
				l->merge(ctx, &r, &seen, ipath);
		}
		l->release(&r);
	}
}

static const char *departure_code(const void *r)
{
	return ((const struct cfg_departure_reason *)r)->code;
}

static void departure_merge_any(struct cfg_ctx *ctx, void *r,
				const struct cfg_seen *seen, const char *path)
{
	departure_merge(ctx, r, seen, path);
}

static void departure_release(void *r)
{
	free(((struct cfg_departure_reason *)r)->label);
}

/* cfg_parse_departure_reasons - `departure_reasons:`, amending defaults */
void cfg_parse_departure_reasons(struct cfg_ctx *ctx, yaml_node_t *node,
				 void *obj, const char *path)
{
	static const struct reason_list l = { departure_keys, departure_code,
					      departure_merge_any,
					      departure_release };

	(void)obj;
	parse_reasons(ctx, node, path, &l);
}

static const char *dispense_code(const void *r)
{
	return ((const struct cfg_dispense_reason *)r)->code;
}

static void dispense_merge_any(struct cfg_ctx *ctx, void *r,
			       const struct cfg_seen *seen, const char *path)
{
	dispense_merge(ctx, r, seen, path);
}

static void dispense_release(void *r)
{
	free(((struct cfg_dispense_reason *)r)->code);
	free(((struct cfg_dispense_reason *)r)->label);
}

/* cfg_parse_dispense_reasons - `dispense_reasons:`, amending defaults */
void cfg_parse_dispense_reasons(struct cfg_ctx *ctx, yaml_node_t *node,
				void *obj, const char *path)
{
	static const struct reason_list l = { dispense_keys, dispense_code,
					      dispense_merge_any,
					      dispense_release };

	(void)obj;
	parse_reasons(ctx, node, path, &l);
}
