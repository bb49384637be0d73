/*
 * pipeline - process one claimed file exactly once (spool.md, "Lifecycle").
 *
 *   pre-pass   one read: SHA-256, encoding, size; whole-file rejections
 *   process    stream movements: check → apply (a savepoint each) → report
 *              line, all inside ONE transaction with the file's row, its
 *              rejected and warning lines, history and outbox rows
 *   report     written to out/.staging/<id>.cr while streaming, fsynced
 *              before the COMMIT, renamed into out/ after it
 *   archive    the original moves to archive/ (or quarantine/, or held/
 *              when the radiation gate holds it: pipeline_gate.c)
 *
 * A crash before the COMMIT leaves the file in work/ with its row still
 * "claimed": it is processed again from the start.  A crash after it leaves
 * the row "done": only the moves remain (pipeline_finish_moves()).
 *
 * This file is the lifecycle; its stages live beside it (pipeline_priv.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/date.h"
#include "common/util.h"
#include "daemon/once.h"
#include "daemon/pipeline_priv.h"
#include "daemon/signals.h"
#include "parsers/source.h"
#include "store/store_expected.h"

#define NOT_REGULAR (-1)	/* open_work(): a FIFO, a device, a folder */

/* stream - read and apply every movement; 0 done, 1 file rejected, -1 temp */
static int stream(struct run *r, const struct source_prepass *pp,
		  struct file_diag *why)
{
	const struct file_diag *w;
	struct source src;
	struct movement *mv;
	unsigned long nread = 0;
	size_t i, nw;
	int rc = 0, got;

	source_open(&src, r->fd, source_format(r->job->name), pp, r->d->cfg);
	r->nahead = 0;
	while ((got = source_next(&src, mv = pipeline_slot(r))) == 1) {
		if (pipeline_other_employer(r, mv)) {
			why->line = mv->line;
			snprintf(why->d.code, sizeof(why->d.code), "E003");
			snprintf(why->d.msg, sizeof(why->d.msg), "numero_personne "
				 "d'un autre employeur : un fichier ne peut "
				 "concerner que l'employeur de son dépôt");
			rc = 1;
			goto out;
		}
		if (pipeline_recon_mixed(r, mv, why)) {
			rc = 1;
			goto out;
		}
		if (pipeline_read(r) < 0) {
			rc = -1;
			goto out;
		}
		if ((++nread & 255) == 0 && signals_poll(r->d)) {
			log_info("event=file_interrupted id=%s", r->job->id);
			rc = -1;
			goto out;
		}
	}
	if (got < 0) {
		*why = *source_fatal(&src);
		rc = 1;
		goto out;
	}
	if (pipeline_flush(r) < 0 || pipeline_group_close(r) < 0) {
		rc = -1;
		goto out;
	}
	w = source_warnings(&src, &nw);
	for (i = 0; i < nw; i++, r->file_warnings++)
		if (pipeline_emit(r, w[i].line, "FICHIER", "", "AVERTISSEMENT",
			 w[i].d.code, "", w[i].d.msg) < 0)
			rc = -1;
	if (rc == 0 && r->job->emp && r->job->emp->trailer_required &&
	    !source_trailer_seen(&src)) {
		why->line = 0;
		snprintf(why->d.code, sizeof(why->d.code), "E011");
		snprintf(why->d.msg, sizeof(why->d.msg), "ligne FIN "
			 "obligatoire pour cet employeur : dernière ligne "
			 "« FIN;<nombre de mouvements> »");
		rc = 1;
	}
out:
	source_close(&src);
	return rc;
}

/* return_code - the global code of formats.md */
static int return_code(const struct run *r)
{
	const struct report_counts *c = &r->counts;

	if (c->movements > 0 && c->accepted == 0)
		return 3;
	if (c->rejected > 0)
		return 2;
	return c->warnings > 0 || r->file_warnings > 0 ? 1 : 0;
}

/* decided - an approval's or refusal's run marks the held file, once */
static int decided(const struct run *r)
{
	const char *state = NULL;
	int rc;

	if (strcmp(r->rq.kind, REPROCESS_APPROVE) == 0)
		state = "approved";
	else if (strcmp(r->rq.kind, REPROCESS_REFUSE) == 0)
		state = "refused";
	if (state == NULL)
		return 0;
	rc = store_file_decided(r->d->store, r->rq.file_id, state);
	if (rc == 1)
		log_warn("event=file_not_held id=%s of=%s hint=\"decided "
			 "twice?\"", r->job->id, r->rq.file_id);
	return rc < 0 ? -1 : 0;
}

