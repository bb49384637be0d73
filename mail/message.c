/*
 * message - render one email as RFC 5322 / MIME bytes.  See message.h.
 *
 * Design: everything is checked first (msg_check), then written (msg_write),
 * so that a refusal names the field at fault and the writer only has to care
 * about the buffer maximum.  Three encoders do the work:
 *
 *  - encoded words (RFC 2047, "B" encoding) for a UTF-8 subject or display
 *    name: the text is cut at UTF-8 sequence boundaries into pieces whose
 *    encoded word fits the rest of the line, each further word on a folded
 *    line of its own ("CRLF SP"), so that no line passes 76 characters
 *    (RFC 2047 section 2);
 *  - plain folding at spaces for an ASCII subject (RFC 5322 section 2.2.3,
 *    lines of at most 78 characters when the words allow it);
 *  - quoted-printable for the bodies (RFC 2045 section 6.7): lines of at most
 *    76 characters with soft breaks, trailing blanks encoded, and a dot at
 *    the start of a line encoded as well so that no transport has to
 *    dot-stuff or can truncate the message at a lone ".".
 *
 * The multipart boundary "=_affild_<hash of Message-ID>" can never occur in
 * quoted-printable text: there "=" is always followed by two hex digits or
 * a line break, never by "_".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/crypto.h"
#include "common/log.h"
#include "common/utf8.h"
#include "common/util.h"
#include "mail/message.h"

#define HDR_LINE_MAX 76		/* a line with encoded words, RFC 2047 */
#define HDR_FOLD_AT 78		/* RFC 5322 "SHOULD" line length */
#define QP_LINE_MAX 76		/* RFC 2045 */
#define EW_PREFIX "=?UTF-8?B?"
#define EW_SUFFIX "?="
#define EW_OVERHEAD 12		/* EW_PREFIX and EW_SUFFIX */
#define ASCII_PHRASE_MAX 60	/* longer ASCII names are encoded */
#define ASCII_SUBJECT_MAX 900	/* keeps an unfoldable word under 998 */
#define MSGID_MAX 250
#define LOCAL_PART_MAX 64
#define LABEL_MAX 63

/* The pieces of a From value, pointing into it. */
struct from_parts {
	const char *name;	/* display name, unquoted; NULL if none */
	size_t name_len;
	char addr[MAIL_ADDR_MAX + 1];
};

/* is_atext - RFC 5322 atext: letters, digits and !#$%&'*+-/=?^_`{|}~ */
static int is_atext(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* dot_atom_ok - n bytes of atext words joined by single dots */
static int dot_atom_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return 0;
		if (s[i] != '.' && !is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* label_ok - one DNS label: letters, digits, inner hyphens */
static int label_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > LABEL_MAX || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(c < 0x80 && (c == '-' || (c >= '0' && c <= '9') ||
				   ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))))
			return 0;
	}
	return 1;
}

/* domain_ok - dot-separated labels; no address literal */
static int domain_ok(const char *s)
{
	const char *dot;

	for (;;) {
		dot = strchr(s, '.');
		if (!label_ok(s, dot ? (size_t)(dot - s) : strlen(s)))
			return 0;
		if (dot == NULL)
			return 1;
		s = dot + 1;
	}
}

/* mail_addr_ok - a plain addr-spec we are willing to send to */
int mail_addr_ok(const char *addr)
{
	const char *at;
	size_t len;

	if (addr == NULL)
		return 0;
	len = strlen(addr);
	at = strrchr(addr, '@');
	if (len == 0 || len > MAIL_ADDR_MAX || at == NULL)
		return 0;
	if ((size_t)(at - addr) > LOCAL_PART_MAX)
		return 0;
	return dot_atom_ok(addr, (size_t)(at - addr)) && domain_ok(at + 1);
}

/* utf8_ok - the C string s is valid UTF-8 */
static int utf8_ok(const char *s)
{
	return utf8_valid(s, strlen(s));
}

/* hdr_text_ok - valid UTF-8 without C0, DEL or C1 control characters */
static int hdr_text_ok(const char *s)
{
	if (!utf8_ok(s))
		return 0;
	for (; *s; s++)
		if (utf8_control_len(s) > 0)
			return 0;
	return 1;
}

/* ascii_plain - printable ASCII with no "=?" a decoder could misread */
static int ascii_plain(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] >= 0x7F)
			return 0;
		if (s[i] == '=' && i + 1 < n && s[i + 1] == '?')
			return 0;
	}
	return 1;
}

