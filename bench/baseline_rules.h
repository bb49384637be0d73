/*
 * baseline_rules - the field rules of the careful C ingest
 * (bench/baseline_ingest.c): each checks one value and adds what it finds
 * (an E code rejects the movement, a W code warns) to the row's list.
 */
#ifndef AFFILD_BASELINE_RULES_H
#define AFFILD_BASELINE_RULES_H

#include <stddef.h>

#define MAX_FINDINGS 16

struct finding {
	const char *code, *field;
	char msg[192];
};

struct findings {
	struct finding f[MAX_FINDINGS];
	int n, errors;			/* errors: E codes, even past f[] */
};

struct ymd {
	int y, m, d;
};

void rule_add(struct findings *fs, const char *code, const char *field,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* rule_days - days since 1970-01-01 of a civil date */
int rule_days(int y, int m, int d);
/* rule_digits - n decimal digits at s into *v; 0, or -1 */
int rule_digits(const char *s, int n, int *v);
/* rule_age - whole years from birth b to date a */
int rule_age(struct ymd b, struct ymd a);

/* Each: 0 valid (*out set), -1 refused (its finding added). */
int rule_date(struct findings *fs, const char *field, const char *s,
	      struct ymd *out);
int rule_nir(struct findings *fs, const char *in, char out[16]);
void rule_text(struct findings *fs, const char *field, const char *s,
	       size_t max);
void rule_email(struct findings *fs, const char *s);

/* rule_in_list - s is one of the NULL-terminated list */
int rule_in_list(const char *s, const char *const *list);

#endif
