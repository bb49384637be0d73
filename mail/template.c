/*
 * template - email texts from "<dir>/<kind>.txt" and ".html".  See template.h.
 *
 * A template is read whole (at most TPL_FILE_MAX bytes) and normalised in
 * memory: a UTF-8 BOM dropped, CR before LF removed, every line checked as
 * UTF-8.  A ".txt" file is then split into its "Sujet:" line and its body.
 * One scanner, tpl_next(), cuts a text into literal runs and "{{name}}"
 * placeholders; tpl_check_dir() and tpl_render() both walk it, so what the
 * check accepts is exactly what rendering can fill.
 *
 * Nothing is cached: templates are read at each rendering, so an admin's
 * edit takes effect with the next email; --check-config and a reload
 * (SIGHUP) are meant to run tpl_check_dir() and refuse a broken edit.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/utf8.h"
#include "common/util.h"
#include "mail/message.h"
#include "mail/template.h"

#define TPL_KIND_VARS 10	/* placeholders per kind, NULL included */
#define SUBJECT_TAG "Sujet:"
#define UTF8_BOM "\xEF\xBB\xBF"

struct tpl_kind {
	const char *name;
	const char *vars[TPL_KIND_VARS];	/* NULL-terminated */
	const char *required;	/* must appear in each body, or NULL */
};

#define PERSON "prenom", "nom", "employeur"

static const struct tpl_kind tpl_kinds[] = {
	{ "invitation", { PERSON, "lien", "date_limite" }, "lien" },
	{ "relance", { PERSON, "lien", "date_limite" }, "lien" },
	{ "confirmation", { PERSON, "option", "date_effet" }, NULL },
	{ "affiliation_forcee", { PERSON, "option", "date_effet" }, NULL },
	{ "radiation", { PERSON, "date_fin_droits" }, NULL },
	{ "radiation_portabilite", { PERSON, "date_debut_portabilite",
				     "date_fin_portabilite", "duree_mois" },
	  NULL },
	{ "fin_portabilite", { PERSON, "date_fin_droits" }, NULL },
	{ "justificatif_chomage", { PERSON, "date_debut_portabilite",
				    "date_fin_portabilite" }, NULL },
	{ "loi_evin", { PERSON, "date_fin_droits" }, NULL },
	{ "loi_evin_ayants_droit", { PERSON, "prenom_salarie", "nom_salarie",
				     "date_fin_droits" }, NULL },
	{ "finalisation_rejetee", { PERSON, "motif" }, NULL },
	{ "dispense_justificatif", { PERSON, "motif_dispense",
				     "date_fin_dispense" }, NULL },
	{ "dispense_employeur", { PERSON, "matricule", "motif_dispense",
				  "date_demande" }, NULL },
	{ "finalisation_employeur", { PERSON, "matricule", "option" }, NULL },
	{ "compte_rendu_employeur", { "employeur", "fichier", "identifiant",
				      "code_retour", "mouvements", "acceptes",
				      "rejetes", "avertissements" }, NULL },
	{ "digest_relances", { "employeur", "nombre", "liste" }, NULL },
	{ "fichier_attendu", { "employeur", "numero", "date_attendue",
			       "heure_limite" }, NULL },
	{ "fichier_petit", { "employeur", "numero", "fichier", "mouvements",
			     "mediane", "part" }, NULL },
};

/* One template file in memory. */
struct tpl_file {
	char path[PATH_MAX];
	struct buf data;	/* the normalised file; subject NUL-cut */
	const char *subject;	/* .txt only: the "Sujet:" value */
	const char *body;	/* points into data */
	unsigned body_line;	/* line number of body[0] in the file */
	int missing;		/* the file does not exist */
	unsigned err_line;	/* where tpl_load()'s complaint applies */
};

enum tpl_tok_type { TOK_END, TOK_TEXT, TOK_VAR, TOK_OPEN };

/* A piece of template text: literal run, placeholder name, or a bad "{{". */
struct tpl_tok {
	enum tpl_tok_type type;
	const char *s;
	size_t len;
	unsigned line;
};

struct tpl_cursor {
	const char *p;
	unsigned line;
};

enum tpl_mode { MODE_SUBJECT, MODE_TEXT, MODE_HTML };

/* tpl_kind_find - the table entry of kind, or NULL */
static const struct tpl_kind *tpl_kind_find(const char *kind)
{
	size_t i;

	for (i = 0; i < NELEM(tpl_kinds); i++)
		if (strcmp(tpl_kinds[i].name, kind) == 0)
			return &tpl_kinds[i];
	return NULL;
}

/* tpl_kind_known - 1 when kind names a template kind */
int tpl_kind_known(const char *kind)
{
	return kind != NULL && tpl_kind_find(kind) != NULL;
}

