/*
 * test_process - the affiliation process as data (process/), without a
 * database: every cell of the transition table, the words of its findings,
 * both sides of each "already in effect" test, the rows test_apply.c runs
 * against SQLite (apply_rows.h) run through process/ alone, the pure
 * decisions of a radiation, and docs/process.md's tables, which must be
 * what transition_doc() writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/util.h"
#include "config/config.h"
#include "parsers/check.h"
#include "process/decide.h"
#include "process/handle.h"
#include "process/transition.h"

#include "apply_rows.h"
#include "process_fixture.h"


/* ---- records and movements -------------------------------------------- */

/*
 * record_of - the record test_apply.c's to_state() leaves for a status
 * (hired 2026-09-01 as Martin; radiated on 2026-11-20, 039 or 043, today),
 * and a few variants the again tests need.
 */
static void record_of(const char *key, struct record *r)
{
	memset(r, 0, sizeof(*r));
	if (*key == '\0')
		return;
	r->person[F_NOM] = "Martin";
	r->person[F_DATE_EMBAUCHE] = "2026-09-01";
	r->prev_status = STATUS_AFFILIE;
	if (strncmp(key, "AFFILIE", 7) == 0 || strncmp(key, "RADIE", 5) == 0 ||
	    strcmp(key, "PORTABILITE") == 0)
		r->person[F_OPTION] = strcmp(key, "AFFILIE_CONFORT") == 0 ? "CONFORT" :
			    "BASE";
	if (strcmp(key, "DISPENSE") == 0) {
		r->prev_status = STATUS_EN_COURS;
		r->dispense_motif = "CONTRAT_INDIVIDUEL";
		r->dispense_fin = "2027-06-30";
	}
	if (strncmp(key, "RADIE", 5) == 0 || strcmp(key, "PORTABILITE") == 0) {
		r->date_fin_contrat = "2026-11-20";
		r->motif_rupture = strcmp(key, "PORTABILITE") == 0 ? "043" :
				   "039";
		r->radiation_at = "2026-11-28";
	}
	if (strcmp(key, "PORTABILITE") == 0) {
		r->portabilite_debut = "2026-11-21";
		r->portabilite_fin = "2027-02-20";
	}
	if (strcmp(key, "RADIE_RETRAITE") == 0)
		r->portabilite_motif_fin = "RETRAITE";
	r->status = strcmp(key, "AFFILIE_CONFORT") == 0 ? STATUS_AFFILIE :
		    strcmp(key, "RADIE_RETRAITE") == 0 ? STATUS_RADIE :
		    status_from_name(key);
	assert_int_not_equal(r->status, STATUS_NONE);
	/* The person of apply_rows.h's PERSON, as the store reads her. */
	r->id = 1;
	r->nir = "290049900000059";
	r->person[F_PRENOM] = "Zoé";
	r->person[F_DATE_NAISSANCE] = "1990-04-12";
	r->person[F_CATEGORIE] = "CADRE";
	r->person[F_EMAIL] = "zoe@example.fr";
}


/* decide - the record key and the movement through transition_decide */
static enum tr_result decide(const char *key, const char *spec, int portal,
			     struct movement *mv,
			     const struct transition **t)
{
	struct record r;

	record_of(key, &r);
	movement_of(spec, portal, mv);
	if (mv_has_error(mv))
		fail_msg("%s: %s %s", spec, mv->diags[0].code,
			 mv->diags[0].msg);
	return transition_decide(&r, mv, &dc, t);
}

/* ---- every cell ---------------------------------------------------------- */

