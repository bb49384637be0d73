#!/bin/sh
# bench_smtp.sh - deliver 1,000 messages to a loopback SMTP server.
#
# The real affild (bin/) with mail.transport: smtp, a real aiosmtpd on
# 127.0.0.1 (tests/e2e/smtp_server.py, the same Recorder the tests use).
# One payroll file of 1,000 AFFILIATION_COMPLETE rows queues 1,000
# confirmations; the figures are the delivery rate seen by the server
# (first to last message), the time from the drop to the last message, and
# the number of connections that carried mail (1 = the connection was
# reused for every message).  The same file with the `file` transport is
# run side by side as the reference.  Figures: docs/performance.md.
set -eu
cd "$(dirname "$0")/.."
N=${BENCH_SMTP_N:-1000}
exec /usr/bin/python3 - "$N" <<'PY'
import sys, tempfile, time
from datetime import date
from pathlib import Path

sys.path.insert(0, "tests/e2e")
from conftest import HEADER, Affild, make_nir, row, wait_for
from smtp_server import Server
from test_smtp import smtp_affild

n = int(sys.argv[1])
born = date(1985, 1, 1)
text = HEADER + "".join(
    row("AFFILIATION_COMPLETE", make_nir(2, born, 1000 + i), "Durand",
        "Émilie", born.isoformat(), "e%d@example.fr" % i, "BASE")
    for i in range(n))


def sent(a):
    return sum(m["state"] == "sent" for m in a.ctl_json("outbox"))


with tempfile.TemporaryDirectory() as tmp:
    srv = Server()
    srv.start()
    a = smtp_affild(Path(tmp) / "smtp", srv.port, timeout=60)
    a.start()
    t0 = time.monotonic()
    a.drop("bench.csv", text)
    wait_for(lambda: len(srv.handler.messages) >= n, timeout=600,
             what="%d messages" % n, log=a.log)
    t1 = time.monotonic()
    wait_for(lambda: sent(a) == n, timeout=120, what="outbox all sent")
    a.stop()
    srv.stop()
    times = srv.handler.times
    rate = (n - 1) / (times[-1] - times[0]) if n > 1 else float("nan")
    print("smtp: %d messages, %.0f messages/s at the server (first to last), "
          "%.1f s from drop to last message, %d connection(s) carried mail"
          % (len(srv.handler.messages), rate, t1 - t0,
             srv.handler.connections()))

    f = Affild(Path(tmp) / "file")
    f.start()
    t0 = time.monotonic()
    f.drop("bench.csv", text)
    wait_for(lambda: len(f.mails()) >= n, timeout=600, what="%d .eml" % n)
    t1 = time.monotonic()
    f.stop()
    print("file: %d messages, %.1f s from drop to last .eml (reference)"
          % (len(f.mails()), t1 - t0))
PY
