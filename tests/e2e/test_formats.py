"""Issue 3, "Done when": the same movements as CSV and as XML.

The same month of movements goes in three ways: CSV the French-Excel way
(UTF-8 with BOM, `;`, CRLF, JJ/MM/AAAA dates), CSV the old-payroll-tool way
(Windows-1252, `,`) and XML; each into its own fresh daemon.  The three
databases must end in the same state (read through affilctl) and the three
reports must say the same thing about each movement.  Then the XML-only
matters: the XML report, DTD attacks, the XSD, validation drops,
duplicates, another employer's number.
"""
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from conftest import EMPLOYER, Affild, bad_key, make_nir, wait_for

FIELDS = ["operation", "nir", "nom", "prenom", "date_naissance",
          "date_embauche", "categorie", "email", "option"]


def fr(d):
    return d.strftime("%d/%m/%Y")


def movements():
    """A month's mix: applied rows and rows rejected for each kind of fault."""
    born = date(1990, 4, 12)
    hired = fr(date.today())
    nirs = [make_nir(2 if i % 2 else 1, born, 300 + i) for i in range(9)]
    wrong, _ = bad_key(nirs[3])

    def mv(op, nir, nom, prenom, email="", option="", birth=fr(born)):
        return dict(zip(FIELDS, [op, nir, nom, prenom, birth, hired,
                                 "NON_CADRE", email, option]))
    return [
        mv("AFFILIATION_SIMPLE", nirs[0], "Lefèvre", "Anaïs", "anais@example.fr"),
        mv("AFFILIATION_SIMPLE", nirs[1], "Dupont", "Jean-Noël", "jn@example.fr"),
        mv("AFFILIATION_COMPLETE", nirs[2], "Bernard", "Hélène",
           "helene@example.fr", "BASE"),
        mv("AFFILIATION_SIMPLE", wrong, "Petit", "Léa", "lea@example.fr"),
        mv("AFFILIATION_SIMPLE", nirs[4], "Martin", "Zoé", "zoe@example.fr",
           birth="31/02/1990"),
        mv("AFFILIATION_SIMPLE", nirs[5], "Roux", "Loïc"),
        mv("AFFILIATION_COMPLETE", nirs[6], "Fournier", "Inès",
           "ines@example.fr", "PREMIUM"),
        mv("AFFILIATION_SIMPLE", nirs[7], "Cœur", "Müller", "coeur@example.fr"),
        mv("AFFILIATION_SIMPLE", nirs[0], "Lefèvre", "Anaïs", "anais@example.fr"),
    ]


def as_csv_excel(mvs):
    """UTF-8 with BOM, `;`, CRLF."""
    lines = [";".join(FIELDS)] + [";".join(m[f] for f in FIELDS) for m in mvs]
    return b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n"


def as_csv_cp1252(mvs):
    """Windows-1252, `,`, LF."""
    lines = [",".join(FIELDS)] + [",".join(m[f] for f in FIELDS) for m in mvs]
    return ("\n".join(lines) + "\n").encode("cp1252")


