/*
 * sender - outbox → message bytes → transport.
 *
 * A message that cannot be rendered (template missing, a value refused by
 * the message builder) will not get better by waiting: it is parked as
 * failed with the reason, for `affilctl outbox`.  A transport failure is
 * retried later with a growing delay.
 *
 * With the smtp transport, deliver() only renders and hands the bytes to
 * the sender thread (mail/smtp.c); the outcomes come back through
 * collect(), which applies the delivery policy in one transaction:
 *   250                        sent
 *   5xx                        parked (failed) with the server's reply
 *   4xx, no connection         retried after smtp_backoff_s() (exponential,
 *                              jittered), until mail.max_age_s after the
 *                              message was queued, then parked
 *   lost after the data        the same, logged as ambiguous: the retry
 *                              re-sends the same bytes and Message-ID, so
 *                              a receiver that got both can tell
 *   not tried (server down)    due again later, the attempt not counted
 * SQLite is only touched here, in the main thread.
 *
 * An outcome is kept in memory until the transaction that records it has
 * committed (record()): a full disk or a locked database delays the
 * recording, with a backoff, but never sends a message again, and a message
 * whose outcome is kept is not delivered again.  An accepted SMTP message
 * is also in the sent journal (smtp.h) before the next one goes, so a
 * crash resends at most the one in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/crypto.h"
#include "common/date.h"
#include "common/log.h"
#include "common/util.h"
#include "mail/letter.h"
#include "mail/message.h"
#include "mail/sender.h"
#include "mail/smtp.h"
#include "mail/template.h"

#define MAX_VARS 32
#define MSG_MAX (1u << 20)

struct vars {
	struct tpl_var v[MAX_VARS];
	size_t n;
};

#define KEPT_MAX 4096		/* outcomes waiting to be recorded */
#define RECORD_BACKOFF_MAX_MS 60000

struct sender {
	struct smtp *smtp;	/* NULL: the file transport */
	struct stat cred;	/* the credentials file as read, or zeroes */
	char journal[4096];	/* smtp: the sent journal, beside the db */
	struct smtp_result *kept;	/* outcomes not yet committed: owned */
	size_t nkept, capkept;
	long long record_at_ms;		/* next try after a failed record */
	long long (*now_ms)(void);	/* mono_ms, or a test's clock */
	int backoff_ms;
	const unsigned char *token_key;	/* signs the invitations' links */
	size_t token_keylen;
};

struct send_ctx {
	struct sender *sd;
	struct store *st;
	const struct cfg *cfg;
	int handled;
};

static int collect_var(const char *name, const char *value, void *arg)
{
	struct vars *vs = arg;

	if (vs->n == MAX_VARS)
		return 1;
	vs->v[vs->n].name = xstrdup(name);
	vs->v[vs->n++].value = xstrdup(value);
	return 0;
}

static void vars_free(struct vars *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++) {
		free((char *)vs->v[i].name);
		free((char *)vs->v[i].value);
	}
	vs->n = 0;
}

/* write_atomic - dir/name written whole or not at all */
static int write_atomic(const char *dir, const char *name, const char *data,
			size_t len)
{
	char tmp[4096], path[4096], qp[LOG_QUOTE_MAX];
	int fd, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >=
	    (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		log_warn_errno("event=mail_write_failed path=%s",
			       log_quote(qp, sizeof(qp), tmp));
		return -1;
	}
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		log_warn_errno("event=mail_write_failed path=%s",
			       log_quote(qp, sizeof(qp), tmp));
	else
		rc = 0;
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) < 0) {
		log_warn_errno("event=mail_rename_failed path=%s",
			       log_quote(qp, sizeof(qp), path));
		rc = -1;
	}
	if (rc < 0)
		(void)unlink(tmp);
	return rc;
}

/* parse_created - the queue time, for the Date header */
static time_t parse_created(const char *s)
{
	time_t t = date_parse_utc(s);

	return t == (time_t)-1 ? time(NULL) : t;
}

static const char *var(const struct vars *vs, const char *name)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i].name, name) == 0)
			return vs->v[i].value;
	return "";
}

