/*
 * db_pg - the PostgreSQL driver (libpq), for a database shared by several
 * daemons.
 *
 * Statements are prepared once per connection (PQprepare, named s1, s2...)
 * and run with text parameters; a connection lost between transactions is
 * reset and its statements prepared again on their next use.  Writers
 * serialise on advisory locks held until COMMIT (db_begin): the whole
 * database, as SQLite's BEGIN IMMEDIATE does, or, for a file, shared on
 * the whole and exclusive on its employer.  A COMMIT that returned is
 * durable (synchronous_commit, the server's default).
 *
 * Writes wait for nothing (libpq's pipeline mode): inside a transaction,
 * an INSERT, UPDATE or DELETE without RETURNING is sent and its result read
 * with the next statement that returns something (a read, a RETURNING,
 * db_changes, a COMMIT), in one round trip.  Its failure sticks: every
 * statement after it fails with its error, COMMIT included, until a
 * ROLLBACK (or a ROLLBACK TO, which undoes it anyway); the transaction is
 * lost either way, as with any failure in PostgreSQL.
 */
#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "store/db_impl.h"

/* The advisory locks' first key: the whole database, an employer. */
#define LOCK_ALL "1"
#define LOCK_KEY 2

#define INT8OID 20
#define INT2OID 21
#define INT4OID 23

/* writes sent before their results are read: their results (a few dozen
 * bytes each) fit the socket's buffers, and libpq reads what comes back
 * whenever it cannot write, so neither side waits on the other; a sync
 * every PIPE_MAX writes (docs/performance.md: 64 cost 15%) */
#define PIPE_MAX 512

/* fail_of - the class of an SQLSTATE (PostgreSQL's appendix A) */
static enum db_fail fail_of(const char *state)
{
	if (state == NULL)
		return DB_IO;		/* no answer: the connection is gone */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
	    strncmp(state, "58", 2) == 0)
		return DB_IO;
	if (strcmp(state, "53100") == 0)
		return DB_FULL;
	if (strcmp(state, "53200") == 0)
		return DB_NOMEM;
	if (strncmp(state, "53", 2) == 0 || strncmp(state, "40", 2) == 0 ||
	    strcmp(state, "55P03") == 0)
		return DB_BUSY;
	if (strcmp(state, "25006") == 0)	/* a standby, after failover */
		return DB_READONLY;
	if (strncmp(state, "23", 2) == 0)
		return DB_CONSTRAINT;
	return DB_OTHER;
}

/* failed - note the failure of res (NULL: of the connection); a sticky
 * one stays the one said.  Only the primary message and the SQLSTATE:
 * DETAIL and CONTEXT quote the values (a key's NIR, a COPY's row). */
static void failed(struct db *db, PGresult *res)
{
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) :
		PQerrorMessage(db->pg);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) :
		NULL;
	size_t n;

	if (db->sticky)
		return;
	db->fail = PQstatus(db->pg) != CONNECTION_OK ? DB_IO :
		fail_of(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
	snprintf(db->msg, sizeof(db->msg), "%s%s%s%s", m && *m ? m :
		 "no answer", state ? " (SQLSTATE " : "", state ? state : "",
		 state ? ")" : "");
	n = strlen(db->msg);
	while (n > 0 && isspace((unsigned char)db->msg[n - 1]))
		db->msg[--n] = '\0';
}

/* result_ok - res is a success; cleared and noted when not */
static int result_ok(struct db *db, PGresult *res)
{
	ExecStatusType t = PQresultStatus(res);

	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK ||
	    t == PGRES_SINGLE_TUPLE)
		return 1;
	failed(db, res);
	PQclear(res);
	return 0;
}

/* answered - a synchronous call's result: 0 a success (cleared), -1 a
 * failure or no answer (noted) */
static int answered(struct db *db, PGresult *res)
{
	if (res == NULL) {
		failed(db, NULL);
		return -1;
	}
	if (!result_ok(db, res))
		return -1;
	PQclear(res);
	return 0;
}

