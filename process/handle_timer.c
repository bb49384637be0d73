/*
 * handle_timer - the deadlines of docs/process.md on their day: what each
 * kind does to the record it is about, as a change (change.h) the store's
 * timers write.  Whether a kind fires on the record's status at all is
 * timer.c's table (timer_fires()); here, what it does, and whether what it
 * was set for is still to do (a dispense renewed, a proof received, a link
 * already gone: moot, nothing written).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common/util.h"
#include "process/handle.h"

/* ended - the date s is before today (the end has passed) */
static int ended(const char *s, struct date today, struct date *out)
{
	return date_parse_iso(s, out) == 0 && date_cmp(*out, today) < 0;
}

/*
 * auto_remind - under reminders: automatic, the next reminder (a fresh
 * link, relances + 1, last_relance today) and the one after it while the
 * count stays under reminder_max; the record is in status now.  1 when
 * the count is reached.
 */
static int auto_remind(const struct decide_ctx *dc, const struct record *r,
		       enum status now, struct change *c)
{
	const struct cfg_employer *emp = dc->emp;
	int n = r->relances + 1;

	if (r->relances >= emp->reminder_max)
		return 1;
	c->invite = NOTICE_RELANCE;
	change_set(c, "relances", change_strf(c, "%d", n));
	change_set(c, "last_relance", change_date(c, dc->today));
	change_hist(c, now, now, change_strf(c, "relance automatique %d/%d",
					     n, emp->reminder_max));
	if (n < emp->reminder_max)
		change_due(c, DL_RELANCE_AUTO, date_add_days(dc->today,
			   emp->reminder_interval_days), NULL);
	return 0;
}

/* relance - invited, past reminder_after_days: to remind (and reminded
 * now when the employer's reminders are automatic) */
static int relance(const struct decide_ctx *dc, const struct record *r,
		   const struct timer_rule *t, struct change *c)
{
	c->to = t->to;
	change_hist(c, r->status, t->to, t->what);
	if (dc->emp->reminders == CFG_REMINDERS_AUTOMATIC)
		(void)auto_remind(dc, r, t->to, c);
	return 0;
}

/* jeton - the personal link's last valid day has passed: forgotten */
static int jeton(const struct decide_ctx *dc, const struct record *r,
		 const struct timer_rule *t, struct change *c)
{
	char day[DATE_ISO_SIZE];

	if (r->token_expires == NULL ||
	    strcmp(r->token_expires, date_format(dc->today, day)) >= 0)
		return 1;	/* a fresh link since, or revoked */
	change_set(c, "token_hash", NULL);
	change_set(c, "token_expires", NULL);
	change_hist(c, r->status, r->status, t->what);
	return 0;
}

/* fin_portabilite - the portability past its end: radiated */
static int fin_portabilite(const struct decide_ctx *dc,
			   const struct record *r, const struct timer_rule *t,
			   struct change *c)
{
	char fr[DATE_ISO_SIZE];
	struct change_notice *n;
	struct date fin;

	if (!ended(r->portabilite_fin, dc->today, &fin))
		return 1;
	c->to = t->to;
	change_set(c, "date_fin_droits", r->portabilite_fin);
	change_hist(c, r->status, t->to, t->what);
	n = change_notice(c, NOTICE_FIN_PORTABILITE, RCPT_DEPARTURE);
	change_var(c, n, "date_fin_droits", date_format_fr(fin, fr));
	return 0;
}

/* fin_dispense - the dispense ended: what the reason's at_end says
 * (unchanged, or invited again, with or without a renewed proof) */
static int fin_dispense(const struct decide_ctx *dc, const struct record *r,
			const struct timer_rule *t, struct change *c)
{
	const struct cfg_dispense_reason *reason;
	struct date fin;

	if (!ended(r->dispense_fin, dc->today, &fin))
		return 1;	/* renewed: a later end */
	reason = cfg_dispense_reason(dc->cfg, r->dispense_motif);
	if (reason == NULL || reason->at_end == CFG_AT_END_NONE) {
		change_hist(c, r->status, r->status, "fin de dispense (fin du "
			    "contrat) : statut inchangé");
		return 0;
	}
	/* reinvite, or proof with no renewed proof: a renewal would have
	 * moved dispense_fin and replaced this deadline. */
	c->to = t->to;
	change_hist(c, r->status, t->to, reason->at_end == CFG_AT_END_PROOF ?
		    "fin de dispense sans nouveau justificatif : nouvelle "
		    "invitation" : "fin de dispense : nouvelle invitation");
	change_set(c, "relances", "0");
	c->drop |= DL_BIT(DL_PREUVE_DISPENSE) | DL_BIT(DL_RELANCE_AUTO);
	c->invite = NOTICE_INVITATION;
	return 0;
}

