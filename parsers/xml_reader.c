/*
 * xml_reader - XML payroll file → movements, streaming through libxml2.
 *
 * Design.  xml_prolog_check() looks at the first bytes (DOCTYPE, gzip,
 * UTF-16) before libxml2 reads any.  Then xmlReaderForFd() pulls the file
 * in small chunks and keeps only
 * the nodes around the cursor; the embedded XSD validates through the same
 * stream (xmlTextReaderSchemaValidateCtxt), with a locator that gives the
 * parser's own line, so an XSD error names the line where libxml2 met it.
 * The first libxml2 error is kept and turns into the file's fatal finding
 * at the next step of the loop (in French: xml_errmsg.c); limits on the
 * current node (depth, length of a value) are looked at before it, being
 * more precise.
 *
 * Depth, from the root: 0 `mouvements`, 1 a movement, 2 a field or a
 * nested `ayant_droit`, 3 a nested field (or a field's text), 4 its text.
 *
 * A parent movement (AFFILIATION_COMPLETE, FINALISATION) is handed out when
 * its first nested `ayant_droit` starts (the XSD puts the beneficiaries
 * after the parent's fields) or at its end tag when it has none; each
 * beneficiary at its own end tag.
 *
 * Lines.  libxml2 keeps an element's line in an unsigned short (65535 at
 * most).  Beyond that, with XML_PARSE_BIG_LINES, a text node keeps its full
 * line (the line where its text ends); a movement's line is then the line
 * of the first text after its start tag minus the newlines inside it.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include "common/log.h"
#include "common/util.h"
#include "parsers/xml_errmsg.h"
#include "parsers/xml_prolog.h"
#include "parsers/xml_reader.h"
#include "parsers/xml_schema.h"


#if LIBXML_VERSION >= 21200
typedef const xmlError *xml_error_arg;
#else
typedef xmlErrorPtr xml_error_arg;
#endif

struct xml_reader {
	int fd;
	struct xml_opts opts;
	xmlTextReaderPtr xr;
	xmlSchemaValidCtxtPtr vctxt;

	/* The first libxml2 error, turned into the fatal finding; and,
	 * after a schema error, the parser's first (a cut file). */
	int have_err, have_late;
	struct file_diag err, late;

	struct buf root_numero;		/* the root's numero_personne */
	int root_seen;

	/* The movement being read. */
	int in_movement;
	int is_parent;			/* may hold nested beneficiaries */
	int parent_sent;		/* handed out before its children */
	int in_child;			/* inside a nested ayant_droit */
	int line_pending;		/* start tag past 65534: resolve_line */
	long child_line;		/* its start tag, when pending */
	int child_pending;		/* starts on the next call */
	int child_empty;		/* <ayant_droit/> */
	struct buf parent_nir;		/* kept for the nested children */
	struct buf parent_numero;
	unsigned char seen[F_COUNT];	/* fields given in this movement */

	/* The field being read. */
	enum field field;
	int field_depth;		/* -1: not in a field */
	struct buf value;

	int failed, done;
	struct file_diag fatal;
};

static xmlSchemaPtr schema;		/* compiled once per process */
static int schema_failed;

