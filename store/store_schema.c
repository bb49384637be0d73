/*
 * store_schema - the database schema as numbered migrations.
 *
 * Migration N brings user_version from N-1 to N, in one transaction with
 * the version bump, so a crash leaves the schema at a known version.  Never
 * edit a migration that has shipped: add the next one.  A database newer
 * than this binary is refused rather than guessed at.
 *
 * Index budget (spool.md): an employee insert costs one random-order index
 * insert, (employer, nir).  History, outbox and deadline rows are appended
 * in rowid order; their indexes are on columns that grow with time.
 */
#include <stdio.h>
#include <stdlib.h>

#include "common/log.h"
#include "common/util.h"
#include "store/store_priv.h"

static const char *const migrations[] = {
	/* 1: the first schema. */
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"

	"CREATE TABLE employee ("
	" id INTEGER PRIMARY KEY,"
	" employer TEXT NOT NULL, nir TEXT NOT NULL, status TEXT NOT NULL,"
	" status_since TEXT NOT NULL, prev_status TEXT,"
	" nom TEXT, nom_usage TEXT, prenom TEXT, date_naissance TEXT,"
	" date_embauche TEXT, date_effet TEXT, categorie TEXT, email TEXT,"
	" email_personnel TEXT, adresse TEXT, code_postal TEXT, ville TEXT,"
	" pays TEXT, telephone TEXT, matricule TEXT, option TEXT,"
	" iban TEXT, bic TEXT, rum TEXT, date_signature_mandat TEXT,"
	" incomplete INTEGER NOT NULL DEFAULT 0,"
	" token_hash TEXT, token_expires TEXT, invited_on TEXT,"
	" relances INTEGER NOT NULL DEFAULT 0, last_relance TEXT,"
	" date_fin_contrat TEXT, motif_rupture TEXT, date_fin_droits TEXT,"
	" portabilite_debut TEXT, portabilite_fin TEXT,"
	" dispense_motif TEXT, dispense_fin TEXT,"
	" updated_at TEXT NOT NULL,"
	" UNIQUE (employer, nir));"

	"CREATE TABLE beneficiary ("
	" id INTEGER PRIMARY KEY,"
	" employee_id INTEGER NOT NULL REFERENCES employee(id),"
	" lien TEXT NOT NULL, nom TEXT NOT NULL, prenom TEXT NOT NULL,"
	" date_naissance TEXT NOT NULL, nir TEXT, situation TEXT,"
	" date_fin TEXT);"
	"CREATE INDEX beneficiary_employee ON beneficiary(employee_id);"

	"CREATE TABLE history ("
	" id INTEGER PRIMARY KEY,"
	" employee_id INTEGER NOT NULL, at TEXT NOT NULL,"
	" from_status TEXT, to_status TEXT, what TEXT,"
	" cause TEXT NOT NULL, cause_ref TEXT);"
	"CREATE INDEX history_employee ON history(employee_id);"

	"CREATE TABLE file ("
	" id TEXT PRIMARY KEY, employer TEXT NOT NULL, name TEXT NOT NULL,"
	" size INTEGER NOT NULL, validation INTEGER NOT NULL DEFAULT 0,"
	" state TEXT NOT NULL, received_at TEXT NOT NULL, processed_at TEXT,"
	" sha256 TEXT, format TEXT, encoding TEXT,"
	" return_code INTEGER, movements INTEGER NOT NULL DEFAULT 0,"
	" accepted INTEGER NOT NULL DEFAULT 0,"
	" rejected INTEGER NOT NULL DEFAULT 0,"
	" warnings INTEGER NOT NULL DEFAULT 0,"
	" report TEXT, message TEXT);"
	"CREATE INDEX file_digest ON file(employer, sha256);"

	"CREATE TABLE file_line ("
	" file_id TEXT NOT NULL, line INTEGER NOT NULL, operation TEXT,"
	" nir TEXT, result TEXT NOT NULL, code TEXT NOT NULL, field TEXT,"
	" message TEXT NOT NULL);"
	"CREATE INDEX file_line_file ON file_line(file_id);"

	"CREATE TABLE outbox ("
	" id INTEGER PRIMARY KEY,"
	" created_at TEXT NOT NULL, kind TEXT NOT NULL, employer TEXT,"
	" employee_id INTEGER, recipient TEXT NOT NULL, data TEXT NOT NULL,"
	" message_id TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending',"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" next_attempt INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT, sent_at TEXT);"
	"CREATE INDEX outbox_pending ON outbox(next_attempt)"
	" WHERE state = 'pending';"

	"CREATE TABLE deadline ("
	" id INTEGER PRIMARY KEY,"
	" due TEXT NOT NULL, kind TEXT NOT NULL,"
	" employee_id INTEGER, data TEXT, done_at TEXT);"
	"CREATE INDEX deadline_due ON deadline(due) WHERE done_at IS NULL;",

	/* 2: the whole affiliation process (issue 4). */
	"ALTER TABLE employee ADD COLUMN radiation_at TEXT;"
	"ALTER TABLE employee ADD COLUMN radiation_hist INTEGER;"
	"ALTER TABLE employee ADD COLUMN dispense_demande TEXT;"
	"ALTER TABLE employee ADD COLUMN dispense_justificatif TEXT;"
	"ALTER TABLE employee ADD COLUMN portabilite_motif_fin TEXT;"
	"ALTER TABLE employee ADD COLUMN preuve_chomage TEXT;"
	/* A file of requests only (EXPORT) never counts as a duplicate. */
	"ALTER TABLE file ADD COLUMN requests_only INTEGER NOT NULL"
	" DEFAULT 0;"
	"CREATE UNIQUE INDEX employee_rum ON employee(rum)"
	" WHERE rum IS NOT NULL;"
	"CREATE TABLE rum_seq (employer TEXT PRIMARY KEY,"
	" next INTEGER NOT NULL);"
	"CREATE INDEX deadline_employee ON deadline(employee_id)"
	" WHERE done_at IS NULL;"
	/* A deadline made moot is kept, marked, so its id is never reused
	 * and a history reference to it stays true. */
	"ALTER TABLE deadline ADD COLUMN cancelled INTEGER NOT NULL"
	" DEFAULT 0;",

	/* 3: timers (issue 7): the last day each employer's digest of
	 * employees to remind was sent (at most once a day) and the last day
	 * the list was looked at (an empty list is not looked at again that
	 * day unless a timer fired). */
	"CREATE TABLE timer_digest ("
	" employer TEXT PRIMARY KEY,"
	" sent_day TEXT, checked_day TEXT NOT NULL);",

	/* 4: spool (issue 5): `affilctl reprocess ID --force` requests, and
	 * the file row of a forced run naming its request. */
	"CREATE TABLE reprocess ("
	" id INTEGER PRIMARY KEY, file_id TEXT NOT NULL,"
	" requested_by TEXT NOT NULL, requested_at TEXT NOT NULL,"
	" new_file_id TEXT, done_at TEXT, error TEXT);"
	"CREATE INDEX reprocess_pending ON reprocess(id) WHERE done_at IS NULL;"
	"ALTER TABLE file ADD COLUMN reprocess_id INTEGER;",

	/* 5: faults (issue 13): the failed runs of a file, so a failure no
	 * wait can cure ends in quarantine, not in a retry at every rescan. */
	"ALTER TABLE file ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;",

	/* 6: the radiation gate (issue 16, item 6): a held file's approval or
	 * refusal is a request of the reprocess kind, served by the same
	 * crash-safe machinery ('reprocess', 'approve', 'refuse'); held files
	 * listed without walking the file table. */
	"ALTER TABLE reprocess ADD COLUMN kind TEXT NOT NULL DEFAULT"
	" 'reprocess';"
	"CREATE INDEX file_state ON file(state) WHERE state = 'held';",

	/* 7: expected files (issue 16, item 5): each alert queued once, an
	 * occurrence of the calendar ('late', ref its due date) or a file
	 * unusually small ('small', ref the file id); files by employer and
	 * arrival for "anything since the last cutoff?" and the median. */
	"CREATE TABLE expected_alert ("
	" employer TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL,"
	" at TEXT NOT NULL, PRIMARY KEY (employer, kind, ref));"
	"CREATE INDEX file_received ON file(employer, received_at);",

	/* 8: the lean store (issue 14).  A new employee is one row: the two
	 * deadlines every invitation sets (relance, jeton) become columns
	 * under one partial index on the earlier of them (EMP_DUE); the
	 * invitation link is signed (HMAC of id, token_n and token_expires,
	 * checked by recomputing), so nothing random or hashed is stored;
	 * the creation is recorded on the row (created_*), not as a history
	 * row.  Pending relance and jeton rows move to the columns and are
	 * marked cancelled in deadline (their ids are never reused).  Old
	 * token hashes stay valid until they expire. */
	"ALTER TABLE employee ADD COLUMN token_n INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE employee ADD COLUMN due_relance TEXT;"
	"ALTER TABLE employee ADD COLUMN due_jeton TEXT;"
	"ALTER TABLE employee ADD COLUMN created_at TEXT;"
	"ALTER TABLE employee ADD COLUMN created_cause TEXT;"
	"ALTER TABLE employee ADD COLUMN created_ref TEXT;"
	"UPDATE employee SET"
	" due_relance = (SELECT min(due) FROM deadline d"
	"  WHERE d.employee_id = employee.id AND d.kind = 'relance'"
	"  AND d.done_at IS NULL),"
	" due_jeton = (SELECT min(due) FROM deadline d"
	"  WHERE d.employee_id = employee.id AND d.kind = 'jeton'"
	"  AND d.done_at IS NULL);"
	"UPDATE deadline SET done_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
	" cancelled = 1 WHERE kind IN ('relance', 'jeton')"
	" AND done_at IS NULL;"
	"CREATE INDEX employee_due ON employee(" EMP_DUE ") WHERE "
	EMP_DUE_WHERE ";",

	/* 9: one writer (issue 15): a file of the admin drop names who
	 * wrote it, the login of its owner read at the claim, before the
	 * move: its changes' history cause is admin:<login>, a crash or a
	 * user removed since notwithstanding. */
	"ALTER TABLE file ADD COLUMN submitted_by TEXT;",

	/* 10: several daemons on one PostgreSQL database (issue 18): the
	 * daemon that claimed a pending message for delivery, so that it
	 * lets its claims go when it starts again (store_outbox_due). */
	"ALTER TABLE outbox ADD COLUMN claimed_by TEXT;",
};

