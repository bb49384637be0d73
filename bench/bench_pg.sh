#!/bin/sh
# bench_pg.sh - issue 18: the ingest of N AFFILIATION_SIMPLE into a local
# PostgreSQL (a durable throwaway cluster: fsync and synchronous commit
# on) beside SQLite, alternated, and the copy of the loaded SQLite database
# to PostgreSQL (affild --copy-to).  bench/pg_driver.py says how.
# Sizes: PG_N (200000), PG_K rounds (3).  The issue's 1,000,000:
#   PG_N=1000000 sh bench/bench_pg.sh
set -eu
cd "$(dirname "$0")/.."
[ -n "${AFFILD_BIN:-}" ] || make --no-print-directory -s all
WORK=$(mktemp -d "${INGEST_DIR:-/tmp}/affild-pg-bench.XXXXXX")
PGDIR=$(mktemp -d /tmp/affild-pgb.XXXXXX) && rmdir "$PGDIR"
trap 'sh scripts/pg-cluster.sh stop "$PGDIR" >/dev/null; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
sh scripts/pg-cluster.sh start "$PGDIR" >/dev/null
cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -o "$WORK/measure" \
	bench/measure.c
/usr/bin/python3 bench/pg_driver.py "$WORK" "$WORK" "$PGDIR"
