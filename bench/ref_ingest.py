#!/usr/bin/python3
"""ref_ingest.py - the Python stdlib reference of issue 14's benchmarks.

    ref_ingest.py --init DB
    ref_ingest.py DB REPORT_DIR FILE.csv...

What a short Python script with the csv and sqlite3 modules does with the
same payroll files and the same field rules as bench/baseline_ingest.c
(which says them in full): the same schema, pragmas (WAL, synchronous=FULL,
64 MiB cache) and statements, each file in one transaction, one report
line per movement in REPORT_DIR/<name>.cr.csv, fsynced before the COMMIT.
bench/bench_ingest.sh runs it with /usr/bin/python3, side by side with
affild and the C reference.
"""
import csv
import os
import sqlite3
import sys
from datetime import date

EMPLOYER = "12345678"
CATEGORIES = {"CADRE", "NON_CADRE", "AUTRE", "01", "04", "98", "99"}
OPTIONS = {"BASE", "CONFORT"}
LIENS = {"CONJOINT", "PACS", "CONCUBIN", "ENFANT"}
ATEXT = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
            "!#$%&'*+-/=?^_`{|}~")
LABEL = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
PERSON = ("nir", "nom", "prenom", "date_naissance", "date_embauche",
          "categorie")
SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE employee (id INTEGER PRIMARY KEY, employer TEXT NOT NULL,
 nir TEXT NOT NULL, nom TEXT, prenom TEXT, date_naissance TEXT,
 date_embauche TEXT, categorie TEXT, email TEXT, option TEXT,
 status TEXT NOT NULL, date_fin_contrat TEXT, motif_rupture TEXT,
 file TEXT, line INTEGER);
CREATE UNIQUE INDEX employee_nir ON employee (employer, nir);
CREATE TABLE beneficiary (id INTEGER PRIMARY KEY,
 employee_id INTEGER NOT NULL REFERENCES employee (id), lien TEXT,
 nom TEXT, prenom TEXT, date_naissance TEXT);
CREATE INDEX beneficiary_employee ON beneficiary (employee_id);
"""
INS_EMP = ("INSERT INTO employee (employer, nir, nom, prenom, date_naissance,"
           " date_embauche, categorie, email, option, status, file, line)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
           " ON CONFLICT (employer, nir) DO NOTHING")
INS_BEN = ("INSERT INTO beneficiary (employee_id, lien, nom, prenom,"
           " date_naissance) VALUES (?, ?, ?, ?, ?)")
FIND_EMP = "SELECT id FROM employee WHERE employer = ? AND nir = ?"
RADIATE = ("UPDATE employee SET status = 'RADIE', date_fin_contrat = ?,"
           " motif_rupture = ? WHERE employer = ? AND nir = ?"
           " AND status <> 'RADIE'")


class Rejected(Exception):
    """The movement's first blocking finding stops its checks."""


# ---- field rules ----------------------------------------------------------

def v_nir(value, out):
    s = "".join(ch for ch in value if ch not in " .-").upper()
    if not s:
        out.append(("E110", "nir", "NIR vide"))
        raise Rejected
    if not s.isascii() or not s.isalnum():
        out.append(("E112", "nir", "caractère non autorisé dans le NIR"))
        raise Rejected
    if len(s) != 15:
        out.append(("E111", "nir", "NIR de %d caractères au lieu de 15"
                    % len(s)))
        raise Rejected
    if s[0] not in "123478":
        out.append(("E112", "nir", "premier chiffre du NIR invalide"))
        raise Rejected
    corsica = s[5] == "2" and s[6] in "AB"
    for i, ch in enumerate(s[1:], 1):
        if not ch.isdigit() and not (corsica and i == 6):
            out.append(("E112", "nir", "caractère non numérique en "
                        "position %d du NIR" % (i + 1)))
            raise Rejected
    month = int(s[3:5])
    if not (1 <= month <= 12 or month == 20 or 30 <= month <= 42
            or month >= 50):
        out.append(("E113", "nir", "mois de naissance impossible dans le "
                    "NIR : %02d" % month))
        raise Rejected
    body = s[:5] + {"A": "19", "B": "18"}[s[6]] + s[7:13] if corsica \
        else s[:13]
    key = 97 - int(body) % 97
    if key != int(s[13:]):
        out.append(("E114", "nir", "clé de contrôle invalide : attendue "
                    "%02d, reçue %s" % (key, s[13:])))
        raise Rejected
    return s


