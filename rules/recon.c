/*
 * recon - comparing a RECONCILIATION row with the record (recon.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/utf8.h"
#include "rules/recon.h"

const enum field recon_fields[RECON_NFIELDS] = {
	F_NOM, F_NOM_USAGE, F_PRENOM, F_DATE_NAISSANCE, F_DATE_EMBAUCHE,
	F_DATE_EFFET, F_CATEGORIE, F_EMAIL, F_EMAIL_PERSONNEL, F_ADRESSE,
	F_CODE_POSTAL, F_VILLE, F_PAYS, F_TELEPHONE, F_MATRICULE, F_OPTION,
	F_IBAN, F_BIC, F_RUM, F_DATE_SIGNATURE_MANDAT,
};

/* folded - a field whose case says nothing: payroll exports often write
 * names in capitals, the record keeps them as first sent */
static int folded(enum field f)
{
	return f == F_NOM || f == F_NOM_USAGE || f == F_PRENOM ||
	       f == F_VILLE || f == F_PAYS || f == F_ADRESSE;
}

/* recon_same - see recon.h */
int recon_same(enum field f, const char *db, const char *file)
{
	if (db == NULL || *db == '\0')
		return file == NULL || *file == '\0';
	if (file == NULL)
		return 0;
	if (folded(f))
		return utf8_same_folded(db, file);
	/* The domain is case-free (RFC 5321); the local part is in
	 * practice, and a payroll tool may lower-case it. */
	if (f == F_EMAIL || f == F_EMAIL_PERSONNEL)
		return strcasecmp(db, file) == 0;
	return strcmp(db, file) == 0;
}

/* recon_shown - see recon.h */
const char *recon_shown(enum field f, const char *v, char *out, size_t len)
{
	size_t n, i, j = 0;

	if (v == NULL || *v == '\0')
		return "(vide)";
	n = strlen(v);
	if (f == F_IBAN) {
		snprintf(out, len, "…%s", n > 4 ? v + n - 4 : v);
		return out;
	}
	if (f != F_ADRESSE || strchr(v, '\n') == NULL || len == 0)
		return v;
	for (i = 0; i < n && j + 3 < len; i++) {
		if (v[i] == '\n') {
			out[j++] = ',';
			out[j++] = ' ';
		} else {
			out[j++] = v[i];
		}
	}
	out[j] = '\0';
	utf8_trim(out);
	return out;
}

long recon_differences(const struct recon_counts *c)
{
	return c->unknown + c->not_covered + c->missing + c->fields;
}

/* plural - "s" when n is more than one (French: 0 and 1 are singular) */
static const char *plural(long n)
{
	return n > 1 ? "s" : "";
}

/* recon_note - see recon.h */
void recon_note(const struct recon_counts *c, char *out, size_t len)
{
	if (recon_differences(c) == 0) {
		snprintf(out, len, "rapprochement : aucune différence avec "
			 "la base ; rien n'a été appliqué");
		return;
	}
	snprintf(out, len, "rapprochement : %ld salarié%s absent%s de la "
		 "base, %ld non couvert%s, %ld couvert%s absent%s du fichier, "
		 "%ld champ%s différent%s pour %ld salarié%s ; rien n'a été "
		 "appliqué", c->unknown, plural(c->unknown),
		 plural(c->unknown), c->not_covered, plural(c->not_covered),
		 c->missing, plural(c->missing), plural(c->missing),
		 c->fields, plural(c->fields), plural(c->fields),
		 c->differing, plural(c->differing));
}
