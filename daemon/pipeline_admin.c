/*
 * pipeline_admin - the admin drop's own operations (formats.md, "The admin
 * drop").  What affilctl once wrote into the database itself is now a row
 * of a file the daemon applies like any other: inside the file's
 * transaction, under the movement's savepoint, reported on its line, with
 * the login of the file's owner (job->by) as the admin.  Each row calls
 * the store function the old affilctl path called:
 *
 *   RETRAITEMENT, APPROBATION, REFUS   a request of the reprocess table
 *                          (store_reprocess_request), checked here as
 *                          affilctl checked it, served between two files
 *                          by reprocess.c once this file is committed
 *   RENVOI_MESSAGE         store_outbox_requeue
 *   ECHEANCES              store_timers_run and the expected-file alerts
 *                          as of a date, each firing a savepoint of this
 *                          transaction (in_tx); the deadlines fired are
 *                          told after the row, one I271 line each
 *   OUVERTURE_PORTABILITE, PREUVE_CHOMAGE
 *                          store_admin_portability and
 *                          store_admin_unemployment_proof
 *
 * Outside the admin drop every one of them is refused (E270, by the
 * checks).  Codes: I270 done (the message says what), E271-E276 refused.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/pipeline_priv.h"
#include "parsers/check.h"
#include "store/store_expected.h"

#define TOLD_MAX 1000		/* deadlines listed one a line (I271) */
#define TOLD_BYTES (256 * TOLD_MAX)

/* refuse - an E finding on field; returns 1 (refused) */
static int refuse(struct movement *mv, const char *code, enum field f,
		  const char *msg)
{
	mv_diag(mv, code, f, "%s", msg);
	return 1;
}

/* ---- a file again: RETRAITEMENT, APPROBATION, REFUS ------------------- */

static const char *request_kind(enum op op)
{
	return op == OP_APPROBATION ? REPROCESS_APPROVE :
	       op == OP_REFUS ? REPROCESS_REFUSE : REPROCESS_FORCE;
}

/*
 * request_refusal - why file f cannot get a request of op (E272), into
 * why; 0 when it can.  What affilctl checked before recording, and what
 * reprocess.c checks again when it serves.
 */
static int request_refusal(const struct run *r, enum op op,
			   const struct file_rec *f, char *why, size_t len)
{
	int decision = op != OP_RETRAITEMENT;

	if (strcmp(f->employer, SPOOL_ADMIN) == 0)
		snprintf(why, len, "fichier du dépôt de l'assureur : une "
			 "commande n'est jamais rejouée, déposez-en une "
			 "nouvelle");
	else if (strcmp(f->state, "claimed") == 0)
		snprintf(why, len, "fichier en cours de traitement");
	else if (f->validation)
		snprintf(why, len, "dépôt de validation : jamais appliqué, "
			 "déposez-le à nouveau");
	else if (decision && strcmp(f->state, "held") != 0)
		snprintf(why, len, "fichier pas en attente de validation "
			 "(état %.20s) : seul un fichier retenu par le seuil "
			 "de radiations attend une décision", f->state);
	else if (!decision && strcmp(f->state, "held") == 0)
		snprintf(why, len, "fichier en attente de validation : "
			 "approuvez-le ou refusez-le (APPROBATION, REFUS)");
	else if (cfg_employer(r->d->cfg, f->employer) == NULL &&
		 strcmp(f->employer, SPOOL_PORTAL) != 0)
		snprintf(why, len, "employeur %.16s absent de la "
			 "configuration", f->employer);
	else
		return 0;
	return 1;
}

