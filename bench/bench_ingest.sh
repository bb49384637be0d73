#!/bin/sh
# bench_ingest.sh - issue 14's ingest, side by side: the same generated
# files through affild (`affild -c CONF --once --no-deliver`: no daemon
# start-up polling, no settle delay), the careful C reference
# (bench/baseline_ingest.c), the Python stdlib reference
# (bench/ref_ingest.py) and `sqlite3 .import`, in alternated rounds:
#
#   rules        the references give affild's codes on a file that breaks
#                each field rule once (else the figures would mean nothing)
#   simple_csv   N AFFILIATION_SIMPLE, CSV
#   simple_xml   the same N in XML, paired with CSV (ratio XML/CSV)
#   complete     N AFFILIATION_COMPLETE with one AYANT_DROIT each
#   radiation    N RADIATION against a portfolio of N
#   files        INGEST_FILES files of INGEST_FILE_ROWS movements, ms/file
#   latency      drop (rename) to report of a 10-movement file, the daemon
#                running
#
# Per contender: the median time, µs per movement and peak RSS; the
# medians of the paired ratios affild/C, Python/affild, affild/import.
# Sizes: INGEST_N (200000), INGEST_K rounds (5), INGEST_FILES (1000),
# INGEST_FILE_ROWS (10), INGEST_DROPS (30); INGEST_SCENARIOS to pick;
# INGEST_DIR for the work folder (on the disk being measured, not tmpfs).
# The issue's 1,000,000:  INGEST_N=1000000 sh bench/bench_ingest.sh
# (about 10 GB of disk and an hour on 2 cores).  Quick look:
# INGEST_N=20000 INGEST_K=2 INGEST_FILES=100 sh bench/bench_ingest.sh
set -eu
cd "$(dirname "$0")/.."
make --no-print-directory -s all
WORK=$(mktemp -d "${INGEST_DIR:-/tmp}/affild-ingest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
WARN="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
-Wstrict-prototypes -Wmissing-prototypes -Wvla"
# shellcheck disable=SC2086  # WARN is a list of flags
cc $WARN -O2 -o "$WORK/baseline_ingest" bench/baseline_ingest.c \
	bench/baseline_rules.c -lcsv -lsqlite3
# shellcheck disable=SC2086
cc $WARN -O2 -o "$WORK/measure" bench/measure.c
if ! /usr/bin/python3 bench/ingest_driver.py "$WORK" "$WORK"; then
	cp "$WORK/runs.log" "${TMPDIR:-/tmp}/affild-ingest-runs.log"
	echo "bench_ingest: failed; the runs' output is in" \
		"${TMPDIR:-/tmp}/affild-ingest-runs.log" >&2
	exit 1
fi
