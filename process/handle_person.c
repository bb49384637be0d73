/*
 * handle_person - the transitions that change a record without moving it
 * in or out of cover: MODIFICATION (the personal data), DISPENSE (an
 * exemption for a reason of the dispense table, with its evidence and its
 * end), AYANT_DROIT (a beneficiary added, or with date_fin ended).
 */
#include <stdio.h>
#include <string.h>

#include "parsers/validate.h"
#include "common/util.h"
#include "process/handle.h"

/* ---- MODIFICATION --------------------------------------------------- */

/* changed_fields - the names of the fields the movement would change */
static void changed_fields(const struct handle *h, char *out, size_t outlen)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; person_fields[i] != F_NONE; i++) {
		enum field f = person_fields[i];
		const char *v = mv_get(h->mv, f), *have = h->r->person[f];

		if (v == NULL || *v == '\0')
			continue;
		if (strcmp(v, VIDE) == 0 ? have == NULL : str_same(v, have))
			continue;
		n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0,
				      "%s%s", n ? ", " : "", field_name(f));
	}
}

/* mandate_kept - a MODIFICATION touching the option or the bank details
 * must leave a direct-debit option with its IBAN and signature date */
static int mandate_kept(const struct handle *h)
{
	const char *code = record_after(h->r, h->mv, F_OPTION);
	const struct cfg_option *opt = cfg_option(h->dc->emp, code);

	if (!mv_has(h->mv, F_OPTION) && !mv_has(h->mv, F_IBAN) &&
	    !mv_has(h->mv, F_DATE_SIGNATURE_MANDAT))
		return 0;
	if (opt == NULL || !opt->direct_debit)
		return 0;
	if (record_after(h->r, h->mv, F_IBAN) == NULL) {
		mv_diag(h->mv, "E151", F_IBAN, "IBAN obligatoire : l'option %s "
			"est payée par prélèvement SEPA", opt->code);
		return 1;
	}
	if (record_after(h->r, h->mv, F_DATE_SIGNATURE_MANDAT) == NULL) {
		mv_diag(h->mv, "E151", F_DATE_SIGNATURE_MANDAT, "date de "
			"signature du mandat obligatoire : l'option %s est "
			"payée par prélèvement SEPA", opt->code);
		return 1;
	}
	return 0;
}

int handle_modification(const struct handle *h, struct change *c)
{
	const char *nouveau = mv_get(h->mv, F_NOUVEAU_NIR);
	const struct record *r = h->r;
	char what[512];
	int rc;

	changed_fields(h, what, sizeof(what));
	if (nouveau && *nouveau && !str_same(nouveau, r->nir)) {
		if ((rc = h->f->nir_taken(h->f->arg, nouveau)) != 0) {
			if (rc > 0)
				mv_diag(h->mv, "E206", F_NOUVEAU_NIR, "nouveau "
					"NIR déjà attribué à un autre salarié "
					"de cet employeur");
			return rc < 0 ? -1 : 1;
		}
	} else {
		nouveau = NULL;
	}
	if (what[0] == '\0' && nouveau == NULL) {
		transition_already(h->mv, "aucune donnée différente de celles "
				   "enregistrées");
		return 0;
	}
	if ((rc = mandate_kept(h)) != 0 || (rc = handle_mandate(h, c)) != 0)
		return rc;
	c->person = 1;
	if (nouveau) {
		size_t n = strlen(what);

		c->nir = change_str(c, nouveau);
		snprintf(what + n, sizeof(what) - n, "%snir remplacé (…%s)",
			 n ? ", " : "", r->nir && strlen(r->nir) > 11 ?
			 r->nir + 11 : "");
	}
	change_hist(c, r->status, r->status, what);
	return 0;
}

/* ---- DISPENSE ------------------------------------------------------- */

/*
 * handle_dispense - the record dispensed (the cell's target), or its
 * dispense extended to a new end: a dispense with an end date gets a
 * "fin_dispense" deadline the day after, and, when the reason asks for
 * proof before then, a "preuve_dispense" reminder 30 days before; one
 * requested through the portal is told to the employer.
 */
int handle_dispense(const struct handle *h, struct change *c)
{
	const struct cfg_dispense_reason *reason = cfg_dispense_reason(
		h->dc->cfg, mv_get(h->mv, F_MOTIF_DISPENSE));
	const struct cfg_employer *emp = h->dc->emp;
	int extended = h->t->out[0].to == TO_SAME;
	enum status to = handle_target(h);
	struct date end, proof;
	int has_end;

	if (reason == NULL)	/* the cell checked it, with the same config */
		return -1;
	has_end = dispense_end(reason, h->mv, h->dc->today, &end);
	if (!extended)
		c->to = to;
	change_set(c, "dispense_motif", reason->code);
	change_set(c, "dispense_fin", has_end ? change_date(c, end) : NULL);
	change_set(c, "dispense_demande", mv_get(h->mv, F_DATE_DEMANDE));
	change_set(c, "dispense_justificatif", mv_has(h->mv, F_JUSTIFICATIF) ?
		   mv_get(h->mv, F_JUSTIFICATIF) : NULL);
	change_hist(c, h->r->status, to, extended ? "dispense prolongée" :
		    "dispense");
	c->covered = 1;
	c->drop |= DL_BIT(DL_FIN_DISPENSE) | DL_BIT(DL_PREUVE_DISPENSE);
	if (has_end) {
		proof = date_add_days(end, -30);
		change_due(c, DL_FIN_DISPENSE, date_add_days(end, 1), NULL);
		if (reason->at_end == CFG_AT_END_PROOF &&
		    date_cmp(proof, h->dc->today) > 0)
			change_due(c, DL_PREUVE_DISPENSE, proof, NULL);
	}
	if (h->dc->portal) {
		struct change_notice *n = change_notice(c,
			NOTICE_DISPENSE_EMPLOYEUR, RCPT_EMPLOYER);

		n->addr = emp->dispense_email ? emp->dispense_email :
			  emp->contact_email;
		change_var(c, n, "motif_dispense", reason->label ?
			   reason->label : reason->code);
		change_var(c, n, "date_demande", mv_get(h->mv, F_DATE_DEMANDE));
	}
	return 0;
}

