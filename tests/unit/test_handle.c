/*
 * test_handle - the handlers of process/handle.h without a database: the
 * change each one returns for a movement, and how what only the database
 * knows (struct facts, answered here by a table the test sets) turns a
 * movement into a refusal, an "already in effect" or a different change.
 * The SQLite side of the same movements is test_apply.c's.
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
#include "process/handle.h"

#include "process_fixture.h"

/* The facts the test sets, and which of them a handler asked for. */
static struct {
	int rum_taken, nir_taken;
	struct ben_facts ben;
	const char *held;		/* a radiation held: its data */
	long long last;			/* the last history row */
	int ben_covered;
	int asked;			/* calls, all facts together */
} F;

static int f_rum(void *arg, const char *rum)
{
	(void)arg;
	(void)rum;
	F.asked++;
	return F.rum_taken;
}

static int f_nir(void *arg, const char *nir)
{
	(void)arg;
	(void)nir;
	F.asked++;
	return F.nir_taken;
}

static int f_ben(void *arg, const struct movement *mv, struct ben_facts *out)
{
	(void)arg;
	(void)mv;
	F.asked++;
	*out = F.ben;
	return 0;
}

static int f_held(void *arg, char *data, size_t datalen)
{
	(void)arg;
	F.asked++;
	if (F.held == NULL)
		return 0;
	snprintf(data, datalen, "%s", F.held);
	return 1;
}

static long long f_last(void *arg)
{
	(void)arg;
	F.asked++;
	return F.last;
}

static int f_covered(void *arg, long long id)
{
	(void)arg;
	(void)id;
	F.asked++;
	return F.ben_covered;
}

static const struct facts facts = { NULL, f_rum, f_nir, f_ben, f_held,
				    f_last, f_covered };

/* rec_in - Zoé Martin's record in status s (none for STATUS_NONE),
 * affiliated at BASE when covered, radiated on 2026-11-20 when former */
static void rec_in(enum status s, struct record *r)
{
	memset(r, 0, sizeof(*r));
	if (s == STATUS_NONE)
		return;
	r->id = 42;
	r->status = s;
	r->prev_status = STATUS_AFFILIE;
	r->nir = "290049900000059";
	r->person[F_NOM] = "Martin";
	r->person[F_PRENOM] = "Zoé";
	r->person[F_DATE_NAISSANCE] = "1990-04-12";
	r->person[F_DATE_EMBAUCHE] = "2026-09-01";
	r->person[F_EMAIL] = "zoe@example.fr";
	if (s != STATUS_EN_COURS && s != STATUS_A_RELANCER)
		r->person[F_OPTION] = "BASE";
	if (status_is(s, STATUS_FORMER)) {
		r->date_fin_contrat = "2026-11-20";
		r->motif_rupture = s == STATUS_PORTABILITE ? "043" : "039";
		r->radiation_at = "2026-11-28";
		r->radiation_hist = 7;
	}
	if (s == STATUS_PORTABILITE) {
		r->portabilite_debut = "2026-11-21";
		r->portabilite_fin = "2027-02-20";
	}
}

/*
 * run - spec through the cell of r and its handler: the handler's result
 * (0, 1, -1), or 2 when the cell itself settled it (refused, or already
 * in effect); the movement's first finding in code
 */
static int run(const struct record *r, const char *spec, int portal,
	       struct change *c, char *code)
{
	const struct transition *t = NULL;
	struct decide_ctx d = dc;
	struct handle h = { &d, r, &facts, NULL, NULL };
	struct movement mv;
	int rc = 2;

	d.portal = portal;
	movement_of(spec, portal, &mv);
	change_init(c);
	if (!mv_has_error(&mv) &&
	    transition_decide(r, &mv, &d, &t) == TRANSITION_APPLY) {
		h.mv = &mv;
		h.t = t;
		rc = handle(&h, c);
	}
	snprintf(code, 8, "%s", mv.ndiags ? mv.diags[0].code : "");
	mv_free(&mv);
	return rc;
}

#define PERSON "nom=Martin;prenom=Zoé;date_naissance=1990-04-12;" \
	"date_embauche=2026-09-01;categorie=CADRE;email=zoe@example.fr"

