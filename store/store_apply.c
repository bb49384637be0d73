/*
 * store_apply - the apply step: one checked movement against the employee
 * records, inside the file's transaction.
 *
 * Each operation is a function that reads the record, decides by the
 * transition table of rules.md, writes the record, one history row per
 * change and the outbox rows the change requires.  A movement the rules
 * refuse gets an E finding and changes nothing; one already in effect gets
 * I200 "déjà pris en compte" and changes nothing either.
 *
 * Isolation: every query is keyed by the employer of the file, so a row can
 * only ever see its own employer's employees; an unknown NIR reads the same
 * whether or not another employer has it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/crypto.h"
#include "common/log.h"
#include "common/util.h"
#include "store/store_outbox.h"
#include "store/store_priv.h"

/* The personal data a movement may set, in emp_set_person()'s ?1..?20 order. */
static const struct {
	enum field f;
	const char *col;
} person_cols[] = {
	{ F_NOM, "nom" }, { F_NOM_USAGE, "nom_usage" }, { F_PRENOM, "prenom" },
	{ F_DATE_NAISSANCE, "date_naissance" },
	{ F_DATE_EMBAUCHE, "date_embauche" }, { F_DATE_EFFET, "date_effet" },
	{ F_CATEGORIE, "categorie" }, { F_EMAIL, "email" },
	{ F_EMAIL_PERSONNEL, "email_personnel" }, { F_ADRESSE, "adresse" },
	{ F_CODE_POSTAL, "code_postal" }, { F_VILLE, "ville" },
	{ F_PAYS, "pays" }, { F_TELEPHONE, "telephone" },
	{ F_MATRICULE, "matricule" }, { F_OPTION, "option" },
	{ F_IBAN, "iban" }, { F_BIC, "bic" }, { F_RUM, "rum" },
	{ F_DATE_SIGNATURE_MANDAT, "date_signature_mandat" },
};

struct emp {
	long long id;		/* 0: no record */
	char status[16];
	char *nom, *prenom, *email, *option, *date_embauche;
};

static void emp_free(struct emp *e)
{
	free(e->nom);
	free(e->prenom);
	free(e->email);
	free(e->option);
	free(e->date_embauche);
	memset(e, 0, sizeof(*e));
}

/* emp_load - the employee (employer, nir) of this file; 0 found or not */
static int emp_load(struct store *st, const char *employer, const char *nir,
		    struct emp *e)
{
	static const char sql[] =
		"SELECT id, status, nom, prenom, email, option, date_embauche"
		" FROM employee WHERE employer = ? AND nir = ?";
	sqlite3_stmt *s = st_stmt(st, sql);
	int rc;

	memset(e, 0, sizeof(*e));
	if (s == NULL)
		return -1;
	st_text(s, 1, employer);
	st_text(s, 2, nir);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		e->id = sqlite3_column_int64(s, 0);
		(void)strlcpy_ok(e->status,
				 (const char *)sqlite3_column_text(s, 1),
				 sizeof(e->status));
		e->nom = st_col_dup(s, 2);
		e->prenom = st_col_dup(s, 3);
		e->email = st_col_dup(s, 4);
		e->option = st_col_dup(s, 5);
		e->date_embauche = st_col_dup(s, 6);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		st_log_error(st, "employee load");
		return -1;
	}
	return 0;
}

/* history - one row: who changed what, when, and why */
static int history(struct store *st, const struct apply_ctx *ctx,
		   const struct movement *mv, long long emp_id,
		   const char *from, const char *to, const char *what)
{
	static const char sql[] =
		"INSERT INTO history (employee_id, at, from_status, to_status,"
		" what, cause, cause_ref) VALUES (?, ?, ?, ?, ?, 'fichier', ?)";
	sqlite3_stmt *s = st_stmt(st, sql);
	char now[32], ref[64];

	if (s == NULL)
		return -1;
	st_now(now);
	snprintf(ref, sizeof(ref), "%s:%ld", ctx->file_id, mv->line);
	sqlite3_bind_int64(s, 1, emp_id);
	st_text(s, 2, now);
	st_text(s, 3, from);
	st_text(s, 4, to);
	st_text(s, 5, what);
	st_text(s, 6, ref);
	return st_done(st, s);
}

/* emp_insert - a new record from the movement's personal data */
static long long emp_insert(struct store *st, const struct apply_ctx *ctx,
			    const struct movement *mv, const char *status)
{
	static const char sql[] =
		"INSERT INTO employee (employer, nir, status, status_since,"
		" updated_at) VALUES (?, ?, ?, ?, ?)";
	sqlite3_stmt *s = st_stmt(st, sql);
	char now[32], day[11];

	if (s == NULL)
		return -1;
	st_now(now);
	date_format(ctx->today, day);
	st_text(s, 1, ctx->emp->numero);
	st_text(s, 2, mv_get(mv, F_NIR));
	st_text(s, 3, status);
	st_text(s, 4, day);
	st_text(s, 5, now);
	if (st_done(st, s) < 0)
		return -1;
	return sqlite3_last_insert_rowid(st->db);
}