/* small_file - an applied file far below the employer's usual size: the
 * alert queued in the file's own transaction, so exactly once */
static int small_file(const struct run *r, const struct file_rec *f)
{
	if (r->job->validation || f->requests_only ||
	    strcmp(f->state, "done") != 0 || f->return_code < 0 ||
	    f->return_code > 2)
		return 0;
	return store_expected_small(r->d->store, r->d->cfg, r->job->employer,
				    r->job->id, r->job->name,
				    f->movements) < 0 ? -1 : 0;
}

/* commit_file - the file's row, the durable report, then COMMIT */
static int commit_file(struct run *r, const struct source_prepass *pp, int rc,
		       const char *state, const char *message)
{
	char out[SPOOL_PATH_MAX];
	struct file_rec f;
	struct report *rep = r->report;

	memset(&f, 0, sizeof(f));
	if (pipeline_report_name(r, out, sizeof(out)) < 0)
		return -1;
	(void)strlcpy_ok(f.id, r->job->id, sizeof(f.id));
	f.state = (char *)state;
	f.sha256 = (char *)(pp ? pp->sha256 : NULL);
	f.return_code = rc;
	f.movements = r->counts.movements;
	f.accepted = r->counts.accepted;
	f.rejected = r->counts.rejected;
	f.warnings = r->counts.warnings + r->file_warnings;
	f.report = out;
	f.message = (char *)message;
	/* A reconciliation applies nothing either: never a duplicate. */
	f.requests_only = r->recon || (r->requests > 0 &&
			  r->requests == r->counts.accepted);
	r->report = NULL;
	if ((r->forced && (store_reprocess_close(r->d->store, r->rq.id,
						 r->job->id, NULL) < 0 ||
			   decided(r) < 0)) ||
	    store_file_finish(r->d->store, &f) < 0 || small_file(r, &f) < 0) {
		report_discard(rep);
		return -1;
	}
	/* The report (and an export) is on disk before the COMMIT that makes
	 * it true. */
	if ((strcmp(state, "done") == 0 &&
	     (pipeline_write_export(r) < 0 || pipeline_write_bulletins(r) < 0)) ||
	    report_close(rep) < 0 || store_commit(r->d->store) < 0)
		return -1;
	return 0;
}

/* open_report - a fresh temporary report in work/ */
static int open_report(struct run *r)
{
	report_discard(r->report);
	r->report = report_open(r->report_tmp, pipeline_report_format(r->job),
				r->job->name);
	return r->report ? 0 : -1;
}

/*
 * file_begin - the file's transaction: on PostgreSQL an employer's file
 * waits only for that employer's other writers; the admin's and the
 * portal's, which may touch any employer, for every writer.
 */
static int file_begin(struct run *r)
{
	const struct file_job *job = r->job;
	int own;

	if (store_begin_for(r->d->store, job->emp && !job->admin ?
			    job->employer : NULL) < 0)
		return -1;
	/* Still this daemon's: a connection lost and made again (a
	 * failover) loses its locks, and another daemon may have taken the
	 * file meanwhile; it is then that daemon's to finish. */
	if ((own = store_file_own(r->d->store, job->id)) == 1)
		return 0;
	if (own == 0)
		log_warn("event=file_taken_over id=%s action=left_to_the_other",
			 job->id);
	return -1;
}

/* start_over - roll everything back: a fresh transaction and report */
static int start_over(struct run *r)
{
	struct store *st = r->d->store;

	if (store_rollback(st) < 0 || file_begin(r) < 0 || open_report(r) < 0)
		return -1;
	memset(&r->counts, 0, sizeof(r->counts));
	r->file_warnings = 0;
	r->export_wanted = 0;
	r->requests = 0;
	r->nbulletins = 0;
	r->first_op = OP_NONE;
	r->recon = r->recon_started = 0;
	memset(&r->recon_counts, 0, sizeof(r->recon_counts));
	return 0;
}

