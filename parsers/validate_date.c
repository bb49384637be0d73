/*
 * validate_date - dates as people and payroll tools write them, and the
 * checks that compare them: birth against hire and today, hire against
 * today, the mandate's signature against today.
 */
#include <string.h>

#include "parsers/validate_priv.h"

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
	return strlen(s) == 5 && validate_digits(s, 5) >= 0;
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
		    "(JJ/MM/AAAA)", validate_echo(in, e));
	if (t.ydigits != 4)
		return vresult_set(r, V_ERR, "E120", "%s", DATE_FORMAT_MSG);
	if (t.d.y < 1900 || t.d.y > 2199)
		return vresult_set(r, V_ERR, "E123",
		    "année hors limites : %04d (attendue entre 1900 et 2199)",
		    t.d.y);
	if (!date_valid(t.d.y, t.d.m, t.d.d))
		return vresult_set(r, V_ERR, "E121", "date inexistante : %s",
		    validate_echo(in, e));
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
