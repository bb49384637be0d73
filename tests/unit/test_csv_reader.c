/*
 * test_csv_reader - the CSV reader on small in-memory files: separators,
 * BOM, CRLF, quoted fields across lines, true line numbers, header folding
 * and aliases, trailer, and every whole-file limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "parsers/csv_reader.h"

struct result {
	int n;
	long lines[8];
	char nir[8][32];
	char nom[8][64];
	char code[8][8];	/* the movement's first finding, "" if none */
	enum field field[8];
	char msg[8][DIAG_MSG_MAX];
	int rc;
	struct file_diag fatal;
	size_t nwarn;
	char warn[64];
};

/* read_all - every movement of data, as the pipeline would read them */
static void read_all(const char *data, size_t len, enum csv_encoding enc,
		     struct result *out)
{
	struct cfg_alias alias = { "numero_securite_sociale", "nir" };
	struct csv_opts opts = { enc, &alias, 1 };
	int fd = memfd_create("csv", 0);
	struct csv_reader *r;
	struct movement mv;
	const struct file_diag *w;

	memset(out, 0, sizeof(*out));
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	lseek(fd, 0, SEEK_SET);
	r = csv_reader_open(fd, &opts);
	mv_init(&mv);
	while ((out->rc = csv_reader_next(r, &mv)) == 1 && out->n < 8) {
		out->lines[out->n] = mv.line;
		snprintf(out->nir[out->n], 32, "%s",
			 mv_get(&mv, F_NIR) ? mv_get(&mv, F_NIR) : "(absent)");
		snprintf(out->nom[out->n], 64, "%s",
			 mv_get(&mv, F_NOM) ? mv_get(&mv, F_NOM) : "(absent)");
		if (mv.ndiags > 0) {
			snprintf(out->code[out->n], 8, "%s", mv.diags[0].code);
			out->field[out->n] = mv.diags[0].field;
			snprintf(out->msg[out->n], DIAG_MSG_MAX, "%s",
				 mv.diags[0].msg);
		}
		out->n++;
	}
	if (out->rc < 0)
		out->fatal = *csv_reader_fatal(r);
	w = csv_reader_warnings(r, &out->nwarn);
	if (out->nwarn)
		snprintf(out->warn, sizeof(out->warn), "%s", w[0].d.code);
	mv_free(&mv);
	csv_reader_close(r);
	close(fd);
}

static void rd(const char *s, struct result *out)
{
	read_all(s, strlen(s), CSV_ENC_UTF8, out);
}

