/*
 * validate - field rules (rules.md, "Field validation"): the result type and
 * the helpers every rule shares; the rules themselves are in validate_*.c
 * (validate_priv.h lists them).
 *
 * Each validator checks the most basic property first (empty, length,
 * characters), then the structure, then the checksums, so the message names
 * the first thing the employer must fix.  Messages follow French typography
 * (a space before ':' and ';', « » around quoted values) and say what was
 * expected.  Values are quoted back only when they cannot be a NIR or an IBAN.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/utf8.h"
#include "parsers/validate_priv.h"

/* vresult_set - format the message; never cuts a UTF-8 character in two */
enum vstatus vresult_set(struct vresult *r, enum vstatus status,
			 const char *code, const char *fmt, ...)
{
	char tmp[1024];
	size_t len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	len = n < 0 ? 0 : strlen(tmp);
	len = utf8_cut(tmp, len, sizeof(r->msg) - 1);
	memcpy(r->msg, tmp, len);
	r->msg[len] = '\0';
	r->status = status;
	r->code = code;
	return status;
}

/* vresult_ok - the value is good */
enum vstatus vresult_ok(struct vresult *r)
{
	r->status = V_OK;
	r->code = "";
	r->msg[0] = '\0';
	return V_OK;
}

/* validate_echo - a bad value made safe to quote: short, one line */
const char *validate_echo(const char *in, char out[ECHO_SIZE])
{
	size_t len = strlen(in);
	size_t keep = utf8_cut(in, len, VALIDATE_ECHO_MAX);

	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)in[i];

		out[i] = (c < 0x20 || c == 0x7F) ? ' ' : (char)c;
	}
	out[keep] = '\0';
	if (keep < len)
		memcpy(out + keep, "…", sizeof("…"));
	return out;
}

/* validate_blank_len - the blank at s (space, TAB, NBSP, narrow NBSP): bytes */
size_t validate_blank_len(const char *s)
{
	if (*s == ' ' || *s == '\t')
		return 1;
	/* Spreadsheets group digits with U+00A0 or U+202F in French. */
	if (strncmp(s, "\xC2\xA0", 2) == 0)
		return 2;
	if (strncmp(s, "\xE2\x80\xAF", 3) == 0)
		return 3;
	return 0;
}

/* validate_separator_len - a blank, '.' or '-' at s: its bytes, or 0 */
size_t validate_separator_len(const char *s)
{
	if (*s == '.' || *s == '-')
		return 1;
	return validate_blank_len(s);
}

/* strip - copy in without what skip() finds, in upper case; its length */
static size_t strip(const char *in, char *out, size_t outlen,
		    size_t (*skip)(const char *))
{
	size_t n = 0, len;

	while (*in != '\0') {
		if ((len = skip(in)) > 0) {
			in += len;
			continue;
		}
		if (n + 1 < outlen)
			out[n] = (char)to_upper((unsigned char)*in);
		n++;
		in++;
	}
	out[n + 1 < outlen ? n : outlen - 1] = '\0';
	return n;
}

/*
 * validate_strip_upper - copy in without blanks and in upper case; returns
 * the length it has (even past outlen, where the copy stops).
 */
size_t validate_strip_upper(const char *in, char *out, size_t outlen)
{
	return strip(in, out, outlen, validate_blank_len);
}

/* validate_strip_separators - validate_strip_upper() without '.' and '-' */
size_t validate_strip_separators(const char *in, char *out, size_t outlen)
{
	return strip(in, out, outlen, validate_separator_len);
}

/* validate_casecmp - strcasecmp without the locale */
int validate_casecmp(const char *a, const char *b)
{
	while (*a != '\0' && to_upper((unsigned char)*a) ==
	       to_upper((unsigned char)*b)) {
		a++;
		b++;
	}
	return to_upper((unsigned char)*a) - to_upper((unsigned char)*b);
}

/* validate_lookup - the entry whose spelling matches in, any case; or NULL */
const struct name_map *validate_lookup(const struct name_map *map, size_t n,
				       const char *in)
{
	for (size_t i = 0; i < n; i++)
		if (validate_casecmp(map[i].in, in) == 0)
			return &map[i];
	return NULL;
}

/* validate_digits - value of n ASCII digits, or -1 */
long validate_digits(const char *s, size_t n)
{
	long v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* validate_bad_char - "« x »" for printable ASCII, a description otherwise */
const char *validate_bad_char(int c, char out[BAD_CHAR_SIZE])
{
	if (c > 0x20 && c < 0x7F)
		(void)snprintf(out, BAD_CHAR_SIZE, "« %c »", c);
	else
		(void)snprintf(out, BAD_CHAR_SIZE, "accentué ou spécial");
	return out;
}
