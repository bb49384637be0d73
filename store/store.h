/*
 * store - affild's state: employees, their history, the files received,
 * the outbox and the deadlines, in SQLite (a local file, the default) or
 * PostgreSQL (shared by several daemons); store/db.h is the one seam, and
 * sqlite3.h and libpq-fe.h are included nowhere else.
 *
 * One struct store is one connection.  Daemons are the only writers:
 * nothing else writes the database.  affilctl opens its own read-only
 * (readers never wait, thanks to WAL); its changes are files of the admin
 * drop, applied by the daemon like any other (docs/design.md, "One
 * writer").  store_open()
 * brings the schema up to date with the numbered migrations in
 * store_schema.c, each in its own transaction, recorded in user_version.
 *
 * Errors: functions return 0 on success and -1 after logging; -1 from
 * inside a file's transaction means "roll back and try the file later"
 * (TEMPFAIL: busy, disk full, I/O error).  Strings returned in structs are
 * owned by the struct and freed with its *_free() function.
 */
#ifndef AFFILD_STORE_H
#define AFFILD_STORE_H

#include <stddef.h>
#include <time.h>

#include "common/buf.h"
#include "common/date.h"
#include "config/config.h"
#include "parsers/movement.h"

#define STORE_ID_LEN 16		/* "AAAAMMJJ-NNNNNN" and the NUL */

struct store;

enum store_mode { STORE_RW, STORE_RO };

/*
 * store_open - open (and migrate, when RW) the database: target is a
 * file path (SQLite) or a postgresql:// URI; NULL on error.
 * store_open_pw - the same with PostgreSQL's password read from a file
 * (NULL: the unit's credential db-password, else libpq's ~/.pgpass).
 */
/* store_target_is_url - target names a PostgreSQL database */
int store_target_is_url(const char *target);
struct store *store_open(const char *target, enum store_mode mode,
			 int cache_mb, int busy_timeout_s);
struct store *store_open_pw(const char *target, const char *password_file,
			    enum store_mode mode, int cache_mb,
			    int busy_timeout_s);
void store_close(struct store *st);
int store_schema_version(struct store *st);

/*
 * store_copy - every row of from into to, ids kept, in to's one
 * transaction (store_copy.c): both at this binary's schema, to empty.
 * done(table, rows) for each table once both sides count the same.  0, or
 * -1 after logging, to left empty.
 */
int store_copy(struct store *from, struct store *to,
	       void (*done)(const char *table, long long rows, void *),
	       void *arg);

/*
 * store_begin - the write transaction, alone among writers (SQLite's
 * BEGIN IMMEDIATE; PostgreSQL's advisory lock on the whole database).
 * store_begin_for - a file's transaction: PostgreSQL serialises it only
 * with the employer's other writers (a lock on the employer, shared on
 * the whole), so daemons apply different employers' files side by side.
 */
int store_begin(struct store *st);
int store_begin_for(struct store *st, const char *employer);
int store_commit(struct store *st);
int store_rollback(struct store *st);
/* Savepoints by name ("file", "mv"); rollback_to also releases it. */
int store_savepoint(struct store *st, const char *name);
int store_release(struct store *st, const char *name);
int store_rollback_to(struct store *st, const char *name);

/* ---- files: the tracked requests ---------------------------------- */

enum file_state { FILE_CLAIMED, FILE_DONE, FILE_QUARANTINED };
/* Also as strings in file.state: "held" (the radiation gate: nothing
 * applied, waiting for the insurer), then "approved" or "refused" once a
 * request of that kind was served (its new_file_id names the run). */

struct file_rec {
	char id[STORE_ID_LEN];
	char employer[16];
	char *name;
	char *sha256;
	char *state;
	char *received_at;
	char *processed_at;
	char *report;
	char *message;
	int validation;
	int return_code;	/* -1 while not processed */
	long movements, accepted, rejected, warnings;
	long long size;
	int requests_only;	/* only EXPORT: never a duplicate */
	char *submitted_by;	/* the admin drop: the login of the file's
				 * owner at its claim; NULL elsewhere */
};

/* store_file_claim - a new tracking row (own transaction); writes id */
int store_file_claim(struct store *st, const char *employer, const char *name,
		     long long size, int validation, char id[STORE_ID_LEN]);
/* store_file_claim_by - the same for the admin drop, with the login of
 * the file's owner (history cause "admin:<by>") */
int store_file_claim_by(struct store *st, const char *employer,
			const char *name, long long size, const char *by,
			char id[STORE_ID_LEN]);