/* strip_password - the URI for logs: user@host/db, no password, in the
 * authority (user:pw@) nor as a parameter (password=pw) */
static char *strip_password(const char *uri)
{
	const char *at = strchr(uri, '@'), *scheme = strstr(uri, "://");
	const char *colon = NULL, *pw;
	char *out = xstrdup(uri), *p;

	if (at && scheme && at > scheme)
		colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
	if (colon)
		memmove(out + (colon - uri), out + (at - uri), strlen(at) + 1);
	if ((pw = strstr(out, "password=")) != NULL) {
		p = (char *)pw + 9;
		memmove(p, p + strcspn(p, "&"), strlen(p + strcspn(p, "&")) + 1);
	}
	return out;
}

/*
 * ready - the connection usable for the next statement: a connection lost
 * since (a server restart, a failover, a session ended by the DBA) is
 * made again, and every statement will be prepared again (gen).  Not in
 * a transaction: its statements fail, with the transient class of a lost
 * link, until the caller's ROLLBACK; they must never run on in autocommit.
 */
static int ready(struct db *db)
{
	if (PQstatus(db->pg) == CONNECTION_OK)
		return 0;
	if (db->tx) {
		failed(db, NULL);
		return -1;
	}
	if (db->streaming)	/* cut: never read as finished */
		pg_reset(db->streaming);
	PQreset(db->pg);
	pgb_discard(db);
	db->gen++;
	db->streaming = NULL;
	db->piped = 0;		/* a new link has nothing in flight */
	db->sticky = 0;
	if (PQstatus(db->pg) != CONNECTION_OK) {
		failed(db, NULL);
		return -1;
	}
	log_info("event=db_reconnected db=%s", db->target);
	return 0;
}

/*
 * password - the password from password_file, else from the unit's
 * credential db-password; NULL when neither is set (libpq looks in
 * ~/.pgpass), or after logging when the file cannot be read.
 */
