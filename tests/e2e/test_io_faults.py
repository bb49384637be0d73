"""Issue 13, I/O faults: affild runs WITH the shim (tests/fault/fault.c)
and one call at one step of a file's life fails once with EIO or ENOSPC.
The daemon must not die nor lose the file: once the fault has passed
(count=1) the file ends processed once with one report and its mail sent
once, and the failure is in the log with its errno and path, the way
log_err_errno() writes it: "event=... path=...: <strerror>".

The report's bytes go through stdio (report.c), whose writes glibc makes
internally: the shim cannot fail them (tests/fault/fault.c says what it
covers); the report's fsync and create stand for them.

SQLite full is ENOSPC on a write to the -wal; busy is another process
holding BEGIN EXCLUSIVE for a few seconds.
"""
import errno
import os
import re
import sqlite3
import time

import pytest

from conftest import wait_for
from fault_util import (FaultyAffild, check_all_once, log_lines,
                        outbox_rows, payroll)
from smtp_server import Server
from test_smtp import smtp_affild

STAGED = "*/out/.staging/*.cr"
AFTER_CLAIM_OPEN = "op=open_any,path=*/in/f1.csv,action=trace"
AFTER_STAGING = "op=open,path=%s,action=trace" % STAGED

# name: (rules, regex of the log line (errno text and path follow it),
#        the path the line must name)
STEPS = {
    "claim_open": ("op=open_any,path=*/in/f1.csv",
                   r"event=\w+ .*path=\S+/in/f1\.csv"),
    "claim_rename": ("op=rename,path=*/.affild/work/*",
                     r"event=rename_failed from=\S+/in/f1\.csv to=\S+/work/"),
    "claim_fsync_work": ("op=fsync,path=*/.affild/work",
                         r"event=fsync_dir dir=\S+/\.affild/work"),
    "claim_db_full": (AFTER_CLAIM_OPEN + ";op=pwrite,path=*.db-wal,"
                      "after_rule=1", r"event=db_error .*db=\S+affild\.db"),
    "report_create": ("op=open,path=%s" % STAGED,
                      r"event=report_create path=\S+/\.staging/\S+\.cr"),
    "apply_db_full": (AFTER_STAGING + ";op=pwrite,path=*.db-wal,"
                      "after_rule=1,nth=3", r"event=db_error .*db=\S+"),
    "report_fsync": ("op=fsync,path=%s" % STAGED,
                     r"event=report_sync path=\S+/\.staging/\S+\.cr"),
    "commit_fdatasync": ("op=fsync,path=%s,action=trace;op=fdatasync,"
                         "path=*.db-wal,after_rule=1" % STAGED,
                         r"event=db_error .*db=\S+"),
    "report_rename": ("op=rename,path=*/out/*.cr.csv",
                      r"event=rename_failed from=\S+/\.staging/\S+ to=\S+/out/"),
    "archive_mkdir": ("op=mkdir,path=*/.affild/archive/*",
                      r"event=mkdir_failed dir=\S+/\.affild/archive/"),
    "archive_rename": ("op=rename,path=*/.affild/archive/*/*",
                       r"event=rename_failed from=\S+/work/\S+ to=\S+/archive/"),
    "mail_create": ("op=open,path=*/mail/.*.eml.tmp",
                    r"event=mail_write_failed path=\S+/mail/\.\d+\.eml\.tmp"),
    "mail_write": ("op=write,path=*/mail/.*.eml.tmp",
                   r"event=mail_write_failed path=\S+/mail/\.\d+\.eml\.tmp"),
    "mail_fsync": ("op=fsync,path=*/mail/.*.eml.tmp",
                   r"event=mail_write_failed path=\S+/mail/\.\d+\.eml\.tmp"),
    "mail_rename": ("op=rename,path=*/mail/*.eml",
                    r"event=mail_rename_failed path=\S+/mail/\d+\.eml"),
    "letter_create": ("op=open,path=*/print/*/.*.pdf.tmp",
                      r"event=letter_write_failed path=\S+/\.\d+\.pdf\.tmp"),
    "letter_write": ("op=write,path=*/print/*/.*.pdf.tmp,nth=5",
                     r"event=letter_\w+_failed .*\S+/\.\d+\.pdf\.tmp"),
    "letter_rename": ("op=rename,path=*/print/*/*.pdf",
                      r"event=letter_rename_failed path=\S+/\d+\.pdf"),
    "manifest_write": ("op=write,path=*/print/*/.manifest.csv.tmp",
                       r"event=manifest_write_failed path=\S+manifest"),
    "manifest_rename": ("op=rename,path=*/print/*/manifest.csv",
                        r"event=letter_rename_failed path=\S+/manifest\.csv"),
}

# Steps whose failure SQLite reports with its own words: the errno is
# SQLite's to map (ENOSPC: "database or disk is full").
DB_STEPS = {"claim_db_full", "apply_db_full", "commit_fdatasync"}

XFAIL = {}		# every defect found here is fixed (issue 13)


def strerror_of(name):
    return os.strerror(getattr(errno, name))


def hurry_mail(a):
    """The file transport retries after 30 s: bring every pending row due
    now (the test's clock, not the daemon's policy, is under test)."""
    c = sqlite3.connect(str(a.root / "affild.db"), timeout=30)
    with c:
        c.execute("UPDATE outbox SET next_attempt = 0 WHERE state = 'pending'")
    c.close()


def wait_mail_sent(a):
    def done():
        hurry_mail(a)
        return all(r[1] == "sent" for r in outbox_rows(a))
    wait_for(done, timeout=30, what="all mail sent", log=a.log)


