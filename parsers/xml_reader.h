/*
 * xml_reader - stream an XML payroll file into movements, with libxml2.
 *
 * The XML form of a payroll file (docs/formats.md, schemas/mouvements.xsd):
 * a root `mouvements` (attribute `version`, optional `numero_personne`), one
 * element per movement named after its operation in lower case, one child
 * element per field named like the CSV column.  Beneficiaries
 * (`ayant_droit`) nest inside AFFILIATION_COMPLETE and FINALISATION, or
 * stand alone at the top with their own `nir`.
 *
 * The reader drives libxml2's xmlTextReader on the file descriptor, so only
 * the movement being read is in memory, and validates against the embedded
 * XSD while streaming.  The API mirrors csv_reader so the pipeline drives
 * both the same way:
 *
 *   - each movement comes out of xml_reader_next() with every field set
 *     (an absent element reads as ""), its operation, and mv->line = the
 *     line of its start tag;
 *   - a nested beneficiary comes out right after its parent, as an
 *     AYANT_DROIT movement carrying the parent's nir and numero_personne;
 *   - the root's numero_personne fills every movement that has none;
 *   - a field given twice in one movement rejects that movement (E107).
 *
 * Safety: the bytes before the root element are looked at before libxml2
 * sees them, and a DOCTYPE there (or anywhere libxml2 reports one) stops
 * the file at once: no DTD, hence no entity, is ever used.  No network, no
 * XInclude, no entity substitution, no external entity loader at all, no
 * decompression (a gzip file is refused).
 *
 * Whole-file problems (not well-formed, not valid against the XSD, DOCTYPE,
 * depth over 32, a value over 64 KiB, compressed file) stop the reader:
 * xml_reader_next() returns -1 and xml_reader_fatal() says what, in
 * French, and at which line.
 *
 * The reader does not own the fd.  xml_reader_close() frees the reader.
 */
#ifndef AFFILD_XML_READER_H
#define AFFILD_XML_READER_H

#include "parsers/movement.h"

#define XML_MAX_VALUE	(64u << 10)	/* bytes of one field's text */
#define XML_MAX_DEPTH	32

struct xml_opts {
	/* Only for tests of the reader's own limits, which the XSD would
	 * otherwise report first: the daemon always validates. */
	int no_schema;
};

struct xml_reader;

/* xml_reader_open - start reading fd (at offset 0); never NULL */
struct xml_reader *xml_reader_open(int fd, const struct xml_opts *opts);

/* xml_reader_next - 1: mv holds the next movement; 0: end; -1: fatal */
int xml_reader_next(struct xml_reader *r, struct movement *mv);

/* xml_reader_fatal - the whole-file error after next() returned -1 */
const struct file_diag *xml_reader_fatal(const struct xml_reader *r);

/* xml_reader_warnings - file-level warnings (none today), borrowed */
const struct file_diag *xml_reader_warnings(const struct xml_reader *r,
					    size_t *n);

void xml_reader_close(struct xml_reader *r);

/* xml_reader_schema_ok - 0 when the embedded XSD compiles (start-up check) */
int xml_reader_schema_ok(void);

#endif
