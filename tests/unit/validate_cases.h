/*
 * validate_cases - what the field-rule tests share (test_validate.c,
 * test_validate_text.c): a case table's row, the checks every result goes
 * through, the runners.  Static, one copy per test program.
 */
#ifndef AFFILD_TEST_VALIDATE_CASES_H
#define AFFILD_TEST_VALIDATE_CASES_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/date.h"
#include "parsers/validate.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct scase {
	const char *in;
	enum vstatus status;
	const char *code;	/* "" when V_OK */
	const char *out;	/* normalized value; NULL: not checked */
	const char *msg;	/* exact message; NULL: code only */
};

typedef enum vstatus (*norm_fn)(const char *, char *, size_t,
				struct vresult *);
typedef enum vstatus (*plain_fn)(const char *, struct vresult *);

static const char *const TODAY = "2026-11-02";

static __attribute__((unused)) struct date day_of(const char *iso)
{
	struct date d = { 0, 0, 0 };

	if (date_parse_iso(iso, &d) != 0)
		fail_msg("bad date in test table: %s", iso);
	return d;
}

/* typography_ok - French: a space before ':' ';' '?' '!' */
static __attribute__((unused)) int typography_ok(const char *msg)
{
	for (const char *p = msg; *p != '\0'; p++)
		if (strchr(":;?!", *p) != NULL && (p == msg || p[-1] != ' '))
			return 0;
	return 1;
}

/* check_common - what every result must satisfy */
static __attribute__((unused)) void check_common(const char *ctx, enum vstatus ret,
			 const struct vresult *r)
{
	if (ret != r->status)
		fail_msg("%s: returned %d, r->status %d", ctx, ret, r->status);
	if (r->code == NULL)
		fail_msg("%s: NULL code", ctx);
	if (r->status == V_OK && (r->code[0] != '\0' || r->msg[0] != '\0'))
		fail_msg("%s: V_OK with code %s msg %s", ctx, r->code, r->msg);
	if (r->status != V_OK && (r->code[0] == '\0' || r->msg[0] == '\0'))
		fail_msg("%s: status %d without code or message", ctx,
		    r->status);
	if (r->status == V_WARN && r->code[0] != 'W')
		fail_msg("%s: warning with code %s", ctx, r->code);
	if (r->status == V_ERR && r->code[0] != 'E')
		fail_msg("%s: error with code %s", ctx, r->code);
	if (!typography_ok(r->msg))
		fail_msg("%s: typography: %s", ctx, r->msg);
}

/* check_case - status, code and message against the table row */
static __attribute__((unused)) void check_case(const char *fn, const struct scase *c,
		       enum vstatus ret, const struct vresult *r)
{
	char ctx[160];

	(void)snprintf(ctx, sizeof(ctx), "%s(\"%s\")", fn, c->in);
	check_common(ctx, ret, r);
	if (r->status != c->status || strcmp(r->code, c->code) != 0)
		fail_msg("%s: got %d %s « %s », want %d %s", ctx, r->status,
		    r->code, r->msg, c->status, c->code);
	if (c->msg != NULL && strcmp(r->msg, c->msg) != 0)
		fail_msg("%s: message\n  got:  %s\n  want: %s", ctx, r->msg,
		    c->msg);
}

/* run_norm - validators with an output buffer of exactly outlen bytes */
static __attribute__((unused)) void run_norm(const char *fn, norm_fn v, size_t outlen,
		     const struct scase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *out = malloc(outlen);
		struct vresult r;
		enum vstatus ret;

		assert_non_null(out);
		ret = v(c[i].in, out, outlen, &r);
		check_case(fn, &c[i], ret, &r);
		if (c[i].out != NULL && strcmp(out, c[i].out) != 0)
			fail_msg("%s(\"%s\"): out \"%s\", want \"%s\"", fn,
			    c[i].in, out, c[i].out);
		free(out);
	}
}

static __attribute__((unused)) void run_plain(const char *fn, plain_fn v, const struct scase *c,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vresult r;
		enum vstatus ret = v(c[i].in, &r);

		check_case(fn, &c[i], ret, &r);
	}
}

/*
 * normalize - what a validator keeps of a number: no blanks, dots or
 * hyphens, upper case (the bytes of a no-break space dropped as well)
 */
static __attribute__((unused)) void normalize(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in != '\0' && n + 1 < outlen; in++)
		if (strchr(" \t.-", *in) == NULL && (unsigned char)*in < 0x80)
			out[n++] = (*in >= 'a' && *in <= 'z') ?
			    (char)(*in - 'a' + 'A') : *in;
	out[n] = '\0';
}

/* leaks - msg holds 5 consecutive characters of the number */
static __attribute__((unused)) int leaks(const char *number, const char *msg)
{
	char norm[128], part[6];
	size_t len;

	normalize(number, norm, sizeof(norm));
	len = strlen(norm);
	for (size_t i = 0; i + 5 <= len; i++) {
		memcpy(part, norm + i, 5);
		part[5] = '\0';
		if (strstr(msg, part) != NULL)
			return 1;
	}
	return 0;
}


#endif
