/*
 * fuzz_config - libFuzzer target: any bytes as affild.yaml, loaded and
 * checked whole by cfg_load(), as `affild --check-config` does.
 *
 * cfg_load() takes a path (employers.d/ is found beside it), so the input
 * is written to a private folder first.  libyaml is Debian's, not
 * instrumented: the target finds faults in config/'s key tables, type
 * conversions, bounds and error messages.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "fuzz/fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_errors errs = { NULL, 0 };
	const char *path;
	struct cfg *cfg;
	size_t i;

	path = fuzz_file("affild.yaml", data, size);
	if (path == NULL)
		return 0;
	cfg = cfg_load(path, &errs);
	for (i = 0; i < errs.n; i++)
		fuzz_sink += strlen(errs.lines[i]);
	for (i = 0; cfg != NULL && i < cfg->nemployers; i++)
		if (cfg_employer(cfg, cfg->employers[i].numero) == NULL)
			abort();	/* every employer loaded is found */
	cfg_free(cfg);
	cfg_errors_free(&errs);
	return 0;
}
