"""End-to-end harness: the real affild in a temporary root.

Each test gets its own spool, database, mail folder and token key, a
config written from the demo's, and a running `affild` (from $AFFILD_BIN,
the normal or the sanitizer build).  Helpers drop files the way SFTP
clients do, wait for reports, and read state through `affilctl`.
"""
import csv
import io
import json
import os
import signal
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

# The tests count days as affild does, in Europe/Paris: date.today() in
# UTC is yesterday's date between midnight and 1 or 2 a.m. in Paris, and
# a test comparing it with affild's day failed then (status_since, the
# start of a portability).
os.environ["TZ"] = "Europe/Paris"
time.tzset()

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("AFFILD_BIN", REPO / "bin"))
# The suite against PostgreSQL: the socket folder of a running cluster
# (scripts/pg-cluster.sh, make e2e-pg); each Affild gets a fresh database.
PG = os.environ.get("AFFILD_TEST_PG")
EMPLOYER = "12345678"

CONFIG = """\
spool:
  dir: {root}/spool
  sftp_chroot: false
  settle_ms: {settle_ms}
  rescan_s: 60
database:
  path: {root}/affild.db{pg_url}
mail:
  transport: file
  dir: {root}/mail
  from: "Espace entreprise <affiliation@assureur.example>"
  templates: {repo}/templates/fr
  print_dir: {root}/print
portal:
  enabled: true
  link_url: "https://espace.assureur.example/affiliation/{{token}}"
  token_key_file: {root}/token.key
process:
  creditor_id: FR12ZZZ123456
  # The radiation gate has its own tests (test_radiation_gate.py): the
  # others' small portfolios radiate half their staff in one file.
  radiation_gate_percent: 0
employers:
  - numero: "12345678"
    name: Exemple SAS
    options:
      - code: BASE
      - code: CONFORT
        direct_debit: true
    base_plan: BASE
    contact_email: rh@exemple-sas.example
    apply: {apply}
  - numero: "87654321"
    name: Autre SARL
    options:
      - code: BASE
    base_plan: BASE
    contact_email: rh@autre.example
"""


class Affild:
    """One affild instance in root; start(), stop(), kill()."""

    def __init__(self, root, settle_ms=300, apply="partial"):
        self.root = Path(root)
        self.proc = None
        self.log = self.root / "affild.log"
        (self.root / "mail").mkdir(parents=True, exist_ok=True)
        (self.root / "print").mkdir(exist_ok=True)
        (self.root / "token.key").write_bytes(os.urandom(32))
        self.config = self.root / "affild.yaml"
        self.db_url = pg_database(self.root) if PG else None
        pg_url = "\n  url: " + self.db_url if PG else ""
        self.config.write_text(CONFIG.format(root=self.root, repo=REPO,
                                             settle_ms=settle_ms, apply=apply,
                                             pg_url=pg_url))

    def start(self):
        # the log is kept across restarts: wait for this start's line
        started = self.log.read_bytes().count(b"event=started") \
            if self.log.exists() else 0
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen([str(BIN / "affild"), "-c", str(self.config)],
                                     stdout=logf, stderr=logf)
        logf.close()
        wait_for(lambda: self.log.read_bytes().count(b"event=started") > started
                 or self.proc.poll() is not None, what="affild start")
        assert self.proc.poll() is None, self.log.read_text()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=20)
            assert rc == 0, self.log.read_text()
        self.proc = None

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def drop_dir(self, employer=EMPLOYER, validation=False):
        d = self.root / "spool" / employer / "in"
        return d / "validation" if validation else d

    def out_dir(self, employer=EMPLOYER, validation=False):
        d = self.root / "spool" / employer / "out"
        return d / "validation" if validation else d

    def drop(self, name, data, employer=EMPLOYER, validation=False):
        """Upload under a temporary name, then rename: ready at once."""
        d = self.drop_dir(employer, validation)
        tmp = d / (name + ".part")
        tmp.write_bytes(data if isinstance(data, bytes) else data.encode())
        os.rename(tmp, d / name)

    def reports(self, name, employer=EMPLOYER, validation=False):
        return sorted(self.out_dir(employer, validation).glob(name + ".*.cr.csv"))

    def wait_report(self, name, count=1, **kw):
        wait_for(lambda: len(self.reports(name, **kw)) >= count,
                 what="report of " + name, log=self.log)
        return read_report(self.reports(name, **kw)[count - 1])

    def ctl(self, *args):
        r = subprocess.run([str(BIN / "affilctl"), "-c", str(self.config), *args],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def ctl_json(self, *args):
        return json.loads(self.ctl("--format", "json", *args))

    def mails(self):
        return sorted((self.root / "mail").glob("*.eml"))


PG_MADE = {}    # database name -> the root it serves


def pg_database(root):
    """A fresh database on the test cluster for root; its URI."""
    import hashlib
    import pg_util
    name = "t_" + hashlib.sha1(str(root).encode()).hexdigest()[:20]
    PG_MADE[name] = str(root)
    return pg_util.create_db(name)


@pytest.fixture(autouse=True)
def pg_cleanup(request):
    """A test's databases go with its tmp_path (a run makes hundreds);
    a module's fixture keeps its own to the end of the run, and every one
    stays with AFFILD_TEST_PG_KEEP=1 (to look at a failure)."""
    base = str(request.getfixturevalue("tmp_path")) \
        if PG and "tmp_path" in request.fixturenames and \
        not os.environ.get("AFFILD_TEST_PG_KEEP") else None
    yield
    if base:
        import pg_util
        for name, root in list(PG_MADE.items()):
            if root.startswith(base):
                pg_util.drop_db(name)   # FORCE: a daemon left connected
                del PG_MADE[name]


def wait_for(cond, timeout=20.0, what="condition", log=None):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    extra = "\n" + Path(log).read_text() if log else ""
    raise AssertionError("timed out waiting for " + what + extra)


def read_report(path):
    """The report as a list of dicts; checks the BOM and the separator."""
    raw = Path(path).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "report must start with a UTF-8 BOM"
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode()), delimiter=";"))
    assert rows and rows[-1]["operation"] == "FICHIER"
    return rows


