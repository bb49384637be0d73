/*
 * baseline_ingest - the "careful C ingest" of issue 14: what a competent
 * programmer would write to load payroll files into SQLite, with the field
 * rules affild applies, and nothing of affild's process around them.
 * bench/bench_ingest.sh times affild against it, side by side.
 *
 *	baseline_ingest --init DB
 *	baseline_ingest DB REPORT_DIR FILE.csv...
 *
 * --init makes the schema (WAL): employee, with a UNIQUE (employer, nir)
 * index, and beneficiary.  Then each FILE, in its own transaction:
 *   - read by libcsv (';', RFC 4180 quoting), the header mapped by name;
 *   - each row checked as affild checks it: required fields (E101, E102);
 *     the NIR without its separators, 15 characters, 2A/2B, month, key
 *     97 - (13 digits mod 97) with Corsica's 2A read 19 and 2B read 18
 *     (E110-E114), its year against the birth date (W111); dates
 *     AAAA-MM-JJ or JJ/MM/AAAA, real, 1900-2199, birth not in the future,
 *     aged 14 to 80 at hire, hire at most 365 days ahead, warned when more
 *     than 90 days back (E120-E128, W120); names at most 100 bytes without
 *     control characters (E171, E172); the email's syntax (E130-E136);
 *     categorie, option, lien and motif_rupture in their lists;
 *   - AFFILIATION_SIMPLE / _COMPLETE: one prepared INSERT ... ON CONFLICT
 *     DO NOTHING (I200 when the NIR is known); AYANT_DROIT: one INSERT of
 *     the beneficiary of the row's employee; RADIATION: one UPDATE;
 *   - one report line per movement (and per finding) into
 *     REPORT_DIR/<file name>.cr.csv, affild's columns, then the summary
 *     line; the report fsynced before the COMMIT (synchronous=FULL).
 * It does not keep a history, tokens, deadlines or an outbox, nor compute
 * the file's SHA-256: that is the difference being measured.
 *
 * Exit: 0, 1 when a file could not be processed, 2 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <csv.h>
#include <sqlite3.h>

#include "baseline_rules.h"

#define EMPLOYER "12345678"
#define ROW_MAX (1u << 20)

enum col {
	C_OPERATION, C_NIR, C_NOM, C_PRENOM, C_DATE_NAISSANCE, C_DATE_EMBAUCHE,
	C_CATEGORIE, C_EMAIL, C_OPTION, C_LIEN, C_DATE_FIN_CONTRAT,
	C_MOTIF_RUPTURE, C_COUNT
};

static const char *const col_names[C_COUNT] = {
	"operation", "nir", "nom", "prenom", "date_naissance", "date_embauche",
	"categorie", "email", "option", "lien", "date_fin_contrat",
	"motif_rupture",
};


struct ctx {
	sqlite3 *db;
	sqlite3_stmt *ins_emp, *ins_ben, *find_emp, *radiate;
	FILE *report;
	const char *file;
	int today;			/* days since 1970-01-01 */
	/* the row being read: fields copied into one buffer */
	char buf[ROW_MAX];
	size_t used;
	size_t off[64];
	int nf, overflow;
	int map[C_COUNT];		/* column of each field, -1 absent */
	int header_done;
	long line;
	/* the file's counts */
	long movements, accepted, rejected, warnings;
	/* the last employee inserted: its beneficiaries follow it */
	char last_nir[16];
	sqlite3_int64 last_id;
	struct findings fs;		/* the row's */
	int failed;
};

/* ---- one row ---------------------------------------------------------- */

/* get - the row's value of field k, "" when absent */
static const char *get(const struct ctx *c, enum col k)
{
	int i = c->map[k];

	return i >= 0 && i < c->nf ? c->buf + c->off[i] : "";
}

