"""The metrics file: Prometheus text, rewritten whole, counting files by
state and return code, and the outbox.  Written at start, after each file,
and at stop with affild_up 0; by default beside the database, 0640."""
import os
import stat
from datetime import date

from conftest import HEADER, Affild, make_nir, row, wait_for


def test_metrics_file(tmp_path):
    a = Affild(tmp_path)
    metrics = tmp_path / "affild.prom"
    a.config.write_text(a.config.read_text() + "metrics_file: %s\n" % metrics)
    a.start()		# rescan_s is 60: nothing here waits for a rescan
    try:
        assert "\naffild_up 1\n" in metrics.read_text()	# before READY
        born = date(1985, 3, 9)
        a.drop("m.csv", HEADER + row("AFFILIATION_SIMPLE", make_nir(1, born, 7),
                                     "Roux", "Luc", born.isoformat(),
                                     "luc@example.fr"))
        a.wait_report("m.csv")
        wait_for(lambda: 'affild_files{state="done",return_code="0"} 1'
                 in metrics.read_text(), timeout=5, what="file counted",
                 log=a.log)
        body = metrics.read_text()
        assert "# TYPE affild_files gauge" in body
        assert "affild_outbox_failed 0" in body
        assert "affild_files_unreadable 0" in body
        assert not list(tmp_path.glob("affild.prom.tmp"))
    finally:
        a.stop()
    body = metrics.read_text()
    assert "\naffild_up 0\n" in body and "\naffild_up 1\n" not in body


def test_metrics_default_beside_the_database(tmp_path):
    a = Affild(tmp_path)
    os.umask(0o022)
    a.start()
    a.stop()
    prom = tmp_path / "affild.prom"		# database: tmp_path/affild.db
    assert stat.S_IMODE(os.stat(prom).st_mode) == 0o640
    assert "affild_up 0" in prom.read_text()
    # and the database itself is the daemon's alone, whatever the umask
    assert stat.S_IMODE(os.stat(tmp_path / "affild.db").st_mode) == 0o600


def test_metrics_none_writes_nothing(tmp_path):
    a = Affild(tmp_path)
    a.config.write_text(a.config.read_text() + "metrics_file: none\n")
    a.start()
    a.stop()
    assert not list(tmp_path.glob("*.prom"))
