/*
 * store_priv - what the store_*.c files share; not for use outside store/.
 */
#ifndef AFFILD_STORE_PRIV_H
#define AFFILD_STORE_PRIV_H

#include <sqlite3.h>

#include "store/store.h"

#define STORE_MAX_STMTS 64

struct store {
	sqlite3 *db;
	char *path;
	struct {
		const char *sql;	/* static string: compared by address */
		sqlite3_stmt *stmt;
	} cache[STORE_MAX_STMTS];
	int ncache;
};

/* st_stmt - a prepared, reset statement for a static SQL string */
sqlite3_stmt *st_stmt(struct store *st, const char *sql);
int st_exec(struct store *st, const char *sql);
/* st_done - step a statement to completion; 0 or -1 after logging */
int st_done(struct store *st, sqlite3_stmt *s);
/* st_text - bind a C string, NULL as SQL NULL */
int st_text(sqlite3_stmt *s, int i, const char *v);
char *st_col_dup(sqlite3_stmt *s, int i);	/* owned, NULL for SQL NULL */
void st_log_error(struct store *st, const char *what);
/* st_now - the current UTC time as "AAAA-MM-JJTHH:MM:SSZ" */
void st_now(char out[32]);

int store_migrate(struct store *st);

#endif
