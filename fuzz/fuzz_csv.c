/*
 * fuzz_csv - libFuzzer target: any bytes as a payroll CSV file, read by
 * csv_reader to the last movement, as the pipeline would.
 *
 * The encoding is chosen the way the pipeline's pre-pass chooses it: UTF-16
 * after its BOM, UTF-8 when the bytes are valid UTF-8, else Windows-1252;
 * so corpus files are plain CSV files.  libcsv is compiled from
 * fuzz/libcsv/ into this target: its parser is instrumented too.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "common/utf8.h"
#include "fuzz/fuzz_input.h"
#include "parsers/csv_reader.h"

static enum csv_encoding sniff(const uint8_t *d, size_t n)
{
	if (n >= 2 && ((d[0] == 0xFF && d[1] == 0xFE) ||
		       (d[0] == 0xFE && d[1] == 0xFF)))
		return CSV_ENC_UTF16;
	return utf8_valid((const char *)d, n) ? CSV_ENC_UTF8 : CSV_ENC_CP1252;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_alias alias = { "numero_securite_sociale", "nir" };
	struct csv_opts opts = { sniff(data, size), &alias, 1 };
	const struct file_diag *d;
	struct csv_reader *r;
	struct movement mv;
	size_t nwarn;
	int fd, f;

	fd = fuzz_memfd(data, size);
	if (fd < 0)
		return 0;
	r = csv_reader_open(fd, &opts);
	mv_init(&mv);
	while (csv_reader_next(r, &mv) == 1)
		for (f = 0; f < F_COUNT; f++)
			if (mv_get(&mv, (enum field)f) != NULL)
				fuzz_sink += strlen(mv_get(&mv, (enum field)f));
	if ((d = csv_reader_fatal(r)) != NULL)
		fuzz_sink += strlen(d->d.msg);
	d = csv_reader_warnings(r, &nwarn);
	while (nwarn-- > 0)
		fuzz_sink += strlen(d[nwarn].d.msg);
	(void)csv_reader_trailer(r);
	mv_free(&mv);
	csv_reader_close(r);
	close(fd);
	return 0;
}
