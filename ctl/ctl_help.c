/*
 * ctl_help - what the command table says to people (`affilctl help`,
 * `affilctl help COMMAND`, `affilctl COMMAND --help`) and to the shell
 * (`affilctl --complete WORD...`, which the bash completion calls): both
 * read ctl_table.c, so neither can drift from what the parser accepts.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "ctl/ctl.h"

#define HELP_COL 26		/* where the one-line help starts */
#define WRAP_COL 79		/* and where it wraps */

/* opt_synopsis - "-s, --state STATE" into buf */
static const char *opt_synopsis(const struct ctl_opt *o, char *buf,
				size_t len)
{
	char s[8] = "    ";

	if (o->short_name)
		snprintf(s, sizeof(s), "-%c, ", o->short_name);
	snprintf(buf, len, "%s--%s%s%s", s, o->name, o->arg ? " " : "",
		 o->arg ? o->arg : "");
	return buf;
}

/* line - "  left" and the help at HELP_COL (on the next line when left
 * is longer), its words wrapped before column WRAP_COL */
static void line(FILE *fp, const char *left, const char *help)
{
	int n = fprintf(fp, "  %s", left), col;
	size_t w;

	if (n + 2 > HELP_COL)
		fprintf(fp, "\n%*s", HELP_COL, "");
	else
		fprintf(fp, "%*s", HELP_COL - n, "");
	col = HELP_COL;
	while (*help) {
		w = strcspn(help, " ");
		if (col > HELP_COL && col + 1 + (int)w > WRAP_COL) {
			fprintf(fp, "\n%*s", HELP_COL, "");
			col = HELP_COL;
		} else if (col > HELP_COL) {
			putc(' ', fp);
			col++;
		}
		fprintf(fp, "%.*s", (int)w, help);
		col += (int)w;	/* the help is ASCII */
		help += w;
		help += strspn(help, " ");
	}
	putc('\n', fp);
}

/* options - the lines of the options in mask */
static void options(FILE *fp, unsigned mask)
{
	char syn[96], help[320];
	size_t i, n;

	for (i = 0; i < ctl_nopts; i++) {
		const struct ctl_opt *o = &ctl_opts[i];
		const char *const *v;

		if (!(mask & OPT(o->id)))
			continue;
		n = (size_t)snprintf(help, sizeof(help), "%s", o->help);
		if (o->values && strcmp(o->values[0], "@file") != 0)
			for (v = o->values; *v && n < sizeof(help); v++)
				n += (size_t)snprintf(help + n, sizeof(help) - n,
						      "%s%s", v == o->values ?
						      ": " : ", ", *v);
		if (o->alias && n < sizeof(help))
			snprintf(help + n, sizeof(help) - n, " (--%s: the same)",
				 o->alias);
		line(fp, opt_synopsis(o, syn, sizeof(syn)), help);
	}
}

static void help_all(FILE *fp)
{
	char left[64];
	size_t i;

	fprintf(fp, "usage: affilctl COMMAND [ARGUMENTS] [OPTIONS]\n"
		"       affilctl help [COMMAND]\n\nCommands:\n");
	for (i = 0; i < ctl_nverbs; i++) {
		const struct ctl_verb *v = &ctl_verbs[i];

		snprintf(left, sizeof(left), "%s%s%s", v->name,
			 v->args && *v->args ? " " : "", v->args ? v->args : "");
		line(fp, left, v->help);
	}
	fprintf(fp, "\nOptions of every command (options may come anywhere on "
		"the line):\n");
	options(fp, OPT_GLOBAL);
	fprintf(fp, "\nA change (edit, remind, force, radiate, dispense, "
		"reprocess, file ID approve|refuse,\noutbox retry, timers run, "
		"portability) is a file affild applies; affilctl waits\nfor "
		"its report and prints it (--no-wait, --timeout SECONDS).\n");
	fprintf(fp, "\nExit status: 0 done, 64 usage, 65 data refused or lines "
		"rejected, 66 no such\nfile, 69 unavailable, 70 internal error, "
		"73 cannot create the output, 74 I/O\nerror, 75 no report yet "
		"(try again), 77 not in the admin group, 78\nconfiguration; see "
		"affilctl(8).\n");
}

