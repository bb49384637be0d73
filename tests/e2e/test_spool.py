"""The spool's promises: readiness, exactly once, duplicates, validation
drops, whole-file rejections, crash recovery, clean stop."""
import os
import signal
import subprocess
import time
from datetime import date

from conftest import BIN, HEADER, Affild, make_nir, row, wait_for

BORN = date(1988, 2, 20)


def simple(nir, nom="Durand", prenom="Élise"):
    return row("AFFILIATION_SIMPLE", nir, nom, prenom, BORN.isoformat(),
               "elise.durand@example.fr")


def test_file_written_in_place_waits_for_settle(affild):
    path = affild.drop_dir() / "inplace.csv"
    with open(path, "w") as f:
        f.write(HEADER)
        f.flush()
        time.sleep(0.1)
        f.write(simple(make_nir(1, BORN, 1)))
    rows = affild.wait_report("inplace.csv")
    assert rows[-1]["code"] == "CR0"


def test_temporary_names_are_never_taken(affild):
    for name in (".hidden.csv", "up.csv.part", "up.csv.filepart", "x.tmp", "y.csv~"):
        (affild.drop_dir() / name).write_text(HEADER + simple(make_nir(1, BORN, 2)))
    affild.drop("real.csv", HEADER + simple(make_nir(1, BORN, 3)))
    affild.wait_report("real.csv")
    time.sleep(1)
    left = sorted(p.name for p in affild.drop_dir().iterdir() if p.is_file())
    assert left == sorted([".hidden.csv", "up.csv.part", "up.csv.filepart", "x.tmp", "y.csv~"])


def test_duplicate_file_is_not_applied_twice(affild):
    text = HEADER + simple(make_nir(2, BORN, 6))
    affild.drop("month.csv", text)
    first = affild.wait_report("month.csv")
    assert first[-1]["code"] == "CR0"
    affild.drop("month.csv", text)
    second = affild.wait_report("month.csv", count=2)
    assert second[-1]["code"] == "CR3"
    assert second[0]["code"] == "E005" and "month.csv" in second[0]["message"]
    files = affild.ctl_json("files")
    assert [f["state"] for f in files] == ["done", "quarantined"]
    assert len(affild.ctl_json("employees")) == 1


def test_validation_drop_applies_nothing(affild):
    affild.drop("test.csv", HEADER + simple(make_nir(2, BORN, 7)), validation=True)
    rows = affild.wait_report("test.csv", validation=True)
    assert rows[-1]["code"] == "CR0"
    assert "validation seule" in rows[-1]["message"]
    assert affild.ctl_json("employees") == []
    time.sleep(0.5)
    assert affild.mails() == []


def test_validation_drop_of_an_applied_file_says_duplicate(affild):
    """The vendor's dry run gets production's answer for the same bytes."""
    text = HEADER + simple(make_nir(2, BORN, 8))
    affild.drop("paie.csv", text)
    assert affild.wait_report("paie.csv")[-1]["code"] == "CR0"
    affild.drop("paie.csv", text, validation=True)
    rows = affild.wait_report("paie.csv", validation=True)
    assert rows[0]["code"] == "E005" and "paie.csv" in rows[0]["message"]
    assert rows[-1]["code"] == "CR3"
    # and a validation drop never makes a later production drop a duplicate
    other = HEADER + simple(make_nir(2, BORN, 9))
    affild.drop("neuf.csv", other, validation=True)
    assert affild.wait_report("neuf.csv", validation=True)[-1]["code"] == "CR0"
    affild.drop("neuf.csv", other)
    assert affild.wait_report("neuf.csv")[-1]["code"] == "CR0"
    assert len(affild.ctl_json("employees")) == 2


def test_other_employers_number_rejects_the_whole_file(affild):
    text = ("operation;numero_personne;nir;nom;prenom;date_naissance;"
            "date_embauche;categorie;email\n"
            "AFFILIATION_SIMPLE;87654321;%s;Roy;Paul;1988-02-20;%s;CADRE;p@example.fr\n"
            % (make_nir(1, BORN, 8), date.today().isoformat()))
    affild.drop("cross.csv", text)
    rows = affild.wait_report("cross.csv")
    assert rows[0]["code"] == "E003" and rows[-1]["code"] == "CR3"
    assert affild.ctl_json("employees") == []
    quarantined = list((affild.root / "spool/.affild/quarantine/12345678").iterdir())
    assert len(quarantined) == 1


