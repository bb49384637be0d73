/*
 * scan - from "a file is in in/" to "pipeline_run() on its claimed copy".
 *
 * Fairness: employers are served in turn, one file each per round, so a
 * burst from one employer never makes another's single file wait behind it.
 * Within one employer, files go in the order they were found ready, then
 * by mtime, then name; a drop is looked at once per batch (its queue).
 *
 * Readiness is spool_ready.c's: settle or rename, or in trigger mode the
 * NAME.ok / NAME.done marker, removed once NAME is claimed.  Nothing is
 * claimed without spool.min_free_factor times its size free on the spool's
 * and the database's file systems (scan_room_for).
 *
 * The admin drop (.affild/admin/in/, affilctl's write verbs) is one more
 * drop in the round, after the employers and the portal.  Who wrote a file
 * there is its owner, read from the opened file before the claim moves it
 * and kept in its row: the login, or "uid<N>" for an owner without one.
 */
#include <pwd.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/metrics.h"
#include "daemon/once.h"
#include "daemon/pipeline.h"
#include "daemon/scan.h"
#include "daemon/signals.h"

#define WATCH_MASK (IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ATTRIB | \
		    IN_MODIFY)

struct candidate {
	char name[256];
	struct timespec mtime;
	long long size;
	const char *marker;	/* trigger mode: ".ok" or ".done", static */
	int special;		/* a link, FIFO, folder...: to quarantine */
};

/* add_watch - watch dir and remember which folder the wd names */
static void add_watch(struct daemon *d, const char *dir, uint32_t mask)
{
	int wd = inotify_add_watch(d->inotify_fd, dir, mask);
	size_t i;

	if (wd < 0) {
		log_warn_errno("event=watch_failed dir=%s", dir);
		return;
	}
	for (i = 0; i < d->nwatches; i++)
		if (d->watches[i].wd == wd)
			return;
	d->watches = xrealloc(d->watches, (d->nwatches + 1) *
			      sizeof(*d->watches));
	d->watches[d->nwatches].wd = wd;
	d->watches[d->nwatches++].dir = xstrdup(dir);
}

static const char *watch_dir(const struct daemon *d, int wd)
{
	size_t i;

	for (i = 0; i < d->nwatches; i++)
		if (d->watches[i].wd == wd)
			return d->watches[i].dir;
	return NULL;
}

/* drop_count - the drops of a round: employers, the portal, the admin */
static size_t drop_count(const struct daemon *d)
{
	return d->cfg->nemployers + (d->cfg->portal.enabled ? 1 : 0) + 1;
}

/* drop_name - the i-th drop of a round; *emp its employer (NULL for the
 * portal's and the admin drop) */
static const char *drop_name(const struct daemon *d, size_t i,
			     const struct cfg_employer **emp)
{
	*emp = NULL;
	if (i < d->cfg->nemployers) {
		*emp = &d->cfg->employers[i];
		return (*emp)->numero;
	}
	return i == d->cfg->nemployers && d->cfg->portal.enabled ?
	       SPOOL_PORTAL : SPOOL_ADMIN;
}

/* in_dir - a drop's in/ (validation: in/validation/) */
static int in_dir(const struct daemon *d, const char *drop, int validation,
		  char *out, size_t outlen)
{
	char dir[SPOOL_PATH_MAX];

	return spool_drop_dir(d->cfg->spool.dir, drop, dir, sizeof(dir)) < 0 ?
	       -1 : spool_path(out, outlen, "%s/in%s", dir,
			       validation ? "/validation" : "");
}

/* scan_watch - one watch per in/ and in/validation/ folder, and the root */
int scan_watch(struct daemon *d)
{
	const struct cfg_employer *emp;
	char path[SPOOL_PATH_MAX];
	size_t i, n = drop_count(d);
	const char *drop;
	int j;

	add_watch(d, d->cfg->spool.dir, IN_CREATE | IN_MOVED_TO);
	for (i = 0; i < n; i++) {
		drop = drop_name(d, i, &emp);
		for (j = 0; j < 2; j++) {
			if (j && strcmp(drop, SPOOL_ADMIN) == 0)
				continue;	/* no validation there */
			if (in_dir(d, drop, j, path, sizeof(path)) < 0)
				return -1;
			add_watch(d, path, WATCH_MASK);
		}
	}
	return 0;
}