def esc(v):
    return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def as_xml(mvs, numero=EMPLOYER):
    """One element per movement, absent elements for empty values; returns
    the bytes and the line of each movement's start tag."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<mouvements version="1" numero_personne="%s">' % numero]
    starts = []
    for m in mvs:
        tag = m["operation"].lower()
        starts.append(len(out) + 1)
        out.append("  <%s>" % tag)
        for f in FIELDS[1:]:
            if m[f]:
                out.append("    <%s>%s</%s>" % (f, esc(m[f]), f))
        out.append("  </%s>" % tag)
    out.append("</mouvements>")
    return ("\n".join(out) + "\n").encode(), starts


def xml_reports(a, name, validation=False):
    return sorted(a.out_dir(validation=validation).glob(name + ".*.cr.xml"))


def wait_xml_report(a, name, count=1, validation=False):
    wait_for(lambda: len(xml_reports(a, name, validation)) >= count,
             what="report of " + name, log=a.log)
    return read_xml_report(xml_reports(a, name, validation)[count - 1])


def read_xml_report(path):
    """(rows as dicts named like the CSV columns, resume attributes)."""
    root = ET.parse(path).getroot()
    assert root.tag == "compte_rendu"
    rows = [{"ligne": e.get("numero"), "operation": e.get("operation"),
             "nir": e.get("nir"), "resultat": e.get("resultat"),
             "code": e.get("code"), "champ": e.get("champ"),
             "message": e.get("message")} for e in root.findall("ligne")]
    resume = root.find("resume")
    assert resume is not None and list(root)[-1] is resume
    assert rows and rows[-1]["operation"] == "FICHIER"
    return rows, dict(resume.attrib), root.get("fichier")


def content(rows):
    """What a report says about each movement, without line numbers."""
    return [(r["operation"], r["nir"], r["resultat"], r["code"], r["champ"],
             r["message"]) for r in rows]


@pytest.fixture
def three(tmp_path):
    daemons = [Affild(tmp_path / n) for n in ("excel", "cp1252", "xml")]
    for a in daemons:
        a.start()
    yield daemons
    for a in daemons:
        a.stop()


def test_csv_csv_and_xml_give_the_same_state_and_reports(three):
    excel, cp1252, xml = three
    mvs = movements()
    data, starts = as_xml(mvs)
    excel.drop("mois.csv", as_csv_excel(mvs))
    cp1252.drop("mois.csv", as_csv_cp1252(mvs))
    xml.drop("mois.xml", data)
    r_excel = excel.wait_report("mois.csv")
    r_cp = cp1252.wait_report("mois.csv")
    r_xml, resume, fichier = wait_xml_report(xml, "mois.xml")

    states = [a.ctl_json("employees") for a in three]
    assert len(states[0]) == 4, states[0]
    assert states[0] == states[1] == states[2]
    assert {e["nom"] for e in states[0]} >= {"Cœur", "Lefèvre", "Bernard"}

    # Windows-1252 is said once, at the end; otherwise the same report.
    w003 = [r for r in r_cp if r["code"] == "W003"]
    assert len(w003) == 1 and w003[0]["ligne"] == "0"
    r_cp = [r for r in r_cp if r["code"] != "W003"]
    assert content(r_excel) == content(r_cp) == content(r_xml)
    assert [r["ligne"] for r in r_excel] == [r["ligne"] for r in r_cp]

    # Lines: the CSV row (header is 1), the XML start tag.
    first = {}
    for r in r_excel[:-1]:
        first.setdefault(r["ligne"], r)
    assert sorted(map(int, first)) == list(range(2, 2 + len(mvs)))
    xml_lines = sorted({int(r["ligne"]) for r in r_xml[:-1]})
    assert xml_lines == starts
    codes = {r["code"] for r in r_xml}
    assert {"E114", "E121", "E152", "E150", "I200", "CR2"} <= codes

    assert fichier == "mois.xml"
    assert resume == {"code_retour": "2", "mouvements": "9", "acceptes": "5",
                      "rejetes": "4", "avertissements": "0"}
    assert len(excel.mails()) == len(cp1252.mails()) == len(xml.mails())


def test_xml_report_is_escaped_utf8_and_named_after_the_input(affild):
    mvs = movements()[:1]
    mvs[0]["nom"] = 'O"Brien & <Fils>'
    data, _ = as_xml(mvs)
    affild.drop("paie&co.xml", data)
    rows, resume, fichier = wait_xml_report(affild, "paie&co.xml")
    assert fichier == "paie&co.xml"
    [path] = xml_reports(affild, "paie&co.xml")
    raw = path.read_bytes()
    assert raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    raw.decode("utf-8")
    assert resume["code_retour"] == "0"
    assert [e["nom"] for e in affild.ctl_json("employees")] == ['O"Brien & <Fils>']
    assert not list(affild.out_dir().glob("*.cr.csv"))


def canary(tmp_path):
    secret = "CANARI-%s-NE-DOIT-JAMAIS-SORTIR" % tmp_path.name
    path = tmp_path / "canari.txt"
    path.write_text(secret + "\n")
    return path, secret


XXE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE mouvements [ <!ENTITY xxe SYSTEM "file://{path}"> ]>
<mouvements version="1">
  <affiliation_simple><nir>&xxe;</nir><nom>&xxe;</nom></affiliation_simple>
</mouvements>
"""

LAUGHS = ('<?xml version="1.0"?>\n<!-- ha -->\n<!DOCTYPE lolz [\n'
          ' <!ENTITY lol "lol">\n' +
          "".join(' <!ENTITY lol%d "%s">\n' % (i, ("&lol%s;" % (i - 1 if i > 1 else "")) * 10)
                  for i in range(1, 10)) +
          ']>\n<mouvements version="1"><relance><nir>&lol9;</nir></relance>'
          '</mouvements>\n')


def everything_written(a):
    """Every byte affild wrote or keeps: reports, log, database, mail."""
    blobs = [p.read_bytes() for p in (a.root / "spool").rglob("*")
             if p.is_file() and "quarantine" not in p.parts]
    blobs += [a.log.read_bytes()]
    blobs += [p.read_bytes() for p in a.root.glob("affild.db*")]
    blobs += [p.read_bytes() for p in (a.root / "mail").rglob("*") if p.is_file()]
    blobs += [a.ctl("files").encode()]
    return b"\n".join(blobs)


