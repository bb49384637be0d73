/*
 * store_employee - reading employee records for affilctl and exports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "process/status.h"
#include "store/store_priv.h"

static void employee_from_row(struct db_stmt *s, struct employee_rec *e)
{
	memset(e, 0, sizeof(*e));
	e->id = db_col_int64(s, 0);
	(void)strlcpy_ok(e->employer, db_col_text(s, 1),
			 sizeof(e->employer));
	(void)strlcpy_ok(e->nir, db_col_text(s, 2),
			 sizeof(e->nir));
	(void)strlcpy_ok(e->status, db_col_text(s, 3),
			 sizeof(e->status));
	e->nom = st_col_dup(s, 4);
	e->prenom = st_col_dup(s, 5);
	e->email = st_col_dup(s, 6);
	e->option = st_col_dup(s, 7);
	e->date_embauche = st_col_dup(s, 8);
	e->matricule = st_col_dup(s, 9);
	e->status_since = st_col_dup(s, 10);
}

static void employee_rec_free(struct employee_rec *e)
{
	free(e->nom);
	free(e->prenom);
	free(e->email);
	free(e->option);
	free(e->date_embauche);
	free(e->matricule);
	free(e->status_since);
}

/* store_employees_covered - cover in force or pending (process.md, "The
 * radiation gate"); walks the employer's part of the (employer, nir) index */
int store_employees_covered(struct store *st, const char *employer,
			    long *count)
{
	static const char sql[] =
		"SELECT count(*) FROM employee WHERE employer = ?"
		" AND " ST_COVERED;
	struct db_stmt *s = st_stmt(st, sql);
	int rc;

	*count = 0;
	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	rc = db_step(s);
	if (rc == DB_ROW)
		*count = (long)db_col_int64(s, 0);
	db_reset(s);
	if (rc != DB_ROW) {
		st_log_error(st, "employees covered");
		return -1;
	}
	return 0;
}

/* store_employees_each - filter by employer, status, and name or NIR */
int store_employees_each(struct store *st, const char *employer,
			 const char *status, const char *search,
			 int (*fn)(const struct employee_rec *, void *),
			 void *arg)
{
	static const char sql[] =
		"SELECT id, employer, nir, status, nom, prenom, email, option,"
		" date_embauche, matricule, status_since FROM employee"
		" WHERE (?1 IS NULL OR employer = ?1)"
		" AND (?2 IS NULL OR status = ?2)"
		" AND (?3 IS NULL OR nir = replace(?3, ' ', '')"
		"      OR nom LIKE '%' || ?3 || '%' OR prenom LIKE '%' || ?3 || '%')"
		" ORDER BY employer, nom, prenom, nir";
	struct employee_rec e;
	struct db_stmt *s;
	int rc, stop = 0;

	if ((s = db_prepare(st->db, sql, 1)) == NULL) {
		st_log_error(st, "employees");
		return -1;
	}
	st_text(s, 1, employer);
	st_text(s, 2, status);
	st_text(s, 3, search);
	while (!stop && (rc = db_step(s)) == DB_ROW) {
		employee_from_row(s, &e);
		stop = fn(&e, arg);
		employee_rec_free(&e);
	}
	db_finalize(s);
	if (!stop && rc != DB_DONE) {
		st_log_error(st, "employees");
		return -1;
	}
	return 0;
}

/* mask - an IBAN shows only its last 4 characters, anywhere */
static const char *mask(const char *name, const char *v, char *out,
			size_t outlen)
{
	size_t n;

	if (v == NULL || strcmp(name, "iban") != 0)
		return v;
	n = strlen(v);
	snprintf(out, outlen, "…%s", n > 4 ? v + n - 4 : v);
	return out;
}

/* each_row - every row of s as its values, text or NULL */
static int each_row(struct store *st, struct db_stmt *s,
		    int (*fn)(const char *const *vals, int n, void *),
		    void *arg)
{
	const char *vals[16];
	int rc, i, n = db_col_count(s), stop = 0;

	if (n > 16)
		n = 16;
	while (!stop && (rc = db_step(s)) == DB_ROW) {
		for (i = 0; i < n; i++)
			vals[i] = db_col_text(s, i);
		stop = fn(vals, n, arg);
	}
	if (!stop && rc != DB_DONE) {
		st_log_error(st, "employee detail");
		return -1;
	}
	return 0;
}

/* The record's row as store_employee_detail shows it. */
struct detail {
	const struct employee_detail_cb *cb;
	void *arg;
	long long id;		/* out */
};