/* help_one - every form of the command name, then its options */
static void help_one(FILE *fp, const char *name)
{
	char syn[96];
	unsigned opts = 0;
	size_t i;
	int first = 1;

	for (i = 0; i < ctl_nverbs; i++) {
		const struct ctl_verb *v = &ctl_verbs[i];
		size_t k;

		if (strcmp(v->name, name) != 0)
			continue;
		fprintf(fp, "%s affilctl %s%s%s", first ? "usage:" : "      ",
			v->name, v->args && *v->args ? " " : "",
			v->args ? v->args : "");
		for (k = 0; k < ctl_nopts; k++) {
			const struct ctl_opt *o = &ctl_opts[k];

			if (!(v->opts & OPT(o->id)))
				continue;
			if (o->short_name)
				snprintf(syn, sizeof(syn), "-%c", o->short_name);
			else
				snprintf(syn, sizeof(syn), "--%s", o->name);
			fprintf(fp, " %s%s%s%s%s", v->needs & OPT(o->id) ? "" :
				"[", syn, o->arg ? " " : "", o->arg ? o->arg : "",
				v->needs & OPT(o->id) ? "" : "]");
		}
		fprintf(fp, "\n");
		opts |= v->opts;
		first = 0;
	}
	for (i = 0; i < ctl_nverbs; i++)
		if (strcmp(ctl_verbs[i].name, name) == 0)
			fprintf(fp, "%s%s%s%s: %s\n", i && strcmp(ctl_verbs[i - 1]
				.name, name) == 0 ? "" : "\n", name,
				ctl_verbs[i].sub ? " " : "",
				ctl_verbs[i].sub ? ctl_verbs[i].sub : "",
				ctl_verbs[i].help);
	if (opts) {
		fprintf(fp, "\nOptions:\n");
		options(fp, opts);
	}
	fprintf(fp, "\nAnd those of every command: -c FILE, --format FORMAT, "
		"--help (affilctl help).\n");
}

int ctl_help(FILE *fp, const char *name)
{
	size_t i;

	if (name == NULL) {
		help_all(fp);
		return 0;
	}
	for (i = 0; i < ctl_nverbs; i++)
		if (strcmp(ctl_verbs[i].name, name) == 0)
			break;
	if (i == ctl_nverbs) {
		fprintf(stderr, "affilctl: help: unknown command %s (see "
			"affilctl help)\n", name);
		return EX_USAGE;
	}
	help_one(fp, name);
	return 0;
}

int ctl_help_cmd(struct ctl *c)
{
	return ctl_help(stdout, c->nargs ? c->args[0] : NULL);
}

/* ---- completion ------------------------------------------------------ */

/* Where the line stands, for completion. */
struct spot {
	const char *verb;		/* the command's name, or NULL */
	const char *args[CTL_ARGS_MAX];	/* its arguments so far */
	int nargs;
	const struct ctl_opt *want;	/* the option whose value comes */
};

/* opt_named - an option by its long or short name in word w ("--x",
 * "--x=", "-x"); NULL */
