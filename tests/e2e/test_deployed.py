"""As deployed: the installed daemon, as its service user, behind a real
OpenSSH SFTP chroot.

What an admin does, in order: `make install DESTDIR=$T`, a service account
and an employer's SFTP account (random names, removed afterwards), the
installed `affild --prepare-spool` as root (the unit's ExecStartPre=+),
then the installed daemon as the service user with exactly what the
installed unit grants (User=, Group=, UMask=, AmbientCapabilities=,
CapabilityBoundingSet=, NoNewPrivileges=, read from the unit and applied
with setpriv), and a private sshd on 127.0.0.1 with the Match block of
docs/sftp.md.  The employer uploads with the `sftp` client in batch mode
from a umask 077 (files arrive 0600, owned by the employer), three ways,
and fetches its reports back over SFTP.

Without the capability, the same upload stays in in/, unclaimed, with one
err line naming the fix.

An insurer's admin (a random account in a random spool.admin_group, the
configuration readable through the ACL the installed tmpfiles.d grants
that group) changes a record with `affilctl edit`: the daemon, as its
service user, applies the admin's file and names the admin in the
history.
"""
import configparser
import json
import os
import pwd
import random
import shutil
import signal
import socket
import stat
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import pg_util
from conftest import BIN, REPO, HEADER, make_nir, row, wait_for
from datetime import date

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="makes users and runs sshd: root only")

SSHD = "/usr/sbin/sshd"


