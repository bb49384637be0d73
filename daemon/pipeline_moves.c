/*
 * pipeline_moves - where a file's outputs go.  Everything bound for out/
 * (the drop's: <spool>/<numero>/, or .affild/admin/ for the admin drop)
 * is written in out/.staging/ (affild's alone, setgid: the drop's group
 * comes with the file) and renamed into out/ after the COMMIT; the original
 * then rests in archive/, quarantine/ or held/ (the radiation gate).
 * Names built from the drop's name are cut to SPOOL_NAME_MAX bytes so they
 * fit NAME_MAX.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "daemon/pipeline_priv.h"
#include "parsers/source.h"

/* report_format - an XML report for an XML input, else CSV */
enum report_format pipeline_report_format(const struct file_job *job)
{
	return source_format(job->name) == SOURCE_XML ? REPORT_XML : REPORT_CSV;
}

/* drop_of - the job's drop folder (spool_drop_dir) */
static int drop_of(const struct daemon *d, const struct file_job *job,
		   char *out, size_t outlen)
{
	return spool_drop_dir(d->cfg->spool.dir, job->employer, out, outlen);
}

/* report_name - out/<name>.<id>.cr.csv (.cr.xml), or out/validation/... */
int pipeline_report_name(const struct run *r, char *out, size_t outlen)
{
	const struct file_job *job = r->job;
	char name[SPOOL_NAME_MAX + 1], drop[SPOOL_PATH_MAX];

	(void)spool_name_fit(job->name, name, sizeof(name));
	if (drop_of(r->d, job, drop, sizeof(drop)) < 0)
		return -1;
	return spool_path(out, outlen, "%s/out%s/%s.%s.cr.%s", drop,
			  job->validation ? "/validation" : "", name,
			  job->id, pipeline_report_format(job) == REPORT_XML ? "xml" :
			  "csv");
}

/* export_name - out/<name>.<id>.export.csv, the list an EXPORT asked for */
int pipeline_export_name(const struct run *r, char *out, size_t outlen)
{
	char name[SPOOL_NAME_MAX + 1], drop[SPOOL_PATH_MAX];

	(void)spool_name_fit(r->job->name, name, sizeof(name));
	if (drop_of(r->d, r->job, drop, sizeof(drop)) < 0)
		return -1;
	return spool_path(out, outlen, "%s/out/%s.%s.export.csv", drop, name,
			  r->job->id);
}

/* bulletin_name - out/<name>.<id>.bulletin-<line>.pdf */
int pipeline_bulletin_name(const struct run *r, long line, char *out,
			 size_t outlen)
{
	char name[SPOOL_NAME_MAX + 1], drop[SPOOL_PATH_MAX];

	(void)spool_name_fit(r->job->name, name, sizeof(name));
	if (drop_of(r->d, r->job, drop, sizeof(drop)) < 0)
		return -1;
	return spool_path(out, outlen, "%s/out/%s.%s.bulletin-%ld.pdf", drop,
			  name, r->job->id, line);
}

/*
 * stage_path - where what goes to out/ is written before the COMMIT:
 * out/.staging/ (affild's alone, 2700), so the employer never reads a
 * report that is not true yet, and the drop's group, which only a setgid
 * folder can give an unprivileged daemon, comes with the file when it is
 * renamed into out/.  "<spool>/<employer>/out/.staging/<id>" + suffix.
 */
int pipeline_stage_path(const struct daemon *d, const struct file_job *job,
		      const char *suffix, char *out, size_t outlen)
{
	char drop[SPOOL_PATH_MAX];

	if (drop_of(d, job, drop, sizeof(drop)) < 0)
		return -1;
	return spool_path(out, outlen, "%s/out/.staging/%s%s", drop, job->id,
			  suffix);
}

