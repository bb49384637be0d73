/*
 * validate - field rules (rules.md, "Field validation").
 *
 * Each validator checks the most basic property first (empty, length,
 * characters), then the structure, then the checksums, so the message names
 * the first thing the employer must fix.  Messages follow French typography
 * (a space before ':' and ';', « » around quoted values) and say what was
 * expected.  Values are quoted back only when they cannot be a NIR or an IBAN.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "parsers/validate.h"

#define ECHO_SIZE (VALIDATE_ECHO_MAX + 4)	/* + "…" + NUL */
#define STRIP_MAX 64	/* longest NIR, IBAN or BIC kept for checking */

struct name_map {
	const char *in;		/* accepted spelling, any case */
	const char *name;	/* normalized value */
	enum vstatus status;	/* V_WARN: accepted, with a warning */
};

/* ---------------------------------------------------------------- helpers */

/* utf8_prefix - longest prefix of s (len bytes) of whole characters <= max */
static size_t utf8_prefix(const char *s, size_t len, size_t max)
{
	size_t cut = max;

	if (len <= max)
		return len;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	return cut;
}

/* vresult_set - format the message; never cuts a UTF-8 character in two */
enum vstatus vresult_set(struct vresult *r, enum vstatus status,
			 const char *code, const char *fmt, ...)
{
	char tmp[1024];
	size_t len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	len = n < 0 ? 0 : strlen(tmp);
	len = utf8_prefix(tmp, len, sizeof(r->msg) - 1);
	memcpy(r->msg, tmp, len);
	r->msg[len] = '\0';
	r->status = status;
	r->code = code;
	return status;
}

/* vresult_ok - the value is good */
enum vstatus vresult_ok(struct vresult *r)
{
	r->status = V_OK;
	r->code = "";
	r->msg[0] = '\0';
	return V_OK;
}

/* echo - a bad value made safe to quote: short, one line */
static const char *echo(const char *in, char out[ECHO_SIZE])
{
	size_t len = strlen(in);
	size_t keep = utf8_prefix(in, len, VALIDATE_ECHO_MAX);

	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)in[i];

		out[i] = (c < 0x20 || c == 0x7F) ? ' ' : (char)c;
	}
	out[keep] = '\0';
	if (keep < len)
		memcpy(out + keep, "…", sizeof("…"));
	return out;
}

static const char *plural(size_t n)
{
	return n > 1 ? "s" : "";
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static int is_alpha(int c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

static int is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static int to_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* blank_len - bytes of the blank at s: space, TAB, NBSP, narrow NBSP; or 0 */
static size_t blank_len(const char *s)
{
	if (*s == ' ' || *s == '\t')
		return 1;
	/* Spreadsheets group digits with U+00A0 or U+202F in French. */
	if (strncmp(s, "\xC2\xA0", 2) == 0)
		return 2;
	if (strncmp(s, "\xE2\x80\xAF", 3) == 0)
		return 3;
	return 0;
}

/*
 * strip_upper - copy in without blanks and in upper case; returns the
 * length it has (even past outlen, where the copy stops).
 */
static size_t strip_upper(const char *in, char *out, size_t outlen)
{
	size_t n = 0, skip;

	while (*in != '\0') {
		if ((skip = blank_len(in)) > 0) {
			in += skip;
			continue;
		}
		if (n + 1 < outlen)
			out[n] = (char)to_upper((unsigned char)*in);
		n++;
		in++;
	}
	out[n + 1 < outlen ? n : outlen - 1] = '\0';
	return n;
}

/* ascii_casecmp - strcasecmp without the locale */
static int ascii_casecmp(const char *a, const char *b)
{
	while (*a != '\0' && to_upper((unsigned char)*a) ==
	       to_upper((unsigned char)*b)) {
		a++;
		b++;
	}
	return to_upper((unsigned char)*a) - to_upper((unsigned char)*b);
}

/* lookup - the entry whose spelling matches in, any case; or NULL */
static const struct name_map *lookup(const struct name_map *map, size_t n,
				     const char *in)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_casecmp(map[i].in, in) == 0)
			return &map[i];
	return NULL;
}

