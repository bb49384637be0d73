/*
 * pipeline - process one claimed file exactly once (spool.md, "Lifecycle").
 *
 *   pre-pass   one read: SHA-256, encoding, size; whole-file rejections
 *   process    stream movements: check → apply (a savepoint each) → report
 *              line, all inside ONE transaction with the file's row, its
 *              rejected and warning lines, history and outbox rows
 *   report     written to work/<id>.cr while streaming, fsynced before the
 *              COMMIT, renamed into out/ after it
 *   archive    the original moves to archive/ (or quarantine/)
 *
 * A crash before the COMMIT leaves the file in work/ with its row still
 * "claimed": it is processed again from the start.  A crash after it leaves
 * the row "done": only the moves remain (pipeline_finish_moves()).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"
#include "common/log.h"
#include "common/util.h"
#include "daemon/pipeline.h"
#include "parsers/check.h"
#include "parsers/csv_reader.h"
#include "parsers/xml_reader.h"
#include "mail/letter.h"
#include "report/report.h"

#define PREPASS_CHUNK (256u << 10)
#define GROUP_MAX 21		/* a parent and 20 beneficiaries */
#define BULLETIN_MAX 200
#define NOT_REGULAR (-1)	/* open_work(): a FIFO, a device, a folder */	/* BULLETIN requests in one file */

struct prepass {
	char sha256[CRYPTO_HEX_LEN];
	enum csv_encoding encoding;
	long long size;
	int gzip;			/* starts with the gzip magic */
};

/* The input formats, told apart by the file name's extension. */
enum input_fmt { IN_NONE, IN_CSV, IN_XML };

/* The reader of one file, CSV or XML, driven the same way. */
struct source {
	struct csv_reader *csv;
	struct xml_reader *xml;
};

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
	/* The open movement group (formats.md, "Movement groups"). */
	struct movement *grp;		/* GROUP_MAX, initialised lazily */
	int ngrp;
	long grp_bad;			/* line of its first rejected member */
	char overflow_nir[16];		/* a group cut at GROUP_MAX */
	int forced;			/* affilctl reprocess --force copy */
	struct reprocess_rec rq;	/* its request, when forced */
	/* EXPORT: the employer's list, written beside the report. */
	int export_wanted;
	char export_status[16];		/* "" for every status */
	long requests;			/* accepted EXPORT, BULLETIN */
	struct bulletin_req {		/* BULLETIN: one PDF each */
		long line;
		char nir[16];
	} *bulletins;
	int nbulletins;
};

/* utf8_state - incremental UTF-8 check; returns -1 at the first bad byte */
static int utf8_step(int *need, unsigned char c)
{
	if (*need > 0) {
		if ((c & 0xC0) != 0x80)
			return -1;
		(*need)--;
		return 0;
	}
	if (c < 0x80)
		return 0;
	if (c >= 0xC2 && c <= 0xDF)
		*need = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		*need = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		*need = 3;
	else
		return -1;
	return 0;
}

/* prepass - digest and encoding in one sequential read */
static int prepass(int fd, struct prepass *pp)
{
	unsigned char *chunk = xmalloc(PREPASS_CHUNK);
	struct sha256_ctx *sha = sha256_begin();
	int need = 0, utf8 = 1, first = 1;
	ssize_t n, i;

	pp->size = 0;
	pp->gzip = 0;
	while ((n = read(fd, chunk, PREPASS_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_err_errno("event=read_failed");
			free(chunk);
			sha256_end(sha, pp->sha256);
			return -1;
		}
		if (first && n >= 2 && ((chunk[0] == 0xFF && chunk[1] == 0xFE) ||
					(chunk[0] == 0xFE && chunk[1] == 0xFF)))
			utf8 = -1;	/* UTF-16 with its BOM */
		if (first && n >= 2 && chunk[0] == 0x1F && chunk[1] == 0x8B)
			pp->gzip = 1;
		first = 0;
		sha256_update(sha, chunk, (size_t)n);
		for (i = 0; utf8 == 1 && i < n; i++)
			if (utf8_step(&need, chunk[i]) < 0)
				utf8 = 0;
		pp->size += n;
	}
	free(chunk);
	pp->encoding = utf8 == 1 && need == 0 ? CSV_ENC_UTF8 :
		       utf8 == -1 ? CSV_ENC_UTF16 : CSV_ENC_CP1252;
	if (sha256_end(sha, pp->sha256) < 0)
		return -1;
	return lseek(fd, 0, SEEK_SET) < 0 ? -1 : 0;
}

/* has_ext - name ends with ext, in any case */
static int has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && strcasecmp(name + n - e, ext) == 0;
}