/* required - every field of the list present and filled */
static void required(struct ctx *c, const enum col *req, int n)
{
	struct findings *fs = &c->fs;
	int i;

	for (i = 0; i < n; i++) {
		if (c->map[req[i]] < 0)
			rule_add(fs, "E101", col_names[req[i]],
				 "colonne absente de l'en-tête");
		else if (*get(c, req[i]) == '\0')
			rule_add(fs, "E102", col_names[req[i]],
				 "champ obligatoire vide");
	}
}

/* check_person - the fields of an affiliation, into c->f */
static void check_person(struct ctx *c, char nir[16], int complete)
{
	struct findings *fs = &c->fs;
	static const enum col req[] = { C_NIR, C_NOM, C_PRENOM,
		C_DATE_NAISSANCE, C_DATE_EMBAUCHE, C_CATEGORIE, C_OPTION };
	static const char *const cats[] = { "CADRE", "NON_CADRE", "AUTRE",
					    "01", "04", "98", "99", NULL };
	static const char *const options[] = { "BASE", "CONFORT", NULL };
	const char *hire = "date_embauche", *birth = "date_naissance";
	struct ymd b, h;
	int ok_b, ok_h, ahead, years;

	required(c, req, complete ? 7 : 6);
	if (c->fs.errors)
		return;
	if (rule_nir(fs, get(c, C_NIR), nir) < 0)
		return;
	rule_text(fs, "nom", get(c, C_NOM), 100);
	rule_text(fs, "prenom", get(c, C_PRENOM), 100);
	ok_b = rule_date(fs, birth, get(c, C_DATE_NAISSANCE), &b) == 0;
	ok_h = rule_date(fs, hire, get(c, C_DATE_EMBAUCHE), &h) == 0;
	years = ok_b && ok_h ? rule_age(b, h) : 30;
	if (ok_b && rule_days(b.y, b.m, b.d) > c->today)
		rule_add(fs, "E125", birth, "date de naissance dans le futur");
	else if (years < 14 || years > 80)
		rule_add(fs, years < 14 ? "E126" : "E127", birth,
			 "salarié âgé de %d ans à l'embauche", years);
	if (ok_b && (nir[1] - '0') * 10 + (nir[2] - '0') != b.y % 100)
		rule_add(fs, "W111", "nir", "année de naissance du NIR "
			 "différente de date_naissance");
	ahead = ok_h ? rule_days(h.y, h.m, h.d) - c->today : 0;
	if (ahead > 365)
		rule_add(fs, "E128", hire, "date d'embauche dans %d jours",
			 ahead);
	else if (ahead < -90)
		rule_add(fs, "W120", hire, "date d'embauche passée de %d "
			 "jours", -ahead);
	if (!rule_in_list(get(c, C_CATEGORIE), cats))
		rule_add(fs, "E140", "categorie", "catégorie inconnue");
	if (*get(c, C_EMAIL) == '\0')
		rule_add(fs, "E152", "email", "ni email ni adresse postale");
	else
		rule_email(fs, get(c, C_EMAIL));
	if (complete && !rule_in_list(get(c, C_OPTION), options))
		rule_add(fs, "E150", "option", "option inconnue");
}

