/*
 * message - one email as the bytes that go on the wire (RFC 5322 + MIME).
 *
 * The outbox stores what to say (addresses, subject, bodies, Message-ID,
 * date); mail_msg_render() turns that into a complete message: CRLF line
 * endings only, headers in a fixed order, a UTF-8 subject and display name
 * as RFC 2047 encoded words ("=?UTF-8?B?...?=", at most 75 characters each,
 * never splitting a UTF-8 sequence, folded with CRLF SP so that no line of
 * an encoded header passes 76 characters), bodies in quoted-printable with
 * lines of at most 76 characters.  With an HTML body the message is
 * multipart/alternative, text first; its boundary is derived from the
 * Message-ID, not drawn at random.
 *
 * Rendering is a pure function: the same struct gives the same bytes, so a
 * retry after a temporary SMTP failure re-sends exactly what was tried (same
 * Message-ID, same Date).  The Date header is written in the process's local
 * time zone (TZ, Europe/Paris in production) with a numeric offset; day and
 * month names never depend on the locale.
 *
 * Header injection is refused, not repaired: a header value with CR, LF or
 * any other control character, text that is not valid UTF-8, or an address
 * that is not a plain addr-spec makes the whole render fail.
 */
#ifndef AFFILD_MAIL_MESSAGE_H
#define AFFILD_MAIL_MESSAGE_H

#include <stddef.h>
#include <time.h>

#include "common/buf.h"

#define MAIL_ADDR_MAX 254	/* RFC 5321 path limit, less the brackets */

/*
 * What to send.  Every pointer is borrowed for the duration of the call.
 *  from        "addr@domain" or "Display Name <addr@domain>" (the name may
 *              be in double quotes; it may be UTF-8, then it is encoded)
 *  to          one plain addr-spec
 *  subject     UTF-8, one line
 *  body_text   UTF-8; LF or CRLF line ends, both become CRLF
 *  body_html   UTF-8 or NULL for a text-only message
 *  message_id  "left@right", without the angle brackets
 *  date        the moment the mail was queued (kept across retries)
 */
struct mail_msg {
	const char *from;
	const char *to;
	const char *subject;
	const char *body_text;
	const char *body_html;
	const char *message_id;
	time_t date;
};

/*
 * mail_msg_render - append the complete message to out.
 * Returns 0, or -1 after a log_warn naming the field at fault (the value
 * itself is not logged): bad header value or address, invalid UTF-8, or
 * out->max reached.  On -1, out is restored to its length before the call.
 */
int mail_msg_render(const struct mail_msg *m, struct buf *out);

/*
 * mail_addr_ok - 1 when addr is a plain addr-spec we can send to: a
 * dot-atom local part (no quoted strings) of at most 64 bytes, "@", a
 * domain of letter-digit-hyphen labels (no address literals), printable
 * ASCII only (no SMTPUTF8), at most MAIL_ADDR_MAX bytes; 0 otherwise.
 */
int mail_addr_ok(const char *addr);

/*
 * mail_from_addr - the plain address of a From value ("Name <a@b>" or
 * "a@b"), as checked by mail_msg_render(), into out: the SMTP envelope
 * sender.  0, or -1 when from would be refused.
 */
int mail_from_addr(const char *from, char out[MAIL_ADDR_MAX + 1]);

#endif
