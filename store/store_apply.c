/*
 * store_apply - the apply step: one checked movement against the employee
 * records, inside the file's transaction.
 *
 * Each operation is a function that reads the record, decides by the
 * transition table of rules.md, and only then writes: the record, one
 * history row per change, the deadlines and the outbox rows the change
 * requires.  A movement the rules refuse gets an E finding and changes
 * nothing; one already in effect gets I200 "déjà pris en compte" and
 * changes nothing either.  Radiations live in store_radiation.c.
 *
 * Isolation: every query is keyed by the employer of the file, so a row can
 * only ever see its own employer's employees; an unknown NIR reads the same
 * whether or not another employer has it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/log.h"
#include "common/util.h"
#include "parsers/validate.h"
#include "store/store_apply.h"
#include "store/store_outbox.h"

#define VIDE "#VIDE"		/* MODIFICATION: clear the field */
#define MAX_BENEFICIARIES 20

/* The personal data a movement may set, in emp_set_person()'s ?N order. */
static const struct {
	enum field f;
	const char *col;
	size_t off;		/* in struct st_emp */
} person_cols[] = {
#define P(f, c) { f, #c, offsetof(struct st_emp, c) }
	P(F_NOM, nom), P(F_NOM_USAGE, nom_usage), P(F_PRENOM, prenom),
	P(F_DATE_NAISSANCE, date_naissance), P(F_DATE_EMBAUCHE, date_embauche),
	P(F_DATE_EFFET, date_effet), P(F_CATEGORIE, categorie),
	P(F_EMAIL, email), P(F_EMAIL_PERSONNEL, email_personnel),
	P(F_ADRESSE, adresse), P(F_CODE_POSTAL, code_postal),
	P(F_VILLE, ville), P(F_PAYS, pays), P(F_TELEPHONE, telephone),
	P(F_MATRICULE, matricule), P(F_OPTION, option), P(F_IBAN, iban),
	P(F_BIC, bic), P(F_RUM, rum),
	P(F_DATE_SIGNATURE_MANDAT, date_signature_mandat),
#undef P
};

static const struct {
	const char *status, *label;
} labels[] = {
	{ "EN_COURS", "en cours d'affiliation" },
	{ "A_RELANCER", "à relancer" },
	{ "AFFILIE", "affilié" },
	{ "DISPENSE", "dispensé" },
	{ "RADIE", "radié" },
	{ "PORTABILITE", "en portabilité" },
};

const char *status_label(const char *status)
{
	size_t i;

	for (i = 0; status && i < NELEM(labels); i++)
		if (strcmp(labels[i].status, status) == 0)
			return labels[i].label;
	return status ? status : "inconnu";
}

static int same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

int ap_refuse(struct ap *a, const char *code, enum field f, const char *fmt,
	      ...)
{
	char msg[DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mv_diag(a->mv, code, f, "%s", msg);
	return 1;
}

int ap_already(struct ap *a, const char *what)
{
	mv_diag(a->mv, "I200", F_NONE, "déjà pris en compte : %s, rien n'a "
		"été modifié", what);
	return 0;
}

int ap_status_is(const struct ap *a, ...)
{
	const char *s;
	va_list ap;
	int hit = 0;

	va_start(ap, a);
	while ((s = va_arg(ap, const char *)) != NULL)
		hit |= same(a->e.status, s);
	va_end(ap);
	return a->e.id != 0 && hit;
}

int ap_reload(struct ap *a)
{
	long long id = a->e.id;

	st_emp_free(&a->e);
	return st_emp_load_id(a->st, id, &a->e);
}

/* transition_refused - E201: the rules have no such transition */
static int transition_refused(struct ap *a)
{
	return ap_refuse(a, "E201", F_OPERATION, "%s impossible : le salarié "
			 "est %s (%s) chez cet employeur",
			 op_name(a->mv->op), status_label(a->e.status),
			 a->e.status);
}

/* unknown - E202, worded the same whether another employer has the NIR */
int ap_unknown(struct ap *a)
{
	return ap_refuse(a, "E202", F_NIR, "salarié inconnu : aucun salarié "
			 "de cet employeur n'a ce NIR");
}

/* emp_insert - a new record (employer, nir) in status, with the personal
 * data of the movement: one statement for the common case of a bulk file */
static int emp_insert(struct ap *a, const char *status)
{
	static const char sql[] =
		"INSERT INTO employee (employer, nir, status, status_since,"
		" updated_at, nom, nom_usage, prenom, date_naissance,"
		" date_embauche, date_effet, categorie, email, email_personnel,"
		" adresse, code_postal, ville, pays, telephone, matricule,"
		" option, iban, bic, rum, date_signature_mandat) VALUES"
		" (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
		" ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = st_stmt(a->st, sql);
	char now[32], day[DATE_ISO_SIZE];
	size_t i;

	if (s == NULL)
		return -1;
	st_now(now);
	st_text(s, 1, a->ctx->emp->numero);
	st_text(s, 2, mv_get(a->mv, F_NIR));
	st_text(s, 3, status);
	st_text(s, 4, date_format(a->env.today, day));
	st_text(s, 5, now);
	for (i = 0; i < NELEM(person_cols); i++)
		st_text(s, (int)i + 6, mv_has(a->mv, person_cols[i].f) ?
			mv_get(a->mv, person_cols[i].f) : NULL);
	if (st_done(a->st, s) < 0)
		return -1;
	a->e.id = sqlite3_last_insert_rowid(a->st->db);
	return 0;
}

/*
 * emp_set_person - write the personal data the movement carries: an absent
 * or empty cell keeps the column, "#VIDE" (MODIFICATION) clears it.
 */
static int emp_set_person(struct ap *a)
{
#define COL(n, c) " " #c " = CASE WHEN ?" #n " IS NULL THEN " #c \
	" WHEN ?" #n " = '' THEN NULL ELSE ?" #n " END,"
	static const char sql[] = "UPDATE employee SET"
		COL(1, nom) COL(2, nom_usage) COL(3, prenom)
		COL(4, date_naissance) COL(5, date_embauche) COL(6, date_effet)
		COL(7, categorie) COL(8, email) COL(9, email_personnel)
		COL(10, adresse) COL(11, code_postal) COL(12, ville)
		COL(13, pays) COL(14, telephone) COL(15, matricule)
		COL(16, option) COL(17, iban) COL(18, bic) COL(19, rum)
		COL(20, date_signature_mandat)
		" updated_at = ?21 WHERE id = ?22";
#undef COL
	sqlite3_stmt *s = st_stmt(a->st, sql);
	char now[32];
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < NELEM(person_cols); i++) {
		const char *v = mv_get(a->mv, person_cols[i].f);

		if (v == NULL || *v == '\0')
			v = NULL;
		else if (strcmp(v, VIDE) == 0)
			v = "";
		st_text(s, (int)i + 1, v);
	}
	st_now(now);
	st_text(s, (int)NELEM(person_cols) + 1, now);
	sqlite3_bind_int64(s, (int)NELEM(person_cols) + 2, a->e.id);
	return st_done(a->st, s);
}

