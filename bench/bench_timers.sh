#!/bin/sh
# bench_timers.sh - the due check with 1,000,000 employees, nothing due
# (issue 7: "well under a millisecond").  Figures: docs/performance.md,
# "## Timers".  make builds bench/bench_timers.c against build/libaffild.a
# with the daemon's own libraries.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
make --no-print-directory -s build/bench/bench_timers
tmp=$(mktemp -d /tmp/bench_timers.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bench_config "$tmp"
build/bench/bench_timers "$tmp/affild.yaml" "$tmp/affild.db"
