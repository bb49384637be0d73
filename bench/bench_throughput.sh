#!/bin/sh
# bench_throughput.sh - spool.md's throughput budget, measured side by side:
# N simple affiliations (employee, history, invitation in the outbox,
# deadlines, report line each) through the real daemon, from the drop to
# the report, against bench/baseline_ingest.c, the "careful C ingest" that
# does one prepared indexed insert per row.  Same file, same disk, same
# SQLite settings (WAL, synchronous=FULL, 64 MiB cache), one after the
# other, twice each; the ratio is what matters on a shared machine.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
make -s all
N=${THROUGHPUT_N:-100000}
TMP=$(mktemp -d /tmp/affild-throughput.XXXXXX)
trap 'pkill -TERM -f "affild -c $TMP/affild.yaml" 2>/dev/null || true; rm -rf "$TMP"' EXIT INT TERM

cc -O2 -o "$TMP/baseline" bench/baseline_ingest.c -lsqlite3
/usr/bin/python3 bench/gen_movements.py csv "$N" "$TMP/f.csv"
bench_config "$TMP"

now() { date +%s.%N; }

affild_run() {
	rm -rf "$TMP/spool" "$TMP"/affild.db*
	bin/affild -c "$TMP/affild.yaml" --prepare-spool >/dev/null
	bin/affild -c "$TMP/affild.yaml" >"$TMP/affild.log" 2>&1 &
	pid=$!
	while ! grep -q event=started "$TMP/affild.log"; do sleep 0.05; done
	in="$TMP/spool/12345678/in"
	start=$(now)
	cp "$TMP/f.csv" "$in/.f.part" && mv "$in/.f.part" "$in/f.csv"
	while ! ls "$TMP"/spool/12345678/out/f.csv.*.cr.csv >/dev/null 2>&1; do
		sleep 0.05
	done
	end=$(now)
	kill -TERM $pid
	wait $pid || true
	echo "$end - $start" | bc
}

baseline_run() {
	rm -f "$TMP"/b.db*
	start=$(now)
	"$TMP/baseline" "$TMP/f.csv" "$TMP/b.db" >/dev/null
	end=$(now)
	echo "$end - $start" | bc
}

for i in 1 2; do
	a=$(affild_run)
	b=$(baseline_run)
	printf "run %d: %d movements: affild %.2f s (%.1f us each), " \
		"$i" "$N" "$a" "$(echo "$a * 1000000 / $N" | bc -l)"
	printf "baseline %.2f s; ratio %.1f\n" "$b" "$(echo "$a / $b" | bc -l)"
done
