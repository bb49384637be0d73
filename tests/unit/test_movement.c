/*
 * test_movement - parsers/movement.c, the one in-memory movement: fields
 * by number in an arena (absent NULL, empty ""), replacement, the arena's
 * hard maximum, findings and their overflow count, reset and reuse, deep
 * copies, and the name tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "parsers/movement.h"

/* test_fresh - a new movement has no operation, no field, no finding */
static void test_fresh(void **state)
{
	struct movement mv;
	int f;

	(void)state;
	mv_init(&mv);
	assert_int_equal(mv.op, OP_NONE);
	for (f = 0; f < F_COUNT; f++) {
		assert_null(mv_get(&mv, (enum field)f));
		assert_false(mv_has(&mv, (enum field)f));
	}
	assert_int_equal(mv.ndiags + mv.nerrors + mv.ndropped, 0);
	assert_false(mv_has_error(&mv));
	mv_free(&mv);
}

/* test_set_get - present, empty, replaced; out-of-range fields refused */
static void test_set_get(void **state)
{
	struct movement mv;

	(void)state;
	mv_init(&mv);
	assert_int_equal(mv_set(&mv, F_NOM, "Martin"), 0);
	assert_int_equal(mv_set(&mv, F_EMAIL, ""), 0);
	assert_string_equal(mv_get(&mv, F_NOM), "Martin");
	assert_true(mv_has(&mv, F_NOM));
	/* An empty cell is there (the column exists) but not "has". */
	assert_non_null(mv_get(&mv, F_EMAIL));
	assert_string_equal(mv_get(&mv, F_EMAIL), "");
	assert_false(mv_has(&mv, F_EMAIL));
	assert_null(mv_get(&mv, F_PRENOM));
	/* Replacing a value: the new one is read, the other fields stay. */
	assert_int_equal(mv_set(&mv, F_NOM, "Martin-Durand"), 0);
	assert_string_equal(mv_get(&mv, F_NOM), "Martin-Durand");
	assert_string_equal(mv_get(&mv, F_EMAIL), "");
	/* mv_setn takes n bytes, not the whole string. */
	assert_int_equal(mv_setn(&mv, F_VILLE, "Paris 2e", 5), 0);
	assert_string_equal(mv_get(&mv, F_VILLE), "Paris");
	assert_int_equal(mv_set(&mv, F_NONE, "x"), -1);
	assert_int_equal(mv_set(&mv, F_COUNT, "x"), -1);
	assert_null(mv_get(&mv, F_NONE));
	assert_null(mv_get(&mv, F_COUNT));
	mv_free(&mv);
}

/*
 * test_embedded_nul - values are NUL-terminated C strings: a value given
 * with a NUL inside is stored, but every reader of the movement sees it
 * end at the NUL (the CSV reader rejects such a row before, E190, and
 * XML allows no NUL at all, E012).  Nothing after the NUL leaks into the
 * next field.
 */
static void test_embedded_nul(void **state)
{
	static const char v[] = "Dupont\0; DROP TABLE employee";
	struct movement mv;

	(void)state;
	mv_init(&mv);
	assert_int_equal(mv_setn(&mv, F_NOM, v, sizeof(v) - 1), 0);
	assert_int_equal(mv_set(&mv, F_PRENOM, "Léa"), 0);
	assert_string_equal(mv_get(&mv, F_NOM), "Dupont");
	assert_int_equal(strlen(mv_get(&mv, F_NOM)), 6);
	assert_string_equal(mv_get(&mv, F_PRENOM), "Léa");
	/* A value that starts with NUL reads as empty, not as absent. */
	assert_int_equal(mv_setn(&mv, F_VILLE, "\0Paris", 6), 0);
	assert_non_null(mv_get(&mv, F_VILLE));
	assert_false(mv_has(&mv, F_VILLE));
	mv_free(&mv);
}

/* test_arena_max - the arena's hard maximum: refused, nothing half-set */
static void test_arena_max(void **state)
{
	size_t big = 3u << 20, rest;
	struct movement mv;
	char *p = malloc(big);

	(void)state;
	assert_non_null(p);
	memset(p, 'a', big);
	mv_init(&mv);
	assert_int_equal(mv_set(&mv, F_NOM, "Martin"), 0);
	assert_int_equal(mv_setn(&mv, F_ADRESSE, p, big), 0);
	rest = mv.arena.len;
	/* 4 MiB in all: a second 3 MiB value does not fit. */
	assert_int_equal(mv_setn(&mv, F_JUSTIFICATION, p, big), -1);
	assert_int_equal(mv.arena.len, rest);
	assert_null(mv_get(&mv, F_JUSTIFICATION));
	/* A replacement that does not fit keeps the old value. */
	assert_int_equal(mv_setn(&mv, F_NOM, p, big), -1);
	assert_string_equal(mv_get(&mv, F_NOM), "Martin");
	assert_int_equal(strlen(mv_get(&mv, F_ADRESSE)), big);
	/* Reset frees room without freeing storage. */
	mv_reset(&mv);
	assert_int_equal(mv_setn(&mv, F_JUSTIFICATION, p, big), 0);
	mv_free(&mv);
	free(p);
}

