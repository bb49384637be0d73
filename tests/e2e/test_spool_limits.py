"""Limits: low disk space stops claiming and claiming resumes by itself;
SIGTERM during a big file; retention."""
import os
import signal
import time
from datetime import date, timedelta

from conftest import Affild, wait_for
from spool_util import csv_rows, db, log_count, reload, set_spool_key


def test_low_disk_space_stops_claiming_then_resumes(tmp_path):
    a = Affild(tmp_path)
    set_spool_key(a, "min_free_factor", "1000000000000")   # no file fits
    a.start()
    try:
        a.drop("attente.csv", csv_rows(1000, 2))
        wait_for(lambda: log_count(a, "event=disk_low") >= 1, what="disk_low",
                 log=a.log)
        time.sleep(1.5)                  # several ticks: still one line
        assert log_count(a, "event=disk_low") == 1
        assert (a.drop_dir() / "attente.csv").exists()
        assert a.ctl_json("files") == [] and a.reports("attente.csv") == []
        set_spool_key(a, "min_free_factor", "3")
        reload(a)
        assert a.wait_report("attente.csv")[-1]["code"] == "CR0"
        assert log_count(a, "event=disk_ok") == 1
        assert log_count(a, "event=disk_low") == 1
    finally:
        a.stop()


def big_file(rows):
    from spool_util import simple
    from conftest import HEADER
    return HEADER + "".join(simple(100000 + k) for k in range(rows))


def test_sigterm_during_a_big_file_stops_within_seconds(tmp_path):
    a = Affild(tmp_path, settle_ms=0)
    a.start()
    try:
        a.drop("gros.csv", big_file(200000))
        wait_for(lambda: log_count(a, "event=file_claimed") == 1,
                 what="claim", log=a.log)
        time.sleep(0.3)
        t0 = time.monotonic()
        a.proc.send_signal(signal.SIGTERM)
        assert a.proc.wait(timeout=10) == 0, a.log.read_text()
        stopped_in = time.monotonic() - t0
        a.proc = None
        assert "event=file_interrupted" in a.log.read_text(), stopped_in
        # rolled back whole: nothing applied, the file waits in work/
        with db(a) as c:
            assert c.execute("SELECT count(*) FROM employee").fetchone()[0] == 0
            assert c.execute("SELECT state FROM file").fetchall() == [("claimed",)]
        assert a.reports("gros.csv") == []
        assert len(list((a.root / "spool/.affild/work").iterdir())) == 1
        # at the next start it is resumed from the start, and a SIGTERM
        # then is as prompt (processing it whole is the kill -9 tests' job)
        a.start()
        wait_for(lambda: log_count(a, "action=process") == 1, what="resume",
                 log=a.log)
        time.sleep(0.3)
        a.proc.send_signal(signal.SIGTERM)
        assert a.proc.wait(timeout=10) == 0
        a.proc = None
        assert log_count(a, "event=file_interrupted") == 2
        with db(a) as c:
            assert c.execute("SELECT count(*) FROM employee").fetchone()[0] == 0
    finally:
        a.stop()


def test_retention_purges_old_files_and_lines_but_keeps_file_rows(tmp_path):
    a = Affild(tmp_path)
    set_spool_key(a, "archive_retention_days", "30")
    set_spool_key(a, "quarantine_retention_days", "10")
    set_spool_key(a, "out_retention_days", "20")
    a.start()
    a.drop("recent.csv", csv_rows(1100, 1) + "AFFILIATION_SIMPLE;bad\n")
    a.wait_report("recent.csv")
    a.stop()

    spool = a.root / "spool"
    old_day = date.today() - timedelta(days=40)
    old_id = old_day.strftime("%Y%m%d") + "-000001"
    new_id = date.today().strftime("%Y%m%d") + "-000077"
    arch = spool / ".affild/archive/12345678" / old_day.strftime("%Y-%m")
    arch.mkdir(parents=True)
    (arch / (old_id + ".ancien.csv")).write_text("x")
    (arch / (new_id + ".recent2.csv")).write_text("x")
    os.utime(arch / (new_id + ".recent2.csv"), (0, 0))  # mtime is not the age
    quar = spool / ".affild/quarantine/12345678"
    quar.mkdir(parents=True, exist_ok=True)
    q_mid = (date.today() - timedelta(days=15)).strftime("%Y%m%d") + "-000003"
    (quar / (q_mid + ".rejete.csv")).write_text("x")
    (quar / (new_id + ".rejete2.csv")).write_text("x")
    out = a.out_dir()
    old_report = out / ("vieux.csv.%s.cr.csv" % old_id)
    old_report.write_text("x")
    t = time.time() - 25 * 86400
    os.utime(old_report, (t, t))
    (out / "notes").mkdir()                      # folders are left alone
    os.utime(out / "notes", (t, t))
    import sqlite3
    with sqlite3.connect(a.root / "affild.db") as c:
        c.execute("INSERT INTO file (id, employer, name, size, state,"
                  " received_at) VALUES (?, '12345678', 'ancien.csv', 1,"
                  " 'done', '2000-01-01T00:00:00Z')", (old_id,))
        c.execute("INSERT INTO file_line (file_id, line, result, code, message)"
                  " VALUES (?, 2, 'REJETE', 'E102', 'vide')", (old_id,))
        # Sent messages older than the retention go, with their data;
        # a recent one and a failed one (an admin must see it) stay.
        for state, at in (("sent", "2000-01-01T10:00:00Z"),
                          ("sent", date.today().isoformat() + "T08:00:00Z"),
                          ("failed", None)):
            c.execute("INSERT INTO outbox (created_at, kind, recipient, data,"
                      " message_id, state, sent_at) VALUES"
                      " ('2000-01-01T09:00:00Z', 'invitation', 'x@example.fr',"
                      " '{\"nom\":\"Vieux\"}', 'm', ?, ?)", (state, at))
    # The letters' day folders: an old one goes whole, a recent one stays.
    old_print = a.root / "print" / old_day.strftime("%Y%m%d")
    new_print = a.root / "print" / date.today().strftime("%Y%m%d")
    for d in (old_print, new_print):
        d.mkdir(parents=True, exist_ok=True)
        (d / "1.pdf").write_text("x")
    (old_print / "manifest.csv").write_text("x")
    a.start()
    try:
        wait_for(lambda: log_count(a, "event=retention") >= 2, what="retention",
                 log=a.log)
        line = [l for l in a.log.read_text().splitlines()
                if "event=retention" in l][-1]
        assert ("archive=1 quarantine=1 out=1 file_lines=1 print=2 mails=1"
                in line), line
        assert not old_print.exists() and (new_print / "1.pdf").exists()
        assert not (arch / (old_id + ".ancien.csv")).exists()
        assert (arch / (new_id + ".recent2.csv")).exists()
        assert not (quar / (q_mid + ".rejete.csv")).exists()
        assert (quar / (new_id + ".rejete2.csv")).exists()
        assert not old_report.exists() and (out / "notes").is_dir()
        assert a.reports("recent.csv")
        with db(a) as c:
            assert c.execute("SELECT count(*) FROM file").fetchone()[0] == 2
            assert c.execute("SELECT count(*) FROM outbox WHERE sent_at LIKE"
                             " '2000-%'").fetchone()[0] == 0
            assert c.execute("SELECT count(*) FROM outbox WHERE state ="
                             " 'failed'").fetchone()[0] == 1
            lines = c.execute("SELECT file_id FROM file_line").fetchall()
        assert lines and all(fid != old_id for (fid,) in lines)
    finally:
        a.stop()
