/*
 * store_person - the personal data of a record (names, dates, contact,
 * address, option, bank details; process/'s person_fields): written when
 * the record is created or a movement carries them, and read for
 * process/ (st_emp_record).
 *
 * An absent or empty cell keeps what the record holds; "#VIDE" (only in a
 * MODIFICATION) clears it.  The statements list the columns in the order
 * of person_fields, which person_col follows; test_store_change writes
 * and reads back every field.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "store/store_apply.h"

/* The member of struct st_emp holding each field of person_fields, in
 * its order (the ?N order of the statements below). */
static const size_t person_col[] = {
#define P(c) offsetof(struct st_emp, c)
	P(nom), P(nom_usage), P(prenom), P(date_naissance), P(date_embauche),
	P(date_effet), P(categorie), P(email), P(email_personnel),
	P(adresse), P(code_postal), P(ville), P(pays), P(telephone),
	P(matricule), P(option), P(iban), P(bic), P(rum),
	P(date_signature_mandat),
#undef P
};

static char **person_of(struct st_emp *e, size_t i)
{
	return (char **)((char *)e + person_col[i]);
}

void st_emp_record(const struct st_emp *e, struct record *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->id = e->id;
	r->status = e->id ? status_from_name(e->status) : STATUS_NONE;
	r->prev_status = status_from_name(e->prev_status);
	r->nir = e->nir;
	for (i = 0; i < NELEM(person_col); i++)
		r->person[person_fields[i]] =
			*person_of((struct st_emp *)e, i);
	r->date_fin_contrat = e->date_fin_contrat;
	r->motif_rupture = e->motif_rupture;
	r->radiation_at = e->radiation_at;
	r->portabilite_debut = e->portabilite_debut;
	r->portabilite_fin = e->portabilite_fin;
	r->portabilite_motif_fin = e->portabilite_motif_fin;
	r->dispense_motif = e->dispense_motif;
	r->dispense_fin = e->dispense_fin;
	r->token_hash = e->token_hash;
	r->token_expires = e->token_expires;
	r->token_n = e->token_n;
	r->invited_on = e->invited_on;
	r->preuve_chomage = e->preuve_chomage;
	r->relances = e->relances;
	r->radiation_hist = e->radiation_hist;
}

/* from_movement - e as the insert wrote it, without reading it back */
static void from_movement(struct st_emp *e, const struct st_env *env,
			  const struct movement *mv, const char *status)
{
	size_t i;

	e->employer = xstrdup(env->emp->numero);
	e->nir = xstrdup(mv_get(mv, F_NIR));
	e->status = xstrdup(status);
	for (i = 0; i < NELEM(person_col); i++) {
		const char *v = mv_get(mv, person_fields[i]);

		if (v != NULL && *v != '\0')
			*person_of(e, i) = xstrdup(v);
	}
}

/* The insert of a new record, in person_fields' order from ?13; with its
 * id as ?33 when it comes from the sequence (store_ahead.c). */
#define INSERT_EMPLOYEE(idcol, idval) \
	"INSERT INTO employee (employer, nir, status, status_since," \
	" updated_at, created_at, created_cause, created_ref," \
	" token_n, token_expires, due_jeton, invited_on, due_relance," \
	" nom, nom_usage, prenom, date_naissance," \
	" date_embauche, date_effet, categorie, email, email_personnel," \
	" adresse, code_postal, ville, pays, telephone, matricule," \
	" option, iban, bic, rum, date_signature_mandat" idcol ") VALUES" \
	" (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12," \
	" ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24," \
	" ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32" idval ")"

/*
 * st_emp_insert - a new record (employer, nir) in status, with the
 * personal data of the movement, who created it (the record's created_*
 * columns, instead of a history row) and, for invite, the first link and
 * the two deadlines it sets: one statement, the common case of a bulk
 * file.  e is filled from the movement.  if_absent: 1, and nothing
 * written, when the employer has a record of that NIR already.
 */
int st_emp_insert(struct store *st, const struct st_env *env,
		  const struct movement *mv, const char *status, int invite,
		  int if_absent, struct st_emp *e)
{
	static const char sql[] = INSERT_EMPLOYEE("", "") " RETURNING id";
	static const char absent[] = INSERT_EMPLOYEE("", "")
		" ON CONFLICT (employer, nir) DO NOTHING RETURNING id";
	/* known absent: no answer to wait for, and no ON CONFLICT to hide
	 * a mistake */
	static const char known[] = INSERT_EMPLOYEE(", id", ", ?33");
	const struct st_invite_days *d = st_invite_days(env->cfg, env->today);
	const char *nir = mv_get(mv, F_NIR);
	struct db_stmt *s;
	long long id = 0;
	char now[32];
	size_t i;
	int rc = 0;

	if (if_absent &&
	    (rc = st_ahead_take(st, env->emp->numero, nir, &id)) < 0)
		return -1;
	if ((s = rc ? st_stmt_flags(st, known, DB_BATCH) :
	     st_stmt(st, if_absent ? absent : sql)) == NULL)
		return -1;
	st_now(now);
	st_text_kept(s, 1, env->emp->numero);
	st_text_kept(s, 2, nir);
	st_text_kept(s, 3, status);
	st_text_kept(s, 4, d->day);
	st_text_kept(s, 5, now);
	st_text_kept(s, 6, env->cause);
	st_text_kept(s, 7, env->ref[0] ? env->ref : NULL);
	if (invite) {
		db_bind_int(s, 8, 1);
		st_text_kept(s, 9, d->expires);
		st_text_kept(s, 10, d->jeton);
		st_text_kept(s, 11, d->day);
		st_text_kept(s, 12, d->relance);
	} else {
		db_bind_int(s, 8, 0);
	}
	for (i = 0; i < NELEM(person_col); i++)
		st_text_kept(s, (int)i + 13, mv_has(mv, person_fields[i]) ?
			     mv_get(mv, person_fields[i]) : NULL);
	e->id = id;
	if (id != 0) {
		db_bind_int64(s, 33, id);
		if (st_done(st, s) < 0)
			return -1;
	} else {
		/* no row back: ON CONFLICT found the NIR (an INSERT without
		 * it always gives its row) */
		rc = st_one_row(st, s, "employee", st_read_int64, &e->id);
		if (rc != 1)
			return rc == 0 && if_absent ? 1 : -1;
		st_ahead_forget(st, env->emp->numero, nir);
	}
	from_movement(e, env, mv, status);
	if (invite) {
		e->token_n = 1;
		e->token_expires = xstrdup(d->expires);
		e->invited_on = xstrdup(d->day);
	}
	return 0;
}

/*
 * st_emp_set_person - write the personal data the movement carries: an
 * absent or empty cell keeps the column, "#VIDE" (MODIFICATION) clears it.
 */
int st_emp_set_person(struct store *st, long long id,
		      const struct movement *mv)
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
	struct db_stmt *s = st_stmt(st, sql);
	char now[32];
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < NELEM(person_col); i++) {
		const char *v = mv_get(mv, person_fields[i]);

		if (v == NULL || *v == '\0')
			v = NULL;
		else if (strcmp(v, VIDE) == 0)
			v = "";
		st_text(s, (int)i + 1, v);
	}
	st_now(now);
	st_text(s, (int)NELEM(person_col) + 1, now);
	db_bind_int64(s, (int)NELEM(person_col) + 2, id);
	return st_done(st, s);
}
