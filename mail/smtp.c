/*
 * smtp - libcurl SMTP transport in one sender thread.  See smtp.h.
 *
 * Threads: the main thread calls smtp_submit(), smtp_collect() and
 * smtp_stop(); the sender thread only runs smtp_thread().  They share the
 * job ring and the result ring under one mutex; the in-flight list is the
 * main thread's alone; the curl handles, the reply parser, the socket list
 * and the error buffer belong to the sender thread from smtp_open() to the
 * join in smtp_stop() (curl_multi_wakeup() is the one call made across).  The thread holds no SQLite handle and
 * reads nothing of struct cfg (which a SIGHUP frees): smtp_open() copies
 * what it needs.
 *
 * A transfer is driven by curl_multi_perform()/curl_multi_poll() with a
 * one-second poll, so smtp_stop() (which also calls curl_multi_wakeup())
 * is heard at once even while connecting or waiting for a reply.  The easy
 * handle is removed from the multi handle after each message; the
 * connection stays in the multi handle's cache and the next message reuses
 * it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "common/log.h"
#include "common/util.h"
#include "mail/message.h"
#include "mail/smtp.h"

#define CRED_MAX 1024		/* "user:password" */
#define POLL_MS 1000		/* how often a transfer looks at stop */
#define SOCKS_MAX 4		/* sockets libcurl holds open (one, really) */

struct smtp {
	/* Settings, copied from the config at open. */
	int retry_min_s;

	/* Sender thread only. */
	CURL *easy;
	CURLM *multi;
	struct smtp_reply reply;
	char errbuf[CURL_ERROR_SIZE];
	time_t down_until;		/* defer queued jobs until then */
	int socks[SOCKS_MAX];		/* open sockets, -1: free slot */
	char down_reason[SMTP_REPLY_MAX];

	/* Shared, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct smtp_job *jobs[SMTP_QUEUE_MAX];	/* ring */
	size_t job_head, njobs;
	struct smtp_result results[SMTP_QUEUE_MAX];	/* ring */
	size_t res_head, nres;
	atomic_int stop;

	/* Main thread only. */
	long long flight[SMTP_QUEUE_MAX];	/* ids submitted, not collected */
	size_t nflight;

	pthread_t thread;
	int started;
	int event_fd;
	int journal_fd;			/* the sent journal, -1: none */
};

/* Cursor over the message bytes, for libcurl's read callback. */
struct upload {
	const char *data;
	size_t len, off;
};

/* ---- pure pieces ------------------------------------------------------ */

/* smtp_addr_ok - printable, no blank, and a plain addr-spec */
int smtp_addr_ok(const char *addr)
{
	const unsigned char *p;

	if (addr == NULL)
		return 0;
	for (p = (const unsigned char *)addr; *p; p++)
		if (*p <= 0x20 || *p >= 0x7F)
			return 0;
	return mail_addr_ok(addr);
}

void smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
}

