/*
 * letter_print - the print folder: one folder per day, one PDF per letter,
 * one manifest per folder for the mail house.
 *
 * manifest.csv is UTF-8 with a BOM, ';' separated, CRLF line ends, like
 * the comptes rendus:
 *
 *	fichier;id;employeur;type;destinataire;code_postal;ville;pages
 *	42.pdf;42;12345678;invitation;Anaïs Lefèvre;75011;PARIS;1
 *
 * one line per letter of the folder, in outbox id order.  Values never hold
 * a line break (control characters become spaces) and are quoted as in
 * RFC 4180 when they hold ';' or '"'; a value starting with = + - @ is
 * prefixed with "'" so that a spreadsheet does not run it as a formula.
 *
 * Exact across crashes.  The manifest is the state: adding letter N reads
 * the current manifest, drops any line for N, adds N's line, sorts by id,
 * and replaces the file whole (dot-name, fsync, rename, fsync of the
 * folder).  The PDF is renamed into place before, so every listed letter
 * exists.  A crash between the two leaves a PDF the manifest does not list
 * yet; its outbox row is still pending (it is marked sent only after this
 * returns), so the retry rewrites the same PDF and adds its line then.  A
 * crash after both and before the outbox row is marked sent makes the
 * retry replace the PDF and the line: the manifest still lists it once.
 * The cost is a rewrite of the manifest per letter, linear in the letters
 * of the day (figures in docs/performance.md); MANIFEST_MAX bounds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/log.h"
#include "common/util.h"
#include "mail/letter.h"

#define MANIFEST_NAME	"manifest.csv"
#define MANIFEST_MAX	(64u << 20)	/* about 500,000 letters a day */
#define MANIFEST_HEAD	"\xEF\xBB\xBF" "fichier;id;employeur;type;" \
			"destinataire;code_postal;ville;pages\r\n"
#define PATH_LEN	4096

/* One line of the manifest, borrowed from the buffer that holds it. */
struct mline {
	long long id;
	const char *text;	/* without its CRLF */
	size_t len;
};

/* fsync_dir - make a rename or a creation in dir durable */
static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char qp[LOG_QUOTE_MAX];
	int rc;

	if (fd < 0) {
		log_warn_errno("event=letter_fsync_failed path=%s",
			       log_quote(qp, sizeof(qp), dir));
		return -1;
	}
	rc = fsync(fd);
	if (rc < 0)
		log_warn_errno("event=letter_fsync_failed path=%s",
			       log_quote(qp, sizeof(qp), dir));
	if (close(fd) < 0)
		rc = -1;
	return rc;
}

/* day_dir - <print_dir>/<AAAAMMJJ>, created durably if missing */
static int day_dir(const char *print_dir, struct date d, char *out,
		   size_t outlen)
{
	char qp[LOG_QUOTE_MAX];

	if (snprintf(out, outlen, "%s/%04d%02d%02d", print_dir, d.y, d.m,
		     d.d) >= (int)outlen)
		return -1;
	if (mkdir(out, 0750) == 0)
		return fsync_dir(print_dir);
	if (errno == EEXIST)
		return 0;
	log_warn_errno("event=letter_mkdir_failed path=%s",
		       log_quote(qp, sizeof(qp), out));
	return -1;
}

/* tmp_create - dir/.name.tmp, opened for writing; the fd or -1 */
static int tmp_create(const char *dir, const char *name, char *tmp,
		      size_t tmplen)
{
	char qp[LOG_QUOTE_MAX];
	int fd;

	if (snprintf(tmp, tmplen, "%s/.%s.tmp", dir, name) >= (int)tmplen)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		log_warn_errno("event=letter_write_failed path=%s",
			       log_quote(qp, sizeof(qp), tmp));
	return fd;
}

