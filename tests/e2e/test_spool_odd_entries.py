"""A file that cannot be applied still gets an answer: a name too long for
the report's own name is refused with its report under the name cut to
200 bytes; a run failing for good ends in quarantine after max_attempts.
(Links, FIFOs and folders: test_spool_readiness.py.)"""
from conftest import HEADER, read_report, wait_for
from spool_util import simple


def report_for(a, name):
    wait_for(lambda: a.reports(name), what="report of " + name, log=a.log)
    return read_report(a.reports(name)[0])


def test_a_name_too_long_is_refused_with_a_report(affild):
    name = "é" * 100 + "x" * 42 + ".csv"	# 246 bytes, as in the probe
    assert len(name.encode()) == 246
    affild.drop(name, HEADER + simple(3))
    cut = ("é" * 100).encode()[:200].decode()
    rows = report_for(affild, cut)
    assert rows[0]["code"] == "E015", rows
    assert rows[-1]["code"] == "CR3"
    assert affild.ctl_json("employees") == []
    files = affild.ctl_json("files")
    assert [f["state"] for f in files] == ["quarantined"], files
    assert "event=rename_failed" not in affild.log.read_text()


def test_a_name_of_200_bytes_is_applied(affild):
    name = "a" * 196 + ".csv"
    affild.drop(name, HEADER + simple(4))
    rows = report_for(affild, name)
    assert rows[-1]["code"] == "CR0", rows


def test_a_failure_that_time_does_not_cure_ends_in_quarantine(tmp_path):
    """A run failing for a reason that is not busy/full/disk (here a
    constraint the database raises) is counted; the max_attempts-th puts
    the file in quarantine with an E017 report instead of a retry at
    every rescan for ever."""
    import sqlite3
    from conftest import Affild
    from spool_util import set_spool_key
    a = Affild(tmp_path)
    set_spool_key(a, "rescan_s", "1")
    set_spool_key(a, "max_attempts", "3")
    a.start()
    try:
        c = sqlite3.connect(str(tmp_path / "affild.db"))
        c.execute("CREATE TRIGGER boom BEFORE INSERT ON employee BEGIN "
                  "SELECT RAISE(ABORT, 'injected fault'); END")
        c.commit()
        c.close()
        a.drop("f.csv", HEADER + simple(5))
        rows = report_for(a, "f.csv")
    finally:
        a.stop()
    assert rows[0]["code"] == "E017", rows
    assert "3" in rows[0]["message"]
    log = a.log.read_text()
    assert log.count("event=file_failed") == 3, log
    assert "class=permfail" in log
    files = a.ctl_json("files")
    assert [f["state"] for f in files] == ["quarantined"]