/* emp_set_person - write the personal data the movement carries */
static int emp_set_person(struct store *st, long long id,
			  const struct movement *mv)
{
	/* One cached statement for every movement: a NULL keeps the column. */
	static const char sql[] =
		"UPDATE employee SET nom = coalesce(?1, nom),"
		" nom_usage = coalesce(?2, nom_usage),"
		" prenom = coalesce(?3, prenom),"
		" date_naissance = coalesce(?4, date_naissance),"
		" date_embauche = coalesce(?5, date_embauche),"
		" date_effet = coalesce(?6, date_effet),"
		" categorie = coalesce(?7, categorie),"
		" email = coalesce(?8, email),"
		" email_personnel = coalesce(?9, email_personnel),"
		" adresse = coalesce(?10, adresse),"
		" code_postal = coalesce(?11, code_postal),"
		" ville = coalesce(?12, ville), pays = coalesce(?13, pays),"
		" telephone = coalesce(?14, telephone),"
		" matricule = coalesce(?15, matricule),"
		" option = coalesce(?16, option), iban = coalesce(?17, iban),"
		" bic = coalesce(?18, bic), rum = coalesce(?19, rum),"
		" date_signature_mandat = coalesce(?20, date_signature_mandat)"
		" WHERE id = ?21";
	sqlite3_stmt *s = st_stmt(st, sql);
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < NELEM(person_cols); i++)
		st_text(s, (int)i + 1, mv_has(mv, person_cols[i].f) ?
			mv_get(mv, person_cols[i].f) : NULL);
	sqlite3_bind_int64(s, (int)NELEM(person_cols) + 1, id);
	return st_done(st, s);
}

/* emp_set_status - move to a new status, remembering the previous one */
static int emp_set_status(struct store *st, const struct apply_ctx *ctx,
			  long long id, const char *status)
{
	static const char sql[] =
		"UPDATE employee SET prev_status = status, status = ?,"
		" status_since = ?, updated_at = ? WHERE id = ?";
	sqlite3_stmt *s = st_stmt(st, sql);
	char now[32], day[11];

	if (s == NULL)
		return -1;
	st_now(now);
	date_format(ctx->today, day);
	st_text(s, 1, status);
	st_text(s, 2, day);
	st_text(s, 3, now);
	sqlite3_bind_int64(s, 4, id);
	return st_done(st, s);
}

/* link_url - the personal link: portal.link_url with {token} replaced */
static void link_url(const struct cfg *cfg, const char *token, char *out,
		     size_t outlen)
{
	const char *url = cfg->portal.link_url ? cfg->portal.link_url :
			  "{token}";
	const char *at = strstr(url, "{token}");

	if (at == NULL)
		snprintf(out, outlen, "%s%s", url, token);
	else
		snprintf(out, outlen, "%.*s%s%s", (int)(at - url), url, token,
			 at + 7);
}

/*
 * invite - a fresh single-use token (revoking any earlier one), its keyed
 * hash on the record, and the invitation queued with the clear link.
 */
static int invite(struct store *st, const struct apply_ctx *ctx,
		  const struct movement *mv, long long id, const char *kind)
{
	static const char sql[] =
		"UPDATE employee SET token_hash = ?, token_expires = ?,"
		" invited_on = coalesce(invited_on, ?) WHERE id = ?";
	char token[CRYPTO_TOKEN_LEN], hash[CRYPTO_HEX_LEN], url[512];
	char expires[11], deadline[11], today[11];
	sqlite3_stmt *s = st_stmt(st, sql);
	const char *email = mv_get(mv, F_EMAIL);
	int ttl = ctx->cfg->portal.invitation_ttl_days;

	if (s == NULL || random_token(token) < 0 ||
	    hmac_sha256_hex(ctx->token_key, ctx->token_keylen, token,
			    hash) < 0)
		return -1;
	date_format(date_add_days(ctx->today, ttl), expires);
	date_format(date_add_days(ctx->today,
				  ctx->cfg->process.reminder_after_days),
		    deadline);
	date_format(ctx->today, today);
	st_text(s, 1, hash);
	st_text(s, 2, expires);
	st_text(s, 3, today);
	sqlite3_bind_int64(s, 4, id);
	if (st_done(st, s) < 0)
		return -1;
	link_url(ctx->cfg, token, url, sizeof(url));
	{
		const char *vars[] = {
			"prenom", mv_get(mv, F_PRENOM), "nom", mv_get(mv, F_NOM),
			"employeur", ctx->emp->name, "lien", url,
			"date_limite", deadline,
			"adresse", mv_has(mv, F_ADRESSE) ? mv_get(mv, F_ADRESSE) : "",
			"code_postal", mv_has(mv, F_CODE_POSTAL) ?
				mv_get(mv, F_CODE_POSTAL) : "",
			"ville", mv_has(mv, F_VILLE) ? mv_get(mv, F_VILLE) : "",
			NULL
		};
		return st_outbox_add(st, ctx->cfg->mail.from, kind,
				     ctx->emp->numero, id,
				     mv_has(mv, F_EMAIL) ? email : "courrier",
				     vars);
	}
}