/* digits_value - value of n ASCII digits, or -1 */
static long digits_value(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* -------------------------------------------------------------------- NIR */

/*
 * nir_is_number - "2,95109E+14", "2.95109E+14", "295109912611193.0": a
 * spreadsheet showed the NIR as a number.  The scientific form has lost
 * digits for good, so the employer must type it again.
 */
static int nir_is_number(const char *s)
{
	int mark = 0;

	if (!is_digit((unsigned char)*s))
		return 0;
	while (is_digit((unsigned char)*s))
		s++;
	if (*s == ',' || *s == '.') {
		mark = 1;
		for (s++; is_digit((unsigned char)*s); s++)
			;
	}
	if (*s == 'E') {
		mark = 1;
		if (*++s == '+')
			s++;
		if (!is_digit((unsigned char)*s))
			return 0;
		while (is_digit((unsigned char)*s))
			s++;
	}
	return mark && *s == '\0';
}

/* nir_shape - [1-478][0-9]{4}(2A|2B|[0-9]{2})[0-9]{8}, position by position */
static enum vstatus nir_shape(const char *s, struct vresult *r)
{
	if (s[0] == '\0' || strchr("123478", s[0]) == NULL)
		return vresult_set(r, V_ERR, "E112",
		    "premier chiffre du NIR invalide : attendu 1 ou 2 "
		    "(3, 4, 7 ou 8 pour un numéro provisoire)");
	for (int i = 1; i < 15; i++) {
		if (i == 5 && s[5] == '2' && (s[6] == 'A' || s[6] == 'B')) {
			i = 6;
			continue;
		}
		if (is_digit((unsigned char)s[i]))
			continue;
		if (i == 5 || i == 6)
			return vresult_set(r, V_ERR, "E112",
			    "département de naissance invalide en positions "
			    "6 et 7 du NIR : attendu 2 chiffres, 2A ou 2B");
		return vresult_set(r, V_ERR, "E112",
		    "caractère non numérique en position %d du NIR", i + 1);
	}
	return V_OK;
}

/* nir_month_ok - 01-12, 20, 30-42, 50-99 (unknown or provisional months) */
static int nir_month_ok(long m)
{
	return (m >= 1 && m <= 12) || m == 20 || (m >= 30 && m <= 42) ||
	       m >= 50;
}

/* nir_key - 97 - (13 digits mod 97), Corsica's 2A read 19 and 2B read 18 */
static int nir_key(const char *s)
{
	uint64_t v = 0;

	for (int i = 0; i < 13; i++) {
		if (i == 5 && s[6] == 'A') {
			v = v * 100 + 19;
			i++;
		} else if (i == 5 && s[6] == 'B') {
			v = v * 100 + 18;
			i++;
		} else {
			v = v * 10 + (uint64_t)(s[i] - '0');
		}
	}
	return 97 - (int)(v % 97);
}

/* nir_length - empty, a spreadsheet number, or not 15 characters */
static enum vstatus nir_length(const char *s, size_t n, struct vresult *r)
{
	if (n == 0)
		return vresult_set(r, V_ERR, "E110", "NIR vide");
	if (nir_is_number(s))
		return vresult_set(r, V_ERR, "E115",
		    "NIR transformé en nombre par un tableur : formatez la "
		    "colonne en texte et saisissez à nouveau les 15 caractères");
	if (n == 13)
		return vresult_set(r, V_ERR, "E111",
		    "NIR de 13 caractères : il manque la clé de contrôle "
		    "(les 2 derniers chiffres)");
	if (n != 15)
		return vresult_set(r, V_ERR, "E111",
		    "NIR de %zu caractère%s au lieu de 15 (espaces non comptés)",
		    n, plural(n));
	return V_OK;
}

/* v_nir - social security number of a person born or living in France */
enum vstatus v_nir(const char *in, char *out, size_t outlen,
		   struct vresult *r)
{
	char s[STRIP_MAX];
	size_t n = strip_upper(in, s, sizeof(s));
	long month;
	int key, got;

	assert(outlen >= NIR_SIZE);
	out[0] = '\0';
	if (nir_length(s, n, r) != V_OK || nir_shape(s, r) != V_OK)
		return r->status;
	month = digits_value(s + 3, 2);
	if (!nir_month_ok(month))
		return vresult_set(r, V_ERR, "E113",
		    "mois de naissance impossible dans le NIR : %02ld (attendu "
		    "01 à 12, 20, 30 à 42 ou 50 à 99)", month);
	key = nir_key(s);
	got = (int)digits_value(s + 13, 2);
	if (key != got)
		return vresult_set(r, V_ERR, "E114",
		    "clé de contrôle invalide : attendue %02d, reçue %02d",
		    key, got);
	memcpy(out, s, NIR_SIZE);
	if (strchr("3478", s[0]) != NULL)
		return vresult_set(r, V_WARN, "W110",
		    "NIR provisoire (premier chiffre %c) : envoyez le NIR "
		    "définitif dès qu'il est connu (MODIFICATION avec "
		    "nouveau_nir)", s[0]);
	return vresult_ok(r);
}

/* v_nir_birth - the NIR carries the birth year, and the month when known */
enum vstatus v_nir_birth(const char *nir_norm, struct date birth,
			 struct vresult *r)
{
	long yy, mm;

	if (strlen(nir_norm) != 15)
		return vresult_ok(r);	/* v_nir() already refused it */
	yy = digits_value(nir_norm + 1, 2);
	mm = digits_value(nir_norm + 3, 2);
	if (yy != birth.y % 100)
		return vresult_set(r, V_WARN, "W111",
		    "année de naissance du NIR (%02ld) différente de "
		    "date_naissance (%04d) : vérifiez l'un ou l'autre",
		    yy, birth.y);
	if (mm >= 1 && mm <= 12 && mm != birth.m)
		return vresult_set(r, V_WARN, "W112",
		    "mois de naissance du NIR (%02ld) différent de "
		    "date_naissance (%02d/%04d) : vérifiez l'un ou l'autre",
		    mm, birth.m, birth.y);
	return vresult_ok(r);
}

/* ------------------------------------------------------------------ dates */

static const char DATE_FORMAT_MSG[] =
	"format de date invalide : attendu AAAA-MM-JJ ou JJ/MM/AAAA";

struct date_text {
	struct date d;
	size_t ydigits;		/* digits written for the year */
	const char *rest;	/* what follows the date */
};

/* read_number - 1 to max digits at s; returns the count, 0 when none */
static size_t read_number(const char *s, size_t max, int *val)
{
	size_t n = 0;

	*val = 0;
	while (n < max && is_digit((unsigned char)s[n]))
		*val = *val * 10 + (s[n++] - '0');
	return is_digit((unsigned char)s[n]) ? 0 : n;
}

/* split_date - AAAA-MM-JJ, or J/M/A with 1-2 digit day and month */
static int split_date(const char *s, struct date_text *t)
{
	size_t n;

	if (read_number(s, 4, &t->d.y) == 4 && s[4] == '-' &&
	    read_number(s + 5, 2, &t->d.m) == 2 && s[7] == '-' &&
	    read_number(s + 8, 2, &t->d.d) == 2) {
		t->ydigits = 4;
		t->rest = s + 10;
		return 0;
	}
	if ((n = read_number(s, 2, &t->d.d)) == 0 || s[n] != '/')
		return -1;
	s += n + 1;
	if ((n = read_number(s, 2, &t->d.m)) == 0 || s[n] != '/')
		return -1;
	s += n + 1;
	if ((t->ydigits = read_number(s, 4, &t->d.y)) == 0)
		return -1;
	t->rest = s + t->ydigits;
	return 0;
}

/* is_serial - five digits: what a spreadsheet shows for a 1927-2173 date */
static int is_serial(const char *s)
{
	return strlen(s) == 5 && digits_value(s, 5) >= 0;
}

/* v_date - a date written by a person or a payroll tool */
enum vstatus v_date(const char *in, struct date *out, struct vresult *r)
{
	char e[ECHO_SIZE];
	struct date_text t;

	if (is_serial(in))
		return vresult_set(r, V_ERR, "E124",
		    "date transformée en nombre par un tableur (%s) : formatez "
		    "la colonne en date JJ/MM/AAAA", in);
	if (split_date(in, &t) != 0)
		return vresult_set(r, V_ERR, "E120", "%s", DATE_FORMAT_MSG);
	if (*t.rest != '\0') {
		if ((*t.rest == ' ' || *t.rest == 'T') &&
		    is_digit((unsigned char)t.rest[1]))
			return vresult_set(r, V_ERR, "E120",
			    "date suivie d'une heure : attendu AAAA-MM-JJ ou "
			    "JJ/MM/AAAA, sans heure");
		return vresult_set(r, V_ERR, "E120", "%s", DATE_FORMAT_MSG);
	}
	if (t.ydigits == 2)
		return vresult_set(r, V_ERR, "E122",
		    "année sur deux chiffres : %s ; écrivez l'année en entier "
		    "(JJ/MM/AAAA)", echo(in, e));
	if (t.ydigits != 4)
		return vresult_set(r, V_ERR, "E120", "%s", DATE_FORMAT_MSG);
	if (t.d.y < 1900 || t.d.y > 2199)
		return vresult_set(r, V_ERR, "E123",
		    "année hors limites : %04d (attendue entre 1900 et 2199)",
		    t.d.y);
	if (!date_valid(t.d.y, t.d.m, t.d.d))
		return vresult_set(r, V_ERR, "E121", "date inexistante : %s",
		    echo(in, e));
	*out = t.d;
	return vresult_ok(r);
}

/* v_birth_date - an employee's birth date against hire and today */
enum vstatus v_birth_date(struct date birth, struct date hire,
			  struct date today, struct vresult *r)
{
	char b[DATE_ISO_SIZE];
	int age;

	if (date_cmp(birth, today) > 0)
		return vresult_set(r, V_ERR, "E125",
		    "date de naissance dans le futur : %s",
		    date_format_fr(birth, b));
	if (date_cmp(birth, hire) > 0)
		return vresult_set(r, V_ERR, "E126",
		    "date de naissance postérieure à la date d'embauche : "
		    "vérifiez date_naissance et date_embauche");
	age = date_age(birth, hire);
	if (age < 14)
		return vresult_set(r, V_ERR, "E126",
		    "salarié âgé de %d an%s à l'embauche : 14 ans minimum ; "
		    "vérifiez date_naissance et date_embauche",
		    age, plural((size_t)age));
	if (age > 80)
		return vresult_set(r, V_ERR, "E127",
		    "salarié âgé de %d ans à l'embauche : 80 ans maximum ; "
		    "vérifiez l'année de date_naissance", age);
	return vresult_ok(r);
}

/* v_hire_date - far ahead is a typo; long ago is late, not wrong */
enum vstatus v_hire_date(struct date hire, struct date today,
			 struct vresult *r)
{
	long ahead = date_diff_days(today, hire);

	if (ahead > 365)
		return vresult_set(r, V_ERR, "E128",
		    "date d'embauche dans %ld jours (plus de 365) : vérifiez "
		    "l'année", ahead);
	if (ahead < -90)
		return vresult_set(r, V_WARN, "W120",
		    "date d'embauche passée de %ld jours (plus de 90) : "
		    "vérifiez-la, l'affiliation remonte à cette date", -ahead);
	return vresult_ok(r);
}

/* v_mandate_date - the mandate must have been signed already */
enum vstatus v_mandate_date(struct date signed_on, struct date today,
			    struct vresult *r)
{
	char b[DATE_ISO_SIZE];

	if (date_cmp(signed_on, today) > 0)
		return vresult_set(r, V_ERR, "E129",
		    "date de signature du mandat dans le futur : %s",
		    date_format_fr(signed_on, b));
	return vresult_ok(r);
}

/* ------------------------------------------------------------------ email */

/* is_atext - RFC 5322 atext: letters, digits and !#$%&'*+-/=?^_`{|}~ */
static int is_atext(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* bad_char - "« x »" for printable ASCII, a description otherwise */
static const char *bad_char(int c, char out[24])
{
	if (c > 0x20 && c < 0x7F)
		(void)snprintf(out, 24, "« %c »", c);
	else
		(void)snprintf(out, 24, "accentué ou spécial");
	return out;
}

/* email_local - dot-atom, at most 64 bytes (RFC 5321) */
static enum vstatus email_local(const char *s, size_t n, struct vresult *r)
{
	char c[24];

	if (n == 0)
		return vresult_set(r, V_ERR, "E135",
		    "adresse e-mail sans rien avant « @ »");
	if (n > 64)
		return vresult_set(r, V_ERR, "E135",
		    "partie avant « @ » trop longue : %zu octets (maximum 64)",
		    n);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (i == 0 || i + 1 == n || s[i + 1] == '.')
				return vresult_set(r, V_ERR, "E135",
				    "point en début, en fin ou doublé avant "
				    "« @ » dans l'adresse e-mail");
		} else if (!is_atext((unsigned char)s[i])) {
			return vresult_set(r, V_ERR, "E135",
			    "caractère %s non autorisé avant « @ » dans "
			    "l'adresse e-mail",
			    bad_char((unsigned char)s[i], c));
		}
	}
	return V_OK;
}

