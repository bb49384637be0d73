"""Faults and hostile input, the catalogue (issue "Faults and hostile input",
item 5): one case per kind of hostile upload, each with the report it must
get (code and line) and what must not happen (inflation, mangling, a mail
header, a file read on someone else's behalf, a partial file applied).

Cases the daemon does not meet yet are xfail(strict=True) with the reason:
they pass the day the fix lands, and then the marker must go.
See docs/reliability.md, "Hostile input catalogue".
"""
import gzip
import json
import os
import re
import subprocess
import time
import zlib
from datetime import date

import pytest

from conftest import (Affild, BIN, EMPLOYER, HEADER, make_nir, row, today,
                      wait_for)
from spool_util import csv_rows, log_count

BORN = date(1990, 4, 12)


def person(serial, nom="Martin", prenom="Zoé", email=None):
    nir = make_nir(2, BORN, serial)
    return nir, row("AFFILIATION_SIMPLE", nir, nom, prenom, "12/04/1990",
                    email=email or "z%d@example.fr" % serial)


def xml_person(serial, nom="Martin", email=None):
    """One movement over 9 lines: its start tag is the first."""
    nir = make_nir(2, BORN, serial)
    return nir, ("  <affiliation_simple>\n"
                 "    <nir>%s</nir>\n"
                 "    <nom>%s</nom>\n"
                 "    <prenom>Zoé</prenom>\n"
                 "    <date_naissance>1990-04-12</date_naissance>\n"
                 "    <date_embauche>%s</date_embauche>\n"
                 "    <categorie>NON_CADRE</categorie>\n"
                 "    <email>%s</email>\n"
                 "  </affiliation_simple>\n") % (
                     nir, nom, today(), email or "z%d@example.fr" % serial)