/* input_format - .csv (or .txt) is CSV, .xml is XML, anything else none */
static enum input_fmt input_format(const char *name)
{
	if (has_ext(name, ".csv") || has_ext(name, ".txt"))
		return IN_CSV;
	if (has_ext(name, ".xml"))
		return IN_XML;
	return IN_NONE;
}

/* report_format - an XML report for an XML input, else CSV */
static enum report_format report_format(const struct file_job *job)
{
	return input_format(job->name) == IN_XML ? REPORT_XML : REPORT_CSV;
}

/* report_name - out/<name>.<id>.cr.csv (.cr.xml), or out/validation/... */
static int report_name(const struct run *r, char *out, size_t outlen)
{
	const struct file_job *job = r->job;
	char name[SPOOL_NAME_MAX + 1];

	(void)spool_name_fit(job->name, name, sizeof(name));
	return spool_path(out, outlen, "%s/%s/out%s/%s.%s.cr.%s",
			  r->d->cfg->spool.dir, job->employer,
			  job->validation ? "/validation" : "", name,
			  job->id, report_format(job) == REPORT_XML ? "xml" :
			  "csv");
}

/* export_name - out/<name>.<id>.export.csv, the list an EXPORT asked for */
static int export_name(const struct run *r, char *out, size_t outlen)
{
	char name[SPOOL_NAME_MAX + 1];

	(void)spool_name_fit(r->job->name, name, sizeof(name));
	return spool_path(out, outlen, "%s/%s/out/%s.%s.export.csv",
			  r->d->cfg->spool.dir, r->job->employer, name,
			  r->job->id);
}

