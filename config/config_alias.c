/*
 * config_alias - column names: the canonical field list, the folding of
 * header names, and the aliases that map other names onto fields.
 *
 * Payroll exports name their columns as their authors please ("Date de
 * naissance", "DATE_NAISS", "Courriel").  Everything is compared folded
 * (cfg_fold_name(), documented in config.h), aliases included, so an alias
 * written "Adresse e-mail" in the config matches the header "ADRESSE_EMAIL"
 * and "adresse e mail".  The CSV reader folds with the same function; two
 * foldings would mean a column that matches in tests and not in production.
 *
 * Aliases start with the built-in synonyms (config_defaults.c); `aliases:`
 * in the config adds more, or points a built-in one elsewhere.
 */
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "common/util.h"
#include "config/config_priv.h"
#include "rules/vocab.h"


/* cfg_is_field - 1 when name is a canonical field (rules/vocab.h) */
int cfg_is_field(const char *name)
{
	return field_from_name(name) != F_NONE;
}

/* field_static - the static copy of a canonical field name, or NULL */
static const char *field_static(const char *name)
{
	enum field f = field_from_name(name);

	return f == F_NONE ? NULL : field_name(f);
}

/* cfg_field_name - see config.h */
const char *cfg_field_name(const struct cfg *cfg, const char *folded)
{
	const char *f;
	size_t i;

	if ((f = field_static(folded)) != NULL)
		return f;
	for (i = 0; i < cfg->naliases; i++)
		if (strcmp(cfg->aliases[i].alias, folded) == 0)
			return cfg->aliases[i].field;
	return NULL;
}

/*
 * Latin-1 letters as UTF-8 are 0xC3 then 0x80-0xBF; upper and lower case
 * differ by 0x20, so one row serves both.  NULL: not a letter (× ÷ Þ þ),
 * a word separator like any other sign.
 */
static const char *const latin1[32] = {
	"a", "a", "a", "a", "a", "a", "ae", "c",	/* À-Ç */
	"e", "e", "e", "e", "i", "i", "i", "i",		/* È-Ï */
	"d", "n", "o", "o", "o", "o", "o", NULL,	/* Ð-× */
	"o", "u", "u", "u", "u", "y", NULL, "ss",	/* Ø-ß */
};

/* The words that carry nothing in a column name. */
static const char *const small_words[] = {
	"de", "d", "du", "des", "la", "le", "l",
};

struct fold {
	char *out;
	size_t outlen;
	size_t len;		/* bytes in out */
	size_t word;		/* where the current word starts */
	size_t mark;		/* len before the word and its '_' */
	int in_word;
};

/* fold_char - the ASCII letters for the character at p ("" separates);
 * returns the bytes consumed, never past the NUL */
static size_t fold_char(const unsigned char *p, char tmp[2], const char **to)
{
	*to = "";
	if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
	    (*p >= 'A' && *p <= 'Z')) {
		tmp[0] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		tmp[1] = '\0';
		*to = tmp;
		return 1;
	}
	if (*p == 0xC3 && p[1] >= 0x80 && p[1] <= 0xBF) {
		/* ÿ (0xBF) is the one lower case letter whose upper case
		 * is not 0x20 below it */
		*to = p[1] == 0xBF ? "y" : latin1[(p[1] & ~0x20) - 0x80];
		*to = *to ? *to : "";
		return 2;
	}
	if (*p == 0xC5 && (p[1] == 0x92 || p[1] == 0x93)) {
		*to = "oe";
		return 2;
	}
	return utf8_next((const char *)p);
}

/* fold_word_end - close the current word; drop it if it is a small one */
static void fold_word_end(struct fold *f)
{
	size_t i;

	if (!f->in_word)
		return;
	f->in_word = 0;
	for (i = 0; i < NELEM(small_words); i++) {
		if (strcmp(f->out + f->word, small_words[i]) == 0) {
			f->len = f->mark;
			f->out[f->len] = '\0';
			return;
		}
	}
}

