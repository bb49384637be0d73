"""`affild --prepare-spool` as root makes the owners and modes an OpenSSH
ChrootDirectory + internal-sftp set-up needs; the daemon checks them at
start and on reload and names what is wrong (path, expected, found)."""
import grp
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import BIN, Affild, wait_for
from spool_util import (HostAccounts, log_count, reload, set_employer_key,
                        set_spool_key)

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root")


def prepare(a):
    return subprocess.run([str(BIN / "affild"), "-c", str(a.config),
                           "--prepare-spool"], capture_output=True, text=True,
                          timeout=30)


def mode_owner(p):
    st = os.lstat(p)
    return stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid


@pytest.fixture
def accounts():
    h = HostAccounts()
    try:
        yield h
    finally:
        h.remove()


@pytest.fixture
def chroot_affild(tmp_path, accounts):
    """An Affild whose spool sits where sshd would accept a chroot: under
    /run (root-owned, not group/world-writable all the way up), in a
    folder that does not exist yet (--prepare-spool makes the parents).
    Employer 12345678's group is made for the test (a.group1); 87654321's
    group is a name no account has (a.missing)."""
    top = Path(tempfile.mkdtemp(prefix="affild-test-", dir="/run"))
    os.chmod(top, 0o755)
    a = Affild(tmp_path)
    a.group1, a.group2 = accounts.group(), accounts.group()
    a.admins = accounts.group("afa")
    a.missing = accounts.name("afm")
    set_spool_key(a, "dir", str(top / "srv/affild/spool"))
    set_spool_key(a, "admin_group", a.admins)
    set_spool_key(a, "sftp_chroot", "true")
    set_spool_key(a, "user", "root")
    set_employer_key(a, "12345678", "sftp_group", a.group1)
    a.spool = top / "srv/affild/spool"
    a.top = top
    (tmp_path / "spool").symlink_to(a.spool)     # for the fixture's helpers
    try:
        yield a
    finally:
        a.stop()
        shutil.rmtree(top)


def test_prepare_spool_names_a_missing_group_and_creates_none(chroot_affild):
    a = chroot_affild
    set_employer_key(a, "87654321", "sftp_group", a.missing)
    r = prepare(a)
    assert r.returncode != 0
    assert "group=%s" % a.missing in r.stderr
    assert "groupadd %s" % a.missing in r.stderr
    with pytest.raises(KeyError):
        grp.getgrnam(a.missing)
    # the missing parents were made, root's and 0755, as a chroot needs
    assert mode_owner(a.top / "srv") == (0o755, 0, 0)
    assert mode_owner(a.top / "srv/affild") == (0o755, 0, 0)
    # the employer whose group exists was prepared all the same
    assert mode_owner(a.spool / "12345678/in")[0] == 0o2770


def test_prepare_spool_sets_chroot_owners_and_modes(chroot_affild, tmp_path):
    a = chroot_affild
    set_employer_key(a, "87654321", "sftp_group", a.group2)
    r = prepare(a)
    assert r.returncode == 0, r.stderr
    users = grp.getgrnam(a.group1).gr_gid
    daemon = grp.getgrnam(a.group2).gr_gid
    s = a.spool
    assert mode_owner(s) == (0o755, 0, 0)
    assert mode_owner(s / "12345678") == (0o755, 0, 0)
    assert mode_owner(s / "12345678/in") == (0o2770, 0, users)
    assert mode_owner(s / "12345678/in/validation") == (0o2770, 0, users)
    assert mode_owner(s / "12345678/out") == (0o2750, 0, users)
    assert mode_owner(s / "87654321/out/validation") == (0o2750, 0, daemon)
    assert mode_owner(s / "12345678/out/.staging") == (0o2700, 0, users)
    # .affild/: the admins may only cross it, to their drop
    admins = grp.getgrnam(a.admins).gr_gid
    assert mode_owner(s / ".affild") == (0o710, 0, admins)
    assert mode_owner(s / ".affild/admin") == (0o710, 0, admins)
    assert mode_owner(s / ".affild/admin/in") == (0o2770, 0, admins)
    assert mode_owner(s / ".affild/admin/out") == (0o2750, 0, admins)
    assert mode_owner(s / ".affild/admin/out/.staging") == (0o2700, 0, admins)
    assert mode_owner(s / ".affild/work")[0] == 0o700
    assert mode_owner(s / ".affild/archive")[0] == 0o700

    # repairs: owner first, then mode (chown clears setgid)
    os.chmod(s / "12345678/in", 0o777)
    os.chown(s / "12345678/out", 0, daemon)
    r = prepare(a)
    assert r.returncode == 0, r.stderr
    assert "fixed mode of %s/12345678/in: 0777 -> 2770" % s in r.stdout
    assert "fixed owner of %s/12345678/out" % s in r.stdout
    assert mode_owner(s / "12345678/out") == (0o2750, 0, users)

    # a symlink planted by an employer in in/ never makes root chown it
    victim = tmp_path / "victim"
    victim.mkdir(mode=0o755)
    os.chmod(victim, 0o755)
    shutil.rmtree(s / "12345678/in/validation")
    os.symlink(victim, s / "12345678/in/validation")
    r = prepare(a)
    assert r.returncode != 0 and "in/validation" in r.stderr
    assert mode_owner(victim) == (0o755, 0, 0)
    os.unlink(s / "12345678/in/validation")
    assert prepare(a).returncode == 0


