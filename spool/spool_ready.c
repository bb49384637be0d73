/*
 * spool_ready - "is this file complete?", as its own small module
 * (Postfix's mail_open_ok idea).
 *
 * SFTP has no "upload finished" signal, so events are only hints.  A name
 * that appeared by rename (IN_MOVED_TO) is complete: the uploader finished
 * under a temporary name.  Anything else is complete once its size, mtime
 * and ctime stayed the same for the settle time, measured on the monotonic
 * clock.  Files are looked at with lstat(): symlinks, FIFOs and devices are
 * never candidates, and are logged once.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/util.h"
#include "spool/spool.h"

struct entry {
	char *path;
	long long size;
	struct timespec mtime, ctime;
	long long stable_since_ms;
	int moved;		/* arrived by rename */
	int refused;		/* not a regular file: logged */
};

struct spool_ready {
	struct entry *e;
	size_t n, cap;
};

struct spool_ready *spool_ready_new(void)
{
	return xcalloc(1, sizeof(struct spool_ready));
}

void spool_ready_free(struct spool_ready *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++)
		free(r->e[i].path);
	free(r->e);
	free(r);
}

/* find - the entry for path, created when asked */
static struct entry *find(struct spool_ready *r, const char *path, int create)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->e[i].path, path) == 0)
			return &r->e[i];
	if (!create)
		return NULL;
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->e = xrealloc(r->e, r->cap * sizeof(*r->e));
	}
	memset(&r->e[r->n], 0, sizeof(r->e[r->n]));
	r->e[r->n].path = xstrdup(path);
	r->e[r->n].stable_since_ms = -1;
	return &r->e[r->n++];
}

void spool_ready_moved(struct spool_ready *r, const char *path)
{
	find(r, path, 1)->moved = 1;
}

void spool_ready_forget(struct spool_ready *r, const char *path)
{
	struct entry *e = find(r, path, 0);

	if (e == NULL)
		return;
	free(e->path);
	*e = r->e[--r->n];
}

static int same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* spool_ready_check - 1 ready, 0 not yet, -1 never (see spool.h) */
int spool_ready_check(struct spool_ready *r, const char *path, int settle_ms,
		      long long now_ms)
{
	struct entry *e;
	struct stat sb;

	if (lstat(path, &sb) < 0) {
		spool_ready_forget(r, path);
		return -1;
	}
	e = find(r, path, 1);
	if (!S_ISREG(sb.st_mode)) {
		if (!e->refused)
			log_warn("event=not_regular_file path=%s action=ignored",
				 path);
		e->refused = 1;
		return -1;
	}
	if (e->moved)
		return 1;
	if (e->stable_since_ms < 0 || e->size != (long long)sb.st_size ||
	    !same_time(e->mtime, sb.st_mtim) ||
	    !same_time(e->ctime, sb.st_ctim)) {
		e->size = (long long)sb.st_size;
		e->mtime = sb.st_mtim;
		e->ctime = sb.st_ctim;
		e->stable_since_ms = now_ms;
		return settle_ms <= 0;
	}
	return now_ms - e->stable_since_ms >= settle_ms;
}
