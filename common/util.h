/*
 * util - small safe helpers: allocation that cannot return NULL, bounded
 * string copies and number parsing with ranges (no atoi, no strcpy).
 *
 * Out of memory is fatal: xmalloc() logs and aborts, as Postfix's mymalloc().
 */
#ifndef AFFILD_UTIL_H
#define AFFILD_UTIL_H

#include <stddef.h>

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

/* str_has_suffix - 1 when s ends with suffix */
int str_has_suffix(const char *s, const char *suffix);

/* str_fold_lines - s with each '\n' replaced by sep; owned: free() */
char *str_fold_lines(const char *s, const char *sep);

/* mono_ms - the monotonic clock in milliseconds: for delays, never dates */
long long mono_ms(void);

#endif
