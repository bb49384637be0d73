/*
 * affild - the daemon: start-up, then the event loop.
 *
 * Start-up may die: a bad config, an unusable database or spool gives a
 * clear message and a sysexits code.  The loop may not: a bad file, a
 * locked database or a mail failure is logged, reported and retried.
 *
 * The loop waits on inotify (hints that a drop changed) and a signalfd
 * (SIGTERM/SIGINT stop, SIGHUP reloads), with a short timeout that drives
 * the settle checks, the periodic rescan and the outbox.  systemd hears
 * READY, STATUS, RELOADING and STOPPING through sd_notify.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "common/log.h"
#include "common/crypto.h"
#include "common/util.h"
#include "common/version.h"
#include "daemon/daemon.h"
#include "daemon/lock.h"
#include "daemon/metrics.h"
#include "daemon/once.h"
#include "daemon/reprocess.h"
#include "daemon/scan.h"
#include "daemon/signals.h"
#include "daemon/timers.h"
#include "mail/letter.h"
#include "mail/sender.h"
#include "mail/template.h"
#include "parsers/xml_reader.h"

#define TICK_MS 250
#define MAIL_BATCH 50

static void usage(FILE *fp)
{
	fprintf(fp, "usage: affild [-c FILE] [-v] [--once [--no-deliver] | "
		"--check-config |\n"
		"              --prepare-spool | --copy-to URL | --version]\n"
		"  -c, --config FILE   configuration (default "
		"/etc/affild/affild.yaml)\n"
		"  --once              process what waits in the spool, the "
		"due deadlines\n"
		"                      and the outbox, then exit (status: "
		"affild(8))\n"
		"  --no-deliver        with --once: leave the outbox for a "
		"later run\n"
		"  --check-config      check the configuration and exit\n"
		"  --prepare-spool     create or repair the spool folders "
		"and exit\n"
		"  --copy-to URL       copy the database into an empty "
		"PostgreSQL one and exit\n"
		"  -v, --verbose       debug logging\n"
		"  --version           print the version and exit\n");
}

/*
 * say_errors - each line of text, as one event for the journal (start-up,
 * reload) or as it is for a person (--check-config).
 */
static void say_errors(const char *text, int to_log)
{
	char line[LOG_QUOTE_MAX], q[LOG_QUOTE_MAX];
	const char *p;
	size_t len;

	for (p = text; *p != '\0'; p += len + (p[len] == '\n')) {
		len = strcspn(p, "\n");
		if (!to_log) {
			fprintf(stderr, "%.*s\n", (int)len, p);
			continue;
		}
		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		log_err("event=config_error error=%s",
			log_quote(q, sizeof(q), line));
	}
}

/* load_config - parse and check; every error said; NULL when invalid */
static struct cfg *load_config(const char *path, int to_log)
{
	struct cfg_errors errs = { NULL, 0 };
	struct buf tpl;
	struct cfg *cfg = cfg_load(path, &errs);
	size_t i;

	for (i = 0; i < errs.n; i++)
		say_errors(errs.lines[i], to_log);
	cfg_errors_free(&errs);
	if (cfg == NULL)
		return NULL;
	buf_init(&tpl, 64 << 10);
	if (tpl_check_dir(cfg->mail.templates, &tpl) > 0) {
		say_errors(buf_str(&tpl), to_log);
		cfg_free(cfg);
		cfg = NULL;
	}
	buf_free(&tpl);
	return cfg;
}

/*
 * make_token_key - development only (sftp_chroot: false): a missing key is
 * made, 32 random bytes, 0600, and said.  Production refuses to start
 * without the key the admin made, so links never change under its feet.
 */
static int make_token_key(const char *path)
{
	unsigned char key[32];
	char qp[LOG_QUOTE_MAX];
	int fd, rc;

	if (random_bytes(key, sizeof(key)) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		log_err_errno("event=token_key_create_failed path=%s",
			      log_quote(qp, sizeof(qp), path));
		return -1;
	}
	rc = write(fd, key, sizeof(key)) == (ssize_t)sizeof(key) &&
	     fsync(fd) == 0 ? 0 : -1;
	if (close(fd) < 0 || rc < 0) {
		log_err_errno("event=token_key_create_failed path=%s",
			      log_quote(qp, sizeof(qp), path));
		(void)unlink(path);
		return -1;
	}
	log_warn("event=token_key_created path=%s mode=0600 hint=\"development "
		 "spool (sftp_chroot: false) only; production needs the "
		 "admin's key\"", log_quote(qp, sizeof(qp), path));
	return 0;
}

