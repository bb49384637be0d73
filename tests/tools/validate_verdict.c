/*
 * validate_verdict - v_nir() and v_iban() over lines of stdin, for the
 * comparison with python-stdnum (tests/e2e/test_validate_stdnum.py).
 *
 * Each input line is "N <value>" (a NIR) or "I <value>" (an IBAN), the value
 * up to the end of the line, as UTF-8.  Each output line is
 * "<status> <code> <normalised value>", status 0 (V_OK), 1 (V_WARN) or
 * 2 (V_ERR), code "-" when there is none, the value "-" when refused.
 * A test tool, never installed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parsers/validate.h"

#define LINE_MAX_BYTES 4096

/* verdict - one line of input to one line of output; -1 if it is garbled */
static int verdict(char *line)
{
	char out[IBAN_SIZE > NIR_SIZE ? IBAN_SIZE : NIR_SIZE];
	struct vresult r;
	enum vstatus st;

	line[strcspn(line, "\n")] = '\0';
	if ((line[0] != 'N' && line[0] != 'I') || line[1] != ' ')
		return -1;
	if (line[0] == 'N')
		st = v_nir(line + 2, out, sizeof(out), &r);
	else
		st = v_iban(line + 2, out, sizeof(out), &r);
	if (printf("%d %s %s\n", (int)st, r.code[0] ? r.code : "-",
		   st != V_ERR && out[0] ? out : "-") < 0)
		return -1;
	return 0;
}

int main(void)
{
	char line[LINE_MAX_BYTES];

	while (fgets(line, sizeof(line), stdin) != NULL)
		if (verdict(line) != 0) {
			fprintf(stderr, "validate_verdict: bad line: %.60s\n",
				line);
			return EXIT_FAILURE;
		}
	if (ferror(stdin) || fflush(stdout) != 0)
		return EXIT_FAILURE;
	return EXIT_SUCCESS;
}
