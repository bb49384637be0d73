/*
 * pipeline_recon - a RECONCILIATION file (formats.md, "Reconciliation"):
 * the employer's whole current population, compared with the records.
 *
 * The file's first known operation decides what it is: a reconciliation
 * holds RECONCILIATION rows only, and any other operation in it (or a
 * RECONCILIATION row in any other file) refuses the whole file, E022: a
 * difference report must not ride along with changes, nor changes hide in
 * one.  Each valid row is compared as it streams (store_recon_row: I250,
 * W251, W252, W254, E255); after the last one, the covered employees no
 * row named get one W253 line each.  Then finish_normally rolls the
 * transaction back like a validation drop's: nothing applied, no mail, and
 * the temporary table of NIRs goes with it.
 *
 * The differences are information for the employer, not errors: they are
 * AVERTISSEMENT lines, so the code is CR1 when there is one, CR0 when the
 * records and the file agree (CR2 and CR3 keep their meaning: rows
 * rejected by the field rules).
 */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "daemon/pipeline_priv.h"
#include "daemon/signals.h"
#include "parsers/check.h"
#include "process/status.h"

/* pipeline_recon_mixed - see pipeline_priv.h */
int pipeline_recon_mixed(struct run *r, const struct movement *mv,
			 struct file_diag *why)
{
	if (mv->op == OP_NONE)		/* E100 on its row, as anywhere */
		return 0;
	if (r->first_op == OP_NONE) {
		r->first_op = mv->op;
		r->recon = mv->op == OP_RECONCILIATION;
		return 0;
	}
	if ((mv->op == OP_RECONCILIATION) == r->recon)
		return 0;
	memset(why, 0, sizeof(*why));
	why->line = mv->line;
	why->d.field = F_OPERATION;
	snprintf(why->d.code, sizeof(why->d.code), "E022");
	snprintf(why->d.msg, sizeof(why->d.msg), "%s dans un fichier %s "
		 "RECONCILIATION : un fichier de rapprochement ne contient que "
		 "des lignes RECONCILIATION ; envoyez les mouvements dans un "
		 "autre fichier", op_name(mv->op), r->recon ? "de" :
		 "qui n'est pas de");
	return 1;
}

/* pipeline_recon_row - see pipeline_priv.h */
int pipeline_recon_row(struct run *r, struct movement *mv)
{
	struct check_ctx cc = { r->d->cfg, r->job->emp, r->today, 0, 0 };
	struct recon_counts *c = &r->recon_counts;
	long fields;
	int found;

	if (r->job->emp == NULL) {
		mv_diag(mv, "E256", F_OPERATION, "RECONCILIATION : réservé au "
			"dépôt de l'employeur");
		return 0;
	}
	check_movement(&cc, mv);
	if (mv_has_error(mv))
		return 0;
	if (!r->recon_started) {
		if (store_recon_begin(r->d->store) < 0)
			return -1;
		r->recon_started = 1;
	}
	found = store_recon_row(r->d->store, r->job->employer, mv, &fields);
	if (found < 0)
		return -1;
	c->unknown += found == RECON_UNKNOWN;
	c->not_covered += found == RECON_NOT_COVERED;
	c->differing += found == RECON_DIFFERS;
	c->fields += fields;
	return 0;
}

/* missing - one covered employee no row named: W253, never the NIR in a
 * log, the name in the message */
static int missing(const char *nir, const char *prenom, const char *nom,
		   const char *status, void *arg)
{
	struct run *r = arg;
	char msg[DIAG_MSG_MAX];

	snprintf(msg, sizeof(msg), "salarié couvert absent du fichier : "
		 "%.80s %.80s, %s ; s'il a quitté l'entreprise, envoyez sa "
		 "RADIATION", prenom ? prenom : "", nom ? nom : "",
		 status_label_name(status));
	/* Counted with the rows' warnings: the summary's count is every
	 * AVERTISSEMENT line of a reconciliation. */
	r->recon_counts.missing++;
	r->counts.warnings++;
	if (pipeline_emit(r, 0, op_name(OP_RECONCILIATION), nir,
			  "AVERTISSEMENT", "W253", "", msg) < 0)
		return -1;
	/* A large portfolio: a stop is heard here too. */
	if ((r->recon_counts.missing & 4095) == 0 && signals_poll(r->d)) {
		log_info("event=file_interrupted id=%s", r->job->id);
		return -1;
	}
	return 0;
}

/* pipeline_recon_finish - see pipeline_priv.h */
int pipeline_recon_finish(struct run *r)
{
	const struct recon_counts *c = &r->recon_counts;

	if (!r->recon || !r->recon_started)
		return 0;
	if (store_recon_missing_each(r->d->store, r->job->employer, missing,
				     r) != 0)
		return -1;
	log_info("event=file_reconciled id=%s employer=%s unknown=%ld "
		 "not_covered=%ld missing=%ld fields=%ld differing=%ld",
		 r->job->id, r->job->employer, c->unknown, c->not_covered,
		 c->missing, c->fields, c->differing);
	return 0;
}

/* pipeline_recon_note - see pipeline_priv.h */
const char *pipeline_recon_note(const struct run *r, char *buf, size_t len)
{
	char note[320];

	if (!r->recon)
		return r->job->validation ?
		       "validation seule : rien n'a été appliqué" : NULL;
	recon_note(&r->recon_counts, note, sizeof(note));
	snprintf(buf, len, "%s%s", r->job->validation ? "validation seule ; " :
		 "", note);
	return buf;
}