/* admin_request - a request row for reprocess.c; 0, 1 refused, -1 */
static int admin_request(struct run *r, struct movement *mv)
{
	struct store *st = r->d->store;
	const char *id = mv_get(mv, F_ID_FICHIER), *kind = request_kind(mv->op);
	char why[256], qb[LOG_QUOTE_MAX], qf[LOG_QUOTE_MAX];
	struct file_rec f;
	long long req;
	int rc;

	rc = strlen(id) < STORE_ID_LEN ? store_file_get(st, id, &f) : 0;
	if (rc < 0)
		return -1;
	if (rc == 0) {
		snprintf(why, sizeof(why), "fichier %.20s inconnu", id);
		return refuse(mv, "E271", F_ID_FICHIER, why);
	}
	rc = request_refusal(r, mv->op, &f, why, sizeof(why));
	file_rec_free(&f);
	if (rc)
		return refuse(mv, "E272", F_ID_FICHIER, why);
	if ((rc = store_reprocess_pending(st, id)) != 0) {
		snprintf(why, sizeof(why), "une demande est déjà en attente pour "
			 "le fichier %s : affild la sert entre deux fichiers",
			 id);
		return rc < 0 ? -1 : refuse(mv, "E273", F_ID_FICHIER, why);
	}
	if (store_reprocess_request(st, id, kind, r->job->by, &req) < 0)
		return -1;
	mv_diag(mv, "I270", F_NONE, "demande %lld enregistrée : affild %s le "
		"fichier %s entre deux fichiers, son compte rendu arrive dans "
		"le out/ de son dépôt", req, mv->op == OP_REFUS ? "rejette" :
		mv->op == OP_APPROBATION ? "applique" : "retraite", id);
	log_info("event=request_recorded kind=%s file=%s request=%lld by=%s "
		 "admin_file=%s", kind, log_quote(qf, sizeof(qf), id), req,
		 log_quote(qb, sizeof(qb), r->job->by), r->job->id);
	return 0;
}

/* ---- a parked message: RENVOI_MESSAGE ---------------------------------- */

/* admin_requeue - store_outbox_requeue; 0, 1 refused, -1 */
static int admin_requeue(struct run *r, struct movement *mv)
{
	char why[256], qb[LOG_QUOTE_MAX];
	long id;
	int rc;

	if (parse_long(mv_get(mv, F_ID_MESSAGE), 1, LONG_MAX, &id) < 0)
		return refuse(mv, "E274", F_ID_MESSAGE, "identifiant de message "
			      "invalide : un nombre est attendu (affilctl "
			      "outbox --failed)");
	rc = store_outbox_requeue(r->d->store, id);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		mv_diag(mv, "I270", F_NONE, "message %ld remis en file "
			"d'envoi", id);
		log_info("event=outbox_retry id=%ld by=%s admin_file=%s", id,
			 log_quote(qb, sizeof(qb), r->job->by), r->job->id);
		return 0;
	}
	if (rc == OUTBOX_REQUEUE_UNKNOWN)
		snprintf(why, sizeof(why), "message %ld inconnu", id);
	else if (rc == OUTBOX_REQUEUE_NOT_FAILED)
		snprintf(why, sizeof(why), "message %ld non bloqué (en attente "
			 "ou envoyé) : rien à faire", id);
	else
		snprintf(why, sizeof(why), "message %ld : le lien d'invitation "
			 "a été effacé à l'échec ; une relance (opération "
			 "RELANCE) en crée un nouveau", id);
	return refuse(mv, "E274", F_ID_MESSAGE, why);
}

/* ---- the timers as of a date: ECHEANCES -------------------------------- */

/* told - one deadline fired, kept to be told after the row's line */
static int told(const struct timer_rec *t, void *arg)
{
	static const char *const outcomes[] = { "fait", "sans objet",
						"en attente" };
	struct run *r = arg;

	if (r->admin_lines == NULL) {
		r->admin_lines = xcalloc(1, sizeof(*r->admin_lines));
		buf_init(r->admin_lines, TOLD_BYTES);
	}
	/* Never the NIR: the employer, the matricule and the name. */
	if (buf_printf(r->admin_lines, "échéance %.20s du %.10s, employeur "
		       "%.16s, %.60s %.60s%s%.40s%s : %s\n", t->kind, t->due,
		       t->employer ? t->employer : "-",
		       t->nom ? t->nom : "", t->prenom ? t->prenom : "",
		       t->matricule ? " (matricule " : "",
		       t->matricule ? t->matricule : "",
		       t->matricule ? ")" : "", outcomes[t->outcome]) < 0)
		r->admin_more++;
	return 0;
}

/* minutes_of - "HH:MM" into minutes after 00:00; -1 when not one */
static int minutes_of(const char *s)
{
	long h, m;
	char hh[3], mm[3];

	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	memcpy(hh, s, 2);
	memcpy(mm, s + 3, 2);
	hh[2] = mm[2] = '\0';
	if (parse_long(hh, 0, 23, &h) < 0 || parse_long(mm, 0, 59, &m) < 0)
		return -1;
	return (int)(h * 60 + m);
}

