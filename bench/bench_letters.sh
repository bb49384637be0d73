#!/bin/sh
# bench_letters.sh - PDF letters through the real daemon.
#
# Drops one file of N AFFILIATION_SIMPLE rows with a postal address and no
# email, and times from the drop to the day's manifest listing N letters
# (file processing, then one PDF + one manifest rewrite per letter, each
# fsynced).  Run for two sizes side by side: the manifest is rewritten
# whole for each letter, so the time per letter grows with the letters of
# the day; the ratio shows by how much.  Figures: docs/performance.md.
set -eu
cd "$(dirname "$0")/.."
[ -x bin/affild ] || make --no-print-directory all >/dev/null
AFFILD_BIN="$PWD/bin" /usr/bin/python3 - "${LETTERS_SMALL:-100}" \
	"${LETTERS_LARGE:-1000}" <<'EOF'
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, "tests/e2e")
from conftest import Affild, make_nir, today, wait_for  # noqa: E402

HEADER = ("operation;nir;nom;prenom;date_naissance;date_embauche;categorie;"
          "adresse;code_postal;ville\n")


def run(n):
    with tempfile.TemporaryDirectory() as root:
        a = Affild(root)
        a.start()
        try:
            rows = [HEADER]
            for i in range(n):
                rows.append(";".join([
                    "AFFILIATION_SIMPLE", make_nir(2, date(1990, 1, 1), i),
                    "Lefèvre", "Anaïs", "1990-01-01", today(), "NON_CADRE",
                    "%d rue des Lilas" % (i + 1), "42000",
                    "Saint-Étienne"]) + "\n")
            day = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y%m%d")
            manifest = Path(root) / "print" / day / "manifest.csv"

            def listed():
                if not manifest.exists():
                    return 0
                return manifest.read_bytes().count(b"\r\n") - 1

            t0 = time.monotonic()
            a.drop("lettres.csv", "".join(rows))
            wait_for(lambda: listed() >= n, timeout=600, what="letters")
            dt = time.monotonic() - t0
            size = manifest.stat().st_size
        finally:
            a.stop()
    return dt, size


results = []
for n in map(int, sys.argv[1:]):
    dt, size = run(n)
    results.append((n, dt))
    print("letters=%d seconds=%.2f ms_per_letter=%.1f letters_per_s=%.0f "
          "manifest_bytes=%d" % (n, dt, 1000 * dt / n, n / dt, size))
(n1, t1), (n2, t2) = results[0], results[-1]
print("per-letter time ratio %d vs %d letters: %.2f"
      % (n2, n1, (t2 / n2) / (t1 / n1)))
EOF
