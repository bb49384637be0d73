/*
 * xml_errmsg - French messages for libxml2's parse and XSD errors.
 *
 * libxml2 quotes the names it talks about ('email', "line 9"); quoted()
 * picks them out.  The codes are libxml2's (xmlerror.h), stable across
 * versions.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/xmlerror.h>

#include "common/utf8.h"
#include "common/util.h"
#include "parsers/xml_errmsg.h"

/* quoted - the nth 'quoted' word of msg into out ("" when there is none) */
static const char *quoted(const char *msg, int nth, char *out, size_t len)
{
	const char *p = msg, *end;

	out[0] = '\0';
	for (;;) {
		p = strchr(p, '\'');
		if (p == NULL || (end = strchr(p + 1, '\'')) == NULL)
			return out;
		if (nth-- == 0)
			break;
		p = end + 1;
	}
	snprintf(out, len, "%.*s", (int)(end - p - 1), p + 1);
	utf8_trim(out);
	return out;
}

/* between - the text of msg between from and to, or NULL */
static const char *between(const char *msg, const char *from, const char *to,
			   char *out, size_t len)
{
	const char *p = strstr(msg, from), *end;

	if (p == NULL)
		return NULL;
	p += strlen(from);
	end = strstr(p, to);
	if (end == NULL)
		return NULL;
	if ((size_t)(end - p) < len) {
		snprintf(out, len, "%.*s", (int)(end - p), p);
		return out;
	}
	snprintf(out, len - 3, "%.*s", (int)(end - p), p);
	utf8_trim(out);
	strcat(out, "...");	/* len - 3 + 3 fits */
	return out;
}

/* commas - libxml2 lists at most 10 expected names, silently */
static int commas(const char *list)
{
	int n = 0;

	for (; *list; list++)
		n += *list == ',';
	return n;
}

/* schema_msg - an XSD error; 0 when rephrased */
static int schema_msg(int code, const char *m, char *out, size_t len)
{
	char a[64], b[64], list[128];	/* the message fits in 256 */

	switch (code) {
	case XML_SCHEMAV_ELEMENT_CONTENT:
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_4:
		if (strstr(m, "not expected") == NULL)
			return -1;
		if (between(m, "Expected is one of ( ", " )", list,
			    sizeof(list)) ||
		    between(m, "Expected is ( ", " )", list, sizeof(list)))
			snprintf(out, len, "élément « %s » inattendu à cet "
				 "endroit (attendu%s : %s)", quoted(m, 0, a,
				 sizeof(a)), commas(list) >= 9 ? " notamment" :
				 "", list);
		else
			snprintf(out, len, "élément « %s » inattendu à cet "
				 "endroit", quoted(m, 0, a, sizeof(a)));
		return 0;
	case XML_SCHEMAV_CVC_ELT_1:
		snprintf(out, len, "élément racine « %s » : la racine doit "
			 "être « mouvements »", quoted(m, 0, a, sizeof(a)));
		return 0;
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_4:
		snprintf(out, len, "attribut « %s » obligatoire absent de "
			 "« %s »", quoted(m, 1, b, sizeof(b)),
			 quoted(m, 0, a, sizeof(a)));
		return 0;
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_1:
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_3_2_2:
		snprintf(out, len, "attribut « %s » non autorisé sur « %s »",
			 quoted(m, 1, b, sizeof(b)), quoted(m, 0, a, sizeof(a)));
		return 0;
	case XML_SCHEMAV_CVC_MAXLENGTH_VALID:
		snprintf(out, len, "valeur trop longue dans « %s » : au plus "
			 "%s caractères", quoted(m, 0, a, sizeof(a)),
			 quoted(m, 3, b, sizeof(b)));
		return 0;
	case XML_SCHEMAV_CVC_COMPLEX_TYPE_2_3:
		snprintf(out, len, "texte hors d'un champ dans « %s » : les "
			 "valeurs vont dans les éléments des champs",
			 quoted(m, 0, a, sizeof(a)));
		return 0;
	case XML_SCHEMAV_CVC_ENUMERATION_VALID:
		if (strstr(m, "attribute '") != NULL)
			snprintf(out, len, "valeur « %s » non admise pour "
				 "l'attribut « %s »", quoted(m, 3, b, sizeof(b)),
				 quoted(m, 1, a, sizeof(a)));
		else
			snprintf(out, len, "valeur « %s » non admise pour "
				 "l'élément « %s »", quoted(m, 2, b, sizeof(b)),
				 quoted(m, 0, a, sizeof(a)));
		return 0;
	default:
		return -1;
	}
}

