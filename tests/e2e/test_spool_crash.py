"""The crash test: SIGKILL at random moments while files flow, restarted
each time; after each run every file is applied exactly once, has exactly
one report, and the database passes PRAGMA integrity_check.

AFFILD_CRASH_ITERATIONS (default 200; the sanitizer run sets fewer) and
AFFILD_CRASH_SEED (default: time) make a failing run reproducible: the seed
is in every assertion message."""
import os
import random
import time

from conftest import HEADER, Affild, wait_for
from spool_util import db, integrity_ok, simple

ITERATIONS = int(os.environ.get("AFFILD_CRASH_ITERATIONS", "200"))


def check_exactly_once(a, expected, seed, it):
    """expected: name -> rows.  Every file done once, one report each."""
    why = "seed=%d iteration=%d" % (seed, it)
    out = a.out_dir()
    wait_for(lambda: sum(1 for p in out.iterdir() if p.is_file())
             >= len(expected),
             timeout=60, what="reports (%s)" % why, log=a.log)
    names = sorted(p.name.split(".")[0] for p in out.iterdir() if p.is_file())
    assert names == sorted(expected), why          # exactly one report each
    with db(a) as c:
        files = c.execute("SELECT name, state, accepted FROM file").fetchall()
        emps = c.execute("SELECT count(*) FROM employee").fetchone()[0]
    assert sorted(f[0].split(".")[0] for f in files) == sorted(expected), why
    assert all(f[1] == "done" and f[2] == expected[f[0].split(".")[0]]
               for f in files), (why, files)
    assert emps == sum(expected.values()), why
    assert integrity_ok(a), why


def test_sigkill_at_random_moments_applies_each_file_exactly_once(tmp_path):
    seed = int(os.environ.get("AFFILD_CRASH_SEED", str(int(time.time()))))
    rng = random.Random(seed)
    a = Affild(tmp_path, settle_ms=0)
    a.start()
    expected = {}
    serial = 0
    try:
        for it in range(ITERATIONS):
            for _ in range(rng.randint(1, 3)):
                name = "c%04d" % len(expected)
                count = rng.randint(1, 25)
                text = HEADER + "".join(simple(serial + k) for k in range(count))
                serial += count
                a.drop(name + ".csv", text)
                expected[name] = count
            time.sleep(rng.uniform(0, 0.15))
            a.kill()
            a.start()
            check_exactly_once(a, expected, seed, it)
        total = sum(expected.values())
        wait_for(lambda: len(a.mails()) == total, timeout=60,
                 what="every invitation, once (seed=%d)" % seed, log=a.log)
    finally:
        a.stop()