/* changed_fields - the names of the columns the movement would change */
static void changed_fields(const struct ap *a, char *out, size_t outlen)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < NELEM(person_cols); i++) {
		const char *v = mv_get(a->mv, person_cols[i].f);
		const char *have = *(char *const *)((const char *)&a->e +
						    person_cols[i].off);

		if (v == NULL || *v == '\0')
			continue;
		if (strcmp(v, VIDE) == 0 ? have == NULL : same(v, have))
			continue;
		n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0,
				      "%s%s", n ? ", " : "",
				      person_cols[i].col);
	}
}

/* ---- SEPA mandate --------------------------------------------------- */

/* rum_taken - another employee (any employer: one creditor) has this RUM */
static int rum_taken(struct ap *a, const char *rum)
{
	static const char sql[] =
		"SELECT 1 FROM employee WHERE rum = ? AND id != ?";
	sqlite3_stmt *s = st_stmt(a->st, sql);
	int rc;

	if (s == NULL)
		return -1;
	st_text(s, 1, rum);
	sqlite3_bind_int64(s, 2, a->e.id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		st_log_error(a->st, "rum lookup");
		return -1;
	}
	return rc == SQLITE_ROW;
}

/* rum_generate - prefix + employer + a sequence number never given twice */
static int rum_generate(struct ap *a, char *out, size_t outlen)
{
	static const char sql[] =
		"INSERT INTO rum_seq (employer, next) VALUES (?, 1)"
		" ON CONFLICT (employer) DO UPDATE SET next = next + 1"
		" RETURNING next";
	sqlite3_stmt *s = st_stmt(a->st, sql);
	const char *prefix = a->env.cfg->process.rum_prefix ?
		a->env.cfg->process.rum_prefix : "AFF";
	long long seq = -1;

	if (s == NULL)
		return -1;
	st_text(s, 1, a->ctx->emp->numero);
	if (sqlite3_step(s) == SQLITE_ROW)
		seq = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (seq < 0) {
		st_log_error(a->st, "rum sequence");
		return -1;
	}
	snprintf(out, outlen, "%s-%s-%08lld", prefix, a->ctx->emp->numero, seq);
	return 0;
}

/*
 * mandate - the RUM of a direct-debit option: the file's, if no other
 * employee holds it, else one generated.  0 ok, 1 refused, -1 error.
 */
static int mandate(struct ap *a)
{
	const struct cfg_option *opt = cfg_option(a->ctx->emp,
						  mv_get(a->mv, F_OPTION));
	const char *prefix = a->env.cfg->process.rum_prefix ?
		a->env.cfg->process.rum_prefix : "AFF";
	size_t plen = strlen(prefix);
	char rum[64];
	int rc, tries;

	if (mv_has(a->mv, F_RUM) && strcmp(mv_get(a->mv, F_RUM), VIDE) != 0) {
		const char *given = mv_get(a->mv, F_RUM);

		/* Generated references are ours alone: a file cannot take
		 * one, or it would block another employer's next mandate. */
		if (strncmp(given, prefix, plen) == 0 && given[plen] == '-')
			return ap_refuse(a, "E232", F_RUM, "RUM commençant par "
					 "%s- : préfixe réservé aux RUM générées "
					 "par l'assureur", prefix);
		rc = rum_taken(a, given);
		if (rc != 0)
			return rc < 0 ? -1 : ap_refuse(a, "E230", F_RUM,
				"RUM déjà attribuée à un autre mandat : une RUM "
				"est unique pour le créancier");
		return 0;
	}
	if (opt == NULL || !opt->direct_debit || a->e.rum != NULL)
		return 0;
	for (tries = 0; tries < 100; tries++) {
		if (rum_generate(a, rum, sizeof(rum)) < 0)
			return -1;
		if ((rc = rum_taken(a, rum)) <= 0)
			break;
	}
	if (rc != 0 || mv_set(a->mv, F_RUM, rum) < 0)
		return -1;
	mv_diag(a->mv, "I231", F_RUM, "RUM générée : %s", rum);
	return 0;
}

