/*
 * ctl_outbox - `outbox` (messages pending, sent or failed).  `outbox
 * retry ID` is a change for the admin drop (ctl_write.c).
 */
#include <stdio.h>

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
