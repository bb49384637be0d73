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
#include "validate_cases.h"

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
		cmocka_unit_test(test_iban),
		cmocka_unit_test(test_iban_no_leak),
		cmocka_unit_test(test_bic),
		cmocka_unit_test(test_rum),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
