/*
 * transition_decide - a movement through the cell of its record's status
 * (transition.h), in the order the rules have always been applied: an
 * unknown employee first, then what is wrong with the movement whatever
 * the status (the operation's own checks), then the guard, whether the
 * movement is already in effect, and the cell's verdict.
 *
 * The findings of this step are worded here and nowhere else; the words
 * are the reports' contract (docs/errors.md), byte for byte.
 */
#include <string.h>

#include "common/util.h"
#include "process/decide.h"
#include "process/transition_priv.h"

void transition_already(struct movement *mv, const char *what)
{
	mv_diag(mv, "I200", F_NONE, "déjà pris en compte : %s, rien n'a été "
		"modifié", what);
}

/* refused - E201: the rules have no such transition */
static enum tr_result refused(struct movement *mv, enum status s)
{
	if (mv->op == OP_FIN_PORTABILITE)
		mv_diag(mv, "E201", F_OPERATION, "FIN_PORTABILITE impossible : "
			"le salarié est %s (%s), pas en portabilité",
			status_label(s), status_name(s));
	else
		mv_diag(mv, "E201", F_OPERATION, "%s impossible : le salarié "
			"est %s (%s) chez cet employeur", op_name(mv->op),
			status_label(s), status_name(s));
	return TRANSITION_REFUSED;
}

/* unknown - E202, worded the same whether another employer has the NIR */
static enum tr_result unknown(struct movement *mv)
{
	mv_diag(mv, "E202", F_NIR, "salarié inconnu : aucun salarié de cet "
		"employeur n'a ce NIR");
	return TRANSITION_REFUSED;
}

/* end_known - FIN_PORTABILITE's motif_fin is one of the four */
static int end_known(struct movement *mv)
{
	static const char *const motifs[] = {
		"REPRISE_EMPLOI", "FIN_INDEMNISATION", "RETRAITE", "DECES",
	};
	const char *motif = mv_get(mv, F_MOTIF_FIN);
	size_t i;

	for (i = 0; i < sizeof(motifs) / sizeof(motifs[0]); i++)
		if (str_same(motif, motifs[i]))
			return 1;
	mv_diag(mv, "E294", F_MOTIF_FIN, "motif de fin « %.40s » inconnu : "
		"REPRISE_EMPLOI, FIN_INDEMNISATION, RETRAITE ou DECES",
		motif ? motif : "");
	return 0;
}

/* movement_ok - the operation's checks that come before the status: 1, or
 * 0 after a finding.  *dr: a DISPENSE's reason. */
static int movement_ok(struct movement *mv, const struct decide_ctx *c,
		       const struct cfg_dispense_reason **dr)
{
	switch (mv->op) {
	case OP_DISPENSE:
		return (*dr = dispense_reason_check(c, mv)) != NULL;
	case OP_FIN_PORTABILITE:
		return end_known(mv);
	case OP_ANNULATION:
		if (str_same(mv_get(mv, F_OPERATION_ANNULEE), "RADIATION"))
			return 1;
		mv_diag(mv, "E290", F_OPERATION_ANNULEE, "seule une RADIATION "
			"peut être annulée");
		return 0;
	default:
		return 1;
	}
}

static int guard_ok(enum guard g, const struct record *r,
		    const struct cfg_dispense_reason *dr)
{
	switch (g) {
	case GUARD_COLLECTIVE:
		return dr && (str_same(dr->code, "CSS") ||
			      str_same(dr->code, "AUTRE_COUVERTURE_COLLECTIVE"));
	case GUARD_SAME_REASON:
		return dr && str_same(r->dispense_motif, dr->code);
	default:
		return 1;
	}
}

enum again_is { AGAIN_IS_NOT = 0, AGAIN_IS, AGAIN_IS_EARLIER };

/* again - whether the movement is already in effect on the record */
static enum again_is again(enum again a, const struct record *r,
			   const struct movement *mv,
			   const struct decide_ctx *c,
			   const struct cfg_dispense_reason *dr)
{
	const char *hire = mv_get(mv, F_DATE_EMBAUCHE);
	char day[DATE_ISO_SIZE];
	struct date end;
	int in_effect;

	switch (a) {
	case AGAIN_HIRE:
		in_effect = str_same(r->person[F_NOM], mv_get(mv, F_NOM)) &&
			    str_same(r->person[F_DATE_EMBAUCHE], hire);
		break;
	case AGAIN_OPTION:
	case AGAIN_FINALISED:
		in_effect = str_same(r->person[F_OPTION], mv_get(mv, F_OPTION));
		break;
	case AGAIN_BASE_PLAN:
		in_effect = str_same(r->person[F_OPTION], c->emp->base_plan);
		break;
	case AGAIN_REHIRE:
		/* A new period only after the last contract's end: the same
		 * hire date is the old period sent again (a corrected file
		 * re-sent whole), an earlier one a mistake. */
		if (r->date_fin_contrat == NULL || hire == NULL ||
		    strcmp(hire, r->date_fin_contrat) > 0)
			return AGAIN_IS_NOT;
		return str_same(hire, r->person[F_DATE_EMBAUCHE]) ? AGAIN_IS :
		       AGAIN_IS_EARLIER;
	case AGAIN_END:
		in_effect = str_same(r->date_fin_contrat,
				 mv_get(mv, F_DATE_FIN_CONTRAT)) &&
			    str_same(r->motif_rupture,
				 mv_get(mv, F_MOTIF_RUPTURE));
		break;
	case AGAIN_MOTIF_FIN:
		in_effect = str_same(r->portabilite_motif_fin,
				 mv_get(mv, F_MOTIF_FIN));
		break;
	case AGAIN_DISPENSE_END:
		in_effect = dr && (!dispense_end(dr, mv, c->today, &end) ||
				   str_same(r->dispense_fin,
					date_format(end, day)));
		break;
	default:
		in_effect = 0;
		break;
	}
	return in_effect ? AGAIN_IS : AGAIN_IS_NOT;
}