/* tmp_commit - fsync and close fd, rename tmp to dir/name; closes fd */
static int tmp_commit(int fd, const char *tmp, const char *dir,
		      const char *name)
{
	char path[PATH_LEN], qp[LOG_QUOTE_MAX];
	int rc = 0;

	if (fsync(fd) < 0) {
		log_warn_errno("event=letter_write_failed path=%s",
			       log_quote(qp, sizeof(qp), tmp));
		rc = -1;
	}
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		rc = -1;
	if (rc == 0 && rename(tmp, path) < 0) {
		log_warn_errno("event=letter_rename_failed path=%s",
			       log_quote(qp, sizeof(qp), path));
		rc = -1;
	}
	if (rc < 0)
		(void)unlink(tmp);
	return rc;
}

/* write_all - len bytes to fd, or -1 */
static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* cell - one manifest value: no line break, quoted when needed */
static void cell(struct buf *b, const char *v)
{
	const unsigned char *p;
	int guard, quote;

	v = v ? v : "";
	guard = *v != '\0' && strchr("=+-@", *v) != NULL;
	quote = guard || strpbrk(v, ";\"") != NULL;
	if (quote)
		buf_addc(b, '"');
	if (guard)
		buf_addc(b, '\'');
	for (p = (const unsigned char *)v; *p; p++) {
		if (*p == '"')
			buf_addc(b, '"');
		buf_addc(b, *p < 0x20 || *p == 0x7f ? ' ' : (char)*p);
	}
	if (quote)
		buf_addc(b, '"');
}

/* entry_line - the manifest line of one letter, without its CRLF */
static void entry_line(struct buf *b, const struct letter_entry *e,
		       const struct letter *l, int pages)
{
	buf_printf(b, "%lld.pdf;%lld;", e->id, e->id);
	cell(b, e->employer);
	buf_addc(b, ';');
	cell(b, e->kind);
	buf_addc(b, ';');
	cell(b, l->name);
	buf_addc(b, ';');
	cell(b, l->code_postal);
	buf_addc(b, ';');
	cell(b, l->ville);
	buf_printf(b, ";%d", pages);
}

/* line_id - the id a manifest line starts with ("42.pdf;"), or -1 */
static long long line_id(const char *s, size_t len)
{
	long long id = 0;
	size_t i;

	for (i = 0; i < len && i < 18 && s[i] >= '0' && s[i] <= '9'; i++)
		id = id * 10 + (s[i] - '0');
	if (i == 0 || len - i < 5 || memcmp(s + i, ".pdf;", 5) != 0)
		return -1;
	return id;
}

/* read_manifest - the current manifest of dir into b; 0 when absent */
static int read_manifest(const char *dir, struct buf *b)
{
	char path[PATH_LEN], chunk[65536], qp[LOG_QUOTE_MAX];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, MANIFEST_NAME) >=
	    (int)sizeof(path))
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		log_warn_errno("event=manifest_read_failed path=%s",
			       log_quote(qp, sizeof(qp), path));
		return -1;
	}
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || buf_add(b, chunk, (size_t)n) < 0) {
			log_warn("event=manifest_read_failed path=%s "
				 "reason=\"%s\"", log_quote(qp, sizeof(qp), path),
				 n < 0 ? "read error" : "too large");
			(void)close(fd);
			return -1;
		}
	}
	(void)close(fd);
	return 0;
}

/* split_lines - the letter lines of a manifest, all but the one for skip */
static struct mline *split_lines(const struct buf *b, long long skip,
				 size_t *n)
{
	const char *p = buf_str(b), *end = p + b->len, *eol;
	struct mline *v = NULL;
	size_t cap = 0;
	long long id;

	*n = 0;
	for (; p < end; p = eol + (eol < end)) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		id = line_id(p, (size_t)(eol - p));
		if (id < 0 && p != buf_str(b))
			log_warn("event=manifest_line_dropped reason=\"not a "
				 "letter line\"");
		if (id < 0 || id == skip)
			continue;	/* the header, or the line replaced */
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[*n].id = id;
		v[*n].text = p;
		v[(*n)++].len = (size_t)(eol - p) -
				(eol > p && eol[-1] == '\r');
	}
	return v;
}

