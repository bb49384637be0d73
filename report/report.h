/*
 * report - the compte rendu written back to the employer (formats.md).
 *
 * The report is streamed to a temporary file while the movements are read,
 * so memory does not grow with the file; report_close() flushes and fsyncs
 * it, and the pipeline renames it into out/ after the COMMIT.  CSV reports
 * are UTF-8 with a BOM and ';' separators (French Excel opens them as is);
 * a cell a spreadsheet would take for a formula gets a leading quote.
 *
 * Ownership: report_open() returns a report owned by the caller, released
 * by report_close() (keeps the file) or report_discard() (removes it).
 */
#ifndef AFFILD_REPORT_H
#define AFFILD_REPORT_H

/* REPORT_TABLE: a plain CSV (BOM, ';', CRLF, formula guard) of report_row()
 * lines, for EXPORT; the same durability as a report. */
enum report_format { REPORT_CSV, REPORT_XML, REPORT_TABLE };

struct report_counts {
	long movements, accepted, rejected, warnings;
};

struct report;

/* report_open - create path (O_EXCL after removing a stale one) */
struct report *report_open(const char *path, enum report_format fmt,
			   const char *input_name);
/* report_line - one line; -1 on a write error (the report is then unusable) */
int report_line(struct report *r, long line, const char *op, const char *nir,
		const char *result, const char *code, const char *field,
		const char *msg);
/* report_row - REPORT_TABLE: one line of n cells; -1 on a write error */
int report_row(struct report *r, const char *const *vals, int n);
/* report_summary - the last line: FICHIER, CR<rc>, counts and a note */
int report_summary(struct report *r, int rc, const struct report_counts *c,
		   const char *note);
/* report_close - flush, fsync and close; -1 if any write failed */
int report_close(struct report *r);
void report_discard(struct report *r);

/* report_result - ACCEPTE / AVERTISSEMENT / REJETE for a return code */
const char *report_result(int rc);

#endif
