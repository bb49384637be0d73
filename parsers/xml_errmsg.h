/*
 * xml_errmsg - libxml2's error messages, said in French for the report.
 *
 * The employer reads the compte rendu, not libxml2's English: the common
 * errors (an element the schema does not expect, a missing attribute, a
 * value too long, a tag closed by the wrong name...) are rephrased, with
 * the names libxml2 quotes; any other keeps libxml2's text after a French
 * lead, so nothing is lost.
 */
#ifndef AFFILD_XML_ERRMSG_H
#define AFFILD_XML_ERRMSG_H

#include <stddef.h>

/* xml_errmsg - the report's message for a libxml2 error (schema: an XSD
 * error), truncated to outlen on a UTF-8 character boundary */
void xml_errmsg(int schema, int code, const char *libxml_msg, char *out,
		size_t outlen);

#endif
