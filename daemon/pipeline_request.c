/*
 * pipeline_request - EXPORT (the employer's list beside the report) and
 * BULLETIN (an individual affiliation bulletin, a PDF): noted while the file
 * streams, written in out/.staging/ before the COMMIT, moved after it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "daemon/pipeline_priv.h"
#include "mail/letter.h"
#include "parsers/check.h"
#include "process/status.h"

/*
 * want_export - an EXPORT asks for the employer's employees (optionally of
 * one `statut`), as they stand once this file is applied: the list is
 * written with the report, before the COMMIT (write_export).
 */
void pipeline_want_export(struct run *r, struct movement *mv)
{
	const char *st = mv_has(mv, F_STATUT) ? mv_get(mv, F_STATUT) : "";
	char name[SPOOL_PATH_MAX], *base, all[128];

	if (r->job->emp == NULL)
		mv_diag(mv, "E108", F_OPERATION, "EXPORT : demande réservée au "
			"dépôt de l'employeur");
	else if (*st && status_from_name(st) == STATUS_NONE)
		mv_diag(mv, "E109", F_STATUT, "statut « %.20s » inconnu : %s",
			st, status_names_fr(all, sizeof(all)) == 0 ? all : "");
	else if (r->export_wanted)
		mv_diag(mv, "I200", F_NONE, "déjà pris en compte : un seul "
			"export par fichier");
	else if (r->job->validation)
		mv_diag(mv, "I242", F_NONE, "validation seule : la liste n'est "
			"pas produite");
	else {
		r->export_wanted = 1;
		(void)strlcpy_ok(r->export_status, st,
				 sizeof(r->export_status));
		(void)pipeline_export_name(r, name, sizeof(name));
		base = strrchr(name, '/');
		mv_diag(mv, "I241", F_NONE, "liste des salariés%s%s déposée "
			"dans out/%.180s", *st ? " au statut " : "", st,
			base ? base + 1 : name);
	}
	if (!mv_has_error(mv))
		r->requests++;
}

/*
 * export_row - one employee; an address's lines (stored with '\n') are
 * folded with ", " so each row stays one line of the spreadsheet.
 */
static int export_row(const char *const *vals, void *arg)
{
	const char *row[EXPORT_COLUMNS];
	char *folded[EXPORT_COLUMNS] = { NULL };
	int i, rc;

	for (i = 0; i < EXPORT_COLUMNS; i++) {
		row[i] = vals[i];
		if (vals[i] != NULL && strchr(vals[i], '\n') != NULL)
			row[i] = folded[i] = str_fold_lines(vals[i], ", ");
	}
	rc = report_row(arg, row, EXPORT_COLUMNS) < 0;
	for (i = 0; i < EXPORT_COLUMNS; i++)
		free(folded[i]);
	return rc;
}

/* write_export - work/<id>.export, durable before the COMMIT */
int pipeline_write_export(struct run *r)
{
	char path[SPOOL_PATH_MAX];
	struct report *ex;

	if (!r->export_wanted)
		return 0;
	if (spool_path(path, sizeof(path), "%s.export", r->stage) < 0 ||
	    (ex = report_open(path, REPORT_TABLE, r->job->name)) == NULL)
		return -1;
	if (report_row(ex, store_export_names, EXPORT_COLUMNS) < 0 ||
	    store_export_each(r->d->store, r->job->employer,
			      *r->export_status ? r->export_status : NULL,
			      export_row, ex) < 0) {
		report_discard(ex);
		return -1;
	}
	return report_close(ex);
}

/*
 * want_bulletin - a BULLETIN asks for the individual affiliation bulletin
 * of an employee of this employer, as it stands once the file is applied:
 * written as a PDF with the report (write_bulletins).  -1 on a database
 * error.
 */
