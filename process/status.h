/*
 * status - the statuses of an employee record (docs/process.md): their
 * names, as the database stores them and as an EXPORT's `statut` gives
 * them, their French labels for reports and letters, and what each one
 * means for the rules (its properties).
 *
 * The one mapping between the enum and the strings: the store writes
 * status_name() and reads status_from_name(); nothing else spells a
 * status.  Pure data: no I/O, no allocation.
 */
#ifndef AFFILD_PROCESS_STATUS_H
#define AFFILD_PROCESS_STATUS_H

#include <stddef.h>

enum status {
	STATUS_NONE = 0,	/* no record for this NIR at this employer */
	STATUS_EN_COURS,	/* invited to choose on the portal */
	STATUS_A_RELANCER,	/* invited, past the time to answer */
	STATUS_AFFILIE,
	STATUS_DISPENSE,
	STATUS_RADIE,
	STATUS_PORTABILITE,
	STATUS_COUNT
};

/* Properties of a status, the words the rules use (status_is()). */
#define STATUS_COVERED	0x1u	/* cover in force or pending: the radiation
				 * gate's and the reconciliation's "covered" */
#define STATUS_AWAITING	0x2u	/* invited, the employee's choice awaited:
				 * radiated "incomplete", relinked when a
				 * radiation is cancelled */
#define STATUS_REMINDER	0x4u	/* the reminder deadline is still to come */
#define STATUS_FORMER	0x8u	/* no longer an employee: a new hire opens a
				 * new period; a radiation is in effect */

/* status_name - the database's name ("EN_COURS"); "" for NONE or out of
 * range */
const char *status_name(enum status s);
/* status_from_name - STATUS_NONE for NULL, "" or a name no status has */
enum status status_from_name(const char *name);
/* status_label - the French label ("en cours d'affiliation"); "inconnu"
 * for NONE or out of range */
const char *status_label(enum status s);
/* status_label_name - the label of a status read as a name: the name
 * itself when no status has it, "inconnu" for NULL */
const char *status_label_name(const char *name);
/* status_is - 1 when s has one of the properties STATUS_COVERED... */
int status_is(enum status s, unsigned props);
/* status_names_fr - "EN_COURS, A_RELANCER, ... ou PORTABILITE" into out;
 * 0, or -1 when out is too small (truncated) */
int status_names_fr(char *out, size_t outlen);

#endif