/* store_file_claim_forced - the same for a forced reprocess's copy */
int store_file_claim_forced(struct store *st, const char *employer,
			    const char *name, long long size,
			    long long reprocess_id, char id[STORE_ID_LEN]);
/*
 * store_file_attempt - count one more failed run of file id (in its own
 * statement: the run's transaction was rolled back); *attempts: the count.
 */
int store_file_attempt(struct store *st, const char *id, int *attempts);
/*
 * store_failure_transient - 1 when the last failure the store logged may
 * pass with time (busy, locked, full, I/O, memory); the record is cleared.
 */
int store_failure_transient(struct store *st);
/*
 * store_file_own, store_file_disown - a claimed file is worked on by one
 * daemon at a time.  PostgreSQL: the session's advisory lock on the file's
 * id, taken in its claim's transaction, kept while it is in work/ (a
 * failed run keeps it for the retry) and let go once it has left; a
 * daemon that dies loses it with its connection, and another daemon
 * adopts the file at its next rescan.  SQLite: one daemon, kept alone by
 * its lock file: always owned.  own: 1 owned, 0 another daemon's (and
 * store_failure_transient() says so: wait), -1 error.  Every transaction
 * of a file asks again: a connection made again has lost its locks.
 */
int store_file_own(struct store *st, const char *id);
void store_file_disown(struct store *st, const char *id);
/* store_file_forget - drop a claim whose rename never happened */
int store_file_forget(struct store *st, const char *id);
/* store_file_get - 1 found, 0 unknown, -1 error; free with file_rec_free */
int store_file_get(struct store *st, const char *id, struct file_rec *out);
void file_rec_free(struct file_rec *f);

/* store_file_finish - inside the file's transaction: final counts */
int store_file_finish(struct store *st, const struct file_rec *f);
/* store_file_line - inside the file's transaction: one rejected/warning line */
int store_file_line(struct store *st, const char *file_id, long line,
		    const char *op, const char *nir, const char *result,
		    const char *code, const char *field, const char *msg);
/* store_file_duplicate - earlier applied file with this digest; 1 found */
int store_file_duplicate(struct store *st, const char *employer,
			 const char *sha256, const char *self_id,
			 char earlier_id[STORE_ID_LEN], char *earlier_name,
			 size_t namelen, char *earlier_at, size_t atlen);

/* store_files_each - call fn for each file matching (NULL: any) */
int store_files_each(struct store *st, const char *employer,
		     const char *state, int (*fn)(const struct file_rec *, void *),
		     void *arg);
/* store_file_lines_each - the stored lines of a file */
int store_file_lines_each(struct store *st, const char *file_id,
			  int (*fn)(long line, const char *op, const char *nir,
				    const char *result, const char *code,
				    const char *field, const char *msg,
				    void *arg),
			  void *arg);

/* store_file_lines_purge - retention: the stored lines of files claimed
 * before before_id ("AAAAMMJJ-"); the file rows stay.  count: deleted */
int store_file_lines_purge(struct store *st, const char *before_id,
			   long long *count);

/* ---- reprocess requests (store_reprocess.c) ------------------------- */

/* Kinds of request: a forced run, or the insurer's decision on a held
 * file (the radiation gate). */
#define REPROCESS_FORCE "reprocess"
#define REPROCESS_APPROVE "approve"
#define REPROCESS_REFUSE "refuse"

struct reprocess_rec {
	long long id;
	char file_id[STORE_ID_LEN];	/* the file to process again */
	char kind[16];			/* REPROCESS_* */
	char requested_by[64];
	char requested_at[32];
};

/* store_reprocess_request - affilctl: record one of kind REPROCESS_*
 * (own commit) */
int store_reprocess_request(struct store *st, const char *file_id,
			    const char *kind, const char *by,
			    long long *req_id);
/* store_reprocess_pending - 1 when file_id has a request not yet done */
int store_reprocess_pending(struct store *st, const char *file_id);
/* store_reprocess_next - daemon: the oldest pending request that has no
 * claimed copy yet; 1 found, 0 none, -1 error */
int store_reprocess_next(struct store *st, struct reprocess_rec *rq);
/* store_reprocess_of - is file_id a forced copy? 1 yes (rq filled) */
int store_reprocess_of(struct store *st, const char *file_id,
		       struct reprocess_rec *rq);
/* store_reprocess_close - inside the copy's transaction (new_file_id), or
 * alone when the request cannot be served (error) */
int store_reprocess_close(struct store *st, long long req_id,
			  const char *new_file_id, const char *error);
