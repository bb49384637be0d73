/*
 * test_xml_reader - the XML reader on small files (tests/unit/data/xml/)
 * and on files built here when they must be big: nesting, line numbers
 * (past libxml2's 65535 too), numero_personne, DOCTYPE refused before
 * libxml2 reads (the external entity's file is never even opened), billion
 * laughs, XSD violations, depth, long values, gzip, the embedded XSD.
 *
 * Tests run from the top of the tree (make unit).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "common/util.h"
#include "parsers/xml_reader.h"
#include "parsers/xml_schema.h"

#define DATA "tests/unit/data/xml/"
#define MAXMV 16

struct result {
	int n, rc;
	long lines[MAXMV];
	enum op ops[MAXMV];
	char nir[MAXMV][32];
	char nom[MAXMV][64];
	char prenom[MAXMV][64];
	char numero[MAXMV][16];
	char email[MAXMV][32];	/* never "(absent)": absent reads "" */
	char diag[MAXMV][8];
	struct file_diag fatal;
};

static void copy(char *dst, size_t len, const struct movement *mv,
		 enum field f)
{
	const char *v = mv_get(mv, f);

	snprintf(dst, len, "%s", v ? v : "(absent)");
}

/* read_fd - every movement of fd, as the pipeline would read them */
static void read_fd(int fd, int no_schema, struct result *out)
{
	struct xml_opts opts = { no_schema };
	struct xml_reader *r = xml_reader_open(fd, &opts);
	struct movement mv;
	int i;

	memset(out, 0, sizeof(*out));
	mv_init(&mv);
	while ((out->rc = xml_reader_next(r, &mv)) == 1) {
		i = out->n < MAXMV ? out->n : MAXMV - 1;
		out->lines[i] = mv.line;
		out->ops[i] = mv.op;
		copy(out->nir[i], sizeof(out->nir[i]), &mv, F_NIR);
		copy(out->nom[i], sizeof(out->nom[i]), &mv, F_NOM);
		copy(out->prenom[i], sizeof(out->prenom[i]), &mv, F_PRENOM);
		copy(out->numero[i], sizeof(out->numero[i]), &mv,
		     F_NUMERO_PERSONNE);
		copy(out->email[i], sizeof(out->email[i]), &mv, F_EMAIL);
		if (mv.ndiags > 0)
			snprintf(out->diag[i], 8, "%s", mv.diags[0].code);
		out->n++;
	}
	if (out->rc < 0)
		out->fatal = *xml_reader_fatal(r);
	mv_free(&mv);
	xml_reader_close(r);
}

static void read_file(const char *name, struct result *out)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	read_fd(fd, 0, out);
	close(fd);
}