def xml_file(*movements):
    """Prolog on line 1, root on line 2, movements from line 3."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<mouvements version="1">\n' + "".join(movements)
            + "</mouvements>\n")


XML_LINE = re.compile(r'<ligne numero="(\d+)" operation="([^"]*)" nir="[^"]*"'
                      r' resultat="([^"]*)" code="([^"]*)" champ="([^"]*)"'
                      r' message="([^"]*)"/>')


def xml_report(a, name):
    out = a.out_dir()
    wait_for(lambda: list(out.glob(name + ".*.cr.xml")),
             what="xml report of " + name, log=a.log)
    text = next(out.glob(name + ".*.cr.xml")).read_text()
    rows = [dict(zip(("ligne", "operation", "resultat", "code", "champ",
                      "message"), m)) for m in XML_LINE.findall(text)]
    assert rows and rows[-1]["operation"] == "FICHIER", text
    return rows


def refused_whole(rows, code, line):
    """The file refused at line `line` with `code`, and nothing else."""
    assert [(r["ligne"], r["code"]) for r in rows] == \
        [(str(line), code), ("0", "CR3")], rows
    assert rows[0]["resultat"] == "REJETE", rows


def employees(a):
    """affilctl --format json employees, read as bytes: what a JSON consumer
    gets must be UTF-8 (a stored value that is not would break it)."""
    r = subprocess.run([str(BIN / "affilctl"), "-c", str(a.config),
                        "--format", "json", "employees"], capture_output=True,
                       timeout=30)
    assert r.returncode == 0, r.stderr
    try:
        text = r.stdout.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AssertionError("affilctl printed bytes that are not UTF-8 "
                             "(a value stored as it came): %r" % r.stdout) \
            from e
    return {e["nir"]: e for e in json.loads(text)}


def quarantined(a, name):
    q = a.root / "spool/.affild/quarantine" / EMPLOYER
    return [p for p in q.iterdir() if p.name.endswith("." + name)] \
        if q.is_dir() else []


def vm_hwm_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


# --- compressed input -----------------------------------------------------

def gzip_bomb(gib=1):
    """gib GiB of zeros as about 1 MB of gzip: 1024 members of 1 MiB each
    (gunzip reads concatenated members as one stream)."""
    member = gzip.compress(b"\0" * (1 << 20), 9)
    return member * (1024 * gib)


@pytest.mark.parametrize("name,report", [("bombe.xml", "xml"),
                                         ("bombe.csv", "csv")])
def test_gzip_bomb_is_refused_at_once_never_inflated(affild, name, report):
    bomb = gzip_bomb(1)
    assert len(bomb) < 2 << 20
    assert zlib.decompressobj(31).decompress(bomb[:4096], 1 << 16)  # gzip
    t0 = time.monotonic()
    affild.drop(name, bomb)
    rows = (xml_report(affild, name) if report == "xml"
            else affild.wait_report(name))
    took = time.monotonic() - t0
    refused_whole(rows, "E001", 0)
    assert "gzip" in rows[0]["message"], rows
    # 1 GiB inflated would show in the peak memory and take far longer
    assert vm_hwm_kb(affild.proc.pid) < 200 * 1024
    assert took < 10, took
    # the original moves after the report (docs/design.md, step 5)
    wait_for(lambda: quarantined(affild, name), what="quarantine of " + name)
    assert affild.ctl_json("employees") == []


# --- invalid UTF-8 in a CSV declared UTF-8 ----------------------------------
#
# docs/formats.md: a CSV that is not valid UTF-8 is read as Windows-1252 and
# the report says so (W003); a byte Windows-1252 does not define refuses the
# file at its line (E009).  So the value stored is the Windows-1252 reading
# of the bytes, never the bytes themselves.

def utf8_case(a, name, bad, serial):
    """Line 2 a clean person, line 3 one whose name holds `bad` in the middle
    of the field (Du<bad>pont).  Returns both NIRs."""
    nir1, r1 = person(serial)
    nir2, r2 = person(serial + 1, nom="Du@@pont")
    a.drop(name, (HEADER + r1 + r2).encode().replace(b"@@", bad))
    return nir1, nir2


@pytest.mark.parametrize("bad", [
    pytest.param(b"\xc0\xaf", id="overlong-2-bytes"),
    pytest.param(b"\xc3", id="truncated-mid-field"),
])
def test_invalid_utf8_is_read_as_windows_1252_and_said(affild, bad):
    nir1, nir2 = utf8_case(affild, "latin.csv", bad, 800)
    rows = affild.wait_report("latin.csv")
    codes = [(r["ligne"], r["code"]) for r in rows]
    assert ("2", "I000") in codes and ("3", "I000") in codes, rows
    w = [r for r in rows if r["code"] == "W003"]
    assert len(w) == 1 and w[0]["ligne"] == "0", rows
    assert "Windows-1252" in w[0]["message"], rows
    stored = employees(affild)
    # every byte decoded as Windows-1252, the clean line included: the
    # report said so (W003); nothing is stored as raw bytes
    assert stored[nir2]["nom"] == (b"Du" + bad + b"pont").decode("cp1252")
    assert stored[nir1]["prenom"] == "Zoé".encode().decode("cp1252")


@pytest.mark.parametrize("bad", [
    pytest.param(b"\xe0\x80\xaf", id="overlong-3-bytes"),
    pytest.param(b"\xed\xa0\x80", id="utf16-surrogate"),
])
def test_utf8_lookalikes_are_not_taken_for_utf8(affild, bad):
    nir1, nir2 = utf8_case(affild, "faux8.csv", bad, 810)
    rows = affild.wait_report("faux8.csv")
    assert [r["code"] for r in rows if r["code"] == "W003"] == ["W003"], rows
    stored = employees(affild)
    assert stored[nir2]["nom"] == (b"Du" + bad + b"pont").decode("cp1252")


def test_beyond_unicode_is_refused_with_its_line(affild):
    utf8_case(affild, "hors.csv", b"\xf4\x90\x80\x80", 820)
    rows = affild.wait_report("hors.csv")
    refused_whole(rows, "E009", 3)
    assert "0x90" in rows[0]["message"], rows


def test_upload_cut_inside_a_character_at_the_end(affild):
    """A UTF-8 file cut in the middle of its last "é": the whole file is
    then not UTF-8 and is read as Windows-1252 (W003), so the cut line is
    short of columns and refused on its line, and the earlier lines'
    accents are read as Windows-1252: said, not silent.  (The short line
    gets E101 "colonne absente de l'en-tête" although the header has them:
    the row, not the header, is short.)"""
    nir1, r1 = person(830)
    nir2, r2 = person(831)
    cut = (HEADER + r1).encode() + r2.encode()[:r2.encode().index(b"\xa9")]
    assert cut.endswith(b"Zo\xc3")
    affild.drop("coupe.csv", cut)
    rows = affild.wait_report("coupe.csv")
    assert ("2", "I000") in [(r["ligne"], r["code"]) for r in rows], rows
    third = [r for r in rows if r["ligne"] == "3"]
    assert third and {r["resultat"] for r in third} == {"REJETE"}, rows
    assert "E101" in {r["code"] for r in third}, rows
    assert [(r["ligne"], r["code"]) for r in rows if r["code"] == "W003"] \
        == [("0", "W003")], rows
    assert employees(affild)[nir1]["prenom"] == "ZoÃ©"
    assert nir2 not in employees(affild)


# --- invalid UTF-8 in XML ---------------------------------------------------

@pytest.mark.parametrize("bad", [
    pytest.param(b"\xc3(", id="truncated"),
    pytest.param(b"\xe0\x80\xaf", id="overlong"),
    pytest.param(b"\xed\xa0\x80", id="surrogate"),
    pytest.param(b"\xff", id="never-utf8"),
])
def test_xml_with_invalid_utf8_is_refused_at_its_line(affild, bad):
    _, m1 = xml_person(840)
    _, m2 = xml_person(841, nom="Du@@pont")
    # m2 starts on line 12, its <nom> is line 14
    affild.drop("mauvais8.xml", xml_file(m1, m2).encode().replace(b"@@", bad))
    rows = xml_report(affild, "mauvais8.xml")
    refused_whole(rows, "E012", 14)
    assert affild.ctl_json("employees") == []


# --- limits -----------------------------------------------------------------

@pytest.mark.parametrize("size,what", [
    (1 << 20, "ligne trop longue"),           # the line passes 1 MiB first
    (100 << 10, "champ trop long en colonne 3"),
])
def test_huge_field_is_refused_at_its_line(affild, size, what):
    _, r1 = person(850)
    _, r2 = person(851, nom="A" * size)
    affild.drop("champ.csv", HEADER + r1 + r2)
    rows = affild.wait_report("champ.csv")
    refused_whole(rows, "E007", 3)
    assert what in rows[0]["message"], rows
    assert affild.ctl_json("employees") == []


@pytest.mark.parametrize("line", [1, 3])
def test_hundred_thousand_columns_are_refused_at_their_line(affild, line):
    wide = ";" * 99999 + "\n"                    # 100,000 columns
    _, r1 = person(860)
    data = wide + r1 if line == 1 else HEADER + r1 + wide
    affild.drop("colonnes.csv", data)
    rows = affild.wait_report("colonnes.csv")
    refused_whole(rows, "E007", line)
    assert "plus de 200 colonnes" in rows[0]["message"], rows


@pytest.mark.parametrize("levels", [40, 100000])
def test_deep_xml_is_refused_at_the_first_level_too_many(affild, levels):
    """docs/errors.md names E007 for nesting past 32 levels, but no element
    of mouvements.xsd takes children past level 4 (mouvements >
    affiliation_complete > ayant_droit > field): the streaming XSD check
    refuses the first element too deep (E013, its line) long before the
    reader's own limit of 32, which only a reader without the schema
    meets (the fuzz target).  Either way the file is refused whole, at
    once, whatever the depth."""
    _, m1 = xml_person(870)
    deep = ("  <affiliation_simple>\n    " + "<nom>" * levels + "x"
            + "</nom>" * levels + "\n  </affiliation_simple>\n")
    affild.drop("profond.xml", xml_file(m1, deep))
    rows = xml_report(affild, "profond.xml")
    refused_whole(rows, "E013", 13)
    assert affild.ctl_json("employees") == []


# --- a line break in an email address ------------------------------------

INJECT = "z881@example.fr\r\nBcc: evil@attacker.example"


def test_crlf_in_email_is_refused_and_never_reaches_a_header(affild):
    nir1, r1 = person(880)
    nir2, r2 = person(881, email='"%s"' % INJECT)
    nir3, m3 = xml_person(882, email=INJECT.replace("881", "882")
                          .replace("\r\n", "&#13;&#10;"))
    affild.drop("crlf.csv", HEADER + r1 + r2)
    rows = affild.wait_report("crlf.csv")
    by_line = {r["ligne"]: r for r in rows}
    assert by_line["2"]["code"] == "I000", rows
    assert (by_line["3"]["code"], by_line["3"]["champ"]) == ("E132", "email")
    assert rows[-1]["code"] == "CR2", rows
    affild.drop("crlf.xml", xml_file(m3))
    xrows = xml_report(affild, "crlf.xml")
    assert [(r["ligne"], r["code"], r["champ"]) for r in xrows] == \
        [("3", "E132", "email"), ("0", "CR3", "")], xrows
    assert set(employees(affild)) == {nir1}
    # the clean line's invitation is written; no message holds the payload
    wait_for(lambda: affild.mails(), what="invitation", log=affild.log)
    time.sleep(0.5)
    assert len(affild.mails()) == 1
    for eml in affild.mails():
        raw = eml.read_bytes()
        assert b"evil" not in raw and b"Bcc" not in raw, raw
        assert b"z880@example.fr" in raw


# --- a hard link to a file the employer could not read -------------------

def test_hard_link_to_a_file_outside_the_spool_is_never_read(tmp_path):
    a = Affild(tmp_path, settle_ms=100)
    a.start()
    try:
        secret = tmp_path / "secret.csv"          # root's, mode 0600
        secret.write_text(csv_rows(890, 1).replace("Martin", "Secret"))
        os.chmod(secret, 0o600)
        assert secret.stat().st_uid == 0 or os.geteuid() != 0
        os.link(secret, a.drop_dir() / "paie.csv")
        assert secret.stat().st_nlink == 2
        rows = a.wait_report("paie.csv")
        assert a.ctl_json("employees") == []
        refused_whole(rows, "E016", 0)
        assert "Secret" not in "".join(r["message"] for r in rows)
    finally:
        a.stop()


# --- a file that keeps growing --------------------------------------------

def test_file_growing_in_place_is_taken_once_stable(tmp_path):
    """Written in place under its final name, one line every 100 ms for 5 s
    (settle time 1 s, the machine is shared): never claimed while it grows,
    claimed once stable, applied once, whole."""
    a = Affild(tmp_path, settle_ms=1000)
    a.start()
    try:
        path = a.drop_dir() / "croissant.csv"
        with open(path, "w") as f:
            f.write(HEADER)
            f.flush()
            for k in range(50):
                f.write(person(900 + k)[1])
                f.flush()
                time.sleep(0.1)
                assert log_count(a, "event=file_claimed") == 0, k
        grown = time.monotonic()
        rows = a.wait_report("croissant.csv")
        assert time.monotonic() - grown >= 0.9
        assert rows[-1]["code"] == "CR0", rows
        assert sum(r["code"] == "I000" for r in rows) == 50
        time.sleep(1.5)
        assert len(a.reports("croissant.csv")) == 1
        assert len(a.ctl_json("files")) == 1
        assert len(a.ctl_json("employees")) == 50
    finally:
        a.stop()


# --- truncated uploads ------------------------------------------------------

def test_csv_cut_before_its_trailer_count(affild):
    _, r1 = person(950)
    _, r2 = person(951)
    affild.drop("fin.csv", HEADER + r1 + r2 + "FIN;5\n")
    rows = affild.wait_report("fin.csv")
    refused_whole(rows, "E004", 4)
    assert "5 mouvements" in rows[0]["message"], rows
    assert affild.ctl_json("employees") == []


def cut_xml(at):
    """Two movements; the second (lines 12-20) cut at `at` in its text."""
    full = xml_file(xml_person(960)[1], xml_person(961)[1])
    second = full.index(make_nir(2, BORN, 961))
    return full[:full.index(at, second) + len(at)]


@pytest.mark.parametrize("at,line", [
    ("<nom>Mar", 14),                   # inside a value
    ("</nom>\n", 14),                   # between two elements
    ("</n", 13),                        # inside an end tag (</nir>)
    ("</affiliation_simple>\n", 20),    # after a whole movement
])
def test_xml_cut_mid_element_is_not_well_formed(affild, at, line):
    affild.drop("coupe.xml", cut_xml(at))
    rows = xml_report(affild, "coupe.xml")
    refused_whole(rows, "E012", line)
    assert affild.ctl_json("employees") == []


def test_xml_cut_inside_a_tag_name_says_it_was_cut(affild):
    affild.drop("coupe.xml", cut_xml("<date_nai"))
    rows = xml_report(affild, "coupe.xml")
    refused_whole(rows, "E012", 16)
