"""Make the schema-7 fixture of test_upgrade.py: run ONCE, by the code of
commit a51c307 (the last with schema 7), on 2026-12-06; kept for the record.

    AFFILD_BIN=/path/to/a51c307/bin /usr/bin/python3 make_fixture.py

A real daemon of that version applies one file; mail goes to a relay that
refuses connections, so every message stays queued.  The database is
dumped as SQL (fixture.sql) beside the token key (token.key, hex) and the
people's NIRs (people.txt).  What the file leaves pending:

  simple_a, simple_b  AFFILIATION_SIMPLE with email: an invitation queued
                      with its link, deadlines relance and jeton
  courrier            AFFILIATION_SIMPLE without email: a letter queued
  complet             AFFILIATION_COMPLETE: a confirmation queued
  futur               AFFILIATION_COMPLETE, RADIATION ending in 20 days:
                      a radiation deadline
  porta               AFFILIATION_COMPLETE, RADIATION ended yesterday (043):
                      PORTABILITE, a fin_portabilite deadline
"""
import os
import sqlite3
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
from conftest import Affild, make_nir  # noqa: E402

HEADER = ("operation;nir;nom;prenom;date_naissance;date_embauche;categorie;"
          "email;option;date_fin_contrat;motif_rupture;adresse;code_postal;"
          "ville\n")
HIRED = (date.today() - timedelta(days=30)).isoformat()
BORN = date(1988, 3, 14)


def line(op, nir, nom, prenom, email="", option="", fin="", motif="",
         adresse=("", "", "")):
    return ";".join([op, nir, nom, prenom, BORN.isoformat(), HIRED,
                     "NON_CADRE", email, option, fin, motif, *adresse]) + "\n"


def main():
    today = date.today()
    people = {k: make_nir(2, BORN, 900 + i) for i, k in enumerate(
        ["simple_a", "simple_b", "courrier", "complet", "futur", "porta"])}
    root = Path(tempfile.mkdtemp(prefix="affild-v7-"))
    a = Affild(root)
    cfg = a.config.read_text().replace(
        "  transport: file\n",
        "  transport: smtp\n  url: smtp://127.0.0.1:9\n")
    a.config.write_text(cfg)
    a.start()
    n = people
    a.drop("v7.csv", HEADER
           + line("AFFILIATION_SIMPLE", n["simple_a"], "Arnaud", "Alice",
                  "alice@example.fr")
           + line("AFFILIATION_SIMPLE", n["simple_b"], "Bernard", "Basile",
                  "basile@example.fr")
           + line("AFFILIATION_SIMPLE", n["courrier"], "Colin", "Céline",
                  adresse=("12 rue des Lilas", "69003", "Lyon"))
           + line("AFFILIATION_COMPLETE", n["complet"], "Dumas", "Denis",
                  "denis@example.fr", "BASE")
           + line("AFFILIATION_COMPLETE", n["futur"], "Etienne", "Emma",
                  "emma@example.fr", "BASE")
           + line("AFFILIATION_COMPLETE", n["porta"], "Fabre", "Félix",
                  "felix@example.fr", "BASE")
           + line("RADIATION", n["futur"], "Etienne", "Emma",
                  fin=(today + timedelta(days=20)).isoformat(), motif="039")
           + line("RADIATION", n["porta"], "Fabre", "Félix",
                  fin=(today - timedelta(days=1)).isoformat(), motif="043"))
    rows = a.wait_report("v7.csv")
    assert rows[-1]["code"] in ("CR0", "CR1"), rows
    a.stop()
    db = sqlite3.connect(root / "affild.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 7
    with open(HERE / "fixture.sql", "w") as f:
        for stmt in db.iterdump():
            f.write(stmt + "\n")
        f.write("PRAGMA user_version=7;\n")     # iterdump leaves it out
    (HERE / "token.key").write_text((root / "token.key").read_bytes().hex()
                                    + "\n")
    (HERE / "people.txt").write_text("".join(
        "%s %s\n" % (k, v) for k, v in people.items())
        + "made %s\n" % today.isoformat())
    print(root)


if __name__ == "__main__":
    main()