/* read_mem - len bytes of data through a memfd */
static void read_mem(const char *data, size_t len, int no_schema,
		     struct result *out)
{
	int fd = memfd_create("xml", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	read_fd(fd, no_schema, out);
	close(fd);
}

static void assert_fatal(const struct result *r, const char *code, long line)
{
	assert_int_equal(r->rc, -1);
	assert_string_equal(r->fatal.d.code, code);
	assert_int_equal(r->fatal.line, line);
}

static void test_nesting_lines_and_numero_personne(void **state)
{
	struct result r;

	(void)state;
	read_file(DATA "ok.xml", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 7);
	/* The parent, then its two beneficiaries with its nir. */
	assert_int_equal(r.ops[0], OP_AFFILIATION_COMPLETE);
	assert_int_equal(r.lines[0], 5);
	assert_string_equal(r.nom[0], "Lefèvre & Fils");
	assert_string_equal(r.prenom[0], "Anaïs <A>");
	assert_string_equal(r.email[0], "");
	assert_int_equal(r.ops[1], OP_AYANT_DROIT);
	assert_int_equal(r.lines[1], 10);
	assert_string_equal(r.nir[1], "295109900010103");
	assert_string_equal(r.prenom[1], "Léo");
	assert_string_equal(r.nom[1], "");
	assert_int_equal(r.ops[2], OP_AYANT_DROIT);
	assert_int_equal(r.lines[2], 12);
	assert_string_equal(r.nir[2], "295109900010103");
	assert_string_equal(r.numero[2], "12345678");
	/* A child element wins over the root's numero_personne. */
	assert_int_equal(r.ops[3], OP_RADIATION);
	assert_int_equal(r.lines[3], 16);
	assert_string_equal(r.numero[3], "87654321");
	/* A top-level beneficiary carries its own nir. */
	assert_int_equal(r.ops[4], OP_AYANT_DROIT);
	assert_string_equal(r.nir[4], "290049900010353");
	assert_string_equal(r.numero[4], "12345678");
	/* A parent without children, and an empty movement. */
	assert_int_equal(r.ops[5], OP_AFFILIATION_COMPLETE);
	assert_int_equal(r.lines[5], 18);
	assert_int_equal(r.ops[6], OP_RELANCE);
	assert_int_equal(r.lines[6], 19);
	assert_string_equal(r.nir[6], "");
}

static void test_field_twice_rejects_the_movement(void **state)
{
	struct result r;

	(void)state;
	read_file(DATA "dup.xml", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.diag[0], "E107");
	assert_string_equal(r.nir[0], "1");
	assert_string_equal(r.diag[1], "");
}

/* watch_canary - an inotify watch that sees any open of the canary */
static int watch_canary(void)
{
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	assert_true(in >= 0);
	assert_true(inotify_add_watch(in, DATA "canary.txt",
				      IN_OPEN | IN_ACCESS) >= 0);
	return in;
}

static int canary_opened(int in)
{
	char ev[4096] __attribute__((aligned(8)));
	ssize_t n = read(in, ev, sizeof(ev));

	assert_true(n > 0 || errno == EAGAIN);
	return n > 0;
}

static void test_external_entity_file_is_never_opened(void **state)
{
	struct result r;
	int in = watch_canary(), fd;

	(void)state;
	read_file(DATA "xxe.xml", &r);
	assert_fatal(&r, "E014", 3);
	assert_non_null(strstr(r.fatal.d.msg, "DOCTYPE"));
	assert_int_equal(r.n, 0);
	assert_false(canary_opened(in));
	/* The watch works: opening the canary ourselves is seen. */
	fd = open(DATA "canary.txt", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	assert_true(canary_opened(in));
	close(in);
}

/* A DOCTYPE behind a long prolog is found all the same. */
static void test_doctype_after_long_comment(void **state)
{
	struct buf b;
	struct result r;
	int in = watch_canary(), i;

	(void)state;
	buf_init(&b, 1u << 20);
	buf_addstr(&b, "<?xml version=\"1.0\"?>\n<!--");
	for (i = 0; i < 200000; i++)
		buf_addc(&b, i % 1000 == 999 ? '\n' : 'x');
	buf_addstr(&b, "-->\n<?pi -- ?>\n<!DOCTYPE m [ <!ENTITY x SYSTEM \""
		   DATA "canary.txt\"> ]>\n<mouvements version=\"1\"><relance>"
		   "<nir>&x;</nir></relance></mouvements>\n");
	read_mem(b.data, b.len, 0, &r);
	assert_fatal(&r, "E014", 2 + 200 + 2);
	assert_false(canary_opened(in));
	close(in);
	buf_free(&b);
}

static void test_billion_laughs_stops_at_the_doctype(void **state)
{
	struct result r;

	(void)state;
	read_file(DATA "laughs.xml", &r);
	assert_fatal(&r, "E014", 2);
	assert_int_equal(r.n, 0);
}

static void test_xsd_violations_name_their_line(void **state)
{
	static const struct {
		const char *file;
		long line;
		const char *word;
	} cases[] = {
		{ DATA "xsd_field.xml", 6, "élément « email » inattendu" },
		{ DATA "xsd_root.xml", 2, "racine « movements »" },
		{ DATA "xsd_version.xml", 3, "attribut « version » obligatoire" },
		{ DATA "xsd_text.xml", 2, "texte hors d'un champ" },
		{ DATA "xsd_nested.xml", 5, "élément « nom » inattendu" },
		{ DATA "deep.xml", 3, "« a » inattendu" },
	};
	struct result r;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		read_file(cases[i].file, &r);
		assert_fatal(&r, "E013", cases[i].line);
		assert_non_null(strstr(r.fatal.d.msg, "schéma"));
		assert_non_null(strstr(r.fatal.d.msg, cases[i].word));
	}
}

/* Messages quote names; a long accented one is cut between characters. */
static void test_messages_stay_utf8(void **state)
{
	struct buf b;
	struct result r;
	int i, off;

	(void)state;
	for (off = 0; off < 4; off++) {
		buf_init(&b, 1u << 16);
		buf_addstr(&b, "<mouvements version=\"1\"><relance><");
		for (i = 0; i < off; i++)
			buf_addc(&b, 'x');
		for (i = 0; i < 150; i++)
			buf_addstr(&b, "é");
		buf_addstr(&b, "/></relance></mouvements>\n");
		read_mem(b.data, b.len, 0, &r);
		buf_free(&b);
		assert_fatal(&r, "E013", 1);
		assert_non_null(strstr(r.fatal.d.msg, "inattendu"));
		assert_true(utf8_valid(r.fatal.d.msg, strlen(r.fatal.d.msg)));
	}
}

/* The XSD's cardinality: at most 20 beneficiaries in a group. */
static void test_twenty_one_beneficiaries(void **state)
{
	struct buf b;
	struct result r;
	int i;

	(void)state;
	buf_init(&b, 1u << 16);
	buf_addstr(&b, "<mouvements version=\"1\">\n<affiliation_complete>"
		   "<nir>1</nir>\n");
	for (i = 0; i < 21; i++)
		buf_addstr(&b, "<ayant_droit><lien>ENFANT</lien></ayant_droit>\n");
	buf_addstr(&b, "</affiliation_complete>\n</mouvements>\n");
	read_mem(b.data, b.len, 0, &r);
	buf_free(&b);
	assert_fatal(&r, "E013", 2 + 21);
	assert_non_null(strstr(r.fatal.d.msg, "« ayant_droit » inattendu"));
}

static void test_not_well_formed(void **state)
{
	struct result r;

	(void)state;
	read_file(DATA "malformed.xml", &r);
	assert_fatal(&r, "E012", 4);
	assert_non_null(strstr(r.fatal.d.msg, "balise fermante « relanse »"));
	read_mem("<mouvements version=\"1\">\n<relance><nir>&foo;</nir>"
		 "</relance></mouvements>", 73, 0, &r);
	assert_fatal(&r, "E012", 2);
	assert_non_null(strstr(r.fatal.d.msg, "« &foo; » inconnue"));
	/* An upload cut short: the movements before the cut are not enough. */
	read_mem("<mouvements version=\"1\">\n<relance><nir>1</nir></relance>\n"
		 "<relance><nir>2</nir></relance>\n<relance><nir>3", 104, 0,
		 &r);
	assert_string_equal(r.fatal.d.code, "E012");
	assert_non_null(strstr(r.fatal.d.msg, "envoi interrompu"));
	/* ... even inside a tag's name, which the schema sees first as an
	 * element it does not know; and a real unknown element stays E013. */
	read_mem("<mouvements version=\"1\">\n<relance><nir>1</nir></relance>\n"
		 "<relance><ni", 69, 0, &r);
	assert_fatal(&r, "E012", 3);
	read_mem("<?xml version=\"1.0\"?>\n<mouvements", 33, 0, &r);
	assert_string_equal(r.fatal.d.code, "E012");
	read_mem("<mouvements version=\"1\">\n<relance><ni></ni></relance>\n"
		 "</mouvements>", 67, 0, &r);
	assert_fatal(&r, "E013", 2);
	read_mem("", 0, 0, &r);
	assert_fatal(&r, "E002", 0);
	read_mem("pas du XML\n", 11, 0, &r);
	assert_string_equal(r.fatal.d.code, "E012");
}

/*
 * XML 1.0 allows no C0 control but TAB, CR and LF, raw or as a character
 * reference: libxml2 stops the file (E012); the report must say which
 * character and where, in words an employer can act on.
 */
static void test_control_characters(void **state)
{
	static const struct {
		const char *data;
		size_t len;
		const char *say;
	} cases[] = {
#define CASE(s, say) { s, sizeof(s) - 1, say }
		CASE("<mouvements version=\"1\">\n<relance><nom>Ma\0rtin</nom>"
		     "</relance></mouvements>\n", "U+0000"),
		CASE("<mouvements version=\"1\">\n<relance><nom>Ma&#0;rtin</nom>"
		     "</relance></mouvements>\n", "U+0000"),
		CASE("<mouvements version=\"1\">\n<relance><nom>Ma\x01rtin</nom>"
		     "</relance></mouvements>\n", "U+0001"),
		CASE("<mouvements version=\"1\">\n<relance><nom>Ma&#x1B;rtin"
		     "</nom></relance></mouvements>\n", "U+001B"),
		CASE("<?xml version=\"1.1\"?>\n<relance><nom>Ma&#1;rtin</nom>"
		     "</relance>\n", "U+0001"),
#undef CASE
	};
	struct result r;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(cases); i++) {
		read_mem(cases[i].data, cases[i].len, 1, &r);
		assert_int_equal(r.rc, -1);
		assert_string_equal(r.fatal.d.code, "E012");
		assert_int_equal(r.fatal.line, 2);
		assert_non_null(strstr(r.fatal.d.msg, "caractère de contrôle"));
		assert_non_null(strstr(r.fatal.d.msg, cases[i].say));
	}
}

