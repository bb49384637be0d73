/*
 * test_validate - the field rules of rules.md, one table per validator.
 *
 * Each row: input, expected status and code, expected normalized value and,
 * where the wording matters, the exact message.  Every result also goes
 * through check_common(): the returned status equals r->status, non-OK
 * results have a message, OK ones have none, and the message follows French
 * typography.  NIR and IBAN tables also check that messages do not leak the
 * number.  Output buffers are allocated at the documented size, so an
 * overflow is caught by AddressSanitizer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/date.h"
#include "parsers/validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct scase {
	const char *in;
	enum vstatus status;
	const char *code;	/* "" when V_OK */
	const char *out;	/* normalized value; NULL: not checked */
	const char *msg;	/* exact message; NULL: code only */
};

typedef enum vstatus (*norm_fn)(const char *, char *, size_t,
				struct vresult *);
typedef enum vstatus (*plain_fn)(const char *, struct vresult *);

static const char *const TODAY = "2026-11-02";

static struct date day_of(const char *iso)
{
	struct date d = { 0, 0, 0 };

	if (date_parse_iso(iso, &d) != 0)
		fail_msg("bad date in test table: %s", iso);
	return d;
}

/* typography_ok - French: a space before ':' ';' '?' '!' */
static int typography_ok(const char *msg)
{
	for (const char *p = msg; *p != '\0'; p++)
		if (strchr(":;?!", *p) != NULL && (p == msg || p[-1] != ' '))
			return 0;
	return 1;
}

/* check_common - what every result must satisfy */
static void check_common(const char *ctx, enum vstatus ret,
			 const struct vresult *r)
{
	if (ret != r->status)
		fail_msg("%s: returned %d, r->status %d", ctx, ret, r->status);
	if (r->code == NULL)
		fail_msg("%s: NULL code", ctx);
	if (r->status == V_OK && (r->code[0] != '\0' || r->msg[0] != '\0'))
		fail_msg("%s: V_OK with code %s msg %s", ctx, r->code, r->msg);
	if (r->status != V_OK && (r->code[0] == '\0' || r->msg[0] == '\0'))
		fail_msg("%s: status %d without code or message", ctx,
		    r->status);
	if (r->status == V_WARN && r->code[0] != 'W')
		fail_msg("%s: warning with code %s", ctx, r->code);
	if (r->status == V_ERR && r->code[0] != 'E')
		fail_msg("%s: error with code %s", ctx, r->code);
	if (!typography_ok(r->msg))
		fail_msg("%s: typography: %s", ctx, r->msg);
}

/* check_case - status, code and message against the table row */
static void check_case(const char *fn, const struct scase *c,
		       enum vstatus ret, const struct vresult *r)
{
	char ctx[160];

	(void)snprintf(ctx, sizeof(ctx), "%s(\"%s\")", fn, c->in);
	check_common(ctx, ret, r);
	if (r->status != c->status || strcmp(r->code, c->code) != 0)
		fail_msg("%s: got %d %s « %s », want %d %s", ctx, r->status,
		    r->code, r->msg, c->status, c->code);
	if (c->msg != NULL && strcmp(r->msg, c->msg) != 0)
		fail_msg("%s: message\n  got:  %s\n  want: %s", ctx, r->msg,
		    c->msg);
}

/* run_norm - validators with an output buffer of exactly outlen bytes */
static void run_norm(const char *fn, norm_fn v, size_t outlen,
		     const struct scase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *out = malloc(outlen);
		struct vresult r;
		enum vstatus ret;

		assert_non_null(out);
		ret = v(c[i].in, out, outlen, &r);
		check_case(fn, &c[i], ret, &r);
		if (c[i].out != NULL && strcmp(out, c[i].out) != 0)
			fail_msg("%s(\"%s\"): out \"%s\", want \"%s\"", fn,
			    c[i].in, out, c[i].out);
		free(out);
	}
}

static void run_plain(const char *fn, plain_fn v, const struct scase *c,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vresult r;
		enum vstatus ret = v(c[i].in, &r);

		check_case(fn, &c[i], ret, &r);
	}
}

/*
 * normalize - what a validator keeps of a number: no blanks, dots or
 * hyphens, upper case (the bytes of a no-break space dropped as well)
 */
static void normalize(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < outlen; in++)
		if (strchr(" \t.-", *in) == NULL && (unsigned char)*in < 0x80)
			out[n++] = (*in >= 'a' && *in <= 'z') ?
			    (char)(*in - 'a' + 'A') : *in;
	out[n] = '\0';
}

