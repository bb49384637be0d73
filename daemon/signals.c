/*
 * signals - the signalfd of the daemon (signals.h).
 */
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "common/log.h"
#include "daemon/signals.h"

/* signals_open - see signals.h */
int signals_open(struct daemon *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (d->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		log_err_errno("event=signalfd_failed");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* signals_poll - see signals.h */
int signals_poll(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			d->reload = 1;
		else
			d->stopping = 1;
	}
	return d->stopping;
}
