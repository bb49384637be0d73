#!/usr/bin/python3
"""gen_movements.py - a payroll file of N generated movements, CSV or XML.

    gen_movements.py csv|xml N PATH [--kind simple|complete|radiation]
                     [--first K] [--hired AAAA-MM-JJ] [--end AAAA-MM-JJ]

Every movement names a different generated person (NIR born abroad,
department 99, with its right key: no real person), numbered from K
(default 0), so that affild goes the whole way: reader, checks, store.

  simple     AFFILIATION_SIMPLE with an email: an invitation each
  complete   AFFILIATION_COMPLETE (option BASE) and one beneficiary each,
             an AYANT_DROIT row after it in CSV, nested in XML
  radiation  RADIATION (motif 043, portability) of persons K..K+N-1, to run
             against a portfolio made by `--kind complete` with the same K

Hired today unless --hired (a radiation's portfolio is hired 60 days ago
so its contracts end after they began); radiations end yesterday unless
--end.  Written as a stream: the generator's memory does not grow with N.
"""
import argparse
import sys
from datetime import date, timedelta

KINDS = ("simple", "complete", "radiation")
HEADERS = {
    "simple": "operation;nir;nom;prenom;date_naissance;date_embauche;"
              "categorie;email\n",
    "complete": "operation;nir;nom;prenom;date_naissance;date_embauche;"
                "categorie;email;option;lien\n",
    "radiation": "operation;nir;date_fin_contrat;motif_rupture\n",
}


def nir(i):
    year = 60 + i // 120000 % 40
    month = 1 + i // 10000 % 12
    body = "%d%02d%02d99%06d" % (1 + i % 2, year, month, i % 1000000)
    return body + "%02d" % (97 - int(body) % 97), date(1900 + year, month, 15)


def person_xml(num, born, hired, i):
    return ("<nir>%s</nir><nom>Nom%d</nom><prenom>Prénom</prenom>"
            "<date_naissance>%s</date_naissance><date_embauche>%s"
            "</date_embauche><categorie>NON_CADRE</categorie>"
            "<email>p%d@example.fr</email>" % (num, i, born, hired, i))


def csv_lines(kind, i, hired, end):
    num, born = nir(i)
    if kind == "simple":
        return "AFFILIATION_SIMPLE;%s;Nom%d;Prénom;%s;%s;NON_CADRE;" \
               "p%d@example.fr\n" % (num, i, born, hired, i)
    if kind == "complete":
        return ("AFFILIATION_COMPLETE;%s;Nom%d;Prénom;%s;%s;NON_CADRE;"
                "p%d@example.fr;BASE;\n"
                "AYANT_DROIT;%s;Nom%d;Enfant;2015-05-01;;;;;ENFANT\n"
                % (num, i, born, hired, i, num, i))
    return "RADIATION;%s;%s;043\n" % (num, end)


def xml_lines(kind, i, hired, end):
    num, born = nir(i)
    if kind == "simple":
        return "  <affiliation_simple>%s</affiliation_simple>\n" % \
            person_xml(num, born, hired, i)
    if kind == "complete":
        return ("  <affiliation_complete>%s<option>BASE</option>"
                "<ayant_droit><lien>ENFANT</lien><nom>Nom%d</nom>"
                "<prenom>Enfant</prenom><date_naissance>2015-05-01"
                "</date_naissance></ayant_droit></affiliation_complete>\n"
                % (person_xml(num, born, hired, i), i))
    return ("  <radiation><nir>%s</nir><date_fin_contrat>%s</date_fin_contrat>"
            "<motif_rupture>043</motif_rupture></radiation>\n" % (num, end))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("fmt", choices=("csv", "xml"))
    ap.add_argument("n", type=int)
    ap.add_argument("path")
    ap.add_argument("--kind", choices=KINDS, default="simple")
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--hired", default=date.today().isoformat())
    ap.add_argument("--end",
                    default=(date.today() - timedelta(days=1)).isoformat())
    a = ap.parse_args()
    lines = csv_lines if a.fmt == "csv" else xml_lines
    with open(a.path, "w", encoding="utf-8", newline="\n") as f:
        if a.fmt == "csv":
            f.write(HEADERS[a.kind])
        else:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<mouvements version="1">\n')
        for i in range(a.first, a.first + a.n):
            f.write(lines(a.kind, i, a.hired, a.end))
        if a.fmt == "xml":
            f.write("</mouvements>\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
