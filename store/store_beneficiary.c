/*
 * store_beneficiary - the employee's beneficiaries (ayants droit): AYANT_DROIT
 * adds one, or with date_fin ends its cover, and the loi Evin letters that
 * reach the covered adults when the employee's own cover ends by death.
 *
 * A beneficiary is found by its NIR when the file gives one, else by lien,
 * names and birth date.  At most one partner (CONJOINT, PACS, CONCUBIN) is
 * covered at a time and at most MAX_BENEFICIARIES in all; a child's cover
 * ends at the contract's age limit through an "ayant_droit_age" deadline.
 */
#include <stdio.h>
#include <stdlib.h>

#include "parsers/validate.h"
#include "store/store_apply.h"
#include "store/store_outbox.h"

#define MAX_BENEFICIARIES 20

static int is_partner(const char *lien)
{
	return st_same(lien, "CONJOINT") || st_same(lien, "PACS") ||
	       st_same(lien, "CONCUBIN");
}

/* A beneficiary as beneficiary_find reads it. */
struct found {
	long long id;
	int ended;
};

static void found_read(sqlite3_stmt *s, void *arg)
{
	struct found *f = arg;

	f->id = sqlite3_column_int64(s, 0);
	f->ended = sqlite3_column_type(s, 1) != SQLITE_NULL;
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
	struct found f = { 0, 0 };

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, a->e.id);
	st_text(s, 2, mv_has(mv, F_NIR_AYANT_DROIT) ?
		mv_get(mv, F_NIR_AYANT_DROIT) : NULL);
	st_text(s, 3, mv_get(mv, F_LIEN));
	st_text(s, 4, mv_get(mv, F_NOM));
	st_text(s, 5, mv_get(mv, F_PRENOM));
	st_text(s, 6, mv_get(mv, F_DATE_NAISSANCE));
	if (st_one_row(a->st, s, "beneficiary lookup", found_read, &f) < 0)
		return -1;
	*ended = f.ended;
	return f.id;
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
	if (st_one_row(a->st, s, "beneficiary count", st_read_int, &n) < 0)
		return -1;
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

	if (!st_same(mv_get(a->mv, F_LIEN), "ENFANT") || st_same(sit, "HANDICAPE"))
		return 0;
	if (st_same(sit, "ETUDIANT") || st_same(sit, "APPRENTI") ||
	    st_same(sit, "DEMANDEUR_EMPLOI"))
		limit = limit > CHILD_AGE_LIMIT_STUDIES ? limit :
			CHILD_AGE_LIMIT_STUDIES;
	snprintf(data, sizeof(data), "{\"beneficiary\":%lld}", bid);
	return st_deadline_add(a->st, date_add_months(birth, 12 * (limit + 1)),
			       "ayant_droit_age", a->e.id, data);
}

/* ap_ayant_droit - add (or with date_fin, end) a beneficiary of an
 * affiliated employee or one in portability (the cell) */
int ap_ayant_droit(struct ap *a)
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

	if ((bid = beneficiary_find(a, &ended)) < 0)
		return -1;
	if (mv_has(mv, F_DATE_FIN))
		return beneficiary_end(a, bid, ended);
	if (bid && !ended)
		return ap_already(a, "ayant droit déjà enregistré");
	if (date_parse_iso(mv_get(mv, F_DATE_NAISSANCE), &birth) < 0)
		return ap_refuse(a, "E120", F_DATE_NAISSANCE, "date de "
				 "naissance illisible");
	if (st_same(mv_get(mv, F_LIEN), "ENFANT") &&
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
