"""Issue 6b: the radiation gate.

A file that would radiate more than radiation_gate_percent (default 20 %,
from 2 radiations on) of the employer's covered employees, or more than
radiation_gate_count of them, is held: nothing applied, an E020 report,
the original in .affild/held/.  `affilctl file ID approve` applies it once
(ungated, crash-safe), `affilctl file ID refuse` rejects it once (E021,
quarantined).
"""
import subprocess
from datetime import date, timedelta

import pytest

from conftest import BIN, EMPLOYER, Affild, make_nir, wait_for
from fault_util import FaultyAffild
from spool_util import db, set_employer_key

COLS = ("operation;nir;nom;prenom;date_naissance;date_embauche;categorie;"
        "email;option;date_fin_contrat;motif_rupture").split(";")
BORN = date(1985, 6, 3)
TODAY = date.today()
HIRED = (TODAY - timedelta(days=60)).isoformat()
END = (TODAY - timedelta(days=5)).isoformat()
NIRS = [make_nir(1, BORN, 700 + k) for k in range(10)]
EX_DATAERR = 65


def line(**kw):
    return ";".join(kw.get(c, "") for c in COLS) + "\n"


def csv(*rows):
    return ";".join(COLS) + "\n" + "".join(rows)


def portfolio(nirs=NIRS):
    return csv(*(line(operation="AFFILIATION_COMPLETE", nir=n, nom="Durand",
                      prenom="Paul", date_naissance=BORN.isoformat(),
                      date_embauche=HIRED, categorie="CADRE",
                      email="p%d@example.fr" % k, option="BASE")
                 for k, n in enumerate(nirs)))


def radiations(nirs):
    # 059: a resignation, no portability: RADIE at once
    return csv(*(line(operation="RADIATION", nir=n, date_fin_contrat=END,
                      motif_rupture="059") for n in nirs))


def gated(a):
    """The harness turns the gate off for the other tests: back on."""
    text = a.config.read_text()
    a.config.write_text(text.replace("  radiation_gate_percent: 0\n", ""))
    return a


@pytest.fixture
def gate(tmp_path):
    a = gated(Affild(tmp_path))
    a.start()
    yield a
    a.stop()


def ctl_run(a, *args):
    return subprocess.run([str(BIN / "affilctl"), "-c", str(a.config), *args],
                          capture_output=True, text=True, timeout=30)


def setup_ten(a):
    a.drop("embauches.csv", portfolio())
    assert a.wait_report("embauches.csv")[-1]["code"] == "CR0"
    assert covered(a) == 10


def covered(a):
    return sum(e["status"] == "AFFILIE" for e in a.ctl_json("employees"))


def file_named(a, name, state=None):
    return [f for f in a.ctl_json("files")
            if f["file_name"] == name and (state is None or f["state"] == state)]


def held_files(a):
    d = a.root / "spool/.affild/held" / EMPLOYER
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


def hold_three(a, name="departs.csv"):
    a.drop(name, radiations(NIRS[:3]))
    rows = a.wait_report(name)
    [f] = file_named(a, name)
    return rows, f


def test_a_file_radiating_30_percent_is_held_until_approved_then_applied_once(gate):
    setup_ten(gate)
    rows, held = hold_three(gate)
    assert [r["code"] for r in rows] == ["E020", "CR3"], rows
    assert "il radierait 3 salariés sur 10 couverts (30 %, au-delà de " \
        "20 %)" in rows[0]["message"]
    assert "en attente de validation" in rows[-1]["message"]
    assert held["state"] == "held"
    assert covered(gate) == 10                      # nothing applied
    assert held_files(gate) == ["%s.departs.csv" % held["file_id"]]
    assert "event=file_held" in gate.log.read_text()
    # an approval of a file that is not held is refused, with EX_DATAERR
    [done] = file_named(gate, "embauches.csv")
    r = ctl_run(gate, "file", done["file_id"], "approve")
    assert r.returncode == EX_DATAERR and "E272" in r.stderr
    assert "pas en attente de validation (état done)" in r.stdout

    r = ctl_run(gate, "file", held["file_id"], "approve")
    assert r.returncode == 0, r.stderr
    rows = gate.wait_report("departs.csv", count=2)
    assert rows[-1]["code"] == "CR0", rows
    assert "approuvé par" in rows[-1]["message"]
    wait_for(lambda: covered(gate) == 7, what="3 radiations")
    statuses = {e["nir"]: e["status"] for e in gate.ctl_json("employees")}
    assert all(statuses[n] == "RADIE" for n in NIRS[:3])
    assert file_named(gate, "departs.csv", "approved")[0]["file_id"] == held["file_id"]
    [run] = file_named(gate, "departs.csv", "done")
    assert held_files(gate) == []
    assert list((gate.root / "spool/.affild/archive" / EMPLOYER).glob(
        "*/%s.departs.csv" % run["file_id"]))
    with db(gate) as c:
        assert c.execute("SELECT kind, new_file_id FROM reprocess").fetchall() \
            == [("approve", run["file_id"])]
    # decided once: a second approval is refused
    r = ctl_run(gate, "file", held["file_id"], "approve")
    assert r.returncode == EX_DATAERR
    assert len(gate.reports("departs.csv")) == 2