/* addr_copy - n bytes of s as a checked address into dst */
static int addr_copy(char *dst, const char *s, size_t n)
{
	if (n > MAIL_ADDR_MAX)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return mail_addr_ok(dst) ? 0 : -1;
}

/* from_split - "addr" or "Name <addr>" or "\"Name\" <addr>" into parts */
static int from_split(const char *from, struct from_parts *fp)
{
	const char *lt = strchr(from, '<');
	size_t len = strlen(from), alen;

	fp->name = NULL;
	fp->name_len = 0;
	if (lt == NULL)
		return addr_copy(fp->addr, from, len);
	if (len < 2 || from[len - 1] != '>')
		return -1;
	alen = len - 1 - (size_t)(lt - from) - 1;
	if (addr_copy(fp->addr, lt + 1, alen) < 0)
		return -1;
	fp->name = from;
	fp->name_len = (size_t)(lt - from);
	while (fp->name_len > 0 && from[fp->name_len - 1] == ' ')
		fp->name_len--;
	if (fp->name_len >= 2 && from[0] == '"' &&
	    from[fp->name_len - 1] == '"') {
		fp->name++;
		fp->name_len -= 2;
	}
	if (memchr(fp->name, '"', fp->name_len) ||
	    memchr(fp->name, '\\', fp->name_len))
		return -1;
	return 0;
}

/* mail_from_addr - the addr-spec of a From value, for the envelope */
int mail_from_addr(const char *from, char out[MAIL_ADDR_MAX + 1])
{
	struct from_parts fp;

	if (from == NULL || !hdr_text_ok(from) || from_split(from, &fp) < 0)
		return -1;
	memcpy(out, fp.addr, sizeof(fp.addr));
	return 0;
}

/* msgid_ok - "left@right", both dot-atom text (RFC 5322 msg-id) */
static int msgid_ok(const char *id)
{
	const char *at = strchr(id, '@');
	size_t len = strlen(id);

	if (at == NULL || len > MSGID_MAX)
		return 0;
	return dot_atom_ok(id, (size_t)(at - id)) &&
	       dot_atom_ok(at + 1, len - (size_t)(at - id) - 1);
}

/* date_ok - t has a local time with a four-digit year */
static int date_ok(time_t t)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL)
		return 0;
	return tm.tm_year >= 0 && tm.tm_year + 1900 <= 9999;
}

/* msg_check - NULL when m can be rendered, else the field at fault */
static const char *msg_check(const struct mail_msg *m, struct from_parts *fp)
{
	if (m->from == NULL || !hdr_text_ok(m->from) || from_split(m->from, fp))
		return "from";
	if (m->to == NULL || !mail_addr_ok(m->to))
		return "to";
	if (m->subject == NULL || !hdr_text_ok(m->subject))
		return "subject";
	if (m->message_id == NULL || !msgid_ok(m->message_id))
		return "message_id";
	if (!date_ok(m->date))
		return "date";
	if (m->body_text == NULL || !utf8_ok(m->body_text))
		return "body_text";
	if (m->body_html != NULL && !utf8_ok(m->body_html))
		return "body_html";
	return NULL;
}

/* add_b64_word - one encoded word "=?UTF-8?B?...?=" for n bytes of s */
static int add_b64_word(struct buf *out, const char *s, size_t n)
{
	char enc[CRYPTO_B64_LEN(HDR_LINE_MAX) + 1];
	int len;

	if (n > HDR_LINE_MAX)
		return -1;
	len = crypto_base64(s, n, enc);
	if (len < 0 || buf_addstr(out, EW_PREFIX) < 0 ||
	    buf_add(out, enc, (size_t)len) < 0)
		return -1;
	return buf_addstr(out, EW_SUFFIX);
}

/*
 * add_encoded_words - s[0..n) as encoded words from column *col.  Each word
 * after the first starts a folded line; a word never splits a UTF-8
 * sequence, so every word decodes to valid text on its own (RFC 2047 5.3).
 */
static int add_encoded_words(struct buf *out, size_t *col, const char *s,
			     size_t n)
{
	size_t off = 0, room, take;

	while (off < n) {
		/* Fold when less than two base64 quanta would fit. */
		if (off > 0 || *col + EW_OVERHEAD + 8 > HDR_LINE_MAX) {
			if (buf_add(out, "\r\n ", 3) < 0)
				return -1;
			*col = 1;
		}
		room = (HDR_LINE_MAX - *col - EW_OVERHEAD) / 4 * 3;
		take = utf8_cut(s + off, n - off, room);
		if (take == 0 || add_b64_word(out, s + off, take) < 0)
			return -1;
		*col += EW_OVERHEAD + (take + 2) / 3 * 4;
		off += take;
	}
	return 0;
}

