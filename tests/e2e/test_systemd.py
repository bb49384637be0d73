"""systemd integration: the unit file verifies, and the daemon speaks the
sd_notify protocol a Type=notify service needs (READY, WATCHDOG,
RELOADING, STOPPING), over a real notification socket.  The unit's
sandbox keeps its exposure score, grants CAP_DAC_READ_SEARCH and nothing
else, and `make install` with the sysusers.d and tmpfiles.d files gives a
service that can start: the account, the folders and the modes, applied
in a temporary root (never to this host's users)."""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import BIN, HEADER, REPO, Affild, make_nir, row, wait_for


def recv_until(sock, want, timeout=15.0):
    got = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            continue
        got.extend(data.split("\n"))
        if want in got:
            return got
    raise AssertionError("no %s from affild; got %r" % (want, got))


def test_notify_protocol(tmp_path):
    a = Affild(tmp_path)
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.5)
    env = dict(os.environ, NOTIFY_SOCKET=path)
    with open(a.log, "ab") as logf:
        proc = subprocess.Popen([str(BIN / "affild"), "-c", str(a.config)],
                                stdout=logf, stderr=logf, env=env)
    try:
        recv_until(sock, "READY=1")
        recv_until(sock, "WATCHDOG=1")
        proc.send_signal(signal.SIGHUP)
        got = recv_until(sock, "RELOADING=1")
        if "READY=1" not in got[got.index("RELOADING=1"):]:
            recv_until(sock, "READY=1")
        proc.send_signal(signal.SIGTERM)
        recv_until(sock, "STOPPING=1")
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        sock.close()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                    reason="systemd-analyze not installed")
def test_unit_file_verifies(tmp_path):
    unit = (REPO / "packaging" / "affild.service").read_text()
    unit = unit.replace("/usr/sbin/affild", str(BIN / "affild"))
    (tmp_path / "affild.service").write_text(unit)
    r = subprocess.run(["systemd-analyze", "verify", "--man=no",
                        str(tmp_path / "affild.service")],
                       capture_output=True, text=True, timeout=60)
    errors = [l for l in r.stderr.splitlines()
              if "affild.service" in l and "network-online" not in l]
    assert r.returncode == 0 and not errors, r.stderr


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(SYSTEMD_ANALYZE is None,
                                   reason="systemd-analyze not installed")
needs_sysusers = pytest.mark.skipif(
    shutil.which("systemd-sysusers") is None or
    shutil.which("systemd-tmpfiles") is None,
    reason="systemd-sysusers or systemd-tmpfiles not installed")
UNIT = REPO / "packaging" / "affild.service"


def unit_settings(section="Service"):
    """key -> every value assigned in [section], in order"""
    got, current = {}, None
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        if current == section:
            key, _, value = line.partition("=")
            got.setdefault(key.strip(), []).append(value.strip())
    return got


@needs_analyze
def test_unit_security_exposure(tmp_path):
    unit = UNIT.read_text().replace("/usr/sbin/affild", str(BIN / "affild"))
    (tmp_path / "affild.service").write_text(unit)
    r = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=true",
                        "--no-pager", str(tmp_path / "affild.service")],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for affild\.service: ([0-9.]+)",
                  r.stdout)
    assert m, r.stdout + r.stderr
    assert float(m.group(1)) <= 1.5, r.stdout


def test_unit_grants_only_dac_read_search():
    s = unit_settings()
    assert s["AmbientCapabilities"] == ["CAP_DAC_READ_SEARCH"]
    assert s["CapabilityBoundingSet"] == ["CAP_DAC_READ_SEARCH"]
    assert s["UMask"] == ["0027"]
    assert s["User"] == ["affild"] and s["Group"] == ["affild"]
    assert s["NoNewPrivileges"] == ["yes"]
    # a user namespace would void the capability on employers' files
    assert "PrivateUsers" not in s
    # only the spool preparation runs as root ("+"), the daemon never
    assert s["ExecStartPre"] == [
        "+/usr/sbin/affild -c /etc/affild/affild.yaml --prepare-spool"]
    assert not s["ExecStart"][0].startswith(("+", "!"))
    # every folder the packaged configuration makes it write
    rw = " ".join(s["ReadWritePaths"]).split()
    for d in ("/var/spool/affild", "/var/spool/affild-print",
              "/var/lib/affild"):
        assert d in rw
    cfg = (REPO / "packaging" / "affild.yaml").read_text()
    for key in ("dir", "path", "print_dir", "metrics_file"):
        for path in re.findall(r"^\s*%s: (/\S+)" % key, cfg, re.M):
            assert any(path == d or path.startswith(d + "/") for d in rw), \
                (key, path)


