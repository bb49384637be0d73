"""Issue 15, items 2-4: affilctl's views and its command line.

Every read verb runs against a database the real daemon filled from real
files (two employers, an affiliation with a beneficiary and an IBAN,
simple affiliations, a rejected line), in the three formats: the table
aligned for people, CSV with a BOM, ';' and a header of keys, JSON parsed
with its types checked (numbers are ints, absent values null, booleans
booleans).  Options work after the command; anything the command does not
take is exit 64 with a one-line message naming it; the views open the
database read-only; `export` keeps its memory flat from 20,000 to 200,000
employees (peak RSS, not time).
"""
import csv
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, timedelta

import pytest

from conftest import BIN, EMPLOYER, Affild, make_nir, wait_for

OTHER = "87654321"
BORN = date(1985, 3, 9)
HIRED = (date.today() - timedelta(days=30)).isoformat()
IBAN = "FR1420041010050500013M02606"
COLS = ("operation;nir;nom;prenom;date_naissance;date_embauche;categorie;"
        "email;option;iban;date_signature_mandat;matricule;lien").split(";")
NIRS = {k: make_nir(s, BORN, 700 + i) for i, (k, s) in
        enumerate([("lefevre", 2), ("martin", 2), ("dupont", 1),
                   ("bernard", 2)])}
EMPLOYEE_KEYS = ["employer", "nir", "matricule", "nom", "prenom", "status",
                 "status_since", "option"]
EXPORT_KEYS = ["employer", "nir", "matricule", "nom", "nom_usage", "prenom",
               "date_naissance", "date_embauche", "categorie", "option",
               "status", "status_since", "email", "relances", "incomplete",
               "date_fin_contrat", "date_fin_droits", "portabilite_fin"]
FILE_KEYS = ["file_id", "employer", "file_name", "state", "validation",
             "return_code", "movements", "accepted", "rejected", "warnings",
             "received_at", "processed_at", "report"]
EX_USAGE, EX_DATAERR, EX_NOINPUT, EX_UNAVAILABLE = 64, 65, 66, 69
EX_CANTCREAT = 73


def line(**kw):
    return ";".join(kw.get(c, "") for c in COLS) + "\n"


def person(key, nom, prenom, op="AFFILIATION_SIMPLE", **kw):
    return line(operation=op, nir=NIRS[key], nom=nom, prenom=prenom,
                date_naissance=BORN.isoformat(), date_embauche=HIRED,
                categorie="CADRE", email=key + "@example.fr", **kw)


def data(*rows):
    return ";".join(COLS) + "\n" + "".join(rows)


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """The daemon running, after two files of EMPLOYER and one of OTHER,
    every message sent."""
    a = Affild(tmp_path_factory.mktemp("affilctl"))
    a.start()
    try:
        a.drop("embauches.csv", data(
            person("lefevre", "Lefèvre", "Anaïs", "AFFILIATION_COMPLETE",
                   option="CONFORT", iban=IBAN, date_signature_mandat=HIRED,
                   matricule="M001"),
            line(operation="AYANT_DROIT", nir=NIRS["lefevre"], lien="ENFANT",
                 nom="Lefèvre", prenom="Léon", date_naissance="2019-05-02"),
            person("martin", "Martin", "Zoé", matricule="M002"),
            line(operation="AFFILIATION_SIMPLE", nir="123", nom="Faux",
                 prenom="Nir", date_naissance=BORN.isoformat(),
                 date_embauche=HIRED, categorie="CADRE")))
        assert a.wait_report("embauches.csv")[-1]["code"] == "CR2"
        a.drop("suite.csv", data(person("dupont", "Dupont", "Jean",
                                        matricule="M003")))
        assert a.wait_report("suite.csv")[-1]["code"] == "CR0"
        a.drop("autre.csv", data(person("bernard", "Bernard", "Martine",
                                        "AFFILIATION_COMPLETE",
                                        option="BASE")), employer=OTHER)
        assert a.wait_report("autre.csv", employer=OTHER)[-1]["code"] == "CR0"
        wait_for(lambda: {m["state"] for m in a.ctl_json("outbox")}
                 == {"sent"}, what="every message sent", log=a.log)
        yield a
    finally:
        a.stop()


