/*
 * source - one input file, CSV or XML, read the same way.
 *
 * The format is told by the name (.csv and .txt are CSV, .xml is XML).
 * source_prepass() reads the whole file once, sequentially, before anything
 * is parsed: its SHA-256 (duplicates), its encoding (UTF-8, UTF-16 with a
 * BOM, else Windows-1252), its size and the gzip magic; then it rewinds.
 * source_open() starts the streaming reader on the same descriptor; the
 * readers own their buffers, the caller owns the descriptor.
 */
#ifndef AFFILD_PARSERS_SOURCE_H
#define AFFILD_PARSERS_SOURCE_H

#include "common/crypto.h"
#include "config/config.h"
#include "parsers/csv_reader.h"
#include "parsers/xml_reader.h"

enum source_format { SOURCE_NONE, SOURCE_CSV, SOURCE_XML };

struct source_prepass {
	char sha256[CRYPTO_HEX_LEN];
	enum csv_encoding encoding;
	long long size;
	int gzip;			/* starts with the gzip magic */
};

/* The reader of one file; both NULL after source_close(). */
struct source {
	struct csv_reader *csv;
	struct xml_reader *xml;
};

/* source_format - by the name's extension, in any case */
enum source_format source_format(const char *name);

/* source_prepass - one read of fd: digest, encoding, size, gzip; then back
 * to the start.  0, or -1 after a log_err (read or seek failed). */
int source_prepass(int fd, struct source_prepass *pp);

/* source_open - the reader fmt calls for, on fd (not SOURCE_NONE) */
void source_open(struct source *src, int fd, enum source_format fmt,
		 const struct source_prepass *pp, const struct cfg *cfg);
/* source_next - 1 a movement in mv, 0 end, -1 the file is refused
 * (source_fatal() says why) */
int source_next(struct source *src, struct movement *mv);
const struct file_diag *source_fatal(const struct source *src);
/* source_warnings - file-level warnings (W001...), borrowed */
const struct file_diag *source_warnings(const struct source *src, size_t *n);
/* source_trailer_seen - a FIN trailer was read (XML has none: 1) */
int source_trailer_seen(const struct source *src);
void source_close(struct source *src);

#endif
