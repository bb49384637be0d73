/*
 * handle_affiliation - the transitions into cover: an employee enters
 * EN_COURS (AFFILIATION_SIMPLE: invited to choose on the portal) or AFFILIE
 * (AFFILIATION_COMPLETE, or AFFILIATION_FORCEE at the base plan, or the
 * portal's FINALISATION with the link's token), and RELANCE sends the
 * reminder with a fresh link; and the SEPA mandate those need.
 *
 * An affiliation on a former employee's record is a rehire (the cell says
 * so: new_period): it opens a new period, the end data of the old period
 * moving to history.  Whether the hire date allows it is the cell's again
 * test (transition_decide.c), decided before the handler runs.
 */
#include <stdio.h>
#include <string.h>

#include "common/crypto.h"
#include "process/handle.h"

/*
 * enter - (none) or a rehire into status: a new record says on itself who
 * created it; a rehire closes its last period (a portability, the cell's
 * via, ending the day before the hire) and writes its history row (what)
 */
static void enter(const struct handle *h, struct change *c, enum status to,
		  const char *what)
{
	const struct record *r = h->r;
	char day[DATE_ISO_SIZE];
	struct date hire;

	c->to = to;
	if (r->status == STATUS_NONE) {
		c->record = CR_INSERT;
		return;
	}
	if (h->t->new_period) {
		if (h->t->via != STATUS_NONE) {
			if (date_parse_iso(mv_get(h->mv, F_DATE_EMBAUCHE),
					   &hire) < 0)
				hire = h->dc->today;
			date_format(date_add_days(hire, -1), day);
			c->drop |= DL_BIT(DL_FIN_PORTABILITE);
			change_hist(c, r->status, h->t->via, change_strf(c,
				"fin de portabilité : reprise d'emploi, droits "
				"jusqu'au %s", day));
		}
		c->new_period = 1;
	}
	c->person = 1;
	change_hist(c, r->status, to, what);
}

int handle_simple(const struct handle *h, struct change *c)
{
	if (h->r->status == STATUS_NONE) {	/* one row, one message */
		c->record = CR_INSERT_INVITED;
		c->to = handle_target(h);
	} else {
		enter(h, c, handle_target(h), "affiliation simple");
	}
	c->invite = NOTICE_INVITATION;
	return 0;
}

/* confirm - the notice of an affiliation (a confirmation only when an
 * email is known) */
static void confirm(const struct handle *h, struct change *c,
		    enum notice kind)
{
	const char *code = record_after(h->r, h->mv, F_OPTION);
	const struct cfg_option *opt = cfg_option(h->dc->emp, code);
	const char *effet = record_after(h->r, h->mv, F_DATE_EFFET);
	char fr[DATE_ISO_SIZE] = "";
	struct change_notice *n;
	struct date d;

	if (kind == NOTICE_CONFIRMATION &&
	    record_after(h->r, h->mv, F_EMAIL) == NULL)
		return;
	if (effet == NULL)
		effet = record_after(h->r, h->mv, F_DATE_EMBAUCHE);
	if (effet && date_parse_iso(effet, &d) == 0)
		date_format_fr(d, fr);
	n = change_notice(c, kind, RCPT_EMPLOYEE);
	change_var(c, n, "option", opt && opt->label ? opt->label :
		   code ? code : "");
	change_var(c, n, "date_effet", fr);
}

int handle_complete(const struct handle *h, struct change *c)
{
	int rc;

	if ((rc = handle_mandate(h, c)) != 0)
		return rc;
	enter(h, c, handle_target(h), "affiliation complète");
	if (h->r->status != STATUS_NONE)
		c->covered = 1;		/* the link and reminder cancelled */
	confirm(h, c, NOTICE_CONFIRMATION);
	return 0;
}

/* affiliate - an invited employee affiliated (the cell's target): the
 * status, the movement's personal data, the history row (what), the link
 * revoked, no reminder, and the notice (kind) */
static void affiliate(const struct handle *h, struct change *c,
		      const char *what, enum notice kind)
{
	c->to = handle_target(h);
	c->person = 1;
	change_hist(c, h->r->status, c->to, what);
	c->covered = 1;
	confirm(h, c, kind);
}

