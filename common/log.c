/*
 * log - stderr logging with syslog priorities for journald.
 *
 * The only process-wide state besides the daemon context: the program name,
 * the verbosity and whether we run under journald.  Set once by log_init().
 *
 * One event is one line, whoever chose the values.  File names come from
 * the employers' SFTP accounts: a name holding a newline and a fake
 * "event=file_processed" would otherwise forge a second event.  So every
 * formatted message is escaped on its way out (controls, C1 and bytes that
 * are not UTF-8 as \n, \r, \t or \xHH), and log_quote() makes a value safe
 * inside key=value: bare when it is plain, else quoted with \" and \\.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "utf8.h"

static const char *log_progname = "affild";
static enum log_level log_max = LOG_LEVEL_INFO;
static int log_journal;
static _Thread_local int log_errno_last;	/* log_take_errno() */

/* log_init - remember who we are and how much to say */
void log_init(const char *progname, enum log_level max_level)
{
	log_progname = progname;
	log_max = max_level;
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_ERR:
		return "error";
	case LOG_LEVEL_WARN:
		return "warning";
	case LOG_LEVEL_INFO:
		return "info";
	default:
		return "debug";
	}
}

/* esc_one - the character at s as it may be logged, into e; bytes used */
static size_t esc_one(const char *s, int quoting, char e[5])
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = utf8_char_len(s, strnlen(s, 4));

	/* C1 controls (U+0080-U+009F) go out byte by byte, as \xC2\x85. */
	if (n == 0 || utf8_control_len(s) > 0) {
		if (u[0] == '\n' || u[0] == '\r' || u[0] == '\t')
			snprintf(e, 5, "\\%c", u[0] == '\n' ? 'n' :
				 u[0] == '\r' ? 'r' : 't');
		else
			snprintf(e, 5, "\\x%02X", u[0]);
		return 1;
	}
	if (quoting && (u[0] == '"' || u[0] == '\\')) {
		snprintf(e, 5, "\\%c", u[0]);
		return 1;
	}
	memcpy(e, s, n);
	e[n] = '\0';
	return n;
}

/* escape - s escaped into out[o..size); stops cleanly; the new end */
static size_t escape(char *out, size_t size, size_t o, const char *s,
		     int quoting, size_t tail, int *cut)
{
	size_t safe = o, n, elen;
	char e[5];

	/* safe: the last end that leaves room for "..." and the tail. */
	*cut = 0;
	for (; *s != '\0'; s += n) {
		n = esc_one(s, quoting, e);
		elen = strlen(e);
		if (o + elen + tail + 1 > size) {
			*cut = 1;
			return safe;
		}
		memcpy(out + o, e, elen);
		o += elen;
		if (o + 3 + tail + 1 <= size)
			safe = o;
	}
	return o;
}

/* plain - s can be logged bare: no space, quote, '=', '\\' or control */
static int plain(const char *s)
{
	size_t n;

	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s += n) {
		n = utf8_char_len(s, strnlen(s, 4));
		if (n == 0 || *s == ' ' || *s == '"' || *s == '\\' ||
		    *s == '=' || utf8_control_len(s) > 0)
			return 0;
	}
	return 1;
}

/* log_quote - s as one key=value value, into buf; returns buf */
const char *log_quote(char *buf, size_t size, const char *s)
{
	size_t o;
	int cut;

	if (size < LOG_QUOTE_MIN) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	if (s == NULL)
		s = "";
	if (plain(s) && strlen(s) < size) {
		memcpy(buf, s, strlen(s) + 1);
		return buf;
	}
	buf[0] = '"';
	o = escape(buf, size, 1, s, 1, 1, &cut);
	if (cut) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* vlog - format one event and write it in a single write */
static void vlog(enum log_level level, int with_errno, const char *fmt,
		 va_list ap)
{
	char msg[2048], line[4096];
	const char *why = with_errno ? strerror(errno) : NULL;
	size_t o;
	int n, cut;

	if (with_errno)
		log_errno_last = errno;
	if (level > log_max)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	/* Truncation is acceptable for a log line; never for data. */
	o = escape(line, sizeof(line), 0, msg, 0, 3, &cut);
	if (cut || (size_t)n >= sizeof(msg)) {
		memcpy(line + o, "...", 3);
		o += 3;
	}
	line[o] = '\0';
	if (log_journal)
		fprintf(stderr, "<%d>%s%s%s\n", (int)level, line,
			why ? ": " : "", why ? why : "");
	else
		fprintf(stderr, "%s: %s: %s%s%s\n", log_progname,
			level_name(level), line, why ? ": " : "",
			why ? why : "");
}

#define LOG_FN(name, level, with_errno)              \
	void name(const char *fmt, ...)              \
	{                                            \
		int saved = errno;                   \
		va_list ap;                          \
		va_start(ap, fmt);                   \
		errno = saved;                       \
		vlog(level, with_errno, fmt, ap);    \
		va_end(ap);                          \
		errno = saved;                       \
	}

LOG_FN(log_err, LOG_LEVEL_ERR, 0)
LOG_FN(log_warn, LOG_LEVEL_WARN, 0)
LOG_FN(log_info, LOG_LEVEL_INFO, 0)
LOG_FN(log_debug, LOG_LEVEL_DEBUG, 0)
LOG_FN(log_err_errno, LOG_LEVEL_ERR, 1)
LOG_FN(log_warn_errno, LOG_LEVEL_WARN, 1)

/* log_take_errno - see log.h */
int log_take_errno(void)
{
	int e = log_errno_last;

	log_errno_last = 0;
	return e;
}
