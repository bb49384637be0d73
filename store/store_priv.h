/*
 * store_priv - what the store_*.c files share; not for use outside store/.
 */
#ifndef AFFILD_STORE_PRIV_H
#define AFFILD_STORE_PRIV_H

#include <string.h>

#include "common/date.h"
#include "store/db.h"
#include "store/store.h"

#define STORE_MAX_STMTS 256	/* every static SQL string of the store, with room */

struct store {
	struct db *db;
	char *path;		/* for logs: db_target() */
	struct {
		const char *sql;	/* static string: compared by address */
		struct db_stmt *stmt;
	} cache[STORE_MAX_STMTS];
	int ncache;
	int last_error;		/* primary code of the last failure logged */
	int mv_pending;		/* savepoint mv asked for, not yet taken */
	int mv_open;		/* savepoint mv taken */
	char *node;		/* who claims messages (store_outbox_node) */
	struct st_ahead *ahead;	/* NIRs known absent (store_ahead.c) */
};

/* ---- new employees without a round trip (store_ahead.c) ------------- */

/* st_ahead_take - 1: the employer is known not to hold nir, and *id is a
 * fresh id for its record (the insert follows, with no answer awaited);
 * 0: not known; -1: error */
int st_ahead_take(struct store *st, const char *employer, const char *nir,
		  long long *id);
/* st_ahead_forget - a write may have given nir to a record */
void st_ahead_forget(struct store *st, const char *employer,
		     const char *nir);
/* st_ahead_clear - a transaction begins or ends: nothing is known (and
 * after a ROLLBACK, no reserved id is trusted either) */
void st_ahead_clear(struct store *st, int rollback);

/*
 * st_decided - the movement is decided: the writes that follow will not be
 * refused, so they need no savepoint "mv" (it is taken lazily, before the
 * first write, and only if still wanted).  An error still rolls back the
 * whole file.  Only for code that cannot return "refused" afterwards.
 */
void st_decided(struct store *st);

/* st_stmt - a prepared, reset statement for a static SQL string; taking
 * the pending savepoint "mv" first when the statement writes */
struct db_stmt *st_stmt(struct store *st, const char *sql);
/* st_stmt_flags - the same with db_prepare's flags (DB_BATCH: a bulk
 * file's hot INSERTs, sent several rows at once on PostgreSQL) */
struct db_stmt *st_stmt_flags(struct store *st, const char *sql, int flags);
int st_exec(struct store *st, const char *sql);
/* st_done - step a statement to completion; 0 or -1 after logging */
int st_done(struct store *st, struct db_stmt *s);
/*
 * st_one_row - step s once for the one row a lookup expects: 1 when there
 * was one (read, when set, got it first: column values are valid only
 * during that call), 0 when there was none, -1 after logging with what as
 * the operation.  s is reset in every case; a failed reset counts (it is
 * where an UPDATE ... RETURNING commits outside a transaction).  What read
 * allocated is the caller's to free, whatever the result.
 */
int st_one_row(struct store *st, struct db_stmt *s, const char *what,
	       void (*read)(struct db_stmt *s, void *arg), void *arg);
/* Readers of column 0 for st_one_row: into a long long, an int, or an
 * owned copy of the text (char **, NULL for SQL NULL). */
void st_read_int64(struct db_stmt *s, void *ll);
void st_read_int(struct db_stmt *s, void *i);
void st_read_dup(struct db_stmt *s, void *str);
/* st_text - bind a C string, NULL as SQL NULL */
int st_text(struct db_stmt *s, int i, const char *v);
/* st_text_kept - the same without SQLite's copy: v must stay unchanged
 * until the statement has been stepped (the ingest's hot statements,
 * bound and stepped in one function; st_stmt() clears the bindings
 * before the next use) */
int st_text_kept(struct db_stmt *s, int i, const char *v);
char *st_col_dup(struct db_stmt *s, int i);	/* owned, NULL for SQL NULL */
void st_log_error(struct store *st, const char *what);
/* st_now - the current UTC time as "AAAA-MM-JJTHH:MM:SSZ" */
void st_now(char out[32]);
/* st_stmt_now - st_stmt(), with now filled for the statement's timestamp */
struct db_stmt *st_stmt_now(struct store *st, const char *sql, char now[32]);

int store_migrate(struct store *st);

/*
 * st_tx_open, st_tx_undo, st_tx_close - one unit of a timer run (a
 * deadline, a digest, an expected-file alert): its own transaction, or
 * with in_tx the savepoint "tm" inside the caller's (an admin file's
 * ECHEANCES).  0 or -1.
 */
int st_tx_open(struct store *st, int in_tx);
int st_tx_undo(struct store *st, int in_tx);
int st_tx_close(struct store *st, int in_tx);

/* st_digests - the employers' daily digests of a timer run
 * (store_digest.c); 0 or -1 */
struct timer_run;
int st_digests(struct store *st, struct timer_run *run);

/*
 * ST_COVERED - an employee whose cover is in force or pending (process.md,
 * "The radiation gate"): the one definition, shared by the gate's count
 * and the reconciliation (store_recon.c).  Not DISPENSE (no cover), not
 * PORTABILITE nor RADIE (no longer employees).
 */
#define ST_COVERED "status IN ('AFFILIE', 'EN_COURS', 'A_RELANCER')"

/*
 * EMP_DUE - the earlier of an employee's two deadline columns (relance,
 * jeton), the expression of the partial index employee_due: a query uses
 * the index only when it repeats both texts word for word.
 */