def test_header_without_operation_is_rejected(affild):
    affild.drop("noop.csv", "nir;nom\n1;2\n")
    rows = affild.wait_report("noop.csv")
    assert rows[0]["code"] == "E002" and rows[-1]["code"] == "CR3"


def test_trailer_count_mismatch_rejects_everything(affild):
    text = HEADER + simple(make_nir(1, BORN, 9)) + "FIN;2\n"
    affild.drop("cut.csv", text)
    rows = affild.wait_report("cut.csv")
    assert rows[0]["code"] == "E004" and rows[0]["ligne"] == "3"
    assert affild.ctl_json("employees") == []


def test_windows_1252_file_is_read_and_noted(affild):
    text = HEADER + simple(make_nir(2, BORN, 10), nom="Lefèvre", prenom="Anaïs")
    affild.drop("excel.csv", text.encode("cp1252"))
    rows = affild.wait_report("excel.csv")
    assert any(r["code"] == "W003" for r in rows)
    [emp] = affild.ctl_json("employees")
    assert emp["nom"] == "Lefèvre" and emp["prenom"] == "Anaïs"


def test_crlf_semicolon_quoted_multiline_line_numbers(affild):
    nir1, nir2 = make_nir(1, BORN, 11), make_nir(1, BORN, 12)
    text = (HEADER.replace("\n", "\r\n") + "\r\n" +
            row("AFFILIATION_SIMPLE", nir1, "A", "B", "1988-02-20",
                "a@example.fr").replace("\n", "\r\n") +
            'AFFILIATION_SIMPLE;%s;"Nom\r\nsur deux lignes";C;1988-02-20;%s;CADRE;c@example.fr;\r\n'
            % (nir2, date.today().isoformat()) +
            "AFFILIATION_SIMPLE;bad;D;E;1988-02-20;%s;CADRE;d@example.fr;\r\n"
            % date.today().isoformat())
    affild.drop("crlf.csv", text)
    rows = affild.wait_report("crlf.csv")
    lines = [(r["ligne"], r["resultat"]) for r in rows[:-1]]
    # Header line 1, blank line 2, rows at 3, 4 (spanning 4-5) and 6.
    assert ("3", "ACCEPTE") in lines
    # a line break in a name is folded to a space, with a warning
    assert ("4", "AVERTISSEMENT") in lines
    assert [r["code"] for r in rows if r["ligne"] == "4"
            and r["resultat"] == "AVERTISSEMENT"] == ["W171"]
    assert ("6", "REJETE") in lines


def test_sigterm_stops_cleanly(affild):
    affild.stop()   # asserts exit status 0
    assert "event=stopped" in affild.log.read_text()


def test_check_config_reports_every_error(tmp_path):
    a = Affild(tmp_path)
    ok = subprocess.run([str(BIN / "affild"), "-c", str(a.config), "--check-config"],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "configuration OK" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(a.config.read_text().replace("rescan_s: 60", "rescan_s: -5\n  colour: blue"))
    r = subprocess.run([str(BIN / "affild"), "-c", str(bad), "--check-config"],
                       capture_output=True, text=True)
    assert r.returncode != 0
    errors = [l for l in r.stderr.splitlines() if l.startswith(str(bad) + ":")]
    assert len(errors) >= 2, r.stderr
    assert any(l.endswith(":5:13: spool.rescan_s: -5 is out of range (1 to 86400)")
               for l in errors), errors
    assert any(":6:3: spool.colour: unknown key" in l for l in errors), errors


def test_kill_9_at_any_moment_applies_each_file_exactly_once(tmp_path):
    a = Affild(tmp_path, settle_ms=0)
    a.start()
    n = 12
    for i in range(n):
        rows = "".join(simple(make_nir(1, BORN, 100 * i + k)) for k in range(30))
        a.drop("f%02d.csv" % i, HEADER + rows)
        if i == 5:
            time.sleep(0.05)
            a.kill()
            a.start()
    for i in (3, 8):
        time.sleep(0.02 * i)
        a.kill()
        a.start()
    for i in range(n):
        rows = a.wait_report("f%02d.csv" % i)
        assert rows[-1]["code"] == "CR0", rows[-1]
        assert len(a.reports("f%02d.csv" % i)) == 1
    assert len(a.ctl_json("employees")) == n * 30
    files = a.ctl_json("files")
    assert len(files) == n and all(f["state"] == "done" for f in files)
    wait_for(lambda: len(a.mails()) == n * 30, what="every invitation once")
    a.stop()