/* render - a cell in the words of the expected table below */
static void render(const struct transition *t, char *out, size_t len)
{
	static const char *const verdicts[] = {
		[TR_NONE] = "none", [TR_APPLY] = "", [TR_REFUSED] = "E201",
		[TR_UNKNOWN] = "E202", [TR_CONFLICT] = "conflict",
	};
	size_t n;
	int i, k;

	if (t == NULL) {
		snprintf(out, len, "none");
		return;
	}
	n = (size_t)snprintf(out, len, "%s%s%s%s%s%s%s",
		t->verdict == TR_APPLY ? handler_name(t->handler) :
		verdicts[t->verdict], t->guard ? " if guard" : "",
		t->again ? " unless again" : "",
		t->new_period ? ", rehire" : "",
		t->via ? " via " : "", status_name(t->via),
		t->verdict == TR_APPLY ? " ->" : "");
	for (i = 0; i < TR_MAX_OUTCOMES && t->out[i].to && n < len; i++) {
		n += (size_t)snprintf(out + n, len - n, "%s %s [", i ? "," : "",
			t->out[i].to == TO_SAME ? "same" :
			t->out[i].to == TO_PREVIOUS ? "previous" :
			status_name(t->out[i].to));
		for (k = 0; k < NOTICE_COUNT && n < len; k++)
			if (t->out[i].notices & NOTICE_BIT(k))
				n += (size_t)snprintf(out + n, len - n, "%s%s",
					out[n - 1] == '[' ? "" : " ",
					notice_name(k));
		if (n < len)
			n += (size_t)snprintf(out + n, len - n, "]");
	}
}

#define RADIATED(eligible) "handle_radiation -> " eligible \
	" RADIE [radiation loi_evin], RADIE [radiation]," \
	" RADIE [loi_evin_ayants_droit], same []"

/* The table of docs/process.md, status by status (none, EN_COURS,
 * A_RELANCER, AFFILIE, DISPENSE, RADIE, PORTABILITE), written apart from
 * process/transition.c: a cell changed there fails here until the two
 * say the same. */
static const struct {
	enum op op;
	const char *cells[STATUS_COUNT];
} expected[] = {
	{ OP_AFFILIATION_SIMPLE, {
		"handle_simple -> EN_COURS [invitation]",
		"conflict unless again", "conflict unless again", "E201",
		"E201", "handle_simple unless again, rehire -> EN_COURS "
		"[invitation]", "handle_simple unless again, rehire via RADIE -> "
		"EN_COURS [invitation]" } },
	{ OP_AFFILIATION_COMPLETE, {
		"handle_complete -> AFFILIE [confirmation]",
		"handle_complete -> AFFILIE [confirmation]",
		"handle_complete -> AFFILIE [confirmation]",
		"conflict unless again", "E201", "handle_complete unless again, "
		"rehire -> AFFILIE [confirmation]", "handle_complete unless again, "
		"rehire via RADIE -> AFFILIE [confirmation]" } },
	{ OP_FINALISATION, {
		"E202", "handle_finalisation -> AFFILIE [confirmation "
		"finalisation_employeur]", "handle_finalisation -> AFFILIE "
		"[confirmation finalisation_employeur]", "E201 unless again",
		"E201", "E201", "E201" } },
	{ OP_AFFILIATION_FORCEE, {
		"E202", "handle_forcee -> AFFILIE [affiliation_forcee]",
		"handle_forcee -> AFFILIE [affiliation_forcee]",
		"E201 unless again", "E201", "E201", "E201" } },
	{ OP_RELANCE, {
		"E202", "handle_relance -> same [relance]",
		"handle_relance -> same [relance]", "E201", "E201", "E201",
		"E201" } },
	{ OP_DISPENSE, {
		"E202", "handle_dispense -> DISPENSE [dispense_employeur]",
		"handle_dispense -> DISPENSE [dispense_employeur]",
		"handle_dispense if guard -> DISPENSE [dispense_employeur]",
		"handle_dispense if guard unless again -> same "
		"[dispense_employeur]", "E201", "E201" } },
	{ OP_RADIATION, {
		"E202", RADIATED("PORTABILITE [radiation_portabilite],"),
		RADIATED("PORTABILITE [radiation_portabilite],"),
		RADIATED("PORTABILITE [radiation_portabilite],"),
		"handle_radiation -> RADIE [], same []",
		"conflict unless again", "conflict unless again" } },
	{ OP_FIN_PORTABILITE, {
		"E202", "E201", "E201", "E201", "E201", "E201 unless again",
		"handle_fin_portabilite -> RADIE [fin_portabilite], RADIE "
		"[loi_evin_ayants_droit]" } },
	{ OP_ANNULATION, {
		"E202", "handle_annulation -> same []", "handle_annulation -> same []",
		"handle_annulation -> same []", "handle_annulation -> same []",
		"handle_annulation -> previous [relance]",
		"handle_annulation -> previous [relance]" } },
	{ OP_MODIFICATION, {
		"E202", "handle_modification -> same []",
		"handle_modification -> same []", "handle_modification -> same []",
		"handle_modification -> same []", "handle_modification -> same []",
		"handle_modification -> same []" } },
	{ OP_AYANT_DROIT, {
		"E202", "E201", "E201", "handle_ayant_droit -> same []", "E201",
		"E201", "handle_ayant_droit -> same []" } },
};

