/*
 * log - stderr logging with syslog priorities for journald.
 *
 * The only process-wide state besides the daemon context: the program name,
 * the verbosity and whether we run under journald.  Set once by log_init().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *log_progname = "affild";
static enum log_level log_max = LOG_LEVEL_INFO;
static int log_journal;

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

/* vlog - format one event and write it in a single write */
static void vlog(enum log_level level, int with_errno, const char *fmt,
		 va_list ap)
{
	char msg[2048];
	const char *why = with_errno ? strerror(errno) : NULL;
	int n;

	if (level > log_max)
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	/* Truncation is acceptable for a log line; never for data. */
	if (log_journal)
		fprintf(stderr, "<%d>%s%s%s\n", (int)level, msg,
			why ? ": " : "", why ? why : "");
	else
		fprintf(stderr, "%s: %s: %s%s%s\n", log_progname,
			level_name(level), msg, why ? ": " : "",
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