def today():
    return date.today().isoformat()


HEADER = ("operation;nir;nom;prenom;date_naissance;date_embauche;categorie;"
          "email;option\n")


def row(op, nir, nom, prenom, born, email="", option="", hired=None,
        categorie="NON_CADRE"):
    return ";".join([op, nir, nom, prenom, born, hired or today(), categorie,
                     email, option]) + "\n"


# The longest tests, spread over the heads of the workers' first batches.
# pytest-xdist's load scheduling (make e2e runs the suite on several
# workers) hands each worker a batch of consecutive tests at the start,
# then more as it empties: left in the files' order, the long tests can
# land on one worker that ends alone, a minute after the others.  The
# order only: the same tests run, and a run without xdist keeps the files'
# order.  Seconds as --durations gave them for the normal build.
SLOW_FIRST = (
    ("test_load.py::test_wall_clock_stepped_two_hours_each_way", 59),
    ("test_spool_crash.py::test_sigkill_at_random_moments_applies_each_file_exactly_once", 40),
    ("test_crash_matrix.py::test_sigkill_at_a_named_point[mid_apply]", 10),
    ("test_spool_events.py::test_burst_of_2000_files_with_queue_overflow_each_processed_once", 10),
    ("test_mail_record.py::test_outcomes_kept_until_recorded_smtp", 10),
    ("test_io_faults.py::test_database_full_when_an_smtp_outcome_comes_back", 9),
    ("test_hostile_catalogue.py::test_file_growing_in_place_is_taken_once_stable", 8),
    ("test_smtp.py::test_server_down_then_up_every_message_arrives_once", 7),
    ("test_affilctl.py::test_export_memory_stays_flat", 6),
    ("test_spool_readiness.py::test_file_written_slowly_in_place_is_processed_once_complete", 5),
    ("test_admin_drop.py::test_edits_in_a_loop_while_a_large_file_applies", 4),
)


# Under AFFILD_TEST_PG, the tests of SQLite's own file skip: its I/O
# faults injected into the file (the shim), its upgrades from old files,
# its lock, its mode; and any test that opens affild.db itself.
SQLITE_FILE_MODULES = ("test_io_faults.py", "test_crash_matrix.py",
                       "test_upgrade.py")
SQLITE_FILE_TESTS = ("test_affilctl_never_opens_the_database_for_writing",
                     "test_export_memory_stays_flat",
                     "test_views_open_the_database_read_only")


def sqlite_file_test(item):
    import inspect
    if item.fspath.basename in SQLITE_FILE_MODULES or \
            item.name in SQLITE_FILE_TESTS:
        return True
    try:
        src = inspect.getsource(item.function)
    except (OSError, TypeError):
        return False
    return "sqlite3" in src or "affild.db" in src


@pytest.hookimpl(trylast=True)          # after pytest's own reordering
def pytest_collection_modifyitems(config, items):
    if PG:
        skip = pytest.mark.skip(reason="SQLite's own file (AFFILD_TEST_PG)")
        for it in items:
            if sqlite_file_test(it):
                it.add_marker(skip)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    if workers < 2:
        return
    secs = dict(SLOW_FIRST)
    slow = sorted((it for it in items if it.nodeid in secs),
                  key=lambda it: -secs[it.nodeid])
    rest = [it for it in items if it.nodeid not in secs]
    # each long test to the worker with the fewest seconds so far
    heads = [[] for _ in range(workers)]
    load = [0] * workers
    for it in slow:
        k = load.index(min(load))
        heads[k].append(it)
        load[k] += secs[it.nodeid]
    # xdist 3's first batch is max(len(items) // workers // 4, 2) tests
    batch = max(len(items) // workers // 4, 2)
    out = []
    for k in range(workers):
        take = max(batch - len(heads[k]), 0)
        out += heads[k] + rest[:take]
        del rest[:take]
    items[:] = out + rest


@pytest.fixture
def affild(tmp_path):
    a = Affild(tmp_path)
    a.start()
    yield a
    a.stop()


def make_nir(sex, born, serial):
    """A generated NIR (born abroad: department 99) with its right key."""
    body = "%d%02d%02d99%03d%03d" % (sex, born.year % 100, born.month,
                                      serial // 1000 % 1000, serial % 1000)
    return body + "%02d" % (97 - int(body) % 97)


def bad_key(nir):
    """The same NIR with a wrong key, and the key it should have."""
    good = int(nir[13:])
    wrong = good + 1 if good < 96 else good - 1
    return nir[:13] + "%02d" % wrong, "%02d" % good
