"""Golden reports: each input of tests/golden/ against its expected report.

Every input (CSV or XML) is dropped into a fresh daemon; its compte rendu
must equal tests/golden/<input>.cr.csv (or .cr.xml) byte for byte, once
file ids and dates are masked (inputs say @AUJOURDHUI@ / @AUJOURDHUI_FR@
where a date must be today's, so the reports do not age).

After a deliberate change of a report, regenerate the expected files and
review the diff:  GOLDEN_UPDATE=1 make e2e
"""
import os
import re
from datetime import date
from pathlib import Path

import pytest

from conftest import REPO, wait_for

GOLDEN = REPO / "tests" / "golden"
INPUTS = sorted(p.name for p in GOLDEN.iterdir()
                if p.suffix in (".csv", ".xml") and ".cr." not in p.name)


def prepare(raw):
    today = date.today()
    return (raw.replace(b"@AUJOURDHUI@", today.isoformat().encode())
               .replace(b"@AUJOURDHUI_FR@", today.strftime("%d/%m/%Y").encode()))


def mask(raw):
    """File ids and dates vary from run to run; nothing else may."""
    raw = re.sub(rb"\b\d{8}-\d{6}\b", b"AAAAMMJJ-NNNNNN", raw)
    raw = re.sub(rb"\b\d{4}-\d{2}-\d{2}\b", b"AAAA-MM-JJ", raw)
    return re.sub(rb"\b\d{2}/\d{2}/\d{4}\b", b"JJ/MM/AAAA", raw)


def test_every_input_has_its_expected_report():
    assert len(INPUTS) >= 8
    if os.environ.get("GOLDEN_UPDATE"):
        return
    for name in INPUTS:
        ext = "xml" if name.endswith(".xml") else "csv"
        assert (GOLDEN / ("%s.cr.%s" % (name, ext))).exists(), name


@pytest.mark.parametrize("name", INPUTS)
def test_golden_report(affild, name):
    ext = "xml" if name.endswith(".xml") else "csv"
    affild.drop(name, prepare((GOLDEN / name).read_bytes()))
    out = affild.out_dir()
    wait_for(lambda: list(out.glob("%s.*.cr.%s" % (name, ext))),
             what="report of " + name, log=affild.log)
    [report] = out.glob("%s.*.cr.%s" % (name, ext))
    got = mask(report.read_bytes())
    expected = GOLDEN / ("%s.cr.%s" % (name, ext))
    if os.environ.get("GOLDEN_UPDATE"):
        expected.write_bytes(got)
    assert got == expected.read_bytes(), got.decode()
