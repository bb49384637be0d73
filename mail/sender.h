/*
 * sender - delivers the outbox: each due message is rendered from its
 * template and handed to the configured transport.
 *
 * Transports: `file` writes <mail.dir>/<outbox id>.eml atomically (temp
 * name, fsync, rename), so a retry after a crash rewrites the same file;
 * a message to "courrier" (no email known) becomes a PDF letter in
 * mail.print_dir for the mail house (mail/letter.h).  The sender runs between files, never
 * inside a file's transaction.
 */
#ifndef AFFILD_SENDER_H
#define AFFILD_SENDER_H

#include "config/config.h"
#include "store/store.h"

#define SENDER_POSTAL "courrier"	/* recipient of a postal letter */

/* sender_run - deliver up to max due messages; the number handled, or -1 */
int sender_run(struct store *st, const struct cfg *cfg, int max);

#endif
