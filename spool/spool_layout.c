/*
 * spool_layout - the folders of the spool, their owners and modes
 * (spool.md, "Layout"), made by `affild --prepare-spool` and checked by the
 * daemon at start and on reload.
 *
 * OpenSSH's ChrootDirectory wants the chroot and every folder above it
 * owned by root and writable by no one else; internal-sftp then lets the
 * employer's account write in/ through its group.  So:
 *
 *   <spool>/, <spool>/<numero>/    root:root 0755   (the chroot and above)
 *   <numero>/in/, in/validation/   daemon:<sftp_group> 2770
 *   <numero>/out/, out/validation/ daemon:<sftp_group> 2750
 *   <numero>/out/.staging/         daemon:<sftp_group> 2700
 *   portail/in/, portail/out/      daemon:<daemon's group>, same modes
 *   .affild/                       daemon:<admin_group> 0710
 *   .affild/admin/                 daemon:<admin_group> 0710
 *   .affild/admin/in/              daemon:<admin_group> 2770
 *   .affild/admin/out/             daemon:<admin_group> 2750
 *   .affild/admin/out/.staging/    daemon:<admin_group> 2700
 *   .affild/'s other folders       daemon 0700
 *
 * The admin drop (spool.admin_group, affilctl's write verbs) sits inside
 * .affild/, which no employer's chroot reaches: its group may only cross
 * .affild/ (x, no r) to write admin/in/ and read admin/out/; work/,
 * archive/, quarantine/ stay the daemon's alone.  In a development spool
 * (no owners set) the group is given when it exists and may be, so that
 * a test can run affilctl as a member; else the folders keep ours.
 *
 * Run as root, spool_prepare() creates what is missing and repairs owners
 * then modes (chown clears the setgid bit, so chmod comes last), through a
 * descriptor opened with O_NOFOLLOW: in/validation/ lives inside a folder
 * the employer can write, and a symlink planted there must never make root
 * chown /etc.  Groups are never created: a missing one is named.  Run as
 * anyone else, it creates the same folders owned by that user (a
 * development spool).
 *
 * spool_check() states every difference as "path, expected, found".  With
 * spool.sftp_chroot true they are errors (the daemon refuses to start or to
 * reload); with false, where nobody logs in over SFTP, only missing folders
 * are errors and the rest are warnings.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "spool/spool.h"

#define ID_UNSET ((unsigned)-1)

/* What one folder must look like; ID_UNSET: owner or group not checked. */
struct want {
	uid_t uid;
	gid_t gid;
	mode_t mode;
	int group_only;		/* prepare without owners: set the group when
				 * we may (a development admin drop) */
};

struct layout {
	const struct cfg *cfg;
	uid_t uid;		/* the daemon's account */
	gid_t ugid;		/* its primary group */
	int owners;		/* prepare: set owners (root) */
	int verbose;		/* prepare: print what changed */
	int strict;		/* check: differences are errors */
	int bad;		/* errors found */
};

/* Folders of one drop ("%s/%s" is spool, numero). */
static const struct {
	const char *fmt;
	mode_t mode;
	int chroot;		/* root-owned: the employer's chroot */
} drop_dirs[] = {
	{ "%s/%s", 0755, 1 },
	{ "%s/%s/in", 02770, 0 },
	{ "%s/%s/in/validation", 02770, 0 },
	{ "%s/%s/out", 02750, 0 },
	{ "%s/%s/out/validation", 02750, 0 },
	/* affild's alone; setgid: what it writes there has the drop's group */
	{ "%s/%s/out/.staging", 02700, 0 },
};

static const char *const private_dirs[] = {
	"%s/.affild/work", "%s/.affild/archive", "%s/.affild/quarantine",
};

