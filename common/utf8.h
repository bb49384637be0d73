/*
 * utf8 - UTF-8 as affild reads and writes it, in one place.
 *
 * Valid means RFC 3629: no overlong forms, no UTF-16 surrogates
 * (U+D800-U+DFFF), nothing past U+10FFFF.  A NUL byte is a character like
 * any other here (U+0000): callers that care say so themselves.  GLib's
 * g_utf8_* decide a character; GLib has no validator that can be fed a
 * file chunk by chunk, so struct utf8_stream is a small one of our own,
 * checked against the same cases (tests/unit/test_utf8.c).
 *
 * Nothing here allocates (utf8_same_folded frees what GLib allocates for
 * it); lengths are in bytes.
 */
#ifndef AFFILD_UTF8_H
#define AFFILD_UTF8_H

#include <stddef.h>

/* utf8_char_len - bytes of the valid character at s[0..n), 0 when the
 * bytes there are not one (bad, or cut short by n); n > 0 */
size_t utf8_char_len(const char *s, size_t n);

/* utf8_valid - 1 when s[0..n) is valid UTF-8 */
int utf8_valid(const char *s, size_t n);

/* utf8_next - bytes to the next character of the C string s: a valid
 * character's length, else 1 (a bad byte counts alone); never past the NUL */
size_t utf8_next(const char *s);

/* utf8_cut - the longest prefix of s[0..len) of at most max bytes that does
 * not end inside a character: a character cut short by max or by len is
 * left out, a bad byte is kept as one */
size_t utf8_cut(const char *s, size_t len, size_t max);

/* utf8_trim - utf8_cut() in place on a C string that a truncation may have
 * cut in the middle of its last character */
void utf8_trim(char *s);

/* utf8_control_len - the C0, DEL or C1 (U+0080-U+009F) control character
 * at the C string s: its bytes, 0 when it is none.  C1 controls betray
 * Windows-1252 text decoded as Latin-1. */
size_t utf8_control_len(const char *s);

/* utf8_is_continuation - c is a continuation byte (10xxxxxx) */
int utf8_is_continuation(int c);

/* utf8_chars - the characters of the C string s, a bad byte counting one
 * (a column on screen, a column in an error message) */
size_t utf8_chars(const char *s);

/* utf8_same_folded - 1 when the valid UTF-8 strings a and b are the same
 * text once both are in NFC and case-folded ("LEFÈVRE" and "Lefèvre"; not
 * "Lefevre": an accent is a difference); 0 otherwise, and when either is
 * not valid UTF-8.  Allocates nothing the caller frees. */
int utf8_same_folded(const char *a, const char *b);

/*
 * The incremental check: utf8_stream_init(), then utf8_stream_feed() with
 * the bytes as they come, in chunks cut anywhere; utf8_stream_end() says
 * whether the whole was valid (a character left unfinished is not).  Once
 * a bad byte is seen the stream stays bad.
 */
struct utf8_stream {
	int bad;
	unsigned need;		/* continuation bytes still expected */
	unsigned char lo, hi;	/* the range of the next one */
};

void utf8_stream_init(struct utf8_stream *u);
/* utf8_stream_feed - 0 while valid so far, -1 once bad */
int utf8_stream_feed(struct utf8_stream *u, const void *p, size_t n);
/* utf8_stream_end - 1 when every byte fed made valid UTF-8 */
int utf8_stream_end(const struct utf8_stream *u);

#endif
