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


static int rum_taken(void *arg, const char *rum)
{
	struct st_facts *a = arg;

	return st_rum_taken(a->st, a->id, rum);
}

static int nir_taken(void *arg, const char *nir)
{
	static const char sql[] =
		"SELECT 1 FROM employee WHERE employer = ? AND nir = ?";
	struct st_facts *a = arg;
	struct db_stmt *s = st_stmt(a->st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, a->emp->numero);
	st_text(s, 2, nir);
	return st_one_row(a->st, s, "nir lookup", NULL, NULL);
}

static int beneficiary(void *arg, const struct movement *mv,
		       struct ben_facts *out)
{
	struct st_facts *a = arg;

	return st_ben_facts(a->st, a->id, mv, out);
}

static int held_radiation(void *arg, char *data, size_t datalen)
{
	struct st_facts *a = arg;
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
	struct st_facts *a = arg;

	return st_last_history(a->st, a->id);
}

static int ben_covered(void *arg, long long id)
{
	static const char sql[] = "SELECT 1 FROM beneficiary WHERE id = ?"
		" AND employee_id = ? AND date_fin IS NULL";
	struct st_facts *a = arg;
	struct db_stmt *s = st_stmt(a->st, sql);

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, a->id);
	return st_one_row(a->st, s, "beneficiary covered", NULL, NULL);
}

void st_facts(struct st_facts *a, struct store *st,
	      const struct cfg_employer *emp, long long id)
{
	a->st = st;
	a->emp = emp;
	a->id = id;
	a->f.arg = a;
	a->f.rum_taken = rum_taken;
	a->f.nir_taken = nir_taken;
	a->f.beneficiary = beneficiary;
	a->f.radiation_held = held_radiation;
	a->f.last_history = last_history;
	a->f.ben_covered = ben_covered;
}

/*
 * try_new - the common case of a bulk file, a new employee: the movement
 * decided on no record and inserted only if the employer has none of its
 * NIR, without looking it up first.  1 when that is not the case (the
 * record exists, or on no record the movement would be refused, say
 * anything or draw a RUM): then the usual way, from the start.
 */
static int try_new(struct store *st, const struct st_env *env,
		   const struct decide_ctx *dc, struct movement *mv)
{
	const struct transition *t = transition_of(STATUS_NONE, mv->op);
	int ndiags = mv->ndiags, nerrors = mv->nerrors;
	int said = ndiags + mv->ndropped;
	struct st_facts facts;
	struct record none;
	struct handle h;
	struct change c;
	struct st_emp e;
	int rc;

	/* Only the handlers that take a movement on no record and set
	 * nothing on it but findings, which are rewound. */
	if (t == NULL || t->verdict != TR_APPLY ||
	    (t->handler != H_SIMPLE && t->handler != H_COMPLETE))
		return 1;
	memset(&none, 0, sizeof(none));
	st_facts(&facts, st, env->emp, 0);
	h.dc = dc;
	h.r = &none;
	h.f = &facts.f;
	h.mv = mv;
	if (transition_decide(&none, mv, dc, &h.t) != TRANSITION_APPLY ||
	    mv->ndiags + mv->ndropped != said)
		rc = 1;
	else if ((rc = handle(&h, &c)) == 0 &&
		 (mv->ndiags + mv->ndropped != said || c.record == CR_UPDATE ||
		  c.rum_generate || c.full))
		rc = 1;
	if (rc < 0) {
		log_err("event=apply_failed handler=%s employee=0",
			handler_name(h.t->handler));
		return -1;
	}
	if (rc != 0) {
		mv->ndiags = ndiags;	/* said again the usual way */
		mv->nerrors = nerrors;
		mv->ndropped = said - ndiags;
		return 1;
	}
	memset(&e, 0, sizeof(e));
	rc = st_change_write_new(st, env, &e, mv, &c);
	st_emp_free(&e);
	return rc;
}

/* store_apply - apply one checked movement; see store.h */
int store_apply(struct store *st, const struct apply_ctx *ctx,
		struct movement *mv)
{
	const struct transition *t;
	struct st_facts facts;
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
	if ((rc = try_new(st, &env, &dc, mv)) != 1)
		return rc;
	rc = -1;
	if (st_emp_load(st, ctx->emp->numero, mv_get(mv, F_NIR), &e) < 0)
		return -1;
	st_facts(&facts, st, ctx->emp, e.id);
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
		h.f = &facts.f;
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