static void reset(void)
{
	memset(&F, 0, sizeof(F));
}

/* ---- affiliation ------------------------------------------------------ */

static void test_simple_new_is_one_insert(void **state)
{
	struct change c;
	struct record r;
	char code[8];

	(void)state;
	reset();
	rec_in(STATUS_NONE, &r);
	assert_int_equal(run(&r, "AFFILIATION_SIMPLE " PERSON, 0, &c, code),
			 0);
	assert_int_equal(c.record, CR_INSERT_INVITED);
	assert_int_equal(c.to, STATUS_EN_COURS);
	assert_int_equal(c.invite, NOTICE_INVITATION);
	/* Nothing else: no history row, no deadline row, no question. */
	assert_int_equal(c.nhist + c.nset + c.ndue + c.nnotice, 0);
	assert_int_equal(c.drop, 0);
	assert_int_equal(F.asked, 0);
}

static void test_rehire_from_portability(void **state)
{
	struct change c;
	struct record r;
	char code[8];

	(void)state;
	reset();
	rec_in(STATUS_PORTABILITE, &r);
	assert_int_equal(run(&r, "AFFILIATION_COMPLETE nom=Martin;"
			     "prenom=Zoé;date_naissance=1990-04-12;"
			     "date_embauche=2026-12-01;categorie=CADRE;"
			     "email=zoe@example.fr;option=BASE", 0, &c, code),
			 0);
	assert_int_equal(c.record, CR_UPDATE);
	assert_true(c.new_period);
	assert_true(c.person);
	assert_true(c.covered);
	assert_int_equal(c.to, STATUS_AFFILIE);
	/* The portability ends the day before the hire, in its own row. */
	assert_int_equal(c.nhist, 2);
	assert_int_equal(c.hist[0].from, STATUS_PORTABILITE);
	assert_int_equal(c.hist[0].to, STATUS_RADIE);
	assert_string_equal(c.hist[0].what, "fin de portabilité : reprise "
			    "d'emploi, droits jusqu'au 2026-11-30");
	assert_int_equal(c.hist[1].to, STATUS_AFFILIE);
	assert_true(c.drop & DL_BIT(DL_FIN_PORTABILITE));
	assert_int_equal(c.nnotice, 1);
	assert_int_equal(c.notice[0].kind, NOTICE_CONFIRMATION);
	assert_string_equal(c.notice[0].vars[2], "date_effet");
	assert_string_equal(c.notice[0].vars[3], "01/12/2026");
}

static void test_confirmation_needs_an_email(void **state)
{
	struct change c;
	struct record r;
	char code[8];

	(void)state;
	reset();
	rec_in(STATUS_NONE, &r);
	assert_int_equal(run(&r, "AFFILIATION_COMPLETE nom=Martin;"
			     "prenom=Zoé;date_naissance=1990-04-12;"
			     "date_embauche=2026-09-01;categorie=CADRE;"
			     "adresse=1 rue de la Paix;code_postal=75002;"
			     "ville=Paris;option=BASE", 0, &c, code), 0);
	assert_int_equal(c.record, CR_INSERT);
	assert_int_equal(c.nnotice, 0);
	/* A forced affiliation is told by letter all the same. */
	rec_in(STATUS_EN_COURS, &r);
	r.person[F_EMAIL] = NULL;
	assert_int_equal(run(&r, "AFFILIATION_FORCEE", 0, &c, code), 0);
	assert_int_equal(c.nnotice, 1);
	assert_int_equal(c.notice[0].kind, NOTICE_AFFILIATION_FORCEE);
	assert_string_equal(c.notice[0].vars[1], "BASE");
}