def test_xxe_and_billion_laughs_are_rejected_at_the_doctype(affild, tmp_path):
    path, secret = canary(tmp_path)
    affild.drop("xxe.xml", XXE.format(path=path))
    affild.drop("rires.xml", LAUGHS)
    for name, line in (("xxe.xml", "2"), ("rires.xml", "3")):
        rows, resume, _ = wait_xml_report(affild, name)
        assert rows[0]["code"] == "E014" and rows[0]["ligne"] == line, rows
        assert "DOCTYPE" in rows[0]["message"]
        assert resume["code_retour"] == "3"
        fid = xml_reports(affild, name)[0].name.split(".")[-3]
        quarantine = affild.root / "spool" / ".affild" / "quarantine" / EMPLOYER
        # The report moves first, then the original (design.md, step 5).
        wait_for(lambda: list(quarantine.glob(fid + ".*")),
                 what="quarantine of " + name, log=affild.log)
    assert affild.ctl_json("employees") == []
    assert secret.encode() not in everything_written(affild)


def test_xsd_and_well_formedness_reject_the_whole_file_naming_the_line(affild):
    mvs = movements()[:2]
    data, _ = as_xml(mvs)
    bad = data.replace(b"<email>jn@example.fr</email>",
                       b"<courriel>jn@example.fr</courriel>")
    affild.drop("schema.xml", bad)
    rows, resume, _ = wait_xml_report(affild, "schema.xml")
    assert rows[0]["code"] == "E013" and rows[0]["ligne"] == "19", rows
    assert "courriel" in rows[0]["message"]
    assert resume["code_retour"] == "3"

    affild.drop("casse.xml", data.replace(b"</affiliation_simple>\n</m",
                                          b"</affiliation>\n</m"))
    rows, resume, _ = wait_xml_report(affild, "casse.xml")
    assert rows[0]["code"] == "E012" and rows[0]["ligne"] == "20", rows
    assert affild.ctl_json("employees") == []


def test_xml_in_validation_drop_applies_nothing(affild):
    data, _ = as_xml(movements())
    affild.drop("essai.xml", data, validation=True)
    rows, resume, _ = wait_xml_report(affild, "essai.xml", validation=True)
    assert resume["code_retour"] == "2"
    assert "validation seule" in rows[-1]["message"]
    assert affild.ctl_json("employees") == []
    assert affild.mails() == []


def test_xml_sent_twice_is_a_duplicate(affild):
    data, _ = as_xml(movements()[:3])
    affild.drop("mois.xml", data)
    wait_xml_report(affild, "mois.xml")
    affild.drop("mois.xml", data)
    rows, resume, _ = wait_xml_report(affild, "mois.xml", count=2)
    assert rows[0]["code"] == "E005" and resume["code_retour"] == "3"
    assert len(affild.ctl_json("employees")) == 3


def test_xml_of_another_employer_is_rejected(affild):
    data, starts = as_xml(movements()[:2], numero="87654321")
    affild.drop("autre.xml", data)
    rows, resume, _ = wait_xml_report(affild, "autre.xml")
    assert rows[0]["code"] == "E003" and rows[0]["ligne"] == str(starts[0])
    assert affild.ctl_json("employees") == []


def test_other_extensions_and_gzip_are_refused(affild):
    affild.drop("mois.json", "{}")
    rows = affild.wait_report("mois.json")
    assert rows[0]["code"] == "E001" and ".csv ou .xml" in rows[0]["message"]
    affild.drop("mois.xml", b"\x1f\x8b\x08\x00" + bytes(40))
    rows, resume, _ = wait_xml_report(affild, "mois.xml")
    assert rows[0]["code"] == "E001" and "gzip" in rows[0]["message"]


def test_the_two_examples_say_the_same(tmp_path):
    """examples/affiliations.csv and .xml: the same employees (and the
    same rejected movement: Léo Petit's NIR has a wrong key in both)."""
    daemons = [Affild(tmp_path / n) for n in ("csv", "xml")]
    for a in daemons:
        a.start()
    try:
        examples = Path(__file__).resolve().parents[2] / "examples"
        daemons[0].drop("affiliations.csv",
                        (examples / "affiliations.csv").read_bytes())
        daemons[1].drop("AFFILIATIONS.XML",
                        (examples / "affiliations.xml").read_bytes())
        r_csv = daemons[0].wait_report("affiliations.csv")
        r_xml, resume, _ = wait_xml_report(daemons[1], "AFFILIATIONS.XML")
        accepted = [r["nir"] for r in r_csv if r["resultat"] != "REJETE"
                    and r["ligne"] != "0"]
        assert len(accepted) == 4
        assert [r["nir"] for r in r_xml if r["resultat"] != "REJETE" and
                r["operation"].startswith("AFFILIATION")] == accepted
        # The nested child follows its parent, with the parent's nir.
        ops = [(r["operation"], r["nir"]) for r in r_xml[:-1]]
        parent = ops.index(("AFFILIATION_COMPLETE", "285079900010454"))
        assert ops[parent + 1] == ("AYANT_DROIT", "285079900010454")
        assert ops[-1] == ("AYANT_DROIT", "295109900010103")
        states = [a.ctl_json("employees") for a in daemons]
        assert len(states[0]) == 4 and states[0] == states[1]
        wrong = [r for r in r_xml if r["code"] == "E114"]
        assert [r["nir"] for r in wrong] == ["192019900010553"]
    finally:
        for a in daemons:
            a.stop()