int handle_forcee(const struct handle *h, struct change *c)
{
	const char *base = h->dc->emp->base_plan;

	if (base == NULL) {
		mv_diag(h->mv, "E205", F_OPERATION, "affiliation forcée "
			"impossible : aucune option de base (base_plan) n'est "
			"configurée pour cet employeur");
		return 1;
	}
	if (mv_set(h->mv, F_OPTION, base) < 0)
		return -1;
	affiliate(h, c, "affiliation forcée à l'option de base",
		  NOTICE_AFFILIATION_FORCEE);
	return 0;
}

int handle_relance(const struct handle *h, struct change *c)
{
	change_set(c, "relances", change_strf(c, "%d", h->r->relances + 1));
	change_set(c, "last_relance", change_date(c, h->dc->today));
	change_hist(c, h->r->status, h->r->status, "relance envoyée");
	c->invite = NOTICE_RELANCE;
	return 0;
}

/* ---- the portal's finalisation -------------------------------------- */

/*
 * token_ok - the movement's jeton is the live link of the record, through
 * its last valid day: signed from (id, token_n, token_expires), or, for a
 * link issued before schema 8, the keyed hash kept in token_hash
 */
static int token_ok(const struct handle *h)
{
	char hash[CRYPTO_HEX_LEN], day[DATE_ISO_SIZE], tok[CRYPTO_TOKEN_LEN];
	const struct decide_ctx *dc = h->dc;
	const struct record *r = h->r;
	const char *jeton = mv_get(h->mv, F_JETON);

	if (jeton == NULL || r->token_expires == NULL ||
	    strcmp(r->token_expires, date_format(dc->today, day)) < 0)
		return 0;
	if (r->token_hash != NULL)
		return hmac_sha256_hex(dc->token_key, dc->token_keylen, jeton,
				       hash) == 0 &&
		       crypto_equal(hash, r->token_hash);
	return token_sign(dc->token_key, dc->token_keylen, r->id, r->token_n,
			  r->token_expires, tok) == 0 &&
	       crypto_equal(tok, jeton);
}

int handle_finalisation(const struct handle *h, struct change *c)
{
	const struct cfg_employer *emp = h->dc->emp;
	int rc;

	if (!token_ok(h)) {
		mv_diag(h->mv, "E280", F_JETON, "lien d'affiliation invalide, "
			"déjà utilisé ou expiré");
		return 1;
	}
	if ((rc = handle_mandate(h, c)) != 0)
		return rc;
	affiliate(h, c, "affiliation finalisée par le salarié",
		  NOTICE_CONFIRMATION);
	if (emp->notify_finalisation) {
		const char *code = record_after(h->r, h->mv, F_OPTION);
		const struct cfg_option *opt = cfg_option(emp, code);
		struct change_notice *n = change_notice(c,
			NOTICE_FINALISATION_EMPLOYEUR, RCPT_EMPLOYER);

		n->addr = emp->contact_email;
		change_var(c, n, "option", opt && opt->label ? opt->label :
			   code);
	}
	return 0;
}

/* ---- the SEPA mandate ----------------------------------------------- */

int handle_mandate(const struct handle *h, struct change *c)
{
	const struct cfg_option *opt = cfg_option(h->dc->emp,
						  mv_get(h->mv, F_OPTION));
	const char *prefix = h->dc->cfg->process.rum_prefix ?
		h->dc->cfg->process.rum_prefix : "AFF";
	size_t plen = strlen(prefix);
	const char *given = mv_get(h->mv, F_RUM);
	int rc;

	if (mv_has(h->mv, F_RUM) && strcmp(given, VIDE) != 0) {
		/* Generated references are ours alone: a file cannot take
		 * one, or it would block another employer's next mandate. */
		if (strncmp(given, prefix, plen) == 0 && given[plen] == '-') {
			mv_diag(h->mv, "E232", F_RUM, "RUM commençant par %s- : "
				"préfixe réservé aux RUM générées par "
				"l'assureur", prefix);
			return 1;
		}
		if ((rc = h->f->rum_taken(h->f->arg, given)) != 0) {
			if (rc > 0)
				mv_diag(h->mv, "E230", F_RUM, "RUM déjà "
					"attribuée à un autre mandat : une RUM "
					"est unique pour le créancier");
			return rc < 0 ? -1 : 1;
		}
		return 0;
	}
	if (opt != NULL && opt->direct_debit && h->r->person[F_RUM] == NULL)
		c->rum_generate = 1;
	return 0;
}
