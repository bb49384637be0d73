/*
 * lock - the instance locks (lock.h).
 *
 * flock(2), not fcntl(2): an flock belongs to the open file description,
 * so no close() elsewhere in the process can drop it by accident (POSIX
 * record locks are dropped by closing any descriptor of the file, which is
 * why SQLite's own locks are no use here), and it is released when the
 * process dies, SIGKILL included.  The lock files are separate from the
 * database: on a network file system flock may be emulated with record
 * locks, which must never meet SQLite's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/lock.h"

/* holder - the pid written in the lock file by its holder, or 0 */
static long holder(int fd)
{
	char buf[24];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid = 0;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (parse_long(buf, 1, 0x7fffffffL, &pid) < 0)
		return 0;
	return pid;
}

/* say_pid - our pid in the lock file, for whoever is refused next */
static void say_pid(int fd, const char *path)
{
	char buf[24], qp[LOG_QUOTE_MAX];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n)
		log_warn_errno("event=lock_pid_unwritten path=%s",
			       log_quote(qp, sizeof(qp), path));
}

/* take_one - open path and lock it (shared: with other daemons of one
 * PostgreSQL database); *fd set on LOCK_OK */
static enum lock_rc take_one(const char *path, int shared, int *fd)
{
	char qp[LOG_QUOTE_MAX];
	int f = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);

	if (f < 0) {
		log_err_errno("event=lock_open_failed path=%s",
			      log_quote(qp, sizeof(qp), path));
		return LOCK_ERROR;
	}
	if (flock(f, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0) {
		int held = errno == EWOULDBLOCK;

		if (held)
			log_err("event=already_running lock=%s pid=%ld "
				"hint=\"another affild (the service or an "
				"--once run) uses this spool or database; "
				"wait for it or stop it first\"",
				log_quote(qp, sizeof(qp), path), holder(f));
		else
			log_err_errno("event=lock_failed path=%s",
				      log_quote(qp, sizeof(qp), path));
		close(f);
		return held ? LOCK_HELD : LOCK_ERROR;
	}
	if (!shared)
		say_pid(f, path);
	*fd = f;
	return LOCK_OK;
}

/*
 * lock_take - the spool's lock, then the database's.  With PostgreSQL,
 * the daemons of one database share a spool (each file is owned by one of
 * them: store_file_own), so the spool's lock is shared; a daemon with its
 * own SQLite file still takes it alone.  The database's lock is this
 * node's own files (database.path), never shared.
 */
enum lock_rc lock_take(struct daemon *d)
{
	char spool[SPOOL_PATH_MAX], db[SPOOL_PATH_MAX];
	enum lock_rc rc;

	if (spool_path(spool, sizeof(spool), "%s/.affild/lock",
		       d->cfg->spool.dir) < 0 ||
	    spool_path(db, sizeof(db), "%s-lock", d->cfg->db.path) < 0) {
		log_err("event=lock_path_too_long");
		return LOCK_ERROR;
	}
	rc = take_one(spool, d->cfg->db.url != NULL, &d->lock_fds[0]);
	if (rc == LOCK_OK && (rc = take_one(db, 0, &d->lock_fds[1])) != LOCK_OK)
		lock_release(d);
	return rc;
}

void lock_release(struct daemon *d)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		if (d->lock_fds[i] >= 0)
			close(d->lock_fds[i]);
		d->lock_fds[i] = -1;
	}
}
