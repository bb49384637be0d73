/*
 * validate - the field rules of rules.md, one small pure function per field.
 *
 * A parser hands each cell (a C string, already UTF-8) to its validator and
 * copies the result into the report.  Validators know nothing of files,
 * movements or the database: whether a field is required, whether an option
 * exists, whether a departure reason is in the configured table are checked
 * by the caller.  They take today's date as an argument, never read a clock.
 *
 * Every validator fills a struct vresult and returns its status:
 *   V_OK    the value is good; code and msg are "".
 *   V_WARN  the value is accepted, the report shows a warning (W...).
 *   V_ERR   the value is refused, the movement is rejected (E...).
 * msg is French, specific and actionable, ready for the report's message
 * column.  It never repeats a NIR and shows at most the last 4 characters of
 * an IBAN; values echoed back are cut at VALIDATE_ECHO_MAX bytes.
 *
 * Validators with an out buffer write the normalized value there (NIR and
 * IBAN without spaces, no-break spaces, dots or hyphens, in upper case;
 * categorie as its name...).  It is
 * meaningful only when the status is not V_ERR.  Use the *_SIZE constants.
 *
 * Codes (stable: they are part of the report contract, see formats.md):
 *
 *   NIR                 E110  NIR vide
 *                       E111  longueur autre que 15 caractères (hors
 *                             espaces, points et tirets)
 *                       E112  caractère ou département invalide (position)
 *                       E113  mois de naissance impossible
 *                       E114  clé de contrôle fausse
 *                       E115  NIR transformé en nombre par un tableur
 *                       W110  NIR provisoire (1er chiffre 3, 4, 7 ou 8)
 *                       W111  année de naissance du NIR ≠ date_naissance
 *                       W112  mois de naissance du NIR ≠ date_naissance
 *   dates               E120  format de date invalide
 *                       E121  date inexistante (31/02/2024)
 *                       E122  année sur deux chiffres
 *                       E123  année hors de 1900..2199
 *                       E124  date transformée en nombre par un tableur
 *                       E125  date de naissance dans le futur
 *                       E126  salarié de moins de 14 ans à l'embauche
 *                       E127  salarié de plus de 80 ans à l'embauche
 *                       E128  date d'embauche à plus de 365 jours
 *                       E129  date de signature du mandat dans le futur
 *                       W120  date d'embauche passée de plus de 90 jours
 *   email               E130  adresse vide
 *                       E131  plus de 254 octets
 *                       E132  espace, retour à la ligne ou caractère de contrôle
 *                       E133  plusieurs adresses
 *                       E134  pas exactement un « @ »
 *                       E135  partie locale invalide
 *                       E136  domaine invalide
 *   categorie           E140  catégorie inconnue
 *                       W140  code DSN sans son zéro initial (1, 4)
 *   IBAN                E160  caractère invalide ou IBAN vide
 *                       E161  pays inconnu ou hors zone SEPA
 *                       E162  longueur fausse pour le pays
 *                       E163  clé IBAN (ISO 13616, mod 97) fausse
 *                       E164  clé RIB fausse (FR, MC)
 *                       E167  structure du BBAN contraire au registre IBAN
 *   BIC                 E165  BIC invalide (longueur ou forme ISO 9362)
 *   RUM                 E166  RUM invalide
 *   texte               E170  champ vide ou fait d'espaces
 *                       E171  caractère de contrôle (tabulation, retour...)
 *                       E172  texte trop long
 *   ayant droit         E175  lien inconnu
 *                       E176  situation inconnue
 *                       E177  enfant au-delà de la limite d'âge
 *   motif de rupture    E180  pas un code à 3 chiffres
 *                       E181  998 : transfert sans rupture, pas une radiation
 *                       W180  zéros initiaux perdus (43 lu 043)
 */
#ifndef AFFILD_VALIDATE_H
#define AFFILD_VALIDATE_H

#include <stddef.h>

#include "common/date.h"

enum vstatus { V_OK = 0, V_WARN = 1, V_ERR = 2 };

struct vresult {
	enum vstatus status;
	const char *code;	/* static string, "" when V_OK */
	char msg[256];
};

#define VALIDATE_ECHO_MAX 40	/* bytes of a bad value quoted in msg */

#define NIR_SIZE 16		/* 15 + NUL */
#define IBAN_SIZE 35		/* 34 + NUL */
#define BIC_SIZE 12		/* 11 + NUL */
#define RUM_MAX 35
#define EMAIL_MAX 254
#define CATEGORIE_SIZE 10	/* "NON_CADRE" + NUL */
#define LIEN_SIZE 9		/* "CONJOINT", "CONCUBIN" + NUL */
#define SITUATION_SIZE 17	/* "DEMANDEUR_EMPLOI" + NUL */
#define MOTIF_SIZE 4		/* "043" + NUL */