/* email_label - letters, digits, hyphens inside, 1 to 63 bytes */
static enum vstatus email_label(const char *s, size_t n, struct vresult *r)
{
	char c[24];

	if (n == 0)
		return vresult_set(r, V_ERR, "E136",
		    "domaine de l'adresse e-mail invalide : point en début, "
		    "en fin ou doublé");
	if (n > 63)
		return vresult_set(r, V_ERR, "E136",
		    "domaine de l'adresse e-mail invalide : partie de plus de "
		    "63 caractères");
	if (s[0] == '-' || s[n - 1] == '-')
		return vresult_set(r, V_ERR, "E136",
		    "domaine de l'adresse e-mail invalide : une partie "
		    "commence ou finit par « - »");
	for (size_t i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
			return vresult_set(r, V_ERR, "E136",
			    "domaine de l'adresse e-mail invalide : caractère "
			    "%s non autorisé", bad_char((unsigned char)s[i], c));
	return V_OK;
}

/* email_domain - at least two labels: a bare host is never a mailbox here */
static enum vstatus email_domain(const char *s, struct vresult *r)
{
	const char *dot;

	if (*s == '\0')
		return vresult_set(r, V_ERR, "E136",
		    "adresse e-mail sans domaine après « @ »");
	if (strchr(s, '.') == NULL)
		return vresult_set(r, V_ERR, "E136",
		    "domaine de l'adresse e-mail sans point (attendu par "
		    "exemple societe.fr)");
	for (;;) {
		dot = strchr(s, '.');
		if (email_label(s, dot ? (size_t)(dot - s) : strlen(s), r) !=
		    V_OK)
			return r->status;
		if (dot == NULL)
			return V_OK;
		s = dot + 1;
	}
}

/* email_blanks - separators, spaces, controls: E133 or E132, else V_OK */
static enum vstatus email_blanks(const char *s, struct vresult *r)
{
	const char *at = strchr(s, '@');
	int several = at != NULL && strchr(at + 1, '@') != NULL;

