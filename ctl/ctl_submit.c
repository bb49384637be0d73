/*
 * ctl_submit - a change written as a file into the admin drop, its report
 * waited for and printed (ctl_submit.h says why).
 *
 * The file: <verb>-<AAAAMMJJTHHMMSS>-<pid>-<ns>.csv, unique on the host,
 * first written as .<name>.tmp in in/ (a name affild never takes), made
 * 0640 whatever the umask (it holds NIRs: never world-readable), fsynced,
 * renamed, and in/ fsynced: affild, woken by the rename, takes it at once.
 * Its report is out/<name>.<id>.cr.csv, the id being affild's: found by
 * its name's prefix, polled every POLL_MS (no inotify: a report appears
 * by rename in a folder affilctl may only read).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "ctl/ctl.h"
#include "ctl/ctl_submit.h"
#include "spool/spool.h"

#define POLL_MS 100
#define REPORT_MAX (64u << 20)	/* a report read whole to be printed */
#define NAME_LEN 128

/* ---- the CSV file ------------------------------------------------------ */

/* needs_quotes - a value the reader would split or trim unquoted */
static int needs_quotes(const char *v)
{
	size_t n = strlen(v);

	return strpbrk(v, ";\"\r\n\t,") != NULL ||
	       (n > 0 && (v[0] == ' ' || v[n - 1] == ' '));
}

/* add_value - one cell, quoted with its quotes doubled when needed */
static int add_value(struct buf *b, const char *v)
{
	const char *p;
	int rc = 0;

	if (v == NULL || !needs_quotes(v))
		return v ? buf_addstr(b, v) : 0;
	rc |= buf_addc(b, '"');
	for (p = v; *p && rc == 0; p++)
		rc |= *p == '"' ? buf_addstr(b, "\"\"") : buf_addc(b, *p);
	rc |= buf_addc(b, '"');
	return rc ? -1 : 0;
}

void ctl_csv_init(struct ctl_csv *c, const char *const *cols, int ncols)
{
	int i;

	buf_init(&c->b, CTL_CSV_MAX);
	c->ncols = ncols;
	for (i = 0; i < ncols; i++) {
		if (i)
			(void)buf_addc(&c->b, ';');
		(void)add_value(&c->b, cols[i]);
	}
	(void)buf_addc(&c->b, '\n');
}

int ctl_csv_row(struct ctl_csv *c, const char *const *vals)
{
	size_t len = c->b.len;
	int i, rc = 0;

	for (i = 0; i < c->ncols && rc == 0; i++) {
		if (i)
			rc = buf_addc(&c->b, ';');
		if (rc == 0)
			rc = add_value(&c->b, vals[i]);
	}
	if (rc == 0)
		rc = buf_addc(&c->b, '\n');
	if (rc < 0)
		c->b.len = len;		/* the row whole, or not at all */
	return rc;
}

void ctl_csv_free(struct ctl_csv *c)
{
	buf_free(&c->b);
}

/* ---- into the drop ------------------------------------------------------ */

/* drop_dirs - the admin drop's in/ and out/ */
static int drop_dirs(const struct cfg *cfg, char *in, char *out, size_t len)
{
	char drop[SPOOL_PATH_MAX];

	if (spool_drop_dir(cfg->spool.dir, SPOOL_ADMIN, drop,
			   sizeof(drop)) < 0 ||
	    spool_path(in, len, "%s/in", drop) < 0 ||
	    spool_path(out, len, "%s/out", drop) < 0) {
		fprintf(stderr, "affilctl: spool.dir too long\n");
		return -1;
	}
	return 0;
}

/* file_name - "<verb>-<AAAAMMJJTHHMMSS>-<pid>-<ns>.csv" */
static void file_name(const char *verb, char *out, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(out, len, "%s-%s-%ld-%09ld.csv", verb, stamp, (long)getpid(),
		 (long)ts.tv_nsec);
}

/* refused - why a file cannot be made in the drop, as an exit status */
static int refused(const struct cfg *cfg, const char *dir, int err)
{
	if (err == EACCES || err == EPERM) {
		fprintf(stderr, "affilctl: cannot write in the admin drop %s: "
			"you must be in group %s (spool.admin_group), or run "
			"affilctl as root\n", dir, cfg->spool.admin_group);
		return EX_NOPERM;
	}
	if (err == ENOENT) {
		fprintf(stderr, "affilctl: no admin drop %s: run affild "
			"--prepare-spool (as root)\n", dir);
		return EX_UNAVAILABLE;
	}
	fprintf(stderr, "affilctl: %s: %s\n", dir, strerror(err));
	return EX_IOERR;
}

/* give_to_caller - run through sudo, the file is the caller's: affild
 * names the owner in the history */
