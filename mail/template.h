/*
 * template - the texts of the emails, as files the admin can override.
 *
 * A template directory holds, for each kind of email, "<kind>.txt":
 *
 *	Sujet: Votre affiliation à la complémentaire santé de {{employeur}}
 *	<blank line>
 *	Bonjour {{prenom}},
 *	...
 *
 * and optionally "<kind>.html", an HTML body (no subject line) sent beside
 * the text one as multipart/alternative.  Files are UTF-8 (a leading BOM is
 * ignored), with LF or CRLF line ends.  "{{name}}" is replaced by a value;
 * spaces inside the braces are allowed ("{{ prenom }}").  A lone "{" or "}"
 * is plain text.  Values are inserted as they are in the subject and the
 * text body, and HTML-escaped in the HTML body.
 *
 * Each kind accepts a fixed list of placeholders.  A name outside that list
 * is a configuration error found by tpl_check_dir() when the config is
 * loaded (affild --check-config), never a blank left in a sent email.  A
 * placeholder of the list with no value given renders empty.  Kinds marked
 * "required" below must use that placeholder (an invitation without its
 * link is useless).  No kind offers a NIR or an IBAN.
 *
 *   invitation              prenom nom employeur lien* date_limite
 *   relance                 prenom nom employeur lien* date_limite
 *   confirmation            prenom nom employeur option date_effet
 *   affiliation_forcee      prenom nom employeur option date_effet
 *   radiation               prenom nom employeur date_fin_droits
 *   radiation_portabilite   prenom nom employeur date_debut_portabilite
 *                           date_fin_portabilite duree_mois
 *   fin_portabilite         prenom nom employeur date_fin_droits
 *   loi_evin                prenom nom employeur date_fin_droits
 *   loi_evin_ayants_droit   prenom nom (the dependant written to)
 *                           prenom_salarie nom_salarie employeur
 *                           date_fin_droits   (after the employee's death)
 *   finalisation_rejetee    prenom nom employeur motif
 *   dispense_justificatif   prenom nom employeur motif_dispense
 *                           date_fin_dispense
 *   dispense_employeur      employeur prenom nom matricule motif_dispense
 *                           date_demande
 *   finalisation_employeur  employeur prenom nom matricule option
 *   compte_rendu_employeur  employeur fichier identifiant code_retour
 *                           mouvements acceptes rejetes avertissements
 *   digest_relances         employeur nombre liste
 *
 *   (* required)
 *
 * Errors: tpl_check_dir() reports problems as text lines; tpl_render()
 * returns -1 after a log_warn.  Neither keeps anything between calls.
 */
#ifndef AFFILD_MAIL_TEMPLATE_H
#define AFFILD_MAIL_TEMPLATE_H

#include <stddef.h>

#include "common/buf.h"

#define TPL_FILE_MAX (64 * 1024)	/* a larger template file is refused */

/* One value; both strings borrowed.  value NULL renders as empty. */
struct tpl_var {
	const char *name;
	const char *value;
};

/*
 * tpl_check_dir - load every kind from dir and count the problems.
 * Each problem is appended to errors as one line "FILE:LINE: message\n"
 * (LINE 0 for the whole file: missing, unreadable, too large, a required
 * placeholder absent).  Returns the number of problems, 0 when all is well.
 * Lines that do not fit errors->max are counted but not written.
 */
int tpl_check_dir(const char *dir, struct buf *errors);

/*
 * tpl_render - fill the templates of kind from dir with vars.
 * Appends the subject (one line, no line end) to subject, the text body to
 * text, and, when html is not NULL and <kind>.html exists, the HTML body to
 * html (left untouched otherwise: test html->len to know).  vars may hold
 * names the kind does not use; they are ignored.  Returns 0, or -1 after a
 * log_warn (values are never logged): unknown kind, missing or malformed
 * file, a placeholder not allowed for the kind, a control character in a
 * subject value, or a buffer maximum reached; the buffers then hold partial
 * output, to be discarded.
 */
int tpl_render(const char *dir, const char *kind, const struct tpl_var *vars,
	       size_t nvars, struct buf *subject, struct buf *text,
	       struct buf *html);

/* tpl_kind_known - 1 when kind names a template kind, else 0 */
int tpl_kind_known(const char *kind);

#endif
