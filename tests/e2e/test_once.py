"""Issue 14, batch mode: `affild -c CONF --once [--no-deliver]`.

Files are dropped before affild runs; each `--once` serves what waits (the
drops, the requests, the deadlines, the outbox) and exits with the status
man/affild.8 documents: 0 all went well, +1 a file's report says CR2/CR3,
+2 mail is left in the outbox (failed, or a retry scheduled later), +4 work
is left for a later run; 75 (EX_TEMPFAIL) when another affild holds the
spool or the database.
"""
import os
import subprocess
from datetime import date

import pytest

from conftest import (BIN, EMPLOYER, HEADER, Affild, bad_key, make_nir, row,
                      wait_for)
from spool_util import csv_rows, simple

OTHER = "87654321"
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
EX_USAGE, EX_TEMPFAIL = 64, 75


def once(a, *args, env=None):
    """One `affild --once` run, its output appended to a's log; its status."""
    with open(a.log, "ab") as logf:
        r = subprocess.run([str(BIN / "affild"), "-c", str(a.config), "--once",
                            *args], stdout=logf, stderr=logf, env=env,
                           timeout=300)
    return r.returncode


@pytest.fixture
def batch(tmp_path):
    """An Affild never started: its spool made, ready for drops."""
    a = Affild(tmp_path)
    subprocess.run([str(BIN / "affild"), "-c", str(a.config), "--prepare-spool"],
                   check=True, capture_output=True, timeout=30)
    return a


def xml_file(serials):
    born = date(1990, 4, 12)
    body = "".join(
        "<affiliation_simple><nir>%s</nir><nom>Durand</nom><prenom>Inès"
        "</prenom><date_naissance>%s</date_naissance><date_embauche>%s"
        "</date_embauche><categorie>CADRE</categorie><email>ines%d@example.fr"
        "</email></affiliation_simple>\n"
        % (make_nir(2, born, s), born.isoformat(), date.today().isoformat(), s)
        for s in serials)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<mouvements version="1">\n'
            + body + "</mouvements>\n")


def outbox_states(a):
    return sorted(o["state"] for o in a.ctl_json("outbox"))


def state(a):
    """What a run could change, as affilctl and the folders show it."""
    tree = sorted((str(p.relative_to(a.root)), p.stat().st_size)
                  for p in (a.root / "spool").rglob("*") if p.is_file()
                  and p.name != "lock")
    return (a.ctl_json("files"), a.ctl_json("outbox"), a.ctl_json("employees"),
            a.ctl("timers"), tree, [m.name for m in a.mails()])


def test_files_dropped_before_start_each_get_one_report_and_status_0(batch):
    batch.drop("janvier.csv", csv_rows(100, 3))
    batch.drop("fevrier.csv", csv_rows(200, 2))
    batch.drop("mars.xml", xml_file([300, 301]), employer=OTHER)
    assert once(batch) == 0, batch.log.read_text()

    assert [r["code"] for r in batch.wait_report("janvier.csv")][-1] == "CR0"
    assert len(batch.reports("janvier.csv")) == 1
    assert len(batch.reports("fevrier.csv")) == 1
    xml = sorted(batch.out_dir(OTHER).glob("mars.xml.*.cr.xml"))
    assert len(xml) == 1 and 'code="CR0"' in xml[0].read_text()
    assert list(batch.drop_dir().iterdir()) == [batch.drop_dir() / "validation"]
    files = batch.ctl_json("files")
    assert sorted(f["state"] for f in files) == ["done"] * 3
    # Every invitation written, none left pending.
    assert outbox_states(batch) == ["sent"] * 7
    assert len(batch.mails()) == 7
    assert "event=once_done files=3 accepted=3 rejected=0 left=0" in \
        batch.log.read_text()


def test_a_file_with_rejected_lines_gives_status_1(batch):
    good = make_nir(1, date(1990, 4, 12), 500)
    wrong, _ = bad_key(make_nir(1, date(1990, 4, 12), 501))
    batch.drop("mixte.csv", HEADER
               + row("AFFILIATION_SIMPLE", good, "Petit", "Léa", "1990-04-12",
                     "lea@example.fr")
               + row("AFFILIATION_SIMPLE", wrong, "Petit", "Léo", "1990-04-12",
                     "leo@example.fr"))
    assert once(batch) == 1
    rows = batch.wait_report("mixte.csv")
    assert rows[-1]["code"] == "CR2"
    # The good line is applied and its invitation delivered: only +1.
    assert outbox_states(batch) == ["sent"]

    # A file rejected whole (not CSV nor XML): quarantined, CR3, still 1.
    batch.drop("paie.pdf", "%PDF-1.4\n")
    assert once(batch) == 1
    [f] = [f for f in batch.ctl_json("files") if f["file_name"] == "paie.pdf"]
    assert f["state"] == "quarantined"
    # Nothing new: 0 again, the earlier reports are not counted twice.
    assert once(batch) == 0


def test_no_deliver_leaves_the_outbox_then_a_later_run_delivers_once(batch):
    batch.drop("avril.csv", csv_rows(600, 4))
    assert once(batch, "--no-deliver") == 0
    assert batch.wait_report("avril.csv")[-1]["code"] == "CR0"
    assert outbox_states(batch) == ["pending"] * 4
    assert batch.mails() == []
    assert "mail=not_delivered" in batch.log.read_text()

    assert once(batch) == 0
    assert outbox_states(batch) == ["sent"] * 4
    assert len(batch.mails()) == 4
    assert once(batch) == 0
    assert len(batch.mails()) == 4, "each message written once"


