"""The metrics file: Prometheus text, rewritten whole, counting files by
state and return code, and the outbox."""
from conftest import HEADER, Affild, make_nir, row, wait_for
from datetime import date


def test_metrics_file(tmp_path):
    a = Affild(tmp_path)
    metrics = tmp_path / "affild.prom"
    text = a.config.read_text().replace("rescan_s: 60", "rescan_s: 1")
    a.config.write_text(text + "metrics_file: %s\n" % metrics)
    a.start()
    try:
        wait_for(metrics.exists, what="metrics file")
        assert "affild_up 1" in metrics.read_text()
        born = date(1985, 3, 9)
        a.drop("m.csv", HEADER + row("AFFILIATION_SIMPLE", make_nir(1, born, 7),
                                     "Roux", "Luc", born.isoformat(),
                                     "luc@example.fr"))
        a.wait_report("m.csv")
        wait_for(lambda: 'affild_files{state="done",return_code="0"} 1'
                 in metrics.read_text(), what="file counted", log=a.log)
        body = metrics.read_text()
        assert "# TYPE affild_files gauge" in body
        assert "affild_outbox_failed 0" in body
        assert not list(tmp_path.glob("affild.prom.tmp"))
    finally:
        a.stop()