/* read_token_key - the HMAC key of invitation tokens, at least 16 bytes */
static int read_token_key(struct daemon *d)
{
	const char *path = d->cfg->portal.token_key_file;
	char qp[LOG_QUOTE_MAX];
	ssize_t n;
	int fd;

	if (path == NULL) {
		log_err("event=config_error key=portal.token_key_file "
			"error=\"required to sign invitation links\"");
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && !d->cfg->spool.sftp_chroot &&
	    make_token_key(path) == 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_err_errno("event=token_key_unreadable path=%s hint=\"head "
			      "-c 32 /dev/urandom > FILE; chown root:affild "
			      "FILE; chmod 0640 FILE\"",
			      log_quote(qp, sizeof(qp), path));
		return -1;
	}
	n = read(fd, d->token_key, sizeof(d->token_key));
	close(fd);
	if (n < 16) {
		log_err("event=token_key_too_short path=%s hint=\"at least 16 "
			"random bytes: head -c 32 /dev/urandom > FILE\"",
			log_quote(qp, sizeof(qp), path));
		return -1;
	}
	d->token_keylen = (size_t)n;
	return 0;
}

/* setup_fds - signals through a signalfd, inotify non-blocking */
static int setup_fds(struct daemon *d)
{
	if (signals_open(d) < 0)
		return -1;
	d->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (d->inotify_fd < 0) {
		log_err_errno("event=inotify_failed");
		return -1;
	}
	return 0;
}

/* daemon_uid - spool.user's uid; -1 after a log_err when it is missing */
static int daemon_uid(const struct cfg *cfg, uid_t *uid)
{
	struct passwd *pw = getpwnam(cfg->spool.user);

	if (pw == NULL) {
		log_err("event=user_missing user=%s key=spool.user hint=\"the "
			"account affild runs as: systemd-sysusers, or useradd "
			"--system %s\"", cfg->spool.user, cfg->spool.user);
		return -1;
	}
	*uid = pw->pw_uid;
	return 0;
}

/*
 * spool_usable - at start and on reload.  A development spool
 * (sftp_chroot: false) is created as we go, with the mail and print
 * folders; an SFTP chroot is root's to make (--prepare-spool): the daemon
 * only checks it, against spool.user's account when started as root.
 */
static int spool_usable(const struct cfg *cfg)
{
	uid_t uid = geteuid();

	if (!cfg->spool.sftp_chroot) {
		if (spool_prepare(cfg, 0, 0) < 0 ||
		    (cfg->mail.dir && spool_mkdirs(cfg->mail.dir, 0750, 0,
						   0) < 0) ||
		    (cfg->mail.print_dir &&
		     spool_mkdirs(cfg->mail.print_dir, 0750, 0, 0) < 0))
			return -1;
	} else if (uid == 0 && daemon_uid(cfg, &uid) < 0) {
		return -1;
	}
	return spool_check(cfg, uid);
}

/*
 * prepare_spool - --prepare-spool: make the layout, then check it.  Owners
 * are set only for an SFTP chroot, by root; otherwise (a development
 * spool, `make run` even as root) the folders belong to whoever runs this.
 */
static int prepare_spool(const struct cfg *cfg)
{
	int owners = geteuid() == 0 && cfg->spool.sftp_chroot;
	uid_t uid = geteuid();
	char q[LOG_QUOTE_MAX];

	if (geteuid() != 0 && cfg->spool.sftp_chroot)
		log_warn("event=prepare_not_root hint=\"folders are made but "
			 "their owners are not set; an SFTP chroot needs "
			 "--prepare-spool run as root\"");
	if (spool_prepare(cfg, owners, 1) < 0) {
		log_err("event=spool_not_ready spool=%s hint=\"see the lines "
			"above\"", log_quote(q, sizeof(q), cfg->spool.dir));
		return EX_CANTCREAT;
	}
	if ((owners && daemon_uid(cfg, &uid) < 0) ||
	    spool_check(cfg, uid) < 0) {
		log_err("event=spool_not_usable spool=%s hint=\"see the lines "
			"above\"", log_quote(q, sizeof(q), cfg->spool.dir));
		return EX_CANTCREAT;
	}
	printf("spool %s ready\n", cfg->spool.dir);
	return 0;
}

