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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/log.h"
#include "common/util.h"
#include "spool/spool.h"

struct entry {
	struct entry *next;	/* same bucket */
	char *path;
	long long size;
	struct timespec mtime, ctime;
	long long stable_since_ms;
	long long seen_ms;	/* last looked at: spool_ready_sweep() */
	int moved;		/* arrived by rename */
	int refused;		/* not a regular file: logged */
	int unreadable;		/* open() refused: logged, counted */
};

/*
 * Entries by path in a chained hash table: a drop of thousands of files is
 * looked at once per claim, so a lookup must not be a walk of all of them.
 */
struct spool_ready {
	struct entry **bucket;
	size_t nbuckets, n;
};

#define READY_BUCKETS0 256

struct spool_ready *spool_ready_new(void)
{
	struct spool_ready *r = xcalloc(1, sizeof(*r));

	r->nbuckets = READY_BUCKETS0;
	r->bucket = xcalloc(r->nbuckets, sizeof(*r->bucket));
	return r;
}

void spool_ready_free(struct spool_ready *r)
{
	struct entry *e, *next;
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nbuckets; i++)
		for (e = r->bucket[i]; e; e = next) {
			next = e->next;
			free(e->path);
			free(e);
		}
	free(r->bucket);
	free(r);
}

/* hash - the path's bucket key */
static size_t hash(const char *s)
{
	return (size_t)fnv1a64(s);
}

/* grow - twice the buckets once the table is full */
static void grow(struct spool_ready *r)
{
	size_t nb = r->nbuckets * 2, i, k;
	struct entry **b = xcalloc(nb, sizeof(*b));
	struct entry *e, *next;

	for (i = 0; i < r->nbuckets; i++)
		for (e = r->bucket[i]; e; e = next) {
			next = e->next;
			k = hash(e->path) % nb;
			e->next = b[k];
			b[k] = e;
		}
	free(r->bucket);
	r->bucket = b;
	r->nbuckets = nb;
}

/* find - the entry for path, created when asked */
static struct entry *find(struct spool_ready *r, const char *path, int create)
{
	struct entry *e;
	size_t k = hash(path) % r->nbuckets;

	for (e = r->bucket[k]; e; e = e->next)
		if (strcmp(e->path, path) == 0)
			return e;
	if (!create)
		return NULL;
	if (r->n >= r->nbuckets) {
		grow(r);
		k = hash(path) % r->nbuckets;
	}
	e = xcalloc(1, sizeof(*e));
	e->path = xstrdup(path);
	e->stable_since_ms = -1;
	e->next = r->bucket[k];
	r->bucket[k] = e;
	r->n++;
	return e;
}

void spool_ready_moved(struct spool_ready *r, const char *path)
{
	find(r, path, 1)->moved = 1;
}

void spool_ready_forget(struct spool_ready *r, const char *path)
{
	struct entry **pp = &r->bucket[hash(path) % r->nbuckets], *e;

	for (; (e = *pp) != NULL; pp = &e->next)
		if (strcmp(e->path, path) == 0) {
			*pp = e->next;
			free(e->path);
			free(e);
			r->n--;
			return;
		}
}