def run(a, *args):
    return subprocess.run([str(BIN / "affilctl"), "-c", str(a.config),
                           *args], capture_output=True, text=True,
                          timeout=60)


def ok(a, *args):
    r = run(a, *args)
    assert r.returncode == 0, (args, r.stderr)
    assert r.stderr == ""
    return r.stdout


def as_json(a, *args):
    return json.loads(ok(a, "--format", "json", *args))


def as_csv(a, *args):
    """(header, rows) of a CSV listing; the BOM and ';' checked."""
    raw = subprocess.run([str(BIN / "affilctl"), "-c", str(a.config),
                          "--format", "csv", *args], capture_output=True,
                         timeout=60, check=True).stdout
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:20]
    rows = list(csv.reader(io.StringIO(raw[3:].decode()), delimiter=";"))
    return rows[0], rows[1:]


def columns_aligned(table, label, values):
    """Each value of a column starts under its label."""
    lines = table.splitlines()
    at = lines[0].index(label)
    for text in lines[1:]:
        assert any(text[at:].startswith(v) for v in values), (text, label)


# --- the command line --------------------------------------------------------

def test_options_after_the_command_are_read(filled):
    before = as_json(filled, "--status", "AFFILIE", "employees")
    assert before and {e["status"] for e in before} == {"AFFILIE"}
    assert as_json(filled, "employees", "--status", "AFFILIE") == before
    assert as_json(filled, "employees", "-s", "AFFILIE") == before
    assert json.loads(ok(filled, "employees", "--status=AFFILIE",
                         "--format=json")) == before
    assert json.loads(ok(filled, "employees", "-fjson", "-sAFFILIE")) == before
    files = json.loads(ok(filled, "files", "--employer", OTHER, "--format",
                          "json"))
    assert [f["file_name"] for f in files] == ["autre.csv"]
    found = json.loads(ok(filled, "employees", "Mart", "--format", "json"))
    assert {e["nom"] for e in found} == {"Martin", "Bernard"}  # Martine
    # "--" ends the options: what follows is an argument
    assert run(filled, "employees", "--", "--status").stdout.count("\n") == 1


@pytest.mark.parametrize("args, verb, says", [
    (["employees", "--bogus"], "employees", "unknown option --bogus"),
    (["files", "--sort", "nom"], "files", "option --sort does not apply"),
    (["employees", "--state", "done"], "employees",
     "option --state does not apply"),
    (["employees", "a", "b"], "employees", "extra argument b"),
    (["show", EMPLOYER], "show", "missing argument: show EMPLOYER NIR"),
    (["file", "20260101-000001", "bless"], "file", "extra argument bless"),
    (["files", "--state", "lost"], "files", "--state lost: not one of"),
    (["employees", "--status", "HEUREUX"], "employees",
     "--status HEUREUX: not one of EN_COURS"),
    (["employees", "--sort", "age"], "employees", "--sort age: not one of"),
    (["employees", "--limit", "-1"], "employees", "--limit -1: not a count"),
    (["employees", "--employer", "123"], "employees", "a numero is 8 digits"),
    (["outbox", "--state"], "outbox", "option --state needs an argument"),
    (["files", "--format", "xml"], "files", "--format xml: not one of"),
    (["timers", "--force"], "timers", "option --force does not apply"),
    (["portability", "open", EMPLOYER, "1"], "portability",
     "--justification TEXT is required"),
    (["portability", "close", EMPLOYER, "1"], "portability",
     "unknown form close: expected open or proof"),
    (["status", "--help=yes"], "status", "option --help takes no argument"),
    (["frobnicate"], None, "unknown command frobnicate"),
    ([], None, "no command given"),
])
def test_usage_errors_exit_64_with_one_line(filled, args, verb, says):
    r = run(filled, *args)
    assert r.returncode == EX_USAGE, r
    assert r.stdout == ""
    assert r.stderr.count("\n") == 1, r.stderr
    assert says in r.stderr, r.stderr
    hint = "affilctl help %s)" % verb if verb else "affilctl help)"
    assert r.stderr.rstrip().endswith(hint), r.stderr