/*
 * as_of - the day and instant of an ECHEANCES row, as `affilctl timers
 * run` took them: today and now by default; a date_reference other than
 * today from its 00:00; heure_reference that time of the day (the
 * expected files' cutoffs).  0, or 1 refused (E275 on mv).
 */
static int as_of(struct run *r, struct movement *mv, struct date *day,
		 time_t *at)
{
	const char *h = mv_get(mv, F_HEURE_REFERENCE);
	const char *force = mv_get(mv, F_FORCER);
	int min = -1;

	*at = time(NULL);
	*day = r->today;
	if (mv_has(mv, F_DATE_REFERENCE) &&
	    date_parse_iso(mv_get(mv, F_DATE_REFERENCE), day) == 0 &&
	    date_cmp(*day, r->today) != 0)
		*at = date_at_local(*day, 0);
	if (h && *h && (min = minutes_of(h)) < 0)
		return refuse(mv, "E275", F_HEURE_REFERENCE, "heure de "
			      "référence attendue sous la forme HH:MM");
	if (min >= 0)
		*at = date_at_local(*day, min);
	if (force && *force && strcmp(force, "O") != 0 &&
	    strcmp(force, "N") != 0)
		return refuse(mv, "E275", F_FORCER, "forcer : O ou N");
	if (*at == (time_t)-1)
		return refuse(mv, "E275", F_DATE_REFERENCE, "instant de "
			      "référence introuvable (changement d'heure ?)");
	if ((date_cmp(*day, r->today) > 0 || *at > time(NULL)) &&
	    !(force && strcmp(force, "O") == 0))
		return refuse(mv, "E275", F_DATE_REFERENCE, "date postérieure "
			      "à aujourd'hui : forcer=O pour tirer des "
			      "échéances futures (jamais sur une base de "
			      "production : les relances et radiations du mois "
			      "prochain partiraient maintenant)");
	return 0;
}

/* admin_timers - the deadlines due as of a day, and the expected-file
 * alerts as of an instant, in this file's transaction; 0, 1, -1 */
static int admin_timers(struct run *r, struct movement *mv)
{
	struct daemon *d = r->d;
	struct timer_run run;
	char day[DATE_ISO_SIZE], qb[LOG_QUOTE_MAX];
	time_t at;
	int late, rc;

	memset(&run, 0, sizeof(run));
	if ((rc = as_of(r, mv, &run.as_of, &at)) != 0)
		return rc;
	run.cfg = d->cfg;
	run.token_key = d->token_key;
	run.token_keylen = d->token_keylen;
	run.in_tx = 1;
	run.fn = told;
	run.arg = r;
	r->admin_line = mv->line;
	if (store_timers_run(d->store, &run) < 0 ||
	    store_expected_run_in(d->store, d->cfg, at, &late) < 0)
		return -1;
	mv_diag(mv, "I270", F_NONE, "au %s : %d échéance(s) traitée(s), %d "
		"sans objet, %d en attente, %d récapitulatif(s) aux employeurs, "
		"%d fichier(s) attendu(s) non reçu(s)",
		date_format_fr(run.as_of, day), run.fired, run.noop,
		run.skipped, run.digests, late);
	log_info("event=admin_timers as_of=%s fired=%d noop=%d skipped=%d "
		 "digests=%d late=%d by=%s admin_file=%s",
		 date_format(run.as_of, day), run.fired, run.noop, run.skipped,
		 run.digests, late, log_quote(qb, sizeof(qb), r->job->by),
		 r->job->id);
	return 0;
}

/* ---- portability, by the insurer ----------------------------------------- */

