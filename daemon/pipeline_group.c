/*
 * pipeline_group - one movement at a time: checked (parsers/check.c),
 * decided whole then written (store_apply), reported.  A parent and its
 * beneficiaries (formats.md, "Movement groups") are held until the group
 * closes, then applied whole or not at all: the parent waits for the next
 * movement, and only when a beneficiary follows is the savepoint "grp"
 * taken, for a rejected beneficiary to undo its parent.
 *
 * On PostgreSQL the movements of an employer's file are read a batch
 * ahead (store_read_ahead): the store asks once which of their NIRs the
 * employer holds, and the new employees among them are written without a
 * round trip each.  They are then taken one at a time, in file order, as
 * if just read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "daemon/pipeline_priv.h"
#include "parsers/check.h"

/* emit - one report line, and the stored line when it is not an ACCEPTE */
int pipeline_emit(struct run *r, long line, const char *op, const char *nir,
		const char *result, const char *code, const char *field,
		const char *msg)
{
	if (report_line(r->report, line, op, nir, result, code, field,
			msg) < 0)
		return -1;
	if (strcmp(result, "ACCEPTE") == 0)
		return 0;
	return store_file_line(r->d->store, r->job->id, line, op, nir, result,
			       code, field, msg);
}

/* emit_movement - the report lines of one movement (formats.md) */
static int emit_movement(struct run *r, const struct movement *mv)
{
	const char *nir = mv_get(mv, F_NIR), *op = mv_get(mv, F_OPERATION);
	int i, rejected = mv_has_error(mv), rc = 0;
	const char *info = r->job->validation ? "mouvement valide" :
			   "mouvement appliqué";
	const char *icode = "I000";

	if (mv->op != OP_NONE)
		op = op_name(mv->op);
	for (i = 0; i < mv->ndiags; i++)
		if (mv->diags[i].code[0] == DIAG_INFO) {
			icode = mv->diags[i].code;
			info = mv->diags[i].msg;
		}
	if (!rejected)
		rc |= pipeline_emit(r, mv->line, op, nir, "ACCEPTE", icode, "", info);
	for (i = 0; i < mv->ndiags; i++) {
		const struct diag *dg = &mv->diags[i];

		if (dg->code[0] == (rejected ? DIAG_ERR : DIAG_WARN))
			rc |= pipeline_emit(r, mv->line, op, nir,
				   rejected ? "REJETE" : "AVERTISSEMENT",
				   dg->code, field_name(dg->field), dg->msg);
	}
	if (mv->ndropped > 0)
		rc |= pipeline_emit(r, mv->line, op, nir, rejected ? "REJETE" :
			   "AVERTISSEMENT", "I001", "", "autres anomalies sur "
			   "cette ligne non détaillées");
	r->counts.movements++;
	if (rejected) {
		r->counts.rejected++;
	} else {
		r->counts.accepted++;
		for (i = 0; i < mv->ndiags; i++)
			r->counts.warnings += mv->diags[i].code[0] == DIAG_WARN;
	}
	return rc ? -1 : 0;
}

/* pipeline_employer_of - the employer a movement belongs to, or NULL
 * (finding set) */
const struct cfg_employer *pipeline_employer_of(struct run *r,
						struct movement *mv)
{
	const struct cfg_employer *emp = r->job->emp;
	const char *num = mv_get(mv, F_NUMERO_PERSONNE);

	if (emp == NULL) {	/* the portal, the admin drop: every row names
				 * its employer */
		emp = num ? cfg_employer(r->d->cfg, num) : NULL;
		if (emp == NULL)
			mv_diag(mv, "E104", F_NUMERO_PERSONNE, "numero_personne "
				"absent ou inconnu : obligatoire sur chaque "
				"ligne %s", r->job->admin ? "du dépôt de "
				"l'assureur" : "du portail");
	}
	return emp;
}

/* apply_one - check and apply one movement; a movement the store refuses
 * changes nothing (decided before its first write) */
static int apply_one(struct run *r, struct movement *mv)
{
	struct daemon *d = r->d;
	struct check_ctx cc = { d->cfg, NULL, r->today, r->portal,
				r->job->admin };
	struct apply_ctx ac = { d->cfg, NULL, r->job->id, cc.today,
				d->token_key, d->token_keylen, cc.portal,
				r->job->admin ? r->cause : NULL };

	cc.emp = ac.emp = pipeline_employer_of(r, mv);
	if (cc.emp == NULL)
		return 0;
	check_movement(&cc, mv);
	if (mv_has_error(mv))
		return 0;
	/* No savepoint: a refused movement (1) has written nothing. */
	return store_apply(d->store, &ac, mv) < 0 ? -1 : 0;
}