def make_install(dest):
    """make install DESTDIR=dest with the binaries under test, building
    nothing (-o all): under test-asan they are the sanitizer build"""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    r = subprocess.run(["make", "-C", str(REPO), "-o", "all", "install",
                        "DESTDIR=%s" % dest, "BIN=%s" % BIN],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr


def mode(path):
    return os.lstat(path).st_mode & 0o7777


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_make_install(tmp_path):
    root = tmp_path / "root"
    make_install(root)
    want = {
        "usr/sbin/affild": 0o755,
        "usr/bin/affilctl": 0o755,
        "etc/affild/affild.yaml": 0o640,
        "etc/affild/employers.d": 0o755,
        "lib/systemd/system/affild.service": 0o644,
        "usr/lib/sysusers.d/affild.conf": 0o644,
        "usr/lib/tmpfiles.d/affild.conf": 0o644,
        "usr/share/affild/mouvements.xsd": 0o644,
        "usr/share/affild/templates/fr/invitation.txt": 0o644,
        "usr/share/doc/affild/operations.md": 0o644,
    }
    for rel, m in want.items():
        assert (root / rel).exists(), rel
        assert mode(root / rel) == m, "%s: %o" % (rel, mode(root / rel))
    assert (root / "usr/sbin/affild").read_bytes() == \
        (BIN / "affild").read_bytes()
    assert (root / "lib/systemd/system/affild.service").read_text() == \
        UNIT.read_text()
    for t in (REPO / "templates" / "fr").iterdir():
        assert (root / "usr/share/affild/templates/fr" / t.name).exists()
    # the admin's configuration is never overwritten
    cfg = root / "etc/affild/affild.yaml"
    cfg.write_text("# edited\n")
    make_install(root)
    assert cfg.read_text() == "# edited\n"


def passwd(root, name):
    for line in (root / "etc" / "passwd").read_text().splitlines():
        f = line.split(":")
        if f[0] == name:
            return f
    raise AssertionError("no %s in %s/etc/passwd" % (name, root))


@needs_sysusers
def test_sysusers_makes_the_account(tmp_path):
    (tmp_path / "etc").mkdir()
    r = subprocess.run(["systemd-sysusers", "--root=%s" % tmp_path,
                        str(REPO / "packaging" / "affild.sysusers")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    name, _, uid, gid, _, home, shell = passwd(tmp_path, "affild")
    assert 0 < int(uid) < 1000 and home == "/var/lib/affild"
    assert shell == "/usr/sbin/nologin"
    groups = (tmp_path / "etc" / "group").read_text().splitlines()
    assert any(g.split(":")[0] == "affild" and g.split(":")[2] == gid
               for g in groups)
    # the admins' group (spool.admin_group), the daemon a member: it reads
    # what they write in the setgid admin drop
    admins = [g.split(":") for g in groups if g.startswith("affild-admin:")]
    assert len(admins) == 1 and admins[0][3] == "affild", admins


@needs_sysusers
@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_tmpfiles_after_install(tmp_path):
    """what the package's postinst does: sysusers, then tmpfiles, by name
    from the installed tree"""
    root = tmp_path / "root"
    make_install(root)
    key = root / "etc/affild/token.key"
    key.write_bytes(os.urandom(32))    # as a bare `head -c 32 >` leaves it
    key.chmod(0o644)
    for cmd in (["systemd-sysusers", "--root=%s" % root, "affild.conf"],
                ["systemd-tmpfiles", "--root=%s" % root, "--create",
                 "affild.conf"]):
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, (cmd, r.stderr)
    uid, gid = (int(x) for x in passwd(root, "affild")[2:4])
    want = {
        "var/spool/affild": (0o755, 0, 0),
        "var/spool/affild-print": (0o750, uid, gid),
        "var/lib/affild": (0o750, uid, gid),
        "etc/affild/affild.yaml": (0o640, 0, gid),
        "etc/affild/token.key": (0o640, 0, gid),
    }
    for rel, (m, u, g) in want.items():
        st = os.lstat(root / rel)
        assert (mode(root / rel), st.st_uid, st.st_gid) == (m, u, g), \
            "%s: %o %d:%d" % (rel, mode(root / rel), st.st_uid, st.st_gid)
    assert not (root / "etc/affild/smtp.credentials").exists()


# Accounts no one has on a test machine: the daemon's and an employer's.
DAEMON_ID, EMPLOYER_ID = 64123, 64124
CAP_DAC_READ_SEARCH = 2


def as_daemon(*cmd, caps=False):
    """cmd as DAEMON_ID, with CAP_DAC_READ_SEARCH ambient and as the whole
    bounding set (what affild.service grants) or with no capability"""
    priv = ["setpriv", "--reuid=%d" % DAEMON_ID, "--regid=%d" % DAEMON_ID,
            "--clear-groups", "--no-new-privs"]
    if caps:
        priv += ["--inh-caps=-all,+dac_read_search",
                 "--ambient-caps=-all,+dac_read_search",
                 "--bounding-set=-all,+dac_read_search"]
    else:
        priv += ["--inh-caps=-all", "--bounding-set=-all"]
    return priv + ["--", *cmd]


@pytest.mark.skipif(shutil.which("setpriv") is None or os.geteuid() != 0,
                    reason="needs setpriv and root")
def test_unit_capability_reads_uploads_of_employer_accounts():
    """The unit's one capability is what lets user affild read a file an
    SFTP client uploaded 0600 under the employer's account."""
    base = Path(tempfile.mkdtemp(prefix="affild-cap-"))
    a = None
    try:
        base.chmod(0o755)
        a = Affild(base)
        for d, _, files in os.walk(base):
            for f in [d] + [os.path.join(d, f) for f in files]:
                os.chown(f, DAEMON_ID, DAEMON_ID)
        started = 0
        with open(a.log, "ab") as logf:
            a.proc = subprocess.Popen(
                as_daemon(str(BIN / "affild"), "-c", str(a.config),
                          caps=True),
                stdout=logf, stderr=logf)
        wait_for(lambda: a.log.read_bytes().count(b"event=started") > started
                 or a.proc.poll() is not None, what="affild start")
        assert a.proc.poll() is None, a.log.read_text()
        status = Path("/proc/%d/status" % a.proc.pid).read_text()
        caps = dict(l.split(":\t") for l in status.splitlines()
                    if l.startswith("Cap"))
        for k in ("CapEff", "CapAmb", "CapBnd"):
            assert int(caps[k], 16) == 1 << CAP_DAC_READ_SEARCH, caps

        nir = make_nir(1, date(1985, 3, 2), 7)
        part = a.drop_dir() / "upload.csv.part"
        part.write_text(HEADER + row("AFFILIATION_SIMPLE", nir, "Durand",
                                     "Paul", "1985-03-02", "paul@example.fr"))
        os.chown(part, EMPLOYER_ID, EMPLOYER_ID)
        part.chmod(0o600)
        # without the capability, affild's account cannot read it
        r = subprocess.run(as_daemon("cat", str(part)), capture_output=True)
        assert r.returncode != 0 and b"Permission denied" in r.stderr
        os.rename(part, a.drop_dir() / "upload.csv")
        rows = a.wait_report("upload.csv")
        assert [x["resultat"] for x in rows if x["ligne"] != "0"] == \
            ["ACCEPTE"], rows
        a.stop()
    finally:
        if a is not None and a.proc is not None and a.proc.poll() is None:
            a.kill()
        shutil.rmtree(base)
