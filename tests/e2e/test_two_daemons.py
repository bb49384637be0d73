"""Two daemons, one PostgreSQL database, one spool (issue 18).

Twenty employers drop files while one of the two daemons is SIGKILLed at
random moments, fifty times, and restarted.  Then every file was applied
once with one report, every invitation queued once and written once (the
two daemons' mail folders hold no message twice), and the reminder due
for everyone fires once across the two daemons (one history row each, one
digest per employer); affilctl shows what a single daemon would.

Runs with AFFILD_TEST_PG only (make test-pg).  AFFILD_TWO_SEED replays a
run; the seed is in every assertion message."""
import os
import random
import shutil
import time
from datetime import date

import pytest

import pg_util
from conftest import HEADER, PG, Affild, wait_for
from spool_util import add_employer, db, simple

pytestmark = pytest.mark.skipif(not PG, reason="needs AFFILD_TEST_PG")

EMPLOYERS = ["%08d" % (20000000 + k) for k in range(20)]
KILLS = int(os.environ.get("AFFILD_TWO_KILLS", "50"))


def pair(tmp_path):
    """a and b: b's config is a's, but for its own files (log, lock, mail
    journal).  The mail and print folders are shared, as the spool is: the
    file transport writes a message as <outbox id>.eml, and a message
    written again after a crash (the file transport keeps no journal)
    replaces itself, as with one daemon (test_spool_crash.py)."""
    a = Affild(tmp_path / "a", settle_ms=0)
    for n in EMPLOYERS:
        add_employer(a, n, "Employeur %s" % n)
    b = Affild(tmp_path / "b", settle_ms=0)
    pg_util.drop_db(pg_util.name_of(b.db_url))
    b.db_url = a.db_url
    shutil.copy(a.root / "token.key", b.root / "token.key")
    text = a.config.read_text()
    for shared in ("spool", "mail", "print"):
        text = text.replace(str(a.root / shared), "@%s@" % shared)
    text = text.replace(str(a.root), str(b.root))
    for shared in ("spool", "mail", "print"):
        text = text.replace("@%s@" % shared, str(a.root / shared))
    b.config.write_text(text)
    return a, b


def out_reports(a, employer):
    out = a.out_dir(employer)
    return sorted(p.name for p in out.iterdir() if p.is_file()) \
        if out.exists() else []


def mail_names(a):
    """The messages written, and the outbox ids they name."""
    names = [p.name for p in a.mails()]
    return names, {int(n.split(".")[0]) for n in names}


def test_two_daemons_killed_fifty_times_apply_and_send_once(tmp_path):
    seed = int(os.environ.get("AFFILD_TWO_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    why = "seed=%d" % seed
    a, b = pair(tmp_path)
    a.start()
    b.start()
    expected = {}           # (employer, name) -> rows
    serial = 0
    try:
        for it in range(KILLS):
            for _ in range(rng.randint(1, 3)):
                emp = rng.choice(EMPLOYERS)
                name = "f%04d" % len(expected)
                count = rng.randint(1, 8)
                a.drop(name + ".csv", HEADER + "".join(
                    simple(serial + k) for k in range(count)), employer=emp)
                serial += count
                expected[(emp, name)] = count
            time.sleep(rng.uniform(0, 0.2))
            victim = rng.choice((a, b))
            victim.kill()
            victim.start()

        # every file once, one report each, in its employer's out/
        def all_reported():
            return sum(len(out_reports(a, e)) for e in EMPLOYERS) \
                >= len(expected)
        wait_for(all_reported, timeout=120, what="every report (%s)" % why,
                 log=a.log)
        for emp in EMPLOYERS:
            names = sorted(r.split(".")[0] for r in out_reports(a, emp))
            assert names == sorted(n for e, n in expected if e == emp), why
        with db(a) as c:
            files = c.execute("SELECT employer, name, state, accepted"
                              " FROM file").fetchall()
            emps = c.execute("SELECT count(*) FROM employee").fetchone()[0]
            queued = c.execute("SELECT count(*) FROM outbox").fetchone()[0]
        assert len(files) == len(expected), (why, files)
        for emp, name, state, accepted in files:
            assert state == "done", (why, name)
            assert accepted == expected[(emp, name.split(".")[0])], why
        total = sum(expected.values())
        assert emps == total and queued == total, why

        # every invitation written once, by one daemon or the other
        wait_for(lambda: len(mail_names(a)[1]) >= total, timeout=120,
                 what="every invitation (%s)" % why, log=b.log)
        names, ids = mail_names(a)
        assert len(names) == len(ids) == total, why

        # a reminder due for everyone, both daemons starting at once
        a.stop()
        b.stop()
        pg_util.query(a.db_url, "UPDATE employee SET due_relance = '%s'"
                      " WHERE due_relance IS NOT NULL" % date.today())
        a.start()
        b.start()

        def outbox():
            with db(a) as c:
                return c.execute("SELECT kind, state, employer FROM outbox"
                                 ).fetchall()

        def fired():
            with db(a) as c:
                return c.execute("SELECT employee_id, count(*) FROM history"
                                 " WHERE cause = 'timer' GROUP BY employee_id"
                                 ).fetchall()

        def all_sent():
            return len(fired()) >= total and \
                all(s == "sent" for _, s, _ in outbox())
        wait_for(all_sent, timeout=120, what="every reminder (%s)" % why,
                 log=a.log)
        time.sleep(1)       # a second firing would come now
        rows = outbox()
        names, ids = mail_names(a)
        assert len(names) == len(ids) == len(rows), why
        assert len(fired()) == total, why
        assert all(n == 1 for _, n in fired()), why   # each reminder once
        kinds = sorted(k for k, _, _ in rows)
        assert kinds.count("invitation") == total, why
        # the employers' digest of the day: one each, by one daemon
        digests = [e for k, _, e in rows if k == "digest_relances"]
        assert len(digests) == len(set(digests)) == \
            len({e for e, _ in expected}), why

        # affilctl, from either node, sees what one daemon would leave
        for d in (a, b):
            listed = d.ctl_json("employees")
            assert len(listed) == total, why
            assert {e["status"] for e in listed} == {"A_RELANCER"}, why
            sent = d.ctl_json("outbox", "--state", "sent")
            assert len(sent) == len(rows), why
    finally:
        for d in (a, b):
            if d.proc:
                d.stop()