/* reload - SIGHUP: a valid new config is swapped in, an invalid one refused */
static void reload(struct daemon *d)
{
	char qc[LOG_QUOTE_MAX];
	struct cfg *fresh;

	d->reload = 0;
	sd_notify(0, "RELOADING=1");
	fresh = load_config(d->config_path, 1);
	if (fresh == NULL || spool_usable(fresh) < 0 ||
	    sender_reload(&d->sender, d->store, d->cfg, fresh) < 0) {
		log_err("event=reload_refused config=%s action=kept_old",
			log_quote(qc, sizeof(qc), d->config_path));
		cfg_free(fresh);
	} else {
		cfg_free(d->cfg);
		d->cfg = fresh;
		d->turn = 0;
		scan_forget(d);
		(void)scan_watch(d);
		timers_run(d);	/* new calendars: their cutoffs, re-armed */
		log_info("event=reloaded config=%s employers=%zu",
			 log_quote(qc, sizeof(qc), d->config_path),
			 d->cfg->nemployers);
	}
	metrics_write(d, 1);
	sd_notify(0, "READY=1");
}

/*
 * retention - the daily purge (spool_retention.c), and in the database
 * the stored lines of files and the sent messages older than the
 * archive's retention; the file rows stay.
 */
static void retention(struct daemon *d)
{
	struct date today = date_today();
	struct date cut = date_add_days(today,
					-d->cfg->spool.archive_retention_days);
	struct spool_purged n;
	long long lines = 0, mails = 0;
	char before[16], sent[32];

	spool_retention(d->cfg, today, time(NULL), &n);
	snprintf(before, sizeof(before), "%04d%02d%02d-", cut.y, cut.m, cut.d);
	(void)store_file_lines_purge(d->store, before, &lines);
	snprintf(sent, sizeof(sent), "%04d-%02d-%02dT", cut.y, cut.m, cut.d);
	(void)store_outbox_purge(d->store, sent, &mails);
	log_info("event=retention archive=%ld quarantine=%ld out=%ld "
		 "file_lines=%lld print=%ld mails=%lld", n.archive,
		 n.quarantine, n.out, lines, n.print, mails);
}

/* deliver - one batch of mail; the metrics follow when it did something */
static void deliver(struct daemon *d)
{
	if (sender_run(d->sender, d->store, d->cfg, MAIL_BATCH) > 0)
		metrics_soon(d);
}

/* loop - wait for hints, serve the drops, deliver mail; until stopped */
static void loop(struct daemon *d)
{
	struct pollfd pfd[4] = { { d->inotify_fd, POLLIN, 0 },
				 { d->signal_fd, POLLIN, 0 },
				 { d->timer_fd, POLLIN, 0 },
				 { sender_fd(d->sender), POLLIN, 0 } };
	long long t;

	while (!d->stopping) {
		/* A negative fd (file transport) is ignored by poll(2); a
		 * reload may have replaced the transport. */
		pfd[3].fd = sender_fd(d->sender);
		if (poll(pfd, 4, TICK_MS) < 0 && errno != EINTR)
			log_warn_errno("event=poll_failed");
		signals_poll(d);
		if (pfd[2].revents & POLLIN) {
			timers_event(d);
			metrics_soon(d);	/* a cutoff may have passed */
		}
		scan_events(d);
		if (d->reload)
			reload(d);
		t = mono_ms();
		if (t >= d->next_rescan_ms) {
			d->next_rescan_ms = t + d->cfg->spool.rescan_s * 1000LL;
			(void)scan_resume(d);	/* retry files left in work/ */
			metrics_write(d, 1);
			spool_ready_sweep(d->ready, t, 3600 * 1000LL);
		}
		if (t >= d->next_retention_ms) {
			d->next_retention_ms = t + 86400 * 1000LL;
			retention(d);
		}
		if (!d->stopping && reprocess_serve(d)) {
			timers_kick(d);
			deliver(d);
			metrics_soon(d);
		}
		/* Settle checks need a look every tick; a look is one readdir. */
		while (!d->stopping && scan_serve(d)) {
			timers_kick(d);
			deliver(d);
			metrics_soon(d);
		}
		deliver(d);
		metrics_flush(d);
		sd_notify(0, "WATCHDOG=1");
	}
}

