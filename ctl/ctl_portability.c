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
 * ctl_portability - `open EMPLOYER NIR --justification TEXT`: an `examen`
 * departure reason turned out to give the right (a démission légitime);
 * `proof EMPLOYER NIR`: the proof of unemployment benefits arrived.  Each
 * in its own transaction, with a history row naming the admin.
 */
int ctl_portability(struct ctl *c)
{
	const char *employer = c->args[1], *nir = c->args[2];
	char user[96], why[160], qe[LOG_QUOTE_MAX], qu[LOG_QUOTE_MAX];
	int open = strcmp(c->args[0], "open") == 0, rc;

	if (open && (c->justification == NULL || *c->justification == '\0'))
		return ctl_usage_error(c, "--justification TEXT is required");
	snprintf(user, sizeof(user), "affilctl:%s", ctl_requester());
	why[0] = '\0';
	if (store_begin(c->st) < 0)
		return EX_TEMPFAIL;
	rc = open ? store_admin_portability(c->st, c->cfg, employer, nir,
					    user, c->justification,
					    date_today(), why, sizeof(why)) :
	     store_admin_unemployment_proof(c->st, c->cfg, employer, nir,
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
		 "portability_opened" : "unemployment_proof",
		 log_quote(qe, sizeof(qe), employer),
		 log_quote(qu, sizeof(qu), user));
	printf("%s\n", open ? "portabilité ouverte" :
	       "justificatif enregistré");
	return 0;
}