def test_help_of_every_command_and_of_one(filled):
    everything = ok(filled, "help")
    for verb in ("status", "employers", "employees", "show", "export",
                 "files", "file", "outbox", "timers", "help"):
        assert "\n  %s" % verb in everything, verb
    assert "64 usage" in everything
    one = ok(filled, "help", "employees")
    assert one == ok(filled, "employees", "--help")
    assert one == ok(filled, "--help", "employees", "--bogus")
    assert one.startswith("usage: affilctl employees [SEARCH]")
    for opt in ("--employer", "--status", "--sort", "--limit", "--offset"):
        assert opt in one
    assert "--state" not in one
    outbox = ok(filled, "help", "outbox")
    assert "affilctl outbox retry ID" in outbox and "--failed" in outbox
    r = run(filled, "help", "nothing")
    assert r.returncode == EX_USAGE and "unknown command nothing" in r.stderr


# --- the views, in three formats --------------------------------------------

def test_employees_in_three_formats(filled):
    rows = as_json(filled, "employees")
    assert [list(e) for e in rows] == [EMPLOYEE_KEYS] * 4
    by_nir = {e["nir"]: e for e in rows}
    assert set(by_nir) == set(NIRS.values())
    anais = by_nir[NIRS["lefevre"]]
    assert (anais["employer"], anais["nom"], anais["prenom"], anais["status"],
            anais["option"], anais["matricule"]) == (
        EMPLOYER, "Lefèvre", "Anaïs", "AFFILIE", "CONFORT", "M001")
    assert by_nir[NIRS["martin"]]["status"] == "EN_COURS"
    assert by_nir[NIRS["martin"]]["option"] is None
    assert by_nir[NIRS["bernard"]]["employer"] == OTHER
    assert all(e["status_since"] == date.today().isoformat() for e in rows)

    header, lines = as_csv(filled, "employees")
    assert header == EMPLOYEE_KEYS
    assert [dict(zip(header, r)) for r in lines] == [
        {k: "" if v is None else v for k, v in e.items()} for e in rows]

    table = ok(filled, "employees")
    head = table.splitlines()[0].split()
    assert head == ["EMPLOYEUR", "NIR", "MATRICULE", "NOM", "PRÉNOM",
                    "STATUT", "DEPUIS", "OPTION"]
    assert len(table.splitlines()) == 5
    columns_aligned(table, "STATUT", ["AFFILIE", "EN_COURS"])
    columns_aligned(table, "PRÉNOM", ["Anaïs", "Zoé", "Jean", "Martine"])
    assert not any(l != l.rstrip() for l in table.splitlines())


def test_employees_search_sort_and_pages(filled):
    def nirs(*args):
        return [e["nir"] for e in as_json(filled, "employees", *args)]

    # the start of a NIR, spaces ignored; not its middle
    lefevre = NIRS["lefevre"]
    spaced = " ".join([lefevre[:1], lefevre[1:3], lefevre[3:7]])
    assert nirs(spaced) == [n for n in nirs() if n.startswith(lefevre[:7])]
    assert nirs(lefevre) == [lefevre]
    assert nirs(lefevre[3:]) == []
    # a piece of a name or first name, in any case
    assert nirs("lefè") == [lefevre]
    assert nirs("ZOÉ") == []                    # É is not ASCII: as written
    assert nirs("zoé") == [NIRS["martin"]]
    # orders
    by_name = [e["nom"] for e in as_json(filled, "employees", "--sort", "nom")]
    assert by_name == sorted(by_name) == ["Bernard", "Dupont", "Lefèvre",
                                          "Martin"]
    by_status = [e["status"] for e in as_json(filled, "employees", "--sort",
                                              "status")]
    assert by_status == sorted(by_status)
    assert len(nirs("--sort", "since")) == 4
    # filters and pages
    assert nirs("--employer", OTHER) == [NIRS["bernard"]]
    assert set(nirs("--status", "EN_COURS")) == {NIRS["martin"],
                                                  NIRS["dupont"]}
    whole = nirs("--sort", "nom")
    assert nirs("--sort", "nom", "--limit", "2", "--offset", "1") == whole[1:3]
    assert nirs("--sort", "nom", "--offset", "3") == whole[3:]
    assert nirs("--limit", "0") == []