/* test_every_cell - each status × each operation, as the doc has it */
static void test_every_cell(void **state)
{
	static const enum op requests[] = {
		OP_NONE, OP_EXPORT, OP_BULLETIN, OP_RECONCILIATION, OP_FIN,
	};
	char got[512];
	size_t i, k;
	int s;

	(void)state;
	for (i = 0; i < NELEM(expected); i++) {
		assert_int_equal(transition_ops[i], expected[i].op);
		for (s = STATUS_NONE; s < STATUS_COUNT; s++) {
			render(transition_of(s, expected[i].op), got,
			       sizeof(got));
			if (strcmp(got, expected[i].cells[s]) != 0)
				fail_msg("%s on %s: %s, want %s",
					 op_name(expected[i].op),
					 s ? status_name(s) : "none", got,
					 expected[i].cells[s]);
		}
	}
	assert_int_equal(transition_ops[NELEM(expected)], OP_NONE);
	/* Requests and the trailer are not movements of the store. */
	for (k = 0; k < NELEM(requests); k++)
		for (s = STATUS_NONE; s < STATUS_COUNT; s++)
			assert_null(transition_of(s, requests[k]));
	assert_null(transition_of(STATUS_COUNT, OP_RELANCE));
}

/* ---- the findings of the table ------------------------------------------- */

struct finding_case {
	const char *record, *event;
	int portal;
	enum tr_result result;
	const char *code;
	const char *msg;	/* exact, when given */
};

static void run_findings(const struct finding_case *c, size_t n)
{
	const struct transition *t;
	struct movement mv;
	size_t i;

	for (i = 0; i < n; i++) {
		enum tr_result got = decide(c[i].record, c[i].event,
					    c[i].portal, &mv, &t);
		const char *code = mv.ndiags ? mv.diags[0].code : "";

		if (got != c[i].result || strcmp(code, c[i].code) != 0)
			fail_msg("%s | %s: result %d %s, want %d %s",
				 *c[i].record ? c[i].record : "none",
				 c[i].event, got, code, c[i].result,
				 c[i].code);
		if (c[i].msg)
			assert_string_equal(mv.diags[0].msg, c[i].msg);
		mv_free(&mv);
	}
}

/* test_refusal_words - E201, E202, E106, I200 and the conflicts, byte for
 * byte: the report's words are the payroll systems' contract */