static void test_mandate_facts(void **state)
{
	static const char debit[] = "AFFILIATION_COMPLETE " PERSON
		";option=CONFORT;iban=FR7630006000011234567890189;"
		"date_signature_mandat=2026-09-01";
	char spec[512], code[8];
	struct change c;
	struct record r;

	(void)state;
	reset();
	rec_in(STATUS_EN_COURS, &r);
	/* No RUM given: one to generate, nothing asked. */
	assert_int_equal(run(&r, debit, 0, &c, code), 0);
	assert_true(c.rum_generate);
	assert_int_equal(F.asked, 0);
	/* Given and free: kept, asked once. */
	snprintf(spec, sizeof(spec), "%s;rum=RUM-ZOE-1", debit);
	assert_int_equal(run(&r, spec, 0, &c, code), 0);
	assert_false(c.rum_generate);
	assert_int_equal(F.asked, 1);
	/* Given and another's: E230, nothing to write. */
	F.rum_taken = 1;
	assert_int_equal(run(&r, spec, 0, &c, code), 1);
	assert_string_equal(code, "E230");
	assert_true(change_empty(&c));
	/* Ours alone: E232 before anything is asked. */
	reset();
	snprintf(spec, sizeof(spec), "%s;rum=AFF-12345678-00000001", debit);
	assert_int_equal(run(&r, spec, 0, &c, code), 1);
	assert_string_equal(code, "E232");
	assert_int_equal(F.asked, 0);
}

/* ---- person ----------------------------------------------------------- */

static void test_modification_facts(void **state)
{
	struct change c;
	struct record r;
	char code[8];

	(void)state;
	reset();
	rec_in(STATUS_AFFILIE, &r);
	/* The same data: already in effect, nothing to write. */
	assert_int_equal(run(&r, "MODIFICATION nom=Martin", 0, &c, code), 0);
	assert_string_equal(code, "I200");
	assert_true(change_empty(&c));
	/* A new NIR another employee has: E206. */
	F.nir_taken = 1;
	assert_int_equal(run(&r, "MODIFICATION nouveau_nir=190049900000012",
			     0, &c, code), 1);
	assert_string_equal(code, "E206");
	/* Free: the NIR replaced, the history names its end only. */
	F.nir_taken = 0;
	assert_int_equal(run(&r, "MODIFICATION nouveau_nir=190049900000012;"
			     "email=#VIDE", 0, &c, code), 0);
	assert_string_equal(c.nir, "190049900000012");
	assert_true(c.person);
	assert_string_equal(c.hist[0].what, "email, nir remplacé (…0059)");
}

static void test_dispense_from_the_portal(void **state)
{
	struct change c;
	struct record r;
	char code[8];

	(void)state;
	reset();
	rec_in(STATUS_EN_COURS, &r);
	assert_int_equal(run(&r, "DISPENSE motif_dispense=CSS;"
			     "date_demande=2026-11-02;justificatif=ATT-9;"
			     "date_fin_dispense=2027-10-31", 1, &c, code), 0);
	assert_int_equal(c.to, STATUS_DISPENSE);
	assert_true(c.covered);
	assert_int_equal(c.ndue, 1);
	assert_int_equal(c.due[0].kind, DL_FIN_DISPENSE);
	assert_int_equal(date_cmp(c.due[0].due, (struct date){ 2027, 11, 1 }),
			 0);
	assert_int_equal(c.nnotice, 1);
	assert_int_equal(c.notice[0].to, RCPT_EMPLOYER);
	assert_string_equal(c.notice[0].addr, "rh@exemple.example");
	/* From a file: the employer sent it, no one to tell. */
	assert_int_equal(run(&r, "DISPENSE motif_dispense=CSS;"
			     "date_demande=2026-11-02;justificatif=ATT-9;"
			     "date_fin_dispense=2027-10-31", 0, &c, code), 0);
	assert_int_equal(c.nnotice, 0);
}

