/*
 * store - affild's state in SQLite: employees, their history, the files
 * received, the outbox and the deadlines.  sqlite3.h is included nowhere
 * else.
 *
 * One struct store is one connection.  The daemon holds the only writer;
 * affilctl opens its own (readers never wait, thanks to WAL).  store_open()
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

#include "common/date.h"
#include "config/config.h"
#include "parsers/movement.h"

#define STORE_ID_LEN 16		/* "AAAAMMJJ-NNNNNN" and the NUL */

struct store;

enum store_mode { STORE_RW, STORE_RO };

/* store_open - open (and migrate, when RW) the database; NULL on error */
struct store *store_open(const char *path, enum store_mode mode,
			 int cache_mb, int busy_timeout_s);
void store_close(struct store *st);
int store_schema_version(struct store *st);

int store_begin(struct store *st);	/* BEGIN IMMEDIATE */
int store_commit(struct store *st);
int store_rollback(struct store *st);
/* Savepoints by name ("file", "mv"); rollback_to also releases it. */
int store_savepoint(struct store *st, const char *name);
int store_release(struct store *st, const char *name);
int store_rollback_to(struct store *st, const char *name);

/* ---- files: the tracked requests ---------------------------------- */

enum file_state { FILE_CLAIMED, FILE_DONE, FILE_QUARANTINED };

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
};

/* store_file_claim - a new tracking row (own transaction); writes id */
int store_file_claim(struct store *st, const char *employer, const char *name,
		     long long size, int validation, char id[STORE_ID_LEN]);
/* store_file_claim_forced - the same for a forced reprocess's copy */
int store_file_claim_forced(struct store *st, const char *employer,
			    const char *name, long long size,
			    long long reprocess_id, char id[STORE_ID_LEN]);
/* store_file_forget - drop a claim whose rename never happened */
int store_file_forget(struct store *st, const char *id);
/* store_file_get - 0 found, 1 unknown, -1 error; free with file_rec_free */
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

struct reprocess_rec {
	long long id;
	char file_id[STORE_ID_LEN];	/* the file to process again */
	char requested_by[64];
	char requested_at[32];
};

/* store_reprocess_request - affilctl: record one (own commit) */
int store_reprocess_request(struct store *st, const char *file_id,
			    const char *by, long long *req_id);
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

/* ---- employees ---------------------------------------------------- */

struct employee_rec {
	long long id;
	char employer[16];
	char nir[16];
	char status[16];
	char *nom, *prenom, *email, *option, *date_embauche, *matricule;
	char *status_since;
};

int store_employees_each(struct store *st, const char *employer,
			 const char *status, const char *search,
			 int (*fn)(const struct employee_rec *, void *),
			 void *arg);

/* ---- the apply step (store_apply.c) --------------------------------- */

struct apply_ctx {
	const struct cfg *cfg;
	const struct cfg_employer *emp;
	const char *file_id;		/* cause of the change */
	struct date today;
	const unsigned char *token_key;	/* HMAC key for invitation tokens */
	size_t token_keylen;
};

/*
 * store_apply - apply one checked movement inside the file's transaction.
 * 0: applied or "déjà pris en compte" (findings added to mv); 1: rejected
 * by the rules (an E finding added, nothing changed); -1: database error.
 */
int store_apply(struct store *st, const struct apply_ctx *ctx,
		struct movement *mv);

/* ---- outbox ------------------------------------------------------- */

struct outbox_rec {
	long long id;
	char *kind, *recipient, *data, *message_id, *state, *last_error;
	char *created_at;
	int attempts;
};

/* store_outbox_due - up to max pending messages due now, oldest first */
int store_outbox_due(struct store *st, int max,
		     int (*fn)(const struct outbox_rec *, void *), void *arg);
/* store_outbox_vars - the message's data as name/value pairs */
int store_outbox_vars(struct store *st, long long id,
		      int (*fn)(const char *name, const char *value, void *),
		      void *arg);
int store_outbox_sent(struct store *st, long long id);
int store_outbox_retry(struct store *st, long long id, int delay_s,
		       const char *why);
int store_outbox_failed(struct store *st, long long id, const char *why);
int store_outbox_each(struct store *st, const char *state,
		      int (*fn)(const struct outbox_rec *, void *), void *arg);

#endif
