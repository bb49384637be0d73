/*
 * store_fixture - a fresh store in a temporary directory, for the unit
 * tests of store/ that need no configuration (test_store_file.c,
 * test_store_outbox.c).  Included by one test program at a time: every
 * function is static.
 *
 * store_setup(state, name) opens /tmp/<name>.XXXXXX/affild.db read-write
 * (migrated, busy timeout 5 s) as the cmocka state; store_teardown()
 * closes it and removes the database, its -wal and -shm files and the
 * directory.
 */
#ifndef AFFILD_TESTS_STORE_FIXTURE_H
#define AFFILD_TESTS_STORE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/store_priv.h"
#include "tests/unit/db_fixture.h"

struct fx {
	char dir[64], db[96];
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
	snprintf(f->db, sizeof(f->db), "%s/affild.db", f->dir);
	f->st = store_open(f->db, STORE_RW, 8, 5);
	if (f->st == NULL)
		return -1;
	*state = f;
	return 0;
}

static int store_teardown(void **state)
{
	struct fx *f = *state;
	static const char *const ext[] = { "", "-wal", "-shm" };
	char path[128];
	size_t i;

	store_close(f->st);
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", f->db, ext[i]);
		unlink(path);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

#endif
