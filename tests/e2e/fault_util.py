"""Helpers of the fault tests: affild with the LD_PRELOAD shim
(tests/fault/fault.c, built as $(BUILD)/tests/libfault.so), the payroll
file they all drop, and the checks made after every crash or fault.

A rule is the shim's AFFILD_FAULT text, e.g.
    "op=rename,path=*/out/*.cr.csv,action=kill"
(see the top of tests/fault/fault.c for the keys)."""
import email
import email.policy
import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import BIN, REPO, Affild, make_nir, today, wait_for
from spool_util import db, integrity_ok, set_spool_key


def fault_lib():
    """The shim: $AFFILD_FAULT_LIB (make e2e sets it), else beside BIN."""
    env = os.environ.get("AFFILD_FAULT_LIB")
    if env:
        return Path(env)
    for build in (BIN.parent / "tests", REPO / "build" / "tests"):
        if (build / "libfault.so").exists():
            return build / "libfault.so"
    pytest.skip("tests/fault/fault.c not built: make fault")


HEADER = ("operation;nir;nom;prenom;date_naissance;date_embauche;categorie;"
          "email;adresse;code_postal;ville;pays\n")
BORN_Y = 1991


def payroll(name_serial, rows, letters=0):
    """A CSV of rows AFFILIATION_SIMPLE, the last `letters` of them
    without email but with a postal address (a PDF letter each);
    serials from name_serial * 1000 so files never share a NIR."""
    from datetime import date
    born = date(BORN_Y, 3, 14)
    out = HEADER
    for k in range(rows):
        serial = name_serial * 1000 + k
        nir = make_nir(1, born, serial)
        if k >= rows - letters:
            cols = ["", "%d rue des Lilas" % (k + 1), "42000", "Saint-Étienne",
                    ""]
        else:
            cols = ["p%d@example.fr" % serial, "", "", "", ""]
        out += ";".join(["AFFILIATION_SIMPLE", nir, "Martin", "Léo",
                         born.isoformat(), today(), "NON_CADRE"] + cols) + "\n"
    return out


class FaultyAffild(Affild):
    """An Affild that can be started under the shim (start_faulty), where
    the process may die before or just after its 'started' line."""

    def __init__(self, root, rescan_s=1, cache_mb=None, **kw):
        super().__init__(root, settle_ms=0, **kw)
        set_spool_key(self, "rescan_s", rescan_s)
        if cache_mb:
            text = self.config.read_text()
            self.config.write_text(text.replace(
                "database:\n", "database:\n  cache_mb: %d\n" % cache_mb))

    def start_faulty(self, rule):
        """Start with AFFILD_FAULT=rule; returns once it logged 'started'
        or died."""
        started = self.log_text().count("event=started")
        env = dict(os.environ, LD_PRELOAD=str(fault_lib()),
                   AFFILD_FAULT=rule)
        # The ASan build wants its runtime first in the library list.
        env["ASAN_OPTIONS"] = ":".join(
            filter(None, [os.environ.get("ASAN_OPTIONS"),
                          "verify_asan_link_order=0"]))
        with open(self.log, "ab") as logf:
            self.proc = subprocess.Popen(
                [str(BIN / "affild"), "-c", str(self.config)],
                stdout=logf, stderr=logf, env=env)
        wait_for(lambda: self.log_text().count("event=started") > started
                 or self.proc.poll() is not None, what="affild start",
                 log=self.log)

    def log_text(self):
        return self.log.read_text(errors="replace") if self.log.exists() \
            else ""

    def hits(self):
        """The shim's lines: one per injected fault."""
        return [l for l in self.log_text().splitlines()
                if l.startswith("affild-fault: rule=")]

    def wait_killed(self, timeout=20):
        """The shim killed it: SIGKILL, and its line was logged."""
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("the fault point was never reached\n" +
                                 self.log_text())
        assert rc == -signal.SIGKILL, (rc, self.log_text())
        assert any("action=kill" in l for l in self.hits()), self.log_text()
        self.proc = None

    def kill_if_alive(self):
        if self.proc is not None and self.proc.poll() is None:
            self.kill()
        self.proc = None

    def report_files(self):
        out = self.out_dir()
        return sorted(p.name for p in out.iterdir()
                      if p.is_file() and ".cr." in p.name)


