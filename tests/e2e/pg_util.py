"""Helpers of the PostgreSQL tests: a database of its own for each test,
in the cluster that scripts/pg-cluster.sh started, and SQL through psql
(the standard library only: no driver to install).

AFFILD_TEST_PG is that cluster's directory, where its socket is; unset or
empty, the PostgreSQL tests skip.  A database's URI is libpq's
    postgresql://affild@/NAME?host=DIR&port=5432
(no host part: the socket directory comes as host=)."""
import hashlib
import os
import re
import subprocess

PG_BASE = os.environ.get("AFFILD_TEST_PG")
if PG_BASE:
    # libpq takes a host= that does not start with '/' for a host name
    PG_BASE = os.path.abspath(PG_BASE)

PORT = 5432
# How psql prints rows here: fields split by FIELD (a value holding one
# would be cut), a NULL as the NULL character, each row ended by a zero
# byte, which no text value can hold (newlines in values are safe).
FIELD = "\x1f"
NULL = "\x1e"


def _psql():
    """The server's own psql (pg_config's bindir), else the one on PATH:
    Debian's /usr/bin/psql is a Perl wrapper that adds some 30 ms a call."""
    try:
        bindir = subprocess.run(["pg_config", "--bindir"], text=True,
                                capture_output=True).stdout.strip()
    except OSError:
        bindir = ""
    psql = os.path.join(bindir, "psql")
    return psql if bindir and os.access(psql, os.X_OK) else "psql"


PSQL = _psql()


class PgError(RuntimeError):
    """psql failed: the message is its stderr."""


def url(name, user="affild"):
    """The URI of database name in the test cluster."""
    return "postgresql://%s@/%s?host=%s&port=%d" % (user, name, PG_BASE, PORT)


def name_of(uri):
    """The database name of a URI url() made."""
    return uri.split("?")[0].rsplit("/", 1)[1]


def unique_name(nodeid, prefix="t"):
    """A database name for the test nodeid (request.node.nodeid): the
    xdist worker, the test's name made safe, a hash of the whole node id
    (parametrized cases differ there only).  The same test gets the same
    name on a rerun, and create_db drops what a killed run left."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    test = nodeid.rsplit("::", 1)[-1]
    slug = re.sub(r"[^a-z0-9]+", "_", test.lower()).strip("_")[:30]
    digest = hashlib.sha1(nodeid.encode()).hexdigest()[:8]
    name = "%s_%s_%s_%s" % (prefix, worker, slug, digest)
    return re.sub(r"[^a-z0-9_]", "_", name.lower())[:63]


def _check_name(name):
    # the name goes into SQL unquoted
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise ValueError("not a plain database name: %r" % name)


def _run(conninfo, sql):
    env = dict(os.environ, PGCLIENTENCODING="UTF8")
    r = subprocess.run(
        [PSQL, "-X", "-q", "-A", "-t", "-F", FIELD, "-0", "-P",
         "null=" + NULL, "-v", "ON_ERROR_STOP=1", "-f", "-", conninfo],
        input=sql.encode(), capture_output=True, env=env, timeout=60)
    if r.returncode != 0:
        raise PgError(r.stderr.decode(errors="replace").strip()
                      or "psql exited %d" % r.returncode)
    return r.stdout.decode()


def create_db(name):
    """A fresh, empty database name (dropped first if it exists), owned
    by affild; returns its URI.  STRATEGY FILE_COPY copies template1's
    files (7 MB) where the default WAL_LOG writes them all to the WAL:
    half the time, as its two checkpoints cost little under --fast's
    fsync=off (on a durable cluster they make it slow now and then).
    One psql for both statements: createdb and dropdb, two programs
    behind Debian's Perl wrapper, took four times as long."""
    _check_name(name)
    _run(url("postgres", "postgres"),
         "SET client_min_messages = warning;\n"
         "DROP DATABASE IF EXISTS %s WITH (FORCE);\n"
         "CREATE DATABASE %s OWNER affild STRATEGY FILE_COPY;\n"
         % (name, name))
    return url(name)


def drop_db(name):
    """Drop database name if it exists; FORCE ends the sessions a daemon
    may still hold (as the superuser: a session of another role may be
    there, a psql of the test's)."""
    _check_name(name)
    _run(url("postgres", "postgres"), "SET client_min_messages = warning;\n"
         "DROP DATABASE IF EXISTS %s WITH (FORCE);\n" % name)


def query(conninfo, sql):
    """Run sql (one or more statements, each committed as psql -f does,
    stopping at the first error: PgError) and return the rows of what
    they print as a list of tuples of str, None for NULL."""
    out = _run(conninfo, sql)
    return [tuple(None if f == NULL else f for f in rec.split(FIELD))
            for rec in out.split("\0")[:-1]]