/* reply_append - printable ASCII of s[0..n) after r->text, within the cap */
static void reply_append(struct smtp_reply *r, const char *s, size_t n)
{
	size_t len = strlen(r->text), i;

	for (i = 0; i < n && len + 1 < sizeof(r->text); i++) {
		unsigned char c = (unsigned char)s[i];

		r->text[len++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	r->text[len] = '\0';
}

/* reply_line - one line without its line end */
static void reply_line(struct smtp_reply *r, const char *s, size_t n)
{
	int code;

	if (r->failed)
		return;		/* keep the refusal, not the QUIT that follows */
	if (n < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' || s[1] > '9' ||
	    s[2] < '0' || s[2] > '9' || (n > 3 && s[3] != ' ' && s[3] != '-'))
		return;
	code = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
	if (!r->partial) {
		r->text[0] = '\0';
		reply_append(r, s, 3);
	}
	if (n > 4) {
		reply_append(r, " ", 1);
		reply_append(r, s + 4, n - 4);
	}
	r->partial = n > 3 && s[3] == '-';
	if (r->partial)
		return;
	r->code = code;
	r->replies++;
	r->failed = code >= 400;
	if (code == 354)
		r->data_started = 1;
}

/* smtp_reply_feed - split data into lines, each parsed on its own */
void smtp_reply_feed(struct smtp_reply *r, const char *data, size_t len)
{
	const char *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl ? (size_t)(nl - data) : len;
		reply_line(r, data, n > 0 && data[n - 1] == '\r' ? n - 1 : n);
		if (nl == NULL)
			return;
		len -= n + 1;
		data = nl + 1;
	}
}

/* smtp_classify - see smtp.h */
enum smtp_outcome smtp_classify(int transfer_ok, int login_failed,
				const struct smtp_reply *r)
{
	if (transfer_ok)
		return SMTP_SENT;
	if (login_failed)
		return SMTP_TEMPFAIL;
	if (r->code >= 500 && r->code < 600)
		return SMTP_PERMFAIL;
	if (r->code >= 400 && r->code < 500)
		return SMTP_TEMPFAIL;
	return r->data_started ? SMTP_AMBIGUOUS : SMTP_TEMPFAIL;
}

/* smtp_backoff_s - exponential, capped, jittered by a quarter each way */
int smtp_backoff_s(int attempts, int min_s, int max_s, uint32_t rnd)
{
	long long d = min_s > 0 ? min_s : 1;
	int i;

	for (i = 0; i < attempts && d < max_s; i++)
		d *= 2;
	if (d > max_s)
		d = max_s;
	d = d - d / 4 + (long long)(rnd % (uint32_t)(d / 2 + 1));
	if (d > max_s)
		d = max_s;
	return d < 1 ? 1 : (int)d;
}

/* ---- the sender thread ------------------------------------------------ */

/* on_read - libcurl pulls the message bytes */
static size_t on_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nitems;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

/* on_debug - the server's replies only; what we send (AUTH!) is ignored */
static int on_debug(CURL *e, curl_infotype type, char *data, size_t size,
		    void *arg)
{
	struct smtp *s = arg;

	(void)e;
	if (type == CURLINFO_HEADER_IN)
		smtp_reply_feed(&s->reply, data, size);
	return 0;
}

/* on_open_socket - libcurl's socket, made here so that stop can cut it */
static curl_socket_t on_open_socket(void *arg, curlsocktype purpose,
				    struct curl_sockaddr *a)
{
	struct smtp *s = arg;
	int fd, i;

	(void)purpose;
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	if (fd < 0)
		return CURL_SOCKET_BAD;
	for (i = 0; i < SOCKS_MAX; i++)
		if (s->socks[i] < 0) {
			s->socks[i] = fd;
			break;
		}
	return fd;
}

static int on_close_socket(void *arg, curl_socket_t fd)
{
	struct smtp *s = arg;
	int i;

	for (i = 0; i < SOCKS_MAX; i++)
		if (s->socks[i] == fd)
			s->socks[i] = -1;
	return close(fd);
}

/*
 * cut_sockets - shut every socket down.  Removing an unfinished SMTP
 * transfer makes libcurl end the DATA and wait for the reply (up to the
 * timeout); with the socket shut down that wait ends at once.
 */
static void cut_sockets(struct smtp *s)
{
	int i;

	for (i = 0; i < SOCKS_MAX; i++)
		if (s->socks[i] >= 0)
			(void)shutdown(s->socks[i], SHUT_RDWR);
}

/* perform - run one transfer to its end or to stop; libcurl's code */
static CURLcode perform(struct smtp *s, int *aborted)
{
	CURLMsg *msg;
	CURLcode cc = CURLE_SEND_ERROR;
	int running = 1, left;

	*aborted = 0;
	if (curl_multi_add_handle(s->multi, s->easy) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	for (;;) {
		if (curl_multi_perform(s->multi, &running) != CURLM_OK)
			break;
		if (!running)
			break;
		if (atomic_load(&s->stop)) {
			*aborted = 1;
			cut_sockets(s);
			break;
		}
		if (curl_multi_poll(s->multi, NULL, 0, POLL_MS, NULL) !=
		    CURLM_OK)
			break;
	}
	while ((msg = curl_multi_info_read(s->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == s->easy)
			cc = msg->data.result;
	curl_multi_remove_handle(s->multi, s->easy);
	return cc;
}

/* send_one - one message, its outcome into r */
static void send_one(struct smtp *s, const struct smtp_job *j,
		     struct smtp_result *r)
{
	struct upload u = { j->data, j->len, 0 };
	struct curl_slist *rcpt;
	char path[sizeof(j->rcpt) + 2];
	long conns = 0;
	int aborted;
	CURLcode cc;

	smtp_reply_init(&s->reply);
	s->errbuf[0] = '\0';
	snprintf(path, sizeof(path), "<%s>", j->rcpt);
	rcpt = curl_slist_append(NULL, path);
	curl_easy_setopt(s->easy, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(s->easy, CURLOPT_READDATA, &u);
	curl_easy_setopt(s->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t)j->len);
	cc = rcpt ? perform(s, &aborted) : CURLE_OUT_OF_MEMORY;
	curl_easy_setopt(s->easy, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &conns);
	r->new_connection = conns > 0;
	r->code = s->reply.code;
	if (rcpt && aborted) {
		r->outcome = SMTP_ABORTED;
		snprintf(r->reason, sizeof(r->reason), "arrêt du démon");
		return;
	}
	r->outcome = smtp_classify(cc == CURLE_OK, cc == CURLE_LOGIN_DENIED,
				   &s->reply);
	if (r->outcome == SMTP_SENT)
		r->reason[0] = '\0';
	else if ((r->code >= 400 && r->code < 600) || cc == CURLE_LOGIN_DENIED)
		snprintf(r->reason, sizeof(r->reason), "%s", s->reply.text);
	else
		snprintf(r->reason, sizeof(r->reason), "%.*s",
			 (int)sizeof(r->reason) - 1, s->errbuf[0] ?
			 s->errbuf : curl_easy_strerror(cc));
	/* The server could not be reached: do not try the queued ones now. */
	if (r->outcome == SMTP_TEMPFAIL && s->reply.replies == 0) {
		s->down_until = time(NULL) + s->retry_min_s;
		snprintf(s->down_reason, sizeof(s->down_reason),
			 "non tenté : %.*s", (int)sizeof(s->down_reason) - 16,
			 r->reason);
	}
}

/* take_job - wait for a job or stop; NULL on stop */
static struct smtp_job *take_job(struct smtp *s)
{
	struct smtp_job *j = NULL;

	pthread_mutex_lock(&s->mu);
	while (!atomic_load(&s->stop) && s->njobs == 0)
		pthread_cond_wait(&s->cv, &s->mu);
	if (!atomic_load(&s->stop)) {
		j = s->jobs[s->job_head];
		s->job_head = (s->job_head + 1) % SMTP_QUEUE_MAX;
		s->njobs--;
	}
	pthread_mutex_unlock(&s->mu);
	return j;
}

/* put_result - queue r for the main thread and wake its poll */
static void put_result(struct smtp *s, const struct smtp_result *r)
{
	uint64_t one = 1;

	pthread_mutex_lock(&s->mu);
	s->results[(s->res_head + s->nres) % SMTP_QUEUE_MAX] = *r;
	s->nres++;
	pthread_mutex_unlock(&s->mu);
	if (write(s->event_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn_errno("event=mail_wakeup_failed");
}

/* journal_sent - the 250 on disk before the next message (smtp.h) */
static void journal_sent(struct smtp *s, const struct smtp_result *r)
{
	char line[192];
	int n;

	if (s->journal_fd < 0)
		return;
	n = snprintf(line, sizeof(line), "%lld %s\n", r->id,
		     r->message_id[0] ? r->message_id : "-");
	if (n < 0 || (size_t)n >= sizeof(line) ||
	    write(s->journal_fd, line, (size_t)n) != n ||
	    fdatasync(s->journal_fd) < 0)
		log_warn_errno("event=mail_journal_failed id=%lld", r->id);
}

static void *smtp_thread(void *arg)
{
	struct smtp *s = arg;
	struct smtp_job *j;
	struct smtp_result r;

	while ((j = take_job(s)) != NULL) {
		memset(&r, 0, sizeof(r));
		r.id = j->id;
		r.attempts = j->attempts;
		r.created = j->created;
		memcpy(r.kind, j->kind, sizeof(r.kind));
		memcpy(r.message_id, j->message_id, sizeof(r.message_id));
		if (time(NULL) < s->down_until) {
			r.outcome = SMTP_DEFERRED;
			memcpy(r.reason, s->down_reason, sizeof(r.reason));
		} else {
			send_one(s, j, &r);
		}
		if (r.outcome == SMTP_SENT)
			journal_sent(s, &r);
		free(j->data);
		free(j);
		put_result(s, &r);
	}
	return NULL;
}

/* ---- set-up ------------------------------------------------------------- */

/* loopback_url - 1 when url names localhost, 127.0.0.0/8 or ::1 */
static int loopback_url(const char *url)
{
	CURLU *u = curl_url();
	struct in_addr a4;
	char *host = NULL;
	int ok = 0;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		ok = strcmp(host, "localhost") == 0 ||
		     (inet_pton(AF_INET, host, &a4) == 1 &&
		      (ntohl(a4.s_addr) >> 24) == 127) ||
		     strcmp(host, "[::1]") == 0;
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* read_credentials - "user:password" from path; contents never logged */
static int read_credentials(const char *path, char *buf, size_t len,
			    char **password)
{
	char qp[LOG_QUOTE_MAX];
	struct stat sb;
	ssize_t n;
	int fd;

	log_quote(qp, sizeof(qp), path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_err_errno("event=smtp_credentials_unreadable path=%s", qp);
		return -1;
	}
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) != 0)
		log_warn("event=smtp_credentials_mode path=%s mode=%03o "
			 "hint=\"chmod 600\"", qp,
			 (unsigned)(sb.st_mode & 0777));
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	*password = strchr(buf, ':');
	if (*password == NULL || *password == buf ||
	    strpbrk(buf, "\r\n") != NULL || (size_t)n >= len - 1) {
		log_err("event=smtp_credentials_invalid path=%s "
			"error=\"expected one line user:password\"", qp);
		explicit_bzero(buf, len);
		return -1;
	}
	*(*password)++ = '\0';
	return 0;
}

/* setup_easy - the options every message shares */
static int setup_easy(struct smtp *s, const struct cfg *cfg)
{
	char from[MAIL_ADDR_MAX + 3], addr[MAIL_ADDR_MAX + 1];
	char cred[CRED_MAX], *password = NULL;
	CURL *e = s->easy;
	int rc = 0;

	if (mail_from_addr(cfg->mail.from, addr) < 0)
		return -1;	/* smtp_check() said why */
	snprintf(from, sizeof(from), "<%s>", addr);
	if (cfg->mail.credentials_file != NULL &&
	    read_credentials(cfg->mail.credentials_file, cred, sizeof(cred),
			     &password) < 0)
		return -1;
	rc |= curl_easy_setopt(e, CURLOPT_URL, cfg->mail.url);
	rc |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	rc |= curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
	rc |= curl_easy_setopt(e, CURLOPT_USE_SSL,
			       cfg->mail.tls == CFG_TLS_NONE ?
			       (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (cfg->mail.ca_file != NULL)
		rc |= curl_easy_setopt(e, CURLOPT_CAINFO, cfg->mail.ca_file);
	if (password != NULL) {
		rc |= curl_easy_setopt(e, CURLOPT_USERNAME, cred);
		rc |= curl_easy_setopt(e, CURLOPT_PASSWORD, password);
		explicit_bzero(cred, sizeof(cred));	/* libcurl has a copy */
	}
	rc |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
			       (long)cfg->mail.connect_timeout_s);
	rc |= curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)cfg->mail.timeout_s);
	rc |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
	rc |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
	rc |= curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
	rc |= curl_easy_setopt(e, CURLOPT_DEBUGDATA, s);
	rc |= curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	rc |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
	rc |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, s);
	rc |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_close_socket);
	rc |= curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, s);
	if (rc != 0) {
		log_err("event=smtp_setup_failed error=\"libcurl refused an "
			"option (built without SMTP or TLS?)\"");
		return -1;
	}
	return 0;
}

/* start_thread - with every signal blocked: they belong to the main loop */
static int start_thread(struct smtp *s)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&s->thread, NULL, smtp_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		log_err_errno("event=smtp_thread_failed");
		return -1;
	}
	s->started = 1;
	return 0;
}