def print_day_dirs(a):
    return sorted(p for p in (a.root / "print").iterdir() if p.is_dir())


def manifest_lines(a):
    """Every manifest line of every day folder, as (day, id)."""
    lines = []
    for d in print_day_dirs(a):
        m = d / "manifest.csv"
        if m.exists():
            rows = m.read_bytes()[3:].decode().split("\r\n")[1:]
            lines += [(d.name, r.split(";")[1]) for r in rows if r]
    return lines


def check_all_once(a, expected, mails=True, why=""):
    """expected: file stem -> rows.  Every file done once with one report,
    every employee once, the database sound; every mail of the outbox
    sent once or still pending, never twice (file transport: one .eml per
    row; letters: one PDF and one manifest line per row)."""
    wait_for(lambda: len(a.report_files()) >= len(expected), timeout=60,
             what="reports %s" % why, log=a.log)
    names = sorted(n.split(".")[0] for n in a.report_files())
    assert names == sorted(expected), (why, names)
    with db(a) as c:
        files = c.execute("SELECT name, state, accepted FROM file").fetchall()
        emps = c.execute("SELECT count(*) FROM employee").fetchone()[0]
    assert sorted(f[0].split(".")[0] for f in files) == sorted(expected), \
        (why, files)
    assert all(f[1] == "done" and f[2] == expected[f[0].split(".")[0]]
               for f in files), (why, files)
    assert emps == sum(expected.values()), why
    assert integrity_ok(a), why
    work = a.root / "spool" / ".affild" / "work"
    wait_for(lambda: not any(work.iterdir()), timeout=30,
             what="work/ empty %s" % why, log=a.log)
    assert [p.name for p in a.drop_dir().iterdir() if p.is_file()] == [], why
    if mails:
        check_mail_once(a, why)


def outbox_rows(a):
    with db(a) as c:
        return c.execute("SELECT id, state, recipient, message_id"
                         " FROM outbox ORDER BY id").fetchall()


def check_mail_once(a, why=""):
    """Wait until the outbox is all sent, then: one .eml per e-mail row,
    one PDF and one manifest line per letter row, none twice."""
    wait_for(lambda: all(r[1] == "sent" for r in outbox_rows(a)),
             timeout=60, what="outbox all sent %s" % why, log=a.log)
    rows = outbox_rows(a)
    emails = {str(r[0]): r for r in rows if r[2] != "courrier"}
    letters = {str(r[0]) for r in rows if r[2] == "courrier"}
    emls = sorted(p.stem for p in a.mails())
    assert sorted(emls) == sorted(emails), (why, emls, sorted(emails))
    seen = set()
    for p in a.mails():
        msg = email.message_from_bytes(p.read_bytes(),
                                       policy=email.policy.default)
        assert msg["Message-ID"] == "<%s>" % emails[p.stem][3] or \
            msg["Message-ID"] == emails[p.stem][3], (why, p)
        assert msg["Message-ID"] not in seen, why
        seen.add(msg["Message-ID"])
    lines = manifest_lines(a)
    ids = [i for _, i in lines]
    assert sorted(ids) == sorted(letters), (why, lines, letters)
    # (a dot-name temporary file a crash left behind is harmless: the
    # mail house ignores them; a second letter is not)
    pdfs = sorted(p.stem for d in print_day_dirs(a) for p in d.glob("*.pdf"))
    assert pdfs == sorted(letters), (why, pdfs)


def log_lines(a, pattern):
    rx = re.compile(pattern)
    return [l for l in a.log_text().splitlines() if rx.search(l)]