static void bind(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

/* step - run a prepared statement to its end; 0, or -1 said */
static int step(struct ctx *c, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	fprintf(stderr, "baseline_ingest: %s: %s\n", c->file,
		sqlite3_errmsg(c->db));
	c->failed = 1;
	return -1;
}

/* affiliation - 1 applied, 0 already known, -1 error */
static int affiliation(struct ctx *c, const char *nir, int complete)
{
	sqlite3_stmt *s = c->ins_emp;

	bind(s, 1, EMPLOYER);
	bind(s, 2, nir);
	bind(s, 3, get(c, C_NOM));
	bind(s, 4, get(c, C_PRENOM));
	bind(s, 5, get(c, C_DATE_NAISSANCE));
	bind(s, 6, get(c, C_DATE_EMBAUCHE));
	bind(s, 7, get(c, C_CATEGORIE));
	bind(s, 8, get(c, C_EMAIL));
	bind(s, 9, complete ? get(c, C_OPTION) : NULL);
	bind(s, 10, complete ? "AFFILIE" : "EN_COURS");
	bind(s, 11, c->file);
	sqlite3_bind_int64(s, 12, c->line);
	if (step(c, s) < 0)
		return -1;
	if (sqlite3_changes(c->db) == 0)
		return 0;
	c->last_id = sqlite3_last_insert_rowid(c->db);
	memcpy(c->last_nir, nir, 16);
	return 1;
}

/* employee_id - the row's employee: the last one inserted, else a lookup */
static sqlite3_int64 employee_id(struct ctx *c, const char *nir)
{
	sqlite3_int64 id = 0;

	if (c->last_id > 0 && strcmp(nir, c->last_nir) == 0)
		return c->last_id;
	bind(c->find_emp, 1, EMPLOYER);
	bind(c->find_emp, 2, nir);
	if (sqlite3_step(c->find_emp) == SQLITE_ROW)
		id = sqlite3_column_int64(c->find_emp, 0);
	sqlite3_reset(c->find_emp);
	return id;
}

/* beneficiary - an AYANT_DROIT row; 1 applied, 0 refused, -1 error */
static int beneficiary(struct ctx *c, char nir[16])
{
	struct findings *fs = &c->fs;
	static const enum col req[] = { C_NIR, C_LIEN, C_NOM, C_PRENOM,
					C_DATE_NAISSANCE };
	static const char *const liens[] = { "CONJOINT", "PACS", "CONCUBIN",
					     "ENFANT", NULL };
	sqlite3_int64 id;
	struct ymd b;

	required(c, req, 5);
	if (c->fs.errors || rule_nir(fs, get(c, C_NIR), nir) < 0)
		return 0;
	if (!rule_in_list(get(c, C_LIEN), liens))
		rule_add(fs, "E141", "lien", "lien inconnu");
	rule_text(fs, "nom", get(c, C_NOM), 100);
	rule_text(fs, "prenom", get(c, C_PRENOM), 100);
	if (rule_date(fs, "date_naissance", get(c, C_DATE_NAISSANCE),
		      &b) == 0 && rule_days(b.y, b.m, b.d) > c->today)
		rule_add(fs, "E125", "date_naissance", "date de naissance dans "
			"le futur");
	if (c->fs.errors)
		return 0;
	if ((id = employee_id(c, nir)) == 0) {
		rule_add(fs, "E202", "nir", "salarié inconnu chez cet "
			 "employeur");
		return 0;
	}
	sqlite3_bind_int64(c->ins_ben, 1, id);
	bind(c->ins_ben, 2, get(c, C_LIEN));
	bind(c->ins_ben, 3, get(c, C_NOM));
	bind(c->ins_ben, 4, get(c, C_PRENOM));
	bind(c->ins_ben, 5, get(c, C_DATE_NAISSANCE));
	return step(c, c->ins_ben) < 0 ? -1 : 1;
}

/* radiation - a RADIATION row; 1 applied, 0 refused, -1 error */
static int radiation(struct ctx *c, char nir[16])
{
	struct findings *fs = &c->fs;
	static const enum col req[] = { C_NIR, C_DATE_FIN_CONTRAT,
					C_MOTIF_RUPTURE };
	const char *motif = get(c, C_MOTIF_RUPTURE);
	struct ymd e;
	int v;

	required(c, req, 3);
	if (c->fs.errors || rule_nir(fs, get(c, C_NIR), nir) < 0)
		return 0;
	(void)rule_date(fs, "date_fin_contrat", get(c, C_DATE_FIN_CONTRAT), &e);
	if (strlen(motif) != 3 || rule_digits(motif, 3, &v) < 0)
		rule_add(fs, "E182", "motif_rupture", "motif de rupture "
			 "inconnu");
	if (c->fs.errors)
		return 0;
	bind(c->radiate, 1, get(c, C_DATE_FIN_CONTRAT));
	bind(c->radiate, 2, motif);
	bind(c->radiate, 3, EMPLOYER);
	bind(c->radiate, 4, nir);
	if (step(c, c->radiate) < 0)
		return -1;
	if (sqlite3_changes(c->db) == 0) {
		rule_add(fs, "E202", "nir", "salarié inconnu ou déjà radié");
		return 0;
	}
	return 1;
}

/* cell - one report cell: quoted when it must be, guarded from formulas */
static void cell(FILE *fp, const char *s, int last)
{
	const char *p;

	if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		fputc('\'', fp);
	if (strpbrk(s, ";\"\r\n") == NULL) {
		fputs(s, fp);
	} else {
		fputc('"', fp);
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				fputc('"', fp);
			fputc(*p, fp);
		}
		fputc('"', fp);
	}
	fputs(last ? "\r\n" : ";", fp);
}

