/*
 * log - one line per event, for operators.
 *
 * Messages go to stderr.  Under systemd (JOURNAL_STREAM set) each line is
 * prefixed with its syslog priority ("<3>") so journald files it at the right
 * level; on a terminal the level is spelled out.  Write key=value fields, one
 * event per line, and never a NIR or an IBAN in clear.
 *
 * log_err: someone must act.  log_warn: one file or one mail failed.
 * log_info: one line per file or mail.  log_debug: only with -v.
 * The *_errno variants append ": strerror(errno)", like OpenSMTPD's log_warn.
 */
#ifndef AFFILD_LOG_H
#define AFFILD_LOG_H

#include <stddef.h>

enum log_level { LOG_LEVEL_ERR = 3, LOG_LEVEL_WARN = 4, LOG_LEVEL_INFO = 6,
                 LOG_LEVEL_DEBUG = 7 };

/* log_init - set the program name and the most verbose level written */
void log_init(const char *progname, enum log_level max_level);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_err_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn_errno(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * log_take_errno - the errno of the last log_*_errno() call of this thread
 * since the previous take, or 0; cleared.  What failed, as it was logged:
 * the pipeline classes a failure by it (TEMPFAIL or not), where errno
 * itself may be stale (libraries set it on paths that succeed).
 */
int log_take_errno(void);

/*
 * log_quote - s made safe as the value of one key=value pair, in buf.
 *
 * A plain value (no space, '=', '"', '\\', control or non-UTF-8 byte) is
 * copied bare, so ordinary names and paths read as before; anything else
 * is quoted, with \" \\ \n \r \t \xHH, and cut with "..." inside the
 * quotes when buf is too small.  Use it, with key=%s, for every value that
 * someone outside the daemon chose: file names and paths built from them,
 * email addresses, configuration strings, errors echoing them.  Returns
 * buf; size of at least LOG_QUOTE_MIN (else buf is "").  NULL logs "".
 */
#define LOG_QUOTE_MIN	8
#define LOG_QUOTE_MAX	512
const char *log_quote(char *buf, size_t size, const char *s);

#endif