/* reject_file - roll everything back; a report with the one reason */
static int reject_file(struct run *r, const struct source_prepass *pp,
		       const struct file_diag *why)
{
	if (start_over(r) < 0)
		return -1;
	if (pipeline_emit(r, why->line, "FICHIER", "", "REJETE", why->d.code,
		 why->d.field != F_NONE ? field_name(why->d.field) : "",
		 why->d.msg) < 0 ||
	    report_summary(r->report, 3, &r->counts, "fichier rejeté, rien "
			   "n'a été appliqué") < 0)
		return -1;
	log_info("event=file_rejected id=%s employer=%s code=%s line=%ld",
		 r->job->id, r->job->employer, why->d.code, why->line);
	return commit_file(r, pp, 3, "quarantined", why->d.msg);
}

/* duplicate - the same bytes were already applied for this employer */
static int duplicate(struct run *r, const struct source_prepass *pp,
		     struct file_diag *why)
{
	char id[STORE_ID_LEN], name[256], at[32];
	int rc;

	/* A validation drop says what production would: E005 included. */
	rc = store_file_duplicate(r->d->store, r->job->employer, pp->sha256,
				  r->job->id, id, name, sizeof(name), at,
				  sizeof(at));
	if (rc <= 0)
		return rc;
	memset(why, 0, sizeof(*why));
	why->d.field = F_NONE;
	snprintf(why->d.code, sizeof(why->d.code), "E005");
	snprintf(why->d.msg, sizeof(why->d.msg), "fichier identique à « %.120s »"
		 " (%s) déjà traité le %.10s : rien n'a été appliqué", name, id,
		 at);
	return 1;
}

/* forced_note - the summary says a forced run was forced, and by whom */
static const char *forced_note(const struct run *r, const char *note,
			       char *buf, size_t len)
{
	if (!r->forced)
		return note;
	if (strcmp(r->rq.kind, REPROCESS_APPROVE) == 0)
		snprintf(buf, len, "fichier %s mis en attente, approuvé par "
			 "l'assureur (%s) le %.10s%s%s", r->rq.file_id,
			 r->rq.requested_by, r->rq.requested_at,
			 note ? " ; " : "", note ? note : "");
	else
		snprintf(buf, len, "retraitement forcé du fichier %s demandé "
			 "par %s le %.10s%s%s", r->rq.file_id,
			 r->rq.requested_by, r->rq.requested_at,
			 note ? " ; " : "", note ? note : "");
	return buf;
}

/*
 * hold_file - the radiation gate tripped: roll everything back, a report
 * saying the file waits for the insurer (E020), the row "held"; the
 * original goes to held/ (PIPE_REST_HELD).
 */
static int hold_file(struct run *r, const struct source_prepass *pp,
		     const char *why)
{
	char fbuf[512];
	long radiations = r->radiations;

	if (start_over(r) < 0 ||
	    pipeline_emit(r, 0, "FICHIER", "", "REJETE", "E020", "", why) < 0 ||
	    report_summary(r->report, 3, &r->counts, forced_note(r,
			   "fichier en attente de validation par l'assureur, "
			   "rien n'a été appliqué", fbuf, sizeof(fbuf))) < 0)
		return -1;
	log_warn("event=file_held id=%s employer=%s radiations=%ld "
		 "covered=%ld percent_limit=%d count_limit=%d "
		 "action=wait_for_approval", r->job->id, r->job->employer,
		 radiations, r->covered, r->job->emp->radiation_gate_percent,
		 r->job->emp->radiation_gate_count);
	return commit_file(r, pp, 3, "held", why);
}

/* refuse_file - the insurer refused the held file: E021, quarantined */
static int refuse_file(struct run *r, const struct source_prepass *pp)
{
	struct file_diag why;
	char day[DATE_ISO_SIZE];
	time_t at = date_parse_utc(r->rq.requested_at);

	/* the employer's day (Europe/Paris), not the stored UTC one */
	if (at == (time_t)-1)
		snprintf(day, sizeof(day), "%.10s", r->rq.requested_at);
	else
		date_format(date_of_time(at), day);
	memset(&why, 0, sizeof(why));
	why.d.field = F_NONE;
	snprintf(why.d.code, sizeof(why.d.code), "E021");
	snprintf(why.d.msg, sizeof(why.d.msg), "fichier refusé par l'assureur "
		 "le %s par %s (fichier %s mis en attente) : rien n'a été "
		 "appliqué ; corrigez-le et déposez-le à nouveau si besoin",
		 day, r->rq.requested_by, r->rq.file_id);
	log_info("event=file_refused id=%s of=%s by=%s", r->job->id,
		 r->rq.file_id, r->rq.requested_by);
	return reject_file(r, pp, &why);
}

