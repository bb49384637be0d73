/*
 * test_report - the XML compte rendu: streamed, escaped, always UTF-8 that
 * parses, whatever the input's name (control characters, Latin-1 bytes)
 * or a message carries; the trailing resume with the counts.
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

#include "report/report.h"

/* slurp - the whole file, NUL-terminated; free() it */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *s = calloc(1, 1 << 16);
	size_t n;

	assert_non_null(fp);
	assert_non_null(s);
	n = fread(s, 1, (1 << 16) - 1, fp);
	fclose(fp);
	s[n] = '\0';
	return s;
}

static void test_xml_report(void **state)
{
	char path[] = "/tmp/affild-report-XXXXXX";
	struct report_counts c = { 2, 1, 1, 0 };
	struct report *r;
	char *s;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	r = report_open(path, REPORT_XML, "paie\x01&\"co\xe9.xml");
	assert_non_null(r);
	assert_int_equal(report_line(r, 4, "AFFILIATION_SIMPLE",
				     "190049900050094", "ACCEPTE", "I000", "",
				     "mouvement appliqué"), 0);
	assert_int_equal(report_line(r, 12, "AFFILIATION_SIMPLE", "1", "REJETE",
				     "E170", "nom", "texte <b> & \"x\"\tfin\n"),
			 0);
	assert_int_equal(report_summary(r, 2, &c, NULL), 0);
	assert_int_equal(report_close(r), 0);
	s = slurp(path);
	assert_non_null(strstr(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			       "<compte_rendu fichier=\"paie\xEF\xBF\xBD&amp;"
			       "&quot;co\xEF\xBF\xBD.xml\">\n"));
	assert_non_null(strstr(s, "  <ligne numero=\"4\" operation="
			       "\"AFFILIATION_SIMPLE\" nir=\"190049900050094\" "
			       "resultat=\"ACCEPTE\" code=\"I000\" champ=\"\" "
			       "message=\"mouvement appliqué\"/>\n"));
	assert_non_null(strstr(s, "message=\"texte &lt;b&gt; &amp; &quot;x"
			       "&quot;&#9;fin&#10;\"/>"));
	assert_non_null(strstr(s, "code=\"CR2\""));
	assert_non_null(strstr(s, "  <resume code_retour=\"2\" mouvements=\"2\" "
			       "acceptes=\"1\" rejetes=\"1\" avertissements="
			       "\"0\"/>\n</compte_rendu>\n"));
	free(s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xml_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
