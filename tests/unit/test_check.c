/*
 * test_check - parsers/check.c against the operation table of formats.md:
 * for every operation, the movement made of its required fields alone is
 * accepted; each required field left out of the header is E101 and left
 * empty is E102, on that field; each optional field may be added without
 * a finding.  Then the rules that join fields: the contact an affiliation
 * needs (E152), the mandate a direct-debit option needs (E151), the portal's
 * own operation (E103), an unknown operation (E100).
 *
 * The table below is written from the documentation, not copied from
 * check.c, so a field that check.c requires and the spec does not (or the
 * other way round) fails here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "common/util.h"
#include "parsers/check.h"

static const char config_yaml[] =
	"spool:\n  dir: %s/spool\n  sftp_chroot: false\n"
	"database:\n  path: %s/affild.db\n"
	"mail:\n  transport: file\n  dir: %s/mail\n"
	"  from: \"Espace <affiliation@assureur.example>\"\n"
	"process:\n  creditor_id: FR12ZZZ123456\n"
	"employers:\n"
	"  - numero: \"12345678\"\n    name: Exemple SAS\n"
	"    options:\n      - code: BASE\n      - code: CONFORT\n"
	"        direct_debit: true\n    base_plan: BASE\n";

/* formats.md, "One file, many movements": required, then optional. */
static const struct op_fields {
	enum op op;
	const char *required;
	const char *optional;
} table[] = {
	{ OP_AFFILIATION_SIMPLE, "nir nom prenom date_naissance date_embauche "
	  "categorie", "nom_usage matricule pays telephone email_personnel "
	  "date_effet" },
	{ OP_AFFILIATION_COMPLETE, "nir nom prenom date_naissance "
	  "date_embauche categorie option", "nom_usage matricule pays "
	  "telephone email_personnel date_effet iban bic rum "
	  "date_signature_mandat" },
	{ OP_AYANT_DROIT, "nir lien nom prenom date_naissance",
	  "nir_ayant_droit situation date_fin" },
	{ OP_RADIATION, "nir date_fin_contrat motif_rupture",
	  "date_debut_contrat portabilite justification email_personnel" },
	{ OP_ANNULATION, "nir operation_annulee", "" },
	{ OP_MODIFICATION, "nir", "nouveau_nir nom nom_usage prenom "
	  "date_naissance date_embauche date_effet email email_personnel "
	  "adresse code_postal ville pays telephone matricule categorie option "
	  "iban bic rum date_signature_mandat" },
	{ OP_RELANCE, "nir", "" },
	{ OP_AFFILIATION_FORCEE, "nir", "" },
	{ OP_DISPENSE, "nir motif_dispense date_demande",
	  "justificatif date_fin_dispense" },
	{ OP_FIN_PORTABILITE, "nir date_evenement motif_fin", "" },
	{ OP_FINALISATION, "nir jeton option", "iban bic rum "
	  "date_signature_mandat" },
	{ OP_EXPORT, "", "statut" },
	{ OP_BULLETIN, "nir", "" },
};

/* A valid value for each field, consistent with the others (the NIR says
 * born in April 1990, abroad; hired in 2026, "today" is 2026-11-28). */
static const char *valid(enum field f)
{
	switch (f) {
	case F_NIR: case F_NOUVEAU_NIR: case F_NIR_AYANT_DROIT:
		return "290049900000158";
	case F_NOM: case F_NOM_USAGE: return "Martin";
	case F_PRENOM: return "Zoé";
	case F_DATE_NAISSANCE: return "1990-04-12";
	case F_DATE_EMBAUCHE: return "2026-09-01";
	case F_CATEGORIE: return "CADRE";
	case F_OPTION: return "BASE";
	case F_EMAIL: return "zoe@example.fr";
	case F_EMAIL_PERSONNEL: return "zoe@perso.example";
	case F_ADRESSE: return "1 rue de la Paix";
	case F_CODE_POSTAL: return "75002";
	case F_VILLE: return "Paris";
	case F_PAYS: return "France";
	case F_TELEPHONE: return "01 02 03 04 05";
	case F_MATRICULE: return "M-42";
	case F_IBAN: return "FR7630006000011234567890189";
	case F_BIC: return "BNPAFRPP";
	case F_RUM: return "AFF-000001";
	case F_LIEN: return "CONJOINT";
	case F_SITUATION: return "ETUDIANT";
	case F_MOTIF_RUPTURE: return "039";
	case F_PORTABILITE: return "O";
	case F_OPERATION_ANNULEE: return "RADIATION";
	case F_MOTIF_DISPENSE: return "CSS";
	case F_JUSTIFICATIF: return "ATT-1";
	case F_JUSTIFICATION: return "erreur de saisie";
	case F_MOTIF_FIN: return "REPRISE_EMPLOI";
	case F_JETON: return "0123456789abcdef";
	case F_STATUT: return "AFFILIE";
	case F_DATE_EFFET: return "2026-12-01";
	case F_DATE_SIGNATURE_MANDAT: return "2026-11-02";
	case F_DATE_FIN: case F_DATE_FIN_DISPENSE: return "2027-06-30";
	case F_DATE_FIN_CONTRAT: return "2026-11-20";
	case F_DATE_DEBUT_CONTRAT: return "2020-01-06";
	case F_DATE_DEMANDE: case F_DATE_EVENEMENT: return "2026-11-02";
	default: return "x";
	}
}