/* ---- AYANT_DROIT ---------------------------------------------------- */

int lien_is_partner(const char *lien)
{
	return str_same(lien, "CONJOINT") || str_same(lien, "PACS") ||
	       str_same(lien, "CONCUBIN");
}

int dependant_gets_letter(const char *lien, const char *date_naissance,
			  struct date today)
{
	char adult[DATE_ISO_SIZE];

	if (!str_same(lien, "ENFANT"))
		return 1;
	date_format(date_add_months(today, -12 * 18), adult);
	return date_naissance != NULL && strcmp(date_naissance, adult) <= 0;
}

/* child_limit - the age at which a child's cover ends: 0 for none */
static int child_limit(const struct handle *h)
{
	const char *sit = mv_get(h->mv, F_SITUATION);
	int limit = h->dc->emp->child_age_limit;

	if (!str_same(mv_get(h->mv, F_LIEN), "ENFANT") || str_same(sit, "HANDICAPE"))
		return 0;
	if (str_same(sit, "ETUDIANT") || str_same(sit, "APPRENTI") ||
	    str_same(sit, "DEMANDEUR_EMPLOI"))
		limit = limit > CHILD_AGE_LIMIT_STUDIES ? limit :
			CHILD_AGE_LIMIT_STUDIES;
	return limit;
}

/* ben_end - AYANT_DROIT with date_fin: the beneficiary's cover ends */
static int ben_end(const struct handle *h, struct change *c,
		   const struct ben_facts *b)
{
	const struct movement *mv = h->mv;
	char data[64];

	if (b->id == 0) {
		mv_diag(h->mv, "E242", F_NOM, "ayant droit inconnu pour ce "
			"salarié : rien à clore");
		return 1;
	}
	if (b->ended) {
		transition_already(h->mv, "ayant droit déjà clos");
		return 0;
	}
	c->ben.op = BEN_END;
	c->ben.id = b->id;
	c->ben.date_fin = change_str(c, mv_get(mv, F_DATE_FIN));
	change_hist(c, h->r->status, h->r->status, change_strf(c,
		"ayant droit clos au %s : %s %s", mv_get(mv, F_DATE_FIN),
		mv_get(mv, F_LIEN), mv_get(mv, F_PRENOM)));
	if (ben_deadline_data(b->id, data, sizeof(data)) < 0)
		return -1;
	c->drop_age = change_str(c, data);
	return 0;
}

/* handle_ayant_droit - add (or with date_fin, end) a beneficiary of an
 * affiliated employee or one in portability (the cell): at most one
 * partner and MAX_BENEFICIARIES in all covered; a child's cover ends at
 * the contract's age limit through an "ayant_droit_age" deadline */
int handle_ayant_droit(const struct handle *h, struct change *c)
{
	const struct movement *mv = h->mv;
	struct ben_facts b;
	struct date birth;
	struct vresult vr;
	int limit;

	memset(&b, 0, sizeof(b));
	if (h->f->beneficiary(h->f->arg, mv, &b) < 0)
		return -1;
	if (mv_has(mv, F_DATE_FIN))
		return ben_end(h, c, &b);
	if (b.id && !b.ended) {
		transition_already(h->mv, "ayant droit déjà enregistré");
		return 0;
	}
	if (date_parse_iso(mv_get(mv, F_DATE_NAISSANCE), &birth) < 0) {
		mv_diag(h->mv, "E120", F_DATE_NAISSANCE, "date de naissance "
			"illisible");
		return 1;
	}
	if (str_same(mv_get(mv, F_LIEN), "ENFANT") &&
	    v_child_age(birth, h->dc->today, mv_get(mv, F_SITUATION),
			h->dc->emp->child_age_limit, &vr) == V_ERR) {
		mv_diag(h->mv, vr.code, F_DATE_NAISSANCE, "%s", vr.msg);
		return 1;
	}
	if (lien_is_partner(mv_get(mv, F_LIEN)) && b.partners != 0) {
		mv_diag(h->mv, "E240", F_LIEN, "un conjoint ou partenaire est "
			"déjà couvert : clore le précédent (AYANT_DROIT avec "
			"date_fin) avant d'en ajouter un");
		return 1;
	}
	if (b.covered >= MAX_BENEFICIARIES) {
		mv_diag(h->mv, "E241", F_OPERATION, "plus de %d ayants droit "
			"couverts pour ce salarié", MAX_BENEFICIARIES);
		return 1;
	}
	c->ben.op = BEN_ADD;
	change_hist(c, h->r->status, h->r->status, change_strf(c,
		"ayant droit ajouté : %s %s", mv_get(mv, F_LIEN),
		mv_get(mv, F_PRENOM)));
	if ((limit = child_limit(h)) > 0) {
		c->ben.age_due = 1;
		c->ben.age = date_add_months(birth, 12 * (limit + 1));
	}
	return 0;
}