/* nir_key - a NIR as the checks will normalise it: no spaces or
 * separators, upper case ("2 90 04 99..." and "29004 99..." are one) */
static void nir_key(const struct movement *mv, char *out, size_t outlen)
{
	const char *v = mv_get(mv, F_NIR);
	size_t n = 0;

	for (; v && *v && n + 1 < outlen; v++)
		if ((*v >= '0' && *v <= '9') || (*v >= 'a' && *v <= 'z') ||
		    (*v >= 'A' && *v <= 'Z'))
			out[n++] = (char)(*v >= 'a' && *v <= 'z' ? *v - 32 :
					  *v);
	out[n] = '\0';
}

/* same_nir - b names the same employee as a (and, in the portal's drop,
 * the same employer) */
static int same_nir(const struct run *r, const struct movement *a,
		    const struct movement *b)
{
	char x[32], y[32];
	const char *ea = mv_get(a, F_NUMERO_PERSONNE);
	const char *eb = mv_get(b, F_NUMERO_PERSONNE);

	nir_key(a, x, sizeof(x));
	nir_key(b, y, sizeof(y));
	if (*x == '\0' || strcmp(x, y) != 0)
		return 0;
	return r->job->emp != NULL ||
	       strcmp(ea ? ea : "", eb ? eb : "") == 0;
}

/*
 * group_close - the open group applies whole or not at all: a rejected
 * parent rejects its beneficiaries, a rejected beneficiary the group.  Its
 * report lines are written now, in file order.
 */
int pipeline_group_close(struct run *r)
{
	struct store *st = r->d->store;
	int i, rc = 0;

	if (r->ngrp == 0)
		return 0;
	if (r->grp_held) {	/* a parent alone: no savepoint needed */
		r->grp_held = 0;
		if (apply_one(r, &r->grp[0]) < 0)
			return -1;
		if (mv_has_error(&r->grp[0]))
			r->grp_bad = r->grp[0].line;
	}
	if (r->grp_bad) {
		if (r->grp_sp && store_rollback_to(st, "grp") < 0)
			return -1;
		for (i = 0; i < r->ngrp; i++) {
			struct movement *m = &r->grp[i];

			if (mv_has_error(m))
				continue;
			if (r->grp_bad == r->grp[0].line)
				mv_diag(m, "E220", F_OPERATION, "mouvement "
					"parent rejeté (ligne %ld) : ses ayants "
					"droit ne sont pas appliqués",
					r->grp_bad);
			else
				mv_diag(m, "E221", F_OPERATION, "groupe rejeté "
					"en entier : l'ayant droit de la ligne "
					"%ld est rejeté", r->grp_bad);
		}
	} else if (r->grp_sp && store_release(st, "grp") < 0) {
		return -1;
	}
	for (i = 0; i < r->ngrp && rc == 0; i++)
		rc = emit_movement(r, &r->grp[i]);
	r->ngrp = 0;
	r->grp_bad = 0;
	r->grp_sp = 0;
	return rc;
}

/* group_add - the next member of the open group, or its parent */
static int group_add(struct run *r, const struct movement *mv)
{
	struct movement *m;
	int i;

	if (r->grp == NULL) {
		r->grp = xcalloc(GROUP_MAX, sizeof(*r->grp));
		for (i = 0; i < GROUP_MAX; i++)
			mv_init(&r->grp[i]);
	}
	m = &r->grp[r->ngrp++];
	if (mv_copy(m, mv) < 0)
		return -1;
	if (r->ngrp == 1) {
		/* The parent waits: most come alone, and a parent alone is
		 * decided whole before it writes (store_apply), so it needs
		 * no savepoint; one is taken when a beneficiary follows. */
		r->grp_held = 1;
		return 0;
	}
	if (r->grp_held) {
		r->grp_held = 0;
		if (store_savepoint(r->d->store, "grp") < 0)
			return -1;
		r->grp_sp = 1;
		if (apply_one(r, &r->grp[0]) < 0)
			return -1;
		if (mv_has_error(&r->grp[0]))
			r->grp_bad = r->grp[0].line;
	}
	if (r->grp_bad) {	/* checked for the report, not applied */
		struct check_ctx cc = { r->d->cfg, pipeline_employer_of(r, m),
					r->today, r->portal, r->job->admin };

		if (cc.emp)
			check_movement(&cc, m);
		return 0;
	}
	if (apply_one(r, m) < 0)
		return -1;
	if (mv_has_error(m))
		r->grp_bad = m->line;
	return 0;
}