static int same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* spool_ready_check - 1 ready, 0 not yet, -1 never (see spool.h) */
int spool_ready_check(struct spool_ready *r, const char *path, int settle_ms,
		      long long now_ms)
{
	char qp[LOG_QUOTE_MAX];
	struct entry *e;
	struct stat sb;

	if (lstat(path, &sb) < 0) {
		spool_ready_forget(r, path);
		return -1;
	}
	e = find(r, path, 1);
	e->seen_ms = now_ms;
	if (!S_ISREG(sb.st_mode)) {
		if (!e->refused)
			log_warn("event=not_regular_file path=%s action=ignored",
				 log_quote(qp, sizeof(qp), path));
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

/*
 * spool_ready_sweep - forget entries not looked at since before
 * now_ms - max_age_ms: a file deleted from a drop before it was ready is
 * never listed again, so nothing else would forget it.  Entries made from
 * events (rename) or trigger checks carry seen_ms 0 until looked at, and a
 * folder is looked at every tick: a max age of minutes loses nothing.
 */
void spool_ready_sweep(struct spool_ready *r, long long now_ms,
		       long long max_age_ms)
{
	struct entry **pp, *e;
	size_t i;

	for (i = 0; i < r->nbuckets; i++)
		for (pp = &r->bucket[i]; (e = *pp) != NULL;) {
			if (e->seen_ms == 0)
				e->seen_ms = now_ms;
			if (now_ms - e->seen_ms <= max_age_ms) {
				pp = &e->next;
				continue;
			}
			*pp = e->next;
			free(e->path);
			free(e);
			r->n--;
		}
}

/* spool_ready_unreadable - 1 the first time path is found unreadable */
int spool_ready_unreadable(struct spool_ready *r, const char *path)
{
	struct entry *e = find(r, path, 1);

	if (e->unreadable)
		return 0;
	e->unreadable = 1;
	return 1;
}

/* spool_ready_unreadable_count - files in the drops affild cannot open */
size_t spool_ready_unreadable_count(const struct spool_ready *r)
{
	const struct entry *e;
	size_t i, n = 0;

	for (i = 0; r && i < r->nbuckets; i++)
		for (e = r->bucket[i]; e; e = e->next)
			n += e->unreadable != 0;
	return n;
}

/* spool_ready_waiting - see spool.h */
size_t spool_ready_waiting(const struct spool_ready *r)
{
	const struct entry *e;
	size_t i, n = 0;

	for (i = 0; r && i < r->nbuckets; i++)
		for (e = r->bucket[i]; e; e = e->next)
			n += !e->moved && !e->refused && !e->unreadable;
	return n;
}

/* Trigger mode: NAME.ok or NAME.done marks NAME ready. */
static const char *const marker_suffixes[] = { ".ok", ".done" };

/* spool_trigger_marker - 1 when name is a marker (NAME.ok, NAME.done) */
int spool_trigger_marker(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(marker_suffixes); i++)
		if (str_has_suffix(name, marker_suffixes[i]) &&
		    strlen(name) > strlen(marker_suffixes[i]))
			return 1;
	return 0;
}

/* newer_or_same - a's mtime is not older than b's */
static int newer_or_same(const struct stat *a, const struct stat *b)
{
	if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
		return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
	return a->st_mtim.tv_nsec >= b->st_mtim.tv_nsec;
}

/*
 * spool_ready_trigger - is path marked ready?  A marker counts only when
 * it is a regular file written after the data (mtime not older than the
 * file's): a marker left behind by a crash between the claim and its
 * removal must not mark next month's upload, still being written under the
 * same name, as ready.  1 ready (suffix set), 0 not yet, -1 never.
 */
int spool_ready_trigger(struct spool_ready *r, const char *path,
			const char **suffix)
{
	char marker[SPOOL_PATH_MAX], qp[LOG_QUOTE_MAX];
	struct stat sb, mb;
	struct entry *e;
	size_t i;

	if (lstat(path, &sb) < 0) {
		spool_ready_forget(r, path);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		e = find(r, path, 1);
		if (!e->refused)
			log_warn("event=not_regular_file path=%s action=ignored",
				 log_quote(qp, sizeof(qp), path));
		e->refused = 1;
		return -1;
	}
	for (i = 0; i < NELEM(marker_suffixes); i++) {
		if (snprintf(marker, sizeof(marker), "%s%s", path,
			     marker_suffixes[i]) >= (int)sizeof(marker))
			return -1;
		if (lstat(marker, &mb) == 0 && S_ISREG(mb.st_mode) &&
		    newer_or_same(&mb, &sb)) {
			*suffix = marker_suffixes[i];
			return 1;
		}
	}
	return 0;
}

/*
 * spool_ready_marker - a marker seen in a drop: when its file is not
 * there, say so once and leave it (an admin or the next upload decides).
 */
void spool_ready_marker(struct spool_ready *r, const char *marker_path)
{
	char data[SPOOL_PATH_MAX], qm[LOG_QUOTE_MAX];
	const char *dot = strrchr(marker_path, '.');
	struct entry *e;
	struct stat sb;

	if (dot == NULL || (size_t)(dot - marker_path) >= sizeof(data))
		return;
	snprintf(data, sizeof(data), "%.*s", (int)(dot - marker_path),
		 marker_path);
	if (lstat(data, &sb) == 0) {
		spool_ready_forget(r, marker_path);
		return;
	}
	e = find(r, marker_path, 1);
	if (!e->refused)
		log_warn("event=trigger_without_file marker=%s action=left",
			 log_quote(qm, sizeof(qm), marker_path));
	e->refused = 1;
}