def test_show_in_three_formats_iban_masked(filled):
    doc = as_json(filled, "show", EMPLOYER, NIRS["lefevre"])
    assert list(doc) == ["employee", "beneficiaries", "history"]
    emp = doc["employee"]
    assert (emp["nir"], emp["nom"], emp["status"]) == (
        NIRS["lefevre"], "Lefèvre", "AFFILIE")
    assert emp["iban"] == "…2606"
    assert isinstance(emp["relances"], int) and emp["relances"] == 0
    assert emp["incomplete"] is False
    assert emp["nom_usage"] is None
    assert [(b["lien"], b["prenom"]) for b in doc["beneficiaries"]] == [
        ("ENFANT", "Léon")]
    assert doc["history"][0]["to"] == "AFFILIE"
    assert doc["history"][0]["cause"] == "fichier"

    table = ok(filled, "show", EMPLOYER, NIRS["lefevre"])
    assert re.search(r"^iban +…2606$", table, re.MULTILINE), table
    assert "ayants droit :" in table and "historique :" in table
    raw = subprocess.run([str(BIN / "affilctl"), "-c", str(filled.config),
                          "show", EMPLOYER, NIRS["lefevre"], "-f", "csv"],
                         capture_output=True, check=True).stdout
    assert raw.startswith(b"\xef\xbb\xbf")
    parts = raw[3:].decode().split("\n\n")
    assert len(parts) == 3
    record = list(csv.DictReader(io.StringIO(parts[0]), delimiter=";"))
    assert record[0]["iban"] == "…2606" and record[0]["incomplete"] == "false"
    assert parts[1].startswith("lien;nom;prenom;date_naissance;nir;")
    assert parts[2].startswith("at;from;to;what;cause;ref\n")
    for fmt in ("table", "csv", "json"):
        out = ok(filled, "show", EMPLOYER, NIRS["lefevre"], "-f", fmt)
        assert IBAN not in out and IBAN[4:] not in out

    r = run(filled, "show", OTHER, NIRS["lefevre"], "--format", "json")
    assert r.returncode == EX_DATAERR and r.stdout == ""
    assert "has no employee with this NIR" in r.stderr