/* finish_normally - summary, policy, commit; 0, 2 held, -1 */
static int finish_normally(struct run *r, const struct source_prepass *pp)
{
	struct store *st = r->d->store;
	const char *note = NULL;
	char fbuf[512], gate[512], rbuf[384];
	int reread = pp->encoding != CSV_ENC_UTF8 &&
		     pipeline_report_format(r->job) == REPORT_CSV;
	int rc, held;

	/* Before the code: the covered employees the file left out count. */
	if (pipeline_recon_finish(r) < 0)
		return -1;
	/* A file re-read in another encoding says so in its code too (CR1):
	 * a payroll tool that reads only the code must learn it. */
	r->file_warnings += reread;
	rc = return_code(r);
	held = pipeline_gate_trips(r, gate, sizeof(gate));

	/*
	 * Nothing applied: the whole transaction goes, and a fresh one takes
	 * the file's row.  (Not a savepoint around the file: SQLite would
	 * journal every page the file touches a second time, to a temporary
	 * file that grows with the file.)
	 */
	if (r->job->validation || r->recon) {
		note = pipeline_recon_note(r, rbuf, sizeof(rbuf));
		if (store_rollback(st) < 0 || file_begin(r) < 0)
			return -1;
	} else if (rc >= 2 && r->job->emp &&
		   r->job->emp->apply == CFG_APPLY_ALL_OR_NOTHING) {
		note = "apply: all_or_nothing : aucun mouvement n'a été appliqué";
		rc = 3;
		if (store_rollback(st) < 0 || file_begin(r) < 0)
			return -1;
	} else if (held) {
		return hold_file(r, pp, gate) < 0 ? -1 : 2;
	}
	/* A validation drop says what production would do: held. */
	if (r->job->validation && held &&
	    pipeline_emit(r, 0, "FICHIER", "", "AVERTISSEMENT", "W020", "",
			  gate) < 0)
		return -1;
	if (reread &&
	    pipeline_emit(r, 0, "FICHIER", "", "AVERTISSEMENT", "W003", "",
		 pp->encoding == CSV_ENC_UTF16 ? "fichier lu en UTF-16" :
		 "fichier non UTF-8 lu en Windows-1252 : préférez UTF-8") < 0)
		return -1;
	note = forced_note(r, note, fbuf, sizeof(fbuf));
	if (report_summary(r->report, rc, &r->counts, note) < 0)
		return -1;
	log_info("event=file_processed id=%s employer=%s movements=%ld "
		 "accepted=%ld rejected=%ld rc=%d%s", r->job->id,
		 r->job->employer, r->counts.movements, r->counts.accepted,
		 r->counts.rejected, rc, r->job->validation ?
		 " validation=1" : "");
	return commit_file(r, pp, rc, "done", NULL);
}

/* pipeline_process - the inner function: works on an open file; 0 done,
 * 1 quarantined, 2 held, -1 failed */
