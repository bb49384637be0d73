#!/bin/sh
# bench_reader_memory.sh - peak RSS of affild reading a payroll file whose
# size grows tenfold: 100,000 then 1,000,000 movements, as CSV and as XML.
#
# Each file goes through the real daemon (reader, checks, store: every
# movement applied under its savepoint in the file's transaction) as a
# validation drop, so that the run measures the reader path and not the
# writing of a million invitation emails afterwards.  Peak RSS is read
# from /usr/bin/time -v around a fresh daemon per file.  The issue's
# budget: the two sizes within 10 % of each other (memory does not grow
# with the file).  For XML, the same file also goes through libxml2's
# streaming XSD validation alone (xmllint --stream --schema), the part of
# the reader most likely to keep state (when xmllint, Debian package
# libxml2-utils, is installed).  BENCH_SIZES="1000 10000" for a quick look.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
make -s all
if [ ! -x /usr/bin/time ]; then
	echo "bench_reader_memory: needs /usr/bin/time (Debian package time)" >&2
	exit 1
fi
SIZES=${BENCH_SIZES:-"100000 1000000"}
TMP=$(mktemp -d /tmp/affild-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM


# run FMT N - one file through a fresh daemon; prints the figures
run() {
	root=$TMP/$1-$2
	bench_config "$root"
	python3 bench/gen_movements.py "$1" "$2" "$root/mois.$1"
	size=$(stat -c %s "$root/mois.$1")
	if [ "$1" = xml ] && command -v xmllint >/dev/null; then
		/usr/bin/time -f %M -o "$root/xmllint.txt" xmllint --stream \
			--noout --schema schemas/mouvements.xsd \
			"$root/mois.$1" 2>/dev/null
		lint=$(tail -1 "$root/xmllint.txt")
		printf 'xml %8d movements  xmllint --stream --schema: %s KB\n' \
			"$2" "$lint"
	fi
	/usr/bin/time -v -o "$root/time.txt" bin/affild -c "$root/affild.yaml" \
		2> "$root/affild.log" &
	tpid=$!
	while ! grep -q event=started "$root/affild.log" 2>/dev/null; do
		sleep 0.1
	done
	dpid=$(ps -o pid= --ppid "$tpid" | tr -d ' ')
	start=$(date +%s.%N)
	mv "$root/mois.$1" "$root/spool/12345678/in/validation/mois.$1"
	while ! ls "$root/spool/12345678/out/validation/" 2>/dev/null |
	    grep -q '\.cr\.'; do
		sleep 0.2
	done
	end=$(date +%s.%N)
	kill -TERM "$dpid"
	wait "$tpid"
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' \
		"$root/time.txt")
	summary=$(grep -h 'code retour' "$root"/spool/12345678/out/validation/* |
		  tail -1 | sed 's/.*code retour/code retour/; s/".*//')
	printf '%s %8d movements %6d MB file  peak RSS %7d KB  %6.1f s  (%s)\n' \
		"$1" "$2" $((size >> 20)) "$rss" \
		"$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" \
		"$summary"
	echo "$rss" > "$TMP/rss-$1-$2"
	rm -rf "$root/spool" "$root"/affild.db*
}

for fmt in csv xml; do
	for n in $SIZES; do
		run "$fmt" "$n"
	done
	small=$(echo "$SIZES" | awk '{print $1}')
	big=$(echo "$SIZES" | awk '{print $NF}')
	awk -v a="$(cat "$TMP/rss-$fmt-$small")" \
	    -v b="$(cat "$TMP/rss-$fmt-$big")" -v f="$fmt" 'BEGIN {
		r = b / a
		printf "%s: peak RSS at %s / at %s = %.3f (budget: within 10%%): %s\n",
		       f, "'"$big"'", "'"$small"'", r,
		       (r <= 1.10 && r >= 0.90) ? "OK" : "OVER"
	}'
done
