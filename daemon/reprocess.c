/*
 * reprocess - a forced run of an already processed file (store_reprocess.c
 * says why this order is crash-safe):
 *
 *   1. find the original: .affild/archive/<numero>/<AAAA-MM>/<id>.<name>
 *      or .affild/quarantine/<numero>/<id>.<name>;
 *   2. a new tracking row naming the request (own commit);
 *   3. copy the bytes to work/<new>.copy, fsync, rename to work/<new>,
 *      fsync work/: from here the copy is an ordinary claimed file that a
 *      crash resumes; before, the row is forgotten at the next resume and
 *      the request, still pending, is taken again;
 *   4. pipeline_run(): the request is closed in the copy's transaction.
 *
 * The original stays where it is: nothing is ever deleted here.
 *
 * The insurer's decision on a file the radiation gate held (kind approve
 * or refuse) takes the same steps on .affild/held/<numero>/<id>.<name>,
 * with one difference: step 3 moves the held original into work/<new>
 * (rename, then fsync of both folders) instead of copying it, so held/
 * keeps only the files still waiting and the bytes are never in two
 * places.  A crash before the rename leaves it in held/ and the request
 * pending; after it, work/<new> is resumed like any claimed file.  The run
 * then applies it ungated (approve) or rejects it with E021 (refuse), and
 * marks the held row in its own COMMIT.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/pipeline.h"
#include "daemon/reprocess.h"
#include "daemon/scan.h"

#define COPY_CHUNK (64u << 10)

/* is_decision - a request about a held file (approve, refuse) */
static int is_decision(const struct reprocess_rec *rq)
{
	return strcmp(rq->kind, REPROCESS_APPROVE) == 0 ||
	       strcmp(rq->kind, REPROCESS_REFUSE) == 0;
}

/* find_original - the archived, quarantined or (held) bytes of file f;
 * 0 found */
static int find_original(struct daemon *d, const struct file_rec *f,
			 int held, char *out, size_t outlen)
{
	char dir[SPOOL_PATH_MAX], name[SPOOL_NAME_MAX + 1];
	struct dirent *de;
	struct stat sb;
	DIR *dh;
	int found = -1;

	(void)spool_name_fit(f->name, name, sizeof(name));	/* as archived */
	if (held)
		return spool_path(out, outlen, "%s/.affild/held/%s/%s.%s",
				  d->cfg->spool.dir, f->employer, f->id,
				  name) == 0 && lstat(out, &sb) == 0 &&
		       S_ISREG(sb.st_mode) ? 0 : -1;
	if (spool_path(out, outlen, "%s/.affild/quarantine/%s/%s.%s",
		       d->cfg->spool.dir, f->employer, f->id, name) == 0 &&
	    lstat(out, &sb) == 0 && S_ISREG(sb.st_mode))
		return 0;
	if (spool_path(dir, sizeof(dir), "%s/.affild/archive/%s",
		       d->cfg->spool.dir, f->employer) < 0 ||
	    (dh = opendir(dir)) == NULL)
		return -1;
	while (found < 0 && (de = readdir(dh)) != NULL)
		if (de->d_name[0] != '.' &&
		    spool_path(out, outlen, "%s/%s/%s.%s", dir, de->d_name,
			       f->id, name) == 0 &&
		    lstat(out, &sb) == 0 && S_ISREG(sb.st_mode))
			found = 0;
	closedir(dh);
	return found;
}

/* copy_fd - every byte of in to out; 0 or -1 */
static int copy_fd(int in, int out)
{
	char buf[COPY_CHUNK];
	ssize_t n, w, off;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (off = 0; off < n; off += w) {
			w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return -1;
		}
	}
	return 0;
}

/* copy_durably - src to dst through dst.copy: fsynced, renamed, fsynced */
static int copy_durably(const char *src, const char *dst)
{
	char tmp[SPOOL_PATH_MAX], qs[LOG_QUOTE_MAX], qt[LOG_QUOTE_MAX];
	int in = -1, out = -1, rc = -1;

	if (spool_path(tmp, sizeof(tmp), "%s.copy", dst) < 0)
		return -1;
	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (in < 0 || out < 0 || copy_fd(in, out) < 0 || fsync(out) < 0) {
		log_err_errno("event=reprocess_copy_failed from=%s to=%s",
			      log_quote(qs, sizeof(qs), src),
			      log_quote(qt, sizeof(qt), tmp));
		goto out;
	}
	if (close(out) < 0) {
		out = -1;
		log_err_errno("event=reprocess_copy_failed to=%s",
			      log_quote(qt, sizeof(qt), tmp));
		goto out;
	}
	out = -1;
	rc = spool_move(tmp, dst);
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (rc < 0)
		(void)unlink(tmp);
	return rc;
}

