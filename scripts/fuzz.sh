#!/bin/sh
# fuzz.sh - replay the regression inputs, then fuzz each target for a while.
#
#   sh scripts/fuzz.sh BUILD SECONDS TARGET...
#
# For each TARGET: BUILD/fuzz_TARGET runs once on every file of
# fuzz/regress/TARGET/ (each a past finding: it must pass), then fuzzes for
# SECONDS from fuzz/corpus/TARGET/ (the seeds, never written to) and
# BUILD/corpus/TARGET/ (what the runs learnt).  A crash leaves its input in
# BUILD/artifacts/ and fails the run; BUILD/fuzz-summary.txt gets one line
# per target: seconds, executions, corpus size.
set -u
build=$1 secs=$2
shift 2
failed=0
mkdir -p "$build/artifacts" "$build/logs"
: > "$build/fuzz-summary.txt"
for t in "$@"; do
	bin=$build/fuzz_$t
	log=$build/logs/$t.log
	if [ -d "fuzz/regress/$t" ] && [ -n "$(ls "fuzz/regress/$t")" ]; then
		if ! "$bin" fuzz/regress/"$t"/* > "$log.regress" 2>&1; then
			echo "FAILED: $t on fuzz/regress/$t (see $log.regress)" >&2
			failed=1
			continue
		fi
	fi
	dict=""
	[ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
	mkdir -p "$build/corpus/$t"
	# shellcheck disable=SC2086
	if "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$build/artifacts/$t-" $dict \
	    "$build/corpus/$t" "fuzz/corpus/$t" > "$log" 2>&1; then
		status=ok
	else
		status=FAILED
		failed=1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	units=$(ls "$build/corpus/$t" | wc -l)
	echo "$t seconds=$secs executions=${execs:-?} corpus=$units $status" |
		tee -a "$build/fuzz-summary.txt"
	[ "$status" = ok ] || tail -n 40 "$log" >&2
done
[ "$failed" -eq 0 ]
