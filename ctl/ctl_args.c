/*
 * ctl_args - affilctl's command line, read against the command table.
 *
 * Options may come anywhere: before the command, between its arguments,
 * after them; "--" ends them.  The line is read twice: first into words
 * (an option's argument is the next word, or after '=' / glued to a short
 * option), which finds the command among the other words; then each
 * option is looked up among those the command takes.  Anything the
 * command does not take (an unknown or foreign option, a missing or extra
 * argument, a value outside an option's list) is a usage error: one line
 * on stderr naming the problem and `affilctl help COMMAND`, exit 64.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "common/util.h"
#include "ctl/ctl.h"

#define OCC_MAX 32

/* One option as written. */
struct occ {
	const char *text;	/* as typed, for messages: "--state" */
	const char *name;	/* its name: "state", "s" */
	size_t namelen;
	int is_short;
	const char *value;	/* its argument, or NULL */
	const char *problem;	/* what is wrong with it as written */
	const struct ctl_opt *opt;	/* for the problem's message */
};

int ctl_usage_error(const struct ctl *c, const char *fmt, ...)
{
	va_list ap;

	fputs("affilctl: ", stderr);
	if (c->verb_name)
		fprintf(stderr, "%s: ", c->verb_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see affilctl help%s%s)\n", c->verb_name ? " " : "",
		c->verb_name ? c->verb_name : "");
	return EX_USAGE;
}

/* same_name - o is called name (namelen bytes), by its name or alias */
static int same_name(const struct ctl_opt *o, const struct occ *w)
{
	if (w->is_short)
		return o->short_name == w->name[0];
	return (strlen(o->name) == w->namelen &&
		strncmp(o->name, w->name, w->namelen) == 0) ||
	       (o->alias && strlen(o->alias) == w->namelen &&
		strncmp(o->alias, w->name, w->namelen) == 0);
}

/* find - the option called w among those allowed (OPT() mask); NULL */
static const struct ctl_opt *find(const struct occ *w, unsigned allowed)
{
	size_t i;

	for (i = 0; i < ctl_nopts; i++)
		if ((allowed & OPT(ctl_opts[i].id)) && same_name(&ctl_opts[i], w))
			return &ctl_opts[i];
	return NULL;
}

/* split - one option word into w; its argument taken from the next word
 * when it needs one.  Returns the words used (1 or 2). */
static int split(char **argv, int i, int argc, struct occ *w)
{
	const char *a = argv[i], *eq;
	const struct ctl_opt *o;

	memset(w, 0, sizeof(*w));
	w->text = a;
	if (a[1] == '-') {
		w->name = a + 2;
		eq = strchr(w->name, '=');
		w->namelen = eq ? (size_t)(eq - w->name) : strlen(w->name);
		w->value = eq ? eq + 1 : NULL;
	} else {
		w->name = a + 1;
		w->namelen = 1;
		w->is_short = 1;
		w->value = a[2] ? a + 2 : NULL;
	}
	/* Problems are said once the command is known, for its name. */
	o = w->opt = find(w, ~0u);
	if (o == NULL)
		return 1;
	if (o->arg == NULL && w->value)
		w->problem = w->is_short ? "is unknown" : "takes no argument";
	if (o->arg && w->value == NULL) {
		if (i + 1 >= argc) {
			w->problem = "needs an argument";
			return 1;
		}
		w->value = argv[i + 1];
		return 2;
	}
	return 1;
}

/* pick_verb - the form of the command named by c->args[0]; -1 (said) */
static int pick_verb(struct ctl *c)
{
	const struct ctl_verb *plain = NULL, *any = NULL;
	const char *name = c->args[0];
	size_t i;

	for (i = 0; i < ctl_nverbs; i++) {
		const struct ctl_verb *v = &ctl_verbs[i];

		if (strcmp(v->name, name) != 0)
			continue;
		any = v;
		if (v->sub == NULL)
			plain = v;
		else if (v->sub_at + 1 < c->nargs &&
			 strcmp(c->args[v->sub_at + 1], v->sub) == 0) {
			c->verb = v;
			break;
		}
	}
	if (any == NULL) {
		ctl_usage_error(c, "unknown command %s", name);
		return -1;
	}
	c->verb_name = any->name;
	if (c->verb == NULL)
		c->verb = plain;
	return 0;
}