/* detail_fields - every column by name but the token's hash; IBAN masked */
static void detail_fields(struct db_stmt *s, void *arg)
{
	struct detail *d = arg;
	char masked[16];
	int i;

	for (i = 0; i < db_col_count(s); i++) {
		const char *name = db_col_name(s, i);

		if (strcmp(name, "id") == 0)
			d->id = db_col_int64(s, i);
		else if (strcmp(name, "token_hash") != 0)
			d->cb->field(name, mask(name, (const char *)
						db_col_text(s, i),
						masked, sizeof(masked)),
				     db_col_is_int(s, i), d->arg);
	}
}

/* store_employee_detail - one employee: fields, beneficiaries, history */
int store_employee_detail(struct store *st, const char *employer,
			  const char *nir, const struct employee_detail_cb *cb,
			  void *arg)
{
	static const char rec[] =
		"SELECT * FROM employee WHERE employer = ? AND nir = ?";
	static const char ben[] =
		"SELECT lien, nom, prenom, date_naissance, nir, situation,"
		" date_fin FROM beneficiary WHERE employee_id = ? ORDER BY id";
	/* The creation is on the record (created_*, schema 8): its status
	 * is the one the first change left, or the status still held. */
	static const char his[] =
		"SELECT at, from_status, to_status, CASE WHEN k > 0 THEN what"
		" WHEN to_status = ?2 THEN 'affiliation simple'"
		" ELSE 'affiliation complète' END, cause, cause_ref FROM"
		" (SELECT 0 AS k, created_at AS at, NULL AS from_status,"
		" coalesce((SELECT from_status FROM history h"
		" WHERE h.employee_id = e.id ORDER BY h.id LIMIT 1), e.status)"
		" AS to_status, NULL AS what, created_cause AS cause,"
		" created_ref AS cause_ref FROM employee e"
		" WHERE e.id = ?1 AND e.created_at IS NOT NULL"
		" UNION ALL SELECT id, at, from_status, to_status, what, cause,"
		" cause_ref FROM history WHERE employee_id = ?1) AS t"
		" ORDER BY k";
	struct detail d = { cb, arg, 0 };
	struct db_stmt *s;
	int i, rc;

	if ((s = db_prepare(st->db, rec, 0)) == NULL) {
		st_log_error(st, "employee detail");
		return -1;
	}
	st_text(s, 1, employer);
	st_text(s, 2, nir ? nir : "");
	rc = st_one_row(st, s, "employee detail", detail_fields, &d);
	db_finalize(s);
	if (rc != 1)
		return rc == 0 ? 1 : -1;
	for (i = 0; i < 2; i++) {
		if ((s = db_prepare(st->db, i ? his : ben, 0)) == NULL) {
			st_log_error(st, "employee detail");
			return -1;
		}
		db_bind_int64(s, 1, d.id);
		if (i)	/* a new record is invited or affiliated at once */
			st_text(s, 2, status_name(STATUS_EN_COURS));
		rc = each_row(st, s, i ? cb->history : cb->beneficiary, arg);
		db_finalize(s);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* The columns of an EXPORT, as the payroll tool reads them back. */
const char *const store_export_names[EXPORT_COLUMNS] = {
	"nir", "matricule", "nom", "nom_usage", "prenom", "date_naissance",
	"date_embauche", "categorie", "statut", "depuis", "option",
	"email", "date_fin_contrat", "date_fin_droits", "fin_portabilite",
};

int store_export_each(struct store *st, const char *employer,
		      const char *status,
		      int (*fn)(const char *const *vals, void *arg),
		      void *arg)
{
	static const char sql[] =
		"SELECT nir, matricule, nom, nom_usage, prenom, date_naissance,"
		" date_embauche, categorie, status, status_since, option, email,"
		" date_fin_contrat, date_fin_droits, portabilite_fin"
		" FROM employee WHERE employer = ?1"
		" AND (?2 IS NULL OR status = ?2)"
		" ORDER BY nom, prenom, nir";
	struct db_stmt *s = st_stmt(st, sql);
	const char *vals[EXPORT_COLUMNS];
	int rc, i, stop = 0;

	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, status);
	while (!stop && (rc = db_step(s)) == DB_ROW) {
		for (i = 0; i < EXPORT_COLUMNS; i++) {
			vals[i] = db_col_text(s, i);
			if (vals[i] == NULL)
				vals[i] = "";
		}
		stop = fn(vals, arg);
	}
	db_reset(s);
	if (!stop && rc != DB_DONE) {
		st_log_error(st, "export");
		return -1;
	}
	return stop ? -1 : 0;
}

/* fr - an ISO date as JJ/MM/AAAA ("" when absent or unreadable) */
static const char *fr(const char *iso, char out[DATE_ISO_SIZE])
{
	struct date d;

	out[0] = '\0';
	if (iso && date_parse_iso(iso, &d) == 0)
		date_format_fr(d, out);
	return out;
}

/* line - "label : value" when the value is known */
static void line(struct buf *b, const char *label, const char *value)
{
	if (value && *value)
		buf_printf(b, "%s : %s\n", label, value);
}

/* bulletin_beneficiaries - one line per beneficiary on record */
static int bulletin_beneficiaries(struct store *st, long long id,
				  struct buf *b)
{
	static const char sql[] =
		"SELECT lien, prenom, nom, date_naissance, date_fin"
		" FROM beneficiary WHERE employee_id = ? ORDER BY id";
	struct db_stmt *s = st_stmt(st, sql);
	char d1[DATE_ISO_SIZE], d2[DATE_ISO_SIZE];
	int rc, n = 0;

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	buf_addstr(b, "\nAyants droit :\n");
	while ((rc = db_step(s)) == DB_ROW) {
		const char *fin = db_col_text(s, 4);

		buf_printf(b, "  - %s : %s %s, né(e) le %s%s%s\n",
			   db_col_text(s, 0), db_col_text(s, 1),
			   db_col_text(s, 2),
			   fr(db_col_text(s, 3), d1),
			   fin ? ", couverture terminée le " : "",
			   fin ? fr(fin, d2) : "");
		n++;
	}
	db_reset(s);
	if (n == 0)
		buf_addstr(b, "  aucun ayant droit enregistré\n");
	return rc == DB_DONE ? 0 : -1;
}

/* store_bulletin - the individual affiliation bulletin, as text */
int store_bulletin(struct store *st, const struct cfg *cfg,
		   const char *employer, const char *nir, struct date today,
		   struct buf *title, struct buf *body)
{
	const struct cfg_employer *emp = cfg_employer(cfg, employer);
	const struct cfg_option *opt;
	char d[DATE_ISO_SIZE], d2[DATE_ISO_SIZE], v[256];
	struct st_emp e;
	size_t n;
	int rc;

	if (emp == NULL || st_emp_load(st, employer, nir, &e) < 0)
		return -1;
	if (e.id == 0)
		return 1;
	opt = cfg_option(emp, e.option);
	buf_printf(title, "Bulletin individuel d'affiliation : %s %s",
		   e.prenom ? e.prenom : "", e.nom ? e.nom : "");
	snprintf(v, sizeof(v), "%s (%s)", emp->name, emp->numero);
	line(body, "Employeur", v);
	snprintf(v, sizeof(v), "%s %s%s%s%s", e.prenom ? e.prenom : "",
		 e.nom ? e.nom : "", e.nom_usage ? " (nom d'usage " : "",
		 e.nom_usage ? e.nom_usage : "", e.nom_usage ? ")" : "");
	line(body, "Salarié(e)", v);
	line(body, "Matricule", e.matricule);
	line(body, "Date de naissance", fr(e.date_naissance, d));
	line(body, "Catégorie", e.categorie);
	line(body, "Date d'embauche", fr(e.date_embauche, d));
	line(body, "Début de la couverture",
	     fr(e.date_effet ? e.date_effet : e.date_embauche, d));
	snprintf(v, sizeof(v), "%s depuis le %s%s", status_label_name(e.status),
		 fr(e.status_since, d), e.incomplete ?
		 " (affiliation incomplète)" : "");
	line(body, "Statut", v);
	if (e.option) {
		snprintf(v, sizeof(v), "%s (%s)", opt && opt->label ?
			 opt->label : e.option, e.option);
		line(body, "Option", v);
	}
	if (e.rum) {
		n = e.iban ? strlen(e.iban) : 0;
		snprintf(v, sizeof(v), "RUM %s, IBAN se terminant par %s, "
			 "signé le %s", e.rum, n > 4 ? e.iban + n - 4 : "-",
			 fr(e.date_signature_mandat, d));
		line(body, "Mandat SEPA", v);
	}
	if (e.dispense_motif) {
		snprintf(v, sizeof(v), "%s%s%s", e.dispense_motif,
			 e.dispense_fin ? " jusqu'au " : "",
			 fr(e.dispense_fin, d));
		line(body, "Dispense", v);
	}
	if (e.date_fin_contrat) {
		snprintf(v, sizeof(v), "le %s, motif %s",
			 fr(e.date_fin_contrat, d),
			 e.motif_rupture ? e.motif_rupture : "-");
		line(body, "Fin du contrat de travail", v);
	}
	if (e.portabilite_debut) {
		snprintf(v, sizeof(v), "du %s au %s",
			 fr(e.portabilite_debut, d),
			 fr(e.portabilite_fin, d2));
		line(body, "Portabilité", v);
	}
	line(body, "Droits ouverts jusqu'au", fr(e.date_fin_droits, d));
	rc = bulletin_beneficiaries(st, e.id, body);
	buf_printf(body, "\nÉtabli le %s.\n", date_format_fr(today, d));
	st_emp_free(&e);
	return rc;
}
