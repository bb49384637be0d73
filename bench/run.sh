#!/bin/sh
# run.sh - every benchmark, one after the other: bench/bench_*.sh.
#
# Each bench_*.sh measures one budget of spool.md or the issues and prints
# its figures; docs/performance.md records them with the machine they came
# from.  Benchmarks compare ratios measured side by side in one run: the
# machines are shared and noisy, so no absolute figure is a pass/fail test.
set -eu
cd "$(dirname "$0")/.."
status=0
for b in bench/bench_*.sh; do
	[ -e "$b" ] || continue
	echo "== $b"
	sh "$b" || status=1
done
exit $status
