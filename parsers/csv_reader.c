/*
 * csv_reader - payroll CSV → movements, streaming through libcsv.
 *
 * Design.  Bytes flow: read(2) in CHUNK-sized pieces → optional iconv to
 * UTF-8 → split at each LF → csv_parse().  Feeding libcsv one physical line
 * at a time is what gives true line numbers: a row starts on the first
 * non-blank line after the previous row ended, however many lines its quoted
 * fields span.  libcsv is told that only LF ends a row and that CR is
 * blank, so CRLF and LF files read the same and at most one row can end per
 * line fed.
 *
 * The header line is held back until its LF so that the separator can be
 * chosen before libcsv starts (the one of ';', TAB, ',' seen most often
 * outside quotes).
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "common/util.h"
#include "parsers/csv_reader.h"

#define CHUNK (64u << 10)

struct csv_reader {
	int fd;
	struct csv_opts opts;
	struct csv_parser parser;
	int parser_ready;
	char delim;

	/* Input, after conversion to UTF-8. */
	char raw[CHUNK];
	size_t raw_len;			/* unconverted bytes held */
	char *in;			/* UTF-8 bytes ready to feed */
	size_t in_len, in_pos;
	char *conv;			/* iconv output storage */
	iconv_t cd;
	int eof, finished, bom_done;
	long conv_line;			/* lines seen by the converter */

	/* Physical lines. */
	long line;			/* complete lines fed so far */
	size_t line_bytes;
	struct buf header_line;		/* the header, until its LF */

	/* The row being parsed. */
	int in_row, row_done;
	long row_start;
	size_t row_bytes;
	struct buf row;			/* fields, NUL-separated */
	size_t field_off[CSV_MAX_COLUMNS];
	int nfields, too_many_columns, field_too_long;
	int ctrl_col;			/* first column with a control, 1-based */
	unsigned char ctrl_char;

	/* Header. */
	int header_done;
	enum field colmap[CSV_MAX_COLUMNS];
	int ncols;

	/* Trailer. */
	long movements;			/* movement rows read */
	long fin_line;			/* line of the FIN row, 0 if none */
	long fin_count;

	int failed;
	struct file_diag fatal;
	struct file_diag *warns;
	size_t nwarns;
};

