/*
 * store_outbox - messages to send, written in the same transaction as the
 * change that causes them, read by the mail sender.
 *
 * A row holds the kind of message (the template), the recipient and its
 * data as a JSON object; the transport renders it at delivery time, so a
 * retry sends the same bytes with the same Message-ID.  States: pending
 * (next_attempt is a Unix time), sent, failed (parked, with the reason).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "common/crypto.h"
#include "common/log.h"
#include "common/util.h"
#include "store/store_priv.h"
#include "store/store_outbox.h"

/* outbox_data - the name/value list as one JSON object, by json-c (read
 * back by SQLite's json functions); owned: free() */
static char *outbox_data(const char *const *vars)
{
	json_object *o = json_object_new_object();
	char *data;
	int i;

	for (i = 0; vars[i] && vars[i + 1]; i += 2)
		json_object_object_add(o, vars[i],
				       json_object_new_string(vars[i + 1]));
	data = xstrdup(json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return data;
}

/* outbox_domain - the domain of the From address, for Message-IDs */
static const char *outbox_domain(const char *from)
{
	const char *at = from ? strrchr(from, '@') : NULL;

	return at ? at + 1 : "affild.invalid";
}

/* st_outbox_add - queue one message; vars is a NULL-terminated name/value list */
int st_outbox_add(struct store *st, const char *from, const char *kind,
		  const char *employer, long long employee_id,
		  const char *recipient, const char *const *vars)
{
	static const char sql[] =
		"INSERT INTO outbox (created_at, kind, employer, employee_id,"
		" recipient, data, message_id) VALUES (?, ?, ?, ?, ?, ?, ?)";
	/* Message-IDs: 64 random bits drawn once per process, then a
	 * counter: unique without a system call per message. */
	static unsigned char rnd[8];
	static unsigned long long seq;
	/* no row refers to a message: its rows may go several at once */
	struct db_stmt *s = st_stmt_flags(st, sql, DB_BATCH);
	char now[32], mid[256], *data;
	const char *dom;
	size_t len;
	int rc;

	if (s == NULL || (seq++ == 0 && random_bytes(rnd, sizeof(rnd)) < 0))
		return -1;
	data = vars && vars[0] ? outbox_data(vars) : NULL;	/* NOT NULL: "{}" */
	st_now(now);
	dom = outbox_domain(from);
	len = strcspn(dom, ">");
	snprintf(mid, sizeof(mid), "affild.%02x%02x%02x%02x%02x%02x%02x%02x.%llu"
		 "@%.*s", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5],
		 rnd[6], rnd[7], seq, (int)len, dom);
	st_text_kept(s, 1, now);
	st_text_kept(s, 2, kind);
	st_text_kept(s, 3, employer);
	if (employee_id > 0)
		db_bind_int64(s, 4, employee_id);
	st_text_kept(s, 5, recipient);
	st_text_kept(s, 6, data ? data : "{}");
	st_text_kept(s, 7, mid);
	rc = st_done(st, s);
	free(data);
	return rc;
}

static void outbox_from_row(struct db_stmt *s, struct outbox_rec *o)
{
	o->id = db_col_int64(s, 0);
	o->kind = st_col_dup(s, 1);
	o->recipient = st_col_dup(s, 2);
	o->data = st_col_dup(s, 3);
	o->message_id = st_col_dup(s, 4);
	o->state = st_col_dup(s, 5);
	o->last_error = st_col_dup(s, 6);
	o->created_at = st_col_dup(s, 7);
	o->attempts = db_col_int(s, 8);
}

static void outbox_rec_free(struct outbox_rec *o)
{
	free(o->kind);
	free(o->recipient);
	free(o->data);
	free(o->message_id);
	free(o->state);
	free(o->last_error);
	free(o->created_at);
}

#define OUTBOX_COLS "SELECT id, kind, recipient, data, message_id, state," \
	" last_error, created_at, attempts FROM outbox"

static int outbox_each(struct store *st, struct db_stmt *s,
		       int (*fn)(const struct outbox_rec *, void *), void *arg)
{
	struct outbox_rec o;
	int rc, stop = 0;

	while (!stop && (rc = db_step(s)) == DB_ROW) {
		outbox_from_row(s, &o);
		stop = fn(&o, arg);
		outbox_rec_free(&o);
	}
	if (!stop && rc != DB_DONE) {
		st_log_error(st, "outbox");
		db_finalize(s);
		return -1;
	}
	db_finalize(s);
	return 0;
}

void store_outbox_node(struct store *st, const char *node)
{
	free(st->node);
	st->node = xstrdup(node);
}