/* ---- affiliations --------------------------------------------------- */

/* end_portability_for_rehire - PORTABILITE ends the day before the hire;
 * the history row keeps the date (the next period clears the columns) */
static int end_portability_for_rehire(struct ap *a)
{
	char day[DATE_ISO_SIZE], what[128];
	struct date hire;

	if (!same(a->e.status, "PORTABILITE"))
		return 0;
	if (date_parse_iso(mv_get(a->mv, F_DATE_EMBAUCHE), &hire) < 0)
		hire = a->env.today;
	date_format(date_add_days(hire, -1), day);
	snprintf(what, sizeof(what), "fin de portabilité : reprise d'emploi, "
		 "droits jusqu'au %s", day);
	if (st_deadline_drop(a->st, a->e.id, "fin_portabilite") < 0 ||
	    st_history(a->st, &a->env, a->e.id, "PORTABILITE", "RADIE",
		       what) < 0)
		return -1;
	return 0;
}

/*
 * rehire_check - an affiliation on RADIE or PORTABILITE opens a new period
 * only when its hire date comes after the last contract's end: the same
 * hire date is the old period sent again (a corrected file re-sent whole,
 * 1 with I200), an earlier one a mistake (1 with E208).  0: a rehire.
 */
static int rehire_check(struct ap *a)
{
	const char *hire = mv_get(a->mv, F_DATE_EMBAUCHE);

	if (!ap_status_is(a, "RADIE", "PORTABILITE", NULL) ||
	    a->e.date_fin_contrat == NULL || hire == NULL)
		return 0;
	if (strcmp(hire, a->e.date_fin_contrat) > 0)
		return 0;
	if (same(hire, a->e.date_embauche)) {
		ap_already(a, "période d'emploi déjà enregistrée, suivie de sa "
			   "radiation");
		return 2;
	}
	return ap_refuse(a, "E208", F_DATE_EMBAUCHE, "date d'embauche "
			 "antérieure à la fin du contrat précédent (%s) : pour "
			 "une réembauche, indiquez la nouvelle date",
			 a->e.date_fin_contrat);
}

/* new_period - a rehire: the last period's end data is history now */
static int new_period(struct ap *a)
{
	static const char *const cols[] = {
		"date_fin_contrat", "motif_rupture", "date_fin_droits",
		"portabilite_debut", "portabilite_fin", "radiation_at",
		"radiation_hist", "portabilite_motif_fin", "dispense_motif",
		"dispense_fin", "dispense_demande", "dispense_justificatif",
	};
	size_t i;

	for (i = 0; i < NELEM(cols); i++)
		if (st_set_col(a->st, a->e.id, cols[i], NULL) < 0)
			return -1;
	return st_set_col(a->st, a->e.id, "incomplete", "0") < 0 ||
	       st_deadline_drop(a->st, a->e.id, NULL) < 0 ? -1 : 0;
}

/*
 * enter - (none) or a rehire into status: the record, its history row and
 * its personal data.  Returns 0 or -1.
 */
static int enter(struct ap *a, const char *status, const char *what)
{
	char *from = a->e.id ? xstrdup(a->e.status) : NULL;
	int rc = -1;

	if (a->e.id == 0) {
		if (emp_insert(a, status) < 0)
			goto out;
	} else if ((ap_status_is(a, "RADIE", "PORTABILITE", NULL) &&
		    (end_portability_for_rehire(a) < 0 ||
		     new_period(a) < 0)) ||
		   st_set_status(a->st, &a->env, a->e.id, status) < 0 ||
		   emp_set_person(a) < 0) {
		goto out;
	}
	if (st_history(a->st, &a->env, a->e.id, from, status, what) < 0 ||
	    ap_reload(a) < 0)
		goto out;
	rc = 0;
out:
	free(from);
	return rc;
}

/* apply_simple - (none), RADIE or PORTABILITE (rehire) → EN_COURS */
static int apply_simple(struct ap *a)
{
	int rc;

	if (ap_status_is(a, "EN_COURS", "A_RELANCER", NULL)) {
		if (same(a->e.nom, mv_get(a->mv, F_NOM)) &&
		    same(a->e.date_embauche, mv_get(a->mv, F_DATE_EMBAUCHE)))
			return ap_already(a, "affiliation déjà en cours");
		return ap_refuse(a, "E203", F_OPERATION, "affiliation déjà en "
				 "cours pour ce NIR avec d'autres données : "
				 "envoyez une MODIFICATION");
	}
	if (a->e.id && !ap_status_is(a, "RADIE", "PORTABILITE", NULL))
		return transition_refused(a);
	if ((rc = rehire_check(a)) != 0)
		return rc == 2 ? 0 : rc;
	if (enter(a, "EN_COURS", "affiliation simple") < 0 ||
	    st_invite(a->st, &a->env, &a->e, "invitation") < 0)
		return -1;
	return 0;
}

