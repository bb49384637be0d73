/*
 * store_change - the one writer of a struct change (process/change.h):
 * what a handler, a deadline or an admin decided, written in the order
 * change.h gives.  Nothing here tests a status or a rule; a change that
 * did not fit its arrays is a bug and is not written at all.
 *
 * The change is decided whole before its first write, so a movement needs
 * no savepoint of its own (st_decided): an error here fails the file's
 * transaction, and nothing else can stop a change half-way.
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_apply.h"

void st_decide_ctx(const struct st_env *env, struct decide_ctx *dc)
{
	memset(dc, 0, sizeof(*dc));
	dc->cfg = env->cfg;
	dc->emp = env->emp;
	dc->today = env->today;
	dc->token_key = env->token_key;
	dc->token_keylen = env->token_keylen;
}

/* new_period - a rehire: the last period's end data is history now */
static int new_period(struct store *st, long long id)
{
	static const char *const cols[] = {
		"date_fin_contrat", "motif_rupture", "date_fin_droits",
		"portabilite_debut", "portabilite_fin", "radiation_at",
		"radiation_hist", "portabilite_motif_fin", "dispense_motif",
		"dispense_fin", "dispense_demande", "dispense_justificatif",
	};
	size_t i;

	for (i = 0; i < NELEM(cols); i++)
		if (st_set_col(st, id, cols[i], NULL) < 0)
			return -1;
	return st_set_col(st, id, "incomplete", "0");
}

/* record - the record's own columns */
static int record(struct store *st, const struct st_env *env,
		  struct st_emp *e, struct movement *mv,
		  const struct change *c, long long hist)
{
	size_t i;

	if (c->record == CR_UPDATE) {
		if ((c->new_period && new_period(st, e->id) < 0) ||
		    (c->to != STATUS_NONE &&
		     st_set_status(st, env, e->id, status_name(c->to)) < 0) ||
		    (c->person && st_emp_set_person(st, e->id, mv) < 0) ||
		    (c->nir && st_set_col(st, e->id, "nir", c->nir) < 0))
			return -1;
		if (c->nir)	/* held now: no longer known absent */
			st_ahead_forget(st, env->emp->numero, c->nir);
	}
	for (i = 0; i < c->nset; i++)
		if (st_set_col(st, e->id, c->set[i].col, c->set[i].value) < 0)
			return -1;
	if (c->radiated && st_rad_write(st, env, e, &c->rad, hist) < 0)
		return -1;
	return 0;
}

/* beneficiary - one added (with its age limit's deadline) or ended */
static int beneficiary(struct store *st, const struct st_emp *e,
		       const struct movement *mv, const struct change *c)
{
	char data[64];
	long long bid;

	if (c->ben.op == BEN_END)
		return st_ben_end(st, c->ben.id, c->ben.date_fin);
	if (c->ben.op != BEN_ADD)
		return 0;
	if ((bid = st_ben_add(st, e->id, mv)) < 0)
		return -1;
	if (!c->ben.age_due)
		return 0;
	if (ben_deadline_data(bid, data, sizeof(data)) < 0)
		return -1;
	return st_deadline_add(st, c->ben.age,
			       timer_rule(DL_AYANT_DROIT_AGE)->name, e->id,
			       data);
}

/* deadlines - cancelled, the link revoked, then set */
static int deadlines(struct store *st, const struct st_emp *e,
		     const struct change *c)
{
	const char *age = timer_rule(DL_AYANT_DROIT_AGE)->name;
	int k;
	size_t i;

	if (c->new_period && st_deadline_drop(st, e->id, NULL) < 0)
		return -1;
	for (k = 0; k < DL_COUNT && !c->new_period; k++)
		if ((c->drop & DL_BIT(k)) &&
		    st_deadline_drop(st, e->id, timer_rule(k)->name) < 0)
			return -1;
	if (c->drop_age && st_deadline_drop_data(st, e->id, age,
						 c->drop_age) < 0)
		return -1;
	if (c->covered && (st_revoke_token(st, e->id) < 0 ||
			   st_deadline_drop(st, e->id,
					    timer_rule(DL_RELANCE)->name) < 0))
		return -1;
	for (i = 0; i < c->ndue; i++)
		if (st_deadline_add(st, c->due[i].due,
				    timer_rule(c->due[i].kind)->name, e->id,
				    c->due[i].data) < 0)
			return -1;
	return 0;
}