def test_files_and_one_file(filled):
    files = as_json(filled, "files")
    assert [list(f) for f in files] == [FILE_KEYS] * 3
    assert [f["file_name"] for f in files] == ["embauches.csv", "suite.csv",
                                               "autre.csv"]
    first = files[0]
    assert first["employer"] == EMPLOYER and first["state"] == "done"
    assert first["validation"] is False
    assert (first["return_code"], first["movements"], first["accepted"],
            first["rejected"], first["warnings"]) == (2, 4, 3, 1, 0)
    assert all(type(f[k]) is int for f in files for k in
               ("return_code", "movements", "accepted", "rejected"))
    assert as_json(filled, "files", "--state", "quarantined") == []
    assert as_json(filled, "files", "--status", "done") == files  # synonym
    assert [f["file_name"] for f in as_json(
        filled, "files", "--employer", EMPLOYER)] == ["embauches.csv",
                                                      "suite.csv"]
    header, rows = as_csv(filled, "files")
    assert header == FILE_KEYS and len(rows) == 3
    assert rows[0][FILE_KEYS.index("validation")] == "false"
    table = ok(filled, "files")
    columns_aligned(table, "ÉTAT", ["done"])

    doc = as_json(filled, "file", first["file_id"])
    assert list(doc) == ["file", "lines"]
    assert {k: doc["file"][k] for k in FILE_KEYS} == first
    assert type(doc["file"]["size"]) is int and doc["file"]["size"] > 0
    # line 5: the bad NIR, and no way to invite
    assert [(l["line"], l["code"], l["field"], l["result"])
            for l in doc["lines"] if l["result"] == "REJETE"] == [
        (5, "E111", "nir", "REJETE"), (5, "E152", "email", "REJETE")]
    raw = subprocess.run([str(BIN / "affilctl"), "-c", str(filled.config),
                          "file", first["file_id"], "-f", "csv"],
                         capture_output=True, check=True).stdout.decode()
    head, lines = raw.lstrip("\ufeff").split("\n\n")
    assert head.splitlines()[0].startswith("file_id;employer;file_name;")
    assert lines.splitlines()[0] == \
        "line;operation;nir;result;code;field;message"
    assert lines.splitlines()[1].startswith("5;AFFILIATION_SIMPLE;123;")
    table = ok(filled, "file", first["file_id"])
    assert "E111" in table and "embauches.csv" in table

    r = run(filled, "file", "20000101-999999")
    assert r.returncode == EX_NOINPUT and "no file 20000101-999999" in r.stderr


def test_outbox_and_timers(filled):
    box = as_json(filled, "outbox")
    assert box and [list(m) for m in box] == [[
        "outbox_id", "kind", "recipient", "state", "attempts", "created_at",
        "error"]] * len(box)
    assert all(type(m["outbox_id"]) is int and type(m["attempts"]) is int
               for m in box)
    assert {m["kind"] for m in box} >= {"invitation", "confirmation"}
    assert all(m["error"] is None for m in box)
    assert as_json(filled, "outbox", "--state", "sent") == box
    assert as_json(filled, "outbox", "--failed") == []
    header, rows = as_csv(filled, "outbox")
    assert header[0] == "outbox_id" and len(rows) == len(box)

    due = as_json(filled, "timers")
    assert {t["kind"] for t in due} >= {"relance"}
    assert [list(t) for t in due] == [["due", "kind", "employer", "matricule",
                                       "nom", "prenom"]] * len(due)
    assert {t["nom"] for t in due if t["kind"] == "relance"} == {"Martin",
                                                                 "Dupont"}
    assert len(as_json(filled, "timers", "--limit", "1")) == 1
    for fmt in ("table", "csv", "json"):
        out = ok(filled, "timers", "--format", fmt)
        assert not any(n in out for n in NIRS.values())


def test_employers_and_status_of_a_running_daemon(filled):
    rows = {r["employer"]: r for r in as_json(filled, "employers")}
    assert set(rows) == {EMPLOYER, OTHER}
    mine = rows[EMPLOYER]
    assert mine["employer_name"] == "Exemple SAS"
    assert mine["folders"] == "ok" and mine["queued"] == 0
    assert mine["last_movements"] == 1          # suite.csv
    assert mine["late"] is None and mine["next_due"] is None
    assert as_json(filled, "employers", "--employer", OTHER)[0][
        "employer_name"] == "Autre SARL"
    header, _ = as_csv(filled, "employers")
    assert header[:4] == ["employer", "employer_name", "folders", "queued"]

    files = as_json(filled, "files")
    wait_for(lambda: as_json(filled, "status")["daemon"] == "running",
             what="metrics written", log=filled.log)
    s = as_json(filled, "status")
    assert s["database"] == "ok" and isinstance(s["daemon_seen_at"], str)
    assert s["last_file_id"] == max(f["file_id"] for f in files)
    assert (s["last_file_name"], s["last_file_employer"],
            s["last_file_state"], s["last_file_return_code"]) == (
        "autre.csv", OTHER, "done", 0)
    for k in ("queued", "files_claimed", "files_held", "outbox_pending",
              "outbox_failed", "deadlines_due"):
        assert s[k] == 0 and type(s[k]) is int, k
    header, [row] = as_csv(filled, "status")
    assert header[0] == "daemon" and row[0] == "running"
    assert "DÉMON" in ok(filled, "status") and "autre.csv" in ok(filled, "status")


