"""Issue 6a: full-population reconciliation.

An employer sends its whole current population as RECONCILIATION rows;
affild answers with the differences (W251 unknown, W252 on record but not
covered, W253 covered but not in the file, W254 one per differing field),
CR1 when there is one, CR0 when there is none, and applies nothing: no
record changes, no mail, never a duplicate.  A file mixing RECONCILIATION
with other operations is refused whole (E022).
"""
from datetime import date, timedelta

import pytest

from conftest import Affild, make_nir
from test_formats import read_xml_report, wait_xml_report

COLS = ("operation;nir;nom;prenom;date_naissance;date_embauche;categorie;"
        "email;option;date_fin_contrat;motif_rupture").split(";")
BORN = date(1985, 6, 3)
TODAY = date.today()
HIRED = (TODAY - timedelta(days=60)).isoformat()
END = (TODAY - timedelta(days=5)).isoformat()
SAME, MISSING, DIFFERS, RADIATED, UNKNOWN = (make_nir(1, BORN, 800 + k)
                                             for k in range(5))
PEOPLE = {SAME: ("Durand", "Paul"), MISSING: ("Martin", "Alice"),
          DIFFERS: ("Petit", "Jean"), RADIATED: ("Roux", "Marc")}
NOTE = ("rapprochement : 1 salarié absent de la base, 1 non couvert, "
        "1 couvert absent du fichier, 2 champs différents pour 1 salarié ; "
        "rien n'a été appliqué")


def line(**kw):
    return ";".join(kw.get(c, "") for c in COLS) + "\n"


def csv(*rows):
    return ";".join(COLS) + "\n" + "".join(rows)


def affiliation(nir, k):
    nom, prenom = PEOPLE[nir]
    return line(operation="AFFILIATION_COMPLETE", nir=nir, nom=nom,
                prenom=prenom, date_naissance=BORN.isoformat(),
                date_embauche=HIRED, categorie="CADRE",
                email="p%d@example.fr" % k, option="BASE")


def recon(nir, **kw):
    return dict(operation="RECONCILIATION", nir=nir, **kw)


# The employer's view: SAME as on record (its name in capitals: case is no
# difference), DIFFERS with another nom and option, RADIATED still listed,
# UNKNOWN never affiliated; MISSING left out.
RECON_ROWS = [
    recon(SAME, nom="DURAND", prenom="Paul", date_naissance="03/06/1985",
          date_embauche=HIRED, categorie="01", option="BASE"),
    recon(DIFFERS, nom="Petit-Dupont", prenom="Jean", option="CONFORT"),
    recon(RADIATED, nom="Roux", prenom="Marc"),
    recon(UNKNOWN, nom="Blanc", prenom="Léa"),
]


@pytest.fixture
def portfolio(tmp_path):
    a = Affild(tmp_path)
    a.start()
    a.drop("embauches.csv", csv(*(affiliation(n, k)
                                  for k, n in enumerate(PEOPLE))))
    assert a.wait_report("embauches.csv")[-1]["code"] == "CR0"
    # 059: a resignation, no portability: RADIE at once
    a.drop("depart.csv", csv(line(operation="RADIATION", nir=RADIATED,
                                  date_fin_contrat=END, motif_rupture="059")))
    assert a.wait_report("depart.csv")[-1]["code"] == "CR0"
    yield a
    a.stop()


def snapshot(a):
    return a.ctl_json("employees"), [m.name for m in a.mails()]


def as_csv(rows):
    return csv(*(line(**r) for r in rows))


def as_xml(rows):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<mouvements version="1" numero_personne="12345678">']
    for r in rows:
        out.append("  <reconciliation>" + "".join(
            "<%s>%s</%s>" % (f, v, f) for f, v in r.items()
            if f != "operation") + "</reconciliation>")
    out.append("</mouvements>")
    return ("\n".join(out) + "\n").encode()


def check_differences(rows, lines):
    """The report of RECON_ROWS, whatever its format; lines: each row's."""
    by = {}
    for r in rows[:-1]:
        by.setdefault((r["nir"], r["code"]), []).append(r)
    assert all(r["operation"] == "RECONCILIATION" for r in rows[:-1]), rows

    same = by[(SAME, "I250")]
    assert same[0]["resultat"] == "ACCEPTE"
    assert same[0]["message"] == "salarié rapproché : conforme à la base"
    assert not [r for r in rows if r["nir"] == SAME and r["code"] != "I250"]

    nom, opt = by[(DIFFERS, "W254")]
    assert (nom["champ"], nom["resultat"], nom["ligne"]) == \
        ("nom", "AVERTISSEMENT", str(lines[1]))
    assert nom["message"] == ("champ nom différent : base « Petit », fichier "
                              "« Petit-Dupont »")
    assert opt["champ"] == "option"
    assert opt["message"] == ("champ option différent : base « BASE », fichier "
                              "« CONFORT »")

    (rad,) = by[(RADIATED, "W252")]
    assert rad["ligne"] == str(lines[2]) and rad["champ"] == ""
    assert rad["message"].startswith("salarié non couvert dans la base : "
                                     "radié depuis le ")

    (unk,) = by[(UNKNOWN, "W251")]
    assert unk["ligne"] == str(lines[3])
    assert unk["message"].startswith("salarié absent de la base : aucun "
                                     "salarié de cet employeur n'a ce NIR")

    (miss,) = by[(MISSING, "W253")]
    assert (miss["ligne"], miss["resultat"]) == ("0", "AVERTISSEMENT")
    assert miss["message"] == ("salarié couvert absent du fichier : Alice "
                               "Martin, affilié ; s'il a quitté l'entreprise, "
                               "envoyez sa RADIATION")

    assert {c for (_, c) in by} == {"I250", "W251", "W252", "W253", "W254"}
    summary = rows[-1]
    assert summary["code"] == "CR1", summary
    assert summary["resultat"] == "AVERTISSEMENT"
    assert summary["message"].endswith(NOTE), summary["message"]
    assert "4 mouvements, 4 acceptés, 0 rejeté, 5 avertissements" in \
        summary["message"]


