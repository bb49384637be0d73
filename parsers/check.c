/*
 * check - movement-level validation (formats.md, rules.md "Field
 * validation").  The operation table says which fields are required; the
 * field table says which validator each field goes through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "parsers/check.h"
#include "parsers/validate.h"

#define MAX_REQ 8

/* Required fields per operation (formats.md, "One file, many movements"). */
static const enum field required[OP_COUNT][MAX_REQ] = {
	[OP_AFFILIATION_SIMPLE] = { F_NIR, F_NOM, F_PRENOM, F_DATE_NAISSANCE,
				    F_DATE_EMBAUCHE, F_CATEGORIE, F_NONE },
	[OP_AFFILIATION_COMPLETE] = { F_NIR, F_NOM, F_PRENOM,
				      F_DATE_NAISSANCE, F_DATE_EMBAUCHE,
				      F_CATEGORIE, F_OPTION, F_NONE },
	[OP_AYANT_DROIT] = { F_NIR, F_LIEN, F_NOM, F_PRENOM, F_DATE_NAISSANCE,
			     F_NONE },
	[OP_RADIATION] = { F_NIR, F_DATE_FIN_CONTRAT, F_MOTIF_RUPTURE, F_NONE },
	[OP_ANNULATION] = { F_NIR, F_OPERATION_ANNULEE, F_NONE },
	[OP_MODIFICATION] = { F_NIR, F_NONE },
	[OP_RELANCE] = { F_NIR, F_NONE },
	[OP_AFFILIATION_FORCEE] = { F_NIR, F_NONE },
	[OP_DISPENSE] = { F_NIR, F_MOTIF_DISPENSE, F_DATE_DEMANDE, F_NONE },
	[OP_FIN_PORTABILITE] = { F_NIR, F_DATE_EVENEMENT, F_MOTIF_FIN, F_NONE },
	[OP_FINALISATION] = { F_NIR, F_JETON, F_OPTION, F_NONE },
	[OP_EXPORT] = { F_NONE },
	[OP_BULLETIN] = { F_NIR, F_NONE },
	[OP_RECONCILIATION] = { F_NIR, F_NONE },
	[OP_RETRAITEMENT] = { F_ID_FICHIER, F_NONE },
	[OP_APPROBATION] = { F_ID_FICHIER, F_NONE },
	[OP_REFUS] = { F_ID_FICHIER, F_NONE },
	[OP_RENVOI_MESSAGE] = { F_ID_MESSAGE, F_NONE },
	[OP_ECHEANCES] = { F_NONE },
	[OP_OUVERTURE_PORTABILITE] = { F_NIR, F_JUSTIFICATION, F_NONE },
	[OP_PREUVE_CHOMAGE] = { F_NIR, F_NONE },
};

static const enum field date_fields[] = {
	F_DATE_NAISSANCE, F_DATE_EMBAUCHE, F_DATE_EFFET,
	F_DATE_SIGNATURE_MANDAT, F_DATE_FIN, F_DATE_FIN_CONTRAT,
	F_DATE_DEBUT_CONTRAT, F_DATE_DEMANDE, F_DATE_FIN_DISPENSE,
	F_DATE_EVENEMENT, F_DATE_REFERENCE,
};

/* Free text fields and their maximum length in bytes. */
static const struct {
	enum field f;
	size_t max;
} text_fields[] = {
	{ F_NOM, 100 }, { F_NOM_USAGE, 100 }, { F_PRENOM, 100 },
	{ F_ADRESSE, 250 }, { F_CODE_POSTAL, 10 }, { F_VILLE, 100 },
	{ F_PAYS, 60 }, { F_TELEPHONE, 30 }, { F_MATRICULE, 40 },
	{ F_JUSTIFICATION, 500 }, { F_JUSTIFICATIF, 200 },
};

/* report - copy a validator's finding onto the movement */
static void report(struct movement *mv, enum field f, const struct vresult *r)
{
	if (r->status != V_OK)
		mv_diag(mv, r->code, f, "%s", r->msg);
}

/* check_required - every required field present in the header and filled */
static void check_required(struct movement *mv)
{
	const enum field *req = required[mv->op];
	int i;

	for (i = 0; i < MAX_REQ && req[i] != F_NONE; i++) {
		if (mv_get(mv, req[i]) == NULL)
			mv_diag(mv, "E101", req[i], "colonne « %s » absente de "
				"l'en-tête : elle est obligatoire pour %s",
				field_name(req[i]), op_name(mv->op));
		else if (!mv_has(mv, req[i]))
			mv_diag(mv, "E102", req[i], "champ obligatoire vide "
				"pour %s", op_name(mv->op));
	}
}

