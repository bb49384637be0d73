/*
 * utf8 - one definition of UTF-8 for the whole daemon (utf8.h).
 *
 * A character is decided by GLib's g_utf8_get_char_validated(), which
 * refuses overlong forms, surrogates and code points past U+10FFFF; ASCII
 * (NUL included, which GLib would call incomplete) is settled before it.
 * The stream check is table-free: after each lead byte, the range its
 * first continuation byte must fall in (Unicode 15, table 3-7), then
 * 0x80-0xBF for the others.
 */
#include <string.h>

#include <glib.h>

#include "common/utf8.h"

/* char_at - >0 bytes of a valid character, 0 a bad one, -1 cut short */
static int char_at(const char *s, size_t n)
{
	gunichar c;

	if ((unsigned char)s[0] < 0x80)
		return 1;
	c = g_utf8_get_char_validated(s, n > 4 ? 4 : (gssize)n);
	if (c == (gunichar)-2)
		return -1;
	if (c == (gunichar)-1)
		return 0;
	return g_utf8_skip[(unsigned char)s[0]];
}

/* utf8_char_len - bytes of the valid character at s[0..n), or 0 */
size_t utf8_char_len(const char *s, size_t n)
{
	int k = char_at(s, n);

	return k > 0 ? (size_t)k : 0;
}

/* utf8_valid - s[0..n) is valid UTF-8 */
int utf8_valid(const char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		if ((k = utf8_char_len(s + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* utf8_next - a valid character's length, else 1; never past the NUL */
size_t utf8_next(const char *s)
{
	size_t k;

	if (*s == '\0')
		return 0;
	k = utf8_char_len(s, strnlen(s, 4));
	return k ? k : 1;
}

/* utf8_cut - the longest prefix of at most max bytes of whole characters */
size_t utf8_cut(const char *s, size_t len, size_t max)
{
	size_t i = 0;
	int k;

	if (max > len)
		max = len;
	while (i < max) {
		k = char_at(s + i, len - i);
		if (k < 0)
			break;		/* the end of s cut it short */
		if (k == 0)
			k = 1;		/* a bad byte stands alone */
		if (i + (size_t)k > max)
			break;
		i += (size_t)k;
	}
	return i;
}

/* utf8_trim - drop a last character that a truncation cut in two */
void utf8_trim(char *s)
{
	size_t n = strlen(s);

	s[utf8_cut(s, n, n)] = '\0';
}

/* utf8_control_len - a C0, DEL or C1 control at s: its bytes, or 0 */
size_t utf8_control_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] < 0x20 || u[0] == 0x7F)
		return u[0] == '\0' ? 0 : 1;
	if (u[0] == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F)
		return 2;
	return 0;
}

/* utf8_is_continuation - 10xxxxxx */
int utf8_is_continuation(int c)
{
	return (c & 0xC0) == 0x80;
}

/* utf8_chars - characters in s, a bad byte counting one */
size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s += utf8_next(s))
		n++;
	return n;
}

void utf8_stream_init(struct utf8_stream *u)
{
	memset(u, 0, sizeof(*u));
}

/* lead - the continuations a lead byte needs and the range of the first */
static int lead(struct utf8_stream *u, unsigned char c)
{
	u->lo = 0x80;
	u->hi = 0xBF;
	if (c < 0x80)
		return 0;
	if (c >= 0xC2 && c <= 0xDF)
		u->need = 1;
	else if (c >= 0xE0 && c <= 0xEF)
		u->need = 2;
	else if (c >= 0xF0 && c <= 0xF4)
		u->need = 3;
	else
		return -1;
	if (c == 0xE0)
		u->lo = 0xA0;		/* overlong below U+0800 */
	else if (c == 0xED)
		u->hi = 0x9F;		/* surrogates */
	else if (c == 0xF0)
		u->lo = 0x90;		/* overlong below U+10000 */
	else if (c == 0xF4)
		u->hi = 0x8F;		/* past U+10FFFF */
	return 0;
}

/* utf8_stream_feed - check n more bytes; -1 once bad */
int utf8_stream_feed(struct utf8_stream *u, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n && !u->bad; i++) {
		if (u->need == 0) {
			u->bad = lead(u, b[i]) < 0;
			continue;
		}
		if (b[i] < u->lo || b[i] > u->hi) {
			u->bad = 1;
			break;
		}
		u->need--;
		u->lo = 0x80;
		u->hi = 0xBF;
	}
	return u->bad ? -1 : 0;
}

/* utf8_stream_end - valid, and no character left unfinished */
int utf8_stream_end(const struct utf8_stream *u)
{
	return !u->bad && u->need == 0;
}

/* fold - NFC, then case-folded (owned, g_free); NULL when not UTF-8 */
static char *fold(const char *s)
{
	char *nfc, *out;

	if (!g_utf8_validate(s, -1, NULL))
		return NULL;
	nfc = g_utf8_normalize(s, -1, G_NORMALIZE_NFC);
	if (nfc == NULL)
		return NULL;
	out = g_utf8_casefold(nfc, -1);
	g_free(nfc);
	return out;
}

/* utf8_same_folded - see utf8.h */
int utf8_same_folded(const char *a, const char *b)
{
	char *fa = fold(a), *fb = fold(b);
	int same = fa != NULL && fb != NULL && strcmp(fa, fb) == 0;

	g_free(fa);
	g_free(fb);
	return same;
}
