"""Issue 15, item 1: one writer, Postfix's way.

affilctl's changes are files it writes into the admin drop
(<spool>/.affild/admin/in/, group spool.admin_group); the daemon applies
them through the same pipeline as any file, with the history cause
admin:<login> of the file's owner, and affilctl prints the report and
exits with a status from its return code.  affilctl never opens the
database for writing.

The accounts are random, made and removed by the tests (an admin in the
admin group, an outsider); those tests need root and are skipped without
it.  The load test's size is AFFILD_ADMIN_LOAD_MOVEMENTS (default 20,000;
the issue's figure is 100,000).
"""
import grp
import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import threading
from datetime import date
from pathlib import Path

import pytest

from conftest import (BIN, EMPLOYER, HEADER, Affild, make_nir, read_report,
                      row, wait_for)
import spool_util
from spool_util import HostAccounts, set_spool_key

BORN = date(1986, 3, 14)
EX_DATAERR, EX_TEMPFAIL, EX_NOPERM, EX_USAGE = 65, 75, 77, 64
LOAD = int(os.environ.get("AFFILD_ADMIN_LOAD_MOVEMENTS", "20000"))

root_only = pytest.mark.skipif(os.geteuid() != 0,
                               reason="makes users and groups: root only")


def nir(serial):
    return make_nir(1, BORN, serial)


def affiliate(a, serials, name="embauches.csv"):
    a.drop(name, HEADER + "".join(
        row("AFFILIATION_SIMPLE", nir(s), "Nom%d" % s, "Prénom",
            BORN.isoformat(), "p%d@example.fr" % s) for s in serials))
    rows = a.wait_report(name)
    assert rows[-1]["code"] in ("CR0", "CR1"), rows


def admin_out(a):
    return a.root / "spool/.affild/admin/out"


def admin_reports(a, verb):
    return sorted(admin_out(a).glob(verb + "-*.cr.csv"))


def ctl(a, *args, user=None, timeout=120):
    """affilctl as root, or as user (setpriv, with the user's groups)."""
    argv = [str(BIN / "affilctl"), "-c", str(a.config), *args]
    if user:
        argv = ["setpriv", "--reuid", user, "--regid", user,
                "--init-groups"] + argv
    return subprocess.run(argv, capture_output=True, timeout=timeout)


def history(a, serial):
    out = ctl(a, "--format", "json", "show", EMPLOYER, nir(serial))
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def db(a):
    return spool_util.db(a)


@pytest.fixture
def admins():
    """An affild whose tree every account may cross, its admin drop given
    to a random group; an admin in it and an outsider, removed after."""
    if os.geteuid() != 0:
        pytest.skip("makes users and groups: root only")
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv (util-linux) is needed")
    accounts = HostAccounts()
    top = Path(tempfile.mkdtemp(prefix="affild-admin-", dir="/tmp"))
    os.chmod(top, 0o755)
    a = Affild(top)
    try:
        a.group = accounts.group("afa")
        a.admin = accounts.user("afu", groups=[a.group])
        a.outsider = accounts.user("afo")
        set_spool_key(a, "admin_group", a.group)
        a.start()
        yield a
    finally:
        a.stop()
        accounts.remove()
        shutil.rmtree(top, ignore_errors=True)


# --- who changed it: the file's owner ---------------------------------------

@root_only
def test_an_edit_is_applied_with_the_login_of_the_admin_who_wrote_it(admins):
    a = admins
    affiliate(a, [1])
    d = a.root / "spool/.affild/admin"
    gid = grp.getgrnam(a.group).gr_gid
    assert os.stat(d / "in").st_gid == gid and os.stat(d / "out").st_gid == gid

    r = ctl(a, "edit", EMPLOYER, nir(1), "nom=Martin-Durand", "ville=Lyon",
            user=a.admin)
    assert r.returncode == 0, r.stderr
    [report] = admin_reports(a, "edit")
    # what affilctl printed is the report, byte for byte
    assert r.stdout == report.read_bytes()
    rows = read_report(report)
    assert [x["code"] for x in rows] == ["I000", "CR0"], rows
    # the report is the admins' to read, nobody else's
    st = os.stat(report)
    assert st.st_gid == gid and st.st_mode & 0o777 == 0o640

    rec = history(a, 1)
    assert rec["employee"]["nom"] == "Martin-Durand"
    assert rec["employee"]["ville"] == "Lyon"
    last = rec["history"][-1]
    assert last["cause"] == "admin:" + a.admin, last
    assert last["what"] == "nom, ville"
    with db(a) as c:
        assert c.execute("SELECT submitted_by FROM file WHERE employer ="
                         " 'admin'").fetchall() == [(a.admin,)]
    assert "by=%s" % a.admin in a.log.read_text()