const struct again_words again_words[AGAIN_COUNT] = {
	[AGAIN_HIRE] = { "affiliation déjà en cours",
			 "the same `nom` and `date_embauche`", "other data",
			 "E203" },
	[AGAIN_OPTION] = { "salarié déjà affilié avec cette option",
			   "the same `option`", "another option", "E204" },
	[AGAIN_FINALISED] = { "affiliation déjà finalisée", "the same "
			      "`option`", "another option", NULL },
	[AGAIN_BASE_PLAN] = { "salarié déjà affilié à l'option de base",
			      "at `base_plan` already", "another option",
			      NULL },
	[AGAIN_REHIRE] = { "période d'emploi déjà enregistrée, suivie de sa "
			   "radiation", "not after the last contract's end, "
			   "the hire date on record", "not after the last "
			   "contract's end, another hire date", "E208" },
	[AGAIN_END] = { "salarié déjà radié à cette date pour ce motif",
			"the same `date_fin_contrat` and `motif_rupture`",
			"another end or reason", "E207" },
	[AGAIN_MOTIF_FIN] = { "portabilité déjà terminée pour ce motif",
			      "the same `motif_fin`", "another `motif_fin`",
			      NULL },
	[AGAIN_DISPENSE_END] = { "dispense déjà enregistrée", "no end date, "
				 "or the end on record", NULL, NULL },
};

/* conflict - the movement contradicts the record: the code of the again
 * test it failed (E203, E204, E207, E208) */
static enum tr_result conflict(enum again a, const struct record *r,
			       struct movement *mv)
{
	const char *code = again_words[a].code;

	switch (a) {
	case AGAIN_HIRE:
		mv_diag(mv, code, F_OPERATION, "affiliation déjà en cours pour "
			"ce NIR avec d'autres données : envoyez une "
			"MODIFICATION");
		break;
	case AGAIN_OPTION:
		mv_diag(mv, code, F_OPTION, "salarié déjà affilié avec l'option "
			"%s : pour en changer, envoyez une MODIFICATION",
			r->person[F_OPTION]);
		break;
	case AGAIN_REHIRE:
		mv_diag(mv, code, F_DATE_EMBAUCHE, "date d'embauche antérieure "
			"à la fin du contrat précédent (%s) : pour une "
			"réembauche, indiquez la nouvelle date",
			r->date_fin_contrat);
		break;
	case AGAIN_END:
		mv_diag(mv, code, F_DATE_FIN_CONTRAT, "salarié déjà radié (fin "
			"de contrat %s, motif %s) : pour corriger, envoyez une "
			"ANNULATION puis la bonne RADIATION",
			r->date_fin_contrat ? r->date_fin_contrat : "?",
			r->motif_rupture ? r->motif_rupture : "?");
		break;
	default:	/* an again test without a conflict of its own */
		return refused(mv, r->status);
	}
	return TRANSITION_REFUSED;
}

enum tr_result transition_decide(const struct record *r, struct movement *mv,
				 const struct decide_ctx *c,
				 const struct transition **tp)
{
	const struct transition *t = transition_of(r->status, mv->op);
	const struct cfg_dispense_reason *dr = NULL;
	enum again_is is;

	*tp = t;
	if (t == NULL) {
		mv_diag(mv, "E106", F_OPERATION, "opération %s non traitée par "
			"les dépôts de fichiers de cette version",
			op_name(mv->op));
		return TRANSITION_REFUSED;
	}
	if (t->verdict == TR_UNKNOWN)
		return unknown(mv);
	if (!movement_ok(mv, c, &dr))
		return TRANSITION_REFUSED;
	if (!guard_ok(t->guard, r, dr))
		return refused(mv, r->status);
	is = again(t->again, r, mv, c, dr);
	if (is == AGAIN_IS) {
		transition_already(mv, again_words[t->again].already);
		return TRANSITION_DONE;
	}
	if (is == AGAIN_IS_EARLIER)
		return conflict(t->again, r, mv);
	switch (t->verdict) {
	case TR_APPLY:
		return TRANSITION_APPLY;
	case TR_CONFLICT:
		return conflict(t->again, r, mv);
	case TR_REFUSED:
	default:
		return refused(mv, r->status);
	}
}