/* first - a if it is not empty, else b (which may be NULL) */
static const char *first(const char *a, const char *b)
{
	return *a != '\0' ? a : b ? b : "";
}

/*
 * letter - a PDF letter into the print folder (mail/letter.h).  The name
 * and address are those queued with the message (the person written to);
 * what the row lacks (the country, or the whole address for kinds queued
 * without one) comes from the employee's current record.  The letter is
 * dated, and filed, by the queue time, so a retry rewrites the same file.
 */
static int letter(const struct send_ctx *sc, const struct outbox_rec *o,
		  const struct vars *vs, const char *subject, const char *text,
		  const char **why)
{
	struct outbox_postal p;
	struct letter l;
	struct letter_entry e;
	char name[512];
	int queued, rc;

	if (sc->cfg->mail.print_dir == NULL) {
		log_warn("event=letter_no_print_dir id=%lld", o->id);
		return -1;
	}
	if (store_outbox_postal(sc->st, o->id, &p) < 0)
		return -1;
	queued = *var(vs, "adresse") != '\0';
	snprintf(name, sizeof(name), "%s %s", first(var(vs, "prenom"),
		 p.prenom), first(var(vs, "nom"), p.nom));
	memset(&l, 0, sizeof(l));
	l.sender = sc->cfg->mail.letter_sender;
	l.place = sc->cfg->mail.letter_place;
	l.date = date_of_time(parse_created(o->created_at));
	l.name = name;
	l.adresse = queued ? var(vs, "adresse") : p.adresse;
	l.code_postal = queued ? var(vs, "code_postal") : p.code_postal;
	l.ville = queued ? var(vs, "ville") : p.ville;
	l.pays = first(var(vs, "pays"), p.pays);
	l.subject = subject;
	l.body = text;
	e.id = o->id;
	e.employer = p.employer ? p.employer : "";
	e.kind = o->kind;
	rc = letter_print(sc->cfg->mail.print_dir, &e, &l, why);
	store_outbox_postal_free(&p);
	return rc == LETTER_PERMFAIL ? -2 : rc;
}

/* render_email - the message bytes of o into out; -2 with why if refused */
static int render_email(const struct send_ctx *sc, const struct outbox_rec *o,
			const char *subject, const char *text,
			const char *html, struct buf *out, const char **why)
{
	struct mail_msg m = { sc->cfg->mail.from, o->recipient, subject, text,
			      html, o->message_id, parse_created(o->created_at) };

	if (mail_msg_render(&m, out) < 0) {
		*why = "message refusé : adresse ou en-tête invalide";
		return -2;
	}
	return 0;
}

/* email - the message bytes, into the file transport's folder */
static int email(const struct send_ctx *sc, const struct outbox_rec *o,
		 const char *subject, const char *text, const char *html,
		 const char **why)
{
	struct buf out;
	char name[64];
	int rc;

	buf_init(&out, MSG_MAX);
	rc = render_email(sc, o, subject, text, html, &out, why);
	if (rc == 0) {
		snprintf(name, sizeof(name), "%lld.eml", o->id);
		rc = write_atomic(sc->cfg->mail.dir, name, buf_str(&out),
				  out.len);
	}
	buf_free(&out);
	return rc;
}

/*
 * email_smtp - the message bytes, handed to the sender thread.  1 when
 * handed over (the outcome comes back later, see on_result), 2 when the
 * queue is full (the row stays due), -2 with why when refused.
 */
static int email_smtp(const struct send_ctx *sc, const struct outbox_rec *o,
		      const char *subject, const char *text, const char *html,
		      const char **why)
{
	struct smtp_job job;
	struct buf out;
	int rc;

	buf_init(&out, MSG_MAX);
	rc = render_email(sc, o, subject, text, html, &out, why);
	if (rc < 0) {
		buf_free(&out);
		return rc;
	}
	memset(&job, 0, sizeof(job));
	job.id = o->id;
	snprintf(job.message_id, sizeof(job.message_id), "%s",
		 o->message_id ? o->message_id : "");
	job.attempts = o->attempts;
	job.created = parse_created(o->created_at);
	snprintf(job.kind, sizeof(job.kind), "%s", o->kind);
	/* Rendered, so the address passed mail_addr_ok() and fits. */
	snprintf(job.rcpt, sizeof(job.rcpt), "%s", o->recipient);
	job.data = out.data;	/* malloc'd by buf: the transport frees it */
	job.len = out.len;
	rc = smtp_submit(sc->sd->smtp, &job);
	if (rc == 0)
		return 1;	/* job.data now belongs to the transport */
	buf_free(&out);
	if (rc == -1) {
		*why = "message refusé : adresse d'enveloppe invalide";
		return -2;
	}
	return 2;
}