/* confirm - the confirmation of an affiliation, when an email is known */
static int confirm(struct ap *a, const char *kind)
{
	const struct cfg_option *opt = cfg_option(a->ctx->emp, a->e.option);
	const char *effet = a->e.date_effet ? a->e.date_effet :
			    a->e.date_embauche;
	char fr[DATE_ISO_SIZE] = "";
	struct date d;
	const char *vars[] = {
		"option", opt && opt->label ? opt->label : a->e.option,
		"date_effet", fr, NULL
	};

	if (effet && date_parse_iso(effet, &d) == 0)
		date_format_fr(d, fr);
	if (vars[1] == NULL)
		vars[1] = "";
	if (a->e.email == NULL && strcmp(kind, "confirmation") == 0)
		return 0;
	return st_notify(a->st, &a->env, &a->e, kind, vars, 0);
}

/* covered - the affiliation is now complete: link revoked, no reminder */
static int covered(struct ap *a)
{
	return st_revoke_token(a->st, a->e.id) < 0 ||
	       st_deadline_drop(a->st, a->e.id, "relance") < 0 ? -1 : 0;
}

/* apply_complete - (none), EN_COURS, A_RELANCER, or a rehire → AFFILIE */
static int apply_complete(struct ap *a)
{
	int rc;

	if (ap_status_is(a, "AFFILIE", NULL)) {
		if (same(a->e.option, mv_get(a->mv, F_OPTION)))
			return ap_already(a, "salarié déjà affilié avec cette "
					  "option");
		return ap_refuse(a, "E204", F_OPTION, "salarié déjà affilié "
				 "avec l'option %s : pour en changer, envoyez "
				 "une MODIFICATION", a->e.option);
	}
	if (a->e.id && !ap_status_is(a, "EN_COURS", "A_RELANCER", "RADIE",
				     "PORTABILITE", NULL))
		return transition_refused(a);
	if ((rc = rehire_check(a)) != 0)
		return rc == 2 ? 0 : rc;
	if ((rc = mandate(a)) != 0)
		return rc;
	if (enter(a, "AFFILIE", "affiliation complète") < 0 ||
	    covered(a) < 0 || confirm(a, "confirmation") < 0)
		return -1;
	return 0;
}

/* apply_forcee - EN_COURS, A_RELANCER → AFFILIE at the base plan */
static int apply_forcee(struct ap *a)
{
	const char *base = a->ctx->emp->base_plan;
	char *from;
	int rc;

	if (a->e.id == 0)
		return ap_unknown(a);
	if (ap_status_is(a, "AFFILIE", NULL) && same(a->e.option, base))
		return ap_already(a, "salarié déjà affilié à l'option de base");
	if (!ap_status_is(a, "EN_COURS", "A_RELANCER", NULL))
		return transition_refused(a);
	if (base == NULL)
		return ap_refuse(a, "E205", F_OPERATION, "affiliation forcée "
				 "impossible : aucune option de base "
				 "(base_plan) n'est configurée pour cet "
				 "employeur");
	if (mv_set(a->mv, F_OPTION, base) < 0)
		return -1;
	from = xstrdup(a->e.status);
	rc = st_set_status(a->st, &a->env, a->e.id, "AFFILIE") < 0 ||
	     emp_set_person(a) < 0 ||
	     st_history(a->st, &a->env, a->e.id, from, "AFFILIE",
			"affiliation forcée à l'option de base") < 0 ||
	     ap_reload(a) < 0 || covered(a) < 0 ||
	     confirm(a, "affiliation_forcee") < 0 ? -1 : 0;
	free(from);
	return rc;
}

/* apply_relance - EN_COURS, A_RELANCER: the reminder now, a fresh link */
static int apply_relance(struct ap *a)
{
	char day[DATE_ISO_SIZE], n[16];

	if (a->e.id == 0)
		return ap_unknown(a);
	if (!ap_status_is(a, "EN_COURS", "A_RELANCER", NULL))
		return transition_refused(a);
	snprintf(n, sizeof(n), "%d", a->e.relances + 1);
	if (st_set_col(a->st, a->e.id, "relances", n) < 0 ||
	    st_set_col(a->st, a->e.id, "last_relance",
		       date_format(a->env.today, day)) < 0 ||
	    st_history(a->st, &a->env, a->e.id, a->e.status, a->e.status,
		       "relance envoyée") < 0 ||
	    st_invite(a->st, &a->env, &a->e, "relance") < 0)
		return -1;
	return 0;
}

/* after - a field's value once the MODIFICATION is applied */
static const char *after(const struct ap *a, enum field f, const char *have)
{
	const char *v = mv_get(a->mv, f);

	if (v == NULL || *v == '\0')
		return have;
	return strcmp(v, VIDE) == 0 ? NULL : v;
}

/* mandate_kept - a MODIFICATION touching the option or the bank details
 * must leave a direct-debit option with its IBAN and signature date */
static int mandate_kept(struct ap *a)
{
	const char *code = after(a, F_OPTION, a->e.option);
	const struct cfg_option *opt = cfg_option(a->ctx->emp, code);

	if (!mv_has(a->mv, F_OPTION) && !mv_has(a->mv, F_IBAN) &&
	    !mv_has(a->mv, F_DATE_SIGNATURE_MANDAT))
		return 0;
	if (opt == NULL || !opt->direct_debit)
		return 0;
	if (after(a, F_IBAN, a->e.iban) == NULL)
		return ap_refuse(a, "E151", F_IBAN, "IBAN obligatoire : "
				 "l'option %s est payée par prélèvement SEPA",
				 opt->code);
	if (after(a, F_DATE_SIGNATURE_MANDAT,
		  a->e.date_signature_mandat) == NULL)
		return ap_refuse(a, "E151", F_DATE_SIGNATURE_MANDAT, "date de "
				 "signature du mandat obligatoire : l'option "
				 "%s est payée par prélèvement SEPA",
				 opt->code);
	return 0;
}