int store_outbox_release_mine(struct store *st)
{
	static const char sql[] =
		"UPDATE outbox SET next_attempt = 0, claimed_by = NULL"
		" WHERE claimed_by = ? AND state = 'pending'";
	struct db_stmt *s;

	if (db_kind(st->db) != DB_PG || st->node == NULL)
		return 0;
	if ((s = st_stmt(st, sql)) == NULL)
		return -1;
	st_text(s, 1, st->node);
	if (st_done(st, s) < 0)
		return -1;
	if (db_changes(st->db) > 0)
		log_info("event=mail_claims_released count=%lld",
			 db_changes(st->db));
	return 0;
}

/* store_outbox_waiting - see store.h */
int store_outbox_waiting(struct store *st)
{
	static const char sql[] =
		"SELECT count(*) FROM outbox WHERE state = 'pending'"
		" AND (next_attempt <= ?1 OR claimed_by = ?2)";
	struct db_stmt *s = st_stmt(st, sql);
	long long n = 0;

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, time(NULL));
	st_text(s, 2, st->node ? st->node : "");
	if (st_one_row(st, s, "outbox waiting", st_read_int64, &n) != 1)
		return -1;
	return n > 0;
}

/* store_outbox_renew - see store.h */
int store_outbox_renew(struct store *st)
{
	static const char sql[] =
		"UPDATE outbox SET next_attempt = CAST(?1 AS BIGINT) + ?2"
		" WHERE claimed_by = ?3 AND state = 'pending'"
		" AND next_attempt < CAST(?1 AS BIGINT) + ?2 / 2";
	struct db_stmt *s;

	if (db_kind(st->db) != DB_PG)
		return 0;
	if ((s = st_stmt(st, sql)) == NULL)
		return -1;
	db_bind_int64(s, 1, time(NULL));
	db_bind_int(s, 2, OUTBOX_LEASE_S);
	st_text(s, 3, st->node ? st->node : "affild");
	return st_done(st, s);
}

/* claimed_each - fn over the claimed rows; the one it stopped on (not
 * taken: a full queue, a failure) and those after are due again at once */
static int claimed_each(struct store *st, struct db_stmt *s,
			int (*fn)(const struct outbox_rec *, void *), void *arg)
{
	static const char back[] =
		"UPDATE outbox SET next_attempt = 0, claimed_by = NULL"
		" WHERE id = ? AND claimed_by = ? AND state = 'pending'";
	struct outbox_rec o;
	struct db_stmt *b;
	int rc, stop = 0;

	while ((rc = db_step(s)) == DB_ROW) {
		if (!stop) {
			outbox_from_row(s, &o);
			stop = fn(&o, arg);
			outbox_rec_free(&o);
			if (!stop)
				continue;
		}
		if ((b = st_stmt(st, back)) != NULL) {
			db_bind_int64(b, 1, db_col_int64(s, 0));
			st_text(b, 2, st->node);
			(void)st_done(st, b);
		}
	}
	if (rc != DB_DONE) {
		st_log_error(st, "outbox");
		db_finalize(s);
		return -1;
	}
	db_finalize(s);
	return 0;
}

/* store_outbox_due - pending messages whose time has come, oldest first */
int store_outbox_due(struct store *st, int max,
		     int (*fn)(const struct outbox_rec *, void *), void *arg)
{
	static const char sql[] = OUTBOX_COLS " WHERE state = 'pending'"
		" AND next_attempt <= ? ORDER BY next_attempt, id LIMIT ?";
	static const char claim[] =
		"WITH d AS (SELECT id, next_attempt AS was FROM outbox"
		" WHERE state = 'pending' AND next_attempt <= ?1"
		" ORDER BY next_attempt, id LIMIT ?2 FOR UPDATE SKIP LOCKED),"
		" c AS (UPDATE outbox o SET next_attempt = ?1 + ?3,"
		" claimed_by = ?4 FROM d WHERE o.id = d.id RETURNING o.id,"
		" o.kind, o.recipient, o.data, o.message_id, o.state,"
		" o.last_error, o.created_at, o.attempts, d.was)"
		" SELECT id, kind, recipient, data, message_id, state,"
		" last_error, created_at, attempts FROM c ORDER BY was, id";
	int pg = db_kind(st->db) == DB_PG;
	struct db_stmt *s;

	/* Not cached: the callback may run other statements meanwhile. */
	if ((s = db_prepare(st->db, pg ? claim : sql, 0)) == NULL) {
		st_log_error(st, "outbox due");
		return -1;
	}
	db_bind_int64(s, 1, time(NULL));
	db_bind_int(s, 2, max);
	if (!pg)
		return outbox_each(st, s, fn, arg);
	db_bind_int(s, 3, OUTBOX_LEASE_S);
	st_text(s, 4, st->node ? st->node : "affild");
	return claimed_each(st, s, fn, arg);
}