/* move_bulletins - staging's <id>.bulletin-<line> into out/, after COMMIT */
static int move_bulletins(const struct run *r, const char *workdir)
{
	char prefix[64], from[SPOOL_PATH_MAX], to[SPOOL_PATH_MAX];
	struct dirent *de;
	size_t n;
	DIR *dir;
	int rc = 0;

	n = (size_t)snprintf(prefix, sizeof(prefix), "%s.bulletin-",
			     r->job->id);
	if ((dir = opendir(workdir)) == NULL)
		return -1;
	while (rc == 0 && (de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, prefix, n) != 0)
			continue;
		if (spool_path(from, sizeof(from), "%s/%s", workdir,
			       de->d_name) < 0 ||
		    pipeline_bulletin_name(r, atol(de->d_name + n), to,
				  sizeof(to)) < 0 ||
		    spool_move(from, to) < 0)
			rc = -1;
	}
	closedir(dir);
	return rc;
}

/* pipeline_rest_of - where a committed row's original rests */
enum pipe_rest pipeline_rest_of(const char *state)
{
	if (strcmp(state, "quarantined") == 0)
		return PIPE_REST_QUARANTINE;
	if (strcmp(state, "held") == 0)
		return PIPE_REST_HELD;
	return PIPE_REST_ARCHIVE;
}

/* pipeline_finish_moves - report into out/, original into its resting place */
int pipeline_finish_moves(struct daemon *d, const struct file_job *job,
			  enum pipe_rest rest)
{
	char work[SPOOL_PATH_MAX], tmp[SPOOL_PATH_MAX], out[SPOOL_PATH_MAX];
	char dest[SPOOL_PATH_MAX], name[SPOOL_NAME_MAX + 1];
	char qw[LOG_QUOTE_MAX], qd[LOG_QUOTE_MAX];
	struct run r = { .d = d, .job = job };
	struct date today = date_today();
	const char *spool = d->cfg->spool.dir;

	/* The report last: a sender that sees it finds what it announces. */
	if (spool_path(work, sizeof(work), "%s/.affild/work/%s", spool,
		       job->id) < 0 ||
	    pipeline_stage_path(d, job, ".export", tmp, sizeof(tmp)) < 0 ||
	    pipeline_export_name(&r, out, sizeof(out)) < 0)
		return -1;
	if (access(tmp, F_OK) == 0 && spool_move(tmp, out) < 0)
		return -1;
	if (drop_of(d, job, dest, sizeof(dest)) < 0 ||
	    spool_path(tmp, sizeof(tmp), "%s/out/.staging", dest) < 0 ||
	    move_bulletins(&r, tmp) < 0)
		return -1;
	if (pipeline_stage_path(d, job, ".cr", tmp, sizeof(tmp)) < 0 ||
	    pipeline_report_name(&r, out, sizeof(out)) < 0)
		return -1;
	if (access(tmp, F_OK) == 0 && spool_move(tmp, out) < 0)
		return -1;
	(void)spool_name_fit(job->name, name, sizeof(name));
	if (rest == PIPE_REST_QUARANTINE)
		(void)spool_path(dest, sizeof(dest),
				 "%s/.affild/quarantine/%s/%s.%s", spool,
				 job->employer, job->id, name);
	else if (rest == PIPE_REST_HELD)
		(void)spool_path(dest, sizeof(dest),
				 "%s/.affild/held/%s/%s.%s", spool,
				 job->employer, job->id, name);
	else
		(void)spool_path(dest, sizeof(dest),
				 "%s/.affild/archive/%s/%04d-%02d/%s.%s", spool,
				 job->employer, today.y, today.m, job->id,
				 name);
	if (access(work, F_OK) != 0) {
		/* Moved before a crash; or removed from work/ by hand. */
		if (access(dest, F_OK) != 0)
			log_err("event=original_missing id=%s employer=%s "
				"path=%s expected=%s hint=\"removed from work/ "
				"while affild ran? the report stands\"",
				job->id, job->employer,
				log_quote(qw, sizeof(qw), work),
				log_quote(qd, sizeof(qd), dest));
		return 0;
	}
	if (spool_mkdirs(dest, 0700, 1, 0) < 0 || spool_move(work, dest) < 0)
		return -1;
	return 0;
}