/* leaks - msg holds 5 consecutive characters of the number */
static int leaks(const char *number, const char *msg)
{
	char norm[128], part[6];
	size_t len;

	normalize(number, norm, sizeof(norm));
	len = strlen(norm);
	for (size_t i = 0; i + 5 <= len; i++) {
		memcpy(part, norm + i, 5);
		part[5] = '\0';
		if (strstr(msg, part) != NULL)
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ NIR */

static const struct scase nir_cases[] = {
	/* the vectors of rules.md */
	{ "295109912611193", V_OK, "", "295109912611193", NULL },
	{ "253072B07300470", V_OK, "", "253072B07300470", NULL },
	{ "253072A07300443", V_OK, "", "253072A07300443", NULL },
	{ "255081416802538", V_OK, "", "255081416802538", NULL },
	/* blanks, as typed or as a spreadsheet groups digits */
	{ "2 95 10 99 126 111 93", V_OK, "", "295109912611193", NULL },
	{ " 295109912611193\t", V_OK, "", "295109912611193", NULL },
	{ "2\xC2\xA0" "95\xE2\x80\xAF" "109912611193", V_OK, "",
	  "295109912611193", NULL },
	{ "253072b07300470", V_OK, "", "253072B07300470", NULL },
	/* dots and hyphens, as payroll tools and people group the digits */
	{ "2.95.10.99.126.111.93", V_OK, "", "295109912611193", NULL },
	{ "2-95-10-99-126-111-93", V_OK, "", "295109912611193", NULL },
	{ "2.53.07.2B.073.004.70", V_OK, "", "253072B07300470", NULL },
	{ "2-53-07-2a-073-004-43", V_OK, "", "253072A07300443", NULL },
	{ "2\xC2\xA0" "95.10-99\xE2\x80\xAF" "126 111.93", V_OK, "",
	  "295109912611193", NULL },
	{ "295109.912611193", V_OK, "", "295109912611193", NULL },
	{ "295109912611193.", V_OK, "", "295109912611193", NULL },
	{ "29510991261119.3", V_OK, "", "295109912611193", NULL },
	{ "29510991260001.0", V_OK, "", "295109912600010", NULL },
	/* months 20, 30-42, 50-99 */
	{ "185209912345653", V_OK, "", "185209912345653", NULL },
	{ "295309912611125", V_OK, "", "295309912611125", NULL },
	{ "185509912345648", V_OK, "", "185509912345648", NULL },
	/* provisional numbers */
	{ "795109912611137", V_WARN, "W110", "795109912611137",
	  "NIR provisoire (premier chiffre 7) : envoyez le NIR définitif dès "
	  "qu'il est connu (MODIFICATION avec nouveau_nir)" },
	{ "395109912611143", V_WARN, "W110", "395109912611143", NULL },
	{ "495109912611190", V_WARN, "W110", "495109912611190", NULL },
	{ "895109912611184", V_WARN, "W110", "895109912611184", NULL },
	/* refused */
	{ "", V_ERR, "E110", "", "NIR vide" },
	{ "   ", V_ERR, "E110", "", "NIR vide" },
	{ "2951099126111", V_ERR, "E111", "",
	  "NIR de 13 caractères : il manque la clé de contrôle "
	  "(les 2 derniers chiffres)" },
	{ "29510991261119", V_ERR, "E111", "",
	  "NIR de 14 caractères au lieu de 15 (espaces, points et tirets non "
	  "comptés)" },
	{ "2951099126111930", V_ERR, "E111", "", NULL },
	{ "2", V_ERR, "E111", "",
	  "NIR de 1 caractère au lieu de 15 (espaces, points et tirets non "
	  "comptés)" },
	/* counted without its separators: 14, not 20 */
	{ "2.95.10.99.126.111.9", V_ERR, "E111", "",
	  "NIR de 14 caractères au lieu de 15 (espaces, points et tirets non "
	  "comptés)" },
	{ "2-95-10-99-126-111-93-1", V_ERR, "E111", "", NULL },
	{ "...", V_ERR, "E110", "", "NIR vide" },
	/* a character that is no separator is named, with its position */
	{ "2.95.10/99.126.111.93", V_ERR, "E112", "",
	  "caractère « / » non autorisé en position 6 du NIR : chiffres "
	  "seulement, 2A ou 2B pour la Corse (les espaces, points et tirets "
	  "sont ignorés)" },
	{ "2 95 10 99 126 111 93_", V_ERR, "E112", "", NULL },
	{ "2 95 10 99 126 111 9é", V_ERR, "E112", "",
	  "caractère accentué ou spécial non autorisé en position 15 du NIR "
	  ": chiffres seulement, 2A ou 2B pour la Corse (les espaces, points "
	  "et tirets sont ignorés)" },
	{ "595109912611193", V_ERR, "E112", "",
	  "premier chiffre du NIR invalide : attendu 1 ou 2 (3, 4, 7 ou 8 "
	  "pour un numéro provisoire)" },
	{ "095109912611193", V_ERR, "E112", "", NULL },
	{ "A95109912611193", V_ERR, "E112", "",
	  "caractère non numérique en position 1 du NIR : attendu 1 ou 2 "
	  "(3, 4, 7 ou 8 pour un numéro provisoire)" },
	{ "2951X9912611193", V_ERR, "E112", "",
	  "caractère non numérique en position 5 du NIR" },
	{ "29510991261119X", V_ERR, "E112", "",
	  "caractère non numérique en position 15 du NIR" },
	{ "2.95.10.99.1X6.111.93", V_ERR, "E112", "",
	  "caractère non numérique en position 9 du NIR" },
	{ "253072C07300470", V_ERR, "E112", "",
	  "département de naissance invalide en positions 6 et 7 du NIR : "
	  "attendu 2 chiffres, 2A ou 2B" },
	{ "25307AB07300470", V_ERR, "E112", "", NULL },
	{ "25307A207300470", V_ERR, "E112", "", NULL },
	{ "2530720A7300470", V_ERR, "E112", "",
	  "caractère non numérique en position 8 du NIR" },
	{ "295139912611193", V_ERR, "E113", "",
	  "mois de naissance impossible dans le NIR : 13 (attendu 01 à 12, "
	  "20, 30 à 42 ou 50 à 99)" },
	{ "295009912611193", V_ERR, "E113", "", NULL },
	{ "295199912611193", V_ERR, "E113", "", NULL },
	{ "295439912611193", V_ERR, "E113", "", NULL },
	{ "295109912611194", V_ERR, "E114", "",
	  "clé de contrôle invalide : attendue 93, reçue 94" },
	{ "253072B07300471", V_ERR, "E114", "",
	  "clé de contrôle invalide : attendue 70, reçue 71" },
	{ "253072A07300470", V_ERR, "E114", "",
	  "clé de contrôle invalide : attendue 43, reçue 70" },
	{ "295109912611293", V_ERR, "E114", "", NULL },
	/* what a spreadsheet makes of a NIR */
	{ "2,95109E+14", V_ERR, "E115", "",
	  "NIR transformé en nombre par un tableur : formatez la colonne en "
	  "texte et saisissez à nouveau les 15 caractères" },
	{ "2.95109E+14", V_ERR, "E115", "", NULL },
	{ "2,95109e+14", V_ERR, "E115", "", NULL },
	{ "2,95E14", V_ERR, "E115", "", NULL },
	{ "295109912611193.0", V_ERR, "E115", "", NULL },
	{ "295109912611193,00", V_ERR, "E115", "", NULL },
	{ "295109912611193.000", V_ERR, "E115", "", NULL },
};

static void test_nir(void **state)
{
	(void)state;
	run_norm("v_nir", v_nir, NIR_SIZE, nir_cases, NELEM(nir_cases));
}

/* No message repeats the NIR, or any 5 characters of it. */
static void test_nir_no_leak(void **state)
{
	char out[NIR_SIZE];
	struct vresult r;

	(void)state;
	for (size_t i = 0; i < NELEM(nir_cases); i++) {
		(void)v_nir(nir_cases[i].in, out, sizeof(out), &r);
		if (leaks(nir_cases[i].in, r.msg))
			fail_msg("v_nir(\"%s\") leaks: %s", nir_cases[i].in,
			    r.msg);
	}
}

static void test_nir_birth(void **state)
{
	static const struct {
		const char *nir, *birth;
		enum vstatus status;
		const char *code, *msg;
	} cases[] = {
		{ "295109912611193", "1995-10-03", V_OK, "", NULL },
		{ "295109912611193", "1995-10-31", V_OK, "", NULL },
		{ "295109912611193", "1996-10-03", V_WARN, "W111",
		  "année de naissance du NIR (95) différente de "
		  "date_naissance (1996) : vérifiez l'un ou l'autre" },
		{ "295109912611193", "1895-10-03", V_OK, "", NULL },
		{ "295109912611193", "1995-11-03", V_WARN, "W112",
		  "mois de naissance du NIR (10) différent de date_naissance "
		  "(11/1995) : vérifiez l'un ou l'autre" },
		{ "295109912611193", "1996-11-03", V_WARN, "W111", NULL },
		/* month 20, 30-42, 50-99: only the year is known */
		{ "185209912345653", "1985-07-14", V_OK, "", NULL },
		{ "295309912611125", "1995-01-01", V_OK, "", NULL },
		{ "185509912345648", "1986-07-14", V_WARN, "W111", NULL },
		{ "253072B07300470", "1953-07-01", V_OK, "", NULL },
		{ "253072B07300470", "1953-08-01", V_WARN, "W112", NULL },
		{ "", "1953-08-01", V_OK, "", NULL },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct scase c = { cases[i].nir, cases[i].status,
				   cases[i].code, NULL, cases[i].msg };
		struct vresult r;
		enum vstatus ret = v_nir_birth(cases[i].nir,
					       day_of(cases[i].birth), &r);

		check_case("v_nir_birth", &c, ret, &r);
	}
}

/* ---------------------------------------------------------------- dates */

static const char DATE_MSG[] =
	"format de date invalide : attendu AAAA-MM-JJ ou JJ/MM/AAAA";

static void test_date(void **state)
{
	static const struct {
		struct scase c;
		const char *want;	/* the date read, ISO */
	} cases[] = {
		{ { "2024-03-05", V_OK, "", NULL, NULL }, "2024-03-05" },
		{ { "05/03/2024", V_OK, "", NULL, NULL }, "2024-03-05" },
		{ { "5/3/2024", V_OK, "", NULL, NULL }, "2024-03-05" },
		{ { "29/02/2024", V_OK, "", NULL, NULL }, "2024-02-29" },
		{ { "1900-01-01", V_OK, "", NULL, NULL }, "1900-01-01" },
		{ { "31/12/2199", V_OK, "", NULL, NULL }, "2199-12-31" },
		{ { "31/02/2024", V_ERR, "E121", NULL,
		    "date inexistante : 31/02/2024" }, NULL },
		{ { "2023-02-29", V_ERR, "E121", NULL,
		    "date inexistante : 2023-02-29" }, NULL },
		{ { "2024-13-01", V_ERR, "E121", NULL, NULL }, NULL },
		{ { "0/1/2024", V_ERR, "E121", NULL, NULL }, NULL },
		{ { "31/4/2024", V_ERR, "E121", NULL, NULL }, NULL },
		{ { "03/10/95", V_ERR, "E122", NULL,
		    "année sur deux chiffres : 03/10/95 ; écrivez l'année en "
		    "entier (JJ/MM/AAAA)" }, NULL },
		{ { "3/10/95", V_ERR, "E122", NULL, NULL }, NULL },
		{ { "0202-01-01", V_ERR, "E123", NULL,
		    "année hors limites : 0202 (attendue entre 1900 et 2199)" },
		  NULL },
		{ { "01/01/2202", V_ERR, "E123", NULL, NULL }, NULL },
		{ { "31/12/1899", V_ERR, "E123", NULL, NULL }, NULL },
		{ { "45352", V_ERR, "E124", NULL,
		    "date transformée en nombre par un tableur (45352) : "
		    "formatez la colonne en date JJ/MM/AAAA" }, NULL },
		{ { "2024-03-05 00:00:00", V_ERR, "E120", NULL,
		    "date suivie d'une heure : attendu AAAA-MM-JJ ou "
		    "JJ/MM/AAAA, sans heure" }, NULL },
		{ { "05/03/2024 08:30", V_ERR, "E120", NULL, NULL }, NULL },
		{ { "2024-03-05T10:00", V_ERR, "E120", NULL, NULL }, NULL },
		{ { "", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "2024/03/05", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "5-3-2024", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "20240305", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "05.03.2024", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "5 mars 2024", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "2024-3-5", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "05/03/024", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "005/03/2024", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "05/03/20245", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "05/03/2024x", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { " 2024-03-05", V_ERR, "E120", NULL, DATE_MSG }, NULL },
		{ { "2024-03-05 ", V_ERR, "E120", NULL, DATE_MSG }, NULL },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct date d = { 0, 0, 0 };
		char buf[DATE_ISO_SIZE];
		struct vresult r;
		enum vstatus ret = v_date(cases[i].c.in, &d, &r);

		check_case("v_date", &cases[i].c, ret, &r);
		if (cases[i].want != NULL &&
		    strcmp(date_format(d, buf), cases[i].want) != 0)
			fail_msg("v_date(\"%s\") read %s, want %s",
			    cases[i].c.in, buf, cases[i].want);
	}
}

/* A table of dates checked against others: d1, d2 as the function needs. */
struct dcase {
	const char *d1, *d2;
	enum vstatus status;
	const char *code, *msg;
};

static void check_dcase(const char *fn, const struct dcase *c,
			enum vstatus ret, const struct vresult *r)
{
	char in[64];
	struct scase s = { in, c->status, c->code, NULL, c->msg };

	(void)snprintf(in, sizeof(in), "%s, %s", c->d1, c->d2);
	check_case(fn, &s, ret, r);
}

/* birth (d1) with hire (d2), today 2026-11-02 */
static void test_birth_date(void **state)
{
	static const struct dcase cases[] = {
		{ "1995-10-03", "2026-11-02", V_OK, "", NULL },
		{ "2012-11-02", "2026-11-02", V_OK, "", NULL },	/* 14 */
		{ "1946-11-02", "2026-11-02", V_OK, "", NULL },	/* 80 */
		{ "1945-11-03", "2026-11-02", V_OK, "", NULL },	/* 80 */
		{ "2027-01-01", "2027-06-01", V_ERR, "E125",
		  "date de naissance dans le futur : 01/01/2027" },
		{ "2026-11-03", "2026-11-02", V_ERR, "E125", NULL },
		{ "2012-11-03", "2026-11-02", V_ERR, "E126",
		  "salarié âgé de 13 ans à l'embauche : 14 ans minimum ; "
		  "vérifiez date_naissance et date_embauche" },
		{ "2025-10-01", "2026-11-02", V_ERR, "E126",
		  "salarié âgé de 1 an à l'embauche : 14 ans minimum ; "
		  "vérifiez date_naissance et date_embauche" },
		{ "2026-05-01", "2026-01-01", V_ERR, "E126",
		  "date de naissance postérieure à la date d'embauche : "
		  "vérifiez date_naissance et date_embauche" },
		{ "1945-11-02", "2026-11-02", V_ERR, "E127",
		  "salarié âgé de 81 ans à l'embauche : 80 ans maximum ; "
		  "vérifiez l'année de date_naissance" },
		{ "1926-11-02", "2026-11-02", V_ERR, "E127", NULL },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct vresult r;
		enum vstatus ret = v_birth_date(day_of(cases[i].d1),
		    day_of(cases[i].d2), day_of(TODAY), &r);

		check_dcase("v_birth_date", &cases[i], ret, &r);
	}
}

/* hire (d1) against today (d2) */
static void test_hire_date(void **state)
{
	static const struct dcase cases[] = {
		{ "2026-11-02", "2026-11-02", V_OK, "", NULL },
		{ "2026-08-04", "2026-11-02", V_OK, "", NULL },	/* -90 */
		{ "2026-08-03", "2026-11-02", V_WARN, "W120",
		  "date d'embauche passée de 91 jours (plus de 90) : "
		  "vérifiez-la, l'affiliation remonte à cette date" },
		{ "2020-01-01", "2026-11-02", V_WARN, "W120", NULL },
		{ "2027-11-02", "2026-11-02", V_OK, "", NULL },	/* +365 */
		{ "2027-11-03", "2026-11-02", V_ERR, "E128",
		  "date d'embauche dans 366 jours (plus de 365) : vérifiez "
		  "l'année" },
		{ "2126-11-02", "2026-11-02", V_ERR, "E128", NULL },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct vresult r;
		enum vstatus ret = v_hire_date(day_of(cases[i].d1),
		    day_of(cases[i].d2), &r);

		check_dcase("v_hire_date", &cases[i], ret, &r);
	}
}

/* signature (d1) against today (d2) */
static void test_mandate_date(void **state)
{
	static const struct dcase cases[] = {
		{ "2026-11-02", "2026-11-02", V_OK, "", NULL },
		{ "2020-01-01", "2026-11-02", V_OK, "", NULL },
		{ "2026-11-03", "2026-11-02", V_ERR, "E129",
		  "date de signature du mandat dans le futur : 03/11/2026" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct vresult r;
		enum vstatus ret = v_mandate_date(day_of(cases[i].d1),
		    day_of(cases[i].d2), &r);

		check_dcase("v_mandate_date", &cases[i], ret, &r);
	}
}

/* ---------------------------------------------------------------- email */

static void test_email(void **state)
{
	static const struct scase cases[] = {
		{ "anais.lefevre@example.fr", V_OK, "", NULL, NULL },
		{ "a+b@sub.example.co.uk", V_OK, "", NULL, NULL },
		{ "x_y-z@ex-ample.fr", V_OK, "", NULL, NULL },
		{ "o'brien@example.ie", V_OK, "", NULL, NULL },
		{ "A.B@EXAMPLE.FR", V_OK, "", NULL, NULL },
		{ "a@b.c1", V_OK, "", NULL, NULL },
		{ "!#$%&'*+-/=?^_`{|}~@x.fr", V_OK, "", NULL, NULL },
		{ "", V_ERR, "E130", NULL, "adresse e-mail vide" },
		{ "a@b.fr\r\nBcc: c@d.fr", V_ERR, "E132", NULL,
		  "retour à la ligne dans l'adresse e-mail" },
		{ "a@b.fr\n", V_ERR, "E132", NULL, NULL },
		{ "a@b.fr, c@d.fr", V_ERR, "E133", NULL,
		  "plusieurs adresses e-mail dans la cellule : une seule est "
		  "acceptée" },
		{ "a@b.fr;c@d.fr", V_ERR, "E133", NULL, NULL },
		{ "a@b.fr c@d.fr", V_ERR, "E133", NULL, NULL },
		{ "Jean Dupont <jean@x.fr>", V_ERR, "E132", NULL,
		  "espace dans l'adresse e-mail : écrivez seulement "
		  "l'adresse, sans nom ni espace" },
		{ "jean@x.fr ", V_ERR, "E132", NULL, NULL },
		{ "jean@x\t.fr", V_ERR, "E132", NULL,
		  "caractère de contrôle dans l'adresse e-mail" },
		{ "jean.x.fr", V_ERR, "E134", NULL,
		  "adresse e-mail sans « @ »" },
		{ "a@b@c.fr", V_ERR, "E134", NULL,
		  "adresse e-mail avec plusieurs « @ »" },
		{ "@x.fr", V_ERR, "E135", NULL,
		  "adresse e-mail sans rien avant « @ »" },
		{ ".a@x.fr", V_ERR, "E135", NULL,
		  "point en début, en fin ou doublé avant « @ » dans "
		  "l'adresse e-mail" },
		{ "a..b@x.fr", V_ERR, "E135", NULL, NULL },
		{ "a.@x.fr", V_ERR, "E135", NULL, NULL },
		{ "anaïs@x.fr", V_ERR, "E135", NULL,
		  "caractère accentué ou spécial non autorisé avant « @ » "
		  "dans l'adresse e-mail" },
		{ "a(b)@x.fr", V_ERR, "E135", NULL,
		  "caractère « ( » non autorisé avant « @ » dans l'adresse "
		  "e-mail" },
		{ "\"a b\"@x.fr", V_ERR, "E132", NULL, NULL },
		{ "a@", V_ERR, "E136", NULL,
		  "adresse e-mail sans domaine après « @ »" },
		{ "a@localhost", V_ERR, "E136", NULL,
		  "domaine de l'adresse e-mail sans point (attendu par "
		  "exemple societe.fr)" },
		{ "a@x..fr", V_ERR, "E136", NULL,
		  "domaine de l'adresse e-mail invalide : point en début, en "
		  "fin ou doublé" },
		{ "a@.x.fr", V_ERR, "E136", NULL, NULL },
		{ "a@x.fr.", V_ERR, "E136", NULL, NULL },
		{ "a@-x.fr", V_ERR, "E136", NULL,
		  "domaine de l'adresse e-mail invalide : une partie commence "
		  "ou finit par « - »" },
		{ "a@x-.fr", V_ERR, "E136", NULL, NULL },
		{ "a@x_y.fr", V_ERR, "E136", NULL,
		  "domaine de l'adresse e-mail invalide : caractère « _ » non "
		  "autorisé" },
		{ "a@[192.0.2.1]", V_ERR, "E136", NULL, NULL },
		{ "a@société.fr", V_ERR, "E136", NULL, NULL },
	};

	(void)state;
	run_plain("v_email", v_email, cases, NELEM(cases));
}

/* email_of - local part of l bytes, domain of labels 63 . 63 . d bytes */
static void email_of(char *buf, size_t l, size_t d)
{
	size_t n = 0;

	memset(buf, 'a', l);
	n = l;
	buf[n++] = '@';
	memset(buf + n, 'b', 63);
	n += 63;
	buf[n++] = '.';
	memset(buf + n, 'c', 63);
	n += 63;
	buf[n++] = '.';
	memset(buf + n, 'd', d);
	n += d;
	buf[n] = '\0';
}

static void test_email_limits(void **state)
{
	char buf[400];
	struct vresult r;

	(void)state;
	email_of(buf, 64, 61);		/* 254 bytes */
	assert_int_equal(strlen(buf), 254);
	assert_int_equal(v_email(buf, &r), V_OK);
	email_of(buf, 64, 62);		/* 255 bytes */
	assert_int_equal(v_email(buf, &r), V_ERR);
	assert_string_equal(r.code, "E131");
	assert_string_equal(r.msg, "adresse e-mail trop longue : 255 octets "
	    "(maximum 254)");
	email_of(buf, 65, 10);		/* local part of 65 */
	assert_int_equal(v_email(buf, &r), V_ERR);
	assert_string_equal(r.code, "E135");
	assert_string_equal(r.msg, "partie avant « @ » trop longue : 65 "
	    "octets (maximum 64)");
	memset(buf, 'x', 66);		/* domain label of 64 */
	memcpy(buf, "a@", 2);
	memcpy(buf + 66, ".fr", 4);
	assert_int_equal(v_email(buf, &r), V_ERR);
	assert_string_equal(r.code, "E136");
	assert_string_equal(r.msg, "domaine de l'adresse e-mail invalide : "
	    "partie de plus de 63 caractères");
	memcpy(buf + 65, ".fr", 4);	/* label of 63: accepted */
	assert_int_equal(v_email(buf, &r), V_OK);
}

/* ------------------------------------------------------------ categorie */

static void test_categorie(void **state)
{
	static const struct scase cases[] = {
		{ "CADRE", V_OK, "", "CADRE", NULL },
		{ "cadre", V_OK, "", "CADRE", NULL },
		{ "Non_Cadre", V_OK, "", "NON_CADRE", NULL },
		{ "AUTRE", V_OK, "", "AUTRE", NULL },
		{ "01", V_OK, "", "CADRE", NULL },
		{ "04", V_OK, "", "NON_CADRE", NULL },
		{ "98", V_OK, "", "AUTRE", NULL },
		{ "99", V_OK, "", "AUTRE", NULL },
		{ "1", V_WARN, "W140", "CADRE",
		  "catégorie « 1 » lue comme le code DSN 01 (CADRE) : le "
		  "tableur a supprimé le zéro initial" },
		{ "4", V_WARN, "W140", "NON_CADRE", NULL },
		{ "", V_ERR, "E140", "",
		  "catégorie vide : attendu CADRE, NON_CADRE, AUTRE ou code DSN "
		  "01, 04, 98, 99" },
		{ "NON CADRE", V_ERR, "E140", "",
		  "catégorie inconnue : « NON CADRE » (attendu CADRE, "
		  "NON_CADRE, AUTRE ou code DSN 01, 04, 98, 99)" },
		{ "02", V_ERR, "E140", "", NULL },
		{ "9", V_ERR, "E140", "", NULL },
		{ "CADRES", V_ERR, "E140", "", NULL },
		{ "CADR", V_ERR, "E140", "", NULL },
		/* quoted back, cut at 40 bytes and on one line */
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		  V_ERR, "E140", "",
		  "catégorie inconnue : « xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "… » (attendu CADRE, NON_CADRE, AUTRE ou code DSN 01, 04, 98, "
		  "99)" },
		{ "éééééééééééééééééééééééééééééééééééééé", V_ERR, "E140", "",
		  "catégorie inconnue : « éééééééééééééééééééé… » (attendu "
		  "CADRE, NON_CADRE, AUTRE ou code DSN 01, 04, 98, 99)" },
		{ "a\nb", V_ERR, "E140", "",
		  "catégorie inconnue : « a b » (attendu CADRE, NON_CADRE, "
		  "AUTRE ou code DSN 01, 04, 98, 99)" },
	};

	(void)state;
	run_norm("v_categorie", v_categorie, CATEGORIE_SIZE, cases,
	    NELEM(cases));
}

/* ----------------------------------------------------------------- IBAN */

#define E167_DIGIT(pos, tail) "caractère " pos " de l'IBAN (séparateurs " \
	"non comptés) : chiffre attendu pour ce pays, lettre reçue (IBAN se " \
	"terminant par " tail ")"
#define E167_LETTER(pos, tail) "caractère " pos " de l'IBAN (séparateurs " \
	"non comptés) : lettre attendue pour ce pays, chiffre reçu (IBAN se " \
	"terminant par " tail ")"

/*
 * Valid IBANs are the IBAN registry's own examples or generated (a BBAN of
 * the country's structure, then its check digits; for FR and MC the clé
 * RIB first): no real person's account.  Each structure violation keeps a
 * right mod 97, so it is the structure that refuses it.
 */
static const struct scase iban_cases[] = {
	{ "FR1420041010050500013M02606", V_OK, "",
	  "FR1420041010050500013M02606", NULL },
	{ "fr14 2004 1010 0505 0001 3m02 606", V_OK, "",
	  "FR1420041010050500013M02606", NULL },
	{ "FR7630006000011234567890189", V_OK, "", NULL, NULL },
	{ "FR6530004012340012345678A75", V_OK, "", NULL, NULL },
	{ "MC5811222000010123456789030", V_OK, "", NULL, NULL },
	{ "MC5312739000700081234567B84", V_OK, "", NULL, NULL },
	{ "DE89370400440532013000", V_OK, "", NULL, NULL },
	{ "DE41500105170123456789", V_OK, "", NULL, NULL },
	{ "BE68539007547034", V_OK, "", NULL, NULL },
	{ "BE97001234567890", V_OK, "", NULL, NULL },
	{ "GB29NWBK60161331926819", V_OK, "", NULL, NULL },
	{ "NL91ABNA0417164300", V_OK, "", NULL, NULL },
	{ "CH9300762011623852957", V_OK, "", NULL, NULL },
	{ "IT60X0542811101000000123456", V_OK, "", NULL, NULL },
	{ "ES9121000418450200051332", V_OK, "", NULL, NULL },
	{ "LU280019400644750000", V_OK, "", NULL, NULL },
	{ "AT611904300234573201", V_OK, "", NULL, NULL },
	{ "IE29AIBK93115212345678", V_OK, "", NULL, NULL },
	{ "PT50000201231234567890154", V_OK, "", NULL, NULL },
	{ "NO9386011117947", V_OK, "", NULL, NULL },
	{ "MT84MALT011000012345MTLCAST001S", V_OK, "", NULL, NULL },
	{ "PL61109010140000071219812874", V_OK, "", NULL, NULL },
	{ "SE1550000000058398252574", V_OK, "", NULL, NULL },
	{ "GR1601101250000000012300695", V_OK, "", NULL, NULL },
	{ "HR1210010051863000160", V_OK, "", NULL, NULL },
	{ "RO49AAAA1B31007593840000", V_OK, "", NULL, NULL },
	{ "LV80BANK0000435195001", V_OK, "", NULL, NULL },
	{ "BG80BNBG96611020345678", V_OK, "", NULL, NULL },
	{ "FI2112345600000785", V_OK, "", NULL, NULL },
	{ "CY17002001280000001200527600", V_OK, "", NULL, NULL },
	{ "SM86U0322509800000000270100", V_OK, "", NULL, NULL },
	/* separators: spaces, no-break spaces, dots, hyphens */
	{ "FR14-2004-1010-0505-0001-3M02-606", V_OK, "",
	  "FR1420041010050500013M02606", NULL },
	{ "FR14.2004.1010.0505.0001.3M02.606", V_OK, "",
	  "FR1420041010050500013M02606", NULL },
	{ "FR14\xC2\xA0" "2004\xE2\x80\xAF" "1010 0505-0001.3M02 606", V_OK, "",
	  "FR1420041010050500013M02606", NULL },
	{ "MT84-MALT-0110-0001-2345-MTLC-AST0-01S", V_OK, "",
	  "MT84MALT011000012345MTLCAST001S", NULL },
	{ "de89 3704.0044-0532 0130 00", V_OK, "", "DE89370400440532013000",
	  NULL },
	/* refused */
	{ "", V_ERR, "E160", "", "IBAN vide" },
	{ " - . ", V_ERR, "E160", "", "IBAN vide" },
	{ "FR14/2004/1010/0505/0001/3M02/606", V_ERR, "E160", "",
	  "caractère « / » non autorisé dans l'IBAN : lettres et chiffres "
	  "seulement (les espaces, points et tirets sont ignorés) (IBAN se "
	  "terminant par /606)" },
	{ "FR1420041010050500013M0260é", V_ERR, "E160", "", NULL },
	/* no tail that would cut a character in two */
	{ "FR1420041010050500013Mé000", V_ERR, "E160", "",
	  "caractère accentué ou spécial non autorisé dans l'IBAN : lettres "
	  "et chiffres seulement (les espaces, points et tirets sont "
	  "ignorés)" },
	{ "1420041010050500013M02606FR", V_ERR, "E160", "",
	  "l'IBAN doit commencer par le code pays (2 lettres) puis la clé "
	  "(2 chiffres) (IBAN se terminant par 06FR)" },
	{ "FRA420041010050500013M02606", V_ERR, "E160", "", NULL },
	/* not in the registry; in the registry but not in SEPA */
	{ "US64SVBKUS6S3300958879", V_ERR, "E161", "",
	  "pays de l'IBAN inconnu (IBAN se terminant par 8879) : les 2 "
	  "premières lettres ne sont le code d'aucun pays du registre IBAN" },
	{ "XK051212012345678906", V_ERR, "E161", "",
	  "pays de l'IBAN hors zone SEPA (IBAN se terminant par 8906) : le "
	  "prélèvement SEPA exige un compte de la zone SEPA" },
	{ "TR330006100519786457841326", V_ERR, "E161", "", NULL },
	/* lengths count the IBAN without its separators */
	{ "FR142004101005050001 3M0260", V_ERR, "E162", "",
	  "longueur d'IBAN invalide : 26 caractères hors espaces, points et "
	  "tirets, 27 attendus pour ce pays (IBAN se terminant par 0260)" },
	{ "FR14-2004-1010-0505-0001-3M02-60", V_ERR, "E162", "",
	  "longueur d'IBAN invalide : 26 caractères hors espaces, points et "
	  "tirets, 27 attendus pour ce pays (IBAN se terminant par 0260)" },
	{ "DE8937040044053201300", V_ERR, "E162", "", NULL },
	{ "FR1420041010050500013M026061234567890", V_ERR, "E162", "",
	  "IBAN trop long : 37 caractères hors espaces, points et tirets, "
	  "pour 34 au plus (IBAN se terminant par 7890)" },
	/* the BBAN structure of the registry, with a right mod 97 */
	{ "FR882004A1010050500013M0206", V_ERR, "E167", "",
	  E167_DIGIT("9", "0206") },
	{ "FR3020041010050500013M0260A", V_ERR, "E167", "",
	  E167_DIGIT("27", "260A") },
	{ "FR88 2004 A101 0050 5000 13M0 206", V_ERR, "E167", "",
	  E167_DIGIT("9", "0206") },
	{ "MC311122B000010123456789030", V_ERR, "E167", "",
	  E167_DIGIT("9", "9030") },
	{ "DE1537040044053201300O", V_ERR, "E167", "",
	  E167_DIGIT("22", "300O") },
	{ "BE405390075A7034", V_ERR, "E167", "", E167_DIGIT("12", "7034") },
	{ "ES18210004184502000513I2", V_ERR, "E167", "",
	  E167_DIGIT("23", "13I2") },
	{ "PT59000201231234567890I54", V_ERR, "E167", "",
	  E167_DIGIT("23", "0I54") },
	{ "CH720076A011623852957", V_ERR, "E167", "",
	  E167_DIGIT("9", "2957") },
	{ "LU220O19400644750000", V_ERR, "E167", "", E167_DIGIT("6", "0000") },
	{ "GB42NWB160161331926819", V_ERR, "E167", "",
	  E167_LETTER("8", "6819") },
	{ "GB97NWBK6O161331926819", V_ERR, "E167", "",
	  E167_DIGIT("10", "6819") },
	{ "NL52ABN40417164300", V_ERR, "E167", "", E167_LETTER("8", "4300") },
	{ "IT4960542811101000000123456", V_ERR, "E167", "",
	  E167_LETTER("5", "3456") },
	{ "MT79MAL7011000012345MTLCAST001S", V_ERR, "E167", "",
	  E167_LETTER("8", "001S") },
	{ "MT97MALT0110O0012345MTLCAST001S", V_ERR, "E167", "",
	  E167_DIGIT("13", "001S") },
	/* what used to be E164 for a letter in the bank code */
	{ "FR462004A010050500013M02606", V_ERR, "E167", "",
	  E167_DIGIT("9", "2606") },
	{ "FR1520041010050500013M02606", V_ERR, "E163", "",
	  "clé de contrôle de l'IBAN invalide (IBAN se terminant par 2606) "
	  ": vérifiez chaque caractère" },
	{ "FR1420041010050500013M02660", V_ERR, "E163", "", NULL },
	{ "DE89370400440532013001", V_ERR, "E163", "", NULL },
	/* IBAN key right, RIB key wrong */
	{ "FR8420041010050500013M02607", V_ERR, "E164", "",
	  "clé RIB invalide : attendue 06, reçue 07 (IBAN se terminant par "
	  "2607)" },
	{ "MC3111222000010123456789031", V_ERR, "E164", "", NULL },
};

static void test_iban(void **state)
{
	(void)state;
	run_norm("v_iban", v_iban, IBAN_SIZE, iban_cases, NELEM(iban_cases));
}

/* rules.md: an IBAN shows at most its last 4 characters. */
static void test_iban_no_leak(void **state)
{
	char out[IBAN_SIZE];
	struct vresult r;

	(void)state;
	for (size_t i = 0; i < NELEM(iban_cases); i++) {
		(void)v_iban(iban_cases[i].in, out, sizeof(out), &r);
		if (leaks(iban_cases[i].in, r.msg))
			fail_msg("v_iban(\"%s\") leaks: %s", iban_cases[i].in,
			    r.msg);
	}
}

/* ------------------------------------------------------------ BIC, RUM */

static void test_bic(void **state)
{
	static const struct scase cases[] = {
		{ "BNPAFRPP", V_OK, "", "BNPAFRPP", NULL },
		{ "bnpa fr pp xxx", V_OK, "", "BNPAFRPPXXX", NULL },
		{ "DEUTDEFF500", V_OK, "", "DEUTDEFF500", NULL },
		{ "AGRIFRPP882", V_OK, "", "AGRIFRPP882", NULL },
		{ "", V_ERR, "E165", "", "BIC vide" },
		{ "BNPAFRP", V_ERR, "E165", "",
		  "BIC de 7 caractères : 8 ou 11 attendus" },
		{ "BNPAFRPPXX", V_ERR, "E165", "", NULL },
		{ "BNPAFRPPXXXX", V_ERR, "E165", "", NULL },
		{ "BNP1FRPP", V_ERR, "E165", "",
		  "BIC invalide : les 4 premiers caractères (banque) doivent "
		  "être des lettres" },
		{ "BNPAF1PP", V_ERR, "E165", "",
		  "BIC invalide : les 5e et 6e caractères (pays) doivent être "
		  "des lettres" },
		{ "BNPAFRP_", V_ERR, "E165", "",
		  "BIC invalide : lettres et chiffres seulement après le pays" },
		{ "BNPAFRPPXX-", V_ERR, "E165", "", NULL },
	};

	(void)state;
	run_norm("v_bic", v_bic, BIC_SIZE, cases, NELEM(cases));
}

static void test_rum(void **state)
{
	static const char RUM_SET[] =
		" (lettres sans accent, chiffres et / - ? : ( ) . , ' +)";
	static const struct scase cases[] = {
		{ "AFF-12345678-000001", V_OK, "", NULL, NULL },
		{ "ABC/12/x?:().,'+", V_OK, "", NULL, NULL },
		{ "12345678901234567890123456789012345", V_OK, "", NULL, NULL },
		{ "", V_ERR, "E166", NULL, "RUM vide" },
		{ "123456789012345678901234567890123456", V_ERR, "E166", NULL,
		  "RUM trop longue : 36 caractères (maximum 35)" },
		{ "AB CD", V_ERR, "E166", NULL,
		  "espace non autorisé dans la RUM" },
		{ "ABé", V_ERR, "E166", NULL, NULL },
		{ "AB_CD", V_ERR, "E166", NULL, NULL },
		{ "/AB", V_ERR, "E166", NULL,
		  "la RUM ne doit ni commencer ni finir par « / »" },
		{ "AB/", V_ERR, "E166", NULL, NULL },
		{ "A//B", V_ERR, "E166", NULL,
		  "la RUM ne doit pas contenir « // »" },
	};
	char want[256];
	struct vresult r;

	(void)state;
	run_plain("v_rum", v_rum, cases, NELEM(cases));
	(void)snprintf(want, sizeof(want), "%s%s",
	    "caractère « _ » non autorisé dans la RUM", RUM_SET);
	(void)v_rum("AB_CD", &r);
	assert_string_equal(r.msg, want);
	(void)snprintf(want, sizeof(want), "%s%s",
	    "caractère accentué ou spécial non autorisé dans la RUM", RUM_SET);
	(void)v_rum("ABé", &r);
	assert_string_equal(r.msg, want);
}

/* ----------------------------------------------------------------- text */

/* An address keeps its lines, trimmed, blank ones dropped, at most four. */
static void test_address(void **state)
{
	char out[512];
	struct vresult r;

	(void)state;
	assert_int_equal(v_address("Bât. C\r\n14 avenue Jean Jaurès", out,
				   sizeof(out), &r), V_OK);
	assert_string_equal(out, "Bât. C\n14 avenue Jean Jaurès");
	assert_int_equal(v_address("  1 rue A \r\r\n\n  \nBP 12  ", out,
				   sizeof(out), &r), V_OK);
	assert_string_equal(out, "1 rue A\nBP 12");
	assert_int_equal(v_address("a\nb\nc\nd", out, sizeof(out), &r), V_OK);
	assert_int_equal(v_address("a\nb\nc\nd\ne", out, sizeof(out), &r),
			 V_ERR);
	assert_string_equal(r.code, "E173");
	assert_int_equal(v_address(" \r\n ", out, sizeof(out), &r), V_ERR);
	assert_string_equal(r.code, "E170");
	assert_int_equal(v_address("1 rue\tA\nB", out, sizeof(out), &r),
			 V_ERR);
	assert_string_equal(r.code, "E171");
	{
		char in[128];	/* a second line of 101 bytes */

		memcpy(in, "A\n", 2);
		memset(in + 2, 'x', 101);
		in[103] = '\0';
		assert_int_equal(v_address(in, out, sizeof(out), &r), V_ERR);
		assert_string_equal(r.code, "E172");
	}
}

/* A line break in a one-line field is folded to a space, with W171. */
static void test_one_line(void **state)
{
	char out[128];
	struct vresult r;

	(void)state;
	assert_int_equal(v_one_line("Le\r\nBlanc", 100, out, sizeof(out), &r),
			 V_WARN);
	assert_string_equal(out, "Le Blanc");
	assert_string_equal(r.code, "W171");
	assert_int_equal(v_one_line("Le\nBlanc", 100, out, sizeof(out), &r),
			 V_WARN);
	assert_string_equal(out, "Le Blanc");
	assert_int_equal(v_one_line("Martin", 100, out, sizeof(out), &r), V_OK);
	assert_string_equal(out, "Martin");
	assert_int_equal(v_one_line("a\tb", 100, out, sizeof(out), &r), V_ERR);
	assert_string_equal(r.code, "E171");
}

static void test_text(void **state)
{
	static const struct {
		struct scase c;
		size_t maxlen;
	} cases[] = {
		{ { "Lefèvre", V_OK, "", NULL, NULL }, 70 },
		{ { "Jean-Noël d'Arc", V_OK, "", NULL, NULL }, 70 },
		{ { "éééé", V_OK, "", NULL, NULL }, 8 },
		{ { "éééé", V_ERR, "E172", NULL,
		    "texte trop long : 8 octets pour 7 au plus (une lettre "
		    "accentuée compte pour 2)" }, 7 },
		{ { "a\tb", V_ERR, "E171", NULL,
		    "tabulation dans le champ : supprimez-la" }, 70 },
		{ { "a\nb", V_ERR, "E171", NULL,
		    "retour à la ligne dans le champ : écrivez la valeur sur "
		    "une seule ligne" }, 70 },
		{ { "a\r", V_ERR, "E171", NULL, NULL }, 70 },
		{ { "a\x1b[31m", V_ERR, "E171", NULL,
		    "caractère de contrôle dans le champ : supprimez-le" }, 70 },
		{ { "a\x7f", V_ERR, "E171", NULL, NULL }, 70 },
		{ { "a\xC2\x85" "b", V_ERR, "E171", NULL, NULL }, 70 },
		{ { "", V_ERR, "E170", NULL,
		    "champ vide ou composé uniquement d'espaces" }, 70 },
		{ { "   ", V_ERR, "E170", NULL, NULL }, 70 },
		{ { "\xC2\xA0", V_ERR, "E170", NULL, NULL }, 70 },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct vresult r;
		enum vstatus ret = v_text(cases[i].c.in, cases[i].maxlen, &r);

		check_case("v_text", &cases[i].c, ret, &r);
	}
}

/* ---------------------------------------------------------- ayant droit */

static void test_lien(void **state)
{
	static const struct scase cases[] = {
		{ "CONJOINT", V_OK, "", "CONJOINT", NULL },
		{ "pacs", V_OK, "", "PACS", NULL },
		{ "Concubin", V_OK, "", "CONCUBIN", NULL },
		{ "enfant", V_OK, "", "ENFANT", NULL },
		{ "", V_ERR, "E175", "",
		  "lien vide : attendu CONJOINT, PACS, CONCUBIN ou ENFANT" },
		{ "FILS", V_ERR, "E175", "",
		  "lien inconnu : « FILS » (attendu CONJOINT, PACS, CONCUBIN ou "
		  "ENFANT)" },
		{ "ENFANTS", V_ERR, "E175", "", NULL },
	};

	(void)state;
	run_norm("v_lien", v_lien, LIEN_SIZE, cases, NELEM(cases));
}

static void test_situation(void **state)
{
	static const struct scase cases[] = {
		{ "", V_OK, "", "", NULL },
		{ "etudiant", V_OK, "", "ETUDIANT", NULL },
		{ "APPRENTI", V_OK, "", "APPRENTI", NULL },
		{ "Demandeur_Emploi", V_OK, "", "DEMANDEUR_EMPLOI", NULL },
		{ "HANDICAPE", V_OK, "", "HANDICAPE", NULL },
		{ "CHOMEUR", V_ERR, "E176", "",
		  "situation inconnue : « CHOMEUR » (attendu ETUDIANT, "
		  "APPRENTI, DEMANDEUR_EMPLOI, HANDICAPE ou vide)" },
		{ "DEMANDEUR EMPLOI", V_ERR, "E176", "", NULL },
	};

	(void)state;
	run_norm("v_situation", v_situation, SITUATION_SIZE, cases,
	    NELEM(cases));
}

static void test_child_age(void **state)
{
	static const struct {
		const char *birth, *situation;
		int limit;
		enum vstatus status;
		const char *code, *msg;
	} cases[] = {
		{ "2020-04-12", "", 21, V_OK, "", NULL },
		{ "2005-11-02", "", 21, V_OK, "", NULL },	/* 21 */
		{ "2004-11-03", NULL, 21, V_OK, "", NULL },	/* 21 */
		{ "2004-11-02", "", 21, V_ERR, "E177",		/* 22 */
		  "enfant âgé de 22 ans : au-delà de la limite de 21 ans du "
		  "contrat (26 ans pour ETUDIANT, APPRENTI, DEMANDEUR_EMPLOI, "
		  "sans limite pour HANDICAPE : indiquez la situation)" },
		{ "2004-11-02", "", 0, V_ERR, "E177", NULL },	/* default */
		{ "2004-11-02", "ETUDIANT", 21, V_OK, "", NULL },
		{ "2004-11-02", "APPRENTI", 21, V_OK, "", NULL },
		{ "2004-11-02", "DEMANDEUR_EMPLOI", 21, V_OK, "", NULL },
		{ "2000-11-02", "ETUDIANT", 21, V_OK, "", NULL },	/* 26 */
		{ "1999-11-02", "ETUDIANT", 21, V_ERR, "E177",	/* 27 */
		  "enfant âgé de 27 ans : au-delà de la limite de 26 ans du "
		  "contrat, même en situation ETUDIANT" },
		{ "1970-01-01", "HANDICAPE", 21, V_OK, "", NULL },
		{ "2007-11-01", "", 18, V_ERR, "E177", NULL },	/* 19 */
		{ "1999-11-02", "ETUDIANT", 28, V_OK, "", NULL },
		{ "1997-11-02", "ETUDIANT", 28, V_ERR, "E177", NULL },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(cases); i++) {
		struct scase c = { cases[i].birth, cases[i].status,
				   cases[i].code, NULL, cases[i].msg };
		struct vresult r;
		enum vstatus ret = v_child_age(day_of(cases[i].birth),
		    day_of(TODAY), cases[i].situation, cases[i].limit, &r);

		check_case("v_child_age", &c, ret, &r);
	}
}

/* ---------------------------------------------------- motif de rupture */

static enum vstatus motif(const char *in, char *out, size_t outlen,
			  struct vresult *r)
{
	assert_true(outlen >= MOTIF_SIZE);
	return v_motif_rupture(in, out, r);
}

static void test_motif_rupture(void **state)
{
	static const struct scase cases[] = {
		{ "043", V_OK, "", "043", NULL },
		{ "999", V_OK, "", "999", NULL },
		{ "011", V_OK, "", "011", NULL },
		{ "43", V_WARN, "W180", "043",
		  "motif de rupture « 43 » lu comme 043 : le tableur a "
		  "supprimé le zéro initial" },
		{ "98", V_WARN, "W180", "098", NULL },
		{ "8", V_WARN, "W180", "008",
		  "motif de rupture « 8 » lu comme 008 : le tableur a "
		  "supprimé les zéros initiaux" },
		{ "998", V_ERR, "E181", NULL,
		  "motif 998 (transfert du contrat sans rupture) : ce n'est pas "
		  "une radiation, le salarié reste couvert ; ne l'envoyez pas "
		  "en RADIATION" },
		{ "", V_ERR, "E180", "",
		  "motif de rupture vide : attendu un code DSN à 3 chiffres "
		  "(par exemple 043)" },
		{ "4a", V_ERR, "E180", "",
		  "motif de rupture invalide : « 4a » (attendu un code DSN à 3 "
		  "chiffres, par exemple 043)" },
		{ "0043", V_ERR, "E180", "", NULL },
		{ "43.0", V_ERR, "E180", "", NULL },
		{ " 43", V_ERR, "E180", "", NULL },
		{ "-43", V_ERR, "E180", "", NULL },
	};

	(void)state;
	run_norm("v_motif_rupture", motif, MOTIF_SIZE, cases, NELEM(cases));
}

/* ------------------------------------------------------------- vresult */

/* A message longer than msg is cut between two characters, not inside. */
static void test_vresult_utf8_cut(void **state)
{
	char big[600];
	struct vresult r;
	size_t len;

	(void)state;
	for (size_t i = 0; i < 299; i++)
		memcpy(big + 2 * i, "é", 2);
	big[598] = '\0';
	assert_int_equal(vresult_set(&r, V_ERR, "E170", "x%s", big), V_ERR);
	len = strlen(r.msg);
	assert_int_equal(len, 255);	/* "x" + 127 "é" */
	assert_int_equal((unsigned char)r.msg[len - 1], 0xA9);
	assert_int_equal(vresult_set(&r, V_ERR, "E170", "%s", big), V_ERR);
	assert_int_equal(strlen(r.msg), 254);	/* 127 "é" */
	assert_int_equal(vresult_ok(&r), V_OK);
	assert_string_equal(r.code, "");
	assert_string_equal(r.msg, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nir),
		cmocka_unit_test(test_nir_no_leak),
		cmocka_unit_test(test_nir_birth),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_birth_date),
		cmocka_unit_test(test_hire_date),
		cmocka_unit_test(test_mandate_date),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_email_limits),
		cmocka_unit_test(test_categorie),
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_iban_no_leak),
		cmocka_unit_test(test_bic),
		cmocka_unit_test(test_rum),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_one_line),
		cmocka_unit_test(test_lien),
		cmocka_unit_test(test_situation),
		cmocka_unit_test(test_child_age),
		cmocka_unit_test(test_motif_rupture),
		cmocka_unit_test(test_vresult_utf8_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