static void test_refusal_words(void **state)
{
	static const struct finding_case cases[] = {
		{ "AFFILIE", "RELANCE", 0, TRANSITION_REFUSED, "E201",
		  "RELANCE impossible : le salarié est affilié (AFFILIE) chez "
		  "cet employeur" },
		{ "EN_COURS", "FIN_PORTABILITE date_evenement=2026-11-25;"
		  "motif_fin=RETRAITE", 0, TRANSITION_REFUSED, "E201",
		  "FIN_PORTABILITE impossible : le salarié est en cours "
		  "d'affiliation (EN_COURS), pas en portabilité" },
		{ "", "RELANCE", 0, TRANSITION_REFUSED, "E202",
		  "salarié inconnu : aucun salarié de cet employeur n'a ce "
		  "NIR" },
		{ "AFFILIE", "EXPORT", 0, TRANSITION_REFUSED, "E106",
		  "opération EXPORT non traitée par les dépôts de fichiers de "
		  "cette version" },
		{ "EN_COURS", "AFFILIATION_SIMPLE " PERSON, 0, TRANSITION_DONE,
		  "I200", "déjà pris en compte : affiliation déjà en cours, "
		  "rien n'a été modifié" },
		{ "EN_COURS", "AFFILIATION_SIMPLE nom=Dupont;prenom=Zoé;"
		  "date_naissance=1990-04-12;date_embauche=2026-09-01;"
		  "categorie=CADRE;email=zoe@example.fr", 0,
		  TRANSITION_REFUSED, "E203",
		  "affiliation déjà en cours pour ce NIR avec d'autres données "
		  ": envoyez une MODIFICATION" },
		{ "AFFILIE", "AFFILIATION_COMPLETE " PERSON ";option=CONFORT;"
		  "iban=FR1420041010050500013M02606;"
		  "date_signature_mandat=2026-11-02", 0, TRANSITION_REFUSED,
		  "E204", "salarié déjà affilié avec l'option BASE : pour en "
		  "changer, envoyez une MODIFICATION" },
		{ "RADIE", "RADIATION date_fin_contrat=2026-11-21;"
		  "motif_rupture=039", 0, TRANSITION_REFUSED, "E207",
		  "salarié déjà radié (fin de contrat 2026-11-20, motif 039) : "
		  "pour corriger, envoyez une ANNULATION puis la bonne "
		  "RADIATION" },
		{ "RADIE", "AFFILIATION_SIMPLE nom=Martin;prenom=Zoé;"
		  "date_naissance=1990-04-12;date_embauche=2026-10-01;"
		  "categorie=CADRE;email=zoe@example.fr", 0,
		  TRANSITION_REFUSED, "E208",
		  "date d'embauche antérieure à la fin du contrat précédent "
		  "(2026-11-20) : pour une réembauche, indiquez la nouvelle "
		  "date" },
	};

	(void)state;
	run_findings(cases, NELEM(cases));
}

/* test_again_both_ways - each "already in effect" test, met and not met;
 * the operation's own checks come after E202 and before the status */
