/*
 * validate_codes - the closed lists of a file: categorie, lien, situation,
 * motif de rupture (DSN S21.G00.62.002; whether the code is in the
 * configured table is the caller's check), and a child's age limit.
 */
#include <assert.h>
#include <string.h>

#include "common/util.h"
#include "parsers/validate_priv.h"

static const struct name_map categories[] = {
	{ "CADRE", "CADRE", V_OK },
	{ "NON_CADRE", "NON_CADRE", V_OK },
	{ "AUTRE", "AUTRE", V_OK },
	{ "01", "CADRE", V_OK },
	{ "04", "NON_CADRE", V_OK },
	{ "98", "AUTRE", V_OK },
	{ "99", "AUTRE", V_OK },
	{ "1", "CADRE", V_WARN },	/* Excel dropped the leading zero */
	{ "4", "NON_CADRE", V_WARN },
};

/* v_categorie - name or DSN code of the employee's category */
enum vstatus v_categorie(const char *in, char *out, size_t outlen,
			 struct vresult *r)
{
	const struct name_map *c = validate_lookup(categories, NELEM(categories), in);
	char e[ECHO_SIZE];

	assert(outlen >= CATEGORIE_SIZE);
	out[0] = '\0';
	if (*in == '\0')
		return vresult_set(r, V_ERR, "E140",
		    "catégorie vide : attendu CADRE, NON_CADRE, AUTRE ou code "
		    "DSN 01, 04, 98, 99");
	if (c == NULL)
		return vresult_set(r, V_ERR, "E140",
		    "catégorie inconnue : « %s » (attendu CADRE, NON_CADRE, "
		    "AUTRE ou code DSN 01, 04, 98, 99)", validate_echo(in, e));
	(void)strlcpy_ok(out, c->name, outlen);
	if (c->status == V_WARN)
		return vresult_set(r, V_WARN, "W140",
		    "catégorie « %s » lue comme le code DSN 0%s (%s) : le "
		    "tableur a supprimé le zéro initial", c->in, c->in, c->name);
	return vresult_ok(r);
}

static const struct name_map liens[] = {
	{ "CONJOINT", "CONJOINT", V_OK },
	{ "PACS", "PACS", V_OK },
	{ "CONCUBIN", "CONCUBIN", V_OK },
	{ "ENFANT", "ENFANT", V_OK },
};

static const struct name_map situations[] = {
	{ "ETUDIANT", "ETUDIANT", V_OK },
	{ "APPRENTI", "APPRENTI", V_OK },
	{ "DEMANDEUR_EMPLOI", "DEMANDEUR_EMPLOI", V_OK },
	{ "HANDICAPE", "HANDICAPE", V_OK },
};

/* v_lien - the beneficiary's link to the employee */
enum vstatus v_lien(const char *in, char *out, size_t outlen,
		    struct vresult *r)
{
	const struct name_map *l = validate_lookup(liens, NELEM(liens), in);
	char e[ECHO_SIZE];

	assert(outlen >= LIEN_SIZE);
	out[0] = '\0';
	if (*in == '\0')
		return vresult_set(r, V_ERR, "E175",
		    "lien vide : attendu CONJOINT, PACS, CONCUBIN ou ENFANT");
	if (l == NULL)
		return vresult_set(r, V_ERR, "E175",
		    "lien inconnu : « %s » (attendu CONJOINT, PACS, CONCUBIN "
		    "ou ENFANT)", validate_echo(in, e));
	(void)strlcpy_ok(out, l->name, outlen);
	return vresult_ok(r);
}

/* v_situation - what extends a child's cover; empty is none */
enum vstatus v_situation(const char *in, char *out, size_t outlen,
			 struct vresult *r)
{
	const struct name_map *s;
	char e[ECHO_SIZE];

	assert(outlen >= SITUATION_SIZE);
	out[0] = '\0';
	if (*in == '\0')
		return vresult_ok(r);
	if ((s = validate_lookup(situations, NELEM(situations), in)) == NULL)
		return vresult_set(r, V_ERR, "E176",
		    "situation inconnue : « %s » (attendu ETUDIANT, APPRENTI, "
		    "DEMANDEUR_EMPLOI, HANDICAPE ou vide)", validate_echo(in, e));
	(void)strlcpy_ok(out, s->name, outlen);
	return vresult_ok(r);
}

/* v_child_age - a child past the contract's age limit is not covered */
enum vstatus v_child_age(struct date birth, struct date at,
			 const char *situation, int age_limit,
			 struct vresult *r)
{
	const char *sit = situation ? situation : "";
	int studies = validate_casecmp(sit, "ETUDIANT") == 0 ||
		      validate_casecmp(sit, "APPRENTI") == 0 ||
		      validate_casecmp(sit, "DEMANDEUR_EMPLOI") == 0;
	int limit = age_limit > 0 ? age_limit : CHILD_AGE_LIMIT;
	int age = date_age(birth, at);

	if (validate_casecmp(sit, "HANDICAPE") == 0)
		return vresult_ok(r);
	if (studies && limit < CHILD_AGE_LIMIT_STUDIES)
		limit = CHILD_AGE_LIMIT_STUDIES;
	if (age <= limit)
		return vresult_ok(r);
	if (studies)
		return vresult_set(r, V_ERR, "E177",
		    "enfant âgé de %d ans : au-delà de la limite de %d ans du "
		    "contrat, même en situation %s", age, limit, sit);
	return vresult_set(r, V_ERR, "E177",
	    "enfant âgé de %d ans : au-delà de la limite de %d ans du contrat "
	    "(%d ans pour ETUDIANT, APPRENTI, DEMANDEUR_EMPLOI, sans limite "
	    "pour HANDICAPE : indiquez la situation)", age, limit,
	    limit > CHILD_AGE_LIMIT_STUDIES ? limit : CHILD_AGE_LIMIT_STUDIES);
}

/* v_motif_rupture - DSN S21.G00.62.002 code, zeros restored */
enum vstatus v_motif_rupture(const char *in, char *out3, struct vresult *r)
{
	size_t n = strlen(in);
	char e[ECHO_SIZE];

	out3[0] = '\0';
	if (n == 0)
		return vresult_set(r, V_ERR, "E180",
		    "motif de rupture vide : attendu un code DSN à 3 chiffres "
		    "(par exemple 043)");
	if (n > 3 || validate_digits(in, n) < 0)
		return vresult_set(r, V_ERR, "E180",
		    "motif de rupture invalide : « %s » (attendu un code DSN à "
		    "3 chiffres, par exemple 043)", validate_echo(in, e));
	memset(out3, '0', 3 - n);
	memcpy(out3 + 3 - n, in, n + 1);
	if (strcmp(out3, "998") == 0)
		return vresult_set(r, V_ERR, "E181",
		    "motif 998 (transfert du contrat sans rupture) : ce n'est "
		    "pas une radiation, le salarié reste couvert ; ne "
		    "l'envoyez pas en RADIATION");
	if (n < 3)
		return vresult_set(r, V_WARN, "W180",
		    "motif de rupture « %s » lu comme %s : le tableur a "
		    "supprimé le%s zéro%s initia%s", in, out3,
		    n == 1 ? "s" : "", n == 1 ? "s" : "", n == 1 ? "ux" : "l");
	return vresult_ok(r);
}