	/* First, so that "a@b.fr\r\nBcc: c@d.fr" is named for what it is. */
	if (strpbrk(s, "\r\n") != NULL)
		return vresult_set(r, V_ERR, "E132",
		    "retour à la ligne dans l'adresse e-mail");
	if (strpbrk(s, ",;") != NULL || (several && strpbrk(s, " \t")))
		return vresult_set(r, V_ERR, "E133",
		    "plusieurs adresses e-mail dans la cellule : une seule "
		    "est acceptée");
	if (strchr(s, ' ') != NULL)
		return vresult_set(r, V_ERR, "E132",
		    "espace dans l'adresse e-mail : écrivez seulement "
		    "l'adresse, sans nom ni espace");
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7F)
			return vresult_set(r, V_ERR, "E132",
			    "caractère de contrôle dans l'adresse e-mail");
	return V_OK;
}

/* v_email - one addr-spec (RFC 5322 3.4.1), dot-atom local part */
enum vstatus v_email(const char *in, struct vresult *r)
{
	size_t len = strlen(in);
	const char *at;

	if (len == 0)
		return vresult_set(r, V_ERR, "E130", "adresse e-mail vide");
	if (len > EMAIL_MAX)
		return vresult_set(r, V_ERR, "E131",
		    "adresse e-mail trop longue : %zu octets (maximum 254)",
		    len);
	if (email_blanks(in, r) != V_OK)
		return r->status;
	if ((at = strchr(in, '@')) == NULL)
		return vresult_set(r, V_ERR, "E134",
		    "adresse e-mail sans « @ »");
	if (strchr(at + 1, '@') != NULL)
		return vresult_set(r, V_ERR, "E134",
		    "adresse e-mail avec plusieurs « @ »");
	if (email_local(in, (size_t)(at - in), r) != V_OK ||
	    email_domain(at + 1, r) != V_OK)
		return r->status;
	return vresult_ok(r);
}