static void test_again_both_ways(void **state)
{
	static const struct finding_case cases[] = {
		{ "AFFILIE", "AFFILIATION_COMPLETE " PERSON ";option=BASE", 0,
		  TRANSITION_DONE, "I200", NULL },
		{ "AFFILIE", "FINALISATION option=BASE;jeton=x", 1,
		  TRANSITION_DONE, "I200", NULL },
		{ "AFFILIE", "FINALISATION option=CONFORT;jeton=x;"
		  "iban=FR1420041010050500013M02606;"
		  "date_signature_mandat=2026-11-02", 1,
		  TRANSITION_REFUSED, "E201", NULL },
		{ "AFFILIE", "AFFILIATION_FORCEE", 0, TRANSITION_DONE, "I200",
		  NULL },
		{ "AFFILIE_CONFORT", "AFFILIATION_FORCEE", 0,
		  TRANSITION_REFUSED, "E201", NULL },
		{ "RADIE", "AFFILIATION_SIMPLE " REHIRED, 0, TRANSITION_APPLY,
		  "", NULL },
		{ "PORTABILITE", "AFFILIATION_COMPLETE " PERSON ";option=BASE",
		  0, TRANSITION_DONE, "I200", NULL },
		{ "PORTABILITE", "RADIATION date_fin_contrat=2026-11-20;"
		  "motif_rupture=043", 0, TRANSITION_DONE, "I200", NULL },
		{ "RADIE_RETRAITE", "FIN_PORTABILITE date_evenement=2026-11-25;"
		  "motif_fin=RETRAITE", 0, TRANSITION_DONE, "I200", NULL },
		{ "RADIE_RETRAITE", "FIN_PORTABILITE date_evenement=2026-11-25;"
		  "motif_fin=DECES", 0, TRANSITION_REFUSED, "E201", NULL },
		{ "DISPENSE", "DISPENSE motif_dispense=CONTRAT_INDIVIDUEL;"
		  "date_demande=2026-11-02;justificatif=A;"
		  "date_fin_dispense=2027-06-30", 0, TRANSITION_DONE, "I200",
		  NULL },
		{ "DISPENSE", "DISPENSE motif_dispense=CONTRAT_INDIVIDUEL;"
		  "date_demande=2026-11-02;justificatif=A;"
		  "date_fin_dispense=2027-08-31", 0, TRANSITION_APPLY, "",
		  NULL },
		{ "DISPENSE", "DISPENSE motif_dispense=CSS;"
		  "date_demande=2026-11-02;justificatif=A;"
		  "date_fin_dispense=2027-06-30", 0, TRANSITION_REFUSED,
		  "E201", NULL },
		{ "AFFILIE", "DISPENSE motif_dispense=CSS;"
		  "date_demande=2026-11-02;justificatif=A;"
		  "date_fin_dispense=2027-06-30", 0, TRANSITION_APPLY, "",
		  NULL },
		/* Wrong whatever the status: said before the status is. */
		{ "RADIE", "DISPENSE motif_dispense=XYZ;"
		  "date_demande=2026-11-02", 0, TRANSITION_REFUSED, "E260",
		  NULL },
		{ "", "DISPENSE motif_dispense=XYZ;date_demande=2026-11-02", 0,
		  TRANSITION_REFUSED, "E202", NULL },
		{ "AFFILIE", "FIN_PORTABILITE date_evenement=2026-11-25;"
		  "motif_fin=FOO", 0, TRANSITION_REFUSED, "E294", NULL },
		{ "AFFILIE", "ANNULATION operation_annulee=MODIFICATION", 0,
		  TRANSITION_REFUSED, "E290", NULL },
		/* Already in effect: the radiation is not decided again (no
		 * W211 for the ignored portabilite=O). */
		{ "RADIE", "RADIATION date_fin_contrat=2026-11-20;"
		  "motif_rupture=039;portabilite=O", 0, TRANSITION_DONE,
		  "I200", NULL },
	};

	(void)state;
	run_findings(cases, NELEM(cases));
}

/* ---- test_apply.c's rows, without the store ------------------------------ */

/* Findings only the store can make: it reads what the table cannot. */
static int store_only(const struct row *r)
{
	return strcmp(r->code, "I231") == 0 ||	/* a RUM generated */
	       (strcmp(r->code, "I200") == 0 &&	/* the data compared */
		strncmp(r->event, "MODIFICATION", 12) == 0);
}

/* The facts of a record alone in its database: no RUM nor NIR taken, no
 * beneficiary, no radiation held, its radiation the last history row. */
static int no_rum(void *arg, const char *rum)
{
	(void)arg;
	(void)rum;
	return 0;
}

static int no_ben(void *arg, const struct movement *mv,
		  struct ben_facts *out)
{
	(void)arg;
	(void)mv;
	memset(out, 0, sizeof(*out));
	return 0;
}

static int none_held(void *arg, char *data, size_t datalen)
{
	(void)arg;
	(void)data;
	(void)datalen;
	return 0;
}

static long long last_is_radiation(void *arg)
{
	return ((const struct record *)arg)->radiation_hist;
}

/* then - the movement through the cell's handler (process/handle.h), as
 * the store runs it but without one: where the change leads and the
 * notices it queues; 1 when it refuses (finding on mv) */
static int then(const struct record *rec, struct movement *mv,
		const struct transition *t, const char **to,
		unsigned *notices)
{
	const struct facts f = { (void *)rec, no_rum, no_rum, no_ben,
				 none_held, last_is_radiation, NULL };
	const struct handle h = { &dc, rec, &f, mv, t };
	static struct change c;
	size_t i;
	int rc = handle(&h, &c);

	assert_int_not_equal(rc, -1);
	if (rc == 1)
		return 1;
	assert_false(c.full);
	*to = status_name(c.radiated ? c.rad.to : c.to != STATUS_NONE ?
			  c.to : rec->status);
	*notices = c.invite != NOTICE_COUNT ? NOTICE_BIT(c.invite) : 0;
	for (i = 0; i < c.nnotice; i++)
		if (c.notice[i].to != RCPT_EMPLOYER || c.notice[i].addr)
			*notices |= NOTICE_BIT(c.notice[i].kind);
	return 0;
}

