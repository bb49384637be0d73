/*
 * store_mandate - the SEPA mandate of a direct-debit option: its unique
 * mandate reference (RUM), given by the file or generated, and the bank
 * details (IBAN, signature date) the option cannot do without.
 *
 * A RUM is unique for the creditor, so across every employer.  Generated
 * ones are "<prefix>-<employer>-<sequence>", the sequence kept per
 * employer in rum_seq and never given twice; a file may not use the prefix.
 */
#include <stdio.h>
#include <string.h>

#include "store/store_apply.h"

/* rum_taken - another employee (any employer: one creditor) has this RUM */
static int rum_taken(struct ap *a, const char *rum)
{
	static const char sql[] =
		"SELECT 1 FROM employee WHERE rum = ? AND id != ?";
	sqlite3_stmt *s = st_stmt(a->st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, rum);
	sqlite3_bind_int64(s, 2, a->e.id);
	return st_one_row(a->st, s, "rum lookup", NULL, NULL);
}

/* rum_generate - prefix + employer + a sequence number never given twice */
static int rum_generate(struct ap *a, char *out, size_t outlen)
{
	static const char sql[] =
		"INSERT INTO rum_seq (employer, next) VALUES (?, 1)"
		" ON CONFLICT (employer) DO UPDATE SET next = next + 1"
		" RETURNING next";
	sqlite3_stmt *s = st_stmt(a->st, sql);
	const char *prefix = a->env.cfg->process.rum_prefix ?
		a->env.cfg->process.rum_prefix : "AFF";
	long long seq = -1;

	if (s == NULL)
		return -1;
	st_text(s, 1, a->ctx->emp->numero);
	if (st_one_row(a->st, s, "rum sequence", st_read_int64, &seq) < 0)
		return -1;
	if (seq < 0) {
		st_log_error(a->st, "rum sequence");
		return -1;
	}
	snprintf(out, outlen, "%s-%s-%08lld", prefix, a->ctx->emp->numero, seq);
	return 0;
}

/*
 * ap_mandate - the RUM of a direct-debit option: the file's, if no other
 * employee holds it, else one generated.  0 ok, 1 refused, -1 error.
 */
int ap_mandate(struct ap *a)
{
	const struct cfg_option *opt = cfg_option(a->ctx->emp,
						  mv_get(a->mv, F_OPTION));
	const char *prefix = a->env.cfg->process.rum_prefix ?
		a->env.cfg->process.rum_prefix : "AFF";
	size_t plen = strlen(prefix);
	char rum[64];
	int rc, tries;

	if (mv_has(a->mv, F_RUM) && strcmp(mv_get(a->mv, F_RUM), VIDE) != 0) {
		const char *given = mv_get(a->mv, F_RUM);

		/* Generated references are ours alone: a file cannot take
		 * one, or it would block another employer's next mandate. */
		if (strncmp(given, prefix, plen) == 0 && given[plen] == '-')
			return ap_refuse(a, "E232", F_RUM, "RUM commençant par "
					 "%s- : préfixe réservé aux RUM générées "
					 "par l'assureur", prefix);
		rc = rum_taken(a, given);
		if (rc != 0)
			return rc < 0 ? -1 : ap_refuse(a, "E230", F_RUM,
				"RUM déjà attribuée à un autre mandat : une RUM "
				"est unique pour le créancier");
		return 0;
	}
	if (opt == NULL || !opt->direct_debit || a->e.rum != NULL)
		return 0;
	for (tries = 0; tries < 100; tries++) {
		if (rum_generate(a, rum, sizeof(rum)) < 0)
			return -1;
		if ((rc = rum_taken(a, rum)) <= 0)
			break;
	}
	if (rc != 0 || mv_set(a->mv, F_RUM, rum) < 0)
		return -1;
	mv_diag(a->mv, "I231", F_RUM, "RUM générée : %s", rum);
	return 0;
}

/* after - a field's value once the MODIFICATION is applied */
static const char *after(const struct ap *a, enum field f, const char *have)
{
	const char *v = mv_get(a->mv, f);

	if (v == NULL || *v == '\0')
		return have;
	return strcmp(v, VIDE) == 0 ? NULL : v;
}

/* ap_mandate_kept - a MODIFICATION touching the option or the bank details
 * must leave a direct-debit option with its IBAN and signature date */
int ap_mandate_kept(struct ap *a)
{
	const char *code = after(a, F_OPTION, a->e.option);
	const struct cfg_option *opt = cfg_option(a->ctx->emp, code);

	if (!mv_has(a->mv, F_OPTION) && !mv_has(a->mv, F_IBAN) &&
	    !mv_has(a->mv, F_DATE_SIGNATURE_MANDAT))
		return 0;
	if (opt == NULL || !opt->direct_debit)
		return 0;
	if (after(a, F_IBAN, a->e.iban) == NULL)
		return ap_refuse(a, "E151", F_IBAN, "IBAN obligatoire : "
				 "l'option %s est payée par prélèvement SEPA",
				 opt->code);
	if (after(a, F_DATE_SIGNATURE_MANDAT,
		  a->e.date_signature_mandat) == NULL)
		return ap_refuse(a, "E151", F_DATE_SIGNATURE_MANDAT, "date de "
				 "signature du mandat obligatoire : l'option "
				 "%s est payée par prélèvement SEPA",
				 opt->code);
	return 0;
}
