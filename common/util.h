/*
 * util - small safe helpers: allocation that cannot return NULL, bounded
 * string copies and number parsing with ranges (no atoi, no strcpy), and
 * the one non-cryptographic hash (FNV-1a: it needs no libcrypto, so it
 * lives here rather than in crypto.c, whose hashes are for security).
 *
 * Out of memory is fatal: xmalloc() logs and aborts, as Postfix's mymalloc().
 */
#ifndef AFFILD_UTIL_H
#define AFFILD_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);		/* owned: free() */
char *xstrndup(const char *s, size_t n);	/* owned: free() */

/* strlcpy_ok - copy s into dst; 0 when it fit, -1 when truncated */
int strlcpy_ok(char *dst, const char *s, size_t dstlen);

/* parse_long - whole string s as a base-10 integer in [min, max]; 0 or -1 */
int parse_long(const char *s, long min, long max, long *out);

/* str_same - both strings set and equal (NULL equals nothing) */
int str_same(const char *a, const char *b);

/* str_has_suffix - 1 when s ends with suffix */
int str_has_suffix(const char *s, const char *suffix);

/* str_fold_lines - s with each '\n' replaced by sep; owned: free() */
char *str_fold_lines(const char *s, const char *sep);

/* fnv1a64 - FNV-1a, 64 bits, of the C string s: a fast hash for tables
 * and stable names (a MIME boundary), never for security */
uint64_t fnv1a64(const char *s);

/* mono_ms - the monotonic clock in milliseconds: for delays, never dates */
long long mono_ms(void);

#endif