/* take_locks - one affild per spool and database (daemon/lock.c) */
static int take_locks(struct daemon *d)
{
	switch (lock_take(d)) {
	case LOCK_OK:
		return 0;
	case LOCK_HELD:
		return EX_TEMPFAIL;
	default:
		return EX_CANTCREAT;
	}
}

static void copied(const char *table, long long rows, void *arg)
{
	(void)arg;
	printf("%-16s %lld\n", table, rows);
}

/*
 * copy_database - --copy-to: the configured database into url, the
 * daemon stopped (its locks taken here); the target's password from the
 * unit's credential or libpq's ~/.pgpass
 */
static int copy_database(struct daemon *d, const char *url)
{
	struct store *from, *to = NULL;
	int rc;

	if (!store_target_is_url(url)) {
		log_err("event=copy_refused reason=\"--copy-to takes a "
			"postgresql:// URL\"");
		return EX_USAGE;
	}
	if ((rc = take_locks(d)) != 0)
		return rc;
	from = store_open_pw(cfg_db_target(d->cfg), d->cfg->db.password_file,
			     STORE_RW, d->cfg->db.cache_mb,
			     d->cfg->db.busy_timeout_s);
	if (from != NULL)
		to = store_open_pw(url, NULL, STORE_RW, 16,
				   d->cfg->db.busy_timeout_s);
	rc = from && to && store_copy(from, to, copied, NULL) == 0 ? 0 :
		EX_UNAVAILABLE;
	store_close(to);
	store_close(from);
	lock_release(d);
	return rc;
}

/*
 * node_name - this daemon among those of one PostgreSQL database: the
 * host, its machine-id (clones may share a host name) and its
 * database.path, which its lock keeps to one daemon
 */
static const char *node_name(const struct cfg *cfg, char *buf, size_t len)
{
	char host[256], id[40] = "";
	FILE *fp = fopen("/etc/machine-id", "re");

	if (fp != NULL) {
		if (fgets(id, sizeof(id), fp) == NULL)
			id[0] = '\0';
		id[strcspn(id, "\n")] = '\0';
		fclose(fp);
	}
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, len, "%s:%.12s:%s", host, id, cfg->db.path);
	return buf;
}

/*
 * start - everything start-up needs; a sysexits code on error.  --once
 * (batch) watches nothing: it looks at the drops and leaves.
 */
static int start(struct daemon *d, int batch_mode)
{
	char node[512];
	int rc;

	if (read_token_key(d) < 0)
		return EX_CONFIG;
	if (spool_usable(d->cfg) < 0)
		return EX_CANTCREAT;
	if ((rc = take_locks(d)) != 0)
		return rc;
	if (xml_reader_schema_ok() < 0)	/* the embedded XSD, compiled once */
		return EX_SOFTWARE;
	d->store = store_open_pw(cfg_db_target(d->cfg),
				 d->cfg->db.password_file, STORE_RW,
				 d->cfg->db.cache_mb,
				 d->cfg->db.busy_timeout_s);
	if (d->store == NULL)
		return EX_UNAVAILABLE;
	store_outbox_node(d->store, node_name(d->cfg, node, sizeof(node)));
	if (setup_fds(d) < 0 || (!batch_mode && scan_watch(d) < 0) ||
	    timers_open(d) < 0)
		return EX_OSERR;
	/* After setup_fds: the sender thread must not take our signals. */
	d->sender = sender_open(d->cfg);
	if (d->sender == NULL)
		return EX_CONFIG;
	sender_use_key(d->sender, d->token_key, d->token_keylen);
	if (sender_recover(d->sender, d->store, d->cfg) < 0 ||
	    store_outbox_release_mine(d->store) < 0)
		return EX_IOERR;
	d->ready = spool_ready_new();
	return 0;
}