/* is_kept - the outcome of message id waits to be recorded */
static int is_kept(const struct sender *sd, long long id)
{
	size_t i;

	for (i = 0; i < sd->nkept; i++)
		if (sd->kept[i].id == id)
			return 1;
	return 0;
}

/* keep - an outcome, until the transaction recording it commits */
static void keep(struct sender *sd, const struct smtp_result *r)
{
	if (sd->nkept == sd->capkept) {
		sd->capkept = sd->capkept ? sd->capkept * 2 : 64;
		sd->kept = xrealloc(sd->kept, sd->capkept * sizeof(*sd->kept));
	}
	sd->kept[sd->nkept++] = *r;
}

/* keep_sent - the file transport or a letter: written, to be recorded */
static void keep_sent(struct sender *sd, const struct outbox_rec *o)
{
	struct smtp_result r;

	memset(&r, 0, sizeof(r));
	r.id = o->id;
	r.outcome = SMTP_SENT;
	snprintf(r.kind, sizeof(r.kind), "%s", o->kind);
	snprintf(r.message_id, sizeof(r.message_id), "%s",
		 o->message_id ? o->message_id : "");
	keep(sd, &r);
}

/* link_missing - an invitation whose link is gone must not go out empty */
static int link_missing(const struct outbox_rec *o, const struct vars *vs)
{
	return (strcmp(o->kind, "invitation") == 0 ||
		strcmp(o->kind, "relance") == 0) && *var(vs, "lien") == '\0';
}

/* deliver - one message; updates its outbox row (or hands it over) */
static int deliver(const struct outbox_rec *o, void *arg)
{
	struct send_ctx *sc = arg;
	struct vars vs = { .n = 0 };
	struct buf subject, text, html;
	struct outbox_keys k = { sc->cfg, sc->sd->token_key,
				 sc->sd->token_keylen };
	const char *why = "rendu du modèle impossible";
	int rc = -2, smtp = sc->sd->smtp != NULL;

	if ((smtp && smtp_in_flight(sc->sd->smtp, o->id)) ||
	    is_kept(sc->sd, o->id))
		return 0;	/* with the thread, or its outcome not recorded */
	buf_init(&subject, 4096);
	buf_init(&text, MSG_MAX);
	buf_init(&html, MSG_MAX);
	if (store_outbox_vars(sc->st, &k, o->id, collect_var, &vs) == 0 &&
	    tpl_render(sc->cfg->mail.templates, o->kind, vs.v, vs.n, &subject,
		       &text, &html) == 0) {
		if (strcmp(o->recipient, SENDER_POSTAL) == 0)
			rc = letter(sc, o, &vs, buf_str(&subject),
				    buf_str(&text), &why);
		else if (link_missing(o, &vs))
			why = "lien d'invitation absent";
		else if (smtp)
			rc = email_smtp(sc, o, buf_str(&subject), buf_str(&text),
					html.len ? buf_str(&html) : NULL, &why);
		else
			rc = email(sc, o, buf_str(&subject), buf_str(&text),
				   html.len ? buf_str(&html) : NULL, &why);
	}
	if (rc == 0) {
		log_info("event=mail_sent id=%lld kind=%s transport=file",
			 o->id, o->kind);
		keep_sent(sc->sd, o);	/* recorded after this batch */
	} else if (rc == -2) {
		log_warn("event=mail_failed id=%lld kind=%s reason=\"%s\"",
			 o->id, o->kind, why);
		rc = store_outbox_failed(sc->st, o->id, why);
	} else if (rc == 1 || rc == 2) {
		rc = rc == 2 ? -2 : 0;	/* queue full: stop for now */
	} else {
		rc = store_outbox_retry(sc->st, o->id,
					30 << (o->attempts < 5 ? o->attempts : 5),
					"écriture impossible");
	}
	vars_free(&vs);
	buf_free(&subject);
	buf_free(&text);
	buf_free(&html);
	sc->handled++;
	return rc < 0 ? 1 : 0;
}