/* kinds_of - the notices a row's outbox kinds name */
static unsigned kinds_of(const char *kinds)
{
	char buf[256], *k, *save = NULL;
	unsigned bits = 0;

	snprintf(buf, sizeof(buf), "%s", kinds);
	for (k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save))
		bits |= NOTICE_BIT(notice_from_name(k));
	return bits;
}

/* check_row - one row of apply_rows.h through check, cell and decision */
static void check_row(const struct row *r)
{
	const struct transition *t = NULL;
	const char *to = NULL, *code;
	struct outcome allowed = { 0, 0, NULL, NULL };
	int refused, applied = 0, i, hit = 0;
	struct movement mv;
	struct record rec;

	record_of(r->from, &rec);
	movement_of(r->event, 0, &mv);
	refused = mv_has_error(&mv);
	if (!refused) {
		enum tr_result res = transition_decide(&rec, &mv, &dc, &t);

		assert_ptr_equal(t, cell_of(r));
		switch (res) {
		case TRANSITION_REFUSED:
			refused = 1;
			break;
		case TRANSITION_DONE:
			to = r->from;
			break;
		case TRANSITION_APPLY:
			refused = then(&rec, &mv, t, &to, &allowed.notices);
			applied = !refused;
			break;
		}
	}
	code = mv.ndiags ? mv.diags[0].code : "";
	if (refused) {
		if (r->to != NULL || strcmp(code, r->code) != 0)
			fail_msg("%s | %s: refused %s, want %s %s", r->from,
				 r->event, code, r->to ? r->to : "refused",
				 r->code);
	} else {
		if (r->to == NULL || strcmp(to, r->to) != 0 ||
		    (strcmp(code, r->code) != 0 && !store_only(r)))
			fail_msg("%s | %s: to %s %s, want %s %s", r->from,
				 r->event, to, code, r->to ? r->to : "refused",
				 r->code);
	}
	if (applied) {
		/* Queued: what the decision allows, and the cell says. */
		allowed.to = status_from_name(to);
		if (!outcome_fits(&allowed, r, to, r->kinds))
			fail_msg("%s | %s: queued %s, not what the handler "
				 "queues", r->from, r->event, r->kinds);
		/* ... and all it queues, but the letters to dependants the
		 * store lists (none in these rows). */
		if ((allowed.notices &
		     ~NOTICE_BIT(NOTICE_LOI_EVIN_AYANTS_DROIT)) !=
		    kinds_of(r->kinds))
			fail_msg("%s | %s: the handler queues %#x, the store "
				 "%s", r->from, r->event, allowed.notices,
				 r->kinds);
		for (i = 0; i < TR_MAX_OUTCOMES && t->out[i].to; i++)
			hit |= outcome_fits(&t->out[i], r, to, r->kinds);
		if (!hit)
			fail_msg("%s | %s: no outcome of the cell", r->from,
				 r->event);
	}
	mv_free(&mv);
}

/* test_apply_rows - the rows test_apply.c runs against SQLite */
static void test_apply_rows(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(rows); i++)
		check_row(&rows[i]);
}

/* ---- the decisions of a radiation ---------------------------------------- */

