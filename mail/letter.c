/*
 * letter - one postal letter as a PDF document: cairo draws, pango lays out.
 *
 * Page geometry (A4 portrait, 210 x 297 mm; cairo's PDF unit is the point,
 * 1/72 inch).  We follow the French business letter layout of NF Z10-011
 * and La Poste's guidance for the DL (110 x 220 mm) envelope with a
 * 45 x 100 mm window on the right, the usual "enveloppe à fenêtre" of mail
 * houses.  An A4 sheet folded in three lies with the window over the area
 * 100 to 200 mm from the left edge and 45 to 90 mm from the top; the
 * recipient's block starts 110 mm from the left and 50 mm from the top,
 * 85 mm wide, so that it stays inside the window with a margin for the
 * play of the sheet in the envelope.  The block has no blank line, the
 * name first, the street lines, then "CODE POSTAL VILLE" and the country
 * (omitted for France) in capitals without accents, as the norm asks of
 * the last lines for sorting machines.
 *
 * The insurer's block sits at the top left (20 mm, 15 mm), clear of the
 * window.  The place and date, then "Objet :" and the body follow below
 * the window.  The body flows line by line: a line that would cross the
 * bottom margin starts a new page; with more than one page each page
 * carries "Page i/n" at its foot, so the layout is walked twice: once to
 * count the pages, once to draw them.
 *
 * Sizes are given to pango as absolute sizes in points (the surface unit),
 * with metrics hinting off: what prints is what was measured.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/utf8.h"
#include "mail/letter.h"

#define MM(x)		((x) * 72.0 / 25.4)
#define PAGE_W		MM(210.0)
#define PAGE_H		MM(297.0)
#define MARGIN_X	MM(20.0)		/* left and right */
#define TEXT_W		(PAGE_W - 2 * MARGIN_X)
#define SENDER_Y	MM(15.0)
#define SENDER_W	MM(80.0)
#define WINDOW_X	MM(110.0)		/* the window: see above */
#define WINDOW_Y	MM(50.0)
#define WINDOW_W	MM(85.0)
#define DATE_Y		MM(95.0)
#define SUBJECT_Y	MM(110.0)
#define BODY_GAP	MM(7.0)			/* below the subject */
#define BODY_TOP	MM(20.0)		/* on pages after the first */
#define BODY_BOTTOM	(PAGE_H - MM(25.0))
#define FOOTER_Y	(PAGE_H - MM(15.0))

#define FONT		"DejaVu Sans"
#define SIZE_TEXT	10.0			/* points */
#define SIZE_SENDER	9.0
#define SIZE_FOOTER	8.0

#define ADDRESS_MAX	2048			/* window block, bytes */

/* The PDF's destination, and the errno of a failed write (cairo keeps none). */
struct sink {
	int fd;
	int err;
};