/* var - a notice's value of name ("" when absent) */
static const char *var(const struct change_notice *n, const char *name)
{
	size_t i;

	for (i = 0; n->vars[i] != NULL; i += 2)
		if (strcmp(n->vars[i], name) == 0)
			return n->vars[i + 1];
	return "";
}

/* notices - the fresh link, then each notice, about e as now written */
static int notices(struct store *st, const struct st_env *env,
		   const struct st_emp *e, const struct change *c)
{
	size_t i;
	int rc = 0;

	if (c->invite != NOTICE_COUNT) {
		if (c->record == CR_INSERT_INVITED)
			rc = st_invite_queue(st, env, e,
					     notice_name(c->invite),
					     e->token_n, e->token_expires);
		else
			rc = st_invite(st, env, e, notice_name(c->invite));
	}
	for (i = 0; i < c->nnotice && rc == 0; i++) {
		const struct change_notice *n = &c->notice[i];
		const char *kind = notice_name(n->kind);

		if (*kind == '\0') {
			log_err("event=bug where=change_notice kind=%d",
				(int)n->kind);
			return -1;
		}
		switch (n->to) {
		case RCPT_EMPLOYEE:
		case RCPT_DEPARTURE:
			rc = st_notify(st, env, e, kind, n->vars,
				       n->to == RCPT_DEPARTURE);
			break;
		case RCPT_EMPLOYER:
			rc = st_notify_employer(st, env, e, n->addr, kind,
						n->vars);
			break;
		case RCPT_DEPENDANTS:
			rc = st_letter_dependants(st, env, e,
						  var(n, "date_fin_droits"));
			break;
		}
	}
	return rc;
}

/* change_write - st_change_write; if_absent: st_change_write_new */
static int change_write(struct store *st, const struct st_env *env,
			struct st_emp *e, struct movement *mv,
			const struct change *c, int if_absent)
{
	struct st_emp now;
	long long hist = 0;
	size_t i;
	int rc;

	if (c->full || ((c->person || c->record != CR_UPDATE ||
			 c->rum_generate || c->ben.op == BEN_ADD) &&
			mv == NULL)) {
		log_err("event=bug where=st_change_write employee=%lld",
			e->id);
		return -1;
	}
	st_decided(st);
	if (c->rum_generate && st_rum_generate(st, env, e->id, mv) < 0)
		return -1;
	if (c->record != CR_UPDATE &&
	    (rc = st_emp_insert(st, env, mv, status_name(c->to),
				c->record == CR_INSERT_INVITED, if_absent,
				e)) != 0)
		return rc;
	for (i = 0; i < c->nhist; i++)
		if ((hist = st_history(st, env, e->id,
				       status_name(c->hist[i].from),
				       status_name(c->hist[i].to),
				       c->hist[i].what)) < 0)
			return -1;
	if (record(st, env, e, mv, c, hist) < 0 ||
	    beneficiary(st, e, mv, c) < 0 || deadlines(st, e, c) < 0)
		return -1;
	if (c->invite == NOTICE_COUNT && c->nnotice == 0)
		return 0;
	/* The messages read the person as written: read it back when the
	 * change wrote personal data onto an existing record. */
	if (c->record != CR_UPDATE || (!c->person && c->nir == NULL))
		return notices(st, env, e, c);
	if (st_emp_load_id(st, e->id, &now) < 0)
		return -1;
	rc = notices(st, env, &now, c);
	st_emp_free(&now);
	return rc;
}

int st_change_write(struct store *st, const struct st_env *env,
		    struct st_emp *e, struct movement *mv,
		    const struct change *c)
{
	return change_write(st, env, e, mv, c, 0);
}

int st_change_write_new(struct store *st, const struct st_env *env,
			struct st_emp *e, struct movement *mv,
			const struct change *c)
{
	/* Only a change whose first write is the insert: nothing before it
	 * to undo when the record exists after all. */
	if (c->record == CR_UPDATE || c->rum_generate) {
		log_err("event=bug where=st_change_write_new");
		return -1;
	}
	return change_write(st, env, e, mv, c, 1);
}