static void test_radiation_decisions(void **state)
{
	struct movement mv;
	struct record rec;
	struct radiation rad;
	struct date due;
	char why[128];

	(void)state;
	/* Decided on EN_COURS: portability, flagged incomplete. */
	record_of("EN_COURS", &rec);
	movement_of("RADIATION date_fin_contrat=2026-12-15;motif_rupture=043",
		    0, &mv);
	assert_int_equal(radiation_decide(&dc, &rec, &mv, &rad), 0);
	assert_int_equal(rad.to, STATUS_PORTABILITE);
	assert_true(rad.incomplete);
	assert_true(radiation_held(&rad, dc.today, &due));
	assert_int_equal(date_cmp(due, (struct date){ 2026, 12, 16 }), 0);
	/* On its day: finished since, no longer incomplete; dispensed
	 * since, RADIE without notice; left since, nothing to do. */
	assert_int_equal(radiation_on_day(&rad, STATUS_AFFILIE, dc.emp), 0);
	assert_false(rad.incomplete);
	assert_int_equal(rad.to, STATUS_PORTABILITE);
	assert_int_equal(radiation_on_day(&rad, STATUS_DISPENSE, dc.emp), 0);
	assert_int_equal(rad.to, STATUS_RADIE);
	assert_string_equal(rad.notice, "");
	assert_string_equal(rad.droits, "2026-12-15");
	assert_int_equal(radiation_on_day(&rad, STATUS_RADIE, dc.emp), 1);
	mv_free(&mv);
	/* A dispensed employee never gets portability nor a notice. */
	record_of("DISPENSE", &rec);
	movement_of("RADIATION date_fin_contrat=2026-11-20;motif_rupture=043",
		    0, &mv);
	assert_int_equal(radiation_decide(&dc, &rec, &mv, &rad), 0);
	assert_int_equal(rad.to, STATUS_RADIE);
	assert_string_equal(rad.notice, "");
	assert_false(radiation_held(&rad, dc.today, &due));
	mv_free(&mv);
	/* OUVERTURE_PORTABILITE: an examen reason, not a retirement. */
	record_of("RADIE", &rec);
	rec.motif_rupture = "059";
	assert_int_equal(radiation_reopen(&dc, &rec, &rad, why, sizeof(why)),
			 0);
	assert_string_equal(rad.p0, "2026-11-21");
	assert_string_equal(rad.p1, "2027-02-20");
	rec.motif_rupture = "039";
	assert_int_equal(radiation_reopen(&dc, &rec, &rad, why, sizeof(why)),
			 1);
	assert_string_equal(why, "motif de rupture 039 : pas un motif à "
			    "examiner, la portabilité ne peut pas être "
			    "ouverte");
	record_of("AFFILIE", &rec);
	assert_int_equal(radiation_reopen(&dc, &rec, &rad, why, sizeof(why)),
			 1);
	assert_string_equal(why, "salarié AFFILIE, pas radié : la portabilité "
			    "ne s'ouvre qu'après une radiation");
	assert_int_equal(proof_check(&rec, why, sizeof(why)), 1);
	assert_string_equal(why, "salarié AFFILIE, pas en portabilité");
}

/* test_annulation_window - correction_days (60) from the radiation */
static void test_annulation_window(void **state)
{
	struct movement mv;
	struct record rec;
	struct date droits;

	(void)state;
	record_of("RADIE", &rec);
	movement_of("ANNULATION operation_annulee=RADIATION", 0, &mv);
	rec.radiation_at = "2026-09-29";	/* + 60 days: today */
	assert_int_equal(annulation_check(&dc, &rec, &mv), 0);
	rec.radiation_at = "2026-09-28";
	assert_int_equal(annulation_check(&dc, &rec, &mv), 1);
	assert_string_equal(mv.diags[0].msg, "délai de correction dépassé : "
			    "radiation enregistrée le 28/09/2026, annulable 60 "
			    "jours");
	mv_free(&mv);
	/* What it would restore must not be a radiation itself. */
	movement_of("ANNULATION operation_annulee=RADIATION", 0, &mv);
	rec.radiation_at = "2026-11-28";
	rec.prev_status = STATUS_PORTABILITE;
	assert_int_equal(annulation_check(&dc, &rec, &mv), 1);
	assert_string_equal(mv.diags[0].code, "E291");
	mv_free(&mv);
	/* FIN_PORTABILITE: the day before the event, never past P1. */
	record_of("PORTABILITE", &rec);
	movement_of("FIN_PORTABILITE date_evenement=2027-06-01;"
		    "motif_fin=RETRAITE", 0, &mv);
	assert_int_equal(fin_portabilite_rights(&rec, &mv, &droits), 0);
	assert_int_equal(date_cmp(droits, (struct date){ 2027, 2, 20 }), 0);
	mv_free(&mv);
	movement_of("FIN_PORTABILITE date_evenement=2026-11-01;"
		    "motif_fin=RETRAITE", 0, &mv);
	assert_int_equal(fin_portabilite_rights(&rec, &mv, &droits), 1);
	assert_string_equal(mv.diags[0].msg, "date d'événement antérieure au "
			    "début de la portabilité (21/11/2026)");
	mv_free(&mv);
}

