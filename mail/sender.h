/*
 * sender - delivers the outbox: each due message is rendered from its
 * template and handed to the configured transport.
 *
 * Transports: `file` writes <mail.dir>/<outbox id>.eml atomically (temp
 * name, fsync, rename), so a retry after a crash rewrites the same file;
 * a message to "courrier" (no email known) becomes a PDF letter in
 * mail.print_dir for the mail house (mail/letter.h).  `smtp` hands each
 * message to a sender thread (mail/smtp.h) and records the outcomes when
 * they come back, so the network never blocks file processing.  The
 * sender runs between files, never inside a file's transaction.
 */
#ifndef AFFILD_SENDER_H
#define AFFILD_SENDER_H

#include "config/config.h"
#include "store/store.h"

#define SENDER_POSTAL "courrier"	/* recipient of a postal letter */

struct sender;

/* sender_open - the configured transport, started; NULL after a log_err
 * (bad smtp settings or credentials).  Call with signals blocked. */
struct sender *sender_open(const struct cfg *cfg);

/*
 * sender_recover - at start, before any delivery: the messages the sent
 * journal says were accepted are recorded as sent (or kept until they can
 * be), never sent again.  0, or -1 after a log_err (journal unreadable).
 */
int sender_recover(struct sender *sd, struct store *st,
		   const struct cfg *cfg);

/* sender_use_key - the key invitation links are signed with (the daemon's
 * token key, kept by the caller for the sender's life) */
void sender_use_key(struct sender *sd, const unsigned char *key, size_t len);

/* sender_check - for --check-config: what sender_open() would refuse;
 * 0, or -1 after a log_err */
int sender_check(const struct cfg *cfg);

/* sender_fd - readable when smtp outcomes wait for sender_run(); -1 for
 * the file transport */
int sender_fd(const struct sender *sd);

/* sender_run - record the outcomes back, then deliver (file) or hand over
 * (smtp) up to max due messages; the number handled, or -1 */
int sender_run(struct sender *sd, struct store *st, const struct cfg *cfg,
	       int max);

/* sender_reload - on SIGHUP: when fresh changes the transport's settings
 * (transport, url, tls, ca_file, credentials_file or that file itself,
 * from, timeouts), start a new transport, then stop the old one (its
 * outcomes recorded; a transfer in progress is abandoned and stays due,
 * and on PostgreSQL what it had claimed is let go at once) and swap it
 * into *sd.  -1 when the new one cannot start: the caller
 * keeps the old config. */
int sender_reload(struct sender **sd, struct store *st, const struct cfg *old,
		  const struct cfg *fresh);

/* sender_set_clock - the monotonic clock (ms) of the recording backoff;
 * mono_ms() unless a unit test injects its own */
void sender_set_clock(struct sender *sd, long long (*now_ms)(void));

/* sender_close - stop the transport within about a second, record what
 * it finished (st may be NULL), free sd (NULL is fine); the number of
 * outcomes it could not record (logged) */
size_t sender_close(struct sender *sd, struct store *st,
		    const struct cfg *cfg);

#endif
