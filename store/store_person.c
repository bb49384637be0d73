/*
 * store_person - the personal data a movement carries (names, dates,
 * contact, address, option, bank details), written onto the employee record
 * when it is created or updated, and the MODIFICATION that corrects them.
 *
 * An absent or empty cell keeps what the record holds; "#VIDE" (only in a
 * MODIFICATION) clears it.  The columns are listed once, in person_cols,
 * in the order of the statements' parameters.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/store_apply.h"

/* The personal data a movement may set, in ap_set_person()'s ?N order. */
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

/* from_movement - a->e as the insert wrote it, without reading it back */
static void from_movement(struct ap *a, const char *status)
{
	size_t i;

	a->e.employer = xstrdup(a->ctx->emp->numero);
	a->e.nir = xstrdup(mv_get(a->mv, F_NIR));
	a->e.status = xstrdup(status);
	for (i = 0; i < NELEM(person_cols); i++) {
		const char *v = mv_get(a->mv, person_cols[i].f);

		if (v != NULL && *v != '\0')
			*(char **)((char *)&a->e + person_cols[i].off) =
				xstrdup(v);
	}
}

/*
 * ap_insert - a new record (employer, nir) in status, with the personal
 * data of the movement, who created it (the record's created_* columns,
 * instead of a history row) and, for invite, the first link and the two
 * deadlines it sets: one statement, the common case of a bulk file.
 * a->e is filled from the movement.
 */
int ap_insert(struct ap *a, const char *status, int invite)
{
	static const char sql[] =
		"INSERT INTO employee (employer, nir, status, status_since,"
		" updated_at, created_at, created_cause, created_ref,"
		" token_n, token_expires, due_jeton, invited_on, due_relance,"
		" nom, nom_usage, prenom, date_naissance,"
		" date_embauche, date_effet, categorie, email, email_personnel,"
		" adresse, code_postal, ville, pays, telephone, matricule,"
		" option, iban, bic, rum, date_signature_mandat) VALUES"
		" (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
		" ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24,"
		" ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)";
	sqlite3_stmt *s = st_stmt(a->st, sql);
	const struct st_invite_days *d = st_invite_days(a->ctx->cfg,
							a->env.today);
	char now[32];
	size_t i;

	if (s == NULL)
		return -1;
	st_now(now);
	st_text_kept(s, 1, a->ctx->emp->numero);
	st_text_kept(s, 2, mv_get(a->mv, F_NIR));
	st_text_kept(s, 3, status);
	st_text_kept(s, 4, d->day);
	st_text_kept(s, 5, now);
	st_text_kept(s, 6, a->env.cause);
	st_text_kept(s, 7, a->env.ref[0] ? a->env.ref : NULL);
	if (invite) {
		sqlite3_bind_int(s, 8, 1);
		st_text_kept(s, 9, d->expires);
		st_text_kept(s, 10, d->jeton);
		st_text_kept(s, 11, d->day);
		st_text_kept(s, 12, d->relance);
	} else {
		sqlite3_bind_int(s, 8, 0);
	}
	for (i = 0; i < NELEM(person_cols); i++)
		st_text_kept(s, (int)i + 13, mv_has(a->mv, person_cols[i].f) ?
			mv_get(a->mv, person_cols[i].f) : NULL);
	if (st_done(a->st, s) < 0)
		return -1;
	a->e.id = sqlite3_last_insert_rowid(a->st->db);
	from_movement(a, status);
	if (invite) {
		a->e.token_n = 1;
		a->e.token_expires = xstrdup(d->expires);
		a->e.invited_on = xstrdup(d->day);
	}
	return 0;
}

/*
 * ap_set_person - write the personal data the movement carries: an absent
 * or empty cell keeps the column, "#VIDE" (MODIFICATION) clears it.
 */
int ap_set_person(struct ap *a)
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
		if (strcmp(v, VIDE) == 0 ? have == NULL : st_same(v, have))
			continue;
		n += (size_t)snprintf(out + n, n < outlen ? outlen - n : 0,
				      "%s%s", n ? ", " : "",
				      person_cols[i].col);
	}
}

/* ap_modification - personal data; status unchanged; history kept */
int ap_modification(struct ap *a)
{
	const char *nouveau = mv_get(a->mv, F_NOUVEAU_NIR);
	char what[512];
	struct st_emp other;
	int rc;

	changed_fields(a, what, sizeof(what));
	if (nouveau && *nouveau && !st_same(nouveau, a->e.nir)) {
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
	if ((rc = ap_mandate_kept(a)) != 0 || (rc = ap_mandate(a)) != 0)
		return rc;
	if (ap_set_person(a) < 0 ||
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
