"""Issue 7, "Done when": deadlines fire once, whatever the restarts.

Affiliations and radiations go through the real daemon; then
`affilctl timers run --as-of <today+30> --force` (an ECHEANCES row the
daemon applies from the admin drop) fires what a month brings, and the
daemon is restarted twice: every transition happened once and every
email was queued (and written) once.
"""
import email
import email.policy
import sqlite3
import subprocess
from datetime import date, timedelta

import spool_util

from conftest import BIN, EMPLOYER, make_nir, wait_for

HEADER = ("operation;nir;nom;prenom;date_naissance;date_embauche;categorie;"
          "email;option;date_fin_contrat;motif_rupture\n")
BORN = date(1985, 6, 3)


def day(n):
    return (date.today() + timedelta(days=n)).isoformat()


def line(op, nir, nom, prenom, email="", option="", fin="", motif=""):
    return ";".join([op, nir, nom, prenom, BORN.isoformat(), "2024-01-15",
                     "NON_CADRE", email, option, fin, motif]) + "\n"


def people():
    return {name: make_nir(1, BORN, 700 + i)
            for i, name in enumerate(["simple", "porta", "retraite"])}


def affiliate_and_radiate(affild):
    n = people()
    affild.drop("affiliations.csv", HEADER
                + line("AFFILIATION_SIMPLE", n["simple"], "Simon", "Inès",
                       "ines@example.fr")
                + line("AFFILIATION_COMPLETE", n["porta"], "Perrin", "Paul",
                       "paul@example.fr", "BASE")
                + line("AFFILIATION_COMPLETE", n["retraite"], "Renaud", "Rémi",
                       "remi@example.fr", "BASE"))
    rows = affild.wait_report("affiliations.csv")
    assert rows[-1]["code"] in ("CR0", "CR1"), rows  # CR1: hired long ago
    # Future-dated radiations: held as deadlines, applied the day after.
    affild.drop("radiations.csv", HEADER
                + line("RADIATION", n["porta"], "Perrin", "Paul",
                       fin=day(5), motif="043")
                + line("RADIATION", n["retraite"], "Renaud", "Rémi",
                       fin=day(10), motif="039"))
    rows = affild.wait_report("radiations.csv")
    assert rows[-1]["code"] in ("CR0", "CR1"), rows
    return n


def statuses(affild):
    return {e["nir"]: e["status"] for e in affild.ctl_json("employees")}


def outbox(affild):
    return sorted((o["kind"], o["recipient"]) for o in affild.ctl_json("outbox"))


def timer_history(affild):
    with spool_util.db(affild) as db:
        return db.execute("SELECT employee_id, from_status, to_status, what,"
                          " cause_ref FROM history WHERE cause = 'timer'"
                          " ORDER BY id").fetchall()


def ctl_rc(affild, *args):
    return subprocess.run([str(BIN / "affilctl"), "-c", str(affild.config), *args],
                          capture_output=True, text=True, timeout=60)


def restart(affild):
    """start() waits for "event=started" in the log: begin a fresh one."""
    old = affild.log.with_suffix(".log.%d" % len(list(affild.root.glob("affild.log*"))))
    affild.log.rename(old)
    affild.start()


def mails_settle(affild, count):
    wait_for(lambda: len(affild.mails()) >= count, what="%d emails" % count,
             log=affild.log)
    return len(affild.mails())