/* The reader's own limits, which the XSD would otherwise report first. */
static void test_depth_over_32(void **state)
{
	struct result r;
	int fd = open(DATA "deep.xml", O_RDONLY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	read_fd(fd, 1, &r);
	close(fd);
	assert_fatal(&r, "E007", 3);
	assert_non_null(strstr(r.fatal.d.msg, "32"));
}

static void long_value(size_t n, struct result *r, int no_schema)
{
	struct buf b;

	buf_init(&b, 1u << 20);
	buf_addstr(&b, "<mouvements version=\"1\">\n<relance>\n<nir>");
	while (n--)
		buf_addc(&b, '1');
	buf_addstr(&b, "</nir></relance>\n</mouvements>\n");
	read_mem(b.data, b.len, no_schema, r);
	buf_free(&b);
}

static void test_long_values(void **state)
{
	struct result r;

	(void)state;
	long_value(XML_MAX_VALUE + 1, &r, 0);
	assert_fatal(&r, "E007", 3);
	long_value(XML_MAX_VALUE + 1, &r, 1);
	assert_fatal(&r, "E007", 3);
	long_value(XML_MAX_VALUE, &r, 1);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	long_value(1025, &r, 0);	/* the XSD's maxLength */
	assert_fatal(&r, "E013", 3);
}

static void test_gzip_and_utf16_refused(void **state)
{
	static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00";
	static const char u16[] = "\xff\xfe<\0m\0";
	struct result r;

	(void)state;
	read_mem(gz, sizeof(gz) - 1, 0, &r);
	assert_fatal(&r, "E001", 0);
	assert_non_null(strstr(r.fatal.d.msg, "gzip"));
	read_mem(u16, sizeof(u16) - 1, 0, &r);
	assert_fatal(&r, "E009", 0);
}

/* Past line 65535 libxml2 caps an element's line; ours stay exact. */
static void test_lines_past_65535(void **state)
{
	struct buf b;
	struct result r;
	long line = 3;
	int i;

	(void)state;
	buf_init(&b, 8u << 20);
	buf_addstr(&b, "<?xml version=\"1.0\"?>\n<mouvements version=\"1\">\n");
	for (i = 0; i < 25000; i++, line += 3)
		buf_addstr(&b, "  <relance>\n    <nir>1</nir>\n  </relance>\n");
	buf_addstr(&b, "  <relance><nir>2</nir></relance>\n"
		   "  <affiliation_complete>\n\n    <nir>3</nir>\n"
		   "    <ayant_droit>\n      <lien>ENFANT</lien>\n"
		   "    </ayant_droit>\n  </affiliation_complete>\n"
		   "</mouvements>\n");
	read_mem(b.data, b.len, 0, &r);
	buf_free(&b);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 25003);	/* the last lands in the last slot */
	assert_true(line > 65535);
	/* The last three: relance, parent, child. */
	assert_int_equal(r.lines[MAXMV - 1], line + 4);
	assert_int_equal(r.ops[MAXMV - 1], OP_AYANT_DROIT);
	assert_string_equal(r.nir[MAXMV - 1], "3");
}