/* store_file_decided - inside the decided run's transaction: held file
 * file_id becomes state ("approved", "refused"); 1 when it was not held
 * (nothing changed), 0, -1 */
int store_file_decided(struct store *st, const char *file_id,
		       const char *state);

/* ---- employees ---------------------------------------------------- */

struct employee_rec {
	long long id;
	char employer[16];
	char nir[16];
	char status[16];
	char *nom, *prenom, *email, *option, *date_embauche, *matricule;
	char *status_since;
};

/* store_employees_covered - the employer's employees whose cover is in
 * force or pending (AFFILIE, EN_COURS, A_RELANCER): the radiation gate's
 * base, read inside the file's transaction before it changes anything */
int store_employees_covered(struct store *st, const char *employer,
			    long *count);

int store_employees_each(struct store *st, const char *employer,
			 const char *status, const char *search,
			 int (*fn)(const struct employee_rec *, void *),
			 void *arg);

/* One employee as affilctl shows it: every field (IBAN masked), then the
 * beneficiaries (lien, nom, prenom, date_naissance, nir, situation,
 * date_fin) and the history (at, from, to, what, cause, ref), in order. */
struct employee_detail_cb {
	/* number: the column holds an integer (value is its decimal) */
	int (*field)(const char *name, const char *value, int number,
		     void *arg);
	int (*beneficiary)(const char *const *vals, int n, void *arg);
	int (*history)(const char *const *vals, int n, void *arg);
};

/* store_employee_detail - 0 shown, 1 no such employee, -1 error */
int store_employee_detail(struct store *st, const char *employer,
			  const char *nir, const struct employee_detail_cb *cb,
			  void *arg);

/* store_export_each - the employer's employees for an EXPORT, in name
 * order, optionally of one status: fn gets EXPORT_COLUMNS values */
#define EXPORT_COLUMNS 15
extern const char *const store_export_names[EXPORT_COLUMNS];
int store_export_each(struct store *st, const char *employer,
		      const char *status,
		      int (*fn)(const char *const *vals, void *arg),
		      void *arg);

/* store_bulletin - the individual affiliation bulletin of (employer, nir)
 * as a title and a French text (no NIR; the IBAN's last 4 characters
 * only): 0, 1 no such employee, -1 error */
int store_bulletin(struct store *st, const struct cfg *cfg,
		   const char *employer, const char *nir, struct date today,
		   struct buf *title, struct buf *body);

/* ---- reconciliation (store_recon.c) ---------------------------------- */

/*
 * A RECONCILIATION file lists the employees its employer considers
 * covered; it is compared with the records and applies nothing.  Its NIRs
 * go to a temporary table of the file's transaction (temp.recon_nir, one
 * row per NIR: the file is never held in memory), rolled back with it.
 */

/* What one row found (store_recon_row). */
enum recon_found {
	RECON_SAME,		/* covered, every field given as on record */
	RECON_DIFFERS,		/* covered, some field differs (W254 each) */
	RECON_UNKNOWN,		/* no record at this employer (W251) */
	RECON_NOT_COVERED,	/* on record, not covered (W252) */
	RECON_TWICE		/* the NIR came earlier in the file (E255) */
};

/* store_recon_begin - inside the file's transaction, before its first
 * row: an empty temp.recon_nir; 0, -1 */
int store_recon_begin(struct store *st);
/*
 * store_recon_row - one checked RECONCILIATION row (valid NIR) against the
 * record of (employer, nir): its NIR noted, its findings added to mv (an
 * I250 line, and W251, W252, one W254 per field, or E255); *fields counts
 * the W254.  Returns an enum recon_found, or -1 on a database error.
 */
int store_recon_row(struct store *st, const char *employer,
		    struct movement *mv, long *fields);
/*
 * store_recon_missing_each - after the last row: every covered employee of
 * the employer (ST_COVERED, as the radiation gate counts them) whose NIR
 * no row gave, in NIR order, down the (employer, nir) index: fn gets
 * borrowed values (prenom, nom may be NULL); a non-zero return stops the
 * walk and is returned.  0, or -1 on a database error.
 */
int store_recon_missing_each(struct store *st, const char *employer,
			     int (*fn)(const char *nir, const char *prenom,
				       const char *nom, const char *status,
				       void *arg),
			     void *arg);

/* ---- the apply step (store_apply.c and store_apply.h) --------------- */

/*
 * store_read_ahead - how many movements a file's pipeline reads before it
 * applies them: 1 on SQLite, where a lookup costs a microsecond; on
 * PostgreSQL, where it costs a round trip, a batch whose NIRs
 * store_prefetch() asks about at once (store_ahead.c).
 */
