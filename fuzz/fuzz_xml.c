/*
 * fuzz_xml - libFuzzer target: any bytes as a payroll XML file, read by
 * xml_reader to the last movement.
 *
 * Inputs of even size are validated against the embedded XSD, as the
 * daemon always does; odd sizes skip it so that the reader's own limits
 * (depth, value length, duplicate fields) are reached too.  libxml2 is
 * Debian's, not instrumented: the target finds faults in affild's code
 * around it and in how it drives libxml2.
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "fuzz/fuzz_input.h"
#include "parsers/xml_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_opts opts = { (int)(size & 1) };
	const struct file_diag *d;
	struct xml_reader *r;
	struct movement mv;
	int fd, f;

	fd = fuzz_memfd(data, size);
	if (fd < 0)
		return 0;
	r = xml_reader_open(fd, &opts);
	mv_init(&mv);
	while (xml_reader_next(r, &mv) == 1)
		for (f = 0; f < F_COUNT; f++)
			if (mv_get(&mv, (enum field)f) != NULL)
				fuzz_sink += strlen(mv_get(&mv, (enum field)f));
	if ((d = xml_reader_fatal(r)) != NULL)
		fuzz_sink += strlen(d->d.msg);
	mv_free(&mv);
	xml_reader_close(r);
	close(fd);
	return 0;
}