def test_export_whole_filtered_and_to_a_file(filled):
    rows = as_json(filled, "export")
    assert [list(e) for e in rows] == [EXPORT_KEYS] * 4
    # employer, NIR order: the index's
    assert [(e["employer"], e["nir"]) for e in rows] == sorted(
        (e["employer"], e["nir"]) for e in rows)
    assert all(type(e["relances"]) is int and e["incomplete"] is False
               for e in rows)
    raw = subprocess.run([str(BIN / "affilctl"), "-c", str(filled.config),
                          "export"], capture_output=True, check=True).stdout
    assert raw.startswith(b"\xef\xbb\xbf" + ";".join(EXPORT_KEYS).encode())
    assert raw.count(b"\n") == 5                # CSV unless --format
    assert [e["nir"] for e in as_json(filled, "export", "--employer", OTHER)
            ] == [NIRS["bernard"]]
    assert [e["nom"] for e in as_json(filled, "export", "--sort", "nom",
                                      "--status", "EN_COURS")] == [
        "Dupont", "Martin"]
    assert [e["nom"] for e in as_json(filled, "export", "lef")] == ["Lefèvre"]

    out = filled.root / "salaries.csv"
    assert ok(filled, "export", "-o", str(out)) == ""
    assert out.read_bytes() == raw
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in filled.root.glob("salaries.csv*")] == [
        "salaries.csv"]
    r = run(filled, "export", "-o", str(filled.root / "nowhere" / "x.csv"))
    assert r.returncode == EX_CANTCREAT and "nowhere" in r.stderr


# --- the daemon stopped, a drop broken, no database ----------------------------

def test_status_stopped_stale_unknown_and_waiting_files(affild):
    affild.stop()
    assert as_json(affild, "status")["daemon"] == "stopped"
    (affild.drop_dir() / "attente.csv").write_text("operation\n")
    (affild.drop_dir(validation=True) / "essai.csv").write_text("operation\n")
    (affild.drop_dir() / "envoi.csv.part").write_text("")     # not yet
    s = as_json(affild, "status")
    assert s["queued"] == 2 and s["last_file_id"] is None
    assert s["last_file_return_code"] is None
    rows = {r["employer"]: r for r in as_json(affild, "employers")}
    assert rows[EMPLOYER]["queued"] == 2 and rows[OTHER]["queued"] == 0
    shutil.rmtree(affild.drop_dir(OTHER, validation=True))
    rows = {r["employer"]: r for r in as_json(affild, "employers")}
    assert rows[OTHER]["folders"] == "in/validation: missing"
    assert rows[EMPLOYER]["folders"] == "ok"

    # killed long ago: the metrics still say up, but stopped moving
    prom = affild.root / "affild.prom"
    prom.write_text("affild_up 1\naffild_metrics_timestamp_seconds 1000\n")
    s = as_json(affild, "status")
    assert s["daemon"] == "stale" and s["daemon_seen_at"].startswith("1970")
    prom.unlink()
    assert as_json(affild, "status")["daemon"] == "unknown"

    # no database: what can be said is, and the exit is 69
    (affild.root / "affild.db").rename(affild.root / "elsewhere.db")
    r = run(affild, "status", "--format", "json")
    assert r.returncode == EX_UNAVAILABLE
    s = json.loads(r.stdout)
    assert s["database"] == "unavailable" and s["queued"] == 2
    assert s["outbox_pending"] is None
    r = run(affild, "employees")
    assert r.returncode == EX_UNAVAILABLE and "cannot open" in r.stderr