static void test_lines_past_65535_each(void **state)
{
	struct buf b;
	struct xml_reader *xr;
	struct movement mv;
	long line = 2, want;
	int i, fd, bad = 0;

	(void)state;
	buf_init(&b, 8u << 20);
	buf_addstr(&b, "<mouvements version=\"1\">\n");
	for (i = 0; i < 40000; i++)
		buf_addstr(&b, i % 2 ? "  <relance><nir>1</nir></relance>\n" :
			   "  <relance>\n    <nir>1</nir>\n  </relance>\n");
	fd = memfd_create("xml", MFD_CLOEXEC);
	assert_int_equal(write(fd, b.data, b.len), (ssize_t)b.len);
	lseek(fd, 0, SEEK_SET);
	xr = xml_reader_open(fd, NULL);
	mv_init(&mv);
	for (i = 0; xml_reader_next(xr, &mv) == 1; i++) {
		want = line;
		line += i % 2 ? 1 : 3;
		bad += mv.line != want;
	}
	assert_int_equal(i, 40000);
	assert_true(line > 70000);
	assert_int_equal(bad, 0);
	mv_free(&mv);
	xml_reader_close(xr);
	close(fd);
	buf_free(&b);
}

static void test_embedded_xsd_is_the_shipped_file(void **state)
{
	FILE *fp = fopen("schemas/mouvements.xsd", "rb");
	static char file[256 << 10];
	const char *text;
	size_t n, len;

	(void)state;
	assert_non_null(fp);
	n = fread(file, 1, sizeof(file), fp);
	fclose(fp);
	text = xml_schema_text(&len);
	assert_true(n > 0 && n < sizeof(file));
	assert_int_equal(len, n);
	assert_memory_equal(text, file, n);
	assert_int_equal(xml_reader_schema_ok(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting_lines_and_numero_personne),
		cmocka_unit_test(test_field_twice_rejects_the_movement),
		cmocka_unit_test(test_external_entity_file_is_never_opened),
		cmocka_unit_test(test_doctype_after_long_comment),
		cmocka_unit_test(test_billion_laughs_stops_at_the_doctype),
		cmocka_unit_test(test_xsd_violations_name_their_line),
		cmocka_unit_test(test_messages_stay_utf8),
		cmocka_unit_test(test_twenty_one_beneficiaries),
		cmocka_unit_test(test_not_well_formed),
		cmocka_unit_test(test_control_characters),
		cmocka_unit_test(test_depth_over_32),
		cmocka_unit_test(test_long_values),
		cmocka_unit_test(test_gzip_and_utf16_refused),
		cmocka_unit_test(test_lines_past_65535),
		cmocka_unit_test(test_lines_past_65535_each),
		cmocka_unit_test(test_embedded_xsd_is_the_shipped_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
