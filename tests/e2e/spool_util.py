"""Helpers shared by the test_spool_*.py files: config tweaks, rows,
log counting.  The Affild fixture itself lives in conftest.py."""
import os
import signal
import sqlite3
from datetime import date

from conftest import HEADER, make_nir, row, wait_for

BORN = date(1990, 5, 17)


def simple(serial, nom="Martin", prenom="Léa"):
    return row("AFFILIATION_SIMPLE", make_nir(2, BORN, serial), nom, prenom,
               BORN.isoformat(), "lea.martin%d@example.fr" % serial)


def csv_rows(first, count):
    return HEADER + "".join(simple(first + k) for k in range(count))


def set_spool_key(a, key, value):
    """Add or replace one key under spool: in a's config."""
    lines = a.config.read_text().splitlines()
    i = lines.index("spool:")
    end = i + 1
    while end < len(lines) and lines[end].startswith("  "):
        end += 1
    block = [l for l in lines[i + 1:end] if not l.startswith("  %s:" % key)]
    lines[i + 1:end] = ["  %s: %s" % (key, value)] + block
    a.config.write_text("\n".join(lines) + "\n")


def set_employer_key(a, numero, key, value):
    """Add one key to the employer numero in a's config."""
    text = a.config.read_text()
    anchor = '  - numero: "%s"\n' % numero
    assert anchor in text
    a.config.write_text(text.replace(
        anchor, anchor + "    %s: %s\n" % (key, value)))


def add_employer(a, numero, name="Nouvelle SA"):
    a.config.write_text(a.config.read_text() + (
        '  - numero: "%s"\n'
        "    name: %s\n"
        "    options:\n"
        "      - code: BASE\n"
        "    base_plan: BASE\n"
        "    contact_email: rh@nouvelle.example\n") % (numero, name))


def reload(a):
    n = log_count(a, "event=reloaded")
    a.proc.send_signal(signal.SIGHUP)
    wait_for(lambda: log_count(a, "event=reloaded") > n
             or log_count(a, "event=reload_refused") > 0,
             what="reload", log=a.log)


def log_count(a, needle):
    return a.log.read_text(errors="replace").count(needle)


class PgReader:
    """sqlite3's connection as the tests use it (execute, fetchone,
    fetchall; ? parameters), on the PostgreSQL database of a run with
    AFFILD_TEST_PG: psql's \\gdesc says which columns are integers, so
    numbers stay numbers and text stays text."""

    def __init__(self, url):
        self.url, self.rows = url, []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, sql, params=()):
        import pg_util
        parts = sql.split("?")
        assert len(parts) == len(params) + 1, sql
        text = parts[0]
        for value, rest in zip(params, parts[1:]):
            text += ("NULL" if value is None else str(value)
                     if isinstance(value, int) else
                     "'" + str(value).replace("'", "''") + "'") + rest
        ints = [t in ("bigint", "integer", "smallint", "boolean")
                for _, t in pg_util.query(self.url, text + " \\gdesc")]
        self.rows = [tuple(None if v is None else
                           (v == "t" if v in ("t", "f") else int(v))
                           if i else v for v, i in zip(r, ints))
                     for r in pg_util.query(self.url, text)]
        return self

    def fetchall(self):
        return self.rows

    def fetchone(self):
        return self.rows[0] if self.rows else None


def db(a):
    """A read-only connection to the daemon's database (WAL: never waits)."""
    if getattr(a, "db_url", None):
        return PgReader(a.db_url)
    return sqlite3.connect("file:%s?mode=ro" % (a.root / "affild.db"), uri=True,
                           timeout=30)


def integrity_ok(a):
    if getattr(a, "db_url", None):
        return True     # PostgreSQL's own: a crash of affild cannot break it
    with db(a) as c:
        return c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def asan():
    return os.environ.get("AFFILD_SANITIZED") == "1"


class HostAccounts:
    """Groups and users with random names, made for one test and removed
    after it: tests never depend on what accounts the host has."""

    def __init__(self):
        import random
        self._random = random.Random()
        self.groups, self.users = [], []

    def name(self, prefix):
        import grp
        import pwd
        while True:
            n = prefix + "".join(self._random.choice("abcdefghjkmnpqrstuvwxyz")
                                 for _ in range(8))
            try:
                grp.getgrnam(n)
                continue
            except KeyError:
                pass
            try:
                pwd.getpwnam(n)
                continue
            except KeyError:
                return n

    def group(self, prefix="afg"):
        import subprocess
        n = self.name(prefix)
        subprocess.run(["groupadd", n], check=True, capture_output=True)
        self.groups.append(n)
        return n

    def user(self, prefix="afu", groups=()):
        """A locked system account with its own group of the same name
        (and these groups besides)."""
        import subprocess
        n = self.name(prefix)
        more = ["--groups", ",".join(groups)] if groups else []
        subprocess.run(["useradd", "--system", "--user-group",
                        "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", *more, n],
                       check=True, capture_output=True)
        self.users.append(n)
        return n

    def remove(self):
        import subprocess
        for u in self.users:
            subprocess.run(["userdel", u], capture_output=True)
        for g in self.groups:
            subprocess.run(["groupdel", g], capture_output=True)
