/*
 * validate_email - one addr-spec (RFC 5322 3.4.1) in a cell: no display
 * name, no list, dot-atom local part, a domain of at least two labels.
 */
#include <string.h>

#include "parsers/validate_priv.h"

/* is_atext - RFC 5322 atext: letters, digits and !#$%&'*+-/=?^_`{|}~ */
static int is_atext(int c)
{
	return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* email_local - dot-atom, at most 64 bytes (RFC 5321) */
static enum vstatus email_local(const char *s, size_t n, struct vresult *r)
{
	char c[BAD_CHAR_SIZE];

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
			    validate_bad_char((unsigned char)s[i], c));
		}
	}
	return V_OK;
}

/* email_label - letters, digits, hyphens inside, 1 to 63 bytes */
static enum vstatus email_label(const char *s, size_t n, struct vresult *r)
{
	char c[BAD_CHAR_SIZE];

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
			    "%s non autorisé", validate_bad_char((unsigned char)s[i], c));
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