/* confirm - the confirmation of a complete affiliation, when an email is known */
static int confirm(struct store *st, const struct apply_ctx *ctx,
		   const struct movement *mv, long long id, const char *kind)
{
	const struct cfg_option *opt = cfg_option(ctx->emp, mv_get(mv, F_OPTION));
	const char *effet = mv_has(mv, F_DATE_EFFET) ?
		mv_get(mv, F_DATE_EFFET) : mv_get(mv, F_DATE_EMBAUCHE);
	const char *vars[] = {
		"prenom", mv_get(mv, F_PRENOM), "nom", mv_get(mv, F_NOM),
		"employeur", ctx->emp->name,
		"option", opt && opt->label ? opt->label : mv_get(mv, F_OPTION),
		"date_effet", effet ? effet : "", NULL
	};

	if (!mv_has(mv, F_EMAIL))
		return 0;
	return st_outbox_add(st, ctx->cfg->mail.from, kind, ctx->emp->numero,
			     id, mv_get(mv, F_EMAIL), vars);
}

static int same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* already - a re-sent movement identical to the record: accepted, no change */
static int already(struct movement *mv, const struct emp *e)
{
	mv_diag(mv, "I200", F_NONE, "déjà pris en compte : salarié déjà %s, "
		"rien n'a été modifié", e->status);
	return 0;
}

static int refuse(struct movement *mv, const struct emp *e)
{
	mv_diag(mv, "E201", F_NONE, "opération impossible : le salarié est %s "
		"chez cet employeur", e->status);
	return 1;
}

/* apply_simple - (none) or rehire → EN_COURS with an invitation */
static int apply_simple(struct store *st, const struct apply_ctx *ctx,
			struct movement *mv, struct emp *e)
{
	const char *from = e->id ? e->status : NULL;

	if (e->id && (same(e->status, "EN_COURS") ||
		      same(e->status, "A_RELANCER")))
		return same(e->nom, mv_get(mv, F_NOM)) &&
		       same(e->date_embauche, mv_get(mv, F_DATE_EMBAUCHE)) ?
		       already(mv, e) : refuse(mv, e);
	if (e->id && !same(e->status, "RADIE"))
		return refuse(mv, e);
	if (e->id == 0 && (e->id = emp_insert(st, ctx, mv, "EN_COURS")) < 0)
		return -1;
	if (from && emp_set_status(st, ctx, e->id, "EN_COURS") < 0)
		return -1;
	if (emp_set_person(st, e->id, mv) < 0 ||
	    history(st, ctx, mv, e->id, from, "EN_COURS",
		    "affiliation simple") < 0 ||
	    invite(st, ctx, mv, e->id, "invitation") < 0)
		return -1;
	return 0;
}

/* revoke_token - the invitation link stops working */
static int revoke_token(struct store *st, long long id)
{
	static const char sql[] = "UPDATE employee SET token_hash = NULL,"
		" token_expires = NULL WHERE id = ?";
	sqlite3_stmt *s = st_stmt(st, sql);

	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	return st_done(st, s);
}

/* apply_complete - (none), EN_COURS, A_RELANCER or rehire → AFFILIE */
static int apply_complete(struct store *st, const struct apply_ctx *ctx,
			  struct movement *mv, struct emp *e)
{
	const char *from = e->id ? e->status : NULL;

	if (e->id && same(e->status, "AFFILIE"))
		return same(e->option, mv_get(mv, F_OPTION)) ?
		       already(mv, e) : refuse(mv, e);
	if (e->id && !same(e->status, "EN_COURS") &&
	    !same(e->status, "A_RELANCER") && !same(e->status, "RADIE"))
		return refuse(mv, e);
	if (e->id == 0 && (e->id = emp_insert(st, ctx, mv, "AFFILIE")) < 0)
		return -1;
	if (from && emp_set_status(st, ctx, e->id, "AFFILIE") < 0)
		return -1;
	if (emp_set_person(st, e->id, mv) < 0 ||
	    revoke_token(st, e->id) < 0 ||
	    history(st, ctx, mv, e->id, from, "AFFILIE",
		    "affiliation complète") < 0 ||
	    confirm(st, ctx, mv, e->id, "confirmation") < 0)
		return -1;
	return 0;
}

/* store_apply - apply one checked movement; see store.h */
int store_apply(struct store *st, const struct apply_ctx *ctx,
		struct movement *mv)
{
	struct emp e;
	int rc;

	if (emp_load(st, ctx->emp->numero, mv_get(mv, F_NIR), &e) < 0)
		return -1;
	switch (mv->op) {
	case OP_AFFILIATION_SIMPLE:
		rc = apply_simple(st, ctx, mv, &e);
		break;
	case OP_AFFILIATION_COMPLETE:
		rc = apply_complete(st, ctx, mv, &e);
		break;
	default:
		mv_diag(mv, "E106", F_OPERATION, "opération %s pas encore prise "
			"en charge par cette version d'affild", op_name(mv->op));
		rc = 1;
		break;
	}
	emp_free(&e);
	return rc;
}
