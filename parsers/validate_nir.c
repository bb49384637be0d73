/*
 * validate_nir - the NIR (numéro d'inscription au répertoire, the social
 * security number): 15 characters, Corsica's 2A/2B, the birth month, the key.
 *
 * Spaces, no-break spaces, dots and hyphens between the groups
 * (2 95 10 99 126 111 93, 2.95.10.99.126.111.93) are dropped first: lengths
 * and positions in messages count the NIR without them, and the NIR stored
 * is that one.  A NIR is never quoted back in a message: only positions, a
 * single character and the key are.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "parsers/validate_priv.h"

/*
 * nir_is_number - "2,95109E+14", "2.95109E+14", "295109912611193.0": a
 * spreadsheet showed the NIR as a number.  The scientific form has lost
 * digits for good, so the employer must type it again.  Without an exponent
 * only 15 digits or more and a fraction of zeros betray a spreadsheet:
 * "2.95.10...", "295109.912611193" or "29510991261114.0" are a NIR written
 * with dots.  s has no blanks.
 */
static int nir_is_number(const char *s)
{
	const char *start = s;
	int mark = 0;

	if (!is_digit((unsigned char)*s))
		return 0;
	while (is_digit((unsigned char)*s))
		s++;
	if (*s == ',' || *s == '.') {
		size_t whole = (size_t)(s - start);
		const char *frac = ++s;

		while (*s == '0')
			s++;
		mark = whole >= 15 && s > frac && !is_digit((unsigned char)*s);
		while (is_digit((unsigned char)*s))
			s++;
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

/* nir_chars - only letters and digits are left once separators are gone */
static enum vstatus nir_chars(const char *s, struct vresult *r)
{
	char c[BAD_CHAR_SIZE];

	for (size_t i = 0; s[i] != '\0'; i++)
		if (!is_alnum((unsigned char)s[i]))
			return vresult_set(r, V_ERR, "E112",
			    "caractère %s non autorisé en position %zu du NIR "
			    ": chiffres seulement, 2A ou 2B pour la Corse (les "
			    "espaces, points et tirets sont ignorés)",
			    validate_bad_char((unsigned char)s[i], c), i + 1);
	return V_OK;
}

/* nir_shape - [1-478][0-9]{4}(2A|2B|[0-9]{2})[0-9]{8}, position by position */
static enum vstatus nir_shape(const char *s, struct vresult *r)
{
	if (!is_digit((unsigned char)s[0]))
		return vresult_set(r, V_ERR, "E112",
		    "caractère non numérique en position 1 du NIR : attendu 1 "
		    "ou 2 (3, 4, 7 ou 8 pour un numéro provisoire)");
	if (strchr("123478", s[0]) == NULL)
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

/*
 * nir_length - empty, a spreadsheet number, a character that has no place
 * in a NIR, or not 15 characters.  raw is the value without blanks, s
 * without any separator (n characters).
 */
static enum vstatus nir_length(const char *raw, const char *s, size_t n,
			       struct vresult *r)
{
	if (n == 0)
		return vresult_set(r, V_ERR, "E110", "NIR vide");
	if (nir_is_number(raw))
		return vresult_set(r, V_ERR, "E115",
		    "NIR transformé en nombre par un tableur : formatez la "
		    "colonne en texte et saisissez à nouveau les 15 caractères");
	if (nir_chars(s, r) != V_OK)
		return r->status;
	if (n == 13)
		return vresult_set(r, V_ERR, "E111",
		    "NIR de 13 caractères : il manque la clé de contrôle "
		    "(les 2 derniers chiffres)");
	if (n != 15)
		return vresult_set(r, V_ERR, "E111",
		    "NIR de %zu caractère%s au lieu de 15 (espaces, points et "
		    "tirets non comptés)", n, plural(n));
	return V_OK;
}

/* v_nir - social security number of a person born or living in France */
enum vstatus v_nir(const char *in, char *out, size_t outlen,
		   struct vresult *r)
{
	char raw[STRIP_MAX], s[STRIP_MAX];
	size_t n = validate_strip_separators(in, s, sizeof(s));
	long month;
	int key, got;

	assert(outlen >= NIR_SIZE);
	out[0] = '\0';
	(void)validate_strip_upper(in, raw, sizeof(raw));
	if (nir_length(raw, s, n, r) != V_OK || nir_shape(s, r) != V_OK)
		return r->status;
	month = validate_digits(s + 3, 2);
	if (!nir_month_ok(month))
		return vresult_set(r, V_ERR, "E113",
		    "mois de naissance impossible dans le NIR : %02ld (attendu "
		    "01 à 12, 20, 30 à 42 ou 50 à 99)", month);
	key = nir_key(s);
	got = (int)validate_digits(s + 13, 2);
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
	yy = validate_digits(nir_norm + 1, 2);
	mm = validate_digits(nir_norm + 3, 2);
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
