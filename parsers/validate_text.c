/*
 * validate_text - names and address lines: not blank, one line, no control
 * character, at most the field's length.
 */
#include <string.h>

#include "common/utf8.h"
#include "parsers/validate_priv.h"

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
		if (utf8_control_len(s) > 0)
			return vresult_set(r, V_ERR, "E171",
			    "caractère de contrôle dans le champ : supprimez-le");
	}
	if (len > maxlen)
		return vresult_set(r, V_ERR, "E172",
		    "texte trop long : %zu octets pour %zu au plus (une lettre "
		    "accentuée compte pour 2)", len, maxlen);
	for (const char *s = in; *s != '\0'; s += skip ? skip : 1)
		if ((skip = validate_blank_len(s)) == 0)
			blank = 0;
	if (blank)
		return vresult_set(r, V_ERR, "E170",
		    "champ vide ou composé uniquement d'espaces");
	return vresult_ok(r);
}
