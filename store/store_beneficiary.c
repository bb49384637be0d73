/*
 * store_beneficiary - the employee's beneficiaries (ayants droit) as the
 * database holds them: what an AYANT_DROIT row needs to know (the one it
 * names, how many are covered), one added or ended, and the loi Evin
 * letters that reach the covered adults when the employee's cover ends by
 * death.  The rules (who is a partner, one at a time, MAX_BENEFICIARIES, a
 * child's age limit, who gets a letter) are process/handle_person.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_apply.h"
#include "store/store_outbox.h"

/*
 * st_ben_facts - in one pass over the employee's beneficiaries: the
 * covered ones (partners among them, as process/ tells a partner), and
 * the one the movement names: by nir_ayant_droit, else by lien, nom,
 * prenom and date_naissance, a covered one first, then the latest
 */
int st_ben_facts(struct store *st, long long emp_id,
		 const struct movement *mv, struct ben_facts *out)
{
	static const char sql[] =
		"SELECT id, date_fin IS NOT NULL, lien,"
		" (?2 IS NOT NULL AND nir = ?2) OR (lien = ?3 AND nom = ?4"
		" AND prenom = ?5 AND date_naissance = ?6) AS hit"
		" FROM beneficiary WHERE employee_id = ?1"
		" ORDER BY hit DESC, date_fin IS NOT NULL, id DESC";
	struct db_stmt *s = st_stmt(st, sql);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, emp_id);
	st_text(s, 2, mv_has(mv, F_NIR_AYANT_DROIT) ?
		mv_get(mv, F_NIR_AYANT_DROIT) : NULL);
	st_text(s, 3, mv_get(mv, F_LIEN));
	st_text(s, 4, mv_get(mv, F_NOM));
	st_text(s, 5, mv_get(mv, F_PRENOM));
	st_text(s, 6, mv_get(mv, F_DATE_NAISSANCE));
	while ((rc = db_step(s)) == DB_ROW) {
		int ended = db_col_int(s, 1);

		if (db_col_int(s, 3) && out->id == 0) {
			out->id = db_col_int64(s, 0);
			out->ended = ended;
		}
		if (ended)
			continue;
		out->covered++;
		if (lien_is_partner(db_col_text(s, 2)))
			out->partners++;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		st_log_error(st, "beneficiary lookup");
		return -1;
	}
	return 0;
}

long long st_ben_add(struct store *st, long long emp_id,
		     const struct movement *mv)
{
	static const char sql[] =
		"INSERT INTO beneficiary (employee_id, lien, nom, prenom,"
		" date_naissance, nir, situation) VALUES (?, ?, ?, ?, ?, ?, ?)"
		" RETURNING id";
	struct db_stmt *s = st_stmt(st, sql);
	long long id = -1;

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, emp_id);
	st_text(s, 2, mv_get(mv, F_LIEN));
	st_text(s, 3, mv_get(mv, F_NOM));
	st_text(s, 4, mv_get(mv, F_PRENOM));
	st_text(s, 5, mv_get(mv, F_DATE_NAISSANCE));
	st_text(s, 6, mv_has(mv, F_NIR_AYANT_DROIT) ?
		mv_get(mv, F_NIR_AYANT_DROIT) : NULL);
	st_text(s, 7, mv_has(mv, F_SITUATION) ? mv_get(mv, F_SITUATION) :
		NULL);
	return st_one_row(st, s, "beneficiary", st_read_int64, &id) == 1 ?
		id : -1;
}

int st_ben_end(struct store *st, long long id, const char *date_fin)
{
	static const char sql[] =
		"UPDATE beneficiary SET date_fin = ? WHERE id = ?";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, date_fin);
	db_bind_int64(s, 2, id);
	return st_done(st, s);
}

/* st_letter_dependants - loi Evin letters to the covered dependants */
int st_letter_dependants(struct store *st, const struct st_env *env,
			 const struct st_emp *e, const char *droits)
{
	static const char sql[] =
		"SELECT prenom, nom, lien, date_naissance FROM beneficiary"
		" WHERE employee_id = ? AND date_fin IS NULL ORDER BY id";
	struct db_stmt *s = st_stmt(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, e->id);
	while ((rc = db_step(s)) == DB_ROW) {
		char *prenom, *nom;

		if (!dependant_gets_letter((const char *)
					   db_col_text(s, 2),
					   (const char *)
					   db_col_text(s, 3),
					   env->today))
			continue;
		prenom = st_col_dup(s, 0);
		nom = st_col_dup(s, 1);
		{
			const char *vars[] = {
				"prenom", prenom, "nom", nom, "employeur",
				env->emp->name, "prenom_salarie",
				e->prenom ? e->prenom : "", "nom_salarie",
				e->nom ? e->nom : "", "date_fin_droits",
				droits, "adresse", e->adresse ? e->adresse : "",
				"code_postal",
				e->code_postal ? e->code_postal : "",
				"ville", e->ville ? e->ville : "", NULL
			};

			rc = st_outbox_add(st, env->cfg->mail.from,
					   "loi_evin_ayants_droit",
					   env->emp->numero, e->id, "courrier",
					   vars);
		}
		free(prenom);
		free(nom);
		if (rc < 0)
			break;
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}