/* -------------------------------------------------------------- categorie */

static const struct name_map categories[] = {
	{ "CADRE", "CADRE", V_OK },
	{ "NON_CADRE", "NON_CADRE", V_OK },
	{ "AUTRE", "AUTRE", V_OK },
	{ "01", "CADRE", V_OK },
	{ "04", "NON_CADRE", V_OK },
	{ "98", "AUTRE", V_OK },
	{ "99", "AUTRE", V_OK },
	{ "1", "CADRE", V_WARN },	/* Excel dropped the leading zero */
	{ "4", "NON_CADRE", V_WARN },
};

/* v_categorie - name or DSN code of the employee's category */
enum vstatus v_categorie(const char *in, char *out, size_t outlen,
			 struct vresult *r)
{
	const struct name_map *c = lookup(categories, NELEM(categories), in);
	char e[ECHO_SIZE];

	assert(outlen >= CATEGORIE_SIZE);
	out[0] = '\0';
	if (*in == '\0')
		return vresult_set(r, V_ERR, "E140",
		    "catégorie vide : attendu CADRE, NON_CADRE, AUTRE ou code "
		    "DSN 01, 04, 98, 99");
	if (c == NULL)
		return vresult_set(r, V_ERR, "E140",
		    "catégorie inconnue : « %s » (attendu CADRE, NON_CADRE, "
		    "AUTRE ou code DSN 01, 04, 98, 99)", echo(in, e));
	(void)strlcpy_ok(out, c->name, outlen);
	if (c->status == V_WARN)
		return vresult_set(r, V_WARN, "W140",
		    "catégorie « %s » lue comme le code DSN 0%s (%s) : le "
		    "tableur a supprimé le zéro initial", c->in, c->in, c->name);
	return vresult_ok(r);
}

/* ------------------------------------------------------------------- IBAN */

/* SEPA scheme countries (EPC list, 2025) and their IBAN lengths. */
static const struct iban_country {
	char cc[3];
	int len;
} iban_countries[] = {
	{ "AD", 24 }, { "AL", 28 }, { "AT", 20 }, { "BE", 16 }, { "BG", 22 },
	{ "CH", 21 }, { "CY", 28 }, { "CZ", 24 }, { "DE", 22 }, { "DK", 18 },
	{ "EE", 20 }, { "ES", 24 }, { "FI", 18 }, { "FR", 27 }, { "GB", 22 },
	{ "GI", 23 }, { "GR", 27 }, { "HR", 21 }, { "HU", 28 }, { "IE", 22 },
	{ "IS", 26 }, { "IT", 27 }, { "LI", 21 }, { "LT", 20 }, { "LU", 20 },
	{ "LV", 21 }, { "MC", 27 }, { "MD", 24 }, { "ME", 22 }, { "MK", 19 },
	{ "MT", 31 }, { "NL", 18 }, { "NO", 15 }, { "PL", 28 }, { "PT", 25 },
	{ "RO", 24 }, { "SE", 24 }, { "SI", 19 }, { "SK", 24 }, { "SM", 27 },
	{ "VA", 22 },
};

/* iban_length - the length for the country code at s, or 0 */
static int iban_length(const char *s)
{
	for (size_t i = 0; i < NELEM(iban_countries); i++)
		if (strncmp(iban_countries[i].cc, s, 2) == 0)
			return iban_countries[i].len;
	return 0;
}

/* iban_mod97 - ISO 13616: country and key moved to the end, A=10..Z=35 */
static int iban_mod97(const char *s, size_t n)
{
	unsigned rem = 0;

	for (size_t k = 0; k < n; k++) {
		int c = (unsigned char)s[(k + 4) % n];

		if (is_digit(c))
			rem = (rem * 10 + (unsigned)(c - '0')) % 97;
		else
			rem = (rem * 100 + (unsigned)(c - 'A' + 10)) % 97;
	}
	return (int)rem;
}

