/*
 * store_recon - a RECONCILIATION file against the records (store.h,
 * "reconciliation"; docs/formats.md, "Reconciliation").
 *
 * Three passes would need the whole file or the whole table in memory; a
 * portfolio may hold 1,000,000 employees.  So each row is looked up by
 * its (employer, nir) index as it streams, and its NIR goes into
 * temp.recon_nir (a primary key: the same NIR twice is caught there);
 * after the last row one query walks the employer's covered employees down
 * the same index and keeps those no row named.  The temporary table lives
 * in the file's transaction: the pipeline rolls it back with everything
 * else, since a reconciliation applies nothing.
 *
 * "Covered" is ST_COVERED (store_priv.h), the radiation gate's definition.
 */
#include <stdio.h>
#include <string.h>

#include "common/date.h"
#include "common/log.h"
#include "common/util.h"
#include "process/status.h"
#include "rules/recon.h"
#include "store/store_priv.h"

/* store_recon_begin - see store.h */
int store_recon_begin(struct store *st)
{
	return st_exec(st, "CREATE TEMP TABLE IF NOT EXISTS recon_nir ("
		       " nir TEXT PRIMARY KEY, line INTEGER NOT NULL)"
		       " WITHOUT ROWID;"
		       "DELETE FROM recon_nir");
}

/*
 * note_nir - the row's NIR into temp.recon_nir: 0 noted, or the line of
 * the earlier row with the same NIR; -1 on error
 */
static long note_nir(struct store *st, const char *nir, long line)
{
	static const char ins[] =
		"INSERT INTO recon_nir (nir, line) VALUES (?, ?)"
		" ON CONFLICT DO NOTHING";
	static const char sel[] =
		"SELECT line FROM recon_nir WHERE nir = ?";
	struct db_stmt *s = st_stmt(st, ins);
	long long earlier = 0;

	if (s == NULL)
		return -1;
	st_text(s, 1, nir);
	db_bind_int64(s, 2, line);
	if (st_done(st, s) < 0)
		return -1;
	if (db_changes(st->db) == 1)
		return 0;
	if ((s = st_stmt(st, sel)) == NULL)
		return -1;
	st_text(s, 1, nir);
	if (st_one_row(st, s, "reconciliation", st_read_int64, &earlier) != 1)
		return -1;
	return earlier > 0 ? (long)earlier : -1;
}

/* The record's side of a row: the compared fields in recon_fields' order,
 * then the status, since when, and whether it is covered. */
static const char row_sql[] =
	"SELECT nom, nom_usage, prenom, date_naissance, date_embauche,"
	" date_effet, categorie, email, email_personnel, adresse, code_postal,"
	" ville, pays, telephone, matricule, option, iban, bic, rum,"
	" date_signature_mandat, status, status_since, " ST_COVERED
	" FROM employee WHERE employer = ? AND nir = ?";

struct compare {
	struct movement *mv;
	enum recon_found found;
	long fields;
	int bad_columns;	/* row_sql and recon_fields out of step */
};

/* differ - W254 for each field the row gives otherwise than the record */
static void differ(struct db_stmt *s, struct compare *c)
{
	char a[64], b[64];
	const char *db, *file;
	enum field f;
	int i;

	for (i = 0; i < RECON_NFIELDS; i++) {
		f = recon_fields[i];
		if (strcmp(db_col_name(s, i), field_name(f)) != 0) {
			c->bad_columns = 1;
			return;
		}
		if (!mv_has(c->mv, f))
			continue;	/* the employer does not send it */
		db = db_col_text(s, i);
		file = mv_get(c->mv, f);
		if (recon_same(f, db, file))
			continue;
		c->fields++;
		mv_diag(c->mv, "W254", f, "champ %s différent : base « %.80s », "
			"fichier « %.80s »", field_name(f),
			recon_shown(f, db, a, sizeof(a)),
			recon_shown(f, file, b, sizeof(b)));
	}
	c->found = c->fields ? RECON_DIFFERS : RECON_SAME;
}

/* compare_row - st_one_row's reader: the record is there */
static void compare_row(struct db_stmt *s, void *arg)
{
	struct compare *c = arg;
	const char *status = db_col_text(s,
							      RECON_NFIELDS);
	const char *since = db_col_text(s,
							     RECON_NFIELDS + 1);
	char fr[DATE_ISO_SIZE] = "";
	struct date d;

	if (db_col_int(s, RECON_NFIELDS + 2)) {
		differ(s, c);
		return;
	}
	if (since && date_parse_iso(since, &d) == 0)
		date_format_fr(d, fr);
	c->found = RECON_NOT_COVERED;
	mv_diag(c->mv, "W252", F_NONE, "salarié non couvert dans la base : "
		"%s%s%s ; s'il est couvert, envoyez l'AFFILIATION qui le "
		"couvre", status_label_name(status), *fr ? " depuis le " : "", fr);
}

/* store_recon_row - see store.h */
int store_recon_row(struct store *st, const char *employer,
		    struct movement *mv, long *fields)
{
	struct compare c = { mv, RECON_UNKNOWN, 0, 0 };
	const char *nir = mv_get(mv, F_NIR);
	struct db_stmt *s;
	long earlier;
	int rc;

	*fields = 0;
	if ((earlier = note_nir(st, nir, mv->line)) < 0)
		return -1;
	if (earlier > 0) {
		mv_diag(mv, "E255", F_NIR, "NIR déjà donné à la ligne %ld de "
			"ce fichier : une ligne par salarié", earlier);
		return RECON_TWICE;
	}
	if ((s = st_stmt(st, row_sql)) == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, nir);
	rc = st_one_row(st, s, "reconciliation", compare_row, &c);
	if (rc < 0)
		return -1;
	if (c.bad_columns) {
		log_err("event=internal_error what=\"reconciliation columns "
			"out of step with recon_fields\"");
		return -1;
	}
	if (rc == 0)
		mv_diag(mv, "W251", F_NONE, "salarié absent de la base : aucun "
			"salarié de cet employeur n'a ce NIR ; s'il doit être "
			"couvert, envoyez son AFFILIATION");
	mv_diag(mv, "I250", F_NONE, c.found == RECON_SAME ?
		"salarié rapproché : conforme à la base" : c.found ==
		RECON_DIFFERS ? "salarié rapproché : différences ci-dessous" :
		"salarié rapproché : voir ci-dessous");
	*fields = c.fields;
	return (int)c.found;
}

/* store_recon_missing_each - see store.h */
int store_recon_missing_each(struct store *st, const char *employer,
			     int (*fn)(const char *nir, const char *prenom,
				       const char *nom, const char *status,
				       void *arg),
			     void *arg)
{
	static const char sql[] =
		"SELECT nir, prenom, nom, status FROM employee"
		" WHERE employer = ? AND " ST_COVERED
		" AND nir NOT IN (SELECT nir FROM recon_nir)"
		" ORDER BY employer, nir";
	struct db_stmt *s = st_stmt(st, sql);
	int rc, stop = 0;

	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	while (!stop && (rc = db_step(s)) == DB_ROW)
		stop = fn(db_col_text(s, 0),
			  db_col_text(s, 1),
			  db_col_text(s, 2),
			  db_col_text(s, 3), arg);
	db_reset(s);
	if (!stop && rc != DB_DONE) {
		st_log_error(st, "reconciliation");
		return -1;
	}
	return stop;
}
