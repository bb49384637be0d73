/*
 * store_affiliation - the transitions into cover: an employee enters
 * EN_COURS (AFFILIATION_SIMPLE: invited to choose on the portal) or AFFILIE
 * (AFFILIATION_COMPLETE, or AFFILIATION_FORCEE at the base plan, or the
 * portal's FINALISATION with the link's token), and RELANCE sends the
 * reminder with a fresh link.
 *
 * An affiliation on a former employee's record is a rehire (the cell says
 * so: new_period): it opens a new period, the end data of the old period
 * moving to history.  Whether the hire date allows it is the cell's again
 * test (process/transition_decide.c), decided before the handler runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/util.h"
#include "store/store_apply.h"

/* end_portability_for_rehire - a portability (the cell's via) ends the day
 * before the hire; the history row keeps the date (the next period clears
 * the columns) */
static int end_portability_for_rehire(struct ap *a)
{
	char day[DATE_ISO_SIZE], what[128];
	struct date hire;

	if (a->t->via == STATUS_NONE)
		return 0;
	if (date_parse_iso(mv_get(a->mv, F_DATE_EMBAUCHE), &hire) < 0)
		hire = a->env.today;
	date_format(date_add_days(hire, -1), day);
	snprintf(what, sizeof(what), "fin de portabilité : reprise d'emploi, "
		 "droits jusqu'au %s", day);
	if (st_deadline_drop(a->st, a->e.id, "fin_portabilite") < 0 ||
	    st_history(a->st, &a->env, a->e.id, a->e.status,
		       status_name(a->t->via), what) < 0)
		return -1;
	return 0;
}

/* new_period - a rehire: the last period's end data is history now */
static int new_period(struct ap *a)
{
	static const char *const cols[] = {
		"date_fin_contrat", "motif_rupture", "date_fin_droits",
		"portabilite_debut", "portabilite_fin", "radiation_at",
		"radiation_hist", "portabilite_motif_fin", "dispense_motif",
		"dispense_fin", "dispense_demande", "dispense_justificatif",
	};
	size_t i;

	for (i = 0; i < NELEM(cols); i++)
		if (st_set_col(a->st, a->e.id, cols[i], NULL) < 0)
			return -1;
	return st_set_col(a->st, a->e.id, "incomplete", "0") < 0 ||
	       st_deadline_drop(a->st, a->e.id, NULL) < 0 ? -1 : 0;
}

/*
 * enter - (none) or a rehire into status: the record and its personal
 * data, and for a rehire its history row (a new record says on itself
 * who created it).  Returns 0 or -1.
 */
static int enter(struct ap *a, const char *status, const char *what)
{
	char *from = a->e.id ? xstrdup(a->e.status) : NULL;
	int rc = -1;

	if (a->e.id == 0)
		return ap_insert(a, status, 0);	/* created_*: no history row */
	if ((a->t->new_period &&
		    (end_portability_for_rehire(a) < 0 ||
		     new_period(a) < 0)) ||
		   st_set_status(a->st, &a->env, a->e.id, status) < 0 ||
		   ap_set_person(a) < 0) {
		goto out;
	}
	if (st_history(a->st, &a->env, a->e.id, from, status, what) < 0 ||
	    ap_reload(a) < 0)
		goto out;
	rc = 0;
out:
	free(from);
	return rc;
}

/* ap_simple - a new employee, or a rehire, invited (EN_COURS) */
int ap_simple(struct ap *a)
{
	if (a->e.id == 0) {	/* the common case: one row, one message */
		st_decided(a->st);
		return ap_insert(a, ap_target(a), 1) < 0 ||
		       st_invite_queue(a->st, &a->env, &a->e, "invitation",
				       a->e.token_n, a->e.token_expires) < 0 ?
		       -1 : 0;
	}
	if (enter(a, ap_target(a), "affiliation simple") < 0 ||
	    st_invite(a->st, &a->env, &a->e, "invitation") < 0)
		return -1;
	return 0;
}

/* confirm - the confirmation of an affiliation, when an email is known */
static int confirm(struct ap *a, const char *kind)
{
	const struct cfg_option *opt = cfg_option(a->ctx->emp, a->e.option);
	const char *effet = a->e.date_effet ? a->e.date_effet :
			    a->e.date_embauche;
	char fr[DATE_ISO_SIZE] = "";
	struct date d;
	const char *vars[] = {
		"option", opt && opt->label ? opt->label : a->e.option,
		"date_effet", fr, NULL
	};

	if (effet && date_parse_iso(effet, &d) == 0)
		date_format_fr(d, fr);
	if (vars[1] == NULL)
		vars[1] = "";
	if (a->e.email == NULL && strcmp(kind, "confirmation") == 0)
		return 0;
	return st_notify(a->st, &a->env, &a->e, kind, vars, 0);
}

