"""pg_util against the cluster of scripts/pg-cluster.sh: a database made
and dropped, rows back through psql with NULL and UTF-8 intact."""
import pytest

import pg_util

needs_pg = pytest.mark.skipif(
    not pg_util.PG_BASE,
    reason="AFFILD_TEST_PG unset (sh scripts/pg-cluster.sh start DIR --fast)")


@pytest.fixture
def db(request):
    name = pg_util.unique_name(request.node.nodeid)
    url = pg_util.create_db(name)
    yield url
    pg_util.drop_db(name)


def exists(name):
    return pg_util.query(pg_util.url("postgres"),
                         "SELECT 1 FROM pg_database WHERE datname = '%s'"
                         % name) == [("1",)]


@needs_pg
def test_rows_come_back_with_null_and_unicode(db):
    pg_util.query(db, "CREATE TABLE t (id int, a text, b text);"
                  "INSERT INTO t VALUES (1, NULL, 'é'), (2, '', 'x\ny')")
    assert pg_util.query(db, "SELECT id, a, b FROM t ORDER BY id") == [
        ("1", None, "é"), ("2", "", "x\ny")]
    assert pg_util.query(db, "SELECT 1 WHERE false") == []
    assert pg_util.query(db, "SELECT current_user") == [("affild",)]


@needs_pg
def test_create_replaces_a_leftover_and_drop_removes(request):
    name = pg_util.unique_name(request.node.nodeid)
    url = pg_util.create_db(name)
    pg_util.query(url, "CREATE TABLE leftover (x int)")
    url = pg_util.create_db(name)
    assert pg_util.query(url, "SELECT to_regclass('leftover')") == [(None,)]
    pg_util.drop_db(name)
    assert not exists(name)
    pg_util.drop_db(name)  # absent: no error


@needs_pg
def test_error_raises_with_psql_message(db):
    with pytest.raises(pg_util.PgError, match="no_such_table"):
        pg_util.query(db, "SELECT * FROM no_such_table")


def test_names_unique_per_test_and_worker(monkeypatch):
    a = "test_x.py::test_a[1]"
    b = "test_x.py::test_a[2]"
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    n0 = pg_util.unique_name(a)
    assert n0 != pg_util.unique_name(b)
    assert n0 == pg_util.unique_name(a)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert pg_util.unique_name(a) != n0
    long = pg_util.unique_name("t.py::test_" + "x" * 200, prefix="bench")
    assert len(long) <= 63
    with pytest.raises(ValueError):
        pg_util.create_db("bad name; DROP")
