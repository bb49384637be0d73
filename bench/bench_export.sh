#!/bin/sh
# bench_export.sh - `affilctl export` of 100,000 then 1,000,000 employees:
# peak RSS and time, as CSV and as JSON.
#
# The database is made by the daemon (its schema), then filled by SQL
# (two employers, every column an export prints).  Issue 15's budget: the
# export is streamed, its memory flat whatever the number of employees
# (tests/e2e/test_affilctl.py holds 20,000 against 200,000 within 10 MB;
# this measures the million).  BENCH_SIZES="10000 100000" for a quick look.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
make -s all
if [ ! -x /usr/bin/time ]; then
	echo "bench_export: needs /usr/bin/time (Debian package time)" >&2
	exit 1
fi
SIZES=${BENCH_SIZES:-"100000 1000000"}
TMP=$(mktemp -d /tmp/affild-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM

# database ROOT N - the daemon's schema, then N employees
database() {
	bench_config "$1"
	bin/affild -c "$1/affild.yaml" 2> "$1/affild.log" &
	pid=$!
	while ! grep -q event=started "$1/affild.log" 2>/dev/null; do
		sleep 0.1
	done
	kill -TERM "$pid"
	wait "$pid"
	python3 - "$1/affild.db" "$2" <<'PY'
import sqlite3, sys
with sqlite3.connect(sys.argv[1]) as c:
    c.execute(
        "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k"
        " WHERE x < ?) INSERT INTO employee (employer, nir, status,"
        " status_since, nom, prenom, date_naissance, date_embauche,"
        " categorie, option, email, matricule, updated_at) SELECT"
        " CASE x % 3 WHEN 0 THEN '12345678' ELSE '87654321' END,"
        " printf('1%014d', x), 'AFFILIE', '2026-11-01', 'Nom' || x,"
        " 'Prénom', '1990-04-12', '2026-11-01', 'NON_CADRE', 'BASE',"
        " 'p' || x || '@example.fr', 'M' || x, 'x' FROM k",
        (int(sys.argv[2]),))
PY
}

for n in $SIZES; do
	root=$TMP/export-$n
	database "$root" "$n"
	for fmt in csv json; do
		/usr/bin/time -f '%M %e' -o "$root/time.txt" bin/affilctl \
			-c "$root/affild.yaml" export --format "$fmt" \
			-o "$root/export.$fmt"
		set -- $(tail -1 "$root/time.txt")
		printf '%-4s %8d employees  peak RSS %6d KB  %6.2f s  %4d MB\n' \
			"$fmt" "$n" "$1" "$2" \
			$(($(stat -c %s "$root/export.$fmt") / 1048576))
	done
done