/* give_up - a request that cannot be served is closed with its reason */
static void give_up(struct daemon *d, const struct reprocess_rec *rq,
		    const char *why)
{
	char qf[LOG_QUOTE_MAX];

	log_warn("event=reprocess_refused request=%lld file=%s reason=\"%s\"",
		 rq->id, log_quote(qf, sizeof(qf), rq->file_id), why);
	(void)store_reprocess_close(d->store, rq->id, NULL, why);
}

/* start_copy - claim row and durable copy in work/; 0 ready to run */
static int start_copy(struct daemon *d, const struct reprocess_rec *rq,
		      const struct file_rec *f, struct file_job *job)
{
	char src[SPOOL_PATH_MAX], dst[SPOOL_PATH_MAX];
	char qn[LOG_QUOTE_MAX], qf[LOG_QUOTE_MAX], qb[LOG_QUOTE_MAX];
	struct stat sb;

	if (find_original(d, f, is_decision(rq), src, sizeof(src)) < 0 ||
	    stat(src, &sb) < 0) {
		give_up(d, rq, is_decision(rq) ? "original introuvable dans "
			"held/" : "original introuvable dans archive/ ni "
			"quarantine/ (purgé ?)");
		return -1;
	}
	if (!scan_room_for(d, f->employer, f->name, (long long)sb.st_size))
		return -1;		/* the request waits, like a drop */
	memset(job, 0, sizeof(*job));
	job->fd = -1;
	job->emp = cfg_employer(d->cfg, f->employer);
	snprintf(job->employer, sizeof(job->employer), "%s", f->employer);
	snprintf(job->name, sizeof(job->name), "%s", f->name);
	if (store_file_claim_forced(d->store, f->employer, f->name,
				    (long long)sb.st_size, rq->id,
				    job->id) < 0)
		return -1;
	if (spool_path(dst, sizeof(dst), "%s/.affild/work/%s",
		       d->cfg->spool.dir, job->id) < 0 ||
	    (is_decision(rq) ? spool_move(src, dst) :
			       copy_durably(src, dst)) < 0) {
		(void)store_file_forget(d->store, job->id);
		return -1;
	}
	log_info("event=file_claimed id=%s employer=%s name=%s size=%lld "
		 "reprocess_of=%s by=%s kind=%s", job->id, job->employer,
		 log_quote(qn, sizeof(qn), job->name), (long long)sb.st_size,
		 log_quote(qf, sizeof(qf), rq->file_id),
		 log_quote(qb, sizeof(qb), rq->requested_by), rq->kind);
	return 0;
}

/* refusal - why request rq on file f cannot be served; NULL: it can */
static const char *refusal(struct daemon *d, const struct reprocess_rec *rq,
			   const struct file_rec *f)
{
	if (f->validation)
		return "dépôt de validation : jamais appliqué, déposez-le à "
		       "nouveau";
	if (strcmp(f->employer, SPOOL_ADMIN) == 0)
		return "fichier du dépôt de l'assureur : jamais rejoué";
	if (cfg_employer(d->cfg, f->employer) == NULL &&
	    strcmp(f->employer, SPOOL_PORTAL) != 0)
		return "employeur absent de la configuration";
	/* affilctl checked; the state may have changed since */
	if (is_decision(rq) && strcmp(f->state, "held") != 0)
		return "fichier pas en attente de validation";
	if (!is_decision(rq) && strcmp(f->state, "held") == 0)
		return "fichier en attente de validation : approuvez-le ou "
		       "refusez-le";
	return NULL;
}

/* reprocess_serve - one pending request, if any */
int reprocess_serve(struct daemon *d)
{
	struct reprocess_rec rq;
	struct file_job job;
	struct file_rec f;
	int rc = store_reprocess_next(d->store, &rq);

	if (rc <= 0)
		return 0;
	rc = store_file_get(d->store, rq.file_id, &f);
	if (rc != 1) {
		if (rc == 0)
			give_up(d, &rq, "identifiant de fichier inconnu");
		return 0;
	}
	if (refusal(d, &rq, &f) != NULL) {
		give_up(d, &rq, refusal(d, &rq, &f));
		file_rec_free(&f);
		return 0;
	}
	rc = start_copy(d, &rq, &f, &job);
	file_rec_free(&f);
	if (rc < 0)
		return 0;
	if (pipeline_run(d, &job) != PIPE_OK)
		log_warn("event=file_tempfail id=%s action=retry_later", job.id);
	scan_let_go(d, job.id);
	return 1;
}
