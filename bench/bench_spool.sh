#!/bin/sh
# bench_spool.sh - the spool's costs (spool.md, "Budget and limits"):
#   1. a burst of one-row files dropped at once: files per second, end to
#      end (claim, pre-pass, transaction, report, archive: ~10 fsyncs each);
#   2. SIGTERM while a 200,000-row file is being applied: seconds to exit.
# Figures only; the machine is shared (see docs/performance.md).
set -eu
cd "$(dirname "$0")/.."
make --no-print-directory all >/dev/null
BURST=${BENCH_SPOOL_FILES:-1000}
cd tests/e2e
AFFILD_BIN=$(cd ../.. && pwd)/bin BURST=$BURST /usr/bin/python3 - <<'PY'
import os, shutil, signal, tempfile, time
from pathlib import Path
from conftest import HEADER, Affild, wait_for
from spool_util import csv_rows, simple

n = int(os.environ["BURST"])
root = Path(tempfile.mkdtemp(prefix="bench-spool-"))
try:
    a = Affild(root / "burst", settle_ms=200)
    a.start()
    d = a.drop_dir()
    for i in range(n):
        (d / ("b%05d.csv.part" % i)).write_text(csv_rows(10000 + i, 1))
    t0 = time.monotonic()
    for i in range(n):
        os.rename(d / ("b%05d.csv.part" % i), d / ("b%05d.csv" % i))
    out = a.out_dir()
    wait_for(lambda: sum(1 for _ in out.iterdir()) >= n + 1, timeout=3600)
    dt = time.monotonic() - t0
    a.stop()
    print("burst: %d one-row files in %.1f s: %.0f files/s" % (n, dt, n / dt))

    b = Affild(root / "term", settle_ms=0)
    b.start()
    b.drop("gros.csv", HEADER + "".join(simple(100000 + k) for k in range(200000)))
    wait_for(lambda: b"event=file_claimed" in b.log.read_bytes(), timeout=60)
    time.sleep(0.5)
    t0 = time.monotonic()
    b.proc.send_signal(signal.SIGTERM)
    b.proc.wait(timeout=60)
    b.proc = None
    print("sigterm: 200,000-row file in progress, daemon exited in %.2f s "
          "(file rolled back, resumed at next start)" % (time.monotonic() - t0))
finally:
    shutil.rmtree(root)
PY