static int mline_cmp(const void *a, const void *b)
{
	const struct mline *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* write_manifest - header, lines, and the new line, sorted, durably */
static int write_manifest(const char *dir, struct mline *v, size_t n)
{
	char tmp[PATH_LEN], qp[LOG_QUOTE_MAX];
	struct buf out;
	size_t i;
	int fd, rc = 0;

	qsort(v, n, sizeof(*v), mline_cmp);
	buf_init(&out, MANIFEST_MAX + 4096);
	rc |= buf_addstr(&out, MANIFEST_HEAD);
	for (i = 0; i < n; i++) {
		rc |= buf_add(&out, v[i].text, v[i].len);
		rc |= buf_addstr(&out, "\r\n");
	}
	if (rc < 0) {
		log_warn("event=manifest_write_failed dir=%s reason=\"too "
			 "large\"", log_quote(qp, sizeof(qp), dir));
	} else if ((fd = tmp_create(dir, MANIFEST_NAME, tmp,
				    sizeof(tmp))) < 0) {
		rc = -1;
	} else if (write_all(fd, buf_str(&out), out.len) < 0) {
		log_warn_errno("event=manifest_write_failed path=%s",
			       log_quote(qp, sizeof(qp), tmp));
		(void)close(fd);
		(void)unlink(tmp);
		rc = -1;
	} else {
		rc = tmp_commit(fd, tmp, dir, MANIFEST_NAME);
	}
	buf_free(&out);
	return rc;
}

/* manifest_add - list the letter in dir's manifest, replacing its line */
static int manifest_add(const char *dir, const struct letter_entry *e,
			const struct letter *l, int pages)
{
	struct buf old, line;
	struct mline *v;
	size_t n;
	int rc = -1;

	buf_init(&old, MANIFEST_MAX);
	buf_init(&line, 8192);
	entry_line(&line, e, l, pages);
	if (read_manifest(dir, &old) == 0) {
		v = split_lines(&old, e->id, &n);
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n].id = e->id;
		v[n].text = buf_str(&line);
		v[n].len = line.len;
		rc = write_manifest(dir, v, n + 1);
		free(v);
	}
	buf_free(&old);
	buf_free(&line);
	return rc;
}

/* pdf_write - render l into dir/<id>.pdf, whole or not at all */
static int pdf_write(const char *dir, const struct letter_entry *e,
		     const struct letter *l, int *pages, const char **why)
{
	char name[64], tmp[PATH_LEN], qt[LOG_QUOTE_MAX];
	int fd, rc;

	snprintf(name, sizeof(name), "%lld.pdf", e->id);
	if ((fd = tmp_create(dir, name, tmp, sizeof(tmp))) < 0)
		return LETTER_TEMPFAIL;
	errno = 0;
	rc = letter_render(l, fd, pages, why);
	if (rc != 0) {
		if (rc == LETTER_TEMPFAIL && errno != 0)
			log_warn_errno("event=letter_write_failed path=%s",
				       log_quote(qt, sizeof(qt), tmp));
		(void)close(fd);
		(void)unlink(tmp);
		return rc;
	}
	return tmp_commit(fd, tmp, dir, name) < 0 ? LETTER_TEMPFAIL : 0;
}

/* letter_print - the PDF, then the manifest, each durable */
int letter_print(const char *print_dir, const struct letter_entry *e,
		 const struct letter *l, const char **why)
{
	char dir[PATH_LEN], qp[LOG_QUOTE_MAX];
	int pages = 0, rc;

	if (day_dir(print_dir, l->date, dir, sizeof(dir)) < 0)
		return LETTER_TEMPFAIL;
	if ((rc = pdf_write(dir, e, l, &pages, why)) != 0)
		return rc;
	if (fsync_dir(dir) < 0 || manifest_add(dir, e, l, pages) < 0 ||
	    fsync_dir(dir) < 0)
		return LETTER_TEMPFAIL;
	log_info("event=letter_written id=%lld dir=%s pages=%d", e->id,
		 log_quote(qp, sizeof(qp), dir), pages);
	return 0;
}
