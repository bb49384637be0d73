"""Faults and hostile input: what an employer's upload must not be able to do.

A file name is chosen by whoever holds the SFTP account: it must not forge
a log event (a newline), nor a key=value pair inside one (a quote, a
space).  A byte in a file must not silently cut a value: a NUL, or any C0
control character a field may not hold, refuses its line with its code.
"""
import re
from datetime import date

from conftest import EMPLOYER, HEADER, make_nir, row, wait_for

FORGED = "affild: info: event=file_processed id=X employer=99999999"

# key=value, the value bare or quoted with \" and \\ escapes.
PAIR = re.compile(r'([a-z_]+)=("(?:[^"\\]|\\.)*"|[^ "]*)(?= |$)')


def pairs(line):
    """The key=value pairs of one log line, after its "affild: level: "."""
    body = line.split(": ", 2)[-1]
    found = PAIR.findall(body)
    # every byte of the body belongs to a pair or to the single spaces
    assert " ".join(k + "=" + v for k, v in found) == body, line
    return found


def one_affiliation(serial, nom="Martin", prenom="Zoé"):
    nir = make_nir(2, date(1990, 4, 12), serial)
    return nir, row("AFFILIATION_SIMPLE", nir, nom, prenom, "12/04/1990",
                    email="z%d@example.fr" % serial)


def check_log(log, names):
    lines = log.read_text(errors="replace").splitlines()
    assert not [l for l in lines if l.startswith(FORGED)], lines
    for line in lines:
        if "event=file_processed" in line or "event=file_claimed" in line:
            kv = pairs(line)
            keys = [k for k, _ in kv]
            assert keys.count("employer") == 1, line
            assert ("employer", EMPLOYER) in kv, line
    claimed = [l for l in lines if "event=file_claimed" in l]
    assert len(claimed) == len(names), lines
    return claimed


def test_file_name_cannot_forge_a_log_line(affild):
    name = "paie.csv\n" + FORGED + " movements=1 x.csv"
    _, data = one_affiliation(401)
    affild.drop(name, HEADER + data)
    rows = affild.wait_report(name)
    assert rows[-1]["code"] == "CR0", rows
    claimed = check_log(affild.log, [name])
    assert "\\n" + FORGED in claimed[0]


def test_file_name_cannot_close_its_quotes(affild):
    name = 'paie" employer="99999999 x=".csv'
    _, data = one_affiliation(402)
    affild.drop(name, HEADER + data)
    rows = affild.wait_report(name)
    assert rows[-1]["code"] == "CR0", rows
    claimed = check_log(affild.log, [name])
    assert ("name", '"paie\\" employer=\\"99999999 x=\\".csv"') \
        in pairs(claimed[0])


def test_nul_byte_refuses_its_line_not_a_silent_cut(affild):
    nir1, r1 = one_affiliation(411, "Dupont", "Jean")
    nir2, r2 = one_affiliation(412, "Ma\x00rtin", "Zoé")
    nir3, r3 = one_affiliation(413, "Bernard", "Léa")
    affild.drop("nul.csv", (HEADER + r1 + r2 + r3).encode())
    rows = affild.wait_report("nul.csv")
    by_line = {r["ligne"]: r for r in rows}
    assert by_line["2"]["code"] == "I000", rows
    assert by_line["3"]["code"] == "E190", rows
    assert by_line["3"]["resultat"] == "REJETE", rows
    assert by_line["3"]["champ"] == "nom", rows
    assert "U+0000" in by_line["3"]["message"], rows
    assert by_line["4"]["code"] == "I000", rows
    assert rows[-1]["code"] == "CR2", rows
    nirs = {e["nir"] for e in affild.ctl_json("employees")}
    assert nirs == {nir1, nir3}
    assert "Ma" not in {e["nom"] for e in affild.ctl_json("employees")}


def test_control_character_in_xml_names_it(affild):
    nir = make_nir(2, date(1990, 4, 12), 421)
    data = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<mouvements version="1">\n'
            '  <affiliation_simple>\n'
            '    <nir>%s</nir>\n'
            '    <nom>Ma&#0;rtin</nom>\n'
            '  </affiliation_simple>\n'
            '</mouvements>\n' % nir).encode()
    affild.drop("nul.xml", data)
    out = affild.out_dir()
    wait_for(lambda: list(out.glob("nul.xml.*.cr.xml")), what="xml report",
             log=affild.log)
    report = next(out.glob("nul.xml.*.cr.xml")).read_text()
    assert 'code="E012"' in report and 'numero="5"' in report, report
    assert "caractère de contrôle U+0000" in report, report
    assert affild.ctl_json("employees") == []