/* rib_digit - RIB letters: A-I and J-R are 1-9, S-Z are 2-9 */
static int rib_digit(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c <= 'I')
		return c - 'A' + 1;
	if (c <= 'R')
		return c - 'J' + 1;
	return c - 'S' + 2;
}

/* rib_key - 97 - ((89 banque + 15 guichet + 3 compte) mod 97) */
static int rib_key(const char *bban)
{
	uint64_t banque = 0, guichet = 0, compte = 0;

	for (int i = 0; i < 5; i++)
		banque = banque * 10 + (uint64_t)rib_digit(bban[i]);
	for (int i = 5; i < 10; i++)
		guichet = guichet * 10 + (uint64_t)rib_digit(bban[i]);
	for (int i = 10; i < 21; i++)
		compte = compte * 10 + (uint64_t)rib_digit(bban[i]);
	return 97 - (int)((89 * banque + 15 * guichet + 3 * compte) % 97);
}

/* iban_rib - FR and MC: banque 5n, guichet 5n, compte 11c, clé 2n */
static enum vstatus iban_rib(const char *s, const char *tail,
			     struct vresult *r)
{
	const char *bban = s + 4;
	int key;

	if (digits_value(bban, 10) < 0 || digits_value(bban + 21, 2) < 0)
		return vresult_set(r, V_ERR, "E164",
		    "RIB invalide : code banque, code guichet et clé RIB sont "
		    "numériques%s", tail);
	key = rib_key(bban);
	if (key != digits_value(bban + 21, 2))
		return vresult_set(r, V_ERR, "E164",
		    "clé RIB invalide : attendue %02d, reçue %.2s%s", key,
		    bban + 21, tail);
	return V_OK;
}

/* iban_shape - letters and digits only, then 2 letters and 2 digits */
static enum vstatus iban_shape(const char *s, size_t n, const char *tail,
			       struct vresult *r)
{
	char c[24];

	for (size_t i = 0; i < n; i++)
		if (!is_upper((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]))
			return vresult_set(r, V_ERR, "E160",
			    "caractère %s non autorisé dans l'IBAN : lettres "
			    "et chiffres seulement%s",
			    bad_char((unsigned char)s[i], c), tail);
	if (n < 4 || !is_upper((unsigned char)s[0]) ||
	    !is_upper((unsigned char)s[1]) || digits_value(s + 2, 2) < 0)
		return vresult_set(r, V_ERR, "E160",
		    "l'IBAN doit commencer par le code pays (2 lettres) puis "
		    "la clé (2 chiffres)%s", tail);
	return V_OK;
}

/* iban_tail_ok - 4 printable ASCII bytes, never half a UTF-8 character */
static int iban_tail_ok(const char *tail)
{
	for (int i = 0; i < 4; i++)
		if ((unsigned char)tail[i] <= 0x20 ||
		    (unsigned char)tail[i] >= 0x7F)
			return 0;
	return 1;
}

/* v_iban - an account that SEPA direct debit can reach */
enum vstatus v_iban(const char *in, char *out, size_t outlen,
		    struct vresult *r)
{
	char s[STRIP_MAX], tail[48] = "";
	size_t n = strip_upper(in, s, sizeof(s));
	int want;

	assert(outlen >= IBAN_SIZE);
	out[0] = '\0';
	/* Never more of an IBAN than its last 4 characters (rules.md). */
	if (n >= 8 && n < sizeof(s) && iban_tail_ok(s + n - 4))
		(void)snprintf(tail, sizeof(tail),
		    " (IBAN se terminant par %s)", s + n - 4);
	if (n == 0)
		return vresult_set(r, V_ERR, "E160", "IBAN vide");
	if (n > 34)
		return vresult_set(r, V_ERR, "E162",
		    "IBAN trop long : %zu caractères pour 34 au plus%s", n,
		    tail);
	if (iban_shape(s, n, tail, r) != V_OK)
		return r->status;
	if ((want = iban_length(s)) == 0)
		return vresult_set(r, V_ERR, "E161",
		    "pays de l'IBAN inconnu ou hors zone SEPA%s : le "
		    "prélèvement SEPA exige un compte de la zone SEPA", tail);
	if ((size_t)want != n)
		return vresult_set(r, V_ERR, "E162",
		    "longueur d'IBAN invalide : %zu caractères, %d attendus "
		    "pour ce pays%s", n, want, tail);
	if (iban_mod97(s, n) != 1)
		return vresult_set(r, V_ERR, "E163",
		    "clé de contrôle de l'IBAN invalide%s : vérifiez chaque "
		    "caractère", tail);
	if ((strncmp(s, "FR", 2) == 0 || strncmp(s, "MC", 2) == 0) &&
	    iban_rib(s, tail, r) != V_OK)
		return r->status;
	memcpy(out, s, n + 1);
	return vresult_ok(r);
}

