"""Faults and hostile input: what an employer's upload must not be able to do.

A file name is chosen by whoever holds the SFTP account: it must not forge
a log event (a newline), nor a key=value pair inside one (a quote, a
space).  A byte in a file must not silently cut a value: a NUL, or any C0
control character a field may not hold, refuses its line with its code.
"""
import re
from datetime import date

from conftest import EMPLOYER, HEADER, make_nir, read_report, row

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