/* smtp_check - what smtp_open() would refuse, without starting anything */
int smtp_check(const struct cfg *cfg)
{
	char addr[MAIL_ADDR_MAX + 1], cred[CRED_MAX], *password;

	if (cfg->mail.url == NULL)
		return -1;
	if (cfg->mail.tls == CFG_TLS_NONE && !loopback_url(cfg->mail.url)) {
		log_err("event=config_error key=mail.tls error=\"none is only "
			"allowed for a loopback server (tests): use required\"");
		return -1;
	}
	if (mail_from_addr(cfg->mail.from, addr) < 0 || !smtp_addr_ok(addr)) {
		log_err("event=config_error key=mail.from error=\"not an "
			"address the envelope can carry\"");
		return -1;
	}
	if (cfg->mail.credentials_file != NULL) {
		if (read_credentials(cfg->mail.credentials_file, cred,
				     sizeof(cred), &password) < 0)
			return -1;
		explicit_bzero(cred, sizeof(cred));
	}
	return 0;
}

/* open_journal - append-only, 0600 (message ids, no personal data) */
static int open_journal(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW |
		      O_CLOEXEC, 0600);

	if (fd < 0)
		log_err_errno("event=mail_journal_failed path=%s", path);
	return fd;
}

struct smtp *smtp_open(const struct cfg *cfg, const char *journal)
{
	struct smtp *s;

