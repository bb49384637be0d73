/*
 * store_apply - the apply step: one checked movement against the employee
 * records, inside the file's transaction.
 *
 * store_apply() loads the record the movement names, runs the movement
 * through the cell of the transition table for the record's status
 * (process/transition.h: the one place the rules refuse a transition, with
 * E201 or E202, or find the movement already in effect, I200), and hands
 * what the cell lets through to its handler (store_apply.h lists which file
 * holds which).  A handler writes the record, one history row per change,
 * the deadlines and the outbox rows the change requires.  A movement the
 * rules refuse gets an E finding and changes nothing.
 *
 * Isolation: every query is keyed by the employer of the file, so a row can
 * only ever see its own employer's employees; an unknown NIR reads the same
 * whether or not another employer has it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_apply.h"

/* The handler of each cell that applies a movement. */
static int (*const handlers[HANDLER_COUNT])(struct ap *) = {
	[H_SIMPLE] = ap_simple,
	[H_COMPLETE] = ap_complete,
	[H_FINALISATION] = ap_finalisation,
	[H_FORCEE] = ap_forcee,
	[H_RELANCE] = ap_relance,
	[H_DISPENSE] = ap_dispense,
	[H_RADIATION] = ap_radiation,
	[H_FIN_PORTABILITE] = ap_fin_portabilite,
	[H_ANNULATION] = ap_annulation,
	[H_MODIFICATION] = ap_modification,
	[H_AYANT_DROIT] = ap_ayant_droit,
};

int ap_refuse(struct ap *a, const char *code, enum field f, const char *fmt,
	      ...)
{
	char msg[DIAG_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mv_diag(a->mv, code, f, "%s", msg);
	return 1;
}

int ap_already(struct ap *a, const char *what)
{
	transition_already(a->mv, what);
	return 0;
}

const char *ap_target(const struct ap *a)
{
	int to = a->t->out[0].to;

	if (to == TO_SAME)
		return status_name(a->from);
	if (to == TO_PREVIOUS)
		return status_name(a->rec.prev_status);
	return status_name((enum status)to);
}

void ap_record_of(const struct st_emp *e, struct record *r)
{
	memset(r, 0, sizeof(*r));
	r->status = e->id ? status_from_name(e->status) : STATUS_NONE;
	r->prev_status = status_from_name(e->prev_status);
	r->nom = e->nom;
	r->date_embauche = e->date_embauche;
	r->option = e->option;
	r->date_fin_contrat = e->date_fin_contrat;
	r->motif_rupture = e->motif_rupture;
	r->radiation_at = e->radiation_at;
	r->portabilite_debut = e->portabilite_debut;
	r->portabilite_fin = e->portabilite_fin;
	r->portabilite_motif_fin = e->portabilite_motif_fin;
	r->dispense_motif = e->dispense_motif;
	r->dispense_fin = e->dispense_fin;
}

int ap_reload(struct ap *a)
{
	long long id = a->e.id;
	int rc;

	st_emp_free(&a->e);
	rc = st_emp_load_id(a->st, id, &a->e);
	ap_record_of(&a->e, &a->rec);
	return rc;
}

/* store_apply - apply one checked movement; see store.h */
int store_apply(struct store *st, const struct apply_ctx *ctx,
		struct movement *mv)
{
	char q[64];
	struct ap a;
	int rc = -1;

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.ctx = ctx;
	a.mv = mv;
	a.env.cfg = ctx->cfg;
	a.env.emp = ctx->emp;
	a.env.today = ctx->today;
	a.env.token_key = ctx->token_key;
	a.env.token_keylen = ctx->token_keylen;
	a.env.cause = ctx->cause ? ctx->cause :
		      ctx->portal ? "portail" : "fichier";
	snprintf(a.env.ref, sizeof(a.env.ref), "%s:%ld", ctx->file_id,
		 mv->line);
	a.dc.cfg = ctx->cfg;
	a.dc.emp = ctx->emp;
	a.dc.today = ctx->today;
	if (st_emp_load(st, ctx->emp->numero, mv_get(mv, F_NIR), &a.e) < 0)
		return -1;
	ap_record_of(&a.e, &a.rec);
	a.from = a.rec.status;
	if (a.e.id != 0 && a.from == STATUS_NONE) {
		/* Only status_name() ever wrote the column. */
		log_err("event=unknown_status employee=%lld status=%s", a.e.id,
			log_quote(q, sizeof(q), a.e.status));
		goto out;
	}
	switch (transition_decide(&a.rec, mv, &a.dc, &a.t)) {
	case TRANSITION_APPLY:
		rc = handlers[a.t->handler](&a);
		break;
	case TRANSITION_DONE:
		rc = 0;
		break;
	case TRANSITION_REFUSED:
	default:
		rc = 1;
		break;
	}
out:
	st_emp_free(&a.e);
	return rc;
}