/* The admin drop: .affild/ first, which its group only crosses. */
static const struct {
	const char *fmt;
	mode_t mode;
} admin_dirs[] = {
	{ "%s/.affild", 0710 },
	{ "%s/.affild/admin", 0710 },
	{ "%s/.affild/admin/in", 02770 },
	{ "%s/.affild/admin/out", 02750 },
	/* affild's alone; setgid: its reports get the admins' group */
	{ "%s/.affild/admin/out/.staging", 02700 },
};

/* user_name, group_name - for messages; "uid 1234" when unknown */
static const char *user_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, len, "uid %u", (unsigned)uid);
	return buf;
}

static const char *group_name(gid_t gid, char *buf, size_t len)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		return gr->gr_name;
	snprintf(buf, len, "gid %u", (unsigned)gid);
	return buf;
}

/* describe - "owner=affild group=affild-12345678 mode=2770" */
static void describe(char *out, size_t len, uid_t uid, gid_t gid,
		     mode_t mode)
{
	char ub[32], gb[32];

	snprintf(out, len, "owner=%s group=%s mode=%04o",
		 uid == ID_UNSET ? "any" : user_name(uid, ub, sizeof(ub)),
		 gid == ID_UNSET ? "any" : group_name(gid, gb, sizeof(gb)),
		 (unsigned)mode);
}

/* ---- prepare ---------------------------------------------------------- */