/* add_folded - ASCII text from column col, folded before a space at 78 */
static int add_folded(struct buf *out, size_t col, const char *s)
{
	const char *p = s, *word, *end;
	size_t len;

	while (*p) {
		word = p + strspn(p, " ");
		end = word + strcspn(word, " ");
		len = (size_t)(end - p);
		/* Never fold into a line of blanks only (RFC 5322 3.2.2). */
		if (p != s && end > word && col + len > HDR_FOLD_AT) {
			if (buf_add(out, "\r\n", 2) < 0)
				return -1;
			col = 0;
		}
		if (buf_add(out, p, len) < 0)
			return -1;
		col += len;
		p = end;
	}
	return 0;
}

/* add_subject - the Subject header, encoded only when it must be */
static int add_subject(struct buf *out, const char *s)
{
	size_t n = strlen(s), col = strlen("Subject: ");

	if (buf_addstr(out, "Subject: ") < 0)
		return -1;
	if (!ascii_plain(s, n) || n > ASCII_SUBJECT_MAX) {
		if (add_encoded_words(out, &col, s, n) < 0)
			return -1;
	} else if (add_folded(out, col, s) < 0) {
		return -1;
	}
	return buf_add(out, "\r\n", 2);
}

/* phrase_atoms - an ASCII name that needs no quotes: atext and spaces */
static int phrase_atoms(const char *s, size_t n)
{
	size_t i;

	if (s[0] == ' ')
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && !is_atext((unsigned char)s[i]))
			return 0;
	return 1;
}

/* add_phrase - a display name: atoms, a quoted string or encoded words */
static int add_phrase(struct buf *out, size_t *col, const char *s, size_t n)
{
	if (!ascii_plain(s, n) || n > ASCII_PHRASE_MAX)
		return add_encoded_words(out, col, s, n);
	*col += n;
	if (phrase_atoms(s, n))
		return buf_add(out, s, n);
	/* from_split() refused '"' and '\\', so no quoted-pair is needed. */
	*col += 2;
	return buf_printf(out, "\"%.*s\"", (int)n, s);
}

/* add_from - the From header; the address folds to its own line if long */
static int add_from(struct buf *out, const struct from_parts *fp)
{
	size_t col = strlen("From: ");

	if (buf_addstr(out, "From: ") < 0)
		return -1;
	if (fp->name_len == 0)
		return buf_printf(out, "%s\r\n", fp->addr);
	if (add_phrase(out, &col, fp->name, fp->name_len) < 0)
		return -1;
	if (col + strlen(fp->addr) + 3 > HDR_FOLD_AT &&
	    buf_add(out, "\r\n", 2) < 0)
		return -1;
	return buf_printf(out, " <%s>\r\n", fp->addr);
}

static const char *const day_names[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};
static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* add_date - "Date: Tue, 05 Nov 2024 10:13:20 +0100", locale-free */
static int add_date(struct buf *out, time_t t)
{
	struct tm tm;
	long off, abs_off;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	off = tm.tm_gmtoff / 60;
	abs_off = off < 0 ? -off : off;
	return buf_printf(out,
			  "Date: %s, %02d %s %04d "
			  "%02d:%02d:%02d %c%02ld%02ld\r\n",
			  day_names[tm.tm_wday], tm.tm_mday,
			  month_names[tm.tm_mon], tm.tm_year + 1900,
			  tm.tm_hour, tm.tm_min, tm.tm_sec,
			  off < 0 ? '-' : '+', abs_off / 60, abs_off % 60);
}

/* qp_char - c as one or three quoted-printable characters in enc */
static size_t qp_char(char enc[4], unsigned char c, int last, int bol)
{
	int encode = c == '=' || c >= 0x7F || (c < 0x20 && c != '\t');

	/* Blanks before a line end would be stripped by transports. */
	if ((c == ' ' || c == '\t') && last)
		encode = 1;
	if (c == '.' && bol)
		encode = 1;
	if (!encode) {
		enc[0] = (char)c;
		return 1;
	}
	snprintf(enc, 4, "=%02X", c);
	return 3;
}