static void fail(struct xml_reader *r, long line, const char *code,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* fail - record the whole-file error that stops the reader */
static void fail(struct xml_reader *r, long line, const char *code,
		 const char *fmt, ...)
{
	va_list ap;

	if (r->failed)
		return;
	r->failed = 1;
	va_start(ap, fmt);
	file_diag_set(&r->fatal, line, code, F_NONE, fmt, ap);
	va_end(ap);
}

/* no_entity_loader - nothing outside the file is ever read, whatever asks */
static xmlParserInputPtr no_entity_loader(const char *url, const char *id,
					  xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/* quiet - libxml2's generic errors go nowhere; ours come structured */
static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* libxml_setup - process-wide libxml2 settings; idempotent */
static void libxml_setup(void)
{
	xmlSetExternalEntityLoader(no_entity_loader);
	xmlSetGenericErrorFunc(NULL, quiet);
}

/* schema_get - the embedded XSD, compiled at the first call */
static xmlSchemaPtr schema_get(void)
{
	xmlSchemaParserCtxtPtr pc;
	const char *text;
	size_t len;

	if (schema != NULL || schema_failed)
		return schema;
	libxml_setup();
	text = xml_schema_text(&len);
	pc = xmlSchemaNewMemParserCtxt(text, (int)len);
	if (pc != NULL) {
		schema = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
	if (schema == NULL) {
		schema_failed = 1;
		log_err("event=xml_schema_invalid");
	}
	return schema;
}

int xml_reader_schema_ok(void)
{
	return schema_get() != NULL ? 0 : -1;
}

/* diag_of - a libxml2 error as a finding: E013 from the XSD validator,
 * E012 from the parser */
static void diag_of(xml_error_arg e, struct file_diag *d)
{
	int schema_err = e->domain == XML_FROM_SCHEMASV;

	d->line = e->line > 0 ? e->line : 0;
	d->d.field = F_NONE;
	xml_errmsg(schema_err, e->code, e->message, d->d.msg,
		   sizeof(d->d.msg));
	(void)strlcpy_ok(d->d.code, schema_err ? "E013" : "E012",
			 sizeof(d->d.code));
}

/* cut_error - a parser error that says the data ended inside a tag */
static int cut_error(xml_error_arg e)
{
	return e != NULL && e->level >= XML_ERR_ERROR &&
	       e->domain == XML_FROM_PARSER &&
	       (e->code == XML_ERR_GT_REQUIRED ||
		e->code == XML_ERR_LTSLASH_REQUIRED ||
		e->code == XML_ERR_TAG_NOT_FINISHED ||
		e->code == XML_ERR_ATTRIBUTE_NOT_STARTED ||
		e->code == XML_ERR_ATTRIBUTE_WITHOUT_VALUE ||
		e->code == XML_ERR_EQUAL_REQUIRED);
}

/* on_error - keep libxml2's first error; it stops the file.  After a
 * schema error, keep a cut too: a file cut inside a tag name shows the
 * validator a strange element before the parser finds the end of data,
 * and the cut is what the file is (take_error) */
static void on_error(void *arg, xml_error_arg e)
{
	struct xml_reader *r = arg;

	if (e == NULL || e->level < XML_ERR_ERROR)
		return;
	if (!r->have_err) {
		r->have_err = 1;
		diag_of(e, &r->err);
	} else if (!r->have_late && cut_error(e) &&
		   strcmp(r->err.d.code, "E013") == 0) {
		r->have_late = 1;
		diag_of(e, &r->late);
	}
}

/* parser_line - where libxml2's parser is; the locator for XSD errors */
static int parser_line(void *arg, const char **file, unsigned long *line)
{
	struct xml_reader *r = arg;

	if (file)
		*file = NULL;
	*line = (unsigned long)xmlTextReaderGetParserLineNumber(r->xr);
	return 0;
}

static void validate_with_schema(struct xml_reader *r);

/* xml_reader_open - a reader on fd; the caller keeps the fd */
struct xml_reader *xml_reader_open(int fd, const struct xml_opts *opts)
{
	struct xml_reader *r = xcalloc(1, sizeof(*r));
	/* No NOENT, DTDLOAD, DTDATTR, XINCLUDE; no NOCDATA either: with
	 * the XSD plugged in, libxml2 2.9 then drops CDATA text. */
	int options = XML_PARSE_NONET | XML_PARSE_BIG_LINES;

#if LIBXML_VERSION >= 21300	/* an enum, not a macro: test the version */
	options |= XML_PARSE_NO_XXE;
#endif
	r->fd = fd;
	if (opts)
		r->opts = *opts;
	r->field_depth = -1;
	buf_init(&r->value, XML_MAX_VALUE);
	buf_init(&r->root_numero, XML_MAX_VALUE);
	buf_init(&r->parent_nir, XML_MAX_VALUE);
	buf_init(&r->parent_numero, XML_MAX_VALUE);
	if (!r->opts.no_schema && schema_get() == NULL) {
		fail(r, 0, "E001", "schéma XML interne illisible : fichier non "
		     "traité, prévenez l'assureur");
		return r;
	}
	libxml_setup();
	if (xml_prolog_check(fd, &r->fatal) < 0) {
		r->failed = 1;
		return r;
	}
	xmlResetLastError();
	r->xr = xmlReaderForFd(fd, "mouvements.xml", NULL, options);
	if (r->xr == NULL) {
		fail(r, 0, "E001", "lecture du fichier XML impossible");
		return r;
	}
	/* Parse errors come here only without the XSD (its SAX plug takes the
	 * parser's error channel); xml_reader_next() then reads libxml2's
	 * last error instead. */
	xmlTextReaderSetStructuredErrorHandler(r->xr, on_error, r);
	if (!r->opts.no_schema)
		validate_with_schema(r);
	return r;
}

/* validate_with_schema - plug the XSD into the stream */
static void validate_with_schema(struct xml_reader *r)
{
	r->vctxt = xmlSchemaNewValidCtxt(schema);
	if (r->vctxt == NULL) {
		fail(r, 0, "E001", "validation XML impossible (mémoire)");
		return;
	}
	xmlSchemaSetValidStructuredErrors(r->vctxt, on_error, r);
	if (xmlTextReaderSchemaValidateCtxt(r->xr, r->vctxt, 0) != 0) {
		fail(r, 0, "E001", "validation XML impossible");
		return;
	}
	xmlSchemaValidateSetLocator(r->vctxt, parser_line, r);
}

/* node_line - the current node's line; 0 past 65534 (see resolve_line) */
static long node_line(struct xml_reader *r)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(r->xr);

	return n != NULL && n->line < USHRT_MAX ? n->line : 0;
}

/* here - the best line for a finding about the current node */
static long here(struct xml_reader *r)
{
	long line = node_line(r);

	return line > 0 ? line : xmlTextReaderGetParserLineNumber(r->xr);
}

/*
 * resolve_line - a movement past line 65534 gets its line from the first
 * text after its start tag: with XML_PARSE_BIG_LINES the text node keeps
 * the line where it ends (its psvi); minus the newlines inside it, that is
 * the line where it starts, the start tag's.
 */
static void resolve_line(struct xml_reader *r, struct movement *mv)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(r->xr);
	const xmlChar *c;
	long line;

	if (n == NULL || n->type != XML_TEXT_NODE || n->psvi == NULL)
		return;
	line = (long)(ptrdiff_t)n->psvi;
	for (c = n->content; c != NULL && *c; c++)
		line -= *c == '\n';
	mv->line = line;
	r->line_pending = 0;
}

/* settle_line - no text to tell: the parser's line, a few lines ahead */
static void settle_line(struct xml_reader *r, struct movement *mv)
{
	if (!r->line_pending)
		return;
	mv->line = xmlTextReaderGetParserLineNumber(r->xr);
	r->line_pending = 0;
}

/* op_of - the operation of a movement element (`radiation` → RADIATION) */
static enum op op_of(const char *name, char *upper, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ?
				  name[i] - 'a' + 'A' : name[i]);
	upper[i] = '\0';
	return op_from_name(upper);
}

