/*
 * test_template - mail/template.c: filling placeholders, and the config
 * check that turns a bad template into "FILE:LINE: message".
 *
 * Each test writes its templates into a fresh temporary directory.  The
 * shipped templates are checked from AFFILD_TEMPLATES (default
 * "templates/fr", the tests run from the repository root).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/log.h"
#include "mail/message.h"
#include "mail/template.h"

static const char *const all_kinds[] = {
	"invitation", "relance", "confirmation", "affiliation_forcee",
	"radiation", "radiation_portabilite", "fin_portabilite", "loi_evin",
	"loi_evin_ayants_droit", "finalisation_rejetee",
	"dispense_justificatif", "dispense_employeur",
	"finalisation_employeur", "compte_rendu_employeur", "digest_relances",
	"justificatif_chomage", "fichier_attendu", "fichier_petit",
};

#define NKINDS (sizeof(all_kinds) / sizeof(all_kinds[0]))

static const struct tpl_var person[] = {
	{ "prenom", "Éloïse" },
	{ "nom", "Dupont" },
	{ "employeur", "ACME" },
	{ "lien", "https://portail.example/a?t=abc" },
};

struct fixture {
	char dir[64];
	struct buf subject, text, html, errors;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_template.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	buf_init(&f->subject, 1024);
	buf_init(&f->text, 1 << 16);
	buf_init(&f->html, 1 << 16);
	buf_init(&f->errors, 1 << 16);
	*state = f;
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	buf_free(&f->subject);
	buf_free(&f->text);
	buf_free(&f->html);
	buf_free(&f->errors);
	free(f);
	return 0;
}

static void write_file(const struct fixture *f, const char *name,
		       const char *content)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fputs(content, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void remove_file(const struct fixture *f, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(unlink(path), 0);
}

/* write_all_valid - a minimal valid .txt for every kind */
static void write_all_valid(const struct fixture *f)
{
	char name[64];
	size_t i;

	for (i = 0; i < NKINDS; i++) {
		snprintf(name, sizeof(name), "%s.txt", all_kinds[i]);
		write_file(f, name, strcmp(all_kinds[i], "invitation") == 0 ||
				    strcmp(all_kinds[i], "relance") == 0
					    ? "Sujet: S\n\nLien : {{lien}}\n"
					    : "Sujet: S\n\nCorps.\n");
	}
}

/* assert_problem - errors holds the line "<dir>/<file>:<rest>" */
static void assert_problem(const struct fixture *f, const char *file,
			   const char *rest)
{
	char want[512];

	snprintf(want, sizeof(want), "%s/%s:%s\n", f->dir, file, rest);
	if (strstr(buf_str(&f->errors), want) == NULL)
		fail_msg("missing \"%s\" in:\n%s", want, buf_str(&f->errors));
}

static void test_substitution(void **state)
{
	struct fixture *f = *state;

	write_file(f, "invitation.txt",
		   "Sujet:   Bienvenue {{prenom}} chez {{ employeur }}  \r\n"
		   "\r\n"
		   "Bonjour {{prenom}} {{nom}},\r\n"
		   "{ pas un placeholder } {x}\n"
		   "Lien : {{lien}}\n"
		   "Avant le {{date_limite}}.\n");
	assert_int_equal(tpl_render(f->dir, "invitation", person, 4,
				    &f->subject, &f->text, &f->html), 0);
	assert_string_equal(buf_str(&f->subject), "Bienvenue Éloïse chez ACME");
	assert_string_equal(buf_str(&f->text),
			    "Bonjour Éloïse Dupont,\n"
			    "{ pas un placeholder } {x}\n"
			    "Lien : https://portail.example/a?t=abc\n"
			    "Avant le .\n");
	/* No invitation.html: the HTML buffer is left empty. */
	assert_int_equal(f->html.len, 0);
}

static void test_html_escaped(void **state)
{
	struct fixture *f = *state;
	const struct tpl_var vars[] = {
		{ "employeur", "Martin & Fils <SARL>" },
		{ "nom", "O'Brien \"Jr\"" },
		{ "lien", "https://p.example/?a=1&b=2" },
	};

	write_file(f, "invitation.txt",
		   "Sujet: {{employeur}}\n\n{{employeur}} {{lien}}\n");
	write_file(f, "invitation.html",
		   "<p>{{employeur}} {{nom}}</p>\n<a href=\"{{lien}}\">ici</a>\n");
	assert_int_equal(tpl_render(f->dir, "invitation", vars, 3,
				    &f->subject, &f->text, &f->html), 0);
	assert_string_equal(buf_str(&f->subject), "Martin & Fils <SARL>");
	assert_string_equal(buf_str(&f->text),
			    "Martin & Fils <SARL> https://p.example/?a=1&b=2\n");
	assert_string_equal(buf_str(&f->html),
			    "<p>Martin &amp; Fils &lt;SARL&gt; O&#39;Brien "
			    "&quot;Jr&quot;</p>\n"
			    "<a href=\"https://p.example/?a=1&amp;b=2\">ici</a>\n");
}