static int pipeline_process(struct run *r)
{
	struct store *st = r->d->store;
	struct file_diag why;
	struct source_prepass pp;
	int rc;

	memset(&why, 0, sizeof(why));
	why.d.field = F_NONE;
	if (source_prepass(r->fd, &pp) < 0)
		return -1;
	if (file_begin(r) < 0)
		return -1;
	if ((r->forced = store_reprocess_of(st, r->job->id, &r->rq)) < 0)
		return -1;
	if (r->forced)
		log_info("event=file_forced id=%s of=%s by=%s kind=%s",
			 r->job->id, r->rq.file_id, r->rq.requested_by,
			 r->rq.kind);
	if (r->forced && strcmp(r->rq.kind, REPROCESS_REFUSE) == 0)
		return refuse_file(r, &pp) < 0 ? -1 : 1;
	if (pp.size > r->d->cfg->spool.max_file_bytes) {
		snprintf(why.d.code, sizeof(why.d.code), "E006");
		snprintf(why.d.msg, sizeof(why.d.msg), "fichier de %lld octets, "
			 "au-delà de la taille maximale de %lld octets : "
			 "découpez-le", pp.size, r->d->cfg->spool.max_file_bytes);
		return reject_file(r, &pp, &why) < 0 ? -1 : 1;
	}
	if (strlen(r->job->name) > SPOOL_NAME_MAX) {
		snprintf(why.d.code, sizeof(why.d.code), "E015");
		snprintf(why.d.msg, sizeof(why.d.msg), "nom de fichier de %zu "
			 "octets, au-delà de %d : renommez-le (ce compte rendu "
			 "porte le nom coupé)", strlen(r->job->name),
			 SPOOL_NAME_MAX);
		return reject_file(r, &pp, &why) < 0 ? -1 : 1;
	}
	/* An admin file is a command, never a resent export: the same edit
	 * twice is two commands (the second "déjà pris en compte"). */
	if (!r->forced && !r->job->admin &&
	    (rc = duplicate(r, &pp, &why)) != 0)
		return rc < 0 ? -1 : reject_file(r, &pp, &why) < 0 ? -1 : 1;
	if (source_format(r->job->name) == SOURCE_NONE) {
		snprintf(why.d.code, sizeof(why.d.code), "E001");
		snprintf(why.d.msg, sizeof(why.d.msg), "format de fichier non "
			 "reconnu : le nom doit finir par .csv ou .xml");
		return reject_file(r, &pp, &why) < 0 ? -1 : 1;
	}
	if (pp.gzip) {
		snprintf(why.d.code, sizeof(why.d.code), "E001");
		snprintf(why.d.msg, sizeof(why.d.msg), "fichier compressé "
			 "(gzip) : déposez-le non compressé");
		return reject_file(r, &pp, &why) < 0 ? -1 : 1;
	}
	if (open_report(r) < 0 || pipeline_gate_start(r) < 0)
		return -1;
	rc = stream(r, &pp, &why);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return reject_file(r, &pp, &why) < 0 ? -1 : 1;
	return finish_normally(r, &pp);
}

/*
 * reject_unreadable - a claimed file that cannot be read (a capability lost
 * since the claim, a link): quarantined with its report, and an err line
 * for the operator, instead of a retry at every rescan.
 */
static int reject_unreadable(struct run *r, int err)
{
	struct file_diag why;

	memset(&why, 0, sizeof(why));
	why.d.field = F_NONE;
	if (err == EACCES || err == EPERM)
		log_err("event=file_unreadable id=%s employer=%s path=%s "
			"error=\"%s\" action=quarantine", r->job->id,
			r->job->employer, r->work, strerror(err));
	else
		log_warn("event=file_not_regular id=%s employer=%s path=%s "
			 "action=quarantine", r->job->id, r->job->employer,
			 r->work);
	if (err == EACCES || err == EPERM) {
		snprintf(why.d.code, sizeof(why.d.code), "E001");
		snprintf(why.d.msg, sizeof(why.d.msg), "fichier illisible par "
			 "affild (droits insuffisants) : rien n'a été appliqué, "
			 "l'exploitant est prévenu");
	} else {
		snprintf(why.d.code, sizeof(why.d.code), "E016");
		snprintf(why.d.msg, sizeof(why.d.msg), "%s, pas un fichier "
			 "ordinaire : seuls les fichiers sont pris, rien n'a "
			 "été lu ni appliqué", err == ELOOP ? "lien symbolique" :
			 err == EMLINK ? "lien physique (un autre nom pour "
			 "les mêmes octets)" : "tube, dossier ou périphérique");
	}
	return reject_file(r, NULL, &why) < 0 ? -1 : 1;
}

/* transient_errno - a system error that waiting may cure */
static int transient_errno(int err)
{
	return err == ENOSPC || err == EDQUOT || err == EIO || err == EROFS ||
	       err == ENOMEM || err == EMFILE || err == ENFILE;
}

/*
 * failed - a run that failed, its transaction still open.  A busy or full
 * database, a full or failing disk, or a stop may pass: the file is
 * retried at the next rescan.  Anything else (a bug, a render failure, a
 * constraint) would fail again: each such run is counted, and the
 * spool.max_attempts-th puts the file in quarantine with an "erreur
 * interne" report, E017.  -1 retry later, 1 quarantined (report written).
 */
