/*
 * store_apply - the apply step: one checked movement against the employee
 * records, inside the file's transaction.
 *
 * store_apply() loads the record the movement names and hands it to the
 * transition of its operation (store_apply.h lists which file holds
 * which).  Each transition reads the record, decides by the transition
 * table of rules.md, and only then writes: the record, one history row per
 * change, the deadlines and the outbox rows the change requires.  A
 * movement the rules refuse gets an E finding and changes nothing; one
 * already in effect gets I200 "déjà pris en compte" and changes nothing
 * either.  This file also holds that shared vocabulary of findings.
 *
 * Isolation: every query is keyed by the employer of the file, so a row can
 * only ever see its own employer's employees; an unknown NIR reads the same
 * whether or not another employer has it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "process/status.h"
#include "store/store_apply.h"

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
	mv_diag(a->mv, "I200", F_NONE, "déjà pris en compte : %s, rien n'a "
		"été modifié", what);
	return 0;
}

int ap_status_is(const struct ap *a, ...)
{
	const char *s;
	va_list ap;
	int hit = 0;

	va_start(ap, a);
	while ((s = va_arg(ap, const char *)) != NULL)
		hit |= st_same(a->e.status, s);
	va_end(ap);
	return a->e.id != 0 && hit;
}

int ap_reload(struct ap *a)
{
	long long id = a->e.id;

	st_emp_free(&a->e);
	return st_emp_load_id(a->st, id, &a->e);
}

/* ap_transition_refused - E201: the rules have no such transition */
int ap_transition_refused(struct ap *a)
{
	return ap_refuse(a, "E201", F_OPERATION, "%s impossible : le salarié "
			 "est %s (%s) chez cet employeur",
			 op_name(a->mv->op), status_label_name(a->e.status),
			 a->e.status);
}

/* ap_unknown - E202, worded the same whether another employer has the NIR */
int ap_unknown(struct ap *a)
{
	return ap_refuse(a, "E202", F_NIR, "salarié inconnu : aucun salarié "
			 "de cet employeur n'a ce NIR");
}

/* store_apply - apply one checked movement; see store.h */
int store_apply(struct store *st, const struct apply_ctx *ctx,
		struct movement *mv)
{
	struct ap a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.ctx = ctx;
	a.mv = mv;
	a.env.cfg = ctx->cfg;
	a.env.emp = ctx->emp;
	a.env.today = ctx->today;
	a.env.token_key = ctx->token_key;
	a.env.token_keylen = ctx->token_keylen;
	a.env.cause = ctx->portal ? "portail" : "fichier";
	snprintf(a.env.ref, sizeof(a.env.ref), "%s:%ld", ctx->file_id,
		 mv->line);
	if (st_emp_load(st, ctx->emp->numero, mv_get(mv, F_NIR), &a.e) < 0)
		return -1;
	switch (mv->op) {
	case OP_AFFILIATION_SIMPLE:	rc = ap_simple(&a); break;
	case OP_AFFILIATION_COMPLETE:	rc = ap_complete(&a); break;
	case OP_AYANT_DROIT:		rc = ap_ayant_droit(&a); break;
	case OP_RADIATION:		rc = ap_radiation(&a); break;
	case OP_ANNULATION:		rc = ap_annulation(&a); break;
	case OP_MODIFICATION:		rc = ap_modification(&a); break;
	case OP_RELANCE:		rc = ap_relance(&a); break;
	case OP_AFFILIATION_FORCEE:	rc = ap_forcee(&a); break;
	case OP_DISPENSE:		rc = ap_dispense(&a); break;
	case OP_FIN_PORTABILITE:	rc = ap_fin_portabilite(&a); break;
	case OP_FINALISATION:		rc = ap_finalisation(&a); break;
	default:
		rc = ap_refuse(&a, "E106", F_OPERATION, "opération %s non "
			       "traitée par les dépôts de fichiers de cette "
			       "version", op_name(mv->op));
		break;
	}
	st_emp_free(&a.e);
	return rc;
}