/* check_nir_field - validate and normalise one NIR-shaped field */
static void check_nir_field(struct movement *mv, enum field f)
{
	char norm[NIR_SIZE];
	struct vresult r;

	if (!mv_has(mv, f))
		return;
	if (v_nir(mv_get(mv, f), norm, sizeof(norm), &r) != V_ERR)
		mv_set(mv, f, norm);
	report(mv, f, &r);
}

/* check_dates - every date field to AAAA-MM-JJ */
static void check_dates(struct movement *mv)
{
	char iso[DATE_ISO_SIZE];
	struct vresult r;
	struct date d;
	size_t i;

	for (i = 0; i < NELEM(date_fields); i++) {
		if (!mv_has(mv, date_fields[i]))
			continue;
		if (v_date(mv_get(mv, date_fields[i]), &d, &r) == V_OK)
			mv_set(mv, date_fields[i], date_format(d, iso));
		report(mv, date_fields[i], &r);
	}
}

/*
 * check_texts - every text field; adresse keeps its line breaks as address
 * lines (stored with '\n'), other fields have theirs folded to a space.
 */
static void check_texts(struct movement *mv)
{
	/* Every text field's limit is below this: a longer value is refused
	 * (E172) by the validators, which say so when out is too small. */
	char out[1024];
	const char *in;
	struct vresult r;
	enum field f;
	size_t i;

	for (i = 0; i < NELEM(text_fields); i++) {
		f = text_fields[i].f;
		if (!mv_has(mv, f))
			continue;
		in = mv_get(mv, f);
		if ((f == F_ADRESSE ? v_address(in, out, sizeof(out), &r) :
		     v_one_line(in, text_fields[i].max, out, sizeof(out),
				&r)) != V_ERR && strcmp(in, out) != 0)
			mv_set(mv, f, out);	/* folded or trimmed */
		report(mv, f, &r);
	}
}

static void check_emails(struct movement *mv)
{
	static const enum field fs[] = { F_EMAIL, F_EMAIL_PERSONNEL };
	struct vresult r;
	size_t i;

	for (i = 0; i < NELEM(fs); i++)
		if (mv_has(mv, fs[i])) {
			v_email(mv_get(mv, fs[i]), &r);
			report(mv, fs[i], &r);
		}
}

/* check_codes - categorie, lien, situation, motif: normalised names */
static void check_codes(const struct check_ctx *ctx, struct movement *mv)
{
	char out[32];
	struct vresult r;

	if (mv_has(mv, F_CATEGORIE)) {
		if (v_categorie(mv_get(mv, F_CATEGORIE), out, sizeof(out),
				&r) != V_ERR)
			mv_set(mv, F_CATEGORIE, out);
		report(mv, F_CATEGORIE, &r);
	}
	if (mv_has(mv, F_LIEN)) {
		if (v_lien(mv_get(mv, F_LIEN), out, sizeof(out), &r) != V_ERR)
			mv_set(mv, F_LIEN, out);
		report(mv, F_LIEN, &r);
	}
	if (mv_has(mv, F_SITUATION)) {
		if (v_situation(mv_get(mv, F_SITUATION), out, sizeof(out),
				&r) != V_ERR)
			mv_set(mv, F_SITUATION, out);
		report(mv, F_SITUATION, &r);
	}
	if (mv_has(mv, F_MOTIF_RUPTURE)) {
		if (v_motif_rupture(mv_get(mv, F_MOTIF_RUPTURE), out,
				    &r) != V_ERR) {
			mv_set(mv, F_MOTIF_RUPTURE, out);
			if (cfg_departure_reason(ctx->cfg, out) == NULL)
				mv_diag(mv, "E182", F_MOTIF_RUPTURE, "motif de "
					"rupture %s inconnu de la table DSN "
					"S21.G00.62.002", out);
		}
		report(mv, F_MOTIF_RUPTURE, &r);
	}
}

/* check_option - the option must be one of the employer's */
static void check_option(const struct check_ctx *ctx, struct movement *mv)
{
	const char *opt = mv_get(mv, F_OPTION);
	char list[256] = "";
	size_t i, n = 0;

	if (!mv_has(mv, F_OPTION) || cfg_option(ctx->emp, opt) != NULL)
		return;
	for (i = 0; i < ctx->emp->noptions && n < sizeof(list); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s",
				      i ? ", " : "", ctx->emp->options[i].code);
	mv_diag(mv, "E150", F_OPTION, "option « %.40s » inconnue pour cet "
		"employeur : options possibles %s", opt, list);
}