/* fold_add - append letters to the current word, opening one if needed */
static void fold_add(struct fold *f, const char *s)
{
	if (!f->in_word) {
		f->in_word = 1;
		f->mark = f->len;
		if (f->len > 0 && f->len + 1 < f->outlen)
			f->out[f->len++] = '_';
		f->word = f->len;
	}
	for (; *s && f->len + 1 < f->outlen; s++)
		f->out[f->len++] = *s;
	f->out[f->len] = '\0';
}

/* cfg_fold_name - see config.h */
void cfg_fold_name(const char *in, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	struct fold f = { out, outlen, 0, 0, 0, 0 };
	const char *to;
	char tmp[2];

	if (outlen == 0)
		return;
	out[0] = '\0';
	while (*p != '\0') {
		p += fold_char(p, tmp, &to);
		if (*to != '\0')
			fold_add(&f, to);
		else
			fold_word_end(&f);
	}
	fold_word_end(&f);
}

/* alias_set - add an alias, or point an existing one elsewhere */
static void alias_set(struct cfg *cfg, const char *alias, const char *field)
{
	struct cfg_alias *a;
	size_t i;

	for (i = 0; i < cfg->naliases; i++) {
		if (strcmp(cfg->aliases[i].alias, alias) == 0) {
			free(cfg->aliases[i].field);
			cfg->aliases[i].field = xstrdup(field);
			return;
		}
	}
	cfg->aliases = xrealloc(cfg->aliases,
				(cfg->naliases + 1) * sizeof(*cfg->aliases));
	a = &cfg->aliases[cfg->naliases++];
	a->alias = xstrdup(alias);
	a->field = xstrdup(field);
}

/* folded_before - 1 when an earlier key of map folds to the same name */
static int folded_before(struct cfg_ctx *ctx, yaml_node_t *map,
			 yaml_node_pair_t *pair, const char *folded)
{
	yaml_node_pair_t *p;
	char other[CFG_NAME_MAX];

	for (p = map->data.mapping.pairs.start; p < pair; p++) {
		yaml_node_t *k = cfg_node(ctx, p->key);

		if (k->type != YAML_SCALAR_NODE)
			continue;
		cfg_fold_name((const char *)k->data.scalar.value, other,
			      sizeof(other));
		if (strcmp(other, folded) == 0)
			return 1;
	}
	return 0;
}

/* parse_alias - one "alias: field" pair */
static void parse_alias(struct cfg_ctx *ctx, yaml_node_t *map,
			yaml_node_pair_t *pair, const char *path)
{
	yaml_node_t *kn = cfg_node(ctx, pair->key);
	yaml_node_t *vn = cfg_node(ctx, pair->value);
	char folded[CFG_NAME_MAX], kpath[CFG_PATH_MAX];
	const char *name, *field;

	if ((name = cfg_scalar(ctx, kn, path)) == NULL)
		return;
	cfg_path(kpath, sizeof(kpath), path, name);
	cfg_fold_name(name, folded, sizeof(folded));
	if (folded[0] == '\0')
		cfg_error(ctx, kn, "%s: no letters left once folded", kpath);
	else if (cfg_is_field(folded))
		cfg_error(ctx, kn, "%s: '%s' is already a field name", kpath,
			  folded);
	else if (folded_before(ctx, map, pair, folded))
		cfg_error(ctx, kn, "%s: duplicate alias '%s'", kpath, folded);
	else if ((field = cfg_scalar(ctx, vn, kpath)) == NULL)
		return;
	else if (!cfg_is_field(field))
		cfg_error(ctx, vn, "%s: '%.64s' is not a field name", kpath,
			  field);
	else
		alias_set(ctx->cfg, folded, field);
}

/* cfg_parse_aliases - `aliases:`, a mapping alias -> canonical field */
void cfg_parse_aliases(struct cfg_ctx *ctx, yaml_node_t *node, void *obj,
		       const char *path)
{
	yaml_node_pair_t *pair;

	(void)obj;
	if (cfg_expect(ctx, node, YAML_MAPPING_NODE, path) < 0)
		return;
	for (pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++)
		parse_alias(ctx, node, pair, path);
}