static int give_to_caller(int fd)
{
	const char *sudo = getenv("SUDO_UID");
	long uid;

	if (geteuid() != 0 || sudo == NULL ||
	    parse_long(sudo, 1, 0x7fffffffL, &uid) < 0)
		return 0;
	return fchown(fd, (uid_t)uid, (gid_t)-1);
}

/* write_all - every byte of data to fd; 0 or -1 (errno) */
static int write_all(int fd, const char *data, size_t len)
{
	ssize_t w;

	while (len > 0) {
		w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* sync_dir - the rename made durable */
static int sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* queue - csv as in/<name>, through .<name>.tmp; 0 or an exit status */
static int queue(const struct cfg *cfg, const char *in, const char *name,
		 const struct ctl_csv *csv)
{
	char tmp[SPOOL_PATH_MAX], dst[SPOOL_PATH_MAX];
	int fd, err;

	if (spool_path(tmp, sizeof(tmp), "%s/.%s.tmp", in, name) < 0 ||
	    spool_path(dst, sizeof(dst), "%s/%s", in, name) < 0)
		return EX_SOFTWARE;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0640);
	if (fd < 0)
		return refused(cfg, in, errno);
	if (fchmod(fd, 0640) < 0 || give_to_caller(fd) < 0 ||
	    write_all(fd, csv->b.data, csv->b.len) < 0 || fsync(fd) < 0) {
		err = errno;
		(void)close(fd);
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, dst) < 0) {
		err = errno;
		goto fail;
	}
	if (sync_dir(in) < 0)
		fprintf(stderr, "affilctl: %s: fsync: %s (the file is queued)\n",
			in, strerror(errno));
	return 0;
fail:
	(void)unlink(tmp);
	fprintf(stderr, "affilctl: %s: %s\n", tmp, strerror(err));
	return err == ENOSPC || err == EDQUOT ? EX_TEMPFAIL : EX_IOERR;
}

/* ---- the report -------------------------------------------------------------- */

/* find_out - out/<name>.<id><suffix> into path; 1 found, 0 not yet, -1
 * out/ unreadable (errno) */
static int find_out(const char *out, const char *name, const char *suffix,
		    char *path, size_t len)
{
	size_t n = strlen(name);
	struct dirent *de;
	DIR *dh = opendir(out);
	int found = 0;

	if (dh == NULL)
		return -1;
	while (!found && (de = readdir(dh)) != NULL)
		if (strncmp(de->d_name, name, n) == 0 && de->d_name[n] == '.' &&
		    str_has_suffix(de->d_name + n, suffix))
			found = spool_path(path, len, "%s/%s", out,
					   de->d_name) == 0;
	closedir(dh);
	return found;
}

/* find_report - out/<name>.<id>.cr.csv */
static int find_report(const char *out, const char *name, char *path,
		       size_t len)
{
	return find_out(out, name, ".cr.csv", path, len);
}

/* copy_into - the file at from into fp; an exit status said on stderr */
static int copy_into(const char *from, FILE *fp)
{
	char data[65536];
	FILE *in = fopen(from, "rb");
	size_t n;
	int bad;

	if (in == NULL) {
		fprintf(stderr, "affilctl: %s: %s\n", from, strerror(errno));
		return EX_NOINPUT;
	}
	while ((n = fread(data, 1, sizeof(data), in)) > 0)
		if (fwrite(data, 1, n, fp) != n)
			break;
	bad = ferror(in) || ferror(fp);
	fclose(in);
	if (bad) {
		fprintf(stderr, "affilctl: %s: %s\n", from, strerror(errno));
		return EX_IOERR;
	}
	return 0;
}

/* attachment - the document the row asked for, once its report is in */
static int attachment(const char *out, const char *name,
		      const struct ctl_submit *o)
{
	char path[SPOOL_PATH_MAX];

	if (find_out(out, name, o->attach, path, sizeof(path)) != 1) {
		fprintf(stderr, "affilctl: no %s beside the report in %s (see "
			"the report above)\n", o->attach, out);
		return EX_DATAERR;
	}
	if (o->attach_fp == NULL) {
		printf("%s\n", path);
		return 0;
	}
	return copy_into(path, o->attach_fp);
}

/* read_whole - a report into b; 0 or -1 (said) */
static int read_whole(const char *path, struct buf *b)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = 0;

	if (fd < 0) {
		fprintf(stderr, "affilctl: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf_add(b, chunk, (size_t)n) < 0) {
			fprintf(stderr, "affilctl: %s: %s\n", path, n < 0 ?
				strerror(errno) : "report too large");
			rc = -1;
		}
	}
	(void)close(fd);
	return rc;
}

/*
 * field - the i-th cell of a report line (CSV, ';', RFC 4180 quotes)
 * into out; "" when the line has fewer.
 */
