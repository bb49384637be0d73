/*
 * pipeline - one claimed file, from work/ to its report and archive.
 *
 * The outer function, pipeline_run(), owns the resources (fd, reader,
 * report, transaction); the inner ones do the work.  Outcome:
 *   PIPE_OK        processed (or rejected whole, or held by the radiation
 *                  gate, with its report): done
 *   PIPE_TEMPFAIL  nothing committed (database busy, disk full, stop
 *                  asked): the file stays in work/ and is retried later
 */
#ifndef AFFILD_PIPELINE_H
#define AFFILD_PIPELINE_H

#include "daemon/daemon.h"

enum pipe_rc { PIPE_OK = 0, PIPE_TEMPFAIL = 1 };

#define PIPE_LOGIN_MAX 64		/* an admin's login, as stored */

struct file_job {
	char id[STORE_ID_LEN];
	const struct cfg_employer *emp;	/* NULL for the portal's and the
					 * admin drop: rows name their
					 * employer */
	char employer[16];		/* numero, "portail" or "admin" */
	char name[256];			/* original name */
	int validation;			/* in/validation/: apply nothing */
	int admin;			/* the admin drop (affilctl) */
	char by[PIPE_LOGIN_MAX];	/* admin: the login of the file's owner
					 * at its claim, "uid<N>" if none */
	int fd;				/* the claimed file, opened before the
					 * claim; -1: open work/ID.  Consumed
					 * by pipeline_run() */
};

/*
 * pipeline_run - process the claimed file; closes job->fd.  A claimed file
 * that cannot be opened (a lost capability, a link) is quarantined with
 * an E001 report, never retried for ever.
 */
enum pipe_rc pipeline_run(struct daemon *d, const struct file_job *job);

/* Where the original rests once its run is committed. */
enum pipe_rest {
	PIPE_REST_ARCHIVE,	/* .affild/archive/<employer>/<AAAA-MM>/ */
	PIPE_REST_QUARANTINE,	/* .affild/quarantine/<employer>/ */
	PIPE_REST_HELD		/* .affild/held/<employer>/: the radiation
				 * gate, waiting for the insurer */
};

/* pipeline_finish_moves - after a COMMIT: report into out/, original to
 * its resting place */
int pipeline_finish_moves(struct daemon *d, const struct file_job *job,
			  enum pipe_rest rest);

/* pipeline_rest_of - the resting place of a file row's state */
enum pipe_rest pipeline_rest_of(const char *state);

#endif
