/*
 * store_beneficiary - the employee's beneficiaries (ayants droit) as the
 * database holds them: what an AYANT_DROIT row needs to know (the one it
 * names, how many are covered), one added or ended, and the loi Evin
 * letters that reach the covered adults when the employee's cover ends by
 * death.  The rules (one partner, MAX_BENEFICIARIES, a child's age limit)
 * are process/handle_person.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_apply.h"
#include "store/store_outbox.h"

static void facts_read(sqlite3_stmt *s, void *arg)
{
	struct ben_facts *b = arg;

	b->covered = sqlite3_column_int(s, 0);
	b->partners = sqlite3_column_int(s, 1);
	b->id = sqlite3_column_int64(s, 2);
	b->ended = sqlite3_column_int(s, 3);
}

/*
 * st_ben_facts - in one statement: the covered beneficiaries (partners
 * among them), and the one the movement names: by nir_ayant_droit, else
 * by lien, nom, prenom and date_naissance, a covered one first
 */
int st_ben_facts(struct store *st, long long emp_id,
		 const struct movement *mv, struct ben_facts *out)
{
	static const char sql[] =
		"SELECT c.n, c.p, f.id, f.ended FROM (SELECT count(*) AS n,"
		" coalesce(sum(lien IN ('CONJOINT', 'PACS', 'CONCUBIN')), 0)"
		" AS p FROM beneficiary WHERE employee_id = ?1"
		" AND date_fin IS NULL) AS c LEFT JOIN (SELECT id,"
		" date_fin IS NOT NULL AS ended FROM beneficiary"
		" WHERE employee_id = ?1"
		" AND ((?2 IS NOT NULL AND nir = ?2) OR (lien = ?3"
		" AND nom = ?4 AND prenom = ?5 AND date_naissance = ?6))"
		" ORDER BY date_fin IS NOT NULL, id DESC LIMIT 1) AS f ON 1";
	sqlite3_stmt *s = st_stmt(st, sql);

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, emp_id);
	st_text(s, 2, mv_has(mv, F_NIR_AYANT_DROIT) ?
		mv_get(mv, F_NIR_AYANT_DROIT) : NULL);
	st_text(s, 3, mv_get(mv, F_LIEN));
	st_text(s, 4, mv_get(mv, F_NOM));
	st_text(s, 5, mv_get(mv, F_PRENOM));
	st_text(s, 6, mv_get(mv, F_DATE_NAISSANCE));
	return st_one_row(st, s, "beneficiary lookup", facts_read, out) != 1 ?
	       -1 : 0;
}

long long st_ben_add(struct store *st, long long emp_id,
		     const struct movement *mv)
{
	static const char sql[] =
		"INSERT INTO beneficiary (employee_id, lien, nom, prenom,"
		" date_naissance, nir, situation) VALUES (?, ?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, emp_id);
	st_text(s, 2, mv_get(mv, F_LIEN));
	st_text(s, 3, mv_get(mv, F_NOM));
	st_text(s, 4, mv_get(mv, F_PRENOM));
	st_text(s, 5, mv_get(mv, F_DATE_NAISSANCE));
	st_text(s, 6, mv_has(mv, F_NIR_AYANT_DROIT) ?
		mv_get(mv, F_NIR_AYANT_DROIT) : NULL);
	st_text(s, 7, mv_has(mv, F_SITUATION) ? mv_get(mv, F_SITUATION) :
		NULL);
	if (st_done(st, s) < 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

int st_ben_end(struct store *st, long long id, const char *date_fin)
{
	static const char sql[] =
		"UPDATE beneficiary SET date_fin = ? WHERE id = ?";
	sqlite3_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, date_fin);
	sqlite3_bind_int64(s, 2, id);
	return st_done(st, s);
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
