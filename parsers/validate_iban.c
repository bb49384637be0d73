/*
 * validate_iban - the IBAN of a SEPA direct debit.
 *
 * Spaces, no-break spaces, dots and hyphens between the groups are dropped
 * first: the value checked, counted in messages and stored is the IBAN
 * without them, in upper case.  Then, so that the message names the first
 * thing to fix: characters, the overall length, the country (known to the
 * registry, in the SEPA zone), the country's length, the BBAN structure of
 * the IBAN registry, ISO 13616 mod 97, and the French clé RIB (FR, MC).
 *
 * Never more of an IBAN than its last 4 characters in a message (rules.md).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "parsers/validate_priv.h"

/*
 * The IBAN registry (ISO 13616, SWIFT as registration authority): per
 * country, the IBAN's total length and its BBAN's structure, as the
 * registry writes it without the '!' (every length is fixed): runs of
 * <count><class>, n a digit, a an upper-case letter, c a letter or a digit.
 * Checked against the registry's entries as python-stdnum 1.18 ships them
 * (Debian 12, release of the registry of 2022); countries registered since
 * are not listed and are refused as unknown (E161).
 *
 * sepa: in the geographical scope of the SEPA schemes (EPC, 2025).  Only
 * those can be debited; the others are known here so that the message says
 * "hors zone SEPA" rather than "pays inconnu".  Sorted by country code.
 */
static const struct iban_country {
	char cc[3];
	unsigned char len;	/* the whole IBAN: 4 + the BBAN */
	unsigned char sepa;
	const char *bban;
} iban_countries[] = {
	{ "AD", 24, 1, "4n4n12c" },
	{ "AE", 23, 0, "3n16n" },
	{ "AL", 28, 1, "8n16c" },
	{ "AT", 20, 1, "5n11n" },
	{ "AZ", 28, 0, "4a20c" },
	{ "BA", 20, 0, "3n3n8n2n" },
	{ "BE", 16, 1, "3n7n2n" },
	{ "BG", 22, 1, "4a4n2n8c" },
	{ "BH", 22, 0, "4a14c" },
	{ "BI", 27, 0, "5n5n11n2n" },
	{ "BR", 29, 0, "8n5n10n1a1c" },
	{ "BY", 28, 0, "4c4n16c" },
	{ "CH", 21, 1, "5n12c" },
	{ "CR", 22, 0, "4n14n" },
	{ "CY", 28, 1, "3n5n16c" },
	{ "CZ", 24, 1, "4n6n10n" },
	{ "DE", 22, 1, "8n10n" },
	{ "DJ", 27, 0, "5n5n11n2n" },
	{ "DK", 18, 1, "4n9n1n" },
	{ "DO", 28, 0, "4c20n" },
	{ "EE", 20, 1, "2n2n11n1n" },
	{ "EG", 29, 0, "4n4n17n" },
	{ "ES", 24, 1, "4n4n1n1n10n" },
	{ "FI", 18, 1, "3n11n" },
	{ "FO", 18, 0, "4n9n1n" },
	{ "FR", 27, 1, "5n5n11c2n" },
	{ "GB", 22, 1, "4a6n8n" },
	{ "GE", 22, 0, "2a16n" },
	{ "GI", 23, 1, "4a15c" },
	{ "GL", 18, 0, "4n9n1n" },
	{ "GR", 27, 1, "3n4n16c" },
	{ "GT", 28, 0, "4c20c" },
	{ "HR", 21, 1, "7n10n" },
	{ "HU", 28, 1, "3n4n1n15n1n" },
	{ "IE", 22, 1, "4a6n8n" },
	{ "IL", 23, 0, "3n3n13n" },
	{ "IQ", 23, 0, "4a3n12n" },
	{ "IS", 26, 1, "4n2n6n10n" },
	{ "IT", 27, 1, "1a5n5n12c" },
	{ "JO", 30, 0, "4a4n18c" },
	{ "KW", 30, 0, "4a22c" },
	{ "KZ", 20, 0, "3n13c" },
	{ "LB", 28, 0, "4n20c" },
	{ "LC", 32, 0, "4a24c" },
	{ "LI", 21, 1, "5n12c" },
	{ "LT", 20, 1, "5n11n" },
	{ "LU", 20, 1, "3n13c" },
	{ "LV", 21, 1, "4a13c" },
	{ "LY", 25, 0, "3n3n15n" },
	{ "MC", 27, 1, "5n5n11c2n" },
	{ "MD", 24, 1, "2c18c" },
	{ "ME", 22, 1, "3n13n2n" },
	{ "MK", 19, 1, "3n10c2n" },
	{ "MR", 27, 0, "5n5n11n2n" },
	{ "MT", 31, 1, "4a5n18c" },
	{ "MU", 30, 0, "4a2n2n12n3n3a" },
	{ "NL", 18, 1, "4a10n" },
	{ "NO", 15, 1, "4n6n1n" },
	{ "PK", 24, 0, "4a16c" },
	{ "PL", 28, 1, "8n16n" },
	{ "PS", 29, 0, "4a21c" },
	{ "PT", 25, 1, "4n4n11n2n" },
	{ "QA", 29, 0, "4a21c" },
	{ "RO", 24, 1, "4a16c" },
	{ "RS", 22, 0, "3n13n2n" },
	{ "RU", 33, 0, "9n5n15c" },
	{ "SA", 24, 0, "2n18c" },
	{ "SC", 31, 0, "4a2n2n16n3a" },
	{ "SD", 18, 0, "2n12n" },
	{ "SE", 24, 1, "3n16n1n" },
	{ "SI", 19, 1, "5n8n2n" },
	{ "SK", 24, 1, "4n6n10n" },
	{ "SM", 27, 1, "1a5n5n12c" },
	{ "ST", 25, 0, "4n4n11n2n" },
	{ "SV", 28, 0, "4a20n" },
	{ "TL", 23, 0, "3n14n2n" },
	{ "TN", 24, 0, "2n3n13n2n" },
	{ "TR", 26, 0, "5n1n16c" },
	{ "UA", 29, 0, "6n19c" },
	{ "VA", 22, 1, "3n15n" },
	{ "VG", 24, 0, "4a16n" },
	{ "XK", 20, 0, "4n10n2n" },
};