def v_date(field, value, out):
    """AAAA-MM-JJ or J/M/AAAA, a real date in 1900..2199; None when not."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-" and \
            value[:4].isdigit() and value[5:7].isdigit() and \
            value[8:].isdigit():
        y, m, d = int(value[:4]), int(value[5:7]), int(value[8:])
    else:
        parts = value.split("/")
        if len(parts) != 3 or not all(p.isdigit() and p.isascii()
                                      for p in parts) or \
                not 1 <= len(parts[0]) <= 2 or not 1 <= len(parts[1]) <= 2:
            out.append(("E120", field, "format de date invalide : attendu "
                        "AAAA-MM-JJ ou JJ/MM/AAAA"))
            return None
        if len(parts[2]) == 2:
            out.append(("E122", field, "année sur deux chiffres"))
            return None
        if len(parts[2]) != 4:
            out.append(("E120", field, "format de date invalide : attendu "
                        "AAAA-MM-JJ ou JJ/MM/AAAA"))
            return None
        d, m, y = (int(p) for p in parts)
    if not 1900 <= y <= 2199:
        out.append(("E123", field, "année hors limites : %04d" % y))
        return None
    try:
        return date(y, m, d)
    except ValueError:
        out.append(("E121", field, "date inexistante"))
        return None


def age(born, at):
    return at.year - born.year - ((at.month, at.day) < (born.month, born.day))


def v_text(field, value, out, limit=100):
    if len(value.encode()) > limit:
        out.append(("E172", field, "valeur trop longue : %d octets "
                    "(maximum %d)" % (len(value.encode()), limit)))
    elif any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in value):
        out.append(("E171", field, "caractère de contrôle"))


def email_error(s):
    if len(s.encode()) > 254:
        return "E131", "adresse de plus de 254 octets"
    if any(ch in s for ch in " \t\r\n"):
        return "E132", "espace dans l'adresse"
    if "," in s or ";" in s:
        return "E133", "plusieurs adresses"
    if s.count("@") != 1:
        return "E134", "pas exactement un « @ »"
    local, domain = s.split("@")
    if not local or len(local) > 64 or local[0] == "." or \
            local[-1] == "." or ".." in local or \
            not set(local.replace(".", "")) <= ATEXT:
        return "E135", "partie locale invalide"
    if "." not in domain:
        return "E136", "domaine sans point"
    for label in domain.split("."):
        if not label or len(label) > 63 or label[0] == "-" or \
                label[-1] == "-" or not set(label) <= LABEL:
            return "E136", "domaine invalide"
    return None


def required(row, fields, out):
    for f in fields:
        if f not in row:
            out.append(("E101", f, "colonne absente de l'en-tête"))
        elif not row[f]:
            out.append(("E102", f, "champ obligatoire vide"))
    if out:
        raise Rejected


# ---- one movement ---------------------------------------------------------

class Ingest:
    def __init__(self, db):
        self.db = db
        self.today = date.today()

    def person(self, row, complete, out):
        required(row, PERSON + (("option",) if complete else ()), out)
        nir = v_nir(row["nir"], out)
        v_text("nom", row["nom"], out)
        v_text("prenom", row["prenom"], out)
        born = v_date("date_naissance", row["date_naissance"], out)
        hired = v_date("date_embauche", row["date_embauche"], out)
        if born and born > self.today:
            out.append(("E125", "date_naissance",
                        "date de naissance dans le futur"))
        elif born and hired and not 14 <= age(born, hired) <= 80:
            out.append(("E126" if age(born, hired) < 14 else "E127",
                        "date_naissance", "salarié âgé de %d ans à "
                        "l'embauche" % age(born, hired)))
        if born and int(nir[1:3]) != born.year % 100:
            out.append(("W111", "nir", "année de naissance du NIR "
                        "différente de date_naissance"))
        ahead = (hired - self.today).days if hired else 0
        if ahead > 365:
            out.append(("E128", "date_embauche",
                        "date d'embauche dans %d jours" % ahead))
        elif ahead < -90:
            out.append(("W120", "date_embauche",
                        "date d'embauche passée de %d jours" % -ahead))
        if row["categorie"] not in CATEGORIES:
            out.append(("E140", "categorie", "catégorie inconnue"))
        mail = row.get("email", "")
        if not mail:
            out.append(("E152", "email", "ni email ni adresse postale"))
        else:
            bad = email_error(mail)
            if bad:
                out.append((bad[0], "email", bad[1]))
        if complete and row["option"] not in OPTIONS:
            out.append(("E150", "option", "option inconnue"))
        return nir

    def affiliation(self, row, complete, out, where):
        nir = self.person(row, complete, out)
        if any(f[0][0] == "E" for f in out):
            return nir, None
        cur = self.db.execute(INS_EMP, (
            EMPLOYER, nir, row["nom"], row["prenom"], row["date_naissance"],
            row["date_embauche"], row["categorie"], row.get("email"),
            row.get("option") if complete else None,
            "AFFILIE" if complete else "EN_COURS") + where)
        if cur.rowcount == 0:
            return nir, False
        self.last = (nir, cur.lastrowid)
        return nir, True

    def beneficiary(self, row, out):
        required(row, ("nir", "lien", "nom", "prenom", "date_naissance"), out)
        nir = v_nir(row["nir"], out)
        if row["lien"] not in LIENS:
            out.append(("E141", "lien", "lien inconnu"))
        v_text("nom", row["nom"], out)
        v_text("prenom", row["prenom"], out)
        born = v_date("date_naissance", row["date_naissance"], out)
        if born and born > self.today:
            out.append(("E125", "date_naissance",
                        "date de naissance dans le futur"))
        if any(f[0][0] == "E" for f in out):
            return nir, None
        if self.last and self.last[0] == nir:
            emp = self.last[1]
        else:
            found = self.db.execute(FIND_EMP, (EMPLOYER, nir)).fetchone()
            if found is None:
                out.append(("E202", "nir",
                            "salarié inconnu chez cet employeur"))
                return nir, None
            emp = found[0]
        self.db.execute(INS_BEN, (emp, row["lien"], row["nom"],
                                  row["prenom"], row["date_naissance"]))
        return nir, True

    def radiation(self, row, out):
        required(row, ("nir", "date_fin_contrat", "motif_rupture"), out)
        nir = v_nir(row["nir"], out)
        v_date("date_fin_contrat", row["date_fin_contrat"], out)
        motif = row["motif_rupture"]
        if len(motif) != 3 or not (motif.isdigit() and motif.isascii()):
            out.append(("E182", "motif_rupture", "motif de rupture inconnu"))
        if any(f[0][0] == "E" for f in out):
            return nir, None
        cur = self.db.execute(RADIATE, (row["date_fin_contrat"], motif,
                                        EMPLOYER, nir))
        if cur.rowcount == 0:
            out.append(("E202", "nir", "salarié inconnu ou déjà radié"))
            return nir, None
        return nir, True

    def movement(self, row, line, name):
        op, out, nir, applied = row.get("operation", ""), [], "", None
        try:
            if op in ("AFFILIATION_SIMPLE", "AFFILIATION_COMPLETE"):
                nir, applied = self.affiliation(
                    row, op == "AFFILIATION_COMPLETE", out, (name, line))
            elif op == "AYANT_DROIT":
                nir, applied = self.beneficiary(row, out)
            elif op == "RADIATION":
                nir, applied = self.radiation(row, out)
            else:
                out.append(("E100", "operation", "opération inconnue"))
        except Rejected:
            pass
        if any(f[0][0] == "E" for f in out):
            self.rejected += 1
            shown = nir or row.get("nir", "")
            for code, field, msg in out:
                if code[0] == "E":
                    self.report.writerow([line, op, shown, "REJETE", code,
                                          field, msg])
            return
        self.accepted += 1
        self.report.writerow([line, op, nir, "ACCEPTE",
                              "I000" if applied else "I200", "",
                              "mouvement appliqué" if applied
                              else "déjà pris en compte"])
        for code, field, msg in out:
            self.warnings += 1
            self.report.writerow([line, op, nir, "AVERTISSEMENT", code,
                                  field, msg])

    # ---- one file --------------------------------------------------------

    def ingest(self, path, report_dir):
        name = os.path.basename(path)
        self.accepted = self.rejected = self.warnings = 0
        self.last = None
        movements = 0
        with open(os.path.join(report_dir, name + ".cr.csv"), "w",
                  encoding="utf-8", newline="") as rf, \
                open(path, encoding="utf-8-sig", newline="") as f:
            rf.write("\ufeff")
            self.report = csv.writer(rf, delimiter=";", lineterminator="\r\n")
            self.report.writerow(["ligne", "operation", "nir", "resultat",
                                  "code", "champ", "message"])
            self.db.execute("BEGIN IMMEDIATE")
            try:
                rows = csv.DictReader(f, delimiter=";", restval="")
                for line, row in enumerate(rows, 2):
                    movements += 1
                    self.movement(row, line, name)
                code = 0 if not self.rejected and not self.warnings else \
                    1 if not self.rejected else 2 if self.accepted else 3
                self.report.writerow([
                    0, "FICHIER", "", "ACCEPTE" if code < 2 else "REJETE",
                    "CR%d" % code, "",
                    "code retour %d : %d mouvements, %d acceptés, %d "
                    "rejetés, %d avertissements" % (
                        code, movements, self.accepted, self.rejected,
                        self.warnings)])
                rf.flush()
                os.fsync(rf.fileno())
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")


def main(argv):
    if len(argv) == 3 and argv[1] == "--init":
        db = sqlite3.connect(argv[2])
        db.executescript(SCHEMA)
        db.close()
        return 0
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    # isolation_level=None: the transactions are the ones written here.
    db = sqlite3.connect(argv[1], isolation_level=None)
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA cache_size=-65536")
    ingest = Ingest(db)
    for path in argv[3:]:
        ingest.ingest(path, argv[2])
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