static void test_ayant_droit_facts(void **state)
{
	static const char child[] = "AYANT_DROIT lien=ENFANT;nom=Martin;"
		"prenom=Léo;date_naissance=2010-05-01;situation=ETUDIANT";
	static const char partner[] = "AYANT_DROIT lien=PACS;nom=Durand;"
		"prenom=Alex;date_naissance=1989-01-01";
	struct change c;
	struct record r;
	char code[8];

	(void)state;
	reset();
	rec_in(STATUS_AFFILIE, &r);
	/* A student's cover ends after 26, the day of 27. */
	assert_int_equal(run(&r, child, 0, &c, code), 0);
	assert_int_equal(c.ben.op, BEN_ADD);
	assert_true(c.ben.age_due);
	assert_int_equal(date_cmp(c.ben.age, (struct date){ 2037, 5, 1 }), 0);
	assert_int_equal(run(&r, partner, 0, &c, code), 0);
	assert_false(c.ben.age_due);
	/* One partner at a time; MAX_BENEFICIARIES in all. */
	F.ben.partners = 1;
	F.ben.covered = 1;
	assert_int_equal(run(&r, partner, 0, &c, code), 1);
	assert_string_equal(code, "E240");
	F.ben.covered = MAX_BENEFICIARIES;
	assert_int_equal(run(&r, child, 0, &c, code), 1);
	assert_string_equal(code, "E241");
	/* Ended: by its id, with its age deadline. */
	reset();
	assert_int_equal(run(&r, "AYANT_DROIT lien=ENFANT;nom=Martin;"
			     "prenom=Léo;date_naissance=2010-05-01;"
			     "date_fin=2026-12-31", 0, &c, code), 1);
	assert_string_equal(code, "E242");
	F.ben.id = 9;
	assert_int_equal(run(&r, "AYANT_DROIT lien=ENFANT;nom=Martin;"
			     "prenom=Léo;date_naissance=2010-05-01;"
			     "date_fin=2026-12-31", 0, &c, code), 0);
	assert_int_equal(c.ben.op, BEN_END);
	assert_int_equal(c.ben.id, 9);
	assert_string_equal(c.drop_age, "{\"beneficiary\":9}");
}

static void test_who_is_who(void **state)
{
	struct date today = { 2026, 11, 28 };

	(void)state;
	assert_true(lien_is_partner("PACS"));
	assert_true(lien_is_partner("CONCUBIN"));
	assert_false(lien_is_partner("ENFANT"));
	assert_false(lien_is_partner(NULL));
	/* The loi Evin letter: adults, a child of 18 the day it is. */
	assert_true(dependant_gets_letter("CONJOINT", "1999-01-01", today));
	assert_true(dependant_gets_letter("ENFANT", "2008-11-28", today));
	assert_false(dependant_gets_letter("ENFANT", "2008-11-29", today));
	assert_false(dependant_gets_letter("ENFANT", NULL, today));
}

/* ---- radiation -------------------------------------------------------- */

static void test_radiation_held_once(void **state)
{
	static const char future[] =
		"RADIATION date_fin_contrat=2026-12-15;motif_rupture=039";
	char json[512], code[8];
	struct change c;
	struct record r;
	struct radiation back;

	(void)state;
	reset();
	rec_in(STATUS_AFFILIE, &r);
	assert_int_equal(run(&r, future, 0, &c, code), 0);
	assert_string_equal(code, "I213");
	assert_false(c.radiated);
	assert_int_equal(c.to, STATUS_NONE);
	assert_true(c.drop & DL_BIT(DL_RADIATION));
	assert_int_equal(c.ndue, 1);
	assert_int_equal(c.due[0].kind, DL_RADIATION);
	assert_int_equal(date_cmp(c.due[0].due, (struct date){ 2026, 12, 16 }),
			 0);
	/* Its data is the decision: read back the same. */
	assert_int_equal(radiation_parse(c.due[0].data, &back), 0);
	assert_int_equal(back.to, STATUS_RADIE);
	assert_string_equal(back.fin_contrat, "2026-12-15");
	assert_int_equal(radiation_json(&back, json, sizeof(json)), 0);
	assert_string_equal(json, c.due[0].data);
	/* The same one held already: I200, nothing written. */
	F.held = json;
	assert_int_equal(run(&r, future, 0, &c, code), 0);
	assert_string_equal(code, "I200");
	assert_true(change_empty(&c));
	/* Not a radiation: refused as data. */
	assert_int_equal(radiation_parse("{\"to\":\"AFFILIE\"}", &back), -1);
	assert_int_equal(radiation_parse("not json", &back), -1);
	assert_int_equal(radiation_parse(NULL, &back), -1);
}

