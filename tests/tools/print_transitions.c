/*
 * print_transitions - docs/process.md's transition tables, generated from
 * process/transition.c (transition_doc()), on stdout.  `make
 * transitions-doc` puts them in the doc (scripts/gen-transitions.sh);
 * tests/unit/test_process.c fails while the doc says something else.  A
 * build tool, never installed.
 */
#include <stdio.h>

#include "process/transition.h"

int main(void)
{
	struct buf b;
	int rc = 0;

	buf_init(&b, 1 << 20);
	if (transition_doc(&b) < 0) {
		fprintf(stderr, "print_transitions: the tables do not fit\n");
		rc = 1;
	} else if (fputs(buf_str(&b), stdout) == EOF || fflush(stdout) != 0) {
		perror("print_transitions");
		rc = 1;
	}
	buf_free(&b);
	return rc;
}
