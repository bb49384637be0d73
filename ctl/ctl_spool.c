/*
 * ctl_spool - an employer's drop as `affilctl employers` and `status` see
 * it: are its folders there, folders, and (with spool.sftp_chroot, where
 * SFTP accounts write through a group) of the layout's modes and group
 * (spool/spool_layout.c); how many files wait in in/ and in/validation/.
 * The portal's drop (numero NULL) has the same folders, in the daemon's
 * group.  Read only: `affild --prepare-spool` is what repairs a drop.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/util.h"
#include "ctl/ctl.h"
#include "spool/spool.h"

/* The folders of a drop, below <spool>/<numero>/, and their modes. */
static const struct {
	const char *sub;
	mode_t mode;
	int group;		/* owned by the drop's group */
} drop_dirs[] = {
	{ "", 0755, 0 },
	{ "in", 02770, 1 },
	{ "in/validation", 02770, 1 },
	{ "out", 02750, 1 },
	{ "out/validation", 02750, 1 },
};

/* waiting - regular files of dir that affild would take (no temporary
 * names); -1 when dir cannot be read */
static long waiting(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	struct stat sb;
	long n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (!spool_temp_name(e->d_name) &&
		    fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(sb.st_mode))
			n++;
	closedir(d);
	return n;
}

/* look_dir - the first problem of one folder into d->health; 1 found */
static int look_dir(const struct cfg *cfg, const char *path, const char *sub,
		    int i, gid_t gid, int has_gid, struct ctl_drop *d)
{
	const char *name = *sub ? sub : "the drop";
	struct stat sb;

	if (lstat(path, &sb) < 0) {
		snprintf(d->health, sizeof(d->health), "%s: %s", name,
			 errno == ENOENT ? "missing" : strerror(errno));
		return 1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(d->health, sizeof(d->health), "%s: not a folder", name);
		return 1;
	}
	if (!cfg->spool.sftp_chroot)
		return 0;
	if ((sb.st_mode & 07777) != drop_dirs[i].mode) {
		snprintf(d->health, sizeof(d->health), "%s: mode %04o, "
			 "expected %04o", name, (unsigned)(sb.st_mode & 07777),
			 (unsigned)drop_dirs[i].mode);
		return 1;
	}
	if (drop_dirs[i].group && has_gid && sb.st_gid != gid) {
		snprintf(d->health, sizeof(d->health), "%s: group %u, expected "
			 "%u", name, (unsigned)sb.st_gid, (unsigned)gid);
		return 1;
	}
	return 0;
}

int ctl_drop_look(const struct cfg *cfg, const char *numero,
		  struct ctl_drop *d)
{
	const struct cfg_employer *emp = numero ? cfg_employer(cfg, numero) :
					 NULL;
	char path[SPOOL_PATH_MAX];
	struct group *gr = NULL;
	size_t i;
	long n;

	snprintf(d->health, sizeof(d->health), "ok");
	d->queued = 0;
	if (cfg->spool.sftp_chroot && emp && emp->sftp_group &&
	    (gr = getgrnam(emp->sftp_group)) == NULL)
		snprintf(d->health, sizeof(d->health), "group %s missing",
			 emp->sftp_group);
	for (i = 0; i < NELEM(drop_dirs); i++) {
		if (spool_path(path, sizeof(path), "%s/%s%s%s", cfg->spool.dir,
			       numero ? numero : SPOOL_PORTAL,
			       *drop_dirs[i].sub ? "/" : "",
			       drop_dirs[i].sub) < 0)
			return -1;
		if (strcmp(d->health, "ok") == 0)
			(void)look_dir(cfg, path, drop_dirs[i].sub, (int)i,
				       gr ? gr->gr_gid : 0, gr != NULL, d);
		if (strncmp(drop_dirs[i].sub, "in", 2) == 0 &&
		    (n = waiting(path)) > 0)
			d->queued += n;
	}
	return 0;
}