/* check_bank - IBAN, BIC, RUM, and the mandate a direct debit needs */
static void check_bank(const struct check_ctx *ctx, struct movement *mv)
{
	const struct cfg_option *opt = mv_has(mv, F_OPTION) ?
		cfg_option(ctx->emp, mv_get(mv, F_OPTION)) : NULL;
	char out[IBAN_SIZE];
	struct vresult r;

	if (mv_has(mv, F_IBAN)) {
		if (v_iban(mv_get(mv, F_IBAN), out, sizeof(out), &r) != V_ERR)
			mv_set(mv, F_IBAN, out);
		report(mv, F_IBAN, &r);
	}
	if (mv_has(mv, F_BIC)) {
		if (v_bic(mv_get(mv, F_BIC), out, sizeof(out), &r) != V_ERR)
			mv_set(mv, F_BIC, out);
		report(mv, F_BIC, &r);
	}
	if (mv_has(mv, F_RUM)) {
		v_rum(mv_get(mv, F_RUM), &r);
		report(mv, F_RUM, &r);
	}
	if (opt == NULL || !opt->direct_debit ||
	    (mv->op != OP_AFFILIATION_COMPLETE && mv->op != OP_FINALISATION))
		return;
	if (!mv_has(mv, F_IBAN))
		mv_diag(mv, "E151", F_IBAN, "IBAN obligatoire : l'option %s est "
			"payée par prélèvement SEPA", opt->code);
	if (!mv_has(mv, F_DATE_SIGNATURE_MANDAT))
		mv_diag(mv, "E151", F_DATE_SIGNATURE_MANDAT, "date de signature "
			"du mandat obligatoire : l'option %s est payée par "
			"prélèvement SEPA", opt->code);
}

static int date_of(const struct movement *mv, enum field f, struct date *d)
{
	return mv_has(mv, f) && date_parse_iso(mv_get(mv, f), d) == 0;
}

/* check_employee - the rules that join an employee's fields */
static void check_employee(const struct check_ctx *ctx, struct movement *mv)
{
	struct date birth, hire, mandate;
	int has_birth = date_of(mv, F_DATE_NAISSANCE, &birth);
	int has_hire = date_of(mv, F_DATE_EMBAUCHE, &hire);
	struct vresult r;

	if (has_hire) {
		v_hire_date(hire, ctx->today, &r);
		report(mv, F_DATE_EMBAUCHE, &r);
	}
	if (has_birth && has_hire) {
		v_birth_date(birth, hire, ctx->today, &r);
		report(mv, F_DATE_NAISSANCE, &r);
	}
	if (has_birth && mv_has(mv, F_NIR) &&
	    v_nir_birth(mv_get(mv, F_NIR), birth, &r) != V_OK)
		report(mv, F_NIR, &r);
	if (date_of(mv, F_DATE_SIGNATURE_MANDAT, &mandate)) {
		v_mandate_date(mandate, ctx->today, &r);
		report(mv, F_DATE_SIGNATURE_MANDAT, &r);
	}
}

/* check_contact - an affiliation needs an email or a postal address: the
 * invitation, the confirmation and every later notice go there */
static void check_contact(struct movement *mv)
{
	if (mv_has(mv, F_EMAIL) || (mv_has(mv, F_ADRESSE) &&
	    mv_has(mv, F_CODE_POSTAL) && mv_has(mv, F_VILLE)))
		return;
	mv_diag(mv, "E152", F_EMAIL, "ni email ni adresse postale complète "
		"(adresse, code_postal, ville) : %s", mv->op ==
		OP_AFFILIATION_SIMPLE ? "l'invitation ne peut pas être envoyée" :
		"la confirmation et les avis ne pourraient pas être envoyés");
}

/* Fields a MODIFICATION may clear with "#VIDE": the optional ones. */
static const enum field clearable[] = {
	F_NOM_USAGE, F_DATE_EFFET, F_EMAIL, F_EMAIL_PERSONNEL, F_ADRESSE,
	F_CODE_POSTAL, F_VILLE, F_PAYS, F_TELEPHONE, F_MATRICULE, F_IBAN,
	F_BIC, F_RUM, F_DATE_SIGNATURE_MANDAT,
};

