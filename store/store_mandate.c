/*
 * store_mandate - the SEPA mandate's reference (RUM) as the database knows
 * it: who holds one, and the next one generated.
 *
 * A RUM is unique for the creditor, so across every employer.  Generated
 * ones are "<prefix>-<employer>-<sequence>", the sequence kept per
 * employer in rum_seq and never given twice; a file may not use the
 * prefix (process/handle_affiliation.c refuses it).
 */
#include <stdio.h>

#include "store/store_apply.h"

int st_rum_taken(struct store *st, long long id, const char *rum)
{
	static const char sql[] =
		"SELECT 1 FROM employee WHERE rum = ? AND id != ?";
	struct db_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	st_text(s, 1, rum);
	db_bind_int64(s, 2, id);
	return st_one_row(st, s, "rum lookup", NULL, NULL);
}

/* rum_next - prefix + employer + a sequence number never given twice */
static int rum_next(struct store *st, const struct st_env *env, char *out,
		    size_t outlen)
{
	static const char sql[] =
		"INSERT INTO rum_seq (employer, next) VALUES (?, 1)"
		" ON CONFLICT (employer) DO UPDATE SET next = rum_seq.next + 1"
		" RETURNING next";
	struct db_stmt *s = st_stmt(st, sql);
	const char *prefix = env->cfg->process.rum_prefix ?
		env->cfg->process.rum_prefix : "AFF";
	long long seq = -1;

	if (s == NULL)
		return -1;
	st_text(s, 1, env->emp->numero);
	if (st_one_row(st, s, "rum sequence", st_read_int64, &seq) < 0)
		return -1;
	if (seq < 0) {
		st_log_error(st, "rum sequence");
		return -1;
	}
	snprintf(out, outlen, "%s-%s-%08lld", prefix, env->emp->numero, seq);
	return 0;
}

int st_rum_generate(struct store *st, const struct st_env *env,
		    long long id, struct movement *mv)
{
	char rum[64];
	int rc = 1, tries;

	/* A file may have given one of these numbers before the prefix was
	 * reserved: skip the ones held. */
	for (tries = 0; tries < 100 && rc == 1; tries++) {
		if (rum_next(st, env, rum, sizeof(rum)) < 0)
			return -1;
		rc = st_rum_taken(st, id, rum);
	}
	if (rc != 0 || mv_set(mv, F_RUM, rum) < 0)
		return -1;
	mv_diag(mv, "I231", F_RUM, "RUM générée : %s", rum);
	return 0;
}