@root_only
def test_the_login_comes_from_the_owner_never_from_the_content(admins):
    """A file put in the drop by hand: its owner says who, whatever it
    says; an owner with no account is admin:uid<N>."""
    a = admins
    affiliate(a, [2, 3])
    drop = a.root / "spool/.affild/admin/in"
    for serial, uid in ((2, pwd.getpwnam(a.admin).pw_uid), (3, 3999999)):
        tmp = drop / (".main-%d.tmp" % serial)
        tmp.write_text("operation;numero_personne;nir;nom;submitted_by\n"
                       "MODIFICATION;%s;%s;Forge;root\n"
                       % (EMPLOYER, nir(serial)))
        os.chown(tmp, uid, -1)
        os.rename(tmp, drop / ("main-%d.csv" % serial))
        wait_for(lambda: list(admin_out(a).glob("main-%d.csv.*.cr.csv"
                                                 % serial)),
                 what="the report", log=a.log)
    assert history(a, 2)["history"][-1]["cause"] == "admin:" + a.admin
    assert history(a, 3)["history"][-1]["cause"] == "admin:uid3999999"


# --- exit statuses -----------------------------------------------------------

@root_only
def test_exit_statuses(admins):
    a = admins
    affiliate(a, [4])
    # a rejected line: 65, the report printed, the line told on stderr
    r = ctl(a, "edit", EMPLOYER, nir(4), "date_naissance=31/02/1986",
            user=a.admin)
    assert r.returncode == EX_DATAERR, r.stderr
    assert b";REJETE;" in r.stdout and b"CR3" in r.stdout
    assert re.search(rb"ligne 2: E1\d\d ", r.stderr), r.stderr
    # an employee unknown at this employer
    r = ctl(a, "remind", EMPLOYER, nir(999), user=a.admin)
    assert r.returncode == EX_DATAERR and b"E202" in r.stdout
    # not in the admin group: 77, said plainly, nothing queued
    r = ctl(a, "edit", EMPLOYER, nir(4), "ville=Nantes", user=a.outsider)
    assert r.returncode == EX_NOPERM, r.stderr
    assert ("you must be in group %s" % a.group).encode() in r.stderr
    assert os.listdir(a.root / "spool/.affild/admin/in") == []
    # a usage error: 64, and nothing queued either
    r = ctl(a, "edit", EMPLOYER, nir(4), "salaire=1", user=a.admin)
    assert r.returncode == EX_USAGE and b"FIELD=VALUE" in r.stderr
    # --no-wait: the queued name, at once; the report follows
    r = ctl(a, "edit", EMPLOYER, nir(4), "ville=Nantes", "--no-wait",
            user=a.admin)
    assert r.returncode == 0, r.stderr
    name = r.stdout.decode().strip()
    assert re.fullmatch(r"edit-\d{8}T\d{6}-\d+-\d+\.csv", name), name
    wait_for(lambda: list(admin_out(a).glob(name + ".*.cr.csv")),
             what="the queued edit's report", log=a.log)
    assert history(a, 4)["employee"]["ville"] == "Nantes"
    # affild stopped: no report in time, 75, the file stays queued
    a.stop()
    r = ctl(a, "edit", EMPLOYER, nir(4), "ville=Brest", "--timeout", "1",
            user=a.admin)
    assert r.returncode == EX_TEMPFAIL and b"stays queued" in r.stderr
    a.start()
    wait_for(lambda: history(a, 4)["employee"]["ville"] == "Brest",
             what="the queued edit applied at start", log=a.log)


