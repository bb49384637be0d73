/*
 * fuzz_validate - libFuzzer target: any bytes as one cell, through every
 * field rule of parsers/validate.h, and the other functions that take a
 * value straight from a file: header folding (cfg_fold_name), operation
 * and field names, and log_quote() (a file name is logged).
 *
 * Checks beyond "no crash": a validator returns V_OK, V_WARN or V_ERR, with
 * a code exactly when not V_OK and a message that is a C string; the
 * normalised NIR is 15 characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "config/config.h"
#include "fuzz/fuzz_input.h"
#include "parsers/movement.h"
#include "parsers/validate.h"

/* result_ok - the vresult contract of validate.h */
static void result_ok(enum vstatus st, const struct vresult *r)
{
	if (st != r->status || (st != V_OK && st != V_WARN && st != V_ERR))
		abort();
	if ((st == V_OK) != (r->code[0] == '\0'))
		abort();
	if (memchr(r->msg, '\0', sizeof(r->msg)) == NULL)
		abort();
}

/* dates - the rules that compare the value, as a date, with others */
static void dates(struct date d)
{
	static const struct date today = { 2026, 3, 15 };
	static const struct date hire = { 2025, 9, 1 };
	struct vresult r;

	result_ok(v_birth_date(d, hire, today, &r), &r);
	result_ok(v_birth_date(hire, d, today, &r), &r);
	result_ok(v_hire_date(d, today, &r), &r);
	result_ok(v_mandate_date(d, today, &r), &r);
	result_ok(v_child_age(d, today, NULL, CHILD_AGE_LIMIT, &r), &r);
	result_ok(v_child_age(d, today, "ETUDIANT", 30, &r), &r);
}

static void fields(const char *s)
{
	char nir[NIR_SIZE], iban[IBAN_SIZE], bic[BIC_SIZE], cat[CATEGORIE_SIZE];
	char lien[LIEN_SIZE], sit[SITUATION_SIZE], motif[MOTIF_SIZE];
	enum vstatus st;
	struct vresult r;
	struct date d;

	st = v_nir(s, nir, sizeof(nir), &r);
	result_ok(st, &r);
	if (st != V_ERR) {
		if (strlen(nir) != 15)
			abort();
		result_ok(v_nir_birth(nir, (struct date){ 1990, 4, 12 }, &r),
			  &r);
	}
	st = v_date(s, &d, &r);
	result_ok(st, &r);
	if (st != V_ERR) {
		if (!date_valid(d.y, d.m, d.d))
			abort();
		dates(d);
	}
	result_ok(v_email(s, &r), &r);
	result_ok(v_categorie(s, cat, sizeof(cat), &r), &r);
	result_ok(v_iban(s, iban, sizeof(iban), &r), &r);
	result_ok(v_bic(s, bic, sizeof(bic), &r), &r);
	result_ok(v_rum(s, &r), &r);
	result_ok(v_text(s, 100, &r), &r);
	result_ok(v_lien(s, lien, sizeof(lien), &r), &r);
	st = v_situation(s, sit, sizeof(sit), &r);
	result_ok(st, &r);
	result_ok(v_motif_rupture(s, motif, &r), &r);
}

/* one_value - q reads as exactly one key=value value: bare, or quoted with
 * its inner quotes escaped, and on one line */
static void one_value(const char *q)
{
	int closed = 0;
	size_t i;

	if (strpbrk(q, "\n\r") != NULL)
		abort();
	if (q[0] != '"') {
		if (strpbrk(q, " \"=") != NULL)
			abort();
		return;
	}
	for (i = 1; q[i] != '\0'; i++) {
		if (closed)
			abort();	/* something after the closing quote */
		if (q[i] == '\\') {
			if (q[++i] == '\0')
				abort();
		} else if (q[i] == '"') {
			closed = 1;
		}
	}
	if (!closed)
		abort();
}

static void names(const char *s)
{
	char folded[256], q[LOG_QUOTE_MAX], small[LOG_QUOTE_MIN];

	cfg_fold_name(s, folded, sizeof(folded));
	fuzz_sink += strlen(folded);
	fuzz_sink += (size_t)field_from_name(folded) + (size_t)op_from_name(s);
	one_value(log_quote(q, sizeof(q), s));
	one_value(log_quote(small, sizeof(small), s));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);

	fields(s);
	names(s);
	free(s);
	return 0;
}