	if (smtp_check(cfg) < 0)
		return NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_err("event=smtp_setup_failed error=\"curl_global_init\"");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->retry_min_s = cfg->mail.retry_min_s;
	for (int i = 0; i < SOCKS_MAX; i++)
		s->socks[i] = -1;
	s->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	s->journal_fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->easy = curl_easy_init();
	s->multi = curl_multi_init();
	if (journal != NULL && (s->journal_fd = open_journal(journal)) < 0) {
		smtp_free(s);
		return NULL;
	}
	if (s->event_fd < 0 || s->easy == NULL || s->multi == NULL ||
	    setup_easy(s, cfg) < 0 || start_thread(s) < 0) {
		if (s->event_fd < 0)
			log_err_errno("event=smtp_setup_failed");
		smtp_free(s);
		return NULL;
	}
	log_info("event=smtp_ready tls=%s",
		 cfg->mail.tls == CFG_TLS_NONE ? "none" : "required");
	return s;
}

/* ---- the main thread's side ------------------------------------------------ */

int smtp_fd(const struct smtp *s)
{
	return s->event_fd;
}

int smtp_submit(struct smtp *s, struct smtp_job *job)
{
	struct smtp_job *j;

	if (!smtp_addr_ok(job->rcpt))
		return -1;
	pthread_mutex_lock(&s->mu);
	if (s->nflight == SMTP_QUEUE_MAX) {
		pthread_mutex_unlock(&s->mu);
		return -2;
	}
	j = xmalloc(sizeof(*j));
	*j = *job;
	s->jobs[(s->job_head + s->njobs) % SMTP_QUEUE_MAX] = j;
	s->njobs++;
	s->flight[s->nflight++] = job->id;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

int smtp_in_flight(const struct smtp *s, long long id)
{
	size_t i;

	for (i = 0; i < s->nflight; i++)
		if (s->flight[i] == id)
			return 1;
	return 0;
}

size_t smtp_in_flight_count(const struct smtp *s)
{
	return s->nflight;
}

/* flight_remove - id is collected: no longer in flight */
static void flight_remove(struct smtp *s, long long id)
{
	size_t i;

	for (i = 0; i < s->nflight; i++)
		if (s->flight[i] == id) {
			s->flight[i] = s->flight[--s->nflight];
			return;
		}
}

int smtp_collect(struct smtp *s,
		 void (*fn)(const struct smtp_result *, void *), void *arg)
{
	struct smtp_result r;
	uint64_t n;
	int count = 0;

	if (read(s->event_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn_errno("event=mail_wakeup_failed");
	for (;;) {
		pthread_mutex_lock(&s->mu);
		if (s->nres == 0) {
			pthread_mutex_unlock(&s->mu);
			return count;
		}
		r = s->results[s->res_head];
		s->res_head = (s->res_head + 1) % SMTP_QUEUE_MAX;
		s->nres--;
		flight_remove(s, r.id);
		pthread_mutex_unlock(&s->mu);
		fn(&r, arg);
		count++;
	}
}

void smtp_stop(struct smtp *s)
{
	if (s == NULL || !s->started)
		return;
	pthread_mutex_lock(&s->mu);
	atomic_store(&s->stop, 1);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	curl_multi_wakeup(s->multi);
	pthread_join(s->thread, NULL);
	s->started = 0;
}

void smtp_free(struct smtp *s)
{
	if (s == NULL)
		return;
	smtp_stop(s);
	while (s->njobs > 0) {
		free(s->jobs[s->job_head]->data);
		free(s->jobs[s->job_head]);
		s->job_head = (s->job_head + 1) % SMTP_QUEUE_MAX;
		s->njobs--;
	}
	/* No QUIT on the cached connection: a server that stopped answering
	 * would hold the exit for timeout_s.  Mail it accepted is its own. */
	cut_sockets(s);
	if (s->multi != NULL)
		curl_multi_cleanup(s->multi);
	if (s->easy != NULL)
		curl_easy_cleanup(s->easy);
	if (s->event_fd >= 0)
		close(s->event_fd);
	if (s->journal_fd >= 0)
		close(s->journal_fd);
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	free(s);
	curl_global_cleanup();
}

/* smtp_journal_clear - every outcome recorded, nothing in flight */
void smtp_journal_clear(struct smtp *s)
{
	if (s->journal_fd < 0 || s->nflight > 0)
		return;		/* the thread may be writing */
	if (ftruncate(s->journal_fd, 0) < 0 || fdatasync(s->journal_fd) < 0)
		log_warn_errno("event=mail_journal_clear_failed");
}

/* smtp_journal_read - fn for each "<id> <message_id>" line; the count */
int smtp_journal_read(const char *journal,
		      void (*fn)(long long id, const char *message_id,
				 void *arg), void *arg)
{
	char line[192], mid[160];
	long long id;
	int n = 0;
	FILE *fp = fopen(journal, "re");

	if (fp == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "%lld %159s", &id, mid) == 2 && id > 0) {
			fn(id, strcmp(mid, "-") == 0 ? "" : mid, arg);
			n++;
		}
	(void)fclose(fp);	/* read only */
	return n;
}