static void test_radiation_now(void **state)
{
	struct change c;
	struct record r;
	char code[8];

	(void)state;
	reset();
	rec_in(STATUS_AFFILIE, &r);
	assert_int_equal(run(&r, "RADIATION date_fin_contrat=2026-11-20;"
			     "motif_rupture=043", 0, &c, code), 0);
	assert_true(c.radiated);
	assert_int_equal(c.rad.to, STATUS_PORTABILITE);
	assert_int_equal(c.hist[c.nhist - 1].to, STATUS_PORTABILITE);
	assert_int_equal(c.ndue, 1);	/* no proof asked in this config */
	assert_int_equal(c.due[0].kind, DL_FIN_PORTABILITE);
	assert_int_equal(c.nnotice, 1);
	assert_int_equal(c.notice[0].kind, NOTICE_RADIATION_PORTABILITE);
	assert_int_equal(c.notice[0].to, RCPT_DEPARTURE);
}

static void test_annulation_facts(void **state)
{
	struct change c;
	struct record r;
	char code[8];

	(void)state;
	reset();
	rec_in(STATUS_RADIE, &r);
	/* The record changed since the radiation: E293. */
	F.last = r.radiation_hist + 1;
	assert_int_equal(run(&r, "ANNULATION operation_annulee=RADIATION", 0,
			     &c, code), 1);
	assert_string_equal(code, "E293");
	/* It did not: back to AFFILIE, the radiation's data cleared. */
	F.last = r.radiation_hist;
	assert_int_equal(run(&r, "ANNULATION operation_annulee=RADIATION", 0,
			     &c, code), 0);
	assert_int_equal(c.to, STATUS_AFFILIE);
	assert_int_equal(c.nset, 9);
	assert_null(c.set[0].value);
	assert_true(c.drop & DL_BIT(DL_FIN_PORTABILITE));
	/* Held for its day: only the deadline goes. */
	F.held = "{}";
	rec_in(STATUS_AFFILIE, &r);
	assert_int_equal(run(&r, "ANNULATION operation_annulee=RADIATION", 0,
			     &c, code), 0);
	assert_int_equal(c.to, STATUS_NONE);
	assert_int_equal(c.drop, DL_BIT(DL_RADIATION));
}

/* ---- the deadlines on their day ------------------------------------- */

