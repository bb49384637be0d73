/*
 * ctl_outbox - `outbox` (messages pending, sent or failed) and `outbox
 * retry ID` (a parked message back in the queue).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "ctl/ctl.h"

static const struct ctl_col outbox_cols[] = {
	{ "outbox_id", "ID", COL_INT }, { "kind", "TYPE", COL_TEXT },
	{ "recipient", "DESTINATAIRE", COL_TEXT },
	{ "state", "ÉTAT", COL_TEXT }, { "attempts", "ESS.", COL_INT },
	{ "created_at", "CRÉÉ", COL_TEXT }, { "error", "ERREUR", COL_TEXT },
};

static int list_message(const struct outbox_rec *o, void *arg)
{
	char id[24], at[16];
	const char *vals[] = { id, o->kind, o->recipient, o->state, at,
			       o->created_at, o->last_error };

	snprintf(id, sizeof(id), "%lld", o->id);
	snprintf(at, sizeof(at), "%d", o->attempts);
	ctl_list_row(arg, vals);
	return 0;
}

int ctl_outbox(struct ctl *c)
{
	ctl_list_begin(c->out, NULL, NULL, outbox_cols, 7);
	if (store_outbox_each(c->st, c->state, list_message, c->out) < 0)
		return ctl_db_error(c, "outbox");
	ctl_list_end(c->out);
	return 0;
}

/* ctl_outbox_retry - a parked message back to pending, due now; logged */
int ctl_outbox_retry(struct ctl *c)
{
	const char *who = getenv("SUDO_USER");
	char qw[LOG_QUOTE_MAX];
	long id;
	int rc;

	if (parse_long(c->args[1], 1, LONG_MAX, &id) < 0)
		return ctl_usage_error(c, "retry %s: a message id is a number",
				       c->args[1]);
	rc = store_outbox_requeue(c->st, id);
	switch (rc) {
	case 0:
		/* The admin's action is part of the message's history. */
		log_init("affilctl", LOG_LEVEL_INFO);
		log_info("event=outbox_retry id=%ld uid=%d%s%s", id,
			 (int)getuid(), who ? " sudo_user=" : "",
			 who ? log_quote(qw, sizeof(qw), who) : "");
		printf("message %ld remis en file d'envoi\n", id);
		return 0;
	case OUTBOX_REQUEUE_UNKNOWN:
		fprintf(stderr, "affilctl: message %ld inconnu\n", id);
		return EX_DATAERR;
	case OUTBOX_REQUEUE_NOT_FAILED:
		fprintf(stderr, "affilctl: message %ld non bloqué (en attente "
			"ou envoyé) : rien à faire\n", id);
		return EX_DATAERR;
	case OUTBOX_REQUEUE_NO_LINK:
		fprintf(stderr, "affilctl: message %ld : le lien d'invitation a "
			"été effacé à l'échec ; une relance (opération "
			"RELANCE) en crée un nouveau\n", id);
		return EX_DATAERR;
	default:
		return EX_SOFTWARE;
	}
}