/* ---- the delivery policy of the smtp transport ------------------------- */

/* jitter - a random 32-bit value for the backoff */
static uint32_t jitter(void)
{
	uint32_t r = 0;

	if (random_bytes(&r, sizeof(r)) < 0)
		r = (uint32_t)time(NULL);
	return r;
}

/*
 * retry_or_park - a temporary failure: due again after the backoff, but
 * never later than mail.max_age_s after the message was queued; past that
 * age it is parked with its last reason.  counted: the attempt happened
 * (SMTP_DEFERRED did not try).
 */
static int retry_or_park(struct store *st, const struct cfg *cfg,
			 const struct smtp_result *r, const char *why,
			 int counted)
{
	time_t now = time(NULL), deadline = r->created + cfg->mail.max_age_s;
	char park[SMTP_REPLY_MAX + 256];
	int delay;

	if (now >= deadline) {
		snprintf(park, sizeof(park), "abandonné après %d tentative%s "
			 "en %d s : %s", r->attempts + counted,
			 r->attempts + counted > 1 ? "s" : "",
			 cfg->mail.max_age_s, why);
		log_warn("event=mail_failed id=%lld kind=%s reason=\"max age\" "
			 "attempts=%d", r->id, r->kind, r->attempts + counted);
		return store_outbox_failed(st, r->id, park);
	}
	delay = smtp_backoff_s(r->attempts, cfg->mail.retry_min_s,
			       cfg->mail.retry_max_s, jitter());
	if (now + delay > deadline)
		delay = (int)(deadline - now);
	log_info("event=mail_retry id=%lld kind=%s attempts=%d delay_s=%d "
		 "code=%d", r->id, r->kind, r->attempts + counted, delay,
		 r->code);
	if (!counted)
		return store_outbox_defer(st, r->id, delay, why);
	return store_outbox_retry(st, r->id, delay, why);
}

/* record_one - one outcome into the outbox; 0, or -1 (not recorded) */
static int record_one(struct store *st, const struct cfg *cfg,
		      const struct smtp_result *r)
{
	char why[SMTP_REPLY_MAX + 128];

	switch (r->outcome) {
	case SMTP_SENT:
		return store_outbox_sent(st, r->id, r->message_id);
	case SMTP_PERMFAIL:
		snprintf(why, sizeof(why), "refusé par le serveur : %s",
			 r->reason);
		log_warn("event=mail_failed id=%lld kind=%s code=%d", r->id,
			 r->kind, r->code);
		return store_outbox_failed(st, r->id, why);
	case SMTP_AMBIGUOUS:
		snprintf(why, sizeof(why), "connexion perdue après l'envoi, "
			 "nouvel essai avec le même Message-ID : %s", r->reason);
		log_warn("event=mail_ambiguous id=%lld kind=%s", r->id, r->kind);
		return retry_or_park(st, cfg, r, why, 1);
	case SMTP_TEMPFAIL:
		snprintf(why, sizeof(why), "échec temporaire : %s", r->reason);
		return retry_or_park(st, cfg, r, why, 1);
	case SMTP_DEFERRED:
		return retry_or_park(st, cfg, r, r->reason, 0);
	case SMTP_ABORTED:
		break;		/* still pending and due: tried after restart */
	}
	return 0;
}

/* on_result - an outcome back from the thread: kept until recorded */
static void on_result(const struct smtp_result *r, void *arg)
{
	struct sender *sd = arg;

	if (r->outcome == SMTP_SENT)
		log_info("event=mail_sent id=%lld kind=%s transport=smtp "
			 "new_connection=%d", r->id, r->kind, r->new_connection);
	keep(sd, r);
}

/*
 * record - every kept outcome in one transaction.  On failure (disk full,
 * database locked) they stay kept, and the next try waits 1 s, then twice
 * as long each time, up to a minute.  0 recorded (or nothing to), -1 not.
 */
