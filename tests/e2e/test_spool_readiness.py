"""Readiness: a file is taken once, complete, whatever way it arrives;
what is not a regular file is never read; trigger mode."""
import os
import time

from conftest import Affild, wait_for
from spool_util import csv_rows, log_count, set_employer_key


def test_file_written_slowly_in_place_is_processed_once_complete(tmp_path):
    a = Affild(tmp_path, settle_ms=1000)
    a.start()
    try:
        path = a.drop_dir() / "slow.csv"
        chunks = [csv_rows(100, 5)] + [csv_rows(105 + 5 * i, 5).split("\n", 1)[1]
                                        for i in range(4)]
        for chunk in chunks:          # closed and reopened between writes
            with open(path, "a") as f:
                f.write(chunk[: len(chunk) // 2])
                f.flush()
                time.sleep(0.2)
                f.write(chunk[len(chunk) // 2:])
            time.sleep(0.4)           # shorter than the settle time
        rows = a.wait_report("slow.csv")
        assert rows[-1]["code"] == "CR0", rows[-1]
        assert sum(r["resultat"] == "ACCEPTE" for r in rows[:-1]) == 25
        time.sleep(1.5)
        assert len(a.reports("slow.csv")) == 1
        assert len(a.ctl_json("files")) == 1
        assert len(a.ctl_json("employees")) == 25
    finally:
        a.stop()


def test_filepart_upload_is_processed_once_at_its_rename(tmp_path):
    a = Affild(tmp_path, settle_ms=200)
    a.start()
    try:
        part = a.drop_dir() / "upload.csv.filepart"
        part.write_text(csv_rows(200, 3))
        time.sleep(1.0)               # stable well past the settle time
        assert a.reports("upload.csv") == [] and part.exists()
        with open(part, "a") as f:
            f.write(csv_rows(203, 3).split("\n", 1)[1])
        os.rename(part, a.drop_dir() / "upload.csv")
        rows = a.wait_report("upload.csv")
        assert sum(r["resultat"] == "ACCEPTE" for r in rows[:-1]) == 6
        time.sleep(0.5)
        assert len(a.reports("upload.csv")) == 1
        assert len(a.ctl_json("files")) == 1
    finally:
        a.stop()


def test_rename_done_as_link_and_unlink_is_processed_once(tmp_path):
    a = Affild(tmp_path, settle_ms=300)
    a.start()
    try:
        part = a.drop_dir() / "linked.csv.filepart"
        part.write_text(csv_rows(300, 4))
        os.link(part, a.drop_dir() / "linked.csv")
        time.sleep(0.05)
        os.unlink(part)
        rows = a.wait_report("linked.csv")
        assert sum(r["resultat"] == "ACCEPTE" for r in rows[:-1]) == 4
        time.sleep(0.8)
        assert len(a.reports("linked.csv")) == 1
        assert [f["file_name"] for f in a.ctl_json("files")] == ["linked.csv"]
        assert len(a.ctl_json("employees")) == 4
    finally:
        a.stop()


def test_symlink_fifo_and_folder_are_never_read(tmp_path):
    """Never followed nor read: moved to quarantine as they are (rename
    follows no link), each with an E016 report, logged once."""
    a = Affild(tmp_path, settle_ms=100)
    a.start()
    try:
        canary = tmp_path / "canary.csv"
        canary.write_text(csv_rows(400, 1))
        os.symlink(canary, a.drop_dir() / "canary.csv")
        os.mkfifo(a.drop_dir() / "pipe.csv")
        (a.drop_dir() / "folder.csv").mkdir()
        (a.drop_dir() / "folder.csv" / "inside.csv").write_text(csv_rows(401, 1))
        a.drop("real.csv", csv_rows(402, 1))
        rows = a.wait_report("real.csv")
        assert rows[-1]["code"] == "CR0"
        for name in ("canary.csv", "pipe.csv", "folder.csv"):
            rows = a.wait_report(name)
            assert rows[0]["code"] == "E016" and rows[-1]["code"] == "CR3"
        assert a.reports("inside.csv") == []
        assert sorted(f["file_name"] for f in a.ctl_json("files")) == \
            ["canary.csv", "folder.csv", "pipe.csv", "real.csv"]
        assert len(a.ctl_json("employees")) == 1
        assert [p.name for p in a.drop_dir().iterdir()] == ["validation"]
        q = a.root / "spool/.affild/quarantine/12345678"
        link = [p for p in q.iterdir() if p.name.endswith("canary.csv")][0]
        assert link.is_symlink() and canary.read_text() == csv_rows(400, 1)
        inside = [p for p in q.iterdir() if p.name.endswith("folder.csv")][0]
        assert (inside / "inside.csv").read_text() == csv_rows(401, 1)
        # logged once each, not once per tick
        assert log_count(a, "path=%s/canary.csv " % a.drop_dir()) == 1
        assert log_count(a, "path=%s/pipe.csv " % a.drop_dir()) == 1
        # and the daemon keeps serving
        a.drop("again.csv", csv_rows(403, 1))
        a.wait_report("again.csv")
    finally:
        a.stop()


def test_trigger_mode_takes_a_file_only_when_marked(tmp_path):
    a = Affild(tmp_path, settle_ms=100)
    set_employer_key(a, "12345678", "readiness", "trigger")
    a.start()
    try:
        a.drop("paie.csv", csv_rows(500, 2))     # renamed in: not enough
        (a.drop_dir() / "ghost.csv.done").write_text("")
        time.sleep(1.0)
        assert a.reports("paie.csv") == []
        (a.drop_dir() / "paie.csv.ok").write_text("")
        rows = a.wait_report("paie.csv")
        assert rows[-1]["code"] == "CR0"
        wait_for(lambda: not (a.drop_dir() / "paie.csv.ok").exists(),
                 what="marker removed after the claim")
        # a marker older than its file (left by a crash) does not count
        (a.drop_dir() / "late.csv.done").write_text("")
        time.sleep(0.05)
        (a.drop_dir() / "late.csv").write_text(csv_rows(510, 1))
        time.sleep(1.0)
        assert a.reports("late.csv") == []
        os.utime(a.drop_dir() / "late.csv.done")
        a.wait_report("late.csv")
        # a marker without its file is logged once and left alone
        assert (a.drop_dir() / "ghost.csv.done").exists()
        assert log_count(a, "event=trigger_without_file marker=%s/ghost.csv"
                         ".done" % a.drop_dir()) == 1
        assert a.reports("ghost.csv") == []
        # the other employer stays in settle mode
        (a.drop_dir("87654321") / "autre.csv").write_text(
            csv_rows(520, 1))
        a.wait_report("autre.csv", employer="87654321")
    finally:
        a.stop()