/* test_diags - kinds, counts, the overflow, truncated text */
static void test_diags(void **state)
{
	char longmsg[2 * DIAG_MSG_MAX];
	struct movement mv;
	int i;

	(void)state;
	mv_init(&mv);
	mv_diag(&mv, "W110", F_NOM, "nom %s", "tronqué");
	assert_false(mv_has_error(&mv));
	mv_diag(&mv, "I001", F_NONE, "pour information");
	assert_int_equal(mv.nerrors, 0);
	mv_diag(&mv, "E102", F_NIR, "champ obligatoire vide pour %s",
		"RADIATION");
	assert_true(mv_has_error(&mv));
	assert_int_equal(mv.ndiags, 3);
	assert_string_equal(mv.diags[0].msg, "nom tronqué");
	assert_int_equal(mv.diags[2].field, F_NIR);
	assert_string_equal(mv.diags[2].code, "E102");
	/* Fill up to MV_MAX_DIAGS with warnings, then overflow with errors:
	 * the dropped ones are counted, and an error dropped still rejects. */
	for (i = mv.ndiags; i < MV_MAX_DIAGS; i++)
		mv_diag(&mv, "W999", F_NONE, "avertissement %d", i);
	assert_int_equal(mv.ndiags, MV_MAX_DIAGS);
	assert_int_equal(mv.ndropped, 0);
	mv_diag(&mv, "E150", F_OPTION, "de trop");
	mv_diag(&mv, "W001", F_NONE, "de trop");
	assert_int_equal(mv.ndiags, MV_MAX_DIAGS);
	assert_int_equal(mv.ndropped, 2);
	assert_int_equal(mv.nerrors, 2);
	assert_string_equal(mv.diags[MV_MAX_DIAGS - 1].code, "W999");
	/* A message longer than the slot is cut, still a C string. */
	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	mv_reset(&mv);
	assert_int_equal(mv.ndiags + mv.nerrors + mv.ndropped, 0);
	mv_diag(&mv, "E1234567890", F_NONE, "%s", longmsg);
	assert_int_equal(strlen(mv.diags[0].msg), DIAG_MSG_MAX - 1);
	assert_string_equal(mv.diags[0].code, "E123456");
	mv_free(&mv);
}

/* test_reset_reuse - reset forgets everything; free then init again */
static void test_reset_reuse(void **state)
{
	struct movement mv;
	char *storage;
	int round;

	(void)state;
	mv_init(&mv);
	for (round = 0; round < 2; round++) {
		mv.op = OP_RADIATION;
		mv.line = 7;
		assert_int_equal(mv_set(&mv, F_NIR, "290049900000158"), 0);
		mv_diag(&mv, "E181", F_MOTIF_RUPTURE, "motif inconnu");
		storage = mv.arena.data;
		mv_reset(&mv);
		assert_int_equal(mv.op, OP_NONE);
		assert_int_equal(mv.line, 0);
		assert_null(mv_get(&mv, F_NIR));
		assert_false(mv_has_error(&mv));
		assert_int_equal(mv.ndiags, 0);
		assert_ptr_equal(mv.arena.data, storage);	/* kept */
		assert_int_equal(mv.arena.len, 0);
		mv_free(&mv);
		assert_null(mv.arena.data);
		mv_init(&mv);	/* a freed movement is reusable after init */
	}
	mv_free(&mv);
}

/* test_copy - a deep copy: changing one never changes the other */
static void test_copy(void **state)
{
	struct movement a, b;

	(void)state;
	mv_init(&a);
	mv_init(&b);
	assert_int_equal(mv_set(&b, F_VILLE, "reste d'avant"), 0);
	a.op = OP_AYANT_DROIT;
	a.line = 12;
	assert_int_equal(mv_set(&a, F_NOM, "Martin"), 0);
	assert_int_equal(mv_set(&a, F_LIEN, "ENFANT"), 0);
	mv_diag(&a, "W130", F_LIEN, "lien");
	assert_int_equal(mv_copy(&b, &a), 0);
	assert_int_equal(b.op, OP_AYANT_DROIT);
	assert_int_equal(b.line, 12);
	assert_null(mv_get(&b, F_VILLE));
	assert_int_equal(b.ndiags, 1);
	assert_ptr_not_equal(b.arena.data, a.arena.data);
	assert_int_equal(mv_set(&a, F_NOM, "Durand"), 0);
	assert_string_equal(mv_get(&b, F_NOM), "Martin");
	assert_string_equal(mv_get(&b, F_LIEN), "ENFANT");
	mv_free(&a);
	mv_free(&b);
}

/* test_names - operations and fields by name, both ways */
static void test_names(void **state)
{
	int i;

	(void)state;
	for (i = 1; i < OP_COUNT; i++)
		assert_int_equal(op_from_name(op_name((enum op)i)), i);
	for (i = 0; i < F_COUNT; i++)
		assert_int_equal(field_from_name(field_name((enum field)i)), i);
	assert_int_equal(op_from_name("radiation"), OP_NONE);	/* exact */
	assert_int_equal(op_from_name(""), OP_NONE);
	assert_int_equal(field_from_name("Nom"), F_NONE);
	assert_string_equal(op_name(OP_COUNT), "");
	assert_string_equal(field_name(F_NONE), "");
	assert_string_equal(field_name(F_DATE_SIGNATURE_MANDAT),
			    "date_signature_mandat");
}

static void file_diag(struct file_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	file_diag_set(d, 41, "E004", F_NONE, fmt, ap);
	va_end(ap);
}

/* test_file_diag - a whole-file finding with its line */
static void test_file_diag(void **state)
{
	struct file_diag d;

	(void)state;
	file_diag(&d, "FIN annonce %d mouvements, %d lus", 12, 11);
	assert_int_equal(d.line, 41);
	assert_string_equal(d.d.code, "E004");
	assert_int_equal(d.d.field, F_NONE);
	assert_string_equal(d.d.msg, "FIN annonce 12 mouvements, 11 lus");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh),
		cmocka_unit_test(test_set_get),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_arena_max),
		cmocka_unit_test(test_diags),
		cmocka_unit_test(test_reset_reuse),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_file_diag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