def test_csv_reconciliation_reports_each_difference_and_applies_nothing(
        portfolio):
    a = portfolio
    before = snapshot(a)
    a.drop("population.csv", as_csv(RECON_ROWS))
    rows = a.wait_report("population.csv")
    check_differences(rows, [2, 3, 4, 5])
    assert snapshot(a) == before
    f = [f for f in a.ctl_json("files") if f["file_name"] == "population.csv"][0]
    assert f["state"] == "done" and f["return_code"] == 1
    # never a duplicate: the same bytes next month are compared again
    a.drop("population.csv", as_csv(RECON_ROWS))
    again = a.wait_report("population.csv", count=2)
    assert [r["code"] for r in again] == [r["code"] for r in rows]
    assert snapshot(a) == before
    log = a.log.read_text()
    assert "event=file_reconciled" in log
    assert not [n for n in (SAME, MISSING, DIFFERS, RADIATED, UNKNOWN)
                if n in log]


def test_xml_reconciliation_says_the_same(portfolio):
    a = portfolio
    before = snapshot(a)
    a.drop("population.xml", as_xml(RECON_ROWS))
    rows, resume, _ = wait_xml_report(a, "population.xml")
    check_differences(rows, [3, 4, 5, 6])
    assert resume["code_retour"] == "1"
    assert snapshot(a) == before


def test_reconciliation_in_the_validation_drop(portfolio):
    a = portfolio
    before = snapshot(a)
    a.drop("population.csv", as_csv(RECON_ROWS), validation=True)
    rows = a.wait_report("population.csv", validation=True)
    check_differences(rows, [2, 3, 4, 5])
    assert "validation seule ; rapprochement" in rows[-1]["message"]
    assert snapshot(a) == before


def test_no_difference_is_cr0(portfolio):
    a = portfolio
    rows = [recon(n, nom=PEOPLE[n][0], prenom=PEOPLE[n][1])
            for n in (SAME, MISSING, DIFFERS)]
    a.drop("ok.csv", as_csv(rows))
    report = a.wait_report("ok.csv")
    assert [r["code"] for r in report] == ["I250"] * 3 + ["CR0"]
    assert report[-1]["message"].endswith(
        "rapprochement : aucune différence avec la base ; rien n'a été "
        "appliqué")


def test_bad_nir_and_nir_twice_reject_their_row(portfolio):
    a = portfolio
    bad = SAME[:13] + "%02d" % ((int(SAME[13:]) + 1) % 97)
    rows = [recon(SAME), recon(bad), recon(MISSING), recon(DIFFERS),
            recon(SAME)]
    a.drop("bad.csv", as_csv(rows))
    report = a.wait_report("bad.csv")
    codes = [(r["ligne"], r["code"], r["champ"]) for r in report]
    assert ("3", "E114", "nir") in codes
    assert ("6", "E255", "nir") in codes
    twice = [r for r in report if r["code"] == "E255"][0]
    assert twice["message"] == ("NIR déjà donné à la ligne 2 de ce fichier : "
                                "une ligne par salarié")
    assert report[-1]["code"] == "CR2"


def test_mixing_reconciliation_with_movements_refuses_the_file(portfolio):
    a = portfolio
    before = snapshot(a)
    newcomer = make_nir(2, BORN, 900)
    a.drop("melange.csv", as_csv([
        recon(SAME, nom="Durand"),
        dict(operation="AFFILIATION_SIMPLE", nir=newcomer, nom="Noir",
             prenom="Eve", date_naissance=BORN.isoformat(),
             date_embauche=HIRED, categorie="CADRE",
             email="eve@example.fr")]))
    report = a.wait_report("melange.csv")
    assert [(r["ligne"], r["code"], r["champ"]) for r in report] == \
        [("3", "E022", "operation"), ("0", "CR3", "")]
    assert report[0]["message"].startswith(
        "AFFILIATION_SIMPLE dans un fichier de RECONCILIATION : un fichier "
        "de rapprochement ne contient que des lignes RECONCILIATION")
    # the other way round too: the affiliation first is rolled back
    a.drop("melange2.csv", as_csv([
        dict(operation="AFFILIATION_SIMPLE", nir=newcomer, nom="Noir",
             prenom="Eve", date_naissance=BORN.isoformat(),
             date_embauche=HIRED, categorie="CADRE",
             email="eve@example.fr"), recon(SAME)]))
    report = a.wait_report("melange2.csv")
    assert [r["code"] for r in report] == ["E022", "CR3"]
    assert snapshot(a) == before
