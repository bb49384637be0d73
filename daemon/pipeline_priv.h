/*
 * pipeline_priv - what the pipeline's files share; nothing outside
 * daemon/pipeline*.c includes this.
 *
 *   pipeline.c          the lifecycle of one file: open, pre-pass, stream,
 *                       report, COMMIT, moves; failures and their class
 *   pipeline_group.c    one movement: checked, applied under its savepoint,
 *                       reported; movement groups (a parent and its
 *                       beneficiaries) applied whole or not at all
 *   pipeline_request.c  EXPORT and BULLETIN: what a file asks to receive
 *   pipeline_moves.c    where things go: staging, report and archive names,
 *                       the moves after the COMMIT
 *   pipeline_gate.c     the radiation gate: would this file radiate too
 *                       many of the employer's covered employees?
 *   pipeline_recon.c    RECONCILIATION: the whole population compared
 *                       with the records, nothing applied
 *   pipeline_admin.c    the admin drop's own operations (affilctl's
 *                       changes): requests, a message again, the timers,
 *                       portability
 */
#ifndef AFFILD_PIPELINE_PRIV_H
#define AFFILD_PIPELINE_PRIV_H

#include "common/buf.h"
#include "daemon/pipeline.h"
#include "parsers/movement.h"
#include "report/report.h"
#include "rules/recon.h"

#define GROUP_MAX 21		/* a parent and 20 beneficiaries */
#define BULLETIN_MAX 200	/* BULLETIN requests in one file */

/* One file being processed. */
struct run {
	struct daemon *d;
	const struct file_job *job;
	char work[SPOOL_PATH_MAX];
	char stage[SPOOL_PATH_MAX];	/* out/.staging/<id>: see stage_path */
	char report_tmp[SPOOL_PATH_MAX];
	struct report *report;
	struct report_counts counts;
	long file_warnings;
	struct date today;		/* Europe/Paris, once per file */
	int fd;
	/* Movements read, not yet applied (store_read_ahead). */
	struct movement *ahead;		/* ahead_max, initialised lazily */
	int nahead, ahead_init, ahead_max;
	/* The open movement group (formats.md, "Movement groups"). */
	struct movement *grp;		/* GROUP_MAX, initialised lazily */
	int ngrp;
	long grp_bad;			/* line of its first rejected member */
	int grp_held;			/* the parent read, not yet applied */
	int grp_sp;			/* the savepoint "grp" is taken */
	char overflow_nir[16];		/* a group cut at GROUP_MAX */
	int portal;			/* the portal's drop */
	char cause[16 + PIPE_LOGIN_MAX];/* admin drop: "admin:<login>" */
	struct buf *admin_lines;	/* ECHEANCES: deadlines fired, told
					 * after the row (pipeline_admin.c) */
	long admin_more;		/* fired beyond those told */
	long admin_line;		/* the ECHEANCES row's line */
	int forced;			/* affilctl reprocess --force copy */
	struct reprocess_rec rq;	/* its request, when forced */
	/* The radiation gate (pipeline_gate.c). */
	int gate_on;			/* this run may be held */
	long covered;			/* covered employees before the file */
	long radiations;		/* accepted RADIATION movements */
	/* EXPORT: the employer's list, written beside the report. */
	int export_wanted;
	char export_status[16];		/* "" for every status */
	long requests;			/* accepted EXPORT, BULLETIN */
	struct bulletin_req {		/* BULLETIN: one PDF each */
		long line;
		char nir[16];
		const struct cfg_employer *emp;	/* the drop's, or the
						 * row's (admin drop) */
	} *bulletins;
	int nbulletins;
	/* RECONCILIATION (pipeline_recon.c). */
	enum op first_op;		/* the file's first known operation */
	int recon;			/* a reconciliation file */
	int recon_started;		/* temp.recon_nir is ready */
	struct recon_counts recon_counts;
};

/* pipeline_group.c */
/* pipeline_emit - one report line, and the stored line unless ACCEPTE */
int pipeline_emit(struct run *r, long line, const char *op, const char *nir,
		  const char *result, const char *code, const char *field,
		  const char *msg);
/* pipeline_take - one movement from the reader: alone or in its group */
int pipeline_take(struct run *r, struct movement *mv);
/* pipeline_slot - where the reader puts the next movement */
struct movement *pipeline_slot(struct run *r);
/* pipeline_read - the slot's movement is read: taken now, or with its
 * batch once the store reads ahead; pipeline_flush - take what is read */
int pipeline_read(struct run *r);
int pipeline_flush(struct run *r);
/* pipeline_ahead_free - the slots */
void pipeline_ahead_free(struct run *r);
/* pipeline_group_close - the open group applies whole or not at all */
int pipeline_group_close(struct run *r);
/* pipeline_other_employer - the row names another employer (E003) */
int pipeline_other_employer(const struct run *r, const struct movement *mv);
/* pipeline_employer_of - the employer of a movement: the drop's, or in
 * the portal's and admin drop the one the row names (else E104 on mv,
 * NULL) */
const struct cfg_employer *pipeline_employer_of(struct run *r,
						struct movement *mv);

/* pipeline_admin.c */
/* pipeline_admin_row - an admin drop's operation (op_admin_only): checked
 * (E270 outside the admin drop), then done inside the file's transaction;
 * its findings on mv.  0, -1 on a database error */
int pipeline_admin_row(struct run *r, struct movement *mv);
/* pipeline_admin_after - the lines a row left to tell after its own (the
 * deadlines an ECHEANCES fired); 0, -1 */
int pipeline_admin_after(struct run *r);
/* pipeline_admin_free - what a run of the admin drop held */
void pipeline_admin_free(struct run *r);

/* pipeline_request.c: asked while streaming, written before the COMMIT */
void pipeline_want_export(struct run *r, struct movement *mv);
int pipeline_want_bulletin(struct run *r, struct movement *mv);
int pipeline_write_export(struct run *r);
int pipeline_write_bulletins(struct run *r);

/* pipeline_gate.c */
/* pipeline_gate_start - before streaming: gated? the covered count; 0, -1 */
int pipeline_gate_start(struct run *r);
/* pipeline_gate_count - after a movement's apply */
void pipeline_gate_count(struct run *r, const struct movement *mv);
/* pipeline_gate_trips - 1: hold the file (the E020 message in msg) */
int pipeline_gate_trips(const struct run *r, char *msg, size_t len);

/* pipeline_recon.c */
/* pipeline_recon_mixed - 1 when mv mixes RECONCILIATION with other
 * operations in one file (why: E022, the whole file refused) */
int pipeline_recon_mixed(struct run *r, const struct movement *mv,
			 struct file_diag *why);
/* pipeline_recon_row - compare one RECONCILIATION row; -1 on a database
 * error */
int pipeline_recon_row(struct run *r, struct movement *mv);
/* pipeline_recon_finish - after the last row: the W253 lines; 0, -1 */
int pipeline_recon_finish(struct run *r);
/* pipeline_recon_note - the summary's note: NULL, the validation note,
 * or the reconciliation's counts (in buf) */
const char *pipeline_recon_note(const struct run *r, char *buf, size_t len);

/* pipeline_moves.c: names, 0 or -1 when a path does not fit */
enum report_format pipeline_report_format(const struct file_job *job);
int pipeline_report_name(const struct run *r, char *out, size_t outlen);
int pipeline_export_name(const struct run *r, char *out, size_t outlen);
int pipeline_bulletin_name(const struct run *r, long line, char *out,
			   size_t outlen);
int pipeline_stage_path(const struct daemon *d, const struct file_job *job,
			const char *suffix, char *out, size_t outlen);

#endif