static void report_line(struct ctx *c, long line, const char *op,
			const char *nir, const char *result, const char *code,
			const char *field, const char *msg)
{
	char num[24];

	snprintf(num, sizeof(num), "%ld", line);
	cell(c->report, num, 0);
	cell(c->report, op, 0);
	cell(c->report, nir, 0);
	cell(c->report, result, 0);
	cell(c->report, code, 0);
	cell(c->report, field, 0);
	cell(c->report, msg, 1);
}

/* movement - the row as a movement: checked, applied, reported */
static void movement(struct ctx *c)
{
	struct findings *fs = &c->fs;
	const char *op = get(c, C_OPERATION), *shown;
	const struct finding *f;
	char nir[16] = "";
	int rc = 0;

	fs->n = fs->errors = 0;
	c->movements++;
	if (strcmp(op, "AFFILIATION_SIMPLE") == 0 ||
	    strcmp(op, "AFFILIATION_COMPLETE") == 0) {
		int complete = op[12] == 'C';

		check_person(c, nir, complete);
		if (fs->errors == 0)
			rc = affiliation(c, nir, complete);
	} else if (strcmp(op, "AYANT_DROIT") == 0) {
		rc = beneficiary(c, nir);
	} else if (strcmp(op, "RADIATION") == 0) {
		rc = radiation(c, nir);
	} else {
		rule_add(fs, "E100", "operation", "opération inconnue");
	}
	if (rc < 0)
		return;
	shown = nir[0] ? nir : get(c, C_NIR);
	if (fs->errors) {
		c->rejected++;
		for (f = fs->f; f < fs->f + fs->n; f++)
			if (f->code[0] == 'E')
				report_line(c, c->line, op, shown, "REJETE",
					    f->code, f->field, f->msg);
		return;
	}
	c->accepted++;
	report_line(c, c->line, op, nir, "ACCEPTE", rc ? "I000" : "I200", "",
		    rc ? "mouvement appliqué" : "déjà pris en compte");
	for (f = fs->f; f < fs->f + fs->n; f++) {
		c->warnings++;
		report_line(c, c->line, op, nir, "AVERTISSEMENT", f->code,
			    f->field, f->msg);
	}
}

/* on_field, on_row - libcsv's callbacks: a field copied, a row done */
static void on_field(void *s, size_t len, void *data)
{
	struct ctx *c = data;

	if (c->nf == (int)(sizeof(c->off) / sizeof(c->off[0])) ||
	    c->used + len + 1 > sizeof(c->buf)) {
		c->overflow = 1;
		return;
	}
	c->off[c->nf++] = c->used;
	memcpy(c->buf + c->used, s, len);
	c->buf[c->used + len] = '\0';
	c->used += len + 1;
}

