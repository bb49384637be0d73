/*
 * spool_retention - personal data is not kept forever (spool.md, "Budget
 * and limits"): originals in .affild/archive/ older than
 * spool.archive_retention_days, in .affild/quarantine/ older than
 * spool.quarantine_retention_days, and files in every drop's out/ and
 * out/validation/ older than spool.out_retention_days are deleted; so are
 * the letters' day folders of mail.print_dir older than
 * spool.archive_retention_days.
 *
 * The age of an original is the day of its claim, read from its name
 * "<AAAAMMJJ-NNNNNN>.<name>" (the tracking id), not its mtime: an SFTP
 * client that preserves times (`put -p`) would make a fresh upload look
 * years old.  Files in out/ are affild's own writes: their mtime is the day
 * they were written.  Only regular files are ever removed, and only there:
 * folders, symlinks and anything else are left alone.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "spool/spool.h"

/* id_date - the claim day of "<AAAAMMJJ-NNNNNN>.<name>"; -1 if not one */
static int id_date(const char *name, struct date *out)
{
	int i;

	for (i = 0; i < 8; i++)
		if (name[i] < '0' || name[i] > '9')
			return -1;
	if (name[8] != '-')
		return -1;
	out->y = (name[0] - '0') * 1000 + (name[1] - '0') * 100 +
		 (name[2] - '0') * 10 + (name[3] - '0');
	out->m = (name[4] - '0') * 10 + (name[5] - '0');
	out->d = (name[6] - '0') * 10 + (name[7] - '0');
	return date_valid(out->y, out->m, out->d) ? 0 : -1;
}

struct purge {
	struct date cutoff;	/* claimed before this day: purged */
	time_t before;		/* mtime before this: purged */
	int by_id;		/* age from the tracking id in the name */
	long count;
};

/* too_old - is this entry past its retention? */
static int too_old(const struct purge *p, const char *name,
		   const struct stat *sb)
{
	struct date d;

	if (p->by_id && id_date(name, &d) == 0)
		return date_cmp(d, p->cutoff) < 0;
	return sb->st_mtime < p->before;
}

/* purge_dir - the old regular files directly in dir */
static void purge_dir(struct purge *p, const char *dir)
{
	char path[SPOOL_PATH_MAX], qp[LOG_QUOTE_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *dh = opendir(dir);

	if (dh == NULL) {
		if (errno != ENOENT)
			log_warn_errno("event=retention_opendir dir=%s",
				       log_quote(qp, sizeof(qp), dir));
		return;
	}
	while ((de = readdir(dh)) != NULL) {
		if (de->d_name[0] == '.' ||
		    spool_path(path, sizeof(path), "%s/%s", dir,
			       de->d_name) < 0 ||
		    lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode) ||
		    !too_old(p, de->d_name, &sb))
			continue;
		if (unlink(path) < 0)
			log_warn_errno("event=retention_unlink path=%s",
				       log_quote(qp, sizeof(qp), path));
		else
			p->count++;
	}
	closedir(dh);
}

