/*
 * sender - outbox → message bytes → transport.
 *
 * A message that cannot be rendered (template missing, a value refused by
 * the message builder) will not get better by waiting: it is parked as
 * failed with the reason, for `affilctl outbox`.  A transport failure is
 * retried later with a growing delay.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/date.h"
#include "common/log.h"
#include "common/util.h"
#include "mail/letter.h"
#include "mail/message.h"
#include "mail/sender.h"
#include "mail/template.h"

#define MAX_VARS 32
#define MSG_MAX (1u << 20)

struct vars {
	struct tpl_var v[MAX_VARS];
	size_t n;
};

struct send_ctx {
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
	char tmp[4096], path[4096];
	int fd, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name) >=
	    (int)sizeof(tmp) ||
	    snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0) {
		log_warn_errno("event=mail_write_failed path=%s", tmp);
		return -1;
	}
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		log_warn_errno("event=mail_write_failed path=%s", tmp);
	else
		rc = 0;
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) < 0) {
		log_warn_errno("event=mail_rename_failed path=%s", path);
		rc = -1;
	}
	if (rc < 0)
		(void)unlink(tmp);
	return rc;
}

/* parse_created - the queue time, for the Date header */
static time_t parse_created(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return time(NULL);
	return timegm(&tm);
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

/* email - the message bytes, into the file transport's folder */
static int email(const struct send_ctx *sc, const struct outbox_rec *o,
		 const char *subject, const char *text, const char *html,
		 const char **why)
{
	struct mail_msg m = { sc->cfg->mail.from, o->recipient, subject, text,
			      html, o->message_id, parse_created(o->created_at) };
	struct buf out;
	char name[64];
	int rc;

	buf_init(&out, MSG_MAX);
	if (mail_msg_render(&m, &out) < 0) {
		*why = "message refusé : adresse ou en-tête invalide";
		buf_free(&out);
		return -2;
	}
	snprintf(name, sizeof(name), "%lld.eml", o->id);
	rc = write_atomic(sc->cfg->mail.dir, name, buf_str(&out), out.len);
	buf_free(&out);
	return rc;
}

/* deliver - one message; updates its outbox row */
static int deliver(const struct outbox_rec *o, void *arg)
{
	struct send_ctx *sc = arg;
	struct vars vs = { .n = 0 };
	struct buf subject, text, html;
	const char *why = "rendu du modèle impossible";
	int rc = -2;

	buf_init(&subject, 4096);
	buf_init(&text, MSG_MAX);
	buf_init(&html, MSG_MAX);
	if (store_outbox_vars(sc->st, o->id, collect_var, &vs) == 0 &&
	    tpl_render(sc->cfg->mail.templates, o->kind, vs.v, vs.n, &subject,
		       &text, &html) == 0) {
		if (strcmp(o->recipient, SENDER_POSTAL) == 0)
			rc = letter(sc, o, &vs, buf_str(&subject),
				    buf_str(&text), &why);
		else
			rc = email(sc, o, buf_str(&subject), buf_str(&text),
				   html.len ? buf_str(&html) : NULL, &why);
	}
	if (rc == 0) {
		log_info("event=mail_sent id=%lld kind=%s transport=file",
			 o->id, o->kind);
		rc = store_outbox_sent(sc->st, o->id);
	} else if (rc == -2) {
		log_warn("event=mail_failed id=%lld kind=%s reason=\"%s\"",
			 o->id, o->kind, why);
		rc = store_outbox_failed(sc->st, o->id, why);
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

/* sender_run - deliver what is due, at most max messages */
int sender_run(struct store *st, const struct cfg *cfg, int max)
{
	struct send_ctx sc = { st, cfg, 0 };

	if (cfg->mail.transport != CFG_TRANSPORT_FILE) {
		log_err("event=mail_transport_unsupported transport=smtp");
		return -1;
	}
	if (store_outbox_due(st, max, deliver, &sc) < 0)
		return -1;
	return sc.handled;
}