int store_outbox_each(struct store *st, const char *state,
		      int (*fn)(const struct outbox_rec *, void *), void *arg)
{
	static const char sql[] = OUTBOX_COLS
		" WHERE (?1 IS NULL OR state = ?1) ORDER BY id";
	struct db_stmt *s;

	if ((s = db_prepare(st->db, sql, 0)) == NULL) {
		st_log_error(st, "outbox list");
		return -1;
	}
	st_text(s, 1, state);
	return outbox_each(st, s, fn, arg);
}

/* The vars of one message as they are collected. */
struct ovars {
	int (*fn)(const char *name, const char *value, void *);
	void *arg;
	int stop;			/* fn asked to stop */
	int has_lien;			/* frozen in the row (schema 7) */
	char lien_n[16], lien_expire[DATE_ISO_SIZE];
};

static void ov_put(struct ovars *v, const char *name, const char *value)
{
	if (!v->stop && v->fn(name, value ? value : "", v->arg) != 0)
		v->stop = 1;
}

/* frozen - the row's own vars, in the order stored */
static int frozen(struct store *st, long long id, struct ovars *v)
{
	static const char sql[] = "SELECT j.key, j.value FROM outbox,"
		" json_each(outbox.data) AS j WHERE outbox.id = ?";
	struct db_stmt *s = st_stmt(st, sql);
	int rc;

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW && !v->stop) {
		const char *k = db_col_text(s, 0);
		const char *val = db_col_text(s, 1);

		if (k == NULL)
			continue;
		if (strcmp(k, "lien_n") == 0)
			snprintf(v->lien_n, sizeof(v->lien_n), "%s", val ? val :
				 "");
		else if (strcmp(k, "lien_expire") == 0)
			snprintf(v->lien_expire, sizeof(v->lien_expire), "%s",
				 val ? val : "");
		else {
			v->has_lien |= strcmp(k, "lien") == 0;
			ov_put(v, k, val);
		}
	}
	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE) {
		st_log_error(st, "outbox vars");
		return -1;
	}
	return 0;
}

/* link_url - the personal link: portal.link_url with {token} replaced */
static void link_url(const struct cfg *cfg, const char *token, char *out,
		     size_t outlen)
{
	const char *url = cfg->portal.link_url ? cfg->portal.link_url :
			  "{token}";
	const char *at = strstr(url, "{token}");

	if (at == NULL)
		snprintf(out, outlen, "%s%s", url, token);
	else
		snprintf(out, outlen, "%.*s%s%s", (int)(at - url), url, token,
			 at + 7);
}

/* Where the person's columns of a message are read. */
struct person {
	struct ovars *v;
	const struct cfg *cfg;
	long long emp_id;
};

static void person_read(struct db_stmt *s, void *arg)
{
	static const char *const names[] = {
		"prenom", "nom", "matricule", "adresse", "code_postal",
		"ville", "pays",
	};
	struct person *p = arg;
	const char *employer = db_col_text(s, 0);
	const struct cfg_employer *emp = employer && p->cfg ?
		cfg_employer(p->cfg, employer) : NULL;
	size_t i;

	p->emp_id = db_col_int64(s, 1);
	ov_put(p->v, "employeur", emp && emp->name ? emp->name : "");
	for (i = 0; i < NELEM(names); i++)
		ov_put(p->v, names[i],
		       db_col_text(s, (int)i + 2));
}