/* admin_portability - OUVERTURE_PORTABILITE, PREUVE_CHOMAGE; 0, 1, -1 */
static int admin_portability(struct run *r, struct movement *mv)
{
	const struct cfg_employer *emp = pipeline_employer_of(r, mv);
	char ref[64], why[256], qb[LOG_QUOTE_MAX];
	int open = mv->op == OP_OUVERTURE_PORTABILITE, rc;

	if (emp == NULL)
		return 1;		/* E104 */
	snprintf(ref, sizeof(ref), "%s:%ld", r->job->id, mv->line);
	why[0] = '\0';
	rc = open ? store_admin_portability(r->d->store, r->d->cfg,
					    emp->numero, mv_get(mv, F_NIR),
					    r->cause, ref,
					    mv_get(mv, F_JUSTIFICATION),
					    r->today, why, sizeof(why)) :
	     store_admin_unemployment_proof(r->d->store, r->d->cfg,
					    emp->numero, mv_get(mv, F_NIR),
					    r->cause, ref, r->today, why,
					    sizeof(why));
	if (rc != 0)
		return rc < 0 ? -1 : refuse(mv, "E276", F_NIR, why);
	mv_diag(mv, "I270", F_NONE, "%s", open ? "portabilité ouverte" :
		"justificatif d'indemnisation chômage enregistré");
	log_info("event=admin_%s employer=%s by=%s admin_file=%s", open ?
		 "portability_opened" : "unemployment_proof", emp->numero,
		 log_quote(qb, sizeof(qb), r->job->by), r->job->id);
	return 0;
}

/* ---- the row ----------------------------------------------------------------- */

/* under_savepoint - fn under the movement's savepoint: kept when it was
 * done (0), undone when refused (1); 0, or -1 on a database error */
static int under_savepoint(struct run *r, struct movement *mv,
			   int (*fn)(struct run *, struct movement *))
{
	struct store *st = r->d->store;
	int rc;

	if (store_savepoint(st, "mv") < 0)
		return -1;
	rc = fn(r, mv);
	if (rc < 0)
		return -1;
	return rc == 1 ? store_rollback_to(st, "mv") : store_release(st, "mv");
}

int pipeline_admin_row(struct run *r, struct movement *mv)
{
	struct check_ctx cc = { r->d->cfg, r->job->emp, r->today, r->portal,
				r->job->admin };

	check_movement(&cc, mv);
	if (mv_has_error(mv) || r->job->validation)
		return 0;
	switch (mv->op) {
	case OP_RETRAITEMENT:
	case OP_APPROBATION:
	case OP_REFUS:
		return under_savepoint(r, mv, admin_request);
	case OP_RENVOI_MESSAGE:
		return under_savepoint(r, mv, admin_requeue);
	case OP_ECHEANCES:
		/* Its firings are savepoints of their own ("tm"); once they
		 * began, only an error stops it, and it fails the file. */
		return admin_timers(r, mv) < 0 ? -1 : 0;
	case OP_OUVERTURE_PORTABILITE:
	case OP_PREUVE_CHOMAGE:
		return under_savepoint(r, mv, admin_portability);
	default:
		return 0;
	}
}

/* pipeline_admin_after - each deadline an ECHEANCES row fired, one I271
 * line after the row's own, at most TOLD_MAX and then a count */
int pipeline_admin_after(struct run *r)
{
	const char *p, *nl;
	char msg[DIAG_MSG_MAX];
	long n = 0;
	int rc = 0;

	if (r->admin_lines == NULL)
		return 0;
	for (p = buf_str(r->admin_lines); rc == 0 && (nl = strchr(p, '\n'));
	     p = nl + 1) {
		if (n++ >= TOLD_MAX) {
			r->admin_more++;
			continue;
		}
		snprintf(msg, sizeof(msg), "%.*s", (int)(nl - p), p);
		rc = pipeline_emit(r, r->admin_line, op_name(OP_ECHEANCES), "",
				   "ACCEPTE", "I271", "", msg);
	}
	if (rc == 0 && r->admin_more > 0) {
		snprintf(msg, sizeof(msg), "et %ld autre(s) échéance(s) "
			 "traitée(s)", r->admin_more);
		rc = pipeline_emit(r, r->admin_line, op_name(OP_ECHEANCES), "",
				   "ACCEPTE", "I271", "", msg);
	}
	pipeline_admin_free(r);
	return rc;
}

void pipeline_admin_free(struct run *r)
{
	if (r->admin_lines) {
		buf_free(r->admin_lines);
		free(r->admin_lines);
	}
	r->admin_lines = NULL;
	r->admin_more = 0;
}