/* purge_tree - purge_dir on every folder depth levels below dir */
static void purge_tree(struct purge *p, const char *dir, int depth)
{
	char path[SPOOL_PATH_MAX];
	struct dirent *de;
	struct stat sb;
	DIR *dh;

	if (depth == 0) {
		purge_dir(p, dir);
		return;
	}
	if ((dh = opendir(dir)) == NULL)
		return;
	while ((de = readdir(dh)) != NULL)
		if (de->d_name[0] != '.' &&
		    spool_path(path, sizeof(path), "%s/%s", dir,
			       de->d_name) == 0 &&
		    lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
			purge_tree(p, path, depth - 1);
	closedir(dh);
}

/* purge_out - out/ and out/validation/ of one drop */
static void purge_out(struct purge *p, const char *spool, const char *numero)
{
	char drop[SPOOL_PATH_MAX], dir[SPOOL_PATH_MAX];

	if (spool_drop_dir(spool, numero, drop, sizeof(drop)) < 0)
		return;
	if (spool_path(dir, sizeof(dir), "%s/out", drop) == 0)
		purge_dir(p, dir);
	if (spool_path(dir, sizeof(dir), "%s/out/validation", drop) == 0)
		purge_dir(p, dir);
}

/* day_folder - "AAAAMMJJ", the name of a print folder, as a date */
static int day_folder(const char *name, struct date *out)
{
	char id[16];

	if (strlen(name) != 8)
		return -1;
	memcpy(id, name, 8);			/* the shape id_date reads */
	id[8] = '-';
	id[9] = '\0';
	return id_date(id, out);
}

/*
 * purge_print - the letters' day folders (<print_dir>/AAAAMMJJ/) older
 * than the cutoff: their regular files (the PDFs, the manifest, work in
 * progress), then the folder.  The mail house has long collected them.
 */
static void purge_print(struct purge *p, const char *print_dir)
{
	char path[SPOOL_PATH_MAX], file[SPOOL_PATH_MAX], qp[LOG_QUOTE_MAX];
	struct dirent *de, *fe;
	struct stat sb;
	struct date d;
	DIR *dh, *fh;

	if (print_dir == NULL || (dh = opendir(print_dir)) == NULL)
		return;
	while ((de = readdir(dh)) != NULL) {
		if (day_folder(de->d_name, &d) < 0 ||
		    date_cmp(d, p->cutoff) >= 0 ||
		    spool_path(path, sizeof(path), "%s/%s", print_dir,
			       de->d_name) < 0 ||
		    lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode) ||
		    (fh = opendir(path)) == NULL)
			continue;
		while ((fe = readdir(fh)) != NULL)
			if (spool_path(file, sizeof(file), "%s/%s", path,
				       fe->d_name) == 0 &&
			    lstat(file, &sb) == 0 && S_ISREG(sb.st_mode)) {
				if (unlink(file) < 0)
					log_warn_errno("event=retention_unlink "
						       "path=%s", log_quote(qp,
						       sizeof(qp), file));
				else
					p->count++;
			}
		closedir(fh);
		if (rmdir(path) < 0)
			log_warn_errno("event=retention_rmdir path=%s",
				       log_quote(qp, sizeof(qp), path));
	}
	closedir(dh);
}

/* setup - the cutoffs for a retention of days */
static void setup(struct purge *p, struct date today, time_t now, int days,
		  int by_id)
{
	memset(p, 0, sizeof(*p));
	p->cutoff = date_add_days(today, -days);
	p->before = now - (time_t)days * 86400;
	p->by_id = by_id;
}

/* spool_retention - one pass; counts of files deleted in n */
void spool_retention(const struct cfg *cfg, struct date today, time_t now,
		     struct spool_purged *n)
{
	char dir[SPOOL_PATH_MAX];
	struct purge p;
	size_t i;

	memset(n, 0, sizeof(*n));
	setup(&p, today, now, cfg->spool.archive_retention_days, 1);
	if (spool_path(dir, sizeof(dir), "%s/.affild/archive",
		       cfg->spool.dir) == 0)
		purge_tree(&p, dir, 2);		/* <numero>/<AAAA-MM>/ */
	n->archive = p.count;
	setup(&p, today, now, cfg->spool.quarantine_retention_days, 1);
	if (spool_path(dir, sizeof(dir), "%s/.affild/quarantine",
		       cfg->spool.dir) == 0)
		purge_tree(&p, dir, 1);		/* <numero>/ */
	n->quarantine = p.count;
	setup(&p, today, now, cfg->spool.out_retention_days, 0);
	for (i = 0; i < cfg->nemployers; i++)
		purge_out(&p, cfg->spool.dir, cfg->employers[i].numero);
	if (cfg->portal.enabled)
		purge_out(&p, cfg->spool.dir, SPOOL_PORTAL);
	purge_out(&p, cfg->spool.dir, SPOOL_ADMIN);
	n->out = p.count;
	setup(&p, today, now, cfg->spool.archive_retention_days, 1);
	purge_print(&p, cfg->mail.print_dir);
	n->print = p.count;
}
