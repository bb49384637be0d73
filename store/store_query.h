/*
 * store_query - read-only views for affilctl: the employees filtered,
 * sorted and paged, streamed one row at a time (a listing or an export
 * of a million costs the memory of one row), and the counts of `affilctl
 * status`.  Nothing here writes: every query runs on a connection opened
 * STORE_RO.
 *
 * Errors: 0 / -1 after logging (docs/hacking.md); a callback's non-zero
 * return stops a walk and is not an error.
 */
#ifndef AFFILD_STORE_QUERY_H
#define AFFILD_STORE_QUERY_H

#include "common/date.h"
#include "store/store.h"

/* The columns of an employee row, in order. */
enum qe_col {
	QE_EMPLOYER, QE_NIR, QE_MATRICULE, QE_NOM, QE_NOM_USAGE, QE_PRENOM,
	QE_DATE_NAISSANCE, QE_DATE_EMBAUCHE, QE_CATEGORIE, QE_OPTION,
	QE_STATUS, QE_STATUS_SINCE, QE_EMAIL, QE_RELANCES, QE_INCOMPLETE,
	QE_DATE_FIN_CONTRAT, QE_DATE_FIN_DROITS, QE_PORTABILITE_FIN,
	QE_COLUMNS
};

/* Orders of the rows. */
enum qe_sort {
	QE_SORT_EMPLOYER_NOM,	/* employer, nom, prenom, nir (the listing) */
	QE_SORT_EMPLOYER_NIR,	/* employer, nir: the unique index, no sort
				 * (the export: flat memory at any size) */
	QE_SORT_NOM,		/* nom, prenom, employer, nir */
	QE_SORT_SINCE,		/* status_since, employer, nir */
	QE_SORT_STATUS		/* status, employer, nom, prenom, nir */
};

/* What to list; NULL and -1: no filter, no limit. */
struct employee_query {
	const char *employer;	/* its numero */
	const char *status;
	const char *search;	/* in nom, nom d'usage or prenom, or the
				 * start of the NIR (spaces ignored) */
	enum qe_sort sort;
	long limit, offset;
};

/*
 * store_query_employees - fn for each employee of q, with QE_COLUMNS
 * values borrowed for the call (NULL for an absent value; QE_RELANCES a
 * decimal, QE_INCOMPLETE "0" or "1").
 */
int store_query_employees(struct store *st, const struct employee_query *q,
			  int (*fn)(const char *const *vals, void *arg),
			  void *arg);

/* The SQL of an order, for EXPLAIN QUERY PLAN in the unit test. */
const char *store_query_employees_sql(enum qe_sort sort);

/* The counts `affilctl status` shows. */
struct store_status {
	long files_claimed;		/* being processed */
	long files_held;		/* waiting for the insurer */
	long outbox_pending, outbox_failed;
	long deadlines_due;		/* due on or before the day, not fired */
	int has_last;			/* a file was processed */
	char last_id[STORE_ID_LEN];	/* the last one processed */
	char last_employer[16];
	char last_name[256];		/* cut at 255 bytes */
	char last_state[16];
	int last_return_code;		/* -1: none */
	char last_processed_at[32];
};

/* store_query_status - the counts as of day (Europe/Paris); 0 or -1 */
int store_query_status(struct store *st, struct date day,
		       struct store_status *out);

#endif