/* -------------------------------------------------------------------- BIC */

/* v_bic - bank (4 letters), country (2 letters), location, branch */
enum vstatus v_bic(const char *in, char *out, size_t outlen,
		   struct vresult *r)
{
	char s[STRIP_MAX];
	size_t n = strip_upper(in, s, sizeof(s));

	assert(outlen >= BIC_SIZE);
	out[0] = '\0';
	if (n == 0)
		return vresult_set(r, V_ERR, "E165", "BIC vide");
	if (n != 8 && n != 11)
		return vresult_set(r, V_ERR, "E165",
		    "BIC de %zu caractère%s : 8 ou 11 attendus", n, plural(n));
	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (i < 4 && !is_upper(c))
			return vresult_set(r, V_ERR, "E165",
			    "BIC invalide : les 4 premiers caractères (banque) "
			    "doivent être des lettres");
		if (i >= 4 && i < 6 && !is_upper(c))
			return vresult_set(r, V_ERR, "E165",
			    "BIC invalide : les 5e et 6e caractères (pays) "
			    "doivent être des lettres");
		if (i >= 6 && !is_upper(c) && !is_digit(c))
			return vresult_set(r, V_ERR, "E165",
			    "BIC invalide : lettres et chiffres seulement après "
			    "le pays");
	}
	memcpy(out, s, n + 1);
	return vresult_ok(r);
}

/* -------------------------------------------------------------------- RUM */

/* is_rum_char - the SEPA Latin set without space (rules.md) */
static int is_rum_char(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("/-?:().,'+", c));
}

/* v_rum - mandate reference: SEPA characters, no empty path segment */
enum vstatus v_rum(const char *in, struct vresult *r)
{
	size_t n = strlen(in);
	char c[24];

	if (n == 0)
		return vresult_set(r, V_ERR, "E166", "RUM vide");
	if (n > RUM_MAX)
		return vresult_set(r, V_ERR, "E166",
		    "RUM trop longue : %zu caractères (maximum 35)", n);
	for (size_t i = 0; i < n; i++) {
		int ch = (unsigned char)in[i];

		if (ch == ' ')
			return vresult_set(r, V_ERR, "E166",
			    "espace non autorisé dans la RUM");
		if (!is_rum_char(ch))
			return vresult_set(r, V_ERR, "E166",
			    "caractère %s non autorisé dans la RUM (lettres "
			    "sans accent, chiffres et / - ? : ( ) . , ' +)",
			    bad_char(ch, c));
	}
	if (in[0] == '/' || in[n - 1] == '/')
		return vresult_set(r, V_ERR, "E166",
		    "la RUM ne doit ni commencer ni finir par « / »");
	if (strstr(in, "//") != NULL)
		return vresult_set(r, V_ERR, "E166",
		    "la RUM ne doit pas contenir « // »");
	return vresult_ok(r);
}

/* ------------------------------------------------------------------- text */

/* control_char - C0, DEL or C1 (U+0080-U+009F) at s: its byte count, or 0 */
static size_t control_char(const char *s)
{
	unsigned char c = (unsigned char)s[0];

	if (c < 0x20 || c == 0x7F)
		return 1;
	/* C1 controls betray Windows-1252 text decoded as Latin-1. */
	if (c == 0xC2 && (unsigned char)s[1] >= 0x80 &&
	    (unsigned char)s[1] <= 0x9F)
		return 2;
	return 0;
}

/* v_text - a name or an address line as it will print on a letter */
enum vstatus v_text(const char *in, size_t maxlen, struct vresult *r)
{
	size_t len = strlen(in), skip;
	int blank = 1;

	for (const char *s = in; *s != '\0'; s++) {
		if (*s == '\t')
			return vresult_set(r, V_ERR, "E171",
			    "tabulation dans le champ : supprimez-la");
		if (*s == '\r' || *s == '\n')
			return vresult_set(r, V_ERR, "E171",
			    "retour à la ligne dans le champ : écrivez la "
			    "valeur sur une seule ligne");
		if (control_char(s) > 0)
			return vresult_set(r, V_ERR, "E171",
			    "caractère de contrôle dans le champ : supprimez-le");
	}
	if (len > maxlen)
		return vresult_set(r, V_ERR, "E172",
		    "texte trop long : %zu octets pour %zu au plus (une lettre "
		    "accentuée compte pour 2)", len, maxlen);
	for (const char *s = in; *s != '\0'; s += skip ? skip : 1)
		if ((skip = blank_len(s)) == 0)
			blank = 0;
	if (blank)
		return vresult_set(r, V_ERR, "E170",
		    "champ vide ou composé uniquement d'espaces");
	return vresult_ok(r);
}

/* ------------------------------------------------------------ ayant droit */

static const struct name_map liens[] = {
	{ "CONJOINT", "CONJOINT", V_OK },
	{ "PACS", "PACS", V_OK },
	{ "CONCUBIN", "CONCUBIN", V_OK },
	{ "ENFANT", "ENFANT", V_OK },
};

