/*
 * test_letter - mail/letter.c and mail/letter_print.c: PDF letters read
 * back with poppler-utils, and the print folder's manifest.
 *
 * Each letter is rendered with the real cairo and pango into a temporary
 * folder, then read with pdftotext (-layout for the text, -tsv for the
 * position of each word, in points from the top left of the page) and
 * pdfinfo (page count).  The window test checks that the recipient's block
 * lies inside the envelope window the layout promises (100-200 mm from the
 * left, 45-90 mm from the top).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/log.h"
#include "mail/letter.h"

#define MM(x) ((x) * 72.0 / 25.4)

struct fixture {
	char dir[64];
	char pdf[128];
	struct buf out;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_letter.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->pdf, sizeof(f->pdf), "%s/lettre.pdf", f->dir);
	buf_init(&f->out, 1 << 22);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	buf_free(&f->out);
	free(f);
	return 0;
}

/* run - the standard output of a shell command into out; its status */
static int run(struct buf *out, const char *fmt, ...)
{
	char cmd[1024], chunk[4096];
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	buf_reset(out);
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		assert_int_equal(buf_add(out, chunk, n), 0);
	return pclose(p);
}

/* render - l into f->pdf; the page count letter_render() returned */
static int render(struct fixture *f, const struct letter *l)
{
	const char *why = NULL;
	int fd, pages = 0;

	fd = open(f->pdf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(letter_render(l, fd, &pages, &why), 0);
	assert_int_equal(close(fd), 0);
	return pages;
}

/* pdf_text - pdftotext -layout of pages first..last (0: all) */
static const char *pdf_text(struct fixture *f, const char *pdf, int first,
			    int last)
{
	if (first > 0)
		assert_int_equal(run(&f->out, "pdftotext -layout -f %d -l %d "
				     "'%s' -", first, last, pdf), 0);
	else
		assert_int_equal(run(&f->out, "pdftotext -layout '%s' -",
				     pdf), 0);
	return buf_str(&f->out);
}

static int pdf_pages(struct fixture *f, const char *pdf)
{
	const char *p;

	assert_int_equal(run(&f->out, "pdfinfo '%s'", pdf), 0);
	p = strstr(buf_str(&f->out), "Pages:");
	assert_non_null(p);
	return (int)strtol(p + 6, NULL, 10);
}

/* word_box - where pdftotext -tsv saw word on page 1, in points */
static void word_box(struct fixture *f, const char *word, double *left,
		     double *top, double *right, double *bottom)
{
	const char *line;
	double w, h;
	int level, page, pos;

	assert_int_equal(run(&f->out, "pdftotext -tsv '%s' -", f->pdf), 0);
	for (line = buf_str(&f->out); line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		pos = 0;
		if (sscanf(line, "%d\t%d\t%*d\t%*d\t%*d\t%*d\t%lf\t%lf\t%lf\t"
			   "%lf\t%*d\t%n", &level, &page, left, top, &w, &h,
			   &pos) == 6 && pos > 0 && level == 5 && page == 1 &&
		    strncmp(line + pos, word, strlen(word)) == 0 &&
		    (line[pos + strlen(word)] == '\n' ||
		     line[pos + strlen(word)] == '\0')) {
			*right = *left + w;
			*bottom = *top + h;
			return;
		}
	}
	fail_msg("word '%s' not found in the PDF", word);
}

/* in_window - the word lies wholly inside the envelope window */
static void assert_in_window(struct fixture *f, const char *word)
{
	double l, t, r, b;

	word_box(f, word, &l, &t, &r, &b);
	assert_true(l >= MM(100.0) && r <= MM(200.0));
	assert_true(t >= MM(45.0) && b <= MM(90.0));
}

static const struct letter base = {
	.sender = "Mutuelle Exemple\nService Adhésions\n"
		  "10 rue de la Paix\n75002 PARIS",
	.place = "",
	.date = { 2026, 11, 28 },
	.name = "Anaïs Lefèvre",
	.adresse = "12 rue des Lilas\r\n \r\nBâtiment B\n",
	.code_postal = "42000",
	.ville = "Saint-Étienne",
	.pays = "France",
	.subject = "Votre affiliation à la complémentaire santé",
	.body = "Bonjour Anaïs Lefèvre,\n\nVotre lien personnel :\n"
		"https://espace.assureur.example/affiliation/abc\n\n"
		"Bien cordialement,\n",
};

/* The recipient's block sits in the window; the sender's above it. */
static void test_window_position(void **state)
{
	struct fixture *f = *state;
	double l, t, r, b;

	assert_int_equal(render(f, &base), 1);
	assert_in_window(f, "Anaïs");
	assert_in_window(f, "Lefèvre");
	assert_in_window(f, "Lilas");
	assert_in_window(f, "Bâtiment");
	assert_in_window(f, "42000");
	assert_in_window(f, "SAINT-ETIENNE");
	word_box(f, "Mutuelle", &l, &t, &r, &b);
	assert_true(r < MM(100.0) && b < MM(45.0));
	word_box(f, "Objet", &l, &t, &r, &b);
	assert_true(t > MM(90.0));
}

/* Address lines in order, country omitted for France, text, date. */
static void test_text(void **state)
{
	struct fixture *f = *state;
	const char *t, *name, *street, *bat, *city;

	render(f, &base);
	t = pdf_text(f, f->pdf, 0, 0);
	name = strstr(t, "Anaïs Lefèvre\n");
	street = strstr(t, "12 rue des Lilas\n");
	bat = strstr(t, "Bâtiment B\n");
	city = strstr(t, "42000 SAINT-ETIENNE\n");
	assert_true(name && street && bat && city);
	assert_true(name < street && street < bat && bat < city);
	/* no blank line inside the block, though the input had one */
	street += strlen("12 rue des Lilas\n");
	assert_ptr_equal(street + strspn(street, " "), bat);
	assert_null(strstr(t, "FRANCE"));
	assert_non_null(strstr(t, "Service Adhésions"));
	assert_non_null(strstr(t, "Le 28 novembre 2026"));
	assert_non_null(strstr(t, "Objet : Votre affiliation à la "
			       "complémentaire santé"));
	assert_non_null(strstr(t, "https://espace.assureur.example/"
			       "affiliation/abc"));
	assert_non_null(strstr(t, "Bien cordialement,"));
	assert_null(strstr(t, "Page 1"));
	assert_int_equal(pdf_pages(f, f->pdf), 1);
}

/* "Lyon, le 1er mars 2027"; a foreign country closes the block. */
static void test_place_date_country(void **state)
{
	struct fixture *f = *state;
	struct letter l = base;
	const char *t, *city, *country;

	l.place = "Lyon";
	l.date = (struct date){ 2027, 3, 1 };
	l.code_postal = "1000";
	l.ville = "Bruxelles";
	l.pays = "Belgique";
	render(f, &l);
	t = pdf_text(f, f->pdf, 0, 0);
	assert_non_null(strstr(t, "Lyon, le 1er mars 2027"));
	city = strstr(t, "1000 BRUXELLES\n");
	country = strstr(t, "BELGIQUE\n");
	assert_true(city && country && city < country);
	assert_in_window(f, "BELGIQUE");
}

/* A long body flows over pages, numbered, no line lost or doubled. */
static void test_page_breaks(void **state)
{
	struct fixture *f = *state;
	struct letter l = base;
	struct buf body;
	char mark[64], pageno[32];
	const char *t, *p;
	int i, pages, count;

	buf_init(&body, 1 << 20);
	for (i = 1; i <= 120; i++)
		buf_printf(&body, "Paragraphe %d : les garanties de votre "
			   "contrat collectif couvrent les frais de santé "
			   "courants, hospitalisation comprise.\n\n", i);
	l.body = buf_str(&body);
	pages = render(f, &l);
	assert_true(pages >= 3);
	assert_int_equal(pdf_pages(f, f->pdf), pages);
	t = pdf_text(f, f->pdf, 0, 0);
	for (i = 1; i <= 120; i++) {
		snprintf(mark, sizeof(mark), "Paragraphe %d :", i);
		for (count = 0, p = t; (p = strstr(p, mark)) != NULL; p++)
			count++;
		assert_int_equal(count, 1);
	}
	for (i = 1; i <= pages; i++) {
		snprintf(pageno, sizeof(pageno), "Page %d/%d", i, pages);
		t = pdf_text(f, f->pdf, i, i);
		assert_non_null(strstr(t, pageno));
		if (i == 1)
			assert_non_null(strstr(t, "Paragraphe 1 :"));
	}
	assert_non_null(strstr(t, "Paragraphe 120 :"));
	buf_free(&body);
}

/*
 * A link longer than a line wraps and reads back whole, nothing lost.
 * (pdftotext drops a hyphen at the end of a line, so that letter.c asks
 * pango for no hyphen there is seen on the rendered page, not here.)
 */
static void test_long_link(void **state)
{
	struct fixture *f = *state;
	struct letter l = base;
	char link[256], body[512], joined[4096];
	const char *t;
	size_t i, n = 0;

	snprintf(link, sizeof(link), "https://espace.assureur.example/a/");
	memset(link + strlen(link), 'x', 150);
	link[34 + 150] = '\0';
	snprintf(body, sizeof(body), "Votre lien personnel :\n%s\n", link);
	l.body = body;
	render(f, &l);
	t = pdf_text(f, f->pdf, 0, 0);
	for (i = 0; t[i] != '\0' && n + 1 < sizeof(joined); i++)
		if (t[i] != '\n')
			joined[n++] = t[i];
	joined[n] = '\0';
	assert_non_null(strstr(joined, link));
}

/* No address, or bytes that are not UTF-8: never printable. */
static void test_refusals(void **state)
{
	struct fixture *f = *state;
	struct letter l = base;
	const char *why = NULL;
	int fd, pages;

	fd = open(f->pdf, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	l.ville = "";
	assert_int_equal(letter_render(&l, fd, &pages, &why), LETTER_PERMFAIL);
	assert_non_null(strstr(why, "adresse"));
	l = base;
	l.body = "caf\xe9";
	why = NULL;
	assert_int_equal(letter_render(&l, fd, &pages, &why), LETTER_PERMFAIL);
	assert_non_null(strstr(why, "UTF-8"));
	assert_int_equal(close(fd), 0);
}

/* read_file - a whole small file into f->out */
static const char *read_file(struct fixture *f, const char *path)
{
	assert_int_equal(run(&f->out, "cat '%s'", path), 0);
	return buf_str(&f->out);
}

#define HEAD "\xEF\xBB\xBF" "fichier;id;employeur;type;destinataire;" \
	     "code_postal;ville;pages\r\n"
#define LINE42 "42.pdf;42;12345678;invitation;Anaïs Lefèvre;42000;" \
	       "Saint-Étienne;1\r\n"
#define LINE7 "7.pdf;7;12345678;relance;\"'=Dupont; \"\"Jo\"\" X\";" \
	      "42000;Saint-Étienne;1\r\n"

/* The PDF in its day folder, the manifest listing each letter once. */
static void test_print_manifest(void **state)
{
	struct fixture *f = *state;
	struct letter_entry e = { 42, "12345678", "invitation" };
	struct letter l = base;
	const char *why = NULL;
	char day[128], path[256];

	snprintf(day, sizeof(day), "%s/20261128", f->dir);
	snprintf(path, sizeof(path), "%s/42.pdf", day);
	assert_int_equal(letter_print(f->dir, &e, &l, &why), 0);
	assert_int_equal(pdf_pages(f, path), 1);
	assert_int_equal(run(&f->out, "cp '%s' '%s/first.pdf'", path,
			     f->dir), 0);
	snprintf(path, sizeof(path), "%s/manifest.csv", day);
	assert_string_equal(read_file(f, path), HEAD LINE42);

	/* A line break or a formula in a name cannot break the CSV. */
	e = (struct letter_entry){ 7, "12345678", "relance" };
	l.name = "=Dupont; \"Jo\"\nX";
	assert_int_equal(letter_print(f->dir, &e, &l, &why), 0);
	assert_string_equal(read_file(f, path), HEAD LINE7 LINE42);

	/* A retry of 42 replaces its file and its line ... */
	e = (struct letter_entry){ 42, "12345678", "invitation" };
	l = base;
	assert_int_equal(letter_print(f->dir, &e, &l, &why), 0);
	assert_string_equal(read_file(f, path), HEAD LINE7 LINE42);
	assert_int_equal(run(&f->out, "ls -A '%s'", day), 0);
	assert_string_equal(buf_str(&f->out), "42.pdf\n7.pdf\nmanifest.csv\n");
	/* ... with the very same bytes: the date is the letter's, not now */
	assert_int_equal(run(&f->out, "cmp '%s/first.pdf' '%s/42.pdf'",
			     f->dir, day), 0);
}

/* A crash after the PDF, before the manifest: the retry lists it. */
static void test_print_after_crash(void **state)
{
	struct fixture *f = *state;
	struct letter_entry e = { 42, "12345678", "invitation" };
	const char *why = NULL;
	char day[128], path[256];
	FILE *fp;

	snprintf(day, sizeof(day), "%s/20261128", f->dir);
	assert_int_equal(mkdir(day, 0700), 0);
	snprintf(path, sizeof(path), "%s/manifest.csv", day);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(HEAD LINE7, fp);
	assert_int_equal(fclose(fp), 0);
	snprintf(path, sizeof(path), "%s/.42.pdf.tmp", day);
	fp = fopen(path, "w");		/* a half-written PDF */
	assert_non_null(fp);
	fputs("%PDF-1.5 trunc", fp);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(letter_print(f->dir, &e, &base, &why), 0);
	snprintf(path, sizeof(path), "%s/manifest.csv", day);
	assert_string_equal(read_file(f, path), HEAD LINE7 LINE42);
	assert_int_equal(run(&f->out, "ls -A '%s'", day), 0);
	assert_string_equal(buf_str(&f->out), "42.pdf\nmanifest.csv\n");
}

/* No print folder: worth a retry, not a parked message. */
static void test_print_dir_missing(void **state)
{
	struct fixture *f = *state;
	struct letter_entry e = { 1, "12345678", "invitation" };
	const char *why = NULL;
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/absent", f->dir);
	assert_int_equal(letter_print(dir, &e, &base, &why), LETTER_TEMPFAIL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_window_position),
		T(test_text),
		T(test_place_date_country),
		T(test_page_breaks),
		T(test_long_link),
		T(test_refusals),
		T(test_print_manifest),
		T(test_print_after_crash),
		T(test_print_dir_missing),
	};
	int rc;

	log_init("test_letter", LOG_LEVEL_ERR);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	letter_cleanup();
	return rc;
}