/* begin_movement - a new movement whose start tag is at line */
static void begin_movement(struct xml_reader *r, struct movement *mv,
			   const char *opname, enum op op, long line)
{
	mv_reset(mv);
	mv->op = op;
	mv->line = line;
	r->line_pending = line == 0;
	(void)mv_set(mv, F_OPERATION, opname);
	if (r->root_numero.len > 0)
		(void)mv_set(mv, F_NUMERO_PERSONNE, buf_str(&r->root_numero));
	memset(r->seen, 0, sizeof(r->seen));
	r->field_depth = -1;
}

/* begin_child - a nested beneficiary: the parent's nir and employer */
static void begin_child(struct xml_reader *r, struct movement *mv, long line)
{
	begin_movement(r, mv, "AYANT_DROIT", OP_AYANT_DROIT, line);
	(void)mv_set(mv, F_NIR, buf_str(&r->parent_nir));
	if (r->parent_numero.len > 0)
		(void)mv_set(mv, F_NUMERO_PERSONNE,
			     buf_str(&r->parent_numero));
	r->in_child = 1;
}

/* finish_movement - every absent field reads as "" (no header in XML) */
static void finish_movement(struct xml_reader *r, struct movement *mv)
{
	int f;

	settle_line(r, mv);
	for (f = 0; f < F_COUNT; f++)
		if (mv_get(mv, (enum field)f) == NULL)
			(void)mv_set(mv, (enum field)f, "");
}

