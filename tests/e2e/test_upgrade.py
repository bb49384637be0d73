"""Issue 14, item 3: a database made by the schema-7 code still works.

tests/e2e/data/upgrade_v7/fixture.sql was made by the code of a51c307
(make_fixture.py says how): two invitations queued with their links (a
third, a letter, already printed), confirmations queued, relance and jeton deadlines as rows, a
radiation held for a future day and a portability running.  The current
daemon opens it (migration 8: the relance and jeton rows become columns,
the links are signed from now on) and, under libfaketime on the fixture's
calendar: every queued message goes out with the link it was queued with,
an old link still finalises, and each deadline fires once on its day.
"""
import email
import email.policy
import os
import re
import sqlite3
from pathlib import Path

import pytest

from conftest import Affild, EMPLOYER, wait_for

HERE = Path(__file__).resolve().parent / "data" / "upgrade_v7"
FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1"
PORTAL_COLS = ("operation;numero_personne;nir;option;jeton\n")


def people():
    out = {}
    for ln in (HERE / "people.txt").read_text().splitlines():
        k, v = ln.split()
        out[k] = v
    return out


def db(a):
    return sqlite3.connect("file:%s?mode=ro" % (a.root / "affild.db"),
                           uri=True)


def one(a, sql, *args):
    c = db(a)
    try:
        return c.execute(sql, args).fetchone()
    finally:
        c.close()


def statuses(a):
    c = db(a)
    try:
        return dict(c.execute("SELECT nir, status FROM employee"))
    finally:
        c.close()


def start_on(a, monkeypatch, day):
    """The daemon on Paris day (10:00), the clock running from there."""
    stamp = a.root / "faketime"
    stamp.write_text("@%s 10:00:00\n" % day)
    asan = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                  "verify_asan_link_order=0"]))
    env = (("LD_PRELOAD", FAKETIME), ("FAKETIME_TIMESTAMP_FILE", str(stamp)),
           ("FAKETIME_NO_CACHE", "1"), ("DONT_FAKE_MONOTONIC", "1"),
           ("ASAN_OPTIONS", asan), ("TZ", "Europe/Paris"))
    for k, v in env:
        monkeypatch.setenv(k, v)
    try:
        a.start()
    finally:
        for k, _ in env:
            monkeypatch.delenv(k)


def mails(a):
    out = {}
    for p in a.mails():
        m = email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
        out.setdefault(m["To"], []).append(m.get_body().get_content())
    return out


def timer_history(a):
    c = db(a)
    try:
        return c.execute("SELECT employee_id, what, cause_ref FROM history"
                         " WHERE cause = 'timer' ORDER BY id").fetchall()
    finally:
        c.close()


@pytest.mark.skipif(not os.path.exists(FAKETIME),
                    reason="libfaketime absent (Debian package faketime)")
def test_schema7_database_upgrades_and_keeps_its_promises(tmp_path,
                                                          monkeypatch):
    n = people()
    a = Affild(tmp_path)
    (a.root / "token.key").write_bytes(
        bytes.fromhex((HERE / "token.key").read_text().strip()))
    c = sqlite3.connect(a.root / "affild.db")
    c.executescript((HERE / "fixture.sql").read_text())
    queued = dict(c.execute(
        "SELECT recipient, json_extract(data, '$.lien') FROM outbox"
        " WHERE kind = 'invitation'"))
    pending = c.execute("SELECT count(*) FROM outbox WHERE state ="
                        " 'pending'").fetchone()[0]
    assert c.execute("PRAGMA user_version").fetchone()[0] == 7
    c.close()
    # the letter was printed by the schema-7 daemon; six emails wait
    assert pending == 6 and queued["alice@example.fr"]

    # 7 Dec: the migration; every queued message goes out, the links the
    # schema-7 code drew and hashed among them.
    start_on(a, monkeypatch, "2026-12-07")
    try:
        wait_for(lambda: one(a, "SELECT count(*) FROM outbox WHERE state ="
                             " 'pending'")[0] == 0, what="outbox delivered",
                 log=a.log)
        # migrations 8 (the lean store), 9 (file.submitted_by, the
        # admin drop) and 10 (outbox.claimed_by, several daemons)
        assert one(a, "PRAGMA user_version")[0] == 10
        got = mails(a)
        for to in ("alice@example.fr", "basile@example.fr"):
            assert len(got[to]) == 1
            assert queued[to] in got[to][0], got[to][0]
        assert len(got["denis@example.fr"]) == 1          # confirmation
        # the letter printed before the upgrade is not printed again
        assert list((a.root / "print").rglob("*.pdf")) == []
        # the relance and jeton rows moved to the record
        for k in ("simple_a", "simple_b", "courrier"):
            assert one(a, "SELECT due_relance, due_jeton FROM employee"
                       " WHERE nir = ?", n[k]) == ("2026-12-14", "2027-01-06")
        assert one(a, "SELECT count(*) FROM deadline WHERE done_at IS NULL"
                   " AND kind IN ('relance', 'jeton')")[0] == 0
        assert one(a, "SELECT count(*) FROM deadline WHERE done_at IS NULL"
                   " AND kind IN ('radiation', 'fin_portabilite')")[0] == 2

        # Alice finishes with the link of her schema-7 invitation.
        token = re.search(r"/affiliation/([A-Za-z0-9_-]+)$",
                          queued["alice@example.fr"]).group(1)
        a.drop("portail.csv", PORTAL_COLS
               + "FINALISATION;%s;%s;BASE;%sx\n" % (EMPLOYER, n["simple_a"],
                                                    token)
               + "FINALISATION;%s;%s;BASE;%s\n" % (EMPLOYER, n["simple_a"],
                                                   token),
               employer="portail")
        rows = a.wait_report("portail.csv", employer="portail")
        assert [r["code"] for r in rows if r["ligne"] == "2"] == ["E280"]
        assert [r["resultat"] for r in rows if r["ligne"] == "3"] == \
            ["ACCEPTE"], rows
        assert statuses(a)[n["simple_a"]] == "AFFILIE"
    finally:
        a.stop()

    # 14 Dec: the reminders fall due (Alice's was dropped: she finished).
    start_on(a, monkeypatch, "2026-12-14")
    a.stop()
    st = statuses(a)
    assert st[n["simple_b"]] == "A_RELANCER"
    assert st[n["courrier"]] == "A_RELANCER"
    assert st[n["simple_a"]] == "AFFILIE"
    # 27 Dec: the radiation held since the schema-7 file.
    start_on(a, monkeypatch, "2026-12-27")
    a.stop()
    assert statuses(a)[n["futur"]] == "RADIE"
    # 6 Jan: the links expire and the portability ends.
    start_on(a, monkeypatch, "2027-01-06")
    a.stop()
    st = statuses(a)
    assert st[n["porta"]] == "RADIE"
    assert one(a, "SELECT count(*) FROM employee WHERE token_expires IS NOT"
               " NULL OR token_hash IS NOT NULL")[0] == 0
    fired = timer_history(a)
    whats = sorted(w for _, w, _ in fired)
    assert len([w for w in whats if w.startswith("délai")]) == 2, fired
    assert len([w for w in whats if w.startswith("lien")]) == 2, fired
    # And once only: the same day again fires nothing more.
    start_on(a, monkeypatch, "2027-01-06")
    a.stop()
    assert timer_history(a) == fired
