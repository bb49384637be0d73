/*
 * validate_mandate - the rest of a SEPA mandate: the BIC (ISO 9362) and the
 * RUM (référence unique de mandat).
 */
#include <assert.h>
#include <string.h>

#include "parsers/validate_priv.h"

/* v_bic - bank (4 letters), country (2 letters), location, branch */
enum vstatus v_bic(const char *in, char *out, size_t outlen,
		   struct vresult *r)
{
	char s[STRIP_MAX];
	size_t n = validate_strip_upper(in, s, sizeof(s));

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

/* is_rum_char - the SEPA Latin set without space (rules.md) */
static int is_rum_char(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("/-?:().,'+", c));
}

/* v_rum - mandate reference: SEPA characters, no empty path segment */
enum vstatus v_rum(const char *in, struct vresult *r)
{
	size_t n = strlen(in);
	char c[BAD_CHAR_SIZE];

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
			    validate_bad_char(ch, c));
	}
	if (in[0] == '/' || in[n - 1] == '/')
		return vresult_set(r, V_ERR, "E166",
		    "la RUM ne doit ni commencer ni finir par « / »");
	if (strstr(in, "//") != NULL)
		return vresult_set(r, V_ERR, "E166",
		    "la RUM ne doit pas contenir « // »");
	return vresult_ok(r);
}
