/*
 * smtp - the `smtp` mail transport: libcurl in one sender thread.
 *
 * The daemon's main thread owns SQLite and must never wait on the network.
 * It renders each message to bytes and hands it over with smtp_submit();
 * one sender thread sends the messages one by one over a single libcurl
 * easy handle (driven through a multi handle, so that smtp_stop() can wake
 * it at once), and the connection is reused from one message to the next.
 * Each outcome comes back as a struct smtp_result; an eventfd
 * (smtp_fd()) becomes readable when results wait, so the main poll loop
 * wakes up and records them with smtp_collect().
 *
 * Security: smtp:// with STARTTLS required (CURLUSESSL_ALL) or smtps://,
 * the peer certificate and host name verified (mail.ca_file for a private
 * CA); mail.tls: none is accepted only for a loopback server (tests).  The
 * password is read once from mail.credentials_file ("user:password") and
 * never logged.  Every envelope address is checked by smtp_addr_ok() before
 * libcurl sees it: libcurl 7.88 writes a CR or LF of a recipient straight
 * into the SMTP command stream.  One envelope recipient per message.
 *
 * The pure pieces (address check, reply parsing, outcome classification,
 * backoff) are exported for the unit tests.
 */
#ifndef AFFILD_MAIL_SMTP_H
#define AFFILD_MAIL_SMTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "config/config.h"

#define SMTP_QUEUE_MAX 64	/* messages handed over and not collected */
#define SMTP_REPLY_MAX 200	/* kept of a server reply or an error */

enum smtp_outcome {
	SMTP_SENT,		/* 250 after the data */
	SMTP_TEMPFAIL,		/* 4xx, no connection, lost before DATA */
	SMTP_PERMFAIL,		/* 5xx: this message is refused */
	SMTP_AMBIGUOUS,		/* lost after the data: maybe delivered */
	SMTP_DEFERRED,		/* not tried: server unreachable just before */
	SMTP_ABORTED,		/* smtp_stop() came first: not finished */
};

/* One message handed over.  id, attempts, created and kind are not used
 * by the transport: they come back untouched in the result. */
struct smtp_job {
	long long id;
	int attempts;
	time_t created;
	char kind[32];
	char message_id[128];	/* journalled with the id once sent */
	char rcpt[256];		/* checked addr-spec, no brackets */
	char *data;		/* owned: the whole message, CRLF */
	size_t len;
};

struct smtp_result {
	long long id;
	int attempts;
	time_t created;
	char kind[32];
	char message_id[128];
	enum smtp_outcome outcome;
	int code;			/* last server reply code, 0 if none */
	int new_connection;		/* a connection was opened for it */
	char reason[SMTP_REPLY_MAX];	/* printable ASCII, may be "" */
};

/*
 * The server's replies to one message, as seen by the debug callback.
 * libcurl stops at the first 4xx/5xx reply and then says QUIT: the first
 * such reply is kept and what follows ignored, so that the 221 answering
 * the QUIT does not hide the refusal.
 */
struct smtp_reply {
	int code;		/* the refusal, else the last reply; 0: none */
	int failed;		/* code is a 4xx or 5xx refusal */
	int replies;		/* complete replies received */
	int data_started;	/* a 354 was received: the data went out */
	int partial;		/* inside a multi-line reply ("250-...") */
	char text[SMTP_REPLY_MAX];	/* "550 5.1.1 ..." of that reply */
};

struct smtp;

/* smtp_addr_ok - 1 when addr may go into MAIL FROM / RCPT TO: no control
 * character or space anywhere, and a plain addr-spec (mail_addr_ok). */
int smtp_addr_ok(const char *addr);

/* smtp_reply_init / smtp_reply_feed - parse reply lines "NNN-text" and
 * "NNN text" (RFC 5321 4.2) as libcurl hands them over; data holds one or
 * more lines, with or without their CRLF.  Lines that are not replies are
 * ignored. */
void smtp_reply_init(struct smtp_reply *r);
void smtp_reply_feed(struct smtp_reply *r, const char *data, size_t len);

/*
 * smtp_classify - the outcome of one transfer: transfer_ok is libcurl's
 * verdict (CURLE_OK), login_failed a refused authentication (retried: the
 * account, not the message, is at fault).  5xx → PERMFAIL, 4xx →
 * TEMPFAIL; otherwise a failure after a 354 is AMBIGUOUS, before it
 * TEMPFAIL.
 */
enum smtp_outcome smtp_classify(int transfer_ok, int login_failed,
				const struct smtp_reply *r);

/*
 * smtp_backoff_s - the delay before the next try of a message that failed
 * attempts times already (0 for the first failure): d = min_s doubled
 * each time, at most max_s, then drawn from [3d/4, 5d/4] with rnd (any
 * 32-bit random value) so that messages failed together do not come back
 * together; never over max_s, never under 1 second.  With the defaults
 * (30 s, 900 s): about 30 s, 1 min, 2 min... up to 15 min (product.md).
 */
int smtp_backoff_s(int attempts, int min_s, int max_s, uint32_t rnd);

/* smtp_check - the settings and the credentials file as smtp_open() checks
 * them (tls none only towards loopback, an envelope From, a readable
 * "user:password"), nothing started; 0, or -1 after a log_err */
int smtp_check(const struct cfg *cfg);

/*
 * The sent journal.  The thread appends "<id> <message_id>" and
 * fdatasyncs it as soon as a message is accepted (250), before it starts
 * the next one, so a crash before the outcome reaches the database resends
 * at most the message in flight: the main thread replays the journal at
 * start (smtp_journal_read) and empties it once every outcome is recorded
 * and nothing is in flight (smtp_journal_clear).  journal NULL: none.
 */
int smtp_journal_read(const char *journal,
		      void (*fn)(long long id, const char *message_id,
				 void *arg), void *arg);
void smtp_journal_clear(struct smtp *s);

/* smtp_open - check the settings, read the credentials, start the thread.
 * Must be called with the daemon's signals already blocked.  NULL after a
 * log_err on a setting or credentials problem. */
struct smtp *smtp_open(const struct cfg *cfg, const char *journal);

/* smtp_fd - readable (eventfd) when results wait for smtp_collect() */
int smtp_fd(const struct smtp *s);

/*
 * smtp_submit - hand job over; on 0 the transport owns job->data.
 * -1: job->rcpt refused by smtp_addr_ok() (caller still owns data);
 * -2: SMTP_QUEUE_MAX messages already in flight, try later.
 */
int smtp_submit(struct smtp *s, struct smtp_job *job);

/* smtp_in_flight - 1 when message id was submitted and not yet collected */
int smtp_in_flight(const struct smtp *s, long long id);
size_t smtp_in_flight_count(const struct smtp *s);

/* smtp_collect - fn on each result back; the number collected */
int smtp_collect(struct smtp *s,
		 void (*fn)(const struct smtp_result *, void *), void *arg);

/* smtp_stop - stop the thread within about a second, even mid-transfer
 * (that message comes back SMTP_ABORTED; queued ones are dropped and
 * forgotten, so they stay due).  Results may still be collected after. */
void smtp_stop(struct smtp *s);

/* smtp_free - after smtp_stop(); NULL is fine */
void smtp_free(struct smtp *s);

#endif
