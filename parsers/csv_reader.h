/*
 * csv_reader - stream a payroll CSV file into movements, with libcsv.
 *
 * The reader pulls fixed-size chunks from a file descriptor, so memory does
 * not grow with the file.  It strips a UTF-8 BOM, converts Windows-1252 to
 * UTF-8 when told the file is in that encoding (the pipeline's pre-pass
 * decides), detects the separator (';', ',' or TAB) from the header line,
 * maps header names to fields after folding (cfg_fold_name) and the
 * configured aliases, and numbers rows by their true first physical line
 * (a quoted field may span lines; blank lines count).
 *
 * Whole-file problems (no header, no `operation` column, broken quoting,
 * a line over 1 MiB, a field over 64 KiB, more than 200 columns, a byte
 * Windows-1252 does not define, a FIN trailer whose count is wrong or that is
 * not last) stop the reader: csv_reader_next() returns -1 and
 * csv_reader_fatal() says what and where.  Header findings (unknown or
 * repeated columns) are warnings, kept for the report.
 *
 * A NUL or another C0 control (TAB, CR and LF aside) in a value rejects its
 * row (E190, naming the column) and is read as '?': a value is never cut
 * short at a NUL.
 *
 * The reader does not own the fd.  csv_reader_close() frees the reader.
 */
#ifndef AFFILD_CSV_READER_H
#define AFFILD_CSV_READER_H

#include <stddef.h>

#include "config/config.h"
#include "parsers/movement.h"

#define CSV_MAX_FIELD	(64u << 10)
#define CSV_MAX_LINE	(1u << 20)
#define CSV_MAX_COLUMNS	200

enum csv_encoding { CSV_ENC_UTF8, CSV_ENC_CP1252, CSV_ENC_UTF16 };

struct csv_opts {
	enum csv_encoding encoding;
	const struct cfg_alias *aliases;	/* borrowed */
	size_t naliases;
};

struct csv_reader;

/* csv_reader_open - start reading fd; never NULL (errors surface in next) */
struct csv_reader *csv_reader_open(int fd, const struct csv_opts *opts);

/* csv_reader_next - 1: mv holds the next movement; 0: end; -1: fatal */
int csv_reader_next(struct csv_reader *r, struct movement *mv);

/* csv_reader_fatal - the whole-file error after next() returned -1 */
const struct file_diag *csv_reader_fatal(const struct csv_reader *r);

/* csv_reader_warnings - header warnings so far, borrowed */
const struct file_diag *csv_reader_warnings(const struct csv_reader *r,
					    size_t *n);

/* csv_reader_trailer - 1 when the file ended with a correct FIN row */
int csv_reader_trailer(const struct csv_reader *r);

/* csv_reader_delim - the separator found in the header (0 before it) */
char csv_reader_delim(const struct csv_reader *r);

void csv_reader_close(struct csv_reader *r);

#endif
