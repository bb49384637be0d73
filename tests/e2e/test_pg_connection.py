"""A connection to PostgreSQL lost in the middle of a file (issue 18).

The server ends the daemon's sessions (pg_terminate_backend: what a
restart or a failover does to a client) while a file of several thousand
movements is being applied, several times.  Each time the file's
transaction dies with its connection, the run is a transient failure, and
the next rescan applies the file again on a new connection: in the end
once, with one report, every employee and invitation once, and no
permanent failure counted against the file.

Runs with AFFILD_TEST_PG only (make test-pg)."""
import random
import time

import pytest

import pg_util
from conftest import HEADER, PG, Affild, wait_for
from spool_util import db, simple

pytestmark = pytest.mark.skipif(not PG, reason="needs AFFILD_TEST_PG")

ROWS = 20000
CUTS = 3


def end_sessions(a):
    """End every session of a's database but this one; how many."""
    rows = pg_util.query(pg_util.url(pg_util.name_of(a.db_url), "postgres"),
                         "SELECT count(pg_terminate_backend(pid))"
                         " FROM pg_stat_activity WHERE datname ="
                         " current_database() AND pid <> pg_backend_pid()")
    return int(rows[0][0])


def applying(a):
    """A session of a's database is inside a transaction."""
    rows = pg_util.query(pg_util.url(pg_util.name_of(a.db_url), "postgres"),
                         "SELECT count(*) FROM pg_stat_activity WHERE"
                         " datname = current_database() AND pid <>"
                         " pg_backend_pid() AND xact_start IS NOT NULL")
    return int(rows[0][0]) > 0


def test_sessions_ended_mid_file_apply_once(tmp_path):
    seed = int(time.time())
    rng = random.Random(seed)
    why = "seed=%d" % seed
    a = Affild(tmp_path / "a", settle_ms=0)
    a.config.write_text(a.config.read_text().replace("rescan_s: 60",
                                                     "rescan_s: 1"))
    a.start()
    try:
        a.drop("gros.csv", HEADER + "".join(simple(k) for k in range(ROWS)))
        cuts = 0
        deadline = time.time() + 120

        def failed_runs():
            return a.log.read_text().count("class=tempfail")
        while failed_runs() < CUTS and time.time() < deadline \
                and not a.reports("gros"):
            if not applying(a):
                time.sleep(0.01)
                continue
            time.sleep(rng.uniform(0, 0.05))
            cuts += end_sessions(a)
            time.sleep(0.1)
        assert failed_runs() >= 1, (why, cuts, a.log.read_text()[-3000:])
        report = a.wait_report("gros")
        assert len(a.reports("gros")) == 1, why
        assert sum(1 for r in report if r["resultat"] == "ACCEPTE"
               and r["ligne"] != "0") == ROWS, why
        with db(a) as c:
            files = c.execute("SELECT state, accepted FROM file").fetchall()
            emps = c.execute("SELECT count(*) FROM employee").fetchone()[0]
            queued = c.execute("SELECT count(*) FROM outbox").fetchone()[0]
        assert files == [("done", ROWS)], (why, files)
        assert emps == ROWS and queued == ROWS, why
        log = a.log.read_text()
        assert "event=file_failed" not in log, why
        assert "class=tempfail" in log, why
    finally:
        a.stop()