static char *password(const char *password_file, int *err)
{
	const char *dir = getenv("CREDENTIALS_DIRECTORY");
	char path[4096], buf[1024];
	size_t n;
	FILE *fp;

	*err = 0;
	if (password_file == NULL) {
		if (dir == NULL || (size_t)snprintf(path, sizeof(path),
				    "%s/db-password", dir) >= sizeof(path) ||
		    access(path, F_OK) != 0)
			return NULL;
		password_file = path;
	}
	if ((fp = fopen(password_file, "re")) == NULL) {
		log_err_errno("event=db_password_unreadable path=%s",
			      password_file);
		*err = 1;
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	return xstrdup(buf);
}

static void quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

struct db *pg_open(const char *uri, const char *password_file, int readonly)
{
	/* as parameters, not SET: PQreset() connects with them again */
	static const char *const keys[] = {
		"dbname", "application_name", "client_encoding", "options",
		"password", NULL
	};
	const char *vals[6] = { uri, "affild", "UTF8", NULL, NULL, NULL };
	struct db *db = xcalloc(1, sizeof(*db));
	char qd[LOG_QUOTE_MAX], qe[LOG_QUOTE_MAX];
	char *pw;
	int err;

	db->kind = DB_PG;
	db->target = strip_password(uri);
	db->readonly = readonly;
	db->gen = 1;
	vals[3] = readonly ? "-c default_transaction_read_only=on" : NULL;
	vals[4] = pw = password(password_file, &err);
	if (err)
		goto fail;
	db->pg = PQconnectdbParams(keys, vals, 1);
	if (pw) {
		explicit_bzero(pw, strlen(pw));
		free(pw);
	}
	if (db->pg == NULL || PQstatus(db->pg) != CONNECTION_OK) {
		log_err("event=db_open_failed db=%s error=%s",
			log_quote(qd, sizeof(qd), db->target),
			log_quote(qe, sizeof(qe), db->pg ?
				  PQerrorMessage(db->pg) : "out of memory"));
		goto fail;
	}
	/* notices (a savepoint's, IF NOT EXISTS) are not errors */
	PQsetNoticeProcessor(db->pg, quiet, NULL);
	return db;
fail:
	db_close(db);
	return NULL;
}

void pg_close(struct db *db)
{
	if (db->pg)
		PQfinish(db->pg);
}

static void set_changes(struct db *db, PGresult *res)
{
	const char *n = PQcmdTuples(res);

	if (n && *n)
		db->changes = strtoll(n, NULL, 10);
}

/*
 * collect - after PQpipelineSync: the results of the piped writes, then,
 * with last, the one of the statement sent after them, kept in *last; out
 * of pipeline mode after.  0, or -1 with the first failure noted.
 */
static int collect(struct db *db, PGresult **last)
{
	int query = 0, total = db->piped + (last != NULL), err = 0, nulls = 0;
	PGresult *res;

	for (;;) {
		if ((res = PQgetResult(db->pg)) == NULL) {
			if (++nulls > 1)	/* nothing more is coming: */
				break;		/* the link is gone */
			query++;		/* the end of one's results */
			continue;
		}
		nulls = 0;
		switch (PQresultStatus(res)) {
		case PGRES_PIPELINE_SYNC:
			PQclear(res);
			goto synced;
		case PGRES_COMMAND_OK:
		case PGRES_TUPLES_OK:
			set_changes(db, res);
			if (last && query == total - 1 && !err) {
				*last = res;
				continue;
			}
			break;
		case PGRES_PIPELINE_ABORTED:	/* after an earlier failure */
			break;
		default:
			if (!err)
				failed(db, res);
			err = 1;
			break;
		}
		PQclear(res);
	}
	err = 1;
	if (db->fail == DB_OK)
		failed(db, NULL);
synced:
	db->piped = 0;
	db->sticky |= err;
	if (!PQexitPipelineMode(db->pg) && !err) {
		failed(db, NULL);
		err = 1;
	}
	if (err && last && *last) {
		PQclear(*last);
		*last = NULL;
	}
	return err ? -1 : 0;
}

/* pipe_flush - the piped writes' results read: nothing waits after */
static int pipe_flush(struct db *db)
{
	if (db->piped == 0)
		return 0;
	if (!PQpipelineSync(db->pg)) {
		failed(db, NULL);
		db->sticky = 1;
		return collect(db, NULL);	/* what came back, then out */
	}
	return collect(db, NULL);
}

long long pg_changes(struct db *db)
{
	return pgb_flush(db) < 0 || pipe_flush(db) < 0 ? 0 : db->changes;
}

int pg_exec(struct db *db, const char *sql)
{
	PGresult *res;
	char *pg;
	int rollback = strcasecmp(sql, "ROLLBACK") == 0;
	int end = rollback || strcasecmp(sql, "COMMIT") == 0;

	if (rollback)
		pgb_discard(db);	/* the rows kept go with it */
	else if (pgb_flush(db) < 0)
		return -1;
	if (rollback && PQstatus(db->pg) != CONNECTION_OK) {
		db->tx = 0;	/* the server rolled it back with the link */
		db->piped = 0;
		db->sticky = 0;
		return 0;
	}
	/* db->tx still set: a link lost in the transaction fails COMMIT,
	 * and all else until the caller's ROLLBACK */
	if (ready(db) < 0)
		return -1;
	if (end)
		db->tx = 0;	/* whatever the outcome: over */
	if (pipe_flush(db) < 0 && !rollback)
		return -1;
	if (db->sticky && !rollback)
		return -1;		/* a piped write failed: said already */
	db->sticky = 0;
	pg = db_pg_sql(sql, NULL);
	db->fail = DB_OK;
	if (db->streaming)
		pg_reset(db->streaming);
	res = PQexec(db->pg, pg);
	free(pg);
	/* COMMIT in a failed transaction "succeeds" as a ROLLBACK */
	if (res && PQresultStatus(res) == PGRES_COMMAND_OK &&
	    strcmp(PQcmdStatus(res), "ROLLBACK") == 0 &&
	    strncasecmp(sql, "COMMIT", 6) == 0) {
		PQclear(res);
		db->fail = DB_OTHER;
		snprintf(db->msg, sizeof(db->msg), "COMMIT rolled back: the "
			 "transaction had failed");
		return -1;
	}
	if (answered(db, res) < 0)
		return -1;
	if (strncasecmp(sql, "BEGIN", 5) == 0)
		db->tx = 1;
	return 0;
}

int pg_in_tx(struct db *db)
{
	PGTransactionStatusType t;

	if (db->tx)		/* a link lost in it still needs its ROLLBACK */
		return 1;
	(void)pipe_flush(db);
	t = PQtransactionStatus(db->pg);

	return t == PQTRANS_INTRANS || t == PQTRANS_INERROR ||
	       t == PQTRANS_ACTIVE;
}

int pg_begin(struct db *db, const char *key)
{
	const char *params[1] = { key };
	PGresult *res;

	if (pg_exec(db, "BEGIN") < 0)
		return -1;
	if (key == NULL)
		return pg_exec(db, "SELECT pg_advisory_xact_lock(" LOCK_ALL ", 0)");
	res = PQexecParams(db->pg, "SELECT pg_advisory_xact_lock_shared("
			   LOCK_ALL ", 0), pg_advisory_xact_lock(2,"
			   " hashtext($1))", 1, NULL, params, NULL, NULL, 0);
	return answered(db, res);
}

/* is_select - the statement reads only (for the lazy savepoint) */
static int is_select(const char *sql)
{
	while (isspace((unsigned char)*sql))
		sql++;
	return strncasecmp(sql, "SELECT", 6) == 0 && strstr(sql, " FOR UPDATE") == NULL;
}

int pg_prepare(struct db *db, struct db_stmt *s, const char *sql)
{
	int n = 0;

	s->sql = db_pg_sql(sql, &n);
	s->nparams = n;
	s->readonly = is_select(sql);
	s->deferred = !s->readonly && !s->stream &&
		strstr(s->sql, "RETURNING") == NULL &&
		(strncasecmp(s->sql, "INSERT", 6) == 0 ||
		 strncasecmp(s->sql, "UPDATE", 6) == 0 ||
		 strncasecmp(s->sql, "DELETE", 6) == 0);
	s->values = xcalloc((size_t)n + 1, sizeof(*s->values));
	s->owned = xcalloc((size_t)n + 1, sizeof(*s->owned));
	s->nums = xcalloc((size_t)n + 1, sizeof(*s->nums));
	snprintf(s->name, sizeof(s->name), "s%u", ++db->nstmt);
	if (s->batch && pgb_prepare(s) < 0)
		return -1;
	return 0;		/* prepared on the server at its first step */
}

/* server_prepare - the statement known to this connection */
static int server_prepare(struct db_stmt *s)
{
	struct db *db = s->db;
	PGresult *res;

	if (s->gen == db->gen)
		return 0;
	if (pipe_flush(db) < 0)
		return -1;
	if (answered(db, PQprepare(db->pg, s->name, s->sql, 0, NULL)) < 0)
		return -1;
	/* its columns, known before a step as SQLite's are */
	if ((res = PQdescribePrepared(db->pg, s->name)) == NULL) {
		failed(db, NULL);
		return -1;
	}
	if (!result_ok(db, res))
		return -1;
	s->ncols = PQnfields(res);
	PQclear(s->desc);
	s->desc = res;		/* the columns' names, before a step too */
	s->gen = db->gen;
	return 0;
}

void pg_finalize(struct db_stmt *s)
{
	struct db *db = s->db;
	char sql[32];
	int i;

	if (s->rows) {
		/* rows kept: sent with the transaction, not dropped */
		if (db->nbatched > 0 && db->tx)
			(void)pgb_flush(db);
		pgb_free(s);
	}
	pg_reset(s);
	if (s->gen == db->gen && PQstatus(db->pg) == CONNECTION_OK &&
	    !pg_in_tx(db)) {
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", s->name);
		PQclear(PQexec(db->pg, sql));
	}
	PQclear(s->desc);
	for (i = 0; i < s->nparams; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->values);
	free(s->nums);
	free(s->sql);
}

/* pipe_send - a write sent, its result read later (pipe_flush) */
static int pipe_send(struct db_stmt *s)
{
	struct db *db = s->db;

	if ((PQpipelineStatus(db->pg) == PQ_PIPELINE_OFF &&
	     !PQenterPipelineMode(db->pg)) ||
	    !PQsendQueryPrepared(db->pg, s->name, s->nparams, s->values, NULL,
				 NULL, 0)) {
		failed(db, NULL);
		db->sticky = 1;		/* the transaction cannot be trusted */
		if (db->piped == 0)
			(void)PQexitPipelineMode(db->pg);
		return DB_ERROR;
	}
	db->piped++;
	s->state = 3;		/* done, as far as the caller knows */
	return 0;
}

/* run - send the statement; its rows whole, or one at a time (stream) */
static int run(struct db_stmt *s)
{
	struct db *db = s->db;

	if (db->sticky)
		return DB_ERROR;	/* a piped write failed: said already */
	db->fail = DB_OK;
	if (ready(db) < 0)
		return DB_ERROR;
	if (!db->flushing) {		/* db_pg_batch.c */
		if (s->batch && db->tx)
			return pgb_add(s);
		if (db->nbatched > 0 && pgb_flush(db) < 0)
			return DB_ERROR;
	}
	if (db->streaming && db->streaming != s)
		pg_reset(db->streaming);
	if (server_prepare(s) < 0)
		return DB_ERROR;
	/* deferred only inside a transaction: one that fails is lost with
	 * it, never an autocommitted write alone */
	if (s->deferred && db->piped < PIPE_MAX &&
	    (db->piped > 0 || PQtransactionStatus(db->pg) == PQTRANS_INTRANS))
		return pipe_send(s);
	if (!s->stream && db->piped > 0) {	/* one round trip for all */
		if (!PQsendQueryPrepared(db->pg, s->name, s->nparams,
					 s->values, NULL, NULL, 0) ||
		    !PQpipelineSync(db->pg)) {
			failed(db, NULL);
			(void)collect(db, NULL);	/* what came back */
			return DB_ERROR;
		}
		s->res = NULL;
		if (collect(db, &s->res) < 0)
			return DB_ERROR;
	} else if (pipe_flush(db) < 0) {
		return DB_ERROR;
	}
	if (!s->stream) {
		if (s->res == NULL)
			s->res = PQexecPrepared(db->pg, s->name, s->nparams,
						s->values, NULL, NULL, 0);
		if (s->res == NULL) {
			failed(db, NULL);
			return DB_ERROR;
		}
		if (!result_ok(db, s->res)) {
			s->res = NULL;
			return DB_ERROR;
		}
		set_changes(db, s->res);
		s->nrows = PQntuples(s->res);
		s->row = -1;
		s->state = 1;
		return 0;
	}
	if (!PQsendQueryPrepared(db->pg, s->name, s->nparams, s->values,
				 NULL, NULL, 0) || !PQsetSingleRowMode(db->pg)) {
		failed(db, NULL);
		return DB_ERROR;
	}
	db->streaming = s;
	s->state = 2;
	return 0;
}

/* drain - read what the server still sends for a streamed statement */
static void drain(struct db_stmt *s)
{
	PGresult *res;

	while ((res = PQgetResult(s->db->pg)) != NULL)
		PQclear(res);
	if (s->db->streaming == s)
		s->db->streaming = NULL;
}

int pg_step(struct db_stmt *s)
{
	PGresult *res;

	if (s->state == 0 && run(s) < 0)
		return DB_ERROR;
	if (s->state == 1) {
		if (++s->row < s->nrows)
			return DB_ROW;
		s->state = 3;
		return DB_DONE;
	}
	if (s->state != 2)
		return DB_DONE;
	PQclear(s->res);
	s->res = res = PQgetResult(s->db->pg);
	if (res && PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
		s->row = 0;
		return DB_ROW;
	}
	s->state = 3;
	s->res = NULL;
	if (res == NULL) {
		drain(s);
		return DB_DONE;
	}
	if (!result_ok(s->db, res)) {
		drain(s);
		return DB_ERROR;
	}
	set_changes(s->db, res);
	PQclear(res);
	drain(s);
	return DB_DONE;
}

int pg_reset(struct db_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	if (s->state == 2)
		drain(s);
	s->state = 0;
	return 0;
}

int pg_bind(struct db_stmt *s, int i, const char *v, int kept)
{
	if (i < 1 || i > s->nparams)
		return -1;
	free(s->owned[i - 1]);
	s->owned[i - 1] = NULL;
	if (v != NULL && !kept)
		v = s->owned[i - 1] = xstrdup(v);
	s->values[i - 1] = v;
	return 0;
}

int pg_copy_begin(struct db *db, const char *table, const char *const *cols,
		  int n)
{
	struct buf sql;
	PGresult *res;
	int i;

	buf_init(&sql, 1 << 16);
	buf_printf(&sql, "COPY %s (", table);
	for (i = 0; i < n; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
	buf_addstr(&sql, ") FROM STDIN");
	if (pgb_flush(db) < 0 || pipe_flush(db) < 0) {
		buf_free(&sql);
		return -1;
	}
	db->fail = DB_OK;
	res = PQexec(db->pg, buf_str(&sql));
	buf_free(&sql);
	if (res == NULL) {
		failed(db, NULL);
		return -1;
	}
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		failed(db, res);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

/* pg_copy_row - one line of COPY's text format: tabs between values, \N
 * for NULL, backslash, tab and line ends escaped */
int pg_copy_row(struct db *db, const char *const *vals)
{
	struct buf line;
	const char *v;
	int i, rc;

	buf_init(&line, 64 << 20);
	for (i = 0; i < db->copy_n; i++) {
		if (i)
			buf_addc(&line, '\t');
		if ((v = vals[i]) == NULL) {
			buf_addstr(&line, "\\N");
			continue;
		}
		for (; *v; v++)
			if (*v == '\\' || *v == '\t' || *v == '\n' || *v == '\r') {
				buf_addc(&line, '\\');
				buf_addc(&line, *v == '\t' ? 't' : *v == '\n' ?
					 'n' : *v == '\r' ? 'r' : '\\');
			} else {
				buf_addc(&line, *v);
			}
	}
	rc = buf_addc(&line, '\n') < 0 ? -1 :
		PQputCopyData(db->pg, line.data, (int)line.len) == 1 ? 0 : -1;
	buf_free(&line);
	if (rc < 0)
		failed(db, NULL);
	return rc;
}

int pg_copy_end(struct db *db)
{
	PGresult *res;
	int ok = 1;

	if (PQputCopyEnd(db->pg, NULL) != 1) {
		failed(db, NULL);
		return -1;
	}
	while ((res = PQgetResult(db->pg)) != NULL) {
		if (!ok)
			PQclear(res);
		else if ((ok = result_ok(db, res)))	/* cleared if not */
			PQclear(res);
	}
	return ok ? 0 : -1;
}

int pg_col_count(struct db_stmt *s)
{
	if (s->res)
		return PQnfields(s->res);
	return server_prepare(s) < 0 ? 0 : s->ncols;
}

const char *pg_col_name(struct db_stmt *s, int i)
{
	if (s->res)
		return PQfname(s->res, i);
	return server_prepare(s) < 0 || s->desc == NULL ? NULL :
		PQfname(s->desc, i);
}

int pg_col_null(struct db_stmt *s, int i)
{
	return s->res == NULL || PQgetisnull(s->res, s->row, i);
}

int pg_col_is_int(struct db_stmt *s, int i)
{
	Oid t;

	if (pg_col_null(s, i))
		return 0;
	t = PQftype(s->res, i);
	return t == INT8OID || t == INT4OID || t == INT2OID;
}

const char *pg_col_text(struct db_stmt *s, int i)
{
	if (pg_col_null(s, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

size_t pg_col_bytes(struct db_stmt *s, int i)
{
	return pg_col_null(s, i) ? 0 : (size_t)PQgetlength(s->res, s->row, i);
}