/* ---- statuses ------------------------------------------------------------ */

static void test_statuses(void **state)
{
	char all[128];
	int s;

	(void)state;
	for (s = STATUS_NONE + 1; s < STATUS_COUNT; s++)
		assert_int_equal(status_from_name(status_name(s)), s);
	assert_int_equal(status_from_name("affilie"), STATUS_NONE);
	assert_int_equal(status_from_name(NULL), STATUS_NONE);
	assert_string_equal(status_name(STATUS_NONE), "");
	assert_string_equal(status_label(STATUS_A_RELANCER), "à relancer");
	assert_string_equal(status_label_name("PORTABILITE"),
			    "en portabilité");
	assert_string_equal(status_label_name("ARCHIVE"), "ARCHIVE");
	assert_string_equal(status_label_name(NULL), "inconnu");
	assert_int_equal(status_names_fr(all, sizeof(all)), 0);
	assert_string_equal(all, "EN_COURS, A_RELANCER, AFFILIE, DISPENSE, "
			    "RADIE ou PORTABILITE");
	assert_int_equal(status_names_fr(all, 20), -1);
	/* Covered: the radiation gate's and the reconciliation's word. */
	assert_true(status_is(STATUS_A_RELANCER, STATUS_COVERED));
	assert_false(status_is(STATUS_DISPENSE, STATUS_COVERED));
	assert_false(status_is(STATUS_PORTABILITE, STATUS_COVERED));
	assert_true(status_is(STATUS_PORTABILITE, STATUS_FORMER));
	assert_true(status_is(STATUS_EN_COURS, STATUS_REMINDER));
	assert_false(status_is(STATUS_A_RELANCER, STATUS_REMINDER));
	assert_false(status_is(STATUS_NONE, STATUS_COVERED | STATUS_FORMER));
}

/* ---- docs/process.md ------------------------------------------------------ */

#define DOC "docs/process.md"
#define DOC_BEGIN "<!-- transitions: begin -->\n"
#define DOC_END "<!-- transitions: end -->\n"

/* test_doc_is_the_table - the doc's tables are transition_doc()'s */
static void test_doc_is_the_table(void **state)
{
	static char doc[262144];
	const char *a, *b;
	struct buf gen;
	size_t n;
	FILE *f;

	(void)state;
	f = fopen(DOC, "r");
	assert_non_null(f);
	n = fread(doc, 1, sizeof(doc) - 1, f);
	fclose(f);
	doc[n] = '\0';
	a = strstr(doc, DOC_BEGIN);
	assert_non_null(a);
	a += strlen(DOC_BEGIN);
	b = strstr(a, DOC_END);
	assert_non_null(b);
	buf_init(&gen, 1 << 20);
	assert_int_equal(transition_doc(&gen), 0);
	if (strlen(buf_str(&gen)) != (size_t)(b - a) ||
	    strncmp(buf_str(&gen), a, (size_t)(b - a)) != 0)
		fail_msg(DOC "'s transition tables differ from process/"
			 "transition.c: run make transitions-doc and review "
			 "the diff");
	buf_free(&gen);
}

/* ---- the configuration, in a temporary folder ------------------------- */


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statuses),
		cmocka_unit_test(test_every_cell),
		cmocka_unit_test(test_refusal_words),
		cmocka_unit_test(test_again_both_ways),
		cmocka_unit_test(test_apply_rows),
		cmocka_unit_test(test_radiation_decisions),
		cmocka_unit_test(test_annulation_window),
		cmocka_unit_test(test_doc_is_the_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
