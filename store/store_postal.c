/*
 * store_postal - where a letter goes: the employer of an outbox row and
 * the employee's address as the employee table holds it now.
 *
 * The outbox data carries the address known at queue time (adresse,
 * code_postal, ville); the country is not in it, and rows queued by some
 * operations carry no address at all.  The letter writer takes what the
 * row lacks from here.  Read-only, outside any file's transaction.
 */
#include <string.h>
#include <stdlib.h>

#include "store/store_priv.h"

static void postal_read(struct db_stmt *s, void *arg)
{
	struct outbox_postal *p = arg;

	p->employer = st_col_dup(s, 0);
	p->prenom = st_col_dup(s, 1);
	p->nom = st_col_dup(s, 2);
	p->adresse = st_col_dup(s, 3);
	p->code_postal = st_col_dup(s, 4);
	p->ville = st_col_dup(s, 5);
	p->pays = st_col_dup(s, 6);
}

/* store_outbox_postal - one SELECT, the employee joined when named */
int store_outbox_postal(struct store *st, long long id,
			struct outbox_postal *p)
{
	static const char sql[] =
		"SELECT o.employer, e.prenom, e.nom, e.adresse, e.code_postal,"
		" e.ville, e.pays FROM outbox AS o"
		" LEFT JOIN employee AS e ON e.id = o.employee_id"
		" WHERE o.id = ?";
	struct db_stmt *s = st_stmt(st, sql);

	memset(p, 0, sizeof(*p));
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	return st_one_row(st, s, "outbox postal", postal_read, p) == 1 ? 0 : -1;
}

/* store_outbox_postal_free - release the strings, leave p zeroed */
void store_outbox_postal_free(struct outbox_postal *p)
{
	free(p->employer);
	free(p->prenom);
	free(p->nom);
	free(p->adresse);
	free(p->code_postal);
	free(p->ville);
	free(p->pays);
	memset(p, 0, sizeof(*p));
}