static void test_render_refusals(void **state)
{
	struct fixture *f = *state;
	const struct tpl_var nl[] = { { "employeur", "ACME\r\nBcc: x@y" } };

	write_file(f, "invitation.txt", "Sujet: {{employeur}}\n\n{{lien}}\n");
	write_file(f, "relance.txt", "Sujet: R\n\n{{lien}} {{nir}}\n");
	write_file(f, "radiation.txt", "Sujet: R\n\nvoir {{date_fin_droits\n");
	/* A line break in a subject value would become header injection. */
	assert_int_equal(tpl_render(f->dir, "invitation", nl, 1, &f->subject,
				    &f->text, NULL), -1);
	assert_int_equal(tpl_render(f->dir, "relance", person, 4, &f->subject,
				    &f->text, NULL), -1);
	assert_int_equal(tpl_render(f->dir, "radiation", person, 4, &f->subject,
				    &f->text, NULL), -1);
	assert_int_equal(tpl_render(f->dir, "nouveau", person, 4, &f->subject,
				    &f->text, NULL), -1);
	assert_int_equal(tpl_render(f->dir, "../invitation", person, 4,
				    &f->subject, &f->text, NULL), -1);
	assert_int_equal(tpl_render(f->dir, NULL, person, 4, &f->subject,
				    &f->text, NULL), -1);
	/* Known kind, file missing. */
	assert_int_equal(tpl_render(f->dir, "loi_evin", person, 4, &f->subject,
				    &f->text, NULL), -1);
	assert_false(tpl_kind_known("nouveau"));
	assert_true(tpl_kind_known("loi_evin"));
}

static void test_render_max(void **state)
{
	struct fixture *f = *state;
	struct buf small;

	write_file(f, "invitation.txt",
		   "Sujet: S\n\n0123456789 0123456789 {{lien}}\n");
	buf_init(&small, 16);
	assert_int_equal(tpl_render(f->dir, "invitation", person, 4,
				    &f->subject, &small, NULL), -1);
	buf_free(&small);
}

static void test_check_unknown_placeholder(void **state)
{
	struct fixture *f = *state;

	write_all_valid(f);
	write_file(f, "invitation.txt",
		   "Sujet: Bonjour {{prenom}} {{Prénom}}\n"
		   "\n"
		   "Bonjour {{prenom}},\n"
		   "\n"
		   "Votre NIR : {{nir}}, IBAN {{ iban }}\n"
		   "{{lien}}\n");
	assert_int_equal(tpl_check_dir(f->dir, &f->errors), 3);
	assert_problem(f, "invitation.txt",
		       "1: unknown placeholder {{Prénom}} for invitation");
	assert_problem(f, "invitation.txt",
		       "5: unknown placeholder {{nir}} for invitation");
	assert_problem(f, "invitation.txt",
		       "5: unknown placeholder {{iban}} for invitation");
}

static void test_check_placeholder_of_other_kind(void **state)
{
	struct fixture *f = *state;

	write_all_valid(f);
	/* {{lien}} belongs to invitation, not to the radiation notice. */
	write_file(f, "radiation.txt", "Sujet: Fin\n\nVoir {{lien}}\n");
	assert_int_equal(tpl_check_dir(f->dir, &f->errors), 1);
	assert_problem(f, "radiation.txt",
		       "3: unknown placeholder {{lien}} for radiation");
}