def test_a_second_run_with_nothing_to_do_exits_0_and_changes_nothing(batch):
    batch.drop("mai.csv", csv_rows(700, 2))
    assert once(batch) == 0
    before = state(batch)
    assert once(batch) == 0
    assert state(batch) == before


def test_no_deliver_needs_once_and_help_names_both(batch):
    r = subprocess.run([str(BIN / "affild"), "-c", str(batch.config),
                        "--no-deliver"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == EX_USAGE and "--once" in r.stderr
    r = subprocess.run([str(BIN / "affild"), "--help"], capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0
    assert "--once" in r.stdout and "--no-deliver" in r.stdout


def test_a_pending_reprocess_request_is_served(batch):
    batch.drop("juin.csv", csv_rows(800, 2))
    assert once(batch) == 0
    [f] = batch.ctl_json("files")
    # no daemon to wait for: queued in the admin drop, served by the run
    # (the request recorded by that file, then the copy it asks for)
    queued = batch.ctl("reprocess", f["file_id"], "--force", "--no-wait").strip()
    assert queued.startswith("reprocess-") and queued.endswith(".csv")
    assert once(batch) == 0
    rows = batch.wait_report("juin.csv", count=2)
    assert "retraitement forcé du fichier %s" % f["file_id"] in rows[-1]["message"]
    assert [x["employer"] for x in batch.ctl_json("files")] == \
        ["12345678", "admin", "12345678"]


@pytest.mark.skipif(not os.path.exists(FAKETIME),
                    reason="libfaketime absent (Debian package faketime)")
def test_a_due_deadline_fires(batch):
    nir = make_nir(2, date(1990, 4, 12), 900)
    batch.drop("juillet.csv", HEADER + row("AFFILIATION_SIMPLE", nir, "Simon",
                                           "Inès", "1990-04-12",
                                           "ines@example.fr"))
    assert once(batch) == 0
    assert [e["status"] for e in batch.ctl_json("employees")] == ["EN_COURS"]

    # Nine days later (reminder_after_days: 8), nothing dropped: the
    # reminder's deadline fires and the employer's digest goes out.
    env = dict(os.environ, LD_PRELOAD=FAKETIME, FAKETIME="+9d",
               DONT_FAKE_MONOTONIC="1",
               # the ASan build wants its runtime first in the list
               ASAN_OPTIONS=":".join(filter(None, [
                   os.environ.get("ASAN_OPTIONS"),
                   "verify_asan_link_order=0"])))
    assert once(batch, env=env) == 0, batch.log.read_text()
    assert [e["status"] for e in batch.ctl_json("employees")] == ["A_RELANCER"]
    digests = [o for o in batch.ctl_json("outbox")
               if o["kind"] == "digest_relances"]
    assert [(o["recipient"], o["state"]) for o in digests] == \
        [("rh@exemple-sas.example", "sent")]
    assert sum(b"To: rh@exemple-sas.example" in m.read_bytes()
               for m in batch.mails()) == 1


def test_refused_beside_a_running_daemon_or_on_the_same_database(batch):
    batch.start()
    try:
        batch.drop("aout.csv", csv_rows(1000, 1))
        assert once(batch) == EX_TEMPFAIL
        assert "event=already_running" in batch.log.read_text()
        # The daemon, not the refused run, takes the file.
        assert batch.wait_report("aout.csv")[-1]["code"] == "CR0"
        assert len(batch.ctl_json("files")) == 1

        # Another configuration, another spool, the same database.
        other = batch.root / "other.yaml"
        other.write_text(batch.config.read_text().replace(
            "dir: %s/spool" % batch.root, "dir: %s/spool2" % batch.root))
        r = subprocess.run([str(BIN / "affild"), "-c", str(other), "--once"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == EX_TEMPFAIL
        assert "affild.db-lock" in r.stderr
    finally:
        batch.stop()
    # Stopped: the lock is free again.
    assert once(batch) == 0


def test_smtp_mail_refused_or_deferred_gives_status_2(tmp_path):
    from smtp_server import Server
    from test_smtp import smtp_affild
    srv = Server(refuse={"refuse@example.fr"}, tempfail={"later@example.fr": 1})
    srv.start()
    try:
        a = smtp_affild(tmp_path, srv.port)
        subprocess.run([str(BIN / "affild"), "-c", str(a.config),
                        "--prepare-spool"], check=True, capture_output=True,
                       timeout=30)
        born = "1988-09-03"
        a.drop("smtp.csv", HEADER + "".join(
            row("AFFILIATION_SIMPLE", make_nir(1, date(1988, 9, 3), 40 + i),
                "Roux", "Léon", born, addr)
            for i, addr in enumerate(["ok@example.fr", "refuse@example.fr",
                                      "later@example.fr"])))
        assert once(a) == 2, a.log.read_text()
        by = {o["recipient"]: o["state"] for o in a.ctl_json("outbox")}
        assert by == {"ok@example.fr": "sent", "refuse@example.fr": "failed",
                      "later@example.fr": "pending"}
        assert srv.handler.rcpts().count("ok@example.fr") == 1

        # Once the retry is due (retry_min_s: 1), a later run sends it; the
        # message parked before this run does not count against it.
        wait_for(lambda: once(a) == 0, timeout=60, what="the retry sent",
                 log=a.log)
        by = {o["recipient"]: o["state"] for o in a.ctl_json("outbox")}
        assert by["later@example.fr"] == "sent"
        assert by["refuse@example.fr"] == "failed"
        assert srv.handler.rcpts().count("ok@example.fr") == 1
    finally:
        srv.stop()
