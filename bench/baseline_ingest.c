/*
 * baseline_ingest - the "careful C ingest" of spool.md's throughput budget:
 * read a generated affiliation file line by line and do one prepared,
 * indexed insert per row into SQLite (WAL, synchronous=FULL, one
 * transaction), nothing else.  affild's cost per movement is compared to
 * this, measured side by side (bench_throughput.sh).
 *
 *	baseline_ingest FILE.csv DB
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define COLS 8

int main(int argc, char **argv)
{
	char line[4096], *f[COLS], *p;
	sqlite3_stmt *ins;
	sqlite3 *db;
	FILE *fp;
	long n = 0;
	int i;

	if (argc != 3 || (fp = fopen(argv[1], "r")) == NULL ||
	    sqlite3_open(argv[2], &db) != SQLITE_OK)
		return 2;
	if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "PRAGMA cache_size=-65536;"
			 "CREATE TABLE employee (id INTEGER PRIMARY KEY,"
			 " employer TEXT, nir TEXT, nom TEXT, prenom TEXT,"
			 " date_naissance TEXT, date_embauche TEXT,"
			 " categorie TEXT, email TEXT, UNIQUE (employer, nir));"
			 "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO employee (employer, nir, nom,"
			       " prenom, date_naissance, date_embauche,"
			       " categorie, email) VALUES ('12345678', ?, ?, ?,"
			       " ?, ?, ?, ?)", -1, &ins, NULL) != SQLITE_OK)
		return 2;
	if (fgets(line, sizeof(line), fp) == NULL)	/* the header */
		return 2;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		for (i = 0, p = line; i < COLS && p; i++) {
			f[i] = p;
			if ((p = strchr(p, ';')) != NULL)
				*p++ = '\0';
		}
		if (i < COLS)
			continue;
		for (i = 1; i < COLS; i++)	/* skip the operation */
			sqlite3_bind_text(ins, i, f[i], -1, SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			return 1;
		sqlite3_reset(ins);
		n++;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return 1;
	sqlite3_finalize(ins);
	sqlite3_close(db);
	fclose(fp);
	printf("%ld\n", n);
	return 0;
}