static void test_check_structure(void **state)
{
	struct fixture *f = *state;

	write_all_valid(f);
	write_file(f, "relance.txt", "Sujet: R\n\n{{lien}}\nBonjour {{prenom\n");
	write_file(f, "invitation.txt", "Sujet: I\n\nPas de lien.\n");
	write_file(f, "confirmation.txt", "Objet: C\n\nCorps\n");
	write_file(f, "radiation.txt", "Sujet: R\nCorps collé\n");
	write_file(f, "loi_evin.txt", "Sujet: L\n\n\n");
	write_file(f, "fin_portabilite.txt", "Sujet: caf\xE9\n\nCorps\n");
	write_file(f, "confirmation.html", "<p>{{option}}</p>\n<p>{{motif}}</p>\n");
	remove_file(f, "digest_relances.txt");
	assert_int_equal(tpl_check_dir(f->dir, &f->errors), 8);
	assert_problem(f, "relance.txt", "4: unterminated {{ (a placeholder is "
					 "{{name}} on one line)");
	assert_problem(f, "invitation.txt",
		       "0: the body must use {{lien}} for invitation");
	assert_problem(f, "confirmation.txt",
		       "1: first line must be \"Sujet: <subject>\"");
	assert_problem(f, "radiation.txt",
		       "2: a blank line must follow the subject");
	assert_problem(f, "loi_evin.txt", "3: empty body");
	assert_problem(f, "fin_portabilite.txt",
		       "1: invalid UTF-8 (save the file as UTF-8)");
	assert_problem(f, "confirmation.html",
		       "2: unknown placeholder {{motif}} for confirmation");
	assert_problem(f, "digest_relances.txt", "0: missing file");
}

static void test_check_empty_dir(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(tpl_check_dir(f->dir, &f->errors), (int)NKINDS);
	assert_problem(f, "invitation.txt", "0: missing file");
}

static void test_check_bom_and_crlf(void **state)
{
	struct fixture *f = *state;

	write_all_valid(f);
	write_file(f, "confirmation.txt",
		   "\xEF\xBB\xBFSujet: Confirmée\r\n\r\n{{option}}\r\n");
	assert_int_equal(tpl_check_dir(f->dir, &f->errors), 0);
	assert_int_equal(tpl_render(f->dir, "confirmation", NULL, 0,
				    &f->subject, &f->text, NULL), 0);
	assert_string_equal(buf_str(&f->subject), "Confirmée");
	assert_string_equal(buf_str(&f->text), "\n");
}

static const char *shipped_dir(void)
{
	const char *dir = getenv("AFFILD_TEMPLATES");

	return dir ? dir : "templates/fr";
}

static void test_shipped_templates_check(void **state)
{
	struct fixture *f = *state;
	int n = tpl_check_dir(shipped_dir(), &f->errors);

	if (n != 0)
		fail_msg("%d problem(s):\n%s", n, buf_str(&f->errors));
}

/* Every shipped kind, every value given, renders into a valid email. */
static void test_shipped_templates_render(void **state)
{
	static const char *names[] = {
		"prenom", "nom", "employeur", "lien", "date_limite", "option",
		"date_effet", "date_fin_droits", "date_debut_portabilite",
		"date_fin_portabilite", "duree_mois", "motif", "motif_dispense",
		"date_fin_dispense", "matricule", "date_demande", "fichier",
		"identifiant", "code_retour", "mouvements", "acceptes",
		"rejetes", "avertissements", "nombre", "liste",
		"prenom_salarie", "nom_salarie",
	};
	struct tpl_var vars[sizeof(names) / sizeof(names[0])];
	struct fixture *f = *state;
	struct mail_msg m = {
		.from = "Service Adhésions <adhesions@assureur.example>",
		.to = "salarie@example.com",
		.message_id = "1@affild.example",
		.date = 1730800000,
	};
	struct buf out;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		vars[i].name = names[i], vars[i].value = "VALEUR";
	for (i = 0; i < NKINDS; i++) {
		buf_reset(&f->subject);
		buf_reset(&f->text);
		buf_reset(&f->html);
		assert_int_equal(tpl_render(shipped_dir(), all_kinds[i], vars,
					    sizeof(vars) / sizeof(vars[0]),
					    &f->subject, &f->text, &f->html), 0);
		assert_null(strstr(buf_str(&f->subject), "{{"));
		assert_null(strstr(buf_str(&f->text), "{{"));
		assert_non_null(strstr(buf_str(&f->text), "VALEUR"));
		m.subject = buf_str(&f->subject);
		m.body_text = buf_str(&f->text);
		m.body_html = f->html.len ? buf_str(&f->html) : NULL;
		buf_init(&out, 1 << 20);
		assert_int_equal(mail_msg_render(&m, &out), 0);
		buf_free(&out);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_substitution),
		T(test_html_escaped),
		T(test_render_refusals),
		T(test_render_max),
		T(test_check_unknown_placeholder),
		T(test_check_placeholder_of_other_kind),
		T(test_check_structure),
		T(test_check_empty_dir),
		T(test_check_bom_and_crlf),
		T(test_shipped_templates_check),
		T(test_shipped_templates_render),
	};

	log_init("test_template", LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
