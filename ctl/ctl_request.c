/*
 * ctl_request - what affilctl asks the daemon to do with a file: a forced
 * reprocess (`reprocess ID --force`) or the insurer's decision on a file
 * the radiation gate held (`file ID approve|refuse`).  Each is one row of
 * the reprocess table, recorded here in its own commit and served by the
 * daemon between two files (daemon/reprocess.c), exactly once.  The
 * requester is the sudo caller when there is one, else the login.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "common/log.h"
#include "ctl/ctl.h"

/* ctl_requester - who asks: the sudo caller when there is one, else the login */
const char *ctl_requester(void)
{
	const char *sudo = getenv("SUDO_USER");
	struct passwd *pw;

	if (sudo && *sudo)
		return sudo;
	pw = getpwuid(getuid());
	return pw ? pw->pw_name : "inconnu";
}

/* reprocess_refusal - why file f cannot be processed again; NULL: it can */
static const char *reprocess_refusal(const struct file_rec *f)
{
	if (strcmp(f->state, "claimed") == 0)
		return "it is being processed now";
	if (f->validation)
		return "a validation drop is never applied: drop it again";
	if (strcmp(f->state, "held") == 0)
		return "it is held by the radiation gate: approve or refuse it "
		       "(affilctl file ID approve|refuse)";
	return NULL;
}

/* get_file - the file row, or an exit status after saying why */
static int get_file(struct ctl *c, const char *what, const char *id,
		    struct file_rec *f)
{
	int rc = store_file_get(c->st, id, f);

	if (rc == 1)
		return 0;
	fprintf(stderr, "affilctl: %s %s: %s\n", what, id,
		rc == 0 ? "unknown id" : "database error");
	return rc == 0 ? EX_DATAERR : EX_SOFTWARE;
}

/* record - a request of kind for file id, once; an exit status */
static int record(struct ctl *c, const char *what, const char *id,
		  const char *kind, long long *req)
{
	int rc = store_reprocess_pending(c->st, id);

	if (rc != 0) {
		fprintf(stderr, "affilctl: %s %s: %s\n", what, id, rc > 0 ?
			"a request is already pending" : "database error");
		return rc > 0 ? EX_USAGE : EX_SOFTWARE;
	}
	if (store_reprocess_request(c->st, id, kind, ctl_requester(), req) < 0) {
		fprintf(stderr, "affilctl: %s %s: could not record the "
			"request (database busy?)\n", what, id);
		return EX_TEMPFAIL;
	}
	return 0;
}

/* ctl_reprocess - `reprocess ID --force` */
int ctl_reprocess(struct ctl *c)
{
	const char *id = c->args[0], *why;
	struct file_rec f;
	long long req;
	int force = c->force, rc;

	if ((rc = get_file(c, "reprocess", id, &f)) != 0)
		return rc;
	why = reprocess_refusal(&f);
	if (why == NULL && !force)
		fprintf(stderr, "affilctl: reprocess %s: refused without "
			"--force: \"%s\" would be applied again although its "
			"bytes were already processed (duplicates are never "
			"applied twice unless forced)\n", id, f.name);
	else if (why)
		fprintf(stderr, "affilctl: reprocess %s: refused: %s\n", id,
			why);
	file_rec_free(&f);
	if (why || !force)
		return EX_USAGE;
	if ((rc = record(c, "reprocess", id, REPROCESS_FORCE, &req)) != 0)
		return rc;
	printf("reprocess request %lld recorded for file %s: affild takes it "
	       "between two files; see `affilctl files`\n", req, id);
	return 0;
}

/*
 * ctl_file_decide - `file ID approve|refuse`: only a held file; a file in
 * any other state is refused with EX_DATAERR (the data says no, not the
 * command line).
 */
int ctl_file_decide(struct ctl *c)
{
	const char *id = c->args[0], *verb = c->args[1], *kind;
	char qi[LOG_QUOTE_MAX], qb[LOG_QUOTE_MAX];
	struct file_rec f;
	long long req;
	int rc, held;

	kind = strcmp(verb, "approve") == 0 ? REPROCESS_APPROVE :
	       REPROCESS_REFUSE;
	if ((rc = get_file(c, verb, id, &f)) != 0)
		return rc;
	held = strcmp(f.state, "held") == 0;
	if (!held)
		fprintf(stderr, "affilctl: %s %s: refused: the file is not held "
			"by the radiation gate (state %s): only a held file "
			"waits for a decision\n", verb, id, f.state);
	file_rec_free(&f);
	if (!held)
		return EX_DATAERR;
	if ((rc = record(c, verb, id, kind, &req)) != 0)
		return rc;
	/* The insurer's decision is part of the file's history. */
	log_init("affilctl", LOG_LEVEL_INFO);
	log_info("event=file_%s_requested id=%s request=%lld by=%s",
		 strcmp(kind, REPROCESS_APPROVE) == 0 ? "approve" : "refuse",
		 log_quote(qi, sizeof(qi), id), req,
		 log_quote(qb, sizeof(qb), ctl_requester()));
	printf("%s request %lld recorded for file %s: affild %s it between "
	       "two files; see `affilctl files`\n", verb, req, id,
	       strcmp(kind, REPROCESS_APPROVE) == 0 ? "applies" : "rejects");
	return 0;
}
