/*
 * test_recon - the pure side of a RECONCILIATION (rules/recon.c): when a
 * file's value says what the record says, how a value shows in a report
 * line (an IBAN never whole), and the summary's words.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules/recon.h"

struct same_case {
	enum field f;
	const char *db, *file;
	int same;
};

static void test_same(void **state)
{
	static const struct same_case cases[] = {
		/* names: case says nothing, accents do */
		{ F_NOM, "Lefèvre", "LEFÈVRE", 1 },
		{ F_NOM, "Lefèvre", "Lefevre", 0 },
		{ F_PRENOM, "Anaïs", "anaïs", 1 },
		/* NFC: "e" + U+0301 is "é" */
		{ F_PRENOM, "H\xc3\xa9l\xc3\xa8ne", "He\xcc\x81l\xc3\xa8ne", 1 },
		{ F_VILLE, "Saint-Étienne", "SAINT-ÉTIENNE", 1 },
		/* email: ASCII case folded */
		{ F_EMAIL, "anais@example.fr", "Anais@Example.FR", 1 },
		{ F_EMAIL, "anais@example.fr", "anais@example.com", 0 },
		/* everything else byte for byte */
		{ F_OPTION, "BASE", "base", 0 },
		{ F_OPTION, "BASE", "BASE", 1 },
		{ F_DATE_EMBAUCHE, "2026-11-02", "2026-11-02", 1 },
		{ F_IBAN, "FR1420041010050500013M02606",
		  "FR7630006000011234567890189", 0 },
		/* nothing on record: any value differs */
		{ F_MATRICULE, NULL, "A12", 0 },
		{ F_MATRICULE, "", "A12", 0 },
		/* not UTF-8: never the same as text */
		{ F_NOM, "Dupont", "Dupont\xff", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (recon_same(cases[i].f, cases[i].db, cases[i].file) !=
		    cases[i].same)
			fail_msg("case %zu: %s vs %s", i, cases[i].db,
				 cases[i].file);
}

static void test_shown(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(recon_shown(F_IBAN, "FR7630006000011234567890189",
					out, sizeof(out)), "…0189");
	assert_string_equal(recon_shown(F_NOM, NULL, out, sizeof(out)),
			    "(vide)");
	assert_string_equal(recon_shown(F_NOM, "", out, sizeof(out)),
			    "(vide)");
	assert_string_equal(recon_shown(F_NOM, "Petit", out, sizeof(out)),
			    "Petit");
	assert_string_equal(recon_shown(F_ADRESSE, "Bât. C\n3 rue Haute", out,
					sizeof(out)), "Bât. C, 3 rue Haute");
	/* cut short, never inside a character */
	assert_string_equal(recon_shown(F_ADRESSE, "ab\nééé", out, 9),
			    "ab, é");
}

static void test_note(void **state)
{
	struct recon_counts none = { 0, 0, 0, 0, 0 };
	struct recon_counts some = { 2, 1, 1, 3, 2 };
	char out[320];

	(void)state;
	recon_note(&none, out, sizeof(out));
	assert_string_equal(out, "rapprochement : aucune différence avec la "
			    "base ; rien n'a été appliqué");
	assert_int_equal(recon_differences(&some), 7);
	recon_note(&some, out, sizeof(out));
	assert_string_equal(out, "rapprochement : 2 salariés absents de la "
			    "base, 1 non couvert, 1 couvert absent du fichier, "
			    "3 champs différents pour 2 salariés ; rien n'a été "
			    "appliqué");
}

/* The compared fields are distinct employee fields, never the NIR. */
static void test_fields(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < RECON_NFIELDS; i++) {
		assert_true(recon_fields[i] != F_NIR);
		assert_true(recon_fields[i] > F_NONE &&
			    recon_fields[i] < F_COUNT);
		for (j = 0; j < i; j++)
			assert_true(recon_fields[i] != recon_fields[j]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same),
		cmocka_unit_test(test_shown),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