/* send_parent - hand the parent out, keeping what its children need */
static void send_parent(struct xml_reader *r, struct movement *mv)
{
	const char *nir = mv_get(mv, F_NIR);
	const char *num = mv_get(mv, F_NUMERO_PERSONNE);

	/* Both fit: a value is at most XML_MAX_VALUE bytes. */
	buf_reset(&r->parent_nir);
	(void)buf_addstr(&r->parent_nir, nir ? nir : "");
	buf_reset(&r->parent_numero);
	(void)buf_addstr(&r->parent_numero, num ? num : "");
	finish_movement(r, mv);
	r->parent_sent = 1;
}

/* on_root - the root element: its numero_personne applies to all */
static int on_root(struct xml_reader *r)
{
	xmlChar *num = xmlTextReaderGetAttribute(r->xr, BAD_CAST
						 "numero_personne");
	int rc = 0;

	r->root_seen = 1;
	if (num == NULL)
		return 0;
	if (buf_addstr(&r->root_numero, (const char *)num) < 0) {
		fail(r, here(r), "E007", "attribut numero_personne de plus de "
		     "%u octets", XML_MAX_VALUE);
		rc = -1;
	}
	xmlFree(num);
	return rc;
}

/* field_start - a field element; an empty one is set at once */
static void field_start(struct xml_reader *r, struct movement *mv,
			const char *name, int depth, int empty)
{
	enum field f = field_from_name(name);

	if (f == F_NONE || f == F_OPERATION)
		return;		/* only without the XSD */
	if (r->seen[f]++) {
		mv_diag(mv, "E107", f, "élément « %s » donné deux fois dans "
			"ce mouvement : une seule valeur par champ", name);
		return;
	}
	r->field = f;
	r->field_depth = depth;
	buf_reset(&r->value);
	if (empty) {
		(void)mv_set(mv, f, "");
		r->field_depth = -1;
	}
}

/* field_end - the field's text is complete */
static void field_end(struct xml_reader *r, struct movement *mv)
{
	(void)mv_set(mv, r->field, buf_str(&r->value));
	r->field_depth = -1;
}

/* on_text - text inside a field; longer than 64 KiB stops the file */
static int on_text(struct xml_reader *r, int depth)
{
	const char *v = (const char *)xmlTextReaderConstValue(r->xr);

	if (r->field_depth < 0 || depth != r->field_depth + 1 || v == NULL)
		return 0;
	if (buf_addstr(&r->value, v) < 0) {
		fail(r, here(r), "E007", "valeur trop longue dans "
		     "l'élément « %s » : plus de %u octets",
		     field_name(r->field), XML_MAX_VALUE);
		return -1;
	}
	return 0;
}

/* on_element - a start tag; 1 when a movement is ready in mv */
static int on_element(struct xml_reader *r, struct movement *mv, int depth)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(r->xr);
	int empty = xmlTextReaderIsEmptyElement(r->xr) == 1;
	char upper[64];
	enum op op;

	if (depth == 0)
		return on_root(r);	/* 0, or -1 when too long */
	if (depth == 1) {
		op = op_of(name, upper, sizeof(upper));
		begin_movement(r, mv, upper, op, node_line(r));
		r->in_movement = 1;
		r->is_parent = op == OP_AFFILIATION_COMPLETE ||
			       op == OP_FINALISATION;
		r->parent_sent = r->in_child = 0;
		if (!empty)
			return 0;
		r->in_movement = 0;
		finish_movement(r, mv);
		return 1;
	}
	if (depth == 2 && r->is_parent && strcmp(name, "ayant_droit") == 0) {
		r->child_line = node_line(r);
		r->child_empty = empty;
		if (!r->parent_sent) {
			send_parent(r, mv);
			r->child_pending = 1;
			return 1;
		}
		begin_child(r, mv, r->child_line);
		if (!empty)
			return 0;
		r->in_child = 0;
		finish_movement(r, mv);
		return 1;
	}
	if (r->in_movement && r->field_depth < 0 &&
	    depth == (r->in_child ? 3 : 2))
		field_start(r, mv, name, depth, empty);
	return 0;
}

/* on_end - an end tag; 1 when a movement is ready in mv */
static int on_end(struct xml_reader *r, struct movement *mv, int depth)
{
	if (r->field_depth >= 0 && depth == r->field_depth) {
		field_end(r, mv);
		return 0;
	}
	if (depth == 2 && r->in_child) {
		r->in_child = 0;
		finish_movement(r, mv);
		return 1;
	}
	if (depth == 1 && r->in_movement) {
		r->in_movement = 0;
		if (r->parent_sent)
			return 0;
		finish_movement(r, mv);
		return 1;
	}
	return 0;
}

