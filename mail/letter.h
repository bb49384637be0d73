/*
 * letter - postal letters as PDF files for the mail house.
 *
 * An employee with no email gets the text of the same template as the
 * email, printed: letter_render() lays one letter out on A4 portrait pages
 * with cairo (PDF surface) and pango (text layout, line wrapping, fonts
 * through fontconfig: DejaVu Sans from fonts-dejavu-core).  The page holds
 * the insurer's address block at the top left, the recipient's address
 * where the window of a DL window envelope shows it, the place and date,
 * "Objet : <subject>", then the body, flowing onto further pages with
 * "Page i/n" at the foot when there is more than one.  Letters carry only
 * what the caller passes: names, postal address, subject and body; the
 * templates offer no NIR and no IBAN, and nothing here adds one.
 *
 * letter_print() files a letter in the print folder (letter_print.c):
 *
 *	<print_dir>/<AAAAMMJJ>/<outbox id>.pdf
 *	<print_dir>/<AAAAMMJJ>/manifest.csv
 *
 * AAAAMMJJ is the date of the letter (the day its outbox row was queued,
 * Europe/Paris), so a retry after a crash finds the same folder and the
 * same name and replaces the file: never a second letter.  Each file is
 * written under a dot-name, fsynced, renamed, and the folder fsynced.  The
 * manifest lists every letter of the folder once (see letter_print.c for
 * its format and why it stays exact across crashes).  Dot-files in the
 * folder are work in progress: the mail house ignores them.
 *
 * Errors: 0 = done; LETTER_TEMPFAIL = an I/O problem worth retrying (logged
 * with errno); LETTER_PERMFAIL = a letter that can never be printed (no
 * postal address, text that is not UTF-8), with a French reason for the
 * outbox in *why (static storage).
 */
#ifndef AFFILD_LETTER_H
#define AFFILD_LETTER_H

#include "common/date.h"

#define LETTER_TEMPFAIL (-1)
#define LETTER_PERMFAIL (-2)

/* One letter; every string is borrowed and UTF-8.  NULL counts as "". */
struct letter {
	const char *sender;	/* return address, '\n' between lines */
	const char *place;	/* "Paris": "Paris, le 1er mars 2027";
				   empty: "Le 1er mars 2027" */
	struct date date;	/* of the letter, and of its print folder */
	const char *name;	/* "Anaïs Lefèvre" */
	const char *adresse;	/* street lines, '\n' between lines */
	const char *code_postal;
	const char *ville;
	const char *pays;	/* omitted when empty or France */
	const char *subject;	/* one line */
	const char *body;	/* plain text, '\n' line ends */
	int document;		/* not for the post (a BULLETIN): the window
				   shows only the name, no address needed */
};

/*
 * letter_render - write l as a PDF document to fd (not closed, not
 * synced); *pages receives the page count.  0, LETTER_TEMPFAIL (write
 * error, logged) or LETTER_PERMFAIL (*why set).
 */
int letter_render(const struct letter *l, int fd, int *pages,
		  const char **why);

/* What the manifest says of a letter besides its address. */
struct letter_entry {
	long long id;		/* outbox id: names the file */
	const char *employer;	/* numero */
	const char *kind;	/* template kind: "invitation" */
};

/*
 * letter_print - render l into <print_dir>/<AAAAMMJJ>/<id>.pdf and list it
 * in that folder's manifest.csv, both durably.  print_dir must exist; the
 * day folder is created.  0, LETTER_TEMPFAIL or LETTER_PERMFAIL (*why).
 */
int letter_print(const char *print_dir, const struct letter_entry *e,
		 const struct letter *l, const char **why);

/*
 * letter_cleanup - drop the font caches that pango, cairo and fontconfig
 * keep for the life of the process, so that leak checkers (ASan, valgrind)
 * see a clean exit.  Call once at exit, after the last letter; harmless
 * when no letter was drawn.
 */
void letter_cleanup(void);

#endif