/* apply_modification - personal data; status unchanged; history kept */
static int apply_modification(struct ap *a)
{
	const char *nouveau = mv_get(a->mv, F_NOUVEAU_NIR);
	char what[512];
	struct st_emp other;
	int rc;

	if (a->e.id == 0)
		return ap_unknown(a);
	changed_fields(a, what, sizeof(what));
	if (nouveau && *nouveau && !same(nouveau, a->e.nir)) {
		if (st_emp_load(a->st, a->ctx->emp->numero, nouveau,
				&other) < 0)
			return -1;
		rc = other.id != 0;
		st_emp_free(&other);
		if (rc)
			return ap_refuse(a, "E206", F_NOUVEAU_NIR, "nouveau NIR "
					 "déjà attribué à un autre salarié de "
					 "cet employeur");
	} else {
		nouveau = NULL;
	}
	if (what[0] == '\0' && nouveau == NULL)
		return ap_already(a, "aucune donnée différente de celles "
				  "enregistrées");
	if ((rc = mandate_kept(a)) != 0 || (rc = mandate(a)) != 0)
		return rc;
	if (emp_set_person(a) < 0 ||
	    (nouveau && st_set_col(a->st, a->e.id, "nir", nouveau) < 0))
		return -1;
	if (nouveau) {
		size_t n = strlen(what);

		snprintf(what + n, sizeof(what) - n, "%snir remplacé "
			 "(…%s)", n ? ", " : "", a->e.nir + 11);
	}
	return st_history(a->st, &a->env, a->e.id, a->e.status, a->e.status,
			  what) < 0 ? -1 : 0;
}

/* ---- dispenses ------------------------------------------------------ */

/* dispense_allowed - the reason exists and the contract allows it */
static const struct cfg_dispense_reason *dispense_reason(struct ap *a)
{
	const char *code = mv_get(a->mv, F_MOTIF_DISPENSE);
	const struct cfg_dispense_reason *r = cfg_dispense_reason(a->env.cfg,
								  code);
	size_t i;

	if (r == NULL) {
		ap_refuse(a, "E260", F_MOTIF_DISPENSE, "motif de dispense « %.40s »"
			  " inconnu (voir la table des dispenses)", code);
		return NULL;
	}
	if (r->type == CFG_DISP_FACULTATIVE) {
		for (i = 0; i < a->ctx->emp->nallowed_dispenses; i++)
			if (same(a->ctx->emp->allowed_dispenses[i], r->code))
				break;
		if (i == a->ctx->emp->nallowed_dispenses) {
			ap_refuse(a, "E261", F_MOTIF_DISPENSE, "dispense "
				  "facultative %s non prévue par le contrat de "
				  "cet employeur", r->code);
			return NULL;
		}
	}
	if (r->evidence_required && !mv_has(a->mv, F_JUSTIFICATIF)) {
		ap_refuse(a, "E262", F_JUSTIFICATIF, "justificatif obligatoire "
			  "pour la dispense %s : indiquez la référence du "
			  "document conservé", r->code);
		return NULL;
	}
	if (r->end == CFG_DISP_END_REQUIRED &&
	    !mv_has(a->mv, F_DATE_FIN_DISPENSE)) {
		ap_refuse(a, "E263", F_DATE_FIN_DISPENSE, "date de fin de "
			  "dispense obligatoire pour le motif %s", r->code);
		return NULL;
	}
	return r;
}

/* dispense_end - the end date the dispense gets (0: none) */
static int dispense_end(struct ap *a, const struct cfg_dispense_reason *r,
			struct date *end)
{
	struct date asked;

	if (r->end == CFG_DISP_END_NONE)
		return 0;
	if (mv_has(a->mv, F_DATE_FIN_DISPENSE))
		return date_parse_iso(mv_get(a->mv, F_DATE_FIN_DISPENSE),
				      end) == 0;
	if (date_parse_iso(mv_get(a->mv, F_DATE_DEMANDE), &asked) < 0)
		asked = a->env.today;
	*end = date_add_months(asked, 12);
	return 1;
}

/* apply_dispense - EN_COURS, A_RELANCER (or AFFILIE for CSS and other
 * collective cover) → DISPENSE, with its end-date deadlines */