int store_outbox_vars(struct store *st, const struct outbox_keys *k,
		      long long id,
		      int (*fn)(const char *name, const char *value, void *),
		      void *arg)
{
	static const char sql[] = "SELECT o.employer, o.employee_id,"
		" e.prenom, e.nom, e.matricule, e.adresse, e.code_postal,"
		" e.ville, e.pays FROM outbox o"
		" LEFT JOIN employee e ON e.id = o.employee_id WHERE o.id = ?";
	struct ovars v = { fn, arg, 0, 0, "", "" };
	struct person p = { &v, k->cfg, 0 };
	char token[CRYPTO_TOKEN_LEN], url[512], fr[DATE_ISO_SIZE];
	struct date exp;
	struct db_stmt *s;

	if (frozen(st, id, &v) < 0 || (s = st_stmt(st, sql)) == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	if (st_one_row(st, s, "outbox person", person_read, &p) < 0)
		return -1;
	if (v.has_lien || v.lien_n[0] == '\0' || p.emp_id == 0 ||
	    k->cfg == NULL ||
	    date_parse_iso(v.lien_expire, &exp) < 0)
		return 0;
	if (token_sign(k->token_key, k->token_keylen, p.emp_id,
		       atoi(v.lien_n), v.lien_expire, token) < 0)
		return -1;
	link_url(k->cfg, token, url, sizeof(url));
	ov_put(&v, "lien", url);
	ov_put(&v, "date_limite", date_format_fr(exp, fr));
	return 0;
}

/*
 * store_outbox_sent - delivered: drop the clear token from the stored data.
 * The Message-ID must match too ("" for none): a journal replayed long
 * after never marks a later message that reused the id.
 */
int store_outbox_sent(struct store *st, long long id, const char *message_id)
{
	static const char sql[] =
		"UPDATE outbox SET state = 'sent', sent_at = ?,"
		" claimed_by = NULL, attempts = attempts + 1, last_error = NULL,"
		" data = json_remove(data, '$.lien') WHERE id = ?"
		" AND coalesce(message_id, '') = ?3 AND state <> 'sent'";
	char now[32];
	struct db_stmt *s = st_stmt_now(st, sql, now);

	if (s == NULL)
		return -1;
	st_text(s, 1, now);
	db_bind_int64(s, 2, id);
	st_text(s, 3, message_id ? message_id : "");
	return st_done(st, s);
}

/* outbox_later - due again in delay_s; counted as an attempt or not */
static int outbox_later(struct store *st, long long id, int delay_s,
			const char *why, int attempt)
{
	static const char sql[] =
		"UPDATE outbox SET attempts = attempts + ?1, next_attempt = ?2,"
		" claimed_by = NULL,"
		" last_error = ?3 WHERE id = ?4 AND state = 'pending'";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	db_bind_int(s, 1, attempt);
	db_bind_int64(s, 2, time(NULL) + delay_s);
	st_text(s, 3, why);
	db_bind_int64(s, 4, id);
	return st_done(st, s);
}

int store_outbox_retry(struct store *st, long long id, int delay_s,
		       const char *why)
{
	return outbox_later(st, id, delay_s, why, 1);
}

/* store_outbox_failed - parked: the token is erased, the reason kept */
int store_outbox_failed(struct store *st, long long id, const char *why)
{
	static const char sql[] =
		"UPDATE outbox SET state = 'failed', attempts = attempts + 1,"
		" claimed_by = NULL,"
		" last_error = ?, data = json_remove(data, '$.lien')"
		" WHERE id = ?";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, why);
	db_bind_int64(s, 2, id);
	return st_done(st, s);
}

/*
 * store_outbox_defer - not tried (the server was found unreachable just
 * before): due again in delay_s, the attempt count unchanged.
 */
int store_outbox_defer(struct store *st, long long id, int delay_s,
		       const char *why)
{
	return outbox_later(st, id, delay_s, why, 0);
}

/* What store_outbox_requeue learns of the row. */
struct parked {
	int failed;		/* state is 'failed' */
	int no_link;		/* an invitation whose link was erased */
};

static void parked_read(struct db_stmt *s, void *arg)
{
	struct parked *p = arg;

	p->failed = strcmp(db_col_text(s, 0),
			   "failed") == 0;
	p->no_link = db_col_int(s, 1);
}

/*
 * store_outbox_requeue - a parked message back to pending, due now, its
 * attempts kept.  An invitation or reminder whose link was erased when it
 * was parked cannot be sent again as it was: it stays parked.
 */
int store_outbox_requeue(struct store *st, long long id)
{
	static const char look[] =
		"SELECT state, kind IN ('invitation', 'relance')"
		" AND json_extract(data, '$.lien') IS NULL FROM outbox"
		" WHERE id = ?";
	static const char sql[] =
		"UPDATE outbox SET state = 'pending', next_attempt = ?"
		" WHERE id = ? AND state = 'failed'";
	struct db_stmt *s;
	struct parked p = { 0, 0 };
	int rc;

	if ((s = db_prepare(st->db, look, 0)) == NULL) {
		st_log_error(st, "outbox requeue");
		return -1;
	}
	db_bind_int64(s, 1, id);
	rc = st_one_row(st, s, "outbox requeue", parked_read, &p);
	db_finalize(s);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return OUTBOX_REQUEUE_UNKNOWN;
	if (!p.failed)
		return OUTBOX_REQUEUE_NOT_FAILED;
	if (p.no_link)
		return OUTBOX_REQUEUE_NO_LINK;
	if ((s = st_stmt(st, sql)) == NULL)
		return -1;
	db_bind_int64(s, 1, time(NULL));
	db_bind_int64(s, 2, id);
	return st_done(st, s);
}

/*
 * store_outbox_purge - retention: messages sent before `before` (UTC,
 * "AAAA-MM-JJT...") are deleted, their data (names, addresses) with them.
 * Failed ones stay until an admin acts on them.
 */
int store_outbox_purge(struct store *st, const char *before, long long *count)
{
	static const char sql[] =
		"DELETE FROM outbox WHERE state = 'sent' AND sent_at < ?";
	struct db_stmt *s = st_stmt(st, sql);

	*count = 0;
	if (s == NULL)
		return -1;
	st_text(s, 1, before);
	if (st_done(st, s) < 0)
		return -1;
	*count = db_changes(st->db);
	return 0;
}