def test_daemon_checks_at_start_and_on_reload(chroot_affild):
    a = chroot_affild
    set_employer_key(a, "87654321", "sftp_group", a.group2)
    assert prepare(a).returncode == 0
    a.start()
    a.drop("ok.csv", "operation;nir\n")
    a.wait_report("ok.csv")
    os.chmod(a.spool / "12345678/out", 0o755)
    reload(a)
    assert log_count(a, "event=reload_refused") == 1
    line = [l for l in a.log.read_text().splitlines() if "event=spool_bad" in l][0]
    assert "path=%s/12345678/out " % a.spool in line
    assert 'expected="owner=root group=%s mode=2750"' % a.group1 in line
    assert 'found="owner=root group=%s mode=0755"' % a.group1 in line
    a.stop()
    r = subprocess.run([str(BIN / "affild"), "-c", str(a.config)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "mode=0755" in r.stderr


def test_root_checks_the_layout_against_spool_user(chroot_affild, accounts):
    """Started as root with sftp_chroot, the daemon checks the folders
    --prepare-spool gave spool.user, not root's own uid."""
    a = chroot_affild
    svc = accounts.user()
    set_spool_key(a, "user", svc)
    set_employer_key(a, "87654321", "sftp_group", a.group2)
    r = prepare(a)
    assert r.returncode == 0, r.stderr
    uid = __import__("pwd").getpwnam(svc).pw_uid
    assert mode_owner(a.spool / "12345678/in")[1] == uid
    a.start()
    a.drop("ok.csv", "operation;nir\n")
    a.wait_report("ok.csv")
    assert log_count(a, "event=spool_bad") == 0


def test_prepare_spool_names_a_missing_admin_group(chroot_affild):
    """Like an employer's: named with the command to make it, and the
    rest of the spool prepared all the same."""
    a = chroot_affild
    set_employer_key(a, "87654321", "sftp_group", a.group2)
    set_spool_key(a, "admin_group", a.missing)
    r = prepare(a)
    assert r.returncode != 0
    assert "group=%s key=spool.admin_group" % a.missing in r.stderr
    assert "groupadd --system %s" % a.missing in r.stderr
    with pytest.raises(KeyError):
        grp.getgrnam(a.missing)
    assert mode_owner(a.spool / "12345678/in")[0] == 0o2770
    assert mode_owner(a.spool / ".affild/work")[0] == 0o700
    assert not (a.spool / ".affild/admin").exists()
    # the daemon refuses such a spool, naming the same
    r = subprocess.run([str(BIN / "affild"), "-c", str(a.config)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "key=spool.admin_group" in r.stderr


def test_a_spool_under_tmp_is_refused_as_a_chroot(tmp_path, accounts):
    a = Affild(tmp_path)
    g = accounts.group()
    set_spool_key(a, "admin_group", g)
    set_spool_key(a, "sftp_chroot", "true")
    set_spool_key(a, "user", "root")
    set_employer_key(a, "12345678", "sftp_group", g)
    set_employer_key(a, "87654321", "sftp_group", g)
    r = prepare(a)
    assert r.returncode != 0
    assert "path=/tmp expected=\"owner=root, writable by no group" in r.stderr