/*
 * take_vide - "#VIDE" cells: allowed on the optional fields of a
 * MODIFICATION, set aside (emptied) during the checks; vide[] remembers
 * them for put_vide().  Anywhere else, an error.
 */
static void take_vide(struct movement *mv, int vide[F_COUNT])
{
	int f;
	size_t i;

	for (f = 0; f < F_COUNT; f++) {
		const char *v = mv_get(mv, (enum field)f);

		vide[f] = 0;
		if (v == NULL || strcmp(v, "#VIDE") != 0)
			continue;
		for (i = 0; i < NELEM(clearable); i++)
			if (clearable[i] == (enum field)f)
				break;
		if (mv->op != OP_MODIFICATION || i == NELEM(clearable)) {
			mv_diag(mv, "E153", (enum field)f, "#VIDE n'est "
				"possible que dans une MODIFICATION, sur un "
				"champ facultatif");
			continue;
		}
		vide[f] = 1;
		mv_set(mv, (enum field)f, "");
	}
}

static void put_vide(struct movement *mv, const int vide[F_COUNT])
{
	int f;

	for (f = 0; f < F_COUNT; f++)
		if (vide[f])
			mv_set(mv, (enum field)f, "#VIDE");
}

/* check_beneficiary - AYANT_DROIT: the beneficiary's own dates and NIR */
static void check_beneficiary(const struct check_ctx *ctx, struct movement *mv)
{
	struct date birth;
	struct vresult r;
	char fr[DATE_ISO_SIZE];

	if (!date_of(mv, F_DATE_NAISSANCE, &birth))
		return;
	if (date_cmp(birth, ctx->today) > 0)
		mv_diag(mv, "E125", F_DATE_NAISSANCE, "date de naissance dans "
			"le futur (%s)", date_format_fr(birth, fr));
	if (mv_has(mv, F_NIR_AYANT_DROIT) &&
	    v_nir_birth(mv_get(mv, F_NIR_AYANT_DROIT), birth, &r) != V_OK)
		report(mv, F_NIR_AYANT_DROIT, &r);
}

/*
 * check_admin_op - an operation of the admin drop: refused anywhere else
 * (E270); there, its fields (what the rows name is the daemon's to look
 * up: a file, a message, an employee).
 */
static void check_admin_op(const struct check_ctx *ctx, struct movement *mv)
{
	if (!ctx->admin) {
		mv_diag(mv, "E270", F_OPERATION, "%s : opération réservée au "
			"dépôt de l'assureur (affilctl)", op_name(mv->op));
		return;
	}
	check_required(mv);
	check_nir_field(mv, F_NIR);
	check_dates(mv);
	check_texts(mv);
}

static int is_employee_op(enum op op)
{
	return op == OP_AFFILIATION_SIMPLE || op == OP_AFFILIATION_COMPLETE ||
	       op == OP_MODIFICATION;
}

/* check_movement - all the checks that need no database */
void check_movement(const struct check_ctx *ctx, struct movement *mv)
{
	if (mv->op == OP_NONE) {
		const char *name = mv_get(mv, F_OPERATION);

		mv_diag(mv, "E100", F_OPERATION, "opération « %.40s » inconnue : "
			"attendu AFFILIATION_SIMPLE, AFFILIATION_COMPLETE, "
			"AYANT_DROIT, RADIATION, MODIFICATION...",
			name ? name : "");
		return;
	}
	if (mv->op == OP_FINALISATION && !ctx->portal) {
		mv_diag(mv, "E103", F_OPERATION, "opération réservée au portail");
		return;
	}
	if (op_admin_only(mv->op)) {
		check_admin_op(ctx, mv);
		return;
	}
	int vide[F_COUNT];

	take_vide(mv, vide);
	check_required(mv);
	check_nir_field(mv, F_NIR);
	check_nir_field(mv, F_NOUVEAU_NIR);
	check_nir_field(mv, F_NIR_AYANT_DROIT);
	check_dates(mv);
	check_texts(mv);
	check_emails(mv);
	check_codes(ctx, mv);
	check_option(ctx, mv);
	check_bank(ctx, mv);
	if (is_employee_op(mv->op) && !mv_has_error(mv))
		check_employee(ctx, mv);
	if (mv->op == OP_AYANT_DROIT && !mv_has_error(mv))
		check_beneficiary(ctx, mv);
	if (mv->op == OP_AFFILIATION_SIMPLE ||
	    mv->op == OP_AFFILIATION_COMPLETE)
		check_contact(mv);
	put_vide(mv, vide);
}