static const struct ctl_opt *opt_named(const char *w, const char *verb,
				       int *inline_value)
{
	const struct ctl_opt *any = NULL;
	size_t i, n;

	*inline_value = 0;
	for (i = 0; i < ctl_nopts; i++) {
		const struct ctl_opt *o = &ctl_opts[i];
		int hit;

		if (w[1] == '-') {
			n = strcspn(w + 2, "=");
			*inline_value = w[2 + n] == '=';
			hit = (strlen(o->name) == n &&
			       strncmp(o->name, w + 2, n) == 0) ||
			      (o->alias && strlen(o->alias) == n &&
			       strncmp(o->alias, w + 2, n) == 0);
		} else {
			*inline_value = w[2] != '\0';
			hit = w[1] == o->short_name;
		}
		if (!hit)
			continue;
		any = any ? any : o;
		/* -s and --state mean one option per command */
		for (n = 0; verb && n < ctl_nverbs; n++)
			if (strcmp(ctl_verbs[n].name, verb) == 0 &&
			    (ctl_verbs[n].opts | OPT_GLOBAL) & OPT(o->id))
				return o;
	}
	return any;
}

/* locate - the words before the last one */
static void locate(struct spot *s, int n, char **words)
{
	const struct ctl_opt *o;
	int i, inl, done = 0;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < n; i++) {
		const char *w = words[i];

		s->want = NULL;
		if (!done && strcmp(w, "--") == 0) {
			done = 1;
		} else if (!done && w[0] == '-' && w[1]) {
			o = opt_named(w, s->verb, &inl);
			if (o && o->arg && !inl)
				s->want = o;
			if (s->want && i + 1 < n) {
				i++;
				s->want = NULL;
			}
		} else if (s->verb == NULL) {
			s->verb = w;
		} else if (s->nargs < CTL_ARGS_MAX) {
			s->args[s->nargs++] = w;
		}
	}
}

/* verb_opts - the options of the form the words so far select: the one
 * whose word is there, else the plain one, else those of every form */
static unsigned verb_opts(const struct spot *s)
{
	unsigned all = 0, plain = 0;
	int has_plain = 0;
	size_t i;

	for (i = 0; s->verb && i < ctl_nverbs; i++) {
		const struct ctl_verb *v = &ctl_verbs[i];

		if (strcmp(v->name, s->verb) != 0)
			continue;
		if (v->sub && v->sub_at < s->nargs &&
		    strcmp(s->args[v->sub_at], v->sub) == 0)
			return OPT_GLOBAL | v->opts;
		all |= v->opts;
		if (v->sub == NULL) {
			plain = v->opts;
			has_plain = 1;
		}
	}
	return OPT_GLOBAL | (has_plain ? plain : all);
}

void ctl_complete(FILE *fp, int nwords, char **words)
{
	const char *cur = nwords ? words[nwords - 1] : "";
	const char *const *v;
	struct spot s;
	size_t i;

	locate(&s, nwords ? nwords - 1 : 0, words);
	if (s.want) {
		for (v = s.want->values; v && *v; v++)
			fprintf(fp, "%s\n", *v);
		return;
	}
	if (cur[0] == '-') {
		const char *last = "";

		for (i = 0; i < ctl_nopts; i++)
			if (verb_opts(&s) & OPT(ctl_opts[i].id) &&
			    strcmp(last, ctl_opts[i].name) != 0) {
				last = ctl_opts[i].name;
				fprintf(fp, "--%s\n", last);
			}
		return;
	}
	/* edit EMPLOYER NIR FIELD=: the fields, each with its '=' */
	if (s.verb && strcmp(s.verb, "edit") == 0 && s.nargs >= 2) {
		for (v = ctl_edit_fields; *v; v++)
			fprintf(fp, "%s=\n", *v);
		return;
	}
	for (i = 0; i < ctl_nverbs; i++) {
		const struct ctl_verb *vb = &ctl_verbs[i];

		if (s.verb == NULL || (strcmp(s.verb, "help") == 0 &&
				       s.nargs == 0)) {
			if (i == 0 || strcmp(ctl_verbs[i - 1].name,
					     vb->name) != 0)
				fprintf(fp, "%s\n", vb->name);
		} else if (strcmp(vb->name, s.verb) == 0 && vb->sub &&
			   vb->sub_at == s.nargs) {
			fprintf(fp, "%s\n", vb->sub);
		}
	}
}