static void on_row(int term, void *data)
{
	struct ctx *c = data;
	int i, k;

	(void)term;
	c->line++;
	if (c->overflow) {
		fprintf(stderr, "baseline_ingest: %s: line %ld too long\n",
			c->file, c->line);
		c->failed = 1;
	} else if (!c->header_done) {
		for (k = 0; k < C_COUNT; k++)
			c->map[k] = -1;
		for (i = 0; i < c->nf; i++)
			for (k = 0; k < C_COUNT; k++)
				if (strcmp(c->buf + c->off[i], col_names[k]) ==
				    0)
					c->map[k] = i;
		c->header_done = 1;
	} else if (!c->failed) {
		movement(c);
	}
	c->nf = 0;
	c->used = 0;
	c->overflow = 0;
}

/* ---- one file ---------------------------------------------------------- */

/* report_open - REPORT_DIR/<name>.cr.csv, with its BOM and header */
static FILE *report_open(const char *dir, const char *file)
{
	const char *base = strrchr(file, '/');
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s.cr.csv", dir, base ? base + 1 :
		 file);
	fp = fopen(path, "w");
	if (fp == NULL) {
		fprintf(stderr, "baseline_ingest: %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 16);
	fputs("\xef\xbb\xbfligne;operation;nir;resultat;code;champ;message\r\n",
	      fp);
	return fp;
}

/* summary - the FICHIER line, then the report made durable */
static int summary(struct ctx *c)
{
	int code = c->rejected == 0 ? (c->warnings ? 1 : 0) :
		   c->accepted ? 2 : 3;
	char msg[192];

	snprintf(msg, sizeof(msg), "code retour %d : %ld mouvements, %ld "
		 "acceptés, %ld rejetés, %ld avertissements", code,
		 c->movements, c->accepted, c->rejected, c->warnings);
	report_line(c, 0, "FICHIER", "", code < 2 ? "ACCEPTE" : "REJETE",
		    code == 0 ? "CR0" : code == 1 ? "CR1" : code == 2 ? "CR2" :
		    "CR3", "", msg);
	if (fflush(c->report) != 0 || fsync(fileno(c->report)) != 0) {
		fprintf(stderr, "baseline_ingest: report: %s\n",
			strerror(errno));
		return -1;
	}
	return 0;
}

/* parse - the whole file through libcsv, row by row */
static int parse(struct ctx *c, int fd)
{
	static char chunk[1 << 16];
	struct csv_parser p;
	ssize_t n;
	int rc = 0;

	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		return -1;
	csv_set_delim(&p, ';');
	while (!c->failed && (n = read(fd, chunk, sizeof(chunk))) > 0) {
		const char *s = chunk;
		size_t len = (size_t)n;

		if (c->line == 0 && c->nf == 0 && c->used == 0 && len >= 3 &&
		    memcmp(s, "\xef\xbb\xbf", 3) == 0) {
			s += 3;
			len -= 3;
		}
		if (csv_parse(&p, s, len, on_field, on_row, c) != len) {
			fprintf(stderr, "baseline_ingest: %s: %s\n", c->file,
				csv_strerror(csv_error(&p)));
			rc = -1;
			break;
		}
	}
	if (rc == 0 && csv_fini(&p, on_field, on_row, c) != 0)
		rc = -1;
	csv_free(&p);
	return rc < 0 || c->failed ? -1 : 0;
}

/* ingest - one file in one transaction; 0, or -1 said (rolled back) */
static int ingest(struct ctx *c, const char *dir, const char *file)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC), rc = -1;

	c->file = file;
	c->line = c->movements = c->accepted = c->rejected = c->warnings = 0;
	c->header_done = c->failed = c->nf = 0;
	c->used = 0;
	c->last_id = 0;
	if (fd < 0) {
		fprintf(stderr, "baseline_ingest: %s: %s\n", file,
			strerror(errno));
		return -1;
	}
	if ((c->report = report_open(dir, file)) == NULL)
		goto out;
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL,
			 NULL) != SQLITE_OK)
		goto out;
	if (parse(c, fd) == 0 && summary(c) == 0 &&
	    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
	else
		(void)sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
out:
	if (c->report != NULL && fclose(c->report) != 0)
		rc = -1;
	c->report = NULL;
	close(fd);
	return rc;
}

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"CREATE TABLE employee (id INTEGER PRIMARY KEY, employer TEXT NOT NULL,"
	" nir TEXT NOT NULL, nom TEXT, prenom TEXT, date_naissance TEXT,"
	" date_embauche TEXT, categorie TEXT, email TEXT, option TEXT,"
	" status TEXT NOT NULL, date_fin_contrat TEXT, motif_rupture TEXT,"
	" file TEXT, line INTEGER);"
	"CREATE UNIQUE INDEX employee_nir ON employee (employer, nir);"
	"CREATE TABLE beneficiary (id INTEGER PRIMARY KEY,"
	" employee_id INTEGER NOT NULL REFERENCES employee (id), lien TEXT,"
	" nom TEXT, prenom TEXT, date_naissance TEXT);"
	"CREATE INDEX beneficiary_employee ON beneficiary (employee_id);";

