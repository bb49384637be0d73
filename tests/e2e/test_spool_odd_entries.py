"""What is not a plain, reasonably named file in in/ still gets an answer:
a link, a FIFO or a folder is moved to quarantine (never followed, never
read) with a report naming the reason; a name too long for the report's
own name is refused with its report under the name cut to 200 bytes."""
import os

from conftest import HEADER, read_report, wait_for
from spool_util import simple


def quarantined(a):
    d = a.root / "spool/.affild/quarantine/12345678"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def report_for(a, name):
    wait_for(lambda: a.reports(name), what="report of " + name, log=a.log)
    return read_report(a.reports(name)[0])


def test_symlink_fifo_and_folder_are_quarantined_with_a_report(affild, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text(HEADER + simple(1))
    drop = affild.drop_dir()
    os.symlink(secret, drop / "link.csv")
    os.mkfifo(drop / "pipe.csv")
    (drop / "folder.csv").mkdir()
    (drop / "folder.csv" / "inner.csv").write_text(HEADER + simple(2))
    for name in ("link.csv", "pipe.csv", "folder.csv"):
        rows = report_for(affild, name)
        assert rows[0]["code"] == "E016", rows
        assert rows[-1]["code"] == "CR3"
    assert [p.name for p in drop.iterdir()] == ["validation"]
    q = quarantined(affild)
    assert len(q) == 3 and all(n.split(".", 1)[1] in
                               ("link.csv", "pipe.csv", "folder.csv")
                               for n in q), q
    # never followed: the link's target is untouched, nothing applied
    assert secret.read_text() == HEADER + simple(1)
    assert affild.ctl_json("employees") == []
    link = [p for p in (affild.root / "spool/.affild/quarantine/12345678")
            .iterdir() if p.name.endswith("link.csv")][0]
    assert link.is_symlink()


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
