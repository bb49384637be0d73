/*
 * ctl_portability - `portability open|proof`: the insurer's decisions on a
 * former employee's portabilité.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "common/log.h"
#include "ctl/ctl.h"

/* ---- portability, by the insurer ---------------------------------------- */

/*
 * cmd_portability - `open EMPLOYER NIR --justification TEXT`: an `examen`
 * departure reason turned out to give the right (a démission légitime);
 * `proof EMPLOYER NIR`: the proof of unemployment benefits arrived.  Each
 * in its own transaction, with a history row naming the admin.
 */
int ctl_portability(struct ctl *c, int argc, char **argv)
{
	const char *why_text = NULL;
	char user[96], why[160];
	int open, rc;

	if (argc == 6 && strcmp(argv[1], "open") == 0 &&
	    strcmp(argv[4], "--justification") == 0 && *argv[5])
		why_text = argv[5];
	else if (argc != 4 || strcmp(argv[1], "proof") != 0) {
		fprintf(stderr, "affilctl: usage: portability open EMPLOYER NIR "
			"--justification TEXT | portability proof EMPLOYER "
			"NIR\n");
		return EX_USAGE;
	}
	open = why_text != NULL;
	snprintf(user, sizeof(user), "affilctl:%s", ctl_requester());
	why[0] = '\0';
	if (store_begin(c->st) < 0)
		return EX_TEMPFAIL;
	rc = open ? store_admin_portability(c->st, c->cfg, argv[2], argv[3],
					    user, why_text, date_today(), why,
					    sizeof(why)) :
	     store_admin_unemployment_proof(c->st, c->cfg, argv[2], argv[3],
					    user, date_today(), why,
					    sizeof(why));
	if (rc != 0) {
		store_rollback(c->st);
		if (rc > 0)
			fprintf(stderr, "affilctl: %s\n", why);
		return rc > 0 ? EX_DATAERR : EX_TEMPFAIL;
	}
	if (store_commit(c->st) < 0)
		return EX_TEMPFAIL;
	log_info("event=admin_%s employer=%s by=%s", open ?
		 "portability_opened" : "unemployment_proof", argv[2], user);
	printf("%s\n", open ? "portabilité ouverte" :
	       "justificatif enregistré");
	return 0;
}
