/*
 * xml_prolog - the prolog walk (see xml_prolog.h).
 *
 * The walk is a small state machine over PROLOG_CHUNK windows: between
 * constructs, inside a PI (until "?>"), inside a comment (until "-->").  A
 * construct cut by the end of a window is looked at again at the start of
 * the next one.  It stops at the first thing that is none of these: the
 * root element (or garbage, which libxml2 then reports).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/util.h"
#include "parsers/xml_prolog.h"

#define PROLOG_CHUNK	(64u << 10)

enum prolog_state { P_TOP, P_PI, P_COMMENT, P_DONE };

struct prolog {
	enum prolog_state st;
	long line;
};

const char xml_prolog_doctype_msg[] = "déclaration DOCTYPE interdite (DTD, "
	"entités) : supprimez-la, le schéma est mouvements.xsd";

/* starts - [p, lim) starts with s; -1 when more bytes are needed */
static int starts(const char *p, const char *lim, const char *s, int eof)
{
	size_t n = strlen(s), have = (size_t)(lim - p);

	if (have < n)
		return eof || memcmp(p, s, have) != 0 ? 0 : -1;
	return memcmp(p, s, n) == 0;
}

/* prolog_scan - walk one window; returns where it stopped, NULL on DOCTYPE */
static const char *prolog_scan(struct prolog *pr, const char *p,
			       const char *lim, int eof)
{
	static const char *const ends[] = { [P_PI] = "?>",
					    [P_COMMENT] = "-->" };
	int m;

	while (p < lim && pr->st != P_DONE) {
		if (pr->st != P_TOP) {
			if ((m = starts(p, lim, ends[pr->st], eof)) < 0)
				break;
			if (m) {
				p += strlen(ends[pr->st]);
				pr->st = P_TOP;
			} else {
				pr->line += *p++ == '\n';
			}
		} else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			pr->line += *p++ == '\n';
		} else if ((m = starts(p, lim, "<!DOCTYPE", eof)) != 0) {
			if (m < 0)
				break;
			return NULL;
		} else if ((m = starts(p, lim, "<!--", eof)) != 0 ||
			   (m = starts(p, lim, "<?", eof)) != 0) {
			if (m < 0)
				break;
			pr->st = p[1] == '?' ? P_PI : P_COMMENT;
			p += pr->st == P_PI ? 2 : 4;
		} else {
			pr->st = P_DONE;
		}
	}
	return p;
}

/* refuse - fill *why */
static int refuse(struct file_diag *why, long line, const char *code,
		  const char *msg)
{
	memset(why, 0, sizeof(*why));
	why->line = line;
	why->d.field = F_NONE;
	(void)strlcpy_ok(why->d.code, code, sizeof(why->d.code));
	(void)strlcpy_ok(why->d.msg, msg, sizeof(why->d.msg));
	return -1;
}

/* encoding_check - refuse what is not XML in an ASCII-compatible encoding */
static int encoding_check(const unsigned char *h, ssize_t n,
			  struct file_diag *why)
{
	if (n == 0)
		return refuse(why, 0, "E002", "fichier vide");
	if (n >= 2 && h[0] == 0x1F && h[1] == 0x8B)
		return refuse(why, 0, "E001", "fichier compressé (gzip) : "
			      "déposez le XML non compressé");
	if (n >= 2 && ((h[0] == 0xFF && h[1] == 0xFE) ||
		       (h[0] == 0xFE && h[1] == 0xFF) || h[0] == 0 || h[1] == 0))
		return refuse(why, 0, "E009", "XML en UTF-16 ou UTF-32 : "
			      "enregistrez le fichier en UTF-8");
	return 0;
}

/* xml_prolog_check - refuse gzip, UTF-16 and DOCTYPE before libxml2 reads */
int xml_prolog_check(int fd, struct file_diag *why)
{
	char *win = xmalloc(PROLOG_CHUNK);
	struct prolog pr = { P_TOP, 1 };
	const char *p;
	off_t off = 0;
	ssize_t n;
	int rc = 0;

	while (pr.st != P_DONE) {
		n = pread(fd, win, PROLOG_CHUNK, off);
		if (n < 0)
			break;		/* libxml2 will say it cannot read */
		if (off == 0 && (rc = encoding_check((unsigned char *)win, n,
						     why)) < 0)
			break;
		p = win;
		if (off == 0 && n >= 3 && memcmp(win, "\xEF\xBB\xBF", 3) == 0)
			p += 3;
		p = prolog_scan(&pr, p, win + n, n < (ssize_t)PROLOG_CHUNK);
		if (p == NULL) {
			rc = refuse(why, pr.line, "E014",
				    xml_prolog_doctype_msg);
			break;
		}
		if (n < (ssize_t)PROLOG_CHUNK)
			break;
		off += p - win;
	}
	free(win);
	return rc;
}