static const struct name_map situations[] = {
	{ "ETUDIANT", "ETUDIANT", V_OK },
	{ "APPRENTI", "APPRENTI", V_OK },
	{ "DEMANDEUR_EMPLOI", "DEMANDEUR_EMPLOI", V_OK },
	{ "HANDICAPE", "HANDICAPE", V_OK },
};

/* v_lien - the beneficiary's link to the employee */
enum vstatus v_lien(const char *in, char *out, size_t outlen,
		    struct vresult *r)
{
	const struct name_map *l = lookup(liens, NELEM(liens), in);
	char e[ECHO_SIZE];

	assert(outlen >= LIEN_SIZE);
	out[0] = '\0';
	if (*in == '\0')
		return vresult_set(r, V_ERR, "E175",
		    "lien vide : attendu CONJOINT, PACS, CONCUBIN ou ENFANT");
	if (l == NULL)
		return vresult_set(r, V_ERR, "E175",
		    "lien inconnu : « %s » (attendu CONJOINT, PACS, CONCUBIN "
		    "ou ENFANT)", echo(in, e));
	(void)strlcpy_ok(out, l->name, outlen);
	return vresult_ok(r);
}

/* v_situation - what extends a child's cover; empty is none */
enum vstatus v_situation(const char *in, char *out, size_t outlen,
			 struct vresult *r)
{
	const struct name_map *s;
	char e[ECHO_SIZE];

	assert(outlen >= SITUATION_SIZE);
	out[0] = '\0';
	if (*in == '\0')
		return vresult_ok(r);
	if ((s = lookup(situations, NELEM(situations), in)) == NULL)
		return vresult_set(r, V_ERR, "E176",
		    "situation inconnue : « %s » (attendu ETUDIANT, APPRENTI, "
		    "DEMANDEUR_EMPLOI, HANDICAPE ou vide)", echo(in, e));
	(void)strlcpy_ok(out, s->name, outlen);
	return vresult_ok(r);
}

/* v_child_age - a child past the contract's age limit is not covered */
enum vstatus v_child_age(struct date birth, struct date at,
			 const char *situation, int age_limit,
			 struct vresult *r)
{
	const char *sit = situation ? situation : "";
	int studies = ascii_casecmp(sit, "ETUDIANT") == 0 ||
		      ascii_casecmp(sit, "APPRENTI") == 0 ||
		      ascii_casecmp(sit, "DEMANDEUR_EMPLOI") == 0;
	int limit = age_limit > 0 ? age_limit : CHILD_AGE_LIMIT;
	int age = date_age(birth, at);

	if (ascii_casecmp(sit, "HANDICAPE") == 0)
		return vresult_ok(r);
	if (studies && limit < CHILD_AGE_LIMIT_STUDIES)
		limit = CHILD_AGE_LIMIT_STUDIES;
	if (age <= limit)
		return vresult_ok(r);
	if (studies)
		return vresult_set(r, V_ERR, "E177",
		    "enfant âgé de %d ans : au-delà de la limite de %d ans du "
		    "contrat, même en situation %s", age, limit, sit);
	return vresult_set(r, V_ERR, "E177",
	    "enfant âgé de %d ans : au-delà de la limite de %d ans du contrat "
	    "(%d ans pour ETUDIANT, APPRENTI, DEMANDEUR_EMPLOI, sans limite "
	    "pour HANDICAPE : indiquez la situation)", age, limit,
	    limit > CHILD_AGE_LIMIT_STUDIES ? limit : CHILD_AGE_LIMIT_STUDIES);
}

/* ------------------------------------------------------ motif de rupture */

/* v_motif_rupture - DSN S21.G00.62.002 code, zeros restored */
enum vstatus v_motif_rupture(const char *in, char *out3, struct vresult *r)
{
	size_t n = strlen(in);
	char e[ECHO_SIZE];

	out3[0] = '\0';
	if (n == 0)
		return vresult_set(r, V_ERR, "E180",
		    "motif de rupture vide : attendu un code DSN à 3 chiffres "
		    "(par exemple 043)");
	if (n > 3 || digits_value(in, n) < 0)
		return vresult_set(r, V_ERR, "E180",
		    "motif de rupture invalide : « %s » (attendu un code DSN à "
		    "3 chiffres, par exemple 043)", echo(in, e));
	memset(out3, '0', 3 - n);
	memcpy(out3 + 3 - n, in, n + 1);
	if (strcmp(out3, "998") == 0)
		return vresult_set(r, V_ERR, "E181",
		    "motif 998 (transfert du contrat sans rupture) : ce n'est "
		    "pas une radiation, le salarié reste couvert ; ne "
		    "l'envoyez pas en RADIATION");
	if (n < 3)
		return vresult_set(r, V_WARN, "W180",
		    "motif de rupture « %s » lu comme %s : le tableur a "
		    "supprimé le%s zéro%s initia%s", in, out3,
		    n == 1 ? "s" : "", n == 1 ? "s" : "", n == 1 ? "ux" : "l");
	return vresult_ok(r);
}
