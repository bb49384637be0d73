"""Duplicates and `affilctl reprocess ID --force`."""
import subprocess

from conftest import BIN, wait_for
from spool_util import csv_rows, db


def ctl_run(a, *args):
    return subprocess.run([str(BIN / "affilctl"), "-c", str(a.config), *args],
                          capture_output=True, text=True, timeout=30)


def test_same_file_twice_is_applied_once_and_the_second_report_names_the_first(affild):
    text = csv_rows(800, 3)
    affild.drop("janvier.csv", text)
    assert affild.wait_report("janvier.csv")[-1]["code"] == "CR0"
    affild.drop("janvier-bis.csv", text)
    rows = affild.wait_report("janvier-bis.csv")
    [first, second] = affild.ctl_json("files")
    assert rows[0]["code"] == "E005" and rows[-1]["code"] == "CR3"
    assert "janvier.csv" in rows[0]["message"] and first["file_id"] in rows[0]["message"]
    assert second["state"] == "quarantined"
    assert len(affild.ctl_json("employees")) == 3
    assert len(affild.mails()) <= 3
    wait_for(lambda: len(affild.mails()) == 3, what="3 invitations, once")


def test_reprocess_needs_force_then_processes_the_duplicate_again(affild):
    text = csv_rows(900, 2)
    affild.drop("fevrier.csv", text)
    affild.wait_report("fevrier.csv")
    affild.drop("fevrier.csv", text)
    affild.wait_report("fevrier.csv", count=2)
    dup = affild.ctl_json("files")[1]
    assert dup["state"] == "quarantined"

    r = ctl_run(affild, "reprocess", dup["file_id"])
    assert r.returncode != 0 and "--force" in r.stderr
    # affild says it, in the request's report: E271, and EX_DATAERR
    r = ctl_run(affild, "reprocess", "20000101-999999", "--force")
    assert r.returncode == 65 and "E271" in r.stderr, r.stderr
    assert "fichier 20000101-999999 inconnu" in r.stdout
    with db(affild) as c:
        assert c.execute("SELECT count(*) FROM reprocess").fetchone()[0] == 0

    r = ctl_run(affild, "reprocess", dup["file_id"], "--force")
    assert r.returncode == 0, r.stderr
    assert "I270" in r.stdout and "demande 1 enregistrée" in r.stdout
    rows = affild.wait_report("fevrier.csv", count=3)
    assert rows[-1]["code"] in ("CR0", "CR1"), rows[-1]
    assert "retraitement forcé du fichier %s" % dup["file_id"] in rows[-1]["message"]
    # by the login of whoever wrote the admin file (root here)
    assert "demandé par root" in rows[-1]["message"]
    # the employer's files: the admin drop's requests are files too
    files = affild.ctl_json("--employer", "12345678", "files")
    assert len(files) == 3 and files[2]["state"] == "done"
    assert not any(r["code"] == "E005" for r in rows)
    with db(affild) as c:
        req = c.execute("SELECT file_id, new_file_id, done_at, error"
                        " FROM reprocess").fetchall()
    assert req == [(dup["file_id"], files[2]["file_id"], req[0][2], None)] and req[0][2]
    # the original stays in quarantine, and the copy is archived
    assert any(p.name.startswith(dup["file_id"]) for p in
               (affild.root / "spool/.affild/quarantine/12345678").iterdir())
    assert list((affild.root / "spool/.affild/archive/12345678").glob(
        "*/%s.fevrier.csv" % files[2]["file_id"]))
    # a second request for the same id is served again, once each
    assert ctl_run(affild, "reprocess", dup["file_id"], "--force").returncode == 0
    affild.wait_report("fevrier.csv", count=4)
    assert len(affild.ctl_json("--employer", "12345678", "files")) == 4
    assert len(affild.ctl_json("--employer", "admin", "files")) == 3
