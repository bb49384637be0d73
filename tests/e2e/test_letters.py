"""Issue 6, letters: an employee with no email gets a PDF letter.

The letter lands in <print_dir>/<AAAAMMJJ>/<outbox id>.pdf, renders with
poppler (pdftoppm), reads back (pdftotext -layout) with the address in the
envelope window and the invitation text, and the day's manifest.csv lists
it exactly once, across SIGKILL and restarts.
"""
import csv
import io
import sqlite3
import subprocess
from datetime import date, datetime
from zoneinfo import ZoneInfo

from conftest import Affild, make_nir, today, wait_for

HEADER = ("operation;nir;nom;prenom;date_naissance;date_embauche;categorie;"
          "adresse;code_postal;ville;pays\n")
BORN = date(1988, 6, 3)
MANIFEST_COLUMNS = ["fichier", "id", "employeur", "type", "destinataire",
                    "code_postal", "ville", "pages"]


def letter_row(serial, nom, prenom, adresse, cp, ville, pays=""):
    nir = make_nir(1, BORN, serial)
    return nir, ";".join(["AFFILIATION_SIMPLE", nir, nom, prenom,
                          BORN.isoformat(), today(), "NON_CADRE", adresse,
                          cp, ville, pays]) + "\n"


def day_dir(affild):
    """Letters are filed by their queue day in Europe/Paris."""
    day = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y%m%d")
    return affild.root / "print" / day


def manifest(affild):
    path = day_dir(affild) / "manifest.csv"
    if not path.exists():
        return []
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "manifest must start with a BOM"
    text = raw[3:].decode()
    assert "\n" not in text.replace("\r\n", ""), "CRLF line ends only"
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    assert reader.fieldnames == MANIFEST_COLUMNS
    return list(reader)


def pdf_text(path):
    r = subprocess.run(["pdftotext", "-layout", str(path), "-"],
                       capture_output=True, text=True, check=True)
    return r.stdout


def pdf_pages(path):
    r = subprocess.run(["pdfinfo", str(path)], capture_output=True,
                       text=True, check=True)
    [line] = [l for l in r.stdout.splitlines() if l.startswith("Pages:")]
    return int(line.split()[1])


def wait_letters(affild, count):
    wait_for(lambda: len(manifest(affild)) >= count,
             what="%d letters in the manifest" % count, log=affild.log)
    return manifest(affild)


def test_letter_renders_with_address_and_invitation(affild, tmp_path):
    nir, line = letter_row(501, "Lefèvre", "Anaïs", "12 rue des Lilas",
                           "42000", "Saint-Étienne")
    nir2, line2 = letter_row(502, "Ødegård", "Søren", "Storgata 5",
                             "0155", "Oslo", "Norvège")
    affild.drop("courrier.csv", HEADER + line + line2)
    rows = affild.wait_report("courrier.csv")
    assert rows[-1]["code"] == "CR0", rows
    entries = wait_letters(affild, 2)
    assert [e["destinataire"] for e in entries] == ["Anaïs Lefèvre",
                                                     "Søren Ødegård"]
    first = entries[0]
    assert first["fichier"] == first["id"] + ".pdf"
    assert first["employeur"] == "12345678"
    assert first["type"] == "invitation"
    assert (first["code_postal"], first["ville"]) == ("42000",
                                                       "Saint-Étienne")
    pdf = day_dir(affild) / first["fichier"]
    assert first["pages"] == str(pdf_pages(pdf))

    # It renders: poppler rasterises every page to a non-empty PNG.
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf),
                    str(tmp_path / "page")], check=True)
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == pdf_pages(pdf)
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)

    text = pdf_text(pdf)
    lines = [l.strip() for l in text.splitlines()]
    # The window block: name, street, then CODE POSTAL VILLE in capitals.
    i = lines.index("Anaïs Lefèvre")
    assert lines[i + 1:i + 3] == ["12 rue des Lilas", "42000 SAINT-ETIENNE"]
    assert "Service Adhésions santé collective" in text
    assert "Objet : Votre affiliation à la complémentaire santé de " \
           "Exemple SAS" in " ".join(lines)
    assert "Pour finaliser votre affiliation" in text
    assert "https://espace.assureur.example/affiliation/" in text
    assert nir not in text and nir[:13] not in text, "letters carry no NIR"

    # Abroad: the country closes the block, in capitals.
    text2 = pdf_text(day_dir(affild) / entries[1]["fichier"])
    lines2 = [l.strip() for l in text2.splitlines()]
    i = lines2.index("Søren Ødegård")
    assert lines2[i + 1:i + 4] == ["Storgata 5", "0155 OSLO", "NORVEGE"]

    # Letters are sent, not emailed.
    assert affild.mails() == []
    outbox = affild.ctl_json("outbox")
    assert {o["state"] for o in outbox} == {"sent"}


