#!/usr/bin/python3
"""gen_movements.py - a payroll file of N generated affiliations, CSV or XML.

    gen_movements.py csv|xml N PATH

Every movement is a valid AFFILIATION_SIMPLE of a different generated
person (NIR born abroad, department 99, with its right key: no real
person), hired today, so that the daemon goes the whole way: reader,
checks, store.  Written as a stream: the generator's memory does not grow
with N either.
"""
import sys
from datetime import date


def nir(i):
    year = 60 + i // 120000 % 40
    month = 1 + i // 10000 % 12
    body = "%d%02d%02d99%06d" % (1 + i % 2, year, month, i % 1000000)
    return body + "%02d" % (97 - int(body) % 97), date(1900 + year, month, 15)


def main():
    fmt, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    hired = date.today().isoformat()
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if fmt == "csv":
            f.write("operation;nir;nom;prenom;date_naissance;date_embauche;"
                    "categorie;email\n")
        else:
            f.write('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<mouvements version="1">\n')
        for i in range(n):
            num, born = nir(i)
            nom, prenom, mail = "Nom%d" % i, "Prénom", "p%d@example.fr" % i
            if fmt == "csv":
                f.write("AFFILIATION_SIMPLE;%s;%s;%s;%s;%s;NON_CADRE;%s\n"
                        % (num, nom, prenom, born, hired, mail))
            else:
                f.write("  <affiliation_simple><nir>%s</nir><nom>%s</nom>"
                        "<prenom>%s</prenom><date_naissance>%s</date_naissance>"
                        "<date_embauche>%s</date_embauche><categorie>NON_CADRE"
                        "</categorie><email>%s</email></affiliation_simple>\n"
                        % (num, nom, prenom, born, hired, mail))
        if fmt == "xml":
            f.write("</mouvements>\n")


if __name__ == "__main__":
    main()