/* bad_char - the character libxml2 names in an XML_ERR_INVALID_CHAR; -1 */
static long bad_char(const char *m)
{
	static const char *const forms[] = {
		"Char 0x%lx out of allowed range",
		"xmlParseCharRef: invalid xmlChar value %lu",
		"PCDATA invalid Char value %lu",
		"CData section: invalid Char value %lu",
	};
	unsigned long c;
	size_t i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (sscanf(m, forms[i], &c) == 1 && c <= 0x10FFFF)
			return (long)c;
	return -1;
}

/* parse_msg - a well-formedness error; 0 when rephrased */
static int parse_msg(int code, const char *m, char *out, size_t len)
{
	char a[64], b[64], line[16];

	switch (code) {
	case XML_ERR_TAG_NAME_MISMATCH:
		if (sscanf(m, "Opening and ending tag mismatch: %63s line "
			   "%15s and %63s", a, line, b) != 3)
			return -1;
		snprintf(out, len, "balise fermante « %s » alors que « %s » "
			 "(ouvert ligne %s) n'est pas fermé", b, a, line);
		return 0;
	case XML_ERR_DOCUMENT_EMPTY:
		snprintf(out, len, "document vide");
		return 0;
	case XML_ERR_DOCUMENT_END:
		/* libxml2's push parser says this for a cut file too. */
		snprintf(out, len, "fin de document inattendue : fichier coupé "
			 "(envoi interrompu ?), sans élément racine, ou contenu "
			 "après </mouvements>");
		return 0;
	case XML_ERR_UNDECLARED_ENTITY:
		snprintf(out, len, "entité « &%s; » inconnue : seules &amp; "
			 "&lt; &gt; &quot; &apos; existent en XML sans DTD",
			 quoted(m, 0, a, sizeof(a)));
		return 0;
	case XML_ERR_INVALID_CHAR:
		if (bad_char(m) < 0)
			return -1;
		snprintf(out, len, "%s U+%04lX interdit en XML, même écrit "
			 "&#...; (seuls tabulation, CR et LF sont permis) : le "
			 "fichier a-t-il été mal exporté ?", bad_char(m) < 0x20 ?
			 "caractère de contrôle" : "caractère", bad_char(m));
		return 0;
	case XML_ERR_TAG_NOT_FINISHED:
		snprintf(out, len, "fin de fichier avant la fermeture de "
			 "« %s » : envoi interrompu ?", between(m, "Premature "
			 "end of data in tag ", " ", a, sizeof(a)) ? a : "?");
		return 0;
	default:
		return -1;
	}
}

/* xml_errmsg - French first; libxml2's own words when there is no better */
void xml_errmsg(int schema, int code, const char *msg, char *out,
		size_t outlen)
{
	char clean[512], said[256];
	size_t i = 0;

	for (; msg && *msg && i + 1 < sizeof(clean); msg++)
		clean[i++] = (*msg == '\n' || *msg == '\r') ? ' ' : *msg;
	while (i > 0 && clean[i - 1] == ' ')
		i--;
	clean[i] = '\0';
	utf8_trim(clean);
	if ((schema ? schema_msg(code, clean, said, sizeof(said)) :
		      parse_msg(code, clean, said, sizeof(said))) != 0) {
		i = strlen(clean) < 240 ? strlen(clean) : 240;
		memcpy(said, clean, i);
		said[i] = '\0';
		utf8_trim(said);
		strcat(said, " (libxml2)");	/* 240 + 11 fit in said */
	}
	snprintf(out, outlen, "%s : %s", schema ? "XML non conforme au "
		 "schéma mouvements.xsd" : "XML mal formé", said);
	utf8_trim(out);
}