def test_kill_and_restart_never_duplicate_a_letter(tmp_path):
    a = Affild(tmp_path)
    a.start()
    try:
        text = HEADER
        for i in range(6):
            text += letter_row(600 + i, "Martin", "Zoé%d" % i,
                               "%d avenue Foch" % (i + 1), "69006",
                               "Lyon")[1]
        a.drop("lot1.csv", text)
        a.wait_report("lot1.csv")
        # SIGKILL while the letters are being written, then restart.
        a.kill()
        a.start()
        entries = wait_letters(a, 6)
        a.kill()
        a.start()
        text = HEADER + letter_row(700, "Petit", "Léa", "3 place Bellecour",
                                   "69002", "Lyon")[1]
        a.drop("lot2.csv", text)
        a.wait_report("lot2.csv")
        entries = wait_letters(a, 7)
    finally:
        a.stop()
    ids = [e["id"] for e in entries]
    assert len(ids) == len(set(ids)) == 7
    assert ids == sorted(ids, key=int)
    pdfs = sorted(p.name for p in day_dir(a).glob("*.pdf"))
    assert pdfs == sorted(e["fichier"] for e in entries)
    assert not [p for p in day_dir(a).iterdir()
                if p.name.endswith(".tmp")], "no temp file left behind"


def test_retry_after_crash_rewrites_the_same_letter(tmp_path):
    """The two crash windows of letter_print.c, reproduced on disk.

    Row A: PDF renamed, manifest not yet updated, outbox still pending.
    Row B: PDF and manifest written, outbox still pending.
    On restart both are delivered again: same file names, one line each.
    """
    a = Affild(tmp_path)
    a.start()
    text = HEADER
    for i in range(3):
        text += letter_row(800 + i, "Bernard", "Hélène%d" % i,
                           "%d quai Saint-Vincent" % (i + 1), "69001",
                           "Lyon")[1]
    a.drop("lot.csv", text)
    a.wait_report("lot.csv")
    entries = wait_letters(a, 3)
    a.stop()
    row_a, row_b = entries[0], entries[2]
    path = day_dir(a) / "manifest.csv"
    raw = path.read_bytes()
    kept = [l for l in raw.split(b"\r\n")
            if not l.startswith(row_a["fichier"].encode() + b";")]
    path.write_bytes(b"\r\n".join(kept))
    db = sqlite3.connect(tmp_path / "affild.db")
    with db:
        db.execute("UPDATE outbox SET state = 'pending', next_attempt = 0"
                   " WHERE id IN (?, ?)", (row_a["id"], row_b["id"]))
    db.close()
    assert len(manifest(a)) == 2
    a.start()
    try:
        wait_for(lambda: {o["state"] for o in a.ctl_json("outbox")}
                 == {"sent"}, what="letters sent again", log=a.log)
        after = manifest(a)
    finally:
        a.stop()
    assert [e["id"] for e in after] == [e["id"] for e in entries]
    assert after == entries
    assert len(list(day_dir(a).glob("*.pdf"))) == 3


def test_two_line_address_affiliates_and_prints_on_two_lines(affild):
    """Excel's Alt+Enter in a quoted adresse ("Bât. C" then the street):
    two address lines, kept as lines on the letter, folded with ", " in
    the EXPORT; a line break in a one-line field (nom) is folded to a
    space with a warning."""
    nir = make_nir(1, BORN, 901)
    line = ";".join(["AFFILIATION_SIMPLE", nir, "Garnier", "Paul",
                     BORN.isoformat(), today(), "NON_CADRE",
                     '"Bât. C\r\n14 avenue Jean Jaurès"', "69007", "Lyon",
                     ""]) + "\r\n"
    nir2 = make_nir(1, BORN, 902)
    line2 = ";".join(["AFFILIATION_SIMPLE", nir2, '"Le\nBlanc"', "Marc",
                      BORN.isoformat(), today(), "NON_CADRE",
                      "2 rue Neuve", "69002", "Lyon", ""]) + "\r\n"
    affild.drop("adresses.csv", HEADER + line + line2)
    rows = affild.wait_report("adresses.csv")
    assert rows[-1]["code"] == "CR1", rows
    [w] = [r for r in rows if r["code"] == "W171"]
    assert w["champ"] == "nom" and w["nir"] == nir2
    entries = wait_letters(affild, 2)
    pdf = day_dir(affild) / [e for e in entries
                             if e["destinataire"] == "Paul Garnier"][0][
                                 "fichier"]
    lines = [l.strip() for l in pdf_text(pdf).splitlines()]
    i = lines.index("Paul Garnier")
    assert lines[i + 1:i + 4] == ["Bât. C", "14 avenue Jean Jaurès",
                                  "69007 LYON"]
    names = [e["destinataire"] for e in entries]
    assert "Marc Le Blanc" in names
    # stored as two lines; the EXPORT stays one row per employee
    shown = affild.ctl_json("show", "12345678", nir)
    assert shown["employee"]["adresse"] == "Bât. C\n14 avenue Jean Jaurès"
    affild.drop("export.csv", "operation\nEXPORT\n")
    affild.wait_report("export.csv")
    [ex] = list(affild.out_dir().glob("export.csv.*.export.csv"))
    text = ex.read_bytes().decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 3     # header + 2 employees


def test_an_address_of_five_lines_is_refused(affild):
    nir = make_nir(1, BORN, 903)
    five = '"A\nB\nC\nD\nE"'
    line = ";".join(["AFFILIATION_SIMPLE", nir, "Roy", "Jean",
                     BORN.isoformat(), today(), "NON_CADRE", five, "75001",
                     "Paris", ""]) + "\n"
    affild.drop("cinq.csv", HEADER + line)
    rows = affild.wait_report("cinq.csv")
    assert rows[0]["code"] == "E173" and rows[0]["champ"] == "adresse"
    assert rows[-1]["code"] == "CR3"