static int record(struct sender *sd, struct store *st, const struct cfg *cfg)
{
	size_t i;
	long long now = sd->now_ms();

	if (sd->nkept == 0)
		return 0;
	if (now < sd->record_at_ms)
		return -1;
	if (store_begin(st) < 0)
		goto fail;
	for (i = 0; i < sd->nkept; i++)
		if (record_one(st, cfg, &sd->kept[i]) < 0)
			goto fail;
	if (store_commit(st) < 0)
		goto fail;
	if (sd->backoff_ms > 0)
		log_info("event=mail_outcomes_recorded count=%zu", sd->nkept);
	sd->nkept = 0;
	sd->backoff_ms = 0;
	if (sd->smtp != NULL)
		smtp_journal_clear(sd->smtp);
	return 0;
fail:
	(void)store_rollback(st);
	sd->backoff_ms = sd->backoff_ms ? sd->backoff_ms * 2 : 1000;
	if (sd->backoff_ms > RECORD_BACKOFF_MAX_MS)
		sd->backoff_ms = RECORD_BACKOFF_MAX_MS;
	sd->record_at_ms = now + sd->backoff_ms;
	log_warn("event=mail_outcomes_unrecorded count=%zu retry_ms=%d "
		 "action=kept_in_memory", sd->nkept, sd->backoff_ms);
	return -1;
}

/* collect - take every outcome back from the thread, then record them */
static void collect(struct sender *sd, struct store *st,
		    const struct cfg *cfg)
{
	if (sd->smtp != NULL)
		(void)smtp_collect(sd->smtp, on_result, sd);
	(void)record(sd, st, cfg);
}

/* replayed - a journal line: that message was accepted before a crash */
static void replayed(long long id, const char *message_id, void *arg)
{
	struct sender *sd = arg;
	struct smtp_result r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.outcome = SMTP_SENT;
	snprintf(r.kind, sizeof(r.kind), "journal");
	snprintf(r.message_id, sizeof(r.message_id), "%s", message_id);
	keep(sd, &r);
}

/* sender_recover - see sender.h */
int sender_recover(struct sender *sd, struct store *st, const struct cfg *cfg)
{
	int n;

	if (sd->smtp == NULL)
		return 0;
	n = smtp_journal_read(sd->journal, replayed, sd);
	if (n < 0) {
		log_err_errno("event=mail_journal_unreadable path=%s",
			      sd->journal);
		return -1;
	}
	if (n > 0)
		log_info("event=mail_journal_replayed count=%d", n);
	/* Not recorded now: kept, so never delivered again, and retried. */
	(void)record(sd, st, cfg);
	return 0;
}

void sender_use_key(struct sender *sd, const unsigned char *key, size_t len)
{
	sd->token_key = key;
	sd->token_keylen = len;
}

struct sender *sender_open(const struct cfg *cfg)
{
	struct sender *sd = xcalloc(1, sizeof(*sd));

	sd->now_ms = mono_ms;
	if (cfg->mail.transport == CFG_TRANSPORT_SMTP) {
		/* Taken before the read: a change in between means a reload. */
		if (cfg->mail.credentials_file != NULL)
			(void)stat(cfg->mail.credentials_file, &sd->cred);
		if ((size_t)snprintf(sd->journal, sizeof(sd->journal),
				     "%s-sent", cfg->db.path) >=
		    sizeof(sd->journal)) {
			free(sd);
			return NULL;
		}
		sd->smtp = smtp_open(cfg, sd->journal);
		if (sd->smtp == NULL) {
			free(sd);
			return NULL;
		}
	}
	return sd;
}

int sender_check(const struct cfg *cfg)
{
	if (cfg->mail.transport != CFG_TRANSPORT_SMTP)
		return 0;
	return smtp_check(cfg);
}

