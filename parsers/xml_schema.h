/*
 * xml_schema - the XSD of the XML payroll file, built into the binary.
 *
 * schemas/mouvements.xsd is the published contract; parsers/xml_schema.c is
 * generated from it (scripts/gen-xml-schema.sh) so the daemon needs no file
 * at run time and cannot be pointed at another schema.
 */
#ifndef AFFILD_XML_SCHEMA_H
#define AFFILD_XML_SCHEMA_H

#include <stddef.h>

/* xml_schema_text - the XSD; static storage, never freed */
const char *xml_schema_text(size_t *len);

#endif
