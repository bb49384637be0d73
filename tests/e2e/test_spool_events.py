"""Events are hints: a burst that overflows the inotify queue, a file
dropped while the daemon is stopped, a new employer after a reload."""
import os
import time
from contextlib import contextmanager
from pathlib import Path

from conftest import Affild, wait_for
from spool_util import add_employer, csv_rows, db, integrity_ok, log_count, reload

QUEUE = Path("/proc/sys/fs/inotify/max_queued_events")


@contextmanager
def small_inotify_queue(size):
    """As root, a tiny inotify queue for instances made meanwhile."""
    old = None
    if os.geteuid() == 0:
        old = QUEUE.read_text()
        QUEUE.write_text(str(size))
    try:
        yield old is not None
    finally:
        if old is not None:
            QUEUE.write_text(old)


def test_burst_of_2000_files_with_queue_overflow_each_processed_once(tmp_path):
    n = 2000
    a = Affild(tmp_path, settle_ms=200)
    with small_inotify_queue(64) as lowered:
        a.start()                    # its inotify instance gets the small queue
    try:
        d = a.drop_dir()
        for i in range(n):
            tmp = d / ("b%04d.csv.part" % i)
            tmp.write_text(csv_rows(10000 + i, 1))
            os.rename(tmp, d / ("b%04d.csv" % i))
        out = a.out_dir()
        wait_for(lambda: len(list(out.glob("b*.cr.csv"))) >= n, timeout=600,
                 what="%d reports" % n, log=None)
        time.sleep(1.0)
        reports = sorted(p.name.split(".")[0] for p in out.glob("b*.cr.csv"))
        assert reports == ["b%04d" % i for i in range(n)]   # one each
        with db(a) as c:
            assert c.execute("SELECT count(*), count(DISTINCT name) FROM file"
                             " WHERE state = 'done'").fetchone() == (n, n)
            assert c.execute("SELECT count(*) FROM employee").fetchone()[0] == n
        assert integrity_ok(a)
        assert list(d.glob("b*")) == []
        if lowered:
            assert log_count(a, "event=inotify_overflow") >= 1
    finally:
        a.stop()


def test_file_dropped_while_stopped_is_processed_at_start(tmp_path):
    a = Affild(tmp_path)
    a.start()
    a.stop()
    (a.drop_dir() / "pendant_arret.csv").write_text(csv_rows(600, 2))
    a.drop("renomme.csv", csv_rows(610, 1))
    a.start()
    try:
        assert a.wait_report("pendant_arret.csv")[-1]["code"] == "CR0"
        assert a.wait_report("renomme.csv")[-1]["code"] == "CR0"
        assert len(a.ctl_json("employees")) == 3
    finally:
        a.stop()


def test_new_employer_after_reload_is_watched(tmp_path):
    a = Affild(tmp_path)
    a.start()
    try:
        assert not (a.drop_dir("11223344")).exists()
        add_employer(a, "11223344")
        reload(a)
        assert log_count(a, "event=reload_refused") == 0, a.log.read_text()
        assert a.drop_dir("11223344").is_dir()
        a.drop("nouveau.csv", csv_rows(700, 2), employer="11223344")
        rows = a.wait_report("nouveau.csv", employer="11223344")
        assert rows[-1]["code"] == "CR0"
        emps = a.ctl_json("--employer", "11223344", "employees")
        assert len(emps) == 2
    finally:
        a.stop()
