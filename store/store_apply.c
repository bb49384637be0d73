/*
 * store_apply - the apply step: one checked movement against the employee
 * records, inside the file's transaction.
 *
 * store_apply() loads the record the movement names, runs the movement
 * through the cell of the transition table for the record's status
 * (process/transition.h: the one place the rules refuse a transition, with
 * E201 or E202, or find the movement already in effect, I200), and hands
 * what the cell lets through to its handler (process/handle.h), which
 * decides the change: the record, one history row per change, the
 * deadlines and the messages.  The store answers the handler's questions
 * (struct facts) and writes the change (store_change.c).  A movement the
 * rules refuse gets an E finding and changes nothing.
 *
 * Isolation: every query is keyed by the employer of the file, so a row can
 * only ever see its own employer's employees; an unknown NIR reads the same
 * whether or not another employer has it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_apply.h"

/* The movement being applied, as the facts' callbacks see it. */
struct ap {
	struct store *st;
	const struct cfg_employer *emp;
	long long id;			/* the record's; 0 for none */
};

static int rum_taken(void *arg, const char *rum)
{
	struct ap *a = arg;

	return st_rum_taken(a->st, a->id, rum);
}

static int nir_taken(void *arg, const char *nir)
{
	static const char sql[] =
		"SELECT 1 FROM employee WHERE employer = ? AND nir = ?";
	struct ap *a = arg;
	sqlite3_stmt *s = st_stmt(a->st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, a->emp->numero);
	st_text(s, 2, nir);
	return st_one_row(a->st, s, "nir lookup", NULL, NULL);
}

static int beneficiary(void *arg, const struct movement *mv,
		       struct ben_facts *out)
{
	struct ap *a = arg;

	return st_ben_facts(a->st, a->id, mv, out);
}

static int held_radiation(void *arg, char *data, size_t datalen)
{
	struct ap *a = arg;
	char *pending = NULL;
	int rc;

	rc = st_deadline_pending(a->st, a->id, timer_rule(DL_RADIATION)->name,
				 &pending);
	if (rc == 1 && strlcpy_ok(data, pending ? pending : "", datalen) < 0)
		data[0] = '\0';	/* longer than any decision: not one */
	free(pending);
	return rc;
}

static long long last_history(void *arg)
{
	struct ap *a = arg;

	return st_last_history(a->st, a->id);
}

/* store_apply - apply one checked movement; see store.h */
int store_apply(struct store *st, const struct apply_ctx *ctx,
		struct movement *mv)
{
	struct ap a = { st, ctx->emp, 0 };
	const struct facts facts = {
		&a, rum_taken, nir_taken, beneficiary, held_radiation,
		last_history,
	};
	const struct transition *t;
	struct decide_ctx dc;
	struct handle h;
	struct record rec;
	struct st_env env;
	struct st_emp e;
	struct change c;
	char q[64];
	int rc = -1;

	memset(&env, 0, sizeof(env));
	env.cfg = ctx->cfg;
	env.emp = ctx->emp;
	env.today = ctx->today;
	env.token_key = ctx->token_key;
	env.token_keylen = ctx->token_keylen;
	env.cause = ctx->cause ? ctx->cause : ctx->portal ? "portail" :
		    "fichier";
	snprintf(env.ref, sizeof(env.ref), "%s:%ld", ctx->file_id, mv->line);
	st_decide_ctx(&env, &dc);
	dc.portal = ctx->portal;
	if (st_emp_load(st, ctx->emp->numero, mv_get(mv, F_NIR), &e) < 0)
		return -1;
	a.id = e.id;
	st_emp_record(&e, &rec);
	if (e.id != 0 && rec.status == STATUS_NONE) {
		/* Only status_name() ever wrote the column. */
		log_err("event=unknown_status employee=%lld status=%s", e.id,
			log_quote(q, sizeof(q), e.status));
		goto out;
	}
	switch (transition_decide(&rec, mv, &dc, &t)) {
	case TRANSITION_APPLY:
		h.dc = &dc;
		h.r = &rec;
		h.f = &facts;
		h.mv = mv;
		h.t = t;
		if ((rc = handle(&h, &c)) != 0) {
			if (rc < 0)
				log_err("event=apply_failed handler=%s "
					"employee=%lld",
					handler_name(t->handler), e.id);
			break;
		}
		if (c.full)
			log_err("event=bug where=change_full handler=%s",
				handler_name(t->handler));
		if (!change_empty(&c))
			rc = st_change_write(st, &env, &e, mv, &c);
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
	st_emp_free(&e);
	return rc;
}
