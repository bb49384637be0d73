"""Moving from SQLite to PostgreSQL: affild --copy-to (issue 18).

A daemon fills its SQLite file; stopped, its database is copied into an
empty PostgreSQL database; the same daemon on PostgreSQL then shows the
same employees, files and outbox through affilctl, and goes on (new ids
after the copied ones).  A copy into a database that holds anything, or
while the daemon runs, is refused.  Runs with AFFILD_TEST_PG only."""
import subprocess

import pytest

import pg_util
from conftest import BIN, HEADER, PG, Affild, row, make_nir
from datetime import date

pytestmark = pytest.mark.skipif(not PG, reason="needs AFFILD_TEST_PG")


def on_sqlite(a):
    """a's config without its url: the SQLite file at database.path."""
    a.config.write_text(a.config.read_text().replace(
        "\n  url: " + a.db_url, ""))


def on_pg(a, url):
    a.config.write_text(a.config.read_text().replace(
        "database:\n", "database:\n  url: %s\n" % url, 1))


def copy_to(a, url):
    return subprocess.run([str(BIN / "affild"), "-c", str(a.config),
                           "--copy-to", url], capture_output=True, text=True,
                          timeout=120)


def people(first, n):
    return HEADER + "".join(
        row("AFFILIATION_SIMPLE", make_nir(1, date(1980, 1, 1), first + k),
            "Dupré", "Zoé", "1980-01-01", "zoe%d@example.fr" % (first + k))
        for k in range(n))


def views(a):
    return {v: a.ctl_json(*v.split()) for v in ("employees", "files",
                                                 "outbox", "status")}


def test_copy_to_postgresql_keeps_everything_and_goes_on(tmp_path):
    a = Affild(tmp_path)
    on_sqlite(a)
    a.start()
    try:
        a.drop("one.csv", people(0, 5))
        a.wait_report("one.csv")
        a.drop("two.csv", people(5, 3) + row("RADIATION", make_nir(
            1, date(1980, 1, 1), 99), "Inconnu", "X", "1980-01-01"))
        a.wait_report("two.csv")
        before = views(a)

        # refused while the daemon runs: its locks
        r = copy_to(a, a.db_url)
        assert r.returncode == 75, r.stderr
        a.stop()

        r = copy_to(a, a.db_url)
        assert r.returncode == 0, r.stderr
        counts = dict(line.split() for line in r.stdout.splitlines())
        assert counts["employee"] == "8" and counts["file"] == "2"
        assert counts["outbox"] == str(len(before["outbox"]))

        # a second copy finds the target full
        r = copy_to(a, a.db_url)
        assert r.returncode != 0 and "not empty" in r.stderr

        on_pg(a, a.db_url)
        a.start()
        after = views(a)
        for v in ("employees", "files", "outbox"):
            assert after[v] == before[v], v
        # and it goes on: new rows take ids after the copied ones
        a.drop("three.csv", people(8, 2))
        rep = a.wait_report("three.csv")
        assert rep[-1]["code"] == "CR0"
        ids = [o["outbox_id"] for o in a.ctl_json("outbox")]
        assert len(ids) == len(set(ids)) == len(before["outbox"]) + 2
        assert len(a.ctl_json("employees")) == 10
        rows = pg_util.query(a.db_url, "SELECT count(*) FROM employee")
        assert rows == [("10",)]
    finally:
        if a.proc:
            a.stop()