static struct cfg *cfg;
static char dir[64];

static int setup(void **state)
{
	char path[128], yaml[1024];
	struct cfg_errors errs = { NULL, 0 };
	FILE *fp;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/affild-check-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/affild.yaml", dir);
	snprintf(yaml, sizeof(yaml), config_yaml, dir, dir, dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(yaml, fp);
	assert_int_equal(fclose(fp), 0);
	cfg = cfg_load(path, &errs);
	if (cfg == NULL)
		fail_msg("%s", errs.n ? errs.lines[0] : "cfg_load");
	assert_int_equal(unlink(path), 0);
	return rmdir(dir);
}

static int teardown(void **state)
{
	(void)state;
	cfg_free(cfg);
	return 0;
}

/*
 * check - build a movement of op from the space-separated field lists
 * (each with its valid value), minus the field "without" (-1: none), or
 * with it present but empty when empty is set; run the checks.
 */
static void check(struct movement *mv, enum op op, const char *fields,
		  const char *more, enum field without, int empty, int portal)
{
	struct check_ctx cc = { cfg, &cfg->employers[0], { 2026, 11, 28 },
				portal, 0 };
	const char *lists[2] = { fields, more };
	char buf[512], *name, *save;
	int i;

	mv_reset(mv);
	mv->op = op;
	mv->line = 2;
	assert_int_equal(mv_set(mv, F_OPERATION, op_name(op)), 0);
	for (i = 0; i < 2; i++) {
		snprintf(buf, sizeof(buf), "%s", lists[i] ? lists[i] : "");
		for (name = strtok_r(buf, " ", &save); name;
		     name = strtok_r(NULL, " ", &save)) {
			enum field f = field_from_name(name);

			assert_int_not_equal(f, F_NONE);
			if (f != without)
				assert_int_equal(mv_set(mv, f, valid(f)), 0);
			else if (empty)
				assert_int_equal(mv_set(mv, f, ""), 0);
		}
	}
	check_movement(&cc, mv);
}

/* contact - what an affiliation needs besides its required fields */
static const char *contact(enum op op)
{
	return op == OP_AFFILIATION_SIMPLE || op == OP_AFFILIATION_COMPLETE ?
	       "email" : "";
}

static void assert_clean(const struct movement *mv, const char *what)
{
	if (mv->nerrors != 0)
		fail_msg("%s: %s on %s: %s", what, mv->diags[0].code,
			 field_name(mv->diags[0].field), mv->diags[0].msg);
}

/* test_required_alone - the required fields (and a contact) are enough */
static void test_required_alone(void **state)
{
	struct movement mv;
	size_t i;

	(void)state;
	mv_init(&mv);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		check(&mv, table[i].op, table[i].required,
		      contact(table[i].op), F_NONE, 0, 1);
		assert_clean(&mv, op_name(table[i].op));
	}
	mv_free(&mv);
}

/* test_each_required_missing - absent: E101, empty: E102, on that field */
static void test_each_required_missing(void **state)
{
	char buf[256], *name, *save;
	struct movement mv;
	size_t i;
	int empty;

	(void)state;
	mv_init(&mv);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", table[i].required);
		for (name = strtok_r(buf, " ", &save); name;
		     name = strtok_r(NULL, " ", &save))
			for (empty = 0; empty < 2; empty++) {
				enum field f = field_from_name(name);

				check(&mv, table[i].op, table[i].required,
				      contact(table[i].op), f, empty, 1);
				assert_true(mv.nerrors >= 1);
				assert_string_equal(mv.diags[0].code,
						    empty ? "E102" : "E101");
				assert_int_equal(mv.diags[0].field, f);
				assert_non_null(strstr(mv.diags[0].msg,
						       empty ? op_name(table[i].op)
						       : name));
			}
	}
	mv_free(&mv);
}