/* fd_write - cairo's stream callback: every byte to the fd, or an error */
static cairo_status_t fd_write(void *closure, const unsigned char *data,
			       unsigned int len)
{
	struct sink *k = closure;
	ssize_t n;

	while (len > 0) {
		n = write(k->fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			k->err = n < 0 ? errno : EIO;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		data += n;
		len -= (unsigned int)n;
	}
	return CAIRO_STATUS_SUCCESS;
}

/* text_layout - a wrapped layout of text in FONT at size points */
static PangoLayout *text_layout(cairo_t *cr, const char *text, double width,
				double size, int bold)
{
	PangoLayout *lay = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);
	cairo_font_options_t *fo = cairo_font_options_create();
	PangoAttrList *attrs = pango_attr_list_new();

	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(pango_layout_get_context(lay),
					     fo);
	cairo_font_options_destroy(fo);
	pango_layout_context_changed(lay);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(lay, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(lay, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(lay, PANGO_WRAP_WORD_CHAR);
	/* A link cut in the middle must not gain a '-' someone would type. */
	pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
	pango_layout_set_attributes(lay, attrs);
	pango_attr_list_unref(attrs);
	pango_layout_set_text(lay, text, -1);
	return lay;
}

/* show_text - draw text at (x, y), top left; the height drawn, points */
static double show_text(cairo_t *cr, const char *text, double x, double y,
			double width, double size, int bold)
{
	PangoLayout *lay = text_layout(cr, text, width, size, bold);
	int w, h;

	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, lay);
	pango_layout_get_size(lay, &w, &h);
	g_object_unref(lay);
	return (double)h / PANGO_SCALE;
}

/* last_line - NF Z10-011: capitals, no accents ("Saint-Étienne" →
 * "SAINT-ETIENNE"); owned, g_free() */
static char *last_line(const char *s)
{
	char *ascii = g_str_to_ascii(s, "C");
	char *up = g_ascii_strup(ascii, -1);

	g_free(ascii);
	return up;
}

/* is_france - no country line for a letter posted to France */
static int is_france(const char *pays)
{
	return g_ascii_strcasecmp(pays, "France") == 0 ||
	       g_ascii_strcasecmp(pays, "FR") == 0 ||
	       g_ascii_strcasecmp(pays, "FRA") == 0;
}

static const char *str(const char *s)
{
	return s ? s : "";
}

/* add_lines - each line of s that is not blank, after a '\n': a blank
 * line would split the block for the sorting machines */
static int add_lines(struct buf *b, const char *s)
{
	size_t n, i;
	int rc = 0;

	while (*s != '\0') {
		n = strcspn(s, "\r\n");
		for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		if (i < n)
			rc |= buf_printf(b, "\n%.*s", (int)n, s);
		s += n;
		s += strspn(s, "\r\n");
	}
	return rc;
}

/* address_block - the recipient's lines, into b; -1 when too long */
static int address_block(const struct letter *l, struct buf *b)
{
	char *city = last_line(str(l->ville)), *country = NULL;
	int rc = 0;

	rc |= buf_addstr(b, str(l->name));
	rc |= add_lines(b, str(l->adresse));
	if (!l->document || *str(l->code_postal) || *city)
		rc |= buf_printf(b, "\n%s %s", str(l->code_postal), city);
	if (*str(l->pays) != '\0' && !is_france(l->pays)) {
		country = last_line(l->pays);
		rc |= buf_printf(b, "\n%s", country);
	}
	g_free(city);
	g_free(country);
	return rc;
}

/* date_line - "Paris, le 1er mars 2027" or "Le 28 novembre 2026" */
static void date_line(const struct letter *l, char *out, size_t outlen)
{
	static const char *const month[12] = {
		"janvier", "février", "mars", "avril", "mai", "juin",
		"juillet", "août", "septembre", "octobre", "novembre",
		"décembre",
	};
	const char *mname = l->date.m >= 1 && l->date.m <= 12 ?
		month[l->date.m - 1] : "?";
	const char *place = str(l->place);

	snprintf(out, outlen, "%s%s %d%s %s %d", place,
		 *place ? ", le" : "Le", l->date.d, l->date.d == 1 ? "er" : "",
		 mname, l->date.y);
}

/* footer - "Page i/n", centred at the foot */
static void footer(cairo_t *cr, int page, int pages)
{
	PangoLayout *lay;
	char text[32];

	if (pages < 2)
		return;
	snprintf(text, sizeof(text), "Page %d/%d", page, pages);
	lay = text_layout(cr, text, TEXT_W, SIZE_FOOTER, 0);
	pango_layout_set_alignment(lay, PANGO_ALIGN_CENTER);
	cairo_move_to(cr, MARGIN_X, FOOTER_Y);
	pango_cairo_show_layout(cr, lay);
	g_object_unref(lay);
}

/*
 * body_flow - place the lines of lay from top (first page), breaking pages
 * at BODY_BOTTOM.  With pages == 0, only count; else draw, closing every
 * page but the last with its footer.  Returns the page count.
 */
static int body_flow(cairo_t *cr, PangoLayout *lay, double top, int pages)
{
	PangoLayoutIter *it = pango_layout_get_iter(lay);
	double origin = 0.0;	/* layout y drawn at the top of this page */
	int page = 1;

	do {
		PangoRectangle log;
		double y, bottom, base;

		pango_layout_iter_get_line_extents(it, NULL, &log);
		y = (double)log.y / PANGO_SCALE;
		bottom = (double)(log.y + log.height) / PANGO_SCALE;
		if (top + bottom - origin > BODY_BOTTOM && y > origin) {
			if (pages > 0) {
				footer(cr, page, pages);
				cairo_show_page(cr);
			}
			page++;
			origin = y;
			top = BODY_TOP;
		}
		if (pages > 0) {
			base = (double)pango_layout_iter_get_baseline(it) /
			       PANGO_SCALE;
			cairo_move_to(cr, MARGIN_X, top + base - origin);
			pango_cairo_show_layout_line(cr,
				pango_layout_iter_get_line_readonly(it));
		}
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
	return page;
}

/* first_page - everything above the body; the body's top, points */
static double first_page(cairo_t *cr, const struct letter *l,
			 const char *address)
{
	char when[128];
	struct buf subject;
	double h;

	show_text(cr, str(l->sender), MARGIN_X, SENDER_Y, SENDER_W,
		  SIZE_SENDER, 0);
	show_text(cr, address, WINDOW_X, WINDOW_Y, WINDOW_W, SIZE_TEXT, 0);
	date_line(l, when, sizeof(when));
	show_text(cr, when, WINDOW_X, DATE_Y, WINDOW_W, SIZE_TEXT, 0);
	buf_init(&subject, 8192);
	(void)buf_printf(&subject, "Objet : %s", str(l->subject));
	h = show_text(cr, buf_str(&subject), MARGIN_X, SUBJECT_Y, TEXT_W,
		      SIZE_TEXT, 1);
	buf_free(&subject);
	return SUBJECT_Y + h + BODY_GAP;
}

/* check_text - a letter cannot be printed without UTF-8 and an address */
static int check_text(const struct letter *l, const char **why)
{
	const char *all[] = { l->sender, l->place, l->name, l->adresse,
			      l->code_postal, l->ville, l->pays, l->subject,
			      l->body };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!utf8_valid(str(all[i]), strlen(str(all[i])))) {
			*why = "lettre impossible : texte non UTF-8";
			return LETTER_PERMFAIL;
		}
	if (!l->document && (*str(l->adresse) == '\0' ||
			     *str(l->code_postal) == '\0' ||
			     *str(l->ville) == '\0')) {
		*why = "lettre impossible : adresse postale incomplète";
		return LETTER_PERMFAIL;
	}
	return 0;
}

/* draw - the whole letter on cr; the page count */
static int draw(cairo_t *cr, const struct letter *l, const char *address)
{
	PangoLayout *body;
	double top;
	int pages;

	cairo_set_source_rgb(cr, 0.0, 0.0, 0.0);
	top = first_page(cr, l, address);
	body = text_layout(cr, str(l->body), TEXT_W, SIZE_TEXT, 0);
	pages = body_flow(cr, body, top, 0);
	(void)body_flow(cr, body, top, pages);
	footer(cr, pages, pages);
	cairo_show_page(cr);
	g_object_unref(body);
	return pages;
}

/* set_metadata - title, creator, and a creation date that a retry keeps */
static void set_metadata(cairo_surface_t *pdf, const struct letter *l)
{
	char when[32];

	snprintf(when, sizeof(when), "%04d-%02d-%02dT00:00:00", l->date.y,
		 l->date.m, l->date.d);
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_TITLE,
				       str(l->subject));
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATOR,
				       "affild");
	cairo_pdf_surface_set_metadata(pdf, CAIRO_PDF_METADATA_CREATE_DATE,
				       when);
}