def run(*cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    assert r.returncode == 0, "%s: %s%s" % (cmd, r.stdout, r.stderr)
    return r.stdout


def rand_name(prefix):
    return prefix + "".join(random.choice("abcdefghijkmnpqrstuvwxyz")
                            for _ in range(8))


def unused_numero():
    """An 8-digit employer number that is no account or group here."""
    while True:
        n = "9%07d" % random.randrange(10 ** 7)
        try:
            pwd.getpwnam(n)
        except KeyError:
            if subprocess.run(["getent", "group", n],
                              capture_output=True).returncode != 0:
                return n


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def read_unit(root):
    """The installed unit's [Service] section, as systemd would read it."""
    units = list(root.rglob("affild.service"))
    assert len(units) == 1, units
    cp = configparser.ConfigParser(strict=False, interpolation=None,
                                   delimiters=("=",))
    cp.optionxform = str
    cp.read_string(units[0].read_text())
    return cp["Service"]


def setpriv_argv(svc, user, group, with_caps=True):
    """setpriv arguments for exactly what the unit grants."""
    assert svc["User"] == "affild" and svc["Group"] == "affild"
    argv = ["setpriv", "--reuid", user, "--regid", group, "--clear-groups"]
    caps = [c.strip().lower().replace("cap_", "")
            for c in svc.get("AmbientCapabilities", "").split() if c.strip()]
    bounding = [c.strip().lower().replace("cap_", "")
                for c in svc.get("CapabilityBoundingSet", "").split()
                if c.strip()]
    if not with_caps:
        caps, bounding = [], []
    if caps:
        plus = ",".join("+" + c for c in caps)
        argv += ["--inh-caps", plus, "--ambient-caps", plus]
    argv += ["--bounding-set", ",".join(["-all"] + ["+" + c for c in bounding])]
    if svc.get("NoNewPrivileges", "no") in ("yes", "true", "1"):
        argv.append("--nnp")
    return argv


class Deployment:
    """Users, an installed tree, sshd; torn down whatever happens.  pg:
    a PostgreSQL server's base URI (no user, no database) and the DBA's
    superuser URI on its socket: the daemon then gets a role of its own,
    with a password in /etc/affild/db-password, and a database."""

    def __init__(self, pg=None):
        self.pg = pg
        # A chroot's every parent must be root's and 0755: not under /tmp.
        self.root = Path(tempfile.mkdtemp(prefix="affild-deployed-",
                                          dir="/var/lib"))
        os.chmod(self.root, 0o755)
        self.users, self.groups = [], []
        self.sshd = self.daemon = None
        self.svc = rand_name("afd")
        self.numero = unused_numero()
        self.drop_group = rand_name("afg")
        self.sftp_group = rand_name("afs")
        self.admin_group = rand_name("afa")
        self.admin = rand_name("afu")

    # -- accounts ---------------------------------------------------------
    def make_accounts(self):
        run("groupadd", "--system", self.svc)
        self.groups.append(self.svc)
        run("useradd", "--system", "--gid", self.svc, "--no-create-home",
            "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
            self.svc)
        self.users.append(self.svc)
        for g in (self.drop_group, self.sftp_group):
            run("groupadd", g)
            self.groups.append(g)
        # As docs/sftp.md: named after the numéro, locked password ("*").
        run("useradd", "--no-create-home", "--home-dir", "/",
            "--shell", "/usr/sbin/nologin", "-g", self.drop_group,
            "-G", self.sftp_group, "-p", "*", self.numero)
        self.users.append(self.numero)
        # An insurer's admin: the admin drop's group (spool.admin_group).
        run("groupadd", "--system", self.admin_group)
        self.groups.append(self.admin_group)
        run("useradd", "--system", "--user-group", "--no-create-home",
            "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
            "-G", self.admin_group, self.admin)
        self.users.append(self.admin)

    # -- install and configure -------------------------------------------
    def install(self):
        dest = self.root / "inst"
        run("make", "-C", str(REPO), "--no-print-directory", "-o", "all",
            "install", "DESTDIR=" + str(dest), "BIN=" + str(BIN))
        self.dest = dest
        self.affild = dest / "usr/sbin/affild"
        self.affilctl = dest / "usr/bin/affilctl"
        assert os.access(self.affild, os.X_OK)
        self.unit = read_unit(dest)
        state = self.root / "state"		# StateDirectory=, 0750
        state.mkdir()
        os.chown(state, pwd.getpwnam(self.svc).pw_uid,
                 pwd.getpwnam(self.svc).pw_gid)
        os.chmod(state, 0o750)
        self.state = state
        self.spool = self.root / "spool"
        etc = dest / "etc/affild"
        key = etc / "token.key"
        key.write_bytes(os.urandom(32))
        gid = pwd.getpwnam(self.svc).pw_gid
        os.chown(key, 0, gid)
        os.chmod(key, 0o640)
        conf = etc / "affild.yaml"
        conf.write_text(CONFIG.format(
            spool=self.spool, state=state, user=self.svc,
            templates=dest / "usr/share/affild/templates/fr", key=key,
            numero=self.numero, group=self.drop_group,
            admins=self.admin_group, pg=self.pg_role(etc, gid)))
        os.chown(conf, 0, gid)
        os.chmod(conf, 0o640)
        self.grant_as_tmpfiles(dest, conf)
        self.conf = conf
        out = run(str(self.affild), "-c", str(conf), "--prepare-spool")
        assert "ready" in out

    def pg_role(self, etc, gid):
        """With pg: the DBA's part (a role with a password, its database)
        and the admin's (the password in a file the service reads, 0640
        root:service); the config's lines for them."""
        if self.pg is None:
            return ""
        self.password = "".join(random.choice("abcdefghjkmnpqrstuvwxyz"
                                              "ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                                for _ in range(24))
        pg_util.query(self.pg["dba"], "CREATE ROLE %s LOGIN PASSWORD '%s';\n"
                      "CREATE DATABASE %s OWNER %s;\n"
                      % (self.svc, self.password, self.svc, self.svc))
        self.pwfile = etc / "db-password"
        self.pwfile.write_text(self.password + "\n")
        os.chown(self.pwfile, 0, gid)
        os.chmod(self.pwfile, 0o640)
        self.db_url = "%s/%s" % (self.pg["base"].replace("//", "//%s@" %
                                                          self.svc, 1),
                                 self.svc)
        return "\n  url: %s\n  password_file: %s" % (self.db_url,
                                                     self.pwfile)

    def grant_as_tmpfiles(self, dest, conf):
        """The installed tmpfiles.d's ACL on the configuration ("a+ PATH
        - - - - group:affild-admin:r--"), with this test's admin group:
        the admins read it, nobody else does."""
        tmpfiles = (dest / "usr/lib/tmpfiles.d/affild.conf").read_text()
        [acl] = [l.split()[-1] for l in tmpfiles.splitlines()
                 if l.startswith("a+ /etc/affild/affild.yaml ")]
        kind, name, perms = acl.split(":")
        assert (kind, name, perms) == ("group", "affild-admin", "r--"), acl
        set_group_read_acl(conf, grp_gid(self.admin_group))

    # -- the daemon, as the unit runs it -------------------------------
    def daemon_argv(self, with_caps=True):
        """The installed daemon with what the unit grants, and its umask."""
        umask = self.unit.get("UMask", "0022")
        return setpriv_argv(self.unit, self.svc, self.svc, with_caps) + [
            "sh", "-c", 'umask %s && exec "$0" "$@"' % umask,
            str(self.affild), "-c", str(self.conf)]

    def start_daemon(self, with_caps=True):
        self.log = self.root / ("affild-%s.log" % ("caps" if with_caps
                                                  else "nocaps"))
        argv = self.daemon_argv(with_caps)
        with open(self.log, "ab") as logf:
            self.daemon = subprocess.Popen(argv, stdout=logf, stderr=logf)
        wait_for(lambda: b"event=started" in self.log.read_bytes()
                 or self.daemon.poll() is not None, what="affild start")
        assert self.daemon.poll() is None, self.log.read_text()

    def stop_daemon(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            assert self.daemon.wait(timeout=30) == 0, self.log.read_text()
        self.daemon = None

    # -- sshd and the client ---------------------------------------------
    def start_sshd(self):
        ssh = self.root / "ssh"
        (ssh / "keys").mkdir(parents=True)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
            str(ssh / "host_key"))
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
            str(ssh / "client_key"))
        shutil.copy(ssh / "client_key.pub", ssh / "keys" / self.numero)
        os.chmod(ssh / "keys" / self.numero, 0o644)
        self.port = free_port()
        # The Match block of docs/sftp.md, with this spool and group.
        (ssh / "sshd_config").write_text(SSHD_CONFIG.format(
            port=self.port, ssh=ssh, spool=self.spool,
            group=self.sftp_group))
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # privsep dir
        run(SSHD, "-t", "-f", str(ssh / "sshd_config"))
        self.sshd_log = self.root / "sshd.log"
        self.sshd = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(ssh / "sshd_config")],
            stdout=open(self.sshd_log, "ab"), stderr=subprocess.STDOUT)
        wait_for(lambda: self._port_open(), what="sshd listening")
        self.ssh = ssh

    def _port_open(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            return True
        except OSError:
            return False

    def sftp(self, batch, cwd):
        """One sftp batch as the employer, from a client umask of 077."""
        (cwd / "batch").write_text(batch)
        cmd = ("umask 077 && exec sftp -q -b batch -P %d -i %s "
               "-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
               "-o BatchMode=yes %s@127.0.0.1" %
               (self.port, self.ssh / "client_key", self.numero))
        r = subprocess.run(["sh", "-c", cmd], cwd=cwd, capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0, (r.stdout, r.stderr,
                                   self.sshd_log.read_text())
        return r.stdout

    def ctl_json(self, *args):
        return json.loads(run(str(self.affilctl), "-c", str(self.conf),
                              "--format", "json", *args))

    def close(self):
        for p in (self.daemon, self.sshd):
            if p and p.poll() is None:
                p.kill()
                p.wait(timeout=10)
        for u in self.users:
            subprocess.run(["userdel", u], capture_output=True)
        for g in self.groups:
            subprocess.run(["groupdel", g], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


CONFIG = """\
spool:
  dir: {spool}
  sftp_chroot: true
  user: {user}
  admin_group: {admins}
  settle_ms: 500
  rescan_s: 60
database:
  path: {state}/affild.db{pg}
mail:
  transport: file
  dir: {state}/mail
  from: "Espace entreprise <affiliation@assureur.example>"
  templates: {templates}
  print_dir: {state}/print
portal:
  enabled: false
  link_url: "https://espace.assureur.example/affiliation/{{token}}"
  token_key_file: {key}
process:
  creditor_id: FR12ZZZ123456
employers:
  - numero: "{numero}"
    name: Exemple SAS
    sftp_group: {group}
    options:
      - code: BASE
    base_plan: BASE
    contact_email: rh@exemple-sas.example
"""

SSHD_CONFIG = """\
Port {port}
ListenAddress 127.0.0.1
HostKey {ssh}/host_key
PidFile none
AuthorizedKeysFile {ssh}/keys/%u
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
StrictModes yes
LogLevel VERBOSE
Subsystem sftp internal-sftp

Match Group {group}
    ChrootDirectory {spool}/%u
    ForceCommand internal-sftp -u 0027
    AllowTcpForwarding no
    X11Forwarding no
    PermitTTY no
    PasswordAuthentication no
"""


def grp_gid(name):
    import grp
    return grp.getgrnam(name).gr_gid


def set_group_read_acl(path, gid):
    """A POSIX ACL giving group gid read access (what setfacl -m g:G:r
    writes), set through its extended attribute: no acl tools needed."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    undef = 0xffffffff
    entries = [(0x01, mode >> 6 & 7, undef),	# ACL_USER_OBJ
               (0x04, mode >> 3 & 7, undef),	# ACL_GROUP_OBJ
               (0x08, 4, gid),			# ACL_GROUP
               (0x10, (mode >> 3 & 7) | 4, undef),	# ACL_MASK
               (0x20, mode & 7, undef)]		# ACL_OTHER
    os.setxattr(path, "system.posix_acl_access", struct.pack("<I", 2) +
                b"".join(struct.pack("<HHI", *e) for e in entries))


def movements(serial):
    born = date(1980, 1 + serial % 12, 1 + serial % 28)
    return HEADER + row("AFFILIATION_SIMPLE", make_nir(1, born, serial),
                        "Employe%d" % serial, "Test", born.isoformat(),
                        "e%d@example.fr" % serial)


def deployment(pg=None):
    for tool in (SSHD, "sftp", "setpriv", "ssh-keygen"):
        assert shutil.which(tool), tool + " is needed (openssh-server, " \
            "openssh-client, util-linux): .ci/run installs them"
    dep = Deployment(pg)
    try:
        dep.make_accounts()
        dep.install()
        dep.start_sshd()
        yield dep
    finally:
        dep.close()


@pytest.fixture
def deployed():
    yield from deployment()


@pytest.fixture
def deployed_pg(tmp_path):
    """The same on a PostgreSQL server of its own, reached over TCP with a
    password (scripts/pg-cluster.sh --tcp), as a DBA would give it."""
    port = free_port()
    d = Path(tempfile.mkdtemp(prefix="affild-pgd-"))
    d.rmdir()
    run("sh", str(REPO / "scripts/pg-cluster.sh"), "start", str(d), "--fast",
        "--tcp", str(port))
    try:
        yield from deployment({
            "base": "postgresql://127.0.0.1:%d" % port,
            "dba": "postgresql://postgres@/postgres?host=%s&port=%d"
                   % (d, port)})
    finally:
        run("sh", str(REPO / "scripts/pg-cluster.sh"), "stop", str(d))


def upload(dep, name, serial):
    """One file of one movement, made 0600 under the client's umask 077,
    put under a temporary name and renamed into in/; the client folder."""
    client = dep.root / "client"
    client.mkdir(exist_ok=True)
    (client / name).write_text(movements(serial))
    os.chmod(client / name, 0o600)
    dep.sftp("put %s in/%s.part\nrename in/%s.part in/%s\n"
             % (name, name, name, name), client)
    return client


def wait_reports(dep, client, names):
    """Poll out/ over SFTP until each name has its report; fetch them."""
    def listed():
        out = dep.sftp("ls -1 out\n", client)
        return [l.strip().split("/")[-1] for l in out.splitlines()
                if ".cr." in l]
    wait_for(lambda: all(any(r.startswith(n + ".") for r in listed())
                         for n in names),
             timeout=40, what="reports over SFTP", log=dep.log)
    reports = listed()
    dep.sftp("".join("get out/%s\n" % r for r in reports), client)
    return reports


def test_uploads_as_deployed(deployed):
    dep = deployed
    svc = dep.unit
    assert "CAP_DAC_READ_SEARCH" in svc.get("AmbientCapabilities", "")
    dep.start_daemon()
    client = dep.root / "client"
    client.mkdir()
    for i, name in enumerate(("renamed.csv", "inplace.csv", "posix.csv")):
        (client / name).write_text(movements(100 + i))
        os.chmod(client / name, 0o600)	# made under the client's umask 077
    # the client's umask 077: what is sent is 0600
    dep.sftp("put renamed.csv in/renamed.csv.part\n"
             "rename -l in/renamed.csv.part in/renamed.csv\n"  # link+unlink
             "put inplace.csv in/inplace.csv\n"               # in place
             "put posix.csv in/posix.tmp\n"
             "rename in/posix.tmp in/posix.csv\n",            # posix-rename
             client)
    names = ["renamed.csv", "inplace.csv", "posix.csv"]
    reports = wait_reports(dep, client, names)

    # exactly one report per upload, CR0, readable by the employer
    for n in names:
        mine = [r for r in reports if r.startswith(n + ".")]
        assert len(mine) == 1, reports
        body = (client / mine[0]).read_bytes().decode("utf-8-sig")
        assert "CR0" in body, body
    for r in reports:
        st = os.stat(dep.spool / dep.numero / "out" / r)
        assert stat.S_IMODE(st.st_mode) == 0o640, oct(st.st_mode)

    # each applied once: three files done, three employees
    files = dep.ctl_json("files")
    assert sorted(f["file_name"] for f in files) == sorted(names), files
    assert all(f["state"] == "done" for f in files), files
    emps = dep.ctl_json("employees")
    assert len(emps) == 3, emps

    # the uploads really were unreadable to the service user but for the
    # capability: the archived originals are the employer's, 0600
    archived = list((dep.spool / ".affild/archive").rglob("*.csv"))
    assert len(archived) == 3
    owner = pwd.getpwnam(dep.numero).pw_uid
    for a in archived:
        st = os.stat(a)
        assert st.st_uid == owner and stat.S_IMODE(st.st_mode) == 0o600

    # what the daemon made: the database 0600, metrics group-readable
    db = os.stat(dep.state / "affild.db")
    assert stat.S_IMODE(db.st_mode) == 0o600
    assert db.st_uid == pwd.getpwnam(dep.svc).pw_uid
    prom = dep.state / "affild.prom"
    assert stat.S_IMODE(os.stat(prom).st_mode) == 0o640
    dep.stop_daemon()
    assert "affild_up 0" in prom.read_text()


def test_without_capability_nothing_is_claimed(deployed):
    dep = deployed
    dep.start_daemon(with_caps=False)
    upload(dep, "a.csv", 200)
    wait_for(lambda: b"event=file_unreadable" in dep.log.read_bytes(),
             what="the err line", log=dep.log)
    time.sleep(1.5)		# several ticks: still there, logged once
    lines = [l for l in dep.log.read_text().splitlines()
             if "event=file_unreadable" in l]
    assert len(lines) == 1, lines
    assert "error" in lines[0] and "CAP_DAC_READ_SEARCH" in lines[0]
    assert (dep.spool / dep.numero / "in" / "a.csv").exists()
    assert dep.ctl_json("files") == []
    prom = (dep.state / "affild.prom")
    wait_for(lambda: "affild_files_unreadable 1" in prom.read_text(),
             what="counted in the metrics")
    dep.stop_daemon()


def test_an_admin_changes_a_record_as_deployed(deployed):
    """affilctl as an admin of the admin group, the daemon as its service
    user: the edit applied, the admin named, the report the admin's."""
    dep = deployed
    dep.start_daemon()
    client = upload(dep, "one.csv", 300)
    wait_reports(dep, client, ["one.csv"])
    [emp] = dep.ctl_json("employees")
    r = subprocess.run(["setpriv", "--reuid", dep.admin, "--regid",
                        dep.admin, "--init-groups", str(dep.affilctl), "-c",
                        str(dep.conf), "edit", dep.numero, emp["nir"],
                        "ville=Lyon", "--timeout", "60"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, (r.stdout, r.stderr, dep.log.read_text())
    assert ";ACCEPTE;I000;" in r.stdout and "CR0" in r.stdout
    rec = dep.ctl_json("show", dep.numero, emp["nir"])
    assert rec["history"][-1]["cause"] == "admin:" + dep.admin
    assert rec["employee"]["ville"] == "Lyon"
    out = dep.spool / ".affild/admin/out"
    [report] = [p for p in out.iterdir() if p.name.endswith(".cr.csv")]
    st = os.stat(report)
    assert st.st_gid == grp_gid(dep.admin_group)
    assert stat.S_IMODE(st.st_mode) == 0o640
    # an employer's chroot never reaches it: the drop is in .affild/
    assert stat.S_IMODE(os.stat(dep.spool / ".affild").st_mode) == 0o710
    dep.stop_daemon()


@pytest.mark.skipif(not os.environ.get("AFFILD_TEST_PG"),
                    reason="PostgreSQL's pass only (make test-pg)")
def test_uploads_on_postgresql_as_deployed(deployed_pg):
    """The daemon as deployed, on PostgreSQL: the service user reads its
    password from the file the admin made (0640 root:service), reaches
    the server over TCP, and applies an SFTP upload there; the password
    is in no log; affilctl reads the same database.  Without the password
    file, or with a wrong password, no start, and a line that says why."""
    dep = deployed_pg
    dep.start_daemon()
    client = upload(dep, "pg.csv", 300)
    [report] = wait_reports(dep, client, ["pg.csv"])
    assert "CR0" in (client / report).read_bytes().decode("utf-8-sig")

    # in PostgreSQL, as the DBA sees it
    dba = dep.pg["dba"].replace("/postgres?", "/%s?" % dep.svc, 1)
    rows = pg_util.query(dba, "SELECT employer, status FROM employee")
    assert rows == [(dep.numero, "EN_COURS")], rows
    sessions = pg_util.query(dba, "SELECT usename FROM pg_stat_activity"
                             " WHERE datname = current_database() AND"
                             " pid <> pg_backend_pid()")
    assert (dep.svc,) in sessions, sessions
    assert dep.ctl_json("employees")[0]["status"] == "EN_COURS"
    dep.stop_daemon()
    assert dep.password not in dep.log.read_text()

    # no start without the password file (its mode cannot stop the
    # service: CAP_DAC_READ_SEARCH reads past it), nor with a wrong one;
    # each says why, and no password shows
    def start_fails(name):
        dep.log = dep.root / ("affild-%s.log" % name)
        with open(dep.log, "wb") as logf:
            rc = subprocess.run(dep.daemon_argv(), stdout=logf, stderr=logf,
                                timeout=60).returncode
        log = dep.log.read_text()
        assert rc != 0, log
        return log
    os.rename(dep.pwfile, str(dep.pwfile) + ".away")
    log = start_fails("nopw")
    assert "event=db_password_unreadable" in log and str(dep.pwfile) in log
    os.rename(str(dep.pwfile) + ".away", dep.pwfile)
    dep.pwfile.write_text("not-" + dep.password + "\n")
    log = start_fails("badpw")
    assert "event=db_open_failed" in log and "password" in log, log
    assert dep.password not in log, log