/* limits - the current node against the reader's own limits */
static int limits(struct xml_reader *r, int depth)
{
	if (depth > XML_MAX_DEPTH) {
		fail(r, here(r), "E007", "imbrication XML de plus de %d "
		     "niveaux", XML_MAX_DEPTH);
		return -1;
	}
	return 0;
}

/* step - one node; 1 movement ready, 0 go on, -1 fatal */
static int step(struct xml_reader *r, struct movement *mv)
{
	int type = xmlTextReaderNodeType(r->xr);
	int depth = xmlTextReaderDepth(r->xr);

	if (limits(r, depth) < 0)
		return -1;
	if (r->line_pending && r->in_movement)
		resolve_line(r, mv);
	switch (type) {
	case XML_READER_TYPE_DOCUMENT_TYPE:
		fail(r, xmlTextReaderGetParserLineNumber(r->xr), "E014", "%s",
		     xml_prolog_doctype_msg);
		return -1;
	case XML_READER_TYPE_ELEMENT:
		return on_element(r, mv, depth);
	case XML_READER_TYPE_END_ELEMENT:
		return on_end(r, mv, depth);
	case XML_READER_TYPE_TEXT:
	case XML_READER_TYPE_CDATA:
	case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
	case XML_READER_TYPE_WHITESPACE:
		return on_text(r, depth);
	default:
		return 0;
	}
}

/* take_error - libxml2's pending error becomes the fatal finding; a
 * schema error met where the data ends inside a tag is the cut (E012):
 * the validator saw the tag's name before the parser saw the end */
static int take_error(struct xml_reader *r)
{
	xml_error_arg last;

	if (!r->have_err)
		return 0;
	if (!r->failed) {
		last = xmlGetLastError();
		if (!r->have_late && strcmp(r->err.d.code, "E013") == 0 &&
		    cut_error(last)) {
			r->have_late = 1;
			diag_of(last, &r->late);
		}
		r->failed = 1;
		r->fatal = r->have_late ? r->late : r->err;
	}
	return -1;
}

/* xml_reader_next - the next movement, in document order */
int xml_reader_next(struct xml_reader *r, struct movement *mv)
{
	int rc;

	if (r->failed)
		return -1;
	if (r->done)
		return 0;
	if (r->child_pending) {
		r->child_pending = 0;
		begin_child(r, mv, r->child_line);
		if (r->child_empty) {
			r->in_child = 0;
			finish_movement(r, mv);
			return 1;
		}
	}
	while ((rc = xmlTextReaderRead(r->xr)) == 1) {
		rc = step(r, mv);
		if (rc < 0 || take_error(r) < 0)
			return -1;
		if (rc == 1)
			return 1;
	}
	if (rc < 0 || take_error(r) < 0) {
		/* With the XSD plugged in, libxml2 keeps parse errors to
		 * itself: its last error says what stopped the reader. */
		if (take_error(r) == 0)
			on_error(r, xmlGetLastError());
		if (take_error(r) == 0)
			fail(r, xmlTextReaderGetParserLineNumber(r->xr), "E012",
			     "XML mal formé");
		return -1;
	}
	if (!r->root_seen) {
		fail(r, 0, "E012", "XML mal formé : fichier vide ou sans "
		     "élément racine « mouvements »");
		return -1;
	}
	r->done = 1;
	return 0;
}

const struct file_diag *xml_reader_fatal(const struct xml_reader *r)
{
	return r->failed ? &r->fatal : NULL;
}

const struct file_diag *xml_reader_warnings(const struct xml_reader *r,
					    size_t *n)
{
	(void)r;
	*n = 0;
	return NULL;
}

void xml_reader_close(struct xml_reader *r)
{
	if (r == NULL)
		return;
	if (r->xr != NULL)
		xmlFreeTextReader(r->xr);
	if (r->vctxt != NULL)
		xmlSchemaFreeValidCtxt(r->vctxt);
	buf_free(&r->value);
	buf_free(&r->root_numero);
	buf_free(&r->parent_nir);
	buf_free(&r->parent_numero);
	free(r);
}