def run_step(tmp_path, step, err):
    rules, line = STEPS[step]
    last = rules.rsplit(";", 1)
    last[-1] += ",action=errno:%s" % err
    a = FaultyAffild(tmp_path)
    a.start_faulty(";".join(last))
    try:
        assert a.proc.poll() is None, a.log_text()
        a.drop("f1.csv", payroll(1, 3, letters=1))
        wait_for(lambda: any("action=errno:" in l for l in a.hits()),
                 what="the fault", log=a.log)
        a.wait_report("f1.csv")
        wait_mail_sent(a)
        check_all_once(a, {"f1": 3}, why=step)
        assert a.proc.poll() is None, "affild died:\n" + a.log_text()
        [hit] = [l for l in a.hits() if "action=errno:" in l]
        return a, line, hit
    finally:
        a.kill_if_alive()


def cases():
    """Every step with EIO and ENOSPC; a known defect with EIO only (it
    waits for a report that never comes)."""
    for s in sorted(STEPS):
        if s in XFAIL:
            yield pytest.param(s, "EIO", marks=pytest.mark.xfail(
                strict=True, reason=XFAIL[s]))
        else:
            yield s, "EIO"
            yield s, "ENOSPC"


@pytest.mark.parametrize("step,err", list(cases()))
def test_a_failing_step_is_logged_and_the_file_ends_once(tmp_path, step,
                                                         err):
    a, line, hit = run_step(tmp_path, step, err)
    if step in DB_STEPS:
        words = "database or disk is full" if err == "ENOSPC" and \
            "pwrite" in hit else "disk I/O error"
        found = log_lines(a, line + r'.*error="[^"]*' + re.escape(words))
    else:
        found = log_lines(a, line + r".*: " + re.escape(strerror_of(err))
                          + "$")
    assert found, "no log line /%s/ with %s:\n%s" % (line, err,
                                                     a.log_text())


def test_a_wal_write_error_names_its_operation(tmp_path):
    """SQLite's message is "disk I/O error" whatever failed; the line says
    which operation (and the errno when SQLite kept it: its unix VFS
    often has not by the time the statement returns)."""
    a, _, _ = run_step(tmp_path, "apply_db_full", "EIO")
    assert log_lines(a, r"event=db_error .*ioerr=write")


def test_sqlite_busy_the_file_waits_and_is_applied_once(tmp_path):
    """Another process holds BEGIN EXCLUSIVE for 3 s, longer than the
    daemon's busy timeout (1 s): the claim or the file's transaction is
    refused, retried, and the file applied once."""
    a = FaultyAffild(tmp_path)
    text = a.config.read_text()
    a.config.write_text(text.replace("database:\n",
                                     "database:\n  busy_timeout_s: 1\n"))
    a.start()
    try:
        c = sqlite3.connect(str(a.root / "affild.db"), timeout=30,
                            isolation_level=None)
        c.execute("BEGIN EXCLUSIVE")
        a.drop("f1.csv", payroll(1, 3, letters=1))
        time.sleep(3)
        assert a.reports("f1.csv") == []
        c.execute("COMMIT")
        c.close()
        a.wait_report("f1.csv")
        check_all_once(a, {"f1": 3})
        assert log_lines(a, r"event=db_error .*database is locked")
    finally:
        a.stop()


def test_sqlite_busy_while_a_file_is_in_work(tmp_path):
    """The lock is taken between the claim and the file's transaction
    (the shim holds the claim's fsync of in/ for 1.5 s, the test takes
    the lock meanwhile): the claimed file stays in work/, is resumed at
    the next rescans, and is applied once when the lock goes."""
    a = FaultyAffild(tmp_path)
    text = a.config.read_text()
    a.config.write_text(text.replace("database:\n",
                                     "database:\n  busy_timeout_s: 1\n"))
    a.start_faulty("op=fsync,path=*/12345678/in,action=delay:1500")
    try:
        a.drop("f1.csv", payroll(1, 3, letters=1))
        wait_for(lambda: a.hits(), what="the claim", log=a.log)
        c = sqlite3.connect(str(a.root / "affild.db"), timeout=30,
                            isolation_level=None)
        c.execute("BEGIN EXCLUSIVE")
        wait_for(lambda: log_lines(a, "event=file_tempfail"), what="tempfail",
                 log=a.log)
        time.sleep(2)
        assert a.reports("f1.csv") == []
        c.execute("COMMIT")
        c.close()
        a.wait_report("f1.csv")
        wait_mail_sent(a)
        check_all_once(a, {"f1": 3})
        assert len(log_lines(a, "event=file_claimed")) == 1
        assert log_lines(a, "event=file_resumed .*action=process")
    finally:
        a.kill_if_alive()


def test_database_full_when_an_smtp_outcome_comes_back(tmp_path):
    srv = Server()
    srv.start()
    a = smtp_affild(tmp_path, srv.port)
    a.__class__ = FaultyAffild
    try:
        # The first outcome's eventfd write arms ENOSPC on the WAL: the
        # transaction of collect() cannot be written.
        a.start_faulty("op=write,path=*eventfd*,action=trace;"
                       "op=pwrite,path=*.db-wal,after_rule=1,count=3,"
                       "action=errno:ENOSPC")
        a.drop("f1.csv", payroll(1, 1))
        wait_for(lambda: [r[1] for r in outbox_rows(a)] == ["sent"],
                 timeout=30, what="sent", log=a.log)
        time.sleep(2)
    finally:
        a.kill_if_alive()
        srv.stop()
    assert len(srv.handler.messages) == 1, "the message went twice"
