/*
 * validate_priv - what the validate_*.c files share, and nobody else.
 *
 * The public API is validate.h.  The field rules live one concept per file:
 *   validate.c         vresult, and the helpers below
 *   validate_nir.c     NIR
 *   validate_date.c    dates
 *   validate_email.c   email addresses
 *   validate_iban.c    IBAN: the IBAN registry's BBAN structures, mod 97,
 *                      clé RIB
 *   validate_mandate.c BIC and RUM, the rest of a SEPA mandate
 *   validate_text.c    names and addresses
 *   validate_codes.c   closed lists: categorie, lien, situation, motif de
 *                      rupture; a child's age limit
 * The helpers take ASCII rules on purpose: a NIR, an IBAN or a code is
 * ASCII, and the locale must never change what a file means.
 */
#ifndef AFFILD_VALIDATE_PRIV_H
#define AFFILD_VALIDATE_PRIV_H

#include <stddef.h>

#include "parsers/validate.h"

#define ECHO_SIZE (VALIDATE_ECHO_MAX + 4)	/* + "…" + NUL */
#define STRIP_MAX 64	/* longest NIR, IBAN or BIC kept for checking */
#define BAD_CHAR_SIZE 24	/* validate_bad_char()'s out */

struct name_map {
	const char *in;		/* accepted spelling, any case */
	const char *name;	/* normalized value */
	enum vstatus status;	/* V_WARN: accepted, with a warning */
};

static inline const char *plural(size_t n)
{
	return n > 1 ? "s" : "";
}

static inline int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static inline int is_alpha(int c)
{
	return is_upper(c) || (c >= 'a' && c <= 'z');
}

static inline int is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static inline int to_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* validate_echo - in made safe to quote (short, one line); returns out */
const char *validate_echo(const char *in, char out[ECHO_SIZE]);

/* validate_blank_len - bytes of the blank at s (space, TAB, NBSP, narrow
 * NBSP), or 0 */
size_t validate_blank_len(const char *s);

/* validate_separator_len - a blank, '.' or '-' at s: what people and
 * payroll tools put between the groups of a NIR or an IBAN; bytes, or 0 */
size_t validate_separator_len(const char *s);

/*
 * validate_strip_upper - copy in without blanks and in upper case; returns
 * the length it has (even past outlen, where the copy stops).
 * validate_strip_separators - the same without any separator either: the
 * normalised NIR or IBAN, whose length is the one messages give.
 */
size_t validate_strip_upper(const char *in, char *out, size_t outlen);
size_t validate_strip_separators(const char *in, char *out, size_t outlen);

/* validate_casecmp - strcasecmp without the locale */
int validate_casecmp(const char *a, const char *b);

/* validate_lookup - the entry whose spelling matches in, any case; or NULL */
const struct name_map *validate_lookup(const struct name_map *map, size_t n,
				       const char *in);

/* validate_digits - value of n ASCII digits, or -1 */
long validate_digits(const char *s, size_t n);

/* validate_bad_char - "« x »" for printable ASCII, a description otherwise;
 * returns out */
const char *validate_bad_char(int c, char out[BAD_CHAR_SIZE]);

#endif
