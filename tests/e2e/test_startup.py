"""Start-up and reload as an admin sees them in the journal: every error
through the logger with its priority and event=, so `journalctl -p err`
says why; development conveniences that production refuses."""
import os
import signal
import stat
import subprocess

from conftest import BIN, Affild, wait_for
from spool_util import set_spool_key


def journal_env():
    # as under systemd: journald's stream, so lines carry "<N>" priorities
    return dict(os.environ, JOURNAL_STREAM="8:12345")


def errors(text):
    return [l for l in text.splitlines() if l.startswith("<3>")]


def test_invalid_config_at_start_is_logged_at_err(tmp_path):
    a = Affild(tmp_path)
    a.config.write_text(a.config.read_text().replace("rescan_s: 60",
                                                     "rescan_s: soon"))
    r = subprocess.run([str(BIN / "affild"), "-c", str(a.config)],
                       capture_output=True, text=True, timeout=30,
                       env=journal_env())
    assert r.returncode == 78
    errs = errors(r.stderr)
    assert any("event=config_error" in l and "rescan_s" in l for l in errs), \
        r.stderr
    assert any("event=start_failed" in l and "status=78" in l for l in errs)
    # nothing on stderr without its priority: one event, one line
    assert all(l.startswith("<") for l in r.stderr.splitlines()), r.stderr


def test_refused_reload_says_why_at_err(tmp_path):
    a = Affild(tmp_path)
    logf = open(a.log, "ab")
    proc = subprocess.Popen([str(BIN / "affild"), "-c", str(a.config)],
                            stdout=logf, stderr=logf, env=journal_env())
    logf.close()
    try:
        wait_for(lambda: b"event=started" in a.log.read_bytes(),
                 what="start", log=a.log)
        a.config.write_text(a.config.read_text().replace(
            "settle_ms: 300", "settle_ms: -5"))
        proc.send_signal(signal.SIGHUP)
        wait_for(lambda: b"event=reload_refused" in a.log.read_bytes(),
                 what="reload refused", log=a.log)
        errs = errors(a.log.read_text())
        assert any("event=config_error" in l and "settle_ms" in l
                   for l in errs), a.log.read_text()
        assert any("event=reload_refused" in l for l in errs)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def test_dev_mode_makes_its_folders_and_a_token_key(tmp_path):
    a = Affild(tmp_path)
    (tmp_path / "token.key").unlink()
    (tmp_path / "mail").rmdir()
    (tmp_path / "print").rmdir()
    a.start()
    a.stop()
    key = tmp_path / "token.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert len(key.read_bytes()) == 32
    assert "event=token_key_created" in a.log.read_text()
    for d in ("mail", "print"):
        assert stat.S_IMODE(os.stat(tmp_path / d).st_mode) == 0o750


def test_production_refuses_to_start_without_its_token_key(tmp_path):
    a = Affild(tmp_path)
    set_spool_key(a, "sftp_chroot", "true")
    (tmp_path / "token.key").unlink()
    r = subprocess.run([str(BIN / "affild"), "-c", str(a.config)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 78
    assert "event=token_key_unreadable" in r.stderr
    assert not (tmp_path / "token.key").exists()


def test_version():
    """Both programs print the release the Debian package carries."""
    from conftest import REPO
    top = (REPO / "debian" / "changelog").read_text().splitlines()[0]
    package = top.split("(")[1].split(")")[0]          # "affild (0.9.0) ..."
    for prog in ("affild", "affilctl"):
        r = subprocess.run([str(BIN / prog), "--version"],
                           capture_output=True, text=True, timeout=10)
        assert r.returncode == 0
        assert r.stdout.split() == [prog, package]
