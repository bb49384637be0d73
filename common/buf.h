/*
 * buf - a growing byte buffer with a hard maximum (curl's dynbuf idea).
 *
 * Every buffer that grows with input has a ceiling: buf_add() refuses to pass
 * it and returns -1, and the caller reports "too long" instead of eating all
 * memory.  The contents are always NUL-terminated, so buf_str() is a C string.
 * The caller owns the struct; buf_free() releases the storage.
 */
#ifndef AFFILD_BUF_H
#define AFFILD_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;		/* len never exceeds this */
};

void buf_init(struct buf *b, size_t max);
void buf_free(struct buf *b);
void buf_reset(struct buf *b);

/* buf_add - append n bytes; -1 (nothing appended) when max would be passed */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* buf_str - the contents as a C string, borrowed until the next change */
const char *buf_str(const struct buf *b);

#endif
