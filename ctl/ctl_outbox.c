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

/* ---- outbox ------------------------------------------------------------- */

static const struct ctl_col outbox_cols[] = {
	{ "id", "ID", 6, 1 }, { "kind", "TYPE", 24, 0 },
	{ "recipient", "DESTINATAIRE", 32, 0 }, { "state", "ÉTAT", 8, 0 },
	{ "attempts", "ESS.", 3, 1 }, { "error", "ERREUR", 0, 0 },
};

static int print_outbox(const struct outbox_rec *o, void *arg)
{
	char id[24], at[16];
	const char *vals[6];

	snprintf(id, sizeof(id), "%lld", o->id);
	snprintf(at, sizeof(at), "%d", o->attempts);
	vals[0] = id; vals[1] = o->kind; vals[2] = o->recipient;
	vals[3] = o->state; vals[4] = at;
	vals[5] = o->last_error;
	ctl_row(arg, outbox_cols, vals, 6);
	return 0;
}

/* outbox_retry - a parked message back to pending, due now; logged */
static int outbox_retry(struct ctl *c, int argc, char **argv)
{
	const char *who = getenv("SUDO_USER");
	long id;
	int rc;

	if (argc != 3 || parse_long(argv[2], 1, LONG_MAX, &id) < 0) {
		fprintf(stderr, "affilctl: usage: outbox retry ID\n");
		return EX_USAGE;
	}
	rc = store_outbox_requeue(c->st, id);
	switch (rc) {
	case 0:
		/* The admin's action is part of the message's history. */
		log_init("affilctl", LOG_LEVEL_INFO);
		log_info("event=outbox_retry id=%ld uid=%d%s%s", id,
			 (int)getuid(), who ? " sudo_user=" : "", who ? who : "");
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

int ctl_outbox(struct ctl *c, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "retry") == 0)
		return outbox_retry(c, argc, argv);
	ctl_header(c, outbox_cols, 6);
	if (store_outbox_each(c->st, argc > 1 && strcmp(argv[1], "--failed")
			      == 0 ? "failed" : c->status, print_outbox, c) < 0)
		return EX_SOFTWARE;
	ctl_end(c);
	return 0;
}