int store_schema_version(struct store *st)
{
	return db_schema_version(st->db);
}

/*
 * migrate_one - apply the migration after the version found inside the
 * transaction (another daemon may have applied it while this one waited
 * for the lock): 1 applied, 0 none was due, -1 error
 */
static int migrate_one(struct store *st, int want)
{
	char qd[LOG_QUOTE_MAX];
	char *pg = NULL;
	int have, rc;

	if (store_begin(st) < 0)
		return -1;
	if ((have = store_schema_version(st)) < 0) {
		st_log_error(st, "schema version");
		store_rollback(st);
		return -1;
	}
	if (have > want) {
		log_err("event=db_too_new db=%s version=%d known=%d",
			log_quote(qd, sizeof(qd), st->path), have, want);
		store_rollback(st);
		return -1;
	}
	if (have == want)
		return store_commit(st) < 0 ? -1 : 0;
	if (db_kind(st->db) == DB_PG)
		pg = db_pg_ddl(migrations[have]);
	rc = st_exec(st, pg ? pg : migrations[have]);
	free(pg);
	if (rc < 0 || db_set_schema_version(st->db, have + 1) < 0 ||
	    store_commit(st) < 0) {
		if (rc == 0)
			st_log_error(st, "schema version");
		store_rollback(st);
		return -1;
	}
	log_info("event=db_migrated db=%s version=%d",
		 log_quote(qd, sizeof(qd), st->path), have + 1);
	return 1;
}

/* store_migrate - bring the schema to the version this binary knows */
int store_migrate(struct store *st)
{
	int want = (int)NELEM(migrations), rc;

	while ((rc = migrate_one(st, want)) == 1)
		;
	return rc;
}
