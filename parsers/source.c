/*
 * source - the pre-pass and the reader of one input file (source.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/log.h"
#include "common/utf8.h"
#include "common/util.h"
#include "parsers/source.h"

#define PREPASS_CHUNK (256u << 10)

/* source_prepass - digest and encoding in one sequential read */
int source_prepass(int fd, struct source_prepass *pp)
{
	unsigned char *chunk = xmalloc(PREPASS_CHUNK);
	struct sha256_ctx *sha = sha256_begin();
	struct utf8_stream u8;
	int utf16 = 0, first = 1;
	ssize_t n;

	pp->size = 0;
	pp->gzip = 0;
	utf8_stream_init(&u8);
	while ((n = read(fd, chunk, PREPASS_CHUNK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_err_errno("event=read_failed");
			free(chunk);
			sha256_end(sha, pp->sha256);
			return -1;
		}
		if (first && n >= 2 && ((chunk[0] == 0xFF && chunk[1] == 0xFE) ||
					(chunk[0] == 0xFE && chunk[1] == 0xFF)))
			utf16 = 1;	/* UTF-16 with its BOM */
		if (first && n >= 2 && chunk[0] == 0x1F && chunk[1] == 0x8B)
			pp->gzip = 1;
		first = 0;
		sha256_update(sha, chunk, (size_t)n);
		if (!utf16)
			(void)utf8_stream_feed(&u8, chunk, (size_t)n);
		pp->size += n;
	}
	free(chunk);
	pp->encoding = utf16 ? CSV_ENC_UTF16 : utf8_stream_end(&u8) ?
		       CSV_ENC_UTF8 : CSV_ENC_CP1252;
	if (sha256_end(sha, pp->sha256) < 0)
		return -1;
	return lseek(fd, 0, SEEK_SET) < 0 ? -1 : 0;
}

/* has_ext - name ends with ext, in any case */
static int has_ext(const char *name, const char *ext)
{
	size_t n = strlen(name), e = strlen(ext);

	return n > e && strcasecmp(name + n - e, ext) == 0;
}

/* source_format - .csv (or .txt) is CSV, .xml is XML, anything else none */
enum source_format source_format(const char *name)
{
	if (has_ext(name, ".csv") || has_ext(name, ".txt"))
		return SOURCE_CSV;
	if (has_ext(name, ".xml"))
		return SOURCE_XML;
	return SOURCE_NONE;
}

/* source_open - the reader the file's format calls for */
void source_open(struct source *src, int fd, enum source_format fmt,
		 const struct source_prepass *pp, const struct cfg *cfg)
{
	struct csv_opts copts = { pp->encoding, cfg->aliases, cfg->naliases };
	struct xml_opts xopts = { 0 };

	memset(src, 0, sizeof(*src));
	if (fmt == SOURCE_XML)
		src->xml = xml_reader_open(fd, &xopts);
	else
		src->csv = csv_reader_open(fd, &copts);
}

int source_next(struct source *src, struct movement *mv)
{
	return src->xml ? xml_reader_next(src->xml, mv) :
			  csv_reader_next(src->csv, mv);
}

const struct file_diag *source_fatal(const struct source *src)
{
	return src->xml ? xml_reader_fatal(src->xml) :
			  csv_reader_fatal(src->csv);
}

const struct file_diag *source_warnings(const struct source *src, size_t *n)
{
	return src->xml ? xml_reader_warnings(src->xml, n) :
			  csv_reader_warnings(src->csv, n);
}

/* source_trailer_seen - the CSV's FIN trailer was read; XML has none */
int source_trailer_seen(const struct source *src)
{
	return src->csv == NULL || csv_reader_trailer(src->csv);
}

void source_close(struct source *src)
{
	xml_reader_close(src->xml);
	csv_reader_close(src->csv);
	src->xml = NULL;
	src->csv = NULL;
}