#define EMP_DUE "min(coalesce(due_relance, '9999-12-31'),"\
	" coalesce(due_jeton, '9999-12-31'))"
#define EMP_DUE_WHERE "(due_relance IS NOT NULL OR due_jeton IS NOT NULL)"

/* ---- the employee record and its changes (store_record.c) ----------- */

/*
 * The environment of a change: the config, the employer, the date (Europe/
 * Paris) and the cause written to history: "fichier" (ref: file id:line),
 * "portail" (the same), "timer" (ref: deadline id) or "admin" (ref: user).
 */
struct st_env {
	const struct cfg *cfg;
	const struct cfg_employer *emp;
	struct date today;
	const unsigned char *token_key;	/* HMAC key of invitation tokens */
	size_t token_keylen;
	const char *cause;
	char ref[64];
};

/* An employee record as loaded; every string owned (NULL for SQL NULL):
 * in block when loaded, one allocation each when filled by hand. */
struct st_emp {
	long long id;			/* 0: no record */
	char *block;
	char *employer, *nir, *status, *prev_status, *status_since;
	char *nom, *nom_usage, *prenom, *date_naissance, *date_embauche;
	char *date_effet, *categorie, *email, *email_personnel, *adresse;
	char *code_postal, *ville, *pays, *telephone, *matricule, *option;
	char *iban, *bic, *rum, *date_signature_mandat;
	char *token_hash, *token_expires, *invited_on, *last_relance;
	char *due_relance, *due_jeton;	/* the deadlines held as columns */
	char *date_fin_contrat, *motif_rupture, *date_fin_droits;
	char *portabilite_debut, *portabilite_fin;
	char *dispense_motif, *dispense_fin, *radiation_at;
	char *portabilite_motif_fin;
	char *preuve_chomage;		/* proof of unemployment benefits */
	long long radiation_hist;	/* history row of the last radiation */
	int relances, incomplete;
	int token_n;			/* links issued: the signed token's n */
};

/* st_emp_load - (employer, nir): 0 with e->id 0 when unknown, -1 error */
int st_emp_load(struct store *st, const char *employer, const char *nir,
		struct st_emp *e);
int st_emp_load_id(struct store *st, long long id, struct st_emp *e);
void st_emp_free(struct st_emp *e);

/* st_history - one history row for the employee; returns its id or -1 */
long long st_history(struct store *st, const struct st_env *env,
		     long long emp_id, const char *from, const char *to,
		     const char *what);
/* st_last_history - the id of the employee's latest history row (0: none) */
long long st_last_history(struct store *st, long long emp_id);
/* st_set_status - new status from env->today, previous one remembered */
int st_set_status(struct store *st, const struct st_env *env, long long id,
		  const char *status);
/* st_set_col - one text column of the record (a static column name) */
int st_set_col(struct store *st, long long id, const char *col,
	       const char *value);

/*
 * Deadlines: a date (Europe/Paris, "AAAA-MM-JJ") and a kind, about one
 * employee, with optional JSON data.  The timers fire each at most once.
 */
int st_deadline_add(struct store *st, struct date due, const char *kind,
		    long long emp_id, const char *data);
/* st_deadline_drop - cancel the employee's pending deadlines of kind
 * (NULL: every kind) */
int st_deadline_drop(struct store *st, long long emp_id, const char *kind);
/* st_deadline_drop_data - the same, only those whose data is data (NULL:
 * any) */
int st_deadline_drop_data(struct store *st, long long emp_id,
			  const char *kind, const char *data);
/* st_deadline_pending - 1 and data (owned) when one of kind is pending */
int st_deadline_pending(struct store *st, long long emp_id, const char *kind,
			char **data);

/*
 * st_invite - a new personal link (token_n + 1: any earlier one dies) and
 * its last valid day on the record, and kind ("invitation", "relance")
 * queued to the employee's email, or as a letter when there is none.  For
 * "invitation", invited_on becomes today and the reminder deadline is set.
 * The link is signed, never stored: see token_sign() (common/crypto.h).
 */
int st_invite(struct store *st, const struct st_env *env,
	      const struct st_emp *e, const char *kind);
/* The dates an invitation sets, as text: today (invited_on), the link's
 * last day (token_expires), the day after (due_jeton) and the reminder's
 * (due_relance); for cfg's delays, the same for every row of a day. */
struct st_invite_days {
	struct date today;
	int ttl, after;
	char day[DATE_ISO_SIZE], expires[DATE_ISO_SIZE];
	char jeton[DATE_ISO_SIZE], relance[DATE_ISO_SIZE];
};
const struct st_invite_days *st_invite_days(const struct cfg *cfg,
					    struct date today);
/* st_invite_queue - kind queued with link token_n, valid through expires */
int st_invite_queue(struct store *st, const struct st_env *env,
		    const struct st_emp *e, const char *kind, int token_n,
		    const char *expires);
/* st_revoke_token - the personal link stops working */
int st_revoke_token(struct store *st, long long id);

/*
 * st_notify - queue kind to the employee: vars are the template's own
 * (NULL-terminated name/value list; prenom, nom and employeur are added).
 * departure: a notice about the end of the contract, which goes to
 * email_personnel first, and as a letter too when the employer asks.
 * No email known: a letter.
 */
int st_notify(struct store *st, const struct st_env *env,
	      const struct st_emp *e, const char *kind,
	      const char *const *vars, int departure);
/* st_notify_employer - queue kind to an employer address (NULL: nothing) */
int st_notify_employer(struct store *st, const struct st_env *env,
		       const struct st_emp *e, const char *to,
		       const char *kind, const char *const *vars);

#endif
