/*
 * validate_iban - the IBAN of a SEPA direct debit: country, length for the
 * country, ISO 13616 mod 97, and the French clé RIB (FR, MC).
 *
 * Never more of an IBAN than its last 4 characters in a message (rules.md).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "parsers/validate_priv.h"

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

	if (validate_digits(bban, 10) < 0 || validate_digits(bban + 21, 2) < 0)
		return vresult_set(r, V_ERR, "E164",
		    "RIB invalide : code banque, code guichet et clé RIB sont "
		    "numériques%s", tail);
	key = rib_key(bban);
	if (key != validate_digits(bban + 21, 2))
		return vresult_set(r, V_ERR, "E164",
		    "clé RIB invalide : attendue %02d, reçue %.2s%s", key,
		    bban + 21, tail);
	return V_OK;
}

/* iban_shape - letters and digits only, then 2 letters and 2 digits */
static enum vstatus iban_shape(const char *s, size_t n, const char *tail,
			       struct vresult *r)
{
	char c[BAD_CHAR_SIZE];

	for (size_t i = 0; i < n; i++)
		if (!is_upper((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]))
			return vresult_set(r, V_ERR, "E160",
			    "caractère %s non autorisé dans l'IBAN : lettres "
			    "et chiffres seulement%s",
			    validate_bad_char((unsigned char)s[i], c), tail);
	if (n < 4 || !is_upper((unsigned char)s[0]) ||
	    !is_upper((unsigned char)s[1]) || validate_digits(s + 2, 2) < 0)
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
	size_t n = validate_strip_upper(in, s, sizeof(s));
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
