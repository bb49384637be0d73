/*
 * xml_prolog - look at an XML file's first bytes before libxml2 does.
 *
 * A DTD is where XML's dangers live (external entities that read local
 * files or the network, entity expansion bombs).  affild's files never need
 * one, so the safest DTD is one libxml2 never sees: before the parser reads
 * a byte, xml_prolog_check() walks the prolog (XML declaration, comments,
 * processing instructions, blanks) itself, however long, and refuses the
 * file at a DOCTYPE, with its line.  A DOCTYPE can only stand in the
 * prolog.  The same look refuses what libxml2 would otherwise decode behind
 * our back or misread: gzip, UTF-16/UTF-32, an empty file.
 *
 * The fd is read with pread(2): its offset does not move.
 */
#ifndef AFFILD_XML_PROLOG_H
#define AFFILD_XML_PROLOG_H

#include "parsers/csv_reader.h"		/* struct file_diag */

/* The E014 message, also said by the reader should libxml2 meet a DTD. */
extern const char xml_prolog_doctype_msg[];

/* xml_prolog_check - 0: go on; -1: *why says why the file is refused
 * (E001 gzip, E002 empty, E009 UTF-16/32, E014 DOCTYPE); a read error is
 * left to the parser to report */
int xml_prolog_check(int fd, struct file_diag *why);

#endif