int store_read_ahead(const struct store *st);
/*
 * store_prefetch - inside a file's transaction, before applying a batch of
 * the employer's movements: which of their NIRs (as the checks normalise
 * them; n at most store_read_ahead()) the employer holds, asked at once,
 * so that the new employees among them are inserted without waiting for
 * an answer.  Nothing on SQLite.  0 or -1.
 */
int store_prefetch(struct store *st, const char *employer,
		   const char *const *nirs, int n);

struct apply_ctx {
	const struct cfg *cfg;
	const struct cfg_employer *emp;
	const char *file_id;		/* cause of the change */
	struct date today;
	const unsigned char *token_key;	/* HMAC key for invitation tokens */
	size_t token_keylen;
	int portal;			/* the file came through the portal */
	const char *cause;		/* history cause; NULL: "fichier", or
					 * "portail" (portal).  The admin
					 * drop's: "admin:<login>" */
};

/*
 * store_apply - apply one checked movement inside the file's transaction.
 * 0: applied or "déjà pris en compte" (findings added to mv); 1: rejected
 * by the rules (an E finding added, nothing changed); -1: database error.
 */
int store_apply(struct store *st, const struct apply_ctx *ctx,
		struct movement *mv);

/*
 * store_admin_portability - an OUVERTURE_PORTABILITE row of the admin
 * drop: RADIE → PORTABILITE for a former employee whose `examen`
 * departure reason turned out to give the right, with the dates of the
 * radiation, inside the caller's transaction.  History: cause (the
 * drop's "admin:<login>") and ref (file:line).  0 done, 1 refused (why
 * says it, in French), -1 error.
 */
int store_admin_portability(struct store *st, const struct cfg *cfg,
			    const char *employer, const char *nir,
			    const char *cause, const char *ref,
			    const char *justification, struct date today,
			    char *why, size_t whylen);

/* store_admin_unemployment_proof - a PREUVE_CHOMAGE row: the proof of
 * unemployment benefits arrived (no reminder); 0, 1 refused (why), -1 */
int store_admin_unemployment_proof(struct store *st, const struct cfg *cfg,
				   const char *employer, const char *nir,
				   const char *cause, const char *ref,
				   struct date today, char *why,
				   size_t whylen);

/* store_metrics - the counts of the metrics file (daemon/metrics.c) */
int store_metrics(struct store *st,
		  int (*fn)(const char *name, const char *help,
			    const char *label, const char *value,
			    long long count, void *arg),
		  void *arg);

/* ---- outbox ------------------------------------------------------- */

struct outbox_rec {
	long long id;
	char *kind, *recipient, *data, *message_id, *state, *last_error;
	char *created_at;
	int attempts;
};

/*
 * store_outbox_node - the name this daemon claims messages under
 * (PostgreSQL: several daemons deliver the one outbox).
 * store_outbox_release_mine - at start, after the sent journal is
 * replayed: what this daemon had claimed when it stopped is due again.
 */
void store_outbox_node(struct store *st, const char *node);
/* store_outbox_waiting - 1 when a message is due now or claimed by this
 * daemon and not yet recorded, 0 when none, -1 error */
int store_outbox_waiting(struct store *st);
int store_outbox_release_mine(struct store *st);

/*
 * store_outbox_due - up to max pending messages due now, oldest first.
 * PostgreSQL: each is claimed for this daemon first (FOR UPDATE SKIP
 * LOCKED: no other daemon gets it) until its outcome is recorded, or for
 * OUTBOX_LEASE_S if this daemon dies; fn returns non-zero to stop on a
 * row it does not take (a full queue, a failure): that row and the rest
 * are let go at once.
 */
#define OUTBOX_LEASE_S 900
/* store_outbox_renew - this daemon's claims not yet recorded (in the SMTP
 * thread's queue, their outcome kept) stay its own: a slow relay may take
 * longer than one lease.  At each sender_run(); 0 or -1 */
int store_outbox_renew(struct store *st);
int store_outbox_due(struct store *st, int max,
		     int (*fn)(const struct outbox_rec *, void *), void *arg);
/*
 * store_outbox_vars - the message's vars as name/value pairs: first those
 * frozen in its row, then the person's (prenom, nom, matricule, the
 * address) and the employer's name as they are now, then for an
 * invitation or reminder the personal link, signed again with key from
 * the number and last day frozen in the row (lien, date_limite).  The
 * first of two pairs of the same name wins.
 */
