/*
 * transition_doc - docs/process.md's transition tables, written from the
 * cells (transition.h), so that the doc cannot say one thing and the code
 * another: tests/unit/test_process.c compares the two, and `make
 * transitions-doc` rewrites the doc's block.
 *
 * Two tables: where an applied movement leads (from, movement, to,
 * queued), and what is refused or already in effect, in the order it is
 * tested (from, movement, when, result).  Rows the same but for the status
 * they start from are one row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "process/transition_priv.h"

#define DOC_ROWS 96
#define DOC_CELL 256

struct row {
	unsigned from;			/* bit per status */
	char c[3][DOC_CELL];
};

struct rows {
	struct row r[DOC_ROWS];
	size_t n;
	int full;
};

/* add - a row from status s; joins a row with the same columns */
static void add(struct rows *rs, enum status s, const char *c0,
		const char *c1, const char *c2)
{
	const char *c[3] = { c0, c1, c2 };
	struct row *r;
	size_t i;
	int k;

	for (i = 0; i < rs->n; i++) {
		r = &rs->r[i];
		if (strcmp(r->c[0], c0) == 0 && strcmp(r->c[1], c1) == 0 &&
		    strcmp(r->c[2], c2) == 0) {
			r->from |= 1u << s;
			return;
		}
	}
	if (rs->n == DOC_ROWS) {
		rs->full = 1;
		return;
	}
	r = &rs->r[rs->n++];
	r->from = 1u << s;
	for (k = 0; k < 3; k++)
		if (strlcpy_ok(r->c[k], c[k], DOC_CELL) < 0)
			rs->full = 1;
}

/* from_text - the statuses of a row: "none", "any record", or a list */
static void from_text(unsigned from, char *out, size_t outlen)
{
	unsigned records = ((1u << STATUS_COUNT) - 1) & ~1u;
	size_t n = 0;
	int s;

	if (from == records) {
		snprintf(out, outlen, "any record");
		return;
	}
	out[0] = '\0';
	for (s = STATUS_NONE; s < STATUS_COUNT; s++)
		if (from & (1u << s))
			n += (size_t)snprintf(out + n, n < outlen ? outlen - n :
					      0, "%s%s", n ? ", " : "",
					      s == STATUS_NONE ? "none" :
					      status_name((enum status)s));
}

static int print(struct buf *out, const char *head, struct rows *rs)
{
	char from[128];
	size_t i;
	int rc = buf_printf(out, "| from | movement | %s |\n|---|---|---|---|"
			    "\n", head);

	for (i = 0; i < rs->n && rc == 0; i++) {
		from_text(rs->r[i].from, from, sizeof(from));
		rc = buf_printf(out, "| %s | %s | %s | %s |\n", from,
				rs->r[i].c[0], rs->r[i].c[1], rs->r[i].c[2]);
	}
	return rc < 0 || rs->full ? -1 : 0;
}

static const char *to_text(int to)
{
	if (to == TO_SAME)
		return "unchanged";
	if (to == TO_PREVIOUS)
		return "the status before";
	return status_name((enum status)to);
}

/* queued - the notices of an outcome, `kind`, `kind` (note) */
static void queued(const struct outcome *o, char *out, size_t outlen)
{
	size_t n = 0;
	int k;

	out[0] = '\0';
	for (k = 0; k < NOTICE_COUNT; k++)
		if (o->notices & NOTICE_BIT(k))
			n += (size_t)snprintf(out + n, n < outlen ? outlen - n :
					      0, "%s`%s`", n ? ", " : "",
					      notice_name((enum notice)k));
	if (n == 0)
		snprintf(out, outlen, "%s", o->note ? o->note : "none");
	else if (o->note && n < outlen)
		snprintf(out + n, outlen - n, " (%s)", o->note);
}

/* applied - the first table's rows of one operation */
static void applied(struct rows *rs, enum op op)
{
	char mvt[DOC_CELL], q[DOC_CELL];
	const struct transition *t;
	int s, i;

	for (s = STATUS_NONE; s < STATUS_COUNT; s++) {
		t = transition_of((enum status)s, op);
		if (t == NULL || t->verdict != TR_APPLY)
			continue;
		for (i = 0; i < TR_MAX_OUTCOMES && t->out[i].to; i++) {
			snprintf(mvt, sizeof(mvt), "%s%s%s", op_name(op),
				 t->out[i].when ? ", " : "",
				 t->out[i].when ? t->out[i].when : "");
			queued(&t->out[i], q, sizeof(q));
			add(rs, (enum status)s, mvt, to_text(t->out[i].to), q);
		}
	}
}

/* The operation's own checks, before the status (transition_decide.c). */
static const struct {
	enum op op;
	const char *when, *result;
} before[] = {
	{ OP_DISPENSE, "a reason not in the table or the contract, or "
	  "without the evidence or end date it requires", "`E260`-`E263`" },
	{ OP_FIN_PORTABILITE, "a `motif_fin` not in the list", "`E294`" },
	{ OP_ANNULATION, "`operation_annulee` other than RADIATION",
	  "`E290`" },
};

static const char *const guard_when[GUARD_COUNT] = {
	[GUARD_COLLECTIVE] = "a reason other than `CSS` or "
			     "`AUTRE_COUVERTURE_COLLECTIVE`",
	[GUARD_SAME_REASON] = "a reason other than the one on record",
};

#define E201 "`E201` transition refused"
#define E202 "`E202` unknown employee"

/* refusals - the second table's rows of one operation, in test order */
static void refusals(struct rows *rs, enum op op)
{
	const char *name = op_name(op);
	const struct transition *t;
	const struct again_words *w;
	char code[32];
	size_t k;
	int s;

	for (s = STATUS_NONE; s < STATUS_COUNT; s++) {
		if ((t = transition_of((enum status)s, op)) == NULL)
			continue;
		if (t->verdict == TR_UNKNOWN) {
			add(rs, (enum status)s, name, "", E202);
			continue;
		}
		for (k = 0; k < NELEM(before); k++)
			if (before[k].op == op)
				add(rs, (enum status)s, name, before[k].when,
				    before[k].result);
		if (t->guard != GUARD_NONE)
			add(rs, (enum status)s, name, guard_when[t->guard],
			    E201);
		w = &again_words[t->again];
		if (t->again != AGAIN_NONE)
			add(rs, (enum status)s, name, w->when,
			    "`I200` already in effect, nothing changes");
		snprintf(code, sizeof(code), "`%s`", w->code ? w->code : "");
		if (t->again == AGAIN_REHIRE)
			add(rs, (enum status)s, name, w->otherwise, code);
		else if (t->verdict == TR_CONFLICT)
			add(rs, (enum status)s, name, w->otherwise, code);
		else if (t->verdict == TR_REFUSED)
			add(rs, (enum status)s, name, t->again != AGAIN_NONE ?
			    w->otherwise : "", E201);
	}
}

int transition_doc(struct buf *out)
{
	struct rows *rs = calloc(2, sizeof(*rs));	/* applied, refused */
	size_t i;
	int rc = -1;

	if (rs == NULL)
		return -1;
	for (i = 0; transition_ops[i] != OP_NONE; i++) {
		applied(&rs[0], transition_ops[i]);
		refusals(&rs[1], transition_ops[i]);
	}
	if (print(out, "to | queued", &rs[0]) == 0 &&
	    buf_addstr(out, "\n") == 0 &&
	    print(out, "when | result", &rs[1]) == 0)
		rc = 0;
	free(rs);
	return rc;
}