/* test_optional_fields - every optional field may come, valid, no finding */
static void test_optional_fields(void **state)
{
	struct movement mv;
	char more[512];
	size_t i;

	(void)state;
	mv_init(&mv);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		snprintf(more, sizeof(more), "%s %s", table[i].optional,
			 contact(table[i].op));
		check(&mv, table[i].op, table[i].required, more, F_NONE, 0, 1);
		assert_clean(&mv, op_name(table[i].op));
		/* An optional field may also be absent or empty. */
		check(&mv, table[i].op, table[i].required, contact(table[i].op),
		      F_NONE, 0, 1);
		assert_clean(&mv, op_name(table[i].op));
	}
	mv_free(&mv);
}

/* first_code - the first finding with this code, or NULL */
static const struct diag *first_code(const struct movement *mv,
				     const char *code)
{
	int i;

	for (i = 0; i < mv->ndiags; i++)
		if (strcmp(mv->diags[i].code, code) == 0)
			return &mv->diags[i];
	return NULL;
}

/* test_contact - an email, or a whole postal address; else E152 */
static void test_contact(void **state)
{
	const char *simple = table[0].required;
	struct movement mv;

	(void)state;
	mv_init(&mv);
	check(&mv, OP_AFFILIATION_SIMPLE, simple, "adresse code_postal ville",
	      F_NONE, 0, 0);
	assert_clean(&mv, "full address");
	check(&mv, OP_AFFILIATION_SIMPLE, simple, "adresse code_postal ville",
	      F_VILLE, 1, 0);
	assert_non_null(first_code(&mv, "E152"));
	check(&mv, OP_AFFILIATION_COMPLETE, table[1].required, "", F_NONE, 0, 0);
	assert_int_equal(mv.nerrors, 1);
	assert_int_equal(first_code(&mv, "E152")->field, F_EMAIL);
	mv_free(&mv);
}

/*
 * test_texts - adresse keeps its lines, a break in nom is folded (W171);
 * values longer than any field's limit are refused (E172) whatever their
 * size, not cut.
 */