def test_a_month_later_each_transition_and_email_once(affild):
    n = affiliate_and_radiate(affild)
    assert statuses(affild) == {n["simple"]: "EN_COURS", n["porta"]: "AFFILIE",
                                n["retraite"]: "AFFILIE"}
    before = len(outbox(affild))
    mails_settle(affild, before)
    affild.stop()

    listing = affild.ctl("timers")
    assert "relance" in listing and "radiation" in listing
    assert "Perrin" in listing and EMPLOYER in listing
    for nir in n.values():
        assert nir not in listing, "affilctl timers never shows the NIR"

    # A date in the future needs --force: nobody fires next month by mistake.
    r = ctl_rc(affild, "timers", "run", "--as-of", day(30))
    assert r.returncode != 0 and "--force" in r.stderr
    assert statuses(affild)[n["simple"]] == "EN_COURS"

    # A change is a file for the daemon: it runs them, as of that day.
    restart(affild)
    out = affild.ctl("timers", "run", "--as-of", day(30), "--force")
    assert "3 échéance(s) traitée(s)" in out
    # the report lists each deadline fired by name, never by NIR
    assert "Perrin" in out and "Renaud" in out and "Simon" in out
    for nir in n.values():
        assert nir not in out
    assert statuses(affild) == {n["simple"]: "A_RELANCER",
                                n["porta"]: "PORTABILITE",
                                n["retraite"]: "RADIE"}
    history = timer_history(affild)
    transitions = sorted((h[1], h[2]) for h in history if h[1] != h[2])
    assert transitions == [("AFFILIE", "PORTABILITE"), ("AFFILIE", "RADIE"),
                           ("EN_COURS", "A_RELANCER")]
    assert all(h[4].startswith("echeance:") for h in history)
    mail = outbox(affild)
    kinds = sorted(k for k, _ in mail)
    assert kinds.count("digest_relances") == 1
    assert ("digest_relances", "rh@exemple-sas.example") in mail
    assert kinds.count("radiation_portabilite") == 1
    assert kinds.count("loi_evin") == 1  # retirement (039): no portability
    assert kinds.count("invitation") == 1
    assert len(mail) > before
    mails_settle(affild, len(mail))
    affild.stop()

    # Restarted twice: nothing fires again, every queued email written once.
    snapshot = (statuses(affild), timer_history(affild), outbox(affild))
    for _ in range(2):
        restart(affild)
        mails_settle(affild, len(snapshot[2]))
        affild.stop()
    assert (statuses(affild), timer_history(affild), outbox(affild)) == snapshot
    assert len(affild.mails()) == len(snapshot[2])
    assert all(o["state"] == "sent" for o in affild.ctl_json("outbox"))
    digest = [m for m in affild.mails() if b"To: rh@exemple-sas.example" in m.read_bytes()]
    assert len(digest) == 1
    body = email.message_from_bytes(digest[0].read_bytes(), policy=email.policy.default)
    text = body.get_body(("plain",)).get_content()
    assert "Simon Inès" in text and "Perrin" not in text
    assert all(nir not in text for nir in n.values())
    restart(affild)
    again = affild.ctl("timers", "run", "--as-of", day(30), "--force")
    assert "ECHEANCES" in again and "0 échéance(s) traitée(s)" in again
    assert "0 récapitulatif(s)" in again
    assert (statuses(affild), timer_history(affild)) == snapshot[:2]


def test_daemon_catches_up_at_start(affild):
    n = people()
    affild.drop("one.csv", HEADER + line("AFFILIATION_SIMPLE", n["simple"],
                                         "Simon", "Inès", "ines@example.fr"))
    affild.wait_report("one.csv")
    affild.stop()
    # The reminder came due while the daemon was down.
    db = sqlite3.connect(affild.root / "affild.db")
    with db:
        # (the relance deadline is a column of the record: schema 8)
        changed = db.execute("UPDATE employee SET due_relance = ?"
                             " WHERE due_relance IS NOT NULL",
                             (day(0),)).rowcount
    db.close()
    assert changed == 1
    restart(affild)
    wait_for(lambda: statuses(affild)[n["simple"]] == "A_RELANCER",
             what="catch-up at start", log=affild.log)
    wait_for(lambda: ("digest_relances", "rh@exemple-sas.example") in outbox(affild),
             what="digest", log=affild.log)
    affild.stop()
    restart(affild)
    assert len(timer_history(affild)) == 1
    assert [k for k, _ in outbox(affild)].count("digest_relances") == 1


def test_a_deadline_already_due_fires_right_after_the_file(affild):
    """A dispense whose end is past: no waiting for midnight."""
    n = people()
    affild.drop("one.csv", HEADER + line("AFFILIATION_SIMPLE", n["simple"],
                                         "Simon", "Inès", "ines@example.fr"))
    affild.wait_report("one.csv")
    affild.drop("dispense.csv",
                "operation;nir;motif_dispense;date_demande;justificatif;"
                "date_fin_dispense\n"
                "DISPENSE;%s;CSS;%s;ATT-2026-1;%s\n" % (n["simple"], day(-3), day(-1)))
    rows = affild.wait_report("dispense.csv")
    assert rows[0]["resultat"] == "ACCEPTE", rows
    wait_for(lambda: statuses(affild)[n["simple"]] == "EN_COURS"
             and [k for k, _ in outbox(affild)].count("invitation") == 2,
             what="re-invitation at the end of the dispense", log=affild.log)
    history = timer_history(affild)
    assert [(h[1], h[2]) for h in history] == [("DISPENSE", "EN_COURS")]