static int apply_dispense(struct ap *a)
{
	const struct cfg_dispense_reason *r;
	char day[DATE_ISO_SIZE], fr[DATE_ISO_SIZE] = "";
	struct date end;
	int has_end;
	char *from;

	if (a->e.id == 0)
		return ap_unknown(a);
	if ((r = dispense_reason(a)) == NULL)
		return 1;
	has_end = dispense_end(a, r, &end);
	if (has_end)
		date_format(end, day);
	if (ap_status_is(a, "DISPENSE", NULL)) {
		if (!same(a->e.dispense_motif, r->code))
			return transition_refused(a);
		if (!has_end || same(a->e.dispense_fin, day))
			return ap_already(a, "dispense déjà enregistrée");
	} else if (!ap_status_is(a, "EN_COURS", "A_RELANCER", NULL) &&
		   !(ap_status_is(a, "AFFILIE", NULL) &&
		     (same(r->code, "CSS") ||
		      same(r->code, "AUTRE_COUVERTURE_COLLECTIVE")))) {
		return transition_refused(a);
	}
	from = xstrdup(a->e.status);
	if ((!same(from, "DISPENSE") &&
	     st_set_status(a->st, &a->env, a->e.id, "DISPENSE") < 0) ||
	    st_set_col(a->st, a->e.id, "dispense_motif", r->code) < 0 ||
	    st_set_col(a->st, a->e.id, "dispense_fin",
		       has_end ? day : NULL) < 0 ||
	    st_set_col(a->st, a->e.id, "dispense_demande",
		       mv_get(a->mv, F_DATE_DEMANDE)) < 0 ||
	    st_set_col(a->st, a->e.id, "dispense_justificatif",
		       mv_has(a->mv, F_JUSTIFICATIF) ?
		       mv_get(a->mv, F_JUSTIFICATIF) : NULL) < 0 ||
	    st_history(a->st, &a->env, a->e.id, from, "DISPENSE",
		       same(from, "DISPENSE") ? "dispense prolongée" :
		       "dispense") < 0 ||
	    covered(a) < 0 ||
	    st_deadline_drop(a->st, a->e.id, "fin_dispense") < 0 ||
	    st_deadline_drop(a->st, a->e.id, "preuve_dispense") < 0) {
		free(from);
		return -1;
	}
	free(from);
	if (has_end) {
		struct date proof = date_add_days(end, -30);

		if (st_deadline_add(a->st, date_add_days(end, 1),
				    "fin_dispense", a->e.id, NULL) < 0)
			return -1;
		if (r->at_end == CFG_AT_END_PROOF &&
		    date_cmp(proof, a->env.today) > 0 &&
		    st_deadline_add(a->st, proof, "preuve_dispense", a->e.id,
				    NULL) < 0)
			return -1;
		date_format_fr(end, fr);
	}
	if (a->ctx->portal) {
		const char *vars[] = { "motif_dispense", r->label ? r->label :
				       r->code, "date_demande",
				       mv_get(a->mv, F_DATE_DEMANDE), NULL };
		const char *to = a->ctx->emp->dispense_email ?
			a->ctx->emp->dispense_email :
			a->ctx->emp->contact_email;

		if (ap_reload(a) < 0 ||
		    st_notify_employer(a->st, &a->env, &a->e, to,
				       "dispense_employeur", vars) < 0)
			return -1;
	}
	return 0;
}

/* ---- the portal's finalisation -------------------------------------- */

/* token_ok - the movement's jeton is the live one of the record */
static int token_ok(struct ap *a)
{
	char hash[CRYPTO_HEX_LEN], day[DATE_ISO_SIZE];

	if (a->e.token_hash == NULL || a->e.token_expires == NULL ||
	    hmac_sha256_hex(a->ctx->token_key, a->ctx->token_keylen,
			    mv_get(a->mv, F_JETON), hash) < 0)
		return 0;
	date_format(a->env.today, day);
	return crypto_equal(hash, a->e.token_hash) &&
	       strcmp(a->e.token_expires, day) >= 0;
}

/* apply_finalisation - EN_COURS, A_RELANCER → AFFILIE with the link's token */
static int apply_finalisation(struct ap *a)
{
	const struct cfg_employer *emp = a->ctx->emp;
	char *from;
	int rc;

	if (a->e.id == 0)
		return ap_unknown(a);
	if (ap_status_is(a, "AFFILIE", NULL) &&
	    same(a->e.option, mv_get(a->mv, F_OPTION)))
		return ap_already(a, "affiliation déjà finalisée");
	if (!ap_status_is(a, "EN_COURS", "A_RELANCER", NULL))
		return transition_refused(a);
	if (!token_ok(a))
		return ap_refuse(a, "E280", F_JETON, "lien d'affiliation "
				 "invalide, déjà utilisé ou expiré");
	if ((rc = mandate(a)) != 0)
		return rc;
	from = xstrdup(a->e.status);
	rc = st_set_status(a->st, &a->env, a->e.id, "AFFILIE") < 0 ||
	     emp_set_person(a) < 0 ||
	     st_history(a->st, &a->env, a->e.id, from, "AFFILIE",
			"affiliation finalisée par le salarié") < 0 ||
	     ap_reload(a) < 0 || covered(a) < 0 ||
	     confirm(a, "confirmation") < 0 ? -1 : 0;
	free(from);
	if (rc == 0 && emp->notify_finalisation) {
		const struct cfg_option *opt = cfg_option(emp, a->e.option);
		const char *vars[] = { "option", opt && opt->label ?
				       opt->label : a->e.option, NULL };

		rc = st_notify_employer(a->st, &a->env, &a->e,
					emp->contact_email,
					"finalisation_employeur", vars);
	}
	return rc;
}

/* ---- beneficiaries -------------------------------------------------- */

static int is_partner(const char *lien)
{
	return same(lien, "CONJOINT") || same(lien, "PACS") ||
	       same(lien, "CONCUBIN");
}

/*
 * beneficiary_find - the employee's beneficiary the movement names: by
 * nir_ayant_droit, else by lien, nom, prenom and date_naissance.  Returns
 * its id (0: none) and whether it has ended, or -1.
 */