static void fail(struct csv_reader *r, long line, const char *code,
		 enum field f, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* fail - record the whole-file error that stops the reader */
static void fail(struct csv_reader *r, long line, const char *code,
		 enum field f, const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = 1;
	va_start(ap, fmt);
	file_diag_set(&r->fatal, line, code, f, fmt, ap);
	va_end(ap);
}

/* warn - record a header warning for the report */
static void warn(struct csv_reader *r, long line, const char *code,
		 const char *msg, const char *arg)
{
	struct file_diag *w;

	r->warns = xrealloc(r->warns, (r->nwarns + 1) * sizeof(*r->warns));
	w = &r->warns[r->nwarns++];
	w->line = line;
	(void)strlcpy_ok(w->d.code, code, sizeof(w->d.code));
	w->d.field = F_NONE;
	snprintf(w->d.msg, sizeof(w->d.msg), msg, arg);
}

static int space_with_tab(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int space_no_tab(unsigned char c)
{
	return c == ' ' || c == '\r';
}

static int term_lf(unsigned char c)
{
	return c == '\n';
}

/* csv_reader_open - a reader on fd; the caller keeps the fd */
struct csv_reader *csv_reader_open(int fd, const struct csv_opts *opts)
{
	struct csv_reader *r = xcalloc(1, sizeof(*r));
	const char *from = NULL;

	r->fd = fd;
	r->opts = *opts;
	r->cd = (iconv_t)-1;
	buf_init(&r->header_line, CSV_MAX_LINE + 1);
	buf_init(&r->row, CSV_MAX_LINE + CSV_MAX_COLUMNS);
	if (opts->encoding == CSV_ENC_CP1252)
		from = "CP1252";
	else if (opts->encoding == CSV_ENC_UTF16)
		from = "UTF-16";
	if (from) {
		r->cd = iconv_open("UTF-8", from);
		if (r->cd == (iconv_t)-1)
			fail(r, 0, "E009", F_NONE,
			     "conversion depuis %s indisponible", from);
		r->conv = xmalloc(CHUNK * 3);
	}
	return r;
}

/* convert - iconv the raw bytes held into r->in; -1 on a bad byte */
static int convert(struct csv_reader *r)
{
	char *src = r->raw, *dst = r->conv;
	size_t srclen = r->raw_len, dstlen = CHUNK * 3;
	size_t done, i;

	if (iconv(r->cd, &src, &srclen, &dst, &dstlen) == (size_t)-1 &&
	    errno != EINVAL) {
		/* EILSEQ: a byte the encoding does not define. */
		for (i = 0; i < (size_t)(src - r->raw); i++)
			if (r->raw[i] == '\n')
				r->conv_line++;
		fail(r, r->conv_line + 1, "E009", F_NONE,
		     "octet 0x%02X non défini dans l'encodage du fichier",
		     (unsigned char)*src);
		return -1;
	}
	/* EINVAL: an incomplete sequence at the end, kept for the next read. */
	done = (size_t)(src - r->raw);
	for (i = 0; i < done; i++)
		if (r->raw[i] == '\n')
			r->conv_line++;
	memmove(r->raw, src, srclen);
	r->raw_len = srclen;
	r->in = r->conv;
	r->in_len = (size_t)(dst - r->conv);
	r->in_pos = 0;
	return 0;
}

/* refill - make more UTF-8 input available; 0 ok, 1 at end, -1 error */
static int refill(struct csv_reader *r)
{
	ssize_t n;

	if (r->eof)
		return 1;
	do
		n = read(r->fd, r->raw + r->raw_len, CHUNK - r->raw_len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		fail(r, 0, "E001", F_NONE, "lecture du fichier impossible : %s",
		     strerror(errno));
		return -1;
	}
	if (n == 0) {
		r->eof = 1;
		if (r->raw_len > 0 && r->cd != (iconv_t)-1) {
			fail(r, r->conv_line + 1, "E009", F_NONE,
			     "fichier tronqué au milieu d'un caractère");
			return -1;
		}
		return 1;
	}
	r->raw_len += (size_t)n;
	if (r->cd != (iconv_t)-1)
		return convert(r);
	r->in = r->raw;
	r->in_len = r->raw_len;
	r->in_pos = 0;
	r->raw_len = 0;
	return 0;
}

/*
 * forbidden_control - NUL and the C0 controls no value may hold.  TAB, CR
 * and LF can be in a quoted field; the field rules judge them (E171).
 */
static int forbidden_control(unsigned char c)
{
	return c < 0x20 && c != '\t' && c != '\r' && c != '\n';
}

/* mark_controls - note the row's first control; '?' so nothing is cut */
static void mark_controls(struct csv_reader *r, char *v, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (!forbidden_control((unsigned char)v[i]))
			continue;
		if (r->ctrl_col == 0) {
			r->ctrl_col = r->nfields;
			r->ctrl_char = (unsigned char)v[i];
		}
		v[i] = '?';
	}
}

static void on_field(void *s, size_t len, void *data)
{
	struct csv_reader *r = data;

	if (r->nfields == CSV_MAX_COLUMNS) {
		r->too_many_columns = 1;
		return;
	}
	if (len > CSV_MAX_FIELD) {
		r->field_too_long = r->nfields + 1;
		len = 0;
	}
	r->field_off[r->nfields++] = r->row.len;
	if (buf_add(&r->row, s, len) < 0 || buf_addc(&r->row, '\0') < 0)
		r->field_too_long = r->nfields;
	else
		mark_controls(r, r->row.data + r->field_off[r->nfields - 1],
			      len);
}

static void on_row(int c, void *data)
{
	struct csv_reader *r = data;

	(void)c;
	r->row_done = 1;
}

/* detect_delim - the separator used most often outside quotes */
static char detect_delim(const char *s, size_t len)
{
	static const char cands[] = { ';', '\t', ',' };
	size_t count[3] = { 0, 0, 0 }, i, j, best = 0;
	int quoted = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			quoted = !quoted;
		for (j = 0; j < 3 && !quoted; j++)
			if (s[i] == cands[j])
				count[j]++;
	}
	for (j = 1; j < 3; j++)
		if (count[j] > count[best])
			best = j;
	return cands[best];
}