/* emit - one report line, and the stored line when it is not an ACCEPTE */
static int emit(struct run *r, long line, const char *op, const char *nir,
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
		rc |= emit(r, mv->line, op, nir, "ACCEPTE", icode, "", info);
	for (i = 0; i < mv->ndiags; i++) {
		const struct diag *dg = &mv->diags[i];

		if (dg->code[0] == (rejected ? DIAG_ERR : DIAG_WARN))
			rc |= emit(r, mv->line, op, nir,
				   rejected ? "REJETE" : "AVERTISSEMENT",
				   dg->code, field_name(dg->field), dg->msg);
	}
	if (mv->ndropped > 0)
		rc |= emit(r, mv->line, op, nir, rejected ? "REJETE" :
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

/* employer_of - the employer a movement belongs to, or NULL (finding set) */
static const struct cfg_employer *employer_of(struct run *r,
					      struct movement *mv)
{
	const struct cfg_employer *emp = r->job->emp;
	const char *num = mv_get(mv, F_NUMERO_PERSONNE);

	if (emp == NULL) {	/* the portal: every row names its employer */
		emp = num ? cfg_employer(r->d->cfg, num) : NULL;
		if (emp == NULL)
			mv_diag(mv, "E104", F_NUMERO_PERSONNE, "numero_personne "
				"absent ou inconnu : obligatoire sur chaque "
				"ligne du portail");
	}
	return emp;
}

/* apply_one - check and apply one movement under its own savepoint; a
 * movement the store refuses changes nothing */
static int apply_one(struct run *r, struct movement *mv)
{
	struct daemon *d = r->d;
	struct check_ctx cc = { d->cfg, NULL, r->today, r->job->emp == NULL };
	struct apply_ctx ac = { d->cfg, NULL, r->job->id, cc.today,
				d->token_key, d->token_keylen, cc.portal };
	int rc;

	cc.emp = ac.emp = employer_of(r, mv);
	if (cc.emp == NULL)
		return 0;
	check_movement(&cc, mv);
	if (mv_has_error(mv))
		return 0;
	if (store_savepoint(d->store, "mv") < 0)
		return -1;
	rc = store_apply(d->store, &ac, mv);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return store_rollback_to(d->store, "mv");
	return store_release(d->store, "mv");
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
static int group_close(struct run *r)
{
	struct store *st = r->d->store;
	int i, rc = 0;

	if (r->ngrp == 0)
		return 0;
	if (r->grp_bad) {
		if (store_rollback_to(st, "grp") < 0)
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
	} else if (store_release(st, "grp") < 0) {
		return -1;
	}
	for (i = 0; i < r->ngrp && rc == 0; i++)
		rc = emit_movement(r, &r->grp[i]);
	r->ngrp = 0;
	r->grp_bad = 0;
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
	if (r->ngrp == 0 && store_savepoint(r->d->store, "grp") < 0)
		return -1;
	m = &r->grp[r->ngrp++];
	if (mv_copy(m, mv) < 0)
		return -1;
	if (r->grp_bad) {	/* checked for the report, not applied */
		struct check_ctx cc = { r->d->cfg, employer_of(r, m), r->today,
					r->job->emp == NULL };

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

/*
 * want_export - an EXPORT asks for the employer's employees (optionally of
 * one `statut`), as they stand once this file is applied: the list is
 * written with the report, before the COMMIT (write_export).
 */
static void want_export(struct run *r, struct movement *mv)
{
	static const char *const statuses[] = {
		"EN_COURS", "A_RELANCER", "AFFILIE", "DISPENSE", "RADIE",
		"PORTABILITE",
	};
	const char *st = mv_has(mv, F_STATUT) ? mv_get(mv, F_STATUT) : "";
	char name[SPOOL_PATH_MAX], *base;
	size_t i;

	for (i = 0; *st && i < NELEM(statuses); i++)
		if (strcmp(st, statuses[i]) == 0)
			break;
	if (r->job->emp == NULL)
		mv_diag(mv, "E108", F_OPERATION, "EXPORT : demande réservée au "
			"dépôt de l'employeur");
	else if (*st && i == NELEM(statuses))
		mv_diag(mv, "E109", F_STATUT, "statut « %.20s » inconnu : "
			"EN_COURS, A_RELANCER, AFFILIE, DISPENSE, RADIE ou "
			"PORTABILITE", st);
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
		(void)export_name(r, name, sizeof(name));
		base = strrchr(name, '/');
		mv_diag(mv, "I241", F_NONE, "liste des salariés%s%s déposée "
			"dans out/%.180s", *st ? " au statut " : "", st,
			base ? base + 1 : name);
	}
	if (!mv_has_error(mv))
		r->requests++;
}

static int export_row(const char *const *vals, void *arg)
{
	return report_row(arg, vals, EXPORT_COLUMNS) < 0;
}

/* write_export - work/<id>.export, durable before the COMMIT */
static int write_export(struct run *r)
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

/* bulletin_name - out/<name>.<id>.bulletin-<line>.pdf */
static int bulletin_name(const struct run *r, long line, char *out,
			 size_t outlen)
{
	char name[SPOOL_NAME_MAX + 1];

	(void)spool_name_fit(r->job->name, name, sizeof(name));
	return spool_path(out, outlen, "%s/%s/out/%s.%s.bulletin-%ld.pdf",
			  r->d->cfg->spool.dir, r->job->employer, name,
			  r->job->id, line);
}

/*
 * want_bulletin - a BULLETIN asks for the individual affiliation bulletin
 * of an employee of this employer, as it stands once the file is applied:
 * written as a PDF with the report (write_bulletins).  -1 on a database
 * error.
 */
static int want_bulletin(struct run *r, struct movement *mv)
{
	struct check_ctx cc = { r->d->cfg, r->job->emp, r->today, 0 };
	char name[SPOOL_PATH_MAX], *base;
	struct buf t, b;
	int rc;

	if (r->job->emp == NULL) {
		mv_diag(mv, "E108", F_OPERATION, "BULLETIN : demande réservée "
			"au dépôt de l'employeur");
		return 0;
	}
	check_movement(&cc, mv);
	if (mv_has_error(mv))
		return 0;
	buf_init(&t, 1024);
	buf_init(&b, 64u << 10);
	rc = store_bulletin(r->d->store, r->d->cfg, r->job->employer,
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
		r->nbulletins++;
		(void)bulletin_name(r, mv->line, name, sizeof(name));
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
	rc = store_bulletin(r->d->store, cfg, r->job->employer, q->nir,
			    r->today, &t, &b);
	if (rc == 0) {
		memset(&l, 0, sizeof(l));
		l.sender = cfg->mail.letter_sender;
		l.place = cfg->mail.letter_place;
		l.date = r->today;
		l.name = r->job->emp->name;
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

static int write_bulletins(struct run *r)
{
	int i;

	for (i = 0; i < r->nbulletins; i++)
		if (write_bulletin(r, &r->bulletins[i]) < 0)
			return -1;
	return 0;
}

/*
 * stage_path - where what goes to out/ is written before the COMMIT:
 * out/.staging/ (affild's alone, 2700), so the employer never reads a
 * report that is not true yet, and the drop's group, which only a setgid
 * folder can give an unprivileged daemon, comes with the file when it is
 * renamed into out/.  "<spool>/<employer>/out/.staging/<id>" + suffix.
 */
static int stage_path(const struct daemon *d, const struct file_job *job,
		      const char *suffix, char *out, size_t outlen)
{
	return spool_path(out, outlen, "%s/%s/out/.staging/%s%s",
			  d->cfg->spool.dir, job->employer, job->id, suffix);
}

/* move_bulletins - staging's <id>.bulletin-<line> into out/, after COMMIT */
static int move_bulletins(const struct run *r, const char *workdir)
{
	char prefix[64], from[SPOOL_PATH_MAX], to[SPOOL_PATH_MAX];
	struct dirent *de;
	size_t n;
	DIR *dir;
	int rc = 0;

	n = (size_t)snprintf(prefix, sizeof(prefix), "%s.bulletin-",
			     r->job->id);
	if ((dir = opendir(workdir)) == NULL)
		return -1;
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, prefix, n) != 0)
			continue;
		if (spool_path(from, sizeof(from), "%s/%s", workdir,
			       de->d_name) < 0 ||
		    bulletin_name(r, atol(de->d_name + n), to,
				  sizeof(to)) < 0 ||
		    spool_move(from, to) < 0)
			rc = -1;
	}
	closedir(dir);
	return rc;
}

/* take - one movement from the reader: alone, or as part of a group */
static int take(struct run *r, struct movement *mv)
{
	int member = r->ngrp > 0 && mv->op == OP_AYANT_DROIT &&
		     same_nir(r, &r->grp[0], mv);
	char key[32];

	nir_key(mv, key, sizeof(key));

	if (member && r->ngrp == GROUP_MAX) {
		(void)strlcpy_ok(r->overflow_nir, key, sizeof(r->overflow_nir));
		r->grp_bad = mv->line;
		if (group_close(r) < 0)
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
	if (group_close(r) < 0)
		return -1;
	if (mv->op == OP_AFFILIATION_COMPLETE || mv->op == OP_FINALISATION)
		return group_add(r, mv);
	if (mv->op == OP_EXPORT)
		want_export(r, mv);
	else if (mv->op == OP_BULLETIN) {
		if (want_bulletin(r, mv) < 0)
			return -1;
	} else if (apply_one(r, mv) < 0)
		return -1;
	return emit_movement(r, mv);
}

/* other_employer - a row naming another employer rejects the whole file */
static int other_employer(const struct run *r, const struct movement *mv)
{
	const char *num = mv_get(mv, F_NUMERO_PERSONNE);

	return r->job->emp != NULL && num != NULL && *num != '\0' &&
	       strcmp(num, r->job->emp->numero) != 0;
}

/* source_open - the reader the file's extension calls for */
static void source_open(struct source *src, const struct run *r,
			const struct prepass *pp)
{
	struct csv_opts copts = { pp->encoding, r->d->cfg->aliases,
				  r->d->cfg->naliases };
	struct xml_opts xopts = { 0 };

	memset(src, 0, sizeof(*src));
	if (input_format(r->job->name) == IN_XML)
		src->xml = xml_reader_open(r->fd, &xopts);
	else
		src->csv = csv_reader_open(r->fd, &copts);
}

static int source_next(struct source *src, struct movement *mv)
{
	return src->xml ? xml_reader_next(src->xml, mv) :
			  csv_reader_next(src->csv, mv);
}

static const struct file_diag *source_fatal(const struct source *src)
{
	return src->xml ? xml_reader_fatal(src->xml) :
			  csv_reader_fatal(src->csv);
}

static const struct file_diag *source_warnings(const struct source *src,
					       size_t *n)
{
	return src->xml ? xml_reader_warnings(src->xml, n) :
			  csv_reader_warnings(src->csv, n);
}

/* source_trailer_missing - a required FIN trailer (CSV only) is absent */
static int source_trailer_missing(const struct source *src,
				  const struct run *r)
{
	return src->csv && r->job->emp && r->job->emp->trailer_required &&
	       !csv_reader_trailer(src->csv);
}

static void source_close(struct source *src)
{
	xml_reader_close(src->xml);
	csv_reader_close(src->csv);
}

/* stream - read and apply every movement; 0 done, 1 file rejected, -1 temp */
static int stream(struct run *r, const struct prepass *pp,
		  struct file_diag *why)
{
	const struct file_diag *w;
	struct source src;
	struct movement mv;
	size_t i, nw;
	int rc = 0, got;

	source_open(&src, r, pp);
	mv_init(&mv);
	while ((got = source_next(&src, &mv)) == 1) {
		if (other_employer(r, &mv)) {
			why->line = mv.line;
			snprintf(why->d.code, sizeof(why->d.code), "E003");
			snprintf(why->d.msg, sizeof(why->d.msg), "numero_personne "
				 "d'un autre employeur : un fichier ne peut "
				 "concerner que l'employeur de son dépôt");
			rc = 1;
			goto out;
		}
		if (take(r, &mv) < 0) {
			rc = -1;
			goto out;
		}
		if ((r->counts.movements & 255) == 0 &&
		    daemon_poll_signals(r->d)) {
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
	if (group_close(r) < 0) {
		rc = -1;
		goto out;
	}
	w = source_warnings(&src, &nw);
	for (i = 0; i < nw; i++, r->file_warnings++)
		if (emit(r, w[i].line, "FICHIER", "", "AVERTISSEMENT",
			 w[i].d.code, "", w[i].d.msg) < 0)
			rc = -1;
	if (rc == 0 && source_trailer_missing(&src, r)) {
		why->line = 0;
		snprintf(why->d.code, sizeof(why->d.code), "E011");
		snprintf(why->d.msg, sizeof(why->d.msg), "ligne FIN "
			 "obligatoire pour cet employeur : dernière ligne "
			 "« FIN;<nombre de mouvements> »");
		rc = 1;
	}
out:
	mv_free(&mv);
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

/* commit_file - the file's row, the durable report, then COMMIT */
static int commit_file(struct run *r, const struct prepass *pp, int rc,
		       const char *state, const char *message)
{
	char out[SPOOL_PATH_MAX];
	struct file_rec f;
	struct report *rep = r->report;

	memset(&f, 0, sizeof(f));
	if (report_name(r, out, sizeof(out)) < 0)
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
	f.requests_only = r->requests > 0 &&
			  r->requests == r->counts.accepted;
	r->report = NULL;
	if ((r->forced && store_reprocess_close(r->d->store, r->rq.id,
						r->job->id, NULL) < 0) ||
	    store_file_finish(r->d->store, &f) < 0) {
		report_discard(rep);
		return -1;
	}
	/* The report (and an export) is on disk before the COMMIT that makes
	 * it true. */
	if ((strcmp(state, "done") == 0 &&
	     (write_export(r) < 0 || write_bulletins(r) < 0)) ||
	    report_close(rep) < 0 || store_commit(r->d->store) < 0)
		return -1;
	return 0;
}

/* open_report - a fresh temporary report in work/ */
static int open_report(struct run *r)
{
	report_discard(r->report);
	r->report = report_open(r->report_tmp, report_format(r->job),
				r->job->name);
	return r->report ? 0 : -1;
}

/* reject_file - roll everything back; a report with the one reason */
static int reject_file(struct run *r, const struct prepass *pp,
		       const struct file_diag *why)
{
	struct store *st = r->d->store;

	if (store_rollback(st) < 0 || store_begin(st) < 0 || open_report(r) < 0)
		return -1;
	memset(&r->counts, 0, sizeof(r->counts));
	r->file_warnings = 0;
	r->export_wanted = 0;
	r->requests = 0;
	r->nbulletins = 0;
	if (emit(r, why->line, "FICHIER", "", "REJETE", why->d.code,
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
static int duplicate(struct run *r, const struct prepass *pp,
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
	snprintf(buf, len, "retraitement forcé du fichier %s demandé par %s "
		 "le %.10s%s%s", r->rq.file_id, r->rq.requested_by,
		 r->rq.requested_at, note ? " ; " : "", note ? note : "");
	return buf;
}

/* finish_normally - summary, policy, commit */
static int finish_normally(struct run *r, const struct prepass *pp)
{
	struct store *st = r->d->store;
	const char *note = NULL;
	char fbuf[256];
	int rc = return_code(r);

	/*
	 * Nothing applied: the whole transaction goes, and a fresh one takes
	 * the file's row.  (Not a savepoint around the file: SQLite would
	 * journal every page the file touches a second time, to a temporary
	 * file that grows with the file.)
	 */
	if (r->job->validation) {
		note = "validation seule : rien n'a été appliqué";
		if (store_rollback(st) < 0 || store_begin(st) < 0)
			return -1;
	} else if (rc >= 2 && r->job->emp &&
		   r->job->emp->apply == CFG_APPLY_ALL_OR_NOTHING) {
		note = "apply: all_or_nothing : aucun mouvement n'a été appliqué";
		rc = 3;
		if (store_rollback(st) < 0 || store_begin(st) < 0)
			return -1;
	}
	if (pp->encoding != CSV_ENC_UTF8 &&
	    report_format(r->job) == REPORT_CSV &&
	    emit(r, 0, "FICHIER", "", "AVERTISSEMENT", "W003", "",
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

/* pipeline_finish_moves - report into out/, original into its resting place */
int pipeline_finish_moves(struct daemon *d, const struct file_job *job,
			  int quarantine)
{
	char work[SPOOL_PATH_MAX], tmp[SPOOL_PATH_MAX], out[SPOOL_PATH_MAX];
	char dest[SPOOL_PATH_MAX], name[SPOOL_NAME_MAX + 1];
	struct run r = { .d = d, .job = job };
	struct date today = date_today();
	const char *spool = d->cfg->spool.dir;

	if (spool_path(work, sizeof(work), "%s/.affild/work/%s", spool,
		       job->id) < 0 ||
	    stage_path(d, job, ".cr", tmp, sizeof(tmp)) < 0 ||
	    report_name(&r, out, sizeof(out)) < 0)
		return -1;
	if (access(tmp, F_OK) == 0 && spool_move(tmp, out) < 0)
		return -1;
	if (stage_path(d, job, ".export", tmp, sizeof(tmp)) < 0 ||
	    export_name(&r, out, sizeof(out)) < 0)
		return -1;
	if (access(tmp, F_OK) == 0 && spool_move(tmp, out) < 0)
		return -1;
	if (spool_path(tmp, sizeof(tmp), "%s/%s/out/.staging", spool,
		       job->employer) < 0 || move_bulletins(&r, tmp) < 0)
		return -1;
	(void)spool_name_fit(job->name, name, sizeof(name));
	if (quarantine)
		(void)spool_path(dest, sizeof(dest),
				 "%s/.affild/quarantine/%s/%s.%s", spool,
				 job->employer, job->id, name);
	else
		(void)spool_path(dest, sizeof(dest),
				 "%s/.affild/archive/%s/%04d-%02d/%s.%s", spool,
				 job->employer, today.y, today.m, job->id,
				 name);
	if (access(work, F_OK) != 0) {
		/* Moved before a crash; or removed from work/ by hand. */
		if (access(dest, F_OK) != 0)
			log_err("event=original_missing id=%s employer=%s "
				"path=%s expected=%s hint=\"removed from work/ "
				"while affild ran? the report stands\"",
				job->id, job->employer, work, dest);
		return 0;
	}
	if (spool_mkdirs(dest, 0700, 1, 0) < 0 || spool_move(work, dest) < 0)
		return -1;
	return 0;
}

/* pipeline_process - the inner function: works on an open file */
static int pipeline_process(struct run *r)
{
	struct store *st = r->d->store;
	struct file_diag why;
	struct prepass pp;
	int rc;

	memset(&why, 0, sizeof(why));
	why.d.field = F_NONE;
	if (prepass(r->fd, &pp) < 0)
		return -1;
	if (store_begin(st) < 0)
		return -1;
	if ((r->forced = store_reprocess_of(st, r->job->id, &r->rq)) < 0)
		return -1;
	if (r->forced)
		log_info("event=file_forced id=%s of=%s by=%s", r->job->id,
			 r->rq.file_id, r->rq.requested_by);
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
	if (!r->forced && (rc = duplicate(r, &pp, &why)) != 0)
		return rc < 0 ? -1 : reject_file(r, &pp, &why) < 0 ? -1 : 1;
	if (input_format(r->job->name) == IN_NONE) {
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
	if (open_report(r) < 0)
		return -1;
	rc = stream(r, &pp, &why);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return reject_file(r, &pp, &why) < 0 ? -1 : 1;
	return finish_normally(r, &pp) < 0 ? -1 : 0;
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
			 "tube, dossier ou périphérique");
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
	return S_ISREG(sb.st_mode) ? 0 : NOT_REGULAR;
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
	if (spool_path(r.work, sizeof(r.work), "%s/.affild/work/%s",
		       d->cfg->spool.dir, job->id) < 0 ||
	    stage_path(d, job, "", r.stage, sizeof(r.stage)) < 0 ||
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
	errno = 0;
	rc = pipeline_process(&r);
	if (rc < 0)
		rc = failed(&r, errno);
out:
	if (r.fd >= 0)
		close(r.fd);
	free(r.bulletins);
	if (r.grp) {
		int i;

		for (i = 0; i < GROUP_MAX; i++)
			mv_free(&r.grp[i]);
		free(r.grp);
	}
	if (rc < 0) {
		report_discard(r.report);
		store_rollback(d->store);
		return PIPE_TEMPFAIL;
	}
	return pipeline_finish_moves(d, job, rc == 1) < 0 ? PIPE_TEMPFAIL
							  : PIPE_OK;
}
