/*
 * store_fixture - a fresh store in a temporary directory, for the unit
 * tests of store/ that need no configuration (test_store_*.c, test_smtp.c).
 * Included by one test program at a time: every function is static.
 *
 * store_setup(state, name) makes /tmp/<name>.XXXXXX and a fresh database
 * (db_fixture.h: <dir>/affild.db, or one of its own on PostgreSQL), opens
 * it read-write (migrated, busy timeout 5 s) as the cmocka state;
 * store_teardown() closes it and removes the database and the directory.
 */
#ifndef AFFILD_TESTS_STORE_FIXTURE_H
#define AFFILD_TESTS_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/store_priv.h"
#include "tests/unit/db_fixture.h"

struct fx {
	char dir[64], db[DBX_TARGET_MAX];	/* db: store_open()'s target */
	struct store *st;
};

static int store_setup(void **state, const char *name)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(f->dir) == NULL)
		return -1;
	if (dbx_new(f->db, sizeof(f->db), f->dir) < 0)
		return -1;
	f->st = store_open(f->db, STORE_RW, 8, 5);
	if (f->st == NULL)
		return -1;
	*state = f;
	return 0;
}

static int store_teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	dbx_drop(f->db);
	rmdir(f->dir);
	free(f);
	return 0;
}

#endif