/* in_list - v is one of the NULL-ended values */
static int in_list(const char *const *values, const char *v)
{
	for (; *values; values++)
		if (strcmp(*values, v) == 0)
			return 1;
	return 0;
}

/* list_text - "a, b, c" into buf */
static const char *list_text(const char *const *values, char *buf,
			     size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; *values && n < len; values++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
				      *values);
	return buf;
}

/* set_number - --limit, --offset: a count */
static int set_number(struct ctl *c, const struct ctl_opt *o, const char *v,
		      long *out)
{
	if (parse_long(v, 0, LONG_MAX, out) < 0)
		return ctl_usage_error(c, "--%s %s: not a count", o->name, v);
	return 0;
}

/* apply - an option's effect on c; 0, or EX_USAGE (said) */
static int apply(struct ctl *c, const struct ctl_opt *o, const char *v)
{
	char list[256];
	size_t i;

	if (o->values && strcmp(o->values[0], "@file") != 0 &&
	    !in_list(o->values, v))
		return ctl_usage_error(c, "--%s %s: not one of %s", o->name, v,
				       list_text(o->values, list,
						 sizeof(list)));
	switch (o->id) {
	case OPT_CONFIG: c->config = v; break;
	case OPT_FORMAT:
		c->fmt = strcmp(v, "csv") == 0 ? FMT_CSV :
			 strcmp(v, "json") == 0 ? FMT_JSON : FMT_TABLE;
		c->fmt_given = 1;
		break;
	case OPT_HELP: c->help = 1; break;
	case OPT_VERSION: c->version = 1; break;
	case OPT_EMPLOYER:
		for (i = 0; v[i] >= '0' && v[i] <= '9'; i++)
			;
		/* "admin": the admin drop's own files (ctl_write.c) */
		if ((i != CFG_NUMERO_LEN || v[i] != '\0') &&
		    strcmp(v, "admin") != 0)
			return ctl_usage_error(c, "--employer %s: a numero "
					       "is 8 digits, or admin", v);
		c->employer = v;
		break;
	case OPT_STATUS: c->status = v; break;
	case OPT_FILE_STATE: case OPT_MSG_STATE: c->state = v; break;
	case OPT_FAILED: c->state = "failed"; break;
	case OPT_SORT: c->sort = v; break;
	case OPT_LIMIT: return set_number(c, o, v, &c->limit);
	case OPT_OFFSET: return set_number(c, o, v, &c->offset);
	case OPT_OUTPUT: c->output = v; break;
	case OPT_AS_OF: c->as_of = v; break;
	case OPT_AT: c->at = v; break;
	case OPT_FORCE: c->force = 1; break;
	case OPT_JUSTIFICATION: c->justification = v; break;
	case OPT_NO_WAIT: c->no_wait = 1; break;
	case OPT_TIMEOUT:
		if (parse_long(v, 1, 86400, &c->timeout_s) < 0)
			return ctl_usage_error(c, "--timeout %s: seconds, 1 to "
					       "86400", v);
		break;
	case OPT_FIN: c->fin = v; break;
	case OPT_MOTIF: c->motif = v; break;
	case OPT_PORTABILITE: c->portabilite = v; break;
	case OPT_DEBUT: c->debut = v; break;
	case OPT_EMAIL: c->email = v; break;
	case OPT_DEMANDE: c->demande = v; break;
	case OPT_JUSTIFICATIF: c->justificatif = v; break;
	case OPT_COUNT: break;
	}
	return 0;
}

/* occ_name - "--state" or "-s", without any "=value" */
static const char *occ_name(const struct occ *w, char *buf, size_t len)
{
	snprintf(buf, len, "%s%.*s", w->is_short ? "-" : "--",
		 (int)w->namelen, w->name);
	return buf;
}