/* preuve_dispense - 30 days before the end: renewed proof asked */
static int preuve_dispense(const struct decide_ctx *dc,
			   const struct record *r, const struct timer_rule *t,
			   struct change *c)
{
	const struct cfg_dispense_reason *reason =
		cfg_dispense_reason(dc->cfg, r->dispense_motif);
	char fr[DATE_ISO_SIZE];
	struct change_notice *n;
	struct date fin;

	if (date_parse_iso(r->dispense_fin, &fin) < 0 ||
	    date_cmp(dc->today, fin) > 0)
		return 1;	/* over already: fin_dispense takes it */
	n = change_notice(c, NOTICE_DISPENSE_JUSTIFICATIF, RCPT_EMPLOYEE);
	change_var(c, n, "motif_dispense", reason && reason->label ?
		   reason->label : r->dispense_motif ? r->dispense_motif : "");
	change_var(c, n, "date_fin_dispense", date_format_fr(fin, fr));
	change_hist(c, r->status, r->status, t->what);
	return 0;
}

int ben_deadline_data(long long id, char *out, size_t outlen)
{
	json_object *o = json_object_new_object();
	int rc;

	json_object_object_add(o, "beneficiary", json_object_new_int64(id));
	rc = strlcpy_ok(out, json_object_to_json_string_ext(o,
			JSON_C_TO_STRING_PLAIN), outlen);
	json_object_put(o);
	return rc;
}

/* beneficiary_of - the beneficiary an ayant_droit_age deadline is about
 * (ben_deadline_data); 0 when data is not that */
static long long beneficiary_of(const char *data)
{
	json_object *o = data ? json_tokener_parse(data) : NULL, *v;
	long long id = 0;

	if (o && json_object_object_get_ex(o, "beneficiary", &v) &&
	    json_object_is_type(v, json_type_int))
		id = json_object_get_int64(v);
	json_object_put(o);
	return id > 0 ? id : 0;
}

/* ayant_droit_age - a child reaches the age limit: its cover ends the day
 * before the deadline */
static int ayant_droit_age(const struct record *r, const struct facts *f,
			   const struct timer_rule *t, const char *due,
			   const char *data, struct change *c)
{
	long long id;
	struct date d;
	int rc;

	if (data == NULL || date_parse_iso(due, &d) < 0)
		return 1;
	/* Unreadable: an error, left pending and logged, never a child's
	 * cover that silently goes on. */
	if ((id = beneficiary_of(data)) == 0)
		return -1;
	if ((rc = f->ben_covered(f->arg, id)) != 1)
		return rc < 0 ? -1 : 1;		/* ended meanwhile */
	c->ben.op = BEN_END;
	c->ben.id = id;
	c->ben.date_fin = change_date(c, date_add_days(d, -1));
	change_hist(c, r->status, r->status, t->what);
	return 0;
}

/* preuve_chomage - portability started N days ago and the proof of
 * unemployment benefits has not arrived: the former employee reminded */
static int preuve_chomage(const struct record *r, const struct timer_rule *t,
			  struct change *c)
{
	char p0[DATE_ISO_SIZE], p1[DATE_ISO_SIZE];
	struct change_notice *n;

	if (r->preuve_chomage != NULL)
		return 1;	/* recorded meanwhile */
	change_hist(c, r->status, r->status, t->what);
	n = change_notice(c, NOTICE_JUSTIFICATIF_CHOMAGE, RCPT_DEPARTURE);
	change_var(c, n, "date_debut_portabilite",
		   date_iso_fr(r->portabilite_debut, p0));
	change_var(c, n, "date_fin_portabilite",
		   date_iso_fr(r->portabilite_fin, p1));
	return 0;
}

int timer_change(const struct decide_ctx *dc, const struct record *r,
		 const struct facts *f, enum deadline_kind kind,
		 const char *due, const char *data, struct change *c)
{
	const struct timer_rule *t = timer_rule(kind);

	change_init(c);
	switch (t ? kind : DL_COUNT) {
	case DL_RELANCE:
		return relance(dc, r, t, c);
	case DL_RELANCE_AUTO:
		if (dc->emp->reminders != CFG_REMINDERS_AUTOMATIC)
			return 1;
		return auto_remind(dc, r, r->status, c);
	case DL_JETON:
		return jeton(dc, r, t, c);
	case DL_FIN_PORTABILITE:
		return fin_portabilite(dc, r, t, c);
	case DL_FIN_DISPENSE:
		return fin_dispense(dc, r, t, c);
	case DL_PREUVE_DISPENSE:
		return preuve_dispense(dc, r, t, c);
	case DL_RADIATION:
		return radiation_fire_change(dc, r, data, c);
	case DL_AYANT_DROIT_AGE:
		return ayant_droit_age(r, f, t, due, data, c);
	case DL_PREUVE_CHOMAGE:
		return preuve_chomage(r, t, c);
	default:
		return -1;
	}
}