/* tpl_allowed - 1 when the n-byte name s is a placeholder of k */
static int tpl_allowed(const struct tpl_kind *k, const char *s, size_t n)
{
	size_t i;

	for (i = 0; k->vars[i] != NULL; i++)
		if (strlen(k->vars[i]) == n && memcmp(k->vars[i], s, n) == 0)
			return 1;
	return 0;
}

/* tpl_next - the next token at c; TOK_END at the NUL */
static void tpl_next(struct tpl_cursor *c, struct tpl_tok *t)
{
	const char *open, *close, *eol;
	size_t i;

	t->line = c->line;
	t->s = c->p;
	if (*c->p == '\0') {
		t->type = TOK_END;
		t->len = 0;
	} else if (c->p[0] == '{' && c->p[1] == '{') {
		/* A placeholder ends on its own line. */
		eol = c->p + strcspn(c->p, "\n");
		close = memmem(c->p + 2, (size_t)(eol - c->p - 2), "}}", 2);
		if (close == NULL) {
			t->type = TOK_OPEN;
			t->len = 2;
			c->p += 2;
			return;
		}
		t->type = TOK_VAR;
		for (t->s = c->p + 2; *t->s == ' '; t->s++)
			;
		for (t->len = (size_t)(close - t->s);
		     t->len > 0 && t->s[t->len - 1] == ' '; t->len--)
			;
		c->p = close + 2;
	} else {
		t->type = TOK_TEXT;
		open = strstr(c->p, "{{");
		t->len = open ? (size_t)(open - c->p) : strlen(c->p);
		for (i = 0; i < t->len; i++)
			c->line += c->p[i] == '\n';
		c->p += t->len;
	}
}

/* tpl_path - "<dir>/<kind><ext>" into f->path */
static int tpl_path(struct tpl_file *f, const char *dir, const char *kind,
		    const char *ext)
{
	int n = snprintf(f->path, sizeof(f->path), "%s/%s%s", dir, kind, ext);

	return n < 0 || (size_t)n >= sizeof(f->path) ? -1 : 0;
}