/* ap_covered - the affiliation is now complete: link revoked, no reminder */
int ap_covered(struct ap *a)
{
	return st_revoke_token(a->st, a->e.id) < 0 ||
	       st_deadline_drop(a->st, a->e.id, "relance") < 0 ? -1 : 0;
}

/* ap_complete - a new employee, an invited one, or a rehire, affiliated */
int ap_complete(struct ap *a)
{
	int rc, fresh;

	if ((rc = ap_mandate(a)) != 0)
		return rc;
	fresh = a->e.id == 0;	/* no link or reminder to cancel */
	if (fresh)
		st_decided(a->st);	/* nothing below refuses */
	if (enter(a, ap_target(a), "affiliation complète") < 0 ||
	    (!fresh && ap_covered(a) < 0) || confirm(a, "confirmation") < 0)
		return -1;
	return 0;
}

/*
 * affiliate - an invited employee affiliated (the cell's target): the
 * status, the movement's personal data, the history row (what), the link
 * revoked and the confirmation (kind).  0 or -1.
 */
static int affiliate(struct ap *a, const char *what, const char *kind)
{
	char *from = xstrdup(a->e.status);
	const char *to = ap_target(a);
	int rc;

	rc = st_set_status(a->st, &a->env, a->e.id, to) < 0 ||
	     ap_set_person(a) < 0 ||
	     st_history(a->st, &a->env, a->e.id, from, to, what) < 0 ||
	     ap_reload(a) < 0 || ap_covered(a) < 0 ||
	     confirm(a, kind) < 0 ? -1 : 0;
	free(from);
	return rc;
}

/* ap_forcee - an invited employee affiliated at the base plan */
int ap_forcee(struct ap *a)
{
	const char *base = a->ctx->emp->base_plan;

	if (base == NULL)
		return ap_refuse(a, "E205", F_OPERATION, "affiliation forcée "
				 "impossible : aucune option de base "
				 "(base_plan) n'est configurée pour cet "
				 "employeur");
	if (mv_set(a->mv, F_OPTION, base) < 0)
		return -1;
	return affiliate(a, "affiliation forcée à l'option de base",
			 "affiliation_forcee");
}

/* ap_relance - an invited employee: the reminder now, a fresh link */
int ap_relance(struct ap *a)
{
	char day[DATE_ISO_SIZE], n[16];

	snprintf(n, sizeof(n), "%d", a->e.relances + 1);
	if (st_set_col(a->st, a->e.id, "relances", n) < 0 ||
	    st_set_col(a->st, a->e.id, "last_relance",
		       date_format(a->env.today, day)) < 0 ||
	    st_history(a->st, &a->env, a->e.id, a->e.status, a->e.status,
		       "relance envoyée") < 0 ||
	    st_invite(a->st, &a->env, &a->e, "relance") < 0)
		return -1;
	return 0;
}

/* ---- the portal's finalisation -------------------------------------- */

/*
 * token_ok - the movement's jeton is the live link of the record, through
 * its last valid day: signed from (id, token_n, token_expires), or, for a
 * link issued before schema 8, the keyed hash kept in token_hash
 */
static int token_ok(struct ap *a)
{
	char hash[CRYPTO_HEX_LEN], day[DATE_ISO_SIZE], tok[CRYPTO_TOKEN_LEN];
	const char *jeton = mv_get(a->mv, F_JETON);

	if (jeton == NULL || a->e.token_expires == NULL ||
	    strcmp(a->e.token_expires, date_format(a->env.today, day)) < 0)
		return 0;
	if (a->e.token_hash != NULL)
		return hmac_sha256_hex(a->ctx->token_key, a->ctx->token_keylen,
				       jeton, hash) == 0 &&
		       crypto_equal(hash, a->e.token_hash);
	return token_sign(a->ctx->token_key, a->ctx->token_keylen, a->e.id,
			  a->e.token_n, a->e.token_expires, tok) == 0 &&
	       crypto_equal(tok, jeton);
}

/* ap_finalisation - an invited employee affiliated with the link's token */
int ap_finalisation(struct ap *a)
{
	const struct cfg_employer *emp = a->ctx->emp;
	int rc;

	if (!token_ok(a))
		return ap_refuse(a, "E280", F_JETON, "lien d'affiliation "
				 "invalide, déjà utilisé ou expiré");
	if ((rc = ap_mandate(a)) != 0)
		return rc;
	rc = affiliate(a, "affiliation finalisée par le salarié",
		       "confirmation");
	if (rc == 0 && emp->notify_finalisation) {
		const struct cfg_option *opt = cfg_option(emp, a->e.option);
		const char *vars[] = { "option", opt && opt->label ?
				       opt->label : a->e.option, NULL };

		rc = st_notify_employer(a->st, &a->env, &a->e,
					emp->contact_email,
					"finalisation_employeur", vars);
	}
	return rc;
}