static void test_texts(void **state)
{
	const char *simple = table[0].required;
	char big[3000];
	struct movement mv;

	(void)state;
	mv_init(&mv);
	check(&mv, OP_AFFILIATION_SIMPLE, simple, "email adresse", F_NONE, 0,
	      0);
	assert_int_equal(mv_set(&mv, F_ADRESSE, " Bât. C\r\n1 rue A "), 0);
	assert_int_equal(mv_set(&mv, F_NOM, "Le\nBlanc"), 0);
	check_movement(&(struct check_ctx){ cfg, &cfg->employers[0],
			 { 2026, 11, 28 }, 0, 0 }, &mv);
	assert_string_equal(mv_get(&mv, F_ADRESSE), "Bât. C\n1 rue A");
	assert_string_equal(mv_get(&mv, F_NOM), "Le Blanc");
	assert_non_null(first_code(&mv, "W171"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int f = 0; f < 2; f++) {
		check(&mv, OP_AFFILIATION_SIMPLE, simple, "email adresse",
		      F_NONE, 0, 0);
		assert_int_equal(mv_set(&mv, f ? F_ADRESSE : F_NOM, big), 0);
		check_movement(&(struct check_ctx){ cfg, &cfg->employers[0],
				 { 2026, 11, 28 }, 0, 0 }, &mv);
		assert_non_null(first_code(&mv, "E172"));
		assert_non_null(strstr(first_code(&mv, "E172")->msg, "2999"));
	}
	mv_free(&mv);
}

/* test_direct_debit - CONFORT is paid by SEPA: IBAN and mandate date */
static void test_direct_debit(void **state)
{
	struct movement mv;

	(void)state;
	mv_init(&mv);
	check(&mv, OP_AFFILIATION_COMPLETE, table[1].required, "email",
	      F_NONE, 0, 0);
	assert_int_equal(mv_set(&mv, F_OPTION, "CONFORT"), 0);
	mv.ndiags = mv.nerrors = 0;
	check_movement(&(struct check_ctx){ cfg, &cfg->employers[0],
			 { 2026, 11, 28 }, 0, 0 }, &mv);
	assert_int_equal(mv.nerrors, 2);
	assert_string_equal(mv.diags[0].code, "E151");
	assert_int_equal(mv.diags[0].field, F_IBAN);
	assert_int_equal(mv.diags[1].field, F_DATE_SIGNATURE_MANDAT);
	/* A MODIFICATION to CONFORT is not held to it here. */
	check(&mv, OP_MODIFICATION, "nir", "", F_NONE, 0, 0);
	assert_int_equal(mv_set(&mv, F_OPTION, "CONFORT"), 0);
	check_movement(&(struct check_ctx){ cfg, &cfg->employers[0],
			 { 2026, 11, 28 }, 0, 0 }, &mv);
	assert_null(first_code(&mv, "E151"));
	/* An option the employer does not offer. */
	check(&mv, OP_FINALISATION, "nir jeton", "", F_NONE, 0, 1);
	assert_int_equal(mv_set(&mv, F_OPTION, "PREMIUM"), 0);
	mv.ndiags = mv.nerrors = 0;
	check_movement(&(struct check_ctx){ cfg, &cfg->employers[0],
			 { 2026, 11, 28 }, 1, 0 }, &mv);
	assert_string_equal(mv.diags[0].code, "E150");
	mv_free(&mv);
}

/* test_operation - FINALISATION only through the portal; unknown names */
static void test_operation(void **state)
{
	struct check_ctx cc = { NULL, NULL, { 2026, 11, 28 }, 0, 0 };
	struct movement mv;

	(void)state;
	mv_init(&mv);
	check(&mv, OP_FINALISATION, "nir jeton option", "", F_NONE, 0, 0);
	assert_int_equal(mv.ndiags, 1);
	assert_string_equal(mv.diags[0].code, "E103");
	mv_reset(&mv);
	assert_int_equal(mv_set(&mv, F_OPERATION, "AFFILIER"), 0);
	check_movement(&cc, &mv);	/* stops before needing the config */
	assert_int_equal(mv.ndiags, 1);
	assert_string_equal(mv.diags[0].code, "E100");
	assert_non_null(strstr(mv.diags[0].msg, "« AFFILIER »"));
	mv_free(&mv);
}

/* admin_row - an admin drop's operation with its fields, checked in the
 * drop given (admin: the admin drop) */
static void admin_row(struct movement *mv, enum op op, int portal, int admin,
		      const char *id, const char *date)
{
	struct check_ctx cc = { cfg, NULL, { 2026, 11, 28 }, portal, admin };

	mv_reset(mv);
	mv->op = op;
	mv->line = 2;
	assert_int_equal(mv_set(mv, F_OPERATION, op_name(op)), 0);
	if (id)
		assert_int_equal(mv_set(mv, F_ID_FICHIER, id), 0);
	if (date)
		assert_int_equal(mv_set(mv, F_DATE_REFERENCE, date), 0);
	check_movement(&cc, mv);
}

/* test_admin_only - the admin drop's operations: refused anywhere else
 * (E270), their fields required and normalised there */
static void test_admin_only(void **state)
{
	static const enum op ops[] = { OP_RETRAITEMENT, OP_APPROBATION,
		OP_REFUS, OP_RENVOI_MESSAGE, OP_ECHEANCES,
		OP_OUVERTURE_PORTABILITE, OP_PREUVE_CHOMAGE };
	struct movement mv;
	size_t i;
	int drop;

	(void)state;
	mv_init(&mv);
	for (i = 0; i < NELEM(ops); i++) {
		assert_true(op_admin_only(ops[i]));
		assert_int_equal(op_from_name(op_name(ops[i])), ops[i]);
		for (drop = 0; drop < 2; drop++) {	/* employer, portal */
			admin_row(&mv, ops[i], drop, 0, "20261128-000001",
				  NULL);
			assert_int_equal(mv.nerrors, 1);
			assert_string_equal(mv.diags[0].code, "E270");
			assert_non_null(strstr(mv.diags[0].msg,
					       op_name(ops[i])));
		}
	}
	assert_false(op_admin_only(OP_MODIFICATION));
	assert_false(op_admin_only(OP_FIN));
	/* In the admin drop: its fields, as any movement's. */
	admin_row(&mv, OP_RETRAITEMENT, 0, 1, "20261128-000001", NULL);
	assert_int_equal(mv.nerrors, 0);
	admin_row(&mv, OP_APPROBATION, 0, 1, NULL, NULL);
	assert_string_equal(mv.diags[0].code, "E101");
	assert_int_equal(mv.diags[0].field, F_ID_FICHIER);
	admin_row(&mv, OP_ECHEANCES, 0, 1, NULL, "10/12/2026");
	assert_int_equal(mv.nerrors, 0);
	assert_string_equal(mv_get(&mv, F_DATE_REFERENCE), "2026-12-10");
	admin_row(&mv, OP_ECHEANCES, 0, 1, NULL, "31/02/2026");
	assert_int_equal(mv.diags[0].field, F_DATE_REFERENCE);
	admin_row(&mv, OP_PREUVE_CHOMAGE, 0, 1, NULL, NULL);
	assert_string_equal(mv.diags[0].code, "E101");
	assert_int_equal(mv.diags[0].field, F_NIR);
	mv_free(&mv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_alone),
		cmocka_unit_test(test_each_required_missing),
		cmocka_unit_test(test_optional_fields),
		cmocka_unit_test(test_contact),
		cmocka_unit_test(test_direct_debit),
		cmocka_unit_test(test_texts),
		cmocka_unit_test(test_operation),
		cmocka_unit_test(test_admin_only),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
