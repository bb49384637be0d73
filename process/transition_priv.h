/*
 * transition_priv - what transition_decide.c and transition_doc.c share:
 * the words of each "again" test, so that the doc's tables name the codes
 * the decision gives.  Not for use outside process/transition*.c.
 */
#ifndef AFFILD_PROCESS_TRANSITION_PRIV_H
#define AFFILD_PROCESS_TRANSITION_PRIV_H

#include "process/transition.h"

struct again_words {
	const char *already;	/* I200's words: "affiliation déjà en cours" */
	const char *when;	/* the doc's: when it is already in effect */
	const char *otherwise;	/* the doc's: when it is not */
	const char *code;	/* a conflict's code (TR_CONFLICT), or the
				 * code of an earlier date (AGAIN_REHIRE) */
};

extern const struct again_words again_words[AGAIN_COUNT];

#endif