static void test_timer_changes(void **state)
{
	struct change c;
	struct record r;

	(void)state;
	reset();
	/* An invitation unanswered: to remind (reminders are manual). */
	rec_in(STATUS_EN_COURS, &r);
	assert_int_equal(timer_change(&dc, &r, &facts, DL_RELANCE,
				      "2026-11-28", NULL, &c), 0);
	assert_int_equal(c.to, STATUS_A_RELANCER);
	assert_int_equal(c.invite, NOTICE_COUNT);
	/* The link: forgotten once its last day has passed, not before. */
	r.token_expires = "2026-11-28";
	assert_int_equal(timer_change(&dc, &r, &facts, DL_JETON,
				      "2026-11-29", NULL, &c), 1);
	r.token_expires = "2026-11-27";
	assert_int_equal(timer_change(&dc, &r, &facts, DL_JETON,
				      "2026-11-28", NULL, &c), 0);
	assert_string_equal(c.set[0].col, "token_hash");
	assert_null(c.set[1].value);
	/* A dispense renewed meanwhile (a later end) is moot; one ended
	 * does what its reason's at_end says (the dispense table's
	 * defaults, docs/process.md): CSS reinvites, AUTRE_COUVERTURE_
	 * COLLECTIVE reinvites for want of a renewed proof, CDD_MOINS_3_MOIS
	 * leaves the status. */
	rec_in(STATUS_DISPENSE, &r);
	r.dispense_motif = "CSS";
	r.dispense_fin = "2027-01-31";
	assert_int_equal(timer_change(&dc, &r, &facts, DL_FIN_DISPENSE,
				      "2026-11-28", NULL, &c), 1);
	r.dispense_fin = "2026-11-27";
	assert_int_equal(timer_change(&dc, &r, &facts, DL_FIN_DISPENSE,
				      "2026-11-28", NULL, &c), 0);
	assert_int_equal(c.to, STATUS_EN_COURS);
	assert_int_equal(c.invite, NOTICE_INVITATION);
	assert_true(c.drop & DL_BIT(DL_PREUVE_DISPENSE));
	assert_string_equal(c.hist[0].what, "fin de dispense : nouvelle "
			    "invitation");
	r.dispense_motif = "AUTRE_COUVERTURE_COLLECTIVE";
	assert_int_equal(timer_change(&dc, &r, &facts, DL_FIN_DISPENSE,
				      "2026-11-28", NULL, &c), 0);
	assert_int_equal(c.to, STATUS_EN_COURS);
	assert_string_equal(c.hist[0].what, "fin de dispense sans nouveau "
			    "justificatif : nouvelle invitation");
	r.dispense_motif = "CDD_MOINS_3_MOIS";
	assert_int_equal(timer_change(&dc, &r, &facts, DL_FIN_DISPENSE,
				      "2026-11-28", NULL, &c), 0);
	assert_int_equal(c.to, STATUS_NONE);
	assert_int_equal(c.invite, NOTICE_COUNT);
	/* A child's cover ends the day before: only while still covered. */
	rec_in(STATUS_AFFILIE, &r);
	F.ben_covered = 0;
	assert_int_equal(timer_change(&dc, &r, &facts, DL_AYANT_DROIT_AGE,
				      "2026-11-28", "{\"beneficiary\":9}", &c),
			 1);
	F.ben_covered = 1;
	assert_int_equal(timer_change(&dc, &r, &facts, DL_AYANT_DROIT_AGE,
				      "2026-11-28", "{\"beneficiary\":9}", &c),
			 0);
	assert_int_equal(c.ben.op, BEN_END);
	assert_int_equal(c.ben.id, 9);
	assert_string_equal(c.ben.date_fin, "2026-11-27");
	/* Its data unreadable: an error (left pending, logged), not a
	 * cover that silently goes on. */
	assert_int_equal(timer_change(&dc, &r, &facts, DL_AYANT_DROIT_AGE,
				      "2026-11-28", "{}", &c), -1);
	assert_int_equal(timer_change(&dc, &r, &facts, DL_AYANT_DROIT_AGE,
				      "2026-11-28", "{\"beneficiary\":\"9\"}",
				      &c), -1);
	/* The proof of unemployment, received meanwhile: nothing to ask. */
	rec_in(STATUS_PORTABILITE, &r);
	assert_int_equal(timer_change(&dc, &r, &facts, DL_PREUVE_CHOMAGE,
				      "2026-11-28", NULL, &c), 0);
	assert_int_equal(c.notice[0].kind, NOTICE_JUSTIFICATIF_CHOMAGE);
	r.preuve_chomage = "2026-11-25";
	assert_int_equal(timer_change(&dc, &r, &facts, DL_PREUVE_CHOMAGE,
				      "2026-11-28", NULL, &c), 1);
	/* A held radiation whose data is not one: an error, not a guess. */
	assert_int_equal(timer_change(&dc, &r, &facts, DL_RADIATION,
				      "2026-11-28", "[]", &c), -1);
}

/* ---- the change itself ------------------------------------------------ */

static void test_change_full_is_marked(void **state)
{
	static struct change c;
	char big[CHANGE_ARENA + 1];
	int i;

	(void)state;
	change_init(&c);
	assert_true(change_empty(&c));
	for (i = 0; i < CHANGE_SETS; i++)
		change_set(&c, "nom", "x");
	assert_false(c.full);
	change_set(&c, "nom", "x");
	assert_true(c.full);
	change_init(&c);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_string_equal(change_str(&c, big), "");
	assert_true(c.full);
	/* Strings live in the arena, not in the caller's buffer. */
	change_init(&c);
	snprintf(big, sizeof(big), "avant");
	change_hist(&c, STATUS_AFFILIE, STATUS_AFFILIE, big);
	snprintf(big, sizeof(big), "après");
	assert_string_equal(c.hist[0].what, "avant");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_new_is_one_insert),
		cmocka_unit_test(test_rehire_from_portability),
		cmocka_unit_test(test_confirmation_needs_an_email),
		cmocka_unit_test(test_mandate_facts),
		cmocka_unit_test(test_modification_facts),
		cmocka_unit_test(test_dispense_from_the_portal),
		cmocka_unit_test(test_ayant_droit_facts),
		cmocka_unit_test(test_who_is_who),
		cmocka_unit_test(test_radiation_held_once),
		cmocka_unit_test(test_radiation_now),
		cmocka_unit_test(test_annulation_facts),
		cmocka_unit_test(test_timer_changes),
		cmocka_unit_test(test_change_full_is_marked),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