/*
 * scan_events - a rename makes a name ready at once.  Other events need no
 * bookkeeping: every tick looks at the drops anyway (events are hints).
 */
void scan_events(struct daemon *d)
{
	char ev[16 * (sizeof(struct inotify_event) + NAME_MAX + 1)]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	char path[SPOOL_PATH_MAX];
	const struct inotify_event *e;
	const char *dir;
	ssize_t n;
	char *p;

	while ((n = read(d->inotify_fd, ev, sizeof(ev))) > 0)
		for (p = ev; p < ev + n; p += sizeof(*e) + e->len) {
			e = (const struct inotify_event *)p;
			if (e->mask & IN_Q_OVERFLOW)	/* every tick rescans */
				log_info("event=inotify_overflow "
					 "action=rescan");
			if (!(e->mask & IN_MOVED_TO) || e->len == 0 ||
			    spool_temp_name(e->name))
				continue;
			dir = watch_dir(d, e->wd);
			if (dir && spool_path(path, sizeof(path), "%s/%s", dir,
					      e->name) == 0)
				spool_ready_moved(d->ready, path);
		}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		log_warn_errno("event=inotify_read_failed");
}

static int candidate_cmp(const void *a, const void *b)
{
	const struct candidate *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* now_ms - the daemon's monotonic clock (a test may have injected one) */
static long long now_ms(const struct daemon *d)
{
	return d->clock_ms ? d->clock_ms() : mono_ms();
}

/* is_ready - 1 when path is ready under the drop's readiness mode */
static int is_ready(struct daemon *d, const char *name, const char *path,
		    const struct cfg_employer *emp, int settle_ms,
		    const char **marker)
{
	*marker = NULL;
	if (emp == NULL || emp->readiness != CFG_READY_TRIGGER)
		return spool_ready_check(d->ready, path, settle_ms,
					 now_ms(d)) == 1;
	if (spool_trigger_marker(name)) {
		spool_ready_marker(d->ready, path);
		return 0;
	}
	return spool_ready_trigger(d->ready, path, marker) == 1;
}

/*
 * A drop's queue: the ready files found by one look at the folder, in
 * order.  Looking at a folder costs a stat per entry, so a burst of
 * thousands of files is looked at once per batch, not once per claim; each
 * queued file is checked again (same size and mtime) just before its claim.
 */
struct scan_queue {
	char *dir;			/* owned */
	struct candidate *c;		/* owned */
	size_t n, next, cap;
};

/* queue_for - dir's queue, made on first use */
static struct scan_queue *queue_for(struct daemon *d, const char *dir)
{
	struct scan_queue *q;
	size_t i;

	for (i = 0; i < d->nqueues; i++)
		if (strcmp(d->queues[i].dir, dir) == 0)
			return &d->queues[i];
	d->queues = xrealloc(d->queues, (d->nqueues + 1) * sizeof(*d->queues));
	q = &d->queues[d->nqueues++];
	memset(q, 0, sizeof(*q));
	q->dir = xstrdup(dir);
	return q;
}

/* scan_forget - drop every queue (reload, exit): the next look rebuilds */
void scan_forget(struct daemon *d)
{
	size_t i;

	for (i = 0; i < d->nqueues; i++) {
		free(d->queues[i].dir);
		free(d->queues[i].c);
	}
	free(d->queues);
	d->queues = NULL;
	d->nqueues = 0;
}

/* fill - one look at dir: every ready file, oldest first */
static void fill(struct daemon *d, struct scan_queue *q,
		 const struct cfg_employer *emp, int settle_ms)
{
	char path[SPOOL_PATH_MAX];
	struct candidate c;
	struct dirent *de;
	struct stat sb;
	DIR *dh = opendir(q->dir);

	q->n = q->next = 0;
	if (dh == NULL)
		return;
	while ((de = readdir(dh)) != NULL) {
		if (spool_temp_name(de->d_name) || strcmp(de->d_name,
							  "validation") == 0 ||
		    strlen(de->d_name) >= sizeof(c.name) ||
		    spool_path(path, sizeof(path), "%s/%s", q->dir,
			       de->d_name) < 0)
			continue;
		/* Not a regular file: never read, moved to quarantine (by
		 * rename, which does not follow a link) with its report. */
		if (lstat(path, &sb) < 0)
			continue;
		c.special = !S_ISREG(sb.st_mode);
		c.marker = NULL;
		if (!c.special && (!is_ready(d, de->d_name, path, emp,
					     settle_ms, &c.marker) ||
				   lstat(path, &sb) < 0))
			continue;
		/* Ready, and still another name for the same bytes: a hard
		 * link (an SFTP legacy rename unlinks the old name at once).
		 * Its bytes may be anyone's: never read, quarantined. */
		c.special |= sb.st_nlink > 1;
		snprintf(c.name, sizeof(c.name), "%s", de->d_name);
		c.mtime = sb.st_mtim;
		c.size = (long long)sb.st_size;
		if (q->n == q->cap) {
			q->cap = q->cap ? q->cap * 2 : 16;
			q->c = xrealloc(q->c, q->cap * sizeof(*q->c));
		}
		q->c[q->n++] = c;
	}
	closedir(dh);
	if (q->n > 1)		/* qsort() wants a non-NULL base */
		qsort(q->c, q->n, sizeof(*q->c), candidate_cmp);
}

/* unchanged - the queued file is still there, regular, as it was seen */
static int unchanged(const struct scan_queue *q, const struct candidate *c)
{
	char path[SPOOL_PATH_MAX];
	struct stat sb;

	if (spool_path(path, sizeof(path), "%s/%s", q->dir, c->name) < 0 ||
	    lstat(path, &sb) < 0)
		return 0;
	if (c->special)
		return !S_ISREG(sb.st_mode) || sb.st_nlink > 1;
	return S_ISREG(sb.st_mode) && (long long)sb.st_size == c->size &&
	       sb.st_mtim.tv_sec == c->mtime.tv_sec &&
	       sb.st_mtim.tv_nsec == c->mtime.tv_nsec;
}

/*
 * next_ready - the queue's head, checked again; a fresh look when the queue
 * is spent.  The head stays until claimed (queue_done), so a claim refused
 * for lack of disk space is retried first.  1 found.
 */
static int next_ready(struct daemon *d, struct scan_queue *q,
		      const struct cfg_employer *emp, int settle_ms,
		      struct candidate *best)
{
	int looked = 0;

	for (;;) {
		while (q->next < q->n) {
			if (unchanged(q, &q->c[q->next])) {
				*best = q->c[q->next];
				return 1;
			}
			q->next++;	/* gone or changed: the next look sees it */
		}
		if (looked++)
			return 0;
		fill(d, q, emp, settle_ms);
	}
}

/*
 * scan_room_for - free space on the spool's and the database's file systems
 * (the WAL of the file's transaction grows with it).  One log line when
 * claiming stops and one when it resumes, not one per tick.
 */
int scan_room_for(struct daemon *d, const char *employer, const char *name,
		  long long size)
{
	char dbdir[SPOOL_PATH_MAX], qn[LOG_QUOTE_MAX];
	const char *slash = strrchr(d->cfg->db.path, '/');
	long long factor = d->cfg->spool.min_free_factor, fs = 0, fdb = 0;
	int ok;

	snprintf(dbdir, sizeof(dbdir), "%.*s", slash ? (int)(slash -
		 d->cfg->db.path) : 1, slash ? d->cfg->db.path : ".");
	if (dbdir[0] == '\0')
		snprintf(dbdir, sizeof(dbdir), "/");
	ok = spool_free_ok(d->cfg->spool.dir, size, factor, &fs) &&
	     spool_free_ok(dbdir, size, factor, &fdb);
	if (!ok && !d->disk_low)
		log_warn("event=disk_low employer=%s file=%s size=%lld "
			 "factor=%lld free_spool=%lld free_db=%lld "
			 "action=claiming_stopped", employer,
			 log_quote(qn, sizeof(qn), name), size, factor, fs, fdb);
	else if (ok && d->disk_low)
		log_info("event=disk_ok action=claiming_resumed");
	d->disk_low = !ok;
	return ok;
}

/* drop_marker - trigger mode: the marker goes once its file is claimed */
static void drop_marker(const char *from, const char *suffix)
{
	char marker[SPOOL_PATH_MAX], qm[LOG_QUOTE_MAX];

	if (suffix == NULL ||
	    spool_path(marker, sizeof(marker), "%s%s", from, suffix) < 0)
		return;
	if (unlink(marker) < 0 && errno != ENOENT)
		log_warn_errno("event=trigger_unlink_failed marker=%s",
			       log_quote(qm, sizeof(qm), marker));
}

/*
 * open_candidate - open before claiming: a file affild cannot read is never
 * claimed.  It stays in in/, logged once at err with the fix, and counted in
 * the metrics.  The descriptor goes with the claim (rename keeps the inode),
 * so what was checked is what is read.  fd, or -1: not this file, not now.
 */
static int open_candidate(struct daemon *d, const char *path,
			  const struct candidate *c)
{
	char qp[LOG_QUOTE_MAX];
	struct stat sb;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		      O_CLOEXEC);

	if (fd < 0) {
		if ((errno == EACCES || errno == EPERM) &&
		    spool_ready_unreadable(d->ready, path)) {
			log_err_errno("event=file_unreadable path=%s "
				      "uid=%d action=left_in_drop hint=\"the "
				      "unit must grant AmbientCapabilities="
				      "CAP_DAC_READ_SEARCH (docs/sftp.md), or "
				      "the upload be readable by this user\"",
				      log_quote(qp, sizeof(qp), path),
				      (int)geteuid());
			metrics_write(d, 1);	/* rare: at once */
		} else if (errno != ENOENT && errno != EACCES &&
			   errno != EPERM && spool_ready_unreadable(d->ready,
								    path)) {
			log_warn_errno("event=file_open_failed path=%s "
				       "action=retry_later",
				       log_quote(qp, sizeof(qp), path));
		}
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (long long)sb.st_size != c->size) {
		close(fd);	/* changed since it was seen: the next look */
		return -1;
	}
	return fd;
}