/* tpl_read - the whole file into f->data; NULL or why not */
static const char *tpl_read(struct tpl_file *f)
{
	char chunk[4096];
	FILE *fp;
	size_t n;
	int too_big = 0;

	fp = fopen(f->path, "rb");
	if (fp == NULL) {
		f->missing = errno == ENOENT;
		return f->missing ? "missing file" : strerror(errno);
	}
	while (!too_big && (n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		too_big = buf_add(&f->data, chunk, n) < 0;
	if (ferror(fp)) {
		fclose(fp);
		return "read error";
	}
	if (fclose(fp) != 0)
		return strerror(errno);
	return too_big ? "file larger than 64 KiB" : NULL;
}

/* tpl_normalise - drop a BOM and the CR of CRLF; check NUL and UTF-8 */
static const char *tpl_normalise(struct tpl_file *f)
{
	char *d = f->data.data;
	size_t i, j = 0, line_start = 0, n = f->data.len;

	if (n == 0)
		return "empty file";
	if (memchr(d, '\0', n) != NULL)
		return "NUL byte in file";
	if (n >= 3 && memcmp(d, UTF8_BOM, 3) == 0)
		i = 3;
	else
		i = 0;
	f->err_line = 1;
	for (; i < n; i++) {
		if (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')
			continue;
		d[j++] = d[i];
		if (d[i] != '\n')
			continue;
		if (!utf8_valid(d + line_start, j - line_start))
			return "invalid UTF-8 (save the file as UTF-8)";
		line_start = j;
		f->err_line++;
	}
	if (!utf8_valid(d + line_start, j - line_start))
		return "invalid UTF-8 (save the file as UTF-8)";
	f->data.len = j;
	d[j] = '\0';
	return NULL;
}

/* only_blanks - 1 when s[0..n) holds nothing but spaces and tabs */
static int only_blanks(const char *s, size_t n)
{
	return strspn(s, " \t") >= n;
}

/* tpl_split - cut a .txt file into subject and body; NULL or why not */
static const char *tpl_split(struct tpl_file *f)
{
	char *s = f->data.data, *eol, *end;
	size_t n;

	f->err_line = 1;
	if (strncmp(s, SUBJECT_TAG, strlen(SUBJECT_TAG)) != 0)
		return "first line must be \"" SUBJECT_TAG " <subject>\"";
	eol = strchr(s, '\n');
	if (eol == NULL)
		return "no blank line and body after the subject";
	*eol = '\0';
	s += strlen(SUBJECT_TAG);
	s += strspn(s, " \t");
	for (end = eol; end > s && (end[-1] == ' ' || end[-1] == '\t'); end--)
		;
	*end = '\0';
	f->subject = s;
	if (*s == '\0')
		return "empty subject";
	f->err_line = 2;
	n = strcspn(eol + 1, "\n");
	if (!only_blanks(eol + 1, n))
		return "a blank line must follow the subject";
	f->body = eol[1 + n] == '\n' ? eol + 2 + n : eol + 1 + n;
	f->body_line = 3;
	f->err_line = 3;
	return f->body[strspn(f->body, " \t\n")] == '\0' ? "empty body" : NULL;
}

/* tpl_load - read, normalise and (for .txt) split; NULL or why not */
static const char *tpl_load(struct tpl_file *f, const char *dir,
			    const char *kind, const char *ext)
{
	const char *why;

	buf_init(&f->data, TPL_FILE_MAX);
	f->subject = NULL;
	f->missing = 0;
	f->err_line = 0;
	f->body_line = 1;
	if (tpl_path(f, dir, kind, ext) < 0) {
		snprintf(f->path, sizeof(f->path), "%s", dir);
		return "path too long";
	}
	why = tpl_read(f);
	if (why == NULL)
		why = tpl_normalise(f);
	if (why != NULL)
		return why;
	f->body = f->data.data;
	return strcmp(ext, ".txt") == 0 ? tpl_split(f) : NULL;
}

/* has_control - 1 when s holds a C0 control character or DEL */
static int has_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return 1;
	return 0;
}

/* is_name - 1 when the n-byte token s is the name want */
static int is_name(const char *s, size_t n, const char *want)
{
	return want != NULL && strlen(want) == n && memcmp(s, want, n) == 0;
}

/* problem - append "FILE:LINE: message" to errors and count it */
static void problem(struct buf *errors, int *count, const char *path,
		    unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void problem(struct buf *errors, int *count, const char *path,
		    unsigned line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A full list still counts the problem: the total is the verdict. */
	if (buf_printf(errors, "%s:%u: %s\n", path, line, msg) < 0)
		log_debug("template: error list full, problem not listed");
	(*count)++;
}

/* tpl_check_text - count the problems of one text; *seen: required used */
static int tpl_check_text(const struct tpl_kind *k, const char *path,
			  const char *text, unsigned line, int *seen,
			  struct buf *errors)
{
	struct tpl_cursor c = { text, line };
	struct tpl_tok t;
	int count = 0;

	for (tpl_next(&c, &t); t.type != TOK_END; tpl_next(&c, &t)) {
		if (t.type == TOK_OPEN)
			problem(errors, &count, path, t.line,
				"unterminated {{ (a placeholder is {{name}} "
				"on one line)");
		else if (t.type == TOK_VAR && !tpl_allowed(k, t.s, t.len))
			problem(errors, &count, path, t.line,
				"unknown placeholder {{%.*s}} for %s",
				(int)t.len, t.s, k->name);
		else if (t.type == TOK_VAR && is_name(t.s, t.len, k->required))
			*seen = 1;
	}
	return count;
}

/* tpl_check_file - count the problems of <dir>/<kind><ext> */
static int tpl_check_file(const struct tpl_kind *k, const char *dir,
			  const char *ext, struct buf *errors)
{
	struct tpl_file f;
	const char *why;
	int count = 0, seen = 0, in_subject = 0;

	why = tpl_load(&f, dir, k->name, ext);
	if (why != NULL) {
		/* The HTML part is optional. */
		if (!(f.missing && strcmp(ext, ".html") == 0))
			problem(errors, &count, f.path, f.err_line, "%s", why);
		buf_free(&f.data);
		return count;
	}
	if (f.subject != NULL) {
		if (has_control(f.subject))
			problem(errors, &count, f.path, 1,
				"control character in the subject");
		count += tpl_check_text(k, f.path, f.subject, 1, &in_subject,
					errors);
	}
	count += tpl_check_text(k, f.path, f.body, f.body_line, &seen, errors);
	if (k->required != NULL && !seen)
		problem(errors, &count, f.path, 0,
			"the body must use {{%s}} for %s", k->required,
			k->name);
	buf_free(&f.data);
	return count;
}

/* tpl_check_dir - count the problems of every kind's templates in dir */
int tpl_check_dir(const char *dir, struct buf *errors)
{
	size_t i;
	int count = 0;

	for (i = 0; i < NELEM(tpl_kinds); i++) {
		count += tpl_check_file(&tpl_kinds[i], dir, ".txt", errors);
		count += tpl_check_file(&tpl_kinds[i], dir, ".html", errors);
	}
	return count;
}

/* tpl_value - the value given for the n-byte name s; "" when none */
static const char *tpl_value(const struct tpl_var *vars, size_t nvars,
			     const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < nvars; i++)
		if (is_name(s, n, vars[i].name))
			return vars[i].value ? vars[i].value : "";
	return "";
}

/* add_html_escaped - s with the five HTML special characters escaped */
static int add_html_escaped(struct buf *out, const char *s)
{
	const char *rep;
	int r;

	for (; *s; s++) {
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: rep = NULL; break;
		}
		r = rep ? buf_addstr(out, rep) : buf_addc(out, *s);
		if (r < 0)
			return -1;
	}
	return 0;
}

/* tpl_fill_var - append the value of placeholder t; -1 after a log */
static int tpl_fill_var(const struct tpl_kind *k, const char *path,
			const struct tpl_tok *t, const struct tpl_var *vars,
			size_t nvars, enum tpl_mode mode, struct buf *out)
{
	char qp[LOG_QUOTE_MAX], what[160], qw[LOG_QUOTE_MAX];
	const char *v;

	log_quote(qp, sizeof(qp), path);
	if (!tpl_allowed(k, t->s, t->len)) {
		snprintf(what, sizeof(what), "unknown placeholder {{%.*s}} "
			 "for %s", (int)t->len, t->s, k->name);
		log_warn("template: file=%s line=%u error=%s", qp, t->line,
			 log_quote(qw, sizeof(qw), what));
		return -1;
	}
	v = tpl_value(vars, nvars, t->s, t->len);
	if (mode == MODE_SUBJECT && has_control(v)) {
		snprintf(what, sizeof(what), "%.*s", (int)t->len, t->s);
		log_warn("template: file=%s placeholder=%s error=\"control "
			 "character in a subject value\"", qp,
			 log_quote(qw, sizeof(qw), what));
		return -1;
	}
	if ((mode == MODE_HTML ? add_html_escaped(out, v)
			       : buf_addstr(out, v)) < 0) {
		log_warn("template: file=%s error=\"output larger than %zu "
			 "bytes\"", qp, out->max);
		return -1;
	}
	return 0;
}

/* tpl_fill - append text with its placeholders filled; -1 after a log */
static int tpl_fill(const struct tpl_kind *k, const char *path,
		    const char *text, unsigned line,
		    const struct tpl_var *vars, size_t nvars,
		    enum tpl_mode mode, struct buf *out)
{
	struct tpl_cursor c = { text, line };
	char qp[LOG_QUOTE_MAX];
	struct tpl_tok t;

	log_quote(qp, sizeof(qp), path);
	for (tpl_next(&c, &t); t.type != TOK_END; tpl_next(&c, &t)) {
		if (t.type == TOK_OPEN) {
			log_warn("template: file=%s line=%u "
				 "error=\"unterminated {{\"", qp, t.line);
			return -1;
		}
		if (t.type == TOK_VAR) {
			if (tpl_fill_var(k, path, &t, vars, nvars, mode,
					 out) < 0)
				return -1;
		} else if (buf_add(out, t.s, t.len) < 0) {
			log_warn("template: file=%s error=\"output larger than "
				 "%zu bytes\"", qp, out->max);
			return -1;
		}
	}
	return 0;
}

/* tpl_render_file - fill one file; a missing .html is not an error */
static int tpl_render_file(const struct tpl_kind *k, const char *dir,
			   const char *ext, const struct tpl_var *vars,
			   size_t nvars, struct buf *subject, struct buf *body)
{
	char qp[LOG_QUOTE_MAX];
	struct tpl_file f;
	const char *why;
	int html = strcmp(ext, ".html") == 0, rc = -1;

	why = tpl_load(&f, dir, k->name, ext);
	if (why != NULL) {
		if (html && f.missing)
			rc = 0;
		else
			log_warn("template: file=%s line=%u error=\"%s\"",
				 log_quote(qp, sizeof(qp), f.path), f.err_line,
				 why);
		goto out;
	}
	if (subject != NULL && tpl_fill(k, f.path, f.subject, 1, vars, nvars,
					MODE_SUBJECT, subject) < 0)
		goto out;
	rc = tpl_fill(k, f.path, f.body, f.body_line, vars, nvars,
		      html ? MODE_HTML : MODE_TEXT, body);
out:
	buf_free(&f.data);
	return rc;
}

/* tpl_render - subject, text and optional HTML of one kind */
int tpl_render(const char *dir, const char *kind, const struct tpl_var *vars,
	       size_t nvars, struct buf *subject, struct buf *text,
	       struct buf *html)
{
	const struct tpl_kind *k = kind ? tpl_kind_find(kind) : NULL;

	if (k == NULL) {
		log_warn("template: error=\"unknown kind\" kind=%s",
			 kind ? kind : "(none)");
		return -1;
	}
	if (tpl_render_file(k, dir, ".txt", vars, nvars, subject, text) < 0)
		return -1;
	if (html == NULL)
		return 0;
	return tpl_render_file(k, dir, ".html", vars, nvars, NULL, html);
}