static void field(const char *line, const char *end, int i, char *out,
		  size_t len)
{
	size_t n = 0;
	int k = 0, quoted = 0;
	const char *p;

	for (p = line; p < end; p++) {
		if (quoted && *p == '"' && p + 1 < end && p[1] == '"')
			p++;
		else if (*p == '"') {
			quoted = !quoted;
			continue;
		} else if (!quoted && *p == ';') {
			if (k++ == i)
				break;
			continue;
		}
		if (k == i && n + 1 < len)
			out[n++] = *p;
	}
	out[n] = '\0';
}

/* tell - the report's rejected lines on stderr; its return code (0-3),
 * -1 when the summary cannot be read */
static int tell(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *e, *last = NULL;
	char code[16], res[16], ln[24], msg[512];

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		e = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		if (e > p)
			last = p;
		field(p, e, 3, res, sizeof(res));
		field(p, e, 4, code, sizeof(code));
		if (strcmp(res, "REJETE") != 0 || strncmp(code, "CR", 2) == 0)
			continue;
		field(p, e, 0, ln, sizeof(ln));
		field(p, e, 6, msg, sizeof(msg));
		fprintf(stderr, "affilctl: ligne %s: %s %s\n", ln, code, msg);
	}
	if (last == NULL)
		return -1;
	nl = memchr(last, '\n', (size_t)(end - last));
	field(last, nl ? nl : end, 4, code, sizeof(code));
	if (strlen(code) != 3 || strncmp(code, "CR", 2) != 0 ||
	    code[2] < '0' || code[2] > '3')
		return -1;
	return code[2] - '0';
}

/* report_json - the report's lines (after its header) as a JSON array on
 * stdout; 0 or -1 */
static int report_json(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *e;
	char v[CTL_LINE_COLS][1024];
	const char *vals[CTL_LINE_COLS];
	struct ctl_out *o = ctl_out_open(stdout, FMT_JSON);
	int i, first = 1;

	ctl_list_begin(o, NULL, NULL, ctl_line_cols, CTL_LINE_COLS);
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		e = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		if (first || e == p) {	/* the header; an empty line */
			first = 0;
			continue;
		}
		for (i = 0; i < CTL_LINE_COLS; i++) {
			field(p, e, i, v[i], sizeof(v[i]));
			vals[i] = v[i][0] ? v[i] : NULL;
		}
		ctl_list_row(o, vals);
	}
	ctl_list_end(o);
	return ctl_out_close(o);
}

/* print_report - the report on stdout as it is, or as JSON; an exit
 * status */
static int print_report(const char *path, int json)
{
	struct buf b;
	int rc;

	buf_init(&b, REPORT_MAX);
	if (read_whole(path, &b) < 0) {
		buf_free(&b);
		return EX_IOERR;
	}
	if (json ? report_json(b.data, b.len) < 0 || fflush(stdout) != 0 :
	    fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
		buf_free(&b);
		return EX_IOERR;
	}
	rc = tell(b.data, b.len);
	buf_free(&b);
	if (rc < 0) {
		fprintf(stderr, "affilctl: %s: no return code in the report\n",
			path);
		return EX_SOFTWARE;
	}
	return rc <= 1 ? 0 : EX_DATAERR;
}

/* wait_report - poll out/ for name's report until timeout_s; an exit
 * status once printed */
static int wait_report(const struct cfg *cfg, const char *out,
		       const char *name, const struct ctl_submit *o)
{
	int timeout_s = o->timeout_s;
	struct timespec nap = { 0, POLL_MS * 1000000L };
	char path[SPOOL_PATH_MAX];
	long waited_ms = 0;
	int rc;

	for (;;) {
		rc = find_report(out, name, path, sizeof(path));
		if (rc < 0)
			return refused(cfg, out, errno);
		if (rc > 0) {
			rc = print_report(path, o->json);
			return rc == 0 && o->attach ? attachment(out, name, o) :
			       rc;
		}
		if (waited_ms >= (long)timeout_s * 1000)
			break;
		(void)nanosleep(&nap, NULL);
		waited_ms += POLL_MS;
	}
	fprintf(stderr, "affilctl: no report from affild within %d s: %s stays "
		"queued, its report will be %s/%s.<id>.cr.csv (is affild "
		"running?)\n", timeout_s, name, out, name);
	return EX_TEMPFAIL;
}

int ctl_submit(const struct cfg *cfg, const struct ctl_csv *csv,
	       const struct ctl_submit *o)
{
	char in[SPOOL_PATH_MAX], out[SPOOL_PATH_MAX], name[NAME_LEN];
	int rc;

	if (drop_dirs(cfg, in, out, sizeof(in)) < 0)
		return EX_SOFTWARE;
	file_name(o->verb, name, sizeof(name));
	if ((rc = queue(cfg, in, name, csv)) != 0)
		return rc;
	if (!o->wait) {
		printf("%s\n", name);
		return 0;
	}
	return wait_report(cfg, out, name, o);
}
