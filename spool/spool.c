/*
 * spool - folder layout, durable moves, free-space guard.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "spool/spool.h"

int spool_path(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outlen) {
		log_err("event=path_too_long path=\"%.80s...\"", out);
		return -1;
	}
	return 0;
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
	int rc = 0;

	if (fd < 0) {
		log_err_errno("event=fsync_dir_open dir=%s", dir);
		return -1;
	}
	if (fsync(fd) < 0) {
		log_err_errno("event=fsync_dir dir=%s", dir);
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
int spool_move(const char *from, const char *to)
{
	char d1[SPOOL_PATH_MAX], d2[SPOOL_PATH_MAX];

	if (rename(from, to) < 0) {
		log_err_errno("event=rename_failed from=%s to=%s", from, to);
		return -1;
	}
	dir_of(from, d1, sizeof(d1));
	dir_of(to, d2, sizeof(d2));
	if (spool_fsync_dir(d2) < 0)
		return -1;
	return strcmp(d1, d2) == 0 ? 0 : spool_fsync_dir(d1);
}

int spool_free_ok(const char *dir, long long size, long long factor)
{
	struct statvfs vfs;

	if (statvfs(dir, &vfs) < 0) {
		log_warn_errno("event=statvfs_failed dir=%s", dir);
		return 1;
	}
	return (long long)vfs.f_bavail * (long long)vfs.f_frsize >=
	       size * factor;
}

/* make_dir - create dir with mode if missing; fix the mode if wrong */
static int make_dir(const char *dir, mode_t mode, int verbose)
{
	struct stat sb;

	if (mkdir(dir, mode) == 0) {
		if (chmod(dir, mode) < 0) {	/* umask may have masked it */
			log_err_errno("event=chmod_failed dir=%s", dir);
			return -1;
		}
		if (verbose)
			printf("created %s (%04o)\n", dir, (unsigned)mode);
		return 0;
	}
	if (errno != EEXIST || stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		log_err_errno("event=mkdir_failed dir=%s", dir);
		return -1;
	}
	if ((sb.st_mode & 07777) != mode) {
		if (chmod(dir, mode) < 0) {
			log_err_errno("event=chmod_failed dir=%s", dir);
			return -1;
		}
		if (verbose)
			printf("fixed mode of %s: %04o -> %04o\n", dir,
			       (unsigned)(sb.st_mode & 07777), (unsigned)mode);
	}
	return 0;
}

/* Folders under the spool, per employer ("%s" is the numero). */
static const struct {
	const char *fmt;
	mode_t mode;
} employer_dirs[] = {
	{ "%s/%s", 0755 },
	{ "%s/%s/in", 02770 },
	{ "%s/%s/in/validation", 02770 },
	{ "%s/%s/out", 02750 },
	{ "%s/%s/out/validation", 02750 },
};

static int prepare_employer(const struct cfg *cfg, const char *numero,
			    int verbose)
{
	char path[SPOOL_PATH_MAX];
	size_t i;

	for (i = 0; i < NELEM(employer_dirs); i++)
		if (spool_path(path, sizeof(path), employer_dirs[i].fmt,
			       cfg->spool.dir, numero) < 0 ||
		    make_dir(path, employer_dirs[i].mode, verbose) < 0)
			return -1;
	return 0;
}

/* spool_prepare - the whole layout, for --prepare-spool and start-up */
int spool_prepare(const struct cfg *cfg, int verbose)
{
	static const char *const own[] = {
		"%s/.affild", "%s/.affild/work", "%s/.affild/archive",
		"%s/.affild/quarantine",
	};
	char path[SPOOL_PATH_MAX];
	size_t i;

	if (make_dir(cfg->spool.dir, 0755, verbose) < 0)
		return -1;
	for (i = 0; i < NELEM(own); i++)
		if (spool_path(path, sizeof(path), own[i], cfg->spool.dir) < 0 ||
		    make_dir(path, 0700, verbose) < 0)
			return -1;
	for (i = 0; i < cfg->nemployers; i++)
		if (prepare_employer(cfg, cfg->employers[i].numero, verbose) < 0)
			return -1;
	if (cfg->portal.enabled &&
	    prepare_employer(cfg, SPOOL_PORTAL, verbose) < 0)
		return -1;
	return 0;
}

/* spool_check - every folder the daemon needs exists and is a folder */
int spool_check(const struct cfg *cfg)
{
	char path[SPOOL_PATH_MAX];
	struct stat sb;
	size_t i, j;
	int bad = 0;

	for (i = 0; i < cfg->nemployers; i++)
		for (j = 1; j < NELEM(employer_dirs); j++) {
			if (spool_path(path, sizeof(path), employer_dirs[j].fmt,
				       cfg->spool.dir,
				       cfg->employers[i].numero) < 0)
				return -1;
			if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
				log_err("event=spool_missing dir=%s hint=\"run "
					"affild --prepare-spool\"", path);
				bad++;
			} else if ((sb.st_mode & 07777) != employer_dirs[j].mode) {
				if (cfg->spool.sftp_chroot) {
					log_err("event=spool_mode dir=%s mode=%04o "
						"want=%04o", path,
						(unsigned)(sb.st_mode & 07777),
						(unsigned)employer_dirs[j].mode);
					bad++;
				} else {
					log_warn("event=spool_mode dir=%s mode=%04o "
						 "want=%04o", path,
						 (unsigned)(sb.st_mode & 07777),
						 (unsigned)employer_dirs[j].mode);
				}
			}
		}
	return bad ? -1 : 0;
}
