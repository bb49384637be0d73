/*
 * movement - the in-memory movement shared by the readers and the store.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "parsers/movement.h"

/* A row is at most 1 MiB; the arena also holds normalised copies. */
#define MV_ARENA_MAX (4u << 20)

void file_diag_set(struct file_diag *d, long line, const char *code,
		   enum field f, const char *fmt, va_list ap)
{
	d->line = line;
	(void)strlcpy_ok(d->d.code, code, sizeof(d->d.code));
	d->d.field = f;
	vsnprintf(d->d.msg, sizeof(d->d.msg), fmt, ap);
}

/* mv_init - an empty movement; release with mv_free() */
void mv_init(struct movement *mv)
{
	buf_init(&mv->arena, MV_ARENA_MAX);
	mv_reset(mv);
}

/* mv_reset - forget the previous movement, keep the arena's storage */
void mv_reset(struct movement *mv)
{
	int i;

	mv->op = OP_NONE;
	mv->line = 0;
	for (i = 0; i < F_COUNT; i++)
		mv->off[i] = -1;
	buf_reset(&mv->arena);
	mv->ndiags = mv->nerrors = mv->ndropped = 0;
}

/* mv_copy - dst becomes a copy of src (dst initialised); -1 when full */
int mv_copy(struct movement *dst, const struct movement *src)
{
	struct buf arena = dst->arena;

	buf_reset(&arena);
	if (src->arena.len > 0 &&
	    buf_add(&arena, src->arena.data, src->arena.len) < 0)
		return -1;
	*dst = *src;
	dst->arena = arena;
	return 0;
}

void mv_free(struct movement *mv)
{
	buf_free(&mv->arena);
}

const char *mv_get(const struct movement *mv, enum field f)
{
	if (f < 0 || f >= F_COUNT || mv->off[f] < 0)
		return NULL;
	return mv->arena.data + mv->off[f];
}

int mv_has(const struct movement *mv, enum field f)
{
	const char *v = mv_get(mv, f);

	return v != NULL && *v != '\0';
}

int mv_setn(struct movement *mv, enum field f, const char *value, size_t n)
{
	size_t at = mv->arena.len;

	if (f < 0 || f >= F_COUNT)
		return -1;
	/* Values are NUL-separated in the arena; an old value is left behind. */
	if (buf_add(&mv->arena, value, n) < 0 ||
	    buf_add(&mv->arena, "", 1) < 0) {
		mv->arena.len = at;
		return -1;
	}
	mv->off[f] = (int)at;
	return 0;
}

int mv_set(struct movement *mv, enum field f, const char *value)
{
	return mv_setn(mv, f, value, strlen(value));
}

/* mv_diag - record a finding; past MV_MAX_DIAGS only the count grows */
void mv_diag(struct movement *mv, const char *code, enum field f,
	     const char *fmt, ...)
{
	struct diag *d;
	va_list ap;

	if (code[0] == DIAG_ERR)
		mv->nerrors++;
	if (mv->ndiags == MV_MAX_DIAGS) {
		mv->ndropped++;
		return;
	}
	d = &mv->diags[mv->ndiags++];
	(void)strlcpy_ok(d->code, code, sizeof(d->code));
	d->field = f;
	va_start(ap, fmt);
	vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
	va_end(ap);
}

int mv_has_error(const struct movement *mv)
{
	return mv->nerrors > 0;
}