def test_admin_operations_are_refused_in_an_employers_and_the_portals_drop(
        affild):
    affiliate(affild, [5])
    rows_in = ("operation;numero_personne;id_fichier;nir;date_reference;"
               "forcer\n"
               "RETRAITEMENT;;20000101-000001;;;\n"
               "ECHEANCES;;;;2099-01-01;O\n"
               "PREUVE_CHOMAGE;%s;;%s;;\n" % (EMPLOYER, nir(5)))
    affild.drop("ruse.csv", rows_in)
    rows = affild.wait_report("ruse.csv")
    assert [(r["operation"], r["code"]) for r in rows] == [
        ("RETRAITEMENT", "E270"), ("ECHEANCES", "E270"),
        ("PREUVE_CHOMAGE", "E270"), ("FICHIER", "CR3")], rows
    assert "réservée au dépôt de l'assureur" in rows[0]["message"]
    affild.drop("ruse.csv", rows_in, employer="portail")
    rows = affild.wait_report("ruse.csv", employer="portail")
    assert [r["code"] for r in rows] == ["E270"] * 3 + ["CR3"], rows
    with db(affild) as c:
        assert c.execute("SELECT count(*) FROM reprocess").fetchone()[0] == 0
        assert c.execute("SELECT count(*) FROM history WHERE cause = 'timer'"
                         ).fetchone()[0] == 0


# --- affilctl never writes the database ---------------------------------------

def opens_of_the_database(a, *args):
    """The open(2) calls of one affilctl run on the database files, as
    strace saw them: (file, flags)."""
    log = a.root / "strace.log"
    # LeakSanitizer cannot work under ptrace: off for a sanitizer build
    opts = os.environ.get("ASAN_OPTIONS", "")
    env = dict(os.environ, ASAN_OPTIONS=(opts + ":" if opts else "")
               + "detect_leaks=0")
    r = subprocess.run(["strace", "-f", "-qq", "-e", "trace=open,openat",
                        "-o", str(log), str(BIN / "affilctl"), "-c",
                        str(a.config), *args],
                       capture_output=True, timeout=120, env=env)
    assert r.returncode == 0, (args, r.stderr)
    db = str(a.root / "affild.db")
    calls = []
    for line in log.read_text().splitlines():
        m = re.search(r'"(%s(?:-wal|-shm|-journal)?)", ([A-Z_|]+)'
                      % re.escape(db), line)
        if m:
            calls.append((m.group(1)[len(db):] or "db", m.group(2)))
    return calls


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace absent")
def test_affilctl_never_opens_the_database_for_writing(affild):
    affiliate(affild, [6])
    [f] = affild.ctl_json("files")
    reads = [("files",), ("file", f["file_id"]), ("employees",),
             ("show", EMPLOYER, nir(6)), ("outbox",), ("timers",),
             ("employers",)]
    for args in reads:
        calls = opens_of_the_database(affild, *args)
        main = [flags for name, flags in calls if name == "db"]
        assert main and all(fl.startswith("O_RDONLY") for fl in main), \
            (args, calls)
        # (SQLite's WAL readers map -shm and open -wal read-write if they
        # may: the reader protocol; the database file is never writable)
        assert not any("O_TRUNC" in fl for _, fl in calls), (args, calls)
    # a change never opens the database at all
    for args in (("edit", EMPLOYER, nir(6), "ville=Lille"),
                 ("timers", "run"), ("outbox", "retry", "1")):
        calls = opens_of_the_database(affild, *args, "--no-wait")
        assert calls == [], (args, calls)
    wait_for(lambda: len(admin_reports(affild, "edit")) == 1 and
             len(admin_reports(affild, "timers")) == 1 and
             len(admin_reports(affild, "retry")) == 1,
             what="the three reports", log=affild.log)
    assert history(affild, 6)["employee"]["ville"] == "Lille"


# --- edits while a large file applies --------------------------------------------

