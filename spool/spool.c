/*
 * spool - durable moves and the free-space guard.  The folders themselves,
 * their owners and modes, are spool_layout.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/log.h"
#include "common/utf8.h"
#include "common/util.h"
#include "spool/spool.h"

int spool_path(char *out, size_t outlen, const char *fmt, ...)
{
	char qp[96];		/* enough to tell which path */
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outlen) {
		log_err("event=path_too_long path=%s",
			log_quote(qp, sizeof(qp), out));
		return -1;
	}
	return 0;
}

int spool_drop_dir(const char *spool, const char *drop, char *out,
		   size_t outlen)
{
	if (strcmp(drop, SPOOL_ADMIN) == 0)
		return spool_path(out, outlen, "%s/.affild/admin", spool);
	return spool_path(out, outlen, "%s/%s", spool, drop);
}

int spool_temp_name(const char *name)
{
	return name[0] == '.' || str_has_suffix(name, ".part") ||
	       str_has_suffix(name, ".filepart") ||
	       str_has_suffix(name, ".tmp") || str_has_suffix(name, "~");
}

int spool_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char qd[LOG_QUOTE_MAX];
	int rc = 0;

	if (fd < 0) {
		log_err_errno("event=fsync_dir_open dir=%s",
			      log_quote(qd, sizeof(qd), dir));
		return -1;
	}
	if (fsync(fd) < 0) {
		log_err_errno("event=fsync_dir dir=%s",
			      log_quote(qd, sizeof(qd), dir));
		rc = -1;
	}
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* dir_of - the folder part of path, into out */
static void dir_of(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(out, outlen, ".");
	else
		snprintf(out, outlen, "%.*s", (int)(slash - path), path);
}

/* spool_move - atomic rename, made durable in both folders */
static int move(const char *from, const char *to, int gone_ok)
{
	char d1[SPOOL_PATH_MAX], d2[SPOOL_PATH_MAX];
	char qf[LOG_QUOTE_MAX], qt[LOG_QUOTE_MAX];

	if (rename(from, to) < 0) {
		if (gone_ok && errno == ENOENT && access(from, F_OK) != 0)
			return 1;
		log_err_errno("event=rename_failed from=%s to=%s",
			      log_quote(qf, sizeof(qf), from),
			      log_quote(qt, sizeof(qt), to));
		return -1;
	}
	dir_of(from, d1, sizeof(d1));
	dir_of(to, d2, sizeof(d2));
	if (spool_fsync_dir(d2) < 0)
		return -1;
	return strcmp(d1, d2) == 0 ? 0 : spool_fsync_dir(d1);
}

int spool_move(const char *from, const char *to)
{
	return move(from, to, 0);
}

/* spool_take - see spool.h */
int spool_take(const char *from, const char *to)
{
	return move(from, to, 1);
}

/*
 * spool_free_ok - free >= factor * size, without overflow: the factor may
 * be huge on purpose.  A failing statvfs() does not stop claiming (the
 * write itself will fail and roll back), it is logged.
 */
int spool_free_ok(const char *dir, long long size, long long factor,
		  long long *free_bytes)
{
	struct statvfs vfs;
	char qd[LOG_QUOTE_MAX];
	long long avail;

	if (statvfs(dir, &vfs) < 0) {
		log_warn_errno("event=statvfs_failed dir=%s",
			       log_quote(qd, sizeof(qd), dir));
		return 1;
	}
	avail = (long long)vfs.f_bavail * (long long)vfs.f_frsize;
	if (free_bytes)
		*free_bytes = avail;
	if (size <= 0)
		return 1;
	return avail / size >= factor;
}

/* spool_name_fit - see spool.h */
int spool_name_fit(const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name), max = outlen - 1;

	if (max > SPOOL_NAME_MAX)
		max = SPOOL_NAME_MAX;
	if (n <= max) {
		memcpy(out, name, n + 1);
		return 0;
	}
	n = utf8_cut(name, n, max);
	memcpy(out, name, n);
	out[n] = '\0';
	return 1;
}

/* make_one - dir, unless it exists, with exactly mode */
static int make_one(const char *dir, mode_t mode, int verbose)
{
	char q[LOG_QUOTE_MAX];
	struct stat sb;

	if (stat(dir, &sb) == 0)
		return 0;
	if (errno != ENOENT || (mkdir(dir, mode) < 0 && errno != EEXIST) ||
	    chmod(dir, mode) < 0) {
		log_err_errno("event=mkdir_failed dir=%s",
			      log_quote(q, sizeof(q), dir));
		return -1;
	}
	if (verbose)
		printf("created %s (%04o)\n", dir, (unsigned)mode);
	return 0;
}

/* spool_mkdirs - see spool.h */
int spool_mkdirs(const char *path, mode_t mode, int parents_only, int verbose)
{
	char buf[SPOOL_PATH_MAX];
	size_t i, n;
	int rc;

	if ((size_t)snprintf(buf, sizeof(buf), "%s", path) >= sizeof(buf)) {
		log_err("event=path_too_long path=%s",
			log_quote(buf, sizeof(buf), path));
		return -1;
	}
	n = strlen(buf);
	if (parents_only) {		/* cut the last component */
		while (n > 0 && buf[n - 1] != '/')
			n--;
		while (n > 0 && buf[n - 1] == '/')
			n--;
		buf[n] = '\0';
	}
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		rc = make_one(buf, mode, verbose);
		if (i < n)
			buf[i] = '/';
		if (rc < 0)
			return -1;
	}
	return 0;
}