static void test_semicolon_lf(void **state)
{
	struct result r;

	(void)state;
	rd("operation;nir;nom\nAFFILIATION_SIMPLE;1;Dupont\nRELANCE;2;\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.lines[0], 2);
	assert_int_equal(r.lines[1], 3);
	assert_string_equal(r.nom[0], "Dupont");
	assert_string_equal(r.nom[1], "");
}

static void test_comma_tab_detected(void **state)
{
	struct result r;

	(void)state;
	rd("operation,nir,nom\nRELANCE,1,\"A, B\"\n", &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.nom[0], "A, B");
	rd("operation\tnir\tnom\nRELANCE\t1\tLe Gall\n", &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.nom[0], "Le Gall");
}

static void test_bom_crlf_blank_lines_and_multiline(void **state)
{
	struct result r;

	(void)state;
	rd("\xEF\xBB\xBFoperation;nir;nom\r\n\r\nRELANCE;1;\"deux\r\nlignes\"\r\n"
	   "\r\nRELANCE;2;x\r\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.lines[0], 3);	/* blank line 2 counted */
	assert_int_equal(r.lines[1], 6);	/* row 3 spans lines 3-4 */
	assert_string_equal(r.nom[0], "deux\r\nlignes");
}

static void test_header_folding_and_alias(void **state)
{
	struct result r;

	(void)state;
	rd("Opération;Numéro sécurité sociale;NOM;Colonne Inconnue\n"
	   "RELANCE;1;X;y\n", &r);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.nir[0], "1");
	assert_string_equal(r.nom[0], "X");
	assert_int_equal(r.nwarn, 1);
	assert_string_equal(r.warn, "W001");
}

static void test_absent_column_is_null(void **state)
{
	struct result r;

	(void)state;
	rd("operation;nom\nRELANCE;X\n", &r);
	assert_string_equal(r.nir[0], "(absent)");
}

static void test_no_operation_column(void **state)
{
	struct result r;

	(void)state;
	rd("nir;nom\n1;2\n", &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.fatal.d.code, "E002");
	assert_int_equal(r.fatal.line, 1);
}

static void test_bad_quote_names_its_line(void **state)
{
	struct result r;

	(void)state;
	rd("operation;nom\nRELANCE;ok\nRELANCE;a\"b\n", &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.fatal.d.code, "E008");
	assert_int_equal(r.fatal.line, 3);
	rd("operation;nom\nRELANCE;\"never closed\n", &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.fatal.d.code, "E008");
	assert_int_equal(r.fatal.line, 2);
}

static void test_trailer(void **state)
{
	struct result r;

	(void)state;
	rd("operation;nir\nRELANCE;1\nRELANCE;2\nFIN;2\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	rd("operation;nir\nRELANCE;1\nRELANCE;2\nFIN;3\n", &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.fatal.d.code, "E004");
	assert_int_equal(r.fatal.line, 4);
	rd("operation;nir\nFIN;0\nRELANCE;1\n", &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.fatal.d.code, "E004");
}

static void test_limits(void **state)
{
	static char big[(1u << 20) + 64];
	struct result r;
	size_t n;
	int i;

	(void)state;
	n = (size_t)snprintf(big, sizeof(big), "operation;nom\nRELANCE;");
	memset(big + n, 'x', (1u << 20) + 10 - n);
	read_all(big, (1u << 20) + 10, CSV_ENC_UTF8, &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.fatal.d.code, "E007");
	assert_int_equal(r.fatal.line, 2);
	n = (size_t)snprintf(big, sizeof(big), "operation");
	for (i = 0; i < 210; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, ";c%d", i);
	read_all(big, n, CSV_ENC_UTF8, &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.fatal.d.code, "E007");
}

/*
 * A NUL used to end the value where it stood ("Ma\0rtin" stored as "Ma",
 * applied, CR0).  NUL and the C0 controls a value may not hold refuse the
 * row, naming the column; TAB, CR and LF inside quotes are left to the
 * field rules (E171 for a name), as before.
 */
static void test_control_character_refuses_its_row(void **state)
{
	static const char data[] = "operation;nir;nom\n"
				   "RELANCE;1;Dupont\n"
				   "RELANCE;2;Ma\0rtin\n"
				   "RELANCE;3;\"deux\r\nlignes\tici\"\n"
				   "RELANCE;4\x01;X\n"
				   "RELANCE;5;\"Le\x1b[31m\"\n";
	struct result r;

	(void)state;
	read_all(data, sizeof(data) - 1, CSV_ENC_UTF8, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 5);
	assert_string_equal(r.code[0], "");
	assert_int_equal(r.lines[1], 3);
	assert_string_equal(r.code[1], "E190");
	assert_int_equal(r.field[1], F_NOM);
	assert_non_null(strstr(r.msg[1], "U+0000"));
	assert_string_not_equal(r.nom[1], "Ma");	/* never cut silently */
	assert_string_equal(r.code[2], "");
	assert_string_equal(r.nom[2], "deux\r\nlignes\tici");
	assert_int_equal(r.lines[3], 6);
	assert_string_equal(r.code[3], "E190");
	assert_int_equal(r.field[3], F_NIR);
	assert_string_equal(r.code[4], "E190");
	assert_non_null(strstr(r.msg[4], "U+001B"));
}

/* The same in a UTF-16 file: the NUL is found after decoding. */
static void test_control_character_utf16(void **state)
{
	static const char data[] = "\xFF\xFEo\0p\0e\0r\0a\0t\0i\0o\0n\0;\0n\0"
				   "o\0m\0\n\0R\0E\0L\0A\0N\0C\0E\0;\0M\0"
				   "\0\0x\0\n\0";
	struct result r;

	(void)state;
	read_all(data, sizeof(data) - 1, CSV_ENC_UTF16, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.code[0], "E190");
	assert_int_equal(r.lines[0], 2);
}

static void test_cp1252(void **state)
{
	struct result r;
	const char data[] = "operation;nom\nRELANCE;Lef\xE8vre\n";
	const char bad[] = "operation;nom\nRELANCE;ok\nRELANCE;\x81\n";

	(void)state;
	read_all(data, sizeof(data) - 1, CSV_ENC_CP1252, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.nom[0], "Lef\xC3\xA8vre");
	read_all(bad, sizeof(bad) - 1, CSV_ENC_CP1252, &r);
	assert_int_equal(r.rc, -1);
	assert_string_equal(r.fatal.d.code, "E009");
	assert_int_equal(r.fatal.line, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_semicolon_lf),
		cmocka_unit_test(test_comma_tab_detected),
		cmocka_unit_test(test_bom_crlf_blank_lines_and_multiline),
		cmocka_unit_test(test_header_folding_and_alias),
		cmocka_unit_test(test_absent_column_is_null),
		cmocka_unit_test(test_no_operation_column),
		cmocka_unit_test(test_bad_quote_names_its_line),
		cmocka_unit_test(test_trailer),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_cp1252),
		cmocka_unit_test(test_control_character_refuses_its_row),
		cmocka_unit_test(test_control_character_utf16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