def test_refused_file_is_rejected_with_e021_and_quarantined(gate):
    setup_ten(gate)
    _, held = hold_three(gate, "erreur.csv")
    r = ctl_run(gate, "file", held["file_id"], "refuse")
    assert r.returncode == 0, r.stderr
    rows = gate.wait_report("erreur.csv", count=2)
    assert [r["code"] for r in rows] == ["E021", "CR3"], rows
    assert "fichier refusé par l'assureur le %s par " % TODAY.isoformat() \
        in rows[0]["message"]
    assert covered(gate) == 10
    assert file_named(gate, "erreur.csv", "refused")
    [q] = file_named(gate, "erreur.csv", "quarantined")
    assert (gate.root / "spool/.affild/quarantine" / EMPLOYER /
            ("%s.erreur.csv" % q["file_id"])).exists()
    assert held_files(gate) == []
    assert ctl_run(gate, "file", held["file_id"], "refuse").returncode == EX_DATAERR


def test_one_radiation_of_ten_goes_through(gate):
    setup_ten(gate)
    gate.drop("un-depart.csv", radiations(NIRS[:1]))
    assert gate.wait_report("un-depart.csv")[-1]["code"] == "CR0"
    assert covered(gate) == 9


def test_two_of_ten_is_not_more_than_20_percent(gate):
    setup_ten(gate)
    gate.drop("deux.csv", radiations(NIRS[:2]))
    assert gate.wait_report("deux.csv")[-1]["code"] == "CR0"


def test_a_company_of_one_may_radiate_its_only_employee(gate):
    gate.drop("seul.csv", portfolio(NIRS[:1]))
    gate.wait_report("seul.csv")
    gate.drop("seul-depart.csv", radiations(NIRS[:1]))
    assert gate.wait_report("seul-depart.csv")[-1]["code"] == "CR0"


def test_count_limit_holds_what_the_share_lets_through(tmp_path):
    a = gated(Affild(tmp_path))
    set_employer_key(a, EMPLOYER, "radiation_gate_percent", 0)
    set_employer_key(a, EMPLOYER, "radiation_gate_count", 2)
    a.start()
    try:
        setup_ten(a)
        a.drop("deux.csv", radiations(NIRS[:2]))
        assert a.wait_report("deux.csv")[-1]["code"] == "CR0"
        a.drop("trois.csv", radiations(NIRS[2:5]))
        rows = a.wait_report("trois.csv")
        assert rows[0]["code"] == "E020"
        assert "au-delà de la limite de 2 radiations" in rows[0]["message"]
        assert covered(a) == 8
    finally:
        a.stop()


def test_validation_drop_says_production_would_hold_it(gate):
    setup_ten(gate)
    gate.drop("essai.csv", radiations(NIRS[:3]), validation=True)
    rows = gate.wait_report("essai.csv", validation=True)
    assert any(r["code"] == "W020" and "il radierait 3" in r["message"]
               for r in rows), rows
    assert file_named(gate, "essai.csv")[0]["state"] == "done"
    assert covered(gate) == 10 and held_files(gate) == []


def test_approve_of_unknown_or_done_file_exits_65(gate):
    gate.drop("embauches.csv", portfolio(NIRS[:2]))
    gate.wait_report("embauches.csv")
    [f] = file_named(gate, "embauches.csv")
    for fid in (f["file_id"], "20000101-999999"):
        for verb in ("approve", "refuse"):
            r = ctl_run(gate, "file", fid, verb)
            assert r.returncode == EX_DATAERR, (fid, verb, r.stderr)
    r = ctl_run(gate, "file", f["file_id"], "bless")
    assert r.returncode == 64


def test_sigkill_right_after_the_approval_applies_once(gate):
    setup_ten(gate)
    _, held = hold_three(gate)
    assert ctl_run(gate, "file", held["file_id"], "approve").returncode == 0
    gate.kill()
    gate.start()
    rows = gate.wait_report("departs.csv", count=2)
    assert rows[-1]["code"] == "CR0", rows
    wait_for(lambda: file_named(gate, "departs.csv", "approved"),
             what="approved")
    assert covered(gate) == 7
    assert len(gate.reports("departs.csv")) == 2
    assert len(file_named(gate, "departs.csv", "done")) == 1


@pytest.mark.parametrize("action", ["kill", "kill_after"])
def test_crash_at_the_move_out_of_held_applies_once(tmp_path, action):
    """Killed before / just after the held original's rename into work/:
    the request is served again, or its claimed copy resumed; once."""
    a = gated(FaultyAffild(tmp_path))
    a.start_faulty("op=rename,from=*/.affild/held/*,action=%s" % action)
    try:
        setup_ten(a)
        _, held = hold_three(a)
        assert ctl_run(a, "file", held["file_id"], "approve").returncode == 0
        a.wait_killed()
        a.start()
        rows = a.wait_report("departs.csv", count=2)
        assert rows[-1]["code"] == "CR0", rows
        wait_for(lambda: covered(a) == 7, what="3 radiations")
        assert len(a.reports("departs.csv")) == 2
        assert len(file_named(a, "departs.csv", "done")) == 1
        assert file_named(a, "departs.csv", "approved")
        assert held_files(a) == []
        with db(a) as c:
            assert c.execute("SELECT count(*) FROM reprocess WHERE done_at"
                             " IS NOT NULL AND error IS NULL").fetchone()[0] == 1
    finally:
        a.kill_if_alive()