/*
 * owner_of - the admin drop: who wrote the file, its owner's login (or
 * "uid<N>") from the open descriptor (fd < 0: the path, not followed),
 * before the claim moves it.  0, -1 when it cannot be read.
 */
static int owner_of(struct file_job *job, int fd, const char *path)
{
	char buf[1024], qp[LOG_QUOTE_MAX];
	struct passwd pw, *found = NULL;
	struct stat sb;

	if ((fd >= 0 ? fstat(fd, &sb) : lstat(path, &sb)) < 0) {
		log_warn_errno("event=owner_unknown path=%s",
			       log_quote(qp, sizeof(qp), path));
		return -1;
	}
	if (getpwuid_r(sb.st_uid, &pw, buf, sizeof(buf), &found) != 0 ||
	    found == NULL ||
	    strlcpy_ok(job->by, pw.pw_name, sizeof(job->by)) < 0)
		snprintf(job->by, sizeof(job->by), "uid%u",
			 (unsigned)sb.st_uid);
	return 0;
}

/* same_file - fd is the file at path (same device and inode) */
static int same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/*
 * claim - durable claim: tracking row first, then the rename into work/.
 * 0 claimed (job->fd open), 1 skip this file for now, -1 stop this drop
 * for now (no room, database busy).
 */
static int claim(struct daemon *d, struct file_job *job, const char *dir,
		 const struct candidate *c)
{
	char from[SPOOL_PATH_MAX], to[SPOOL_PATH_MAX], qn[LOG_QUOTE_MAX];
	char qb[LOG_QUOTE_MAX];
	int fd = -1, rc;

	if (spool_path(from, sizeof(from), "%s/%s", dir, c->name) < 0)
		return 1;
	if (!scan_room_for(d, job->employer, c->name, c->size))
		return -1;
	if (c->special)
		log_warn("event=file_not_regular path=%s action=quarantine",
			 log_quote(qn, sizeof(qn), from));
	else if ((fd = open_candidate(d, from, c)) < 0)
		return 1;
	if (job->admin && owner_of(job, fd, from) < 0) {
		if (fd >= 0)
			close(fd);
		return 1;
	}
	snprintf(job->name, sizeof(job->name), "%s", c->name);
	rc = job->admin ? store_file_claim_by(d->store, job->employer, c->name,
					      c->size, job->by, job->id) :
	     store_file_claim(d->store, job->employer, c->name, c->size,
			      job->validation, job->id);
	if (rc < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (spool_path(to, sizeof(to), "%s/.affild/work/%s",
		       d->cfg->spool.dir, job->id) < 0 ||
	    ((rc = spool_take(from, to)) != 0 && access(to, F_OK) != 0)) {
		if (rc > 0)	/* another daemon's claim came first */
			log_info("event=claim_lost employer=%s name=%s",
				 job->employer, log_quote(qn, sizeof(qn),
							  c->name));
		(void)store_file_forget(d->store, job->id);
		store_file_disown(d->store, job->id);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Renamed but a folder's fsync failed (logged): the file is in work/
	 * with its row, claimed; forgetting the row would orphan it. */
	if (fd >= 0 && !same_file(fd, to)) {
		/* A shared spool: another daemon took the file we opened and
		 * a new upload took its name before our rename.  What is in
		 * work/ is claimed and ours; the next resume reads it. */
		log_warn("event=claim_replaced id=%s name=%s action=resume",
			 job->id, log_quote(qn, sizeof(qn), c->name));
		close(fd);
		return -1;
	}
	job->fd = fd;
	spool_ready_forget(d->ready, from);
	drop_marker(from, c->marker);
	log_info("event=file_claimed id=%s employer=%s name=%s size=%lld%s%s%s",
		 job->id, job->employer, log_quote(qn, sizeof(qn), c->name),
		 c->size, job->validation ? " validation=1" : "",
		 job->admin ? " by=" : "",
		 job->admin ? log_quote(qb, sizeof(qb), job->by) : "");
	return 0;
}

/* scan_let_go - see scan.h */
void scan_let_go(struct daemon *d, const char *id)
{
	char path[SPOOL_PATH_MAX];

	if (spool_path(path, sizeof(path), "%s/.affild/work/%s",
		       d->cfg->spool.dir, id) == 0 && access(path, F_OK) != 0)
		store_file_disown(d->store, id);
}

/* serve_one - claim and process the next file of one drop; 1 if done */
static int serve_one(struct daemon *d, const char *drop,
		     const struct cfg_employer *emp)
{
	struct file_job job;
	struct candidate c;
	struct scan_queue *q;
	char dir[SPOOL_PATH_MAX];
	int v, rc, settle = emp ? emp->settle_ms : d->cfg->spool.settle_ms;
	int admin = strcmp(drop, SPOOL_ADMIN) == 0;

	for (v = 0; v < 2 - admin; v++) {
		memset(&job, 0, sizeof(job));
		job.fd = -1;
		job.emp = emp;
		job.validation = v;
		job.admin = admin;
		snprintf(job.employer, sizeof(job.employer), "%s", drop);
		if (in_dir(d, drop, v, dir, sizeof(dir)) < 0)
			continue;
		q = queue_for(d, dir);
		if (!next_ready(d, q, emp, settle, &c))
			continue;
		rc = claim(d, &job, dir, &c);
		if (rc < 0)
			return 0;
		q->next++;
		if (rc > 0)
			continue;
		if (pipeline_run(d, &job) != PIPE_OK)
			log_warn("event=file_tempfail id=%s action=retry_later",
				 job.id);
		scan_let_go(d, job.id);
		return 1;
	}
	return 0;
}

/* scan_serve - one round: one file per drop, starting where we left */
int scan_serve(struct daemon *d)
{
	const struct cfg_employer *emp;
	size_t n = drop_count(d);
	const char *drop;
	size_t i, k;
	int any = 0;

	for (k = 0; k < n && !d->stopping; k++) {
		i = (d->turn + k) % n;
		drop = drop_name(d, i, &emp);
		any |= serve_one(d, drop, emp);
		if (signals_poll(d))
			break;
	}
	d->turn = n ? (d->turn + 1) % n : 0;
	return any;
}

/* resume_one - a work/ entry left by a previous run, or by another
 * daemon that died (PostgreSQL); one a live daemon owns is its own */
static int resume_one(struct daemon *d, const char *id)
{
	struct file_job job;
	struct file_rec f;
	int rc = store_file_own(d->store, id);

	if (rc <= 0)
		return rc;
	rc = store_file_get(d->store, id, &f);
	if (rc != 1) {
		if (rc == 0)
			log_err("event=work_orphan id=%s hint=\"no tracking row; "
				"left in work/ for an admin\"", id);
		return -1;
	}
	memset(&job, 0, sizeof(job));
	job.fd = -1;
	snprintf(job.id, sizeof(job.id), "%s", f.id);
	snprintf(job.employer, sizeof(job.employer), "%s", f.employer);
	snprintf(job.name, sizeof(job.name), "%s", f.name);
	job.validation = f.validation;
	job.emp = cfg_employer(d->cfg, f.employer);
	job.admin = strcmp(f.employer, SPOOL_ADMIN) == 0;
	if (job.admin)		/* who wrote it, as read at its claim */
		snprintf(job.by, sizeof(job.by), "%s", f.submitted_by ?
			 f.submitted_by : "inconnu");
	if (job.emp == NULL && strcmp(f.employer, SPOOL_PORTAL) != 0 &&
	    !job.admin) {
		log_err("event=resume_unknown_employer id=%s employer=%s", id,
			f.employer);
		rc = -1;
	} else if (strcmp(f.state, "claimed") == 0) {
		log_info("event=file_resumed id=%s action=process", id);
		rc = pipeline_run(d, &job) == PIPE_OK ? 0 : -1;
	} else {
		log_info("event=file_resumed id=%s action=finish_moves", id);
		rc = pipeline_finish_moves(d, &job,
					   pipeline_rest_of(f.state));
		once_note(d, id);
	}
	file_rec_free(&f);
	scan_let_go(d, id);
	return rc;
}

/* forget_unclaimed - claims whose rename into work/ never happened */
static int forget_unclaimed(const struct file_rec *f, void *arg)
{
	struct daemon *d = arg;
	char path[SPOOL_PATH_MAX], qn[LOG_QUOTE_MAX];

	if (spool_path(path, sizeof(path), "%s/.affild/work/%s",
		       d->cfg->spool.dir, f->id) == 0 && access(path, F_OK) != 0 &&
	    store_file_own(d->store, f->id) == 1) {
		log_info("event=claim_forgotten id=%s name=%s", f->id,
			 log_quote(qn, sizeof(qn), f->name));
		(void)store_file_forget(d->store, f->id);
		/* a reprocess copy cut short by a crash */
		if (spool_path(path, sizeof(path), "%s/.affild/work/%s.copy",
			       d->cfg->spool.dir, f->id) == 0)
			(void)unlink(path);
		store_file_disown(d->store, f->id);
	}
	return 0;
}

/* scan_resume - finish what a crash interrupted, oldest first */
int scan_resume(struct daemon *d)
{
	char dir[SPOOL_PATH_MAX];
	struct dirent **list = NULL;
	int i, n, rc = 0;

	if (store_files_each(d->store, NULL, "claimed", forget_unclaimed, d) < 0)
		return -1;
	if (spool_path(dir, sizeof(dir), "%s/.affild/work", d->cfg->spool.dir) < 0)
		return -1;
	n = scandir(dir, &list, NULL, alphasort);
	if (n < 0) {
		log_err_errno("event=scandir_failed dir=%s", dir);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = list[i]->d_name;

		if (name[0] != '.' && strchr(name, '.') == NULL &&
		    !d->stopping && resume_one(d, name) < 0)
			rc = -1;
		free(list[i]);
	}
	free(list);
	return rc;
}