/* same_str - both NULL or equal */
static int same_str(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* cred_same - the credentials file is the one read at start */
static int cred_same(const struct sender *sd, const char *path)
{
	struct stat now;

	memset(&now, 0, sizeof(now));
	if (path != NULL && stat(path, &now) < 0)
		return 0;
	return now.st_ino == sd->cred.st_ino && now.st_dev == sd->cred.st_dev &&
	       now.st_size == sd->cred.st_size &&
	       now.st_mtim.tv_sec == sd->cred.st_mtim.tv_sec &&
	       now.st_mtim.tv_nsec == sd->cred.st_mtim.tv_nsec;
}

/* transport_same - nothing the running transport copied has changed */
static int transport_same(const struct sender *sd, const struct cfg *a,
			  const struct cfg *b)
{
	return a->mail.transport == b->mail.transport &&
	       (b->mail.transport == CFG_TRANSPORT_FILE ||
		cred_same(sd, b->mail.credentials_file)) &&
	       same_str(a->mail.url, b->mail.url) &&
	       a->mail.tls == b->mail.tls &&
	       same_str(a->mail.ca_file, b->mail.ca_file) &&
	       same_str(a->mail.credentials_file, b->mail.credentials_file) &&
	       same_str(a->mail.from, b->mail.from) &&
	       a->mail.connect_timeout_s == b->mail.connect_timeout_s &&
	       a->mail.timeout_s == b->mail.timeout_s &&
	       a->mail.retry_min_s == b->mail.retry_min_s;
}

int sender_reload(struct sender **sd, struct store *st, const struct cfg *old,
		  const struct cfg *fresh)
{
	struct sender *next;
	size_t lost;

	if (transport_same(*sd, old, fresh))
		return 0;
	next = sender_open(fresh);
	if (next == NULL)
		return -1;
	lost = sender_close(*sd, st, fresh);
	*sd = next;
	log_info("event=mail_transport_restarted transport=%s",
		 fresh->mail.transport == CFG_TRANSPORT_SMTP ? "smtp" : "file");
	/* What the old transport had claimed and never tried (the SMTP
	 * queue) is due again now, not when its claim runs out (PostgreSQL);
	 * unless outcomes were lost: the journal's replay at start first. */
	if (lost == 0 && st != NULL)
		(void)store_outbox_release_mine(st);	/* logged */
	return 0;
}

void sender_set_clock(struct sender *sd, long long (*now_ms)(void))
{
	sd->now_ms = now_ms;
}

int sender_fd(const struct sender *sd)
{
	return sd->smtp ? smtp_fd(sd->smtp) : -1;
}

/* sender_close - stop the thread, keep what it finished, free; how many
 * outcomes could not be recorded */
size_t sender_close(struct sender *sd, struct store *st, const struct cfg *cfg)
{
	size_t lost;

	if (sd == NULL)
		return 0;
	if (sd->smtp != NULL)
		smtp_stop(sd->smtp);
	if (st != NULL) {
		sd->record_at_ms = 0;	/* a last try, whatever the backoff */
		collect(sd, st, cfg);
	}
	if ((lost = sd->nkept) > 0)
		log_err("event=mail_outcomes_lost count=%zu hint=\"%s\"",
			sd->nkept, sd->smtp ? "accepted messages are in the "
			"sent journal, replayed at start" : "these messages "
			"will be written again at start");
	smtp_free(sd->smtp);
	free(sd->kept);
	free(sd);
	return lost;
}

/* sender_run - record outcomes back, then hand over what is due */
int sender_run(struct sender *sd, struct store *st, const struct cfg *cfg,
	       int max)
{
	struct send_ctx sc = { sd, st, cfg, 0 };

	(void)store_outbox_renew(st);	/* logged; the next run tries again */
	collect(sd, st, cfg);
	if (sd->nkept >= KEPT_MAX)
		return 0;	/* the database is not keeping up: wait */
	if (sd->smtp != NULL) {
		if (smtp_in_flight_count(sd->smtp) >= SMTP_QUEUE_MAX)
			return 0;
		/* In-flight rows are still due: ask for enough to skip them. */
		max += (int)smtp_in_flight_count(sd->smtp);
	}
	/* Kept rows are still due too. */
	max += (int)sd->nkept;
	if (store_outbox_due(st, max, deliver, &sc) < 0)
		return -1;
	if (sd->smtp == NULL)
		(void)record(sd, st, cfg);
	return sc.handled;
}