/* letter_render - l as a PDF to fd */
int letter_render(const struct letter *l, int fd, int *pages,
		  const char **why)
{
	cairo_surface_t *pdf;
	cairo_t *cr;
	struct buf address;
	struct sink sink = { fd, 0 };
	cairo_status_t st;
	int rc;

	if ((rc = check_text(l, why)) != 0)
		return rc;
	buf_init(&address, ADDRESS_MAX);
	if (address_block(l, &address) < 0) {
		buf_free(&address);
		*why = "lettre impossible : adresse postale trop longue";
		return LETTER_PERMFAIL;
	}
	pdf = cairo_pdf_surface_create_for_stream(fd_write, &sink, PAGE_W,
						  PAGE_H);
	set_metadata(pdf, l);
	cr = cairo_create(pdf);
	*pages = draw(cr, l, buf_str(&address));
	st = cairo_status(cr);
	cairo_destroy(cr);
	cairo_surface_finish(pdf);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(pdf);
	cairo_surface_destroy(pdf);
	buf_free(&address);
	if (st != CAIRO_STATUS_SUCCESS) {
		log_warn("event=letter_render_failed error=\"%s%s%s\"",
			 cairo_status_to_string(st), sink.err ? ": " : "",
			 sink.err ? strerror(sink.err) : "");
		errno = sink.err;	/* for the caller's line with the path */
		return LETTER_TEMPFAIL;
	}
	return 0;
}

/* letter_cleanup - release the process-wide font state */
void letter_cleanup(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}