int pipeline_want_bulletin(struct run *r, struct movement *mv)
{
	struct check_ctx cc = { r->d->cfg, r->job->emp, r->today, 0, 0 };
	char name[SPOOL_PATH_MAX], *base;
	struct buf t, b;
	int rc;

	if (r->job->emp == NULL && !r->job->admin) {
		mv_diag(mv, "E108", F_OPERATION, "BULLETIN : demande réservée "
			"au dépôt de l'employeur ou de l'assureur");
		return 0;
	}
	/* The admin drop: the employer the row names (affilctl bulletin). */
	if ((cc.emp = pipeline_employer_of(r, mv)) == NULL)
		return 0;
	check_movement(&cc, mv);
	if (mv_has_error(mv))
		return 0;
	buf_init(&t, 1024);
	buf_init(&b, 64u << 10);
	rc = store_bulletin(r->d->store, r->d->cfg, cc.emp->numero,
			    mv_get(mv, F_NIR), r->today, &t, &b);
	buf_free(&t);
	buf_free(&b);
	if (rc < 0)
		return -1;
	if (rc == 1)
		mv_diag(mv, "E202", F_NIR, "salarié inconnu : aucun salarié "
			"de cet employeur n'a ce NIR");
	else if (r->job->validation)
		mv_diag(mv, "I244", F_NONE, "validation seule : le bulletin "
			"n'est pas produit");
	else if (r->nbulletins == BULLETIN_MAX)
		mv_diag(mv, "E245", F_OPERATION, "plus de %d bulletins demandés "
			"dans un même fichier", BULLETIN_MAX);
	else {
		if (r->bulletins == NULL)
			r->bulletins = xcalloc(BULLETIN_MAX,
					       sizeof(*r->bulletins));
		r->bulletins[r->nbulletins].line = mv->line;
		(void)strlcpy_ok(r->bulletins[r->nbulletins].nir,
				 mv_get(mv, F_NIR),
				 sizeof(r->bulletins[0].nir));
		r->bulletins[r->nbulletins].emp = cc.emp;
		r->nbulletins++;
		(void)pipeline_bulletin_name(r, mv->line, name, sizeof(name));
		base = strrchr(name, '/');
		mv_diag(mv, "I243", F_NONE, "bulletin déposé dans out/%.180s",
			base ? base + 1 : name);
	}
	if (!mv_has_error(mv))
		r->requests++;
	return 0;
}

/* write_bulletin - work/<id>.bulletin-<line>.pdf, durable */
static int write_bulletin(struct run *r, const struct bulletin_req *q)
{
	const struct cfg *cfg = r->d->cfg;
	char path[SPOOL_PATH_MAX];
	struct letter l;
	struct buf t, b;
	const char *why = NULL;
	int fd, rc, pages;

	if (spool_path(path, sizeof(path), "%s.bulletin-%ld", r->stage,
		       q->line) < 0)
		return -1;
	buf_init(&t, 1024);
	buf_init(&b, 64u << 10);
	rc = store_bulletin(r->d->store, cfg, q->emp->numero, q->nir,
			    r->today, &t, &b);
	if (rc == 0) {
		memset(&l, 0, sizeof(l));
		l.sender = cfg->mail.letter_sender;
		l.place = cfg->mail.letter_place;
		l.date = r->today;
		l.name = q->emp->name;
		l.subject = buf_str(&t);
		l.body = buf_str(&b);
		l.document = 1;
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
		rc = fd < 0 ? -1 : letter_render(&l, fd, &pages, &why);
		if (fd >= 0 && (fsync(fd) < 0 || close(fd) < 0))
			rc = -1;
	} else if (rc == 1) {	/* gone since the request (nouveau_nir) */
		log_warn("event=bulletin_skipped id=%s line=%ld", r->job->id,
			 q->line);
		rc = 0;
	}
	buf_free(&t);
	buf_free(&b);
	if (rc != 0)
		log_err("event=bulletin_failed id=%s line=%ld reason=\"%s\"",
			r->job->id, q->line, why ? why : "write");
	return rc == 0 ? 0 : -1;
}

int pipeline_write_bulletins(struct run *r)
{
	int i;

	for (i = 0; i < r->nbulletins; i++)
		if (write_bulletin(r, &r->bulletins[i]) < 0)
			return -1;
	return 0;
}
