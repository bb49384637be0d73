/*
 * baseline_rules - the field rules of bench/baseline_ingest.c: affild's
 * rules for the fields of AFFILIATION_*, AYANT_DROIT and RADIATION
 * (parsers/validate_*.c), written again the way a careful ingest would,
 * pure functions that add their findings to a list.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "baseline_rules.h"

/* rule_add - one finding; an E code counts even when the list is full */
void rule_add(struct findings *fs, const char *code, const char *field,
	      const char *fmt, ...)
{
	struct finding *f;
	va_list ap;

	if (code[0] == 'E')
		fs->errors++;
	if (fs->n == MAX_FINDINGS)
		return;
	f = &fs->f[fs->n++];
	f->code = code;
	f->field = field;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
}

/* rule_days - days since 1970-01-01 (H. Hinnant's days_from_civil) */
int rule_days(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* rule_digits - n decimal digits */
int rule_digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* rule_date - AAAA-MM-JJ or J/M/AAAA, a real date in 1900..2199; 0 valid */
int rule_date(struct findings *fs, const char *field, const char *s,
	      struct ymd *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	const char *p = s;
	int d = 0, m = 0, y = 0, n;

	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
	    rule_digits(s, 4, &y) == 0 && rule_digits(s + 5, 2, &m) == 0 &&
	    rule_digits(s + 8, 2, &d) == 0) {
		p = s + 10;
	} else {
		for (n = 0; n < 2 && isdigit((unsigned char)*p); n++)
			d = d * 10 + (*p++ - '0');
		if (n == 0 || *p++ != '/')
			goto format;
		for (n = 0; n < 2 && isdigit((unsigned char)*p); n++)
			m = m * 10 + (*p++ - '0');
		if (n == 0 || *p++ != '/')
			goto format;
		for (n = 0; n < 5 && isdigit((unsigned char)*p); n++)
			y = y * 10 + (*p++ - '0');
		if (n == 2) {
			rule_add(fs, "E122", field, "année sur deux chiffres");
			return -1;
		}
		if (n != 4)
			goto format;
	}
	if (*p != '\0')
		goto format;
	if (y < 1900 || y > 2199) {
		rule_add(fs, "E123", field, "année hors limites : %04d", y);
		return -1;
	}
	if (m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap(y))) {
		rule_add(fs, "E121", field, "date inexistante");
		return -1;
	}
	out->y = y;
	out->m = m;
	out->d = d;
	return 0;
format:
	rule_add(fs, "E120", field, "format de date invalide : attendu "
		 "AAAA-MM-JJ ou JJ/MM/AAAA");
	return -1;
}

/* rule_age - whole years from birth b to date a */
int rule_age(struct ymd b, struct ymd a)
{
	return a.y - b.y - (a.m < b.m || (a.m == b.m && a.d < b.d));
}

/* rule_nir - 15 characters once separators are gone; out: the NIR kept */
int rule_nir(struct findings *fs, const char *in, char out[16])
{
	char s[64];
	size_t n = 0;
	unsigned long long v = 0;
	int i, month, key;

	for (; *in != '\0'; in++) {
		if (*in == ' ' || *in == '.' || *in == '-')
			continue;
		if (n == sizeof(s) - 1 || !isalnum((unsigned char)*in)) {
			rule_add(fs, "E112", "nir",
				 "caractère non autorisé dans le NIR");
			return -1;
		}
		s[n++] = (char)toupper((unsigned char)*in);
	}
	s[n] = '\0';
	if (n == 0) {
		rule_add(fs, "E110", "nir", "NIR vide");
		return -1;
	}
	if (n != 15) {
		rule_add(fs, "E111", "nir",
			 "NIR de %zu caractères au lieu de 15", n);
		return -1;
	}
	if (strchr("123478", s[0]) == NULL) {
		rule_add(fs, "E112", "nir", "premier chiffre du NIR invalide");
		return -1;
	}
	for (i = 1; i < 15; i++) {
		if (i == 5 && s[5] == '2' && (s[6] == 'A' || s[6] == 'B')) {
			i = 6;
			continue;
		}
		if (!isdigit((unsigned char)s[i])) {
			rule_add(fs, "E112", "nir", "caractère non numérique "
				 "en position %d du NIR", i + 1);
			return -1;
		}
	}
	month = (s[3] - '0') * 10 + (s[4] - '0');
	if (!((month >= 1 && month <= 12) || month == 20 ||
	      (month >= 30 && month <= 42) || month >= 50)) {
		rule_add(fs, "E113", "nir", "mois de naissance "
			 "impossible dans le NIR : %02d", month);
		return -1;
	}
	for (i = 0; i < 13; i++) {
		if (i == 5 && (s[6] == 'A' || s[6] == 'B')) {
			v = v * 100 + (s[6] == 'A' ? 19 : 18);
			i++;
		} else {
			v = v * 10 + (unsigned)(s[i] - '0');
		}
	}
	key = 97 - (int)(v % 97);
	if (key != (s[13] - '0') * 10 + (s[14] - '0')) {
		rule_add(fs, "E114", "nir", "clé de contrôle invalide : "
			 "attendue %02d, reçue %c%c", key, s[13], s[14]);
		return -1;
	}
	memcpy(out, s, 16);
	return 0;
}

/* rule_text - a name: at most max bytes, no control character */
void rule_text(struct findings *fs, const char *field, const char *s,
	       size_t max)
{
	size_t n = strlen(s);

	if (n > max) {
		rule_add(fs, "E172", field, "valeur trop longue : %zu octets "
			 "(maximum %zu)", n, max);
		return;
	}
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			rule_add(fs, "E171", field, "caractère de contrôle");
			return;
		}
}

static int atext(int ch)
{
	return isalnum(ch) || (ch != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", ch));
}

/* email_error - why s is not one addr-spec, or NULL (*code set) */
static const char *email_error(const char *s, const char **code)
{
	const char *at = strchr(s, '@'), *p, *label;

	*code = "E131";
	if (strlen(s) > 254)
		return "adresse de plus de 254 octets";
	*code = "E132";
	if (strpbrk(s, " \t\r\n") != NULL)
		return "espace dans l'adresse";
	*code = "E133";
	if (strpbrk(s, ",;") != NULL)
		return "plusieurs adresses";
	*code = "E134";
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return "pas exactement un « @ »";
	*code = "E135";
	if (at == s || at - s > 64 || s[0] == '.' || at[-1] == '.')
		return "partie locale invalide";
	for (p = s; p < at; p++)
		if ((*p == '.' && p[1] == '.') ||
		    (*p != '.' && !atext((unsigned char)*p)))
			return "partie locale invalide";
	*code = "E136";
	if (strchr(at + 1, '.') == NULL)
		return "domaine sans point";
	for (label = p = at + 1;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' ||
			    p[-1] == '-')
				return "domaine invalide";
			if (*p == '\0')
				return NULL;
			label = p + 1;
		} else if (!isalnum((unsigned char)*p) && *p != '-') {
			return "domaine invalide";
		}
	}
}

/* rule_email - one addr-spec: dot-atom local part, two labels or more */
void rule_email(struct findings *fs, const char *s)
{
	const char *code, *why = email_error(s, &code);

	if (why != NULL)
		rule_add(fs, code, "email", "%s", why);
}

int rule_in_list(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