/* take - one movement from the reader: alone, or as part of a group */
int pipeline_take(struct run *r, struct movement *mv)
{
	int member = r->ngrp > 0 && mv->op == OP_AYANT_DROIT &&
		     same_nir(r, &r->grp[0], mv);
	char key[32];

	nir_key(mv, key, sizeof(key));

	if (member && r->ngrp == GROUP_MAX) {
		(void)strlcpy_ok(r->overflow_nir, key, sizeof(r->overflow_nir));
		r->grp_bad = mv->line;
		if (pipeline_group_close(r) < 0)
			return -1;
	}
	if (mv->op == OP_AYANT_DROIT && r->overflow_nir[0] &&
	    strcmp(r->overflow_nir, key) == 0) {
		mv_diag(mv, "E222", F_OPERATION, "plus de %d ayants droit à la "
			"suite du même mouvement parent", GROUP_MAX - 1);
		return emit_movement(r, mv);
	}
	r->overflow_nir[0] = '\0';
	if (member)
		return group_add(r, mv);
	if (pipeline_group_close(r) < 0)
		return -1;
	if (mv->op == OP_AFFILIATION_COMPLETE || mv->op == OP_FINALISATION)
		return group_add(r, mv);
	if (mv->op == OP_EXPORT)
		pipeline_want_export(r, mv);
	else if (mv->op == OP_BULLETIN) {
		if (pipeline_want_bulletin(r, mv) < 0)
			return -1;
	} else if (mv->op == OP_RECONCILIATION) {
		if (pipeline_recon_row(r, mv) < 0)
			return -1;
	} else if (op_admin_only(mv->op)) {
		if (pipeline_admin_row(r, mv) < 0)
			return -1;
	} else if (apply_one(r, mv) < 0)
		return -1;
	pipeline_gate_count(r, mv);
	if (emit_movement(r, mv) < 0)
		return -1;
	return pipeline_admin_after(r);
}

#define AHEAD_MAX 128

/* pipeline_slot - see pipeline_priv.h */
struct movement *pipeline_slot(struct run *r)
{
	if (r->ahead == NULL) {
		r->ahead_max = 1;
		if (r->job->emp != NULL && !r->job->admin)
			r->ahead_max = store_read_ahead(r->d->store);
		if (r->ahead_max > AHEAD_MAX)
			r->ahead_max = AHEAD_MAX;
		r->ahead = xcalloc((size_t)r->ahead_max, sizeof(*r->ahead));
	}
	if (r->nahead == r->ahead_init)
		mv_init(&r->ahead[r->ahead_init++]);
	return &r->ahead[r->nahead];
}

/* pipeline_read - see pipeline_priv.h */
int pipeline_read(struct run *r)
{
	if (++r->nahead < r->ahead_max)
		return 0;
	return pipeline_flush(r);
}

/* pipeline_flush - see pipeline_priv.h */
int pipeline_flush(struct run *r)
{
	char keys[AHEAD_MAX][32];
	const char *nirs[AHEAD_MAX];
	int i, n = r->nahead;

	r->nahead = 0;
	if (r->ahead_max > 1 && n > 0) {
		for (i = 0; i < n; i++) {
			nir_key(&r->ahead[i], keys[i], sizeof(keys[i]));
			nirs[i] = keys[i];
		}
		if (store_prefetch(r->d->store, r->job->emp->numero, nirs,
				   n) < 0)
			return -1;
	}
	for (i = 0; i < n; i++)
		if (pipeline_take(r, &r->ahead[i]) < 0)
			return -1;
	return 0;
}

/* pipeline_ahead_free - see pipeline_priv.h */
void pipeline_ahead_free(struct run *r)
{
	int i;

	for (i = 0; i < r->ahead_init; i++)
		mv_free(&r->ahead[i]);
	free(r->ahead);
	r->ahead = NULL;
	r->nahead = r->ahead_init = 0;
}

/* other_employer - a row naming another employer rejects the whole file */
int pipeline_other_employer(const struct run *r, const struct movement *mv)
{
	const char *num = mv_get(mv, F_NUMERO_PERSONNE);

	return r->job->emp != NULL && num != NULL && *num != '\0' &&
	       strcmp(num, r->job->emp->numero) != 0;
}
