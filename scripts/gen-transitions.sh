#!/bin/sh
# gen-transitions.sh - rewrite docs/process.md's transition tables from
# process/transition.c.
#
# The tables between the doc's "transitions: begin" and "transitions: end"
# comments are what build/tools/print_transitions prints (transition_doc());
# tests/unit/test_process.c fails while the two differ.  Run from the top
# of the tree after changing a cell:  make transitions-doc
set -eu
tool=${1:-build/tools/print_transitions}
doc=docs/process.md
begin='<!-- transitions: begin -->'
end='<!-- transitions: end -->'
if ! grep -qxF "$begin" "$doc" || ! grep -qxF "$end" "$doc"; then
	echo "gen-transitions.sh: $doc has no '$begin' ... '$end' block" >&2
	exit 1
fi
"$tool" > "$doc.gen"
awk -v gen="$doc.gen" -v b="$begin" -v e="$end" '
	$0 == b { print; while ((getline line < gen) > 0) print line; skip = 1; next }
	$0 == e { skip = 0 }
	!skip { print }
' "$doc" > "$doc.tmp"
rm -f "$doc.gen"
mv "$doc.tmp" "$doc"