/* qp_line - one line without its end, soft-broken at 76 characters */
static int qp_line(struct buf *out, const char *s, size_t n)
{
	char enc[4];
	size_t i, w, col = 0;
	int last;

	for (i = 0; i < n; i++) {
		last = i + 1 == n;
		w = qp_char(enc, (unsigned char)s[i], last, col == 0);
		/* A soft break needs one column for its '='. */
		if (col + w > (last ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
			if (buf_add(out, "=\r\n", 3) < 0)
				return -1;
			col = 0;
			w = qp_char(enc, (unsigned char)s[i], last, 1);
		}
		if (buf_add(out, enc, w) < 0)
			return -1;
		col += w;
	}
	return 0;
}

/* add_qp - text in quoted-printable; LF and CRLF both become CRLF */
static int add_qp(struct buf *out, const char *s)
{
	const char *nl;
	size_t n;

	for (;;) {
		nl = strchr(s, '\n');
		n = nl ? (size_t)(nl - s) : strlen(s);
		if (nl && n > 0 && s[n - 1] == '\r')
			n--;
		if (qp_line(out, s, n) < 0)
			return -1;
		if (nl == NULL)
			return 0;
		if (buf_add(out, "\r\n", 2) < 0)
			return -1;
		s = nl + 1;
	}
}

/* add_part_headers - Content-Type and encoding of one text part */
static int add_part_headers(struct buf *out, const char *subtype)
{
	return buf_printf(out, "Content-Type: text/%s; charset=UTF-8\r\n"
			  "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
			  subtype);
}

/* add_single - a text/plain body, ending with CRLF */
static int add_single(struct buf *out, const char *text)
{
	if (add_part_headers(out, "plain") < 0 || add_qp(out, text) < 0)
		return -1;
	if (out->len >= 2 && memcmp(out->data + out->len - 2, "\r\n", 2) == 0)
		return 0;
	return buf_add(out, "\r\n", 2);
}

/* boundary_for - "=_affild_" + FNV-1a 64 of the Message-ID, in hex */
static void boundary_for(const char *message_id, char *b, size_t blen)
{
	snprintf(b, blen, "=_affild_%016llx",
		 (unsigned long long)fnv1a64(message_id));
}

/* add_multipart - multipart/alternative: text, then HTML */
static int add_multipart(struct buf *out, const struct mail_msg *m)
{
	char b[32];

	boundary_for(m->message_id, b, sizeof(b));
	if (buf_printf(out, "Content-Type: multipart/alternative; "
		       "boundary=\"%s\"\r\n\r\n--%s\r\n", b, b) < 0 ||
	    add_part_headers(out, "plain") < 0 ||
	    add_qp(out, m->body_text) < 0 ||
	    buf_printf(out, "\r\n--%s\r\n", b) < 0 ||
	    add_part_headers(out, "html") < 0 ||
	    add_qp(out, m->body_html) < 0)
		return -1;
	return buf_printf(out, "\r\n--%s--\r\n", b);
}

/* msg_write - headers then body of a checked message */
static int msg_write(const struct mail_msg *m, const struct from_parts *fp,
		     struct buf *out)
{
	if (add_date(out, m->date) < 0 || add_from(out, fp) < 0 ||
	    buf_printf(out, "To: %s\r\n", m->to) < 0 ||
	    add_subject(out, m->subject) < 0 ||
	    buf_printf(out, "Message-ID: <%s>\r\n", m->message_id) < 0 ||
	    buf_addstr(out, "MIME-Version: 1.0\r\n"
		       "Auto-Submitted: auto-generated\r\n") < 0)
		return -1;
	if (m->body_html != NULL)
		return add_multipart(out, m);
	return add_single(out, m->body_text);
}

/* mail_msg_render - check everything, then write; undo on failure */
int mail_msg_render(const struct mail_msg *m, struct buf *out)
{
	struct from_parts fp;
	const char *bad;
	size_t start = out->len;

	bad = msg_check(m, &fp);
	if (bad != NULL) {
		log_warn("mail: message refused field=%s "
			 "reason=\"invalid value\"", bad);
		return -1;
	}
	if (msg_write(m, &fp, out) < 0) {
		out->len = start;
		if (out->data != NULL)
			out->data[start] = '\0';
		log_warn("mail: message refused "
			 "reason=\"larger than %zu bytes\"", out->max);
		return -1;
	}
	return 0;
}