/* resolve - each option written, among those of the command */
static int resolve(struct ctl *c, const struct occ *occ, int nocc,
		   unsigned *given)
{
	unsigned allowed = OPT_GLOBAL | (c->verb ? c->verb->opts : 0);
	const struct ctl_opt *o;
	char name[64];
	int i;

	for (i = 0; i < nocc; i++) {
		if (occ[i].problem && occ[i].opt->arg)
			return ctl_usage_error(c, "option %s %s (%s)",
					       occ_name(&occ[i], name,
							sizeof(name)),
					       occ[i].problem, occ[i].opt->arg);
		if (occ[i].problem)
			return ctl_usage_error(c, "option %s %s",
					       occ_name(&occ[i], name,
							sizeof(name)),
					       occ[i].problem);
		o = find(&occ[i], allowed);
		if (o == NULL && find(&occ[i], ~0u) && c->verb_name)
			return ctl_usage_error(c, "option %s does not apply "
					       "to this command",
					       occ_name(&occ[i], name,
							sizeof(name)));
		if (o == NULL)
			return ctl_usage_error(c, "unknown option %s",
					       occ_name(&occ[i], name,
							sizeof(name)));
		*given |= OPT(o->id);
		if (apply(c, o, occ[i].value) != 0)
			return EX_USAGE;
	}
	return 0;
}

/* wants_help - -h or --help anywhere: the help, whatever else is wrong */
static int wants_help(const struct occ *occ, int nocc)
{
	int i;

	for (i = 0; i < nocc; i++)
		if (!occ[i].problem && find(&occ[i], OPT(OPT_HELP)))
			return 1;
	return 0;
}

/* subs_text - the words that select the forms of the command name:
 * "open or proof" */
static const char *subs_text(const char *name, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < ctl_nverbs && n < len; i++)
		if (ctl_verbs[i].sub && strcmp(ctl_verbs[i].name, name) == 0)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? " or " : "",
					      ctl_verbs[i].sub);
	return buf;
}

/* check_args - the count of arguments and the options required */
static int check_args(struct ctl *c, unsigned given)
{
	const struct ctl_verb *v = c->verb;
	char name[128];
	int n = c->nargs - 1;
	size_t i;

	if (v == NULL)
		return ctl_usage_error(c, "%s%s: expected %s",
				       c->nargs > 1 ? "unknown form " : "",
				       c->nargs > 1 ? c->args[1] : "missing form",
				       subs_text(c->verb_name, name,
						 sizeof(name)));
	if (n < v->min_args)
		return ctl_usage_error(c, "missing argument: %s%s%s", v->name,
				       *v->args ? " " : "", v->args);
	if (n > v->max_args)
		return ctl_usage_error(c, "extra argument %s", c->args[1 +
				       v->max_args]);
	for (i = 0; i < ctl_nopts; i++)
		if ((v->needs & OPT(ctl_opts[i].id)) &&
		    !(given & OPT(ctl_opts[i].id)))
			return ctl_usage_error(c, "--%s %s is required",
					       ctl_opts[i].name,
					       ctl_opts[i].arg);
	return 0;
}

enum ctl_parse ctl_args_parse(struct ctl *c, int argc, char **argv)
{
	struct occ occ[OCC_MAX];
	unsigned given = 0;
	int i, n, nocc = 0, done = 0;

	c->config = "/etc/affild/affild.yaml";
	c->limit = -1;
	for (i = 0; i < argc; i += n) {
		n = 1;
		if (!done && strcmp(argv[i], "--") == 0) {
			done = 1;
		} else if (!done && argv[i][0] == '-' && argv[i][1]) {
			if (nocc == OCC_MAX) {
				ctl_usage_error(c, "too many options");
				return CTL_USAGE;
			}
			n = split(argv, i, argc, &occ[nocc++]);
		} else if (c->nargs == CTL_ARGS_MAX) {
			ctl_usage_error(c, "too many arguments");
			return CTL_USAGE;
		} else {
			c->args[c->nargs++] = argv[i];
		}
	}
	if (c->nargs && pick_verb(c) < 0)
		return CTL_USAGE;
	if (wants_help(occ, nocc))
		return CTL_HELP;
	if (resolve(c, occ, nocc, &given) != 0)
		return CTL_USAGE;
	if (c->version)
		return CTL_VERSION;
	if (c->nargs == 0) {
		ctl_usage_error(c, "no command given");
		return CTL_USAGE;
	}
	if (check_args(c, given) != 0)
		return CTL_USAGE;
	if (!c->fmt_given)
		c->fmt = c->verb->fmt;
	/* the handler sees the arguments after the command's name */
	for (i = 1; i < c->nargs; i++)
		c->args[i - 1] = c->args[i];
	c->nargs--;
	return CTL_RUN;
}