static const char sql_pragmas[] =
	"PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;";
static const char sql_ins_emp[] =
	"INSERT INTO employee (employer, nir, nom, prenom, date_naissance,"
	" date_embauche, categorie, email, option, status, file, line)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	" ON CONFLICT (employer, nir) DO NOTHING";
static const char sql_ins_ben[] =
	"INSERT INTO beneficiary (employee_id, lien, nom, prenom,"
	" date_naissance) VALUES (?, ?, ?, ?, ?)";
static const char sql_find_emp[] =
	"SELECT id FROM employee WHERE employer = ? AND nir = ?";
static const char sql_radiate[] =
	"UPDATE employee SET status = 'RADIE', date_fin_contrat = ?,"
	" motif_rupture = ? WHERE employer = ? AND nir = ?"
	" AND status <> 'RADIE'";

/* prepare - the connection's pragmas and its four statements */
static int prepare(struct ctx *c)
{
	sqlite3 *db = c->db;

	return sqlite3_exec(db, sql_pragmas, NULL, NULL, NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db, sql_ins_emp, -1, &c->ins_emp,
				  NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db, sql_ins_ben, -1, &c->ins_ben,
				  NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db, sql_find_emp, -1, &c->find_emp,
				  NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db, sql_radiate, -1, &c->radiate,
				  NULL) != SQLITE_OK ? -1 : 0;
}

int main(int argc, char **argv)
{
	static struct ctx c;	/* the row buffer: 1 MiB, not on the stack */
	struct tm tm;
	time_t now = time(NULL);
	int i, rc = 0;

	if (argc == 3 && strcmp(argv[1], "--init") == 0) {
		if (sqlite3_open(argv[2], &c.db) != SQLITE_OK ||
		    sqlite3_exec(c.db, schema, NULL, NULL, NULL) != SQLITE_OK) {
			fprintf(stderr, "baseline_ingest: %s: %s\n", argv[2],
				sqlite3_errmsg(c.db));
			return 1;
		}
		return sqlite3_close(c.db) == SQLITE_OK ? 0 : 1;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: baseline_ingest --init DB\n"
			"       baseline_ingest DB REPORT_DIR FILE.csv...\n");
		return 2;
	}
	localtime_r(&now, &tm);
	c.today = rule_days(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	if (sqlite3_open(argv[1], &c.db) != SQLITE_OK || prepare(&c) < 0) {
		fprintf(stderr, "baseline_ingest: %s: %s\n", argv[1],
			sqlite3_errmsg(c.db));
		return 1;
	}
	for (i = 3; i < argc; i++)
		if (ingest(&c, argv[2], argv[i]) < 0)
			rc = 1;
	sqlite3_finalize(c.ins_emp);
	sqlite3_finalize(c.ins_ben);
	sqlite3_finalize(c.find_emp);
	sqlite3_finalize(c.radiate);
	if (sqlite3_close(c.db) != SQLITE_OK)
		rc = 1;
	return rc;
}