/* fix_dir - owners then modes, on an fd that cannot be a symlink */
static int fix_dir(struct layout *l, const char *dir, const struct want *w)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char qd[LOG_QUOTE_MAX];
	struct stat sb;
	int rc = -1;

	log_quote(qd, sizeof(qd), dir);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		log_err_errno("event=spool_open_failed dir=%s hint=\"a folder, "
			      "not a symlink, is expected here\"", qd);
		goto out;
	}
	if (!l->owners && w->group_only && sb.st_gid != w->gid) {
		/* best effort: a development spool works without it */
		if (fchown(fd, (uid_t)-1, w->gid) < 0)
			log_warn_errno("event=chgrp_failed dir=%s gid=%u", qd,
				       (unsigned)w->gid);
		else if (fstat(fd, &sb) < 0)
			goto out;
	}
	if (l->owners && (sb.st_uid != w->uid || sb.st_gid != w->gid)) {
		if (fchown(fd, w->uid, w->gid) < 0) {
			log_err_errno("event=chown_failed dir=%s", qd);
			goto out;
		}
		if (l->verbose)
			printf("fixed owner of %s: %u:%u -> %u:%u\n", dir,
			       (unsigned)sb.st_uid, (unsigned)sb.st_gid,
			       (unsigned)w->uid, (unsigned)w->gid);
		if (fstat(fd, &sb) < 0)
			goto out;
	}
	if ((sb.st_mode & 07777) != w->mode) {
		if (fchmod(fd, w->mode) < 0) {
			log_err_errno("event=chmod_failed dir=%s", qd);
			goto out;
		}
		if (l->verbose)
			printf("fixed mode of %s: %04o -> %04o\n", dir,
			       (unsigned)(sb.st_mode & 07777),
			       (unsigned)w->mode);
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* make_dir - create dir when missing, then set its owner and mode */
static int make_dir(struct layout *l, const char *dir, const struct want *w)
{
	char qd[LOG_QUOTE_MAX];
	int verbose = l->verbose, rc;

	if (mkdir(dir, 0700) == 0) {
		if (l->verbose)
			printf("created %s (%04o)\n", dir, (unsigned)w->mode);
		l->verbose = 0;		/* "created" said it all */
	} else if (errno != EEXIST) {
		log_err_errno("event=mkdir_failed dir=%s",
			      log_quote(qd, sizeof(qd), dir));
		return -1;
	}
	rc = fix_dir(l, dir, w);
	l->verbose = verbose;
	return rc;
}

/* drop_group - the gid of an employer's sftp_group; -1 when missing */
static int drop_group(const struct cfg_employer *emp, gid_t *gid)
{
	struct group *gr = getgrnam(emp->sftp_group);
	char qg[LOG_QUOTE_MAX], qe[LOG_QUOTE_MAX];

	if (gr == NULL) {
		log_quote(qg, sizeof(qg), emp->sftp_group);
		/* the hint is quoted already: it names only a plain name */
		log_err("event=group_missing group=%s employer=%s hint=\"create "
			"it: groupadd %s (and add the employer's SFTP account "
			"to it)\"", qg, log_quote(qe, sizeof(qe), emp->numero),
			qg[0] == '"' ? "GROUP" : qg);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}

/*
 * admin_group - the gid of spool.admin_group.  Strict (an SFTP chroot):
 * it must exist, -1 after naming it.  Otherwise the group when it exists,
 * else ours (*given 0: not to be set).
 */
static int admin_group(const struct layout *l, int strict, gid_t *gid,
		       int *given)
{
	const char *name = l->cfg->spool.admin_group;
	struct group *gr = name ? getgrnam(name) : NULL;
	char qg[LOG_QUOTE_MAX];

	*gid = l->ugid;
	*given = gr != NULL;
	if (gr) {
		*gid = gr->gr_gid;
		return 0;
	}
	if (!strict)
		return 0;
	log_quote(qg, sizeof(qg), name ? name : "");
	log_err("event=group_missing group=%s key=spool.admin_group "
		"hint=\"create it: groupadd --system %s (systemd-sysusers "
		"does, from affild.sysusers), and add the admins to it\"", qg,
		qg[0] == '"' ? "GROUP" : qg);
	return -1;
}

/* prepare_admin - .affild/ and the admin drop in it */
static int prepare_admin(struct layout *l)
{
	char path[SPOOL_PATH_MAX];
	struct want w;
	size_t i;
	int given;

	if (admin_group(l, l->owners, &w.gid, &given) < 0)
		return -1;
	w.uid = l->uid;
	w.group_only = given;
	for (i = 0; i < NELEM(admin_dirs); i++) {
		w.mode = admin_dirs[i].mode;
		if (spool_path(path, sizeof(path), admin_dirs[i].fmt,
			       l->cfg->spool.dir) < 0 ||
		    make_dir(l, path, &w) < 0)
			return -1;
	}
	return 0;
}

/* prepare_drop - one employer's (or the portal's) folders */
static int prepare_drop(struct layout *l, const char *numero, gid_t gid)
{
	char path[SPOOL_PATH_MAX];
	struct want w;
	size_t i;

	w.group_only = 0;
	for (i = 0; i < NELEM(drop_dirs); i++) {
		w.uid = drop_dirs[i].chroot ? 0 : l->uid;
		w.gid = drop_dirs[i].chroot ? 0 : gid;
		w.mode = drop_dirs[i].mode;
		if (spool_path(path, sizeof(path), drop_dirs[i].fmt,
			       l->cfg->spool.dir, numero) < 0 ||
		    make_dir(l, path, &w) < 0)
			return -1;
	}
	return 0;
}

/* daemon_account - uid and group of spool.user (root) or of ourselves */
static int daemon_account(struct layout *l, int owners)
{
	char qu[LOG_QUOTE_MAX];
	struct passwd *pw;

	if (!owners) {
		l->uid = geteuid();
		l->ugid = getegid();
		return 0;
	}
	pw = getpwnam(l->cfg->spool.user);
	if (pw == NULL) {
		log_err("event=user_missing user=%s key=spool.user hint=\"create "
			"it: useradd --system --home-dir /var/lib/affild "
			"--shell /usr/sbin/nologin %s\"",
			log_quote(qu, sizeof(qu), l->cfg->spool.user),
			qu[0] == '"' ? "USER" : qu);
		return -1;
	}
	l->uid = pw->pw_uid;
	l->ugid = pw->pw_gid;
	return 0;
}

/*
 * spool_prepare - create and repair the whole layout.  owners: set owners
 * too (root only).  Every employer is done even when one fails, so a single
 * run names every missing group.
 */
int spool_prepare(const struct cfg *cfg, int owners, int verbose)
{
	struct layout l = { .cfg = cfg, .owners = owners, .verbose = verbose };
	struct want w = { 0, 0, 0755, 0 };
	char path[SPOOL_PATH_MAX];
	size_t i;
	gid_t gid;

	/* Missing parents: root's, 0755, as an SFTP chroot's path must be. */
	if (daemon_account(&l, owners) < 0 ||
	    spool_mkdirs(cfg->spool.dir, 0755, 1, verbose) < 0 ||
	    make_dir(&l, cfg->spool.dir, &w) < 0)
		return -1;
	/* .affild/ first (the admin drop's), whatever its group's fate */
	if (prepare_admin(&l) < 0) {
		l.bad++;
		if (spool_path(path, sizeof(path), "%s/.affild",
			       cfg->spool.dir) < 0 || spool_mkdirs(path, 0700,
								   0, 0) < 0)
			return -1;
	}
	w.uid = l.uid;
	w.gid = l.ugid;
	w.mode = 0700;
	for (i = 0; i < NELEM(private_dirs); i++)
		if (spool_path(path, sizeof(path), private_dirs[i],
			       cfg->spool.dir) < 0 || make_dir(&l, path, &w) < 0)
			return -1;
	for (i = 0; i < cfg->nemployers; i++) {
		gid = l.ugid;
		if (owners && drop_group(&cfg->employers[i], &gid) < 0) {
			l.bad++;
			continue;
		}
		if (prepare_drop(&l, cfg->employers[i].numero, gid) < 0)
			l.bad++;
	}
	if (cfg->portal.enabled && prepare_drop(&l, SPOOL_PORTAL, l.ugid) < 0)
		l.bad++;
	return l.bad ? -1 : 0;
}

/* ---- check -------------------------------------------------------------- */

/* complain - one difference: an error when strict, else a warning */
static void complain(struct layout *l, const char *path, const char *want,
		     const char *found)
{
	char qp[LOG_QUOTE_MAX], qw[LOG_QUOTE_MAX], qf[LOG_QUOTE_MAX];

	/* want and found hold spaces: log_quote quotes them */
	log_quote(qp, sizeof(qp), path);
	log_quote(qw, sizeof(qw), want);
	log_quote(qf, sizeof(qf), found);
	if (l->strict) {
		log_err("event=spool_bad path=%s expected=%s found=%s "
			"hint=\"run affild --prepare-spool as root\"", qp,
			qw, qf);
		l->bad++;
	} else {
		log_warn("event=spool_differs path=%s expected=%s found=%s",
			 qp, qw, qf);
	}
}

/* check_dir - path is a folder (not a symlink) looking like w */
static void check_dir(struct layout *l, const char *path, const struct want *w)
{
	char want[160], found[160], qp[LOG_QUOTE_MAX];
	struct stat sb;
	int gone = lstat(path, &sb) < 0;

	if (gone || !S_ISDIR(sb.st_mode)) {
		log_err("event=spool_missing dir=%s found=\"%s\" hint=\"run "
			"affild --prepare-spool\"", log_quote(qp, sizeof(qp),
			path), gone ? "nothing" :
			S_ISLNK(sb.st_mode) ? "a symlink" : "not a folder");
		l->bad++;
		return;
	}
	if ((w->uid == ID_UNSET || sb.st_uid == w->uid) &&
	    (w->gid == ID_UNSET || sb.st_gid == w->gid) &&
	    (sb.st_mode & 07777) == w->mode)
		return;
	describe(want, sizeof(want), w->uid, w->gid, w->mode);
	describe(found, sizeof(found), sb.st_uid, sb.st_gid,
		 sb.st_mode & 07777);
	complain(l, path, want, found);
}

/* check_component - one folder at or above a chroot: root, not g/o+w */
static void check_component(struct layout *l, const char *path)
{
	char found[160];
	struct stat sb;

	if (stat(path, &sb) < 0 || (sb.st_uid == 0 && !(sb.st_mode & 022)))
		return;
	describe(found, sizeof(found), sb.st_uid, sb.st_gid,
		 sb.st_mode & 07777);
	complain(l, path, "owner=root, writable by no group and no other "
		 "(OpenSSH ChrootDirectory: the chroot and every folder above "
		 "it)", found);
}

/* check_chroot_path - every folder from / down to the spool */
static void check_chroot_path(struct layout *l, const char *dir)
{
	char real[PATH_MAX];
	char *p;

	if (realpath(dir, real) == NULL)
		return;		/* check_dir says it is missing */
	check_component(l, "/");
	for (p = real + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			check_component(l, real);
			*p = '/';
		}
	check_component(l, real);
}

/* check_admin - .affild/ and the admin drop */
static void check_admin(struct layout *l)
{
	char path[SPOOL_PATH_MAX];
	struct want w = { ID_UNSET, ID_UNSET, 0, 0 };
	size_t i;
	int given;

	if (l->strict) {
		if (admin_group(l, 1, &w.gid, &given) < 0) {
			l->bad++;
			return;
		}
		w.uid = l->uid;
	}
	for (i = 0; i < NELEM(admin_dirs); i++) {
		w.mode = admin_dirs[i].mode;
		if (spool_path(path, sizeof(path), admin_dirs[i].fmt,
			       l->cfg->spool.dir) < 0) {
			l->bad++;
			return;
		}
		check_dir(l, path, &w);
	}
}

/* check_drop - one employer's (or the portal's) folders */
static void check_drop(struct layout *l, const char *numero, gid_t gid)
{
	char path[SPOOL_PATH_MAX];
	struct want w;
	size_t i;

	for (i = 0; i < NELEM(drop_dirs); i++) {
		w.uid = !l->strict ? ID_UNSET : drop_dirs[i].chroot ? 0 : l->uid;
		w.gid = !l->strict ? ID_UNSET : drop_dirs[i].chroot ? 0 : gid;
		w.mode = drop_dirs[i].mode;
		if (spool_path(path, sizeof(path), drop_dirs[i].fmt,
			       l->cfg->spool.dir, numero) < 0) {
			l->bad++;
			return;
		}
		check_dir(l, path, &w);
	}
}

/*
 * spool_check - every folder there, with the owners and modes of the
 * layout for the daemon account uid; -1 when something must be fixed.
 */
int spool_check(const struct cfg *cfg, uid_t uid)
{
	struct layout l = { .cfg = cfg, .uid = uid,
			    .strict = cfg->spool.sftp_chroot };
	struct passwd *pw = getpwuid(uid);
	char path[SPOOL_PATH_MAX];
	struct want w;
	size_t i;
	gid_t gid;

	l.ugid = pw ? pw->pw_gid : getegid();
	if (l.strict)
		check_chroot_path(&l, cfg->spool.dir);
	check_admin(&l);
	w.uid = l.strict ? uid : ID_UNSET;
	w.gid = ID_UNSET;
	w.mode = 0700;
	w.group_only = 0;
	for (i = 0; i < NELEM(private_dirs); i++)
		if (spool_path(path, sizeof(path), private_dirs[i],
			       cfg->spool.dir) == 0)
			check_dir(&l, path, &w);
	for (i = 0; i < cfg->nemployers; i++) {
		gid = l.ugid;
		if (l.strict && drop_group(&cfg->employers[i], &gid) < 0) {
			l.bad++;
			continue;
		}
		check_drop(&l, cfg->employers[i].numero, gid);
	}
	if (cfg->portal.enabled)
		check_drop(&l, SPOOL_PORTAL, l.ugid);
	return l.bad ? -1 : 0;
}
