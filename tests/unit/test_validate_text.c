/*
 * test_validate_text - the field rules of rules.md for email, categorie,
 * text and addresses, beneficiaries, the departure reason, and the result
 * type (validate_cases.h: each result through check_common()).  NIR, dates,
 * IBAN, BIC and RUM: test_validate.c.
 */
#include "validate_cases.h"

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
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_email_limits),
		cmocka_unit_test(test_categorie),
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