/* start_parser - choose the separator from the header and start libcsv */
static int start_parser(struct csv_reader *r)
{
	r->delim = detect_delim(buf_str(&r->header_line), r->header_line.len);
	if (csv_init(&r->parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
		fail(r, 0, "E001", F_NONE, "analyseur CSV indisponible");
		return -1;
	}
	r->parser_ready = 1;
	/* libcsv grows a field 128 bytes at a time: a 1 MiB field would be
	 * 8,000 reallocations, each a copy where realloc cannot extend in
	 * place (quadratic; 23 s under ASan).  64 KiB steps: 16. */
	csv_set_blk_size(&r->parser, 64u << 10);
	csv_set_delim(&r->parser, (unsigned char)r->delim);
	csv_set_term_func(&r->parser, term_lf);
	csv_set_space_func(&r->parser, r->delim == '\t' ? space_no_tab
							: space_with_tab);
	return 0;
}

static int blank_line(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* feed - give libcsv one piece of a physical line */
static int feed(struct csv_reader *r, const char *s, size_t len, int eol)
{
	if (r->line_bytes == 0 && !r->in_row && !(eol && blank_line(s, len))) {
		r->in_row = 1;
		r->row_start = r->line + 1;
		r->row_bytes = 0;
	}
	r->line_bytes += len;
	if (r->in_row)
		r->row_bytes += len;
	if (r->line_bytes > CSV_MAX_LINE || r->row_bytes > CSV_MAX_LINE) {
		fail(r, r->in_row ? r->row_start : r->line + 1, "E007", F_NONE,
		     "ligne trop longue : plus de %u octets", CSV_MAX_LINE);
		return -1;
	}
	if (csv_parse(&r->parser, s, len, on_field, on_row, r) != len) {
		fail(r, r->row_start ? r->row_start : r->line + 1, "E008",
		     F_NONE, "guillemets mal placés : un champ entre guillemets "
		     "doit être fermé et les guillemets intérieurs doublés");
		return -1;
	}
	if (eol) {
		r->line++;
		r->line_bytes = 0;
	}
	if (r->row_done)
		r->in_row = 0;
	return 0;
}

/* feed_header - hold the header line back until the separator is known */
static int feed_header(struct csv_reader *r, const char *s, size_t len,
		       int eol)
{
	if (buf_add(&r->header_line, s, len) < 0) {
		fail(r, 1, "E007", F_NONE,
		     "ligne trop longue : plus de %u octets", CSV_MAX_LINE);
		return -1;
	}
	if (!eol)
		return 0;
	if (start_parser(r) < 0)
		return -1;
	return feed(r, r->header_line.data, r->header_line.len, 1);
}

/* skip_bom - drop a UTF-8 byte order mark at the very start */
static void skip_bom(struct csv_reader *r)
{
	r->bom_done = 1;
	if (r->in_len - r->in_pos >= 3 &&
	    memcmp(r->in + r->in_pos, "\xEF\xBB\xBF", 3) == 0)
		r->in_pos += 3;
}

static int finish(struct csv_reader *r);

/* pump - feed input until a row is complete; 1 row, 0 end, -1 fatal */
static int pump(struct csv_reader *r)
{
	const char *s, *lf;
	size_t avail, len;
	int rc;

	while (!r->row_done) {
		if (r->failed)
			return -1;
		if (r->in_pos == r->in_len) {
			rc = refill(r);
			if (rc < 0)
				return -1;
			if (rc == 1)
				return finish(r);
			if (!r->bom_done)
				skip_bom(r);
			continue;
		}
		s = r->in + r->in_pos;
		avail = r->in_len - r->in_pos;
		lf = memchr(s, '\n', avail);
		len = lf ? (size_t)(lf - s) + 1 : avail;
		r->in_pos += len;
		rc = r->parser_ready ? feed(r, s, len, lf != NULL)
				     : feed_header(r, s, len, lf != NULL);
		if (rc < 0)
			return -1;
	}
	return 1;
}

/* finish - end of input: flush libcsv, then check the trailer */
static int finish(struct csv_reader *r)
{
	if (r->finished)
		return 0;
	r->finished = 1;
	if (!r->parser_ready) {
		if (r->header_line.len == 0) {
			fail(r, 0, "E002", F_NONE, "fichier vide : la première "
			     "ligne doit être l'en-tête des colonnes");
			return -1;
		}
		if (feed_header(r, "", 0, 1) < 0)
			return -1;
	}
	if (csv_fini(&r->parser, on_field, on_row, r) != 0) {
		fail(r, r->row_start, "E008", F_NONE, "guillemet ouvrant jamais "
		     "fermé : le fichier se termine dans un champ entre "
		     "guillemets");
		return -1;
	}
	return r->row_done ? 1 : 0;
}

static const char *row_field(const struct csv_reader *r, int i)
{
	return r->row.data + r->field_off[i];
}

/* map_column - header name → field, through folding and aliases */
static enum field map_column(const struct csv_reader *r, const char *name)
{
	char folded[256];
	enum field f;
	size_t i;

	cfg_fold_name(name, folded, sizeof(folded));
	f = field_from_name(folded);
	for (i = 0; f == F_NONE && i < r->opts.naliases; i++)
		if (strcmp(r->opts.aliases[i].alias, folded) == 0)
			f = field_from_name(r->opts.aliases[i].field);
	return f;
}

/* take_header - map the columns; no `operation` rejects the file */
static int take_header(struct csv_reader *r)
{
	int i, j, have_op = 0;
	enum field f;

	r->ncols = r->nfields;
	for (i = 0; i < r->nfields; i++) {
		f = map_column(r, row_field(r, i));
		if (f == F_NONE && *row_field(r, i) != '\0')
			warn(r, r->row_start, "W001", "colonne inconnue "
			     "ignorée : « %s »", row_field(r, i));
		for (j = 0; f != F_NONE && j < i; j++)
			if (r->colmap[j] == f) {
				warn(r, r->row_start, "W002", "colonne en double "
				     "ignorée : « %s »", row_field(r, i));
				f = F_NONE;
			}
		r->colmap[i] = f;
		have_op |= f == F_OPERATION;
	}
	r->header_done = 1;
	if (!have_op) {
		fail(r, r->row_start, "E002", F_OPERATION, "l'en-tête n'a pas "
		     "de colonne « operation » : la première ligne doit nommer "
		     "les colonnes, séparées par « ; »");
		return -1;
	}
	return 0;
}

/* row_is_empty - a row of separators only counts as a blank line */
static int row_is_empty(const struct csv_reader *r)
{
	int i;

	for (i = 0; i < r->nfields; i++)
		if (*row_field(r, i) != '\0')
			return 0;
	return 1;
}

/* take_trailer - remember FIN and its count, checked at the end */
static int take_trailer(struct csv_reader *r, const char *count)
{
	long n;

	r->fin_line = r->row_start;
	if (parse_long(count, 0, 1000000000L, &n) < 0) {
		fail(r, r->row_start, "E004", F_NONE, "ligne FIN : le nombre "
		     "de mouvements « %s » n'est pas un entier", count);
		return -1;
	}
	r->fin_count = n;
	return 0;
}

/* fin_count_field - the cell after `operation` on a FIN row */
static const char *fin_count_field(const struct csv_reader *r)
{
	int i;

	for (i = 0; i + 1 < r->nfields; i++)
		if (r->colmap[i] == F_OPERATION)
			return row_field(r, i + 1);
	return "";
}

/* row_limits - a row over the column or field limit stops the file */
static int row_limits(struct csv_reader *r)
{
	if (r->too_many_columns) {
		fail(r, r->row_start, "E007", F_NONE, "plus de %d colonnes",
		     CSV_MAX_COLUMNS);
		return -1;
	}
	if (r->field_too_long) {
		fail(r, r->row_start, "E007", F_NONE, "champ trop long en "
		     "colonne %d : plus de %u octets", r->field_too_long,
		     CSV_MAX_FIELD);
		return -1;
	}
	return 0;
}

/* control_diag - E190 on a row holding a NUL or another C0 control */
static void control_diag(const struct csv_reader *r, struct movement *mv)
{
	int col = r->ctrl_col;
	enum field f = col <= r->ncols ? r->colmap[col - 1] : F_NONE;

	mv_diag(mv, "E190", f, "caractère de contrôle U+%04X%s en colonne %d"
		"%s%s%s : ligne refusée (le fichier a-t-il été mal exporté ?)",
		r->ctrl_char, r->ctrl_char == 0 ? " (NUL)" : "", col,
		f != F_NONE ? " (" : "", f != F_NONE ? field_name(f) : "",
		f != F_NONE ? ")" : "");
}

/* take_row - the current row as a movement; 0 skip, 1 movement, -1 fatal */
static int take_row(struct csv_reader *r, struct movement *mv)
{
	const char *op;
	int i;

	if (row_is_empty(r))
		return 0;
	if (r->fin_line) {
		fail(r, r->fin_line, "E004", F_NONE, "la ligne FIN doit être la "
		     "dernière du fichier (ligne %ld après elle)", r->row_start);
		return -1;
	}
	mv_reset(mv);
	mv->line = r->row_start;
	for (i = 0; i < r->nfields && i < r->ncols; i++)
		if (r->colmap[i] != F_NONE &&
		    mv_set(mv, r->colmap[i], row_field(r, i)) < 0)
			return -1;
	for (; i < r->nfields; i++)
		if (*row_field(r, i) != '\0') {
			mv_diag(mv, "E105", F_NONE, "ligne de %d champs pour %d "
				"colonnes dans l'en-tête : séparateur en trop ?",
				r->nfields, r->ncols);
			break;
		}
	if (r->ctrl_col)
		control_diag(r, mv);
	op = mv_get(mv, F_OPERATION);
	mv->op = op_from_name(op ? op : "");
	if (mv->op == OP_FIN)
		return take_trailer(r, fin_count_field(r)) < 0 ? -1 : 0;
	r->movements++;
	return 1;
}

/* csv_reader_next - the next movement, skipping the header and blank rows */
int csv_reader_next(struct csv_reader *r, struct movement *mv)
{
	int rc;

	for (;;) {
		rc = pump(r);
		if (rc <= 0)
			break;
		r->row_done = 0;
		if (row_limits(r) < 0)
			return -1;
		if (!r->header_done)
			rc = take_header(r);
		else
			rc = take_row(r, mv);
		r->nfields = 0;
		r->field_too_long = 0;
		r->ctrl_col = 0;
		buf_reset(&r->row);
		if (rc != 0)
			return rc;
	}
	if (rc == 0 && r->fin_line && r->fin_count != r->movements) {
		fail(r, r->fin_line, "E004", F_NONE, "la ligne FIN annonce %ld "
		     "mouvements, le fichier en contient %ld : envoi "
		     "interrompu ?", r->fin_count, r->movements);
		return -1;
	}
	return rc;
}

const struct file_diag *csv_reader_fatal(const struct csv_reader *r)
{
	return r->failed ? &r->fatal : NULL;
}

const struct file_diag *csv_reader_warnings(const struct csv_reader *r,
					    size_t *n)
{
	*n = r->nwarns;
	return r->warns;
}

int csv_reader_trailer(const struct csv_reader *r)
{
	return r->fin_line != 0 && !r->failed;
}

char csv_reader_delim(const struct csv_reader *r)
{
	return r->delim;
}

void csv_reader_close(struct csv_reader *r)
{
	if (r == NULL)
		return;
	if (r->parser_ready)
		csv_free(&r->parser);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->conv);
	free(r->warns);
	buf_free(&r->header_line);
	buf_free(&r->row);
	free(r);
}