struct outbox_keys {
	const struct cfg *cfg;
	const unsigned char *token_key;
	size_t token_keylen;
};
int store_outbox_vars(struct store *st, const struct outbox_keys *k,
		      long long id,
		      int (*fn)(const char *name, const char *value, void *),
		      void *arg);
int store_outbox_sent(struct store *st, long long id, const char *message_id);
int store_outbox_retry(struct store *st, long long id, int delay_s,
		       const char *why);
int store_outbox_failed(struct store *st, long long id, const char *why);
/* store_outbox_defer - due again in delay_s, attempts unchanged */
int store_outbox_defer(struct store *st, long long id, int delay_s,
		       const char *why);
/* store_outbox_requeue - failed → pending, due now, attempts kept: 0, -1
 * on a database error, or one of: */
#define OUTBOX_REQUEUE_UNKNOWN 1	/* no such message */
#define OUTBOX_REQUEUE_NOT_FAILED 2	/* pending or sent: nothing to do */
#define OUTBOX_REQUEUE_NO_LINK 3	/* invitation link erased when parked */
int store_outbox_requeue(struct store *st, long long id);
/* store_outbox_purge - retention: sent messages older than before deleted */
int store_outbox_purge(struct store *st, const char *before, long long *count);
int store_outbox_each(struct store *st, const char *state,
		      int (*fn)(const struct outbox_rec *, void *), void *arg);

/*
 * The postal side of an outbox row, for letters (store_postal.c): the
 * employer's numero and the employee's current name and address, when the
 * row names an employee.  Any field may be NULL.  Owned by the struct:
 * store_outbox_postal_free().
 */
struct outbox_postal {
	char *employer;
	char *prenom, *nom, *adresse, *code_postal, *ville, *pays;
};

/* store_outbox_postal - fill p for outbox row id; 0, or -1 (unknown row or
 * database error, logged) */
int store_outbox_postal(struct store *st, long long id,
			struct outbox_postal *p);
void store_outbox_postal_free(struct outbox_postal *p);

/* ---- timers: the deadlines fire (store_timer.c) ---------------------- */

/* What became of one deadline in a run. */
enum timer_outcome {
	TIMER_DONE,		/* fired: its change and mail committed */
	TIMER_NOOP,		/* no longer applicable: marked done, nothing else */
	TIMER_SKIPPED		/* left pending (unknown employer or kind) */
};

/* One pending deadline; strings borrowed for the duration of a callback. */
struct timer_rec {
	long long id;
	const char *due;		/* "AAAA-MM-JJ", Europe/Paris */
	const char *kind;		/* "relance", "jeton", ... */
	long long employee_id;
	const char *employer, *matricule, *nom, *prenom;	/* may be NULL */
	enum timer_outcome outcome;	/* store_timers_run() only */
};

/*
 * One run of the timers "as of" a date: every deadline due on or before
 * as_of, in (due, id) order, each in its own transaction (the change, its
 * history row with cause "timer" and ref "echeance:<id>", its outbox rows
 * and done_at), then the employers' daily digests.  fn, when set, hears of
 * each deadline after its COMMIT.  At most max deadlines (0: no limit);
 * more is set when some remain due.  The daemon's timer calls this, and
 * an ECHEANCES row of the admin drop (`affilctl timers run`) with in_tx:
 * then the caller's transaction (the admin file's) holds every firing,
 * each under a savepoint instead of its own COMMIT, and the digests; fn
 * hears of each deadline once it is released.
 */
struct timer_run {
	const struct cfg *cfg;
	const unsigned char *token_key;	/* HMAC key of invitation tokens */
	size_t token_keylen;
	struct date as_of;
	int max;
	int in_tx;			/* inside the caller's transaction */
	int (*fn)(const struct timer_rec *, void *);
	void *arg;
	int fired, noop, skipped, digests, more;	/* out */
};

/* store_timers_run - 0, or -1 after a database error (that firing rolled
 * back; the deadlines before it stay fired) */
int store_timers_run(struct store *st, struct timer_run *run);
/* store_timer_next - 1 and *due for the earliest pending deadline, 0 when
 * none, -1 on error.  One step down each of the partial indexes
 * deadline_due and employee_due. */
int store_timer_next(struct store *st, struct date *due);
/* store_timers_each - the next limit pending deadlines, in firing order */
int store_timers_each(struct store *st, int limit,
		      int (*fn)(const struct timer_rec *, void *), void *arg);
/* The due queries (deadline rows; the employee's relance and jeton
 * columns), for EXPLAIN QUERY PLAN in the unit tests. */
extern const char store_timers_due_sql[];
extern const char store_timers_due_col_sql[];

#endif