#define CHILD_AGE_LIMIT 21	/* default limit of a contract */
#define CHILD_AGE_LIMIT_STUDIES 26	/* ETUDIANT, APPRENTI, DEMANDEUR_EMPLOI */

/* vresult_set - fill r (printf-style message); returns status */
enum vstatus vresult_set(struct vresult *r, enum vstatus status,
			 const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* vresult_ok - r says V_OK; returns V_OK */
enum vstatus vresult_ok(struct vresult *r);

/* NIR: separators removed, 2a/2b upper-cased; out needs NIR_SIZE */
enum vstatus v_nir(const char *in, char *out, size_t outlen,
		   struct vresult *r);
/* v_nir_birth - a valid NIR's birth year and month against birth */
enum vstatus v_nir_birth(const char *nir_norm, struct date birth,
			 struct vresult *r);

/* v_date - AAAA-MM-JJ, JJ/MM/AAAA or J/M/AAAA into *out */
enum vstatus v_date(const char *in, struct date *out, struct vresult *r);
/* v_birth_date - not in the future; the employee is 14 to 80 at hire */
enum vstatus v_birth_date(struct date birth, struct date hire,
			  struct date today, struct vresult *r);
/* v_hire_date - at most 365 days ahead; over 90 days back warns */
enum vstatus v_hire_date(struct date hire, struct date today,
			 struct vresult *r);
/* v_mandate_date - a SEPA mandate cannot be signed in the future */
enum vstatus v_mandate_date(struct date signed_on, struct date today,
			    struct vresult *r);

/* v_email - one RFC 5322 addr-spec, at most EMAIL_MAX bytes */
enum vstatus v_email(const char *in, struct vresult *r);

/* v_categorie - CADRE, NON_CADRE, AUTRE or DSN 01/04/98/99; out the name */
enum vstatus v_categorie(const char *in, char *out, size_t outlen,
			 struct vresult *r);

/* v_iban - SEPA IBAN: separators removed, registry structure, mod 97, RIB
 * key for FR/MC; out needs IBAN_SIZE */
enum vstatus v_iban(const char *in, char *out, size_t outlen,
		    struct vresult *r);
/* v_bic - ISO 9362, 8 or 11 characters; out needs BIC_SIZE */
enum vstatus v_bic(const char *in, char *out, size_t outlen,
		   struct vresult *r);
/* v_rum - SEPA mandate reference (référence unique de mandat) */
enum vstatus v_rum(const char *in, struct vresult *r);

/* v_text - names, addresses: not blank, no control character, <= maxlen */
enum vstatus v_text(const char *in, size_t maxlen, struct vresult *r);

/*
 * v_address - the adresse field: a line break (CR LF, CR or LF: Excel's
 * Alt+Enter in a quoted cell) separates address lines.  Each line is
 * trimmed and blank ones dropped; at most ADDRESS_LINES lines (NF Z10-011:
 * the letter's window holds the name, these lines, then postcode and city),
 * each a v_text of at most ADDRESS_LINE_MAX bytes.  The lines, joined with
 * '\n', into out (outlen > strlen(in)).  E173 too many lines.
 */
#define ADDRESS_LINES 4
#define ADDRESS_LINE_MAX 100
enum vstatus v_address(const char *in, char *out, size_t outlen,
		       struct vresult *r);

/*
 * v_one_line - a line break in a one-line text field is folded to a space
 * (W171), the rest as v_text judges it.  out: the folded value
 * (outlen > strlen(in)).
 */
enum vstatus v_one_line(const char *in, size_t maxlen, char *out,
			size_t outlen, struct vresult *r);

/* v_lien - CONJOINT, PACS, CONCUBIN, ENFANT (any case); out LIEN_SIZE */
enum vstatus v_lien(const char *in, char *out, size_t outlen,
		    struct vresult *r);
/* v_situation - "", ETUDIANT, APPRENTI, DEMANDEUR_EMPLOI, HANDICAPE */
enum vstatus v_situation(const char *in, char *out, size_t outlen,
			 struct vresult *r);
/*
 * v_child_age - a child is refused when its age in full years at date `at`
 * is above the limit: age_limit (the contract's, CHILD_AGE_LIMIT by
 * default), at least CHILD_AGE_LIMIT_STUDIES for ETUDIANT, APPRENTI and
 * DEMANDEUR_EMPLOI, none for HANDICAPE.  situation is normalized ("" or
 * NULL for none).
 */
enum vstatus v_child_age(struct date birth, struct date at,
			 const char *situation, int age_limit,
			 struct vresult *r);

/* v_motif_rupture - 3 digits into out3 (MOTIF_SIZE); not in-table check */
enum vstatus v_motif_rupture(const char *in, char *out3, struct vresult *r);

#endif
