/*
 * validate_text - names and address lines: not blank, no control
 * character, at most the field's length; the adresse field's line breaks
 * as address lines, any other field's folded to a space.
 */
#include <stdio.h>
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

/* trimmed - [*b, *e) without its spaces and tabs at both ends */
static void trimmed(const char **b, const char **e)
{
	while (*b < *e && (**b == ' ' || **b == '\t'))
		(*b)++;
	while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/* v_address - see validate.h */
enum vstatus v_address(const char *in, char *out, size_t outlen,
		       struct vresult *r)
{
	char line[ADDRESS_LINE_MAX * 4 + 1];
	const char *b = in, *e;
	size_t n = 0, used = 0, len;
	enum vstatus st;

	if (outlen <= strlen(in))
		return vresult_set(r, V_ERR, "E172", "adresse trop longue : "
		    "%zu octets pour %d lignes de %d au plus", strlen(in),
		    ADDRESS_LINES, ADDRESS_LINE_MAX);
	out[0] = '\0';
	while (*b != '\0') {
		e = b + strcspn(b, "\r\n");
		trimmed(&b, &e);
		len = (size_t)(e - b);
		if (len > 0) {
			if (++n > ADDRESS_LINES)
				return vresult_set(r, V_ERR, "E173",
				    "adresse de plus de %d lignes : la fenêtre "
				    "d'une lettre n'en tient pas plus",
				    ADDRESS_LINES);
			if (len >= sizeof(line))
				return vresult_set(r, V_ERR, "E172",
				    "ligne %zu de l'adresse trop longue : %zu "
				    "octets pour %d au plus", n, len,
				    ADDRESS_LINE_MAX);
			memcpy(line, b, len);
			line[len] = '\0';
			st = v_text(line, ADDRESS_LINE_MAX, r);
			if (st == V_ERR)
				return st;
			used += (size_t)snprintf(out + used, outlen - used,
						 "%s%s", used ? "\n" : "", line);
		}
		b += strcspn(b, "\r\n");
		b += strspn(b, "\r\n");
	}
	if (n == 0)
		return vresult_set(r, V_ERR, "E170",
		    "champ vide ou composé uniquement d'espaces");
	return vresult_ok(r);
}

/* v_one_line - see validate.h */
enum vstatus v_one_line(const char *in, size_t maxlen, char *out,
			size_t outlen, struct vresult *r)
{
	size_t i, j = 0;
	int folded = 0;
	enum vstatus st;

	if (outlen <= strlen(in))
		return vresult_set(r, V_ERR, "E172", "texte trop long : %zu "
		    "octets pour %zu au plus (une lettre accentuée compte "
		    "pour 2)", strlen(in), maxlen);
	for (i = 0; in[i] != '\0'; i++) {
		if (in[i] == '\r' || in[i] == '\n') {
			if (!(in[i] == '\n' && i > 0 && in[i - 1] == '\r'))
				out[j++] = ' ';
			folded = 1;
		} else {
			out[j++] = in[i];
		}
	}
	out[j] = '\0';
	st = v_text(out, maxlen, r);
	if (st != V_OK || !folded)
		return st;
	return vresult_set(r, V_WARN, "W171", "retour à la ligne dans le "
			   "champ remplacé par une espace");
}