def test_views_open_the_database_read_only(filled):
    """The database file is opened O_RDONLY, and nothing is written to it
    or to its WAL (SQLite opens the -wal read-write whatever the mode, and
    maps the -shm for its read marks: strace shows the writes that count)."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    db = str(filled.root / "affild.db")
    for args in (["employees"], ["export"], ["status"], ["files"],
                 ["show", EMPLOYER, NIRS["lefevre"]], ["outbox"], ["timers"],
                 ["employers"], ["file", as_json(filled, "files")[0][
                     "file_id"]]):
        trace = filled.root / "strace.out"
        r = subprocess.run(["strace", "-f", "-y", "-e",
                            "trace=open,openat,write,pwrite64,ftruncate,"
                            "unlink,unlinkat,rename", "-o", str(trace),
                            str(BIN / "affilctl"), "-c", str(filled.config),
                            *args], capture_output=True, text=True,
                           timeout=60, env=asan_env("detect_leaks=0"))
        if r.returncode != 0 and "ptrace" in r.stderr:
            pytest.skip("strace cannot trace here: " + r.stderr)
        assert r.returncode == 0, r.stderr
        calls = trace.read_text().splitlines()
        opens = [l for l in calls if "open" in l and '"%s"' % db in l]
        assert opens, args
        assert all("O_RDONLY" in l and "O_RDWR" not in l for l in opens), \
            (args, opens)
        written = [l for l in calls
                   if not re.search(r"\bopen(at)?\(", l) and
                   ("<%s>" % db in l or "<%s-wal>" % db in l or
                    ('"%s' % db in l and "unlink" in l))]
        assert written == [], (args, written)


# --- a large export ------------------------------------------------------------

WRAP = ("import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")


def big_database(root, n):
    """A database of the daemon's schema, then n employees by SQL."""
    a = Affild(root)
    a.start()
    a.stop()
    with sqlite3.connect(str(a.root / "affild.db")) as c:
        c.execute(
            "WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k"
            " WHERE x < ?) INSERT INTO employee (employer, nir, status,"
            " status_since, nom, prenom, date_naissance, date_embauche,"
            " categorie, email, matricule, updated_at) SELECT CASE x % 3"
            " WHEN 0 THEN '12345678' ELSE '87654321' END,"
            " printf('1%014d', x), 'AFFILIE', '2026-11-01', 'Nom' || x,"
            " 'Prénom', '1990-04-12', '2026-11-01', 'NON_CADRE',"
            " 'p' || x || '@example.fr', 'M' || x, 'x' FROM k", (n,))
    return a


def asan_env(extra):
    """The environment, with extra ASAN_OPTIONS (ignored by a build
    without the sanitizers)."""
    opts = os.environ.get("ASAN_OPTIONS", "")
    return dict(os.environ, ASAN_OPTIONS=(opts + ":" if opts else "") + extra)


def peak_kb(a, *args):
    """Peak RSS of one affilctl run, in a fresh process of its own.  Under
    ASan, without its quarantine: it keeps what was freed, by design."""
    r = subprocess.run([sys.executable, "-c", WRAP, str(BIN / "affilctl"),
                        "-c", str(a.config), *args], capture_output=True,
                       text=True, timeout=600, check=True,
                       env=asan_env("quarantine_size_mb=0"))
    return int(r.stdout)


def test_export_memory_stays_flat(tmp_path):
    small = big_database(tmp_path / "small", 20000)
    large = big_database(tmp_path / "large", 200000)
    out = subprocess.run([str(BIN / "affilctl"), "-c", str(large.config),
                          "export"], capture_output=True, check=True).stdout
    assert out.count(b"\n") == 200001
    for fmt in ("csv", "json"):
        kb_small = peak_kb(small, "export", "--format", fmt)
        kb_large = peak_kb(large, "export", "--format", fmt)
        # ten times the rows, the same memory (+10 MB of slack)
        assert kb_large <= kb_small + 10 * 1024, (fmt, kb_small, kb_large)
