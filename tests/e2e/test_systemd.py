"""systemd integration: the unit file verifies, and the daemon speaks the
sd_notify protocol a Type=notify service needs (READY, WATCHDOG,
RELOADING, STOPPING), over a real notification socket."""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import BIN, REPO, Affild


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
