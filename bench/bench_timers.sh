#!/bin/sh
# bench_timers.sh - the due check with 1,000,000 employees, nothing due
# (issue 7: "well under a millisecond").  Figures: docs/performance.md,
# "## Timers".  Builds bench/bench_timers.c against build/libaffild.a.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
make --no-print-directory -s build/libaffild.a
tmp=$(mktemp -d /tmp/bench_timers.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc -std=c11 -D_GNU_SOURCE -O2 -I. -o "$tmp/bench_timers" bench/bench_timers.c \
	build/libaffild.a $(pkg-config --libs libxml-2.0 sqlite3 libcurl \
	yaml-0.1 libsystemd libcrypto) -lcsv
bench_config "$tmp"
"$tmp/bench_timers" "$tmp/affild.yaml" "$tmp/affild.db"
