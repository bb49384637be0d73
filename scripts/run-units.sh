#!/bin/sh
# run-units.sh - run each cmocka unit test binary; fail if any fails.
set -u
failed=0
passed=0
for t in "$@"; do
	if "$t"; then
		passed=$((passed + 1))
	else
		echo "FAILED: $t" >&2
		failed=$((failed + 1))
	fi
done
echo "unit test programs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
