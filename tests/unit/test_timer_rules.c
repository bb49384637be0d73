/*
 * test_timer_rules - the deadlines of docs/process.md as process/timer.c
 * has them, without SQLite: on which statuses each kind fires, what it
 * leaves, and that the doc's deadline table names exactly these kinds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "process/timer.h"

/* fires_on - the statuses kind fires on, as "EN_COURS,RADIE" */
static const char *fires_on(enum deadline_kind k)
{
	static char out[128];
	size_t n = 0;
	int s;

	out[0] = '\0';
	for (s = STATUS_NONE + 1; s < STATUS_COUNT; s++)
		if (timer_fires(k, (enum status)s))
			n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s",
					      n ? "," : "",
					      status_name((enum status)s));
	return out;
}

static void test_each_kind_fires_on_its_statuses(void **state)
{
	static const char all[] = "EN_COURS,A_RELANCER,AFFILIE,DISPENSE,"
				  "RADIE,PORTABILITE";

	(void)state;
	assert_string_equal(fires_on(DL_RELANCE), "EN_COURS");
	assert_string_equal(fires_on(DL_RELANCE_AUTO), "A_RELANCER");
	assert_string_equal(fires_on(DL_JETON), all);
	assert_string_equal(fires_on(DL_FIN_PORTABILITE), "PORTABILITE");
	assert_string_equal(fires_on(DL_FIN_DISPENSE), "DISPENSE");
	assert_string_equal(fires_on(DL_PREUVE_DISPENSE), "DISPENSE");
	assert_string_equal(fires_on(DL_RADIATION), all);
	assert_string_equal(fires_on(DL_AYANT_DROIT_AGE), all);
	assert_string_equal(fires_on(DL_PREUVE_CHOMAGE), "PORTABILITE");
	/* no record, no firing; an unknown kind never fires */
	assert_false(timer_fires(DL_JETON, STATUS_NONE));
	assert_false(timer_fires(DL_COUNT, STATUS_EN_COURS));
}

static void test_what_each_kind_leaves(void **state)
{
	(void)state;
	assert_int_equal(timer_rule(DL_RELANCE)->to, STATUS_A_RELANCER);
	assert_int_equal(timer_rule(DL_FIN_PORTABILITE)->to, STATUS_RADIE);
	assert_int_equal(timer_rule(DL_FIN_DISPENSE)->to, STATUS_EN_COURS);
	assert_int_equal(timer_rule(DL_PREUVE_CHOMAGE)->to, STATUS_NONE);
	assert_int_equal(timer_rule(DL_JETON)->to, STATUS_NONE);
	assert_string_equal(timer_rule(DL_RELANCE)->what,
			    "délai de réponse dépassé : à relancer");
	assert_null(timer_rule(DL_COUNT));
}

static void test_names_round_trip(void **state)
{
	int k;

	(void)state;
	for (k = 0; k < DL_COUNT; k++)
		assert_int_equal(timer_kind_from_name(
			timer_rule((enum deadline_kind)k)->name), k);
	assert_int_equal(timer_kind_from_name("inconnu"), DL_COUNT);
	assert_int_equal(timer_kind_from_name(NULL), DL_COUNT);
}

/* The "## Deadlines" table of docs/process.md names every kind the
 * apply step writes (relance_auto is the timers' own) and no other. */
static void test_doc_lists_the_kinds(void **state)
{
	char line[1024], seen[DL_COUNT] = { 0 };
	int in = 0, k;
	FILE *f = fopen("docs/process.md", "r");

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *q;

		if (strncmp(line, "## ", 3) == 0)
			in = strncmp(line, "## Deadlines", 12) == 0;
		if (!in || strncmp(line, "| `", 3) != 0)
			continue;
		/* the first cell: `kind` or `kind`, `kind` */
		q = strchr(line + 1, '|');
		assert_non_null(q);
		*q = '\0';
		while ((p = strchr(p, '`')) != NULL && (q = strchr(p + 1, '`'))) {
			*q = '\0';
			k = timer_kind_from_name(p + 1);
			assert_int_not_equal(k, DL_COUNT);
			seen[k] = 1;
			p = q + 1;
		}
	}
	fclose(f);
	for (k = 0; k < DL_COUNT; k++)
		assert_int_equal(seen[k], k != DL_RELANCE_AUTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_kind_fires_on_its_statuses),
		cmocka_unit_test(test_what_each_kind_leaves),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_doc_lists_the_kinds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
