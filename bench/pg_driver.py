#!/usr/bin/python3
"""pg_driver.py - issue 18's figures: the ingest of N AFFILIATION_SIMPLE
into PostgreSQL beside SQLite, and the copy of a loaded SQLite database to
PostgreSQL (affild --copy-to).

    pg_driver.py WORK TOOLS PGDIR

WORK is the work folder (on the disk being measured), TOOLS holds the
`measure` binary (bench/measure.c), PGDIR the socket folder of a running,
durable cluster (scripts/pg-cluster.sh start PGDIR, without --fast): fsync
on, synchronous_commit on, as in production.  Rounds alternate SQLite and
PostgreSQL, each from a fresh, migrated database, the same file; the ratio
is the median of each round's PostgreSQL/SQLite.  Then the last SQLite
database (N employees, N invitations queued) is copied into a fresh
PostgreSQL database, timed.

Environment: PG_N (movements, default 200000), PG_K (rounds, 3).
"""
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ingest_driver import BIN, Bench  # noqa: E402

N = int(os.environ.get("PG_N", "200000"))
K = int(os.environ.get("PG_K", "3"))


def createdb(pgdir, name):
    subprocess.run(["psql", "-X", "-q", "-h", pgdir, "-U", "affild", "-d",
                    "postgres", "-c", "DROP DATABASE IF EXISTS %s" % name,
                    "-c", "CREATE DATABASE %s" % name], check=True,
                   stdout=subprocess.DEVNULL)
    return "postgresql://affild@/%s?host=%s" % (name, pgdir)


def with_url(root, url):
    conf = os.path.join(root, "affild.yaml")
    text = open(conf).read()
    open(conf, "w").write(text.replace("database:\n", "database:\n  url: %s\n"
                                       % url, 1))


def main():
    work, tools, pgdir = sys.argv[1:4]
    b = Bench(work, tools)
    path = b.gen("csv", N, os.path.join(work, "simple.csv"))
    times = {"sqlite": [], "pg": []}
    rss = {"sqlite": [], "pg": []}
    for r in range(K):
        for kind in ("sqlite", "pg"):
            root = os.path.join(work, kind)
            if kind == "pg":
                url = createdb(pgdir, "bench_ingest")
                # the root's config, then the URL: its start-up migrates
                root = b.affild_root(kind + "_pre")
                with_url(root, url)
                b.affild_once(root, timed=False)
            else:
                root = b.affild_root(kind)
            b.affild_drop(root, path)
            secs, kb = b.affild_once(root)
            times[kind].append(secs)
            rss[kind].append(kb)
            print("round %d %-6s %.2f s  %.1f µs/movement  %d MiB" %
                  (r + 1, kind, secs, secs * 1e6 / N, kb // 1024),
                  flush=True)
    ratios = [p / s for p, s in zip(times["pg"], times["sqlite"])]
    print("ingest of %d AFFILIATION_SIMPLE: SQLite %.2f s, PostgreSQL %.2f s"
          " (medians); PostgreSQL/SQLite %.2f" %
          (N, statistics.median(times["sqlite"]),
           statistics.median(times["pg"]), statistics.median(ratios)))
    # the copy: the last SQLite database, N employees and N messages
    url = createdb(pgdir, "bench_copy")
    root = os.path.join(work, "sqlite")
    secs, kb, status = b.measured(os.path.join(BIN, "affild"), "-c",
                                  os.path.join(root, "affild.yaml"),
                                  "--copy-to", url)
    if status != 0:
        sys.exit("affild --copy-to exited %d: see %s" % (status, b.log.name))
    print("copy of a %d-employee SQLite database to PostgreSQL: %.2f s,"
          " %d MiB" % (N, secs, kb // 1024))


if __name__ == "__main__":
    main()