static long long beneficiary_find(struct ap *a, int *ended)
{
	static const char sql[] =
		"SELECT id, date_fin FROM beneficiary WHERE employee_id = ?1"
		" AND ((?2 IS NOT NULL AND nir = ?2) OR (lien = ?3"
		" AND nom = ?4 AND prenom = ?5 AND date_naissance = ?6))"
		" ORDER BY date_fin IS NOT NULL, id DESC LIMIT 1";
	sqlite3_stmt *s = st_stmt(a->st, sql);
	const struct movement *mv = a->mv;
	long long id = 0;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->e.id);
	st_text(s, 2, mv_has(mv, F_NIR_AYANT_DROIT) ?
		mv_get(mv, F_NIR_AYANT_DROIT) : NULL);
	st_text(s, 3, mv_get(mv, F_LIEN));
	st_text(s, 4, mv_get(mv, F_NOM));
	st_text(s, 5, mv_get(mv, F_PRENOM));
	st_text(s, 6, mv_get(mv, F_DATE_NAISSANCE));
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		*ended = sqlite3_column_type(s, 1) != SQLITE_NULL;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		st_log_error(a->st, "beneficiary lookup");
		return -1;
	}
	return id;
}

/* beneficiary_count - covered beneficiaries, all or partners only */
static int beneficiary_count(struct ap *a, int partners)
{
	static const char sql[] =
		"SELECT count(*) FROM beneficiary WHERE employee_id = ?1"
		" AND date_fin IS NULL AND (?2 = 0 OR lien IN"
		" ('CONJOINT', 'PACS', 'CONCUBIN'))";
	sqlite3_stmt *s = st_stmt(a->st, sql);
	int n = -1;

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->e.id);
	sqlite3_bind_int(s, 2, partners);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return n;
}

/* beneficiary_end - AYANT_DROIT with date_fin: the beneficiary's cover ends */
static int beneficiary_end(struct ap *a, long long id, int ended)
{
	static const char sql[] =
		"UPDATE beneficiary SET date_fin = ? WHERE id = ?";
	sqlite3_stmt *s;
	char what[256];

	if (id == 0)
		return ap_refuse(a, "E242", F_NOM, "ayant droit inconnu pour ce "
				 "salarié : rien à clore");
	if (ended)
		return ap_already(a, "ayant droit déjà clos");
	if ((s = st_stmt(a->st, sql)) == NULL)
		return -1;
	st_text(s, 1, mv_get(a->mv, F_DATE_FIN));
	sqlite3_bind_int64(s, 2, id);
	snprintf(what, sizeof(what), "ayant droit clos au %s : %s %s",
		 mv_get(a->mv, F_DATE_FIN), mv_get(a->mv, F_LIEN),
		 mv_get(a->mv, F_PRENOM));
	if (st_done(a->st, s) < 0 ||
	    st_history(a->st, &a->env, a->e.id, a->e.status, a->e.status,
		       what) < 0)
		return -1;
	snprintf(what, sizeof(what), "{\"beneficiary\":%lld}", id);
	return st_deadline_drop_data(a->st, a->e.id, "ayant_droit_age", what);
}

/* child_deadline - a child's cover ends at the contract's age limit */
static int child_deadline(struct ap *a, long long bid, struct date birth)
{
	const char *sit = mv_get(a->mv, F_SITUATION);
	int limit = a->ctx->emp->child_age_limit;
	char data[64];

	if (!same(mv_get(a->mv, F_LIEN), "ENFANT") || same(sit, "HANDICAPE"))
		return 0;
	if (same(sit, "ETUDIANT") || same(sit, "APPRENTI") ||
	    same(sit, "DEMANDEUR_EMPLOI"))
		limit = limit > CHILD_AGE_LIMIT_STUDIES ? limit :
			CHILD_AGE_LIMIT_STUDIES;
	snprintf(data, sizeof(data), "{\"beneficiary\":%lld}", bid);
	return st_deadline_add(a->st, date_add_months(birth, 12 * (limit + 1)),
			       "ayant_droit_age", a->e.id, data);
}

