/*
 * util - allocation, bounded copies, range-checked numbers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "util.h"

static void out_of_memory(size_t n)
{
	log_err("out of memory allocating %zu bytes", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		out_of_memory(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int strlcpy_ok(char *dst, const char *s, size_t dstlen)
{
	size_t len = strlen(s);

	if (dstlen == 0)
		return -1;
	if (len >= dstlen) {
		memcpy(dst, s, dstlen - 1);
		dst[dstlen - 1] = '\0';
		return -1;
	}
	memcpy(dst, s, len + 1);
	return 0;
}

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int str_has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* mono_ms - see util.h */
long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* str_fold_lines - see util.h */
char *str_fold_lines(const char *s, const char *sep)
{
	size_t n = 1, seplen = strlen(sep);
	const char *p;
	char *out, *o;

	for (p = s; *p; p++)
		n += *p == '\n' ? seplen : 1;
	o = out = xmalloc(n);
	for (p = s; *p; p++)
		if (*p == '\n') {
			memcpy(o, sep, seplen);
			o += seplen;
		} else {
			*o++ = *p;
		}
	*o = '\0';
	return out;
}

/* fnv1a64 - FNV-1a 64 (Fowler, Noll, Vo): offset basis, then xor and
 * multiply by the FNV prime, byte by byte */
uint64_t fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int str_same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}