/* serve - the daemon: catch up, then the loop until a stop */
static void serve(struct daemon *d)
{
	char qc[LOG_QUOTE_MAX];

	metrics_write(d, 1);
	log_info("event=started config=%s employers=%zu pid=%d",
		 log_quote(qc, sizeof(qc), d->config_path),
		 d->cfg->nemployers, (int)getpid());
	(void)scan_resume(d);
	timers_run(d);		/* catch up on what came due */
	metrics_write(d, 1);
	sd_notify(0, "READY=1\nSTATUS=watching the spool");
	loop(d);
	sd_notify(0, "STOPPING=1");
	metrics_write(d, 0);
	log_info("event=stopped");
}

/* batch - --once: the day's purge and what waits, then once.h's status */
static int batch(struct daemon *d, int deliver_mail)
{
	char qc[LOG_QUOTE_MAX];
	int status;

	log_info("event=once_started config=%s employers=%zu pid=%d%s",
		 log_quote(qc, sizeof(qc), d->config_path),
		 d->cfg->nemployers, (int)getpid(),
		 deliver_mail ? "" : " deliver=0");
	retention(d);
	status = once_run(d, deliver_mail);
	metrics_write(d, 0);	/* the counts now; affild_up 0: it exits */
	return status;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "prepare-spool", no_argument, NULL, 'P' },
		{ "once", no_argument, NULL, 'O' },
		{ "no-deliver", no_argument, NULL, 'N' },
		{ "copy-to", required_argument, NULL, 'T' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon d;
	char qc[LOG_QUOTE_MAX];
	int c, check = 0, prepare = 0, once = 0, no_deliver = 0, rc;
	const char *copy_to = NULL;

	/* Everything affild makes holds personal data or says who has it. */
	umask(027);
	memset(&d, 0, sizeof(d));
	d.config_path = "/etc/affild/affild.yaml";
	d.signal_fd = d.inotify_fd = d.timer_fd = -1;
	d.lock_fds[0] = d.lock_fds[1] = -1;
	log_init("affild", LOG_LEVEL_INFO);
	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': d.config_path = optarg; break;
		case 'C': check = 1; break;
		case 'P': prepare = 1; break;
		case 'O': once = 1; break;
		case 'N': no_deliver = 1; break;
		case 'T': copy_to = optarg; break;
		case 'v': log_init("affild", LOG_LEVEL_DEBUG); break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("affild %s\n", AFFILD_VERSION); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	/* --no-deliver means nothing to the daemon, which delivers as it
	 * goes; --once with another mode is a typo, not a choice. */
	if (optind != argc || (no_deliver && !once) ||
	    (once && (check || prepare)) ||
	    (copy_to && (once || check || prepare))) {
		usage(stderr);
		return EX_USAGE;
	}
	d.cfg = load_config(d.config_path, !check && !prepare);
	if (d.cfg == NULL) {
		if (!check && !prepare)
			log_err("event=start_failed config=%s status=%d "
				"reason=\"invalid configuration\"",
				log_quote(qc, sizeof(qc), d.config_path),
				EX_CONFIG);
		return EX_CONFIG;
	}
	if (check) {
		rc = sender_check(d.cfg) < 0 ? EX_CONFIG : 0;
		if (rc == 0)
			printf("configuration OK\n");
		cfg_free(d.cfg);
		return rc;
	}
	if (prepare) {
		rc = prepare_spool(d.cfg);
		cfg_free(d.cfg);
		return rc;
	}
	if (copy_to) {
		rc = copy_database(&d, copy_to);
		cfg_free(d.cfg);
		return rc;
	}
	rc = start(&d, once);
	if (rc == 0 && once) {
		rc = batch(&d, !no_deliver);
	} else if (rc == 0) {
		serve(&d);
	} else {
		log_err("event=start_failed config=%s status=%d",
			log_quote(qc, sizeof(qc), d.config_path), rc);
		if (rc != EX_TEMPFAIL)	/* not the running one's file */
			metrics_write(&d, 0);
	}
	sender_close(d.sender, d.store, d.cfg);
	scan_forget(&d);
	spool_ready_free(d.ready);
	store_close(d.store);
	lock_release(&d);	/* after the store: its last writes are done */
	for (size_t i = 0; i < d.nwatches; i++)
		free(d.watches[i].dir);
	free(d.watches);
	if (d.inotify_fd >= 0)
		close(d.inotify_fd);
	if (d.signal_fd >= 0)
		close(d.signal_fd);
	timers_close(&d);
	cfg_free(d.cfg);
	letter_cleanup();	/* font caches: a clean exit for leak checkers */
	return rc;
}