/* iban_country - the registry's entry for the country code at s, or NULL */
static const struct iban_country *iban_country(const char *s)
{
	for (size_t i = 0; i < NELEM(iban_countries); i++)
		if (strncmp(iban_countries[i].cc, s, 2) == 0)
			return &iban_countries[i];
	return NULL;
}

/* class_ok - c (upper case, a letter or a digit) fits the registry's class */
static int class_ok(char class, int c)
{
	if (class == 'n')
		return is_digit(c);
	if (class == 'a')
		return is_upper(c);
	return 1;	/* 'c': any letter or digit, checked before */
}

/*
 * iban_structure - the BBAN (s + 4, of the country's length) against the
 * registry; the first character out of place is named by its position in
 * the IBAN, separators not counted, as the employer reads it on a RIB.
 */
static enum vstatus iban_structure(const char *s,
				   const struct iban_country *cc,
				   const char *tail, struct vresult *r)
{
	size_t pos = 4;
	const char *p = cc->bban;

	while (*p != '\0') {
		unsigned count = 0;

		while (is_digit((unsigned char)*p))
			count = count * 10 + (unsigned)(*p++ - '0');
		for (; count > 0; count--, pos++) {
			if (class_ok(*p, (unsigned char)s[pos]))
				continue;
			if (*p == 'n')
				return vresult_set(r, V_ERR, "E167",
				    "caractère %zu de l'IBAN (séparateurs non "
				    "comptés) : chiffre attendu pour ce pays, "
				    "lettre reçue%s", pos + 1, tail);
			return vresult_set(r, V_ERR, "E167",
			    "caractère %zu de l'IBAN (séparateurs non comptés) "
			    ": lettre attendue pour ce pays, chiffre reçu%s",
			    pos + 1, tail);
		}
		p++;
	}
	/* a table whose structure does not add up to its length is ours */
	assert(pos == cc->len);
	return V_OK;
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

/* iban_rib - FR and MC, once the structure is right: the clé RIB */
static enum vstatus iban_rib(const char *s, const char *tail,
			     struct vresult *r)
{
	const char *bban = s + 4;
	int key = rib_key(bban);

	if (key != validate_digits(bban + 21, 2))
		return vresult_set(r, V_ERR, "E164",
		    "clé RIB invalide : attendue %02d, reçue %.2s%s", key,
		    bban + 21, tail);
	return V_OK;
}

/* iban_chars - letters and digits only, once separators are gone */
static enum vstatus iban_chars(const char *s, size_t n, const char *tail,
			       struct vresult *r)
{
	char c[BAD_CHAR_SIZE];

	for (size_t i = 0; i < n; i++)
		if (!is_upper((unsigned char)s[i]) &&
		    !is_digit((unsigned char)s[i]))
			return vresult_set(r, V_ERR, "E160",
			    "caractère %s non autorisé dans l'IBAN : lettres "
			    "et chiffres seulement (les espaces, points et "
			    "tirets sont ignorés)%s",
			    validate_bad_char((unsigned char)s[i], c), tail);
	return V_OK;
}

/* iban_country_of - 2 letters and 2 digits, then a SEPA country */
static const struct iban_country *iban_country_of(const char *s, size_t n,
						  const char *tail,
						  struct vresult *r)
{
	const struct iban_country *cc;

	if (n < 4 || !is_upper((unsigned char)s[0]) ||
	    !is_upper((unsigned char)s[1]) || validate_digits(s + 2, 2) < 0) {
		(void)vresult_set(r, V_ERR, "E160",
		    "l'IBAN doit commencer par le code pays (2 lettres) puis "
		    "la clé (2 chiffres)%s", tail);
		return NULL;
	}
	if ((cc = iban_country(s)) == NULL) {
		(void)vresult_set(r, V_ERR, "E161",
		    "pays de l'IBAN inconnu%s : les 2 premières lettres ne "
		    "sont le code d'aucun pays du registre IBAN", tail);
		return NULL;
	}
	if (!cc->sepa) {
		(void)vresult_set(r, V_ERR, "E161",
		    "pays de l'IBAN hors zone SEPA%s : le prélèvement SEPA "
		    "exige un compte de la zone SEPA", tail);
		return NULL;
	}
	return cc;
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
	size_t n = validate_strip_separators(in, s, sizeof(s));
	const struct iban_country *cc;

	assert(outlen >= IBAN_SIZE);
	out[0] = '\0';
	/* Never more of an IBAN than its last 4 characters (rules.md). */
	if (n >= 8 && n < sizeof(s) && iban_tail_ok(s + n - 4))
		(void)snprintf(tail, sizeof(tail),
		    " (IBAN se terminant par %s)", s + n - 4);
	if (n == 0)
		return vresult_set(r, V_ERR, "E160", "IBAN vide");
	if (iban_chars(s, n < sizeof(s) ? n : sizeof(s) - 1, tail, r) != V_OK)
		return r->status;
	if (n > 34)
		return vresult_set(r, V_ERR, "E162",
		    "IBAN trop long : %zu caractères hors espaces, points et "
		    "tirets, pour 34 au plus%s", n, tail);
	if ((cc = iban_country_of(s, n, tail, r)) == NULL)
		return r->status;
	if (cc->len != n)
		return vresult_set(r, V_ERR, "E162",
		    "longueur d'IBAN invalide : %zu caractères hors espaces, "
		    "points et tirets, %d attendus pour ce pays%s", n,
		    cc->len, tail);
	if (iban_structure(s, cc, tail, r) != V_OK)
		return r->status;
	if (iban_mod97(s, n) != 1)
		return vresult_set(r, V_ERR, "E163",
		    "clé de contrôle de l'IBAN invalide%s : vérifiez chaque "
		    "caractère", tail);
	if ((strcmp(cc->cc, "FR") == 0 || strcmp(cc->cc, "MC") == 0) &&
	    iban_rib(s, tail, r) != V_OK)
		return r->status;
	memcpy(out, s, n + 1);
	return vresult_ok(r);
}