def test_edits_in_a_loop_while_a_large_file_applies(affild):
    """The daemon is the only writer: an admin's edits wait in the admin
    drop for the large file's transaction, never on a lock, and every
    one of them is applied, in order."""
    people = list(range(10, 15))
    affiliate(affild, people)
    big = HEADER + "".join(
        row("AFFILIATION_SIMPLE", nir(100000 + i), "Charge%d" % i, "Test",
            BORN.isoformat(), "c%d@example.fr" % i) for i in range(LOAD))
    edits, results, readers = 12, [], []
    stop = threading.Event()

    def read_loop():
        while not stop.is_set():
            readers.append(ctl(affild, "show", EMPLOYER, nir(people[0])))

    reader = threading.Thread(target=read_loop)
    affild.drop("gros.csv", big)
    wait_for(lambda: "name=gros.csv" in affild.log.read_text(),
             what="the large file claimed", log=affild.log)
    reader.start()
    try:
        for k in range(edits):
            results.append(ctl(affild, "edit", EMPLOYER,
                               nir(people[k % len(people)]),
                               "matricule=M%d" % k, "--timeout", "900",
                               timeout=1000))
    finally:
        stop.set()
        reader.join()
    for r in results + readers:
        assert r.returncode == 0, (r.returncode, r.stderr)
        assert b"database is locked" not in r.stdout + r.stderr
        assert b"SQLITE_BUSY" not in r.stdout + r.stderr
    # (the edits were served after it: its report is there)
    rows = affild.wait_report("gros.csv")
    assert rows[-1]["code"] in ("CR0", "CR1")
    # no edit lost: each employee's last value, and one history row each
    for i, serial in enumerate(people):
        last = max(k for k in range(edits) if k % len(people) == i)
        rec = history(affild, serial)
        assert rec["employee"]["matricule"] == "M%d" % last
        assert sum(h["cause"].startswith("admin:") for h in rec["history"]) \
            == len([k for k in range(edits) if k % len(people) == i])
    assert len(admin_reports(affild, "edit")) == edits


# --- a document asked through the drop: the bulletin -----------------------

@root_only
def test_bulletin_is_fetched_through_the_drop(admins):
    """affilctl bulletin: a BULLETIN row in the admin drop; affild writes
    the PDF beside the report; affilctl copies it to -o FILE, 0600, owned
    by the admin who asked, or prints its path."""
    a = admins
    affiliate(a, [7])
    home = Path(tempfile.mkdtemp(prefix="affild-bul-", dir="/tmp"))
    try:
        os.chown(home, pwd.getpwnam(a.admin).pw_uid, -1)
        dest = home / "bulletin.pdf"
        r = ctl(a, "bulletin", EMPLOYER, nir(7), "-o", str(dest),
                user=a.admin)
        assert r.returncode == 0, r.stderr
        rows = read_report(admin_reports(a, "bulletin")[0])
        assert rows[-1]["code"] == "CR0", rows
        st = os.stat(dest)
        assert st.st_mode & 0o777 == 0o600
        assert st.st_uid == pwd.getpwnam(a.admin).pw_uid
        assert dest.read_bytes().startswith(b"%PDF-")
        text = subprocess.run(["pdftotext", "-layout", str(dest), "-"],
                              capture_output=True, text=True)
        assert "Nom7" in text.stdout, (text.stderr, dest.stat().st_size)
        # without -o: the path of the PDF in the admins' out/
        r = ctl(a, "bulletin", EMPLOYER, nir(7), user=a.admin)
        assert r.returncode == 0, r.stderr
        path = r.stdout.decode().splitlines()[-1]
        assert path.startswith(str(admin_out(a))) and \
            path.endswith(".bulletin-2.pdf"), r.stdout
        # an unknown employee: the report says E202, no document, 65
        r = ctl(a, "bulletin", EMPLOYER, nir(8), user=a.admin)
        assert r.returncode == 65, r
        assert b"E202" in r.stdout
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_a_changes_report_as_csv_and_as_json(affild):
    """The report of a change: as the daemon wrote it, or typed JSON with
    the keys of `affilctl file ID`, and the exit status from its code."""
    affiliate(affild, [21])
    r = ctl(affild, "remind", EMPLOYER, nir(21))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"\xef\xbb\xbfligne;operation;nir;resultat;")
    r = ctl(affild, "remind", EMPLOYER, nir(21), "--format", "json")
    assert r.returncode == 0, r.stderr
    lines = json.loads(r.stdout)
    assert [(x["line"], x["code"]) for x in lines] == [(2, "I000"), (0, "CR0")]
    assert lines[0]["nir"] == nir(21) and lines[0]["field"] is None
    r = ctl(affild, "--format", "json", "remind", EMPLOYER, nir(22))
    assert r.returncode == 65
    assert [x["code"] for x in json.loads(r.stdout)] == ["E202", "CR3"]