/* apply_ayant_droit - add (or with date_fin, end) a beneficiary */
static int apply_ayant_droit(struct ap *a)
{
	static const char sql[] =
		"INSERT INTO beneficiary (employee_id, lien, nom, prenom,"
		" date_naissance, nir, situation) VALUES (?, ?, ?, ?, ?, ?, ?)";
	const struct movement *mv = a->mv;
	struct date birth;
	struct vresult vr;
	sqlite3_stmt *s;
	long long bid;
	char what[256];
	int ended = 0, n;

	if (a->e.id == 0)
		return ap_unknown(a);
	if (!ap_status_is(a, "AFFILIE", "PORTABILITE", NULL))
		return transition_refused(a);
	if ((bid = beneficiary_find(a, &ended)) < 0)
		return -1;
	if (mv_has(mv, F_DATE_FIN))
		return beneficiary_end(a, bid, ended);
	if (bid && !ended)
		return ap_already(a, "ayant droit déjà enregistré");
	if (date_parse_iso(mv_get(mv, F_DATE_NAISSANCE), &birth) < 0)
		return ap_refuse(a, "E120", F_DATE_NAISSANCE, "date de "
				 "naissance illisible");
	if (same(mv_get(mv, F_LIEN), "ENFANT") &&
	    v_child_age(birth, a->env.today, mv_get(mv, F_SITUATION),
			a->ctx->emp->child_age_limit, &vr) == V_ERR)
		return ap_refuse(a, vr.code, F_DATE_NAISSANCE, "%s", vr.msg);
	if (is_partner(mv_get(mv, F_LIEN)) &&
	    (n = beneficiary_count(a, 1)) != 0)
		return n < 0 ? -1 : ap_refuse(a, "E240", F_LIEN, "un conjoint "
			"ou partenaire est déjà couvert : clore le précédent "
			"(AYANT_DROIT avec date_fin) avant d'en ajouter un");
	if ((n = beneficiary_count(a, 0)) >= MAX_BENEFICIARIES)
		return n < 0 ? -1 : ap_refuse(a, "E241", F_OPERATION, "plus de "
			"%d ayants droit couverts pour ce salarié",
			MAX_BENEFICIARIES);
	if ((s = st_stmt(a->st, sql)) == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->e.id);
	st_text(s, 2, mv_get(mv, F_LIEN));
	st_text(s, 3, mv_get(mv, F_NOM));
	st_text(s, 4, mv_get(mv, F_PRENOM));
	st_text(s, 5, mv_get(mv, F_DATE_NAISSANCE));
	st_text(s, 6, mv_has(mv, F_NIR_AYANT_DROIT) ?
		mv_get(mv, F_NIR_AYANT_DROIT) : NULL);
	st_text(s, 7, mv_has(mv, F_SITUATION) ? mv_get(mv, F_SITUATION) :
		NULL);
	if (st_done(a->st, s) < 0)
		return -1;
	bid = sqlite3_last_insert_rowid(a->st->db);
	snprintf(what, sizeof(what), "ayant droit ajouté : %s %s",
		 mv_get(mv, F_LIEN), mv_get(mv, F_PRENOM));
	if (st_history(a->st, &a->env, a->e.id, a->e.status, a->e.status,
		       what) < 0)
		return -1;
	return child_deadline(a, bid, birth);
}

/* st_letter_dependants - loi Evin letters to the covered dependants */
int st_letter_dependants(struct store *st, const struct st_env *env,
			 const struct st_emp *e, const char *droits)
{
	static const char sql[] =
		"SELECT prenom, nom FROM beneficiary WHERE employee_id = ?"
		" AND date_fin IS NULL AND (lien != 'ENFANT'"
		" OR date_naissance <= ?) ORDER BY id";
	sqlite3_stmt *s = st_stmt(st, sql);
	char adult[DATE_ISO_SIZE];
	int rc;

	if (s == NULL)
		return -1;
	/* Letters go to the adults; a child is reached through them. */
	date_format(date_add_months(env->today, -12 * 18), adult);
	sqlite3_bind_int64(s, 1, e->id);
	st_text(s, 2, adult);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		char *prenom = st_col_dup(s, 0), *nom = st_col_dup(s, 1);
		const char *vars[] = {
			"prenom", prenom, "nom", nom, "employeur",
			env->emp->name, "prenom_salarie", e->prenom ? e->prenom : "",
			"nom_salarie", e->nom ? e->nom : "", "date_fin_droits", droits,
			"adresse", e->adresse ? e->adresse : "",
			"code_postal", e->code_postal ? e->code_postal : "",
			"ville", e->ville ? e->ville : "", NULL
		};

		rc = st_outbox_add(st, env->cfg->mail.from,
				   "loi_evin_ayants_droit", env->emp->numero,
				   e->id, "courrier", vars);
		free(prenom);
		free(nom);
		if (rc < 0)
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* store_apply - apply one checked movement; see store.h */
int store_apply(struct store *st, const struct apply_ctx *ctx,
		struct movement *mv)
{
	struct ap a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.ctx = ctx;
	a.mv = mv;
	a.env.cfg = ctx->cfg;
	a.env.emp = ctx->emp;
	a.env.today = ctx->today;
	a.env.token_key = ctx->token_key;
	a.env.token_keylen = ctx->token_keylen;
	a.env.cause = ctx->portal ? "portail" : "fichier";
	snprintf(a.env.ref, sizeof(a.env.ref), "%s:%ld", ctx->file_id,
		 mv->line);
	if (st_emp_load(st, ctx->emp->numero, mv_get(mv, F_NIR), &a.e) < 0)
		return -1;
	switch (mv->op) {
	case OP_AFFILIATION_SIMPLE:	rc = apply_simple(&a); break;
	case OP_AFFILIATION_COMPLETE:	rc = apply_complete(&a); break;
	case OP_AYANT_DROIT:		rc = apply_ayant_droit(&a); break;
	case OP_RADIATION:		rc = ap_radiation(&a); break;
	case OP_ANNULATION:		rc = ap_annulation(&a); break;
	case OP_MODIFICATION:		rc = apply_modification(&a); break;
	case OP_RELANCE:		rc = apply_relance(&a); break;
	case OP_AFFILIATION_FORCEE:	rc = apply_forcee(&a); break;
	case OP_DISPENSE:		rc = apply_dispense(&a); break;
	case OP_FIN_PORTABILITE:	rc = ap_fin_portabilite(&a); break;
	case OP_FINALISATION:		rc = apply_finalisation(&a); break;
	default:
		rc = ap_refuse(&a, "E106", F_OPERATION, "opération %s non "
			       "traitée par les dépôts de fichiers de cette "
			       "version", op_name(mv->op));
		break;
	}
	st_emp_free(&a.e);
	return rc;
}