static int failed(struct run *r, int err)
{
	struct daemon *d = r->d;
	struct file_diag why;
	int n, transient = store_failure_transient(d->store) || d->stopping ||
			   transient_errno(err);

	report_discard(r->report);
	r->report = NULL;
	(void)store_rollback(d->store);
	if (transient) {
		log_warn("event=file_tempfail id=%s class=tempfail error=\"%s\" "
			 "action=retry_later", r->job->id, d->stopping ?
			 "stopping" : err ? strerror(err) : "database");
		return -1;
	}
	if (store_file_attempt(d->store, r->job->id, &n) < 0)
		return -1;
	log_err("event=file_failed id=%s employer=%s class=permfail "
		"attempts=%d max=%d error=\"%s\" action=%s", r->job->id,
		r->job->employer, n, d->cfg->spool.max_attempts,
		err ? strerror(err) : "see the lines above",
		n < d->cfg->spool.max_attempts ? "retry_later" : "quarantine");
	if (n < d->cfg->spool.max_attempts)
		return -1;
	memset(&why, 0, sizeof(why));
	why.d.field = F_NONE;
	snprintf(why.d.code, sizeof(why.d.code), "E017");
	snprintf(why.d.msg, sizeof(why.d.msg), "erreur interne : %d traitements "
		 "de ce fichier ont échoué ; rien n'a été appliqué, l'exploitant "
		 "est prévenu", n);
	return reject_file(r, NULL, &why) < 0 ? -1 : 1;
}

/* open_work - the claimed file; 0, or errno when it cannot be read */
static int open_work(struct run *r, int fd)
{
	struct stat sb;

	r->fd = fd >= 0 ? fd : open(r->work, O_RDONLY | O_NOFOLLOW |
				    O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (r->fd < 0)
		return errno;
	if (fstat(r->fd, &sb) < 0)
		return errno;
	if (!S_ISREG(sb.st_mode))
		return NOT_REGULAR;
	/* Another name for these bytes: a hard link, maybe to a file the
	 * sender could never read; work/ copies and claims have one. */
	return sb.st_nlink > 1 ? EMLINK : 0;
}

/* pipeline_run - the outer function: owns the fd, report and transaction */
enum pipe_rc pipeline_run(struct daemon *d, const struct file_job *job)
{
	struct run r;
	int rc = -1, err;

	memset(&r, 0, sizeof(r));
	r.d = d;
	r.job = job;
	r.fd = job->fd;
	r.today = date_today();
	r.portal = job->emp == NULL && !job->admin;
	if (job->admin)
		snprintf(r.cause, sizeof(r.cause), "admin:%s", job->by);
	if (spool_path(r.work, sizeof(r.work), "%s/.affild/work/%s",
		       d->cfg->spool.dir, job->id) < 0 ||
	    pipeline_stage_path(d, job, "", r.stage, sizeof(r.stage)) < 0 ||
	    spool_path(r.report_tmp, sizeof(r.report_tmp), "%s.cr",
		       r.stage) < 0)
		goto out;
	err = open_work(&r, job->fd);
	if (err == ENOENT || err == EMFILE || err == ENFILE || err == ENOMEM ||
	    err == EIO) {
		errno = err;
		log_err_errno("event=open_failed id=%s path=%s", job->id,
			      r.work);
		goto out;
	}
	if (err != 0) {
		rc = reject_unreadable(&r, err);
		goto out;
	}
	(void)log_take_errno();
	rc = pipeline_process(&r);
	if (rc < 0)		/* the errno of what failed, as it was logged */
		rc = failed(&r, log_take_errno());
out:
	if (r.fd >= 0)
		close(r.fd);
	free(r.bulletins);
	pipeline_admin_free(&r);
	pipeline_ahead_free(&r);
	if (r.grp) {
		int i;

		for (i = 0; i < GROUP_MAX; i++)
			mv_free(&r.grp[i]);
		free(r.grp);
	}
	once_note(d, job->id);	/* --once reads its outcome back at the end */
	if (rc < 0) {
		report_discard(r.report);
		store_rollback(d->store);
		return PIPE_TEMPFAIL;
	}
	return pipeline_finish_moves(d, job, rc == 1 ? PIPE_REST_QUARANTINE :
				     rc == 2 ? PIPE_REST_HELD :
				     PIPE_REST_ARCHIVE) < 0 ? PIPE_TEMPFAIL :
						      PIPE_OK;
}
