/*
 * change - the builders of a struct change (change.h).  A change that
 * overflows one of its arrays or its arena is marked full: the store
 * refuses to write it (a bug, logged), never writes half of it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "process/change.h"

void change_init(struct change *c)
{
	memset(c, 0, offsetof(struct change, arena));
	c->invite = NOTICE_COUNT;
}

int change_empty(const struct change *c)
{
	return c->record == CR_UPDATE && c->to == STATUS_NONE && !c->person &&
	       !c->new_period && !c->rum_generate && c->nir == NULL &&
	       c->nset == 0 && c->nhist == 0 && !c->radiated &&
	       c->ben.op == BEN_NONE && c->drop == 0 && c->drop_age == NULL &&
	       !c->covered && c->ndue == 0 && c->invite == NOTICE_COUNT &&
	       c->nnotice == 0;
}

const char *change_str(struct change *c, const char *s)
{
	size_t n;
	char *p;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	if (n > sizeof(c->arena) - c->used) {
		c->full = 1;
		return "";
	}
	p = c->arena + c->used;
	memcpy(p, s, n);
	c->used += n;
	return p;
}

const char *change_strf(struct change *c, const char *fmt, ...)
{
	size_t room = sizeof(c->arena) - c->used;
	char *p = c->arena + c->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(p, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room) {
		c->full = 1;
		if (room > 0)
			*p = '\0';
		return "";
	}
	c->used += (size_t)n + 1;
	return p;
}

const char *change_date(struct change *c, struct date d)
{
	char day[DATE_ISO_SIZE];

	return change_str(c, date_format(d, day));
}

void change_set(struct change *c, const char *col, const char *value)
{
	if (c->nset == CHANGE_SETS) {
		c->full = 1;
		return;
	}
	c->set[c->nset].col = col;
	c->set[c->nset].value = change_str(c, value);
	c->nset++;
}

void change_hist(struct change *c, enum status from, enum status to,
		 const char *what)
{
	if (c->nhist == CHANGE_HIST) {
		c->full = 1;
		return;
	}
	c->hist[c->nhist].from = from;
	c->hist[c->nhist].to = to;
	c->hist[c->nhist].what = change_str(c, what);
	c->nhist++;
}

void change_due(struct change *c, enum deadline_kind kind, struct date due,
		const char *data)
{
	if (c->ndue == CHANGE_DUES) {
		c->full = 1;
		return;
	}
	c->due[c->ndue].kind = kind;
	c->due[c->ndue].due = due;
	c->due[c->ndue].data = change_str(c, data);
	c->ndue++;
}

struct change_notice *change_notice(struct change *c, enum notice kind,
				    enum recipient rcpt)
{
	struct change_notice *n;

	if (c->nnotice == CHANGE_NOTICES) {
		c->full = 1;
		n = &c->spare;		/* written to, never read */
		memset(n, 0, sizeof(*n));
		return n;
	}
	n = &c->notice[c->nnotice++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->to = rcpt;
	return n;
}

void change_var(struct change *c, struct change_notice *n, const char *name,
		const char *value)
{
	size_t i = 0;

	if (value == NULL)	/* as a NULL ends a template's list */
		return;
	while (i < 2 * CHANGE_VARS && n->vars[i] != NULL)
		i += 2;
	if (i >= 2 * CHANGE_VARS) {
		c->full = 1;
		return;
	}
	n->vars[i] = name;
	n->vars[i + 1] = change_str(c, value);
}
